/*
 * cmd-inspect.c - `pliant inspect FILE.fit`: every message of a FIT file,
 * as text, as JSON (--json), or as counts and time (--stats).
 *
 * The file is streamed through the decoder in fixed-size pieces, so memory
 * does not grow with the file.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"


static const char usage[] =
    "usage: pliant inspect [--json | --stats] [--strict] [--raw] FILE.fit\n"
    "\n"
    "Decode a FIT file and show every message with its fields, in the units\n"
    "of the FIT profile (scale and offset applied; positions stay in\n"
    "semicircles). Chained FIT files are decoded segment by segment.\n"
    "\n"
    "  --json     one JSON document: {\"file\", \"header\", \"segments\", \"crc_ok\",\n"
    "             \"warnings\", \"error\", \"messages\": [{\"name\", \"global\",\n"
    "             \"local_type\", \"offset\", \"fields\": {...},\n"
    "             \"developer_fields\": {...}}]}. Field names are the profile's\n"
    "             snake_case names, \"unknown_<n>\" when not in the profile;\n"
    "             timestamps are ISO-8601 UTC; enums are their profile names;\n"
    "             invalid (absent) values are left out.\n"
    "  --stats    decode every field exactly as --json does, but print only\n"
    "             the number of messages of each type, the bytes and the time\n"
    "             taken (used by the benchmarks)\n"
    "  --strict   a wrong CRC, bytes after the FIT data or a header data\n"
    "             size of 0 is an error instead of a warning\n"
    "  --raw      numbers as stored: no scale, offset, components or\n"
    "             sub-fields\n"
    "\n"
    "A damaged file is decoded as far as its bytes allow: everything before\n"
    "the damage is shown, then the error with its byte offset.\n"
    "\n"
    "Exit status: 0 decoded cleanly (warnings allowed), 1 decoded with an\n"
    "error (e.g. the file is cut short), 3 nothing could be decoded.\n"
    "\n"
    "Examples:\n"
    "  pliant inspect run.fit | less\n"
    "  pliant inspect --json run.fit | jq '.messages[] | select(.name==\"session\")'\n"
    "  pliant inspect --stats big.fit\n";

const struct cmd cmd_inspect_def = { "inspect", cmd_inspect, "decode a FIT file and show its messages", usage };

enum mode { M_TEXT, M_JSON, M_STATS };

struct ctx {
    enum mode mode;
    FILE *out;
    unsigned long nmsgs;
    bool first_msg;
    /* warnings, kept for the JSON document's "warnings" array */
    struct pl_diag *warn;
    size_t nwarn, warncap;
    /* segments */
    struct pl_fit_header hdr[16];
    struct pl_fit_trailer trl[16];
    unsigned nseg, ntrl;
    bool crc_ok;
    /* --stats: counts per global message number */
    unsigned long *counts;  /* 65536 entries */
};

/* Shortest decimal that reads back as the same double. */
static void put_num(FILE *f, double x)
{
    if (isnan(x) || isinf(x)) {
        fputs("null", f);
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15) {
        fprintf(f, "%.0f", x);
        return;
    }
    char buf[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    fputs(buf, f);
}

static void put_time(FILE *f, double fit_s, bool json)
{
    if (!(fit_s >= 0 && fit_s <= 4294967295.0)) { /* not a FIT date_time */
        put_num(f, fit_s);
        return;
    }
    time_t t = (time_t)fit_s + PL_FIT_EPOCH_S;
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (json)
        fprintf(f, "\"%s\"", buf);
    else
        fputs(buf, f);
}

static bool is64(unsigned base)
{
    return base == PL_FIT_SINT64 || base == PL_FIT_UINT64 || base == PL_FIT_UINT64Z;
}

/* One element of a numeric value. */
static void put_elem(FILE *f, const struct pl_fit_value *v, double x, bool json, bool single)
{
    const struct pl_fit_field *fd = v->field;
    if (isnan(x)) {
        fputs(json ? "null" : "-", f);
        return;
    }
    if (fd->show == PL_FIT_SHOW_DATE_TIME) {
        put_time(f, x, json);
        return;
    }
    if (fd->show == PL_FIT_SHOW_ENUM) {
        const char *name = x >= 0 && x <= UINT32_MAX ? pl_fit_enum_name(fd->type, (uint32_t)x) : NULL;
        if (name) {
            if (json)
                json_cstr(f, name);
            else
                fputs(name, f);
            return;
        }
    }
    if (single && is64(v->base) && (double)v->raw64 == x) {
        fprintf(f, "%llu", (unsigned long long)v->raw64);
        return;
    }
    if (single && v->base == PL_FIT_SINT64 && (double)(int64_t)v->raw64 == x) {
        fprintf(f, "%lld", (long long)(int64_t)v->raw64);
        return;
    }
    put_num(f, x);
}

static void put_value(FILE *f, const struct pl_fit_value *v, bool json)
{
    if (v->kind == PL_FIT_K_STRING) {
        const char *p = (const char *)v->u.bytes.p;
        size_t n = v->u.bytes.n;
        const char *nul = memchr(p, 0, n);
        if (!nul) {
            if (json)
                json_str(f, p, n);
            else
                fwrite(p, 1, n, f);
            return;
        }
        /* Several strings: an array of them. */
        fputc('[', f);
        for (const char *s = p; s <= p + n;) {
            const char *e = memchr(s, 0, (size_t)(p + n - s));
            size_t len = e ? (size_t)(e - s) : (size_t)(p + n - s);
            if (s != p)
                fputc(',', f);
            if (json)
                json_str(f, s, len);
            else
                fwrite(s, 1, len, f);
            s += len + 1;
        }
        fputc(']', f);
        return;
    }
    if (v->kind == PL_FIT_K_BYTES) {
        fputc('[', f);
        for (uint32_t i = 0; i < v->u.bytes.n; i++)
            fprintf(f, i ? ",%u" : "%u", v->u.bytes.p[i]);
        fputc(']', f);
        return;
    }
    bool array = v->count > 1 || (v->field->flags & PL_FIT_F_ARRAY);
    if (!array) {
        put_elem(f, v, v->u.num, json, true);
        return;
    }
    fputc('[', f);
    for (unsigned i = 0; i < v->count; i++) {
        if (i)
            fputc(',', f);
        put_elem(f, v, v->count == 1 ? v->u.num : v->u.nums[i], json, v->count == 1);
    }
    fputc(']', f);
}

static void field_key(char *buf, size_t n, const struct pl_fit_field *fd)
{
    if (fd->name)
        snprintf(buf, n, "%s", fd->name);
    else if (fd->flags & PL_FIT_F_DEV)
        snprintf(buf, n, "dev_%u_%u", fd->dev_index, fd->num);
    else
        snprintf(buf, n, "unknown_%u", fd->num);
}

/* The JSON key of a value. Developer fields are keyed by their name; when
 * two developers use the same name in one message (two SmO2 sensors), each
 * becomes "<name>@<developer_data_index>". */
static void value_key(char *buf, size_t n, const struct pl_fit_msg *m, uint32_t i)
{
    const struct pl_fit_field *fd = m->values[i].field;
    field_key(buf, n, fd);
    if (!(fd->flags & PL_FIT_F_DEV) || !fd->name)
        return;
    for (uint32_t k = 0; k < m->nvalues; k++) {
        const struct pl_fit_field *o = m->values[k].field;
        if (k != i && (o->flags & PL_FIT_F_DEV) && o->name && o->dev_index != fd->dev_index &&
            strcmp(o->name, fd->name) == 0) {
            snprintf(buf, n, "%s@%u", fd->name, fd->dev_index);
            return;
        }
    }
}

static void put_fields(FILE *f, const struct pl_fit_msg *m, bool dev)
{
    /* Keys once per message (a message has at most PL_FIT_VALUES_MAX
     * values, 2048). */
    static char keys[2048][80];
    uint32_t n = m->nvalues < 2048 ? m->nvalues : 2048;
    for (uint32_t i = 0; i < n; i++)
        value_key(keys[i], sizeof keys[i], m, i);
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        const struct pl_fit_value *v = &m->values[i];
        if (!!(v->field->flags & PL_FIT_F_DEV) != dev)
            continue;
        /* A key given twice (a hostile file, or a sub-field named like a
         * field): the last value wins, as for fields the decoder merges. */
        bool later = false;
        for (uint32_t k = i + 1; k < n && !later; k++)
            later = !!(m->values[k].field->flags & PL_FIT_F_DEV) == dev && strcmp(keys[k], keys[i]) == 0;
        if (later)
            continue;
        if (!first)
            fputc(',', f);
        first = false;
        json_cstr(f, keys[i]);
        fputc(':', f);
        put_value(f, v, true);
    }
}

static bool has_dev(const struct pl_fit_msg *m)
{
    for (uint32_t i = 0; i < m->nvalues; i++)
        if (m->values[i].field->flags & PL_FIT_F_DEV)
            return true;
    return false;
}

static int on_msg(void *vctx, const struct pl_fit_msg *m)
{
    struct ctx *c = vctx;
    c->nmsgs++;
    if (c->mode == M_STATS) {
        c->counts[m->global]++;
        return 0;
    }
    FILE *f = c->out;
    if (c->mode == M_JSON) {
        fputs(c->first_msg ? "\n  {\"name\":" : ",\n  {\"name\":", f);
        c->first_msg = false;
        if (m->name)
            fprintf(f, "\"%s\"", m->name);
        else
            fprintf(f, "\"unknown_%u\"", m->global);
        fprintf(f, ",\"global\":%u,\"local_type\":%u,\"offset\":%llu", m->global, m->local,
                (unsigned long long)m->offset);
        if (m->segment)
            fprintf(f, ",\"segment\":%u", m->segment);
        fputs(",\"fields\":{", f);
        put_fields(f, m, false);
        fputc('}', f);
        if (has_dev(m)) {
            fputs(",\"developer_fields\":{", f);
            put_fields(f, m, true);
            fputc('}', f);
        }
        fputc('}', f);
        return 0;
    }
    if (m->name)
        fprintf(f, "%s", m->name);
    else
        fprintf(f, "unknown_%u", m->global);
    fprintf(f, " @%llu (local %u)\n", (unsigned long long)m->offset, m->local);
    for (uint32_t i = 0; i < m->nvalues; i++) {
        const struct pl_fit_value *v = &m->values[i];
        char key[80];
        value_key(key, sizeof key, m, i);
        fprintf(f, "    %-28s ", key);
        put_value(f, v, false);
        if (v->field->units && v->field->units[0] && v->kind == PL_FIT_K_NUMBER &&
            v->field->show == PL_FIT_SHOW_NUMBER)
            fprintf(f, " %s", v->field->units);
        fputc('\n', f);
    }
    return 0;
}

/* The header's profile version is major * 100 + minor up to 21.99, and
 * major * 1000 + minor from 22.00 on, i.e. any value above 2199 (the
 * official SDK reads it so: PROFILE_VERSION_SCALE_CHANGE_VALUE). */
static unsigned profile_scale(unsigned v)
{
    return v > 2199 ? 1000 : 100;
}

static int on_header(void *vctx, const struct pl_fit_header *h)
{
    struct ctx *c = vctx;
    if (c->nseg < 16)
        c->hdr[c->nseg] = *h;
    c->nseg++;
    if (!h->crc_ok)
        c->crc_ok = false;
    if (c->mode == M_TEXT)
        fprintf(c->out, "FIT file header @%llu: %u bytes, protocol %u.%u, profile %u.%0*u, data %u bytes%s\n",
                (unsigned long long)h->offset, h->size, h->protocol >> 4, h->protocol & 15,
                h->profile / profile_scale(h->profile), profile_scale(h->profile) == 1000 ? 3 : 2,
                h->profile % profile_scale(h->profile), h->data_size,
                h->crc ? (h->crc_ok ? ", header CRC ok" : ", header CRC WRONG") : "");
    return 0;
}

static int on_trailer(void *vctx, const struct pl_fit_trailer *t)
{
    struct ctx *c = vctx;
    if (c->ntrl < 16)
        c->trl[c->ntrl] = *t;
    c->ntrl++;
    if (!t->crc_ok)
        c->crc_ok = false;
    if (c->mode == M_TEXT)
        fprintf(c->out, "file CRC 0x%04x: %s\n", t->crc_file, t->crc_ok ? "ok" : "WRONG");
    return 0;
}

static void on_warning(void *vctx, const struct pl_diag *w)
{
    struct ctx *c = vctx;
    if (w->code == PL_ECRC)
        c->crc_ok = false;
    if (c->nwarn == c->warncap) {
        size_t cap = c->warncap ? c->warncap * 2 : 8;
        struct pl_diag *nw = realloc(c->warn, cap * sizeof *nw);
        if (!nw)
            return;
        c->warn = nw;
        c->warncap = cap;
    }
    c->warn[c->nwarn++] = *w;
}

static void put_header_json(FILE *f, const struct pl_fit_header *h)
{
    fprintf(f, "{\"offset\":%llu,\"size\":%u,\"protocol_version\":\"%u.%u\",\"profile_version\":%u,"
               "\"data_size\":%u,\"crc\":%u,\"crc_ok\":%s}",
            (unsigned long long)h->offset, h->size, h->protocol >> 4, h->protocol & 15, h->profile,
            h->data_size, h->crc, h->crc_ok ? "true" : "false");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_inspect(int argc, char **argv)
{
    struct ctx c = { .mode = M_TEXT, .out = stdout, .first_msg = true, .crc_ok = true };
    unsigned options = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            c.mode = M_JSON;
        else if (strcmp(a, "--stats") == 0)
            c.mode = M_STATS;
        else if (strcmp(a, "--strict") == 0)
            options |= PL_FIT_STRICT;
        else if (strcmp(a, "--raw") == 0)
            options |= PL_FIT_RAW;
        else if (strcmp(a, "--") == 0 && i + 1 < argc && !path)
            path = argv[++i];
        else if (a[0] == '-' && a[1])
            die_usage(&cmd_inspect_def, "unknown option '%s'", a);
        else if (!path)
            path = a;
        else
            die_usage(&cmd_inspect_def, "one file at a time ('%s' and '%s')", path, a);
    }
    if (!path)
        die_usage(&cmd_inspect_def, "which FIT file?");

    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        error_msg("cannot open '%s': %s", path, strerror(errno));
        return EXIT_NOTHING;
    }
    if (c.mode == M_STATS) {
        c.counts = calloc(65536, sizeof *c.counts);
        if (!c.counts) {
            error_msg("out of memory");
            return EXIT_NOTHING;
        }
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    struct pl_fit_handler h = {
        .ctx = &c, .on_header = on_header, .on_msg = on_msg, .on_trailer = on_trailer,
        .on_warning = on_warning,
    };
    struct pl_fit_decoder *d = pl_fit_decoder_new(&h, options);
    if (!d) {
        error_msg("out of memory");
        return EXIT_NOTHING;
    }
    if (c.mode == M_JSON) {
        fputs("{\"file\":", stdout);
        json_cstr(stdout, path);
        fputs(",\"messages\":[", stdout);
    }
    struct pl_diag diag;
    pl_diag_clear(&diag);
    int rc = 0;
    uint64_t bytes = 0;
    double t0 = now_s();
    /* 256 KiB pieces: large enough that the carry path is rare, small
     * enough that memory stays flat for any file size. */
    static unsigned char chunk[1 << 18];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, in);
        if (n == 0) {
            if (ferror(in)) {
                rc = PL_EIO;
                snprintf(diag.msg, sizeof diag.msg, "read error after byte %llu: %s",
                         (unsigned long long)bytes, strerror(errno));
                diag.code = rc;
                diag.offset = bytes;
            }
            break;
        }
        bytes += n;
        rc = pl_fit_decoder_feed(d, chunk, n, &diag);
        if (rc)
            break;
    }
    if (!rc)
        rc = pl_fit_decoder_finish(d, &diag);
    double t1 = now_s();
    pl_fit_decoder_free(d);
    if (in != stdin)
        fclose(in);

    if (c.mode == M_JSON) {
        fputs("\n],\"header\":", stdout);
        if (c.nseg)
            put_header_json(stdout, &c.hdr[0]);
        else
            fputs("null", stdout);
        fputs(",\"segments\":[", stdout);
        for (unsigned i = 0; i < c.nseg && i < 16; i++) {
            if (i)
                fputc(',', stdout);
            fputs("{\"header\":", stdout);
            put_header_json(stdout, &c.hdr[i]);
            if (i < c.ntrl && i < 16)
                fprintf(stdout, ",\"crc\":%u,\"crc_computed\":%u,\"crc_ok\":%s}", c.trl[i].crc_file,
                        c.trl[i].crc_computed, c.trl[i].crc_ok ? "true" : "false");
            else
                fputs(",\"crc\":null,\"crc_ok\":false}", stdout);
        }
        fprintf(stdout, "],\"crc_ok\":%s,\"warnings\":[",
                c.crc_ok && c.ntrl == c.nseg && c.nseg ? "true" : "false");
        for (size_t i = 0; i < c.nwarn; i++) {
            fputs(i ? ",{\"message\":" : "{\"message\":", stdout);
            json_cstr(stdout, c.warn[i].msg);
            if (c.warn[i].offset != UINT64_MAX)
                fprintf(stdout, ",\"offset\":%llu", (unsigned long long)c.warn[i].offset);
            fputc('}', stdout);
        }
        fputs("],\"error\":", stdout);
        if (rc) {
            fprintf(stdout, "{\"code\":\"%s\",\"message\":", pl_err_name(rc));
            json_cstr(stdout, diag.msg);
            if (diag.offset != UINT64_MAX)
                fprintf(stdout, ",\"offset\":%llu", (unsigned long long)diag.offset);
            fputc('}', stdout);
        } else {
            fputs("null", stdout);
        }
        fputs("}\n", stdout);
    } else if (c.mode == M_STATS) {
        for (unsigned g = 0; g < 65536; g++)
            if (c.counts[g]) {
                const char *name = pl_fit_msg_name((uint16_t)g);
                if (name)
                    printf("%-28s %lu\n", name, c.counts[g]);
                else
                    printf("unknown_%-20u %lu\n", g, c.counts[g]);
            }
        double secs = t1 - t0;
        printf("messages %lu, bytes %llu, seconds %.6f, MB/s %.1f\n", c.nmsgs,
               (unsigned long long)bytes, secs, secs > 0 ? bytes / secs / 1e6 : 0.0);
    }
    fflush(stdout);
    if (c.mode != M_JSON) {
        for (size_t i = 0; i < c.nwarn; i++) {
            if (c.warn[i].offset != UINT64_MAX)
                warning_msg("%s: %s (byte %llu)", path, c.warn[i].msg, (unsigned long long)c.warn[i].offset);
            else
                warning_msg("%s: %s", path, c.warn[i].msg);
        }
    }
    free(c.warn);
    free(c.counts);
    if (rc) {
        error_msg("'%s': %s", path, diag.msg);
        return c.nmsgs ? EXIT_PARTIAL : EXIT_NOTHING;
    }
    return 0;
}
