/*
 * store.h - what lib/store/store.c shows inside libpliant and to its own tests
 * (private; not installed). Everything else uses the Store section of
 * pliant.h.
 */
#ifndef PL_STORE_H
#define PL_STORE_H

#include "base/internal.h"

/* The SQLite handle behind a store, for tests that need to reach under
 * the API: set PRAGMA max_page_count to fill the "disk", or query_only to
 * make it read-only, and check the rows. Never for library code. */
struct sqlite3;
struct sqlite3 *pl__store_db(struct pl_store *s);

/* One file's changes inside a caller's transaction (pl_store_begin), for
 * the importer, which puts several files in one transaction: after
 * pl__store_mark, pl__store_mark_keep keeps what was changed since and
 * pl__store_mark_undo undoes it, the rest of the transaction staying
 * either way. Not nested. PL_EINVAL without a transaction; PL_EDB when an
 * earlier error rolled it back. When SQLite aborts the whole transaction,
 * pl__store_mark_undo leaves it broken and pl_store_commit then fails. */
int pl__store_mark(struct pl_store *s, struct pl_diag *diag);
int pl__store_mark_keep(struct pl_store *s, struct pl_diag *diag);
void pl__store_mark_undo(struct pl_store *s);

/* The schema version the built-in migrations lead to. */
int pl__store_schema_version(void);

/* Stream kinds as stored (streams.kind): a fixed number per stream, never
 * renumbered (docs/internals/store.md). */
enum {
    PL__SK_TIME, PL__SK_HR, PL__SK_SPEED, PL__SK_DIST, PL__SK_ALT,
    PL__SK_LAT, PL__SK_LON, PL__SK_CAD, PL__SK_POWER, PL__SK_TEMP,
    PL__SK_COUNT
};
/* The step (10^exp10 of the stream's unit) a stream kind is kept at. */
int pl__store_stream_exp10(int kind);

#endif
