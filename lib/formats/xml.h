/*
 * xml.h - a small streaming XML reader over expat (private to libpliant).
 *
 * Elements and attributes are reported by local name (any namespace
 * prefix cut, so "gpxtpx:hr", "ns3:hr" and "hr" are the same); nesting is
 * capped at PL_XML_DEPTH_MAX, an element's text at PL_XML_TEXT_BYTES_MAX
 * and one unfinished token at PL_XML_TOKEN_BYTES_MAX; a DOCTYPE is refused
 * (so no entity can be declared, let alone expanded). Errors carry
 * line:column. All memory, expat's too, goes through pl__malloc.
 */
#ifndef PL_XML_H
#define PL_XML_H

#include "activity/activity.h"

/* A parser that starts with no format: the first (root) element picks one
 * through choose(), which returns the format reader or NULL (then the
 * document is refused with the code *rc, or PL_EUNSUPPORTED when *rc is
 * 0). line0/col0: where the first byte fed sits in the file (1, 1 unless
 * the caller skipped leading blanks). NULL when out of memory. */
struct pl__xml *pl__xml_new(struct pl__xml_format *(*choose)(void *ctx,
                                                            const char *root,
                                                            int *rc),
                            void *choose_ctx, uint32_t line0, uint32_t col0);
/* Parse more bytes; last = true for the final call (n may be 0). 0 or an
 * error with diag->line/col set; the parser stays in error. */
int pl__xml_feed(struct pl__xml *x, const void *buf, size_t n, bool last,
                 struct pl_diag *diag);
/* The format reader chosen (NULL before the root element). */
struct pl__xml_format *pl__xml_format(struct pl__xml *x);
/* Frees the format reader too. NULL is fine. */
void pl__xml_free(struct pl__xml *x);

/* From an on_start callback: deliver this element's text to on_end. */
void pl__xml_collect(struct pl__xml *x);
/* From a callback: stop with an error at the current line:column. */
void pl__xml_fail(struct pl__xml *x, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* From a callback: a warning at the current line:column. */
void pl__xml_warn(struct pl__xml *x, struct pl__emit *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Depth of the current element (the root is 1). */
unsigned pl__xml_depth(const struct pl__xml *x);
/* Current position in the file. */
void pl__xml_where(const struct pl__xml *x, uint32_t *line, uint32_t *col);

/* The value of attribute `name` (local name) or NULL. */
const char *pl__xml_attr(const char **attrs, const char *name);

#endif
