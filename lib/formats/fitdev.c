/*
 * fitdev.c - developer fields: what developer_data_id and
 * field_description messages say, kept per segment, so that the decoder can
 * name, scale and type the developer fields of later data messages (FIT
 * protocol, "Developer Data").
 */
#include <math.h>

#include "formats/fitdecoder.h"


const struct devfield *pl__fit_dev_find(const struct pl_fit_decoder *d, uint8_t index, uint8_t num)
{
    for (uint32_t i = d->ndev; i-- > 0;)
        if (d->dev[i].pub.dev_index == index && d->dev[i].pub.num == num)
            return &d->dev[i];
    return NULL;
}

/* A copy of a string value (NUL-terminated, at most n bytes). */
static char *dup_bytes(const uint8_t *p, size_t n)
{
    size_t len = strnlen((const char *)p, n);
    char *s = pl__malloc(len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = 0;
    }
    return s;
}

/* A single number in [0, max], whatever base type the file gave it (a
 * hostile file may declare a one-byte field as a float). */
static bool small_uint(const struct pl_fit_value *v, uint32_t max, uint32_t *out)
{
    if (!v || v->kind != PL_FIT_K_NUMBER || v->count != 1)
        return false;
    double x = v->u.num;
    if (!(x >= 0 && x <= max))
        return false;
    *out = (uint32_t)x;
    return true;
}

/* Learn from developer_data_id (207) and field_description (206). Values
 * are taken from the decoded message (raw; these messages are not scaled). */
int pl__fit_learn_dev(struct pl_fit_decoder *d, const struct pl_fit_msg *m, struct pl_diag *diag)
{
    uint32_t index32, num32, base32;
    if (m->global == 207) {
        if (small_uint(pl_fit_msg_find(m, 3), 254, &index32))
            d->dev_index_known[index32] = true;
        return 0;
    }
    if (!small_uint(pl_fit_msg_find(m, 0), 254, &index32) ||
        !small_uint(pl_fit_msg_find(m, 1), 255, &num32) ||
        !small_uint(pl_fit_msg_find(m, 2), 255, &base32))
        return 0; /* incomplete or out of range: nothing to learn */
    uint8_t index = (uint8_t)index32, num = (uint8_t)num32;
    unsigned base = base32 & 0x1F;
    /* A description refers to a developer_data_id by its index (FIT
     * protocol, "Developer Data"); for an index never declared it
     * describes nothing, and that developer's fields stay raw. */
    if (!d->dev_index_known[index])
        return 0;
    struct devfield *f = (struct devfield *)pl__fit_dev_find(d, index, num);
    bool fresh = f == NULL;
    if (!f) {
        if (d->ndev >= PL_FIT_DEV_FIELDS_MAX) {
            pl__fit_warn(d, PL_ELIMIT, m->offset, "more than %d developer field descriptions; this one is ignored",
                 PL_FIT_DEV_FIELDS_MAX);
            return 0;
        }
        if (d->ndev == d->devcap) {
            uint32_t cap = d->devcap ? d->devcap * 2 : 16;
            struct devfield *nd = pl__realloc(d->dev, cap * sizeof *nd);
            if (!nd)
                return pl__fit_fail(d, diag, PL_ENOMEM, m->offset, "out of memory");
            d->dev = nd;
            d->devcap = cap;
        }
        f = &d->dev[d->ndev++];
        memset(f, 0, sizeof *f);
    } else {
        pl__free(f->name_buf);
        pl__free(f->units_buf);
        f->name_buf = f->units_buf = NULL;
    }
    f->pub.dev_index = index;
    f->pub.num = num;
    f->pub.type = PL_FIT_TYPE_NONE;
    f->pub.flags = PL_FIT_F_DEV;
    f->base = base < PL_FIT_BASE_COUNT_ ? (uint8_t)base : PL_FIT_BYTE;
    f->pub.base = f->base;
    f->pub.show = base == PL_FIT_STRING ? PL_FIT_SHOW_STRING : PL_FIT_SHOW_NUMBER;
    const struct pl_fit_value *name = pl_fit_msg_find(m, 3), *units = pl_fit_msg_find(m, 8),
                              *scale = pl_fit_msg_find(m, 6), *offs = pl_fit_msg_find(m, 7),
                              *arr = pl_fit_msg_find(m, 4);
    if (name && name->kind == PL_FIT_K_STRING)
        f->name_buf = dup_bytes(name->u.bytes.p, name->u.bytes.n);
    if (units && units->kind == PL_FIT_K_STRING)
        f->units_buf = dup_bytes(units->u.bytes.p, units->u.bytes.n);
    if ((name && name->kind == PL_FIT_K_STRING && !f->name_buf) ||
        (units && units->kind == PL_FIT_K_STRING && !f->units_buf)) {
        /* Keep the table consistent: a new entry (the last) goes; one
         * described again stays, with nothing left to free twice. */
        pl__free(f->name_buf);
        pl__free(f->units_buf);
        f->name_buf = f->units_buf = NULL;
        f->pub.name = NULL;
        f->pub.units = "";
        if (fresh)
            d->ndev--;
        return pl__fit_fail(d, diag, PL_ENOMEM, m->offset, "out of memory");
    }
    f->pub.name = f->name_buf;
    f->pub.units = f->units_buf ? f->units_buf : "";
    if (!f->name_buf)
        f->pub.flags |= PL_FIT_F_UNKNOWN;
    double sc = pl_fit_value_num(scale), of = pl_fit_value_num(offs);
    f->scale = isfinite(sc) && sc != 0 ? sc : 1;
    f->offset = isfinite(of) ? of : 0;
    f->array = pl_fit_value_num(arr) > 0;
    if (f->array)
        f->pub.flags |= PL_FIT_F_ARRAY;
    return 0;
}
