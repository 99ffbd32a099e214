/*
 * ics.c - a plan as an iCalendar file (RFC 5545), through libical.
 *
 * One VEVENT per item. What calendar applications need to treat a second
 * export as an update rather than new events: the same UID for the same
 * item (RFC 5545 3.8.4.7; the item's id is stable, derived from its date,
 * rule and routine) and a DTSTAMP. Times are written in UTC with the "Z"
 * form (RFC 5545 3.3.5, form #2), so no VTIMEZONE is needed and every
 * application shows them in its own zone. The description carries the
 * reason, the steps and the protocol's safety note; CATEGORIES the
 * routine's kind and its trigger.
 *
 * Not for: reading calendars (the import of a training plan is another
 * file). libical allocates on its own heap, not through pl_malloc's hooks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "base/internal.h"
#include "recovery/plan.h"

static struct icaltimetype utc_time(int64_t t_s)
{
    return icaltime_from_timet_with_zone((time_t)t_s, 0, icaltimezone_get_utc_timezone());
}

/* Growable text for the description, capped. */
struct text {
    char *p;
    size_t n, cap;
    bool full;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    if (t->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= t->cap - t->n)
        t->full = true;
    else
        t->n += (size_t)k;
}

static void describe(const struct pl_plan_item *it, const char *note, struct text *t)
{
    put(t, "Why: %s%s.\n", it->reason, it->predicted ? " (the run is predicted, not planned)" : "");
    if (it->about && *it->about)
        put(t, "\n%s\n", it->about);
    if (it->nsteps)
        put(t, "\nSteps:\n");
    for (size_t i = 0; i < it->nsteps; i++) {
        const struct pl_plan_step *s = &it->steps[i];
        put(t, "%zu. %s", i + 1, s->area ? s->area : "");
        if (s->duration_s)
            put(t, " %u:%02u", s->duration_s / 60, s->duration_s % 60);
        if (s->reps && s->sets > 1)
            put(t, " %u x %u", s->sets, s->reps);
        else if (s->reps)
            put(t, " x%u", s->reps);
        if (s->how && *s->how)
            put(t, " - %s", s->how);
        put(t, "\n");
    }
    if (it->caution && *it->caution)
        put(t, "\nCaution: %s\n", it->caution);
    if (it->ncovers) {
        put(t, "\nProtocol items:");
        for (size_t i = 0; i < it->ncovers; i++)
            put(t, "%s%s", i ? ", " : " ", it->covers[i]);
        put(t, "\n");
    }
    if (note && *note)
        put(t, "\n%s\n", note);
    put(t, "\npliant item %s\n", it->id);
}

int pl_plan_ics(const struct pl_plan *plan, const struct pl_ics_options *o, char **out,
                size_t *len, struct pl_diag *diag)
{
    *out = NULL;
    *len = 0;
    int rc = PL_OK;
    char *desc = pl__malloc(PL_ICS_TEXT_BYTES_MAX);
    icalcomponent *cal = icalcomponent_new_vcalendar();
    if (!desc || !cal) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory writing the calendar");
        goto out;
    }
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//pliant//recovery plan " PL_VERSION "//EN"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
    icalproperty *name = icalproperty_new_x(o && o->calname ? o->calname : "Recovery (pliant)");
    icalproperty_set_x_name(name, "X-WR-CALNAME");
    icalcomponent_add_property(cal, name);
    int64_t stamp = o ? o->stamp_s : 0;
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct pl_plan_item *it = &plan->items[i];
        icalcomponent *ev = icalcomponent_new_vevent();
        if (!ev) {
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory writing the calendar");
            goto out;
        }
        char uid[160];
        snprintf(uid, sizeof uid, "%s@pliant", it->id);
        icalcomponent_add_property(ev, icalproperty_new_uid(uid));
        icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(stamp)));
        icalcomponent_add_property(ev, icalproperty_new_dtstart(utc_time(it->start_s)));
        icalcomponent_add_property(ev, icalproperty_new_dtend(utc_time(it->end_s)));
        icalcomponent_add_property(ev, icalproperty_new_summary(it->title));
        struct text t = { desc, 0, PL_ICS_TEXT_BYTES_MAX, false };
        desc[0] = '\0';
        describe(it, o ? o->note : NULL, &t);
        icalcomponent_add_property(ev, icalproperty_new_description(desc));
        /* One CATEGORIES per value: libical escapes a comma inside one. */
        icalcomponent_add_property(ev, icalproperty_new_categories("Recovery"));
        icalcomponent_add_property(ev, icalproperty_new_categories(it->kind));
        icalcomponent_add_property(ev, icalproperty_new_categories(it->trigger));
        icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
        icalcomponent_add_component(cal, ev);
    }
    char *s = icalcomponent_as_ical_string_r(cal);
    if (!s) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory writing the calendar");
        goto out;
    }
    size_t n = strlen(s);
    *out = pl__malloc(n + 1);
    if (!*out) {
        free(s);
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory writing the calendar");
        goto out;
    }
    memcpy(*out, s, n + 1);
    *len = n;
    free(s);
out:
    if (cal)
        icalcomponent_free(cal);
    pl__free(desc);
    return rc;
}

int pl_plan_write_ics(const struct pl_plan *plan, const struct pl_ics_options *o,
                      const char *path, struct pl_diag *diag)
{
    char *s;
    size_t n;
    int rc = pl_plan_ics(plan, o, &s, &n, diag);
    if (rc != PL_OK)
        return rc;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        pl__free(s);
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "path too long: '%s'", path);
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        pl__free(s);
        return pl__diag(diag, PL_EIO, UINT64_MAX, "cannot write '%s': %s", tmp, strerror(errno));
    }
    bool ok = fwrite(s, 1, n, f) == n;
    ok = fclose(f) == 0 && ok;
    pl__free(s);
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return pl__diag(diag, PL_EIO, UINT64_MAX, "cannot write '%s': %s", path, strerror(e));
    }
    return PL_OK;
}
