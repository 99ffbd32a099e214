/*
 * load-stats.c - the load model's passes, timed inside one process, for
 * bench/load.sh. Uses only pliant.h.
 *
 *   load-stats DB update        pl_metrics_update: what it computed from
 *                               streams and what it rescored, with times
 *   load-stats DB force         pl_metrics_update(force): rescore every
 *                               activity from its stored histograms
 *   load-stats DB series [N]    pl_load_compute N times (default 1): the
 *                               model, series and detection, best time
 *   load-stats DB set K=V...    pl_profile_set (a profile change)
 *
 * Prints one line of JSON. Times are wall seconds of the call alone
 * (CLOCK_MONOTONIC) and CPU seconds of the process (CLOCK_PROCESS_CPUTIME_ID)
 * over the call.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pliant.h"

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: load-stats DB update|force|series [N]|set KEY=VALUE...\n");
        return 2;
    }
    struct pl_store *s;
    struct pl_diag d;
    if (pl_store_open(&s, argv[1], &d)) {
        fprintf(stderr, "load-stats: %s\n", d.msg);
        return 3;
    }
    int rc = 0;
    if (strcmp(argv[2], "update") == 0 || strcmp(argv[2], "force") == 0) {
        struct pl_metrics_stats st;
        double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        rc = pl_metrics_update(s, strcmp(argv[2], "force") == 0, &st, &d);
        double w1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (rc == 0)
            printf("{\"activities\": %llu, \"computed\": %llu, \"samples\": %llu, "
                   "\"rescored\": %llu, \"streams_s\": %.6f, \"rescore_s\": %.6f, "
                   "\"wall_s\": %.6f, \"cpu_s\": %.6f, \"stored\": %s}\n",
                   (unsigned long long)st.activities, (unsigned long long)st.computed,
                   (unsigned long long)st.samples, (unsigned long long)st.rescored, st.streams_s,
                   st.rescore_s, w1 - w0, c1 - c0, st.stored ? "true" : "false");
    } else if (strcmp(argv[2], "series") == 0) {
        int n = argc > 3 ? atoi(argv[3]) : 1;
        double best = 1e9, best_cpu = 1e9;
        size_t days = 0;
        for (int i = 0; i < n && rc == 0; i++) {
            struct pl_load l;
            double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            rc = pl_load_compute(s, NULL, INT32_MIN, &l, &d);
            double w1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            if (rc == 0) {
                days = l.ndays;
                pl_load_release(&l);
            }
            best = w1 - w0 < best ? w1 - w0 : best;
            best_cpu = c1 - c0 < best_cpu ? c1 - c0 : best_cpu;
        }
        if (rc == 0)
            printf("{\"days\": %zu, \"wall_s\": %.6f, \"cpu_s\": %.6f}\n", days, best, best_cpu);
    } else if (strcmp(argv[2], "set") == 0) {
        rc = pl_profile_set(s, (const char *const *)argv + 3, (size_t)(argc - 3), &d);
    } else {
        fprintf(stderr, "load-stats: unknown mode '%s'\n", argv[2]);
        rc = 2;
    }
    if (rc && rc != 2)
        fprintf(stderr, "load-stats: %s\n", d.msg);
    pl_store_close(s);
    return rc ? 1 : 0;
}
