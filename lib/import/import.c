/*
 * import.c - pl_import_paths: everything a runner has, into the store.
 *
 * What it is for: it drives the walker (lib/formats/archive.c) over the paths, and
 * for each file it finds decides what the file is, hashes it (SHA-256 of
 * its bytes after gunzip), skips it at once when the store has that hash,
 * reads its activities (pl_reader_*) and adds each in its own transaction
 * (pl_store_add). Strava's activities.csv is read when met and applied at
 * the end, so that it may come before or after the files it names.
 *
 * What it is not: a parser (the readers and the walker are), or the place
 * that decides what counts as a twin (the store is). It never prints.
 *
 * Crash safety: each file's activities are added inside one savepoint
 * (pl__store_mark), kept or undone whole, and files go to the store a few
 * at a time in one transaction (pl_store_begin/commit), so a file is in
 * the store whole or not at all, and "the store has this hash" means all
 * of it is in (docs/internals/import.md). What becomes of a file is told
 * once its transaction has committed.
 */
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/csv.h"
#include "formats/walk.h"
#include "store/store.h"

struct fileref {
    char *path;          /* as reported, "./" cut after "!" */
    int64_t start_s;     /* its first activity's start */
};

/* What became of a file, held until its batch commits. */
struct queued {
    char *path;
    int outcome;
    unsigned activities;
    bool has_diag;
    struct pl_diag d;
};

struct csvdoc {
    char *dir;           /* what the csv's Filename column is relative to */
    struct pl__strava_csv csv;
};

struct imp {
    struct pl_store *s;
    const struct pl_import_handler *h;
    unsigned fit_options;
    struct pl_import_summary *sum;
    struct pl_import_progress prog;
    uint8_t *buf;                 /* the file being read, reused */
    size_t cap;
    int stop;                     /* a reason to stop the whole import */
    struct pl_diag stop_diag;

    /* Files go to the store several to a transaction, each inside a
     * savepoint of its own: a commit per file rewrote the same index
     * pages for every file, three to four times the bytes of its
     * activities. Events wait in queue until their batch commits, so that
     * what is reported imported is in the store. */
    bool batch;                   /* a transaction is open */
    unsigned batch_files;
    uint64_t batch_bytes;
    struct queued *queue;
    size_t nqueue, queue_cap;

    /* The file being read. */
    const char *path;
    uint8_t sha[32];
    bool in_txn;                  /* its savepoint is open */
    unsigned delivered, added_new, added_replaced, added_dup;
    int64_t first_start_s;
    int file_err;                 /* the store refused an activity */
    struct pl_diag file_diag;
    struct pl_diag warn;          /* the first warning */
    unsigned nwarn;

    struct csvdoc *csvs;
    size_t ncsv, csv_cap;
    struct fileref *refs;
    size_t nrefs, ref_cap;
};

static int stop(struct imp *m, const struct pl_diag *d)
{
    if (!m->stop) {
        m->stop = d->code ? d->code : PL_EDB;
        m->stop_diag = *d;
    }
    return m->stop;
}

static int stop_nomem(struct imp *m)
{
    struct pl_diag d;
    pl__diag(&d, PL_ENOMEM, UINT64_MAX, "out of memory");
    return stop(m, &d);
}

/* Errors of the store or of memory end the import: the next file would
 * meet them too. Anything else is this file's fault. */
static bool stops_import(int code)
{
    return code == PL_ENOMEM || code == PL_EDB || code == PL_EIO;
}

static void progress(struct imp *m)
{
    if (m->h && m->h->on_progress)
        m->h->on_progress(m->h->ctx, &m->prog);
}

static void emit(struct imp *m, const char *path, int outcome, unsigned activities,
                 const struct pl_diag *d)
{
    switch (outcome) {
    case PL_IMP_IMPORTED: m->sum->imported++; break;
    case PL_IMP_DUPLICATE: m->sum->duplicates++; break;
    case PL_IMP_SKIPPED: m->sum->skipped++; break;
    default: m->sum->failed++; break;
    }
    m->sum->activities += activities;
    if (m->h && m->h->on_file) {
        struct pl_import_event e = { path, outcome, activities, d };
        m->h->on_file(m->h->ctx, &e);
    }
    m->prog.files_done++;
    if (m->prog.files_total && m->prog.files_done > m->prog.files_total)
        m->prog.files_total = 0;   /* archives inside held more than counted */
    progress(m);
}

static void drop_queue(struct imp *m)
{
    for (size_t i = 0; i < m->nqueue; i++)
        pl__free(m->queue[i].path);
    m->nqueue = 0;
}

/* Tell what became of a file now, or when its batch has committed. */
static void event(struct imp *m, const char *path, int outcome, unsigned activities,
                  const struct pl_diag *d)
{
    if (!m->batch) {
        emit(m, path, outcome, activities, d);
        return;
    }
    if (m->nqueue == m->queue_cap) {
        size_t ncap = m->queue_cap ? m->queue_cap * 2 : 16;
        struct queued *nq = pl__realloc(m->queue, ncap * sizeof *nq);
        if (!nq) {
            stop_nomem(m);
            return;
        }
        m->queue = nq;
        m->queue_cap = ncap;
    }
    struct queued *q = &m->queue[m->nqueue];
    if (!(q->path = pl__strdup(path))) {
        stop_nomem(m);
        return;
    }
    q->outcome = outcome;
    q->activities = activities;
    q->has_diag = d != NULL;
    if (d)
        q->d = *d;
    m->nqueue++;
}

/* End the batch: commit it and tell what became of its files, or (keep
 * false, after a stop) roll it back, and its files were not imported. */
static int batch_end(struct imp *m, bool keep)
{
    if (!m->batch)
        return 0;
    m->batch = false;
    m->in_txn = false;
    m->batch_files = 0;
    m->batch_bytes = 0;
    if (!keep) {
        pl_store_rollback(m->s);
        drop_queue(m);
        return 0;
    }
    struct pl_diag d;
    pl_diag_clear(&d);
    int rc = pl_store_commit(m->s, &d);
    if (rc) {
        drop_queue(m);
        return stop(m, &d);
    }
    for (size_t i = 0; i < m->nqueue; i++) {
        struct queued *q = &m->queue[i];
        emit(m, q->path, q->outcome, q->activities, q->has_diag ? &q->d : NULL);
    }
    drop_queue(m);
    return 0;
}

static void skipped(struct imp *m, const char *path, const char *why)
{
    struct pl_diag d;
    pl__diag(&d, PL_ESKIPPED, UINT64_MAX, "%s", why);
    event(m, path, PL_IMP_SKIPPED, 0, &d);
}

/* ------------------------------------------------------------------ */
/* What a file is                                                       */
/* ------------------------------------------------------------------ */

/* The last component of a path, inside an archive or not. */
static const char *leaf_name(const char *path)
{
    const char *s = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '!')
            s = p + 1;
    return s;
}

static bool has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    if (n >= 3 && strcasecmp(name + n - 3, ".gz") == 0)
        n -= 3;
    return n > e && strncasecmp(name + n - e, ext, e) == 0;
}

static bool is_strava_csv(const char *path)
{
    return strcasecmp(leaf_name(path), "activities.csv") == 0;
}

/* Does the first part of an XML file name a GPX or TCX root? */
static bool xml_activity(const uint8_t *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i == n || p[i] != '<')
        return false;
    return memmem(p + i, n - i, "<gpx", 4) || memmem(p + i, n - i, ":gpx", 4) ||
           memmem(p + i, n - i, "TrainingCenterDatabase", 22);
}

static int on_peek(void *ctx, const char *path, const uint8_t *p, size_t n, bool *want)
{
    struct imp *m = ctx;
    const char *name = leaf_name(path);
    if (n == 0) {
        skipped(m, path, "an empty file");
    } else if (is_strava_csv(path) || pl_fit_is_fit(p, n) || has_ext(name, ".fit") ||
               has_ext(name, ".gpx") || has_ext(name, ".tcx") || xml_activity(p, n)) {
        *want = true;
    } else if ((n >= 3 && memcmp(p, "BZh", 3) == 0) ||
               (n >= 6 && memcmp(p, "\xFD" "7zXZ\0", 6) == 0)) {
        skipped(m, path, "compressed with bzip2 or xz, which pliant does not read");
    } else if (p[0] == '<' || (n >= 4 && memcmp(p, "\xEF\xBB\xBF<", 4) == 0)) {
        skipped(m, path, "an XML file that is neither GPX nor TCX");
    } else {
        skipped(m, path, "not an activity file (FIT, GPX or TCX)");
    }
    return m->stop;
}

/* ------------------------------------------------------------------ */
/* Adding activities                                                    */
/* ------------------------------------------------------------------ */

/* Copy a path into a fixed field, cut at a UTF-8 character boundary. */
static void copy_path(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Add one activity of the file being read, inside the file's savepoint
 * (opened at its first activity, in the batch's transaction). */
static int on_activity(void *ctx, struct pl_activity *a)
{
    struct imp *m = ctx;
    struct pl_diag d;
    int result = 0;
    int64_t id = 0;
    pl_diag_clear(&d);
    if (m->file_err)
        return 1;   /* the file fails anyway: stop reading it */
    if (!m->in_txn) {
        if (!m->batch) {
            int rc = pl_store_begin(m->s, &d);
            if (rc)
                return stop(m, &d);
            m->batch = true;
        }
        int rc = pl__store_mark(m->s, &d);
        if (rc)
            return stop(m, &d);
        m->in_txn = true;
    }
    m->delivered++;
    copy_path(a->source_path, sizeof a->source_path, m->path);
    memcpy(a->source_sha256, m->sha, 32);
    if (m->delivered == 1)
        m->first_start_s = a->start_s;
    int rc = pl_store_add(m->s, a, &result, &id, &d);
    if (rc) {
        if (stops_import(rc))
            return stop(m, &d);
        m->file_err = rc;
        m->file_diag = d;
        return 1;
    }
    if (result == PL_ADD_NEW)
        m->added_new++;
    else if (result == PL_ADD_REPLACED)
        m->added_replaced++;
    else
        m->added_dup++;
    return 0;
}

/* Close the file's savepoint: keep what it added, or undo all of it. */
static int end_txn(struct imp *m, bool keep)
{
    if (!m->in_txn)
        return 0;
    m->in_txn = false;
    if (!keep) {
        pl__store_mark_undo(m->s);
        return 0;
    }
    struct pl_diag d;
    pl_diag_clear(&d);
    int rc = pl__store_mark_keep(m->s, &d);
    return rc ? stop(m, &d) : 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    struct imp *m = ctx;
    if (m->nwarn++ == 0)
        m->warn = *w;
}

/* Remember where a file's activities start, for activities.csv. */
static int add_ref(struct imp *m, const char *path, int64_t start_s)
{
    if (m->nrefs == m->ref_cap) {
        size_t ncap = m->ref_cap ? m->ref_cap * 2 : 256;
        struct fileref *nr = pl__realloc(m->refs, ncap * sizeof *nr);
        if (!nr)
            return stop_nomem(m);
        m->refs = nr;
        m->ref_cap = ncap;
    }
    const char *bang = strrchr(path, '!');
    char *p = pl__strdup(path);
    if (!p)
        return stop_nomem(m);
    if (bang && strncmp(bang + 1, "./", 2) == 0) {
        size_t at = (size_t)(bang + 1 - path);
        memmove(p + at, p + at + 2, strlen(p + at + 2) + 1);
    }
    m->refs[m->nrefs++] = (struct fileref){ p, start_s };
    return 0;
}

static int read_csv(struct imp *m, const char *path, const uint8_t *data, size_t n)
{
    struct pl_diag d;
    pl_diag_clear(&d);
    if (m->ncsv == m->csv_cap) {
        size_t ncap = m->csv_cap ? m->csv_cap * 2 : 4;
        struct csvdoc *nc = pl__realloc(m->csvs, ncap * sizeof *nc);
        if (!nc)
            return stop_nomem(m);
        m->csvs = nc;
        m->csv_cap = ncap;
    }
    struct csvdoc *doc = &m->csvs[m->ncsv];
    int rc = pl__strava_csv_read((const char *)data, n, &doc->csv, &d);
    if (rc) {
        pl__strava_csv_release(&doc->csv);
        if (rc == PL_ENOMEM)
            return stop(m, &d);
        event(m, path, PL_IMP_FAILED, 0, &d);
        return 0;
    }
    size_t dir_n = (size_t)(leaf_name(path) - path);
    doc->dir = pl__malloc(dir_n + 1);
    if (!doc->dir) {
        pl__strava_csv_release(&doc->csv);
        return stop_nomem(m);
    }
    memcpy(doc->dir, path, dir_n);
    doc->dir[dir_n] = '\0';
    m->ncsv++;
    m->prog.files_done++;
    progress(m);
    return 0;
}

/* Hash, look up, read and store one file's n bytes at data. */
static int use_file(struct imp *m, const char *path, const uint8_t *data, size_t n)
{
    struct pl_diag d;
    int rc;
    pl_diag_clear(&d);
    m->sum->bytes += n;
    if (is_strava_csv(path))
        return read_csv(m, path, data, n);

    /* SHA-256 (FIPS 180-4) through nettle, which uses the CPU's SHA
     * instructions where it has them: the same hash the store has always
     * kept, at about 1.4 GB/s here instead of libsodium's portable 0.24. */
    struct sha256_ctx sc;
    sha256_init(&sc);
    sha256_update(&sc, n, data);
    sha256_digest(&sc, SHA256_DIGEST_SIZE, m->sha);
    bool known = false;
    if ((rc = pl_store_has_source(m->s, m->sha, &known, &d)) != 0)
        return stop(m, &d);
    if (known) {
        event(m, path, PL_IMP_DUPLICATE, 0, NULL);
        return 0;
    }

    m->path = path;
    m->delivered = m->added_new = m->added_replaced = m->added_dup = 0;
    m->nwarn = 0;
    m->file_err = 0;
    m->first_start_s = INT64_MIN;
    pl_diag_clear(&m->warn);
    struct pl_reader_handler rh = { m, on_activity, on_warning };
    rc = pl_read_activities(data, n, &rh, m->fit_options, &d);
    if (m->stop || rc == PL_ENOMEM) {
        end_txn(m, false);
        return m->stop ? m->stop : stop(m, &d);
    }
    /* A FIT file cut short still gives what its complete records hold
     * (docs/internals/fit.md, damaged files): import that, with a
     * warning, unless --strict. */
    bool cut = rc == PL_ETRUNCATED && !(m->fit_options & PL_FIT_STRICT) && m->delivered > 0;
    if (m->file_err || (rc && rc != PL_ESKIPPED && !cut)) {
        end_txn(m, false);
        event(m, path, PL_IMP_FAILED, 0, m->file_err ? &m->file_diag : &d);
        return 0;
    }
    if (end_txn(m, true))
        return m->stop;
    if (m->delivered == 0) {
        /* Not an activity (settings, monitoring, a route): remember the
         * hash so that the next import passes it at once. */
        const char *why = rc == PL_ESKIPPED && d.msg[0] ? d.msg : "no activity in the file";
        struct pl_diag sd;
        pl__diag(&sd, PL_ESKIPPED, UINT64_MAX, "%s", why);
        if ((rc = pl_store_add_skipped(m->s, m->sha, path, sd.msg, &d)) != 0) {
            if (stops_import(rc))
                return stop(m, &d);
        }
        event(m, path, PL_IMP_SKIPPED, 0, &sd);
        return 0;
    }
    if (m->first_start_s != INT64_MIN && add_ref(m, path, m->first_start_s))
        return m->stop;
    const struct pl_diag *w = NULL;
    struct pl_diag cutd;
    if (cut) {
        pl__diag(&cutd, PL_ETRUNCATED, d.offset, "%s; the activity they make was imported",
                 d.msg);
        w = &cutd;
    } else if (m->nwarn) {
        w = &m->warn;
    }
    bool any = m->added_new + m->added_replaced > 0;
    event(m, path, any ? PL_IMP_IMPORTED : PL_IMP_DUPLICATE, m->added_new, w);
    return 0;
}

static int read_file(struct imp *m, const char *path, struct pl__src *src)
{
    struct pl_diag d;
    const uint8_t *whole;
    size_t n;
    pl_diag_clear(&d);
    /* A gzip the walker inflated whole is in memory already. */
    if (pl__src_whole(src, &whole, &n, PL_IMPORT_FILE_BYTES_MAX))
        return use_file(m, path, whole, n);
    int rc = pl__src_read_all(src, &m->buf, &m->cap, &n, PL_IMPORT_FILE_BYTES_MAX, &d);
    if (rc) {
        if (rc == PL_ENOMEM)
            return stop(m, &d);
        event(m, path, PL_IMP_FAILED, 0, &d);
        return 0;
    }
    rc = use_file(m, path, m->buf, n);
    /* Keep a big buffer only while big files come; only once its bytes
     * have been used (freeing it before, as this once did, read a small
     * file after a big one from freed memory). */
    if (m->cap > (4u << 20) && n < (1u << 20)) {
        pl__free(m->buf);
        m->buf = NULL;
        m->cap = 0;
    }
    return rc;
}

static int on_file(void *ctx, const char *path, struct pl__src *src)
{
    struct imp *m = ctx;
    uint64_t bytes0 = m->sum->bytes;
    int rc = read_file(m, path, src);
    if (rc || m->stop)
        return rc ? rc : m->stop;
    if (m->batch) {
        m->batch_files++;
        m->batch_bytes += m->sum->bytes - bytes0;
        if (m->batch_files >= PL_IMPORT_BATCH_FILES_MAX ||
            m->batch_bytes >= PL_IMPORT_BATCH_BYTES_MAX)
            return batch_end(m, true);
    }
    return 0;
}

static int on_error(void *ctx, const char *path, const struct pl_diag *d)
{
    struct imp *m = ctx;
    event(m, path, PL_IMP_FAILED, 0, d);
    return m->stop;
}

static void on_bytes(void *ctx, uint64_t bytes)
{
    struct imp *m = ctx;
    m->prog.bytes_done = bytes;
    progress(m);
}

/* ------------------------------------------------------------------ */
/* activities.csv                                                       */
/* ------------------------------------------------------------------ */

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const struct fileref *)a)->path, ((const struct fileref *)b)->path);
}

static int apply_csvs(struct imp *m)
{
    if (m->ncsv == 0)
        return 0;
    if (m->nrefs > 1)
        qsort(m->refs, m->nrefs, sizeof *m->refs, cmp_ref);
    char *key = pl__malloc(PL_IMPORT_PATH_BYTES_MAX + PL_CSV_FIELD_BYTES_MAX + 1);
    if (!key)
        return stop_nomem(m);
    for (size_t c = 0; c < m->ncsv && !m->stop; c++) {
        const struct csvdoc *doc = &m->csvs[c];
        for (size_t i = 0; i < doc->csv.n; i++) {
            const struct pl__strava_row *r = &doc->csv.rows[i];
            int64_t start = INT64_MIN;
            if (r->filename) {
                const char *f = r->filename;
                while (strncmp(f, "./", 2) == 0)
                    f += 2;
                snprintf(key, PL_IMPORT_PATH_BYTES_MAX + PL_CSV_FIELD_BYTES_MAX + 1, "%s%s",
                         doc->dir, f);
                struct fileref probe = { key, 0 };
                const struct fileref *hit =
                    m->nrefs ? bsearch(&probe, m->refs, m->nrefs, sizeof *m->refs, cmp_ref)
                             : NULL;
                if (hit)
                    start = hit->start_s;
            }
            if (start == INT64_MIN)
                start = r->start_s;
            if (start == INT64_MIN || (!r->name && !r->description && r->sport < 0))
                continue;
            bool found = false;
            struct pl_diag d;
            pl_diag_clear(&d);
            int rc = pl_store_enrich(m->s, start, r->name, r->description, r->sport, &found, &d);
            if (rc && stops_import(rc)) {
                stop(m, &d);
                break;
            }
            if (!rc && found)
                m->sum->enriched++;
        }
    }
    pl__free(key);
    return m->stop;
}

/* ------------------------------------------------------------------ */

int pl_import_paths(struct pl_store *s, const char *const *paths, size_t npaths,
                    const struct pl_import_handler *h, unsigned fit_options,
                    struct pl_import_summary *sum, struct pl_diag *diag)
{
    struct pl_import_summary dummy;
    if (!sum)
        sum = &dummy;
    memset(sum, 0, sizeof *sum);
    pl_diag_clear(diag);
    if (!s || (!paths && npaths))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no store or no paths");

    struct imp m;
    memset(&m, 0, sizeof m);
    m.s = s;
    m.h = h;
    m.fit_options = fit_options;
    m.sum = sum;
    for (size_t i = 0; i < npaths; i++)
        pl__walk_count(paths[i], PL_IMPORT_TOTAL_ENTRIES_MAX, &m.prog.files_total,
                       &m.prog.bytes_total);
    progress(&m);

    struct pl__walk_handler wh = { &m, on_peek, on_file, on_error, on_bytes };
    struct pl__walk *w = pl__walk_new(&wh, NULL);
    int rc = 0;
    if (!w) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < npaths && rc == 0; i++) {
        struct pl_diag wd;
        pl_diag_clear(&wd);
        rc = pl__walk_path(w, paths[i], &wd);
        if (rc && !m.stop)
            stop(&m, &wd);
    }
    if (!m.stop)
        batch_end(&m, true);
    if (!m.stop)
        apply_csvs(&m);
    batch_end(&m, false);
    if (m.stop) {
        rc = m.stop;
        if (diag)
            *diag = m.stop_diag;
    }
out:
    drop_queue(&m);
    pl__free(m.queue);
    pl__walk_free(w);
    pl__free(m.buf);
    for (size_t i = 0; i < m.ncsv; i++) {
        pl__strava_csv_release(&m.csvs[i].csv);
        pl__free(m.csvs[i].dir);
    }
    pl__free(m.csvs);
    for (size_t i = 0; i < m.nrefs; i++)
        pl__free(m.refs[i].path);
    pl__free(m.refs);
    return rc;
}
