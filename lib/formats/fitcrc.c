/*
 * fitcrc.c - the FIT CRC-16: by tables, and by carry-less multiplication
 * where the processor has it.
 */
#include <pthread.h>
#include <string.h>

#include "formats/fitprofile.h"
#include "base/internal.h"


/* The FIT CRC is CRC-16 with the reflected polynomial 0xA001, initial value
 * 0 and no final XOR (CRC-16/ARC; FIT protocol, "CRC"). The protocol shows a
 * nibble-wise table; the portable path computes the same CRC eight bytes at
 * a time ("slicing-by-8", Kounavis and Berry, Intel 2005) from tables built
 * once. Table look-ups cost a load per byte (about 2 GB/s here), so on
 * x86-64 with PCLMULQDQ long buffers are first folded, 16 bytes at a time,
 * into one 16-byte block that leaves the same remainder modulo the CRC
 * polynomial ("Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
 * Instruction", Gopal et al., Intel 2009), whose CRC the tables then take. */
static uint16_t crc_tab[8][256];
/* Built once, for every thread: pthread_once (crc_setup). */
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static uint16_t crc_slice8(uint16_t crc, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = (uint32_t)(p[0] | (p[1] << 8)) ^ crc;
        crc = (uint16_t)(crc_tab[7][lo & 0xFF] ^ crc_tab[6][lo >> 8] ^ crc_tab[5][p[2]] ^
                         crc_tab[4][p[3]] ^ crc_tab[3][p[4]] ^ crc_tab[2][p[5]] ^
                         crc_tab[1][p[6]] ^ crc_tab[0][p[7]]);
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (uint16_t)((crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xFF]);
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CRC_CLMUL 1
/* Below this the set-up is not worth it (and the 4-way fold needs 64). */
#define CRC_CLMUL_BYTES_MIN 256

/* Folding constants, built by crc_init(): for a distance of D bits,
 * x^(D+63) and x^(D-1) mod P, each bit-reflected into 64 bits. */
static uint64_t crc_k128[2], crc_k512[2];
static bool crc_clmul_ok;

/* Bit j of a 16-byte block loaded little-endian is the coefficient of
 * x^(127-j) (the reflected order: byte 0's bit 0 comes first). A block
 * A = Ah x^64 + Al followed, D bits later, by B becomes A x^D + B, and A x^D
 * = Ah x^(D+64) + Al x^D is replaced by Ah (x^(D+64) mod P) + Al (x^D mod
 * P): each product of 64 by 16 bits fits in 128. A carry-less product of
 * two reflected 64-bit values comes out one bit short of the 128-bit
 * reflected order, which the constants' x^-1 makes up. */
__attribute__((target("pclmul,sse2"))) static inline __m128i fold(__m128i a, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11));
}

__attribute__((target("pclmul,sse2"))) static uint16_t crc_clmul(uint16_t crc, const uint8_t *p,
                                                                   size_t n)
{
    const __m128i k512 = _mm_set_epi64x((long long)crc_k512[1], (long long)crc_k512[0]);
    const __m128i k128 = _mm_set_epi64x((long long)crc_k128[1], (long long)crc_k128[0]);
    /* A CRC carried in is the same as XOR-ing it into the first two bytes
     * with an initial value of 0. */
    __m128i a0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)p),
                               _mm_cvtsi32_si128(crc));
    __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i a2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i a3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    p += 64;
    n -= 64;
    /* Four independent chains, each block folded over the 512 bits to the
     * next block of its chain, hide the multiplier's latency. */
    while (n >= 64) {
        a0 = _mm_xor_si128(fold(a0, k512), _mm_loadu_si128((const __m128i *)(const void *)p));
        a1 = _mm_xor_si128(fold(a1, k512),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        a2 = _mm_xor_si128(fold(a2, k512),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        a3 = _mm_xor_si128(fold(a3, k512),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64;
        n -= 64;
    }
    __m128i a = _mm_xor_si128(fold(a0, k128), a1);
    a = _mm_xor_si128(fold(a, k128), a2);
    a = _mm_xor_si128(fold(a, k128), a3);
    while (n >= 16) {
        a = _mm_xor_si128(fold(a, k128), _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        n -= 16;
    }
    /* The block has the remainder of everything so far, so its CRC from 0
     * is theirs. */
    uint8_t rest[16];
    _mm_storeu_si128((__m128i *)(void *)rest, a);
    return crc_slice8(crc_slice8(0, rest, 16), p, n);
}

/* x^e mod P (P = x^16 + x^15 + x^2 + 1, 0x8005 unreflected), bit-reflected
 * into 64 bits: the coefficient of x^d at bit 63 - d. */
static uint64_t xpow_mod_reflected(unsigned e)
{
    uint32_t r = 1;
    while (e--) {
        r <<= 1;
        if (r & 0x10000)
            r ^= 0x18005;
    }
    uint64_t k = 0;
    for (unsigned d = 0; d < 16; d++)
        if (r >> d & 1)
            k |= (uint64_t)1 << (63 - d);
    return k;
}
#endif

static void crc_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint16_t c = (uint16_t)i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (uint16_t)((c >> 1) ^ 0xA001) : (uint16_t)(c >> 1);
        crc_tab[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (uint16_t)((crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xFF]);
#ifdef CRC_CLMUL
    /* Lane 0 (the low 64 bits) holds Ah, lane 1 Al: see fold(). */
    crc_k128[0] = xpow_mod_reflected(128 + 64 - 1);
    crc_k128[1] = xpow_mod_reflected(128 - 1);
    crc_k512[0] = xpow_mod_reflected(512 + 64 - 1);
    crc_k512[1] = xpow_mod_reflected(512 - 1);
    __builtin_cpu_init();
    crc_clmul_ok = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
#endif
}

static void crc_setup(void)
{
    pthread_once(&crc_once, crc_init);
}

uint16_t pl_fit_crc16(uint16_t crc, const void *buf, size_t n)
{
    crc_setup();
#ifdef CRC_CLMUL
    if (n >= CRC_CLMUL_BYTES_MIN && crc_clmul_ok)
        return crc_clmul(crc, buf, n);
#endif
    return crc_slice8(crc, buf, n);
}

/* The portable path alone, for tests that compare both on machines with
 * PCLMULQDQ. */
uint16_t pl__fit_crc16_portable(uint16_t crc, const void *buf, size_t n)
{
    crc_setup();
    return crc_slice8(crc, buf, n);
}

