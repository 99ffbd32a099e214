/*
 * test-csv.c - the RFC 4180 reader of lib/formats/csv.c (quoting, line breaks,
 * errors with line:column, limits) and Strava's activities.csv on top of
 * it (columns found by name, dates in Strava's and ISO forms).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/csv.h"

struct out {
    char text[8192];
    size_t n;
    int stop_at;
    int records;
};

/* Records as "line: [f1][f2]\n". */
static int on_rec(void *ctx, const struct pl__csv_field *f, size_t nf, uint32_t line)
{
    struct out *o = ctx;
    o->records++;
    o->n += (size_t)snprintf(o->text + o->n, sizeof o->text - o->n, "%u:", line);
    for (size_t i = 0; i < nf; i++) {
        assert_int_equal(strlen(f[i].p), f[i].n);
        o->n += (size_t)snprintf(o->text + o->n, sizeof o->text - o->n, "[%s]", f[i].p);
    }
    o->n += (size_t)snprintf(o->text + o->n, sizeof o->text - o->n, "\n");
    return o->stop_at && o->records == o->stop_at ? PL_ECANCELED : 0;
}

static int parse(const char *s, struct out *o, struct pl_diag *d)
{
    memset(o, 0, sizeof *o);
    pl_diag_clear(d);
    return pl__csv_parse(s, strlen(s), on_rec, o, d);
}

static void parses_to(const char *in, const char *want)
{
    struct out o;
    struct pl_diag d;
    assert_int_equal(parse(in, &o, &d), 0);
    assert_string_equal(o.text, want);
}

static void fails_at(const char *in, int code, uint32_t line, uint32_t col, const char *msg)
{
    struct out o;
    struct pl_diag d;
    assert_int_equal(parse(in, &o, &d), code);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    assert_non_null(strstr(d.msg, msg));
}

static void plain_fields_and_line_ends(void **state)
{
    (void)state;
    parses_to("a,b,c\r\n1,2,3\r\n", "1:[a][b][c]\n2:[1][2][3]\n");
    parses_to("a,b\n1,2", "1:[a][b]\n2:[1][2]\n");
    parses_to("a,,\n", "1:[a][][]\n");
    parses_to("\xEF\xBB\xBFx,y\n", "1:[x][y]\n");
    parses_to("", "");
    parses_to("\n\n", "1:[]\n2:[]\n");
    parses_to("a\rb,c\n", "1:[a\rb][c]\n");    /* a bare CR is data */
}

static void quoted_fields_hold_commas_quotes_and_line_breaks(void **state)
{
    (void)state;
    parses_to("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nnext\r\n",
              "1:[a,b][say \"hi\"][two\r\nlines]\n3:[next]\n");
    parses_to("\"\",x\n", "1:[][x]\n");
    parses_to("\"end\"", "1:[end]\n");
    parses_to("ab\"c,d\n", "1:[ab\"c][d]\n");  /* lenient: a quote inside */
}

static void errors_say_line_and_column(void **state)
{
    (void)state;
    fails_at("a,b\nc,\"open\nstill open", PL_EFORMAT, 2, 3, "never ends");
    fails_at("a,\"q\"x,b\n", PL_EFORMAT, 1, 6, "after a closing quote");
    struct out o;
    struct pl_diag d;
    memset(&o, 0, sizeof o);
    assert_int_equal(pl__csv_parse("ok\nab\0c\n", 8, on_rec, &o, &d), PL_EFORMAT);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 3);
    assert_non_null(strstr(d.msg, "NUL"));
}

static void a_callback_can_stop_the_parse(void **state)
{
    (void)state;
    struct out o;
    struct pl_diag d;
    memset(&o, 0, sizeof o);
    o.stop_at = 2;
    const char *s = "1\n2\n3\n";
    assert_int_equal(pl__csv_parse(s, strlen(s), on_rec, &o, &d), PL_ECANCELED);
    assert_int_equal(o.records, 2);
}

static void limits_are_errors_not_crashes(void **state)
{
    (void)state;
    struct out o;
    struct pl_diag d;
    size_t n = PL_CSV_FIELD_BYTES_MAX + 10;
    char *big = malloc(n + 3);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\0';
    assert_int_equal(parse(big, &o, &d), PL_ELIMIT);
    assert_non_null(strstr(d.msg, "longer than"));
    big[0] = '"';
    assert_int_equal(parse(big, &o, &d), PL_ELIMIT);
    free(big);

    n = PL_CSV_FIELDS_MAX + 5;
    char *commas = malloc(n + 1);
    assert_non_null(commas);
    memset(commas, ',', n);
    commas[n] = '\0';
    assert_int_equal(parse(commas, &o, &d), PL_ELIMIT);
    assert_non_null(strstr(d.msg, "fields"));
    free(commas);
}

static void strava_and_iso_dates(void **state)
{
    (void)state;
    int64_t t;
    assert_true(pl__strava_date("Jan 5, 2026, 7:12:00 AM", &t));
    assert_int_equal(t, 1767597120);   /* 2026-01-05T07:12:00Z */
    assert_true(pl__strava_date("Jan 5, 2026, 12:00:00 AM", &t));
    assert_int_equal(t, 1767571200);
    assert_true(pl__strava_date("Jan 5, 2026, 12:30:00 PM", &t));
    assert_int_equal(t, 1767616200);
    assert_true(pl__strava_date("Feb 29, 2024, 6:41:59 PM", &t));
    assert_int_equal(t, 1709232119);
    assert_true(pl__strava_date("2026-01-05 07:12:00", &t));
    assert_int_equal(t, 1767597120);
    assert_true(pl__strava_date("2026-01-05T08:12:00+01:00", &t));
    assert_int_equal(t, 1767597120);
    assert_true(pl__strava_date("2026-01-05T07:12:00.250Z", &t));
    assert_int_equal(t, 1767597120);
    assert_false(pl__strava_date("Feb 29, 2025, 6:41:59 PM", &t));
    assert_false(pl__strava_date("Jan 5, 2026, 13:00:00 PM", &t));
    assert_false(pl__strava_date("Jan 5 2026", &t));
    assert_false(pl__strava_date("2026-13-01 00:00:00", &t));
    assert_false(pl__strava_date("", &t));
    assert_false(pl__strava_date("2026-01-05 07:12:00 junk", &t));
}

static void strava_rows_by_column_name(void **state)
{
    (void)state;
    const char *csv =
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
        "Elapsed Time,Distance,Filename,Distance\r\n"
        "101,\"Jan 5, 2026, 7:12:00 AM\",Morning Run,Run,,3600,10.0,activities/101.fit.gz,10000\r\n"
        "102,\"Jan 6, 2026, 6:00:00 PM\",\"Track, 6 x 800\",Run,\"Felt \"\"strong\"\"\n"
        "second line\",2400,8.0,activities/102.fit.gz,8000\r\n"
        "103,not a date,Ride home,Ride,,600,3.0,,3000\r\n"
        "104,,,,,,,,\r\n"
        "105,\"Jan 7, 2026, 6:00:00 PM\",Ride home,Ride,,600,3.0,,3000\r\n";
    struct pl__strava_csv c;
    struct pl_diag d;
    assert_int_equal(pl__strava_csv_read(csv, strlen(csv), &c, &d), 0);
    assert_int_equal(c.n, 3);   /* 103 and 104 have nothing to match with */
    assert_string_equal(c.rows[0].filename, "activities/101.fit.gz");
    assert_string_equal(c.rows[0].name, "Morning Run");
    assert_null(c.rows[0].description);
    assert_int_equal(c.rows[0].start_s, 1767597120);
    assert_int_equal(c.rows[0].sport, pl_sport_parse("Run"));
    assert_int_equal(c.rows[0].line, 2);
    assert_string_equal(c.rows[1].name, "Track, 6 x 800");
    assert_string_equal(c.rows[1].description, "Felt \"strong\"\nsecond line");
    assert_int_equal(c.rows[1].line, 3);
    assert_null(c.rows[2].filename);
    assert_int_equal(c.rows[2].start_s, 1767808800);
    assert_int_equal(c.rows[2].line, 7);
    assert_int_equal(c.rows[2].sport, pl_sport_parse("Ride"));
    pl__strava_csv_release(&c);
}

static void a_csv_that_is_not_stravas_is_an_error(void **state)
{
    (void)state;
    struct pl__strava_csv c;
    struct pl_diag d;
    const char *other = "Date,Weight\n2026-01-01,70\n";
    assert_int_equal(pl__strava_csv_read(other, strlen(other), &c, &d), PL_EFORMAT);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.msg, "not Strava's activities.csv"));
    pl__strava_csv_release(&c);
    assert_int_equal(pl__strava_csv_read("", 0, &c, &d), PL_EFORMAT);
    pl__strava_csv_release(&c);
    const char *bad = "Filename\n\"open\n";
    assert_int_equal(pl__strava_csv_read(bad, strlen(bad), &c, &d), PL_EFORMAT);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 1);
    pl__strava_csv_release(&c);
}

/* Fail each allocation in turn: every result is success or PL_ENOMEM,
 * and nothing leaks (the sanitizer build checks). */
static long fail_at, calls;
static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ++calls == fail_at ? NULL : malloc(n);
}
static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ++calls == fail_at ? NULL : realloc(p, n);
}
static void std_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void allocation_failures_are_clean(void **state)
{
    (void)state;
    const char *csv = "Activity Date,Activity Name,Filename\n"
                      "\"Jan 5, 2026, 7:12:00 AM\",A,activities/1.fit\n"
                      "\"Jan 6, 2026, 7:12:00 AM\",B,activities/2.fit\n";
    struct pl_allocator a = { fail_malloc, fail_realloc, std_free, NULL };
    bool ok = false;
    for (fail_at = 1; fail_at < 200 && !ok; fail_at++) {
        calls = 0;
        pl_set_allocator(&a);
        struct pl__strava_csv c;
        struct pl_diag d;
        int rc = pl__strava_csv_read(csv, strlen(csv), &c, &d);
        pl__strava_csv_release(&c);
        pl_set_allocator(NULL);
        assert_true(rc == 0 || rc == PL_ENOMEM);
        ok = rc == 0 && calls < fail_at;
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_fields_and_line_ends),
        cmocka_unit_test(quoted_fields_hold_commas_quotes_and_line_breaks),
        cmocka_unit_test(errors_say_line_and_column),
        cmocka_unit_test(a_callback_can_stop_the_parse),
        cmocka_unit_test(limits_are_errors_not_crashes),
        cmocka_unit_test(strava_and_iso_dates),
        cmocka_unit_test(strava_rows_by_column_name),
        cmocka_unit_test(a_csv_that_is_not_stravas_is_an_error),
        cmocka_unit_test(allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
