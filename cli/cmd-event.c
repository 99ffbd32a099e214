/*
 * cmd-event.c - `pliant event`: the races, trips and planned runs a runner
 * declares, which detection takes as given (pliant load marks them).
 *
 * add, list and rm over pl_event_add/list/rm; the library checks the
 * values. Dates and times are the runner's local time.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cmd cmd_event_def = {
    "event", cmd_event, "declare races, trips and planned runs",
    "usage: pliant event add run|race|travel DATETIME [NAME] [--hours H]\n"
    "                        [--from PLACE] [--to PLACE] [--db PATH]\n"
    "   or: pliant event list [--from DATE] [--to DATE] [--json] [--db PATH]\n"
    "   or: pliant event rm ID [--db PATH]\n"
    "\n"
    "Declared events are facts the training-load model does not have to\n"
    "guess: a race marks its day hard and the next one for recovery, a trip\n"
    "marks its travel day, a planned run says when the next evening run is.\n"
    "\n"
    "add KIND DATETIME [NAME]\n"
    "  KIND       run, race or travel\n"
    "  DATETIME   local date YYYY-MM-DD, or date and time YYYY-MM-DDTHH:MM\n"
    "             (or \"YYYY-MM-DD HH:MM\")\n"
    "  NAME       what to call it: \"Berlin Marathon\", \"flight to Lisbon\"\n"
    "  --hours H  how long it lasts, 0 < H <= 168 (a flight, a long race)\n"
    "  --from PLACE, --to PLACE\n"
    "             where a trip starts and ends (travel only)\n"
    "list         the declared events, by date; --from/--to (YYYY-MM-DD) keep\n"
    "             a window; --json prints an array of objects: id, kind, date,\n"
    "             time (HH:MM or null), hours, name, from, to\n"
    "rm ID        remove one (its ID is the first column of 'list')\n"
    "\n"
    "--db PATH picks the store (default: $PLIANT_DB, else\n"
    "$XDG_DATA_HOME/pliant/pliant.db); 'add' creates it.\n"
    "\n"
    "Examples:\n"
    "  pliant event add race 2026-04-26T09:00 \"Madrid half\"\n"
    "  pliant event add travel 2026-04-24 --hours 3 --from Zurich --to Madrid\n"
    "  pliant event list --from 2026-04-01\n"
    "  pliant event rm 3\n",
};

static void format_when(const struct pl_event *e, char *buf, size_t n)
{
    char day[16];
    pl_day_format(e->day, day, sizeof day);
    if (e->minute >= 0)
        snprintf(buf, n, "%s %02d:%02d", day, (int)(e->minute / 60), (int)(e->minute % 60));
    else
        snprintf(buf, n, "%s", day);
}

/* "3 h", "1.5 h", "" when not given. */
static void format_hours(double h, char *buf, size_t n)
{
    if (isfinite(h))
        snprintf(buf, n, "%g h", h);
    else
        snprintf(buf, n, "%s", "");
}

static void describe(const struct pl_event *e, char *buf, size_t n)
{
    char when[40], hours[32];
    format_when(e, when, sizeof when);
    format_hours(e->hours, hours, sizeof hours);
    int k = snprintf(buf, n, "%s %s", pl_event_kind_name(e->kind), when);
    if (k < 0 || (size_t)k >= n)
        return;
    if (e->name[0])
        k += snprintf(buf + k, n - (size_t)k, " \"%s\"", e->name);
    if ((size_t)k < n && (e->from[0] || e->to[0]))
        k += snprintf(buf + k, n - (size_t)k, " %s -> %s", e->from[0] ? e->from : "?",
                      e->to[0] ? e->to : "?");
    if ((size_t)k < n && hours[0])
        snprintf(buf + k, n - (size_t)k, ", %s", hours);
}

static int event_add(int argc, char **argv)
{
    const char *db = NULL, *pos[3] = { NULL, NULL, NULL };
    const char *hours = NULL, *from = NULL, *to = NULL;
    int npos = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--db"))) {
            if (!*v)
                die_usage(&cmd_event_def, "--db needs a path");
            db = v;
        } else if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--hours"))) {
            hours = v;
        } else if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--from"))) {
            from = v;
        } else if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--to"))) {
            to = v;
        } else if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]) {
            die_usage(&cmd_event_def, "unknown argument '%s'", argv[i]);
        } else if (npos < 3) {
            pos[npos++] = argv[i];
        } else {
            die_usage(&cmd_event_def, "too many arguments: '%s' (quote a NAME with spaces)",
                      argv[i]);
        }
    }
    if (npos < 2)
        die_usage(&cmd_event_def, "event add needs a KIND (run, race, travel) and a DATETIME");
    struct pl_event e;
    pl_event_init(&e);
    int kind = pl_event_kind_parse(pos[0]);
    if (kind < 0)
        die_usage(&cmd_event_def, "unknown kind of event '%s' (run, race or travel)", pos[0]);
    e.kind = (uint8_t)kind;
    if (!pl_event_parse_when(pos[1], &e.day, &e.minute))
        die_usage(&cmd_event_def,
                  "'%s' is not a local date YYYY-MM-DD or date and time YYYY-MM-DDTHH:MM", pos[1]);
    if (pos[2]) {
        if (strlen(pos[2]) >= sizeof e.name)
            die_usage(&cmd_event_def, "the name is longer than %zu bytes", sizeof e.name - 1);
        strcpy(e.name, pos[2]);
    }
    if (hours) {
        char *end;
        errno = 0;
        double h = strtod(hours, &end);
        if (!*hours || *end || errno || !(h > 0 && h <= 168))
            die_usage(&cmd_event_def, "--hours wants a number of hours above 0, at most 168, "
                                      "not '%s'", hours);
        e.hours = h;
    }
    if ((from || to) && kind != PL_EVENT_TRAVEL)
        die_usage(&cmd_event_def, "--from and --to are for travel, not a %s", pos[0]);
    const struct {
        const char *v;
        char *dst;
        const char *opt;
    } places[] = { { from, e.from, "--from" }, { to, e.to, "--to" } };
    for (size_t i = 0; i < 2; i++) {
        if (!places[i].v)
            continue;
        if (strlen(places[i].v) >= sizeof e.from)
            die_usage(&cmd_event_def, "%s is longer than %zu bytes", places[i].opt,
                      sizeof e.from - 1);
        strcpy(places[i].dst, places[i].v);
    }

    struct pl_store *s;
    int rc = open_store_for_writing(db, &s);
    if (rc)
        return rc;
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_event_add(s, &e, &d);
    pl_store_close(s);
    if (rc) {
        error_msg("%s", d.msg);
        return rc == PL_EINVAL ? EXIT_USAGE : EXIT_NOTHING;
    }
    char what[512];
    describe(&e, what, sizeof what);
    printf("added event %lld: %s\n", (long long)e.id, what);
    return 0;
}

struct lister {
    bool json;
    unsigned long n;
};

static int on_event(void *ctx, const struct pl_event *e)
{
    struct lister *l = ctx;
    FILE *f = stdout;
    char day[16];
    pl_day_format(e->day, day, sizeof day);
    if (l->json) {
        fprintf(f, "%s{\"id\": %lld, \"kind\": \"%s\", \"date\": \"%s\", \"time\": ",
                l->n ? ",\n" : "[\n", (long long)e->id, pl_event_kind_name(e->kind), day);
        if (e->minute >= 0)
            fprintf(f, "\"%02d:%02d\"", (int)(e->minute / 60), (int)(e->minute % 60));
        else
            fputs("null", f);
        fputs(", \"hours\": ", f);
        json_num(f, e->hours, 2);
        fputs(", \"name\": ", f);
        json_str(f, e->name, strnlen(e->name, sizeof e->name));
        fputs(", \"from\": ", f);
        json_str(f, e->from, strnlen(e->from, sizeof e->from));
        fputs(", \"to\": ", f);
        json_str(f, e->to, strnlen(e->to, sizeof e->to));
        fputs("}", f);
    } else {
        if (l->n == 0)
            printf("%4s  %-6s  %-16s  %6s  %s\n", "ID", "KIND", "WHEN", "HOURS", "NAME");
        char when[40], hours[32], name[400];
        format_when(e, when, sizeof when);
        format_hours(e->hours, hours, sizeof hours);
        int k = snprintf(name, sizeof name, "%s", e->name);
        if (k >= 0 && (size_t)k < sizeof name && (e->from[0] || e->to[0]))
            snprintf(name + k, sizeof name - (size_t)k, "%s%s -> %s", k ? ": " : "",
                     e->from[0] ? e->from : "?", e->to[0] ? e->to : "?");
        printf("%4lld  %-6s  %-16s  %6s  %s\n", (long long)e->id, pl_event_kind_name(e->kind),
               when, hours, name);
    }
    l->n++;
    return ferror(f) ? 1 : 0;
}

static int event_list(int argc, char **argv)
{
    const char *db = NULL;
    int32_t from = INT32_MIN, to = INT32_MAX;
    struct lister l = { false, 0 };
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--db"))) {
            if (!*v)
                die_usage(&cmd_event_def, "--db needs a path");
            db = v;
        } else if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--from"))) {
            if (!pl_day_parse(v, &from))
                die_usage(&cmd_event_def, "--from wants a date YYYY-MM-DD, not '%s'", v);
        } else if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--to"))) {
            if (!pl_day_parse(v, &to))
                die_usage(&cmd_event_def, "--to wants a date YYYY-MM-DD, not '%s'", v);
        } else if (strcmp(argv[i], "--json") == 0) {
            l.json = true;
        } else {
            die_usage(&cmd_event_def, "unknown argument '%s'", argv[i]);
        }
    }
    struct pl_store *s;
    int rc = open_store_for_reading(db, &s);
    if (rc)
        return rc;
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_event_list(s, from, to, on_event, &l, &d);
    pl_store_close(s);
    if (rc == PL_ECANCELED) {
        error_msg("cannot write the list: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    if (rc) {
        error_msg("%s", d.msg);
        return EXIT_NOTHING;
    }
    if (l.json)
        fputs(l.n ? "\n]\n" : "[]\n", stdout);
    else if (!l.n)
        printf("no events%s\n", from != INT32_MIN || to != INT32_MAX ? " in that window"
                                                                      : " declared");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_msg("cannot write the list: %s", strerror(errno));
        return EXIT_NOTHING;
    }
    return 0;
}

static int event_rm(int argc, char **argv)
{
    const char *db = NULL, *id_arg = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(&cmd_event_def, argc, argv, &i, "--db"))) {
            if (!*v)
                die_usage(&cmd_event_def, "--db needs a path");
            db = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            die_usage(&cmd_event_def, "unknown argument '%s'", argv[i]);
        } else if (!id_arg) {
            id_arg = argv[i];
        } else {
            die_usage(&cmd_event_def, "one event ID at a time, not '%s' too", argv[i]);
        }
    }
    if (!id_arg)
        die_usage(&cmd_event_def, "which event? give its ID (see 'pliant event list')");
    char *end;
    errno = 0;
    long long id = strtoll(id_arg, &end, 10);
    if (*id_arg < '0' || *id_arg > '9' || *end || errno || id <= 0)
        die_usage(&cmd_event_def, "an event ID is a whole number above 0, not '%s'", id_arg);
    struct pl_store *s;
    int rc = open_store_for_reading(db, &s);
    if (rc)
        return rc;
    struct pl_diag d;
    pl_diag_clear(&d);
    rc = pl_event_rm(s, id, &d);
    pl_store_close(s);
    if (rc) {
        error_msg("%s", d.msg);
        return EXIT_NOTHING;
    }
    printf("removed event %lld\n", id);
    return 0;
}

int cmd_event(int argc, char **argv)
{
    if (argc < 2)
        die_usage(&cmd_event_def, "what to do? add, list or rm");
    if (strcmp(argv[1], "add") == 0)
        return event_add(argc, argv);
    if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "ls") == 0)
        return event_list(argc, argv);
    if (strcmp(argv[1], "rm") == 0 || strcmp(argv[1], "remove") == 0)
        return event_rm(argc, argv);
    die_usage(&cmd_event_def, "'%s' is not an event command (add, list or rm)", argv[1]);
}
