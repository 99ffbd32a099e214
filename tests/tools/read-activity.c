/*
 * read-activity.c - print what pliant's activity readers make of files, as
 * JSON, for the agreement tests (tests/cli/t0300-readers-agree.sh).
 *
 *   read-activity [--strict] FILE...
 *
 * One JSON object per line and file:
 *   {"file": ..., "rc": "PL_OK", "error": "...", "line": L, "col": C,
 *    "offset": B, "warnings": N, "activities": [{...}, ...]}
 * and per activity its summary (sport, start, utc_offset_s, duration_s,
 * moving_s, dist_m, ascent_m, descent_m, hr_avg, hr_max, cadence_avg,
 * power_avg, device, name, laps), its sample count n, the samples with a
 * position (n_pos, first_pos_s, last_pos_s, and path_m: their great-circle
 * length computed here, independently of the library), the first and
 * last sample times (first_s, last_s, UTC), and the streams present.
 *
 * A test tool, built by the test that uses it against build/libpliant.a;
 * it uses only include/pliant.h. Exit status 0 when every file was read
 * (an error or a skip is reported in its JSON, not in the status), 2 on a
 * usage error or an unreadable file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

struct out {
    int n;
    unsigned warnings;
};

static void num(const char *key, double v)
{
    if (isnan(v))
        printf(",\"%s\":null", key);
    else
        printf(",\"%s\":%.6f", key, v);
}

static void str(const char *key, const char *s)
{
    printf(",\"%s\":\"", key);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Haversine over the positioned samples, R = 6371008.8 m. */
static double path_m(const struct pl_activity *a, size_t *npos, double *first, double *last)
{
    double total = 0, plat = NAN, plon = NAN;
    *npos = 0;
    *first = *last = NAN;
    if (!a->lat_deg || !a->lon_deg)
        return NAN;
    for (size_t i = 0; i < a->n; i++) {
        double lat = a->lat_deg[i], lon = a->lon_deg[i];
        if (isnan(lat) || isnan(lon))
            continue;
        if (!isnan(plat)) {
            double r = M_PI / 180, dl = (lat - plat) * r / 2, dn = (lon - plon) * r / 2;
            double h = sin(dl) * sin(dl) + cos(lat * r) * cos(plat * r) * sin(dn) * sin(dn);
            total += 2 * 6371008.8 * asin(sqrt(h > 1 ? 1 : h));
        }
        plat = lat;
        plon = lon;
        if (*npos == 0)
            *first = (double)a->start_s + a->t_s[i];
        *last = (double)a->start_s + a->t_s[i];
        (*npos)++;
    }
    return total;
}

static int on_activity(void *ctx, struct pl_activity *a)
{
    struct out *o = ctx;
    printf("%s{\"sport\":\"%s\",\"sport_num\":%u,\"sub_sport\":%u,\"start_s\":%lld,\"utc_offset_s\":%d,"
           "\"utc_offset_known\":%s",
           o->n++ ? "," : "", pl_sport_name(a->sport), a->sport, a->sub_sport,
           (long long)a->start_s, a->utc_offset_s, a->utc_offset_known ? "true" : "false");
    num("duration_s", a->duration_s);
    num("moving_s", a->moving_s);
    num("dist_m", a->dist_m);
    num("ascent_m", a->ascent_m);
    num("descent_m", a->descent_m);
    num("hr_avg", a->hr_avg_bpm);
    num("hr_max", a->hr_max_bpm);
    num("cadence_avg", a->cadence_avg_spm);
    num("power_avg", a->power_avg_w);
    num("training_effect", a->training_effect);
    str("device", a->device);
    str("name", a->name);
    printf(",\"laps\":%zu,\"n\":%zu", a->nlaps, a->n);
    if (a->n > 0) {
        num("first_s", (double)a->start_s + a->t_s[0]);
        num("last_s", (double)a->start_s + a->t_s[a->n - 1]);
    }
    size_t npos;
    double first, last, p = path_m(a, &npos, &first, &last);
    printf(",\"n_pos\":%zu", npos);
    num("first_pos_s", first);
    num("last_pos_s", last);
    num("path_m", p);
    printf(",\"streams\":[");
    const char *names[] = { "hr", "speed", "dist", "alt", "lat", "lon", "cadence", "power", "temp" };
    const double *s[] = { a->hr_bpm, a->speed_mps, a->dist_m_s, a->alt_m, a->lat_deg,
                          a->lon_deg, a->cadence_spm, a->power_w, a->temp_c };
    int k = 0;
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i])
            printf("%s\"%s\"", k++ ? "," : "", names[i]);
    printf("]}");
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    (void)w;
    struct out *o = ctx;
    o->warnings++;
}

int main(int argc, char **argv)
{
    unsigned opts = 0;
    int i = 1;
    if (i < argc && strcmp(argv[i], "--strict") == 0) {
        opts = PL_FIT_STRICT;
        i++;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: read-activity [--strict] FILE...\n");
        return 2;
    }
    int status = 0;
    for (; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            status = 2;
            continue;
        }
        struct out o = { 0, 0 };
        struct pl_reader_handler h = { &o, on_activity, on_warning };
        struct pl_reader *r = pl_reader_new(&h, opts);
        struct pl_diag d;
        pl_diag_clear(&d);
        printf("{\"activities\":[");
        char buf[65536];
        size_t n;
        int rc = r ? 0 : PL_ENOMEM;
        while (!rc && (n = fread(buf, 1, sizeof buf, f)) > 0)
            rc = pl_reader_feed(r, buf, n, &d);
        if (!rc)
            rc = pl_reader_finish(r, &d);
        pl_reader_free(r);
        fclose(f);
        printf("]");
        str("file", argv[i]);
        str("rc", pl_err_name(rc));
        str("error", rc ? d.msg : "");
        printf(",\"line\":%u,\"col\":%u,\"offset\":%lld,\"warnings\":%u}\n", d.line, d.col,
               d.offset == UINT64_MAX ? -1LL : (long long)d.offset, o.warnings);
    }
    return status;
}
