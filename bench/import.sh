#!/usr/bin/env bash
# bench/import.sh - import speed and memory. `make bench` runs it after
# bench/run.sh; it runs alone too:
#
#   bench/import.sh build/pliant
#
# 1. A simulated decade as the target is worded, "one run a day, 1 Hz,
#    about an hour each" (`pliant simulate --weeks 520 --pattern daily`:
#    3636 activities of 50 to 75 minutes, 3709 hours, 365 MB of FIT; the
#    race week's four rest days are the only days off; IMPORT_PATTERN=club
#    gives the club runner's six runs a week instead) packed as Strava
#    packs a bulk export
#    (`--strava-export`: a zip of activities/<id>.fit.gz and
#    activities.csv), then `pliant import` of that zip into a fresh store,
#    best of $IMPORT_REPS: wall time, activities/s, MB/s of FIT data (after
#    gunzip), user+system CPU, peak RSS (/usr/bin/time -v); and the same
#    import again into the full store (every file a duplicate).
#    Targets: the decade in under 5 s, peak RSS under 64 MB.
# 2. GPX and TCX: the files of ../shared/corpus/gpx and tcx (skipped, with a
#    note, when absent) read by pliant's readers against expat's own parse
#    of the same bytes with no handlers (bench/xml-speed.c), in memory, best
#    of $XML_REPS. expat is the limit: pliant's readers run on it.
#
# Environment: IMPORT_WEEKS (520), IMPORT_PATTERN (daily), IMPORT_REPS (3),
# XML_REPS (5),
# CORPUS (../shared/corpus beside the repository). MB is 10^6 bytes.
set -euo pipefail

PLIANT=${1:?usage: bench/import.sh PATH/TO/pliant}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
WEEKS=${IMPORT_WEEKS:-520}
PATTERN=${IMPORT_PATTERN:-daily}
REPS=${IMPORT_REPS:-3}
XML_REPS=${XML_REPS:-5}
CORPUS=${CORPUS:-$repo/../shared/corpus}
TARGET_S=5
TARGET_RSS_MB=64

[ -x "$PLIANT" ] || { echo "bench/import: '$PLIANT' is not an executable" >&2; exit 2; }
PLIANT=$(cd "$(dirname "$PLIANT")" && pwd)/$(basename "$PLIANT")
LIB=$(dirname "$PLIANT")/libpliant.a
[ -f "$LIB" ] || LIB=$repo/build/libpliant.a
work=$(mktemp -d "${TMPDIR:-/tmp}/pliant-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Private copies, so that a build in the same tree cannot swap them midway.
cp "$PLIANT" "$work/pliant"
PLIANT=$work/pliant
[ -f "$LIB" ] && cp "$LIB" "$work/libpliant.a" && LIB=$work/libpliant.a
notes=()
note() { notes+=("$*"); echo "note: $*"; }
calc() { awk "BEGIN { printf \"%s\", ($1) }" /dev/null; }
# A number from pliant's one-line JSON: jnum KEY FILE
jnum() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$2" | head -n 1; }

echo "pliant import bench: $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared: best of N)"
echo

# ---------------------------------------------------------------- decade
echo "== $WEEKS simulated weeks as a Strava export: pliant simulate --weeks $WEEKS --pattern $PATTERN --strava-export FILE"
t0=$EPOCHREALTIME
"$PLIANT" simulate --weeks "$WEEKS" --pattern "$PATTERN" --strava-export "$work/decade.zip" \
    --json >"$work/sim.json"
acts=$(jnum activities "$work/sim.json")
hours=$(jnum hours "$work/sim.json")
zip_bytes=$(stat -c %s "$work/decade.zip")
printf "  %d activities, %.0f h at 1 Hz, zip %.1f MB (made in %.1f s)\n" "$acts" "$hours" \
    "$(calc "$zip_bytes / 1e6")" "$(calc "$EPOCHREALTIME - $t0")"

have_time=0
[ -x /usr/bin/time ] && have_time=1
[ $have_time = 1 ] || note "/usr/bin/time missing (apt-get install time): no peak RSS or CPU figures"

# run_import DB: one import of the zip; sets S (wall), CPU, RSS_KB, and
# leaves the JSON summary in $work/imp.json.
run_import() {
    local db=$1
    if [ $have_time = 1 ]; then
        /usr/bin/time -v -o "$work/time" "$PLIANT" import --quiet --json --db "$db" \
            "$work/decade.zip" >"$work/imp.json"
        S=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time")
        CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time")
        RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
    else
        local t=$EPOCHREALTIME
        "$PLIANT" import --quiet --json --db "$db" "$work/decade.zip" >"$work/imp.json"
        S=$(calc "$EPOCHREALTIME - $t")
        CPU= RSS_KB=
    fi
}

best= best_cpu= rss_max=0
for r in $(seq "$REPS"); do
    db=$work/store-$r.db
    rm -f "$db" "$db-wal" "$db-shm"
    run_import "$db"
    got=$(jnum imported "$work/imp.json")
    [ "$got" = "$acts" ] || { echo "bench/import: imported $got files, expected $acts" >&2; cat "$work/imp.json" >&2; exit 1; }
    fit_bytes=$(jnum bytes "$work/imp.json")
    printf "  run %d: %.2f s wall%s%s\n" "$r" "$S" "${CPU:+, $(printf %.2f "$CPU") s CPU}" \
        "${RSS_KB:+, max RSS $((RSS_KB / 1024)) MB}"
    if [ -z "$best" ] || [ "$(calc "$S < $best")" = 1 ]; then best=$S best_cpu=$CPU; fi
    [ -n "$RSS_KB" ] && [ "$RSS_KB" -gt "$rss_max" ] && rss_max=$RSS_KB
    [ "$r" -lt "$REPS" ] && rm -f "$db" "$db-wal" "$db-shm"
done
db_bytes=$(stat -c %s "$db")
run_import "$db"
dup_s=$S
[ "$(jnum duplicates "$work/imp.json")" = "$acts" ] || note "the second import did not find every file a duplicate"

echo
printf "  %-34s %s\n" "activities" "$acts"
printf "  %-34s %.1f MB (zip %.1f MB, store %.1f MB)\n" "FIT data (after gunzip)" \
    "$(calc "$fit_bytes / 1e6")" "$(calc "$zip_bytes / 1e6")" "$(calc "$db_bytes / 1e6")"
printf "  %-34s %.2f s wall%s\n" "import, best of $REPS" "$best" \
    "${best_cpu:+, $(printf %.2f "$best_cpu") s CPU}"
printf "  %-34s %.0f activities/s, %.1f MB/s of FIT\n" "throughput" \
    "$(calc "$acts / $best")" "$(calc "$fit_bytes / 1e6 / $best")"
[ $rss_max -gt 0 ] && printf "  %-34s %.1f MB\n" "peak RSS (max of runs)" "$(calc "$rss_max / 1024")"
printf "  %-34s %.2f s (every file a duplicate)\n" "importing it again" "$dup_s"

# ---------------------------------------------------------------- XML
echo
echo "== GPX and TCX: pliant's readers against expat's raw parse (in memory, best of $XML_REPS)"
xml_ok=0
if [ ! -d "$CORPUS" ]; then
    note "corpus not found at $CORPUS: GPX/TCX part skipped (set CORPUS)"
elif ! cc -O2 -std=c17 -Iinclude -o "$work/xml-speed" "$here/xml-speed.c" "$LIB" \
        $(pkg-config --libs sqlite3 expat libarchive libdeflate nettle libsodium) -lm 2>"$work/cc.err"; then
    note "could not build bench/xml-speed.c: $(head -n 1 "$work/cc.err")"
else
    xml_ok=1
fi
if [ $xml_ok = 1 ]; then
    hdr="  %-5s %5s %8s %9s %12s %13s %15s %13s\n"
    printf "$hdr" format files MB points "expat MB/s" "pliant MB/s" "pliant / expat" "import MB/s"
    for fmt in gpx tcx; do
        files=("$CORPUS/$fmt"/*."$fmt")
        if [ ! -e "${files[0]}" ]; then
            note "no $fmt files in $CORPUS/$fmt"
            continue
        fi
        (cd "$repo" && "$work/xml-speed" "$XML_REPS" "${files[@]}") >"$work/xml.$fmt"
        read -r _ n _ bytes _ points _ es _ ps <"$work/xml.$fmt"
        # The whole import of the same files (hash, read, store), once.
        t=$EPOCHREALTIME
        "$PLIANT" import --quiet --db "$work/$fmt.db" "$CORPUS/$fmt" >/dev/null || true
        is=$(calc "$EPOCHREALTIME - $t")
        printf "$hdr" "$fmt" "$n" "$(printf %.1f "$(calc "$bytes / 1e6")")" "$points" \
            "$(printf %.0f "$(calc "$bytes / 1e6 / $es")")" \
            "$(printf %.0f "$(calc "$bytes / 1e6 / $ps")")" \
            "$(printf %.0f%% "$(calc "100 * $es / $ps")")" \
            "$(printf %.0f "$(calc "$bytes / 1e6 / $is")")"
    done
fi

# ---------------------------------------------------------------- summary
echo
verdict() { [ "$1" = 1 ] && echo "met" || echo "NOT met"; }
if [ "$WEEKS" -eq 520 ] && [ "$PATTERN" = daily ]; then
    echo "target: the decade in under $TARGET_S s on one core: $(printf %.2f "$best") s wall, $(printf %.2f "${best_cpu:-$best}") s CPU -> $(verdict "$(calc "$best < $TARGET_S")")"
else
    echo "target: the decade in under $TARGET_S s: not judged (IMPORT_WEEKS=$WEEKS IMPORT_PATTERN=$PATTERN, not 520 daily)"
fi
if [ $rss_max -gt 0 ]; then
    echo "target: peak memory under $TARGET_RSS_MB MB: $(printf %.1f "$(calc "$rss_max / 1024")") MB -> $(verdict "$(calc "$rss_max / 1024 < $TARGET_RSS_MB")")"
fi
for n in "${notes[@]+"${notes[@]}"}"; do echo "note: $n"; done
