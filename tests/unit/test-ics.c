/*
 * test-ics.c - a plan as iCalendar, read back with libical: one event per
 * item, stable UIDs, UTC times equal to the items', the reason and steps
 * in the description, categories, and the same bytes for the same plan.
 * (tests/cli/t0702-plan-ics.sh reads the file with python3-icalendar, an
 * independent parser.)
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
#include <libical/ical.h>

#include "recovery/plan.h"

enum { MON = 20458 + 70 };

static const struct pl_plan_step steps[] = {
    { "Hamstring origin", 180, 0, 0, "slow strokes, up to the sit bone; never on a fresh tear" },
    { "Glutes", 240, 0, 0, "palm, then forearm" },
};
static const char *const covers[] = { "D2", "E1" };
static const struct pl__routine R[] = {
    { "flush", "Flush massage", "self-massage", 10, "", "A quick, light massage.", 2, steps, 2,
      covers },
    { "daily", "Daily mobility, \"the basics\"; then a walk", "mobility", 15, "", "", 0, NULL, 0,
      NULL },
};
static const struct pl__routine *const hard_seq[] = { &R[0] };
static const struct pl__routine *const daily_seq[] = { &R[1] };
static const struct pl__rule rules_v[] = {
    { "hard", PL__TRIG_HARD, PL__TIME_AFTER, PL__TRIG_HARD, 0, 120, 0, { -1, -1 }, 1, hard_seq },
    { "daily", PL__TRIG_DAILY, PL__TIME_DAILY, 0, 0, 0, 0, { -1, -1 }, 1, daily_seq },
};
static const struct pl__rules RULES = { 2, rules_v, 0, NULL };

static void plan(struct pl_plan *p)
{
    struct pl_plan_input in;
    pl_plan_input_init(&in);
    in.from_day = MON;
    in.today = MON;
    in.ndays = 3;
    in.utc_offset_s = 2 * 3600;
    struct pl_plan_session s;
    memset(&s, 0, sizeof s);
    s.day = MON + 1;
    s.minute = 18 * 60;
    s.minutes = 60;
    s.source = PL_SESSION_DONE;
    s.flags = PL_ACT_HARD | PL_ACT_EVENING;
    s.intensity_factor = 0.91;
    s.hrss = 112;
    s.dist_km = NAN;
    snprintf(s.name, sizeof s.name, "Intervals");
    in.sessions = &s;
    in.nsessions = 1;
    struct pl_diag d;
    if (pl__plan_rules(&RULES, &in, p, &d) != PL_OK)
        fail_msg("plan: %s", d.msg);
}

static char *ics_of(const struct pl_plan *p)
{
    struct pl_ics_options o = { 1774000000, NULL, "Advice for healthy runners, not a diagnosis." };
    char *s;
    size_t n;
    struct pl_diag d;
    if (pl_plan_ics(p, &o, &s, &n, &d) != PL_OK)
        fail_msg("ics: %s", d.msg);
    assert_int_equal(strlen(s), n);
    return s;
}

static void libical_reads_back_one_event_per_item_in_utc(void **state)
{
    (void)state;
    struct pl_plan p;
    plan(&p);
    assert_int_equal(p.nitems, 4);     /* three daily, one flush */
    char *s = ics_of(&p);
    icalcomponent *cal = icalparser_parse_string(s);
    assert_non_null(cal);
    assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
    size_t n = 0;
    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT), n++) {
        const struct pl_plan_item *it = &p.items[n];
        char uid[160];
        snprintf(uid, sizeof uid, "%s@pliant", it->id);
        assert_string_equal(icalcomponent_get_uid(ev), uid);
        struct icaltimetype a = icalcomponent_get_dtstart(ev), b = icalcomponent_get_dtend(ev);
        assert_true(icaltime_is_utc(a));
        assert_int_equal((int64_t)icaltime_as_timet(a), it->start_s);
        assert_int_equal((int64_t)icaltime_as_timet(b), it->end_s);
        assert_string_equal(icalcomponent_get_summary(ev), it->title);
        const char *desc = icalcomponent_get_description(ev);
        assert_non_null(strstr(desc, it->reason));
        assert_non_null(strstr(desc, "not a diagnosis"));
        int ncat = 0;
        for (icalproperty *c = icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY); c;
             c = icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY))
            ncat++;
        assert_int_equal(ncat, 3);
        if (strcmp(it->routine, "flush") == 0) {
            assert_non_null(strstr(desc, "1. Hamstring origin 3:00 - slow strokes"));
            assert_non_null(strstr(desc, "Protocol items: D2, E1"));
            assert_non_null(strstr(desc, "\nA quick, light massage.\n"));
            assert_non_null(strstr(desc, "after today's Intervals (IF 0.91, HRSS 112)"));
        }
    }
    assert_int_equal(n, p.nitems);
    /* 19:00 local at +02:00 is 17:00Z. */
    assert_non_null(strstr(s, "DTSTART:20260317T170000Z"));
    icalcomponent_free(cal);
    pl_free(s);
    pl_plan_release(&p);
}

static void the_same_plan_gives_the_same_bytes(void **state)
{
    (void)state;
    struct pl_plan a, b;
    plan(&a);
    plan(&b);
    char *x = ics_of(&a), *y = ics_of(&b);
    assert_string_equal(x, y);
    pl_free(x);
    pl_free(y);
    pl_plan_release(&a);
    pl_plan_release(&b);
}

static void write_ics_replaces_the_file_whole(void **state)
{
    (void)state;
    struct pl_plan p;
    plan(&p);
    char path[] = "/tmp/test-ics-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct pl_diag d;
    assert_int_equal(pl_plan_write_ics(&p, NULL, path, &d), PL_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char head[16] = "";
    assert_int_equal(fread(head, 1, 15, f), 15);
    fclose(f);
    assert_string_equal(head, "BEGIN:VCALENDAR");
    remove(path);
    assert_int_equal(pl_plan_write_ics(&p, NULL, "/nonexistent/dir/x.ics", &d), PL_EIO);
    assert_non_null(strstr(d.msg, "/nonexistent/dir/x.ics"));
    pl_plan_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(libical_reads_back_one_event_per_item_in_utc),
        cmocka_unit_test(the_same_plan_gives_the_same_bytes),
        cmocka_unit_test(write_ics_replaces_the_file_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
