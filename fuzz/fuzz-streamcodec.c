/*
 * fuzz-streamcodec.c - libFuzzer target for the store's stream encoding
 * (lib/store/streamcodec.c).
 *
 * The first byte picks what the rest is:
 *  - even: a stored blob. It is decoded with its own sample count; when it
 *    decodes, the values are encoded again at the same step and decoded
 *    once more, and must come back bit for bit (a decoded value is on the
 *    grid, so a round trip may not move it);
 *  - odd: raw doubles (8 bytes each, this machine's order) and a step
 *    10^((byte >> 1) % 13 - 9), encoded and decoded: every value must come
 *    back within half a step, NaN and out-of-range values as NaN.
 * Any difference aborts; crashes and sanitizer reports are bugs too.
 *
 * The seeds in fuzz/corpus/streamcodec/ are made by this file: built with
 * -DSTREAMCODEC_SEEDS and without fuzz/replay-main.c it writes them into
 * the folder named on its command line:
 *
 *   cc -DSTREAMCODEC_SEEDS -Iinclude -iquote lib fuzz/fuzz-streamcodec.c \
 *      build/libpliant.a $(pkg-config --libs sqlite3 expat libarchive libdeflate \
 *      nettle libsodium) -lm -o seeds && ./seeds fuzz/corpus/streamcodec
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/streamcodec.h"

static bool same_bits(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void blob(const uint8_t *data, size_t size)
{
    size_t n;
    int e;
    struct pl_diag d;
    if (pl__stream_header(data, size, &n, &e, &d) != PL_OK)
        return;
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y)
        abort();
    if (pl__stream_decode(data, size, x, n, &d) == PL_OK) {
        uint8_t *p;
        size_t len;
        if (pl__stream_encode(x, n, e, &p, &len, &d) != PL_OK)
            abort();
        if (pl__stream_decode(p, len, y, n, &d) != PL_OK)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!same_bits(x[i], y[i]))
                abort();
        free(p);
    } else if (d.msg[0] == '\0') {
        abort();               /* an error must say what */
    }
    free(x);
    free(y);
}

static void values(int e, const uint8_t *data, size_t size)
{
    size_t n = size / sizeof(double);
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y)
        abort();
    memcpy(x, data, n * sizeof *x);
    uint8_t *p;
    size_t len;
    struct pl_diag d;
    if (pl__stream_encode(x, n, e, &p, &len, &d) != PL_OK)
        abort();
    if (pl__stream_decode(p, len, y, n, &d) != PL_OK)
        abort();
    double step = pow(10, e);
    for (size_t i = 0; i < n; i++) {
        bool absent = !(fabs(x[i] / step) <= (double)PL_STREAM_QUANTUM_MAX);
        if (absent ? !isnan(y[i]) : !(fabs(y[i] - x[i]) <= step / 2 + fabs(x[i]) * 4e-16))
            abort();
    }
    free(p);
    free(x);
    free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        values((data[0] >> 1) % 13 + PL_STREAM_EXP10_MIN, data + 1, size - 1);
    else
        blob(data + 1, size - 1);
    return 0;
}

#ifdef STREAMCODEC_SEEDS
/* Write one seed: mode byte, then the encoded stream (mode 0) or the raw
 * doubles (odd mode). */
static void seed(const char *dir, const char *name, const double *x, size_t n, int e, bool raw)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    if (raw) {
        fputc(((e - PL_STREAM_EXP10_MIN) << 1) | 1, f);
        fwrite(x, sizeof *x, n, f);
    } else {
        uint8_t *p;
        size_t len;
        struct pl_diag d;
        if (pl__stream_encode(x, n, e, &p, &len, &d) != PL_OK) {
            fprintf(stderr, "%s: %s\n", name, d.msg);
            exit(1);
        }
        fputc(0, f);
        fwrite(p, 1, len, f);
        free(p);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: seeds DIR\n", stderr);
        return 2;
    }
    const char *dir = argv[1];
    enum { N = 300 };
    static double t[N], hr[N], lat[N], alt[N], nan_all[N], mixed[N], big[N];
    for (int i = 0; i < N; i++) {
        t[i] = i + (i > 150 ? 30 : 0);                 /* a pause */
        hr[i] = i % 50 == 7 ? NAN : 140 + (i * 7919 % 11) - 5;
        lat[i] = 38.7223 + 1.7e-5 * i + 1e-6 * sin(i / 5.0);
        alt[i] = 120 + 0.2 * (i % 13);
        nan_all[i] = NAN;
        mixed[i] = i % 3 ? (double)(i * 31 % 17) : NAN;
        big[i] = i % 2 ? 1e14 : -1e14;
    }
    seed(dir, "empty", t, 0, -3, false);
    seed(dir, "one", t, 1, -3, false);
    seed(dir, "time-pause", t, N, -3, false);
    seed(dir, "hr-gaps", hr, N, 0, false);
    seed(dir, "lat-order2", lat, N, -7, false);
    seed(dir, "alt", alt, 70, -2, false);
    seed(dir, "all-absent", nan_all, 130, 0, false);
    seed(dir, "mixed-absent", mixed, N, 0, false);
    seed(dir, "wide", big, 65, 0, false);
    seed(dir, "raw-lat", lat, 40, -7, true);
    seed(dir, "raw-mixed", mixed, 40, -1, true);
    return 0;
}
#endif
