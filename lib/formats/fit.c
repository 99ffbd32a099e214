/*
 * fit.c - the FIT decoder: a streaming, bounds-checked reader of FIT files.
 *
 * What it is for: turning the bytes of a FIT file (one or several chained
 * FIT segments) into messages of decoded values, in profile units, delivered
 * one by one to a callback. It knows the protocol (file header, record
 * headers, definitions, compressed timestamps, developer fields, CRC) and
 * uses the profile tables (fitprofile.c) for names, scale, offset,
 * components and sub-fields. What it is not: it keeps no messages, builds
 * no activity and prints nothing; callers do that.
 *
 * Source of the format facts: the FIT protocol description in Garmin's FIT
 * SDK ("Flexible and Interoperable Data Transfer (FIT) Protocol", rev 2.x):
 * file header, record header, definition and data messages, compressed
 * timestamp header, base types, developer data, CRC; and the FIT profile
 * 21.217 for messages and fields.
 *
 * Design. Each definition message is compiled once into a plan: one op per
 * field (offset, reader, invalid value, scale, offset, descriptor). A data
 * message is then decoded by walking its ops, with no look-ups. Fields that
 * need more than a number (components, sub-fields, accumulation) mark the
 * plan "slow", and a second pass handles them for that message only.
 *
 * Input is fed in pieces of any size. Whole records are decoded in place;
 * a record split across two pieces is gathered in a carry buffer of at most
 * PL_FIT_MSG_BYTES_MAX bytes, so memory never grows with the file.
 *
 * CRC policy (docs/formats.md): a header CRC of 0 means absent; a wrong
 * header or file CRC is a warning, or an error with PL_FIT_STRICT. Bytes
 * after the last segment that are not a FIT header are a warning (an error
 * with PL_FIT_STRICT). A data size of 0 (a header never finalised by a
 * device that stopped) is decoded to the end of the input, with a warning.
 * Input that ends before the declared data size is PL_ETRUNCATED from
 * pl_fit_decoder_finish(), after every complete message was delivered.
 */
#include <math.h>
#include <string.h>

#include "formats/fitdecoder.h"

/* ------------------------------------------------------------------ */
/* Base types                                                           */
/* ------------------------------------------------------------------ */

/* FIT protocol, "Base Types": sizes and invalid values. */
const struct base_info pl__fit_bases[PL_FIT_BASE_COUNT_] = {
    [PL_FIT_ENUM] = { "enum", 1, 0xFF },
    [PL_FIT_SINT8] = { "sint8", 1, 0x7F },
    [PL_FIT_UINT8] = { "uint8", 1, 0xFF },
    [PL_FIT_SINT16] = { "sint16", 2, 0x7FFF },
    [PL_FIT_UINT16] = { "uint16", 2, 0xFFFF },
    [PL_FIT_SINT32] = { "sint32", 4, 0x7FFFFFFF },
    [PL_FIT_UINT32] = { "uint32", 4, 0xFFFFFFFF },
    [PL_FIT_STRING] = { "string", 1, 0x00 },
    [PL_FIT_FLOAT32] = { "float32", 4, 0xFFFFFFFF },
    [PL_FIT_FLOAT64] = { "float64", 8, 0xFFFFFFFFFFFFFFFF },
    [PL_FIT_UINT8Z] = { "uint8z", 1, 0x00 },
    [PL_FIT_UINT16Z] = { "uint16z", 2, 0x0000 },
    [PL_FIT_UINT32Z] = { "uint32z", 4, 0x00000000 },
    [PL_FIT_BYTE] = { "byte", 1, 0xFF },
    [PL_FIT_SINT64] = { "sint64", 8, 0x7FFFFFFFFFFFFFFF },
    [PL_FIT_UINT64] = { "uint64", 8, 0xFFFFFFFFFFFFFFFF },
    [PL_FIT_UINT64Z] = { "uint64z", 8, 0x0000000000000000 },
};

const char *pl_fit_base_name(unsigned base)
{
    return base < PL_FIT_BASE_COUNT_ ? pl__fit_bases[base].name : NULL;
}

unsigned pl_fit_base_size(unsigned base)
{
    return base < PL_FIT_BASE_COUNT_ ? pl__fit_bases[base].size : 0;
}

/* Read one element of a base type: the raw bit pattern (for the invalid
 * test and 64-bit exactness) and its numeric value. */
static inline __attribute__((always_inline)) double elem(unsigned base, const uint8_t *p, bool be,
                                                        uint64_t *raw)
{
    switch (base) {
    case PL_FIT_SINT8:
        *raw = p[0];
        return (int8_t)p[0];
    case PL_FIT_ENUM:
    case PL_FIT_UINT8:
    case PL_FIT_UINT8Z:
    case PL_FIT_BYTE:
    case PL_FIT_STRING:
        *raw = p[0];
        return p[0];
    case PL_FIT_SINT16: {
        uint16_t v = ld16(p, be);
        *raw = v;
        return (int16_t)v;
    }
    case PL_FIT_UINT16:
    case PL_FIT_UINT16Z:
        *raw = ld16(p, be);
        return (double)*raw;
    case PL_FIT_SINT32: {
        uint32_t v = ld32(p, be);
        *raw = v;
        return (int32_t)v;
    }
    case PL_FIT_UINT32:
    case PL_FIT_UINT32Z:
        *raw = ld32(p, be);
        return (double)*raw;
    case PL_FIT_FLOAT32: {
        uint32_t v = ld32(p, be);
        float f;
        memcpy(&f, &v, 4);
        *raw = v;
        return f;
    }
    case PL_FIT_FLOAT64: {
        uint64_t v = ld64(p, be);
        double f;
        memcpy(&f, &v, 8);
        *raw = v;
        return f;
    }
    case PL_FIT_SINT64: {
        uint64_t v = ld64(p, be);
        *raw = v;
        return (double)(int64_t)v;
    }
    default: /* UINT64, UINT64Z */
        *raw = ld64(p, be);
        return (double)*raw;
    }
}

/* The descriptor of a compressed timestamp when a message's profile has no
 * timestamp field (unknown messages). */
static const struct pl_fit_field generic_timestamp = {
    .name = "timestamp", .units = "s", .num = 253, .type = PL_FIT_TYPE_NONE,
    .show = PL_FIT_SHOW_DATE_TIME, .base = PL_FIT_UINT32,
};

void pl__fit_warn(struct pl_fit_decoder *d, int code, uint64_t off, const char *fmt, ...)
{
    if (++d->warnings > PL_FIT_WARNINGS_MAX || !d->h.on_warning)
        return;
    struct pl_diag w;
    pl_diag_clear(&w);
    w.code = code;
    w.offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w.msg, sizeof w.msg, fmt, ap);
    va_end(ap);
    if (d->warnings == PL_FIT_WARNINGS_MAX)
        snprintf(w.msg + strlen(w.msg), sizeof w.msg - strlen(w.msg),
                 " (further warnings not reported)");
    d->h.on_warning(d->h.ctx, &w);
}

int pl__fit_fail(struct pl_fit_decoder *d, struct pl_diag *diag, int code, uint64_t off,
                 const char *fmt, ...)
{
    pl_diag_clear(&d->err_diag);
    d->err_diag.code = code;
    d->err_diag.offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err_diag.msg, sizeof d->err_diag.msg, fmt, ap);
    va_end(ap);
    d->st = ST_ERROR;
    d->err = code;
    if (diag)
        *diag = d->err_diag;
    return code;
}

static void reset_segment_state(struct pl_fit_decoder *d)
{
    for (int i = 0; i < 16; i++)
        pl__fit_fdef_release(&d->defs[i]);
    for (uint32_t i = 0; i < d->ndev; i++) {
        pl__free(d->dev[i].name_buf);
        pl__free(d->dev[i].units_buf);
    }
    d->ndev = 0;
    memset(d->dev_index_known, 0, sizeof d->dev_index_known);
    memset(d->accum, 0, sizeof d->accum);
    d->have_ts = false;
    d->last_ts = 0;
}

struct pl_fit_decoder *pl_fit_decoder_new(const struct pl_fit_handler *h, unsigned options)
{
    struct pl_fit_decoder *d = pl__calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (h)
        d->h = *h;
    d->options = options;
    d->st = ST_HEADER;
    return d;
}

void pl_fit_decoder_free(struct pl_fit_decoder *d)
{
    if (!d)
        return;
    reset_segment_state(d);
    pl__free(d->dev);
    pl__free(d->vals);
    pl__free(d->nums);
    pl__free(d->carry);
    pl__free(d);
}

/* ------------------------------------------------------------------ */
/* Decoding a data message                                              */
/* ------------------------------------------------------------------ */

struct out {
    struct pl_fit_value *v;
    uint32_t n, cap;
    double *nums;
    uint32_t nn, numcap;
};

/* Decode `count` elements of a numeric field into out (scaled); returns
 * false when every element is invalid (the field is absent). */
static bool decode_numbers(struct out *o, struct pl_fit_value *v, unsigned base, const uint8_t *p,
                           unsigned count, bool be, uint64_t invalid, double scale, double offset,
                           bool scaled)
{
    unsigned bsize = pl__fit_bases[base].size;
    if (count == 1) {
        uint64_t raw;
        double x = elem(base, p, be, &raw);
        if (raw == invalid)
            return false;
        v->u.num = scaled ? x / scale - offset : x;
        v->raw64 = raw;
        v->count = 1;
        return true;
    }
    double *dst = o->nums + o->nn;
    bool any = false;
    for (unsigned i = 0; i < count; i++) {
        uint64_t raw;
        double x = elem(base, p + i * bsize, be, &raw);
        /* The invalid value marks an absent element, except in byte arrays,
         * where 0xFF is data unless every byte is 0xFF. */
        if (raw == invalid && base != PL_FIT_BYTE) {
            dst[i] = NAN;
        } else {
            dst[i] = scaled ? x / scale - offset : x;
            any |= raw != invalid;
        }
    }
    if (!any)
        return false;
    o->nn += count;
    v->u.nums = dst;
    v->count = (uint16_t)count;
    elem(base, p, be, &v->raw64); /* the first element's, as pl_fit_value_num() */
    return true;
}

static void set_bytes(struct pl_fit_value *v, const uint8_t *p, uint32_t n, uint8_t kind)
{
    v->kind = kind;
    v->count = 1;
    v->u.bytes.p = p;
    v->u.bytes.n = n;
    v->raw64 = 0; /* never left over from an earlier message */
}

/* A string field: bytes up to the first NUL. Absent when every byte is
 * NUL (FIT protocol: the invalid string value is 0x00). */
static bool decode_string(struct pl_fit_value *v, const uint8_t *p, uint32_t n)
{
    uint32_t len = (uint32_t)strnlen((const char *)p, n);
    if (len == 0) {
        uint32_t i = 0;
        while (i < n && p[i] == 0)
            i++;
        if (i == n)
            return false;
    }
    set_bytes(v, p, len, PL_FIT_K_STRING);
    return true;
}

/* A developer string field may hold several NUL-separated strings (the
 * FIT SDK's own example file does): keep all of them, up to the last
 * non-NUL byte. Callers split at NULs. */
static bool decode_strings(struct pl_fit_value *v, const uint8_t *p, uint32_t n)
{
    uint32_t len = n;
    while (len > 0 && p[len - 1] == 0)
        len--;
    if (len == 0)
        return false;
    set_bytes(v, p, len, PL_FIT_K_STRING);
    return true;
}

/* The raw integer of a field's first element, for sub-field references
 * and accumulation. */
static bool op_raw(const struct op *o, const uint8_t *data, bool be, uint64_t *raw)
{
    if (o->kind != OP_NUM && o->kind != OP_ARRAY)
        return false;
    elem(o->base, data + o->off, be, raw);
    return *raw != o->invalid;
}

/* Find an output value for a profile field (not expanded/sub-field). */
static struct pl_fit_value *out_find(struct out *o, uint32_t from, const struct pl_fit_field *f)
{
    for (uint32_t i = from; i < o->n; i++)
        if (o->v[i].field == f)
            return &o->v[i];
    return NULL;
}

/* Expand the components of a value (FIT protocol, "Components"): read bit
 * groups, least significant first, across the elements of the source and
 * write each into its target field, converting from the component's scale
 * and offset to the target's. Several groups for one target make an array
 * when the target is one, else the first group wins. */
static void expand(struct pl_fit_decoder *d, struct out *o, const struct fdef *f,
                   const struct pl_fit_component *comps, unsigned nc, unsigned bits_per_elem,
                   const uint64_t *elems, unsigned nelems, int depth, uint32_t first_expanded)
{
    if (depth > 4 || !nc)
        return;
    unsigned total = bits_per_elem * nelems;
    unsigned bitpos = 0;
    for (unsigned j = 0; j < nc; j++) {
        const struct pl_fit_component *c = &comps[j];
        if (c->bits == 0 || c->bits > 64 || total - bitpos < c->bits)
            break;
        uint64_t val = 0;
        for (unsigned b = 0; b < c->bits; b++, bitpos++) {
            unsigned e = bitpos / bits_per_elem, k = bitpos % bits_per_elem;
            val |= ((elems[e] >> k) & 1u) << b;
        }
        const struct pl_fit_field_info *t = pl__fit_field_info(f->mi, c->target);
        if (!t)
            continue;
        if (c->accumulate) {
            struct accum *a = pl__fit_accum_slot(d, f->global, c->target);
            if (a) {
                uint64_t mask = c->bits >= 64 ? UINT64_MAX : ((uint64_t)1 << c->bits) - 1;
                if (!a->value && !a->last)
                    a->value = a->last = val;
                a->value += (val - a->last) & mask;
                a->last = val;
                val = a->value;
            }
        }
        double x = (double)val / c->scale - c->offset;
        /* The value as the target would store it, for its invalid test. */
        double traw = (x + t->offset) * t->scale;
        unsigned tb = t->pub.base < PL_FIT_BASE_COUNT_ ? t->pub.base : PL_FIT_BYTE;
        bool invalid = traw == (double)pl__fit_bases[tb].invalid;
        /* Targets are collected after the natives: replace a native value
         * of the same field, or extend an expanded one. */
        struct pl_fit_value *v = NULL;
        for (uint32_t i = first_expanded; i < o->n; i++)
            if (o->v[i].field == &t->pub)
                v = &o->v[i];
        if (!v) {
            struct pl_fit_value *nat = out_find(o, 0, &t->pub);
            if (o->n >= o->cap)
                return;
            v = &o->v[o->n++];
            memset(v, 0, sizeof *v);
            v->field = &t->pub;
            v->kind = PL_FIT_K_NUMBER;
            v->base = t->pub.base;
            v->count = 0;
            if (nat)
                nat->count = 0; /* hidden: the expanded value wins */
        }
        if (!invalid) {
            if (v->count == 0) {
                v->u.num = x;
                v->raw64 = val;
                v->count = 1;
            } else if (t->pub.flags & PL_FIT_F_ARRAY) {
                if (o->nn + v->count + 1 > o->numcap)
                    continue;
                double *dst = o->nums + o->nn;
                if (v->count == 1)
                    dst[0] = v->u.num;
                else
                    memcpy(dst, v->u.nums, v->count * sizeof *dst);
                dst[v->count] = x;
                o->nn += v->count + 1u;
                v->u.nums = dst;
                v->count++;
            }
        }
        if (t->ncomponents && !invalid) {
            unsigned tbits = pl__fit_bases[tb].size * 8;
            /* The target's components read its value as the target
             * stores it, in its own scale (speed 350 at scale 100 is 3.5
             * m/s, stored as 3500 at scale 1000 for enhanced_speed). */
            uint64_t e1 = traw > 0 && traw < 1.8e19 ? (uint64_t)(traw + 0.5) : 0;
            expand(d, o, f, t->components, t->ncomponents, tbits, &e1, 1, depth + 1, first_expanded);
        }
    }
}

/* The slow pass: sub-fields, components and accumulation for one message.
 * Runs after the plain values are in out. */
static void slow_pass(struct pl_fit_decoder *d, struct out *o, const struct fdef *f,
                      const uint8_t *data)
{
    uint32_t natives = o->n;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct op *op = &f->ops[i];
        const struct pl_fit_field_info *fi = op->info;
        if (!(op->flags & OPF_SLOW) || !fi || op->size == 0)
            continue;
        uint64_t elems[255];
        unsigned nel = 0;
        bool valid = false;
        if (op->kind == OP_NUM || op->kind == OP_ARRAY) {
            unsigned bs = pl__fit_bases[op->base].size;
            for (unsigned k = 0; k < op->count && k < 255; k++) {
                elem(op->base, data + op->off + k * bs, f->be, &elems[nel]);
                valid |= elems[nel] != op->invalid;
                nel++;
            }
        }
        if (!valid)
            continue;
        unsigned pbits = (fi->pub.base < PL_FIT_BASE_COUNT_ ? pl__fit_bases[fi->pub.base].size : 1) * 8;
        /* Components expand only from numeric profile types. */
        if (fi->ncomponents && (fi->pub.show == PL_FIT_SHOW_NUMBER || fi->pub.type == PL_FIT_TYPE_NONE))
            expand(d, o, f, fi->components, fi->ncomponents, pbits, elems, nel, 0, natives);
        for (unsigned s = 0; s < fi->nsubfields; s++) {
            const struct pl_fit_subfield *sf = &fi->subfields[s];
            bool match = false;
            for (unsigned r = 0; r < sf->nrefs && !match; r++) {
                for (unsigned k = 0; k < f->nops; k++) {
                    uint64_t rv;
                    if (f->ops[k].field->num == sf->refs[r].ref_field && f->ops[k].info &&
                        op_raw(&f->ops[k], data, f->be, &rv) && rv == sf->refs[r].ref_value) {
                        match = true;
                        break;
                    }
                }
            }
            if (!match || o->n >= o->cap)
                continue;
            struct pl_fit_value *v = &o->v[o->n];
            memset(v, 0, sizeof *v);
            v->field = &sf->pub;
            v->base = op->base;
            v->kind = PL_FIT_K_NUMBER;
            bool scaled = sf->pub.show == PL_FIT_SHOW_NUMBER && sf->single_scale &&
                          (sf->scale != 1 || sf->offset != 0);
            if (o->nn + op->count > o->numcap)
                continue;
            if (!decode_numbers(o, v, op->base, data + op->off, op->count, f->be, op->invalid,
                                sf->scale, sf->offset, scaled))
                continue;
            o->n++;
            unsigned sbits = (sf->pub.base < PL_FIT_BASE_COUNT_ ? pl__fit_bases[sf->pub.base].size : 1) * 8;
            if (sf->ncomponents)
                expand(d, o, f, sf->components, sf->ncomponents, sbits, elems, nel, 0, natives);
        }
    }
    /* Drop natives hidden by their expanded value. */
    uint32_t w = 0;
    for (uint32_t i = 0; i < o->n; i++)
        if (o->v[i].count)
            o->v[w++] = o->v[i];
    o->n = w;
}

/* The hot loop: one switch per field. Fills o with the present values and,
 * for each op, its output slot (-1 when absent) and raw bits, which the
 * timestamp and the xops read. Kept free of calls for the common cases. */
#define TRACK_SLOT(i, n) (track ? (void)(slot[i] = (int16_t)(n)++) : (void)(n)++)
static inline __attribute__((always_inline)) void decode_ops(struct out *o, const struct fdef *f,
                                                              const uint8_t *data, int16_t *slot,
                                                              uint64_t *raws, const bool track)
{
    struct pl_fit_value *vals = o->v;
    uint32_t n = 0;
    const unsigned nops = f->nops;
    for (unsigned i = 0; i < nops; i++) {
        const struct op *op = &f->ops[i];
        const uint8_t *p = data + op->off;
        struct pl_fit_value *v = &vals[n];
        uint64_t raw;
        double x;
        if (track)
            slot[i] = -1;
        switch (op->rd) {
        case R_U8:
            raw = p[0];
            x = (double)p[0];
            break;
        case R_S8:
            raw = p[0];
            x = (int8_t)p[0];
            break;
        case R_U16:
            raw = ld16(p, false);
            x = (double)raw;
            break;
        case R_S16:
            raw = ld16(p, false);
            x = (int16_t)raw;
            break;
        case R_U32:
            raw = ld32(p, false);
            x = (double)raw;
            break;
        case R_S32:
            raw = ld32(p, false);
            x = (int32_t)raw;
            break;
        case R_U16B:
            raw = ld16(p, true);
            x = (double)raw;
            break;
        case R_S16B:
            raw = ld16(p, true);
            x = (int16_t)raw;
            break;
        case R_U32B:
            raw = ld32(p, true);
            x = (double)raw;
            break;
        case R_S32B:
            raw = ld32(p, true);
            x = (int32_t)raw;
            break;
        case R_OTHER_NUM:
            x = elem(op->base, p, f->be, &raw);
            break;
        case R_ARRAY:
            v->field = op->field;
            v->base = op->base;
            v->kind = PL_FIT_K_NUMBER;
            o->n = n;
            if (decode_numbers(o, v, op->base, p, op->count, f->be, op->invalid, op->scale,
                               op->offset, op->flags & OPF_SCALE))
                TRACK_SLOT(i, n);
            continue;
        case R_STRING:
            v->field = op->field;
            v->base = op->base;
            if (decode_string(v, p, op->size))
                TRACK_SLOT(i, n);
            continue;
        case R_BYTES:
            v->field = op->field;
            v->base = op->base;
            set_bytes(v, p, op->size, PL_FIT_K_BYTES);
            TRACK_SLOT(i, n);
            continue;
        default: /* R_SKIP: a zero-size field */
            continue;
        }
        if (track)
            raws[i] = raw;
        if (raw == op->invalid)
            continue;
        v->field = op->field;
        memcpy(&v->kind, &op->vhdr, sizeof op->vhdr);
        v->raw64 = raw;
        v->u.num = (op->flags & OPF_SCALE) ? x / op->scale - op->offset : x;
        TRACK_SLOT(i, n);
    }
    o->n = n;
}

#undef TRACK_SLOT

/* Seed an accumulator from a native value: its last valid element, taken
 * to the profile units of the field, then to the feeding component's
 * units (as the official SDK does when both are in one message). */
static void seed_accum(struct pl_fit_decoder *d, const struct fdef *f, const struct seed *sd,
                       const uint8_t *data)
{
    const struct op *op = &f->ops[sd->op];
    if (op->kind != OP_NUM && op->kind != OP_ARRAY)
        return;
    const struct pl_fit_field_info *fi = op->info;
    unsigned bs = pl__fit_bases[op->base].size;
    double x = 0;
    bool found = false;
    for (unsigned k = op->count; k-- > 0 && !found;) {
        uint64_t raw;
        x = elem(op->base, data + op->off + k * bs, f->be, &raw);
        found = raw != op->invalid;
    }
    if (!found)
        return;
    double scale = fi->single_scale ? fi->scale : 1, offset = fi->single_scale ? fi->offset : 0;
    double v = (x / scale - offset + sd->coffset) * sd->cscale;
    if (v >= 0 && v < 1.8e19) {
        struct accum *a = &d->accum[sd->accum];
        a->value = a->last = (uint64_t)v;
    }
}

/* Run the compiled simple components of a message (see struct xop). An
 * expanded value replaces a native value of the same field, as the
 * expansion is the more precise (FIT protocol, "Components"). */
static void run_xops(struct out *o, const struct fdef *f, const int16_t *slot, const uint64_t *raws)
{
    bool compact = false;
    for (unsigned i = 0; i < f->nxops; i++) {
        const struct xop *x = &f->xops[i];
        if (slot[x->src] < 0)
            continue;
        uint64_t val = (raws[x->src] >> x->shift) & x->mask;
        double v = (double)val / x->scale - x->offset;
        bool invalid = (v + x->toffset) * x->tscale == x->tinvalid;
        struct pl_fit_value *dst;
        if (x->native >= 0 && slot[x->native] >= 0) {
            dst = &o->v[slot[x->native]];
            if (invalid) {
                dst->count = 0;
                compact = true;
                continue;
            }
        } else {
            if (invalid)
                continue;
            dst = &o->v[o->n++];
        }
        dst->field = x->target;
        dst->kind = PL_FIT_K_NUMBER;
        dst->base = x->target->base;
        dst->count = 1;
        dst->u.num = v;
        dst->raw64 = val;
    }
    if (compact) {
        uint32_t w = 0;
        for (uint32_t i = 0; i < o->n; i++)
            if (o->v[i].count)
                o->v[w++] = o->v[i];
        o->n = w;
    }
}

/* Decode a data message whose data (f->size bytes) is at `data`. */
static int decode_data(struct pl_fit_decoder *d, uint8_t local, const struct fdef *f,
                       const uint8_t *data, uint64_t off, bool compressed, uint32_t ts,
                       struct pl_diag *diag)
{
    struct out o = { d->vals, 0, f->values_max, d->nums, 0, f->nums_max };
    bool raw_mode = d->options & PL_FIT_RAW;
    /* Where each op's value went (-1: absent) and its raw bits, for xops. */
    int16_t slot[256];
    uint64_t raws[256];
    bool track = (f->nxops || f->nseeds) && !raw_mode;
    if (track)
        decode_ops(&o, f, data, slot, raws, true);
    else
        decode_ops(&o, f, data, slot, raws, false);
    if (f->ts_op >= 0) {
        uint32_t t = ld32(data + f->ops[f->ts_op].off, f->be);
        if (t != 0xFFFFFFFFu) {
            d->last_ts = t;
            d->have_ts = true;
        }
    }
    for (unsigned i = 0; i < f->nseeds && !raw_mode; i++) {
        const struct seed *sd = &f->seeds[i];
        if (f->ops[sd->op].kind != OP_NUM) {
            seed_accum(d, f, sd, data);
        } else if (slot[sd->op] >= 0) {
            /* The value is already in profile units. */
            double v = (o.v[slot[sd->op]].u.num + sd->coffset) * sd->cscale;
            if (v >= 0 && v < 1.8e19)
                d->accum[sd->accum].value = d->accum[sd->accum].last = (uint64_t)v;
        }
    }
    if (f->nxops && !raw_mode)
        run_xops(&o, f, slot, raws);
    if (compressed) {
        /* A compressed-timestamp header gives the message a timestamp
         * (FIT protocol, "Compressed Timestamp Header"). */
        const struct pl_fit_field_info *tf = f->mi ? pl__fit_field_info(f->mi, 253) : NULL;
        struct pl_fit_value *v = &o.v[o.n++];
        memset(v, 0, sizeof *v);
        v->field = tf ? &tf->pub : &generic_timestamp;
        v->kind = PL_FIT_K_NUMBER;
        v->base = PL_FIT_UINT32;
        v->count = 1;
        v->u.num = ts;
        v->raw64 = ts;
    }
    if (f->slow && !raw_mode)
        slow_pass(d, &o, f, data);
    /* Developer fields. */
    for (unsigned i = 0; i < f->ndev; i++) {
        const struct devop *dop = &f->devops[i];
        if (dop->size == 0 || o.n >= o.cap)
            continue;
        const uint8_t *p = data + dop->off;
        struct pl_fit_value *v = &o.v[o.n];
        const struct devfield *df = pl__fit_dev_find(d, dop->dev_index, dop->num);
        memset(v, 0, sizeof *v);
        if (!df) {
            /* Never described: kept raw. */
            v->field = &dop->undescribed;
            set_bytes(v, p, dop->size, PL_FIT_K_BYTES);
            v->base = PL_FIT_BYTE;
            o.n++;
            continue;
        }
        v->field = &df->pub;
        v->base = df->base;
        unsigned bs = pl__fit_bases[df->base].size;
        if (df->base == PL_FIT_STRING) {
            if (!decode_strings(v, p, dop->size))
                continue;
        } else if (dop->size % bs) {
            set_bytes(v, p, dop->size, PL_FIT_K_BYTES);
        } else {
            v->kind = PL_FIT_K_NUMBER;
            bool scaled = !raw_mode && (df->scale != 1 || df->offset != 0);
            if (!decode_numbers(&o, v, df->base, p, dop->size / bs, f->be, pl__fit_bases[df->base].invalid,
                                df->scale, df->offset, scaled))
                continue;
        }
        o.n++;
    }
    struct pl_fit_msg m = {
        .global = f->global,
        .name = f->mi ? f->mi->name : NULL,
        .local = local,
        .segment = d->segment,
        .offset = off,
        .nvalues = o.n,
        .values = o.v,
    };
    if (f->global == 206 || f->global == 207) {
        int rc = pl__fit_learn_dev(d, &m, diag);
        if (rc)
            return rc;
    }
    if (d->h.on_msg && d->h.on_msg(d->h.ctx, &m))
        return pl__fit_fail(d, diag, PL_ECANCELED, off, "stopped by the caller");
    return 0;
}

/* ------------------------------------------------------------------ */
/* The record loop                                                      */
/* ------------------------------------------------------------------ */

enum { STEP_OK = 0, STEP_NEED = -1 };

/* Bytes of a definition after its record header, as far as the avail
 * bytes at p tell: the whole size once the field counts are in, else a
 * lower bound that grows as more bytes come (FIT protocol, "Definition
 * Message": reserved, architecture, global number (2), field count, 3
 * bytes per field, then with developer data a count and 3 bytes each). */
static size_t def_size(const uint8_t *p, size_t avail, bool has_dev)
{
    size_t dev = has_dev ? 1 : 0;
    if (avail < 5)
        return 5 + dev;
    size_t n = 5 + 3 * (size_t)p[4];
    if (!has_dev)
        return n;
    if (avail < n + 1)
        return n + 1;
    return n + 1 + 3 * (size_t)p[n];
}

/* Decode one unit (file header, record or CRC) at p with avail bytes.
 * Returns STEP_OK with *used, STEP_NEED with *need (total bytes of the
 * unit, or a lower bound), or an error code. */
static int step(struct pl_fit_decoder *d, const uint8_t *p, size_t avail, size_t *used,
                size_t *need, struct pl_diag *diag)
{
    uint64_t off = d->pos;
    switch (d->st) {
    case ST_HEADER: {
        if (avail < 12) {
            *need = 12;
            return STEP_NEED;
        }
        uint8_t hsize = p[0];
        if (hsize < 12 || memcmp(p + 8, ".FIT", 4) != 0) {
            if (!d->any_segment)
                return pl__fit_fail(d, diag, PL_ENOTFIT, off,
                            "not a FIT file: no \".FIT\" file header at byte %llu",
                            (unsigned long long)off);
            /* Bytes after a complete FIT file that are no FIT header. */
            if (d->options & PL_FIT_STRICT)
                return pl__fit_fail(d, diag, PL_EFORMAT, off,
                            "bytes after the end of the FIT data at byte %llu are not a FIT file header",
                            (unsigned long long)off);
            pl__fit_warn(d, PL_EFORMAT, off,
                 "bytes after the end of the FIT data at byte %llu are not a FIT file header; ignored",
                 (unsigned long long)off);
            d->st = ST_TRAILING;
            *used = avail;
            return STEP_OK;
        }
        if (avail < hsize) {
            *need = hsize;
            return STEP_NEED;
        }
        if (d->segment == PL_FIT_SEGMENTS_MAX - 1 && d->any_segment)
            return pl__fit_fail(d, diag, PL_ELIMIT, off, "more than %d chained FIT files", PL_FIT_SEGMENTS_MAX);
        if (d->any_segment)
            d->segment++;
        d->any_segment = true;
        reset_segment_state(d);
        struct pl_fit_header h = {
            .offset = off,
            .size = hsize,
            .protocol = p[1],
            .profile = ld16(p + 2, false),
            .data_size = ld32(p + 4, false),
            .crc = hsize >= 14 ? ld16(p + 12, false) : 0,
            .crc_ok = true,
            .segment = d->segment,
        };
        if (h.crc != 0) {
            uint16_t c = pl_fit_crc16(0, p, 12);
            if (c != h.crc) {
                h.crc_ok = false;
                if (d->options & PL_FIT_STRICT)
                    return pl__fit_fail(d, diag, PL_ECRC, off + 12,
                                "file header CRC is 0x%04x, computed 0x%04x", h.crc, c);
                pl__fit_warn(d, PL_ECRC, off + 12, "file header CRC is 0x%04x, computed 0x%04x; decoding anyway",
                     h.crc, c);
            }
        }
        if ((h.protocol >> 4) > 2)
            pl__fit_warn(d, PL_EUNSUPPORTED, off + 1, "protocol version %u.%u is newer than 2.x; decoding anyway",
                 h.protocol >> 4, h.protocol & 15);
        d->seg_start = off;
        d->crc = pl_fit_crc16(0, p, hsize);
        d->size_unknown = h.data_size == 0;
        d->data_end = off + hsize + h.data_size;
        if (d->size_unknown && (d->options & PL_FIT_STRICT))
            return pl__fit_fail(d, diag, PL_EFORMAT, off + 4,
                        "file header data size is 0 (not finalised, as a device that stopped leaves it)");
        if (d->size_unknown)
            pl__fit_warn(d, PL_EFORMAT, off + 4,
                 "file header data size is 0 (not finalised, as a device that stopped leaves it); decoding to the end");
        *used = hsize;
        d->st = ST_RECORDS;
        if (d->h.on_header && d->h.on_header(d->h.ctx, &h))
            return pl__fit_fail(d, diag, PL_ECANCELED, off, "stopped by the caller");
        if (!d->size_unknown && h.data_size == 0)
            d->st = ST_CRC;
        return STEP_OK;
    }
    case ST_RECORDS: {
        if (!d->size_unknown && off >= d->data_end) {
            d->st = ST_CRC;
            *used = 0;
            return STEP_OK;
        }
        /* Never read past the declared end of the data. */
        size_t lim = avail;
        if (!d->size_unknown && d->data_end - off < lim)
            lim = (size_t)(d->data_end - off);
        if (lim < 1) {
            *need = 1;
            return STEP_NEED;
        }
        /* With a data size of 0 the input's last two bytes are the CRC:
         * a unit is decoded only when two more bytes follow it, and
         * finish decides what the rest is. */
        size_t hold = d->size_unknown && !d->finishing ? 2 : 0;
        uint8_t rh = p[0];
        if (rh & 0x80) {
            /* Compressed timestamp header: local type in bits 5-6, time
             * offset in bits 0-4, relative to the last full timestamp. */
            uint8_t local = (rh >> 5) & 3;
            const struct fdef *f = &d->defs[local];
            if (!f->defined) {
                if (lim < 3 && (d->size_unknown || d->data_end - off > 2)) {
                    /* Perhaps the file CRC of a segment whose data size
                     * is 0 or runs past the input: wait for a third byte
                     * before calling it a record; finish checks the CRC. */
                    *need = 3;
                    return STEP_NEED;
                }
                return pl__fit_fail(d, diag, PL_EFORMAT, off,
                            "compressed-timestamp record at byte %llu uses local type %u, which has no definition",
                            (unsigned long long)off, local);
            }
            size_t n = 1 + (size_t)f->size;
            if (lim < n + hold) {
                if (!d->size_unknown && d->data_end - off < n)
                    return pl__fit_fail(d, diag, PL_EFORMAT, off, "record at byte %llu (%zu bytes) crosses the end of the data at byte %llu",
                                (unsigned long long)off, n, (unsigned long long)d->data_end);
                *need = n + hold;
                return STEP_NEED;
            }
            if (!d->have_ts)
                pl__fit_warn(d, PL_EFORMAT, off, "compressed timestamp at byte %llu before any full timestamp; counted from 0",
                     (unsigned long long)off);
            uint32_t toff = rh & 0x1F;
            uint32_t ts = d->last_ts + ((toff - (d->last_ts & 0x1F)) & 0x1F);
            d->last_ts = ts;
            int rc = decode_data(d, local, f, p + 1, off, true, ts, diag);
            if (rc)
                return rc;
            *used = n;
            return STEP_OK;
        }
        uint8_t local = rh & 0x0F;
        if (rh & 0x40) {
            bool has_dev = rh & 0x20;
            size_t n = 1 + def_size(p + 1, lim - 1, has_dev);
            if (lim < n + hold) {
                if (!d->size_unknown && d->data_end - off < n)
                    return pl__fit_fail(d, diag, PL_EFORMAT, off, "definition at byte %llu (%zu bytes) crosses the end of the data at byte %llu",
                                (unsigned long long)off, n, (unsigned long long)d->data_end);
                *need = n + hold;
                return STEP_NEED;
            }
            if (rh & 0x10)
                pl__fit_warn(d, PL_EFORMAT, off, "record header at byte %llu sets reserved bit 4", (unsigned long long)off);
            int rc = pl__fit_compile_def(d, local, has_dev, p + 1, off, diag);
            if (rc)
                return rc;
            *used = n;
            return STEP_OK;
        }
        const struct fdef *f = &d->defs[local];
        if (!f->defined) {
            if (lim < 3 && (d->size_unknown || d->data_end - off > 2)) {
                /* Perhaps the file CRC of a segment whose data size
                 * is 0 or runs past the input: wait for a third byte
                 * before calling it a record; finish checks the CRC. */
                *need = 3;
                return STEP_NEED;
            }
            return pl__fit_fail(d, diag, PL_EFORMAT, off, "record at byte %llu uses local type %u, which has no definition",
                        (unsigned long long)off, local);
        }
        size_t n = 1 + (size_t)f->size;
        if (lim < n + hold) {
            if (!d->size_unknown && d->data_end - off < n)
                return pl__fit_fail(d, diag, PL_EFORMAT, off, "record at byte %llu (%zu bytes) crosses the end of the data at byte %llu",
                            (unsigned long long)off, n, (unsigned long long)d->data_end);
            *need = n + hold;
            return STEP_NEED;
        }
        int rc = decode_data(d, local, f, p + 1, off, false, 0, diag);
        if (rc)
            return rc;
        *used = n;
        return STEP_OK;
    }
    case ST_CRC:
        if (avail < 2) {
            *need = 2;
            return STEP_NEED;
        }
        return STEP_OK; /* handled by the caller, which owns the CRC state */
    case ST_TRAILING:
        *used = avail;
        return STEP_OK;
    default:
        return d->err;
    }
}

static int check_crc(struct pl_fit_decoder *d, const uint8_t *p, struct pl_diag *diag)
{
    struct pl_fit_trailer t = {
        .segment = d->segment,
        .crc_file = ld16(p, false),
        .crc_computed = d->crc,
        .crc_present = true,
    };
    t.crc_ok = t.crc_file == t.crc_computed;
    if (!t.crc_ok) {
        if (d->options & PL_FIT_STRICT)
            return pl__fit_fail(d, diag, PL_ECRC, d->pos, "file CRC at byte %llu is 0x%04x, computed 0x%04x",
                        (unsigned long long)d->pos, t.crc_file, t.crc_computed);
        pl__fit_warn(d, PL_ECRC, d->pos, "file CRC at byte %llu is 0x%04x, computed 0x%04x; data decoded anyway",
             (unsigned long long)d->pos, t.crc_file, t.crc_computed);
    }
    if (d->h.on_trailer && d->h.on_trailer(d->h.ctx, &t))
        return pl__fit_fail(d, diag, PL_ECANCELED, d->pos, "stopped by the caller");
    d->st = ST_HEADER;
    return 0;
}

/* Run units over a contiguous buffer. Returns 0 with *consumed bytes used
 * (the rest is an incomplete unit, with *need set), or an error. */
static int run(struct pl_fit_decoder *d, const uint8_t *p, size_t n, size_t *consumed,
               size_t *need, struct pl_diag *diag)
{
    size_t at = 0;
    size_t crc_from = 0;
    *need = 0;
    int rc = 0;
    while (at < n) {
        if (d->st == ST_CRC) {
            d->crc = pl_fit_crc16(d->crc, p + crc_from, at - crc_from);
            if (n - at < 2) {
                *need = 2;
                crc_from = at;
                break;
            }
            rc = check_crc(d, p + at, diag);
            if (rc)
                return rc;
            at += 2;
            d->pos += 2;
            crc_from = at;
            continue;
        }
        if (d->st == ST_RECORDS && !d->size_unknown) {
            /* The common case in a tight loop: data records of defined
             * local types that lie wholly in this buffer and before the
             * end of the data. Anything else goes through step(), which
             * decides the same records the same way. */
            size_t lim = n;
            if (d->data_end - d->pos < n - at)
                lim = at + (size_t)(d->data_end - d->pos);
            while (at < lim) {
                uint8_t rh = p[at];
                const struct fdef *f = &d->defs[rh & 0x0F];
                if ((rh & 0xC0) || !f->defined || f->size >= lim - at)
                    break;
                rc = decode_data(d, rh & 0x0F, f, p + at + 1, d->pos, false, 0, diag);
                if (rc)
                    return rc;
                at += 1 + (size_t)f->size;
                d->pos += 1 + (uint64_t)f->size;
            }
            if (at >= n)
                break;
        }
        size_t used = 0, want = 0;
        enum state before = d->st;
        rc = step(d, p + at, n - at, &used, &want, diag);
        if (rc == STEP_NEED) {
            *need = want;
            break;
        }
        if (rc) {
            return rc;
        }
        if (before == ST_HEADER) {
            /* The header's own bytes were folded into d->crc by step. */
            crc_from = at + used;
        }
        at += used;
        d->pos += used;
        if (d->st == ST_TRAILING) {
            crc_from = at;
            at = n;
        }
    }
    if (d->st == ST_RECORDS || (d->st == ST_CRC && crc_from < at))
        d->crc = pl_fit_crc16(d->crc, p + crc_from, at - crc_from);
    *consumed = at;
    return 0;
}

int pl_fit_decoder_feed(struct pl_fit_decoder *d, const void *buf, size_t n, struct pl_diag *diag)
{
    const uint8_t *p = buf;
    if (d->st == ST_ERROR) {
        if (diag)
            *diag = d->err_diag;
        return d->err;
    }
    if (d->st == ST_TRAILING) {
        d->pos += n;
        return 0;
    }
    /* First complete a unit left over from the previous feed. */
    while (d->carry_len && n) {
        size_t used = 0, need = 0;
        int rc = run(d, d->carry, d->carry_len, &used, &need, diag);
        if (rc)
            return rc;
        if (used) {
            memmove(d->carry, d->carry + used, d->carry_len - used);
            d->carry_len -= (uint32_t)used;
            if (!d->carry_len)
                break;
            continue;
        }
        /* Append just what the unit needs (at least one byte). */
        size_t want = need > d->carry_len ? need - d->carry_len : 1;
        if (d->carry_len + want > PL_FIT_MSG_BYTES_MAX + 16)
            return pl__fit_fail(d, diag, PL_ELIMIT, d->pos, "record larger than %d bytes", PL_FIT_MSG_BYTES_MAX);
        if (want > n)
            want = n;
        memcpy(d->carry + d->carry_len, p, want);
        d->carry_len += (uint32_t)want;
        p += want;
        n -= want;
    }
    if (d->carry_len) {
        /* n == 0: everything went into the carry. Try it once more. */
        size_t used = 0, need = 0;
        int rc = run(d, d->carry, d->carry_len, &used, &need, diag);
        if (rc)
            return rc;
        memmove(d->carry, d->carry + used, d->carry_len - used);
        d->carry_len -= (uint32_t)used;
        return 0;
    }
    size_t used = 0, need = 0;
    int rc = run(d, p, n, &used, &need, diag);
    if (rc)
        return rc;
    if (used < n) {
        if (d->st == ST_TRAILING) {
            d->pos += n - used;
            return 0;
        }
        if (!d->carry) {
            d->carry = pl__malloc(PL_FIT_MSG_BYTES_MAX + 16);
            if (!d->carry)
                return pl__fit_fail(d, diag, PL_ENOMEM, d->pos, "out of memory");
        }
        size_t rest = n - used;
        if (rest > PL_FIT_MSG_BYTES_MAX + 16)
            return pl__fit_fail(d, diag, PL_ELIMIT, d->pos, "record larger than %d bytes", PL_FIT_MSG_BYTES_MAX);
        memcpy(d->carry, p + used, rest);
        d->carry_len = (uint32_t)rest;
    }
    return 0;
}

int pl_fit_decoder_finish(struct pl_fit_decoder *d, struct pl_diag *diag)
{
    if (d->st == ST_ERROR) {
        if (diag)
            *diag = d->err_diag;
        return d->err;
    }
    uint64_t end = d->pos + d->carry_len;
    if (d->st == ST_HEADER && d->carry_len >= 12 && pl_fit_is_fit(d->carry, d->carry_len))
        return pl__fit_fail(d, diag, PL_ETRUNCATED, end, "input ends at byte %llu, inside a FIT file header of %u bytes",
                    (unsigned long long)end, d->carry[0]);
    if (!d->any_segment)
        return pl__fit_fail(d, diag, d->carry_len ? PL_ENOTFIT : PL_ETRUNCATED, 0,
                    d->carry_len ? "not a FIT file: %llu bytes, too short for a file header"
                                 : "empty input (%llu bytes)",
                    (unsigned long long)end);
    if (d->st == ST_HEADER && d->carry_len == 0)
        return 0;
    if (d->st == ST_TRAILING)
        return 0;
    if (d->st == ST_HEADER) {
        /* A few bytes after the last segment, too short for a header. */
        if (d->options & PL_FIT_STRICT)
            return pl__fit_fail(d, diag, PL_EFORMAT, d->pos, "%u bytes after the end of the FIT data at byte %llu",
                        d->carry_len, (unsigned long long)d->pos);
        pl__fit_warn(d, PL_EFORMAT, d->pos, "%u bytes after the end of the FIT data at byte %llu; ignored",
             d->carry_len, (unsigned long long)d->pos);
        return 0;
    }
    if (d->size_unknown && d->st == ST_RECORDS && d->carry_len > 2) {
        /* Records were held back until two bytes followed them: now the
         * end is known, decode what is left before the last two bytes as
         * data of that size. */
        d->finishing = true;
        size_t used = 0, need = 0;
        int rc = run(d, d->carry, d->carry_len - 2, &used, &need, diag);
        if (rc)
            return rc;
        if (used == d->carry_len - 2u) {
            memmove(d->carry, d->carry + used, 2);
            d->carry_len = 2;
        } else {
            /* A record cut short, and no CRC after it. */
            pl__fit_warn(d, PL_ETRUNCATED, d->pos, "no file CRC after the data that ends at byte %llu",
                 (unsigned long long)d->pos);
            return pl__fit_fail(d, diag, PL_ETRUNCATED, d->pos,
                        "input ends inside a record at byte %llu (%llu bytes of it present)",
                        (unsigned long long)d->pos, (unsigned long long)(end - d->pos));
        }
    }
    if (d->size_unknown && d->st == ST_RECORDS) {
        /* Decoded to the end: the last two bytes should be the CRC. */
        if (d->carry_len == 2) {
            d->st = ST_CRC;
            /* The carried bytes were not folded into the CRC. */
            return check_crc(d, d->carry, diag);
        }
        pl__fit_warn(d, PL_ETRUNCATED, d->pos, "no file CRC after the data that ends at byte %llu",
             (unsigned long long)d->pos);
        if (d->carry_len)
            return pl__fit_fail(d, diag, PL_ETRUNCATED, d->pos, "input ends inside a record at byte %llu (%u bytes of it present)",
                        (unsigned long long)d->pos, d->carry_len);
        return 0;
    }
    if (d->st == ST_RECORDS && d->carry_len == 2 && ld16(d->carry, false) == d->crc) {
        /* The header's data size runs past the input, but the input ends
         * with the CRC of everything before it: a data size written
         * wrong, recovered (an error with PL_FIT_STRICT, as in pliant.h). */
        if (d->options & PL_FIT_STRICT)
            return pl__fit_fail(d, diag, PL_EFORMAT, d->seg_start + 4,
                        "file header data size ends the data at byte %llu, but the input ends at byte %llu with the file CRC",
                        (unsigned long long)d->data_end, (unsigned long long)end);
        pl__fit_warn(d, PL_EFORMAT, d->seg_start + 4,
             "file header data size ends the data at byte %llu, but the input ends at byte %llu with the file CRC; recovered",
             (unsigned long long)d->data_end, (unsigned long long)end);
        d->st = ST_CRC;
        return check_crc(d, d->carry, diag);
    }
    if (d->st == ST_CRC)
        return pl__fit_fail(d, diag, PL_ETRUNCATED, end,
                    "input ends at byte %llu, before the file CRC at byte %llu",
                    (unsigned long long)end, (unsigned long long)d->data_end);
    if (d->st == ST_RECORDS)
        return pl__fit_fail(d, diag, PL_ETRUNCATED, end,
                    "input ends at byte %llu, before the end of the data declared by the file header (byte %llu); every complete record before it was decoded",
                    (unsigned long long)end, (unsigned long long)d->data_end);
    return 0;
}

int pl_fit_decode(const void *buf, size_t n, const struct pl_fit_handler *h, unsigned options,
                  struct pl_diag *diag)
{
    struct pl_fit_decoder *d = pl_fit_decoder_new(h, options);
    if (!d)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    int rc = pl_fit_decoder_feed(d, buf, n, diag);
    if (!rc)
        rc = pl_fit_decoder_finish(d, diag);
    pl_fit_decoder_free(d);
    return rc;
}

bool pl_fit_is_fit(const void *buf, size_t n)
{
    const uint8_t *p = buf;
    return n >= 12 && p[0] >= 12 && memcmp(p + 8, ".FIT", 4) == 0;
}

double pl_fit_value_num(const struct pl_fit_value *v)
{
    if (!v || v->kind != PL_FIT_K_NUMBER || v->count == 0)
        return NAN;
    return v->count == 1 ? v->u.num : v->u.nums[0];
}

const struct pl_fit_value *pl_fit_msg_find(const struct pl_fit_msg *m, uint16_t field_num)
{
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_field *f = m->values[i].field;
        if (f && f->num == field_num && !(f->flags & (PL_FIT_F_DEV | PL_FIT_F_SUBFIELD)))
            return &m->values[i];
    }
    return NULL;
}
