/*
 * simulate.c - a made-up runner's training history as FIT activity files,
 * with the truth that was planted in it.
 *
 * It is for tests, demos and benchmarks: detectors (hard days, evening runs,
 * travel, races) need histories whose answers are known. It is not a
 * physiology research model: each part is a simple, cited rule chosen to
 * look like a watch's recording (docs/internals/simulate.md has the model
 * and its constants). It never prints; it writes files only where asked.
 *
 * Two stages: plan() lays the weeks out (days, kinds, local start times,
 * places, planned durations, accumulated fatigue) from one PRNG stream, and
 * gives each activity its own seed; render() then simulates one activity
 * second by second from that seed alone, so activities can be rendered in
 * any order, or one at a time, with the same bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 to seed, xoshiro256** to draw             */
/* ------------------------------------------------------------------ */

/* Both generators are public-domain designs by Vigna and Blackman
 * ("Scrambled linear pseudorandom number generators", ACM TOMS 2021); the
 * code is a plain transcription of their published recurrences. */
struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_unif(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static double rng_range(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unif(r);
}

/* Standard normal by Box-Muller (one of the pair; simple over fast). */
static double rng_gauss(struct rng *r)
{
    double u = 1.0 - rng_unif(r), v = rng_unif(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* A first-order autoregressive noise with stationary deviation sd and
 * correlation time tau_s, stepped once a second. */
struct ar1 {
    double x, phi, sd;
};

static struct ar1 ar1_make(double sd, double tau_s)
{
    return (struct ar1){ 0, exp(-1.0 / tau_s), sd };
}

static double ar1_step(struct ar1 *a, struct rng *r)
{
    a->x = a->phi * a->x + a->sd * sqrt(1.0 - a->phi * a->phi) * rng_gauss(r);
    return a->x;
}

/* ------------------------------------------------------------------ */
/* Calendar and UTC offsets                                             */
/* ------------------------------------------------------------------ */

enum { DAY_S = 86400, HOUR_S = 3600 };

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H.
 * Hinnant, "chrono-compatible low-level date algorithms",
 * days_from_civil / civil_from_days). */
static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

struct civil {
    int y;
    unsigned m, d;
};

static struct civil civil_from_days(int32_t z)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return (struct civil){ (int)yoe + era * 400 + (m <= 2), m, d };
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
    int w = (int)((day + 3) % 7);
    return w < 0 ? w + 7 : w;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q * b > a ? q - 1 : q;
}

/* Summer time in the EU runs from 01:00 UTC on the last Sunday of March to
 * 01:00 UTC on the last Sunday of October (Directive 2000/84/EC, art. 2-3).
 * Both places of the simulation follow it. */
static int32_t last_sunday(int y, unsigned m)
{
    int32_t last = days_from_civil(y, m, 31);
    return last - weekday(last + 1);
}

static bool eu_summer_time(int64_t utc_s)
{
    int32_t day = (int32_t)floor_div(utc_s, DAY_S);
    int y = civil_from_days(day).y;
    int64_t on = (int64_t)last_sunday(y, 3) * DAY_S + HOUR_S;
    int64_t off = (int64_t)last_sunday(y, 10) * DAY_S + HOUR_S;
    return utc_s >= on && utc_s < off;
}

/* ------------------------------------------------------------------ */
/* Places and the runner                                                */
/* ------------------------------------------------------------------ */

/* Home and the race city. Two cities about 500 km apart in different
 * standard offsets: Lisbon keeps UTC+0 in winter, Madrid UTC+1. */
struct place {
    const char *name;
    double lat_deg, lon_deg;
    double alt_m;            /* mean elevation of the running area */
    double hill_m;           /* sum of the terrain waves' amplitudes */
    int32_t std_offset_s;    /* UTC offset outside summer time */
};

enum { HOME, RACE_CITY, PLACE_COUNT };
static const struct place places[PLACE_COUNT] = {
    [HOME] = { "Lisbon", 38.7223, -9.1393, 60, 32, 0 },
    [RACE_CITY] = { "Madrid", 40.4168, -3.7038, 650, 14, HOUR_S },
};

static int32_t utc_offset_s(int place, int64_t utc_s)
{
    return places[place].std_offset_s + (eu_summer_time(utc_s) ? HOUR_S : 0);
}

/* Mean Earth radius (IUGG), for haversine distances and the local
 * east-north plane around a place. */
static const double earth_radius_m = 6371008.8;

static double haversine_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
    double rad = M_PI / 180.0;
    double dlat = (lat2_deg - lat1_deg) * rad, dlon = (lon2_deg - lon1_deg) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1_deg * rad) * cos(lat2_deg * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * earth_radius_m * asin(sqrt(a));
}

/* The runner: a club runner with a half marathon near 1:32. */
static const double hr_bpm_rest = 48;
static const double hr_bpm_max = 188;
static const double vo2_max = 49;           /* ml/kg/min (Daniels VDOT ~49) */
static const double vo2_rest = 3.5;         /* ml/kg/min, one MET */
static const double body_kg = 68;

/* Paces of each kind of run, on the flat, fresh. */
static const double speed_mps_easy = 2.95;      /* 5:39 /km */
static const double speed_mps_long = 2.85;      /* 5:51 /km */
static const double speed_mps_tempo = 3.65;     /* 4:34 /km */
static const double speed_mps_rep = 4.20;       /* 3:58 /km */
static const double speed_mps_jog = 2.40;       /* 6:57 /km */
static const double speed_mps_race = 3.80;      /* 4:23 /km */

/* ------------------------------------------------------------------ */
/* The plan                                                             */
/* ------------------------------------------------------------------ */

struct act {
    struct pl_sim_activity pub;
    int place;
    uint64_t seed;
    uint32_t reps;              /* intervals: repetitions */
    uint32_t tempo_s;           /* tempo: the block at tempo pace */
    double race_dist_m;         /* race: distance to cover */
    double form;                /* the day's speed factor, about 1 */
    double hr_bpm_offset;       /* the day's HR offset: fatigue + noise */
    bool single;                /* the one long benchmark run */
};

struct pl_sim {
    struct pl_sim_options opt;
    struct act *acts;
    size_t nacts;
    struct pl_sim_trip trips[2];
    size_t ntrips;
    struct pl_sim_race race;
    size_t nraces;
    uint64_t terrain_seed;
};

static const char *const kind_names[PL_SIM_KIND_COUNT_] = {
    [PL_SIM_EASY] = "easy", [PL_SIM_INTERVALS] = "intervals",
    [PL_SIM_TEMPO] = "tempo", [PL_SIM_LONG] = "long", [PL_SIM_RACE] = "race",
};

const char *pl_sim_kind_name(int kind)
{
    return kind >= 0 && kind < PL_SIM_KIND_COUNT_ ? kind_names[kind] : NULL;
}

void pl_sim_options_init(struct pl_sim_options *o)
{
    *o = (struct pl_sim_options){ .seed = 1, .start_day = PL_SIM_START_DAY_DEFAULT,
                                  .weeks = 12, .pattern = PL_SIM_CLUB };
}

/* The race: a half marathon on the Sunday of the second-to-last week (the
 * last week when there are fewer than four), so the history shows the
 * taper before it and the recovery after it. */
static const double race_dist_m = 21097.5;
static const char race_name[] = "Madrid Half Marathon";

/* What a day holds. */
struct slot {
    int kind;                   /* -1: rest */
    int place;
    int minute_local;           /* planned local start, minutes after 00:00 */
    int jitter_min;             /* +- uniform jitter of the start */
    uint32_t planned_s;
    uint32_t reps, tempo_s;
};

static const struct slot rest_slot = { .kind = -1 };

/* Planned durations grow through a block of three weeks and drop in the
 * fourth, the usual 3:1 loading pattern. */
static double volume_factor(uint32_t week)
{
    return week % 4 == 3 ? 0.75 : 1.0 + 0.04 * (double)(week % 4);
}

static uint32_t minutes_s(double min)
{
    return (uint32_t)lround(min * 60);
}

/* The ordinary week: Monday rest, Tuesday intervals (evening), Wednesday
 * easy (morning), Thursday tempo (evening), Friday easy every other week
 * (morning; every third week in the evening), Saturday easy, Sunday long. */
static struct slot normal_day(int wd, uint32_t week, struct rng *r)
{
    double vol = volume_factor(week);
    double build = week < 8 ? (double)week : 8;
    struct slot s = rest_slot;
    s.place = HOME;
    switch (wd) {
    case 1:
        if (week % 4 == 3) {
            s = (struct slot){ PL_SIM_EASY, HOME, 18 * 60 + 30, 25, 0, 0, 0 };
            s.planned_s = minutes_s(35 * vol);
        } else {
            s = (struct slot){ PL_SIM_INTERVALS, HOME, 18 * 60 + 15, 25, 0, 0, 0 };
            s.reps = 5 + (uint32_t)(build / 3);
        }
        break;
    case 2:
        s = (struct slot){ PL_SIM_EASY, HOME, 6 * 60 + 45, 20, 0, 0, 0 };
        s.planned_s = minutes_s((40 + build) * vol);
        break;
    case 3:
        s = (struct slot){ PL_SIM_TEMPO, HOME, 18 * 60 + 30, 30, 0, 0, 0 };
        s.tempo_s = minutes_s(week % 4 == 3 ? 15 : 20 + build * 1.5);
        break;
    case 4:
        if (week % 2 == 0) {
            bool evening = week % 3 == 2;
            s = (struct slot){ PL_SIM_EASY, HOME, evening ? 19 * 60 : 7 * 60, 20, 0, 0, 0 };
            s.planned_s = minutes_s(35 * vol);
        }
        break;
    case 5:
        s = (struct slot){ PL_SIM_EASY, HOME, 9 * 60, 40, 0, 0, 0 };
        s.planned_s = minutes_s((45 + build) * vol);
        break;
    case 6:
        s = (struct slot){ PL_SIM_LONG, HOME, 8 * 60 + 30, 30, 0, 0, 0 };
        s.planned_s = minutes_s((75 + 5 * build) * vol);
        break;
    default:
        break;
    }
    /* A missed easy run now and then, as in any real log. */
    if (s.kind == PL_SIM_EASY && rng_unif(r) < 0.08)
        s = rest_slot;
    return s;
}

/* PL_SIM_DAILY: a run every day of about an hour, the shape the import
 * benchmark describes ("one run a day, about an hour each"): intervals on
 * Tuesday and tempo on Thursday evenings, both an hour with warm-up and
 * cool-down (7 x 3 min: 58 min; 35 min of tempo: 60 min), the other days
 * an easy run of 50 to 70 minutes, a little longer (65 to 75) on Sunday;
 * none missed. */
static struct slot daily_day(int wd, struct rng *r)
{
    struct slot s;
    switch (wd) {
    case 1:
        s = (struct slot){ PL_SIM_INTERVALS, HOME, 18 * 60 + 15, 25, 0, 7, 0 };
        break;
    case 3:
        s = (struct slot){ PL_SIM_TEMPO, HOME, 18 * 60 + 30, 30, 0, 0, minutes_s(35) };
        break;
    case 6:
        s = (struct slot){ PL_SIM_LONG, HOME, 8 * 60 + 30, 30, 0, 0, 0 };
        s.planned_s = minutes_s(rng_range(r, 65, 75));
        break;
    default:
        s = (struct slot){ PL_SIM_EASY, HOME, 6 * 60 + 45, 30, 0, 0, 0 };
        s.planned_s = minutes_s(rng_range(r, 50, 70));
        break;
    }
    return s;
}

/* Days around the race, by their distance from race day; false for days
 * that the race does not change. */
static bool race_day_slot(int32_t from_race, struct slot *s)
{
    switch (from_race) {
    case -5: /* Tuesday: short sharpening intervals */
        *s = (struct slot){ PL_SIM_INTERVALS, HOME, 18 * 60 + 15, 20, 0, 4, 0 };
        return true;
    case -4:
        *s = (struct slot){ PL_SIM_EASY, HOME, 6 * 60 + 45, 15, minutes_s(35), 0, 0 };
        return true;
    case -3:
        *s = (struct slot){ PL_SIM_EASY, HOME, 18 * 60 + 30, 20, minutes_s(30), 0, 0 };
        return true;
    case -2: /* travel day */
    case 1:  /* travel home */
    case 2:
    case 4:
        *s = rest_slot;
        return true;
    case -1: /* shake-out in the race city */
        *s = (struct slot){ PL_SIM_EASY, RACE_CITY, 8 * 60 + 30, 10, minutes_s(20), 0, 0 };
        return true;
    case 0:
        *s = (struct slot){ PL_SIM_RACE, RACE_CITY, 9 * 60, 0, 0, 0, 0 };
        return true;
    case 3:
        *s = (struct slot){ PL_SIM_EASY, HOME, 7 * 60, 15, minutes_s(30), 0, 0 };
        return true;
    case 5:
        *s = (struct slot){ PL_SIM_EASY, HOME, 18 * 60 + 30, 20, minutes_s(35), 0, 0 };
        return true;
    case 6:
        *s = (struct slot){ PL_SIM_EASY, HOME, 9 * 60, 30, minutes_s(40), 0, 0 };
        return true;
    case 7:
        *s = (struct slot){ PL_SIM_LONG, HOME, 8 * 60 + 30, 30, minutes_s(60), 0, 0 };
        return true;
    default:
        return false;
    }
}

/* Moving time of a workout: 15 min warm-up, the work, 10 min cool-down;
 * intervals are 3 min hard with 2 min jogs between. */
enum { WARMUP_S = 900, COOLDOWN_S = 600, REP_S = 180, JOG_S = 120 };

static uint32_t slot_planned_s(const struct slot *s)
{
    switch (s->kind) {
    case PL_SIM_INTERVALS:
        return WARMUP_S + s->reps * REP_S + (s->reps - 1) * JOG_S + COOLDOWN_S;
    case PL_SIM_TEMPO:
        return WARMUP_S + s->tempo_s + COOLDOWN_S;
    case PL_SIM_RACE:
        return (uint32_t)lround(race_dist_m / speed_mps_race);
    default:
        return s->planned_s;
    }
}

/* Training load of a run, in the units of hrTSS (one hour at threshold =
 * 100): hours times the square of the intensity factor (Coggan's TSS
 * definition applied to pace). */
static double run_load(int kind, uint32_t planned_s)
{
    static const double intensity[PL_SIM_KIND_COUNT_] = {
        [PL_SIM_EASY] = 0.74, [PL_SIM_INTERVALS] = 0.88, [PL_SIM_TEMPO] = 0.86,
        [PL_SIM_LONG] = 0.72, [PL_SIM_RACE] = 0.97,
    };
    double f = intensity[kind];
    return (double)planned_s / HOUR_S * f * f * 100;
}

/* Accumulated fatigue: the exponentially weighted load of recent days (the
 * 7-day "acute training load" of Banister's model as used by Coggan's
 * performance manager), mapped to extra heart rate at a given pace. */
static const double fatigue_days_tau = 7;
static const double fatigue_load_ref = 50;      /* a typical daily load */
static const double hr_bpm_per_fatigue = 3.0;   /* at the typical load */
static const double hr_bpm_fatigue_max = 8;

static void format_file(struct act *a)
{
    int64_t local = a->pub.start_s + a->pub.utc_offset_s;
    int32_t day = (int32_t)floor_div(local, DAY_S);
    struct civil c = civil_from_days(day);
    int64_t sod = local - (int64_t)day * DAY_S;
    snprintf(a->pub.file, sizeof a->pub.file, "%04d-%02u-%02u-%02d%02d-%s.fit", c.y, c.m,
             c.d, (int)(sod / HOUR_S), (int)(sod % HOUR_S / 60), kind_names[a->pub.kind]);
}

/* Local start to UTC: the offset is that of the place at the (approximate)
 * instant; runs never start in the hour that summer time skips or repeats. */
static void set_start(struct act *a, int32_t day, int local_s)
{
    int64_t local = (int64_t)day * DAY_S + local_s;
    int32_t off = utc_offset_s(a->place, local - places[a->place].std_offset_s);
    a->pub.utc_offset_s = off;
    a->pub.start_s = local - off;
    a->pub.evening = local_s >= 17 * HOUR_S;
    a->pub.place = places[a->place].name;
    a->pub.away = a->place != HOME;
    format_file(a);
}

static void add_trip(struct pl_sim *s, int32_t day, int from, int to)
{
    struct pl_sim_trip *t = &s->trips[s->ntrips++];
    int64_t noon = (int64_t)day * DAY_S + 12 * HOUR_S;
    t->day = day;
    t->from = places[from].name;
    t->to = places[to].name;
    t->dist_km = round(haversine_m(places[from].lat_deg, places[from].lon_deg,
                                   places[to].lat_deg, places[to].lon_deg) / 100) / 10;
    t->from_offset_s = utc_offset_s(from, noon);
    t->to_offset_s = utc_offset_s(to, noon);
}

static int32_t race_day_of(const struct pl_sim_options *o)
{
    uint32_t week = o->weeks >= 4 ? o->weeks - 2 : o->weeks - 1;
    int32_t first = o->start_day + (int32_t)(7 * week);
    return first + (6 - weekday(first));      /* that week's Sunday */
}

static void plan_trips(struct pl_sim *s, int32_t race_day)
{
    int32_t last = s->opt.start_day + (int32_t)(7 * s->opt.weeks) - 1;
    if (race_day - 2 >= s->opt.start_day)
        add_trip(s, race_day - 2, HOME, RACE_CITY);
    if (race_day + 1 <= last)
        add_trip(s, race_day + 1, RACE_CITY, HOME);
}

static void add_activity(struct pl_sim *s, const struct slot *sl, int32_t day, double atl,
                         struct rng *r)
{
    struct act *a = &s->acts[s->nacts++];
    memset(a, 0, sizeof *a);
    a->pub.kind = sl->kind;
    a->place = sl->place;
    a->reps = sl->reps;
    a->tempo_s = sl->tempo_s;
    a->race_dist_m = sl->kind == PL_SIM_RACE ? race_dist_m : 0;
    a->pub.planned_s = slot_planned_s(sl);
    int jitter_s = (int)lround(rng_range(r, -1, 1) * sl->jitter_min * 60);
    int second = (int)(rng_next(r) % 60);
    /* Races start on the gun, on the minute. */
    int local_s = sl->minute_local * 60 + jitter_s + (sl->jitter_min ? second : 0);
    set_start(a, day, local_s);
    a->form = 1 + 0.02 * rng_gauss(r);
    double fatigue = hr_bpm_per_fatigue * atl / fatigue_load_ref;
    a->hr_bpm_offset = fmin(fatigue, hr_bpm_fatigue_max) + 1.5 * rng_gauss(r);
    a->seed = rng_next(r);
}

static void plan_history(struct pl_sim *s, struct rng *r)
{
    const struct pl_sim_options *o = &s->opt;
    int32_t race_day = race_day_of(o);
    double atl = fatigue_load_ref * 0.8;     /* already training before */
    plan_trips(s, race_day);
    for (int32_t i = 0; i < (int32_t)(7 * o->weeks); i++) {
        int32_t day = o->start_day + i;
        struct slot sl;
        if (!race_day_slot(day - race_day, &sl))
            sl = o->pattern == PL_SIM_DAILY ? daily_day(weekday(day), r)
                                            : normal_day(weekday(day), (uint32_t)i / 7, r);
        double load = 0;
        if (sl.kind >= 0) {
            add_activity(s, &sl, day, atl, r);
            load = run_load(sl.kind, s->acts[s->nacts - 1].pub.planned_s);
            if (sl.kind == PL_SIM_RACE) {
                s->race = (struct pl_sim_race){ day, race_name, places[RACE_CITY].name,
                                                race_dist_m, s->nacts - 1 };
                s->nraces = 1;
            }
        }
        atl += (load - atl) / fatigue_days_tau;
    }
}

static void plan_single(struct pl_sim *s, struct rng *r)
{
    struct slot sl = { PL_SIM_EASY, HOME, 6 * 60, 0, s->opt.single_s, 0, 0 };
    add_activity(s, &sl, s->opt.start_day, fatigue_load_ref, r);
    s->acts[0].single = true;
}

static int check_options(const struct pl_sim_options *o, struct pl_diag *d)
{
    /* The FIT epoch starts 1989-12-31; two centuries later uint32 FIT
     * timestamps run out, so stay well inside. */
    int32_t day_min = days_from_civil(1990, 1, 1), day_max = days_from_civil(2099, 12, 31);
    if (o->single_s == 0 && (o->weeks < 1 || o->weeks > PL_SIM_WEEKS_MAX))
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "weeks must be 1 to %d, not %u",
                        PL_SIM_WEEKS_MAX, o->weeks);
    if (o->pattern != PL_SIM_CLUB && o->pattern != PL_SIM_DAILY)
        return pl__diag(d, PL_EINVAL, UINT64_MAX, "pattern must be PL_SIM_CLUB or PL_SIM_DAILY");
    if (o->single_s != 0 && (o->single_s < 60 || o->single_s > PL_SIM_SINGLE_S_MAX))
        return pl__diag(d, PL_EINVAL, UINT64_MAX,
                        "a single run lasts 60 to %d seconds, not %u", PL_SIM_SINGLE_S_MAX,
                        o->single_s);
    if (o->start_day < day_min || o->start_day + 7 * (int32_t)o->weeks > day_max)
        return pl__diag(d, PL_EINVAL, UINT64_MAX,
                        "the history must lie between 1990-01-01 and 2099-12-31");
    return PL_OK;
}

int pl_sim_plan(const struct pl_sim_options *o, struct pl_sim **out, struct pl_diag *diag)
{
    *out = NULL;
    int rc = check_options(o, diag);
    if (rc != PL_OK)
        return rc;
    struct pl_sim *s = pl__calloc(1, sizeof *s);
    size_t max = o->single_s ? 1 : 7 * (size_t)o->weeks;
    if (s)
        s->acts = pl__calloc(max, sizeof *s->acts);
    if (!s || !s->acts) {
        pl_sim_free(s);
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "simulate: out of memory");
    }
    s->opt = *o;
    struct rng r;
    rng_seed(&r, o->seed);
    s->terrain_seed = rng_next(&r);
    if (o->single_s)
        plan_single(s, &r);
    else
        plan_history(s, &r);
    *out = s;
    return PL_OK;
}

void pl_sim_free(struct pl_sim *s)
{
    if (!s)
        return;
    pl__free(s->acts);
    pl__free(s);
}

size_t pl_sim_count(const struct pl_sim *s) { return s->nacts; }

const struct pl_sim_activity *pl_sim_activity(const struct pl_sim *s, size_t i)
{
    return i < s->nacts ? &s->acts[i].pub : NULL;
}

size_t pl_sim_trip_count(const struct pl_sim *s) { return s->ntrips; }

const struct pl_sim_trip *pl_sim_trip(const struct pl_sim *s, size_t i)
{
    return i < s->ntrips ? &s->trips[i] : NULL;
}

size_t pl_sim_race_count(const struct pl_sim *s) { return s->nraces; }

const struct pl_sim_race *pl_sim_race(const struct pl_sim *s, size_t i)
{
    return i < s->nraces ? &s->race : NULL;
}

const char *pl_sim_home(const struct pl_sim *s)
{
    (void)s;
    return places[HOME].name;
}

/* ------------------------------------------------------------------ */
/* Terrain and route                                                    */
/* ------------------------------------------------------------------ */

/* Terrain around a place: a sum of a few plane waves (wavelengths 0.6 to
 * 4 km), the same for every run there. Smooth, so grades stay in the range
 * of city streets (a few percent, up to about 10). */
enum { TERRAIN_WAVES = 4 };
struct terrain {
    double alt_m;
    double amp_m[TERRAIN_WAVES], kx[TERRAIN_WAVES], ky[TERRAIN_WAVES], phase[TERRAIN_WAVES];
};

static void terrain_init(struct terrain *t, int place, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed ^ (UINT64_C(0x5851F42D4C957F2D) * (uint64_t)(place + 1)));
    t->alt_m = places[place].alt_m;
    double weight_sum = 0, weights[TERRAIN_WAVES];
    for (int k = 0; k < TERRAIN_WAVES; k++)
        weight_sum += weights[k] = rng_range(&r, 0.5, 1.5);
    for (int k = 0; k < TERRAIN_WAVES; k++) {
        double wavelength_m = rng_range(&r, 600, 4000), dir = rng_range(&r, 0, 2 * M_PI);
        t->amp_m[k] = places[place].hill_m * weights[k] / weight_sum;
        t->kx[k] = 2 * M_PI / wavelength_m * cos(dir);
        t->ky[k] = 2 * M_PI / wavelength_m * sin(dir);
        t->phase[k] = rng_range(&r, 0, 2 * M_PI);
    }
}

static double terrain_alt_m(const struct terrain *t, double x_m, double y_m)
{
    double h = t->alt_m;
    for (int k = 0; k < TERRAIN_WAVES; k++)
        h += t->amp_m[k] * sin(t->kx[k] * x_m + t->ky[k] * y_m + t->phase[k]);
    return h;
}

/* A closed loop through the start, in metres east (x) and north (y) of the
 * place's centre: a star-shaped curve r(theta) = R (1 + sum a_k cos(k theta
 * + p_k)), scaled so its length matches the run's expected distance. The
 * runner goes round it, again if the run turns out longer. */
struct route {
    double *x, *y, *cum;        /* vertices, and distance along the loop */
    size_t n;                   /* vertices; vertex n-1 closes onto 0 */
    double len_m;
    size_t cursor;              /* segment of the last look-up */
};

enum { ROUTE_HARMONICS = 3 };
static const double route_vertex_m = 10;
static const size_t route_vertices_min = 200, route_vertices_max = 40000;

static int route_init(struct route *rt, double len_m, double x0_m, double y0_m, struct rng *r)
{
    size_t n = (size_t)(len_m / route_vertex_m);
    if (n < route_vertices_min)
        n = route_vertices_min;
    if (n > route_vertices_max)
        n = route_vertices_max;
    rt->x = pl__malloc_array(n + 1, sizeof *rt->x);
    rt->y = pl__malloc_array(n + 1, sizeof *rt->y);
    rt->cum = pl__malloc_array(n + 1, sizeof *rt->cum);
    if (!rt->x || !rt->y || !rt->cum)
        return PL_ENOMEM;
    double a[ROUTE_HARMONICS], p[ROUTE_HARMONICS], turn = rng_range(r, 0, 2 * M_PI);
    for (int k = 0; k < ROUTE_HARMONICS; k++) {
        a[k] = rng_range(r, 0, 0.12);
        p[k] = rng_range(r, 0, 2 * M_PI);
    }
    for (size_t j = 0; j <= n; j++) {
        double th = 2 * M_PI * (double)(j % n) / (double)n, rad = 1;
        for (int k = 0; k < ROUTE_HARMONICS; k++)
            rad += a[k] * cos((k + 2) * th + p[k]);
        rt->x[j] = rad * cos(th + turn);
        rt->y[j] = rad * sin(th + turn);
    }
    /* Scale to the wanted length and move vertex 0 onto the start. */
    double unit_len = 0;
    for (size_t j = 1; j <= n; j++)
        unit_len += hypot(rt->x[j] - rt->x[j - 1], rt->y[j] - rt->y[j - 1]);
    double scale = len_m / unit_len, ox = rt->x[0], oy = rt->y[0];
    rt->cum[0] = 0;
    for (size_t j = 0; j <= n; j++) {
        rt->x[j] = (rt->x[j] - ox) * scale + x0_m;
        rt->y[j] = (rt->y[j] - oy) * scale + y0_m;
        if (j)
            rt->cum[j] = rt->cum[j - 1] + hypot(rt->x[j] - rt->x[j - 1], rt->y[j] - rt->y[j - 1]);
    }
    rt->n = n + 1;
    rt->len_m = rt->cum[n];
    rt->cursor = 0;
    return PL_OK;
}

static void route_release(struct route *rt)
{
    pl__free(rt->x);
    pl__free(rt->y);
    pl__free(rt->cum);
}

/* Position at distance d_m along the route (wrapping round the loop). Look-
 * ups come in increasing order, so a cursor makes each one O(1). */
static void route_at(struct route *rt, double d_m, double *x_m, double *y_m)
{
    double d = fmod(d_m, rt->len_m);
    if (d < rt->cum[rt->cursor])
        rt->cursor = 0;
    while (rt->cursor + 2 < rt->n && rt->cum[rt->cursor + 1] <= d)
        rt->cursor++;
    size_t j = rt->cursor;
    double seg = rt->cum[j + 1] - rt->cum[j];
    double f = seg > 0 ? (d - rt->cum[j]) / seg : 0;
    *x_m = rt->x[j] + f * (rt->x[j + 1] - rt->x[j]);
    *y_m = rt->y[j] + f * (rt->y[j + 1] - rt->y[j]);
}

/* ------------------------------------------------------------------ */
/* Physiology                                                           */
/* ------------------------------------------------------------------ */

/* Oxygen cost of running on the flat, ml/kg/min, for speed v in m/min
 * (Daniels & Gilbert, "Oxygen Power", 1979). */
static double vo2_flat(double v_mpm)
{
    return -4.60 + 0.182258 * v_mpm + 0.000104 * v_mpm * v_mpm;
}

/* Energy cost of running on grade i (rise over run), J/kg/m (Minetti et al.
 * 2002, J Appl Physiol 93:1039, eq. for running, valid for |i| <= 0.45). */
static double minetti_cost(double i)
{
    double i2 = i * i, i3 = i2 * i, i4 = i3 * i, i5 = i4 * i;
    return 155.4 * i5 - 30.4 * i4 - 43.3 * i3 + 46.3 * i2 + 19.5 * i + 3.6;
}

static const double grade_abs_max = 0.3;

static double grade_cost_ratio(double grade)
{
    double g = fmax(-grade_abs_max, fmin(grade_abs_max, grade));
    return minetti_cost(g) / minetti_cost(0);
}

/* Runners slow down uphill but do not hold their effort level: they
 * split the difference. Half the cost change goes into pace (the square
 * root), half into effort. */
static const double pace_grade_share = 0.5;
static const double pace_grade_factor_min = 0.6, pace_grade_factor_max = 1.15;

static double grade_pace_factor(double grade)
{
    double f = pow(grade_cost_ratio(grade), -pace_grade_share);
    return fmax(pace_grade_factor_min, fmin(pace_grade_factor_max, f));
}

/* Steady-state heart rate for running at speed v on a grade: fraction of
 * VO2 reserve, which %HR reserve tracks one to one (Swain & Leutholtz
 * 1997, Med Sci Sports Exerc 29:410), plus cardiovascular drift during the
 * run (Coyle & Gonzalez-Alonso 2001, Exerc Sport Sci Rev 29:88: HR rises
 * ~10-15% over an hour of moderate exercise) and the day's offset. */
static const double drift_bpm_max = 12;
static const double drift_tau_s = 2700;
static const double drift_delay_s = 600;

static double hr_bpm_steady(double v_mps, double grade, double t_s, double offset_bpm)
{
    double vo2 = vo2_flat(v_mps * 60) * grade_cost_ratio(grade);
    double frac = (fmax(vo2, vo2_rest) - vo2_rest) / (vo2_max - vo2_rest);
    double drift = 0;
    if (t_s > drift_delay_s)
        drift = drift_bpm_max * (1 - exp(-(t_s - drift_delay_s) / drift_tau_s));
    double hr = hr_bpm_rest + frac * (hr_bpm_max - hr_bpm_rest) + drift + offset_bpm;
    return fmin(hr, hr_bpm_max - 1);
}

/* Heart rate follows its steady state as a first-order system: faster on
 * the way up than on the way down. Time constants of 30-60 s are typical
 * of moderate exercise (Stirling, Zakynthinaki & Saltin 2008, "A model of
 * heart rate kinetics in response to exercise", J Nonlinear Math Phys 15
 * suppl. 3:426). */
static const double hr_tau_up_s = 35;
static const double hr_tau_down_s = 55;
/* Standing still at a traffic light or before the start. */
static const double hr_bpm_standing = 78;    /* rest + 30 */
/* Strap noise, and the bounds a watch would report. */
static const double hr_noise_bpm = 1.5, hr_noise_tau_s = 4;
static const double hr_bpm_floor = 40;

static double hr_step(double hr, double target)
{
    double tau = target > hr ? hr_tau_up_s : hr_tau_down_s;
    return hr + (target - hr) * (1 - exp(-1.0 / tau));
}

/* Step rate grows with speed, from ~165 steps/min at easy pace to ~182 at
 * interval pace; FIT records running cadence as strides (one foot) per
 * minute. */
static double cadence_spm(double v_mps)
{
    return 142 + 9 * fmax(v_mps, 1.5);
}

/* Speed follows its target with a lag of a few seconds, and wanders. Past
 * three hours the runner fades, down to 80% after a day. */
static const double speed_tau_s = 4;
static const double speed_noise = 0.03, speed_noise_tau_s = 20;
static const double fade_after_s = 3 * HOUR_S, fade_max = 0.2, fade_tau_s = 8 * HOUR_S;

static double fade_factor(double t_s)
{
    return t_s < fade_after_s ? 1 : 1 - fade_max * (1 - exp(-(t_s - fade_after_s) / fade_tau_s));
}

/* ------------------------------------------------------------------ */
/* Rendering: the messages (FIT profile 21.217)                         */
/* ------------------------------------------------------------------ */

enum {
    MSG_FILE_ID = 0, MSG_SESSION = 18, MSG_LAP = 19, MSG_RECORD = 20, MSG_EVENT = 21,
    MSG_DEVICE_INFO = 23, MSG_ACTIVITY = 34,
};
enum { L_FILE_ID, L_DEVICE_INFO, L_EVENT, L_RECORD, L_LAP, L_SESSION, L_ACTIVITY };
/* Values of profile types. */
enum {
    FILE_ACTIVITY = 4,                      /* file */
    MANUFACTURER_DEVELOPMENT = 255,         /* manufacturer */
    SPORT_RUNNING = 1, SUB_SPORT_GENERIC = 0, SUB_SPORT_STREET = 2,
    EVENT_TIMER = 0, EVENT_SESSION = 8, EVENT_LAP = 9, EVENT_ACTIVITY = 26,
    EVENT_TYPE_START = 0, EVENT_TYPE_STOP = 1, EVENT_TYPE_STOP_ALL = 4,
    LAP_TRIGGER_MANUAL = 0, LAP_TRIGGER_DISTANCE = 2, LAP_TRIGGER_SESSION_END = 7,
    SESSION_TRIGGER_ACTIVITY_END = 0, ACTIVITY_MANUAL = 0,
    SOURCE_LOCAL = 5,                       /* source_type */
};
static const uint16_t product_id = 1;
static const double software_version = 1.0;

/* Scales and offsets of the profile's fields. */
#define SC(scale, offset) (scale), (offset)
#define U8 PL_FIT_UINT8, 1
#define U16 PL_FIT_UINT16, 2
#define U32 PL_FIT_UINT32, 4
#define U32Z PL_FIT_UINT32Z, 4
#define S32 PL_FIT_SINT32, 4
#define EN PL_FIT_ENUM, 1

static double semicircles(double deg)
{
    return round(deg * (2147483648.0 / 180.0));
}

/* A value as the file will hold it, so totals match what a reader sums. */
static double quantize(double v, double scale, double offset)
{
    return round((v + offset) * scale) / scale - offset;
}

static double fit_time(int64_t unix_s)
{
    return (double)(unix_s - PL_FIT_EPOCH_S);
}

static int write_file_id(struct pl_fit_writer *w, int64_t start_s, uint64_t serial,
                         struct pl_diag *d)
{
    static const struct pl_fit_wfield f[] = {
        { 0, EN, SC(1, 0) },    /* type */
        { 1, U16, SC(1, 0) },   /* manufacturer */
        { 2, U16, SC(1, 0) },   /* product */
        { 3, U32Z, SC(1, 0) },  /* serial_number */
        { 4, U32, SC(1, 0) },   /* time_created */
    };
    struct pl_fit_wvalue v[] = {
        { .num = FILE_ACTIVITY }, { .num = MANUFACTURER_DEVELOPMENT }, { .num = product_id },
        { .num = (double)serial }, { .num = fit_time(start_s) },
    };
    int rc = pl_fit_writer_define(w, L_FILE_ID, MSG_FILE_ID, f, PL_ARRAY_LEN(f), d);
    return rc ? rc : pl_fit_writer_write(w, L_FILE_ID, v, d);
}

static int write_device_info(struct pl_fit_writer *w, int64_t start_s, uint64_t serial,
                             struct pl_diag *d)
{
    static const struct pl_fit_wfield f[] = {
        { 253, U32, SC(1, 0) },   /* timestamp */
        { 0, U8, SC(1, 0) },      /* device_index: 0 = the creator */
        { 2, U16, SC(1, 0) },     /* manufacturer */
        { 3, U32Z, SC(1, 0) },    /* serial_number */
        { 4, U16, SC(1, 0) },     /* product */
        { 5, U16, SC(100, 0) },   /* software_version */
        { 25, EN, SC(1, 0) },     /* source_type */
    };
    struct pl_fit_wvalue v[] = {
        { .num = fit_time(start_s) }, { .num = 0 }, { .num = MANUFACTURER_DEVELOPMENT },
        { .num = (double)serial }, { .num = product_id }, { .num = software_version },
        { .num = SOURCE_LOCAL },
    };
    int rc = pl_fit_writer_define(w, L_DEVICE_INFO, MSG_DEVICE_INFO, f, PL_ARRAY_LEN(f), d);
    return rc ? rc : pl_fit_writer_write(w, L_DEVICE_INFO, v, d);
}

static int define_event(struct pl_fit_writer *w, struct pl_diag *d)
{
    static const struct pl_fit_wfield f[] = {
        { 253, U32, SC(1, 0) },   /* timestamp */
        { 0, EN, SC(1, 0) },      /* event */
        { 1, EN, SC(1, 0) },      /* event_type */
        { 4, U8, SC(1, 0) },      /* event_group */
    };
    return pl_fit_writer_define(w, L_EVENT, MSG_EVENT, f, PL_ARRAY_LEN(f), d);
}

static int write_event(struct pl_fit_writer *w, int64_t t_s, int event, int type,
                       struct pl_diag *d)
{
    struct pl_fit_wvalue v[] = {
        { .num = fit_time(t_s) }, { .num = event }, { .num = type }, { .num = 0 },
    };
    return pl_fit_writer_write(w, L_EVENT, v, d);
}

/* One record as written. */
struct sample {
    int64_t t_s;
    double lat_sc, lon_sc;      /* semicircles */
    double dist_m, speed_mps, alt_m;   /* quantized as stored */
    int hr_bpm, cadence_rpm;
};

enum { R_TS, R_LAT, R_LON, R_DIST, R_SPEED, R_ALT, R_HR, R_CAD, R_COUNT };
static const struct pl_fit_wfield record_fields[R_COUNT] = {
    [R_TS] = { 253, U32, SC(1, 0) },
    [R_LAT] = { 0, S32, SC(1, 0) },           /* position_lat, semicircles */
    [R_LON] = { 1, S32, SC(1, 0) },           /* position_long */
    [R_DIST] = { 5, U32, SC(100, 0) },        /* distance, m */
    [R_SPEED] = { 73, U32, SC(1000, 0) },     /* enhanced_speed, m/s */
    [R_ALT] = { 78, U32, SC(5, 500) },        /* enhanced_altitude, m */
    [R_HR] = { 3, U8, SC(1, 0) },             /* heart_rate, bpm */
    [R_CAD] = { 4, U8, SC(1, 0) },            /* cadence, rpm */
};

static int write_record(struct pl_fit_writer *w, const struct sample *s, struct pl_diag *d)
{
    struct pl_fit_wvalue v[R_COUNT] = {
        [R_TS] = { .num = fit_time(s->t_s) }, [R_LAT] = { .num = s->lat_sc },
        [R_LON] = { .num = s->lon_sc }, [R_DIST] = { .num = s->dist_m },
        [R_SPEED] = { .num = s->speed_mps }, [R_ALT] = { .num = s->alt_m },
        [R_HR] = { .num = s->hr_bpm }, [R_CAD] = { .num = s->cadence_rpm },
    };
    return pl_fit_writer_write(w, L_RECORD, v, d);
}

/* Sums over a stretch of records: a lap, or the whole session. */
struct totals {
    int64_t start_s, end_s;
    double start_lat_sc, start_lon_sc, end_lat_sc, end_lon_sc;
    double start_dist_m, end_dist_m;
    double timer_s;
    double ascent_m, descent_m;
    double hr_sum, cad_sum, speed_mps_max;
    uint32_t n;
    int hr_max, hr_min, cad_max;
    int intensity, trigger;
};

static void totals_start(struct totals *t, const struct sample *s, double timer_s, int intensity)
{
    *t = (struct totals){ .start_s = s->t_s, .end_s = s->t_s, .start_lat_sc = s->lat_sc,
                          .start_lon_sc = s->lon_sc, .end_lat_sc = s->lat_sc,
                          .end_lon_sc = s->lon_sc, .start_dist_m = s->dist_m,
                          .end_dist_m = s->dist_m, .timer_s = -timer_s, .hr_min = 255,
                          .intensity = intensity };
}

/* Count one record; step_s is the timer time since the previous record,
 * climb_m its altitude change (0 for the first record of a file). */
static void totals_add(struct totals *t, const struct sample *s, double climb_m)
{
    t->end_s = s->t_s;
    t->end_lat_sc = s->lat_sc;
    t->end_lon_sc = s->lon_sc;
    t->end_dist_m = s->dist_m;
    if (climb_m > 0)
        t->ascent_m += climb_m;
    else
        t->descent_m -= climb_m;
    t->hr_sum += s->hr_bpm;
    t->cad_sum += s->cadence_rpm;
    t->n++;
    t->hr_max = s->hr_bpm > t->hr_max ? s->hr_bpm : t->hr_max;
    t->hr_min = s->hr_bpm < t->hr_min ? s->hr_bpm : t->hr_min;
    t->cad_max = s->cadence_rpm > t->cad_max ? s->cadence_rpm : t->cad_max;
    t->speed_mps_max = fmax(t->speed_mps_max, s->speed_mps);
}

static double avg_or_nan(double sum, uint32_t n)
{
    return n ? round(sum / n) : NAN;
}

static double calories_kcal(double dist_m)
{
    /* About 1 kcal per kg per km of running (ACSM metabolic equations,
     * net cost ~ 1 kcal/kg/km). */
    return round(body_kg * dist_m / 1000);
}

enum {
    P_TS, P_START, P_SLAT, P_SLON, P_ELAT, P_ELON, P_ELAPSED, P_TIMER, P_DIST, P_CAL,
    P_AVG_SPEED, P_MAX_SPEED, P_AVG_HR, P_MAX_HR, P_AVG_CAD, P_MAX_CAD, P_ASCENT,
    P_DESCENT, P_INTENSITY, P_TRIGGER, P_SPORT, P_EVENT, P_EVENT_TYPE, P_INDEX,
    P_EAVG_SPEED, P_EMAX_SPEED, P_COUNT
};
/* lap (message 19) field numbers. */
static const struct pl_fit_wfield lap_fields[P_COUNT] = {
    [P_TS] = { 253, U32, SC(1, 0) }, [P_START] = { 2, U32, SC(1, 0) },
    [P_SLAT] = { 3, S32, SC(1, 0) }, [P_SLON] = { 4, S32, SC(1, 0) },
    [P_ELAT] = { 5, S32, SC(1, 0) }, [P_ELON] = { 6, S32, SC(1, 0) },
    [P_ELAPSED] = { 7, U32, SC(1000, 0) }, [P_TIMER] = { 8, U32, SC(1000, 0) },
    [P_DIST] = { 9, U32, SC(100, 0) }, [P_CAL] = { 11, U16, SC(1, 0) },
    [P_AVG_SPEED] = { 13, U16, SC(1000, 0) }, [P_MAX_SPEED] = { 14, U16, SC(1000, 0) },
    [P_AVG_HR] = { 15, U8, SC(1, 0) }, [P_MAX_HR] = { 16, U8, SC(1, 0) },
    [P_AVG_CAD] = { 17, U8, SC(1, 0) }, [P_MAX_CAD] = { 18, U8, SC(1, 0) },
    [P_ASCENT] = { 21, U16, SC(1, 0) }, [P_DESCENT] = { 22, U16, SC(1, 0) },
    [P_INTENSITY] = { 23, EN, SC(1, 0) }, [P_TRIGGER] = { 24, EN, SC(1, 0) },
    [P_SPORT] = { 25, EN, SC(1, 0) }, [P_EVENT] = { 0, EN, SC(1, 0) },
    [P_EVENT_TYPE] = { 1, EN, SC(1, 0) }, [P_INDEX] = { 254, U16, SC(1, 0) },
    [P_EAVG_SPEED] = { 110, U32, SC(1000, 0) }, [P_EMAX_SPEED] = { 111, U32, SC(1000, 0) },
};

/* The values shared by lap and session, in lap_fields order; the session's
 * own definition maps them to its field numbers. */
static void summary_values(const struct totals *t, struct pl_fit_wvalue *v)
{
    double dist = t->end_dist_m - t->start_dist_m;
    double avg_speed = t->timer_s > 0 ? dist / t->timer_s : 0;
    v[P_TS].num = fit_time(t->end_s);
    v[P_START].num = fit_time(t->start_s);
    v[P_SLAT].num = t->start_lat_sc;
    v[P_SLON].num = t->start_lon_sc;
    v[P_ELAT].num = t->end_lat_sc;
    v[P_ELON].num = t->end_lon_sc;
    v[P_ELAPSED].num = (double)(t->end_s - t->start_s);
    v[P_TIMER].num = t->timer_s;
    v[P_DIST].num = dist;
    v[P_CAL].num = calories_kcal(dist);
    v[P_AVG_SPEED].num = v[P_EAVG_SPEED].num = avg_speed;
    v[P_MAX_SPEED].num = v[P_EMAX_SPEED].num = t->speed_mps_max;
    v[P_AVG_HR].num = avg_or_nan(t->hr_sum, t->n);
    v[P_MAX_HR].num = t->n ? t->hr_max : NAN;
    v[P_AVG_CAD].num = avg_or_nan(t->cad_sum, t->n);
    v[P_MAX_CAD].num = t->n ? t->cad_max : NAN;
    v[P_ASCENT].num = round(t->ascent_m);
    v[P_DESCENT].num = round(t->descent_m);
    v[P_INTENSITY].num = t->intensity;
    v[P_TRIGGER].num = t->trigger;
    v[P_SPORT].num = SPORT_RUNNING;
    v[P_EVENT].num = EVENT_LAP;
    v[P_EVENT_TYPE].num = EVENT_TYPE_STOP;
}

static int write_lap(struct pl_fit_writer *w, const struct totals *t, unsigned index,
                     struct pl_diag *d)
{
    struct pl_fit_wvalue v[P_COUNT];
    memset(v, 0, sizeof v);
    summary_values(t, v);
    v[P_INDEX].num = index;
    return pl_fit_writer_write(w, L_LAP, v, d);
}

/* session (message 18): the same summary under its own field numbers, and
 * the lap count; intensity becomes sub_sport, lap_trigger the session
 * trigger. */
static int write_session(struct pl_fit_writer *w, const struct totals *t, unsigned nlaps,
                         struct pl_diag *d)
{
    static const uint8_t session_num[P_COUNT] = {
        [P_TS] = 253, [P_START] = 2, [P_SLAT] = 3, [P_SLON] = 4, [P_ELAT] = 38,
        [P_ELON] = 39, [P_ELAPSED] = 7, [P_TIMER] = 8, [P_DIST] = 9, [P_CAL] = 11,
        [P_AVG_SPEED] = 14, [P_MAX_SPEED] = 15, [P_AVG_HR] = 16, [P_MAX_HR] = 17,
        [P_AVG_CAD] = 18, [P_MAX_CAD] = 19, [P_ASCENT] = 22, [P_DESCENT] = 23,
        [P_INTENSITY] = 6, [P_TRIGGER] = 28, [P_SPORT] = 5, [P_EVENT] = 0,
        [P_EVENT_TYPE] = 1, [P_INDEX] = 254, [P_EAVG_SPEED] = 124, [P_EMAX_SPEED] = 125,
    };
    /* first_lap_index(25), num_laps(26), min_heart_rate(64) follow. */
    enum { S_FIRST_LAP = P_COUNT, S_NUM_LAPS, S_MIN_HR, S_COUNT };
    struct pl_fit_wfield f[S_COUNT];
    for (int i = 0; i < P_COUNT; i++) {
        f[i] = lap_fields[i];
        f[i].num = session_num[i];
    }
    f[S_FIRST_LAP] = (struct pl_fit_wfield){ 25, U16, SC(1, 0) };
    f[S_NUM_LAPS] = (struct pl_fit_wfield){ 26, U16, SC(1, 0) };
    f[S_MIN_HR] = (struct pl_fit_wfield){ 64, U8, SC(1, 0) };
    struct pl_fit_wvalue v[S_COUNT];
    memset(v, 0, sizeof v);
    summary_values(t, v);
    v[P_INTENSITY].num = SUB_SPORT_GENERIC;
    v[P_TRIGGER].num = SESSION_TRIGGER_ACTIVITY_END;
    v[P_EVENT].num = EVENT_SESSION;
    v[P_INDEX].num = 0;
    v[S_FIRST_LAP].num = 0;
    v[S_NUM_LAPS].num = nlaps;
    v[S_MIN_HR].num = t->n ? t->hr_min : NAN;
    int rc = pl_fit_writer_define(w, L_SESSION, MSG_SESSION, f, S_COUNT, d);
    return rc ? rc : pl_fit_writer_write(w, L_SESSION, v, d);
}

/* activity (message 34): local_timestamp is the end in local time, which is
 * how a reader learns the UTC offset (FIT profile: "local_date_time"). */
static int write_activity(struct pl_fit_writer *w, const struct totals *t,
                          int32_t utc_offset, struct pl_diag *d)
{
    static const struct pl_fit_wfield f[] = {
        { 253, U32, SC(1, 0) },   /* timestamp */
        { 0, U32, SC(1000, 0) },  /* total_timer_time */
        { 1, U16, SC(1, 0) },     /* num_sessions */
        { 2, EN, SC(1, 0) },      /* type */
        { 3, EN, SC(1, 0) },      /* event */
        { 4, EN, SC(1, 0) },      /* event_type */
        { 5, U32, SC(1, 0) },     /* local_timestamp */
    };
    struct pl_fit_wvalue v[] = {
        { .num = fit_time(t->end_s) }, { .num = t->timer_s }, { .num = 1 },
        { .num = ACTIVITY_MANUAL }, { .num = EVENT_ACTIVITY }, { .num = EVENT_TYPE_STOP },
        { .num = fit_time(t->end_s + utc_offset) },
    };
    int rc = pl_fit_writer_define(w, L_ACTIVITY, MSG_ACTIVITY, f, PL_ARRAY_LEN(f), d);
    return rc ? rc : pl_fit_writer_write(w, L_ACTIVITY, v, d);
}

static int define_stream(struct pl_fit_writer *w, struct pl_diag *d)
{
    int rc = define_event(w, d);
    if (rc == PL_OK)
        rc = pl_fit_writer_define(w, L_RECORD, MSG_RECORD, record_fields, R_COUNT, d);
    if (rc == PL_OK)
        rc = pl_fit_writer_define(w, L_LAP, MSG_LAP, lap_fields, P_COUNT, d);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Rendering: the run, second by second                                 */
/* ------------------------------------------------------------------ */

/* A stretch at one target pace. Either lasts dur_s of timer time or, when
 * dist_m > 0, until the run's distance reaches dist_m. */
struct seg {
    uint32_t dur_s;
    double dist_m;
    double speed_mps;
    int intensity;              /* enum pl_fit_intensity, for its laps */
    bool lap_at_end;            /* a workout step: a lap closes with it */
    bool pausable;              /* traffic lights may stop the runner */
};

enum { SEGS_MAX = 2 + 2 * 16 };

/* A timed stretch; `step` makes it a workout step (a lap of its own). */
static struct seg timed(uint32_t dur_s, double speed_mps, int intensity, bool step,
                        bool pausable)
{
    return (struct seg){ dur_s, 0, speed_mps, intensity, step, pausable };
}

static size_t make_segments(const struct act *a, struct seg *sg)
{
    size_t n = 0;
    const struct pl_sim_activity *p = &a->pub;
    double cooldown_mps = speed_mps_easy * 0.95;
    switch (p->kind) {
    case PL_SIM_INTERVALS:
        sg[n++] = timed(WARMUP_S, speed_mps_easy, PL_FIT_INTENSITY_WARMUP, true, true);
        for (uint32_t k = 0; k < a->reps && n + 3 < SEGS_MAX; k++) {
            if (k)
                sg[n++] = timed(JOG_S, speed_mps_jog, PL_FIT_INTENSITY_RECOVERY, true, false);
            sg[n++] = timed(REP_S, speed_mps_rep, PL_FIT_INTENSITY_ACTIVE, true, false);
        }
        sg[n++] = timed(COOLDOWN_S, cooldown_mps, PL_FIT_INTENSITY_COOLDOWN, true, true);
        break;
    case PL_SIM_TEMPO:
        sg[n++] = timed(WARMUP_S, speed_mps_easy, PL_FIT_INTENSITY_WARMUP, true, true);
        sg[n++] = timed(a->tempo_s, speed_mps_tempo, PL_FIT_INTENSITY_ACTIVE, true, false);
        sg[n++] = timed(COOLDOWN_S, cooldown_mps, PL_FIT_INTENSITY_COOLDOWN, true, true);
        break;
    case PL_SIM_RACE:
        sg[n++] = (struct seg){ 0, a->race_dist_m, speed_mps_race, PL_FIT_INTENSITY_ACTIVE,
                                false, false };
        break;
    case PL_SIM_LONG:
        sg[n++] = timed(p->planned_s, speed_mps_long, PL_FIT_INTENSITY_ACTIVE, false, true);
        break;
    default:
        sg[n++] = timed(p->planned_s, speed_mps_easy, PL_FIT_INTENSITY_ACTIVE, false, true);
        break;
    }
    return n;
}

/* Laps close at every kilometre in runs without workout steps (a watch's
 * auto-lap). */
static const double autolap_m = 1000;

/* Stops at traffic lights in city runs: a few per hour, 15 to 75 s each;
 * the timer pauses (auto-pause), so elapsed time exceeds timer time. */
static const double pauses_per_hour = 1.5;
static const double pause_s_min = 15, pause_s_max = 75;

/* Everything that changes while a run is simulated. */
struct run {
    struct pl_fit_writer *w;
    struct pl_diag *d;
    struct rng rng;
    const struct act *a;
    struct route route;
    struct terrain terrain;
    double origin_lat_deg, origin_lon_deg;
    /* state */
    int64_t t_s;                /* UTC of the current record */
    double timer_s;
    double dist_m, speed_mps, hr_bpm, alt_true_m, grade;
    struct ar1 speed_noise, hr_noise, gps_x, gps_y, baro;
    struct sample last;         /* the last record written */
    double next_pause_timer_s;
    /* summaries */
    struct totals lap, session;
    unsigned nlaps;
    double lap_ascent_sum_m, lap_descent_sum_m;   /* as written, rounded */
    double next_autolap_m;
};

static double next_pause_after(struct run *r, double timer_s)
{
    /* Exponential gaps: a Poisson process of stops. */
    double gap_s = -log(1 - rng_unif(&r->rng)) * HOUR_S / pauses_per_hour;
    return timer_s + fmax(gap_s, 60);
}

/* Local east/north metres to a position. */
static void to_latlon(const struct run *r, double x_m, double y_m, double *lat_deg, double *lon_deg)
{
    double deg = 180 / M_PI;
    *lat_deg = r->origin_lat_deg + y_m / earth_radius_m * deg;
    *lon_deg = r->origin_lon_deg + x_m / (earth_radius_m * cos(r->origin_lat_deg / deg)) * deg;
}

/* Build the record for the current state: the measured values, with
 * sensor noise, quantized as the file stores them. */
static struct sample observe(struct run *r, double x_m, double y_m)
{
    struct sample s;
    double lat, lon;
    double gps_x_m = x_m + ar1_step(&r->gps_x, &r->rng);
    double gps_y_m = y_m + ar1_step(&r->gps_y, &r->rng);
    to_latlon(r, gps_x_m, gps_y_m, &lat, &lon);
    s.t_s = r->t_s;
    s.lat_sc = semicircles(lat);
    s.lon_sc = semicircles(lon);
    s.dist_m = quantize(r->dist_m, 100, 0);
    s.speed_mps = quantize(r->speed_mps, 1000, 0);
    s.alt_m = quantize(r->alt_true_m + ar1_step(&r->baro, &r->rng), 5, 500);
    double hr = r->hr_bpm + ar1_step(&r->hr_noise, &r->rng);
    s.hr_bpm = (int)lround(fmax(hr_bpm_floor, fmin(hr_bpm_max, hr)));
    double cad = cadence_spm(r->speed_mps) / 2 + 0.6 * rng_gauss(&r->rng);
    s.cadence_rpm = r->speed_mps < 0.5 ? 0 : (int)lround(cad);
    return s;
}

static int emit_sample(struct run *r, const struct sample *s, bool first)
{
    double climb = first ? 0 : s->alt_m - r->last.alt_m;
    totals_add(&r->lap, s, climb);
    totals_add(&r->session, s, climb);
    r->last = *s;
    return write_record(r->w, s, r->d);
}

static int close_lap(struct run *r, int trigger, int next_intensity)
{
    r->lap.trigger = trigger;
    r->lap.timer_s += r->timer_s;
    r->lap_ascent_sum_m += round(r->lap.ascent_m);
    r->lap_descent_sum_m += round(r->lap.descent_m);
    int rc = write_lap(r->w, &r->lap, r->nlaps++, r->d);
    totals_start(&r->lap, &r->last, r->timer_s, next_intensity);
    return rc;
}

/* Stand still for a while with the timer stopped: no records, HR falls. */
static int pause_run(struct run *r)
{
    int rc = write_event(r->w, r->t_s, EVENT_TIMER, EVENT_TYPE_STOP_ALL, r->d);
    double pause_s = round(rng_range(&r->rng, pause_s_min, pause_s_max));
    for (int i = 0; i < (int)pause_s; i++)
        r->hr_bpm = hr_step(r->hr_bpm, hr_bpm_standing);
    r->t_s += (int64_t)pause_s;
    r->speed_mps = 0;
    if (rc == PL_OK)
        rc = write_event(r->w, r->t_s, EVENT_TIMER, EVENT_TYPE_START, r->d);
    r->next_pause_timer_s = next_pause_after(r, r->timer_s);
    return rc;
}

/* One second of running at a segment's pace; *done when a distance goal
 * is reached. */
static int run_second(struct run *r, const struct seg *sg, bool *done)
{
    const struct act *a = r->a;
    double target = sg->speed_mps * a->form * grade_pace_factor(r->grade) *
                    fade_factor(r->timer_s) * (1 + ar1_step(&r->speed_noise, &r->rng));
    r->speed_mps += (target - r->speed_mps) * (1 - exp(-1.0 / speed_tau_s));
    double step_m = r->speed_mps;
    if (sg->dist_m > 0 && r->dist_m + step_m >= sg->dist_m) {
        step_m = sg->dist_m - r->dist_m;
        *done = true;
    }
    r->t_s += 1;
    r->timer_s += 1;
    r->dist_m += step_m;
    double x, y;
    route_at(&r->route, r->dist_m, &x, &y);
    double alt = terrain_alt_m(&r->terrain, x, y);
    r->grade = step_m > 0.5 ? (alt - r->alt_true_m) / step_m : r->grade;
    r->alt_true_m = alt;
    double hr_ss = hr_bpm_steady(r->speed_mps, r->grade, r->timer_s, a->hr_bpm_offset);
    r->hr_bpm = hr_step(r->hr_bpm, hr_ss);
    struct sample s = observe(r, x, y);
    return emit_sample(r, &s, false);
}

static int run_segment(struct run *r, const struct seg *sg, bool last, int next_intensity)
{
    int rc = PL_OK;
    double end_timer_s = r->timer_s + sg->dur_s;
    bool done = false;
    while (rc == PL_OK && !done) {
        if (sg->dist_m <= 0 && r->timer_s >= end_timer_s)
            break;
        if (sg->pausable && r->timer_s >= r->next_pause_timer_s &&
            r->timer_s + 300 < end_timer_s && r->timer_s > 300)
            rc = pause_run(r);
        if (rc == PL_OK)
            rc = run_second(r, sg, &done);
        if (rc == PL_OK && !sg->lap_at_end && r->dist_m >= r->next_autolap_m && !done) {
            r->next_autolap_m += autolap_m;
            rc = close_lap(r, LAP_TRIGGER_DISTANCE, sg->intensity);
        }
    }
    if (rc == PL_OK && sg->lap_at_end && !last)
        rc = close_lap(r, LAP_TRIGGER_MANUAL, next_intensity);
    return rc;
}

static uint64_t serial_of(const struct pl_sim *s)
{
    /* A device serial number: non-zero (uint32z), fixed for a seed. */
    return (s->terrain_seed % UINT64_C(4000000000)) + 1;
}

/* Expected distance, to size the route loop. */
static double expected_dist_m(const struct act *a, const struct seg *sg, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += sg[i].dist_m > 0 ? sg[i].dist_m : sg[i].dur_s * sg[i].speed_mps;
    return m * a->form;
}

static int run_init(struct run *r, struct pl_sim *s, const struct act *a, const struct seg *sg,
                    size_t nseg)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    rng_seed(&r->rng, a->seed);
    terrain_init(&r->terrain, a->place, s->terrain_seed);
    r->origin_lat_deg = places[a->place].lat_deg;
    r->origin_lon_deg = places[a->place].lon_deg;
    /* Home runs start at the runner's door, somewhere near the centre; a
     * race starts at the same line for all. */
    double door_x = a->place == HOME ? rng_range(&r->rng, -800, 800) : 0;
    double door_y = a->place == HOME ? rng_range(&r->rng, -800, 800) : 0;
    if (route_init(&r->route, expected_dist_m(a, sg, nseg), door_x, door_y, &r->rng) != PL_OK)
        return PL_ENOMEM;
    r->speed_noise = ar1_make(speed_noise, speed_noise_tau_s);
    r->hr_noise = ar1_make(hr_noise_bpm, hr_noise_tau_s);
    r->gps_x = ar1_make(2.5, 30);
    r->gps_y = ar1_make(2.5, 30);
    r->baro = ar1_make(0.8, 300);
    r->t_s = a->pub.start_s;
    r->hr_bpm = hr_bpm_standing + a->hr_bpm_offset;
    r->alt_true_m = terrain_alt_m(&r->terrain, door_x, door_y);
    r->next_autolap_m = autolap_m;
    r->next_pause_timer_s = next_pause_after(r, 0);
    return PL_OK;
}

static void store_totals(struct act *a, const struct totals *t, double ascent_m, double descent_m)
{
    struct pl_sim_activity *p = &a->pub;
    p->rendered = true;
    p->dist_m = t->end_dist_m - t->start_dist_m;
    p->timer_s = t->timer_s;
    p->elapsed_s = (double)(t->end_s - t->start_s);
    p->ascent_m = ascent_m;
    p->descent_m = descent_m;
    p->hr_bpm_avg = t->n ? (uint8_t)lround(t->hr_sum / t->n) : 0;
    p->hr_bpm_max = (uint8_t)t->hr_max;
}

/* The body of the file: start event, the records with their laps, the
 * stop event. */
static int run_body(struct run *r, const struct seg *sg, size_t nseg)
{
    double x, y;
    route_at(&r->route, 0, &x, &y);
    struct sample first = observe(r, x, y);
    totals_start(&r->lap, &first, 0, sg[0].intensity);
    totals_start(&r->session, &first, 0, PL_FIT_INTENSITY_ACTIVE);
    int rc = write_event(r->w, r->t_s, EVENT_TIMER, EVENT_TYPE_START, r->d);
    if (rc == PL_OK)
        rc = emit_sample(r, &first, true);
    for (size_t i = 0; rc == PL_OK && i < nseg; i++) {
        int next = i + 1 < nseg ? sg[i + 1].intensity : sg[i].intensity;
        rc = run_segment(r, &sg[i], i + 1 == nseg, next);
    }
    if (rc == PL_OK)
        rc = write_event(r->w, r->t_s, EVENT_TIMER, EVENT_TYPE_STOP_ALL, r->d);
    return rc;
}

int pl_sim_render(struct pl_sim *s, size_t i, struct pl_fit_writer *w, struct pl_diag *diag)
{
    if (i >= s->nacts)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "simulate: no activity %zu", i);
    struct act *a = &s->acts[i];
    struct seg sg[SEGS_MAX];
    size_t nseg = make_segments(a, sg);
    struct run *r = pl__malloc(sizeof *r);
    if (!r)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "simulate: out of memory");
    int rc = run_init(r, s, a, sg, nseg);
    if (rc != PL_OK) {
        pl__diag(diag, rc, UINT64_MAX, "simulate: out of memory");
        goto out;
    }
    r->w = w;
    r->d = diag;
    rc = write_file_id(w, a->pub.start_s, serial_of(s), diag);
    if (rc == PL_OK)
        rc = write_device_info(w, a->pub.start_s, serial_of(s), diag);
    if (rc == PL_OK)
        rc = define_stream(w, diag);
    if (rc == PL_OK)
        rc = run_body(r, sg, nseg);
    /* The last lap, unless an auto-lap has just closed on the last record. */
    if (rc == PL_OK && (r->lap.n > 0 || r->nlaps == 0))
        rc = close_lap(r, LAP_TRIGGER_SESSION_END, PL_FIT_INTENSITY_ACTIVE);
    /* The session's ascent is the sum of its laps', so the two agree. */
    r->session.timer_s += r->timer_s;
    r->session.ascent_m = r->lap_ascent_sum_m;
    r->session.descent_m = r->lap_descent_sum_m;
    if (rc == PL_OK)
        rc = write_session(w, &r->session, r->nlaps, diag);
    if (rc == PL_OK)
        rc = write_activity(w, &r->session, a->pub.utc_offset_s, diag);
    if (rc == PL_OK)
        store_totals(a, &r->session, r->session.ascent_m, r->session.descent_m);
out:
    route_release(&r->route);
    pl__free(r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* truth.json and the whole directory                                   */
/* ------------------------------------------------------------------ */

static void put_date(FILE *f, int32_t day)
{
    struct civil c = civil_from_days(day);
    fprintf(f, "\"%04d-%02u-%02u\"", c.y, c.m, c.d);
}

/* ISO 8601 date and time of local or UTC seconds, without a zone. */
static void put_time(FILE *f, int64_t t_s, const char *suffix)
{
    int32_t day = (int32_t)floor_div(t_s, DAY_S);
    int64_t sod = t_s - (int64_t)day * DAY_S;
    struct civil c = civil_from_days(day);
    fprintf(f, "\"%04d-%02u-%02uT%02d:%02d:%02d%s\"", c.y, c.m, c.d, (int)(sod / HOUR_S),
            (int)(sod % HOUR_S / 60), (int)(sod % 60), suffix);
}

static void put_activity(FILE *f, const struct pl_sim_activity *p)
{
    fprintf(f, "    {\"file\": \"%s\", \"kind\": \"%s\", \"local_start\": ", p->file,
            kind_names[p->kind]);
    put_time(f, p->start_s + p->utc_offset_s, "");
    fprintf(f, ", \"start_utc\": ");
    put_time(f, p->start_s, "Z");
    fprintf(f, ", \"utc_offset_s\": %d, \"evening\": %s, \"place\": \"%s\", \"away\": %s",
            (int)p->utc_offset_s, p->evening ? "true" : "false", p->place,
            p->away ? "true" : "false");
    if (p->rendered)
        fprintf(f, ", \"distance_m\": %.2f, \"timer_s\": %.0f, \"elapsed_s\": %.0f, "
                   "\"ascent_m\": %.0f, \"hr_bpm_avg\": %u, \"hr_bpm_max\": %u",
                p->dist_m, p->timer_s, p->elapsed_s, p->ascent_m, p->hr_bpm_avg, p->hr_bpm_max);
    fprintf(f, "}");
}

static void put_truth(FILE *f, const struct pl_sim *s)
{
    fprintf(f, "{\n  \"generator\": \"pliant simulate\",\n  \"version\": \"%s\",\n",
            PL_VERSION);
    fprintf(f, "  \"seed\": %llu,\n  \"start\": ", (unsigned long long)s->opt.seed);
    put_date(f, s->opt.start_day);
    fprintf(f, ",\n  \"weeks\": %u,\n  \"home\": {\"name\": \"%s\", \"lat\": %.4f, "
               "\"lon\": %.4f},\n  \"activities\": [\n",
            s->opt.single_s ? 0 : s->opt.weeks, places[HOME].name, places[HOME].lat_deg,
            places[HOME].lon_deg);
    for (size_t i = 0; i < s->nacts; i++) {
        put_activity(f, &s->acts[i].pub);
        fputs(i + 1 < s->nacts ? ",\n" : "\n", f);
    }
    fputs("  ],\n  \"trips\": [\n", f);
    for (size_t i = 0; i < s->ntrips; i++) {
        const struct pl_sim_trip *t = &s->trips[i];
        fputs("    {\"day\": ", f);
        put_date(f, t->day);
        fprintf(f, ", \"from\": \"%s\", \"to\": \"%s\", \"distance_km\": %.1f, "
                   "\"from_utc_offset_s\": %d, \"to_utc_offset_s\": %d}%s\n",
                t->from, t->to, t->dist_km, (int)t->from_offset_s, (int)t->to_offset_s,
                i + 1 < s->ntrips ? "," : "");
    }
    fputs("  ],\n  \"races\": [\n", f);
    for (size_t i = 0; i < s->nraces; i++) {
        const struct pl_sim_race *rc = &s->race;
        fputs("    {\"date\": ", f);
        put_date(f, rc->day);
        fprintf(f, ", \"name\": \"%s\", \"place\": \"%s\", \"distance_m\": %.1f, "
                   "\"file\": \"%s\"}\n",
                rc->name, rc->place, rc->dist_m, s->acts[rc->activity].pub.file);
    }
    fputs("  ]\n}\n", f);
}

int pl_sim_write_truth(const struct pl_sim *s, const char *path, struct pl_diag *diag)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return pl__diag(diag, PL_EIO, UINT64_MAX, "cannot create '%s': %s", path,
                        strerror(errno));
    put_truth(f, s);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        remove(path);
        return pl__diag(diag, PL_EIO, UINT64_MAX, "cannot write '%s'", path);
    }
    return PL_OK;
}

/* Byte cap of one simulated file: a record is 27 bytes, so two days at
 * 1 Hz stay under 5 MB; 64 MiB is far above anything we make. */
static const uint64_t sim_file_bytes_max = UINT64_C(64) << 20;

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = pl__malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int write_one(struct pl_sim *s, size_t i, const char *path, struct pl_diag *d)
{
    struct pl_fit_writer *w;
    int rc = pl_fit_writer_open(&w, path, sim_file_bytes_max, d);
    if (rc != PL_OK)
        return rc;
    rc = pl_sim_render(s, i, w, d);
    if (rc == PL_OK)
        rc = pl_fit_writer_finish(w, d);
    pl_fit_writer_free(w);
    return rc;
}

int pl_sim_write_dir(struct pl_sim *s, const char *dir, struct pl_diag *diag)
{
    int rc = PL_OK;
    for (size_t i = 0; rc == PL_OK && i <= s->nacts; i++) {
        char *path = join_path(dir, i < s->nacts ? s->acts[i].pub.file : "truth.json");
        if (!path)
            return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "simulate: out of memory");
        rc = i < s->nacts ? write_one(s, i, path, diag) : pl_sim_write_truth(s, path, diag);
        pl__free(path);
    }
    return rc;
}
