#!/bin/sh
# t0700-protocol-check: `pliant protocol check` on the default protocol (no
# errors, a one-line summary), on a copy of it with four mistakes (each
# reported as FILE:LINE:COL, in file order, exit 1), as JSON, on the
# example of docs/formats.md, on a file with a YAML syntax error, on a
# missing file, and its usage errors.
#
# The mistakes are made with sed on lines found with grep, so that the
# test does not depend on where things sit in the default protocol.
. "$(dirname "$0")/lib.sh"

SUMMARY="ok: 11 areas, 14 routines, 7 rules, 1 constraint, 3 red flags; covers 24 items"

# The default, from its file and by its name.
expect_exit 0 "$PLIANT" protocol check protocols/hamstrings.yaml
expect_contains "$OUT" "protocols/hamstrings.yaml: $SUMMARY"
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "more than one line for a good protocol"
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"
expect_exit 0 "$PLIANT" protocol check hamstrings
expect_contains "$OUT" "hamstrings: $SUMMARY"

# The copy a runner makes is the same protocol.
expect_exit 0 "$PLIANT" protocol show --yaml
cp "$OUT" "$TMPDIR/copy.yaml"
cmp -s "$TMPDIR/copy.yaml" protocols/hamstrings.yaml || fail "show --yaml differs from protocols/hamstrings.yaml"
expect_exit 0 "$PLIANT" protocol check "$TMPDIR/copy.yaml"

# Four mistakes, each on a line found here.
line_of() { grep -n -m1 -F -- "$1" "$TMPDIR/copy.yaml" | cut -d: -f1; }
l_kind=$(line_of "    kind: massage")
l_area=$(line_of "      - area: glutes")
l_trig=$(line_of "    trigger: travel")
l_win=$(line_of "        window: [40 min, 60 min]")
for l in "$l_kind" "$l_area" "$l_trig" "$l_win"; do
    [ -n "$l" ] || fail "a line this test edits is not in the default protocol"
done
sed -e "${l_kind}s/massage/massag/" -e "${l_area}s/glutes/glute/" \
    -e "${l_trig}s/travel/travle/" -e "${l_win}s/\[40 min, 60 min\]/[60 min, 40 min]/" \
    "$TMPDIR/copy.yaml" >"$TMPDIR/bad.yaml"
cd "$TMPDIR" || fail "no TMPDIR"
expect_exit 1 "$PLIANT" protocol check bad.yaml
cat >"$TMPDIR/want" <<WANT
bad.yaml:$l_kind:11: kind: expected one of massage, self-massage, heat, hydration, nutrition, mobility, strength, check; found 'massag' (did you mean 'massage'?)
bad.yaml:$l_area:15: area: no area 'glute' in areas (did you mean 'glutes'?)
bad.yaml:$l_trig:14: trigger: expected one of hard-session, race, travel, evening-run, every-day, rest-day, recovery-needed, screening-result; found 'travle' (did you mean 'travel'?)
bad.yaml:$l_win:17: window: the first duration is the nearer end and must not be larger than the second ([40 min, 60 min])
WANT
if ! cmp -s "$TMPDIR/want" "$OUT"; then
    diff -u "$TMPDIR/want" "$OUT" >&2
    fail "the errors of bad.yaml are not the four expected, in file order"
fi
[ -s "$ERR" ] && fail "unexpected stderr: $(cat "$ERR")"

# The same as JSON.
expect_exit 1 "$PLIANT" protocol check bad.yaml --json
expect_contains "$OUT" '"ok": false'
expect_contains "$OUT" "{\"line\": $l_trig, \"col\": 14, \"code\": \"PL_EFORMAT\", \"message\": \"trigger: expected one of"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$OUT" "$l_kind" "$l_area" "$l_trig" "$l_win" <<'PY' || fail "check --json is not what was expected"
import json, sys
d = json.load(open(sys.argv[1]))
want = [int(x) for x in sys.argv[2:]]
assert d["file"] == "bad.yaml" and d["ok"] is False, d
assert [e["line"] for e in d["errors"]] == want, d["errors"]
assert all(e["code"] == "PL_EFORMAT" and e["message"] for e in d["errors"])
PY
fi
cd "$ROOT" || fail "no $ROOT"
expect_exit 0 "$PLIANT" protocol check protocols/hamstrings.yaml --json
expect_contains "$OUT" '"ok": true'
expect_contains "$OUT" '"errors": []'
expect_contains "$OUT" '"covers": ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5", "B6", "C1", "C2", "D1", "D2", "D3", "D4", "D5", "D6", "E1", "F1", "F2", "G1", "G2", "G3"]'

# The example of docs/formats.md is a valid protocol.
if [ -f docs/formats.md ]; then
    awk '/^### Example/ { on = 1; next } on && /^```yaml$/ { p = 1; next }
         p && /^```$/ { exit } p' docs/formats.md >"$TMPDIR/example.yaml"
    [ -s "$TMPDIR/example.yaml" ] || fail "no example in docs/formats.md"
    expect_exit 0 "$PLIANT" protocol check "$TMPDIR/example.yaml"
fi

# A YAML syntax error: one error, where the file ends.
printf 'id: t\ntitle: [unclosed\n' >"$TMPDIR/syntax.yaml"
expect_exit 1 "$PLIANT" protocol check "$TMPDIR/syntax.yaml"
expect_contains "$OUT" "$TMPDIR/syntax.yaml:3:1: did not find expected ',' or ']' (while parsing a flow sequence at 2:8)"

# Nothing to read: exit 3.
expect_exit 3 "$PLIANT" protocol check "$TMPDIR/none.yaml"
expect_contains "$ERR" "pliant: cannot read '$TMPDIR/none.yaml': No such file or directory"
expect_exit 3 "$PLIANT" protocol check nosuchprotocol
expect_contains "$ERR" "no protocol 'nosuchprotocol'"

# Usage errors: exit 2.
expect_exit 2 "$PLIANT" protocol
expect_contains "$ERR" "say check, show or list"
expect_exit 2 "$PLIANT" protocol check
expect_contains "$ERR" "which file?"
expect_exit 2 "$PLIANT" protocol check a.yaml b.yaml
expect_contains "$ERR" "one protocol at a time"
expect_exit 2 "$PLIANT" protocol frobnicate
expect_contains "$ERR" "'frobnicate' is not a protocol command"
expect_exit 2 "$PLIANT" protocol check --frob protocols/hamstrings.yaml
expect_contains "$ERR" "unknown argument '--frob'"
exit 0
