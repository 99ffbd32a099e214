#!/bin/sh
# t0902-screen-summary-chromium: the therapist's summary renders in a real
# browser. Headless Chromium (driven by playwright-core from npm, installed
# into build/node on first use) opens the page written by
# `pliant screen --summary --html`, checks its text, the body map's marked
# areas (drawn, sized, filled, named in the legend), the load chart and
# that nothing is fetched; takes a screenshot; and prints it to A4, which
# must be one page. Once for a screen with findings, once for a warning
# sign. Skips without chromium, node or (when playwright-core is not
# installed yet) npm.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "no chromium (Debian: apt-get install chromium)"
command -v node >/dev/null 2>&1 || skip "no node"
NODE_PREFIX=${PLIANT_NODE_PREFIX:-$ROOT/build/node}
if [ ! -f "$NODE_PREFIX/node_modules/playwright-core/package.json" ]; then
    command -v npm >/dev/null 2>&1 || skip "playwright-core is not installed and npm is absent"
    mkdir -p "$NODE_PREFIX"
    npm install --no-audit --no-fund --prefix "$NODE_PREFIX" playwright-core@1 >/dev/null 2>&1 ||
        skip "cannot install playwright-core (offline?)"
fi

export PLIANT_DB="$TMPDIR/store.db"
expect_exit 0 "$PLIANT" simulate --weeks 12 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" import "$TMPDIR/sim"
cat >"$TMPDIR/now.yaml" <<'EOF'
date: 2026-03-02
answers:
  thigh-pop: no
  calf-after-travel: no
  nerve-pain: no
  rest-pain: no
  squat: yes
  sitting: yes
  glutes: yes
  hip-flexors: yes
  abdominals: no
  quadratus-lumborum: no
  thoracolumbar-extensors: no
EOF
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/now.yaml"
expect_exit 0 "$PLIANT" done 2026-03-02.two-day-program.glute-strength.am \
    2026-03-02.two-day-program.hip-flexor-stretch.am
expect_exit 0 "$PLIANT" screen --summary --html "$TMPDIR/summary.html" --name "Ana Runner"

# Chromium puts a Unix socket in TMPDIR, and a socket's path is at most
# 107 bytes: the test's own TMPDIR can be deeper than that.
BROWSER_TMP=$(mktemp -d /tmp/pliant-browser.XXXXXX) || fail "mktemp"
browser() {   # browser HTML PNG EXPECT-JSON
    TMPDIR=$BROWSER_TMP PLIANT_NODE_PREFIX=$NODE_PREFIX CHROMIUM=$CHROMIUM timeout 300 \
        node "$ROOT/tests/tools/summary-browser.mjs" "$1" "$2" "$3" >"$TMPDIR/browser.log" 2>&1
    st=$?
    rm -rf "$BROWSER_TMP"/* "$BROWSER_TMP"/.[!.]* 2>/dev/null
    [ $st -eq 0 ] || rmdir "$BROWSER_TMP"
    [ $st -eq 77 ] && skip "$(tail -n 1 "$TMPDIR/browser.log")"
    [ $st -eq 0 ] || { show_file "browser" "$TMPDIR/browser.log"; fail "in the browser (exit $st)"; }
}

# Hamstrings (the signs), hip flexors, glutes.
cat >"$TMPDIR/expect.json" <<'EOF'
{"texts": ["Self-screen summary", "Ana Runner", "Mon 2026-03-02",
           "Hamstring work: indicated (moderate, score 3)", "Hip flexors", "Glutes",
           "THE LAST 4 WEEKS", "TWO-DAY PROGRAM", "7:30 done", "19:00 not marked",
           "See your therapist", "The first screen: nothing to compare with."],
 "flagged": 3, "warning": 0, "chart": true}
EOF
browser "$TMPDIR/summary.html" "$TMPDIR/summary.png" "$TMPDIR/expect.json"

# A warning sign after a trip: the calf, the back of the knee and the
# hamstrings in red; no program.
sed -e 's/2026-03-02/2026-03-20/' -e 's/calf-after-travel: no/calf-after-travel: yes/' \
    "$TMPDIR/now.yaml" >"$TMPDIR/red.yaml"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/red.yaml"
expect_exit 0 "$PLIANT" screen --summary --html "$TMPDIR/red.html"
cat >"$TMPDIR/expect.json" <<'EOF'
{"texts": ["URGENT: a warning sign", "no massage", "None: a warning sign stopped the screen.",
           "Not compared: a warning sign stopped this screen"],
 "flagged": 0, "warning": 3, "chart": true}
EOF
browser "$TMPDIR/red.html" "$TMPDIR/red.png" "$TMPDIR/expect.json"
rmdir "$BROWSER_TMP"
