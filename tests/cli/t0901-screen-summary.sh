#!/bin/sh
# t0901-screen-summary: pliant screen --summary on a simulated runner: the
# subjective note as text, the whole summary as JSON (answers, flags, body
# map, 4 weeks of load, the program with the done/skip marks, the change
# since the screen before), and the HTML page, which must parse as HTML5
# without a single parse error (html5lib, strict) with well-formed inline
# SVG; a warning sign's summary; and the errors.
. "$(dirname "$0")/lib.sh"

export PLIANT_DB="$TMPDIR/store.db"
expect_exit 2 "$PLIANT" screen --html "$TMPDIR/x.html"
expect_contains "$ERR" "--html, --name and --id go with --summary"
expect_exit 3 "$PLIANT" screen --summary
expect_contains "$ERR" "no store at"

expect_exit 0 "$PLIANT" simulate --weeks 12 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" import "$TMPDIR/sim"
expect_exit 3 "$PLIANT" screen --summary
expect_contains "$ERR" "no screens yet: run 'pliant screen' first"

ans() {   # ans FILE DATE CALF-ANSWER REST...
    f=$1; d=$2; calf=$3; shift 3
    {
        echo "date: $d"
        echo "answers:"
        echo "  thigh-pop: no"
        echo "  calf-after-travel: $calf"
        echo "  nerve-pain: no"
        echo "  rest-pain: no"
        for kv in "$@"; do echo "  $kv"; done
    } >"$f"
}
# Two screens: three weeks apart; the second finds more.
ans "$TMPDIR/before.yaml" 2026-02-09 no "squat: yes" "abdominals: yes" "glutes: no" \
    "hip-flexors: no" "quadratus-lumborum: no" "thoracolumbar-extensors: no"
ans "$TMPDIR/now.yaml" 2026-03-02 no "squat: yes" "hills: yes" "sitting: yes" \
    "glutes: yes" "hip-flexors: yes" "abdominals: no" "quadratus-lumborum: unsure" \
    "thoracolumbar-extensors: no"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/before.yaml"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/now.yaml"
# Three sessions of the program done, one skipped in part.
for r in glute-strength hip-flexor-stretch ql-release; do
    expect_exit 0 "$PLIANT" done 2026-03-02.two-day-program.$r.am \
        2026-03-02.two-day-program.$r.pm 2026-03-03.two-day-program.$r.am
done
expect_exit 0 "$PLIANT" skip 2026-03-03.two-day-program.glute-strength.pm --why "late at work"

# Text: the subjective part of a treatment note.
expect_exit 0 "$PLIANT" screen --summary
expect_contains "$OUT" "Self-screen of Mon 2026-03-02 (pliant, protocol hamstrings, screen #2)."
expect_contains "$OUT" "Warning signs: none reported."
expect_contains "$OUT" "Hamstring work indicated: strong (score 4)."
expect_contains "$OUT" "Areas: Hip flexors (Thomas test: yes); Glutes (Single-leg glute bridge: yes)"
expect_contains "$OUT" "Training, 28 days from Tue 2026-02-03: "
expect_contains "$OUT" "Program: 4 sessions from Mon 2026-03-02, twice a day: 3 done, 0 partly, 1 skipped, 0 not marked."
expect_contains "$OUT" "Since the screen of Mon 2026-02-09: newly flagged B3 hills, B6 sitting, Hip flexors, Glutes and Quadratus lumborum; no longer flagged Abdominals."
# --id picks an older screen: the first has nothing before it.
expect_exit 0 "$PLIANT" screen --summary --id 1
expect_contains "$OUT" "Self-screen of Mon 2026-02-09"
expect_contains "$OUT" "First screen in pliant."
expect_exit 3 "$PLIANT" screen --summary --id 99
expect_contains "$ERR" "no screen #99: 'pliant screen --history' lists them"
expect_exit 2 "$PLIANT" screen --summary --id two
expect_exit 2 "$PLIANT" screen --summary --answers "$TMPDIR/now.yaml"

# JSON: everything the page shows.
if [ -x /usr/bin/python3 ]; then
    expect_exit 0 "$PLIANT" screen --summary --json --name "Ana Runner"
    /usr/bin/python3 - "$OUT" <<'PY' || fail "summary JSON"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["screen"]
assert s["id"] == 2 and s["date"] == "2026-03-02" and not s["stopped"], s
assert s["strength"] == "strong" and s["indicated"], s
assert r["athlete"] == "Ana Runner"
ans = {a["id"]: a["answer"] for a in r["answers"]}
assert len(ans) == 15 and ans["squat"] == "yes" and ans["quadratus-lumborum"] == "unsure", ans
assert [m["region"] for m in r["body_map"]] == ["hamstrings", "hip-flexors", "glutes", "quadratus-lumborum"], r["body_map"]
assert all(m["on_map"] and m["tone"] == "flagged" for m in r["body_map"])
l = r["load"]
assert l["from"] == "2026-02-03" and l["to"] == "2026-03-02", l
assert l["activities"] > 10 and l["km"] > 50 and l["hours"] > 5, l
assert len(l["hard_days"]) >= 1 and all(d["reasons"] for d in l["hard_days"]), l["hard_days"]
p = r["program"]
assert [x["mark"] for x in p["sessions"]] == ["done", "done", "done", "skipped"], p
assert p["done"] == 3 and p["then"]["date"] == "2026-03-04" and p["then"]["mark"] == "open", p
assert r["since"] == {"id": 1, "date": "2026-02-09", "compared": True,
    "new": ["hills", "sitting", "hip-flexors", "glutes", "quadratus-lumborum"],
    "gone": ["abdominals"]}, r["since"]
assert r["subjective"].startswith("Self-screen of Mon 2026-03-02"), r["subjective"]
assert r["html"] is None
PY
fi

# HTML: written through a temporary file; valid HTML5, well-formed SVG.
expect_exit 0 "$PLIANT" screen --summary --html "$TMPDIR/summary.html" --name "Ana <Runner>"
expect_contains "$OUT" "The summary of screen #2 (2026-03-02) is in $TMPDIR/summary.html"
[ -s "$TMPDIR/summary.html" ] || fail "no summary.html"
[ ! -e "$TMPDIR/summary.html.tmp" ] || fail "summary.html.tmp left behind"
expect_contains "$TMPDIR/summary.html" "Ana &lt;Runner&gt;"
expect_contains "$TMPDIR/summary.html" "<h1>Self-screen summary</h1>"
expect_lacks "$TMPDIR/summary.html" "<script"
expect_exit 0 "$PLIANT" screen --summary --html - 
expect_contains "$OUT" "<!DOCTYPE html>"
expect_exit 2 "$PLIANT" screen --summary --html - --json
expect_exit 3 "$PLIANT" screen --summary --html "$TMPDIR/no/such/dir/s.html"
expect_contains "$ERR" "cannot write the summary to '$TMPDIR/no/such/dir/s.html'"

if /usr/bin/python3 -c 'import html5lib' 2>/dev/null; then
    /usr/bin/python3 - "$TMPDIR/summary.html" <<'PY' || fail "the summary is not valid HTML"
import re, sys, html5lib
import xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding="utf-8").read()
# html5lib raises on the first parse error in strict mode (WHATWG HTML
# parsing rules: unclosed elements, stray end tags, bad attributes...).
parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
doc = parser.parse(text)
assert doc.find(".//main") is not None
ids = re.findall(r'\sid="([^"]+)"', text)
assert len(ids) == len(set(ids)), "repeated ids: %r" % ids
svgs = re.findall(r"<svg\b.*?</svg>", text, re.S)
assert len(svgs) == 2, len(svgs)   # the body map and the load chart
for s in svgs:
    ET.fromstring(s)               # well-formed XML
assert "area flagged" in svgs[0]
PY
else
    echo "# html5lib absent (Debian: python3-html5lib): HTML validity not checked"
fi

# A warning sign: the summary sends to a professional, maps the areas to
# keep massage off, and compares nothing.
ans "$TMPDIR/red.yaml" 2026-03-20 yes
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/red.yaml"
expect_exit 0 "$PLIANT" screen --summary
expect_contains "$OUT" "Warning signs reported (URGENT): "
expect_contains "$OUT" "Advised: see a professional before any massage on Calves"
expect_contains "$OUT" "Since the screen of Mon 2026-03-02: not compared (a warning sign stopped this screen)."
expect_lacks "$OUT" "Signs:"
expect_exit 0 "$PLIANT" screen --summary --html "$TMPDIR/red.html"
expect_contains "$TMPDIR/red.html" "URGENT: a warning sign."
expect_lacks "$TMPDIR/red.html" 'class="area flagged"'
expect_contains "$TMPDIR/red.html" 'class="area warning"'
# The screen's own output says the same of the comparison.
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/red.yaml" --json
expect_contains "$OUT" '"compared": false'
