/*
 * test-fitwrite.c - the FIT encoder: header and CRCs by the FIT protocol's
 * rules, values that come back through the decoder equal after scaling,
 * workout files, range checks, caps, file output and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "pliant.h"

/* FIT profile 21.217: record (20) fields used here. */
enum { MSG_FILE_ID = 0, MSG_RECORD = 20, MSG_WORKOUT = 26, MSG_WORKOUT_STEP = 27 };

static const struct pl_fit_wfield file_id_fields[] = {
    { 0, PL_FIT_ENUM, 1, 1, 0 },       /* type */
    { 1, PL_FIT_UINT16, 2, 1, 0 },     /* manufacturer */
    { 4, PL_FIT_UINT32, 4, 1, 0 },     /* time_created */
};

static const struct pl_fit_wfield record_fields[] = {
    { 253, PL_FIT_UINT32, 4, 1, 0 },   /* timestamp */
    { 0, PL_FIT_SINT32, 4, 1, 0 },     /* position_lat, semicircles */
    { 1, PL_FIT_SINT32, 4, 1, 0 },     /* position_long */
    { 5, PL_FIT_UINT32, 4, 100, 0 },   /* distance, m */
    { 73, PL_FIT_UINT32, 4, 1000, 0 }, /* enhanced_speed, m/s */
    { 78, PL_FIT_UINT32, 4, 5, 500 },  /* enhanced_altitude, m */
    { 3, PL_FIT_UINT8, 1, 1, 0 },      /* heart_rate, bpm */
    { 4, PL_FIT_UINT8, 1, 1, 0 },      /* cadence */
};
enum { NREC = sizeof record_fields / sizeof record_fields[0] };

/* Values chosen to exercise scale, offset, sign and a negative altitude. */
static const double record_values[][NREC] = {
    { 1000000000, 461943055, -109089703, 0, 0, -12.4, 61, 0 },
    { 1000000001, 461943100, -109089600, 2.87, 2.871, 44.6, 120, 84 },
    { 1000000002, -2147483000, 2147483000, 123456.78, 12.345, 8848.8, 254, 90 },
};
enum { NVALUES = sizeof record_values / sizeof record_values[0] };

static void write_file_id(struct pl_fit_writer *w, int type)
{
    struct pl_fit_wvalue v[] = { { .num = type }, { .num = 255 }, { .num = 1000000000 } };
    assert_int_equal(pl_fit_writer_define(w, 0, MSG_FILE_ID, file_id_fields, 3, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_write(w, 0, v, NULL), PL_OK);
}

static void write_records(struct pl_fit_writer *w)
{
    assert_int_equal(pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL), PL_OK);
    for (int i = 0; i < NVALUES; i++) {
        struct pl_fit_wvalue v[NREC];
        memset(v, 0, sizeof v);
        for (int k = 0; k < NREC; k++)
            v[k].num = record_values[i][k];
        assert_int_equal(pl_fit_writer_write(w, 1, v, NULL), PL_OK);
    }
}

/* A small activity-like file in memory; the caller frees the writer. */
static struct pl_fit_writer *small_file(void)
{
    struct pl_fit_writer *w = pl_fit_writer_new(1 << 20);
    assert_non_null(w);
    write_file_id(w, 4);
    write_records(w);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    return w;
}

static uint32_t le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* FIT protocol, "File Header" and "CRC". */
static void header_and_crcs_follow_the_protocol(void **state)
{
    (void)state;
    struct pl_fit_writer *w = small_file();
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);
    assert_int_equal(n, pl_fit_writer_size(w));
    assert_int_equal(b[0], 14);
    assert_int_equal(b[1], 0x20);                /* protocol 2.0 */
    assert_int_equal(le(b + 2, 2), 21217);       /* profile 21.217 */
    assert_int_equal(le(b + 4, 4), n - 14 - 2);  /* data size */
    assert_memory_equal(b + 8, ".FIT", 4);
    assert_int_equal(le(b + 12, 2), pl_fit_crc16(0, b, 12));
    assert_int_equal(le(b + n - 2, 2), pl_fit_crc16(0, b, n - 2));
    /* A CRC run over data followed by its own CRC comes out as zero. */
    assert_int_equal(pl_fit_crc16(0, b, n), 0);
    assert_true(pl_fit_is_fit(b, n));
    pl_fit_writer_free(w);
}

static void an_empty_file_is_header_and_crc(void **state)
{
    (void)state;
    struct pl_fit_writer *w = pl_fit_writer_new(64);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);
    assert_int_equal(n, 16);
    assert_int_equal(le(b + 4, 4), 0);
    assert_int_equal(le(b + 14, 2), pl_fit_crc16(0, b, 14));
    pl_fit_writer_free(w);
}

/* Decoding: collect the messages of one global number. */
struct got {
    uint16_t global;
    int n;
    double nums[16][32];       /* by message, by slot of `want` */
    char strs[16][2][160];
    const uint16_t *want;      /* field numbers to pick up */
    int nwant;
    const char *const *want_names;  /* or names (sub-fields) */
    int warnings;
    bool crc_ok;
};

static int on_msg(void *ctx, const struct pl_fit_msg *m)
{
    struct got *g = ctx;
    if (m->global != g->global || g->n >= 16)
        return 0;
    for (int k = 0; k < g->nwant; k++) {
        g->nums[g->n][k] = NAN;
        for (uint32_t i = 0; i < m->nvalues; i++) {
            const struct pl_fit_value *v = &m->values[i];
            bool match = g->want_names ? v->field->name && strcmp(v->field->name, g->want_names[k]) == 0
                                       : v->field->num == g->want[k] &&
                                             !(v->field->flags & PL_FIT_F_SUBFIELD);
            if (!match)
                continue;
            if (v->kind == PL_FIT_K_STRING && k < 2) {
                size_t len = v->u.bytes.n < 159 ? v->u.bytes.n : 159;
                memcpy(g->strs[g->n][k], v->u.bytes.p, len);
                g->strs[g->n][k][len] = '\0';
            } else {
                g->nums[g->n][k] = pl_fit_value_num(v);
            }
        }
    }
    g->n++;
    return 0;
}

static int on_trailer(void *ctx, const struct pl_fit_trailer *t)
{
    ((struct got *)ctx)->crc_ok = t->crc_ok;
    return 0;
}

static void on_warning(void *ctx, const struct pl_diag *w)
{
    (void)w;
    ((struct got *)ctx)->warnings++;
}

static void decode(const uint8_t *b, size_t n, struct got *g)
{
    struct pl_fit_handler h = { g, NULL, on_msg, on_trailer, on_warning };
    struct pl_diag d;
    int rc = pl_fit_decode(b, n, &h, PL_FIT_STRICT, &d);
    if (rc != PL_OK)
        fail_msg("decode: %s", d.msg);
    assert_int_equal(g->warnings, 0);
    assert_true(g->crc_ok);
}

static void values_come_back_equal_after_scale(void **state)
{
    (void)state;
    struct pl_fit_writer *w = small_file();
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);
    uint16_t want[NREC];
    for (int k = 0; k < NREC; k++)
        want[k] = record_fields[k].num;
    struct got g = { .global = MSG_RECORD, .want = want, .nwant = NREC };
    decode(b, n, &g);
    assert_int_equal(g.n, NVALUES);
    for (int i = 0; i < NVALUES; i++)
        for (int k = 0; k < NREC; k++) {
            double unit = 1 / record_fields[k].scale;
            double got = g.nums[i][k];
            if (!(fabs(got - record_values[i][k]) <= unit / 2 + 1e-9))
                fail_msg("record %d field %u: wrote %.6f, read %.6f", i, record_fields[k].num,
                         record_values[i][k], got);
        }
    pl_fit_writer_free(w);
}

static void nan_writes_the_invalid_value(void **state)
{
    (void)state;
    struct pl_fit_writer *w = pl_fit_writer_new(4096);
    assert_int_equal(pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL), PL_OK);
    struct pl_fit_wvalue v[NREC];
    memset(v, 0, sizeof v);
    for (int k = 0; k < NREC; k++)
        v[k].num = NAN;
    v[0].num = 1000000000;
    assert_int_equal(pl_fit_writer_write(w, 1, v, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);
    /* header 14 + definition (6 + 3 * 8) + data: heart rate is 0xFF, the
     * signed latitude 0x7FFFFFFF. */
    const uint8_t *data = b + 14 + 6 + 3 * NREC + 1;
    assert_int_equal(le(data + 4, 4), 0x7FFFFFFF);
    assert_int_equal(data[4 * 6], 0xFF);
    uint16_t want[] = { 3, 0 };
    struct got g = { .global = MSG_RECORD, .want = want, .nwant = 2 };
    decode(b, n, &g);
    assert_true(isnan(g.nums[0][0]));    /* absent, not 255 */
    assert_true(isnan(g.nums[0][1]));
    pl_fit_writer_free(w);
}

static void out_of_range_values_are_refused_and_the_error_sticks(void **state)
{
    (void)state;
    struct pl_fit_writer *w = pl_fit_writer_new(4096);
    assert_int_equal(pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL), PL_OK);
    struct pl_fit_wvalue v[NREC];
    memset(v, 0, sizeof v);
    v[6].num = 255;          /* heart rate: 255 is uint8's invalid value */
    struct pl_diag d;
    assert_int_equal(pl_fit_writer_write(w, 1, v, &d), PL_EINVAL);
    assert_non_null(strstr(d.msg, "field 3 of message 20"));
    v[6].num = 60;
    assert_int_equal(pl_fit_writer_write(w, 1, v, NULL), PL_EINVAL);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_EINVAL);
    pl_fit_writer_free(w);

    w = pl_fit_writer_new(4096);
    assert_int_equal(pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL), PL_OK);
    v[5].num = -501;         /* altitude below the offset's floor */
    assert_int_equal(pl_fit_writer_write(w, 1, v, NULL), PL_EINVAL);
    pl_fit_writer_free(w);
}

static void misuse_is_an_invalid_argument(void **state)
{
    (void)state;
    struct pl_fit_writer *w = pl_fit_writer_new(4096);
    struct pl_fit_wvalue v[NREC];
    memset(v, 0, sizeof v);
    assert_int_equal(pl_fit_writer_write(w, 3, v, NULL), PL_EINVAL);   /* undefined */
    pl_fit_writer_free(w);
    w = pl_fit_writer_new(4096);
    assert_int_equal(pl_fit_writer_define(w, 16, 20, record_fields, 1, NULL), PL_EINVAL);
    pl_fit_writer_free(w);
    w = pl_fit_writer_new(4096);
    struct pl_fit_wfield odd = { 2, PL_FIT_UINT16, 3, 1, 0 };   /* 3 bytes of uint16 */
    assert_int_equal(pl_fit_writer_define(w, 0, 20, &odd, 1, NULL), PL_EINVAL);
    pl_fit_writer_free(w);
}

static void the_byte_cap_holds(void **state)
{
    (void)state;
    struct pl_fit_writer *w = pl_fit_writer_new(100);
    assert_int_equal(pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL), PL_OK);
    struct pl_fit_wvalue v[NREC];
    memset(v, 0, sizeof v);
    int rc = PL_OK, written = 0;
    while (rc == PL_OK && written < 100) {
        rc = pl_fit_writer_write(w, 1, v, NULL);
        written += rc == PL_OK;
    }
    assert_int_equal(rc, PL_ELIMIT);
    assert_true(pl_fit_writer_size(w) <= 100 - 2);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_ELIMIT);
    pl_fit_writer_free(w);
    /* Exactly enough room: 14 + 30 + 27 * 2 + 2 = 100 bytes. */
    w = pl_fit_writer_new(100);
    assert_int_equal(pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_write(w, 1, v, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_write(w, 1, v, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_size(w), 100);
    pl_fit_writer_free(w);
}

static char *temp_path(const char *name)
{
    const char *dir = getenv("TMPDIR");
    static char path[4096];
    snprintf(path, sizeof path, "%s/test-fitwrite-%ld-%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), name);
    return path;
}

static void a_file_writer_gives_the_same_bytes(void **state)
{
    (void)state;
    struct pl_fit_writer *mem = small_file();
    size_t n;
    const uint8_t *want = pl_fit_writer_bytes(mem, &n);
    const char *path = temp_path("same.fit");
    struct pl_fit_writer *w;
    assert_int_equal(pl_fit_writer_open(&w, path, 1 << 20, NULL), PL_OK);
    write_file_id(w, 4);
    write_records(w);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_size(w), n);
    pl_fit_writer_free(w);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t got[4096];
    size_t m = fread(got, 1, sizeof got, f);
    fclose(f);
    remove(path);
    assert_int_equal(m, n);
    assert_memory_equal(got, want, n);
    pl_fit_writer_free(mem);
}

static void an_unfinished_file_is_removed(void **state)
{
    (void)state;
    const char *path = temp_path("unfinished.fit");
    struct pl_fit_writer *w;
    assert_int_equal(pl_fit_writer_open(&w, path, 1 << 20, NULL), PL_OK);
    write_file_id(w, 4);
    assert_int_equal(access(path, F_OK), 0);
    pl_fit_writer_free(w);
    assert_int_not_equal(access(path, F_OK), 0);
    struct pl_diag d;
    assert_int_equal(pl_fit_writer_open(&w, "/nonexistent-dir/x.fit", 1 << 20, &d), PL_EIO);
    assert_null(w);
    assert_non_null(strstr(d.msg, "/nonexistent-dir/x.fit"));
}

static void strings_are_cut_at_a_character_boundary(void **state)
{
    (void)state;
    /* "é" is two bytes; a 6-byte field holds 5 bytes: "abcd" and not half
     * of the "é". */
    struct pl_fit_wfield f = { 8, PL_FIT_STRING, 6, 1, 0 };   /* workout wkt_name */
    struct pl_fit_writer *w = pl_fit_writer_new(4096);
    assert_int_equal(pl_fit_writer_define(w, 0, MSG_WORKOUT, &f, 1, NULL), PL_OK);
    struct pl_fit_wvalue v = { .str = "abcd\xC3\xA9" };
    assert_int_equal(pl_fit_writer_write(w, 0, &v, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);
    const uint8_t *data = b + 14 + 6 + 3 + 1;
    assert_memory_equal(data, "abcd\0\0", 6);
    pl_fit_writer_free(w);
}

static void workouts_round_trip(void **state)
{
    (void)state;
    static const struct pl_fit_workout_step steps[] = {
        { "Warm up", 600, PL_FIT_INTENSITY_WARMUP, "easy jog" },
        { "Hamstring bridge", 90, PL_FIT_INTENSITY_ACTIVE, "both legs, slow" },
        { "Rest", 30, PL_FIT_INTENSITY_REST, NULL },
    };
    struct pl_fit_workout wk = { "Recovery day", 1, 1767225600, 3, steps };
    struct pl_fit_writer *w = pl_fit_writer_new(1 << 16);
    assert_int_equal(pl_fit_writer_add_workout(w, &wk, NULL), PL_OK);
    assert_int_equal(pl_fit_writer_finish(w, NULL), PL_OK);
    size_t n;
    const uint8_t *b = pl_fit_writer_bytes(w, &n);

    uint16_t fid[] = { 0, 4 };
    struct got g = { .global = MSG_FILE_ID, .want = fid, .nwant = 2 };
    decode(b, n, &g);
    assert_int_equal(g.n, 1);
    assert_true(g.nums[0][0] == 5);     /* file type workout */
    assert_true(g.nums[0][1] == 1767225600.0 - PL_FIT_EPOCH_S);

    uint16_t wkt[] = { 8, 6, 4 };   /* wkt_name, num_valid_steps, sport */
    struct got gw = { .global = MSG_WORKOUT, .want = wkt, .nwant = 3 };
    decode(b, n, &gw);
    assert_int_equal(gw.n, 1);
    assert_string_equal(gw.strs[0][0], "Recovery day");
    assert_true(gw.nums[0][1] == 3);
    assert_true(gw.nums[0][2] == 1);

    static const char *const names[] = { "wkt_step_name", "notes", "duration_time",
                                         "duration_type", "intensity", "message_index" };
    struct got gs = { .global = MSG_WORKOUT_STEP, .want_names = names, .nwant = 6 };
    decode(b, n, &gs);
    assert_int_equal(gs.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(gs.strs[i][0], steps[i].name);
        assert_string_equal(gs.strs[i][1], steps[i].notes ? steps[i].notes : "");
        assert_true(gs.nums[i][2] == steps[i].duration_s);     /* seconds, scale 1000 undone */
        assert_true(gs.nums[i][3] == 0);                       /* time */
        assert_true(gs.nums[i][4] == steps[i].intensity);
        assert_true(gs.nums[i][5] == i);
    }
    pl_fit_writer_free(w);
}

static void bad_workouts_are_refused(void **state)
{
    (void)state;
    struct pl_fit_workout_step step = { "x", 0, PL_FIT_INTENSITY_ACTIVE, NULL };
    struct pl_fit_workout wk = { "w", 1, 1767225600, 1, &step };
    struct pl_fit_writer *w = pl_fit_writer_new(1 << 16);
    assert_int_equal(pl_fit_writer_add_workout(w, &wk, NULL), PL_EINVAL);
    pl_fit_writer_free(w);
    wk.nsteps = 0;
    step.duration_s = 10;
    w = pl_fit_writer_new(1 << 16);
    assert_int_equal(pl_fit_writer_add_workout(w, &wk, NULL), PL_EINVAL);
    pl_fit_writer_free(w);
}

static void every_allocation_failure_is_reported_without_leaks(void **state)
{
    (void)state;
    bool succeeded = false;
    long fail_at = 1;
    for (; !succeeded && fail_at < 100; fail_at++) {
        th_alloc_fail_at(fail_at);
        /* small start so the buffer must grow */
        struct pl_fit_writer *w = pl_fit_writer_new(1 << 20);
        int rc = w ? PL_OK : PL_ENOMEM;
        for (int i = 0; rc == PL_OK && i < 200; i++) {
            struct pl_fit_wvalue v[NREC];
            memset(v, 0, sizeof v);
            if (i == 0)
                rc = pl_fit_writer_define(w, 1, MSG_RECORD, record_fields, NREC, NULL);
            if (rc == PL_OK)
                rc = pl_fit_writer_write(w, 1, v, NULL);
        }
        if (w && rc == PL_OK)
            rc = pl_fit_writer_finish(w, NULL);
        th_alloc_restore();
        assert_true(rc == PL_OK || rc == PL_ENOMEM);
        succeeded = rc == PL_OK;
        pl_fit_writer_free(w);
    }
    assert_true(succeeded);
    assert_true(fail_at > 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_and_crcs_follow_the_protocol),
        cmocka_unit_test(an_empty_file_is_header_and_crc),
        cmocka_unit_test(values_come_back_equal_after_scale),
        cmocka_unit_test(nan_writes_the_invalid_value),
        cmocka_unit_test(out_of_range_values_are_refused_and_the_error_sticks),
        cmocka_unit_test(misuse_is_an_invalid_argument),
        cmocka_unit_test(the_byte_cap_holds),
        cmocka_unit_test(a_file_writer_gives_the_same_bytes),
        cmocka_unit_test(an_unfinished_file_is_removed),
        cmocka_unit_test(strings_are_cut_at_a_character_boundary),
        cmocka_unit_test(workouts_round_trip),
        cmocka_unit_test(bad_workouts_are_refused),
        cmocka_unit_test(every_allocation_failure_is_reported_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
