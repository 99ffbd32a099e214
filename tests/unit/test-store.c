/*
 * test-store.c - the SQLite store: migrations, round trips at the stated
 * precision, twins, enrichment, listing, transactions, and the failures a
 * runner's laptop has: a read-only store, a full disk, no memory, and a
 * process killed in the middle of a write.
 *
 * Activities are built by hand here, so that every field has a known
 * value; the readers have their own tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "pliant.h"
#include "store/store.h"

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */

static char dir[256];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test-store.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *db_path(const char *name)
{
    static char path[sizeof dir + 128];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        fail_msg("path too long");
    return path;
}

static struct pl_store *open_ok(const char *name)
{
    struct pl_store *s;
    struct pl_diag d;
    if (pl_store_open(&s, db_path(name), &d) != PL_OK)
        fail_msg("open %s: %s", name, d.msg);
    return s;
}

static double *stream(size_t n)
{
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    return x;
}

enum { S_HR = 1, S_GPS = 2, S_ALT = 4, S_POWER = 8, S_CAD = 16, S_TEMP = 32, S_ALL = 63 };

/* A run of n seconds at 1 Hz starting at start_s, with the streams asked
 * for (S_*), a few absent samples, three laps, and a file hash made from
 * `file`. Streams are malloc'ed: pl_activity_release frees them through
 * the library's default allocator, which is malloc's. */
static void make_run(struct pl_activity *a, int64_t start_s, size_t n, unsigned streams,
                     uint8_t kind, int file)
{
    pl_activity_init(a);
    a->sport = 1;
    a->sub_sport = 0;
    a->start_s = start_s;
    a->utc_offset_s = 3600;
    a->utc_offset_known = kind == PL_SRC_FIT;
    a->duration_s = (double)(n - 1);
    a->moving_s = (double)(n - 5);
    a->dist_m = 2.9 * (double)n;
    a->ascent_m = 42.5;
    a->descent_m = 40.25;
    a->hr_avg_bpm = streams & S_HR ? 151.5 : NAN;
    a->hr_max_bpm = streams & S_HR ? 178 : NAN;
    a->cadence_avg_spm = 172;
    a->power_avg_w = NAN;
    a->training_effect = 3.1;
    snprintf(a->device, sizeof a->device, "test watch %d", kind);
    a->source_kind = kind;
    snprintf(a->source_path, sizeof a->source_path, "runs/%d.%s", file,
             kind == PL_SRC_FIT ? "fit" : kind == PL_SRC_GPX ? "gpx" : "tcx");
    for (int i = 0; i < 32; i++)
        a->source_sha256[i] = (uint8_t)(file * 31 + i);
    a->n = n;
    a->t_s = stream(n);
    if (streams & S_HR)
        a->hr_bpm = stream(n);
    a->speed_mps = stream(n);
    a->dist_m_s = stream(n);
    if (streams & S_ALT)
        a->alt_m = stream(n);
    if (streams & S_GPS) {
        a->lat_deg = stream(n);
        a->lon_deg = stream(n);
    }
    if (streams & S_CAD)
        a->cadence_spm = stream(n);
    if (streams & S_POWER)
        a->power_w = stream(n);
    if (streams & S_TEMP)
        a->temp_c = stream(n);
    double dist = 0;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i, wobble = sin(t / 17.0);
        a->t_s[i] = t;
        a->speed_mps[i] = 2.9 + 0.3 * wobble;
        dist += a->speed_mps[i];
        a->dist_m_s[i] = dist;
        if (a->hr_bpm)
            a->hr_bpm[i] = i % 97 == 13 ? NAN : round(150 + 10 * wobble);
        if (a->alt_m)
            a->alt_m[i] = 120 + 0.2 * round(25 * wobble);
        if (a->lat_deg) {
            a->lat_deg[i] = i > 30 && i < 40 ? NAN : 38.7223 + 1.7e-5 * t + 3e-6 * wobble;
            a->lon_deg[i] = i > 30 && i < 40 ? NAN : -9.1393 + 2.1e-5 * t;
        }
        if (a->cadence_spm)
            a->cadence_spm[i] = 170 + (i / 60) % 4;
        if (a->power_w)
            a->power_w[i] = round(250 + 30 * wobble);
        if (a->temp_c)
            a->temp_c[i] = 18.5;
    }
    a->nlaps = 3;
    a->laps = calloc(3, sizeof *a->laps);
    assert_non_null(a->laps);
    for (size_t k = 0; k < 3; k++) {
        struct pl_lap *l = &a->laps[k];
        l->start_s = start_s + (int64_t)(k * n / 3);
        l->duration_s = (double)n / 3;
        l->moving_s = (double)n / 3 - 1;
        l->dist_m = 1000.5 + (double)k;
        l->hr_avg_bpm = k == 1 ? NAN : 150 + (double)k;
        l->hr_max_bpm = 170;
        l->ascent_m = 12;
        l->descent_m = NAN;
    }
}

static bool same_num(double a, double b, double tol)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= tol;
}

#define assert_num(a, b, tol)                                                      \
    do {                                                                           \
        if (!same_num((a), (b), (tol)))                                            \
            fail_msg("%s: %.12g, expected %.12g (+-%g)", #a, (double)(a), (double)(b), \
                     (double)(tol));                                               \
    } while (0)

static void assert_stream(const char *name, const double *got, const double *want, size_t n,
                          double step)
{
    if (!want) {
        if (got)
            fail_msg("stream %s: present, expected absent", name);
        return;
    }
    if (!got)
        fail_msg("stream %s: absent, expected present", name);
    for (size_t i = 0; i < n; i++) {
        if (isnan(want[i]) ? !isnan(got[i])
                           : !(fabs(got[i] - want[i]) <= step / 2 + fabs(want[i]) * 4e-16))
            fail_msg("stream %s, sample %zu: %.12g, expected %.12g", name, i, got[i], want[i]);
    }
}

/* The summary fields (not id, not streams). */
static void assert_same_summary(const struct pl_activity *got, const struct pl_activity *want)
{
    assert_int_equal(got->sport, want->sport);
    assert_int_equal(got->sub_sport, want->sub_sport);
    assert_int_equal(got->start_s, want->start_s);
    assert_int_equal(got->utc_offset_s, want->utc_offset_s);
    assert_int_equal(got->utc_offset_known, want->utc_offset_known);
    assert_num(got->duration_s, want->duration_s, 0);
    assert_num(got->moving_s, want->moving_s, 0);
    assert_num(got->dist_m, want->dist_m, 0);
    assert_num(got->ascent_m, want->ascent_m, 0);
    assert_num(got->descent_m, want->descent_m, 0);
    assert_num(got->hr_avg_bpm, want->hr_avg_bpm, 0);
    assert_num(got->hr_max_bpm, want->hr_max_bpm, 0);
    assert_num(got->cadence_avg_spm, want->cadence_avg_spm, 0);
    assert_num(got->power_avg_w, want->power_avg_w, 0);
    assert_num(got->training_effect, want->training_effect, 0);
    assert_num(got->anaerobic_training_effect, want->anaerobic_training_effect, 0);
    assert_num(got->rpe, want->rpe, 0);
    assert_string_equal(got->device, want->device);
    assert_string_equal(got->name, want->name);
    assert_string_equal(got->description, want->description);
    assert_int_equal(got->source_kind, want->source_kind);
    assert_string_equal(got->source_path, want->source_path);
    assert_memory_equal(got->source_sha256, want->source_sha256, 32);
    assert_int_equal(got->nlaps, want->nlaps);
    for (size_t k = 0; k < want->nlaps; k++) {
        const struct pl_lap *g = &got->laps[k], *w = &want->laps[k];
        assert_int_equal(g->start_s, w->start_s);
        assert_num(g->duration_s, w->duration_s, 0);
        assert_num(g->moving_s, w->moving_s, 0);
        assert_num(g->dist_m, w->dist_m, 0);
        assert_num(g->hr_avg_bpm, w->hr_avg_bpm, 0);
        assert_num(g->hr_max_bpm, w->hr_max_bpm, 0);
        assert_num(g->ascent_m, w->ascent_m, 0);
        assert_num(g->descent_m, w->descent_m, 0);
    }
}

static void assert_same_activity(const struct pl_activity *got, const struct pl_activity *want)
{
    assert_same_summary(got, want);
    assert_int_equal(got->n, want->n);
    assert_stream("time", got->t_s, want->t_s, want->n, 1e-3);
    assert_stream("hr", got->hr_bpm, want->hr_bpm, want->n, 1);
    assert_stream("speed", got->speed_mps, want->speed_mps, want->n, 1e-3);
    assert_stream("distance", got->dist_m_s, want->dist_m_s, want->n, 1e-2);
    assert_stream("altitude", got->alt_m, want->alt_m, want->n, 1e-2);
    assert_stream("latitude", got->lat_deg, want->lat_deg, want->n, 1e-7);
    assert_stream("longitude", got->lon_deg, want->lon_deg, want->n, 1e-7);
    assert_stream("cadence", got->cadence_spm, want->cadence_spm, want->n, 1);
    assert_stream("power", got->power_w, want->power_w, want->n, 1);
    assert_stream("temperature", got->temp_c, want->temp_c, want->n, 0.1);
}

static int add(struct pl_store *s, const struct pl_activity *a, int64_t *id)
{
    int result;
    int64_t ignored;
    struct pl_diag d;
    int rc = pl_store_add(s, a, &result, id ? id : &ignored, &d);
    if (rc)
        fail_msg("add: %s", d.msg);
    return result;
}

static int64_t count(struct pl_store *s)
{
    int64_t n;
    struct pl_diag d;
    assert_int_equal(pl_store_count(s, &n, &d), PL_OK);
    return n;
}

static int64_t sql_int(struct pl_store *s, const char *q)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(pl__store_db(s), q, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* The invariants a crash must never break: SQLite's own checks, foreign
 * keys, and every activity with its streams at its sample count and a
 * source that points back at it. */
static void assert_consistent(struct pl_store *s)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(pl__store_db(s), "PRAGMA integrity_check", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM streams JOIN activities ON id = activity_id "
                                "WHERE streams.samples <> activities.samples"),
                     0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM activities a WHERE samples > 0 AND NOT "
                                "EXISTS (SELECT 1 FROM streams WHERE activity_id = a.id AND kind = 0)"),
                     0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 "
                                "FROM activity_sources WHERE activity_id = a.id AND role = 'primary')"),
                     0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM activity_sources x WHERE NOT EXISTS "
                                "(SELECT 1 FROM sources WHERE sha256 = x.sha256)"),
                     0);
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */

static void an_empty_file_is_migrated_to_the_latest_schema(void **state)
{
    (void)state;
    FILE *f = fopen(db_path("empty.db"), "w");
    assert_non_null(f);
    fclose(f);
    struct pl_store *s = open_ok("empty.db");
    assert_true(pl__store_schema_version() >= 1);
    assert_int_equal(sql_int(s, "PRAGMA user_version"), pl__store_schema_version());
    assert_int_equal(sql_int(s, "PRAGMA application_id"), 0x706c6e74);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
                                "IN ('activities', 'laps', 'streams', 'sources', 'activity_sources')"),
                     5);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(pl__store_db(s), "PRAGMA journal_mode", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sql_int(s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(count(s), 0);
    pl_store_close(s);
}

static void open_creates_the_folders_and_the_file(void **state)
{
    (void)state;
    struct pl_store *s = open_ok("a/b/c/new.db");
    pl_store_close(s);
    struct stat st;
    assert_int_equal(stat(db_path("a/b/c"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(db_path("a/b/c/new.db"), &st), 0);
}

static void reopening_finds_what_was_stored(void **state)
{
    (void)state;
    struct pl_activity a;
    make_run(&a, 1767600000, 600, S_ALL, PL_SRC_FIT, 1);
    struct pl_store *s = open_ok("reopen.db");
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    pl_store_close(s);
    s = open_ok("reopen.db");
    assert_int_equal(count(s), 1);
    assert_int_equal(sql_int(s, "PRAGMA user_version"), pl__store_schema_version());
    pl_store_close(s);
    pl_activity_release(&a);
}

static void a_store_from_a_newer_pliant_is_refused(void **state)
{
    (void)state;
    struct pl_store *s = open_ok("newer.db");
    char q[64];
    snprintf(q, sizeof q, "PRAGMA user_version = %d", pl__store_schema_version() + 1);
    assert_int_equal(sqlite3_exec(pl__store_db(s), q, NULL, NULL, NULL), SQLITE_OK);
    pl_store_close(s);
    struct pl_diag d;
    assert_int_equal(pl_store_open(&s, db_path("newer.db"), &d), PL_EUNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(d.msg, "newer"));
    assert_non_null(strstr(d.msg, "newer.db"));
}

static void another_programs_database_is_refused(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path("other.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct pl_store *s;
    struct pl_diag d;
    assert_int_equal(pl_store_open(&s, db_path("other.db"), &d), PL_EDB);
    assert_non_null(strstr(d.msg, "not a pliant store"));

    FILE *f = fopen(db_path("text.db"), "w");
    assert_non_null(f);
    fputs("this is not a database, just text that is long enough to look like a header\n", f);
    fclose(f);
    assert_int_equal(pl_store_open(&s, db_path("text.db"), &d), PL_EDB);
    assert_non_null(strstr(d.msg, "text.db"));
}

static void a_path_that_cannot_hold_a_store_is_an_io_error(void **state)
{
    (void)state;
    FILE *f = fopen(db_path("plainfile"), "w");
    assert_non_null(f);
    fclose(f);
    struct pl_store *s;
    struct pl_diag d;
    assert_int_equal(pl_store_open(&s, db_path("plainfile/sub/x.db"), &d), PL_EIO);
    assert_non_null(strstr(d.msg, "plainfile"));
    assert_int_equal(pl_store_open(&s, "", &d), PL_EINVAL);
}

static void the_default_path_follows_the_environment(void **state)
{
    (void)state;
    char buf[512];
    setenv("PLIANT_DB", "/x/y.db", 1);
    assert_true(pl_store_default_path(buf, sizeof buf));
    assert_string_equal(buf, "/x/y.db");
    unsetenv("PLIANT_DB");
    setenv("XDG_DATA_HOME", "/data", 1);
    assert_true(pl_store_default_path(buf, sizeof buf));
    assert_string_equal(buf, "/data/pliant/pliant.db");
    setenv("XDG_DATA_HOME", "relative", 1);
    setenv("HOME", "/home/r", 1);
    assert_true(pl_store_default_path(buf, sizeof buf));
    assert_string_equal(buf, "/home/r/.local/share/pliant/pliant.db");
    assert_false(pl_store_default_path(buf, 10));
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    assert_false(pl_store_default_path(buf, sizeof buf));
}

/* ------------------------------------------------------------------ */
/* Round trips                                                          */

static void an_activity_comes_back_at_the_stated_precision(void **state)
{
    (void)state;
    struct pl_activity a, b;
    make_run(&a, 1767600000, 3601, S_ALL, PL_SRC_FIT, 2);
    snprintf(a.name, sizeof a.name, "Morning run \xc3\xa0 Lisboa");
    snprintf(a.description, sizeof a.description, "easy, \"quoted\"\nsecond line");
    a.rpe = 4;
    struct pl_store *s = open_ok("roundtrip.db");
    int64_t id;
    assert_int_equal(add(s, &a, &id), PL_ADD_NEW);
    assert_true(id > 0);
    struct pl_diag d;
    assert_int_equal(pl_store_get(s, id, &b, &d), PL_OK);
    assert_int_equal(b.id, id);
    assert_same_activity(&b, &a);
    pl_activity_release(&b);

    /* What a sample costs: every stream together, well under 2 bytes a
     * value (docs/internals/store.md has the real figure). */
    int64_t bytes = sql_int(s, "SELECT sum(length(data)) FROM streams");
    assert_true(bytes < (int64_t)(2 * 10 * a.n));
    assert_consistent(s);
    pl_store_close(s);
    pl_activity_release(&a);
}

static void streams_with_no_value_come_back_absent(void **state)
{
    (void)state;
    struct pl_activity a, b;
    make_run(&a, 1767600000, 100, S_HR | S_POWER, PL_SRC_GPX, 3);
    for (size_t i = 0; i < a.n; i++)
        a.power_w[i] = NAN;
    struct pl_store *s = open_ok("absent.db");
    int64_t id;
    assert_int_equal(add(s, &a, &id), PL_ADD_NEW);
    struct pl_diag d;
    assert_int_equal(pl_store_get(s, id, &b, &d), PL_OK);
    assert_null(b.power_w);
    assert_null(b.lat_deg);
    assert_non_null(b.hr_bpm);
    assert_true(isnan(b.hr_bpm[13]));
    pl_activity_release(&b);
    pl_store_close(s);
    pl_activity_release(&a);
}

static void an_activity_without_samples_is_stored(void **state)
{
    (void)state;
    struct pl_activity a, b;
    pl_activity_init(&a);
    a.sport = 1;
    a.start_s = 1767600000;
    a.duration_s = 1800;
    a.source_kind = PL_SRC_FIT;
    memset(a.source_sha256, 7, 32);
    struct pl_store *s = open_ok("nosamples.db");
    int64_t id;
    assert_int_equal(add(s, &a, &id), PL_ADD_NEW);
    struct pl_diag d;
    assert_int_equal(pl_store_get(s, id, &b, &d), PL_OK);
    assert_int_equal(b.n, 0);
    assert_null(b.t_s);
    assert_int_equal(b.nlaps, 0);
    pl_activity_release(&b);
    assert_int_equal(pl_store_get(s, id + 1, &b, &d), PL_ENOTFOUND);
    pl_store_close(s);
}

static void invalid_activities_are_refused(void **state)
{
    (void)state;
    struct pl_activity a;
    make_run(&a, 1767600000, 10, 0, PL_SRC_FIT, 4);
    struct pl_store *s = open_ok("invalid.db");
    int result;
    int64_t id;
    struct pl_diag d;
    a.source_kind = 0;
    assert_int_equal(pl_store_add(s, &a, &result, &id, &d), PL_EINVAL);
    a.source_kind = PL_SRC_FIT;
    a.t_s[5] = NAN;
    assert_int_equal(pl_store_add(s, &a, &result, &id, &d), PL_EINVAL);
    a.t_s[5] = 5;
    a.start_s = INT64_MIN;
    assert_int_equal(pl_store_add(s, &a, &result, &id, &d), PL_EINVAL);
    assert_int_equal(count(s), 0);
    pl_store_close(s);
    pl_activity_release(&a);
}

/* ------------------------------------------------------------------ */
/* Sources and twins                                                    */

static void the_same_file_twice_is_stored_once(void **state)
{
    (void)state;
    struct pl_activity a;
    make_run(&a, 1767600000, 600, S_ALL, PL_SRC_FIT, 5);
    struct pl_store *s = open_ok("samefile.db");
    int64_t id1, id2;
    bool yes;
    struct pl_diag d;
    assert_int_equal(pl_store_has_source(s, a.source_sha256, &yes, &d), PL_OK);
    assert_false(yes);
    assert_int_equal(add(s, &a, &id1), PL_ADD_NEW);
    assert_int_equal(pl_store_has_source(s, a.source_sha256, &yes, &d), PL_OK);
    assert_true(yes);
    assert_int_equal(add(s, &a, &id2), PL_ADD_SAME_FILE);
    assert_int_equal(id1, id2);
    assert_int_equal(count(s), 1);
    pl_store_close(s);
    pl_activity_release(&a);
}

static void two_activities_of_one_file_are_both_stored(void **state)
{
    (void)state;
    struct pl_activity a, b;
    make_run(&a, 1767600000, 600, S_HR, PL_SRC_TCX, 6);
    make_run(&b, 1767600000 + 7200, 600, S_HR, PL_SRC_TCX, 6);
    struct pl_store *s = open_ok("tcx.db");
    int64_t ida, idb;
    assert_int_equal(add(s, &a, &ida), PL_ADD_NEW);
    assert_int_equal(add(s, &b, &idb), PL_ADD_NEW);
    assert_int_not_equal(ida, idb);
    assert_int_equal(add(s, &b, NULL), PL_ADD_SAME_FILE);
    assert_int_equal(count(s), 2);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM sources"), 1);
    assert_int_equal(sql_int(s, "SELECT activity_id FROM sources"), ida);
    assert_consistent(s);
    pl_store_close(s);
    pl_activity_release(&a);
    pl_activity_release(&b);
}

static void a_richer_twin_takes_the_place_and_keeps_the_id(void **state)
{
    (void)state;
    struct pl_activity gpx, fit, got;
    make_run(&gpx, 1767600000, 1800, S_GPS | S_ALT, PL_SRC_GPX, 7);
    snprintf(gpx.name, sizeof gpx.name, "From Strava");
    make_run(&fit, 1767600000 + 20, 1790, S_ALL, PL_SRC_FIT, 8);
    struct pl_store *s = open_ok("richer.db");
    int64_t id1, id2;
    assert_int_equal(add(s, &gpx, &id1), PL_ADD_NEW);
    assert_int_equal(add(s, &fit, &id2), PL_ADD_REPLACED);
    assert_int_equal(id1, id2);
    assert_int_equal(count(s), 1);
    struct pl_diag d;
    assert_int_equal(pl_store_get(s, id1, &got, &d), PL_OK);
    /* The FIT's record, with the GPX's name since the FIT had none. */
    snprintf(fit.name, sizeof fit.name, "From Strava");
    assert_same_activity(&got, &fit);
    pl_activity_release(&got);
    /* Both files are known; the GPX is now the twin. */
    bool yes;
    assert_int_equal(pl_store_has_source(s, gpx.source_sha256, &yes, &d), PL_OK);
    assert_true(yes);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM activity_sources WHERE role = 'twin'"), 1);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM activity_sources WHERE role = 'primary'"), 1);
    /* The GPX again: the same file. */
    assert_int_equal(add(s, &gpx, NULL), PL_ADD_SAME_FILE);
    assert_consistent(s);
    pl_store_close(s);
    pl_activity_release(&gpx);
    pl_activity_release(&fit);
}

static void a_poorer_twin_is_recorded_but_not_stored(void **state)
{
    (void)state;
    struct pl_activity fit, gpx, tcx, got;
    make_run(&fit, 1767600000, 1800, S_ALL, PL_SRC_FIT, 9);
    make_run(&gpx, 1767600000 - 30, 1830, S_GPS | S_HR, PL_SRC_GPX, 10);
    snprintf(gpx.name, sizeof gpx.name, "Named in the GPX");
    gpx.utc_offset_s = 7200;
    /* As rich as the FIT in streams and samples: the format decides. */
    make_run(&tcx, 1767600000, 1800, S_ALL, PL_SRC_TCX, 11);
    struct pl_store *s = open_ok("poorer.db");
    int64_t id1, id2, id3;
    assert_int_equal(add(s, &fit, &id1), PL_ADD_NEW);
    assert_int_equal(add(s, &gpx, &id2), PL_ADD_TWIN);
    assert_int_equal(add(s, &tcx, &id3), PL_ADD_TWIN);
    assert_int_equal(id1, id2);
    assert_int_equal(id1, id3);
    assert_int_equal(count(s), 1);
    struct pl_diag d;
    assert_int_equal(pl_store_get(s, id1, &got, &d), PL_OK);
    /* The FIT's record; the empty name filled from the twin, the known
     * UTC offset kept. */
    snprintf(fit.name, sizeof fit.name, "Named in the GPX");
    assert_same_activity(&got, &fit);
    pl_activity_release(&got);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM sources"), 3);
    assert_consistent(s);
    pl_store_close(s);
    pl_activity_release(&fit);
    pl_activity_release(&gpx);
    pl_activity_release(&tcx);
}

static void near_misses_are_not_twins(void **state)
{
    (void)state;
    struct pl_activity base, a;
    struct pl_store *s = open_ok("nearmiss.db");
    make_run(&base, 1767600000, 3600, S_HR, PL_SRC_FIT, 12);
    assert_int_equal(add(s, &base, NULL), PL_ADD_NEW);
    /* Starts 61 s apart. */
    make_run(&a, 1767600000 + 61, 3600, S_HR, PL_SRC_GPX, 13);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    pl_activity_release(&a);
    /* Another sport. */
    make_run(&a, 1767600000 + 5, 3600, S_HR, PL_SRC_GPX, 14);
    a.sport = 2;
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    pl_activity_release(&a);
    pl_activity_release(&base);
    /* A 100 s activity and a 10 min one starting 60 s later overlap for
     * 40 s, 40 % of the shorter: not twins. */
    make_run(&base, 1767700000, 101, S_HR, PL_SRC_FIT, 15);
    assert_int_equal(add(s, &base, NULL), PL_ADD_NEW);
    pl_activity_release(&base);
    make_run(&a, 1767700000 + 60, 600, S_HR, PL_SRC_GPX, 16);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    pl_activity_release(&a);
    /* Starting 45 s later: 55 s of 100, twins. */
    make_run(&base, 1767800000, 101, S_HR, PL_SRC_FIT, 17);
    assert_int_equal(add(s, &base, NULL), PL_ADD_NEW);
    make_run(&a, 1767800000 + 45, 600, 0, PL_SRC_GPX, 18);   /* poorer: no HR */
    assert_int_equal(add(s, &a, NULL), PL_ADD_TWIN);
    pl_activity_release(&a);
    assert_int_equal(count(s), 6);
    pl_store_close(s);
    pl_activity_release(&base);
}

static void a_generic_sport_matches_any(void **state)
{
    (void)state;
    struct pl_activity gpx, fit, got;
    make_run(&gpx, 1767600000, 600, S_GPS, PL_SRC_GPX, 118);
    gpx.sport = 0;
    make_run(&fit, 1767600000, 600, S_GPS | S_HR, PL_SRC_FIT, 119);
    fit.sub_sport = 3;
    struct pl_store *s = open_ok("generic.db");
    int64_t id;
    assert_int_equal(add(s, &gpx, &id), PL_ADD_NEW);
    assert_int_equal(add(s, &fit, NULL), PL_ADD_REPLACED);
    struct pl_diag d;
    assert_int_equal(pl_store_get(s, id, &got, &d), PL_OK);
    assert_int_equal(got.sport, 1);
    assert_int_equal(got.sub_sport, 3);
    pl_activity_release(&got);
    pl_store_close(s);
    pl_activity_release(&gpx);
    pl_activity_release(&fit);
}

static void skipped_files_are_remembered(void **state)
{
    (void)state;
    struct pl_store *s = open_ok("skipped.db");
    uint8_t h[32];
    memset(h, 0xab, sizeof h);
    bool yes;
    struct pl_diag d;
    assert_int_equal(pl_store_add_skipped(s, h, "settings.fit", "FIT settings file", &d), PL_OK);
    assert_int_equal(pl_store_has_source(s, h, &yes, &d), PL_OK);
    assert_true(yes);
    assert_int_equal(pl_store_add_skipped(s, h, "settings.fit", "again", &d), PL_OK);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM sources WHERE outcome = 'skipped'"), 1);
    assert_int_equal(count(s), 0);
    pl_store_close(s);
}

/* ------------------------------------------------------------------ */
/* Enrich and list                                                      */

static void enrich_names_the_nearest_activity(void **state)
{
    (void)state;
    struct pl_activity a, b, got;
    make_run(&a, 1767600000, 600, S_HR, PL_SRC_FIT, 20);
    make_run(&b, 1767600000 + 90, 600, S_HR, PL_SRC_FIT, 21);
    b.sport = 2;
    struct pl_store *s = open_ok("enrich.db");
    int64_t ida, idb;
    assert_int_equal(add(s, &a, &ida), PL_ADD_NEW);
    assert_int_equal(add(s, &b, &idb), PL_ADD_NEW);
    bool found;
    struct pl_diag d;
    assert_int_equal(pl_store_enrich(s, 1767600000 + 50, "Lunch ride", "windy", -1, &found, &d),
                     PL_OK);
    assert_true(found);
    assert_int_equal(pl_store_get(s, idb, &got, &d), PL_OK);
    assert_string_equal(got.name, "Lunch ride");
    assert_string_equal(got.description, "windy");
    assert_int_equal(got.sport, 2);
    pl_activity_release(&got);
    /* NULL leaves a field; a sport is set; a long text is cut to fit. */
    char long_name[400];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(pl_store_enrich(s, 1767600000 - 60, long_name, NULL, 11, &found, &d), PL_OK);
    assert_true(found);
    assert_int_equal(pl_store_get(s, ida, &got, &d), PL_OK);
    assert_int_equal(strlen(got.name), sizeof got.name - 1);
    assert_string_equal(got.description, "");
    assert_int_equal(got.sport, 11);
    pl_activity_release(&got);
    assert_int_equal(pl_store_enrich(s, 1767600000 - 61, "none", NULL, -1, &found, &d), PL_OK);
    assert_false(found);
    assert_int_equal(pl_store_enrich(s, 1767600000, "x", NULL, 256, &found, &d), PL_EINVAL);
    pl_store_close(s);
    pl_activity_release(&a);
    pl_activity_release(&b);
}

struct seen {
    int64_t ids[16];
    int n, stop_after;
    struct pl_store *s;
};

static int on_listed(void *ctx, const struct pl_activity *a)
{
    struct seen *v = ctx;
    assert_int_equal(a->n, 0);
    assert_null(a->t_s);
    assert_int_equal(a->nlaps, 3);
    if (v->s) {
        /* Reading inside a listing works. */
        struct pl_activity full;
        struct pl_diag d;
        assert_int_equal(pl_store_get(v->s, a->id, &full, &d), PL_OK);
        assert_true(full.n > 0);
        pl_activity_release(&full);
    }
    v->ids[v->n++] = a->id;
    return v->stop_after && v->n == v->stop_after;
}

static void list_filters_by_time_and_sport_oldest_first(void **state)
{
    (void)state;
    struct pl_store *s = open_ok("list.db");
    int64_t ids[5];
    const int64_t day = 86400, t0 = 1767600000;
    const int order[5] = { 3, 0, 4, 1, 2 };   /* added out of order */
    for (int k = 0; k < 5; k++) {
        struct pl_activity a;
        int i = order[k];
        make_run(&a, t0 + i * day, 120, S_HR, PL_SRC_FIT, 30 + i);
        a.sport = i == 2 ? 2 : 1;
        assert_int_equal(add(s, &a, &ids[i]), PL_ADD_NEW);
        pl_activity_release(&a);
    }
    struct pl_diag d;
    struct seen v = { .s = s };
    assert_int_equal(pl_store_list(s, NULL, on_listed, &v, &d), PL_OK);
    assert_int_equal(v.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(v.ids[i], ids[i]);

    struct pl_store_query q = { t0 + day, t0 + 4 * day, 1 };
    memset(&v, 0, sizeof v);
    assert_int_equal(pl_store_list(s, &q, on_listed, &v, &d), PL_OK);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.ids[0], ids[1]);
    assert_int_equal(v.ids[1], ids[3]);

    q = (struct pl_store_query){ INT64_MIN, INT64_MAX, -1 };
    memset(&v, 0, sizeof v);
    v.stop_after = 2;
    assert_int_equal(pl_store_list(s, &q, on_listed, &v, &d), PL_ECANCELED);
    assert_int_equal(v.n, 2);
    /* The store is usable after a stopped listing. */
    struct pl_activity a;
    make_run(&a, t0 + 10 * day, 120, S_HR, PL_SRC_FIT, 40);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    pl_activity_release(&a);
    assert_int_equal(count(s), 6);
    pl_store_close(s);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */

static void a_transaction_stores_all_or_nothing(void **state)
{
    (void)state;
    struct pl_activity a, b;
    make_run(&a, 1767600000, 300, S_HR, PL_SRC_TCX, 50);
    make_run(&b, 1767600000 + 3600, 300, S_HR, PL_SRC_TCX, 50);
    struct pl_store *s = open_ok("txn.db");
    struct pl_diag d;
    assert_int_equal(pl_store_begin(s, &d), PL_OK);
    assert_int_equal(pl_store_begin(s, &d), PL_EINVAL);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    assert_int_equal(add(s, &b, NULL), PL_ADD_NEW);
    assert_int_equal(count(s), 2);
    pl_store_rollback(s);
    assert_int_equal(count(s), 0);
    assert_int_equal(pl_store_commit(s, &d), PL_EINVAL);

    assert_int_equal(pl_store_begin(s, &d), PL_OK);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    /* A failed change inside is undone alone. */
    int result;
    int64_t id;
    a.source_kind = 9;
    assert_int_equal(pl_store_add(s, &a, &result, &id, &d), PL_EINVAL);
    a.source_kind = PL_SRC_TCX;
    assert_int_equal(add(s, &b, NULL), PL_ADD_NEW);
    assert_int_equal(pl_store_commit(s, &d), PL_OK);
    pl_store_close(s);
    s = open_ok("txn.db");
    assert_int_equal(count(s), 2);
    assert_consistent(s);
    pl_store_close(s);
    pl_activity_release(&a);
    pl_activity_release(&b);
}

/* ------------------------------------------------------------------ */
/* Failures                                                             */

static void a_read_only_store_reads_and_refuses_changes(void **state)
{
    (void)state;
    struct pl_activity a, got;
    make_run(&a, 1767600000, 300, S_HR, PL_SRC_FIT, 60);
    struct pl_store *s = open_ok("ro.db");
    int64_t id;
    assert_int_equal(add(s, &a, &id), PL_ADD_NEW);
    pl_activity_release(&a);
    make_run(&a, 1767700000, 300, S_HR, PL_SRC_FIT, 61);
    /* query_only makes SQLite refuse writes as on a read-only file (root,
     * who runs CI, may write any file: a chmod would prove nothing;
     * tests/cli/t0402-store-failures.sh uses a read-only mount). */
    assert_int_equal(sqlite3_exec(pl__store_db(s), "PRAGMA query_only = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    int result;
    int64_t id2;
    struct pl_diag d;
    assert_int_equal(pl_store_add(s, &a, &result, &id2, &d), PL_EIO);
    assert_non_null(strstr(d.msg, "read-only"));
    assert_non_null(strstr(d.msg, "ro.db"));
    assert_int_equal(pl_store_get(s, id, &got, &d), PL_OK);
    pl_activity_release(&got);
    assert_int_equal(count(s), 1);
    pl_store_close(s);

    if (geteuid() != 0) {
        assert_int_equal(chmod(db_path("ro.db"), 0444), 0);
        s = open_ok("ro.db");
        assert_int_equal(pl_store_add(s, &a, &result, &id2, &d), PL_EIO);
        assert_non_null(strstr(d.msg, "read-only"));
        assert_int_equal(count(s), 1);
        pl_store_close(s);
        chmod(db_path("ro.db"), 0644);
    }
    pl_activity_release(&a);
}

static void a_full_disk_fails_cleanly_and_the_store_stays_whole(void **state)
{
    (void)state;
    struct pl_store *s = open_ok("full.db");
    struct pl_activity a;
    make_run(&a, 1767600000, 600, S_ALL, PL_SRC_FIT, 70);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    pl_activity_release(&a);
    /* Cap the file at its size now plus 2 pages: a long run does not fit. */
    int64_t pages = sql_int(s, "PRAGMA page_count");
    char q[64];
    snprintf(q, sizeof q, "PRAGMA max_page_count = %lld", (long long)pages + 2);
    assert_int_equal(sqlite3_exec(pl__store_db(s), q, NULL, NULL, NULL), SQLITE_OK);
    make_run(&a, 1767700000, 20000, S_ALL, PL_SRC_FIT, 71);
    int result;
    int64_t id;
    struct pl_diag d;
    assert_int_equal(pl_store_add(s, &a, &result, &id, &d), PL_EIO);
    assert_non_null(strstr(d.msg, "disk is full"));
    assert_int_equal(result, 0);
    assert_int_equal(count(s), 1);
    assert_consistent(s);
    /* The same inside a caller's transaction: it is aborted, and says so. */
    assert_int_equal(pl_store_begin(s, &d), PL_OK);
    assert_int_not_equal(pl_store_add(s, &a, &result, &id, &d), PL_OK);
    pl_store_rollback(s);
    /* Room again: the same activity goes in. */
    assert_int_equal(sqlite3_exec(pl__store_db(s), "PRAGMA max_page_count = 1000000", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
    assert_int_equal(count(s), 2);
    assert_consistent(s);
    pl_store_close(s);
    pl_activity_release(&a);
}

/* An allocator that fails the n-th call. */
static int alloc_calls, alloc_fail_at;
static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ++alloc_calls == alloc_fail_at ? NULL : malloc(n);
}
static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ++alloc_calls == alloc_fail_at ? NULL : realloc(p, n);
}
static void std_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* Open, add, get and list; returns the first error (or PL_OK). */
static int open_add_get_list(const char *name, const struct pl_activity *a,
                             struct pl_activity *got, struct pl_diag *d)
{
    struct pl_store *s = NULL;
    int result = 0;
    int64_t id = 0;
    struct seen v = { 0 };
    int rc = pl_store_open(&s, db_path(name), d);
    if (rc == PL_OK)
        rc = pl_store_add(s, a, &result, &id, d);
    if (rc == PL_OK)
        rc = pl_store_get(s, id, got, d);
    if (rc == PL_OK)
        rc = pl_store_list(s, NULL, on_listed, &v, d);
    pl_store_close(s);
    return rc;
}

/* Open, add, get, list and close with the n-th allocation failing, for
 * every n that a clean run makes: every step either works or says "out
 * of memory", nothing leaks (ASan), and the store is whole afterwards.
 * (Some failures are absorbed: shrinking a buffer that cannot shrink
 * keeps the larger one.) */
static void allocation_failures_are_reported_and_leave_the_store_whole(void **state)
{
    (void)state;
    static const struct pl_allocator fa = { fail_malloc, fail_realloc, std_free, NULL };
    struct pl_activity a, got;
    struct pl_diag d;
    make_run(&a, 1767600000, 500, S_ALL, PL_SRC_FIT, 80);
    alloc_calls = 0;
    alloc_fail_at = 0;
    pl_set_allocator(&fa);
    int rc = open_add_get_list("oom-clean.db", &a, &got, &d);
    pl_set_allocator(NULL);
    assert_int_equal(rc, PL_OK);
    pl_activity_release(&got);
    int total = alloc_calls, reported = 0;
    assert_true(total > 10);
    for (alloc_fail_at = 1; alloc_fail_at <= total; alloc_fail_at++) {
        char name[64];
        snprintf(name, sizeof name, "oom-%d.db", alloc_fail_at);
        alloc_calls = 0;
        pl_set_allocator(&fa);
        rc = open_add_get_list(name, &a, &got, &d);
        pl_set_allocator(NULL);
        if (rc != PL_OK && rc != PL_ENOMEM)
            fail_msg("failing allocation %d: %s (%s)", alloc_fail_at, pl_err_name(rc), d.msg);
        if (rc == PL_OK)
            assert_same_activity(&got, &a);
        else
            reported++;
        pl_activity_release(&got);
        /* Whatever failed, the store opens and is whole. */
        struct pl_store *s = open_ok(name);
        assert_consistent(s);
        int64_t n = count(s);
        assert_true(n == 0 || n == 1);
        pl_store_close(s);
    }
    assert_true(reported > total / 2);
    pl_activity_release(&a);
}

/* Kill a writer at random moments: the store reopens whole every time,
 * and holds a prefix of what the writer added. */
static void a_writer_killed_at_any_moment_leaves_the_store_whole(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 12; round++) {
        char name[64];
        snprintf(name, sizeof name, "kill-%d.db", round);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct pl_store *s = open_ok(name);
            for (int i = 0; i < 1000; i++) {
                struct pl_activity a;
                make_run(&a, 1767600000 + i * 86400, 900, S_ALL, PL_SRC_FIT, i);
                int result;
                int64_t id;
                struct pl_diag d;
                if (pl_store_add(s, &a, &result, &id, &d) != PL_OK)
                    _exit(3);
                pl_activity_release(&a);
            }
            pl_store_close(s);
            _exit(0);
        }
        struct timespec ts = { 0, (long)(rand() % 300) * 1000000L + 5000000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        struct pl_store *s = open_ok(name);
        assert_consistent(s);
        int64_t n = count(s);
        /* Activities 0..n-1, in order, nothing else. */
        assert_int_equal(sql_int(s, "SELECT count(*) FROM activities WHERE "
                                    "(start_s - 1767600000) / 86400 >= (SELECT count(*) FROM activities)"),
                         0);
        /* Adding the next one works (no stale lock). */
        struct pl_activity a;
        make_run(&a, 1767600000 + n * 86400, 900, S_ALL, PL_SRC_FIT, (int)n);
        assert_int_equal(add(s, &a, NULL), PL_ADD_NEW);
        pl_activity_release(&a);
        pl_store_close(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_empty_file_is_migrated_to_the_latest_schema),
        cmocka_unit_test(open_creates_the_folders_and_the_file),
        cmocka_unit_test(reopening_finds_what_was_stored),
        cmocka_unit_test(a_store_from_a_newer_pliant_is_refused),
        cmocka_unit_test(another_programs_database_is_refused),
        cmocka_unit_test(a_path_that_cannot_hold_a_store_is_an_io_error),
        cmocka_unit_test(the_default_path_follows_the_environment),
        cmocka_unit_test(an_activity_comes_back_at_the_stated_precision),
        cmocka_unit_test(streams_with_no_value_come_back_absent),
        cmocka_unit_test(an_activity_without_samples_is_stored),
        cmocka_unit_test(invalid_activities_are_refused),
        cmocka_unit_test(the_same_file_twice_is_stored_once),
        cmocka_unit_test(two_activities_of_one_file_are_both_stored),
        cmocka_unit_test(a_richer_twin_takes_the_place_and_keeps_the_id),
        cmocka_unit_test(a_poorer_twin_is_recorded_but_not_stored),
        cmocka_unit_test(near_misses_are_not_twins),
        cmocka_unit_test(a_generic_sport_matches_any),
        cmocka_unit_test(skipped_files_are_remembered),
        cmocka_unit_test(enrich_names_the_nearest_activity),
        cmocka_unit_test(list_filters_by_time_and_sport_oldest_first),
        cmocka_unit_test(a_transaction_stores_all_or_nothing),
        cmocka_unit_test(a_read_only_store_reads_and_refuses_changes),
        cmocka_unit_test(a_full_disk_fails_cleanly_and_the_store_stays_whole),
        cmocka_unit_test(allocation_failures_are_reported_and_leave_the_store_whole),
        cmocka_unit_test(a_writer_killed_at_any_moment_leaves_the_store_whole),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
