/*
 * cmd-done.c - `pliant done`, `pliant skip` and `pliant adherence`: what
 * the runner did with the plan, and how well it has been followed.
 *
 * An item is named by its id from `pliant plan` ("2026-03-22.hard.flush-
 * massage"); the id's date says which day's plan to check it against, so
 * a mistyped id is refused with the ids of that day. The marks live in
 * the store (pl_plan_mark_set); adherence is the library's count over a
 * plan and its marks (pl_plan_adherence).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const struct cmd cmd_done_def = {
    "done", cmd_done, "mark plan items as done",
    "usage: pliant done ITEM... [--protocol FILE] [--db PATH]\n"
    "\n"
    "Record that the items were done. ITEM is an id from 'pliant plan'\n"
    "(its JSON \"id\", or the calendar event's UID without \"@pliant\"),\n"
    "such as 2026-03-22.hard.flush-massage; it is checked against the plan\n"
    "of its day, made with the same protocol (--protocol FILE when the plan\n"
    "used one). Marking an item again replaces its mark.\n"
    "\n"
    "Example:\n"
    "  pliant done 2026-03-22.hard.flush-massage 2026-03-22.hard.hot-shower\n",
};

const struct cmd cmd_skip_def = {
    "skip", cmd_skip, "mark plan items as skipped, and why",
    "usage: pliant skip ITEM... [--why TEXT] [--protocol FILE] [--db PATH]\n"
    "\n"
    "Record that the items were skipped, with the reason when given (up to\n"
    "255 bytes). As for 'pliant done', each ITEM is checked against the plan\n"
    "of its day.\n"
    "\n"
    "Example:\n"
    "  pliant skip 2026-03-20.travel.deep-tissue --why \"no therapist in Madrid\"\n",
};

const struct cmd cmd_adherence_def = {
    "adherence", cmd_adherence, "how well the recovery plan was followed",
    "usage: pliant adherence [--from DATE] [--days N] [--json] [--protocol FILE]\n"
    "                        [--db PATH]\n"
    "\n"
    "Count, over the plan of a range of days (default: the 28 days to\n"
    "today), the items done and skipped, the hard days (and races) whose\n"
    "routines were all done, the travel days whose whole sequence was done,\n"
    "the days the daily routine was done, and the streak of days in a row\n"
    "with the daily routine done (today may still be under way: it does not\n"
    "break the streak). Recovery is part of training.\n"
    "\n"
    "Options:\n"
    "  --from DATE   first day (YYYY-MM-DD); default 27 days before today\n"
    "  --days N      how many days, 1..366; default 28\n"
    "  --json        one object: from, to, items, done, skipped, hard_days,\n"
    "                hard_done, travel_days, travel_done, daily_days,\n"
    "                daily_done, streak_days\n",
};

struct opts {
    const char *db, *proto, *why, *from, *days;
    bool json;
    int nitems;
    char **items;
};

static void parse(const struct cmd *c, int argc, char **argv, struct opts *o, bool marks)
{
    memset(o, 0, sizeof *o);
    o->items = calloc((size_t)argc, sizeof *o->items);
    if (!o->items) {
        error_msg("out of memory");
        exit(EXIT_NOTHING);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!marks && strcmp(a, "--json") == 0)
            o->json = true;
        else if ((v = opt_value(c, argc, argv, &i, "--db")))
            o->db = v;
        else if ((v = opt_value(c, argc, argv, &i, "--protocol")))
            o->proto = v;
        else if (marks && c == &cmd_skip_def && (v = opt_value(c, argc, argv, &i, "--why")))
            o->why = v;
        else if (!marks && (v = opt_value(c, argc, argv, &i, "--from")))
            o->from = v;
        else if (!marks && (v = opt_value(c, argc, argv, &i, "--days")))
            o->days = v;
        else if (a[0] == '-' && a[1])
            die_usage(c, "unknown option '%s'", a);
        else if (marks)
            o->items[o->nitems++] = argv[i];
        else
            die_usage(c, "unexpected argument '%s'", a);
    }
    if (marks && o->nitems == 0)
        die_usage(c, "which item? (ids are in 'pliant plan --json')");
    if (o->why && strlen(o->why) > 255)
        die_usage(c, "--why: at most 255 bytes");
}

/* Mark each item after finding it in its day's plan. */
static int mark(const struct cmd *c, int argc, char **argv, int status)
{
    struct opts o;
    parse(c, argc, argv, &o, true);
    struct pl_protocol *pr;
    int rc = load_protocol(o.proto, &pr);
    if (rc != 0) {
        free(o.items);
        return rc;
    }
    struct pl_store *s;
    if ((rc = open_store_for_writing(o.db, &s)) != 0) {
        pl_protocol_free(pr);
        free(o.items);
        return rc;
    }
    int32_t today = today_local();
    int bad = 0, good = 0;
    for (int i = 0; i < o.nitems; i++) {
        const char *id = o.items[i];
        char date[11];
        int32_t day;
        snprintf(date, sizeof date, "%s", id);
        if (strlen(id) < 12 || id[10] != '.' || !pl_day_parse(date, &day)) {
            error_msg("'%s' is not a plan item id (DATE.RULE.ROUTINE, from 'pliant plan --json')",
                      id);
            bad++;
            continue;
        }
        struct pl_plan plan;
        struct pl_diag d;
        pl_diag_clear(&d);
        if (pl_plan_build(s, pr, day, 1, today, &plan, &d) != PL_OK) {
            error_msg("cannot plan %s: %s", date, d.msg);
            bad++;
            continue;
        }
        const struct pl_plan_item *it = NULL;
        for (size_t k = 0; k < plan.nitems && !it; k++)
            if (strcmp(plan.items[k].id, id) == 0)
                it = &plan.items[k];
        if (!it) {
            error_msg("no item '%s' in the plan for %s; that day has:", id, date);
            for (size_t k = 0; k < plan.nitems; k++)
                fprintf(stderr, "  %s\n", plan.items[k].id);
            bad++;
            pl_plan_release(&plan);
            continue;
        }
        struct pl_plan_mark m;
        memset(&m, 0, sizeof m);
        snprintf(m.item_id, sizeof m.item_id, "%s", it->id);
        m.day = day;
        m.status = (uint8_t)status;
        snprintf(m.why, sizeof m.why, "%s", o.why ? o.why : "");
        m.marked_s = (int64_t)time(NULL);
        if (pl_plan_mark_set(s, &m, &d) != PL_OK) {
            error_msg("%s", d.msg);
            bad++;
        } else {
            printf("%s: %s (%s, %02d:%02d)\n", status == PL_MARK_DONE ? "done" : "skipped", it->id,
                   it->title, (int)(it->start_minute / 60), (int)(it->start_minute % 60));
            good++;
        }
        pl_plan_release(&plan);
    }
    pl_store_close(s);
    pl_protocol_free(pr);
    free(o.items);
    return bad == 0 ? 0 : good ? EXIT_PARTIAL : EXIT_NOTHING;
}

int cmd_done(int argc, char **argv)
{
    return mark(&cmd_done_def, argc, argv, PL_MARK_DONE);
}

int cmd_skip(int argc, char **argv)
{
    return mark(&cmd_skip_def, argc, argv, PL_MARK_SKIPPED);
}

struct marks {
    struct pl_plan_mark *v;
    size_t n, cap;
};

static int add_mark(void *ctx, const struct pl_plan_mark *m)
{
    struct marks *ms = ctx;
    if (ms->n == ms->cap) {
        size_t cap = ms->cap ? ms->cap * 2 : 64;
        struct pl_plan_mark *v = realloc(ms->v, cap * sizeof *v);
        if (!v)
            return 1;
        ms->v = v;
        ms->cap = cap;
    }
    ms->v[ms->n++] = *m;
    return 0;
}

static void ratio(const char *label, uint32_t k, uint32_t n, const char *what)
{
    if (n)
        printf("  %-16s %u of %u %s (%u %%)\n", label, k, n, what, (unsigned)(100.0 * k / n + 0.5));
    else
        printf("  %-16s none in these days\n", label);
}

int cmd_adherence(int argc, char **argv)
{
    const struct cmd *c = &cmd_adherence_def;
    struct opts o;
    parse(c, argc, argv, &o, false);
    free(o.items);
    int32_t today = today_local();
    uint32_t ndays = 28;
    if (o.days) {
        char *end;
        errno = 0;
        long n = strtol(o.days, &end, 10);
        if (errno || *end || n < 1 || n > PL_PLAN_DAYS_MAX)
            die_usage(c, "--days: '%s' is not a number of days (1..%d)", o.days, PL_PLAN_DAYS_MAX);
        ndays = (uint32_t)n;
    }
    int32_t from = today - (int32_t)ndays + 1;
    if (o.from && !pl_day_parse(o.from, &from))
        die_usage(c, "--from: '%s' is not a date (YYYY-MM-DD)", o.from);
    struct pl_protocol *pr;
    int rc = load_protocol(o.proto, &pr);
    if (rc != 0)
        return rc;
    struct pl_store *s;
    if ((rc = open_store_for_reading(o.db, &s)) != 0) {
        pl_protocol_free(pr);
        return rc;
    }
    struct pl_plan plan;
    struct pl_diag d;
    pl_diag_clear(&d);
    struct marks ms = { 0 };
    int status = 0;
    if (pl_plan_build(s, pr, from, ndays, today, &plan, &d) != PL_OK) {
        error_msg("cannot plan: %s", d.msg);
        status = EXIT_NOTHING;
        goto out;
    }
    int32_t to = from + (int32_t)ndays - 1;
    if (pl_plan_mark_list(s, from, to, add_mark, &ms, &d) != PL_OK) {
        error_msg("%s", d.msg[0] ? d.msg : "out of memory");
        status = EXIT_NOTHING;
        pl_plan_release(&plan);
        goto out;
    }
    struct pl_adherence a;
    pl_plan_adherence(&plan, ms.v, ms.n, &a);
    char f[16], t[16];
    pl_day_format(from, f, sizeof f);
    pl_day_format(to, t, sizeof t);
    if (o.json) {
        printf("{\"from\": \"%s\", \"to\": \"%s\", \"items\": %u, \"done\": %u, \"skipped\": %u, "
               "\"hard_days\": %u, \"hard_done\": %u, \"travel_days\": %u, \"travel_done\": %u, "
               "\"daily_days\": %u, \"daily_done\": %u, \"streak_days\": %u}\n",
               f, t, a.items, a.done, a.skipped, a.hard_days, a.hard_done, a.travel_days,
               a.travel_done, a.daily_days, a.daily_done, a.streak_days);
    } else {
        printf("Recovery adherence, %s to %s\n", f, t);
        printf("  %-16s %u of %u done, %u skipped\n", "items", a.done, a.items, a.skipped);
        ratio("hard days", a.hard_done, a.hard_days, "got all their routines");
        ratio("travel days", a.travel_done, a.travel_days, "got the whole sequence");
        ratio("daily routine", a.daily_done, a.daily_days, "days");
        printf("  %-16s %u day%s in a row\n", "daily streak", a.streak_days,
               a.streak_days == 1 ? "" : "s");
    }
    pl_plan_release(&plan);
out:
    free(ms.v);
    pl_store_close(s);
    pl_protocol_free(pr);
    return status;
}
