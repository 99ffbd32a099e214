/*
 * test-fit-alloc.c - the FIT decoder when an allocation fails.
 *
 * The sqlite way of testing out-of-memory: install an allocator that fails
 * the N-th allocation, decode, and do it again for N = 1, 2, ... until a
 * run completes without reaching the failure. Every run must end with 0 or
 * PL_ENOMEM (never a crash), deliver only messages that the run without
 * failure delivers too, in the same order, and leave nothing allocated
 * once the decoder is freed (the allocator counts; LeakSanitizer checks as
 * well under make check).
 *
 * The file decoded exercises every allocation the decoder makes:
 * definitions (their plans, unknown-field descriptors, developer fields,
 * compiled components), output buffers grown by ever larger definitions,
 * developer descriptions (names and units copied; more than fit the
 * first table, so it grows; one described twice), arrays, chained
 * segments, and the carry-over buffer when fed in small pieces. Its bytes
 * are built here as in test-fit.c (FIT protocol: "File Header",
 * "Definition Message", "Developer Data", "CRC").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

/* ------------------------------------------------------------------ */
/* A failing allocator                                                  */
/* ------------------------------------------------------------------ */

struct talloc {
    long calls;        /* allocations so far (malloc and realloc) */
    long fail_at;      /* the call that fails, 1-based; 0: none */
    bool persistent;   /* every call from fail_at on fails */
    bool failed;       /* a call failed */
    long live;         /* blocks allocated and not yet freed */
};

static bool should_fail(struct talloc *a)
{
    a->calls++;
    if (a->fail_at && (a->calls == a->fail_at || (a->persistent && a->calls > a->fail_at))) {
        a->failed = true;
        return true;
    }
    return false;
}

static void *t_malloc(void *ctx, size_t n)
{
    struct talloc *a = ctx;
    if (should_fail(a))
        return NULL;
    void *p = malloc(n);
    if (p)
        a->live++;
    return p;
}

static void *t_realloc(void *ctx, void *p, size_t n)
{
    struct talloc *a = ctx;
    if (should_fail(a))
        return NULL; /* p stays allocated, as realloc leaves it */
    void *q = realloc(p, n);
    if (q && !p)
        a->live++;
    return q;
}

static void t_free(void *ctx, void *p)
{
    struct talloc *a = ctx;
    if (p)
        a->live--;
    free(p);
}

/* ------------------------------------------------------------------ */
/* The file                                                             */
/* ------------------------------------------------------------------ */

#define FB_MAX 16384

struct fb {
    uint8_t b[FB_MAX];
    size_t n, seg;
    unsigned hsize;
};

enum { T_ENUM = 0x00, T_SINT8 = 0x01, T_UINT8 = 0x02, T_UINT16 = 0x84, T_UINT32 = 0x86,
       T_STRING = 0x07, T_BYTE = 0x0D, T_UINT32Z = 0x8C };

static void put8(struct fb *f, unsigned v)
{
    assert_true(f->n < FB_MAX);
    f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned v)
{
    put8(f, v);
    put8(f, v >> 8);
}

static void put32(struct fb *f, uint32_t v)
{
    put16(f, v & 0xFFFF);
    put16(f, v >> 16);
}

static void putstr(struct fb *f, const char *s, size_t size)
{
    size_t len = strlen(s);
    assert_true(len <= size);
    for (size_t i = 0; i < size; i++)
        put8(f, i < len ? (uint8_t)s[i] : 0);
}

static void fb_header(struct fb *f, unsigned hsize)
{
    f->seg = f->n;
    f->hsize = hsize;
    put8(f, hsize);
    put8(f, 0x20);
    put16(f, 2132);
    put32(f, 0);
    put8(f, '.'), put8(f, 'F'), put8(f, 'I'), put8(f, 'T');
    if (hsize == 14)
        put16(f, 0);
}

static void fb_end(struct fb *f)
{
    uint8_t *h = f->b + f->seg;
    uint32_t size = (uint32_t)(f->n - f->seg - f->hsize);
    for (int i = 0; i < 4; i++)
        h[4 + i] = (uint8_t)(size >> (8 * i));
    if (f->hsize == 14) {
        uint16_t c = pl_fit_crc16(0, h, 12);
        h[12] = (uint8_t)c;
        h[13] = (uint8_t)(c >> 8);
    }
    put16(f, pl_fit_crc16(0, h, f->n - f->seg));
}

struct fd {
    uint8_t num, size, base;
};

/* Definition message, little-endian; dev may be NULL. */
static void def(struct fb *f, unsigned local, unsigned global, const struct fd *fs, size_t n,
                const struct fd *dev, size_t ndev)
{
    put8(f, 0x40 | (dev ? 0x20 : 0) | local);
    put8(f, 0), put8(f, 0), put16(f, global), put8(f, (unsigned)n);
    for (size_t i = 0; i < n; i++)
        put8(f, fs[i].num), put8(f, fs[i].size), put8(f, fs[i].base);
    if (dev) {
        put8(f, (unsigned)ndev);
        for (size_t i = 0; i < ndev; i++)
            put8(f, dev[i].num), put8(f, dev[i].size), put8(f, dev[i].base);
    }
}

#define N_DEV 20 /* more descriptions than the first table holds (16) */

static void build(struct fb *f)
{
    memset(f, 0, sizeof *f);
    fb_header(f, 14);
    /* file_id */
    static const struct fd file_id[] = { { 0, 1, T_ENUM }, { 1, 2, T_UINT16 }, { 3, 4, T_UINT32Z } };
    def(f, 0, 0, file_id, 3, NULL, 0);
    put8(f, 0), put8(f, 4), put16(f, 1), put32(f, 777);
    /* developer_data_id with application_id, index 0 */
    static const struct fd dev_id[] = { { 1, 16, T_BYTE }, { 3, 1, T_UINT8 } };
    def(f, 1, 207, dev_id, 2, NULL, 0);
    put8(f, 1);
    for (int i = 0; i < 16; i++)
        put8(f, (unsigned)(i * 17 + 3));
    put8(f, 0);
    /* field_description: index, number, base type, name, scale, offset,
     * units; one more than once */
    static const struct fd desc[] = { { 0, 1, T_UINT8 }, { 1, 1, T_UINT8 }, { 2, 1, T_UINT8 },
                                      { 3, 16, T_STRING }, { 6, 1, T_UINT8 }, { 7, 1, T_SINT8 },
                                      { 8, 8, T_STRING } };
    def(f, 2, 206, desc, 7, NULL, 0);
    for (unsigned i = 0; i <= N_DEV; i++) {
        unsigned num = i == N_DEV ? 1 : i; /* the last describes field 1 again */
        char name[16], units[8];
        snprintf(name, sizeof name, "field_%u%s", num, i == N_DEV ? "b" : "");
        snprintf(units, sizeof units, "u%u", i);
        put8(f, 2), put8(f, 0), put8(f, num), put8(f, i == 2 ? T_STRING : T_UINT16);
        putstr(f, name, 16), put8(f, 10), put8(f, 0), putstr(f, units, 8);
    }
    /* a record with components, an unknown field, an array and developer
     * fields (one string) */
    static const struct fd rec[] = { { 253, 4, T_UINT32 }, { 3, 1, T_UINT8 }, { 6, 2, T_UINT16 },
                                     { 8, 3, T_BYTE }, { 200, 4, T_UINT8 } };
    static const struct fd rec_dev[] = { { 0, 2, 0 }, { 1, 2, 0 }, { 2, 5, 0 }, { 19, 4, 0 } };
    def(f, 3, 20, rec, 5, rec_dev, 4);
    for (unsigned i = 0; i < 6; i++) {
        put8(f, 3), put32(f, 1000000000 + i), put8(f, 140 + i), put16(f, 3000 + 10 * i);
        put8(f, 0x5e), put8(f, 0x01), put8(f, 0x0a + i);
        put8(f, 1), put8(f, 2), put8(f, 3), put8(f, i);
        put16(f, 100 * i), put16(f, 7), putstr(f, "calm", 5), put16(f, 1), put16(f, 2);
        if (i == 2) {
            /* compressed timestamps on local 1, redefined as a record */
            static const struct fd hr[] = { { 3, 1, T_UINT8 } };
            def(f, 1, 20, hr, 1, NULL, 0);
            put8(f, 0x80 | 1 << 5 | 7), put8(f, 150);
        }
    }
    /* an event (sub-field), then a wide unknown message that grows the
     * output buffers */
    static const struct fd ev[] = { { 253, 4, T_UINT32 }, { 0, 1, T_ENUM }, { 1, 1, T_ENUM }, { 3, 4, T_UINT32 } };
    def(f, 4, 21, ev, 4, NULL, 0);
    put8(f, 4), put32(f, 1000000010), put8(f, 0), put8(f, 0), put32(f, 0);
    struct fd wide[60];
    for (unsigned i = 0; i < 60; i++)
        wide[i] = (struct fd){ (uint8_t)i, 8, T_UINT8 };
    def(f, 5, 0xFF10, wide, 60, NULL, 0);
    put8(f, 5);
    for (unsigned i = 0; i < 60 * 8; i++)
        put8(f, i & 0x7F);
    fb_end(f);
    /* a second segment: everything starts afresh */
    fb_header(f, 12);
    def(f, 0, 207, dev_id + 1, 1, NULL, 0);
    put8(f, 0), put8(f, 0);
    def(f, 1, 206, desc, 7, NULL, 0);
    put8(f, 1), put8(f, 0), put8(f, 0), put8(f, T_UINT8), putstr(f, "again", 16), put8(f, 1), put8(f, 0),
        putstr(f, "x", 8);
    static const struct fd rec2[] = { { 3, 1, T_UINT8 } };
    static const struct fd rec2_dev[] = { { 0, 1, 0 } };
    def(f, 2, 20, rec2, 1, rec2_dev, 1);
    put8(f, 2), put8(f, 151), put8(f, 9);
    fb_end(f);
}

/* ------------------------------------------------------------------ */
/* Decoding under a failing allocator                                   */
/* ------------------------------------------------------------------ */

#define MSGS_MAX 64

/* A hash of each message delivered, to compare runs. */
struct seen {
    uint64_t h[MSGS_MAX];
    size_t n;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

static int on_msg(void *ctx, const struct pl_fit_msg *m)
{
    struct seen *s = ctx;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    h = fnv(h, &m->global, sizeof m->global);
    h = fnv(h, &m->segment, sizeof m->segment);
    h = fnv(h, &m->offset, sizeof m->offset);
    h = fnv(h, &m->nvalues, sizeof m->nvalues);
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        h = fnv(h, &v->field->num, sizeof v->field->num);
        if (v->field->name)
            h = fnv(h, v->field->name, strlen(v->field->name));
        h = fnv(h, v->field->units, strlen(v->field->units));
        h = fnv(h, &v->count, sizeof v->count);
        if (v->kind == PL_FIT_K_NUMBER) {
            for (unsigned k = 0; k < v->count; k++) {
                double x = v->count == 1 ? v->u.num : v->u.nums[k];
                h = fnv(h, &x, sizeof x);
            }
        } else {
            h = fnv(h, v->u.bytes.p, v->u.bytes.n);
        }
    }
    if (s->n < MSGS_MAX)
        s->h[s->n] = h;
    s->n++;
    return 0;
}

/* One run: decode f in pieces of `piece` bytes (0: through pl_fit_decode
 * in one call) with the allocator a installed. */
static int run(const struct fb *f, size_t piece, struct talloc *a, struct seen *s, struct pl_diag *d)
{
    const struct pl_allocator hooks = { t_malloc, t_realloc, t_free, a };
    struct pl_fit_handler h = { .ctx = s, .on_msg = on_msg };
    int rc = 0;
    memset(s, 0, sizeof *s);
    pl_diag_clear(d);
    pl_set_allocator(&hooks);
    if (piece == 0) {
        rc = pl_fit_decode(f->b, f->n, &h, 0, d);
    } else {
        struct pl_fit_decoder *dec = pl_fit_decoder_new(&h, 0);
        if (!dec) {
            rc = d->code = PL_ENOMEM; /* new says so by returning NULL */
        } else {
            for (size_t at = 0; at < f->n && !rc; at += piece)
                rc = pl_fit_decoder_feed(dec, f->b + at, f->n - at < piece ? f->n - at : piece, d);
            if (!rc)
                rc = pl_fit_decoder_finish(dec, d);
            pl_fit_decoder_free(dec);
        }
    }
    pl_set_allocator(NULL);
    return rc;
}

/* Fail allocation N for N = 1, 2, ... until a run never reaches N. */
static void fail_each_allocation(size_t piece, bool persistent)
{
    static struct fb file; /* static: a failed assertion leaks nothing */
    struct fb *f = &file;
    build(f);
    struct talloc a = { 0 };
    struct seen ref, s;
    struct pl_diag d;
    assert_int_equal(run(f, piece, &a, &ref, &d), 0);
    assert_int_equal(a.live, 0);
    assert_true(ref.n >= 20 && ref.n <= MSGS_MAX);
    long total = a.calls;
    assert_true(total > N_DEV);
    long n;
    for (n = 1;; n++) {
        a = (struct talloc){ .fail_at = n, .persistent = persistent };
        int rc = run(f, piece, &a, &s, &d);
        if (a.live != 0)
            fail_msg("allocation %ld failed: %ld blocks left after free", n, a.live);
        if (!a.failed) {
            assert_int_equal(rc, 0);
            assert_int_equal(s.n, ref.n);
            assert_memory_equal(s.h, ref.h, ref.n * sizeof ref.h[0]);
            break;
        }
        if (rc != PL_ENOMEM)
            fail_msg("allocation %ld failed: %s (%s), expected PL_ENOMEM", n, pl_err_name(rc), d.msg);
        assert_int_equal(d.code, PL_ENOMEM);
        /* what was delivered before the failure is what a whole run gives */
        assert_true(s.n <= ref.n);
        assert_memory_equal(s.h, ref.h, s.n * sizeof s.h[0]);
    }
    /* every allocation of the run without failure was failed once */
    assert_int_equal(n, total + 1);
    print_message("%ld allocations, each failed in turn%s\n", total, persistent ? " for good" : "");
}

static void test_every_allocation_failing_once_in_one_feed_gives_enomem_and_leaks_nothing(void **state)
{
    (void)state;
    fail_each_allocation(0, false);
}

static void test_every_allocation_failing_once_in_small_pieces_gives_enomem_and_leaks_nothing(void **state)
{
    (void)state;
    fail_each_allocation(7, false);
}

static void test_every_allocation_failing_for_good_in_small_pieces_gives_enomem_and_leaks_nothing(void **state)
{
    (void)state;
    fail_each_allocation(7, true);
}

static void test_every_allocation_failing_once_byte_by_byte_gives_enomem_and_leaks_nothing(void **state)
{
    (void)state;
    fail_each_allocation(1, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_failing_once_in_one_feed_gives_enomem_and_leaks_nothing),
        cmocka_unit_test(test_every_allocation_failing_once_in_small_pieces_gives_enomem_and_leaks_nothing),
        cmocka_unit_test(test_every_allocation_failing_for_good_in_small_pieces_gives_enomem_and_leaks_nothing),
        cmocka_unit_test(test_every_allocation_failing_once_byte_by_byte_gives_enomem_and_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
