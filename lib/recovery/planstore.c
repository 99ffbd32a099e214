/*
 * planstore.c - fill the planner's input from a store: pl_plan_build().
 *
 * The planner itself (lib/recovery/plan.c) reads no store; this file is the one
 * bridge. It asks the load model for the days, the activities' metrics,
 * the trips and the evening habit, the store for the activities' names
 * and distances, and the declared events for what is to come, and turns
 * them into sessions and trips. Kept apart from plan.c so that the
 * placement links (and is tested) without the load model.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "recovery/plan.h"

/* Names that say a planned session is hard (an imported or declared
 * "Intervals", "Tempo", "Long run"...): the words of the usual training
 * vocabulary, matched case-insensitively as parts of the name. */
static const char *const hard_words[] = {
    "interval", "tempo", "threshold", "long", "hill", "fartlek", "repeat",
    "speed", "track", "vo2", "hard", "race pace", "progression",
};

bool pl__plan_name_is_hard(const char *name)
{
    char low[128];
    size_t n = 0;
    for (; name[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
    for (size_t i = 0; i < PL_ARRAY_LEN(hard_words); i++)
        if (strstr(low, hard_words[i]))
            return true;
    return false;
}

struct build {
    int32_t lo, hi;                       /* days of interest */
    struct pl_plan_session *ss;
    size_t ns, cap;
    struct pl_plan_trip *tt;
    size_t nt, tcap;
    const struct pl_load *load;
    int32_t evening_min;
    int32_t habit_minute;
};

static struct pl_plan_session *new_session(struct build *b)
{
    if (b->ns == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct pl_plan_session *v = pl__realloc(b->ss, cap * sizeof *v);
        if (!v)
            return NULL;
        b->ss = v;
        b->cap = cap;
    }
    struct pl_plan_session *s = &b->ss[b->ns++];
    memset(s, 0, sizeof *s);
    s->intensity_factor = s->hrss = s->dist_km = NAN;
    return s;
}

static struct pl_plan_trip *new_trip(struct build *b)
{
    if (b->nt == b->tcap) {
        size_t cap = b->tcap ? b->tcap * 2 : 8;
        struct pl_plan_trip *v = pl__realloc(b->tt, cap * sizeof *v);
        if (!v)
            return NULL;
        b->tt = v;
        b->tcap = cap;
    }
    struct pl_plan_trip *t = &b->tt[b->nt++];
    memset(t, 0, sizeof *t);
    t->arrive_minute = -1;
    t->dist_km = NAN;
    return t;
}

/* Each stored activity in the window: a done session, with the metrics'
 * flags and figures. */
static int on_activity(void *ctx, const struct pl_activity *a)
{
    struct build *b = ctx;
    int32_t day = pl_local_day(a->start_s, a->utc_offset_s);
    if (day < b->lo || day > b->hi)
        return 0;
    struct pl_plan_session *s = new_session(b);
    if (!s)
        return PL_ENOMEM;
    int64_t local = a->start_s + a->utc_offset_s - (int64_t)day * 86400;
    s->day = day;
    s->minute = (int32_t)(local / 60);
    double mins = isfinite(a->duration_s) ? ceil(a->duration_s / 60) : 1;
    s->minutes = mins < 1 ? 1 : mins > 7 * 1440 ? 7 * 1440 : (int32_t)mins;
    s->source = PL_SESSION_DONE;
    if (isfinite(a->dist_m))
        s->dist_km = a->dist_m / 1000;
    snprintf(s->name, sizeof s->name, "%s", a->name);
    for (size_t i = 0; i < b->load->nmetrics; i++) {
        const struct pl_metrics *m = &b->load->metrics[i];
        if (m->activity_id != a->id)
            continue;
        s->flags = m->flags & (PL_ACT_HARD | PL_ACT_RACE | PL_ACT_EVENING | PL_ACT_LONG);
        s->intensity_factor = m->intensity_factor;
        s->hrss = m->hrss;
        break;
    }
    return 0;
}

static int on_event(void *ctx, const struct pl_event *e)
{
    struct build *b = ctx;
    if (e->kind == PL_EVENT_TRAVEL) {
        /* A declared trip the load model listed already only gains its
         * arrival time here. */
        struct pl_plan_trip *t = NULL;
        for (size_t i = 0; i < b->nt && !t; i++)
            if (b->tt[i].declared && b->tt[i].day == e->day)
                t = &b->tt[i];
        if (!t && !(t = new_trip(b)))
            return PL_ENOMEM;
        t->day = e->day;
        t->declared = true;
        if (e->minute >= 0) {
            double arrive = e->minute + (isfinite(e->hours) ? e->hours * 60 : 0);
            t->arrive_minute = arrive < 1440 ? (int32_t)arrive : 1439;
        }
        snprintf(t->from, sizeof t->from, "%s", e->from);
        snprintf(t->to, sizeof t->to, "%s", e->to);
        return 0;
    }
    struct pl_plan_session *s = new_session(b);
    if (!s)
        return PL_ENOMEM;
    bool race = e->kind == PL_EVENT_RACE;
    s->day = e->day;
    s->minute = e->minute >= 0 ? e->minute : race ? 9 * 60 : b->habit_minute;
    double h = isfinite(e->hours) ? e->hours : race ? 2 : 1;
    s->minutes = (int32_t)fmin(7 * 1440, fmax(1, round(h * 60)));
    s->source = PL_SESSION_DECLARED;
    snprintf(s->name, sizeof s->name, "%s", e->name);
    if (race)
        s->flags |= PL_ACT_RACE;
    else if (pl__plan_name_is_hard(e->name))
        s->flags |= PL_ACT_HARD;
    if (s->minute >= b->evening_min)
        s->flags |= PL_ACT_EVENING;
    return 0;
}

/* The stored self-screens with a program (not stopped by a red flag,
 * areas to work on) whose days are of interest. */
struct screen_days {
    int32_t lo, hi;
    int32_t v[64];
    size_t n;
    const struct pl_screening *sc;    /* the protocol's, or NULL */
    char routines[64][512];           /* the program's routine ids */
    const char *rp[64];
    int32_t hold_day;                 /* the last screen stopped by a */
    char hold_areas[512];             /* warning sign: its no-massage
                                         areas; "" when a later screen
                                         was clear */
    char hold[1024];                  /* the routines they hold back */
};

static bool has_id(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *c = list; *c;) {
        size_t w = strcspn(c, ",");
        if (w == n && strncmp(c, id, n) == 0)
            return true;
        c += w + (c[w] == ',');
    }
    return false;
}

static int on_screen(void *ctx, const struct pl_screen_record *r)
{
    struct screen_days *sd = ctx;
    if (r->day <= sd->hi && r->stopped && r->no_massage[0]) {
        sd->hold_day = r->day;
        snprintf(sd->hold_areas, sizeof sd->hold_areas, "%s", r->no_massage);
    } else if (r->day <= sd->hi && !r->stopped) {
        sd->hold_areas[0] = '\0';
    }
    if (r->stopped || !r->areas[0] || r->day < sd->lo || r->day > sd->hi)
        return 0;
    /* By day: a day screened again keeps its last screen. */
    if (sd->n == 0 || sd->v[sd->n - 1] != r->day) {
        if (sd->n == PL_ARRAY_LEN(sd->v))
            return 0;
        sd->n++;
    }
    size_t k = sd->n - 1;
    sd->v[k] = r->day;
    char *out = sd->routines[k];
    size_t len = 0;
    out[0] = '\0';
    /* The record's areas are the screening's area question ids; their
     * routines are what the program keeps. */
    for (const char *c = r->areas; sd->sc && *c;) {
        size_t w = strcspn(c, ",");
        char id[128];
        snprintf(id, sizeof id, "%.*s", (int)(w < sizeof id ? w : sizeof id - 1), c);
        const struct pl_screen_question *q = pl_screening_find(sd->sc, id, NULL);
        if (q && q->routine) {
            int n = snprintf(out + len, sizeof sd->routines[k] - len, "%s%s", len ? "," : "",
                             q->routine->id);
            if (n > 0 && (size_t)n < sizeof sd->routines[k] - len)
                len += (size_t)n;
            else
                out[len] = '\0';
        }
        c += w + (c[w] == ',');
    }
    sd->rp[k] = out;
    return 0;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int pl_plan_build(struct pl_store *s, const struct pl_protocol *p, int32_t from_day,
                  uint32_t ndays, int32_t today, struct pl_plan *out, struct pl_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (ndays < 1 || ndays > PL_PLAN_DAYS_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "days: %u is out of range (1..%d)", ndays,
                        PL_PLAN_DAYS_MAX);
    struct pl_load load;
    memset(&load, 0, sizeof load);
    struct build b = { .lo = from_day - PL__PLAN_LOOKBACK_DAYS - 1,
                       .hi = from_day + (int32_t)ndays + PL__PLAN_LOOKAHEAD_DAYS + 1,
                       .load = &load };
    struct screen_days *sd = NULL;      /* large: on the heap */
    struct pl_screening *sc = NULL;
    int rc = pl_load_compute(s, NULL, from_day + (int32_t)ndays, &load, diag);
    if (rc != PL_OK)
        return rc;
    struct pl_plan_input in;
    pl_plan_input_init(&in);
    in.from_day = from_day;
    in.ndays = ndays;
    in.today = today;
    double eh = load.profile.v[PL_PROF_EVENING_HOUR].value;
    if (isfinite(eh) && eh >= 0 && eh <= 23)
        in.evening_hour = (int32_t)eh;
    b.evening_min = in.evening_hour * 60;
    in.evening_weekdays = load.evening_weekdays;

    /* The habit's time: the median start of the evening runs of the eight
     * weeks before the plan; the UTC offset: the last activity's before
     * the plan starts. */
    int32_t starts[512];
    size_t nst = 0;
    for (size_t i = 0; i < load.nmetrics; i++) {
        const struct pl_metrics *m = &load.metrics[i];
        int32_t day = pl_local_day(m->start_s, m->utc_offset_s);
        if (day >= from_day)
            continue;
        in.utc_offset_s = m->utc_offset_s;
        if ((m->flags & PL_ACT_EVENING) && day >= from_day - 56 && nst < PL_ARRAY_LEN(starts))
            starts[nst++] = (int32_t)((m->start_s + m->utc_offset_s - (int64_t)day * 86400) / 60);
    }
    in.habit_minute = in.evening_hour * 60 + 30;
    if (nst) {
        qsort(starts, nst, sizeof *starts, cmp_i32);
        in.habit_minute = starts[nst / 2] / 5 * 5;
    }
    b.habit_minute = in.habit_minute;

    for (size_t i = 0; i < load.ntrips; i++) {
        const struct pl_trip *lt = &load.trips[i];
        if (lt->day < b.lo - 7 || lt->day > b.hi)
            continue;
        struct pl_plan_trip *t = new_trip(&b);
        if (!t) {
            rc = PL_ENOMEM;
            goto out;
        }
        t->day = lt->day;
        t->declared = lt->declared;
        t->dist_km = lt->dist_km;
        if (!lt->declared) {
            t->utc_offset_known = true;
            t->utc_offset_s = lt->to_offset_s;
        }
        snprintf(t->from, sizeof t->from, "%s", lt->from);
        snprintf(t->to, sizeof t->to, "%s", lt->to);
    }
    struct pl_store_query q = { (int64_t)(b.lo - 1) * 86400, (int64_t)(b.hi + 2) * 86400, -1 };
    if ((rc = pl_store_list(s, &q, on_activity, &b, diag)) != PL_OK)
        goto out;
    if ((rc = pl_event_list(s, b.lo, b.hi, on_event, &b, diag)) != PL_OK)
        goto out;
    sd = pl__calloc(1, sizeof *sd);
    sc = pl__calloc(1, sizeof *sc);
    if (!sd || !sc) {
        rc = PL_ENOMEM;
        goto out;
    }
    sd->lo = b.lo;
    sd->hi = b.hi;
    if (pl_screening_read(p, sc, NULL, NULL, NULL) == PL_OK)
        sd->sc = sc;
    if ((rc = pl_screen_list(s, on_screen, sd, diag)) != PL_OK)
        goto out;
    in.screen_days = sd->v;
    in.nscreen_days = sd->n;
    in.screen_routines = sd->rp;
    if (sd->hold_areas[0]) {
        size_t len = 0;
        for (size_t i = 0; i < pl_protocol_routine_count(p); i++) {
            const struct pl_routine *r = pl_protocol_routine(p, i);
            if (r->kind != PL_ROUTINE_MASSAGE && r->kind != PL_ROUTINE_SELF_MASSAGE)
                continue;
            bool on = false;
            for (size_t k = 0; k < r->nsteps; k++)
                on |= r->steps[k].area && has_id(sd->hold_areas, r->steps[k].area->id);
            int n = on ? snprintf(sd->hold + len, sizeof sd->hold - len, "%s%s",
                                  len ? "," : "", r->id) : 0;
            if (n > 0 && (size_t)n < sizeof sd->hold - len)
                len += (size_t)n;
            else
                sd->hold[len] = '\0';
        }
        in.hold_routines = sd->hold;
        in.hold_from_day = sd->hold_day;
    }
    in.days = load.days;
    in.ndays_known = load.ndays;
    in.sessions = b.ss;
    in.nsessions = b.ns;
    in.trips = b.tt;
    in.ntrips = b.nt;
    rc = pl_plan_make(p, &in, out, diag);
out:
    if (rc == PL_ENOMEM)
        pl__diag(diag, rc, UINT64_MAX, "out of memory while planning");
    pl__free(sd);
    pl__free(sc);
    pl__free(b.ss);
    pl__free(b.tt);
    pl_load_release(&load);
    return rc;
}
