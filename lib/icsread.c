/*
 * icsread.c - a training plan from an iCalendar file (RFC 5545, through
 * libical) as declared events, so that the planner knows the sessions to
 * come: `pliant import plan.ics`.
 *
 * Each VEVENT with a start becomes a planned run (a race when its summary
 * says so); its summary is the event's name, which the planner reads to
 * call a session hard ("Intervals", "Tempo", "Long run": lib/planstore.c).
 * Not imported: pliant's own recovery items (UID "...@pliant", from
 * `pliant plan --ics`), rest days, and all-day events without "race" in
 * them that last more than a day (holidays). Importing the same calendar
 * again adds nothing: an event already declared on the same day, at the
 * same time, with the same kind and name, is a duplicate.
 *
 * Times: a UTC or zoned start (TZID resolved by libical from the file's
 * VTIMEZONE or its built-in zones) is converted to UTC and then to the
 * runner's local time with the offset the caller gives; a floating time
 * is local already; a date alone is a date without a time.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libical/ical.h>

#include "internal.h"
#include "plan.h"

static bool has_word(const char *s, const char *const *words, size_t n)
{
    char low[256];
    size_t k = 0;
    for (; s[k] && k + 1 < sizeof low; k++)
        low[k] = (char)tolower((unsigned char)s[k]);
    low[k] = '\0';
    for (size_t i = 0; i < n; i++)
        if (strstr(low, words[i]))
            return true;
    return false;
}

static const char *const race_words[] = { "race", "marathon" };
static const char *const rest_words[] = { "rest day", "rest", "day off", "off day" };

struct dup {
    const struct pl_event *want;
    bool found;
};

static int same_event(void *ctx, const struct pl_event *e)
{
    struct dup *d = ctx;
    if (e->kind == d->want->kind && e->minute == d->want->minute &&
        strcmp(e->name, d->want->name) == 0)
        d->found = true;
    return 0;
}

static int32_t floor_day(int64_t s)
{
    return (int32_t)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

int pl_plan_import_ics(struct pl_store *s, const void *buf, size_t n, int32_t utc_offset_s,
                       struct pl_ics_import *sum, struct pl_diag *diag)
{
    memset(sum, 0, sizeof *sum);
    if (n > PL_ICS_IMPORT_BYTES_MAX)
        return pl__diag(diag, PL_ELIMIT, UINT64_MAX, "the calendar is larger than %d MiB",
                        PL_ICS_IMPORT_BYTES_MAX >> 20);
    char *text = pl__malloc(n + 1);
    if (!text)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory reading the calendar");
    memcpy(text, buf, n);
    text[n] = '\0';
    icalcomponent *cal = icalparser_parse_string(text);
    pl__free(text);
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        if (cal)
            icalcomponent_free(cal);
        return pl__diag(diag, PL_EFORMAT, UINT64_MAX,
                        "not an iCalendar file (no BEGIN:VCALENDAR ... END:VCALENDAR)");
    }
    int rc = PL_OK;
    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
         ev && rc == PL_OK; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        const char *uid = icalcomponent_get_uid(ev);
        const char *summary = icalcomponent_get_summary(ev);
        summary = summary ? summary : "";
        size_t ul = uid ? strlen(uid) : 0;
        if (ul >= 7 && strcmp(uid + ul - 7, "@pliant") == 0) {
            sum->own++;
            continue;
        }
        struct icaltimetype a = icalcomponent_get_dtstart(ev);
        if (icaltime_is_null_time(a)) {
            sum->skipped++;
            continue;
        }
        bool race = has_word(summary, race_words, PL_ARRAY_LEN(race_words));
        if (!race && has_word(summary, rest_words, PL_ARRAY_LEN(rest_words))) {
            sum->skipped++;
            continue;
        }
        struct pl_event e;
        pl_event_init(&e);
        e.kind = race ? PL_EVENT_RACE : PL_EVENT_RUN;
        snprintf(e.name, sizeof e.name, "%s", summary);
        struct icaltimetype b = icalcomponent_get_dtend(ev);
        if (icaltime_is_date(a)) {
            e.day = floor_day((int64_t)icaltime_as_timet(a));
            if (!icaltime_is_null_time(b) && !race &&
                icaltime_as_timet(b) - icaltime_as_timet(a) > 86400) {
                sum->skipped++;   /* a holiday, a training camp: not a session */
                continue;
            }
        } else {
            int64_t local;
            if (icaltime_is_utc(a) || icaltime_get_timezone(a))
                local = (int64_t)icaltime_as_timet_with_zone(a, icaltimezone_get_utc_timezone()) +
                        utc_offset_s;
            else
                local = (int64_t)icaltime_as_timet(a);
            e.day = floor_day(local);
            e.minute = (int32_t)((local - (int64_t)e.day * 86400) / 60);
            if (!icaltime_is_null_time(b)) {
                double secs = difftime(icaltime_as_timet_with_zone(b, icaltimezone_get_utc_timezone()),
                                       icaltime_as_timet_with_zone(a, icaltimezone_get_utc_timezone()));
                if (secs > 0 && secs <= 7 * 86400)
                    e.hours = secs / 3600;
            }
        }
        struct dup dp = { &e, false };
        rc = pl_event_list(s, e.day, e.day, same_event, &dp, diag);
        if (rc != PL_OK)
            break;
        if (dp.found) {
            sum->duplicates++;
            continue;
        }
        rc = pl_event_add(s, &e, diag);
        if (rc == PL_EINVAL) {   /* a date out of range: this event only */
            sum->skipped++;
            rc = PL_OK;
            continue;
        }
        if (rc == PL_OK) {
            sum->added++;
            sum->races += race;
            sum->hard += !race && pl__plan_name_is_hard(e.name);
        }
    }
    icalcomponent_free(cal);
    return rc;
}
