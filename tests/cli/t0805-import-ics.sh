#!/bin/sh
# t0805-import-ics: a coach's training plan as iCalendar comes in as
# declared sessions (a race when it says so; hard when its name says so),
# zoned, UTC, floating and all-day times alike; rest days and pliant's own
# exported items are left out; importing again adds nothing; the plan
# then times the recovery around the sessions.
. "$(dirname "$0")/lib.sh"

export TZ=UTC PLIANT_DB="$TMPDIR/store.db"
cal=$ROOT/tests/data/plan/training-plan.ics
expect_exit 0 "$PLIANT" simulate --weeks 2 --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

expect_exit 0 "$PLIANT" import "$cal"
expect_contains "$OUT" "calendar $cal: 4 planned sessions declared (2 hard, 1 race), 0 already there, 1 left out"
expect_exit 0 "$PLIANT" event list --json
expect_contains "$OUT" '"kind": "run", "date": "2026-12-01", "time": "18:30", "hours": 1, "name": "Intervals 6 x 800 m"'
expect_contains "$OUT" '"kind": "run", "date": "2026-12-03", "time": "07:00", "hours": 0.75, "name": "Easy run"'
expect_contains "$OUT" '"kind": "run", "date": "2026-12-05", "time": null'
expect_contains "$OUT" '"kind": "race", "date": "2026-12-06", "time": "09:00"'
expect_lacks "$OUT" "Rest day"

# Again, with pliant's own export of a plan: nothing new.
expect_exit 0 "$PLIANT" plan --from 2026-12-01 --days 6 --ics "$TMPDIR/own.ics"
expect_exit 0 "$PLIANT" import "$cal" "$TMPDIR/own.ics"
expect_contains "$OUT" "calendar $cal: 0 planned sessions declared (0 hard, 0 races), 4 already there, 1 left out"
expect_contains "$OUT" "of pliant's own recovery items)"
expect_exit 0 "$PLIANT" event list --json
[ "$(grep -c '"kind": ' "$OUT")" -eq 4 ] || fail "events were declared twice"

# The plan times the recovery around them.
expect_exit 0 "$PLIANT" plan --from 2026-12-01 --days 6 --json
expect_contains "$OUT" '"reason": "after today'"'"'s Intervals 6 x 800 m (planned); race on Sunday"'
expect_contains "$OUT" '"reason": "after today'"'"'s Porto Half Marathon at 09:00 (planned)"'

# Not a calendar: reported, and the rest goes on.
printf 'BEGIN:VCARD\r\nEND:VCARD\r\n' >"$TMPDIR/bad.ics"
expect_exit 1 "$PLIANT" import "$TMPDIR/bad.ics" "$TMPDIR/export.zip"
expect_contains "$ERR" "cannot import the calendar '$TMPDIR/bad.ics': not an iCalendar file"
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n' >"$TMPDIR/bad2.ics"
expect_exit 1 "$PLIANT" import "$TMPDIR/bad2.ics"
expect_contains "$ERR" "cannot import the calendar '$TMPDIR/bad2.ics': line 3: END:VTODO does not close the open component"
printf 'BEGIN:VCALENDAR\r\nEND:VEVENT\r\n' >"$TMPDIR/bad3.ics"
expect_exit 1 "$PLIANT" import "$TMPDIR/bad3.ics"
expect_contains "$ERR" "line 2: END:VEVENT does not close the open component"
expect_lacks "$ERR" "icalparser"
exit 0
