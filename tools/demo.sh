#!/bin/sh
# demo.sh - show what pliant does, from nothing: `make demo`.
#
#   tools/demo.sh BINARY
#
# Step 1: simulate twelve weeks of a runner's training as FIT files in
# build/demo/ (deterministic: same build, same bytes), then summarise them.
# Step 2: pack the same weeks the way a Strava bulk export is packed (a zip
# of activities/<id>.fit.gz and activities.csv), import that archive into a
# fresh store, build/demo/pliant.db, list what came in, and import it again
# to show that nothing comes in twice.
# Step 3: the training load of those weeks, as a table and as a chart in
# build/demo/load.svg.
# Step 4: the recovery plan of the race week, and build/demo/plan.ics.
# Step 5: a scripted self-screen and the therapist's summary,
# build/demo/summary.html.
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

if "$bin" help import >/dev/null 2>&1 && "$bin" help activities >/dev/null 2>&1; then
    export_zip=$out/strava-export.zip
    db=$out/pliant.db
    echo
    echo "== pliant simulate --weeks 12 --strava-export $export_zip"
    "$bin" simulate --weeks 12 --strava-export "$export_zip" | head -n 1
    echo "  $(wc -c <"$export_zip") bytes: activities/<id>.fit.gz and activities.csv, as Strava packs them"

    echo
    echo "== pliant import --db $db $export_zip"
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" import --db "$db" "$export_zip"

    echo
    echo "== pliant activities --db $db (first and last)"
    "$bin" activities --db "$db" >"$out/activities.txt"
    head -n 8 "$out/activities.txt"
    echo "  ..."
    tail -n 4 "$out/activities.txt"
    echo "  (the whole list: $out/activities.txt)"

    echo
    echo "== pliant import --db $db $export_zip   (again: nothing twice)"
    "$bin" import --db "$db" "$export_zip" | head -n 3
fi

# Step 3: the training load of the imported weeks: the daily table (the
# last six weeks, with a chart of them when this is a terminal), and an SVG
# chart of the whole history, build/demo/load.svg.
if "$bin" help load >/dev/null 2>&1 && [ -f "$out/pliant.db" ]; then
    db=$out/pliant.db
    echo
    echo "== pliant load --db $db --svg $out/load.svg"
    "$bin" load --db "$db" --svg "$out/load.svg"
    echo
    echo "The chart of all 12 weeks: $(pwd)/$out/load.svg (open it in a browser)"
fi

# Step 4: the recovery plan for the runner's last week before the race
# (from truth.json: the race's date), as an agenda, and as a calendar file
# to import, build/demo/plan.ics.
if "$bin" help plan >/dev/null 2>&1 && [ -f "$out/pliant.db" ] && [ -f "$out/truth.json" ]; then
    db=$out/pliant.db
    race=$(sed -n '/"races"/,$ s/.*{"date": "\([0-9-]*\)".*/\1/p' "$out/truth.json" | head -n 1)
    trip=$(sed -n '/"trips"/,$ s/.*{"day": "\([0-9-]*\)".*/\1/p' "$out/truth.json" | head -n 1)
    if [ -n "$race" ] && from=$(date -u -d "$race - 6 days" +%Y-%m-%d 2>/dev/null); then
        # The runner tells pliant about a shakeout run on the evening they
        # arrive, so the plan can time the deep-tissue work before it.
        if [ -n "$trip" ] && "$bin" help event >/dev/null 2>&1; then
            echo
            echo "== pliant event add run ${trip}T18:30 \"Shakeout run\" --db $db"
            "$bin" event add --db "$db" run "${trip}T18:30" "Shakeout run" --hours 0.5
        fi
        echo
        echo "== pliant plan --db $db --from $from --days 8 --ics $out/plan.ics   (the race: $race)"
        "$bin" plan --db "$db" --from "$from" --days 8 --ics "$out/plan.ics"
        echo "Import $(pwd)/$out/plan.ics into a calendar; exporting again updates the same events."
    fi
fi

# Step 5: a self-screen for the runner (the answers a script gives, as
# build/demo/screen.yaml), its two-day program, two sessions of it marked
# done, and the one-page summary for the therapist, build/demo/summary.html.
if "$bin" help screen >/dev/null 2>&1 && [ -f "$out/pliant.db" ] && [ -n "${last:-}" ]; then
    db=$out/pliant.db
    lastday=$(echo "${last##*/}" | cut -c1-10)
    if day=$(date -u -d "$lastday - 6 days" +%Y-%m-%d 2>/dev/null); then
        cat >"$out/screen.yaml" <<YAML
date: $day
answers:
  thigh-pop: no
  calf-after-travel: no
  nerve-pain: no
  rest-pain: no
  squat: yes
  deadlift: no
  hills: yes
  knee-calf: no
  speed: no
  sitting: yes
  hip-flexors: yes
  abdominals: no
  glutes: yes
  quadratus-lumborum: unsure
  thoracolumbar-extensors: no
YAML
        echo
        echo "== pliant screen --db $db --answers $out/screen.yaml"
        "$bin" screen --db "$db" --answers "$out/screen.yaml"
        items=$("$bin" plan --db "$db" --from "$day" --days 1 --json |
            grep -o '"id": "[^"]*two-day-program[^"]*"' | sed 's/"id": "\(.*\)"/\1/')
        echo
        echo "== pliant done --db $db (the first day's program)"
        # shellcheck disable=SC2086
        [ -n "$items" ] && "$bin" done --db "$db" $items
        echo
        echo "== pliant screen --db $db --summary --html $out/summary.html"
        "$bin" screen --db "$db" --summary --name "The simulated runner" --html "$out/summary.html"
        echo
        "$bin" screen --db "$db" --summary
        echo
        echo "The summary for the therapist: $(pwd)/$out/summary.html (open it in a browser, or print it)"
    fi
fi
