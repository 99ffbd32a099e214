/*
 * test-plan.c - the planner's placement, on hand-built rules and days: no
 * overlaps, the travel-day order, the window before an evening run, no
 * deep tissue in the 24 hours before a race, reasons with the facts,
 * predicted runs, and the same plan for the same input.
 *
 * The rules are built here, not read from a protocol file, so that these
 * tests depend on the placement alone (lib/recovery/plan.h is the planner's view of
 * a protocol).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recovery/plan.h"

/* 2026-03-16, a Monday (2026-01-05 = 20458 is one). */
enum { MON = 20458 + 70, TUE, WED, THU, FRI, SAT, SUN };

static const struct pl_plan_step flush_steps[] = {
    { "Hamstring origin", 180, 0, 0, "slow strokes up to the sit bone" },
    { "Hamstrings", 300, 0, 0, "long strokes towards the heart" },
    { "Glutes", 240, 0, 0, "palm and forearm" },
    { "Whole back", 300, 0, 0, "both sides of the spine" },
};
static const char *const flush_covers[] = { "D2", "D3", "E1" };

static const struct pl__routine R[] = {
    { "shower", "Hot shower or Epsom soak", "heat", 15, "", "", 0, NULL, 0, NULL },
    { "flush", "Flush massage", "self-massage", 20, "", "", 4, flush_steps, 3, flush_covers },
    { "water", "Drink water", "hydration", 5, "", "", 0, NULL, 0, NULL },
    { "food", "Anti-inflammatory foods", "nutrition", 10, "arnica on the skin only", "", 0, NULL, 0,
      NULL },
    { "deep", "Deep tissue session", "massage", 45, "", "", 0, NULL, 0, NULL },
    { "daily", "Daily mobility", "mobility", 15, "", "", 0, NULL, 0, NULL },
    { "five", "The five contributors", "strength", 20, "", "", 0, NULL, 0, NULL },
};
enum { SHOWER, FLUSH, WATER, FOOD, DEEP, DAILY, FIVE };

static const struct pl__routine *const travel_seq[] = { &R[SHOWER], &R[FLUSH], &R[WATER], &R[FOOD] };
static const struct pl__routine *const deep_seq[] = { &R[DEEP] };
static const struct pl__routine *const hard_seq[] = { &R[FLUSH], &R[SHOWER] };
static const struct pl__routine *const daily_seq[] = { &R[DAILY] };
static const struct pl__routine *const five_seq[] = { &R[FIVE] };

/* The travel rule in two segments, as a protocol's rule with a "before
 * the evening run" entry becomes. */
static const struct pl__rule rules_v[] = {
    { "travel", PL__TRIG_TRAVEL, PL__TIME_AFTER, PL__TRIG_TRAVEL, 0, 180, 0, { -1, -1 }, 4,
      travel_seq },
    { "travel", PL__TRIG_TRAVEL, PL__TIME_BEFORE, PL__TRIG_EVENING, 40, 60, 0, { -1, -1 }, 1,
      deep_seq },
    { "hard", PL__TRIG_HARD, PL__TIME_AFTER, PL__TRIG_HARD, 0, 120, 0, { -1, -1 }, 2, hard_seq },
    { "daily", PL__TRIG_DAILY, PL__TIME_DAILY, 0, 0, 0, 0, { -1, -1 }, 1, daily_seq },
    { "recovery", PL__TRIG_RECOVERY, PL__TIME_TWICE_DAILY, 0, 0, 0, 2, { -1, -1 }, 1, five_seq },
};
static const char *const deep_ids[] = { "deep" };
static const struct pl__constraint cons_v[] = {
    { PL__TRIG_RACE, 24 * 60, 0, 1, deep_ids, 0, NULL, NULL,
      "nothing deep in the 24 h before a race" },
};
static const struct pl__rules RULES = { PL_ARRAY_LEN(rules_v), rules_v, PL_ARRAY_LEN(cons_v),
                                        cons_v };

static struct pl_plan_session session(int32_t day, int h, int m, int minutes, int source,
                                      unsigned flags, const char *name)
{
    struct pl_plan_session s;
    memset(&s, 0, sizeof s);
    s.day = day;
    s.minute = h * 60 + m;
    s.minutes = minutes;
    s.source = (uint8_t)source;
    s.flags = flags;
    s.intensity_factor = s.hrss = s.dist_km = NAN;
    snprintf(s.name, sizeof s.name, "%s", name);
    return s;
}

static struct pl_plan_trip trip(int32_t day, int arrive, double km)
{
    struct pl_plan_trip t;
    memset(&t, 0, sizeof t);
    t.day = day;
    t.arrive_minute = arrive;
    t.dist_km = km;
    t.declared = true;
    return t;
}

static void make(const struct pl_plan_input *in, struct pl_plan *p)
{
    struct pl_diag d;
    pl_diag_clear(&d);
    if (pl__plan_rules(&RULES, in, p, &d) != PL_OK)
        fail_msg("plan: %s", d.msg);
}

static const struct pl_plan_item *find(const struct pl_plan *p, int32_t day, const char *routine)
{
    for (size_t i = 0; i < p->nitems; i++)
        if (p->items[i].day == day && strcmp(p->items[i].routine, routine) == 0)
            return &p->items[i];
    return NULL;
}

static void no_overlaps(const struct pl_plan *p, const struct pl_plan_input *in)
{
    for (size_t i = 0; i < p->nitems; i++) {
        const struct pl_plan_item *a = &p->items[i];
        assert_true(a->start_s < a->end_s);
        for (size_t j = i + 1; j < p->nitems; j++) {
            const struct pl_plan_item *b = &p->items[j];
            if (a->start_s < b->end_s && b->start_s < a->end_s)
                fail_msg("%s overlaps %s", a->id, b->id);
        }
        for (size_t k = 0; k < in->nsessions; k++) {
            const struct pl_plan_session *s = &in->sessions[k];
            int64_t sa = ((int64_t)s->day * 1440 + s->minute) * 60 - in->utc_offset_s;
            if (a->start_s < sa + s->minutes * 60 && sa < a->end_s)
                fail_msg("%s overlaps a session", a->id);
        }
    }
}

/* A week: a hard Tuesday, a trip on Thursday with an evening run. */
static void week(struct pl_plan_input *in, struct pl_plan_session *ss, size_t *ns,
                 struct pl_plan_trip *tt)
{
    pl_plan_input_init(in);
    in->from_day = MON;
    in->today = MON;
    in->ndays = 7;
    in->utc_offset_s = 3600;
    size_t n = 0;
    ss[n] = session(TUE, 18, 0, 70, PL_SESSION_DECLARED, PL_ACT_HARD | PL_ACT_EVENING, "Intervals");
    n++;
    ss[n++] = session(THU, 18, 30, 45, PL_SESSION_DECLARED, PL_ACT_EVENING, "Easy run");
    ss[n++] = session(SAT, 8, 0, 50, PL_SESSION_DECLARED, 0, "Easy run");
    *ns = n;
    tt[0] = trip(THU, 11 * 60, 640);
    in->sessions = ss;
    in->nsessions = n;
    in->trips = tt;
    in->ntrips = 1;
}

static void items_never_overlap_each_other_or_sessions(void **state)
{
    (void)state;
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    struct pl_plan p;
    make(&in, &p);
    assert_true(p.nitems >= 7 + 4 + 1 + 2);
    no_overlaps(&p, &in);
    for (size_t i = 1; i < p.nitems; i++)
        assert_true(p.items[i - 1].start_s <= p.items[i].start_s);
    pl_plan_release(&p);
}

static void travel_day_goes_soak_flush_water_food_then_deep_tissue(void **state)
{
    (void)state;
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    struct pl_plan p;
    make(&in, &p);
    const char *order[] = { "shower", "flush", "water", "food", "deep" };
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < PL_ARRAY_LEN(order); i++) {
        const struct pl_plan_item *it = find(&p, THU, order[i]);
        if (!it)
            fail_msg("no %s on the travel day", order[i]);
        assert_true(it->start_s >= prev);
        prev = it->end_s;
    }
    /* The soak starts at arrival (11:00 local). */
    assert_int_equal(find(&p, THU, "shower")->start_minute, 11 * 60);
    pl_plan_release(&p);
}

static void deep_tissue_ends_40_to_60_minutes_before_the_evening_run(void **state)
{
    (void)state;
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    struct pl_plan p;
    make(&in, &p);
    const struct pl_plan_item *deep = find(&p, THU, "deep");
    assert_non_null(deep);
    int gap = 18 * 60 + 30 - deep->end_minute;
    assert_true(gap >= 40 && gap <= 60);
    assert_non_null(strstr(deep->reason, "before today's Easy run at 18:30"));
    assert_non_null(strstr(deep->reason, "about 640 km today"));
    /* Only on the travel day: Tuesday's evening run gets none. */
    assert_null(find(&p, TUE, "deep"));
    pl_plan_release(&p);
}

static void no_deep_tissue_in_the_24_hours_before_a_race(void **state)
{
    (void)state;
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    ss[ns++] = session(FRI, 9, 0, 100, PL_SESSION_DECLARED, PL_ACT_RACE, "City Half");
    in.nsessions = ns;
    struct pl_plan p;
    make(&in, &p);
    assert_null(find(&p, THU, "deep"));
    bool noted = false;
    for (size_t i = 0; i < p.nnotes; i++)
        noted |= p.notes[i].day == THU && strstr(p.notes[i].text, "no Deep tissue session") &&
                 strstr(p.notes[i].text, "race tomorrow at 09:00");
    assert_true(noted);
    /* The rest of the travel sequence is still there, and the reasons name
     * the race. */
    assert_non_null(find(&p, THU, "flush"));
    assert_non_null(strstr(find(&p, THU, "flush")->reason, "race tomorrow"));
    for (size_t i = 0; i < p.nitems; i++)
        if (strcmp(p.items[i].routine, "deep") == 0) {
            int64_t race = ((int64_t)FRI * 1440 + 9 * 60) * 60 - in.utc_offset_s;
            assert_true(p.items[i].end_s <= race - 24 * 3600 || p.items[i].start_s >= race);
        }
    no_overlaps(&p, &in);
    pl_plan_release(&p);
}

static void a_hard_session_gets_its_flush_with_the_facts(void **state)
{
    (void)state;
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    ss[0].source = PL_SESSION_DONE;
    ss[0].intensity_factor = 0.91;
    ss[0].hrss = 112;
    in.today = WED;
    struct pl_plan p;
    make(&in, &p);
    const struct pl_plan_item *f = find(&p, TUE, "flush"), *s = find(&p, TUE, "shower");
    assert_non_null(f);
    assert_non_null(s);
    assert_int_equal(f->start_minute, 19 * 60 + 10);   /* as the run ends */
    assert_true(s->start_s >= f->end_s);               /* then the shower */
    assert_string_equal(f->reason, "after today's Intervals (IF 0.91, HRSS 112)");
    assert_string_equal(f->id, "2026-03-17.hard.flush");
    assert_string_equal(f->trigger, "hard-session");
    assert_int_equal(f->nsteps, 4);
    assert_string_equal(f->steps[0].area, "Hamstring origin");
    assert_int_equal(f->ncovers, 3);
    pl_plan_release(&p);
}

static void the_habit_predicts_evening_runs_marked_predicted(void **state)
{
    (void)state;
    struct pl_plan_input in;
    pl_plan_input_init(&in);
    in.from_day = MON;
    in.today = MON;
    in.ndays = 7;
    in.evening_weekdays = 1u << 2 | 1u << 3;     /* Wednesday, Thursday */
    in.habit_minute = 18 * 60 + 30;
    struct pl_plan_trip tt[1] = { trip(WED, -1, 300) };
    in.trips = tt;
    in.ntrips = 1;
    struct pl_plan p;
    make(&in, &p);
    /* Deep tissue before the predicted run of the travel day, marked
     * predicted, with the assumption said; none on Thursday. */
    const struct pl_plan_item *deep = find(&p, WED, "deep");
    assert_non_null(deep);
    assert_true(deep->predicted);
    assert_non_null(strstr(deep->reason, "predicted: you usually run on Wednesday evenings"));
    assert_non_null(strstr(deep->reason, "you travel about 300 km today"));
    assert_int_equal(18 * 60 + 30 - deep->end_minute, 40);
    assert_null(find(&p, THU, "deep"));
    const struct pl_plan_item *sh = find(&p, WED, "shower");
    assert_non_null(sh);
    assert_int_equal(sh->start_minute, 12 * 60);
    assert_non_null(strstr(sh->reason, "arrival time unknown"));
    pl_plan_release(&p);
}

static void recovery_needed_adds_the_twice_daily_routine(void **state)
{
    (void)state;
    struct pl_plan_input in;
    pl_plan_input_init(&in);
    in.from_day = MON;
    in.today = MON;
    in.ndays = 3;
    struct pl_day dd;
    memset(&dd, 0, sizeof dd);
    dd.date = MON - 1;
    dd.flags = PL_DAY_RECOVERY_NEEDED;
    snprintf(dd.reasons, sizeof dd.reasons, "recovery: form -34 below -30");
    in.days = &dd;
    in.ndays_known = 1;
    struct pl_plan p;
    make(&in, &p);
    int n = 0;
    for (size_t i = 0; i < p.nitems; i++)
        if (strcmp(p.items[i].routine, "five") == 0) {
            n++;
            assert_non_null(strstr(p.items[i].reason, "recovery needed (recovery: form -34"));
        }
    assert_int_equal(n, 4);   /* twice a day for two days */
    assert_non_null(strstr(p.items[0].id, "2026-03-16."));
    pl_plan_release(&p);
}

static bool same_plan(const struct pl_plan *a, const struct pl_plan *b)
{
    if (a->nitems != b->nitems || a->nnotes != b->nnotes)
        return false;
    for (size_t i = 0; i < a->nitems; i++)
        if (strcmp(a->items[i].id, b->items[i].id) || a->items[i].start_s != b->items[i].start_s ||
            a->items[i].end_s != b->items[i].end_s ||
            strcmp(a->items[i].reason, b->items[i].reason))
            return false;
    for (size_t i = 0; i < a->nnotes; i++)
        if (strcmp(a->notes[i].text, b->notes[i].text))
            return false;
    return true;
}

static void the_same_input_gives_the_same_plan_in_any_order(void **state)
{
    (void)state;
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    struct pl_plan a, b, c;
    make(&in, &a);
    make(&in, &b);
    assert_true(same_plan(&a, &b));
    struct pl_plan_session rev[8];
    for (size_t i = 0; i < ns; i++)
        rev[i] = ss[ns - 1 - i];
    in.sessions = rev;
    make(&in, &c);
    assert_true(same_plan(&a, &c));
    /* Ids are unique. */
    for (size_t i = 0; i < a.nitems; i++)
        for (size_t j = i + 1; j < a.nitems; j++)
            assert_string_not_equal(a.items[i].id, a.items[j].id);
    pl_plan_release(&a);
    pl_plan_release(&b);
    pl_plan_release(&c);
}

static void bad_input_is_refused_with_the_field_named(void **state)
{
    (void)state;
    struct pl_plan_input in;
    pl_plan_input_init(&in);
    in.ndays = 0;
    struct pl_plan p;
    struct pl_diag d;
    pl_diag_clear(&d);
    assert_int_equal(pl__plan_rules(&RULES, &in, &p, &d), PL_EINVAL);
    assert_non_null(strstr(d.msg, "ndays"));
    assert_int_equal(p.nitems, 0);
    in.ndays = 3;
    struct pl_plan_session s = session(MON, 10, 0, 30, PL_SESSION_DONE, 0, "");
    s.minute = 1440;
    in.sessions = &s;
    in.nsessions = 1;
    assert_int_equal(pl__plan_rules(&RULES, &in, &p, &d), PL_EINVAL);
    assert_non_null(strstr(d.msg, "sessions[0]"));
}


/* The same through the public API: a protocol parsed from YAML, planned
 * with pl_plan_make. */
static const char yaml[] =
    "id: t\n"
    "title: T\n"
    "safety: { note: Not a diagnosis. }\n"
    "areas:\n"
    "  - { id: ho, name: Hamstring origin }\n"
    "  - { id: gl, name: Glutes }\n"
    "routines:\n"
    "  - { id: soak, title: Soak, kind: heat, steps: [{ name: Soak, duration: 15 min, how: hot }] }\n"
    "  - id: flush\n"
    "    title: Flush\n"
    "    kind: massage\n"
    "    covers: [D2]\n"
    "    steps:\n"
    "      - { area: ho, duration: 3 min, how: brisk }\n"
    "      - { area: gl, duration: 4 min, how: circles }\n"
    "  - { id: water, title: Water, kind: hydration, steps: [{ name: Water, how: drink }] }\n"
    "  - { id: deep, title: Deep, kind: massage, steps: [{ area: ho, duration: 30 min, how: slow }] }\n"
    "rules:\n"
    "  - id: travel\n"
    "    trigger: travel\n"
    "    covers: [D1]\n"
    "    routines:\n"
    "      - { routine: soak, at: after, window: [0 min, 3 h] }\n"
    "      - flush\n"
    "      - water\n"
    "      - { routine: deep, at: before, of: evening-run, window: [40 min, 60 min] }\n"
    "constraints:\n"
    "  - { id: race, avoid: before, of: race, within: 24 h, routines: [deep] }\n";

static void a_parsed_protocol_plans_the_travel_day_in_order(void **state)
{
    (void)state;
    struct pl_protocol *pr;
    struct pl_diag d;
    if (pl_protocol_parse(yaml, sizeof yaml - 1, &pr, NULL, NULL, &d) != PL_OK)
        fail_msg("protocol: %u:%u: %s", d.line, d.col, d.msg);
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    struct pl_plan p, q;
    assert_int_equal(pl_plan_make(pr, &in, &p, &d), PL_OK);
    const char *order[] = { "soak", "flush", "water", "deep" };
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < PL_ARRAY_LEN(order); i++) {
        const struct pl_plan_item *it = find(&p, THU, order[i]);
        if (!it)
            fail_msg("no %s on the travel day", order[i]);
        assert_true(it->start_s >= prev);
        assert_string_equal(it->trigger, "travel");
        prev = it->end_s;
    }
    const struct pl_plan_item *fl = find(&p, THU, "flush"), *dp = find(&p, THU, "deep");
    assert_string_equal(fl->id, "2026-03-19.travel.flush");
    assert_int_equal(fl->nsteps, 2);
    assert_string_equal(fl->steps[0].area, "Hamstring origin");
    assert_int_equal(fl->steps[0].duration_s, 180);
    assert_int_equal(fl->ncovers, 2);     /* the routine's D2, the rule's D1 */
    assert_string_equal(fl->covers[1], "D1");
    assert_int_equal(fl->end_minute - fl->start_minute, 10);   /* 7 min on the grid */
    int gap = 18 * 60 + 30 - dp->end_minute;
    assert_true(gap >= 40 && gap <= 60);
    no_overlaps(&p, &in);
    /* Again: the same plan. */
    assert_int_equal(pl_plan_make(pr, &in, &q, &d), PL_OK);
    assert_true(same_plan(&p, &q));
    pl_plan_release(&q);
    pl_plan_release(&p);
    /* With a race the next morning the deep work goes, with a note. */
    ss[ns++] = session(FRI, 9, 0, 100, PL_SESSION_DECLARED, PL_ACT_RACE, "City Half");
    in.nsessions = ns;
    assert_int_equal(pl_plan_make(pr, &in, &p, &d), PL_OK);
    assert_null(find(&p, THU, "deep"));
    assert_true(p.nnotes >= 1);
    pl_plan_release(&p);
    pl_protocol_free(pr);
}

/* Fail the N-th allocation, for every N a clean run makes: each failure
 * is PL_ENOMEM with an empty plan, and nothing leaks (ASan checks). */
static long alloc_left;
static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return alloc_left-- > 0 ? malloc(n) : NULL;
}
static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return alloc_left-- > 0 ? realloc(p, n) : NULL;
}
static void plain_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void every_failed_allocation_is_enomem_and_leaks_nothing(void **state)
{
    (void)state;
    struct pl_protocol *pr;
    struct pl_diag d;
    assert_int_equal(pl_protocol_parse(yaml, sizeof yaml - 1, &pr, NULL, NULL, &d), PL_OK);
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    in.evening_weekdays = 0x7f;
    in.ndays = 14;
    const struct pl_allocator al = { fail_malloc, fail_realloc, plain_free, NULL };
    bool finished = false;
    for (long n = 0; n < 10000 && !finished; n++) {
        alloc_left = n;
        pl_set_allocator(&al);
        struct pl_plan p;
        int rc = pl_plan_make(pr, &in, &p, &d);
        pl_set_allocator(NULL);
        if (rc == PL_OK) {
            assert_true(p.nitems > 0);
            finished = true;
        } else {
            assert_int_equal(rc, PL_ENOMEM);
            assert_int_equal(p.nitems, 0);
            assert_null(p.items);
        }
        pl_plan_release(&p);
    }
    assert_true(finished);
    pl_protocol_free(pr);
}

/* A constraint sees an event beyond the plan's last day: a race two days
 * after it still keeps deep work out of the 48 hours before. */
static void constraints_see_events_after_the_range(void **state)
{
    (void)state;
    static const struct pl__constraint wide[] = {
        { PL__TRIG_RACE, 48 * 60, 0, 1, deep_ids, 0, NULL, NULL, "nothing deep in 48 h" },
    };
    const struct pl__rules rules = { PL_ARRAY_LEN(rules_v), rules_v, 1, wide };
    struct pl_plan_input in;
    struct pl_plan_session ss[8];
    struct pl_plan_trip tt[2];
    size_t ns;
    week(&in, ss, &ns, tt);
    in.ndays = 4;                                /* Monday to Thursday */
    ss[ns++] = session(SAT, 9, 0, 100, PL_SESSION_DECLARED, PL_ACT_RACE, "City 10k");
    in.nsessions = ns;
    struct pl_plan p;
    struct pl_diag d;
    assert_int_equal(pl__plan_rules(&rules, &in, &p, &d), PL_OK);
    assert_null(find(&p, THU, "deep"));
    pl_plan_release(&p);
    in.nsessions = ns - 1;                       /* no race: it is there */
    assert_int_equal(pl__plan_rules(&rules, &in, &p, &d), PL_OK);
    assert_non_null(find(&p, THU, "deep"));
    pl_plan_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(items_never_overlap_each_other_or_sessions),
        cmocka_unit_test(travel_day_goes_soak_flush_water_food_then_deep_tissue),
        cmocka_unit_test(deep_tissue_ends_40_to_60_minutes_before_the_evening_run),
        cmocka_unit_test(no_deep_tissue_in_the_24_hours_before_a_race),
        cmocka_unit_test(a_hard_session_gets_its_flush_with_the_facts),
        cmocka_unit_test(the_habit_predicts_evening_runs_marked_predicted),
        cmocka_unit_test(recovery_needed_adds_the_twice_daily_routine),
        cmocka_unit_test(the_same_input_gives_the_same_plan_in_any_order),
        cmocka_unit_test(bad_input_is_refused_with_the_field_named),
        cmocka_unit_test(constraints_see_events_after_the_range),
        cmocka_unit_test(a_parsed_protocol_plans_the_travel_day_in_order),
        cmocka_unit_test(every_failed_allocation_is_enomem_and_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
