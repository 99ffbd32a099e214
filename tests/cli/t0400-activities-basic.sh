#!/bin/sh
# t0400-activities-basic: pliant activities lists a store filled from a
# simulated history, as a table and as JSON that agrees with the
# simulator's truth.json; the filters, --db before or after the command,
# PLIANT_DB, and a missing store (exit 3, not created).
#
# The store is filled by tests/tools/store-fill.c through the library, so
# that this test does not depend on 'pliant import'.
. "$(dirname "$0")/lib.sh"

FILL=$TMPDIR/store-fill
ROOT=$ROOT BUILD=$BUILD tests/tools/build-store-fill.sh "$FILL" ||
    fail "cannot build tests/tools/store-fill.c"

expect_exit 0 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/sim"
DB=$TMPDIR/store/pliant.db
expect_exit 0 "$FILL" "$DB" "$TMPDIR"/sim/*.fit
[ "$(grep -c '^new ' "$OUT")" -eq 11 ] || fail "expected 11 new activities from store-fill"

# The table: a header, one line per activity oldest first, a total.
expect_exit 0 "$PLIANT" activities --db "$DB"
expect_contains "$OUT" "ID  DATE"
expect_contains "$OUT" "2026-01-06 18:16  running"
expect_contains "$OUT" "9.23 km"
# The race in Madrid starts at 09:00 local time (08:00 UTC).
expect_contains "$OUT" "2026-01-18 09:00  running       1:31:11  21.10 km"
expect_contains "$OUT" "2026-01-18-0900-race.fit"
expect_contains "$OUT" "11 activities, 96.3 km"
[ "$(grep -c ' running ' "$OUT")" -eq 11 ] || fail "expected 11 rows"
head -n 2 "$OUT" | grep -q '^ *1  2026-01-06' || fail "the oldest is not first"
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"

# --db before the command, and PLIANT_DB, pick the same store.
cp "$OUT" "$TMPDIR/table"
expect_exit 0 "$PLIANT" --db "$DB" activities
cmp -s "$OUT" "$TMPDIR/table" || fail "'pliant --db X activities' differs"
expect_exit 0 "$PLIANT" --db="$DB" activities
cmp -s "$OUT" "$TMPDIR/table" || fail "'pliant --db=X activities' differs"
expect_exit 0 env PLIANT_DB="$DB" "$PLIANT" activities
cmp -s "$OUT" "$TMPDIR/table" || fail "PLIANT_DB differs"

# JSON: an array of objects with the documented keys; every activity
# agrees with what the simulator planted.
expect_exit 0 "$PLIANT" activities --db "$DB" --json
cp "$OUT" "$TMPDIR/list.json"
expect_contains "$OUT" '"sport": "running"'
expect_contains "$OUT" '"start": "2026-01-18T08:00:'
expect_contains "$OUT" '"utc_offset_s": 3600'
expect_contains "$OUT" '"power_avg": null'
expect_contains "$OUT" '"source_kind": "fit"'
if command -v node >/dev/null 2>&1; then
    node - "$TMPDIR/list.json" "$TMPDIR/sim/truth.json" <<'EOF' || fail "JSON disagrees with truth.json"
const fs = require("fs");
const list = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const truth = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const fail = (m) => { console.error(m); process.exit(1); };
if (!Array.isArray(list) || list.length !== truth.activities.length)
    fail(`expected ${truth.activities.length} activities, got ${list.length}`);
const keys = ["id", "sport", "start", "utc_offset_s", "duration_s", "distance_m",
              "ascent_m", "hr_avg", "hr_max", "source"];
let prev = "";
for (const a of list) {
    for (const k of keys) if (!(k in a)) fail(`activity ${a.id}: no key ${k}`);
    const t = truth.activities.find(x => a.source.endsWith("/" + x.file));
    if (!t) fail(`activity ${a.id}: ${a.source} is not in truth.json`);
    if (a.start !== t.start_utc) fail(`${t.file}: start ${a.start}, truth ${t.start_utc}`);
    if (a.utc_offset_s !== t.utc_offset_s) fail(`${t.file}: offset ${a.utc_offset_s}`);
    if (Math.abs(a.distance_m - t.distance_m) > 0.01) fail(`${t.file}: distance ${a.distance_m}, truth ${t.distance_m}`);
    if (Math.abs(a.duration_s - t.elapsed_s) > 1) fail(`${t.file}: duration ${a.duration_s}, truth ${t.elapsed_s}`);
    if (a.hr_max !== t.hr_bpm_max) fail(`${t.file}: hr_max ${a.hr_max}, truth ${t.hr_bpm_max}`);
    if (Math.abs(a.hr_avg - t.hr_bpm_avg) > 1) fail(`${t.file}: hr_avg ${a.hr_avg}, truth ${t.hr_bpm_avg}`);
    if (a.start < prev) fail("not oldest first");
    prev = a.start;
}
EOF
fi

# Filters by local day: the race day holds the race only; --until takes
# the whole day.
expect_exit 0 "$PLIANT" activities --db "$DB" --since 2026-01-18 --until 2026-01-18
expect_contains "$OUT" "2026-01-18-0900-race.fit"
expect_contains "$OUT" "1 activity,"
expect_exit 0 "$PLIANT" activities --db "$DB" --since=2026-01-13 --until=2026-01-15 --json
[ "$(grep -c '"id"' "$OUT")" -eq 3 ] || fail "13 to 15 January should hold 3 activities"
# Instants in UTC: the race starts at 08:00:00Z.
expect_exit 0 "$PLIANT" activities --db "$DB" --since 2026-01-18T08:00:00Z --json
[ "$(grep -c '"id"' "$OUT")" -eq 1 ] || fail "--since 08:00:00Z should keep the race"
expect_exit 0 "$PLIANT" activities --db "$DB" --since 2026-01-18T08:00:01Z --json
expect_contains "$OUT" "[]"
expect_exit 0 "$PLIANT" activities --db "$DB" --until 2026-01-06T18:16:22Z
expect_contains "$OUT" "1 activity,"

# By sport, in any spelling pl_sport_parse knows.
expect_exit 0 "$PLIANT" activities --db "$DB" --sport Run
expect_contains "$OUT" "11 activities"
expect_exit 0 "$PLIANT" activities --db "$DB" --sport cycling
expect_contains "$OUT" "no activities match"
expect_exit 0 "$PLIANT" activities --db "$DB" --sport cycling --json
expect_contains "$OUT" "[]"

# Usage errors: exit 2, the reason on stderr.
expect_exit 2 "$PLIANT" activities --db "$DB" --since yesterday
expect_contains "$ERR" "--since wants a date"
expect_exit 2 "$PLIANT" activities --db "$DB" --until 2026-02-30
expect_contains "$ERR" "not a calendar date"
expect_exit 2 "$PLIANT" activities --db "$DB" --sport quidditch
expect_contains "$ERR" "unknown sport 'quidditch'"
expect_exit 2 "$PLIANT" activities --db "$DB" --frobnicate
expect_contains "$ERR" "unknown argument"
expect_exit 2 "$PLIANT" activities --db
expect_contains "$ERR" "needs a value"
expect_exit 2 "$PLIANT" --db

# A store that is not there: exit 3, a message naming it, nothing created.
expect_exit 3 "$PLIANT" activities --db "$TMPDIR/none/pliant.db"
expect_contains "$ERR" "no store at '$TMPDIR/none/pliant.db'"
[ -e "$TMPDIR/none" ] && fail "reading created the store's folder"
# The default path (XDG_DATA_HOME, set by run-all.sh or here) likewise.
expect_exit 3 env -u PLIANT_DB XDG_DATA_HOME="$TMPDIR/xdg" "$PLIANT" activities
expect_contains "$ERR" "$TMPDIR/xdg/pliant/pliant.db"
[ -e "$TMPDIR/xdg" ] && fail "reading created the default store"
exit 0
