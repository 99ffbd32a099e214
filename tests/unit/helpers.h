/*
 * helpers.h - what the unit tests share: a temporary folder per test
 * program, a fresh store in it, an allocator that fails the N-th call,
 * reading a whole file, and the shared corpus of real files.
 *
 * Include it after cmocka.h. Every function is static (a test program is
 * one file), and unused ones cost nothing.
 *
 *   cmocka_run_group_tests(tests, th_dir_make, th_dir_remove)
 *   th_path("x.db")           a path in the folder (8 rotating buffers)
 *   th_store_new()            a new, empty store in the folder
 *   th_alloc_fail_at(n)       every allocation of libpliant through hooks
 *                             that fail the n-th call from now (0: none);
 *   th_alloc_calls()          allocations seen since, th_alloc_restore()
 *   th_read_file(path, &n)    the file's bytes, NUL-terminated (malloc)
 *   th_corpus(rel)            a file of ../shared/corpus, or skip()
 */
#ifndef PL_TEST_HELPERS_H
#define PL_TEST_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pliant.h"

#define TH_UNUSED __attribute__((unused))

/* ---- a temporary folder per test program ---- */

static char th_dir[512];
static int th_seq;

/* Group setup: $TMPDIR/<program>.XXXXXX. */
static TH_UNUSED int th_dir_make(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(th_dir, sizeof th_dir, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp",
             program_invocation_short_name);
    return mkdtemp(th_dir) ? 0 : -1;
}

/* Group teardown: the folder and everything in it. */
static TH_UNUSED int th_dir_remove(void **state)
{
    (void)state;
    if (!th_dir[0])
        return 0;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", th_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A path in the folder; the result lives until eight more calls. */
static TH_UNUSED const char *th_path(const char *name)
{
    static char buf[8][768];
    static unsigned next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", th_dir, name);
    return p;
}

/* A new store in the folder, each call its own file. */
static TH_UNUSED struct pl_store *th_store_new(void)
{
    char name[32];
    snprintf(name, sizeof name, "s%d.db", th_seq++);
    struct pl_store *s = NULL;
    struct pl_diag d;
    pl_diag_clear(&d);
    if (pl_store_open(&s, th_path(name), &d) != PL_OK)
        fail_msg("cannot make a store in %s: %s", th_dir, d.msg);
    return s;
}

/* ---- an allocator that fails the N-th call (the sqlite way) ---- */

static long th_fail_at_n, th_calls_n;

static void *th_fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ++th_calls_n == th_fail_at_n ? NULL : malloc(n);
}

static void *th_fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ++th_calls_n == th_fail_at_n ? NULL : realloc(p, n);
}

static void th_std_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static TH_UNUSED void th_alloc_fail_at(long n)
{
    static const struct pl_allocator a = { th_fail_malloc, th_fail_realloc, th_std_free, NULL };
    th_fail_at_n = n;
    th_calls_n = 0;
    pl_set_allocator(&a);
}

static TH_UNUSED long th_alloc_calls(void)
{
    return th_calls_n;
}

static TH_UNUSED void th_alloc_restore(void)
{
    pl_set_allocator(NULL);
}

/* ---- files ---- */

/* The whole file, NUL-terminated (malloc'd; free it), or NULL with errno. */
static TH_UNUSED char *th_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    if (n)
        *n = len;
    return buf;
}

/* A file of the shared corpus of real files (PLIANT_CORPUS, else
 * ../shared/corpus beside the repository), or skip() saying it is not
 * there. The result lives until eight more calls. */
static TH_UNUSED const char *th_corpus(const char *rel)
{
    static char buf[8][1024];
    static unsigned next;
    char *p = buf[next++ % 8];
    const char *root = getenv("PLIANT_CORPUS");
    snprintf(p, sizeof buf[0], "%s/%s", root && *root ? root : "../shared/corpus", rel);
    struct stat st;
    if (stat(p, &st) != 0) {
        print_message("skip: the shared corpus has no %s\n", p);
        skip();
    }
    return p;
}

#endif
