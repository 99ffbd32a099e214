/*
 * cmd-activities.c - `pliant activities`: list what the store holds.
 *
 * Parses the filters, asks the store for matching activities (oldest
 * first) and prints them as a table or as a JSON array. Also home to what
 * the commands that read the store share (cli.h): opening it without
 * creating it, and an activity's summary as JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

const struct cmd cmd_activities_def = {
    "activities", cmd_activities, "list the activities in the store",
    "usage: pliant activities [--since DATE] [--until DATE] [--sport S] [--json]\n"
    "                         [--db PATH]\n"
    "\n"
    "List the stored activities, oldest first: local date and start time,\n"
    "sport, elapsed time, distance, ascent, average and maximum heart rate,\n"
    "training load (see 'pliant load'), and the name (or the source file\n"
    "when there is none).\n"
    "\n"
    "Options:\n"
    "  --since DATE   only activities on or after DATE (YYYY-MM-DD), a day\n"
    "                 in the activity's own local time; or an instant in UTC,\n"
    "                 YYYY-MM-DDTHH:MM:SSZ\n"
    "  --until DATE   only activities on or before DATE (the whole day); or\n"
    "                 before an instant YYYY-MM-DDTHH:MM:SSZ\n"
    "  --sport S      only this sport: running, cycling, walking, hiking...\n"
    "                 (the spellings of FIT, GPX, TCX and Strava)\n"
    "  --json         a JSON array, one object per activity: id, sport,\n"
    "                 start (ISO 8601, UTC), start_local, utc_offset_s,\n"
    "                 duration_s, moving_s, distance_m, ascent_m, descent_m,\n"
    "                 hr_avg, hr_max, cadence_avg, power_avg, device, name,\n"
    "                 source, source_kind, laps (a count), load and\n"
    "                 load_source (see 'pliant show')...; unknown numbers\n"
    "                 are null\n"
    "  --db PATH      the store (default: $PLIANT_DB, else\n"
    "                 $XDG_DATA_HOME/pliant/pliant.db)\n"
    "\n"
    "A store that does not exist is not created: fill it with 'pliant import'.\n"
    "\n"
    "Examples:\n"
    "  pliant activities --since 2026-01-01 --sport running\n"
    "  pliant activities --json | jq '.[] | select(.distance_m > 20000)'\n",
};


static void days_to_civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
    /* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
     * civil_from_days: exact over the whole int64 range we accept. */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

void format_time(char *buf, size_t n, int64_t utc_s, int32_t offset_s, bool local)
{
    int64_t t = utc_s + (local ? offset_s : 0);
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    int y;
    unsigned m, d;
    days_to_civil(days, &y, &m, &d);
    int hh = (int)(sec / 3600), mm = (int)(sec / 60 % 60), ss = (int)(sec % 60);
    if (!local) {
        snprintf(buf, n, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
        return;
    }
    int32_t off = offset_s < 0 ? -offset_s : offset_s;
    snprintf(buf, n, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d, hh, mm, ss,
             offset_s < 0 ? '-' : '+', (int)(off / 3600), (int)(off / 60 % 60));
}

void format_duration(char *buf, size_t n, double s, bool short_form)
{
    if (!isfinite(s) || s < 0 || s > 1e9) {
        snprintf(buf, n, "-");
        return;
    }
    long t = lround(s);
    if (short_form && t < 3600)
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static const char *source_kind_name(int kind)
{
    return kind == PL_SRC_FIT ? "fit" : kind == PL_SRC_GPX ? "gpx" : kind == PL_SRC_TCX ? "tcx" : "";
}

static void json_text(FILE *f, const char *s, size_t cap)
{
    json_str(f, s, strnlen(s, cap));
}

void json_activity_fields(FILE *f, const struct pl_activity *a)
{
    char start[40], local[40], hex[65];
    format_time(start, sizeof start, a->start_s, a->utc_offset_s, false);
    format_time(local, sizeof local, a->start_s, a->utc_offset_s, true);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", a->source_sha256[i]);
    fprintf(f, "\"id\": %lld, \"sport\": ", (long long)a->id);
    json_cstr(f, pl_sport_name(a->sport));
    fprintf(f, ", \"sub_sport\": %u, \"start\": \"%s\", \"start_local\": \"%s\", "
               "\"utc_offset_s\": %d, \"utc_offset_known\": %s",
            a->sub_sport, start, local, (int)a->utc_offset_s,
            a->utc_offset_known ? "true" : "false");
    const struct {
        const char *name;
        double v;
        int decimals;
    } nums[] = {
        { "duration_s", a->duration_s, 3 },   { "moving_s", a->moving_s, 3 },
        { "distance_m", a->dist_m, 2 },       { "ascent_m", a->ascent_m, 2 },
        { "descent_m", a->descent_m, 2 },     { "hr_avg", a->hr_avg_bpm, 1 },
        { "hr_max", a->hr_max_bpm, 1 },       { "cadence_avg", a->cadence_avg_spm, 1 },
        { "power_avg", a->power_avg_w, 1 },   { "training_effect", a->training_effect, 1 },
        { "anaerobic_training_effect", a->anaerobic_training_effect, 1 },
        { "rpe", a->rpe, 1 },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        fprintf(f, ", \"%s\": ", nums[i].name);
        json_num(f, nums[i].v, nums[i].decimals);
    }
    fputs(", \"device\": ", f);
    json_text(f, a->device, sizeof a->device);
    fputs(", \"name\": ", f);
    json_text(f, a->name, sizeof a->name);
    fputs(", \"description\": ", f);
    json_text(f, a->description, sizeof a->description);
    fputs(", \"source\": ", f);
    json_text(f, a->source_path, sizeof a->source_path);
    fprintf(f, ", \"source_kind\": \"%s\", \"source_sha256\": \"%s\"",
            source_kind_name(a->source_kind), hex);
}

/* ------------------------------------------------------------------ */
/* The command                                                          */

struct list_args {
    const char *db;
    bool json;
    int sport;
    /* Bounds: a local day (compared with the activity's local start) or a
     * UTC instant; INT64_MIN / INT64_MAX when open. */
    int64_t since_s, until_s;
    bool since_local, until_local;
};

/* "YYYY-MM-DD" (local: the start of that day, as seconds of local time) or
 * "YYYY-MM-DDTHH:MM:SSZ" (a UTC instant). */
static int64_t parse_when(const char *s, const char *opt, bool *local)
{
    int y, mo, d, h = 0, mi = 0, se = 0, used = 0;
    size_t len = strlen(s);
    if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3 && used == 10) {
        *local = true;
    } else if (len == 20 && sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se,
                                   &used) == 6 && used == 20) {
        *local = false;
    } else {
        die_usage(&cmd_activities_def,
                  "%s wants a date YYYY-MM-DD or an instant YYYY-MM-DDTHH:MM:SSZ, not '%s'", opt,
                  s);
    }
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                     .tm_hour = h, .tm_min = mi, .tm_sec = se };
    time_t t = timegm(&tm);
    if (tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != d || tm.tm_hour != h ||
        tm.tm_min != mi || tm.tm_sec != se)
        die_usage(&cmd_activities_def, "%s: '%s' is not a calendar date and time", opt, s);
    return (int64_t)t;
}

static void parse_args(int argc, char **argv, struct list_args *a)
{
    memset(a, 0, sizeof *a);
    a->sport = -1;
    a->since_s = INT64_MIN;
    a->until_s = INT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(&cmd_activities_def, argc, argv, &i, "--since"))) {
            a->since_s = parse_when(v, "--since", &a->since_local);
        } else if ((v = opt_value(&cmd_activities_def, argc, argv, &i, "--until"))) {
            a->until_s = parse_when(v, "--until", &a->until_local);
            if (a->until_local)
                a->until_s += 86400;      /* through the end of that day */
        } else if ((v = opt_value(&cmd_activities_def, argc, argv, &i, "--sport"))) {
            a->sport = pl_sport_parse(v);
            if (a->sport < 0)
                die_usage(&cmd_activities_def, "unknown sport '%s'", v);
        } else if ((v = opt_value(&cmd_activities_def, argc, argv, &i, "--db"))) {
            if (!*v)
                die_usage(&cmd_activities_def, "--db needs a path");
            a->db = v;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = true;
        } else {
            die_usage(&cmd_activities_def, "unknown argument '%s'", argv[i]);
        }
    }
}

/* Each listed activity's training load, from the load model, looked up by
 * id (sorted). */
struct act_load {
    int64_t id;
    double load;
    uint8_t source;
};

struct loads {
    struct act_load *v;
    size_t n, cap;
    bool ok;                 /* false: the model failed; loads are null */
};

static int on_metrics(void *ctx, const struct pl_metrics *m)
{
    struct loads *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct act_load *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return 1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (struct act_load){ m->activity_id, m->load, m->load_source };
    return 0;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const struct act_load *)a)->id, y = ((const struct act_load *)b)->id;
    return (x > y) - (x < y);
}

static const struct act_load *load_of(const struct loads *l, int64_t id)
{
    struct act_load key = { id, 0, 0 };
    return l->ok && l->n ? bsearch(&key, l->v, l->n, sizeof key, by_id) : NULL;
}

struct lister {
    const struct list_args *args;
    FILE *out;
    unsigned long n;
    double dist_m, time_s;
    const struct loads *loads;
};

/* UTC offsets run from -12:00 to +14:00; a day's local bounds are within
 * this much of its UTC bounds. */
#define OFFSET_MAX_S (15 * 3600)

static bool in_range(const struct list_args *q, const struct pl_activity *a)
{
    int64_t local = a->start_s + a->utc_offset_s;
    if (q->since_s != INT64_MIN && (q->since_local ? local : a->start_s) < q->since_s)
        return false;
    if (q->until_s != INT64_MAX && (q->until_local ? local : a->start_s) >= q->until_s)
        return false;
    return true;
}

static int on_activity(void *ctx, const struct pl_activity *a)
{
    struct lister *l = ctx;
    if (!in_range(l->args, a))
        return 0;
    FILE *f = l->out;
    const struct act_load *ld = load_of(l->loads, a->id);
    if (l->args->json) {
        fputs(l->n ? ",\n{" : "[\n{", f);
        json_activity_fields(f, a);
        fprintf(f, ", \"laps\": %zu, \"load\": ", a->nlaps);
        json_num(f, ld ? ld->load : NAN, 2);
        fputs(", \"load_source\": ", f);
        if (ld)
            fprintf(f, "\"%s\"}", pl_load_source_name(ld->source));
        else
            fputs("null}", f);
    } else {
        if (l->n == 0)
            fprintf(f, "%6s  %-10s %-5s  %-12s %8s %9s %7s  %-7s %4s  %s\n", "ID", "DATE",
                    "START", "SPORT", "TIME", "DISTANCE", "ASCENT", "HR", "LOAD", "NAME");
        char when[40], dur[24], dist[24], asc[24], hr[24];
        format_time(when, sizeof when, a->start_s, a->utc_offset_s, true);
        format_duration(dur, sizeof dur, a->duration_s, false);
        if (isfinite(a->dist_m))
            snprintf(dist, sizeof dist, "%.2f km", a->dist_m / 1000);
        else
            snprintf(dist, sizeof dist, "-");
        if (isfinite(a->ascent_m))
            snprintf(asc, sizeof asc, "%.0f m", a->ascent_m);
        else
            snprintf(asc, sizeof asc, "-");
        if (isfinite(a->hr_avg_bpm) && isfinite(a->hr_max_bpm))
            snprintf(hr, sizeof hr, "%.0f/%.0f", a->hr_avg_bpm, a->hr_max_bpm);
        else if (isfinite(a->hr_avg_bpm))
            snprintf(hr, sizeof hr, "%.0f", a->hr_avg_bpm);
        else
            snprintf(hr, sizeof hr, "-");
        char load[24];
        if (ld && isfinite(ld->load))
            snprintf(load, sizeof load, "%.0f", ld->load);
        else
            snprintf(load, sizeof load, "-");
        const char *name = a->name[0] ? a->name : a->source_path;
        const char *base = a->name[0] ? NULL : strrchr(name, '/');
        fprintf(f, "%6lld  %.10s %.5s  %-12s %8s %9s %7s  %-7s %4s  %s\n", (long long)a->id, when,
                when + 11, pl_sport_name(a->sport), dur, dist, asc, hr, load,
                base ? base + 1 : name);
    }
    l->n++;
    if (isfinite(a->dist_m))
        l->dist_m += a->dist_m;
    if (isfinite(a->duration_s))
        l->time_s += a->duration_s;
    return ferror(f) ? 1 : 0;
}

int cmd_activities(int argc, char **argv)
{
    struct list_args args;
    parse_args(argc, argv, &args);
    struct pl_store *s;
    int rc = open_store_for_reading(args.db, &s);
    if (rc)
        return rc;
    /* Ask the store for a UTC range wide enough for local-day bounds, then
     * keep what is in range by local time. */
    struct pl_store_query q = { INT64_MIN, INT64_MAX, args.sport };
    if (args.since_s != INT64_MIN)
        q.since_s = args.since_s - (args.since_local ? OFFSET_MAX_S : 0);
    if (args.until_s != INT64_MAX)
        q.until_s = args.until_s + (args.until_local ? OFFSET_MAX_S : 0);
    /* The loads first (the model brings the metrics up to date); without
     * them the list is still worth having, with a warning. */
    struct loads loads = { NULL, 0, 0, true };
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_metrics_list(s, q.since_s, q.until_s, on_metrics, &loads, &d);
    if (rc) {
        warning_msg("no training loads: %s", rc == PL_ECANCELED ? "out of memory" : d.msg);
        loads.ok = false;
    } else if (loads.n) {
        qsort(loads.v, loads.n, sizeof *loads.v, by_id);
    }
    struct lister l = { &args, stdout, 0, 0, 0, &loads };
    pl_diag_clear(&d);
    rc = pl_store_list(s, &q, on_activity, &l, &d);
    pl_store_close(s);
    free(loads.v);
    if (rc == PL_ECANCELED) {
        error_msg("cannot write the list: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    if (rc) {
        error_msg("%s", d.msg);
        return EXIT_NOTHING;
    }
    if (args.json) {
        fputs(l.n ? "\n]\n" : "[]\n", stdout);
    } else if (l.n) {
        char total[24];
        format_duration(total, sizeof total, l.time_s, false);
        printf("%lu %s, %.1f km, %s\n", l.n, l.n == 1 ? "activity" : "activities",
               l.dist_m / 1000, total);
    } else {
        printf("no activities%s\n",
               args.since_s != INT64_MIN || args.until_s != INT64_MAX || args.sport >= 0
                   ? " match"
                   : " in the store");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write the list: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    return 0;
}
