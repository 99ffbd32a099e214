/*
 * test-import.c - pl_import_paths end to end: a Strava export named by its
 * activities.csv whether the csv comes first or last, a csv matched by
 * date, what each kind of file becomes (imported, duplicate, skipped with
 * the reason, failed with where), progress, a store that stops accepting
 * writes, and an allocation-failure loop over a whole import.
 *
 * Files are made here: FIT activities by the simulator, archives by
 * libarchive's writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "pliant.h"
#include "store/store.h"

static char dir[256];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test-import.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_in(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* ------------------------------------------------------------------ */
/* Files                                                                */

struct blob {
    uint8_t *p;
    size_t n;
};

/* A short simulated run (minutes at 1 Hz) on day `day` (days since 1970). */
static struct blob fit_run(int32_t day, uint32_t seconds, uint64_t seed, int64_t *start_s)
{
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.start_day = day;
    o.single_s = seconds;
    o.seed = seed;
    struct pl_sim *s;
    struct pl_diag d;
    assert_int_equal(pl_sim_plan(&o, &s, &d), PL_OK);
    struct pl_fit_writer *w = pl_fit_writer_new(1u << 24);
    assert_non_null(w);
    assert_int_equal(pl_sim_render(s, 0, w, &d), PL_OK);
    assert_int_equal(pl_fit_writer_finish(w, &d), PL_OK);
    if (start_s)
        *start_s = pl_sim_activity(s, 0)->start_s;
    size_t n;
    const uint8_t *p = pl_fit_writer_bytes(w, &n);
    struct blob b = { malloc(n), n };
    assert_non_null(b.p);
    memcpy(b.p, p, n);
    pl_fit_writer_free(w);
    pl_sim_free(s);
    return b;
}

static struct blob workout_file(void)
{
    struct pl_fit_workout_step step = { "Hamstring bridges", 300, PL_FIT_INTENSITY_ACTIVE, NULL };
    struct pl_fit_workout wk = { "Recovery", 10, 1700000000, 1, &step };
    struct pl_fit_writer *w = pl_fit_writer_new(1u << 20);
    struct pl_diag d;
    assert_int_equal(pl_fit_writer_add_workout(w, &wk, &d), PL_OK);
    assert_int_equal(pl_fit_writer_finish(w, &d), PL_OK);
    size_t n;
    const uint8_t *p = pl_fit_writer_bytes(w, &n);
    struct blob b = { malloc(n), n };
    memcpy(b.p, p, n);
    pl_fit_writer_free(w);
    return b;
}

struct mbuf {
    uint8_t *p;
    size_t n, cap;
};

static la_ssize_t mb_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
    (void)a;
    struct mbuf *b = ctx;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, buf, n);
    b->n += n;
    return (la_ssize_t)n;
}

struct ent {
    const char *name;
    const void *p;
    size_t n;
};

/* Write a zip (gz false) or a .gz of one file (gz true) to path. */
static void write_archive(const char *path, bool gz, const struct ent *e, size_t ne)
{
    struct mbuf b = { 0 };
    struct archive *a = archive_write_new();
    if (gz) {
        archive_write_add_filter_gzip(a);
        archive_write_set_format_raw(a);
    } else {
        archive_write_set_format_zip(a);
    }
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open2(a, &b, NULL, mb_write, NULL, NULL), ARCHIVE_OK);
    for (size_t i = 0; i < ne; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_size(ae, (la_int64_t)e[i].n);
        assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
        if (e[i].n)
            assert_int_equal(archive_write_data(a, e[i].p, e[i].n), (la_ssize_t)e[i].n);
        archive_entry_free(ae);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b.p, 1, b.n, f), b.n);
    fclose(f);
    free(b.p);
}

static struct blob gzip_blob(const struct blob *in)
{
    const char *tmp = path_in("tmp.gz");
    const struct ent e[] = { { "data", in->p, in->n } };
    write_archive(tmp, true, e, 1);
    FILE *f = fopen(tmp, "rb");
    fseek(f, 0, SEEK_END);
    struct blob b = { malloc((size_t)ftell(f)), (size_t)ftell(f) };
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(b.p, 1, b.n, f), b.n);
    fclose(f);
    unlink(tmp);
    return b;
}

static void put_file(const char *name, const void *p, size_t n)
{
    FILE *f = fopen(path_in(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* ------------------------------------------------------------------ */
/* Importing and looking                                                */

struct log {
    char text[8192];
    size_t n;
    struct pl_import_progress last;
    unsigned progress_calls;
};

static void on_file(void *ctx, const struct pl_import_event *e)
{
    static const char *const names[] = { "?", "imported", "duplicate", "skipped", "failed" };
    struct log *l = ctx;
    int k = snprintf(l->text + l->n, sizeof l->text - l->n, "%s %s %u%s%s\n",
                     names[e->outcome], e->file, e->activities, e->diag ? ": " : "",
                     e->diag ? e->diag->msg : "");
    if (k > 0 && (size_t)k < sizeof l->text - l->n)
        l->n += (size_t)k;
}

static void on_progress(void *ctx, const struct pl_import_progress *p)
{
    struct log *l = ctx;
    l->last = *p;
    l->progress_calls++;
}

static int import(const char *db, const char *const *paths, size_t n, struct log *l,
                  struct pl_import_summary *sum)
{
    struct pl_store *s;
    struct pl_diag d;
    if (pl_store_open(&s, db, &d) != PL_OK)
        fail_msg("open %s: %s", db, d.msg);
    struct pl_import_handler h = { l, on_file, on_progress };
    int rc = pl_import_paths(s, paths, n, &h, 0, sum, &d);
    pl_store_close(s);
    return rc;
}

struct names {
    char text[4096];
    size_t n;
    int count;
};

static int on_listed(void *ctx, const struct pl_activity *a)
{
    struct names *nm = ctx;
    nm->count++;
    int k = snprintf(nm->text + nm->n, sizeof nm->text - nm->n, "%s|%s|%s\n", a->name,
                     a->description, pl_sport_name(a->sport));
    if (k > 0 && (size_t)k < sizeof nm->text - nm->n)
        nm->n += (size_t)k;
    return 0;
}

static struct names list(const char *db)
{
    struct names nm = { .n = 0 };
    struct pl_store *s;
    struct pl_diag d;
    if (pl_store_open(&s, db, &d) != PL_OK)
        fail_msg("open %s: %s", db, d.msg);
    nm.text[0] = '\0';
    assert_int_equal(pl_store_list(s, NULL, on_listed, &nm, &d), PL_OK);
    pl_store_close(s);
    return nm;
}

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("'%s' not in:\n%s", want, text);
}

/* Day 20458 is 2026-01-05. */
#define DAY0 20458

/* ------------------------------------------------------------------ */

static void a_strava_zip_is_named_by_its_csv_whether_it_comes_first_or_last(void **state)
{
    (void)state;
    int64_t t1, t2;
    struct blob f1 = fit_run(DAY0, 180, 1, &t1), f2 = fit_run(DAY0 + 1, 240, 2, &t2);
    struct blob g1 = gzip_blob(&f1), g2 = gzip_blob(&f2);
    /* The first row's date is wrong on purpose: the Filename must win. */
    const char *csv = "Activity ID,Activity Date,Activity Name,Activity Type,"
                      "Activity Description,Filename\n"
                      "1,\"Jan 1, 2020, 1:00:00 AM\",Hill reps,Run,\"6 x 90 s, \"\"hard\"\"\",activities/1.fit.gz\n"
                      "2,\"Jan 2, 2020, 1:00:00 AM\",Shake-out,Run,,activities/2.fit.gz\n";
    for (int first = 0; first < 2; first++) {
        const struct ent csv_e = { "export_42/activities.csv", csv, strlen(csv) };
        const struct ent a = { "export_42/activities/1.fit.gz", g1.p, g1.n };
        const struct ent b = { "export_42/activities/2.fit.gz", g2.p, g2.n };
        struct ent e[3];
        e[0] = first ? csv_e : a;
        e[1] = first ? a : b;
        e[2] = first ? b : csv_e;
        write_archive(path_in("export.zip"), false, e, 3);
        char db[512];
        snprintf(db, sizeof db, "%s", path_in(first ? "first.db" : "last.db"));
        const char *paths[] = { path_in("export.zip") };
        struct log l = { .n = 0 };
        struct pl_import_summary sum;
        assert_int_equal(import(db, paths, 1, &l, &sum), PL_OK);
        assert_int_equal(sum.imported, 2);
        assert_int_equal(sum.activities, 2);
        assert_int_equal(sum.enriched, 2);
        assert_int_equal(sum.failed + sum.skipped + sum.duplicates, 0);
        struct names nm = list(db);
        assert_int_equal(nm.count, 2);
        expect_in(nm.text, "Hill reps|6 x 90 s, \"hard\"|running\n");
        expect_in(nm.text, "Shake-out||running\n");
        expect_in(l.text, "imported ");
        expect_in(l.text, "export.zip!export_42/activities/1.fit.gz 1\n");
    }
    free(f1.p);
    free(f2.p);
    free(g1.p);
    free(g2.p);
}

/* A csv whose files were imported before (or renamed) matches by date,
 * within a minute. */
static void a_csv_alone_matches_by_date(void **state)
{
    (void)state;
    int64_t t1;
    struct blob f1 = fit_run(DAY0 + 3, 180, 3, &t1);
    put_file("run.fit", f1.p, f1.n);
    char db[512];
    snprintf(db, sizeof db, "%s", path_in("date.db"));
    const char *p1[] = { path_in("run.fit") };
    struct log l = { .n = 0 };
    struct pl_import_summary sum;
    assert_int_equal(import(db, p1, 1, &l, &sum), PL_OK);
    assert_int_equal(sum.imported, 1);

    /* Strava's date is UTC, to the second; 30 s off still matches. */
    char csv[512];
    time_t t = (time_t)(t1 + 30);
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    snprintf(csv, sizeof csv,
             "Activity Date,Activity Name,Activity Type,Filename\n"
             "\"%s %d, %d, %d:%02d:%02d %s\",Found by date,Run,activities/999.fit.gz\n"
             "\"Jan 1, 2001, 1:00:00 AM\",Nobody,Run,activities/998.fit.gz\n",
             mon[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900, tm.tm_hour % 12 ? tm.tm_hour % 12 : 12,
             tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
    mkdir(path_in("csvonly"), 0755);
    put_file("csvonly/activities.csv", csv, strlen(csv));
    const char *p2[] = { path_in("csvonly") };
    l.n = 0;
    assert_int_equal(import(db, p2, 1, &l, &sum), PL_OK);
    assert_int_equal(sum.enriched, 1);
    assert_int_equal(sum.imported + sum.failed + sum.skipped + sum.duplicates, 0);
    struct names nm = list(db);
    expect_in(nm.text, "Found by date||running\n");
    free(f1.p);
}

static void each_file_says_what_became_of_it(void **state)
{
    (void)state;
    struct blob f1 = fit_run(DAY0 + 5, 180, 5, NULL), wk = workout_file();
    struct blob f2 = fit_run(DAY0 + 6, 180, 6, NULL);
    struct blob cut = { malloc(f2.n / 2), f2.n / 2 };
    memcpy(cut.p, f2.p, cut.n);
    const char *gpx_route = "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"t\" "
                            "xmlns=\"http://www.topografix.com/GPX/1/1\"><rte><rtept "
                            "lat=\"1\" lon=\"2\"/></rte></gpx>\n";
    const struct ent e[] = {
        { "a/run.fit", f1.p, f1.n },
        { "a/same-run-again.fit", f1.p, f1.n },
        { "b/workout.fit", wk.p, wk.n },
        { "b/photo.jpg", "\xFF\xD8\xFF\xE0 not really", 15 },
        { "b/route.gpx", gpx_route, strlen(gpx_route) },
        { "c/garbage.fit", "this is not a FIT file at all", 29 },
        { "c/cut.fit", cut.p, cut.n },
        { "c/empty.tcx", "", 0 },
    };
    write_archive(path_in("mixed.zip"), false, e, (sizeof e / sizeof e[0]));
    char db[512];
    snprintf(db, sizeof db, "%s", path_in("mixed.db"));
    const char *paths[] = { path_in("mixed.zip"), path_in("nonexistent.fit") };
    struct log l = { .n = 0 };
    struct pl_import_summary sum;
    assert_int_equal(import(db, paths, 2, &l, &sum), PL_OK);
    expect_in(l.text, "imported ");
    expect_in(l.text, "mixed.zip!a/run.fit 1\n");
    expect_in(l.text, "duplicate ");
    expect_in(l.text, "mixed.zip!a/same-run-again.fit 0\n");
    expect_in(l.text, "mixed.zip!b/workout.fit 0: ");
    expect_in(l.text, "mixed.zip!b/photo.jpg 0: not an activity file (FIT, GPX or TCX)\n");
    expect_in(l.text, "mixed.zip!b/route.gpx 0: ");
    expect_in(l.text, "failed ");
    expect_in(l.text, "mixed.zip!c/garbage.fit 0: ");
    expect_in(l.text, "mixed.zip!c/empty.tcx 0: an empty file\n");
    expect_in(l.text, "nonexistent.fit 0: cannot open: No such file or directory\n");
    /* A FIT file cut short gives the activity of its complete records,
     * with a warning that says where it ends (docs/internals/fit.md). */
    char want[256];
    snprintf(want, sizeof want, "imported %s!c/cut.fit 1: input ends at byte %zu", path_in("mixed.zip"),
             cut.n);
    expect_in(l.text, want);
    expect_in(l.text, "the activity they make was imported\n");
    assert_int_equal(sum.imported, 2);
    assert_int_equal(sum.duplicates, 1);
    assert_int_equal(sum.skipped, 4);   /* workout, photo, route, empty */
    assert_int_equal(sum.failed, 2);    /* garbage, nonexistent */
    assert_int_equal(l.last.files_done, 9);
    assert_int_equal(l.last.bytes_done, l.last.bytes_total);

    /* Again: what was read before (activities and recorded skips) is a
     * duplicate now, found by its hash. */
    l.n = 0;
    assert_int_equal(import(db, paths, 2, &l, &sum), PL_OK);
    expect_in(l.text, "duplicate ");
    expect_in(l.text, "mixed.zip!b/workout.fit 0\n");
    expect_in(l.text, "mixed.zip!b/route.gpx 0\n");
    assert_int_equal(sum.imported, 0);
    free(f1.p);
    free(f2.p);
    free(wk.p);
    free(cut.p);
}

/* The zip's central directory gives the total before the walk begins. */
static void progress_counts_files_and_bytes(void **state)
{
    (void)state;
    struct blob f1 = fit_run(DAY0 + 7, 120, 7, NULL), f2 = fit_run(DAY0 + 8, 120, 8, NULL);
    const struct ent e[] = { { "1.fit", f1.p, f1.n }, { "2.fit", f2.p, f2.n } };
    write_archive(path_in("two.zip"), false, e, 2);
    put_file("three.fit", f1.p, f1.n);
    const char *paths[] = { path_in("two.zip"), path_in("three.fit") };
    struct log l = { .n = 0 };
    struct pl_import_summary sum;
    assert_int_equal(import(path_in("progress.db"), paths, 2, &l, &sum), PL_OK);
    assert_int_equal(l.last.files_total, 3);
    assert_int_equal(l.last.files_done, 3);
    struct stat st;
    stat(path_in("two.zip"), &st);
    assert_int_equal(l.last.bytes_total, (uint64_t)st.st_size + f1.n);
    assert_int_equal(l.last.bytes_done, l.last.bytes_total);
    assert_true(l.progress_calls >= 3);
    assert_int_equal(sum.bytes, 2 * f1.n + f2.n);
    free(f1.p);
    free(f2.p);
}

/* A store that refuses writes (as a full or read-only disk does) stops
 * the import with its error; what was stored before stays, whole. */
static void a_store_that_fails_stops_the_import(void **state)
{
    (void)state;
    struct blob f1 = fit_run(DAY0 + 9, 120, 9, NULL), f2 = fit_run(DAY0 + 10, 120, 10, NULL);
    put_file("stop1.fit", f1.p, f1.n);
    put_file("stop2.fit", f2.p, f2.n);
    struct pl_store *s;
    struct pl_diag d;
    assert_int_equal(pl_store_open(&s, path_in("stop.db"), &d), PL_OK);
    const char *p1[] = { path_in("stop1.fit") };
    struct pl_import_summary sum;
    assert_int_equal(pl_import_paths(s, p1, 1, NULL, 0, &sum, &d), PL_OK);
    assert_int_equal(sqlite3_exec(pl__store_db(s), "PRAGMA query_only = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    const char *p2[] = { path_in("stop2.fit") };
    int rc = pl_import_paths(s, p2, 1, NULL, 0, &sum, &d);
    assert_true(rc == PL_EDB || rc == PL_EIO);
    assert_true(d.msg[0] != '\0');
    assert_int_equal(sum.imported, 0);
    assert_int_equal(sqlite3_exec(pl__store_db(s), "PRAGMA query_only = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    int64_t n;
    assert_int_equal(pl_store_count(s, &n, &d), PL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(pl_import_paths(s, p2, 1, NULL, 0, &sum, &d), PL_OK);
    assert_int_equal(sum.imported, 1);
    pl_store_close(s);
    free(f1.p);
    free(f2.p);
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                  */

static long fail_at, calls;
static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ++calls == fail_at ? NULL : malloc(n);
}
static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ++calls == fail_at ? NULL : realloc(p, n);
}
static void std_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* Fail each allocation of a whole import in turn, each time into a fresh
 * store: the import ends with PL_ENOMEM (or succeeds, when the failure was
 * in a place that may fail), nothing leaks (the sanitizer build checks),
 * and importing again afterwards gives exactly the full result. */
static void every_allocation_failure_is_clean_and_recoverable(void **state)
{
    (void)state;
    struct blob f1 = fit_run(DAY0 + 11, 90, 11, NULL), f2 = fit_run(DAY0 + 12, 90, 12, NULL);
    struct blob g2 = gzip_blob(&f2);
    const char *csv = "Activity Date,Activity Name,Filename\n"
                      "\"Jan 1, 2020, 1:00:00 AM\",One,activities/1.fit\n";
    const struct ent e[] = { { "activities/1.fit", f1.p, f1.n },
                             { "activities/2.fit.gz", g2.p, g2.n },
                             { "activities.csv", csv, strlen(csv) },
                             { "notes.txt", "hello", 5 },
                             { "bad.fit", "nope", 4 } };
    char zip[512];
    snprintf(zip, sizeof zip, "%s", path_in("oom.zip"));
    write_archive(zip, false, e, (sizeof e / sizeof e[0]));
    const char *paths[] = { zip };
    struct pl_allocator a = { fail_malloc, fail_realloc, std_free, NULL };
    bool finished = false;
    long step = 1;
    for (fail_at = 1; !finished && fail_at < 100000; fail_at += step) {
        char name[64];
        snprintf(name, sizeof name, "oom-%ld.db", fail_at);
        char db[512];
        snprintf(db, sizeof db, "%s", path_in(name));
        struct pl_store *s;
        struct pl_diag d;
        assert_int_equal(pl_store_open(&s, db, &d), PL_OK);
        calls = 0;
        pl_set_allocator(&a);
        struct pl_import_summary sum;
        int rc = pl_import_paths(s, paths, 1, NULL, 0, &sum, &d);
        pl_set_allocator(NULL);
        finished = calls < fail_at;
        if (rc != PL_OK && rc != PL_ENOMEM)
            fail_msg("allocation %ld: %s (%s)", fail_at, pl_err_name(rc), d.msg);
        if (finished)
            assert_int_equal(rc, PL_OK);
        /* Whatever happened, a second import completes the store. */
        struct log l = { .n = 0 };
        struct pl_import_handler h = { &l, on_file, NULL };
        assert_int_equal(pl_import_paths(s, paths, 1, &h, 0, &sum, &d), PL_OK);
        int64_t n;
        assert_int_equal(pl_store_count(s, &n, &d), PL_OK);
        if (n != 2)
            fail_msg("allocation %ld: %lld activities after a second import:\n%s", fail_at,
                     (long long)n, l.text);
        pl_store_close(s);
        unlink(db);
        /* Past the first few hundred, every other allocation is enough to
         * visit every kind of site and keeps the test quick. */
        if (fail_at > 400)
            step = 3;
    }
    assert_true(finished);
    print_message("a whole import makes %ld allocations\n", calls);
    free(f1.p);
    free(f2.p);
    free(g2.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_strava_zip_is_named_by_its_csv_whether_it_comes_first_or_last),
        cmocka_unit_test(a_csv_alone_matches_by_date),
        cmocka_unit_test(each_file_says_what_became_of_it),
        cmocka_unit_test(progress_counts_files_and_bytes),
        cmocka_unit_test(a_store_that_fails_stops_the_import),
        cmocka_unit_test(every_allocation_failure_is_clean_and_recoverable),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
