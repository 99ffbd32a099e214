/*
 * main.c - the pliant tool: a table of subcommands, git-style.
 *
 * Each subcommand lives in cli/cmd-<name>.c and defines a struct cmd with
 * its help text; this file only dispatches and prints help.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cmd *const commands[] = {
    &cmd_activities_def,
    &cmd_adherence_def,
    &cmd_done_def,
    &cmd_event_def,
    &cmd_import_def,
    &cmd_inspect_def,
    &cmd_load_def,
    &cmd_profile_def,
    &cmd_plan_def,
    &cmd_protocol_def,
    &cmd_screen_def,
    &cmd_show_def,
    &cmd_skip_def,
    &cmd_simulate_def,
    &cmd_today_def,
};

const struct cmd *cmd_find(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

bool is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

const char *opt_value(const struct cmd *c, int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        die_usage(c, "option '%s' needs a value", name);
    return argv[++*i];
}

void error_msg(const char *fmt, ...)
{
    va_list ap;
    fputs("pliant: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void warning_msg(const char *fmt, ...)
{
    va_list ap;
    fputs("pliant: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void die_usage(const struct cmd *c, const char *fmt, ...)
{
    va_list ap;
    fputs("pliant: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (c)
        fprintf(stderr, "usage: %s\n(see 'pliant help %s')\n",
                strtok(strdup(c->usage), "\n"), c->name);
    exit(EXIT_USAGE);
}

unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                errno = EIO;
            }
            break;
        }
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf)
        *n = len;
    return buf;
}

void json_str(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    fputc('"', f);
    while (p < end) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            p++;
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            p++;
        } else {
            /* Validate one UTF-8 sequence (RFC 3629): lead byte, length,
             * continuation bytes, no overlong forms or surrogates. */
            size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            bool ok = len && (size_t)(end - p) >= len;
            for (size_t i = 1; ok && i < len; i++)
                ok = (p[i] & 0xC0) == 0x80;
            if (ok && len == 3)
                ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0);
            if (ok && len == 4)
                ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
            if (ok) {
                fwrite(p, 1, len, f);
                p += len;
            } else {
                fputs("\xEF\xBF\xBD", f);
                p++;
            }
        }
    }
    fputc('"', f);
}

void json_cstr(FILE *f, const char *s)
{
    json_str(f, s ? s : "", s ? strlen(s) : 0);
}

void json_num(FILE *f, double x, int decimals)
{
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.*f", decimals, x);
    if (n < 0 || (size_t)n >= sizeof buf) {
        fprintf(f, "%.17g", x);
        return;
    }
    if (strchr(buf, '.')) {
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    fputs(strcmp(buf, "-0") == 0 ? "0" : buf, f);
}

static void print_overview(FILE *f)
{
    fprintf(f,
            "usage: pliant <command> [options] [args]\n"
            "\n"
            "pliant plans a runner's recovery from their own activity files.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f,
            "\n"
            "'pliant help <command>' or 'pliant <command> --help' explains one.\n"
            "--db PATH picks the store (default: $PLIANT_DB, else\n"
            "$XDG_DATA_HOME/pliant/pliant.db or ~/.local/share/pliant/pliant.db).\n"
            "Exit status: 0 success, 1 some inputs were bad but the rest was done,\n"
            "2 usage error, 3 nothing could be done.\n");
}

int main(int argc, char **argv)
{
    /* A global option before the command: --db PATH (or --db=PATH) picks
     * the store of every command that uses one, as PLIANT_DB does. */
    while (argc >= 2 && strncmp(argv[1], "--db", 4) == 0 &&
           (argv[1][4] == '\0' || argv[1][4] == '=')) {
        bool joined = argv[1][4] == '=';
        const char *v = joined ? argv[1] + 5 : argc >= 3 ? argv[2] : NULL;
        if (!v || !*v) {
            error_msg("option '--db' needs a path");
            return EXIT_USAGE;
        }
        setenv("PLIANT_DB", v, 1);
        int used = joined ? 1 : 2;
        argv[used] = argv[0];
        argv += used;
        argc -= used;
    }
    if (argc < 2) {
        print_overview(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (is_help(name)) {
        print_overview(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("pliant %s (FIT profile %s)\n", PL_VERSION, pl_fit_profile_version());
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_overview(stdout);
            return 0;
        }
        const struct cmd *c = cmd_find(argv[2]);
        if (!c) {
            error_msg("'%s' is not a pliant command; see 'pliant --help'", argv[2]);
            return EXIT_USAGE;
        }
        fputs(c->usage, stdout);
        return 0;
    }
    const struct cmd *c = cmd_find(name);
    if (!c) {
        error_msg("'%s' is not a pliant command; see 'pliant --help'", name);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (is_help(argv[i])) {
            fputs(c->usage, stdout);
            return 0;
        }
    }
    return c->fn(argc - 1, argv + 1);
}

int write_output(const char *path, const char *what, const void *buf, size_t n)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0) {
            error_msg("cannot write %s: %s", what, strerror(errno));
            return EXIT_NOTHING;
        }
        return 0;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        error_msg("out of memory");
        return EXIT_NOTHING;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        error_msg("cannot write %s to '%s': %s", what, path, strerror(errno));
        free(tmp);
        return EXIT_NOTHING;
    }
    bool ok = fwrite(buf, 1, n, f) == n;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        remove(tmp);
        error_msg("cannot write %s to '%s': %s", what, path, strerror(err));
    }
    free(tmp);
    return ok ? 0 : EXIT_NOTHING;
}
