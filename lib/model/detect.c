/*
 * detect.c - which activities and days were hard, races, travel, evening
 * runs, and which days call for recovery; each flag with its reason.
 *
 * Runs over a computed model (metrics and daily series, lib/model/daily.c) and
 * the declared events. Declared races and trips come first; the rest is
 * inferred by the rules of docs/internals/load.md ("Detection"), whose
 * thresholds are struct pl_load_options. A flag is never set without a
 * reason a runner can check ("hard: IF 0.91, 34 min above threshold").
 * This file reads nothing from the store and computes no metrics.
 */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "activity/activity.h"
#include "model/load.h"

#define DAY_S 86400
/* Windows of the runner's own history for medians ("hard" by load, "long"
 * by duration): the 90 days before. */
#define MEDIAN_WINDOW_DAYS 90
/* A median needs this many values to mean something. */
#define MEDIAN_MIN_COUNT 10

/* Standard race distances (m): 5 km, 10 km, half marathon and marathon
 * (World Athletics road distances; 21.0975 and 42.195 km). */
static const struct {
    double m;
    const char *name;
} race_dists[] = {
    { 5000, "5 km" }, { 10000, "10 km" }, { 21097.5, "half marathon" },
    { 42195, "marathon" },
};

/* Words that make an activity's name (a FIT workout or sport name, or the
 * title Strava gives) a race: matched case-insensitively as whole words
 * (letters on neither side) or, for the compound ones, anywhere. */
static const char *const race_words[] = { "race", "racing", "parkrun", "wettkampf", "carrera",
                                          "gara", "competition" };
static const char *const race_parts[] = { "marathon", "maraton" };

/* The labels every reason starts with; pl_reasons_each() splits on them,
 * so a "; " inside a reason ("...; likely travel day") or a name stays. */
static const char *const reason_labels[] = { "hard:", "race:", "travel:", "evening run:",
                                             "recovery needed:", "long run:", "rest:" };

void pl_reasons_each(const char *r, size_t n, void (*fn)(void *ctx, const char *p, size_t k),
                     void *ctx)
{
    size_t start = 0;
    for (size_t i = 0; i + 2 <= n; i++) {
        if (r[i] != ';' || r[i + 1] != ' ')
            continue;
        bool label = false;
        for (size_t k = 0; k < PL_ARRAY_LEN(reason_labels) && !label; k++) {
            size_t len = strlen(reason_labels[k]);
            label = n - (i + 2) >= len && memcmp(r + i + 2, reason_labels[k], len) == 0;
        }
        if (!label)
            continue;
        if (i > start)
            fn(ctx, r + start, i - start);
        start = i + 2;
    }
    if (n > start)
        fn(ctx, r + start, n - start);
}

void pl__reason_add(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strnlen(buf, cap);
    if (n + 3 >= cap)
        return;
    if (n) {
        memcpy(buf + n, "; ", 2);
        n += 2;
        buf[n] = '\0';
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/* Search for w (lower case) in s (lower case); with `whole`, only where no
 * letter is next to it. */
static bool has_word(const char *s, const char *w, bool whole)
{
    size_t n = strlen(w);
    for (const char *p = s; (p = strstr(p, w)); p++) {
        if (!whole)
            return true;
        bool left = p == s || !isalpha((unsigned char)p[-1]);
        bool right = !isalpha((unsigned char)p[n]);
        if (left && right)
            return true;
    }
    return false;
}

/* The race word a name holds, or NULL. "race pace" and "race prep" are
 * training, not a race. */
static const char *race_word(const char *name)
{
    char low[128];
    size_t n = 0;
    for (; name[n] && n < sizeof low - 1; n++)
        low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
    if (has_word(low, "race pace", false) || has_word(low, "race prep", false) ||
        has_word(low, "race-pace", false))
        return NULL;
    for (size_t i = 0; i < PL_ARRAY_LEN(race_words); i++)
        if (has_word(low, race_words[i], true))
            return race_words[i];
    for (size_t i = 0; i < PL_ARRAY_LEN(race_parts); i++)
        if (has_word(low, race_parts[i], false))
            return race_parts[i];
    return NULL;
}

/* Values kept sorted, for medians over sliding windows: O(w) a step by
 * binary search and memmove, w being at most a few hundred. */
struct sorted {
    double *v;
    size_t n;
};

static size_t lower_bound(const struct sorted *s, double x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void sorted_add(struct sorted *s, double x)
{
    size_t i = lower_bound(s, x);
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i] = x;
    s->n++;
}

static void sorted_remove(struct sorted *s, double x)
{
    size_t i = lower_bound(s, x);
    if (i < s->n && s->v[i] == x) {
        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
        s->n--;
    }
}

static double sorted_median(const struct sorted *s)
{
    if (s->n == 0)
        return NAN;
    return s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
}

static bool is_run(const struct pl__act *x)
{
    return x->m.sport == 1;
}

static int32_t day_of(const struct pl__act *x)
{
    return pl_local_day(x->m.start_s, x->m.utc_offset_s);
}

/* Seconds after local midnight of an activity's start. */
static int32_t local_tod(const struct pl__act *x)
{
    int64_t t = x->m.start_s + x->m.utc_offset_s;
    int64_t r = t % DAY_S;
    return (int32_t)(r < 0 ? r + DAY_S : r);
}

static void hm(double s, char *buf, size_t n)
{
    long m = lround(s / 60);
    snprintf(buf, n, "%ld:%02ld", m / 60, m % 60);
}

/* ISO weekday, 0 Monday .. 6 Sunday (1970-01-01 was a Thursday). */
static int weekday(int32_t day)
{
    int w = (int)(((int64_t)day + 3) % 7);
    return w < 0 ? w + 7 : w;
}

struct ctx {
    struct pl_load *l;
    const struct pl__act *acts;
    size_t n;
    const struct pl_event *ev;
    size_t nev;
    const struct pl_load_options *o;
    double *scratch;          /* max(n, ndays) doubles for medians */
    double *run_median;       /* n: the median run before each activity */
    struct pl_trip *trips;
    size_t ntrips, trips_cap;
};

static struct pl_day *day_at(struct ctx *c, int32_t date)
{
    return (struct pl_day *)pl_days_at(c->l, date);
}

/* ------------------------------------------------------------------ */
/* Activities                                                           */

/* Median moving time of the runs in the MEDIAN_WINDOW_DAYS before each
 * activity (NaN with fewer than MEDIAN_MIN_COUNT), into c->run_median. */
static void run_medians(struct ctx *c)
{
    struct sorted w = { c->scratch, 0 };
    size_t front = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct pl__act *x = &c->acts[i];
        if (i > 0 && is_run(&c->acts[i - 1]) && c->acts[i - 1].m.moving_s > 0)
            sorted_add(&w, c->acts[i - 1].m.moving_s);
        int64_t since = x->m.start_s - (int64_t)MEDIAN_WINDOW_DAYS * DAY_S;
        for (; front < i && c->acts[front].m.start_s < since; front++)
            if (is_run(&c->acts[front]) && c->acts[front].m.moving_s > 0)
                sorted_remove(&w, c->acts[front].m.moving_s);
        c->run_median[i] = w.n >= MEDIAN_MIN_COUNT ? sorted_median(&w) : NAN;
    }
}

static void detect_activity(struct ctx *c, size_t i, struct pl_metrics *m)
{
    const struct pl__act *x = &c->acts[i];
    const struct pl_load_options *o = c->o;
    double evening_h = c->l->profile.v[PL_PROF_EVENING_HOUR].value;
    char t[32];

    /* Race: declared, by name, by distance and intensity. */
    int32_t d = day_of(x);
    for (size_t e = 0; e < c->nev; e++) {
        const struct pl_event *ev = &c->ev[e];
        if (ev->kind != PL_EVENT_RACE || ev->day != d || !is_run(x))
            continue;
        /* The day's run nearest the declared time (or the day's hardest
         * run without a time) is the race. */
        bool best = true;
        for (size_t j = 0; j < c->n; j++) {
            const struct pl__act *y = &c->acts[j];
            if (j == i || !is_run(y) || day_of(y) != d)
                continue;
            if (ev->minute >= 0) {
                double dx = fabs(local_tod(x) / 60.0 - ev->minute);
                double dy = fabs(local_tod(y) / 60.0 - ev->minute);
                if (dy < dx || (dy == dx && j < i))
                    best = false;
            } else if (y->m.load > x->m.load || (y->m.load == x->m.load && j < i)) {
                best = false;
            }
        }
        if (best) {
            m->flags |= PL_ACT_RACE;
            pl__reason_add(m->reasons, sizeof m->reasons, "race: declared%s%s%s",
                           ev->name[0] ? " '" : "", ev->name, ev->name[0] ? "'" : "");
        }
    }
    if (!(m->flags & PL_ACT_RACE) && is_run(x)) {
        const char *w = race_word(x->name);
        if (w) {
            m->flags |= PL_ACT_RACE;
            pl__reason_add(m->reasons, sizeof m->reasons, "race: the name '%s' says '%s'",
                           x->name, w);
        }
    }
    double ifac = m->intensity_factor;
    if (!(m->flags & PL_ACT_RACE) && is_run(x) && x->dist_m > 0 && ifac >= o->race_if) {
        for (size_t k = 0; k < PL_ARRAY_LEN(race_dists); k++) {
            double rel = x->dist_m / race_dists[k].m - 1;
            if (fabs(rel) <= o->race_dist_tol) {
                m->flags |= PL_ACT_RACE;
                pl__reason_add(m->reasons, sizeof m->reasons,
                               "race: %.2f km, within %.0f %% of a %s, at IF %.2f",
                               x->dist_m / 1000, o->race_dist_tol * 100, race_dists[k].name,
                               ifac);
                break;
            }
        }
    }

    /* Long run. */
    if (is_run(x) && m->moving_s > 0) {
        double med = c->run_median[i];
        hm(m->moving_s, t, sizeof t);
        if (m->moving_s >= o->long_min * 60) {
            m->flags |= PL_ACT_LONG;
            pl__reason_add(m->reasons, sizeof m->reasons, "long run: %s (%.0f min or more)", t,
                           o->long_min);
        } else if (med > 0 && m->moving_s >= o->long_x_median * med) {
            char mt[32];
            hm(med, mt, sizeof mt);
            m->flags |= PL_ACT_LONG;
            pl__reason_add(m->reasons, sizeof m->reasons,
                           "long run: %s, %.1f x the median run (%s)", t, m->moving_s / med,
                           mt);
        }
    }

    /* Hard session. */
    char why[160] = "";
    if (ifac >= o->hard_if && m->above_threshold_s >= o->hard_above_min * 60)
        pl__reason_add(why, sizeof why, "IF %.2f, %.0f min above threshold", ifac,
                       m->above_threshold_s / 60);
    if (m->hrss >= o->hard_hrss)
        pl__reason_add(why, sizeof why, "HRSS %.0f", m->hrss);
    if (m->training_effect >= o->hard_te)
        pl__reason_add(why, sizeof why, "training effect %.1f", m->training_effect);
    if (m->anaerobic_training_effect >= o->hard_ate)
        pl__reason_add(why, sizeof why, "anaerobic training effect %.1f",
                       m->anaerobic_training_effect);
    if (m->flags & PL_ACT_RACE)
        pl__reason_add(why, sizeof why, "a race");
    if (m->flags & PL_ACT_LONG)
        pl__reason_add(why, sizeof why, "a long run");
    if (why[0]) {
        m->flags |= PL_ACT_HARD;
        /* "hard: a, b" -- the parts joined by commas, not "; ". */
        for (char *p = why; (p = strstr(p, "; ")); p++)
            *p = ',';
        pl__reason_add(m->reasons, sizeof m->reasons, "hard: %s", why);
    }

    /* Evening run. */
    if (is_run(x) && local_tod(x) >= evening_h * 3600) {
        int32_t s = local_tod(x);
        m->flags |= PL_ACT_EVENING;
        pl__reason_add(m->reasons, sizeof m->reasons, "evening run: started %02d:%02d",
                       (int)(s / 3600), (int)(s / 60 % 60));
    }
}

/* ------------------------------------------------------------------ */
/* Trips                                                                */

static struct pl_trip *new_trip(struct ctx *c)
{
    if (c->ntrips == c->trips_cap) {
        size_t cap = c->trips_cap ? c->trips_cap * 2 : 8;
        struct pl_trip *t = pl__realloc(c->trips, cap * sizeof *t);
        if (!t)
            return NULL;
        c->trips = t;
        c->trips_cap = cap;
    }
    struct pl_trip *t = &c->trips[c->ntrips++];
    memset(t, 0, sizeof *t);
    t->dist_km = NAN;
    return t;
}

/* snprintf through a va_list: the text is cut to fit, as intended. */
static void textf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void textf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}

static void offset_text(int32_t off, char *buf, size_t n)
{
    int a = off < 0 ? -off : off;
    snprintf(buf, n, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* Is there an activity on day d? (acts sorted by start; small scans.) */
static bool active_on(struct ctx *c, size_t from, size_t to, int32_t d)
{
    for (size_t i = from; i <= to && i < c->n; i++)
        if (day_of(&c->acts[i]) == d)
            return true;
    return false;
}

static int detect_trips(struct ctx *c)
{
    const struct pl_load_options *o = c->o;
    /* Declared. */
    for (size_t e = 0; e < c->nev; e++) {
        const struct pl_event *ev = &c->ev[e];
        if (ev->kind != PL_EVENT_TRAVEL)
            continue;
        struct pl_trip *t = new_trip(c);
        if (!t)
            return PL_ENOMEM;
        t->day = ev->day;
        t->declared = true;
        t->event_id = ev->id;
        snprintf(t->from, sizeof t->from, "%s", ev->from);
        snprintf(t->to, sizeof t->to, "%s", ev->to);
        char hours[32] = "";
        if (!isnan(ev->hours))
            snprintf(hours, sizeof hours, " (%.1f h)", ev->hours);
        snprintf(t->reason, sizeof t->reason, "declared trip%s%.60s%s%s%.60s%s%.60s%s",
                 ev->name[0] ? " '" : "", ev->name, ev->name[0] ? "'" : "",
                 ev->from[0] ? " from " : "", ev->from, ev->to[0] ? " to " : "", ev->to, hours);
    }
    size_t ndeclared = c->ntrips;

    /* Inferred, between consecutive activities: the start points far
     * apart, or the UTC offset moved by more than a daylight-saving
     * change. */
    long prev_gps = -1, prev_off = -1;
    for (size_t i = 0; i < c->n; i++) {
        const struct pl__act *x = &c->acts[i];
        bool gps = x->have_feat && !isnan(x->f.start_lat_deg) && !isnan(x->f.start_lon_deg);
        double km = NAN;
        long from = -1;
        if (gps && prev_gps >= 0) {
            const struct pl__act *p = &c->acts[prev_gps];
            km = pl__haversine_m(p->f.start_lat_deg, p->f.start_lon_deg, x->f.start_lat_deg,
                                 x->f.start_lon_deg) /
                 1000;
            if (km >= o->travel_km)
                from = prev_gps;
        }
        bool offset_jump = false;
        if (x->utc_offset_known && prev_off >= 0) {
            const struct pl__act *p = &c->acts[prev_off];
            offset_jump = abs(x->m.utc_offset_s - p->m.utc_offset_s) >= o->travel_offset_h * 3600;
            if (offset_jump && from < 0)
                from = prev_off;
        }
        if (from >= 0) {
            const struct pl__act *p = &c->acts[from];
            int32_t d0 = day_of(p), d1 = day_of(x);
            /* The likely travel day: the first day between the two without
             * an activity (people rarely run on the day they travel), else
             * the day of the first activity at the new place. */
            int32_t day = d1;
            for (int32_t d = d0 + 1; d < d1; d++)
                if (!active_on(c, (size_t)from, i, d)) {
                    day = d;
                    break;
                }
            /* A declared trip in that span is this trip. */
            bool known = false;
            for (size_t k = 0; k < ndeclared; k++)
                if (c->trips[k].day >= d0 && c->trips[k].day <= d1) {
                    known = true;
                    c->trips[k].from_activity = p->m.activity_id;
                    c->trips[k].to_activity = x->m.activity_id;
                    c->trips[k].dist_km = km;
                    c->trips[k].from_offset_s = p->m.utc_offset_s;
                    c->trips[k].to_offset_s = x->m.utc_offset_s;
                }
            if (!known) {
                struct pl_trip *t = new_trip(c);
                if (!t)
                    return PL_ENOMEM;
                t->day = day;
                t->from_activity = p->m.activity_id;
                t->to_activity = x->m.activity_id;
                t->dist_km = km;
                t->from_offset_s = p->m.utc_offset_s;
                t->to_offset_s = x->m.utc_offset_s;
                char a[16], b[16], o0[16], o1[16], dist[64] = "", off[64] = "";
                pl_day_format(d0, a, sizeof a);
                pl_day_format(d1, b, sizeof b);
                offset_text(p->m.utc_offset_s, o0, sizeof o0);
                offset_text(x->m.utc_offset_s, o1, sizeof o1);
                if (!isnan(km))
                    textf(dist, sizeof dist, "starts %.0f km apart, ", km);
                if (p->m.utc_offset_s != x->m.utc_offset_s)
                    textf(off, sizeof off, "UTC %s to %s, ", o0, o1);
                textf(t->reason, sizeof t->reason,
                      "trip inferred from activities %lld (%s) and %lld (%s): %s%slikely travel "
                      "day %s",
                      (long long)p->m.activity_id, a, (long long)x->m.activity_id, b, dist, off,
                      day == d1 ? "the day of the second" : "the first day between without one");
            }
        }
        if (gps)
            prev_gps = (long)i;
        if (x->utc_offset_known)
            prev_off = (long)i;
    }
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* Days                                                                 */

static int cmp_trip(const void *a, const void *b)
{
    const struct pl_trip *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

/* The text of an activity's reason for one flag ("hard: ..." -> "...");
 * "" when it has none. */
static void part_of(const char *reasons, const char *prefix, char *out, size_t cap)
{
    const char *r = strstr(reasons, prefix);
    size_t len = r ? strcspn(r + strlen(prefix), ";") : 0;
    snprintf(out, cap, "%.*s", (int)len, r ? r + strlen(prefix) : "");
}

/* One flag's reason parts for a day, joined with ", " under its name. */
struct why {
    char text[400];
};

static void why_add(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why_add(struct why *w, const char *fmt, ...)
{
    size_t n = strlen(w->text);
    if (n + 3 >= sizeof w->text)
        return;
    if (n) {
        memcpy(w->text + n, ", ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->text + n, sizeof w->text - n, fmt, ap);
    va_end(ap);
}

enum { W_RACE, W_HARD, W_TRAVEL, W_EVENING, W_RECOVERY, W__N };
static const char *const why_names[W__N] = { "race", "hard", "travel", "evening run",
                                             "recovery needed" };
static const unsigned why_flags[W__N] = { PL_DAY_RACE, PL_DAY_HARD, PL_DAY_TRAVEL,
                                          PL_DAY_EVENING_RUN, PL_DAY_RECOVERY_NEEDED };

int pl__detect(struct pl_load *l, const struct pl__act *acts, const struct pl_event *events,
               size_t nevents, const struct pl_load_options *o, struct pl_diag *diag)
{
    struct ctx c = { .l = l, .acts = acts, .n = l->nmetrics, .ev = events, .nev = nevents,
                     .o = o };
    size_t nscratch = l->nmetrics > l->ndays ? l->nmetrics : l->ndays;
    /* Activities by day: first[d] .. first[d + 1] in order[]. */
    size_t *first = pl__calloc(l->ndays + 1, sizeof *first);
    size_t *order = pl__malloc_array(c.n ? c.n : 1, sizeof *order);
    c.run_median = pl__malloc_array(c.n ? c.n : 1, sizeof *c.run_median);
    if ((nscratch && !(c.scratch = pl__malloc_array(nscratch, sizeof *c.scratch))) || !first ||
        !order || !c.run_median) {
        pl__free(c.scratch);
        pl__free(c.run_median);
        pl__free(first);
        pl__free(order);
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory detecting");
    }
    int rc = PL_OK;
    run_medians(&c);
    for (size_t i = 0; i < c.n; i++) {
        detect_activity(&c, i, &l->metrics[i]);
        const struct pl_day *d = day_at(&c, day_of(&acts[i]));
        if (d)
            first[d - l->days + 1]++;
    }
    for (size_t k = 0; k < l->ndays; k++)
        first[k + 1] += first[k];
    {
        /* Counting sort, stable: activities keep their order in a day. */
        size_t *fill = (size_t *)(void *)c.scratch;
        static_assert(sizeof(size_t) <= sizeof(double), "scratch holds a size_t per day");
        for (size_t k = 0; k < l->ndays; k++)
            fill[k] = first[k];
        for (size_t i = 0; i < c.n; i++) {
            const struct pl_day *d = day_at(&c, day_of(&acts[i]));
            if (d)
                order[fill[d - l->days]++] = i;
        }
    }

    if ((rc = detect_trips(&c))) {
        rc = pl__diag(diag, rc, UINT64_MAX, "out of memory detecting trips");
        goto out;
    }
    if (c.ntrips)
        qsort(c.trips, c.ntrips, sizeof *c.trips, cmp_trip);

    size_t trip = 0;
    struct sorted active = { c.scratch, 0 };     /* active days' loads before i */
    for (size_t i = 0; i < l->ndays; i++) {
        struct pl_day *d = &l->days[i];
        struct why w[W__N];
        memset(w, 0, sizeof w);
        char part[256], t[16];
        if (first[i] == first[i + 1])
            d->flags |= PL_DAY_REST;
        for (size_t k = first[i]; k < first[i + 1]; k++) {
            const struct pl_metrics *m = &l->metrics[order[k]];
            int32_t s = local_tod(&acts[order[k]]);
            snprintf(t, sizeof t, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
            if (m->flags & PL_ACT_RACE) {
                part_of(m->reasons, "race: ", part, sizeof part);
                why_add(&w[W_RACE], "%s (%s)", part, t);
            }
            if (m->flags & PL_ACT_HARD) {
                part_of(m->reasons, "hard: ", part, sizeof part);
                why_add(&w[W_HARD], "%s (%s)", part, t);
            }
            if (m->flags & PL_ACT_EVENING)
                why_add(&w[W_EVENING], "started %s", t);
        }
        /* A declared race on a day without a run flagged for it. */
        for (size_t e = 0; e < nevents; e++)
            if (events[e].kind == PL_EVENT_RACE && events[e].day == d->date && !w[W_RACE].text[0]) {
                why_add(&w[W_RACE], "declared%s%.100s%s", events[e].name[0] ? " '" : "",
                        events[e].name, events[e].name[0] ? "'" : "");
                why_add(&w[W_HARD], "a race");
            }
        /* Hard day by load: 1.5 x the median of active days' load in the
         * 90 days before. */
        if (i > 0 && l->days[i - 1].load > 0)
            sorted_add(&active, l->days[i - 1].load);
        if (i > MEDIAN_WINDOW_DAYS && l->days[i - MEDIAN_WINDOW_DAYS - 1].load > 0)
            sorted_remove(&active, l->days[i - MEDIAN_WINDOW_DAYS - 1].load);
        if (d->load > 0) {
            double med = active.n >= MEDIAN_MIN_COUNT ? sorted_median(&active) : NAN;
            if (d->load >= o->hard_load_x_median * med)
                why_add(&w[W_HARD], "load %.0f, %.1f x the 90-day median of active days (%.0f)",
                        d->load, d->load / med, med);
        }
        while (trip < c.ntrips && c.trips[trip].day < d->date)
            trip++;
        for (size_t k = trip; k < c.ntrips && c.trips[k].day == d->date; k++)
            why_add(&w[W_TRAVEL], "%s", c.trips[k].reason);
        /* Recovery: the day's form, the week's monotony, a second hard day,
         * the day after a race. */
        const struct pl_day *y = i > 0 ? &l->days[i - 1] : NULL;
        if (d->tsb < o->recovery_tsb)
            why_add(&w[W_RECOVERY], "form %.0f below %.0f", d->tsb, o->recovery_tsb);
        else if (y && y->ctl >= o->recovery_ctl_min && d->tsb < o->recovery_tsb_ctl * y->ctl)
            why_add(&w[W_RECOVERY], "form %.0f below %.0f %% of fitness %.0f", d->tsb,
                    o->recovery_tsb_ctl * 100, y->ctl);
        if (d->monotony > o->recovery_monotony)
            why_add(&w[W_RECOVERY], "monotony %.2f above %.1f", d->monotony,
                    o->recovery_monotony);
        if (y && w[W_HARD].text[0] && (y->flags & PL_DAY_HARD))
            why_add(&w[W_RECOVERY], "second hard day in a row");
        if (y && (y->flags & PL_DAY_RACE))
            why_add(&w[W_RECOVERY], "the day after a race");
        for (int k = 0; k < W__N; k++)
            if (w[k].text[0]) {
                d->flags |= why_flags[k];
                pl__reason_add(d->reasons, sizeof d->reasons, "%s: %s", why_names[k],
                               w[k].text);
            }
    }
    l->trips = c.trips;
    l->ntrips = c.ntrips;
    c.trips = NULL;

    /* The evening habit: per weekday over the last habit_weeks weeks. */
    memset(l->habit_runs, 0, sizeof l->habit_runs);
    memset(l->habit_evening_runs, 0, sizeof l->habit_evening_runs);
    l->evening_weekdays = 0;
    if (c.n) {
        int32_t last = day_of(&acts[c.n - 1]);
        int32_t since = last - 7 * o->habit_weeks + 1;
        for (size_t i = 0; i < c.n; i++) {
            int32_t d = day_of(&acts[i]);
            if (d < since || !is_run(&acts[i]))
                continue;
            int wd = weekday(d);
            l->habit_runs[wd]++;
            if (l->metrics[i].flags & PL_ACT_EVENING)
                l->habit_evening_runs[wd]++;
        }
        for (int wd = 0; wd < 7; wd++)
            if (l->habit_runs[wd] >= o->habit_runs_min &&
                l->habit_evening_runs[wd] > o->habit_share * l->habit_runs[wd])
                l->evening_weekdays |= (uint8_t)(1u << wd);
    }
out:
    pl__free(c.trips);
    pl__free(c.scratch);
    pl__free(c.run_median);
    pl__free(first);
    pl__free(order);
    return rc;
}
