/*
 * fitactivity.c - FIT activity files to activities, over the streaming
 * decoder (lib/formats/fit.c).
 *
 * Per segment of a (possibly chained) FIT file:
 *  - file_id.type must be 4 (activity); other file types are remembered as
 *    the reason for skipping ("settings file", "monitoring file", ...);
 *  - record messages become samples (absolute time while the segment is
 *    read), laps are collected, sessions' totals kept;
 *  - at the segment's end, each session becomes one activity: the samples
 *    from its start_time up to the next session's start (a triathlon's
 *    swim, bike, run and transitions are separate activities, each with
 *    the totals the device computed for it). A segment without a session
 *    (a recording cut short) becomes one activity from its records.
 *
 * Field numbers and units are from the FIT profile 21.217 (Profile.xlsx,
 * Messages: file_id 0, sport 12, session 18, lap 19, record 20, workout 26,
 * activity 34); message and field names are noted beside each number.
 *
 * Units: record.cadence is revolutions per minute, which for running,
 * walking and hiking the devices count per stride (one foot; session's
 * avg_running_cadence is "strides/min"), with fractional_cadence holding
 * the fraction; pliant stores steps per minute for those sports, twice
 * the stride rate (docs/internals/activity.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activity/activity.h"

#define MSG_FILE_ID 0
#define MSG_SPORT 12
#define MSG_SESSION 18
#define MSG_LAP 19
#define MSG_RECORD 20
#define MSG_WORKOUT 26
#define MSG_ACTIVITY 34
#define FIELD_TIMESTAMP 253
#define FILE_ACTIVITY 4

/* Semicircles to degrees: 2^31 semicircles are 180 degrees (FIT profile,
 * "position_lat" units). */
#define SEMICIRCLE_DEG (180.0 / 2147483648.0)

/* A session's totals as the device wrote them (NaN: absent). */
struct session {
    double start_s, elapsed_s, timer_s, dist_m, ascent_m, descent_m;
    double hr_avg, hr_max, cad, cad_frac, power, te, ate, rpe;
    int sport, sub;
};

struct pl__fitact {
    struct pl__emit *e;
    struct pl_fit_decoder *dec;
    int err;
    struct pl_diag diag;

    /* The segment being read. */
    bool open;
    int file_type;              /* -1 until file_id says */
    struct pl_activity acc;     /* records and laps, absolute times */
    struct session *sess;
    size_t nsess, sess_cap;
    int sport_msg, sub_msg;     /* from the sport message, -1 if none */
    int lap_sport;
    uint64_t laps_dropped, records_no_time;

    /* The whole file. */
    char skip_reason[96];
};

static int stop(struct pl__fitact *f, int code, uint64_t offset, const char *msg)
{
    if (!f->err) {
        f->err = code;
        pl__diag(&f->diag, code, offset, "%s", msg);
    }
    return 1;
}

/* pl_fit_value_num() for the hot path: the first number, NaN otherwise. */
static inline double num(const struct pl_fit_value *v)
{
    if (v->kind != PL_FIT_K_NUMBER || v->count == 0)
        return NAN;
    return v->count == 1 ? v->u.num : v->u.nums[0];
}

/* An enum or small integer from a value the file may have typed as
 * anything (a float, a negative number): -1 unless it is a whole number in
 * [0, max]. */
static int small(double x, int max)
{
    return x >= 0 && x <= max && x == floor(x) ? (int)x : -1;
}

/* A date_time (seconds since the FIT epoch, a uint32 by the profile) as
 * Unix seconds; NaN for what no date_time can be (a file may type the
 * field as a float). */
static double epoch(double fit_s)
{
    return fit_s >= 0 && fit_s <= 4294967295.0 ? fit_s + PL_FIT_EPOCH_S : NAN;
}

static void begin_segment(struct pl__fitact *f)
{
    pl_activity_release(&f->acc);
    f->open = true;
    f->file_type = -1;
    f->nsess = 0;
    f->sport_msg = f->sub_msg = -1;
    f->lap_sport = -1;
    f->laps_dropped = f->records_no_time = 0;
}

/* "settings file" for file type 2, ... (FIT profile, type "file"). */
static void note_skip(struct pl__fitact *f, int type)
{
    static const struct {
        int type;
        const char *what;
    } kinds[] = {
        { 1, "a device file" }, { 2, "a settings file" }, { 3, "a sport settings file" },
        { 5, "a workout file" }, { 6, "a course file" }, { 7, "a schedules file" },
        { 9, "a weight scale file" }, { 10, "a totals file" }, { 11, "a goals file" },
        { 14, "a blood pressure file" }, { 15, "a monitoring file" },
        { 20, "an activity summary file" }, { 28, "a daily monitoring file" },
        { 32, "a monitoring file" }, { 34, "a segment file" }, { 35, "a segment list file" },
    };
    if (f->skip_reason[0])
        return;
    for (size_t i = 0; i < PL_ARRAY_LEN(kinds); i++) {
        if (kinds[i].type == type) {
            snprintf(f->skip_reason, sizeof f->skip_reason, "%s, not an activity", kinds[i].what);
            return;
        }
    }
    snprintf(f->skip_reason, sizeof f->skip_reason, "a FIT file of type %d, not an activity", type);
}

static void on_file_id(struct pl__fitact *f, const struct pl_fit_msg *m)
{
    const char *maker = NULL, *product = NULL;
    double maker_n = NAN, product_n = NAN;
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        if (v->field->flags & PL_FIT_F_DEV)
            continue;
        double x = pl_fit_value_num(v);
        if (isnan(x))
            continue;
        switch (v->field->num) {
        case 0: /* type */
            f->file_type = small(x, 254) >= 0 ? small(x, 254) : 255;
            break;
        case 1: /* manufacturer */
            maker_n = x;
            if (small(x, 65535) >= 0)
                maker = pl_fit_enum_name(v->field->type, (uint32_t)x);
            break;
        case 2: /* product, or a sub-field such as garmin_product */
            if (v->field->flags & PL_FIT_F_SUBFIELD) {
                const char *n = v->field->show == PL_FIT_SHOW_ENUM && small(x, 65535) >= 0
                                    ? pl_fit_enum_name(v->field->type, (uint32_t)x)
                                    : NULL;
                if (n)
                    product = n;
            }
            product_n = x;
            break;
        }
    }
    struct pl_activity *a = &f->acc;
    char mk[24] = "", pr[39] = "";   /* with a space, they fit device[64] */
    if (maker)
        snprintf(mk, sizeof mk, "%s", maker);
    else if (small(maker_n, 65535) >= 0)
        snprintf(mk, sizeof mk, "%d", small(maker_n, 65535));
    if (product)
        snprintf(pr, sizeof pr, "%s", product);
    else if (small(product_n, 65535) >= 0)
        snprintf(pr, sizeof pr, "%d", small(product_n, 65535));
    snprintf(a->device, sizeof a->device, "%s%s%s", mk, mk[0] && pr[0] ? " " : "", pr);
}

/* record fields read, by field number (FIT profile 21.217, message 20);
 * a table rather than a switch: this runs for every record. */
enum { R_TS = 1, R_LAT, R_LON, R_ALT, R_HR, R_CAD, R_DIST, R_SPEED, R_POWER, R_TEMP,
       R_CADF, R_SPEEDE, R_ALTE, R_N };
static const uint8_t record_slot[256] = {
    [FIELD_TIMESTAMP] = R_TS,
    [0] = R_LAT,      /* position_lat */
    [1] = R_LON,      /* position_long */
    [2] = R_ALT,      /* altitude */
    [3] = R_HR,       /* heart_rate */
    [4] = R_CAD,      /* cadence */
    [5] = R_DIST,     /* distance */
    [6] = R_SPEED,    /* speed */
    [7] = R_POWER,    /* power */
    [13] = R_TEMP,    /* temperature */
    [53] = R_CADF,    /* fractional_cadence */
    [73] = R_SPEEDE,  /* enhanced_speed */
    [78] = R_ALTE,    /* enhanced_altitude */
};

static void on_record(struct pl__fitact *f, const struct pl_fit_msg *m)
{
    double x[R_N];
    for (int k = 0; k < R_N; k++)
        x[k] = NAN;
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        const struct pl_fit_field *fd = v->field;
        unsigned slot = fd->num < 256 ? record_slot[fd->num] : 0;
        if (slot && !(fd->flags & PL_FIT_F_DEV))
            x[slot] = num(v);
    }
    struct pl__sample s;
    s.v[PL__S_T] = epoch(x[R_TS]);
    s.v[PL__S_HR] = x[R_HR];
    s.v[PL__S_DIST] = x[R_DIST];
    s.v[PL__S_POWER] = x[R_POWER];
    s.v[PL__S_TEMP] = x[R_TEMP];
    s.v[PL__S_LAT] = s.v[PL__S_LON] = NAN;
    s.v[PL__S_CAD] = NAN;
    double alt = x[R_ALT], alt_enh = x[R_ALTE], speed = x[R_SPEED], speed_enh = x[R_SPEEDE];
    double cad = x[R_CAD], cad_frac = x[R_CADF], lat = x[R_LAT], lon = x[R_LON];
    if (isnan(s.v[PL__S_T])) {
        f->records_no_time++;
        return;
    }
    s.v[PL__S_ALT] = isnan(alt_enh) ? alt : alt_enh;
    s.v[PL__S_SPEED] = isnan(speed_enh) ? speed : speed_enh;
    if (!isnan(cad))
        s.v[PL__S_CAD] = cad + (isnan(cad_frac) ? 0 : cad_frac);
    lat *= SEMICIRCLE_DEG;
    lon *= SEMICIRCLE_DEG;
    if (fabs(lat) <= 90 && fabs(lon) <= 180) {
        s.v[PL__S_LAT] = lat;
        s.v[PL__S_LON] = lon;
    }
    struct pl_activity *a = &f->acc;
    struct pl_diag d;
    int rc;
    /* Two records of the same second (sensors written separately) are one
     * sample. */
    if (a->n > 0 && a->t_s[a->n - 1] == s.v[PL__S_T])
        rc = pl__activity_merge_last(a, &s, &d);
    else
        rc = pl__activity_push(a, &s, &d);
    if (rc)
        stop(f, rc, m->offset, d.msg);
}

static void on_lap(struct pl__fitact *f, const struct pl_fit_msg *m)
{
    struct pl_lap l = { .start_s = 0, .duration_s = NAN, .moving_s = NAN, .dist_m = NAN,
                        .hr_avg_bpm = NAN, .hr_max_bpm = NAN, .ascent_m = NAN,
                        .descent_m = NAN };
    double start = NAN, end = NAN;
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        if (v->field->flags & PL_FIT_F_DEV)
            continue;
        double x = pl_fit_value_num(v);
        switch (v->field->num) {
        case FIELD_TIMESTAMP: end = epoch(x); break;
        case 2: start = epoch(x); break;            /* start_time */
        case 7: l.duration_s = x; break;            /* total_elapsed_time */
        case 8: l.moving_s = x; break;              /* total_timer_time */
        case 9: l.dist_m = x; break;                /* total_distance */
        case 15: l.hr_avg_bpm = x; break;           /* avg_heart_rate */
        case 16: l.hr_max_bpm = x; break;           /* max_heart_rate */
        case 21: l.ascent_m = x; break;             /* total_ascent */
        case 22: l.descent_m = x; break;            /* total_descent */
        case 25:                                    /* sport */
            if (f->lap_sport < 0)
                f->lap_sport = small(x, 254);
            break;
        }
    }
    if (isnan(start) && !isnan(end) && !isnan(l.duration_s))
        start = epoch(end - PL_FIT_EPOCH_S - l.duration_s);
    if (isnan(start))
        return; /* a lap that says not when it was is no use */
    l.start_s = (int64_t)floor(start);
    bool nomem;
    if (!pl__activity_add_lap(&f->acc, &l, &nomem)) {
        if (nomem) {
            stop(f, PL_ENOMEM, m->offset, "out of memory");
        } else if (f->laps_dropped++ == 0) {
            struct pl_diag w;
            pl__diag(&w, PL_ELIMIT, m->offset, "more than %d laps; the rest are left out",
                     PL_ACT_LAPS_MAX);
            pl__emit_warning(f->e, &w);
        }
    }
}

static void on_session(struct pl__fitact *f, const struct pl_fit_msg *m)
{
    struct session s = { .start_s = NAN, .elapsed_s = NAN, .timer_s = NAN, .dist_m = NAN,
                         .ascent_m = NAN, .descent_m = NAN, .hr_avg = NAN, .hr_max = NAN,
                         .cad = NAN, .cad_frac = NAN, .power = NAN, .te = NAN, .ate = NAN,
                         .rpe = NAN, .sport = -1, .sub = -1 };
    double end = NAN;
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        if (v->field->flags & PL_FIT_F_DEV)
            continue;
        double x = pl_fit_value_num(v);
        if (isnan(x))
            continue;
        switch (v->field->num) {
        case FIELD_TIMESTAMP: end = epoch(x); break;
        case 2: s.start_s = epoch(x); break;        /* start_time */
        case 5: s.sport = small(x, 254); break;     /* sport */
        case 6: s.sub = small(x, 254); break;       /* sub_sport */
        case 7: s.elapsed_s = x; break;             /* total_elapsed_time */
        case 8: s.timer_s = x; break;               /* total_timer_time */
        case 9: s.dist_m = x; break;                /* total_distance */
        case 16: s.hr_avg = x; break;               /* avg_heart_rate */
        case 17: s.hr_max = x; break;               /* max_heart_rate */
        case 18: s.cad = x; break;                  /* avg_cadence */
        case 20: s.power = x; break;                /* avg_power */
        case 22: s.ascent_m = x; break;             /* total_ascent */
        case 23: s.descent_m = x; break;            /* total_descent */
        case 24: s.te = x; break;                   /* total_training_effect */
        case 92: s.cad_frac = x; break;             /* avg_fractional_cadence */
        case 137: s.ate = x; break;                 /* total_anaerobic_training_effect */
        case 193: s.rpe = x; break;                 /* workout_rpe */
        }
    }
    if (isnan(s.start_s) && !isnan(end) && !isnan(s.elapsed_s))
        s.start_s = epoch(end - PL_FIT_EPOCH_S - s.elapsed_s);
    if (f->nsess >= PL_ACT_PER_FILE_MAX) {
        stop(f, PL_ELIMIT, m->offset, "too many sessions");
        return;
    }
    if (f->nsess == f->sess_cap) {
        size_t cap = f->sess_cap ? f->sess_cap * 2 : 4;
        struct session *g = pl__realloc(f->sess, cap * sizeof *g);
        if (!g) {
            stop(f, PL_ENOMEM, m->offset, "out of memory");
            return;
        }
        f->sess = g;
        f->sess_cap = cap;
    }
    f->sess[f->nsess++] = s;
}

static void on_activity_msg(struct pl__fitact *f, const struct pl_fit_msg *m)
{
    const struct pl_fit_value *ts = pl_fit_msg_find(m, FIELD_TIMESTAMP);
    const struct pl_fit_value *local = pl_fit_msg_find(m, 5); /* local_timestamp */
    double t = pl_fit_value_num(ts), lt = pl_fit_value_num(local);
    if (isnan(t) || isnan(lt))
        return;
    /* Both count seconds from the FIT epoch, one in UTC and one on the
     * device's clock (FIT profile, types date_time and local_date_time);
     * real offsets lie within -12 h and +14 h. */
    double off = lt - t;
    if (off < -12 * 3600 || off > 14 * 3600)
        return;
    f->acc.utc_offset_s = (int32_t)lround(off);
    f->acc.utc_offset_known = true;
}

static int on_msg(void *ctx, const struct pl_fit_msg *m)
{
    struct pl__fitact *f = ctx;
    if (f->err)
        return 1;
    if (!f->open)
        begin_segment(f);
    if (m->global == MSG_FILE_ID) {
        on_file_id(f, m);
        return 0;
    }
    if (f->file_type >= 0 && f->file_type != FILE_ACTIVITY)
        return 0;
    switch (m->global) {
    case MSG_RECORD: on_record(f, m); break;
    case MSG_LAP: on_lap(f, m); break;
    case MSG_SESSION: on_session(f, m); break;
    case MSG_ACTIVITY: on_activity_msg(f, m); break;
    case MSG_SPORT: {
        double s = pl_fit_value_num(pl_fit_msg_find(m, 0));
        double sub = pl_fit_value_num(pl_fit_msg_find(m, 1));
        if (small(s, 254) >= 0)
            f->sport_msg = small(s, 254);
        if (small(sub, 254) >= 0)
            f->sub_msg = small(sub, 254);
        break;
    }
    case MSG_WORKOUT: {
        const struct pl_fit_value *n = pl_fit_msg_find(m, 8); /* wkt_name */
        if (n && n->kind == PL_FIT_K_STRING && !f->acc.name[0])
            pl__copy_text(f->acc.name, sizeof f->acc.name, (const char *)n->u.bytes.p,
                          strnlen((const char *)n->u.bytes.p, n->u.bytes.n));
        break;
    }
    }
    return f->err ? 1 : 0;
}

static int cmp_session(const void *x, const void *y)
{
    const struct session *a = x, *b = y;
    if (isnan(a->start_s) || isnan(b->start_s))
        return isnan(a->start_s) - isnan(b->start_s);
    return (a->start_s > b->start_s) - (a->start_s < b->start_s);
}

static void apply_session(struct pl_activity *a, const struct session *s, int sport, int sub)
{
    a->sport = (uint8_t)(s->sport >= 0 ? s->sport : sport >= 0 ? sport : 0);
    a->sub_sport = (uint8_t)(s->sport >= 0 ? (s->sub >= 0 ? s->sub : 0) : sub >= 0 ? sub : 0);
    if (!isnan(s->start_s))
        a->start_s = (int64_t)floor(s->start_s);
    a->duration_s = s->elapsed_s;
    a->moving_s = s->timer_s;
    a->dist_m = s->dist_m;
    a->ascent_m = s->ascent_m;
    a->descent_m = s->descent_m;
    a->hr_avg_bpm = s->hr_avg;
    a->hr_max_bpm = s->hr_max;
    if (!isnan(s->cad)) {
        double c = s->cad + (isnan(s->cad_frac) ? 0 : s->cad_frac);
        a->cadence_avg_spm = pl__sport_counts_steps(a->sport) ? 2 * c : c;
    }
    a->power_avg_w = s->power;
    a->training_effect = s->te;
    a->anaerobic_training_effect = s->ate;
    a->rpe = s->rpe;
}

/* First sample index with t >= from (samples in time order). */
static size_t index_at(const struct pl_activity *a, double from)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->t_s[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int end_segment(struct pl__fitact *f, struct pl_diag *diag)
{
    struct pl_activity *acc = &f->acc;
    f->open = false;
    if (f->file_type >= 0 && f->file_type != FILE_ACTIVITY) {
        note_skip(f, f->file_type);
        return 0;
    }
    if (f->records_no_time) {
        struct pl_diag w;
        pl__diag(&w, PL_EFORMAT, UINT64_MAX, "%llu records without a timestamp were left out",
                 (unsigned long long)f->records_no_time);
        pl__emit_warning(f->e, &w);
    }
    int sport = f->sport_msg >= 0 ? f->sport_msg : f->lap_sport;
    if (f->nsess == 0) {
        if (acc->n == 0) {
            if (!f->skip_reason[0])
                snprintf(f->skip_reason, sizeof f->skip_reason,
                         "an activity file with no records or sessions");
            return 0;
        }
        acc->sport = (uint8_t)(sport >= 0 ? sport : 0);
        acc->sub_sport = (uint8_t)(f->sub_msg >= 0 ? f->sub_msg : 0);
        return pl__emit(f->e, acc, diag);
    }
    qsort(f->sess, f->nsess, sizeof *f->sess, cmp_session);
    if (f->nsess == 1) {
        apply_session(acc, &f->sess[0], sport, f->sub_msg);
        return pl__emit(f->e, acc, diag);
    }
    /* Several sessions: each takes the samples and laps from its start to
     * the next one's; the first also takes any before it. */
    int rc = 0;
    for (size_t i = 0; i < f->nsess && !rc; i++) {
        const struct session *s = &f->sess[i];
        double from = i == 0 || isnan(s->start_s) ? -INFINITY : s->start_s;
        double to = i + 1 < f->nsess && !isnan(f->sess[i + 1].start_s) ? f->sess[i + 1].start_s
                                                                       : INFINITY;
        struct pl_activity a;
        pl_activity_init(&a);
        size_t i0 = index_at(acc, from), i1 = index_at(acc, to);
        if (pl__activity_slice(&a, acc, i0, i1)) {
            pl_activity_release(&a);
            return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        }
        a.start_s = PL__START_UNKNOWN;
        for (size_t j = 0; j < acc->nlaps; j++) {
            double ls = (double)acc->laps[j].start_s;
            bool nomem;
            if (ls >= from && ls < to && !pl__activity_add_lap(&a, &acc->laps[j], &nomem) &&
                nomem) {
                pl_activity_release(&a);
                return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            }
        }
        apply_session(&a, s, sport, f->sub_msg);
        rc = pl__emit(f->e, &a, diag);
    }
    return rc;
}

static int on_header(void *ctx, const struct pl_fit_header *h)
{
    (void)h;
    struct pl__fitact *f = ctx;
    if (f->err)
        return 1;
    if (f->open && end_segment(f, &f->diag)) {
        f->err = f->diag.code;
        return 1;
    }
    begin_segment(f);
    return 0;
}

static int on_trailer(void *ctx, const struct pl_fit_trailer *t)
{
    (void)t;
    struct pl__fitact *f = ctx;
    if (f->err)
        return 1;
    if (f->open && end_segment(f, &f->diag)) {
        f->err = f->diag.code;
        return 1;
    }
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    struct pl__fitact *f = ctx;
    pl__emit_warning(f->e, w);
}

struct pl__fitact *pl__fitact_new(struct pl__emit *e, unsigned fit_options)
{
    struct pl__fitact *f = pl__calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->e = e;
    pl_activity_init(&f->acc);
    struct pl_fit_handler h = { .ctx = f, .on_header = on_header, .on_msg = on_msg,
                                .on_trailer = on_trailer, .on_warning = on_warning };
    f->dec = pl_fit_decoder_new(&h, fit_options);
    if (!f->dec) {
        pl__free(f);
        return NULL;
    }
    return f;
}

/* After the decoder stopped: our own error when a callback stopped it. */
static int result(struct pl__fitact *f, int rc, struct pl_diag *diag)
{
    if (f->err) {
        if (diag)
            *diag = f->diag;
        return f->err;
    }
    return rc;
}

int pl__fitact_feed(struct pl__fitact *f, const void *buf, size_t n, struct pl_diag *diag)
{
    int rc = pl_fit_decoder_feed(f->dec, buf, n, diag);
    return rc ? result(f, rc, diag) : 0;
}

int pl__fitact_finish(struct pl__fitact *f, struct pl_diag *diag)
{
    int rc = pl_fit_decoder_finish(f->dec, diag);
    if (rc == PL_ETRUNCATED && !f->err && f->open) {
        /* A file cut short (docs/internals/fit.md, damaged files): the
         * activity its complete records make is delivered, then the error
         * is returned, so that the importer keeps it with a warning (and
         * with --strict refuses it). */
        struct pl_diag cut;
        pl_diag_clear(&cut);
        if (diag)
            cut = *diag;
        int erc = end_segment(f, diag);
        if (erc)
            return erc;
        if (diag)
            *diag = cut;
        return rc;
    }
    if (rc)
        return result(f, rc, diag);
    if (f->open) {
        rc = end_segment(f, diag);
        if (rc)
            return rc;
    }
    if (f->e->count == 0)
        return pl__diag(diag, PL_ESKIPPED, UINT64_MAX, "%s",
                        f->skip_reason[0] ? f->skip_reason : "a FIT file with no activity");
    return 0;
}

void pl__fitact_free(struct pl__fitact *f)
{
    if (!f)
        return;
    pl_fit_decoder_free(f->dec);
    pl_activity_release(&f->acc);
    pl__free(f->sess);
    pl__free(f);
}
