#!/bin/sh
# t0602-load-simulated: pliant load on a simulated history imported from
# its Strava export. --json has the documented shape; the planted race,
# the trips and every evening run are found, and nothing else is flagged
# travel or race; a declared race counts; --from/--to windows; the table
# and its reasons; activities --json carries each load and show --json
# the metrics.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 to read the JSON"
export PLIANT_DB="$TMPDIR/pliant.db"

# No store: exit 3, nothing created.
expect_exit 3 "$PLIANT" load
[ -e "$PLIANT_DB" ] && fail "load created the store"

expect_exit 0 "$PLIANT" simulate --weeks 12 --out "$TMPDIR/sim" --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

expect_exit 0 "$PLIANT" load --json
cp "$OUT" "$TMPDIR/load.json"
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"
/usr/bin/python3 - "$TMPDIR/load.json" "$TMPDIR/sim/truth.json" <<'PY' || fail "load --json disagrees with truth.json"
import datetime, json, sys
load = json.load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))
def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)

days = load["days"]
flags_known = {"hard", "race", "travel", "evening_run", "recovery_needed"}
keys = ["date", "load", "ctl", "atl", "tsb", "acwr", "monotony", "strain", "flags", "reasons"]
prev = None
for d in days:
    for k in keys:
        if k not in d:
            fail(f"{d.get('date')}: no key {k}")
    if not isinstance(d["flags"], list) or not set(d["flags"]) <= flags_known:
        fail(f"{d['date']}: flags {d['flags']}")
    if not isinstance(d["reasons"], list):
        fail(f"{d['date']}: reasons is not an array")
    if d["flags"] and not d["reasons"]:
        fail(f"{d['date']}: flags {d['flags']} without a reason")
    for k in ("load", "ctl", "atl", "tsb"):
        if not isinstance(d[k], (int, float)):
            fail(f"{d['date']}: {k} is {d[k]!r}")
    day = datetime.date.fromisoformat(d["date"])
    if prev and day != prev + datetime.timedelta(days=1):
        fail(f"{d['date']} does not follow {prev}")
    prev = day
if load["from"] != days[0]["date"] or load["to"] != days[-1]["date"]:
    fail("from/to do not match the days")
first_run = min(a["local_start"][:10] for a in truth["activities"])
if days[0]["date"] != first_run:
    fail(f"the series starts {days[0]['date']}, the first run is on {first_run}")
by_date = {d["date"]: d for d in days}

# Every day with a run has load; rest days have none; form is yesterday's
# fitness minus fatigue.
run_days = {a["local_start"][:10] for a in truth["activities"]}
for d in days:
    if (d["date"] in run_days) != (d["load"] > 0):
        fail(f"{d['date']}: load {d['load']}, run that day: {d['date'] in run_days}")
for a, b in zip(days, days[1:]):
    if abs(b["tsb"] - (a["ctl"] - a["atl"])) > 0.02:
        fail(f"{b['date']}: tsb {b['tsb']} is not yesterday's ctl - atl")

# The race: its day is a race and hard; no other day is a race.
races = {r["date"] for r in truth["races"]}
for r in races:
    if "race" not in by_date[r]["flags"] or "hard" not in by_date[r]["flags"]:
        fail(f"race day {r}: flags {by_date[r]['flags']}")
others = [d["date"] for d in days if "race" in d["flags"] and d["date"] not in races]
if others:
    fail(f"not races: {others}")

# Trips: each planted trip is flagged within a day (the likely travel day
# between the last run at one place and the first at the next), and no
# travel is flagged away from them.
trip_days = [datetime.date.fromisoformat(t["day"]) for t in truth["trips"]]
def near_trip(s):
    day = datetime.date.fromisoformat(s)
    return any(abs((day - t).days) <= 1 for t in trip_days)
travel = [d["date"] for d in days if "travel" in d["flags"]]
for t in trip_days:
    if not any(abs((datetime.date.fromisoformat(x) - t).days) <= 1 for x in travel):
        fail(f"trip on {t} not found; travel flagged on {travel}")
stray = [x for x in travel if not near_trip(x)]
if stray:
    fail(f"travel flagged with no trip near: {stray}")
if not load["trips"]:
    fail("no trips listed")

# Evening runs: exactly the days of the planted ones.
evening = {a["local_start"][:10] for a in truth["activities"] if a["evening"]}
flagged = {d["date"] for d in days if "evening_run" in d["flags"]}
if evening != flagged:
    fail(f"evening runs planted on {sorted(evening - flagged)} not found; "
         f"flagged without one: {sorted(flagged - evening)}")
# The club runs intervals on Tuesday and tempo on Thursday evenings.
if not {"tue", "thu"} <= set(load["evening_habit"]["weekdays"]):
    fail(f"evening habit {load['evening_habit']}")

# Hard days: the race and the long runs at least; ACWR is null while the
# chronic load is small, and a number later.
hard = {d["date"] for d in days if "hard" in d["flags"]}
if len(hard) < 10:
    fail(f"only {len(hard)} hard days")
if days[0]["acwr"] is not None:
    fail("acwr on the first day")
if not any(d["acwr"] is not None for d in days[-14:]):
    fail("no acwr in the last two weeks")
PY

# The table: the last 42 days by default, a line of reasons under a
# flagged day, the summary and the evening habit.
expect_exit 0 "$PLIANT" load
cp "$OUT" "$TMPDIR/table"
expect_contains "$OUT" "DATE       DAY  LOAD  FITNESS  FATIGUE   FORM  ACWR  MONO  FLAGS"
[ "$(grep -c '^20[0-9][0-9]-' "$OUT")" -eq 42 ] || fail "the table should show 42 days"
race=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["races"][0]["date"])' "$TMPDIR/sim/truth.json")
grep -q "^$race Sun .* hard race" "$OUT" || { show_file stdout "$OUT"; fail "the race day is not flagged in the table"; }
grep -A3 "^$race " "$OUT" | grep -q '^                race' || fail "no reason under the race day"
expect_contains "$OUT" "42 days, "
expect_contains "$OUT" "1 race,"
expect_contains "$OUT" "evening runs are the habit on Tue"
expect_contains "$OUT" "not a risk verdict"
# Not a terminal: no chart.
expect_lacks "$OUT" "Training load"

# Windows.
expect_exit 0 "$PLIANT" load --from 2026-02-02 --to 2026-02-08 --json
[ "$(grep -c '"date": "2026-02-0' "$OUT")" -eq 7 ] || fail "--from/--to should give 7 days"
expect_contains "$OUT" '"from": "2026-02-02", "to": "2026-02-08"'
expect_exit 0 "$PLIANT" load --from 2026-02-02 --to 2026-02-08
[ "$(grep -c '^2026-02-0' "$OUT")" -eq 7 ] || fail "the table for a week should have 7 lines"
# A later --to carries the series on with rest days.
expect_exit 0 "$PLIANT" load --from 2026-04-01 --to 2026-04-10 --json
[ "$(grep -c '"rest": true' "$OUT")" -eq 10 ] || fail "days after the history should be rest days"
expect_exit 0 "$PLIANT" load --from 2030-01-01 --to 2030-01-02 --json
expect_exit 0 "$PLIANT" load --from 2020-01-01 --to 2020-01-31
expect_contains "$OUT" "no days in that window"
expect_exit 0 "$PLIANT" load --from 2020-01-01 --to 2020-01-31 --json
expect_contains "$OUT" '"days": []'

# Usage errors.
expect_exit 2 "$PLIANT" load --from 2026-02-08 --to 2026-02-01
expect_contains "$ERR" "--from is after --to"
expect_exit 2 "$PLIANT" load --from yesterday
expect_exit 2 "$PLIANT" load --json --csv
expect_exit 2 "$PLIANT" load --ctl-days 0
expect_exit 2 "$PLIANT" load --frobnicate

# Other time constants change the numbers, and say so.
expect_exit 0 "$PLIANT" load --ctl-days 28 --atl-days 5 --json
expect_contains "$OUT" '"ctl_days": 28, "atl_days": 5'
cmp -s "$OUT" "$TMPDIR/load.json" && fail "--ctl-days changed nothing"

# A declared race on a training day counts, with its name in the reason.
expect_exit 0 "$PLIANT" event add race 2026-02-01 "Club 10k"
expect_exit 0 "$PLIANT" load --from 2026-02-01 --to 2026-02-02 --json
/usr/bin/python3 - "$OUT" <<'PY' || fail "the declared race is not marked"
import json, sys
d = json.load(open(sys.argv[1]))["days"]
assert "race" in d[0]["flags"], d[0]
assert any("Club 10k" in r for r in d[0]["reasons"]), d[0]["reasons"]
assert "recovery_needed" in d[1]["flags"], d[1]
PY

# activities and show carry the load.
expect_exit 0 "$PLIANT" activities --json
/usr/bin/python3 - "$OUT" <<'PY' || fail "activities --json lacks loads"
import json, sys
acts = json.load(open(sys.argv[1]))
for a in acts:
    assert isinstance(a["load"], (int, float)) and a["load"] > 0, a
    assert a["load_source"] == "hrss", a
PY
expect_exit 0 "$PLIANT" activities
expect_contains "$OUT" "HR      LOAD  NAME"
id=$(grep 'Madrid Half Marathon' "$OUT" | awk '{print $1}')
[ -n "$id" ] || fail "no race in the activities list"
expect_exit 0 "$PLIANT" show "$id" --json
/usr/bin/python3 - "$OUT" <<'PY' || fail "show --json lacks metrics"
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
for k in ("trimp", "trimp_edwards", "hrss", "rtss", "intensity_factor", "ngp_mps",
          "zones_s", "load", "load_source", "flags", "reasons"):
    assert k in m, k
assert len(m["zones_s"]) == 5
assert m["load_source"] == "hrss" and m["load"] == m["hrss"], m
assert "race" in m["flags"] and "hard" in m["flags"], m
assert m["intensity_factor"] > 0.85, m
PY
expect_exit 0 "$PLIANT" show "$id"
expect_contains "$OUT" "  load         "
expect_contains "$OUT" "from heart rate (HRSS)"
expect_contains "$OUT" "  scores       TRIMP "
expect_contains "$OUT" "  HR zones     Z1 "
grep -q '^  flags        ' "$OUT" || fail "show prints no flags for the race"
exit 0
