/*
 * activity.c - struct pl_activity, its streams and summaries, and the
 * reader that recognises a file's format and hands it to the right parser.
 *
 * The three format readers (fitactivity.c, gpx.c, tcx.c) only collect what
 * their file says, as absolute-time samples, laps and whatever totals the
 * file gives; everything a file may leave out is computed here, the same
 * way for every format, by the rules of docs/internals/activity.md. This
 * file knows no format beyond the first bytes that tell them apart.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "activity/activity.h"
#include "formats/fitprofile.h"
#include "formats/xml.h"

/* ------------------------------------------------------------------ */
/* The struct                                                           */

/* Bookkeeping behind a->priv_: the capacity of the streams and laps. */
struct act_priv {
    size_t cap, lap_cap;
    bool t_absolute;     /* t_s still holds UTC seconds (being built) */
};

void pl_activity_init(struct pl_activity *a)
{
    memset(a, 0, sizeof *a);
    a->start_s = PL__START_UNKNOWN;
    a->duration_s = a->moving_s = a->dist_m = NAN;
    a->ascent_m = a->descent_m = NAN;
    a->hr_avg_bpm = a->hr_max_bpm = NAN;
    a->cadence_avg_spm = a->power_avg_w = NAN;
    a->training_effect = a->anaerobic_training_effect = a->rpe = NAN;
}

/* Where each stream's pointer sits in the struct, by enum pl__stream. */
static const size_t stream_off[PL__S_COUNT] = {
    [PL__S_T] = offsetof(struct pl_activity, t_s),
    [PL__S_HR] = offsetof(struct pl_activity, hr_bpm),
    [PL__S_SPEED] = offsetof(struct pl_activity, speed_mps),
    [PL__S_DIST] = offsetof(struct pl_activity, dist_m_s),
    [PL__S_ALT] = offsetof(struct pl_activity, alt_m),
    [PL__S_LAT] = offsetof(struct pl_activity, lat_deg),
    [PL__S_LON] = offsetof(struct pl_activity, lon_deg),
    [PL__S_CAD] = offsetof(struct pl_activity, cadence_spm),
    [PL__S_POWER] = offsetof(struct pl_activity, power_w),
    [PL__S_TEMP] = offsetof(struct pl_activity, temp_c),
};

static inline double **stream_at(struct pl_activity *a, int k)
{
    return (double **)(void *)((char *)a + stream_off[k]);
}

double **pl__activity_stream(struct pl_activity *a, int k)
{
    return k >= 0 && k < PL__S_COUNT ? stream_at(a, k) : NULL;
}

void pl_activity_release(struct pl_activity *a)
{
    if (!a)
        return;
    for (int k = 0; k < PL__S_COUNT; k++)
        pl__free(*stream_at(a, k));
    pl__free(a->laps);
    pl__free(a->priv_);
    pl_activity_init(a);
}

void pl__sample_clear(struct pl__sample *s)
{
    for (int k = 0; k < PL__S_COUNT; k++)
        s->v[k] = NAN;
}

static struct act_priv *priv(struct pl_activity *a)
{
    if (!a->priv_) {
        struct act_priv *p = pl__calloc(1, sizeof *p);
        if (!p)
            return NULL;
        /* Streams someone else allocated (the store) hold exactly n. */
        p->cap = a->n;
        p->lap_cap = a->nlaps;
        a->priv_ = p;
    }
    return a->priv_;
}

/* Make room for sample index a->n in every present stream. */
static int grow(struct pl_activity *a, struct act_priv *p, struct pl_diag *diag)
{
    if (a->n < p->cap)
        return 0;
    if (a->n >= PL_ACT_SAMPLES_MAX)
        return pl__diag(diag, PL_ELIMIT, UINT64_MAX,
                        "more than %d samples in one activity", PL_ACT_SAMPLES_MAX);
    /* 4096 samples hold an hour at 1 Hz (68 minutes) without a regrowth,
     * which would copy every stream. */
    size_t cap = p->cap ? p->cap * 2 : 4096;
    if (cap > PL_ACT_SAMPLES_MAX)
        cap = PL_ACT_SAMPLES_MAX;
    /* A stream grown before a later one fails keeps its larger block;
     * p->cap changes only once all have grown. */
    for (int k = 0; k < PL__S_COUNT; k++) {
        double **s = stream_at(a, k);
        if (!*s)
            continue;
        double *g = pl__realloc(*s, cap * sizeof **s);
        if (!g)
            return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        *s = g;
    }
    p->cap = cap;
    return 0;
}

/* Stream k appears at sample index a->n - 1 or a->n: allocate it, NaN
 * before. Entries from a->n on are written by the pushes that reach them,
 * as in the room grow() adds, so they are left as they are. */
static int add_stream(struct pl_activity *a, struct act_priv *p, int k)
{
    double **s = stream_at(a, k);
    size_t cap = p->cap ? p->cap : 1;
    double *g = pl__malloc_array(cap, sizeof *g);
    if (!g)
        return PL_ENOMEM;
    for (size_t i = 0; i < a->n && i < cap; i++)
        g[i] = NAN;
    *s = g;
    return 0;
}

/* pl__activity_push() for a sample that needs no allocation: there is room
 * for it, and every stream it has a value for is there already. False,
 * with a->n unchanged, when that is not so; what it may have stored at
 * a->n is stored again by the general path. */
_Static_assert(PL__S_COUNT == 10, "push_fast() stores each of the ten streams");
static inline bool push_fast(struct pl_activity *a, const struct pl__sample *s)
{
    const struct act_priv *p = a->priv_;
    if (!p || a->n >= p->cap || !a->t_s)
        return false;
    size_t n = a->n;
    /* One line per stream, so that each stream's place is a constant. */
#define PUT(k)                                                                                     \
    do {                                                                                           \
        double *st_ = *stream_at(a, (k));                                                          \
        if (st_)                                                                                   \
            st_[n] = s->v[(k)];                                                                    \
        else if (!isnan(s->v[(k)]))                                                                \
            return false;                                                                          \
    } while (0)
    PUT(PL__S_HR);
    PUT(PL__S_SPEED);
    PUT(PL__S_DIST);
    PUT(PL__S_ALT);
    PUT(PL__S_LAT);
    PUT(PL__S_LON);
    PUT(PL__S_CAD);
    PUT(PL__S_POWER);
    PUT(PL__S_TEMP);
#undef PUT
    a->t_s[n] = s->v[PL__S_T];
    a->n = n + 1;
    return true;
}

/* The general path: a stream to allocate, the arrays to grow. Kept out of
 * line so that the fast path needs no stack frame. */
static __attribute__((noinline)) int push_slow(struct pl_activity *a, const struct pl__sample *s,
                                               struct pl_diag *diag)
{
    struct act_priv *p = priv(a);
    if (!p)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    if (a->n == 0 && !a->t_s)
        p->t_absolute = true;
    int rc = grow(a, p, diag);
    if (rc)
        return rc;
    for (int k = 0; k < PL__S_COUNT; k++) {
        double **st = stream_at(a, k);
        if (!*st) {
            if (k != PL__S_T && isnan(s->v[k]))
                continue;
            if (add_stream(a, p, k))
                return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        }
        (*st)[a->n] = s->v[k];
    }
    a->n++;
    return 0;
}

int pl__activity_push(struct pl_activity *a, const struct pl__sample *s,
                      struct pl_diag *diag)
{
    return push_fast(a, s) ? 0 : push_slow(a, s, diag);
}

int pl__activity_merge_last(struct pl_activity *a, const struct pl__sample *s,
                            struct pl_diag *diag)
{
    struct act_priv *p = priv(a);
    if (!p)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    if (a->n == 0)
        return pl__activity_push(a, s, diag);
    for (int k = 1; k < PL__S_COUNT; k++) {
        if (isnan(s->v[k]))
            continue;
        double **st = stream_at(a, k);
        if (!*st && add_stream(a, p, k))
            return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        (*st)[a->n - 1] = s->v[k];
    }
    return 0;
}

bool pl__activity_add_lap(struct pl_activity *a, const struct pl_lap *lap, bool *nomem)
{
    *nomem = false;
    struct act_priv *p = priv(a);
    if (!p) {
        *nomem = true;
        return false;
    }
    if (a->nlaps >= PL_ACT_LAPS_MAX)
        return false;
    if (a->nlaps == p->lap_cap) {
        size_t cap = p->lap_cap ? p->lap_cap * 2 : 8;
        if (cap > PL_ACT_LAPS_MAX)
            cap = PL_ACT_LAPS_MAX;
        struct pl_lap *l = pl__realloc(a->laps, cap * sizeof *l);
        if (!l) {
            *nomem = true;
            return false;
        }
        a->laps = l;
        p->lap_cap = cap;
    }
    a->laps[a->nlaps++] = *lap;
    return true;
}

int pl__activity_slice(struct pl_activity *dst, const struct pl_activity *src,
                       size_t i0, size_t i1)
{
    struct pl_activity *s = (struct pl_activity *)src; /* streams are read only */
    void *keep = dst->priv_;
    *dst = *src;
    dst->priv_ = keep;
    dst->nlaps = 0;
    dst->laps = NULL;
    dst->n = 0;
    for (int k = 0; k < PL__S_COUNT; k++)
        *stream_at(dst, k) = NULL;
    if (i1 > src->n)
        i1 = src->n;
    if (i0 >= i1)
        return 0;
    struct act_priv *p = priv(dst);
    if (!p)
        return PL_ENOMEM;
    size_t n = i1 - i0;
    for (int k = 0; k < PL__S_COUNT; k++) {
        double *from = *stream_at(s, k);
        if (!from)
            continue;
        double *to = pl__malloc_array(n, sizeof *to);
        if (!to)
            return PL_ENOMEM;
        memcpy(to, from + i0, n * sizeof *to);
        *stream_at(dst, k) = to;
    }
    dst->n = n;
    p->cap = n;
    p->t_absolute = src->priv_ ? ((struct act_priv *)src->priv_)->t_absolute : false;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Summaries                                                            */

/* Mean Earth radius R1 = (2a + b) / 3 of WGS 84, 6371008.8 m (Moritz,
 * "Geodetic Reference System 1980", Bulletin Geodesique 54, 1980). */
#define EARTH_RADIUS_M 6371008.8

/* Haversine great-circle distance (R. W. Sinnott, "Virtues of the
 * Haversine", Sky and Telescope 68(2), 1984, p. 159): well conditioned for
 * the short steps between track points, where the spherical law of
 * cosines loses its digits. A sphere is within 0.5 % of the ellipsoid. */
double pl__haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double h = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;
    if (h > 1)
        h = 1;
    return 2 * EARTH_RADIUS_M * asin(sqrt(h));
}

/* Altitude changes smaller than this, up or down from the last turning
 * point, are noise (docs/internals/activity.md, "Ascent"). */
#define ASCENT_THRESHOLD_M 3.0
/* Slower than this over an interval is standing still. */
#define MOVING_SPEED_MPS 0.5
/* A gap between samples longer than this (and than 4 times the usual
 * interval) is a pause. */
#define PAUSE_S 10.0
/* A running cadence above this many per minute is taken as steps
 * already, not strides (no one runs at 240 steps a minute). */
#define STRIDES_MAX_PM 120.0

static void climb(const double *alt, size_t i0, size_t i1, double *up, double *down)
{
    double ref = NAN, u = 0, d = 0;
    for (size_t i = i0; i < i1; i++) {
        double h = alt[i];
        if (isnan(h))
            continue;
        if (isnan(ref)) {
            ref = h;
        } else if (h - ref >= ASCENT_THRESHOLD_M) {
            u += h - ref;
            ref = h;
        } else if (ref - h >= ASCENT_THRESHOLD_M) {
            d += ref - h;
            ref = h;
        }
    }
    *up = isnan(ref) ? NAN : u;
    *down = isnan(ref) ? NAN : d;
}

/* Mean of the finite values of s[i0, i1); with positive_only, of those
 * above 0. NaN when none. */
static double mean(const double *s, size_t i0, size_t i1, bool positive_only)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = i0; s && i < i1; i++) {
        if (isnan(s[i]) || (positive_only && s[i] <= 0))
            continue;
        sum += s[i];
        k++;
    }
    return k ? sum / (double)k : NAN;
}

static double max_of(const double *s, size_t i0, size_t i1)
{
    double m = NAN;
    for (size_t i = i0; s && i < i1; i++)
        if (!isnan(s[i]) && s[i] > 0 && (isnan(m) || s[i] > m))
            m = s[i];
    return m;
}

/* Last finite value minus the first, over [i0, i1). */
static double span(const double *s, size_t i0, size_t i1)
{
    double first = NAN, last = NAN;
    for (size_t i = i0; s && i < i1; i++) {
        if (isnan(s[i]))
            continue;
        if (isnan(first))
            first = s[i];
        last = s[i];
    }
    return isnan(first) ? NAN : last - first;
}

/* The usual interval between samples: the median of the intervals,
 * rounded down to whole seconds (a histogram, so no allocation). */
static double usual_interval(const double *t, size_t n)
{
    size_t hist[64] = { 0 }, total = 0;
    for (size_t i = 1; i < n; i++) {
        double dt = t[i] - t[i - 1];
        if (!(dt > 0))
            continue;
        size_t b = dt >= 63 ? 63 : (size_t)dt;
        hist[b]++;
        total++;
    }
    size_t seen = 0;
    for (size_t b = 0; b < 64; b++) {
        seen += hist[b];
        if (total && seen * 2 >= total)
            return (double)b + 1;
    }
    return 1;
}

/* Moving time over samples [i0, i1): docs/internals/activity.md. */
static double moving(const struct pl_activity *a, size_t i0, size_t i1, double gap_max)
{
    double sum = 0;
    for (size_t i = i0 + 1; i < i1; i++) {
        double dt = a->t_s[i] - a->t_s[i - 1];
        if (!(dt > 0) || dt > gap_max)
            continue;
        double v = NAN;
        if (a->speed_mps && !isnan(a->speed_mps[i]))
            v = a->speed_mps[i];
        else if (a->dist_m_s && !isnan(a->dist_m_s[i]) && !isnan(a->dist_m_s[i - 1]))
            v = (a->dist_m_s[i] - a->dist_m_s[i - 1]) / dt;
        if (isnan(v) || v >= MOVING_SPEED_MPS)
            sum += dt;
    }
    return sum;
}

/* Distance stream from positions: cumulative great-circle steps; NaN
 * before the first fix, the last total while the fix is lost. */
static int dist_from_gps(struct pl_activity *a)
{
    bool fix = false;
    for (size_t i = 0; i < a->n && !fix; i++)
        fix = !isnan(a->lat_deg[i]) && !isnan(a->lon_deg[i]);
    if (!fix)
        return 0;
    struct act_priv *p = a->priv_;
    size_t cap = p && p->cap > a->n ? p->cap : a->n;
    double *d = pl__malloc_array(cap, sizeof *d);
    if (!d)
        return PL_ENOMEM;
    double total = NAN, plat = NAN, plon = NAN;
    for (size_t i = 0; i < a->n; i++) {
        double lat = a->lat_deg[i], lon = a->lon_deg[i];
        if (!isnan(lat) && !isnan(lon)) {
            if (isnan(total))
                total = 0;
            else
                total += pl__haversine_m(plat, plon, lat, lon);
            plat = lat;
            plon = lon;
        }
        d[i] = total;
    }
    for (size_t i = a->n; i < cap; i++)
        d[i] = NAN;
    a->dist_m_s = d;
    return 0;
}

/* Sample range [*i0, *i1) of times in [from, to). t is sorted in practice;
 * a scan keeps it right when it is not. */
/* First index with t >= x, in sorted t. */
static size_t lower_bound(const double *t, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool sorted(const double *t, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (!(t[i] >= t[i - 1]))
            return false;
    return true;
}

static void range_of(const struct pl_activity *a, bool is_sorted, double from, double to,
                     size_t *i0, size_t *i1)
{
    if (is_sorted) {
        *i0 = lower_bound(a->t_s, a->n, from);
        *i1 = lower_bound(a->t_s, a->n, to);
        if (*i1 < *i0)
            *i1 = *i0;
        return;
    }
    size_t lo = a->n, hi = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->t_s[i] >= from && a->t_s[i] < to) {
            if (i < lo)
                lo = i;
            hi = i + 1;
        }
    }
    *i0 = lo < hi ? lo : 0;
    *i1 = lo < hi ? hi : 0;
}

static void finish_laps(struct pl_activity *a, double gap_max)
{
    bool is_sorted = sorted(a->t_s, a->n);
    for (size_t j = 0; j < a->nlaps; j++) {
        struct pl_lap *l = &a->laps[j];
        double from = (double)(l->start_s - a->start_s), to;
        if (isnan(l->duration_s)) {
            if (j + 1 < a->nlaps)
                l->duration_s = (double)(a->laps[j + 1].start_s - l->start_s);
            else if (a->n > 0)
                l->duration_s = a->t_s[a->n - 1] - from;
            if (l->duration_s < 0)
                l->duration_s = 0;
        }
        to = from + (isnan(l->duration_s) ? INFINITY : l->duration_s);
        size_t i0, i1;
        range_of(a, is_sorted, from, to + 0.5, &i0, &i1);
        if (i0 >= i1)
            continue;
        if (isnan(l->dist_m))
            l->dist_m = span(a->dist_m_s, i0, i1);
        if (isnan(l->hr_avg_bpm))
            l->hr_avg_bpm = mean(a->hr_bpm, i0, i1, true);
        if (isnan(l->hr_max_bpm))
            l->hr_max_bpm = max_of(a->hr_bpm, i0, i1);
        if (isnan(l->ascent_m) && isnan(l->descent_m) && a->alt_m)
            climb(a->alt_m, i0, i1, &l->ascent_m, &l->descent_m);
        if (isnan(l->moving_s))
            l->moving_s = moving(a, i0, i1, gap_max);
    }
}

/* Median of the finite positive values (cadence), by a histogram of whole
 * units up to 255. */
static double median_positive(const double *s, size_t n)
{
    size_t hist[256] = { 0 }, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(s[i]) || s[i] <= 0)
            continue;
        hist[s[i] >= 255 ? 255 : (size_t)s[i]]++;
        total++;
    }
    size_t seen = 0;
    for (size_t b = 0; b < 256; b++) {
        seen += hist[b];
        if (total && seen * 2 >= total)
            return (double)b;
    }
    return NAN;
}

int pl__activity_finish(struct pl_activity *a)
{
    struct act_priv *p = a->priv_;
    if (a->n > 0 && p && p->t_absolute) {
        if (a->start_s == PL__START_UNKNOWN)
            a->start_s = (int64_t)floor(a->t_s[0]);
        for (size_t i = 0; i < a->n; i++)
            a->t_s[i] -= (double)a->start_s;
        p->t_absolute = false;
    }
    if (a->start_s == PL__START_UNKNOWN)
        a->start_s = a->nlaps ? a->laps[0].start_s : 0;

    /* Cadence in steps for the sports counted in steps. */
    if (a->cadence_spm && pl__sport_counts_steps(a->sport) &&
        median_positive(a->cadence_spm, a->n) <= STRIDES_MAX_PM) {
        for (size_t i = 0; i < a->n; i++)
            a->cadence_spm[i] *= 2;
    }

    if (!a->dist_m_s && a->lat_deg && a->lon_deg) {
        int rc = dist_from_gps(a);
        if (rc)
            return rc;
    }

    if (isnan(a->duration_s) && a->n > 0)
        a->duration_s = a->t_s[a->n - 1] - a->t_s[0];
    if (isnan(a->dist_m))
        a->dist_m = span(a->dist_m_s, 0, a->n);
    if (isnan(a->ascent_m) && isnan(a->descent_m) && a->alt_m)
        climb(a->alt_m, 0, a->n, &a->ascent_m, &a->descent_m);
    if (isnan(a->hr_avg_bpm))
        a->hr_avg_bpm = mean(a->hr_bpm, 0, a->n, true);
    if (isnan(a->hr_max_bpm))
        a->hr_max_bpm = max_of(a->hr_bpm, 0, a->n);
    if (isnan(a->cadence_avg_spm))
        a->cadence_avg_spm = mean(a->cadence_spm, 0, a->n, true);
    if (isnan(a->power_avg_w))
        a->power_avg_w = mean(a->power_w, 0, a->n, false);
    double gap = PAUSE_S;
    if (a->n > 1) {
        double u = 4 * usual_interval(a->t_s, a->n);
        if (u > gap)
            gap = u;
    }
    if (isnan(a->moving_s) && a->n > 1)
        a->moving_s = moving(a, 0, a->n, gap);
    finish_laps(a, gap);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Sports                                                               */

/* The profile's index of its "sport" type, found once by name. */
static int sport_type(void)
{
    for (size_t i = 0; i < pl__fit_ntypes; i++)
        if (strcmp(pl__fit_types[i].name, "sport") == 0)
            return (int)i;
    return -1;
}

const char *pl_sport_name(uint8_t sport)
{
    int t = sport_type();
    const char *name = t >= 0 ? pl_fit_enum_name((uint16_t)t, sport) : NULL;
    return name ? name : "generic";
}

/* Spellings of sports in the wild, reduced to lower-case letters and
 * digits: TCX's Sport attribute (Running, Biking, Other), GPX <type> as
 * Garmin Connect and others write it, Strava's activity types (its CSV and
 * API: Run, TrailRun, Ride, ...), Garmin Connect's type keys
 * (street_running, lap_swimming, ...). Values are FIT profile "sport" and
 * "sub_sport" numbers. The profile's own names are looked up after these. */
static const struct {
    const char *name;
    uint8_t sport, sub;
} sports[] = {
    { "run", 1, 0 }, { "running", 1, 0 }, { "trailrun", 1, 3 },
    { "trailrunning", 1, 3 }, { "virtualrun", 1, 58 }, { "treadmill", 1, 1 },
    { "treadmillrunning", 1, 1 }, { "indoorrunning", 1, 45 },
    { "streetrunning", 1, 2 }, { "trackrunning", 1, 4 }, { "jog", 1, 0 },
    { "walk", 11, 0 }, { "walking", 11, 0 }, { "casualwalking", 11, 30 },
    { "speedwalking", 11, 31 }, { "indoorwalking", 11, 27 },
    { "hike", 17, 0 }, { "hiking", 17, 0 },
    { "ride", 2, 0 }, { "biking", 2, 0 }, { "bike", 2, 0 },
    { "cycling", 2, 0 }, { "virtualride", 2, 58 }, { "mountainbikeride", 2, 8 },
    { "mountainbiking", 2, 8 }, { "gravelride", 2, 46 }, { "roadbiking", 2, 7 },
    { "roadcycling", 2, 7 }, { "indoorcycling", 2, 6 }, { "handcycle", 2, 12 },
    { "ebikeride", 21, 0 }, { "emountainbikeride", 21, 47 },
    { "swim", 5, 0 }, { "swimming", 5, 0 }, { "lapswimming", 5, 17 },
    { "openwaterswimming", 5, 18 },
    { "alpineski", 13, 0 }, { "backcountryski", 13, 37 }, { "nordicski", 12, 0 },
    { "snowboard", 14, 0 }, { "snowshoe", 35, 0 }, { "iceskate", 33, 0 },
    { "inlineskate", 30, 0 }, { "rowing", 15, 0 }, { "indoorrowing", 15, 14 },
    { "kayaking", 41, 0 }, { "canoeing", 19, 0 }, { "standuppaddling", 37, 0 },
    { "surfing", 38, 0 }, { "kitesurf", 44, 0 }, { "windsurf", 43, 0 },
    { "sail", 32, 0 }, { "weighttraining", 10, 20 }, { "strengthtraining", 10, 20 },
    { "workout", 10, 0 }, { "crossfit", 10, 0 }, { "yoga", 10, 43 },
    { "pilates", 10, 44 }, { "cardio", 10, 26 }, { "elliptical", 4, 15 },
    { "stairstepper", 4, 16 }, { "rockclimbing", 31, 0 }, { "golf", 25, 0 },
    { "soccer", 7, 0 }, { "tennis", 8, 0 }, { "basketball", 6, 0 },
    { "other", 0, 0 }, { "generic", 0, 0 }, { "multisport", 18, 0 },
    { "transition", 3, 0 },
};

/* Lower-case letters and digits of s, at most n - 1 of them. */
static void squash(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = c;
    }
    out[k] = '\0';
}

bool pl__sport_lookup(const char *name, uint8_t *sport, uint8_t *sub)
{
    char key[48], other[48];
    if (!name)
        return false;
    squash(name, key, sizeof key);
    if (!key[0])
        return false;
    for (size_t i = 0; i < PL_ARRAY_LEN(sports); i++) {
        if (strcmp(sports[i].name, key) == 0) {
            *sport = sports[i].sport;
            *sub = sports[i].sub;
            return true;
        }
    }
    int t = sport_type();
    for (unsigned v = 0; t >= 0 && v < 255; v++) {
        const char *n = pl_fit_enum_name((uint16_t)t, v);
        if (!n)
            continue;
        squash(n, other, sizeof other);
        if (strcmp(other, key) == 0) {
            *sport = (uint8_t)v;
            *sub = 0;
            return true;
        }
    }
    return false;
}

int pl_sport_parse(const char *name)
{
    uint8_t sport, sub;
    if (name && name[0] >= '0' && name[0] <= '9') {
        char *end;
        unsigned long v = strtoul(name, &end, 10);
        return *end == '\0' && v < 255 ? (int)v : -1;
    }
    return pl__sport_lookup(name, &sport, &sub) ? sport : -1;
}

bool pl__sport_counts_steps(uint8_t sport)
{
    return sport == 1 || sport == 11 || sport == 17; /* running, walking, hiking */
}

/* ------------------------------------------------------------------ */
/* Text: numbers and times                                              */

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void pl__copy_text(char *dst, size_t cap, const char *src, size_t n)
{
    while (n > 0 && blank(*src)) {
        src++;
        n--;
    }
    while (n > 0 && blank(src[n - 1]))
        n--;
    if (n > cap - 1) {
        n = cap - 1;
        /* Back off to the start of a character: no continuation byte
         * (10xxxxxx) may begin what is cut away. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Exact powers of ten representable in a double (10^22 < 2^53 * 2^22). */
static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* A decimal number, without strtod: the C library's depends on the
 * locale (a comma in some), and this is on the hot path of GPX and TCX.
 * Up to 19 significant digits are kept; the result is within an ulp or
 * two of the correctly rounded one, far below what a track point means. */
bool pl__parse_num(const char *s, size_t n, double *out)
{
    const char *p = s, *end = s + n;
    while (p < end && blank(*p))
        p++;
    while (end > p && blank(end[-1]))
        end--;
    if (p == end)
        return false;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    bool any = false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        any = true;
        if (digits < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            if (m)
                digits++;
        } else {
            exp10++;
        }
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            any = true;
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                if (m)
                    digits++;
                exp10--;
            }
        }
    }
    if (!any)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        int e = 0;
        bool edig = false;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            edig = true;
            if (e < 10000)
                e = e * 10 + (*p - '0');
        }
        if (!edig)
            return false;
        exp10 += eneg ? -e : e;
    }
    if (p != end)
        return false;
    double v = (double)m;
    /* exp10 is bounded by the text's length and the capped exponent, so
     * these loops end; afterwards |exp10| <= 22 indexes the table. */
    while (exp10 > 22) {
        v *= 1e22;
        exp10 -= 22;
        if (isinf(v))
            return false;
    }
    while (exp10 < -22) {
        v /= 1e22;
        exp10 += 22;
    }
    if (exp10 > 0)
        v *= pow10_exact[exp10];
    else if (exp10 < 0)
        v /= pow10_exact[-exp10];
    if (!isfinite(v))
        return false;
    *out = neg ? -v : v;
    return true;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char **p, const char *end, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || **p < '0' || **p > '9')
            return false;
        v = v * 10 + (unsigned)(**p - '0');
        (*p)++;
    }
    *out = v;
    return true;
}

/* XML Schema dateTime (W3C XML Schema Part 2, 3.2.7), which GPX and TCX
 * use: YYYY-MM-DDThh:mm:ss[.fff][Z|(+|-)hh:mm]. A space for the T and an
 * offset without the colon are accepted too. */
bool pl__parse_time(const char *s, size_t n, double *utc_s, int32_t *offset_s,
                    bool *has_offset)
{
    const char *p = s, *end = s + n;
    while (p < end && blank(*p))
        p++;
    while (end > p && blank(end[-1]))
        end--;
    unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
    if (!digits(&p, end, 4, &y) || p >= end || *p++ != '-' || !digits(&p, end, 2, &mo) ||
        p >= end || *p++ != '-' || !digits(&p, end, 2, &d) || p >= end ||
        (*p != 'T' && *p != 't' && *p != ' '))
        return false;
    p++;
    if (!digits(&p, end, 2, &h) || p >= end || *p++ != ':' || !digits(&p, end, 2, &mi) ||
        p >= end || *p++ != ':' || !digits(&p, end, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || se > 60)
        return false;
    double frac = 0;
    if (p < end && (*p == '.' || *p == ',')) {
        double scale = 0.1;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return false;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            frac += scale * (*p - '0');
            scale /= 10;
        }
    }
    int sign = 0;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        sign = *p++ == '-' ? -1 : 1;
        if (!digits(&p, end, 2, &oh))
            return false;
        if (p < end && *p == ':')
            p++;
        if (p < end && !digits(&p, end, 2, &om))
            return false;
        if (oh > 14 || om > 59)
            return false;
    }
    if (p != end)
        return false;
    int32_t off = sign * (int32_t)(oh * 3600 + om * 60);
    int64_t days = days_from_civil(y, mo, d);
    double t = (double)(days * 86400 + h * 3600 + mi * 60 + se) + frac - off;
    *utc_s = t;
    if (offset_s)
        *offset_s = off;
    if (has_offset)
        *has_offset = sign != 0;
    return true;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                             */

int pl__emit(struct pl__emit *e, struct pl_activity *a, struct pl_diag *diag)
{
    if (e->count >= PL_ACT_PER_FILE_MAX) {
        pl_activity_release(a);
        return pl__diag(diag, PL_ELIMIT, UINT64_MAX, "more than %d activities in one file",
                        PL_ACT_PER_FILE_MAX);
    }
    if (pl__activity_finish(a)) {
        pl_activity_release(a);
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    }
    a->source_kind = e->source_kind;
    e->count++;
    int stop = e->h && e->h->on_activity ? e->h->on_activity(e->h->ctx, a) : 0;
    /* A callback that moved the activity out left it init'ed: nothing to
     * free then. */
    pl_activity_release(a);
    if (stop)
        return pl__diag(diag, PL_ECANCELED, UINT64_MAX, "stopped by the caller");
    return 0;
}

void pl__emit_warning(struct pl__emit *e, const struct pl_diag *w)
{
    if (e->warnings >= PL_FIT_WARNINGS_MAX)
        return;
    e->warnings++;
    if (e->h && e->h->on_warning)
        e->h->on_warning(e->h->ctx, w);
}

/* ------------------------------------------------------------------ */
/* The reader                                                           */

enum rstate { R_SNIFF, R_FIT, R_XML, R_DONE };

/* Bytes needed to tell a FIT header (".FIT" at byte 8). */
#define SNIFF_BYTES 12

struct pl_reader {
    struct pl_reader_handler h;
    unsigned fit_options;
    struct pl__emit emit;
    enum rstate state;
    uint8_t head[SNIFF_BYTES];
    size_t nhead;
    /* XML: leading BOM and blanks are skipped (some exporters write
     * blanks before the XML declaration, which XML forbids); where the
     * first byte given to expat sits. */
    uint64_t pos;
    unsigned bom_n;
    uint32_t line0, col0;
    struct pl__fitact *fit;
    struct pl__xml *xml;
    int err;
    struct pl_diag diag;
};

struct pl_reader *pl_reader_new(const struct pl_reader_handler *h, unsigned fit_options)
{
    struct pl_reader *r = pl__calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (h)
        r->h = *h;
    r->fit_options = fit_options;
    r->emit.h = &r->h;
    r->line0 = r->col0 = 1;
    pl_diag_clear(&r->diag);
    return r;
}

static struct pl__xml_format *choose(void *ctx, const char *root, int *rc)
{
    struct pl_reader *r = ctx;
    if (strcmp(root, "gpx") == 0) {
        r->emit.source_kind = PL_SRC_GPX;
        return pl__gpx_new(&r->emit, rc);
    }
    if (strcmp(root, "TrainingCenterDatabase") == 0) {
        r->emit.source_kind = PL_SRC_TCX;
        return pl__tcx_new(&r->emit, rc);
    }
    *rc = 0;
    return NULL;
}

static int fail(struct pl_reader *r, int code, struct pl_diag *diag)
{
    r->err = code;
    r->state = R_DONE;
    if (diag)
        *diag = r->diag;
    return code;
}

static int not_ours(struct pl_reader *r, struct pl_diag *diag, const char *why)
{
    pl__diag(&r->diag, PL_EUNSUPPORTED, 0, "not a FIT, GPX or TCX file (%s)", why);
    return fail(r, PL_EUNSUPPORTED, diag);
}

/* XML path: skip a UTF-8 BOM and blanks, then start expat at the '<'. */
static int feed_xml(struct pl_reader *r, const uint8_t *p, size_t n, struct pl_diag *diag)
{
    if (!r->xml) {
        static const uint8_t bom[3] = { 0xEF, 0xBB, 0xBF };
        while (n > 0) {
            if (r->pos < 3 && r->pos == r->bom_n && *p == bom[r->pos]) {
                r->bom_n++; /* part of a BOM at the very start */
            } else if (*p == '\n') {
                r->line0++;
                r->col0 = 1;
            } else if (*p == ' ' || *p == '\t' || *p == '\r') {
                r->col0++;
            } else {
                break;
            }
            p++;
            n--;
            r->pos++;
        }
        if (n == 0)
            return 0;
        if (*p != '<')
            return not_ours(r, diag, "it does not start with '<' or a FIT header");
        r->xml = pl__xml_new(choose, r, r->line0, r->col0);
        if (!r->xml) {
            pl__diag(&r->diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            return fail(r, PL_ENOMEM, diag);
        }
    }
    int rc = pl__xml_feed(r->xml, p, n, false, &r->diag);
    r->pos += n;
    return rc ? fail(r, rc, diag) : 0;
}

/* The sniffed head decides the format; then it is fed like any bytes. */
static int decide(struct pl_reader *r, struct pl_diag *diag)
{
    if (r->nhead >= SNIFF_BYTES && pl_fit_is_fit(r->head, r->nhead)) {
        r->state = R_FIT;
        r->emit.source_kind = PL_SRC_FIT;
        r->fit = pl__fitact_new(&r->emit, r->fit_options);
        if (!r->fit) {
            pl__diag(&r->diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            return fail(r, PL_ENOMEM, diag);
        }
        int rc = pl__fitact_feed(r->fit, r->head, r->nhead, &r->diag);
        return rc ? fail(r, rc, diag) : 0;
    }
    if (r->nhead >= 2 && r->head[0] == 0x1F && r->head[1] == 0x8B)
        return not_ours(r, diag, "gzip-compressed: decompress it first");
    if (r->nhead >= 4 && memcmp(r->head, "PK\3\4", 4) == 0)
        return not_ours(r, diag, "a zip archive");
    r->state = R_XML;
    return feed_xml(r, r->head, r->nhead, diag);
}

int pl_reader_feed(struct pl_reader *r, const void *buf, size_t n, struct pl_diag *diag)
{
    const uint8_t *p = buf;
    if (r->err) {
        if (diag)
            *diag = r->diag;
        return r->err;
    }
    if (r->state == R_DONE)
        return 0;
    if (r->state == R_SNIFF) {
        size_t k = SNIFF_BYTES - r->nhead;
        if (k > n)
            k = n;
        memcpy(r->head + r->nhead, p, k);
        r->nhead += k;
        p += k;
        n -= k;
        if (r->nhead < SNIFF_BYTES)
            return 0;
        int rc = decide(r, diag);
        if (rc)
            return rc;
    }
    if (n == 0)
        return 0;
    if (r->state == R_FIT) {
        int rc = pl__fitact_feed(r->fit, p, n, &r->diag);
        return rc ? fail(r, rc, diag) : 0;
    }
    return feed_xml(r, p, n, diag);
}

int pl_reader_finish(struct pl_reader *r, struct pl_diag *diag)
{
    if (r->err) {
        if (diag)
            *diag = r->diag;
        return r->err;
    }
    if (r->state == R_DONE)
        return 0;
    if (r->state == R_SNIFF) {
        if (r->nhead == 0)
            return not_ours(r, diag, "the file is empty");
        int rc = decide(r, diag);
        if (rc)
            return rc;
    }
    int rc;
    if (r->state == R_FIT) {
        rc = pl__fitact_finish(r->fit, &r->diag);
    } else {
        if (!r->xml)
            return not_ours(r, diag, "the file holds only blanks");
        rc = pl__xml_feed(r->xml, NULL, 0, true, &r->diag);
        if (!rc) {
            struct pl__xml_format *f = pl__xml_format(r->xml);
            rc = f && f->finish ? f->finish(f->ctx, &r->diag) : 0;
        }
    }
    if (rc)
        return fail(r, rc, diag);
    r->state = R_DONE;
    return 0;
}

void pl_reader_free(struct pl_reader *r)
{
    if (!r)
        return;
    pl__fitact_free(r->fit);
    pl__xml_free(r->xml);
    pl__free(r);
}

int pl_read_activities(const void *buf, size_t n, const struct pl_reader_handler *h,
                       unsigned fit_options, struct pl_diag *diag)
{
    struct pl_reader *r = pl_reader_new(h, fit_options);
    if (!r)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    int rc = pl_reader_feed(r, buf, n, diag);
    if (!rc)
        rc = pl_reader_finish(r, diag);
    pl_reader_free(r);
    return rc;
}
