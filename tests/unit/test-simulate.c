/*
 * test-simulate.c - the simulated training history: deterministic, with the
 * planted weekly pattern, trip and race, physiological heart rates, totals
 * that agree with the records, and a truth.json that says all of it.
 *
 * The files are read back with pliant's own decoder; the conformance test
 * (tests/cli/t0201-simulate-sdk-valid.sh) reads them with Garmin's SDK.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "pliant.h"

enum { DAY_S = 86400 };

/* 2026-01-05 is a Monday; days since 1970-01-01. */
static int weekday_of(int64_t local_s)
{
    int64_t day = local_s >= 0 ? local_s / DAY_S : (local_s - DAY_S + 1) / DAY_S;
    return (int)((day + 3) % 7);     /* 0 = Monday */
}

static struct pl_sim *plan(uint64_t seed, int32_t start_day, uint32_t weeks)
{
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.seed = seed;
    o.start_day = start_day;
    o.weeks = weeks;
    struct pl_sim *s;
    struct pl_diag d;
    if (pl_sim_plan(&o, &s, &d) != PL_OK)
        fail_msg("plan: %s", d.msg);
    return s;
}

/* Render activity i into memory; the caller frees the writer. */
static struct pl_fit_writer *render(struct pl_sim *s, size_t i)
{
    struct pl_fit_writer *w = pl_fit_writer_new(64 << 20);
    struct pl_diag d;
    assert_non_null(w);
    if (pl_sim_render(s, i, w, &d) != PL_OK || pl_fit_writer_finish(w, &d) != PL_OK)
        fail_msg("render %zu: %s", i, d.msg);
    return w;
}

static size_t find_kind(const struct pl_sim *s, int kind)
{
    for (size_t i = 0; i < pl_sim_count(s); i++)
        if (pl_sim_activity(s, i)->kind == kind)
            return i;
    fail_msg("no activity of kind %s", pl_sim_kind_name(kind));
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reading a file back                                                  */
/* ------------------------------------------------------------------ */

struct rec {
    double t, lat, lon, dist, speed, alt, hr;
};

struct lap {
    double start, end, timer, dist, intensity, ascent;
};

struct file {
    struct rec *recs;
    size_t nrecs, cap;
    struct lap laps[64];
    size_t nlaps;
    double s_elapsed, s_timer, s_dist, s_hr_avg, s_hr_max, s_ascent, s_descent, s_laps, s_sport;
    double a_ts, a_local_ts;
    int warnings;
};

static double num(const struct pl_fit_msg *m, uint16_t field)
{
    const struct pl_fit_value *v = pl_fit_msg_find(m, field);
    return v ? pl_fit_value_num(v) : NAN;
}

/* FIT profile 21.217 field numbers: record 20, lap 19, session 18,
 * activity 34. */
static int on_msg(void *ctx, const struct pl_fit_msg *m)
{
    struct file *f = ctx;
    if (m->global == 20) {
        if (f->nrecs == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 4096;
            f->recs = realloc(f->recs, f->cap * sizeof *f->recs);
            assert_non_null(f->recs);
        }
        f->recs[f->nrecs++] = (struct rec){ num(m, 253), num(m, 0), num(m, 1), num(m, 5),
                                            num(m, 73), num(m, 78), num(m, 3) };
    } else if (m->global == 19 && f->nlaps < 64) {
        f->laps[f->nlaps++] = (struct lap){ num(m, 2), num(m, 253), num(m, 8), num(m, 9),
                                            num(m, 23), num(m, 21) };
    } else if (m->global == 18) {
        f->s_elapsed = num(m, 7);
        f->s_timer = num(m, 8);
        f->s_dist = num(m, 9);
        f->s_hr_avg = num(m, 16);
        f->s_hr_max = num(m, 17);
        f->s_ascent = num(m, 22);
        f->s_descent = num(m, 23);
        f->s_laps = num(m, 26);
        f->s_sport = num(m, 5);
    } else if (m->global == 34) {
        f->a_ts = num(m, 253);
        f->a_local_ts = num(m, 5);
    }
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    (void)w;
    ((struct file *)ctx)->warnings++;
}

static void read_back(struct pl_fit_writer *w, struct file *f)
{
    memset(f, 0, sizeof *f);
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);
    struct pl_fit_handler h = { f, NULL, on_msg, NULL, on_warning };
    struct pl_diag d;
    if (pl_fit_decode(b, n, &h, PL_FIT_STRICT, &d) != PL_OK)
        fail_msg("decode: %s", d.msg);
    assert_int_equal(f->warnings, 0);
    assert_true(f->nrecs > 0);
}

static void release(struct file *f)
{
    free(f->recs);
}

static double haversine_km(double lat1_sc, double lon1_sc, double lat2_sc, double lon2_sc)
{
    double k = M_PI / 2147483648.0;
    double a = sin((lat2_sc - lat1_sc) * k / 2), b = sin((lon2_sc - lon1_sc) * k / 2);
    double h = a * a + cos(lat1_sc * k) * cos(lat2_sc * k) * b * b;
    return 2 * 6371.0088 * asin(sqrt(h));
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static void the_same_seed_gives_the_same_bytes(void **state)
{
    (void)state;
    struct pl_sim *a = plan(42, PL_SIM_START_DAY_DEFAULT, 2);
    struct pl_sim *b = plan(42, PL_SIM_START_DAY_DEFAULT, 2);
    struct pl_sim *c = plan(43, PL_SIM_START_DAY_DEFAULT, 2);
    assert_int_equal(pl_sim_count(a), pl_sim_count(b));
    for (size_t i = 0; i < 3; i++) {
        struct pl_fit_writer *wa = render(a, i), *wb = render(b, i), *wc = render(c, i);
        size_t na, nb, nc;
        const uint8_t *pa = pl_fit_writer_bytes(wa, &na), *pb = pl_fit_writer_bytes(wb, &nb);
        const uint8_t *pc = pl_fit_writer_bytes(wc, &nc);
        assert_int_equal(na, nb);
        assert_memory_equal(pa, pb, na);
        assert_false(na == nc && memcmp(pa, pc, na) == 0);
        assert_string_equal(pl_sim_activity(a, i)->file, pl_sim_activity(b, i)->file);
        pl_fit_writer_free(wa);
        pl_fit_writer_free(wb);
        pl_fit_writer_free(wc);
    }
    pl_sim_free(a);
    pl_sim_free(b);
    pl_sim_free(c);
}

static void the_order_of_rendering_does_not_matter(void **state)
{
    (void)state;
    struct pl_sim *a = plan(7, PL_SIM_START_DAY_DEFAULT, 1);
    struct pl_sim *b = plan(7, PL_SIM_START_DAY_DEFAULT, 1);
    size_t last = pl_sim_count(a) - 1;
    for (size_t i = 0; i < last; i++)
        pl_fit_writer_free(render(b, i));
    struct pl_fit_writer *wa = render(a, last), *wb = render(b, last);
    size_t na, nb;
    const uint8_t *pa = pl_fit_writer_bytes(wa, &na), *pb = pl_fit_writer_bytes(wb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    pl_fit_writer_free(wa);
    pl_fit_writer_free(wb);
    pl_sim_free(a);
    pl_sim_free(b);
}

/* Monday rest; intervals Tuesday and tempo Thursday evenings; long runs
 * and the race on Sunday; every file named by its local start and kind. */
static void the_weeks_follow_the_planted_pattern(void **state)
{
    (void)state;
    struct pl_sim *s = plan(1, PL_SIM_START_DAY_DEFAULT, 12);
    int count[PL_SIM_KIND_COUNT_] = { 0 }, evenings = 0, mornings = 0;
    for (size_t i = 0; i < pl_sim_count(s); i++) {
        const struct pl_sim_activity *a = pl_sim_activity(s, i);
        int64_t local = a->start_s + a->utc_offset_s;
        int wd = weekday_of(local), hour = (int)(local % DAY_S / 3600);
        count[a->kind]++;
        assert_int_not_equal(wd, 0);
        assert_int_equal(a->evening, hour >= 17);
        evenings += a->evening;
        mornings += hour < 12;
        if (a->kind == PL_SIM_INTERVALS)
            assert_true(wd == 1 && a->evening);
        if (a->kind == PL_SIM_TEMPO)
            assert_true(wd == 3 && a->evening);
        if (a->kind == PL_SIM_LONG || a->kind == PL_SIM_RACE)
            assert_int_equal(wd, 6);
        if (i > 0)
            assert_true(a->start_s > pl_sim_activity(s, i - 1)->start_s);
        char want[40];
        snprintf(want, sizeof want, "-%02d%02d-%s.fit", hour, (int)(local % 3600 / 60),
                 pl_sim_kind_name(a->kind));
        assert_non_null(strstr(a->file, want));
    }
    assert_int_equal(count[PL_SIM_RACE], 1);
    assert_true(count[PL_SIM_INTERVALS] >= 7);
    assert_true(count[PL_SIM_TEMPO] >= 9);
    assert_true(count[PL_SIM_LONG] >= 9);
    assert_true(count[PL_SIM_EASY] >= 24);
    assert_true(evenings >= 20 && mornings >= 30);
    assert_true(pl_sim_count(s) >= 50 && pl_sim_count(s) <= 12 * 6);
    pl_sim_free(s);
}

/* The race: a Sunday in Madrid, ~500 km from home, one hour ahead of
 * Lisbon; the GPS says so, and the activity's local timestamp gives the
 * offset as a device's would. */
static void the_race_is_far_from_home_in_another_utc_offset(void **state)
{
    (void)state;
    struct pl_sim *s = plan(1, PL_SIM_START_DAY_DEFAULT, 3);
    assert_int_equal(pl_sim_race_count(s), 1);
    const struct pl_sim_race *race = pl_sim_race(s, 0);
    const struct pl_sim_activity *ra = pl_sim_activity(s, race->activity);
    size_t home_i = find_kind(s, PL_SIM_EASY);
    const struct pl_sim_activity *ha = pl_sim_activity(s, home_i);
    assert_int_equal(ra->kind, PL_SIM_RACE);
    assert_true(ra->away && !ha->away);
    assert_string_not_equal(ra->place, pl_sim_home(s));
    assert_int_not_equal(ra->utc_offset_s, ha->utc_offset_s);
    assert_true(race->dist_m > 21000 && race->dist_m < 21100);

    /* One trip out two days before; the way back is past the history. */
    assert_true(pl_sim_trip_count(s) >= 1);
    const struct pl_sim_trip *t = pl_sim_trip(s, 0);
    assert_int_equal(t->day, race->day - 2);
    assert_string_equal(t->from, pl_sim_home(s));
    assert_string_equal(t->to, ra->place);
    assert_true(t->dist_km > 300 && t->dist_km < 1000);
    assert_int_not_equal(t->from_offset_s, t->to_offset_s);

    struct pl_fit_writer *wr = render(s, race->activity), *wh = render(s, home_i);
    struct file fr, fh;
    read_back(wr, &fr);
    read_back(wh, &fh);
    double km = haversine_km(fr.recs[0].lat, fr.recs[0].lon, fh.recs[0].lat, fh.recs[0].lon);
    assert_true(km > 300);
    assert_true(fabs(km - t->dist_km) < 20);
    assert_true(fr.a_local_ts - fr.a_ts == ra->utc_offset_s);
    assert_true(fh.a_local_ts - fh.a_ts == ha->utc_offset_s);
    assert_true(fabs(fr.s_dist - race->dist_m) < 0.01);
    release(&fr);
    release(&fh);
    pl_fit_writer_free(wr);
    pl_fit_writer_free(wh);
    pl_sim_free(s);
}

/* Session and laps agree with the records they sum, as a reader would
 * compute them. */
static void totals_agree_with_the_records(void **state)
{
    (void)state;
    struct pl_sim *s = plan(3, PL_SIM_START_DAY_DEFAULT, 1);
    for (size_t i = 0; i < pl_sim_count(s); i++) {
        struct pl_fit_writer *w = render(s, i);
        struct file f;
        read_back(w, &f);
        const struct pl_sim_activity *a = pl_sim_activity(s, i);
        const struct rec *first = &f.recs[0], *last = &f.recs[f.nrecs - 1];
        double hr_sum = 0, hr_max = 0, lap_timer = 0, lap_dist = 0, lap_ascent = 0, climb = 0;
        for (size_t k = 0; k < f.nrecs; k++) {
            hr_sum += f.recs[k].hr;
            hr_max = fmax(hr_max, f.recs[k].hr);
            if (k && f.recs[k].alt > f.recs[k - 1].alt)
                climb += f.recs[k].alt - f.recs[k - 1].alt;
        }
        for (size_t k = 0; k < f.nlaps; k++) {
            lap_timer += f.laps[k].timer;
            lap_dist += f.laps[k].dist;
            lap_ascent += f.laps[k].ascent;
        }
        assert_true(f.s_sport == 1);                          /* running */
        assert_true(fabs(f.s_dist - last->dist) < 0.005);
        assert_true(fabs(lap_dist - f.s_dist) < 0.005 * f.nlaps);
        assert_true(fabs(f.s_elapsed - (last->t - first->t)) < 0.001);
        assert_true(fabs(lap_timer - f.s_timer) < 0.001 * f.nlaps);
        assert_true(f.s_timer <= f.s_elapsed);
        assert_true(f.s_laps == f.nlaps);
        assert_true(f.s_hr_avg == round(hr_sum / f.nrecs));
        assert_true(f.s_hr_max == hr_max);
        assert_true(f.s_ascent == lap_ascent);
        assert_true(fabs(f.s_ascent - climb) <= 0.5 * f.nlaps + 0.5);
        assert_true(a->rendered && fabs(a->dist_m - f.s_dist) < 0.005);
        /* 1 Hz while the timer runs: one record per timer second, plus the
         * first. */
        assert_true(fabs((double)(f.nrecs - 1) - f.s_timer) < 0.5);
        release(&f);
        pl_fit_writer_free(w);
    }
    pl_sim_free(s);
}

/* Heart rate stays between a floor and the runner's maximum, rises with
 * effort and lags behind pace changes. */
static void heart_rate_is_physiological_and_lags_pace(void **state)
{
    (void)state;
    struct pl_sim *s = plan(5, PL_SIM_START_DAY_DEFAULT, 2);
    double avg_by_kind[PL_SIM_KIND_COUNT_] = { 0 };
    for (size_t i = 0; i < pl_sim_count(s); i++) {
        struct pl_fit_writer *w = render(s, i);
        struct file f;
        read_back(w, &f);
        for (size_t k = 0; k < f.nrecs; k++) {
            assert_true(f.recs[k].hr >= 40 && f.recs[k].hr <= 188);
            /* Second-to-second changes are small: no more than a few
             * bpm/s beyond the sensor's noise (across a pause it may
             * fall further). */
            if (k && f.recs[k].t == f.recs[k - 1].t + 1)
                assert_true(fabs(f.recs[k].hr - f.recs[k - 1].hr) <= 8);
        }
        int kind = pl_sim_activity(s, i)->kind;
        avg_by_kind[kind] = fmax(avg_by_kind[kind], f.s_hr_avg);
        if (kind == PL_SIM_INTERVALS) {
            /* In each hard repetition, the first seconds show the HR of the
             * jog before; the end is well above it. */
            for (size_t l = 0; l < f.nlaps; l++) {
                if (f.laps[l].intensity != PL_FIT_INTENSITY_ACTIVE)
                    continue;
                double hr_start = NAN, hr_end = NAN;
                for (size_t k = 0; k < f.nrecs; k++) {
                    if (f.recs[k].t == f.laps[l].start + 5)
                        hr_start = f.recs[k].hr;
                    if (f.recs[k].t == f.laps[l].end)
                        hr_end = f.recs[k].hr;
                }
                assert_true(hr_end - hr_start >= 10);
            }
        }
        release(&f);
        pl_fit_writer_free(w);
    }
    assert_true(avg_by_kind[PL_SIM_EASY] < avg_by_kind[PL_SIM_TEMPO]);
    assert_true(avg_by_kind[PL_SIM_EASY] < avg_by_kind[PL_SIM_RACE]);
    assert_true(avg_by_kind[PL_SIM_RACE] >= 160);
    pl_sim_free(s);
}

/* Lisbon and Madrid change to summer time at 01:00 UTC on 2026-03-29. */
static void summer_time_moves_the_offsets(void **state)
{
    (void)state;
    const int32_t mar2 = 20514;          /* 2026-03-02, a Monday */
    const int64_t change_s = INT64_C(1774746000);   /* 2026-03-29T01:00Z */
    struct pl_sim *s = plan(1, mar2, 8);
    for (size_t i = 0; i < pl_sim_count(s); i++) {
        const struct pl_sim_activity *a = pl_sim_activity(s, i);
        int want = (a->away ? 3600 : 0) + (a->start_s >= change_s ? 3600 : 0);
        assert_int_equal(a->utc_offset_s, want);
    }
    pl_sim_free(s);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void truth_json_says_what_was_planted(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/test-simulate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    struct pl_sim *s = plan(1, PL_SIM_START_DAY_DEFAULT, 2);
    struct pl_diag d;
    if (pl_sim_write_dir(s, dir, &d) != PL_OK)
        fail_msg("write_dir: %s", d.msg);
    char path[4200];
    snprintf(path, sizeof path, "%s/truth.json", dir);
    char *json = slurp(path);
    remove(path);
    int evenings = 0;
    for (size_t i = 0; i < pl_sim_count(s); i++) {
        const struct pl_sim_activity *a = pl_sim_activity(s, i);
        char entry[200];
        snprintf(entry, sizeof entry, "{\"file\": \"%s\", \"kind\": \"%s\", \"local_start\": \"",
                 a->file, pl_sim_kind_name(a->kind));
        assert_non_null(strstr(json, entry));
        snprintf(entry, sizeof entry, "\"utc_offset_s\": %d, \"evening\": %s", (int)a->utc_offset_s,
                 a->evening ? "true" : "false");
        assert_non_null(strstr(strstr(json, a->file), entry));
        evenings += a->evening;
        snprintf(path, sizeof path, "%s/%s", dir, a->file);
        assert_int_equal(access(path, R_OK), 0);
        remove(path);
    }
    assert_int_equal(count_of(json, "\"evening\": true"), evenings);
    assert_int_equal(count_of(json, "\"kind\": \"race\""), 1);
    assert_non_null(strstr(json, "\"trips\": [\n    {\"day\": \"2026-01-16\", \"from\": \"Lisbon\", "
                                 "\"to\": \"Madrid\", \"distance_km\": 502."));
    assert_non_null(strstr(json, "\"races\": [\n    {\"date\": \"2026-01-18\", "
                                 "\"name\": \"Madrid Half Marathon\""));
    assert_non_null(strstr(json, "\"seed\": 1,"));
    assert_non_null(strstr(json, "\"start\": \"2026-01-05\""));
    assert_int_equal(rmdir(dir), 0);
    pl_sim_free(s);
}

static void a_single_long_run_for_benchmarks(void **state)
{
    (void)state;
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.single_s = 2 * 3600;
    struct pl_sim *s;
    assert_int_equal(pl_sim_plan(&o, &s, NULL), PL_OK);
    assert_int_equal(pl_sim_count(s), 1);
    struct pl_fit_writer *w = render(s, 0);
    struct file f;
    read_back(w, &f);
    assert_true(f.s_timer == 7200);
    assert_int_equal(f.nrecs, 7201);
    assert_true(f.s_elapsed >= f.s_timer);
    release(&f);
    pl_fit_writer_free(w);
    pl_sim_free(s);
}

static void options_out_of_range_are_refused(void **state)
{
    (void)state;
    struct pl_sim_options o;
    struct pl_sim *s;
    struct pl_diag d;
    pl_sim_options_init(&o);
    o.weeks = 0;
    assert_int_equal(pl_sim_plan(&o, &s, &d), PL_EINVAL);
    assert_null(s);
    assert_non_null(strstr(d.msg, "weeks"));
    o.weeks = PL_SIM_WEEKS_MAX + 1;
    assert_int_equal(pl_sim_plan(&o, &s, NULL), PL_EINVAL);
    pl_sim_options_init(&o);
    o.single_s = 30;
    assert_int_equal(pl_sim_plan(&o, &s, NULL), PL_EINVAL);
    o.single_s = PL_SIM_SINGLE_S_MAX + 1;
    assert_int_equal(pl_sim_plan(&o, &s, NULL), PL_EINVAL);
    pl_sim_options_init(&o);
    o.start_day = 0;      /* 1970, before the FIT epoch */
    assert_int_equal(pl_sim_plan(&o, &s, NULL), PL_EINVAL);
    assert_string_equal(pl_sim_kind_name(PL_SIM_TEMPO), "tempo");
    assert_null(pl_sim_kind_name(PL_SIM_KIND_COUNT_));
}

static void allocation_failures_are_reported_without_leaks(void **state)
{
    (void)state;
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.single_s = 600;
    bool succeeded = false;
    long fail_at = 1;
    for (; !succeeded && fail_at < 200; fail_at++) {
        th_alloc_fail_at(fail_at);
        struct pl_sim *s = NULL;
        struct pl_fit_writer *w = NULL;
        int rc = pl_sim_plan(&o, &s, NULL);
        if (rc == PL_OK) {
            w = pl_fit_writer_new(1 << 20);
            rc = w ? pl_sim_render(s, 0, w, NULL) : PL_ENOMEM;
        }
        if (rc == PL_OK)
            rc = pl_fit_writer_finish(w, NULL);
        th_alloc_restore();
        assert_true(rc == PL_OK || rc == PL_ENOMEM);
        succeeded = rc == PL_OK;
        pl_fit_writer_free(w);
        pl_sim_free(s);
    }
    assert_true(succeeded);
    assert_true(fail_at > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_same_seed_gives_the_same_bytes),
        cmocka_unit_test(the_order_of_rendering_does_not_matter),
        cmocka_unit_test(the_weeks_follow_the_planted_pattern),
        cmocka_unit_test(the_race_is_far_from_home_in_another_utc_offset),
        cmocka_unit_test(totals_agree_with_the_records),
        cmocka_unit_test(heart_rate_is_physiological_and_lags_pace),
        cmocka_unit_test(summer_time_moves_the_offsets),
        cmocka_unit_test(truth_json_says_what_was_planted),
        cmocka_unit_test(a_single_long_run_for_benchmarks),
        cmocka_unit_test(options_out_of_range_are_refused),
        cmocka_unit_test(allocation_failures_are_reported_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
