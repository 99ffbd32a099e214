/*
 * test-fit.c - the FIT decoder (lib/formats/fit.c), on small files built byte by
 * byte.
 *
 * Every test builds the exact bytes it decodes with the little builder
 * below (file header, definition and data records, CRCs computed with
 * pl_fit_crc16), so a test reads as the file it is about. The format facts
 * come from the FIT protocol description in Garmin's FIT SDK: "File
 * Header", "Record Header", "Compressed Timestamp Header", "Definition
 * Message", "Base Types", "Developer Data", "Components", "Accumulated
 * Fields", "CRC"; message and field numbers, scales and offsets from the
 * FIT profile 21.217.
 *
 * Reference numbers: the CRC check value is the published one for
 * CRC-16/ARC; the scaled values, component expansions, accumulation and
 * developer fields of the files built here were checked against the
 * official FIT SDK's decoder (@garmin/fitsdk 21.217.0, which decodes no
 * compressed timestamps; those follow the protocol's formula). Set
 * PL_TEST_FIT_DUMP=DIR to write every built file to DIR/NNN.fit for such a
 * cross-check. Tests that read the shared corpus skip, saying so, when it
 * is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

/* ------------------------------------------------------------------ */
/* A FIT byte builder                                                   */
/* ------------------------------------------------------------------ */

#define FB_MAX 8192

struct fb {
    uint8_t b[FB_MAX];
    size_t n;
    size_t seg;          /* where the current segment's header starts */
    unsigned hsize;      /* its size: 12 or 14 */
};

#define LE false
#define BE true

/* Base type bytes as a definition writes them (FIT protocol, "Base
 * Types"): the type number, with bit 7 set for the multi-byte types. */
enum {
    T_ENUM = 0x00, T_SINT8 = 0x01, T_UINT8 = 0x02, T_SINT16 = 0x83, T_UINT16 = 0x84,
    T_SINT32 = 0x85, T_UINT32 = 0x86, T_STRING = 0x07, T_FLOAT32 = 0x88, T_FLOAT64 = 0x89,
    T_UINT8Z = 0x0A, T_UINT16Z = 0x8B, T_UINT32Z = 0x8C, T_BYTE = 0x0D, T_SINT64 = 0x8E,
    T_UINT64 = 0x8F, T_UINT64Z = 0x90,
};

static void put8(struct fb *f, unsigned v)
{
    assert_true(f->n < FB_MAX);
    f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned v, bool be)
{
    put8(f, be ? v >> 8 : v);
    put8(f, be ? v : v >> 8);
}

static void put32(struct fb *f, uint32_t v, bool be)
{
    for (int i = 0; i < 4; i++)
        put8(f, v >> (be ? 24 - 8 * i : 8 * i));
}

static void put64(struct fb *f, uint64_t v, bool be)
{
    for (int i = 0; i < 8; i++)
        put8(f, (unsigned)(v >> (be ? 56 - 8 * i : 8 * i)));
}

static void putbytes(struct fb *f, const void *p, size_t n)
{
    assert_true(f->n + n <= FB_MAX);
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

/* A string field of `size` bytes: s, then NULs up to size (none when s
 * fills it: a string without a terminator). */
static void putstr(struct fb *f, const char *s, size_t size)
{
    size_t len = strlen(s);
    assert_true(len <= size);
    putbytes(f, s, len);
    for (size_t i = len; i < size; i++)
        put8(f, 0);
}

static void putf32(struct fb *f, float x, bool be)
{
    uint32_t v;
    memcpy(&v, &x, 4);
    put32(f, v, be);
}

static void putf64(struct fb *f, double x, bool be)
{
    uint64_t v;
    memcpy(&v, &x, 8);
    put64(f, v, be);
}

/* File header (FIT protocol, "File Header"): size, protocol 2.0, profile
 * 21.32, data size (set by fb_end), ".FIT", and for 14 bytes a CRC. */
static void fb_header(struct fb *f, unsigned hsize)
{
    f->seg = f->n;
    f->hsize = hsize;
    put8(f, hsize);
    put8(f, 0x20);
    put16(f, 2132, LE);
    put32(f, 0, LE);
    putbytes(f, ".FIT", 4);
    if (hsize == 14)
        put16(f, 0, LE);
}

enum {
    END_SIZE_ZERO = 0x01,      /* data size 0, as a device that stopped */
    END_NO_HEADER_CRC = 0x02,  /* header CRC 0: absent */
    END_BAD_HEADER_CRC = 0x04,
    END_BAD_FILE_CRC = 0x08,
    END_NO_FILE_CRC = 0x10,
};

static void store16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Close the segment: data size (plus size_delta) and header CRC into the
 * header, then the file CRC over header and data (FIT protocol, "CRC"). */
static void fb_end_with(struct fb *f, unsigned how, int32_t size_delta)
{
    uint8_t *h = f->b + f->seg;
    uint32_t size = (uint32_t)((int64_t)(f->n - f->seg - f->hsize) + size_delta);
    if (how & END_SIZE_ZERO)
        size = 0;
    for (int i = 0; i < 4; i++)
        h[4 + i] = (uint8_t)(size >> (8 * i));
    if (f->hsize == 14) {
        uint16_t c = pl_fit_crc16(0, h, 12);
        if (how & END_NO_HEADER_CRC)
            c = 0;
        if (how & END_BAD_HEADER_CRC)
            c ^= 0x0101;
        store16(h + 12, c);
    }
    uint16_t c = pl_fit_crc16(0, h, f->n - f->seg);
    if (how & END_BAD_FILE_CRC)
        c ^= 0x8001;
    if (!(how & END_NO_FILE_CRC))
        put16(f, c, LE);
}

static void fb_end(struct fb *f)
{
    fb_end_with(f, 0, 0);
}

/* One field of a definition: number, size in bytes, base type byte. For a
 * developer field: number, size, developer data index. */
struct fd {
    uint8_t num, size, base;
};
#define FIELDS(...) \
    (const struct fd[]){ __VA_ARGS__ }, sizeof((const struct fd[]){ __VA_ARGS__ }) / sizeof(struct fd)
#define NO_FIELDS NULL, 0

/* Definition message (FIT protocol, "Definition Message"): record header
 * 0x40 | local (| 0x20 with developer fields), reserved, architecture (0
 * little-endian, 1 big-endian), global number, fields. */
static void def_x(struct fb *f, unsigned local, unsigned global, bool be, const struct fd *fs,
                  size_t n, const struct fd *dev, size_t ndev, bool has_dev)
{
    put8(f, 0x40 | (has_dev ? 0x20 : 0) | local);
    put8(f, 0);
    put8(f, be ? 1 : 0);
    put16(f, global, be);
    put8(f, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        put8(f, fs[i].num);
        put8(f, fs[i].size);
        put8(f, fs[i].base);
    }
    if (has_dev) {
        put8(f, (unsigned)ndev);
        for (size_t i = 0; i < ndev; i++) {
            put8(f, dev[i].num);
            put8(f, dev[i].size);
            put8(f, dev[i].base);
        }
    }
}

#define DEF(f, local, global, be, ...) def_x(f, local, global, be, FIELDS(__VA_ARGS__), NULL, 0, false)
/* fields: FIELDS(...) of the profile fields; then the developer fields */
#define DEF_DEV(f, local, global, be, fields, ...) \
    def_x(f, local, global, be, fields, FIELDS(__VA_ARGS__), true)

/* Normal data record header: the local type in bits 0-3. */
static void rec(struct fb *f, unsigned local)
{
    put8(f, local & 0x0F);
}

/* Compressed timestamp record header: bit 7, local type 0-3 in bits 5-6,
 * time offset in bits 0-4 (FIT protocol, "Compressed Timestamp Header"). */
static void crec(struct fb *f, unsigned local, unsigned toff)
{
    put8(f, 0x80 | (local & 3) << 5 | (toff & 0x1F));
}

/* ------------------------------------------------------------------ */
/* Collecting what the decoder delivers                                 */
/* ------------------------------------------------------------------ */

#define C_MSGS 48
#define C_VALS 40
#define C_NUMS 16
#define C_BYTES 32

struct cval {
    int num;
    bool named;
    char name[40];
    char units[24];
    uint8_t flags, kind, base, dev_index, show;
    uint16_t type, count;
    double nums[C_NUMS];   /* nums[0] is the value of a scalar */
    uint8_t bytes[C_BYTES];
    uint32_t nbytes;
    uint64_t raw64;
};

struct cmsg {
    uint16_t global;
    bool named;
    char name[40];
    uint8_t local, segment;
    uint64_t offset;
    uint32_t n;
    struct cval v[C_VALS];
};

struct col {
    struct cmsg *m;     /* the first C_MSGS messages */
    size_t nm;          /* every message delivered */
    struct pl_diag w[16];
    size_t nw;
    struct pl_fit_header h[8];
    size_t nh;
    struct pl_fit_trailer t[8];
    size_t nt;
    size_t stop_at;     /* on_msg asks to stop at this message (1-based) */
    char *dump;         /* everything delivered, as text */
    size_t dn, dcap;
};

static void col_init(struct col *c)
{
    memset(c, 0, sizeof *c);
    c->m = calloc(C_MSGS, sizeof *c->m);
    assert_non_null(c->m);
}

static void col_release(struct col *c)
{
    free(c->m);
    free(c->dump);
    memset(c, 0, sizeof *c);
}

static void dumpf(struct col *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dumpf(struct col *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (c->dn + (size_t)n + 1 > c->dcap) {
        size_t cap = (c->dcap + (size_t)n + 1) * 2;
        c->dump = realloc(c->dump, cap);
        assert_non_null(c->dump);
        c->dcap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(c->dump + c->dn, c->dcap - c->dn, fmt, ap);
    va_end(ap);
    c->dn += (size_t)n;
}

static int on_header(void *ctx, const struct pl_fit_header *h)
{
    struct col *c = ctx;
    dumpf(c, "header seg=%u off=%llu size=%u proto=%u profile=%u data=%u crc=%04x ok=%d\n",
          h->segment, (unsigned long long)h->offset, h->size, h->protocol, h->profile,
          h->data_size, h->crc, h->crc_ok);
    if (c->nh < 8)
        c->h[c->nh] = *h;
    c->nh++;
    return 0;
}

static int on_trailer(void *ctx, const struct pl_fit_trailer *t)
{
    struct col *c = ctx;
    dumpf(c, "trailer seg=%u file=%04x computed=%04x present=%d ok=%d\n", t->segment, t->crc_file,
          t->crc_computed, t->crc_present, t->crc_ok);
    if (c->nt < 8)
        c->t[c->nt] = *t;
    c->nt++;
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    struct col *c = ctx;
    dumpf(c, "warning %s at %llu: %s\n", pl_err_name(w->code), (unsigned long long)w->offset, w->msg);
    if (c->nw < 16)
        c->w[c->nw] = *w;
    c->nw++;
}

static void keep_value(struct col *c, struct cval *cv, const struct pl_fit_value *v)
{
    const struct pl_fit_field *f = v->field;
    memset(cv, 0, sizeof *cv);
    assert_non_null(f);
    cv->num = f->num;
    cv->named = f->name != NULL;
    if (f->name)
        snprintf(cv->name, sizeof cv->name, "%s", f->name);
    assert_non_null(f->units);
    snprintf(cv->units, sizeof cv->units, "%s", f->units);
    cv->flags = f->flags;
    cv->dev_index = f->dev_index;
    cv->show = f->show;
    cv->type = f->type;
    cv->kind = v->kind;
    cv->base = v->base;
    cv->count = v->count;
    cv->raw64 = v->raw64;
    assert_true(v->count >= 1);
    dumpf(c, "  %s%s #%u/%u fl=%02x show=%u kind=%u base=%u count=%u:", f->flags & PL_FIT_F_DEV ? "dev " : "",
          f->name ? f->name : "?", f->num, f->dev_index, f->flags, f->show, v->kind, v->base, v->count);
    if (v->kind == PL_FIT_K_NUMBER) {
        for (unsigned i = 0; i < v->count; i++) {
            double x = v->count == 1 ? v->u.num : v->u.nums[i];
            if (i < C_NUMS)
                cv->nums[i] = x;
            dumpf(c, " %.17g", x);
        }
        dumpf(c, " raw64=%llu [%s]\n", (unsigned long long)v->raw64, f->units);
    } else {
        cv->nbytes = v->u.bytes.n;
        memcpy(cv->bytes, v->u.bytes.p, v->u.bytes.n < C_BYTES ? v->u.bytes.n : C_BYTES);
        for (uint32_t i = 0; i < v->u.bytes.n; i++)
            dumpf(c, " %02x", v->u.bytes.p[i]);
        dumpf(c, "\n");
    }
}

static int on_msg(void *ctx, const struct pl_fit_msg *m)
{
    struct col *c = ctx;
    dumpf(c, "msg %u %s local=%u seg=%u off=%llu n=%u\n", m->global, m->name ? m->name : "?", m->local,
          m->segment, (unsigned long long)m->offset, m->nvalues);
    struct cmsg scratch, *cm = c->nm < C_MSGS ? &c->m[c->nm] : &scratch;
    memset(cm, 0, sizeof *cm);
    cm->global = m->global;
    cm->named = m->name != NULL;
    if (m->name)
        snprintf(cm->name, sizeof cm->name, "%s", m->name);
    cm->local = m->local;
    cm->segment = m->segment;
    cm->offset = m->offset;
    cm->n = m->nvalues;
    assert_true(m->nvalues <= C_VALS);
    for (uint32_t i = 0; i < m->nvalues; i++)
        keep_value(c, &cm->v[i], &m->values[i]);
    c->nm++;
    return c->stop_at && c->nm >= c->stop_at;
}

static struct pl_fit_handler handler_for(struct col *c)
{
    return (struct pl_fit_handler){ c, on_header, on_msg, on_trailer, on_warning };
}

/* PL_TEST_FIT_DUMP=DIR writes each decoded file, for a cross-check with
 * another decoder. */
static void maybe_dump(const uint8_t *p, size_t n)
{
    static int seq;
    const char *dir = getenv("PL_TEST_FIT_DUMP");
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%03d.fit", dir, seq++);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(p, 1, n, fp);
        fclose(fp);
    }
}

static int decode_bytes(const uint8_t *p, size_t n, unsigned opts, struct col *c, struct pl_diag *d)
{
    struct pl_fit_handler h = handler_for(c);
    pl_diag_clear(d);
    maybe_dump(p, n);
    int rc = pl_fit_decode(p, n, &h, opts, d);
    dumpf(c, "rc=%s at %llu\n", pl_err_name(rc), rc ? (unsigned long long)d->offset : 0ULL);
    return rc;
}

static int decode(const struct fb *f, unsigned opts, struct col *c, struct pl_diag *d)
{
    return decode_bytes(f->b, f->n, opts, c, d);
}

/* The same through the streaming calls, `piece` bytes per feed. */
static int decode_in_pieces(const uint8_t *p, size_t n, size_t piece, unsigned opts, struct col *c,
                            struct pl_diag *d)
{
    struct pl_fit_handler h = handler_for(c);
    struct pl_fit_decoder *dec = pl_fit_decoder_new(&h, opts);
    assert_non_null(dec);
    pl_diag_clear(d);
    int rc = 0;
    for (size_t at = 0; at < n && !rc; at += piece)
        rc = pl_fit_decoder_feed(dec, p + at, n - at < piece ? n - at : piece, d);
    if (!rc)
        rc = pl_fit_decoder_finish(dec, d);
    pl_fit_decoder_free(dec);
    dumpf(c, "rc=%s at %llu\n", pl_err_name(rc), rc ? (unsigned long long)d->offset : 0ULL);
    return rc;
}

/* Look-ups in a collected message. */
static const struct cval *by_name(const struct cmsg *m, const char *name)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (m->v[i].named && strcmp(m->v[i].name, name) == 0)
            return &m->v[i];
    return NULL;
}

static const struct cval *by_num(const struct cmsg *m, int num)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (m->v[i].num == num && !(m->v[i].flags & (PL_FIT_F_DEV | PL_FIT_F_SUBFIELD)))
            return &m->v[i];
    return NULL;
}

static const struct cval *dev_val(const struct cmsg *m, int index, int num)
{
    for (uint32_t i = 0; i < m->n; i++)
        if ((m->v[i].flags & PL_FIT_F_DEV) && m->v[i].dev_index == index && m->v[i].num == num)
            return &m->v[i];
    return NULL;
}

/* A number, compared to within a relative 1e-12 (scaled values are
 * computed as raw / scale - offset). */
#define assert_num(v, want) check_num((v), (want), #v, __FILE__, __LINE__)

static void check_num(const struct cval *v, double want, const char *what, const char *file, int line)
{
    if (!v)
        fail_msg("%s:%d: %s is absent, expected %.17g", file, line, what, want);
    if (v->kind != PL_FIT_K_NUMBER)
        fail_msg("%s:%d: %s is of kind %u, expected a number", file, line, what, v->kind);
    double got = v->nums[0];
    if (!(fabs(got - want) <= 1e-12 * fmax(1, fabs(want))))
        fail_msg("%s:%d: %s is %.17g, expected %.17g", file, line, what, got, want);
}

#define assert_bytes(v, s, n) check_bytes((v), (const uint8_t *)(s), (n), #v, __FILE__, __LINE__)

static void check_bytes(const struct cval *v, const uint8_t *want, uint32_t n, const char *what,
                        const char *file, int line)
{
    if (!v)
        fail_msg("%s:%d: %s is absent", file, line, what);
    if (v->nbytes != n || memcmp(v->bytes, want, n) != 0)
        fail_msg("%s:%d: %s has %u bytes, not the %u expected", file, line, what, v->nbytes, n);
}

/* ------------------------------------------------------------------ */
/* Small files used by several tests                                    */
/* ------------------------------------------------------------------ */

/* A file_id then one record: timestamp and heart rate. */
static void small_body(struct fb *f)
{
    DEF(f, 0, 0, LE, { 0, 1, T_ENUM }, { 1, 2, T_UINT16 }, { 4, 4, T_UINT32 });
    rec(f, 0);
    put8(f, 4);                /* type: activity */
    put16(f, 1, LE);           /* manufacturer: garmin */
    put32(f, 1000000000, LE);  /* time_created */
    DEF(f, 1, 20, LE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 });
    rec(f, 1);
    put32(f, 1000000001, LE);
    put8(f, 150);
}

static void small_file(struct fb *f, unsigned hsize)
{
    memset(f, 0, sizeof *f);
    fb_header(f, hsize);
    small_body(f);
    fb_end(f);
}

/* A file that exercises most of the decoder: two chained segments, every
 * record kind, developer fields, components, accumulation, a sub-field,
 * big-endian definitions, redefinition, arrays and strings. ends[] gets
 * the end offset of each data record (for the truncation test). */
static size_t rich_file(struct fb *f, size_t *ends, size_t ends_max)
{
    size_t ne = 0;
#define MARK() do { if (ends && ne < ends_max) ends[ne] = f->n; ne++; } while (0)
    memset(f, 0, sizeof *f);
    fb_header(f, 14);
    DEF(f, 0, 0, LE, { 0, 1, T_ENUM }, { 1, 2, T_UINT16 }, { 3, 4, T_UINT32Z }, { 4, 4, T_UINT32 });
    rec(f, 0);
    put8(f, 4);
    put16(f, 1, LE);
    put32(f, 12345, LE);
    put32(f, 1000000000, LE);
    MARK();
    /* developer_data_id: application_id and developer_data_index */
    DEF(f, 1, 207, LE, { 1, 16, T_BYTE }, { 3, 1, T_UINT8 });
    rec(f, 1);
    putbytes(f, "\x01\x01\x02\x03\x05\x08\x0d\x15\x22\x37\x59\x90\xe9\x79\x62\xdb", 16);
    put8(f, 0);
    MARK();
    /* field_description: index, number, base type, name, scale, offset,
     * units */
    DEF(f, 2, 206, LE, { 0, 1, T_UINT8 }, { 1, 1, T_UINT8 }, { 2, 1, T_UINT8 }, { 3, 16, T_STRING },
        { 6, 1, T_UINT8 }, { 7, 1, T_SINT8 }, { 8, 8, T_STRING });
    rec(f, 2);
    put8(f, 0), put8(f, 0), put8(f, T_UINT16), putstr(f, "power2", 16), put8(f, 10), put8(f, 5),
        putstr(f, "watts", 8);
    MARK();
    rec(f, 2);
    put8(f, 0), put8(f, 1), put8(f, T_STRING), putstr(f, "mood", 16), put8(f, 0xFF), put8(f, 0x7F),
        putstr(f, "", 8);
    MARK();
    /* record with components and developer fields */
    DEF_DEV(f, 3, 20, LE,
            FIELDS({ 253, 4, T_UINT32 }, { 3, 1, T_UINT8 }, { 6, 2, T_UINT16 }, { 2, 2, T_UINT16 },
                   { 8, 3, T_BYTE }),
            { 0, 2, 0 }, { 1, 6, 0 });
    rec(f, 3);
    put32(f, 1000000010, LE), put8(f, 140), put16(f, 3500, LE), put16(f, 3000, LE);
    putbytes(f, "\x5e\x01\x0a", 3);
    put16(f, 1234, LE), putstr(f, "calm", 6);
    MARK();
    rec(f, 3);
    put32(f, 1000000011, LE), put8(f, 141), put16(f, 0xFFFF, LE), put16(f, 3005, LE);
    putbytes(f, "\x90\x01\xfa", 3);
    put16(f, 0xFFFF, LE), putstr(f, "tense!", 6);
    MARK();
    /* compressed timestamps for a record of heart rate only */
    DEF(f, 1, 20, LE, { 3, 1, T_UINT8 });
    crec(f, 1, 20);
    put8(f, 142);
    MARK();
    crec(f, 1, 2); /* rolls over: 1000000020 has low bits 20 */
    put8(f, 143);
    MARK();
    /* a big-endian event: timer start, manual */
    DEF(f, 4, 21, BE, { 253, 4, T_UINT32 }, { 0, 1, T_ENUM }, { 1, 1, T_ENUM }, { 3, 4, T_UINT32 });
    rec(f, 4);
    put32(f, 1000000050, BE), put8(f, 0), put8(f, 0), put32(f, 0, BE);
    MARK();
    /* hrv: a scaled array with an invalid element */
    DEF(f, 5, 78, LE, { 0, 8, T_UINT16 });
    rec(f, 5);
    put16(f, 1000, LE), put16(f, 850, LE), put16(f, 0xFFFF, LE), put16(f, 905, LE);
    MARK();
    /* local 0 redefined as a big-endian record */
    DEF(f, 0, 20, BE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 }, { 5, 4, T_UINT32 });
    rec(f, 0);
    put32(f, 1000000060, BE), put8(f, 150), put32(f, 123456, BE);
    MARK();
    fb_end(f);
    /* second segment: 12-byte header, definitions start afresh */
    fb_header(f, 12);
    DEF(f, 0, 20, LE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 });
    rec(f, 0);
    put32(f, 1000000100, LE), put8(f, 160);
    MARK();
    DEF(f, 2, 20, LE, { 3, 1, T_UINT8 });
    crec(f, 2, 5);
    put8(f, 161);
    MARK();
    fb_end(f);
#undef MARK
    return ne;
}

/* ------------------------------------------------------------------ */
/* CRC                                                                  */
/* ------------------------------------------------------------------ */

/* The FIT CRC is CRC-16/ARC (poly 0x8005 reflected, init 0, no xor out),
 * whose published check value for "123456789" is 0xBB3D. */
static void test_the_crc_of_123456789_is_the_crc16_arc_check_value(void **state)
{
    (void)state;
    assert_int_equal(pl_fit_crc16(0, "123456789", 9), 0xBB3D);
}

static void test_the_crc_continues_across_pieces(void **state)
{
    (void)state;
    const char *s = "123456789abcdefghijklmnopqrstuvwxyz";
    size_t n = strlen(s);
    uint16_t whole = pl_fit_crc16(0, s, n);
    for (size_t cut = 0; cut <= n; cut++)
        assert_int_equal(pl_fit_crc16(pl_fit_crc16(0, s, cut), s + cut, n - cut), whole);
}

/* A block followed by its own CRC (little-endian) has CRC 0: the property
 * FIT readers may use to check a file in one pass (FIT protocol, "CRC"). */
static void test_a_block_followed_by_its_crc_has_crc_zero(void **state)
{
    (void)state;
    struct fb f;
    small_file(&f, 14);
    assert_int_equal(pl_fit_crc16(0, f.b, f.n), 0);
    assert_int_equal(pl_fit_crc16(0, f.b, 14), 0);
}

/* ------------------------------------------------------------------ */
/* File header                                                          */
/* ------------------------------------------------------------------ */

static void test_is_fit_recognises_a_fit_header_and_nothing_else(void **state)
{
    (void)state;
    struct fb f;
    small_file(&f, 12);
    assert_true(pl_fit_is_fit(f.b, f.n));
    assert_true(pl_fit_is_fit(f.b, 12));
    assert_false(pl_fit_is_fit(f.b, 11));
    assert_false(pl_fit_is_fit("<?xml version=\"1.0\"?><gpx>", 26));
    f.b[9] = 'f';
    assert_false(pl_fit_is_fit(f.b, f.n));
}

static void test_a_file_with_a_12_byte_header_decodes(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    small_file(&f, 12);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.nh, 1);
    assert_int_equal(c.h[0].size, 12);
    assert_int_equal(c.h[0].protocol, 0x20);
    assert_int_equal(c.h[0].profile, 2132);
    assert_int_equal(c.h[0].data_size, f.n - 12 - 2);
    assert_int_equal(c.h[0].crc, 0);
    assert_true(c.h[0].crc_ok);
    assert_int_equal(c.nm, 2);
    assert_string_equal(c.m[0].name, "file_id");
    assert_num(by_name(&c.m[0], "time_created"), 1000000000);
    assert_string_equal(c.m[1].name, "record");
    assert_num(by_name(&c.m[1], "heart_rate"), 150);
    assert_int_equal(c.nt, 1);
    assert_true(c.t[0].crc_present);
    assert_true(c.t[0].crc_ok);
    assert_int_equal(c.nw, 0);
    col_release(&c);
}

static void test_a_file_with_a_14_byte_header_and_its_crc_decodes(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    small_file(&f, 14);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.h[0].size, 14);
    assert_int_equal(c.h[0].crc, pl_fit_crc16(0, f.b, 12));
    assert_int_not_equal(c.h[0].crc, 0);
    assert_true(c.h[0].crc_ok);
    assert_int_equal(c.nm, 2);
    assert_int_equal(c.m[0].offset, 14 + 6 + 3 * 3); /* after its definition */
    assert_true(c.t[0].crc_ok);
    assert_int_equal(c.nw, 0);
    col_release(&c);
}

static void test_a_header_crc_of_zero_means_absent(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, END_NO_HEADER_CRC, 0);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.h[0].crc, 0);
    assert_true(c.h[0].crc_ok);
    assert_int_equal(c.nm, 2);
    assert_int_equal(c.nw, 0);
    col_release(&c);
}

static void test_a_wrong_header_crc_is_a_warning_by_default(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, END_BAD_HEADER_CRC, 0);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_false(c.h[0].crc_ok);
    assert_int_equal(c.nw, 1);
    assert_int_equal(c.w[0].code, PL_ECRC);
    assert_int_equal(c.w[0].offset, 12);
    assert_int_equal(c.nm, 2);
    assert_true(c.t[0].crc_ok);
    col_release(&c);
}

static void test_a_wrong_header_crc_is_an_error_when_strict(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, END_BAD_HEADER_CRC, 0);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), PL_ECRC);
    assert_int_equal(d.code, PL_ECRC);
    assert_int_equal(d.offset, 12);
    assert_non_null(strstr(d.msg, "header CRC"));
    assert_int_equal(c.nm, 0);
    col_release(&c);
}

/* A device that stops before finishing the file leaves data size 0: the
 * records run to the end of the input, and the last two bytes are the
 * file CRC. */
static void test_a_data_size_of_zero_is_decoded_to_the_end_with_a_warning(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, END_SIZE_ZERO, 0);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.h[0].data_size, 0);
    assert_int_equal(c.nm, 2);
    assert_num(by_name(&c.m[1], "heart_rate"), 150);
    assert_int_equal(c.nw, 1);
    assert_int_equal(c.w[0].code, PL_EFORMAT);
    assert_int_equal(c.w[0].offset, 4);
    assert_int_equal(c.nt, 1);
    assert_true(c.t[0].crc_present);
    assert_true(c.t[0].crc_ok);
    col_release(&c);
}

/* The recovery does not depend on how the input is cut: whether the CRC
 * bytes arrive with the last record or on their own. */
static void test_a_recovered_data_size_is_the_same_in_pieces_of_every_size(void **state)
{
    (void)state;
    for (int how = 0; how < 2; how++) {
        struct fb f;
        struct col one;
        struct pl_diag d;
        memset(&f, 0, sizeof f);
        fb_header(&f, 14);
        small_body(&f);
        if (how == 0)
            fb_end_with(&f, END_SIZE_ZERO, 0);
        else
            fb_end_with(&f, 0, 100);
        col_init(&one);
        assert_int_equal(decode(&f, 0, &one, &d), 0);
        for (size_t piece = 1; piece <= f.n; piece++) {
            struct col c;
            col_init(&c);
            int rc = decode_in_pieces(f.b, f.n, piece, 0, &c, &d);
            if (rc != 0 || c.dn != one.dn || memcmp(c.dump, one.dump, one.dn) != 0)
                fail_msg("pieces of %zu bytes: rc %s, delivered:\n%s\n--- one feed:\n%s", piece,
                         pl_err_name(rc), c.dump, one.dump);
            col_release(&c);
        }
        col_release(&one);
    }
}

/* pliant.h: with PL_FIT_STRICT "a recovered data size is an error". */
static void test_a_data_size_of_zero_is_an_error_when_strict(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, END_SIZE_ZERO, 0);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, 4);
    col_release(&c);
}

/* The file CRC may begin with any byte, among them one that reads as the
 * header of a record of an undefined local type: with data size 0 it
 * must still be taken as the CRC. Low byte 0x05 would be a data record of
 * local type 5. */
static void test_a_data_size_of_zero_recovers_whatever_the_crc_bytes_look_like(void **state)
{
    (void)state;
    bool seen_05 = false;
    /* Vary the serial number until the CRC starts with 0x05, and check
     * every first byte met on the way too. */
    for (uint32_t serial = 1; serial < 20000 && !seen_05; serial++) {
        struct fb f;
        struct col c;
        struct pl_diag d;
        memset(&f, 0, sizeof f);
        fb_header(&f, 12);
        DEF(&f, 0, 0, LE, { 3, 4, T_UINT32Z });
        rec(&f, 0);
        put32(&f, serial, LE);
        fb_end_with(&f, END_SIZE_ZERO, 0);
        seen_05 = f.b[f.n - 2] == 0x05;
        col_init(&c);
        int rc = decode(&f, 0, &c, &d);
        if (rc != 0 || c.nm != 1 || c.nt != 1 || !c.t[0].crc_ok)
            fail_msg("serial %u, CRC bytes %02x %02x: rc %s (%s), %zu messages, %zu trailers", serial,
                     f.b[f.n - 2], f.b[f.n - 1], pl_err_name(rc), d.msg, c.nm, c.nt);
        col_release(&c);
    }
    assert_true(seen_05);
}

/* The same when the CRC bytes read as a whole record of a defined local
 * type: local 0 holds one byte, so a CRC whose low byte is 0x00 reads as
 * a complete 2-byte data record. */
static void test_a_data_size_of_zero_recovers_a_crc_that_reads_as_a_whole_record(void **state)
{
    (void)state;
    /* Found as a known bug by this test: records are now held back until
     * two bytes follow them when the data size is 0. */
    for (uint32_t v = 0; v < 256 * 256; v++) {
        struct fb f;
        memset(&f, 0, sizeof f);
        fb_header(&f, 12);
        DEF(&f, 0, 0xFF00, LE, { 1, 1, T_UINT8 }, { 2, 1, T_UINT8 });
        rec(&f, 0), put8(&f, v & 0xFF), put8(&f, v >> 8);
        DEF(&f, 0, 0xFF00, LE, { 1, 1, T_UINT8 });
        fb_end_with(&f, END_SIZE_ZERO, 0);
        if (f.b[f.n - 2] != 0x00)
            continue;
        struct col c;
        struct pl_diag d;
        col_init(&c);
        assert_int_equal(decode(&f, 0, &c, &d), 0);
        assert_int_equal(c.nm, 1);
        assert_int_equal(c.nt, 1);
        assert_true(c.t[0].crc_ok);
        col_release(&c);
        return;
    }
    fail_msg("no CRC with low byte 0x00 found");
}

/* A header whose data size runs past the end of the input, on a file that
 * is otherwise whole (its last two bytes are the CRC of all before them):
 * decoded to the end and recovered, with a warning. */
static void test_a_data_size_larger_than_the_file_is_recovered_with_a_warning(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, 0, 100);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.nm, 2);
    assert_true(c.nw >= 1);
    assert_int_equal(c.nt, 1);
    assert_true(c.t[0].crc_ok);
    col_release(&c);
}

static void test_a_data_size_larger_than_the_file_is_an_error_when_strict(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, 0, 100);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, 4);
    assert_int_equal(c.nm, 2);
    col_release(&c);
}

/* A cut inside the file header of a file that is recognisably FIT (".FIT"
 * present) is a truncated file, not "not a FIT file". */
static void test_a_file_cut_inside_its_header_is_truncated(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    small_file(&f, 14);
    col_init(&c);
    assert_int_equal(decode_bytes(f.b, 13, 0, &c, &d), PL_ETRUNCATED);
    assert_int_equal(d.offset, 13);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* File CRC                                                             */
/* ------------------------------------------------------------------ */

static void test_a_right_file_crc_is_reported_in_the_trailer(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    small_file(&f, 14);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.nt, 1);
    assert_int_equal(c.t[0].segment, 0);
    assert_true(c.t[0].crc_present);
    assert_true(c.t[0].crc_ok);
    assert_int_equal(c.t[0].crc_file, f.b[f.n - 2] | f.b[f.n - 1] << 8);
    assert_int_equal(c.t[0].crc_computed, c.t[0].crc_file);
    col_release(&c);
}

static void test_a_wrong_file_crc_is_a_warning_by_default(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    fb_end_with(&f, END_BAD_FILE_CRC, 0);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.nm, 2);
    assert_int_equal(c.nt, 1);
    assert_false(c.t[0].crc_ok);
    assert_int_equal(c.t[0].crc_file ^ c.t[0].crc_computed, 0x8001);
    assert_int_equal(c.nw, 1);
    assert_int_equal(c.w[0].code, PL_ECRC);
    assert_int_equal(c.w[0].offset, f.n - 2);
    col_release(&c);
}

static void test_a_wrong_file_crc_is_an_error_when_strict(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 12);
    small_body(&f);
    fb_end_with(&f, END_BAD_FILE_CRC, 0);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), PL_ECRC);
    assert_int_equal(d.offset, f.n - 2);
    assert_non_null(strstr(d.msg, "CRC"));
    assert_int_equal(c.nm, 2); /* what came before was delivered */
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Record headers and definitions                                       */
/* ------------------------------------------------------------------ */

static void test_every_local_type_from_0_to_15_keeps_its_own_definition(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    /* local type i: manufacturer-range message 0xFF00 + i, field i */
    for (unsigned i = 0; i < 16; i++)
        def_x(&f, i, 0xFF00 + i, LE, FIELDS({ (uint8_t)i, 1, T_UINT8 }), NULL, 0, false);
    for (unsigned i = 16; i-- > 0;) {
        rec(&f, i);
        put8(&f, 100 + i);
    }
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 16);
    for (unsigned k = 0; k < 16; k++) {
        unsigned i = 15 - k;
        assert_int_equal(c.m[k].local, i);
        assert_int_equal(c.m[k].global, 0xFF00 + i);
        assert_false(c.m[k].named);
        assert_int_equal(c.m[k].n, 1);
        assert_int_equal(c.m[k].v[0].flags & PL_FIT_F_UNKNOWN, PL_FIT_F_UNKNOWN);
        assert_num(by_num(&c.m[k], (int)i), 100 + i);
    }
    col_release(&c);
}

/* One message of every base type, written in the given byte order. */
static void all_bases_file(struct fb *f, bool be, bool invalid)
{
    memset(f, 0, sizeof *f);
    fb_header(f, 14);
    DEF(f, 0, 0xFF00, be, { 0, 1, T_ENUM }, { 1, 1, T_SINT8 }, { 2, 1, T_UINT8 }, { 3, 2, T_SINT16 },
        { 4, 2, T_UINT16 }, { 5, 4, T_SINT32 }, { 6, 4, T_UINT32 }, { 7, 4, T_STRING },
        { 8, 4, T_FLOAT32 }, { 9, 8, T_FLOAT64 }, { 10, 1, T_UINT8Z }, { 11, 2, T_UINT16Z },
        { 12, 4, T_UINT32Z }, { 13, 1, T_BYTE }, { 14, 8, T_SINT64 }, { 15, 8, T_UINT64 },
        { 16, 8, T_UINT64Z });
    rec(f, 0);
    if (!invalid) {
        put8(f, 3);
        put8(f, 0xFB); /* -5 */
        put8(f, 200);
        put16(f, (uint16_t)-1234, be);
        put16(f, 60000, be);
        put32(f, (uint32_t)-123456789, be);
        put32(f, 4000000000u, be);
        putstr(f, "abc", 4);
        putf32(f, 1.5f, be);
        putf64(f, -2.25, be);
        put8(f, 7);
        put16(f, 300, be);
        put32(f, 70000, be);
        put8(f, 0x12);
        put64(f, (uint64_t)-(INT64_C(1) << 40), be);
        put64(f, (UINT64_C(1) << 60) + 1, be);
        put64(f, 5, be);
    } else {
        /* FIT protocol, "Base Types": the invalid value of each */
        put8(f, 0xFF);
        put8(f, 0x7F);
        put8(f, 0xFF);
        put16(f, 0x7FFF, be);
        put16(f, 0xFFFF, be);
        put32(f, 0x7FFFFFFF, be);
        put32(f, 0xFFFFFFFF, be);
        putstr(f, "", 4);
        put32(f, 0xFFFFFFFF, be);
        put64(f, UINT64_MAX, be);
        put8(f, 0);
        put16(f, 0, be);
        put32(f, 0, be);
        put8(f, 0xFF);
        put64(f, INT64_MAX, be);
        put64(f, UINT64_MAX, be);
        put64(f, 0, be);
    }
    fb_end(f);
}

static void check_all_bases(bool be)
{
    struct fb f;
    struct col c;
    struct pl_diag d;
    all_bases_file(&f, be, false);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 1);
    const struct cmsg *m = &c.m[0];
    assert_int_equal(m->n, 17);
    static const uint8_t bases[17] = {
        PL_FIT_ENUM, PL_FIT_SINT8, PL_FIT_UINT8, PL_FIT_SINT16, PL_FIT_UINT16, PL_FIT_SINT32,
        PL_FIT_UINT32, PL_FIT_STRING, PL_FIT_FLOAT32, PL_FIT_FLOAT64, PL_FIT_UINT8Z, PL_FIT_UINT16Z,
        PL_FIT_UINT32Z, PL_FIT_BYTE, PL_FIT_SINT64, PL_FIT_UINT64, PL_FIT_UINT64Z,
    };
    for (int i = 0; i < 17; i++) {
        assert_non_null(by_num(m, i));
        assert_int_equal(by_num(m, i)->base, bases[i]);
        assert_int_equal(by_num(m, i)->count, 1);
    }
    assert_num(by_num(m, 0), 3);
    assert_num(by_num(m, 1), -5);
    assert_num(by_num(m, 2), 200);
    assert_num(by_num(m, 3), -1234);
    assert_num(by_num(m, 4), 60000);
    assert_num(by_num(m, 5), -123456789);
    assert_num(by_num(m, 6), 4000000000.0);
    assert_int_equal(by_num(m, 7)->kind, PL_FIT_K_STRING);
    assert_bytes(by_num(m, 7), "abc", 3);
    assert_num(by_num(m, 8), 1.5);
    assert_num(by_num(m, 9), -2.25);
    assert_num(by_num(m, 10), 7);
    assert_num(by_num(m, 11), 300);
    assert_num(by_num(m, 12), 70000);
    assert_num(by_num(m, 13), 0x12);
    assert_num(by_num(m, 14), -1099511627776.0);
    assert_int_equal(by_num(m, 14)->raw64, (uint64_t)-(INT64_C(1) << 40));
    /* a double cannot hold 2^60 + 1: raw64 keeps it exactly */
    assert_int_equal(by_num(m, 15)->raw64, (UINT64_C(1) << 60) + 1);
    assert_num(by_num(m, 15), 1152921504606846976.0);
    assert_num(by_num(m, 16), 5);
    col_release(&c);
}

/* raw64 holds the exact bits of a number (the first element of an array)
 * and 0 for strings and bytes: never what an earlier message left. */
static void test_raw64_is_never_left_over_from_an_earlier_message(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 0xFF00, LE, { 1, 8, T_UINT64 }, { 2, 8, T_UINT64 }, { 3, 8, T_UINT64 });
    rec(&f, 0), put64(&f, UINT64_C(0x1111111111111111), LE), put64(&f, UINT64_C(0x2222222222222222), LE),
        put64(&f, UINT64_C(0x3333333333333333), LE);
    DEF(&f, 0, 0xFF00, LE, { 1, 4, T_STRING }, { 2, 3, T_UINT16 }, { 3, 6, T_UINT16 });
    rec(&f, 0), putstr(&f, "ab", 4), putbytes(&f, "", 3), put16(&f, 7, LE), put16(&f, 8, LE),
        put16(&f, 9, LE);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(by_num(&c.m[0], 1)->raw64, UINT64_C(0x1111111111111111));
    assert_int_equal(by_num(&c.m[1], 1)->kind, PL_FIT_K_STRING);
    assert_int_equal(by_num(&c.m[1], 1)->raw64, 0);
    assert_int_equal(by_num(&c.m[1], 2)->kind, PL_FIT_K_BYTES);
    assert_int_equal(by_num(&c.m[1], 2)->raw64, 0);
    assert_int_equal(by_num(&c.m[1], 3)->count, 3);
    assert_int_equal(by_num(&c.m[1], 3)->raw64, 7);
    col_release(&c);
}

static void test_every_base_type_decodes_from_a_little_endian_definition(void **state)
{
    (void)state;
    check_all_bases(LE);
}

static void test_every_base_type_decodes_from_a_big_endian_definition(void **state)
{
    (void)state;
    check_all_bases(BE);
}

static void test_the_invalid_value_of_every_base_type_leaves_the_field_absent(void **state)
{
    (void)state;
    for (int be = 0; be < 2; be++) {
        struct fb f;
        struct col c;
        struct pl_diag d;
        all_bases_file(&f, be, true);
        col_init(&c);
        assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
        assert_int_equal(c.nm, 1);
        assert_int_equal(c.m[0].n, 0);
        col_release(&c);
    }
}

static void test_a_big_endian_definition_reads_its_global_number_big_endian(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, BE, { 253, 4, T_UINT32 }, { 6, 2, T_UINT16 }, { 3, 1, T_UINT8 });
    rec(&f, 0);
    put32(&f, 1000000000, BE);
    put16(&f, 3500, BE);
    put8(&f, 150);
    fb_end(&f);
    assert_int_equal(f.b[14 + 3], 0x00); /* global 20 as 00 14 */
    assert_int_equal(f.b[14 + 4], 0x14);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.m[0].global, 20);
    assert_num(by_name(&c.m[0], "timestamp"), 1000000000);
    assert_num(by_name(&c.m[0], "speed"), 3.5);
    assert_num(by_name(&c.m[0], "heart_rate"), 150);
    col_release(&c);
}

static void test_a_local_type_can_be_redefined_between_any_two_messages(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 });
    rec(&f, 0), put8(&f, 120);
    DEF(&f, 0, 21, LE, { 0, 1, T_ENUM }, { 1, 1, T_ENUM });
    rec(&f, 0), put8(&f, 0), put8(&f, 4);
    rec(&f, 0), put8(&f, 0), put8(&f, 0);
    DEF(&f, 0, 20, BE, { 6, 2, T_UINT16 }, { 3, 1, T_UINT8 });
    rec(&f, 0), put16(&f, 2000, BE), put8(&f, 130);
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 });
    rec(&f, 0), put8(&f, 125);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 5);
    assert_int_equal(c.m[0].global, 20);
    assert_num(by_name(&c.m[0], "heart_rate"), 120);
    assert_int_equal(c.m[1].global, 21);
    assert_num(by_name(&c.m[1], "event_type"), 4);
    assert_int_equal(c.m[2].global, 21);
    assert_num(by_name(&c.m[2], "event_type"), 0);
    assert_int_equal(c.m[3].global, 20);
    assert_num(by_name(&c.m[3], "speed"), 2.0);
    assert_num(by_name(&c.m[3], "heart_rate"), 130);
    assert_null(by_name(&c.m[4], "speed"));
    assert_num(by_name(&c.m[4], "heart_rate"), 125);
    col_release(&c);
}

static void test_a_data_record_of_an_undefined_local_type_is_an_error_at_its_offset(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 });
    rec(&f, 0), put8(&f, 120);
    size_t at = f.n;
    rec(&f, 7), put8(&f, 121);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, at);
    assert_non_null(strstr(d.msg, "local type 7"));
    assert_int_equal(c.nm, 1);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Compressed timestamps                                                */
/* ------------------------------------------------------------------ */

/* FIT protocol, "Compressed Timestamp Header": the 5-bit offset replaces
 * the low 5 bits of the last timestamp, adding 32 s when it is smaller
 * than them (a rollover). Each compressed timestamp becomes the last. */
static void test_compressed_timestamps_count_from_the_last_full_timestamp_with_rollover(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 });
    DEF(&f, 1, 20, LE, { 3, 1, T_UINT8 });
    rec(&f, 0), put32(&f, 1000, LE), put8(&f, 100); /* 1000 = 31 * 32 + 8 */
    crec(&f, 1, 10), put8(&f, 101);                 /* 1002 */
    crec(&f, 1, 5), put8(&f, 102);                  /* rollover: 992 + 32 + 5 = 1029 */
    crec(&f, 1, 5), put8(&f, 103);                  /* the same second: 1029 */
    crec(&f, 1, 4), put8(&f, 104);                  /* 1029 + 31 = 1060 */
    rec(&f, 0), put32(&f, 2000, LE), put8(&f, 105); /* 2000 = 62 * 32 + 16 */
    crec(&f, 1, 31), put8(&f, 106);                 /* 2015 */
    crec(&f, 1, 0), put8(&f, 107);                  /* 2016 */
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 8);
    static const double want[8] = { 1000, 1002, 1029, 1029, 1060, 2000, 2015, 2016 };
    for (int i = 0; i < 8; i++) {
        const struct cval *ts = by_name(&c.m[i], "timestamp");
        assert_num(ts, want[i]);
        assert_int_equal(ts->num, 253);
        assert_int_equal(ts->show, PL_FIT_SHOW_DATE_TIME);
        assert_num(by_name(&c.m[i], "heart_rate"), 100 + i);
        assert_int_equal(c.m[i].local, i == 0 || i == 5 ? 0 : 1);
    }
    assert_int_equal(c.nw, 0);
    col_release(&c);
}

static void test_a_compressed_timestamp_record_uses_local_types_0_to_3(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 3, 20, LE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 });
    DEF(&f, 2, 0xFF01, LE, { 1, 1, T_UINT8 });
    rec(&f, 3), put32(&f, 64, LE), put8(&f, 90);
    crec(&f, 2, 3), put8(&f, 7);
    crec(&f, 3, 4), put32(&f, 0xFFFFFFFF, LE), put8(&f, 91);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 3);
    assert_int_equal(c.m[1].local, 2);
    assert_int_equal(c.m[1].global, 0xFF01);
    /* an unknown message still gets its timestamp, as field 253 */
    assert_num(by_num(&c.m[1], 253), 67);
    assert_num(by_num(&c.m[1], 1), 7);
    assert_int_equal(c.m[2].local, 3);
    assert_num(by_name(&c.m[2], "timestamp"), 68);
    assert_num(by_name(&c.m[2], "heart_rate"), 91);
    col_release(&c);
}

static void test_a_compressed_timestamp_of_an_undefined_local_type_is_an_error_at_its_offset(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 253, 4, T_UINT32 });
    rec(&f, 0), put32(&f, 1000, LE);
    size_t at = f.n;
    crec(&f, 1, 3), put8(&f, 1), put8(&f, 2);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, at);
    assert_int_equal(c.nm, 1);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Profile values: scale, offset, absence                               */
/* ------------------------------------------------------------------ */

/* record (20): timestamp, heart_rate, speed (scale 1000), altitude (scale
 * 5, offset 500), distance (scale 100); FIT profile 21.217. */
static void record_file(struct fb *f, uint16_t speed, uint16_t alt, uint8_t hr)
{
    memset(f, 0, sizeof *f);
    fb_header(f, 14);
    DEF(f, 0, 20, LE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 }, { 6, 2, T_UINT16 }, { 2, 2, T_UINT16 },
        { 5, 4, T_UINT32 });
    rec(f, 0);
    put32(f, 1000000000, LE);
    put8(f, hr);
    put16(f, speed, LE);
    put16(f, alt, LE);
    put32(f, 123456, LE);
    fb_end(f);
}

static void test_profile_fields_are_scaled_and_offset(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    record_file(&f, 3500, 3000, 150);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    const struct cmsg *m = &c.m[0];
    assert_string_equal(m->name, "record");
    assert_num(by_name(m, "timestamp"), 1000000000);
    assert_string_equal(by_name(m, "timestamp")->units, "s");
    assert_num(by_name(m, "heart_rate"), 150);
    assert_string_equal(by_name(m, "heart_rate")->units, "bpm");
    assert_num(by_name(m, "speed"), 3.5);
    assert_string_equal(by_name(m, "speed")->units, "m/s");
    assert_num(by_name(m, "altitude"), 100);    /* 3000 / 5 - 500 */
    assert_num(by_name(m, "distance"), 1234.56);
    assert_int_equal(by_name(m, "speed")->raw64, 3500);
    col_release(&c);
}

static void test_raw_mode_gives_the_numbers_as_stored(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    record_file(&f, 3500, 3000, 150);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_RAW, &c, &d), 0);
    const struct cmsg *m = &c.m[0];
    assert_num(by_name(m, "speed"), 3500);
    assert_num(by_name(m, "altitude"), 3000);
    assert_num(by_name(m, "distance"), 123456);
    assert_num(by_name(m, "heart_rate"), 150);
    /* no components either */
    assert_null(by_name(m, "enhanced_speed"));
    assert_null(by_name(m, "enhanced_altitude"));
    assert_int_equal(m->n, 5);
    col_release(&c);
}

/* An invalid value is absent: never scaled into a number (0xFFFF speed is
 * not 65.535 m/s, 0xFFFF altitude is not 12607 m), nor expanded. */
static void test_an_invalid_value_is_absent_and_never_scaled(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    record_file(&f, 0xFFFF, 0xFFFF, 0xFF);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    const struct cmsg *m = &c.m[0];
    assert_null(by_name(m, "speed"));
    assert_null(by_name(m, "enhanced_speed"));
    assert_null(by_name(m, "altitude"));
    assert_null(by_name(m, "enhanced_altitude"));
    assert_null(by_name(m, "heart_rate"));
    assert_num(by_name(m, "distance"), 1234.56);
    assert_int_equal(m->n, 2);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Arrays, strings, odd sizes, unknown base types                       */
/* ------------------------------------------------------------------ */

/* hrv (78) time: uint16 array, scale 1000, in s (FIT profile 21.217). */
static void test_an_array_is_scaled_element_by_element_and_an_invalid_element_is_nan(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 78, LE, { 0, 8, T_UINT16 });
    rec(&f, 0), put16(&f, 1000, LE), put16(&f, 0xFFFF, LE), put16(&f, 850, LE), put16(&f, 905, LE);
    rec(&f, 0), put16(&f, 0xFFFF, LE), put16(&f, 0xFFFF, LE), put16(&f, 0xFFFF, LE), put16(&f, 0xFFFF, LE);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 2);
    const struct cval *t = by_name(&c.m[0], "time");
    assert_non_null(t);
    assert_int_equal(t->count, 4);
    assert_true(t->flags & PL_FIT_F_ARRAY);
    assert_true(fabs(t->nums[0] - 1.0) < 1e-12);
    assert_true(isnan(t->nums[1]));
    assert_true(fabs(t->nums[2] - 0.85) < 1e-12);
    assert_true(fabs(t->nums[3] - 0.905) < 1e-12);
    /* every element invalid: the field is absent */
    assert_null(by_name(&c.m[1], "time"));
    col_release(&c);
}

static void test_a_byte_array_keeps_0xff_bytes_unless_all_are_0xff(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 0xFF00, LE, { 1, 4, T_BYTE }, { 2, 3, T_UINT8 });
    rec(&f, 0), putbytes(&f, "\x01\xff\x02\xff", 4), putbytes(&f, "\x05\x06\x07", 3);
    rec(&f, 0), putbytes(&f, "\xff\xff\xff\xff", 4), putbytes(&f, "\xff\x06\xff", 3);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    const struct cval *b = by_num(&c.m[0], 1);
    assert_non_null(b);
    assert_int_equal(b->count, 4);
    assert_true(b->nums[0] == 1 && b->nums[1] == 255 && b->nums[2] == 2 && b->nums[3] == 255);
    const struct cval *u = by_num(&c.m[0], 2);
    assert_int_equal(u->count, 3);
    assert_true(u->nums[0] == 5 && u->nums[1] == 6 && u->nums[2] == 7);
    assert_null(by_num(&c.m[1], 1));
    u = by_num(&c.m[1], 2);
    assert_non_null(u);
    assert_true(isnan(u->nums[0]) && u->nums[1] == 6 && isnan(u->nums[2]));
    col_release(&c);
}

static void test_a_string_without_a_terminator_keeps_every_byte(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 0xFF00, LE, { 1, 4, T_STRING }, { 2, 6, T_STRING }, { 3, 3, T_STRING });
    rec(&f, 0), putstr(&f, "abcd", 4), putstr(&f, "xy", 6), putstr(&f, "", 3);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    const struct cval *s = by_num(&c.m[0], 1);
    assert_int_equal(s->kind, PL_FIT_K_STRING);
    assert_bytes(s, "abcd", 4);
    assert_bytes(by_num(&c.m[0], 2), "xy", 2);   /* up to the first NUL */
    assert_null(by_num(&c.m[0], 3));             /* all NUL: absent */
    col_release(&c);
}

/* A multi-byte UTF-8 name cut by a field that is exactly full: the bytes
 * come as they are (FIT strings are UTF-8, NUL-terminated when shorter). */
static void test_a_full_utf8_string_is_delivered_as_its_bytes(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 0xFF00, LE, { 1, 6, T_STRING });
    rec(&f, 0), putstr(&f, "K\xc3\xb6ln!", 6);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_bytes(by_num(&c.m[0], 1), "K\xc3\xb6ln!", 6);
    col_release(&c);
}

static void test_a_field_whose_size_is_not_a_multiple_of_its_type_is_kept_as_bytes(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    size_t def_at = f.n;
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 }, { 6, 3, T_UINT16 }, { 4, 1, T_UINT8 });
    rec(&f, 0), put8(&f, 150), putbytes(&f, "\xac\x0d\x07", 3), put8(&f, 88);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    const struct cmsg *m = &c.m[0];
    const struct cval *s = by_name(m, "speed");
    assert_non_null(s);
    assert_int_equal(s->kind, PL_FIT_K_BYTES);
    assert_bytes(s, "\xac\x0d\x07", 3);
    assert_null(by_name(m, "enhanced_speed"));
    /* the fields around it are where they should be */
    assert_num(by_name(m, "heart_rate"), 150);
    assert_num(by_name(m, "cadence"), 88);
    assert_int_equal(c.nw, 1);
    assert_int_equal(c.w[0].code, PL_EFORMAT);
    assert_int_equal(c.w[0].offset, def_at + 6 + 3);
    col_release(&c);
}

static void test_a_zero_size_field_is_absent_and_takes_no_bytes(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 }, { 6, 0, T_UINT16 }, { 4, 1, T_UINT8 }, { 200, 0, T_UINT32 });
    rec(&f, 0), put8(&f, 150), put8(&f, 88);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    const struct cmsg *m = &c.m[0];
    assert_int_equal(m->n, 2);
    assert_num(by_name(m, "heart_rate"), 150);
    assert_num(by_name(m, "cadence"), 88);
    assert_null(by_name(m, "speed"));
    assert_true(c.t[0].crc_ok);
    col_release(&c);
}

static void test_an_unknown_base_type_is_kept_as_bytes_and_the_file_decodes(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    size_t def_at = f.n;
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 }, { 150, 2, 0x1F }, { 151, 3, 0x91 }, { 4, 1, T_UINT8 });
    rec(&f, 0), put8(&f, 150), putbytes(&f, "\x01\x02", 2), putbytes(&f, "\x03\x04\x05", 3), put8(&f, 88);
    rec(&f, 0), put8(&f, 151), putbytes(&f, "\xff\xff", 2), putbytes(&f, "\x00\x00\x00", 3), put8(&f, 89);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 2);
    assert_int_equal(by_num(&c.m[0], 150)->kind, PL_FIT_K_BYTES);
    assert_bytes(by_num(&c.m[0], 150), "\x01\x02", 2);
    assert_bytes(by_num(&c.m[0], 151), "\x03\x04\x05", 3);
    assert_bytes(by_num(&c.m[1], 150), "\xff\xff", 2);
    assert_num(by_name(&c.m[1], "cadence"), 89);
    assert_int_equal(c.nw, 2);
    assert_int_equal(c.w[0].code, PL_EUNSUPPORTED);
    assert_int_equal(c.w[0].offset, def_at + 6 + 3);
    assert_int_equal(c.w[1].offset, def_at + 6 + 6);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Developer data                                                       */
/* ------------------------------------------------------------------ */

/* developer_data_id (207) for index `index`, with or without its
 * application_id (field 1, 16 bytes). */
static void dev_id(struct fb *f, unsigned local, unsigned index, bool with_app)
{
    if (with_app) {
        DEF(f, local, 207, LE, { 1, 16, T_BYTE }, { 3, 1, T_UINT8 });
        rec(f, local);
        putbytes(f, "\x01\x01\x02\x03\x05\x08\x0d\x15\x22\x37\x59\x90\xe9\x79\x62\xdb", 16);
    } else {
        DEF(f, local, 207, LE, { 3, 1, T_UINT8 });
        rec(f, local);
    }
    put8(f, index);
}

/* field_description (206): index, field number, base type, name (16),
 * scale, offset, units (8). */
static void dev_desc_def(struct fb *f, unsigned local)
{
    DEF(f, local, 206, LE, { 0, 1, T_UINT8 }, { 1, 1, T_UINT8 }, { 2, 1, T_UINT8 }, { 3, 16, T_STRING },
        { 6, 1, T_UINT8 }, { 7, 1, T_SINT8 }, { 8, 8, T_STRING });
}

static void dev_desc(struct fb *f, unsigned local, unsigned index, unsigned num, unsigned base,
                     const char *name, unsigned scale, int offset, const char *units)
{
    rec(f, local);
    put8(f, index), put8(f, num), put8(f, base), putstr(f, name, 16), put8(f, scale),
        put8(f, (uint8_t)offset), putstr(f, units, 8);
}

static void dev_file(struct fb *f, bool with_app)
{
    memset(f, 0, sizeof *f);
    fb_header(f, 14);
    dev_id(f, 0, 0, with_app);
    dev_desc_def(f, 1);
    dev_desc(f, 1, 0, 0, T_UINT16, "power2", 10, 5, "watts");
    dev_desc(f, 1, 0, 1, T_STRING, "mood", 0xFF, 0x7F, "");
    dev_desc(f, 1, 0, 2, T_UINT8, "laps", 0xFF, 0x7F, "n");
    DEF_DEV(f, 2, 20, LE, FIELDS({ 253, 4, T_UINT32 }, { 3, 1, T_UINT8 }), { 0, 2, 0 }, { 1, 6, 0 },
            { 2, 3, 0 });
    rec(f, 2);
    put32(f, 1000000000, LE), put8(f, 150);
    put16(f, 1234, LE), putstr(f, "calm", 6), putbytes(f, "\x01\x02\xff", 3);
    rec(f, 2);
    put32(f, 1000000001, LE), put8(f, 151);
    put16(f, 0xFFFF, LE), putstr(f, "tense!", 6), putbytes(f, "\xff\xff\xff", 3);
    fb_end(f);
}

static void check_dev_file(bool with_app)
{
    struct fb f;
    struct col c;
    struct pl_diag d;
    dev_file(&f, with_app);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nw, 0);
    assert_int_equal(c.nm, 6);
    assert_string_equal(c.m[0].name, "developer_data_id");
    assert_string_equal(c.m[1].name, "field_description");
    const struct cmsg *m = &c.m[4];
    assert_num(by_name(m, "heart_rate"), 150);
    const struct cval *p = dev_val(m, 0, 0);
    /* raw 1234, scale 10, offset 5: 1234 / 10 - 5 (FIT protocol,
     * "Developer Data": field_description scale and offset apply as for
     * profile fields; the JS SDK leaves developer values unscaled) */
    assert_num(p, 118.4);
    assert_string_equal(p->name, "power2");
    assert_string_equal(p->units, "watts");
    assert_int_equal(p->base, PL_FIT_UINT16);
    assert_int_equal(p->flags & (PL_FIT_F_DEV | PL_FIT_F_UNKNOWN), PL_FIT_F_DEV);
    const struct cval *s = dev_val(m, 0, 1);
    assert_non_null(s);
    assert_int_equal(s->kind, PL_FIT_K_STRING);
    assert_bytes(s, "calm", 4);
    assert_string_equal(s->name, "mood");
    const struct cval *a = dev_val(m, 0, 2);
    assert_non_null(a);
    assert_int_equal(a->count, 3);
    assert_true(a->nums[0] == 1 && a->nums[1] == 2 && isnan(a->nums[2]));
    assert_string_equal(a->units, "n");
    /* the developer fields do not hide or shift the profile fields */
    assert_null(by_num(m, 0));
    m = &c.m[5];
    assert_null(dev_val(m, 0, 0));
    assert_bytes(dev_val(m, 0, 1), "tense!", 6);
    assert_null(dev_val(m, 0, 2));
    assert_num(by_name(m, "heart_rate"), 151);
    col_release(&c);
}

static void test_developer_fields_decode_with_their_description_and_an_application_id(void **state)
{
    (void)state;
    check_dev_file(true);
}

static void test_developer_fields_decode_without_an_application_id(void **state)
{
    (void)state;
    check_dev_file(false);
}

static void test_a_developer_field_of_an_undeclared_index_is_kept_raw_with_a_warning(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    size_t def_at = f.n;
    DEF_DEV(&f, 0, 20, LE, FIELDS({ 3, 1, T_UINT8 }), { 4, 2, 5 });
    rec(&f, 0), put8(&f, 150), putbytes(&f, "\x34\x12", 2);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    const struct cval *v = dev_val(&c.m[0], 5, 4);
    assert_non_null(v);
    assert_int_equal(v->kind, PL_FIT_K_BYTES);
    assert_bytes(v, "\x34\x12", 2);
    assert_int_equal(v->flags & (PL_FIT_F_DEV | PL_FIT_F_UNKNOWN), PL_FIT_F_DEV | PL_FIT_F_UNKNOWN);
    assert_false(v->named);
    assert_num(by_name(&c.m[0], "heart_rate"), 150);
    assert_int_equal(c.nw, 1);
    assert_int_equal(c.w[0].offset, def_at);
    col_release(&c);
}

/* FIT protocol, "Developer Data": a field_description refers to a
 * developer_data_id by its index; one for an index never declared
 * describes nothing (the SDK's decoder ignores it too), so the field stays
 * raw, as the warning says. */
static void test_a_field_description_for_an_undeclared_index_describes_nothing(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    dev_desc_def(&f, 1);
    dev_desc(&f, 1, 5, 4, T_UINT16, "power2", 10, 5, "watts");
    DEF_DEV(&f, 0, 20, LE, FIELDS({ 3, 1, T_UINT8 }), { 4, 2, 5 });
    rec(&f, 0), put8(&f, 150), putbytes(&f, "\x34\x12", 2);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    const struct cval *v = dev_val(&c.m[1], 5, 4);
    assert_non_null(v);
    assert_int_equal(v->kind, PL_FIT_K_BYTES);
    assert_bytes(v, "\x34\x12", 2);
    col_release(&c);
}

/* A description that comes after the definition that uses it still
 * applies to the messages after it, and a new description of the same
 * field replaces the old. */
static void test_a_developer_field_uses_the_latest_description(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    dev_id(&f, 0, 1, false);
    DEF_DEV(&f, 2, 20, LE, FIELDS({ 3, 1, T_UINT8 }), { 7, 1, 1 });
    rec(&f, 2), put8(&f, 150), put8(&f, 42);
    dev_desc_def(&f, 1);
    dev_desc(&f, 1, 1, 7, T_UINT8, "first", 2, 0, "a");
    rec(&f, 2), put8(&f, 151), put8(&f, 42);
    dev_desc(&f, 1, 1, 7, T_SINT8, "second", 0xFF, 0x7F, "bb");
    rec(&f, 2), put8(&f, 152), put8(&f, 0xFE);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.nm, 6);
    const struct cval *v = dev_val(&c.m[1], 1, 7);
    assert_int_equal(v->kind, PL_FIT_K_BYTES);
    v = dev_val(&c.m[3], 1, 7);
    assert_num(v, 21);
    assert_string_equal(v->name, "first");
    v = dev_val(&c.m[5], 1, 7);
    assert_num(v, -2);
    assert_string_equal(v->name, "second");
    assert_string_equal(v->units, "bb");
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Components and sub-fields                                            */
/* ------------------------------------------------------------------ */

/* record speed has one component, enhanced_speed (16 bits, scale 1000);
 * altitude one, enhanced_altitude (16 bits, scale 5, offset 500). */
static void test_speed_and_altitude_expand_into_their_enhanced_fields(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    record_file(&f, 3500, 3000, 150);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    const struct cmsg *m = &c.m[0];
    assert_num(by_name(m, "enhanced_speed"), 3.5);
    assert_int_equal(by_name(m, "enhanced_speed")->num, 73);
    assert_string_equal(by_name(m, "enhanced_speed")->units, "m/s");
    assert_num(by_name(m, "enhanced_altitude"), 100);
    assert_int_equal(by_name(m, "enhanced_altitude")->num, 78);
    /* the source fields stay */
    assert_num(by_name(m, "speed"), 3.5);
    assert_num(by_name(m, "altitude"), 100);
    col_release(&c);
}

/* record compressed_speed_distance (8): 12 bits of speed (scale 100) then
 * 12 bits of distance (scale 16, accumulated), least significant first;
 * speed expands further into enhanced_speed. Distance accumulates across
 * messages and rolls over at 4096 (FIT protocol, "Accumulated Fields").
 * The SDK's decoder gives the same speeds, distances and enhanced speeds
 * for the first and third messages (for the second it shows an enhanced
 * speed of 40, a slip of its own). */
static void test_compressed_speed_distance_expands_into_speed_and_accumulated_distance(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 253, 4, T_UINT32 }, { 8, 3, T_BYTE });
    /* speed 350, distance 160: 350 | 160 << 12 = 0x0A015E */
    rec(&f, 0), put32(&f, 1000, LE), putbytes(&f, "\x5e\x01\x0a", 3);
    /* speed 400, distance 4000: 0xFA0190 */
    rec(&f, 0), put32(&f, 1001, LE), putbytes(&f, "\x90\x01\xfa", 3);
    /* speed 410, distance 100 (rolled over): 0x06419A */
    rec(&f, 0), put32(&f, 1002, LE), putbytes(&f, "\x9a\x41\x06", 3);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 3);
    assert_num(by_name(&c.m[0], "speed"), 3.5);
    assert_num(by_name(&c.m[0], "enhanced_speed"), 3.5);
    assert_num(by_name(&c.m[0], "distance"), 10);       /* 160 / 16 */
    assert_num(by_name(&c.m[1], "speed"), 4.0);
    assert_num(by_name(&c.m[1], "enhanced_speed"), 4.0);
    assert_num(by_name(&c.m[1], "distance"), 250);      /* 4000 / 16 */
    assert_num(by_name(&c.m[2], "speed"), 4.1);
    assert_num(by_name(&c.m[2], "enhanced_speed"), 4.1);
    assert_num(by_name(&c.m[2], "distance"), 262.25);   /* (4000 + 196) / 16 */
    col_release(&c);
}

/* event.data has the sub-field timer_trigger when event = timer (0)
 * (FIT profile 21.217, message event). */
static void test_event_data_is_timer_trigger_when_the_event_is_timer(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 21, LE, { 253, 4, T_UINT32 }, { 0, 1, T_ENUM }, { 1, 1, T_ENUM }, { 3, 4, T_UINT32 });
    rec(&f, 0), put32(&f, 1000, LE), put8(&f, 0), put8(&f, 0), put32(&f, 0, LE); /* timer start manual */
    rec(&f, 0), put32(&f, 1001, LE), put8(&f, 0), put8(&f, 4), put32(&f, 1, LE); /* timer stop_all auto */
    rec(&f, 0), put32(&f, 1002, LE), put8(&f, 3), put8(&f, 0), put32(&f, 7, LE); /* workout */
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nm, 3);
    const struct cval *t = by_name(&c.m[0], "timer_trigger");
    assert_num(t, 0);
    assert_true(t->flags & PL_FIT_F_SUBFIELD);
    assert_int_equal(t->num, 3);
    assert_int_equal(t->show, PL_FIT_SHOW_ENUM);
    assert_string_equal(pl_fit_enum_name(t->type, 0), "manual");
    assert_num(by_num(&c.m[0], 3), 0);   /* data itself stays */
    t = by_name(&c.m[1], "timer_trigger");
    assert_num(t, 1);
    assert_string_equal(pl_fit_enum_name(t->type, 1), "auto");
    assert_null(by_name(&c.m[2], "timer_trigger"));
    assert_num(by_name(&c.m[2], "data"), 7);
    col_release(&c);
}

static void test_raw_mode_expands_no_sub_fields(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 21, LE, { 0, 1, T_ENUM }, { 3, 4, T_UINT32 });
    rec(&f, 0), put8(&f, 0), put32(&f, 0, LE);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_RAW, &c, &d), 0);
    assert_null(by_name(&c.m[0], "timer_trigger"));
    assert_int_equal(c.m[0].n, 2);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Chained files                                                        */
/* ------------------------------------------------------------------ */

static void test_every_segment_of_a_chained_file_is_decoded(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    rich_file(&f, NULL, 0);
    col_init(&c);
    assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), 0);
    assert_int_equal(c.nh, 2);
    assert_int_equal(c.nt, 2);
    assert_int_equal(c.h[0].segment, 0);
    assert_int_equal(c.h[0].offset, 0);
    assert_int_equal(c.h[1].segment, 1);
    assert_int_equal(c.h[1].size, 12);
    assert_int_equal(c.h[1].offset, c.h[0].size + c.h[0].data_size + 2);
    assert_true(c.t[0].crc_ok && c.t[1].crc_ok);
    assert_int_equal(c.t[1].segment, 1);
    assert_int_equal(c.nm, 13);
    const struct cmsg *last = &c.m[12];
    assert_int_equal(last->segment, 1);
    assert_num(by_name(last, "heart_rate"), 161);
    assert_num(by_name(last, "timestamp"), 1000000101);   /* offset 5 after ...100 (low bits 4) */
    assert_int_equal(c.m[10].segment, 0);
    col_release(&c);
}

static void test_definitions_are_reset_at_each_segment_header(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    small_file(&f, 14);
    fb_header(&f, 14);
    size_t at = f.n;
    rec(&f, 1); /* local 1 was defined in the first segment only */
    put32(&f, 1000000002, LE), put8(&f, 151);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, at);
    assert_int_equal(c.nm, 2);
    assert_int_equal(c.nh, 2);
    col_release(&c);
}

/* Each chained file is a FIT file of its own: its developer_data_ids and
 * field descriptions do not carry into the next (the JS SDK keeps them
 * across segments; pliant does not). */
static void test_developer_descriptions_are_reset_at_each_segment_header(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    dev_file(&f, true);
    fb_header(&f, 12);
    DEF_DEV(&f, 2, 20, LE, FIELDS({ 3, 1, T_UINT8 }), { 0, 2, 0 });
    rec(&f, 2), put8(&f, 150), put16(&f, 1234, LE);
    fb_end(&f);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), 0);
    assert_int_equal(c.nm, 7);
    const struct cval *v = dev_val(&c.m[6], 0, 0);
    assert_non_null(v);
    assert_int_equal(v->kind, PL_FIT_K_BYTES);
    assert_int_equal(c.m[6].segment, 1);
    col_release(&c);
}

static void test_garbage_after_the_last_segment_is_a_warning(void **state)
{
    (void)state;
    static const char *tails[] = { "this is not a FIT header at all", "xyz" };
    for (int i = 0; i < 2; i++) {
        struct fb f;
        struct col c;
        struct pl_diag d;
        small_file(&f, 14);
        size_t end = f.n;
        putbytes(&f, tails[i], strlen(tails[i]));
        col_init(&c);
        assert_int_equal(decode(&f, 0, &c, &d), 0);
        assert_int_equal(c.nm, 2);
        assert_int_equal(c.nw, 1);
        assert_int_equal(c.w[0].code, PL_EFORMAT);
        assert_int_equal(c.w[0].offset, end);
        col_release(&c);
    }
}

static void test_garbage_after_the_last_segment_is_an_error_when_strict(void **state)
{
    (void)state;
    static const char *tails[] = { "this is not a FIT header at all", "xyz" };
    for (int i = 0; i < 2; i++) {
        struct fb f;
        struct col c;
        struct pl_diag d;
        small_file(&f, 14);
        size_t end = f.n;
        putbytes(&f, tails[i], strlen(tails[i]));
        col_init(&c);
        assert_int_equal(decode(&f, PL_FIT_STRICT, &c, &d), PL_EFORMAT);
        assert_int_equal(d.offset, end);
        assert_int_equal(c.nm, 2);
        col_release(&c);
    }
}

/* ------------------------------------------------------------------ */
/* Bounds: every count and size against the bytes left                  */
/* ------------------------------------------------------------------ */

static void test_a_definition_that_crosses_the_end_of_the_data_is_an_error_at_its_offset(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 });
    rec(&f, 0), put8(&f, 150);
    size_t at = f.n;
    DEF(&f, 1, 20, LE, { 3, 1, T_UINT8 }, { 4, 1, T_UINT8 }, { 6, 2, T_UINT16 });
    fb_end_with(&f, 0, -4); /* the data size ends inside the definition */
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, at);
    assert_int_equal(c.nm, 1);
    col_release(&c);
}

static void test_a_data_message_that_crosses_the_end_of_the_data_is_an_error_at_its_offset(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 });
    rec(&f, 0), put32(&f, 1, LE), put8(&f, 150);
    size_t at = f.n;
    rec(&f, 0), put32(&f, 2, LE), put8(&f, 151);
    fb_end_with(&f, 0, -2);
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, at);
    assert_int_equal(c.nm, 1);
    col_release(&c);
}

/* A definition that declares more fields (and developer fields) than the
 * input holds is a truncated file, not a read past the end. */
static void test_a_definition_declaring_more_fields_than_the_input_holds_is_truncation(void **state)
{
    (void)state;
    for (int dev = 0; dev < 2; dev++) {
        struct fb f;
        struct col c;
        struct pl_diag d;
        memset(&f, 0, sizeof f);
        fb_header(&f, 12);
        DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 });
        rec(&f, 0), put8(&f, 150);
        put8(&f, 0x41 | (dev ? 0x20 : 0)), put8(&f, 0), put8(&f, 0), put16(&f, 20, LE);
        put8(&f, dev ? 1 : 255);
        put8(&f, 3), put8(&f, 1), put8(&f, T_UINT8);
        if (dev)
            put8(&f, 255), put8(&f, 0), put8(&f, 1), put8(&f, 0);
        /* header data size as if the definition were whole (762 bytes of
         * fields to come), no CRC: the input just ends */
        uint32_t size = (uint32_t)(f.n - 12 + 762);
        for (int i = 0; i < 4; i++)
            f.b[4 + i] = (uint8_t)(size >> (8 * i));
        col_init(&c);
        assert_int_equal(decode(&f, 0, &c, &d), PL_ETRUNCATED);
        assert_int_equal(d.offset, f.n);
        assert_int_equal(c.nm, 1);
        col_release(&c);
    }
}

/* Developer fields count against the message size as well. */
static void test_developer_field_bytes_count_against_the_end_of_the_data(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    dev_id(&f, 0, 0, false);
    DEF_DEV(&f, 1, 20, LE, FIELDS({ 3, 1, T_UINT8 }), { 0, 200, 0 }, { 1, 200, 0 });
    size_t at = f.n;
    rec(&f, 1), put8(&f, 150);
    for (int i = 0; i < 300; i++)
        put8(&f, i);
    fb_end(&f); /* 300 of the 401 bytes the message needs */
    col_init(&c);
    assert_int_equal(decode(&f, 0, &c, &d), PL_EFORMAT);
    assert_int_equal(d.offset, at);
    assert_int_equal(c.nm, 1);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Truncation, empty and non-FIT input                                  */
/* ------------------------------------------------------------------ */

static void test_a_truncated_file_delivers_every_message_before_the_cut_and_an_error(void **state)
{
    (void)state;
    struct fb f;
    size_t ends[32];
    size_t ne = rich_file(&f, ends, 32);
    assert_true(ne <= 32);
    struct col full;
    struct pl_diag d;
    col_init(&full);
    assert_int_equal(decode(&f, 0, &full, &d), 0);
    assert_int_equal(full.nm, ne);
    for (size_t cut = 1; cut < f.n; cut++) {
        struct col c;
        col_init(&c);
        int rc = decode_bytes(f.b, cut, 0, &c, &d);
        size_t want = 0;
        while (want < ne && ends[want] <= cut)
            want++;
        if (c.nm != want)
            fail_msg("cut at %zu: %zu messages, expected %zu", cut, c.nm, want);
        /* the same messages as the whole file gives */
        for (size_t i = 0; i < want; i++)
            if (memcmp(&c.m[i], &full.m[i], sizeof c.m[i]) != 0)
                fail_msg("cut at %zu: message %zu differs:\n%s\n--- whole file:\n%s", cut, i, c.dump,
                         full.dump);
        size_t seg1_end = (size_t)(full.h[0].size + full.h[0].data_size + 2);
        if (cut < 12) {
            assert_int_equal(rc, PL_ENOTFIT);
        } else if (cut >= seg1_end && cut < seg1_end + 12) {
            /* A whole first file, then fewer bytes than any header: they
             * cannot be told from trailing garbage, a warning. */
            assert_int_equal(rc, 0);
            assert_int_equal(c.nw, cut > seg1_end ? 1 : 0);
        } else {
            if (rc != PL_ETRUNCATED)
                fail_msg("cut at %zu: %s (%s), expected PL_ETRUNCATED", cut, pl_err_name(rc), d.msg);
            assert_int_equal(d.offset, cut);
        }
        col_release(&c);
    }
    col_release(&full);
}

static void test_empty_input_is_a_clear_error(void **state)
{
    (void)state;
    struct col c;
    struct pl_diag d;
    col_init(&c);
    assert_int_equal(decode_bytes((const uint8_t *)"", 0, 0, &c, &d), PL_ETRUNCATED);
    assert_non_null(strstr(d.msg, "empty"));
    assert_int_equal(d.offset, 0);
    assert_int_equal(c.nh, 0);
    col_release(&c);
}

static void test_non_fit_input_is_a_clear_error(void **state)
{
    (void)state;
    struct col c;
    struct pl_diag d;
    const char *text = "<?xml version=\"1.0\"?><gpx></gpx>\n";
    col_init(&c);
    assert_int_equal(decode_bytes((const uint8_t *)text, strlen(text), 0, &c, &d), PL_ENOTFIT);
    assert_int_equal(d.offset, 0);
    assert_true(strlen(d.msg) > 0);
    assert_int_equal(c.nh, 0);
    assert_int_equal(c.nm, 0);
    col_release(&c);
    col_init(&c);
    assert_int_equal(decode_bytes((const uint8_t *)"FIT", 3, 0, &c, &d), PL_ENOTFIT);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Streaming                                                            */
/* ------------------------------------------------------------------ */

/* Pieces of every size, from one byte to the whole file, take the carry-
 * over path at every possible split and must deliver exactly what one
 * feed does: the same messages, values, warnings, headers and trailers. */
static void test_feeding_in_pieces_of_every_size_delivers_the_same_as_one_feed(void **state)
{
    (void)state;
    struct fb f;
    rich_file(&f, NULL, 0);
    putbytes(&f, "trailing", 8); /* and a warning at the end */
    struct col one;
    struct pl_diag d;
    col_init(&one);
    assert_int_equal(decode(&f, 0, &one, &d), 0);
    assert_int_equal(one.nm, 13);
    assert_int_equal(one.nw, 1);
    for (size_t piece = 1; piece <= f.n; piece++) {
        struct col c;
        col_init(&c);
        int rc = decode_in_pieces(f.b, f.n, piece, 0, &c, &d);
        if (rc != 0 || c.dn != one.dn || memcmp(c.dump, one.dump, one.dn) != 0)
            fail_msg("pieces of %zu bytes: rc %s, delivered:\n%s\n--- one feed:\n%s", piece,
                     pl_err_name(rc), c.dump, one.dump);
        col_release(&c);
    }
    col_release(&one);
}

/* The same for an error: the error and its offset do not depend on how
 * the input was cut. */
static void test_feeding_in_pieces_reports_the_same_error_at_the_same_offset(void **state)
{
    (void)state;
    struct fb f;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    rec(&f, 9), put8(&f, 1);
    fb_end(&f);
    struct col one;
    struct pl_diag d;
    col_init(&one);
    assert_int_equal(decode(&f, 0, &one, &d), PL_EFORMAT);
    for (size_t piece = 1; piece <= f.n; piece++) {
        struct col c;
        col_init(&c);
        decode_in_pieces(f.b, f.n, piece, 0, &c, &d);
        assert_int_equal(c.dn, one.dn);
        assert_memory_equal(c.dump, one.dump, one.dn);
        col_release(&c);
    }
    col_release(&one);
}

static void test_a_callback_returning_non_zero_stops_with_canceled(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    rich_file(&f, NULL, 0);
    col_init(&c);
    c.stop_at = 3;
    assert_int_equal(decode(&f, 0, &c, &d), PL_ECANCELED);
    assert_int_equal(d.code, PL_ECANCELED);
    assert_int_equal(c.nm, 3);
    assert_int_equal(d.offset, c.m[2].offset);
    assert_int_equal(c.nt, 0);
    col_release(&c);
}

static int stop_at_header(void *ctx, const struct pl_fit_header *h)
{
    (void)ctx;
    return h->segment == 1;
}

static void test_a_header_callback_returning_non_zero_stops_with_canceled(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d;
    rich_file(&f, NULL, 0);
    col_init(&c);
    struct pl_fit_handler h = handler_for(&c);
    h.on_header = stop_at_header;
    assert_int_equal(pl_fit_decode(f.b, f.n, &h, 0, &d), PL_ECANCELED);
    assert_int_equal(c.nm, 11);
    assert_int_equal(c.nt, 1);
    col_release(&c);
}

static void test_after_an_error_the_decoder_keeps_returning_it(void **state)
{
    (void)state;
    struct fb f;
    struct col c;
    struct pl_diag d, d2;
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    small_body(&f);
    rec(&f, 9), put8(&f, 1);
    fb_end(&f);
    col_init(&c);
    struct pl_fit_handler h = handler_for(&c);
    struct pl_fit_decoder *dec = pl_fit_decoder_new(&h, 0);
    assert_non_null(dec);
    assert_int_equal(pl_fit_decoder_feed(dec, f.b, f.n, &d), PL_EFORMAT);
    size_t nm = c.nm;
    assert_int_equal(pl_fit_decoder_feed(dec, f.b, f.n, &d2), PL_EFORMAT);
    assert_int_equal(d2.offset, d.offset);
    assert_int_equal(pl_fit_decoder_finish(dec, &d2), PL_EFORMAT);
    assert_int_equal(d2.offset, d.offset);
    assert_int_equal(c.nm, nm);
    pl_fit_decoder_free(dec);
    col_release(&c);
}

/* ------------------------------------------------------------------ */
/* Value helpers                                                        */
/* ------------------------------------------------------------------ */

struct helper_seen {
    bool found_hr, absent_ok, string_nan, array_first;
    double hr;
};

static int check_helpers(void *ctx, const struct pl_fit_msg *m)
{
    struct helper_seen *s = ctx;
    if (m->global == 20) {
        const struct pl_fit_value *hr = pl_fit_msg_find(m, 3);
        s->found_hr = hr != NULL;
        s->hr = pl_fit_value_num(hr);
        s->absent_ok = pl_fit_msg_find(m, 6) == NULL && isnan(pl_fit_value_num(NULL));
    } else if (m->global == 0xFF00) {
        s->string_nan = isnan(pl_fit_value_num(pl_fit_msg_find(m, 1)));
        s->array_first = pl_fit_value_num(pl_fit_msg_find(m, 2)) == 9;
    }
    return 0;
}

static void test_msg_find_and_value_num_read_a_message(void **state)
{
    (void)state;
    struct fb f;
    struct pl_diag d;
    struct helper_seen s = { 0 };
    memset(&f, 0, sizeof f);
    fb_header(&f, 14);
    DEF(&f, 0, 20, LE, { 3, 1, T_UINT8 }, { 6, 2, T_UINT16 });
    rec(&f, 0), put8(&f, 150), put16(&f, 0xFFFF, LE);
    DEF(&f, 1, 0xFF00, LE, { 1, 3, T_STRING }, { 2, 2, T_UINT8 });
    rec(&f, 1), putstr(&f, "ab", 3), put8(&f, 9), put8(&f, 8);
    fb_end(&f);
    struct pl_fit_handler h = { .ctx = &s, .on_msg = check_helpers };
    assert_int_equal(pl_fit_decode(f.b, f.n, &h, 0, &d), 0);
    assert_true(s.found_hr);
    assert_true(s.hr == 150);
    assert_true(s.absent_ok);
    assert_true(s.string_nan);
    assert_true(s.array_first);
}

static void test_a_handler_without_callbacks_is_fine(void **state)
{
    (void)state;
    struct fb f;
    struct pl_diag d;
    rich_file(&f, NULL, 0);
    struct pl_fit_handler h = { 0 };
    assert_int_equal(pl_fit_decode(f.b, f.n, &h, 0, &d), 0);
    assert_int_equal(pl_fit_decode(f.b, f.n, NULL, 0, &d), 0);
}

/* ------------------------------------------------------------------ */
/* Files from outside (the shared corpus), when present                 */
/* ------------------------------------------------------------------ */

static uint8_t *read_corpus(const char *name, size_t *n)
{
    const char *dir = getenv("PLIANT_CORPUS");
    char path[1024];
    snprintf(path, sizeof path, "%s/fit/%s", dir ? dir : "../shared/corpus", name);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        print_message("corpus file %s not found: skipped\n", path);
        return NULL;
    }
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *p = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(p);
    *n = fread(p, 1, (size_t)len, fp);
    fclose(fp);
    return p;
}

/* DeveloperData.fit from Garmin's FIT SDK: the SDK's own decoder gives
 * doughnuts_earned 1, 2, 3 (sint8, developer index 0, field 0) and heart
 * rates 140, 143, 144 in its three records. */
static void test_the_sdk_developer_data_example_decodes_as_the_sdk_does(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = read_corpus("fitparse__DeveloperData.fit", &n);
    if (!p) {
        skip();
        return;
    }
    struct col c;
    struct pl_diag d;
    col_init(&c);
    assert_int_equal(decode_bytes(p, n, PL_FIT_STRICT, &c, &d), 0);
    static const double hr[3] = { 140, 143, 144 }, speed[3] = { 47.488, 36.416, 35.344 };
    int k = 0;
    for (size_t i = 0; i < c.nm && i < C_MSGS; i++) {
        if (c.m[i].global != 20)
            continue;
        assert_true(k < 3);
        assert_num(by_name(&c.m[i], "heart_rate"), hr[k]);
        assert_num(by_name(&c.m[i], "enhanced_speed"), speed[k]);
        const struct cval *v = dev_val(&c.m[i], 0, 0);
        assert_num(v, k + 1);
        assert_string_equal(v->name, "doughnuts_earned");
        assert_string_equal(v->units, "doughnuts");
        k++;
    }
    assert_int_equal(k, 3);
    col_release(&c);
    free(p);
}

/* activity-filecrc.fit: a file whose CRC the SDK reports as wrong. */
static void test_a_corpus_file_with_a_bad_crc_warns_and_fails_when_strict(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = read_corpus("fitparse__activity-filecrc.fit", &n);
    if (!p) {
        skip();
        return;
    }
    struct col c;
    struct pl_diag d;
    col_init(&c);
    assert_int_equal(decode_bytes(p, n, 0, &c, &d), 0);
    assert_int_equal(c.nt, 1);
    assert_false(c.t[0].crc_ok);
    assert_true(c.nm > 0);
    col_release(&c);
    col_init(&c);
    assert_int_equal(decode_bytes(p, n, PL_FIT_STRICT, &c, &d), PL_ECRC);
    assert_int_equal(d.offset, n - 2);
    col_release(&c);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_crc_of_123456789_is_the_crc16_arc_check_value),
        cmocka_unit_test(test_the_crc_continues_across_pieces),
        cmocka_unit_test(test_a_block_followed_by_its_crc_has_crc_zero),
        cmocka_unit_test(test_is_fit_recognises_a_fit_header_and_nothing_else),
        cmocka_unit_test(test_a_file_with_a_12_byte_header_decodes),
        cmocka_unit_test(test_a_file_with_a_14_byte_header_and_its_crc_decodes),
        cmocka_unit_test(test_a_header_crc_of_zero_means_absent),
        cmocka_unit_test(test_a_wrong_header_crc_is_a_warning_by_default),
        cmocka_unit_test(test_a_wrong_header_crc_is_an_error_when_strict),
        cmocka_unit_test(test_a_data_size_of_zero_is_decoded_to_the_end_with_a_warning),
        cmocka_unit_test(test_a_recovered_data_size_is_the_same_in_pieces_of_every_size),
        cmocka_unit_test(test_a_data_size_of_zero_is_an_error_when_strict),
        cmocka_unit_test(test_a_data_size_of_zero_recovers_whatever_the_crc_bytes_look_like),
        cmocka_unit_test(test_a_data_size_of_zero_recovers_a_crc_that_reads_as_a_whole_record),
        cmocka_unit_test(test_a_data_size_larger_than_the_file_is_recovered_with_a_warning),
        cmocka_unit_test(test_a_data_size_larger_than_the_file_is_an_error_when_strict),
        cmocka_unit_test(test_a_file_cut_inside_its_header_is_truncated),
        cmocka_unit_test(test_a_right_file_crc_is_reported_in_the_trailer),
        cmocka_unit_test(test_a_wrong_file_crc_is_a_warning_by_default),
        cmocka_unit_test(test_a_wrong_file_crc_is_an_error_when_strict),
        cmocka_unit_test(test_every_local_type_from_0_to_15_keeps_its_own_definition),
        cmocka_unit_test(test_raw64_is_never_left_over_from_an_earlier_message),
        cmocka_unit_test(test_every_base_type_decodes_from_a_little_endian_definition),
        cmocka_unit_test(test_every_base_type_decodes_from_a_big_endian_definition),
        cmocka_unit_test(test_the_invalid_value_of_every_base_type_leaves_the_field_absent),
        cmocka_unit_test(test_a_big_endian_definition_reads_its_global_number_big_endian),
        cmocka_unit_test(test_a_local_type_can_be_redefined_between_any_two_messages),
        cmocka_unit_test(test_a_data_record_of_an_undefined_local_type_is_an_error_at_its_offset),
        cmocka_unit_test(test_compressed_timestamps_count_from_the_last_full_timestamp_with_rollover),
        cmocka_unit_test(test_a_compressed_timestamp_record_uses_local_types_0_to_3),
        cmocka_unit_test(test_a_compressed_timestamp_of_an_undefined_local_type_is_an_error_at_its_offset),
        cmocka_unit_test(test_profile_fields_are_scaled_and_offset),
        cmocka_unit_test(test_raw_mode_gives_the_numbers_as_stored),
        cmocka_unit_test(test_an_invalid_value_is_absent_and_never_scaled),
        cmocka_unit_test(test_an_array_is_scaled_element_by_element_and_an_invalid_element_is_nan),
        cmocka_unit_test(test_a_byte_array_keeps_0xff_bytes_unless_all_are_0xff),
        cmocka_unit_test(test_a_string_without_a_terminator_keeps_every_byte),
        cmocka_unit_test(test_a_full_utf8_string_is_delivered_as_its_bytes),
        cmocka_unit_test(test_a_field_whose_size_is_not_a_multiple_of_its_type_is_kept_as_bytes),
        cmocka_unit_test(test_a_zero_size_field_is_absent_and_takes_no_bytes),
        cmocka_unit_test(test_an_unknown_base_type_is_kept_as_bytes_and_the_file_decodes),
        cmocka_unit_test(test_developer_fields_decode_with_their_description_and_an_application_id),
        cmocka_unit_test(test_developer_fields_decode_without_an_application_id),
        cmocka_unit_test(test_a_developer_field_of_an_undeclared_index_is_kept_raw_with_a_warning),
        cmocka_unit_test(test_a_field_description_for_an_undeclared_index_describes_nothing),
        cmocka_unit_test(test_a_developer_field_uses_the_latest_description),
        cmocka_unit_test(test_speed_and_altitude_expand_into_their_enhanced_fields),
        cmocka_unit_test(test_compressed_speed_distance_expands_into_speed_and_accumulated_distance),
        cmocka_unit_test(test_event_data_is_timer_trigger_when_the_event_is_timer),
        cmocka_unit_test(test_raw_mode_expands_no_sub_fields),
        cmocka_unit_test(test_every_segment_of_a_chained_file_is_decoded),
        cmocka_unit_test(test_definitions_are_reset_at_each_segment_header),
        cmocka_unit_test(test_developer_descriptions_are_reset_at_each_segment_header),
        cmocka_unit_test(test_garbage_after_the_last_segment_is_a_warning),
        cmocka_unit_test(test_garbage_after_the_last_segment_is_an_error_when_strict),
        cmocka_unit_test(test_a_definition_that_crosses_the_end_of_the_data_is_an_error_at_its_offset),
        cmocka_unit_test(test_a_data_message_that_crosses_the_end_of_the_data_is_an_error_at_its_offset),
        cmocka_unit_test(test_a_definition_declaring_more_fields_than_the_input_holds_is_truncation),
        cmocka_unit_test(test_developer_field_bytes_count_against_the_end_of_the_data),
        cmocka_unit_test(test_a_truncated_file_delivers_every_message_before_the_cut_and_an_error),
        cmocka_unit_test(test_empty_input_is_a_clear_error),
        cmocka_unit_test(test_non_fit_input_is_a_clear_error),
        cmocka_unit_test(test_feeding_in_pieces_of_every_size_delivers_the_same_as_one_feed),
        cmocka_unit_test(test_feeding_in_pieces_reports_the_same_error_at_the_same_offset),
        cmocka_unit_test(test_a_callback_returning_non_zero_stops_with_canceled),
        cmocka_unit_test(test_a_header_callback_returning_non_zero_stops_with_canceled),
        cmocka_unit_test(test_after_an_error_the_decoder_keeps_returning_it),
        cmocka_unit_test(test_msg_find_and_value_num_read_a_message),
        cmocka_unit_test(test_a_handler_without_callbacks_is_fine),
        cmocka_unit_test(test_the_sdk_developer_data_example_decodes_as_the_sdk_does),
        cmocka_unit_test(test_a_corpus_file_with_a_bad_crc_warns_and_fails_when_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
