/*
 * summary.c - the self-screen summary a runner takes to the therapist.
 *
 * What it is for: one page that tells a sports therapist, before the
 * session, what the runner found in the self-screen (pliant screen) and
 * what their training has been: the answers, the warning signs, the signs
 * and the areas on a body map, the last four weeks of load with hard
 * days, races and trips, how the two-day program went, and what changed
 * since the screen before. The same facts come as plain text, laid out as
 * the subjective part of a treatment note (the S of SOAP: what the client
 * reports), for the therapist to paste and edit.
 *
 * Both are pure functions of a struct pl_screen_summary the caller fills
 * (the CLI from the store; a server could do the same). The HTML is one
 * self-contained document: inline styles and SVG, no scripts, nothing
 * fetched, printable on one A4 page.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "render/svg.h"

/* ---- Small helpers ---- */

static const char *const weekday_name[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* "Mon 2026-03-16". */
static void day_text(int32_t day, char *buf, size_t n)
{
    char d[16];
    pl_day_format(day, d, sizeof d);
    /* 1970-01-01, day 0, was a Thursday. */
    int wd = (int)(((int64_t)day % 7 + 7 + 3) % 7);
    snprintf(buf, n, "%s %s", weekday_name[wd], d);
}

static const struct pl_screen_question *flag_q(const struct pl_screen_summary *s, size_t i)
{
    return &s->screening->q[s->result->flags[i].q];
}

static size_t count_part(const struct pl_screen_summary *s, int part)
{
    size_t k = 0;
    for (size_t i = 0; i < s->result->nflags; i++)
        k += flag_q(s, i)->part == part;
    return k;
}

static int check(const struct pl_screen_summary *s, struct pl_diag *diag)
{
    if (!s || !s->protocol || !s->screening || !s->record || !s->answers || !s->result ||
        (s->ndays && !s->days))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "a summary needs the protocol, the screening, the screen, its "
                        "answers and its result");
    const struct pl_screen_result *r = s->result;
    bool bad = r->nsessions > 2 * PL_SCREEN_DAYS_MAX || r->nflags > PL_SCREEN_QUESTIONS_MAX ||
               r->nno_massage > PL_SCREEN_QUESTIONS_MAX ||
               s->screening->n > PL_SCREEN_QUESTIONS_MAX;
    for (size_t i = 0; !bad && i < r->nflags; i++)
        bad = r->flags[i].q >= s->screening->n;
    if (bad)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "a screen result that is not the screening's (pl_screen_evaluate)");
    return PL_OK;
}

/* The program's sessions by how they went. */
struct tally {
    size_t done, skipped, partly, open;   /* open: not marked, day come */
    size_t to_come;                       /* not marked, day still ahead */
};

static struct tally tally_program(const struct pl_screen_summary *s)
{
    struct tally t = { 0 };
    for (size_t i = 0; i < s->result->nsessions; i++) {
        switch (s->session_marks[i]) {
        case PL_PROGRAM_DONE: t.done++; break;
        case PL_PROGRAM_SKIPPED: t.skipped++; break;
        case PL_PROGRAM_PARTLY: t.partly++; break;
        default:
            if (s->result->sessions[i].day > s->today)
                t.to_come++;
            else
                t.open++;
            break;
        }
    }
    return t;
}

static const char *mark_name(uint8_t m)
{
    return m == PL_PROGRAM_DONE    ? "done"
         : m == PL_PROGRAM_SKIPPED ? "skipped"
         : m == PL_PROGRAM_PARTLY  ? "partly done"
                                   : "not marked";
}

/* The day's reasons of one kind ("hard: ", "race: ", "travel: "), joined
 * with "; " into a buffer. */
struct pick {
    const char *prefix;
    char *buf;
    size_t n, len;
};

static void pick_reason(void *ctx, const char *p, size_t len)
{
    struct pick *k = ctx;
    size_t lp = strlen(k->prefix);
    if (len < lp || memcmp(p, k->prefix, lp) != 0 || k->len + 3 >= k->n)
        return;
    int w = snprintf(k->buf + k->len, k->n - k->len, "%s%.*s", k->len ? "; " : "",
                     (int)(len - lp), p + lp);
    if (w > 0)
        k->len = (size_t)w + k->len >= k->n ? k->n - 1 : k->len + (size_t)w;
}

static void reasons_of(const struct pl_day *d, const char *prefix, char *buf, size_t n)
{
    struct pick k = { prefix, buf, n, 0 };
    buf[0] = '\0';
    pl_reasons_each(d->reasons, strnlen(d->reasons, sizeof d->reasons), pick_reason, &k);
}

/* The kinds of day the summary lists, in its order. */
static const struct {
    unsigned flag;
    const char *name, *prefix;
} day_kinds[] = {
    { PL_DAY_RACE, "race", "race: " },
    { PL_DAY_HARD, "hard", "hard: " },
    { PL_DAY_TRAVEL, "trip", "travel: " },
};

struct load_sums {
    double load;
    size_t hard, races, trips;
    const struct pl_day *last;
};

static struct load_sums load_sums(const struct pl_screen_summary *s)
{
    struct load_sums l = { 0 };
    for (size_t i = 0; i < s->ndays; i++) {
        const struct pl_day *d = &s->days[i];
        if (isfinite(d->load))
            l.load += d->load;
        l.hard += !!(d->flags & PL_DAY_HARD);
        l.races += !!(d->flags & PL_DAY_RACE);
        l.trips += !!(d->flags & PL_DAY_TRAVEL);
    }
    if (s->ndays)
        l.last = &s->days[s->ndays - 1];
    return l;
}

/* The marks of the body map: the areas found, hamstrings when the signs
 * call for work on them, and the areas of the warning signs (which win
 * over a finding on the same area). */
size_t pl_screen_summary_marks(const struct pl_screen_summary *s, struct pl_body_mark *m)
{
    size_t n = 0;
    const struct pl_screen_result *r = s->result;
    for (size_t i = 0; i < r->nno_massage && n < PL_BODY_MARKS_MAX; i++)
        m[n++] = (struct pl_body_mark){ r->no_massage[i]->id, r->no_massage[i]->name,
                                        PL_BODY_WARNING };
    if (!r->stopped && r->indicated && n < PL_BODY_MARKS_MAX) {
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= strcmp(m[k].region, "hamstrings") == 0;
        if (!seen)
            m[n++] = (struct pl_body_mark){ "hamstrings", "Hamstrings (the signs)",
                                            PL_BODY_FLAGGED };
    }
    /* A screen a warning sign stopped asked no more: its areas are not
     * findings. */
    for (size_t i = 0; !r->stopped && i < r->nflags && n < PL_BODY_MARKS_MAX; i++) {
        const struct pl_screen_question *q = flag_q(s, i);
        if (q->part != PL_SCREEN_AREA)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= strcmp(m[k].region, q->area->id) == 0;
        if (!seen)
            m[n++] = (struct pl_body_mark){ q->area->id, q->area->name, PL_BODY_FLAGGED };
    }
    return n;
}

/* The screen before, as answers (its ids that this screening still has). */
static bool previous_answers(const struct pl_screen_summary *s, struct pl_screen_answers *b)
{
    if (!s->previous)
        return false;
    pl_screen_answers_init(b);
    pl_screen_record_answers(s->screening, s->previous, b);
    return true;
}

/* The question's short name: the area's name, else its id. */
static const char *q_name(const struct pl_screen_question *q)
{
    return q->part == PL_SCREEN_AREA ? q->area->name : q->id;
}

/* The same with a sign's protocol item in front: "B1 squat". */
struct label {
    char s[160];
};
static struct label q_label(const struct pl_screen_question *q)
{
    struct label l;
    if (q->part == PL_SCREEN_SIGN && q->ncovers)
        snprintf(l.s, sizeof l.s, "%s %s", q->covers[0], q->id);
    else
        snprintf(l.s, sizeof l.s, "%s", q_name(q));
    return l;
}

/* Whether the signs and areas of the two screens can be compared: a
 * warning sign stops a screen before them. */
static bool comparable(const struct pl_screen_summary *s)
{
    return !s->result->stopped && !s->previous->stopped;
}

/* ------------------------------------------------------------------ */
/* The subjective note                                                  */
/* ------------------------------------------------------------------ */

/* Append a list of ids or names: "a, b and c". */
static void add_list(struct pl__svg *b, const char *const *v, size_t n, bool esc)
{
    for (size_t i = 0; i < n; i++)
        pl__svg_add(b, esc ? "%s%e" : "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", v[i]);
}

static void note_text(struct pl__svg *b, const struct pl_screen_summary *s, bool esc)
{
    /* esc: the text goes into HTML, escaped; else it is plain text. */
    const char *S = esc ? "%e" : "%s";
    const struct pl_screen_result *r = s->result;
    char day[32], d2[32];
    day_text(s->record->day, day, sizeof day);
    pl__svg_add(b, "Self-screen of ");
    pl__svg_add(b, S, day);
    pl__svg_add(b, " (pliant, protocol ");
    pl__svg_add(b, S, pl_protocol_id(s->protocol));
    if (s->record->id > 0)
        pl__svg_add(b, ", screen #%d", (int)s->record->id);
    pl__svg_add(b, ").\n");

    size_t nred = count_part(s, PL_SCREEN_RED_FLAG);
    if (!nred) {
        pl__svg_add(b, "Warning signs: none reported.\n");
    } else {
        pl__svg_add(b, "Warning signs reported%s: ", r->urgent ? " (URGENT)" : "");
        for (size_t i = 0, k = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = flag_q(s, i);
            if (q->part != PL_SCREEN_RED_FLAG)
                continue;
            pl__svg_add(b, k++ ? "; " : "");
            pl__svg_add(b, S, q->question);
        }
        pl__svg_add(b, "\nAdvised: see a professional before any massage on ");
        const char *names[PL_SCREEN_QUESTIONS_MAX];
        for (size_t i = 0; i < r->nno_massage; i++)
            names[i] = r->no_massage[i]->name;
        add_list(b, names, r->nno_massage, esc);
        pl__svg_add(b, "; the screen stopped there.\n");
    }
    if (!r->stopped) {
        size_t nsign = count_part(s, PL_SCREEN_SIGN);
        pl__svg_add(b, "Signs: ");
        if (!nsign)
            pl__svg_add(b, "none.");
        for (size_t i = 0, k = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = flag_q(s, i);
            if (q->part != PL_SCREEN_SIGN)
                continue;
            pl__svg_add(b, k++ ? "; " : "");
            pl__svg_add(b, S, q->question);
        }
        pl__svg_add(b, "\nHamstring work %s: %s (score %d).\n",
                    r->indicated ? "indicated" : "not indicated now",
                    pl_screen_strength_name(r->strength), (int)r->score);
        size_t narea = count_part(s, PL_SCREEN_AREA);
        pl__svg_add(b, "Areas: ");
        if (!narea)
            pl__svg_add(b, r->all_areas ? "none found; the program worked on all of them."
                                        : "none found.");
        for (size_t i = 0, k = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = flag_q(s, i);
            if (q->part != PL_SCREEN_AREA)
                continue;
            pl__svg_add(b, k++ ? "; " : "");
            pl__svg_add(b, S, q->area->name);
            pl__svg_add(b, " (");
            pl__svg_add(b, S, q->test[0] ? q->test : "self-test");
            pl__svg_add(b, ": %s)", pl_answer_name(s->answers->a[r->flags[i].q]));
        }
        pl__svg_add(b, "\n");
    }

    struct load_sums l = load_sums(s);
    if (s->ndays) {
        day_text(s->days[0].date, d2, sizeof d2);
        pl__svg_add(b, "Training, %d days from ", (int)s->ndays);
        pl__svg_add(b, S, d2);
        pl__svg_add(b, ": %d activit%s, %n km, %n h; load %d", (int)s->activities,
                    s->activities == 1 ? "y" : "ies",
                    round(s->km * 10) / 10, round(s->hours * 10) / 10, (int)lround(l.load));
        if (l.last && isfinite(l.last->ctl))
            pl__svg_add(b, " (fitness %d, fatigue %d, form %d on the day)",
                        (int)lround(l.last->ctl), (int)lround(l.last->atl),
                        (int)lround(l.last->tsb));
        pl__svg_add(b, ".\n");
        for (size_t k = 0; k < PL_ARRAY_LEN(day_kinds); k++) {
            size_t cnt = k == 0 ? l.races : k == 1 ? l.hard : l.trips;
            pl__svg_add(b, "%s: ", k == 0 ? "Races" : k == 1 ? "Hard days" : "Trips");
            if (!cnt)
                pl__svg_add(b, "none");
            for (size_t i = 0, j = 0; i < s->ndays; i++) {
                const struct pl_day *d = &s->days[i];
                /* A race is listed as a race, not again as a hard day. */
                if (!(d->flags & day_kinds[k].flag) ||
                    (day_kinds[k].flag == PL_DAY_HARD && (d->flags & PL_DAY_RACE)))
                    continue;
                char why[256];
                reasons_of(d, day_kinds[k].prefix, why, sizeof why);
                pl__svg_add(b, j++ ? "; " : "");
                day_text(d->date, d2, sizeof d2);
                pl__svg_add(b, S, d2);
                /* Hard days by their dates (the page's table has the
                 * numbers); races and trips with what they were. */
                if (why[0] && day_kinds[k].flag != PL_DAY_HARD) {
                    pl__svg_add(b, " (");
                    pl__svg_add(b, S, why);
                    pl__svg_add(b, ")");
                }
            }
            pl__svg_add(b, ".\n");
        }
    } else {
        pl__svg_add(b, "Training: no activities in the 4 weeks before the screen.\n");
    }

    if (r->nsessions) {
        struct tally t = tally_program(s);
        day_text(r->sessions[0].day, d2, sizeof d2);
        pl__svg_add(b, "Program: %d sessions from ", (int)r->nsessions);
        pl__svg_add(b, S, d2);
        pl__svg_add(b, ", twice a day: %d done, %d partly, %d skipped, %d not marked",
                    (int)t.done, (int)t.partly, (int)t.skipped, (int)t.open);
        if (t.to_come)
            pl__svg_add(b, ", %d still to come", (int)t.to_come);
        pl__svg_add(b, ".\n");
    } else if (!r->stopped) {
        pl__svg_add(b, "Program: none was called for.\n");
    }

    struct pl_screen_answers before;
    if (previous_answers(s, &before)) {
        day_text(s->previous->day, d2, sizeof d2);
        pl__svg_add(b, "Since the screen of ");
        pl__svg_add(b, S, d2);
        if (!comparable(s)) {
            pl__svg_add(b, ": not compared (a warning sign stopped %s).\n",
                        s->result->stopped ? "this screen" : "that screen");
            return;
        }
        size_t idx[PL_SCREEN_QUESTIONS_MAX];
        const char *names[PL_SCREEN_QUESTIONS_MAX];
        struct label labels[PL_SCREEN_QUESTIONS_MAX];
        for (int g = 1; g >= 0; g--) {
            size_t n = pl_screen_changes(s->screening, s->answers, &before, g, idx);
            for (size_t i = 0; i < n; i++)
                names[i] = (labels[i] = q_label(&s->screening->q[idx[i]])).s;
            pl__svg_add(b, g ? ": newly flagged " : "; no longer flagged ");
            if (!n)
                pl__svg_add(b, "none");
            add_list(b, names, n, esc);
        }
        pl__svg_add(b, ".\n");
    } else {
        pl__svg_add(b, "First screen in pliant.\n");
    }
}

int pl_screen_summary_text(const struct pl_screen_summary *s, char **text, size_t *len,
                           struct pl_diag *diag)
{
    *text = NULL;
    *len = 0;
    int rc = check(s, diag);
    if (rc)
        return rc;
    struct pl__svg b;
    pl__svg_init(&b, PL_SVG_BYTES_MAX);
    note_text(&b, s, false);
    if ((rc = pl__svg_finish(&b, text, len)))
        return pl__diag(diag, rc, UINT64_MAX, "cannot write the summary: out of memory");
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* The page                                                             */
/* ------------------------------------------------------------------ */

static const char style[] =
    "@page{size:A4;margin:10mm 12mm}\n"
    "*{box-sizing:border-box}\n"
    "html{background:#e9e6e1}\n"
    "body{margin:0;font:11.5px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#222}\n"
    ".page{width:210mm;min-height:297mm;margin:16px auto;padding:11mm 12mm;background:#fff;"
    "box-shadow:0 1px 6px rgba(0,0,0,.18)}\n"
    "@media print{html{background:#fff}.page{margin:0;padding:0;width:auto;min-height:0;"
    "box-shadow:none}}\n"
    "header{display:flex;justify-content:space-between;align-items:flex-end;"
    "border-bottom:2px solid #2f5d62;padding-bottom:6px;margin-bottom:8px}\n"
    "h1{font-size:19px;margin:0;color:#2f5d62;letter-spacing:.2px}\n"
    "header .sub{margin:2px 0 0;color:#666}\n"
    "dl.meta{display:grid;grid-template-columns:auto auto;gap:0 10px;margin:0;font-size:11px}\n"
    "dl.meta dt{color:#777;text-align:right}dl.meta dd{margin:0;font-weight:600;"
    "white-space:nowrap}\n"
    "h2{font-size:12.5px;margin:8px 0 3px;color:#2f5d62;text-transform:uppercase;"
    "letter-spacing:.6px}\n"
    ".status{border-radius:6px;padding:6px 10px;margin:0 0 6px;font-weight:600}\n"
    ".status.go{background:#fdf1de;border:1px solid #e8b56a}\n"
    ".status.calm{background:#e8f2ee;border:1px solid #9cc5b4}\n"
    ".status.stop{background:#fbe3e1;border:1px solid #d93a2f;color:#7d1912}\n"
    ".status p{margin:2px 0 0;font-weight:400}\n"
    ".cols{display:grid;grid-template-columns:270px 1fr;gap:16px;align-items:start}\n"
    ".cols2{display:grid;grid-template-columns:1fr 1fr;gap:14px;align-items:start}\n"
    ".map{margin:0}.map svg{width:270px;height:auto;display:block}\n"
    ".legend{list-style:none;margin:4px 0 0;padding:0;font-size:11px}\n"
    ".legend li{margin:2px 0}.warn{color:#a3271e}\n"
    "ul{margin:0;padding-left:16px}li{margin:1px 0}\n"
    ".none{color:#777;font-style:italic}\n"
    ".why{color:#555}\n"
    ".tag{display:inline-block;min-width:17px;padding:0 4px;border-radius:9px;"
    "font-size:10px;font-weight:700;text-align:center;border:1.5px solid #b86e10;"
    "margin-right:4px}\n"
    ".tag.warning{border-color:#8f1d16}\n"
    ".chart svg{width:100%;height:auto;display:block}\n"
    ".totals{margin:0 0 3px}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:2px 5px;border-bottom:1px solid #e4e0da;vertical-align:top}\n"
    "th{font-size:10.5px;color:#666;font-weight:600}\n"
    "td.k{white-space:nowrap}\n"
    ".m-done{color:#1f7a4d;font-weight:600}.m-skipped{color:#a3271e;font-weight:600}\n"
    ".m-partly{color:#9a6514;font-weight:600}.m-open{color:#777}\n"
    ".note{background:#f6f4f1;border-left:3px solid #2f5d62;padding:5px 8px;"
    "white-space:pre-wrap;font:inherit;font-size:11px;margin:0}\n"
    "table.prog td.m{width:34%}\n"
    ".answers{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0;"
    "font-size:11px}\n"
    ".answers dt{color:#666;font-weight:600}.answers dd{margin:0}\n"
    ".ans{display:inline-block;margin-right:8px;white-space:nowrap}\n"
    ".a-yes{color:#a3271e;font-weight:600}.a-unsure{color:#9a6514;font-weight:600}"
    ".a-no{color:#666}.a-none{color:#999}\n"
    "p.days{margin:2px 0}.day{white-space:nowrap}\n"
    "footer{margin-top:8px;border-top:1px solid #ddd;padding-top:4px;color:#666;"
    "font-size:10px}\n"
    "section{break-inside:avoid}\n"
    "@media print{body{font-size:10px}.copy,.findings .why{display:none}h2{margin-top:6px}"
    ".legend{columns:2;column-gap:6px}.legend li{break-inside:avoid}"
    ".map svg{width:250px}.cols{grid-template-columns:250px 1fr}footer{font-size:9px}}\n";

static void h_list_item_flag(struct pl__svg *h, const struct pl_screen_summary *s, size_t i,
                             int badge)
{
    const struct pl_screen_question *q = flag_q(s, i);
    pl__svg_add(h, "<li>");
    if (badge > 0)
        pl__svg_add(h, "<span class=\"tag\">%d</span>", badge);
    if (q->part == PL_SCREEN_AREA)
        pl__svg_add(h, "<b>%e</b> ", q->area->name);
    else if (q->ncovers)
        pl__svg_add(h, "<b>%e</b> ", q->covers[0]);
    pl__svg_add(h, "%e <span class=\"why\">\xe2\x80\x94 %e</span></li>\n", q->question,
                s->result->flags[i].why);
}

/* An inline copy of an SVG document: without its XML declaration. */
static void inline_svg(struct pl__svg *h, const char *svg)
{
    if (strncmp(svg, "<?xml", 5) == 0) {
        const char *e = strstr(svg, "?>");
        if (e)
            svg = e + 2;
        while (*svg == '\n')
            svg++;
    }
    pl__svg_add(h, "%s", svg);
}

static void h_status(struct pl__svg *h, const struct pl_screen_summary *s)
{
    const struct pl_screen_result *r = s->result;
    if (r->stopped) {
        pl__svg_add(h, "<section class=\"status stop\">%s: a warning sign. See a professional "
                       "before any massage; no program was planned.",
                    r->urgent ? "URGENT" : "Stop");
        for (size_t i = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = flag_q(s, i);
            if (q->part == PL_SCREEN_RED_FLAG)
                pl__svg_add(h, "<p>%e</p>", q->action);
        }
        pl__svg_add(h, "</section>\n");
        return;
    }
    pl__svg_add(h, "<section class=\"status %s\">Hamstring work: %s "
                   "(%s, score %d).",
                r->indicated ? "go" : "calm", r->indicated ? "indicated" : "not indicated now",
                pl_screen_strength_name(r->strength), (int)r->score);
    if (r->nsessions) {
        struct tally t = tally_program(s);
        pl__svg_add(h, " Two-day program: %d of %d sessions done.", (int)t.done,
                    (int)r->nsessions);
    }
    pl__svg_add(h, "</section>\n");
}

/* The body map's legend, in the page's type. */
static void h_legend(struct pl__svg *h, const struct pl_body_mark *m, size_t n)
{
    pl__svg_add(h, "<figcaption>");
    if (!n)
        pl__svg_add(h, "<p class=\"none\">Nothing flagged on the body.</p>");
    else
        pl__svg_add(h, "<ol class=\"legend\">");
    for (size_t i = 0; i < n; i++) {
        const char *where = pl__body_region_view(m[i].region);
        bool warn = m[i].tone == PL_BODY_WARNING;
        pl__svg_add(h, "<li><span class=\"tag%s\">%d</span>%e", warn ? " warning" : "",
                    (int)i + 1, m[i].label ? m[i].label : m[i].region);
        if (warn)
            pl__svg_add(h, " <b class=\"warn\">no massage</b>");
        pl__svg_add(h, " <span class=\"why\">(%s)</span></li>",
                    where ? where : "not on the map");
    }
    pl__svg_add(h, "%s</figcaption>\n", n ? "</ol>" : "");
}

static void h_findings(struct pl__svg *h, const struct pl_screen_summary *s,
                       const struct pl_body_mark *marks, size_t nmarks)
{
    const struct pl_screen_result *r = s->result;
    pl__svg_add(h, "<div class=\"findings\">\n<h2>Warning signs</h2>\n");
    if (!count_part(s, PL_SCREEN_RED_FLAG))
        pl__svg_add(h, "<p class=\"none\">None reported (%d asked).</p>\n",
                    (int)s->screening->nred);
    else {
        pl__svg_add(h, "<ul>\n");
        for (size_t i = 0; i < r->nflags; i++)
            if (flag_q(s, i)->part == PL_SCREEN_RED_FLAG)
                h_list_item_flag(h, s, i, 0);
        pl__svg_add(h, "</ul>\n");
    }
    if (r->stopped) {
        pl__svg_add(h, "<p class=\"none\">The screen stopped at the warning sign: signs and "
                       "areas were not asked.</p>\n</div>\n");
        return;
    }
    pl__svg_add(h, "<h2>Signs</h2>\n");
    if (!count_part(s, PL_SCREEN_SIGN))
        pl__svg_add(h, "<p class=\"none\">None.</p>\n");
    else {
        pl__svg_add(h, "<ul>\n");
        for (size_t i = 0; i < r->nflags; i++)
            if (flag_q(s, i)->part == PL_SCREEN_SIGN)
                h_list_item_flag(h, s, i, 0);
        pl__svg_add(h, "</ul>\n");
    }
    pl__svg_add(h, "<h2>Areas (self-tests)</h2>\n");
    if (!count_part(s, PL_SCREEN_AREA))
        pl__svg_add(h, "<p class=\"none\">%s</p>\n",
                    r->all_areas ? "None found: the program worked on all of them."
                                 : "None found.");
    else {
        pl__svg_add(h, "<ul>\n");
        for (size_t i = 0; i < r->nflags; i++) {
            const struct pl_screen_question *q = flag_q(s, i);
            if (q->part != PL_SCREEN_AREA)
                continue;
            int badge = 0;
            for (size_t k = 0; k < nmarks; k++)
                if (strcmp(marks[k].region, q->area->id) == 0)
                    badge = (int)k + 1;
            h_list_item_flag(h, s, i, badge);
        }
        pl__svg_add(h, "</ul>\n");
    }
    pl__svg_add(h, "</div>\n");
}

/* What changed since the screen before. */
static void h_since(struct pl__svg *h, const struct pl_screen_summary *s)
{
    struct pl_screen_answers before;
    pl__svg_add(h, "<section>\n");
    if (!previous_answers(s, &before)) {
        pl__svg_add(h, "<h2>Since the last screen</h2>\n<p class=\"none\">The first screen: "
                       "nothing to compare with.</p>\n</section>\n");
        return;
    }
    char d[32];
    day_text(s->previous->day, d, sizeof d);
    pl__svg_add(h, "<h2>Since the screen of %e</h2>\n", d);
    if (!comparable(s)) {
        pl__svg_add(h, "<p class=\"none\">Not compared: a warning sign stopped %s before "
                       "the signs and areas.</p>\n</section>\n",
                    s->result->stopped ? "this screen" : "that screen");
        return;
    }
    pl__svg_add(h, "<ul>\n");
    size_t idx[PL_SCREEN_QUESTIONS_MAX];
    for (int g = 1; g >= 0; g--) {
        size_t n = pl_screen_changes(s->screening, s->answers, &before, g, idx);
        pl__svg_add(h, "<li>%s: ", g ? "Newly flagged" : "No longer flagged");
        if (!n)
            pl__svg_add(h, "<span class=\"none\">none</span>");
        for (size_t i = 0; i < n; i++)
            pl__svg_add(h, "%s%e", i ? ", " : "", q_label(&s->screening->q[idx[i]]).s);
        pl__svg_add(h, "</li>\n");
    }
    pl__svg_add(h, "</ul>\n</section>\n");
}

static int h_load(struct pl__svg *h, const struct pl_screen_summary *s, struct pl_diag *diag)
{
    struct load_sums l = load_sums(s);
    pl__svg_add(h, "<section class=\"load\">\n<h2>The last 4 weeks</h2>\n");
    if (!s->ndays) {
        pl__svg_add(h, "<p class=\"none\">No activities in the 4 weeks before the screen.</p>"
                       "\n</section>\n");
        return PL_OK;
    }
    pl__svg_add(h, "<p class=\"totals\"><b>%d</b> activit%s, <b>%n</b> km, <b>%n</b> h, load "
                   "<b>%d</b>; %d hard day%s, %d race%s, %d trip%s.",
                (int)s->activities, s->activities == 1 ? "y" : "ies", round(s->km * 10) / 10,
                round(s->hours * 10) / 10, (int)lround(l.load), (int)l.hard, l.hard == 1 ? "" : "s",
                (int)l.races, l.races == 1 ? "" : "s", (int)l.trips, l.trips == 1 ? "" : "s");
    if (l.last && isfinite(l.last->ctl))
        pl__svg_add(h, " On the day: fitness %d, fatigue %d, form %d.",
                    (int)lround(l.last->ctl), (int)lround(l.last->atl), (int)lround(l.last->tsb));
    pl__svg_add(h, "</p>\n");
    struct pl_chart_options o;
    pl_chart_options_init(&o);
    o.title = "Training load, 4 weeks to the screen";
    o.width_px = 960;
    o.height_px = 320;
    char *svg;
    size_t n;
    int rc = pl_chart_svg(s->days, s->ndays, &o, &svg, &n, diag);
    if (rc)
        return rc;
    pl__svg_add(h, "<div class=\"chart\">");
    inline_svg(h, svg);
    pl_free(svg);
    pl__svg_add(h, "</div>\n");
    /* The days that matter, in one paragraph. */
    size_t first = PL_ARRAY_LEN(day_kinds);
    for (size_t k = PL_ARRAY_LEN(day_kinds); k-- > 0;)
        if (k == 0 ? l.races : k == 1 ? l.hard : l.trips)
            first = k;
    for (size_t k = 0; k < PL_ARRAY_LEN(day_kinds); k++) {
        size_t cnt = k == 0 ? l.races : k == 1 ? l.hard : l.trips;
        if (!cnt)
            continue;
        pl__svg_add(h, "%s<b>%s:</b> ", k == first ? "<p class=\"days\">" : "; ",
                    k == 0 ? "Races" : k == 1 ? "Hard days" : "Trips");
        for (size_t i = 0, j = 0; i < s->ndays; i++) {
            const struct pl_day *d = &s->days[i];
            if (!(d->flags & day_kinds[k].flag) ||
                (day_kinds[k].flag == PL_DAY_HARD && (d->flags & PL_DAY_RACE)))
                continue;
            char dt[32], why[256];
            day_text(d->date, dt, sizeof dt);
            reasons_of(d, day_kinds[k].prefix, why, sizeof why);
            /* Dates, the reasons on hover: the chart marks the days, the
             * note below and the JSON say why at length. */
            pl__svg_add(h, "%s<span class=\"day\" title=\"%e\">%e</span>", j++ ? ", " : "",
                        why, dt);
        }
    }
    if (first < PL_ARRAY_LEN(day_kinds))
        pl__svg_add(h, "</p>\n");
    pl__svg_add(h, "</section>\n");
    return PL_OK;
}

static bool same_routines(const struct pl_screen_session *a, const struct pl_screen_session *b)
{
    if (a->nroutines != b->nroutines)
        return false;
    for (size_t i = 0; i < a->nroutines; i++)
        if (a->routines[i] != b->routines[i])
            return false;
    return true;
}

static void h_routines(struct pl__svg *h, const struct pl_screen_session *ss)
{
    for (size_t k = 0; k < ss->nroutines; k++)
        pl__svg_add(h, "%s%e", k ? ", " : "", ss->routines[k]->title);
}

static void h_mark(struct pl__svg *h, uint8_t m, const struct pl_screen_session *ss,
                   int32_t day, int32_t today)
{
    const char *cls = m == PL_PROGRAM_DONE      ? "m-done"
                    : m == PL_PROGRAM_SKIPPED   ? "m-skipped"
                    : m == PL_PROGRAM_PARTLY    ? "m-partly" : "m-open";
    pl__svg_add(h, "<td class=\"m %s\">", cls);
    if (ss)
        pl__svg_add(h, "%d:%d%d ", ss->minute / 60, ss->minute % 60 / 10, ss->minute % 10);
    pl__svg_add(h, "%s</td>", m == PL_PROGRAM_OPEN && day > today ? "to come" : mark_name(m));
}

/* The program as a grid: a row a day, morning and evening; the routines
 * once above it when every session has the same. */
static void h_program(struct pl__svg *h, const struct pl_screen_summary *s)
{
    const struct pl_screen_result *r = s->result;
    pl__svg_add(h, "<section>\n<h2>Two-day program</h2>\n");
    if (!r->nsessions) {
        pl__svg_add(h, "<p class=\"none\">%s</p>\n</section>\n",
                    r->stopped ? "None: a warning sign stopped the screen."
                               : "None was called for.");
        return;
    }
    bool same = true;
    for (size_t i = 1; i < r->nsessions; i++)
        same &= same_routines(&r->sessions[0], &r->sessions[i]);
    if (same) {
        pl__svg_add(h, "<p>Each session: ");
        h_routines(h, &r->sessions[0]);
        pl__svg_add(h, ".</p>\n");
    }
    pl__svg_add(h, "<table class=\"prog\"><tr><th>Day</th><th>Morning</th><th>Evening</th>"
                   "</tr>\n");
    for (size_t i = 0; i < r->nsessions;) {
        const struct pl_screen_session *ss = &r->sessions[i];
        char d[32];
        day_text(ss->day, d, sizeof d);
        pl__svg_add(h, "<tr><td class=\"k\">%e</td>", d);
        const struct pl_screen_session *am = NULL, *pm = NULL;
        size_t iam = 0, ipm = 0;
        for (; i < r->nsessions && r->sessions[i].day == ss->day; i++) {
            if (r->sessions[i].evening) {
                pm = &r->sessions[i];
                ipm = i;
            } else {
                am = &r->sessions[i];
                iam = i;
            }
        }
        if (am)
            h_mark(h, s->session_marks[iam], am, am->day, s->today);
        else
            pl__svg_add(h, "<td></td>");
        if (pm)
            h_mark(h, s->session_marks[ipm], pm, pm->day, s->today);
        else
            pl__svg_add(h, "<td></td>");
        pl__svg_add(h, "</tr>\n");
        if (!same) {
            pl__svg_add(h, "<tr><td></td><td colspan=\"2\" class=\"why\">");
            h_routines(h, am ? am : pm);
            pl__svg_add(h, "</td></tr>\n");
        }
    }
    if (r->then) {
        char d[32];
        day_text(r->then_day, d, sizeof d);
        pl__svg_add(h, "<tr><td class=\"k\">%e</td><td>%e</td>", d, r->then->title);
        h_mark(h, s->then_mark, NULL, r->then_day, s->today);
        pl__svg_add(h, "</tr>\n");
    }
    pl__svg_add(h, "</table>\n</section>\n");
}

/* Every answer, a line per part: short names, since the findings above
 * quote the questions that were answered yes. */
static void h_answers(struct pl__svg *h, const struct pl_screen_summary *s)
{
    const struct pl_screening *sc = s->screening;
    static const char *const part_title[] = { "", "Warning signs", "Signs", "Areas" };
    pl__svg_add(h, "<section>\n<h2>All answers</h2>\n<dl class=\"answers\">\n");
    for (int part = PL_SCREEN_RED_FLAG; part <= PL_SCREEN_AREA; part++) {
        pl__svg_add(h, "<dt>%s</dt><dd>", part_title[part]);
        size_t k = 0;
        for (size_t i = 0; i < sc->n; i++) {
            const struct pl_screen_question *q = &sc->q[i];
            if (q->part != part)
                continue;
            /* After a warning sign nothing more was asked (an answers
             * file may still hold the defaults). */
            int a = s->result->stopped && part != PL_SCREEN_RED_FLAG ? PL_ANSWER_NONE
                                                                      : s->answers->a[i];
            pl__svg_add(h, "%s<span class=\"ans\" title=\"%e\">", k++ ? " " : "", q->question);
            if (q->part == PL_SCREEN_SIGN && q->ncovers)
                pl__svg_add(h, "<b>%e</b> ", q->covers[0]);
            pl__svg_add(h, "%e <span class=\"a-%s\">%s</span></span>", q_name(q),
                        a ? pl_answer_name(a) : "none", a ? pl_answer_name(a) : "not asked");
        }
        pl__svg_add(h, "</dd>\n");
    }
    pl__svg_add(h, "</dl>\n</section>\n");
}

int pl_screen_summary_html(const struct pl_screen_summary *s, char **html, size_t *len,
                           struct pl_diag *diag)
{
    *html = NULL;
    *len = 0;
    int rc = check(s, diag);
    if (rc)
        return rc;
    struct pl__svg h;
    pl__svg_init(&h, PL_SVG_BYTES_MAX);
    char day[32], made[32];
    day_text(s->record->day, day, sizeof day);
    pl_day_format(pl_local_day(s->made_s, 0), made, sizeof made);
    const char *who = s->athlete && s->athlete[0] ? s->athlete : NULL;

    pl__svg_add(&h,
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"generator\" content=\"pliant %s\">\n"
                "<title>Self-screen summary, %e%s%e</title>\n<style>\n%s</style>\n"
                "</head>\n<body>\n<main class=\"page\">\n",
                PL_VERSION, day, who ? " \xe2\x80\x94 " : "", who ? who : "", style);
    pl__svg_add(&h,
                "<header><div><h1>Self-screen summary</h1>"
                "<p class=\"sub\">For the therapist \xc2\xb7 %e (%e)</p></div>\n"
                "<dl class=\"meta\">",
                pl_protocol_title(s->protocol), pl_protocol_id(s->protocol));
    if (who)
        pl__svg_add(&h, "<dt>Runner</dt><dd>%e</dd>", who);
    pl__svg_add(&h, "<dt>Screened</dt><dd>%e</dd>", day);
    if (s->record->id > 0)
        pl__svg_add(&h, "<dt>Screen</dt><dd>#%d</dd>", (int)s->record->id);
    pl__svg_add(&h, "<dt>Made</dt><dd>%e</dd></dl></header>\n", made);

    h_status(&h, s);

    struct pl_body_mark marks[PL_BODY_MARKS_MAX];
    size_t nmarks = pl_screen_summary_marks(s, marks);
    pl__svg_add(&h, "<div class=\"cols\">\n<figure class=\"map\">");
    pl__body_map(&h, marks, nmarks, false);
    h_legend(&h, marks, nmarks);
    pl__svg_add(&h, "</figure>\n");
    h_findings(&h, s, marks, nmarks);
    pl__svg_add(&h, "</div>\n");

    if ((rc = h_load(&h, s, diag))) {
        pl__svg_release(&h);
        return rc;
    }

    pl__svg_add(&h, "<div class=\"cols2\">\n");
    h_program(&h, s);
    h_since(&h, s);
    pl__svg_add(&h, "</div>\n");
    h_answers(&h, s);
    /* The same facts as text to paste into the note: on the screen only
     * (printed, the page itself is the note's subjective part). */
    pl__svg_add(&h, "<section class=\"copy\">\n<h2>Subjective, for the treatment note "
                    "(to copy)</h2>\n<pre class=\"note\">");
    note_text(&h, s, true);
    pl__svg_add(&h, "</pre>\n</section>\n");
    pl__svg_add(&h, "<footer>%e Made by pliant %s.</footer>\n</main>\n</body>\n</html>\n",
                pl_protocol_safety_note(s->protocol), PL_VERSION);
    if ((rc = pl__svg_finish(&h, html, len)))
        return pl__diag(diag, rc, UINT64_MAX, "cannot write the summary: %s",
                        rc == PL_ENOMEM ? "out of memory" : "too large");
    return PL_OK;
}
