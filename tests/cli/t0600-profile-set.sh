#!/bin/sh
# t0600-profile-set: pliant profile shows every key with its origin and
# method; profile set changes keys all at once, unsets them with KEY=, and
# refuses an unknown key, a bad value or values that contradict each other
# without changing anything (the JSON before and after is byte for byte
# the same); set creates a store, showing does not.
. "$(dirname "$0")/lib.sh"

DB=$TMPDIR/store/pliant.db

# Showing needs a store and does not make one.
expect_exit 3 "$PLIANT" profile --db "$DB"
expect_contains "$ERR" "no store at '$DB'"
[ -e "$TMPDIR/store" ] && fail "showing the profile created the store"

# A short simulated history, so that there is something to estimate from.
expect_exit 0 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" import --db "$DB" "$TMPDIR/sim"

expect_exit 0 "$PLIANT" profile --db "$DB"
for key in sex birth_year max_hr resting_hr lthr threshold_pace evening_hour home; do
    grep -q "^  $key " "$OUT" || { show_file stdout "$OUT"; fail "no line for $key"; }
done
expect_contains "$OUT" "estimates from activities up to 2026-01-18"
# Nothing is set yet: maximum HR is estimated from the runs, the evening
# hour is the documented default.
grep -q '^  max_hr .* estimated ' "$OUT" || fail "max_hr is not estimated"
grep -q '^  evening_hour *17:00 *default ' "$OUT" || fail "evening_hour is not the default 17:00"

expect_exit 0 "$PLIANT" profile --db "$DB" --json
cp "$OUT" "$TMPDIR/before.json"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$TMPDIR/before.json" <<'PY' || fail "profile --json has the wrong shape"
import json, sys
p = json.load(open(sys.argv[1]))
keys = ["sex", "birth_year", "max_hr", "resting_hr", "lthr", "threshold_pace",
        "evening_hour", "home"]
for k in keys:
    v = p[k]
    for f in ("value", "text", "unit", "origin", "method"):
        assert f in v, (k, f)
    assert v["origin"] in ("set", "estimated", "default", "none"), (k, v["origin"])
    if v["origin"] in ("estimated", "default"):
        assert v["method"], (k, "no method")
assert p["max_hr"]["origin"] == "estimated" and 150 < p["max_hr"]["value"] < 230, p["max_hr"]
assert p["evening_hour"]["value"] == 17 and p["evening_hour"]["origin"] == "default"
assert p["as_of"].startswith("2026-01-18T"), p["as_of"]
PY
fi

# Refusals: exit 2, a message that names the key, and nothing changed.
refuse() {
    why=$1
    shift
    expect_exit 2 "$PLIANT" profile set --db "$DB" "$@"
    expect_contains "$ERR" "$why"
    expect_contains "$ERR" "nothing was changed"
    expect_exit 0 "$PLIANT" profile --db "$DB" --json
    cmp -s "$OUT" "$TMPDIR/before.json" || fail "'profile set $*' was refused but changed the profile"
}
refuse "colour" max_hr=190 colour=blue
refuse "max_hr" max_hr=300
refuse "max_hr" max_hr=fast
refuse "threshold_pace" lthr=170 threshold_pace=4:75
refuse "sex" sex=robot
refuse "home" home=95,10
refuse "lthr" max_hr=180 lthr=190
refuse "evening_hour" evening_hour=24

# Not KEY=VALUE, or nothing to set: usage errors before the store is read.
expect_exit 2 "$PLIANT" profile set --db "$DB" max_hr
expect_contains "$ERR" "is not KEY=VALUE"
expect_exit 2 "$PLIANT" profile set --db "$DB"
expect_contains "$ERR" "what to set?"
expect_exit 2 "$PLIANT" profile --db "$DB" frobnicate
expect_exit 2 "$PLIANT" profile --db "$DB" --frobnicate

# Several keys at once; each is shown as it now is.
expect_exit 0 "$PLIANT" profile set --db "$DB" sex=female max_hr=192 lthr=172 \
    threshold_pace=4:35 home=38.7223,-9.1393 evening_hour=18
expect_contains "$OUT" "sex = female (set)"
expect_contains "$OUT" "max_hr = 192 bpm (set)"
expect_contains "$OUT" "lthr = 172 bpm (set)"
expect_contains "$OUT" "threshold_pace = 4:35 /km (set)"
expect_contains "$OUT" "evening_hour = 18:00 (set)"
expect_contains "$OUT" "home = 38.7223,-9.1393"
expect_exit 0 "$PLIANT" profile --db "$DB"
grep -q '^  max_hr *192 bpm *set' "$OUT" || { show_file stdout "$OUT"; fail "max_hr not set"; }
expect_exit 0 "$PLIANT" profile --db "$DB" --json
expect_contains "$OUT" '"sex": {"value": "female"'
expect_contains "$OUT" '"threshold_pace": {"value": 275'
expect_contains "$OUT" '"home": {"value": {"lat": 38.7223, "lon": -9.1393}'

# A contradiction with what is already set is refused too.
cp "$OUT" "$TMPDIR/before.json"
refuse "lthr" lthr=200
refuse "resting_hr" resting_hr=175

# KEY= unsets: the estimate is back.
expect_exit 0 "$PLIANT" profile set --db "$DB" max_hr=
expect_contains "$OUT" "max_hr = "
expect_contains "$OUT" "(estimated)"

# set makes a store when there is none (a profile before the first import).
expect_exit 0 "$PLIANT" profile set --db "$TMPDIR/new/pliant.db" max_hr=185
[ -f "$TMPDIR/new/pliant.db" ] || fail "profile set did not create the store"
expect_exit 0 "$PLIANT" profile --db "$TMPDIR/new/pliant.db"
grep -q '^  max_hr *185 bpm *set' "$OUT" || { show_file stdout "$OUT"; fail "max_hr not kept"; }
expect_contains "$OUT" "no activities yet"
exit 0
