/*
 * protocol-load.h - what the three files of the protocol reader share
 * (private to lib/recovery/): protocol.c (errors, loading, built-ins,
 * accessors), protocol-yaml.c (the first pass: YAML events to a tree) and
 * protocol-grammar.c (the second pass: the tree against the grammar).
 * protocol.c opens with the design.
 */
#ifndef PL_PROTOCOL_LOAD_H
#define PL_PROTOCOL_LOAD_H

#include "base/arena.h"
#include "base/internal.h"

/* The grammar's version; a file may say `format: 1`. */
#define FORMAT_VERSION 1

struct pl_protocol {
    struct pl__arena arena;
    const char *id, *title, *safety_note;
    size_t nareas, nroutines, nrules, nconstraints, nflags;
    struct pl_area *areas;
    struct pl_routine *routines;
    struct pl_rule *rules;
    struct pl_constraint *constraints;
    struct pl_red_flag *flags;
    const struct pl_node *screening;
};

/* One load in progress. */
struct ld {
    struct pl_protocol *p;
    struct pl__arena *a;
    const unsigned char *src;
    size_t n;
    struct pl_diag *errs;   /* the first PL_PROTOCOL_ERRORS_MAX */
    size_t nerrs;
    size_t nmore;           /* errors beyond those */
    bool nomem;
    bool fatal;             /* the first pass stopped */
    uint32_t end_line, end_col;   /* where the input ends (end_pos) */
    int code;               /* PL_EFORMAT, or PL_ELIMIT when a limit stopped
                               the reading */
};

/* kind 0 marks a node whose error was reported already: the grammar pass
 * skips it without a second message. */
#define NODE_BAD 0

/* Errors, collected with their line:column (the first
 * PL_PROTOCOL_ERRORS_MAX; the rest counted). */
void pl__proto_verr_at(struct ld *ld, int code, uint32_t line, uint32_t col, uint64_t off,
                       const char *fmt, va_list ap);
void pl__proto_err_at(struct ld *ld, int code, uint32_t line, uint32_t col, uint64_t off,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A grammar error at a node. */
void pl__proto_err(struct ld *ld, const struct pl_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Text from the file, quoted in a message: at most 40 bytes, cut at a
 * character boundary, control characters shown as '?'. */
const char *pl__proto_quote(const char *s, char *buf, size_t n);
/* "a list", "a mapping", "text" or "nothing". */
const char *pl__proto_node_what(const struct pl_node *n);
/* "a, b, c" of names[0..n) that are not NULL, into buf. */
const char *pl__proto_join(const char *const *names, size_t n, char *buf, size_t cap);

/* An area or routine of p by id, or NULL. */
const struct pl_area *pl__proto_find_area(const struct pl_protocol *p, const char *id);
const struct pl_routine *pl__proto_find_routine(const struct pl_protocol *p, const char *id);

/* The first pass (protocol-yaml.c): ld->src as a tree in ld->p's arena,
 * or errors in ld (ld->fatal when nothing after them can be trusted). */
void pl__proto_build_tree(struct ld *ld, struct pl_node **root);
/* The second pass (protocol-grammar.c): the tree into ld->p. */
void pl__proto_load_root(struct ld *ld, const struct pl_node *root);

#endif
