/*
 * plan.h - the planner's view of a protocol (private to libpliant).
 *
 * lib/recovery/plan.c places routines by these flattened rules; pl_plan_make()
 * builds them from a struct pl_protocol (the protocol model's public
 * form), so the placement does not depend on how a protocol is parsed or
 * stored, and tests can hand-build either.
 */
#ifndef PL_PLAN_H
#define PL_PLAN_H

#include "base/arena.h"
#include "base/internal.h"

/* Days before and after the plan's range whose triggers the planner
 * collects: a rule reaches back at most PL_PROTOCOL_DAYS_MAX days (twice
 * daily, days later), and a window or constraint at most
 * PL_PROTOCOL_WINDOW_S_MAX (7 days) ahead. */
#define PL__PLAN_LOOKBACK_DAYS PL_PROTOCOL_DAYS_MAX
#define PL__PLAN_LOOKAHEAD_DAYS (PL_PROTOCOL_WINDOW_S_MAX / 86400 + 1)

/* What calls for a rule (enum pl_trigger, from 0). */
enum pl__trig {
    PL__TRIG_HARD,          /* a hard session (or a day the detection
                               called hard) */
    PL__TRIG_RACE,
    PL__TRIG_TRAVEL,        /* arrival from a trip */
    PL__TRIG_EVENING,       /* an evening run, done, declared or predicted */
    PL__TRIG_DAILY,         /* every day */
    PL__TRIG_REST,          /* a day without a run */
    PL__TRIG_RECOVERY,      /* the detection's recovery-needed flag */
    PL__TRIG_SCREENING,     /* a stored self-screen that called for the
                               program (pl_plan_input.screen_days) */
    PL__TRIG_COUNT_
};
/* The protocol file's spellings: "hard-session", "race", "travel",
 * "evening-run", "every-day", "rest-day", "recovery-needed",
 * "screening-result". */
const char *pl__trig_name(int trig);

/* When a segment of a rule runs, relative to the trigger (enum
 * pl_timing_at without THEN: routines after the first of a segment
 * follow it). */
enum pl__timing {
    PL__TIME_AFTER,         /* first routine starts win_min..win_max
                               minutes after the anchor ends */
    PL__TIME_BEFORE,        /* last routine ends win_min..win_max minutes
                               before the anchor starts */
    PL__TIME_NEXT_MORNING,  /* the morning after the trigger's day */
    PL__TIME_DAILY,         /* any free time on the trigger's day */
    PL__TIME_TWICE_DAILY,   /* morning and evening, for `days` days */
    PL__TIME_DAYS_LATER,    /* `days` days after the trigger's day */
};

struct pl__routine {
    const char *id, *title, *kind;
    int32_t minutes;        /* whole routine, on the 5-minute grid */
    const char *caution;    /* "" when none */
    const char *about;      /* the protocol's why for it; "" or NULL */
    size_t nsteps;
    const struct pl_plan_step *steps;
    size_t ncovers;
    const char *const *covers;
};

/* A run of a rule's routines with one timing: a protocol rule is one or
 * more of these, each keeping the rule's id. */
struct pl__rule {
    const char *id;
    int trigger;            /* enum pl__trig */
    int timing;             /* enum pl__timing */
    int anchor;             /* AFTER, BEFORE: the event the window counts
                               from, on the trigger's day (the trigger
                               itself when equal to it) */
    int32_t win_min, win_max;   /* minutes, for AFTER and BEFORE */
    int32_t days;           /* TWICE_DAILY, DAYS_LATER */
    int32_t pref[2];        /* preferred local minutes, -1: none */
    size_t nroutines;
    const struct pl__routine *const *routines;   /* in order */
};

/* Routines listed (by id) or of the kinds listed must not be placed
 * within before_min before an anchor of kind `trigger` starts, nor within
 * after_min after it ends. rule NULL: for every rule; else only for the
 * items of that rule. */
struct pl__constraint {
    int trigger;
    int32_t before_min, after_min;
    size_t nids;
    const char *const *ids;
    size_t nkinds;
    const char *const *kinds;
    const char *rule;
    const char *text;       /* "nothing deep in the 24 h before a race" */
};

struct pl__rules {
    size_t nrules;
    const struct pl__rule *rules;
    size_t nconstraints;
    const struct pl__constraint *constraints;
};

bool pl__constraint_matches(const struct pl__constraint *k, const struct pl__routine *r,
                            const char *rule);

/* The placement itself: pl_plan_make() without the protocol. Items point
 * into rules, which must outlive the plan. */
int pl__plan_rules(const struct pl__rules *rules, const struct pl_plan_input *in,
                   struct pl_plan *out, struct pl_diag *diag);

/* pl_plan_make() builds the rules from the protocol in an arena
 * (lib/base/arena.h) kept in plan->priv_ and freed by pl_plan_release(). */

/* True when a planned session's name says it is hard ("Intervals",
 * "Tempo run", "Long run"): lib/recovery/planstore.c. */
bool pl__plan_name_is_hard(const char *name);

/* The events of an iCalendar training plan, each passed to fn (non-zero
 * stops with that code), without a store: lib/import/icsread.c, and its fuzz
 * target. sum counts what was left out (own, skipped); the rest is the
 * caller's to count. */
int pl__ics_read_events(const void *buf, size_t n, int32_t utc_offset_s,
                        int (*fn)(void *ctx, const struct pl_event *e), void *ctx,
                        struct pl_ics_import *sum, struct pl_diag *diag);

/* "2026-03-22" for a local day; the English weekday's name. */
void pl__plan_date(int32_t day, char *buf, size_t n);
const char *pl__plan_weekday(int32_t day);

#endif
