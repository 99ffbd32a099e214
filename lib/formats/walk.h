/*
 * walk.h - the walker over files, folders and archives (lib/formats/archive.c)
 * and the byte sources it hands over; private to libpliant, not installed.
 *
 * The walker knows nothing of activities or the store; the importer
 * (lib/import/import.c) gives it a handler that does.
 * docs/internals/import.md explains the design.
 */
#ifndef PL_WALK_H
#define PL_WALK_H

#include "base/internal.h"

/* ------------------------------------------------------------------ */
/* Byte sources                                                         */
/* ------------------------------------------------------------------ */

/* One file's bytes as the walker hands them over: a file on disk, an entry
 * of an archive (decompressed), or a block of memory. Read-only, forward
 * only, valid during the on_file callback that receives it. */
struct pl__src;

/* Read up to n bytes into buf. *got is 0 at the end. On failure diag says
 * why: PL_EIO (disk), PL_EFORMAT (the archive is damaged: libarchive's
 * message, offset = bytes of the archive read so far), PL_ELIMIT (a limit
 * of lib/base/pl_limits.h: the file or the archive expands too much). */
int pl__src_read(struct pl__src *s, void *buf, size_t n, size_t *got,
                 struct pl_diag *diag);
/* Read the rest of the source into *buf (grown with pl__realloc, capacity
 * in *cap; reused across calls), at most max bytes: PL_ELIMIT past it. */
int pl__src_read_all(struct pl__src *s, uint8_t **buf, size_t *cap,
                     size_t *n, size_t max, struct pl_diag *diag);
/* When the source is a block of memory already (a gzip the walker
 * inflated whole, pl__walk_mem) of at most max bytes, none of it read
 * yet but what on_peek saw: true with the whole of it in *p, *n, valid
 * during on_file, and the source read to its end. Else false, and the
 * source is as it was: read it with pl__src_read_all. Spares a copy. */
bool pl__src_whole(struct pl__src *s, const uint8_t **p, size_t *n, size_t max);

/* ------------------------------------------------------------------ */
/* Walking paths and archives                                           */
/* ------------------------------------------------------------------ */

/* Limits for one walk; pl__walk_limits_init() sets lib/base/pl_limits.h's. */
struct pl__walk_limits {
    uint64_t entry_bytes_max;     /* bytes one archive entry may expand to */
    uint64_t total_bytes_max;     /* bytes all archives of a walk may expand
                                     to, at every level together */
    uint64_t ratio_max;           /* expanded / compressed, per entry ... */
    uint64_t ratio_grace_bytes;   /* ... checked once it has made this much */
    uint64_t entries_max;         /* entries of one archive */
    uint64_t total_entries_max;   /* entries of all archives of a walk */
    unsigned depth_max;           /* archives inside archives */
    unsigned dir_depth_max;       /* folders inside folders */
};
void pl__walk_limits_init(struct pl__walk_limits *l);

/* What a walk does with what it finds. Paths are as the user gave them,
 * with "!" and the entry's name for what is inside an archive
 * ("export.zip!activities/1.fit.gz"); a .gz file keeps its own name.
 * Every callback returns 0 to go on, or an error code (PL_ENOMEM, PL_EDB)
 * to stop the whole walk, which then returns that code. */
struct pl__walk_handler {
    void *ctx;
    /* A file that is no archive: p holds its first n bytes (n may be less
     * than the file, and 0 for an empty file). Set *want to get the whole
     * file through on_file; leave it false to pass (the handler reports
     * why, if it wants). */
    int (*on_peek)(void *ctx, const char *path, const uint8_t *p, size_t n,
                   bool *want);
    /* The file asked for. Errors while reading it are the handler's to
     * report (the file failed); the walk goes on after it. */
    int (*on_file)(void *ctx, const char *path, struct pl__src *src);
    /* A path, folder or archive that could not be read (or past a limit):
     * the walk goes on with the next thing it can read. */
    int (*on_error)(void *ctx, const char *path, const struct pl_diag *d);
    /* Bytes read from disk so far, for progress; may be NULL. */
    void (*on_bytes)(void *ctx, uint64_t bytes_read);
};

/* How many bytes of a file on_peek sees at most: enough for every magic
 * number the walker and the readers test (tar's is at 257). */
#define PL__PEEK_BYTES 512

struct pl__walk;
/* NULL when out of memory. lim NULL: the defaults. */
struct pl__walk *pl__walk_new(const struct pl__walk_handler *h,
                              const struct pl__walk_limits *lim);
void pl__walk_free(struct pl__walk *w);
/* Walk one path: a file, "-" for standard input, or a folder (its files
 * sorted by name, byte-wise, recursively; names starting with '.' and
 * links to folders are left out). 0, or the code a callback stopped with. */
int pl__walk_path(struct pl__walk *w, const char *path, struct pl_diag *diag);
/* Walk a block of memory named name as if it were a file (fuzzing, tests). */
int pl__walk_mem(struct pl__walk *w, const char *name, const void *p,
                 size_t n, struct pl_diag *diag);

/* Counting before the walk, for a progress bar: regular files under path
 * (by the same rules as pl__walk_path), their bytes on disk, and for a
 * .zip the entries its central directory lists (folders left out; nested
 * archives count as one). Never fails: what cannot be read counts as one
 * file. Gives up counting (returns early) past entries_max. */
void pl__walk_count(const char *path, uint64_t entries_max, uint64_t *files,
                    uint64_t *bytes);

#endif
