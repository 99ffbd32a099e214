/*
 * cmd-show.c - `pliant show ID`: one stored activity, its laps and what
 * its streams hold.
 *
 * Reads the activity with pl_store_get and its training load with
 * pl_metrics_get, and prints them for a person or as one JSON object.
 * Computes nothing the library does not give, beyond pace and the count of
 * samples each stream has.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cmd cmd_show_def = {
    "show", cmd_show, "show one activity with its laps",
    "usage: pliant show ID [--json] [--db PATH]\n"
    "\n"
    "Show a stored activity (its ID is in 'pliant activities'): when and\n"
    "where in time it started, its totals, its training load and the scores\n"
    "beside it, the device and source file, its laps, and which sample\n"
    "streams it has.\n"
    "\n"
    "Options:\n"
    "  --json      one JSON object: the fields of 'pliant activities --json',\n"
    "              then \"laps\" (an array) and \"streams\" (the number of\n"
    "              samples, the average interval, and per stream how many\n"
    "              samples have a value), then \"metrics\": the training load\n"
    "              and how it was scored (load, load_source, trimp,\n"
    "              trimp_edwards, hrss, rtss, intensity_factor, ngp_mps,\n"
    "              zones_s, ..., flags, reasons)\n"
    "  --db PATH   the store (default: $PLIANT_DB, else\n"
    "              $XDG_DATA_HOME/pliant/pliant.db)\n"
    "\n"
    "Example:\n"
    "  pliant show 12\n",
};

/* The streams of an activity, in the order shown. */
static const struct {
    const char *name;       /* JSON key */
    const char *label;      /* for a person */
    size_t off;
} streams[] = {
    { "time", "time", offsetof(struct pl_activity, t_s) },
    { "heart_rate", "heart rate", offsetof(struct pl_activity, hr_bpm) },
    { "speed", "speed", offsetof(struct pl_activity, speed_mps) },
    { "distance", "distance", offsetof(struct pl_activity, dist_m_s) },
    { "altitude", "altitude", offsetof(struct pl_activity, alt_m) },
    { "latitude", "latitude", offsetof(struct pl_activity, lat_deg) },
    { "longitude", "longitude", offsetof(struct pl_activity, lon_deg) },
    { "cadence", "cadence", offsetof(struct pl_activity, cadence_spm) },
    { "power", "power", offsetof(struct pl_activity, power_w) },
    { "temperature", "temperature", offsetof(struct pl_activity, temp_c) },
};

static const double *stream_at(const struct pl_activity *a, size_t i)
{
    const double *const *p = (const double *const *)((const char *)a + streams[i].off);
    return *p;
}

/* Samples of a stream that have a value. */
static size_t present(const double *x, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !isnan(x[i]);
    return k;
}

/* Average time between samples; NaN with fewer than two. */
static double interval_s(const struct pl_activity *a)
{
    if (a->n < 2 || !a->t_s)
        return NAN;
    return (a->t_s[a->n - 1] - a->t_s[0]) / (double)(a->n - 1);
}

/* Running, walking and hiking are shown with a pace; other sports with a
 * speed. FIT profile "sport": running 1, walking 11, hiking 17. */
static bool uses_pace(uint8_t sport)
{
    return sport == 1 || sport == 11 || sport == 17;
}

static void format_pace(char *buf, size_t n, double dist_m, double time_s, uint8_t sport)
{
    if (!isfinite(dist_m) || !isfinite(time_s) || dist_m < 1 || time_s <= 0) {
        snprintf(buf, n, "-");
        return;
    }
    if (uses_pace(sport)) {
        char d[24];
        format_duration(d, sizeof d, time_s / (dist_m / 1000), true);
        snprintf(buf, n, "%s /km", d);
    } else {
        snprintf(buf, n, "%.1f km/h", dist_m / time_s * 3.6);
    }
}

/* The activity flags of struct pl_metrics, by name. */
static const struct {
    unsigned bit;
    const char *name;
} act_flags[] = {
    { PL_ACT_HARD, "hard" },
    { PL_ACT_RACE, "race" },
    { PL_ACT_EVENING, "evening" },
    { PL_ACT_LONG, "long" },
};

struct reason_out {
    FILE *f;
    bool first;
};

static void reason_json(void *ctx, const char *p, size_t k)
{
    struct reason_out *r = ctx;
    if (!r->first)
        fputs(", ", r->f);
    r->first = false;
    json_str(r->f, p, k);
}

static void reason_text(void *ctx, const char *p, size_t k)
{
    struct reason_out *r = ctx;
    printf("  %-12s %.*s\n", r->first ? "flags" : "", (int)k, p);
    r->first = false;
}

/* "metrics": {...}, the load model's numbers for the activity (NaN as
 * null), or null when they could not be computed. */
static void print_metrics_json(FILE *f, const struct pl_metrics *m)
{
    fputs(", \"metrics\": ", f);
    if (!m) {
        fputs("null", f);
        return;
    }
    const struct {
        const char *name;
        double v;
        int decimals;
    } nums[] = {
        { "load", m->load, 2 },
        { "trimp", m->trimp, 2 },
        { "trimp_edwards", m->trimp_edwards, 2 },
        { "hrss", m->hrss, 2 },
        { "rtss", m->rtss, 2 },
        { "intensity_factor", m->intensity_factor, 3 },
        { "if_hr", m->if_hr, 3 },
        { "ngp_mps", m->ngp_mps, 3 },
        { "moving_s", m->moving_s, 1 },
        { "hr_s", m->hr_s, 1 },
        { "above_threshold_s", m->above_threshold_s, 1 },
        { "rpe", m->rpe, 1 },
        { "session_rpe", m->session_rpe, 1 },
        { "training_effect", m->training_effect, 1 },
        { "anaerobic_training_effect", m->anaerobic_training_effect, 1 },
        { "hr_peak5_bpm", m->hr_peak5_bpm, 1 },
        { "hr_best20_bpm", m->hr_best20_bpm, 1 },
    };
    const char *src = pl_load_source_name(m->load_source);
    fputs("{\"load_source\": ", f);
    json_cstr(f, src);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        fprintf(f, ", \"%s\": ", nums[i].name);
        json_num(f, nums[i].v, nums[i].decimals);
    }
    fprintf(f, ", \"trimp_from_avg\": %s, \"zones_s\": [", m->trimp_from_avg ? "true" : "false");
    for (int z = 0; z < PL_ZONES; z++) {
        if (z)
            fputs(", ", f);
        json_num(f, m->zones_s[z], 1);
    }
    fputs("], \"flags\": [", f);
    bool first = true;
    for (size_t i = 0; i < sizeof act_flags / sizeof act_flags[0]; i++) {
        if (!(m->flags & act_flags[i].bit))
            continue;
        fprintf(f, "%s\"%s\"", first ? "" : ", ", act_flags[i].name);
        first = false;
    }
    fputs("], \"reasons\": [", f);
    struct reason_out r = { f, true };
    size_t rn = strnlen(m->reasons, sizeof m->reasons);
    if (rn)
        pl_reasons_each(m->reasons, rn, reason_json, &r);
    fputs("]}", f);
}

/* The load model's numbers for a person: the load and how it was scored,
 * the other scores beside it, time in zones, and the flags with their
 * reasons. */
static void print_metrics_text(const struct pl_metrics *m)
{
    const char *how = "";
    switch (m->load_source) {
    case PL_LOAD_HRSS: how = "from heart rate (HRSS)"; break;
    case PL_LOAD_RTSS: how = "from graded pace (rTSS)"; break;
    case PL_LOAD_RPE: how = "from rated effort (session RPE)"; break;
    case PL_LOAD_DURATION: how = "from duration only: no heart rate, pace or effort"; break;
    default: how = "nothing to score"; break;
    }
    printf("  load         %.0f, %s\n", isfinite(m->load) ? m->load : 0.0, how);
    char scores[256];
    int k = 0;
    const struct {
        const char *label;
        double v;
        const char *fmt;
    } parts[] = {
        { "TRIMP", m->trimp, "%s %.0f" },        { "Edwards", m->trimp_edwards, "%s %.0f" },
        { "HRSS", m->hrss, "%s %.0f" },          { "rTSS", m->rtss, "%s %.0f" },
        { "IF", m->intensity_factor, "%s %.2f" },
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!isfinite(parts[i].v) || k < 0 || (size_t)k >= sizeof scores)
            continue;
        if (k)
            k += snprintf(scores + k, sizeof scores - (size_t)k, ", ");
        if ((size_t)k < sizeof scores)
            k += snprintf(scores + k, sizeof scores - (size_t)k, parts[i].fmt, parts[i].label,
                          parts[i].v);
    }
    if (k > 0)
        printf("  scores       %s%s\n", scores, m->trimp_from_avg ? " (TRIMP from the average heart rate)" : "");
    if (isfinite(m->ngp_mps) && m->ngp_mps > 0) {
        char pace[24];
        format_duration(pace, sizeof pace, 1000 / m->ngp_mps, true);
        printf("  graded pace  %s /km (normalised)\n", pace);
    }
    double zsum = 0;
    for (int z = 0; z < PL_ZONES; z++)
        zsum += isfinite(m->zones_s[z]) ? m->zones_s[z] : 0;
    if (zsum > 0) {
        printf("  HR zones    ");
        for (int z = 0; z < PL_ZONES; z++) {
            char t[24];
            format_duration(t, sizeof t, isfinite(m->zones_s[z]) ? m->zones_s[z] : 0, true);
            printf(" Z%d %s", z + 1, t);
        }
        printf(" (of LTHR: <85, 85-89, 90-94, 95-99, 100%%+)\n");
    }
    if (isfinite(m->above_threshold_s) && m->above_threshold_s > 0) {
        char t[24];
        format_duration(t, sizeof t, m->above_threshold_s, true);
        printf("  threshold    %s above\n", t);
    }
    struct reason_out r = { stdout, true };
    size_t rn = strnlen(m->reasons, sizeof m->reasons);
    if (rn)
        pl_reasons_each(m->reasons, rn, reason_text, &r);
}

static void print_json(const struct pl_activity *a, const struct pl_metrics *m)
{
    FILE *f = stdout;
    fputc('{', f);
    json_activity_fields(f, a);
    /* As 'pliant activities --json' has them; the details are in
     * "metrics". */
    fputs(", \"load\": ", f);
    json_num(f, m ? m->load : NAN, 2);
    fputs(", \"load_source\": ", f);
    if (m)
        fprintf(f, "\"%s\"", pl_load_source_name(m->load_source));
    else
        fputs("null", f);
    fputs(", \"laps\": [", f);
    for (size_t i = 0; i < a->nlaps; i++) {
        const struct pl_lap *l = &a->laps[i];
        char start[40];
        format_time(start, sizeof start, l->start_s, 0, false);
        fprintf(f, "%s{\"start\": \"%s\", \"duration_s\": ", i ? ", " : "", start);
        json_num(f, l->duration_s, 3);
        fputs(", \"moving_s\": ", f);
        json_num(f, l->moving_s, 3);
        fputs(", \"distance_m\": ", f);
        json_num(f, l->dist_m, 2);
        fputs(", \"hr_avg\": ", f);
        json_num(f, l->hr_avg_bpm, 1);
        fputs(", \"hr_max\": ", f);
        json_num(f, l->hr_max_bpm, 1);
        fputs(", \"ascent_m\": ", f);
        json_num(f, l->ascent_m, 2);
        fputs(", \"descent_m\": ", f);
        json_num(f, l->descent_m, 2);
        fputc('}', f);
    }
    fprintf(f, "], \"streams\": {\"samples\": %zu, \"interval_s\": ", a->n);
    json_num(f, interval_s(a), 3);
    fputs(", \"present\": {", f);
    bool first = true;
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        const double *x = stream_at(a, i);
        if (!x)
            continue;
        fprintf(f, "%s\"%s\": %zu", first ? "" : ", ", streams[i].name, present(x, a->n));
        first = false;
    }
    fputs("}}", f);
    print_metrics_json(f, m);
    fputs("}\n", f);
}

static void print_text(const struct pl_activity *a, const struct pl_metrics *m)
{
    char when[40], buf[64], buf2[64];
    format_time(when, sizeof when, a->start_s, a->utc_offset_s, true);
    int32_t off = a->utc_offset_s < 0 ? -a->utc_offset_s : a->utc_offset_s;
    printf("activity %lld: %s, %.10s %.5s (UTC%c%02d:%02d%s)\n", (long long)a->id,
           pl_sport_name(a->sport), when, when + 11, a->utc_offset_s < 0 ? '-' : '+',
           (int)(off / 3600), (int)(off / 60 % 60), a->utc_offset_known ? "" : ", guessed");
    if (a->name[0])
        printf("  name         %s\n", a->name);
    if (a->description[0]) {
        /* One line per line of the description, indented. */
        const char *p = a->description;
        const char *label = "description";
        while (*p) {
            size_t n = strcspn(p, "\n");
            printf("  %-12s %.*s\n", label, (int)n, p);
            label = "";
            p += n + (p[n] == '\n');
        }
    }
    format_duration(buf, sizeof buf, a->duration_s, false);
    format_duration(buf2, sizeof buf2, a->moving_s, false);
    printf("  time         %s (moving %s)\n", buf, buf2);
    if (isfinite(a->dist_m)) {
        format_pace(buf, sizeof buf, a->dist_m,
                    isfinite(a->moving_s) ? a->moving_s : a->duration_s, a->sport);
        printf("  distance     %.2f km, %s\n", a->dist_m / 1000, buf);
    }
    if (isfinite(a->ascent_m))
        printf("  climb        %.0f m up, %.0f m down\n", a->ascent_m,
               isfinite(a->descent_m) ? a->descent_m : 0.0);
    if (isfinite(a->hr_avg_bpm))
        printf("  heart rate   %.0f avg, %.0f max bpm\n", a->hr_avg_bpm, a->hr_max_bpm);
    if (isfinite(a->cadence_avg_spm))
        printf("  cadence      %.0f per minute\n", a->cadence_avg_spm);
    if (isfinite(a->power_avg_w))
        printf("  power        %.0f W avg\n", a->power_avg_w);
    if (isfinite(a->training_effect))
        printf("  effect       %.1f aerobic, %.1f anaerobic (device)\n", a->training_effect,
               a->anaerobic_training_effect);
    if (isfinite(a->rpe))
        printf("  effort       %.0f of 10 (RPE)\n", a->rpe);
    if (m)
        print_metrics_text(m);
    if (a->device[0])
        printf("  device       %s\n", a->device);
    static const char *const kinds[] = { "", "FIT", "GPX", "TCX" };
    printf("  source       %s (%s, sha256 ", a->source_path,
           a->source_kind < 4 ? kinds[a->source_kind] : "?");
    for (int i = 0; i < 4; i++)
        printf("%02x", a->source_sha256[i]);
    printf("...)\n");
    if (a->n) {
        double dt = interval_s(a);
        printf("  streams      %zu samples", a->n);
        if (isfinite(dt))
            printf(", every %.3g s", dt);
        const char *sep = ": ";
        for (size_t i = 1; i < sizeof streams / sizeof streams[0]; i++) {
            const double *x = stream_at(a, i);
            if (!x)
                continue;
            size_t k = present(x, a->n);
            if (k == a->n)
                printf("%s%s", sep, streams[i].label);
            else
                printf("%s%s (%zu)", sep, streams[i].label, k);
            sep = ", ";
        }
        putchar('\n');
    } else {
        printf("  streams      none\n");
    }
    if (!a->nlaps)
        return;
    printf("\n  %3s  %-8s %8s %9s %10s %7s %6s\n", "LAP", "START", "TIME", "DISTANCE",
           uses_pace(a->sport) ? "PACE" : "SPEED", "HR", "ASCENT");
    for (size_t i = 0; i < a->nlaps; i++) {
        const struct pl_lap *l = &a->laps[i];
        char start[40], dur[24], dist[24], pace[32], hr[24], asc[24];
        format_time(start, sizeof start, l->start_s, a->utc_offset_s, true);
        format_duration(dur, sizeof dur, l->duration_s, true);
        if (isfinite(l->dist_m))
            snprintf(dist, sizeof dist, "%.2f km", l->dist_m / 1000);
        else
            snprintf(dist, sizeof dist, "-");
        format_pace(pace, sizeof pace, l->dist_m,
                    isfinite(l->moving_s) ? l->moving_s : l->duration_s, a->sport);
        if (isfinite(l->hr_avg_bpm) && isfinite(l->hr_max_bpm))
            snprintf(hr, sizeof hr, "%.0f/%.0f", l->hr_avg_bpm, l->hr_max_bpm);
        else
            snprintf(hr, sizeof hr, "-");
        if (isfinite(l->ascent_m))
            snprintf(asc, sizeof asc, "%.0f m", l->ascent_m);
        else
            snprintf(asc, sizeof asc, "-");
        printf("  %3zu  %.8s %8s %9s %10s %7s %6s\n", i + 1, start + 11, dur, dist, pace, hr,
               asc);
    }
}

int cmd_show(int argc, char **argv)
{
    const char *db = NULL, *id_arg = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc || !*argv[i + 1])
                die_usage(&cmd_show_def, "option '--db' needs a value");
            db = argv[++i];
        } else if (strncmp(a, "--db=", 5) == 0) {
            if (!a[5])
                die_usage(&cmd_show_def, "--db needs a path");
            db = a + 5;
        } else if (a[0] == '-' && a[1] != '\0') {
            die_usage(&cmd_show_def, "unknown argument '%s'", a);
        } else if (!id_arg) {
            id_arg = a;
        } else {
            die_usage(&cmd_show_def, "one activity ID at a time, not '%s' too", a);
        }
    }
    if (!id_arg)
        die_usage(&cmd_show_def, "which activity? give its ID (see 'pliant activities')");
    char *end;
    errno = 0;
    long long id = strtoll(id_arg, &end, 10);
    if (*id_arg < '0' || *id_arg > '9' || *end || errno || id <= 0)
        die_usage(&cmd_show_def, "an activity ID is a whole number above 0, not '%s'", id_arg);

    struct pl_store *s;
    int rc = open_store_for_reading(db, &s);
    if (rc)
        return rc;
    struct pl_activity a;
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_store_get(s, id, &a, &d);
    if (rc) {
        pl_store_close(s);
        error_msg("%s", d.msg);
        return EXIT_NOTHING;
    }
    /* The load model's numbers: the activity is shown without them (and
     * a warning says why) when they cannot be computed. */
    struct pl_metrics m;
    pl_diag_clear(&d);
    bool have_metrics = pl_metrics_get(s, id, &m, &d) == PL_OK;
    if (!have_metrics)
        warning_msg("no training load for activity %lld: %s", id, d.msg);
    pl_store_close(s);
    if (json)
        print_json(&a, have_metrics ? &m : NULL);
    else
        print_text(&a, have_metrics ? &m : NULL);
    pl_activity_release(&a);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    return 0;
}
