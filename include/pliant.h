/*
 * pliant.h - the one public header of libpliant.
 *
 * libpliant reads a runner's activity files and turns them into training
 * load and a recovery plan. This header is the whole contract: the CLI and
 * the server use nothing else. Conventions, as in the house style:
 *  - actions return int: 0 (PL_OK) or a PL_E* code; questions return bool;
 *  - every fallible call takes a struct pl_diag that says what went wrong
 *    and where (file, byte offset or line:column);
 *  - the library never prints and never exits;
 *  - time is UTC seconds (Unix epoch) unless a name says otherwise;
 *    units come last in names (dist_m, speed_mps).
 */
#ifndef PLIANT_H
#define PLIANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* One list generates the enum, pl_err_name() and pl_strerror(). */
#define PL_ERRNO_MAP(X)                                                      \
    X(OK, "success")                                                         \
    X(NOMEM, "out of memory")                                                \
    X(INVAL, "invalid argument")                                             \
    X(IO, "input/output error")                                              \
    X(TRUNCATED, "input ends too early")                                     \
    X(CRC, "checksum mismatch")                                              \
    X(FORMAT, "malformed input")                                             \
    X(NOTFIT, "not a FIT file")                                              \
    X(LIMIT, "input exceeds a limit")                                        \
    X(UNSUPPORTED, "unsupported input")                                      \
    X(CANCELED, "stopped by the caller")                                     \
    X(SKIPPED, "not an activity")                                            \
    X(NOTFOUND, "not found")                                                 \
    X(DB, "database error")

enum pl_err {
#define PL_ERR_ENUM_(name, msg) PL_E##name,
    PL_ERRNO_MAP(PL_ERR_ENUM_)
#undef PL_ERR_ENUM_
    PL_ERR_COUNT_
};
#define PL_OK PL_EOK

/* "PL_ETRUNCATED" for PL_ETRUNCATED; "PL_E?" for an unknown code. */
const char *pl_err_name(int err);
/* "input ends too early" for PL_ETRUNCATED. */
const char *pl_strerror(int err);

/* What went wrong and where. Filled by every fallible call on failure, and
 * for warnings. offset is a byte offset into the input (UINT64_MAX when it
 * does not apply); line and col are 1-based (0 when they do not apply). */
struct pl_diag {
    int code;
    uint64_t offset;
    uint32_t line, col;
    char msg[256];
};

void pl_diag_clear(struct pl_diag *d);

/* ------------------------------------------------------------------ */
/* Memory                                                               */
/* ------------------------------------------------------------------ */

/* Every allocation in libpliant goes through these hooks. Passing NULL
 * restores the C library's. Not thread-safe: set before other calls. Tests
 * use it to fail the N-th allocation and prove that nothing leaks. */
struct pl_allocator {
    void *(*malloc_fn)(void *ctx, size_t n);
    void *(*realloc_fn)(void *ctx, void *p, size_t n);
    void (*free_fn)(void *ctx, void *p);
    void *ctx;
};
void pl_set_allocator(const struct pl_allocator *a);

/* ------------------------------------------------------------------ */
/* FIT decoding                                                         */
/* ------------------------------------------------------------------ */

/* FIT base types (FIT protocol, "Base Types" table). */
enum pl_fit_base {
    PL_FIT_ENUM = 0x00, PL_FIT_SINT8 = 0x01, PL_FIT_UINT8 = 0x02,
    PL_FIT_SINT16 = 0x03, PL_FIT_UINT16 = 0x04, PL_FIT_SINT32 = 0x05,
    PL_FIT_UINT32 = 0x06, PL_FIT_STRING = 0x07, PL_FIT_FLOAT32 = 0x08,
    PL_FIT_FLOAT64 = 0x09, PL_FIT_UINT8Z = 0x0A, PL_FIT_UINT16Z = 0x0B,
    PL_FIT_UINT32Z = 0x0C, PL_FIT_BYTE = 0x0D, PL_FIT_SINT64 = 0x0E,
    PL_FIT_UINT64 = 0x0F, PL_FIT_UINT64Z = 0x10,
    PL_FIT_BASE_COUNT_
};

/* "uint16" for PL_FIT_UINT16; NULL for a number that is no base type. */
const char *pl_fit_base_name(unsigned base);
/* Size in bytes of one value of the base type; 0 for an unknown one. */
unsigned pl_fit_base_size(unsigned base);

/* Seconds between the Unix epoch and the FIT epoch, 1989-12-31T00:00:00Z
 * (FIT protocol, "date_time" type). */
#define PL_FIT_EPOCH_S 631065600

/* How a field's value is typed once decoded. */
enum pl_fit_kind {
    PL_FIT_K_NUMBER,   /* one or more numbers, scale and offset applied */
    PL_FIT_K_STRING,   /* UTF-8 bytes, up to the first NUL; a developer
                          field may hold several strings separated by
                          NULs */
    PL_FIT_K_BYTES,    /* raw bytes: a size that is not a multiple of the
                          base type, an unknown base type */
};

/* How a field is presented (from the profile). */
enum pl_fit_show {
    PL_FIT_SHOW_NUMBER,     /* a plain number (scaled) */
    PL_FIT_SHOW_ENUM,       /* a number with names: pl_fit_enum_name() */
    PL_FIT_SHOW_DATE_TIME,  /* seconds since the FIT epoch, UTC */
    PL_FIT_SHOW_STRING,
};

/* Field flags. */
#define PL_FIT_F_DEV 0x01        /* a developer field */
#define PL_FIT_F_SUBFIELD 0x04   /* a sub-field chosen by a reference field */
#define PL_FIT_F_ARRAY 0x08      /* the profile (or field_description) says
                                    this field is an array */
#define PL_FIT_F_UNKNOWN 0x10    /* not in the profile: name is NULL */

/* What a field is. Profile fields point at static descriptions that live as
 * long as the program; developer and unknown fields point at descriptions
 * owned by the decoder, valid until the next definition of the same local
 * type or the end of the segment. */
struct pl_fit_field {
    const char *name;      /* snake_case profile name, or NULL if unknown */
    const char *units;     /* "" when none */
    uint16_t num;          /* field number in its message */
    uint16_t type;         /* profile type index for pl_fit_enum_name() */
    uint8_t show;          /* enum pl_fit_show */
    uint8_t flags;         /* PL_FIT_F_* */
    uint8_t dev_index;     /* developer_data_index for developer fields */
    uint8_t base;          /* profile base type (the file's may differ) */
};

/* One decoded value. Valid during the callback that receives it. */
struct pl_fit_value {
    const struct pl_fit_field *field;
    uint8_t kind;          /* enum pl_fit_kind */
    uint8_t base;          /* base type as written in this file */
    uint16_t count;        /* number of elements, >= 1 */
    union {
        double num;                        /* count == 1, K_NUMBER */
        const double *nums;                /* count > 1, K_NUMBER; an invalid
                                              element is NaN */
        struct { const uint8_t *p; uint32_t n; } bytes; /* K_STRING, K_BYTES */
    } u;
    /* Exact integer for 64-bit base types (a double holds 53 bits). */
    uint64_t raw64;
};

/* One decoded message. Invalid (absent) fields are not listed. */
struct pl_fit_msg {
    uint16_t global;           /* global message number */
    const char *name;          /* "record", or NULL when unknown */
    uint8_t local;             /* local message type 0..15 */
    uint8_t segment;           /* which chained FIT file, from 0 */
    uint64_t offset;           /* byte offset of the record header */
    uint32_t nvalues;
    const struct pl_fit_value *values;
};

/* The file header of one segment. */
struct pl_fit_header {
    uint64_t offset;           /* where this segment starts */
    uint8_t size;              /* 12 or 14 */
    uint8_t protocol;          /* protocol version byte */
    uint16_t profile;          /* profile version, e.g. 2132 for 21.32 */
    uint32_t data_size;        /* as written */
    uint16_t crc;              /* header CRC as written, 0 = absent */
    bool crc_ok;               /* header CRC absent or matching */
    uint8_t segment;
};

/* Per-segment summary given at the end of each segment. */
struct pl_fit_trailer {
    uint8_t segment;
    uint16_t crc_file;         /* CRC stored in the file */
    uint16_t crc_computed;
    bool crc_present;          /* false when the file was cut before it */
    bool crc_ok;
};

/* Callbacks return 0 to go on, anything else to stop decoding with
 * PL_ECANCELED. Warnings never stop decoding by themselves. */
struct pl_fit_handler {
    void *ctx;
    int (*on_header)(void *ctx, const struct pl_fit_header *h);
    int (*on_msg)(void *ctx, const struct pl_fit_msg *m);
    int (*on_trailer)(void *ctx, const struct pl_fit_trailer *t);
    void (*on_warning)(void *ctx, const struct pl_diag *w);
};

/* Decoder options. */
#define PL_FIT_STRICT 0x01     /* a CRC mismatch or a recovered data size is
                                  an error (PL_ECRC / PL_EFORMAT), not a
                                  warning */
#define PL_FIT_RAW 0x02        /* no scale, offset, components or sub-fields:
                                  the numbers as stored */

/*
 * Streaming decoder. Feed the file in pieces of any size (one byte to the
 * whole file); messages are delivered as soon as they are complete. The
 * decoder keeps at most one message's bytes (PL_FIT_MSG_BYTES_MAX) of its
 * own, so memory does not grow with the file.
 *
 * CRC policy (docs/formats.md): the header CRC and each segment's file CRC
 * are checked. By default a mismatch is a warning and decoding goes on; with
 * PL_FIT_STRICT it is an error. Either way the trailer reports it.
 *
 * pl_fit_decoder_new: returns NULL when out of memory.
 * pl_fit_decoder_feed: 0, or an error with diag filled (offset = absolute
 *   byte offset). After an error the decoder stays in error: everything
 *   decoded before it has been delivered.
 * pl_fit_decoder_finish: call once at the end of input; reports a file cut
 *   before its declared end (PL_ETRUNCATED) or a file with no FIT header
 *   (PL_ENOTFIT).
 */
struct pl_fit_decoder;
struct pl_fit_decoder *pl_fit_decoder_new(const struct pl_fit_handler *h,
                                          unsigned options);
int pl_fit_decoder_feed(struct pl_fit_decoder *d, const void *buf, size_t n,
                        struct pl_diag *diag);
int pl_fit_decoder_finish(struct pl_fit_decoder *d, struct pl_diag *diag);
void pl_fit_decoder_free(struct pl_fit_decoder *d);

/* Decode a whole buffer: new + feed + finish + free. */
int pl_fit_decode(const void *buf, size_t n, const struct pl_fit_handler *h,
                  unsigned options, struct pl_diag *diag);

/* True when buf starts with a FIT file header (".FIT" at byte 8). */
bool pl_fit_is_fit(const void *buf, size_t n);

/* CRC-16 used by FIT (FIT protocol, "CRC"), continued from crc. */
uint16_t pl_fit_crc16(uint16_t crc, const void *buf, size_t n);

/* Profile look-ups. */
const char *pl_fit_profile_version(void);       /* "21.217.0" */
/* Name of value v of profile type `type`, or NULL. */
const char *pl_fit_enum_name(uint16_t type, uint32_t v);
/* Name of a global message number, or NULL. */
const char *pl_fit_msg_name(uint16_t global);
/* Global message number for a name; -1 when unknown. */
int pl_fit_msg_num(const char *name);

/* Value helpers: the first number of a value, NaN for non-numbers. */
double pl_fit_value_num(const struct pl_fit_value *v);
/* Find a field by profile number in a message (not developer fields);
 * NULL when absent. */
const struct pl_fit_value *pl_fit_msg_find(const struct pl_fit_msg *m,
                                           uint16_t field_num);

/* ------------------------------------------------------------------ */
/* FIT encoding                                                         */
/* ------------------------------------------------------------------ */

/*
 * Streaming FIT encoder (FIT protocol: "File Header", "Record Headers",
 * "Definition Messages", "Data Messages", "CRC"). A writer starts with a
 * 14-byte header, then emits definition and data messages in the order the
 * caller gives them; pl_fit_writer_finish() fills in the header's data size
 * and CRC and appends the file CRC. Define a local message type once, then
 * write as many data messages of it as needed: nothing is buffered beyond
 * the output itself, so a file of any length costs the same memory.
 *
 * Output goes either to memory (a growable buffer that never exceeds
 * bytes_max) or to a file (seekable: the header is rewritten at the end).
 * All multi-byte values are written little-endian (architecture 0).
 *
 * Errors are sticky: after a call fails, every later call on the same
 * writer returns the same code without writing, so a caller may check only
 * the result of pl_fit_writer_finish(). Codes: PL_EINVAL (a programmer
 * error: bad local type, undefined local type, value out of range for its
 * base type), PL_ELIMIT (output would exceed bytes_max, or the 4 GiB that
 * the header's data size can hold), PL_ENOMEM, PL_EIO.
 */
struct pl_fit_writer;

/* One field of a definition, in the order of the message's bytes. */
struct pl_fit_wfield {
    uint8_t num;        /* field number from the profile */
    uint8_t base;       /* enum pl_fit_base */
    uint8_t size;       /* bytes: the base type's size times the element
                           count; for a string, its capacity with the NUL */
    double scale;       /* stored = round((value + offset) * scale), as the
                           profile's scale and offset define them; a scale
                           of 0 is taken as 1 */
    double offset;
};

/* One value of a data message, for the field at the same index of its
 * definition. */
struct pl_fit_wvalue {
    double num;         /* a scalar in the profile's units; NaN writes the
                           base type's invalid value */
    const double *nums; /* arrays (size > base size): size / base size
                           numbers; NULL writes all invalid */
    const char *str;    /* PL_FIT_STRING: UTF-8, cut at a character boundary
                           to size - 1 bytes and NUL-padded; NULL writes an
                           empty string */
};

/* A writer into memory, capped at bytes_max bytes of output (the whole
 * file, header and CRC included). NULL when out of memory. */
struct pl_fit_writer *pl_fit_writer_new(size_t bytes_max);

/* A writer into a new file at path (created or truncated), capped at
 * bytes_max bytes. On failure *out is NULL and diag says why (PL_EIO,
 * PL_ENOMEM). A file whose writer is freed before a successful finish is
 * removed, so a failed run never leaves a half-written FIT file. */
int pl_fit_writer_open(struct pl_fit_writer **out, const char *path,
                       uint64_t bytes_max, struct pl_diag *diag);

/* Define local message type `local` (0..15) as global message `global` with
 * these fields, and write the definition record. Redefining a local type
 * replaces it for the messages that follow. At most 255 fields; each size
 * must be a non-zero multiple of its base type's size. The writer copies
 * the fields. */
int pl_fit_writer_define(struct pl_fit_writer *w, unsigned local,
                         uint16_t global, const struct pl_fit_wfield *fields,
                         unsigned nfields, struct pl_diag *diag);

/* Write one data message of a defined local type. values has one entry per
 * field of the definition, in its order. A value that does not fit its
 * base type after scaling (or that equals the base type's invalid value)
 * is PL_EINVAL, with the global message and field number in diag. */
int pl_fit_writer_write(struct pl_fit_writer *w, unsigned local,
                        const struct pl_fit_wvalue *values,
                        struct pl_diag *diag);

/* Complete the file: data size and header CRC, then the file CRC. For a
 * file writer, flushes and closes the file. No message may follow. */
int pl_fit_writer_finish(struct pl_fit_writer *w, struct pl_diag *diag);

/* Bytes written so far, header included (the CRC once finished). */
uint64_t pl_fit_writer_size(const struct pl_fit_writer *w);

/* The output of a memory writer: valid until the next call on w; the whole
 * file once finished. NULL (and *n = 0) for a file writer. */
const uint8_t *pl_fit_writer_bytes(const struct pl_fit_writer *w, size_t *n);

/* Release the writer (and close and remove an unfinished file). NULL is
 * fine. */
void pl_fit_writer_free(struct pl_fit_writer *w);

/* Intensity of a workout step or lap (FIT profile 21.217, type
 * "intensity"). */
enum pl_fit_intensity {
    PL_FIT_INTENSITY_ACTIVE = 0, PL_FIT_INTENSITY_REST = 1,
    PL_FIT_INTENSITY_WARMUP = 2, PL_FIT_INTENSITY_COOLDOWN = 3,
    PL_FIT_INTENSITY_RECOVERY = 4, PL_FIT_INTENSITY_INTERVAL = 5,
};

/* A timed workout step: the watch shows the name, counts down duration_s
 * and shows the notes. Open target (no pace or heart-rate goal). */
struct pl_fit_workout_step {
    const char *name;          /* up to PL_FIT_WORKOUT_NAME_BYTES - 1 bytes */
    uint32_t duration_s;       /* 1..PL_FIT_WORKOUT_STEP_S_MAX */
    uint8_t intensity;         /* enum pl_fit_intensity */
    const char *notes;         /* NULL for none; up to
                                  PL_FIT_WORKOUT_NOTES_BYTES - 1 bytes */
};

struct pl_fit_workout {
    const char *name;          /* shown in the watch's workout list */
    uint8_t sport;             /* FIT "sport": 1 running, 10 training */
    int64_t time_created_s;    /* UTC; also makes the file_id unique */
    uint16_t nsteps;           /* 1..PL_FIT_WORKOUT_STEPS_MAX */
    const struct pl_fit_workout_step *steps;
};

#define PL_FIT_WORKOUT_STEPS_MAX 1000
#define PL_FIT_WORKOUT_STEP_S_MAX (7 * 24 * 3600)
#define PL_FIT_WORKOUT_NAME_BYTES 48
#define PL_FIT_WORKOUT_NOTES_BYTES 128

/* Write a whole workout file's messages into a fresh writer: file_id (type
 * workout), workout, then one workout_step per step (FIT profile 21.217,
 * messages 0, 26, 27). Uses local types 0..2. Call pl_fit_writer_finish()
 * after it. PL_EINVAL for an empty or oversized workout. */
int pl_fit_writer_add_workout(struct pl_fit_writer *w,
                              const struct pl_fit_workout *wk,
                              struct pl_diag *diag);

/* ------------------------------------------------------------------ */
/* Simulation                                                           */
/* ------------------------------------------------------------------ */

/*
 * A made-up but plausible runner: weeks of training as FIT activity files
 * (1 Hz records with GPS, elevation, heart rate, cadence; laps, session and
 * activity messages), with the facts that detectors should find planted
 * and written down in truth.json: run kinds, evening runs, a trip far from
 * home into another UTC offset, and a race there. Deterministic: the same
 * options give the same bytes on the same build. docs/internals/simulate.md
 * explains the model.
 *
 * Use: pl_sim_plan() lays out the history; pl_sim_render() writes one
 * activity into a FIT writer (or pl_sim_write_dir() writes them all and
 * truth.json); the accessors describe what was planted.
 */
enum pl_sim_kind {
    PL_SIM_EASY, PL_SIM_INTERVALS, PL_SIM_TEMPO, PL_SIM_LONG, PL_SIM_RACE,
    PL_SIM_KIND_COUNT_
};
/* "easy", "intervals", "tempo", "long", "race"; NULL for another number. */
const char *pl_sim_kind_name(int kind);

#define PL_SIM_WEEKS_MAX 520            /* ten years */
#define PL_SIM_SINGLE_S_MAX (48 * 3600) /* one run of two days at most */
/* 2026-01-05, a Monday, as days since 1970-01-01: the default first day,
 * fixed so that a run with the defaults is reproducible. */
#define PL_SIM_START_DAY_DEFAULT 20458

struct pl_sim_options {
    uint64_t seed;
    int32_t start_day;   /* first local day, days since 1970-01-01; the
                            weekly pattern follows the calendar weekday */
    uint32_t weeks;      /* 1..PL_SIM_WEEKS_MAX */
    uint32_t single_s;   /* 0, or instead of a history one continuous easy
                            run of this many seconds (1 Hz records) on
                            start_day, e.g. 86400 for benchmarks;
                            60..PL_SIM_SINGLE_S_MAX */
};
/* Defaults: seed 1, start PL_SIM_START_DAY_DEFAULT, 12 weeks, no single. */
void pl_sim_options_init(struct pl_sim_options *o);

/* One planted activity. The rendered totals are 0 until pl_sim_render()
 * has written it. */
struct pl_sim_activity {
    int kind;                  /* enum pl_sim_kind */
    int64_t start_s;           /* UTC */
    int32_t utc_offset_s;      /* local time = UTC + offset */
    bool evening;              /* local start at or after 17:00 */
    bool away;                 /* run far from home (on the trip) */
    const char *place;         /* city where it starts */
    char file[40];             /* "2026-01-05-0712-easy.fit" (local time) */
    uint32_t planned_s;        /* planned moving time */
    /* rendered totals */
    bool rendered;
    double dist_m, timer_s, elapsed_s, ascent_m, descent_m;
    uint8_t hr_bpm_avg, hr_bpm_max;
};

/* A planted journey between two places (no activity file of its own). */
struct pl_sim_trip {
    int32_t day;               /* local date of travel, days since epoch */
    const char *from, *to;
    double dist_km;            /* great-circle distance */
    int32_t from_offset_s, to_offset_s;  /* UTC offsets that day */
};

struct pl_sim_race {
    int32_t day;               /* local date, days since epoch */
    const char *name;
    const char *place;
    double dist_m;
    size_t activity;           /* index of its activity */
};

struct pl_sim;

/* Lay out the history; no FIT bytes are made yet. PL_EINVAL with diag for
 * options out of range; PL_ENOMEM. *out is NULL on failure. */
int pl_sim_plan(const struct pl_sim_options *o, struct pl_sim **out,
                struct pl_diag *diag);
void pl_sim_free(struct pl_sim *s);

size_t pl_sim_count(const struct pl_sim *s);
/* Activities are in time order; NULL when i is out of range. */
const struct pl_sim_activity *pl_sim_activity(const struct pl_sim *s,
                                              size_t i);
size_t pl_sim_trip_count(const struct pl_sim *s);
const struct pl_sim_trip *pl_sim_trip(const struct pl_sim *s, size_t i);
size_t pl_sim_race_count(const struct pl_sim *s);
const struct pl_sim_race *pl_sim_race(const struct pl_sim *s, size_t i);
/* The home city's name. */
const char *pl_sim_home(const struct pl_sim *s);

/* Write activity i as a complete FIT activity file's messages into w (a
 * fresh writer; uses local types 0..6), and fill its rendered totals. The
 * caller finishes and frees w. The bytes depend only on the options and i,
 * not on which other activities were rendered. */
int pl_sim_render(struct pl_sim *s, size_t i, struct pl_fit_writer *w,
                  struct pl_diag *diag);

/* Write truth.json (what was planted, and the totals of rendered
 * activities) to path. Format: docs/internals/simulate.md. */
int pl_sim_write_truth(const struct pl_sim *s, const char *path,
                       struct pl_diag *diag);

/* Render every activity into dir/<file> and then write dir/truth.json. dir
 * must exist. Stops at the first error (diag names the file). */
int pl_sim_write_dir(struct pl_sim *s, const char *dir, struct pl_diag *diag);

/* ------------------------------------------------------------------ */
/* Activities                                                           */
/* ------------------------------------------------------------------ */

/* One normalised activity, whatever file it came from: SI units, UTC
 * seconds since the Unix epoch. A number that is not known is NaN; a
 * stream that is absent is NULL. Streams have n samples at the file's
 * native rate and share the time axis t_s (seconds from start_s).
 *
 * Ownership: the library owns everything a struct pl_activity points to;
 * pl_activity_release() frees it and leaves the struct empty. */

struct pl_lap {
    int64_t start_s;            /* UTC */
    double duration_s;          /* elapsed */
    double moving_s;            /* timer time when the device says, else
                                   computed as for the activity */
    double dist_m;
    double hr_avg_bpm, hr_max_bpm;
    double ascent_m, descent_m;
};

/* Kinds of source file. */
enum pl_source_kind { PL_SRC_FIT = 1, PL_SRC_GPX = 2, PL_SRC_TCX = 3 };

struct pl_activity {
    int64_t id;                 /* store id; 0 when not stored */
    uint8_t sport, sub_sport;   /* FIT profile "sport"/"sub_sport" values
                                   (running = 1); GPX/TCX types mapped */
    int64_t start_s;            /* UTC seconds */
    int32_t utc_offset_s;       /* local time = UTC + this */
    bool utc_offset_known;      /* false: offset guessed as 0 */
    double duration_s;          /* elapsed, first to last sample (or the
                                   device's total elapsed time) */
    double moving_s;            /* see docs/internals/activity.md */
    double dist_m;
    double ascent_m, descent_m;
    double hr_avg_bpm, hr_max_bpm;
    double cadence_avg_spm;     /* steps (running) or rpm, per minute */
    double power_avg_w;
    /* What the device itself said, when it said it (NaN otherwise); the
     * load issue uses them. */
    double training_effect, anaerobic_training_effect, rpe;
    char device[64];            /* "garmin fenix5", "" when unknown */
    char name[128];             /* activity or workout name, "" if none */
    char description[512];      /* e.g. from Strava's activities.csv */
    uint8_t source_kind;        /* enum pl_source_kind */
    char source_path[512];      /* file path, with "!inner/path" for a file
                                   inside an archive */
    uint8_t source_sha256[32];  /* of the source file's bytes (after gzip) */

    size_t nlaps;
    struct pl_lap *laps;

    size_t n;                   /* samples */
    double *t_s;                /* always present when n > 0 */
    double *hr_bpm, *speed_mps, *dist_m_s, *alt_m, *lat_deg, *lon_deg,
        *cadence_spm, *power_w, *temp_c;

    void *priv_;                /* the library's allocation bookkeeping */
};

void pl_activity_init(struct pl_activity *a);
void pl_activity_release(struct pl_activity *a);

/* Name of a FIT sport value ("running"), "generic" for an unknown one. */
const char *pl_sport_name(uint8_t sport);
/* FIT sport value for a name ("running", "Run", "Biking"...); -1 when
 * unknown. Case-insensitive; knows the GPX/TCX/Strava spellings. */
int pl_sport_parse(const char *name);

/* Reading activity files. A reader is pushed the bytes of one file (FIT,
 * GPX or TCX, recognised from the first bytes) and calls on_activity for
 * each activity in it (a TCX file may hold several). The activity passed
 * is the reader's: the callback may keep it by moving it out (struct copy,
 * then pl_activity_init on the original) or let the reader release it.
 *
 * Non-activity files (FIT settings, monitoring, workouts, weight scale;
 * a GPX with routes only) are not errors: pl_reader_finish returns
 * PL_ESKIPPED with diag->msg saying what the file is.
 * Errors carry the byte offset (FIT) or line:column (GPX, TCX). */
struct pl_reader_handler {
    void *ctx;
    int (*on_activity)(void *ctx, struct pl_activity *a);
    void (*on_warning)(void *ctx, const struct pl_diag *w);
};
struct pl_reader;
struct pl_reader *pl_reader_new(const struct pl_reader_handler *h,
                                unsigned fit_options);
int pl_reader_feed(struct pl_reader *r, const void *buf, size_t n,
                   struct pl_diag *diag);
int pl_reader_finish(struct pl_reader *r, struct pl_diag *diag);
void pl_reader_free(struct pl_reader *r);
/* Whole buffer: new + feed + finish + free. */
int pl_read_activities(const void *buf, size_t n,
                       const struct pl_reader_handler *h,
                       unsigned fit_options, struct pl_diag *diag);

/* ------------------------------------------------------------------ */
/* Store                                                                */
/* ------------------------------------------------------------------ */

/* The SQLite store (docs/internals/store.md). One writer at a time; every
 * change is one transaction, so a crash leaves it as it was before or
 * after the change, never between. */
struct pl_store;

/* Default path: $PLIANT_DB, else $XDG_DATA_HOME/pliant/pliant.db, else
 * ~/.local/share/pliant/pliant.db. Writes into buf (size n); false when
 * it does not fit or HOME is unset. */
bool pl_store_default_path(char *buf, size_t n);
/* Open (creating the file and its folder, and migrating the schema
 * forward) or fail with diag naming the path. */
int pl_store_open(struct pl_store **out, const char *path,
                  struct pl_diag *diag);
void pl_store_close(struct pl_store *s);

/* Group changes into one transaction, so that a file with several
 * activities (a TCX) is stored whole or not at all: pl_store_add and
 * pl_store_add_skipped between begin and commit become savepoints inside
 * it (a failed one is undone alone; the rest stays). pl_store_rollback
 * undoes everything since begin (and does nothing without it). Not nested:
 * PL_EINVAL for a second begin or a commit without begin. When SQLite
 * itself aborted the transaction (a full disk), later changes and the
 * commit fail with PL_EDB until the caller rolls back. */
int pl_store_begin(struct pl_store *s, struct pl_diag *diag);
int pl_store_commit(struct pl_store *s, struct pl_diag *diag);
void pl_store_rollback(struct pl_store *s);

/* True when a file with this hash was imported before (activity or
 * recorded skip). */
int pl_store_has_source(struct pl_store *s, const uint8_t sha256[32],
                        bool *yes, struct pl_diag *diag);

/* Outcome of adding an activity. */
enum pl_add_result {
    PL_ADD_NEW = 1,        /* stored as a new activity */
    PL_ADD_REPLACED,       /* a twin existed; this one is richer and took
                              its place (same id) */
    PL_ADD_TWIN,           /* a twin existed and is at least as rich: kept
                              that one, recorded this source as its twin */
    PL_ADD_SAME_FILE,      /* this activity of this exact file (same
                              hash, same start) was stored before */
};

/* Add an activity (with its source hash and path) in one transaction.
 * Twins: same sport, starts within 60 s, overlapping for most of their
 * length (docs/internals/store.md). *result says what happened; *id is
 * the stored activity's id. */
int pl_store_add(struct pl_store *s, const struct pl_activity *a,
                 int *result, int64_t *id, struct pl_diag *diag);

/* Record a source file that held no activity (so a re-import skips it
 * quickly), with the reason. */
int pl_store_add_skipped(struct pl_store *s, const uint8_t sha256[32],
                         const char *path, const char *reason,
                         struct pl_diag *diag);

/* Merge text from another source (Strava's activities.csv) into the
 * activity that starts within 60 s of start_s: name, description and sport
 * when given (NULL or -1 leaves them). *found false when none matches. */
int pl_store_enrich(struct pl_store *s, int64_t start_s, const char *name,
                    const char *description, int sport, bool *found,
                    struct pl_diag *diag);

/* Listing: activities whose start is in [since_s, until_s) (INT64_MIN /
 * INT64_MAX for open ends) and whose sport matches (-1: any), oldest
 * first; q NULL lists all. The callback gets summaries (streams not
 * loaded: n = 0, laps loaded), valid during the call; it may read the
 * store (pl_store_get) but not change it; returning non-zero stops with
 * PL_ECANCELED. */
struct pl_store_query {
    int64_t since_s, until_s;
    int sport;
};
int pl_store_list(struct pl_store *s, const struct pl_store_query *q,
                  int (*fn)(void *ctx, const struct pl_activity *a),
                  void *ctx, struct pl_diag *diag);
/* One activity with laps and streams; PL_ENOTFOUND when no such id. *a is
 * overwritten (pl_activity_init first: release what it held before) and
 * left empty on failure. Streams come back at the precision they are
 * stored at (docs/internals/store.md: 1 ms, 1 bpm, 1 mm/s, 1 cm, 1e-7
 * degree...); a stream that had no value at all comes back NULL. */
int pl_store_get(struct pl_store *s, int64_t id, struct pl_activity *a,
                 struct pl_diag *diag);
/* Number of stored activities. */
int pl_store_count(struct pl_store *s, int64_t *n, struct pl_diag *diag);

/* ------------------------------------------------------------------ */
/* Import                                                               */
/* ------------------------------------------------------------------ */

/* Import files, folders (recursively), .gz files and .zip/.tar/.tar.gz
 * archives (nested archives too, read in memory through libarchive), and
 * Strava's activities.csv. Every file is one transaction: a crash at any
 * point leaves the store consistent, and importing again brings in exactly
 * what is missing. A bad file is reported and the import goes on. */
enum pl_import_outcome {
    PL_IMP_IMPORTED = 1,   /* one or more new activities */
    PL_IMP_DUPLICATE,      /* file or activity already there */
    PL_IMP_SKIPPED,        /* not an activity; reason in msg */
    PL_IMP_FAILED,         /* error; reason and where in diag */
};
struct pl_import_event {
    const char *file;      /* path, "archive.zip!inner/file.fit" inside */
    int outcome;           /* enum pl_import_outcome */
    unsigned activities;   /* new activities from this file */
    const struct pl_diag *diag;  /* reason (skipped) or error (failed) */
};
struct pl_import_progress {
    uint64_t files_done, files_total;   /* total 0 while still counting */
    uint64_t bytes_done, bytes_total;
};
struct pl_import_handler {
    void *ctx;
    void (*on_file)(void *ctx, const struct pl_import_event *e);
    void (*on_progress)(void *ctx, const struct pl_import_progress *p);
};
struct pl_import_summary {
    uint64_t imported, duplicates, skipped, failed;  /* files */
    uint64_t activities;                             /* new activities */
    uint64_t bytes;          /* of the files read, after gunzip */
    uint64_t enriched;       /* activities named by Strava's activities.csv */
};
int pl_import_paths(struct pl_store *s, const char *const *paths,
                    size_t npaths, const struct pl_import_handler *h,
                    unsigned fit_options, struct pl_import_summary *sum,
                    struct pl_diag *diag);

/* A simulated history (pl_sim_plan) packed as Strava's bulk export packs
 * one: a zip of activities/<id>.fit.gz and activities.csv with the
 * activities' names, types and descriptions (the csv after the files).
 * Written to path.tmp, then renamed to path; the same history gives the
 * same bytes. For demos, tests and benchmarks (lib/stravaexport.c).
 * PL_EIO, PL_ENOMEM, or an error rendering an activity. */
int pl_sim_write_strava_zip(struct pl_sim *s, const char *path,
                            struct pl_diag *diag);

/* ------------------------------------------------------------------ */
/* Training load (issue: load and detection)                            */
/* ------------------------------------------------------------------ */

/* Day flags (a day is a local calendar day of the runner). */
#define PL_DAY_HARD 0x01             /* a hard session or a hard day */
#define PL_DAY_RACE 0x02
#define PL_DAY_TRAVEL 0x04           /* a long trip (declared or inferred) */
#define PL_DAY_EVENING_RUN 0x08      /* a run at or after the evening hour */
#define PL_DAY_RECOVERY_NEEDED 0x10
#define PL_DAY_REST 0x20             /* no activity */

/* One day of the daily series. Numbers not defined that day are NaN (e.g.
 * acwr while chronic load is below its minimum). */
struct pl_day {
    int32_t date;                    /* days since 1970-01-01 (local) */
    double load;                     /* sum of the day's activity loads */
    double ctl, atl, tsb;            /* fitness, fatigue, form */
    double ramp;                     /* ctl change over 7 days */
    double acwr;                     /* acute:chronic (EWMA), information */
    double monotony, strain;         /* Foster 1998, over the 7 days to
                                        this one */
    unsigned flags;                  /* PL_DAY_* */
    char reasons[512];               /* "; "-separated, one per flag:
                                        "hard: IF 0.91, 34 min above
                                        threshold" */
};

/* The rest of this section (profile, metrics, events, detection, the
 * series' options) is declared below by the load module. */

#ifdef __cplusplus
}
#endif
#endif
