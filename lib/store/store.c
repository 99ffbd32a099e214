/*
 * store.c - the SQLite store: activities with their laps and streams, and
 * the source files they came from.
 *
 * All SQL of libpliant lives here, so that another backend (PostgreSQL,
 * DESIGN.md) replaces one file. The schema is lib/store/schema.sql, embedded at
 * build time and applied as numbered forward migrations. Every change is
 * one transaction (BEGIN IMMEDIATE ... COMMIT, or a savepoint inside a
 * caller's pl_store_begin), and the database runs in WAL mode, so a crash
 * or SIGKILL leaves it as it was before or after a change. Streams are
 * stored in lib/store/streamcodec.c's encoding; the rules for twins and what a
 * sample costs are in docs/internals/store.md.
 *
 * It does not read files, compute metrics or print; it never keeps a
 * struct pl_activity beyond a call.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "activity/activity.h"
#include "store/store.h"
#include "store/streamcodec.h"

extern const unsigned char pl__schema_sql[];
extern const size_t pl__schema_sql_len;

/* PRAGMA application_id of a pliant store: "plnt". Tells a pliant store
 * from another program's SQLite file. */
#define APP_ID 0x706c6e74
/* How long to wait for another process's write lock before giving up. */
#define BUSY_TIMEOUT_MS 10000
/* Twins (docs/internals/store.md): starts at most this far apart ... */
#define TWIN_START_S 60
/* ... and overlapping for at least this share of the shorter one. */
#define TWIN_OVERLAP_MIN 0.5
/* Migration steps the built-in schema may hold. */
#define STEPS_MAX 64

/* ------------------------------------------------------------------ */
/* Stream kinds                                                         */

static const struct kind {
    int8_t stream;     /* enum pl__stream: which pointer of pl_activity */
    int8_t exp10;      /* stored at a step of 10^exp10 of its unit */
} kinds[PL__SK_COUNT] = {
    /* 1 ms: GPX and TCX write milliseconds; FIT whole seconds. */
    [PL__SK_TIME] = { PL__S_T, -3 },
    /* Whole beats: every format stores an integer. */
    [PL__SK_HR] = { PL__S_HR, 0 },
    /* 1 mm/s: FIT's enhanced_speed resolution (scale 1000). */
    [PL__SK_SPEED] = { PL__S_SPEED, -3 },
    /* 1 cm: FIT's distance resolution (scale 100). */
    [PL__SK_DIST] = { PL__S_DIST, -2 },
    /* 1 cm: finer than FIT's 0.2 m and any barometer. */
    [PL__SK_ALT] = { PL__S_ALT, -2 },
    /* 1e-7 degree, 11 mm: GPX files write 7 decimals at most in practice;
     * FIT's semicircle (8.4e-8 degree) is rounded by at most 6 mm. */
    [PL__SK_LAT] = { PL__S_LAT, -7 },
    [PL__SK_LON] = { PL__S_LON, -7 },
    /* Whole steps (or revolutions) per minute. */
    [PL__SK_CAD] = { PL__S_CAD, 0 },
    /* Whole watts, as every format writes them. */
    [PL__SK_POWER] = { PL__S_POWER, 0 },
    /* 0.1 degree C: FIT writes whole degrees, GPX sometimes tenths. */
    [PL__SK_TEMP] = { PL__S_TEMP, -1 },
};

int pl__store_stream_exp10(int kind)
{
    return kind >= 0 && kind < PL__SK_COUNT ? kinds[kind].exp10 : 0;
}

static double *stream_of(const struct pl_activity *a, int kind)
{
    return *pl__activity_stream((struct pl_activity *)a, kinds[kind].stream);
}

/* ------------------------------------------------------------------ */
/* Statements                                                           */

/* The summary columns of activities, in the order bind_activity() binds
 * them (?1..?25) and read_activity() reads them (after id). */
#define ACT_COLS                                                              \
    "sport, sub_sport, start_s, utc_offset_s, utc_offset_known, duration_s, " \
    "moving_s, dist_m, ascent_m, descent_m, hr_avg_bpm, hr_max_bpm, "         \
    "cadence_avg_spm, power_avg_w, training_effect, "                         \
    "anaerobic_training_effect, rpe, device, name, description, "             \
    "source_kind, source_path, source_sha256, samples, streams"
#define ACT_NCOLS 25

enum {
    Q_SAME_FILE, Q_TWINS, Q_INSERT_ACT, Q_REPLACE_ACT, Q_FILL_ACT, Q_DEL_LAPS,
    Q_DEL_STREAMS, Q_INSERT_LAP, Q_INSERT_STREAM, Q_DEMOTE, Q_UPSERT_SOURCE,
    Q_INSERT_ASRC, Q_SKIPPED, Q_HAS_SOURCE, Q_NEAREST, Q_ENRICH, Q_GET,
    Q_LAPS, Q_STREAMS, Q_COUNT,
    /* the load model's (section at the end of this file) */
    Q_FEAT_STREAMS,
    Q__N
};

static const char *const sql[Q__N] = {
    [Q_SAME_FILE] = "SELECT activity_id FROM activity_sources WHERE sha256 = ?1 AND start_s = ?2",
    [Q_TWINS] = "SELECT id, sport, start_s, duration_s, samples, streams, source_kind "
                "FROM activities WHERE start_s BETWEEN ?1 AND ?2 ORDER BY id",
    [Q_INSERT_ACT] = "INSERT INTO activities (" ACT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                     "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
                     "?22, ?23, ?24, ?25) RETURNING id",
    /* A richer twin takes the row: its figures, but the old row's text
     * when it brings none, its sport when it only says "generic" and its
     * UTC offset when it does not know its own. */
    [Q_REPLACE_ACT] =
        "UPDATE activities SET "
        "sub_sport = CASE WHEN ?1 = 0 THEN sub_sport ELSE ?2 END, "
        "sport = CASE WHEN ?1 = 0 THEN sport ELSE ?1 END, start_s = ?3, "
        "utc_offset_s = CASE WHEN ?5 = 0 AND utc_offset_known <> 0 THEN utc_offset_s ELSE ?4 END, "
        "utc_offset_known = CASE WHEN ?5 = 0 THEN utc_offset_known ELSE ?5 END, "
        "duration_s = ?6, moving_s = ?7, dist_m = ?8, ascent_m = ?9, descent_m = ?10, "
        "hr_avg_bpm = ?11, hr_max_bpm = ?12, cadence_avg_spm = ?13, power_avg_w = ?14, "
        "training_effect = ?15, anaerobic_training_effect = ?16, rpe = ?17, "
        "device = CASE WHEN ?18 = '' THEN device ELSE ?18 END, "
        "name = CASE WHEN ?19 = '' THEN name ELSE ?19 END, "
        "description = CASE WHEN ?20 = '' THEN description ELSE ?20 END, "
        "source_kind = ?21, source_path = ?22, source_sha256 = ?23, samples = ?24, "
        "streams = ?25 WHERE id = ?26",
    /* The kept twin takes what it lacks from the other: text, a sport
     * other than "generic", a known UTC offset. */
    [Q_FILL_ACT] =
        "UPDATE activities SET "
        "name = CASE WHEN name = '' THEN ?2 ELSE name END, "
        "description = CASE WHEN description = '' THEN ?3 ELSE description END, "
        "utc_offset_s = CASE WHEN utc_offset_known = 0 AND ?5 <> 0 THEN ?4 ELSE utc_offset_s END, "
        "utc_offset_known = CASE WHEN utc_offset_known = 0 THEN ?5 ELSE utc_offset_known END, "
        "sub_sport = CASE WHEN sport = 0 THEN ?7 ELSE sub_sport END, "
        "sport = CASE WHEN sport = 0 THEN ?6 ELSE sport END WHERE id = ?1",
    [Q_DEL_LAPS] = "DELETE FROM laps WHERE activity_id = ?1",
    [Q_DEL_STREAMS] = "DELETE FROM streams WHERE activity_id = ?1",
    [Q_INSERT_LAP] = "INSERT INTO laps (activity_id, seq, start_s, duration_s, moving_s, "
                     "dist_m, hr_avg_bpm, hr_max_bpm, ascent_m, descent_m) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [Q_INSERT_STREAM] = "INSERT INTO streams (activity_id, kind, samples, data) "
                        "VALUES (?1, ?2, ?3, ?4)",
    [Q_DEMOTE] = "UPDATE activity_sources SET role = 'twin' WHERE activity_id = ?1",
    /* A file seen before as "skipped" (say, by an older pliant) that now
     * gives an activity becomes an activity source; a second activity
     * from the same file (TCX) keeps the first one's id. */
    [Q_UPSERT_SOURCE] =
        "INSERT INTO sources (sha256, path, kind, outcome, reason, activity_id, imported_at) "
        "VALUES (?1, ?2, ?3, 'activity', NULL, ?4, ?5) ON CONFLICT (sha256) DO UPDATE SET "
        "path = CASE WHEN sources.outcome = 'skipped' THEN excluded.path ELSE sources.path END, "
        "kind = excluded.kind, outcome = 'activity', reason = NULL, "
        "activity_id = COALESCE(CASE WHEN sources.outcome = 'activity' "
        "THEN sources.activity_id END, excluded.activity_id)",
    [Q_INSERT_ASRC] = "INSERT INTO activity_sources (sha256, start_s, activity_id, role) "
                      "VALUES (?1, ?2, ?3, ?4)",
    [Q_SKIPPED] = "INSERT INTO sources (sha256, path, kind, outcome, reason, activity_id, "
                  "imported_at) VALUES (?1, ?2, NULL, 'skipped', ?3, NULL, ?4) "
                  "ON CONFLICT (sha256) DO NOTHING",
    [Q_HAS_SOURCE] = "SELECT 1 FROM sources WHERE sha256 = ?1",
    [Q_NEAREST] = "SELECT id FROM activities WHERE start_s BETWEEN ?1 AND ?2 "
                  "ORDER BY abs(start_s - ?3), id LIMIT 1",
    [Q_ENRICH] = "UPDATE activities SET name = COALESCE(?2, name), "
                 "description = COALESCE(?3, description), "
                 "sub_sport = CASE WHEN ?4 >= 0 AND ?4 <> sport THEN 0 ELSE sub_sport END, "
                 "sport = CASE WHEN ?4 >= 0 THEN ?4 ELSE sport END WHERE id = ?1",
    [Q_GET] = "SELECT id, " ACT_COLS " FROM activities WHERE id = ?1",
    [Q_LAPS] = "SELECT start_s, duration_s, moving_s, dist_m, hr_avg_bpm, hr_max_bpm, "
               "ascent_m, descent_m FROM laps WHERE activity_id = ?1 ORDER BY seq",
    [Q_STREAMS] = "SELECT kind, samples, data FROM streams WHERE activity_id = ?1 ORDER BY kind",
    [Q_COUNT] = "SELECT count(*) FROM activities",
    /* Distance before speed: speed is skipped when distance is there. */
    [Q_FEAT_STREAMS] = "SELECT kind, data FROM streams WHERE activity_id = ?1 AND "
                       "kind IN (?2, ?3, ?4, ?5, ?6, ?7, ?8) ORDER BY kind DESC",
};

/* Transaction state of a store. */
enum { TXN_NONE, TXN_OPEN, TXN_BROKEN };

struct pl_store {
    sqlite3 *db;
    char *path;
    bool readonly;
    int txn;                     /* a caller's pl_store_begin: TXN_* */
    int depth;                   /* changes of this file under way */
    int sqlite_rc;               /* the last SQLite error db_fail saw */
    sqlite3_stmt *st[Q__N];      /* prepared on first use */
};

sqlite3 *pl__store_db(struct pl_store *s)
{
    return s->db;
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

/* Turn an SQLite result into a pl_err with a message that names the store
 * and says what was being done ("adding an activity"). */
static int db_fail(struct pl_store *s, int rc, const char *doing, struct pl_diag *d)
{
    const char *path = s->path;
    const char *m = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    int sys = s->db ? sqlite3_system_errno(s->db) : 0;
    s->sqlite_rc = rc;
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory %s in '%s'", doing, path);
    case SQLITE_READONLY:
        return pl__diag(d, PL_EIO, UINT64_MAX, "cannot write to '%s' (%s): the store is read-only",
                        path, doing);
    case SQLITE_FULL:
        return pl__diag(d, PL_EIO, UINT64_MAX, "cannot write to '%s' (%s): the disk is full",
                        path, doing);
    case SQLITE_IOERR:
        if (sys == ENOSPC)
            return pl__diag(d, PL_EIO, UINT64_MAX, "cannot write to '%s' (%s): the disk is full",
                            path, doing);
        return pl__diag(d, PL_EIO, UINT64_MAX, "input/output error on '%s' (%s): %s", path,
                        doing, sys ? strerror(sys) : m);
    case SQLITE_CANTOPEN: {
        /* SQLite's last errno is often that of its read-only retry
         * (ENOENT for a store not yet made); say why it could not be made
         * when its folder is the reason. */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = 0;
        else
            snprintf(dir, sizeof dir, ".");
        if (access(path, F_OK) != 0 && access(dir, W_OK) != 0)
            return pl__diag(d, PL_EIO, UINT64_MAX, "cannot create '%s': the folder '%s' is not writable (%s)",
                            path, dir, strerror(errno));
        return pl__diag(d, PL_EIO, UINT64_MAX, "cannot open '%s': %s", path,
                        sys ? strerror(sys) : m);
    }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return pl__diag(d, PL_EDB, UINT64_MAX,
                        "'%s' is locked by another program (waited %d s while %s)", path,
                        BUSY_TIMEOUT_MS / 1000, doing);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return pl__diag(d, PL_EDB, UINT64_MAX, "'%s' is damaged or not a pliant store (%s)", path,
                        m);
    default:
        return pl__diag(d, PL_EDB, UINT64_MAX, "'%s': %s (%s)", path, m, doing);
    }
}

/* A prepared statement for q, reset and with no bindings. */
static int stmt(struct pl_store *s, int q, sqlite3_stmt **out, struct pl_diag *d)
{
    if (!s->st[q]) {
        int rc = sqlite3_prepare_v3(s->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &s->st[q], NULL);
        if (rc != SQLITE_OK)
            return db_fail(s, rc, "preparing a query", d);
    } else {
        sqlite3_reset(s->st[q]);
        sqlite3_clear_bindings(s->st[q]);
    }
    *out = s->st[q];
    return PL_OK;
}

/* Reset every cached statement: none may keep a read open in WAL mode
 * after a call returns. */
static void reset_all(struct pl_store *s)
{
    for (int q = 0; q < Q__N; q++)
        if (s->st[q])
            sqlite3_reset(s->st[q]);
}

/* Run a statement that returns no rows. */
static int run(struct pl_store *s, sqlite3_stmt *st, const char *doing, struct pl_diag *d)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(s, rc, doing, d);
    sqlite3_reset(st);
    return PL_OK;
}

static int exec(struct pl_store *s, const char *text, const char *doing, struct pl_diag *d)
{
    int rc = sqlite3_exec(s->db, text, NULL, NULL, NULL);
    return rc == SQLITE_OK ? PL_OK : db_fail(s, rc, doing, d);
}

/* One integer from a query of one row (a PRAGMA, a count). */
static int query_int(struct pl_store *s, const char *text, int64_t *v, struct pl_diag *d)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, text, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(s, rc, "reading the store's header", d);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        *v = 0;
    else {
        int e = db_fail(s, rc, "reading the store's header", d);
        sqlite3_finalize(st);
        return e;
    }
    sqlite3_finalize(st);
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */

/* Start one change (or one consistent read): a transaction of its own, or
 * a savepoint inside the caller's transaction or inside another call of
 * this file (pl_store_get from a pl_store_list callback). write: take the
 * write lock now (BEGIN IMMEDIATE), so that two writers queue at the start
 * instead of failing half-way. */
static int txn_begin(struct pl_store *s, bool write, const char *doing, struct pl_diag *d)
{
    if (s->txn == TXN_BROKEN)
        return pl__diag(d, PL_EDB, UINT64_MAX,
                        "'%s': an earlier error rolled the transaction back (%s)", s->path, doing);
    bool nested = s->txn == TXN_OPEN || s->depth > 0;
    int rc = exec(s, nested ? "SAVEPOINT pl_change" : write ? "BEGIN IMMEDIATE" : "BEGIN", doing,
                  d);
    if (rc == PL_OK)
        s->depth++;
    return rc;
}

/* Roll back one change; after an error SQLite may have done so already. */
static void txn_rollback(struct pl_store *s)
{
    s->depth--;
    reset_all(s);
    if (s->txn == TXN_OPEN || s->depth > 0) {
        if (sqlite3_get_autocommit(s->db)) {
            /* SQLite rolled back the whole transaction (a full disk, an
             * I/O error): later changes must not run outside it. */
            if (s->txn == TXN_OPEN)
                s->txn = TXN_BROKEN;
            return;
        }
        sqlite3_exec(s->db, "ROLLBACK TO pl_change; RELEASE pl_change", NULL, NULL, NULL);
        return;
    }
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* End one change: commit it when rc is PL_OK, else roll it back. Returns
 * rc, or the commit's error. */
static int txn_end(struct pl_store *s, int rc, const char *doing, struct pl_diag *d)
{
    bool nested = s->txn == TXN_OPEN || s->depth > 1;
    reset_all(s);
    if (rc == PL_OK) {
        rc = exec(s, nested ? "RELEASE pl_change" : "COMMIT", doing, d);
        if (rc == PL_OK) {
            s->depth--;
            return PL_OK;
        }
    }
    txn_rollback(s);
    return rc;
}

int pl_store_begin(struct pl_store *s, struct pl_diag *diag)
{
    if (s->txn != TXN_NONE)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "a transaction is open already on '%s'",
                        s->path);
    int rc = exec(s, "BEGIN IMMEDIATE", "starting a transaction", diag);
    if (rc == PL_OK)
        s->txn = TXN_OPEN;
    return rc;
}

int pl_store_commit(struct pl_store *s, struct pl_diag *diag)
{
    if (s->txn == TXN_NONE)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no transaction is open on '%s'", s->path);
    if (s->txn == TXN_BROKEN) {
        s->txn = TXN_NONE;
        return pl__diag(diag, PL_EDB, UINT64_MAX,
                        "'%s': an earlier error rolled the transaction back", s->path);
    }
    reset_all(s);
    int rc = exec(s, "COMMIT", "committing", diag);
    if (rc != PL_OK && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->txn = TXN_NONE;
    return rc;
}

int pl__store_mark(struct pl_store *s, struct pl_diag *diag)
{
    if (s->txn == TXN_BROKEN)
        return pl__diag(diag, PL_EDB, UINT64_MAX,
                        "'%s': an earlier error rolled the transaction back", s->path);
    if (s->txn != TXN_OPEN)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no transaction is open on '%s'", s->path);
    return exec(s, "SAVEPOINT pl_file", "starting a file", diag);
}

int pl__store_mark_keep(struct pl_store *s, struct pl_diag *diag)
{
    reset_all(s);
    return exec(s, "RELEASE pl_file", "keeping a file", diag);
}

void pl__store_mark_undo(struct pl_store *s)
{
    reset_all(s);
    if (s->txn != TXN_OPEN)
        return;
    if (sqlite3_get_autocommit(s->db)) {
        s->txn = TXN_BROKEN;   /* SQLite rolled back everything */
        return;
    }
    sqlite3_exec(s->db, "ROLLBACK TO pl_file; RELEASE pl_file", NULL, NULL, NULL);
}

void pl_store_rollback(struct pl_store *s)
{
    if (!s || s->txn == TXN_NONE)
        return;
    reset_all(s);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->txn = TXN_NONE;
}

/* ------------------------------------------------------------------ */
/* Opening and migrations                                               */

bool pl_store_default_path(char *buf, size_t n)
{
    const char *db = getenv("PLIANT_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int len;
    if (db && *db)
        len = snprintf(buf, n, "%s", db);
    /* XDG Base Directory Specification: a relative XDG_DATA_HOME is
     * invalid and ignored. */
    else if (xdg && xdg[0] == '/')
        len = snprintf(buf, n, "%s/pliant/pliant.db", xdg);
    else if (home && *home)
        len = snprintf(buf, n, "%s/.local/share/pliant/pliant.db", home);
    else
        return false;
    return len >= 0 && (size_t)len < n;
}

/* mkdir -p of the folder that holds path. Folders made here are private
 * (0700): the store holds health data. */
static int make_parent(const char *path, struct pl_diag *d)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return PL_OK;
    size_t n = (size_t)(slash - path);
    char *dir = pl__malloc(n + 1);
    if (!dir)
        return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory");
    memcpy(dir, path, n);
    dir[n] = '\0';
    int rc = PL_OK;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && dir[i] != '/')
            continue;
        dir[i] = '\0';
        struct stat st;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            rc = pl__diag(d, PL_EIO, UINT64_MAX, "cannot create folder '%s' for the store: %s",
                          dir, strerror(errno));
            break;
        }
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = pl__diag(d, PL_EIO, UINT64_MAX, "cannot create the store in '%s': not a folder",
                          dir);
            break;
        }
        if (i < n)
            dir[i] = '/';
    }
    pl__free(dir);
    return rc;
}

struct step {
    int num;
    const char *sql;
    size_t len;
};

/* Split the embedded schema into its steps ("-- @migration N: ..."),
 * numbered 1, 2, 3... in order. */
static int schema_steps(struct step *steps, int *nsteps)
{
    const char *p = (const char *)pl__schema_sql, *end = p + pl__schema_sql_len;
    static const char mark[] = "-- @migration ";
    int n = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > sizeof mark - 1 && memcmp(p, mark, sizeof mark - 1) == 0) {
            int num = atoi(p + sizeof mark - 1);
            if (n == STEPS_MAX || num != n + 1)
                return PL_EDB;
            if (n > 0)
                steps[n - 1].len = (size_t)(p - steps[n - 1].sql);
            steps[n].num = num;
            steps[n].sql = eol;
            n++;
        }
        p = eol + (eol < end);
    }
    if (n == 0)
        return PL_EDB;
    steps[n - 1].len = (size_t)(end - steps[n - 1].sql);
    *nsteps = n;
    return PL_OK;
}

int pl__store_schema_version(void)
{
    struct step steps[STEPS_MAX];
    int n = 0;
    return schema_steps(steps, &n) == PL_OK ? n : -1;
}

/* Run every statement of one step. */
static int run_step_sql(struct pl_store *s, const struct step *step, struct pl_diag *d)
{
    const char *p = step->sql, *end = step->sql + step->len;
    while (p < end) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(s->db, p, (int)(end - p), &st, &tail);
        if (rc != SQLITE_OK)
            return db_fail(s, rc, "upgrading the schema", d);
        if (!st)             /* only blanks and comments were left */
            break;
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            return db_fail(s, rc, "upgrading the schema", d);
        p = tail;
    }
    return PL_OK;
}

/* Apply one step in its own transaction, unless another process did it
 * while this one waited for the lock. */
static int migrate(struct pl_store *s, const struct step *step, struct pl_diag *d)
{
    int rc = exec(s, "BEGIN IMMEDIATE", "upgrading the schema", d);
    if (rc)
        return rc;
    int64_t ver = 0;
    rc = query_int(s, "PRAGMA user_version", &ver, d);
    if (rc == PL_OK && ver < step->num) {
        char pragma[96];
        rc = run_step_sql(s, step, d);
        if (rc == PL_OK) {
            snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", step->num);
            rc = exec(s, pragma, "upgrading the schema", d);
        }
        if (rc == PL_OK && step->num == 1) {
            snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d", APP_ID);
            rc = exec(s, pragma, "upgrading the schema", d);
        }
    }
    if (rc == PL_OK)
        rc = exec(s, "COMMIT", "upgrading the schema", d);
    if (rc != PL_OK && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int check_and_migrate(struct pl_store *s, struct pl_diag *d)
{
    struct step steps[STEPS_MAX];
    int nsteps = 0;
    if (schema_steps(steps, &nsteps) != PL_OK)
        return pl__diag(d, PL_EDB, UINT64_MAX, "the built-in schema (lib/store/schema.sql) is malformed");
    int64_t app = 0, ver = 0, objects = 0;
    int rc = query_int(s, "PRAGMA application_id", &app, d);
    if (rc == PL_OK)
        rc = query_int(s, "PRAGMA user_version", &ver, d);
    if (rc == PL_OK)
        rc = query_int(s, "SELECT count(*) FROM sqlite_master", &objects, d);
    if (rc)
        return rc;
    if (app != APP_ID && !(app == 0 && ver == 0 && objects == 0))
        return pl__diag(d, PL_EDB, UINT64_MAX,
                        "'%s' is not a pliant store (an SQLite database of another program)",
                        s->path);
    if (ver > nsteps)
        return pl__diag(d, PL_EUNSUPPORTED, UINT64_MAX,
                        "'%s' has schema version %lld, newer than this pliant (%s) knows (%d): "
                        "use a newer pliant",
                        s->path, (long long)ver, PL_VERSION, nsteps);
    if (!s->readonly) {
        /* WAL: readers never block the writer and a crash leaves the
         * database whole. synchronous=NORMAL is safe with WAL against
         * crashes (a power cut may lose the last commits, never consistency;
         * sqlite.org/pragma.html#pragma_synchronous) and spares an fsync per
         * activity. */
        rc = exec(s, "PRAGMA journal_mode = WAL", "opening it", d);
        if (rc == PL_OK)
            rc = exec(s, "PRAGMA synchronous = NORMAL", "opening it", d);
        /* A savepoint's journal (each change inside a caller's
         * transaction) stays in memory instead of spilling into a
         * temporary file made and deleted for every activity imported. */
        if (rc == PL_OK)
            rc = exec(s, "PRAGMA temp_store = MEMORY", "opening it", d);
        if (rc)
            return rc;
    }
    if (ver < nsteps && s->readonly)
        return pl__diag(d, PL_EIO, UINT64_MAX,
                        "'%s' is read-only and its schema (version %lld) needs upgrading to %d",
                        s->path, (long long)ver, nsteps);
    for (int i = (int)ver; i < nsteps; i++)
        if ((rc = migrate(s, &steps[i], d)))
            return rc;
    return PL_OK;
}

/* "file:PATH?immutable=1" with the characters URIs reserve escaped
 * (sqlite.org/uri.html). */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *uri = pl__malloc_array(n + 1, 3);
    if (!uri || n > SIZE_MAX / 4)
        return uri;
    char *p = uri + sprintf(uri, "file:");
    for (const char *c = path; *c; c++) {
        if (*c == '?' || *c == '#' || *c == '%')
            p += sprintf(p, "%%%02X", (unsigned char)*c);
        else
            *p++ = *c;
    }
    strcpy(p, "?immutable=1");
    return uri;
}

/* Connect to the store's file and bring its schema up to date. how:
 * 0 read-write (creating it), 1 read-only, 2 read-only and immutable. */
static int connect_db(struct pl_store *s, int how, struct pl_diag *diag)
{
    static const int flags[] = {
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
        SQLITE_OPEN_READONLY,
        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
    };
    char *uri = NULL;
    if (how == 2 && !(uri = immutable_uri(s->path)))
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    int sr = sqlite3_open_v2(uri ? uri : s->path, &s->db, flags[how], NULL);
    pl__free(uri);
    if (sr != SQLITE_OK)
        return db_fail(s, sr, "opening it", diag);
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* A file this process may not write is opened read-only by SQLite:
     * reading works, and every change fails with SQLITE_READONLY. */
    s->readonly = sqlite3_db_readonly(s->db, "main") == 1;
    int rc = exec(s, "PRAGMA foreign_keys = ON", "opening it", diag);
    return rc ? rc : check_and_migrate(s, diag);
}

int pl_store_open(struct pl_store **out, const char *path, struct pl_diag *diag)
{
    *out = NULL;
    if (!path || !*path)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no path given for the store");
    struct pl_store *s = pl__calloc(1, sizeof *s);
    if (!s)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    int rc;
    s->path = pl__strdup(path);
    if (!s->path) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        goto fail;
    }
    if ((rc = make_parent(path, diag)))
        goto fail;
    rc = connect_db(s, 0, diag);
    int primary = s->sqlite_rc & 0xff;
    struct stat st;
    if (rc && (primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) &&
        stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        /* A store on read-only media, or in a folder this process may not
         * write: WAL mode needs the -shm and -wal files beside it. Read it
         * as it is: through them when a crash left them there, else as an
         * immutable file (no writer can be at work where none can write). */
        char *wal = pl__malloc(strlen(path) + 5);
        if (!wal) {
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            goto fail;
        }
        strcat(strcpy(wal, path), "-wal");
        int how = stat(wal, &st) == 0 ? 1 : 2;
        pl__free(wal);
        sqlite3_close_v2(s->db);
        s->db = NULL;
        struct pl_diag second;
        if (connect_db(s, how, &second) == PL_OK)
            rc = PL_OK;
    }
    if (rc)
        goto fail;
    *out = s;
    return PL_OK;
fail:
    pl_store_close(s);
    return rc;
}

int pl_store_open_read(struct pl_store **out, const char *path,
                       struct pl_diag *diag)
{
    *out = NULL;
    if (!path || !*path)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no path given for the store");
    struct stat st;
    if (stat(path, &st) != 0)
        return pl__diag(diag, errno == ENOENT ? PL_ENOTFOUND : PL_EIO, UINT64_MAX,
                        "cannot read the store '%s': %s", path, strerror(errno));
    /* A schema behind this pliant's is brought forward once, by a writer:
     * that is the store's format, not derived data, and a reader cannot
     * read the old one. */
    struct pl_store *s = NULL;
    int rc = pl_store_open(&s, path, diag);
    if (rc)
        return rc;
    if (s->readonly) {
        *out = s;
        return PL_OK;
    }
    sqlite3_close_v2(s->db);
    s->db = NULL;
    rc = connect_db(s, 1, diag);
    if (rc == PL_OK)
        rc = exec(s, "PRAGMA query_only = 1", "opening it", diag);
    if (rc) {
        pl_store_close(s);
        return rc;
    }
    s->readonly = true;
    *out = s;
    return PL_OK;
}

void pl_store_close(struct pl_store *s)
{
    if (!s)
        return;
    pl_store_rollback(s);
    for (int q = 0; q < Q__N; q++)
        sqlite3_finalize(s->st[q]);
    /* The last connection to close checkpoints the WAL into the database
     * and removes it. */
    sqlite3_close_v2(s->db);
    pl__free(s->path);
    pl__free(s);
}

/* ------------------------------------------------------------------ */
/* Binding and reading rows                                             */

static int bind_num(sqlite3_stmt *st, int i, double x)
{
    /* SQLite stores a NaN as NULL; infinities are not measurements. */
    return isfinite(x) ? sqlite3_bind_double(st, i, x) : sqlite3_bind_null(st, i);
}

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int bind_text(sqlite3_stmt *st, int i, const char *s, size_t cap)
{
    return sqlite3_bind_text(st, i, s, (int)strnlen(s, cap), SQLITE_STATIC);
}

/* Copy text from a column into a fixed field, cut at a UTF-8 character
 * boundary when it does not fit. */
static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const char *p = (const char *)sqlite3_column_text(st, i);
    size_t n = p ? (size_t)sqlite3_column_bytes(st, i) : 0;
    if (n > cap - 1) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, p, n);
    dst[n] = '\0';
}

static int bind_activity(sqlite3_stmt *st, const struct pl_activity *a, unsigned mask)
{
    int rc = 0;
    rc |= sqlite3_bind_int(st, 1, a->sport);
    rc |= sqlite3_bind_int(st, 2, a->sub_sport);
    rc |= sqlite3_bind_int64(st, 3, a->start_s);
    rc |= sqlite3_bind_int(st, 4, a->utc_offset_s);
    rc |= sqlite3_bind_int(st, 5, a->utc_offset_known);
    const double nums[] = { a->duration_s, a->moving_s, a->dist_m, a->ascent_m, a->descent_m,
                            a->hr_avg_bpm, a->hr_max_bpm, a->cadence_avg_spm, a->power_avg_w,
                            a->training_effect, a->anaerobic_training_effect, a->rpe };
    for (int i = 0; i < (int)PL_ARRAY_LEN(nums); i++)
        rc |= bind_num(st, 6 + i, nums[i]);
    rc |= bind_text(st, 18, a->device, sizeof a->device);
    rc |= bind_text(st, 19, a->name, sizeof a->name);
    rc |= bind_text(st, 20, a->description, sizeof a->description);
    rc |= sqlite3_bind_int(st, 21, a->source_kind);
    rc |= bind_text(st, 22, a->source_path, sizeof a->source_path);
    rc |= sqlite3_bind_blob(st, 23, a->source_sha256, sizeof a->source_sha256, SQLITE_STATIC);
    rc |= sqlite3_bind_int64(st, 24, (int64_t)a->n);
    rc |= sqlite3_bind_int(st, 25, (int)mask);
    return rc;
}

/* Fill a's summary from a row of "SELECT id, ACT_COLS"; streams and laps
 * are not touched. *samples gets the stored sample count. */
static void read_activity(sqlite3_stmt *st, struct pl_activity *a, int64_t *samples)
{
    a->id = sqlite3_column_int64(st, 0);
    a->sport = (uint8_t)sqlite3_column_int(st, 1);
    a->sub_sport = (uint8_t)sqlite3_column_int(st, 2);
    a->start_s = sqlite3_column_int64(st, 3);
    a->utc_offset_s = sqlite3_column_int(st, 4);
    a->utc_offset_known = sqlite3_column_int(st, 5) != 0;
    double *nums[] = { &a->duration_s, &a->moving_s, &a->dist_m, &a->ascent_m, &a->descent_m,
                       &a->hr_avg_bpm, &a->hr_max_bpm, &a->cadence_avg_spm, &a->power_avg_w,
                       &a->training_effect, &a->anaerobic_training_effect, &a->rpe };
    for (int i = 0; i < (int)PL_ARRAY_LEN(nums); i++)
        *nums[i] = col_num(st, 6 + i);
    col_text(st, 18, a->device, sizeof a->device);
    col_text(st, 19, a->name, sizeof a->name);
    col_text(st, 20, a->description, sizeof a->description);
    a->source_kind = (uint8_t)sqlite3_column_int(st, 21);
    col_text(st, 22, a->source_path, sizeof a->source_path);
    const void *h = sqlite3_column_blob(st, 23);
    size_t hn = (size_t)sqlite3_column_bytes(st, 23);
    memset(a->source_sha256, 0, sizeof a->source_sha256);
    if (h)
        memcpy(a->source_sha256, h, hn < sizeof a->source_sha256 ? hn : sizeof a->source_sha256);
    *samples = sqlite3_column_int64(st, 24);
}

/* ------------------------------------------------------------------ */
/* Adding                                                               */

/* The encoded streams of one activity. */
struct blobs {
    uint8_t *p[PL__SK_COUNT];
    size_t len[PL__SK_COUNT];
    unsigned mask;            /* bit k: kind k is stored */
};

static void blobs_release(struct blobs *b)
{
    for (int k = 0; k < PL__SK_COUNT; k++)
        pl__free(b->p[k]);
}

/* Check what the library promises of an activity before storing it. */
static int validate(const struct pl_activity *a, struct pl_diag *d)
{
    if (a->source_kind < PL_SRC_FIT || a->source_kind > PL_SRC_TCX)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "activity has no source kind (%u)",
                        a->source_kind);
    if (a->start_s < -PL_STORE_START_S_ABS_MAX || a->start_s > PL_STORE_START_S_ABS_MAX)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "activity has no usable start time");
    if (a->n > PL_ACT_SAMPLES_MAX)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "activity has %zu samples, more than %d", a->n,
                        PL_ACT_SAMPLES_MAX);
    if (a->n && !a->t_s)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "activity has samples but no time stream");
    for (size_t i = 0; i < a->n; i++)
        if (!isfinite(a->t_s[i]))
            return pl__diag(d, PL_EINVAL, UINT64_MAX, "sample %zu of the activity has no time", i);
    if (a->nlaps > PL_ACT_LAPS_MAX || (a->nlaps && !a->laps))
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "activity has %zu laps", a->nlaps);
    return PL_OK;
}

static int encode_streams(const struct pl_activity *a, struct blobs *b, struct pl_diag *d)
{
    memset(b, 0, sizeof *b);
    if (!a->n)
        return PL_OK;
    for (int k = 0; k < PL__SK_COUNT; k++) {
        const double *x = stream_of(a, k);
        if (!x)
            continue;
        /* A stream with no value at all is not stored: it reads back as
         * absent (NULL), which is what it was in all but name. */
        size_t i = 0;
        while (i < a->n && !isfinite(x[i]))
            i++;
        if (i == a->n)
            continue;
        int rc = pl__stream_encode(x, a->n, kinds[k].exp10, &b->p[k], &b->len[k], d);
        if (rc)
            return rc;
        b->mask |= 1u << k;
    }
    return PL_OK;
}

/* What makes one record of an activity richer than another, compared in
 * this order (docs/internals/store.md): heart rate, GPS, altitude, power,
 * cadence streams; then more samples; then the format, FIT over TCX over
 * GPX (FIT carries the device's own totals and laps). */
struct richness {
    unsigned streams;     /* HR 16, GPS 8, altitude 4, power 2, cadence 1 */
    int64_t samples;
    int format;           /* FIT 3, TCX 2, GPX 1 */
};

static struct richness richness_of(unsigned mask, int64_t samples, int source_kind)
{
    struct richness r;
    unsigned gps = 1u << PL__SK_LAT | 1u << PL__SK_LON;
    r.streams = (mask >> PL__SK_HR & 1) << 4 | ((mask & gps) == gps) << 3 |
                (mask >> PL__SK_ALT & 1) << 2 | (mask >> PL__SK_POWER & 1) << 1 |
                (mask >> PL__SK_CAD & 1);
    r.samples = samples;
    r.format = source_kind == PL_SRC_FIT ? 3 : source_kind == PL_SRC_TCX ? 2 : 1;
    return r;
}

/* > 0 when a is richer than b, 0 when as rich, < 0 when poorer. */
static int richness_cmp(struct richness a, struct richness b)
{
    if (a.streams != b.streams)
        return a.streams > b.streams ? 1 : -1;
    if (a.samples != b.samples)
        return a.samples > b.samples ? 1 : -1;
    return (a.format > b.format) - (a.format < b.format);
}

struct twin {
    int64_t id;
    struct richness rich;
};

/* The share of the shorter of two activities that the other overlaps;
 * 1 when either has no length (it is then a twin by its start alone). */
static double overlap_share(int64_t s1, double d1, int64_t s2, double d2)
{
    if (!(d1 > 0) || !(d2 > 0))
        return 1;
    double a0 = (double)s1, a1 = a0 + d1, b0 = (double)s2, b1 = b0 + d2;
    double ov = fmin(a1, b1) - fmax(a0, b0);
    return ov > 0 ? ov / fmin(d1, d2) : 0;
}

/* Find a stored twin of a: same sport (or either "generic"), starts at
 * most TWIN_START_S apart, overlapping for at least TWIN_OVERLAP_MIN of
 * the shorter. Of several, the one that overlaps most, then starts
 * closest, then was stored first. *found false when none. */
static int find_twin(struct pl_store *s, const struct pl_activity *a, struct twin *t,
                     bool *found, struct pl_diag *d)
{
    *found = false;
    sqlite3_stmt *st;
    int rc = stmt(s, Q_TWINS, &st, d);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, a->start_s - TWIN_START_S);
    sqlite3_bind_int64(st, 2, a->start_s + TWIN_START_S);
    double best_share = -1;
    int64_t best_gap = INT64_MAX;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int sport = sqlite3_column_int(st, 1);
        if (sport != a->sport && sport != 0 && a->sport != 0)
            continue;
        int64_t start = sqlite3_column_int64(st, 2);
        double share = overlap_share(a->start_s, a->duration_s, start, col_num(st, 3));
        if (share < TWIN_OVERLAP_MIN)
            continue;
        int64_t gap = start > a->start_s ? start - a->start_s : a->start_s - start;
        if (share > best_share || (share == best_share && gap < best_gap)) {
            best_share = share;
            best_gap = gap;
            t->id = sqlite3_column_int64(st, 0);
            t->rich = richness_of((unsigned)sqlite3_column_int(st, 5),
                                  sqlite3_column_int64(st, 4), sqlite3_column_int(st, 6));
            *found = true;
        }
    }
    if (rc != SQLITE_DONE)
        return db_fail(s, rc, "looking for twins", d);
    sqlite3_reset(st);
    return PL_OK;
}

static int insert_laps_streams(struct pl_store *s, int64_t id, const struct pl_activity *a,
                               const struct blobs *b, struct pl_diag *d)
{
    sqlite3_stmt *st;
    int rc;
    for (size_t i = 0; i < a->nlaps; i++) {
        const struct pl_lap *l = &a->laps[i];
        if ((rc = stmt(s, Q_INSERT_LAP, &st, d)))
            return rc;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sqlite3_bind_int64(st, 3, l->start_s);
        const double nums[] = { l->duration_s, l->moving_s, l->dist_m, l->hr_avg_bpm,
                                l->hr_max_bpm, l->ascent_m, l->descent_m };
        for (int k = 0; k < (int)PL_ARRAY_LEN(nums); k++)
            bind_num(st, 4 + k, nums[k]);
        if ((rc = run(s, st, "storing a lap", d)))
            return rc;
    }
    for (int k = 0; k < PL__SK_COUNT; k++) {
        if (!(b->mask >> k & 1))
            continue;
        if ((rc = stmt(s, Q_INSERT_STREAM, &st, d)))
            return rc;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, k);
        sqlite3_bind_int64(st, 3, (int64_t)a->n);
        sqlite3_bind_blob64(st, 4, b->p[k], b->len[k], SQLITE_STATIC);
        if ((rc = run(s, st, "storing a stream", d)))
            return rc;
    }
    return PL_OK;
}

/* The body of pl_store_add, inside its transaction. */
static int add(struct pl_store *s, const struct pl_activity *a, const struct blobs *b,
               int *result, int64_t *id, struct pl_diag *d)
{
    sqlite3_stmt *st;
    int rc = stmt(s, Q_SAME_FILE, &st, d);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, a->source_sha256, sizeof a->source_sha256, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->start_s);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *result = PL_ADD_SAME_FILE;
        return PL_OK;
    }
    if (rc != SQLITE_DONE)
        return db_fail(s, rc, "looking up the source file", d);

    struct twin t = { 0 };
    bool found;
    if ((rc = find_twin(s, a, &t, &found, d)))
        return rc;
    struct richness mine = richness_of(b->mask, (int64_t)a->n, a->source_kind);
    if (!found) {
        if ((rc = stmt(s, Q_INSERT_ACT, &st, d)))
            return rc;
        bind_activity(st, a, b->mask);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            return db_fail(s, rc, "adding an activity", d);
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        *result = PL_ADD_NEW;
        if ((rc = insert_laps_streams(s, *id, a, b, d)))
            return rc;
    } else if (richness_cmp(mine, t.rich) > 0) {
        *id = t.id;
        *result = PL_ADD_REPLACED;
        if ((rc = stmt(s, Q_REPLACE_ACT, &st, d)))
            return rc;
        bind_activity(st, a, b->mask);
        sqlite3_bind_int64(st, 26, t.id);
        if ((rc = run(s, st, "replacing a twin", d)))
            return rc;
        const int dels[] = { Q_DEL_LAPS, Q_DEL_STREAMS, Q_DEMOTE };
        for (size_t i = 0; i < PL_ARRAY_LEN(dels); i++) {
            if ((rc = stmt(s, dels[i], &st, d)))
                return rc;
            sqlite3_bind_int64(st, 1, t.id);
            if ((rc = run(s, st, "replacing a twin", d)))
                return rc;
        }
        if ((rc = insert_laps_streams(s, t.id, a, b, d)))
            return rc;
    } else {
        *id = t.id;
        *result = PL_ADD_TWIN;
        if ((rc = stmt(s, Q_FILL_ACT, &st, d)))
            return rc;
        sqlite3_bind_int64(st, 1, t.id);
        bind_text(st, 2, a->name, sizeof a->name);
        bind_text(st, 3, a->description, sizeof a->description);
        sqlite3_bind_int(st, 4, a->utc_offset_s);
        sqlite3_bind_int(st, 5, a->utc_offset_known);
        sqlite3_bind_int(st, 6, a->sport);
        sqlite3_bind_int(st, 7, a->sub_sport);
        if ((rc = run(s, st, "recording a twin", d)))
            return rc;
    }

    if ((rc = stmt(s, Q_UPSERT_SOURCE, &st, d)))
        return rc;
    sqlite3_bind_blob(st, 1, a->source_sha256, sizeof a->source_sha256, SQLITE_STATIC);
    bind_text(st, 2, a->source_path, sizeof a->source_path);
    sqlite3_bind_int(st, 3, a->source_kind);
    sqlite3_bind_int64(st, 4, *id);
    sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
    if ((rc = run(s, st, "recording the source file", d)))
        return rc;
    if ((rc = stmt(s, Q_INSERT_ASRC, &st, d)))
        return rc;
    sqlite3_bind_blob(st, 1, a->source_sha256, sizeof a->source_sha256, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->start_s);
    sqlite3_bind_int64(st, 3, *id);
    sqlite3_bind_text(st, 4, *result == PL_ADD_TWIN ? "twin" : "primary", -1, SQLITE_STATIC);
    return run(s, st, "recording the source file", d);
}

int pl_store_add(struct pl_store *s, const struct pl_activity *a, int *result, int64_t *id,
                 struct pl_diag *diag)
{
    *result = 0;
    *id = 0;
    int rc = validate(a, diag);
    if (rc)
        return rc;
    /* Encode before taking the write lock: it is the slow part. */
    struct blobs b;
    if ((rc = encode_streams(a, &b, diag)) == PL_OK &&
        (rc = txn_begin(s, true, "adding an activity", diag)) == PL_OK) {
        rc = add(s, a, &b, result, id, diag);
        rc = txn_end(s, rc, "adding an activity", diag);
    }
    blobs_release(&b);
    if (rc) {
        *result = 0;
        *id = 0;
    }
    return rc;
}

int pl_store_add_skipped(struct pl_store *s, const uint8_t sha256[32], const char *path,
                         const char *reason, struct pl_diag *diag)
{
    int rc = txn_begin(s, true, "recording a skipped file", diag);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    if ((rc = stmt(s, Q_SKIPPED, &st, diag)) == PL_OK) {
        sqlite3_bind_blob(st, 1, sha256, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, path ? path : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, reason ? reason : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
        rc = run(s, st, "recording a skipped file", diag);
    }
    return txn_end(s, rc, "recording a skipped file", diag);
}

int pl_store_has_source(struct pl_store *s, const uint8_t sha256[32], bool *yes,
                        struct pl_diag *diag)
{
    *yes = false;
    sqlite3_stmt *st;
    int rc = stmt(s, Q_HAS_SOURCE, &st, diag);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, sha256, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(s, rc, "looking up a source file", diag);
    return PL_OK;
}

int pl_store_enrich(struct pl_store *s, int64_t start_s, const char *name,
                    const char *description, int sport, bool *found, struct pl_diag *diag)
{
    *found = false;
    if (sport > 255 || start_s < -PL_STORE_START_S_ABS_MAX || start_s > PL_STORE_START_S_ABS_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "enrich: sport %d or start %lld out of range",
                        sport, (long long)start_s);
    int rc = txn_begin(s, true, "enriching an activity", diag);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    int64_t id = 0;
    if ((rc = stmt(s, Q_NEAREST, &st, diag)) == PL_OK) {
        sqlite3_bind_int64(st, 1, start_s - TWIN_START_S);
        sqlite3_bind_int64(st, 2, start_s + TWIN_START_S);
        sqlite3_bind_int64(st, 3, start_s);
        int sr = sqlite3_step(st);
        if (sr == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            *found = true;
        } else if (sr != SQLITE_DONE) {
            rc = db_fail(s, sr, "enriching an activity", diag);
        }
    }
    if (rc == PL_OK && *found && (rc = stmt(s, Q_ENRICH, &st, diag)) == PL_OK) {
        /* Cut to what struct pl_activity holds, so that what is stored is
         * what pl_store_get gives back. */
        char nbuf[sizeof ((struct pl_activity *)0)->name];
        char dbuf[sizeof ((struct pl_activity *)0)->description];
        sqlite3_bind_int64(st, 1, id);
        if (name) {
            pl__copy_text(nbuf, sizeof nbuf, name, strlen(name));
            sqlite3_bind_text(st, 2, nbuf, -1, SQLITE_STATIC);
        }
        if (description) {
            pl__copy_text(dbuf, sizeof dbuf, description, strlen(description));
            sqlite3_bind_text(st, 3, dbuf, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int(st, 4, sport < 0 ? -1 : sport);
        rc = run(s, st, "enriching an activity", diag);
    }
    rc = txn_end(s, rc, "enriching an activity", diag);
    if (rc)
        *found = false;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

/* Load the laps of activity id into a (exactly as many as stored). */
static int load_laps(struct pl_store *s, int64_t id, struct pl_activity *a, struct pl_diag *d)
{
    sqlite3_stmt *st;
    int rc = stmt(s, Q_LAPS, &st, d);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (a->nlaps == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            if (a->nlaps >= PL_ACT_LAPS_MAX)
                return pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld has over %d laps",
                                s->path, (long long)id, PL_ACT_LAPS_MAX);
            struct pl_lap *l = pl__realloc(a->laps, ncap * sizeof *l);
            if (!l)
                return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory reading laps");
            a->laps = l;
            cap = ncap;
        }
        struct pl_lap *l = &a->laps[a->nlaps++];
        l->start_s = sqlite3_column_int64(st, 0);
        l->duration_s = col_num(st, 1);
        l->moving_s = col_num(st, 2);
        l->dist_m = col_num(st, 3);
        l->hr_avg_bpm = col_num(st, 4);
        l->hr_max_bpm = col_num(st, 5);
        l->ascent_m = col_num(st, 6);
        l->descent_m = col_num(st, 7);
    }
    if (rc != SQLITE_DONE)
        return db_fail(s, rc, "reading laps", d);
    sqlite3_reset(st);
    return PL_OK;
}

static int load_streams(struct pl_store *s, int64_t id, int64_t samples, struct pl_activity *a,
                        struct pl_diag *d)
{
    if (samples < 0 || samples > PL_ACT_SAMPLES_MAX)
        return pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld has %lld samples", s->path,
                        (long long)id, (long long)samples);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_STREAMS, &st, d);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    size_t n = (size_t)samples;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = sqlite3_column_int(st, 0);
        if (k < 0 || k >= PL__SK_COUNT || stream_of(a, k))
            return pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld has a stream of kind %d",
                            s->path, (long long)id, k);
        const uint8_t *p = sqlite3_column_blob(st, 2);
        size_t len = (size_t)sqlite3_column_bytes(st, 2);
        double *x = pl__malloc_array(n, sizeof *x);
        if (!x)
            return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory reading a stream");
        *pl__activity_stream(a, kinds[k].stream) = x;
        struct pl_diag sd;
        if (pl__stream_decode(p ? p : (const uint8_t *)"", len, x, n, &sd) != PL_OK)
            return pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld, stream %d: %s", s->path,
                            (long long)id, k, sd.msg);
    }
    if (rc != SQLITE_DONE)
        return db_fail(s, rc, "reading streams", d);
    sqlite3_reset(st);
    a->n = n;
    if (n && !a->t_s)
        return pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld has no time stream", s->path,
                        (long long)id);
    return PL_OK;
}

int pl_store_get(struct pl_store *s, int64_t id, struct pl_activity *a, struct pl_diag *diag)
{
    pl_activity_init(a);
    /* One read transaction: a writer cannot slip in between the row and
     * its streams. */
    int rc = txn_begin(s, false, "reading an activity", diag);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    int64_t samples = 0;
    if ((rc = stmt(s, Q_GET, &st, diag)) == PL_OK) {
        sqlite3_bind_int64(st, 1, id);
        int sr = sqlite3_step(st);
        if (sr == SQLITE_ROW)
            read_activity(st, a, &samples);
        else if (sr == SQLITE_DONE)
            rc = pl__diag(diag, PL_ENOTFOUND, UINT64_MAX, "no activity %lld in '%s'",
                          (long long)id, s->path);
        else
            rc = db_fail(s, sr, "reading an activity", diag);
        sqlite3_reset(st);
    }
    if (rc == PL_OK)
        rc = load_laps(s, id, a, diag);
    if (rc == PL_OK)
        rc = load_streams(s, id, samples, a, diag);
    /* A read commits nothing; ending it cleanly keeps the caller's
     * transaction (if any) as it was. */
    int end = txn_end(s, PL_OK, "reading an activity", rc ? NULL : diag);
    if (rc == PL_OK)
        rc = end;
    if (rc)
        pl_activity_release(a);
    return rc;
}

int pl_store_list(struct pl_store *s, const struct pl_store_query *q,
                  int (*fn)(void *ctx, const struct pl_activity *a), void *ctx,
                  struct pl_diag *diag)
{
    /* Prepared afresh for each call, not cached: the callback may call
     * pl_store_get (never a change) while this one is open. */
    sqlite3_stmt *st = NULL;
    int rc = txn_begin(s, false, "listing activities", diag);
    if (rc)
        return rc;
    int sr = sqlite3_prepare_v2(s->db,
                                "SELECT id, " ACT_COLS " FROM activities WHERE start_s >= ?1 "
                                "AND start_s < ?2 AND (?3 < 0 OR sport = ?3) "
                                "ORDER BY start_s, id",
                                -1, &st, NULL);
    if (sr != SQLITE_OK) {
        rc = db_fail(s, sr, "listing activities", diag);
        goto out;
    }
    sqlite3_bind_int64(st, 1, q ? q->since_s : INT64_MIN);
    sqlite3_bind_int64(st, 2, q ? q->until_s : INT64_MAX);
    sqlite3_bind_int(st, 3, q ? q->sport : -1);
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        struct pl_activity a;
        int64_t samples;
        pl_activity_init(&a);
        read_activity(st, &a, &samples);
        rc = load_laps(s, a.id, &a, diag);
        if (rc == PL_OK && fn(ctx, &a) != 0)
            rc = pl__diag(diag, PL_ECANCELED, UINT64_MAX, "listing stopped by the caller");
        pl_activity_release(&a);
        if (rc)
            goto out;
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "listing activities", diag);
out:
    sqlite3_finalize(st);
    int end = txn_end(s, PL_OK, "listing activities", rc ? NULL : diag);
    return rc ? rc : end;
}

int pl_store_count(struct pl_store *s, int64_t *n, struct pl_diag *diag)
{
    *n = 0;
    sqlite3_stmt *st = NULL;
    int rc = stmt(s, Q_COUNT, &st, diag);
    if (rc)
        return rc;
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return sr == SQLITE_ROW ? PL_OK : db_fail(s, sr, "counting activities", diag);
}

/* ================================================================== */
/* The load model's tables (profile, events, activity_features,         */
/* activity_metrics: migration 2). Used by lib/model/metrics.c, profile.c,    */
/* events.c through lib/model/load.h; docs/internals/load.md.                 */
/* ================================================================== */

#include "model/load.h"

/* Profile keys as stored, by enum pl_profile_key: names with their units,
 * never renamed. */
static const char *const profile_keys[PL_PROF_COUNT_] = {
    [PL_PROF_SEX] = "sex",
    [PL_PROF_BIRTH_YEAR] = "birth_year",
    [PL_PROF_MAX_HR] = "max_hr_bpm",
    [PL_PROF_RESTING_HR] = "resting_hr_bpm",
    [PL_PROF_LTHR] = "lthr_bpm",
    [PL_PROF_THRESHOLD_PACE] = "threshold_pace_s_per_km",
    [PL_PROF_EVENING_HOUR] = "evening_hour",
    [PL_PROF_HOME_LAT] = "home_lat_deg",
    [PL_PROF_HOME_LON] = "home_lon_deg",
};

int pl__store_profile_read(struct pl_store *s, struct pl__profile_set *set, struct pl_diag *d)
{
    for (int k = 0; k < PL_PROF_COUNT_; k++)
        set->v[k] = NAN;
    sqlite3_stmt *st = NULL;
    int sr = sqlite3_prepare_v2(s->db, "SELECT key, value FROM profile", -1, &st, NULL);
    if (sr != SQLITE_OK)
        return db_fail(s, sr, "reading the profile", d);
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        for (int k = 0; key && k < PL_PROF_COUNT_; k++)
            if (strcmp(key, profile_keys[k]) == 0)
                set->v[k] = col_num(st, 1);
    }
    int rc = sr == SQLITE_DONE ? PL_OK : db_fail(s, sr, "reading the profile", d);
    sqlite3_finalize(st);
    return rc;
}

int pl__store_profile_write(struct pl_store *s, const struct pl__profile_set *set, unsigned mask,
                            struct pl_diag *d)
{
    int rc = txn_begin(s, true, "changing the profile", d);
    if (rc)
        return rc;
    sqlite3_stmt *up = NULL, *del = NULL;
    int sr = sqlite3_prepare_v2(s->db,
                                "INSERT INTO profile (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                -1, &up, NULL);
    if (sr == SQLITE_OK)
        sr = sqlite3_prepare_v2(s->db, "DELETE FROM profile WHERE key = ?1", -1, &del, NULL);
    if (sr != SQLITE_OK)
        rc = db_fail(s, sr, "changing the profile", d);
    for (int k = 0; rc == PL_OK && k < PL_PROF_COUNT_; k++) {
        if (!(mask >> k & 1))
            continue;
        sqlite3_stmt *st = isnan(set->v[k]) ? del : up;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, profile_keys[k], -1, SQLITE_STATIC);
        if (st == up)
            sqlite3_bind_double(st, 2, set->v[k]);
        sr = sqlite3_step(st);
        if (sr != SQLITE_DONE)
            rc = db_fail(s, sr, "changing the profile", d);
    }
    sqlite3_finalize(up);
    sqlite3_finalize(del);
    return txn_end(s, rc, "changing the profile", d);
}

/* The histograms blob: byte 0 version (1), byte 1 zero, then for the HR
 * histogram and then the speed histogram: u16 first bin, u16 bin count,
 * count x u32 milliseconds, all little-endian; bins outside are 0. */
#define HIST_VERSION 1

static uint8_t *put_u16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}

static uint8_t *put_hist(uint8_t *p, const uint32_t *x, int n)
{
    int lo = 0, hi = n;
    while (lo < n && !x[lo])
        lo++;
    while (hi > lo && !x[hi - 1])
        hi--;
    p = put_u16(p, (unsigned)lo);
    p = put_u16(p, (unsigned)(hi - lo));
    for (int i = lo; i < hi; i++) {
        p[0] = (uint8_t)x[i];
        p[1] = (uint8_t)(x[i] >> 8);
        p[2] = (uint8_t)(x[i] >> 16);
        p[3] = (uint8_t)(x[i] >> 24);
        p += 4;
    }
    return p;
}

static bool get_hist(const uint8_t **pp, const uint8_t *end, uint32_t *x, int n)
{
    const uint8_t *p = *pp;
    if (end - p < 4)
        return false;
    int lo = p[0] | p[1] << 8, cnt = p[2] | p[3] << 8;
    p += 4;
    if (lo > n || cnt > n - lo || end - p < 4 * (ptrdiff_t)cnt)
        return false;
    memset(x, 0, (size_t)n * sizeof *x);
    for (int i = 0; i < cnt; i++, p += 4)
        x[lo + i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                    (uint32_t)p[3] << 24;
    *pp = p;
    return true;
}

/* The model's read: activities with their features (scalars) and metrics. */
#define MODEL_SQL                                                                              \
    "SELECT a.id, a.sport, a.sub_sport, a.start_s, a.utc_offset_s, a.duration_s, a.moving_s, " \
    "a.dist_m, a.hr_avg_bpm, a.training_effect, a.anaerobic_training_effect, a.rpe, a.name, "  \
    "a.source_sha256, a.samples, a.streams, "                                                  \
    "f.version, f.source_sha256, f.samples, f.hr_s, f.hr_peak5_bpm, f.hr_best20_bpm, "         \
    "f.ngp_mps, f.graded_s, f.start_lat_deg, f.start_lon_deg, f.effort_180_mps, "              \
    "f.effort_300_mps, f.effort_420_mps, f.effort_600_mps, f.effort_900_mps, "                 \
    "f.effort_1200_mps, "                                                                      \
    "m.inputs_hash, m.hr_s, m.zone1_s, m.zone2_s, m.zone3_s, m.zone4_s, m.zone5_s, "           \
    "m.above_threshold_s, m.trimp, m.trimp_from_avg, m.trimp_edwards, m.hrss, m.ngp_mps, "     \
    "m.rtss, m.intensity_factor, m.if_hr, m.rpe, m.session_rpe, m.load, m.load_source, "       \
    "a.utc_offset_known "                                                                      \
    "FROM activities a LEFT JOIN activity_features f ON f.activity_id = a.id "                 \
    "LEFT JOIN activity_metrics m ON m.activity_id = a.id ORDER BY a.start_s, a.id"

static void read_model_row(sqlite3_stmt *st, struct pl__act *x)
{
    struct pl_metrics *m = &x->m;
    memset(x, 0, sizeof *x);
    m->activity_id = sqlite3_column_int64(st, 0);
    m->sport = (uint8_t)sqlite3_column_int(st, 1);
    x->sub_sport = (uint8_t)sqlite3_column_int(st, 2);
    m->start_s = sqlite3_column_int64(st, 3);
    m->utc_offset_s = sqlite3_column_int(st, 4);
    m->duration_s = col_num(st, 5);
    m->moving_s = col_num(st, 6);
    x->dist_m = col_num(st, 7);
    x->hr_avg_bpm = col_num(st, 8);
    m->training_effect = col_num(st, 9);
    m->anaerobic_training_effect = col_num(st, 10);
    x->rpe_raw = m->rpe = col_num(st, 11);
    col_text(st, 12, x->name, sizeof x->name);
    const void *sha = sqlite3_column_blob(st, 13);
    if (sha && sqlite3_column_bytes(st, 13) == 32)
        memcpy(x->sha256, sha, 32);
    x->samples = sqlite3_column_int64(st, 14);
    x->streams = (unsigned)sqlite3_column_int64(st, 15);
    x->utc_offset_known = sqlite3_column_int(st, 52) != 0;

    struct pl__feat *f = &x->f;
    const void *fsha = sqlite3_column_blob(st, 17);
    x->have_feat = sqlite3_column_type(st, 16) != SQLITE_NULL &&
                   sqlite3_column_int(st, 16) == PL__FEAT_VERSION && fsha &&
                   sqlite3_column_bytes(st, 17) == 32 && memcmp(fsha, x->sha256, 32) == 0 &&
                   sqlite3_column_int64(st, 18) == x->samples;
    if (x->have_feat) {
        f->version = PL__FEAT_VERSION;
        memcpy(f->sha256, x->sha256, 32);
        f->samples = x->samples;
        f->hr_s = col_num(st, 19);
        f->hr_peak5_bpm = col_num(st, 20);
        f->hr_best20_bpm = col_num(st, 21);
        f->ngp_mps = col_num(st, 22);
        f->graded_s = col_num(st, 23);
        f->start_lat_deg = col_num(st, 24);
        f->start_lon_deg = col_num(st, 25);
        for (int k = 0; k < PL__EFFORTS; k++)
            f->effort_mps[k] = col_num(st, 26 + k);
    }

    x->stored_metrics = sqlite3_column_type(st, 32) != SQLITE_NULL;
    if (x->stored_metrics) {
        x->metrics_hash = (uint64_t)sqlite3_column_int64(st, 32);
        m->hr_s = col_num(st, 33);
        for (int z = 0; z < PL_ZONES; z++)
            m->zones_s[z] = col_num(st, 34 + z);
        m->above_threshold_s = col_num(st, 39);
        m->trimp = col_num(st, 40);
        m->trimp_from_avg = sqlite3_column_int(st, 41) != 0;
        m->trimp_edwards = col_num(st, 42);
        m->hrss = col_num(st, 43);
        m->ngp_mps = col_num(st, 44);
        m->rtss = col_num(st, 45);
        m->intensity_factor = col_num(st, 46);
        m->if_hr = col_num(st, 47);
        m->rpe = col_num(st, 48);
        m->session_rpe = col_num(st, 49);
        m->load = col_num(st, 50);
        const char *src = (const char *)sqlite3_column_text(st, 51);
        m->load_source = PL_LOAD_NONE;
        for (int k = PL_LOAD_HRSS; src && k <= PL_LOAD_DURATION; k++)
            if (strcmp(src, pl_load_source_name(k)) == 0)
                m->load_source = (uint8_t)k;
        m->hr_peak5_bpm = x->have_feat ? f->hr_peak5_bpm : NAN;
        m->hr_best20_bpm = x->have_feat ? f->hr_best20_bpm : NAN;
        m->start_lat_deg = x->have_feat ? f->start_lat_deg : NAN;
        m->start_lon_deg = x->have_feat ? f->start_lon_deg : NAN;
    }
}

int pl__store_model_read(struct pl_store *s, struct pl__act **acts, size_t *n, struct pl_diag *d)
{
    *acts = NULL;
    *n = 0;
    int64_t count = 0;
    int rc = txn_begin(s, false, "reading activities' metrics", d);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    struct pl__act *a = NULL;
    size_t k = 0;
    if ((rc = query_int(s, "SELECT count(*) FROM activities", &count, d)))
        goto out;
    if (count > 0 && !(a = pl__calloc((size_t)count, sizeof *a))) {
        rc = pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory reading activities' metrics");
        goto out;
    }
    int sr = sqlite3_prepare_v2(s->db, MODEL_SQL, -1, &st, NULL);
    if (sr != SQLITE_OK) {
        rc = db_fail(s, sr, "reading activities' metrics", d);
        goto out;
    }
    /* The count and the rows come from one read transaction. */
    while ((sr = sqlite3_step(st)) == SQLITE_ROW && k < (size_t)count)
        read_model_row(st, &a[k++]);
    if (sr != SQLITE_DONE && sr != SQLITE_ROW)
        rc = db_fail(s, sr, "reading activities' metrics", d);
out:
    sqlite3_finalize(st);
    int end = txn_end(s, PL_OK, "reading activities' metrics", rc ? NULL : d);
    if (rc == PL_OK)
        rc = end;
    if (rc) {
        pl__free(a);
        return rc;
    }
    *acts = a;
    *n = k;
    return PL_OK;
}

/* Parse one histograms blob into x->f.hist (allocated here). */
static int parse_hists(struct pl_store *s, struct pl__act *x, const uint8_t *p, size_t len,
                       struct pl_diag *d)
{
    const uint8_t *end = p ? p + len : NULL;
    if (!x->f.hist && !(x->f.hist = pl__malloc(sizeof *x->f.hist)))
        return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory reading metrics");
    if (!p || end - p < 2 || p[0] != HIST_VERSION ||
        !(p += 2, get_hist(&p, end, x->f.hist->hr_ms, PL__HR_BINS)) ||
        !get_hist(&p, end, x->f.hist->sp_ms, PL__SPEED_BINS) || p != end)
        return pl__diag(d, PL_EDB, UINT64_MAX,
                        "'%s': activity %lld has malformed metrics histograms", s->path,
                        (long long)x->m.activity_id);
    return PL_OK;
}

struct id_index {
    int64_t id;
    size_t i;
};

static int cmp_id(const void *a, const void *b)
{
    int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;
    return x < y ? -1 : x > y;
}

int pl__store_feat_hists(struct pl_store *s, struct pl__act *acts, size_t n, struct pl_diag *d)
{
    /* One scan of the table, matched by id (acts are in time order), so
     * that rescoring a whole history costs one query, not one each. */
    struct id_index *ix = pl__malloc_array(n ? n : 1, sizeof *ix);
    if (!ix)
        return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory reading metrics");
    for (size_t i = 0; i < n; i++)
        ix[i] = (struct id_index){ acts[i].m.activity_id, i };
    qsort(ix, n, sizeof *ix, cmp_id);
    int rc = txn_begin(s, false, "reading metrics", d);
    if (rc) {
        pl__free(ix);
        return rc;
    }
    sqlite3_stmt *st = NULL;
    int sr = sqlite3_prepare_v2(s->db,
                                "SELECT activity_id, histograms FROM activity_features "
                                "ORDER BY activity_id",
                                -1, &st, NULL);
    if (sr != SQLITE_OK)
        rc = db_fail(s, sr, "reading metrics", d);
    size_t k = 0;
    while (rc == PL_OK && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        while (k < n && ix[k].id < id)
            k++;
        if (k == n)
            break;
        struct pl__act *x = &acts[ix[k].i];
        if (x->m.activity_id != id || !x->want_hist)
            continue;
        rc = parse_hists(s, x, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                         d);
    }
    if (rc == PL_OK && sr != SQLITE_DONE && sr != SQLITE_ROW)
        rc = db_fail(s, sr, "reading metrics", d);
    sqlite3_finalize(st);
    int end = txn_end(s, PL_OK, "reading metrics", rc ? NULL : d);
    if (rc == PL_OK)
        rc = end;
    for (size_t i = 0; rc == PL_OK && i < n; i++)
        if (acts[i].want_hist && !acts[i].f.hist)
            rc = pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld lost its metrics",
                          s->path, (long long)acts[i].m.activity_id);
    pl__free(ix);
    return rc;
}

int pl__store_get_for_feat(struct pl_store *s, int64_t id, struct pl_activity *a,
                           struct pl_diag *d)
{
    /* As pl_store_get, with only the streams the features read: speed only
     * when there is no distance (lib/model/metrics.c takes speed from distance
     * when it can). Cadence, power and temperature are not decoded. */
    pl_activity_init(a);
    int rc = txn_begin(s, false, "reading an activity", d);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    int64_t samples = 0;
    if ((rc = stmt(s, Q_GET, &st, d)) == PL_OK) {
        sqlite3_bind_int64(st, 1, id);
        int sr = sqlite3_step(st);
        if (sr == SQLITE_ROW)
            read_activity(st, a, &samples);
        else if (sr == SQLITE_DONE)
            rc = pl__diag(d, PL_ENOTFOUND, UINT64_MAX, "no activity %lld in '%s'", (long long)id,
                          s->path);
        else
            rc = db_fail(s, sr, "reading an activity", d);
        sqlite3_reset(st);
    }
    size_t n = (size_t)samples;
    if (rc == PL_OK && (samples < 0 || samples > PL_ACT_SAMPLES_MAX))
        rc = pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld has %lld samples", s->path,
                      (long long)id, (long long)samples);
    if (rc == PL_OK)
        rc = stmt(s, Q_FEAT_STREAMS, &st, d);
    if (rc == PL_OK) {
        sqlite3_bind_int64(st, 1, id);
        const int want[] = { PL__SK_TIME, PL__SK_HR, PL__SK_DIST, PL__SK_ALT, PL__SK_LAT,
                             PL__SK_LON, PL__SK_SPEED };
        for (int k = 0; k < (int)PL_ARRAY_LEN(want); k++)
            sqlite3_bind_int(st, 2 + k, want[k]);
        int sr;
        while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
            int k = sqlite3_column_int(st, 0);
            if (k < 0 || k >= PL__SK_COUNT || stream_of(a, k)) {
                rc = pl__diag(d, PL_EDB, UINT64_MAX,
                              "'%s': activity %lld has a stream of kind %d", s->path,
                              (long long)id, k);
                break;
            }
            if (k == PL__SK_SPEED && a->dist_m_s)
                continue;
            const uint8_t *p = sqlite3_column_blob(st, 1);
            size_t len = (size_t)sqlite3_column_bytes(st, 1);
            double *x = pl__malloc_array(n, sizeof *x);
            if (!x && n) {
                rc = pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory reading a stream");
                break;
            }
            *pl__activity_stream(a, kinds[k].stream) = x;
            struct pl_diag sd;
            if (pl__stream_decode(p ? p : (const uint8_t *)"", len, x, n, &sd) != PL_OK) {
                rc = pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld, stream %d: %s",
                              s->path, (long long)id, k, sd.msg);
                break;
            }
        }
        if (rc == PL_OK && sr != SQLITE_DONE)
            rc = db_fail(s, sr, "reading streams", d);
        a->n = n;
        if (rc == PL_OK && n && !a->t_s)
            rc = pl__diag(d, PL_EDB, UINT64_MAX, "'%s': activity %lld has no time stream",
                          s->path, (long long)id);
        sqlite3_reset(st);
    }
    int end = txn_end(s, PL_OK, "reading an activity", rc ? NULL : d);
    if (rc == PL_OK)
        rc = end;
    if (rc)
        pl_activity_release(a);
    return rc;
}

#define FEAT_UPSERT                                                                          \
    "INSERT INTO activity_features (activity_id, version, source_sha256, samples, hr_s, "    \
    "hr_peak5_bpm, hr_best20_bpm, ngp_mps, graded_s, start_lat_deg, start_lon_deg, "         \
    "effort_180_mps, effort_300_mps, effort_420_mps, effort_600_mps, effort_900_mps, "       \
    "effort_1200_mps, histograms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "    \
    "?12, ?13, ?14, ?15, ?16, ?17, ?18) ON CONFLICT (activity_id) DO UPDATE SET "            \
    "version = excluded.version, source_sha256 = excluded.source_sha256, "                   \
    "samples = excluded.samples, hr_s = excluded.hr_s, "                                     \
    "hr_peak5_bpm = excluded.hr_peak5_bpm, hr_best20_bpm = excluded.hr_best20_bpm, "         \
    "ngp_mps = excluded.ngp_mps, graded_s = excluded.graded_s, "                             \
    "start_lat_deg = excluded.start_lat_deg, start_lon_deg = excluded.start_lon_deg, "       \
    "effort_180_mps = excluded.effort_180_mps, effort_300_mps = excluded.effort_300_mps, "   \
    "effort_420_mps = excluded.effort_420_mps, effort_600_mps = excluded.effort_600_mps, "   \
    "effort_900_mps = excluded.effort_900_mps, effort_1200_mps = excluded.effort_1200_mps, " \
    "histograms = excluded.histograms"

#define METRICS_UPSERT                                                                        \
    "INSERT INTO activity_metrics (activity_id, inputs_hash, hr_s, zone1_s, zone2_s, "        \
    "zone3_s, zone4_s, zone5_s, above_threshold_s, trimp, trimp_from_avg, trimp_edwards, "    \
    "hrss, ngp_mps, rtss, intensity_factor, if_hr, rpe, session_rpe, load, load_source) "     \
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "    \
    "?18, ?19, ?20, ?21) ON CONFLICT (activity_id) DO UPDATE SET "                            \
    "inputs_hash = excluded.inputs_hash, hr_s = excluded.hr_s, zone1_s = excluded.zone1_s, "  \
    "zone2_s = excluded.zone2_s, zone3_s = excluded.zone3_s, zone4_s = excluded.zone4_s, "    \
    "zone5_s = excluded.zone5_s, above_threshold_s = excluded.above_threshold_s, "            \
    "trimp = excluded.trimp, trimp_from_avg = excluded.trimp_from_avg, "                      \
    "trimp_edwards = excluded.trimp_edwards, hrss = excluded.hrss, "                          \
    "ngp_mps = excluded.ngp_mps, rtss = excluded.rtss, "                                      \
    "intensity_factor = excluded.intensity_factor, if_hr = excluded.if_hr, "                  \
    "rpe = excluded.rpe, session_rpe = excluded.session_rpe, load = excluded.load, "          \
    "load_source = excluded.load_source"

static int write_feat(struct pl_store *s, sqlite3_stmt *st, const struct pl__act *x,
                      struct pl_diag *d)
{
    const struct pl__feat *f = &x->f;
    /* 2 + 2 x (4 + 4 x bins) bytes at most. */
    uint8_t blob[2 + 8 + 4 * (PL__HR_BINS + PL__SPEED_BINS)];
    uint8_t *p = blob;
    *p++ = HIST_VERSION;
    *p++ = 0;
    p = put_hist(p, f->hist->hr_ms, PL__HR_BINS);
    p = put_hist(p, f->hist->sp_ms, PL__SPEED_BINS);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, x->m.activity_id);
    sqlite3_bind_int(st, 2, f->version);
    sqlite3_bind_blob(st, 3, f->sha256, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, f->samples);
    const double nums[] = { f->hr_s, f->hr_peak5_bpm, f->hr_best20_bpm, f->ngp_mps,
                            f->graded_s, f->start_lat_deg, f->start_lon_deg };
    for (int k = 0; k < (int)PL_ARRAY_LEN(nums); k++)
        bind_num(st, 5 + k, nums[k]);
    for (int k = 0; k < PL__EFFORTS; k++)
        bind_num(st, 12 + k, f->effort_mps[k]);
    sqlite3_bind_blob(st, 18, blob, (int)(p - blob), SQLITE_TRANSIENT);
    int sr = sqlite3_step(st);
    return sr == SQLITE_DONE ? PL_OK : db_fail(s, sr, "storing metrics", d);
}

static int write_metrics(struct pl_store *s, sqlite3_stmt *st, const struct pl__act *x,
                         struct pl_diag *d)
{
    const struct pl_metrics *m = &x->m;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, m->activity_id);
    sqlite3_bind_int64(st, 2, (int64_t)x->metrics_hash);
    bind_num(st, 3, m->hr_s);
    for (int z = 0; z < PL_ZONES; z++)
        bind_num(st, 4 + z, m->zones_s[z]);
    bind_num(st, 9, m->above_threshold_s);
    bind_num(st, 10, m->trimp);
    sqlite3_bind_int(st, 11, m->trimp_from_avg);
    const double nums[] = { m->trimp_edwards, m->hrss, m->ngp_mps, m->rtss,
                            m->intensity_factor, m->if_hr, m->rpe, m->session_rpe };
    for (int k = 0; k < (int)PL_ARRAY_LEN(nums); k++)
        bind_num(st, 12 + k, nums[k]);
    sqlite3_bind_double(st, 20, isfinite(m->load) ? m->load : 0);
    sqlite3_bind_text(st, 21, pl_load_source_name(m->load_source), -1, SQLITE_STATIC);
    int sr = sqlite3_step(st);
    return sr == SQLITE_DONE ? PL_OK : db_fail(s, sr, "storing metrics", d);
}

int pl__store_model_write(struct pl_store *s, const struct pl__act *acts, size_t n,
                          bool *readonly, struct pl_diag *d)
{
    *readonly = s->readonly;
    if (s->readonly)
        return PL_OK;
    int rc = txn_begin(s, true, "storing metrics", d);
    if (rc) {
        /* A store opened read-write that refuses writes (PRAGMA
         * query_only, a file made read-only since): work in memory. */
        if ((s->sqlite_rc & 0xff) == SQLITE_READONLY) {
            *readonly = true;
            return PL_OK;
        }
        return rc;
    }
    sqlite3_stmt *fst = NULL, *mst = NULL;
    int sr = sqlite3_prepare_v2(s->db, FEAT_UPSERT, -1, &fst, NULL);
    if (sr == SQLITE_OK)
        sr = sqlite3_prepare_v2(s->db, METRICS_UPSERT, -1, &mst, NULL);
    if (sr != SQLITE_OK)
        rc = db_fail(s, sr, "storing metrics", d);
    for (size_t i = 0; rc == PL_OK && i < n; i++) {
        if (acts[i].feat_dirty && acts[i].f.hist)
            rc = write_feat(s, fst, &acts[i], d);
        if (rc == PL_OK && acts[i].metrics_dirty)
            rc = write_metrics(s, mst, &acts[i], d);
    }
    sqlite3_finalize(fst);
    sqlite3_finalize(mst);
    rc = txn_end(s, rc, "storing metrics", d);
    if (rc && (s->sqlite_rc & 0xff) == SQLITE_READONLY) {
        *readonly = true;
        rc = PL_OK;
    }
    return rc;
}

/* Events. */

static const char *const event_kinds[] = { "", "run", "race", "travel" };

int pl__store_event_add(struct pl_store *s, struct pl_event *e, struct pl_diag *d)
{
    int rc = txn_begin(s, true, "adding an event", d);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    int sr = sqlite3_prepare_v2(s->db,
                                "INSERT INTO events (kind, day, minute, hours, name, place_from, "
                                "place_to, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                                "RETURNING id",
                                -1, &st, NULL);
    if (sr == SQLITE_OK) {
        sqlite3_bind_text(st, 1, event_kinds[e->kind], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, e->day);
        if (e->minute >= 0)
            sqlite3_bind_int(st, 3, e->minute);
        bind_num(st, 4, e->hours);
        bind_text(st, 5, e->name, sizeof e->name);
        bind_text(st, 6, e->from, sizeof e->from);
        bind_text(st, 7, e->to, sizeof e->to);
        sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
        sr = sqlite3_step(st);
        if (sr == SQLITE_ROW)
            e->id = sqlite3_column_int64(st, 0);
    }
    if (sr != SQLITE_ROW)
        rc = db_fail(s, sr, "adding an event", d);
    sqlite3_finalize(st);
    return txn_end(s, rc, "adding an event", d);
}

int pl__store_event_list(struct pl_store *s, int32_t from_day, int32_t to_day,
                         int (*fn)(void *ctx, const struct pl_event *e), void *ctx,
                         struct pl_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = txn_begin(s, false, "listing events", d);
    if (rc)
        return rc;
    int sr = sqlite3_prepare_v2(s->db,
                                "SELECT id, kind, day, minute, hours, name, place_from, place_to "
                                "FROM events WHERE day >= ?1 AND day <= ?2 "
                                "ORDER BY day, coalesce(minute, -1), id",
                                -1, &st, NULL);
    if (sr != SQLITE_OK) {
        rc = db_fail(s, sr, "listing events", d);
        goto out;
    }
    sqlite3_bind_int(st, 1, from_day);
    sqlite3_bind_int(st, 2, to_day);
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        struct pl_event e;
        pl_event_init(&e);
        e.id = sqlite3_column_int64(st, 0);
        const char *k = (const char *)sqlite3_column_text(st, 1);
        for (int i = 1; k && i < (int)PL_ARRAY_LEN(event_kinds); i++)
            if (strcmp(k, event_kinds[i]) == 0)
                e.kind = (uint8_t)i;
        e.day = sqlite3_column_int(st, 2);
        e.minute = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
        e.hours = col_num(st, 4);
        col_text(st, 5, e.name, sizeof e.name);
        col_text(st, 6, e.from, sizeof e.from);
        col_text(st, 7, e.to, sizeof e.to);
        if (fn(ctx, &e) != 0) {
            rc = pl__diag(d, PL_ECANCELED, UINT64_MAX, "listing stopped by the caller");
            goto out;
        }
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "listing events", d);
out:
    sqlite3_finalize(st);
    int end = txn_end(s, PL_OK, "listing events", rc ? NULL : d);
    return rc ? rc : end;
}

int pl__store_event_rm(struct pl_store *s, int64_t id, struct pl_diag *d)
{
    int rc = txn_begin(s, true, "removing an event", d);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    int sr = sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE id = ?1", -1, &st, NULL);
    if (sr == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sr = sqlite3_step(st);
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "removing an event", d);
    else if (sqlite3_changes(s->db) == 0)
        rc = pl__diag(d, PL_ENOTFOUND, UINT64_MAX, "no event %lld in '%s'", (long long)id,
                      s->path);
    sqlite3_finalize(st);
    return txn_end(s, rc, "removing an event", d);
}

/* ------------------------------------------------------------------ */
/* Plan marks (the Plans section of pliant.h): an item done or skipped   */
/* ------------------------------------------------------------------ */

static const char *const mark_names[] = { [PL_MARK_DONE] = "done", [PL_MARK_SKIPPED] = "skipped" };

int pl_plan_mark_set(struct pl_store *s, const struct pl_plan_mark *m, struct pl_diag *d)
{
    if (m->status != PL_MARK_DONE && m->status != PL_MARK_SKIPPED)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "mark status %d is not done or skipped",
                        m->status);
    if (!m->item_id[0] || strnlen(m->item_id, sizeof m->item_id) == sizeof m->item_id)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "a mark needs an item id");
    int rc = txn_begin(s, true, "marking a plan item", d);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    int sr = sqlite3_prepare_v2(s->db,
                                "INSERT OR REPLACE INTO plan_marks (item_id, day, status, why, "
                                "marked_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                -1, &st, NULL);
    if (sr == SQLITE_OK) {
        bind_text(st, 1, m->item_id, sizeof m->item_id);
        sqlite3_bind_int(st, 2, m->day);
        sqlite3_bind_text(st, 3, mark_names[m->status], -1, SQLITE_STATIC);
        if (m->why[0])
            bind_text(st, 4, m->why, sizeof m->why);
        sqlite3_bind_int64(st, 5, m->marked_s);
        sr = sqlite3_step(st);
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "marking a plan item", d);
    sqlite3_finalize(st);
    return txn_end(s, rc, "marking a plan item", d);
}

int pl_plan_mark_list(struct pl_store *s, int32_t from_day, int32_t to_day,
                      int (*fn)(void *ctx, const struct pl_plan_mark *m), void *ctx,
                      struct pl_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = txn_begin(s, false, "listing plan marks", d);
    if (rc)
        return rc;
    int sr = sqlite3_prepare_v2(s->db,
                                "SELECT item_id, day, status, why, marked_at FROM plan_marks "
                                "WHERE day >= ?1 AND day <= ?2 ORDER BY day, item_id",
                                -1, &st, NULL);
    if (sr != SQLITE_OK) {
        rc = db_fail(s, sr, "listing plan marks", d);
        goto out;
    }
    sqlite3_bind_int(st, 1, from_day);
    sqlite3_bind_int(st, 2, to_day);
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        struct pl_plan_mark m;
        memset(&m, 0, sizeof m);
        col_text(st, 0, m.item_id, sizeof m.item_id);
        m.day = sqlite3_column_int(st, 1);
        const char *k = (const char *)sqlite3_column_text(st, 2);
        m.status = k && strcmp(k, "skipped") == 0 ? PL_MARK_SKIPPED : PL_MARK_DONE;
        col_text(st, 3, m.why, sizeof m.why);
        m.marked_s = sqlite3_column_int64(st, 4);
        if (fn(ctx, &m) != 0) {
            rc = PL_ECANCELED;
            goto out;
        }
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "listing plan marks", d);
out:
    sqlite3_finalize(st);
    return txn_end(s, rc, "listing plan marks", d);
}

/* ------------------------------------------------------------------ */
/* Screens (table screens: migration 4). Used by lib/recovery/screen.c's callers */
/* ------------------------------------------------------------------ */

int pl_screen_save(struct pl_store *s, struct pl_screen_record *r, struct pl_diag *d)
{
    int rc = txn_begin(s, true, "saving a screen", d);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    int sr = sqlite3_prepare_v2(s->db,
                                "INSERT INTO screens (day, taken_at, protocol, stopped, strength, "
                                "red_flags, signs, areas, no_massage, answers) VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                -1, &st, NULL);
    if (sr == SQLITE_OK) {
        sqlite3_bind_int(st, 1, r->day);
        sqlite3_bind_int64(st, 2, r->taken_s);
        bind_text(st, 3, r->protocol, sizeof r->protocol);
        sqlite3_bind_int(st, 4, r->stopped);
        sqlite3_bind_int(st, 5, r->strength);
        bind_text(st, 6, r->red_flags, sizeof r->red_flags);
        bind_text(st, 7, r->signs, sizeof r->signs);
        bind_text(st, 8, r->areas, sizeof r->areas);
        bind_text(st, 9, r->no_massage, sizeof r->no_massage);
        bind_text(st, 10, r->answers, sizeof r->answers);
        sr = sqlite3_step(st);
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "saving a screen", d);
    else
        r->id = sqlite3_last_insert_rowid(s->db);
    sqlite3_finalize(st);
    return txn_end(s, rc, "saving a screen", d);
}

int pl_screen_list(struct pl_store *s, int (*fn)(void *ctx, const struct pl_screen_record *r),
                   void *ctx, struct pl_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = txn_begin(s, false, "listing screens", d);
    if (rc)
        return rc;
    int sr = sqlite3_prepare_v2(s->db,
                                "SELECT id, day, taken_at, protocol, stopped, strength, red_flags, "
                                "signs, areas, no_massage, answers FROM screens ORDER BY day, id",
                                -1, &st, NULL);
    if (sr != SQLITE_OK) {
        rc = db_fail(s, sr, "listing screens", d);
        goto out;
    }
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        struct pl_screen_record r;
        memset(&r, 0, sizeof r);
        r.id = sqlite3_column_int64(st, 0);
        r.day = sqlite3_column_int(st, 1);
        r.taken_s = sqlite3_column_int64(st, 2);
        col_text(st, 3, r.protocol, sizeof r.protocol);
        r.stopped = sqlite3_column_int(st, 4) != 0;
        r.strength = (uint8_t)sqlite3_column_int(st, 5);
        col_text(st, 6, r.red_flags, sizeof r.red_flags);
        col_text(st, 7, r.signs, sizeof r.signs);
        col_text(st, 8, r.areas, sizeof r.areas);
        col_text(st, 9, r.no_massage, sizeof r.no_massage);
        col_text(st, 10, r.answers, sizeof r.answers);
        if (fn(ctx, &r) != 0) {
            rc = PL_ECANCELED;
            goto out;
        }
    }
    if (sr != SQLITE_DONE)
        rc = db_fail(s, sr, "listing screens", d);
out:
    sqlite3_finalize(st);
    return txn_end(s, rc, "listing screens", d);
}
