/*
 * svg.h - a small SVG writer inside libpliant (pl__ prefix; not installed).
 *
 * Charts (lib/render/svg.c) and, later, body maps build their markup with it. It
 * appends to one growable buffer with a byte limit; errors are sticky, so a
 * caller checks once, at pl__svg_finish(). Numbers are formatted without
 * the C locale's help (a caller's setlocale() cannot put commas into
 * coordinates), and text is escaped for XML on the way in.
 */
#ifndef PL_SVG_H
#define PL_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/internal.h"

struct pl__svg {
    char *p;
    size_t n, cap, max;
    int err;              /* 0, PL_ENOMEM or PL_ELIMIT; sticky */
};

/* An empty writer that will hold at most bytes_max bytes. */
void pl__svg_init(struct pl__svg *s, size_t bytes_max);
/* Free what the writer holds (after a failure, or instead of finish). */
void pl__svg_release(struct pl__svg *s);

/*
 * Append markup built from fmt, printf-like but with its own conversions:
 *   %s  a string copied as is (markup the caller wrote: trusted)
 *   %e  a string escaped as XML text or attribute value (anything: names,
 *       reasons, titles); invalid UTF-8 and characters XML 1.0 forbids
 *       become U+FFFD
 *   %n  a double as a coordinate: at most 2 decimals, no trailing zeros,
 *       "0" for NaN and infinities (callers skip those points)
 *   %d  an int
 *   %%  a percent sign
 */
void pl__svg_add(struct pl__svg *s, const char *fmt, ...);

/* Append n bytes of text, escaped (%e without a NUL at the end). */
void pl__svg_esc(struct pl__svg *s, const char *text, size_t n);

/* Hand the document to the caller: *out is NUL-terminated, n bytes long
 * (NUL excluded), allocated through the library's hooks (pl_free()). On
 * the sticky error, nothing is handed over and the buffer is freed. */
int pl__svg_finish(struct pl__svg *s, char **out, size_t *n);

/* The escaping of %e into buf (size cap, NUL-terminated, cut at a
 * character boundary); returns the length written. For tests and for
 * callers that build attributes themselves. */
size_t pl__svg_escape(char *buf, size_t cap, const char *text, size_t n);

/* The body map (lib/render/bodymap.c) as an <svg> element, without the XML
 * declaration, for documents that inline it (and name the marks
 * themselves: with_legend false); the sticky error. */
struct pl_body_mark;
int pl__body_map(struct pl__svg *s, const struct pl_body_mark *marks, size_t n,
                 bool with_legend);
/* Where a region shows: "front", "back", "front and back", "whole body";
 * NULL for a region the map does not have. */
const char *pl__body_region_view(const char *id);

#endif
