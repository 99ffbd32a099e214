/*
 * test-fitcrc.c - pl_fit_crc16() against the FIT protocol's own algorithm.
 *
 * The reference below is the CRC as the FIT protocol describes it
 * (Garmin FIT SDK, "Flexible and Interoperable Data Transfer (FIT)
 * Protocol", section "CRC"): CRC-16 with the reflected polynomial 0xA001,
 * four bits at a time through a 16-entry table. Both of the library's
 * roads (tables, and PCLMULQDQ folding where the CPU has it) must give
 * exactly its answer for any bytes, length, alignment, starting CRC and
 * split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/internal.h"

static uint16_t nibble_tab[16];

/* The CRC of each 4-bit value shifted through the register from 0, as the
 * protocol's table lists them (its entries 1 and 15 are 0xCC01, 0x4400). */
static void nibble_init(void)
{
    for (unsigned i = 0; i < 16; i++) {
        uint16_t c = (uint16_t)i;
        for (int k = 0; k < 4; k++)
            c = (c & 1) ? (uint16_t)((c >> 1) ^ 0xA001) : (uint16_t)(c >> 1);
        nibble_tab[i] = c;
    }
}

/* One byte, low nibble first, as in the protocol. */
static uint16_t nibble_byte(uint16_t crc, uint8_t b)
{
    uint16_t t = nibble_tab[crc & 0xF];
    crc = (uint16_t)(((crc >> 4) & 0x0FFF) ^ t ^ nibble_tab[b & 0xF]);
    t = nibble_tab[crc & 0xF];
    crc = (uint16_t)(((crc >> 4) & 0x0FFF) ^ t ^ nibble_tab[(b >> 4) & 0xF]);
    return crc;
}

static uint16_t nibble_crc(uint16_t crc, const uint8_t *p, size_t n)
{
    while (n--)
        crc = nibble_byte(crc, *p++);
    return crc;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void)
{
    /* xorshift64 (Marsaglia 2003): reproducible bytes. */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t *random_bytes(size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(next() >> 56);
    return b;
}

static void check(uint16_t crc, const uint8_t *p, size_t n)
{
    uint16_t want = nibble_crc(crc, p, n);
    if (pl_fit_crc16(crc, p, n) != want || pl__fit_crc16_portable(crc, p, n) != want)
        fail_msg("%zu bytes from 0x%04x: 0x%04x and 0x%04x, the protocol says 0x%04x", n, crc,
                 pl_fit_crc16(crc, p, n), pl__fit_crc16_portable(crc, p, n), want);
}

static void test_the_reference_table_is_the_protocols(void **state)
{
    (void)state;
    assert_int_equal(nibble_tab[1], 0xCC01);
    assert_int_equal(nibble_tab[8], 0xA001);
    assert_int_equal(nibble_tab[15], 0x4400);
    assert_int_equal(nibble_crc(0, (const uint8_t *)"123456789", 9), 0xBB3D);
}

static void test_every_length_and_alignment_up_to_1100_bytes_matches(void **state)
{
    (void)state;
    uint8_t *b = random_bytes(1100 + 16);
    for (size_t n = 0; n <= 1100; n++) {
        size_t off = (size_t)(next() % 16);
        check((uint16_t)next(), b + off, n);
        check(0, b + off, n);
    }
    free(b);
}

static void test_random_buffers_up_to_a_megabyte_match(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++) {
        size_t n = (size_t)(next() % (1u << 20));
        uint8_t *b = random_bytes(n);
        check((uint16_t)next(), b, n);
        free(b);
    }
}

static void test_all_zeros_and_all_ones_match(void **state)
{
    (void)state;
    size_t n = 4099;
    uint8_t *b = malloc(n);
    assert_non_null(b);
    memset(b, 0, n);
    check(0, b, n);
    check(0xFFFF, b, n);
    memset(b, 0xFF, n);
    check(0, b, n);
    check(0x1234, b, n);
    free(b);
}

static void test_a_crc_continued_over_pieces_is_the_crc_of_the_whole(void **state)
{
    (void)state;
    size_t n = 300000;
    uint8_t *b = random_bytes(n);
    uint16_t whole = nibble_crc(0, b, n);
    for (int i = 0; i < 200; i++) {
        size_t cut = (size_t)(next() % (n + 1));
        assert_int_equal(pl_fit_crc16(pl_fit_crc16(0, b, cut), b + cut, n - cut), whole);
    }
    free(b);
}

int main(void)
{
    nibble_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_reference_table_is_the_protocols),
        cmocka_unit_test(test_every_length_and_alignment_up_to_1100_bytes_matches),
        cmocka_unit_test(test_random_buffers_up_to_a_megabyte_match),
        cmocka_unit_test(test_all_zeros_and_all_ones_match),
        cmocka_unit_test(test_a_crc_continued_over_pieces_is_the_crc_of_the_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
