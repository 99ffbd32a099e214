/*
 * daily.c - the daily series: per local day, the load, fitness (CTL),
 * fatigue (ATL), form (TSB), ramp, acute:chronic ratio, monotony and
 * strain; and pl_load_compute(), which puts the model together (metrics,
 * series, detection) for the callers.
 *
 * Conventions (docs/internals/load.md, "Daily series"): CTL and ATL are
 * exponentially weighted averages with k = 1 - e^(-1/N) (Banister's
 * impulse-response decay, as Coggan's Performance Manager and GoldenCheetah
 * compute them), seeded with ctl_start/atl_start before the first day; TSB
 * on a day is the previous day's CTL - ATL (GoldenCheetah's convention:
 * the form one comes into the day with). The ACWR uses Williams et al.'s
 * EWMA (lambda = 2 / (N + 1)) and is information, not a risk verdict
 * (Impellizzeri et al. 2020). This file neither reads streams nor decides
 * flags (lib/model/detect.c).
 */
#include <math.h>
#include <string.h>

#include "model/load.h"

#define DAY_S 86400
/* A series longer than this (days) is a mistake in the dates: two
 * centuries. */
#define DAYS_MAX (200 * 366)

/* ------------------------------------------------------------------ */
/* Dates                                                                */

int32_t pl_local_day(int64_t t_s, int32_t utc_offset_s)
{
    int64_t t = t_s + utc_offset_s;
    int64_t d = t / DAY_S;
    if (t % DAY_S < 0)
        d--;
    return (int32_t)d;
}

/* Days since 1970-01-01 of a civil date, and back (the proleptic
 * Gregorian calendar; H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z0, int *y, int *m, int *d)
{
    int64_t z = (int64_t)z0 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void pl_day_format(int32_t day, char *buf, size_t n)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
}

bool pl_day_parse(const char *s, int32_t *day)
{
    int y, m, d;
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (!s[i] || (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')))
            return false;
    }
    if (s[10])
        return false;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    *day = days_from_civil(y, m, d);
    return true;
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

void pl_load_options_init(struct pl_load_options *o)
{
    memset(o, 0, sizeof *o);
    o->ctl_days = 42;
    o->atl_days = 7;
    o->ctl_start = 0;
    o->atl_start = 0;
    o->acwr_acute_days = 7;
    o->acwr_chronic_days = 28;
    o->acwr_chronic_min = 10;
    o->hard_if = 0.85;
    o->hard_above_min = 20;
    o->hard_hrss = 100;
    o->hard_te = 4.0;
    o->hard_ate = 3.0;
    o->hard_load_x_median = 1.5;
    o->long_min = 90;
    o->long_x_median = 2.0;
    o->race_dist_tol = 0.02;
    o->race_if = 0.9;
    o->travel_km = 100;
    o->travel_offset_h = 2;
    o->habit_weeks = 8;
    o->habit_share = 0.5;
    o->habit_runs_min = 2;
    o->recovery_tsb = -30;
    o->recovery_tsb_ctl = -0.30;
    o->recovery_monotony = 2.0;
    o->recovery_ctl_min = 20;
}

/* Each option's range, so that a typo (ctl_days = 0, a negative
 * threshold) is an error with the option named, not a NaN series. */
static int check_options(const struct pl_load_options *o, struct pl_diag *d)
{
    const struct {
        const char *name;
        double v, lo, hi;
    } r[] = {
        { "ctl_days", o->ctl_days, 1, 365 },
        { "atl_days", o->atl_days, 1, 365 },
        { "ctl_start", o->ctl_start, 0, 1000 },
        { "atl_start", o->atl_start, 0, 1000 },
        { "acwr_acute_days", o->acwr_acute_days, 1, 365 },
        { "acwr_chronic_days", o->acwr_chronic_days, 1, 365 },
        { "acwr_chronic_min", o->acwr_chronic_min, 0, 1000 },
        { "hard_if", o->hard_if, 0, 3 },
        { "hard_above_min", o->hard_above_min, 0, 1440 },
        { "hard_hrss", o->hard_hrss, 0, 10000 },
        { "hard_te", o->hard_te, 0, 5 },
        { "hard_ate", o->hard_ate, 0, 5 },
        { "hard_load_x_median", o->hard_load_x_median, 0, 100 },
        { "long_min", o->long_min, 0, 10080 },
        { "long_x_median", o->long_x_median, 0, 100 },
        { "race_dist_tol", o->race_dist_tol, 0, 0.5 },
        { "race_if", o->race_if, 0, 3 },
        { "travel_km", o->travel_km, 0, 40075 },
        { "travel_offset_h", o->travel_offset_h, 0.25, 26 },
        { "habit_weeks", o->habit_weeks, 1, 520 },
        { "habit_share", o->habit_share, 0, 1 },
        { "habit_runs_min", o->habit_runs_min, 1, 1000 },
        { "recovery_tsb", o->recovery_tsb, -1000, 1000 },
        { "recovery_tsb_ctl", o->recovery_tsb_ctl, -10, 10 },
        { "recovery_monotony", o->recovery_monotony, 0, 100 },
        { "recovery_ctl_min", o->recovery_ctl_min, 0, 1000 },
    };
    for (size_t i = 0; i < PL_ARRAY_LEN(r); i++)
        if (!(r[i].v >= r[i].lo && r[i].v <= r[i].hi))
            return pl__diag(d, PL_EINVAL, UINT64_MAX, "load option %s = %g is out of range (%g..%g)",
                            r[i].name, r[i].v, r[i].lo, r[i].hi);
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* The formulas                                                         */

double pl_load_ewma_k(double days)
{
    return days > 0 ? 1.0 - exp(-1.0 / days) : NAN;
}

void pl_load_monotony(const double *loads, size_t n, double *monotony, double *strain)
{
    /* Foster (1998), "Monitoring training in athletes with reference to
     * overtraining syndrome", Med Sci Sports Exerc 30:1164: monotony is
     * the week's mean daily load over its standard deviation (of the
     * population of its days, rest days counting 0); strain is the week's
     * load times monotony. */
    *monotony = *strain = NAN;
    if (n == 0)
        return;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += loads[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (loads[i] - mean) * (loads[i] - mean);
    double sd = sqrt(ss / (double)n);
    if (!(sd > 1e-9))
        return;
    *monotony = mean / sd;
    *strain = sum * *monotony;
}

void pl_days_series(const double *load, size_t n, int32_t first_day,
                    const struct pl_load_options *opts, struct pl_day *days)
{
    struct pl_load_options def;
    if (!opts) {
        pl_load_options_init(&def);
        opts = &def;
    }
    double kc = pl_load_ewma_k(opts->ctl_days), ka = pl_load_ewma_k(opts->atl_days);
    /* Williams, West, Cross & Stokes (2017), "Better way to determine the
     * acute:chronic workload ratio?", Br J Sports Med 51:209. */
    double la = 2.0 / (opts->acwr_acute_days + 1), lc = 2.0 / (opts->acwr_chronic_days + 1);
    double ctl = opts->ctl_start, atl = opts->atl_start, acute = 0, chronic = 0;
    for (size_t i = 0; i < n; i++) {
        struct pl_day *d = &days[i];
        memset(d, 0, sizeof *d);
        d->date = first_day + (int32_t)i;
        double x = load[i];
        d->load = x;
        d->tsb = ctl - atl;                /* yesterday's fitness - fatigue */
        ctl += kc * (x - ctl);
        atl += ka * (x - atl);
        d->ctl = ctl;
        d->atl = atl;
        d->ramp = i >= 7 ? ctl - days[i - 7].ctl : NAN;
        acute = la * x + (1 - la) * acute;
        chronic = lc * x + (1 - lc) * chronic;
        d->acwr = (double)(i + 1) >= opts->acwr_chronic_days && chronic >= opts->acwr_chronic_min
                      ? acute / chronic
                      : NAN;
        if (i >= 6)
            pl_load_monotony(&load[i - 6], 7, &d->monotony, &d->strain);
        else
            d->monotony = d->strain = NAN;
    }
}

/* ------------------------------------------------------------------ */
/* The whole model                                                      */

void pl_load_release(struct pl_load *l)
{
    if (!l)
        return;
    pl__free(l->metrics);
    pl__free(l->days);
    pl__free(l->trips);
    memset(l, 0, sizeof *l);
}

struct evlist {
    struct pl_event *e;
    size_t n, cap;
};

static int collect_event(void *ctx, const struct pl_event *e)
{
    struct evlist *v = ctx;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        struct pl_event *p = pl__realloc(v->e, cap * sizeof *p);
        if (!p)
            return 1;
        v->e = p;
        v->cap = cap;
    }
    v->e[v->n++] = *e;
    return 0;
}

int pl_load_compute(struct pl_store *s, const struct pl_load_options *opts, int32_t until_day,
                    struct pl_load *out, struct pl_diag *diag)
{
    memset(out, 0, sizeof *out);
    struct pl_load_options def;
    if (!opts) {
        pl_load_options_init(&def);
        opts = &def;
    }
    int rc = check_options(opts, diag);
    if (rc)
        return rc;
    struct pl__model mo;
    if ((rc = pl__model_build(s, false, &mo, diag)))
        return rc;
    struct evlist ev = { 0 };
    double *loads = NULL;
    rc = pl__store_event_list(s, INT32_MIN, INT32_MAX, collect_event, &ev, diag);
    if (rc == PL_ECANCELED)
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory listing events");
    if (rc)
        goto out;
    out->profile = mo.profile;
    out->stats = mo.stats;
    if (mo.n && !(out->metrics = pl__malloc_array(mo.n, sizeof *out->metrics))) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        goto out;
    }
    out->nmetrics = mo.n;
    for (size_t i = 0; i < mo.n; i++) {
        out->metrics[i] = mo.acts[i].m;
        out->metrics[i].flags = 0;
        out->metrics[i].reasons[0] = '\0';
    }

    /* The days: from the first activity or event to the last (or
     * until_day). */
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (size_t i = 0; i < mo.n; i++) {
        int32_t d = pl_local_day(mo.acts[i].m.start_s, mo.acts[i].m.utc_offset_s);
        first = d < first ? d : first;
        last = d > last ? d : last;
    }
    for (size_t i = 0; i < ev.n; i++) {
        first = ev.e[i].day < first ? ev.e[i].day : first;
        last = ev.e[i].day > last ? ev.e[i].day : last;
    }
    if (until_day != INT32_MIN)
        last = until_day;
    if (first != INT32_MAX && last >= first) {
        if ((int64_t)last - first + 1 > DAYS_MAX) {
            rc = pl__diag(diag, PL_ELIMIT, UINT64_MAX,
                          "the series would span %lld days (more than %d): check the dates",
                          (long long)last - first + 1, DAYS_MAX);
            goto out;
        }
        size_t n = (size_t)(last - first + 1);
        loads = pl__calloc(n, sizeof *loads);
        out->days = pl__malloc_array(n, sizeof *out->days);
        if (!loads || !out->days) {
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < mo.n; i++) {
            int32_t d = pl_local_day(mo.acts[i].m.start_s, mo.acts[i].m.utc_offset_s);
            if (d <= last && isfinite(mo.acts[i].m.load))
                loads[d - first] += mo.acts[i].m.load;
        }
        pl_days_series(loads, n, first, opts, out->days);
        out->ndays = n;
        out->first_day = first;
    }
    rc = pl__detect(out, mo.acts, ev.e, ev.n, opts, diag);
out:
    pl__free(loads);
    pl__free(ev.e);
    pl__model_release(&mo);
    if (rc)
        pl_load_release(out);
    return rc;
}

const struct pl_day *pl_days_at(const struct pl_load *l, int32_t date)
{
    if (!l->ndays || date < l->first_day || (int64_t)date - l->first_day >= (int64_t)l->ndays)
        return NULL;
    return &l->days[date - l->first_day];
}

size_t pl_days_index(const struct pl_load *l, int32_t date)
{
    if (date <= l->first_day)
        return 0;
    int64_t i = (int64_t)date - l->first_day;
    return i >= (int64_t)l->ndays ? l->ndays : (size_t)i;
}

/* ------------------------------------------------------------------ */
/* Metrics with their flags                                             */

int pl_metrics_get(struct pl_store *s, int64_t activity_id, struct pl_metrics *m,
                   struct pl_diag *diag)
{
    struct pl_load l;
    int rc = pl_load_compute(s, NULL, INT32_MIN, &l, diag);
    if (rc)
        return rc;
    rc = pl__diag(diag, PL_ENOTFOUND, UINT64_MAX, "no activity %lld", (long long)activity_id);
    for (size_t i = 0; i < l.nmetrics; i++)
        if (l.metrics[i].activity_id == activity_id) {
            *m = l.metrics[i];
            pl_diag_clear(diag);
            rc = PL_OK;
            break;
        }
    pl_load_release(&l);
    return rc;
}

int pl_metrics_list(struct pl_store *s, int64_t since_s, int64_t until_s,
                    int (*fn)(void *ctx, const struct pl_metrics *m), void *ctx,
                    struct pl_diag *diag)
{
    struct pl_load l;
    int rc = pl_load_compute(s, NULL, INT32_MIN, &l, diag);
    if (rc)
        return rc;
    for (size_t i = 0; i < l.nmetrics; i++) {
        const struct pl_metrics *m = &l.metrics[i];
        if (m->start_s < since_s || m->start_s >= until_s)
            continue;
        if (fn(ctx, m) != 0) {
            rc = pl__diag(diag, PL_ECANCELED, UINT64_MAX, "listing stopped by the caller");
            break;
        }
    }
    pl_load_release(&l);
    return rc;
}
