/*
 * protocol.c - recovery protocols as data: a YAML file read into an
 * immutable struct pl_protocol (pliant.h, "Protocols"; the format:
 * docs/formats.md, "Protocol files").
 *
 * Reading is two passes. The first turns libyaml's events into a tree of
 * struct pl_node, with every limit of lib/base/pl_limits.h checked as the
 * events arrive (bytes, depth, nodes, list lengths, text lengths), and
 * anchors, aliases and tags refused: an alias is kept as a reference in
 * libyaml's own document loader, which a naive walk would expand
 * exponentially, so we never build one. The second pass walks the tree
 * against the grammar and builds the protocol, collecting every error
 * with its line:column instead of stopping at the first, so that a person
 * fixing a file sees all that is wrong in one go. Only a YAML syntax error
 * or a limit stops the first pass: after one, nothing that follows can be
 * trusted.
 *
 * Everything a protocol holds (the tree, the strings, the arrays) lives in
 * one arena, freed at once by pl_protocol_free(). libyaml allocates with
 * the C library's malloc, not our hooks; what it holds is bounded by the
 * document's size and freed before we return.
 *
 * The reader is three files: this one (errors, loading, built-ins,
 * accessors), protocol-yaml.c (the first pass) and protocol-grammar.c (the
 * second), sharing recovery/protocol-load.h; the arena is lib/base/arena.c.
 *
 * Not here: dates, activities, the plan. The planner reads a protocol
 * through the accessors; the one piece of timing logic that belongs to the
 * protocol itself (does a constraint forbid this routine at this time?) is
 * pl_constraint_allows().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "recovery/protocol-load.h"

/* The default protocol, embedded at build time (Makefile, tools/embed.sh). */
extern const unsigned char pl__protocol_hamstrings[];
extern const size_t pl__protocol_hamstrings_len;

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

void pl__proto_verr_at(struct ld *ld, int code, uint32_t line, uint32_t col, uint64_t off,
                       const char *fmt, va_list ap)
{
    if (code == PL_ELIMIT)
        ld->code = PL_ELIMIT;
    else if (!ld->code)
        ld->code = PL_EFORMAT;
    if (ld->nerrs >= PL_PROTOCOL_ERRORS_MAX) {
        ld->nmore++;
        return;
    }
    if (!ld->errs) {
        ld->errs = pl__malloc_array(PL_PROTOCOL_ERRORS_MAX + 1, sizeof *ld->errs);
        if (!ld->errs) {
            ld->nomem = true;
            return;
        }
    }
    struct pl_diag *d = &ld->errs[ld->nerrs++];
    pl_diag_clear(d);
    d->code = code;
    d->line = line;
    d->col = col;
    d->offset = off;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

void pl__proto_err_at(struct ld *ld, int code, uint32_t line, uint32_t col, uint64_t off,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pl__proto_verr_at(ld, code, line, col, off, fmt, ap);
    va_end(ap);
}

/* A grammar error at a node. */
void pl__proto_err(struct ld *ld, const struct pl_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pl__proto_verr_at(ld, PL_EFORMAT, at ? at->line : 0, at ? at->col : 0, UINT64_MAX, fmt, ap);
    va_end(ap);
}

/* Text from the file, quoted in a message: at most 40 bytes, cut at a
 * character boundary, control characters shown as '?'. */
const char *pl__proto_quote(const char *s, char *buf, size_t n)
{
    size_t len = strlen(s), max = n > 44 ? 40 : n - 4, o = 0;
    bool cut = len > max;
    if (cut) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++)
        buf[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i];
    if (cut)
        o += (size_t)snprintf(buf + o, n - o, "...");
    buf[o] = '\0';
    return buf;
}

const char *pl__proto_node_what(const struct pl_node *n)
{
    switch (n->kind) {
    case PL_NODE_SEQ: return "a list";
    case PL_NODE_MAP: return "a mapping";
    case PL_NODE_SCALAR: return n->text[0] ? "text" : "nothing";
    default: return "nothing";
    }
}

/* "a, b, c" of names[1..n) that are not NULL, into buf. */
const char *pl__proto_join(const char *const *names, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        int w = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= cap - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

static int cmp_diag(const void *x, const void *y)
{
    const struct pl_diag *a = x, *b = y;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

void pl_protocol_free(struct pl_protocol *p)
{
    if (!p)
        return;
    pl__arena_release(&p->arena);
    pl__free(p);
}

int pl_protocol_parse(const void *buf, size_t n, struct pl_protocol **out,
                      void (*on_error)(void *ctx, const struct pl_diag *e), void *ctx,
                      struct pl_diag *diag)
{
    pl_diag_clear(diag);
    if (!out || (!buf && n > 0))
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no protocol to read");
    *out = NULL;
    if (n > PL_PROTOCOL_BYTES_MAX) {
        struct pl_diag e;
        pl__diag(&e, PL_ELIMIT, UINT64_MAX, "a protocol file of %zu bytes: at most %u are read",
                 n, PL_PROTOCOL_BYTES_MAX);
        if (on_error)
            on_error(ctx, &e);
        if (diag)
            *diag = e;
        return PL_ELIMIT;
    }
    struct pl_protocol *p = pl__calloc(1, sizeof *p);
    if (!p)
        return pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory loading a protocol");
    p->id = p->title = p->safety_note = "";
    struct ld ld = { .p = p, .a = &p->arena, .src = buf, .n = n };
    struct pl_node *root;
    pl__proto_build_tree(&ld, &root);
    if (!ld.fatal && !ld.nomem)
        pl__proto_load_root(&ld, root);
    if (p->arena.failed)
        ld.nomem = true;

    int rc = 0;
    if (ld.nomem) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory loading a protocol");
    } else if (ld.nerrs > 0 || ld.nmore > 0) {
        rc = ld.code ? ld.code : PL_EFORMAT;
        /* In file order: a person reads them top to bottom. (The grammar
         * pass visits areas before routines before rules, whatever the
         * file's order.) qsort is not stable; equal places keep the
         * order of their messages' first difference, which is fine. */
        qsort(ld.errs, ld.nerrs, sizeof *ld.errs, cmp_diag);
        if (ld.nmore > 0) {
            struct pl_diag *d = &ld.errs[ld.nerrs++];
            pl_diag_clear(d);
            d->code = PL_ELIMIT;
            snprintf(d->msg, sizeof d->msg, "%zu more errors not shown (at most %d are)",
                     ld.nmore, PL_PROTOCOL_ERRORS_MAX);
        }
        for (size_t i = 0; on_error && i < ld.nerrs; i++)
            on_error(ctx, &ld.errs[i]);
        if (diag)
            *diag = ld.errs[0];
    }
    pl__free(ld.errs);
    if (rc) {
        pl_protocol_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int pl_protocol_load_file(const char *path, struct pl_protocol **out,
                          void (*on_error)(void *ctx, const struct pl_diag *e), void *ctx,
                          struct pl_diag *diag)
{
    pl_diag_clear(diag);
    if (out)
        *out = NULL;
    if (!path || !out)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no protocol file named");
    FILE *f = fopen(path, "rb");
    if (!f)
        return pl__diag(diag, PL_EIO, UINT64_MAX, "%s", strerror(errno));
    /* One byte more than the limit tells a file that is too large. */
    size_t cap = PL_PROTOCOL_BYTES_MAX + 1, len = 0;
    unsigned char *buf = pl__malloc(cap);
    int rc = 0;
    if (!buf) {
        rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory reading a protocol");
        goto out;
    }
    len = fread(buf, 1, cap, f);
    if (ferror(f)) {
        rc = pl__diag(diag, PL_EIO, UINT64_MAX, "read error");
        goto out;
    }
    if (len > PL_PROTOCOL_BYTES_MAX) {
        struct pl_diag e;
        pl__diag(&e, PL_ELIMIT, UINT64_MAX, "larger than %u bytes: not a protocol file",
                 PL_PROTOCOL_BYTES_MAX);
        if (on_error)
            on_error(ctx, &e);
        if (diag)
            *diag = e;
        rc = PL_ELIMIT;
        goto out;
    }
    rc = pl_protocol_parse(buf, len, out, on_error, ctx, diag);
out:
    pl__free(buf);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Built-in protocols                                                   */
/* ------------------------------------------------------------------ */

static const struct {
    const char *name;
    const unsigned char *yaml;
    const size_t *len;
} builtins[] = {
    { "hamstrings", pl__protocol_hamstrings, &pl__protocol_hamstrings_len },
};

const char *pl_protocol_builtin_name(size_t i)
{
    return i < PL_ARRAY_LEN(builtins) ? builtins[i].name : NULL;
}

const char *pl_protocol_builtin_yaml(const char *name, size_t *n)
{
    for (size_t i = 0; name && i < PL_ARRAY_LEN(builtins); i++)
        if (strcmp(builtins[i].name, name) == 0) {
            if (n)
                *n = *builtins[i].len;
            return (const char *)builtins[i].yaml;
        }
    if (n)
        *n = 0;
    return NULL;
}

int pl_protocol_builtin(const char *name, struct pl_protocol **out, struct pl_diag *diag)
{
    pl_diag_clear(diag);
    if (out)
        *out = NULL;
    if (!name)
        name = builtins[0].name;
    size_t n;
    const char *yaml = pl_protocol_builtin_yaml(name, &n);
    if (!yaml) {
        char q[48];
        return pl__diag(diag, PL_ENOTFOUND, UINT64_MAX, "no built-in protocol '%s'",
                        pl__proto_quote(name, q, sizeof q));
    }
    return pl_protocol_parse(yaml, n, out, NULL, NULL, diag);
}

const struct pl_area *pl__proto_find_area(const struct pl_protocol *p, const char *id)
{
    for (size_t i = 0; i < p->nareas; i++)
        if (strcmp(p->areas[i].id, id) == 0)
            return &p->areas[i];
    return NULL;
}

const struct pl_routine *pl__proto_find_routine(const struct pl_protocol *p, const char *id)
{
    for (size_t i = 0; i < p->nroutines; i++)
        if (strcmp(p->routines[i].id, id) == 0)
            return &p->routines[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                            */
/* ------------------------------------------------------------------ */

const char *pl_protocol_id(const struct pl_protocol *p) { return p->id; }
const char *pl_protocol_title(const struct pl_protocol *p) { return p->title; }
const char *pl_protocol_safety_note(const struct pl_protocol *p) { return p->safety_note; }

size_t pl_protocol_area_count(const struct pl_protocol *p) { return p->nareas; }
const struct pl_area *pl_protocol_area(const struct pl_protocol *p, size_t i)
{
    return i < p->nareas ? &p->areas[i] : NULL;
}
const struct pl_area *pl_protocol_area_find(const struct pl_protocol *p, const char *id)
{
    return id ? pl__proto_find_area(p, id) : NULL;
}

size_t pl_protocol_routine_count(const struct pl_protocol *p) { return p->nroutines; }
const struct pl_routine *pl_protocol_routine(const struct pl_protocol *p, size_t i)
{
    return i < p->nroutines ? &p->routines[i] : NULL;
}
const struct pl_routine *pl_protocol_routine_find(const struct pl_protocol *p, const char *id)
{
    return id ? pl__proto_find_routine(p, id) : NULL;
}

size_t pl_protocol_rule_count(const struct pl_protocol *p) { return p->nrules; }
const struct pl_rule *pl_protocol_rule(const struct pl_protocol *p, size_t i)
{
    return i < p->nrules ? &p->rules[i] : NULL;
}
const struct pl_rule *pl_protocol_rule_find(const struct pl_protocol *p, const char *id)
{
    for (size_t i = 0; id && i < p->nrules; i++)
        if (strcmp(p->rules[i].id, id) == 0)
            return &p->rules[i];
    return NULL;
}

size_t pl_protocol_constraint_count(const struct pl_protocol *p) { return p->nconstraints; }
const struct pl_constraint *pl_protocol_constraint(const struct pl_protocol *p, size_t i)
{
    return i < p->nconstraints ? &p->constraints[i] : NULL;
}

size_t pl_protocol_red_flag_count(const struct pl_protocol *p) { return p->nflags; }
const struct pl_red_flag *pl_protocol_red_flag(const struct pl_protocol *p, size_t i)
{
    return i < p->nflags ? &p->flags[i] : NULL;
}

const struct pl_node *pl_protocol_screening(const struct pl_protocol *p) { return p->screening; }

static bool in_covers(const char *const *c, size_t n, const char *item)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i], item) == 0)
            return true;
    return false;
}

bool pl_protocol_covers(const struct pl_protocol *p, const char *item)
{
    if (!p || !item)
        return false;
    for (size_t i = 0; i < p->nroutines; i++)
        if (in_covers(p->routines[i].covers, p->routines[i].ncovers, item))
            return true;
    for (size_t i = 0; i < p->nrules; i++) {
        const struct pl_rule *r = &p->rules[i];
        if (in_covers(r->covers, r->ncovers, item))
            return true;
        for (size_t j = 0; j < r->nconstraints; j++)
            if (in_covers(r->constraints[j].covers, r->constraints[j].ncovers, item))
                return true;
    }
    for (size_t i = 0; i < p->nconstraints; i++)
        if (in_covers(p->constraints[i].covers, p->constraints[i].ncovers, item))
            return true;
    return false;
}

/* a + b, held within int64_t. */
static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

bool pl_constraint_allows(const struct pl_constraint *c, const struct pl_routine *r, int64_t t_s,
                          int64_t event_start_s, int64_t event_end_s)
{
    if (!c || !r)
        return true;
    bool named = r->kind < 32 && (c->kinds & (1u << r->kind));
    for (size_t i = 0; i < c->nroutines && !named; i++)
        named = c->routines[i] == r;
    if (!named)
        return true;
    int64_t lo, hi;
    if (c->avoid == PL_AVOID_BEFORE) {
        lo = sat_add(event_start_s, -(int64_t)c->within_s);
        hi = event_start_s;
    } else {
        lo = event_end_s;
        hi = sat_add(event_end_s, c->within_s);
    }
    int64_t end = sat_add(t_s, r->duration_s);
    /* Overlap of [t, end] with the open span (lo, hi): touching an end is
     * allowed (ending exactly 24 h before a race is fine). */
    return !(t_s < hi && end > lo);
}
