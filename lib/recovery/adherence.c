/*
 * adherence.c - how well a plan was followed: counts of items done and
 * skipped, of hard days and trips whose routines were all done, and the
 * streak of days with the daily routine done. "Recovery is part of
 * training": this is what `pliant adherence` shows.
 *
 * A pure function of a plan and its marks; it reads no store.
 */
#include <string.h>

#include "base/internal.h"

static int mark_of(const struct pl_plan_mark *marks, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(marks[i].item_id, id) == 0)
            return marks[i].status;
    return 0;
}

/* Did day get every item of this trigger done? -1: it had none. */
static int day_done(const struct pl_plan *p, const struct pl_plan_mark *marks, size_t n,
                    int32_t day, const char *const *triggers, size_t ntrig)
{
    int any = 0, all = 1;
    for (size_t i = 0; i < p->nitems; i++) {
        const struct pl_plan_item *it = &p->items[i];
        if (it->day != day)
            continue;
        bool match = false;
        for (size_t k = 0; k < ntrig && !match; k++)
            match = strcmp(it->trigger, triggers[k]) == 0;
        if (!match)
            continue;
        any = 1;
        if (mark_of(marks, n, it->id) != PL_MARK_DONE)
            all = 0;
    }
    return any ? all : -1;
}

void pl_plan_adherence(const struct pl_plan *p, const struct pl_plan_mark *marks, size_t n,
                       struct pl_adherence *out)
{
    memset(out, 0, sizeof *out);
    static const char *const hard[] = { "hard-session", "race" };
    static const char *const travel[] = { "travel" };
    static const char *const daily[] = { "every-day" };
    for (size_t i = 0; i < p->nitems; i++) {
        int m = mark_of(marks, n, p->items[i].id);
        out->items++;
        out->done += m == PL_MARK_DONE;
        out->skipped += m == PL_MARK_SKIPPED;
    }
    int32_t last = p->from_day + (int32_t)p->ndays - 1;
    for (int32_t day = p->from_day; day <= last; day++) {
        int h = day_done(p, marks, n, day, hard, 2);
        int t = day_done(p, marks, n, day, travel, 1);
        int d = day_done(p, marks, n, day, daily, 1);
        out->hard_days += h >= 0;
        out->hard_done += h == 1;
        out->travel_days += t >= 0;
        out->travel_done += t == 1;
        out->daily_days += d >= 0;
        out->daily_done += d == 1;
    }
    /* The streak: back from the last day; the last day itself may still
     * be under way, so its not being done does not break the streak. */
    for (int32_t day = last; day >= p->from_day; day--) {
        int d = day_done(p, marks, n, day, daily, 1);
        if (d == 1)
            out->streak_days++;
        else if (!(day == last && d == 0))
            break;
    }
}
