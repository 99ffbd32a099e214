/*
 * stravaexport.c - a simulated history packed the way Strava's bulk export
 * is: a zip holding activities/<id>.fit.gz and activities.csv.
 *
 * What it is for: `make demo`, `make bench` and the import tests need an
 * export to import without a Strava account, on a fresh machine that may
 * have no zip or gzip tool. libarchive writes both the gzip members and
 * the zip, in memory one activity at a time.
 *
 * What it is not: a complete copy of Strava's export (which has ~90
 * columns in activities.csv and many other files); it writes the columns
 * the importer reads and a few more, as Strava names them: Activity ID,
 * Activity Date ("Jan 5, 2026, 7:12:00 AM", UTC), Activity Name, Activity
 * Type, Activity Description, Elapsed Time (s), Distance (km), Filename.
 * The same options give the same bytes: every time stamp in the zip comes
 * from the history, none from the clock.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/internal.h"

/* Strava activity ids are ten or more digits; these are made up. */
#define ID_BASE 12000000000LL

/* A growable byte buffer for the csv and the gzip members. */
struct gbuf {
    uint8_t *p;
    size_t n, cap;
    bool nomem;
};

static void gb_add(struct gbuf *b, const void *p, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *np = pl__realloc(b->p, cap);
        if (!np) {
            b->nomem = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void gb_printf(struct gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gb_printf(struct gbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        gb_add(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* A CSV field, quoted when it must be (RFC 4180, 2.6 and 2.7). */
static void gb_field(struct gbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        gb_add(b, s, strlen(s));
        return;
    }
    gb_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            gb_add(b, "\"\"", 2);
        else
            gb_add(b, s, 1);
    }
    gb_add(b, "\"", 1);
}

static la_ssize_t gb_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
    struct gbuf *b = ctx;
    gb_add(b, buf, n);
    if (b->nomem) {
        archive_set_error(a, ENOMEM, "out of memory");
        return -1;
    }
    return (la_ssize_t)n;
}

/* gzip (RFC 1952) of p into out, with no name and no time in its header,
 * so that the bytes depend on p alone. */
static int gzip_mem(const uint8_t *p, size_t n, struct gbuf *out, struct pl_diag *d)
{
    out->n = 0;
    struct archive *a = archive_write_new();
    if (!a)
        return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory");
    int rc = PL_OK;
    struct archive_entry *e = archive_entry_new();
    if (!e ||
        archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_set_filter_option(a, "gzip", "timestamp", NULL) < ARCHIVE_WARN ||
        archive_write_set_format_raw(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open2(a, out, NULL, gb_write, NULL, NULL) != ARCHIVE_OK) {
        rc = pl__diag(d, out->nomem ? PL_ENOMEM : PL_EIO, UINT64_MAX, "gzip: %s",
                      archive_error_string(a) ? archive_error_string(a) : "cannot start");
        goto out;
    }
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)n);
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        archive_write_data(a, p, n) != (la_ssize_t)n || archive_write_close(a) != ARCHIVE_OK)
        rc = pl__diag(d, out->nomem ? PL_ENOMEM : PL_EIO, UINT64_MAX, "gzip: %s",
                      archive_error_string(a) ? archive_error_string(a) : "cannot write");
out:
    if (e)
        archive_entry_free(e);
    archive_write_free(a);
    return rc;
}

/* "Morning Run" and its kin, as Strava names an activity by its local
 * start time when the runner does not. */
static const char *default_name(int64_t local_s)
{
    int64_t sec = local_s % 86400;
    if (sec < 0)
        sec += 86400;
    int h = (int)(sec / 3600);
    return h < 5 ? "Night Run" : h < 12 ? "Morning Run" : h < 14 ? "Lunch Run"
         : h < 18 ? "Afternoon Run" : h < 21 ? "Evening Run" : "Night Run";
}

/* Strava's date form, in UTC, spelled out by hand: strftime's %b follows
 * the locale. */
static void strava_date(int64_t t, char *buf, size_t n)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int64_t days = t / 86400, sec = t % 86400;
    if (sec < 0) {
        sec += 86400;
        days--;
    }
    /* civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date
     * Algorithms"). */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = (int64_t)yoe + era * 400 + (mm <= 2);
    int h = (int)(sec / 3600), mi = (int)(sec / 60 % 60), s = (int)(sec % 60);
    snprintf(buf, n, "%s %u, %lld, %d:%02d:%02d %s", mon[mm - 1], dd, (long long)y,
             h % 12 ? h % 12 : 12, mi, s, h < 12 ? "AM" : "PM");
}

static const char *description(const struct pl_sim *s, size_t i, char *buf, size_t n)
{
    const struct pl_sim_activity *a = pl_sim_activity(s, i);
    switch (a->kind) {
    case PL_SIM_INTERVALS: return "Track session with the club.";
    case PL_SIM_TEMPO: return "Tempo, comfortably hard.";
    case PL_SIM_LONG: return "Long run, easy pace.";
    case PL_SIM_RACE:
        /* Quotes, a comma and a line break: RFC 4180 quoting, exercised. */
        return "Race day: \"goal race\",\nnegative split.";
    default:
        if (a->away) {
            snprintf(buf, n, "Shake-out run in %s.", a->place);
            return buf;
        }
        return "";
    }
}

static const char *activity_name(const struct pl_sim *s, size_t i)
{
    for (size_t r = 0; r < pl_sim_race_count(s); r++)
        if (pl_sim_race(s, r)->activity == i)
            return pl_sim_race(s, r)->name;
    const struct pl_sim_activity *a = pl_sim_activity(s, i);
    return default_name(a->start_s + a->utc_offset_s);
}

static int add_entry(struct archive *zip, const char *name, const void *p, size_t n,
                     int64_t mtime_s, bool store, struct pl_diag *d)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return pl__diag(d, PL_ENOMEM, UINT64_MAX, "out of memory");
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)n);
    archive_entry_set_mtime(e, (time_t)mtime_s, 0);
    int rc = PL_OK;
    if ((store ? archive_write_zip_set_compression_store(zip)
               : archive_write_zip_set_compression_deflate(zip)) != ARCHIVE_OK ||
        archive_write_header(zip, e) != ARCHIVE_OK ||
        (n && archive_write_data(zip, p, n) != (la_ssize_t)n))
        rc = pl__diag(d, PL_EIO, UINT64_MAX, "cannot write '%s': %s", name,
                      archive_error_string(zip) ? archive_error_string(zip) : "write error");
    archive_entry_free(e);
    return rc;
}

int pl_sim_write_strava_zip(struct pl_sim *s, const char *path, struct pl_diag *diag)
{
    struct gbuf csv = { 0 }, gz = { 0 };
    struct pl_fit_writer *w = NULL;
    char *tmp = NULL;
    int rc = PL_OK;
    struct archive *zip = archive_write_new();
    size_t tmp_n = strlen(path) + sizeof ".tmp";
    tmp = pl__malloc(tmp_n);
    if (!zip || !tmp) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
        goto out;
    }
    snprintf(tmp, tmp_n, "%s.tmp", path);
    if (archive_write_set_format_zip(zip) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(zip, 1) != ARCHIVE_OK ||
        archive_write_open_filename(zip, tmp) != ARCHIVE_OK) {
        rc = pl__diag(diag, PL_EIO, UINT64_MAX, "cannot write '%s': %s", tmp,
                      archive_error_string(zip) ? archive_error_string(zip) : "cannot open");
        goto out;
    }
    gb_printf(&csv, "Activity ID,Activity Date,Activity Name,Activity Type,"
                    "Activity Description,Elapsed Time,Distance,Filename\r\n");
    for (size_t i = 0; i < pl_sim_count(s) && rc == PL_OK; i++) {
        if (!(w = pl_fit_writer_new(PL_IMPORT_FILE_BYTES_MAX))) {
            rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
            break;
        }
        if ((rc = pl_sim_render(s, i, w, diag)) || (rc = pl_fit_writer_finish(w, diag)))
            break;
        size_t n;
        const uint8_t *fit = pl_fit_writer_bytes(w, &n);
        if ((rc = gzip_mem(fit, n, &gz, diag)))
            break;
        pl_fit_writer_free(w);
        w = NULL;
        const struct pl_sim_activity *a = pl_sim_activity(s, i);
        long long id = ID_BASE + (long long)i;
        char name[64], date[64], dbuf[128];
        snprintf(name, sizeof name, "activities/%lld.fit.gz", id);
        if ((rc = add_entry(zip, name, gz.p, gz.n, a->start_s, true, diag)))
            break;
        strava_date(a->start_s, date, sizeof date);
        gb_printf(&csv, "%lld,", id);
        gb_field(&csv, date);
        gb_add(&csv, ",", 1);
        gb_field(&csv, activity_name(s, i));
        gb_add(&csv, ",Run,", 5);
        gb_field(&csv, description(s, i, dbuf, sizeof dbuf));
        gb_printf(&csv, ",%.0f,%.2f,%s\r\n", round(a->elapsed_s), a->dist_m / 1000, name);
    }
    if (rc == PL_OK && (csv.nomem || gz.nomem))
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
    /* The csv last, as a reminder that the importer must not need it
     * first; its time stamp is the last activity's. */
    size_t nact = pl_sim_count(s);
    int64_t last = nact ? pl_sim_activity(s, nact - 1)->start_s : 0;
    if (rc == PL_OK)
        rc = add_entry(zip, "activities.csv", csv.p, csv.n, last, false, diag);
    if (rc == PL_OK && archive_write_close(zip) != ARCHIVE_OK)
        rc = pl__diag(diag, PL_EIO, UINT64_MAX, "cannot write '%s': %s", tmp,
                      archive_error_string(zip) ? archive_error_string(zip) : "close failed");
    if (rc == PL_OK && rename(tmp, path) != 0)
        rc = pl__diag(diag, PL_EIO, UINT64_MAX, "cannot rename '%s' to '%s': %s", tmp, path,
                      strerror(errno));
out:
    pl_fit_writer_free(w);
    if (zip)
        archive_write_free(zip);
    if (rc && tmp)
        unlink(tmp);
    pl__free(tmp);
    pl__free(csv.p);
    pl__free(gz.p);
    return rc;
}
