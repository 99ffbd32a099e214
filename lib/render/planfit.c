/*
 * planfit.c - a plan's routines as FIT workout files, so that a watch can
 * guide them: one file per routine the plan uses, one timed step per body
 * area ("Hamstring origin 3:00"), the how-to as the step's notes.
 *
 * The encoding itself is lib/formats/fitwrite.c's (pl_fit_writer_add_workout:
 * file_id, workout, workout_step; FIT profile 21.217). This file only
 * decides what goes in: which routines, step names and durations, file
 * names, and a time_created that differs per file (the file_id's
 * serial-free identity is type + manufacturer + time_created).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/internal.h"
#include "recovery/plan.h"

/* FIT sport 10 is "training" (FIT profile, type "sport"): not a run. */
enum { SPORT_TRAINING = 10 };

/* Untimed steps (a glass of water, a number of repetitions) get a
 * minute on the watch, and the reps in their notes. */
enum { UNTIMED_STEP_S = 60 };

int pl_plan_write_fit_workouts(const struct pl_plan *plan, const char *dir, int64_t created_s,
                               size_t *nfiles, struct pl_diag *diag)
{
    *nfiles = 0;
    int rc = PL_OK;
    struct pl_fit_workout_step *steps = NULL;
    char(*names)[PL_FIT_WORKOUT_NAME_BYTES] = NULL;   /* a step's name, with its reps */
    size_t cap = 0;
    for (size_t i = 0; i < plan->nitems && rc == PL_OK; i++) {
        const struct pl_plan_item *it = &plan->items[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(plan->items[k].routine, it->routine) == 0;
        if (seen || it->nsteps == 0)
            continue;
        if (it->nsteps > PL_FIT_WORKOUT_STEPS_MAX) {
            rc = pl__diag(diag, PL_ELIMIT, UINT64_MAX, "routine '%s': %zu steps; a workout holds %d",
                          it->routine, it->nsteps, PL_FIT_WORKOUT_STEPS_MAX);
            break;
        }
        if (it->nsteps > cap) {
            struct pl_fit_workout_step *v = pl__realloc(steps, it->nsteps * sizeof *v);
            if (v)
                steps = v;
            char(*nv)[PL_FIT_WORKOUT_NAME_BYTES] =
                v ? pl__realloc(names, it->nsteps * sizeof *nv) : NULL;
            if (!nv) {
                rc = pl__diag(diag, PL_ENOMEM, UINT64_MAX, "out of memory");
                break;
            }
            names = nv;
            cap = it->nsteps;
        }
        for (size_t s = 0; s < it->nsteps; s++) {
            const struct pl_plan_step *st = &it->steps[s];
            if (st->reps)
                snprintf(names[s], sizeof names[s], "%s x%u", st->area, st->reps);
            else
                snprintf(names[s], sizeof names[s], "%s", st->area);
            steps[s] = (struct pl_fit_workout_step){
                .name = names[s],
                .duration_s = st->duration_s ? st->duration_s : UNTIMED_STEP_S,
                .intensity = PL_FIT_INTENSITY_ACTIVE,
                .notes = st->how,
            };
        }
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s.fit", dir, it->routine) >= (int)sizeof path) {
            rc = pl__diag(diag, PL_EINVAL, UINT64_MAX, "path too long in '%s'", dir);
            break;
        }
        struct pl_fit_workout wk = {
            .name = it->title, .sport = SPORT_TRAINING,
            .time_created_s = created_s + (int64_t)*nfiles,
            .nsteps = (uint16_t)it->nsteps, .steps = steps,
        };
        struct pl_fit_writer *w;
        rc = pl_fit_writer_open(&w, path, 1u << 20, diag);
        if (rc != PL_OK)
            break;
        rc = pl_fit_writer_add_workout(w, &wk, diag);
        if (rc == PL_OK)
            rc = pl_fit_writer_finish(w, diag);
        pl_fit_writer_free(w);
        if (rc == PL_OK)
            ++*nfiles;
    }
    pl__free(steps);
    pl__free(names);
    return rc;
}
