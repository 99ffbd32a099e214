#!/bin/sh
# demo.sh - show what pliant does, from nothing: `make demo`.
#
#   tools/demo.sh BINARY
#
# Step 1: simulate twelve weeks of a runner's training as FIT files in
# build/demo/ (deterministic: same build, same bytes), then summarise them.
# Later steps (import, load, plan) join as those commands land.
set -eu

bin=${1:?usage: tools/demo.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
cd "$(dirname "$0")/.."
out=build/demo

[ -x "$bin" ] || { echo "demo: no binary at $bin (run make first)" >&2; exit 1; }
if ! "$bin" help simulate >/dev/null 2>&1; then
    echo "demo: this pliant has no 'simulate' command yet; nothing to show" >&2
    exit 1
fi

echo "== pliant simulate --weeks 12 --out $out"
rm -rf "$out"
mkdir -p "$out"
"$bin" simulate --weeks 12 --out "$out"

nfit=$(find "$out" -maxdepth 1 -name '*.fit' | wc -l)
if [ "$nfit" -eq 0 ]; then
    echo "demo: simulate wrote no FIT files into $out" >&2
    exit 1
fi
bytes=$(find "$out" -maxdepth 1 -name '*.fit' -exec cat {} + | wc -c)
echo
echo "== $out: $nfit activities, $((bytes / 1024)) KiB of FIT"
# File names end in the kind of run: 2026-01-05-0712-easy.fit
find "$out" -maxdepth 1 -name '*.fit' | sed 's/.*-\([a-z]*\)\.fit$/\1/' |
    sort | uniq -c | awk '{ printf "  %3d %s\n", $1, $2 }'
first=$(find "$out" -maxdepth 1 -name '*.fit' | sort | head -n 1)
last=$(find "$out" -maxdepth 1 -name '*.fit' | sort | tail -n 1)
echo "  first: ${first##*/}"
echo "  last:  ${last##*/}"
[ -f "$out/truth.json" ] && echo "  planted facts: $out/truth.json ($(wc -c <"$out/truth.json") bytes)"

if "$bin" help inspect >/dev/null 2>&1; then
    echo
    echo "== pliant inspect ${first#./} (first lines)"
    "$bin" inspect "$first" 2>&1 | head -n 12 || true
fi
