/*
 * cmd-simulate.c - `pliant simulate`: write a made-up training history.
 *
 * Parses the options, asks the library to plan and write the files, and
 * prints a summary. The model lives in lib/sim/simulate.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

const struct cmd cmd_simulate_def = {
    "simulate", cmd_simulate, "write a made-up training history as FIT files",
    "usage: pliant simulate --weeks N --out DIR [--pattern P] [--seed S] [--start DATE]\n"
    "                       [--json]\n"
    "   or: pliant simulate --hours H --out DIR [--seed S] [--start DATE] [--json]\n"
    "   or: pliant simulate --weeks N --strava-export FILE [--out DIR] [--seed S] ...\n"
    "\n"
    "Write a made-up runner's training as FIT activity files, to try pliant\n"
    "on and to test it. The same options always give the same bytes.\n"
    "\n"
    "The weeks follow a club runner's pattern: Monday rest, intervals on\n"
    "Tuesday and tempo on Thursday evenings, easy runs in the mornings, a long\n"
    "run on Sunday, and every fourth week lighter (--pattern daily: a run\n"
    "every day of about an hour instead). Near the end the runner\n"
    "travels from Lisbon to Madrid (500 km, one hour ahead) and races a half\n"
    "marathon there. Records are 1 Hz with GPS, elevation, heart rate and\n"
    "cadence; heart rate follows pace, hills and fatigue.\n"
    "\n"
    "Beside the files, DIR/truth.json lists what was planted: each file's\n"
    "kind (easy, intervals, tempo, long, race), local start, UTC offset and\n"
    "whether it is an evening run, and the trips and the race.\n"
    "\n"
    "Options:\n"
    "  --weeks N      weeks of history, 1 to 520\n"
    "  --pattern P    club (the default: six runs a week of 20 minutes to two\n"
    "                 hours) or daily (a run every day of about an hour,\n"
    "                 as the import benchmark's decade)\n"
    "  --hours H      instead, one continuous easy run of H hours (a decimal,\n"
    "                 up to 48): a large file for benchmarks; 24 makes 86400\n"
    "                 records\n"
    "  --out DIR      where to write (created when missing; files of the same\n"
    "                 name are replaced, others are left alone)\n"
    "  --strava-export FILE\n"
    "                 also (or instead of --out) write the history as Strava's bulk\n"
    "                 export packs it: a zip of activities/<id>.fit.gz and\n"
    "                 activities.csv with names, types and descriptions\n"
    "  --seed S       a whole number (default 1): another seed, another history\n"
    "  --start DATE   first day, YYYY-MM-DD (default 2026-01-05, a Monday; fixed\n"
    "                 so that runs are reproducible)\n"
    "  --json         print the summary as JSON\n"
    "\n"
    "Files are named by local start and kind: 2026-01-06-1822-intervals.fit.\n"
    "\n"
    "Examples:\n"
    "  pliant simulate --weeks 12 --out runs\n"
    "  pliant simulate --weeks 52 --seed 7 --start 2025-01-06 --out year\n"
    "  pliant simulate --hours 24 --out big\n"
    "  pliant simulate --weeks 12 --strava-export export.zip\n"
    "  pliant simulate --weeks 520 --pattern daily --strava-export decade.zip\n",
};

struct sim_args {
    struct pl_sim_options opt;
    const char *out;
    const char *strava;   /* --strava-export */
    bool json, have_weeks, have_hours, have_pattern;
};

static unsigned long long parse_ull(const char *s, const char *name, unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || v > max)
        die_usage(&cmd_simulate_def, "%s must be a whole number from 0 to %llu, not '%s'",
                  name, max, s);
    return v;
}

static int32_t parse_date(const char *s)
{
    int y, m, d, used = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || s[used] != '\0' ||
        strlen(s) != 10)
        die_usage(&cmd_simulate_def, "--start wants a date as YYYY-MM-DD, not '%s'", s);
    struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
    time_t t = timegm(&tm);
    if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
        die_usage(&cmd_simulate_def, "--start: '%s' is not a calendar date", s);
    return (int32_t)(t / 86400);
}

static void parse_args(int argc, char **argv, struct sim_args *a)
{
    memset(a, 0, sizeof *a);
    pl_sim_options_init(&a->opt);
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--weeks"))) {
            a->opt.weeks = (uint32_t)parse_ull(v, "--weeks", PL_SIM_WEEKS_MAX);
            a->have_weeks = true;
        } else if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--hours"))) {
            char *end;
            double h = strtod(v, &end);
            if (end == v || *end || !(h * 3600 >= 60 && h * 3600 <= PL_SIM_SINGLE_S_MAX))
                die_usage(&cmd_simulate_def, "--hours must be from 1/60 to %d, not '%s'",
                          PL_SIM_SINGLE_S_MAX / 3600, v);
            a->opt.single_s = (uint32_t)(h * 3600 + 0.5);
            a->have_hours = true;
        } else if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--pattern"))) {
            if (strcmp(v, "club") == 0)
                a->opt.pattern = PL_SIM_CLUB;
            else if (strcmp(v, "daily") == 0)
                a->opt.pattern = PL_SIM_DAILY;
            else
                die_usage(&cmd_simulate_def, "--pattern is club or daily, not '%s'", v);
            a->have_pattern = true;
        } else if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--out"))) {
            a->out = v;
        } else if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--strava-export"))) {
            if (!*v)
                die_usage(&cmd_simulate_def, "--strava-export needs a file name");
            a->strava = v;
        } else if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--seed"))) {
            a->opt.seed = parse_ull(v, "--seed", UINT64_MAX);
        } else if ((v = opt_value(&cmd_simulate_def, argc, argv, &i, "--start"))) {
            a->opt.start_day = parse_date(v);
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = true;
        } else {
            die_usage(&cmd_simulate_def, "unknown argument '%s'", argv[i]);
        }
    }
    if (a->out && !*a->out)
        a->out = NULL;
    if (!a->out && !a->strava)
        die_usage(&cmd_simulate_def, "--out DIR is required (or --strava-export FILE)");
    if (a->have_weeks == a->have_hours)
        die_usage(&cmd_simulate_def, "give either --weeks N or --hours H");
    if (a->have_weeks && a->opt.weeks == 0)
        die_usage(&cmd_simulate_def, "--weeks must be at least 1");
    if (a->have_hours && a->have_pattern)
        die_usage(&cmd_simulate_def, "--pattern shapes weeks: it goes with --weeks, not --hours");
}

/* mkdir -p: create dir and its missing parents. */
static int make_dirs(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -1;
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                rc = -1;
            if (!end)
                *s = '/';
        }
        if (end)
            break;
    }
    struct stat st;
    if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = -1;
    free(p);
    return rc;
}

static void format_day(int32_t day, char out[11])
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

struct sums {
    double km, hours;
};

static struct sums sum_up(const struct pl_sim *s)
{
    struct sums t = { 0, 0 };
    for (size_t i = 0; i < pl_sim_count(s); i++) {
        t.km += pl_sim_activity(s, i)->dist_m / 1000;
        t.hours += pl_sim_activity(s, i)->timer_s / 3600;
    }
    return t;
}

static void print_text(const struct pl_sim *s, const char *out, const char *strava)
{
    struct sums t = sum_up(s);
    char day[11];
    size_t n = pl_sim_count(s);
    printf("wrote %zu %s to %s (%.1f km, %.1f h of running)\n", n,
           n == 1 ? "activity" : "activities", out ? out : strava, t.km, t.hours);
    for (size_t i = 0; i < pl_sim_race_count(s); i++) {
        const struct pl_sim_race *r = pl_sim_race(s, i);
        format_day(r->day, day);
        printf("race: %s, %s, %.1f km (%s)\n", day, r->name, r->dist_m / 1000,
               pl_sim_activity(s, r->activity)->file);
    }
    for (size_t i = 0; i < pl_sim_trip_count(s); i++) {
        const struct pl_sim_trip *tr = pl_sim_trip(s, i);
        format_day(tr->day, day);
        printf("trip: %s, %s to %s, %.0f km\n", day, tr->from, tr->to, tr->dist_km);
    }
    if (out)
        printf("truth: %s/truth.json\n", out);
    if (strava)
        printf("strava export: %s\n", strava);
}

static void print_json(const struct pl_sim *s, const char *out, const char *strava)
{
    struct sums t = sum_up(s);
    char day[11];
    printf("{\"out\": ");
    if (out)
        json_cstr(stdout, out);
    else
        printf("null");
    if (strava) {
        printf(", \"strava_export\": ");
        json_cstr(stdout, strava);
    }
    printf(", \"activities\": %zu, \"distance_km\": %.2f, \"hours\": %.2f, \"races\": [",
           pl_sim_count(s), t.km, t.hours);
    for (size_t i = 0; i < pl_sim_race_count(s); i++) {
        const struct pl_sim_race *r = pl_sim_race(s, i);
        format_day(r->day, day);
        printf("%s{\"date\": \"%s\", \"name\": \"%s\", \"place\": \"%s\", "
               "\"distance_m\": %.1f, \"file\": \"%s\"}",
               i ? ", " : "", day, r->name, r->place, r->dist_m,
               pl_sim_activity(s, r->activity)->file);
    }
    printf("], \"trips\": [");
    for (size_t i = 0; i < pl_sim_trip_count(s); i++) {
        const struct pl_sim_trip *tr = pl_sim_trip(s, i);
        format_day(tr->day, day);
        printf("%s{\"day\": \"%s\", \"from\": \"%s\", \"to\": \"%s\", \"distance_km\": %.1f}",
               i ? ", " : "", day, tr->from, tr->to, tr->dist_km);
    }
    printf("], \"truth\": ");
    size_t n = out ? strlen(out) + sizeof "/truth.json" : 0;
    char *truth = out ? malloc(n) : NULL;
    if (!out)
        printf("null");
    if (truth) {
        snprintf(truth, n, "%s/truth.json", out);
        json_cstr(stdout, truth);
        free(truth);
    }
    printf("}\n");
}

int cmd_simulate(int argc, char **argv)
{
    struct sim_args a;
    parse_args(argc, argv, &a);
    struct pl_diag d;
    pl_diag_clear(&d);
    struct pl_sim *s;
    if (pl_sim_plan(&a.opt, &s, &d) != PL_OK)
        die_usage(&cmd_simulate_def, "%s", d.msg);
    if (a.out && make_dirs(a.out) != 0) {
        error_msg("cannot create directory '%s': %s", a.out, strerror(errno));
        pl_sim_free(s);
        return EXIT_NOTHING;
    }
    int rc = a.out ? pl_sim_write_dir(s, a.out, &d) : PL_OK;
    if (rc == PL_OK && a.strava)
        rc = pl_sim_write_strava_zip(s, a.strava, &d);
    if (rc != PL_OK) {
        error_msg("%s", d.msg);
        pl_sim_free(s);
        return EXIT_NOTHING;
    }
    if (a.json)
        print_json(s, a.out, a.strava);
    else
        print_text(s, a.out, a.strava);
    pl_sim_free(s);
    return 0;
}
