/*
 * pl_limits.h - every limit libpliant puts on its input, in one place.
 * (Named like sqlite's sqliteLimit.h, not limits.h: a lib/limits.h on the
 * include path shadows the C library's <limits.h>, even through the
 * compiler's own #include_next.)
 *
 * A count or size read from a file is checked against the bytes left and
 * against one of these before it is used. Each says why it is what it is.
 */
#ifndef PL_PL_LIMITS_H
#define PL_PL_LIMITS_H

/* FIT: a definition has at most 255 fields and 255 developer fields of at
 * most 255 bytes each (one-byte counts and sizes in the protocol), so one
 * message is at most 2 * 255 * 255 bytes plus its header. The decoder's
 * carry-over buffer for a message split across feeds is this large. */
#define PL_FIT_MSG_BYTES_MAX (1 + 2 * 255 * 255)
/* A definition record: 6 bytes, 3 per field, 1 + 3 per developer field. */
#define PL_FIT_DEF_BYTES_MAX (6 + 3 * 255 + 1 + 3 * 255)
/* Chained FIT files in one input. Real devices chain a handful (the corpus
 * has at most 5); more than this is hostile input. */
#define PL_FIT_SEGMENTS_MAX 255
/* Developer data indexes are one byte, so 256 developers; each may declare
 * 256 field numbers. */
#define PL_FIT_DEV_INDEX_MAX 256
/* Developer field descriptions kept at once. A file declares a few dozen
 * (the corpus's largest declares 125); the table is searched per message. */
#define PL_FIT_DEV_FIELDS_MAX 1024
/* Values one message may carry after expansion: fields, components,
 * sub-fields and developer fields. 255 + 255 fields, each of which may add
 * at most a few expanded values; 2048 is far above any profile message. */
#define PL_FIT_VALUES_MAX 2048
/* Numbers of array elements one message may carry after decoding (a field
 * of 255 bytes of uint8 is 255 numbers; 510 such fields). */
#define PL_FIT_NUMS_MAX (2 * 255 * 255)
/* Warnings reported per input; further ones are counted, not reported. */
#define PL_FIT_WARNINGS_MAX 100

/* Activities (lib/activity/activity.c and the readers). */
/* Samples one activity may hold: a week at 1 Hz. Nobody records longer in
 * one file; at most ten streams of 8-byte numbers this is ~48 MB, the most
 * one activity may cost. Streams grow geometrically up to it; more samples
 * are an error (PL_ELIMIT), not a silent cut. */
#define PL_ACT_SAMPLES_MAX (7 * 24 * 3600)
/* Laps kept per activity (a lap every 100 m for a 400 km ultra); more are
 * dropped with a warning. */
#define PL_ACT_LAPS_MAX 4096
/* Activities one file may yield (TCX Activity elements, FIT sessions over
 * all chained segments). A triathlon has five sessions; a TCX export of a
 * whole history might hold a few thousand. */
#define PL_ACT_PER_FILE_MAX 10000

/* XML (lib/formats/xml.c): GPX and TCX nest about ten deep; 64 leaves room for
 * odd extensions and stops stack-exhausting inputs early. */
#define PL_XML_DEPTH_MAX 64
/* Direct text of one element. Real values (numbers, times, names, a
 * description) are far shorter; a longer run of text is hostile. */
#define PL_XML_TEXT_BYTES_MAX (64 * 1024)
/* Bytes expat may have to buffer for one unfinished token (a start tag with
 * its attributes, a comment, a processing instruction). expat keeps the
 * whole token in memory, so this bounds its buffer whatever the input. */
#define PL_XML_TOKEN_BYTES_MAX (1024 * 1024)

/* Import (lib/formats/archive.c, lib/import/import.c, lib/formats/csv.c). Archives are hostile
 * twice over, by their bytes and by what the bytes expand to; these bound
 * both time and memory whatever an archive holds (docs/internals/import.md).
 * One file is held whole in memory while it is hashed and read (after
 * gunzip): a 24 h run at 1 Hz is ~2.3 MB as FIT and ~15 MB as TCX, so
 * 64 MiB reads two days of the most verbose format. */
#define PL_IMPORT_FILE_BYTES_MAX (64u << 20)
/* An entry of an archive that is itself an archive (Garmin's export holds
 * zips of a few hundred MB) may expand to this much... */
#define PL_IMPORT_ENTRY_BYTES_MAX (UINT64_C(8) << 30)
/* ...and everything one import decompresses, at every level together, to
 * this much: 64 GiB is a hundred decades of 1 Hz FIT files, and about a
 * minute of inflating. */
#define PL_IMPORT_TOTAL_BYTES_MAX (UINT64_C(64) << 30)
/* An entry that makes more than this many bytes per compressed byte is a
 * zip bomb: deflate's best is 1032:1 (RFC 1951 maximum match of 258 bytes
 * per ~2 bits), zeros reach it; activity files compress 3-20 times. The
 * ratio is checked once an entry has made PL_IMPORT_RATIO_GRACE_BYTES, so
 * that a small file of zeros is not taken for a bomb. */
#define PL_IMPORT_RATIO_MAX 200
#define PL_IMPORT_RATIO_GRACE_BYTES (1u << 20)
/* A gzip member that makes at most this much (and whose compressed bytes
 * are no more) is read whole and inflated in one call by libdeflate, not
 * streamed through libarchive and zlib: a day at 1 Hz is 2.3 MB of FIT,
 * so this takes every activity file but the longest TCX. Its two buffers
 * cost at most twice this, beside the file the importer holds. */
#define PL_IMPORT_GZIP_WHOLE_BYTES_MAX (8u << 20)
/* Files the importer puts in one store transaction (each in a savepoint
 * of its own, so that one failing is undone alone), and the bytes they
 * may hold: a commit per file rewrote the same index pages each time, and
 * a batch holds the write lock, which another writer waits for (10 s at
 * most), for a fraction of a second at the speed the import reads. */
#define PL_IMPORT_BATCH_FILES_MAX 32
#define PL_IMPORT_BATCH_BYTES_MAX (16u << 20)
/* Entries of one archive (folders and files): a decade of daily runs with
 * every other file of a Garmin export is ~50 000. Past it the archive is
 * not read further, so a million empty entries cost a fraction of a
 * second, not an unbounded list of reports. */
#define PL_IMPORT_ENTRIES_MAX 100000
/* Entries of all archives of one import, and files of one folder. */
#define PL_IMPORT_TOTAL_ENTRIES_MAX 1000000
/* Archives inside archives: Garmin's export is a zip of zips of files, a
 * Strava export a zip of .gz; a .tar.gz of those is 4 deep. */
#define PL_IMPORT_NESTING_MAX 4
/* Folders inside folders: deeper is a loop or hostile. */
#define PL_IMPORT_DIR_DEPTH_MAX 32
/* A path reported for a file, "outer.zip!inner/x.fit" included: longer
 * ones are cut (with "...") for the report and the store. */
#define PL_IMPORT_PATH_BYTES_MAX 4096

/* CSV (lib/formats/csv.c), for Strava's activities.csv. A field is one value (a
 * description of a few paragraphs at most); Strava's file has ~90 columns
 * and a row per activity. */
#define PL_CSV_FIELD_BYTES_MAX (64 * 1024)
#define PL_CSV_FIELDS_MAX 1024
#define PL_CSV_RECORDS_MAX 1000000

/* The store (lib/store/store.c, lib/store/streamcodec.c). Start times it accepts:
 * +-2^40 s is +-35,000 years, so that a start plus or minus the twin
 * window, or plus a duration, cannot overflow. */
#define PL_STORE_START_S_ABS_MAX (INT64_C(1) << 40)
/* A stream value is stored as a whole number of its step within +-2^50:
 * far beyond any measurement (2^50 cm is 10^13 m), and small enough that
 * residuals of order 2 (within +-2^52) and their zigzag codes cannot
 * overflow. A value outside is stored as absent. */
#define PL_STREAM_QUANTUM_MAX (INT64_C(1) << 50)

/* Charts (lib/render/svg.c, lib/render/termchart.c). An SVG chart of a century of days
 * with a tooltip on every bar is a few MB; past this it is a bug, not a
 * chart. Bars carry a tooltip each up to PL_SVG_TOOLTIP_DAYS_MAX days
 * (about two years): beyond, the file would grow by megabytes of text
 * nobody hovers over. A terminal chart is at most 1000 x 1000 cells of a
 * few bytes each, with colour codes. */
#define PL_SVG_BYTES_MAX (32u << 20)
#define PL_SVG_TOOLTIP_DAYS_MAX 750
#define PL_TERMCHART_BYTES_MAX (16u << 20)

/* Protocol files (lib/recovery/protocol.c), YAML written by people. The default is
 * ~20 KB with ~40 routines and rules; these leave a hundred times that
 * room and bound what a hostile file can cost: the bytes (libyaml holds
 * one scalar whole), the nesting (the grammar needs 7 levels; the
 * screening section a few more), the nodes kept (a few dozen bytes each),
 * the items of any one list, the length of one text (a paragraph of how
 * or why) and of an id, and the errors reported. */
#define PL_PROTOCOL_BYTES_MAX (1u << 20)
#define PL_PROTOCOL_DEPTH_MAX 16
#define PL_PROTOCOL_NODES_MAX 50000
#define PL_PROTOCOL_LIST_MAX 1000
#define PL_PROTOCOL_TEXT_BYTES_MAX 4096
#define PL_PROTOCOL_ID_BYTES_MAX 64
#define PL_PROTOCOL_ERRORS_MAX 100
/* Times in a protocol: a step lasts at most a day (a soak is minutes; a
 * longer "step" is a mistake); a window or a constraint spans at most a
 * week; a program repeats for at most two weeks; counts of repetitions
 * and sets are those of an exercise, not of a year. */
#define PL_PROTOCOL_STEP_S_MAX (24 * 3600)
#define PL_PROTOCOL_WINDOW_S_MAX (7 * 24 * 3600)
#define PL_PROTOCOL_DAYS_MAX 14
#define PL_PROTOCOL_REPS_MAX 1000
#define PL_PROTOCOL_SETS_MAX 100

#endif
