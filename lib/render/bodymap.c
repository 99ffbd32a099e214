/*
 * bodymap.c - a runner's body, front and back, as SVG, with the areas a
 * self-screen flagged filled in and named.
 *
 * What it is for: the therapist's summary (lib/render/summary.c) shows at a
 * glance where the runner found something, and where a warning sign keeps
 * massage away. The figure and its regions are drawn from a few points
 * each, joined by smooth curves (Catmull-Rom splines, converted to cubic
 * Bezier segments: a spline through P0..Pn has, between Pi and Pi+1, the
 * control points Pi + (Pi+1 - Pi-1) / 6 and Pi+1 - (Pi+2 - Pi) / 6). A
 * region on both sides of the body is drawn once and mirrored.
 *
 * Regions are named like the default protocol's body areas
 * (protocols/hamstrings.yaml), so a protocol that uses those ids gets its
 * areas on the map; an area the map does not know is still named in the
 * legend, "not on the map" (docs/formats.md lists the regions).
 *
 * What it is not: an anatomical atlas. The shapes place an area well
 * enough for a runner and a therapist to agree on where it is.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "render/svg.h"

/* One figure is FIG_W x FIG_H units; the midline is x = FIG_W / 2. */
#define FIG_W 200.0
#define FIG_H 460.0
#define MID (FIG_W / 2)

struct pt {
    double x, y;
};

/* The left half of the image's figure, clockwise from the neck down the
 * outside of the arm, round the hand, up the inside of the arm, down the
 * side and the outside of the leg, round the foot and up the inside of the
 * leg to the crotch. The right half is its mirror. */
static const struct pt outline_half[] = {
    { 91, 56 },  { 90, 72 },  { 78, 80 },  { 62, 86 },  { 51, 97 },  { 47, 114 },
    { 44, 142 }, { 41, 170 }, { 38, 197 }, { 35, 226 }, { 32, 255 }, { 30, 272 },
    { 27, 289 }, { 31, 303 }, { 39, 306 }, { 44, 296 }, { 45, 278 }, { 47, 256 },
    { 51, 227 }, { 55, 201 }, { 58, 173 }, { 61, 142 }, { 63, 124 }, { 66, 130 },
    { 67, 152 }, { 69, 180 }, { 70, 201 }, { 65, 226 }, { 62, 248 }, { 62, 274 },
    { 65, 302 }, { 69, 331 }, { 66, 352 }, { 66, 374 }, { 70, 402 }, { 74, 424 },
    { 70, 437 }, { 77, 446 }, { 93, 446 }, { 95, 436 }, { 91, 423 }, { 92, 396 },
    { 91, 366 }, { 93, 334 }, { 95, 302 }, { 97, 272 }, { MID, 258 },
};

enum view { FRONT = 1, BACK = 2 };

struct region {
    const char *id;
    unsigned views;           /* where it shows */
    bool mirrored;            /* drawn on both sides */
    const struct pt *pts;     /* closed; the image's left side */
    size_t n;
    bool whole;               /* the whole figure */
};

#define R(...) (const struct pt[]){ __VA_ARGS__ }, sizeof((const struct pt[]){ __VA_ARGS__ }) / sizeof(struct pt), false

static const struct region regions[] = {
    /* Back view. */
    { "whole-back", BACK, true,
      R({ 66, 100 }, { 80, 88 }, { MID, 84 }, { MID, 224 }, { 74, 224 }, { 69, 196 }, { 67, 150 }) },
    { "thoracolumbar-extensors", BACK, true,
      R({ 89, 112 }, { 97, 108 }, { 98, 160 }, { 98, 218 }, { 90, 218 }, { 87, 166 }) },
    { "quadratus-lumborum", BACK, true,
      R({ 76, 188 }, { 86, 184 }, { 88, 200 }, { 88, 216 }, { 78, 218 }, { 73, 204 }) },
    { "glutes", BACK, true,
      R({ 68, 226 }, { 84, 218 }, { 98, 228 }, { 98, 252 }, { 86, 262 }, { 70, 256 },
        { 64, 242 }) },
    { "hamstring-origin", BACK, true,
      R({ 86, 258 }, { 93, 255 }, { 97, 262 }, { 92, 268 }, { 85, 265 }) },
    { "hamstrings", BACK, true,
      R({ 67, 264 }, { 84, 268 }, { 95, 270 }, { 93, 300 }, { 90, 325 }, { 80, 330 },
        { 71, 324 }, { 66, 296 }) },
    { "back-of-knee", BACK, true,
      R({ 73, 333 }, { 82, 331 }, { 90, 333 }, { 88, 340 }, { 80, 342 }, { 72, 339 }) },
    { "calves", BACK, true,
      R({ 69, 348 }, { 80, 344 }, { 91, 350 }, { 90, 376 }, { 85, 394 }, { 76, 394 },
        { 69, 372 }) },
    /* Front view. */
    { "abdominals", FRONT, true,
      R({ 85, 148 }, { MID, 146 }, { MID, 232 }, { 86, 228 }, { 81, 190 }) },
    { "hip-flexors", FRONT, true,
      R({ 68, 228 }, { 77, 222 }, { 90, 238 }, { 97, 254 }, { 92, 264 }, { 81, 254 }) },
    { "quadriceps", FRONT, true,
      R({ 66, 262 }, { 80, 256 }, { 94, 268 }, { 93, 300 }, { 89, 322 }, { 78, 326 },
        { 70, 318 }, { 65, 292 }) },
    { "shins", FRONT, true,
      R({ 72, 352 }, { 80, 348 }, { 88, 354 }, { 88, 390 }, { 84, 418 }, { 78, 418 },
        { 72, 388 }) },
    /* Both. */
    { "whole-body", FRONT | BACK, false, NULL, 0, true },
};

bool pl_body_region_known(const char *id)
{
    for (size_t i = 0; i < PL_ARRAY_LEN(regions); i++)
        if (id && strcmp(regions[i].id, id) == 0)
            return true;
    return false;
}

static const struct region *find_region(const char *id)
{
    for (size_t i = 0; i < PL_ARRAY_LEN(regions); i++)
        if (id && strcmp(regions[i].id, id) == 0)
            return &regions[i];
    return NULL;
}

const char *pl__body_region_view(const char *id)
{
    const struct region *r = find_region(id);
    return !r ? NULL : r->whole ? "whole body" : r->views == FRONT ? "front"
         : r->views == BACK ? "back" : "front and back";
}

/* The closed smooth curve through p[0..n), shifted by dx, dy; mirrored
 * about the figure's midline when mirror. */
static void spline(struct pl__svg *s, const struct pt *p, size_t n, double dx, double dy,
                   bool mirror)
{
#define X(i) ((mirror ? FIG_W - p[(i) % n].x : p[(i) % n].x) + dx)
#define Y(i) (p[(i) % n].y + dy)
    pl__svg_add(s, "M%n %n", X(0), Y(0));
    for (size_t i = 0; i < n; i++) {
        size_t a = i + n - 1, b = i, c = i + 1, d = i + 2;
        pl__svg_add(s, "C%n %n %n %n %n %n", X(b) + (X(c) - X(a)) / 6,
                    Y(b) + (Y(c) - Y(a)) / 6, X(c) - (X(d) - X(b)) / 6,
                    Y(c) - (Y(d) - Y(b)) / 6, X(c), Y(c));
    }
    pl__svg_add(s, "Z");
#undef X
#undef Y
}

/* The figure's outline: the left half, then its mirror backwards. */
static void outline(struct pl__svg *s, double dx, double dy)
{
    enum { H = PL_ARRAY_LEN(outline_half) };
    struct pt p[2 * H];
    for (size_t i = 0; i < H; i++) {
        p[i] = outline_half[i];
        p[2 * H - 1 - i] = (struct pt){ FIG_W - outline_half[i].x, outline_half[i].y };
    }
    spline(s, p, 2 * H, dx, dy, false);
}

/* The middle of a region's points (its label goes there). */
static struct pt centre(const struct region *r)
{
    struct pt c = { 0, 0 };
    for (size_t i = 0; i < r->n; i++) {
        c.x += r->pts[i].x;
        c.y += r->pts[i].y;
    }
    c.x /= (double)r->n;
    c.y /= (double)r->n;
    return c;
}

/* Where the figure of a view starts. */
#define PAD 12.0
#define TOP 30.0
#define GAP 48.0
static double view_x(enum view v)
{
    return v == FRONT ? PAD : PAD + FIG_W + GAP;
}

static void figure(struct pl__svg *s, enum view v, const struct pl_body_mark *marks, size_t n)
{
    double dx = view_x(v), dy = TOP;
    pl__svg_add(s, "<g class=\"view\"><text class=\"view-name\" x=\"%n\" y=\"%n\">%s</text>\n",
                dx + MID, dy - 12, v == FRONT ? "Front" : "Back");
    /* The runner's own left and right: facing us on the front, turned away
     * on the back. */
    pl__svg_add(s, "<text class=\"side\" x=\"%n\" y=\"%n\">%s</text>", dx + 8, dy + 12,
                v == FRONT ? "R" : "L");
    pl__svg_add(s, "<text class=\"side\" x=\"%n\" y=\"%n\">%s</text>\n", dx + FIG_W - 8, dy + 12,
                v == FRONT ? "L" : "R");
    /* A whole-body mark tints the figure itself. */
    const char *body = "body";
    for (size_t i = 0; i < n; i++) {
        const struct region *r = find_region(marks[i].region);
        if (r && r->whole)
            body = marks[i].tone == PL_BODY_WARNING ? "body warning" : "body flagged";
    }
    pl__svg_add(s, "<path class=\"%s\" d=\"", body);
    outline(s, dx, dy);
    pl__svg_add(s, "\"/>\n<ellipse class=\"%s\" cx=\"%n\" cy=\"%n\" rx=\"21\" ry=\"26\"/>\n", body,
                dx + MID, dy + 34);
    /* A few landmarks, so that front and back read as such. */
    if (v == FRONT)
        pl__svg_add(s,
                    "<path class=\"mark\" d=\"M%n %nQ%n %n %n %nM%n %nQ%n %n %n %n\"/>"
                    "<circle class=\"mark\" cx=\"%n\" cy=\"%n\" r=\"1.6\"/>"
                    "<ellipse class=\"mark\" cx=\"%n\" cy=\"%n\" rx=\"6\" ry=\"7\"/>"
                    "<ellipse class=\"mark\" cx=\"%n\" cy=\"%n\" rx=\"6\" ry=\"7\"/>\n",
                    dx + 64, dy + 90, dx + 82, dy + 88, dx + 96, dy + 92, dx + 136, dy + 90,
                    dx + 118, dy + 88, dx + 104, dy + 92, dx + MID, dy + 204, dx + 81,
                    dy + 334, dx + FIG_W - 81, dy + 334);
    else
        pl__svg_add(s,
                    "<path class=\"mark\" d=\"M%n %nL%n %nM%n %nL%n %n"
                    "M%n %nQ%n %n %n %nM%n %nQ%n %n %n %n\"/>\n",
                    dx + MID, dy + 86, dx + MID, dy + 226, dx + MID, dy + 232, dx + MID, dy + 256,
                    dx + 70, dy + 104, dx + 70, dy + 136, dx + 88, dy + 140, dx + 130, dy + 104,
                    dx + 130, dy + 136, dx + 112, dy + 140);
    /* The marked regions, warning signs last so that they show on top. */
    for (int tone = PL_BODY_FLAGGED; tone <= PL_BODY_WARNING; tone++)
        for (size_t i = 0; i < n; i++) {
            const struct region *r = find_region(marks[i].region);
            if (!r || r->whole || !(r->views & v) || marks[i].tone != tone)
                continue;
            pl__svg_add(s, "<path class=\"area %s\" d=\"",
                        tone == PL_BODY_WARNING ? "warning" : "flagged");
            spline(s, r->pts, r->n, dx, dy, false);
            if (r->mirrored)
                spline(s, r->pts, r->n, dx, dy, true);
            pl__svg_add(s, "\"><title>%e</title></path>\n",
                        marks[i].label ? marks[i].label : r->id);
        }
    /* Numbers on the marked regions, matching the legend. */
    for (size_t i = 0; i < n; i++) {
        const struct region *r = find_region(marks[i].region);
        if (!r || r->whole || !(r->views & v))
            continue;
        struct pt c = centre(r);
        pl__svg_add(s,
                    "<g class=\"badge %s\"><circle cx=\"%n\" cy=\"%n\" r=\"8.5\"/>"
                    "<text x=\"%n\" y=\"%n\">%d</text></g>\n",
                    marks[i].tone == PL_BODY_WARNING ? "warning" : "flagged", dx + c.x,
                    dy + c.y, dx + c.x, dy + c.y + 3.6, (int)(i + 1));
    }
    pl__svg_add(s, "</g>\n");
}

int pl__body_map(struct pl__svg *s, const struct pl_body_mark *marks, size_t n, bool with_legend)
{
    double W = 2 * PAD + 2 * FIG_W + GAP;
    double legend = !with_legend ? 4 : n ? 18.0 * (double)n + 14 : 22;
    double H = TOP + FIG_H + legend;
    pl__svg_add(s,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"body-map\" "
                "width=\"%n\" height=\"%n\" viewBox=\"0 0 %n %n\" role=\"img\" "
                "aria-labelledby=\"body-map-title\">\n"
                "<title id=\"body-map-title\">Body map: ",
                W, H, W, H);
    if (!n)
        pl__svg_add(s, "nothing flagged");
    for (size_t i = 0; i < n; i++)
        pl__svg_add(s, "%s%e%s", i ? ", " : "", marks[i].label ? marks[i].label : marks[i].region,
                    marks[i].tone == PL_BODY_WARNING ? " (warning sign)" : "");
    pl__svg_add(s,
                "</title>\n<style>\n"
                ".body{fill:#ece8e3;stroke:#9c948b;stroke-width:1.2}\n"
                ".body.flagged{fill:#fde7c2}.body.warning{fill:#f8d0cc}\n"
                ".mark{fill:none;stroke:#b5ada4;stroke-width:1}\n"
                ".area{stroke-width:1.2;fill-opacity:.82}\n"
                ".area.flagged{fill:#f0a23b;stroke:#b86e10}\n"
                ".area.warning{fill:#d93a2f;stroke:#8f1d16}\n"
                ".badge circle{fill:#fff;stroke-width:1.6}\n"
                ".badge.flagged circle{stroke:#b86e10}.badge.warning circle{stroke:#8f1d16}\n"
                ".badge text{font:700 10px system-ui,sans-serif;text-anchor:middle;fill:#222}\n"
                ".view-name{font:600 13px system-ui,sans-serif;text-anchor:middle;fill:#444}\n"
                ".side{font:11px system-ui,sans-serif;text-anchor:middle;fill:#8a8279}\n"
                ".legend{font:12px system-ui,sans-serif;fill:#222}\n"
                ".legend .off{fill:#777;font-style:italic}\n"
                "</style>\n");
    figure(s, FRONT, marks, n);
    figure(s, BACK, marks, n);
    if (!with_legend) {
        pl__svg_add(s, "</svg>\n");
        return s->err;
    }
    double y = TOP + FIG_H + 6;
    pl__svg_add(s, "<g class=\"legend\">\n");
    if (!n)
        pl__svg_add(s, "<text x=\"%n\" y=\"%n\">Nothing flagged.</text>\n", PAD, y + 12);
    for (size_t i = 0; i < n; i++, y += 18) {
        const char *where = pl__body_region_view(marks[i].region);
        pl__svg_add(s,
                    "<g class=\"badge %s\"><circle cx=\"%n\" cy=\"%n\" r=\"7.5\"/>"
                    "<text x=\"%n\" y=\"%n\">%d</text></g>",
                    marks[i].tone == PL_BODY_WARNING ? "warning" : "flagged", PAD + 8, y + 8,
                    PAD + 8, y + 11.6, (int)(i + 1));
        pl__svg_add(s, "<text x=\"%n\" y=\"%n\">%e", PAD + 22, y + 12,
                    marks[i].label ? marks[i].label : marks[i].region);
        if (marks[i].tone == PL_BODY_WARNING)
            pl__svg_add(s, " \xe2\x80\x94 warning sign: no massage here");
        if (where)
            pl__svg_add(s, " <tspan class=\"off\">(%s)</tspan>", where);
        else
            pl__svg_add(s, " <tspan class=\"off\">(not on the map)</tspan>");
        pl__svg_add(s, "</text>\n");
    }
    pl__svg_add(s, "</g>\n</svg>\n");
    return s->err;
}

int pl_body_map_svg(const struct pl_body_mark *marks, size_t n, char **svg, size_t *len,
                    struct pl_diag *diag)
{
    *svg = NULL;
    *len = 0;
    if (n > PL_BODY_MARKS_MAX || (n && !marks))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "%zu marks on a body map: at most %d", n,
                        PL_BODY_MARKS_MAX);
    for (size_t i = 0; i < n; i++)
        if (!marks[i].region ||
            (marks[i].tone != PL_BODY_FLAGGED && marks[i].tone != PL_BODY_WARNING))
            return pl__diag(diag, PL_EINVAL, UINT64_MAX,
                            "body map mark %zu: no region, or a tone that is not "
                            "flagged or warning", i + 1);
    struct pl__svg s;
    pl__svg_init(&s, PL_SVG_BYTES_MAX);
    pl__svg_add(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    pl__body_map(&s, marks, n, true);
    int rc = pl__svg_finish(&s, svg, len);
    if (rc)
        return pl__diag(diag, rc, UINT64_MAX, "cannot draw the body map: %s",
                        rc == PL_ENOMEM ? "out of memory" : "too large");
    return PL_OK;
}
