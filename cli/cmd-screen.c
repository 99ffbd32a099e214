/*
 * cmd-screen.c - `pliant screen`: the self-screen before seeing a
 * therapist. The questions come from the protocol's screening section
 * (pl_screening_read); the answers from a terminal, one question at a
 * time, or from a YAML file (--answers) for scripts and tests; the
 * meaning from pl_screen_evaluate(). A finished screen is stored with its
 * date (pl_screen_save); --history lists the stored ones.
 *
 * The interactive screen saves nothing until the last answer: quitting
 * half-way leaves the store as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const struct cmd cmd_screen_def = {
    "screen", cmd_screen, "the self-screen before seeing a therapist",
    "usage: pliant screen [--answers FILE.yaml] [--date DATE] [--json]\n"
    "                     [--protocol FILE] [--db PATH]\n"
    "       pliant screen --history [--json] [--db PATH]\n"
    "       pliant screen --summary [--id N] [--html FILE] [--json] [--name NAME]\n"
    "                     [--protocol FILE] [--db PATH]\n"
    "\n"
    "Check whether the hamstrings need work: warning signs first (any of\n"
    "them ends the screen and says whom to see), then the signs, each with\n"
    "a way to check it at home, then five areas that often sit behind tight\n"
    "hamstrings, each with a self-test and how to read it. The result says\n"
    "what was flagged and why, whether hamstring work is indicated and how\n"
    "strongly, and gives a two-day program (morning and evening) on the\n"
    "flagged areas, then \"see your therapist\". The screen is stored with\n"
    "its date. Advice for healthy runners, not a diagnosis.\n"
    "\n"
    "Without --answers the questions are asked one at a time: answer with\n"
    "1 (yes), 2 (no) or 3 (unsure); b goes back, q quits without saving.\n"
    "\n"
    "Options:\n"
    "  --answers FILE  the answers as YAML, for scripts:\n"
    "                    date: 2026-03-16      # optional\n"
    "                    answers: {thigh-pop: no, squat: yes, ...}\n"
    "                  (ids in 'pliant protocol show --json', \"screening\")\n"
    "  --date DATE     the screen's date (YYYY-MM-DD); default the file's,\n"
    "                  else today\n"
    "  --history       list the stored screens\n"
    "  --json          one JSON object (an array with --history)\n"
    "\n"
    "The summary for the therapist (--summary) is of the last screen, or of\n"
    "screen N (--id): the answers, warning signs, signs and areas on a body\n"
    "map, the 4 weeks of load before it with hard days, races and trips, how\n"
    "the two-day program went (pliant done/skip), and what changed since the\n"
    "screen before. It prints the subjective part of a treatment note as\n"
    "text; --html FILE writes the one-page summary to open or print (\"-\":\n"
    "standard output); --json gives all of it as one object. --name puts\n"
    "the runner's name on it.\n",
};

struct opts {
    const char *db, *proto, *answers, *date, *html, *name, *id;
    bool json, history, summary;
};

static void parse_opts(const struct cmd *c, int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--json") == 0)
            o->json = true;
        else if (strcmp(a, "--history") == 0)
            o->history = true;
        else if (strcmp(a, "--summary") == 0)
            o->summary = true;
        else if ((v = opt_value(c, argc, argv, &i, "--html")))
            o->html = v;
        else if ((v = opt_value(c, argc, argv, &i, "--name")))
            o->name = v;
        else if ((v = opt_value(c, argc, argv, &i, "--id")))
            o->id = v;
        else if ((v = opt_value(c, argc, argv, &i, "--db")))
            o->db = v;
        else if ((v = opt_value(c, argc, argv, &i, "--protocol")))
            o->proto = v;
        else if ((v = opt_value(c, argc, argv, &i, "--answers")))
            o->answers = v;
        else if ((v = opt_value(c, argc, argv, &i, "--date")))
            o->date = v;
        else if (a[0] == '-' && a[1])
            die_usage(c, "unknown option '%s'", a);
        else
            die_usage(c, "unexpected argument '%s'", a);
    }
    if (o->history && (o->answers || o->date || o->proto || o->summary))
        die_usage(c, "--history takes only --json and --db");
    if (o->summary && (o->answers || o->date))
        die_usage(c, "--summary summarises a stored screen: it takes no --answers or --date");
    if (!o->summary && (o->html || o->name || o->id))
        die_usage(c, "--html, --name and --id go with --summary");
}

static void wrap_print(const char *lead, const char *text)
{
    printf("%s", lead);
    size_t col = strlen(lead), indent = strlen(lead);
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (col > indent && col + 1 + w > 76) {
            printf("\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            printf(" ");
            col++;
        }
        printf("%.*s", (int)w, p);
        col += w;
        p += w;
    }
    printf("\n");
}

/* The last screen stored on or before a day, to compare with. */
struct prev {
    int32_t day;
    bool found;
    struct pl_screen_record r;
};

static void print_changes_json(const struct pl_screening *s, const struct pl_screen_answers *a,
                               const struct prev *pv, bool stopped);
static void print_changes_text(const struct pl_screening *s, const struct pl_screen_answers *a,
                               const struct prev *pv, bool stopped);

/* ---- Printing ---- */

static void step_text(const struct pl_step *st, char *buf, size_t n)
{
    if (st->reps && st->sets > 1)
        snprintf(buf, n, "%s %u x %u", st->name, st->sets, st->reps);
    else if (st->reps)
        snprintf(buf, n, "%s x %u", st->name, st->reps);
    else if (st->duration_s >= 60 && st->duration_s % 60 == 0)
        snprintf(buf, n, "%s %u min", st->name, st->duration_s / 60);
    else if (st->duration_s)
        snprintf(buf, n, "%s %u s", st->name, st->duration_s);
    else
        snprintf(buf, n, "%s", st->name);
}

static void print_routine(const struct pl_routine *r)
{
    printf("    - %s", r->title);
    if (r->duration_s)
        printf(" (%u min)", (r->duration_s + 59) / 60);
    printf(":");
    for (size_t i = 0; i < r->nsteps; i++) {
        char b[256];
        step_text(&r->steps[i], b, sizeof b);
        printf("%s %s", i ? ";" : "", b);
    }
    printf("\n");
}

static void print_text(const struct pl_protocol *pr, const struct pl_screening *s,
                       const struct pl_screen_answers *a, const struct pl_screen_result *r,
                       int64_t saved_id, const struct prev *pv)
{
    char date[16];
    pl_day_format(r->day, date, sizeof date);
    printf("Self-screen, %s (%s)\n", date, pl_protocol_id(pr));
    if (r->stopped) {
        printf("\nSTOP%s: a warning sign.\n", r->urgent ? " - URGENT" : "");
        for (size_t i = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = &s->q[r->flags[i].q];
            if (q->part != PL_SCREEN_RED_FLAG)
                continue;
            wrap_print("  ", q->question);
            wrap_print("    ", q->action);
        }
        printf("  No massage on:");
        for (size_t i = 0; i < r->nno_massage; i++)
            printf("%s %s", i ? "," : "", r->no_massage[i]->name);
        printf(".\n  No program is planned.\n");
    } else {
        printf("\nSigns:\n");
        bool any = false;
        for (size_t i = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = &s->q[r->flags[i].q];
            if (q->part != PL_SCREEN_SIGN)
                continue;
            printf("  %s: %s\n", q->id, r->flags[i].why);
            any = true;
        }
        if (!any)
            printf("  none\n");
        printf("Areas:\n");
        any = false;
        for (size_t i = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = &s->q[r->flags[i].q];
            if (q->part != PL_SCREEN_AREA)
                continue;
            printf("  %s: %s\n", q->area->name, r->flags[i].why);
            any = true;
        }
        if (!any)
            printf("  none flagged%s\n", r->all_areas ? ": the program works on all of them" : "");
        printf("Hamstring work: %s (%s, score %u)\n",
               r->indicated ? "indicated" : "not indicated now",
               pl_screen_strength_name(r->strength), r->score);
        if (r->nsessions) {
            printf("\nProgram (%zu sessions):\n", r->nsessions);
            for (size_t i = 0; i < r->nsessions; i++) {
                const struct pl_screen_session *ss = &r->sessions[i];
                pl_day_format(ss->day, date, sizeof date);
                printf("  %s %02d:%02d %s\n", date, ss->minute / 60, ss->minute % 60,
                       ss->evening ? "evening" : "morning");
                for (size_t k = 0; k < ss->nroutines; k++)
                    print_routine(ss->routines[k]);
            }
            if (r->then) {
                pl_day_format(r->then_day, date, sizeof date);
                printf("  %s       %s\n", date, r->then->title);
            }
        }
    }
    print_changes_text(s, a, pv, r->stopped);
    printf("\n");
    wrap_print("", pl_protocol_safety_note(pr));
    if (saved_id > 0)
        printf("(saved as screen %lld)\n", (long long)saved_id);
}

static void json_routine(const struct pl_routine *rt)
{
    printf("{\"id\": ");
    json_cstr(stdout, rt->id);
    printf(", \"title\": ");
    json_cstr(stdout, rt->title);
    printf(", \"duration_s\": %u, \"steps\": [", rt->duration_s);
    for (size_t i = 0; i < rt->nsteps; i++) {
        const struct pl_step *st = &rt->steps[i];
        printf("%s{\"name\": ", i ? ", " : "");
        json_cstr(stdout, st->name);
        printf(", \"duration_s\": %u, \"reps\": %u, \"sets\": %u}", st->duration_s, st->reps,
               st->sets);
    }
    printf("]}");
}

static void print_json(const struct pl_protocol *pr, const struct pl_screening *s,
                       const struct pl_screen_answers *a, const struct pl_screen_result *r,
                       int64_t saved_id, const struct prev *pv)
{
    char date[16];
    pl_day_format(r->day, date, sizeof date);
    printf("{\"date\": \"%s\", \"protocol\": ", date);
    json_cstr(stdout, pl_protocol_id(pr));
    printf(", \"id\": %lld, \"stopped\": %s, \"urgent\": %s, \"answers\": {",
           (long long)saved_id, r->stopped ? "true" : "false", r->urgent ? "true" : "false");
    for (size_t i = 0; i < s->n; i++) {
        printf("%s", i ? ", " : "");
        json_cstr(stdout, s->q[i].id);
        printf(": ");
        json_cstr(stdout, pl_answer_name(a->a[i]));
    }
    printf("}, \"flags\": [");
    for (size_t i = 0; i < r->nflags; i++) {
        const struct pl_screen_question *q = &s->q[r->flags[i].q];
        printf("%s{\"id\": ", i ? ", " : "");
        json_cstr(stdout, q->id);
        printf(", \"part\": \"%s\", \"answer\": \"%s\", \"why\": ", pl_screen_part_name(q->part),
               pl_answer_name(a->a[r->flags[i].q]));
        json_cstr(stdout, r->flags[i].why);
        if (q->part == PL_SCREEN_AREA) {
            printf(", \"area\": ");
            json_cstr(stdout, q->area->id);
        }
        if (q->part == PL_SCREEN_RED_FLAG)
            printf(", \"urgent\": %s", q->urgent ? "true" : "false");
        printf(", \"covers\": [");
        for (size_t k = 0; k < q->ncovers; k++) {
            printf("%s", k ? ", " : "");
            json_cstr(stdout, q->covers[k]);
        }
        printf("]}");
    }
    printf("], \"no_massage\": [");
    for (size_t i = 0; i < r->nno_massage; i++) {
        printf("%s", i ? ", " : "");
        json_cstr(stdout, r->no_massage[i]->id);
    }
    printf("], \"score\": %u, \"strength\": \"%s\", \"indicated\": %s, \"all_areas\": %s, "
           "\"program\": ",
           r->score, pl_screen_strength_name(r->strength), r->indicated ? "true" : "false",
           r->all_areas ? "true" : "false");
    if (!r->nsessions) {
        printf("null");
    } else {
        printf("{\"sessions\": [");
        for (size_t i = 0; i < r->nsessions; i++) {
            const struct pl_screen_session *ss = &r->sessions[i];
            pl_day_format(ss->day, date, sizeof date);
            printf("%s{\"date\": \"%s\", \"time\": \"%02d:%02d\", \"evening\": %s, "
                   "\"routines\": [",
                   i ? ", " : "", date, ss->minute / 60, ss->minute % 60,
                   ss->evening ? "true" : "false");
            for (size_t k = 0; k < ss->nroutines; k++) {
                printf("%s", k ? ", " : "");
                json_routine(ss->routines[k]);
            }
            printf("]}");
        }
        printf("], \"then\": ");
        if (r->then) {
            pl_day_format(r->then_day, date, sizeof date);
            printf("{\"date\": \"%s\", \"routine\": ", date);
            json_routine(r->then);
            printf("}");
        } else {
            printf("null");
        }
        printf("}");
    }
    print_changes_json(s, a, pv, r->stopped);
    printf(", \"note\": ");
    json_cstr(stdout, pl_protocol_safety_note(pr));
    printf("}\n");
}

/* ---- The questionnaire on a terminal ---- */

/* 0: answered all (or a red flag ended it); 1: quit. */
static int ask(const struct pl_screening *s, struct pl_screen_answers *a)
{
    if (s->intro[0])
        wrap_print("", s->intro);
    printf("Answer 1 (yes), 2 (no) or 3 (unsure); b goes back, q quits without saving.\n");
    size_t i = 0;
    char line[64];
    while (i < s->n) {
        const struct pl_screen_question *q = &s->q[i];
        const char *part = q->part == PL_SCREEN_RED_FLAG ? "Warning sign"
                         : q->part == PL_SCREEN_SIGN     ? "Sign" : "Area";
        printf("\n[%zu/%zu] %s\n", i + 1, s->n, part);
        if (q->test[0])
            printf("  Test: %s\n", q->test);
        if (q->check[0])
            wrap_print("  How: ", q->check);
        if (q->reading[0])
            wrap_print("  Reading: ", q->reading);
        wrap_print("  ", q->question);
        printf("  1) yes  2) no  3) unsure  > ");
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            return 1;
        char c = line[0];
        if (c == 'q' || c == 'Q')
            return 1;
        if (c == 'b' || c == 'B') {
            if (i > 0)
                a->a[--i] = PL_ANSWER_NONE;
            continue;
        }
        int v = c == '1' ? PL_ANSWER_YES : c == '2' ? PL_ANSWER_NO : c == '3' ? PL_ANSWER_UNSURE
              : -1;
        if (v < 0 || (line[1] != '\n' && line[1] != '\0')) {
            printf("  Please answer 1, 2 or 3 (b back, q quit).\n");
            continue;
        }
        a->a[i] = (uint8_t)v;
        /* A warning sign ends the screen: nothing after it matters now.
         * Unsure counts as yes here, since the runner cannot rule it out. */
        if (q->part == PL_SCREEN_RED_FLAG && v != PL_ANSWER_NO) {
            a->a[i] = PL_ANSWER_YES;   /* the rest stays unasked */
            printf("\n");
            return 0;
        }
        i++;
    }
    printf("\n");
    return 0;
}

/* ---- History ---- */

struct hist {
    bool json;
    size_t n;
};

static int print_record(void *ctx, const struct pl_screen_record *r)
{
    struct hist *h = ctx;
    char date[16];
    pl_day_format(r->day, date, sizeof date);
    if (h->json) {
        printf("%s{\"id\": %lld, \"date\": \"%s\", \"taken_s\": %lld, \"protocol\": ",
               h->n ? ",\n " : "", (long long)r->id, date, (long long)r->taken_s);
        json_cstr(stdout, r->protocol);
        printf(", \"stopped\": %s, \"strength\": \"%s\", \"red_flags\": ",
               r->stopped ? "true" : "false",
               pl_screen_strength_name(r->strength) ? pl_screen_strength_name(r->strength) : "");
        json_cstr(stdout, r->red_flags);
        printf(", \"signs\": ");
        json_cstr(stdout, r->signs);
        printf(", \"areas\": ");
        json_cstr(stdout, r->areas);
        printf(", \"no_massage\": ");
        json_cstr(stdout, r->no_massage);
        printf(", \"answers\": ");
        json_cstr(stdout, r->answers);
        printf("}");
    } else {
        if (r->stopped)
            printf("%s  #%-4lld stopped: %s (no massage: %s)\n", date, (long long)r->id,
                   r->red_flags, r->no_massage);
        else
            printf("%s  #%-4lld hamstring work %s; signs: %s; program: %s\n", date,
                   (long long)r->id, pl_screen_strength_name(r->strength),
                   r->signs[0] ? r->signs : "none", r->areas[0] ? r->areas : "none");
    }
    h->n++;
    return 0;
}

static int history(const struct opts *o)
{
    struct pl_store *st;
    int rc = open_store_for_reading(o->db, &st);
    if (rc)
        return rc;
    struct hist h = { o->json, 0 };
    struct pl_diag d;
    pl_diag_clear(&d);
    if (o->json)
        printf("[");
    rc = pl_screen_list(st, print_record, &h, &d);
    if (o->json)
        printf("]\n");
    else if (rc == PL_OK && h.n == 0)
        printf("No screens yet: run 'pliant screen'.\n");
    pl_store_close(st);
    if (rc != PL_OK) {
        error_msg("cannot list screens: %s", d.msg);
        return EXIT_NOTHING;
    }
    return 0;
}

/* ---- What changed since the previous screen ---- */

static int keep_last(void *ctx, const struct pl_screen_record *r)
{
    struct prev *pv = ctx;
    if (r->day <= pv->day) {   /* by day, then id: the last one wins */
        pv->r = *r;
        pv->found = true;
    }
    return 0;
}

/* Signs and areas flagged now and not before (gained), or the reverse. */
static size_t changes(const struct pl_screening *s, const struct pl_screen_answers *a,
                      const struct prev *pv, bool gained, const char **out)
{
    struct pl_screen_answers before;
    pl_screen_answers_init(&before);
    pl_screen_record_answers(s, &pv->r, &before);
    size_t idx[PL_SCREEN_QUESTIONS_MAX];
    size_t n = pl_screen_changes(s, a, &before, gained, idx);
    for (size_t i = 0; i < n; i++)
        out[i] = s->q[idx[i]].id;
    return n;
}

static void print_changes_text(const struct pl_screening *s, const struct pl_screen_answers *a,
                               const struct prev *pv, bool stopped)
{
    if (!pv->found)
        return;
    char date[16];
    pl_day_format(pv->r.day, date, sizeof date);
    const char *ids[PL_SCREEN_QUESTIONS_MAX];
    printf("\nSince the screen of %s (#%lld):\n", date, (long long)pv->r.id);
    if (stopped || pv->r.stopped) {
        /* A warning sign ends a screen before the signs and areas. */
        printf("  not compared: a warning sign stopped %s\n",
               stopped ? "this screen" : "that screen");
        return;
    }
    for (int g = 1; g >= 0; g--) {
        size_t n = changes(s, a, pv, g, ids);
        printf("  %s:", g ? "newly flagged" : "no longer flagged");
        for (size_t i = 0; i < n; i++)
            printf("%s %s", i ? "," : "", ids[i]);
        printf("%s\n", n ? "" : " none");
    }
}

static void print_changes_json(const struct pl_screening *s, const struct pl_screen_answers *a,
                               const struct prev *pv, bool stopped)
{
    printf(", \"since\": ");
    if (!pv->found) {
        printf("null");
        return;
    }
    char date[16];
    pl_day_format(pv->r.day, date, sizeof date);
    printf("{\"date\": \"%s\", \"id\": %lld, \"compared\": %s", date, (long long)pv->r.id,
           stopped || pv->r.stopped ? "false" : "true");
    if (stopped || pv->r.stopped) {
        printf(", \"new\": [], \"gone\": []}");
        return;
    }
    const char *ids[PL_SCREEN_QUESTIONS_MAX];
    for (int g = 1; g >= 0; g--) {
        size_t n = changes(s, a, pv, g, ids);
        printf(", \"%s\": [", g ? "new" : "gone");
        for (size_t i = 0; i < n; i++) {
            printf("%s", i ? ", " : "");
            json_cstr(stdout, ids[i]);
        }
        printf("]");
    }
    printf("}");
}

/* ---- The command ---- */

int cmd_screen(int argc, char **argv)
{
    const struct cmd *c = &cmd_screen_def;
    struct opts o;
    parse_opts(c, argc, argv, &o);
    if (o.history)
        return history(&o);
    if (o.summary) {
        struct screen_summary_opts so = { o.db, o.proto, o.html, o.name, 0, o.json };
        if (o.id) {
            char *end;
            long long v = strtoll(o.id, &end, 10);
            if (*end || end == o.id || v <= 0)
                die_usage(c, "--id: '%s' is not a screen number", o.id);
            so.id = v;
        }
        if (o.json && o.html && strcmp(o.html, "-") == 0)
            die_usage(c, "--json and --html - both write to standard output");
        return screen_summary(&so);
    }
    int32_t day = today_local();
    if (o.date && !pl_day_parse(o.date, &day))
        die_usage(c, "--date: '%s' is not a date (YYYY-MM-DD)", o.date);
    if (!o.answers && o.json)
        die_usage(c, "--json needs --answers FILE (the questions are asked on a terminal)");

    struct pl_protocol *pr;
    int rc = load_protocol(o.proto, &pr);
    if (rc)
        return rc;
    struct pl_screening *s = calloc(1, sizeof *s);
    struct pl_screen_result *r = calloc(1, sizeof *r);
    struct pl_screen_record *rec = calloc(1, sizeof *rec);
    struct pl_store *st = NULL;
    unsigned char *buf = NULL;
    int status = EXIT_NOTHING;
    if (!s || !r || !rec) {
        error_msg("out of memory");
        goto out;
    }
    struct pl_diag d;
    pl_diag_clear(&d);
    if (pl_screening_read(pr, s, NULL, NULL, &d) != PL_OK) {
        if (d.line)
            error_msg("%s: %u:%u: %s", o.proto ? o.proto : "the protocol", d.line, d.col, d.msg);
        else
            error_msg("%s", d.msg);
        goto out;
    }
    struct pl_screen_answers a;
    pl_screen_answers_init(&a);
    a.day = day;
    if (o.answers) {
        size_t n;
        buf = read_file(o.answers, &n);
        if (!buf) {
            error_msg("cannot read '%s': %s", o.answers, strerror(errno));
            goto out;
        }
        if (pl_screen_answers_parse(s, buf, n, &a, &d) != PL_OK) {
            if (d.line)
                error_msg("%s:%u:%u: %s", o.answers, d.line, d.col, d.msg);
            else
                error_msg("%s: %s", o.answers, d.msg);
            goto out;
        }
        if (o.date || !a.day_given)
            a.day = day;
    } else if (ask(s, &a) != 0) {
        printf("Quit: nothing was saved.\n");
        status = 0;
        goto out;
    }
    pl_screen_evaluate(s, &a, r);
    pl_screen_record_fill(s, &a, r, pl_protocol_id(pr), (int64_t)time(NULL), rec);
    if ((rc = open_store_for_writing(o.db, &st)) != 0)
        goto out;
    struct prev pv = { .day = a.day };
    if (pl_screen_list(st, keep_last, &pv, &d) != PL_OK) {
        error_msg("cannot read the earlier screens: %s", d.msg);
        goto out;
    }
    if (pl_screen_save(st, rec, &d) != PL_OK) {
        error_msg("cannot save the screen: %s", d.msg);
        goto out;
    }
    if (o.json)
        print_json(pr, s, &a, r, rec->id, &pv);
    else
        print_text(pr, s, &a, r, rec->id, &pv);
    status = 0;
out:
    free(buf);
    if (st)
        pl_store_close(st);
    free(rec);
    free(r);
    free(s);
    pl_protocol_free(pr);
    return status;
}
