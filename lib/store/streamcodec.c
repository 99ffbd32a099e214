/*
 * streamcodec.c - one sample stream as a compact blob, and back.
 *
 * The store keeps each stream of an activity (time, heart rate, speed...)
 * as one blob in this encoding; nothing else in libpliant sees it. It is
 * lossless at the step chosen for each stream (lib/store/store.c's table: 1 ms,
 * 1 bpm, 1 mm/s, 1 cm, 1e-7 degree...), keeps absent samples (NaN), costs
 * well under a byte per value on 1 Hz data, and runs at a few nanoseconds
 * per value both ways, so that storing never slows an import down: the
 * figures and the reasoning are in docs/internals/store.md. It is not a
 * general-purpose compressor and knows nothing of SQLite.
 *
 * Each value is quantised to its step, q = round(x / 10^exp10). What is
 * stored is a residual per present sample, taken over present samples only
 * (absent ones are skipped): with q_k the k-th present value, order 1
 * stores q_k - q_{k-1} and order 2 stores (q_k - q_{k-1}) - (q_{k-1} -
 * q_{k-2}), where the values before the first come from two seeds in the
 * header (q_{-1} = seed_q, q_{-1} - q_{-2} = seed_d) that the encoder picks
 * so that the first residuals are 0: a stream's large starting value (a
 * latitude of 4e8 steps) would otherwise widen its whole first block.
 * Residuals are zigzag-mapped to
 * unsigned numbers (0, -1, 1, -2... -> 0, 1, 2, 3...) and bit-packed in
 * blocks of 64 samples at the width of the block's largest one, so a
 * smooth stream (a regular time axis, a steady cadence) costs one byte per
 * block and a noisy one only the bits its noise needs ("frame of
 * reference" packing: Goldstein, Ramakrishnan and Shaft, "Compressing
 * relations and indexes", ICDE 1998).
 *
 * Format, version 1:
 *
 *   byte 0    version, 1
 *   byte 1    order: 1 or 2
 *   byte 2    exp10, two's complement: the step is 10^exp10
 *   varint    n, the number of samples (unsigned LEB128)
 *   varint    zigzag(seed_q)
 *   varint    zigzag(seed_d)
 *   blocks    ceil(n / 64) of them; block b holds samples 64b.. (the last
 *             one m = n - 64b < 64 of them):
 *     byte      width w (bits 0-6, 0..64) | 0x80 when some are absent
 *     bitmap    only with 0x80: ceil(m / 8) bytes, bit j (LSB first) set
 *               when sample j of the block is present; bits past m are 0
 *     packed    the zigzag residuals of the present samples, w bits each,
 *               least significant bit first, in ceil(count * w / 8) bytes
 *   nothing may follow the last block.
 *
 * The encoder chooses the order on the first blocks (both sized) and
 * keeps it for the stream.
 */
#include <math.h>
#include <string.h>

#include "store/streamcodec.h"

#define VERSION 1
#define HEADER_FIXED 3
#define VARINT_BYTES_MAX 10
#define BLOCK 64
#define SOME_ABSENT 0x80
/* Blocks sized both ways to choose the order: enough to tell a smooth
 * signal (distance, position: order 2) from a noisy one (heart rate:
 * order 1), few enough to cost little next to the encoding itself. */
#define ORDER_PROBE_BLOCKS 8
/* The most a block can take: its header, a full bitmap, 64 values of 64
 * bits. */
#define BLOCK_BYTES_MAX (1 + BLOCK / 8 + BLOCK * 8)

/* Exact powers of ten (all below 2^53 are exact doubles). */
static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
_Static_assert(PL_ARRAY_LEN(p10) > -PL_STREAM_EXP10_MIN, "p10 covers the smallest step");
_Static_assert(PL_ARRAY_LEN(p10) > PL_STREAM_EXP10_MAX, "p10 covers the largest step");

static inline uint64_t zigzag(int64_t r)
{
    return ((uint64_t)r << 1) ^ (r < 0 ? UINT64_MAX : 0);
}

static inline int64_t unzigzag(uint64_t u)
{
    uint64_t m = (u >> 1) ^ (0 - (u & 1));
    int64_t r;
    memcpy(&r, &m, sizeof r);      /* two's complement, without UB */
    return r;
}

static inline unsigned width_of(uint64_t v)
{
    return v ? 64 - (unsigned)__builtin_clzll(v) : 0;
}

/* Quantise x at scale (1 / step): false for what is stored as absent (NaN,
 * infinities, beyond +-PL_STREAM_QUANTUM_MAX steps). Rounds half away
 * from zero, as llround does, without its library call. */
static inline bool quantise(double x, double scale, int64_t *q)
{
    double y = x * scale;
    /* One compare: false for NaN as for beyond the range either way. */
    if (!(fabs(y) <= (double)PL_STREAM_QUANTUM_MAX))
        return false;
    /* copysign is y >= 0 ? 0.5 : -0.5 without a compare and blend; for
     * y = -0 it gives -0.5, which truncates to 0 all the same. */
    *q = (int64_t)(y + copysign(0.5, y));
    return true;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

/* The bits of the first m (1..64) samples of a block. */
static inline uint64_t block_mask(unsigned m)
{
    return m == BLOCK ? UINT64_MAX : ((uint64_t)1 << m) - 1;
}

struct enc {
    double scale;
    int order;
    int64_t prev, prev_d;
};

/* The zigzag residuals of the present samples of x[0..m) into u; returns
 * how many, with their presence bitmap and the OR of them all. */
static inline __attribute__((always_inline)) unsigned
block_codes_at(struct enc *e, const double *x, unsigned m, uint64_t *u, uint64_t *present,
               uint64_t *all, const int order)
{
    unsigned k = 0;
    uint64_t absent = 0, acc = 0;
    for (unsigned i = 0; i < m; i++) {
        int64_t q;
        if (!quantise(x[i], e->scale, &q)) {
            /* The rare case keeps the bitmap: nothing per present sample. */
            absent |= (uint64_t)1 << i;
            continue;
        }
        /* |q| <= 2^50, so d is within 2^51 and the residual within 2^52. */
        int64_t d = q - e->prev;
        uint64_t z = zigzag(order == 1 ? d : d - e->prev_d);
        e->prev = q;
        e->prev_d = d;
        u[k++] = z;
        acc |= z;
    }
    *present = block_mask(m) & ~absent;
    *all = acc;
    return k;
}

/* The same, compiled once per order: the order test leaves the loop. */
static unsigned block_codes(struct enc *e, const double *x, unsigned m, uint64_t *u,
                            uint64_t *present, uint64_t *all)
{
    if (e->order == 1)
        return block_codes_at(e, x, m, u, present, all, 1);
    return block_codes_at(e, x, m, u, present, all, 2);
}

/* One block's codes as block_codes() gives them. */
struct coded {
    unsigned k;
    uint64_t present, all;
    uint64_t u[BLOCK];
};

/* block_codes() for both orders in one pass over the samples, each with
 * its own state: the order probe quantises each sample once. */
static void block_codes_both(struct enc *e1, struct enc *e2, const double *x, unsigned m,
                             struct coded *c1, struct coded *c2)
{
    unsigned k = 0;
    uint64_t absent = 0, acc1 = 0, acc2 = 0;
    for (unsigned i = 0; i < m; i++) {
        int64_t q;
        if (!quantise(x[i], e1->scale, &q)) {
            absent |= (uint64_t)1 << i;
            continue;
        }
        int64_t d1 = q - e1->prev, d2 = q - e2->prev;
        uint64_t z1 = zigzag(d1), z2 = zigzag(d2 - e2->prev_d);
        e1->prev = e2->prev = q;
        e1->prev_d = d1;
        e2->prev_d = d2;
        c1->u[k] = z1;
        c2->u[k] = z2;
        k++;
        acc1 |= z1;
        acc2 |= z2;
    }
    c1->k = c2->k = k;
    c1->present = c2->present = block_mask(m) & ~absent;
    c1->all = acc1;
    c2->all = acc2;
}

static size_t block_bytes(unsigned m, unsigned k, unsigned w)
{
    return 1 + (k < m ? (m + 7) / 8 : 0) + ((size_t)k * w + 7) / 8;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *put_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);              /* one store where the bytes are in order */
#else
    for (int b = 0; b < 8; b++)
        p[b] = (uint8_t)(v >> (8 * b));
#endif
    return p + 8;
}

/* k values of w bits (1..64), least significant bit first. */
static uint8_t *pack(uint8_t *p, const uint64_t *u, unsigned k, unsigned w)
{
    uint64_t acc = 0;
    unsigned nb = 0;               /* bits in acc, always < 64 */
    for (unsigned i = 0; i < k; i++) {
        uint64_t v = u[i];
        acc |= v << nb;
        nb += w;
        if (nb >= 64) {
            p = put_le64(p, acc);
            nb -= 64;
            /* The bits of v that did not fit; nb > 0 means the shift is
             * below 64. */
            acc = nb ? v >> (w - nb) : 0;
        }
    }
    for (unsigned b = 0; b < (nb + 7) / 8; b++)
        *p++ = (uint8_t)(acc >> (8 * b));
    return p;
}

int pl__stream_encode(const double *x, size_t n, int exp10, uint8_t **out,
                      size_t *len, struct pl_diag *diag)
{
    *out = NULL;
    *len = 0;
    if (exp10 < PL_STREAM_EXP10_MIN || exp10 > PL_STREAM_EXP10_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "stream step 10^%d is out of range", exp10);
    if (n > PL_ACT_SAMPLES_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "%zu samples, more than the %d a stream may hold",
                        n, PL_ACT_SAMPLES_MAX);
    double scale = exp10 <= 0 ? p10[-exp10] : 1 / p10[exp10];

    /* Seeds that make the first residuals 0: the first present value and
     * the first step between present values. */
    int64_t q0 = 0, q1 = 0, q;
    size_t seen = 0;
    for (size_t i = 0; i < n && seen < 2; i++)
        if (quantise(x[i], scale, &q))
            *(seen++ ? &q1 : &q0) = q;
    int64_t seed_d = seen == 2 ? q1 - q0 : 0;

    /* Choose the order on the first blocks, both coded in one pass and
     * kept: the chosen order's are written as they are, and its state
     * after them is where the rest goes on. */
    struct enc e1 = { scale, 1, q0, 0 }, e2 = { scale, 2, q0 - seed_d, seed_d };
    struct coded probe1[ORDER_PROBE_BLOCKS], probe2[ORDER_PROBE_BLOCKS];
    size_t cost1 = 0, cost2 = 0, probed = 0;
    for (size_t b = 0; b < ORDER_PROBE_BLOCKS && b * BLOCK < n; b++) {
        unsigned m = n - b * BLOCK < BLOCK ? (unsigned)(n - b * BLOCK) : BLOCK;
        block_codes_both(&e1, &e2, x + b * BLOCK, m, &probe1[b], &probe2[b]);
        cost1 += block_bytes(m, probe1[b].k, width_of(probe1[b].all));
        cost2 += block_bytes(m, probe2[b].k, width_of(probe2[b].all));
        probed++;
    }
    bool two = cost2 < cost1;
    struct enc e = two ? e2 : e1;
    const struct coded *probe = two ? probe2 : probe1;
    int64_t seed_prev = two ? q0 - seed_d : q0, seed_prev_d = two ? seed_d : 0;

    /* Write into a buffer of the largest size possible, then give back
     * what was not used: one pass over the samples. */
    size_t nblocks = (n + BLOCK - 1) / BLOCK;
    size_t cap = HEADER_FIXED + 3 * VARINT_BYTES_MAX + nblocks * BLOCK_BYTES_MAX;
    uint8_t *buf = pl__malloc(cap);
    if (!buf)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory encoding a stream");
    buf[0] = VERSION;
    buf[1] = (uint8_t)e.order;
    buf[2] = (uint8_t)(exp10 < 0 ? exp10 + 256 : exp10);
    uint8_t *p = put_varint(buf + HEADER_FIXED, n);
    p = put_varint(p, zigzag(seed_prev));
    p = put_varint(p, zigzag(seed_prev_d));
    struct coded c;
    for (size_t b = 0; b < nblocks; b++) {
        unsigned m = n - b * BLOCK < BLOCK ? (unsigned)(n - b * BLOCK) : BLOCK;
        const struct coded *cb = &c;
        if (b < probed)
            cb = &probe[b];
        else
            c.k = block_codes(&e, x + b * BLOCK, m, c.u, &c.present, &c.all);
        unsigned k = cb->k, w = width_of(cb->all);
        *p++ = (uint8_t)(w | (k < m ? SOME_ABSENT : 0));
        if (k < m)
            for (unsigned j = 0; j < (m + 7) / 8; j++)
                *p++ = (uint8_t)(cb->present >> (8 * j));
        if (w)
            p = pack(p, cb->u, k, w);
    }
    size_t used = (size_t)(p - buf);
    if (used < cap) {
        /* Shrinking cannot need more memory; if it fails anyway the big
         * block is as good. */
        uint8_t *small = pl__realloc(buf, used);
        if (small)
            buf = small;
    }
    *out = buf;
    *len = used;
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */

/* A cursor over the blob; every read checks the end. */
struct cur {
    const uint8_t *p, *start, *end;
};

static uint64_t at(const struct cur *c)
{
    return (uint64_t)(c->p - c->start);
}

static size_t left(const struct cur *c)
{
    return (size_t)(c->end - c->p);
}

static int get_varint(struct cur *c, uint64_t *v, struct pl_diag *diag)
{
    uint64_t at0 = at(c);
    uint64_t x = 0;
    for (unsigned k = 0; k < VARINT_BYTES_MAX; k++) {
        if (c->p == c->end)
            return pl__diag(diag, PL_ETRUNCATED, at0, "stream: varint cut at byte %llu",
                            (unsigned long long)at(c));
        uint8_t b = *c->p++;
        /* The tenth byte holds bit 63 only. */
        if (k == VARINT_BYTES_MAX - 1 && b > 1)
            return pl__diag(diag, PL_EFORMAT, at0, "stream: varint at byte %llu exceeds 64 bits",
                            (unsigned long long)at0);
        x |= (uint64_t)(b & 0x7F) << (7 * k);
        if (!(b & 0x80)) {
            *v = x;
            return PL_OK;
        }
    }
    return pl__diag(diag, PL_EFORMAT, at0, "stream: varint at byte %llu is longer than %d bytes",
                    (unsigned long long)at0, VARINT_BYTES_MAX);
}

static int read_header(struct cur *c, size_t *n, int *order, int *exp10, struct pl_diag *diag)
{
    if (left(c) < HEADER_FIXED)
        return pl__diag(diag, PL_ETRUNCATED, at(c), "stream: %zu bytes, shorter than its header",
                        left(c));
    if (c->p[0] != VERSION)
        return pl__diag(diag, PL_EFORMAT, 0, "stream: unknown encoding version %u", c->p[0]);
    if (c->p[1] != 1 && c->p[1] != 2)
        return pl__diag(diag, PL_EFORMAT, 1, "stream: residual order %u is not 1 or 2", c->p[1]);
    int e = c->p[2] < 128 ? c->p[2] : c->p[2] - 256;
    if (e < PL_STREAM_EXP10_MIN || e > PL_STREAM_EXP10_MAX)
        return pl__diag(diag, PL_EFORMAT, 2, "stream: step 10^%d is out of range", e);
    *order = c->p[1];
    c->p += HEADER_FIXED;
    uint64_t count;
    int rc = get_varint(c, &count, diag);
    if (rc)
        return rc;
    if (count > PL_ACT_SAMPLES_MAX)
        return pl__diag(diag, PL_ELIMIT, HEADER_FIXED, "stream: %llu samples, more than %d",
                        (unsigned long long)count, PL_ACT_SAMPLES_MAX);
    *n = (size_t)count;
    *exp10 = e;
    return PL_OK;
}

int pl__stream_header(const uint8_t *p, size_t len, size_t *n, int *exp10, struct pl_diag *diag)
{
    struct cur c = { p, p, p + len };
    size_t count;
    int order, e;
    int rc = read_header(&c, &count, &order, &e, diag);
    if (rc)
        return rc;
    *n = count;
    *exp10 = e;
    return PL_OK;
}

/* A reader of little-endian bit fields over bytes known to be there. */
struct bits {
    const uint8_t *p;
    uint64_t acc;
    unsigned nb;
};

/* The next w bits, 1 <= w <= 56: refilled a byte at a time, so acc never
 * holds more than 63 bits. */
static inline uint64_t take(struct bits *r, unsigned w)
{
    while (r->nb < w) {
        r->acc |= (uint64_t)*r->p++ << r->nb;
        r->nb += 8;
    }
    uint64_t v = r->acc & (((uint64_t)1 << w) - 1);
    r->acc >>= w;
    r->nb -= w;
    return v;
}

/* k values of w bits (1..64) from ceil(k * w / 8) bytes that the caller
 * checked are there. */
static void unpack(const uint8_t *p, uint64_t *u, unsigned k, unsigned w)
{
    struct bits r = { p, 0, 0 };
    if (w <= 56) {
        for (unsigned i = 0; i < k; i++)
            u[i] = take(&r, w);
        return;
    }
    for (unsigned i = 0; i < k; i++) {
        uint64_t lo = take(&r, 32);
        u[i] = lo | take(&r, w - 32) << 32;
    }
}

/* The next quantised value from residual r; false when it overflows or
 * leaves +-PL_STREAM_QUANTUM_MAX (only a damaged blob does that). */
static inline bool advance(int order, int64_t r, int64_t *prev, int64_t *prev_d)
{
    int64_t d = r, q;
    if (order == 2 && __builtin_add_overflow(*prev_d, r, &d))
        return false;
    if (__builtin_add_overflow(*prev, d, &q) || q > PL_STREAM_QUANTUM_MAX ||
        q < -PL_STREAM_QUANTUM_MAX)
        return false;
    *prev = q;
    *prev_d = d;
    return true;
}

int pl__stream_decode(const uint8_t *p, size_t len, double *x, size_t n, struct pl_diag *diag)
{
    struct cur c = { p, p, p + len };
    size_t count;
    int order, e;
    int rc = read_header(&c, &count, &order, &e, diag);
    if (rc)
        return rc;
    if (count != n)
        return pl__diag(diag, PL_EFORMAT, HEADER_FIXED, "stream: %zu samples where %zu were expected",
                        count, n);
    double div = e < 0 ? p10[-e] : 1, mul = e > 0 ? p10[e] : 1;
    uint64_t seed_q, seed_d;
    if ((rc = get_varint(&c, &seed_q, diag)) || (rc = get_varint(&c, &seed_d, diag)))
        return rc;
    int64_t prev = unzigzag(seed_q), prev_d = unzigzag(seed_d);
    uint64_t u[BLOCK];
    for (size_t b = 0; b * BLOCK < n; b++) {
        unsigned m = n - b * BLOCK < BLOCK ? (unsigned)(n - b * BLOCK) : BLOCK;
        uint64_t block_at = at(&c);
        if (!left(&c))
            return pl__diag(diag, PL_ETRUNCATED, block_at, "stream: block %zu is missing", b);
        unsigned h = *c.p++, w = h & ~SOME_ABSENT;
        if (w > 64)
            return pl__diag(diag, PL_EFORMAT, block_at, "stream: block %zu is %u bits wide", b, w);
        uint64_t present = m == BLOCK ? UINT64_MAX : ((uint64_t)1 << m) - 1;
        if (h & SOME_ABSENT) {
            unsigned nbytes = (m + 7) / 8;
            if (left(&c) < nbytes)
                return pl__diag(diag, PL_ETRUNCATED, at(&c), "stream: block %zu is cut", b);
            uint64_t bits = 0;
            for (unsigned j = 0; j < nbytes; j++)
                bits |= (uint64_t)c.p[j] << (8 * j);
            if (bits & ~present)
                return pl__diag(diag, PL_EFORMAT, at(&c),
                                "stream: block %zu marks samples past its end", b);
            present = bits;
            c.p += nbytes;
        }
        unsigned k = (unsigned)__builtin_popcountll(present);
        size_t need = ((size_t)k * w + 7) / 8;
        if (left(&c) < need)
            return pl__diag(diag, PL_ETRUNCATED, at(&c), "stream: block %zu is cut", b);
        if (w)
            unpack(c.p, u, k, w);
        else
            memset(u, 0, k * sizeof u[0]);
        c.p += need;
        double *y = x + b * BLOCK;
        unsigned idx = 0;
        for (unsigned j = 0; j < m; j++) {
            if (!(present >> j & 1)) {
                y[j] = NAN;
                continue;
            }
            if (!advance(order, unzigzag(u[idx++]), &prev, &prev_d))
                return pl__diag(diag, PL_EFORMAT, block_at,
                                "stream: sample %zu (block at byte %llu) is out of range",
                                b * BLOCK + j, (unsigned long long)block_at);
            y[j] = (double)prev / div * mul;
        }
    }
    if (c.p != c.end)
        return pl__diag(diag, PL_EFORMAT, at(&c), "stream: %zu bytes left after %zu samples",
                        left(&c), n);
    return PL_OK;
}
