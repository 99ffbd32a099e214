/*
 * fuzz-protocol.c - libFuzzer target for protocol files (lib/recovery/protocol.c):
 * libyaml's events, the tree with its limits, and the grammar.
 *
 * Every error must have a message, a place within the input (or none), and
 * a known code; a protocol that loads must hold only what the header
 * promises: strings that are there, pointers into the protocol's own
 * arrays, first entries that are not "then", windows in order, times of
 * day in range. Everything is read so that the sanitizers check it. A
 * crash, a report or an abort() is a bug.
 */
#include <stdlib.h>
#include <string.h>

#include "pliant.h"

static size_t sink;

static void touch(const char *s)
{
    if (!s)
        abort();
    sink += strlen(s);
}

struct ectx {
    size_t n, lines;
};

static void on_error(void *ctx, const struct pl_diag *e)
{
    struct ectx *x = ctx;
    if (!e->msg[0] || (e->code != PL_EFORMAT && e->code != PL_ELIMIT))
        abort();
    if (e->line > x->lines || (e->line == 0) != (e->col == 0))
        abort();
    x->n++;
}

static void walk_node(const struct pl_node *n, int depth)
{
    if (depth > 64)
        abort();
    touch(n->text);
    if (n->kind == PL_NODE_SCALAR) {
        if (n->n)
            abort();
        return;
    }
    if (n->kind != PL_NODE_SEQ && n->kind != PL_NODE_MAP)
        abort();
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == PL_NODE_MAP && n->keys[i].kind != PL_NODE_SCALAR)
            abort();
        if (n->kind == PL_NODE_MAP)
            touch(n->keys[i].text);
        walk_node(&n->items[i], depth + 1);
    }
}

static bool is_area(const struct pl_protocol *p, const struct pl_area *a)
{
    for (size_t i = 0; i < pl_protocol_area_count(p); i++)
        if (pl_protocol_area(p, i) == a)
            return true;
    return false;
}

static bool is_routine(const struct pl_protocol *p, const struct pl_routine *r)
{
    for (size_t i = 0; i < pl_protocol_routine_count(p); i++)
        if (pl_protocol_routine(p, i) == r)
            return true;
    return false;
}

static void check_constraint(const struct pl_protocol *p, const struct pl_constraint *c)
{
    touch(c->id);
    touch(c->why);
    if (!pl_trigger_is_event(c->of) || (c->avoid != PL_AVOID_BEFORE && c->avoid != PL_AVOID_AFTER))
        abort();
    for (size_t i = 0; i < c->nroutines; i++) {
        if (!is_routine(p, c->routines[i]))
            abort();
        /* Any instants at all: no overflow, no crash. */
        sink += pl_constraint_allows(c, c->routines[i], INT64_MAX - 5, INT64_MIN + 3, INT64_MAX);
        sink += pl_constraint_allows(c, c->routines[i], 0, 0, 0);
    }
    for (size_t i = 0; i < c->ncovers; i++)
        touch(c->covers[i]);
}

static void check(const struct pl_protocol *p)
{
    touch(pl_protocol_id(p));
    touch(pl_protocol_title(p));
    touch(pl_protocol_safety_note(p));
    for (size_t i = 0; i < pl_protocol_area_count(p); i++) {
        const struct pl_area *a = pl_protocol_area(p, i);
        touch(a->id);
        touch(a->name);
        touch(a->description);
        if (pl_protocol_area_find(p, a->id) != a)
            abort();
    }
    for (size_t i = 0; i < pl_protocol_routine_count(p); i++) {
        const struct pl_routine *r = pl_protocol_routine(p, i);
        touch(r->id);
        touch(r->title);
        touch(r->why);
        touch(r->caution);
        if (!pl_routine_kind_name(r->kind) || r->nsteps == 0 ||
            pl_protocol_routine_find(p, r->id) != r)
            abort();
        for (size_t j = 0; j < r->nsteps; j++) {
            const struct pl_step *s = &r->steps[j];
            touch(s->name);
            touch(s->how);
            touch(s->why);
            if (!s->name[0] || (s->area && !is_area(p, s->area)) || (s->duration_s && s->reps))
                abort();
        }
        for (size_t j = 0; j < r->ncovers; j++)
            touch(r->covers[j]);
    }
    for (size_t i = 0; i < pl_protocol_rule_count(p); i++) {
        const struct pl_rule *r = pl_protocol_rule(p, i);
        touch(r->id);
        touch(r->title);
        touch(r->why);
        if (!pl_trigger_name(r->trigger) || r->nentries == 0 || r->entries[0].timing.at == PL_AT_THEN)
            abort();
        for (size_t j = 0; j < r->nentries; j++) {
            const struct pl_rule_entry *e = &r->entries[j];
            const struct pl_timing *t = &e->timing;
            if (!is_routine(p, e->routine) || !pl_timing_at_name(t->at) ||
                t->window_s_min > t->window_s_max || t->time_min[0] > 1439 ||
                t->time_min[1] > 1439)
                abort();
            if ((t->at == PL_AT_AFTER || t->at == PL_AT_BEFORE) && !pl_trigger_is_event(t->of))
                abort();
            if ((t->at == PL_AT_TWICE_DAILY || t->at == PL_AT_DAYS_LATER) && t->days == 0)
                abort();
        }
        for (size_t j = 0; j < r->nconstraints; j++)
            check_constraint(p, &r->constraints[j]);
        for (size_t j = 0; j < r->ncovers; j++)
            touch(r->covers[j]);
    }
    for (size_t i = 0; i < pl_protocol_constraint_count(p); i++)
        check_constraint(p, pl_protocol_constraint(p, i));
    for (size_t i = 0; i < pl_protocol_red_flag_count(p); i++) {
        const struct pl_red_flag *f = pl_protocol_red_flag(p, i);
        touch(f->id);
        touch(f->sign);
        touch(f->action);
        for (size_t j = 0; j < f->nareas; j++)
            if (!is_area(p, f->areas[j]))
                abort();
    }
    if (pl_protocol_screening(p))
        walk_node(pl_protocol_screening(p), 0);
    sink += pl_protocol_covers(p, "D2");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ectx x = { .n = 0, .lines = 1 };
    /* libyaml also breaks lines at NEL, LS and PS (YAML 1.1, 5.4): count
     * every byte that may belong to one, an upper bound. */
    for (size_t i = 0; i < size; i++)
        x.lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xA8 ||
                   data[i] == 0xA9;
    struct pl_protocol *p = NULL;
    struct pl_diag d;
    int rc = pl_protocol_parse(data, size, &p, on_error, &x, &d);
    if (rc == 0) {
        if (!p || x.n != 0)
            abort();
        check(p);
        pl_protocol_free(p);
    } else if (p || (x.n == 0 && rc != PL_ENOMEM)) {
        abort();
    }
    return 0;
}
