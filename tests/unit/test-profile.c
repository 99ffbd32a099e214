/*
 * test-profile.c - the athlete profile: setting several keys at once or
 * none at all, every refusal with a message that names the key, values
 * back to estimates, documented defaults on an empty store, estimates
 * from a simulated runner (whose heart rate peaks at 188 bpm), and the
 * stored metrics rescored when the profile changes, and only then.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pliant.h"

static char dir[256];
static int seq;

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test-profile.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct pl_store *new_store(void)
{
    char path[320];
    snprintf(path, sizeof path, "%s/s%d.db", dir, seq++);
    struct pl_store *s;
    struct pl_diag d;
    assert_int_equal(pl_store_open(&s, path, &d), PL_OK);
    return s;
}

/* A store with `weeks` of the simulated runner, imported through the
 * library. */
static struct pl_store *sim_store(uint32_t weeks)
{
    char sim[320];
    snprintf(sim, sizeof sim, "%s/sim%d", dir, seq);
    assert_int_equal(mkdir(sim, 0700), 0);
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.weeks = weeks;
    struct pl_sim *sm;
    struct pl_diag d;
    assert_int_equal(pl_sim_plan(&o, &sm, &d), PL_OK);
    assert_int_equal(pl_sim_write_dir(sm, sim, &d), PL_OK);
    pl_sim_free(sm);
    struct pl_store *s = new_store();
    const char *paths[] = { sim };
    struct pl_import_summary sum;
    assert_int_equal(pl_import_paths(s, paths, 1, NULL, 0, &sum, &d), PL_OK);
    assert_true(sum.activities > 0);
    return s;
}

static void set_ok(struct pl_store *s, const char *a, const char *b)
{
    const char *v[] = { a, b };
    struct pl_diag d;
    int rc = pl_profile_set(s, v, b ? 2 : 1, &d);
    if (rc)
        fail_msg("%s: %s", a, d.msg);
}

/* Refused, with the message containing `says`, and nothing changed. */
static void set_refused(struct pl_store *s, const char *a, const char *b, const char *says)
{
    struct pl_profile before, after;
    struct pl_diag d;
    assert_int_equal(pl_profile_get(s, &before, &d), PL_OK);
    const char *v[] = { a, b };
    assert_int_equal(pl_profile_set(s, v, b ? 2 : 1, &d), PL_EINVAL);
    if (!strstr(d.msg, says))
        fail_msg("'%s' does not say '%s'", d.msg, says);
    assert_int_equal(pl_profile_get(s, &after, &d), PL_OK);
    for (int k = 0; k < PL_PROF_COUNT_; k++) {
        assert_int_equal(before.v[k].origin, after.v[k].origin);
        assert_true(before.v[k].value == after.v[k].value ||
                    (isnan(before.v[k].value) && isnan(after.v[k].value)));
    }
}

static void keys_are_set_together_and_read_back(void **state)
{
    (void)state;
    struct pl_store *s = new_store();
    set_ok(s, "max_hr=192", "threshold_pace=4:30");
    const char *more[] = { "sex=female", "birth_year=1985", "resting_hr=48", "lthr=171",
                           "evening_hour=18", "home=38.7223,-9.1393" };
    struct pl_diag d;
    assert_int_equal(pl_profile_set(s, more, sizeof more / sizeof more[0], &d), PL_OK);
    struct pl_profile p;
    assert_int_equal(pl_profile_get(s, &p, &d), PL_OK);
    assert_true(p.v[PL_PROF_MAX_HR].value == 192);
    assert_int_equal(p.v[PL_PROF_MAX_HR].origin, PL_ORIGIN_SET);
    assert_true(p.v[PL_PROF_THRESHOLD_PACE].value == 270);
    assert_true(p.v[PL_PROF_SEX].value == PL_SEX_FEMALE);
    assert_true(p.v[PL_PROF_HOME_LAT].value == 38.7223);
    assert_true(p.v[PL_PROF_HOME_LON].value == -9.1393);
    char buf[64];
    pl_profile_format(&p, PL_PROF_THRESHOLD_PACE, buf, sizeof buf);
    assert_string_equal(buf, "4:30");
    pl_profile_format(&p, PL_PROF_SEX, buf, sizeof buf);
    assert_string_equal(buf, "female");
    pl_profile_format(&p, PL_PROF_HOME_LON, buf, sizeof buf);
    assert_string_equal(buf, "38.7223,-9.1393");
    assert_string_equal(pl_profile_key_name(PL_PROF_HOME_LAT), "home");
    assert_null(pl_profile_key_name(PL_PROF_COUNT_));
    /* "KEY=" goes back to the estimate (a default, on an empty store). */
    set_ok(s, "max_hr=", "home=");
    assert_int_equal(pl_profile_get(s, &p, &d), PL_OK);
    assert_int_equal(p.v[PL_PROF_MAX_HR].origin, PL_ORIGIN_DEFAULT);
    assert_int_equal(p.v[PL_PROF_HOME_LAT].origin, PL_ORIGIN_NONE);
    assert_true(isnan(p.v[PL_PROF_HOME_LAT].value));
    /* With no activity there is no date to take an age at: the plain
     * default, even with a birth year. */
    assert_true(p.v[PL_PROF_MAX_HR].value == 190);
    pl_store_close(s);
}

static void bad_keys_and_values_change_nothing(void **state)
{
    (void)state;
    struct pl_store *s = new_store();
    set_ok(s, "max_hr=190", "lthr=170");
    set_refused(s, "max_hr=185", "vo2max=60", "unknown profile key 'vo2max'");
    set_refused(s, "max_hr=300", NULL, "max_hr: '300' is out of range (100..250 bpm)");
    set_refused(s, "max_hr=abc", NULL, "max_hr");
    set_refused(s, "max_hr=1e2", NULL, "max_hr");
    set_refused(s, "sex=x", NULL, "sex: 'x' is not male or female");
    set_refused(s, "threshold_pace=4.5", NULL, "m:ss");
    set_refused(s, "threshold_pace=4:75", NULL, "m:ss");
    set_refused(s, "threshold_pace=1:10", NULL, "out of range");
    set_refused(s, "birth_year=1985.5", NULL, "birth_year");
    set_refused(s, "evening_hour=24", NULL, "evening_hour");
    set_refused(s, "home=91,0", NULL, "home");
    set_refused(s, "home=38.7", NULL, "home");
    set_refused(s, "max_hr", NULL, "KEY=VALUE");
    set_refused(s, "=3", NULL, "KEY=VALUE");
    set_refused(s, "lthr=200", NULL, "lthr (200) cannot be above max_hr (190)");
    set_refused(s, "resting_hr=100", "lthr=99", "resting_hr (100) must be below lthr (99)");
    set_refused(s, "max_hr=170", "max_hr=171", "given twice");
    set_refused(s, "home=1,2", "home=3,4", "given twice");
    /* The good one in a refused batch was not applied either. */
    struct pl_profile p;
    struct pl_diag d;
    assert_int_equal(pl_profile_get(s, &p, &d), PL_OK);
    assert_true(p.v[PL_PROF_MAX_HR].value == 190);
    assert_int_equal(pl_profile_set(s, NULL, 0, &d), PL_EINVAL);
    pl_store_close(s);
}

static void an_empty_store_says_its_defaults(void **state)
{
    (void)state;
    struct pl_store *s = new_store();
    struct pl_profile p;
    struct pl_diag d;
    assert_int_equal(pl_profile_get(s, &p, &d), PL_OK);
    assert_int_equal(p.v[PL_PROF_MAX_HR].origin, PL_ORIGIN_DEFAULT);
    assert_true(p.v[PL_PROF_MAX_HR].value == 190);
    assert_int_equal(p.v[PL_PROF_LTHR].origin, PL_ORIGIN_DEFAULT);
    assert_true(p.v[PL_PROF_LTHR].value == round(0.88 * 190));
    assert_true(p.v[PL_PROF_RESTING_HR].value == 60);
    assert_true(p.v[PL_PROF_THRESHOLD_PACE].value == 360);
    assert_true(p.v[PL_PROF_EVENING_HOUR].value == 17);
    assert_int_equal(p.v[PL_PROF_SEX].origin, PL_ORIGIN_DEFAULT);
    for (int k = 0; k < PL_PROF_COUNT_; k++)
        assert_true(strlen(p.v[k].method) > 10);
    assert_non_null(strstr(p.v[PL_PROF_THRESHOLD_PACE].method, "set it with"));
    assert_string_equal(pl_origin_name(PL_ORIGIN_ESTIMATED), "estimated");
    pl_store_close(s);
}

static void a_simulated_runner_is_estimated_from_the_data(void **state)
{
    (void)state;
    struct pl_store *s = sim_store(6);
    struct pl_profile p;
    struct pl_diag d;
    assert_int_equal(pl_profile_get(s, &p, &d), PL_OK);
    /* The simulator's heart peaks at 188 bpm at the end of repetitions. */
    assert_int_equal(p.v[PL_PROF_MAX_HR].origin, PL_ORIGIN_ESTIMATED);
    assert_true(p.v[PL_PROF_MAX_HR].value >= 183 && p.v[PL_PROF_MAX_HR].value <= 188);
    assert_non_null(strstr(p.v[PL_PROF_MAX_HR].method, "5-s"));
    assert_int_equal(p.v[PL_PROF_LTHR].origin, PL_ORIGIN_ESTIMATED);
    assert_true(p.v[PL_PROF_LTHR].value > 150 && p.v[PL_PROF_LTHR].value < 185);
    assert_non_null(strstr(p.v[PL_PROF_LTHR].method, "20-min"));
    /* Threshold pace between its tempo (4:34) and repetition (3:58)
     * paces, by a critical-speed fit. */
    assert_int_equal(p.v[PL_PROF_THRESHOLD_PACE].origin, PL_ORIGIN_ESTIMATED);
    assert_true(p.v[PL_PROF_THRESHOLD_PACE].value >= 238 &&
                p.v[PL_PROF_THRESHOLD_PACE].value <= 280);
    assert_non_null(strstr(p.v[PL_PROF_THRESHOLD_PACE].method, "critical speed"));
    /* Home is Lisbon (38.7223, -9.1393); runs start within 800 m. */
    assert_int_equal(p.v[PL_PROF_HOME_LAT].origin, PL_ORIGIN_ESTIMATED);
    assert_true(fabs(p.v[PL_PROF_HOME_LAT].value - 38.7223) < 0.02);
    assert_true(fabs(p.v[PL_PROF_HOME_LON].value + 9.1393) < 0.02);
    /* No data says the resting heart rate. */
    assert_int_equal(p.v[PL_PROF_RESTING_HR].origin, PL_ORIGIN_DEFAULT);
    /* What is set wins over the estimate. */
    set_ok(s, "max_hr=200", NULL);
    assert_int_equal(pl_profile_get(s, &p, &d), PL_OK);
    assert_int_equal(p.v[PL_PROF_MAX_HR].origin, PL_ORIGIN_SET);
    assert_true(p.v[PL_PROF_MAX_HR].value == 200);
    pl_store_close(s);
}

static void a_profile_change_rescores_every_activity_once(void **state)
{
    (void)state;
    struct pl_store *s = sim_store(2);
    struct pl_metrics_stats st;
    struct pl_diag d;
    assert_int_equal(pl_metrics_update(s, false, &st, &d), PL_OK);
    assert_true(st.activities > 5);
    assert_int_equal(st.computed, st.activities);
    assert_int_equal(st.rescored, st.activities);
    assert_true(st.samples > 1000 * st.activities);
    assert_true(st.stored);
    assert_int_equal(pl_metrics_update(s, false, &st, &d), PL_OK);
    assert_int_equal(st.computed, 0);
    assert_int_equal(st.rescored, 0);

    struct pl_metrics before, after;
    struct pl_load l;
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
    int64_t id = l.metrics[0].activity_id;
    pl_load_release(&l);
    assert_int_equal(pl_metrics_get(s, id, &before, &d), PL_OK);
    set_ok(s, "resting_hr=45", NULL);
    assert_int_equal(pl_metrics_update(s, false, &st, &d), PL_OK);
    assert_int_equal(st.computed, 0);
    assert_int_equal(st.rescored, st.activities);
    assert_int_equal(pl_metrics_get(s, id, &after, &d), PL_OK);
    assert_true(after.trimp > before.trimp);    /* a lower rest: more reserve used */
    /* The evening hour is not an input of the metrics. */
    set_ok(s, "evening_hour=19", NULL);
    assert_int_equal(pl_metrics_update(s, false, &st, &d), PL_OK);
    assert_int_equal(st.rescored, 0);
    /* force rescores everything without touching a stream. */
    assert_int_equal(pl_metrics_update(s, true, &st, &d), PL_OK);
    assert_int_equal(st.computed, 0);
    assert_int_equal(st.rescored, st.activities);
    assert_int_equal(pl_metrics_get(s, 999999, &after, &d), PL_ENOTFOUND);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_are_set_together_and_read_back),
        cmocka_unit_test(bad_keys_and_values_change_nothing),
        cmocka_unit_test(an_empty_store_says_its_defaults),
        cmocka_unit_test(a_simulated_runner_is_estimated_from_the_data),
        cmocka_unit_test(a_profile_change_rescores_every_activity_once),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
