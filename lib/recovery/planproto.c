/*
 * planproto.c - pl_plan_make(): a protocol's rules as the planner's
 * segments (lib/recovery/plan.h), then the placement.
 *
 * A protocol rule lists routines, each with a timing; a routine whose
 * timing is "then" follows the one before it. The planner places runs of
 * routines that share one timing, so each rule becomes one segment per
 * entry that is not "then", in the file's order, keeping the rule's id
 * (item ids stay "<date>.<rule>.<routine>"). Everything built here lives
 * in an arena that the plan keeps and pl_plan_release() frees, because
 * the items point into it.
 */
#include <string.h>

#include "base/internal.h"
#include "recovery/plan.h"

static int trig_of(int trigger)
{
    switch (trigger) {
    case PL_TRIGGER_HARD_SESSION: return PL__TRIG_HARD;
    case PL_TRIGGER_RACE: return PL__TRIG_RACE;
    case PL_TRIGGER_TRAVEL: return PL__TRIG_TRAVEL;
    case PL_TRIGGER_EVENING_RUN: return PL__TRIG_EVENING;
    case PL_TRIGGER_EVERY_DAY: return PL__TRIG_DAILY;
    case PL_TRIGGER_REST_DAY: return PL__TRIG_REST;
    case PL_TRIGGER_RECOVERY_NEEDED: return PL__TRIG_RECOVERY;
    default: return PL__TRIG_SCREENING;
    }
}

static int32_t minutes_up(uint32_t s)
{
    return (int32_t)((s + 59) / 60);
}

/* A routine as one entry of one rule schedules it: its covers are the
 * routine's and the rule's together. */
static const struct pl__routine *view_routine(struct pl__arena *a, const struct pl_rule *ru,
                                              const struct pl_routine *r)
{
    struct pl__routine *v = pl__arena_array(a, 1, sizeof *v);
    struct pl_plan_step *st = pl__arena_array(a, r->nsteps + 1, sizeof *st);
    const char **cov = pl__arena_array(a, r->ncovers + ru->ncovers + 1, sizeof *cov);
    if (!v || !st || !cov)
        return NULL;
    v->id = r->id;
    v->title = r->title;
    v->kind = pl_routine_kind_name(r->kind) ? pl_routine_kind_name(r->kind) : "";
    v->caution = r->caution;
    v->about = r->why;
    /* Untimed routines (a reminder) take one 5-minute slot; the rest are
     * rounded up to the planner's grid. */
    int32_t m = minutes_up(r->duration_s);
    v->minutes = m < 5 ? 5 : (m + 4) / 5 * 5;
    for (size_t i = 0; i < r->nsteps; i++) {
        const struct pl_step *s = &r->steps[i];
        st[i] = (struct pl_plan_step){ s->name, s->duration_s, s->reps, s->sets, s->how };
    }
    v->nsteps = r->nsteps;
    v->steps = st;
    size_t n = 0;
    for (size_t i = 0; i < r->ncovers; i++)
        cov[n++] = r->covers[i];
    for (size_t i = 0; i < ru->ncovers; i++) {
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(cov[k], ru->covers[i]) == 0;
        if (!dup)
            cov[n++] = ru->covers[i];
    }
    v->ncovers = n;
    v->covers = cov;
    return v;
}

static bool view_constraint(struct pl__arena *a, const struct pl_constraint *c,
                            const char *rule, struct pl__constraint *k)
{
    const char **ids = pl__arena_array(a, c->nroutines + 1, sizeof *ids);
    const char **kinds = pl__arena_array(a, PL_ROUTINE_KIND_COUNT_, sizeof *kinds);
    if (!ids || !kinds)
        return false;
    for (size_t i = 0; i < c->nroutines; i++)
        ids[i] = c->routines[i]->id;
    size_t nk = 0;
    for (int kind = 1; kind < PL_ROUTINE_KIND_COUNT_; kind++)
        if (c->kinds & (1u << kind))
            kinds[nk++] = pl_routine_kind_name(kind);
    int32_t m = minutes_up(c->within_s);
    *k = (struct pl__constraint){
        .trigger = trig_of(c->of),
        .before_min = c->avoid == PL_AVOID_BEFORE ? m : 0,
        .after_min = c->avoid == PL_AVOID_AFTER ? m : 0,
        .nids = c->nroutines, .ids = ids, .nkinds = nk, .kinds = kinds, .rule = rule,
        .text = c->why[0] ? c->why : c->id,
    };
    return true;
}

static int build_rules(const struct pl_protocol *p, struct pl__arena *a, struct pl__rules *out)
{
    size_t nr = pl_protocol_rule_count(p), nseg = 0, ncons = pl_protocol_constraint_count(p);
    for (size_t i = 0; i < nr; i++) {
        const struct pl_rule *ru = pl_protocol_rule(p, i);
        nseg += ru->nentries;
        ncons += ru->nconstraints;
    }
    struct pl__rule *segs = pl__arena_array(a, nseg + 1, sizeof *segs);
    struct pl__constraint *cons = pl__arena_array(a, ncons + 1, sizeof *cons);
    if (!segs || !cons)
        return PL_ENOMEM;
    size_t ns = 0, nc = 0;
    for (size_t i = 0; i < nr; i++) {
        const struct pl_rule *ru = pl_protocol_rule(p, i);
        const struct pl__routine **list = pl__arena_array(a, ru->nentries + 1, sizeof *list);
        if (!list)
            return PL_ENOMEM;
        struct pl__rule *cur = NULL;
        for (size_t e = 0; e < ru->nentries; e++) {
            const struct pl_rule_entry *en = &ru->entries[e];
            const struct pl__routine *v = view_routine(a, ru, en->routine);
            if (!v)
                return PL_ENOMEM;
            if (en->timing.at != PL_AT_THEN || !cur) {
                cur = &segs[ns++];
                const struct pl_timing *t = &en->timing;
                cur->id = ru->id;
                cur->trigger = trig_of(ru->trigger);
                cur->anchor = t->of ? trig_of(t->of) : cur->trigger;
                cur->win_min = minutes_up(t->window_s_min);
                cur->win_max = (int32_t)(t->window_s_max / 60);
                if (cur->win_max < cur->win_min)
                    cur->win_max = cur->win_min;
                cur->days = t->days;
                cur->pref[0] = t->time_min[0];
                cur->pref[1] = t->time_min[1];
                switch (t->at) {
                case PL_AT_AFTER: cur->timing = PL__TIME_AFTER; break;
                case PL_AT_BEFORE: cur->timing = PL__TIME_BEFORE; break;
                case PL_AT_NEXT_MORNING: cur->timing = PL__TIME_NEXT_MORNING; break;
                case PL_AT_TWICE_DAILY: cur->timing = PL__TIME_TWICE_DAILY; break;
                case PL_AT_DAYS_LATER: cur->timing = PL__TIME_DAYS_LATER; break;
                default: cur->timing = PL__TIME_DAILY; break;
                }
                cur->routines = &list[e];
                cur->nroutines = 0;
            }
            list[e] = v;
            cur->nroutines++;
        }
        for (size_t c = 0; c < ru->nconstraints; c++)
            if (!view_constraint(a, &ru->constraints[c], ru->id, &cons[nc++]))
                return PL_ENOMEM;
    }
    for (size_t c = 0; c < pl_protocol_constraint_count(p); c++)
        if (!view_constraint(a, pl_protocol_constraint(p, c), NULL, &cons[nc++]))
            return PL_ENOMEM;
    *out = (struct pl__rules){ ns, segs, nc, cons };
    return PL_OK;
}

int pl_plan_make(const struct pl_protocol *p, const struct pl_plan_input *in,
                 struct pl_plan *out, struct pl_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!p || !in)
        return pl__diag(diag, PL_EINVAL, UINT64_MAX, "no protocol or no input");
    struct pl__arena *a = pl__arena_new();
    struct pl__rules *rules = a ? pl__arena_array(a, 1, sizeof *rules) : NULL;
    int rc = rules ? build_rules(p, a, rules) : PL_ENOMEM;
    if (rc != PL_OK) {
        pl__arena_free(a);
        return pl__diag(diag, rc, UINT64_MAX, "out of memory while planning");
    }
    rc = pl__plan_rules(rules, in, out, diag);
    if (rc != PL_OK) {
        pl__arena_free(a);
        return rc;
    }
    out->priv_ = a;
    return PL_OK;
}
