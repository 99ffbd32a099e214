/*
 * fuzz-csv.c - libFuzzer target for the CSV reader of lib/formats/csv.c: the
 * RFC 4180 parser, Strava's activities.csv on top of it, and the date
 * parser on every field that the csv gives as a date.
 *
 * The raw parser's fields must be NUL-terminated at their stated length
 * and lie inside its own buffer; every row is read so that the sanitizers
 * check it. A crash or a report is a bug; so is a field whose length
 * disagrees with its NUL (abort).
 */
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"

struct tally {
    unsigned long records, fields;
    size_t bytes;
};

static int on_record(void *ctx, const struct pl__csv_field *f, size_t nf, uint32_t line)
{
    struct tally *t = ctx;
    t->records++;
    if (line == 0)
        abort();
    for (size_t i = 0; i < nf; i++) {
        if (f[i].p[f[i].n] != '\0' || f[i].n > PL_CSV_FIELD_BYTES_MAX)
            abort();
        t->fields++;
        t->bytes += f[i].n;
        int64_t when;
        if (f[i].n < 64 && pl__strava_date(f[i].p, &when))
            t->bytes += (size_t)(when & 1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tally t = { 0 };
    struct pl_diag d;
    pl__csv_parse((const char *)data, size, on_record, &t, &d);

    struct pl__strava_csv c;
    int rc = pl__strava_csv_read((const char *)data, size, &c, &d);
    if (rc == 0 && c.n > t.records)
        abort();
    for (size_t i = 0; i < c.n; i++) {
        const struct pl__strava_row *r = &c.rows[i];
        t.bytes += (r->filename ? strlen(r->filename) : 0) + (r->name ? strlen(r->name) : 0) +
                   (r->description ? strlen(r->description) : 0);
        if (r->sport < -1 || r->sport > 255)
            abort();
    }
    pl__strava_csv_release(&c);
    return 0;
}
