/*
 * streamcodec.c - one sample stream as a compact blob, and back.
 *
 * The store keeps each stream of an activity (time, heart rate, speed...)
 * as one blob in this encoding; nothing else in libpliant sees it. It is
 * lossless at the step chosen for each stream (lib/store.c's table: 1 ms,
 * 1 bpm, 1 mm/s, 1 cm, 1e-7 degree...), keeps absent samples (NaN), and
 * costs about one byte per value on real 1 Hz data: the figures and the
 * reasoning are in docs/internals/store.md. It is not a general-purpose
 * compressor and knows nothing of SQLite.
 *
 * Format, version 1 (all integers unsigned LEB128 varints unless said):
 *
 *   byte 0    version, 1
 *   byte 1    order: 1 (residual = delta) or 2 (delta of deltas)
 *   byte 2    exp10, two's complement: the step is 10^exp10
 *   varint    n, the number of samples
 *   tokens    until n samples are produced, then the blob ends:
 *     0, c    c + 1 absent samples
 *     1, c    the last literal residual again, c + 1 times (only after a
 *             literal)
 *     u >= 2  a literal residual r = unzigzag(u - 2)
 *
 * Residuals are taken over present samples only, as if the absent ones
 * were not there: with q_k the k-th present quantised value and
 * q_{-1} = q_{-2} = 0, order 1 writes q_k - q_{k-1} and order 2 writes
 * (q_k - q_{k-1}) - (q_{k-1} - q_{k-2}). The encoder sizes both orders and
 * keeps the shorter.
 */
#include <math.h>
#include <string.h>

#include "streamcodec.h"

#define VERSION 1
#define HEADER_FIXED 3
#define ABSENT INT64_MIN
#define VARINT_BYTES_MAX 10

/* Exact powers of ten (all below 2^53 are exact doubles). */
static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
_Static_assert(PL_ARRAY_LEN(p10) > -PL_STREAM_EXP10_MIN, "p10 covers the smallest step");
_Static_assert(PL_ARRAY_LEN(p10) > PL_STREAM_EXP10_MAX, "p10 covers the largest step");

static uint64_t zigzag(int64_t r)
{
    return ((uint64_t)r << 1) ^ (r < 0 ? UINT64_MAX : 0);
}

static int64_t unzigzag(uint64_t u)
{
    uint64_t m = (u >> 1) ^ (0 - (u & 1));
    int64_t r;
    memcpy(&r, &m, sizeof r);      /* two's complement, without UB */
    return r;
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Where tokens go: out == NULL only counts them. */
struct sink {
    uint8_t *out;
    size_t len;
};

static void put(struct sink *s, uint64_t v)
{
    if (!s->out) {
        s->len += varint_len(v);
        return;
    }
    while (v >= 0x80) {
        s->out[s->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    s->out[s->len++] = (uint8_t)v;
}

/* A run of `rep` repeats of the literal `u`: as a repeat token when that
 * is shorter, else as literals. */
static void flush_repeats(struct sink *s, uint64_t u, size_t rep)
{
    if (!rep)
        return;
    if (1 + varint_len(rep - 1) < rep * varint_len(u)) {
        put(s, 1);
        put(s, rep - 1);
    } else {
        for (size_t k = 0; k < rep; k++)
            put(s, u);
    }
}

/* The tokens for q[0..n) at the given order (see the format above). */
static void emit(struct sink *s, const int64_t *q, size_t n, int order)
{
    int64_t prev = 0, prev_d = 0;
    uint64_t last = 0;           /* the last literal, 0 before the first */
    size_t rep = 0;
    size_t i = 0;
    while (i < n) {
        if (q[i] == ABSENT) {
            flush_repeats(s, last, rep);
            rep = 0;
            size_t j = i + 1;
            while (j < n && q[j] == ABSENT)
                j++;
            put(s, 0);
            put(s, j - i - 1);
            i = j;
            continue;
        }
        /* |q| <= 2^50, so d is within 2^51 and r within 2^52. */
        int64_t d = q[i] - prev;
        int64_t r = order == 1 ? d : d - prev_d;
        prev = q[i];
        prev_d = d;
        uint64_t u = zigzag(r) + 2;
        if (last && u == last) {
            rep++;
        } else {
            flush_repeats(s, last, rep);
            rep = 0;
            put(s, u);
            last = u;
        }
        i++;
    }
    flush_repeats(s, last, rep);
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
    int64_t *q = pl__malloc_array(n, sizeof *q);
    if (!q)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory encoding a stream");
    double scale = exp10 <= 0 ? p10[-exp10] : 1 / p10[exp10];
    for (size_t i = 0; i < n; i++) {
        double y = x[i] * scale;
        /* NaN fails the comparison too. */
        q[i] = fabs(y) <= (double)PL_STREAM_QUANTUM_MAX ? llround(y) : ABSENT;
    }

    struct sink c1 = { NULL, 0 }, c2 = { NULL, 0 };
    emit(&c1, q, n, 1);
    emit(&c2, q, n, 2);
    int order = c2.len < c1.len ? 2 : 1;
    size_t body = order == 2 ? c2.len : c1.len;
    size_t total = HEADER_FIXED + varint_len(n) + body;
    uint8_t *buf = pl__malloc(total);
    if (!buf) {
        pl__free(q);
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory encoding a stream");
    }
    buf[0] = VERSION;
    buf[1] = (uint8_t)order;
    buf[2] = (uint8_t)(exp10 < 0 ? exp10 + 256 : exp10);
    struct sink s = { buf, HEADER_FIXED };
    put(&s, n);
    emit(&s, q, n, order);
    pl__free(q);
    if (s.len != total) {
        /* The two passes run the same code; a difference is a bug here. */
        pl__free(buf);
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "stream encoder sized %zu bytes, wrote %zu",
                        total, s.len);
    }
    *out = buf;
    *len = total;
    return PL_OK;
}

/* A cursor over the blob; every read checks the end. */
struct cur {
    const uint8_t *p, *start, *end;
};

static uint64_t at(const struct cur *c)
{
    return (uint64_t)(c->p - c->start);
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
    if (c->end - c->p < HEADER_FIXED)
        return pl__diag(diag, PL_ETRUNCATED, at(c), "stream: %zu bytes, shorter than its header",
                        (size_t)(c->end - c->p));
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

/* The next quantised value from residual r; false when it overflows or
 * leaves +-PL_STREAM_QUANTUM_MAX (only a damaged blob does that). */
static bool advance(int order, int64_t r, int64_t *prev, int64_t *prev_d)
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
    int64_t prev = 0, prev_d = 0, last = 0;
    bool have_last = false;
    size_t i = 0;
    while (i < n) {
        uint64_t tok_at = at(&c), u, run;
        if ((rc = get_varint(&c, &u, diag)))
            return rc;
        if (u <= 1) {
            if ((rc = get_varint(&c, &run, diag)))
                return rc;
            if (run >= n - i)
                return pl__diag(diag, PL_EFORMAT, tok_at,
                                "stream: the run at byte %llu goes past sample %zu",
                                (unsigned long long)tok_at, n);
            if (u == 0) {
                for (uint64_t k = 0; k <= run; k++)
                    x[i++] = NAN;
                continue;
            }
            if (!have_last)
                return pl__diag(diag, PL_EFORMAT, tok_at,
                                "stream: a repeat at byte %llu before any value",
                                (unsigned long long)tok_at);
        } else {
            run = 0;
            last = unzigzag(u - 2);
            have_last = true;
        }
        for (uint64_t k = 0; k <= run; k++) {
            if (!advance(order, last, &prev, &prev_d))
                return pl__diag(diag, PL_EFORMAT, tok_at,
                                "stream: sample %zu (byte %llu) is out of range", i,
                                (unsigned long long)tok_at);
            x[i++] = (double)prev / div * mul;
        }
    }
    if (c.p != c.end)
        return pl__diag(diag, PL_EFORMAT, at(&c), "stream: %zu bytes left after %zu samples",
                        (size_t)(c.end - c.p), n);
    return PL_OK;
}
