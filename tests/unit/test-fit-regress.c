/*
 * test-fit-regress.c - inputs the fuzzer found, rebuilt by hand so that
 * each stays a test after the fuzz corpus changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pliant.h"

/* A 14-byte header, data, and both CRCs. */
static size_t wrap(uint8_t *out, const uint8_t *data, size_t n)
{
    uint8_t h[14] = { 14, 0x20, 0x54, 0x08, 0, 0, 0, 0, '.', 'F', 'I', 'T', 0, 0 };
    h[4] = (uint8_t)n;
    h[5] = (uint8_t)(n >> 8);
    uint16_t hc = pl_fit_crc16(0, h, 12);
    h[12] = (uint8_t)hc;
    h[13] = (uint8_t)(hc >> 8);
    memcpy(out, h, 14);
    memcpy(out + 14, data, n);
    uint16_t c = pl_fit_crc16(0, out, 14 + n);
    out[14 + n] = (uint8_t)c;
    out[15 + n] = (uint8_t)(c >> 8);
    return n + 16;
}

static unsigned long nmsgs;
static int count(void *ctx, const struct pl_fit_msg *m)
{
    (void)ctx;
    (void)m;
    nmsgs++;
    return 0;
}

/* field_description (206) whose field_definition_number (field 1) is
 * declared as a uint16 holding 513, and whose base type id (field 2) is
 * 0xFFFE: the values must be range-checked before they become one-byte
 * keys of the developer tables. The fuzzer found this as a UBSan report
 * (513 is outside the range of unsigned char). */
static void test_field_description_with_out_of_range_index_is_ignored(void **state)
{
    (void)state;
    const uint8_t data[] = {
        /* definition: local 0, little-endian, global 206, 3 fields */
        0x40, 0, 0, 206, 0, 3,
        0, 1, 0x02,   /* developer_data_index uint8 */
        1, 2, 0x84,   /* field_definition_number as uint16 */
        2, 2, 0x84,   /* fit_base_type_id as uint16 */
        /* data */
        0x00, 0x01, 0x01, 0x02, 0xFE, 0xFF,
        /* definition: local 1, global 20 (record), one developer field of
         * index 1, number 7 */
        0x61, 0, 0, 20, 0, 1, 3, 1, 0x02, 1, 7, 2, 1,
        0x01, 140, 0x34, 0x12,
    };
    uint8_t file[128];
    size_t n = wrap(file, data, sizeof data);
    struct pl_fit_handler h = { .on_msg = count };
    struct pl_diag d;
    nmsgs = 0;
    assert_int_equal(pl_fit_decode(file, n, &h, 0, &d), 0);
    assert_int_equal(nmsgs, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_description_with_out_of_range_index_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
