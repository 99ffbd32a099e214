/*
 * fit.c - the FIT decoder: a streaming, bounds-checked reader of FIT files.
 *
 * What it is for: turning the bytes of a FIT file (one or several chained
 * FIT segments) into messages of decoded values, in profile units, delivered
 * one by one to a callback. It knows the protocol (file header, record
 * headers, definitions, compressed timestamps, developer fields, CRC) and
 * uses the profile tables (fitprofile.c) for names, scale, offset,
 * components and sub-fields. What it is not: it keeps no messages, builds
 * no activity and prints nothing; callers do that.
 *
 * Source of the format facts: the FIT protocol description in Garmin's FIT
 * SDK ("Flexible and Interoperable Data Transfer (FIT) Protocol", rev 2.x):
 * file header, record header, definition and data messages, compressed
 * timestamp header, base types, developer data, CRC; and the FIT profile
 * 21.217 for messages and fields.
 *
 * Design. Each definition message is compiled once into a plan: one op per
 * field (offset, reader, invalid value, scale, offset, descriptor). A data
 * message is then decoded by walking its ops, with no look-ups. Fields that
 * need more than a number (components, sub-fields, accumulation) mark the
 * plan "slow", and a second pass handles them for that message only.
 *
 * Input is fed in pieces of any size. Whole records are decoded in place;
 * a record split across two pieces is gathered in a carry buffer of at most
 * PL_FIT_MSG_BYTES_MAX bytes, so memory never grows with the file.
 *
 * CRC policy (docs/formats.md): a header CRC of 0 means absent; a wrong
 * header or file CRC is a warning, or an error with PL_FIT_STRICT. Bytes
 * after the last segment that are not a FIT header are a warning (an error
 * with PL_FIT_STRICT). A data size of 0 (a header never finalised by a
 * device that stopped) is decoded to the end of the input, with a warning.
 * Input that ends before the declared data size is PL_ETRUNCATED from
 * pl_fit_decoder_finish(), after every complete message was delivered.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "formats/fitprofile.h"
#include "base/internal.h"

/* ------------------------------------------------------------------ */
/* Base types                                                           */
/* ------------------------------------------------------------------ */

struct base_info {
    const char *name;
    uint8_t size;
    uint64_t invalid;       /* the invalid value, as an unsigned bit pattern */
};

/* FIT protocol, "Base Types": sizes and invalid values. */
static const struct base_info bases[PL_FIT_BASE_COUNT_] = {
    [PL_FIT_ENUM] = { "enum", 1, 0xFF },
    [PL_FIT_SINT8] = { "sint8", 1, 0x7F },
    [PL_FIT_UINT8] = { "uint8", 1, 0xFF },
    [PL_FIT_SINT16] = { "sint16", 2, 0x7FFF },
    [PL_FIT_UINT16] = { "uint16", 2, 0xFFFF },
    [PL_FIT_SINT32] = { "sint32", 4, 0x7FFFFFFF },
    [PL_FIT_UINT32] = { "uint32", 4, 0xFFFFFFFF },
    [PL_FIT_STRING] = { "string", 1, 0x00 },
    [PL_FIT_FLOAT32] = { "float32", 4, 0xFFFFFFFF },
    [PL_FIT_FLOAT64] = { "float64", 8, 0xFFFFFFFFFFFFFFFF },
    [PL_FIT_UINT8Z] = { "uint8z", 1, 0x00 },
    [PL_FIT_UINT16Z] = { "uint16z", 2, 0x0000 },
    [PL_FIT_UINT32Z] = { "uint32z", 4, 0x00000000 },
    [PL_FIT_BYTE] = { "byte", 1, 0xFF },
    [PL_FIT_SINT64] = { "sint64", 8, 0x7FFFFFFFFFFFFFFF },
    [PL_FIT_UINT64] = { "uint64", 8, 0xFFFFFFFFFFFFFFFF },
    [PL_FIT_UINT64Z] = { "uint64z", 8, 0x0000000000000000 },
};

const char *pl_fit_base_name(unsigned base)
{
    return base < PL_FIT_BASE_COUNT_ ? bases[base].name : NULL;
}

unsigned pl_fit_base_size(unsigned base)
{
    return base < PL_FIT_BASE_COUNT_ ? bases[base].size : 0;
}

/* ------------------------------------------------------------------ */
/* CRC                                                                  */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Bounds-checked little/big-endian loads (callers check the length)    */
/* ------------------------------------------------------------------ */

static inline uint16_t ld16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t ld32(const uint8_t *p, bool be)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return be ? __builtin_bswap32(v) : v;
}

static inline uint64_t ld64(const uint8_t *p, bool be)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return be ? __builtin_bswap64(v) : v;
}

/* Read one element of a base type: the raw bit pattern (for the invalid
 * test and 64-bit exactness) and its numeric value. */
static inline __attribute__((always_inline)) double elem(unsigned base, const uint8_t *p, bool be,
                                                        uint64_t *raw)
{
    switch (base) {
    case PL_FIT_SINT8:
        *raw = p[0];
        return (int8_t)p[0];
    case PL_FIT_ENUM:
    case PL_FIT_UINT8:
    case PL_FIT_UINT8Z:
    case PL_FIT_BYTE:
    case PL_FIT_STRING:
        *raw = p[0];
        return p[0];
    case PL_FIT_SINT16: {
        uint16_t v = ld16(p, be);
        *raw = v;
        return (int16_t)v;
    }
    case PL_FIT_UINT16:
    case PL_FIT_UINT16Z:
        *raw = ld16(p, be);
        return (double)*raw;
    case PL_FIT_SINT32: {
        uint32_t v = ld32(p, be);
        *raw = v;
        return (int32_t)v;
    }
    case PL_FIT_UINT32:
    case PL_FIT_UINT32Z:
        *raw = ld32(p, be);
        return (double)*raw;
    case PL_FIT_FLOAT32: {
        uint32_t v = ld32(p, be);
        float f;
        memcpy(&f, &v, 4);
        *raw = v;
        return f;
    }
    case PL_FIT_FLOAT64: {
        uint64_t v = ld64(p, be);
        double f;
        memcpy(&f, &v, 8);
        *raw = v;
        return f;
    }
    case PL_FIT_SINT64: {
        uint64_t v = ld64(p, be);
        *raw = v;
        return (double)(int64_t)v;
    }
    default: /* UINT64, UINT64Z */
        *raw = ld64(p, be);
        return (double)*raw;
    }
}

/* ------------------------------------------------------------------ */
/* Compiled definitions                                                 */
/* ------------------------------------------------------------------ */

/* The hot loop writes kind, base and count of a value as one 32-bit word. */
_Static_assert(offsetof(struct pl_fit_value, base) == offsetof(struct pl_fit_value, kind) + 1 &&
                   offsetof(struct pl_fit_value, count) == offsetof(struct pl_fit_value, kind) + 2 &&
                   sizeof(((struct pl_fit_value *)0)->count) == 2,
               "pl_fit_value layout");

enum op_kind {
    OP_NUM,     /* one number */
    OP_ARRAY,   /* several numbers of the same base type */
    OP_STRING,
    OP_BYTES,   /* kept raw: size not a multiple of the base size, or an
                   unknown base type */
};

/* The hot loop's readers: one per base type and byte order for single
 * numbers, so a data message costs one switch per field. */
enum reader {
    R_U8, R_S8, R_U16, R_S16, R_U32, R_S32, R_U16B, R_S16B, R_U32B, R_S32B,
    R_OTHER_NUM,   /* floats and 64-bit types, through elem() */
    R_ARRAY, R_STRING, R_BYTES, R_SKIP,
};

/* Op flags. */
#define OPF_SCALE 0x01     /* apply scale and offset */
#define OPF_SLOW 0x02      /* components, sub-fields or accumulation */
#define OPF_TIMESTAMP 0x04 /* field 253: remember as the last timestamp */
#define OPF_ACCUM 0x08     /* an accumulated field: reseeds the accumulator */

struct op {
    uint16_t off;           /* offset of the field in the message's data */
    uint8_t size;           /* bytes */
    uint8_t base;           /* base type as written */
    uint8_t kind;           /* enum op_kind */
    uint8_t rd;             /* enum reader: how the hot loop reads it */
    uint8_t flags;
    uint16_t count;         /* elements (OP_NUM: 1) */
    uint32_t vhdr;          /* kind, base and count of a one-number value,
                               as laid out in struct pl_fit_value */
    uint64_t invalid;
    double scale, offset;
    const struct pl_fit_field *field;
    const struct pl_fit_field_info *info;  /* NULL when not in the profile */
};

static uint8_t reader_for(const struct op *o, bool be)
{
    if (o->kind == OP_ARRAY)
        return R_ARRAY;
    if (o->kind == OP_STRING)
        return R_STRING;
    if (o->kind == OP_BYTES)
        return o->size ? R_BYTES : R_SKIP;
    switch (o->base) {
    case PL_FIT_ENUM: case PL_FIT_UINT8: case PL_FIT_UINT8Z: case PL_FIT_BYTE:
        return R_U8;
    case PL_FIT_SINT8:
        return R_S8;
    case PL_FIT_UINT16: case PL_FIT_UINT16Z:
        return be ? R_U16B : R_U16;
    case PL_FIT_SINT16:
        return be ? R_S16B : R_S16;
    case PL_FIT_UINT32: case PL_FIT_UINT32Z:
        return be ? R_U32B : R_U32;
    case PL_FIT_SINT32:
        return be ? R_S32B : R_S32;
    default:
        return R_OTHER_NUM;
    }
}

/* A developer field in a definition. The description is looked up by
 * (dev_index, num) per message, since a field_description may come or
 * change after the definition. */
struct devop {
    uint16_t off;
    uint8_t size;
    uint8_t dev_index;
    uint8_t num;
    struct pl_fit_field undescribed;  /* used while no description exists */
};

/* A compiled component of a one-element field whose expansion needs no
 * state: bits [shift, shift + bits) of the source become the target. Most
 * record messages need only these (speed -> enhanced_speed, altitude ->
 * enhanced_altitude), so they run without the general slow pass. */
struct xop {
    uint16_t src;           /* op index of the source field */
    int16_t native;         /* op index of the target in the same message,
                               or -1 */
    uint8_t shift;
    uint64_t mask;
    double scale, offset;   /* the component's */
    double tscale, toffset; /* the target's, for its invalid test */
    double tinvalid;
    const struct pl_fit_field *target;
};

/* An accumulated field present natively: its value seeds an accumulator. */
struct seed {
    uint16_t op;
    uint8_t accum;          /* index into the decoder's accum table */
    double cscale, coffset; /* the feeding component's scale and offset */
};

struct fdef {
    bool defined;
    bool be;                /* big-endian data */
    bool slow;              /* needs the general slow pass */
    uint16_t global;
    const struct pl_fit_msg_info *mi;
    uint32_t size;          /* bytes of data after the record header */
    uint16_t nops, ndev;
    struct op *ops;
    struct devop *devops;
    struct pl_fit_field *unknown;   /* descriptors of unknown fields */
    struct xop *xops;       /* simple components, when !slow */
    uint16_t nxops;
    int16_t ts_op;          /* op index of a uint32 timestamp (253), or -1 */
    struct seed seeds[4];   /* accumulated fields present natively */
    uint8_t nseeds;
    uint32_t nums_max;      /* numbers this message may need */
    uint32_t values_max;
};

/* A developer field description (from field_description, message 206). */
struct devfield {
    struct pl_fit_field pub;
    uint8_t base;
    double scale, offset;   /* NaN when absent */
    bool array;
    char *name_buf, *units_buf;
};

/* Accumulated component targets (FIT protocol, "Accumulated fields"):
 * per (message, field), the running value and the last raw value. */
struct accum {
    uint16_t global;
    uint8_t field;
    bool used;
    uint64_t value, last;
};

#define ACCUM_MAX 32

enum state {
    ST_HEADER,      /* expecting a file header */
    ST_RECORDS,     /* inside the data of a segment */
    ST_CRC,         /* expecting the 2-byte file CRC */
    ST_TRAILING,    /* bytes after the last segment that are not FIT */
    ST_ERROR,
};

struct pl_fit_decoder {
    struct pl_fit_handler h;
    unsigned options;
    enum state st;
    int err;                    /* the sticky error after ST_ERROR */
    struct pl_diag err_diag;

    uint64_t pos;               /* absolute offset of the next byte */
    uint64_t seg_start;
    uint64_t data_end;          /* absolute end of the segment's data */
    bool size_unknown;          /* header data size 0: decode to the end */
    bool finishing;             /* in finish: held-back records may go */
    uint8_t segment;
    bool any_segment;
    uint16_t crc;               /* running CRC of the segment */
    uint32_t last_ts;           /* last full timestamp (for compressed) */
    bool have_ts;
    unsigned warnings;

    struct fdef defs[16];

    struct devfield *dev;       /* developer field descriptions */
    uint32_t ndev, devcap;
    bool dev_index_known[PL_FIT_DEV_INDEX_MAX];

    struct accum accum[ACCUM_MAX];

    /* Output buffers, grown to the largest definition's needs. */
    struct pl_fit_value *vals;
    uint32_t valcap;
    double *nums;
    uint32_t numcap;

    /* Carry-over for a record split across feeds. */
    uint8_t *carry;
    uint32_t carry_len;
};

/* The descriptor of a compressed timestamp when a message's profile has no
 * timestamp field (unknown messages). */
static const struct pl_fit_field generic_timestamp = {
    .name = "timestamp", .units = "s", .num = 253, .type = PL_FIT_TYPE_NONE,
    .show = PL_FIT_SHOW_DATE_TIME, .base = PL_FIT_UINT32,
};

static void warn(struct pl_fit_decoder *d, int code, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(struct pl_fit_decoder *d, int code, uint64_t off, const char *fmt, ...)
{
    if (++d->warnings > PL_FIT_WARNINGS_MAX || !d->h.on_warning)
        return;
    struct pl_diag w;
    pl_diag_clear(&w);
    w.code = code;
    w.offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w.msg, sizeof w.msg, fmt, ap);
    va_end(ap);
    if (d->warnings == PL_FIT_WARNINGS_MAX)
        snprintf(w.msg + strlen(w.msg), sizeof w.msg - strlen(w.msg),
                 " (further warnings not reported)");
    d->h.on_warning(d->h.ctx, &w);
}

/* Enter the error state; returns the code. */
static int fail(struct pl_fit_decoder *d, struct pl_diag *diag, int code, uint64_t off,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct pl_fit_decoder *d, struct pl_diag *diag, int code, uint64_t off,
                const char *fmt, ...)
{
    pl_diag_clear(&d->err_diag);
    d->err_diag.code = code;
    d->err_diag.offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err_diag.msg, sizeof d->err_diag.msg, fmt, ap);
    va_end(ap);
    d->st = ST_ERROR;
    d->err = code;
    if (diag)
        *diag = d->err_diag;
    return code;
}

static void fdef_release(struct fdef *f)
{
    pl__free(f->xops);
    pl__free(f->ops);
    pl__free(f->devops);
    pl__free(f->unknown);
    memset(f, 0, sizeof *f);
}

static void reset_segment_state(struct pl_fit_decoder *d)
{
    for (int i = 0; i < 16; i++)
        fdef_release(&d->defs[i]);
    for (uint32_t i = 0; i < d->ndev; i++) {
        pl__free(d->dev[i].name_buf);
        pl__free(d->dev[i].units_buf);
    }
    d->ndev = 0;
    memset(d->dev_index_known, 0, sizeof d->dev_index_known);
    memset(d->accum, 0, sizeof d->accum);
    d->have_ts = false;
    d->last_ts = 0;
}

struct pl_fit_decoder *pl_fit_decoder_new(const struct pl_fit_handler *h, unsigned options)
{
    struct pl_fit_decoder *d = pl__calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (h)
        d->h = *h;
    d->options = options;
    d->st = ST_HEADER;
    crc_setup();
    return d;
}

void pl_fit_decoder_free(struct pl_fit_decoder *d)
{
    if (!d)
        return;
    reset_segment_state(d);
    pl__free(d->dev);
    pl__free(d->vals);
    pl__free(d->nums);
    pl__free(d->carry);
    pl__free(d);
}

/* Make room for a definition's worst case. */
static int reserve_out(struct pl_fit_decoder *d, uint32_t values, uint32_t nums)
{
    if (values > d->valcap) {
        struct pl_fit_value *v = pl__realloc(d->vals, (size_t)values * sizeof *v);
        if (!v)
            return PL_ENOMEM;
        d->vals = v;
        d->valcap = values;
    }
    if (nums > d->numcap) {
        double *n = pl__realloc(d->nums, (size_t)nums * sizeof *n);
        if (!n)
            return PL_ENOMEM;
        d->nums = n;
        d->numcap = nums;
    }
    return 0;
}

/* Count the values and numbers component expansion may add for a field,
 * following targets that have components themselves (bounded depth: the
 * profile has no cycles, hostile input cannot add any). */
static void count_expansion(const struct pl_fit_msg_info *mi, const struct pl_fit_component *c,
                            unsigned nc, int depth, uint32_t *values, uint32_t *nums)
{
    if (depth > 4)
        return;
    for (unsigned j = 0; j < nc; j++) {
        /* An array target grows by copying: budget nc numbers a push. */
        *values += 1;
        *nums += nc + 1;
        const struct pl_fit_field_info *t = pl__fit_field_info(mi, c[j].target);
        if (t && t->ncomponents)
            count_expansion(mi, t->components, t->ncomponents, depth + 1, values, nums);
    }
}

static struct accum *accum_slot(struct pl_fit_decoder *d, uint16_t global, uint8_t field)
{
    for (int i = 0; i < ACCUM_MAX; i++)
        if (d->accum[i].used && d->accum[i].global == global && d->accum[i].field == field)
            return &d->accum[i];
    for (int i = 0; i < ACCUM_MAX; i++)
        if (!d->accum[i].used) {
            d->accum[i] = (struct accum){ .global = global, .field = field, .used = true };
            return &d->accum[i];
        }
    return NULL;
}

/* True when op's components can run as xops: a one-element field with
 * components only (no sub-fields, no accumulation), each component to a
 * different target that has no components of its own. */
static bool simple_components(const struct fdef *f, const struct op *o)
{
    const struct pl_fit_field_info *fi = o->info;
    if (!fi || o->kind != OP_NUM || fi->nsubfields || fi->accumulated)
        return false;
    if (fi->pub.show != PL_FIT_SHOW_NUMBER && fi->pub.type != PL_FIT_TYPE_NONE)
        return true; /* the profile expands no components of named types */
    unsigned ebits = bases[fi->pub.base < PL_FIT_BASE_COUNT_ ? fi->pub.base : PL_FIT_BYTE].size * 8u;
    unsigned at = 0;
    for (unsigned j = 0; j < fi->ncomponents; j++) {
        const struct pl_fit_component *c = &fi->components[j];
        const struct pl_fit_field_info *t = pl__fit_field_info(f->mi, c->target);
        if (c->accumulate || !t || t->ncomponents || c->bits == 0 || at + c->bits > ebits)
            return false;
        for (unsigned k = 0; k < j; k++)
            if (fi->components[k].target == c->target)
                return false;
        at += c->bits;
    }
    return true;
}

/* Turn the slow ops of a definition into xops when all of them are
 * simple; leaves f->slow set otherwise. False when out of memory. */
static bool compile_simple_components(struct fdef *f)
{
    unsigned n = 0;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct op *o = &f->ops[i];
        if (!(o->flags & OPF_SLOW))
            continue;
        if (!simple_components(f, o))
            return true; /* stays on the general path */
        if (o->info->pub.show == PL_FIT_SHOW_NUMBER || o->info->pub.type == PL_FIT_TYPE_NONE)
            n += o->info->ncomponents;
    }
    f->xops = pl__calloc(n ? n : 1, sizeof *f->xops);
    if (!f->xops)
        return false;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct op *o = &f->ops[i];
        const struct pl_fit_field_info *fi = o->info;
        if (!(o->flags & OPF_SLOW) ||
            !(fi->pub.show == PL_FIT_SHOW_NUMBER || fi->pub.type == PL_FIT_TYPE_NONE))
            continue;
        unsigned shift = 0;
        for (unsigned j = 0; j < fi->ncomponents; j++) {
            const struct pl_fit_component *c = &fi->components[j];
            const struct pl_fit_field_info *t = pl__fit_field_info(f->mi, c->target);
            unsigned tb = t->pub.base < PL_FIT_BASE_COUNT_ ? t->pub.base : PL_FIT_BYTE;
            struct xop *x = &f->xops[f->nxops++];
            x->src = (uint16_t)i;
            x->native = -1;
            for (unsigned k = 0; k < f->nops; k++)
                if (f->ops[k].info == t)
                    x->native = (int16_t)k;
            x->shift = (uint8_t)shift;
            x->mask = c->bits >= 64 ? UINT64_MAX : ((uint64_t)1 << c->bits) - 1;
            x->scale = c->scale;
            x->offset = c->offset;
            x->tscale = t->scale;
            x->toffset = t->offset;
            x->tinvalid = (double)bases[tb].invalid;
            x->target = &t->pub;
            shift += c->bits;
        }
    }
    f->slow = false;
    return true;
}

/* Compile a definition message into a plan. p points at the reserved byte
 * (after the record header); n bytes are available and were checked to hold
 * the whole definition. */
static int compile_def(struct pl_fit_decoder *d, uint8_t local, bool has_dev, const uint8_t *p,
                       uint64_t off, struct pl_diag *diag)
{
    struct fdef nf = { 0 };
    nf.be = p[1] == 1;
    if (p[1] > 1)
        warn(d, PL_EFORMAT, off + 2, "definition architecture byte is %u, expected 0 or 1; read as little-endian", p[1]);
    nf.global = ld16(p + 2, nf.be);
    uint8_t nfields = p[4];
    const uint8_t *fp = p + 5;
    const uint8_t *dp = fp + 3 * nfields;
    uint8_t ndev = has_dev ? dp[0] : 0;
    dp += has_dev ? 1 : 0;

    nf.mi = pl__fit_msg_info(nf.global);
    nf.defined = true;
    int rc = PL_ENOMEM;
    nf.ops = pl__calloc(nfields ? nfields : 1, sizeof *nf.ops);
    nf.devops = pl__calloc(ndev ? ndev : 1, sizeof *nf.devops);
    nf.unknown = pl__calloc(nfields ? nfields : 1, sizeof *nf.unknown);
    if (!nf.ops || !nf.devops || !nf.unknown)
        goto out;

    uint32_t values = 1 /* compressed timestamp */, nums = 0;
    uint32_t at = 0;
    for (unsigned i = 0; i < nfields; i++) {
        uint8_t num = fp[3 * i], size = fp[3 * i + 1], bt = fp[3 * i + 2];
        struct op *o = &nf.ops[nf.nops++];
        o->off = (uint16_t)at;
        o->size = size;
        at += size;
        unsigned base = bt & 0x1F;
        /* Bits 5-6 are reserved and bit 7 is the endian flag (FIT protocol,
         * "Base Type" byte); a base type number past the table is unknown. */
        const struct pl_fit_field_info *fi = nf.mi ? pl__fit_field_info(nf.mi, num) : NULL;
        o->info = fi;
        if (fi) {
            o->field = &fi->pub;
        } else {
            struct pl_fit_field *u = &nf.unknown[i];
            u->name = NULL;
            u->units = "";
            u->num = num;
            u->type = PL_FIT_TYPE_NONE;
            u->show = base == PL_FIT_STRING ? PL_FIT_SHOW_STRING : PL_FIT_SHOW_NUMBER;
            u->flags = PL_FIT_F_UNKNOWN;
            u->base = base < PL_FIT_BASE_COUNT_ ? (uint8_t)base : PL_FIT_BYTE;
            o->field = u;
        }
        values++;
        if (size == 0) {
            o->kind = OP_BYTES; /* zero-size fields carry nothing: skipped */
            o->count = 0;
            continue;
        }
        if (base >= PL_FIT_BASE_COUNT_) {
            warn(d, PL_EUNSUPPORTED, off + 6 + 3 * i,
                 "field %u of message %u has unknown base type 0x%02x; kept as raw bytes", num,
                 nf.global, bt);
            o->kind = OP_BYTES;
            o->base = PL_FIT_BYTE;
            o->count = 1;
            continue;
        }
        o->base = (uint8_t)base;
        unsigned bsize = bases[base].size;
        o->invalid = bases[base].invalid;
        if (base == PL_FIT_STRING) {
            o->kind = OP_STRING;
            o->count = 1;
        } else if (size % bsize) {
            warn(d, PL_EFORMAT, off + 6 + 3 * i,
                 "field %u of message %u is %u bytes, not a multiple of its base type %s; kept as raw bytes",
                 num, nf.global, size, bases[base].name);
            o->kind = OP_BYTES;
            o->count = 1;
        } else {
            o->count = (uint16_t)(size / bsize);
            o->kind = o->count == 1 ? OP_NUM : OP_ARRAY;
            nums += o->count;
        }
        if (num == 253 && o->kind == OP_NUM && base == PL_FIT_UINT32)
            o->flags |= OPF_TIMESTAMP;
        o->scale = 1;
        o->offset = 0;
        if (fi && !(d->options & PL_FIT_RAW)) {
            if (fi->pub.show == PL_FIT_SHOW_NUMBER && fi->single_scale &&
                (fi->scale != 1 || fi->offset != 0)) {
                o->flags |= OPF_SCALE;
                o->scale = fi->scale;
                o->offset = fi->offset;
            }
            if (fi->ncomponents || fi->nsubfields || fi->accumulated)
                o->flags |= OPF_SLOW;
            if (fi->accumulated)
                o->flags |= OPF_ACCUM;
            if (fi->ncomponents)
                count_expansion(nf.mi, fi->components, fi->ncomponents, 0, &values, &nums);
            for (unsigned s = 0; s < fi->nsubfields; s++) {
                values++;
                nums += o->count;
                count_expansion(nf.mi, fi->subfields[s].components, fi->subfields[s].ncomponents,
                                0, &values, &nums);
            }
        }
        if (o->flags & OPF_SLOW)
            nf.slow = true;
    }
    for (unsigned i = 0; i < ndev; i++) {
        struct devop *o = &nf.devops[nf.ndev++];
        o->num = dp[3 * i];
        o->size = dp[3 * i + 1];
        o->dev_index = dp[3 * i + 2];
        o->off = (uint16_t)at;
        at += o->size;
        o->undescribed = (struct pl_fit_field){
            .units = "", .num = o->num, .type = PL_FIT_TYPE_NONE, .show = PL_FIT_SHOW_NUMBER,
            .flags = PL_FIT_F_DEV | PL_FIT_F_UNKNOWN, .dev_index = o->dev_index, .base = PL_FIT_BYTE,
        };
        values++;
        nums += o->size; /* at most one number per byte */
    }
    /* A native value of an accumulated field (record.distance,
     * hr.event_timestamp) seeds the accumulator that the field's component
     * source (compressed_speed_distance, event_timestamp_12) adds to, in
     * that component's units (FIT protocol, "Accumulated fields"). This is
     * a cheap step after the plain fields, not a reason for the slow
     * pass. */
    nf.slow = false;
    for (unsigned i = 0; i < nf.nops; i++) {
        struct op *o = &nf.ops[i];
        if (o->flags & OPF_ACCUM) {
            const struct pl_fit_component *feed = NULL;
            for (unsigned k = 0; k < nf.mi->nfields && !feed; k++) {
                const struct pl_fit_field_info *src = &nf.mi->fields[k];
                for (unsigned c = 0; c < src->ncomponents && !feed; c++)
                    if (src->components[c].target == o->field->num && src->components[c].accumulate)
                        feed = &src->components[c];
            }
            struct accum *a = feed ? accum_slot(d, nf.global, (uint8_t)o->field->num) : NULL;
            if (a && nf.nseeds < PL_ARRAY_LEN(nf.seeds)) {
                nf.seeds[nf.nseeds++] = (struct seed){
                    .op = (uint16_t)i, .accum = (uint8_t)(a - d->accum),
                    .cscale = feed->scale, .coffset = feed->offset,
                };
            }
            o->flags &= (uint8_t)~OPF_ACCUM;
            if (!o->info->ncomponents && !o->info->nsubfields)
                o->flags &= (uint8_t)~OPF_SLOW;
        }
        nf.slow |= (o->flags & OPF_SLOW) != 0;
    }
    nf.ts_op = -1;
    for (unsigned i = 0; i < nf.nops; i++) {
        struct pl_fit_value hdr = { .kind = PL_FIT_K_NUMBER, .base = nf.ops[i].base, .count = 1 };
        memcpy(&nf.ops[i].vhdr, &hdr.kind, sizeof nf.ops[i].vhdr);
        nf.ops[i].rd = reader_for(&nf.ops[i], nf.be);
        /* A field number given twice in one definition (some writers
         * repeat lap avg_speed): the last one wins, as in the official
         * SDK, so a message never carries two values for one field. */
        for (unsigned k = i + 1; k < nf.nops; k++)
            if (nf.ops[k].field->num == nf.ops[i].field->num) {
                nf.ops[i].rd = R_SKIP;
                nf.ops[i].flags = 0;
                break;
            }
        if (nf.ops[i].flags & OPF_TIMESTAMP)
            nf.ts_op = (int16_t)i;
    }
    if (nf.slow && !compile_simple_components(&nf)) {
        rc = PL_ENOMEM;
        goto out;
    }
    nf.size = at;
    nf.values_max = values;
    nf.nums_max = nums;
    /* Developer fields in a definition whose index was never declared are
     * kept raw (and said once here). */
    for (unsigned i = 0; i < nf.ndev; i++)
        if (!d->dev_index_known[nf.devops[i].dev_index])
            warn(d, PL_EFORMAT, off, "definition of message %u uses developer data index %u, which no developer_data_id declared; its fields are kept raw",
                 nf.global, nf.devops[i].dev_index);
    rc = reserve_out(d, values, nums);
    if (rc)
        goto out;
    fdef_release(&d->defs[local]);
    d->defs[local] = nf;
    return 0;
out:
    fdef_release(&nf);
    return fail(d, diag, rc, off, "out of memory compiling a definition");
}

/* ------------------------------------------------------------------ */
/* Developer data                                                       */
/* ------------------------------------------------------------------ */

static const struct devfield *dev_find(const struct pl_fit_decoder *d, uint8_t index, uint8_t num)
{
    for (uint32_t i = d->ndev; i-- > 0;)
        if (d->dev[i].pub.dev_index == index && d->dev[i].pub.num == num)
            return &d->dev[i];
    return NULL;
}

/* A copy of a string value (NUL-terminated, at most n bytes). */
static char *dup_bytes(const uint8_t *p, size_t n)
{
    size_t len = strnlen((const char *)p, n);
    char *s = pl__malloc(len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = 0;
    }
    return s;
}

/* A single number in [0, max], whatever base type the file gave it (a
 * hostile file may declare a one-byte field as a float). */
static bool small_uint(const struct pl_fit_value *v, uint32_t max, uint32_t *out)
{
    if (!v || v->kind != PL_FIT_K_NUMBER || v->count != 1)
        return false;
    double x = v->u.num;
    if (!(x >= 0 && x <= max))
        return false;
    *out = (uint32_t)x;
    return true;
}

/* Learn from developer_data_id (207) and field_description (206). Values
 * are taken from the decoded message (raw; these messages are not scaled). */
static int learn_dev(struct pl_fit_decoder *d, const struct pl_fit_msg *m, struct pl_diag *diag)
{
    uint32_t index32, num32, base32;
    if (m->global == 207) {
        if (small_uint(pl_fit_msg_find(m, 3), 254, &index32))
            d->dev_index_known[index32] = true;
        return 0;
    }
    if (!small_uint(pl_fit_msg_find(m, 0), 254, &index32) ||
        !small_uint(pl_fit_msg_find(m, 1), 255, &num32) ||
        !small_uint(pl_fit_msg_find(m, 2), 255, &base32))
        return 0; /* incomplete or out of range: nothing to learn */
    uint8_t index = (uint8_t)index32, num = (uint8_t)num32;
    unsigned base = base32 & 0x1F;
    /* A description refers to a developer_data_id by its index (FIT
     * protocol, "Developer Data"); for an index never declared it
     * describes nothing, and that developer's fields stay raw. */
    if (!d->dev_index_known[index])
        return 0;
    struct devfield *f = (struct devfield *)dev_find(d, index, num);
    bool fresh = f == NULL;
    if (!f) {
        if (d->ndev >= PL_FIT_DEV_FIELDS_MAX) {
            warn(d, PL_ELIMIT, m->offset, "more than %d developer field descriptions; this one is ignored",
                 PL_FIT_DEV_FIELDS_MAX);
            return 0;
        }
        if (d->ndev == d->devcap) {
            uint32_t cap = d->devcap ? d->devcap * 2 : 16;
            struct devfield *nd = pl__realloc(d->dev, cap * sizeof *nd);
            if (!nd)
                return fail(d, diag, PL_ENOMEM, m->offset, "out of memory");
            d->dev = nd;
            d->devcap = cap;
        }
        f = &d->dev[d->ndev++];
        memset(f, 0, sizeof *f);
    } else {
        pl__free(f->name_buf);
        pl__free(f->units_buf);
        f->name_buf = f->units_buf = NULL;
    }
    f->pub.dev_index = index;
    f->pub.num = num;
    f->pub.type = PL_FIT_TYPE_NONE;
    f->pub.flags = PL_FIT_F_DEV;
    f->base = base < PL_FIT_BASE_COUNT_ ? (uint8_t)base : PL_FIT_BYTE;
    f->pub.base = f->base;
    f->pub.show = base == PL_FIT_STRING ? PL_FIT_SHOW_STRING : PL_FIT_SHOW_NUMBER;
    const struct pl_fit_value *name = pl_fit_msg_find(m, 3), *units = pl_fit_msg_find(m, 8),
                              *scale = pl_fit_msg_find(m, 6), *offs = pl_fit_msg_find(m, 7),
                              *arr = pl_fit_msg_find(m, 4);
    if (name && name->kind == PL_FIT_K_STRING)
        f->name_buf = dup_bytes(name->u.bytes.p, name->u.bytes.n);
    if (units && units->kind == PL_FIT_K_STRING)
        f->units_buf = dup_bytes(units->u.bytes.p, units->u.bytes.n);
    if ((name && name->kind == PL_FIT_K_STRING && !f->name_buf) ||
        (units && units->kind == PL_FIT_K_STRING && !f->units_buf)) {
        /* Keep the table consistent: a new entry (the last) goes; one
         * described again stays, with nothing left to free twice. */
        pl__free(f->name_buf);
        pl__free(f->units_buf);
        f->name_buf = f->units_buf = NULL;
        f->pub.name = NULL;
        f->pub.units = "";
        if (fresh)
            d->ndev--;
        return fail(d, diag, PL_ENOMEM, m->offset, "out of memory");
    }
    f->pub.name = f->name_buf;
    f->pub.units = f->units_buf ? f->units_buf : "";
    if (!f->name_buf)
        f->pub.flags |= PL_FIT_F_UNKNOWN;
    double sc = pl_fit_value_num(scale), of = pl_fit_value_num(offs);
    f->scale = isfinite(sc) && sc != 0 ? sc : 1;
    f->offset = isfinite(of) ? of : 0;
    f->array = pl_fit_value_num(arr) > 0;
    if (f->array)
        f->pub.flags |= PL_FIT_F_ARRAY;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding a data message                                              */
/* ------------------------------------------------------------------ */

struct out {
    struct pl_fit_value *v;
    uint32_t n, cap;
    double *nums;
    uint32_t nn, numcap;
};

/* Decode `count` elements of a numeric field into out (scaled); returns
 * false when every element is invalid (the field is absent). */
static bool decode_numbers(struct out *o, struct pl_fit_value *v, unsigned base, const uint8_t *p,
                           unsigned count, bool be, uint64_t invalid, double scale, double offset,
                           bool scaled)
{
    unsigned bsize = bases[base].size;
    if (count == 1) {
        uint64_t raw;
        double x = elem(base, p, be, &raw);
        if (raw == invalid)
            return false;
        v->u.num = scaled ? x / scale - offset : x;
        v->raw64 = raw;
        v->count = 1;
        return true;
    }
    double *dst = o->nums + o->nn;
    bool any = false;
    for (unsigned i = 0; i < count; i++) {
        uint64_t raw;
        double x = elem(base, p + i * bsize, be, &raw);
        /* The invalid value marks an absent element, except in byte arrays,
         * where 0xFF is data unless every byte is 0xFF. */
        if (raw == invalid && base != PL_FIT_BYTE) {
            dst[i] = NAN;
        } else {
            dst[i] = scaled ? x / scale - offset : x;
            any |= raw != invalid;
        }
    }
    if (!any)
        return false;
    o->nn += count;
    v->u.nums = dst;
    v->count = (uint16_t)count;
    elem(base, p, be, &v->raw64); /* the first element's, as pl_fit_value_num() */
    return true;
}

static void set_bytes(struct pl_fit_value *v, const uint8_t *p, uint32_t n, uint8_t kind)
{
    v->kind = kind;
    v->count = 1;
    v->u.bytes.p = p;
    v->u.bytes.n = n;
    v->raw64 = 0; /* never left over from an earlier message */
}

/* A string field: bytes up to the first NUL. Absent when every byte is
 * NUL (FIT protocol: the invalid string value is 0x00). */
static bool decode_string(struct pl_fit_value *v, const uint8_t *p, uint32_t n)
{
    uint32_t len = (uint32_t)strnlen((const char *)p, n);
    if (len == 0) {
        uint32_t i = 0;
        while (i < n && p[i] == 0)
            i++;
        if (i == n)
            return false;
    }
    set_bytes(v, p, len, PL_FIT_K_STRING);
    return true;
}

/* A developer string field may hold several NUL-separated strings (the
 * FIT SDK's own example file does): keep all of them, up to the last
 * non-NUL byte. Callers split at NULs. */
static bool decode_strings(struct pl_fit_value *v, const uint8_t *p, uint32_t n)
{
    uint32_t len = n;
    while (len > 0 && p[len - 1] == 0)
        len--;
    if (len == 0)
        return false;
    set_bytes(v, p, len, PL_FIT_K_STRING);
    return true;
}

/* The raw integer of a field's first element, for sub-field references
 * and accumulation. */
static bool op_raw(const struct op *o, const uint8_t *data, bool be, uint64_t *raw)
{
    if (o->kind != OP_NUM && o->kind != OP_ARRAY)
        return false;
    elem(o->base, data + o->off, be, raw);
    return *raw != o->invalid;
}


/* Find an output value for a profile field (not expanded/sub-field). */
static struct pl_fit_value *out_find(struct out *o, uint32_t from, const struct pl_fit_field *f)
{
    for (uint32_t i = from; i < o->n; i++)
        if (o->v[i].field == f)
            return &o->v[i];
    return NULL;
}

/* Expand the components of a value (FIT protocol, "Components"): read bit
 * groups, least significant first, across the elements of the source and
 * write each into its target field, converting from the component's scale
 * and offset to the target's. Several groups for one target make an array
 * when the target is one, else the first group wins. */
static void expand(struct pl_fit_decoder *d, struct out *o, const struct fdef *f,
                   const struct pl_fit_component *comps, unsigned nc, unsigned bits_per_elem,
                   const uint64_t *elems, unsigned nelems, int depth, uint32_t first_expanded)
{
    if (depth > 4 || !nc)
        return;
    unsigned total = bits_per_elem * nelems;
    unsigned bitpos = 0;
    for (unsigned j = 0; j < nc; j++) {
        const struct pl_fit_component *c = &comps[j];
        if (c->bits == 0 || c->bits > 64 || total - bitpos < c->bits)
            break;
        uint64_t val = 0;
        for (unsigned b = 0; b < c->bits; b++, bitpos++) {
            unsigned e = bitpos / bits_per_elem, k = bitpos % bits_per_elem;
            val |= ((elems[e] >> k) & 1u) << b;
        }
        const struct pl_fit_field_info *t = pl__fit_field_info(f->mi, c->target);
        if (!t)
            continue;
        if (c->accumulate) {
            struct accum *a = accum_slot(d, f->global, c->target);
            if (a) {
                uint64_t mask = c->bits >= 64 ? UINT64_MAX : ((uint64_t)1 << c->bits) - 1;
                if (!a->value && !a->last)
                    a->value = a->last = val;
                a->value += (val - a->last) & mask;
                a->last = val;
                val = a->value;
            }
        }
        double x = (double)val / c->scale - c->offset;
        /* The value as the target would store it, for its invalid test. */
        double traw = (x + t->offset) * t->scale;
        unsigned tb = t->pub.base < PL_FIT_BASE_COUNT_ ? t->pub.base : PL_FIT_BYTE;
        bool invalid = traw == (double)bases[tb].invalid;
        /* Targets are collected after the natives: replace a native value
         * of the same field, or extend an expanded one. */
        struct pl_fit_value *v = NULL;
        for (uint32_t i = first_expanded; i < o->n; i++)
            if (o->v[i].field == &t->pub)
                v = &o->v[i];
        if (!v) {
            struct pl_fit_value *nat = out_find(o, 0, &t->pub);
            if (o->n >= o->cap)
                return;
            v = &o->v[o->n++];
            memset(v, 0, sizeof *v);
            v->field = &t->pub;
            v->kind = PL_FIT_K_NUMBER;
            v->base = t->pub.base;
            v->count = 0;
            if (nat)
                nat->count = 0; /* hidden: the expanded value wins */
        }
        if (!invalid) {
            if (v->count == 0) {
                v->u.num = x;
                v->raw64 = val;
                v->count = 1;
            } else if (t->pub.flags & PL_FIT_F_ARRAY) {
                if (o->nn + v->count + 1 > o->numcap)
                    continue;
                double *dst = o->nums + o->nn;
                if (v->count == 1)
                    dst[0] = v->u.num;
                else
                    memcpy(dst, v->u.nums, v->count * sizeof *dst);
                dst[v->count] = x;
                o->nn += v->count + 1u;
                v->u.nums = dst;
                v->count++;
            }
        }
        if (t->ncomponents && !invalid) {
            unsigned tbits = bases[tb].size * 8;
            /* The target's components read its value as the target
             * stores it, in its own scale (speed 350 at scale 100 is 3.5
             * m/s, stored as 3500 at scale 1000 for enhanced_speed). */
            uint64_t e1 = traw > 0 && traw < 1.8e19 ? (uint64_t)(traw + 0.5) : 0;
            expand(d, o, f, t->components, t->ncomponents, tbits, &e1, 1, depth + 1, first_expanded);
        }
    }
}

/* The slow pass: sub-fields, components and accumulation for one message.
 * Runs after the plain values are in out. */
static void slow_pass(struct pl_fit_decoder *d, struct out *o, const struct fdef *f,
                      const uint8_t *data)
{
    uint32_t natives = o->n;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct op *op = &f->ops[i];
        const struct pl_fit_field_info *fi = op->info;
        if (!(op->flags & OPF_SLOW) || !fi || op->size == 0)
            continue;
        uint64_t elems[255];
        unsigned nel = 0;
        bool valid = false;
        if (op->kind == OP_NUM || op->kind == OP_ARRAY) {
            unsigned bs = bases[op->base].size;
            for (unsigned k = 0; k < op->count && k < 255; k++) {
                elem(op->base, data + op->off + k * bs, f->be, &elems[nel]);
                valid |= elems[nel] != op->invalid;
                nel++;
            }
        }
        if (!valid)
            continue;
        unsigned pbits = (fi->pub.base < PL_FIT_BASE_COUNT_ ? bases[fi->pub.base].size : 1) * 8;
        /* Components expand only from numeric profile types. */
        if (fi->ncomponents && (fi->pub.show == PL_FIT_SHOW_NUMBER || fi->pub.type == PL_FIT_TYPE_NONE))
            expand(d, o, f, fi->components, fi->ncomponents, pbits, elems, nel, 0, natives);
        for (unsigned s = 0; s < fi->nsubfields; s++) {
            const struct pl_fit_subfield *sf = &fi->subfields[s];
            bool match = false;
            for (unsigned r = 0; r < sf->nrefs && !match; r++) {
                for (unsigned k = 0; k < f->nops; k++) {
                    uint64_t rv;
                    if (f->ops[k].field->num == sf->refs[r].ref_field && f->ops[k].info &&
                        op_raw(&f->ops[k], data, f->be, &rv) && rv == sf->refs[r].ref_value) {
                        match = true;
                        break;
                    }
                }
            }
            if (!match || o->n >= o->cap)
                continue;
            struct pl_fit_value *v = &o->v[o->n];
            memset(v, 0, sizeof *v);
            v->field = &sf->pub;
            v->base = op->base;
            v->kind = PL_FIT_K_NUMBER;
            bool scaled = sf->pub.show == PL_FIT_SHOW_NUMBER && sf->single_scale &&
                          (sf->scale != 1 || sf->offset != 0);
            if (o->nn + op->count > o->numcap)
                continue;
            if (!decode_numbers(o, v, op->base, data + op->off, op->count, f->be, op->invalid,
                                sf->scale, sf->offset, scaled))
                continue;
            o->n++;
            unsigned sbits = (sf->pub.base < PL_FIT_BASE_COUNT_ ? bases[sf->pub.base].size : 1) * 8;
            if (sf->ncomponents)
                expand(d, o, f, sf->components, sf->ncomponents, sbits, elems, nel, 0, natives);
        }
    }
    /* Drop natives hidden by their expanded value. */
    uint32_t w = 0;
    for (uint32_t i = 0; i < o->n; i++)
        if (o->v[i].count)
            o->v[w++] = o->v[i];
    o->n = w;
}

/* The hot loop: one switch per field. Fills o with the present values and,
 * for each op, its output slot (-1 when absent) and raw bits, which the
 * timestamp and the xops read. Kept free of calls for the common cases. */
#define TRACK_SLOT(i, n) (track ? (void)(slot[i] = (int16_t)(n)++) : (void)(n)++)
static inline __attribute__((always_inline)) void decode_ops(struct out *o, const struct fdef *f,
                                                              const uint8_t *data, int16_t *slot,
                                                              uint64_t *raws, const bool track)
{
    struct pl_fit_value *vals = o->v;
    uint32_t n = 0;
    const unsigned nops = f->nops;
    for (unsigned i = 0; i < nops; i++) {
        const struct op *op = &f->ops[i];
        const uint8_t *p = data + op->off;
        struct pl_fit_value *v = &vals[n];
        uint64_t raw;
        double x;
        if (track)
            slot[i] = -1;
        switch (op->rd) {
        case R_U8:
            raw = p[0];
            x = (double)p[0];
            break;
        case R_S8:
            raw = p[0];
            x = (int8_t)p[0];
            break;
        case R_U16:
            raw = ld16(p, false);
            x = (double)raw;
            break;
        case R_S16:
            raw = ld16(p, false);
            x = (int16_t)raw;
            break;
        case R_U32:
            raw = ld32(p, false);
            x = (double)raw;
            break;
        case R_S32:
            raw = ld32(p, false);
            x = (int32_t)raw;
            break;
        case R_U16B:
            raw = ld16(p, true);
            x = (double)raw;
            break;
        case R_S16B:
            raw = ld16(p, true);
            x = (int16_t)raw;
            break;
        case R_U32B:
            raw = ld32(p, true);
            x = (double)raw;
            break;
        case R_S32B:
            raw = ld32(p, true);
            x = (int32_t)raw;
            break;
        case R_OTHER_NUM:
            x = elem(op->base, p, f->be, &raw);
            break;
        case R_ARRAY:
            v->field = op->field;
            v->base = op->base;
            v->kind = PL_FIT_K_NUMBER;
            o->n = n;
            if (decode_numbers(o, v, op->base, p, op->count, f->be, op->invalid, op->scale,
                               op->offset, op->flags & OPF_SCALE))
                TRACK_SLOT(i, n);
            continue;
        case R_STRING:
            v->field = op->field;
            v->base = op->base;
            if (decode_string(v, p, op->size))
                TRACK_SLOT(i, n);
            continue;
        case R_BYTES:
            v->field = op->field;
            v->base = op->base;
            set_bytes(v, p, op->size, PL_FIT_K_BYTES);
            TRACK_SLOT(i, n);
            continue;
        default: /* R_SKIP: a zero-size field */
            continue;
        }
        if (track)
            raws[i] = raw;
        if (raw == op->invalid)
            continue;
        v->field = op->field;
        memcpy(&v->kind, &op->vhdr, sizeof op->vhdr);
        v->raw64 = raw;
        v->u.num = (op->flags & OPF_SCALE) ? x / op->scale - op->offset : x;
        TRACK_SLOT(i, n);
    }
    o->n = n;
}

#undef TRACK_SLOT

/* Seed an accumulator from a native value: its last valid element, taken
 * to the profile units of the field, then to the feeding component's
 * units (as the official SDK does when both are in one message). */
static void seed_accum(struct pl_fit_decoder *d, const struct fdef *f, const struct seed *sd,
                       const uint8_t *data)
{
    const struct op *op = &f->ops[sd->op];
    if (op->kind != OP_NUM && op->kind != OP_ARRAY)
        return;
    const struct pl_fit_field_info *fi = op->info;
    unsigned bs = bases[op->base].size;
    double x = 0;
    bool found = false;
    for (unsigned k = op->count; k-- > 0 && !found;) {
        uint64_t raw;
        x = elem(op->base, data + op->off + k * bs, f->be, &raw);
        found = raw != op->invalid;
    }
    if (!found)
        return;
    double scale = fi->single_scale ? fi->scale : 1, offset = fi->single_scale ? fi->offset : 0;
    double v = (x / scale - offset + sd->coffset) * sd->cscale;
    if (v >= 0 && v < 1.8e19) {
        struct accum *a = &d->accum[sd->accum];
        a->value = a->last = (uint64_t)v;
    }
}

/* Run the compiled simple components of a message (see struct xop). An
 * expanded value replaces a native value of the same field, as the
 * expansion is the more precise (FIT protocol, "Components"). */
static void run_xops(struct out *o, const struct fdef *f, const int16_t *slot, const uint64_t *raws)
{
    bool compact = false;
    for (unsigned i = 0; i < f->nxops; i++) {
        const struct xop *x = &f->xops[i];
        if (slot[x->src] < 0)
            continue;
        uint64_t val = (raws[x->src] >> x->shift) & x->mask;
        double v = (double)val / x->scale - x->offset;
        bool invalid = (v + x->toffset) * x->tscale == x->tinvalid;
        struct pl_fit_value *dst;
        if (x->native >= 0 && slot[x->native] >= 0) {
            dst = &o->v[slot[x->native]];
            if (invalid) {
                dst->count = 0;
                compact = true;
                continue;
            }
        } else {
            if (invalid)
                continue;
            dst = &o->v[o->n++];
        }
        dst->field = x->target;
        dst->kind = PL_FIT_K_NUMBER;
        dst->base = x->target->base;
        dst->count = 1;
        dst->u.num = v;
        dst->raw64 = val;
    }
    if (compact) {
        uint32_t w = 0;
        for (uint32_t i = 0; i < o->n; i++)
            if (o->v[i].count)
                o->v[w++] = o->v[i];
        o->n = w;
    }
}

/* Decode a data message whose data (f->size bytes) is at `data`. */
static int decode_data(struct pl_fit_decoder *d, uint8_t local, const struct fdef *f,
                       const uint8_t *data, uint64_t off, bool compressed, uint32_t ts,
                       struct pl_diag *diag)
{
    struct out o = { d->vals, 0, f->values_max, d->nums, 0, f->nums_max };
    bool raw_mode = d->options & PL_FIT_RAW;
    /* Where each op's value went (-1: absent) and its raw bits, for xops. */
    int16_t slot[256];
    uint64_t raws[256];
    bool track = (f->nxops || f->nseeds) && !raw_mode;
    if (track)
        decode_ops(&o, f, data, slot, raws, true);
    else
        decode_ops(&o, f, data, slot, raws, false);
    if (f->ts_op >= 0) {
        uint32_t t = ld32(data + f->ops[f->ts_op].off, f->be);
        if (t != 0xFFFFFFFFu) {
            d->last_ts = t;
            d->have_ts = true;
        }
    }
    for (unsigned i = 0; i < f->nseeds && !raw_mode; i++) {
        const struct seed *sd = &f->seeds[i];
        if (f->ops[sd->op].kind != OP_NUM) {
            seed_accum(d, f, sd, data);
        } else if (slot[sd->op] >= 0) {
            /* The value is already in profile units. */
            double v = (o.v[slot[sd->op]].u.num + sd->coffset) * sd->cscale;
            if (v >= 0 && v < 1.8e19)
                d->accum[sd->accum].value = d->accum[sd->accum].last = (uint64_t)v;
        }
    }
    if (f->nxops && !raw_mode)
        run_xops(&o, f, slot, raws);
    if (compressed) {
        /* A compressed-timestamp header gives the message a timestamp
         * (FIT protocol, "Compressed Timestamp Header"). */
        const struct pl_fit_field_info *tf = f->mi ? pl__fit_field_info(f->mi, 253) : NULL;
        struct pl_fit_value *v = &o.v[o.n++];
        memset(v, 0, sizeof *v);
        v->field = tf ? &tf->pub : &generic_timestamp;
        v->kind = PL_FIT_K_NUMBER;
        v->base = PL_FIT_UINT32;
        v->count = 1;
        v->u.num = ts;
        v->raw64 = ts;
    }
    if (f->slow && !raw_mode)
        slow_pass(d, &o, f, data);
    /* Developer fields. */
    for (unsigned i = 0; i < f->ndev; i++) {
        const struct devop *dop = &f->devops[i];
        if (dop->size == 0 || o.n >= o.cap)
            continue;
        const uint8_t *p = data + dop->off;
        struct pl_fit_value *v = &o.v[o.n];
        const struct devfield *df = dev_find(d, dop->dev_index, dop->num);
        memset(v, 0, sizeof *v);
        if (!df) {
            /* Never described: kept raw. */
            v->field = &dop->undescribed;
            set_bytes(v, p, dop->size, PL_FIT_K_BYTES);
            v->base = PL_FIT_BYTE;
            o.n++;
            continue;
        }
        v->field = &df->pub;
        v->base = df->base;
        unsigned bs = bases[df->base].size;
        if (df->base == PL_FIT_STRING) {
            if (!decode_strings(v, p, dop->size))
                continue;
        } else if (dop->size % bs) {
            set_bytes(v, p, dop->size, PL_FIT_K_BYTES);
        } else {
            v->kind = PL_FIT_K_NUMBER;
            bool scaled = !raw_mode && (df->scale != 1 || df->offset != 0);
            if (!decode_numbers(&o, v, df->base, p, dop->size / bs, f->be, bases[df->base].invalid,
                                df->scale, df->offset, scaled))
                continue;
        }
        o.n++;
    }
    struct pl_fit_msg m = {
        .global = f->global,
        .name = f->mi ? f->mi->name : NULL,
        .local = local,
        .segment = d->segment,
        .offset = off,
        .nvalues = o.n,
        .values = o.v,
    };
    if (f->global == 206 || f->global == 207) {
        int rc = learn_dev(d, &m, diag);
        if (rc)
            return rc;
    }
    if (d->h.on_msg && d->h.on_msg(d->h.ctx, &m))
        return fail(d, diag, PL_ECANCELED, off, "stopped by the caller");
    return 0;
}

/* ------------------------------------------------------------------ */
/* The record loop                                                      */
/* ------------------------------------------------------------------ */

enum { STEP_OK = 0, STEP_NEED = -1 };

/* Bytes of a definition after its record header, as far as the avail
 * bytes at p tell: the whole size once the field counts are in, else a
 * lower bound that grows as more bytes come (FIT protocol, "Definition
 * Message": reserved, architecture, global number (2), field count, 3
 * bytes per field, then with developer data a count and 3 bytes each). */
static size_t def_size(const uint8_t *p, size_t avail, bool has_dev)
{
    size_t dev = has_dev ? 1 : 0;
    if (avail < 5)
        return 5 + dev;
    size_t n = 5 + 3 * (size_t)p[4];
    if (!has_dev)
        return n;
    if (avail < n + 1)
        return n + 1;
    return n + 1 + 3 * (size_t)p[n];
}

/* Decode one unit (file header, record or CRC) at p with avail bytes.
 * Returns STEP_OK with *used, STEP_NEED with *need (total bytes of the
 * unit, or a lower bound), or an error code. */
static int step(struct pl_fit_decoder *d, const uint8_t *p, size_t avail, size_t *used,
                size_t *need, struct pl_diag *diag)
{
    uint64_t off = d->pos;
    switch (d->st) {
    case ST_HEADER: {
        if (avail < 12) {
            *need = 12;
            return STEP_NEED;
        }
        uint8_t hsize = p[0];
        if (hsize < 12 || memcmp(p + 8, ".FIT", 4) != 0) {
            if (!d->any_segment)
                return fail(d, diag, PL_ENOTFIT, off,
                            "not a FIT file: no \".FIT\" file header at byte %llu",
                            (unsigned long long)off);
            /* Bytes after a complete FIT file that are no FIT header. */
            if (d->options & PL_FIT_STRICT)
                return fail(d, diag, PL_EFORMAT, off,
                            "bytes after the end of the FIT data at byte %llu are not a FIT file header",
                            (unsigned long long)off);
            warn(d, PL_EFORMAT, off,
                 "bytes after the end of the FIT data at byte %llu are not a FIT file header; ignored",
                 (unsigned long long)off);
            d->st = ST_TRAILING;
            *used = avail;
            return STEP_OK;
        }
        if (avail < hsize) {
            *need = hsize;
            return STEP_NEED;
        }
        if (d->segment == PL_FIT_SEGMENTS_MAX - 1 && d->any_segment)
            return fail(d, diag, PL_ELIMIT, off, "more than %d chained FIT files", PL_FIT_SEGMENTS_MAX);
        if (d->any_segment)
            d->segment++;
        d->any_segment = true;
        reset_segment_state(d);
        struct pl_fit_header h = {
            .offset = off,
            .size = hsize,
            .protocol = p[1],
            .profile = ld16(p + 2, false),
            .data_size = ld32(p + 4, false),
            .crc = hsize >= 14 ? ld16(p + 12, false) : 0,
            .crc_ok = true,
            .segment = d->segment,
        };
        if (h.crc != 0) {
            uint16_t c = pl_fit_crc16(0, p, 12);
            if (c != h.crc) {
                h.crc_ok = false;
                if (d->options & PL_FIT_STRICT)
                    return fail(d, diag, PL_ECRC, off + 12,
                                "file header CRC is 0x%04x, computed 0x%04x", h.crc, c);
                warn(d, PL_ECRC, off + 12, "file header CRC is 0x%04x, computed 0x%04x; decoding anyway",
                     h.crc, c);
            }
        }
        if ((h.protocol >> 4) > 2)
            warn(d, PL_EUNSUPPORTED, off + 1, "protocol version %u.%u is newer than 2.x; decoding anyway",
                 h.protocol >> 4, h.protocol & 15);
        d->seg_start = off;
        d->crc = pl_fit_crc16(0, p, hsize);
        d->size_unknown = h.data_size == 0;
        d->data_end = off + hsize + h.data_size;
        if (d->size_unknown && (d->options & PL_FIT_STRICT))
            return fail(d, diag, PL_EFORMAT, off + 4,
                        "file header data size is 0 (not finalised, as a device that stopped leaves it)");
        if (d->size_unknown)
            warn(d, PL_EFORMAT, off + 4,
                 "file header data size is 0 (not finalised, as a device that stopped leaves it); decoding to the end");
        *used = hsize;
        d->st = ST_RECORDS;
        if (d->h.on_header && d->h.on_header(d->h.ctx, &h))
            return fail(d, diag, PL_ECANCELED, off, "stopped by the caller");
        if (!d->size_unknown && h.data_size == 0)
            d->st = ST_CRC;
        return STEP_OK;
    }
    case ST_RECORDS: {
        if (!d->size_unknown && off >= d->data_end) {
            d->st = ST_CRC;
            *used = 0;
            return STEP_OK;
        }
        /* Never read past the declared end of the data. */
        size_t lim = avail;
        if (!d->size_unknown && d->data_end - off < lim)
            lim = (size_t)(d->data_end - off);
        if (lim < 1) {
            *need = 1;
            return STEP_NEED;
        }
        /* With a data size of 0 the input's last two bytes are the CRC:
         * a unit is decoded only when two more bytes follow it, and
         * finish decides what the rest is. */
        size_t hold = d->size_unknown && !d->finishing ? 2 : 0;
        uint8_t rh = p[0];
        if (rh & 0x80) {
            /* Compressed timestamp header: local type in bits 5-6, time
             * offset in bits 0-4, relative to the last full timestamp. */
            uint8_t local = (rh >> 5) & 3;
            const struct fdef *f = &d->defs[local];
            if (!f->defined) {
                if (lim < 3 && (d->size_unknown || d->data_end - off > 2)) {
                    /* Perhaps the file CRC of a segment whose data size
                     * is 0 or runs past the input: wait for a third byte
                     * before calling it a record; finish checks the CRC. */
                    *need = 3;
                    return STEP_NEED;
                }
                return fail(d, diag, PL_EFORMAT, off,
                            "compressed-timestamp record at byte %llu uses local type %u, which has no definition",
                            (unsigned long long)off, local);
            }
            size_t n = 1 + (size_t)f->size;
            if (lim < n + hold) {
                if (!d->size_unknown && d->data_end - off < n)
                    return fail(d, diag, PL_EFORMAT, off, "record at byte %llu (%zu bytes) crosses the end of the data at byte %llu",
                                (unsigned long long)off, n, (unsigned long long)d->data_end);
                *need = n + hold;
                return STEP_NEED;
            }
            if (!d->have_ts)
                warn(d, PL_EFORMAT, off, "compressed timestamp at byte %llu before any full timestamp; counted from 0",
                     (unsigned long long)off);
            uint32_t toff = rh & 0x1F;
            uint32_t ts = d->last_ts + ((toff - (d->last_ts & 0x1F)) & 0x1F);
            d->last_ts = ts;
            int rc = decode_data(d, local, f, p + 1, off, true, ts, diag);
            if (rc)
                return rc;
            *used = n;
            return STEP_OK;
        }
        uint8_t local = rh & 0x0F;
        if (rh & 0x40) {
            bool has_dev = rh & 0x20;
            size_t n = 1 + def_size(p + 1, lim - 1, has_dev);
            if (lim < n + hold) {
                if (!d->size_unknown && d->data_end - off < n)
                    return fail(d, diag, PL_EFORMAT, off, "definition at byte %llu (%zu bytes) crosses the end of the data at byte %llu",
                                (unsigned long long)off, n, (unsigned long long)d->data_end);
                *need = n + hold;
                return STEP_NEED;
            }
            if (rh & 0x10)
                warn(d, PL_EFORMAT, off, "record header at byte %llu sets reserved bit 4", (unsigned long long)off);
            int rc = compile_def(d, local, has_dev, p + 1, off, diag);
            if (rc)
                return rc;
            *used = n;
            return STEP_OK;
        }
        const struct fdef *f = &d->defs[local];
        if (!f->defined) {
            if (lim < 3 && (d->size_unknown || d->data_end - off > 2)) {
                /* Perhaps the file CRC of a segment whose data size
                 * is 0 or runs past the input: wait for a third byte
                 * before calling it a record; finish checks the CRC. */
                *need = 3;
                return STEP_NEED;
            }
            return fail(d, diag, PL_EFORMAT, off, "record at byte %llu uses local type %u, which has no definition",
                        (unsigned long long)off, local);
        }
        size_t n = 1 + (size_t)f->size;
        if (lim < n + hold) {
            if (!d->size_unknown && d->data_end - off < n)
                return fail(d, diag, PL_EFORMAT, off, "record at byte %llu (%zu bytes) crosses the end of the data at byte %llu",
                            (unsigned long long)off, n, (unsigned long long)d->data_end);
            *need = n + hold;
            return STEP_NEED;
        }
        int rc = decode_data(d, local, f, p + 1, off, false, 0, diag);
        if (rc)
            return rc;
        *used = n;
        return STEP_OK;
    }
    case ST_CRC:
        if (avail < 2) {
            *need = 2;
            return STEP_NEED;
        }
        return STEP_OK; /* handled by the caller, which owns the CRC state */
    case ST_TRAILING:
        *used = avail;
        return STEP_OK;
    default:
        return d->err;
    }
}

static int check_crc(struct pl_fit_decoder *d, const uint8_t *p, struct pl_diag *diag)
{
    struct pl_fit_trailer t = {
        .segment = d->segment,
        .crc_file = ld16(p, false),
        .crc_computed = d->crc,
        .crc_present = true,
    };
    t.crc_ok = t.crc_file == t.crc_computed;
    if (!t.crc_ok) {
        if (d->options & PL_FIT_STRICT)
            return fail(d, diag, PL_ECRC, d->pos, "file CRC at byte %llu is 0x%04x, computed 0x%04x",
                        (unsigned long long)d->pos, t.crc_file, t.crc_computed);
        warn(d, PL_ECRC, d->pos, "file CRC at byte %llu is 0x%04x, computed 0x%04x; data decoded anyway",
             (unsigned long long)d->pos, t.crc_file, t.crc_computed);
    }
    if (d->h.on_trailer && d->h.on_trailer(d->h.ctx, &t))
        return fail(d, diag, PL_ECANCELED, d->pos, "stopped by the caller");
    d->st = ST_HEADER;
    return 0;
}

/* Run units over a contiguous buffer. Returns 0 with *consumed bytes used
 * (the rest is an incomplete unit, with *need set), or an error. */
static int run(struct pl_fit_decoder *d, const uint8_t *p, size_t n, size_t *consumed,
               size_t *need, struct pl_diag *diag)
{
    size_t at = 0;
    size_t crc_from = 0;
    *need = 0;
    int rc = 0;
    while (at < n) {
        if (d->st == ST_CRC) {
            d->crc = pl_fit_crc16(d->crc, p + crc_from, at - crc_from);
            if (n - at < 2) {
                *need = 2;
                crc_from = at;
                break;
            }
            rc = check_crc(d, p + at, diag);
            if (rc)
                return rc;
            at += 2;
            d->pos += 2;
            crc_from = at;
            continue;
        }
        if (d->st == ST_RECORDS && !d->size_unknown) {
            /* The common case in a tight loop: data records of defined
             * local types that lie wholly in this buffer and before the
             * end of the data. Anything else goes through step(), which
             * decides the same records the same way. */
            size_t lim = n;
            if (d->data_end - d->pos < n - at)
                lim = at + (size_t)(d->data_end - d->pos);
            while (at < lim) {
                uint8_t rh = p[at];
                const struct fdef *f = &d->defs[rh & 0x0F];
                if ((rh & 0xC0) || !f->defined || f->size >= lim - at)
                    break;
                rc = decode_data(d, rh & 0x0F, f, p + at + 1, d->pos, false, 0, diag);
                if (rc)
                    return rc;
                at += 1 + (size_t)f->size;
                d->pos += 1 + (uint64_t)f->size;
            }
            if (at >= n)
                break;
        }
        size_t used = 0, want = 0;
        enum state before = d->st;
        rc = step(d, p + at, n - at, &used, &want, diag);
        if (rc == STEP_NEED) {
            *need = want;
            break;
        }
        if (rc) {
            return rc;
        }
        if (before == ST_HEADER) {
            /* The header's own bytes were folded into d->crc by step. */
            crc_from = at + used;
        }
        at += used;
        d->pos += used;
        if (d->st == ST_TRAILING) {
            crc_from = at;
            at = n;
        }
    }
    if (d->st == ST_RECORDS || (d->st == ST_CRC && crc_from < at))
        d->crc = pl_fit_crc16(d->crc, p + crc_from, at - crc_from);
    *consumed = at;
    return 0;
}

int pl_fit_decoder_feed(struct pl_fit_decoder *d, const void *buf, size_t n, struct pl_diag *diag)
{
    const uint8_t *p = buf;
    if (d->st == ST_ERROR) {
        if (diag)
            *diag = d->err_diag;
        return d->err;
    }
    if (d->st == ST_TRAILING) {
        d->pos += n;
        return 0;
    }
    /* First complete a unit left over from the previous feed. */
    while (d->carry_len && n) {
        size_t used = 0, need = 0;
        int rc = run(d, d->carry, d->carry_len, &used, &need, diag);
        if (rc)
            return rc;
        if (used) {
            memmove(d->carry, d->carry + used, d->carry_len - used);
            d->carry_len -= (uint32_t)used;
            if (!d->carry_len)
                break;
            continue;
        }
        /* Append just what the unit needs (at least one byte). */
        size_t want = need > d->carry_len ? need - d->carry_len : 1;
        if (d->carry_len + want > PL_FIT_MSG_BYTES_MAX + 16)
            return fail(d, diag, PL_ELIMIT, d->pos, "record larger than %d bytes", PL_FIT_MSG_BYTES_MAX);
        if (want > n)
            want = n;
        memcpy(d->carry + d->carry_len, p, want);
        d->carry_len += (uint32_t)want;
        p += want;
        n -= want;
    }
    if (d->carry_len) {
        /* n == 0: everything went into the carry. Try it once more. */
        size_t used = 0, need = 0;
        int rc = run(d, d->carry, d->carry_len, &used, &need, diag);
        if (rc)
            return rc;
        memmove(d->carry, d->carry + used, d->carry_len - used);
        d->carry_len -= (uint32_t)used;
        return 0;
    }
    size_t used = 0, need = 0;
    int rc = run(d, p, n, &used, &need, diag);
    if (rc)
        return rc;
    if (used < n) {
        if (d->st == ST_TRAILING) {
            d->pos += n - used;
            return 0;
        }
        if (!d->carry) {
            d->carry = pl__malloc(PL_FIT_MSG_BYTES_MAX + 16);
            if (!d->carry)
                return fail(d, diag, PL_ENOMEM, d->pos, "out of memory");
        }
        size_t rest = n - used;
        if (rest > PL_FIT_MSG_BYTES_MAX + 16)
            return fail(d, diag, PL_ELIMIT, d->pos, "record larger than %d bytes", PL_FIT_MSG_BYTES_MAX);
        memcpy(d->carry, p + used, rest);
        d->carry_len = (uint32_t)rest;
    }
    return 0;
}

int pl_fit_decoder_finish(struct pl_fit_decoder *d, struct pl_diag *diag)
{
    if (d->st == ST_ERROR) {
        if (diag)
            *diag = d->err_diag;
        return d->err;
    }
    uint64_t end = d->pos + d->carry_len;
    if (d->st == ST_HEADER && d->carry_len >= 12 && pl_fit_is_fit(d->carry, d->carry_len))
        return fail(d, diag, PL_ETRUNCATED, end, "input ends at byte %llu, inside a FIT file header of %u bytes",
                    (unsigned long long)end, d->carry[0]);
    if (!d->any_segment)
        return fail(d, diag, d->carry_len ? PL_ENOTFIT : PL_ETRUNCATED, 0,
                    d->carry_len ? "not a FIT file: %llu bytes, too short for a file header"
                                 : "empty input (%llu bytes)",
                    (unsigned long long)end);
    if (d->st == ST_HEADER && d->carry_len == 0)
        return 0;
    if (d->st == ST_TRAILING)
        return 0;
    if (d->st == ST_HEADER) {
        /* A few bytes after the last segment, too short for a header. */
        if (d->options & PL_FIT_STRICT)
            return fail(d, diag, PL_EFORMAT, d->pos, "%u bytes after the end of the FIT data at byte %llu",
                        d->carry_len, (unsigned long long)d->pos);
        warn(d, PL_EFORMAT, d->pos, "%u bytes after the end of the FIT data at byte %llu; ignored",
             d->carry_len, (unsigned long long)d->pos);
        return 0;
    }
    if (d->size_unknown && d->st == ST_RECORDS && d->carry_len > 2) {
        /* Records were held back until two bytes followed them: now the
         * end is known, decode what is left before the last two bytes as
         * data of that size. */
        d->finishing = true;
        size_t used = 0, need = 0;
        int rc = run(d, d->carry, d->carry_len - 2, &used, &need, diag);
        if (rc)
            return rc;
        if (used == d->carry_len - 2u) {
            memmove(d->carry, d->carry + used, 2);
            d->carry_len = 2;
        } else {
            /* A record cut short, and no CRC after it. */
            warn(d, PL_ETRUNCATED, d->pos, "no file CRC after the data that ends at byte %llu",
                 (unsigned long long)d->pos);
            return fail(d, diag, PL_ETRUNCATED, d->pos,
                        "input ends inside a record at byte %llu (%llu bytes of it present)",
                        (unsigned long long)d->pos, (unsigned long long)(end - d->pos));
        }
    }
    if (d->size_unknown && d->st == ST_RECORDS) {
        /* Decoded to the end: the last two bytes should be the CRC. */
        if (d->carry_len == 2) {
            d->st = ST_CRC;
            /* The carried bytes were not folded into the CRC. */
            return check_crc(d, d->carry, diag);
        }
        warn(d, PL_ETRUNCATED, d->pos, "no file CRC after the data that ends at byte %llu",
             (unsigned long long)d->pos);
        if (d->carry_len)
            return fail(d, diag, PL_ETRUNCATED, d->pos, "input ends inside a record at byte %llu (%u bytes of it present)",
                        (unsigned long long)d->pos, d->carry_len);
        return 0;
    }
    if (d->st == ST_RECORDS && d->carry_len == 2 && ld16(d->carry, false) == d->crc) {
        /* The header's data size runs past the input, but the input ends
         * with the CRC of everything before it: a data size written
         * wrong, recovered (an error with PL_FIT_STRICT, as in pliant.h). */
        if (d->options & PL_FIT_STRICT)
            return fail(d, diag, PL_EFORMAT, d->seg_start + 4,
                        "file header data size ends the data at byte %llu, but the input ends at byte %llu with the file CRC",
                        (unsigned long long)d->data_end, (unsigned long long)end);
        warn(d, PL_EFORMAT, d->seg_start + 4,
             "file header data size ends the data at byte %llu, but the input ends at byte %llu with the file CRC; recovered",
             (unsigned long long)d->data_end, (unsigned long long)end);
        d->st = ST_CRC;
        return check_crc(d, d->carry, diag);
    }
    if (d->st == ST_CRC)
        return fail(d, diag, PL_ETRUNCATED, end,
                    "input ends at byte %llu, before the file CRC at byte %llu",
                    (unsigned long long)end, (unsigned long long)d->data_end);
    if (d->st == ST_RECORDS)
        return fail(d, diag, PL_ETRUNCATED, end,
                    "input ends at byte %llu, before the end of the data declared by the file header (byte %llu); every complete record before it was decoded",
                    (unsigned long long)end, (unsigned long long)d->data_end);
    return 0;
}

int pl_fit_decode(const void *buf, size_t n, const struct pl_fit_handler *h, unsigned options,
                  struct pl_diag *diag)
{
    struct pl_fit_decoder *d = pl_fit_decoder_new(h, options);
    if (!d)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    int rc = pl_fit_decoder_feed(d, buf, n, diag);
    if (!rc)
        rc = pl_fit_decoder_finish(d, diag);
    pl_fit_decoder_free(d);
    return rc;
}

bool pl_fit_is_fit(const void *buf, size_t n)
{
    const uint8_t *p = buf;
    return n >= 12 && p[0] >= 12 && memcmp(p + 8, ".FIT", 4) == 0;
}

double pl_fit_value_num(const struct pl_fit_value *v)
{
    if (!v || v->kind != PL_FIT_K_NUMBER || v->count == 0)
        return NAN;
    return v->count == 1 ? v->u.num : v->u.nums[0];
}

const struct pl_fit_value *pl_fit_msg_find(const struct pl_fit_msg *m, uint16_t field_num)
{
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_field *f = m->values[i].field;
        if (f && f->num == field_num && !(f->flags & (PL_FIT_F_DEV | PL_FIT_F_SUBFIELD)))
            return &m->values[i];
    }
    return NULL;
}
