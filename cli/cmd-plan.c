/*
 * cmd-plan.c - `pliant plan` and `pliant today`: the recovery plan for a
 * range of days, as an agenda, JSON or an iCalendar file.
 *
 * Loads the protocol (the built-in default, or --protocol FILE), asks the
 * library for the plan (pl_plan_build: the store's days, activities, trips
 * and declared events), and formats it. Decides nothing itself.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

const struct cmd cmd_plan_def = {
    "plan", cmd_plan, "the recovery plan for the coming days",
    "usage: pliant plan [--from DATE] [--days N] [--json] [--ics FILE]\n"
    "                   [--fit-workouts DIR] [--protocol FILE] [--db PATH]\n"
    "\n"
    "Plan the recovery routines of a protocol (the built-in hamstring\n"
    "protocol unless --protocol says otherwise) around the runner's training:\n"
    "after hard sessions and races, after travel, before evening runs, every\n"
    "day, and when the load says recovery is needed. Each item has a local\n"
    "time, its steps by body area, and the reason, with the facts behind it.\n"
    "Runs to come are the declared events ('pliant event add'), else the\n"
    "evening runs the runner's habit predicts (marked predicted).\n"
    "\n"
    "Options:\n"
    "  --from DATE      first day (YYYY-MM-DD); default today\n"
    "  --days N         how many days, 1..366; default 8 (today and the next 7)\n"
    "  --json           one JSON object: from, days, protocol, safety_note,\n"
    "                   red_flags (id, sign, action, urgent),\n"
    "                   items (id, date, start, end, start_utc, end_utc,\n"
    "                   routine, title, kind, rule, trigger, predicted, reason,\n"
    "                   caution, about (the protocol's why), steps [area,\n"
    "                   duration_s, reps, sets, how],\n"
    "                   covers), notes (date, text) and sessions, the runs\n"
    "                   of those days (date, time, minutes, name, source:\n"
    "                   done, planned or predicted, hard, race, evening,\n"
    "                   intensity_factor, hrss, distance_km)\n"
    "  --ics FILE       also write the plan as an iCalendar file: one event per\n"
    "                   item with a stable UID, so importing a new export\n"
    "                   updates the events; times in UTC. DTSTAMP is now, or\n"
    "                   $SOURCE_DATE_EPOCH when set\n"
    "  --fit-workouts DIR\n"
    "                   also write each routine of the plan as a FIT workout\n"
    "                   file, DIR/<routine>.fit, for a watch to guide: one\n"
    "                   timed step per body area, the how-to as its notes\n"
    "                   (DIR is created when missing)\n"
    "  --protocol FILE  use this protocol file instead of the default (see\n"
    "                   'pliant protocol show' and docs/formats.md)\n"
    "  --db PATH        the store (default: $PLIANT_DB, else\n"
    "                   $XDG_DATA_HOME/pliant/pliant.db)\n"
    "\n"
    "Examples:\n"
    "  pliant plan\n"
    "  pliant plan --from 2026-03-23 --days 7 --ics recovery.ics\n",
};

const struct cmd cmd_today_def = {
    "today", cmd_today, "today's recovery plan",
    "usage: pliant today [--json] [--protocol FILE] [--db PATH]\n"
    "\n"
    "The same as 'pliant plan --days 1': what to do for recovery today, at\n"
    "what time, and why. Options as for 'pliant plan'.\n",
};

/* The local date now, on this computer's clock. */
int32_t today_local(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return pl_local_day((int64_t)now, (int32_t)tm.tm_gmtoff);
}

static void on_protocol_error(void *ctx, const struct pl_diag *e)
{
    const char *path = ctx;
    if (e->line)
        error_msg("%s:%u:%u: %s", path, e->line, e->col, e->msg);
    else
        error_msg("%s: %s", path, e->msg);
}

static void hhmm(char *buf, size_t n, int32_t minute)
{
    snprintf(buf, n, "%02d:%02d", (int)(minute / 60), (int)(minute % 60));
}

static const char *source_name(int source)
{
    return source == PL_SESSION_DONE ? "done" : source == PL_SESSION_DECLARED ? "planned"
                                                                            : "predicted";
}

static void print_session(FILE *f, const struct pl_plan_session *s)
{
    char a[16], b[16];
    hhmm(a, sizeof a, s->minute);
    int32_t end = s->minute + s->minutes;
    hhmm(b, sizeof b, end % 1440);
    const char *what = s->name[0] ? s->name : (s->flags & PL_ACT_RACE) ? "Race" : "Run";
    fprintf(f, "  %s-%s  > %s (%s%s%s)\n", a, b, what, source_name(s->source),
            (s->flags & PL_ACT_RACE) ? ", race" : (s->flags & PL_ACT_HARD) ? ", hard" : "",
            (s->flags & PL_ACT_EVENING) && !(s->flags & PL_ACT_RACE) ? ", evening" : "");
}

static void print_json(FILE *f, const struct pl_plan *p, const struct pl_protocol *pr)
{
    char date[16];
    pl_day_format(p->from_day, date, sizeof date);
    fprintf(f, "{\n  \"from\": \"%s\",\n  \"days\": %u,\n  \"protocol\": ", date, p->ndays);
    json_cstr(f, pl_protocol_id(pr));
    fputs(",\n  \"title\": ", f);
    json_cstr(f, pl_protocol_title(pr));
    fputs(",\n  \"safety_note\": ", f);
    json_cstr(f, pl_protocol_safety_note(pr));
    fputs(",\n  \"red_flags\": [", f);
    for (size_t i = 0; i < pl_protocol_red_flag_count(pr); i++) {
        const struct pl_red_flag *rf = pl_protocol_red_flag(pr, i);
        fputs(i ? ",\n    {\"id\": " : "\n    {\"id\": ", f);
        json_cstr(f, rf->id);
        fputs(", \"sign\": ", f);
        json_cstr(f, rf->sign);
        fputs(", \"action\": ", f);
        json_cstr(f, rf->action);
        fprintf(f, ", \"urgent\": %s}", rf->urgent ? "true" : "false");
    }
    fputs(pl_protocol_red_flag_count(pr) ? "\n  ],\n  \"items\": [" : "],\n  \"items\": [", f);
    for (size_t i = 0; i < p->nitems; i++) {
        const struct pl_plan_item *it = &p->items[i];
        char a[40], b[40], au[40], bu[40];
        format_time(a, sizeof a, it->start_s, it->utc_offset_s, true);
        format_time(b, sizeof b, it->end_s, it->utc_offset_s, true);
        format_time(au, sizeof au, it->start_s, 0, false);
        format_time(bu, sizeof bu, it->end_s, 0, false);
        pl_day_format(it->day, date, sizeof date);
        fprintf(f, "%s\n    {\"id\": ", i ? "," : "");
        json_cstr(f, it->id);
        fprintf(f, ", \"date\": \"%s\", \"start\": \"%s\", \"end\": \"%s\", "
                   "\"start_utc\": \"%s\", \"end_utc\": \"%s\",\n     \"routine\": ",
                date, a, b, au, bu);
        json_cstr(f, it->routine);
        fputs(", \"title\": ", f);
        json_cstr(f, it->title);
        fputs(", \"kind\": ", f);
        json_cstr(f, it->kind);
        fputs(", \"rule\": ", f);
        json_cstr(f, it->rule);
        fputs(", \"trigger\": ", f);
        json_cstr(f, it->trigger);
        fprintf(f, ", \"predicted\": %s,\n     \"reason\": ", it->predicted ? "true" : "false");
        json_cstr(f, it->reason);
        fputs(", \"caution\": ", f);
        json_cstr(f, it->caution);
        fputs(", \"about\": ", f);
        json_cstr(f, it->about);
        fputs(",\n     \"steps\": [", f);
        for (size_t k = 0; k < it->nsteps; k++) {
            const struct pl_plan_step *s = &it->steps[k];
            fputs(k ? ", {\"area\": " : "{\"area\": ", f);
            json_cstr(f, s->area);
            fputs(", \"duration_s\": ", f);
            json_num(f, s->duration_s ? (double)s->duration_s : NAN, 0);
            fputs(", \"reps\": ", f);
            json_num(f, s->reps ? (double)s->reps : NAN, 0);
            fputs(", \"sets\": ", f);
            json_num(f, s->sets ? (double)s->sets : NAN, 0);
            fputs(", \"how\": ", f);
            json_cstr(f, s->how);
            fputc('}', f);
        }
        fputs("],\n     \"covers\": [", f);
        for (size_t k = 0; k < it->ncovers; k++) {
            if (k)
                fputs(", ", f);
            json_cstr(f, it->covers[k]);
        }
        fputs("]}", f);
    }
    fputs(p->nitems ? "\n  ],\n  \"notes\": [" : "],\n  \"notes\": [", f);
    for (size_t i = 0; i < p->nnotes; i++) {
        pl_day_format(p->notes[i].day, date, sizeof date);
        fprintf(f, "%s\n    {\"date\": \"%s\", \"text\": ", i ? "," : "", date);
        json_cstr(f, p->notes[i].text);
        fputc('}', f);
    }
    fputs(p->nnotes ? "\n  ],\n  \"sessions\": [" : "],\n  \"sessions\": [", f);
    for (size_t i = 0; i < p->nsessions; i++) {
        const struct pl_plan_session *s = &p->sessions[i];
        char hm[16];
        pl_day_format(s->day, date, sizeof date);
        hhmm(hm, sizeof hm, s->minute);
        fprintf(f, "%s\n    {\"date\": \"%s\", \"time\": \"%s\", \"minutes\": %d, \"name\": ",
                i ? "," : "", date, hm, (int)s->minutes);
        json_cstr(f, s->name);
        fprintf(f, ", \"source\": \"%s\", \"hard\": %s, \"race\": %s, \"evening\": %s, "
                   "\"intensity_factor\": ",
                source_name(s->source), (s->flags & PL_ACT_HARD) ? "true" : "false",
                (s->flags & PL_ACT_RACE) ? "true" : "false",
                (s->flags & PL_ACT_EVENING) ? "true" : "false");
        json_num(f, s->intensity_factor, 2);
        fputs(", \"hrss\": ", f);
        json_num(f, s->hrss, 0);
        fputs(", \"distance_km\": ", f);
        json_num(f, s->dist_km, 2);
        fputc('}', f);
    }
    fputs(p->nsessions ? "\n  ]\n}\n" : "]\n}\n", f);
}

static const char *const weekdays[7] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* The safety note and the red flags, for the agenda and for each
 * calendar event. */
static char note_buf[8192];
static const char *safety_text(const struct pl_protocol *pr)
{
    size_t n = 0, cap = sizeof note_buf;
    int k = snprintf(note_buf, cap, "%s\n", pl_protocol_safety_note(pr));
    n = k > 0 && (size_t)k < cap ? (size_t)k : cap - 1;
    size_t nf = pl_protocol_red_flag_count(pr);
    if (nf && n < cap) {
        k = snprintf(note_buf + n, cap - n, "\nWarning signs: stop the plan if you notice one.\n");
        n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    }
    for (size_t i = 0; i < nf && n < cap; i++) {
        const struct pl_red_flag *rf = pl_protocol_red_flag(pr, i);
        k = snprintf(note_buf + n, cap - n, "- %s %s%s\n", rf->sign, rf->urgent ? "Urgent: " : "",
                     rf->action);
        n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    }
    return note_buf;
}

static void print_text(FILE *f, const struct pl_plan *p, const struct pl_protocol *pr)
{
    char a[16], b[16], date[16];
    pl_day_format(p->from_day, a, sizeof a);
    pl_day_format(p->from_day + (int32_t)p->ndays - 1, b, sizeof b);
    if (p->ndays == 1)
        fprintf(f, "Recovery plan for %s (%s)\n", a, pl_protocol_title(pr));
    else
        fprintf(f, "Recovery plan, %s to %s (%s)\n", a, b, pl_protocol_title(pr));
    size_t i = 0, k = 0, r = 0;
    for (int32_t day = p->from_day; day < p->from_day + (int32_t)p->ndays; day++) {
        pl_day_format(day, date, sizeof date);
        int wd = (int)(((day + 3) % 7 + 7) % 7);
        fprintf(f, "\n%s %s\n", weekdays[wd], date);
        bool any = false;
        for (; i < p->nitems && p->items[i].day == day; i++) {
            const struct pl_plan_item *it = &p->items[i];
            /* The day's runs, where they fall among the items. */
            for (; r < p->nsessions && p->sessions[r].day == day &&
                   p->sessions[r].minute <= it->start_minute;
                 r++)
                print_session(f, &p->sessions[r]);
            hhmm(a, sizeof a, it->start_minute);
            hhmm(b, sizeof b, it->end_minute);
            fprintf(f, "  %s-%s  %s (%s)%s\n", a, b, it->title, it->kind,
                    it->predicted ? " [predicted]" : "");
            fprintf(f, "               why: %s\n", it->reason);
            if (it->nsteps) {
                fputs("               ", f);
                for (size_t s = 0; s < it->nsteps; s++) {
                    const struct pl_plan_step *st = &it->steps[s];
                    fprintf(f, "%s%s", s ? ", " : "", st->area);
                    if (st->duration_s)
                        fprintf(f, " %u:%02u", st->duration_s / 60, st->duration_s % 60);
                    if (st->reps)
                        fprintf(f, " x%u", st->reps);
                    if (st->sets > 1)
                        fprintf(f, " (%u sets)", st->sets);
                }
                fputc('\n', f);
            }
            if (it->caution && *it->caution)
                fprintf(f, "               caution: %s\n", it->caution);
            any = true;
        }
        for (; r < p->nsessions && p->sessions[r].day == day; r++)
            print_session(f, &p->sessions[r]);
        for (; k < p->nnotes && p->notes[k].day == day; k++) {
            fprintf(f, "  note: %s\n", p->notes[k].text);
            any = true;
        }
        if (!any)
            fputs("  nothing planned\n", f);
    }
    fprintf(f, "\n%s", safety_text(pr));
}

/* Now, or $SOURCE_DATE_EPOCH (reproducible-builds.org) when set, so that
 * the same plan can give the same bytes. */
static int64_t stamp_now(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde)
        return strtoll(sde, NULL, 10);
    return (int64_t)time(NULL);
}

int load_protocol(const char *path, struct pl_protocol **pr)
{
    struct pl_diag d;
    pl_diag_clear(&d);
    int rc = path ? pl_protocol_load_file(path, pr, on_protocol_error, (void *)path, &d)
                  : pl_protocol_builtin(NULL, pr, &d);
    if (rc == PL_OK)
        return 0;
    if (path && rc == PL_EIO)
        error_msg("cannot read the protocol '%s': %s", path, d.msg);
    else if (!path)
        error_msg("the built-in protocol: %s", d.msg);
    else if (rc != PL_EFORMAT && rc != PL_ELIMIT)
        error_msg("%s: %s", path, d.msg);
    return EXIT_NOTHING;
}

int import_calendars(struct pl_store *s, const char **paths, size_t *npaths, bool json)
{
    int status = 0;
    size_t keep = 0;
    FILE *out = json ? stderr : stdout;
    for (size_t i = 0; i < *npaths; i++) {
        const char *p = paths[i];
        size_t n = strlen(p);
        if (n < 4 || strcasecmp(p + n - 4, ".ics") != 0) {
            paths[keep++] = p;
            continue;
        }
        size_t len;
        unsigned char *buf = read_file(p, &len);
        if (!buf) {
            error_msg("cannot read '%s': %s", p, strerror(errno));
            status = EXIT_PARTIAL;
            continue;
        }
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        struct pl_ics_import sum;
        struct pl_diag d;
        pl_diag_clear(&d);
        int rc = pl_plan_import_ics(s, buf, len, (int32_t)tm.tm_gmtoff, &sum, &d);
        free(buf);
        if (rc != PL_OK && d.line) {
            error_msg("cannot import the calendar '%s': line %u: %s", p, d.line, d.msg);
            status = EXIT_PARTIAL;
            continue;
        }
        if (rc != PL_OK) {
            error_msg("cannot import the calendar '%s': %s", p, d.msg);
            status = EXIT_PARTIAL;
            continue;
        }
        fprintf(out, "calendar %s: %u planned sessions declared (%u hard, %u race%s), "
                     "%u already there, %u left out",
                p, sum.added, sum.hard, sum.races, sum.races == 1 ? "" : "s", sum.duplicates,
                sum.own + sum.skipped);
        if (sum.own)
            fprintf(out, " (%u of pliant's own recovery items)", sum.own);
        fputc('\n', out);
    }
    *npaths = keep;
    return status;
}

static int run(const struct cmd *c, int argc, char **argv, bool today_only)
{
    const char *from = NULL, *db = NULL, *ics = NULL, *proto = NULL, *days_s = NULL,
               *fitdir = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (strcmp(a, "--json") == 0)
            json = true;
        else if ((v = opt_value(c, argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(c, argc, argv, &i, "--protocol")))
            proto = v;
        else if (!today_only && (v = opt_value(c, argc, argv, &i, "--from")))
            from = v;
        else if (!today_only && (v = opt_value(c, argc, argv, &i, "--days")))
            days_s = v;
        else if (!today_only && (v = opt_value(c, argc, argv, &i, "--ics")))
            ics = v;
        else if (!today_only && (v = opt_value(c, argc, argv, &i, "--fit-workouts")))
            fitdir = v;
        else
            die_usage(c, "unknown option '%s'", a);
    }
    if ((db && !*db) || (proto && !*proto) || (ics && !*ics) || (fitdir && !*fitdir))
        die_usage(c, "an option's value is empty");
    int32_t today = today_local(), from_day = today;
    uint32_t ndays = today_only ? 1 : 8;
    if (from && !pl_day_parse(from, &from_day))
        die_usage(c, "--from: '%s' is not a date (YYYY-MM-DD)", from);
    if (days_s) {
        char *end;
        errno = 0;
        long n = strtol(days_s, &end, 10);
        if (errno || *end || n < 1 || n > PL_PLAN_DAYS_MAX)
            die_usage(c, "--days: '%s' is not a number of days (1..%d)", days_s,
                      PL_PLAN_DAYS_MAX);
        ndays = (uint32_t)n;
    }

    struct pl_diag d;
    pl_diag_clear(&d);
    struct pl_protocol *pr = NULL;
    int rc = load_protocol(proto, &pr);
    if (rc != 0)
        return rc;
    struct pl_store *s;
    if ((rc = open_store_for_reading(db, &s)) != 0) {
        pl_protocol_free(pr);
        return rc;
    }
    struct pl_plan plan;
    rc = pl_plan_build(s, pr, from_day, ndays, today, &plan, &d);
    int status = 0;
    if (rc != PL_OK) {
        error_msg("cannot plan: %s", d.msg);
        status = EXIT_NOTHING;
        goto out;
    }
    if (json)
        print_json(stdout, &plan, pr);
    else
        print_text(stdout, &plan, pr);
    if (ics) {
        struct pl_ics_options o = { stamp_now(), NULL, safety_text(pr) };
        if (pl_plan_write_ics(&plan, &o, ics, &d) != PL_OK) {
            error_msg("%s", d.msg);
            status = EXIT_NOTHING;
        } else if (!json) {
            fprintf(stdout, "\nwrote %zu events to %s\n", plan.nitems, ics);
        }
    }
    if (fitdir && status == 0) {
        size_t n = 0;
        if (mkdir(fitdir, 0777) != 0 && errno != EEXIST) {
            error_msg("cannot create '%s': %s", fitdir, strerror(errno));
            status = EXIT_NOTHING;
        } else if (pl_plan_write_fit_workouts(&plan, fitdir, stamp_now(), &n, &d) != PL_OK) {
            error_msg("cannot write the workouts into '%s': %s", fitdir, d.msg);
            status = EXIT_NOTHING;
        } else if (!json) {
            fprintf(stdout, "wrote %zu workouts to %s\n", n, fitdir);
        }
    }
    pl_plan_release(&plan);
out:
    if (fflush(stdout) != 0 && status == 0) {
        error_msg("cannot write the plan: %s", strerror(errno));
        status = EXIT_NOTHING;
    }
    pl_store_close(s);
    pl_protocol_free(pr);
    return status;
}

int cmd_plan(int argc, char **argv)
{
    return run(&cmd_plan_def, argc, argv, false);
}

int cmd_today(int argc, char **argv)
{
    return run(&cmd_today_def, argc, argv, true);
}
