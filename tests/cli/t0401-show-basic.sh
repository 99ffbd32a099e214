#!/bin/sh
# t0401-show-basic: pliant show prints one stored activity with its laps
# and streams, as text and as JSON that agrees with the listing and the
# simulator's truth.json; unknown and malformed IDs.
. "$(dirname "$0")/lib.sh"

FILL=$TMPDIR/store-fill
ROOT=$ROOT BUILD=$BUILD tests/tools/build-store-fill.sh "$FILL" ||
    fail "cannot build tests/tools/store-fill.c"
expect_exit 0 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/sim"
DB=$TMPDIR/pliant.db
expect_exit 0 "$FILL" "$DB" "$TMPDIR"/sim/*.fit
race=$(sed -n 's/^new \([0-9]*\) .*-race\.fit$/\1/p' "$OUT")
[ -n "$race" ] || fail "store-fill stored no race"

# Text: the start in local time with its offset, totals, source, streams,
# and a table of laps.
expect_exit 0 "$PLIANT" show "$race" --db "$DB"
expect_contains "$OUT" "activity $race: running, 2026-01-18 09:00 (UTC+01:00)"
expect_contains "$OUT" "distance     21.10 km"
expect_contains "$OUT" " /km"
expect_contains "$OUT" "heart rate   172 avg, 187 max bpm"
expect_contains "$OUT" "-race.fit (FIT, sha256 "
expect_contains "$OUT" "streams      "
expect_contains "$OUT" "samples"
expect_contains "$OUT" "heart rate, speed, distance, altitude, latitude, longitude, cadence"
expect_contains "$OUT" "LAP  START"
expect_contains "$OUT" "    1  09:00:00"
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"
# --db before the command works too.
cp "$OUT" "$TMPDIR/show.txt"
expect_exit 0 "$PLIANT" --db "$DB" show "$race"
cmp -s "$OUT" "$TMPDIR/show.txt" || fail "'pliant --db X show' differs"

# JSON: one object with the listing's fields, laps and streams.
expect_exit 0 "$PLIANT" show --json --db="$DB" "$race"
cp "$OUT" "$TMPDIR/show.json"
expect_exit 0 "$PLIANT" activities --db "$DB" --json
cp "$OUT" "$TMPDIR/list.json"
if command -v node >/dev/null 2>&1; then
    node - "$TMPDIR/show.json" "$TMPDIR/list.json" "$TMPDIR/sim/truth.json" "$race" <<'EOF' || fail "show --json is wrong"
const fs = require("fs");
const read = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
const [show, list, truth] = [read(process.argv[2]), read(process.argv[3]), read(process.argv[4])];
const id = Number(process.argv[5]);
const fail = (m) => { console.error(m); process.exit(1); };
const listed = list.find(a => a.id === id);
if (!listed) fail("the race is not in the listing");
for (const k of Object.keys(listed))
    if (k !== "laps" && JSON.stringify(listed[k]) !== JSON.stringify(show[k]))
        fail(`${k}: show ${JSON.stringify(show[k])}, activities ${JSON.stringify(listed[k])}`);
if (!Array.isArray(show.laps) || show.laps.length !== listed.laps || show.laps.length < 2)
    fail(`laps: ${JSON.stringify(show.laps)}`);
const lapsum = show.laps.reduce((s, l) => s + l.distance_m, 0);
if (Math.abs(lapsum - show.distance_m) > 1) fail(`laps add up to ${lapsum} m of ${show.distance_m}`);
if (show.laps[0].start !== show.start) fail("the first lap does not start with the activity");
const st = show.streams;
if (!(st.samples > 4000) || Math.abs(st.interval_s - 1) > 0.05) fail(`streams: ${JSON.stringify(st)}`);
for (const k of ["time", "heart_rate", "speed", "distance", "altitude", "latitude", "longitude", "cadence"])
    if (st.present[k] !== st.samples) fail(`stream ${k}: ${st.present[k]} of ${st.samples}`);
if ("power" in st.present) fail("a power stream the simulator never wrote");
const t = truth.activities.find(x => x.kind === "race");
if (show.start !== t.start_utc || Math.abs(show.distance_m - t.distance_m) > 0.01) fail("race differs from truth");
EOF
fi

# An ID that is not there: exit 3 and say so.
expect_exit 3 "$PLIANT" show 999 --db "$DB"
expect_contains "$ERR" "no activity 999 in '$DB'"
# Usage errors: exit 2.
expect_exit 2 "$PLIANT" show --db "$DB"
expect_contains "$ERR" "give its ID"
expect_exit 2 "$PLIANT" show x12 --db "$DB"
expect_contains "$ERR" "whole number above 0"
expect_exit 2 "$PLIANT" show 0 --db "$DB"
expect_exit 2 "$PLIANT" show 1 2 --db "$DB"
expect_exit 2 "$PLIANT" show 1 --frobnicate --db "$DB"
# No store: exit 3, nothing created.
expect_exit 3 "$PLIANT" show 1 --db "$TMPDIR/none.db"
[ -e "$TMPDIR/none.db" ] && fail "show created a store"
exit 0
