/*
 * test-archive.c - the walker of lib/formats/archive.c: files in zips, tars,
 * .tar.gz and .gz, archives inside archives, folders in sorted order, and
 * hostile archives (a zip bomb, a million empty entries, deep nesting,
 * "../" names, damage) reported, bounded and survived.
 *
 * Archives are made here with libarchive's writer (or byte by byte), so
 * the tests need no files of their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "formats/walk.h"

/* ------------------------------------------------------------------ */
/* Making archives in memory                                            */

struct mbuf {
    uint8_t *p;
    size_t n, cap;
};

static void mb_add(struct mbuf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static la_ssize_t mb_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
    (void)a;
    mb_add(ctx, buf, n);
    return (la_ssize_t)n;
}

struct ent {
    const char *name;
    const void *data;   /* NULL: a folder */
    size_t n;
};

enum fmt { F_ZIP, F_TAR, F_TGZ, F_GZ };

static struct mbuf build(enum fmt f, const struct ent *e, size_t ne)
{
    struct mbuf b = { 0 };
    struct archive *a = archive_write_new();
    assert_non_null(a);
    if (f == F_ZIP)
        assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    else if (f == F_GZ)
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
    else
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
    if (f == F_TGZ || f == F_GZ)
        assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open2(a, &b, NULL, mb_write, NULL, NULL), ARCHIVE_OK);
    for (size_t i = 0; i < ne; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_filetype(ae, e[i].data ? AE_IFREG : AE_IFDIR);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_mtime(ae, 1700000000, 0);
        archive_entry_set_size(ae, e[i].data ? (la_int64_t)e[i].n : 0);
        assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
        if (e[i].data && e[i].n)
            assert_int_equal(archive_write_data(a, e[i].data, e[i].n), (la_ssize_t)e[i].n);
        archive_entry_free(ae);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return b;
}

/* ------------------------------------------------------------------ */
/* A handler that writes down what it is given                          */

struct log {
    char text[1 << 16];
    size_t n;
    uint64_t files, empty, errors;
    bool want;                 /* on_peek asks for every file */
    bool quiet_empty;          /* empty files are counted, not logged */
    int stop_at_file;          /* stop the walk with PL_EDB at this file */
};

static void say(struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct log *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->text + l->n, sizeof l->text - l->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        l->n += (size_t)k < sizeof l->text - l->n ? (size_t)k : sizeof l->text - l->n - 1;
}

static int h_peek(void *ctx, const char *path, const uint8_t *p, size_t n, bool *want)
{
    struct log *l = ctx;
    (void)p;
    if (n == 0) {
        l->empty++;
        if (l->quiet_empty)
            return 0;
    }
    *want = l->want;
    if (!l->want)
        say(l, "peek %s %zu\n", path, n);
    return 0;
}

static int h_file(void *ctx, const char *path, struct pl__src *src)
{
    struct log *l = ctx;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    struct pl_diag d;
    pl_diag_clear(&d);
    l->files++;
    int rc = pl__src_read_all(src, &buf, &cap, &n, PL_IMPORT_FILE_BYTES_MAX, &d);
    if (rc)
        say(l, "bad %s %s: %s\n", path, pl_err_name(rc), d.msg);
    else
        say(l, "file %s %zu %.*s\n", path, n, (int)(n < 8 ? n : 8), (const char *)buf);
    free(buf);
    if (l->stop_at_file && (int)l->files == l->stop_at_file)
        return PL_EDB;
    return 0;
}

static int h_error(void *ctx, const char *path, const struct pl_diag *d)
{
    struct log *l = ctx;
    l->errors++;
    say(l, "error %s %s: %s\n", path, pl_err_name(d->code), d->msg);
    return 0;
}

static struct log *new_log(void)
{
    struct log *l = calloc(1, sizeof *l);
    assert_non_null(l);
    l->want = true;
    return l;
}

static int walk_mem(struct log *l, const char *name, const struct mbuf *b,
                    const struct pl__walk_limits *lim)
{
    struct pl__walk_handler h = { l, h_peek, h_file, h_error, NULL };
    struct pl__walk *w = pl__walk_new(&h, lim);
    assert_non_null(w);
    struct pl_diag d;
    int rc = pl__walk_mem(w, name, b->p, b->n, &d);
    pl__walk_free(w);
    return rc;
}

static void expect_log(const struct log *l, const char *want)
{
    if (strcmp(l->text, want) != 0) {
        fprintf(stderr, "--- got:\n%s--- want:\n%s", l->text, want);
        fail();
    }
}

static void expect_in_log(const struct log *l, const char *want)
{
    if (!strstr(l->text, want)) {
        fprintf(stderr, "--- log:\n%s--- lacks: %s\n", l->text, want);
        fail();
    }
}

/* ------------------------------------------------------------------ */

static void a_zip_gives_its_files_in_order_with_bang_paths(void **state)
{
    (void)state;
    const struct ent e[] = {
        { "export/", NULL, 0 },
        { "export/b.fit", "BBBB", 4 },
        { "export/activities/a.gpx", "<gpx/>", 6 },
        { "export/empty.txt", "", 0 },
    };
    struct mbuf b = build(F_ZIP, e, 4);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "dir/x.zip", &b, NULL), 0);
    expect_log(l, "file dir/x.zip!export/b.fit 4 BBBB\n"
                  "file dir/x.zip!export/activities/a.gpx 6 <gpx/>\n"
                  "file dir/x.zip!export/empty.txt 0 \n");
    free(b.p);
    free(l);
}

static void a_gz_file_keeps_its_own_name(void **state)
{
    (void)state;
    const struct ent e[] = { { "data", "hello fit", 9 } };
    struct mbuf b = build(F_GZ, e, 1);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "runs/a.fit.gz", &b, NULL), 0);
    expect_log(l, "file runs/a.fit.gz 9 hello fi\n");
    free(b.p);
    free(l);
}

static void tar_and_tar_gz_are_read_alike(void **state)
{
    (void)state;
    const struct ent e[] = { { "x/1.tcx", "<TCX", 4 }, { "x/2.fit", "FIT2", 4 } };
    struct mbuf t = build(F_TAR, e, 2), tz = build(F_TGZ, e, 2);
    struct log *l1 = new_log(), *l2 = new_log();
    assert_int_equal(walk_mem(l1, "a.tar", &t, NULL), 0);
    assert_int_equal(walk_mem(l2, "a.tar", &tz, NULL), 0);
    expect_log(l1, "file a.tar!x/1.tcx 4 <TCX\nfile a.tar!x/2.fit 4 FIT2\n");
    expect_log(l2, l1->text);
    free(t.p);
    free(tz.p);
    free(l1);
    free(l2);
}

/* Garmin's export: zips inside a zip; Strava's: .gz inside a zip. */
static void archives_inside_archives_are_opened_in_memory(void **state)
{
    (void)state;
    const struct ent g[] = { { "data", "gzipped", 7 } };
    struct mbuf gz = build(F_GZ, g, 1);
    const struct ent in[] = { { "1.fit.gz", gz.p, gz.n }, { "2.fit", "two", 3 } };
    struct mbuf inner = build(F_ZIP, in, 2);
    const struct ent out[] = { { "DI_CONNECT/part1.zip", inner.p, inner.n },
                               { "readme.txt", "hi", 2 } };
    struct mbuf outer = build(F_ZIP, out, 2);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "garmin.zip", &outer, NULL), 0);
    expect_log(l, "file garmin.zip!DI_CONNECT/part1.zip!1.fit.gz 7 gzipped\n"
                  "file garmin.zip!DI_CONNECT/part1.zip!2.fit 3 two\n"
                  "file garmin.zip!readme.txt 2 hi\n");
    free(gz.p);
    free(inner.p);
    free(outer.p);
    free(l);
}

/* Nothing is ever written, so "../" is only part of a name: reported as
 * the archive gives it. */
static void dot_dot_names_are_only_names(void **state)
{
    (void)state;
    const struct ent e[] = { { "../../etc/evil.fit", "EVIL", 4 }, { "/abs/x.fit", "ABS", 3 } };
    struct mbuf t = build(F_TAR, e, 2);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "t.tar", &t, NULL), 0);
    expect_in_log(l, "file t.tar!../../etc/evil.fit 4 EVIL\n");
    expect_in_log(l, "abs/x.fit 3 ABS\n");
    struct stat st;
    assert_int_not_equal(stat("../../etc/evil.fit", &st), 0);
    free(t.p);
    free(l);
}

/* Zips and gzips wrapped around one file, level after level. */
static struct mbuf wrap(int levels, bool zip_only)
{
    struct mbuf b = { 0 };
    mb_add(&b, "core", 4);
    for (int i = 0; i < levels; i++) {
        bool zip = zip_only || i % 2;
        const struct ent e[] = { { zip ? "in" : "data", b.p, b.n } };
        struct mbuf nb = build(zip ? F_ZIP : F_GZ, e, 1);
        free(b.p);
        b = nb;
    }
    return b;
}

static void nesting_up_to_the_limit_is_read(void **state)
{
    (void)state;
    struct mbuf b = wrap(PL_IMPORT_NESTING_MAX, true);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "deep", &b, NULL), 0);
    expect_log(l, "file deep!in!in!in!in 4 core\n");
    free(b.p);
    /* A gzip around a zip (or a tar) is read by one libarchive handle, so
     * it is one level: seven wrappers here (gzip outermost) make four. */
    b = wrap(2 * PL_IMPORT_NESTING_MAX - 1, false);
    l->n = 0;
    assert_int_equal(walk_mem(l, "mixed", &b, NULL), 0);
    expect_log(l, "file mixed!in!in!in 4 core\n");
    free(b.p);
    free(l);
}

static void nesting_deeper_than_the_limit_is_refused(void **state)
{
    (void)state;
    char want[128];
    for (int mixed = 0; mixed < 2; mixed++) {
        struct mbuf b = wrap(mixed ? 2 * PL_IMPORT_NESTING_MAX + 1 : PL_IMPORT_NESTING_MAX + 1,
                             !mixed);
        struct log *l = new_log();
        assert_int_equal(walk_mem(l, "deep", &b, NULL), 0);
        snprintf(want, sizeof want, "archives nested more than %d deep\n",
                 PL_IMPORT_NESTING_MAX);
        expect_in_log(l, want);
        assert_null(strstr(l->text, "core"));
        free(b.p);
        free(l);
    }
    /* A gzip of a gzip of ... is unwrapped by libarchive in one go, and
     * still counted level by level. */
    struct mbuf b = { 0 };
    mb_add(&b, "core", 4);
    for (int i = 0; i < PL_IMPORT_NESTING_MAX + 2; i++) {
        const struct ent e[] = { { "data", b.p, b.n } };
        struct mbuf nb = build(F_GZ, e, 1);
        free(b.p);
        b = nb;
    }
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "deep.gz", &b, NULL), 0);
    snprintf(want, sizeof want, "error deep.gz PL_ELIMIT: archives nested more than %d deep\n",
             PL_IMPORT_NESTING_MAX);
    expect_log(l, want);
    free(b.p);
    free(l);
}

/* Peak RSS in KiB. Under AddressSanitizer (its quarantine keeps freed
 * blocks, its shadow costs an eighth) the figure says nothing: 0. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif
static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return RSS_MEANINGFUL ? ru.ru_maxrss : 0;
}

/* 64 MiB of zeros deflate to ~64 KB: reading stops at about a quarter of
 * it (docs/internals/import.md), and the rest of the archive is not read. */
static void a_zip_bomb_is_stopped_early(void **state)
{
    (void)state;
    size_t n = 64u << 20;
    uint8_t *zeros = calloc(1, n);
    assert_non_null(zeros);
    const struct ent e[] = { { "bomb.fit", zeros, n }, { "after.fit", "AFTER", 5 } };
    struct mbuf b = build(F_ZIP, e, 2);
    free(zeros);
    assert_true(b.n < n / 200);
    struct log *l = new_log();
    long rss0 = max_rss_kb();
    clock_t t0 = clock();
    assert_int_equal(walk_mem(l, "bomb.zip", &b, NULL), 0);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    expect_in_log(l, "bad bomb.zip!bomb.fit PL_ELIMIT: expands more than 200 times");
    expect_in_log(l, "zip bomb");
    assert_null(strstr(l->text, "after.fit"));
    assert_true(secs < 2.0);
    assert_true(max_rss_kb() - rss0 < 32 * 1024);
    free(b.p);
    free(l);
}

/* A .gz of one repeated byte: the same rule for a single compressed
 * file. (A .gz of zeros is read as an empty tar, as libarchive should:
 * a tar ends with blocks of zeros; see an_empty_gz_is_an_empty_file.) */
static void a_gzip_bomb_is_stopped_early(void **state)
{
    (void)state;
    size_t n = 64u << 20;
    uint8_t *same = malloc(n);
    assert_non_null(same);
    memset(same, 'A', n);
    const struct ent e[] = { { "data", same, n } };
    struct mbuf b = build(F_GZ, e, 1);
    free(same);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "same.fit.gz", &b, NULL), 0);
    expect_in_log(l, "bad same.fit.gz PL_ELIMIT: expands more than 200 times");
    free(b.p);
    free(l);
}

/* A megabyte of zeros is a file, not a bomb: under the grace size. */
static void a_small_file_of_zeros_is_no_bomb(void **state)
{
    (void)state;
    size_t n = 1u << 20;
    uint8_t *zeros = calloc(1, n);
    assert_non_null(zeros);
    const struct ent e[] = { { "z.bin", zeros, n } };
    struct mbuf b = build(F_ZIP, e, 1);
    free(zeros);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "z.zip", &b, NULL), 0);
    expect_in_log(l, "file z.zip!z.bin 1048576 ");
    free(b.p);
    free(l);
}

static void per_entry_and_total_expansion_are_capped(void **state)
{
    (void)state;
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7919 >> 3);
    const struct ent e[] = { { "a", data, 3000 }, { "b", data, 5000 }, { "c", data, 100 },
                             { "d", data, 10 } };
    struct mbuf b = build(F_ZIP, e, 4);
    struct pl__walk_limits lim;
    pl__walk_limits_init(&lim);
    lim.entry_bytes_max = 4000;
    lim.total_bytes_max = 7500;
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "c.zip", &b, &lim), 0);
    expect_in_log(l, "file c.zip!a 3000 ");
    expect_in_log(l, "bad c.zip!b PL_ELIMIT: expands to more than 4000 bytes\n");
    expect_in_log(l, "c.zip!c PL_ELIMIT: archives expand to more than 7500 bytes in all");
    assert_null(strstr(l->text, "c.zip!d"));
    free(b.p);
    free(l);
}

/* A zip of a million empty entries, written by hand (local headers only,
 * which is what the streaming reader reads): the walk stops at the entry
 * limit in well under a second, and memory does not grow with it. */
static void a_million_empty_entries_stop_at_the_limit_quickly(void **state)
{
    (void)state;
    const size_t count = 1000000;
    struct mbuf b = { 0 };
    b.cap = count * 40 + 64;
    b.p = malloc(b.cap);
    assert_non_null(b.p);
    for (size_t i = 0; i < count; i++) {
        uint8_t h[30] = { 'P', 'K', 3, 4, 10, 0 };
        char name[9];
        snprintf(name, sizeof name, "e%07zu", i);
        h[26] = 8;   /* name length; method 0, sizes 0 */
        mb_add(&b, h, sizeof h);
        mb_add(&b, name, 8);
    }
    const uint8_t end[22] = { 'P', 'K', 5, 6 };
    mb_add(&b, end, sizeof end);
    struct log *l = new_log();
    l->quiet_empty = true;
    long rss0 = max_rss_kb();
    clock_t t0 = clock();
    assert_int_equal(walk_mem(l, "million.zip", &b, NULL), 0);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(l->empty, PL_IMPORT_ENTRIES_MAX);
    assert_int_equal(l->errors, 1);
    expect_in_log(l, "error million.zip PL_ELIMIT: more than 100000 entries");
    assert_true(secs < 5.0);
    assert_true(max_rss_kb() - rss0 < 16 * 1024);
    free(b.p);
    free(l);
}

static void a_damaged_entry_is_reported_with_its_path(void **state)
{
    (void)state;
    uint8_t data[200000];
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof data; i++) {
        x = x * 1103515245 + 12345;
        data[i] = (uint8_t)((x >> 16) % 16 + 'a');   /* compressible, not trivially */
    }
    const struct ent e[] = { { "ok.fit", "fine", 4 }, { "hurt.fit", data, sizeof data },
                             { "after.fit", "late", 4 } };
    struct mbuf b = build(F_ZIP, e, 3);
    /* Spoil the middle of hurt.fit's deflate stream. */
    for (size_t i = b.n / 2; i < b.n / 2 + 64; i++)
        b.p[i] ^= 0x5A;
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "d.zip", &b, NULL), 0);
    expect_in_log(l, "file d.zip!ok.fit 4 fine\n");
    expect_in_log(l, "bad d.zip!hurt.fit PL_EFORMAT: damaged archive: ");
    free(b.p);
    free(l);
}

static void a_truncated_zip_is_reported(void **state)
{
    (void)state;
    uint8_t data[50000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 >> 2);
    const struct ent e[] = { { "a.fit", "aaaa", 4 }, { "b.fit", data, sizeof data } };
    struct mbuf b = build(F_ZIP, e, 2);
    b.n = 200;
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "cut.zip", &b, NULL), 0);
    expect_in_log(l, "file cut.zip!a.fit 4 aaaa\n");
    assert_true(strstr(l->text, "cut.zip!b.fit") || strstr(l->text, "error cut.zip "));
    free(b.p);
    free(l);
}

static void an_empty_gz_is_an_empty_file(void **state)
{
    (void)state;
    const struct ent e[] = { { "data", "", 0 } };
    uint8_t zeros[4096] = { 0 };
    const struct ent z[] = { { "data", zeros, sizeof zeros } };
    struct mbuf b = build(F_GZ, e, 1), bz = build(F_GZ, z, 1), bzip = build(F_ZIP, NULL, 0);
    struct log *l = new_log();
    l->want = false;
    assert_int_equal(walk_mem(l, "e.fit.gz", &b, NULL), 0);
    assert_int_equal(walk_mem(l, "z.fit.gz", &bz, NULL), 0);
    assert_int_equal(walk_mem(l, "e.zip", &bzip, NULL), 0);
    expect_log(l, "peek e.fit.gz 0\npeek z.fit.gz 0\npeek e.zip 0\n");
    free(b.p);
    free(bz.p);
    free(bzip.p);
    free(l);
}

/* Pseudo-random letters: compressible, not trivially. */
static uint8_t *letters(size_t n)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    uint32_t x = 7;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        p[i] = (uint8_t)((x >> 16) % 16 + 'a');
    }
    return p;
}

/* A gzip of a plain file is inflated whole in memory (libdeflate) when it
 * is small enough, and streamed through libarchive otherwise: the same
 * bytes either way, several members included (RFC 1952, 2.2), and a file
 * past the whole-inflation size is read all the same. */
static void a_gzip_gives_the_same_bytes_whole_or_streamed(void **state)
{
    (void)state;
    const struct ent e1[] = { { "data", "hello ", 6 } }, e2[] = { { "data", "world", 5 } };
    struct mbuf m1 = build(F_GZ, e1, 1), m2 = build(F_GZ, e2, 1);
    mb_add(&m1, m2.p, m2.n);
    size_t big_n = PL_IMPORT_GZIP_WHOLE_BYTES_MAX + 4096;
    uint8_t *big = letters(big_n);
    const struct ent eb[] = { { "data", big, big_n } };
    struct mbuf mb = build(F_GZ, eb, 1);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "two.fit.gz", &m1, NULL), 0);
    assert_int_equal(walk_mem(l, "big.fit.gz", &mb, NULL), 0);
    char want[256];
    snprintf(want, sizeof want, "file two.fit.gz 11 hello wo\nfile big.fit.gz %zu %.8s\n",
             big_n, (const char *)big);
    expect_log(l, want);
    free(big);
    free(m1.p);
    free(m2.p);
    free(mb.p);
    free(l);
}

/* Whole inflation reuses its buffer from one gzip to the next inside an
 * archive, and must still stop at what is left of the walk's limits: a
 * buffer grown by an earlier, larger gzip is no licence to make more. */
static void a_gzip_after_a_larger_one_still_meets_the_limits(void **state)
{
    (void)state;
    uint8_t *data = letters(4400);
    const struct ent a[] = { { "a", data, 3000 } }, b[] = { { "b", data, 4400 } },
                     c[] = { { "c", data, 3000 } };
    struct mbuf ga = build(F_GZ, a, 1), gb = build(F_GZ, b, 1), gc = build(F_GZ, c, 1);
    const struct ent e[] = { { "a.fit.gz", ga.p, ga.n }, { "b.fit.gz", gb.p, gb.n },
                             { "c.fit.gz", gc.p, gc.n } };
    struct mbuf z = build(F_ZIP, e, 3);
    struct pl__walk_limits lim;
    pl__walk_limits_init(&lim);
    /* Every level counts: a's and b's gzip bytes and contents fit, and c's
     * gzip bytes, but not its content (the gzips are about 1.7, 2.5 and
     * 1.7 kB). */
    lim.entry_bytes_max = 4500;
    lim.total_bytes_max = ga.n + 3000 + gb.n + 4400 + gc.n + 600;
    char want[96];
    snprintf(want, sizeof want, "archives expand to more than %llu bytes in all",
             (unsigned long long)lim.total_bytes_max);
    struct log *l = new_log();
    assert_int_equal(walk_mem(l, "g.zip", &z, &lim), 0);
    expect_in_log(l, "file g.zip!a.fit.gz 3000 ");
    expect_in_log(l, "file g.zip!b.fit.gz 4400 ");
    expect_in_log(l, want);
    assert_null(strstr(l->text, "file g.zip!c.fit.gz"));
    free(data);
    free(ga.p);
    free(gb.p);
    free(gc.p);
    free(z.p);
    free(l);
}

/* What whole inflation cannot take goes to libarchive, whose verdict
 * stands, as it did before there was a faster road: a member cut short is
 * damage; a wrong CRC, bytes after the last member and a size in the
 * trailer that lies are not checked by libarchive, so the file is read
 * (libdeflate checks them and steps aside). The size is a hint, never a
 * promise: no 4 GiB buffer is made for it. */
static void a_damaged_gzip_is_reported_as_libarchive_does(void **state)
{
    (void)state;
    size_t n = 100000;
    uint8_t *data = letters(n);
    const struct ent e[] = { { "data", data, n } };
    struct mbuf good = build(F_GZ, e, 1);
    struct mbuf crc = build(F_GZ, e, 1), cut = build(F_GZ, e, 1), tail = build(F_GZ, e, 1),
                size = build(F_GZ, e, 1);
    crc.p[crc.n - 8] ^= 1;
    cut.n -= 100;
    mb_add(&tail, "junk at the end", 15);
    memset(size.p + size.n - 4, 0xff, 4);
    struct log *l = new_log();
    long rss0 = max_rss_kb();
    assert_int_equal(walk_mem(l, "good.fit.gz", &good, NULL), 0);
    assert_int_equal(walk_mem(l, "crc.fit.gz", &crc, NULL), 0);
    assert_int_equal(walk_mem(l, "cut.fit.gz", &cut, NULL), 0);
    assert_int_equal(walk_mem(l, "tail.fit.gz", &tail, NULL), 0);
    assert_int_equal(walk_mem(l, "size.fit.gz", &size, NULL), 0);
    assert_true(max_rss_kb() - rss0 < 64 * 1024);
    expect_log(l, "file good.fit.gz 100000 moecdfco\n"
                  "file crc.fit.gz 100000 moecdfco\n"
                  "bad cut.fit.gz PL_EFORMAT: damaged archive: truncated gzip input; "
                  "nothing after it can be read\n"
                  "file tail.fit.gz 100000 moecdfco\n"
                  "file size.fit.gz 100000 moecdfco\n");
    free(data);
    free(good.p);
    free(crc.p);
    free(cut.p);
    free(tail.p);
    free(size.p);
    free(l);
}

static void garbage_named_zip_is_a_plain_file(void **state)
{
    (void)state;
    struct mbuf b = { 0 };
    mb_add(&b, "not a zip at all", 16);
    struct log *l = new_log();
    l->want = false;
    assert_int_equal(walk_mem(l, "x.zip", &b, NULL), 0);
    expect_log(l, "peek x.zip 16\n");
    free(b.p);
    free(l);
}

static void a_handler_error_stops_the_walk(void **state)
{
    (void)state;
    const struct ent e[] = { { "1", "1", 1 }, { "2", "2", 1 }, { "3", "3", 1 } };
    struct mbuf b = build(F_ZIP, e, 3);
    struct log *l = new_log();
    l->stop_at_file = 2;
    assert_int_equal(walk_mem(l, "s.zip", &b, NULL), PL_EDB);
    expect_log(l, "file s.zip!1 1 1\nfile s.zip!2 1 2\n");
    free(b.p);
    free(l);
}

/* ------------------------------------------------------------------ */
/* Folders                                                              */

static char tmpdir[256];

static void put(const char *rel, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void folders_are_walked_sorted_without_dot_files_or_linked_folders(void **state)
{
    (void)state;
    char cmd[600], p[512];
    snprintf(tmpdir, sizeof tmpdir, "%s/pliant-test-archive.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(p, sizeof p, "%s/sub", tmpdir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/.hidden", tmpdir);
    assert_int_equal(mkdir(p, 0755), 0);
    put("b.fit", "b", 1);
    put("a.fit", "a", 1);
    put("sub/c.fit", "c", 1);
    put(".hidden/d.fit", "d", 1);
    put(".e.fit", "e", 1);
    const struct ent e[] = { { "z/in.fit", "zip", 3 } };
    struct mbuf z = build(F_ZIP, e, 1);
    put("sub/y.zip", z.p, z.n);
    free(z.p);
    snprintf(p, sizeof p, "%s/link", tmpdir);
    assert_int_equal(symlink("sub", p), 0);
    snprintf(p, sizeof p, "%s/alias.fit", tmpdir);
    assert_int_equal(symlink("a.fit", p), 0);

    struct log *l = new_log();
    struct pl__walk_handler h = { l, h_peek, h_file, h_error, NULL };
    struct pl__walk *w = pl__walk_new(&h, NULL);
    struct pl_diag d;
    assert_int_equal(pl__walk_path(w, tmpdir, &d), 0);
    assert_int_equal(pl__walk_path(w, "/nonexistent/pliant.fit", &d), 0);
    pl__walk_free(w);
    char want[4096];
    const char *t = tmpdir;
    snprintf(want, sizeof want,
             "file %s/a.fit 1 a\n"
             "file %s/alias.fit 1 a\n"
             "file %s/b.fit 1 b\n"
             "file %s/sub/c.fit 1 c\n"
             "file %s/sub/y.zip!z/in.fit 3 zip\n"
             "error /nonexistent/pliant.fit PL_EIO: cannot open: No such file or directory\n",
             t, t, t, t, t);
    expect_log(l, want);

    uint64_t files = 0, bytes = 0;
    pl__walk_count(tmpdir, 1000, &files, &bytes);
    assert_int_equal(files, 5);   /* a, alias, b, c, and the zip's one file */
    free(l);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
}

static void a_zip_on_disk_is_counted_from_its_central_directory(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/pliant-test-archive.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(tmpdir));
    struct ent e[300];
    char names[300][24];
    for (int i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], i % 10 ? "f%03d.fit" : "d%03d/", i);
        e[i] = (struct ent){ names[i], i % 10 ? "x" : NULL, i % 10 ? 1 : 0 };
    }
    struct mbuf z = build(F_ZIP, e, 300);
    put("many.zip", z.p, z.n);
    char path[512], cmd[600];
    snprintf(path, sizeof path, "%s/many.zip", tmpdir);
    uint64_t files = 0, bytes = 0;
    pl__walk_count(path, 1000000, &files, &bytes);
    assert_int_equal(files, 270);
    assert_int_equal(bytes, z.n);
    files = 0;
    pl__walk_count(path, 100, &files, &bytes);
    assert_int_equal(files, 100);
    /* Damaged: counted as one file. */
    put("many.zip", z.p, z.n - 30);
    files = 0;
    pl__walk_count(path, 1000000, &files, &bytes);
    assert_int_equal(files, 1);
    free(z.p);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_zip_gives_its_files_in_order_with_bang_paths),
        cmocka_unit_test(a_gz_file_keeps_its_own_name),
        cmocka_unit_test(tar_and_tar_gz_are_read_alike),
        cmocka_unit_test(archives_inside_archives_are_opened_in_memory),
        cmocka_unit_test(dot_dot_names_are_only_names),
        cmocka_unit_test(nesting_up_to_the_limit_is_read),
        cmocka_unit_test(nesting_deeper_than_the_limit_is_refused),
        cmocka_unit_test(a_zip_bomb_is_stopped_early),
        cmocka_unit_test(a_gzip_bomb_is_stopped_early),
        cmocka_unit_test(a_small_file_of_zeros_is_no_bomb),
        cmocka_unit_test(per_entry_and_total_expansion_are_capped),
        cmocka_unit_test(a_million_empty_entries_stop_at_the_limit_quickly),
        cmocka_unit_test(a_damaged_entry_is_reported_with_its_path),
        cmocka_unit_test(a_truncated_zip_is_reported),
        cmocka_unit_test(an_empty_gz_is_an_empty_file),
        cmocka_unit_test(a_gzip_gives_the_same_bytes_whole_or_streamed),
        cmocka_unit_test(a_gzip_after_a_larger_one_still_meets_the_limits),
        cmocka_unit_test(a_damaged_gzip_is_reported_as_libarchive_does),
        cmocka_unit_test(garbage_named_zip_is_a_plain_file),
        cmocka_unit_test(a_handler_error_stops_the_walk),
        cmocka_unit_test(folders_are_walked_sorted_without_dot_files_or_linked_folders),
        cmocka_unit_test(a_zip_on_disk_is_counted_from_its_central_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
