/*
 * svg.c - SVG output: a small writer, and the chart of the daily series.
 *
 * What it is for: pliant's pictures. The writer (lib/render/svg.h) appends markup
 * to a capped buffer, escapes text for XML and formats coordinates without
 * the C locale; the chart draws a runner's daily series the way the
 * performance-management charts of training tools do (GoldenCheetah's PMC,
 * TrainingPeaks): fitness, fatigue and form as lines over time, with the
 * daily load as bars below, and the days that matter marked on it.
 *
 * What it is not: a general SVG library or a renderer. The output is
 * static SVG 1.1 with an embedded style sheet: no scripts, no fonts or
 * images fetched from anywhere, so it is safe to open and to embed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "render/svg.h"

/* ------------------------------------------------------------------ */
/* The writer                                                           */
/* ------------------------------------------------------------------ */

void pl__svg_init(struct pl__svg *s, size_t bytes_max)
{
    memset(s, 0, sizeof *s);
    s->max = bytes_max;
}

void pl__svg_release(struct pl__svg *s)
{
    pl__free(s->p);
    s->p = NULL;
    s->n = s->cap = 0;
}

/* Room for k more bytes and the closing NUL, within max. */
static bool reserve(struct pl__svg *s, size_t k)
{
    if (s->err)
        return false;
    if (k > s->max || s->n > s->max - k) {
        s->err = PL_ELIMIT;
        return false;
    }
    if (s->n + k + 1 <= s->cap)
        return true;
    size_t ncap = s->cap ? s->cap : 4096;
    while (ncap < s->n + k + 1)
        ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
    if (ncap > s->max + 1)
        ncap = s->max + 1;
    char *np = pl__realloc(s->p, ncap);
    if (!np) {
        s->err = PL_ENOMEM;
        return false;
    }
    s->p = np;
    s->cap = ncap;
    return true;
}

static void put(struct pl__svg *s, const char *p, size_t k)
{
    if (k && reserve(s, k)) {
        memcpy(s->p + s->n, p, k);
        s->n += k;
    }
}

/* One step of escaping: how many input bytes the next character takes
 * (at least 1), and what to write for it (*rep, *replen). XML 1.0 section
 * 2.2 ("Char") allows tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD and
 * U+10000..U+10FFFF; section 2.4 reserves '<' and '&' in text and the
 * quotes in attribute values. Validity of UTF-8 as RFC 3629 defines it:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t esc_step(const unsigned char *p, const unsigned char *end, const char **rep,
                       size_t *replen)
{
    static const char fffd[] = "\xEF\xBF\xBD";
    unsigned c = *p;
    *rep = (const char *)p;
    *replen = 1;
    switch (c) {
    case '&': *rep = "&amp;"; *replen = 5; return 1;
    case '<': *rep = "&lt;"; *replen = 4; return 1;
    case '>': *rep = "&gt;"; *replen = 4; return 1;
    case '"': *rep = "&quot;"; *replen = 6; return 1;
    case '\'': *rep = "&#39;"; *replen = 5; return 1;
    default: break;
    }
    if (c < 0x80) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            *rep = fffd;
            *replen = 3;
        }
        return 1;
    }
    size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool ok = len && (size_t)(end - p) >= len;
    for (size_t i = 1; ok && i < len; i++)
        ok = (p[i] & 0xC0) == 0x80;
    if (ok && len == 3)
        ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0) &&
             !(c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE);   /* U+FFFE, U+FFFF */
    if (ok && len == 4)
        ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
    if (!ok) {
        *rep = fffd;
        *replen = 3;
        return 1;
    }
    *replen = len;
    return len;
}

void pl__svg_esc(struct pl__svg *s, const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + n;
    while (p < end && !s->err) {
        /* Copy a run of plain ASCII at once. */
        const unsigned char *q = p;
        while (q < end && *q >= 0x20 && *q < 0x80 && *q != '&' && *q != '<' && *q != '>' &&
               *q != '"' && *q != '\'')
            q++;
        put(s, (const char *)p, (size_t)(q - p));
        if (q == end)
            break;
        const char *rep;
        size_t replen;
        p = q + esc_step(q, end, &rep, &replen);
        put(s, rep, replen);
    }
}

size_t pl__svg_escape(char *buf, size_t cap, const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + n;
    size_t len = 0;
    if (!cap)
        return 0;
    while (p < end) {
        const char *rep;
        size_t replen;
        size_t used = esc_step(p, end, &rep, &replen);
        if (replen >= cap - len)
            break;
        memcpy(buf + len, rep, replen);
        len += replen;
        p += used;
    }
    buf[len] = '\0';
    return len;
}

/* A coordinate with at most two decimals, locale-free: "12.5", "-3",
 * "0.07". Non-finite numbers print as 0; callers leave such points out. */
static size_t fmt_num(char *buf, double x)
{
    if (!isfinite(x))
        x = 0;
    if (x > 1e15)
        x = 1e15;
    if (x < -1e15)
        x = -1e15;
    long long v = llround(x * 100);
    char tmp[32];
    size_t k = 0, len = 0;
    bool neg = v < 0;
    unsigned long long u = neg ? (unsigned long long)-v : (unsigned long long)v;
    unsigned frac = (unsigned)(u % 100);
    u /= 100;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg && (k > 1 || tmp[0] != '0' || frac))
        buf[len++] = '-';
    while (k)
        buf[len++] = tmp[--k];
    if (frac) {
        buf[len++] = '.';
        buf[len++] = (char)('0' + frac / 10);
        if (frac % 10)
            buf[len++] = (char)('0' + frac % 10);
    }
    buf[len] = '\0';
    return len;
}

static void add_v(struct pl__svg *s, const char *fmt, va_list ap)
{
    const char *p = fmt;
    while (*p && !s->err) {
        const char *q = strchr(p, '%');
        if (!q) {
            put(s, p, strlen(p));
            break;
        }
        put(s, p, (size_t)(q - p));
        char buf[40];
        switch (q[1]) {
        case 's': {
            const char *a = va_arg(ap, const char *);
            put(s, a, strlen(a));
            break;
        }
        case 'e': {
            const char *a = va_arg(ap, const char *);
            pl__svg_esc(s, a, strlen(a));
            break;
        }
        case 'n':
            put(s, buf, fmt_num(buf, va_arg(ap, double)));
            break;
        case 'd':
            put(s, buf, (size_t)snprintf(buf, sizeof buf, "%d", va_arg(ap, int)));
            break;
        case '%':
            put(s, "%", 1);
            break;
        default:
            /* A programmer error in a format of this library. */
            put(s, q, q[1] ? 2 : 1);
            break;
        }
        p = q + (q[1] ? 2 : 1);
    }
}

void pl__svg_add(struct pl__svg *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_v(s, fmt, ap);
    va_end(ap);
}

int pl__svg_finish(struct pl__svg *s, char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!s->err)
        reserve(s, 0);
    if (s->err) {
        int err = s->err;
        pl__svg_release(s);
        return err;
    }
    s->p[s->n] = '\0';
    *out = s->p;
    *n = s->n;
    s->p = NULL;
    s->n = s->cap = 0;
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* Dates and scales, shared by the charts                               */
/* ------------------------------------------------------------------ */

static const char *const month_abbr[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const weekday_abbr[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

struct ymd {
    int y;
    unsigned m, d;
};

/* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * civil_from_days. */
static struct ymd civil(int64_t days)
{
    struct ymd r;
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    r.d = doy - (153 * mp + 2) / 5 + 1;
    r.m = mp < 10 ? mp + 3 : mp - 9;
    r.y = (int)((int64_t)yoe + era * 400 + (r.m <= 2));
    return r;
}

/* Monday 0 .. Sunday 6; 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* A step of 1, 2, 2.5 or 5 times a power of ten that cuts range into
 * about `count` intervals (the "nice numbers" of Heckbert, Graphics Gems,
 * 1990). */
static double nice_step(double range, double count)
{
    if (!(range > 0) || !isfinite(range))
        return 1;
    double raw = range / count;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nice * mag;
}

/* ------------------------------------------------------------------ */
/* Options and checks                                                   */
/* ------------------------------------------------------------------ */

void pl_chart_options_init(struct pl_chart_options *o)
{
    memset(o, 0, sizeof *o);
    o->ctl_days = 42;
    o->atl_days = 7;
}

/* Shared with lib/render/termchart.c through this one prototype. */
int pl__chart_check(const struct pl_day *days, size_t n, struct pl_diag *diag);

int pl__chart_check(const struct pl_day *days, size_t n, struct pl_diag *diag)
{
    if (n > PL_CHART_DAYS_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "%zu days is more than a chart shows (%d)",
                        n, PL_CHART_DAYS_MAX);
    if (n && !days)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no days given");
    for (size_t i = 1; i < n; i++)
        if (days[i].date <= days[i - 1].date)
            return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                            "days out of order: day %zu is not after the one before it", i);
    /* Loads of a billion a day are a bug upstream; refusing them keeps
     * every scale and loop here finite. */
    for (size_t i = 0; i < n; i++) {
        const double v[4] = { days[i].load, days[i].ctl, days[i].atl, days[i].tsb };
        for (int k = 0; k < 4; k++)
            if (fabs(v[k]) > 1e9)
                return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                                "day %zu: a load, fitness, fatigue or form of %g", i, v[k]);
    }
    if (n && (int64_t)days[n - 1].date - days[0].date >= PL_CHART_DAYS_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "the days span more than %d days",
                        PL_CHART_DAYS_MAX);
    return PL_OK;
}

/* ------------------------------------------------------------------ */
/* The chart of the daily series                                        */
/* ------------------------------------------------------------------ */


/* Colours: blue, pink and amber as GoldenCheetah's PMC draws fitness,
 * fatigue and form, in shades that stay apart for the common colour
 * vision deficiencies. */
#define C_CTL "#2563eb"
#define C_ATL "#db2777"
#define C_TSB "#d97706"
#define C_LOAD "#94a3b8"
#define C_HARD "#ea580c"
#define C_RACE "#dc2626"
#define C_TRAVEL "#7c3aed"
#define C_RECOVERY "#fde4e4"

static const char style_sheet[] =
    "<style>\n"
    "text{font-family:'DejaVu Sans','Segoe UI',system-ui,-apple-system,Helvetica,Arial,"
    "sans-serif;fill:#374151;font-size:11px}\n"
    ".title{font-size:19px;font-weight:bold;fill:#111827}\n"
    ".sub{font-size:12.5px;fill:#4b5563}\n"
    ".legend{font-size:12px;fill:#1f2937}\n"
    ".axis{font-size:11px;fill:#4b5563}\n"
    ".yr{font-size:11px;font-weight:bold;fill:#374151}\n"
    ".atitle{font-size:11.5px;fill:#374151;font-weight:bold}\n"
    ".note{font-size:10.5px;fill:#6b7280}\n"
    ".empty{font-size:15px;fill:#6b7280}\n"
    ".grid{stroke:#e5e7eb;stroke-width:1}\n"
    ".zero{stroke:#9ca3af;stroke-width:1}\n"
    ".frame{stroke:#d1d5db;stroke-width:1;fill:none}\n"
    ".ctl{stroke:" C_CTL ";stroke-width:2.4;fill:none;stroke-linejoin:round}\n"
    ".ctlarea{fill:" C_CTL ";fill-opacity:.09;stroke:none}\n"
    ".atl{stroke:" C_ATL ";stroke-width:1.5;fill:none;stroke-linejoin:round}\n"
    ".tsb{stroke:" C_TSB ";stroke-width:1.8;fill:none;stroke-linejoin:round}\n"
    ".dense .ctl{stroke-width:2}.dense .atl{stroke-width:.8;stroke-opacity:.8}"
    ".dense .tsb{stroke-width:1}\n"
    ".end{font-size:11px;font-weight:bold}\n"
    ".bar{fill:" C_LOAD "}\n"
    ".hard{fill:" C_HARD "}\n"
    ".racebar{fill:" C_RACE "}\n"
    ".race{fill:" C_RACE ";stroke:#fff;stroke-width:1}\n"
    ".travel{fill:" C_TRAVEL ";stroke:#fff;stroke-width:1}\n"
    ".recovery{fill:" C_RECOVERY "}\n"
    "</style>\n";

struct chart {
    struct pl__svg *s;
    const struct pl_day *d;
    size_t n;
    const struct pl_chart_options *o;
    double W, H;
    double x0, x1;           /* plot area, left and right */
    double t0, t1;           /* top panel: top and bottom */
    double b0, b1;           /* load panel: top and bottom */
    int32_t date0;           /* first day shown */
    int32_t ndays;           /* days from the first to the last, inclusive */
    double dayw;             /* pixels a day */
    double ymin, ymax;       /* top panel scale */
    double lmax;             /* load panel scale */
    bool weekly;             /* bars are weekly means */
};

static double xday(const struct chart *c, double date)
{
    return c->x0 + (date - c->date0) * c->dayw;
}

static double ytop(const struct chart *c, double v)
{
    return c->t1 - (v - c->ymin) / (c->ymax - c->ymin) * (c->t1 - c->t0);
}

static double yload(const struct chart *c, double v)
{
    return c->b1 - v / c->lmax * (c->b1 - c->b0);
}

static double width_est(const char *text, double font_px)
{
    /* Average advance of DejaVu Sans and its kin, a little over half an
     * em a character; UTF-8 continuation bytes do not advance. */
    double k = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        k += (*p & 0xC0) != 0x80;
    return k * font_px * 0.56;
}

static void fmt_date(char *buf, size_t n, int32_t date, bool with_weekday)
{
    struct ymd t = civil(date);
    if (with_weekday)
        snprintf(buf, n, "%s %u %s %d", weekday_abbr[weekday(date)], t.d, month_abbr[t.m - 1],
                 t.y);
    else
        snprintf(buf, n, "%u %s %d", t.d, month_abbr[t.m - 1], t.y);
}

/* A whole number for people: "52", "−9" (U+2212 MINUS SIGN, as typeset). */
static void fmt_int(char *buf, size_t n, double v)
{
    if (!isfinite(v) || fabs(v) > 1e15) {
        snprintf(buf, n, "-");
        return;
    }
    long long r = llround(v);
    if (r < 0)
        snprintf(buf, n, "\xE2\x88\x92%lld", -r);
    else
        snprintf(buf, n, "%lld", r);
}

static void draw_header(struct chart *c, double *legend_y)
{
    const struct pl_chart_options *o = c->o;
    struct pl__svg *s = c->s;
    pl__svg_add(s, "<text class=\"title\" x=\"%n\" y=\"28\">%e</text>\n", c->x0,
                o->title ? o->title : "Training load");
    char sub[512];
    if (o->subtitle) {
        snprintf(sub, sizeof sub, "%s", o->subtitle);
    } else if (c->n) {
        char a[40], b[40];
        fmt_date(a, sizeof a, c->d[0].date, false);
        fmt_date(b, sizeof b, c->d[c->n - 1].date, false);
        int len = snprintf(sub, sizeof sub, "%s \xE2\x80\x93 %s", a, b);
        /* The last day with numbers: where the runner stands now. */
        for (size_t i = c->n; i-- > 0;) {
            const struct pl_day *d = &c->d[i];
            if (isfinite(d->ctl) && isfinite(d->atl) && isfinite(d->tsb)) {
                char f[24], g[24], h[24], when[40];
                fmt_int(f, sizeof f, d->ctl);
                fmt_int(g, sizeof g, d->atl);
                fmt_int(h, sizeof h, d->tsb);
                fmt_date(when, sizeof when, d->date, false);
                size_t room = sizeof sub - (size_t)len;
                snprintf(sub + len, room, "  \xC2\xB7  on %s: fitness %s, fatigue %s, form %s",
                         when, f, g, h);
                /* A narrow chart says less. */
                if (width_est(sub, 12.5) > c->W - c->x0 - 10)
                    snprintf(sub + len, room, "  \xC2\xB7  fitness %s, fatigue %s, form %s", f, g,
                             h);
                if (width_est(sub, 12.5) > c->W - c->x0 - 10)
                    snprintf(sub, sizeof sub, "fitness %s, fatigue %s, form %s on %s", f, g, h,
                             when);
                break;
            }
        }
    } else {
        snprintf(sub, sizeof sub, "no days");
    }
    pl__svg_add(s, "<text class=\"sub\" x=\"%n\" y=\"48\">%e</text>\n", c->x0, sub);

    /* The legend: swatch and label, wrapped onto more rows when the chart
     * is narrow. */
    char ctl[64], atl[64];
    snprintf(ctl, sizeof ctl, "Fitness (CTL, %g d)", o->ctl_days);
    snprintf(atl, sizeof atl, "Fatigue (ATL, %g d)", o->atl_days);
    const struct {
        const char *label;
        int kind;      /* 0 line, 1 bar, 2 triangle, 3 diamond, 4 band */
        const char *cls;
    } items[] = {
        { ctl, 0, "ctl" },
        { atl, 0, "atl" },
        { "Form (TSB)", 0, "tsb" },
        { c->weekly ? "Load (weekly mean a day)" : "Daily load", 1, "bar" },
        { "Hard day", 1, "hard" },
        { "Race", 2, "race" },
        { "Travel", 3, "travel" },
        { "Recovery needed", 4, "recovery" },
    };
    double x = c->x0, y = 70;
    pl__svg_add(s, "<g class=\"legend-box\">\n");
    for (size_t i = 0; i < PL_ARRAY_LEN(items); i++) {
        double w = 24 + width_est(items[i].label, 12) + 18;
        if (x + w - 18 > c->W - 16 && x > c->x0) {
            x = c->x0;
            y += 19;
        }
        switch (items[i].kind) {
        case 0:
            pl__svg_add(s, "<line class=\"%s\" x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\"/>",
                        items[i].cls, x, y - 4, x + 18, y - 4);
            break;
        case 1:
            pl__svg_add(s, "<rect class=\"%s\" x=\"%n\" y=\"%n\" width=\"12\" height=\"11\"/>",
                        items[i].cls, x + 3, y - 10);
            break;
        case 2:
            pl__svg_add(s, "<path class=\"race\" d=\"M%n %nl6 10.5h-12z\"/>", x + 9, y - 11);
            break;
        case 3:
            pl__svg_add(s, "<path class=\"travel\" d=\"M%n %nl5.5 6 -5.5 6 -5.5 -6z\"/>", x + 9,
                        y - 11);
            break;
        default:
            pl__svg_add(s,
                        "<rect class=\"recovery\" x=\"%n\" y=\"%n\" width=\"18\" height=\"13\" "
                        "stroke=\"#f5b5b5\" stroke-width=\"1\"/>",
                        x, y - 11);
            break;
        }
        pl__svg_add(s, "<text class=\"legend\" x=\"%n\" y=\"%n\">%e</text>\n", x + 24, y,
                    items[i].label);
        x += w;
    }
    pl__svg_add(s, "</g>\n");
    *legend_y = y;
}

/* Ticks along the time axis: every day, every Monday, every k months or
 * every k years, whichever first leaves room for the labels. */
enum tick_unit { T_DAY, T_WEEK, T_MONTH, T_YEAR };

static bool is_tick(int32_t date, enum tick_unit u, int k)
{
    struct ymd t;
    switch (u) {
    case T_DAY:
        return true;
    case T_WEEK:
        return weekday(date) == 0;
    case T_MONTH:
        t = civil(date);
        return t.d == 1 && (t.m - 1) % (unsigned)k == 0;
    default:
        t = civil(date);
        return t.d == 1 && t.m == 1 && t.y % k == 0;
    }
}

static void draw_time_axis(struct chart *c)
{
    static const struct {
        enum tick_unit u;
        int k;
        double days;       /* typical spacing */
        double label_px;   /* room a label needs */
    } steps[] = {
        { T_DAY, 1, 1, 46 },      { T_WEEK, 1, 7, 52 },    { T_MONTH, 1, 30.4, 34 },
        { T_MONTH, 3, 91.3, 34 }, { T_MONTH, 6, 182.6, 34 }, { T_YEAR, 1, 365.25, 40 },
        { T_YEAR, 2, 730.5, 40 }, { T_YEAR, 5, 1826, 40 },   { T_YEAR, 10, 3652, 40 },
        { T_YEAR, 25, 9131, 40 },
    };
    size_t si = 0;
    while (si + 1 < PL_ARRAY_LEN(steps) && steps[si].days * c->dayw < steps[si].label_px + 10)
        si++;
    enum tick_unit u = steps[si].u;
    int k = steps[si].k;
    struct pl__svg *s = c->s;
    double ylab = c->b1 + 16;
    int last_year = INT32_MIN;
    pl__svg_add(s, "<g class=\"time-axis\">\n");
    for (int32_t i = 0; i < c->ndays; i++) {
        int32_t date = c->date0 + i;
        if (!is_tick(date, u, k))
            continue;
        double x = xday(c, date + (u == T_DAY ? 0.5 : 0));
        pl__svg_add(s, "<line class=\"grid\" x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\"/>", x, c->t0,
                    x, c->t1);
        pl__svg_add(s, "<line class=\"grid\" x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\"/>", x, c->b0,
                    x, c->b1 + 4);
        struct ymd t = civil(date);
        char label[32];
        if (u == T_DAY || u == T_WEEK)
            snprintf(label, sizeof label, "%u %s", t.d, month_abbr[t.m - 1]);
        else if (u == T_MONTH)
            snprintf(label, sizeof label, "%s", month_abbr[t.m - 1]);
        else
            snprintf(label, sizeof label, "%d", t.y);
        /* A label that would run off the plot's right end is left out. */
        if (x + width_est(label, 11) / 2 > c->x1 + 8)
            continue;
        pl__svg_add(s, "\n<text class=\"axis\" x=\"%n\" y=\"%n\" text-anchor=\"middle\">%e</text>",
                    x, ylab, label);
        if (u != T_YEAR && t.y != last_year) {
            char yr[16];
            snprintf(yr, sizeof yr, "%d", t.y);
            pl__svg_add(s, "<text class=\"yr\" x=\"%n\" y=\"%n\" text-anchor=\"middle\">%e</text>",
                        x, ylab + 14, yr);
            last_year = t.y;
        }
    }
    pl__svg_add(s, "\n</g>\n");
}

static void draw_value_axes(struct chart *c)
{
    struct pl__svg *s = c->s;
    double step = nice_step(c->ymax - c->ymin, 5);
    pl__svg_add(s, "<g class=\"value-axes\">\n");
    for (double v = ceil(c->ymin / step) * step; v <= c->ymax + step * 1e-9; v += step) {
        double y = ytop(c, v);
        char label[24];
        fmt_int(label, sizeof label, fabs(v) < step * 1e-9 ? 0 : v);
        pl__svg_add(s, "<line class=\"%s\" x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\"/>",
                    fabs(v) < step * 1e-9 && c->ymin < 0 ? "zero" : "grid", c->x0, y, c->x1, y);
        pl__svg_add(s, "<text class=\"axis\" x=\"%n\" y=\"%n\" text-anchor=\"end\">%e</text>\n",
                    c->x0 - 7, y + 4, label);
    }
    double lstep = nice_step(c->lmax, 3);
    for (double v = 0; v <= c->lmax + lstep * 1e-9; v += lstep) {
        double y = yload(c, v);
        char label[24];
        fmt_int(label, sizeof label, v);
        pl__svg_add(s, "<line class=\"%s\" x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\"/>",
                    v == 0 ? "zero" : "grid", c->x0, y, c->x1, y);
        pl__svg_add(s, "<text class=\"axis\" x=\"%n\" y=\"%n\" text-anchor=\"end\">%e</text>\n",
                    c->x0 - 7, y + 4, label);
    }
    /* Axis titles, turned along the axes, where they fit. */
    const struct {
        const char *text;
        double y0, y1;
    } titles[] = {
        { "Fitness \xC2\xB7 fatigue \xC2\xB7 form", c->t0, c->t1 },
        { "Load", c->b0, c->b1 },
    };
    for (size_t i = 0; i < PL_ARRAY_LEN(titles); i++)
        if (width_est(titles[i].text, 11.5) < titles[i].y1 - titles[i].y0 - 8)
            pl__svg_add(s,
                        "<text class=\"atitle\" transform=\"translate(16 %n) rotate(-90)\" "
                        "text-anchor=\"middle\">%e</text>\n",
                        (titles[i].y0 + titles[i].y1) / 2, titles[i].text);
    pl__svg_add(s, "</g>\n");
}

/* Shade runs of days that needed recovery behind the lines. */
static void draw_recovery(struct chart *c)
{
    pl__svg_add(c->s, "<g class=\"recovery-days\">");
    for (size_t i = 0; i < c->n;) {
        if (!(c->d[i].flags & PL_DAY_RECOVERY_NEEDED)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < c->n && (c->d[j + 1].flags & PL_DAY_RECOVERY_NEEDED) &&
               c->d[j + 1].date == c->d[j].date + 1)
            j++;
        double xa = xday(c, c->d[i].date), xb = xday(c, c->d[j].date + 1);
        pl__svg_add(c->s, "<rect class=\"recovery\" x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\"/>",
                    xa, c->t0, xb - xa, c->t1 - c->t0);
        i = j + 1;
    }
    pl__svg_add(c->s, "</g>\n");
}

/* The value of one series on day i. */
static double series(const struct pl_day *d, int which)
{
    return which == 0 ? d->ctl : which == 1 ? d->atl : d->tsb;
}

/* A line through the days' values, broken where a value is missing or
 * days are missing; with area, the same runs closed down to zero. */
static void draw_series(struct chart *c, int which, const char *cls, bool area)
{
    struct pl__svg *s = c->s;
    pl__svg_add(s, "<path class=\"%s\" d=\"", cls);
    double y0 = ytop(c, c->ymin < 0 ? 0 : c->ymin);
    for (size_t i = 0; i < c->n;) {
        if (!isfinite(series(&c->d[i], which))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < c->n && isfinite(series(&c->d[j + 1], which)) &&
               c->d[j + 1].date == c->d[j].date + 1)
            j++;
        double xi = xday(c, c->d[i].date + 0.5);
        if (area)
            pl__svg_add(s, "M%n %nL%n %n", xi, y0, xi, ytop(c, series(&c->d[i], which)));
        else
            pl__svg_add(s, "M%n %n", xi, ytop(c, series(&c->d[i], which)));
        for (size_t k = i + 1; k <= j; k++)
            pl__svg_add(s, "L%n %n", xday(c, c->d[k].date + 0.5), ytop(c, series(&c->d[k], which)));
        if (area)
            pl__svg_add(s, "L%n %nZ", xday(c, c->d[j].date + 0.5), y0);
        i = j + 1;
    }
    pl__svg_add(s, "\"/>\n");
}

/* What a day's tooltip says: "Sun 18 Jan 2026: load 152, fitness 48,
 * fatigue 71, form −20. race; hard: IF 0.97". */
static void tooltip(struct chart *c, const struct pl_day *d)
{
    char when[40], a[24], b[24], f[24], g[24];
    fmt_date(when, sizeof when, d->date, true);
    fmt_int(a, sizeof a, isfinite(d->load) ? d->load : 0);
    fmt_int(b, sizeof b, d->ctl);
    fmt_int(f, sizeof f, d->atl);
    fmt_int(g, sizeof g, d->tsb);
    pl__svg_add(c->s, "<title>%e: load %e", when, a);
    if (isfinite(d->ctl) && isfinite(d->atl) && isfinite(d->tsb))
        pl__svg_add(c->s, ", fitness %e, fatigue %e, form %e", b, f, g);
    size_t rn = strnlen(d->reasons, sizeof d->reasons);
    if (rn) {
        pl__svg_add(c->s, ". ");
        pl__svg_esc(c->s, d->reasons, rn);
    }
    pl__svg_add(c->s, "</title>");
}

/* The last value of each line at its right end, in its colour, nudged
 * apart so that they never overlap. */
static void draw_end_values(struct chart *c)
{
    static const char *const colors[3] = { C_CTL, C_ATL, C_TSB };
    double y[3], v[3];
    int order[3], k = 0;
    for (int w = 0; w < 3; w++) {
        v[w] = series(&c->d[c->n - 1], w);
        if (isfinite(v[w])) {
            y[w] = ytop(c, v[w]) + 4;
            order[k++] = w;
        }
    }
    /* Sort top to bottom, then push down what sits too close. */
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && y[order[j]] < y[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 1; i < k; i++)
        if (y[order[i]] < y[order[i - 1]] + 12)
            y[order[i]] = y[order[i - 1]] + 12;
    for (int i = 0; i < k; i++) {
        char label[24];
        fmt_int(label, sizeof label, v[order[i]]);
        pl__svg_add(c->s, "<text class=\"end\" x=\"%n\" y=\"%n\" fill=\"%s\">%e</text>\n",
                    c->x1 + 5, y[order[i]], colors[order[i]], label);
    }
}

static void draw_bars(struct chart *c)
{
    struct pl__svg *s = c->s;
    pl__svg_add(s, "<g class=\"load\">\n");
    if (!c->weekly) {
        double w = c->dayw * 0.72, gap = (c->dayw - w) / 2;
        if (w < 1)
            w = 1;
        bool tips = c->n <= PL_SVG_TOOLTIP_DAYS_MAX;
        for (size_t i = 0; i < c->n; i++) {
            const struct pl_day *d = &c->d[i];
            if (!(isfinite(d->load) && d->load > 0))
                continue;
            const char *cls = d->flags & PL_DAY_RACE ? "racebar"
                            : d->flags & PL_DAY_HARD ? "hard" : "bar";
            double y = yload(c, fmin(d->load, c->lmax));
            pl__svg_add(s, "<rect class=\"%s\" x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\">", cls,
                        xday(c, d->date) + gap, y, w, c->b1 - y);
            if (tips)
                tooltip(c, d);
            pl__svg_add(s, "</rect>\n");
        }
    } else {
        /* Weeks from Monday: the mean load a day, the hard days' share
         * drawn at the bottom of the bar in their colour. */
        double w = c->dayw * 7 * 0.8, gap = (c->dayw * 7 - w) / 2;
        for (size_t i = 0; i < c->n;) {
            int32_t monday = c->d[i].date - weekday(c->d[i].date);
            double all = 0, hard = 0;
            for (; i < c->n && c->d[i].date < monday + 7; i++) {
                double l = isfinite(c->d[i].load) ? c->d[i].load : 0;
                all += l;
                if (c->d[i].flags & (PL_DAY_HARD | PL_DAY_RACE))
                    hard += l;
            }
            all /= 7;
            hard /= 7;
            if (!(all > 0))
                continue;
            double x = xday(c, monday) + gap, ya = yload(c, fmin(all, c->lmax));
            double yh = yload(c, fmin(hard, c->lmax));
            pl__svg_add(s, "<path class=\"bar\" d=\"M%n %nh%nV%nH%nz\"/>", x, c->b1, w, ya, x);
            if (hard > 0)
                pl__svg_add(s, "<path class=\"hard\" d=\"M%n %nh%nV%nH%nz\"/>", x, c->b1, w, yh, x);
            pl__svg_add(s, "\n");
        }
    }
    pl__svg_add(s, "</g>\n");
}

/* Races and trips as marks in a lane above the load panel, each with the
 * reason it was marked. */
static void draw_marks(struct chart *c)
{
    struct pl__svg *s = c->s;
    double ym = c->b0 - 9;
    pl__svg_add(s, "<g class=\"marks\">\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct pl_day *d = &c->d[i];
        bool race = d->flags & PL_DAY_RACE, travel = d->flags & PL_DAY_TRAVEL;
        if (!race && !travel)
            continue;
        double x = xday(c, d->date + 0.5);
        /* Both on one day: side by side. */
        double xr = race && travel ? x + 6 : x, xt = race && travel ? x - 6 : x;
        if (travel) {
            pl__svg_add(s, "<path class=\"travel\" d=\"M%n %nl5.5 6 -5.5 6 -5.5 -6z\">", xt, ym - 6);
            tooltip(c, d);
            pl__svg_add(s, "</path>\n");
        }
        if (race) {
            pl__svg_add(s, "<path class=\"race\" d=\"M%n %nl6.5 11.5h-13z\">", xr, ym - 6);
            tooltip(c, d);
            pl__svg_add(s, "</path>\n");
        }
    }
    pl__svg_add(s, "</g>\n");
}

static void scales(struct chart *c)
{
    c->ymin = 0;
    c->ymax = 0;
    c->lmax = 0;
    for (size_t i = 0; i < c->n; i++) {
        for (int w = 0; w < 3; w++) {
            double v = series(&c->d[i], w);
            if (isfinite(v)) {
                c->ymin = fmin(c->ymin, v);
                c->ymax = fmax(c->ymax, v);
            }
        }
    }
    if (c->weekly) {
        for (size_t i = 0; i < c->n;) {
            int32_t monday = c->d[i].date - weekday(c->d[i].date);
            double all = 0;
            for (; i < c->n && c->d[i].date < monday + 7; i++)
                all += isfinite(c->d[i].load) ? c->d[i].load : 0;
            c->lmax = fmax(c->lmax, all / 7);
        }
    } else {
        for (size_t i = 0; i < c->n; i++)
            if (isfinite(c->d[i].load))
                c->lmax = fmax(c->lmax, c->d[i].load);
    }
    if (c->ymax - c->ymin < 10)
        c->ymax = c->ymin + 10;
    double step = nice_step(c->ymax - c->ymin, 5);
    c->ymax = ceil(c->ymax / step) * step;
    c->ymin = floor(c->ymin / step) * step;
    if (c->lmax < 10)
        c->lmax = 10;
    double lstep = nice_step(c->lmax, 3);
    c->lmax = ceil(c->lmax / lstep) * lstep;
}

int pl_chart_svg(const struct pl_day *days, size_t n, const struct pl_chart_options *opt,
                 char **out, size_t *len, struct pl_diag *diag)
{
    *out = NULL;
    *len = 0;
    struct pl_chart_options o;
    if (opt)
        o = *opt;
    else
        pl_chart_options_init(&o);
    if (!o.width_px)
        o.width_px = 960;
    if (!o.height_px)
        o.height_px = 540;
    if (!(o.ctl_days > 0))
        o.ctl_days = 42;
    if (!(o.atl_days > 0))
        o.atl_days = 7;
    if (o.width_px < PL_CHART_PX_MIN || o.width_px > PL_CHART_PX_MAX ||
        o.height_px < PL_CHART_PX_MIN || o.height_px > PL_CHART_PX_MAX)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                        "a chart of %u x %u pixels: each side must be %d to %d", o.width_px,
                        o.height_px, PL_CHART_PX_MIN, PL_CHART_PX_MAX);
    int rc = pl__chart_check(days, n, diag);
    if (rc)
        return rc;

    struct pl__svg s;
    pl__svg_init(&s, PL_SVG_BYTES_MAX);
    struct chart c = { 0 };
    c.s = &s;
    c.d = days;
    c.n = n;
    c.o = &o;
    c.W = o.width_px;
    c.H = o.height_px;
    c.x0 = 66;
    c.x1 = c.W - 40;
    c.date0 = n ? days[0].date : 0;
    c.ndays = n ? days[n - 1].date - days[0].date + 1 : 1;
    c.dayw = (c.x1 - c.x0) / c.ndays;
    c.weekly = c.dayw < 2;

    pl__svg_add(&s,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
                "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                "aria-labelledby=\"chart-title chart-desc\">\n",
                (int)o.width_px, (int)o.height_px, (int)o.width_px, (int)o.height_px);
    pl__svg_add(&s, "<title id=\"chart-title\">%e</title>\n",
                o.title ? o.title : "Training load");
    pl__svg_add(&s,
                "<desc id=\"chart-desc\">Fitness (CTL), fatigue (ATL) and form (TSB) a day as "
                "lines; daily training load as bars; hard days, races and trips marked. Made by "
                "pliant %s.</desc>\n",
                PL_VERSION);
    pl__svg_add(&s, "%s", style_sheet);
    pl__svg_add(&s, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");

    double legend_y;
    draw_header(&c, &legend_y);
    /* Panels: what the header and the footer leave, about 70:30 between
     * the lines and the bars, with a lane for marks between them. */
    double top = legend_y + 20, bottom = c.H - 58, lane = 26;
    double avail = bottom - top - lane;
    if (avail < 60)
        avail = 60;
    c.t0 = top;
    c.t1 = top + avail * 0.68;
    c.b0 = c.t1 + lane;
    c.b1 = bottom;
    scales(&c);

    if (n == 0) {
        pl__svg_add(&s, "<rect class=\"frame\" x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\"/>\n",
                    c.x0, c.t0, c.x1 - c.x0, c.b1 - c.t0);
        pl__svg_add(&s,
                    "<text class=\"empty\" x=\"%n\" y=\"%n\" text-anchor=\"middle\">%e</text>\n",
                    (c.x0 + c.x1) / 2, (c.t0 + c.b1) / 2, "No days to show in this period");
    } else {
        draw_recovery(&c);
        draw_value_axes(&c);
        draw_time_axis(&c);
        pl__svg_add(&s, "<g class=\"lines%s\">\n", c.dayw < 1.5 ? " dense" : "");
        draw_series(&c, 0, "ctlarea", true);
        draw_series(&c, 2, "tsb", false);
        draw_series(&c, 1, "atl", false);
        draw_series(&c, 0, "ctl", false);
        pl__svg_add(&s, "</g>\n");
        draw_end_values(&c);
        draw_bars(&c);
        draw_marks(&c);
        pl__svg_add(&s, "<rect class=\"frame\" x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\"/>\n",
                    c.x0, c.t0, c.x1 - c.x0, c.t1 - c.t0);
    }
    static const char *const notes[] = {
        ("Load: training stress, 100 \xE2\x89\x88 one hour at threshold. Fitness and fatigue "
         "are exponentially weighted averages of it; form is yesterday\xE2\x80\x99s fitness "
         "minus fatigue."),
        ("Load: 100 \xE2\x89\x88 one hour at threshold. Form: yesterday\xE2\x80\x99s fitness "
         "minus fatigue."),
        "100 \xE2\x89\x88 one hour at threshold",
    };
    size_t ni = 0;
    while (ni + 1 < PL_ARRAY_LEN(notes) && width_est(notes[ni], 10.5) > c.W - c.x0 - 10)
        ni++;
    pl__svg_add(&s, "<text class=\"note\" x=\"%n\" y=\"%n\">%e</text>\n", c.x0, c.H - 10,
                notes[ni]);
    pl__svg_add(&s, "</svg>\n");
    rc = pl__svg_finish(&s, out, len);
    if (rc)
        return pl__diag(diag, rc, UINT64_MAX, "cannot make the chart: %s", pl_strerror(rc));
    return PL_OK;
}
