#!/bin/sh
# t0801-plan-ics: the plan as iCalendar, read back by an independent
# parser (Debian's python3-icalendar): one VEVENT per item, UIDs from the
# item ids, UTC times equal to the JSON's, steps and reason in the
# description, categories; exporting again gives the same UIDs, and with
# SOURCE_DATE_EPOCH the same bytes.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"
/usr/bin/python3 -c 'import icalendar' 2>/dev/null ||
    skip "needs python3-icalendar (tools/deps.sh installs it)"
export PLIANT_DB="$TMPDIR/store.db"
small=$ROOT/tests/data/plan/small-protocol.yaml

expect_exit 0 "$PLIANT" simulate --weeks 12 --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

export SOURCE_DATE_EPOCH=1774000000
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 8 --protocol "$small" --ics "$TMPDIR/plan.ics"
expect_contains "$OUT" "wrote "
expect_contains "$OUT" " events to $TMPDIR/plan.ics"
[ -f "$TMPDIR/plan.ics.tmp" ] && fail "a temporary file was left"
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 8 --protocol "$small" --json --ics "$TMPDIR/again.ics"
cp "$OUT" "$TMPDIR/plan.json"
cmp -s "$TMPDIR/plan.ics" "$TMPDIR/again.ics" || fail "two exports of the same plan differ"

/usr/bin/python3 - "$TMPDIR/plan.ics" "$TMPDIR/plan.json" <<'PY' || fail "the calendar is wrong (above)"
import json, sys
from datetime import datetime, timezone
import icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
plan = json.load(open(sys.argv[2]))
assert str(cal["VERSION"]) == "2.0" and "pliant" in str(cal["PRODID"])
evs = [c for c in cal.walk() if c.name == "VEVENT"]
items = plan["items"]
assert len(evs) == len(items) > 0, (len(evs), len(items))
utc = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
for ev, it in zip(evs, items):
    assert str(ev["UID"]) == it["id"] + "@pliant", (ev["UID"], it["id"])
    a, b = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert a.tzinfo is not None and a.utcoffset().total_seconds() == 0, a
    assert a == utc(it["start_utc"]) and b == utc(it["end_utc"]), (a, it["start_utc"])
    assert str(ev["SUMMARY"]) == it["title"]
    d = str(ev["DESCRIPTION"])
    assert it["reason"] in d, (it["reason"], d)
    for s in it["steps"]:
        assert s["area"] in d
    assert "not a diagnosis" in d
    cats = ev.get("CATEGORIES")
    cats = cats if isinstance(cats, list) else [cats]
    names = [str(c) for cat in cats for c in cat.cats]
    assert names == ["Recovery", it["kind"], it["trigger"]], names
assert len({str(e["UID"]) for e in evs}) == len(evs)
PY

# A longer export keeps the UIDs of the days both cover: a calendar that
# imports it updates those events instead of adding twins.
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 10 --protocol "$small" --ics "$TMPDIR/longer.ics"
grep '^UID:' "$TMPDIR/plan.ics" | sort >"$TMPDIR/uids1"
grep '^UID:' "$TMPDIR/longer.ics" | sort >"$TMPDIR/uids2"
[ -z "$(comm -23 "$TMPDIR/uids1" "$TMPDIR/uids2")" ] || fail "UIDs changed between exports"

# An unwritable path fails cleanly.
expect_exit 3 "$PLIANT" plan --from 2026-03-16 --protocol "$small" --ics "$TMPDIR/no/such/dir/x.ics"
expect_contains "$ERR" "cannot write '$TMPDIR/no/such/dir/x.ics"
exit 0
