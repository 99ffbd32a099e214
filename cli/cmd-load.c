/*
 * cmd-load.c - `pliant load`: the daily training load, fitness, fatigue
 * and form, and the days that matter (hard, race, travel, evening run,
 * recovery needed) with the reasons, as a table, JSON, CSV or an SVG
 * chart; under the table, a chart of the last weeks when the output is a
 * terminal.
 *
 * The model is the library's (pl_load_compute); this file picks the
 * window, formats, and asks the terminal its size and character set for
 * the chart (the library's chart code knows nothing of terminals).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const struct cmd cmd_load_def = {
    "load", cmd_load, "daily training load, fitness, fatigue, form and flagged days",
    "usage: pliant load [--from DATE] [--to DATE] [--json | --csv] [--svg FILE]\n"
    "                   [--no-chart] [--ctl-days N] [--atl-days N] [--db PATH]\n"
    "\n"
    "One line a day: the day's load (training stress: 100 is about an hour at\n"
    "threshold), fitness (CTL), fatigue (ATL) and form (TSB: yesterday's\n"
    "fitness minus fatigue), the acute:chronic workload ratio (information,\n"
    "not a verdict on injury risk), Foster's monotony, and the day's flags\n"
    "with the reason for each: hard, race, travel, evening run, recovery\n"
    "needed. When the output is a terminal, a chart of the last weeks\n"
    "follows the table. 'pliant profile' shows the thresholds the loads\n"
    "come from; docs/internals/load.md has every formula and its source.\n"
    "\n"
    "Options:\n"
    "  --from DATE     first day shown (YYYY-MM-DD or 'today'); default: the\n"
    "                  table shows the last 42 days, --json, --csv and --svg\n"
    "                  the whole history\n"
    "  --to DATE       last day shown (YYYY-MM-DD or 'today'); default the last\n"
    "                  day with an activity or a declared event; a later day\n"
    "                  carries the series on with rest days\n"
    "  --json          one JSON object: \"days\" (each with date, weekday, load,\n"
    "                  ctl, atl, tsb, ramp, acwr, monotony, strain, flags (an\n"
    "                  array of hard, race, travel, evening_run,\n"
    "                  recovery_needed), rest, reasons (an array)), \"trips\",\n"
    "                  \"evening_habit\" and the model's constants\n"
    "  --csv           the days as CSV (RFC 4180) with a header line\n"
    "  --svg FILE      also write the days as an SVG chart to FILE ('-':\n"
    "                  standard output, instead of the table)\n"
    "  --no-chart      no terminal chart under the table\n"
    "  --ctl-days N    fitness time constant in days (default 42)\n"
    "  --atl-days N    fatigue time constant in days (default 7)\n"
    "  --db PATH       the store (default: $PLIANT_DB, else\n"
    "                  $XDG_DATA_HOME/pliant/pliant.db)\n"
    "\n"
    "Examples:\n"
    "  pliant load\n"
    "  pliant load --from 2026-01-01 --svg load.svg\n"
    "  pliant load --json | jq '.days[] | select(.flags | index(\"race\"))'\n",
};

/* Default window of the table: six weeks. */
#define TABLE_DAYS_DEFAULT 42

static const char *const weekday_names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const weekday_keys[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* The flags --json names, in the order they are listed. */
static const struct {
    unsigned bit;
    const char *name;       /* JSON and CSV */
    const char *word;       /* the table */
} flag_names[] = {
    { PL_DAY_HARD, "hard", "hard" },
    { PL_DAY_RACE, "race", "race" },
    { PL_DAY_TRAVEL, "travel", "travel" },
    { PL_DAY_EVENING_RUN, "evening_run", "evening" },
    { PL_DAY_RECOVERY_NEEDED, "recovery_needed", "recover" },
};

#define N_FLAGS (sizeof flag_names / sizeof flag_names[0])

static int weekday_of(int32_t day)
{
    int32_t w = (day + 3) % 7;      /* 1970-01-01 was a Thursday */
    return w < 0 ? w + 7 : w;
}

struct load_args {
    const char *db, *svg;
    bool json, csv, no_chart;
    bool has_from, has_to;
    int32_t from, to;
    double ctl_days, atl_days;
};

/* Today in the local time zone of this computer. */
static int32_t today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return pl_local_day((int64_t)now, 0);
    return pl_local_day((int64_t)now, (int32_t)tm.tm_gmtoff);
}

static int32_t parse_day(const char *v, const char *opt)
{
    int32_t d;
    if (strcmp(v, "today") == 0)
        return today();
    if (!pl_day_parse(v, &d))
        die_usage(&cmd_load_def, "%s wants a date YYYY-MM-DD or 'today', not '%s'", opt, v);
    return d;
}

static double parse_days(const char *v, const char *opt)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno || !(x >= 1 && x <= 1000))
        die_usage(&cmd_load_def, "%s wants a number of days from 1 to 1000, not '%s'", opt, v);
    return x;
}

static void parse_args(int argc, char **argv, struct load_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(&cmd_load_def, argc, argv, &i, "--from"))) {
            a->from = parse_day(v, "--from");
            a->has_from = true;
        } else if ((v = opt_value(&cmd_load_def, argc, argv, &i, "--to"))) {
            a->to = parse_day(v, "--to");
            a->has_to = true;
        } else if ((v = opt_value(&cmd_load_def, argc, argv, &i, "--svg"))) {
            if (!*v)
                die_usage(&cmd_load_def, "--svg needs a file name ('-' for standard output)");
            a->svg = v;
        } else if ((v = opt_value(&cmd_load_def, argc, argv, &i, "--ctl-days"))) {
            a->ctl_days = parse_days(v, "--ctl-days");
        } else if ((v = opt_value(&cmd_load_def, argc, argv, &i, "--atl-days"))) {
            a->atl_days = parse_days(v, "--atl-days");
        } else if ((v = opt_value(&cmd_load_def, argc, argv, &i, "--db"))) {
            if (!*v)
                die_usage(&cmd_load_def, "--db needs a path");
            a->db = v;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = true;
        } else if (strcmp(argv[i], "--csv") == 0) {
            a->csv = true;
        } else if (strcmp(argv[i], "--no-chart") == 0) {
            a->no_chart = true;
        } else {
            die_usage(&cmd_load_def, "unknown argument '%s'", argv[i]);
        }
    }
    if (a->json && a->csv)
        die_usage(&cmd_load_def, "--json or --csv, not both");
    if (a->svg && strcmp(a->svg, "-") == 0 && (a->json || a->csv))
        die_usage(&cmd_load_def, "--svg - writes the chart to standard output: no --json or "
                                 "--csv with it");
    if (a->has_from && a->has_to && a->from > a->to)
        die_usage(&cmd_load_def, "--from is after --to");
}

/* ------------------------------------------------------------------ */
/* Reasons                                                              */

struct reason_json {
    FILE *f;
    bool first;
};

static void reason_to_json(void *ctx, const char *p, size_t k)
{
    struct reason_json *rj = ctx;
    if (!rj->first)
        fputs(", ", rj->f);
    rj->first = false;
    json_str(rj->f, p, k);
}

static void reason_to_table(void *ctx, const char *p, size_t k)
{
    (void)ctx;
    printf("%16s%.*s\n", "", (int)k, p);
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

static void put_num(double x, int width, int decimals)
{
    if (isfinite(x))
        printf("%*.*f", width, decimals, fabs(x) < 0.5 * pow(10, -decimals) ? 0.0 : x);
    else
        printf("%*s", width, "-");
}

static void print_table(const struct pl_load *L, size_t i0, size_t i1)
{
    printf("%-10s %-3s %5s %8s %8s %6s %5s %5s  %s\n", "DATE", "DAY", "LOAD", "FITNESS",
           "FATIGUE", "FORM", "ACWR", "MONO", "FLAGS");
    unsigned counts[N_FLAGS] = { 0 };
    for (size_t i = i0; i < i1; i++) {
        const struct pl_day *d = &L->days[i];
        char date[16];
        pl_day_format(d->date, date, sizeof date);
        printf("%-10s %-3s ", date, weekday_names[weekday_of(d->date)]);
        put_num(d->load, 5, 0);
        putchar(' ');
        put_num(d->ctl, 8, 1);
        putchar(' ');
        put_num(d->atl, 8, 1);
        putchar(' ');
        put_num(d->tsb, 6, 1);
        putchar(' ');
        put_num(d->acwr, 5, 2);
        putchar(' ');
        put_num(d->monotony, 5, 2);
        fputs(" ", stdout);
        const char *sep = " ";
        for (size_t k = 0; k < N_FLAGS; k++) {
            if (!(d->flags & flag_names[k].bit))
                continue;
            printf("%s%s", sep, flag_names[k].word);
            sep = " ";
            counts[k]++;
        }
        putchar('\n');
        size_t rn = strnlen(d->reasons, sizeof d->reasons);
        if (rn)
            pl_reasons_each(d->reasons, rn, reason_to_table, NULL);
    }

    /* What the window holds, where the runner stands, and the habit. */
    if (i1 > i0) {
        char a[16], b[16];
        pl_day_format(L->days[i0].date, a, sizeof a);
        pl_day_format(L->days[i1 - 1].date, b, sizeof b);
        printf("\n%zu days, %s to %s: %u hard, %u race%s, %u travel, %u with an evening run, "
               "%u needing recovery\n",
               i1 - i0, a, b, counts[0], counts[1], counts[1] == 1 ? "" : "s", counts[2],
               counts[3], counts[4]);
        const struct pl_day *last = &L->days[i1 - 1];
        if (isfinite(last->ctl) && isfinite(last->atl) && isfinite(last->tsb))
            printf("on %s: fitness %.1f, fatigue %.1f, form %.1f\n", b, last->ctl, last->atl,
                   last->tsb);
    }
    if (L->evening_weekdays) {
        printf("evening runs are the habit on");
        const char *sep = " ";
        for (int w = 0; w < 7; w++) {
            if (!(L->evening_weekdays & (1u << w)))
                continue;
            printf("%s%s (%u of %u runs)", sep, weekday_names[w], L->habit_evening_runs[w],
                   L->habit_runs[w]);
            sep = ", ";
        }
        printf("\n");
    }
    printf("form is yesterday's fitness minus fatigue; ACWR is information, not a risk "
           "verdict\n");
}

/* A number as json_num() writes it (at most `decimals` decimals, trailing
 * zeros cut, "0" for -0) without printf: a decade is 40,000 numbers, and
 * printf's exact decimal conversion was a fifth of the whole command's
 * time. Rounds x * 10^decimals to the nearest integer, which agrees with
 * printf's rounding of the binary value except at exact ties below the
 * last decimal shown. NaN and infinities: `none`. */
static void put_fast(FILE *f, double x, int decimals, const char *none)
{
    static const double scale[] = { 1, 10, 100, 1000 };
    if (!isfinite(x)) {
        fputs(none, f);
        return;
    }
    if (decimals < 0 || decimals > 3 || !(fabs(x) < 1e12)) {
        json_num(f, x, decimals);
        return;
    }
    long long v = llround(x * scale[decimals]);
    char buf[32], *p = buf + sizeof buf;
    *--p = '\0';
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int k = decimals;
    /* The decimals, dropping trailing zeros. */
    bool any = false;
    for (; k > 0; k--) {
        unsigned digit = (unsigned)(u % 10);
        u /= 10;
        if (digit || any) {
            *--p = (char)('0' + digit);
            any = true;
        }
    }
    if (any)
        *--p = '.';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    fputs(p, f);
}

static void json_day(FILE *f, const struct pl_day *d)
{
    char date[16];
    pl_day_format(d->date, date, sizeof date);
    fprintf(f, "{\"date\": \"%s\", \"weekday\": \"%s\", \"load\": ", date,
            weekday_keys[weekday_of(d->date)]);
    put_fast(f, d->load, 2, "null");
    fputs(", \"ctl\": ", f);
    put_fast(f, d->ctl, 2, "null");
    fputs(", \"atl\": ", f);
    put_fast(f, d->atl, 2, "null");
    fputs(", \"tsb\": ", f);
    put_fast(f, d->tsb, 2, "null");
    fputs(", \"ramp\": ", f);
    put_fast(f, d->ramp, 2, "null");
    fputs(", \"acwr\": ", f);
    put_fast(f, d->acwr, 3, "null");
    fputs(", \"monotony\": ", f);
    put_fast(f, d->monotony, 3, "null");
    fputs(", \"strain\": ", f);
    put_fast(f, d->strain, 1, "null");
    fputs(", \"flags\": [", f);
    bool first = true;
    for (size_t k = 0; k < N_FLAGS; k++) {
        if (!(d->flags & flag_names[k].bit))
            continue;
        fprintf(f, "%s\"%s\"", first ? "" : ", ", flag_names[k].name);
        first = false;
    }
    fprintf(f, "], \"rest\": %s, \"reasons\": [", d->flags & PL_DAY_REST ? "true" : "false");
    struct reason_json rj = { f, true };
    size_t rn = strnlen(d->reasons, sizeof d->reasons);
    if (rn)
        pl_reasons_each(d->reasons, rn, reason_to_json, &rj);
    fputs("]}", f);
}

static void print_json(const struct pl_load *L, const struct pl_load_options *o, size_t i0,
                       size_t i1)
{
    FILE *f = stdout;
    char a[16] = "", b[16] = "";
    if (i1 > i0) {
        pl_day_format(L->days[i0].date, a, sizeof a);
        pl_day_format(L->days[i1 - 1].date, b, sizeof b);
    }
    fputs("{\"from\": ", f);
    if (*a)
        fprintf(f, "\"%s\"", a);
    else
        fputs("null", f);
    fputs(", \"to\": ", f);
    if (*b)
        fprintf(f, "\"%s\"", b);
    else
        fputs("null", f);
    fputs(",\n \"model\": {\"ctl_days\": ", f);
    json_num(f, o->ctl_days, 3);
    fputs(", \"atl_days\": ", f);
    json_num(f, o->atl_days, 3);
    fputs(", \"ewma\": \"k = 1 - exp(-1/N)\", \"tsb\": \"yesterday's ctl - atl\", "
          "\"acwr\": \"EWMA acute:chronic (Williams et al. 2017); information, not a risk "
          "verdict\"},\n \"days\": [",
          f);
    for (size_t i = i0; i < i1; i++) {
        fputs(i > i0 ? ",\n  " : "\n  ", f);
        json_day(f, &L->days[i]);
    }
    fputs(i1 > i0 ? "\n ],\n \"trips\": [" : "],\n \"trips\": [", f);
    bool first = true;
    for (size_t i = 0; i < L->ntrips; i++) {
        const struct pl_trip *t = &L->trips[i];
        if (i1 <= i0 || t->day < L->days[i0].date || t->day > L->days[i1 - 1].date)
            continue;
        char day[16];
        pl_day_format(t->day, day, sizeof day);
        fprintf(f, "%s{\"date\": \"%s\", \"declared\": %s, \"event_id\": %lld, "
                   "\"from_activity\": %lld, \"to_activity\": %lld, \"distance_km\": ",
                first ? "\n  " : ",\n  ", day, t->declared ? "true" : "false",
                (long long)t->event_id, (long long)t->from_activity,
                (long long)t->to_activity);
        json_num(f, t->dist_km, 1);
        fprintf(f, ", \"from_offset_s\": %d, \"to_offset_s\": %d, \"from\": ",
                (int)t->from_offset_s, (int)t->to_offset_s);
        json_str(f, t->from, strnlen(t->from, sizeof t->from));
        fputs(", \"to\": ", f);
        json_str(f, t->to, strnlen(t->to, sizeof t->to));
        fputs(", \"reason\": ", f);
        json_str(f, t->reason, strnlen(t->reason, sizeof t->reason));
        fputs("}", f);
        first = false;
    }
    fputs(first ? "],\n" : "\n ],\n", f);
    fputs(" \"evening_habit\": {\"weekdays\": [", f);
    first = true;
    for (int w = 0; w < 7; w++) {
        if (!(L->evening_weekdays & (1u << w)))
            continue;
        fprintf(f, "%s\"%s\"", first ? "" : ", ", weekday_keys[w]);
        first = false;
    }
    fputs("], \"runs\": [", f);
    for (int w = 0; w < 7; w++)
        fprintf(f, "%s%u", w ? ", " : "", L->habit_runs[w]);
    fputs("], \"evening_runs\": [", f);
    for (int w = 0; w < 7; w++)
        fprintf(f, "%s%u", w ? ", " : "", L->habit_evening_runs[w]);
    fputs("]}}\n", f);
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double x, int decimals)
{
    put_fast(f, x, decimals, "");     /* JSON's digits; nothing for NaN */
}

static void print_csv(const struct pl_load *L, size_t i0, size_t i1)
{
    FILE *f = stdout;
    fputs("date,load,ctl,atl,tsb,ramp,acwr,monotony,strain,flags,reasons\r\n", f);
    for (size_t i = i0; i < i1; i++) {
        const struct pl_day *d = &L->days[i];
        char date[16];
        pl_day_format(d->date, date, sizeof date);
        fprintf(f, "%s,", date);
        csv_num(f, d->load, 2);
        fputc(',', f);
        csv_num(f, d->ctl, 2);
        fputc(',', f);
        csv_num(f, d->atl, 2);
        fputc(',', f);
        csv_num(f, d->tsb, 2);
        fputc(',', f);
        csv_num(f, d->ramp, 2);
        fputc(',', f);
        csv_num(f, d->acwr, 3);
        fputc(',', f);
        csv_num(f, d->monotony, 3);
        fputc(',', f);
        csv_num(f, d->strain, 1);
        fputc(',', f);
        const char *sep = "";
        for (size_t k = 0; k < N_FLAGS; k++) {
            if (!(d->flags & flag_names[k].bit))
                continue;
            fprintf(f, "%s%s", sep, flag_names[k].name);
            sep = " ";
        }
        fputc(',', f);
        csv_field(f, d->reasons, strnlen(d->reasons, sizeof d->reasons));
        fputs("\r\n", f);
    }
}

/* Does the terminal's character set look like UTF-8? The first of LC_ALL,
 * LC_CTYPE and LANG that is set decides (POSIX, "Locale", precedence). */
static bool locale_is_utf8(void)
{
    const char *names[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return false;
}

static void terminal_chart(const struct pl_load *L, const struct pl_load_options *lo, size_t i1)
{
    struct winsize ws;
    unsigned cols = 80, rows = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        cols = ws.ws_col;
        rows = ws.ws_row;
    }
    if (cols < 40 || rows < 14)
        return;                             /* too small to say anything */
    struct pl_chart_options o;
    pl_chart_options_init(&o);
    o.columns = cols > 160 ? 160 : cols;
    o.rows = rows - 2 > 22 ? 22 : rows - 2;
    o.utf8 = locale_is_utf8();
    const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
    /* https://no-color.org: any non-empty NO_COLOR turns colours off. */
    o.color = !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
    o.ctl_days = lo->ctl_days;
    o.atl_days = lo->atl_days;
    char *text;
    size_t n;
    struct pl_diag d;
    pl_diag_clear(&d);
    if (pl_chart_term(L->days, i1, &o, &text, &n, &d) != PL_OK) {
        warning_msg("no chart: %s", d.msg);
        return;
    }
    putchar('\n');
    fwrite(text, 1, n, stdout);
    pl_free(text);
}

int cmd_load(int argc, char **argv)
{
    struct load_args args;
    parse_args(argc, argv, &args);
    /* One thread writes stdout: no lock around each character of a
     * decade of JSON (glibc and musl, <stdio_ext.h>). */
    __fsetlocking(stdout, FSETLOCKING_BYCALLER);
    struct pl_load_options lo;
    pl_load_options_init(&lo);
    if (args.ctl_days)
        lo.ctl_days = args.ctl_days;
    if (args.atl_days)
        lo.atl_days = args.atl_days;

    struct pl_store *s;
    int rc = open_store_for_reading(args.db, &s);
    if (rc)
        return rc;
    struct pl_load L;
    memset(&L, 0, sizeof L);
    bool empty_window = false;
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_load_compute(s, &lo, args.has_to ? args.to : INT32_MIN, &L, &d);
    if (rc == PL_OK && L.ndays == 0 && args.has_to) {
        /* --to before the history: no days; the history's own range
         * makes the better message. */
        pl_load_release(&L);
        pl_diag_clear(&d);
        rc = pl_load_compute(s, &lo, INT32_MIN, &L, &d);
        empty_window = true;
    }
    pl_store_close(s);
    if (rc) {
        error_msg("%s", d.msg);
        return rc == PL_EINVAL ? EXIT_USAGE : EXIT_NOTHING;
    }

    /* The window [i0, i1). */
    size_t i1 = empty_window ? 0 : L.ndays, i0 = 0;
    if (args.has_to && !empty_window)
        i1 = pl_days_index(&L, args.to + 1);
    if (args.has_from)
        i0 = pl_days_index(&L, args.from);
    else if (!args.json && !args.csv && !args.svg && i1 > TABLE_DAYS_DEFAULT)
        i0 = i1 - TABLE_DAYS_DEFAULT;
    if (i0 > i1)
        i0 = i1;
    bool svg_stdout = args.svg && strcmp(args.svg, "-") == 0;

    int status = 0;
    if (args.svg) {
        struct pl_chart_options o;
        pl_chart_options_init(&o);
        o.ctl_days = lo.ctl_days;
        o.atl_days = lo.atl_days;
        char *svg;
        size_t n;
        pl_diag_clear(&d);
        if (pl_chart_svg(L.days + i0, i1 - i0, &o, &svg, &n, &d) != PL_OK) {
            error_msg("cannot draw the chart: %s", d.msg);
            status = EXIT_NOTHING;
        } else {
            status = write_output(args.svg, "the chart", svg, n);
            pl_free(svg);
        }
        /* The table keeps its own default window. */
        if (!args.has_from && !args.json && !args.csv && i1 > TABLE_DAYS_DEFAULT)
            i0 = i1 - TABLE_DAYS_DEFAULT;
    }
    if (args.json) {
        print_json(&L, &lo, i0, i1);
    } else if (args.csv) {
        print_csv(&L, i0, i1);
    } else if (!svg_stdout) {
        if (L.ndays == 0)
            printf("no activities or events in the store: import some with 'pliant import'\n");
        else if (i0 == i1) {
            char a[16], b[16];
            pl_day_format(L.days[0].date, a, sizeof a);
            pl_day_format(L.days[L.ndays - 1].date, b, sizeof b);
            printf("no days in that window: the history runs from %s to %s\n", a, b);
        }
        else
            print_table(&L, i0, i1);
        if (!args.no_chart && i1 > 0 && isatty(STDOUT_FILENO))
            terminal_chart(&L, &lo, i1);
    }
    pl_load_release(&L);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    return status;
}
