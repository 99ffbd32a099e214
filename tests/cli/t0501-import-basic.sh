#!/bin/sh
# t0501-import-basic: pliant import reads files, folders, .gz, .tar and
# .tar.gz, passes over what it has, reports skipped and bad files with the
# reason and where, and prints its summary as text or JSON.
. "$(dirname "$0")/lib.sh"
need_cmd gzip tar

DB=$TMPDIR/store.db
export PLIANT_DB="$DB"

# Help and usage errors.
expect_exit 0 "$PLIANT" import --help
expect_contains "$OUT" "usage: pliant import PATH... [--json] [--quiet] [--strict] [--db PATH]"
expect_exit 2 "$PLIANT" import
expect_contains "$ERR" "nothing to import"
expect_exit 2 "$PLIANT" import --frobnicate x.fit
expect_contains "$ERR" "unknown option '--frobnicate'"
expect_exit 2 "$PLIANT" import x.fit --db
expect_contains "$ERR" "option '--db' needs a value"

# Two weeks of runs in a folder (and truth.json, which is no activity).
expect_exit 0 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/runs"
expect_exit 0 "$PLIANT" import "$TMPDIR/runs"
expect_contains "$OUT" "imported 11 files: 11 new activities"
expect_contains "$OUT" "duplicates: 0 files"
expect_contains "$OUT" "skipped: 1 file"
expect_contains "$OUT" "1 not an activity file (FIT, GPX or TCX): $TMPDIR/runs/truth.json"
expect_contains "$OUT" "failed: 0 files"
[ -s "$ERR" ] && { show_file stderr "$ERR"; fail "a quiet import wrote to stderr (no terminal)"; }

# Again: every file is a duplicate, found by its hash.
expect_exit 0 "$PLIANT" import "$TMPDIR/runs" --db "$DB"
expect_contains "$OUT" "imported 0 files: 0 new activities"
expect_contains "$OUT" "duplicates: 11 files already in the store"

# The same runs as .fit.gz, in a .tar and a .tar.gz, and on standard
# input: all duplicates, with paths inside the archives.
mkdir "$TMPDIR/gz"
for f in "$TMPDIR/runs"/*.fit; do gzip -c "$f" >"$TMPDIR/gz/$(basename "$f").gz"; done
(cd "$TMPDIR/gz" && tar -cf ../runs.tar ./*.fit.gz && tar -czf ../runs.tar.gz ./*.fit.gz)
expect_exit 0 "$PLIANT" import --json "$TMPDIR/runs.tar" "$TMPDIR/runs.tar.gz"
expect_contains "$OUT" '{"imported": 0, "duplicates": 22, "skipped": [], "failed": []'
expect_exit 0 sh -c 'exec "$0" import --json - <"$1"' "$PLIANT" "$TMPDIR/gz/2026-01-18-0900-race.fit.gz"
expect_contains "$OUT" '"duplicates": 1,'

# A fresh store takes the .tar.gz whole.
expect_exit 0 "$PLIANT" import --db "$TMPDIR/other.db" "$TMPDIR/runs.tar.gz"
expect_contains "$OUT" "imported 11 files: 11 new activities"
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/other.db" --json
expect_contains "$OUT" "runs.tar.gz!./2026-01-18-0900-race.fit.gz"

# Bad files: reported with the reason and where; the rest goes on; exit 1.
race=$TMPDIR/runs/2026-01-18-0900-race.fit
mkdir "$TMPDIR/bad"
head -c 2000 "$race" >"$TMPDIR/bad/cut.fit"
printf 'this is no FIT file at all' >"$TMPDIR/bad/garbage.fit"
printf '<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg><trkpt lat="x" lon="1">' >"$TMPDIR/bad/broken.gpx"
: >"$TMPDIR/bad/empty.tcx"
expect_exit 1 "$PLIANT" import "$TMPDIR/bad" "$TMPDIR/missing.fit"
expect_contains "$OUT" "failed: 3 files"
expect_contains "$OUT" "$TMPDIR/bad/garbage.fit: not a FIT, GPX or TCX file"
expect_contains "$OUT" "$TMPDIR/bad/broken.gpx: "
expect_contains "$OUT" "line 3"
expect_contains "$OUT" "$TMPDIR/missing.fit: cannot open: No such file or directory"
expect_contains "$OUT" "1 an empty file: $TMPDIR/bad/empty.tcx"
# A FIT file cut short keeps what its complete records hold, with a
# warning that says where it ends...
expect_contains "$OUT" "warnings: 1 file"
expect_contains "$OUT" "$TMPDIR/bad/cut.fit: input ends at byte 2000"
# ...unless --strict, where it fails (a fresh store, or it is a duplicate).
expect_exit 1 "$PLIANT" import --strict --json --db "$TMPDIR/strict.db" "$TMPDIR/bad/cut.fit"
expect_contains "$OUT" '"failed": [{"file": "'"$TMPDIR"'/bad/cut.fit", "error": "input ends at byte 2000'

# JSON: the four keys of the summary, one line.
expect_exit 1 "$PLIANT" import --json "$TMPDIR/bad/garbage.fit" "$TMPDIR/runs/truth.json"
expect_contains "$OUT" '{"imported": 0, "duplicates": 0, "skipped": [{"file": "'"$TMPDIR"'/runs/truth.json", "reason": "not an activity file (FIT, GPX or TCX)"}], "failed": [{"file": "'"$TMPDIR"'/bad/garbage.fit", "error": "not a FIT, GPX or TCX file'
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "--json printed more than one line"

# A store that cannot be opened: exit 3, nothing done.
: >"$TMPDIR/afile"
expect_exit 3 "$PLIANT" import --db "$TMPDIR/afile/store.db" "$race"
expect_contains "$ERR" "cannot open the store"

# A small file after one of more than 4 MiB (48 hours at 1 Hz), whose
# buffer the importer lets go: once read from freed memory.
expect_exit 0 "$PLIANT" simulate --hours 48 --out "$TMPDIR/big/a"
expect_exit 0 "$PLIANT" simulate --weeks 1 --out "$TMPDIR/big/b"
expect_exit 0 "$PLIANT" import --db "$TMPDIR/big.db" "$TMPDIR/big"
expect_contains "$OUT" "imported 6 files: 6 new activities"

# On a terminal, a progress bar on stderr; --quiet silences it.
if command -v script >/dev/null 2>&1; then
    script -qec "'$PLIANT' import --db '$TMPDIR/tty.db' '$TMPDIR/runs'" /dev/null >"$TMPDIR/tty.out" 2>&1 </dev/null
    expect_contains "$TMPDIR/tty.out" "/12 files"
    expect_contains "$TMPDIR/tty.out" "MB/s"
    script -qec "'$PLIANT' import --quiet --db '$TMPDIR/tty2.db' '$TMPDIR/runs'" /dev/null >"$TMPDIR/tty2.out" 2>&1 </dev/null
    expect_lacks "$TMPDIR/tty2.out" "MB/s"
fi
exit 0
