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
 * Not here: dates, activities, the plan. The planner reads a protocol
 * through the accessors; the one piece of timing logic that belongs to the
 * protocol itself (does a constraint forbid this routine at this time?) is
 * pl_constraint_allows().
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/internal.h"

/* The default protocol, embedded at build time (Makefile, tools/embed.sh). */
extern const unsigned char pl__protocol_hamstrings[];
extern const size_t pl__protocol_hamstrings_len;

/* The grammar's version; a file may say `format: 1`. */
#define FORMAT_VERSION 1

/* ------------------------------------------------------------------ */
/* Arena                                                                */
/* ------------------------------------------------------------------ */

/* Bump allocation in chunks; a block larger than a chunk gets one of its
 * own. Never frees one block: the whole arena goes at once.
 *
 * Under AddressSanitizer every block is a chunk of its own, of exactly the
 * size asked, so that a write past a block lands in a redzone and is
 * reported (in a shared chunk it would land in the next block, unseen):
 * the fuzzer and make check run that way. */
#define CHUNK_BYTES 16384
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EXACT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EXACT 1
#endif
#endif

struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct chunk *head;
    bool failed;            /* an allocation failed: the load fails */
};

static void *arena_alloc(struct arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    if (n > SIZE_MAX / 2) {
        a->failed = true;
        return NULL;
    }
#ifdef ARENA_EXACT
    struct chunk *x = pl__malloc(sizeof *x + n);
    if (!x) {
        a->failed = true;
        return NULL;
    }
    x->cap = x->used = n;
    x->next = a->head;
    a->head = x;
    return x->data;
#endif
    n = (n + al - 1) / al * al;
    if (n == 0)
        n = al;
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES / 2 ? n : CHUNK_BYTES;
        c = pl__malloc(sizeof *c + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        /* A large block's chunk goes behind the current one, so that the
         * current one's free space is not lost. */
        if (a->head && cap != CHUNK_BYTES) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (unsigned char *)c->data + c->used;
    c->used += n;
    return p;
}

static void *arena_array(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / 2 / size) {
        a->failed = true;
        return NULL;
    }
    void *p = arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void arena_release(struct arena *a)
{
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        pl__free(c);
        c = next;
    }
    a->head = NULL;
}

/* ------------------------------------------------------------------ */
/* The protocol                                                         */
/* ------------------------------------------------------------------ */

struct pl_protocol {
    struct arena arena;
    const char *id, *title, *safety_note;
    size_t nareas, nroutines, nrules, nconstraints, nflags;
    struct pl_area *areas;
    struct pl_routine *routines;
    struct pl_rule *rules;
    struct pl_constraint *constraints;
    struct pl_red_flag *flags;
    const struct pl_node *screening;
};

/* Names as the file spells them; index = enum value. */
static const char *const kind_names[PL_ROUTINE_KIND_COUNT_] = {
    [PL_ROUTINE_MASSAGE] = "massage",     [PL_ROUTINE_SELF_MASSAGE] = "self-massage",
    [PL_ROUTINE_HEAT] = "heat",           [PL_ROUTINE_HYDRATION] = "hydration",
    [PL_ROUTINE_NUTRITION] = "nutrition", [PL_ROUTINE_MOBILITY] = "mobility",
    [PL_ROUTINE_STRENGTH] = "strength",   [PL_ROUTINE_CHECK] = "check",
};
static const char *const trigger_names[PL_TRIGGER_COUNT_] = {
    [PL_TRIGGER_HARD_SESSION] = "hard-session",
    [PL_TRIGGER_RACE] = "race",
    [PL_TRIGGER_TRAVEL] = "travel",
    [PL_TRIGGER_EVENING_RUN] = "evening-run",
    [PL_TRIGGER_EVERY_DAY] = "every-day",
    [PL_TRIGGER_REST_DAY] = "rest-day",
    [PL_TRIGGER_RECOVERY_NEEDED] = "recovery-needed",
    [PL_TRIGGER_SCREENING_RESULT] = "screening-result",
};
static const char *const at_names[PL_AT_COUNT_] = {
    [PL_AT_THEN] = "then",
    [PL_AT_AFTER] = "after",
    [PL_AT_BEFORE] = "before",
    [PL_AT_SAME_DAY] = "same-day",
    [PL_AT_NEXT_MORNING] = "next-morning",
    [PL_AT_TWICE_DAILY] = "twice-daily",
    [PL_AT_DAYS_LATER] = "days-later",
};
static const char *const avoid_names[] = {
    [PL_AVOID_BEFORE] = "before",
    [PL_AVOID_AFTER] = "after",
};

static const char *name_of(const char *const *names, size_t n, int v)
{
    return v > 0 && (size_t)v < n ? names[v] : NULL;
}

static int parse_name(const char *const *names, size_t n, const char *s)
{
    if (!s)
        return -1;
    for (size_t i = 1; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

const char *pl_routine_kind_name(int kind)
{
    return name_of(kind_names, PL_ARRAY_LEN(kind_names), kind);
}

int pl_routine_kind_parse(const char *name)
{
    return parse_name(kind_names, PL_ARRAY_LEN(kind_names), name);
}

const char *pl_trigger_name(int trigger)
{
    return name_of(trigger_names, PL_ARRAY_LEN(trigger_names), trigger);
}

int pl_trigger_parse(const char *name)
{
    return parse_name(trigger_names, PL_ARRAY_LEN(trigger_names), name);
}

bool pl_trigger_is_event(int trigger)
{
    return trigger >= PL_TRIGGER_HARD_SESSION && trigger <= PL_TRIGGER_EVENING_RUN;
}

const char *pl_timing_at_name(int at)
{
    return name_of(at_names, PL_ARRAY_LEN(at_names), at);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* One load in progress. */
struct ld {
    struct pl_protocol *p;
    struct arena *a;
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

static void verr_at(struct ld *ld, int code, uint32_t line, uint32_t col, uint64_t off,
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

__attribute__((format(printf, 6, 7))) static void
err_at(struct ld *ld, int code, uint32_t line, uint32_t col, uint64_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_at(ld, code, line, col, off, fmt, ap);
    va_end(ap);
}

/* A grammar error at a node. */
__attribute__((format(printf, 3, 4))) static void
err(struct ld *ld, const struct pl_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_at(ld, PL_EFORMAT, at ? at->line : 0, at ? at->col : 0, UINT64_MAX, fmt, ap);
    va_end(ap);
}

/* Text from the file, quoted in a message: at most 40 bytes, cut at a
 * character boundary, control characters shown as '?'. */
static const char *quote(const char *s, char *buf, size_t n)
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

static const char *node_what(const struct pl_node *n)
{
    switch (n->kind) {
    case PL_NODE_SEQ: return "a list";
    case PL_NODE_MAP: return "a mapping";
    case PL_NODE_SCALAR: return n->text[0] ? "text" : "nothing";
    default: return "nothing";
    }
}

/* "a, b, c" of names[1..n) that are not NULL, into buf. */
static const char *join(const char *const *names, size_t n, char *buf, size_t cap)
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
/* First pass: YAML events to a tree                                    */
/* ------------------------------------------------------------------ */

/* kind 0 marks a node whose error was reported already: the grammar pass
 * skips it without a second message. */
#define NODE_BAD 0

/* An open collection. */
struct frame {
    struct pl_node node;    /* the collection itself (items filled at
                               its end) */
    struct pl_node *items, *keys;
    size_t n, cap;
    bool want_key;          /* a mapping whose next node is a key */
};

struct builder {
    struct ld *ld;
    struct frame stack[PL_PROTOCOL_DEPTH_MAX];
    size_t depth;
    size_t nodes;
    struct pl_node *root;
    bool stop;
};

/* A libyaml mark as 1-based line and column. At the end of a file without
 * a final line break, libyaml puts its mark on a line after the last one
 * (an empty value there, or an error); such a place is reported where the
 * file ends instead, a place an editor can show. */
static void pos_of(const struct ld *ld, const yaml_mark_t *m, uint32_t *line, uint32_t *col)
{
    *line = m->line + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(m->line + 1);
    *col = m->column + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(m->column + 1);
    if (*line > ld->end_line || (*line == ld->end_line && *col > ld->end_col)) {
        *line = ld->end_line;
        *col = ld->end_col;
    }
}

/* A fatal error of the first pass. */
__attribute__((format(printf, 4, 5))) static void
stop_at(struct builder *b, int code, const yaml_mark_t *m, const char *fmt, ...)
{
    uint32_t line, col;
    pos_of(b->ld, m, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    verr_at(b->ld, code, line, col, m->index, fmt, ap);
    va_end(ap);
    b->stop = true;
    b->ld->fatal = true;
}

/* Room for one more node in f (and its key, in a mapping): false after
 * a stop (too many, or no memory). */
static bool make_room(struct builder *b, struct frame *f, const yaml_mark_t *m)
{
    bool map = f->node.kind == PL_NODE_MAP;
    if (f->n >= PL_PROTOCOL_LIST_MAX) {
        stop_at(b, PL_ELIMIT, m, "more than %d %s", PL_PROTOCOL_LIST_MAX,
                map ? "keys in one mapping" : "items in one list");
        return false;
    }
    if (f->n < f->cap)
        return true;
    size_t cap = f->cap ? f->cap * 2 : 8;
    struct pl_node *v = pl__realloc(f->items, cap * sizeof *v);
    if (v)
        f->items = v;
    struct pl_node *k = v && map ? pl__realloc(f->keys, cap * sizeof *k) : NULL;
    if (k)
        f->keys = k;
    if (!v || (map && !k)) {
        b->ld->nomem = b->stop = true;
        return false;
    }
    f->cap = cap;
    return true;
}

/* Add a finished node to the open collection (or make it the root). */
static void add_node(struct builder *b, const struct pl_node *node, const yaml_mark_t *m)
{
    if (b->depth == 0) {
        b->root = arena_alloc(b->ld->a, sizeof *b->root);
        if (b->root)
            *b->root = *node;
        return;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (f->node.kind == PL_NODE_MAP && f->want_key) {
        if (!make_room(b, f, m))
            return;
        f->keys[f->n] = *node;
        f->want_key = false;
        return;
    }
    if (f->node.kind == PL_NODE_MAP) {
        f->items[f->n++] = *node;
        f->want_key = true;
        return;
    }
    if (make_room(b, f, m))
        f->items[f->n++] = *node;
}

/* Keys by text, then by place: the array is in file order, so comparing
 * addresses keeps equal texts in the order they were written. */
static int cmp_key(const void *x, const void *y)
{
    const struct pl_node *a = *(const struct pl_node *const *)x;
    const struct pl_node *b = *(const struct pl_node *const *)y;
    const char *ta = a->kind == PL_NODE_SCALAR ? a->text : "";
    const char *tb = b->kind == PL_NODE_SCALAR ? b->text : "";
    int c = strcmp(ta, tb);
    return c ? c : (a > b) - (a < b);
}

/* Duplicate keys of a mapping, found by sorting (a hostile mapping of
 * PL_PROTOCOL_LIST_MAX keys costs n log n, not n^2). The later of two
 * equal keys is reported and its value marked bad; lookups find the first
 * anyway. */
static void check_duplicates(struct builder *b, struct frame *f)
{
    if (f->n < 2)
        return;
    const struct pl_node **ix = pl__malloc_array(f->n, sizeof *ix);
    if (!ix) {
        b->ld->nomem = b->stop = true;
        return;
    }
    for (size_t i = 0; i < f->n; i++)
        ix[i] = &f->keys[i];
    qsort(ix, f->n, sizeof *ix, cmp_key);
    const struct pl_node *first = ix[0];
    for (size_t i = 1; i < f->n; i++) {
        const struct pl_node *k = ix[i];
        if (k->kind != PL_NODE_SCALAR || first->kind != PL_NODE_SCALAR ||
            strcmp(first->text, k->text) != 0) {
            first = k;
            continue;
        }
        char q[48];
        err(b->ld, k, "key '%s' appears twice in this mapping (first at %u:%u)",
            quote(k->text, q, sizeof q), (unsigned)first->line, (unsigned)first->col);
        f->items[k - f->keys].kind = NODE_BAD;
    }
    pl__free(ix);
}

static void end_collection(struct builder *b, const yaml_mark_t *m)
{
    struct frame *f = &b->stack[b->depth - 1];
    struct pl_node node = f->node;
    if (node.kind == PL_NODE_MAP)
        check_duplicates(b, f);
    node.n = f->n;
    if (f->n > 0 && !b->stop) {
        struct pl_node *items = arena_array(b->ld->a, f->n, sizeof *items);
        struct pl_node *keys = node.kind == PL_NODE_MAP ? arena_array(b->ld->a, f->n, sizeof *keys) : NULL;
        if (items)
            memcpy(items, f->items, f->n * sizeof *items);
        if (keys)
            memcpy(keys, f->keys, f->n * sizeof *keys);
        node.items = items;
        node.keys = keys;
        if (!items || (node.kind == PL_NODE_MAP && !keys))
            b->stop = true;
    }
    pl__free(f->items);
    pl__free(f->keys);
    memset(f, 0, sizeof *f);
    b->depth--;
    if (!b->stop)
        add_node(b, &node, m);
}

/* Anchors, aliases and tags: refused (the grammar has no use for them, and
 * aliases are the way to make a small file expand into a huge one). */
static void refuse_extras(struct builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                          const yaml_char_t *tag, bool tag_implicit)
{
    uint32_t line, col;
    pos_of(b->ld, &ev->start_mark, &line, &col);
    char q[48];
    if (anchor)
        err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
               "anchors (&%s) are not allowed in a protocol file: write the text out",
               quote((const char *)anchor, q, sizeof q));
    if (tag && !tag_implicit)
        err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
               "tags (%s) are not allowed in a protocol file: quote the text instead",
               quote((const char *)tag, q, sizeof q));
}

static bool count_node(struct builder *b, const yaml_mark_t *m)
{
    if (++b->nodes > PL_PROTOCOL_NODES_MAX) {
        stop_at(b, PL_ELIMIT, m, "more than %d values in the file", PL_PROTOCOL_NODES_MAX);
        return false;
    }
    return true;
}

/* A key whose value is a collection starts a collection while the open
 * mapping wants a key: YAML's complex keys ("? [a, b]: c"). */
static bool collection_as_key(struct builder *b, const yaml_mark_t *m)
{
    if (b->depth > 0 && b->stack[b->depth - 1].node.kind == PL_NODE_MAP &&
        b->stack[b->depth - 1].want_key) {
        stop_at(b, PL_EFORMAT, m, "a key must be plain text, not a list or a mapping");
        return true;
    }
    return false;
}

static void on_event(struct builder *b, const yaml_event_t *ev, int *docs)
{
    uint32_t line, col;
    pos_of(b->ld, &ev->start_mark, &line, &col);
    struct pl_node node = { .text = "", .line = line, .col = col };
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*docs > 1)
            stop_at(b, PL_EFORMAT, &ev->start_mark,
                    "a second YAML document: a protocol file holds one (remove this '---')");
        return;
    case YAML_ALIAS_EVENT:
        if (!count_node(b, &ev->start_mark))
            return;
        {
            char q[48];
            err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
                   "aliases (*%s) are not allowed in a protocol file: write the value out",
                   quote((const char *)ev->data.alias.anchor, q, sizeof q));
        }
        node.kind = NODE_BAD;
        add_node(b, &node, &ev->start_mark);
        return;
    case YAML_SCALAR_EVENT: {
        if (!count_node(b, &ev->start_mark))
            return;
        refuse_extras(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag,
                      ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit);
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        node.kind = PL_NODE_SCALAR;
        if (len > PL_PROTOCOL_TEXT_BYTES_MAX) {
            err_at(b->ld, PL_ELIMIT, line, col, ev->start_mark.index,
                   "text of %zu bytes: at most %d are allowed", len, PL_PROTOCOL_TEXT_BYTES_MAX);
            node.kind = NODE_BAD;
        } else if (memchr(v, '\0', len)) {
            err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
                   "text with a NUL character (\\0): not allowed");
            node.kind = NODE_BAD;
        } else {
            char *t = arena_strndup(b->ld->a, v, len);
            if (!t) {
                b->stop = true;
                return;
            }
            node.text = t;
        }
        add_node(b, &node, &ev->start_mark);
        return;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (!count_node(b, &ev->start_mark) || collection_as_key(b, &ev->start_mark))
            return;
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        if (seq)
            refuse_extras(b, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag,
                          ev->data.sequence_start.implicit);
        else
            refuse_extras(b, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag,
                          ev->data.mapping_start.implicit);
        if (b->depth >= PL_PROTOCOL_DEPTH_MAX) {
            stop_at(b, PL_ELIMIT, &ev->start_mark, "nested deeper than %d levels",
                    PL_PROTOCOL_DEPTH_MAX);
            return;
        }
        struct frame *f = &b->stack[b->depth++];
        memset(f, 0, sizeof *f);
        f->node = node;
        f->node.kind = seq ? PL_NODE_SEQ : PL_NODE_MAP;
        f->want_key = !seq;
        return;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            end_collection(b, &ev->start_mark);
        return;
    default:
        return;
    }
}

/* Line and column of a byte offset (for reader errors, which have only an
 * offset). Columns count characters, as libyaml's do. */
static void pos_of_offset(const unsigned char *s, size_t n, size_t off, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1, c = 1;
    for (size_t i = 0; i < off && i < n; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else if ((s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Where the input ends, counting line breaks as libyaml does (LF, CR,
 * CR LF, NEL, LS, PS: YAML 1.1, 5.4). */
static void end_pos(const unsigned char *s, size_t n, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1, c = 1;
    for (size_t i = 0; i < n;) {
        size_t brk = 0;
        if (s[i] == '\n')
            brk = 1;
        else if (s[i] == '\r')
            brk = i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
        else if (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0x85)
            brk = 2;
        else if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
            brk = 3;
        if (brk) {
            if (l < UINT32_MAX)
                l++;
            c = 1;
            i += brk;
            continue;
        }
        if ((s[i] & 0xC0) != 0x80 && c < UINT32_MAX)
            c++;
        i++;
    }
    *line = l;
    *col = c;
}

static void syntax_error(struct builder *b, const yaml_parser_t *yp)
{
    struct ld *ld = b->ld;
    if (yp->error == YAML_MEMORY_ERROR) {
        ld->nomem = true;
        return;
    }
    const char *problem = yp->problem ? yp->problem : "malformed YAML";
    if (yp->error == YAML_READER_ERROR) {
        uint32_t line, col;
        pos_of_offset(ld->src, ld->n, yp->problem_offset, &line, &col);
        err_at(ld, PL_EFORMAT, line, col, yp->problem_offset,
               "%s: a protocol file is UTF-8 text", problem);
        ld->fatal = true;
        return;
    }
    uint32_t line, col;
    pos_of(ld, &yp->problem_mark, &line, &col);
    size_t at = yp->problem_mark.index;
    /* libyaml's word for a tab where indentation goes is "found character
     * that cannot start any token": say what it is. */
    if (at < ld->n && ld->src[at] == '\t') {
        err_at(ld, PL_EFORMAT, line, col, at, "a tab: YAML indents with spaces only");
    } else if (yp->context) {
        uint32_t cl, cc;
        pos_of(ld, &yp->context_mark, &cl, &cc);
        err_at(ld, PL_EFORMAT, line, col, at, "%s (%s at %u:%u)", problem, yp->context,
               (unsigned)cl, (unsigned)cc);
    } else {
        err_at(ld, PL_EFORMAT, line, col, at, "%s", problem);
    }
    ld->fatal = true;
}

/* The tree of the whole document into *root (NULL for an empty file).
 * Errors go to ld; ld->fatal when the tree is incomplete. */
static void build_tree(struct ld *ld, struct pl_node **root)
{
    *root = NULL;
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp)) {
        ld->nomem = true;
        return;
    }
    static const unsigned char empty[1];
    yaml_parser_set_input_string(&yp, ld->n ? ld->src : empty, ld->n);
    struct builder b = { .ld = ld };
    int docs = 0;
    end_pos(ld->src, ld->n, &ld->end_line, &ld->end_col);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&yp, &ev)) {
            syntax_error(&b, &yp);
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        on_event(&b, &ev, &docs);
        yaml_event_delete(&ev);
        if (ld->a->failed)
            ld->nomem = true;
        if (end || b.stop || ld->nomem || ld->fatal)
            break;
    }
    while (b.depth > 0) {
        struct frame *f = &b.stack[--b.depth];
        pl__free(f->items);
        pl__free(f->keys);
    }
    yaml_parser_delete(&yp);
    if (!ld->fatal && !ld->nomem)
        *root = b.root;
}

/* ------------------------------------------------------------------ */
/* Second pass: the grammar                                             */
/* ------------------------------------------------------------------ */

static const struct pl_node *get(const struct pl_node *map, const char *key)
{
    if (!map || map->kind != PL_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i].kind == PL_NODE_SCALAR && strcmp(map->keys[i].text, key) == 0)
            return &map->items[i];
    return NULL;
}

/* Levenshtein distance, for "did you mean"; only short words. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return SIZE_MAX;
    size_t row[33];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest of names[0..n) to s, when close enough to be a typo. */
static const char *closest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        size_t d = edit_distance(s, names[i]);
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    return best;
}

/* Check that n is a mapping with only the allowed keys and all the
 * required ones (both NULL-terminated). false (reported) when n is not a
 * mapping. */
static bool check_map(struct ld *ld, const struct pl_node *n, const char *what,
                      const char *const *allowed, const char *const *required)
{
    if (n->kind == NODE_BAD)
        return false;
    if (n->kind != PL_NODE_MAP) {
        err(ld, n, "%s: expected a mapping (key: value lines), found %s", what, node_what(n));
        return false;
    }
    size_t na = 0;
    while (allowed[na])
        na++;
    for (size_t i = 0; i < n->n; i++) {
        const struct pl_node *k = &n->keys[i];
        if (k->kind != PL_NODE_SCALAR)
            continue;
        bool ok = false;
        for (size_t j = 0; j < na && !ok; j++)
            ok = strcmp(k->text, allowed[j]) == 0;
        if (ok)
            continue;
        char q[48], list[200];
        const char *near = closest(k->text, allowed, na);
        if (near)
            err(ld, k, "unknown key '%s' in %s: did you mean '%s'?", quote(k->text, q, sizeof q),
                what, near);
        else
            err(ld, k, "unknown key '%s' in %s; expected one of %s", quote(k->text, q, sizeof q),
                what, join(allowed, na, list, sizeof list));
    }
    for (size_t j = 0; required && required[j]; j++)
        if (!get(n, required[j]))
            err(ld, n, "%s: missing '%s'", what, required[j]);
    return true;
}

/* A scalar for key (reported otherwise). NULL when absent or bad. */
static const struct pl_node *scalar(struct ld *ld, const struct pl_node *map, const char *key)
{
    const struct pl_node *v = get(map, key);
    if (!v || v->kind == NODE_BAD)
        return NULL;
    if (v->kind != PL_NODE_SCALAR) {
        err(ld, v, "%s: expected text, found %s", key, node_what(v));
        return NULL;
    }
    return v;
}

/* Text of key: "" when absent; a required key that is present but empty
 * is reported here (a missing one by check_map). */
static const char *text(struct ld *ld, const struct pl_node *map, const char *key, bool required)
{
    const struct pl_node *v = scalar(ld, map, key);
    if (!v)
        return "";
    if (required && !v->text[0])
        err(ld, v, "%s: expected text, found nothing", key);
    return v->text;
}

static bool is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PL_PROTOCOL_ID_BYTES_MAX)
        return false;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static void id_error(struct ld *ld, const struct pl_node *v, const char *key)
{
    char q[48];
    err(ld, v, "%s: expected an id of lowercase letters, digits and '-' (at most %d), such as "
               "'hamstring-origin'; found '%s'",
        key, PL_PROTOCOL_ID_BYTES_MAX, quote(v->text, q, sizeof q));
}

/* An id for key; "" (reported) when malformed or absent. */
static const char *ident(struct ld *ld, const struct pl_node *map, const char *key)
{
    const struct pl_node *v = scalar(ld, map, key);
    if (!v)
        return "";
    if (!is_id(v->text)) {
        id_error(ld, v, key);
        return "";
    }
    return v->text;
}

/* An item id in `covers`: "D2", "A1", "red-flags.3": letters, digits and
 * '.', '_', '-', at most 16 bytes. */
static bool is_item(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (i > 0 && (c == '.' || c == '_' || c == '-'))))
            return false;
    }
    return true;
}

/* A list for key: NULL when absent or not a list (reported). */
static const struct pl_node *list(struct ld *ld, const struct pl_node *map, const char *key)
{
    const struct pl_node *v = get(map, key);
    if (!v || v->kind == NODE_BAD)
        return NULL;
    /* "key:" with nothing after it is an empty list. */
    if (v->kind == PL_NODE_SCALAR && !v->text[0])
        return v;
    if (v->kind != PL_NODE_SEQ) {
        err(ld, v, "%s: expected a list ('- item' lines or [a, b]), found %s", key, node_what(v));
        return NULL;
    }
    return v;
}

/* `covers: [A1, B2]`: the item ids, unique. */
static void covers(struct ld *ld, const struct pl_node *map, const char *const **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    const struct pl_node *l = list(ld, map, "covers");
    if (!l || l->n == 0)
        return;
    const char **v = arena_array(ld->a, l->n, sizeof *v);
    if (!v)
        return;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *it = &l->items[i];
        if (it->kind == NODE_BAD)
            continue;
        char q[48];
        if (it->kind != PL_NODE_SCALAR || !is_item(it->text)) {
            err(ld, it, "covers: expected item ids such as D2 (letters, digits, '.', '_', '-'); "
                        "found %s%s%s",
                it->kind == PL_NODE_SCALAR ? "'" : "",
                it->kind == PL_NODE_SCALAR ? quote(it->text, q, sizeof q) : node_what(it),
                it->kind == PL_NODE_SCALAR ? "'" : "");
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(v[j], it->text) == 0;
        if (dup) {
            err(ld, it, "covers: %s is listed twice", quote(it->text, q, sizeof q));
            continue;
        }
        v[k++] = it->text;
    }
    *out = v;
    *nout = k;
}

/* A whole number in min..max. */
static bool number(struct ld *ld, const struct pl_node *map, const char *key, unsigned long min,
                   unsigned long max, const char *what, uint32_t *out)
{
    const struct pl_node *v = scalar(ld, map, key);
    if (!v)
        return false;
    const char *s = v->text;
    unsigned long x = 0;
    bool ok = *s != '\0';
    for (; *s && ok; s++) {
        ok = *s >= '0' && *s <= '9' && x <= max;
        x = x * 10 + (unsigned long)(*s - '0');
    }
    if (!ok || x < min || x > max) {
        char q[48];
        err(ld, v, "%s: expected %s, a whole number from %lu to %lu; found '%s'", key, what, min,
            max, quote(v->text, q, sizeof q));
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

/* A duration: one or more "<whole number> <unit>" parts, units s, sec,
 * min, h ("90 s", "3 min", "1 h 30 min"). -1 when it is not one. */
static long long parse_duration(const char *s)
{
    long long total = 0;
    bool any = false;
    for (;;) {
        while (*s == ' ')
            s++;
        if (!*s)
            return any ? total : -1;
        if (*s < '0' || *s > '9')
            return -1;
        long long x = 0;
        while (*s >= '0' && *s <= '9') {
            x = x * 10 + (*s++ - '0');
            if (x > 100000000)
                return -1;
        }
        while (*s == ' ')
            s++;
        long long unit;
        if (strncmp(s, "min", 3) == 0) {
            unit = 60;
            s += 3;
        } else if (strncmp(s, "sec", 3) == 0) {
            unit = 1;
            s += 3;
        } else if (*s == 's') {
            unit = 1;
            s++;
        } else if (*s == 'h') {
            unit = 3600;
            s++;
        } else {
            return -1;
        }
        if (*s && *s != ' ')
            return -1;
        total += x * unit;
        if (total > 100000000)
            return -1;
        any = true;
    }
}

static bool duration_node(struct ld *ld, const struct pl_node *v, const char *key, uint32_t min_s,
                          uint32_t max_s, uint32_t *out)
{
    if (v->kind == NODE_BAD)
        return false;
    char q[48];
    if (v->kind != PL_NODE_SCALAR) {
        err(ld, v, "%s: expected a duration such as '3 min', '90 s' or '1 h 30 min', found %s",
            key, node_what(v));
        return false;
    }
    long long d = parse_duration(v->text);
    if (d < 0) {
        err(ld, v, "%s: expected a duration with its unit, such as '3 min', '90 s' or "
                   "'1 h 30 min'; found '%s'",
            key, quote(v->text, q, sizeof q));
        return false;
    }
    if (d < min_s || d > max_s) {
        if (min_s > 0)
            err(ld, v, "%s: expected a duration from %u s to %u h; found '%s'", key,
                (unsigned)min_s, (unsigned)(max_s / 3600), quote(v->text, q, sizeof q));
        else
            err(ld, v, "%s: expected a duration of at most %u h; found '%s'", key,
                (unsigned)(max_s / 3600), quote(v->text, q, sizeof q));
        return false;
    }
    *out = (uint32_t)d;
    return true;
}

/* "07:30": minutes of the day; -1 (reported) when not a time. */
static int time_of_day(struct ld *ld, const struct pl_node *v, const char *key)
{
    if (v->kind == NODE_BAD)
        return -1;
    const char *s = v->text;
    if (v->kind == PL_NODE_SCALAR && strlen(s) == 5 && s[2] == ':' && s[0] >= '0' &&
        s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[3] >= '0' && s[3] <= '5' &&
        s[4] >= '0' && s[4] <= '9') {
        int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
        if (h < 24)
            return h * 60 + m;
    }
    char q[48];
    err(ld, v, "%s: expected a time of day as HH:MM, such as '07:30'; found %s%s%s", key,
        v->kind == PL_NODE_SCALAR ? "'" : "",
        v->kind == PL_NODE_SCALAR ? quote(s, q, sizeof q) : node_what(v),
        v->kind == PL_NODE_SCALAR ? "'" : "");
    return -1;
}

/* One of names[1..n): the enum value, or -1 (reported). */
static int choice(struct ld *ld, const struct pl_node *map, const char *key,
                  const char *const *names, size_t n)
{
    const struct pl_node *v = scalar(ld, map, key);
    if (!v)
        return -1;
    int x = parse_name(names, n, v->text);
    if (x < 0) {
        char q[48], l[200];
        const char *near = closest(v->text, names, n);
        if (near)
            err(ld, v, "%s: expected one of %s; found '%s' (did you mean '%s'?)", key,
                join(names, n, l, sizeof l), quote(v->text, q, sizeof q), near);
        else
            err(ld, v, "%s: expected one of %s; found '%s'", key, join(names, n, l, sizeof l),
                quote(v->text, q, sizeof q));
    }
    return x;
}

/* Items of a list with their own ids: the duplicates are reported. */
static bool id_taken(struct ld *ld, const struct pl_node *at, const char *id, const char *what,
                     const char *const *ids, size_t n)
{
    if (!id[0])
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0) {
            err(ld, at, "%s '%s' is defined twice", what, id);
            return true;
        }
    return false;
}

/* ---- areas ---- */

static const struct pl_area *find_area(const struct pl_protocol *p, const char *id)
{
    for (size_t i = 0; i < p->nareas; i++)
        if (strcmp(p->areas[i].id, id) == 0)
            return &p->areas[i];
    return NULL;
}

static const struct pl_routine *find_routine(const struct pl_protocol *p, const char *id)
{
    for (size_t i = 0; i < p->nroutines; i++)
        if (strcmp(p->routines[i].id, id) == 0)
            return &p->routines[i];
    return NULL;
}

/* A reference to an area by id; NULL (reported) when there is none. */
static const struct pl_area *area_ref(struct ld *ld, const struct pl_node *v, const char *key)
{
    if (v->kind == NODE_BAD)
        return NULL;
    if (v->kind != PL_NODE_SCALAR || !is_id(v->text)) {
        if (v->kind == PL_NODE_SCALAR)
            id_error(ld, v, key);
        else
            err(ld, v, "%s: expected an area id, found %s", key, node_what(v));
        return NULL;
    }
    const struct pl_area *a = find_area(ld->p, v->text);
    if (!a) {
        char q[48], l[200];
        const char *ids[24] = { 0 };
        size_t n = 0;
        for (size_t i = 0; i < ld->p->nareas && n < PL_ARRAY_LEN(ids); i++)
            ids[n++] = ld->p->areas[i].id;
        const char *near = closest(v->text, ids, n);
        if (near)
            err(ld, v, "%s: no area '%s' in areas (did you mean '%s'?)", key,
                quote(v->text, q, sizeof q), near);
        else
            err(ld, v, "%s: no area '%s' in areas; the areas are %s%s", key,
                quote(v->text, q, sizeof q), join(ids, n, l, sizeof l),
                ld->p->nareas > n ? ", ..." : "");
    }
    return a;
}

static const struct pl_routine *routine_ref(struct ld *ld, const struct pl_node *v, const char *key)
{
    if (v->kind == NODE_BAD)
        return NULL;
    if (v->kind != PL_NODE_SCALAR || !is_id(v->text)) {
        if (v->kind == PL_NODE_SCALAR)
            id_error(ld, v, key);
        else
            err(ld, v, "%s: expected a routine id, found %s", key, node_what(v));
        return NULL;
    }
    const struct pl_routine *r = find_routine(ld->p, v->text);
    if (!r) {
        char q[48];
        const char *ids[64] = { 0 };
        size_t n = 0;
        for (size_t i = 0; i < ld->p->nroutines && n < PL_ARRAY_LEN(ids); i++)
            ids[n++] = ld->p->routines[i].id;
        const char *near = closest(v->text, ids, n);
        if (near)
            err(ld, v, "%s: no routine '%s' in routines (did you mean '%s'?)", key,
                quote(v->text, q, sizeof q), near);
        else
            err(ld, v, "%s: no routine '%s' in routines", key, quote(v->text, q, sizeof q));
    }
    return r;
}

static void load_areas(struct ld *ld, const struct pl_node *l)
{
    static const char *const keys[] = { "id", "name", "description", NULL };
    static const char *const req[] = { "id", "name", NULL };
    struct pl_protocol *p = ld->p;
    p->areas = arena_array(ld->a, l->n ? l->n : 1, sizeof *p->areas);
    const char **ids = arena_array(ld->a, l->n ? l->n : 1, sizeof *ids);
    if (!p->areas || !ids)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *m = &l->items[i];
        if (!check_map(ld, m, "an area", keys, req))
            continue;
        const char *id = ident(ld, m, "id");
        if (id_taken(ld, get(m, "id"), id, "area", ids, p->nareas) || !id[0]) {
            text(ld, m, "name", true);
            text(ld, m, "description", false);
            continue;
        }
        struct pl_area *a = &p->areas[p->nareas];
        a->id = ids[p->nareas] = id;
        a->name = text(ld, m, "name", true);
        a->description = text(ld, m, "description", false);
        a->line = m->line;
        a->col = m->col;
        p->nareas++;
    }
}

/* ---- routines ---- */

static void load_step(struct ld *ld, const struct pl_node *m, struct pl_step *s)
{
    static const char *const keys[] = { "area", "name", "duration", "reps", "sets", "how", "why",
                                        NULL };
    static const char *const req[] = { "how", NULL };
    memset(s, 0, sizeof *s);
    s->name = s->how = s->why = "";
    s->line = m->line;
    s->col = m->col;
    if (!check_map(ld, m, "a step", keys, req))
        return;
    const struct pl_node *v = get(m, "area");
    if (v)
        s->area = area_ref(ld, v, "area");
    s->name = text(ld, m, "name", false);
    if (!s->name[0]) {
        if (s->area)
            s->name = s->area->name;
        else if (!v)
            err(ld, m, "a step: with no 'area', it needs a 'name' (\"Drink water\")");
    }
    const struct pl_node *d = get(m, "duration");
    if (d)
        duration_node(ld, d, "duration", 1, PL_PROTOCOL_STEP_S_MAX, &s->duration_s);
    if (get(m, "reps"))
        number(ld, m, "reps", 1, PL_PROTOCOL_REPS_MAX, "repetitions", &s->reps);
    if (get(m, "sets")) {
        number(ld, m, "sets", 1, PL_PROTOCOL_SETS_MAX, "sets", &s->sets);
        if (!get(m, "reps"))
            err(ld, get(m, "sets"), "sets: a step with sets needs 'reps' too");
    }
    if (d && get(m, "reps"))
        err(ld, d, "duration: a step has a duration or reps, not both (make two steps)");
    s->how = text(ld, m, "how", true);
    s->why = text(ld, m, "why", false);
}

static void load_routine(struct ld *ld, const struct pl_node *m, struct pl_routine *r)
{
    r->title = text(ld, m, "title", true);
    int kind = choice(ld, m, "kind", kind_names, PL_ARRAY_LEN(kind_names));
    r->kind = kind > 0 ? (uint8_t)kind : 0;
    r->why = text(ld, m, "why", false);
    r->caution = text(ld, m, "caution", false);
    covers(ld, m, &r->covers, &r->ncovers);
    const struct pl_node *l = list(ld, m, "steps");
    uint64_t sum = 0;
    if (l) {
        if (l->n == 0)
            err(ld, l, "steps: expected at least one step");
        struct pl_step *steps = arena_array(ld->a, l->n ? l->n : 1, sizeof *steps);
        if (!steps)
            return;
        for (size_t i = 0; i < l->n; i++) {
            load_step(ld, &l->items[i], &steps[i]);
            sum += steps[i].duration_s;
        }
        r->steps = steps;
        r->nsteps = l->n;
    }
    const struct pl_node *d = get(m, "duration");
    if (d)
        duration_node(ld, d, "duration", 1, PL_PROTOCOL_STEP_S_MAX, &r->duration_s);
    else if (sum > PL_PROTOCOL_STEP_S_MAX)
        err(ld, m, "a routine: its steps last %llu min together; at most %d h",
            (unsigned long long)(sum / 60), PL_PROTOCOL_STEP_S_MAX / 3600);
    else
        r->duration_s = (uint32_t)sum;
}

static void load_routines(struct ld *ld, const struct pl_node *l)
{
    static const char *const keys[] = { "id", "title", "kind", "why", "caution", "duration",
                                        "covers", "steps", NULL };
    static const char *const req[] = { "id", "title", "kind", "steps", NULL };
    struct pl_protocol *p = ld->p;
    p->routines = arena_array(ld->a, l->n ? l->n : 1, sizeof *p->routines);
    const char **ids = arena_array(ld->a, l->n ? l->n : 1, sizeof *ids);
    if (!p->routines || !ids)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *m = &l->items[i];
        if (!check_map(ld, m, "a routine", keys, req))
            continue;
        const char *id = ident(ld, m, "id");
        struct pl_routine scratch = { 0 };
        bool keep = id[0] && !id_taken(ld, get(m, "id"), id, "routine", ids, p->nroutines);
        struct pl_routine *r = keep ? &p->routines[p->nroutines] : &scratch;
        r->id = id;
        r->line = m->line;
        r->col = m->col;
        load_routine(ld, m, r);
        if (keep)
            ids[p->nroutines++] = id;
    }
}

/* ---- constraints ---- */

/* in_rule: the rule whose constraint this is (NULL at the top level);
 * without `routines` or `kinds`, a rule's constraint covers its routines. */
static void load_constraint(struct ld *ld, const struct pl_node *m, struct pl_constraint *c,
                            const struct pl_rule *in_rule)
{
    static const char *const keys[] = { "id", "avoid", "of", "within", "routines", "kinds",
                                        "why", "covers", NULL };
    static const char *const req[] = { "id", "avoid", "of", "within", NULL };
    memset(c, 0, sizeof *c);
    c->id = c->why = "";
    c->line = m->line;
    c->col = m->col;
    if (!check_map(ld, m, "a constraint", keys, req))
        return;
    c->id = ident(ld, m, "id");
    int avoid = choice(ld, m, "avoid", avoid_names, PL_ARRAY_LEN(avoid_names));
    c->avoid = avoid > 0 ? (uint8_t)avoid : 0;
    int of = choice(ld, m, "of", trigger_names, PL_ARRAY_LEN(trigger_names));
    if (of > 0 && !pl_trigger_is_event(of))
        err(ld, get(m, "of"), "of: expected an event with a time (hard-session, race, travel or "
                              "evening-run); '%s' is a whole day",
            trigger_names[of]);
    c->of = of > 0 ? (uint8_t)of : 0;
    const struct pl_node *w = get(m, "within");
    if (w)
        duration_node(ld, w, "within", 1, PL_PROTOCOL_WINDOW_S_MAX, &c->within_s);
    c->why = text(ld, m, "why", false);
    covers(ld, m, &c->covers, &c->ncovers);

    const struct pl_node *rl = list(ld, m, "routines");
    if (rl && rl->n) {
        const struct pl_routine **rs = arena_array(ld->a, rl->n, sizeof *rs);
        if (!rs)
            return;
        for (size_t i = 0; i < rl->n; i++) {
            const struct pl_routine *r = routine_ref(ld, &rl->items[i], "routines");
            if (r)
                rs[c->nroutines++] = r;
        }
        c->routines = rs;
    }
    const struct pl_node *kl = list(ld, m, "kinds");
    for (size_t i = 0; kl && i < kl->n; i++) {
        const struct pl_node *v = &kl->items[i];
        if (v->kind == NODE_BAD)
            continue;
        int k = v->kind == PL_NODE_SCALAR ? pl_routine_kind_parse(v->text) : -1;
        if (k < 0) {
            char l[200];
            err(ld, v, "kinds: expected routine kinds among %s",
                join(kind_names, PL_ARRAY_LEN(kind_names), l, sizeof l));
            continue;
        }
        c->kinds |= 1u << k;
    }
    bool names_some = (rl && rl->n) || (kl && kl->n);
    if (!names_some && in_rule) {
        /* The rule's own routines, each once. */
        const struct pl_routine **rs = arena_array(ld->a, in_rule->nentries ? in_rule->nentries : 1,
                                                   sizeof *rs);
        if (!rs)
            return;
        for (size_t i = 0; i < in_rule->nentries; i++) {
            const struct pl_routine *r = in_rule->entries[i].routine;
            bool seen = !r;
            for (size_t j = 0; j < c->nroutines && !seen; j++)
                seen = rs[j] == r;
            if (!seen)
                rs[c->nroutines++] = r;
        }
        c->routines = rs;
    } else if (!names_some && !rl && !kl) {
        err(ld, m, "a constraint: name what it holds for, with 'routines' or 'kinds'");
    }
}

static void load_constraints(struct ld *ld, const struct pl_node *l, struct pl_constraint **out,
                             size_t *nout, const struct pl_rule *in_rule,
                             const char **ids, size_t *nids)
{
    *out = NULL;
    *nout = 0;
    if (!l || l->n == 0)
        return;
    struct pl_constraint *cs = arena_array(ld->a, l->n, sizeof *cs);
    if (!cs)
        return;
    for (size_t i = 0; i < l->n; i++) {
        struct pl_constraint *c = &cs[*nout];
        load_constraint(ld, &l->items[i], c, in_rule);
        if (!c->id[0] || id_taken(ld, get(&l->items[i], "id"), c->id, "constraint", ids, *nids))
            continue;
        ids[(*nids)++] = c->id;
        (*nout)++;
    }
    *out = cs;
}

/* ---- rules ---- */

/* Timing keys of a rule's entry, and which of them go with which `at`. */
static void load_timing(struct ld *ld, const struct pl_node *m, const struct pl_rule *rule,
                        size_t index, struct pl_rule_entry *e)
{
    struct pl_timing *t = &e->timing;
    t->time_min[0] = t->time_min[1] = -1;
    const struct pl_node *atn = get(m, "at");
    int at;
    if (atn) {
        at = choice(ld, m, "at", at_names, PL_ARRAY_LEN(at_names));
        if (at < 0)
            return;
    } else if (index > 0) {
        at = PL_AT_THEN;
    } else {
        at = pl_trigger_is_event(rule->trigger) ? PL_AT_AFTER : PL_AT_SAME_DAY;
    }
    t->at = (uint8_t)at;
    const struct pl_node *of = get(m, "of"), *win = get(m, "window"), *days = get(m, "days"),
                         *time = get(m, "time"), *times = get(m, "times");
    /* Keys that mean nothing for this `at`. */
    struct { const struct pl_node *n; const char *key; bool ok; } use[] = {
        { of, "of", at == PL_AT_AFTER || at == PL_AT_BEFORE },
        { win, "window", at == PL_AT_AFTER || at == PL_AT_BEFORE },
        { days, "days", at == PL_AT_TWICE_DAILY || at == PL_AT_DAYS_LATER },
        { time, "time", at == PL_AT_SAME_DAY || at == PL_AT_NEXT_MORNING ||
                            at == PL_AT_DAYS_LATER },
        { times, "times", at == PL_AT_TWICE_DAILY },
    };
    bool stray = false;
    for (size_t i = 0; i < PL_ARRAY_LEN(use); i++)
        if (use[i].n && !use[i].ok) {
            err(ld, use[i].n, "%s: not used with at: %s", use[i].key, at_names[at]);
            stray = true;
        }
    if (stray)
        return;
    if (at == PL_AT_THEN && index == 0) {
        err(ld, atn, "at: then: the first routine of a rule has nothing before it; use after, "
                     "before, same-day, next-morning, twice-daily or days-later");
        return;
    }
    if (at == PL_AT_AFTER || at == PL_AT_BEFORE) {
        int ev = rule->trigger;
        if (of) {
            ev = choice(ld, m, "of", trigger_names, PL_ARRAY_LEN(trigger_names));
            if (ev > 0 && !pl_trigger_is_event(ev)) {
                err(ld, of, "of: expected an event with a time (hard-session, race, travel or "
                            "evening-run); '%s' is a whole day",
                    trigger_names[ev]);
                ev = -1;
            }
        } else if (rule->trigger && !pl_trigger_is_event(rule->trigger)) {
            err(ld, atn ? atn : m, "at: %s needs an event with a time: the rule's trigger '%s' "
                                   "has none; add 'of: evening-run' (or another event) or use "
                                   "same-day",
                at_names[at], trigger_names[rule->trigger]);
            ev = -1;
        }
        t->of = ev > 0 ? (uint8_t)ev : 0;
        if (win) {
            if (win->kind == PL_NODE_SEQ && win->n == 2) {
                bool a = duration_node(ld, &win->items[0], "window", 0, PL_PROTOCOL_WINDOW_S_MAX,
                                       &t->window_s_min);
                bool b = duration_node(ld, &win->items[1], "window", 0, PL_PROTOCOL_WINDOW_S_MAX,
                                       &t->window_s_max);
                if (a && b && t->window_s_min > t->window_s_max)
                    err(ld, win, "window: the first duration is the nearer end and must not be "
                                 "larger than the second ([40 min, 60 min])");
            } else if (win->kind != NODE_BAD) {
                err(ld, win, "window: expected two durations, nearest first, such as "
                             "[40 min, 60 min]");
            }
        } else if (at == PL_AT_BEFORE) {
            err(ld, atn, "at: before needs a window, such as 'window: [40 min, 60 min]' (the "
                         "routine ends that long before the event)");
        } else {
            t->window_s_min = 0;      /* after: start within two hours */
            t->window_s_max = 2 * 3600;
        }
    }
    if (at == PL_AT_TWICE_DAILY || at == PL_AT_DAYS_LATER) {
        uint32_t d = 0;
        if (!days)
            err(ld, atn, "at: %s needs 'days' (1 to %d)", at_names[at], PL_PROTOCOL_DAYS_MAX);
        else if (number(ld, m, "days", 1, PL_PROTOCOL_DAYS_MAX, "a number of days", &d))
            t->days = (uint16_t)d;
    }
    if (time)
        t->time_min[0] = (int16_t)time_of_day(ld, time, "time");
    if (times) {
        if (times->kind == PL_NODE_SEQ && times->n == 2) {
            int a = time_of_day(ld, &times->items[0], "times");
            int b = time_of_day(ld, &times->items[1], "times");
            if (a >= 0 && b >= 0 && a >= b)
                err(ld, times, "times: expected the morning time first, then a later one");
            t->time_min[0] = (int16_t)a;
            t->time_min[1] = (int16_t)b;
        } else if (times->kind != NODE_BAD) {
            err(ld, times, "times: expected two times of day, such as ['07:30', '19:00']");
        }
    }
}

static void load_entry(struct ld *ld, const struct pl_node *v, const struct pl_rule *rule,
                       size_t index, struct pl_rule_entry *e)
{
    static const char *const keys[] = { "routine", "at", "of", "window", "days", "time", "times",
                                        NULL };
    static const char *const req[] = { "routine", NULL };
    memset(e, 0, sizeof *e);
    e->line = v->line;
    e->col = v->col;
    if (v->kind == PL_NODE_SCALAR) {
        /* A bare id: timed by the defaults. */
        e->routine = routine_ref(ld, v, "routines");
        struct pl_node none = { .kind = PL_NODE_MAP, .text = "", .line = v->line, .col = v->col };
        load_timing(ld, &none, rule, index, e);
        return;
    }
    if (!check_map(ld, v, "a routine of a rule", keys, req))
        return;
    const struct pl_node *r = get(v, "routine");
    if (r)
        e->routine = routine_ref(ld, r, "routine");
    load_timing(ld, v, rule, index, e);
}

static void load_rules(struct ld *ld, const struct pl_node *l, const char **cids, size_t *ncids)
{
    static const char *const keys[] = { "id", "title", "trigger", "why", "covers", "routines",
                                        "constraints", NULL };
    static const char *const req[] = { "id", "trigger", "routines", NULL };
    struct pl_protocol *p = ld->p;
    p->rules = arena_array(ld->a, l->n ? l->n : 1, sizeof *p->rules);
    const char **ids = arena_array(ld->a, l->n ? l->n : 1, sizeof *ids);
    if (!p->rules || !ids)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *m = &l->items[i];
        if (!check_map(ld, m, "a rule", keys, req))
            continue;
        const char *id = ident(ld, m, "id");
        struct pl_rule scratch = { 0 };
        bool keep = id[0] && !id_taken(ld, get(m, "id"), id, "rule", ids, p->nrules);
        struct pl_rule *r = keep ? &p->rules[p->nrules] : &scratch;
        r->id = id;
        r->line = m->line;
        r->col = m->col;
        r->title = text(ld, m, "title", false);
        r->why = text(ld, m, "why", false);
        int trig = choice(ld, m, "trigger", trigger_names, PL_ARRAY_LEN(trigger_names));
        r->trigger = trig > 0 ? (uint8_t)trig : 0;
        covers(ld, m, &r->covers, &r->ncovers);
        const struct pl_node *el = list(ld, m, "routines");
        if (el) {
            if (el->n == 0)
                err(ld, el, "routines: expected at least one routine for the rule to schedule");
            struct pl_rule_entry *es = arena_array(ld->a, el->n ? el->n : 1, sizeof *es);
            if (!es)
                return;
            for (size_t j = 0; j < el->n; j++)
                load_entry(ld, &el->items[j], r, j, &es[j]);
            r->entries = es;
            r->nentries = el->n;
        }
        struct pl_constraint *cs;
        load_constraints(ld, list(ld, m, "constraints"), &cs, &r->nconstraints, r, cids, ncids);
        r->constraints = cs;
        if (keep)
            ids[p->nrules++] = id;
    }
}

/* ---- safety ---- */

static void load_safety(struct ld *ld, const struct pl_node *m)
{
    static const char *const keys[] = { "note", "red-flags", NULL };
    static const char *const req[] = { "note", NULL };
    static const char *const fkeys[] = { "id", "sign", "action", "urgent", "areas", NULL };
    static const char *const freq[] = { "id", "sign", "action", NULL };
    struct pl_protocol *p = ld->p;
    if (!check_map(ld, m, "safety", keys, req))
        return;
    p->safety_note = text(ld, m, "note", true);
    const struct pl_node *l = list(ld, m, "red-flags");
    if (!l || l->n == 0)
        return;
    p->flags = arena_array(ld->a, l->n, sizeof *p->flags);
    const char **ids = arena_array(ld->a, l->n, sizeof *ids);
    if (!p->flags || !ids)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *f = &l->items[i];
        if (!check_map(ld, f, "a red flag", fkeys, freq))
            continue;
        /* The slot of a flag that is dropped (a bad id) is used again. */
        struct pl_red_flag *rf = &p->flags[p->nflags];
        memset(rf, 0, sizeof *rf);
        rf->id = ident(ld, f, "id");
        rf->sign = text(ld, f, "sign", true);
        rf->action = text(ld, f, "action", true);
        rf->line = f->line;
        rf->col = f->col;
        const struct pl_node *u = scalar(ld, f, "urgent");
        if (u) {
            if (strcmp(u->text, "true") == 0) {
                rf->urgent = true;
            } else if (strcmp(u->text, "false") != 0) {
                char q[48];
                err(ld, u, "urgent: expected true or false; found '%s'", quote(u->text, q, sizeof q));
            }
        }
        const struct pl_node *al = list(ld, f, "areas");
        if (al && al->n) {
            const struct pl_area **as = arena_array(ld->a, al->n, sizeof *as);
            if (!as)
                return;
            for (size_t j = 0; j < al->n; j++) {
                const struct pl_area *a = area_ref(ld, &al->items[j], "areas");
                if (a)
                    as[rf->nareas++] = a;
            }
            rf->areas = as;
        }
        if (!rf->id[0] || id_taken(ld, get(f, "id"), rf->id, "red flag", ids, p->nflags))
            continue;
        ids[p->nflags++] = rf->id;
    }
}

/* ---- the whole file ---- */

/* A required list that is present and not empty; reported otherwise (a
 * missing key by check_map). */
static const struct pl_node *required_list(struct ld *ld, const struct pl_node *root,
                                           const char *key, const char *one)
{
    const struct pl_node *l = list(ld, root, key);
    if (l && l->n == 0) {
        err(ld, l, "%s: expected at least one %s", key, one);
        return NULL;
    }
    return l;
}

static void load_root(struct ld *ld, const struct pl_node *root)
{
    static const char *const keys[] = { "format", "id", "title", "safety", "areas", "routines",
                                        "rules", "constraints", "screening", NULL };
    static const char *const req[] = { "id", "title", "safety", "areas", "routines", "rules",
                                       NULL };
    struct pl_protocol *p = ld->p;
    if (!root) {
        err_at(ld, PL_EFORMAT, 1, 1, 0,
               "the file is empty: expected a protocol (id, title, safety, areas, routines, rules)");
        return;
    }
    if (!check_map(ld, root, "the protocol", keys, req))
        return;
    uint32_t format = FORMAT_VERSION;
    if (get(root, "format") &&
        number(ld, root, "format", 1, 1000000, "the format version", &format) &&
        format != FORMAT_VERSION)
        err(ld, get(root, "format"),
            "format: this pliant reads format %d; the file is format %u (a newer pliant wrote it)",
            FORMAT_VERSION, (unsigned)format);
    p->id = ident(ld, root, "id");
    p->title = text(ld, root, "title", true);
    const struct pl_node *l;
    if ((l = required_list(ld, root, "areas", "area")))
        load_areas(ld, l);
    /* After the areas: red flags name some. */
    const struct pl_node *s = get(root, "safety");
    if (s)
        load_safety(ld, s);
    if ((l = required_list(ld, root, "routines", "routine")))
        load_routines(ld, l);
    /* Constraint ids are unique across the top level and every rule. */
    size_t ncids = 0, cap = 0;
    const struct pl_node *tc = list(ld, root, "constraints"), *rl = required_list(ld, root, "rules", "rule");
    if (tc)
        cap += tc->n;
    for (size_t i = 0; rl && i < rl->n; i++) {
        const struct pl_node *c = get(&rl->items[i], "constraints");
        if (c && c->kind == PL_NODE_SEQ)
            cap += c->n;
    }
    const char **cids = arena_array(ld->a, cap ? cap : 1, sizeof *cids);
    if (!cids)
        return;
    load_constraints(ld, tc, &p->constraints, &p->nconstraints, NULL, cids, &ncids);
    if (rl)
        load_rules(ld, rl, cids, &ncids);
    p->screening = get(root, "screening");
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
    arena_release(&p->arena);
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
    build_tree(&ld, &root);
    if (!ld.fatal && !ld.nomem)
        load_root(&ld, root);
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
                        quote(name, q, sizeof q));
    }
    return pl_protocol_parse(yaml, n, out, NULL, NULL, diag);
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
    return id ? find_area(p, id) : NULL;
}

size_t pl_protocol_routine_count(const struct pl_protocol *p) { return p->nroutines; }
const struct pl_routine *pl_protocol_routine(const struct pl_protocol *p, size_t i)
{
    return i < p->nroutines ? &p->routines[i] : NULL;
}
const struct pl_routine *pl_protocol_routine_find(const struct pl_protocol *p, const char *id)
{
    return id ? find_routine(p, id) : NULL;
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
