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

/* The week's shape: PL_SIM_CLUB, a club runner's six runs of 20 minutes
 * to two hours (Monday rest, intervals, tempo, a long Sunday run, a
 * lighter fourth week); PL_SIM_DAILY, a run every day of about an hour
 * (50 to 75 minutes; intervals on Tuesday, tempo on Thursday), the
 * import benchmark's "one run a day". The race week is the same in both. */
enum pl_sim_pattern { PL_SIM_CLUB, PL_SIM_DAILY };

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
    int pattern;         /* enum pl_sim_pattern */
    uint32_t single_s;   /* 0, or instead of a history one continuous easy
                            run of this many seconds (1 Hz records) on
                            start_day, e.g. 86400 for benchmarks;
                            60..PL_SIM_SINGLE_S_MAX */
};
/* Defaults: seed 1, start PL_SIM_START_DAY_DEFAULT, 12 weeks, PL_SIM_CLUB,
 * no single. */
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
/* Open an existing store for reading only: SQLite opens it read-only, so
 * nothing a reader does can change it, and derived data (metrics, the
 * daily model) is read as the last writer left it, or computed in memory
 * for the call when it is stale. It never creates a store: PL_ENOTFOUND
 * when path does not exist. A store whose schema is older than this
 * pliant's is migrated first, once, as pl_store_open would. Any number of
 * readers run beside one writer (WAL). */
int pl_store_open_read(struct pl_store **out, const char *path,
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
 * Strava's activities.csv. Every file is stored whole or not at all, in
 * a savepoint of its own; files are committed up to 32 at a time
 * (PL_IMPORT_BATCH_*) and reported once committed. A crash at any point
 * leaves the store consistent, and importing again brings in exactly
 * what is missing. A bad file is reported and the import goes on.
 * docs/internals/import.md has the rules; lib/base/pl_limits.h (PL_IMPORT_*) the
 * limits against hostile archives. */
enum pl_import_outcome {
    PL_IMP_IMPORTED = 1,   /* one or more new activities (or richer than
                              their stored twin) */
    PL_IMP_DUPLICATE,      /* file or activity already there */
    PL_IMP_SKIPPED,        /* not an activity; reason in msg */
    PL_IMP_FAILED,         /* error; reason and where in diag */
};
struct pl_import_event {
    const char *file;      /* path, "archive.zip!inner/file.fit" inside */
    int outcome;           /* enum pl_import_outcome */
    unsigned activities;   /* new activities from this file */
    const struct pl_diag *diag;  /* reason (skipped), error (failed), or
                                    for an imported file its first warning
                                    (e.g. a FIT file cut short); NULL when
                                    there is none. Valid during the call. */
};
struct pl_import_progress {
    uint64_t files_done, files_total;   /* total counted before the walk (a
                                           zip's from its central
                                           directory); 0 when unknown or
                                           passed (archives inside) */
    uint64_t bytes_done, bytes_total;   /* read from disk / on disk */
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
/* paths: files, folders, or "-" for standard input. h may be NULL;
 * on_progress is called often (per file and per block read): throttle
 * drawing in it. fit_options: PL_FIT_STRICT makes a FIT file with a bad
 * CRC or cut short fail instead of importing with a warning. Returns 0
 * when every path was walked (files may have failed: see sum), or the
 * error that stopped the import — the store's (PL_EDB, PL_EIO: read-only,
 * disk full) or PL_ENOMEM — with diag saying why; files stored before it
 * stay, whole. sum may be NULL. */
int pl_import_paths(struct pl_store *s, const char *const *paths,
                    size_t npaths, const struct pl_import_handler *h,
                    unsigned fit_options, struct pl_import_summary *sum,
                    struct pl_diag *diag);

/* A simulated history (pl_sim_plan) packed as Strava's bulk export packs
 * one: a zip of activities/<id>.fit.gz and activities.csv with the
 * activities' names, types and descriptions (the csv after the files).
 * Written to path.tmp, then renamed to path; the same history gives the
 * same bytes. For demos, tests and benchmarks (lib/sim/stravaexport.c).
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

/* Split a reasons text (struct pl_day.reasons, the metrics' reasons) into
 * its reasons, calling fn with each one's bytes (not NUL-terminated). A
 * reason starts with the flag it explains ("hard: ", "race: ", "travel: ",
 * "evening run: ", "recovery needed: ", "long run: ", "rest: "); a "; "
 * inside one is not a separator. */
void pl_reasons_each(const char *reasons, size_t n,
                     void (*fn)(void *ctx, const char *p, size_t len),
                     void *ctx);

/* The rest of this section: the athlete profile, per-activity metrics,
 * declared events, and the daily series with its detection
 * (lib/model/profile.c, lib/model/metrics.c, lib/model/events.c, lib/model/daily.c,
 * lib/model/detect.c). Every formula, its source, the conventions and the
 * defaults: docs/internals/load.md.
 *
 * How the pieces fit: metrics are kept in the store in two parts. What
 * does not depend on the profile (heart-rate and graded-speed histograms,
 * peak and best efforts, NGP, the start point) is computed once per
 * activity from its streams. What does (TRIMP, HRSS, rTSS, zones, load)
 * is computed from those parts whenever its inputs (the effective
 * profile, the activity's summary) differ from those the stored metrics
 * were computed with. Flags and reasons come from the detection, run by
 * pl_load_compute over the whole history. pl_metrics_update() brings both up to date; pl_load_compute()
 * and the pl_metrics_get/list readers call it first, so a caller never
 * sees stale numbers. A store that cannot be written (read-only media) is
 * brought up to date in memory for the call, each time. */

/* Local calendar day of a UTC time: floor((t_s + utc_offset_s) / 86400),
 * days since 1970-01-01. */
int32_t pl_local_day(int64_t t_s, int32_t utc_offset_s);
/* "2026-03-22" for a day (buf of at least 11 bytes; longer years are
 * cut). */
void pl_day_format(int32_t day, char *buf, size_t n);
/* Parse "YYYY-MM-DD" (a real date, year 1900..9999) into *day; false when
 * it is not one. */
bool pl_day_parse(const char *s, int32_t *day);

/* ---- Athlete profile ---- */

enum pl_sex { PL_SEX_UNKNOWN = 0, PL_SEX_MALE = 1, PL_SEX_FEMALE = 2 };

/* Where a profile value comes from. */
enum pl_origin {
    PL_ORIGIN_NONE = 0,       /* not known and no default (birth_year,
                                 home): value NaN */
    PL_ORIGIN_SET,            /* the runner set it (pliant profile set) */
    PL_ORIGIN_ESTIMATED,      /* estimated from the runner's activities */
    PL_ORIGIN_DEFAULT,        /* nothing to go on: a documented default */
};
/* "none", "set", "estimated", "default". */
const char *pl_origin_name(int origin);

/* One value of the profile, with how it was found. method says how, with
 * its source, in a sentence for a runner: "highest 5-s mean heart rate
 * of the 365 days to 2026-03-29 (2026-01-06, activity 1)", or for a
 * default "no heart rate in the last 365 days and no birth year: default
 * 190 bpm; set it with 'pliant profile set max_hr=...'". */
struct pl_profile_value {
    double value;             /* in the key's unit (below); NaN: none */
    uint8_t origin;           /* enum pl_origin */
    char method[256];
};

/* Keys, in the order `pliant profile` lists them. Units:
 *   sex              PL_SEX_* as a number (1 male, 2 female)
 *   birth_year       year, 1900..2100
 *   max_hr           bpm, 100..250
 *   resting_hr       bpm, 25..120, below max_hr
 *   lthr             bpm, 80..240, above resting_hr and at most max_hr
 *   threshold_pace   seconds per km, 120..900 (shown "m:ss")
 *   evening_hour     local hour 0..23 at and after which a run is an
 *                    evening run; default 17
 *   home_lat, home_lon  degrees (set together: home=LAT,LON)
 */
enum pl_profile_key {
    PL_PROF_SEX, PL_PROF_BIRTH_YEAR, PL_PROF_MAX_HR, PL_PROF_RESTING_HR,
    PL_PROF_LTHR, PL_PROF_THRESHOLD_PACE, PL_PROF_EVENING_HOUR,
    PL_PROF_HOME_LAT, PL_PROF_HOME_LON,
    PL_PROF_COUNT_
};

struct pl_profile {
    struct pl_profile_value v[PL_PROF_COUNT_];   /* by enum pl_profile_key */
    int64_t as_of_s;          /* estimates use activities up to this time
                                 (the latest activity's start; 0 with
                                 none) */
};

/* The key's name as `pliant profile set` takes it ("max_hr"; "home" for
 * both home_lat and home_lon), NULL for a bad key. */
const char *pl_profile_key_name(int key);
/* A value as a runner reads it: "male", "4:30" (threshold pace), "172",
 * "38.7223,-9.1393" (home, from home_lat with home_lon), "-" when NaN.
 * Writes at most n bytes with the NUL. */
void pl_profile_format(const struct pl_profile *p, int key, char *buf,
                       size_t n);

/* The effective profile: the values set, and for the others estimates
 * from the activities in the store (profile-independent metrics are
 * brought up to date first) or the documented defaults; each with its
 * origin and method. PL_EDB, PL_ENOMEM. */
int pl_profile_get(struct pl_store *s, struct pl_profile *p,
                   struct pl_diag *diag);

/* Set several keys at once from "KEY=VALUE" strings (keys as
 * pl_profile_key_name gives them; "home=LAT,LON"; sex "male"/"female";
 * threshold_pace "m:ss" per km; "KEY=" with an empty value unsets the key
 * so it is estimated again). All or nothing: an unknown key, a malformed
 * or out-of-range value, or values that contradict each other (lthr above
 * max_hr, resting_hr not below lthr, counting what is already set) change
 * nothing and return PL_EINVAL with diag->msg naming the key and what is
 * accepted ("max_hr: '300' is out of range (100..250 bpm)"). Stored
 * metrics are recomputed by the next pl_metrics_update. PL_EIO or PL_EDB
 * when the store cannot be written. */
int pl_profile_set(struct pl_store *s, const char *const *assignments,
                   size_t n, struct pl_diag *diag);

/* ---- Per-activity metrics ---- */

/* Which number an activity's load is (the rule, in order: HR-based when
 * the activity has heart rate, pace-based for a run with speed, RPE-based
 * when only a rating is there, duration-based when nothing else). */
enum pl_load_source {
    PL_LOAD_NONE = 0,         /* no duration either: load 0 */
    PL_LOAD_HRSS,             /* hrss */
    PL_LOAD_RTSS,             /* rtss */
    PL_LOAD_RPE,              /* session RPE scaled to the TSS range */
    PL_LOAD_DURATION,         /* hours x 50: an assumed easy IF 0.71 */
};
/* "none", "hrss", "rtss", "rpe", "duration". */
const char *pl_load_source_name(int source);

#define PL_ZONES 5
/* Activity flags (struct pl_metrics.flags). */
#define PL_ACT_HARD 0x01
#define PL_ACT_RACE 0x02
#define PL_ACT_EVENING 0x04
#define PL_ACT_LONG 0x08

/* One activity's metrics. NaN for what cannot be computed (no heart rate:
 * the HR-based numbers; no speed: the pace-based ones). */
struct pl_metrics {
    int64_t activity_id;
    int64_t start_s;               /* UTC, and the activity's offset */
    int32_t utc_offset_s;
    uint8_t sport;
    double duration_s;             /* elapsed */
    double moving_s;               /* as the reader decided it
                                      (docs/internals/activity.md) */
    double hr_s;                   /* time covered by heart-rate samples */
    double zones_s[PL_ZONES];      /* time in HR zones 1..5 (Friel, %LTHR:
                                      <85, 85-89, 90-94, 95-99, >=100) */
    double above_threshold_s;      /* HR >= LTHR; without HR, graded
                                      speed >= threshold speed */
    double trimp;                  /* Banister, integrated per sample (or
                                      from the average HR) */
    bool trimp_from_avg;           /* the average-HR fallback was used */
    double trimp_edwards;          /* Edwards 1993: minutes x zone 1..5 by
                                      %HRmax */
    double hrss;                   /* TRIMP / TRIMP(1 h at LTHR) x 100 */
    double ngp_mps;                /* normalised graded speed */
    double rtss;                   /* hours x IF^2 x 100, pace-based */
    double intensity_factor;       /* NGP / threshold speed when there is
                                      speed, else if_hr */
    double if_hr;                  /* HR equivalent: sqrt(hrss / 100 /
                                      hours), so hrss = hours x if^2 x 100 */
    double rpe;                    /* 1..10 when the file says */
    double session_rpe;            /* rpe x moving minutes (Foster 2001) */
    double training_effect, anaerobic_training_effect;  /* device's */
    double load;
    uint8_t load_source;           /* enum pl_load_source */
    /* Profile-independent figures the estimates use. */
    double hr_peak5_bpm;           /* highest 5-s mean heart rate */
    double hr_best20_bpm;          /* best 20-min mean heart rate */
    double start_lat_deg, start_lon_deg;   /* first fix; NaN without GPS */
    unsigned flags;                /* PL_ACT_* */
    char reasons[256];             /* "; "-separated: "hard: IF 0.91, 34 min
                                      above threshold; race: the name
                                      'Lisbon 10k Race' says 'race'" */
};

/* What pl_metrics_update did. */
struct pl_metrics_stats {
    uint64_t activities;           /* in the store */
    uint64_t computed;             /* profile-independent parts computed
                                      from streams (new activities) */
    uint64_t samples;              /* samples those had */
    uint64_t rescored;             /* profile-dependent parts recomputed */
    double streams_s, rescore_s;   /* wall time of each pass */
    bool stored;                   /* false: read-only store, in memory */
    uint64_t damaged;              /* activities whose streams could not be
                                      read (scored from their summary) */
};

/* Bring the stored metrics up to date: compute the profile-independent
 * parts of activities that lack them (decoding each stream once), then,
 * when the effective profile changed (or force), recompute every
 * activity's profile-dependent metrics. One transaction. st may be NULL.
 * PL_EDB, PL_ENOMEM, PL_EIO. */
int pl_metrics_update(struct pl_store *s, bool force,
                      struct pl_metrics_stats *st, struct pl_diag *diag);

/* One activity's metrics, brought up to date first, with its flags and
 * reasons from the detection with the default options (it computes the
 * whole model: pl_load_compute is the cheaper way to many). PL_ENOTFOUND. */
int pl_metrics_get(struct pl_store *s, int64_t activity_id,
                   struct pl_metrics *m, struct pl_diag *diag);
/* Every activity's metrics whose start is in [since_s, until_s), oldest
 * first, as pl_metrics_get gives them. The callback's m is valid during
 * the call; non-zero stops with PL_ECANCELED. */
int pl_metrics_list(struct pl_store *s, int64_t since_s, int64_t until_s,
                    int (*fn)(void *ctx, const struct pl_metrics *m),
                    void *ctx, struct pl_diag *diag);

/* The formulas on their own, for tests and for callers with their own
 * data (docs/internals/load.md has the sources). */
/* Banister TRIMP of `minutes` at heart rate hr: minutes x HRr x a x
 * e^(b HRr), HRr = (hr - rest) / (max - rest); a, b = 0.64, 1.92 (male)
 * or 0.86, 1.67 (female); unknown sex uses male. NaN for bad input. */
double pl_trimp_banister(double minutes, double hr_bpm, double rest_bpm,
                         double max_bpm, int sex);
/* Minetti et al. 2002 energy cost of running on grade i (rise over run,
 * -0.45..0.45), J/kg/m. */
double pl_minetti_cost(double grade);
/* hours x IF^2 x 100 (the TSS family's scoring). */
double pl_tss(double duration_s, double intensity_factor);

/* ---- Declared events ---- */

enum pl_event_kind {
    PL_EVENT_RUN = 1,         /* a planned run (its time predicts an
                                 evening run) */
    PL_EVENT_RACE,
    PL_EVENT_TRAVEL,
};
/* "run", "race", "travel"; NULL for another number. */
const char *pl_event_kind_name(int kind);
/* enum value for a name; -1 when unknown. */
int pl_event_kind_parse(const char *name);

/* A declared event, in the runner's local time. */
struct pl_event {
    int64_t id;               /* store id, set by pl_event_add */
    uint8_t kind;             /* enum pl_event_kind */
    int32_t day;              /* local date, days since 1970-01-01 */
    int32_t minute;           /* local time of day 0..1439; -1: the date
                                 only */
    double hours;             /* duration; NaN when not given */
    char name[128];           /* may be "" */
    char from[128], to[128];  /* travel: places; "" when not given */
};
void pl_event_init(struct pl_event *e);   /* zero, minute -1, hours NaN */

/* Parse a local date-time: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" or
 * "YYYY-MM-DD HH:MM". false when it is not one. */
bool pl_event_parse_when(const char *s, int32_t *day, int32_t *minute);

/* Add an event (e->id set). PL_EINVAL with diag naming the field for a
 * bad kind, day or minute, hours not in (0, 168], or from/to on an event
 * that is not travel; PL_EIO, PL_EDB. The name may be empty. */
int pl_event_add(struct pl_store *s, struct pl_event *e,
                 struct pl_diag *diag);
/* Events whose day is in [from_day, to_day] (INT32_MIN/INT32_MAX for open
 * ends), by day, minute, id. Non-zero from fn stops with PL_ECANCELED. */
int pl_event_list(struct pl_store *s, int32_t from_day, int32_t to_day,
                  int (*fn)(void *ctx, const struct pl_event *e), void *ctx,
                  struct pl_diag *diag);
/* Remove one; PL_ENOTFOUND when there is no such id. */
int pl_event_rm(struct pl_store *s, int64_t id, struct pl_diag *diag);

/* ---- Daily series and detection ---- */

/* The model's constants and the detectors' thresholds. Defaults (from
 * pl_load_options_init) and their sources: docs/internals/load.md. */
struct pl_load_options {
    /* series */
    double ctl_days;              /* 42: fitness time constant */
    double atl_days;              /* 7: fatigue time constant */
    double ctl_start, atl_start;  /* 0, 0: values before the first day */
    double acwr_acute_days;       /* 7  } EWMA with lambda = 2 / (N + 1) */
    double acwr_chronic_days;     /* 28 } (Williams et al. 2017) */
    double acwr_chronic_min;      /* 10: chronic load (per day) below
                                     which acwr is NaN */
    /* hard session / day */
    double hard_if;               /* 0.85 } IF >= hard_if with at least */
    double hard_above_min;        /* 20   } this many minutes above
                                             threshold */
    double hard_hrss;             /* 100 */
    double hard_te;               /* 4.0 (aerobic training effect) */
    double hard_ate;              /* 3.0 (anaerobic) */
    double hard_load_x_median;    /* 1.5 x the 90-day median of active
                                     days' load */
    double long_min;              /* 90 minutes... */
    double long_x_median;         /* ...or 2 x the runner's median run */
    /* race */
    double race_dist_tol;         /* 0.02: +-2 % of 5 k, 10 k, half,
                                     marathon */
    double race_if;               /* 0.9 */
    /* travel */
    double travel_km;             /* 100: start this far from the
                                     previous activity's start */
    double travel_offset_h;       /* 2: UTC offset change of this many
                                     hours (1-hour changes may be DST) */
    /* evening habit */
    int habit_weeks;              /* 8: weeks of runs it looks at */
    double habit_share;           /* 0.5: a weekday is an evening day
                                     when more than this share of its
                                     runs were evening runs... */
    int habit_runs_min;           /* 2: ...out of at least this many */
    /* recovery needed */
    double recovery_tsb;          /* -30 */
    double recovery_tsb_ctl;      /* -0.30: TSB below this x CTL */
    double recovery_monotony;     /* 2.0 */
    double recovery_ctl_min;      /* 20: the relative rule (TSB below
                                     recovery_tsb_ctl x CTL) only from
                                     this CTL up, so that a new history's
                                     small CTL does not flag every day */
};
void pl_load_options_init(struct pl_load_options *o);

/* A trip: declared (pl_event TRAVEL) or inferred. */
struct pl_trip {
    int32_t day;                  /* likely travel day (local) */
    bool declared;
    int64_t event_id;             /* declared: the event; else 0 */
    int64_t from_activity, to_activity;  /* inferred: the activities on
                                            either side; else 0 */
    double dist_km;               /* between their starts; NaN unknown */
    int32_t from_offset_s, to_offset_s;
    char from[128], to[128];      /* declared places; "" */
    char reason[256];
};

/* The whole model for a store: the profile, every activity's metrics, the
 * daily series from the first activity's day (or the first event's) to
 * the last day asked, the trips, and the evening habit. Owned by the
 * library; pl_load_release frees it. */
struct pl_load {
    struct pl_profile profile;
    size_t nmetrics;
    struct pl_metrics *metrics;   /* oldest first */
    size_t ndays;
    struct pl_day *days;          /* consecutive local days; days[i].date
                                     = first_day + i */
    int32_t first_day;
    size_t ntrips;
    struct pl_trip *trips;
    /* Evening habit: per ISO weekday (0 Monday .. 6 Sunday) over the last
     * habit_weeks weeks of the history. */
    uint8_t evening_weekdays;     /* bit d set: d is an evening day */
    uint16_t habit_runs[7], habit_evening_runs[7];
    struct pl_metrics_stats stats;
};

/* Compute the model: pl_metrics_update, then the series through
 * until_day (INT32_MIN: the last activity's or event's day; a later day
 * extends the series with rest days, e.g. up to today), the detection,
 * flags and reasons. opts NULL uses the defaults. *out is emptied first
 * and left empty on failure. PL_EINVAL (an option out of range, with the
 * option named), PL_EDB, PL_ENOMEM. */
int pl_load_compute(struct pl_store *s, const struct pl_load_options *opts,
                    int32_t until_day, struct pl_load *out,
                    struct pl_diag *diag);
void pl_load_release(struct pl_load *l);

/* The day of the series at date, or NULL outside it. */
const struct pl_day *pl_days_at(const struct pl_load *l, int32_t date);
/* Index of the first day at or after date (ndays when none): for
 * --from/--to windows. */
size_t pl_days_index(const struct pl_load *l, int32_t date);

/* The daily formulas on their own (tests; callers with their own loads).
 * pl_days_series fills days[0..n) (date = first_day + i, flags 0,
 * reasons "") from load[0..n). */
void pl_days_series(const double *load, size_t n, int32_t first_day,
                    const struct pl_load_options *opts, struct pl_day *days);
/* EWMA coefficient k = 1 - e^(-1/days). */
double pl_load_ewma_k(double days);
/* Foster monotony (mean / population SD) and strain (sum x monotony) of
 * loads[0..n); NaN monotony and strain when the SD is 0. */
void pl_load_monotony(const double *loads, size_t n, double *monotony,
                      double *strain);

/* ------------------------------------------------------------------ */
/* Charts                                                               */
/* ------------------------------------------------------------------ */

/* Charts of the daily series (lib/render/svg.c, lib/render/termchart.c). Each is a pure
 * function of the days it is given, so the CLI, a server and the tests
 * draw the same picture from the same days. */
struct pl_chart_options {
    const char *title;          /* NULL: "Training load" */
    const char *subtitle;       /* NULL: the dates and the last day's
                                   fitness, fatigue and form */
    uint32_t width_px, height_px;   /* SVG size; 0 for 960 x 540; each
                                   within PL_CHART_PX_MIN..PL_CHART_PX_MAX */
    uint32_t columns, rows;     /* terminal size in characters; 0 for
                                   80 x 24; at least 40 x 12 */
    bool utf8;                  /* terminal: braille and block characters;
                                   false: plain ASCII */
    bool color;                 /* terminal: ANSI colours */
    double ctl_days, atl_days;  /* the series' time constants, named in the
                                   legend; 0 for 42 and 7 */
};
#define PL_CHART_PX_MIN 320
#define PL_CHART_PX_MAX 16384
/* Days one chart may show: a hundred years. */
#define PL_CHART_DAYS_MAX 36525

void pl_chart_options_init(struct pl_chart_options *o);

/* An SVG 1.1 document (UTF-8, self-contained: no scripts, no external
 * references) of days[0..n): fitness, fatigue and form as lines, daily
 * load as bars (weekly means when days are narrower than two pixels), hard
 * days, races and trips marked, days that needed recovery shaded, dated
 * axes, a legend and a title. days must be in ascending date order (gaps
 * allowed); n may be 0 (an empty chart that says so). *svg is
 * NUL-terminated, *len bytes long, and freed with pl_free(). PL_EINVAL
 * (unsorted days, n or a size out of range), PL_ENOMEM, PL_ELIMIT. */
int pl_chart_svg(const struct pl_day *days, size_t n,
                 const struct pl_chart_options *o, char **svg, size_t *len,
                 struct pl_diag *diag);

/* The same series as text for a terminal of o->columns x o->rows: the
 * last days that fit (one column a day), fitness, fatigue and form as
 * braille lines (ASCII marks without utf8), load as block bars, a row of
 * day marks, dates and a legend; lines end in "\n". Same ownership and
 * errors as pl_chart_svg(). */
int pl_chart_term(const struct pl_day *days, size_t n,
                  const struct pl_chart_options *o, char **text, size_t *len,
                  struct pl_diag *diag);

/* Free memory the library handed to the caller (charts). NULL is fine. */
void pl_free(void *p);

/* ------------------------------------------------------------------ */
/* Plans                                                                */
/* ------------------------------------------------------------------ */

/*
 * The planner (lib/recovery/plan.c) turns days, sessions and trips into a dated
 * plan: every routine a protocol's rules call for, at a concrete local
 * time, with the facts that called for it. pl_plan_make() is a pure
 * function of the protocol and a struct pl_plan_input, so that tests and
 * other callers can plan from days they built themselves; pl_plan_build()
 * fills that input from a store (the load model's days, activities, trips
 * and evening habit, and the declared events) and calls it.
 *
 * Placement (docs/internals/plan.md): each day runs from wake_minute to
 * bed_minute, local time; sessions are busy. A rule's routines are placed
 * in the protocol's order as one sequence, on a 5-minute grid, never
 * overlapping a session or another item: "after" sequences as early as
 * their window allows, "before" sequences as late as theirs allows (so
 * that they end in it), then the morning, daily and twice-daily ones, and
 * last what may go anywhere in the day. A routine the constraints forbid
 * (deep tissue in the 24 hours before a race) is left out and the day
 * gets a note that says why. The same protocol and input give the same
 * plan, with the same item ids ("2026-03-22.travel.flush").
 */

/* Where a session comes from. */
enum pl_session_source {
    PL_SESSION_DONE = 1,      /* an activity in the store */
    PL_SESSION_DECLARED,      /* a declared event (pliant event add) */
    PL_SESSION_PREDICTED,     /* the evening habit says so */
};

/* A run, done or to come, as the planner sees it. */
struct pl_plan_session {
    int32_t day;              /* local date, days since 1970-01-01 */
    int32_t minute;           /* local start 0..1439 */
    int32_t minutes;          /* duration, at least 1 */
    uint8_t source;           /* enum pl_session_source */
    unsigned flags;           /* PL_ACT_HARD, PL_ACT_RACE, PL_ACT_EVENING,
                                 PL_ACT_LONG */
    double intensity_factor;  /* NaN when unknown */
    double hrss;              /* NaN when unknown */
    double dist_km;           /* NaN when unknown */
    char name[128];           /* "Intervals", "Lisbon Half"; may be "" */
};

/* A journey. */
struct pl_plan_trip {
    int32_t day;              /* local date of travel */
    int32_t arrive_minute;    /* local arrival; -1 unknown (the planner
                                 assumes noon and says so) */
    double dist_km;           /* NaN when unknown */
    bool declared;
    bool utc_offset_known;    /* utc_offset_s holds the offset at the
                                 destination, from this day on */
    int32_t utc_offset_s;
    char from[128], to[128];  /* "" when unknown */
};

/* Everything the planner reads. Arrays are the caller's; any order. */
struct pl_plan_input {
    int32_t from_day;         /* first day of the plan (local) */
    uint32_t ndays;           /* 1..PL_PLAN_DAYS_MAX */
    int32_t today;            /* days before it are history: no predicted
                                 sessions there */
    const struct pl_day *days;      /* the detected daily series (flags,
                                       reasons); may be NULL */
    size_t ndays_known;
    const struct pl_plan_session *sessions;
    size_t nsessions;
    const struct pl_plan_trip *trips;
    size_t ntrips;
    int32_t utc_offset_s;     /* local time = UTC + this (for start_s) */
    int32_t evening_hour;     /* 0..23; a run from this hour is an evening
                                 run (17) */
    uint8_t evening_weekdays; /* bit d (0 Monday .. 6 Sunday): the runner
                                 usually runs that evening */
    int32_t habit_minute;     /* when predicted evening runs start
                                 (evening_hour * 60 + 30) */
    int32_t habit_minutes;    /* and how long they last (60) */
    int32_t wake_minute;      /* day starts (7:00 = 420) */
    int32_t bed_minute;       /* and ends (22:30 = 1350) */
    const int32_t *screen_days;   /* local dates of self-screens that call
                                     for the program (pliant screen: not
                                     stopped, with areas); each triggers
                                     the screening-result rules */
    size_t nscreen_days;
    const char *const *screen_routines;   /* NULL, or one per screen day:
                                     the routine ids the day's program
                                     keeps of a twice-daily
                                     screening-result rule, joined with
                                     commas (the flagged areas' routines);
                                     NULL or "": all */
    const char *hold_routines;    /* NULL, or routine ids joined with
                                     commas that are left out (with a
                                     note) from hold_from_day on: the
                                     massage on the areas of a stored
                                     screen's warning sign */
    int32_t hold_from_day;
};
/* The defaults above; from_day = today = 0, ndays = 8, no data. */
void pl_plan_input_init(struct pl_plan_input *in);

#define PL_PLAN_DAYS_MAX 366
/* Items one plan may hold (a year of a protocol with 40 items a day). */
#define PL_PLAN_ITEMS_MAX 16384

/* One step of a planned routine; strings are the protocol's. */
struct pl_plan_step {
    const char *area;         /* the step's label: its body area's name,
                                 "Hamstring origin" */
    uint32_t duration_s;      /* 0 when the step is not timed */
    uint32_t reps, sets;      /* 0 when not counted */
    const char *how;
};

/* One planned routine. Strings point into the plan or the protocol: the
 * protocol must outlive the plan. */
struct pl_plan_item {
    char id[96];              /* "2026-03-22.travel.flush", stable */
    int32_t day;              /* local date */
    int32_t start_minute, end_minute;   /* local, from the day's start */
    int64_t start_s, end_s;   /* UTC */
    int32_t utc_offset_s;
    const char *routine;      /* routine id */
    const char *title;
    const char *kind;         /* "massage", "heat", ... */
    const char *rule;         /* rule id */
    const char *trigger;      /* the protocol's trigger names:
                                 "hard-session", "race", "travel",
                                 "evening-run", "every-day", "rest-day",
                                 "recovery-needed" */
    bool predicted;           /* its trigger is a predicted session */
    const char *caution;      /* the routine's safety note; "" when none */
    const char *about;        /* the routine's why, from the protocol;
                                 "" when none */
    char reason[384];         /* the facts: "after Tuesday's Intervals
                                 (IF 0.91, HRSS 112)" */
    size_t nsteps;
    const struct pl_plan_step *steps;
    size_t ncovers;
    const char *const *covers;   /* protocol items: "D1", "D2" */
};

/* A note for a day: something the plan left out, and why. */
struct pl_plan_note {
    int32_t day;
    char text[256];
};

struct pl_plan {
    int32_t from_day;
    uint32_t ndays;
    size_t nitems;
    struct pl_plan_item *items;     /* by start time, then id */
    size_t nnotes;
    struct pl_plan_note *notes;     /* by day */
    size_t nsessions;
    struct pl_plan_session *sessions;   /* the runs of the plan's days
                                           (done, declared, predicted),
                                           by start: for the agenda */
    void *priv_;
};

/* Plan in->ndays days from in->from_day with protocol p. *out is emptied
 * first and left empty on failure. PL_EINVAL (an input out of range, with
 * the field named), PL_ELIMIT (more than PL_PLAN_ITEMS_MAX items),
 * PL_ENOMEM. */
struct pl_protocol;
int pl_plan_make(const struct pl_protocol *p, const struct pl_plan_input *in,
                 struct pl_plan *out, struct pl_diag *diag);

/* Plan ndays days from from_day out of the store: the load model through
 * from_day + ndays, the activities as done sessions, the declared events
 * (runs and races as sessions, trips), the evening habit for predicted
 * runs from today on (today: the day the caller says it is). PL_EDB,
 * PL_ENOMEM, PL_EINVAL, and pl_load_compute()'s errors. */
int pl_plan_build(struct pl_store *s, const struct pl_protocol *p,
                  int32_t from_day, uint32_t ndays, int32_t today,
                  struct pl_plan *out, struct pl_diag *diag);

void pl_plan_release(struct pl_plan *plan);

/* iCalendar export (lib/render/ics.c, libical; RFC 5545). One VEVENT per item:
 * UID "<item id>@pliant", stable, so that importing a new export into a
 * calendar updates the events instead of adding twins; DTSTART and DTEND
 * in UTC ("Z"); SUMMARY the routine's title; DESCRIPTION the reason, the
 * steps, the protocol items and the note; CATEGORIES "Recovery", the kind
 * and the trigger. */
struct pl_ics_options {
    int64_t stamp_s;          /* DTSTAMP (UTC): pass the time of export;
                                 a fixed one gives the same bytes */
    const char *calname;      /* X-WR-CALNAME; NULL "Recovery (pliant)" */
    const char *note;         /* added to each description (the protocol's
                                 safety note); NULL for none */
};
/* Each item's description is cut at this many bytes. */
#define PL_ICS_TEXT_BYTES_MAX 8192
/* The calendar as text (CRLF lines, folded at 75 octets); *ics is freed
 * with pl_free(). PL_ENOMEM. o may be NULL. */
int pl_plan_ics(const struct pl_plan *plan, const struct pl_ics_options *o,
                char **ics, size_t *len, struct pl_diag *diag);
/* The same into path (through path.tmp, then renamed). PL_EIO. */
int pl_plan_write_ics(const struct pl_plan *plan, const struct pl_ics_options *o,
                      const char *path, struct pl_diag *diag);

/* Each routine the plan uses as a FIT workout file dir/<routine id>.fit
 * (lib/render/planfit.c; pl_fit_writer_add_workout): sport "training", named by
 * the routine's title, one step per step of the routine, named by its
 * body area (with "x N" for repetitions), timed by its duration (a minute
 * for an untimed step), with the how-to as notes. time_created is
 * created_s, plus one for each further file. *nfiles says how many were
 * written; the first failure stops (diag says why). PL_EIO,
 * PL_ELIMIT, PL_ENOMEM. */
int pl_plan_write_fit_workouts(const struct pl_plan *plan, const char *dir,
                               int64_t created_s, size_t *nfiles,
                               struct pl_diag *diag);

/* What the runner did with an item (pliant done, pliant skip), kept in
 * the store (lib/store/store.c, table plan_marks). Marking an item again
 * replaces its mark. */
enum pl_mark_status { PL_MARK_DONE = 1, PL_MARK_SKIPPED };
struct pl_plan_mark {
    char item_id[96];         /* struct pl_plan_item.id */
    int32_t day;              /* the item's local date */
    uint8_t status;           /* enum pl_mark_status */
    char why[256];            /* skipped: the runner's reason; may be "" */
    int64_t marked_s;         /* UTC, when it was marked */
};
/* PL_EINVAL (no id, bad status), PL_EIO, PL_EDB. */
int pl_plan_mark_set(struct pl_store *s, const struct pl_plan_mark *m,
                     struct pl_diag *diag);
/* Marks of items dated from_day..to_day, by day and id; non-zero from fn
 * stops with PL_ECANCELED. */
int pl_plan_mark_list(struct pl_store *s, int32_t from_day, int32_t to_day,
                      int (*fn)(void *ctx, const struct pl_plan_mark *m),
                      void *ctx, struct pl_diag *diag);

/* A training plan from an iCalendar file (lib/import/icsread.c, libical): each
 * VEVENT becomes a declared event, a planned run (or a race, when its
 * summary says "race" or "marathon") named by its summary, which the
 * planner reads to call a session hard ("Intervals", "Tempo", "Long
 * run"). Left out: pliant's own recovery items (UID "...@pliant"), rest
 * days, all-day events longer than a day. An event already declared with
 * the same day, time, kind and name is a duplicate, so importing the
 * calendar again adds nothing. Zoned and UTC times are converted to local
 * time with utc_offset_s; floating times are local already. PL_EFORMAT
 * (not a calendar; BEGIN and END that do not pair, with the line),
 * PL_ELIMIT (larger than PL_ICS_IMPORT_BYTES_MAX, nested deeper than
 * PL_ICS_DEPTH_MAX), PL_EDB, PL_ENOMEM. */
struct pl_ics_import {
    uint32_t added;           /* events declared */
    uint32_t races, hard;     /* of them: races; runs named as hard */
    uint32_t duplicates;      /* declared before */
    uint32_t own;             /* pliant's own items, left out */
    uint32_t skipped;         /* rest days, no start, long all-day events */
};
#define PL_ICS_IMPORT_BYTES_MAX (8 << 20)
/* Components nested in a calendar (VCALENDAR > VEVENT > VALARM is 3). */
#define PL_ICS_DEPTH_MAX 8
int pl_plan_import_ics(struct pl_store *s, const void *buf, size_t n,
                       int32_t utc_offset_s, struct pl_ics_import *sum,
                       struct pl_diag *diag);

/* How well a plan was followed (lib/recovery/adherence.c): a pure function of the
 * plan and the marks of its days. A day "got" a trigger's routines when
 * every item that trigger scheduled on it is done. */
struct pl_adherence {
    uint32_t items, done, skipped;   /* items of the plan; marked so */
    uint32_t hard_days, hard_done;   /* days with items after a hard
                                        session or a race; of them, those
                                        whose items were all done */
    uint32_t travel_days, travel_done;   /* the same for trips */
    uint32_t daily_days, daily_done;     /* days with every-day items */
    uint32_t streak_days;            /* days in a row, back from the last
                                        day of the plan (or the day before
                                        it, when its items are not all done
                                        yet), whose every-day items were
                                        all done */
};
void pl_plan_adherence(const struct pl_plan *plan,
                       const struct pl_plan_mark *marks, size_t nmarks,
                       struct pl_adherence *out);

/* ------------------------------------------------------------------ */
/* Protocols                                                            */
/* ------------------------------------------------------------------ */

/*
 * A recovery protocol as data (lib/recovery/protocol.c; the file format, every key
 * and an example: docs/formats.md, "Protocol files"). A protocol is a YAML
 * file that a runner or a therapist can read and edit: a title and a plain
 * safety note with red flags, a vocabulary of body areas, routines (ordered
 * steps by body area, each with a duration or repetitions, how and why),
 * rules (a trigger, the routines it schedules in order, and when each runs
 * relative to the trigger) and constraints (what must not run close to an
 * event). The default, protocols/hamstrings.yaml, is built into the
 * library.
 *
 * Loading never stops at the first mistake: every error of the file is
 * reported, each with its line:column and what was expected, so that
 * `pliant protocol check` can list them all. A YAML syntax error, or a
 * file too large, too deep or with too many values, ends the reading (the
 * rest cannot be trusted, or costs too much); every other error is
 * collected. Hostile files are bounded by PL_PROTOCOL_* in lib/base/pl_limits.h
 * (size, nesting depth, number of nodes, list lengths, text lengths), and
 * YAML anchors and aliases are refused, so a file cannot expand into more
 * than it holds ("billion laughs").
 *
 * A loaded protocol is immutable and owned by the library: everything the
 * accessors return (structs, strings, arrays) lives until
 * pl_protocol_free(). Strings are NUL-terminated UTF-8, never NULL (""
 * when absent), unless a field says otherwise. Lists keep the file's order.
 */
struct pl_protocol;

/* Kinds of routine: who does it and what it needs. */
enum pl_routine_kind {
    PL_ROUTINE_MASSAGE = 1,       /* by a therapist or a partner */
    PL_ROUTINE_SELF_MASSAGE,      /* by the runner: hands, roller, ball */
    PL_ROUTINE_HEAT,              /* hot shower, bath, soak, warm towel */
    PL_ROUTINE_HYDRATION,
    PL_ROUTINE_NUTRITION,
    PL_ROUTINE_MOBILITY,          /* stretching and range of motion */
    PL_ROUTINE_STRENGTH,
    PL_ROUTINE_CHECK,             /* a self-test, a note, a visit to book */
    PL_ROUTINE_KIND_COUNT_
};
/* "massage", "self-massage", "heat", "hydration", "nutrition",
 * "mobility", "strength", "check" (the file's spellings); NULL for another
 * number. */
const char *pl_routine_kind_name(int kind);
/* enum value for a name as above; -1 when unknown. */
int pl_routine_kind_parse(const char *name);

/* What a rule responds to. The first four are events with a time (an
 * activity, a declared or detected trip); the others are whole days or
 * outcomes. */
enum pl_trigger {
    PL_TRIGGER_HARD_SESSION = 1,  /* a hard training session */
    PL_TRIGGER_RACE,
    PL_TRIGGER_TRAVEL,            /* a long trip (DESIGN: travel day) */
    PL_TRIGGER_EVENING_RUN,
    PL_TRIGGER_EVERY_DAY,
    PL_TRIGGER_REST_DAY,          /* a day without activity */
    PL_TRIGGER_RECOVERY_NEEDED,   /* the load model's PL_DAY_RECOVERY_NEEDED */
    PL_TRIGGER_SCREENING_RESULT,  /* a screening found signs (the screening
                                     issue) */
    PL_TRIGGER_COUNT_
};
/* "hard-session", "race", "travel", "evening-run", "every-day",
 * "rest-day", "recovery-needed", "screening-result"; NULL otherwise. */
const char *pl_trigger_name(int trigger);
/* enum value for a name as above; -1 when unknown. */
int pl_trigger_parse(const char *name);
/* True for the triggers that are events with a time of their own
 * (hard-session, race, travel, evening-run): only they can be the `of` of
 * a before/after timing or of a constraint. */
bool pl_trigger_is_event(int trigger);

/* A body area of the protocol's vocabulary. */
struct pl_area {
    const char *id;               /* "hamstring-origin": unique, [a-z0-9-] */
    const char *name;             /* "Hamstring origin" */
    const char *description;      /* "" when none */
    uint32_t line, col;           /* where it is defined */
};

/* One step of a routine. A step has a duration, or repetitions, or
 * neither (a step that is simply done: "drink a glass of water"); never
 * both. */
struct pl_step {
    const struct pl_area *area;   /* NULL: no one area (water, food) */
    const char *name;             /* the step's label: the file's `name`,
                                     else the area's name; never "" */
    uint32_t duration_s;          /* 0: not timed; else
                                     1..PL_PROTOCOL_STEP_S_MAX */
    uint32_t reps, sets;          /* 0 when not counted; sets 0 with reps
                                     means one set */
    const char *how;              /* never "" */
    const char *why;              /* "" when none */
    uint32_t line, col;
};

struct pl_routine {
    const char *id;               /* unique among routines */
    const char *title;
    uint8_t kind;                 /* enum pl_routine_kind */
    const char *why;              /* "" when none */
    const char *caution;          /* a safety note to show with it ("" when
                                     none): arnica on the skin only... */
    size_t nsteps;                /* >= 1 */
    const struct pl_step *steps;  /* in the order they are done */
    uint32_t duration_s;          /* the file's `duration`, else the sum of
                                     the steps' durations; 0: untimed (a
                                     reminder, such as drinking through the
                                     day) */
    size_t ncovers;
    const char *const *covers;    /* item ids it carries ("D2"), unique */
    uint32_t line, col;
};

/* When a scheduled routine runs, relative to the rule's trigger. */
enum pl_timing_at {
    PL_AT_THEN = 1,     /* right after the previous routine of the rule,
                           in each of its sessions (the default for every
                           routine but the first) */
    PL_AT_AFTER,        /* starts window_s_min..window_s_max after the
                           event `of` ends */
    PL_AT_BEFORE,       /* ends window_s_min..window_s_max before the
                           event `of` starts */
    PL_AT_SAME_DAY,     /* some time on the trigger's day (time_min[0] when
                           given) */
    PL_AT_NEXT_MORNING, /* the morning after the trigger's day */
    PL_AT_TWICE_DAILY,  /* twice a day for `days` days from the trigger's
                           day */
    PL_AT_DAYS_LATER,   /* on the day `days` days after the trigger's */
    PL_AT_COUNT_
};
/* "then", "after", "before", "same-day", "next-morning", "twice-daily",
 * "days-later"; NULL otherwise. */
const char *pl_timing_at_name(int at);

struct pl_timing {
    uint8_t at;                   /* enum pl_timing_at */
    uint8_t of;                   /* AFTER, BEFORE: the event the window is
                                     counted from (an event trigger; the
                                     rule's own trigger unless the file
                                     names another, e.g. the evening run
                                     of a travel day); else 0 */
    uint32_t window_s_min;        /* AFTER, BEFORE: the window, seconds; */
    uint32_t window_s_max;        /* min <= max <= PL_PROTOCOL_WINDOW_S_MAX */
    uint16_t days;                /* TWICE_DAILY: 1..PL_PROTOCOL_DAYS_MAX;
                                     DAYS_LATER: 1..PL_PROTOCOL_DAYS_MAX;
                                     else 0 */
    int16_t time_min[2];          /* preferred local times of day, minutes
                                     0..1439; -1: the planner chooses.
                                     [1] only for TWICE_DAILY */
};

/* One routine a rule schedules. */
struct pl_rule_entry {
    const struct pl_routine *routine;
    struct pl_timing timing;
    uint32_t line, col;
};

/* A constraint: the routines it names (or of the kinds it names) must not
 * run within `within_s` before (or after) an event of kind `of`. The
 * planner moves or drops a routine that would break one, and says why. */
enum pl_avoid { PL_AVOID_BEFORE = 1, PL_AVOID_AFTER };
struct pl_constraint {
    const char *id;
    uint8_t avoid;                /* enum pl_avoid */
    uint8_t of;                   /* an event trigger (race...) */
    uint32_t within_s;            /* 1..PL_PROTOCOL_WINDOW_S_MAX */
    size_t nroutines;
    const struct pl_routine *const *routines;
    unsigned kinds;               /* bit (1u << kind) per kind named */
    const char *why;              /* "" when none */
    size_t ncovers;
    const char *const *covers;
    uint32_t line, col;
};

struct pl_rule {
    const char *id;               /* unique among rules */
    const char *title;            /* "" when none */
    uint8_t trigger;              /* enum pl_trigger */
    const char *why;              /* "" when none */
    size_t nentries;              /* >= 1 */
    const struct pl_rule_entry *entries;  /* in order; entries[0].timing
                                     is never THEN */
    size_t nconstraints;          /* constraints on this rule's routines
                                     only */
    const struct pl_constraint *constraints;
    size_t ncovers;
    const char *const *covers;
    uint32_t line, col;
};

/* A sign that stops the plan and sends the runner to a professional. */
struct pl_red_flag {
    const char *id;
    const char *sign;             /* what the runner notices */
    const char *action;           /* what to do */
    bool urgent;                  /* seek care at once */
    size_t nareas;
    const struct pl_area *const *areas;
    uint32_t line, col;
};

/* A YAML node kept as it was written: the protocol's `screening` section,
 * which the screening issue interprets. Scalars are text (no typing);
 * mappings have unique scalar keys, in file order. */
enum pl_node_kind { PL_NODE_SCALAR = 1, PL_NODE_SEQ, PL_NODE_MAP };
struct pl_node {
    uint8_t kind;                 /* enum pl_node_kind */
    const char *text;             /* SCALAR: its text; else "" */
    size_t n;                     /* SEQ, MAP: number of items */
    const struct pl_node *items;  /* SEQ: the items; MAP: the values */
    const struct pl_node *keys;   /* MAP: keys[i], a scalar, names
                                     items[i]; else NULL */
    uint32_t line, col;
};

/* Errors of a protocol file go to a callback, once each, in line:column
 * order: code PL_EFORMAT (a mistake) or PL_ELIMIT (a limit exceeded),
 * line and col 1-based (0 when the error has no place, such as a file too
 * large), offset the byte offset when known (else UINT64_MAX), msg saying
 * what was expected ("kind: expected one of massage, self-massage, ...;
 * found 'massag'"). The diag is valid during the call. At most
 * PL_PROTOCOL_ERRORS_MAX (100) are reported; a last one then says that
 * more were left out. */

/* Load a protocol from the YAML in buf[0..n) (need not be NUL-terminated;
 * at most 1 MiB, PL_PROTOCOL_BYTES_MAX). On success *out is the protocol
 * (pl_protocol_free). On failure *out is NULL and diag holds the first
 * error; every error has gone to on_error (which may be NULL), unless
 * memory ran out. Returns 0,
 * PL_EFORMAT (the file has errors), PL_ELIMIT (one of them is a limit
 * exceeded), PL_ENOMEM, or PL_EINVAL (out NULL, or buf NULL with n > 0). */
int pl_protocol_parse(const void *buf, size_t n, struct pl_protocol **out,
                      void (*on_error)(void *ctx, const struct pl_diag *e),
                      void *ctx, struct pl_diag *diag);

/* The same for a file, read whole: PL_EIO when it cannot be read (diag
 * has the system's reason, not the path, which the caller knows), PL_ELIMIT
 * when it is larger than PL_PROTOCOL_BYTES_MAX. */
int pl_protocol_load_file(const char *path, struct pl_protocol **out,
                          void (*on_error)(void *ctx, const struct pl_diag *e),
                          void *ctx, struct pl_diag *diag);

/* Protocols built into the library: names in a fixed order ("hamstrings"
 * first: the default), i from 0; NULL past the last. */
const char *pl_protocol_builtin_name(size_t i);
/* The YAML source of a built-in protocol (NUL-terminated, *n bytes
 * without the NUL, static), for copying and editing; NULL when there is no
 * such name. */
const char *pl_protocol_builtin_yaml(const char *name, size_t *n);
/* Load a built-in protocol; NULL name: the default. PL_ENOTFOUND for an
 * unknown name, else as pl_protocol_parse (a built-in protocol that fails
 * to load is a bug that the tests catch). */
int pl_protocol_builtin(const char *name, struct pl_protocol **out,
                        struct pl_diag *diag);

void pl_protocol_free(struct pl_protocol *p);  /* NULL is fine */

/* The file's top level. */
const char *pl_protocol_id(const struct pl_protocol *p);     /* "hamstrings" */
const char *pl_protocol_title(const struct pl_protocol *p);
/* The plain safety note, shown once with every plan: what the protocol
 * is and is not ("advice for healthy runners, not a diagnosis"). */
const char *pl_protocol_safety_note(const struct pl_protocol *p);

/* The lists, by index (NULL when i is out of range) and by id (NULL when
 * there is none). */
size_t pl_protocol_area_count(const struct pl_protocol *p);
const struct pl_area *pl_protocol_area(const struct pl_protocol *p, size_t i);
const struct pl_area *pl_protocol_area_find(const struct pl_protocol *p,
                                            const char *id);
size_t pl_protocol_routine_count(const struct pl_protocol *p);
const struct pl_routine *pl_protocol_routine(const struct pl_protocol *p,
                                             size_t i);
const struct pl_routine *pl_protocol_routine_find(const struct pl_protocol *p,
                                                  const char *id);
size_t pl_protocol_rule_count(const struct pl_protocol *p);
const struct pl_rule *pl_protocol_rule(const struct pl_protocol *p, size_t i);
const struct pl_rule *pl_protocol_rule_find(const struct pl_protocol *p,
                                            const char *id);
/* Constraints of the top level: they hold whichever rule schedules the
 * routine. (A rule's own are in struct pl_rule.) */
size_t pl_protocol_constraint_count(const struct pl_protocol *p);
const struct pl_constraint *pl_protocol_constraint(const struct pl_protocol *p,
                                                   size_t i);
size_t pl_protocol_red_flag_count(const struct pl_protocol *p);
const struct pl_red_flag *pl_protocol_red_flag(const struct pl_protocol *p,
                                               size_t i);
/* The `screening` section as written, or NULL when the file has none. */
const struct pl_node *pl_protocol_screening(const struct pl_protocol *p);

/* True when a routine, a rule or a constraint lists item in its covers
 * ("D2"; exact, case-sensitive). */
bool pl_protocol_covers(const struct pl_protocol *p, const char *item);

/* True when routine r may run at a time t_s given an event of kind `of`
 * at event_start_s..event_end_s, under constraint c: false when r is
 * among c's routines or kinds and t_s..t_s + r->duration_s overlaps the
 * forbidden span (within_s before the event's start, or after its end).
 * A constraint that does not name r always allows it. */
bool pl_constraint_allows(const struct pl_constraint *c,
                          const struct pl_routine *r, int64_t t_s,
                          int64_t event_start_s, int64_t event_end_s);

/* ------------------------------------------------------------------ */
/* Screening                                                            */
/* ------------------------------------------------------------------ */

/*
 * The self-screen (lib/recovery/screen.c): the questions of a protocol's
 * `screening` section (docs/formats.md), the runner's answers, and what
 * they mean: red flags that stop everything, the signs and the areas that
 * are flagged and why, whether hamstring work is indicated and how
 * strongly, and a program of twice-daily sessions on the flagged areas
 * followed by a visit to the therapist. The functions are pure and
 * allocate nothing: the structs are the caller's, their strings point into
 * the protocol, which must outlive them. Screens are kept in the store
 * (table screens) with their date, for `pliant screen --history` and for
 * the planner. This is advice for healthy runners, not a diagnosis.
 */

/* Questions one screening may hold, in all. */
#define PL_SCREEN_QUESTIONS_MAX 64
/* Areas one red flag may keep massage away from; covers per question. */
#define PL_SCREEN_LIST_MAX 8
/* Days of the program (twice a day each). */
#define PL_SCREEN_DAYS_MAX 14
/* An answers file is at most this large. */
#define PL_SCREEN_ANSWERS_BYTES_MAX (64u * 1024)

enum pl_screen_part { PL_SCREEN_RED_FLAG = 1, PL_SCREEN_SIGN, PL_SCREEN_AREA };
/* "red-flag", "sign", "area"; NULL for another number. */
const char *pl_screen_part_name(int part);

/* An answer; PL_ANSWER_NONE: not given. */
enum pl_answer { PL_ANSWER_NONE = 0, PL_ANSWER_NO, PL_ANSWER_YES, PL_ANSWER_UNSURE };
/* "no", "yes", "unsure"; "" for PL_ANSWER_NONE; NULL otherwise. */
const char *pl_answer_name(int answer);
/* "yes"/"y", "no"/"n", "unsure"/"u"/"?" (any case) to the enum; -1. */
int pl_answer_parse(const char *s);

/* One question. Strings are never NULL ("" when absent). */
struct pl_screen_question {
    uint8_t part;                 /* enum pl_screen_part */
    const char *id;               /* unique in the screening */
    const char *question;         /* asked as written; yes means found */
    const char *check;            /* how to check it at home; "" */
    const char *test;             /* AREA: the self-test's name */
    const char *reading;          /* AREA: how to read the test */
    const char *action;           /* RED_FLAG: what to do */
    bool urgent;                  /* RED_FLAG: seek care at once */
    bool prior;                   /* SIGN: makes the others count for more
                                     (long daily sitting) */
    const struct pl_area *area;   /* AREA: the body area (never NULL) */
    const struct pl_routine *routine;  /* AREA: its routine (never NULL) */
    size_t nno_massage;           /* RED_FLAG: areas to keep massage off */
    const struct pl_area *no_massage[PL_SCREEN_LIST_MAX];
    size_t ncovers;
    const char *covers[PL_SCREEN_LIST_MAX];   /* protocol items: "B1" */
    uint32_t line, col;
};

/* A protocol's screening, interpreted: red flags first, then the signs,
 * then the areas, each part in the file's order. */
struct pl_screening {
    const char *intro;            /* "" when none */
    size_t n;
    struct pl_screen_question q[PL_SCREEN_QUESTIONS_MAX];
    size_t nred, nsigns, nareas;  /* q[0..nred) are red flags, ... */
    uint16_t days;                /* program days, 1..PL_SCREEN_DAYS_MAX */
    int16_t time_min[2];          /* local minutes of the morning and the
                                     evening session */
    const struct pl_routine *then;  /* the day after the program ("see
                                       your therapist"); NULL when none */
    size_t ncovers;
    const char *covers[PL_SCREEN_LIST_MAX];   /* the program's items */
};

/* Read p's screening section into *s. PL_ENOTFOUND (no section),
 * PL_EFORMAT (every mistake goes to on_error with its line:column, as for
 * pl_protocol_parse(); diag holds the first), PL_ELIMIT (more than
 * PL_SCREEN_QUESTIONS_MAX questions or PL_SCREEN_LIST_MAX in a list). */
int pl_screening_read(const struct pl_protocol *p, struct pl_screening *s,
                      void (*on_error)(void *ctx, const struct pl_diag *e),
                      void *ctx, struct pl_diag *diag);
/* The question with this id, or NULL; *index its place when found. */
const struct pl_screen_question *pl_screening_find(const struct pl_screening *s,
                                                   const char *id,
                                                   size_t *index);

/* The runner's answers, by question index. */
struct pl_screen_answers {
    int32_t day;                  /* local date of the screen */
    bool day_given;               /* an answers file said `date:` */
    uint8_t a[PL_SCREEN_QUESTIONS_MAX];   /* enum pl_answer */
};
/* Day 0, nothing answered. */
void pl_screen_answers_init(struct pl_screen_answers *a);

/* Answers from YAML in buf[0..n) (libyaml):
 *     date: 2026-03-20          # optional
 *     answers:
 *       thigh-pop: no           # question id: yes, no or unsure
 *       squat: yes
 * Every red flag must be answered; an unanswered sign counts as no, an
 * unanswered area as unsure. PL_EFORMAT with line:column (a syntax error,
 * an unknown id, a bad answer, a repeated id, a missing red flag),
 * PL_ELIMIT (larger than PL_SCREEN_ANSWERS_BYTES_MAX, or deeper or longer
 * than a screening can be), PL_ENOMEM. a is filled from its current
 * contents (init it first). */
int pl_screen_answers_parse(const struct pl_screening *s, const void *buf,
                            size_t n, struct pl_screen_answers *a,
                            struct pl_diag *diag);

/* How strongly hamstring work is indicated. */
enum pl_screen_strength {
    PL_SCREEN_NONE = 0, PL_SCREEN_WEAK, PL_SCREEN_MODERATE, PL_SCREEN_STRONG
};
/* "none", "weak", "moderate", "strong"; NULL otherwise. */
const char *pl_screen_strength_name(int strength);

/* One flagged question and why. */
struct pl_screen_flag {
    size_t q;                     /* index in the screening */
    char why[256];
};

/* One session of the program: the routines of the flagged areas. */
struct pl_screen_session {
    int32_t day;                  /* local date */
    int16_t minute;               /* local start */
    bool evening;
    size_t nroutines;
    const struct pl_routine *routines[PL_SCREEN_QUESTIONS_MAX];
};

struct pl_screen_result {
    int32_t day;                  /* the screen's date */
    bool stopped;                 /* a red flag: no program, see a
                                     professional (the flags' actions) */
    bool urgent;                  /* one of them is urgent */
    size_t nflags;                /* red flags, signs and areas answered
                                     yes (areas also unsure), in question
                                     order */
    struct pl_screen_flag flags[PL_SCREEN_QUESTIONS_MAX];
    size_t nno_massage;           /* areas no massage may touch */
    const struct pl_area *no_massage[PL_SCREEN_QUESTIONS_MAX];
    uint32_t score;               /* signs answered yes, plus one for a
                                     prior sign with another sign */
    uint8_t strength;             /* enum pl_screen_strength: 0 none, 1
                                     weak, 2-3 moderate, 4+ strong */
    bool indicated;               /* score >= 2: do the program */
    bool all_areas;               /* no area was found: all of them */
    size_t nsessions;             /* 2 x days when there is a program */
    struct pl_screen_session sessions[2 * PL_SCREEN_DAYS_MAX];
    int32_t then_day;             /* the day after the program */
    const struct pl_routine *then;  /* NULL when no program */
};

/* What the answers mean. The program runs when nothing stopped the
 * screen and hamstring work is indicated or an area was flagged: on
 * a->day and the days after, a morning and an evening session each day,
 * each with the routines of the flagged areas (of all areas when none was
 * flagged), then s->then on the day after. Pure; no errors. */
void pl_screen_evaluate(const struct pl_screening *s,
                        const struct pl_screen_answers *a,
                        struct pl_screen_result *r);

/* A screen as stored: ids joined with commas. */
struct pl_screen_record {
    int64_t id;                   /* set by pl_screen_save() */
    int32_t day;                  /* local date of the screen */
    int64_t taken_s;              /* UTC, when it was saved */
    char protocol[64];
    bool stopped;
    uint8_t strength;
    char red_flags[512];          /* ids answered yes */
    char signs[512];              /* ids answered yes */
    char areas[512];              /* areas of the program */
    char no_massage[512];         /* area ids */
    char answers[4096];           /* "id=yes,id=no,..." in question order */
};
/* Fill rec from a screen (rec->id 0). Lists that do not fit are cut at a
 * whole id. */
void pl_screen_record_fill(const struct pl_screening *s,
                           const struct pl_screen_answers *a,
                           const struct pl_screen_result *r,
                           const char *protocol_id, int64_t taken_s,
                           struct pl_screen_record *rec);
/* Store a screen (lib/store/store.c, table screens); rec->id is set. PL_EDB,
 * PL_EIO. */
int pl_screen_save(struct pl_store *st, struct pl_screen_record *rec,
                   struct pl_diag *diag);
/* Screens by day, then id; non-zero from fn stops with PL_ECANCELED. */
int pl_screen_list(struct pl_store *st,
                   int (*fn)(void *ctx, const struct pl_screen_record *r),
                   void *ctx, struct pl_diag *diag);

/* A stored screen's answers back into *a (init it first): the ids its
 * answers text names that the screening still has; the day is the
 * record's. Returns how many answers it held that the screening no longer
 * asks (a protocol changed since). */
size_t pl_screen_record_answers(const struct pl_screening *s,
                                const struct pl_screen_record *rec,
                                struct pl_screen_answers *a);

/* The signs and areas flagged in now and not in before (gained), or in
 * before and not now (!gained): their question indexes into out (room for
 * s->n); returns how many. An area answered unsure counts as flagged, as
 * in the program. Red flags are left out: any of them stops a screen. */
size_t pl_screen_changes(const struct pl_screening *s,
                         const struct pl_screen_answers *now,
                         const struct pl_screen_answers *before, bool gained,
                         size_t *out);

/* ---- The body map (lib/render/bodymap.c) ---- */

/* A body, front and back, as SVG with areas marked: each mark fills its
 * region (both sides for a paired muscle), carries a number, and is named
 * in a legend under the figures. The regions are named like the default
 * protocol's areas: whole-back, thoracolumbar-extensors,
 * quadratus-lumborum, glutes, hamstring-origin, hamstrings, back-of-knee,
 * calves (back); abdominals, hip-flexors, quadriceps, shins (front);
 * whole-body (tints both figures). A mark of another region is named in
 * the legend, "not on the map". */
enum pl_body_tone {
    PL_BODY_FLAGGED = 1,          /* found in the screen: work on it */
    PL_BODY_WARNING,              /* a warning sign: no massage there */
};
struct pl_body_mark {
    const char *region;           /* a region id, as above */
    const char *label;            /* its name in the legend; NULL: the id */
    uint8_t tone;                 /* enum pl_body_tone */
};
#define PL_BODY_MARKS_MAX 32
/* True when the map has a region of that id. */
bool pl_body_region_known(const char *id);
/* The map as an SVG 1.1 document (self-contained, no scripts); *svg is
 * freed with pl_free(). PL_EINVAL (more than PL_BODY_MARKS_MAX marks, a
 * mark without a region or with another tone), PL_ENOMEM. */
int pl_body_map_svg(const struct pl_body_mark *marks, size_t n, char **svg,
                    size_t *len, struct pl_diag *diag);

/* ---- The therapist's summary (lib/render/summary.c) ---- */

/* Where one session of a screen's program stands (pliant done/skip). */
enum pl_program_mark {
    PL_PROGRAM_OPEN = 0,          /* not marked (yet) */
    PL_PROGRAM_DONE,              /* every routine of it done */
    PL_PROGRAM_SKIPPED,           /* one of them skipped */
    PL_PROGRAM_PARTLY,            /* some done, none skipped */
};

/* Everything one summary shows; the caller gathers it (pliant screen
 * --summary reads it from the store). Pointers are the caller's and may
 * be NULL where it says so. */
struct pl_screen_summary {
    const struct pl_protocol *protocol;
    const struct pl_screening *screening;
    const struct pl_screen_record *record;    /* the screen: id, day, when */
    const struct pl_screen_answers *answers;
    const struct pl_screen_result *result;    /* pl_screen_evaluate's */
    const struct pl_screen_record *previous;  /* the screen before; NULL */
    const char *athlete;                      /* a name; NULL or "" */
    /* The load: the days up to the screen's (28 of them, fewer when the
     * history is shorter; NULL with 0 when there is none), in date
     * order, and the activities of those days. */
    const struct pl_day *days;
    size_t ndays;
    uint32_t activities;
    double hours, km;
    /* The program: where each of result->sessions stands, and the day
     * after it ("see your therapist"). */
    uint8_t session_marks[2 * PL_SCREEN_DAYS_MAX];   /* enum pl_program_mark */
    uint8_t then_mark;                        /* the visit, the same way */
    int32_t today;                            /* local date */
    int64_t made_s;                           /* UTC, when it was made */
};

/* The subjective part of a treatment note (the S of SOAP), as plain
 * text in short lines: what the runner reported, red flags, signs and
 * areas, the load of the last weeks with its hard days, races and trips,
 * the program and how it went, and what changed since the screen before.
 * *text is freed with pl_free(). PL_EINVAL (a required pointer is NULL),
 * PL_ENOMEM. */
int pl_screen_summary_text(const struct pl_screen_summary *s, char **text,
                           size_t *len, struct pl_diag *diag);

/* The marks of the summary's body map into m (room for
 * PL_BODY_MARKS_MAX): the areas of the warning signs (no massage), then
 * the hamstrings when the signs call for work on them, then the areas the
 * self-tests found; an area once. Returns how many. */
size_t pl_screen_summary_marks(const struct pl_screen_summary *s,
                               struct pl_body_mark *m);

/* The one-page summary as an HTML5 document (UTF-8, self-contained: the
 * styles, the body map and the load chart are inline; no scripts, nothing
 * fetched), laid out to print on one A4 page. Errors as above. */
int pl_screen_summary_html(const struct pl_screen_summary *s, char **html,
                           size_t *len, struct pl_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
