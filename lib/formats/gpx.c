/*
 * gpx.c - GPX 1.0 and 1.1 tracks to an activity.
 *
 * Every track point with a time, of every <trk> and <trkseg>, becomes one
 * sample of a single activity (a GPX file is one recording; its segments
 * are pauses, which the moving-time rule sees as gaps). Position comes from
 * the lat/lon attributes, altitude from <ele>, speed from GPX 1.0's
 * <speed>; heart rate, cadence, temperature, power, speed and distance
 * from the extensions real exporters write, matched by local name anywhere
 * inside the <trkpt> (GPX 1.1 "extensionsType" allows any namespace):
 *
 *   Garmin TrackPointExtension v1/v2   hr, cad, atemp (v2 also speed)
 *   Strava                             power (directly in <extensions>)
 *   Garmin PowerExtension v1           PowerInWatts
 *   Cluetrust gpxdata (Movescount...)  hr, cadence, temp, speed
 *
 * Sources: GPX 1.1 schema (topografix.com/GPX/1/1), GPX 1.0 schema,
 * Garmin's TrackPointExtensionv1/v2.xsd, and the files of the test corpus.
 *
 * A distance extension (gpxdata:distance) is not read: GPX has no standard
 * one, and every GPX tool measures the track itself, so pliant does too and
 * a GPX file gives the same distance here as in gpxpy or Strava.
 *
 * Not read: routes and waypoints (a GPX with only those is skipped: it is
 * a plan, not a recording), points without a time (left out, with a
 * warning), and anything the summaries do not use.
 */
#include <math.h>
#include <string.h>

#include "formats/xml.h"

enum gpx_field { F_NONE, F_ELE, F_TIME, F_SPEED, F_HR, F_CAD, F_TEMP, F_POWER };

/* Child elements of <trkpt> we read, by local name. */
static const struct {
    const char *name;
    enum gpx_field f;
} pt_fields[] = {
    { "ele", F_ELE }, { "time", F_TIME }, { "speed", F_SPEED },
    { "hr", F_HR }, { "heartrate", F_HR }, { "cad", F_CAD },
    { "cadence", F_CAD }, { "atemp", F_TEMP }, { "temp", F_TEMP },
    { "power", F_POWER }, { "PowerInWatts", F_POWER }, { "watts", F_POWER },
};

struct gpx {
    struct pl__xml_format fmt;     /* first: ctx points at the struct */
    struct pl__emit *e;
    struct pl_activity a;
    struct pl__sample s;
    bool s_time;                   /* the current point has a time */
    unsigned trk_depth, pt_depth, meta_depth;
    uint64_t trks, pts, pts_no_time, routes, wpts, bad_values;
    bool offset_seen;
    char trk_name[128], meta_name[128], type[64], desc[512];
};

static enum gpx_field pt_field(const char *name)
{
    for (size_t i = 0; i < PL_ARRAY_LEN(pt_fields); i++)
        if (strcmp(pt_fields[i].name, name) == 0)
            return pt_fields[i].f;
    return F_NONE;
}

static void coord(struct gpx *g, struct pl__xml *x, const char **attrs, const char *name,
                  double lim, int k)
{
    const char *v = pl__xml_attr(attrs, name);
    double d;
    if (v && pl__parse_num(v, strlen(v), &d) && fabs(d) <= lim) {
        g->s.v[k] = d;
        return;
    }
    if (g->bad_values++ == 0)
        pl__xml_warn(x, g->e, "track point with %s '%.40s' (kept without a position)",
                     name, v ? v : "(none)");
}

static void on_start(void *ctx, struct pl__xml *x, const char *name, const char **attrs)
{
    struct gpx *g = ctx;
    unsigned depth = pl__xml_depth(x);
    if (g->pt_depth) {
        if (pt_field(name) != F_NONE)
            pl__xml_collect(x);
        return;
    }
    if (strcmp(name, "trkpt") == 0 && g->trk_depth) {
        g->pt_depth = depth;
        pl__sample_clear(&g->s);
        g->s_time = false;
        coord(g, x, attrs, "lat", 90, PL__S_LAT);
        coord(g, x, attrs, "lon", 180, PL__S_LON);
        if (isnan(g->s.v[PL__S_LAT]) || isnan(g->s.v[PL__S_LON]))
            g->s.v[PL__S_LAT] = g->s.v[PL__S_LON] = NAN;
    } else if (strcmp(name, "trk") == 0 && depth == 2) {
        g->trk_depth = depth;
        g->trks++;
    } else if (strcmp(name, "rte") == 0 && depth == 2) {
        g->routes++;
    } else if (strcmp(name, "wpt") == 0 && depth == 2) {
        g->wpts++;
    } else if (strcmp(name, "metadata") == 0 && depth == 2) {
        g->meta_depth = depth;
    } else if (g->trk_depth && depth == g->trk_depth + 1 &&
               (strcmp(name, "name") == 0 || strcmp(name, "type") == 0 ||
                strcmp(name, "desc") == 0)) {
        pl__xml_collect(x);
    } else if (g->meta_depth && depth == g->meta_depth + 1 && strcmp(name, "name") == 0) {
        pl__xml_collect(x);
    } else if (depth == 2 && strcmp(name, "name") == 0) {
        pl__xml_collect(x); /* GPX 1.0 keeps the file's name at the top */
    }
}

static void end_point(struct gpx *g, struct pl__xml *x)
{
    g->pt_depth = 0;
    g->pts++;
    if (!g->s_time) {
        g->pts_no_time++;
        return;
    }
    struct pl_diag d;
    int rc = pl__activity_push(&g->a, &g->s, &d);
    if (rc)
        pl__xml_fail(x, rc, "%s", d.msg);
}

static void point_value(struct gpx *g, struct pl__xml *x, const char *name, const char *text,
                        size_t n)
{
    enum gpx_field f = pt_field(name);
    if (f == F_TIME) {
        double t;
        int32_t off;
        bool has_off;
        if (pl__parse_time(text, n, &t, &off, &has_off)) {
            g->s.v[PL__S_T] = t;
            g->s_time = true;
            if (!g->offset_seen) {
                g->offset_seen = true;
                g->a.utc_offset_s = off;
                g->a.utc_offset_known = has_off;
            }
        } else if (g->bad_values++ == 0) {
            pl__xml_warn(x, g->e, "bad time '%.40s'", text);
        }
        return;
    }
    static const int stream[] = {
        [F_ELE] = PL__S_ALT, [F_SPEED] = PL__S_SPEED, [F_HR] = PL__S_HR,
        [F_CAD] = PL__S_CAD, [F_TEMP] = PL__S_TEMP, [F_POWER] = PL__S_POWER,
    };
    double v;
    if (f == F_NONE || f == F_TIME)
        return;
    if (!pl__parse_num(text, n, &v)) {
        /* An empty element (<extensions/> written as <hr></hr>) says
         * nothing; anything else is worth a warning. */
        if (n > 0 && g->bad_values++ == 0)
            pl__xml_warn(x, g->e, "<%s> is not a number: '%.40s'", name, text);
        return;
    }
    /* The first spelling found wins (TrackPointExtension's atemp over a
     * gpxdata temp in the same point, say). */
    if (isnan(g->s.v[stream[f]]))
        g->s.v[stream[f]] = v;
}

static void on_end(void *ctx, struct pl__xml *x, const char *name, const char *text, size_t n)
{
    struct gpx *g = ctx;
    unsigned depth = pl__xml_depth(x);
    if (g->pt_depth) {
        if (depth == g->pt_depth)
            end_point(g, x);
        else if (text)
            point_value(g, x, name, text, n);
        return;
    }
    if (depth == g->trk_depth) {
        g->trk_depth = 0;
    } else if (depth == g->meta_depth) {
        g->meta_depth = 0;
    } else if (text && g->trk_depth && depth == g->trk_depth + 1) {
        /* The first track's name, type and description stand for the file. */
        if (strcmp(name, "name") == 0 && !g->trk_name[0])
            pl__copy_text(g->trk_name, sizeof g->trk_name, text, n);
        else if (strcmp(name, "type") == 0 && !g->type[0])
            pl__copy_text(g->type, sizeof g->type, text, n);
        else if (strcmp(name, "desc") == 0 && !g->desc[0])
            pl__copy_text(g->desc, sizeof g->desc, text, n);
    } else if (text && strcmp(name, "name") == 0 && !g->meta_name[0]) {
        pl__copy_text(g->meta_name, sizeof g->meta_name, text, n);
    }
}

/* <type> as exporters write it: a word ("running", "Run") or, in Strava's
 * GPX exports, a number of Strava's own (observed: 1 ride, 4 hike, 9 run,
 * 10 walk; there is no published list). */
static void set_sport(struct pl_activity *a, const char *type)
{
    static const struct {
        const char *num;
        uint8_t sport;
    } strava[] = { { "1", 2 }, { "4", 17 }, { "9", 1 }, { "10", 11 } };
    for (size_t i = 0; i < PL_ARRAY_LEN(strava); i++) {
        if (strcmp(type, strava[i].num) == 0) {
            a->sport = strava[i].sport;
            return;
        }
    }
    uint8_t sport, sub;
    if (pl__sport_lookup(type, &sport, &sub)) {
        a->sport = sport;
        a->sub_sport = sub;
    }
}

static int finish(void *ctx, struct pl_diag *diag)
{
    struct gpx *g = ctx;
    if (g->a.n == 0) {
        const char *why = g->pts_no_time ? "a GPX track without times (a planned route, not a recording)"
                          : g->routes    ? "a GPX file with routes only"
                          : g->wpts      ? "a GPX file with waypoints only"
                                         : "a GPX file with no track points";
        return pl__diag(diag, PL_ESKIPPED, UINT64_MAX, "%s", why);
    }
    if (g->pts_no_time) {
        struct pl_diag w;
        pl__diag(&w, PL_EFORMAT, UINT64_MAX, "%llu of %llu track points have no time and were left out",
                 (unsigned long long)g->pts_no_time, (unsigned long long)g->pts);
        pl__emit_warning(g->e, &w);
    }
    struct pl_activity *a = &g->a;
    memcpy(a->name, g->trk_name[0] ? g->trk_name : g->meta_name, sizeof a->name);
    memcpy(a->description, g->desc, sizeof a->description);
    if (g->type[0])
        set_sport(a, g->type);
    return pl__emit(g->e, a, diag);
}

static void gpx_free(void *ctx)
{
    struct gpx *g = ctx;
    pl_activity_release(&g->a);
    pl__free(g);
}

struct pl__xml_format *pl__gpx_new(struct pl__emit *e, int *rc)
{
    struct gpx *g = pl__calloc(1, sizeof *g);
    if (!g) {
        *rc = PL_ENOMEM;
        return NULL;
    }
    g->fmt = (struct pl__xml_format){ g, on_start, on_end, finish, gpx_free };
    g->e = e;
    pl_activity_init(&g->a);
    return &g->fmt;
}
