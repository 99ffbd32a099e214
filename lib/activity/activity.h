/*
 * activity.h - what the activity readers share (private to libpliant).
 *
 * lib/activity/activity.c owns struct pl_activity's memory, the sample streams and
 * the summaries computed when a file does not give them
 * (docs/internals/activity.md); lib/activity/fitactivity.c, lib/formats/gpx.c and lib/formats/tcx.c
 * turn one format's events into activities through these calls, and hand
 * each finished one to pl__emit().
 */
#ifndef PL_ACTIVITY_H
#define PL_ACTIVITY_H

#include "base/internal.h"

/* One sample as a reader collects it: NaN for what the file did not say.
 * Index with enum pl__stream. t is absolute (UTC seconds, fractional)
 * while an activity is being built; pl__activity_finish() makes the
 * stream relative to start_s. */
enum pl__stream {
    PL__S_T, PL__S_HR, PL__S_SPEED, PL__S_DIST, PL__S_ALT, PL__S_LAT,
    PL__S_LON, PL__S_CAD, PL__S_POWER, PL__S_TEMP,
    PL__S_COUNT
};
struct pl__sample {
    double v[PL__S_COUNT];
};
void pl__sample_clear(struct pl__sample *s);

/* The address of stream k's pointer in a (&a->t_s, &a->hr_bpm, ...). */
double **pl__activity_stream(struct pl_activity *a, int k);

/* Append one sample (its time must be finite). A stream first seen at
 * sample i is allocated then and its first i samples are NaN. Arrays grow
 * geometrically up to PL_ACT_SAMPLES_MAX samples; PL_ELIMIT past it (diag
 * filled), PL_ENOMEM. */
int pl__activity_push(struct pl_activity *a, const struct pl__sample *s,
                      struct pl_diag *diag);
/* Merge a sample into the last one (a device that writes two records for
 * the same second): its known values replace the last sample's. */
int pl__activity_merge_last(struct pl_activity *a, const struct pl__sample *s,
                            struct pl_diag *diag);
/* Append a lap (copied); false when PL_ACT_LAPS_MAX laps are there already
 * (the caller warns) or out of memory (*nomem set). */
bool pl__activity_add_lap(struct pl_activity *a, const struct pl_lap *lap,
                          bool *nomem);
/* Copy samples [i0, i1) and every scalar field of src into dst (which is
 * init'ed); laps are not copied. PL_ENOMEM. */
int pl__activity_slice(struct pl_activity *dst, const struct pl_activity *src,
                       size_t i0, size_t i1);

/* Mark start_s as not yet known (readers that learn it late). */
#define PL__START_UNKNOWN INT64_MIN

/* Complete an activity whose t_s are still absolute: start_s (from the
 * first sample when unknown), relative t_s, and every summary the file did
 * not give (NaN ones): duration, distance (and the distance stream from GPS
 * when absent), ascent and descent, HR, cadence, power, moving time, and
 * lap figures. Rules in docs/internals/activity.md. PL_ENOMEM. */
int pl__activity_finish(struct pl_activity *a);

/* Great-circle distance in metres between two points given in degrees. */
double pl__haversine_m(double lat1, double lon1, double lat2, double lon2);

/* Sport and sub-sport for a name in any spelling pl_sport_parse() knows;
 * false when unknown (then *sport and *sub are untouched). */
bool pl__sport_lookup(const char *name, uint8_t *sport, uint8_t *sub);
/* True for sports counted in steps (running, walking, hiking...): their
 * cadence is written per stride (one foot) by devices and stored here in
 * steps per minute, twice the stride rate. */
bool pl__sport_counts_steps(uint8_t sport);

/* Where readers deliver activities and warnings. */
struct pl__emit {
    const struct pl_reader_handler *h;
    uint8_t source_kind;
    unsigned count;          /* activities delivered */
    unsigned warnings;       /* warnings delivered (capped) */
};
/* Finish a (pl__activity_finish), hand it to the caller's on_activity and
 * release it unless the caller moved it out. PL_ECANCELED when the callback
 * returned non-zero, PL_ELIMIT past PL_ACT_PER_FILE_MAX activities. */
int pl__emit(struct pl__emit *e, struct pl_activity *a, struct pl_diag *diag);
/* Pass a warning on (at most PL_FIT_WARNINGS_MAX per file). */
void pl__emit_warning(struct pl__emit *e, const struct pl_diag *w);

/* ISO 8601 / XML Schema dateTime, as GPX and TCX write it
 * ("2020-06-08T01:22:15.000Z", "2015-12-11T15:43:13+01:00",
 * "2013-01-01T12:00:00" taken as UTC) -> UTC seconds. *offset_s gets the
 * written UTC offset and *has_offset whether one was written (Z counts as
 * none: it says UTC, not where the runner was). false when malformed. */
bool pl__parse_time(const char *s, size_t n, double *utc_s, int32_t *offset_s,
                    bool *has_offset);
/* A decimal number spanning all of s[0..n) but surrounding blanks; false
 * otherwise (NaN and infinities are refused). */
bool pl__parse_num(const char *s, size_t n, double *out);

/* Copy text into a fixed field of cap bytes: blanks around it trimmed,
 * cut at a UTF-8 character boundary, always NUL-terminated. */
void pl__copy_text(char *dst, size_t cap, const char *src, size_t n);

/* The XML readers (lib/formats/gpx.c, lib/formats/tcx.c) over lib/formats/xml.c's events. */
struct pl__xml;
struct pl__xml_format {
    void *ctx;
    /* An element starts: name is local (prefix cut); attrs is expat's
     * name, value, ..., NULL with names as written: look them up with
     * pl__xml_attr(), which compares local names. */
    void (*on_start)(void *ctx, struct pl__xml *x, const char *name,
                     const char **attrs);
    /* An element ends; text is its direct text when it asked for it with
     * pl__xml_collect() (NUL-terminated), else NULL. */
    void (*on_end)(void *ctx, struct pl__xml *x, const char *name,
                   const char *text, size_t n);
    /* The document ended well: deliver what is left, or say why nothing
     * was (PL_ESKIPPED). */
    int (*finish)(void *ctx, struct pl_diag *diag);
    void (*free)(void *ctx);
};
/* Create the reader for a root element ("gpx", "TrainingCenterDatabase");
 * NULL with *rc = PL_ENOMEM, or *rc = 0 when the root is neither. */
struct pl__xml_format *pl__gpx_new(struct pl__emit *e, int *rc);
struct pl__xml_format *pl__tcx_new(struct pl__emit *e, int *rc);

/* The FIT activity reader (lib/activity/fitactivity.c), fed by the reader. */
struct pl__fitact;
struct pl__fitact *pl__fitact_new(struct pl__emit *e, unsigned fit_options);
int pl__fitact_feed(struct pl__fitact *f, const void *buf, size_t n,
                    struct pl_diag *diag);
int pl__fitact_finish(struct pl__fitact *f, struct pl_diag *diag);
void pl__fitact_free(struct pl__fitact *f);

#endif
