/*
 * load.h - what the load model's files share (private to libpliant):
 * lib/model/metrics.c, lib/model/profile.c, lib/model/daily.c, lib/model/detect.c, lib/model/events.c,
 * and the load model's section at the end of lib/store/store.c, which holds its
 * SQL. The public contract is the "Training load" section of pliant.h;
 * the formulas and their sources are in docs/internals/load.md.
 */
#ifndef PL_LOAD_H
#define PL_LOAD_H

#include "base/internal.h"

/* Version of the profile-independent figures (struct pl__feat). Stored
 * with them; a pliant that computes them differently bumps it, and older
 * rows are computed again from the streams. */
#define PL__FEAT_VERSION 1
/* Version of the scoring (TRIMP, HRSS, rTSS, zones, the load rule): part
 * of every stored metrics row's inputs hash, so that bumping it rescores
 * every activity. */
#define PL__SCORE_VERSION 1

/* Best-effort durations for the critical-speed fit (3-20 min, Monod &
 * Scherrer's two-parameter model; docs/internals/load.md). */
#define PL__EFFORTS 6
extern const double pl__effort_s[PL__EFFORTS];

/* Graded-speed histogram: bins of this width from 0, the last bin holding
 * everything faster. */
#define PL__SPEED_BIN_MPS 0.05
#define PL__SPEED_BINS 200          /* up to 10 m/s, 1:40 per km */
#define PL__HR_BINS 256             /* one per bpm, 0..255 */

/* Histograms of one activity, in milliseconds per bin (exact integers, so
 * that what is stored is what is summed). Big enough to be allocated only
 * when an activity is scored. */
struct pl__hist {
    /* hr_ms[k] is the time at k bpm (samples rounded to whole beats, as
     * the store keeps them). */
    uint32_t hr_ms[PL__HR_BINS];
    /* sp_ms[k] is the time at a 30-s graded speed in [k, k + 1) x
     * PL__SPEED_BIN_MPS (the last bin: and above). */
    uint32_t sp_ms[PL__SPEED_BINS];
};

/* What an activity's streams say that does not depend on the profile:
 * computed once (lib/model/metrics.c, pl__feat_compute) and kept in the store
 * (activity_features). Times in seconds. */
struct pl__feat {
    int version;                    /* PL__FEAT_VERSION when computed */
    uint8_t sha256[32];             /* of the source it was computed from */
    int64_t samples;
    double hr_s;                    /* time covered by HR samples */
    double hr_peak5_bpm;            /* highest 5-s mean HR */
    double hr_best20_bpm;           /* best 20-min mean HR (activities with
                                       30 min of HR or more) */
    double ngp_mps;                 /* normalised graded speed */
    double graded_s;                /* time covered by graded speed */
    double start_lat_deg, start_lon_deg;
    double effort_mps[PL__EFFORTS]; /* best mean speed over each duration */
    struct pl__hist *hist;          /* NULL until loaded or computed */
};

/* An activity as the model sees it: its summary, its features and its
 * metrics, with the hashes that say whether the stored ones are current. */
struct pl__act {
    struct pl_metrics m;            /* the public part */
    uint8_t sub_sport;
    double dist_m, hr_avg_bpm;
    double rpe_raw;                 /* as stored (m.rpe is normalised) */
    unsigned streams;               /* stored stream kinds, bit mask */
    bool utc_offset_known;
    char name[128];
    uint8_t sha256[32];             /* the activity's source now */
    int64_t samples;
    bool have_feat;                 /* f holds current figures */
    bool feat_dirty;                /* computed now: to be stored */
    bool want_hist;                 /* to be rescored from stored histograms */
    bool stored_metrics;            /* m was read from the store... */
    uint64_t metrics_hash;          /* ...computed from these inputs */
    bool metrics_dirty;             /* rescored now: to be stored */
    struct pl__feat f;
};

/* The profile as the runner set it: NaN for a key not set. */
struct pl__profile_set {
    double v[PL_PROF_COUNT_];
};

/* ---- lib/model/metrics.c ---- */

/* Compute the profile-independent figures of an activity from its
 * streams (any but t may be NULL); f->hist must point at a histogram to
 * fill; scratch holds pl__feat_scratch_len(a->n) doubles. */
void pl__feat_compute(const struct pl_activity *a, struct pl__feat *f, double *scratch);
size_t pl__feat_scratch_len(size_t n);
/* What scoring needs from a profile, in tables by bpm, made once for all
 * activities. */
struct pl__scorer {
    const struct pl_profile *p;
    int sex;
    double max_bpm, rest_bpm, lthr_bpm, thr_mps;
    double trimp_w[PL__HR_BINS];       /* Banister TRIMP per minute */
    double trimp_lthr_hour;            /* TRIMP of one hour at LTHR */
    uint8_t edwards[PL__HR_BINS];      /* Edwards weight 0..5 */
    uint8_t zone[PL__HR_BINS];         /* 0..4 */
    bool above[PL__HR_BINS];           /* at or above LTHR */
};
void pl__scorer_init(struct pl__scorer *sc, const struct pl_profile *p);
/* Score an activity: every field of x->m that depends on the profile.
 * Uses x->f.hist when x->have_feat (it must then be loaded). */
void pl__metrics_score(struct pl__act *x, const struct pl__scorer *sc);
/* A hash of everything pl__metrics_score reads for x (its summary, its
 * features, the profile's values, PL__SCORE_VERSION). */
uint64_t pl__metrics_inputs_hash(const struct pl__act *x,
                                 const struct pl_profile *p);

/* The whole per-activity model of a store, brought up to date
 * (pl_metrics_update's work): activities oldest first, and the effective
 * profile. */
struct pl__model {
    size_t n;
    struct pl__act *acts;
    struct pl_profile profile;
    struct pl_metrics_stats stats;
};
int pl__model_build(struct pl_store *s, bool force, struct pl__model *mo,
                    struct pl_diag *diag);
void pl__model_release(struct pl__model *mo);

/* ---- lib/model/profile.c ---- */

/* The effective profile from what was set and the activities (their
 * features). */
void pl__profile_effective(const struct pl__profile_set *set,
                           const struct pl__act *acts, size_t n,
                           struct pl_profile *p);

/* ---- lib/model/detect.c ---- */

/* Flags, reasons, trips and habit for a model over its days (l->days
 * filled by the series, l->metrics by the model). */
int pl__detect(struct pl_load *l, const struct pl__act *acts,
               const struct pl_event *events, size_t nevents,
               const struct pl_load_options *o, struct pl_diag *diag);
/* Append "; "-separated text to a reasons field, cut to fit. */
void pl__reason_add(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- lib/store/store.c, the load model's section ---- */

/* The profile as set. */
int pl__store_profile_read(struct pl_store *s, struct pl__profile_set *set,
                           struct pl_diag *diag);
/* Replace the values of the keys whose bit is in mask (NaN deletes) in one
 * transaction. */
int pl__store_profile_write(struct pl_store *s, const struct pl__profile_set *set,
                            unsigned mask, struct pl_diag *diag);

/* Every activity's summary, with its stored features' scalars (not the
 * histograms: have_hist false) when they are current, and its stored
 * metrics with their inputs hash; oldest first. *acts is allocated. */
int pl__store_model_read(struct pl_store *s, struct pl__act **acts, size_t *n,
                         struct pl_diag *diag);
/* Load the stored histograms of every activity with want_hist into its
 * f.hist (allocated here). */
int pl__store_feat_hists(struct pl_store *s, struct pl__act *acts, size_t n,
                         struct pl_diag *d);
/* An activity with only the streams the features need (time, HR, speed,
 * distance, altitude, latitude, longitude); as pl_store_get. */
int pl__store_get_for_feat(struct pl_store *s, int64_t id, struct pl_activity *a,
                           struct pl_diag *diag);
/* Store the dirty features and metrics of acts[0..n) in one transaction.
 * *readonly set (and PL_OK returned) when the store cannot be written. */
int pl__store_model_write(struct pl_store *s, const struct pl__act *acts, size_t n,
                          bool *readonly, struct pl_diag *diag);

/* Events. */
int pl__store_event_add(struct pl_store *s, struct pl_event *e, struct pl_diag *diag);
int pl__store_event_list(struct pl_store *s, int32_t from_day, int32_t to_day,
                         int (*fn)(void *ctx, const struct pl_event *e), void *ctx,
                         struct pl_diag *diag);
int pl__store_event_rm(struct pl_store *s, int64_t id, struct pl_diag *diag);

#endif
