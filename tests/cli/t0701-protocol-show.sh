#!/bin/sh
# t0701-protocol-show: `pliant protocol show` prints the default protocol as
# a person reads it (compared with a golden file): the safety note and the
# warning signs, the travel sequence in plain words with the deep tissue
# work ending 40-60 minutes before the evening run, the flush in its order
# (hamstring origin, hamstrings, glutes, whole back). Also --json (the same
# facts, checked with Python's json module), --yaml, a file, list, and a
# protocol with errors.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$PLIANT" protocol show
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"
cp "$OUT" "$TMPDIR/show.txt"
expect_golden protocol-show-hamstrings.txt "$TMPDIR/show.txt"
expect_exit 0 "$PLIANT" protocol show hamstrings
cmp -s "$OUT" "$TMPDIR/show.txt" || fail "'show hamstrings' differs from 'show'"

# Sentences are wrapped: read them as one line.
tr '\n' ' ' <"$TMPDIR/show.txt" | tr -s ' ' >"$TMPDIR/flat.txt"
expect_contains "$TMPDIR/flat.txt" "This is advice for healthy runners, not a diagnosis."
expect_contains "$TMPDIR/flat.txt" "After long travel, the same day: Very hot shower or Epsom salt soak (starting within 1 h after it), then flush massage, then drink water, then anti-inflammatory support, then deep tissue session (ending 40-60 min before the evening run)."
expect_contains "$TMPDIR/flat.txt" "After a hard session, the same day: Flush massage (starting within 2 h after it), then hot shower."
expect_contains "$TMPDIR/flat.txt" "Every day: Daily hamstring care."
expect_contains "$TMPDIR/flat.txt" "twice a day for 2 days, at 07:30 and 19:00: Abdominal strength,"
expect_contains "$TMPDIR/flat.txt" "Not within 24 h before a race: Deep tissue session."
expect_contains "$TMPDIR/flat.txt" "URGENT: Do not massage the leg."
expect_contains "$TMPDIR/flat.txt" "deep-vein thrombosis"
expect_contains "$TMPDIR/flat.txt" "Arnica is for the skin only, as a gel or a cream"

# The flush, in its order, as numbered steps of the flush routine.
awk '/^  Flush massage \(/ { on = 1; next } on && /^  [^ ]/ { on = 0 } on && /^    [0-9]\. / { print }' \
    "$TMPDIR/show.txt" >"$TMPDIR/flush"
cat >"$TMPDIR/want" <<'WANT'
    1. Hamstring origin, 3 min
    2. Hamstrings, 5 min
    3. Glutes, 4 min
    4. Whole back, 5 min
WANT
if ! cmp -s "$TMPDIR/want" "$TMPDIR/flush"; then
    diff -u "$TMPDIR/want" "$TMPDIR/flush" >&2
    fail "the flush's steps are not hamstring origin, hamstrings, glutes, whole back"
fi
# Lines fit in 78 columns.
awk 'length > 78 { print; bad = 1 } END { exit bad }' "$TMPDIR/show.txt" >&2 ||
    fail "lines longer than 78 columns"

# From the file: the same, but for the line that says where it came from.
expect_exit 0 "$PLIANT" protocol show protocols/hamstrings.yaml
expect_contains "$OUT" "Protocol 'hamstrings', from protocols/hamstrings.yaml."
grep -v "^Protocol 'hamstrings'" "$OUT" >"$TMPDIR/a"
grep -v "^Protocol 'hamstrings'" "$TMPDIR/show.txt" >"$TMPDIR/b"
cmp -s "$TMPDIR/a" "$TMPDIR/b" || fail "the file shows differently from the built-in protocol"

# JSON: the same facts.
expect_exit 0 "$PLIANT" protocol show --json
cp "$OUT" "$TMPDIR/show.json"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$TMPDIR/show.json" <<'PY' || fail "show --json is not what was expected"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["id"] == "hamstrings"
assert "not a diagnosis" in p["safety_note"]
r = {x["id"]: x for x in p["routines"]}
assert [s["area"] for s in r["flush-massage"]["steps"]] == \
    ["hamstring-origin", "hamstrings", "glutes", "whole-back"]
assert r["flush-massage"]["duration_s"] == 17 * 60
assert r["water"]["steps"][0]["area"] is None and r["water"]["steps"][0]["duration_s"] is None
rules = {x["id"]: x for x in p["rules"]}
travel = rules["after-travel"]
assert travel["trigger"] == "travel"
assert [e["routine"] for e in travel["routines"]] == \
    ["hot-shower-or-soak", "flush-massage", "water", "anti-inflammatory-food", "deep-tissue"]
deep = travel["routines"][4]
assert deep["at"] == "before" and deep["of"] == "evening-run" and deep["window_s"] == [2400, 3600]
assert [e["at"] for e in travel["routines"][1:4]] == ["then"] * 3
c = p["constraints"][0]
assert c["avoid"] == "before" and c["of"] == "race" and c["within_s"] == 86400
assert c["routines"] == ["deep-tissue"]
assert sum(f["urgent"] for f in p["red_flags"]) == 1
assert [f["id"] for f in p["screening"]["red-flags"]] == \
    ["thigh-pop", "calf-after-travel", "nerve-pain", "rest-pain"]
PY
fi

# --yaml prints the source; list names the built-in protocols.
expect_exit 0 "$PLIANT" protocol show --yaml
cmp -s "$OUT" protocols/hamstrings.yaml || fail "show --yaml differs from protocols/hamstrings.yaml"
expect_exit 0 "$PLIANT" protocol list
expect_contains "$OUT" "hamstrings   Hamstrings - recovery around travel, hard sessions and races (default)"
expect_exit 0 "$PLIANT" protocol list --json
expect_contains "$OUT" '"name": "hamstrings"'

# A protocol with errors is not shown: exit 3, the errors on stderr.
sed 's/^    kind: heat$/    kind: hot/' protocols/hamstrings.yaml >"$TMPDIR/bad.yaml"
expect_exit 3 "$PLIANT" protocol show "$TMPDIR/bad.yaml"
expect_contains "$ERR" "$TMPDIR/bad.yaml:"
expect_contains "$ERR" "kind: expected one of massage"
expect_contains "$ERR" "has errors (above)"
[ -s "$OUT" ] && fail "a protocol with errors was shown"
expect_exit 2 "$PLIANT" protocol show --json --yaml
exit 0
