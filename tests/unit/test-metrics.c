/*
 * test-metrics.c - per-activity metrics against published figures:
 * Banister's TRIMP worked example, TSS's IF^2 scoring, an rTSS example,
 * Minetti's cost of running at three grades; then the same numbers through
 * the per-sample path (streams -> histograms -> scores), the average-HR
 * fallback, Edwards' zones, Friel's zones, HRSS's normalisation, grade
 * smoothing, best efforts, and the rule that picks the one load.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/load.h"

#define near(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

/* ------------------------------------------------------------------ */
/* Published figures                                                    */

static void banister_trimp_matches_the_worked_example(void **state)
{
    (void)state;
    /* Male, HRmax 200, rest 40, 30 min at 130 bpm: HRr = 0.5625,
     * 30 x 0.5625 x 0.64 e^(1.92 x 0.5625) = 31.8. */
    near(pl_trimp_banister(30, 130, 40, 200, PL_SEX_MALE), 31.8, 0.05);
    /* Female coefficients 0.86 and 1.67: 30 x 0.5625 x 0.86 e^(0.939) */
    near(pl_trimp_banister(30, 130, 40, 200, PL_SEX_FEMALE), 37.1, 0.05);
    /* Unknown sex takes the male coefficients. */
    near(pl_trimp_banister(30, 130, 40, 200, PL_SEX_UNKNOWN), 31.8, 0.05);
    /* Below rest is no load; nonsense is NaN. */
    assert_true(pl_trimp_banister(30, 30, 40, 200, PL_SEX_MALE) == 0);
    assert_true(isnan(pl_trimp_banister(30, 130, 200, 200, PL_SEX_MALE)));
    assert_true(isnan(pl_trimp_banister(-1, 130, 40, 200, PL_SEX_MALE)));
}

static void if_squared_scoring_gives_81_for_an_hour_at_90_percent(void **state)
{
    (void)state;
    near(pl_tss(3600, 0.9), 81.0, 1e-9);
    near(pl_tss(3600, 1.0), 100.0, 1e-9);
    assert_true(isnan(pl_tss(3600, -1)));
}

static void rtss_of_30_min_at_5_00_with_threshold_4_30_is_40_5(void **state)
{
    (void)state;
    double ifac = (1000.0 / 300) / (1000.0 / 270);
    near(ifac, 0.9, 1e-12);
    near(pl_tss(1800, ifac), 40.5, 1e-9);
}

static void minetti_cost_at_three_grades(void **state)
{
    (void)state;
    near(pl_minetti_cost(0), 3.60, 1e-9);
    near(pl_minetti_cost(0.45), 19.43, 0.005);
    near(pl_minetti_cost(-0.20), 1.80, 0.01);
    /* The minimum is near -20 %: steeper downhill costs more again. */
    assert_true(pl_minetti_cost(-0.20) < pl_minetti_cost(-0.10));
    assert_true(pl_minetti_cost(-0.20) < pl_minetti_cost(-0.30));
    /* Outside the measured range the grade is clamped. */
    near(pl_minetti_cost(0.9), pl_minetti_cost(0.45), 1e-12);
}

/* ------------------------------------------------------------------ */
/* Streams -> features -> scores                                        */

/* A made-up activity at 1 Hz: hr(i), speed(i), alt(i) per sample. The
 * caller frees with free_act. */

static void free_act(struct pl_activity *a)
{
    free(a->t_s);
    free(a->hr_bpm);
    free(a->dist_m_s);
    free(a->alt_m);
    free(a->lat_deg);
    free(a->lon_deg);
    memset(a, 0, sizeof *a);
}

static void make_act(struct pl_activity *a, size_t n, double (*hr)(size_t),
                     double (*v)(size_t), double (*alt)(size_t))
{
    memset(a, 0, sizeof *a);
    a->sport = 1;
    a->n = n;
    a->t_s = calloc(n, sizeof(double));
    a->hr_bpm = hr ? calloc(n, sizeof(double)) : NULL;
    a->dist_m_s = v ? calloc(n, sizeof(double)) : NULL;
    a->alt_m = alt ? calloc(n, sizeof(double)) : NULL;
    double dist = 0;
    for (size_t i = 0; i < n; i++) {
        a->t_s[i] = (double)i;
        if (hr)
            a->hr_bpm[i] = hr(i);
        if (v) {
            if (i)
                dist += v(i);
            a->dist_m_s[i] = dist;
        }
        if (alt)
            a->alt_m[i] = alt(i);
    }
}

/* A model activity from features computed on a. */
static void act_from(struct pl__act *x, const struct pl_activity *a, struct pl__hist *h)
{
    static double scratch[6 * 20000];
    assert_true(pl__feat_scratch_len(a->n) <= PL_ARRAY_LEN(scratch));
    memset(x, 0, sizeof *x);
    x->f.hist = h;
    pl__feat_compute(a, &x->f, scratch);
    x->have_feat = true;
    x->m.sport = a->sport;
    x->m.duration_s = a->t_s[a->n - 1] - a->t_s[0];
    x->m.moving_s = x->m.duration_s;
    x->m.training_effect = x->m.anaerobic_training_effect = NAN;
    x->rpe_raw = x->m.rpe = NAN;
    x->hr_avg_bpm = NAN;
}

static void profile(struct pl_profile *p, int sex, double max, double rest, double lthr,
                    double pace_s_km)
{
    memset(p, 0, sizeof *p);
    for (int k = 0; k < PL_PROF_COUNT_; k++)
        p->v[k].value = NAN;
    p->v[PL_PROF_SEX].value = sex;
    p->v[PL_PROF_MAX_HR].value = max;
    p->v[PL_PROF_RESTING_HR].value = rest;
    p->v[PL_PROF_LTHR].value = lthr;
    p->v[PL_PROF_THRESHOLD_PACE].value = pace_s_km;
}

static double hr130(size_t i) { (void)i; return 130; }
static double hr172(size_t i) { (void)i; return 172; }
static double v3(size_t i) { (void)i; return 3.0; }
static double v_thr(size_t i) { (void)i; return 1000.0 / 300; }
static double flat(size_t i) { (void)i; return 100; }
static double climb10(size_t i) { return 100 + 0.3 * (double)i; }  /* 10 % at 3 m/s */

static void per_sample_trimp_equals_the_worked_example(void **state)
{
    (void)state;
    struct pl_activity a;
    make_act(&a, 1801, hr130, NULL, NULL);     /* 1800 s of intervals */
    struct pl__hist h;
    struct pl__act x;
    act_from(&x, &a, &h);
    assert_true(x.f.hr_s == 1800);
    assert_int_equal(h.hr_ms[130], 1800000);
    struct pl_profile p;
    profile(&p, PL_SEX_MALE, 200, 40, 170, 300);
    struct pl__scorer sc;
    pl__scorer_init(&sc, &p);
    pl__metrics_score(&x, &sc);
    near(x.m.trimp, 31.8, 0.05);
    assert_false(x.m.trimp_from_avg);
    /* Edwards: 130 is 65 % of 200, zone 2: 30 min x 2. */
    near(x.m.trimp_edwards, 60, 1e-9);
    /* Friel: 130 / 170 = 76 % of LTHR, zone 1. */
    near(x.m.zones_s[0], 1800, 1e-9);
    near(x.m.above_threshold_s, 0, 1e-9);
    assert_int_equal(x.m.load_source, PL_LOAD_HRSS);
    near(x.m.load, x.m.hrss, 1e-12);
    free_act(&a);
}

static void an_hour_at_lthr_is_hrss_100(void **state)
{
    (void)state;
    struct pl_activity a;
    make_act(&a, 3601, hr172, NULL, NULL);
    struct pl__hist h;
    struct pl__act x;
    act_from(&x, &a, &h);
    struct pl_profile p;
    profile(&p, PL_SEX_FEMALE, 190, 50, 172, 300);
    struct pl__scorer sc;
    pl__scorer_init(&sc, &p);
    pl__metrics_score(&x, &sc);
    near(x.m.hrss, 100, 1e-9);
    near(x.m.if_hr, 1.0, 1e-9);
    /* At LTHR is zone 5 (100 % and above) and above threshold. */
    near(x.m.zones_s[4], 3600, 1e-9);
    near(x.m.above_threshold_s, 3600, 1e-9);
    free_act(&a);
}

static void the_average_hr_fallback_is_banisters_own_form(void **state)
{
    (void)state;
    struct pl__act x;
    memset(&x, 0, sizeof x);
    x.m.sport = 1;
    x.m.duration_s = x.m.moving_s = 1800;
    x.hr_avg_bpm = 130;
    x.rpe_raw = NAN;
    x.m.training_effect = x.m.anaerobic_training_effect = NAN;
    struct pl_profile p;
    profile(&p, PL_SEX_MALE, 200, 40, 170, 300);
    struct pl__scorer sc;
    pl__scorer_init(&sc, &p);
    pl__metrics_score(&x, &sc);
    assert_true(x.m.trimp_from_avg);
    near(x.m.trimp, 31.8, 0.05);
    assert_int_equal(x.m.load_source, PL_LOAD_HRSS);
}

static void rtss_through_the_streams_matches_the_example(void **state)
{
    (void)state;
    /* 30 min at 5:00 per km on the flat, no heart rate, threshold 4:30. */
    struct pl_activity a;
    make_act(&a, 1801, NULL, v_thr, flat);
    struct pl__hist h;
    struct pl__act x;
    act_from(&x, &a, &h);
    near(x.f.ngp_mps, 1000.0 / 300, 1e-9);
    near(x.f.graded_s, 1800, 1e-9);
    struct pl_profile p;
    profile(&p, PL_SEX_MALE, 190, 50, 170, 270);
    struct pl__scorer sc;
    pl__scorer_init(&sc, &p);
    pl__metrics_score(&x, &sc);
    near(x.m.intensity_factor, 0.9, 1e-9);
    near(x.m.rtss, 40.5, 1e-6);
    assert_int_equal(x.m.load_source, PL_LOAD_RTSS);
    near(x.m.load, 40.5, 1e-6);
    assert_true(isnan(x.m.trimp));
    /* Without heart rate, time above threshold is by graded speed: none
     * at 90 %. */
    near(x.m.above_threshold_s, 0, 1e-9);
    free_act(&a);
}

static void a_steady_climb_is_graded_by_minetti(void **state)
{
    (void)state;
    struct pl_activity a;
    make_act(&a, 1201, NULL, v3, climb10);
    struct pl__hist h;
    struct pl__act x;
    act_from(&x, &a, &h);
    double want = 3.0 * pl_minetti_cost(0.10) / pl_minetti_cost(0);
    /* The first GRADE_RUN_M metres are taken as flat: the grade needs 20 m
     * behind it. */
    near(x.f.ngp_mps, want, 0.02);
    assert_true(x.f.ngp_mps > 3.0 * 1.6);
    /* Best efforts of steady running are the running speed. */
    for (int k = 0; k < PL__EFFORTS; k++)
        if (pl__effort_s[k] <= 1200)
            near(x.f.effort_mps[k], 3.0, 1e-9);
    assert_true(isnan(x.f.hr_peak5_bpm));
    assert_true(isnan(x.f.start_lat_deg));
    free_act(&a);
}

static double hr_spike(size_t i) { return i == 100 ? 200 : 150; }

static void peak_hr_is_a_five_second_mean(void **state)
{
    (void)state;
    struct pl_activity a;
    make_act(&a, 2401, hr_spike, NULL, NULL);
    struct pl__hist h;
    struct pl__act x;
    act_from(&x, &a, &h);
    /* One sample of 200 among 150s: the best 5 s hold it once. */
    near(x.f.hr_peak5_bpm, (200 + 4 * 150) / 5.0, 1e-9);
    /* 40 minutes of HR: the 20-min best exists. */
    near(x.f.hr_best20_bpm, 150 + 50 / 1200.0, 1e-6);
    free_act(&a);
}

static void the_load_rule_falls_back_to_rpe_then_duration(void **state)
{
    (void)state;
    struct pl_profile p;
    profile(&p, PL_SEX_MALE, 190, 50, 170, 300);
    struct pl__scorer sc;
    pl__scorer_init(&sc, &p);

    struct pl__act x;
    memset(&x, 0, sizeof x);
    x.m.sport = 10;                 /* training: no pace */
    x.m.duration_s = x.m.moving_s = 3600;
    x.hr_avg_bpm = NAN;
    x.m.training_effect = x.m.anaerobic_training_effect = NAN;
    x.rpe_raw = 60;                 /* Garmin writes 10 x the rating */
    pl__metrics_score(&x, &sc);
    assert_int_equal(x.m.load_source, PL_LOAD_RPE);
    near(x.m.rpe, 6, 1e-12);
    near(x.m.session_rpe, 360, 1e-9);
    near(x.m.load, 100, 1e-9);     /* an hour at RPE 6 is 100 */

    x.rpe_raw = NAN;
    pl__metrics_score(&x, &sc);
    assert_int_equal(x.m.load_source, PL_LOAD_DURATION);
    near(x.m.load, 50, 1e-9);

    x.m.duration_s = x.m.moving_s = NAN;
    pl__metrics_score(&x, &sc);
    assert_int_equal(x.m.load_source, PL_LOAD_NONE);
    near(x.m.load, 0, 0);
    assert_string_equal(pl_load_source_name(PL_LOAD_RTSS), "rtss");
    assert_string_equal(pl_load_source_name(99), "none");
}

static void the_inputs_hash_changes_with_the_profile(void **state)
{
    (void)state;
    struct pl__act x;
    memset(&x, 0, sizeof x);
    x.m.duration_s = x.m.moving_s = 3600;
    x.hr_avg_bpm = 140;
    x.rpe_raw = NAN;
    struct pl_profile p;
    profile(&p, PL_SEX_MALE, 190, 50, 170, 300);
    uint64_t a = pl__metrics_inputs_hash(&x, &p);
    assert_true(a == pl__metrics_inputs_hash(&x, &p));
    assert_true(a < (UINT64_C(1) << 63));
    p.v[PL_PROF_LTHR].value = 171;
    assert_true(a != pl__metrics_inputs_hash(&x, &p));
    p.v[PL_PROF_LTHR].value = 170;
    /* A value the scoring does not read (evening hour) changes nothing. */
    p.v[PL_PROF_EVENING_HOUR].value = 18;
    assert_true(a == pl__metrics_inputs_hash(&x, &p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(banister_trimp_matches_the_worked_example),
        cmocka_unit_test(if_squared_scoring_gives_81_for_an_hour_at_90_percent),
        cmocka_unit_test(rtss_of_30_min_at_5_00_with_threshold_4_30_is_40_5),
        cmocka_unit_test(minetti_cost_at_three_grades),
        cmocka_unit_test(per_sample_trimp_equals_the_worked_example),
        cmocka_unit_test(an_hour_at_lthr_is_hrss_100),
        cmocka_unit_test(the_average_hr_fallback_is_banisters_own_form),
        cmocka_unit_test(rtss_through_the_streams_matches_the_example),
        cmocka_unit_test(a_steady_climb_is_graded_by_minetti),
        cmocka_unit_test(peak_hr_is_a_five_second_mean),
        cmocka_unit_test(the_load_rule_falls_back_to_rpe_then_duration),
        cmocka_unit_test(the_inputs_hash_changes_with_the_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
