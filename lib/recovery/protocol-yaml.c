/*
 * protocol-yaml.c - the protocol reader's first pass: libyaml's events to a
 * tree of struct pl_node, every limit of lib/base/pl_limits.h checked as
 * the events arrive, anchors, aliases and tags refused (protocol.c says
 * why). Only a syntax error or a limit stops it.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "recovery/protocol-load.h"


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
    pl__proto_verr_at(b->ld, code, line, col, m->index, fmt, ap);
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
        b->root = pl__arena_alloc(b->ld->a, sizeof *b->root);
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
        pl__proto_err(b->ld, k, "key '%s' appears twice in this mapping (first at %u:%u)",
            pl__proto_quote(k->text, q, sizeof q), (unsigned)first->line, (unsigned)first->col);
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
        struct pl_node *items = pl__arena_array(b->ld->a, f->n, sizeof *items);
        struct pl_node *keys = node.kind == PL_NODE_MAP ? pl__arena_array(b->ld->a, f->n, sizeof *keys) : NULL;
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
        pl__proto_err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
               "anchors (&%s) are not allowed in a protocol file: write the text out",
               pl__proto_quote((const char *)anchor, q, sizeof q));
    if (tag && !tag_implicit)
        pl__proto_err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
               "tags (%s) are not allowed in a protocol file: quote the text instead",
               pl__proto_quote((const char *)tag, q, sizeof q));
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
            pl__proto_err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
                   "aliases (*%s) are not allowed in a protocol file: write the value out",
                   pl__proto_quote((const char *)ev->data.alias.anchor, q, sizeof q));
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
            pl__proto_err_at(b->ld, PL_ELIMIT, line, col, ev->start_mark.index,
                   "text of %zu bytes: at most %d are allowed", len, PL_PROTOCOL_TEXT_BYTES_MAX);
            node.kind = NODE_BAD;
        } else if (memchr(v, '\0', len)) {
            pl__proto_err_at(b->ld, PL_EFORMAT, line, col, ev->start_mark.index,
                   "text with a NUL character (\\0): not allowed");
            node.kind = NODE_BAD;
        } else {
            char *t = pl__arena_strndup(b->ld->a, v, len);
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
        pl__proto_err_at(ld, PL_EFORMAT, line, col, yp->problem_offset,
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
        pl__proto_err_at(ld, PL_EFORMAT, line, col, at, "a tab: YAML indents with spaces only");
    } else if (yp->context) {
        uint32_t cl, cc;
        pos_of(ld, &yp->context_mark, &cl, &cc);
        pl__proto_err_at(ld, PL_EFORMAT, line, col, at, "%s (%s at %u:%u)", problem, yp->context,
               (unsigned)cl, (unsigned)cc);
    } else {
        pl__proto_err_at(ld, PL_EFORMAT, line, col, at, "%s", problem);
    }
    ld->fatal = true;
}

/* The tree of the whole document into *root (NULL for an empty file).
 * Errors go to ld; ld->fatal when the tree is incomplete. */
void pl__proto_build_tree(struct ld *ld, struct pl_node **root)
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
