/*
 * test-summary.c - the therapist's summary of a self-screen and its body
 * map: marks land on their regions (both sides for a paired muscle),
 * unknown regions are named "not on the map", text is escaped, warning
 * signs win over findings and stop the areas from being marked, the
 * subjective note and the page say what the screen found, the load of the
 * weeks before, how the program went and what changed since the screen
 * before; a stored screen's answers come back as they were.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pliant.h"

enum { D0 = 20528 };   /* 2026-03-16, a Monday */

static struct pl_protocol *proto;
static struct pl_screening scr;
static struct pl_screen_result res, res_before;   /* large: not on the stack */
static struct pl_screen_record rec, rec_before;

static int setup(void **state)
{
    (void)state;
    struct pl_diag d;
    if (pl_protocol_builtin(NULL, &proto, &d) != PL_OK)
        return -1;
    return pl_screening_read(proto, &scr, NULL, NULL, &d) == PL_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pl_protocol_free(proto);
    return 0;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void set(struct pl_screen_answers *a, const char *id, int answer)
{
    size_t i = SIZE_MAX;
    assert_non_null(pl_screening_find(&scr, id, &i));
    a->a[i] = (uint8_t)answer;
}

static void all_no(struct pl_screen_answers *a, int32_t day)
{
    pl_screen_answers_init(a);
    a->day = day;
    for (size_t i = 0; i < scr.n; i++)
        a->a[i] = PL_ANSWER_NO;
}

/* ---- The body map ---- */

static void a_mark_fills_its_region_on_both_sides_and_is_named(void **state)
{
    (void)state;
    struct pl_body_mark m[] = {
        { "hamstrings", "Hamstrings", PL_BODY_FLAGGED },
        { "calves", "Calves", PL_BODY_WARNING },
    };
    char *svg;
    size_t n;
    struct pl_diag d;
    assert_int_equal(pl_body_map_svg(m, 2, &svg, &n, &d), PL_OK);
    assert_int_equal(strlen(svg), n);
    assert_true(strncmp(svg, "<?xml", 5) == 0);
    assert_non_null(strstr(svg, "</svg>\n"));
    /* One path per mark, each with two closed shapes (left and right). */
    const char *p = strstr(svg, "<path class=\"area flagged\" d=\"");
    assert_non_null(p);
    const char *e = strchr(p + 30, '"');
    size_t z = 0;
    for (const char *c = p; c < e; c++)
        z += *c == 'Z';
    assert_int_equal(z, 2);
    assert_int_equal(count(svg, "<path class=\"area warning\""), 1);
    assert_int_equal(count(svg, "<title>Hamstrings</title>"), 1);
    assert_non_null(strstr(svg, "Calves \xe2\x80\x94 warning sign: no massage here"));
    assert_non_null(strstr(svg, ">Front<"));
    assert_non_null(strstr(svg, ">Back<"));
    /* Numbers on the regions and in the legend. */
    assert_int_equal(count(svg, "<g class=\"badge flagged\">"), 2);
    assert_int_equal(count(svg, "<g class=\"badge warning\">"), 2);
    assert_null(strstr(svg, "<script"));
    pl_free(svg);
}

static void every_region_of_the_default_protocol_is_on_the_map(void **state)
{
    (void)state;
    /* The areas the screening's questions and red flags name. */
    for (size_t i = 0; i < scr.n; i++) {
        const struct pl_screen_question *q = &scr.q[i];
        if (q->part == PL_SCREEN_AREA)
            assert_true(pl_body_region_known(q->area->id));
        for (size_t k = 0; k < q->nno_massage; k++)
            assert_true(pl_body_region_known(q->no_massage[k]->id));
    }
    assert_false(pl_body_region_known("elbow"));
    assert_false(pl_body_region_known(NULL));
}

static void an_unknown_region_is_named_not_drawn_and_text_is_escaped(void **state)
{
    (void)state;
    struct pl_body_mark m[] = { { "elbow", "Elbow <&> \"tennis\"", PL_BODY_FLAGGED } };
    char *svg;
    size_t n;
    assert_int_equal(pl_body_map_svg(m, 1, &svg, &n, NULL), PL_OK);
    assert_null(strstr(svg, "class=\"area"));
    assert_non_null(strstr(svg, "Elbow &lt;&amp;&gt; &quot;tennis&quot;"));
    assert_non_null(strstr(svg, "(not on the map)"));
    assert_null(strstr(svg, "<&>"));
    pl_free(svg);
}

static void an_empty_map_says_so_and_bad_marks_are_refused(void **state)
{
    (void)state;
    char *svg;
    size_t n;
    struct pl_diag d;
    assert_int_equal(pl_body_map_svg(NULL, 0, &svg, &n, &d), PL_OK);
    assert_non_null(strstr(svg, "Nothing flagged."));
    pl_free(svg);
    struct pl_body_mark bad = { NULL, NULL, PL_BODY_FLAGGED };
    assert_int_equal(pl_body_map_svg(&bad, 1, &svg, &n, &d), PL_EINVAL);
    assert_null(svg);
    bad.region = "calves";
    bad.tone = 7;
    assert_int_equal(pl_body_map_svg(&bad, 1, &svg, &n, &d), PL_EINVAL);
    struct pl_body_mark many[PL_BODY_MARKS_MAX + 1];
    for (size_t i = 0; i < sizeof many / sizeof many[0]; i++)
        many[i] = (struct pl_body_mark){ "calves", NULL, PL_BODY_FLAGGED };
    assert_int_equal(pl_body_map_svg(many, PL_BODY_MARKS_MAX + 1, &svg, &n, &d), PL_EINVAL);
    assert_int_equal(pl_body_map_svg(many, PL_BODY_MARKS_MAX, &svg, &n, &d), PL_OK);
    pl_free(svg);
}

/* ---- Stored answers and changes ---- */

static void a_stored_screen_gives_its_answers_back(void **state)
{
    (void)state;
    struct pl_screen_answers a, back;
    all_no(&a, D0);
    set(&a, "squat", PL_ANSWER_YES);
    set(&a, "glutes", PL_ANSWER_UNSURE);
    pl_screen_evaluate(&scr, &a, &res);
    pl_screen_record_fill(&scr, &a, &res, "hamstrings", 0, &rec);
    pl_screen_answers_init(&back);
    assert_int_equal(pl_screen_record_answers(&scr, &rec, &back), 0);
    assert_int_equal(back.day, D0);
    assert_memory_equal(back.a, a.a, scr.n);
    /* Ids the protocol no longer asks are counted, the rest kept. */
    struct pl_screen_record old = rec;
    snprintf(old.answers, sizeof old.answers, "gone=yes,squat=yes,,=,x");
    pl_screen_answers_init(&back);
    assert_int_equal(pl_screen_record_answers(&scr, &old, &back), 2);
    size_t i;
    pl_screening_find(&scr, "squat", &i);
    assert_int_equal(back.a[i], PL_ANSWER_YES);
}

static void changes_name_what_came_and_went(void **state)
{
    (void)state;
    struct pl_screen_answers now, before;
    all_no(&before, D0 - 14);
    set(&before, "squat", PL_ANSWER_YES);
    set(&before, "abdominals", PL_ANSWER_YES);
    all_no(&now, D0);
    set(&now, "squat", PL_ANSWER_YES);
    set(&now, "glutes", PL_ANSWER_UNSURE);   /* an unsure area counts */
    set(&now, "sitting", PL_ANSWER_UNSURE);  /* an unsure sign does not */
    size_t out[PL_SCREEN_QUESTIONS_MAX], k;
    assert_int_equal(pl_screen_changes(&scr, &now, &before, true, out), 1);
    pl_screening_find(&scr, "glutes", &k);
    assert_int_equal(out[0], k);
    assert_int_equal(pl_screen_changes(&scr, &now, &before, false, out), 1);
    pl_screening_find(&scr, "abdominals", &k);
    assert_int_equal(out[0], k);
}

/* ---- The summary ---- */

static struct pl_day days[28];

/* 28 days to D0: a hard day, a race, a trip, the rest easy. */
static void make_days(void)
{
    memset(days, 0, sizeof days);
    for (int i = 0; i < 28; i++) {
        struct pl_day *d = &days[i];
        d->date = D0 - 27 + i;
        d->load = i % 7 == 6 ? 0 : 40;
        d->ctl = 30 + i * 0.2;
        d->atl = 35;
        d->tsb = d->ctl - d->atl;
        d->acwr = d->monotony = d->strain = NAN;
    }
    days[10].flags = PL_DAY_HARD;
    snprintf(days[10].reasons, sizeof days[10].reasons, "hard: IF 0.93, 31 min above threshold");
    days[20].flags = PL_DAY_HARD | PL_DAY_RACE;
    days[20].load = 120;
    snprintf(days[20].reasons, sizeof days[20].reasons,
             "hard: IF 1.02; race: the name 'Harbour <10k> Race' says 'race'");
    days[24].flags = PL_DAY_TRAVEL;
    snprintf(days[24].reasons, sizeof days[24].reasons, "travel: declared, Lisbon to Porto");
}

static struct pl_screen_answers ans_now, ans_before;

static void summary_of(struct pl_screen_summary *s, bool with_previous)
{
    all_no(&ans_now, D0);
    set(&ans_now, "squat", PL_ANSWER_YES);
    set(&ans_now, "sitting", PL_ANSWER_YES);
    set(&ans_now, "hip-flexors", PL_ANSWER_YES);
    set(&ans_now, "glutes", PL_ANSWER_YES);
    pl_screen_evaluate(&scr, &ans_now, &res);
    pl_screen_record_fill(&scr, &ans_now, &res, "hamstrings", 0, &rec);
    rec.id = 7;
    all_no(&ans_before, D0 - 21);
    set(&ans_before, "abdominals", PL_ANSWER_YES);
    pl_screen_evaluate(&scr, &ans_before, &res_before);
    pl_screen_record_fill(&scr, &ans_before, &res_before, "hamstrings", 0, &rec_before);
    rec_before.id = 5;
    make_days();
    memset(s, 0, sizeof *s);
    s->protocol = proto;
    s->screening = &scr;
    s->record = &rec;
    s->answers = &ans_now;
    s->result = &res;
    s->previous = with_previous ? &rec_before : NULL;
    s->athlete = "Ana <Runner>";
    s->days = days;
    s->ndays = 28;
    s->activities = 22;
    s->hours = 24.46;
    s->km = 231.04;
    s->session_marks[0] = PL_PROGRAM_DONE;
    s->session_marks[1] = PL_PROGRAM_DONE;
    s->session_marks[2] = PL_PROGRAM_SKIPPED;
    s->today = D0 + 2;
    s->made_s = (int64_t)(D0 + 2) * 86400 + 3600;
}

static void the_note_says_what_the_runner_reported(void **state)
{
    (void)state;
    struct pl_screen_summary s;
    summary_of(&s, true);
    char *t;
    size_t n;
    assert_int_equal(pl_screen_summary_text(&s, &t, &n, NULL), PL_OK);
    assert_int_equal(strlen(t), n);
    assert_non_null(strstr(t, "Self-screen of Mon 2026-03-16 (pliant, protocol hamstrings, "
                              "screen #7).\n"));
    assert_non_null(strstr(t, "Warning signs: none reported.\n"));
    assert_non_null(strstr(t, "Hamstring work indicated: moderate (score 3).\n"));
    assert_non_null(strstr(t, "Hip flexors (Thomas test: yes); Glutes"));
    assert_non_null(strstr(t, "Training, 28 days from Tue 2026-02-17: 22 activities, 231 km, "
                              "24.5 h; load 1080"));
    assert_non_null(strstr(t, "Races: Mon 2026-03-09 (the name 'Harbour <10k> Race' says "
                              "'race')."));
    /* A race is not listed again as a hard day. */
    assert_non_null(strstr(t, "Hard days: Fri 2026-02-27.\n"));
    assert_non_null(strstr(t, "Trips: Fri 2026-03-13 (declared, Lisbon to Porto).\n"));
    assert_non_null(strstr(t, "Program: 4 sessions from Mon 2026-03-16, twice a day: 2 done, "
                              "0 partly, 1 skipped, 1 not marked."));
    assert_non_null(strstr(t, "Since the screen of Mon 2026-02-23: newly flagged B1 squat, "
                              "B6 sitting, Hip flexors and Glutes; no longer flagged "
                              "Abdominals.\n"));
    pl_free(t);
    /* On the screen's day, the next day's sessions are still to come. */
    s.today = D0;
    s.session_marks[2] = PL_PROGRAM_OPEN;
    assert_int_equal(pl_screen_summary_text(&s, &t, &n, NULL), PL_OK);
    assert_non_null(strstr(t, "2 done, 0 partly, 0 skipped, 0 not marked, 2 still to come."));
    pl_free(t);
    assert_int_equal(pl_screen_summary_html(&s, &t, &n, NULL), PL_OK);
    assert_int_equal(count(t, ">7:30 to come<"), 1);
    assert_int_equal(count(t, ">19:00 to come<"), 1);
    pl_free(t);
}

static void the_page_shows_map_load_program_and_changes(void **state)
{
    (void)state;
    struct pl_screen_summary s;
    summary_of(&s, true);
    char *h;
    size_t n;
    assert_int_equal(pl_screen_summary_html(&s, &h, &n, NULL), PL_OK);
    assert_true(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    assert_non_null(strstr(h, "</html>\n"));
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<?xml"));           /* inline SVG: no declarations */
    assert_non_null(strstr(h, "Ana &lt;Runner&gt;"));
    assert_null(strstr(h, "<Runner>"));
    assert_non_null(strstr(h, "Harbour &lt;10k&gt; Race"));
    /* The map: hamstrings (the signs), hip flexors, glutes. */
    assert_int_equal(count(h, "<path class=\"area flagged\""), 3);
    assert_int_equal(count(h, "<path class=\"area warning\""), 0);
    assert_non_null(strstr(h, "Hamstrings (the signs)"));
    /* The load chart, inline, and the program grid. */
    assert_int_equal(count(h, "<svg "), 2);
    assert_non_null(strstr(h, "Training load, 4 weeks to the screen"));
    assert_int_equal(count(h, ">7:30 done<"), 1);
    assert_int_equal(count(h, ">19:00 done<"), 1);
    assert_int_equal(count(h, ">7:30 skipped<"), 1);
    assert_int_equal(count(h, ">19:00 not marked<"), 1);
    assert_non_null(strstr(h, "See your therapist"));
    assert_non_null(strstr(h, "Since the screen of Mon 2026-02-23"));
    assert_non_null(strstr(h, "Hamstring work: indicated (moderate, score 3)."));
    assert_non_null(strstr(h, "Two-day program: 2 of 4 sessions done."));
    /* The ids in the page are unique. */
    assert_int_equal(count(h, "id=\"body-map-title\""), 1);
    assert_int_equal(count(h, "id=\"chart-title\""), 1);
    pl_free(h);

    /* Without a screen before, without load. */
    s.previous = NULL;
    s.days = NULL;
    s.ndays = 0;
    assert_int_equal(pl_screen_summary_html(&s, &h, &n, NULL), PL_OK);
    assert_non_null(strstr(h, "The first screen: nothing to compare with."));
    assert_non_null(strstr(h, "No activities in the 4 weeks before the screen."));
    assert_int_equal(count(h, "<svg "), 1);
    pl_free(h);
}

static void a_warning_sign_marks_its_areas_and_nothing_else(void **state)
{
    (void)state;
    struct pl_screen_summary s;
    summary_of(&s, true);
    /* As an answers file leaves them: areas unsure, signs no. */
    for (size_t i = scr.nred + scr.nsigns; i < scr.n; i++)
        ans_now.a[i] = PL_ANSWER_UNSURE;
    set(&ans_now, "calf-after-travel", PL_ANSWER_YES);
    pl_screen_evaluate(&scr, &ans_now, &res);
    assert_true(res.stopped);
    struct pl_body_mark m[PL_BODY_MARKS_MAX];
    size_t n = pl_screen_summary_marks(&s, m);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(m[i].tone, PL_BODY_WARNING);
    char *h, *t;
    size_t len;
    assert_int_equal(pl_screen_summary_html(&s, &h, &len, NULL), PL_OK);
    assert_non_null(strstr(h, "URGENT: a warning sign."));
    assert_non_null(strstr(h, "Not compared: a warning sign stopped this screen"));
    assert_int_equal(count(h, "<path class=\"area flagged\""), 0);
    assert_non_null(strstr(h, "None: a warning sign stopped the screen."));
    pl_free(h);
    assert_int_equal(pl_screen_summary_text(&s, &t, &len, NULL), PL_OK);
    assert_non_null(strstr(t, "Warning signs reported (URGENT): "));
    assert_non_null(strstr(t, "Advised: see a professional before any massage on Calves"));
    assert_null(strstr(t, "Signs:"));
    pl_free(t);
}

static void a_summary_without_its_parts_is_refused(void **state)
{
    (void)state;
    struct pl_screen_summary s;
    summary_of(&s, false);
    s.result = NULL;
    char *h = (char *)1;
    size_t n = 1;
    struct pl_diag d;
    assert_int_equal(pl_screen_summary_html(&s, &h, &n, &d), PL_EINVAL);
    assert_null(h);
    assert_int_equal(n, 0);
    assert_int_equal(pl_screen_summary_text(NULL, &h, &n, &d), PL_EINVAL);
    summary_of(&s, false);
    s.ndays = 3;
    s.days = NULL;
    assert_int_equal(pl_screen_summary_text(&s, &h, &n, &d), PL_EINVAL);
    /* A result that is not the screening's. */
    summary_of(&s, false);
    res.flags[0].q = scr.n;
    assert_int_equal(pl_screen_summary_html(&s, &h, &n, &d), PL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_mark_fills_its_region_on_both_sides_and_is_named),
        cmocka_unit_test(every_region_of_the_default_protocol_is_on_the_map),
        cmocka_unit_test(an_unknown_region_is_named_not_drawn_and_text_is_escaped),
        cmocka_unit_test(an_empty_map_says_so_and_bad_marks_are_refused),
        cmocka_unit_test(a_stored_screen_gives_its_answers_back),
        cmocka_unit_test(changes_name_what_came_and_went),
        cmocka_unit_test(the_note_says_what_the_runner_reported),
        cmocka_unit_test(the_page_shows_map_load_program_and_changes),
        cmocka_unit_test(a_warning_sign_marks_its_areas_and_nothing_else),
        cmocka_unit_test(a_summary_without_its_parts_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
