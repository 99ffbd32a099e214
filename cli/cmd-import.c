/*
 * cmd-import.c - `pliant import`: bring files, folders and archives into
 * the store, with a progress bar and a summary.
 *
 * The work is the library's (pl_import_paths); this file parses the
 * options, draws progress on a terminal, collects what was skipped or
 * failed, and prints the summary as text or JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const struct cmd cmd_import_def = {
    "import", cmd_import, "bring activity files, folders and archives into the store",
    "usage: pliant import PATH... [--json] [--quiet] [--strict] [--db PATH]\n"
    "\n"
    "Read every activity in the PATHs into the store: FIT, GPX and TCX files,\n"
    "folders (all their files, recursively, in name order), .gz files, .zip,\n"
    ".tar and .tar.gz archives, and archives inside archives, such as a\n"
    "Garmin or Strava export as downloaded. '-' reads standard input.\n"
    "Nothing is unpacked to disk.\n"
    "\n"
    "A file imported before (the same bytes) is passed over at once; the\n"
    "same activity from two files (a FIT and its GPX) is stored once. In a\n"
    "Strava export, activities.csv gives the activities their names, types\n"
    "and descriptions. Files that hold no activity (settings, photos) are\n"
    "skipped, saying why; a damaged file is reported with where it is\n"
    "damaged, and the import goes on. Each file is stored whole or not at\n"
    "all: after a crash, importing again brings in exactly what is missing.\n"
    "\n"
    "Options:\n"
    "  --json       print the summary as JSON: {\"imported\": N, \"duplicates\": N,\n"
    "               \"skipped\": [{\"file\", \"reason\"}], \"failed\": [{\"file\",\n"
    "               \"error\"}], ...}\n"
    "  --quiet      no progress bar (there is none when standard error is not\n"
    "               a terminal)\n"
    "  --strict     a FIT file with a bad checksum or cut short fails instead\n"
    "               of importing what it holds with a warning\n"
    "  --db PATH    the store (default: $PLIANT_DB, else\n"
    "               $XDG_DATA_HOME/pliant/pliant.db)\n"
    "\n"
    "Exit status: 0 when every file was imported, already there or skipped;\n"
    "1 when some failed; 2 for a usage error; 3 when the store cannot be\n"
    "opened or written (the import stops; what was stored stays).\n"
    "\n"
    "Examples:\n"
    "  pliant import ~/Downloads/export_12345678.zip\n"
    "  pliant import watch/GARMIN/ACTIVITY old-runs.tar.gz\n"
    "  pliant import --json runs/ >summary.json\n",
};

/* One skipped, failed or warned file, kept for the summary. */
struct item {
    char *file;
    char *msg;
};
struct list {
    struct item *v;
    size_t n, cap;
};

struct ctx {
    bool json, bar;
    struct list skipped, failed, warned;
    struct timespec t0, last_draw;
    bool drawn;
    int64_t last_done;
};

static double since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        error_msg("out of memory");
        exit(EXIT_NOTHING);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* The message with where it happened, when the message does not say. */
static char *where(const struct pl_diag *d)
{
    char buf[400];
    if (d->line && !strstr(d->msg, "line "))
        snprintf(buf, sizeof buf, "%s (line %u, column %u)", d->msg, d->line, d->col);
    else if (d->offset != UINT64_MAX && !strstr(d->msg, "byte"))
        snprintf(buf, sizeof buf, "%s (byte %llu)", d->msg, (unsigned long long)d->offset);
    else
        snprintf(buf, sizeof buf, "%s", d->msg);
    return xstrdup(buf);
}

static void push(struct list *l, const char *file, char *msg)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        struct item *v = realloc(l->v, l->cap * sizeof *v);
        if (!v) {
            error_msg("out of memory");
            exit(EXIT_NOTHING);
        }
        l->v = v;
    }
    l->v[l->n++] = (struct item){ xstrdup(file), msg };
}

static void clear_bar(struct ctx *c)
{
    if (c->drawn) {
        fputs("\r\033[K", stderr);
        c->drawn = false;
    }
}

static void on_file(void *ctx, const struct pl_import_event *e)
{
    struct ctx *c = ctx;
    if (e->outcome == PL_IMP_SKIPPED)
        push(&c->skipped, e->file, xstrdup(e->diag ? e->diag->msg : "not an activity"));
    else if (e->outcome == PL_IMP_FAILED)
        push(&c->failed, e->file, e->diag ? where(e->diag) : xstrdup("failed"));
    else if (e->diag)
        push(&c->warned, e->file, where(e->diag));
}

static void draw(struct ctx *c, const struct pl_import_progress *p)
{
    double secs = since(&c->t0);
    double rate = secs > 0 ? (double)p->bytes_done / secs : 0;
    char files[64], eta[32] = "";
    if (p->files_total)
        snprintf(files, sizeof files, "%llu/%llu files", (unsigned long long)p->files_done,
                 (unsigned long long)p->files_total);
    else
        snprintf(files, sizeof files, "%llu files", (unsigned long long)p->files_done);
    char bar[32] = "";
    if (p->bytes_total && p->bytes_done <= p->bytes_total) {
        double frac = (double)p->bytes_done / (double)p->bytes_total;
        int w = 20, k = (int)(frac * w);
        bar[0] = '[';
        for (int i = 0; i < w; i++)
            bar[1 + i] = i < k ? '#' : '.';
        bar[w + 1] = ']';
        bar[w + 2] = '\0';
        if (rate > 0 && secs > 1) {
            long left = (long)((double)(p->bytes_total - p->bytes_done) / rate + 0.5);
            snprintf(eta, sizeof eta, "  ETA %ld:%02ld", left / 60, left % 60);
        }
    }
    fprintf(stderr, "\r%s %s  %.1f MB/s%s\033[K", bar, files, rate / 1e6, eta);
    fflush(stderr);
    c->drawn = true;
}

static void on_progress(void *ctx, const struct pl_import_progress *p)
{
    struct ctx *c = ctx;
    /* The first call draws at once (the bar says the import started);
     * then at most ten times a second. */
    if (!c->bar || (c->drawn && since(&c->last_draw) < 0.1))
        return;
    clock_gettime(CLOCK_MONOTONIC, &c->last_draw);
    draw(c, p);
}

/* Text: one line per kind, then the files, reasons grouped for skips. */
static void print_text(const struct ctx *c, const struct pl_import_summary *s, double secs)
{
    printf("imported %llu %s: %llu new %s", (unsigned long long)s->imported,
           s->imported == 1 ? "file" : "files", (unsigned long long)s->activities,
           s->activities == 1 ? "activity" : "activities");
    printf(" (%.1f MB read in %.1f s)\n", (double)s->bytes / 1e6, secs);
    if (s->enriched)
        printf("named from activities.csv: %llu %s\n", (unsigned long long)s->enriched,
               s->enriched == 1 ? "activity" : "activities");
    printf("duplicates: %llu %s already in the store\n", (unsigned long long)s->duplicates,
           s->duplicates == 1 ? "file" : "files");
    printf("skipped: %llu %s\n", (unsigned long long)s->skipped,
           s->skipped == 1 ? "file" : "files");
    /* Group the skips by reason, with a few names each: an export has
     * hundreds of photos. */
    bool *done = calloc(c->skipped.n ? c->skipped.n : 1, 1);
    for (size_t i = 0; done && i < c->skipped.n; i++) {
        if (done[i])
            continue;
        size_t count = 0, shown = 0;
        for (size_t j = i; j < c->skipped.n; j++)
            if (!done[j] && strcmp(c->skipped.v[j].msg, c->skipped.v[i].msg) == 0)
                count++;
        printf("  %zu %s: ", count, c->skipped.v[i].msg);
        for (size_t j = i; j < c->skipped.n; j++) {
            if (done[j] || strcmp(c->skipped.v[j].msg, c->skipped.v[i].msg) != 0)
                continue;
            done[j] = true;
            if (shown < 3)
                printf("%s%s", shown ? ", " : "", c->skipped.v[j].file);
            shown++;
        }
        printf(shown > 3 ? ", ...\n" : "\n");
    }
    free(done);
    printf("failed: %llu %s\n", (unsigned long long)s->failed, s->failed == 1 ? "file" : "files");
    for (size_t i = 0; i < c->failed.n; i++)
        printf("  %s: %s\n", c->failed.v[i].file, c->failed.v[i].msg);
    if (c->warned.n) {
        printf("warnings: %zu %s\n", c->warned.n, c->warned.n == 1 ? "file" : "files");
        for (size_t i = 0; i < c->warned.n; i++)
            printf("  %s: %s\n", c->warned.v[i].file, c->warned.v[i].msg);
    }
}

static void json_list(const struct list *l, const char *key, const char *msgkey)
{
    printf(", \"%s\": [", key);
    for (size_t i = 0; i < l->n; i++) {
        printf("%s{\"file\": ", i ? ", " : "");
        json_cstr(stdout, l->v[i].file);
        printf(", \"%s\": ", msgkey);
        json_cstr(stdout, l->v[i].msg);
        printf("}");
    }
    printf("]");
}

static void print_json(const struct ctx *c, const struct pl_import_summary *s,
                       const char *stopped)
{
    printf("{\"imported\": %llu, \"duplicates\": %llu", (unsigned long long)s->imported,
           (unsigned long long)s->duplicates);
    json_list(&c->skipped, "skipped", "reason");
    json_list(&c->failed, "failed", "error");
    json_list(&c->warned, "warnings", "warning");
    printf(", \"activities\": %llu, \"enriched\": %llu, \"bytes\": %llu",
           (unsigned long long)s->activities, (unsigned long long)s->enriched,
           (unsigned long long)s->bytes);
    if (stopped) {
        printf(", \"stopped\": ");
        json_cstr(stdout, stopped);
    }
    printf("}\n");
}

static void free_list(struct list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].file);
        free(l->v[i].msg);
    }
    free(l->v);
}

int cmd_import(int argc, char **argv)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    bool quiet = false, strict = false, only_paths = false;
    const char *db = NULL;
    const char **paths = xmalloc((size_t)argc * sizeof *paths);
    size_t npaths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0)
            paths[npaths++] = a;
        else if (strcmp(a, "--") == 0)
            only_paths = true;
        else if (strcmp(a, "--json") == 0)
            c.json = true;
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            quiet = true;
        else if (strcmp(a, "--strict") == 0)
            strict = true;
        else if (strncmp(a, "--db=", 5) == 0)
            db = a + 5;
        else if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc)
                die_usage(&cmd_import_def, "option '--db' needs a value");
            db = argv[++i];
        } else
            die_usage(&cmd_import_def, "unknown option '%s'", a);
    }
    if (npaths == 0)
        die_usage(&cmd_import_def, "nothing to import: give files, folders or archives");
    if (db && !*db)
        die_usage(&cmd_import_def, "--db needs a path");

    char dbbuf[4096];
    if (!db) {
        if (!pl_store_default_path(dbbuf, sizeof dbbuf)) {
            error_msg("no store: set PLIANT_DB or HOME, or give --db PATH");
            free(paths);
            return EXIT_NOTHING;
        }
        db = dbbuf;
    }
    struct pl_diag d;
    pl_diag_clear(&d);
    struct pl_store *s = NULL;
    if (pl_store_open(&s, db, &d) != PL_OK) {
        error_msg("cannot open the store: %s", d.msg);
        free(paths);
        return EXIT_NOTHING;
    }

    /* Training plans as iCalendar files are the planner's (cmd-plan.c). */
    int ics_status = import_calendars(s, paths, &npaths, c.json);
    if (npaths == 0) {
        pl_store_close(s);
        free(paths);
        return ics_status;
    }

    c.bar = !quiet && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    c.last_draw = c.t0;
    struct pl_import_handler h = { &c, on_file, on_progress };
    struct pl_import_summary sum;
    int rc = pl_import_paths(s, paths, npaths, &h, strict ? PL_FIT_STRICT : 0, &sum, &d);
    double secs = since(&c.t0);
    clear_bar(&c);
    pl_store_close(s);

    if (rc)
        error_msg("import stopped: %s", d.msg);
    if (c.json)
        print_json(&c, &sum, rc ? d.msg : NULL);
    else
        print_text(&c, &sum, secs);
    free_list(&c.skipped);
    free_list(&c.failed);
    free_list(&c.warned);
    free(paths);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write the summary: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    if (rc)
        return EXIT_NOTHING;
    return sum.failed || ics_status ? EXIT_PARTIAL : 0;
}
