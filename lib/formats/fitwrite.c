/*
 * fitwrite.c - the FIT encoder: definitions and data messages out, with a
 * correct header, data size and CRCs.
 *
 * It is for making FIT files (simulated activities, workouts for watches).
 * It is not a profile-aware object model: callers say which fields a
 * message has (number, base type, size, scale) and give values in the
 * profile's units; the encoder checks ranges, scales, lays out the bytes
 * and keeps the CRC. Format facts cite the FIT protocol document's
 * sections; message and field numbers cite FIT profile 21.217.
 *
 * Output is streamed: memory grows by doubling up to a cap, a file is
 * written as we go. The header's data size is only known at the end, and
 * the file CRC covers the header, so a file writer rewrites the header on
 * finish and combines CRCs instead of reading the file back (see
 * file_crc()).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/internal.h"

/* FIT protocol, "File Header": 14 bytes with the header CRC. */
enum { HEADER_SIZE = 14, HEADER_CRC_AT = 12, CRC_SIZE = 2 };
/* Protocol version byte 2.0 as (major << 4) | minor ("File Header"). */
enum { PROTOCOL_VERSION = 0x20 };
/* Profile version 21.217 as major * 1000 + minor, as the SDK writes it for
 * minor versions above 99. */
enum { PROFILE_VERSION = 21217 };
/* FIT protocol, "Record Header": bit 6 set for a definition message; the
 * low 4 bits are the local message type. */
enum { HDR_DEFINITION = 0x40, LOCAL_TYPES = 16 };
/* FIT protocol, "Base Type": bit 7 marks types with an endianness. */
enum { BASE_ENDIAN_FLAG = 0x80 };
/* Output buffer growth for memory writers. */
enum { MEM_BYTES_MIN = 4096 };
/* The header's data size is a uint32 (FIT protocol, "File Header"). */
#define DATA_BYTES_MAX UINT64_C(0xFFFFFFFF)

struct def {
    bool used;
    uint16_t global;
    uint16_t nfields;
    uint32_t msg_bytes;             /* record header + field bytes */
    struct pl_fit_wfield *fields;
};

struct pl_fit_writer {
    int err;                        /* sticky error, PL_OK while fine */
    bool finished;
    uint64_t size;                  /* bytes emitted, header included */
    uint64_t bytes_max;
    uint16_t crc_data;              /* CRC of the bytes after the header,
                                       from an initial value of 0 */
    /* memory output */
    uint8_t *buf;
    size_t cap;
    /* file output */
    FILE *f;
    char *path;
    /* one message being encoded */
    uint8_t *msg;
    size_t msg_cap;
    struct def defs[LOCAL_TYPES];
};

static int fail(struct pl_fit_writer *w, struct pl_diag *d, int code, const char *what)
{
    w->err = code;
    return pl__diag(d, code, w->size, "FIT writer: %s", what);
}

static int fail_io(struct pl_fit_writer *w, struct pl_diag *d, const char *what)
{
    w->err = PL_EIO;
    return pl__diag(d, PL_EIO, w->size, "FIT writer: cannot %s '%s': %s", what, w->path,
                    strerror(errno));
}

static int sticky(const struct pl_fit_writer *w, struct pl_diag *d)
{
    return pl__diag(d, w->err, w->size, "FIT writer: an earlier call failed (%s)",
                    pl_strerror(w->err));
}

static struct pl_fit_writer *writer_alloc(uint64_t bytes_max)
{
    struct pl_fit_writer *w = pl__calloc(1, sizeof *w);
    if (!w)
        return NULL;
    uint64_t cap = HEADER_SIZE + DATA_BYTES_MAX + CRC_SIZE;
    w->bytes_max = bytes_max < cap ? bytes_max : cap;
    return w;
}

/* Append raw bytes to the output, counting them against the cap. Data
 * bytes leave room for the file CRC, so finishing never hits the cap.
 * Invariant: size <= bytes_max. */
static int emit(struct pl_fit_writer *w, const void *p, size_t n, bool data,
                struct pl_diag *d)
{
    uint64_t room = w->bytes_max - w->size;
    if (data)
        room = room > CRC_SIZE ? room - CRC_SIZE : 0;
    if (n > room)
        return fail(w, d, PL_ELIMIT, "output would exceed its byte limit");
    if (w->f) {
        if (fwrite(p, 1, n, w->f) != n)
            return fail_io(w, d, "write");
    } else {
        if (w->size + n > w->cap) {
            uint64_t cap = w->cap ? w->cap : MEM_BYTES_MIN;
            while (cap < w->size + n)
                cap *= 2;
            if (cap > w->bytes_max)
                cap = w->bytes_max;
            if (cap > SIZE_MAX)
                return fail(w, d, PL_ELIMIT, "output too large");
            uint8_t *nb = pl__realloc(w->buf, (size_t)cap);
            if (!nb)
                return fail(w, d, PL_ENOMEM, "out of memory");
            w->buf = nb;
            w->cap = (size_t)cap;
        }
        memcpy(w->buf + w->size, p, n);
    }
    if (data)
        w->crc_data = pl_fit_crc16(w->crc_data, p, n);
    w->size += n;
    return PL_OK;
}

static int emit_placeholder_header(struct pl_fit_writer *w, struct pl_diag *d)
{
    static const uint8_t zeros[HEADER_SIZE];
    return emit(w, zeros, sizeof zeros, false, d);
}

struct pl_fit_writer *pl_fit_writer_new(size_t bytes_max)
{
    struct pl_fit_writer *w = writer_alloc(bytes_max);
    if (w && emit_placeholder_header(w, NULL) != PL_OK) {
        /* Only a cap below the header size leaves the error sticky; out of
         * memory is reported as NULL, as the contract says. */
        if (w->err == PL_ENOMEM) {
            pl_fit_writer_free(w);
            return NULL;
        }
    }
    return w;
}

int pl_fit_writer_open(struct pl_fit_writer **out, const char *path,
                       uint64_t bytes_max, struct pl_diag *diag)
{
    *out = NULL;
    struct pl_fit_writer *w = writer_alloc(bytes_max);
    if (!w || !(w->path = pl__strdup(path))) {
        pl_fit_writer_free(w);
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "FIT writer: out of memory");
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        int e = errno;
        pl_fit_writer_free(w);
        return pl__diag(diag, PL_EIO, UINT64_MAX, "cannot create '%s': %s", path,
                        strerror(e));
    }
    int rc = emit_placeholder_header(w, diag);
    if (rc != PL_OK) {
        pl_fit_writer_free(w);
        return rc;
    }
    *out = w;
    return PL_OK;
}

static bool base_known(unsigned base)
{
    return base < PL_FIT_BASE_COUNT_ && pl_fit_base_size(base) > 0;
}

/* A definition record (FIT protocol, "Definition Messages"): header,
 * reserved, architecture, global number, field count, then per field its
 * number, size and base type. */
static int emit_definition(struct pl_fit_writer *w, unsigned local,
                           const struct def *df, struct pl_diag *d)
{
    uint8_t head[6] = {
        (uint8_t)(HDR_DEFINITION | local), 0, 0,
        (uint8_t)(df->global & 0xFF), (uint8_t)(df->global >> 8),
        (uint8_t)df->nfields,
    };
    int rc = emit(w, head, sizeof head, true, d);
    for (unsigned i = 0; rc == PL_OK && i < df->nfields; i++) {
        const struct pl_fit_wfield *f = &df->fields[i];
        uint8_t base = f->base;
        if (pl_fit_base_size(base) > 1)
            base |= BASE_ENDIAN_FLAG;
        uint8_t fd[3] = { f->num, f->size, base };
        rc = emit(w, fd, sizeof fd, true, d);
    }
    return rc;
}

static int check_fields(struct pl_fit_writer *w, const struct pl_fit_wfield *fields,
                        unsigned nfields, uint32_t *msg_bytes, struct pl_diag *d)
{
    uint32_t bytes = 1;
    for (unsigned i = 0; i < nfields; i++) {
        const struct pl_fit_wfield *f = &fields[i];
        if (!base_known(f->base))
            return fail(w, d, PL_EINVAL, "unknown base type");
        unsigned bsize = pl_fit_base_size(f->base);
        if (f->size == 0 || f->size % bsize != 0)
            return fail(w, d, PL_EINVAL,
                        "field size is not a multiple of its base type's size");
        bytes += f->size;
    }
    *msg_bytes = bytes;
    return PL_OK;
}

int pl_fit_writer_define(struct pl_fit_writer *w, unsigned local, uint16_t global,
                         const struct pl_fit_wfield *fields, unsigned nfields,
                         struct pl_diag *diag)
{
    if (w->err)
        return sticky(w, diag);
    if (w->finished)
        return fail(w, diag, PL_EINVAL, "define after finish");
    if (local >= LOCAL_TYPES || nfields > 255)
        return fail(w, diag, PL_EINVAL, "local type above 15 or more than 255 fields");
    uint32_t msg_bytes = 0;
    int rc = check_fields(w, fields, nfields, &msg_bytes, diag);
    if (rc != PL_OK)
        return rc;
    struct pl_fit_wfield *copy = pl__malloc_array(nfields, sizeof *copy);
    if (!copy)
        return fail(w, diag, PL_ENOMEM, "out of memory");
    if (nfields)
        memcpy(copy, fields, nfields * sizeof *copy);
    if (msg_bytes > w->msg_cap) {
        uint8_t *nb = pl__realloc(w->msg, msg_bytes);
        if (!nb) {
            pl__free(copy);
            return fail(w, diag, PL_ENOMEM, "out of memory");
        }
        w->msg = nb;
        w->msg_cap = msg_bytes;
    }
    struct def *df = &w->defs[local];
    pl__free(df->fields);
    *df = (struct def){ true, global, (uint16_t)nfields, msg_bytes, copy };
    return emit_definition(w, local, df, diag);
}

/* The bit pattern that means "no value" for each base type (FIT protocol,
 * "Base Types": all ones, the largest positive value for signed types, 0
 * for the z types). */
static uint64_t invalid_bits(unsigned base)
{
    switch (base) {
    case PL_FIT_SINT8: return 0x7F;
    case PL_FIT_SINT16: return 0x7FFF;
    case PL_FIT_SINT32: return 0x7FFFFFFF;
    case PL_FIT_SINT64: return UINT64_C(0x7FFFFFFFFFFFFFFF);
    case PL_FIT_UINT8Z: case PL_FIT_UINT16Z: case PL_FIT_UINT32Z:
    case PL_FIT_UINT64Z: case PL_FIT_STRING:
        return 0;
    default: {
        unsigned size = pl_fit_base_size(base);
        return size < 8 ? (UINT64_C(1) << (8 * size)) - 1 : UINT64_MAX;
    }
    }
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The stored bits of one valid integer value, or false when it does not fit
 * the base type or collides with its invalid value. */
static bool int_bits(unsigned base, double stored, uint64_t *bits)
{
    unsigned size = pl_fit_base_size(base);
    bool is_signed = base == PL_FIT_SINT8 || base == PL_FIT_SINT16 ||
                     base == PL_FIT_SINT32 || base == PL_FIT_SINT64;
    double span = ldexp(1.0, (int)(8 * size));
    if (is_signed) {
        if (stored < -span / 2 || stored >= span / 2)
            return false;
        *bits = (uint64_t)(int64_t)stored;
    } else {
        if (stored < 0 || stored >= span)
            return false;
        *bits = (uint64_t)stored;
    }
    if (size < 8)
        *bits &= (UINT64_C(1) << (8 * size)) - 1;
    return *bits != invalid_bits(base);
}

/* Encode one number of a field at p; false when out of range. */
static bool encode_num(const struct pl_fit_wfield *f, double v, uint8_t *p)
{
    unsigned size = pl_fit_base_size(f->base);
    if (isnan(v)) {
        put_le(p, invalid_bits(f->base), size);
        return true;
    }
    double scale = f->scale != 0 ? f->scale : 1;
    double stored = (v + f->offset) * scale;
    if (f->base == PL_FIT_FLOAT32) {
        float x = (float)stored;
        uint32_t b;
        if (!isfinite(x))
            return false;
        memcpy(&b, &x, sizeof b);
        put_le(p, b, 4);
        return true;
    }
    if (f->base == PL_FIT_FLOAT64) {
        uint64_t b;
        if (!isfinite(stored))
            return false;
        memcpy(&b, &stored, sizeof b);
        put_le(p, b, 8);
        return true;
    }
    uint64_t bits;
    if (!isfinite(stored) || !int_bits(f->base, round(stored), &bits))
        return false;
    put_le(p, bits, size);
    return true;
}

/* Copy a UTF-8 string into a field of `size` bytes: cut at a character
 * boundary so the result stays valid, then NUL-pad (FIT protocol, "String":
 * null-terminated UTF-8). */
static void encode_str(const char *s, uint8_t *p, unsigned size)
{
    size_t n = s ? strlen(s) : 0;
    if (n > size - 1u) {
        n = size - 1u;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memset(p, 0, size);
    if (n)
        memcpy(p, s, n);
}

static bool encode_field(const struct pl_fit_wfield *f, const struct pl_fit_wvalue *v,
                         uint8_t *p)
{
    if (f->base == PL_FIT_STRING) {
        encode_str(v->str, p, f->size);
        return true;
    }
    unsigned bsize = pl_fit_base_size(f->base), count = f->size / bsize;
    if (count == 1)
        return encode_num(f, v->num, p);
    for (unsigned k = 0; k < count; k++)
        if (!encode_num(f, v->nums ? v->nums[k] : NAN, p + k * bsize))
            return false;
    return true;
}

int pl_fit_writer_write(struct pl_fit_writer *w, unsigned local,
                        const struct pl_fit_wvalue *values, struct pl_diag *diag)
{
    if (w->err)
        return sticky(w, diag);
    if (local >= LOCAL_TYPES || !w->defs[local].used || w->finished)
        return fail(w, diag, PL_EINVAL,
                    "data message for an undefined local type (or after finish)");
    const struct def *df = &w->defs[local];
    uint8_t *p = w->msg;
    *p++ = (uint8_t)local;     /* normal header, data message */
    for (unsigned i = 0; i < df->nfields; i++) {
        const struct pl_fit_wfield *f = &df->fields[i];
        if (!encode_field(f, &values[i], p)) {
            w->err = PL_EINVAL;
            return pl__diag(diag, PL_EINVAL, w->size,
                            "FIT writer: value out of range for field %u of message %u",
                            f->num, df->global);
        }
        p += f->size;
    }
    return emit(w, w->msg, df->msg_bytes, true, diag);
}

/* The header with the final data size and its own CRC (FIT protocol, "File
 * Header"). */
static void make_header(uint8_t h[HEADER_SIZE], uint32_t data_size)
{
    h[0] = HEADER_SIZE;
    h[1] = PROTOCOL_VERSION;
    put_le(h + 2, PROFILE_VERSION, 2);
    put_le(h + 4, data_size, 4);
    memcpy(h + 8, ".FIT", 4);
    put_le(h + HEADER_CRC_AT, pl_fit_crc16(0, h, HEADER_CRC_AT), 2);
}

/*
 * The file CRC covers header and data (FIT protocol, "CRC"). The header is
 * only final now, but the data's CRC was kept as it streamed out. FIT's
 * CRC-16 starts from 0 and has no final XOR, so it is linear over GF(2):
 * crc(H || D) = crc(H || zeros(|D|)) ^ crc(D). The first term is the header
 * CRC run on through |D| zero bytes; no byte is read back.
 */
static uint16_t file_crc(const uint8_t h[HEADER_SIZE], uint64_t data_size,
                         uint16_t crc_data)
{
    static const uint8_t zeros[4096];
    uint16_t crc = pl_fit_crc16(0, h, HEADER_SIZE);
    while (data_size > 0) {
        size_t n = data_size < sizeof zeros ? (size_t)data_size : sizeof zeros;
        crc = pl_fit_crc16(crc, zeros, n);
        data_size -= n;
    }
    return crc ^ crc_data;
}

static int finish_file(struct pl_fit_writer *w, const uint8_t h[HEADER_SIZE],
                       struct pl_diag *d)
{
    if (fflush(w->f) != 0 || fseek(w->f, 0, SEEK_SET) != 0 ||
        fwrite(h, 1, HEADER_SIZE, w->f) != HEADER_SIZE || fseek(w->f, 0, SEEK_END) != 0)
        return fail_io(w, d, "rewrite the header of");
    return PL_OK;
}

int pl_fit_writer_finish(struct pl_fit_writer *w, struct pl_diag *diag)
{
    if (w->err)
        return sticky(w, diag);
    if (w->finished)
        return fail(w, diag, PL_EINVAL, "finished twice");
    uint64_t data_size = w->size - HEADER_SIZE;
    uint8_t h[HEADER_SIZE];
    make_header(h, (uint32_t)data_size);
    int rc = w->f ? finish_file(w, h, diag) : PL_OK;
    if (rc != PL_OK)
        return rc;
    if (!w->f)
        memcpy(w->buf, h, HEADER_SIZE);
    uint8_t crc[CRC_SIZE];
    put_le(crc, file_crc(h, data_size, w->crc_data), CRC_SIZE);
    rc = emit(w, crc, CRC_SIZE, false, diag);
    if (rc != PL_OK)
        return rc;
    if (w->f) {
        int closed = fclose(w->f);
        w->f = NULL;
        if (closed != 0)
            return fail_io(w, diag, "close");
    }
    w->finished = true;
    return PL_OK;
}

uint64_t pl_fit_writer_size(const struct pl_fit_writer *w)
{
    return w->size;
}

const uint8_t *pl_fit_writer_bytes(const struct pl_fit_writer *w, size_t *n)
{
    if (w->path) {
        *n = 0;
        return NULL;
    }
    *n = (size_t)w->size;
    return w->buf;
}

void pl_fit_writer_free(struct pl_fit_writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    if (w->path && !w->finished)
        remove(w->path);
    for (unsigned i = 0; i < LOCAL_TYPES; i++)
        pl__free(w->defs[i].fields);
    pl__free(w->buf);
    pl__free(w->msg);
    pl__free(w->path);
    pl__free(w);
}

/* ------------------------------------------------------------------ */
/* Workout files                                                        */
/* ------------------------------------------------------------------ */

/* FIT profile 21.217: message numbers, and values of the types used. */
enum {
    MSG_FILE_ID = 0, MSG_WORKOUT = 26, MSG_WORKOUT_STEP = 27,
    FILE_TYPE_WORKOUT = 5,            /* type "file" */
    MANUFACTURER_DEVELOPMENT = 255,   /* type "manufacturer" */
    WKT_DURATION_TIME = 0,            /* type "wkt_step_duration" */
    WKT_TARGET_OPEN = 2,              /* type "wkt_step_target" */
    LOCAL_FILE_ID = 0, LOCAL_WORKOUT = 1, LOCAL_STEP = 2,
};

static int write_workout_file_id(struct pl_fit_writer *w, const struct pl_fit_workout *wk,
                                 struct pl_diag *d)
{
    /* file_id: type(0) enum, manufacturer(1) uint16, product(2) uint16,
     * serial_number(3) uint32z, time_created(4) date_time (FIT profile
     * 21.217, message 0). */
    static const struct pl_fit_wfield f[] = {
        { 0, PL_FIT_ENUM, 1, 1, 0 }, { 1, PL_FIT_UINT16, 2, 1, 0 },
        { 2, PL_FIT_UINT16, 2, 1, 0 }, { 3, PL_FIT_UINT32Z, 4, 1, 0 },
        { 4, PL_FIT_UINT32, 4, 1, 0 },
    };
    double created = (double)(wk->time_created_s - PL_FIT_EPOCH_S);
    struct pl_fit_wvalue v[] = {
        { .num = FILE_TYPE_WORKOUT }, { .num = MANUFACTURER_DEVELOPMENT },
        { .num = 1 }, { .num = fmod(created, 4294967294.0) + 1 }, { .num = created },
    };
    int rc = pl_fit_writer_define(w, LOCAL_FILE_ID, MSG_FILE_ID, f, PL_ARRAY_LEN(f), d);
    return rc ? rc : pl_fit_writer_write(w, LOCAL_FILE_ID, v, d);
}

static int write_workout_msg(struct pl_fit_writer *w, const struct pl_fit_workout *wk,
                             struct pl_diag *d)
{
    /* workout: sport(4) enum, num_valid_steps(6) uint16, wkt_name(8)
     * string (FIT profile 21.217, message 26). */
    static const struct pl_fit_wfield f[] = {
        { 4, PL_FIT_ENUM, 1, 1, 0 }, { 6, PL_FIT_UINT16, 2, 1, 0 },
        { 8, PL_FIT_STRING, PL_FIT_WORKOUT_NAME_BYTES, 1, 0 },
    };
    struct pl_fit_wvalue v[] = {
        { .num = wk->sport }, { .num = wk->nsteps }, { .str = wk->name },
    };
    int rc = pl_fit_writer_define(w, LOCAL_WORKOUT, MSG_WORKOUT, f, PL_ARRAY_LEN(f), d);
    return rc ? rc : pl_fit_writer_write(w, LOCAL_WORKOUT, v, d);
}

static int write_workout_steps(struct pl_fit_writer *w, const struct pl_fit_workout *wk,
                               struct pl_diag *d)
{
    /* workout_step: message_index(254) uint16, wkt_step_name(0) string,
     * duration_type(1) enum, duration_value(2) uint32 (read as the
     * sub-field duration_time, scale 1000, s, when duration_type is time),
     * target_type(3) enum, target_value(4) uint32, intensity(7) enum,
     * notes(8) string (FIT profile 21.217, message 27). */
    static const struct pl_fit_wfield f[] = {
        { 254, PL_FIT_UINT16, 2, 1, 0 },
        { 0, PL_FIT_STRING, PL_FIT_WORKOUT_NAME_BYTES, 1, 0 },
        { 1, PL_FIT_ENUM, 1, 1, 0 }, { 2, PL_FIT_UINT32, 4, 1000, 0 },
        { 3, PL_FIT_ENUM, 1, 1, 0 }, { 4, PL_FIT_UINT32, 4, 1, 0 },
        { 7, PL_FIT_ENUM, 1, 1, 0 },
        { 8, PL_FIT_STRING, PL_FIT_WORKOUT_NOTES_BYTES, 1, 0 },
    };
    int rc = pl_fit_writer_define(w, LOCAL_STEP, MSG_WORKOUT_STEP, f, PL_ARRAY_LEN(f), d);
    for (unsigned i = 0; rc == PL_OK && i < wk->nsteps; i++) {
        const struct pl_fit_workout_step *s = &wk->steps[i];
        struct pl_fit_wvalue v[] = {
            { .num = i }, { .str = s->name }, { .num = WKT_DURATION_TIME },
            { .num = s->duration_s }, { .num = WKT_TARGET_OPEN }, { .num = 0 },
            { .num = s->intensity }, { .str = s->notes },
        };
        rc = pl_fit_writer_write(w, LOCAL_STEP, v, d);
    }
    return rc;
}

static int check_workout(struct pl_fit_writer *w, const struct pl_fit_workout *wk,
                         struct pl_diag *d)
{
    if (wk->nsteps == 0 || wk->nsteps > PL_FIT_WORKOUT_STEPS_MAX || !wk->steps)
        return fail(w, d, PL_EINVAL, "a workout needs 1 to 1000 steps");
    if (wk->time_created_s < PL_FIT_EPOCH_S)
        return fail(w, d, PL_EINVAL, "a workout created before the FIT epoch");
    for (unsigned i = 0; i < wk->nsteps; i++) {
        const struct pl_fit_workout_step *s = &wk->steps[i];
        if (s->duration_s == 0 || s->duration_s > PL_FIT_WORKOUT_STEP_S_MAX)
            return fail(w, d, PL_EINVAL, "a workout step lasts 1 s to 7 days");
        if (s->intensity > PL_FIT_INTENSITY_INTERVAL)
            return fail(w, d, PL_EINVAL, "unknown workout step intensity");
    }
    return PL_OK;
}

int pl_fit_writer_add_workout(struct pl_fit_writer *w, const struct pl_fit_workout *wk,
                              struct pl_diag *diag)
{
    if (w->err)
        return sticky(w, diag);
    int rc = check_workout(w, wk, diag);
    if (rc == PL_OK)
        rc = write_workout_file_id(w, wk, diag);
    if (rc == PL_OK)
        rc = write_workout_msg(w, wk, diag);
    if (rc == PL_OK)
        rc = write_workout_steps(w, wk, diag);
    return rc;
}
