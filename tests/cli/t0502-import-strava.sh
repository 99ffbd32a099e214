#!/bin/sh
# t0502-import-strava: a Strava bulk export (made by simulate
# --strava-export) comes in whole, named, typed and described by its
# activities.csv; the csv also names files imported before, by date.
. "$(dirname "$0")/lib.sh"

export PLIANT_DB="$TMPDIR/store.db"

expect_exit 0 "$PLIANT" simulate --weeks 3 --strava-export "$TMPDIR/export.zip"
expect_contains "$OUT" "strava export: $TMPDIR/export.zip"
n=$(sed -n 's/^wrote \([0-9]*\) activities.*/\1/p' "$OUT")
[ -n "$n" ] && [ "$n" -gt 10 ] || fail "simulate wrote '$n' activities"
[ -f "$TMPDIR/export.zip.tmp" ] && fail "simulate left its temporary file"

# The same options give the same bytes.
expect_exit 0 "$PLIANT" simulate --weeks 3 --strava-export "$TMPDIR/again.zip" --json
expect_contains "$OUT" '"out": null, "strava_export": "'
cmp -s "$TMPDIR/export.zip" "$TMPDIR/again.zip" || fail "two exports of the same history differ"

expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"
expect_contains "$OUT" "imported $n files: $n new activities"
expect_contains "$OUT" "named from activities.csv: $n activities"
expect_contains "$OUT" "failed: 0 files"

expect_exit 0 "$PLIANT" activities --json
[ "$(grep -c '"id": ' "$OUT")" -eq "$n" ] || fail "expected $n activities listed"
expect_contains "$OUT" '"name": "Madrid Half Marathon"'
expect_contains "$OUT" '"description": "Race day: \"goal race\",\u000anegative split."'
expect_contains "$OUT" '"name": "Evening Run", "description": "Track session with the club."'
expect_contains "$OUT" '"source": "'"$TMPDIR"'/export.zip!activities/12000000000.fit.gz"'

# Again: nothing new, and the names are applied again (idempotent).
expect_exit 0 "$PLIANT" import --json "$TMPDIR/export.zip"
expect_contains "$OUT" '{"imported": 0, "duplicates": '"$n"', "skipped": [], "failed": []'
expect_contains "$OUT" '"enriched": '"$n"

# The same history as plain FIT files first, then the export: every file
# is a duplicate by its hash, and the csv still names them all, by date.
expect_exit 0 "$PLIANT" simulate --weeks 3 --out "$TMPDIR/fit"
expect_exit 0 "$PLIANT" import --db "$TMPDIR/two.db" "$TMPDIR/fit"
expect_contains "$OUT" "imported $n files"
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/two.db" --json
expect_lacks "$OUT" "Madrid Half Marathon"
expect_exit 0 "$PLIANT" import --db "$TMPDIR/two.db" "$TMPDIR/export.zip"
expect_contains "$OUT" "duplicates: $n files"
expect_contains "$OUT" "named from activities.csv: $n activities"
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/two.db" --json
expect_contains "$OUT" '"name": "Madrid Half Marathon"'

# An export cut in the middle: what comes before the cut is imported, the
# entry it falls in is reported with where, and the exit status says so.
size=$(wc -c <"$TMPDIR/export.zip")
head -c $((size / 2)) "$TMPDIR/export.zip" >"$TMPDIR/cut.zip"
expect_exit 1 "$PLIANT" import --db "$TMPDIR/cut.db" "$TMPDIR/cut.zip"
expect_contains "$OUT" "failed: 1 file"
expect_contains "$OUT" "$TMPDIR/cut.zip!activities/"
expect_contains "$OUT" "byte "
imported=$(sed -n 's/^imported \([0-9]*\) files.*/\1/p' "$OUT")
[ "$imported" -gt 0 ] && [ "$imported" -lt "$n" ] || fail "cut export imported '$imported' of $n"
exit 0
