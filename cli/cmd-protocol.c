/*
 * cmd-protocol.c - `pliant protocol`: check a protocol file, show a
 * protocol as a person reads it, list the built-in ones.
 *
 * A protocol is named by a path (anything that is a file, holds a '/' or
 * ends in .yaml or .yml) or by the name of a built-in protocol. The
 * library reads it and reports every error with its line:column; this
 * file only prints. The sentences of `show` are built from the protocol's
 * fields, so that an edited file reads as naturally as the default.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const struct cmd cmd_protocol_def = {
    "protocol", cmd_protocol, "check, show and list recovery protocols",
    "usage: pliant protocol check FILE|NAME [--json]\n"
    "       pliant protocol show [FILE|NAME] [--json | --yaml]\n"
    "       pliant protocol list [--json]\n"
    "\n"
    "A protocol is the YAML file that says which recovery routines to do,\n"
    "when and how (docs/formats.md, \"Protocol files\"). pliant has one built\n"
    "in, 'hamstrings', the default; copy it, edit it and use your copy with\n"
    "'pliant plan --protocol FILE'.\n"
    "\n"
    "  check   read FILE and report every error as FILE:LINE:COL: what was\n"
    "          expected; a file without errors gets a one-line summary\n"
    "  show    print a protocol as a person reads it: the title, the safety\n"
    "          note and warning signs, each rule in plain words, each\n"
    "          routine with its numbered steps (durations, how and why), the\n"
    "          constraints and the body areas. Without FILE|NAME: the default\n"
    "  list    the built-in protocols\n"
    "\n"
    "Options:\n"
    "  --json  check: {file, ok, errors: [{line, col, code, message}],\n"
    "          areas, routines, rules, constraints, red_flags, covers};\n"
    "          show: the whole protocol as one object (see\n"
    "          pliant-protocol(1)); list: [{name, title}]\n"
    "  --yaml  show: the YAML source itself, to copy and edit:\n"
    "          pliant protocol show --yaml > my-protocol.yaml\n"
    "\n"
    "A FILE|NAME is a file when it exists, holds a '/' or ends in .yaml or\n"
    ".yml; otherwise the name of a built-in protocol.\n"
    "\n"
    "Exit status: 0 fine; 1 check found errors; 2 usage error; 3 the file\n"
    "cannot be read, or show was given a protocol with errors.\n",
};

/* Text is wrapped to this many columns, whatever the terminal: the output
 * is the same everywhere (and in the tests' golden files). */
#define WIDTH 78

/* ------------------------------------------------------------------ */
/* Naming and loading                                                   */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool names_file(const char *arg)
{
    struct stat st;
    return strchr(arg, '/') || ends_with(arg, ".yaml") || ends_with(arg, ".yml") ||
           (stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

struct errs {
    const char *where;      /* the file, or "NAME (built in)" */
    FILE *out;              /* text: where the errors go; NULL for JSON */
    size_t n;
    struct pl_diag *v;      /* JSON: kept to print after */
    size_t cap;
};

/* A count that is 0 when not given: the number, or null. */
static void json_count(FILE *f, uint32_t v)
{
    if (v)
        fprintf(f, "%u", (unsigned)v);
    else
        fputs("null", f);
}

static void on_error(void *ctx, const struct pl_diag *e)
{
    struct errs *x = ctx;
    if (x->out) {
        if (e->line)
            fprintf(x->out, "%s:%u:%u: %s\n", x->where, (unsigned)e->line, (unsigned)e->col, e->msg);
        else
            fprintf(x->out, "%s: %s\n", x->where, e->msg);
        x->n++;
        return;
    }
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        struct pl_diag *v = realloc(x->v, cap * sizeof *v);
        if (!v)
            return;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = *e;
}

/* Load FILE|NAME. Returns 0, or the library's code with the reason
 * printed (a file that cannot be read, an unknown name) or handed to
 * errs (errors in the file). *unreadable tells the first kind. */
static int load(const char *arg, struct errs *errs, struct pl_protocol **p, bool *unreadable)
{
    struct pl_diag d;
    pl_diag_clear(&d);
    *unreadable = false;
    int rc;
    if (names_file(arg)) {
        errs->where = arg;
        rc = pl_protocol_load_file(arg, p, on_error, errs, &d);
        if (rc == PL_EIO || rc == PL_EINVAL) {
            error_msg("cannot read '%s': %s", arg, d.msg);
            *unreadable = true;
        }
    } else {
        size_t n;
        const char *yaml = pl_protocol_builtin_yaml(arg, &n);
        if (!yaml) {
            error_msg("no protocol '%s': not a file, and not a built-in protocol (see 'pliant "
                      "protocol list')",
                      arg);
            *unreadable = true;
            return PL_ENOTFOUND;
        }
        rc = pl_protocol_parse(yaml, n, p, on_error, errs, &d);
    }
    if (rc == PL_ENOMEM) {
        error_msg("out of memory reading '%s'", arg);
        *unreadable = true;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* check                                                                */

/* Distinct item ids the protocol's covers name, in the order met. */
struct items {
    const char *v[512];
    size_t n;
};

static void add_items(struct items *it, const char *const *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < it->n && !seen; j++)
            seen = strcmp(it->v[j], c[i]) == 0;
        if (!seen && it->n < sizeof it->v / sizeof it->v[0])
            it->v[it->n++] = c[i];
    }
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect_items(const struct pl_protocol *p, struct items *it)
{
    it->n = 0;
    for (size_t i = 0; i < pl_protocol_routine_count(p); i++) {
        const struct pl_routine *r = pl_protocol_routine(p, i);
        add_items(it, r->covers, r->ncovers);
    }
    for (size_t i = 0; i < pl_protocol_rule_count(p); i++) {
        const struct pl_rule *r = pl_protocol_rule(p, i);
        add_items(it, r->covers, r->ncovers);
        for (size_t j = 0; j < r->nconstraints; j++)
            add_items(it, r->constraints[j].covers, r->constraints[j].ncovers);
    }
    for (size_t i = 0; i < pl_protocol_constraint_count(p); i++) {
        const struct pl_constraint *c = pl_protocol_constraint(p, i);
        add_items(it, c->covers, c->ncovers);
    }
    qsort(it->v, it->n, sizeof it->v[0], cmp_item);
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static int check(const char *arg, bool json)
{
    struct errs errs = { .out = json ? NULL : stdout };
    struct pl_protocol *p = NULL;
    bool unreadable;
    int rc = load(arg, &errs, &p, &unreadable);
    if (unreadable) {
        free(errs.v);
        return EXIT_NOTHING;
    }
    struct items it = { .n = 0 };
    if (p)
        collect_items(p, &it);
    if (json) {
        printf("{\n  \"file\": ");
        json_cstr(stdout, arg);
        printf(",\n  \"ok\": %s,\n  \"errors\": [", rc == 0 ? "true" : "false");
        for (size_t i = 0; i < errs.n; i++) {
            const struct pl_diag *e = &errs.v[i];
            printf("%s\n    {\"line\": %u, \"col\": %u, \"code\": ", i ? "," : "",
                   (unsigned)e->line, (unsigned)e->col);
            json_cstr(stdout, pl_err_name(e->code));
            printf(", \"message\": ");
            json_cstr(stdout, e->msg);
            printf("}");
        }
        printf("%s]", errs.n ? "\n  " : "");
        if (p) {
            printf(",\n  \"id\": ");
            json_cstr(stdout, pl_protocol_id(p));
            printf(",\n  \"areas\": %zu,\n  \"routines\": %zu,\n  \"rules\": %zu,\n"
                   "  \"constraints\": %zu,\n  \"red_flags\": %zu,\n  \"covers\": [",
                   pl_protocol_area_count(p), pl_protocol_routine_count(p),
                   pl_protocol_rule_count(p), pl_protocol_constraint_count(p),
                   pl_protocol_red_flag_count(p));
            for (size_t i = 0; i < it.n; i++) {
                printf("%s", i ? ", " : "");
                json_cstr(stdout, it.v[i]);
            }
            printf("]");
        }
        printf("\n}\n");
    } else if (p) {
        size_t na = pl_protocol_area_count(p), nr = pl_protocol_routine_count(p),
               nu = pl_protocol_rule_count(p), nc = pl_protocol_constraint_count(p),
               nf = pl_protocol_red_flag_count(p);
        for (size_t i = 0; i < nu; i++)
            nc += pl_protocol_rule(p, i)->nconstraints;
        printf("%s: ok: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s; covers %zu %s\n", arg, na,
               plural(na, "area", "areas"), nr, plural(nr, "routine", "routines"), nu,
               plural(nu, "rule", "rules"), nc, plural(nc, "constraint", "constraints"), nf,
               plural(nf, "red flag", "red flags"), it.n, plural(it.n, "item", "items"));
    }
    free(errs.v);
    pl_protocol_free(p);
    return rc == 0 ? 0 : EXIT_PARTIAL;
}

/* ------------------------------------------------------------------ */
/* show: text                                                           */

/* Print s wrapped to WIDTH columns: the first line indented by `indent`
 * spaces and starting with `first` (NULL for none), the others indented by
 * `cont`. Columns count UTF-8 characters; newlines in s are kept. */
static void wrap2(FILE *f, int indent, int cont, const char *first, const char *s)
{
    size_t col = (size_t)indent;
    fprintf(f, "%*s", indent, "");
    bool line_start = true;
    if (first && *first) {
        fputs(first, f);
        for (const char *c = first; *c; c++)
            col += ((unsigned char)*c & 0xC0) != 0x80;
    }
    while (*s) {
        if (*s == '\n') {
            fprintf(f, "\n%*s", cont, "");
            col = (size_t)cont;
            line_start = true;
            s++;
            continue;
        }
        if (*s == ' ') {
            s++;
            continue;
        }
        size_t len = 0, chars = 0;
        while (s[len] && s[len] != ' ' && s[len] != '\n') {
            chars += ((unsigned char)s[len] & 0xC0) != 0x80;
            len++;
        }
        if (!line_start && col + 1 + chars > WIDTH) {
            fprintf(f, "\n%*s", cont, "");
            col = (size_t)cont;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', f);
            col++;
        }
        fwrite(s, 1, len, f);
        col += chars;
        line_start = false;
        s += len;
    }
    fputc('\n', f);
}

static void wrap(FILE *f, int indent, const char *first, const char *s)
{
    wrap2(f, indent, indent, first, s);
}

/* "90 s", "3 min", "1 h", "1 h 30 min". */
static void fmt_dur(char *buf, size_t n, uint32_t s)
{
    if (s >= 3600 && s % 3600 == 0)
        snprintf(buf, n, "%u h", (unsigned)(s / 3600));
    else if (s >= 3600 && s % 60 == 0)
        snprintf(buf, n, "%u h %u min", (unsigned)(s / 3600), (unsigned)(s % 3600 / 60));
    else if (s >= 60 && s % 60 == 0)
        snprintf(buf, n, "%u min", (unsigned)(s / 60));
    else if (s >= 60)
        snprintf(buf, n, "%u min %u s", (unsigned)(s / 60), (unsigned)(s % 60));
    else
        snprintf(buf, n, "%u s", (unsigned)s);
}

/* A window as words: "2 h" (within), "40-60 min", "1 h to 2 h 30 min". */
static void fmt_window(char *buf, size_t n, uint32_t a, uint32_t b, bool *within)
{
    char x[32], y[32];
    fmt_dur(y, sizeof y, b);
    *within = a == 0;
    if (a == 0) {
        snprintf(buf, n, "%s", y);
        return;
    }
    /* Minutes read best up to two hours: "40-60 min", not "40 min to 1 h". */
    if (a % 60 == 0 && b % 60 == 0 && b <= 7200) {
        snprintf(buf, n, "%u-%u min", (unsigned)(a / 60), (unsigned)(b / 60));
        return;
    }
    fmt_dur(x, sizeof x, a);
    /* Two durations of one unit share it: "2-3 h". */
    const char *sx = strchr(x, ' '), *sy = strchr(y, ' ');
    if (sx && sy && sx == strrchr(x, ' ') && sy == strrchr(y, ' ') && strcmp(sx, sy) == 0)
        snprintf(buf, n, "%.*s-%s", (int)(sx - x), x, y);
    else
        snprintf(buf, n, "%s to %s", x, y);
}

static void hhmm(char *buf, size_t n, int m)
{
    snprintf(buf, n, "%02d:%02d", m / 60, m % 60);
}

/* How a rule's trigger reads at the start of a sentence. */
static const char *trigger_lead(int t)
{
    switch (t) {
    case PL_TRIGGER_HARD_SESSION: return "After a hard session";
    case PL_TRIGGER_RACE: return "After a race";
    case PL_TRIGGER_TRAVEL: return "After long travel";
    case PL_TRIGGER_EVENING_RUN: return "On a day with an evening run";
    case PL_TRIGGER_EVERY_DAY: return "Every day";
    case PL_TRIGGER_REST_DAY: return "On a rest day";
    case PL_TRIGGER_RECOVERY_NEEDED: return "When your training load calls for recovery";
    case PL_TRIGGER_SCREENING_RESULT: return "When a screening finds signs";
    default: return "?";
    }
}

/* An event as the object of "before" or "after": "the evening run". */
static const char *event_the(int t)
{
    switch (t) {
    case PL_TRIGGER_HARD_SESSION: return "the hard session";
    case PL_TRIGGER_RACE: return "the race";
    case PL_TRIGGER_TRAVEL: return "the journey";
    case PL_TRIGGER_EVENING_RUN: return "the evening run";
    default: return "it";
    }
}

static const char *event_a(int t)
{
    switch (t) {
    case PL_TRIGGER_HARD_SESSION: return "a hard session";
    case PL_TRIGGER_RACE: return "a race";
    case PL_TRIGGER_TRAVEL: return "a journey";
    case PL_TRIGGER_EVENING_RUN: return "an evening run";
    default: return "it";
    }
}

/* The words for a timing, for the first routine (lead: after the trigger
 * phrase, ", the same day") or another (in brackets). */
static void timing_words(char *buf, size_t n, const struct pl_timing *t, int trigger)
{
    char w[80], a[16], b[16];
    bool within;
    buf[0] = '\0';
    switch (t->at) {
    case PL_AT_AFTER:
        fmt_window(w, sizeof w, t->window_s_min, t->window_s_max, &within);
        snprintf(buf, n, "starting %s%s after %s", within ? "within " : "", w,
                 t->of == trigger ? "it" : event_the(t->of));
        break;
    case PL_AT_BEFORE:
        fmt_window(w, sizeof w, t->window_s_min, t->window_s_max, &within);
        snprintf(buf, n, "ending %s%s before %s", within ? "at most " : "", w,
                 t->of == trigger ? "it" : event_the(t->of));
        break;
    case PL_AT_SAME_DAY:
        if (t->time_min[0] >= 0) {
            hhmm(a, sizeof a, t->time_min[0]);
            snprintf(buf, n, "at %s", a);
        }
        break;
    case PL_AT_NEXT_MORNING:
        if (t->time_min[0] >= 0) {
            hhmm(a, sizeof a, t->time_min[0]);
            snprintf(buf, n, "the next morning at %s", a);
        } else {
            snprintf(buf, n, "the next morning");
        }
        break;
    case PL_AT_TWICE_DAILY:
        if (t->time_min[0] >= 0 && t->time_min[1] >= 0) {
            hhmm(a, sizeof a, t->time_min[0]);
            hhmm(b, sizeof b, t->time_min[1]);
            snprintf(buf, n, "twice a day for %u %s, at %s and %s", (unsigned)t->days,
                     t->days == 1 ? "day" : "days", a, b);
        } else {
            snprintf(buf, n, "twice a day for %u %s", (unsigned)t->days,
                     t->days == 1 ? "day" : "days");
        }
        break;
    case PL_AT_DAYS_LATER:
        if (t->days == 1)
            snprintf(buf, n, "the next day");
        else
            snprintf(buf, n, "%u days later", (unsigned)t->days);
        if (t->time_min[0] >= 0) {
            hhmm(a, sizeof a, t->time_min[0]);
            size_t l = strlen(buf);
            snprintf(buf + l, n - l, " at %s", a);
        }
        break;
    default:
        break;
    }
}

/* Routine titles read in the middle of a sentence: "Flush massage" ->
 * "flush massage", unless the second letter is a capital too (an
 * acronym). */
static void lower_first(char *buf, size_t n, const char *s)
{
    snprintf(buf, n, "%s", s);
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* Append to a growing sentence (capped: a protocol's sentence is a few
 * hundred bytes; a longer one is cut, never overflowed). */
struct sent {
    char s[4096];
    size_t n;
};

__attribute__((format(printf, 2, 3))) static void add(struct sent *x, const char *fmt, ...)
{
    if (x->n >= sizeof x->s - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(x->s + x->n, sizeof x->s - x->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        x->n = (size_t)w < sizeof x->s - x->n ? x->n + (size_t)w : sizeof x->s - 1;
}

static void covers_note(char *buf, size_t n, const char *const *c, size_t nc)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nc && o < n; i++) {
        int w = snprintf(buf + o, n - o, "%s%s", i ? ", " : "", c[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

static void show_rule(FILE *f, const struct pl_rule *r)
{
    struct sent x = { .n = 0 };
    char w[256], t[600];
    const struct pl_rule_entry *e0 = &r->entries[0];
    add(&x, "%s", trigger_lead(r->trigger));
    timing_words(w, sizeof w, &e0->timing, r->trigger);
    bool day_trigger = r->trigger == PL_TRIGGER_EVERY_DAY || r->trigger == PL_TRIGGER_REST_DAY;
    switch (e0->timing.at) {
    case PL_AT_AFTER:
    case PL_AT_BEFORE:
        add(&x, ", the same day");
        break;
    case PL_AT_SAME_DAY:
        if (!day_trigger)
            add(&x, ", the same day");
        if (w[0])
            add(&x, ", %s", w);
        break;
    default:
        add(&x, ", %s", w);
        break;
    }
    add(&x, ": ");
    for (size_t i = 0; i < r->nentries; i++) {
        const struct pl_rule_entry *e = &r->entries[i];
        if (!e->routine)
            continue;
        lower_first(t, sizeof t, e->routine->title);
        if (i > 0)
            add(&x, ", then ");
        add(&x, "%s", i == 0 ? e->routine->title : t);
        if (i == 0 && (e->timing.at == PL_AT_AFTER || e->timing.at == PL_AT_BEFORE))
            add(&x, " (%s)", w);
        else if (i > 0 && e->timing.at != PL_AT_THEN) {
            char ww[256];
            timing_words(ww, sizeof ww, &e->timing, r->trigger);
            if (e->timing.at == PL_AT_SAME_DAY && !ww[0])
                snprintf(ww, sizeof ww, "the same day");
            add(&x, " (%s)", ww);
        }
    }
    add(&x, ".");
    if (r->title[0])
        wrap(f, 2, NULL, r->title);
    wrap(f, r->title[0] ? 4 : 2, NULL, x.s);
    if (r->why[0])
        wrap(f, r->title[0] ? 4 : 2, "Why: ", r->why);
    char cov[200];
    covers_note(cov, sizeof cov, r->covers, r->ncovers);
    if (cov[0])
        wrap(f, r->title[0] ? 4 : 2, "Covers: ", cov);
}

static void show_constraint(FILE *f, const struct pl_constraint *c, const struct pl_rule *in)
{
    struct sent x = { .n = 0 };
    char w[32];
    fmt_dur(w, sizeof w, c->within_s);
    add(&x, "Not within %s %s %s: ", w, c->avoid == PL_AVOID_BEFORE ? "before" : "after",
        event_a(c->of));
    size_t k = 0;
    for (size_t i = 0; i < c->nroutines; i++) {
        char t[600];
        lower_first(t, sizeof t, c->routines[i]->title);
        add(&x, "%s%s", k ? ", " : "", k ? t : c->routines[i]->title);
        k++;
    }
    for (int kind = 1; kind < PL_ROUTINE_KIND_COUNT_; kind++)
        if (c->kinds & (1u << kind))
        {
            add(&x, "%s%s%s", k ? ", " : "", k ? "any " : "Any ", pl_routine_kind_name(kind));
            k++;
        }
    if (in)
        add(&x, " (in '%s')", in->title[0] ? in->title : in->id);
    add(&x, ".");
    wrap(f, 2, NULL, x.s);
    if (c->why[0])
        wrap(f, 4, "Why: ", c->why);
}

static void show_routine(FILE *f, const struct pl_routine *r)
{
    char head[700], d[32], cov[200];
    if (r->duration_s)
        fmt_dur(d, sizeof d, r->duration_s);
    snprintf(head, sizeof head, "%s (%s%s%s)", r->title, pl_routine_kind_name(r->kind),
             r->duration_s ? ", " : "", r->duration_s ? d : "");
    wrap(f, 2, NULL, head);
    if (r->why[0])
        wrap(f, 4, NULL, r->why);
    if (r->caution[0])
        wrap(f, 4, "Caution: ", r->caution);
    for (size_t i = 0; i < r->nsteps; i++) {
        const struct pl_step *s = &r->steps[i];
        char lead[700], amount[64] = "";
        if (s->duration_s) {
            fmt_dur(d, sizeof d, s->duration_s);
            snprintf(amount, sizeof amount, ", %s", d);
        } else if (s->reps && s->sets > 1) {
            snprintf(amount, sizeof amount, ", %u x %u", (unsigned)s->sets, (unsigned)s->reps);
        } else if (s->reps) {
            snprintf(amount, sizeof amount, ", %u %s", (unsigned)s->reps,
                     s->reps == 1 ? "time" : "times");
        }
        /* The area, when the step's own name hides it. */
        char area[300] = "";
        if (s->area && strcmp(s->name, s->area->name) != 0)
            snprintf(area, sizeof area, " [%s]", s->area->name);
        snprintf(lead, sizeof lead, "%zu. %s%s%s", i + 1, s->name, area, amount);
        wrap(f, 4, NULL, lead);
        wrap(f, 7, NULL, s->how);
        if (s->why[0])
            wrap(f, 7, "Why: ", s->why);
    }
    covers_note(cov, sizeof cov, r->covers, r->ncovers);
    if (cov[0])
        wrap(f, 4, "Covers: ", cov);
}

static void show_text(FILE *f, const struct pl_protocol *p, const char *source)
{
    wrap(f, 0, NULL, pl_protocol_title(p));
    char src[1400];
    snprintf(src, sizeof src, "Protocol '%s', %s.", pl_protocol_id(p), source);
    wrap(f, 0, NULL, src);
    fputc('\n', f);
    wrap(f, 0, NULL, pl_protocol_safety_note(p));
    size_t nf = pl_protocol_red_flag_count(p);
    if (nf) {
        fputc('\n', f);
        fprintf(f, "Warning signs: stop and get help\n");
        for (size_t i = 0; i < nf; i++) {
            const struct pl_red_flag *rf = pl_protocol_red_flag(p, i);
            wrap2(f, 2, 4, "- ", rf->sign);
            wrap(f, 4, rf->urgent ? "URGENT: " : NULL, rf->action);
        }
    }
    fprintf(f, "\nWhen\n");
    for (size_t i = 0; i < pl_protocol_rule_count(p); i++) {
        if (i)
            fputc('\n', f);
        show_rule(f, pl_protocol_rule(p, i));
    }
    size_t nc = pl_protocol_constraint_count(p);
    for (size_t i = 0; i < pl_protocol_rule_count(p); i++)
        nc += pl_protocol_rule(p, i)->nconstraints;
    if (nc) {
        fprintf(f, "\nNever\n");
        for (size_t i = 0; i < pl_protocol_constraint_count(p); i++)
            show_constraint(f, pl_protocol_constraint(p, i), NULL);
        for (size_t i = 0; i < pl_protocol_rule_count(p); i++) {
            const struct pl_rule *r = pl_protocol_rule(p, i);
            for (size_t j = 0; j < r->nconstraints; j++)
                show_constraint(f, &r->constraints[j], r);
        }
    }
    fprintf(f, "\nRoutines\n");
    for (size_t i = 0; i < pl_protocol_routine_count(p); i++) {
        if (i)
            fputc('\n', f);
        show_routine(f, pl_protocol_routine(p, i));
    }
    fprintf(f, "\nBody areas\n");
    for (size_t i = 0; i < pl_protocol_area_count(p); i++) {
        const struct pl_area *a = pl_protocol_area(p, i);
        char lead[300];
        snprintf(lead, sizeof lead, "%s (%s)%s", a->name, a->id, a->description[0] ? ": " : "");
        wrap(f, 2, lead, a->description);
    }
    if (pl_protocol_screening(p))
        fprintf(f, "\nThe protocol has a screening section ('pliant screen' asks it;\n"
                   "'pliant protocol show --json' lists it).\n");
}

/* ------------------------------------------------------------------ */
/* show: JSON                                                           */

static void json_ids(FILE *f, const char *const *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        json_cstr(f, v[i]);
    }
    fputc(']', f);
}

static void json_node(FILE *f, const struct pl_node *n)
{
    if (!n) {
        fputs("null", f);
        return;
    }
    switch (n->kind) {
    case PL_NODE_SEQ:
        fputc('[', f);
        for (size_t i = 0; i < n->n; i++) {
            fputs(i ? ", " : "", f);
            json_node(f, &n->items[i]);
        }
        fputc(']', f);
        break;
    case PL_NODE_MAP:
        fputc('{', f);
        for (size_t i = 0; i < n->n; i++) {
            fputs(i ? ", " : "", f);
            json_cstr(f, n->keys[i].text);
            fputs(": ", f);
            json_node(f, &n->items[i]);
        }
        fputc('}', f);
        break;
    default:
        json_cstr(f, n->text);
        break;
    }
}

static void json_constraint(FILE *f, const struct pl_constraint *c)
{
    fprintf(f, "{\"id\": ");
    json_cstr(f, c->id);
    fprintf(f, ", \"avoid\": \"%s\", \"of\": ", c->avoid == PL_AVOID_BEFORE ? "before" : "after");
    json_cstr(f, pl_trigger_name(c->of));
    fprintf(f, ", \"within_s\": %u, \"routines\": [", (unsigned)c->within_s);
    for (size_t i = 0; i < c->nroutines; i++) {
        fputs(i ? ", " : "", f);
        json_cstr(f, c->routines[i]->id);
    }
    fprintf(f, "], \"kinds\": [");
    size_t k = 0;
    for (int kind = 1; kind < PL_ROUTINE_KIND_COUNT_; kind++)
        if (c->kinds & (1u << kind)) {
            fputs(k++ ? ", " : "", f);
            json_cstr(f, pl_routine_kind_name(kind));
        }
    fprintf(f, "], \"why\": ");
    json_cstr(f, c->why);
    fprintf(f, ", \"covers\": ");
    json_ids(f, c->covers, c->ncovers);
    fputc('}', f);
}

static void json_time(FILE *f, int m)
{
    if (m < 0) {
        fputs("null", f);
        return;
    }
    char b[16];
    hhmm(b, sizeof b, m);
    json_cstr(f, b);
}

static void show_json(FILE *f, const struct pl_protocol *p)
{
    fprintf(f, "{\n  \"id\": ");
    json_cstr(f, pl_protocol_id(p));
    fprintf(f, ",\n  \"title\": ");
    json_cstr(f, pl_protocol_title(p));
    fprintf(f, ",\n  \"safety_note\": ");
    json_cstr(f, pl_protocol_safety_note(p));
    fprintf(f, ",\n  \"red_flags\": [");
    for (size_t i = 0; i < pl_protocol_red_flag_count(p); i++) {
        const struct pl_red_flag *rf = pl_protocol_red_flag(p, i);
        fprintf(f, "%s\n    {\"id\": ", i ? "," : "");
        json_cstr(f, rf->id);
        fprintf(f, ", \"sign\": ");
        json_cstr(f, rf->sign);
        fprintf(f, ", \"action\": ");
        json_cstr(f, rf->action);
        fprintf(f, ", \"urgent\": %s, \"areas\": [", rf->urgent ? "true" : "false");
        for (size_t j = 0; j < rf->nareas; j++) {
            fputs(j ? ", " : "", f);
            json_cstr(f, rf->areas[j]->id);
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ],\n  \"areas\": [");
    for (size_t i = 0; i < pl_protocol_area_count(p); i++) {
        const struct pl_area *a = pl_protocol_area(p, i);
        fprintf(f, "%s\n    {\"id\": ", i ? "," : "");
        json_cstr(f, a->id);
        fprintf(f, ", \"name\": ");
        json_cstr(f, a->name);
        fprintf(f, ", \"description\": ");
        json_cstr(f, a->description);
        fputc('}', f);
    }
    fprintf(f, "\n  ],\n  \"routines\": [");
    for (size_t i = 0; i < pl_protocol_routine_count(p); i++) {
        const struct pl_routine *r = pl_protocol_routine(p, i);
        fprintf(f, "%s\n    {\"id\": ", i ? "," : "");
        json_cstr(f, r->id);
        fprintf(f, ", \"title\": ");
        json_cstr(f, r->title);
        fprintf(f, ", \"kind\": ");
        json_cstr(f, pl_routine_kind_name(r->kind));
        fprintf(f, ", \"duration_s\": %u,\n     \"why\": ", (unsigned)r->duration_s);
        json_cstr(f, r->why);
        fprintf(f, ",\n     \"caution\": ");
        json_cstr(f, r->caution);
        fprintf(f, ",\n     \"covers\": ");
        json_ids(f, r->covers, r->ncovers);
        fprintf(f, ",\n     \"steps\": [");
        for (size_t j = 0; j < r->nsteps; j++) {
            const struct pl_step *s = &r->steps[j];
            fprintf(f, "%s\n       {\"area\": ", j ? "," : "");
            if (s->area)
                json_cstr(f, s->area->id);
            else
                fputs("null", f);
            fprintf(f, ", \"name\": ");
            json_cstr(f, s->name);
            fprintf(f, ", \"duration_s\": ");
            json_count(f, s->duration_s);
            fprintf(f, ", \"reps\": ");
            json_count(f, s->reps);
            fprintf(f, ", \"sets\": ");
            json_count(f, s->sets);
            fprintf(f, ",\n        \"how\": ");
            json_cstr(f, s->how);
            fprintf(f, ",\n        \"why\": ");
            json_cstr(f, s->why);
            fputc('}', f);
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ],\n  \"rules\": [");
    for (size_t i = 0; i < pl_protocol_rule_count(p); i++) {
        const struct pl_rule *r = pl_protocol_rule(p, i);
        fprintf(f, "%s\n    {\"id\": ", i ? "," : "");
        json_cstr(f, r->id);
        fprintf(f, ", \"title\": ");
        json_cstr(f, r->title);
        fprintf(f, ", \"trigger\": ");
        json_cstr(f, pl_trigger_name(r->trigger));
        fprintf(f, ",\n     \"why\": ");
        json_cstr(f, r->why);
        fprintf(f, ",\n     \"covers\": ");
        json_ids(f, r->covers, r->ncovers);
        fprintf(f, ",\n     \"routines\": [");
        for (size_t j = 0; j < r->nentries; j++) {
            const struct pl_rule_entry *e = &r->entries[j];
            const struct pl_timing *t = &e->timing;
            fprintf(f, "%s\n       {\"routine\": ", j ? "," : "");
            json_cstr(f, e->routine ? e->routine->id : "");
            fprintf(f, ", \"at\": ");
            json_cstr(f, pl_timing_at_name(t->at));
            fprintf(f, ", \"of\": ");
            if (t->of)
                json_cstr(f, pl_trigger_name(t->of));
            else
                fputs("null", f);
            fprintf(f, ", \"window_s\": ");
            if (t->at == PL_AT_AFTER || t->at == PL_AT_BEFORE)
                fprintf(f, "[%u, %u]", (unsigned)t->window_s_min, (unsigned)t->window_s_max);
            else
                fputs("null", f);
            fprintf(f, ", \"days\": ");
            if (t->days)
                fprintf(f, "%u", (unsigned)t->days);
            else
                fputs("null", f);
            fprintf(f, ", \"times\": [");
            json_time(f, t->time_min[0]);
            fputs(", ", f);
            json_time(f, t->time_min[1]);
            fprintf(f, "]}");
        }
        fprintf(f, "],\n     \"constraints\": [");
        for (size_t j = 0; j < r->nconstraints; j++) {
            fputs(j ? ", " : "", f);
            json_constraint(f, &r->constraints[j]);
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ],\n  \"constraints\": [");
    for (size_t i = 0; i < pl_protocol_constraint_count(p); i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        json_constraint(f, pl_protocol_constraint(p, i));
    }
    fprintf(f, "\n  ],\n  \"screening\": ");
    json_node(f, pl_protocol_screening(p));
    fprintf(f, "\n}\n");
}

static int show(const char *arg, bool json, bool yaml)
{
    if (!arg)
        arg = pl_protocol_builtin_name(0);
    if (yaml) {
        if (names_file(arg)) {
            size_t n;
            unsigned char *b = read_file(arg, &n);
            if (!b) {
                error_msg("cannot read '%s': %s", arg, strerror(errno));
                return EXIT_NOTHING;
            }
            fwrite(b, 1, n, stdout);
            free(b);
            return 0;
        }
        size_t n;
        const char *y = pl_protocol_builtin_yaml(arg, &n);
        if (!y) {
            error_msg("no protocol '%s': not a file, and not a built-in protocol (see 'pliant "
                      "protocol list')",
                      arg);
            return EXIT_NOTHING;
        }
        fwrite(y, 1, n, stdout);
        return 0;
    }
    struct errs errs = { .out = stderr };
    struct pl_protocol *p = NULL;
    bool unreadable;
    int rc = load(arg, &errs, &p, &unreadable);
    if (rc) {
        if (!unreadable)
            error_msg("'%s' has errors (above); 'pliant protocol check' lists them", arg);
        return EXIT_NOTHING;
    }
    bool file = names_file(arg);
    char source[600];
    snprintf(source, sizeof source, file ? "from %.500s" : "built in", arg);
    if (json)
        show_json(stdout, p);
    else
        show_text(stdout, p, source);
    pl_protocol_free(p);
    return 0;
}

static int list(bool json)
{
    if (json)
        printf("[");
    for (size_t i = 0; pl_protocol_builtin_name(i); i++) {
        const char *name = pl_protocol_builtin_name(i);
        struct pl_protocol *p = NULL;
        struct pl_diag d;
        const char *title = "";
        if (pl_protocol_builtin(name, &p, &d) == 0)
            title = pl_protocol_title(p);
        if (json) {
            printf("%s\n  {\"name\": ", i ? "," : "");
            json_cstr(stdout, name);
            printf(", \"title\": ");
            json_cstr(stdout, title);
            printf(", \"default\": %s}", i == 0 ? "true" : "false");
        } else {
            printf("%-12s %s%s\n", name, title, i == 0 ? " (default)" : "");
        }
        pl_protocol_free(p);
    }
    if (json)
        printf("\n]\n");
    return 0;
}

int cmd_protocol(int argc, char **argv)
{
    const struct cmd *c = &cmd_protocol_def;
    if (argc < 2)
        die_usage(c, "protocol: say check, show or list");
    const char *sub = argv[1];
    bool json = false, yaml = false;
    const char *arg = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--yaml") == 0)
            yaml = true;
        else if (strcmp(a, "--") == 0 && i + 1 < argc && !arg)
            arg = argv[++i];
        else if (a[0] == '-' && a[1])
            die_usage(c, "unknown argument '%s'", a);
        else if (!arg)
            arg = a;
        else
            die_usage(c, "one protocol at a time ('%s' is one too many)", a);
    }
    if (strcmp(sub, "check") == 0) {
        if (!arg)
            die_usage(c, "protocol check: which file?");
        if (yaml)
            die_usage(c, "--yaml goes with 'protocol show'");
        return check(arg, json);
    }
    if (strcmp(sub, "show") == 0) {
        if (json && yaml)
            die_usage(c, "--json or --yaml, not both");
        return show(arg, json, yaml);
    }
    if (strcmp(sub, "list") == 0) {
        if (arg || yaml)
            die_usage(c, "protocol list takes no file, only --json");
        return list(json);
    }
    die_usage(c, "'%s' is not a protocol command: check, show or list", sub);
}
