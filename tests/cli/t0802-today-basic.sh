#!/bin/sh
# t0802-today-basic: `pliant today` is the plan for one day, today; with
# declared events to come (a trip, a race the next day) it plans around
# them and says what it left out.
. "$(dirname "$0")/lib.sh"

export PLIANT_DB="$TMPDIR/store.db"
small=$ROOT/tests/data/plan/small-protocol.yaml
expect_exit 0 "$PLIANT" simulate --weeks 2 --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

expect_exit 0 "$PLIANT" today --protocol "$small"
expect_contains "$OUT" "Recovery plan for $(date +%Y-%m-%d) (Small test protocol)"
expect_contains "$OUT" "Daily mobility"
expect_exit 2 "$PLIANT" today --days 3

# Declared: a trip tomorrow morning, an evening run after it, a race the
# day after at 09:00. The deep tissue before the evening run would fall
# within 24 h of the race: it is left out, and the plan says why.
d1=$(date -d tomorrow +%Y-%m-%d) || skip "needs GNU date"
d2=$(date -d '2 days' +%Y-%m-%d)
expect_exit 0 "$PLIANT" event add travel "${d1}T08:00" --hours 3 --from Lisbon --to Porto
expect_exit 0 "$PLIANT" event add run "${d1}T18:30" "Easy run"
expect_exit 0 "$PLIANT" event add race "${d2}T09:00" "Porto Half" --hours 2
expect_exit 0 "$PLIANT" plan --from "$d1" --days 2 --protocol "$small"
expect_contains "$OUT" "11:00-11:15  Hot shower or Epsom soak (heat)"
expect_contains "$OUT" "why: you travel today (Lisbon to Porto); race tomorrow"
expect_contains "$OUT" "note: no Deep tissue session: race tomorrow at 09:00 (nothing deep in the 24 hours before a race)"

# Without the race, the deep tissue ends 40 to 60 minutes before the run.
expect_exit 0 "$PLIANT" event list --json
id=$(sed -n 's/.*"id": \([0-9]*\), "kind": "race".*/\1/p' "$OUT" | head -n 1)
[ -n "$id" ] || fail "no race id in the event list"
expect_exit 0 "$PLIANT" event rm "$id"
expect_exit 0 "$PLIANT" plan --from "$d1" --days 1 --protocol "$small"
expect_contains "$OUT" "17:20-17:50  Deep tissue session (massage)"
expect_contains "$OUT" "before today's Easy run at 18:30 (planned)"
exit 0
