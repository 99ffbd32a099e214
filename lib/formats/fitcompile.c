/*
 * fitcompile.c - definition messages compiled into the plans the FIT
 * decoder's hot loop walks (lib/formats/fit.c explains the design): one op
 * per field with its reader, invalid value, scale and offset; simple
 * components as xops; accumulated fields' seeds. Runs once per definition,
 * so it may look things up; the data messages then need none.
 */
#include <math.h>

#include "formats/fitdecoder.h"

static uint8_t reader_for(const struct op *o, bool be)
{
    if (o->kind == OP_ARRAY)
        return R_ARRAY;
    if (o->kind == OP_STRING)
        return R_STRING;
    if (o->kind == OP_BYTES)
        return o->size ? R_BYTES : R_SKIP;
    switch (o->base) {
    case PL_FIT_ENUM: case PL_FIT_UINT8: case PL_FIT_UINT8Z: case PL_FIT_BYTE:
        return R_U8;
    case PL_FIT_SINT8:
        return R_S8;
    case PL_FIT_UINT16: case PL_FIT_UINT16Z:
        return be ? R_U16B : R_U16;
    case PL_FIT_SINT16:
        return be ? R_S16B : R_S16;
    case PL_FIT_UINT32: case PL_FIT_UINT32Z:
        return be ? R_U32B : R_U32;
    case PL_FIT_SINT32:
        return be ? R_S32B : R_S32;
    default:
        return R_OTHER_NUM;
    }
}

void pl__fit_fdef_release(struct fdef *f)
{
    pl__free(f->xops);
    pl__free(f->ops);
    pl__free(f->devops);
    pl__free(f->unknown);
    memset(f, 0, sizeof *f);
}


/* Make room for a definition's worst case. */
static int reserve_out(struct pl_fit_decoder *d, uint32_t values, uint32_t nums)
{
    if (values > d->valcap) {
        struct pl_fit_value *v = pl__realloc(d->vals, (size_t)values * sizeof *v);
        if (!v)
            return PL_ENOMEM;
        d->vals = v;
        d->valcap = values;
    }
    if (nums > d->numcap) {
        double *n = pl__realloc(d->nums, (size_t)nums * sizeof *n);
        if (!n)
            return PL_ENOMEM;
        d->nums = n;
        d->numcap = nums;
    }
    return 0;
}

/* Count the values and numbers component expansion may add for a field,
 * following targets that have components themselves (bounded depth: the
 * profile has no cycles, hostile input cannot add any). */
static void count_expansion(const struct pl_fit_msg_info *mi, const struct pl_fit_component *c,
                            unsigned nc, int depth, uint32_t *values, uint32_t *nums)
{
    if (depth > 4)
        return;
    for (unsigned j = 0; j < nc; j++) {
        /* An array target grows by copying: budget nc numbers a push. */
        *values += 1;
        *nums += nc + 1;
        const struct pl_fit_field_info *t = pl__fit_field_info(mi, c[j].target);
        if (t && t->ncomponents)
            count_expansion(mi, t->components, t->ncomponents, depth + 1, values, nums);
    }
}

struct accum *pl__fit_accum_slot(struct pl_fit_decoder *d, uint16_t global, uint8_t field)
{
    for (int i = 0; i < ACCUM_MAX; i++)
        if (d->accum[i].used && d->accum[i].global == global && d->accum[i].field == field)
            return &d->accum[i];
    for (int i = 0; i < ACCUM_MAX; i++)
        if (!d->accum[i].used) {
            d->accum[i] = (struct accum){ .global = global, .field = field, .used = true };
            return &d->accum[i];
        }
    return NULL;
}

/* True when op's components can run as xops: a one-element field with
 * components only (no sub-fields, no accumulation), each component to a
 * different target that has no components of its own. */
static bool simple_components(const struct fdef *f, const struct op *o)
{
    const struct pl_fit_field_info *fi = o->info;
    if (!fi || o->kind != OP_NUM || fi->nsubfields || fi->accumulated)
        return false;
    if (fi->pub.show != PL_FIT_SHOW_NUMBER && fi->pub.type != PL_FIT_TYPE_NONE)
        return true; /* the profile expands no components of named types */
    unsigned ebits = pl__fit_bases[fi->pub.base < PL_FIT_BASE_COUNT_ ? fi->pub.base : PL_FIT_BYTE].size * 8u;
    unsigned at = 0;
    for (unsigned j = 0; j < fi->ncomponents; j++) {
        const struct pl_fit_component *c = &fi->components[j];
        const struct pl_fit_field_info *t = pl__fit_field_info(f->mi, c->target);
        if (c->accumulate || !t || t->ncomponents || c->bits == 0 || at + c->bits > ebits)
            return false;
        for (unsigned k = 0; k < j; k++)
            if (fi->components[k].target == c->target)
                return false;
        at += c->bits;
    }
    return true;
}

/* Turn the slow ops of a definition into xops when all of them are
 * simple; leaves f->slow set otherwise. False when out of memory. */
static bool compile_simple_components(struct fdef *f)
{
    unsigned n = 0;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct op *o = &f->ops[i];
        if (!(o->flags & OPF_SLOW))
            continue;
        if (!simple_components(f, o))
            return true; /* stays on the general path */
        if (o->info->pub.show == PL_FIT_SHOW_NUMBER || o->info->pub.type == PL_FIT_TYPE_NONE)
            n += o->info->ncomponents;
    }
    f->xops = pl__calloc(n ? n : 1, sizeof *f->xops);
    if (!f->xops)
        return false;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct op *o = &f->ops[i];
        const struct pl_fit_field_info *fi = o->info;
        if (!(o->flags & OPF_SLOW) ||
            !(fi->pub.show == PL_FIT_SHOW_NUMBER || fi->pub.type == PL_FIT_TYPE_NONE))
            continue;
        unsigned shift = 0;
        for (unsigned j = 0; j < fi->ncomponents; j++) {
            const struct pl_fit_component *c = &fi->components[j];
            const struct pl_fit_field_info *t = pl__fit_field_info(f->mi, c->target);
            unsigned tb = t->pub.base < PL_FIT_BASE_COUNT_ ? t->pub.base : PL_FIT_BYTE;
            struct xop *x = &f->xops[f->nxops++];
            x->src = (uint16_t)i;
            x->native = -1;
            for (unsigned k = 0; k < f->nops; k++)
                if (f->ops[k].info == t)
                    x->native = (int16_t)k;
            x->shift = (uint8_t)shift;
            x->mask = c->bits >= 64 ? UINT64_MAX : ((uint64_t)1 << c->bits) - 1;
            x->scale = c->scale;
            x->offset = c->offset;
            x->tscale = t->scale;
            x->toffset = t->offset;
            x->tinvalid = (double)pl__fit_bases[tb].invalid;
            x->target = &t->pub;
            shift += c->bits;
        }
    }
    f->slow = false;
    return true;
}

/* Compile a definition message into a plan. p points at the reserved byte
 * (after the record header); n bytes are available and were checked to hold
 * the whole definition. */
int pl__fit_compile_def(struct pl_fit_decoder *d, uint8_t local, bool has_dev, const uint8_t *p,
                       uint64_t off, struct pl_diag *diag)
{
    struct fdef nf = { 0 };
    nf.be = p[1] == 1;
    if (p[1] > 1)
        pl__fit_warn(d, PL_EFORMAT, off + 2, "definition architecture byte is %u, expected 0 or 1; read as little-endian", p[1]);
    nf.global = ld16(p + 2, nf.be);
    uint8_t nfields = p[4];
    const uint8_t *fp = p + 5;
    const uint8_t *dp = fp + 3 * nfields;
    uint8_t ndev = has_dev ? dp[0] : 0;
    dp += has_dev ? 1 : 0;

    nf.mi = pl__fit_msg_info(nf.global);
    nf.defined = true;
    int rc = PL_ENOMEM;
    nf.ops = pl__calloc(nfields ? nfields : 1, sizeof *nf.ops);
    nf.devops = pl__calloc(ndev ? ndev : 1, sizeof *nf.devops);
    nf.unknown = pl__calloc(nfields ? nfields : 1, sizeof *nf.unknown);
    if (!nf.ops || !nf.devops || !nf.unknown)
        goto out;

    uint32_t values = 1 /* compressed timestamp */, nums = 0;
    uint32_t at = 0;
    for (unsigned i = 0; i < nfields; i++) {
        uint8_t num = fp[3 * i], size = fp[3 * i + 1], bt = fp[3 * i + 2];
        struct op *o = &nf.ops[nf.nops++];
        o->off = (uint16_t)at;
        o->size = size;
        at += size;
        unsigned base = bt & 0x1F;
        /* Bits 5-6 are reserved and bit 7 is the endian flag (FIT protocol,
         * "Base Type" byte); a base type number past the table is unknown. */
        const struct pl_fit_field_info *fi = nf.mi ? pl__fit_field_info(nf.mi, num) : NULL;
        o->info = fi;
        if (fi) {
            o->field = &fi->pub;
        } else {
            struct pl_fit_field *u = &nf.unknown[i];
            u->name = NULL;
            u->units = "";
            u->num = num;
            u->type = PL_FIT_TYPE_NONE;
            u->show = base == PL_FIT_STRING ? PL_FIT_SHOW_STRING : PL_FIT_SHOW_NUMBER;
            u->flags = PL_FIT_F_UNKNOWN;
            u->base = base < PL_FIT_BASE_COUNT_ ? (uint8_t)base : PL_FIT_BYTE;
            o->field = u;
        }
        values++;
        if (size == 0) {
            o->kind = OP_BYTES; /* zero-size fields carry nothing: skipped */
            o->count = 0;
            continue;
        }
        if (base >= PL_FIT_BASE_COUNT_) {
            pl__fit_warn(d, PL_EUNSUPPORTED, off + 6 + 3 * i,
                 "field %u of message %u has unknown base type 0x%02x; kept as raw bytes", num,
                 nf.global, bt);
            o->kind = OP_BYTES;
            o->base = PL_FIT_BYTE;
            o->count = 1;
            continue;
        }
        o->base = (uint8_t)base;
        unsigned bsize = pl__fit_bases[base].size;
        o->invalid = pl__fit_bases[base].invalid;
        if (base == PL_FIT_STRING) {
            o->kind = OP_STRING;
            o->count = 1;
        } else if (size % bsize) {
            pl__fit_warn(d, PL_EFORMAT, off + 6 + 3 * i,
                 "field %u of message %u is %u bytes, not a multiple of its base type %s; kept as raw bytes",
                 num, nf.global, size, pl__fit_bases[base].name);
            o->kind = OP_BYTES;
            o->count = 1;
        } else {
            o->count = (uint16_t)(size / bsize);
            o->kind = o->count == 1 ? OP_NUM : OP_ARRAY;
            nums += o->count;
        }
        if (num == 253 && o->kind == OP_NUM && base == PL_FIT_UINT32)
            o->flags |= OPF_TIMESTAMP;
        o->scale = 1;
        o->offset = 0;
        if (fi && !(d->options & PL_FIT_RAW)) {
            if (fi->pub.show == PL_FIT_SHOW_NUMBER && fi->single_scale &&
                (fi->scale != 1 || fi->offset != 0)) {
                o->flags |= OPF_SCALE;
                o->scale = fi->scale;
                o->offset = fi->offset;
            }
            if (fi->ncomponents || fi->nsubfields || fi->accumulated)
                o->flags |= OPF_SLOW;
            if (fi->accumulated)
                o->flags |= OPF_ACCUM;
            if (fi->ncomponents)
                count_expansion(nf.mi, fi->components, fi->ncomponents, 0, &values, &nums);
            for (unsigned s = 0; s < fi->nsubfields; s++) {
                values++;
                nums += o->count;
                count_expansion(nf.mi, fi->subfields[s].components, fi->subfields[s].ncomponents,
                                0, &values, &nums);
            }
        }
        if (o->flags & OPF_SLOW)
            nf.slow = true;
    }
    for (unsigned i = 0; i < ndev; i++) {
        struct devop *o = &nf.devops[nf.ndev++];
        o->num = dp[3 * i];
        o->size = dp[3 * i + 1];
        o->dev_index = dp[3 * i + 2];
        o->off = (uint16_t)at;
        at += o->size;
        o->undescribed = (struct pl_fit_field){
            .units = "", .num = o->num, .type = PL_FIT_TYPE_NONE, .show = PL_FIT_SHOW_NUMBER,
            .flags = PL_FIT_F_DEV | PL_FIT_F_UNKNOWN, .dev_index = o->dev_index, .base = PL_FIT_BYTE,
        };
        values++;
        nums += o->size; /* at most one number per byte */
    }
    /* A native value of an accumulated field (record.distance,
     * hr.event_timestamp) seeds the accumulator that the field's component
     * source (compressed_speed_distance, event_timestamp_12) adds to, in
     * that component's units (FIT protocol, "Accumulated fields"). This is
     * a cheap step after the plain fields, not a reason for the slow
     * pass. */
    nf.slow = false;
    for (unsigned i = 0; i < nf.nops; i++) {
        struct op *o = &nf.ops[i];
        if (o->flags & OPF_ACCUM) {
            const struct pl_fit_component *feed = NULL;
            for (unsigned k = 0; k < nf.mi->nfields && !feed; k++) {
                const struct pl_fit_field_info *src = &nf.mi->fields[k];
                for (unsigned c = 0; c < src->ncomponents && !feed; c++)
                    if (src->components[c].target == o->field->num && src->components[c].accumulate)
                        feed = &src->components[c];
            }
            struct accum *a = feed ? pl__fit_accum_slot(d, nf.global, (uint8_t)o->field->num) : NULL;
            if (a && nf.nseeds < PL_ARRAY_LEN(nf.seeds)) {
                nf.seeds[nf.nseeds++] = (struct seed){
                    .op = (uint16_t)i, .accum = (uint8_t)(a - d->accum),
                    .cscale = feed->scale, .coffset = feed->offset,
                };
            }
            o->flags &= (uint8_t)~OPF_ACCUM;
            if (!o->info->ncomponents && !o->info->nsubfields)
                o->flags &= (uint8_t)~OPF_SLOW;
        }
        nf.slow |= (o->flags & OPF_SLOW) != 0;
    }
    nf.ts_op = -1;
    for (unsigned i = 0; i < nf.nops; i++) {
        struct pl_fit_value hdr = { .kind = PL_FIT_K_NUMBER, .base = nf.ops[i].base, .count = 1 };
        memcpy(&nf.ops[i].vhdr, &hdr.kind, sizeof nf.ops[i].vhdr);
        nf.ops[i].rd = reader_for(&nf.ops[i], nf.be);
        /* A field number given twice in one definition (some writers
         * repeat lap avg_speed): the last one wins, as in the official
         * SDK, so a message never carries two values for one field. */
        for (unsigned k = i + 1; k < nf.nops; k++)
            if (nf.ops[k].field->num == nf.ops[i].field->num) {
                nf.ops[i].rd = R_SKIP;
                nf.ops[i].flags = 0;
                break;
            }
        if (nf.ops[i].flags & OPF_TIMESTAMP)
            nf.ts_op = (int16_t)i;
    }
    if (nf.slow && !compile_simple_components(&nf)) {
        rc = PL_ENOMEM;
        goto out;
    }
    nf.size = at;
    nf.values_max = values;
    nf.nums_max = nums;
    /* Developer fields in a definition whose index was never declared are
     * kept raw (and said once here). */
    for (unsigned i = 0; i < nf.ndev; i++)
        if (!d->dev_index_known[nf.devops[i].dev_index])
            pl__fit_warn(d, PL_EFORMAT, off, "definition of message %u uses developer data index %u, which no developer_data_id declared; its fields are kept raw",
                 nf.global, nf.devops[i].dev_index);
    rc = reserve_out(d, values, nums);
    if (rc)
        goto out;
    pl__fit_fdef_release(&d->defs[local]);
    d->defs[local] = nf;
    return 0;
out:
    pl__fit_fdef_release(&nf);
    return pl__fit_fail(d, diag, rc, off, "out of memory compiling a definition");
}

