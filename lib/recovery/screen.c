/*
 * screen.c - the self-screen: a protocol's `screening` section read into
 * questions, the runner's answers (a struct, or a YAML file), and what
 * they mean: red flags, flagged signs and areas, how strongly hamstring
 * work is indicated, and the twice-daily program before the therapist.
 *
 * It is not the questionnaire on a terminal (cli/cmd-screen.c), not the
 * store (lib/store/store.c keeps the records), and not the planner: the result
 * says which routines on which days; the plan places them. Everything here
 * is pure and allocates nothing but libyaml's parser state; strings point
 * into the protocol.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "base/internal.h"

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

const char *pl_screen_part_name(int part)
{
    switch (part) {
    case PL_SCREEN_RED_FLAG: return "red-flag";
    case PL_SCREEN_SIGN: return "sign";
    case PL_SCREEN_AREA: return "area";
    default: return NULL;
    }
}

const char *pl_answer_name(int answer)
{
    switch (answer) {
    case PL_ANSWER_NONE: return "";
    case PL_ANSWER_NO: return "no";
    case PL_ANSWER_YES: return "yes";
    case PL_ANSWER_UNSURE: return "unsure";
    default: return NULL;
    }
}

int pl_answer_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "y"))
        return PL_ANSWER_YES;
    if (!strcasecmp(s, "no") || !strcasecmp(s, "n"))
        return PL_ANSWER_NO;
    if (!strcasecmp(s, "unsure") || !strcasecmp(s, "u") || !strcmp(s, "?"))
        return PL_ANSWER_UNSURE;
    return -1;
}

const char *pl_screen_strength_name(int strength)
{
    static const char *const names[] = { "none", "weak", "moderate", "strong" };
    return strength >= 0 && (size_t)strength < PL_ARRAY_LEN(names) ? names[strength] : NULL;
}

/* ------------------------------------------------------------------ */
/* Reading the screening section                                        */
/* ------------------------------------------------------------------ */

struct reader {
    const struct pl_protocol *p;
    void (*on_error)(void *ctx, const struct pl_diag *e);
    void *ctx;
    struct pl_diag *diag;
    int rc;                       /* first error's code; 0 */
    unsigned nerrors;
};

__attribute__((format(printf, 4, 5)))
static void fail(struct reader *r, int code, const struct pl_node *at, const char *fmt, ...)
{
    struct pl_diag e;
    memset(&e, 0, sizeof e);
    e.code = code;
    e.offset = UINT64_MAX;
    e.line = at ? at->line : 0;
    e.col = at ? at->col : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    if (r->nerrors++ == 0) {
        r->rc = code;
        if (r->diag)
            *r->diag = e;
    } else if (code == PL_ELIMIT) {
        r->rc = PL_ELIMIT;
    }
    if (r->on_error && r->nerrors <= PL_PROTOCOL_ERRORS_MAX)
        r->on_error(r->ctx, &e);
}

static const struct pl_node *get(const struct pl_node *m, const char *key)
{
    if (!m || m->kind != PL_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->keys[i].text, key) == 0)
            return &m->items[i];
    return NULL;
}

/* Text of an optional scalar key; "" when absent; an error when it is not
 * a scalar or is required and empty. */
static const char *text(struct reader *r, const struct pl_node *m, const char *key, bool required)
{
    const struct pl_node *v = get(m, key);
    if (!v) {
        if (required)
            fail(r, PL_EFORMAT, m, "screening: '%s' is required here", key);
        return "";
    }
    if (v->kind != PL_NODE_SCALAR) {
        fail(r, PL_EFORMAT, v, "%s: expected text", key);
        return "";
    }
    if (required && !v->text[0])
        fail(r, PL_EFORMAT, v, "%s: must not be empty", key);
    return v->text;
}

static bool flag(struct reader *r, const struct pl_node *m, const char *key)
{
    const struct pl_node *v = get(m, key);
    if (!v)
        return false;
    if (v->kind == PL_NODE_SCALAR && strcmp(v->text, "true") == 0)
        return true;
    if (v->kind == PL_NODE_SCALAR && strcmp(v->text, "false") == 0)
        return false;
    fail(r, PL_EFORMAT, v, "%s: expected true or false", key);
    return false;
}

/* A list of scalars into out[0..max); returns how many. */
static size_t list(struct reader *r, const struct pl_node *m, const char *key, const char **out,
                   size_t max)
{
    const struct pl_node *v = get(m, key);
    if (!v)
        return 0;
    if (v->kind != PL_NODE_SEQ) {
        fail(r, PL_EFORMAT, v, "%s: expected a list", key);
        return 0;
    }
    if (v->n > max) {
        fail(r, PL_ELIMIT, v, "%s: at most %zu items", key, max);
        return 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].kind != PL_NODE_SCALAR || !v->items[i].text[0]) {
            fail(r, PL_EFORMAT, &v->items[i], "%s: expected an id", key);
            continue;
        }
        out[k++] = v->items[i].text;
    }
    return k;
}

static const struct pl_area *area(struct reader *r, const struct pl_node *at, const char *id)
{
    const struct pl_area *a = pl_protocol_area_find(r->p, id);
    if (!a)
        fail(r, PL_EFORMAT, at, "area '%s' is not among the protocol's areas", id);
    return a;
}

/* "07:30" into minutes; -1 when it is not a time of day. */
static int minute_of(const char *s)
{
    if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

static void read_part(struct reader *r, struct pl_screening *s, const struct pl_node *sec,
                      const char *key, int part)
{
    const struct pl_node *l = get(sec, key);
    if (!l) {
        fail(r, PL_EFORMAT, sec, "screening: '%s' is required", key);
        return;
    }
    if (l->kind != PL_NODE_SEQ || l->n == 0) {
        fail(r, PL_EFORMAT, l, "%s: expected a list of questions", key);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *m = &l->items[i];
        if (m->kind != PL_NODE_MAP) {
            fail(r, PL_EFORMAT, m, "%s: expected a mapping with id and question", key);
            continue;
        }
        if (s->n == PL_SCREEN_QUESTIONS_MAX) {
            fail(r, PL_ELIMIT, m, "screening: more than %d questions", PL_SCREEN_QUESTIONS_MAX);
            return;
        }
        struct pl_screen_question *q = &s->q[s->n];
        memset(q, 0, sizeof *q);
        q->part = (uint8_t)part;
        q->line = m->line;
        q->col = m->col;
        q->id = text(r, m, "id", true);
        q->question = text(r, m, "question", true);
        q->check = text(r, m, "check", false);
        q->test = text(r, m, "test", part == PL_SCREEN_AREA);
        q->reading = text(r, m, "reading", part == PL_SCREEN_AREA);
        q->action = text(r, m, "action", part == PL_SCREEN_RED_FLAG);
        q->urgent = flag(r, m, "urgent");
        q->prior = flag(r, m, "prior");
        q->ncovers = list(r, m, "covers", q->covers, PL_SCREEN_LIST_MAX);
        if (part == PL_SCREEN_RED_FLAG) {
            const char *ids[PL_SCREEN_LIST_MAX];
            size_t k = list(r, m, "no-massage", ids, PL_SCREEN_LIST_MAX);
            for (size_t j = 0; j < k; j++) {
                const struct pl_area *a = area(r, get(m, "no-massage"), ids[j]);
                if (a)
                    q->no_massage[q->nno_massage++] = a;
            }
        }
        if (part == PL_SCREEN_AREA) {
            const char *aid = text(r, m, "area", true);
            if (aid[0])
                q->area = area(r, get(m, "area"), aid);
            const char *rid = text(r, m, "routine", true);
            if (rid[0]) {
                q->routine = pl_protocol_routine_find(r->p, rid);
                if (!q->routine)
                    fail(r, PL_EFORMAT, get(m, "routine"),
                         "routine '%s' is not among the protocol's routines", rid);
            }
        }
        if (q->id[0] && pl_screening_find(s, q->id, NULL))
            fail(r, PL_EFORMAT, get(m, "id"), "id '%s' is used twice in the screening", q->id);
        s->n++;
    }
}

int pl_screening_read(const struct pl_protocol *p, struct pl_screening *s,
                      void (*on_error)(void *ctx, const struct pl_diag *e), void *ctx,
                      struct pl_diag *diag)
{
    memset(s, 0, sizeof *s);
    s->intro = "";
    const struct pl_node *sec = p ? pl_protocol_screening(p) : NULL;
    if (!sec)
        return pl__diag(diag, PL_ENOTFOUND, UINT64_MAX, "the protocol has no screening section");
    struct reader r = { p, on_error, ctx, diag, 0, 0 };
    if (sec->kind != PL_NODE_MAP) {
        fail(&r, PL_EFORMAT, sec, "screening: expected a mapping");
        return r.rc;
    }
    s->intro = text(&r, sec, "intro", false);
    read_part(&r, s, sec, "red-flags", PL_SCREEN_RED_FLAG);
    s->nred = s->n;
    read_part(&r, s, sec, "signs", PL_SCREEN_SIGN);
    s->nsigns = s->n - s->nred;
    read_part(&r, s, sec, "areas", PL_SCREEN_AREA);
    s->nareas = s->n - s->nred - s->nsigns;

    const struct pl_node *prog = get(sec, "program");
    s->days = 2;
    s->time_min[0] = 7 * 60 + 30;
    s->time_min[1] = 19 * 60;
    if (prog && prog->kind != PL_NODE_MAP) {
        fail(&r, PL_EFORMAT, prog, "program: expected a mapping");
        prog = NULL;
    }
    if (prog) {
        const char *d = text(&r, prog, "days", false);
        if (d[0]) {
            char *end;
            long v = strtol(d, &end, 10);
            if (*end || v < 1 || v > PL_SCREEN_DAYS_MAX)
                fail(&r, PL_EFORMAT, get(prog, "days"), "days: expected 1..%d; found '%s'",
                     PL_SCREEN_DAYS_MAX, d);
            else
                s->days = (uint16_t)v;
        }
        const char *t[2];
        const struct pl_node *tn = get(prog, "times");
        size_t k = list(&r, prog, "times", t, 2);
        if (tn && k != 2 && r.rc == 0)
            fail(&r, PL_EFORMAT, tn, "times: expected two times of day, morning and evening");
        for (size_t i = 0; i < k && k == 2; i++) {
            int mi = minute_of(t[i]);
            if (mi < 0)
                fail(&r, PL_EFORMAT, &tn->items[i], "times: expected HH:MM; found '%s'", t[i]);
            else
                s->time_min[i] = (int16_t)mi;
        }
        const char *then = text(&r, prog, "then", false);
        if (then[0]) {
            s->then = pl_protocol_routine_find(p, then);
            if (!s->then)
                fail(&r, PL_EFORMAT, get(prog, "then"),
                     "routine '%s' is not among the protocol's routines", then);
        }
        s->ncovers = list(&r, prog, "covers", s->covers, PL_SCREEN_LIST_MAX);
    }
    if (r.rc)
        memset(s, 0, sizeof *s), s->intro = "";
    return r.rc;
}

const struct pl_screen_question *pl_screening_find(const struct pl_screening *s, const char *id,
                                                   size_t *index)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->q[i].id && strcmp(s->q[i].id, id) == 0) {
            if (index)
                *index = i;
            return &s->q[i];
        }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Answers                                                              */
/* ------------------------------------------------------------------ */

void pl_screen_answers_init(struct pl_screen_answers *a)
{
    memset(a, 0, sizeof *a);
}

/* A flat reading of the answers file: a mapping of scalars, with one
 * nested mapping (answers). Anything else is an error at its place. */
struct ans_parser {
    const struct pl_screening *s;
    struct pl_screen_answers *a;
    struct pl_diag *d;
    int rc;
    bool seen[PL_SCREEN_QUESTIONS_MAX];
    uint32_t answers_line, answers_col;
};

static int ans_fail(struct ans_parser *ap, int code, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int ans_fail(struct ans_parser *ap, int code, const yaml_mark_t *m, const char *fmt, ...)
{
    if (ap->rc)
        return ap->rc;
    char msg[200];
    va_list v;
    va_start(v, fmt);
    vsnprintf(msg, sizeof msg, fmt, v);
    va_end(v);
    ap->rc = pl__diag_lc(ap->d, code, m ? (uint32_t)m->line + 1 : 0,
                         m ? (uint32_t)m->column + 1 : 0, "%s", msg);
    if (ap->d && m)
        ap->d->offset = m->index;
    return ap->rc;
}

static bool next(yaml_parser_t *yp, yaml_event_t *ev, struct ans_parser *ap)
{
    if (yaml_parser_parse(yp, ev))
        return true;
    yaml_mark_t m = yp->problem_mark;
    ans_fail(ap, PL_EFORMAT, &m, "YAML syntax: %s", yp->problem ? yp->problem : "unreadable");
    return false;
}

static void ans_value(struct ans_parser *ap, const char *id, const yaml_event_t *kev,
                      const yaml_event_t *vev)
{
    size_t qi;
    if (!pl_screening_find(ap->s, id, &qi)) {
        ans_fail(ap, PL_EFORMAT, &kev->start_mark, "'%s' is not a question of the screening",
                 id);
        return;
    }
    if (ap->seen[qi]) {
        ans_fail(ap, PL_EFORMAT, &kev->start_mark, "'%s' is answered twice", id);
        return;
    }
    ap->seen[qi] = true;
    const char *v = (const char *)vev->data.scalar.value;
    int x = pl_answer_parse(v);
    if (x < 0) {
        ans_fail(ap, PL_EFORMAT, &vev->start_mark,
                 "%s: expected yes, no or unsure; found '%.40s'", id, v);
        return;
    }
    ap->a->a[qi] = (uint8_t)x;
}

int pl_screen_answers_parse(const struct pl_screening *s, const void *buf, size_t n,
                            struct pl_screen_answers *a, struct pl_diag *diag)
{
    if (n > PL_SCREEN_ANSWERS_BYTES_MAX)
        return pl__diag(diag, PL_ELIMIT, UINT64_MAX, "an answers file is at most %u bytes",
                        PL_SCREEN_ANSWERS_BYTES_MAX);
    struct ans_parser ap;
    memset(&ap, 0, sizeof ap);
    ap.s = s;
    ap.a = a;
    ap.d = diag;
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp))
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory for the YAML parser");
    static const unsigned char empty[1];
    yaml_parser_set_input_string(&yp, n ? buf : empty, n);

    /* States: 0 before the top mapping, 1 top key expected, 2 in answers
     * (key expected), 9 done. */
    int state = 0;
    char key[80] = "";
    yaml_event_t kev;           /* the pending key in answers */
    bool have_key = false;
    bool have_answers = false, top_key = false;
    yaml_event_t ev;
    while (!ap.rc && state != 9 && next(&yp, &ev, &ap)) {
        if (ev.type == YAML_ALIAS_EVENT ||
            ((ev.type == YAML_SCALAR_EVENT) && ev.data.scalar.anchor) ||
            (ev.type == YAML_MAPPING_START_EVENT && ev.data.mapping_start.anchor) ||
            (ev.type == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.anchor)) {
            ans_fail(&ap, PL_EFORMAT, &ev.start_mark, "anchors and aliases are not allowed");
        } else if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
        } else if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) {
            if (state == 0)
                ans_fail(&ap, PL_EFORMAT, &ev.start_mark,
                         "expected a mapping with 'answers'");
            state = 9;
        } else if (state == 0) {
            if (ev.type != YAML_MAPPING_START_EVENT)
                ans_fail(&ap, PL_EFORMAT, &ev.start_mark,
                         "expected a mapping with 'answers'");
            state = 1;
        } else if (state == 1) {
            if (ev.type == YAML_MAPPING_END_EVENT) {
                state = 9;
            } else if (!top_key) {
                if (ev.type != YAML_SCALAR_EVENT) {
                    ans_fail(&ap, PL_EFORMAT, &ev.start_mark, "expected a key");
                } else {
                    snprintf(key, sizeof key, "%s", (const char *)ev.data.scalar.value);
                    if (strcmp(key, "date") && strcmp(key, "answers"))
                        ans_fail(&ap, PL_EFORMAT, &ev.start_mark,
                                 "'%.40s': expected date or answers", key);
                    top_key = true;
                }
            } else {
                top_key = false;
                if (strcmp(key, "date") == 0) {
                    if (ev.type != YAML_SCALAR_EVENT ||
                        !pl_day_parse((const char *)ev.data.scalar.value, &a->day))
                        ans_fail(&ap, PL_EFORMAT, &ev.start_mark,
                                 "date: expected YYYY-MM-DD");
                    else
                        a->day_given = true;
                } else if (ev.type != YAML_MAPPING_START_EVENT) {
                    ans_fail(&ap, PL_EFORMAT, &ev.start_mark,
                             "answers: expected a mapping of question id to yes, no or unsure");
                } else if (have_answers) {
                    ans_fail(&ap, PL_EFORMAT, &ev.start_mark, "answers: given twice");
                } else {
                    have_answers = true;
                    ap.answers_line = (uint32_t)ev.start_mark.line + 1;
                    ap.answers_col = (uint32_t)ev.start_mark.column + 1;
                    state = 2;
                }
            }
        } else if (state == 2) {
            if (ev.type == YAML_MAPPING_END_EVENT && !have_key) {
                state = 1;
            } else if (ev.type != YAML_SCALAR_EVENT) {
                ans_fail(&ap, PL_EFORMAT, &ev.start_mark,
                         have_key ? "expected yes, no or unsure" : "expected a question id");
            } else if (!have_key) {
                kev = ev;   /* keeps the key's value until the answer */
                have_key = true;
                continue;   /* not deleted yet */
            } else {
                ans_value(&ap, (const char *)kev.data.scalar.value, &kev, &ev);
                yaml_event_delete(&kev);
                have_key = false;
            }
        }
        yaml_event_delete(&ev);
    }
    if (have_key)
        yaml_event_delete(&kev);
    yaml_parser_delete(&yp);
    if (ap.rc && diag && diag->line) {
        /* libyaml places an error after a last line without a newline on
         * the line after it: report it at the end of the input instead. */
        const unsigned char *b = n ? buf : empty;
        uint32_t lines = 1;
        size_t last = 0;
        for (size_t i = 0; i < n; i++)
            if (b[i] == '\n') {
                lines++;
                last = i + 1;
            }
        if (diag->line > lines) {
            diag->line = lines;
            diag->col = (uint32_t)(n - last) + 1;
        }
    }
    if (ap.rc)
        return ap.rc;
    if (!have_answers)
        return pl__diag_lc(diag, PL_EFORMAT, 1, 1, "no 'answers' mapping");
    for (size_t i = 0; i < s->n; i++) {
        if (ap.seen[i])
            continue;
        if (s->q[i].part == PL_SCREEN_RED_FLAG && a->a[i] == PL_ANSWER_NONE)
            return pl__diag_lc(diag, PL_EFORMAT, ap.answers_line, ap.answers_col,
                               "answers: the warning sign '%s' must be answered", s->q[i].id);
        if (a->a[i] == PL_ANSWER_NONE)
            a->a[i] = s->q[i].part == PL_SCREEN_AREA ? PL_ANSWER_UNSURE : PL_ANSWER_NO;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The result                                                           */
/* ------------------------------------------------------------------ */

static void add_flag(struct pl_screen_result *r, size_t q, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_flag(struct pl_screen_result *r, size_t q, const char *fmt, ...)
{
    struct pl_screen_flag *f = &r->flags[r->nflags++];
    f->q = q;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
}

static void covers_text(const struct pl_screen_question *q, char *buf, size_t n)
{
    buf[0] = 0;
    size_t len = 0;
    for (size_t i = 0; i < q->ncovers && len + 1 < n; i++) {
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : " (", q->covers[i]);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
    if (len && len + 2 <= n)
        strcat(buf, ")");
}

void pl_screen_evaluate(const struct pl_screening *s, const struct pl_screen_answers *a,
                        struct pl_screen_result *r)
{
    memset(r, 0, sizeof *r);
    r->day = a->day;
    bool prior = false;
    uint32_t yes = 0;
    char cov[64];
    for (size_t i = 0; i < s->n; i++) {
        const struct pl_screen_question *q = &s->q[i];
        uint8_t ans = a->a[i];
        covers_text(q, cov, sizeof cov);
        if (q->part == PL_SCREEN_RED_FLAG && ans == PL_ANSWER_YES) {
            r->stopped = true;
            r->urgent |= q->urgent;
            add_flag(r, i, "warning sign%s: %s", q->urgent ? ", urgent" : "", q->action);
            for (size_t j = 0; j < q->nno_massage; j++) {
                bool dup = false;
                for (size_t k = 0; k < r->nno_massage; k++)
                    dup |= r->no_massage[k] == q->no_massage[j];
                if (!dup && r->nno_massage < PL_SCREEN_QUESTIONS_MAX)
                    r->no_massage[r->nno_massage++] = q->no_massage[j];
            }
        } else if (q->part == PL_SCREEN_SIGN && ans == PL_ANSWER_YES) {
            yes++;
            prior |= q->prior;
            add_flag(r, i, "%s%s", q->prior ? "makes the other signs count for more" :
                                              "you answered yes", cov);
        } else if (q->part == PL_SCREEN_AREA &&
                   (ans == PL_ANSWER_YES || ans == PL_ANSWER_UNSURE)) {
            add_flag(r, i, ans == PL_ANSWER_YES ? "yes in the %s%s" :
                                                  "unsure after the %s: worked on to be safe%s",
                     q->test, cov);
        }
    }
    /* Long sitting is the usual cause (PROTOCOL.md A2, B6): with another
     * sign, it counts twice. */
    r->score = yes + (prior && yes >= 2 ? 1 : 0);
    r->strength = r->score == 0 ? PL_SCREEN_NONE
                : r->score == 1 ? PL_SCREEN_WEAK
                : r->score <= 3 ? PL_SCREEN_MODERATE : PL_SCREEN_STRONG;
    r->indicated = r->score >= 2;
    if (r->stopped)
        return;

    const struct pl_routine *rs[PL_SCREEN_QUESTIONS_MAX];
    size_t nrs = 0;
    for (size_t i = s->nred + s->nsigns; i < s->n; i++)
        if (a->a[i] == PL_ANSWER_YES || a->a[i] == PL_ANSWER_UNSURE)
            rs[nrs++] = s->q[i].routine;
    if (nrs == 0 && !r->indicated)
        return;
    if (nrs == 0) {
        r->all_areas = true;
        for (size_t i = s->nred + s->nsigns; i < s->n; i++)
            rs[nrs++] = s->q[i].routine;
    }
    /* Two areas may share a routine: keep it once, in the first place. */
    size_t k = 0;
    for (size_t i = 0; i < nrs; i++) {
        bool dup = false;
        for (size_t j = 0; j < k; j++)
            dup |= rs[j] == rs[i];
        if (!dup)
            rs[k++] = rs[i];
    }
    for (uint16_t d = 0; d < s->days; d++)
        for (int e = 0; e < 2; e++) {
            struct pl_screen_session *ss = &r->sessions[r->nsessions++];
            ss->day = a->day + d;
            ss->minute = s->time_min[e];
            ss->evening = e == 1;
            ss->nroutines = k;
            memcpy(ss->routines, rs, k * sizeof rs[0]);
        }
    r->then_day = a->day + s->days;
    r->then = s->then;
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

/* Append ",id" (no comma first) when it fits whole. */
static void join(char *buf, size_t n, const char *id)
{
    size_t len = strlen(buf);
    size_t need = strlen(id) + (len ? 1 : 0);
    if (len + need + 1 > n)
        return;
    if (len)
        buf[len++] = ',';
    memcpy(buf + len, id, strlen(id) + 1);
}

void pl_screen_record_fill(const struct pl_screening *s, const struct pl_screen_answers *a,
                           const struct pl_screen_result *r, const char *protocol_id,
                           int64_t taken_s, struct pl_screen_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->day = r->day;
    rec->taken_s = taken_s;
    snprintf(rec->protocol, sizeof rec->protocol, "%s", protocol_id ? protocol_id : "");
    rec->stopped = r->stopped;
    rec->strength = r->strength;
    for (size_t i = 0; i < r->nflags; i++) {
        const struct pl_screen_question *q = &s->q[r->flags[i].q];
        if (q->part == PL_SCREEN_RED_FLAG)
            join(rec->red_flags, sizeof rec->red_flags, q->id);
        else if (q->part == PL_SCREEN_SIGN)
            join(rec->signs, sizeof rec->signs, q->id);
    }
    if (r->nsessions)
        for (size_t i = s->nred + s->nsigns; i < s->n; i++)
            if (r->all_areas || a->a[i] == PL_ANSWER_YES || a->a[i] == PL_ANSWER_UNSURE)
                join(rec->areas, sizeof rec->areas, s->q[i].id);
    for (size_t i = 0; i < r->nno_massage; i++)
        join(rec->no_massage, sizeof rec->no_massage, r->no_massage[i]->id);
    for (size_t i = 0; i < s->n; i++) {
        char pair[128];
        snprintf(pair, sizeof pair, "%s=%s", s->q[i].id,
                 a->a[i] ? pl_answer_name(a->a[i]) : "none");
        join(rec->answers, sizeof rec->answers, pair);
    }
}

size_t pl_screen_record_answers(const struct pl_screening *s, const struct pl_screen_record *rec,
                                struct pl_screen_answers *a)
{
    size_t unknown = 0;
    a->day = rec->day;
    a->day_given = true;
    /* "id=yes,id=no,..." as pl_screen_record_fill() writes it; "none" is
     * a question the screen did not reach (after a warning sign). */
    for (const char *c = rec->answers; *c;) {
        size_t w = strcspn(c, ",");
        const char *eq = memchr(c, '=', w);
        if (eq) {
            char id[128], v[16];
            snprintf(id, sizeof id, "%.*s", (int)(eq - c), c);
            snprintf(v, sizeof v, "%.*s", (int)(c + w - eq - 1), eq + 1);
            size_t k;
            int ans = pl_answer_parse(v);
            if (!pl_screening_find(s, id, &k))
                unknown++;
            else if (ans > 0)
                a->a[k] = (uint8_t)ans;
        }
        c += w + (c[w] == ',');
    }
    return unknown;
}

static bool flagged_by(const struct pl_screen_question *q, int a)
{
    return a == PL_ANSWER_YES || (q->part == PL_SCREEN_AREA && a == PL_ANSWER_UNSURE);
}

size_t pl_screen_changes(const struct pl_screening *s, const struct pl_screen_answers *now,
                         const struct pl_screen_answers *before, bool gained, size_t *out)
{
    size_t k = 0;
    for (size_t i = s->nred; i < s->n; i++) {
        bool a = flagged_by(&s->q[i], now->a[i]), b = flagged_by(&s->q[i], before->a[i]);
        if (gained ? a && !b : b && !a)
            out[k++] = i;
    }
    return k;
}
