/*
 * csv.h - the RFC 4180 CSV reader and Strava's activities.csv on top of it
 * (lib/formats/csv.c); private to libpliant, not installed.
 */
#ifndef PL_CSV_H
#define PL_CSV_H

#include "base/internal.h"

/* ------------------------------------------------------------------ */
/* CSV (RFC 4180)                                                       */
/* ------------------------------------------------------------------ */

struct pl__csv_field {
    const char *p;       /* unquoted bytes, NUL-terminated */
    size_t n;
};
/* One record: its fields and the line it starts on (1-based). Return 0 to
 * go on; anything else stops the parse with that code. */
typedef int (*pl__csv_record_fn)(void *ctx, const struct pl__csv_field *f,
                                 size_t nfields, uint32_t line);
/* Parse buf: fields separated by ',', records by CRLF or LF, fields in
 * double quotes may hold ',', line breaks and "" for a quote (RFC 4180,
 * section 2). A UTF-8 byte order mark is skipped. Lenient where it costs
 * nothing (a bare LF, a quote inside an unquoted field, a missing last line
 * break); an error with line:column for an unterminated quoted field,
 * text after a closing quote, a NUL byte, or a limit: PL_CSV_FIELD_BYTES_MAX,
 * PL_CSV_FIELDS_MAX, PL_CSV_RECORDS_MAX. */
int pl__csv_parse(const char *buf, size_t n, pl__csv_record_fn fn, void *ctx,
                  struct pl_diag *diag);

/* One row of Strava's activities.csv that pliant uses. */
struct pl__strava_row {
    char *filename;      /* "activities/123.fit.gz", or NULL */
    char *name, *description;   /* NULL when empty */
    int sport;           /* pl_sport_parse() of Activity Type; -1 unknown */
    int64_t start_s;     /* Activity Date (UTC); INT64_MIN if unreadable */
    uint32_t line;
};
struct pl__strava_csv {
    struct pl__strava_row *rows;
    size_t n, cap;
};
/* Read Strava's activities.csv: the header names the columns (Activity
 * Date, Activity Name, Activity Type, Activity Description, Filename; any
 * order, others ignored; the first of a repeated name counts). PL_EFORMAT
 * with line:column when it is no such file. Free with
 * pl__strava_csv_release() whatever the result. */
int pl__strava_csv_read(const char *buf, size_t n, struct pl__strava_csv *out,
                        struct pl_diag *diag);
void pl__strava_csv_release(struct pl__strava_csv *c);
/* Strava's "Activity Date" ("Jan 5, 2026, 7:12:00 AM", UTC), or ISO 8601
 * "2026-01-05 07:12:00" / "2026-01-05T07:12:00Z" -> UTC seconds. */
bool pl__strava_date(const char *s, int64_t *utc_s);

#endif
