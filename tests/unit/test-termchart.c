/*
 * test-termchart.c - the terminal chart of lib/render/termchart.c: it fills the
 * rows and columns it is given and no more, ASCII is ASCII, colours only
 * when asked, a caller's title cannot smuggle escape sequences, the last
 * days are the ones shown, marks land on their days, and failed
 * allocations fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "helpers.h"

#include "pliant.h"

/* Days from 2026-01-05 (a Monday): a weekly pattern, a race on day
 * race_at, a trip the day before it. */
static struct pl_day *history(size_t n, size_t race_at)
{
    struct pl_day *d = calloc(n ? n : 1, sizeof *d);
    static const double week[7] = { 0, 55, 95, 45, 80, 40, 140 };
    double ctl = 20, atl = 20, kc = 1 - exp(-1.0 / 42), ka = 1 - exp(-1.0 / 7);
    for (size_t i = 0; i < n; i++) {
        d[i].date = 20458 + (int32_t)i;
        double l = week[i % 7];
        unsigned f = i % 7 == 2 || i % 7 == 6 ? PL_DAY_HARD : 0;
        if (i == race_at) {
            l = 210;
            f |= PL_DAY_RACE;
        }
        if (i + 1 == race_at) {
            l = 0;
            f = PL_DAY_TRAVEL;
        }
        d[i].tsb = ctl - atl;
        ctl += kc * (l - ctl);
        atl += ka * (l - atl);
        d[i].load = l;
        d[i].ctl = ctl;
        d[i].atl = atl;
        d[i].flags = f;
    }
    return d;
}

static char *draw(const struct pl_day *d, size_t n, const struct pl_chart_options *o)
{
    char *text;
    size_t len;
    struct pl_diag diag;
    pl_diag_clear(&diag);
    int rc = pl_chart_term(d, n, o, &text, &len, &diag);
    if (rc)
        fail_msg("pl_chart_term: %s (%s)", pl_err_name(rc), diag.msg);
    assert_int_equal(strlen(text), len);
    return text;
}

static struct pl_chart_options opts(unsigned cols, unsigned rows, bool utf8, bool color)
{
    struct pl_chart_options o;
    pl_chart_options_init(&o);
    o.columns = cols;
    o.rows = rows;
    o.utf8 = utf8;
    o.color = color;
    return o;
}

/* Lines of text, and the widest in character cells (code points; escape
 * sequences are not counted). */
static void measure(const char *t, size_t *lines, size_t *widest)
{
    *lines = 0;
    *widest = 0;
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if (*p == '\x1b') {
            while (*p && *p != 'm')
                p++;
            if (!*p)
                break;
            continue;
        }
        if (*p == '\n') {
            (*lines)++;
            if (w > *widest)
                *widest = w;
            w = 0;
        } else if ((*p & 0xC0) != 0x80) {
            w++;
        }
    }
}

static void ascii_is_ascii_and_fills_the_size_given(void **state)
{
    (void)state;
    struct pl_day *d = history(120, 100);
    for (unsigned cols = 40; cols <= 200; cols += 37) {
        for (unsigned rows = 12; rows <= 40; rows += 7) {
            struct pl_chart_options o = opts(cols, rows, false, false);
            char *t = draw(d, 120, &o);
            for (const unsigned char *p = (const unsigned char *)t; *p; p++)
                if (*p >= 0x80 || *p == 0x1b)
                    fail_msg("%ux%u: byte 0x%02x at %td", cols, rows, *p,
                             (const char *)p - t);
            size_t lines, widest;
            measure(t, &lines, &widest);
            if (lines != rows || widest > cols)
                fail_msg("%ux%u: %zu lines, widest %zu:\n%s", cols, rows, lines, widest, t);
            pl_free(t);
        }
    }
    free(d);
}

static void utf8_fills_the_size_given_with_braille_and_blocks(void **state)
{
    (void)state;
    struct pl_day *d = history(120, 100);
    struct pl_chart_options o = opts(80, 20, true, false);
    char *t = draw(d, 120, &o);
    size_t lines, widest;
    measure(t, &lines, &widest);
    assert_int_equal(lines, 20);
    assert_true(widest <= 80);
    assert_non_null(strstr(t, "\xE2\xA0") ? strstr(t, "\xE2\xA0") : strstr(t, "\xE2\xA1"));
    assert_non_null(strstr(t, "\xE2\x96\x88"));           /* a full block */
    assert_null(strchr(t, '\x1b'));
    pl_free(t);
    free(d);
}

static void colours_only_when_asked_and_reset_at_each_line_end(void **state)
{
    (void)state;
    struct pl_day *d = history(60, 50);
    struct pl_chart_options o = opts(80, 18, true, true);
    char *t = draw(d, 60, &o);
    assert_non_null(strstr(t, "\x1b[38;5;"));
    /* Every line that set a colour has reset it by its end: its last
     * escape sequence is a reset. */
    for (const char *p = t; (p = strchr(p, '\n')); p++) {
        const char *last = NULL;
        for (const char *q = p; q > t && q[-1] != '\n'; q--)
            if (q[-1] == '\x1b') {
                last = q - 1;
                break;
            }
        if (last)
            assert_memory_equal(last, "\x1b[0m", 4);
    }
    pl_free(t);
    free(d);
}

static void a_title_cannot_carry_escape_sequences(void **state)
{
    (void)state;
    struct pl_day *d = history(30, 20);
    struct pl_chart_options o = opts(60, 14, false, false);
    o.title = "evil\x1b]0;owned\x07 caf\xC3\xA9";
    char *t = draw(d, 30, &o);
    assert_null(strchr(t, '\x1b'));
    assert_null(strchr(t, '\x07'));
    assert_non_null(strstr(t, "evil?]0;owned? caf?"));
    pl_free(t);
    o.utf8 = true;
    t = draw(d, 30, &o);
    assert_non_null(strstr(t, "caf\xC3\xA9"));
    pl_free(t);
    free(d);
}

static void the_last_whole_weeks_that_fit_are_shown(void **state)
{
    (void)state;
    struct pl_day *d = history(200, 195);
    /* 80 columns less the 7 of the axis: 73 days fit, 10 whole weeks. */
    struct pl_chart_options o = opts(80, 16, false, false);
    char *t = draw(d, 200, &o);
    assert_non_null(strstr(t, "last 10 weeks"));
    /* 2026-01-05 + 199 days = 2026-07-23; 70 days back from it. */
    assert_non_null(strstr(t, "15 May to 23 Jul 2026"));
    pl_free(t);
    /* Fewer days than columns: all of them. */
    t = draw(d, 30, &o);
    assert_non_null(strstr(t, "last 30 days"));
    pl_free(t);
    free(d);
}

static void marks_sit_under_their_days(void **state)
{
    (void)state;
    struct pl_day *d = history(28, 20);
    struct pl_chart_options o = opts(60, 14, false, false);
    char *t = draw(d, 28, &o);
    /* The marks row: the axis, then one character a day. */
    const char *row = strstr(t, "\n      |  H");
    assert_non_null(row);
    row += 8;
    assert_int_equal(row[19], 'T');
    assert_int_equal(row[20], 'R');
    assert_int_equal(row[2], 'H');
    assert_int_equal(row[0], ' ');
    pl_free(t);
    free(d);
}

static void sizes_out_of_range_and_unsorted_days_are_refused(void **state)
{
    (void)state;
    struct pl_day *d = history(10, 5);
    char *t = (char *)1;
    size_t n = 1;
    struct pl_diag diag;
    struct pl_chart_options o = opts(39, 20, true, false);
    assert_int_equal(pl_chart_term(d, 10, &o, &t, &n, &diag), PL_EINVAL);
    assert_null(t);
    o = opts(80, 11, true, false);
    assert_int_equal(pl_chart_term(d, 10, &o, &t, &n, &diag), PL_EINVAL);
    o = opts(80, 20, true, false);
    d[3].date = d[2].date;
    assert_int_equal(pl_chart_term(d, 10, &o, &t, &n, &diag), PL_EINVAL);
    /* No days: one line that says so. */
    t = draw(NULL, 0, &o);
    assert_string_equal(t, "Training load: no days to show\n");
    pl_free(t);
    free(d);
}

static void every_failed_allocation_fails_cleanly(void **state)
{
    (void)state;
    struct pl_day *d = history(100, 90);
    struct pl_chart_options o = opts(120, 30, true, true);
    bool finished = false;
    for (long fail_at = 1; !finished && fail_at < 1000; fail_at++) {
        char *t = (char *)1;
        size_t n = 1;
        struct pl_diag diag;
        th_alloc_fail_at(fail_at);
        int rc = pl_chart_term(d, 100, &o, &t, &n, &diag);
        th_alloc_restore();
        finished = th_alloc_calls() < fail_at;
        if (finished) {
            assert_int_equal(rc, PL_OK);
            pl_free(t);
        } else {
            assert_int_equal(rc, PL_ENOMEM);
            assert_null(t);
        }
    }
    assert_true(finished);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_is_ascii_and_fills_the_size_given),
        cmocka_unit_test(utf8_fills_the_size_given_with_braille_and_blocks),
        cmocka_unit_test(colours_only_when_asked_and_reset_at_each_line_end),
        cmocka_unit_test(a_title_cannot_carry_escape_sequences),
        cmocka_unit_test(the_last_whole_weeks_that_fit_are_shown),
        cmocka_unit_test(marks_sit_under_their_days),
        cmocka_unit_test(sizes_out_of_range_and_unsorted_days_are_refused),
        cmocka_unit_test(every_failed_allocation_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
