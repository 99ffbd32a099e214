/*
 * test-protocol.c - protocols as data (lib/recovery/protocol.c): the default
 * protocol carries every item of the hamstring protocol and the facts
 * that the planner depends on; every kind of error in a protocol file is
 * reported at its exact line:column, all of them in one go; hostile files
 * stop at a limit; and loading survives every allocation failure without
 * a leak.
 *
 * The items come from ../shared/seed/PROTOCOL.md (relative to the
 * repository root, where tests/run-all.sh runs us) when it is there;
 * otherwise from the list below, taken from that file's items A1-G3 (H1,
 * the replies under the article, is a feature of its own, not a protocol
 * item). When the file is there, the two must agree, so that the list
 * cannot drift from its source unnoticed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

#define SEED_PROTOCOL_MD "../shared/seed/PROTOCOL.md"

/* From PROTOCOL.md, sections A to G. */
static const char *const known_items[] = {
    "A1", "A2", "A3", "A4",
    "B1", "B2", "B3", "B4", "B5", "B6",
    "C1", "C2",
    "D1", "D2", "D3", "D4", "D5", "D6",
    "E1",
    "F1", "F2",
    "G1", "G2", "G3",
};
#define NKNOWN (sizeof known_items / sizeof known_items[0])

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

struct errlist {
    struct pl_diag v[128];
    size_t n;
};

static void collect(void *ctx, const struct pl_diag *e)
{
    struct errlist *l = ctx;
    if (l->n < sizeof l->v / sizeof l->v[0])
        l->v[l->n++] = *e;
}

static struct pl_protocol *load_default(void)
{
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    int rc = pl_protocol_builtin(NULL, &p, &d);
    if (rc != 0)
        fail_msg("the default protocol does not load: %s at %u:%u", d.msg, d.line, d.col);
    return p;
}

static void print_errors(const struct errlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        print_message("  %u:%u: %s\n", l->v[i].line, l->v[i].col, l->v[i].msg);
}

/* Load yaml; it must fail with `code` and report, among its errors, one at
 * line:col whose message contains `text`. Returns the error list. */
static void expect_error(const char *yaml, int code, uint32_t line, uint32_t col, const char *text)
{
    struct errlist l = { .n = 0 };
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    int rc = pl_protocol_parse(yaml, strlen(yaml), &p, collect, &l, &d);
    assert_null(p);
    if (rc != code) {
        print_errors(&l);
        fail_msg("expected %s, got %s", pl_err_name(code), pl_err_name(rc));
    }
    assert_true(l.n > 0);
    /* diag holds the first of them. */
    assert_int_equal(d.line, l.v[0].line);
    assert_string_equal(d.msg, l.v[0].msg);
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].line == line && l.v[i].col == col && strstr(l.v[i].msg, text))
            return;
    print_errors(&l);
    fail_msg("no error at %u:%u containing \"%s\"", line, col, text);
}

/* A small valid protocol; each error test changes one line of it. */
static const char *const base_lines[] = {
    /*  1 */ "id: t",
    /*  2 */ "title: T",
    /*  3 */ "safety:",
    /*  4 */ "  note: N",
    /*  5 */ "areas:",
    /*  6 */ "  - {id: a, name: A}",
    /*  7 */ "routines:",
    /*  8 */ "  - id: r",
    /*  9 */ "    title: R",
    /* 10 */ "    kind: massage",
    /* 11 */ "    steps:",
    /* 12 */ "      - {area: a, duration: 3 min, how: H}",
    /* 13 */ "rules:",
    /* 14 */ "  - id: u",
    /* 15 */ "    trigger: travel",
    /* 16 */ "    routines:",
    /* 17 */ "      - {routine: r, at: after, window: [0 min, 1 h]}",
};
#define NBASE (sizeof base_lines / sizeof base_lines[0])

static char doc[1 << 16];

/* The base with lines first..last (1-based) replaced by `text` (which may
 * hold several lines); first 0 appends text at the end. */
static const char *with_lines(unsigned first, unsigned last, const char *text)
{
    size_t o = 0;
    for (unsigned i = 1; i <= NBASE; i++) {
        if (i == first)
            o += (size_t)snprintf(doc + o, sizeof doc - o, "%s\n", text);
        if (i < first || i > last)
            o += (size_t)snprintf(doc + o, sizeof doc - o, "%s\n", base_lines[i - 1]);
    }
    if (first == 0)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "%s\n", text);
    assert_true(o < sizeof doc);
    return doc;
}

static const char *with_line(unsigned line, const char *text)
{
    return with_lines(line, line, text);
}

static void error_at(unsigned line, const char *text, uint32_t el, uint32_t ec, const char *msg)
{
    expect_error(with_line(line, text), PL_EFORMAT, el, ec, msg);
}

/* ------------------------------------------------------------------ */
/* The default protocol                                                 */
/* ------------------------------------------------------------------ */

static void the_default_protocol_loads(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    assert_string_equal(pl_protocol_id(p), "hamstrings");
    assert_string_equal(pl_protocol_builtin_name(0), "hamstrings");
    assert_null(pl_protocol_builtin_name(1));
    assert_true(strlen(pl_protocol_title(p)) > 0);
    assert_non_null(pl_protocol_screening(p));   /* read by lib/recovery/screen.c */
    pl_protocol_free(p);
}

/* Item ids of PROTOCOL.md: lines "- X9. ..." in sections A to G. Returns
 * the count, or -1 when the file is not there. */
static int read_seed_items(char items[][8], int max)
{
    FILE *f = fopen(SEED_PROTOCOL_MD, "r");
    if (!f)
        return -1;
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char c = line[2];
        if (line[0] == '-' && line[1] == ' ' && c >= 'A' && c <= 'G' && line[3] >= '1' &&
            line[3] <= '9') {
            size_t k = 3;
            while (line[k] >= '0' && line[k] <= '9')
                k++;
            if (line[k] != '.' || k - 2 >= 8 || n >= max)
                continue;
            memcpy(items[n], line + 2, k - 2);
            items[n][k - 2] = '\0';
            n++;
        }
    }
    fclose(f);
    return n;
}

static void every_item_a1_to_g3_is_covered(void **state)
{
    (void)state;
    char seed[64][8];
    int n = read_seed_items(seed, 64);
    if (n < 0) {
        print_message("note: %s is not there; using the list in this test\n", SEED_PROTOCOL_MD);
    } else {
        /* The list here must be the file's. */
        assert_int_equal((size_t)n, NKNOWN);
        for (int i = 0; i < n; i++)
            assert_string_equal(seed[i], known_items[i]);
    }
    struct pl_protocol *p = load_default();
    size_t missing = 0;
    for (size_t i = 0; i < NKNOWN; i++)
        if (!pl_protocol_covers(p, known_items[i])) {
            print_message("item %s is not covered by any routine or rule\n", known_items[i]);
            missing++;
        }
    assert_int_equal(missing, 0);
    assert_false(pl_protocol_covers(p, "H1"));
    assert_false(pl_protocol_covers(p, "Z9"));
    pl_protocol_free(p);
}

static void every_routine_and_rule_names_what_it_carries_and_is_used(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    for (size_t i = 0; i < pl_protocol_rule_count(p); i++) {
        const struct pl_rule *r = pl_protocol_rule(p, i);
        if (r->ncovers == 0)
            fail_msg("rule %s covers nothing", r->id);
    }
    for (size_t i = 0; i < pl_protocol_routine_count(p); i++) {
        const struct pl_routine *ro = pl_protocol_routine(p, i);
        if (ro->ncovers == 0)
            fail_msg("routine %s covers nothing", ro->id);
        bool used = false;
        for (size_t j = 0; j < pl_protocol_rule_count(p) && !used; j++) {
            const struct pl_rule *r = pl_protocol_rule(p, j);
            for (size_t k = 0; k < r->nentries; k++)
                used |= r->entries[k].routine == ro;
        }
        if (!used)
            fail_msg("routine %s is scheduled by no rule", ro->id);
        for (size_t k = 0; k < ro->nsteps; k++)
            assert_true(strlen(ro->steps[k].how) > 0 && strlen(ro->steps[k].name) > 0);
    }
    pl_protocol_free(p);
}

static void the_vocabulary_has_the_areas_the_protocol_names(void **state)
{
    (void)state;
    static const char *const areas[] = {
        "hamstring-origin", "hamstrings", "glutes", "whole-back", "thoracolumbar-extensors",
        "quadratus-lumborum", "hip-flexors", "abdominals", "calves", "back-of-knee",
    };
    struct pl_protocol *p = load_default();
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
        const struct pl_area *a = pl_protocol_area_find(p, areas[i]);
        if (!a)
            fail_msg("no area %s", areas[i]);
        assert_true(strlen(a->name) > 0);
    }
    assert_string_equal(pl_protocol_area_find(p, "thoracolumbar-extensors")->name,
                        "Lower and middle back");
    pl_protocol_free(p);
}

static void the_flush_goes_from_the_origin_to_the_whole_back(void **state)
{
    (void)state;
    static const char *const order[] = { "hamstring-origin", "hamstrings", "glutes",
                                         "whole-back" };
    struct pl_protocol *p = load_default();
    const struct pl_routine *r = pl_protocol_routine_find(p, "flush-massage");
    assert_non_null(r);
    assert_int_equal(r->kind, PL_ROUTINE_MASSAGE);
    assert_int_equal(r->nsteps, 4);
    uint32_t sum = 0;
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(r->steps[i].area);
        assert_string_equal(r->steps[i].area->id, order[i]);
        assert_true(r->steps[i].duration_s > 0);
        assert_true(strlen(r->steps[i].how) > 0);
        sum += r->steps[i].duration_s;
    }
    assert_int_equal(r->duration_s, sum);
    pl_protocol_free(p);
}

static void after_travel_comes_soak_flush_water_food_then_deep_tissue(void **state)
{
    (void)state;
    static const char *const order[] = { "hot-shower-or-soak", "flush-massage", "water",
                                         "anti-inflammatory-food", "deep-tissue" };
    struct pl_protocol *p = load_default();
    const struct pl_rule *r = pl_protocol_rule_find(p, "after-travel");
    assert_non_null(r);
    assert_int_equal(r->trigger, PL_TRIGGER_TRAVEL);
    assert_int_equal(r->nentries, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(r->entries[i].routine->id, order[i]);
    assert_int_equal(r->entries[0].timing.at, PL_AT_AFTER);
    assert_int_equal(r->entries[0].timing.of, PL_TRIGGER_TRAVEL);
    for (size_t i = 1; i < 4; i++)
        assert_int_equal(r->entries[i].timing.at, PL_AT_THEN);
    /* The deep tissue work ends 40 to 60 minutes before the evening run. */
    const struct pl_timing *t = &r->entries[4].timing;
    assert_int_equal(t->at, PL_AT_BEFORE);
    assert_int_equal(t->of, PL_TRIGGER_EVENING_RUN);
    assert_int_equal(t->window_s_min, 40 * 60);
    assert_int_equal(t->window_s_max, 60 * 60);
    pl_protocol_free(p);
}

static void deep_tissue_is_deep_work_then_myofascial_then_a_warm_towel(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    const struct pl_routine *r = pl_protocol_routine_find(p, "deep-tissue");
    assert_non_null(r);
    assert_int_equal(r->nsteps, 3);
    assert_string_equal(r->steps[0].name, "Deep tissue massage");
    assert_string_equal(r->steps[1].name, "Myofascial release");
    assert_string_equal(r->steps[2].name, "Warm towel");
    assert_string_equal(r->steps[0].area->id, "hamstrings");
    assert_non_null(strstr(r->caution, "24 hours before a race"));
    pl_protocol_free(p);
}

static void after_a_hard_session_the_flush_then_a_hot_shower(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    const struct pl_rule *r = pl_protocol_rule_find(p, "after-hard-session");
    assert_non_null(r);
    assert_int_equal(r->trigger, PL_TRIGGER_HARD_SESSION);
    assert_int_equal(r->nentries, 2);
    assert_string_equal(r->entries[0].routine->id, "flush-massage");
    assert_string_equal(r->entries[1].routine->id, "hot-shower");
    assert_int_equal(r->entries[1].timing.at, PL_AT_THEN);
    /* The same flush as after travel: one routine, not a copy. */
    assert_ptr_equal(r->entries[0].routine,
                     pl_protocol_rule_find(p, "after-travel")->entries[1].routine);
    pl_protocol_free(p);
}

static void no_deep_tissue_within_24_hours_before_a_race(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    const struct pl_routine *deep = pl_protocol_routine_find(p, "deep-tissue");
    const struct pl_routine *flush = pl_protocol_routine_find(p, "flush-massage");
    const struct pl_constraint *c = NULL;
    for (size_t i = 0; i < pl_protocol_constraint_count(p); i++)
        if (strcmp(pl_protocol_constraint(p, i)->id, "no-deep-tissue-before-race") == 0)
            c = pl_protocol_constraint(p, i);
    assert_non_null(c);
    assert_int_equal(c->avoid, PL_AVOID_BEFORE);
    assert_int_equal(c->of, PL_TRIGGER_RACE);
    assert_int_equal(c->within_s, 24 * 3600);
    assert_int_equal(c->nroutines, 1);
    assert_ptr_equal(c->routines[0], deep);

    const int64_t race = 1800000000;   /* any instant */
    const int64_t race_end = race + 3 * 3600;
    int64_t len = deep->duration_s;
    /* Ending exactly 24 h before is fine; a minute later is not. */
    assert_true(pl_constraint_allows(c, deep, race - 24 * 3600 - len, race, race_end));
    assert_false(pl_constraint_allows(c, deep, race - 24 * 3600 - len + 60, race, race_end));
    assert_false(pl_constraint_allows(c, deep, race - 3600, race, race_end));
    /* After the race the constraint does not apply. */
    assert_true(pl_constraint_allows(c, deep, race_end + 600, race, race_end));
    /* The flush is not named. */
    assert_true(pl_constraint_allows(c, flush, race - 3600, race, race_end));
    pl_protocol_free(p);
}

static void recovery_is_daily_and_stretching_is_not_left_for_tomorrow(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    const struct pl_rule *r = pl_protocol_rule_find(p, "every-day");
    assert_non_null(r);
    assert_int_equal(r->trigger, PL_TRIGGER_EVERY_DAY);
    assert_int_equal(r->entries[0].timing.at, PL_AT_SAME_DAY);
    assert_string_equal(r->entries[0].routine->id, "daily-care");
    assert_int_equal(r->entries[0].routine->kind, PL_ROUTINE_MOBILITY);
    pl_protocol_free(p);
}

static void five_areas_twice_a_day_for_two_days_then_the_therapist(void **state)
{
    (void)state;
    static const char *const five[] = { "abdominals", "thoracolumbar-extensors", "glutes",
                                        "hip-flexors", "quadratus-lumborum" };
    struct pl_protocol *p = load_default();
    const struct pl_rule *r = pl_protocol_rule_find(p, "two-day-program");
    assert_non_null(r);
    assert_int_equal(r->trigger, PL_TRIGGER_SCREENING_RESULT);
    assert_int_equal(r->nentries, 6);
    assert_int_equal(r->entries[0].timing.at, PL_AT_TWICE_DAILY);
    assert_int_equal(r->entries[0].timing.days, 2);
    assert_int_equal(r->entries[0].timing.time_min[0], 7 * 60 + 30);
    assert_int_equal(r->entries[0].timing.time_min[1], 19 * 60);
    for (size_t i = 0; i < 5; i++) {
        const struct pl_routine *ro = r->entries[i].routine;
        if (i > 0)
            assert_int_equal(r->entries[i].timing.at, PL_AT_THEN);
        /* Each of the five works its own area. */
        bool found = false;
        for (size_t s = 0; s < ro->nsteps; s++)
            found |= ro->steps[s].area && strcmp(ro->steps[s].area->id, five[i]) == 0;
        if (!found)
            fail_msg("routine %s does not work %s", ro->id, five[i]);
    }
    assert_string_equal(r->entries[5].routine->id, "see-therapist");
    assert_int_equal(r->entries[5].timing.at, PL_AT_DAYS_LATER);
    assert_int_equal(r->entries[5].timing.days, 2);
    pl_protocol_free(p);
}

static void the_safety_note_and_the_red_flags_say_what_they_must(void **state)
{
    (void)state;
    struct pl_protocol *p = load_default();
    const char *note = pl_protocol_safety_note(p);
    assert_non_null(strstr(note, "healthy runners"));
    assert_non_null(strstr(note, "not a diagnosis"));
    assert_int_equal(pl_protocol_red_flag_count(p), 3);
    size_t urgent = 0;
    bool dvt = false, pop = false, numb = false;
    for (size_t i = 0; i < 3; i++) {
        const struct pl_red_flag *f = pl_protocol_red_flag(p, i);
        urgent += f->urgent;
        dvt |= f->urgent && strstr(f->action, "deep-vein thrombosis") &&
               strstr(f->sign, "swelling") && strstr(f->sign, "long journey");
        pop |= strstr(f->sign, "pop") && strstr(f->sign, "back of the thigh");
        numb |= strstr(f->sign, "Numbness") && strstr(f->sign, "down the leg");
    }
    assert_int_equal(urgent, 1);
    assert_true(dvt && pop && numb);
    /* The arnica caution: skin only, gel or cream, not swallowed except as
     * a homeopathic preparation. */
    const struct pl_routine *food = pl_protocol_routine_find(p, "anti-inflammatory-food");
    assert_non_null(food);
    assert_int_equal(food->kind, PL_ROUTINE_NUTRITION);
    assert_non_null(strstr(food->caution, "skin only"));
    assert_non_null(strstr(food->caution, "gel or a cream"));
    assert_non_null(strstr(food->caution, "swallow"));
    assert_non_null(strstr(food->caution, "homeopathic"));
    pl_protocol_free(p);
}

static void names_and_kinds_round_trip(void **state)
{
    (void)state;
    for (int k = 1; k < PL_ROUTINE_KIND_COUNT_; k++)
        assert_int_equal(pl_routine_kind_parse(pl_routine_kind_name(k)), k);
    for (int t = 1; t < PL_TRIGGER_COUNT_; t++)
        assert_int_equal(pl_trigger_parse(pl_trigger_name(t)), t);
    for (int a = 1; a < PL_AT_COUNT_; a++)
        assert_non_null(pl_timing_at_name(a));
    assert_null(pl_routine_kind_name(0));
    assert_null(pl_trigger_name(PL_TRIGGER_COUNT_));
    assert_int_equal(pl_trigger_parse("Travel"), -1);
    assert_true(pl_trigger_is_event(PL_TRIGGER_EVENING_RUN));
    assert_false(pl_trigger_is_event(PL_TRIGGER_EVERY_DAY));
}

static void the_base_of_the_error_tests_is_valid(void **state)
{
    (void)state;
    struct errlist l = { .n = 0 };
    struct pl_protocol *p = NULL;
    const char *y = with_line(0, "");
    int rc = pl_protocol_parse(y, strlen(y), &p, collect, &l, NULL);
    print_errors(&l);
    assert_int_equal(rc, 0);
    assert_int_equal(l.n, 0);
    /* A first entry without `at` on an event trigger: after, 0 to 2 h. */
    pl_protocol_free(p);
    y = with_line(17, "      - r");
    rc = pl_protocol_parse(y, strlen(y), &p, collect, &l, NULL);
    assert_int_equal(rc, 0);
    const struct pl_timing *t = &pl_protocol_rule(p, 0)->entries[0].timing;
    assert_int_equal(t->at, PL_AT_AFTER);
    assert_int_equal(t->window_s_min, 0);
    assert_int_equal(t->window_s_max, 7200);
    pl_protocol_free(p);
}

/* ------------------------------------------------------------------ */
/* Errors, each at its line:column                                      */
/* ------------------------------------------------------------------ */

static void an_unknown_key_is_reported_with_a_suggestion(void **state)
{
    (void)state;
    error_at(9, "    titel: R", 9, 5, "unknown key 'titel' in a routine: did you mean 'title'?");
    error_at(9, "    titel: R", 8, 5, "a routine: missing 'title'");
}

static void an_unknown_top_level_key_lists_the_known_ones(void **state)
{
    (void)state;
    error_at(0, "extra: 1", 18, 1, "expected one of format, id, title, safety");
}

static void a_misspelt_kind_is_reported(void **state)
{
    (void)state;
    error_at(10, "    kind: massag", 10, 11, "kind: expected one of massage, self-massage");
    error_at(10, "    kind: massag", 10, 11, "did you mean 'massage'?");
}

static void a_missing_required_key_is_reported_at_its_mapping(void **state)
{
    (void)state;
    error_at(10, "    why: W", 8, 5, "a routine: missing 'kind'");
}

static void a_step_naming_an_unknown_area_is_reported(void **state)
{
    (void)state;
    error_at(12, "      - {area: b, duration: 3 min, how: H}", 12, 16, "no area 'b' in areas");
}

static void a_duration_needs_a_unit(void **state)
{
    (void)state;
    error_at(12, "      - {area: a, duration: 3, how: H}", 12, 29,
             "expected a duration with its unit");
    error_at(12, "      - {area: a, duration: 25 h, how: H}", 12, 29, "from 1 s to 24 h");
    error_at(12, "      - {area: a, duration: 3 min, reps: 5, how: H}", 12, 29,
             "a duration or reps, not both");
    error_at(12, "      - {area: a, reps: 0, how: H}", 12, 25, "reps: expected repetitions");
    error_at(12, "      - {area: a, name: N, how: H, sets: 2}", 12, 42, "needs 'reps' too");
}

static void a_step_without_area_needs_a_name(void **state)
{
    (void)state;
    error_at(12, "      - {how: H}", 12, 9, "needs a 'name'");
}

static void a_text_key_given_a_list_is_reported(void **state)
{
    (void)state;
    error_at(2, "title: [T]", 2, 8, "title: expected text, found a list");
    error_at(2, "title:", 2, 7, "title: expected text, found nothing");
}

static void a_list_key_given_text_is_reported(void **state)
{
    (void)state;
    expect_error(with_lines(11, 12, "    steps: x"), PL_EFORMAT, 11, 12,
                 "steps: expected a list");
    expect_error(with_lines(11, 12, "    steps: []"), PL_EFORMAT, 11, 12,
                 "expected at least one step");
    expect_error(with_lines(5, 6, "areas:"), PL_EFORMAT, 5, 7, "expected at least one area");
}

static void an_id_must_be_lowercase_letters_digits_and_dashes(void **state)
{
    (void)state;
    error_at(1, "id: Bad_Id", 1, 5, "expected an id of lowercase letters");
}

static void a_duplicate_id_is_reported_at_the_second(void **state)
{
    (void)state;
    error_at(6, "  - {id: a, name: A}\n  - {id: a, name: B}", 7, 10, "area 'a' is defined twice");
}

static void a_duplicate_key_is_reported_at_the_second(void **state)
{
    (void)state;
    error_at(2, "title: T\ntitle: U", 3, 1, "key 'title' appears twice in this mapping (first at 2:1)");
    /* A third is reported against the first too. */
    error_at(2, "title: T\ntitle: U\ntitle: V", 4, 1, "key 'title' appears twice in this mapping (first at 2:1)");
}

static void covers_must_be_unique_item_ids(void **state)
{
    (void)state;
    error_at(10, "    kind: massage\n    covers: [D1, D1]", 11, 18, "D1 is listed twice");
    error_at(10, "    kind: massage\n    covers: [\"x y\"]", 11, 14, "expected item ids");
}

static void a_rule_naming_an_unknown_routine_is_reported(void **state)
{
    (void)state;
    error_at(17, "      - {routine: x, at: after}", 17, 19, "no routine 'x' in routines");
}

static void a_misspelt_trigger_is_reported(void **state)
{
    (void)state;
    error_at(15, "    trigger: travle", 15, 14, "did you mean 'travel'?");
}

static void the_first_routine_of_a_rule_cannot_follow_another(void **state)
{
    (void)state;
    error_at(17, "      - {routine: r, at: then}", 17, 26, "nothing before it");
}

static void before_needs_a_window_and_windows_go_nearest_first(void **state)
{
    (void)state;
    error_at(17, "      - {routine: r, at: before}", 17, 26, "at: before needs a window");
    error_at(17, "      - {routine: r, at: after, window: [2 h, 1 h]}", 17, 41,
             "must not be larger than the second");
    error_at(17, "      - {routine: r, at: after, window: [1 h]}", 17, 41,
             "expected two durations");
}

static void before_and_after_need_an_event_with_a_time(void **state)
{
    (void)state;
    error_at(17, "      - {routine: r, at: before, of: rest-day, window: [1 h, 2 h]}", 17, 38,
             "'rest-day' is a whole day");
    error_at(15, "    trigger: every-day", 17, 26, "the rule's trigger 'every-day' has none");
}

static void a_timing_key_that_does_not_apply_is_reported(void **state)
{
    (void)state;
    error_at(17, "      - {routine: r, at: same-day, window: [1 h, 2 h]}", 17, 44,
             "window: not used with at: same-day");
}

static void twice_daily_needs_days_and_times_in_order(void **state)
{
    (void)state;
    error_at(17, "      - {routine: r, at: twice-daily}", 17, 26, "needs 'days'");
    error_at(17, "      - {routine: r, at: twice-daily, days: 15}", 17, 45, "from 1 to 14");
    error_at(17, "      - {routine: r, at: twice-daily, days: 2, times: ['19:00', '07:30']}", 17,
             55, "the morning time first");
    error_at(17, "      - {routine: r, at: same-day, time: '25:00'}", 17, 42,
             "expected a time of day as HH:MM");
}

static void a_constraint_must_name_what_it_holds_for(void **state)
{
    (void)state;
    error_at(0, "constraints:\n  - {id: c, avoid: before, of: race, within: 24 h}", 19, 5,
             "name what it holds for");
    error_at(0, "constraints:\n  - {id: c, avoid: during, of: race, within: 24 h, routines: [r]}",
             19, 20, "avoid: expected one of before, after");
    error_at(0, "constraints:\n  - {id: c, avoid: before, of: race, within: 0 min, routines: [r]}",
             19, 46, "within: expected a duration from 1 s");
}

static void red_flags_take_true_or_false_and_known_areas(void **state)
{
    (void)state;
    error_at(4, "  note: N\n  red-flags:\n    - {id: f, sign: S, action: A, urgent: yes}", 6, 43,
             "urgent: expected true or false");
    error_at(4, "  note: N\n  red-flags:\n    - {id: f, sign: S, action: A, areas: [b]}", 6, 43,
             "no area 'b'");
    /* A flag dropped for its id leaves nothing behind for the next one. */
    error_at(4, "  note: N\n  red-flags:\n    - {id: F, sign: S, action: A, urgent: true, areas: [a, a]}\n"
                "    - {id: g, sign: S, action: A, areas: [a, b]}", 7, 46, "no area 'b'");
}

static void a_newer_format_is_refused(void **state)
{
    (void)state;
    error_at(1, "format: 2\nid: t", 1, 9, "this pliant reads format 1");
}

static void anchors_and_aliases_are_refused(void **state)
{
    (void)state;
    error_at(2, "title: &x T", 2, 8, "anchors (&x) are not allowed");
    error_at(4, "  note: *x", 4, 9, "aliases (*x) are not allowed");
}

static void tags_are_refused(void **state)
{
    (void)state;
    error_at(2, "title: !!str T", 2, 8, "tags");
}

static void a_yaml_syntax_error_says_where_and_what(void **state)
{
    (void)state;
    error_at(6, "  - {id: a, name: A", 7, 9, "did not find expected ',' or '}'");
    error_at(2, "\ttitle: T", 2, 1, "a tab: YAML indents with spaces only");
    /* At the end of a file without a final newline, libyaml's mark is on a
     * line the file does not have: the error is put where the file ends. */
    expect_error("id: t\ntitle: [T", PL_EFORMAT, 2, 10, "did not find expected ',' or ']'");
}

static void a_second_document_is_refused(void **state)
{
    (void)state;
    error_at(0, "---\nid: u", 18, 1, "a second YAML document");
}

static void an_empty_file_or_a_list_is_not_a_protocol(void **state)
{
    (void)state;
    expect_error("", PL_EFORMAT, 1, 1, "the file is empty");
    expect_error("# only a comment\n", PL_EFORMAT, 1, 1, "the file is empty");
    expect_error("- a\n- b\n", PL_EFORMAT, 1, 1, "expected a mapping");
    /* An empty value at the very end of a file without a final newline is
     * placed where the file ends, not on a line after it. */
    expect_error("---", PL_EFORMAT, 1, 4, "expected a mapping (key: value lines), found nothing");
    expect_error("id: t\ntitle:", PL_EFORMAT, 2, 7, "title: expected text, found nothing");
}

static void text_that_is_not_utf8_is_refused(void **state)
{
    (void)state;
    expect_error("id: t\ntitle: \xff\n", PL_EFORMAT, 2, 8, "a protocol file is UTF-8 text");
}

static void a_nul_in_text_is_refused(void **state)
{
    (void)state;
    error_at(2, "title: \"a\\0b\"", 2, 8, "NUL");
}

static void every_error_is_reported_in_file_order(void **state)
{
    (void)state;
    /* Mistakes in areas, routines and rules, found by passes in another
     * order, come out sorted by line. */
    const char *y = "id: t\n"
                    "title: T\n"
                    "safety: {note: N}\n"
                    "rules:\n"
                    "  - {id: u, trigger: nope, routines: [zzz]}\n"
                    "routines:\n"
                    "  - {id: r, title: R, kind: nope, steps: [{area: q, how: H}]}\n"
                    "areas:\n"
                    "  - {id: a}\n";
    struct errlist l = { .n = 0 };
    struct pl_protocol *p = NULL;
    assert_int_equal(pl_protocol_parse(y, strlen(y), &p, collect, &l, NULL), PL_EFORMAT);
    assert_int_equal(l.n, 5);
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.v[i - 1].line < l.v[i].line ||
                    (l.v[i - 1].line == l.v[i].line && l.v[i - 1].col <= l.v[i].col));
    assert_int_equal(l.v[0].line, 5);
    assert_int_equal(l.v[l.n - 1].line, 9);
}

/* ------------------------------------------------------------------ */
/* Limits                                                               */
/* ------------------------------------------------------------------ */

static void nesting_deeper_than_the_limit_stops_the_reading(void **state)
{
    (void)state;
    /* Root and safety mappings are two levels; the 15th '[' is the 17th. */
    expect_error(with_line(4, "  note: [[[[[[[[[[[[[[[[[[[[[[[["), PL_ELIMIT, 4, 23,
                 "nested deeper than 16 levels");
}

static void a_text_longer_than_the_limit_is_refused(void **state)
{
    (void)state;
    static char big[8192];
    memcpy(big, "  note: ", 8);
    memset(big + 8, 'x', 5000);
    big[5008] = '\0';
    expect_error(with_line(4, big), PL_ELIMIT, 4, 9, "text of 5000 bytes");
}

static void too_many_errors_are_counted_not_listed(void **state)
{
    (void)state;
    static char y[1 << 16];
    size_t o = (size_t)snprintf(y, sizeof y, "%s", with_line(0, ""));
    for (int i = 0; i < 150; i++)
        o += (size_t)snprintf(y + o, sizeof y - o, "unknown%d: 1\n", i);
    struct errlist l = { .n = 0 };
    struct pl_protocol *p = NULL;
    assert_int_equal(pl_protocol_parse(y, o, &p, collect, &l, NULL), PL_EFORMAT);
    assert_int_equal(l.n, 101);
    assert_int_equal(l.v[100].line, 0);
    assert_non_null(strstr(l.v[100].msg, "50 more errors not shown"));
}

static void a_file_larger_than_the_limit_is_refused_unread(void **state)
{
    (void)state;
    size_t n = (1u << 20) + 1;
    char *y = malloc(n);
    assert_non_null(y);
    memset(y, '#', n);
    struct errlist l = { .n = 0 };
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    assert_int_equal(pl_protocol_parse(y, n, &p, collect, &l, &d), PL_ELIMIT);
    assert_int_equal(l.n, 1);
    assert_int_equal(d.line, 0);
    assert_non_null(strstr(d.msg, "at most 1048576"));
    free(y);
}

static void a_billion_laughs_costs_nothing(void **state)
{
    (void)state;
    /* Nine levels of nine aliases each: 9^9 strings if expanded. */
    static char y[4096];
    size_t o = (size_t)snprintf(y, sizeof y, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 9; i++) {
        o += (size_t)snprintf(y + o, sizeof y - o, "%c: &%c [", 'a' + i, 'a' + i);
        for (int j = 0; j < 9; j++)
            o += (size_t)snprintf(y + o, sizeof y - o, "%s*%c", j ? ", " : "", 'a' + i - 1);
        o += (size_t)snprintf(y + o, sizeof y - o, "]\n");
    }
    struct errlist l = { .n = 0 };
    struct pl_protocol *p = NULL;
    assert_int_equal(pl_protocol_parse(y, o, &p, collect, &l, NULL), PL_EFORMAT);
    assert_null(p);
    /* Every anchor and alias is reported, none expanded. */
    size_t anchors = 0, aliases = 0;
    for (size_t i = 0; i < l.n; i++) {
        anchors += strstr(l.v[i].msg, "anchors (&") != NULL;
        aliases += strstr(l.v[i].msg, "aliases (*") != NULL;
    }
    assert_int_equal(anchors, 9);
    assert_int_equal(aliases, 8 * 9);
}

/* ------------------------------------------------------------------ */
/* Files, built-ins, the screening section                              */
/* ------------------------------------------------------------------ */

static void a_file_loads_as_its_bytes_do(void **state)
{
    (void)state;
    char path[] = "/tmp/test-protocol-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(with_line(0, ""), f);
    fclose(f);
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    assert_int_equal(pl_protocol_load_file(path, &p, NULL, NULL, &d), 0);
    assert_string_equal(pl_protocol_id(p), "t");
    pl_protocol_free(p);
    remove(path);
    assert_int_equal(pl_protocol_load_file(path, &p, NULL, NULL, &d), PL_EIO);
    assert_null(p);
    assert_non_null(strstr(d.msg, "No such file"));
}

static void built_ins_are_found_by_name(void **state)
{
    (void)state;
    size_t n = 0;
    const char *y = pl_protocol_builtin_yaml("hamstrings", &n);
    assert_non_null(y);
    assert_int_equal(strlen(y), n);
    assert_non_null(strstr(y, "id: hamstrings"));
    assert_null(pl_protocol_builtin_yaml("nope", &n));
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    assert_int_equal(pl_protocol_builtin("nope", &p, &d), PL_ENOTFOUND);
    assert_null(p);
    assert_int_equal(pl_protocol_builtin("hamstrings", &p, &d), 0);
    pl_protocol_free(p);
}

static void the_screening_section_is_kept_as_written(void **state)
{
    (void)state;
    const char *y = with_line(0, "screening:\n"
                                 "  signs:\n"
                                 "    - {id: squat, ask: Can you squat?}\n"
                                 "  red-flags: []\n");
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    assert_int_equal(pl_protocol_parse(y, strlen(y), &p, NULL, NULL, &d), 0);
    const struct pl_node *s = pl_protocol_screening(p);
    assert_non_null(s);
    assert_int_equal(s->kind, PL_NODE_MAP);
    assert_int_equal(s->n, 2);
    assert_string_equal(s->keys[0].text, "signs");
    assert_int_equal(s->keys[0].line, 19);
    assert_int_equal(s->keys[0].col, 3);
    const struct pl_node *signs = &s->items[0];
    assert_int_equal(signs->kind, PL_NODE_SEQ);
    assert_int_equal(signs->n, 1);
    const struct pl_node *sq = &signs->items[0];
    assert_int_equal(sq->kind, PL_NODE_MAP);
    assert_string_equal(sq->keys[1].text, "ask");
    assert_string_equal(sq->items[1].text, "Can you squat?");
    assert_int_equal(sq->items[1].line, 20);
    assert_int_equal(sq->items[1].col, 24);
    assert_int_equal(s->items[1].kind, PL_NODE_SEQ);
    assert_int_equal(s->items[1].n, 0);
    pl_protocol_free(p);
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                  */
/* ------------------------------------------------------------------ */

struct talloc {
    long calls, fail_at, live;
    bool failed;
};

static void *t_malloc(void *ctx, size_t n)
{
    struct talloc *a = ctx;
    if (++a->calls == a->fail_at) {
        a->failed = true;
        return NULL;
    }
    void *p = malloc(n);
    if (p)
        a->live++;
    return p;
}

static void *t_realloc(void *ctx, void *p, size_t n)
{
    struct talloc *a = ctx;
    if (++a->calls == a->fail_at) {
        a->failed = true;
        return NULL;
    }
    void *q = realloc(p, n);
    if (q && !p)
        a->live++;
    return q;
}

static void t_free(void *ctx, void *p)
{
    struct talloc *a = ctx;
    if (p)
        a->live--;
    free(p);
}

/* Load yaml failing the 1st, 2nd, ... allocation until a run completes.
 * Every run ends with `want` or PL_ENOMEM, and leaves nothing allocated. */
static void alloc_loop(const char *yaml, size_t n, int want)
{
    long runs = 0;
    for (long k = 1;; k++) {
        struct talloc a = { .fail_at = k };
        struct pl_allocator al = { t_malloc, t_realloc, t_free, &a };
        pl_set_allocator(&al);
        struct pl_protocol *p = NULL;
        struct pl_diag d;
        int rc = pl_protocol_parse(yaml, n, &p, NULL, NULL, &d);
        if (rc == 0) {
            assert_int_equal(pl_protocol_routine_count(p) > 0, true);
            pl_protocol_free(p);
        }
        pl_set_allocator(NULL);
        if (a.live != 0)
            fail_msg("allocation %ld failed: %ld blocks left allocated", k, a.live);
        if (!a.failed) {
            assert_int_equal(rc, want);
            break;
        }
        if (rc != PL_ENOMEM)
            fail_msg("allocation %ld failed: got %s, expected PL_ENOMEM", k, pl_err_name(rc));
        assert_null(p);
        runs++;
    }
    assert_true(runs > 0);
}

static void loading_the_default_survives_every_allocation_failure(void **state)
{
    (void)state;
    size_t n;
    const char *y = pl_protocol_builtin_yaml("hamstrings", &n);
    alloc_loop(y, n, 0);
}

static void reporting_errors_survives_every_allocation_failure(void **state)
{
    (void)state;
    const char *y = with_line(10, "    kind: massag\n    titel: x");
    static char copy[1 << 16];
    strcpy(copy, y);
    alloc_loop(copy, strlen(copy), PL_EFORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_default_protocol_loads),
        cmocka_unit_test(every_item_a1_to_g3_is_covered),
        cmocka_unit_test(every_routine_and_rule_names_what_it_carries_and_is_used),
        cmocka_unit_test(the_vocabulary_has_the_areas_the_protocol_names),
        cmocka_unit_test(the_flush_goes_from_the_origin_to_the_whole_back),
        cmocka_unit_test(after_travel_comes_soak_flush_water_food_then_deep_tissue),
        cmocka_unit_test(deep_tissue_is_deep_work_then_myofascial_then_a_warm_towel),
        cmocka_unit_test(after_a_hard_session_the_flush_then_a_hot_shower),
        cmocka_unit_test(no_deep_tissue_within_24_hours_before_a_race),
        cmocka_unit_test(recovery_is_daily_and_stretching_is_not_left_for_tomorrow),
        cmocka_unit_test(five_areas_twice_a_day_for_two_days_then_the_therapist),
        cmocka_unit_test(the_safety_note_and_the_red_flags_say_what_they_must),
        cmocka_unit_test(names_and_kinds_round_trip),
        cmocka_unit_test(the_base_of_the_error_tests_is_valid),
        cmocka_unit_test(an_unknown_key_is_reported_with_a_suggestion),
        cmocka_unit_test(an_unknown_top_level_key_lists_the_known_ones),
        cmocka_unit_test(a_misspelt_kind_is_reported),
        cmocka_unit_test(a_missing_required_key_is_reported_at_its_mapping),
        cmocka_unit_test(a_step_naming_an_unknown_area_is_reported),
        cmocka_unit_test(a_duration_needs_a_unit),
        cmocka_unit_test(a_step_without_area_needs_a_name),
        cmocka_unit_test(a_text_key_given_a_list_is_reported),
        cmocka_unit_test(a_list_key_given_text_is_reported),
        cmocka_unit_test(an_id_must_be_lowercase_letters_digits_and_dashes),
        cmocka_unit_test(a_duplicate_id_is_reported_at_the_second),
        cmocka_unit_test(a_duplicate_key_is_reported_at_the_second),
        cmocka_unit_test(covers_must_be_unique_item_ids),
        cmocka_unit_test(a_rule_naming_an_unknown_routine_is_reported),
        cmocka_unit_test(a_misspelt_trigger_is_reported),
        cmocka_unit_test(the_first_routine_of_a_rule_cannot_follow_another),
        cmocka_unit_test(before_needs_a_window_and_windows_go_nearest_first),
        cmocka_unit_test(before_and_after_need_an_event_with_a_time),
        cmocka_unit_test(a_timing_key_that_does_not_apply_is_reported),
        cmocka_unit_test(twice_daily_needs_days_and_times_in_order),
        cmocka_unit_test(a_constraint_must_name_what_it_holds_for),
        cmocka_unit_test(red_flags_take_true_or_false_and_known_areas),
        cmocka_unit_test(a_newer_format_is_refused),
        cmocka_unit_test(anchors_and_aliases_are_refused),
        cmocka_unit_test(tags_are_refused),
        cmocka_unit_test(a_yaml_syntax_error_says_where_and_what),
        cmocka_unit_test(a_second_document_is_refused),
        cmocka_unit_test(an_empty_file_or_a_list_is_not_a_protocol),
        cmocka_unit_test(text_that_is_not_utf8_is_refused),
        cmocka_unit_test(a_nul_in_text_is_refused),
        cmocka_unit_test(every_error_is_reported_in_file_order),
        cmocka_unit_test(nesting_deeper_than_the_limit_stops_the_reading),
        cmocka_unit_test(a_text_longer_than_the_limit_is_refused),
        cmocka_unit_test(too_many_errors_are_counted_not_listed),
        cmocka_unit_test(a_file_larger_than_the_limit_is_refused_unread),
        cmocka_unit_test(a_billion_laughs_costs_nothing),
        cmocka_unit_test(a_file_loads_as_its_bytes_do),
        cmocka_unit_test(built_ins_are_found_by_name),
        cmocka_unit_test(the_screening_section_is_kept_as_written),
        cmocka_unit_test(loading_the_default_survives_every_allocation_failure),
        cmocka_unit_test(reporting_errors_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
