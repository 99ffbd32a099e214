/*
 * test-adherence.c - marks of plan items in the store (set, replace,
 * list by day) and the adherence counts: hard days and trips whose
 * routines were all done, items done and skipped, the daily streak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pliant.h"

#define PL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { D0 = 20528 };   /* 2026-03-16 */

static struct pl_plan_item item(int32_t day, const char *id, const char *trigger)
{
    struct pl_plan_item it;
    memset(&it, 0, sizeof it);
    it.day = day;
    snprintf(it.id, sizeof it.id, "%s", id);
    it.trigger = trigger;
    it.start_s = (int64_t)day * 86400;
    return it;
}

static struct pl_plan_mark mark(int32_t day, const char *id, int status)
{
    struct pl_plan_mark m;
    memset(&m, 0, sizeof m);
    m.day = day;
    snprintf(m.item_id, sizeof m.item_id, "%s", id);
    m.status = (uint8_t)status;
    return m;
}

static void counts_hard_days_trips_and_the_streak(void **state)
{
    (void)state;
    struct pl_plan_item items[] = {
        item(D0, "d0.daily", "every-day"),
        item(D0, "d0.hard.flush", "hard-session"),
        item(D0, "d0.hard.shower", "hard-session"),
        item(D0 + 1, "d1.daily", "every-day"),
        item(D0 + 1, "d1.travel.soak", "travel"),
        item(D0 + 1, "d1.travel.flush", "travel"),
        item(D0 + 2, "d2.daily", "every-day"),
        item(D0 + 2, "d2.race.flush", "race"),
        item(D0 + 3, "d3.daily", "every-day"),
    };
    struct pl_plan p;
    memset(&p, 0, sizeof p);
    p.from_day = D0;
    p.ndays = 4;
    p.items = items;
    p.nitems = PL_ARRAY_LEN(items);
    struct pl_plan_mark marks[] = {
        mark(D0, "d0.hard.flush", PL_MARK_DONE), mark(D0, "d0.hard.shower", PL_MARK_DONE),
        mark(D0 + 1, "d1.daily", PL_MARK_DONE), mark(D0 + 1, "d1.travel.soak", PL_MARK_DONE),
        mark(D0 + 1, "d1.travel.flush", PL_MARK_SKIPPED), mark(D0 + 2, "d2.daily", PL_MARK_DONE),
    };
    struct pl_adherence a;
    pl_plan_adherence(&p, marks, PL_ARRAY_LEN(marks), &a);
    assert_int_equal(a.items, 9);
    assert_int_equal(a.done, 5);
    assert_int_equal(a.skipped, 1);
    assert_int_equal(a.hard_days, 2);    /* the hard session and the race */
    assert_int_equal(a.hard_done, 1);
    assert_int_equal(a.travel_days, 1);
    assert_int_equal(a.travel_done, 0);  /* the flush was skipped */
    assert_int_equal(a.daily_days, 4);
    assert_int_equal(a.daily_done, 2);
    /* The last day is under way: the streak counts back from the day
     * before it, through D0 + 2 and D0 + 1, and stops at D0. */
    assert_int_equal(a.streak_days, 2);
}


static int collect(void *ctx, const struct pl_plan_mark *m)
{
    struct pl_plan_mark *out = ctx;
    size_t i = 0;
    while (out[i].item_id[0])
        i++;
    out[i] = *m;
    return 0;
}

static void marks_are_kept_replaced_and_listed_by_day(void **state)
{
    (void)state;
    char dir[] = "/tmp/test-adherence-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/s.db", dir);
    struct pl_store *s;
    struct pl_diag d;
    assert_int_equal(pl_store_open(&s, path, &d), PL_OK);
    struct pl_plan_mark a = mark(D0, "2026-03-16.hard.flush", PL_MARK_SKIPPED);
    snprintf(a.why, sizeof a.why, "no time");
    assert_int_equal(pl_plan_mark_set(s, &a, &d), PL_OK);
    struct pl_plan_mark b = mark(D0 + 5, "2026-03-21.daily.care", PL_MARK_DONE);
    assert_int_equal(pl_plan_mark_set(s, &b, &d), PL_OK);
    a.status = PL_MARK_DONE;
    a.why[0] = '\0';
    assert_int_equal(pl_plan_mark_set(s, &a, &d), PL_OK);   /* replaces */
    struct pl_plan_mark got[4];
    memset(got, 0, sizeof got);
    assert_int_equal(pl_plan_mark_list(s, D0, D0 + 1, collect, got, &d), PL_OK);
    assert_string_equal(got[0].item_id, "2026-03-16.hard.flush");
    assert_int_equal(got[0].status, PL_MARK_DONE);
    assert_string_equal(got[0].why, "");
    assert_int_equal(got[1].item_id[0], '\0');
    struct pl_plan_mark bad = mark(D0, "", PL_MARK_DONE);
    assert_int_equal(pl_plan_mark_set(s, &bad, &d), PL_EINVAL);
    bad = mark(D0, "x", 7);
    assert_int_equal(pl_plan_mark_set(s, &bad, &d), PL_EINVAL);
    pl_store_close(s);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_hard_days_trips_and_the_streak),
        cmocka_unit_test(marks_are_kept_replaced_and_listed_by_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
