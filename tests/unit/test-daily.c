/*
 * test-daily.c - the daily series against published figures: the EWMA
 * coefficients of a 42- and a 7-day time constant, Foster's monotony and
 * strain for his example week; then the conventions (TSB is yesterday's
 * CTL - ATL, ramp over 7 days, ACWR only above a chronic minimum), the
 * options' checks, and the local-date helpers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pliant.h"

#define near(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

static void ewma_coefficients_for_42_and_7_days(void **state)
{
    (void)state;
    near(pl_load_ewma_k(42), 0.023528, 5e-7);
    near(pl_load_ewma_k(7), 0.133122, 5e-7);
    assert_true(isnan(pl_load_ewma_k(0)));
}

static void foster_monotony_and_strain_of_the_example_week(void **state)
{
    (void)state;
    const double week[7] = { 0, 20, 10, 10, 10, 10, 10 };
    double mono, strain;
    pl_load_monotony(week, 7, &mono, &strain);
    near(mono, 1.8708, 5e-5);
    near(strain, 130.96, 5e-3);
    /* Seven equal days have no spread: monotony is not a number. */
    const double flat[7] = { 10, 10, 10, 10, 10, 10, 10 };
    pl_load_monotony(flat, 7, &mono, &strain);
    assert_true(isnan(mono) && isnan(strain));
}

static void tsb_is_yesterdays_ctl_minus_atl(void **state)
{
    (void)state;
    enum { N = 120 };
    double load[N];
    for (int i = 0; i < N; i++)
        load[i] = i % 7 == 0 ? 0 : 60 + (i % 3) * 20;
    struct pl_load_options o;
    pl_load_options_init(&o);
    struct pl_day days[N];
    pl_days_series(load, N, 20000, &o, days);
    double kc = pl_load_ewma_k(42), ka = pl_load_ewma_k(7), ctl = 0, atl = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(days[i].date, 20000 + i);
        near(days[i].load, load[i], 0);
        near(days[i].tsb, ctl - atl, 1e-9);
        ctl += kc * (load[i] - ctl);
        atl += ka * (load[i] - atl);
        near(days[i].ctl, ctl, 1e-9);
        near(days[i].atl, atl, 1e-9);
        if (i >= 7)
            near(days[i].ramp, days[i].ctl - days[i - 7].ctl, 1e-12);
        else
            assert_true(isnan(days[i].ramp));
        if (i >= 6) {
            double m, s;
            pl_load_monotony(&load[i - 6], 7, &m, &s);
            near(days[i].monotony, m, 1e-12);
            near(days[i].strain, s, 1e-12);
        } else {
            assert_true(isnan(days[i].monotony));
        }
        assert_int_equal(days[i].flags, 0);
        assert_string_equal(days[i].reasons, "");
    }
}

static void a_steady_load_brings_ctl_and_atl_to_it(void **state)
{
    (void)state;
    enum { N = 600 };
    double load[N];
    for (int i = 0; i < N; i++)
        load[i] = 50;
    struct pl_day days[N];
    pl_days_series(load, N, 0, NULL, days);
    near(days[N - 1].ctl, 50, 0.01);
    near(days[N - 1].atl, 50, 1e-6);
    near(days[N - 1].tsb, 0, 0.01);
    near(days[N - 1].acwr, 1.0, 1e-6);
    /* After 42 days, CTL has covered 1 - 1/e of the way. */
    near(days[41].ctl, 50 * (1 - exp(-1)), 0.01);
}

static void acwr_is_shown_only_above_the_chronic_minimum(void **state)
{
    (void)state;
    enum { N = 80 };
    double load[N];
    for (int i = 0; i < N; i++)
        load[i] = i < 40 ? 5 : 80;
    struct pl_load_options o;
    pl_load_options_init(&o);
    struct pl_day days[N];
    pl_days_series(load, N, 0, &o, days);
    /* Before 28 days: not defined whatever the load. */
    for (int i = 0; i < 27; i++)
        assert_true(isnan(days[i].acwr));
    /* 5 a day is below the minimum chronic load of 10. */
    assert_true(isnan(days[35].acwr));
    /* Williams et al.'s EWMA, lambda = 2 / (N + 1). */
    double la = 2.0 / 8, lc = 2.0 / 29, a = 0, c = 0;
    for (int i = 0; i < N; i++) {
        a = la * load[i] + (1 - la) * a;
        c = lc * load[i] + (1 - lc) * c;
        if (c >= 10 && i >= 27)
            near(days[i].acwr, a / c, 1e-9);
    }
    assert_false(isnan(days[N - 1].acwr));
}

static void the_constants_can_be_set(void **state)
{
    (void)state;
    double load[3] = { 100, 100, 100 };
    struct pl_load_options o;
    pl_load_options_init(&o);
    o.ctl_days = 1;
    o.atl_days = 1;
    o.ctl_start = 10;
    o.atl_start = 20;
    struct pl_day days[3];
    pl_days_series(load, 3, 0, &o, days);
    near(days[0].tsb, -10, 1e-12);
    near(days[0].ctl, 10 + (1 - exp(-1)) * 90, 1e-9);
}

static void dates_parse_and_format(void **state)
{
    (void)state;
    int32_t d;
    assert_true(pl_day_parse("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_true(pl_day_parse("2026-01-05", &d));
    assert_int_equal(d, 20458);
    assert_true(pl_day_parse("2024-02-29", &d));
    assert_false(pl_day_parse("2026-02-29", &d));
    assert_false(pl_day_parse("2026-13-01", &d));
    assert_false(pl_day_parse("2026-1-05", &d));
    assert_false(pl_day_parse("2026-01-05x", &d));
    assert_true(pl_day_parse("1900-03-01", &d));
    char buf[16];
    for (int32_t x = -25567; x < 80000; x += 997) {
        pl_day_format(x, buf, sizeof buf);
        assert_true(pl_day_parse(buf, &d));
        assert_int_equal(d, x);
    }
    /* Local days of UTC times, before the epoch too. */
    assert_int_equal(pl_local_day(0, 0), 0);
    assert_int_equal(pl_local_day(-1, 0), -1);
    assert_int_equal(pl_local_day(86399, 1), 1);
    assert_int_equal(pl_local_day(3600, -7200), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ewma_coefficients_for_42_and_7_days),
        cmocka_unit_test(foster_monotony_and_strain_of_the_example_week),
        cmocka_unit_test(tsb_is_yesterdays_ctl_minus_atl),
        cmocka_unit_test(a_steady_load_brings_ctl_and_atl_to_it),
        cmocka_unit_test(acwr_is_shown_only_above_the_chronic_minimum),
        cmocka_unit_test(the_constants_can_be_set),
        cmocka_unit_test(dates_parse_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
