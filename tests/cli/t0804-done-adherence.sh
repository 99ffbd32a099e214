#!/bin/sh
# t0804-done-adherence: pliant done and skip record what was done with
# the plan's items, checked against the plan of the item's day; pliant
# adherence counts the hard days and trips whose routines were all done,
# the daily routine and its streak.
. "$(dirname "$0")/lib.sh"

export PLIANT_DB="$TMPDIR/store.db"
small=$ROOT/tests/data/plan/small-protocol.yaml
expect_exit 0 "$PLIANT" simulate --weeks 12 --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

expect_exit 0 "$PLIANT" adherence --from 2026-03-09 --days 15 --protocol "$small" --json
expect_contains "$OUT" '"from": "2026-03-09", "to": "2026-03-23", "items": 27, "done": 0, "skipped": 0, "hard_days": 3, "hard_done": 0, "travel_days": 2, "travel_done": 0, "daily_days": 15, "daily_done": 0, "streak_days": 0}'

expect_exit 0 "$PLIANT" done --protocol "$small" 2026-03-20.travel.soak 2026-03-20.travel.flush 2026-03-20.travel.water
expect_contains "$OUT" "done: 2026-03-20.travel.soak (Hot shower or Epsom soak, 12:00)"
expect_exit 0 "$PLIANT" done --protocol "$small" 2026-03-10.hard.flush 2026-03-10.hard.soak \
    2026-03-20.daily.mobility 2026-03-21.daily.mobility 2026-03-22.daily.mobility
# Marked again: the last mark counts.
expect_exit 0 "$PLIANT" done --protocol "$small" 2026-03-23.travel.flush
expect_exit 0 "$PLIANT" skip --protocol "$small" 2026-03-23.travel.flush --why "the train was late"
expect_contains "$OUT" "skipped: 2026-03-23.travel.flush (Flush massage, 12:15)"

expect_exit 0 "$PLIANT" adherence --from 2026-03-09 --days 15 --protocol "$small" --json
expect_contains "$OUT" '"items": 27, "done": 8, "skipped": 1, "hard_days": 3, "hard_done": 1, "travel_days": 2, "travel_done": 1, "daily_days": 15, "daily_done": 3, "streak_days": 3}'
expect_exit 0 "$PLIANT" adherence --from 2026-03-09 --days 15 --protocol "$small"
expect_contains "$OUT" "hard days        1 of 3 got all their routines (33 %)"
expect_contains "$OUT" "daily streak     3 days in a row"

# Ids that are not in their day's plan are refused, with the day's ids.
expect_exit 3 "$PLIANT" done --protocol "$small" 2026-03-20.travel.deep
expect_contains "$ERR" "no item '2026-03-20.travel.deep' in the plan for 2026-03-20; that day has:"
expect_contains "$ERR" "  2026-03-20.travel.soak"
expect_exit 1 "$PLIANT" done --protocol "$small" 2026-03-19.daily.mobility not-an-id
expect_contains "$ERR" "'not-an-id' is not a plan item id"
expect_exit 2 "$PLIANT" done
expect_exit 2 "$PLIANT" done --why x 2026-03-19.daily.mobility
expect_exit 2 "$PLIANT" adherence --days 400
exit 0
