/*
 * cli.h - what the subcommands of the pliant tool share.
 *
 * The tool uses only include/pliant.h from the library. Exit codes
 * (DESIGN.md): 0 success, 1 some inputs were bad but the rest was done,
 * 2 usage error, 3 nothing could be done.
 */
#ifndef PL_CLI_H
#define PL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "pliant.h"

enum { EXIT_PARTIAL = 1, EXIT_USAGE = 2, EXIT_NOTHING = 3 };

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
    const char *summary;                 /* one line for `pliant --help` */
    const char *usage;                   /* full help for `pliant help X` */
};

/* git-style messages on stderr: "pliant: <msg>". */
void die_usage(const struct cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file into memory (for small inputs); NULL with errno set. */
unsigned char *read_file(const char *path, size_t *n);

/* Look up a command by name. */
const struct cmd *cmd_find(const char *name);

/* True when argv[i] is -h or --help. */
bool is_help(const char *arg);

/* The value of option `name` at argv[*i], given as "--name VALUE" (then
 * *i moves past VALUE) or "--name=VALUE"; NULL when argv[*i] is another
 * option. A missing value is a usage error of command c (exit 2). */
const char *opt_value(const struct cmd *c, int argc, char **argv, int *i, const char *name);

/* Write buf to path through path.tmp and a rename, so that a failed run
 * never leaves half a file; "-" is standard output. Errors name `what`
 * ("the chart"). 0, or EXIT_NOTHING after an error message. */
int write_output(const char *path, const char *what, const void *buf, size_t n);

/* JSON string writer: a quoted, escaped string (bytes need not be
 * NUL-terminated; invalid UTF-8 is replaced by U+FFFD). */
void json_str(FILE *f, const char *s, size_t n);
/* The same for a C string; NULL is written as "". */
void json_cstr(FILE *f, const char *s);

/* JSON number: null for NaN and infinities, else at most `decimals`
 * decimals with trailing zeros cut ("12.5", "3600"). */
void json_num(FILE *f, double x, int decimals);

/* cmd-activities.c: what the commands that read the store share. */
/* Open the store for reading: --db's value when given, else PLIANT_DB or
 * the default path. A store that does not exist is not created: an error
 * is printed and EXIT_NOTHING returned, as for any store that cannot be
 * opened; 0 on success. */
int open_store_for_reading(const char *db, struct pl_store **s);
/* The summary fields of an activity as JSON members, without braces:
 * "id": 1, "sport": "running", "start": "2026-01-05T06:12:00Z", ... */
void json_activity_fields(FILE *f, const struct pl_activity *a);
/* UTC seconds as ISO 8601: "2026-01-05T06:12:00Z", or with offset_s as
 * local time "2026-01-05T07:12:00+01:00" (local true). */
void format_time(char *buf, size_t n, int64_t utc_s, int32_t offset_s, bool local);
/* Seconds as "1:02:03" (or "2:03" under an hour with short); "-" for NaN. */
void format_duration(char *buf, size_t n, double s, bool short_form);

#define DECLARE_CMD(name) int cmd_##name(int argc, char **argv)
DECLARE_CMD(inspect);
DECLARE_CMD(simulate);
extern const struct cmd cmd_inspect_def, cmd_simulate_def;
DECLARE_CMD(activities);
DECLARE_CMD(show);
extern const struct cmd cmd_activities_def, cmd_show_def;
DECLARE_CMD(import);
extern const struct cmd cmd_import_def;
DECLARE_CMD(profile);
DECLARE_CMD(event);
DECLARE_CMD(load);
extern const struct cmd cmd_profile_def, cmd_event_def, cmd_load_def;
/* store.c: open (creating it when missing) the store a command
 * changes: --db's value when given, else PLIANT_DB or the default path.
 * Prints the error and returns EXIT_NOTHING on failure, 0 on success. */
int open_store_for_writing(const char *db, struct pl_store **s);

DECLARE_CMD(plan);
DECLARE_CMD(today);
extern const struct cmd cmd_plan_def, cmd_today_def;
DECLARE_CMD(done);
DECLARE_CMD(skip);
DECLARE_CMD(adherence);
extern const struct cmd cmd_done_def, cmd_skip_def, cmd_adherence_def;
/* cmd-plan.c: the local date now; a protocol file (NULL: the built-in
 * default), its errors printed: 0 or EXIT_NOTHING. */
int32_t today_local(void);
int load_protocol(const char *path, struct pl_protocol **pr);
/* cmd-plan.c: import the .ics files among paths as a training plan
 * (pl_plan_import_ics) and take them out of the list; a line each on
 * stdout (stderr with json). 0, or EXIT_PARTIAL when one failed. */
int import_calendars(struct pl_store *s, const char **paths, size_t *npaths, bool json);
DECLARE_CMD(protocol);
extern const struct cmd cmd_protocol_def;
DECLARE_CMD(screen);
/* screen-summary.c: pliant screen --summary. */
struct screen_summary_opts {
    const char *db, *proto, *html, *name;
    int64_t id;          /* 0: the last screen */
    bool json;
};
int screen_summary(const struct screen_summary_opts *o);
extern const struct cmd cmd_screen_def;

#endif
