/*
 * fuzz-ics.c - libFuzzer target for the training-plan reader of
 * lib/import/icsread.c: libical's parser under it, and our reading of each
 * VEVENT (times in every form, durations, summaries) into events.
 *
 * No store: the events go to a callback that checks them. A crash or a
 * sanitizer report is a bug; so is an event that pl_event_add would take
 * with a time of day out of range or a negative duration (abort).
 */
#include <math.h>
#include <stdlib.h>

#include "recovery/plan.h"

static int check(void *ctx, const struct pl_event *e)
{
    unsigned long *n = ctx;
    if (e->minute < -1 || e->minute > 1439)
        abort();
    if (!isnan(e->hours) && !(e->hours > 0 && e->hours <= 7 * 24))
        abort();
    if (e->kind != PL_EVENT_RUN && e->kind != PL_EVENT_RACE)
        abort();
    ++*n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned long n = 0;
    struct pl_ics_import sum;
    struct pl_diag d;
    pl__ics_read_events(data, size, 3600, check, &n, &sum, &d);
    pl__ics_read_events(data, size, -5 * 3600, check, &n, &sum, &d);
    return 0;
}
