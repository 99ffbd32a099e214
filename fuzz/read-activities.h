/*
 * read-activities.h - the body of the GPX and TCX fuzz targets: both go
 * through the public pl_read_activities(), which sniffs the format, so
 * they differ only in their seed corpora (fuzz/corpus/gpx, fuzz/corpus/tcx).
 * Included by exactly one .c per target.
 *
 * Each input is read twice: whole, and pushed in pieces whose sizes come
 * from the input itself, so that expat's buffering and the reader's format
 * sniffing are fuzzed across feed boundaries. Both runs must end with the
 * same result and deliver the same activities; any difference is a bug
 * (abort), as is any crash or sanitizer report. Every sample is read so
 * that the sanitizers check the streams' bounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

struct tally {
    unsigned long activities, samples, laps;
    double sum;
};

static void touch(struct tally *t, const double *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!isnan(s[i]))
            t->sum += s[i];
}

static int on_activity(void *ctx, struct pl_activity *a)
{
    struct tally *t = ctx;
    t->activities++;
    t->samples += a->n;
    t->laps += a->nlaps;
    if (a->n > 0 && !a->t_s)
        abort();
    const double *streams[] = { a->t_s, a->hr_bpm, a->speed_mps, a->dist_m_s, a->alt_m,
                                a->lat_deg, a->lon_deg, a->cadence_spm, a->power_w, a->temp_c };
    for (size_t k = 0; k < sizeof streams / sizeof streams[0]; k++)
        touch(t, streams[k], a->n);
    for (size_t j = 0; j < a->nlaps; j++)
        t->sum += a->laps[j].dist_m;
    t->sum += strlen(a->name) + strlen(a->device) + strlen(a->description);
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    struct tally *t = ctx;
    t->sum += strlen(w->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tally whole = { 0 }, pieces = { 0 };
    struct pl_reader_handler h = { &whole, on_activity, on_warning };
    struct pl_diag d1, d2;
    int rc1 = pl_read_activities(data, size, &h, 0, &d1);

    h.ctx = &pieces;
    struct pl_reader *r = pl_reader_new(&h, 0);
    if (!r)
        return 0;
    int rc2 = 0;
    size_t at = 0;
    unsigned step = size ? (unsigned)(data[size - 1] % 13) + 1 : 1;
    while (at < size && !rc2) {
        size_t n = step;
        if (n > size - at)
            n = size - at;
        rc2 = pl_reader_feed(r, data + at, n, &d2);
        at += n;
        step = step * 5 % 97 + 1;
    }
    if (!rc2)
        rc2 = pl_reader_finish(r, &d2);
    pl_reader_free(r);
    if (rc1 != rc2 || whole.activities != pieces.activities || whole.samples != pieces.samples ||
        whole.laps != pieces.laps)
        abort();
    return 0;
}
