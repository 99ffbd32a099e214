/*
 * store.h - what lib/store.c shows inside libpliant and to its own tests
 * (private; not installed). Everything else uses the Store section of
 * pliant.h.
 */
#ifndef PL_STORE_H
#define PL_STORE_H

#include "internal.h"

/* The SQLite handle behind a store, for tests that need to reach under
 * the API: set PRAGMA max_page_count to fill the "disk", or query_only to
 * make it read-only, and check the rows. Never for library code. */
struct sqlite3;
struct sqlite3 *pl__store_db(struct pl_store *s);

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
