/*
 * plan.c - the planner: days, sessions and trips in, a dated and explained
 * recovery plan out.
 *
 * What it is for: finding the moments a protocol's rules call for (hard
 * sessions, races, trips, evening runs, every day, rest days, days that
 * need recovery), placing each rule's routines at a concrete local time
 * around the runner's sessions, and saying why with the facts. What it is
 * not: it reads no files and no store (pl_plan_build, at the end, is the
 * only part that does, and only to fill a struct pl_plan_input), and it
 * decides nothing about load: the detection issue's flags are its input.
 *
 * Time inside is in "local minutes": day * 1440 + minute of the day, on
 * the runner's local clock, so that windows ("40 to 60 minutes before the
 * evening run") and constraints ("no deep tissue in the 24 hours before a
 * race") are plain integer comparisons across midnight. Items get UTC
 * times only at the end, from the day's UTC offset.
 *
 * Determinism: triggers are generated in a fixed order (day, then kind,
 * then time, then input order after a stable sort), rules are applied in
 * the protocol's order within a placement class, and nothing depends on
 * addresses or the clock, so the same protocol and input give the same
 * plan byte for byte.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "recovery/plan.h"

enum { DAY_MIN = 1440, GRID_MIN = 5 };

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

static const char *const weekday_names[7] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* ISO weekday, 0 Monday: 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
    int w = (int)((day + 3) % 7);
    return w < 0 ? w + 7 : w;
}

/* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * civil_from_days. */
void pl__plan_date(int32_t day, char *buf, size_t n)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, n, "%04d-%02u-%02u", (int)(y + (m <= 2)), m, d);
}

const char *pl__plan_weekday(int32_t day)
{
    return weekday_names[weekday(day)];
}

static const char *const trig_names[PL__TRIG_COUNT_] = {
    [PL__TRIG_HARD] = "hard-session", [PL__TRIG_RACE] = "race", [PL__TRIG_TRAVEL] = "travel",
    [PL__TRIG_EVENING] = "evening-run", [PL__TRIG_DAILY] = "every-day",
    [PL__TRIG_REST] = "rest-day", [PL__TRIG_RECOVERY] = "recovery-needed",
    [PL__TRIG_SCREENING] = "screening-result",
};

const char *pl__trig_name(int trig)
{
    return trig >= 0 && trig < PL__TRIG_COUNT_ ? trig_names[trig] : "?";
}

/* For sentences. */
static const char *trig_label(int trig)
{
    static const char *const labels[PL__TRIG_COUNT_] = {
        [PL__TRIG_HARD] = "hard session", [PL__TRIG_RACE] = "race", [PL__TRIG_TRAVEL] = "trip",
        [PL__TRIG_EVENING] = "evening run", [PL__TRIG_DAILY] = "day",
        [PL__TRIG_REST] = "rest day", [PL__TRIG_RECOVERY] = "recovery day",
        [PL__TRIG_SCREENING] = "screening",
    };
    return trig >= 0 && trig < PL__TRIG_COUNT_ ? labels[trig] : "?";
}

bool pl__constraint_matches(const struct pl__constraint *k, const struct pl__routine *r,
                            const char *rule)
{
    if (k->rule && strcmp(k->rule, rule) != 0)
        return false;
    for (size_t i = 0; i < k->nids; i++)
        if (strcmp(k->ids[i], r->id) == 0)
            return true;
    for (size_t i = 0; i < k->nkinds; i++)
        if (strcmp(k->kinds[i], r->kind) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Input                                                                */
/* ------------------------------------------------------------------ */

void pl_plan_input_init(struct pl_plan_input *in)
{
    memset(in, 0, sizeof *in);
    in->ndays = 8;
    in->evening_hour = 17;
    in->habit_minute = 17 * 60 + 30;
    in->habit_minutes = 60;
    in->wake_minute = 7 * 60;
    in->bed_minute = 22 * 60 + 30;
}

static int check_input(const struct pl_plan_input *in, struct pl_diag *d)
{
    if (in->ndays < 1 || in->ndays > PL_PLAN_DAYS_MAX)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "ndays: %u is out of range (1..%d)",
                        in->ndays, PL_PLAN_DAYS_MAX);
    if (in->from_day < -3000000 || in->from_day > 3000000)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "from_day: out of range");
    if (in->evening_hour < 0 || in->evening_hour > 23)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "evening_hour: %d is not 0..23",
                        (int)in->evening_hour);
    if (in->wake_minute < 0 || in->bed_minute > DAY_MIN || in->wake_minute + 60 > in->bed_minute)
        return pl__diag(d, PL_EINVAL, UINT64_MAX,
                        "wake_minute, bed_minute: the day must run at least an hour within 0..1440");
    if (in->habit_minute < 0 || in->habit_minute >= DAY_MIN || in->habit_minutes < 1 ||
        in->habit_minutes > DAY_MIN)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "habit_minute, habit_minutes: out of range");
    if (in->utc_offset_s < -18 * 3600 || in->utc_offset_s > 18 * 3600)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "utc_offset_s: out of range (+-18 h)");
    if ((in->nsessions && !in->sessions) || (in->ntrips && !in->trips) ||
        (in->ndays_known && !in->days))
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "an array count without its array");
    for (size_t i = 0; i < in->nsessions; i++) {
        const struct pl_plan_session *s = &in->sessions[i];
        if (s->minute < 0 || s->minute >= DAY_MIN || s->minutes < 1 || s->minutes > 7 * DAY_MIN)
            return pl__diag(d, PL_EINVAL, UINT64_MAX,
                            "sessions[%zu]: minute or minutes out of range", i);
    }
    for (size_t i = 0; i < in->ntrips; i++)
        if (in->trips[i].arrive_minute < -1 || in->trips[i].arrive_minute >= DAY_MIN)
            return pl__diag(d, PL_EINVAL, UINT64_MAX, "trips[%zu]: arrive_minute out of range", i);
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* Triggers                                                             */
/* ------------------------------------------------------------------ */

/* One moment a rule may be applied to. */
struct trig {
    int kind;                  /* enum pl__trig */
    int32_t day;
    int64_t start, end;        /* local minutes */
    bool predicted;
    const struct pl_plan_session *s;   /* the session, when there is one */
    const struct pl_plan_trip *t;      /* the trip, for travel */
    const struct pl_day *dd;           /* the detected day, when known */
    const char *only;                  /* screening: the routine ids its
                                          program keeps; NULL, "": all */
};

struct trigs {
    struct trig *v;
    size_t n, cap;
};

static int trig_push(struct trigs *ts, const struct trig *t)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 64;
        if (cap > PL_PLAN_ITEMS_MAX * 4)
            return PL_ELIMIT;
        struct trig *v = pl__realloc(ts->v, cap * sizeof *v);
        if (!v)
            return PL_ENOMEM;
        ts->v = v;
        ts->cap = cap;
    }
    ts->v[ts->n++] = *t;
    return PL_OK;
}

static int64_t lmin(int32_t day, int32_t minute)
{
    return (int64_t)day * DAY_MIN + minute;
}

static const struct pl_day *known_day(const struct pl_plan_input *in, int32_t day)
{
    for (size_t i = 0; i < in->ndays_known; i++)
        if (in->days[i].date == day)
            return &in->days[i];
    return NULL;
}

static bool is_evening(const struct pl_plan_input *in, const struct pl_plan_session *s)
{
    return (s->flags & PL_ACT_EVENING) || s->minute >= in->evening_hour * 60;
}

static int cmp_session(const void *a, const void *b)
{
    const struct pl_plan_session *x = *(const struct pl_plan_session *const *)a,
                                 *y = *(const struct pl_plan_session *const *)b;
    int64_t tx = lmin(x->day, x->minute), ty = lmin(y->day, y->minute);
    if (tx != ty)
        return tx < ty ? -1 : 1;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The sessions in time order, with the predicted evening runs added:
 * on habit weekdays from today on, in the plan's range and the days
 * around it whose triggers count, where nothing is done or declared that
 * day. */
struct sessions {
    const struct pl_plan_session **v;
    size_t n;
    struct pl_plan_session *predicted;
};

static int gather_sessions(const struct pl_plan_input *in, struct sessions *ss)
{
    size_t span = in->ndays + PL__PLAN_LOOKBACK_DAYS + PL__PLAN_LOOKAHEAD_DAYS + 1;
    ss->v = pl__malloc_array(in->nsessions + span, sizeof *ss->v);
    ss->predicted = pl__malloc_array(span, sizeof *ss->predicted);
    if (!ss->v || !ss->predicted)
        return PL_ENOMEM;
    ss->n = 0;
    for (size_t i = 0; i < in->nsessions; i++)
        ss->v[ss->n++] = &in->sessions[i];
    size_t np = 0;
    for (int32_t day = in->from_day - PL__PLAN_LOOKBACK_DAYS;
         day <= in->from_day + (int32_t)in->ndays + PL__PLAN_LOOKAHEAD_DAYS; day++) {
        if (day < in->today || !(in->evening_weekdays & (1u << weekday(day))))
            continue;
        bool busy = false;
        for (size_t i = 0; i < in->nsessions && !busy; i++)
            busy = in->sessions[i].day == day;
        if (busy)
            continue;
        struct pl_plan_session *p = &ss->predicted[np++];
        memset(p, 0, sizeof *p);
        p->day = day;
        p->minute = in->habit_minute;
        p->minutes = in->habit_minutes;
        p->source = PL_SESSION_PREDICTED;
        p->flags = PL_ACT_EVENING;
        p->intensity_factor = p->hrss = p->dist_km = NAN;
        ss->v[ss->n++] = p;
    }
    qsort(ss->v, ss->n, sizeof *ss->v, cmp_session);
    return PL_OK;
}

static int collect_triggers(const struct pl_plan_input *in, const struct sessions *ss,
                            struct trigs *ts)
{
    /* From as far back as a rule reaches (twice a day for up to
     * PL_PROTOCOL_DAYS_MAX days; days later), so that a plan from any day
     * holds what earlier triggers put on it, as a longer plan would. */
    int32_t lo = in->from_day - PL__PLAN_LOOKBACK_DAYS,
            hi = in->from_day + (int32_t)in->ndays + PL__PLAN_LOOKAHEAD_DAYS;
    int rc = PL_OK;
    for (int32_t day = lo; day <= hi && rc == PL_OK; day++) {
        const struct pl_day *dd = known_day(in, day);
        bool any = false, hard_session = false;
        const struct pl_plan_session *last = NULL;
        for (size_t i = 0; i < ss->n && rc == PL_OK; i++) {
            const struct pl_plan_session *s = ss->v[i];
            if (s->day != day)
                continue;
            any = true;
            last = s;
            struct trig t = { .day = day, .start = lmin(day, s->minute),
                              .end = lmin(day, s->minute) + s->minutes,
                              .predicted = s->source == PL_SESSION_PREDICTED, .s = s, .dd = dd };
            if (s->flags & PL_ACT_RACE) {
                t.kind = PL__TRIG_RACE;
                rc = trig_push(ts, &t);
            } else if (s->flags & PL_ACT_HARD) {
                hard_session = true;
                t.kind = PL__TRIG_HARD;
                rc = trig_push(ts, &t);
            }
            if (rc == PL_OK && is_evening(in, s) && !(s->flags & PL_ACT_RACE)) {
                t.kind = PL__TRIG_EVENING;
                rc = trig_push(ts, &t);
            }
        }
        /* A day the detection called hard without one hard session (the
         * day's total): after its last session. */
        if (rc == PL_OK && dd && (dd->flags & PL_DAY_HARD) && !(dd->flags & PL_DAY_RACE) &&
            !hard_session && last) {
            struct trig t = { .kind = PL__TRIG_HARD, .day = day, .start = lmin(day, last->minute),
                              .end = lmin(day, last->minute) + last->minutes, .s = last, .dd = dd };
            rc = trig_push(ts, &t);
        }
        for (size_t i = 0; i < in->ntrips && rc == PL_OK; i++) {
            const struct pl_plan_trip *tr = &in->trips[i];
            if (tr->day != day)
                continue;
            int32_t arrive = tr->arrive_minute >= 0 ? tr->arrive_minute : 12 * 60;
            struct trig t = { .kind = PL__TRIG_TRAVEL, .day = day, .start = lmin(day, arrive),
                              .end = lmin(day, arrive), .t = tr, .dd = dd };
            rc = trig_push(ts, &t);
        }
        if (rc != PL_OK)
            break;
        struct trig t = { .kind = PL__TRIG_DAILY, .day = day, .start = lmin(day, in->wake_minute),
                          .end = lmin(day, in->wake_minute), .dd = dd };
        rc = trig_push(ts, &t);
        bool rest = dd && day < in->today ? (dd->flags & PL_DAY_REST) != 0 : !any;
        if (rc == PL_OK && rest) {
            t.kind = PL__TRIG_REST;
            rc = trig_push(ts, &t);
        }
        /* Recovery needed: the day's own flag; for the days to come, the
         * last detected day's flag carries to today. */
        bool rec = dd && (dd->flags & PL_DAY_RECOVERY_NEEDED);
        if (!dd && day == in->today && in->ndays_known) {
            const struct pl_day *lastd = NULL;
            for (size_t i = 0; i < in->ndays_known; i++)
                if (in->days[i].date < day && (!lastd || in->days[i].date > lastd->date))
                    lastd = &in->days[i];
            if (lastd && (lastd->flags & PL_DAY_RECOVERY_NEEDED)) {
                rec = true;
                t.dd = lastd;
            }
        }
        if (rc == PL_OK && rec) {
            t.kind = PL__TRIG_RECOVERY;
            rc = trig_push(ts, &t);
        }
        /* A self-screen that found signs: its program from that morning. */
        for (size_t i = 0; i < in->nscreen_days && rc == PL_OK; i++)
            if (in->screen_days[i] == day) {
                t.kind = PL__TRIG_SCREENING;
                t.dd = dd;
                t.only = in->screen_routines ? in->screen_routines[i] : NULL;
                rc = trig_push(ts, &t);
                break;
            }
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reasons                                                              */
/* ------------------------------------------------------------------ */

/* "today's", "yesterday's", "tomorrow's", "Tuesday's" for a day seen from
 * another. */
static void when_of(int32_t day, int32_t from, char *buf, size_t n)
{
    if (day == from)
        snprintf(buf, n, "today's");
    else if (day == from - 1)
        snprintf(buf, n, "yesterday's");
    else if (day == from + 1)
        snprintf(buf, n, "tomorrow's");
    else
        snprintf(buf, n, "%s's", weekday_names[weekday(day)]);
}

static void when_day(int32_t day, int32_t from, char *buf, size_t n)
{
    if (day == from)
        snprintf(buf, n, "today");
    else if (day == from - 1)
        snprintf(buf, n, "yesterday");
    else if (day == from + 1)
        snprintf(buf, n, "tomorrow");
    else
        snprintf(buf, n, "%s %s", day < from ? "last" : "on", weekday_names[weekday(day)]);
}

/* Append with "; " between parts, never past n. */
static void add(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

static void session_desc(const struct pl_plan_input *in, const struct pl_plan_session *s,
                         int kind, int32_t seen_from, char *buf, size_t n)
{
    char when[32];
    when_of(s->day, seen_from, when, sizeof when);
    const char *what = s->name[0] ? s->name
                       : kind == PL__TRIG_RACE ? "race"
                       : kind == PL__TRIG_HARD ? "hard session"
                       : "evening run";
    snprintf(buf, n, "%s %s", when, what);
    if (kind == PL__TRIG_EVENING || s->source == PL_SESSION_PREDICTED || kind == PL__TRIG_RACE)
        add(buf, n, " at %02d:%02d", (int)(s->minute / 60), (int)(s->minute % 60));
    char facts[96] = "";
    if (isfinite(s->intensity_factor))
        add(facts, sizeof facts, "%sIF %.2f", facts[0] ? ", " : "", s->intensity_factor);
    if (isfinite(s->hrss))
        add(facts, sizeof facts, "%sHRSS %.0f", facts[0] ? ", " : "", s->hrss);
    if (isfinite(s->dist_km) && kind == PL__TRIG_RACE)
        add(facts, sizeof facts, "%s%.1f km", facts[0] ? ", " : "", s->dist_km);
    if (facts[0] && s->source == PL_SESSION_DONE)
        add(buf, n, " (%s)", facts);
    else if (s->source == PL_SESSION_PREDICTED)
        add(buf, n, " (predicted: you usually run on %s evenings)",
            weekday_names[weekday(s->day)]);
    else if (s->source == PL_SESSION_DECLARED)
        add(buf, n, " (planned)");
    (void)in;
}

static void trip_desc(const struct pl_plan_trip *t, int32_t today, int32_t seen_from,
                      bool assumption, char *buf, size_t n)
{
    char when[32];
    when_day(t->day, seen_from, when, sizeof when);
    bool past = t->day < today || t->day < seen_from;
    if (isfinite(t->dist_km))
        snprintf(buf, n, "you %s about %.0f km %s", past ? "travelled" : "travel",
                 t->dist_km, when);
    else
        snprintf(buf, n, "you %s %s", past ? "travelled" : "travel", when);
    if (t->from[0] && t->to[0])
        add(buf, n, " (%s to %s)", t->from, t->to);
    else if (t->to[0])
        add(buf, n, " (to %s)", t->to);
    if (assumption && t->arrive_minute < 0)
        add(buf, n, "; arrival time unknown, taken as noon");
}

/* The day's reason for a flag: the part of pl_day.reasons that starts
 * with prefix ("recovery"), else the whole text. */
static void day_reason(const struct pl_day *dd, const char *prefix, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!dd)
        return;
    const char *p = strstr(dd->reasons, prefix);
    const char *src = p ? p : dd->reasons;
    size_t len = strcspn(src, ";");
    if (len >= n)
        len = n - 1;
    memcpy(buf, src, len);
    buf[len] = '\0';
}

static void trigger_reason(const struct pl_plan_input *in, const struct sessions *ss,
                           const struct trig *t, int timing, int32_t item_day, char *buf,
                           size_t n)
{
    char desc[256];
    buf[0] = '\0';
    switch (t->kind) {
    case PL__TRIG_HARD:
    case PL__TRIG_RACE:
    case PL__TRIG_EVENING:
        session_desc(in, t->s, t->kind, item_day, desc, sizeof desc);
        snprintf(buf, n, "%s %s", timing == PL__TIME_BEFORE ? "before" : "after", desc);
        if (t->kind == PL__TRIG_HARD && t->dd && !(t->s->flags & PL_ACT_HARD)) {
            char r[128];
            day_reason(t->dd, "hard", r, sizeof r);
            if (r[0])
                add(buf, n, "; %s", r);
        }
        break;
    case PL__TRIG_TRAVEL:
        trip_desc(t->t, in->today, item_day, timing == PL__TIME_AFTER, buf, n);
        break;
    case PL__TRIG_DAILY:
        snprintf(buf, n, "every day: recovery is daily work");
        if (t->dd && (t->dd->flags & PL_DAY_HARD))
            add(buf, n, ", above all on hard days");
        break;
    case PL__TRIG_REST:
        snprintf(buf, n, "a rest day: no run %s", t->day < in->today ? "recorded" : "planned");
        break;
    case PL__TRIG_RECOVERY: {
        char r[160];
        day_reason(t->dd, "recovery", r, sizeof r);
        if (strncmp(r, "recovery needed", 15) == 0)
            snprintf(buf, n, "%s", r);     /* the detection says it already */
        else if (r[0])
            snprintf(buf, n, "recovery needed (%s)", r);
        else
            snprintf(buf, n, "recovery needed");
        break;
    }
    case PL__TRIG_SCREENING: {
        char d[16];
        pl__plan_date(t->day, d, sizeof d);
        snprintf(buf, n, "your self-screen of %s found signs (pliant screen)", d);
        break;
    }
    default:
        snprintf(buf, n, "%s", pl__trig_name(t->kind));
    }
    /* Context: a trip the day before or that day, and a race in the week
     * ahead, when the trigger is not that already. */
    if (t->kind != PL__TRIG_TRAVEL)
        for (size_t i = 0; i < in->ntrips; i++)
            if (in->trips[i].day == item_day || in->trips[i].day == item_day - 1) {
                trip_desc(&in->trips[i], in->today, item_day, false, desc, sizeof desc);
                add(buf, n, "; %s", desc);
                break;
            }
    if (t->kind != PL__TRIG_RACE)
        for (size_t i = 0; i < ss->n; i++) {
            const struct pl_plan_session *s = ss->v[i];
            if ((s->flags & PL_ACT_RACE) && s->day >= item_day && s->day <= item_day + 7) {
                char when[32];
                when_day(s->day, item_day, when, sizeof when);
                add(buf, n, "; race %s", when);
                break;
            }
        }
}

/* ------------------------------------------------------------------ */
/* Placement                                                            */
/* ------------------------------------------------------------------ */

struct span {
    int64_t a, b;      /* [a, b) local minutes */
};

struct busy {
    struct span *v;
    size_t n, cap;
};

static int busy_add(struct busy *bz, int64_t a, int64_t b)
{
    if (bz->n == bz->cap) {
        size_t cap = bz->cap ? bz->cap * 2 : 64;
        struct span *v = pl__realloc(bz->v, cap * sizeof *v);
        if (!v)
            return PL_ENOMEM;
        bz->v = v;
        bz->cap = cap;
    }
    bz->v[bz->n++] = (struct span){ a, b };
    return PL_OK;
}

static bool busy_free(const struct busy *bz, int64_t a, int64_t b)
{
    for (size_t i = 0; i < bz->n; i++)
        if (a < bz->v[i].b && bz->v[i].a < b)
            return false;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t grid_up(int64_t t)
{
    return -floor_div(-t, GRID_MIN) * GRID_MIN;
}

static int64_t grid_down(int64_t t)
{
    return floor_div(t, GRID_MIN) * GRID_MIN;
}

/* Inside the waking hours of its day. */
static bool awake(const struct pl_plan_input *in, int64_t a, int64_t b)
{
    int64_t day = floor_div(a, DAY_MIN);
    return a >= day * DAY_MIN + in->wake_minute && b <= day * DAY_MIN + in->bed_minute;
}

/* Earliest start in [lo, hi] where len fits; -1 when none. */
static int64_t find_after(const struct pl_plan_input *in, const struct busy *bz, int64_t lo,
                          int64_t hi, int64_t len)
{
    for (int64_t t = grid_up(lo); t <= hi; t += GRID_MIN)
        if (awake(in, t, t + len) && busy_free(bz, t, t + len))
            return t;
    return -1;
}

/* Latest end in [lo, hi] where len fits; -1 when none. */
static int64_t find_before(const struct pl_plan_input *in, const struct busy *bz, int64_t lo,
                           int64_t hi, int64_t len)
{
    for (int64_t e = grid_down(hi); e >= lo; e -= GRID_MIN)
        if (awake(in, e - len, e) && busy_free(bz, e - len, e))
            return e;
    return -1;
}

/* ------------------------------------------------------------------ */
/* The plan                                                             */
/* ------------------------------------------------------------------ */

struct planner {
    const struct pl_plan_input *in;
    const struct pl__rules *rules;
    struct sessions ss;
    struct trigs ts;
    struct busy bz;
    struct pl_plan *out;
    size_t icap, ncap;
    int32_t races_n;
};

static int push_item(struct planner *p, struct pl_plan_item **it)
{
    struct pl_plan *o = p->out;
    if (o->nitems == p->icap) {
        size_t cap = p->icap ? p->icap * 2 : 32;
        if (o->nitems >= PL_PLAN_ITEMS_MAX)
            return PL_ELIMIT;
        struct pl_plan_item *v = pl__realloc(o->items, cap * sizeof *v);
        if (!v)
            return PL_ENOMEM;
        o->items = v;
        p->icap = cap;
    }
    *it = &o->items[o->nitems++];
    memset(*it, 0, sizeof **it);
    return PL_OK;
}

static int push_note(struct planner *p, int32_t day, const char *text)
{
    struct pl_plan *o = p->out;
    if (day < o->from_day || day >= o->from_day + (int32_t)o->ndays)
        return PL_OK;
    for (size_t i = 0; i < o->nnotes; i++)
        if (o->notes[i].day == day && strcmp(o->notes[i].text, text) == 0)
            return PL_OK;
    if (o->nnotes == p->ncap) {
        size_t cap = p->ncap ? p->ncap * 2 : 16;
        if (o->nnotes >= PL_PLAN_ITEMS_MAX)
            return PL_ELIMIT;
        struct pl_plan_note *v = pl__realloc(o->notes, cap * sizeof *v);
        if (!v)
            return PL_ENOMEM;
        o->notes = v;
        p->ncap = cap;
    }
    struct pl_plan_note *nt = &o->notes[o->nnotes++];
    nt->day = day;
    snprintf(nt->text, sizeof nt->text, "%s", text);
    return PL_OK;
}

/* The UTC offset of a day: after the latest trip on or before it that
 * says where it went, else the input's. */
static int32_t offset_of(const struct pl_plan_input *in, int32_t day)
{
    int32_t off = in->utc_offset_s, best = INT32_MIN;
    for (size_t i = 0; i < in->ntrips; i++) {
        const struct pl_plan_trip *t = &in->trips[i];
        if (t->utc_offset_known && t->day <= day && t->day > best) {
            best = t->day;
            off = t->utc_offset_s;
        }
    }
    return off;
}

/* A constraint forbids routine r at [a, b): the text says which. */
static bool forbidden(const struct planner *p, const struct pl__rule *ru,
                      const struct pl__routine *r, int64_t a, int64_t b, char *why, size_t n)
{
    for (size_t c = 0; c < p->rules->nconstraints; c++) {
        const struct pl__constraint *k = &p->rules->constraints[c];
        if (!pl__constraint_matches(k, r, ru->id))
            continue;
        for (size_t i = 0; i < p->ts.n; i++) {
            const struct trig *t = &p->ts.v[i];
            if (t->kind != k->trigger)
                continue;
            int64_t lo = t->start - (int64_t)k->before_min,
                    hi = k->after_min ? t->end + (int64_t)k->after_min : t->start;
            if (a < hi && lo < b) {
                char when[32];
                when_day(t->day, (int32_t)floor_div(a, DAY_MIN), when, sizeof when);
                snprintf(why, n, "no %s: %s %s at %02d:%02d (%s)", r->title,
                         trig_label(t->kind), when, (int)((t->start % DAY_MIN + DAY_MIN) % DAY_MIN / 60),
                         (int)((t->start % DAY_MIN + DAY_MIN) % DAY_MIN % 60), k->text);
                return true;
            }
        }
    }
    return false;
}

/* Already planned that day (that half day, for a twice-daily suffix) by
 * another rule or trigger: one is enough. */
static struct pl_plan_item *same_day(struct planner *p, int32_t day, const char *routine,
                                     const char *suffix)
{
    size_t ls = strlen(suffix);
    for (size_t i = 0; i < p->out->nitems; i++) {
        struct pl_plan_item *it = &p->out->items[i];
        size_t li = strlen(it->id);
        if (it->day == day && strcmp(it->routine, routine) == 0 &&
            (!ls || (li >= ls && strcmp(it->id + li - ls, suffix) == 0)))
            return it;
    }
    return NULL;
}

/* True when id is one of the comma-separated ids of list. */
static bool in_list(const char *list, const char *id)
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

static int place_one(struct planner *p, const struct pl__rule *ru, const struct pl__routine *r,
                     const struct trig *t, const struct trig *anchor, int64_t a,
                     const char *suffix)
{
    int64_t b = a + r->minutes;
    int32_t day = (int32_t)floor_div(a, DAY_MIN);
    struct pl_plan *o = p->out;
    /* A warning sign in a self-screen keeps massage off its areas. */
    if (p->in->hold_routines && day >= p->in->hold_from_day &&
        in_list(p->in->hold_routines, r->id)) {
        char why[256], d[16];
        pl__plan_date(p->in->hold_from_day, d, sizeof d);
        snprintf(why, sizeof why,
                 "no %s: a warning sign in your self-screen of %s; see a professional first",
                 r->title, d);
        return push_note(p, day, why);
    }
    int rc = busy_add(&p->bz, a, b);
    if (rc != PL_OK || day < o->from_day || day >= o->from_day + (int32_t)o->ndays)
        return rc;
    struct pl_plan_item *it;
    if ((rc = push_item(p, &it)) != PL_OK)
        return rc;
    char date[16];
    pl__plan_date(day, date, sizeof date);
    snprintf(it->id, sizeof it->id, "%s.%s.%s%s", date, ru->id, r->id, suffix);
    it->day = day;
    it->start_minute = (int32_t)(a - (int64_t)day * DAY_MIN);
    it->end_minute = (int32_t)(b - (int64_t)day * DAY_MIN);
    it->utc_offset_s = offset_of(p->in, day);
    it->start_s = a * 60 - it->utc_offset_s;
    it->end_s = b * 60 - it->utc_offset_s;
    it->routine = r->id;
    it->title = r->title;
    it->kind = r->kind;
    it->rule = ru->id;
    it->trigger = pl__trig_name(t->kind);
    it->predicted = t->predicted || (anchor && anchor->predicted);
    it->caution = r->caution ? r->caution : "";
    it->about = r->about ? r->about : "";
    /* When the window counts from another event, that event first: it is
     * what the time was chosen by. */
    if (anchor && anchor != t) {
        char desc[256], rest[sizeof it->reason];
        session_desc(p->in, anchor->s, anchor->kind, day, desc, sizeof desc);
        trigger_reason(p->in, &p->ss, t, ru->timing, day, rest, sizeof rest);
        snprintf(it->reason, sizeof it->reason, "%s %s; ",
                 ru->timing == PL__TIME_BEFORE ? "before" : "after", desc);
        add(it->reason, sizeof it->reason, "%s", rest);
    } else {
        trigger_reason(p->in, &p->ss, t, ru->timing, day, it->reason, sizeof it->reason);
    }
    it->nsteps = r->nsteps;
    it->steps = r->steps;
    it->ncovers = r->ncovers;
    it->covers = r->covers;
    return PL_OK;
}

static void hhmm(int64_t t, char *buf, size_t n)
{
    int64_t m = (t % DAY_MIN + DAY_MIN) % DAY_MIN;
    snprintf(buf, n, "%02d:%02d", (int)(m / 60), (int)(m % 60));
}

/* The event a window counts from: the trigger itself, or the first event
 * of the anchor's kind on the trigger's day (after the trigger when there
 * is one). NULL when there is none. */
static const struct trig *find_anchor(const struct planner *p, const struct pl__rule *ru,
                                      const struct trig *t)
{
    if (ru->anchor == t->kind)
        return t;
    const struct trig *best = NULL;
    for (size_t i = 0; i < p->ts.n; i++) {
        const struct trig *c = &p->ts.v[i];
        if (c->kind != ru->anchor || c->day != t->day)
            continue;
        if (c->start >= t->end)
            return c;
        if (!best)
            best = c;
    }
    return best;
}

/* Place a rule segment's routines for one trigger, in order. */
static int apply(struct planner *p, const struct pl__rule *ru, const struct trig *t)
{
    const struct pl_plan_input *in = p->in;
    int rc = PL_OK;
    char why[256], at[8];
    const struct trig *an = NULL;
    if (ru->timing == PL__TIME_BEFORE || ru->timing == PL__TIME_AFTER) {
        an = find_anchor(p, ru, t);
        if (!an) {
            snprintf(why, sizeof why, "%s: no %s that day to time it by",
                     ru->nroutines ? ru->routines[0]->title : ru->id, trig_label(ru->anchor));
            return push_note(p, t->day, why);
        }
    }
    if (ru->timing == PL__TIME_BEFORE) {
        /* Backwards from the anchor: the last routine ends in the window. */
        int64_t hi = an->start - ru->win_min, lo = an->start - ru->win_max;
        hhmm(an->start, at, sizeof at);
        for (size_t k = ru->nroutines; k-- > 0 && rc == PL_OK;) {
            const struct pl__routine *r = ru->routines[k];
            int32_t day = (int32_t)floor_div(hi, DAY_MIN);
            if (same_day(p, day, r->id, ""))
                continue;
            int64_t e = find_before(in, &p->bz, lo, hi, r->minutes);
            if (e >= 0 && forbidden(p, ru, r, e - r->minutes, e, why, sizeof why)) {
                rc = push_note(p, day, why);
                continue;
            }
            if (e < 0) {
                snprintf(why, sizeof why, "no time for %s in its window before %s", r->title, at);
                rc = push_note(p, day, why);
                continue;
            }
            rc = place_one(p, ru, r, t, an, e - r->minutes, "");
            hi = e - r->minutes;
            lo = hi - DAY_MIN / 2;   /* earlier steps: the same half day */
        }
        return rc;
    }
    int64_t lo, hi;
    int reps = 1;
    switch (ru->timing) {
    case PL__TIME_AFTER:
        lo = an->end + ru->win_min;
        hi = an->end + ru->win_max;
        break;
    case PL__TIME_NEXT_MORNING:
        lo = lmin(t->day + 1, ru->pref[0] >= 0 ? ru->pref[0] : in->wake_minute);
        hi = lmin(t->day + 1, 13 * 60);
        if (hi < lo)
            hi = lo;
        break;
    case PL__TIME_TWICE_DAILY:
        reps = 2 * (ru->days > 0 ? ru->days : 1);
        lo = hi = 0;
        break;
    case PL__TIME_DAYS_LATER:
        lo = lmin(t->day + ru->days, ru->pref[0] >= 0 ? ru->pref[0] : in->wake_minute);
        hi = lmin(t->day + ru->days, in->bed_minute);
        break;
    default:   /* daily, same day: any free time that day */
        lo = lmin(t->day, ru->pref[0] >= 0 ? ru->pref[0] : in->wake_minute);
        hi = lmin(t->day, in->bed_minute);
        break;
    }
    for (int rep = 0; rep < reps && rc == PL_OK; rep++) {
        char suffix[16] = "";
        int64_t rlo = lo, rhi = hi;
        if (ru->timing == PL__TIME_TWICE_DAILY) {
            int32_t day = t->day + rep / 2;
            bool pm = rep % 2;
            int32_t pref = ru->pref[pm];
            rlo = lmin(day, pref >= 0 ? pref : pm ? 17 * 60 : in->wake_minute);
            rhi = lmin(day, pm ? in->bed_minute : 13 * 60);
            if (rhi < rlo)
                rhi = lmin(day, in->bed_minute);
            snprintf(suffix, sizeof suffix, ".%s", pm ? "pm" : "am");
        }
        int64_t cur = rlo;
        for (size_t k = 0; k < ru->nroutines && rc == PL_OK; k++) {
            const struct pl__routine *r = ru->routines[k];
            int32_t day = (int32_t)floor_div(cur, DAY_MIN);
            if (same_day(p, day, r->id, suffix))
                continue;
            /* A screen's program works on the areas it flagged only. */
            if (t->kind == PL__TRIG_SCREENING && ru->timing == PL__TIME_TWICE_DAILY &&
                t->only && t->only[0] && !in_list(t->only, r->id))
                continue;
            /* Later steps of a sequence follow the first within the day. */
            int64_t limit = k == 0 ? rhi : lmin(day, in->bed_minute) - r->minutes;
            int64_t s0 = find_after(in, &p->bz, cur, limit, r->minutes);
            if (s0 >= 0 && forbidden(p, ru, r, s0, s0 + r->minutes, why, sizeof why)) {
                rc = push_note(p, day, why);
                continue;
            }
            if (s0 < 0) {
                snprintf(why, sizeof why, "no free time for %s in its window", r->title);
                rc = push_note(p, day, why);
                continue;
            }
            rc = place_one(p, ru, r, t, an, s0, suffix);
            cur = s0 + r->minutes;
        }
    }
    return rc;
}

/* Placement classes, most constrained first. */
static int timing_class(int timing)
{
    switch (timing) {
    case PL__TIME_BEFORE: return 0;
    case PL__TIME_AFTER: return 1;
    case PL__TIME_NEXT_MORNING: return 2;
    case PL__TIME_TWICE_DAILY: return 3;
    default: return 4;
    }
}

static int cmp_item(const void *a, const void *b)
{
    const struct pl_plan_item *x = a, *y = b;
    if (x->start_s != y->start_s)
        return x->start_s < y->start_s ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int cmp_note(const void *a, const void *b)
{
    const struct pl_plan_note *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return strcmp(x->text, y->text);
}

int pl__plan_rules(const struct pl__rules *rules, const struct pl_plan_input *in,
                   struct pl_plan *out, struct pl_diag *diag)
{
    memset(out, 0, sizeof *out);
    int rc = check_input(in, diag);
    if (rc != PL_OK)
        return rc;
    out->from_day = in->from_day;
    out->ndays = in->ndays;
    struct planner p = { .in = in, .rules = rules, .out = out };
    if ((rc = gather_sessions(in, &p.ss)) != PL_OK)
        goto out;
    if ((rc = collect_triggers(in, &p.ss, &p.ts)) != PL_OK)
        goto out;
    /* Sessions are busy; so are days outside the waking hours (awake()). */
    for (size_t i = 0; i < p.ss.n && rc == PL_OK; i++) {
        int64_t a = lmin(p.ss.v[i]->day, p.ss.v[i]->minute);
        rc = busy_add(&p.bz, a, a + p.ss.v[i]->minutes);
    }
    for (int cls = 0; cls <= 4 && rc == PL_OK; cls++)
        for (size_t i = 0; i < p.ts.n && rc == PL_OK; i++)
            for (size_t r = 0; r < rules->nrules && rc == PL_OK; r++) {
                const struct pl__rule *ru = &rules->rules[r];
                const struct trig *t = &p.ts.v[i];
                if (timing_class(ru->timing) != cls || ru->trigger != t->kind)
                    continue;
                rc = apply(&p, ru, t);
            }
    if (rc == PL_ELIMIT)
        pl__diag(diag, rc, UINT64_MAX, "the plan would hold more than %d items",
                 PL_PLAN_ITEMS_MAX);
    else if (rc == PL_ENOMEM)
        pl__diag(diag, rc, UINT64_MAX, "out of memory while planning");
    /* The sessions of the plan's days, for the agenda (already in order). */
    size_t nin = 0;
    for (size_t i = 0; i < p.ss.n; i++)
        nin += p.ss.v[i]->day >= in->from_day && p.ss.v[i]->day < in->from_day + (int32_t)in->ndays;
    if (rc == PL_OK && nin) {
        out->sessions = pl__malloc_array(nin, sizeof *out->sessions);
        if (!out->sessions)
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory while planning");
        for (size_t i = 0; i < p.ss.n && out->sessions; i++)
            if (p.ss.v[i]->day >= in->from_day &&
                p.ss.v[i]->day < in->from_day + (int32_t)in->ndays)
                out->sessions[out->nsessions++] = *p.ss.v[i];
    }
    if (rc == PL_OK) {
        if (out->nitems)
            qsort(out->items, out->nitems, sizeof *out->items, cmp_item);
        if (out->nnotes)
            qsort(out->notes, out->nnotes, sizeof *out->notes, cmp_note);
    }
out:
    pl__free(p.ss.v);
    pl__free(p.ss.predicted);
    pl__free(p.ts.v);
    pl__free(p.bz.v);
    if (rc != PL_OK)
        pl_plan_release(out);
    return rc;
}

void pl_plan_release(struct pl_plan *plan)
{
    if (!plan)
        return;
    pl__free(plan->items);
    pl__free(plan->notes);
    pl__free(plan->sessions);
    pl__arena_free(plan->priv_);   /* the rules pl_plan_make built */
    memset(plan, 0, sizeof *plan);
}
