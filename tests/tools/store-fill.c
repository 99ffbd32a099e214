/*
 * store-fill.c - fill a store from activity files with the library alone,
 * for the CLI tests of the commands that read the store (t040x) and for
 * the bytes-per-sample figure of docs/internals/store.md; it does not
 * depend on `pliant import`.
 *
 *   store-fill DB FILE...
 *
 * Reads each file with pl_read_activities (FIT, GPX, TCX), stores every
 * activity with the file's SHA-256 and path, and prints one line per
 * activity: "new|replaced|twin|same-file ID FILE". Files that hold no
 * activity are recorded as skipped. Exit status 0 when every file was
 * read and stored, 1 otherwise.
 *
 * A test tool, built by the tests that use it against $BUILD/libpliant.a;
 * it uses only include/pliant.h (and libsodium for the hash).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

struct ctx {
    struct pl_store *s;
    const char *file;
    uint8_t sha[32];
    int failed;
};

static const char *result_name(int r)
{
    switch (r) {
    case PL_ADD_NEW: return "new";
    case PL_ADD_REPLACED: return "replaced";
    case PL_ADD_TWIN: return "twin";
    case PL_ADD_SAME_FILE: return "same-file";
    }
    return "?";
}

static int on_activity(void *p, struct pl_activity *a)
{
    struct ctx *c = p;
    memcpy(a->source_sha256, c->sha, 32);
    snprintf(a->source_path, sizeof a->source_path, "%s", c->file);
    int result;
    int64_t id;
    struct pl_diag d;
    if (pl_store_add(c->s, a, &result, &id, &d) != PL_OK) {
        fprintf(stderr, "store-fill: %s: %s\n", c->file, d.msg);
        c->failed = 1;
        return 1;
    }
    printf("%s %lld %s\n", result_name(result), (long long)id, c->file);
    return 0;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, len = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        unsigned char *nb = realloc(buf, cap *= 2);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = len;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: store-fill DB FILE...\n", stderr);
        return 2;
    }
    if (sodium_init() < 0)
        return 2;
    struct ctx c = { 0 };
    struct pl_diag d;
    if (pl_store_open(&c.s, argv[1], &d) != PL_OK) {
        fprintf(stderr, "store-fill: %s\n", d.msg);
        return 1;
    }
    int status = 0;
    for (int i = 2; i < argc; i++) {
        size_t n;
        unsigned char *buf = slurp(argv[i], &n);
        if (!buf) {
            fprintf(stderr, "store-fill: cannot read '%s'\n", argv[i]);
            status = 1;
            continue;
        }
        c.file = argv[i];
        c.failed = 0;
        crypto_hash_sha256(c.sha, buf, n);
        struct pl_reader_handler h = { .ctx = &c, .on_activity = on_activity };
        int rc = pl_read_activities(buf, n, &h, 0, &d);
        free(buf);
        if (rc == PL_ESKIPPED) {
            if (pl_store_add_skipped(c.s, c.sha, argv[i], d.msg, &d) != PL_OK) {
                fprintf(stderr, "store-fill: %s\n", d.msg);
                status = 1;
            }
            printf("skipped 0 %s\n", argv[i]);
        } else if (rc != PL_OK) {
            if (!c.failed)
                fprintf(stderr, "store-fill: %s: %s\n", argv[i], d.msg);
            status = 1;
        }
    }
    pl_store_close(c.s);
    return status;
}
