/*
 * test-detect.c - detection: the simulator's planted race, trips and
 * evening runs are all found and nothing else is flagged as travel (12
 * weeks simulated, imported through the library into a temp store); then
 * each rule on its own with made-up activities (hard by IF and minutes
 * above threshold, a race by distance and intensity, a trip by UTC offset
 * but not by a daylight-saving hour, recovery after a race and after two
 * hard days), declared events, and the evening habit.
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
#include <sqlite3.h>

#include "model/load.h"
#include "store/store.h"

#define DAY_S 86400

static char dir[256];
static int seq;

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test-detect.XXXXXX",
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

/* ------------------------------------------------------------------ */
/* The simulator's truth                                                */

static void the_simulators_race_trips_and_evening_runs_are_found(void **state)
{
    (void)state;
    char sim[320];
    snprintf(sim, sizeof sim, "%s/sim", dir);
    assert_int_equal(mkdir(sim, 0700), 0);
    struct pl_sim_options o;
    pl_sim_options_init(&o);
    o.weeks = 12;
    struct pl_sim *sm;
    struct pl_diag d;
    assert_int_equal(pl_sim_plan(&o, &sm, &d), PL_OK);
    /* The files and truth.json, as `pliant simulate --weeks 12` writes
     * them; the truth is read back through the same plan. */
    assert_int_equal(pl_sim_write_dir(sm, sim, &d), PL_OK);
    struct pl_store *s = new_store();
    const char *paths[] = { sim };
    struct pl_import_summary sum;
    assert_int_equal(pl_import_paths(s, paths, 1, NULL, 0, &sum, &d), PL_OK);
    assert_int_equal(sum.activities, pl_sim_count(sm));

    struct pl_load l;
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
    assert_int_equal(l.nmetrics, pl_sim_count(sm));

    /* Every activity: evening exactly when planted so, a race exactly
     * for the planted race. */
    size_t races = 0;
    for (size_t i = 0; i < pl_sim_count(sm); i++) {
        const struct pl_sim_activity *a = pl_sim_activity(sm, i);
        const struct pl_metrics *m = NULL;
        for (size_t k = 0; k < l.nmetrics; k++)
            if (llabs(l.metrics[k].start_s - a->start_s) <= 2)
                m = &l.metrics[k];
        assert_non_null(m);
        if (a->evening != !!(m->flags & PL_ACT_EVENING))
            fail_msg("%s: evening %d, flagged %d (%s)", a->file, a->evening,
                     !!(m->flags & PL_ACT_EVENING), m->reasons);
        bool race = a->kind == PL_SIM_RACE;
        if (race != !!(m->flags & PL_ACT_RACE))
            fail_msg("%s: race %d, flagged %d (%s)", a->file, race, !!(m->flags & PL_ACT_RACE),
                     m->reasons);
        races += race;
        /* The race and the long runs of 90 minutes or more are hard
         * sessions. */
        if (race || (a->kind == PL_SIM_LONG && m->moving_s >= 90 * 60))
            assert_true(m->flags & PL_ACT_HARD);
    }
    assert_int_equal(races, pl_sim_race_count(sm));
    for (size_t r = 0; r < pl_sim_race_count(sm); r++) {
        const struct pl_day *day = pl_days_at(&l, pl_sim_race(sm, r)->day);
        assert_non_null(day);
        assert_true(day->flags & PL_DAY_RACE);
        assert_true(day->flags & PL_DAY_HARD);
        const struct pl_day *after = pl_days_at(&l, pl_sim_race(sm, r)->day + 1);
        assert_true(after->flags & PL_DAY_RECOVERY_NEEDED);
        assert_non_null(strstr(after->reasons, "the day after a race"));
    }

    /* Trips: each planted one on its day, with its distance; no other
     * day is a travel day. */
    assert_int_equal(l.ntrips, pl_sim_trip_count(sm));
    for (size_t t = 0; t < pl_sim_trip_count(sm); t++) {
        const struct pl_sim_trip *want = pl_sim_trip(sm, t);
        bool found = false;
        for (size_t k = 0; k < l.ntrips; k++)
            if (l.trips[k].day == want->day) {
                found = true;
                assert_false(l.trips[k].declared);
                assert_true(fabs(l.trips[k].dist_km - want->dist_km) < 5);
                assert_int_equal(l.trips[k].to_offset_s, want->to_offset_s);
            }
        if (!found) {
            char b[16];
            pl_day_format(want->day, b, sizeof b);
            fail_msg("trip on %s not found", b);
        }
    }
    size_t travel_days = 0;
    for (size_t i = 0; i < l.ndays; i++)
        if (l.days[i].flags & PL_DAY_TRAVEL) {
            travel_days++;
            assert_non_null(strstr(l.days[i].reasons, "travel: trip inferred"));
        }
    assert_int_equal(travel_days, pl_sim_trip_count(sm));

    /* The weekly pattern: Tuesday intervals and Thursday tempo in the
     * evening, the rest in the morning. */
    assert_int_equal(l.evening_weekdays, 1u << 1 | 1u << 3);
    pl_load_release(&l);
    pl_sim_free(sm);
    pl_store_close(s);
}

/* ------------------------------------------------------------------ */
/* The rules, one at a time                                             */

/* 2026-03-02, a Monday. */
#define MONDAY 20514

struct fixture {
    size_t n;
    struct pl__act acts[32];
    struct pl_event ev[8];
    size_t nev;
};

/* A run on day d at hh:mm local (offset in hours), of `min` minutes and
 * `load`. */
static struct pl__act *run(struct fixture *f, int32_t d, int hh, int mm, int off_h, double min,
                           double load)
{
    struct pl__act *x = &f->acts[f->n++];
    memset(x, 0, sizeof *x);
    x->m.activity_id = (int64_t)f->n;
    x->m.sport = 1;
    x->m.utc_offset_s = off_h * 3600;
    x->utc_offset_known = true;
    x->m.start_s = (int64_t)d * DAY_S + hh * 3600 + mm * 60 - x->m.utc_offset_s;
    x->m.duration_s = x->m.moving_s = min * 60;
    x->m.load = load;
    x->m.intensity_factor = 0.75;
    x->m.hrss = load;
    x->m.above_threshold_s = 0;
    x->m.training_effect = x->m.anaerobic_training_effect = NAN;
    x->dist_m = min * 60 * 3;
    x->f.start_lat_deg = x->f.start_lon_deg = NAN;
    return x;
}

/* The model's series and detection over the fixture, as pl_load_compute
 * puts them together. */
static void compute(struct fixture *f, struct pl_load *l, int32_t last)
{
    struct pl_load_options o;
    pl_load_options_init(&o);
    memset(l, 0, sizeof *l);
    for (int k = 0; k < PL_PROF_COUNT_; k++)
        l->profile.v[k].value = NAN;
    l->profile.v[PL_PROF_EVENING_HOUR].value = 17;
    int32_t first = MONDAY;
    l->ndays = (size_t)(last - first + 1);
    l->first_day = first;
    l->days = calloc(l->ndays, sizeof *l->days);
    double *loads = calloc(l->ndays, sizeof *loads);
    l->metrics = calloc(f->n ? f->n : 1, sizeof *l->metrics);
    l->nmetrics = f->n;
    for (size_t i = 0; i < f->n; i++) {
        l->metrics[i] = f->acts[i].m;
        loads[pl_local_day(f->acts[i].m.start_s, f->acts[i].m.utc_offset_s) - first] +=
            f->acts[i].m.load;
    }
    pl_days_series(loads, l->ndays, first, &o, l->days);
    free(loads);
    struct pl_diag d;
    assert_int_equal(pl__detect(l, f->acts, f->ev, f->nev, &o, &d), PL_OK);
}

static void release(struct pl_load *l)
{
    free(l->days);
    free(l->metrics);
    pl__free(l->trips);
    memset(l, 0, sizeof *l);
}

static const struct pl_day *day(const struct pl_load *l, int32_t d)
{
    const struct pl_day *x = pl_days_at(l, d);
    assert_non_null(x);
    return x;
}

static void hard_by_intensity_says_why(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    struct pl__act *x = run(&f, MONDAY, 7, 0, 0, 50, 80);
    x->m.intensity_factor = 0.91;
    x->m.above_threshold_s = 34 * 60;
    struct pl__act *y = run(&f, MONDAY + 1, 7, 0, 0, 50, 80);
    y->m.intensity_factor = 0.91;
    y->m.above_threshold_s = 19 * 60;              /* not enough minutes */
    struct pl__act *z = run(&f, MONDAY + 2, 7, 0, 0, 30, 40);
    z->m.training_effect = 4.2;
    struct pl_load l;
    compute(&f, &l, MONDAY + 3);
    assert_true(l.metrics[0].flags & PL_ACT_HARD);
    assert_non_null(strstr(l.metrics[0].reasons, "hard: IF 0.91, 34 min above threshold"));
    assert_non_null(strstr(day(&l, MONDAY)->reasons, "hard: IF 0.91, 34 min above threshold"));
    assert_false(l.metrics[1].flags & PL_ACT_HARD);
    assert_true(l.metrics[2].flags & PL_ACT_HARD);
    assert_non_null(strstr(l.metrics[2].reasons, "training effect 4.2"));
    assert_true(day(&l, MONDAY + 3)->flags & PL_DAY_REST);
    release(&l);
}

static void a_standard_distance_at_race_intensity_is_a_race(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    struct pl__act *x = run(&f, MONDAY, 9, 0, 0, 40, 60);
    x->dist_m = 10150;                 /* +1.5 % of 10 km */
    x->m.intensity_factor = 0.95;
    struct pl__act *y = run(&f, MONDAY + 2, 9, 0, 0, 40, 60);
    y->dist_m = 10150;
    y->m.intensity_factor = 0.85;      /* a training run of 10 km */
    struct pl__act *z = run(&f, MONDAY + 4, 9, 0, 0, 20, 60);
    z->dist_m = 5150;                  /* +3 % of 5 km */
    z->m.intensity_factor = 1.0;
    struct pl__act *w = run(&f, MONDAY + 6, 9, 0, 0, 20, 30);
    snprintf(w->name, sizeof w->name, "Parkrun #312");
    struct pl__act *v = run(&f, MONDAY + 8, 9, 0, 0, 20, 30);
    snprintf(v->name, sizeof v->name, "Race pace intervals");
    struct pl_load l;
    compute(&f, &l, MONDAY + 9);
    assert_true(l.metrics[0].flags & PL_ACT_RACE);
    assert_non_null(strstr(l.metrics[0].reasons, "within 2 % of a 10 km, at IF 0.95"));
    assert_true(l.metrics[0].flags & PL_ACT_HARD);
    assert_false(l.metrics[1].flags & PL_ACT_RACE);
    assert_false(l.metrics[2].flags & PL_ACT_RACE);
    assert_true(l.metrics[3].flags & PL_ACT_RACE);
    assert_non_null(strstr(l.metrics[3].reasons, "'parkrun'"));
    assert_false(l.metrics[4].flags & PL_ACT_RACE);
    /* The day after a race calls for recovery. */
    assert_true(day(&l, MONDAY + 1)->flags & PL_DAY_RECOVERY_NEEDED);
    assert_non_null(strstr(day(&l, MONDAY + 1)->reasons, "the day after a race"));
    release(&l);
}

static void a_two_hour_offset_change_is_travel_but_daylight_saving_is_not(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    run(&f, MONDAY, 7, 0, 1, 40, 40);
    run(&f, MONDAY + 1, 7, 0, 2, 40, 40);      /* +1 h: summer time */
    run(&f, MONDAY + 2, 7, 0, 2, 40, 40);
    run(&f, MONDAY + 5, 7, 0, -4, 40, 40);     /* -6 h: across the ocean */
    struct pl_load l;
    compute(&f, &l, MONDAY + 6);
    assert_int_equal(l.ntrips, 1);
    /* Days 3 and 4 have no run: the first of them is the likely day. */
    assert_int_equal(l.trips[0].day, MONDAY + 3);
    assert_int_equal(l.trips[0].from_offset_s, 7200);
    assert_int_equal(l.trips[0].to_offset_s, -4 * 3600);
    assert_true(isnan(l.trips[0].dist_km));
    assert_non_null(strstr(l.trips[0].reason, "UTC +02:00 to -04:00"));
    for (int32_t d = MONDAY; d <= MONDAY + 6; d++)
        assert_int_equal(!!(day(&l, d)->flags & PL_DAY_TRAVEL), d == MONDAY + 3);
    release(&l);
}

static void far_starts_are_travel_and_a_declared_trip_takes_their_place(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    struct pl__act *a = run(&f, MONDAY, 7, 0, 0, 40, 40);
    a->have_feat = true;
    a->f.start_lat_deg = 38.7223;              /* Lisbon */
    a->f.start_lon_deg = -9.1393;
    struct pl__act *b = run(&f, MONDAY + 1, 7, 0, 0, 40, 40);
    b->have_feat = true;
    b->f.start_lat_deg = 41.1579;              /* Porto, 274 km */
    b->f.start_lon_deg = -8.6291;
    struct pl__act *c = run(&f, MONDAY + 2, 7, 0, 0, 40, 40);
    c->have_feat = true;
    c->f.start_lat_deg = 41.1479;              /* Porto, 1 km away */
    c->f.start_lon_deg = -8.6291;
    struct pl_load l;
    compute(&f, &l, MONDAY + 3);
    assert_int_equal(l.ntrips, 1);
    assert_int_equal(l.trips[0].day, MONDAY + 1);   /* no day between */
    assert_true(fabs(l.trips[0].dist_km - 274) < 3);
    release(&l);

    pl_event_init(&f.ev[0]);
    f.ev[0].kind = PL_EVENT_TRAVEL;
    f.ev[0].day = MONDAY;
    snprintf(f.ev[0].to, sizeof f.ev[0].to, "Porto");
    f.ev[0].hours = 3;
    f.nev = 1;
    compute(&f, &l, MONDAY + 3);
    assert_int_equal(l.ntrips, 1);
    assert_true(l.trips[0].declared);
    assert_int_equal(l.trips[0].day, MONDAY);
    assert_true(fabs(l.trips[0].dist_km - 274) < 3);
    assert_non_null(strstr(day(&l, MONDAY)->reasons, "travel: declared trip to Porto (3.0 h)"));
    assert_false(day(&l, MONDAY + 1)->flags & PL_DAY_TRAVEL);
    release(&l);
}

static void recovery_after_two_hard_days_and_deep_fatigue(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    for (int i = 0; i < 3; i++) {
        struct pl__act *x = run(&f, MONDAY + i, 7, 0, 0, 100, 250);
        x->m.hrss = 250;
    }
    struct pl_load l;
    compute(&f, &l, MONDAY + 4);
    const struct pl_day *d2 = day(&l, MONDAY + 1);
    assert_true(d2->flags & PL_DAY_HARD);
    assert_true(d2->flags & PL_DAY_RECOVERY_NEEDED);
    assert_non_null(strstr(d2->reasons, "second hard day in a row"));
    assert_false(day(&l, MONDAY)->flags & PL_DAY_RECOVERY_NEEDED);
    /* 750 in three days takes form below -30. */
    const struct pl_day *d4 = day(&l, MONDAY + 3);
    assert_true(d4->tsb < -30);
    assert_true(d4->flags & PL_DAY_RECOVERY_NEEDED);
    assert_non_null(strstr(d4->reasons, "form"));
    release(&l);
}

static void a_declared_race_marks_the_days_run(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    run(&f, MONDAY, 7, 0, 0, 20, 20);
    run(&f, MONDAY, 10, 0, 0, 45, 70);
    pl_event_init(&f.ev[0]);
    f.ev[0].kind = PL_EVENT_RACE;
    f.ev[0].day = MONDAY;
    f.ev[0].minute = 10 * 60;
    snprintf(f.ev[0].name, sizeof f.ev[0].name, "Corrida");
    f.nev = 1;
    struct pl_load l;
    compute(&f, &l, MONDAY + 1);
    assert_false(l.metrics[0].flags & PL_ACT_RACE);       /* the warm-up */
    assert_true(l.metrics[1].flags & PL_ACT_RACE);
    assert_non_null(strstr(l.metrics[1].reasons, "race: declared 'Corrida'"));
    assert_non_null(strstr(day(&l, MONDAY)->reasons, "race: declared 'Corrida' (10:00)"));
    release(&l);
}

static void the_evening_habit_counts_weekdays(void **state)
{
    (void)state;
    struct fixture f = { 0 };
    for (int w = 0; w < 4; w++) {
        run(&f, MONDAY + 7 * w + 1, 18, 30, 0, 40, 40);   /* Tuesday evening */
        run(&f, MONDAY + 7 * w + 3, 6, 30, 0, 40, 40);    /* Thursday morning */
        run(&f, MONDAY + 7 * w + 4, w % 2 ? 19 : 7, 0, 0, 40, 40);  /* Friday: half */
    }
    struct pl_load l;
    compute(&f, &l, MONDAY + 27);
    assert_int_equal(l.evening_weekdays, 1u << 1);
    assert_int_equal(l.habit_runs[1], 4);
    assert_int_equal(l.habit_evening_runs[1], 4);
    assert_int_equal(l.habit_evening_runs[4], 2);
    assert_true(day(&l, MONDAY + 1)->flags & PL_DAY_EVENING_RUN);
    assert_non_null(strstr(day(&l, MONDAY + 1)->reasons, "evening run: started 18:30"));
    release(&l);
}

/* ------------------------------------------------------------------ */
/* Declared events in the store                                         */

static int count_event(void *ctx, const struct pl_event *e)
{
    struct pl_event *last = ctx;
    *last = *e;
    return 0;
}

static void events_are_added_listed_and_removed(void **state)
{
    (void)state;
    struct pl_store *s = new_store();
    struct pl_event e;
    pl_event_init(&e);
    struct pl_diag d;
    assert_true(pl_event_parse_when("2026-03-20T08:15", &e.day, &e.minute));
    assert_int_equal(e.minute, 8 * 60 + 15);
    e.kind = PL_EVENT_TRAVEL;
    e.hours = 6.5;
    snprintf(e.from, sizeof e.from, "Lisbon");
    snprintf(e.to, sizeof e.to, "Madrid");
    assert_int_equal(pl_event_add(s, &e, &d), PL_OK);
    assert_true(e.id > 0);
    struct pl_event got;
    pl_event_init(&got);
    assert_int_equal(pl_event_list(s, INT32_MIN, INT32_MAX, count_event, &got, &d), PL_OK);
    assert_int_equal(got.id, e.id);
    assert_int_equal(got.kind, PL_EVENT_TRAVEL);
    assert_int_equal(got.day, e.day);
    assert_int_equal(got.minute, e.minute);
    assert_true(got.hours == 6.5);
    assert_string_equal(got.to, "Madrid");

    /* Refusals. */
    struct pl_event bad = e;
    bad.kind = PL_EVENT_RACE;
    assert_int_equal(pl_event_add(s, &bad, &d), PL_EINVAL);
    assert_non_null(strstr(d.msg, "travel"));
    bad = e;
    bad.hours = 0;
    assert_int_equal(pl_event_add(s, &bad, &d), PL_EINVAL);
    bad = e;
    bad.kind = 9;
    assert_int_equal(pl_event_add(s, &bad, &d), PL_EINVAL);
    int32_t dd, mm;
    assert_false(pl_event_parse_when("2026-03-20T24:00", &dd, &mm));
    assert_false(pl_event_parse_when("2026-02-30", &dd, &mm));
    assert_true(pl_event_parse_when("2026-03-20 07:05", &dd, &mm));
    assert_true(pl_event_parse_when("2026-03-20", &dd, &mm));
    assert_int_equal(mm, -1);
    assert_int_equal(pl_event_kind_parse("Race"), PL_EVENT_RACE);
    assert_int_equal(pl_event_kind_parse("walk"), -1);
    assert_string_equal(pl_event_kind_name(PL_EVENT_RUN), "run");

    /* The declared trip is in the model. */
    struct pl_load l;
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
    assert_int_equal(l.ntrips, 1);
    assert_true(l.trips[0].declared);
    assert_int_equal(l.ndays, 1);
    assert_true(l.days[0].flags & PL_DAY_TRAVEL);
    assert_true(l.days[0].flags & PL_DAY_REST);
    pl_load_release(&l);

    assert_int_equal(pl_event_rm(s, e.id, &d), PL_OK);
    assert_int_equal(pl_event_rm(s, e.id, &d), PL_ENOTFOUND);
    pl_store_close(s);
}

static void options_out_of_range_are_named(void **state)
{
    (void)state;
    struct pl_store *s = new_store();
    struct pl_load_options o;
    pl_load_options_init(&o);
    o.ctl_days = 0;
    struct pl_load l;
    struct pl_diag d;
    assert_int_equal(pl_load_compute(s, &o, INT32_MIN, &l, &d), PL_EINVAL);
    assert_non_null(strstr(d.msg, "ctl_days"));
    /* An empty store has an empty series, or rest days up to a date. */
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
    assert_int_equal(l.ndays, 0);
    pl_load_release(&l);
    pl_store_close(s);
}

/* ------------------------------------------------------------------ */
/* Failures                                                             */

/* A store with `weeks` of the simulated runner, imported through the
 * library, metrics not yet computed. */
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
    return s;
}

static void a_read_only_store_is_scored_in_memory(void **state)
{
    (void)state;
    struct pl_store *s = sim_store(1);
    /* query_only makes SQLite refuse writes as a read-only file does
     * (root may write any file, so the file mode would not do). */
    assert_int_equal(sqlite3_exec(pl__store_db(s), "PRAGMA query_only = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    struct pl_load l;
    struct pl_diag d;
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
        assert_false(l.stats.stored);
        assert_int_equal(l.stats.computed, l.nmetrics);   /* nothing was kept */
        assert_true(l.nmetrics > 3);
        assert_true(l.metrics[0].load > 0);
        pl_load_release(&l);
    }
    const char *set[] = { "max_hr=190" };
    assert_int_equal(pl_profile_set(s, set, 1, &d), PL_EIO);
    assert_non_null(strstr(d.msg, "read-only"));
    assert_int_equal(sqlite3_exec(pl__store_db(s), "PRAGMA query_only = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
    assert_true(l.stats.stored);
    pl_load_release(&l);
    pl_store_close(s);
}

static void a_damaged_stream_costs_one_activity_not_the_model(void **state)
{
    (void)state;
    struct pl_store *s = sim_store(1);
    assert_int_equal(sqlite3_exec(pl__store_db(s),
                                  "UPDATE streams SET data = x'01020304' WHERE activity_id = 2 "
                                  "AND kind = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    struct pl_load l;
    struct pl_diag d;
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
    assert_int_equal(l.stats.damaged, 1);
    assert_int_equal(l.stats.computed, l.nmetrics - 1);
    /* Scored from its summary: Banister's average-HR form. */
    const struct pl_metrics *m = &l.metrics[1];
    assert_int_equal(m->activity_id, 2);
    assert_true(m->trimp_from_avg);
    assert_int_equal(m->load_source, PL_LOAD_HRSS);
    assert_true(m->load > 0);
    pl_load_release(&l);
    pl_store_close(s);
}

static int alloc_calls, alloc_fail_at;

static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ++alloc_calls == alloc_fail_at ? NULL : malloc(n);
}

static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ++alloc_calls == alloc_fail_at ? NULL : realloc(p, n);
}

static void plain_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* Fail each allocation of a whole computation in turn (features from the
 * streams, scoring, storing, series, detection): each failure is
 * PL_ENOMEM with nothing leaked (ASan checks at exit), and the next try
 * gives the same numbers as a clean run. */
static void every_allocation_failure_is_clean(void **state)
{
    (void)state;
    struct pl_store *s = sim_store(1);
    struct pl_event e;
    pl_event_init(&e);
    e.kind = PL_EVENT_TRAVEL;
    struct pl_diag d;
    assert_true(pl_day_parse("2026-01-07", &e.day));
    assert_int_equal(pl_event_add(s, &e, &d), PL_OK);
    /* A clean run on a copy of the state: count the allocations. */
    struct pl_allocator fa = { fail_malloc, fail_realloc, plain_free, NULL };
    alloc_calls = 0;
    alloc_fail_at = 0;
    struct pl_load ref;
    pl_set_allocator(&fa);
    assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &ref, &d), PL_OK);
    pl_set_allocator(NULL);
    int total = alloc_calls;
    assert_true(total > 10);
    /* Forget the stored metrics so that every pass computes them. */
    for (alloc_fail_at = 1; alloc_fail_at <= total; alloc_fail_at++) {
        assert_int_equal(sqlite3_exec(pl__store_db(s),
                                      "DELETE FROM activity_features; DELETE FROM activity_metrics",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        alloc_calls = 0;
        struct pl_load l;
        pl_set_allocator(&fa);
        int rc = pl_load_compute(s, NULL, INT32_MIN, &l, &d);
        pl_set_allocator(NULL);
        if (rc == PL_OK) {
            pl_load_release(&l);
            continue;
        }
        assert_int_equal(rc, PL_ENOMEM);
        assert_int_equal(l.ndays, 0);
        assert_null(l.days);
        assert_int_equal(pl_load_compute(s, NULL, INT32_MIN, &l, &d), PL_OK);
        assert_int_equal(l.nmetrics, ref.nmetrics);
        assert_int_equal(l.ndays, ref.ndays);
        for (size_t i = 0; i < l.ndays; i++) {
            assert_true(l.days[i].load == ref.days[i].load);
            assert_int_equal(l.days[i].flags, ref.days[i].flags);
        }
        pl_load_release(&l);
    }
    pl_load_release(&ref);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_simulators_race_trips_and_evening_runs_are_found),
        cmocka_unit_test(hard_by_intensity_says_why),
        cmocka_unit_test(a_standard_distance_at_race_intensity_is_a_race),
        cmocka_unit_test(a_two_hour_offset_change_is_travel_but_daylight_saving_is_not),
        cmocka_unit_test(far_starts_are_travel_and_a_declared_trip_takes_their_place),
        cmocka_unit_test(recovery_after_two_hard_days_and_deep_fatigue),
        cmocka_unit_test(a_declared_race_marks_the_days_run),
        cmocka_unit_test(the_evening_habit_counts_weekdays),
        cmocka_unit_test(events_are_added_listed_and_removed),
        cmocka_unit_test(options_out_of_range_are_named),
        cmocka_unit_test(a_read_only_store_is_scored_in_memory),
        cmocka_unit_test(a_damaged_stream_costs_one_activity_not_the_model),
        cmocka_unit_test(every_allocation_failure_is_clean),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
