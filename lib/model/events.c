/*
 * events.c - declared events: races, trips and planned runs the runner
 * tells pliant about (`pliant event add race 2026-03-22 "Madrid Half"`).
 *
 * An event is a local date with an optional time of day; detection
 * (lib/model/detect.c) takes declared races and trips before anything it
 * infers, and the planner will read planned runs. This file checks and
 * parses; the rows live in lib/store/store.c. It does not infer anything.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "model/load.h"

/* A trip or a race longer than a week is a mistake. */
#define EVENT_HOURS_MAX (7 * 24.0)

static const char *const kinds[] = { [PL_EVENT_RUN] = "run", [PL_EVENT_RACE] = "race",
                                     [PL_EVENT_TRAVEL] = "travel" };

const char *pl_event_kind_name(int kind)
{
    return kind >= PL_EVENT_RUN && kind <= PL_EVENT_TRAVEL ? kinds[kind] : NULL;
}

int pl_event_kind_parse(const char *name)
{
    for (int k = PL_EVENT_RUN; name && k <= PL_EVENT_TRAVEL; k++)
        if (strcasecmp(name, kinds[k]) == 0)
            return k;
    return -1;
}

void pl_event_init(struct pl_event *e)
{
    memset(e, 0, sizeof *e);
    e->minute = -1;
    e->hours = NAN;
}

bool pl_event_parse_when(const char *s, int32_t *day, int32_t *minute)
{
    char date[11];
    size_t n = strlen(s);
    if (n < 10)
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    int32_t d;
    if (!pl_day_parse(date, &d))
        return false;
    if (n == 10) {
        *day = d;
        *minute = -1;
        return true;
    }
    /* "THH:MM" or " HH:MM" */
    const char *t = s + 10;
    if (n != 16 || (t[0] != 'T' && t[0] != ' ') || t[3] != ':')
        return false;
    for (int i = 1; i < 6; i++)
        if (i != 3 && (t[i] < '0' || t[i] > '9'))
            return false;
    int hh = (t[1] - '0') * 10 + (t[2] - '0'), mm = (t[4] - '0') * 10 + (t[5] - '0');
    if (hh > 23 || mm > 59)
        return false;
    *day = d;
    *minute = hh * 60 + mm;
    return true;
}

int pl_event_add(struct pl_store *s, struct pl_event *e, struct pl_diag *diag)
{
    if (!pl_event_kind_name(e->kind))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "event kind %d is not run, race or travel", e->kind);
    char buf[16];
    pl_day_format(e->day, buf, sizeof buf);
    int32_t back;
    if (!pl_day_parse(buf, &back) || back != e->day)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "event day %ld is not a date from 1900",
                        (long)e->day);
    if (e->minute < -1 || e->minute > 24 * 60 - 1)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "event time %ld is not a minute of the day (0..1439)", (long)e->minute);
    if (!isnan(e->hours) && !(e->hours > 0 && e->hours <= EVENT_HOURS_MAX))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "event hours %g are out of range (more than 0, at most %.0f)", e->hours,
                        EVENT_HOURS_MAX);
    if (e->kind != PL_EVENT_TRAVEL && (e->from[0] || e->to[0]))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "from and to are for travel events, not a %s",
                        pl_event_kind_name(e->kind));
    /* Fixed fields: make sure each is terminated. */
    e->name[sizeof e->name - 1] = e->from[sizeof e->from - 1] = e->to[sizeof e->to - 1] = '\0';
    return pl__store_event_add(s, e, diag);
}

int pl_event_list(struct pl_store *s, int32_t from_day, int32_t to_day,
                  int (*fn)(void *ctx, const struct pl_event *e), void *ctx,
                  struct pl_diag *diag)
{
    return pl__store_event_list(s, from_day, to_day, fn, ctx, diag);
}

int pl_event_rm(struct pl_store *s, int64_t id, struct pl_diag *diag)
{
    return pl__store_event_rm(s, id, diag);
}
