/*
 * tcx.c - Garmin Training Center Database v2 (TCX) to activities.
 *
 * Each <Activity> (under <Activities>, or inside a <MultiSportSession>'s
 * <FirstSport>/<NextSport>) becomes one activity: its Sport attribute, its
 * <Id> (the start time), its <Lap>s (StartTime, TotalTimeSeconds,
 * DistanceMeters, Average/MaximumHeartRateBpm) and the <Trackpoint>s of
 * their <Track>s (Time, Position, AltitudeMeters, DistanceMeters,
 * HeartRateBpm/Value, Cadence, and in the ActivityExtension v2 <TPX>:
 * Speed, RunCadence, Watts). <Creator><Name> names the device and <Notes>
 * is kept as the description.
 *
 * Sources: TrainingCenterDatabasev2.xsd and ActivityExtensionv2.xsd
 * (garmin.com/xmlschemas), and the files of the test corpus.
 *
 * TCX's TotalTimeSeconds is the lap's timer time (the device's clock
 * without pauses), so its sum is the moving time; the elapsed duration
 * comes from the track points. A file with courses or workouts but no
 * activity is skipped: a plan, not a recording.
 */
#include <math.h>
#include <string.h>

#include "formats/xml.h"

enum tp_field { T_NONE, T_TIME, T_LAT, T_LON, T_ALT, T_DIST, T_HR, T_CAD, T_SPEED, T_WATTS };

struct tcx {
    struct pl__xml_format fmt;     /* first: ctx points at the struct */
    struct pl__emit *e;
    struct pl_activity a;
    unsigned act_depth, lap_depth, tp_depth, creator_depth, hr_depth, lap_hr_depth;
    bool lap_hr_is_max;
    double id_s;
    struct pl_lap lap;
    double lap_timer_s;
    /* Sums over the laps of the activity; NaN once a lap lacks the figure. */
    double laps_timer_s, laps_dist_m, laps_hr_w, laps_hr_wsum, laps_hr_max;
    struct pl__sample s;
    bool s_time;
    uint64_t activities, courses, workouts, pts_no_time, bad_values, laps_dropped;
};

static const struct {
    const char *name;
    enum tp_field f;
} tp_fields[] = {
    { "Time", T_TIME }, { "LatitudeDegrees", T_LAT }, { "LongitudeDegrees", T_LON },
    { "AltitudeMeters", T_ALT }, { "DistanceMeters", T_DIST }, { "Cadence", T_CAD },
    { "Speed", T_SPEED }, { "RunCadence", T_CAD }, { "Watts", T_WATTS },
};

static enum tp_field tp_field(const char *name)
{
    for (size_t i = 0; i < PL_ARRAY_LEN(tp_fields); i++)
        if (strcmp(tp_fields[i].name, name) == 0)
            return tp_fields[i].f;
    return T_NONE;
}

static void bad(struct tcx *c, struct pl__xml *x, const char *name, const char *text)
{
    if (c->bad_values++ == 0)
        pl__xml_warn(x, c->e, "<%s> is not valid: '%.40s'", name, text);
}

static void start_activity(struct tcx *c, const char **attrs, unsigned depth)
{
    pl_activity_init(&c->a);
    c->act_depth = depth;
    c->id_s = NAN;
    c->laps_timer_s = c->laps_dist_m = c->laps_hr_w = c->laps_hr_wsum = 0;
    c->laps_hr_max = NAN;
    const char *sport = pl__xml_attr(attrs, "Sport");
    uint8_t s, sub;
    if (sport && pl__sport_lookup(sport, &s, &sub)) {
        c->a.sport = s;
        c->a.sub_sport = sub;
    }
}

static void on_start(void *ctx, struct pl__xml *x, const char *name, const char **attrs)
{
    struct tcx *c = ctx;
    unsigned depth = pl__xml_depth(x);
    if (!c->act_depth) {
        if (strcmp(name, "Activity") == 0)
            start_activity(c, attrs, depth);
        else if (strcmp(name, "Course") == 0)
            c->courses++;
        else if (strcmp(name, "Workout") == 0)
            c->workouts++;
        return;
    }
    if (c->tp_depth) {
        if (strcmp(name, "HeartRateBpm") == 0)
            c->hr_depth = depth;
        else if (tp_field(name) != T_NONE || (c->hr_depth && strcmp(name, "Value") == 0))
            pl__xml_collect(x);
        return;
    }
    if (c->lap_depth) {
        if (strcmp(name, "Trackpoint") == 0) {
            c->tp_depth = depth;
            pl__sample_clear(&c->s);
            c->s_time = false;
        } else if (depth == c->lap_depth + 1 &&
                   (strcmp(name, "TotalTimeSeconds") == 0 || strcmp(name, "DistanceMeters") == 0)) {
            pl__xml_collect(x);
        } else if (depth == c->lap_depth + 1 && (strcmp(name, "AverageHeartRateBpm") == 0 ||
                                                 strcmp(name, "MaximumHeartRateBpm") == 0)) {
            c->lap_hr_depth = depth;
            c->lap_hr_is_max = name[0] == 'M';
        } else if (c->lap_hr_depth && strcmp(name, "Value") == 0) {
            pl__xml_collect(x);
        }
        return;
    }
    if (strcmp(name, "Lap") == 0) {
        c->lap_depth = depth;
        c->lap = (struct pl_lap){ .start_s = INT64_MIN, .duration_s = NAN, .moving_s = NAN,
                                  .dist_m = NAN, .hr_avg_bpm = NAN, .hr_max_bpm = NAN,
                                  .ascent_m = NAN, .descent_m = NAN };
        c->lap_timer_s = NAN;
        const char *st = pl__xml_attr(attrs, "StartTime");
        double t;
        if (st && pl__parse_time(st, strlen(st), &t, NULL, NULL))
            c->lap.start_s = (int64_t)floor(t);
        else
            bad(c, x, "Lap StartTime", st ? st : "(none)");
    } else if (depth == c->act_depth + 1 && (strcmp(name, "Id") == 0 || strcmp(name, "Notes") == 0)) {
        pl__xml_collect(x);
    } else if (depth == c->act_depth + 1 && strcmp(name, "Creator") == 0) {
        c->creator_depth = depth;
    } else if (c->creator_depth && depth == c->creator_depth + 1 && strcmp(name, "Name") == 0) {
        pl__xml_collect(x);
    }
}

static void point_value(struct tcx *c, struct pl__xml *x, const char *name, const char *text,
                        size_t n)
{
    enum tp_field f = c->hr_depth && strcmp(name, "Value") == 0 ? T_HR : tp_field(name);
    if (f == T_TIME) {
        double t;
        int32_t off;
        bool has_off;
        if (pl__parse_time(text, n, &t, &off, &has_off)) {
            c->s.v[PL__S_T] = t;
            c->s_time = true;
            if (c->a.n == 0 && has_off) {
                c->a.utc_offset_s = off;
                c->a.utc_offset_known = true;
            }
        } else {
            bad(c, x, name, text);
        }
        return;
    }
    static const int stream[] = {
        [T_LAT] = PL__S_LAT, [T_LON] = PL__S_LON, [T_ALT] = PL__S_ALT,
        [T_DIST] = PL__S_DIST, [T_HR] = PL__S_HR, [T_CAD] = PL__S_CAD,
        [T_SPEED] = PL__S_SPEED, [T_WATTS] = PL__S_POWER,
    };
    double v;
    if (f == T_NONE)
        return;
    if (!pl__parse_num(text, n, &v)) {
        bad(c, x, name, text);
        return;
    }
    if (f == T_LAT && fabs(v) > 90)
        return;
    if (f == T_LON && fabs(v) > 180)
        return;
    if (f == T_HR && !(v > 0 && v < 255))
        return; /* 0 and 255 stand for "no reading" in some exports */
    c->s.v[stream[f]] = v;
}

static void end_point(struct tcx *c, struct pl__xml *x)
{
    c->tp_depth = 0;
    c->hr_depth = 0;
    if (!c->s_time) {
        c->pts_no_time++;
        return;
    }
    /* A point with only one of latitude and longitude has no position. */
    if (isnan(c->s.v[PL__S_LAT]) || isnan(c->s.v[PL__S_LON]))
        c->s.v[PL__S_LAT] = c->s.v[PL__S_LON] = NAN;
    struct pl_diag d;
    int rc = pl__activity_push(&c->a, &c->s, &d);
    if (rc)
        pl__xml_fail(x, rc, "%s", d.msg);
}

static void end_lap(struct tcx *c, struct pl__xml *x)
{
    c->lap_depth = 0;
    struct pl_lap *l = &c->lap;
    l->moving_s = c->lap_timer_s;
    c->laps_timer_s += c->lap_timer_s;  /* NaN spreads: unknown total */
    c->laps_dist_m += l->dist_m;
    if (!isnan(l->hr_avg_bpm) && !isnan(c->lap_timer_s)) {
        c->laps_hr_w += l->hr_avg_bpm * c->lap_timer_s;
        c->laps_hr_wsum += c->lap_timer_s;
    }
    if (!isnan(l->hr_max_bpm) && (isnan(c->laps_hr_max) || l->hr_max_bpm > c->laps_hr_max))
        c->laps_hr_max = l->hr_max_bpm;
    if (l->start_s == INT64_MIN)
        return;
    bool nomem;
    if (!pl__activity_add_lap(&c->a, l, &nomem)) {
        if (nomem)
            pl__xml_fail(x, PL_ENOMEM, "out of memory");
        else if (c->laps_dropped++ == 0)
            pl__xml_warn(x, c->e, "more than %d laps; the rest are left out", PL_ACT_LAPS_MAX);
    }
}

static void end_activity(struct tcx *c, struct pl__xml *x)
{
    struct pl_activity *a = &c->a;
    c->act_depth = 0;
    c->activities++;
    if (a->n == 0 && a->nlaps == 0) {
        pl__xml_warn(x, c->e, "an activity with no laps or track points was left out");
        pl_activity_release(a);
        return;
    }
    if (!isnan(c->id_s))
        a->start_s = (int64_t)floor(c->id_s);
    else if (a->nlaps)
        a->start_s = a->laps[0].start_s;
    if (a->nlaps) {
        a->moving_s = c->laps_timer_s;
        a->dist_m = c->laps_dist_m;
        /* HR from the laps only when no sample has it. */
        if (!a->hr_bpm) {
            if (c->laps_hr_wsum > 0)
                a->hr_avg_bpm = c->laps_hr_w / c->laps_hr_wsum;
            a->hr_max_bpm = c->laps_hr_max;
        }
    }
    /* Elapsed: from the start to whichever ends later, the last track point
     * or the last lap's timer (a device may stop recording points before
     * the lap ends, and TCX gives no elapsed time of its own). */
    double end = a->n ? a->t_s[a->n - 1] : NAN;
    if (a->nlaps) {
        const struct pl_lap *last = &a->laps[a->nlaps - 1];
        double lap_end = (double)last->start_s + last->moving_s;
        if (isnan(end) || lap_end > end)
            end = lap_end;
    }
    if (!isnan(end) && a->start_s != PL__START_UNKNOWN && end >= (double)a->start_s)
        a->duration_s = end - (double)a->start_s;
    struct pl_diag d;
    int rc = pl__emit(c->e, a, &d);
    if (rc)
        pl__xml_fail(x, rc, "%s", d.msg);
}

static void on_end(void *ctx, struct pl__xml *x, const char *name, const char *text, size_t n)
{
    struct tcx *c = ctx;
    unsigned depth = pl__xml_depth(x);
    if (!c->act_depth)
        return;
    if (c->tp_depth) {
        if (depth == c->tp_depth)
            end_point(c, x);
        else if (depth == c->hr_depth)
            c->hr_depth = 0;
        else if (text)
            point_value(c, x, name, text, n);
        return;
    }
    if (c->lap_depth) {
        double v;
        if (depth == c->lap_depth) {
            end_lap(c, x);
        } else if (depth == c->lap_hr_depth) {
            c->lap_hr_depth = 0;
        } else if (text && c->lap_hr_depth) {
            if (!pl__parse_num(text, n, &v))
                bad(c, x, name, text);
            else if (v > 0 && v < 255)
                *(c->lap_hr_is_max ? &c->lap.hr_max_bpm : &c->lap.hr_avg_bpm) = v;
        } else if (text) {
            if (!pl__parse_num(text, n, &v) || v < 0)
                bad(c, x, name, text);
            else if (name[0] == 'T')
                c->lap_timer_s = v;
            else
                c->lap.dist_m = v;
        }
        return;
    }
    if (depth == c->act_depth) {
        end_activity(c, x);
    } else if (depth == c->creator_depth) {
        c->creator_depth = 0;
    } else if (text && strcmp(name, "Id") == 0) {
        if (!pl__parse_time(text, n, &c->id_s, NULL, NULL))
            bad(c, x, name, text);
    } else if (text && strcmp(name, "Notes") == 0) {
        pl__copy_text(c->a.description, sizeof c->a.description, text, n);
    } else if (text && strcmp(name, "Name") == 0) {
        pl__copy_text(c->a.device, sizeof c->a.device, text, n);
    }
}

static int finish(void *ctx, struct pl_diag *diag)
{
    struct tcx *c = ctx;
    if (c->e->count > 0) {
        if (c->pts_no_time) {
            struct pl_diag w;
            pl__diag(&w, PL_EFORMAT, UINT64_MAX, "%llu track points have no time and were left out",
                     (unsigned long long)c->pts_no_time);
            pl__emit_warning(c->e, &w);
        }
        return 0;
    }
    const char *why = c->activities ? "a TCX file whose activities hold no data"
                      : c->courses  ? "a TCX file with courses only"
                      : c->workouts ? "a TCX file with workouts only"
                                    : "a TCX file with no activities";
    return pl__diag(diag, PL_ESKIPPED, UINT64_MAX, "%s", why);
}

static void tcx_free(void *ctx)
{
    struct tcx *c = ctx;
    pl_activity_release(&c->a);
    pl__free(c);
}

struct pl__xml_format *pl__tcx_new(struct pl__emit *e, int *rc)
{
    struct tcx *c = pl__calloc(1, sizeof *c);
    if (!c) {
        *rc = PL_ENOMEM;
        return NULL;
    }
    c->fmt = (struct pl__xml_format){ c, on_start, on_end, finish, tcx_free };
    c->e = e;
    pl_activity_init(&c->a);
    return &c->fmt;
}
