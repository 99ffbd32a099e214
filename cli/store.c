/*
 * store.c - opening the store for a command: --db, else PLIANT_DB or the
 * default path. Reading commands never create a store (an empty one would
 * only hide a mistyped path); changing commands create it.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int open_store(const char *db, bool create, struct pl_store **s)
{
    char path[4096];
    *s = NULL;
    if (db) {
        if (strlen(db) >= sizeof path) {
            error_msg("the store path is too long");
            return EXIT_NOTHING;
        }
        strcpy(path, db);
    } else if (!pl_store_default_path(path, sizeof path)) {
        error_msg("no store: set HOME, PLIANT_DB or use --db PATH");
        return EXIT_NOTHING;
    }
    struct stat st;
    if (!create && stat(path, &st) != 0) {
        if (errno == ENOENT)
            error_msg("no store at '%s': import activities first ('pliant import PATH')", path);
        else
            error_msg("cannot read the store '%s': %s", path, strerror(errno));
        return EXIT_NOTHING;
    }
    struct pl_diag d;
    pl_diag_clear(&d);
    if (pl_store_open(s, path, &d) != PL_OK) {
        error_msg("%s", d.msg);
        return EXIT_NOTHING;
    }
    return 0;
}

int open_store_for_reading(const char *db, struct pl_store **s)
{
    return open_store(db, false, s);
}

int open_store_for_writing(const char *db, struct pl_store **s)
{
    return open_store(db, true, s);
}
