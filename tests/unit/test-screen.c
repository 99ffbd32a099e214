/*
 * test-screen.c - the self-screen of the default protocol: every sign and
 * area maps to its flags, every red flag stops the program, the program
 * has 4 sessions on 2 days and then "see your therapist", answers files
 * are read with line:column errors, and screens are stored with their
 * date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pliant.h"

enum { D0 = 20528 };   /* 2026-03-16 */

static struct pl_protocol *proto;
static struct pl_screening scr;
static struct pl_screen_result res;   /* large: not on the stack */

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

/* Everything answered no. */
static void all_no(struct pl_screen_answers *a)
{
    pl_screen_answers_init(a);
    a->day = D0;
    for (size_t i = 0; i < scr.n; i++)
        a->a[i] = PL_ANSWER_NO;
}

static size_t idx(const char *id)
{
    size_t i = SIZE_MAX;
    assert_non_null(pl_screening_find(&scr, id, &i));
    return i;
}

static bool flagged(const struct pl_screen_result *r, const char *id)
{
    size_t i = idx(id);
    for (size_t k = 0; k < r->nflags; k++)
        if (r->flags[k].q == i)
            return true;
    return false;
}

static bool covers(const struct pl_screen_question *q, const char *item)
{
    for (size_t i = 0; i < q->ncovers; i++)
        if (strcmp(q->covers[i], item) == 0)
            return true;
    return false;
}

static void the_default_screening_has_four_red_flags_six_signs_and_five_areas(void **state)
{
    (void)state;
    assert_int_equal(scr.nred, 4);
    assert_int_equal(scr.nsigns, 6);
    assert_int_equal(scr.nareas, 5);
    assert_int_equal(scr.days, 2);
    assert_int_equal(scr.time_min[0], 7 * 60 + 30);
    assert_int_equal(scr.time_min[1], 19 * 60);
    assert_non_null(scr.then);
    assert_string_equal(scr.then->id, "see-therapist");
    /* Red flags first, and the calf after travel is the urgent one. */
    for (size_t i = 0; i < scr.nred; i++) {
        assert_int_equal(scr.q[i].part, PL_SCREEN_RED_FLAG);
        assert_true(scr.q[i].action[0] != 0);
        assert_true(scr.q[i].nno_massage >= 1);
        assert_int_equal(scr.q[i].urgent, strcmp(scr.q[i].id, "calf-after-travel") == 0);
    }
    /* Every sign B1..B6 is asked, each with a check at home. */
    const char *b[] = { "B1", "B2", "B3", "B4", "B5", "B6" };
    for (size_t k = 0; k < 6; k++) {
        size_t hits = 0;
        for (size_t i = scr.nred; i < scr.nred + scr.nsigns; i++)
            if (covers(&scr.q[i], b[k])) {
                hits++;
                assert_true(scr.q[i].check[0] != 0);
            }
        assert_int_equal(hits, 1);
    }
    /* Each of the five areas has a test, a reading and a routine on it. */
    const char *g[] = { "hip-flexors", "abdominals", "glutes", "quadratus-lumborum",
                        "thoracolumbar-extensors" };
    for (size_t k = 0; k < 5; k++) {
        const struct pl_screen_question *q = pl_screening_find(&scr, g[k], NULL);
        assert_non_null(q);
        assert_int_equal(q->part, PL_SCREEN_AREA);
        assert_true(covers(q, "G1"));
        assert_string_equal(q->area->id, g[k]);
        assert_true(q->test[0] && q->reading[0] && q->check[0]);
        bool on_area = false;
        for (size_t s = 0; s < q->routine->nsteps; s++)
            on_area |= q->routine->steps[s].area == q->area;
        assert_true(on_area);
    }
}

static void nothing_found_means_no_program(void **state)
{
    (void)state;
    struct pl_screen_answers a;
    all_no(&a);
    pl_screen_evaluate(&scr, &a, &res);
    assert_false(res.stopped);
    assert_int_equal(res.nflags, 0);
    assert_int_equal(res.score, 0);
    assert_int_equal(res.strength, PL_SCREEN_NONE);
    assert_false(res.indicated);
    assert_int_equal(res.nsessions, 0);
    assert_null(res.then);
}

static void every_sign_maps_to_its_own_flag(void **state)
{
    (void)state;
    for (size_t i = scr.nred; i < scr.nred + scr.nsigns; i++) {
        struct pl_screen_answers a;
        all_no(&a);
        a.a[i] = PL_ANSWER_YES;
        pl_screen_evaluate(&scr, &a, &res);
        assert_int_equal(res.nflags, 1);
        assert_int_equal(res.flags[0].q, i);
        assert_true(res.flags[0].why[0] != 0);
        assert_int_equal(res.score, 1);
        assert_int_equal(res.strength, PL_SCREEN_WEAK);
        assert_false(res.indicated);
        assert_int_equal(res.nsessions, 0);   /* one sign alone: watch it */
        /* unsure is not yes */
        a.a[i] = PL_ANSWER_UNSURE;
        pl_screen_evaluate(&scr, &a, &res);
        assert_int_equal(res.nflags, 0);
    }
}

static void every_area_maps_to_its_flag_and_its_routine(void **state)
{
    (void)state;
    for (size_t i = scr.nred + scr.nsigns; i < scr.n; i++) {
        struct pl_screen_answers a;
        all_no(&a);
        a.a[i] = PL_ANSWER_YES;
        pl_screen_evaluate(&scr, &a, &res);
        assert_int_equal(res.nflags, 1);
        assert_int_equal(res.flags[0].q, i);
        assert_non_null(strstr(res.flags[0].why, scr.q[i].test));
        assert_false(res.all_areas);
        assert_int_equal(res.nsessions, 4);
        for (size_t s = 0; s < 4; s++) {
            assert_int_equal(res.sessions[s].nroutines, 1);
            assert_ptr_equal(res.sessions[s].routines[0], scr.q[i].routine);
        }
    }
}

static void long_sitting_raises_the_other_signs(void **state)
{
    (void)state;
    struct pl_screen_answers a;
    all_no(&a);
    a.a[idx("squat")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    assert_int_equal(res.score, 1);
    assert_false(res.indicated);
    a.a[idx("sitting")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    assert_int_equal(res.score, 3);
    assert_int_equal(res.strength, PL_SCREEN_MODERATE);
    assert_true(res.indicated);
    assert_true(flagged(&res, "sitting"));
    a.a[idx("hills")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    assert_int_equal(res.score, 4);
    assert_int_equal(res.strength, PL_SCREEN_STRONG);
    /* Without sitting, two signs are moderate. */
    a.a[idx("sitting")] = PL_ANSWER_NO;
    pl_screen_evaluate(&scr, &a, &res);
    assert_int_equal(res.score, 2);
    assert_int_equal(res.strength, PL_SCREEN_MODERATE);
}

static void every_red_flag_stops_the_program(void **state)
{
    (void)state;
    for (size_t i = 0; i < scr.nred; i++) {
        struct pl_screen_answers a;
        all_no(&a);
        /* everything else says: do the program */
        for (size_t k = scr.nred; k < scr.n; k++)
            a.a[k] = PL_ANSWER_YES;
        a.a[i] = PL_ANSWER_YES;
        pl_screen_evaluate(&scr, &a, &res);
        assert_true(res.stopped);
        assert_int_equal(res.urgent, scr.q[i].urgent);
        assert_true(flagged(&res, scr.q[i].id));
        assert_non_null(strstr(res.flags[0].why, scr.q[i].action));
        assert_int_equal(res.nsessions, 0);
        assert_null(res.then);
        assert_int_equal(res.nno_massage, scr.q[i].nno_massage);
        for (size_t k = 0; k < res.nno_massage; k++)
            assert_ptr_equal(res.no_massage[k], scr.q[i].no_massage[k]);
    }
    /* The calf after travel keeps massage off the calves. */
    struct pl_screen_answers a;
    all_no(&a);
    a.a[idx("calf-after-travel")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    assert_true(res.urgent);
    bool calves = false;
    for (size_t k = 0; k < res.nno_massage; k++)
        calves |= strcmp(res.no_massage[k]->id, "calves") == 0;
    assert_true(calves);
}

static void the_program_has_four_sessions_on_two_days_then_the_therapist(void **state)
{
    (void)state;
    struct pl_screen_answers a;
    all_no(&a);
    a.a[idx("squat")] = PL_ANSWER_YES;
    a.a[idx("deadlift")] = PL_ANSWER_YES;
    a.a[idx("glutes")] = PL_ANSWER_YES;
    a.a[idx("hip-flexors")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    assert_int_equal(res.nsessions, 4);
    int32_t days[2] = { 0, 0 };
    for (size_t s = 0; s < 4; s++) {
        const struct pl_screen_session *ss = &res.sessions[s];
        assert_true(ss->day == D0 || ss->day == D0 + 1);
        days[ss->day - D0]++;
        assert_int_equal(ss->evening, s % 2 == 1);
        assert_int_equal(ss->minute, ss->evening ? 19 * 60 : 7 * 60 + 30);
        /* the flagged areas, in the screening's order */
        assert_int_equal(ss->nroutines, 2);
        assert_string_equal(ss->routines[0]->id, "hip-flexor-stretch");
        assert_string_equal(ss->routines[1]->id, "glute-strength");
    }
    assert_int_equal(days[0], 2);
    assert_int_equal(days[1], 2);
    assert_int_equal(res.then_day, D0 + 2);
    assert_string_equal(res.then->id, "see-therapist");
}

static void unsure_about_the_areas_means_all_five(void **state)
{
    (void)state;
    struct pl_screen_answers a;
    all_no(&a);
    a.a[idx("squat")] = PL_ANSWER_YES;
    a.a[idx("sitting")] = PL_ANSWER_YES;
    for (size_t i = scr.nred + scr.nsigns; i < scr.n; i++)
        a.a[i] = PL_ANSWER_UNSURE;
    pl_screen_evaluate(&scr, &a, &res);
    assert_int_equal(res.nsessions, 4);
    assert_int_equal(res.sessions[0].nroutines, 5);
    /* indicated, but every test came out clean: still all five */
    for (size_t i = scr.nred + scr.nsigns; i < scr.n; i++)
        a.a[i] = PL_ANSWER_NO;
    pl_screen_evaluate(&scr, &a, &res);
    assert_true(res.all_areas);
    assert_int_equal(res.sessions[3].nroutines, 5);
}

static int parse(const char *y, struct pl_screen_answers *a, struct pl_diag *d)
{
    pl_screen_answers_init(a);
    return pl_screen_answers_parse(&scr, y, strlen(y), a, d);
}

static void an_answers_file_is_read(void **state)
{
    (void)state;
    struct pl_screen_answers a;
    struct pl_diag d;
    const char *y = "date: 2026-03-16\n"
                    "answers:\n"
                    "  thigh-pop: no\n  calf-after-travel: no\n  nerve-pain: n\n"
                    "  rest-pain: No\n  squat: yes\n  sitting: y\n  glutes: unsure\n"
                    "  abdominals: no\n";
    assert_int_equal(parse(y, &a, &d), PL_OK);
    assert_true(a.day_given);
    assert_int_equal(a.day, D0);
    assert_int_equal(a.a[idx("squat")], PL_ANSWER_YES);
    assert_int_equal(a.a[idx("hills")], PL_ANSWER_NO);          /* unanswered sign */
    assert_int_equal(a.a[idx("hip-flexors")], PL_ANSWER_UNSURE);  /* unanswered area */
    assert_int_equal(a.a[idx("abdominals")], PL_ANSWER_NO);
    pl_screen_evaluate(&scr, &a, &res);
    assert_true(res.indicated);
    assert_int_equal(res.sessions[0].nroutines, 4);   /* all but abdominals */
}

static void answers_file_errors_say_where(void **state)
{
    (void)state;
    struct pl_screen_answers a;
    struct pl_diag d;
    static const struct {
        const char *y;
        uint32_t line, col;
        const char *msg;
    } cases[] = {
        { "answers:\n  thigh-pop: maybe\n", 2, 14, "expected yes, no or unsure" },
        { "answers:\n  thigh-pup: no\n", 2, 3, "not a question" },
        { "answers:\n  squat: no\n  squat: yes\n", 3, 3, "answered twice" },
        { "answers:\n  squat: no\n", 2, 3, "'thigh-pop' must be answered" },
        { "answers:\n  squat: 'no\n", 3, 1, "YAML syntax" },
        { "date: 2026-02-30\nanswers: {}\n", 1, 7, "YYYY-MM-DD" },
        { "anwsers: {}\n", 1, 1, "expected date or answers" },
        { "- 1\n", 1, 1, "expected a mapping" },
        { "answers: &a {}\n", 1, 10, "anchors" },
        /* no final newline: at the end of the input, not past it */
        { "answers:\n  thigh-pop: no\n  calf:x", 3, 9, "YAML syntax" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse(cases[i].y, &a, &d);
        if (rc != PL_EFORMAT || d.line != cases[i].line || d.col != cases[i].col ||
            !strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: rc %d at %u:%u: %s", i, rc, d.line, d.col, d.msg);
    }
    char *big = calloc(PL_SCREEN_ANSWERS_BYTES_MAX + 2, 1);
    assert_non_null(big);
    memset(big, ' ', PL_SCREEN_ANSWERS_BYTES_MAX + 1);
    pl_screen_answers_init(&a);
    assert_int_equal(pl_screen_answers_parse(&scr, big, PL_SCREEN_ANSWERS_BYTES_MAX + 1, &a, &d),
                     PL_ELIMIT);
    free(big);
}

static int on_row(void *ctx, const struct pl_screen_record *r)
{
    struct pl_screen_record *out = ctx;
    out[out[0].id == 0 ? 0 : 1] = *r;
    return 0;
}

static void screens_are_stored_with_their_date(void **state)
{
    (void)state;
    char dir[] = "/tmp/test-screen-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/p.db", dir);
    struct pl_store *st = NULL;
    struct pl_diag d;
    assert_int_equal(pl_store_open(&st, path, &d), PL_OK);

    static struct pl_screen_record rec[2], got[2];
    struct pl_screen_answers a;
    all_no(&a);
    a.a[idx("squat")] = PL_ANSWER_YES;
    a.a[idx("sitting")] = PL_ANSWER_YES;
    a.a[idx("glutes")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    pl_screen_record_fill(&scr, &a, &res, pl_protocol_id(proto), 1773650000, &rec[0]);
    assert_string_equal(rec[0].signs, "squat,sitting");
    assert_string_equal(rec[0].areas, "glutes");
    assert_non_null(strstr(rec[0].answers, "thigh-pop=no,"));
    assert_int_equal(pl_screen_save(st, &rec[0], &d), PL_OK);
    assert_true(rec[0].id > 0);

    all_no(&a);
    a.day = D0 - 3;
    a.a[idx("thigh-pop")] = PL_ANSWER_YES;
    pl_screen_evaluate(&scr, &a, &res);
    pl_screen_record_fill(&scr, &a, &res, "hamstrings", 1773400000, &rec[1]);
    assert_int_equal(pl_screen_save(st, &rec[1], &d), PL_OK);

    memset(got, 0, sizeof got);
    assert_int_equal(pl_screen_list(st, on_row, got, &d), PL_OK);
    /* by day: the stopped one, three days earlier, first */
    assert_int_equal(got[0].day, D0 - 3);
    assert_true(got[0].stopped);
    assert_string_equal(got[0].red_flags, "thigh-pop");
    assert_string_equal(got[0].no_massage, "hamstrings,hamstring-origin");
    assert_string_equal(got[0].areas, "");
    assert_int_equal(got[1].day, D0);
    assert_int_equal(got[1].taken_s, 1773650000);
    assert_int_equal(got[1].strength, PL_SCREEN_MODERATE);
    assert_string_equal(got[1].answers, rec[0].answers);
    assert_string_equal(got[1].protocol, "hamstrings");

    pl_store_close(st);
    unlink(path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    rmdir(dir);
}

static void a_protocol_without_screening_is_not_found(void **state)
{
    (void)state;
    const char *y = "format: 1\nid: x\ntitle: X\nsafety:\n  note: n\n"
                    "areas:\n  - id: a\n    name: A\n"
                    "routines:\n  - id: r\n    title: R\n    kind: check\n"
                    "    steps:\n      - name: S\n        how: h\n"
                    "rules:\n  - id: e\n    trigger: every-day\n    routines:\n"
                    "      - routine: r\n        at: same-day\n";
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    assert_int_equal(pl_protocol_parse(y, strlen(y), &p, NULL, NULL, &d), PL_OK);
    static struct pl_screening s;
    assert_int_equal(pl_screening_read(p, &s, NULL, NULL, &d), PL_ENOTFOUND);
    pl_protocol_free(p);
}

static void screening_mistakes_are_reported_with_their_place(void **state)
{
    (void)state;
    const char *y = "format: 1\nid: x\ntitle: X\nsafety:\n  note: n\n"
                    "areas:\n  - id: a\n    name: A\n"
                    "routines:\n  - id: r\n    title: R\n    kind: check\n"
                    "    steps:\n      - name: S\n        how: h\n"
                    "rules:\n  - id: e\n    trigger: every-day\n    routines:\n"
                    "      - routine: r\n        at: same-day\n"
                    "screening:\n"
                    "  red-flags:\n    - id: f\n      question: q?\n      action: go\n"
                    "      no-massage: [b]\n"
                    "  signs:\n    - id: s\n      question: q?\n"
                    "  areas:\n    - id: a\n      area: a\n      routine: nope\n"
                    "      question: q?\n      test: T\n      reading: R\n";
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    assert_int_equal(pl_protocol_parse(y, strlen(y), &p, NULL, NULL, &d), PL_OK);
    static struct pl_screening s;
    assert_int_equal(pl_screening_read(p, &s, NULL, NULL, &d), PL_EFORMAT);
    assert_int_equal(d.line, 27);
    assert_non_null(strstr(d.msg, "area 'b'"));
    pl_protocol_free(p);
}

static void a_screen_day_triggers_the_program_in_the_plan(void **state)
{
    (void)state;
    struct pl_plan_input in;
    pl_plan_input_init(&in);
    in.from_day = D0;
    in.today = D0;
    in.ndays = 4;
    int32_t days[] = { D0 };
    in.screen_days = days;
    in.nscreen_days = 1;
    struct pl_plan plan;
    struct pl_diag d;
    assert_int_equal(pl_plan_make(proto, &in, &plan, &d), PL_OK);
    size_t per_day[4] = { 0 }, therapist = 0, sessions_am = 0, sessions_pm = 0;
    for (size_t i = 0; i < plan.nitems; i++) {
        const struct pl_plan_item *it = &plan.items[i];
        if (strcmp(it->trigger, "screening-result") != 0)
            continue;
        assert_true(it->day >= D0 && it->day < D0 + 4);
        per_day[it->day - D0]++;
        assert_non_null(strstr(it->reason, "self-screen of 2026-03-16"));
        if (strcmp(it->routine, "see-therapist") == 0) {
            therapist++;
            assert_int_equal(it->day, D0 + 2);
        } else if (strcmp(it->routine, "core-strength") == 0) {
            sessions_am += it->start_minute < 12 * 60;
            sessions_pm += it->start_minute >= 12 * 60;
        }
    }
    /* two sessions of five routines on each of two days, then the visit */
    assert_int_equal(per_day[0], 10);
    assert_int_equal(per_day[1], 10);
    assert_int_equal(per_day[2], 1);
    assert_int_equal(per_day[3], 0);
    assert_int_equal(therapist, 1);
    assert_int_equal(sessions_am, 2);
    assert_int_equal(sessions_pm, 2);
    pl_plan_release(&plan);

    /* The flagged areas' routines only; the visit stays. */
    const char *only[] = { "glute-strength,hip-flexor-stretch" };
    in.screen_routines = only;
    assert_int_equal(pl_plan_make(proto, &in, &plan, &d), PL_OK);
    size_t n = 0, glute = 0, visit = 0;
    for (size_t i = 0; i < plan.nitems; i++) {
        const struct pl_plan_item *it = &plan.items[i];
        if (strcmp(it->trigger, "screening-result") != 0)
            continue;
        n++;
        glute += strcmp(it->routine, "glute-strength") == 0;
        visit += strcmp(it->routine, "see-therapist") == 0;
        assert_string_not_equal(it->routine, "core-strength");
    }
    assert_int_equal(n, 9);
    assert_int_equal(glute, 4);
    assert_int_equal(visit, 1);
    pl_plan_release(&plan);
    in.screen_routines = NULL;

    /* A warning sign from the next day on holds the back release back,
     * with a note; the day before keeps it. */
    in.hold_routines = "back-release,flush-massage";
    in.hold_from_day = D0 + 1;
    assert_int_equal(pl_plan_make(proto, &in, &plan, &d), PL_OK);
    size_t back[2] = { 0, 0 };
    for (size_t i = 0; i < plan.nitems; i++)
        if (strcmp(plan.items[i].routine, "back-release") == 0 && plan.items[i].day < D0 + 2)
            back[plan.items[i].day - D0]++;
    assert_int_equal(back[0], 2);
    assert_int_equal(back[1], 0);
    bool noted = false;
    for (size_t i = 0; i < plan.nnotes; i++)
        noted |= plan.notes[i].day == D0 + 1 &&
                 strstr(plan.notes[i].text, "no Lower and middle back release: a warning sign") !=
                     NULL;
    assert_true(noted);
    pl_plan_release(&plan);
    in.hold_routines = NULL;

    /* No screen: nothing from the rule. */
    in.nscreen_days = 0;
    assert_int_equal(pl_plan_make(proto, &in, &plan, &d), PL_OK);
    for (size_t i = 0; i < plan.nitems; i++)
        assert_string_not_equal(plan.items[i].trigger, "screening-result");
    pl_plan_release(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_default_screening_has_four_red_flags_six_signs_and_five_areas),
        cmocka_unit_test(nothing_found_means_no_program),
        cmocka_unit_test(every_sign_maps_to_its_own_flag),
        cmocka_unit_test(every_area_maps_to_its_flag_and_its_routine),
        cmocka_unit_test(long_sitting_raises_the_other_signs),
        cmocka_unit_test(every_red_flag_stops_the_program),
        cmocka_unit_test(the_program_has_four_sessions_on_two_days_then_the_therapist),
        cmocka_unit_test(unsure_about_the_areas_means_all_five),
        cmocka_unit_test(an_answers_file_is_read),
        cmocka_unit_test(answers_file_errors_say_where),
        cmocka_unit_test(screens_are_stored_with_their_date),
        cmocka_unit_test(a_protocol_without_screening_is_not_found),
        cmocka_unit_test(screening_mistakes_are_reported_with_their_place),
        cmocka_unit_test(a_screen_day_triggers_the_program_in_the_plan),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
