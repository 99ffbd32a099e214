/*
 * termchart.c - the daily series as a chart for a terminal.
 *
 * What it is for: `pliant load` shows the last weeks at a glance under its
 * table when it writes to a terminal: fitness, fatigue and form as lines
 * drawn with braille dots (2 x 4 dots a character cell, so a line has
 * twice the columns' resolution across and four times the rows' down),
 * the daily load as bars of eighth blocks, a row of marks for races, trips,
 * hard days and days that needed recovery, Monday dates and a legend.
 * Without UTF-8 the same layout is drawn with ASCII characters.
 *
 * What it is not: a terminal library. It knows nothing of the terminal it
 * draws for; the caller says how many columns and rows it has, whether it
 * takes UTF-8 and colours (cli/cmd-load.c asks the terminal). The text is
 * built in memory with the SVG writer's buffer (lib/render/svg.h), which only
 * copies what it is given: text from the caller (a title) is cleaned of
 * control characters here, so it cannot carry escape sequences.
 */
#include <math.h>
#include <string.h>

#include "render/svg.h"

int pl__chart_check(const struct pl_day *days, size_t n, struct pl_diag *diag);

#define GUTTER 7             /* "  -50 ┤" */

/* ANSI SGR colours from the 256-colour palette (xterm), close to the SVG
 * chart's. */
enum ink { INK_NONE, INK_CTL, INK_ATL, INK_TSB, INK_LOAD, INK_HARD, INK_RACE, INK_TRAVEL,
           INK_RECOVERY, INK_DIM, INK_BOLD, INK_COUNT_ };
static const char *const ink_sgr[INK_COUNT_] = {
    "", "38;5;33", "38;5;205", "38;5;178", "38;5;247", "38;5;208", "38;5;196", "38;5;135",
    "38;5;210", "38;5;244", "1",
};

struct term {
    struct pl__svg *s;
    const struct pl_chart_options *o;
    enum ink cur;
};

static void ink(struct term *t, enum ink k)
{
    if (!t->o->color || k == t->cur)
        return;
    if (t->cur != INK_NONE)
        pl__svg_add(t->s, "\x1b[0m");
    if (k != INK_NONE)
        pl__svg_add(t->s, "\x1b[%sm", ink_sgr[k]);
    t->cur = k;
}

static void text(struct term *t, const char *s)
{
    pl__svg_add(t->s, "%s", s);
}

static void end_line(struct term *t)
{
    ink(t, INK_NONE);
    text(t, "\n");
}

/* Character cells a UTF-8 string takes (each code point one cell: the
 * characters used here are all narrow). */
static size_t cells(const char *s)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        k += (*p & 0xC0) != 0x80;
    return k;
}

/* A caller's text without control characters (no escape sequences in the
 * output but ours), cut to max cells; without UTF-8, ASCII only. */
static void clean(char *out, size_t cap, const char *in, size_t max_cells, bool utf8)
{
    size_t n = 0, k = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p && k < max_cells) {
        unsigned char c = *p;
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        size_t have = 1;
        while (have < len && (p[have] & 0xC0) == 0x80)
            have++;
        bool plain = len == 1 && c >= 0x20 && c != 0x7F && c < 0x80;
        bool wide_ok = utf8 && len > 1 && have == len;
        size_t put = plain || wide_ok ? len : 1;
        if (n + put + 1 > cap)
            break;
        if (plain || wide_ok)
            memcpy(out + n, p, put);
        else
            out[n] = '?';
        n += put;
        k++;
        p += have;
    }
    out[n] = '\0';
}

static const char *const month_abbr[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms". */
static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int weekday(int64_t days)
{
    int64_t w = (days + 3) % 7;   /* Monday 0; 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static double value(const struct pl_day *d, int which)
{
    return which == 0 ? d->ctl : which == 1 ? d->atl : d->tsb;
}

/* The y-axis gutter: a number right-aligned in 5 cells, then the axis. */
static void gutter(struct term *t, bool labelled, double v)
{
    char buf[32];
    ink(t, INK_DIM);
    if (labelled) {
        snprintf(buf, sizeof buf, "%5.0f ", fabs(v) < 0.5 ? 0.0 : v);
        text(t, buf);
        text(t, t->o->utf8 ? "\xE2\x94\xA4" : "+");          /* ┤ */
    } else {
        text(t, "      ");
        text(t, t->o->utf8 ? "\xE2\x94\x82" : "|");          /* │ */
    }
}

struct layout {
    int32_t start;             /* first date shown */
    size_t first;              /* index of the first day shown */
    size_t cols;               /* plot columns: one a day */
    size_t rows_lines, rows_bars, rows_legend;
    double ymin, ymax, lmax;
};

/* One legend item: "━ fitness 76". */
struct item {
    enum ink k;
    const char *glyph_utf8, *glyph_ascii;
    char label[48];
};

static size_t legend_items(const struct pl_day *last, struct item *it)
{
    size_t n = 0;
    static const char *const names[3] = { "fitness", "fatigue", "form" };
    static const enum ink inks[3] = { INK_CTL, INK_ATL, INK_TSB };
    static const char *const ascii[3] = { "*", "o", "+" };
    for (int w = 0; w < 3; w++) {
        double v = value(last, w);
        it[n] = (struct item){ inks[w], "\xE2\x94\x81", ascii[w], "" };       /* ━ */
        if (isfinite(v))
            snprintf(it[n].label, sizeof it[n].label, "%s %.0f", names[w],
                     fabs(v) < 0.5 ? 0.0 : v);
        else
            snprintf(it[n].label, sizeof it[n].label, "%s", names[w]);
        n++;
    }
    it[n++] = (struct item){ INK_LOAD, "\xE2\x96\x88", "#", "load" };          /* █ */
    it[n++] = (struct item){ INK_HARD, "\xE2\x97\x8F", "H", "hard" };          /* ● */
    it[n++] = (struct item){ INK_RACE, "\xE2\x96\xB2", "R", "race" };          /* ▲ */
    it[n++] = (struct item){ INK_TRAVEL, "\xE2\x97\x86", "T", "travel" };      /* ◆ */
    it[n++] = (struct item){ INK_RECOVERY, "!", "!", "recovery needed" };
    return n;
}

/* Legend rows needed for width w (or, with t, draw them). */
static size_t legend(struct term *t, const struct item *it, size_t n, size_t w)
{
    size_t rows = 1, x = GUTTER;
    if (t)
        text(t, "       ");
    for (size_t i = 0; i < n; i++) {
        size_t need = 2 + cells(it[i].label) + 2;
        if (x + need - 2 > w && x > GUTTER) {
            rows++;
            x = GUTTER;
            if (t) {
                end_line(t);
                text(t, "       ");
            }
        }
        if (t) {
            if (x > GUTTER)
                text(t, "  ");
            ink(t, it[i].k);
            text(t, t->o->utf8 ? it[i].glyph_utf8 : it[i].glyph_ascii);
            ink(t, INK_NONE);
            text(t, " ");
            text(t, it[i].label);
        }
        x += need;
    }
    if (t)
        end_line(t);
    return rows;
}

/* Braille cell bits for the dot at column sx (0, 1) and row sy (0..3) of a
 * cell (Unicode 3.0, "Braille Patterns": dots 1-2-3-7 down the left,
 * 4-5-6-8 down the right, dot n is bit n-1). */
static const uint8_t braille_bit[2][4] = { { 0x01, 0x02, 0x04, 0x40 },
                                           { 0x08, 0x10, 0x20, 0x80 } };

static int draw(struct term *t, const struct pl_day *days, size_t n, const struct layout *L,
                const char *title)
{
    const struct pl_chart_options *o = t->o;
    size_t cols = L->cols, rl = L->rows_lines, rb = L->rows_bars;
    uint8_t *dots = pl__calloc(rl * cols, 1);
    uint8_t *dink = pl__calloc(rl * cols, 1);
    const struct pl_day **at = pl__calloc(cols, sizeof *at);
    if (!dots || !dink || !at) {
        pl__free(dots);
        pl__free(dink);
        pl__free(at);
        return PL_ENOMEM;
    }
    for (size_t i = L->first; i < n; i++)
        at[days[i].date - L->start] = &days[i];

    /* Lines: dot rows run from 0 (ymax) to 4 rl - 1 (ymin). */
    double span = L->ymax - L->ymin;
    int dot_rows = (int)(4 * rl);
    int sub = o->utf8 ? 2 : 1;          /* samples a column */
    for (int w = 2; w >= 0; w--) {      /* fitness last: on top */
        static const enum ink inks[3] = { INK_CTL, INK_ATL, INK_TSB };
        static const char ascii[3] = { '*', 'o', '+' };
        int prev = -1;
        for (size_t c = 0; c < cols; c++) {
            for (int s = 0; s < sub; s++) {
                double v = at[c] ? value(at[c], w) : NAN;
                if (s == 1) {
                    /* Halfway to the next day. */
                    double nx = c + 1 < cols && at[c + 1] ? value(at[c + 1], w) : NAN;
                    if (!isfinite(nx)) {
                        prev = isfinite(v) ? prev : -1;
                        continue;
                    }
                    v = (v + nx) / 2;
                }
                if (!isfinite(v)) {
                    prev = -1;
                    continue;
                }
                int yd = (int)lround((L->ymax - v) / span * (dot_rows - 1));
                if (yd < 0)
                    yd = 0;
                if (yd >= dot_rows)
                    yd = dot_rows - 1;
                if (o->utf8) {
                    /* Join to the previous sample with a vertical run, so
                     * that a steep line stays one line. */
                    int a = yd, b = yd;
                    if (prev >= 0 && prev != yd) {
                        a = prev < yd ? prev + 1 : yd;
                        b = prev < yd ? yd : prev - 1;
                    }
                    for (int y = a; y <= b; y++) {
                        size_t cell = (size_t)(y / 4) * cols + c;
                        dots[cell] |= braille_bit[s][y % 4];
                        dink[cell] = (uint8_t)inks[w];
                    }
                } else {
                    size_t cell = (size_t)(yd / 4) * cols + c;
                    dots[cell] = (uint8_t)ascii[w];
                    dink[cell] = (uint8_t)inks[w];
                }
                prev = yd;
            }
        }
    }

    char buf[512];
    /* Title: "Training load · last 12 weeks · 5 Jan – 29 Mar 2026". */
    {
        int y0, y1;
        unsigned m0, d0, m1, d1;
        civil(L->start, &y0, &m0, &d0);
        civil(L->start + (int32_t)cols - 1, &y1, &m1, &d1);
        const char *dot = o->utf8 ? " \xC2\xB7 " : " - ";
        const char *dash = o->utf8 ? " \xE2\x80\x93 " : " to ";
        char when[96];
        if (y0 == y1)
            snprintf(when, sizeof when, "%u %s%s%u %s %d", d0, month_abbr[m0 - 1], dash, d1,
                     month_abbr[m1 - 1], y1);
        else
            snprintf(when, sizeof when, "%u %s %d%s%u %s %d", d0, month_abbr[m0 - 1], y0, dash,
                     d1, month_abbr[m1 - 1], y1);
        char span_s[48];
        if (cols % 7 == 0)
            snprintf(span_s, sizeof span_s, "last %zu weeks", cols / 7);
        else
            snprintf(span_s, sizeof span_s, "last %zu days", cols);
        /* Says less when the terminal is narrow. */
        snprintf(buf, sizeof buf, "%s%s%s%s", title, dot, span_s, dot);
        if (cells(buf) + cells(when) > o->columns)
            snprintf(buf, sizeof buf, "%s%s", title, dot);
        if (cells(buf) + cells(when) > o->columns)
            when[0] = '\0';
        ink(t, INK_BOLD);
        text(t, buf);
        ink(t, INK_NONE);
        text(t, when);
        end_line(t);
    }

    /* The lines panel. */
    int zero_row = L->ymin < 0 ? (int)lround((L->ymax - 0) / span * (dot_rows - 1)) / 4 : -1;
    for (size_t r = 0; r < rl; r++) {
        bool lab = r == 0 || r + 1 == rl || (int)r == zero_row;
        double v = r == 0 ? L->ymax : r + 1 == rl ? L->ymin : 0;
        gutter(t, lab, v);
        for (size_t c = 0; c < cols; c++) {
            size_t cell = r * cols + c;
            if (dots[cell]) {
                ink(t, (enum ink)dink[cell]);
                if (o->utf8) {
                    unsigned b = dots[cell];
                    char ch[4] = { (char)0xE2, (char)(0xA0 + (b >> 6)), (char)(0x80 + (b & 0x3F)),
                                   0 };
                    text(t, ch);
                } else {
                    char ch[2] = { (char)dots[cell], 0 };
                    text(t, ch);
                }
            } else if ((int)r == zero_row) {
                ink(t, INK_DIM);
                text(t, o->utf8 ? "\xE2\x94\x84" : "-");      /* ┄ */
            } else {
                text(t, " ");
            }
        }
        end_line(t);
    }

    /* Marks: one a day, the most telling first. */
    gutter(t, false, 0);
    for (size_t c = 0; c < cols; c++) {
        unsigned f = at[c] ? at[c]->flags : 0;
        if (f & PL_DAY_RACE) {
            ink(t, INK_RACE);
            text(t, o->utf8 ? "\xE2\x96\xB2" : "R");
        } else if (f & PL_DAY_TRAVEL) {
            ink(t, INK_TRAVEL);
            text(t, o->utf8 ? "\xE2\x97\x86" : "T");
        } else if (f & PL_DAY_HARD) {
            ink(t, INK_HARD);
            text(t, o->utf8 ? "\xE2\x97\x8F" : "H");
        } else if (f & PL_DAY_RECOVERY_NEEDED) {
            ink(t, INK_RECOVERY);
            text(t, "!");
        } else {
            text(t, " ");
        }
    }
    end_line(t);

    /* Load bars in eighths of a cell (U+2581..U+2588). */
    for (size_t r = 0; r < rb; r++) {
        gutter(t, r == 0, L->lmax);
        size_t from_bottom = rb - 1 - r;
        for (size_t c = 0; c < cols; c++) {
            double l = at[c] && isfinite(at[c]->load) ? at[c]->load : 0;
            long eighths = l > 0 ? lround(l / L->lmax * (double)rb * 8) : 0;
            if (l > 0 && eighths < 1)
                eighths = 1;
            long here = eighths - (long)from_bottom * 8;
            if (here <= 0) {
                text(t, " ");
                continue;
            }
            unsigned f = at[c]->flags;
            ink(t, f & PL_DAY_RACE ? INK_RACE : f & PL_DAY_HARD ? INK_HARD : INK_LOAD);
            if (o->utf8) {
                int e = here >= 8 ? 8 : (int)here;
                char ch[4] = { (char)0xE2, (char)0x96, (char)(0x80 + e), 0 };
                text(t, ch);
            } else {
                text(t, here >= 4 ? (f & (PL_DAY_HARD | PL_DAY_RACE) ? "H" : "#") : ".");
            }
        }
        end_line(t);
    }

    /* Dates under Mondays, where they fit. */
    {
        char row[1024];
        size_t w = cols < sizeof row - 1 ? cols : sizeof row - 1;
        memset(row, ' ', w);
        row[w] = '\0';
        size_t next_free = 0;
        for (size_t c = 0; c < w; c++) {
            int32_t date = L->start + (int32_t)c;
            if (weekday(date) != 0 || c < next_free)
                continue;
            int y;
            unsigned m, d;
            civil(date, &y, &m, &d);
            char lab[16];
            int k = snprintf(lab, sizeof lab, "%u %s", d, month_abbr[m - 1]);
            if (k <= 0 || c + (size_t)k > w)
                continue;
            memcpy(row + c, lab, (size_t)k);
            next_free = c + (size_t)k + 1;
        }
        ink(t, INK_DIM);
        text(t, "       ");
        text(t, row);
        end_line(t);
    }

    struct item items[12];
    size_t ni = legend_items(&days[n - 1], items);
    legend(t, items, ni, o->columns);

    pl__free(dots);
    pl__free(dink);
    pl__free(at);
    return PL_OK;
}

int pl_chart_term(const struct pl_day *days, size_t n, const struct pl_chart_options *opt,
                  char **out, size_t *len, struct pl_diag *diag)
{
    *out = NULL;
    *len = 0;
    struct pl_chart_options o;
    if (opt)
        o = *opt;
    else
        pl_chart_options_init(&o);
    if (!o.columns)
        o.columns = 80;
    if (!o.rows)
        o.rows = 24;
    if (o.columns < 40 || o.rows < 12 || o.columns > 1000 || o.rows > 1000)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "a terminal chart of %u x %u characters: at least 40 x 12, at most "
                        "1000 x 1000", o.columns, o.rows);
    int rc = pl__chart_check(days, n, diag);
    if (rc)
        return rc;

    char title[256];
    clean(title, sizeof title, o.title ? o.title : "Training load", o.columns / 2, o.utf8);

    struct pl__svg s;
    pl__svg_init(&s, PL_TERMCHART_BYTES_MAX);
    struct term t = { &s, &o, INK_NONE };
    if (n == 0) {
        pl__svg_add(&s, "%s: no days to show\n", title);
    } else {
        struct layout L = { 0 };
        size_t width = o.columns - GUTTER;
        int32_t last = days[n - 1].date;
        L.start = days[0].date;
        if ((int64_t)last - L.start + 1 > (int64_t)width) {
            /* Whole weeks, when more days than columns are there. */
            L.start = last - (int32_t)(width / 7 * 7) + 1;
        }
        L.cols = (size_t)(last - L.start + 1);
        while (days[L.first].date < L.start)
            L.first++;
        struct item items[12];
        size_t ni = legend_items(&days[n - 1], items);
        L.rows_legend = legend(NULL, items, ni, o.columns);
        size_t fixed = 1 /* title */ + 1 /* marks */ + 1 /* dates */ + L.rows_legend;
        size_t avail = o.rows > fixed + 4 ? o.rows - fixed : 4;
        L.rows_bars = avail * 3 / 10 < 2 ? 2 : avail * 3 / 10;
        L.rows_lines = avail - L.rows_bars;
        L.ymin = 0;
        L.ymax = 0;
        L.lmax = 0;
        for (size_t i = L.first; i < n; i++) {
            for (int w = 0; w < 3; w++) {
                double v = value(&days[i], w);
                if (isfinite(v)) {
                    L.ymin = fmin(L.ymin, v);
                    L.ymax = fmax(L.ymax, v);
                }
            }
            if (isfinite(days[i].load))
                L.lmax = fmax(L.lmax, days[i].load);
        }
        if (L.ymax - L.ymin < 10)
            L.ymax = L.ymin + 10;
        if (L.lmax < 10)
            L.lmax = 10;
        rc = draw(&t, days, n, &L, title);
        if (rc) {
            pl__svg_release(&s);
            return pl__diag(diag, rc, UINT64_MAX, "cannot draw the chart: %s", pl_strerror(rc));
        }
    }
    rc = pl__svg_finish(&s, out, len);
    if (rc)
        return pl__diag(diag, rc, UINT64_MAX, "cannot draw the chart: %s", pl_strerror(rc));
    return PL_OK;
}
