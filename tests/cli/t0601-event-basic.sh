#!/bin/sh
# t0601-event-basic: pliant event add, list (text and JSON, windows) and
# rm; bad kinds, dates, durations and places are usage errors that add
# nothing; removing what is not there is exit 3.
. "$(dirname "$0")/lib.sh"

DB=$TMPDIR/pliant.db

# Listing needs a store and does not make one; adding makes it.
expect_exit 3 "$PLIANT" event list --db "$DB"
[ -e "$DB" ] && fail "event list created the store"

expect_exit 0 "$PLIANT" event add --db "$DB" race 2026-04-26T09:00 "Madrid half"
expect_contains "$OUT" 'added event 1: race 2026-04-26 09:00 "Madrid half"'
expect_exit 0 "$PLIANT" event add --db "$DB" travel 2026-04-24 --hours 3 --from Zurich --to Madrid
expect_contains "$OUT" "added event 2: travel 2026-04-24 Zurich -> Madrid, 3 h"
expect_exit 0 "$PLIANT" event add --db "$DB" run "2026-04-28 18:30"
expect_contains "$OUT" "added event 3: run 2026-04-28 18:30"
expect_exit 0 "$PLIANT" --db "$DB" event add travel 2026-05-01 "home again" --to=Zurich --hours=2.5
expect_contains "$OUT" 'added event 4: travel 2026-05-01 "home again" ? -> Zurich, 2.5 h'
# Names may be anything; JSON escapes them.
expect_exit 0 "$PLIANT" event add --db "$DB" race 2026-06-07 'Tag "Lauf" \ Zürich'
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"

# The list: by date, with IDs.
expect_exit 0 "$PLIANT" event list --db "$DB"
expect_contains "$OUT" "ID  KIND    WHEN"
[ "$(grep -c '^ *[0-9]' "$OUT")" -eq 5 ] || { show_file stdout "$OUT"; fail "expected 5 events"; }
sed -n 2p "$OUT" | grep -q '^ *2  travel  2026-04-24 ' || { show_file stdout "$OUT"; fail "not by date"; }
expect_contains "$OUT" "Zurich -> Madrid"
expect_contains "$OUT" "2026-04-26 09:00"

expect_exit 0 "$PLIANT" event list --db "$DB" --json
expect_contains "$OUT" '{"id": 1, "kind": "race", "date": "2026-04-26", "time": "09:00", "hours": null, "name": "Madrid half", "from": "", "to": ""}'
expect_contains "$OUT" '{"id": 2, "kind": "travel", "date": "2026-04-24", "time": null, "hours": 3, "name": "", "from": "Zurich", "to": "Madrid"}'
expect_contains "$OUT" '"name": "Tag \"Lauf\" \\ Zürich"'
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); assert [e["id"] for e in l] == [2,1,3,4,5], l' "$OUT" ||
        fail "event list --json is not a JSON array by date"
fi

# Windows: --from/--to are days, both ends kept.
expect_exit 0 "$PLIANT" event list --db "$DB" --from 2026-04-26 --to 2026-04-28 --json
[ "$(grep -c '"id"' "$OUT")" -eq 2 ] || fail "26 to 28 April holds 2 events"
expect_exit 0 "$PLIANT" event list --db "$DB" --from 2027-01-01
expect_contains "$OUT" "no events in that window"
expect_exit 0 "$PLIANT" event list --db "$DB" --from 2027-01-01 --json
expect_contains "$OUT" "[]"

# Usage errors add nothing.
expect_exit 0 "$PLIANT" event list --db "$DB" --json
cp "$OUT" "$TMPDIR/before.json"
no_change() {
    expect_exit 0 "$PLIANT" event list --db "$DB" --json
    cmp -s "$OUT" "$TMPDIR/before.json" || fail "a refused 'event add' changed the events"
}
expect_exit 2 "$PLIANT" event add --db "$DB" party 2026-05-01
expect_contains "$ERR" "unknown kind of event 'party'"
no_change
expect_exit 2 "$PLIANT" event add --db "$DB" race 2026-02-30
expect_contains "$ERR" "is not a local date"
expect_exit 2 "$PLIANT" event add --db "$DB" race 2026-04-26T25:00
expect_exit 2 "$PLIANT" event add --db "$DB" race tomorrow
expect_exit 2 "$PLIANT" event add --db "$DB" race
expect_contains "$ERR" "needs a KIND"
expect_exit 2 "$PLIANT" event add --db "$DB" travel 2026-05-01 --hours 0
expect_contains "$ERR" "--hours"
expect_exit 2 "$PLIANT" event add --db "$DB" travel 2026-05-01 --hours 200
expect_exit 2 "$PLIANT" event add --db "$DB" travel 2026-05-01 --hours soon
expect_exit 2 "$PLIANT" event add --db "$DB" race 2026-05-01 --from Zurich
expect_contains "$ERR" "--from and --to are for travel"
expect_exit 2 "$PLIANT" event add --db "$DB" race 2026-05-01 a b
expect_contains "$ERR" "too many arguments"
expect_exit 2 "$PLIANT" event add --db "$DB" race 2026-05-01 --frobnicate
expect_exit 2 "$PLIANT" event list --db "$DB" --from yesterday
expect_exit 2 "$PLIANT" event --db "$DB"
expect_exit 2 "$PLIANT" event frobnicate
expect_contains "$ERR" "not an event command"
no_change

# rm: gone from the list; twice is exit 3; IDs are whole numbers.
expect_exit 0 "$PLIANT" event rm --db "$DB" 3
expect_contains "$OUT" "removed event 3"
expect_exit 0 "$PLIANT" event list --db "$DB" --json
expect_lacks "$OUT" '"id": 3,'
[ "$(grep -c '"id"' "$OUT")" -eq 4 ] || fail "4 events should be left"
expect_exit 3 "$PLIANT" event rm --db "$DB" 3
expect_exit 2 "$PLIANT" event rm --db "$DB" three
expect_contains "$ERR" "whole number above 0"
expect_exit 2 "$PLIANT" event rm --db "$DB" 0
expect_exit 2 "$PLIANT" event rm --db "$DB"
expect_exit 2 "$PLIANT" event rm --db "$DB" 1 2
exit 0
