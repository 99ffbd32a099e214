/*
 * replay-main.c - a plain main() for the libFuzzer targets.
 *
 * Linked with one fuzz/fuzz-<target>.c (which defines
 * LLVMFuzzerTestOneInput), it feeds every file named on the command line,
 * or found under a named directory, to the target once, in a sorted order,
 * and prints "ok <file>" after each. This is how `make check` replays the
 * committed corpus (fuzz/corpus/<target>/) under ASan+UBSan without clang
 * or libFuzzer: a crash there is a crash here.
 *
 * It is not a fuzzer: it never mutates, and it does not catch crashes; the
 * sanitizers report them and the process dies, so the last "ok" line tells
 * which input was next. Each input is copied into a heap block of exactly
 * its size so that a read one byte past the end is caught. Files and
 * directories whose name starts with '.' (e.g. .gitkeep) are skipped.
 *
 * Exit status: 0 when every input ran, 1 when some could not be read,
 * 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The libFuzzer interface (https://llvm.org/docs/LibFuzzer.html, "Fuzz
 * Target"). LLVMFuzzerInitialize is optional, hence weak: its address is
 * NULL when the target does not define it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An input larger than this is not a fuzz input; refuse it rather than
 * exhaust memory on a stray file. libFuzzer runs use -max_len 65536. */
#define REPLAY_FILE_MAX (64u << 20)
/* Directory depth limit, against symlink loops. */
#define REPLAY_DEPTH_MAX 16

struct list {
    char **v;
    size_t n, cap;
};

static void oom(void)
{
    fputs("replay: out of memory\n", stderr);
    exit(1);
}

static void list_push(struct list *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            oom();
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
}

static char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        oom();
    memcpy(p, dir, a);
    size_t at = a;
    if (a == 0 || dir[a - 1] != '/')
        p[at++] = '/';
    memcpy(p + at, name, b + 1);
    return p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the regular files under path (or path itself) to out. Returns the
 * number of paths that could not be read. */
static int collect(const char *path, int depth, struct list *out)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot stat '%s': %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        size_t n = strlen(path) + 1;
        char *copy = malloc(n);
        if (!copy)
            oom();
        list_push(out, memcpy(copy, path, n));
        return 0;
    }
    if (depth >= REPLAY_DEPTH_MAX) {
        fprintf(stderr, "replay: '%s': directories nested too deep\n", path);
        return 1;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        return 1;
    }
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = path_join(path, e->d_name);
        bad += collect(sub, depth + 1, out);
        free(sub);
    }
    closedir(d);
    return bad;
}

/* Run the target on one file; 0 on success, 1 when it cannot be read. */
static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        return 1;
    }
    int rc = 1;
    uint8_t *buf = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: cannot size '%s': %s\n", path, strerror(errno));
        goto out;
    }
    if ((unsigned long)len > REPLAY_FILE_MAX) {
        fprintf(stderr, "replay: '%s': %ld bytes is more than the %u allowed\n",
                path, len, REPLAY_FILE_MAX);
        goto out;
    }
    size_t n = (size_t)len;
    /* Exactly n bytes (malloc(0) gives a valid block with no usable byte
     * under ASan), so any overread is reported. */
    buf = malloc(n);
    if (!buf && n > 0)
        oom();
    if (n > 0 && fread(buf, 1, n, f) != n) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        goto out;
    }
    fclose(f);
    f = NULL;
    LLVMFuzzerTestOneInput(buf, n);
    printf("ok %s\n", path);
    fflush(stdout);
    rc = 0;
out:
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n"
                        "Runs the fuzz target once on each file (directories recursively).\n",
                argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);

    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct list files = {0};
        bad += collect(argv[i], 0, &files);
        if (files.n > 0)
            qsort(files.v, files.n, sizeof files.v[0], cmp_str);
        for (size_t j = 0; j < files.n; j++) {
            bad += replay(files.v[j]);
            free(files.v[j]);
        }
        free(files.v);
    }
    return bad ? 1 : 0;
}
