/*
 * xml-speed.c - GPX and TCX reading speed of pliant's readers against
 * expat's own raw parse of the same bytes, the limit for any reader built
 * on expat.
 *
 *   xml-speed REPS FILE...
 *
 * All files are read into memory first. Then, REPS times each and keeping
 * the best: expat parses every file with no handlers at all (what
 * XML_Parse costs by itself), and pliant's pl_read_activities reads every
 * file into activities (expat plus the GPX/TCX reader plus the summaries).
 * Prints one line:
 *   files N bytes B points P expat_s X pliant_s Y
 * Built and run by bench/import.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pliant.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int on_activity(void *ctx, struct pl_activity *a)
{
    *(unsigned long *)ctx += a->n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: xml-speed REPS FILE...\n");
        return 2;
    }
    int reps = atoi(argv[1]);
    int n = argc - 2;
    char **buf = calloc((size_t)n, sizeof *buf);
    size_t *len = calloc((size_t)n, sizeof *len);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(argv[i + 2], "rb");
        if (!f || fseek(f, 0, SEEK_END) != 0) {
            perror(argv[i + 2]);
            return 1;
        }
        len[i] = (size_t)ftell(f);
        rewind(f);
        buf[i] = malloc(len[i] ? len[i] : 1);
        if (fread(buf[i], 1, len[i], f) != len[i]) {
            perror(argv[i + 2]);
            return 1;
        }
        fclose(f);
        total += len[i];
    }
    double best_expat = 1e30, best_pliant = 1e30;
    unsigned long points = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < n; i++) {
            XML_Parser p = XML_ParserCreate(NULL);
            XML_Parse(p, buf[i], (int)len[i], 1);
            XML_ParserFree(p);
        }
        double t1 = now();
        points = 0;
        struct pl_reader_handler h = { &points, on_activity, NULL };
        for (int i = 0; i < n; i++) {
            struct pl_diag d;
            pl_read_activities(buf[i], len[i], &h, 0, &d);
        }
        double t2 = now();
        if (t1 - t0 < best_expat)
            best_expat = t1 - t0;
        if (t2 - t1 < best_pliant)
            best_pliant = t2 - t1;
    }
    printf("files %d bytes %zu points %lu expat_s %.6f pliant_s %.6f\n", n, total, points,
           best_expat, best_pliant);
    for (int i = 0; i < n; i++)
        free(buf[i]);
    free(buf);
    free(len);
    return 0;
}
