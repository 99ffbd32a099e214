/*
 * csv.c - an RFC 4180 CSV reader, and Strava's activities.csv on top of it.
 *
 * What it is for: a Strava bulk export names each activity, gives its type
 * and the runner's description in activities.csv; the importer uses them
 * to enrich the activities it read from the files (lib/import/import.c). The
 * reader is generic and bounded: every field, record count and field count
 * is capped (lib/base/pl_limits.h), and errors say line:column.
 *
 * What it is not: a writer, or a reader for every dialect. It reads what
 * RFC 4180 describes, plus the harmless liberties real files take (bare LF
 * line ends, a quote inside an unquoted field, no line break at the end).
 */
#include <string.h>
#include <strings.h>

#include "formats/csv.h"

/* ------------------------------------------------------------------ */
/* RFC 4180                                                             */
/* ------------------------------------------------------------------ */

struct rec {
    char *buf;               /* the record's fields, unquoted, each NUL-ended */
    size_t len, cap;
    size_t *off;             /* where each field starts in buf */
    size_t nf, fcap;
    struct pl__csv_field *fields;  /* pointers, made before the callback */
    size_t pcap;
};

static bool rec_put(struct rec *r, char c)
{
    if (r->len == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 1024;
        char *nb = pl__realloc(r->buf, ncap);
        if (!nb)
            return false;
        r->buf = nb;
        r->cap = ncap;
    }
    r->buf[r->len++] = c;
    return true;
}

static bool rec_begin_field(struct rec *r)
{
    if (r->nf == r->fcap) {
        size_t ncap = r->fcap ? r->fcap * 2 : 32;
        size_t *no = pl__realloc(r->off, ncap * sizeof *no);
        if (!no)
            return false;
        r->off = no;
        r->fcap = ncap;
    }
    r->off[r->nf++] = r->len;
    return true;
}

static bool rec_make_fields(struct rec *r)
{
    if (r->nf > r->pcap) {
        struct pl__csv_field *nf = pl__malloc_array(r->nf, sizeof *nf);
        if (!nf)
            return false;
        pl__free(r->fields);
        r->fields = nf;
        r->pcap = r->nf;
    }
    for (size_t i = 0; i < r->nf; i++) {
        size_t end = i + 1 < r->nf ? r->off[i + 1] : r->len;
        r->fields[i].p = r->buf + r->off[i];
        r->fields[i].n = end - r->off[i] - 1;   /* less the NUL */
    }
    return true;
}

static void rec_release(struct rec *r)
{
    pl__free(r->buf);
    pl__free(r->off);
    pl__free(r->fields);
}

int pl__csv_parse(const char *buf, size_t n, pl__csv_record_fn fn, void *ctx,
                  struct pl_diag *diag)
{
    struct rec r = { 0 };
    size_t i = 0;
    uint32_t line = 1, col = 1;
    uint64_t records = 0;
    int rc = 0;
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;   /* UTF-8 byte order mark (Excel writes one) */
#define NOMEM()                                                              \
    do {                                                                     \
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");         \
        goto out;                                                            \
    } while (0)
    while (i < n) {
        uint32_t rec_line = line;
        r.len = r.nf = 0;
        if (++records > PL_CSV_RECORDS_MAX) {
            rc = pl__diag_lc(diag, PL_ELIMIT, line, col, "more than %u records",
                             (unsigned)PL_CSV_RECORDS_MAX);
            goto out;
        }
        for (;;) {   /* one field per turn */
            if (r.nf == PL_CSV_FIELDS_MAX) {
                rc = pl__diag_lc(diag, PL_ELIMIT, line, col, "more than %u fields in a record",
                                 (unsigned)PL_CSV_FIELDS_MAX);
                goto out;
            }
            if (!rec_begin_field(&r))
                NOMEM();
            size_t start = r.len;
            if (i < n && buf[i] == '"') {
                uint32_t qline = line, qcol = col;
                i++, col++;
                for (;;) {
                    if (i == n) {
                        rc = pl__diag_lc(diag, PL_EFORMAT, qline, qcol,
                                         "the quoted field that starts here never ends");
                        goto out;
                    }
                    char c = buf[i];
                    if (c == '"') {
                        if (i + 1 < n && buf[i + 1] == '"') {
                            i += 2, col += 2;
                        } else {
                            i++, col++;
                            break;
                        }
                    } else if (c == '\n') {
                        i++, line++, col = 1;
                    } else if (c == '\0') {
                        rc = pl__diag_lc(diag, PL_EFORMAT, line, col, "a NUL byte in the text");
                        goto out;
                    } else {
                        i++, col++;
                    }
                    if (r.len - start == PL_CSV_FIELD_BYTES_MAX) {
                        rc = pl__diag_lc(diag, PL_ELIMIT, qline, qcol,
                                         "a field longer than %u bytes",
                                         (unsigned)PL_CSV_FIELD_BYTES_MAX);
                        goto out;
                    }
                    if (!rec_put(&r, c))
                        NOMEM();
                }
                if (i < n && buf[i] != ',' && buf[i] != '\n' &&
                    !(buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')) {
                    rc = pl__diag_lc(diag, PL_EFORMAT, line, col,
                                     "expected ',' or the end of the line after a closing quote");
                    goto out;
                }
            } else {
                while (i < n && buf[i] != ',' && buf[i] != '\n' &&
                       !(buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')) {
                    if (buf[i] == '\0') {
                        rc = pl__diag_lc(diag, PL_EFORMAT, line, col, "a NUL byte in the text");
                        goto out;
                    }
                    if (r.len - start == PL_CSV_FIELD_BYTES_MAX) {
                        rc = pl__diag_lc(diag, PL_ELIMIT, line, col,
                                         "a field longer than %u bytes",
                                         (unsigned)PL_CSV_FIELD_BYTES_MAX);
                        goto out;
                    }
                    if (!rec_put(&r, buf[i]))
                        NOMEM();
                    i++, col++;
                }
            }
            if (!rec_put(&r, '\0'))
                NOMEM();
            if (i < n && buf[i] == ',') {
                i++, col++;
                continue;
            }
            if (i < n)   /* LF or CRLF */
                i += buf[i] == '\r' ? 2 : 1;
            line++, col = 1;
            break;
        }
        if (!rec_make_fields(&r))
            NOMEM();
        if ((rc = fn(ctx, r.fields, r.nf, rec_line)) != 0)
            goto out;
    }
#undef NOMEM
out:
    rec_release(&r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool valid_date(int y, int m, int d)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* A number of 1 to max_digits digits at *s; advances *s. */
static bool digits(const char **s, int max_digits, int *out)
{
    int v = 0, k = 0;
    while (k < max_digits && **s >= '0' && **s <= '9') {
        v = v * 10 + (**s - '0');
        (*s)++;
        k++;
    }
    *out = v;
    return k > 0;
}

static bool lit(const char **s, const char *word)
{
    size_t n = strlen(word);
    if (strncasecmp(*s, word, n) != 0)
        return false;
    *s += n;
    return true;
}

static void blanks(const char **s)
{
    while (**s == ' ')
        (*s)++;
}

bool pl__strava_date(const char *s, int64_t *utc_s)
{
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int y, mo = 0, d, h, mi, sec;
    int32_t off_s = 0;
    blanks(&s);
    if (*s >= '0' && *s <= '9') {
        /* ISO 8601: 2026-01-05 07:12:00, 2026-01-05T07:12:00Z, +01:00 */
        if (!digits(&s, 4, &y) || !lit(&s, "-") || !digits(&s, 2, &mo) || !lit(&s, "-") ||
            !digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' '))
            return false;
        s++;
        if (!digits(&s, 2, &h) || !lit(&s, ":") || !digits(&s, 2, &mi) || !lit(&s, ":") ||
            !digits(&s, 2, &sec))
            return false;
        if (*s == '.')
            for (s++; *s >= '0' && *s <= '9'; s++)
                ;
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1, oh, om;
            if (!digits(&s, 2, &oh) || !lit(&s, ":") || !digits(&s, 2, &om) || oh > 14 ||
                om > 59)
                return false;
            off_s = sign * (oh * 3600 + om * 60);
        }
    } else {
        /* Strava: "Jan 5, 2026, 7:12:00 AM", in UTC */
        for (int k = 0; k < 12 && !mo; k++)
            if (strncasecmp(s, months[k], 3) == 0)
                mo = k + 1;
        if (!mo)
            return false;
        s += 3;
        blanks(&s);
        if (!digits(&s, 2, &d) || !lit(&s, ","))
            return false;
        blanks(&s);
        if (!digits(&s, 4, &y) || !lit(&s, ","))
            return false;
        blanks(&s);
        if (!digits(&s, 2, &h) || !lit(&s, ":") || !digits(&s, 2, &mi) || !lit(&s, ":") ||
            !digits(&s, 2, &sec))
            return false;
        blanks(&s);
        bool pm;
        if (lit(&s, "AM"))
            pm = false;
        else if (lit(&s, "PM"))
            pm = true;
        else
            return false;
        if (h < 1 || h > 12)
            return false;
        h = h % 12 + (pm ? 12 : 0);
    }
    blanks(&s);
    if (*s || !valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
        return false;
    *utc_s = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
             sec - off_s;
    return true;
}

/* ------------------------------------------------------------------ */
/* Strava's activities.csv                                              */
/* ------------------------------------------------------------------ */

enum { C_DATE, C_NAME, C_TYPE, C_DESC, C_FILE, C_COUNT };
static const char *const column_names[C_COUNT] = {
    "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Filename",
};

struct strava_parse {
    struct pl__strava_csv *out;
    long col[C_COUNT];       /* field index, -1 when absent */
    bool header_done;
    struct pl_diag *diag;
};

/* A copy of a field with the blanks around it cut; NULL for an empty one
 * (*nomem says whether that was a failure). */
static char *dup_field(const struct pl__csv_field *f, bool *nomem)
{
    const char *p = f->p, *e = f->p + f->n;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    if (p == e)
        return NULL;
    char *s = pl__malloc((size_t)(e - p) + 1);
    if (!s) {
        *nomem = true;
        return NULL;
    }
    memcpy(s, p, (size_t)(e - p));
    s[e - p] = '\0';
    return s;
}

static void row_release(struct pl__strava_row *r)
{
    pl__free(r->filename);
    pl__free(r->name);
    pl__free(r->description);
}

static int on_strava_record(void *ctx, const struct pl__csv_field *f, size_t nf,
                            uint32_t line)
{
    struct strava_parse *sp = ctx;
    if (!sp->header_done) {
        sp->header_done = true;
        for (int c = 0; c < C_COUNT; c++) {
            sp->col[c] = -1;
            for (size_t i = 0; i < nf && sp->col[c] < 0; i++)
                if (strcasecmp(f[i].p, column_names[c]) == 0)
                    sp->col[c] = (long)i;
        }
        if (sp->col[C_FILE] < 0 && sp->col[C_DATE] < 0)
            return pl__diag_lc(sp->diag, PL_EFORMAT, line, 1,
                               "no 'Filename' or 'Activity Date' column: not Strava's "
                               "activities.csv");
        return 0;
    }
    struct pl__strava_row row = { .sport = -1, .start_s = INT64_MIN, .line = line };
    bool nomem = false;
    char *date = NULL, *type = NULL;
    const struct pl__csv_field *cell[C_COUNT];
    for (int c = 0; c < C_COUNT; c++)
        cell[c] = sp->col[c] >= 0 && (size_t)sp->col[c] < nf ? &f[sp->col[c]] : NULL;
    if (cell[C_FILE])
        row.filename = dup_field(cell[C_FILE], &nomem);
    if (cell[C_NAME])
        row.name = dup_field(cell[C_NAME], &nomem);
    if (cell[C_DESC])
        row.description = dup_field(cell[C_DESC], &nomem);
    if (cell[C_DATE])
        date = dup_field(cell[C_DATE], &nomem);
    if (cell[C_TYPE])
        type = dup_field(cell[C_TYPE], &nomem);
    if (date && !pl__strava_date(date, &row.start_s))
        row.start_s = INT64_MIN;
    if (type)
        row.sport = pl_sport_parse(type);
    pl__free(date);
    pl__free(type);
    struct pl__strava_csv *out = sp->out;
    if (!nomem && !row.filename && row.start_s == INT64_MIN) {
        row_release(&row);   /* nothing to match it with: a blank line */
        return 0;
    }
    if (!nomem && out->n == out->cap) {
        size_t ncap = out->cap ? out->cap * 2 : 256;
        struct pl__strava_row *nr = pl__realloc(out->rows, ncap * sizeof *nr);
        if (nr) {
            out->rows = nr;
            out->cap = ncap;
        } else {
            nomem = true;
        }
    }
    if (nomem) {
        row_release(&row);
        return pl__diag(sp->diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    }
    out->rows[out->n++] = row;
    return 0;
}

int pl__strava_csv_read(const char *buf, size_t n, struct pl__strava_csv *out,
                        struct pl_diag *diag)
{
    struct strava_parse sp = { .out = out, .diag = diag };
    memset(out, 0, sizeof *out);
    int rc = pl__csv_parse(buf, n, on_strava_record, &sp, diag);
    if (rc == 0 && !sp.header_done)
        rc = pl__diag_lc(diag, PL_EFORMAT, 1, 1, "empty: not Strava's activities.csv");
    return rc;
}

void pl__strava_csv_release(struct pl__strava_csv *c)
{
    for (size_t i = 0; i < c->n; i++)
        row_release(&c->rows[i]);
    pl__free(c->rows);
    memset(c, 0, sizeof *c);
}
