/*
 * profile.c - the athlete profile: what the runner set, and for the rest
 * an estimate from their activities or a documented default, each with
 * how it was found.
 *
 * The load model needs a maximum and a resting heart rate (Banister's
 * heart-rate reserve), a lactate-threshold heart rate (zones, HRSS) and a
 * threshold pace (rTSS). Most runners know none of them, so every one has
 * an estimate from the data and, when the data says nothing, a default;
 * the method text says which, so that load is never silently wrong for a
 * missing threshold (docs/internals/load.md, "Profile"). This file parses
 * and checks `KEY=VALUE` settings; it stores nothing itself (lib/store/store.c)
 * and computes no metrics (lib/model/metrics.c).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "activity/activity.h"
#include "model/load.h"

#define DAY_S 86400
/* Heart-rate ceilings change slowly: a year of data. */
#define HR_WINDOW_DAYS 365
/* Running fitness changes in weeks: threshold pace and home from the
 * last 90 days. */
#define PACE_WINDOW_DAYS 90
/* Starts within this distance are the same place (home). */
#define HOME_RADIUS_M 2000.0

/* Defaults when the data says nothing (docs/internals/load.md). */
#define DEFAULT_MAX_HR 190.0
#define DEFAULT_RESTING_HR 60.0
#define DEFAULT_LTHR_OF_MAX 0.88
#define DEFAULT_PACE_S_KM 360.0
#define DEFAULT_EVENING_HOUR 17.0
/* LTHR from the best 20-min heart rate: docs/internals/load.md, "LTHR". */
#define LTHR_OF_BEST20 0.95

const char *pl_origin_name(int origin)
{
    switch (origin) {
    case PL_ORIGIN_SET: return "set";
    case PL_ORIGIN_ESTIMATED: return "estimated";
    case PL_ORIGIN_DEFAULT: return "default";
    default: return "none";
    }
}

static const char *const key_names[PL_PROF_COUNT_] = {
    [PL_PROF_SEX] = "sex",
    [PL_PROF_BIRTH_YEAR] = "birth_year",
    [PL_PROF_MAX_HR] = "max_hr",
    [PL_PROF_RESTING_HR] = "resting_hr",
    [PL_PROF_LTHR] = "lthr",
    [PL_PROF_THRESHOLD_PACE] = "threshold_pace",
    [PL_PROF_EVENING_HOUR] = "evening_hour",
    [PL_PROF_HOME_LAT] = "home",
    [PL_PROF_HOME_LON] = "home",
};

const char *pl_profile_key_name(int key)
{
    return key >= 0 && key < PL_PROF_COUNT_ ? key_names[key] : NULL;
}

static void pace_text(double s_per_km, char *buf, size_t n)
{
    /* Paces are 2:00..15:00 when set; an estimate is within 1..7 m/s. */
    int s = !(s_per_km >= 0) ? 0 : s_per_km > 5999 ? 5999 : (int)lround(s_per_km);
    snprintf(buf, n, "%d:%02d", (s / 60) % 100, s % 60);
}

void pl_profile_format(const struct pl_profile *p, int key, char *buf, size_t n)
{
    if (!n)
        return;
    if (key < 0 || key >= PL_PROF_COUNT_) {
        snprintf(buf, n, "-");
        return;
    }
    double v = p->v[key].value;
    if (key == PL_PROF_SEX) {
        snprintf(buf, n, "%s", v == PL_SEX_MALE ? "male" : v == PL_SEX_FEMALE ? "female"
                                                                                 : "unknown");
        return;
    }
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return;
    }
    switch (key) {
    case PL_PROF_THRESHOLD_PACE:
        pace_text(v, buf, n);
        break;
    case PL_PROF_HOME_LAT:
    case PL_PROF_HOME_LON:
        snprintf(buf, n, "%.4f,%.4f", p->v[PL_PROF_HOME_LAT].value,
                 p->v[PL_PROF_HOME_LON].value);
        break;
    default:
        snprintf(buf, n, "%.0f", v);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Setting                                                              */

/* A decimal number that is all of s; false otherwise. */
static bool number(const char *s, double *out)
{
    if (!*s || isspace((unsigned char)*s))
        return false;
    char *end;
    double x = strtod(s, &end);
    if (*end || !isfinite(x))
        return false;
    /* strtod takes hex floats and "infinity"; a profile value is plain
     * decimal. */
    for (const char *c = s; *c; c++)
        if (!(isdigit((unsigned char)*c) || *c == '.' || *c == '-' || *c == '+'))
            return false;
    *out = x;
    return true;
}

static bool whole(const char *s, double *out)
{
    double x;
    if (!number(s, &x) || x != floor(x))
        return false;
    *out = x;
    return true;
}

/* "m:ss" (optionally followed by "/km") -> seconds per km. */
static bool pace(const char *s, double *out)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s)
        return false;
    char m[16], sec[16];
    size_t nm = (size_t)(colon - s), ns = strlen(colon + 1);
    const char *tail = colon + 1;
    if (ns >= 3 && strcmp(tail + ns - 3, "/km") == 0)
        ns -= 3;
    if (nm >= sizeof m || ns != 2)
        return false;
    memcpy(m, s, nm);
    m[nm] = '\0';
    memcpy(sec, tail, 2);
    sec[2] = '\0';
    double mm, ss;
    if (!isdigit((unsigned char)sec[0]) || !isdigit((unsigned char)sec[1]) || !whole(m, &mm) ||
        !whole(sec, &ss) || mm < 0 || ss >= 60)
        return false;
    *out = mm * 60 + ss;
    return true;
}

static int bad(struct pl_diag *d, const char *key, const char *val, const char *why)
{
    return pl__diag(d, PL_EINVAL, UINT64_MAX, "%s: '%s' %s", key, val, why);
}

/* Parse one value into set (and the bit of its key(s) into *mask). */
static int parse_one(const char *key, size_t klen, const char *val, struct pl__profile_set *set,
                     unsigned *mask, struct pl_diag *d)
{
    int k = -1;
    for (int i = 0; i < PL_PROF_COUNT_; i++)
        if (strlen(key_names[i]) == klen && strncmp(key, key_names[i], klen) == 0) {
            k = i;
            break;
        }
    if (k < 0) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", klen > 60 ? 60 : (int)klen, key);
        return pl__diag(d, PL_EINVAL, UINT64_MAX,
                        "unknown profile key '%s' (keys: sex, birth_year, max_hr, resting_hr, "
                        "lthr, threshold_pace, evening_hour, home)",
                        name);
    }
    const char *name = key_names[k];
    unsigned bits = k == PL_PROF_HOME_LAT || k == PL_PROF_HOME_LON
                        ? 1u << PL_PROF_HOME_LAT | 1u << PL_PROF_HOME_LON
                        : 1u << k;
    if (*mask & bits)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "%s: given twice", name);
    *mask |= bits;
    if (!*val) {             /* "KEY=": back to the estimate */
        for (int i = 0; i < PL_PROF_COUNT_; i++)
            if (bits >> i & 1)
                set->v[i] = NAN;
        return PL_OK;
    }
    double x;
    switch (k) {
    case PL_PROF_SEX:
        if (strcasecmp(val, "male") == 0 || strcasecmp(val, "m") == 0)
            x = PL_SEX_MALE;
        else if (strcasecmp(val, "female") == 0 || strcasecmp(val, "f") == 0)
            x = PL_SEX_FEMALE;
        else
            return bad(d, name, val, "is not male or female");
        break;
    case PL_PROF_BIRTH_YEAR:
        if (!whole(val, &x) || x < 1900 || x > 2100)
            return bad(d, name, val, "is not a year (1900..2100)");
        break;
    case PL_PROF_MAX_HR:
        if (!number(val, &x) || x < 100 || x > 250)
            return bad(d, name, val, "is out of range (100..250 bpm)");
        break;
    case PL_PROF_RESTING_HR:
        if (!number(val, &x) || x < 25 || x > 120)
            return bad(d, name, val, "is out of range (25..120 bpm)");
        break;
    case PL_PROF_LTHR:
        if (!number(val, &x) || x < 80 || x > 240)
            return bad(d, name, val, "is out of range (80..240 bpm)");
        break;
    case PL_PROF_THRESHOLD_PACE:
        if (!pace(val, &x))
            return bad(d, name, val, "is not a pace in m:ss per km (e.g. 4:30)");
        if (x < 120 || x > 900)
            return bad(d, name, val, "is out of range (2:00..15:00 per km)");
        break;
    case PL_PROF_EVENING_HOUR:
        if (!whole(val, &x) || x < 0 || x > 23)
            return bad(d, name, val, "is not an hour (0..23)");
        break;
    default: {               /* home=LAT,LON */
        const char *comma = strchr(val, ',');
        char lat[64];
        double y;
        if (!comma || (size_t)(comma - val) >= sizeof lat)
            return bad(d, name, val, "is not LAT,LON in degrees (e.g. 38.7223,-9.1393)");
        memcpy(lat, val, (size_t)(comma - val));
        lat[comma - val] = '\0';
        if (!number(lat, &x) || !number(comma + 1, &y))
            return bad(d, name, val, "is not LAT,LON in degrees (e.g. 38.7223,-9.1393)");
        if (x < -90 || x > 90 || y < -180 || y > 180)
            return bad(d, name, val, "is out of range (latitude -90..90, longitude -180..180)");
        set->v[PL_PROF_HOME_LAT] = x;
        set->v[PL_PROF_HOME_LON] = y;
        return PL_OK;
    }
    }
    set->v[k] = x;
    return PL_OK;
}

int pl_profile_set(struct pl_store *s, const char *const *assignments, size_t n,
                   struct pl_diag *diag)
{
    if (n == 0)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "nothing to set: give KEY=VALUE");
    struct pl__profile_set set;
    int rc = pl__store_profile_read(s, &set, diag);
    if (rc)
        return rc;
    unsigned mask = 0;
    for (size_t i = 0; i < n; i++) {
        const char *a = assignments[i];
        const char *eq = a ? strchr(a, '=') : NULL;
        if (!eq || eq == a)
            return pl__diag(diag, PL_EINVAL, UINT64_MAX, "'%s' is not KEY=VALUE", a ? a : "");
        if ((rc = parse_one(a, (size_t)(eq - a), eq + 1, &set, &mask, diag)))
            return rc;
    }
    /* Values that contradict each other, counting what was set before. */
    double mx = set.v[PL_PROF_MAX_HR], rest = set.v[PL_PROF_RESTING_HR],
           lt = set.v[PL_PROF_LTHR];
    if (lt > mx)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "lthr (%.0f) cannot be above max_hr (%.0f)", lt, mx);
    if (rest >= lt)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "resting_hr (%.0f) must be below lthr (%.0f)", rest, lt);
    if (rest >= mx)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "resting_hr (%.0f) must be below max_hr (%.0f)", rest, mx);
    return pl__store_profile_write(s, &set, mask, diag);
}

/* ------------------------------------------------------------------ */
/* Estimates                                                            */

static void say(struct pl_profile_value *v, double value, int origin, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(struct pl_profile_value *v, double value, int origin, const char *fmt, ...)
{
    v->value = value;
    v->origin = (uint8_t)origin;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->method, sizeof v->method, fmt, ap);
    va_end(ap);
}

static void day_text(int64_t t_s, int32_t off, char buf[16])
{
    pl_day_format(pl_local_day(t_s, off), buf, 16);
}

/* The activity (index) with the largest value of field f among those in
 * the window; -1 when none has one. */
static long best_in(const struct pl__act *acts, size_t n, int64_t since_s, bool runs_only,
                    double (*get)(const struct pl__act *x))
{
    long best = -1;
    double bv = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const struct pl__act *x = &acts[i];
        if (x->m.start_s < since_s || !x->have_feat || (runs_only && x->m.sport != 1))
            continue;
        double v = get(x);
        if (v > bv) {
            bv = v;
            best = (long)i;
        }
    }
    return best;
}

static double get_peak5(const struct pl__act *x)
{
    return x->f.hr_peak5_bpm;
}

static double get_best20(const struct pl__act *x)
{
    return x->f.hr_best20_bpm;
}

/* Critical speed by least squares of distance on time over the best
 * efforts (Monod & Scherrer 1965; Hill 1993 for the linear form d = CS t +
 * D'). false when fewer than 3 efforts or the fit is not physical. */
static bool critical_speed(const struct pl__act *acts, size_t n, int64_t since_s, double *cs,
                           double *dprime, int *points)
{
    double best[PL__EFFORTS];
    for (int k = 0; k < PL__EFFORTS; k++)
        best[k] = NAN;
    for (size_t i = 0; i < n; i++) {
        const struct pl__act *x = &acts[i];
        if (x->m.start_s < since_s || !x->have_feat || x->m.sport != 1)
            continue;
        for (int k = 0; k < PL__EFFORTS; k++)
            if (x->f.effort_mps[k] > 0 && !(x->f.effort_mps[k] <= best[k]))
                best[k] = x->f.effort_mps[k];
    }
    double st = 0, sd = 0, stt = 0, std = 0;
    int m = 0;
    for (int k = 0; k < PL__EFFORTS; k++) {
        if (isnan(best[k]))
            continue;
        double t = pl__effort_s[k], d = best[k] * t;
        st += t;
        sd += d;
        stt += t * t;
        std += t * d;
        m++;
    }
    *points = m;
    if (m < 3)
        return false;
    double den = m * stt - st * st;
    *cs = (m * std - st * sd) / den;
    *dprime = (sd - *cs * st) / m;
    /* A runner's CS is between a walk and a world record; D' is a
     * positive reserve of at most a few hundred metres. */
    return *cs > 1.0 && *cs < 7.0 && *dprime > 0 && *dprime < 1000;
}

void pl__profile_effective(const struct pl__profile_set *set, const struct pl__act *acts,
                           size_t n, struct pl_profile *p)
{
    memset(p, 0, sizeof *p);
    for (int k = 0; k < PL_PROF_COUNT_; k++)
        p->v[k].value = NAN;
    p->as_of_s = n ? acts[n - 1].m.start_s : 0;
    int64_t hr_since = p->as_of_s - (int64_t)HR_WINDOW_DAYS * DAY_S;
    int64_t pace_since = p->as_of_s - (int64_t)PACE_WINDOW_DAYS * DAY_S;
    char asof[16];
    day_text(p->as_of_s, n ? acts[n - 1].m.utc_offset_s : 0, asof);
    const char *how_set = "set by you";

    for (int k = 0; k < PL_PROF_COUNT_; k++)
        if (!isnan(set->v[k]))
            say(&p->v[k], set->v[k], PL_ORIGIN_SET, "%s", how_set);

    struct pl_profile_value *v = &p->v[PL_PROF_SEX];
    if (v->origin != PL_ORIGIN_SET)
        say(v, PL_SEX_UNKNOWN, PL_ORIGIN_DEFAULT,
            "not set: TRIMP uses the male coefficients 0.64, 1.92 (Banister 1991); "
            "set it with 'pliant profile set sex=female' or 'sex=male'");

    v = &p->v[PL_PROF_BIRTH_YEAR];
    if (v->origin != PL_ORIGIN_SET)
        say(v, NAN, PL_ORIGIN_NONE, "not set (only used for the default maximum heart rate)");

    v = &p->v[PL_PROF_MAX_HR];
    if (v->origin != PL_ORIGIN_SET) {
        long i = best_in(acts, n, hr_since, false, get_peak5);
        double by = set->v[PL_PROF_BIRTH_YEAR];
        if (i >= 0) {
            char day[16];
            day_text(acts[i].m.start_s, acts[i].m.utc_offset_s, day);
            say(v, round(acts[i].f.hr_peak5_bpm), PL_ORIGIN_ESTIMATED,
                "highest 5-s mean heart rate of the %d days to %s (%s, activity %lld)",
                HR_WINDOW_DAYS, asof, day, (long long)acts[i].m.activity_id);
        } else if (!isnan(by) && p->as_of_s > 0) {
            double age = floor(1970 + p->as_of_s / (365.2425 * DAY_S)) - by;
            say(v, round(208 - 0.7 * age), PL_ORIGIN_DEFAULT,
                "no heart rate in the last %d days: 208 - 0.7 x age %.0f (Tanaka, Monahan & "
                "Seals 2001)",
                HR_WINDOW_DAYS, age);
        } else {
            say(v, DEFAULT_MAX_HR, PL_ORIGIN_DEFAULT,
                "no heart rate in the last %d days and no birth year: default %.0f bpm; set "
                "it with 'pliant profile set max_hr=...'",
                HR_WINDOW_DAYS, DEFAULT_MAX_HR);
        }
    }

    v = &p->v[PL_PROF_RESTING_HR];
    if (v->origin != PL_ORIGIN_SET)
        say(v, DEFAULT_RESTING_HR, PL_ORIGIN_DEFAULT,
            "not in the data (activity files do not carry it): default %.0f bpm; a trained "
            "runner's is often lower: set it with 'pliant profile set resting_hr=...' for "
            "exact TRIMP",
            DEFAULT_RESTING_HR);

    double mx = p->v[PL_PROF_MAX_HR].value, rest = p->v[PL_PROF_RESTING_HR].value;
    v = &p->v[PL_PROF_LTHR];
    if (v->origin != PL_ORIGIN_SET) {
        long i = best_in(acts, n, hr_since, false, get_best20);
        double x = i >= 0 ? round(LTHR_OF_BEST20 * acts[i].f.hr_best20_bpm) : NAN;
        if (i >= 0 && x > rest && x <= mx) {
            char day[16];
            day_text(acts[i].m.start_s, acts[i].m.utc_offset_s, day);
            say(v, x, PL_ORIGIN_ESTIMATED,
                "95 %% of the best 20-min mean heart rate (%.0f bpm) of the %d days to %s "
                "(%s, activity %lld): the 20-min test convention; the year's best 20 minutes "
                "usually come from a race, above threshold",
                acts[i].f.hr_best20_bpm, HR_WINDOW_DAYS, asof, day,
                (long long)acts[i].m.activity_id);
        } else {
            say(v, round(DEFAULT_LTHR_OF_MAX * mx), PL_ORIGIN_DEFAULT,
                "no 30-min run with heart rate in the last %d days: %.0f %% of max HR "
                "(a rule of thumb); set it with 'pliant profile set lthr=...'",
                HR_WINDOW_DAYS, DEFAULT_LTHR_OF_MAX * 100);
        }
    }

    v = &p->v[PL_PROF_THRESHOLD_PACE];
    if (v->origin != PL_ORIGIN_SET) {
        double cs, dp;
        int pts = 0;
        if (critical_speed(acts, n, pace_since, &cs, &dp, &pts)) {
            char pc[32];
            pace_text(1000 / cs, pc, sizeof pc);
            say(v, round(1000 / cs), PL_ORIGIN_ESTIMATED,
                "critical speed %.2f m/s (%s per km, D' %.0f m) fitted to the best efforts of "
                "3-20 min of the %d days to %s (Monod & Scherrer 1965, d = CS t + D')",
                cs, pc, dp, PACE_WINDOW_DAYS, asof);
        } else {
            long best = -1;
            for (size_t i = 0; i < n; i++)
                if (acts[i].m.start_s >= pace_since && acts[i].have_feat &&
                    acts[i].m.sport == 1 && acts[i].f.effort_mps[PL__EFFORTS - 1] > 0 &&
                    (best < 0 || acts[i].f.effort_mps[PL__EFFORTS - 1] >
                                     acts[best].f.effort_mps[PL__EFFORTS - 1]))
                    best = (long)i;
            if (best >= 0)
                say(v, round(1000 / acts[best].f.effort_mps[PL__EFFORTS - 1]),
                    PL_ORIGIN_ESTIMATED,
                    "best 20-min speed of the %d days to %s (too few efforts for a "
                    "critical-speed fit)",
                    PACE_WINDOW_DAYS, asof);
            else
                say(v, DEFAULT_PACE_S_KM, PL_ORIGIN_DEFAULT,
                    "no run with speed of 20 min or more in the last %d days: default 6:00 per "
                    "km; set it with 'pliant profile set threshold_pace=m:ss'",
                    PACE_WINDOW_DAYS);
        }
    }

    v = &p->v[PL_PROF_EVENING_HOUR];
    if (v->origin != PL_ORIGIN_SET)
        say(v, DEFAULT_EVENING_HOUR, PL_ORIGIN_DEFAULT, "default: runs from %.0f:00 local time",
            DEFAULT_EVENING_HOUR);

    if (p->v[PL_PROF_HOME_LAT].origin != PL_ORIGIN_SET) {
        /* The start point most recent activities share. O(m^2) over the
         * window's activities: a few hundred at most. */
        long best = -1;
        int best_count = 0, with_gps = 0;
        for (size_t i = 0; i < n; i++) {
            const struct pl__act *x = &acts[i];
            if (x->m.start_s < pace_since || !x->have_feat || isnan(x->f.start_lat_deg))
                continue;
            with_gps++;
            int c = 0;
            for (size_t j = 0; j < n; j++) {
                const struct pl__act *y = &acts[j];
                if (y->m.start_s < pace_since || !y->have_feat || isnan(y->f.start_lat_deg))
                    continue;
                if (pl__haversine_m(x->f.start_lat_deg, x->f.start_lon_deg, y->f.start_lat_deg,
                                    y->f.start_lon_deg) <= HOME_RADIUS_M)
                    c++;
            }
            if (c > best_count) {
                best_count = c;
                best = (long)i;
            }
        }
        if (best >= 0 && best_count * 2 > with_gps) {
            say(&p->v[PL_PROF_HOME_LAT], acts[best].f.start_lat_deg, PL_ORIGIN_ESTIMATED,
                "where %d of the %d activities with GPS of the %d days to %s start (within "
                "%.0f km)",
                best_count, with_gps, PACE_WINDOW_DAYS, asof, HOME_RADIUS_M / 1000);
            p->v[PL_PROF_HOME_LON] = p->v[PL_PROF_HOME_LAT];
            p->v[PL_PROF_HOME_LON].value = acts[best].f.start_lon_deg;
        } else {
            say(&p->v[PL_PROF_HOME_LAT], NAN, PL_ORIGIN_NONE,
                "not set, and no start point shared by most recent activities");
            p->v[PL_PROF_HOME_LON] = p->v[PL_PROF_HOME_LAT];
        }
    }
}

int pl_profile_get(struct pl_store *s, struct pl_profile *p, struct pl_diag *diag)
{
    struct pl__model mo;
    int rc = pl__model_build(s, false, &mo, diag);
    if (rc)
        return rc;
    *p = mo.profile;
    pl__model_release(&mo);
    return PL_OK;
}
