/*
 * metrics.c - per-activity metrics: what an activity's samples say about
 * the load it put on the runner.
 *
 * Two halves. pl__feat_compute() reads an activity's streams once and
 * keeps what does not depend on the athlete's profile: a heart-rate
 * histogram (time per bpm), a histogram of 30-s graded speed, the
 * normalised graded speed, the 5-s peak and 20-min best heart rate, best
 * efforts for the critical-speed fit, the start point. pl__metrics_score()
 * turns those into TRIMP, Edwards TRIMP, HRSS, rTSS, zones, IF and the one
 * `load`, for a given profile. Because Banister's TRIMP, Edwards' zones and
 * the HR zones are sums over samples of a function of each sample's heart
 * rate, the histogram gives exactly the per-sample sums; so a profile
 * change rescores every activity without touching a stream.
 * pl__model_build() keeps both halves current in the store.
 *
 * Formulas and sources: docs/internals/load.md. This file neither reads
 * files nor speaks SQL (lib/store/store.c does), nor builds the daily series.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "model/load.h"

/* Best-effort durations (s) for the critical-speed fit: 3-20 min, the
 * range of Monod & Scherrer's two-parameter model (lib/model/profile.c). */
const double pl__effort_s[PL__EFFORTS] = { 180, 300, 420, 600, 900, 1200 };

/* An interval between samples counts (as moving time does,
 * docs/internals/activity.md) when it is at most max(PAUSE_S, 4 x the
 * usual interval); a longer one is a pause or a lost signal. */
#define PAUSE_S 10.0
/* Grade is taken over at least this much horizontal distance, so that
 * altitude noise of a metre over a few metres of running is not a 30 %
 * grade. */
#define GRADE_RUN_M 20.0
/* Minetti's measurements span -45 %..+45 %; beyond, the polynomial is not
 * data. */
#define GRADE_MAX 0.45
/* Rolling window of normalised (graded) pace, as Coggan's normalised
 * power: 30 s. */
#define NGP_WINDOW_S 30.0
/* Faster than this over one interval is a GPS jump: 12.5 m/s is above
 * the fastest 100 m ever run (10.44 m/s on average); for other sports,
 * 100 m/s. */
#define RUN_SPEED_MAX_MPS 12.5
#define SPEED_MAX_MPS 100.0
/* Peak HR over 5 s (a lone spike of an optical sensor is not a maximum);
 * best HR over 20 min (Friel's LTHR test). */
#define HR_PEAK_S 5.0
#define HR_BEST_S 1200.0
/* The 20-min best is kept only from activities with this much heart rate
 * (Friel's test is 30 minutes: the first 10 are not counted). */
#define HR_BEST_MIN_S 1800.0

/* ------------------------------------------------------------------ */
/* Formulas                                                             */

/* Banister's weighting (Banister 1991, "Modeling elite athletic
 * performance", in Physiological Testing of the High-Performance Athlete;
 * coefficients from Morton, Fitz-Clarke & Banister 1990, J Appl Physiol
 * 69:1171): y = a e^(b x) for a heart-rate reserve fraction x. */
static void banister_coef(int sex, double *a, double *b)
{
    if (sex == PL_SEX_FEMALE) {
        *a = 0.86;
        *b = 1.67;
    } else {
        *a = 0.64;
        *b = 1.92;
    }
}

/* Heart-rate reserve fraction, clamped to 0..1: below rest is no load,
 * and above the maximum is a maximum set too low, not more than maximal
 * effort. */
static double hrr(double hr, double rest, double max)
{
    double x = (hr - rest) / (max - rest);
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

double pl_trimp_banister(double minutes, double hr_bpm, double rest_bpm, double max_bpm,
                         int sex)
{
    if (!(minutes >= 0) || !isfinite(hr_bpm) || !(max_bpm > rest_bpm) || !isfinite(rest_bpm) ||
        !isfinite(max_bpm) || !isfinite(minutes))
        return NAN;
    double a, b;
    banister_coef(sex, &a, &b);
    double x = hrr(hr_bpm, rest_bpm, max_bpm);
    return minutes * x * a * exp(b * x);
}

/* Minetti AE, Moia C, Roi GS, Susta D, Ferretti G (2002), "Energy cost of
 * walking and running at extreme uphill and downhill slopes", J Appl
 * Physiol 93:1039-1046, equation for running: J per kg per m. */
double pl_minetti_cost(double i)
{
    if (isnan(i))
        return NAN;
    if (i > GRADE_MAX)
        i = GRADE_MAX;
    if (i < -GRADE_MAX)
        i = -GRADE_MAX;
    return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6;
}

double pl_tss(double duration_s, double intensity_factor)
{
    if (!(duration_s >= 0) || !(intensity_factor >= 0))
        return NAN;
    return duration_s / 3600.0 * intensity_factor * intensity_factor * 100.0;
}

const char *pl_load_source_name(int source)
{
    switch (source) {
    case PL_LOAD_HRSS: return "hrss";
    case PL_LOAD_RTSS: return "rtss";
    case PL_LOAD_RPE: return "rpe";
    case PL_LOAD_DURATION: return "duration";
    default: return "none";
    }
}

/* ------------------------------------------------------------------ */
/* Features, from the streams                                           */

/* The usual interval between samples: the median, in whole seconds
 * rounded up, as lib/activity/activity.c takes it for moving time. */
static double usual_interval(const double *t, size_t n)
{
    size_t hist[64] = { 0 }, total = 0;
    for (size_t i = 1; i < n; i++) {
        double dt = t[i] - t[i - 1];
        if (!(dt > 0))
            continue;
        hist[dt >= 63 ? 63 : (size_t)dt]++;
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

/* The best mean over windows of at least `span` of weight: cw and cx are
 * prefix sums (cw[j] the weight of samples before j, cx[j] the sum of
 * value x weight), so a window [i, j) has weight cw[j] - cw[i] and mean
 * (cx[j] - cx[i]) / (cw[j] - cw[i]). For each end j the shortest window
 * with enough weight is taken; the start only moves forward, so this is
 * O(n). -1 when no window is long enough. */
static double best_window(const double *cw, const double *cx, size_t n, double span)
{
    double best = -1;
    size_t lo = 0;
    for (size_t j = 1; j <= n; j++) {
        double wj = cw[j];
        if (wj - cw[lo] < span)
            continue;
        while (wj - cw[lo + 1] >= span)
            lo++;
        double num = cx[j] - cx[lo], den = wj - cw[lo];
        if (num > best * den)
            best = num / den;
    }
    return best;
}

static inline uint32_t ms(double s)
{
    return (uint32_t)(s * 1000.0 + 0.5);
}

static inline double minetti_ratio(double i)
{
    i = i > GRADE_MAX ? GRADE_MAX : i < -GRADE_MAX ? -GRADE_MAX : i;
    return (((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6) / 3.6;
}

size_t pl__feat_scratch_len(size_t n)
{
    return 6 * (n + 1);
}

void pl__feat_compute(const struct pl_activity *a, struct pl__feat *f, double *scratch)
{
    struct pl__hist *h = f->hist;
    memset(h, 0, sizeof *h);
    f->version = PL__FEAT_VERSION;
    memcpy(f->sha256, a->source_sha256, sizeof f->sha256);
    f->samples = (int64_t)a->n;
    f->hr_s = f->graded_s = 0;
    f->hr_peak5_bpm = f->hr_best20_bpm = f->ngp_mps = NAN;
    f->start_lat_deg = f->start_lon_deg = NAN;
    for (int k = 0; k < PL__EFFORTS; k++)
        f->effort_mps[k] = NAN;
    size_t n = a->n;
    const double *t = a->t_s;
    if (n == 0 || !t)
        return;

    if (a->lat_deg && a->lon_deg)
        for (size_t i = 0; i < n; i++)
            if (!isnan(a->lat_deg[i]) && !isnan(a->lon_deg[i])) {
                f->start_lat_deg = a->lat_deg[i];
                f->start_lon_deg = a->lon_deg[i];
                break;
            }

    /* Prefix sums (n + 1 each): heart-rate weight and HR x weight, speed
     * weight and distance, graded-speed weight and graded distance. A
     * sample's weight is the interval that ends at it, when that is not
     * a pause (docs/internals/activity.md's rule for moving time). */
    double *chw = scratch, *chx = chw + (n + 1), *cvw = chx + (n + 1), *cd = cvw + (n + 1),
           *cgw = cd + (n + 1), *cg = cgw + (n + 1);
    double gap = 4 * usual_interval(t, n);
    if (gap < PAUSE_S)
        gap = PAUSE_S;
    const double *hr = a->hr_bpm, *d = a->dist_m_s, *sp = a->speed_mps, *alt = a->alt_m;
    bool grades = d && alt;
    double v_max = a->sport == 1 ? RUN_SPEED_MAX_MPS : SPEED_MAX_MPS;

    chw[0] = chx[0] = cvw[0] = cd[0] = cgw[0] = cg[0] = 0;
    size_t gj = 0;            /* grade reference sample */
    double grade = 0;
    for (size_t i = 0; i < n; i++) {
        double dt = i ? t[i] - t[i - 1] : 0;
        double wi = dt > 0 && dt <= gap ? dt : 0;

        /* Heart rate: a sample of 0 (or NaN) is "no reading". */
        double x = hr ? hr[i] : 0;
        double hw = 0;
        if (x > 0) {
            unsigned b = (unsigned)(x + 0.5);
            h->hr_ms[b > PL__HR_BINS - 1 ? PL__HR_BINS - 1 : b] += ms(wi);
            hw = wi;
        } else {
            x = 0;
        }
        chw[i + 1] = chw[i] + hw;
        chx[i + 1] = chx[i] + x * hw;

        /* Speed over the interval: from the distance stream when there is
         * one (the device's filtered distance), else the speed stream. */
        double vi = NAN;
        if (wi > 0)
            vi = d ? (d[i] - d[i - 1]) / dt : sp ? sp[i] : NAN;
        if (vi > v_max)
            vi = NAN;         /* a GPS jump, not running */
        double vw = vi >= 0 ? wi : 0;
        if (!(vi >= 0))
            vi = 0;
        cvw[i + 1] = cvw[i] + vw;
        cd[i + 1] = cd[i] + vi * vw;

        /* Grade over the last GRADE_RUN_M metres or more: the reference is
         * the latest sample at least that far back. */
        if (grades && !isnan(d[i]) && !isnan(alt[i])) {
            while (gj + 1 < i && (isnan(d[gj]) || isnan(alt[gj]) ||
                                  (d[i] - d[gj + 1] >= GRADE_RUN_M && !isnan(alt[gj + 1]))))
                gj++;
            double run = d[i] - d[gj];
            if (run >= GRADE_RUN_M && !isnan(alt[gj]))
                grade = (alt[i] - alt[gj]) / run;
        }
        /* Graded speed: the flat speed of the same metabolic power, v x
         * C(i) / C(0) (Minetti et al. 2002). */
        cgw[i + 1] = cgw[i] + vw;
        cg[i + 1] = cg[i] + vi * minetti_ratio(grade) * vw;
    }
    f->hr_s = chw[n];
    f->graded_s = cgw[n];

    double peak = best_window(chw, chx, n, HR_PEAK_S);
    double best20 = best_window(chw, chx, n, HR_BEST_S);
    if (peak > 0)
        f->hr_peak5_bpm = peak;
    if (best20 > 0 && f->hr_s >= HR_BEST_MIN_S)
        f->hr_best20_bpm = best20;
    /* Best efforts feed the threshold pace, a running figure. */
    for (int k = 0; k < PL__EFFORTS && a->sport == 1; k++) {
        double e = best_window(cvw, cd, n, pl__effort_s[k]);
        if (e >= 0)
            f->effort_mps[k] = e;
    }

    /* Normalised graded speed: the 30-s rolling mean of graded speed,
     * raised to the 4th power, averaged over the samples whose window is
     * full, and the 4th root taken (Coggan's normalised power, applied
     * to graded speed). The rolling means also fill the speed
     * histogram. */
    double ngp4 = 0, ngp_w = 0;
    size_t lo = 0;
    for (size_t j = 1; j <= n; j++) {
        double wj = cgw[j], gw = wj - cgw[j - 1];
        if (gw <= 0 || wj - cgw[lo] < NGP_WINDOW_S)
            continue;
        while (wj - cgw[lo + 1] >= NGP_WINDOW_S)
            lo++;
        double r = (cg[j] - cg[lo]) / (wj - cgw[lo]);
        double r2 = r * r;
        ngp4 += r2 * r2 * gw;
        ngp_w += gw;
        unsigned b = r > 0 ? (unsigned)(r * (1.0 / PL__SPEED_BIN_MPS)) : 0;
        h->sp_ms[b > PL__SPEED_BINS - 1 ? PL__SPEED_BINS - 1 : b] += ms(gw);
    }
    if (ngp_w > 0)
        f->ngp_mps = sqrt(sqrt(ngp4 / ngp_w));
}

/* ------------------------------------------------------------------ */
/* Scoring, for a profile                                               */

/* Load from a session RPE when nothing else is known: one hour rated 6 on
 * Borg's CR10 (between "hard", 5, and "very hard", 7: about threshold)
 * scores 100, as one hour at threshold does in TSS. A linear scale of our
 * own choosing, stated in docs/internals/load.md. */
#define RPE_HOUR_100 (6.0 * 60.0)
/* Load from duration alone: an easy IF of 0.71, 50 an hour. */
#define DURATION_LOAD_PER_HOUR 50.0
/* The HR-based load is chosen when heart rate covers at least this share
 * of the moving time (or there is nothing better). */
#define HR_COVER_MIN 0.5

static double pval(const struct pl_profile *p, int k)
{
    return p->v[k].value;
}

void pl__scorer_init(struct pl__scorer *sc, const struct pl_profile *p)
{
    memset(sc, 0, sizeof *sc);
    sc->p = p;
    double sex = pval(p, PL_PROF_SEX);
    sc->sex = sex == PL_SEX_FEMALE ? PL_SEX_FEMALE : isnan(sex) ? 0 : (int)sex;
    sc->max_bpm = pval(p, PL_PROF_MAX_HR);
    sc->rest_bpm = pval(p, PL_PROF_RESTING_HR);
    sc->lthr_bpm = pval(p, PL_PROF_LTHR);
    double pace = pval(p, PL_PROF_THRESHOLD_PACE);
    sc->thr_mps = pace > 0 ? 1000.0 / pace : NAN;
    double a, b;
    banister_coef(sc->sex, &a, &b);
    for (int bpm = 0; bpm < PL__HR_BINS; bpm++) {
        double x = hrr(bpm, sc->rest_bpm, sc->max_bpm);
        sc->trimp_w[bpm] = x * a * exp(b * x);
        double pm = bpm / sc->max_bpm;
        /* Edwards (1993): 50-60 % of max 1, 60-70 % 2, 70-80 % 3,
         * 80-90 % 4, 90-100 % 5. */
        sc->edwards[bpm] = pm >= 0.9 ? 5 : pm >= 0.8 ? 4 : pm >= 0.7 ? 3 : pm >= 0.6 ? 2
                                     : pm >= 0.5 ? 1 : 0;
        /* Friel's running zones by % of LTHR: 1 below 85, 2 85-89, 3
         * 90-94, 4 95-99, 5 (5a-c) 100 and above. */
        double pl = bpm / sc->lthr_bpm;
        sc->zone[bpm] = pl >= 1.0 ? 4 : pl >= 0.95 ? 3 : pl >= 0.90 ? 2 : pl >= 0.85 ? 1 : 0;
        sc->above[bpm] = pl >= 1.0;
    }
    double xl = hrr(sc->lthr_bpm, sc->rest_bpm, sc->max_bpm);
    sc->trimp_lthr_hour = 60.0 * xl * a * exp(b * xl);
}

static bool is_run(uint8_t sport)
{
    return sport == 1;    /* FIT sport "running" */
}

void pl__metrics_score(struct pl__act *x, const struct pl__scorer *sc)
{
    struct pl_metrics *m = &x->m;
    const struct pl__feat *f = &x->f;
    const struct pl__hist *h = x->have_feat ? f->hist : NULL;
    m->hr_s = 0;
    for (int z = 0; z < PL_ZONES; z++)
        m->zones_s[z] = NAN;
    m->above_threshold_s = m->trimp = m->trimp_edwards = m->hrss = NAN;
    m->ngp_mps = m->rtss = m->intensity_factor = m->if_hr = m->session_rpe = NAN;
    m->trimp_from_avg = false;
    m->hr_peak5_bpm = x->have_feat ? f->hr_peak5_bpm : NAN;
    m->hr_best20_bpm = x->have_feat ? f->hr_best20_bpm : NAN;
    m->start_lat_deg = x->have_feat ? f->start_lat_deg : NAN;
    m->start_lon_deg = x->have_feat ? f->start_lon_deg : NAN;
    m->load = 0;
    m->load_source = PL_LOAD_NONE;
    double moving = isfinite(m->moving_s) && m->moving_s > 0 ? m->moving_s : m->duration_s;

    /* Heart rate, per sample through the histogram. */
    if (h && f->hr_s > 0) {
        double trimp = 0, edw = 0, above = 0, zones[PL_ZONES] = { 0 };
        for (int b = 1; b < PL__HR_BINS; b++) {
            uint32_t t = h->hr_ms[b];
            if (!t)
                continue;
            double min = t / 60000.0;
            trimp += min * sc->trimp_w[b];
            edw += min * sc->edwards[b];
            zones[sc->zone[b]] += t / 1000.0;
            if (sc->above[b])
                above += t / 1000.0;
        }
        m->hr_s = f->hr_s;
        m->trimp = trimp;
        m->trimp_edwards = edw;
        for (int z = 0; z < PL_ZONES; z++)
            m->zones_s[z] = zones[z];
        m->above_threshold_s = above;
    } else if (isfinite(x->hr_avg_bpm) && x->hr_avg_bpm > 0 && moving > 0) {
        /* Banister's own form: duration x weighting of the average. */
        double min = moving / 60.0;
        m->trimp = pl_trimp_banister(min, x->hr_avg_bpm, sc->rest_bpm, sc->max_bpm, sc->sex);
        m->trimp_from_avg = true;
        m->hr_s = moving;
        double pm = x->hr_avg_bpm / sc->max_bpm;
        int e = pm >= 0.9 ? 5 : pm >= 0.8 ? 4 : pm >= 0.7 ? 3 : pm >= 0.6 ? 2 : pm >= 0.5 ? 1 : 0;
        m->trimp_edwards = min * e;
    }
    if (isfinite(m->trimp) && sc->trimp_lthr_hour > 0) {
        m->hrss = m->trimp / sc->trimp_lthr_hour * 100.0;
        if (m->hr_s > 0)
            m->if_hr = sqrt(m->hrss / 100.0 / (m->hr_s / 3600.0));
    }

    /* Pace: rTSS from NGP, for runs. */
    bool pace = false;
    if (x->have_feat && isfinite(f->ngp_mps)) {
        m->ngp_mps = f->ngp_mps;
        if (is_run(m->sport) && sc->thr_mps > 0) {
            double ifac = f->ngp_mps / sc->thr_mps;
            m->intensity_factor = ifac;
            m->rtss = pl_tss(f->graded_s, ifac);
            pace = true;
            if (!(m->hr_s > 0) && h) {
                /* Above threshold by graded speed; the bin that holds the
                 * threshold counts in proportion. */
                double above = 0, pos = sc->thr_mps / PL__SPEED_BIN_MPS;
                for (int b = 0; b < PL__SPEED_BINS; b++) {
                    double share = b + 1 <= pos ? 0 : b >= pos ? 1 : b + 1 - pos;
                    above += share * h->sp_ms[b] / 1000.0;
                }
                m->above_threshold_s = above;
            }
        }
    }
    if (isnan(m->intensity_factor))
        m->intensity_factor = m->if_hr;

    /* Session RPE (Foster et al. 2001, J Strength Cond Res 15:109): the
     * CR10 rating x minutes. Garmin writes workout_rpe as ten times the
     * rating (docs/internals/activity.md). */
    double rpe = x->rpe_raw;
    if (rpe > 10 && rpe <= 100)
        rpe /= 10;
    if (rpe >= 0 && rpe <= 10 && moving > 0) {
        m->rpe = rpe;
        m->session_rpe = rpe * moving / 60.0;
    } else {
        m->rpe = NAN;
    }

    /* The one load (docs/internals/load.md, "Which load"). */
    bool hr_ok = isfinite(m->hrss);
    double cover = moving > 0 ? m->hr_s / moving : 1;
    if (hr_ok && (cover >= HR_COVER_MIN || !pace)) {
        m->load = m->hrss;
        m->load_source = PL_LOAD_HRSS;
    } else if (pace && isfinite(m->rtss)) {
        m->load = m->rtss;
        m->load_source = PL_LOAD_RTSS;
    } else if (isfinite(m->session_rpe)) {
        m->load = m->session_rpe * 100.0 / RPE_HOUR_100;
        m->load_source = PL_LOAD_RPE;
    } else if (moving > 0) {
        m->load = moving / 3600.0 * DURATION_LOAD_PER_HOUR;
        m->load_source = PL_LOAD_DURATION;
    }
}

/* FNV-1a, 64 bits. */
static uint64_t fnv(uint64_t hsh, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        hsh ^= b[i];
        hsh *= UINT64_C(0x100000001b3);
    }
    return hsh;
}

static uint64_t fnv_num(uint64_t hsh, double x)
{
    if (isnan(x))
        x = NAN;        /* one NaN, whatever its payload */
    return fnv(hsh, &x, sizeof x);
}

uint64_t pl__metrics_inputs_hash(const struct pl__act *x, const struct pl_profile *p)
{
    uint64_t hsh = UINT64_C(0xcbf29ce484222325);
    int ver = PL__SCORE_VERSION;
    hsh = fnv(hsh, &ver, sizeof ver);
    static const int keys[] = { PL_PROF_SEX, PL_PROF_MAX_HR, PL_PROF_RESTING_HR, PL_PROF_LTHR,
                                PL_PROF_THRESHOLD_PACE };
    for (size_t k = 0; k < PL_ARRAY_LEN(keys); k++)
        hsh = fnv_num(hsh, p->v[keys[k]].value);
    const struct pl_metrics *m = &x->m;
    const double nums[] = { m->sport, m->duration_s, m->moving_s, x->hr_avg_bpm, x->rpe_raw };
    for (size_t k = 0; k < PL_ARRAY_LEN(nums); k++)
        hsh = fnv_num(hsh, nums[k]);
    hsh = fnv(hsh, &x->have_feat, sizeof x->have_feat);
    if (x->have_feat) {
        hsh = fnv(hsh, &x->f.version, sizeof x->f.version);
        hsh = fnv(hsh, x->f.sha256, sizeof x->f.sha256);
        hsh = fnv(hsh, &x->f.samples, sizeof x->f.samples);
    }
    /* Stored as a signed SQLite integer; keep it below 2^63. */
    return hsh >> 1;
}

/* ------------------------------------------------------------------ */
/* The model of a store                                                 */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void pl__model_release(struct pl__model *mo)
{
    for (size_t i = 0; i < mo->n; i++)
        pl__free(mo->acts[i].f.hist);
    pl__free(mo->acts);
    memset(mo, 0, sizeof *mo);
}

/* Compute the features of every activity that lacks current ones. */
static int compute_features(struct pl_store *s, struct pl__model *mo, struct pl_diag *d)
{
    double *scratch = NULL;
    size_t cap = 0;
    int rc = PL_OK;
    for (size_t i = 0; i < mo->n && rc == PL_OK; i++) {
        struct pl__act *x = &mo->acts[i];
        if (x->have_feat)
            continue;
        struct pl_activity a;
        if ((rc = pl__store_get_for_feat(s, x->m.activity_id, &a, d))) {
            /* A damaged stream costs this activity its per-sample figures
             * (it is scored from its summary), not the whole model. */
            if (rc == PL_EDB) {
                mo->stats.damaged++;
                rc = PL_OK;
                continue;
            }
            break;
        }
        size_t need = pl__feat_scratch_len(a.n);
        if (need > cap) {
            pl__free(scratch);
            scratch = pl__malloc_array(need, sizeof *scratch);
            cap = scratch ? need : 0;
        }
        if (!x->f.hist)
            x->f.hist = pl__malloc(sizeof *x->f.hist);
        if (!x->f.hist || (need && !scratch)) {
            rc = pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory computing metrics");
        } else {
            pl__feat_compute(&a, &x->f, scratch);
            x->have_feat = x->feat_dirty = true;
            mo->stats.computed++;
            mo->stats.samples += a.n;
        }
        pl_activity_release(&a);
    }
    pl__free(scratch);
    return rc;
}

int pl__model_build(struct pl_store *s, bool force, struct pl__model *mo, struct pl_diag *diag)
{
    memset(mo, 0, sizeof *mo);
    struct pl__profile_set set;
    int rc = pl__store_model_read(s, &mo->acts, &mo->n, diag);
    if (rc == PL_OK)
        rc = pl__store_profile_read(s, &set, diag);
    if (rc)
        goto out;
    mo->stats.activities = mo->n;
    double t0 = now_s();
    if ((rc = compute_features(s, mo, diag)))
        goto out;
    double t1 = now_s();
    mo->stats.streams_s = t1 - t0;

    pl__profile_effective(&set, mo->acts, mo->n, &mo->profile);
    struct pl__scorer sc;
    pl__scorer_init(&sc, &mo->profile);
    /* Which activities need rescoring: their inputs changed (a profile
     * change changes them all). Histograms of those not computed just now
     * are read from the store in one scan. */
    size_t want = 0;
    for (size_t i = 0; i < mo->n; i++) {
        struct pl__act *x = &mo->acts[i];
        uint64_t hsh = pl__metrics_inputs_hash(x, &mo->profile);
        x->metrics_dirty = force || !x->stored_metrics || hsh != x->metrics_hash || x->feat_dirty;
        x->metrics_hash = hsh;
        x->want_hist = x->metrics_dirty && x->have_feat && !x->f.hist;
        want += x->want_hist;
    }
    if (want && (rc = pl__store_feat_hists(s, mo->acts, mo->n, diag)))
        goto out;
    bool dirty = false;
    for (size_t i = 0; i < mo->n; i++) {
        struct pl__act *x = &mo->acts[i];
        if (!x->metrics_dirty)
            continue;
        pl__metrics_score(x, &sc);
        dirty = true;
        mo->stats.rescored++;
        /* The histograms are not needed past scoring (unless they are to
         * be stored). */
        if (!x->feat_dirty) {
            pl__free(x->f.hist);
            x->f.hist = NULL;
        }
    }
    mo->stats.rescore_s = now_s() - t1;
    mo->stats.stored = true;
    if (dirty || mo->stats.computed) {
        bool ro = false;
        if ((rc = pl__store_model_write(s, mo->acts, mo->n, &ro, diag)))
            goto out;
        mo->stats.stored = !ro;
    }
out:
    if (rc)
        pl__model_release(mo);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The public calls                                                     */

int pl_metrics_update(struct pl_store *s, bool force, struct pl_metrics_stats *st,
                      struct pl_diag *diag)
{
    struct pl__model mo;
    int rc = pl__model_build(s, force, &mo, diag);
    if (rc == PL_OK) {
        if (st)
            *st = mo.stats;
        pl__model_release(&mo);
    }
    return rc;
}
