#!/bin/sh
# t0603-load-csv-svg: pliant load --csv is RFC 4180 with the documented
# header, one row a day; --svg writes a well-formed SVG chart of the days
# (checked with an XML parser) through a temporary file; --svg - writes it
# to standard output; a chart that cannot be written is exit 3 and leaves
# nothing behind.
. "$(dirname "$0")/lib.sh"

export PLIANT_DB="$TMPDIR/pliant.db"
expect_exit 0 "$PLIANT" simulate --weeks 6 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" import "$TMPDIR/sim"
expect_exit 0 "$PLIANT" event add race 2026-01-25 'Cross <"a&b">, club'

# CSV: the header, a row a day of the whole history (as many as --json
# has), CRLF line ends, the quoted reasons.
expect_exit 0 "$PLIANT" load --json
ndays=$(grep -c '"weekday": "' "$OUT")
[ "$ndays" -ge 40 ] || fail "six weeks of history gave $ndays days"
expect_exit 0 "$PLIANT" load --csv
head -n 1 "$OUT" | grep -q '^date,load,ctl,atl,tsb,ramp,acwr,monotony,strain,flags,reasons.$' ||
    fail "CSV header: $(head -n 1 "$OUT")"
[ "$(wc -l <"$OUT")" -eq $((ndays + 1)) ] || fail "expected $ndays days and a header, got $(wc -l <"$OUT") lines"
[ "$(grep -c "$(printf '\r')\$" "$OUT")" -eq $((ndays + 1)) ] || fail "lines do not end in CRLF"
grep -q '^2026-01-06,[1-9]' "$OUT" || fail "the first day is not 2026-01-06, the first run"
tail -n 1 "$OUT" | grep -q '^2026-02-15,' || fail "the last day is not 2026-02-15"
expect_contains "$OUT" "\"race: declared 'Cross <\"\"a&b\"\">, club"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$OUT" <<'PY' || fail "CSV does not parse"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) > 40, len(rows)
race = [r for r in rows if r["date"] == "2026-01-25"][0]
assert "race" in race["flags"].split(), race
assert 'Cross <"a&b">, club' in race["reasons"], race["reasons"]
assert all(float(r["ctl"]) >= 0 for r in rows)
assert rows[0]["acwr"] == "", rows[0]
PY
fi

# SVG: a chart of the whole history; the table still shows its 42 days.
expect_exit 0 "$PLIANT" load --svg "$TMPDIR/load.svg"
[ -s "$TMPDIR/load.svg" ] || fail "no chart written"
[ -e "$TMPDIR/load.svg.tmp" ] && fail "the temporary file was left"
expect_contains "$OUT" " days, 2026-01-06 to 2026-02-15"
svg_ok() {
    if [ -x /usr/bin/python3 ]; then
        /usr/bin/python3 -c '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
r = d.documentElement
assert r.tagName == "svg", r.tagName
assert r.getAttribute("xmlns") == "http://www.w3.org/2000/svg"
assert int(r.getAttribute("width")) == 960 and int(r.getAttribute("height")) == 540
paths = [p.getAttribute("class") for p in d.getElementsByTagName("path")]
for c in ("ctl", "atl", "tsb", "race"):
    assert c in paths, (c, paths)
titles = " ".join(t.firstChild.data for t in d.getElementsByTagName("title") if t.firstChild)
assert "Cross <\"a&b\">, club" in titles, "the reason is not in a tooltip"
assert not d.getElementsByTagName("script")
' "$1" || fail "$1 is not the chart expected"
    elif command -v xmllint >/dev/null 2>&1; then
        xmllint --noout "$1" || fail "$1 is not well-formed"
    else
        grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$1" || fail "$1 is not SVG"
    fi
}
svg_ok "$TMPDIR/load.svg"
expect_contains "$TMPDIR/load.svg" "Fitness (CTL, 42 d)"
expect_contains "$TMPDIR/load.svg" "6 Jan 2026 "

# --svg -: the chart on standard output, no table; --json with a file.
expect_exit 0 "$PLIANT" load --svg - --from 2026-01-12
cp "$OUT" "$TMPDIR/stdout.svg"
svg_ok "$TMPDIR/stdout.svg"
expect_lacks "$TMPDIR/stdout.svg" "DATE "
expect_contains "$TMPDIR/stdout.svg" "12 Jan 2026 "
expect_exit 0 "$PLIANT" load --json --svg "$TMPDIR/again.svg"
expect_contains "$OUT" '"days": ['
cmp -s "$TMPDIR/again.svg" "$TMPDIR/load.svg" || fail "the same days drew another chart"
expect_exit 2 "$PLIANT" load --json --svg -
expect_exit 2 "$PLIANT" load --svg=

# An existing chart is replaced whole; a folder that is not there or a
# file that cannot be written is exit 3, with nothing left behind.
echo old >"$TMPDIR/old.svg"
expect_exit 0 "$PLIANT" load --svg "$TMPDIR/old.svg"
svg_ok "$TMPDIR/old.svg"
expect_exit 3 "$PLIANT" load --svg "$TMPDIR/none/load.svg"
expect_contains "$ERR" "cannot write the chart to '$TMPDIR/none/load.svg'"
mkdir "$TMPDIR/ro"
chmod 555 "$TMPDIR/ro"
if ! touch "$TMPDIR/ro/x" 2>/dev/null; then
    expect_exit 3 "$PLIANT" load --svg "$TMPDIR/ro/load.svg"
    [ -z "$(ls "$TMPDIR/ro")" ] || fail "a failed chart left files: $(ls "$TMPDIR/ro")"
fi
chmod 755 "$TMPDIR/ro"
# A full disk under standard output.
if [ -w /dev/full ]; then
    STATUS=0
    "$PLIANT" load --svg - >/dev/full 2>"$ERR" || STATUS=$?
    [ "$STATUS" -eq 3 ] || fail "a chart to a full disk exited $STATUS"
    expect_contains "$ERR" "cannot write the chart"
fi
exit 0
