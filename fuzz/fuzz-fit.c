/*
 * fuzz-fit.c - libFuzzer target for the FIT decoder.
 *
 * Each input is decoded twice: whole, and fed in pieces whose sizes come
 * from the input itself, so the carry-over path for records split across
 * feeds is fuzzed too. The two runs must deliver the same messages and end
 * with the same result; any difference is a bug (abort), as is any crash
 * or sanitizer report. Values are touched so that reads of them are
 * checked by the sanitizers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

struct tally {
    unsigned long msgs, values;
    double sum;
    uint64_t bytes;
};

static int on_msg(void *ctx, const struct pl_fit_msg *m)
{
    struct tally *t = ctx;
    t->msgs++;
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        t->values++;
        if (!v->field)
            abort();
        if (v->field->name)
            t->bytes += strlen(v->field->name);
        if (v->kind == PL_FIT_K_NUMBER) {
            for (unsigned k = 0; k < v->count; k++) {
                double x = v->count == 1 ? v->u.num : v->u.nums[k];
                if (!isnan(x))
                    t->sum += x;
            }
        } else {
            for (uint32_t k = 0; k < v->u.bytes.n; k++)
                t->bytes += v->u.bytes.p[k];
        }
        if (v->field->show == PL_FIT_SHOW_ENUM && v->kind == PL_FIT_K_NUMBER && v->count == 1 &&
            v->u.num >= 0 && v->u.num < 4294967296.0) {
            const char *name = pl_fit_enum_name(v->field->type, (uint32_t)v->u.num);
            if (name)
                t->bytes += strlen(name);
        }
    }
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    struct tally *t = ctx;
    t->bytes += strlen(w->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tally whole = { 0 }, pieces = { 0 };
    struct pl_fit_handler h = { .ctx = &whole, .on_msg = on_msg, .on_warning = on_warning };
    struct pl_diag d1, d2;
    unsigned options = size && (data[size - 1] & 1) ? PL_FIT_STRICT : 0;
    int rc1 = pl_fit_decode(data, size, &h, options, &d1);

    h.ctx = &pieces;
    struct pl_fit_decoder *dec = pl_fit_decoder_new(&h, options);
    if (!dec)
        return 0;
    int rc2 = 0;
    size_t at = 0;
    unsigned step = size ? (unsigned)(data[0] % 7) + 1 : 1;
    while (at < size && !rc2) {
        size_t n = step;
        if (n > size - at)
            n = size - at;
        rc2 = pl_fit_decoder_feed(dec, data + at, n, &d2);
        at += n;
        step = step * 3 % 61 + 1;
    }
    if (!rc2)
        rc2 = pl_fit_decoder_finish(dec, &d2);
    pl_fit_decoder_free(dec);
    if (rc1 != rc2 || whole.msgs != pieces.msgs || whole.values != pieces.values)
        abort();
    return 0;
}
