/*
 * icsread.c - a training plan from an iCalendar file (RFC 5545, through
 * libical) as declared events, so that the planner knows the sessions to
 * come: `pliant import plan.ics`.
 *
 * Each VEVENT with a start becomes a planned run (a race when its summary
 * says so); its summary is the event's name, which the planner reads to
 * call a session hard ("Intervals", "Tempo", "Long run": lib/recovery/planstore.c).
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
#include <strings.h>

#include <libical/ical.h>

#include "base/internal.h"
#include "recovery/plan.h"

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

/* The nesting of BEGIN and END lines, checked before libical sees the
 * text: libical reports an END without its BEGIN by printing to stderr,
 * and a library must not print (STYLE.md); checking first also lets the
 * error say where. Lines are as written (a folded line's continuation
 * starts with a space or tab, RFC 5545 3.1, so it is never a BEGIN or an
 * END). */
static int check_nesting(const char *p, size_t n, struct pl_diag *diag)
{
    char stack[PL_ICS_DEPTH_MAX][32];
    int depth = 0;
    uint32_t line = 1;
    for (size_t i = 0; i < n; line++) {
        size_t e = i;
        while (e < n && p[e] != '\n')
            e++;
        size_t len = e - i;
        if (len && p[i + len - 1] == '\r')
            len--;
        bool begin = len > 6 && strncasecmp(p + i, "BEGIN:", 6) == 0;
        bool end = len > 4 && strncasecmp(p + i, "END:", 4) == 0;
        if (begin || end) {
            const char *name = p + i + (begin ? 6 : 4);
            size_t nl = len - (begin ? 6 : 4);
            if (nl >= sizeof stack[0])
                return pl__diag_lc(diag, PL_EFORMAT, line, 1, "a component name longer than %zu bytes",
                                   sizeof stack[0] - 1);
            if (begin) {
                if (depth == PL_ICS_DEPTH_MAX)
                    return pl__diag_lc(diag, PL_ELIMIT, line, 1,
                                       "components nested more than %d deep", PL_ICS_DEPTH_MAX);
                memcpy(stack[depth], name, nl);
                stack[depth++][nl] = '\0';
            } else if (depth == 0 || strlen(stack[depth - 1]) != nl ||
                       strncasecmp(stack[depth - 1], name, nl) != 0) {
                return pl__diag_lc(diag, PL_EFORMAT, line, 1, "END:%.*s %s", (int)nl, name,
                                   depth ? "does not close the open component" : "without its BEGIN");
            } else {
                depth--;
            }
        }
        i = e < n ? e + 1 : e;
    }
    if (depth)
        return pl__diag_lc(diag, PL_EFORMAT, line, 1, "BEGIN:%s without its END", stack[depth - 1]);
    return PL_OK;
}

static int32_t floor_day(int64_t s)
{
    return (int32_t)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

int pl__ics_read_events(const void *buf, size_t n, int32_t utc_offset_s,
                        int (*fn)(void *ctx, const struct pl_event *e), void *ctx,
                        struct pl_ics_import *sum, struct pl_diag *diag)
{
    memset(sum, 0, sizeof *sum);
    if (n > PL_ICS_IMPORT_BYTES_MAX)
        return pl__diag(diag, PL_ELIMIT, UINT64_MAX, "the calendar is larger than %d MiB",
                        PL_ICS_IMPORT_BYTES_MAX >> 20);
    int rc = check_nesting(buf, n, diag);
    if (rc != PL_OK)
        return rc;
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
        rc = fn(ctx, &e);
    }
    icalcomponent_free(cal);
    return rc;
}

struct adder {
    struct pl_store *s;
    struct pl_ics_import *sum;
    struct pl_diag *diag;
};

static int add_event(void *ctx, const struct pl_event *ev)
{
    struct adder *a = ctx;
    struct pl_event e = *ev;
    struct dup dp = { &e, false };
    int rc = pl_event_list(a->s, e.day, e.day, same_event, &dp, a->diag);
    if (rc != PL_OK)
        return rc;
    if (dp.found) {
        a->sum->duplicates++;
        return PL_OK;
    }
    rc = pl_event_add(a->s, &e, a->diag);
    if (rc == PL_EINVAL) {   /* a date out of range: this event only */
        a->sum->skipped++;
        return PL_OK;
    }
    if (rc == PL_OK) {
        bool race = e.kind == PL_EVENT_RACE;
        a->sum->added++;
        a->sum->races += race;
        a->sum->hard += !race && pl__plan_name_is_hard(e.name);
    }
    return rc;
}

int pl_plan_import_ics(struct pl_store *s, const void *buf, size_t n, int32_t utc_offset_s,
                       struct pl_ics_import *sum, struct pl_diag *diag)
{
    struct adder a = { s, sum, diag };
    return pl__ics_read_events(buf, n, utc_offset_s, add_event, &a, sum, diag);
}
