/*
 * test-streamcodec.c - the compact stream encoding of the store: lossless
 * at its step, absent samples kept, both residual orders, and a decoder
 * that refuses every damaged blob with an error rather than a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/streamcodec.h"

static uint64_t rng = 88172645463325252u;
static uint64_t next(void)
{
    /* xorshift64 (Marsaglia 2003): reproducible noise for the tests. */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

/* Encode, decode, and check every sample within half a step (exactly for
 * values on the grid); NaN stays NaN. Returns the blob size. */
static size_t round_trip(const double *x, size_t n, int exp10)
{
    uint8_t *p;
    size_t len;
    struct pl_diag d;
    int rc = pl__stream_encode(x, n, exp10, &p, &len, &d);
    if (rc)
        fail_msg("encode: %s", d.msg);
    size_t hn;
    int he;
    assert_int_equal(pl__stream_header(p, len, &hn, &he, &d), PL_OK);
    assert_int_equal(hn, n);
    assert_int_equal(he, exp10);
    double *y = malloc((n ? n : 1) * sizeof *y);
    assert_non_null(y);
    rc = pl__stream_decode(p, len, y, n, &d);
    if (rc)
        fail_msg("decode: %s", d.msg);
    double step = pow(10, exp10);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || fabs(x[i] / step) > (double)PL_STREAM_QUANTUM_MAX) {
            if (!isnan(y[i]))
                fail_msg("sample %zu: %g came back as %g, not absent", i, x[i], y[i]);
            continue;
        }
        /* Half a step, plus the rounding of a double near x. */
        if (!(fabs(y[i] - x[i]) <= step / 2 + fabs(x[i]) * 4e-16))
            fail_msg("sample %zu: %.17g came back as %.17g (step %g)", i, x[i], y[i], step);
    }
    free(y);
    free(p);
    return len;
}

static void values_on_the_grid_come_back_exactly(void **state)
{
    (void)state;
    double x[] = { 51.5074123, -0.1278456, 0, -0.0000001, 89.9999999, -180, 180, 51.5074123 };
    uint8_t *p;
    size_t len;
    struct pl_diag d;
    assert_int_equal(pl__stream_encode(x, 8, -7, &p, &len, &d), PL_OK);
    double y[8];
    assert_int_equal(pl__stream_decode(p, len, y, 8, &d), PL_OK);
    for (int i = 0; i < 8; i++)
        assert_true(y[i] == x[i]);   /* decimal values: bit for bit */
    free(p);
}

static void absent_samples_survive_anywhere(void **state)
{
    (void)state;
    double x[40];
    for (int i = 0; i < 40; i++)
        x[i] = i % 7 == 0 || (i > 20 && i < 30) ? NAN : 140 + i % 3;
    round_trip(x, 40, 0);
    /* All absent, first absent, last absent, one sample. */
    double all[5] = { NAN, NAN, NAN, NAN, NAN };
    round_trip(all, 5, 0);
    double edge[4] = { NAN, 1, 2, NAN };
    round_trip(edge, 4, 0);
    double one = 7;
    round_trip(&one, 1, -3);
    round_trip(NULL, 0, -3);
}

static void infinities_and_huge_values_are_stored_as_absent(void **state)
{
    (void)state;
    double x[] = { 1, INFINITY, -INFINITY, 1e300, -1e17, 2, 3 };
    round_trip(x, 7, -2);
}

static void a_regular_time_axis_costs_almost_nothing(void **state)
{
    (void)state;
    enum { N = 3600 };
    static double t[N];
    for (int i = 0; i < N; i++)
        t[i] = i;
    size_t len = round_trip(t, N, -3);
    /* Order 2 residuals are all 0: the header and a byte per block. */
    assert_true(len < 16 + N / 64);
}

static void a_random_walk_costs_about_a_byte_a_sample(void **state)
{
    (void)state;
    enum { N = 10000 };
    static double lat[N], hr[N];
    double v = 0, pos = 51.5, h = 140;
    for (int i = 0; i < N; i++) {
        v += (uniform() - 0.5) * 2e-6;
        pos += v;
        lat[i] = pos;
        h += floor(uniform() * 3) - 1;
        hr[i] = h;
    }
    size_t lat_len = round_trip(lat, N, -7);
    size_t hr_len = round_trip(hr, N, 0);
    /* Order 2 follows a smooth track in about a byte; HR steps of one
     * beat take 2 bits. */
    assert_true(lat_len < N + N / 4);
    assert_true(hr_len < N / 3);
}

static void every_step_and_random_streams_round_trip(void **state)
{
    (void)state;
    enum { N = 500 };
    static double x[N];
    for (int e = PL_STREAM_EXP10_MIN; e <= PL_STREAM_EXP10_MAX; e++) {
        for (int trial = 0; trial < 20; trial++) {
            double scale = pow(10, (double)(next() % 16)) * pow(10, e);
            for (int i = 0; i < N; i++) {
                uint64_t r = next() % 16;
                x[i] = r == 0 ? NAN : r == 1 && i ? x[i - 1] : (uniform() - 0.5) * scale;
            }
            round_trip(x, N, e);
        }
    }
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    double x = 1;
    uint8_t *p = (uint8_t *)&x;
    size_t len = 99;
    struct pl_diag d;
    assert_int_equal(pl__stream_encode(&x, 1, PL_STREAM_EXP10_MIN - 1, &p, &len, &d), PL_EINVAL);
    assert_null(p);
    assert_int_equal(len, 0);
    assert_int_equal(pl__stream_encode(&x, 1, PL_STREAM_EXP10_MAX + 1, &p, &len, &d), PL_EINVAL);
    assert_int_equal(pl__stream_encode(&x, (size_t)PL_ACT_SAMPLES_MAX + 1, 0, &p, &len, &d),
                     PL_EINVAL);
}

/* Decode a hand-written blob of n samples; returns the result. */
static int decode(const uint8_t *p, size_t len, size_t n, struct pl_diag *d)
{
    double y[16];
    assert_true(n <= 16);
    return pl__stream_decode(p, len, y, n, d);
}

static void damaged_blobs_are_errors_that_say_where(void **state)
{
    (void)state;
    struct pl_diag d;
    /* Version 1, order 1, step 1, 3 samples, seeds 4 and 0; one block 2
     * bits wide holding residuals +1 +1 +1 (zigzag 2 2 2): 5, 6, 7. */
    const uint8_t good[] = { 1, 1, 0, 3, 8, 0, 0x02, 0x2A };
    double y[3];
    assert_int_equal(pl__stream_decode(good, sizeof good, y, 3, &d), PL_OK);
    assert_true(y[0] == 5 && y[1] == 6 && y[2] == 7);

    assert_int_equal(decode(good, 2, 3, &d), PL_ETRUNCATED);
    assert_int_equal(decode(good, sizeof good - 1, 3, &d), PL_ETRUNCATED);
    assert_int_equal(decode(good, 6, 3, &d), PL_ETRUNCATED);           /* no block */
    assert_int_equal(decode(good, sizeof good, 2, &d), PL_EFORMAT);   /* count differs */
    assert_non_null(strstr(d.msg, "expected"));

    const uint8_t version[] = { 2, 1, 0, 0, 0, 0 };
    assert_int_equal(decode(version, sizeof version, 0, &d), PL_EFORMAT);
    const uint8_t order[] = { 1, 3, 0, 0, 0, 0 };
    assert_int_equal(decode(order, sizeof order, 0, &d), PL_EFORMAT);
    const uint8_t step[] = { 1, 1, 0x80, 0, 0, 0 };
    assert_int_equal(decode(step, sizeof step, 0, &d), PL_EFORMAT);

    const uint8_t trailing[] = { 1, 1, 0, 1, 10, 0, 0x00, 0x00 };
    assert_int_equal(decode(trailing, sizeof trailing - 1, 1, &d), PL_OK);
    assert_int_equal(decode(trailing, sizeof trailing, 1, &d), PL_EFORMAT);
    assert_int_equal(d.offset, 7);
    /* A presence bitmap that marks a sample past the block's end. */
    const uint8_t past[] = { 1, 1, 0, 2, 0, 0, 0x80, 0x07 };
    assert_int_equal(decode(past, sizeof past, 2, &d), PL_EFORMAT);
    assert_int_equal(d.offset, 7);
    const uint8_t wide[] = { 1, 1, 0, 1, 0, 0, 65 };
    assert_int_equal(decode(wide, sizeof wide, 1, &d), PL_EFORMAT);
    assert_int_equal(d.offset, 6);
    const uint8_t long_varint[] = { 1, 1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0 };
    assert_int_equal(decode(long_varint, sizeof long_varint, 1, &d), PL_EFORMAT);
    /* A residual that leaves the allowed range. */
    const uint8_t big[] = { 1, 1, 0, 1, 0, 0, 64, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(decode(big, sizeof big, 1, &d), PL_EFORMAT);
    /* Seeds that step out of range at order 2: 2^50 + 2^50. */
    const uint8_t seeds[] = { 1, 2, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x04,
                              0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x04, 0x00 };
    assert_int_equal(decode(seeds, sizeof seeds, 1, &d), PL_EFORMAT);
    /* A count above the limit. */
    const uint8_t many[] = { 1, 1, 0, 0xff, 0xff, 0xff, 0x7f };
    size_t n;
    int e;
    assert_int_equal(pl__stream_header(many, sizeof many, &n, &e, &d), PL_ELIMIT);
}

/* Every truncation and every single-byte change of a real blob decodes or
 * fails cleanly (the sanitizers watch the rest). */
static void every_truncation_and_byte_flip_is_handled(void **state)
{
    (void)state;
    double x[64];
    for (int i = 0; i < 64; i++)
        x[i] = i % 9 == 4 ? NAN : 100 + (i % 5) * 0.25;
    uint8_t *p;
    size_t len;
    struct pl_diag d;
    assert_int_equal(pl__stream_encode(x, 64, -2, &p, &len, &d), PL_OK);
    double y[64];
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(pl__stream_decode(p, cut, y, 64, &d), PL_OK);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            p[i] ^= (uint8_t)(1u << bit);
            (void)pl__stream_decode(p, len, y, 64, &d);
            p[i] ^= (uint8_t)(1u << bit);
        }
    }
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_on_the_grid_come_back_exactly),
        cmocka_unit_test(absent_samples_survive_anywhere),
        cmocka_unit_test(infinities_and_huge_values_are_stored_as_absent),
        cmocka_unit_test(a_regular_time_axis_costs_almost_nothing),
        cmocka_unit_test(a_random_walk_costs_about_a_byte_a_sample),
        cmocka_unit_test(every_step_and_random_streams_round_trip),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(damaged_blobs_are_errors_that_say_where),
        cmocka_unit_test(every_truncation_and_byte_flip_is_handled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
