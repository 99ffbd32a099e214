/*
 * test-svg.c - the SVG writer of lib/render/svg.c (escaping, locale-free numbers,
 * the byte cap) and the chart of the daily series: well-formed XML that
 * expat accepts, what it marks, the checks on its input, and failed
 * allocations at every step.
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
#include <expat.h>

#include "render/svg.h"

/* ------------------------------------------------------------------ */
/* The writer                                                           */

static char *build(const char *fmt, ...)
{
    struct pl__svg s;
    pl__svg_init(&s, 1 << 20);
    va_list ap;
    va_start(ap, fmt);
    /* One conversion at a time through pl__svg_add, so the test reads the
     * way callers write. */
    const char *p = fmt;
    while (*p) {
        if (p[0] == '%' && p[1] == 'e')
            pl__svg_add(&s, "%e", va_arg(ap, const char *));
        else if (p[0] == '%' && p[1] == 'n')
            pl__svg_add(&s, "%n", va_arg(ap, double));
        else if (p[0] == '%' && p[1] == 'd')
            pl__svg_add(&s, "%d", va_arg(ap, int));
        else if (p[0] == '%' && p[1] == 's')
            pl__svg_add(&s, "%s", va_arg(ap, const char *));
        else if (p[0] == '%' && p[1] == '%')
            pl__svg_add(&s, "%%");
        else {
            char one[2] = { *p, 0 };
            pl__svg_add(&s, "%s", one);
            p++;
            continue;
        }
        p += 2;
    }
    va_end(ap);
    char *out;
    size_t n;
    assert_int_equal(pl__svg_finish(&s, &out, &n), PL_OK);
    assert_int_equal(strlen(out), n);
    return out;
}

static void escapes_the_characters_xml_reserves(void **state)
{
    (void)state;
    char *s = build("<t a=\"%e\">%e</t>", "x\"y'z", "a<b & c>d");
    assert_string_equal(s, "<t a=\"x&quot;y&#39;z\">a&lt;b &amp; c&gt;d</t>");
    pl_free(s);
}

static void keeps_valid_utf8_and_replaces_what_xml_forbids(void **state)
{
    (void)state;
    /* é, €, an emoji, tab and line feed pass; a C0 control, a stray
     * continuation byte, an overlong '/', a surrogate and U+FFFE become
     * U+FFFD (XML 1.0 section 2.2; RFC 3629). */
    char *s = build("%e", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\t\n");
    assert_string_equal(s, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\t\n");
    pl_free(s);
    s = build("%e", "a\x01" "b\x80" "c\xC0\xAF" "d\xED\xA0\x80" "e\xEF\xBF\xBE" "f");
    assert_string_equal(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
                           "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                           "e\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "f");
    pl_free(s);
    /* A sequence cut by the end of the text. */
    s = build("%e", "z\xE2\x82");
    assert_string_equal(s, "z\xEF\xBF\xBD\xEF\xBF\xBD");
    pl_free(s);
}

static void escape_into_a_buffer_stops_at_a_whole_character(void **state)
{
    (void)state;
    char buf[8];
    /* "&amp;" does not fit after "ab" in 8 bytes with the NUL... */
    assert_int_equal(pl__svg_escape(buf, sizeof buf, "ab&cd", 5), 7);
    assert_string_equal(buf, "ab&amp;");
    assert_int_equal(pl__svg_escape(buf, sizeof buf, "abc&d", 5), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(pl__svg_escape(buf, 4, "\xE2\x82\xAC!", 4), 3);
    assert_string_equal(buf, "\xE2\x82\xAC");
    assert_int_equal(pl__svg_escape(buf, 3, "\xE2\x82\xAC", 3), 0);
    assert_string_equal(buf, "");
}

static void numbers_have_two_decimals_at_most_and_no_locale(void **state)
{
    (void)state;
    char *s = build("%n %n %n %n %n %n %n %n %n", 12.5, 3.14159, -7.0, 0.07, -0.004, NAN,
                    INFINITY, 1e20, -1234.5);
    assert_string_equal(s, "12.5 3.14 -7 0.07 0 0 0 1000000000000000 -1234.5");
    pl_free(s);
    s = build("%d%% %s", -42, "<raw/>");
    assert_string_equal(s, "-42% <raw/>");
    pl_free(s);
}

static void the_byte_cap_is_an_error_that_sticks(void **state)
{
    (void)state;
    struct pl__svg s;
    pl__svg_init(&s, 10);
    pl__svg_add(&s, "%s", "0123456789");
    assert_int_equal(s.err, 0);
    pl__svg_add(&s, "%s", "x");
    assert_int_equal(s.err, PL_ELIMIT);
    pl__svg_add(&s, "%s", "");
    char *out = (char *)1;
    size_t n = 1;
    assert_int_equal(pl__svg_finish(&s, &out, &n), PL_ELIMIT);
    assert_null(out);
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------------ */
/* The chart                                                            */

/* A made-up history: a weekly pattern, a declared race on day 40 with a
 * name full of markup, the trip two days before, and the day after the
 * race needing recovery. EWMA as in docs/internals/load.md, so that the
 * lines look like the real thing. */
static struct pl_day *history(size_t n)
{
    struct pl_day *d = calloc(n ? n : 1, sizeof *d);
    static const double week[7] = { 0, 55, 95, 45, 80, 40, 140 };
    double ctl = 20, atl = 20, kc = 1 - exp(-1.0 / 42), ka = 1 - exp(-1.0 / 7);
    for (size_t i = 0; i < n; i++) {
        d[i].date = 20458 + (int32_t)i;
        double l = week[i % 7];
        unsigned f = l == 0 ? PL_DAY_REST : 0;
        if (i % 7 == 2 || i % 7 == 6) {
            f |= PL_DAY_HARD;
            snprintf(d[i].reasons, sizeof d[i].reasons, "hard: HRSS %.0f", l);
        }
        if (i % 97 == 40) {
            l = 210;
            f |= PL_DAY_RACE | PL_DAY_HARD;
            snprintf(d[i].reasons, sizeof d[i].reasons,
                     "race: declared \"Half <Madrid> & more\"; hard: IF 0.97");
        }
        if (i % 97 == 38) {
            l = 0;
            f = PL_DAY_TRAVEL | PL_DAY_REST;
            snprintf(d[i].reasons, sizeof d[i].reasons, "travel: Z\xC3\xBCrich to Madrid, 1247 km");
        }
        if (i % 97 == 41)
            f |= PL_DAY_RECOVERY_NEEDED;
        d[i].tsb = ctl - atl;
        ctl += kc * (l - ctl);
        atl += ka * (l - atl);
        d[i].load = l;
        d[i].ctl = ctl;
        d[i].atl = atl;
        d[i].acwr = NAN;
        d[i].monotony = d[i].strain = NAN;
        d[i].flags = f;
    }
    return d;
}

struct xml_check {
    int depth, max_depth;
    char root[16];
    long elements;
};

static void XMLCALL on_start(void *ctx, const XML_Char *name, const XML_Char **attr)
{
    (void)attr;
    struct xml_check *x = ctx;
    if (x->elements++ == 0)
        snprintf(x->root, sizeof x->root, "%s", name);
    if (++x->depth > x->max_depth)
        x->max_depth = x->depth;
}

static void XMLCALL on_end(void *ctx, const XML_Char *name)
{
    (void)name;
    struct xml_check *x = ctx;
    x->depth--;
}

/* Fails the test unless svg is well-formed XML with an <svg> root. */
static void well_formed(const char *svg, size_t n)
{
    struct xml_check x = { 0 };
    XML_Parser p = XML_ParserCreate("UTF-8");
    assert_non_null(p);
    XML_SetUserData(p, &x);
    XML_SetElementHandler(p, on_start, on_end);
    enum XML_Status st = XML_Parse(p, svg, (int)n, 1);
    if (st != XML_STATUS_OK)
        fail_msg("not well-formed at %lu:%lu: %s", (unsigned long)XML_GetCurrentLineNumber(p),
                 (unsigned long)XML_GetCurrentColumnNumber(p),
                 XML_ErrorString(XML_GetErrorCode(p)));
    XML_ParserFree(p);
    assert_string_equal(x.root, "svg");
    assert_int_equal(x.depth, 0);
    assert_true(x.elements > 20);
}

static char *chart(const struct pl_day *d, size_t n, const struct pl_chart_options *o,
                   size_t *len)
{
    char *svg;
    struct pl_diag diag;
    pl_diag_clear(&diag);
    int rc = pl_chart_svg(d, n, o, &svg, len, &diag);
    if (rc)
        fail_msg("pl_chart_svg: %s (%s)", pl_err_name(rc), diag.msg);
    assert_int_equal(strlen(svg), *len);
    return svg;
}

static size_t count(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        k++;
    return k;
}

static void a_chart_of_twelve_weeks_is_well_formed_and_marks_the_days(void **state)
{
    (void)state;
    struct pl_day *d = history(84);
    size_t n;
    char *svg = chart(d, 84, NULL, &n);
    well_formed(svg, n);
    assert_non_null(strstr(svg, "width=\"960\" height=\"540\""));
    assert_non_null(strstr(svg, "<title id=\"chart-title\">Training load</title>"));
    /* The three lines, the legend, the axes. */
    assert_int_equal(count(svg, "<path class=\"ctl\""), 1);
    assert_int_equal(count(svg, "<path class=\"atl\""), 1);
    assert_int_equal(count(svg, "<path class=\"tsb\""), 1);
    assert_non_null(strstr(svg, "Fitness (CTL, 42 d)"));
    assert_non_null(strstr(svg, ">12 Jan</text>"));
    assert_non_null(strstr(svg, ">2026</text>"));
    /* One red bar for the race; a mark for it and one for the trip (and
     * the legend's swatch of each). */
    assert_int_equal(count(svg, "<rect class=\"racebar\""), 1);
    assert_int_equal(count(svg, "<path class=\"race\" d=\"M"), 2);
    assert_int_equal(count(svg, "<path class=\"travel\" d=\"M"), 2);
    /* The legend's swatch and one shaded run of days. */
    assert_int_equal(count(svg, "<rect class=\"recovery\" x="), 2);
    assert_true(count(svg, "<rect class=\"hard\"") >= 20);
    /* The reasons reach the tooltips, escaped. */
    assert_non_null(strstr(svg, "race: declared &quot;Half &lt;Madrid&gt; &amp; more&quot;"));
    assert_non_null(strstr(svg, "travel: Z\xC3\xBCrich to Madrid"));
    /* Nothing that runs or fetches. */
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "href"));
    pl_free(svg);
    free(d);
}

static void a_decade_draws_weekly_bars_and_stays_small(void **state)
{
    (void)state;
    struct pl_day *d = history(3653);
    size_t n;
    char *svg = chart(d, 3653, NULL, &n);
    well_formed(svg, n);
    assert_non_null(strstr(svg, "weekly mean"));
    assert_non_null(strstr(svg, "class=\"lines dense\""));
    assert_non_null(strstr(svg, ">2030</text>"));
    /* No daily bars (the legend's swatch is the one rect) and no
     * tooltips on weekly ones; races keep theirs. */
    assert_int_equal(count(svg, "<rect class=\"bar\""), 1);
    assert_true(count(svg, "<path class=\"race\" d=\"M") > 30);
    assert_true(n < 1u << 20);
    pl_free(svg);
    free(d);
}

static void missing_values_break_the_lines(void **state)
{
    (void)state;
    struct pl_day *d = history(30);
    d[10].ctl = NAN;
    d[20].ctl = NAN;
    size_t n;
    char *svg = chart(d, 30, NULL, &n);
    well_formed(svg, n);
    const char *p = strstr(svg, "<path class=\"ctl\" d=\"");
    assert_non_null(p);
    const char *end = strchr(p + 21, '"');
    size_t moves = 0;
    for (const char *q = p; q < end; q++)
        moves += *q == 'M';
    assert_int_equal(moves, 3);
    pl_free(svg);
    free(d);
}

static void an_empty_series_is_a_chart_that_says_so(void **state)
{
    (void)state;
    struct pl_chart_options o;
    pl_chart_options_init(&o);
    o.title = "Nothing & nobody";
    o.width_px = 400;
    o.height_px = 320;
    size_t n;
    char *svg = chart(NULL, 0, &o, &n);
    well_formed(svg, n);
    assert_non_null(strstr(svg, "No days to show"));
    assert_non_null(strstr(svg, "Nothing &amp; nobody"));
    pl_free(svg);
}

static void narrow_charts_keep_their_text_inside(void **state)
{
    (void)state;
    struct pl_day *d = history(30);
    struct pl_chart_options o;
    pl_chart_options_init(&o);
    o.width_px = PL_CHART_PX_MIN;
    o.height_px = PL_CHART_PX_MIN;
    o.subtitle = "a & b";
    size_t n;
    char *svg = chart(d, 30, &o, &n);
    well_formed(svg, n);
    assert_non_null(strstr(svg, ">a &amp; b</text>"));
    /* The long note gives way to the shortest. */
    assert_non_null(strstr(svg, ">100 \xE2\x89\x88 one hour at threshold</text>"));
    pl_free(svg);
    free(d);
}

static void bad_input_is_refused_with_a_reason(void **state)
{
    (void)state;
    struct pl_day *d = history(10);
    char *svg = (char *)1;
    size_t n = 1;
    struct pl_diag diag;
    d[5].date = d[4].date;
    assert_int_equal(pl_chart_svg(d, 10, NULL, &svg, &n, &diag), PL_EINVAL);
    assert_non_null(strstr(diag.msg, "out of order"));
    assert_null(svg);
    assert_int_equal(n, 0);
    d[5].date = d[4].date + 1;
    struct pl_chart_options o;
    pl_chart_options_init(&o);
    o.width_px = PL_CHART_PX_MIN - 1;
    assert_int_equal(pl_chart_svg(d, 10, &o, &svg, &n, &diag), PL_EINVAL);
    assert_non_null(strstr(diag.msg, "pixels"));
    o.width_px = 0;
    o.height_px = PL_CHART_PX_MAX + 1;
    assert_int_equal(pl_chart_svg(d, 10, &o, &svg, &n, &diag), PL_EINVAL);
    /* Days spanning more than a century. */
    d[9].date = d[0].date + PL_CHART_DAYS_MAX;
    assert_int_equal(pl_chart_svg(d, 10, NULL, &svg, &n, &diag), PL_EINVAL);
    assert_int_equal(pl_chart_svg(d, PL_CHART_DAYS_MAX + 1, NULL, &svg, &n, &diag), PL_EINVAL);
    free(d);
}

static void every_failed_allocation_fails_cleanly(void **state)
{
    (void)state;
    struct pl_day *d = history(400);
    bool finished = false;
    for (long fail_at = 1; !finished && fail_at < 1000; fail_at++) {
        char *svg = (char *)1;
        size_t n = 1;
        struct pl_diag diag;
        th_alloc_fail_at(fail_at);
        int rc = pl_chart_svg(d, 400, NULL, &svg, &n, &diag);
        th_alloc_restore();
        finished = th_alloc_calls() < fail_at;
        if (finished) {
            assert_int_equal(rc, PL_OK);
            well_formed(svg, n);
            pl_free(svg);
        } else {
            assert_int_equal(rc, PL_ENOMEM);
            assert_null(svg);
        }
    }
    assert_true(finished);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_the_characters_xml_reserves),
        cmocka_unit_test(keeps_valid_utf8_and_replaces_what_xml_forbids),
        cmocka_unit_test(escape_into_a_buffer_stops_at_a_whole_character),
        cmocka_unit_test(numbers_have_two_decimals_at_most_and_no_locale),
        cmocka_unit_test(the_byte_cap_is_an_error_that_sticks),
        cmocka_unit_test(a_chart_of_twelve_weeks_is_well_formed_and_marks_the_days),
        cmocka_unit_test(a_decade_draws_weekly_bars_and_stays_small),
        cmocka_unit_test(missing_values_break_the_lines),
        cmocka_unit_test(an_empty_series_is_a_chart_that_says_so),
        cmocka_unit_test(narrow_charts_keep_their_text_inside),
        cmocka_unit_test(bad_input_is_refused_with_a_reason),
        cmocka_unit_test(every_failed_allocation_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
