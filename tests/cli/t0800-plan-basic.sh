#!/bin/sh
# t0800-plan-basic: the plan for the simulated runner's race week, from a
# store filled by importing a simulated Strava export: the travel sequence
# in order after the trip, the flush after hard days, nothing deep in the
# 24 hours before the race, no overlaps, reasons with the facts, the JSON
# fields, the same plan twice; and the usage errors.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 to read the JSON"
export PLIANT_DB="$TMPDIR/store.db"
small=$ROOT/tests/data/plan/small-protocol.yaml

expect_exit 0 "$PLIANT" simulate --weeks 12 --out "$TMPDIR/sim" --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

# The week before the race (truth.json: a trip to Madrid on 2026-03-20,
# the Madrid Half Marathon on Sunday 2026-03-22, home on 2026-03-23).
expect_exit 0 "$PLIANT" plan --from 2026-03-09 --days 15 --protocol "$small"
cp "$OUT" "$TMPDIR/plan.txt"
expect_contains "$OUT" "Recovery plan, 2026-03-09 to 2026-03-23 (Small test protocol)"
expect_contains "$OUT" "Friday 2026-03-20"
expect_contains "$OUT" "why: you travelled about 502 km today"
expect_contains "$OUT" "race on Sunday"
expect_contains "$OUT" "Hamstring origin 3:00, Hamstrings 5:00, Glutes 4:00, Whole back 5:00"
expect_contains "$OUT" "(IF 0."
expect_contains "$OUT" "  09:00-10:30  > Madrid Half Marathon (done, race)"
expect_contains "$OUT" "Advice for healthy runners, not a diagnosis."

expect_exit 0 "$PLIANT" plan --from 2026-03-09 --days 15 --protocol "$small" --json
cp "$OUT" "$TMPDIR/plan.json"
/usr/bin/python3 - "$TMPDIR/plan.json" "$TMPDIR/sim/truth.json" <<'PY' || fail "the JSON plan is wrong (above)"
import json, sys
from datetime import datetime, timedelta
plan = json.load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))
items = plan["items"]
assert plan["from"] == "2026-03-09" and plan["days"] == 15, plan["from"]
need = {"id", "start", "end", "routine", "title", "kind", "trigger", "reason", "steps", "covers"}
for it in items:
    assert need <= set(it), (it["id"], need - set(it))
    for s in it["steps"]:
        assert {"area", "duration_s", "how"} <= set(s), s
assert len({it["id"] for it in items}) == len(items), "ids are not unique"
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
# No overlaps, and in time order.
spans = sorted((t(it["start_utc"]), t(it["end_utc"]), it["id"]) for it in items)
for (a0, a1, ia), (b0, b1, ib) in zip(spans, spans[1:]):
    assert a1 <= b0, "%s overlaps %s" % (ia, ib)
assert [it["id"] for it in items] == [s[2] for s in spans], "items not in time order"
# The travel day: soak, flush, water, in that order, starting at the trip.
trip = truth["trips"][0]["day"]
seq = [it for it in items if it["date"] == trip and it["rule"] == "travel"]
assert [it["routine"] for it in seq] == ["soak", "flush", "water"], seq
assert all("502 km" in it["reason"] for it in seq)
assert seq[1]["covers"] == ["D2"], seq[1]["covers"]
# Hard days get the flush, then the soak, with the figures.
hard = [it for it in items if it["trigger"] == "hard-session"]
assert len(hard) >= 4, len(hard)
assert any("IF 0." in it["reason"] and "HRSS" in it["reason"] for it in hard)
# Nothing deep in the 24 h before the race.
race = truth["races"][0]
start = None
for a in truth["activities"]:
    if a["file"] == race["file"]:
        start = t(a["start_utc"])
assert start, "race activity not found in truth.json"
for it in items:
    if it["routine"] == "deep":
        assert not (start - timedelta(hours=24) < t(it["end_utc"]) and t(it["start_utc"]) < start), it["id"]
# The runs the plan was made around.
sess = plan["sessions"]
assert any(x["name"] == "Madrid Half Marathon" and x["race"] and x["source"] == "done" for x in sess), sess
assert all("2026-03-09" <= x["date"] <= "2026-03-23" for x in sess)
# Every item's local start is on its date.
for it in items:
    assert it["start"].startswith(it["date"]), it["id"]
PY

# The same store, protocol and range: the same plan.
expect_exit 0 "$PLIANT" plan --from 2026-03-09 --days 15 --protocol "$small" --json
cmp -s "$OUT" "$TMPDIR/plan.json" || fail "two runs gave different plans"

# --name=VALUE is the same as --name VALUE.
expect_exit 0 "$PLIANT" plan --from=2026-03-09 --days=15 --protocol="$small" --json
cmp -s "$OUT" "$TMPDIR/plan.json" || fail "--name=VALUE gave another plan"

# The default protocol plans the same week.
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 8
expect_contains "$OUT" "Recovery plan, 2026-03-16 to 2026-03-23"
expect_contains "$OUT" "Flush massage"

# Usage and input errors.
expect_exit 2 "$PLIANT" plan --days 0
expect_contains "$ERR" "--days: '0' is not a number of days (1..366)"
expect_exit 2 "$PLIANT" plan --from 2026-02-30
expect_contains "$ERR" "--from: '2026-02-30' is not a date"
expect_exit 2 "$PLIANT" plan --bogus
printf 'id: x\ntitle: [\n' >"$TMPDIR/bad.yaml"
expect_exit 3 "$PLIANT" plan --protocol "$TMPDIR/bad.yaml"
expect_contains "$ERR" "$TMPDIR/bad.yaml:"
expect_exit 3 "$PLIANT" plan --protocol "$TMPDIR/missing.yaml"
expect_contains "$ERR" "cannot read the protocol '$TMPDIR/missing.yaml'"
expect_exit 3 "$PLIANT" plan --db "$TMPDIR/nothing.db" --protocol "$small"
expect_contains "$ERR" "no store at '$TMPDIR/nothing.db'"
exit 0
