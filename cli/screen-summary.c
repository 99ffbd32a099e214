/*
 * screen-summary.c - `pliant screen --summary`: the one-page summary of a
 * stored self-screen for the therapist.
 *
 * It gathers what the library's summary shows (lib/render/summary.c) out of the
 * store: the screen and the one before it, the load of the 28 days up to
 * the screen (pl_load_compute), the activities of those days, and the
 * marks (pliant done/skip) of the program's items; then prints the
 * subjective note as text, the whole summary as JSON, or writes the HTML
 * page.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Days of load the summary shows, the screen's day included. */
#define SUMMARY_DAYS 28

struct pick_screen {
    int64_t want;                      /* an id, or 0 for the last */
    bool found, has_prev;
    struct pl_screen_record r, prev, last;
    bool any;
};

/* Screens come by day, then id: the one before the chosen one is the
 * previous screen. */
static int on_screen(void *ctx, const struct pl_screen_record *r)
{
    struct pick_screen *p = ctx;
    if (!p->want || r->id == p->want) {
        p->found = true;
        p->r = *r;
        p->has_prev = p->any;
        p->prev = p->last;
        if (p->want)
            return 1;   /* found: stop */
    }
    p->last = *r;
    p->any = true;
    return 0;
}

struct act_sums {
    int32_t from, to;
    uint32_t n;
    double hours, km;
};

static int on_activity(void *ctx, const struct pl_activity *a)
{
    struct act_sums *s = ctx;
    int32_t day = pl_local_day(a->start_s, a->utc_offset_s);
    if (day < s->from || day > s->to)
        return 0;
    s->n++;
    if (isfinite(a->duration_s))
        s->hours += a->duration_s / 3600;
    if (isfinite(a->dist_m))
        s->km += a->dist_m / 1000;
    return 0;
}

struct marks {
    size_t n, cap;
    struct pl_plan_mark *v;
    bool oom;
};

static int on_mark(void *ctx, const struct pl_plan_mark *m)
{
    struct marks *k = ctx;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 32;
        struct pl_plan_mark *v = realloc(k->v, cap * sizeof *v);
        if (!v) {
            k->oom = true;
            return 1;
        }
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = *m;
    return 0;
}

/* The mark of the routine of a program on a day: item ids are
 * "DATE.RULE.ROUTINE" with ".am" or ".pm" for twice-daily ones
 * (lib/recovery/plan.c). 0 when not marked. */
static uint8_t routine_mark(const struct marks *k, int32_t day, const char *routine,
                            const char *suffix)
{
    char tail[128];
    snprintf(tail, sizeof tail, ".%s%s", routine, suffix);
    size_t lt = strlen(tail);
    for (size_t i = 0; i < k->n; i++) {
        const struct pl_plan_mark *m = &k->v[i];
        size_t li = strlen(m->item_id);
        if (m->day == day && li > lt && strcmp(m->item_id + li - lt, tail) == 0)
            return m->status;
    }
    return 0;
}

static uint8_t session_mark(const struct marks *k, const struct pl_screen_session *ss)
{
    size_t done = 0, skipped = 0;
    for (size_t i = 0; i < ss->nroutines; i++) {
        uint8_t m = routine_mark(k, ss->day, ss->routines[i]->id, ss->evening ? ".pm" : ".am");
        done += m == PL_MARK_DONE;
        skipped += m == PL_MARK_SKIPPED;
    }
    return skipped ? PL_PROGRAM_SKIPPED
         : ss->nroutines && done == ss->nroutines ? PL_PROGRAM_DONE
         : done ? PL_PROGRAM_PARTLY : PL_PROGRAM_OPEN;
}

static const char *program_mark_name(uint8_t m)
{
    return m == PL_PROGRAM_DONE ? "done" : m == PL_PROGRAM_SKIPPED ? "skipped"
         : m == PL_PROGRAM_PARTLY ? "partly" : "open";
}

static void json_day(int32_t day)
{
    char d[16];
    pl_day_format(day, d, sizeof d);
    printf("\"%s\"", d);
}

/* The reasons of one kind ("hard: ...") as JSON strings, label cut. */
struct reason_out {
    const char *prefix;
    size_t n;
};

static void print_reason(void *ctx, const char *p, size_t len)
{
    struct reason_out *o = ctx;
    size_t lp = strlen(o->prefix);
    if (len <= lp || strncmp(p, o->prefix, lp) != 0)
        return;
    printf("%s", o->n++ ? ", " : "");
    json_str(stdout, p + lp, len - lp);
}

/* The days of one kind with their reasons of that kind. */
static void json_days(const struct pl_screen_summary *s, unsigned flag, const char *prefix)
{
    printf("[");
    size_t k = 0;
    for (size_t i = 0; i < s->ndays; i++) {
        const struct pl_day *d = &s->days[i];
        if (!(d->flags & flag))
            continue;
        printf("%s{\"date\": ", k++ ? ", " : "");
        json_day(d->date);
        printf(", \"reasons\": [");
        struct reason_out o = { prefix, 0 };
        pl_reasons_each(d->reasons, strnlen(d->reasons, sizeof d->reasons), print_reason, &o);
        printf("]}");
    }
    printf("]");
}

static void print_json(const struct pl_screen_summary *s, const struct pl_body_mark *marks,
                       size_t nmarks, const char *note, const char *html_path)
{
    const struct pl_screen_result *r = s->result;
    const struct pl_screening *sc = s->screening;
    printf("{\"screen\": {\"id\": %lld, \"date\": ", (long long)s->record->id);
    json_day(s->record->day);
    printf(", \"protocol\": ");
    json_cstr(stdout, s->record->protocol);
    printf(", \"stopped\": %s, \"urgent\": %s, \"indicated\": %s, \"strength\": \"%s\", "
           "\"score\": %u}",
           r->stopped ? "true" : "false", r->urgent ? "true" : "false",
           r->indicated ? "true" : "false", pl_screen_strength_name(r->strength), r->score);
    printf(",\n \"athlete\": ");
    if (s->athlete && s->athlete[0])
        json_cstr(stdout, s->athlete);
    else
        printf("null");
    printf(",\n \"answers\": [");
    for (size_t i = 0; i < sc->n; i++) {
        const struct pl_screen_question *q = &sc->q[i];
        printf("%s{\"id\": ", i ? ", " : "");
        json_cstr(stdout, q->id);
        printf(", \"part\": \"%s\", \"question\": ", pl_screen_part_name(q->part));
        json_cstr(stdout, q->question);
        printf(", \"answer\": ");
        /* After a warning sign nothing more was asked. */
        if (s->answers->a[i] && (!r->stopped || q->part == PL_SCREEN_RED_FLAG))
            json_cstr(stdout, pl_answer_name(s->answers->a[i]));
        else
            printf("null");
        printf("}");
    }
    printf("],\n \"flags\": [");
    for (size_t i = 0, k = 0; i < r->nflags; i++) {
        const struct pl_screen_question *q = &sc->q[r->flags[i].q];
        if (r->stopped && q->part != PL_SCREEN_RED_FLAG)
            continue;
        printf("%s{\"id\": ", k++ ? ", " : "");
        json_cstr(stdout, q->id);
        printf(", \"part\": \"%s\", \"why\": ", pl_screen_part_name(q->part));
        json_cstr(stdout, r->flags[i].why);
        if (q->part == PL_SCREEN_AREA) {
            printf(", \"area\": ");
            json_cstr(stdout, q->area->id);
        }
        printf("}");
    }
    printf("],\n \"body_map\": [");
    for (size_t i = 0; i < nmarks; i++) {
        printf("%s{\"region\": ", i ? ", " : "");
        json_cstr(stdout, marks[i].region);
        printf(", \"name\": ");
        json_cstr(stdout, marks[i].label ? marks[i].label : marks[i].region);
        printf(", \"tone\": \"%s\", \"on_map\": %s}",
               marks[i].tone == PL_BODY_WARNING ? "warning" : "flagged",
               pl_body_region_known(marks[i].region) ? "true" : "false");
    }
    printf("],\n \"load\": {\"from\": ");
    if (s->ndays)
        json_day(s->days[0].date);
    else
        printf("null");
    printf(", \"to\": ");
    json_day(s->record->day);
    double load = 0;
    for (size_t i = 0; i < s->ndays; i++)
        if (isfinite(s->days[i].load))
            load += s->days[i].load;
    printf(", \"activities\": %u, \"km\": ", s->activities);
    json_num(stdout, s->km, 1);
    printf(", \"hours\": ");
    json_num(stdout, s->hours, 1);
    printf(", \"load\": ");
    json_num(stdout, load, 0);
    const struct pl_day *last = s->ndays ? &s->days[s->ndays - 1] : NULL;
    printf(", \"ctl\": ");
    json_num(stdout, last ? last->ctl : NAN, 1);
    printf(", \"atl\": ");
    json_num(stdout, last ? last->atl : NAN, 1);
    printf(", \"tsb\": ");
    json_num(stdout, last ? last->tsb : NAN, 1);
    printf(",\n   \"hard_days\": ");
    json_days(s, PL_DAY_HARD, "hard: ");
    printf(",\n   \"races\": ");
    json_days(s, PL_DAY_RACE, "race: ");
    printf(",\n   \"trips\": ");
    json_days(s, PL_DAY_TRAVEL, "travel: ");
    printf("},\n \"program\": ");
    if (!r->nsessions) {
        printf("null");
    } else {
        size_t done = 0;
        printf("{\"sessions\": [");
        for (size_t i = 0; i < r->nsessions; i++) {
            const struct pl_screen_session *ss = &r->sessions[i];
            printf("%s{\"date\": ", i ? ", " : "");
            json_day(ss->day);
            printf(", \"time\": \"%02d:%02d\", \"evening\": %s, \"routines\": [",
                   ss->minute / 60, ss->minute % 60, ss->evening ? "true" : "false");
            for (size_t k = 0; k < ss->nroutines; k++) {
                printf("%s", k ? ", " : "");
                json_cstr(stdout, ss->routines[k]->id);
            }
            printf("], \"mark\": \"%s\"}", program_mark_name(s->session_marks[i]));
            done += s->session_marks[i] == PL_PROGRAM_DONE;
        }
        printf("], \"done\": %zu, \"then\": ", done);
        if (r->then) {
            printf("{\"date\": ");
            json_day(r->then_day);
            printf(", \"routine\": ");
            json_cstr(stdout, r->then->id);
            printf(", \"mark\": \"%s\"}", program_mark_name(s->then_mark));
        } else {
            printf("null");
        }
        printf("}");
    }
    printf(",\n \"since\": ");
    if (!s->previous) {
        printf("null");
    } else {
        struct pl_screen_answers before;
        pl_screen_answers_init(&before);
        pl_screen_record_answers(sc, s->previous, &before);
        bool compared = !r->stopped && !s->previous->stopped;
        printf("{\"id\": %lld, \"date\": ", (long long)s->previous->id);
        json_day(s->previous->day);
        printf(", \"compared\": %s", compared ? "true" : "false");
        size_t idx[PL_SCREEN_QUESTIONS_MAX];
        for (int g = 1; g >= 0; g--) {
            size_t n = compared ? pl_screen_changes(sc, s->answers, &before, g, idx) : 0;
            printf(", \"%s\": [", g ? "new" : "gone");
            for (size_t i = 0; i < n; i++) {
                printf("%s", i ? ", " : "");
                json_cstr(stdout, sc->q[idx[i]].id);
            }
            printf("]");
        }
        printf("}");
    }
    printf(",\n \"subjective\": ");
    json_cstr(stdout, note);
    printf(",\n \"html\": ");
    if (html_path)
        json_cstr(stdout, html_path);
    else
        printf("null");
    printf("}\n");
}

int screen_summary(const struct screen_summary_opts *o)
{
    struct pl_protocol *pr = NULL;
    struct pl_store *st = NULL;
    struct pl_screening *sc = calloc(1, sizeof *sc);
    struct pl_screen_result *r = calloc(1, sizeof *r);
    struct pick_screen *pick = calloc(1, sizeof *pick);
    struct pl_load load = { 0 };
    struct marks mk = { 0 };
    char *note = NULL, *html = NULL;
    int status = EXIT_NOTHING, rc;
    struct pl_diag d;
    pl_diag_clear(&d);
    if (!sc || !r || !pick) {
        error_msg("out of memory");
        goto out;
    }
    if ((rc = open_store_for_reading(o->db, &st)) != 0) {
        status = rc;
        goto out;
    }
    pick->want = o->id;
    rc = pl_screen_list(st, on_screen, pick, &d);
    if (rc != PL_OK && rc != PL_ECANCELED) {
        error_msg("cannot read the screens: %s", d.msg);
        goto out;
    }
    if (!pick->found) {
        if (o->id)
            error_msg("no screen #%lld: 'pliant screen --history' lists them", (long long)o->id);
        else
            error_msg("no screens yet: run 'pliant screen' first");
        goto out;
    }
    if ((rc = load_protocol(o->proto, &pr)) != 0) {
        status = rc;
        goto out;
    }
    if (strcmp(pick->r.protocol, pl_protocol_id(pr)) != 0)
        warning_msg("screen #%lld was taken with protocol '%s'; summarising it with '%s'",
                    (long long)pick->r.id, pick->r.protocol, pl_protocol_id(pr));
    if (pl_screening_read(pr, sc, NULL, NULL, &d) != PL_OK) {
        error_msg("%s: %s", o->proto ? o->proto : "the protocol", d.msg);
        goto out;
    }
    struct pl_screen_answers a;
    pl_screen_answers_init(&a);
    size_t unknown = pl_screen_record_answers(sc, &pick->r, &a);
    if (unknown)
        warning_msg("screen #%lld has %zu answers this protocol no longer asks",
                    (long long)pick->r.id, unknown);
    pl_screen_evaluate(sc, &a, r);

    struct pl_screen_summary s;
    memset(&s, 0, sizeof s);
    s.protocol = pr;
    s.screening = sc;
    s.record = &pick->r;
    s.answers = &a;
    s.result = r;
    s.previous = pick->has_prev ? &pick->prev : NULL;
    s.athlete = o->name;
    s.today = today_local();
    s.made_s = (int64_t)time(NULL);

    /* The load of the 28 days to the screen. */
    int32_t day = pick->r.day, from = day - (SUMMARY_DAYS - 1);
    rc = pl_load_compute(st, NULL, day, &load, &d);
    if (rc != PL_OK) {
        error_msg("cannot compute the load: %s", d.msg);
        goto out;
    }
    if (load.ndays && load.days[load.ndays - 1].date >= from) {
        size_t i0 = pl_days_index(&load, from), i1 = pl_days_index(&load, day + 1);
        s.days = load.days + i0;
        s.ndays = i1 - i0;
    }
    struct act_sums as = { from, day, 0, 0, 0 };
    struct pl_store_query q = { (int64_t)(from - 1) * 86400, (int64_t)(day + 2) * 86400, -1 };
    if ((rc = pl_store_list(st, &q, on_activity, &as, &d)) != PL_OK) {
        error_msg("cannot list the activities: %s", d.msg);
        goto out;
    }
    s.activities = as.n;
    s.hours = as.hours;
    s.km = as.km;

    /* How the program went. */
    if (r->nsessions) {
        int32_t last = r->then ? r->then_day : r->sessions[r->nsessions - 1].day;
        rc = pl_plan_mark_list(st, r->sessions[0].day, last, on_mark, &mk, &d);
        if (rc != PL_OK || mk.oom) {
            error_msg("cannot read the marks: %s", mk.oom ? "out of memory" : d.msg);
            goto out;
        }
        for (size_t i = 0; i < r->nsessions; i++)
            s.session_marks[i] = session_mark(&mk, &r->sessions[i]);
        if (r->then) {
            uint8_t m = routine_mark(&mk, r->then_day, r->then->id, "");
            s.then_mark = m == PL_MARK_DONE ? PL_PROGRAM_DONE
                        : m == PL_MARK_SKIPPED ? PL_PROGRAM_SKIPPED : PL_PROGRAM_OPEN;
        }
    }

    size_t nn;
    if (pl_screen_summary_text(&s, &note, &nn, &d) != PL_OK) {
        error_msg("cannot write the summary: %s", d.msg);
        goto out;
    }
    if (o->html) {
        size_t hn;
        if (pl_screen_summary_html(&s, &html, &hn, &d) != PL_OK) {
            error_msg("cannot write the summary: %s", d.msg);
            goto out;
        }
        if ((rc = write_output(o->html, "the summary", html, hn)) != 0) {
            status = rc;
            goto out;
        }
    }
    if (o->json) {
        struct pl_body_mark marks[PL_BODY_MARKS_MAX];
        size_t nmarks = pl_screen_summary_marks(&s, marks);
        print_json(&s, marks, nmarks, note, o->html);
    } else if (!o->html) {
        fputs(note, stdout);
    } else if (strcmp(o->html, "-") != 0) {
        char dd[16];
        pl_day_format(pick->r.day, dd, sizeof dd);
        printf("The summary of screen #%lld (%s) is in %s\n", (long long)pick->r.id, dd,
               o->html);
    }
    status = 0;
out:
    pl_free(html);
    pl_free(note);
    free(mk.v);
    pl_load_release(&load);
    if (st)
        pl_store_close(st);
    pl_protocol_free(pr);
    free(pick);
    free(r);
    free(sc);
    return status;
}
