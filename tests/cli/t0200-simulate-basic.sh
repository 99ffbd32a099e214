#!/bin/sh
# t0200-simulate-basic: pliant simulate writes a reproducible history, its
# truth.json and a summary; bad arguments are usage errors.
. "$(dirname "$0")/lib.sh"

# Help teaches the options.
expect_exit 0 "$PLIANT" simulate --help
expect_contains "$OUT" "usage: pliant simulate --weeks N --out DIR"
expect_contains "$OUT" "--hours H"
expect_contains "$OUT" "2026-01-05"

# Two weeks: 11 activities with the defaults, a race and the trip to it.
expect_exit 0 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/a"
expect_contains "$OUT" "wrote 11 activities to $TMPDIR/a"
expect_contains "$OUT" "race: 2026-01-18, Madrid Half Marathon, 21.1 km (2026-01-18-0900-race.fit)"
expect_contains "$OUT" "trip: 2026-01-16, Lisbon to Madrid"
[ "$(ls "$TMPDIR/a"/*.fit | wc -l)" -eq 11 ] || fail "expected 11 .fit files in $TMPDIR/a"
[ -s "$TMPDIR/a/truth.json" ] || fail "no truth.json"
expect_contains "$TMPDIR/a/truth.json" '"file": "2026-01-06-1816-intervals.fit", "kind": "intervals"'
expect_contains "$TMPDIR/a/truth.json" '"utc_offset_s": 3600, "evening": false, "place": "Madrid", "away": true'
for f in "$TMPDIR/a"/*.fit; do
    expect_contains "$TMPDIR/a/truth.json" "\"file\": \"$(basename "$f")\""
done

# The same options give the same bytes; --key=value works like --key value.
expect_exit 0 "$PLIANT" simulate --weeks=2 --seed=1 --start=2026-01-05 --out="$TMPDIR/b"
diff -r "$TMPDIR/a" "$TMPDIR/b" >/dev/null || fail "same options, different files"

# Another seed, another history.
expect_exit 0 "$PLIANT" simulate --weeks 2 --seed 2 --out "$TMPDIR/c"
cmp -s "$TMPDIR/a/truth.json" "$TMPDIR/c/truth.json" && fail "seed 2 gave seed 1's history"

# --json: one machine-readable line.
expect_exit 0 "$PLIANT" simulate --weeks 1 --start 2026-06-01 --out "$TMPDIR/d" --json
expect_contains "$OUT" '{"out": "'
expect_contains "$OUT" '"activities": '
expect_contains "$OUT" '"races": [{"date": "2026-06-07", "name": "Madrid Half Marathon"'
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "--json printed more than one line"

# --pattern daily: a run every day of about an hour, but the rest days
# around the race (the Friday before it, here).
expect_exit 0 "$PLIANT" simulate --weeks 2 --pattern daily --out "$TMPDIR/f" --json
expect_contains "$OUT" '"activities": 13,'
expect_contains "$TMPDIR/f/truth.json" '"file": "2026-01-05-0649-easy.fit", "kind": "easy"'
[ "$(ls "$TMPDIR/f"/*.fit | wc -l)" -eq 13 ] || fail "expected 13 .fit files in $TMPDIR/f"
expect_exit 0 "$PLIANT" simulate --weeks 2 --pattern club --out "$TMPDIR/g"
diff -r "$TMPDIR/a" "$TMPDIR/g" >/dev/null || fail "--pattern club is not the default"

# One long run for benchmarks: one file, 1 Hz.
expect_exit 0 "$PLIANT" simulate --hours 0.5 --out "$TMPDIR/e"
[ "$(ls "$TMPDIR/e"/*.fit | wc -l)" -eq 1 ] || fail "--hours should write one file"
expect_contains "$TMPDIR/e/truth.json" '"timer_s": 1800'

# pliant's own decoder reads what simulate writes, with no warning.
expect_exit 0 "$PLIANT" inspect --strict "$TMPDIR/a/2026-01-18-0900-race.fit"
expect_contains "$OUT" "session"

# Usage errors: exit 2, a message on stderr, nothing written.
expect_exit 2 "$PLIANT" simulate
expect_contains "$ERR" "--out DIR is required"
expect_exit 2 "$PLIANT" simulate --out "$TMPDIR/x"
expect_contains "$ERR" "give either --weeks N or --hours H"
expect_exit 2 "$PLIANT" simulate --weeks 0 --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --weeks 521 --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --weeks two --out "$TMPDIR/x"
expect_contains "$ERR" "--weeks must be a whole number"
expect_exit 2 "$PLIANT" simulate --weeks 2 --hours 1 --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --hours 49 --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --weeks 2 --pattern weekly --out "$TMPDIR/x"
expect_contains "$ERR" "--pattern is club or daily"
expect_exit 2 "$PLIANT" simulate --hours 1 --pattern daily --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --weeks 2 --start 2026-02-30 --out "$TMPDIR/x"
expect_contains "$ERR" "not a calendar date"
expect_exit 2 "$PLIANT" simulate --weeks 2 --start 1970-01-05 --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --weeks 2 --seed -1 --out "$TMPDIR/x"
expect_exit 2 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/x" --frobnicate
expect_contains "$ERR" "unknown argument '--frobnicate'"
expect_exit 2 "$PLIANT" simulate --weeks
expect_contains "$ERR" "option '--weeks' needs a value"
[ -e "$TMPDIR/x" ] && fail "a usage error created $TMPDIR/x"

# An output path that cannot be a directory: exit 3.
: >"$TMPDIR/file"
expect_exit 3 "$PLIANT" simulate --weeks 1 --out "$TMPDIR/file"
expect_contains "$ERR" "cannot create directory"
exit 0
