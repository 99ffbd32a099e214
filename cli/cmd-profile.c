/*
 * cmd-profile.c - `pliant profile`: the athlete profile the load model
 * uses, each value with where it came from; `pliant profile set` changes
 * it.
 *
 * The library decides everything (what is estimated, from what, the
 * defaults, what a valid value is, all-or-nothing changes); this file
 * parses arguments and prints. Also home to open_store_for_writing(),
 * shared with cmd-event.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cmd cmd_profile_def = {
    "profile", cmd_profile, "show or set the athlete profile (heart rates, pace, home)",
    "usage: pliant profile [--json] [--db PATH]\n"
    "   or: pliant profile set KEY=VALUE... [--db PATH]\n"
    "\n"
    "Show the profile the training-load model uses: each value, whether you\n"
    "set it, it was estimated from your activities or a documented default\n"
    "stands in, and how it was found.\n"
    "\n"
    "Keys and values for 'set':\n"
    "  sex=male|female          chooses the TRIMP coefficients\n"
    "  birth_year=YEAR          1900..2100\n"
    "  max_hr=BPM               maximum heart rate, 100..250\n"
    "  resting_hr=BPM           resting heart rate, 25..120\n"
    "  lthr=BPM                 lactate-threshold heart rate, 80..240\n"
    "  threshold_pace=M:SS      threshold pace per km, 2:00..15:00\n"
    "  evening_hour=H           a run starting at or after H:00 local time is\n"
    "                           an evening run (default 17)\n"
    "  home=LAT,LON             home, in degrees\n"
    "  KEY=                     unset KEY: it is estimated again\n"
    "All values are checked before anything is changed: one bad value\n"
    "changes nothing. Activity metrics follow the new profile the next time\n"
    "they are read ('pliant load', 'pliant show').\n"
    "\n"
    "Options:\n"
    "  --json      one JSON object: per key its value (null when none), the\n"
    "              value as text, its unit, origin (set, estimated, default,\n"
    "              none) and method; and as_of, the last activity estimates\n"
    "              use\n"
    "  --db PATH   the store (default: $PLIANT_DB, else\n"
    "              $XDG_DATA_HOME/pliant/pliant.db); 'set' creates it\n"
    "\n"
    "Examples:\n"
    "  pliant profile\n"
    "  pliant profile set max_hr=192 lthr=172 threshold_pace=4:35\n"
    "  pliant profile set lthr=\n",
};


/* ------------------------------------------------------------------ */

/* Units as a person reads them after the value. */
static const char *unit_of(int key)
{
    switch (key) {
    case PL_PROF_MAX_HR:
    case PL_PROF_RESTING_HR:
    case PL_PROF_LTHR:
        return "bpm";
    case PL_PROF_THRESHOLD_PACE:
        return "/km";
    case PL_PROF_HOME_LAT:
    case PL_PROF_HOME_LON:
        return "deg";
    default:
        return "";
    }
}

/* JSON units: what the number in "value" is. */
static const char *json_unit_of(int key)
{
    switch (key) {
    case PL_PROF_MAX_HR:
    case PL_PROF_RESTING_HR:
    case PL_PROF_LTHR:
        return "bpm";
    case PL_PROF_THRESHOLD_PACE:
        return "s/km";
    case PL_PROF_EVENING_HOUR:
        return "h";
    case PL_PROF_HOME_LAT:
        return "deg";
    case PL_PROF_BIRTH_YEAR:
        return "year";
    default:
        return "";
    }
}

static void value_text(const struct pl_profile *p, int key, char *buf, size_t n)
{
    char v[128];
    pl_profile_format(p, key, v, sizeof v);
    const struct pl_profile_value *pv = &p->v[key];
    if (key == PL_PROF_EVENING_HOUR && isfinite(pv->value))
        snprintf(buf, n, "%02d:00", (int)pv->value);
    else if (isfinite(pv->value) && *unit_of(key) && key != PL_PROF_HOME_LAT)
        snprintf(buf, n, "%s %s", v, unit_of(key));
    else
        snprintf(buf, n, "%s", v);
}

static void print_text(const struct pl_profile *p)
{
    if (p->as_of_s) {
        char when[40];
        format_time(when, sizeof when, p->as_of_s, 0, false);
        printf("athlete profile (estimates from activities up to %.10s)\n", when);
    } else {
        printf("athlete profile (no activities yet: estimates wait for them)\n");
    }
    for (int k = 0; k < PL_PROF_COUNT_; k++) {
        if (k == PL_PROF_HOME_LON)
            continue;                      /* shown with home_lat as "home" */
        const struct pl_profile_value *pv = &p->v[k];
        char val[160];
        value_text(p, k, val, sizeof val);
        printf("  %-15s %-16s %-10s %s\n", pl_profile_key_name(k), val,
               pl_origin_name(pv->origin), pv->method);
    }
}

static void print_json(const struct pl_profile *p)
{
    FILE *f = stdout;
    fputs("{", f);
    bool first = true;
    for (int k = 0; k < PL_PROF_COUNT_; k++) {
        if (k == PL_PROF_HOME_LON)
            continue;
        const struct pl_profile_value *pv = &p->v[k];
        const char *name = pl_profile_key_name(k);
        fprintf(f, "%s\n  ", first ? "" : ",");
        first = false;
        json_cstr(f, name);
        fputs(": {\"value\": ", f);
        if (k == PL_PROF_SEX) {
            if (pv->value == PL_SEX_MALE)
                fputs("\"male\"", f);
            else if (pv->value == PL_SEX_FEMALE)
                fputs("\"female\"", f);
            else
                fputs("null", f);
        } else if (k == PL_PROF_HOME_LAT) {
            const struct pl_profile_value *lon = &p->v[PL_PROF_HOME_LON];
            if (isfinite(pv->value) && isfinite(lon->value)) {
                fputs("{\"lat\": ", f);
                json_num(f, pv->value, 6);
                fputs(", \"lon\": ", f);
                json_num(f, lon->value, 6);
                fputs("}", f);
            } else {
                fputs("null", f);
            }
        } else {
            json_num(f, pv->value, 2);
        }
        char text[128];
        pl_profile_format(p, k, text, sizeof text);
        fputs(", \"text\": ", f);
        json_cstr(f, text);
        fprintf(f, ", \"unit\": \"%s\", \"origin\": \"%s\", \"method\": ", json_unit_of(k),
                pl_origin_name(pv->origin));
        json_str(f, pv->method, strnlen(pv->method, sizeof pv->method));
        fputs("}", f);
    }
    fputs(",\n  \"as_of\": ", f);
    if (p->as_of_s) {
        char when[40];
        format_time(when, sizeof when, p->as_of_s, 0, false);
        json_cstr(f, when);
    } else {
        fputs("null", f);
    }
    fputs("\n}\n", f);
}

/* "--db PATH" or "--db=PATH" at argv[*i]: the path, or NULL when argv[*i]
 * is something else. */
static const char *db_option(const struct cmd *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--db") == 0) {
        if (*i + 1 >= argc || !*argv[*i + 1])
            die_usage(c, "option '--db' needs a value");
        return argv[++*i];
    }
    if (strncmp(a, "--db=", 5) == 0) {
        if (!a[5])
            die_usage(c, "--db needs a path");
        return a + 5;
    }
    return NULL;
}

static int profile_set(int argc, char **argv)
{
    const char *db = NULL;
    const char **kv = calloc((size_t)argc, sizeof *kv);
    size_t n = 0;
    if (!kv) {
        error_msg("out of memory");
        return EXIT_NOTHING;
    }
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = db_option(&cmd_profile_def, argc, argv, &i))) {
            db = v;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            die_usage(&cmd_profile_def, "unknown argument '%s'", argv[i]);
        } else if (!strchr(argv[i], '=') || argv[i][0] == '=') {
            die_usage(&cmd_profile_def, "'%s' is not KEY=VALUE (e.g. max_hr=190)", argv[i]);
        } else {
            kv[n++] = argv[i];
        }
    }
    if (!n)
        die_usage(&cmd_profile_def, "what to set? give KEY=VALUE (e.g. max_hr=190)");

    struct pl_store *s;
    int rc = open_store_for_writing(db, &s);
    if (rc) {
        free(kv);
        return rc;
    }
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_profile_set(s, kv, n, &d);
    if (rc) {
        error_msg("%s%s", d.msg, rc == PL_EINVAL ? "; nothing was changed" : "");
        pl_store_close(s);
        free(kv);
        return rc == PL_EINVAL ? EXIT_USAGE : EXIT_NOTHING;
    }
    /* Show what the keys are now (an unset key shows its new estimate). */
    struct pl_profile p;
    pl_diag_clear(&d);
    rc = pl_profile_get(s, &p, &d);
    if (rc == PL_OK) {
        for (size_t i = 0; i < n; i++) {
            size_t klen = strcspn(kv[i], "=");
            for (int k = 0; k < PL_PROF_COUNT_; k++) {
                const char *name = pl_profile_key_name(k);
                if (k == PL_PROF_HOME_LON || strlen(name) != klen ||
                    strncmp(name, kv[i], klen) != 0)
                    continue;
                char val[160];
                value_text(&p, k, val, sizeof val);
                printf("%s = %s (%s)\n", name, val, pl_origin_name(p.v[k].origin));
            }
        }
    } else {
        warning_msg("the profile was changed, but cannot be shown: %s", d.msg);
    }
    pl_store_close(s);
    free(kv);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    return 0;
}

int cmd_profile(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "set") == 0)
        return profile_set(argc, argv);
    const char *db = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = db_option(&cmd_profile_def, argc, argv, &i)))
            db = v;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-')
            die_usage(&cmd_profile_def, "unknown argument '%s'", argv[i]);
        else
            die_usage(&cmd_profile_def, "'%s' is not a profile command (try 'set')", argv[i]);
    }
    struct pl_store *s;
    int rc = open_store_for_reading(db, &s);
    if (rc)
        return rc;
    struct pl_profile p;
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_profile_get(s, &p, &d);
    pl_store_close(s);
    if (rc) {
        error_msg("%s", d.msg);
        return EXIT_NOTHING;
    }
    if (json)
        print_json(&p);
    else
        print_text(&p);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    return 0;
}
