/*
 * fitdecoder.h - the FIT decoder's inside, shared by its files (private to
 * lib/formats/; nothing else includes it).
 *
 * The decoder is one object in four files: fit.c reads records and decodes
 * data messages (the hot loop), fitcompile.c compiles definition messages
 * into the plans that loop walks, fitdev.c learns developer fields, fitcrc.c
 * computes the CRC. What they share is here: the base types, the compiled
 * plan, the decoder's state, and the byte loads. lib/formats/fit.c opens
 * with the design.
 */
#ifndef PL_FITDECODER_H
#define PL_FITDECODER_H

#include <string.h>

#include "formats/fitprofile.h"
#include "base/internal.h"

struct base_info {
    const char *name;
    uint8_t size;
    uint64_t invalid;       /* the invalid value, as an unsigned bit pattern */
};
/* FIT protocol, "Base Types": sizes and invalid values (fit.c). */
extern const struct base_info pl__fit_bases[PL_FIT_BASE_COUNT_];

/* ------------------------------------------------------------------ */

static inline uint16_t ld16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t ld32(const uint8_t *p, bool be)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return be ? __builtin_bswap32(v) : v;
}

static inline uint64_t ld64(const uint8_t *p, bool be)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return be ? __builtin_bswap64(v) : v;
}


/* ------------------------------------------------------------------ */
/* Compiled definitions                                                 */
/* ------------------------------------------------------------------ */

/* The hot loop writes kind, base and count of a value as one 32-bit word. */
_Static_assert(offsetof(struct pl_fit_value, base) == offsetof(struct pl_fit_value, kind) + 1 &&
                   offsetof(struct pl_fit_value, count) == offsetof(struct pl_fit_value, kind) + 2 &&
                   sizeof(((struct pl_fit_value *)0)->count) == 2,
               "pl_fit_value layout");

enum op_kind {
    OP_NUM,     /* one number */
    OP_ARRAY,   /* several numbers of the same base type */
    OP_STRING,
    OP_BYTES,   /* kept raw: size not a multiple of the base size, or an
                   unknown base type */
};

/* The hot loop's readers: one per base type and byte order for single
 * numbers, so a data message costs one switch per field. */
enum reader {
    R_U8, R_S8, R_U16, R_S16, R_U32, R_S32, R_U16B, R_S16B, R_U32B, R_S32B,
    R_OTHER_NUM,   /* floats and 64-bit types, through elem() */
    R_ARRAY, R_STRING, R_BYTES, R_SKIP,
};

/* Op flags. */
#define OPF_SCALE 0x01     /* apply scale and offset */
#define OPF_SLOW 0x02      /* components, sub-fields or accumulation */
#define OPF_TIMESTAMP 0x04 /* field 253: remember as the last timestamp */
#define OPF_ACCUM 0x08     /* an accumulated field: reseeds the accumulator */

struct op {
    uint16_t off;           /* offset of the field in the message's data */
    uint8_t size;           /* bytes */
    uint8_t base;           /* base type as written */
    uint8_t kind;           /* enum op_kind */
    uint8_t rd;             /* enum reader: how the hot loop reads it */
    uint8_t flags;
    uint16_t count;         /* elements (OP_NUM: 1) */
    uint32_t vhdr;          /* kind, base and count of a one-number value,
                               as laid out in struct pl_fit_value */
    uint64_t invalid;
    double scale, offset;
    const struct pl_fit_field *field;
    const struct pl_fit_field_info *info;  /* NULL when not in the profile */
};



/* A developer field in a definition. The description is looked up by
 * (dev_index, num) per message, since a field_description may come or
 * change after the definition. */
struct devop {
    uint16_t off;
    uint8_t size;
    uint8_t dev_index;
    uint8_t num;
    struct pl_fit_field undescribed;  /* used while no description exists */
};

/* A compiled component of a one-element field whose expansion needs no
 * state: bits [shift, shift + bits) of the source become the target. Most
 * record messages need only these (speed -> enhanced_speed, altitude ->
 * enhanced_altitude), so they run without the general slow pass. */
struct xop {
    uint16_t src;           /* op index of the source field */
    int16_t native;         /* op index of the target in the same message,
                               or -1 */
    uint8_t shift;
    uint64_t mask;
    double scale, offset;   /* the component's */
    double tscale, toffset; /* the target's, for its invalid test */
    double tinvalid;
    const struct pl_fit_field *target;
};

/* An accumulated field present natively: its value seeds an accumulator. */
struct seed {
    uint16_t op;
    uint8_t accum;          /* index into the decoder's accum table */
    double cscale, coffset; /* the feeding component's scale and offset */
};

struct fdef {
    bool defined;
    bool be;                /* big-endian data */
    bool slow;              /* needs the general slow pass */
    uint16_t global;
    const struct pl_fit_msg_info *mi;
    uint32_t size;          /* bytes of data after the record header */
    uint16_t nops, ndev;
    struct op *ops;
    struct devop *devops;
    struct pl_fit_field *unknown;   /* descriptors of unknown fields */
    struct xop *xops;       /* simple components, when !slow */
    uint16_t nxops;
    int16_t ts_op;          /* op index of a uint32 timestamp (253), or -1 */
    struct seed seeds[4];   /* accumulated fields present natively */
    uint8_t nseeds;
    uint32_t nums_max;      /* numbers this message may need */
    uint32_t values_max;
};

/* A developer field description (from field_description, message 206). */
struct devfield {
    struct pl_fit_field pub;
    uint8_t base;
    double scale, offset;   /* NaN when absent */
    bool array;
    char *name_buf, *units_buf;
};

/* Accumulated component targets (FIT protocol, "Accumulated fields"):
 * per (message, field), the running value and the last raw value. */
struct accum {
    uint16_t global;
    uint8_t field;
    bool used;
    uint64_t value, last;
};

#define ACCUM_MAX 32

enum state {
    ST_HEADER,      /* expecting a file header */
    ST_RECORDS,     /* inside the data of a segment */
    ST_CRC,         /* expecting the 2-byte file CRC */
    ST_TRAILING,    /* bytes after the last segment that are not FIT */
    ST_ERROR,
};

struct pl_fit_decoder {
    struct pl_fit_handler h;
    unsigned options;
    enum state st;
    int err;                    /* the sticky error after ST_ERROR */
    struct pl_diag err_diag;

    uint64_t pos;               /* absolute offset of the next byte */
    uint64_t seg_start;
    uint64_t data_end;          /* absolute end of the segment's data */
    bool size_unknown;          /* header data size 0: decode to the end */
    bool finishing;             /* in finish: held-back records may go */
    uint8_t segment;
    bool any_segment;
    uint16_t crc;               /* running CRC of the segment */
    uint32_t last_ts;           /* last full timestamp (for compressed) */
    bool have_ts;
    unsigned warnings;

    struct fdef defs[16];

    struct devfield *dev;       /* developer field descriptions */
    uint32_t ndev, devcap;
    bool dev_index_known[PL_FIT_DEV_INDEX_MAX];

    struct accum accum[ACCUM_MAX];

    /* Output buffers, grown to the largest definition's needs. */
    struct pl_fit_value *vals;
    uint32_t valcap;
    double *nums;
    uint32_t numcap;

    /* Carry-over for a record split across feeds. */
    uint8_t *carry;
    uint32_t carry_len;
};


/* A warning to the handler (at most PL_FIT_WARNINGS_MAX a decoder). */
void pl__fit_warn(struct pl_fit_decoder *d, int code, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Enter the error state; returns the code. */
int pl__fit_fail(struct pl_fit_decoder *d, struct pl_diag *diag, int code, uint64_t off,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* fitcompile.c: compile a definition message into local slot `local`'s
 * plan (p at the reserved byte, the whole definition checked present);
 * release a plan; the accumulator of (message, field), NULL when all
 * ACCUM_MAX are taken. */
int pl__fit_compile_def(struct pl_fit_decoder *d, uint8_t local, bool has_dev, const uint8_t *p,
                        uint64_t off, struct pl_diag *diag);
void pl__fit_fdef_release(struct fdef *f);
struct accum *pl__fit_accum_slot(struct pl_fit_decoder *d, uint16_t global, uint8_t field);

/* fitdev.c: the description of developer field (index, num), or NULL;
 * learn from a developer_data_id or field_description message. */
const struct devfield *pl__fit_dev_find(const struct pl_fit_decoder *d, uint8_t index, uint8_t num);
int pl__fit_learn_dev(struct pl_fit_decoder *d, const struct pl_fit_msg *m, struct pl_diag *diag);

#endif
