/*
 * fuzz-archive.c - libFuzzer target for the import's archive path: the
 * walker of lib/formats/archive.c (gzip, zip, tar and archives inside them, through
 * libarchive) over an input in memory, with the readers and Strava's
 * activities.csv on every file it finds. No store: what import would add
 * is read and touched, so that the sanitizers check it.
 *
 * The limits are the import's own except the sizes, cut so that one input
 * cannot make the fuzzer spend seconds inflating (the ratio check is the
 * real one); a crash, a leak, a sanitizer report or a read past the cap is
 * a bug. The input's name alternates between "x.zip" and "x.tar", so that
 * the name-only rule for old tar files is reached too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"
#include "formats/walk.h"

/* One file may make at most this much, all files together 16 times it. */
#define FILE_MAX (1u << 20)

struct fuzz {
    uint8_t *buf;
    size_t cap;
    double sum;
    unsigned long files, errors;
};

static int on_activity(void *ctx, struct pl_activity *a)
{
    struct fuzz *f = ctx;
    const double *streams[] = { a->t_s, a->hr_bpm, a->speed_mps, a->dist_m_s, a->alt_m,
                                a->lat_deg, a->lon_deg, a->cadence_spm, a->power_w, a->temp_c };
    for (size_t k = 0; k < sizeof streams / sizeof streams[0]; k++)
        for (size_t i = 0; streams[k] && i < a->n; i++)
            if (!isnan(streams[k][i]))
                f->sum += streams[k][i];
    f->sum += (double)(a->nlaps + strlen(a->name) + strlen(a->source_path));
    return 0;
}

static int on_peek(void *ctx, const char *path, const uint8_t *p, size_t n, bool *want)
{
    struct fuzz *f = ctx;
    for (size_t i = 0; i < n; i++)
        f->sum += p[i];
    f->sum += (double)strlen(path);
    *want = n > 0;
    return 0;
}

static int on_file(void *ctx, const char *path, struct pl__src *src)
{
    struct fuzz *f = ctx;
    struct pl_diag d;
    size_t n;
    f->files++;
    if (pl__src_read_all(src, &f->buf, &f->cap, &n, FILE_MAX, &d) != 0)
        return d.code == PL_ENOMEM ? PL_ENOMEM : 0;
    if (n > FILE_MAX)
        abort();
    size_t len = strlen(path);
    if (len >= 14 && strcmp(path + len - 14, "activities.csv") == 0) {
        struct pl__strava_csv c;
        pl__strava_csv_read((const char *)f->buf, n, &c, &d);
        for (size_t i = 0; i < c.n; i++)
            f->sum += (double)c.rows[i].line + (c.rows[i].name ? strlen(c.rows[i].name) : 0);
        pl__strava_csv_release(&c);
        return 0;
    }
    struct pl_reader_handler h = { f, on_activity, NULL };
    pl_read_activities(f->buf, n, &h, 0, &d);
    f->sum += strlen(d.msg);
    return 0;
}

static int on_error(void *ctx, const char *path, const struct pl_diag *d)
{
    struct fuzz *f = ctx;
    f->errors++;
    f->sum += (double)(strlen(path) + strlen(d->msg));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz f = { 0 };
    struct pl__walk_limits lim;
    pl__walk_limits_init(&lim);
    lim.entry_bytes_max = FILE_MAX;
    lim.total_bytes_max = 16 * FILE_MAX;
    lim.entries_max = 1000;
    lim.total_entries_max = 4000;
    struct pl__walk_handler h = { &f, on_peek, on_file, on_error, NULL };
    struct pl__walk *w = pl__walk_new(&h, &lim);
    if (!w)
        return 0;
    struct pl_diag d;
    pl__walk_mem(w, size && (data[0] & 1) ? "x.tar" : "x.zip", data, size, &d);
    pl__walk_free(w);
    pl__free(f.buf);
    return 0;
}
