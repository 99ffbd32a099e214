/*
 * protocol-grammar.c - the protocol reader's second pass: the tree against
 * the grammar (docs/formats.md, "Protocol files"), building the protocol
 * and collecting every error with its line:column instead of stopping at
 * the first. Also the names the file spells (routine kinds, triggers,
 * timings) and their look-ups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recovery/protocol-load.h"

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
        pl__proto_err(ld, n, "%s: expected a mapping (key: value lines), found %s", what, pl__proto_node_what(n));
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
            pl__proto_err(ld, k, "unknown key '%s' in %s: did you mean '%s'?", pl__proto_quote(k->text, q, sizeof q),
                what, near);
        else
            pl__proto_err(ld, k, "unknown key '%s' in %s; expected one of %s", pl__proto_quote(k->text, q, sizeof q),
                what, pl__proto_join(allowed, na, list, sizeof list));
    }
    for (size_t j = 0; required && required[j]; j++)
        if (!get(n, required[j]))
            pl__proto_err(ld, n, "%s: missing '%s'", what, required[j]);
    return true;
}

/* A scalar for key (reported otherwise). NULL when absent or bad. */
static const struct pl_node *scalar(struct ld *ld, const struct pl_node *map, const char *key)
{
    const struct pl_node *v = get(map, key);
    if (!v || v->kind == NODE_BAD)
        return NULL;
    if (v->kind != PL_NODE_SCALAR) {
        pl__proto_err(ld, v, "%s: expected text, found %s", key, pl__proto_node_what(v));
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
        pl__proto_err(ld, v, "%s: expected text, found nothing", key);
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
    pl__proto_err(ld, v, "%s: expected an id of lowercase letters, digits and '-' (at most %d), such as "
               "'hamstring-origin'; found '%s'",
        key, PL_PROTOCOL_ID_BYTES_MAX, pl__proto_quote(v->text, q, sizeof q));
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
        pl__proto_err(ld, v, "%s: expected a list ('- item' lines or [a, b]), found %s", key, pl__proto_node_what(v));
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
    const char **v = pl__arena_array(ld->a, l->n, sizeof *v);
    if (!v)
        return;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct pl_node *it = &l->items[i];
        if (it->kind == NODE_BAD)
            continue;
        char q[48];
        if (it->kind != PL_NODE_SCALAR || !is_item(it->text)) {
            pl__proto_err(ld, it, "covers: expected item ids such as D2 (letters, digits, '.', '_', '-'); "
                        "found %s%s%s",
                it->kind == PL_NODE_SCALAR ? "'" : "",
                it->kind == PL_NODE_SCALAR ? pl__proto_quote(it->text, q, sizeof q) : pl__proto_node_what(it),
                it->kind == PL_NODE_SCALAR ? "'" : "");
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(v[j], it->text) == 0;
        if (dup) {
            pl__proto_err(ld, it, "covers: %s is listed twice", pl__proto_quote(it->text, q, sizeof q));
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
        pl__proto_err(ld, v, "%s: expected %s, a whole number from %lu to %lu; found '%s'", key, what, min,
            max, pl__proto_quote(v->text, q, sizeof q));
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
        pl__proto_err(ld, v, "%s: expected a duration such as '3 min', '90 s' or '1 h 30 min', found %s",
            key, pl__proto_node_what(v));
        return false;
    }
    long long d = parse_duration(v->text);
    if (d < 0) {
        pl__proto_err(ld, v, "%s: expected a duration with its unit, such as '3 min', '90 s' or "
                   "'1 h 30 min'; found '%s'",
            key, pl__proto_quote(v->text, q, sizeof q));
        return false;
    }
    if (d < min_s || d > max_s) {
        if (min_s > 0)
            pl__proto_err(ld, v, "%s: expected a duration from %u s to %u h; found '%s'", key,
                (unsigned)min_s, (unsigned)(max_s / 3600), pl__proto_quote(v->text, q, sizeof q));
        else
            pl__proto_err(ld, v, "%s: expected a duration of at most %u h; found '%s'", key,
                (unsigned)(max_s / 3600), pl__proto_quote(v->text, q, sizeof q));
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
    pl__proto_err(ld, v, "%s: expected a time of day as HH:MM, such as '07:30'; found %s%s%s", key,
        v->kind == PL_NODE_SCALAR ? "'" : "",
        v->kind == PL_NODE_SCALAR ? pl__proto_quote(s, q, sizeof q) : pl__proto_node_what(v),
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
            pl__proto_err(ld, v, "%s: expected one of %s; found '%s' (did you mean '%s'?)", key,
                pl__proto_join(names, n, l, sizeof l), pl__proto_quote(v->text, q, sizeof q), near);
        else
            pl__proto_err(ld, v, "%s: expected one of %s; found '%s'", key, pl__proto_join(names, n, l, sizeof l),
                pl__proto_quote(v->text, q, sizeof q));
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
            pl__proto_err(ld, at, "%s '%s' is defined twice", what, id);
            return true;
        }
    return false;
}

/* ---- areas ---- */

/* A reference to an area by id; NULL (reported) when there is none. */
static const struct pl_area *area_ref(struct ld *ld, const struct pl_node *v, const char *key)
{
    if (v->kind == NODE_BAD)
        return NULL;
    if (v->kind != PL_NODE_SCALAR || !is_id(v->text)) {
        if (v->kind == PL_NODE_SCALAR)
            id_error(ld, v, key);
        else
            pl__proto_err(ld, v, "%s: expected an area id, found %s", key, pl__proto_node_what(v));
        return NULL;
    }
    const struct pl_area *a = pl__proto_find_area(ld->p, v->text);
    if (!a) {
        char q[48], l[200];
        const char *ids[24] = { 0 };
        size_t n = 0;
        for (size_t i = 0; i < ld->p->nareas && n < PL_ARRAY_LEN(ids); i++)
            ids[n++] = ld->p->areas[i].id;
        const char *near = closest(v->text, ids, n);
        if (near)
            pl__proto_err(ld, v, "%s: no area '%s' in areas (did you mean '%s'?)", key,
                pl__proto_quote(v->text, q, sizeof q), near);
        else
            pl__proto_err(ld, v, "%s: no area '%s' in areas; the areas are %s%s", key,
                pl__proto_quote(v->text, q, sizeof q), pl__proto_join(ids, n, l, sizeof l),
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
            pl__proto_err(ld, v, "%s: expected a routine id, found %s", key, pl__proto_node_what(v));
        return NULL;
    }
    const struct pl_routine *r = pl__proto_find_routine(ld->p, v->text);
    if (!r) {
        char q[48];
        const char *ids[64] = { 0 };
        size_t n = 0;
        for (size_t i = 0; i < ld->p->nroutines && n < PL_ARRAY_LEN(ids); i++)
            ids[n++] = ld->p->routines[i].id;
        const char *near = closest(v->text, ids, n);
        if (near)
            pl__proto_err(ld, v, "%s: no routine '%s' in routines (did you mean '%s'?)", key,
                pl__proto_quote(v->text, q, sizeof q), near);
        else
            pl__proto_err(ld, v, "%s: no routine '%s' in routines", key, pl__proto_quote(v->text, q, sizeof q));
    }
    return r;
}

static void load_areas(struct ld *ld, const struct pl_node *l)
{
    static const char *const keys[] = { "id", "name", "description", NULL };
    static const char *const req[] = { "id", "name", NULL };
    struct pl_protocol *p = ld->p;
    p->areas = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *p->areas);
    const char **ids = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *ids);
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
            pl__proto_err(ld, m, "a step: with no 'area', it needs a 'name' (\"Drink water\")");
    }
    const struct pl_node *d = get(m, "duration");
    if (d)
        duration_node(ld, d, "duration", 1, PL_PROTOCOL_STEP_S_MAX, &s->duration_s);
    if (get(m, "reps"))
        number(ld, m, "reps", 1, PL_PROTOCOL_REPS_MAX, "repetitions", &s->reps);
    if (get(m, "sets")) {
        number(ld, m, "sets", 1, PL_PROTOCOL_SETS_MAX, "sets", &s->sets);
        if (!get(m, "reps"))
            pl__proto_err(ld, get(m, "sets"), "sets: a step with sets needs 'reps' too");
    }
    if (d && get(m, "reps"))
        pl__proto_err(ld, d, "duration: a step has a duration or reps, not both (make two steps)");
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
            pl__proto_err(ld, l, "steps: expected at least one step");
        struct pl_step *steps = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *steps);
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
        pl__proto_err(ld, m, "a routine: its steps last %llu min together; at most %d h",
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
    p->routines = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *p->routines);
    const char **ids = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *ids);
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
        pl__proto_err(ld, get(m, "of"), "of: expected an event with a time (hard-session, race, travel or "
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
        const struct pl_routine **rs = pl__arena_array(ld->a, rl->n, sizeof *rs);
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
            pl__proto_err(ld, v, "kinds: expected routine kinds among %s",
                pl__proto_join(kind_names, PL_ARRAY_LEN(kind_names), l, sizeof l));
            continue;
        }
        c->kinds |= 1u << k;
    }
    bool names_some = (rl && rl->n) || (kl && kl->n);
    if (!names_some && in_rule) {
        /* The rule's own routines, each once. */
        const struct pl_routine **rs = pl__arena_array(ld->a, in_rule->nentries ? in_rule->nentries : 1,
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
        pl__proto_err(ld, m, "a constraint: name what it holds for, with 'routines' or 'kinds'");
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
    struct pl_constraint *cs = pl__arena_array(ld->a, l->n, sizeof *cs);
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
            pl__proto_err(ld, use[i].n, "%s: not used with at: %s", use[i].key, at_names[at]);
            stray = true;
        }
    if (stray)
        return;
    if (at == PL_AT_THEN && index == 0) {
        pl__proto_err(ld, atn, "at: then: the first routine of a rule has nothing before it; use after, "
                     "before, same-day, next-morning, twice-daily or days-later");
        return;
    }
    if (at == PL_AT_AFTER || at == PL_AT_BEFORE) {
        int ev = rule->trigger;
        if (of) {
            ev = choice(ld, m, "of", trigger_names, PL_ARRAY_LEN(trigger_names));
            if (ev > 0 && !pl_trigger_is_event(ev)) {
                pl__proto_err(ld, of, "of: expected an event with a time (hard-session, race, travel or "
                            "evening-run); '%s' is a whole day",
                    trigger_names[ev]);
                ev = -1;
            }
        } else if (rule->trigger && !pl_trigger_is_event(rule->trigger)) {
            pl__proto_err(ld, atn ? atn : m, "at: %s needs an event with a time: the rule's trigger '%s' "
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
                    pl__proto_err(ld, win, "window: the first duration is the nearer end and must not be "
                                 "larger than the second ([40 min, 60 min])");
            } else if (win->kind != NODE_BAD) {
                pl__proto_err(ld, win, "window: expected two durations, nearest first, such as "
                             "[40 min, 60 min]");
            }
        } else if (at == PL_AT_BEFORE) {
            pl__proto_err(ld, atn, "at: before needs a window, such as 'window: [40 min, 60 min]' (the "
                         "routine ends that long before the event)");
        } else {
            t->window_s_min = 0;      /* after: start within two hours */
            t->window_s_max = 2 * 3600;
        }
    }
    if (at == PL_AT_TWICE_DAILY || at == PL_AT_DAYS_LATER) {
        uint32_t d = 0;
        if (!days)
            pl__proto_err(ld, atn, "at: %s needs 'days' (1 to %d)", at_names[at], PL_PROTOCOL_DAYS_MAX);
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
                pl__proto_err(ld, times, "times: expected the morning time first, then a later one");
            t->time_min[0] = (int16_t)a;
            t->time_min[1] = (int16_t)b;
        } else if (times->kind != NODE_BAD) {
            pl__proto_err(ld, times, "times: expected two times of day, such as ['07:30', '19:00']");
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
    p->rules = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *p->rules);
    const char **ids = pl__arena_array(ld->a, l->n ? l->n : 1, sizeof *ids);
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
                pl__proto_err(ld, el, "routines: expected at least one routine for the rule to schedule");
            struct pl_rule_entry *es = pl__arena_array(ld->a, el->n ? el->n : 1, sizeof *es);
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
    p->flags = pl__arena_array(ld->a, l->n, sizeof *p->flags);
    const char **ids = pl__arena_array(ld->a, l->n, sizeof *ids);
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
                pl__proto_err(ld, u, "urgent: expected true or false; found '%s'", pl__proto_quote(u->text, q, sizeof q));
            }
        }
        const struct pl_node *al = list(ld, f, "areas");
        if (al && al->n) {
            const struct pl_area **as = pl__arena_array(ld->a, al->n, sizeof *as);
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
        pl__proto_err(ld, l, "%s: expected at least one %s", key, one);
        return NULL;
    }
    return l;
}

void pl__proto_load_root(struct ld *ld, const struct pl_node *root)
{
    static const char *const keys[] = { "format", "id", "title", "safety", "areas", "routines",
                                        "rules", "constraints", "screening", NULL };
    static const char *const req[] = { "id", "title", "safety", "areas", "routines", "rules",
                                       NULL };
    struct pl_protocol *p = ld->p;
    if (!root) {
        pl__proto_err_at(ld, PL_EFORMAT, 1, 1, 0,
               "the file is empty: expected a protocol (id, title, safety, areas, routines, rules)");
        return;
    }
    if (!check_map(ld, root, "the protocol", keys, req))
        return;
    uint32_t format = FORMAT_VERSION;
    if (get(root, "format") &&
        number(ld, root, "format", 1, 1000000, "the format version", &format) &&
        format != FORMAT_VERSION)
        pl__proto_err(ld, get(root, "format"),
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
    const char **cids = pl__arena_array(ld->a, cap ? cap : 1, sizeof *cids);
    if (!cids)
        return;
    load_constraints(ld, tc, &p->constraints, &p->nconstraints, NULL, cids, &ncids);
    if (rl)
        load_rules(ld, rl, cids, &ncids);
    p->screening = get(root, "screening");
}
