#!/usr/bin/env bash
# bench/run.sh - FIT decoding speed of pliant against the reference tools,
# and pliant's peak memory and instruction count. `make bench` runs it.
#
#   bench/run.sh build/pliant
#
# What it decodes: the 5 largest FIT files of ../shared/corpus/fit (beside
# the repo; skipped with a note when absent) and a 24 h activity at 1 Hz
# made by `pliant simulate --hours 24` (86400 records).
#
# Who decodes them (bench/README.md says more):
#   pliant    `pliant inspect --stats FILE`: every field decoded into values
#             with scale and offset applied, as --json would; the decode
#             time it reports itself (read + decode, no process start),
#             best of $PLIANT_REPS runs.
#   SDK       @garmin/fitsdk under node, default options, file already in
#             memory, decode only (bench/sdk-decode.mjs), best of $SDK_REPS.
#   gpsbabel  `gpsbabel -i garmin_fit -f FILE -o unicsv -F /dev/null`, the
#             whole process, wall time, best of $GPSBABEL_REPS.
# Then: pliant's peak RSS on a 1 h, a 48 h and a chained ~94 MB stream
# (memory must not grow with file size), and callgrind's instruction count
# on the 24 h file (instructions per byte: repeatable on a noisy machine).
#
# Environment: CORPUS_DIR, PLIANT_REPS (15), SDK_REPS (5), GPSBABEL_REPS (3),
# SIM_HOURS (24), FITSDK_DIR. MB is 10^6 bytes throughout.
set -euo pipefail

PLIANT=${1:?usage: bench/run.sh PATH/TO/pliant}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
CORPUS_DIR=${CORPUS_DIR:-$repo/../shared/corpus/fit}
PLIANT_REPS=${PLIANT_REPS:-15}
SDK_REPS=${SDK_REPS:-5}
GPSBABEL_REPS=${GPSBABEL_REPS:-3}
SIM_HOURS=${SIM_HOURS:-24}
SDK_VERSION=21.217.0
SDK_PREFIX=$repo/build/node
export FITSDK_DIR=${FITSDK_DIR:-$SDK_PREFIX/node_modules/@garmin/fitsdk}

# The targets from the issue.
TARGET_MBPS=1000        # pliant on record-heavy files, one core
TARGET_SDK_RATIO=100    # pliant / SDK on the same files

[ -x "$PLIANT" ] || { echo "bench: '$PLIANT' is not an executable" >&2; exit 2; }
PLIANT=$(cd "$(dirname "$PLIANT")" && pwd)/$(basename "$PLIANT")

work=$(mktemp -d "${TMPDIR:-/tmp}/pliant-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
t_bench0=$EPOCHREALTIME
notes=()
note() { notes+=("$*"); echo "note: $*"; }

# Float arithmetic in awk: calc 'a / b' prints the result.
calc() { awk "BEGIN { printf \"%s\", ($1) }" /dev/null; }

echo "pliant bench: $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (timings are best-of-N; the machine may be shared)"
echo

# ---------------------------------------------------------------- peers
have_sdk=0
if command -v node >/dev/null; then
    if [ ! -f "$FITSDK_DIR/src/index.js" ] && [ "$FITSDK_DIR" = "$SDK_PREFIX/node_modules/@garmin/fitsdk" ] &&
        command -v npm >/dev/null; then
        echo "installing @garmin/fitsdk@$SDK_VERSION into $SDK_PREFIX"
        npm install --prefix "$SDK_PREFIX" --no-audit --no-fund --silent \
            "@garmin/fitsdk@$SDK_VERSION" >&2 || true
    fi
    if [ -f "$FITSDK_DIR/src/index.js" ]; then
        have_sdk=1
        sdk_ver=$(node -p "require('$FITSDK_DIR/package.json').version" 2>/dev/null || echo '?')
    else
        note "@garmin/fitsdk not found in $FITSDK_DIR and could not be installed: SDK column skipped"
    fi
else
    note "node not found: SDK column skipped"
fi
have_gpsbabel=0
if command -v gpsbabel >/dev/null; then
    have_gpsbabel=1
else
    note "gpsbabel not found (apt-get install gpsbabel): gpsbabel column skipped"
fi

# ---------------------------------------------------------------- files
files=()
if [ -d "$CORPUS_DIR" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(
        find "$CORPUS_DIR" -maxdepth 1 -type f -iname '*.fit' -printf '%s\t%p\n' |
            sort -t$'\t' -k1,1nr -k2,2 | head -5 | cut -f2)
    [ ${#files[@]} -gt 0 ] || note "no .fit files in $CORPUS_DIR: corpus part skipped"
else
    note "corpus not found at $CORPUS_DIR: corpus part skipped (set CORPUS_DIR)"
fi

have_sim=0
if "$PLIANT" simulate --help 2>&1 | grep -q -- '--hours'; then
    have_sim=1
    for h in 1 "$SIM_HOURS" 48; do
        "$PLIANT" simulate --hours "$h" --out "$work/sim-${h}h" >/dev/null
        ln -s "$(ls "$work/sim-${h}h"/*.fit | head -1)" "$work/simulated-${h}h.fit"
    done
    big="$work/simulated-${SIM_HOURS}h.fit"
    files+=("$big")
else
    note "'pliant simulate --hours' not available: simulated file, memory and callgrind parts skipped"
fi
[ ${#files[@]} -gt 0 ] || { echo "bench: nothing to decode" >&2; exit 1; }

# ---------------------------------------------------------------- pliant
# One line of `inspect --stats` is "messages N, bytes N, seconds S, MB/s X";
# the per-type lines give "record N".
declare -A P_S P_BYTES P_MSGS P_RECS
for f in "${files[@]}"; do
    best=
    for _ in $(seq "$PLIANT_REPS"); do
        rc=0
        "$PLIANT" inspect --stats "$f" >"$work/stats" 2>"$work/stats.err" || rc=$?
        if [ $rc -gt 1 ]; then
            echo "bench: pliant failed on $f:" >&2
            cat "$work/stats.err" >&2
            exit 1
        fi
        s=$(sed -n 's/^messages .*, seconds \([0-9.]*\),.*/\1/p' "$work/stats")
        if [ -z "$best" ] || [ "$(calc "$s < $best")" = 1 ]; then best=$s; fi
    done
    [ $rc -eq 0 ] || note "pliant: $(basename "$f") decoded with an error: $(head -1 "$work/stats.err")"
    P_S[$f]=$best
    P_BYTES[$f]=$(sed -n 's/^messages .*, bytes \([0-9]*\),.*/\1/p' "$work/stats")
    P_MSGS[$f]=$(sed -n 's/^messages \([0-9]*\),.*/\1/p' "$work/stats")
    P_RECS[$f]=$(awk '$1 == "record" { print $2 }' "$work/stats")
    P_RECS[$f]=${P_RECS[$f]:-0}
done

# ---------------------------------------------------------------- SDK
declare -A S_S
if [ $have_sdk = 1 ]; then
    echo "timing @garmin/fitsdk $sdk_ver (node $(node --version), best of $SDK_REPS) ..."
    node "$here/sdk-decode.mjs" --reps "$SDK_REPS" "${files[@]}" >"$work/sdk" 2>"$work/sdk.err" || {
        cat "$work/sdk.err" >&2
        note "SDK run failed: SDK column skipped"
        have_sdk=0
    }
    sed 's/^/  sdk: /' "$work/sdk.err"
    while IFS=$'\t' read -r f _ _ _ s _; do S_S[$f]=$s; done <"$work/sdk"
fi

# ---------------------------------------------------------------- gpsbabel
declare -A G_S
if [ $have_gpsbabel = 1 ]; then
    echo "timing gpsbabel $(gpsbabel -V 2>&1 | awk '/Version/ { print $NF }') (whole process, best of $GPSBABEL_REPS) ..."
    for f in "${files[@]}"; do
        best=
        for _ in $(seq "$GPSBABEL_REPS"); do
            t0=$EPOCHREALTIME
            if ! gpsbabel -i garmin_fit -f "$f" -o unicsv -F /dev/null >/dev/null 2>"$work/gb.err"; then
                note "gpsbabel failed on $(basename "$f"): $(head -1 "$work/gb.err")"
                best=; break
            fi
            s=$(calc "$EPOCHREALTIME - $t0")
            if [ -z "$best" ] || [ "$(calc "$s < $best")" = 1 ]; then best=$s; fi
        done
        G_S[$f]=$best
    done
fi

# ---------------------------------------------------------------- table
mbps() { calc "$1 / $2 / 1e6"; }
# fmt VALUE DECIMALS [SUFFIX]: "-" when there is no value
fmt() { [ -n "$1" ] && printf "%.${2:-1}f%s" "$1" "${3:-}" || printf -- "-"; }
name() {
    local b; b=$(basename "$1")
    [[ $1 == "$work"/* ]] && b="simulated, ${SIM_HOURS} h at 1 Hz"
    [ ${#b} -le 40 ] || b="${b:0:37}..."
    printf "%s" "$b"
}

echo
echo "Decoding speed. MB = 10^6 bytes. pliant: its in-process time, best of $PLIANT_REPS;"
echo "SDK: decode of the file in memory, best of $SDK_REPS; gpsbabel: whole process, best of $GPSBABEL_REPS."
echo
hdr="%-40s %7s %7s %11s %8s %13s %10s %15s\n"
printf "$hdr" file "size MB" records "pliant MB/s" "SDK MB/s" "gpsbabel MB/s" pliant/SDK pliant/gpsbabel
printf "$hdr" "----" "-------" "-------" "-----------" "--------" "-------------" "----------" "---------------"
min_heavy=; min_ratio=; heavy_n=0; ratio_n=0
for f in "${files[@]}"; do
    bytes=${P_BYTES[$f]}
    p=$(mbps "$bytes" "${P_S[$f]}")
    s=; g=; rs=; rg=
    [ -n "${S_S[$f]:-}" ] && s=$(mbps "$bytes" "${S_S[$f]}") && rs=$(calc "$p / $s")
    [ -n "${G_S[$f]:-}" ] && g=$(mbps "$bytes" "${G_S[$f]}") && rg=$(calc "$p / $g")
    printf "$hdr" "$(name "$f")" "$(fmt "$(calc "$bytes / 1e6")" 2)" "${P_RECS[$f]}" \
        "$(fmt "$p" 0)" "$(fmt "$s" 2)" "$(fmt "$g" 1)" "$(fmt "$rs" 0 x)" "$(fmt "$rg" 0 x)"
    # Record-heavy: at least half of the messages are records.
    if [ "$(calc "${P_RECS[$f]} * 2 >= ${P_MSGS[$f]}")" = 1 ]; then
        heavy_n=$((heavy_n + 1))
        if [ -z "$min_heavy" ] || [ "$(calc "$p < $min_heavy")" = 1 ]; then min_heavy=$p; fi
    fi
    if [ -n "$rs" ]; then
        ratio_n=$((ratio_n + 1))
        if [ -z "$min_ratio" ] || [ "$(calc "$rs < $min_ratio")" = 1 ]; then min_ratio=$rs; fi
    fi
done

echo
echo "Records per second (record messages; k = 1000), same runs."
echo
hdr="%-40s %7s %13s %10s %15s\n"
printf "$hdr" file records "pliant krec/s" "SDK krec/s" "gpsbabel krec/s"
printf "$hdr" "----" "-------" "-------------" "----------" "---------------"
for f in "${files[@]}"; do
    r=${P_RECS[$f]}
    s=; g=
    [ -n "${S_S[$f]:-}" ] && s=$(calc "$r / ${S_S[$f]} / 1e3")
    [ -n "${G_S[$f]:-}" ] && g=$(calc "$r / ${G_S[$f]} / 1e3")
    printf "$hdr" "$(name "$f")" "$r" "$(fmt "$(calc "$r / ${P_S[$f]} / 1e3")" 0)" "$(fmt "$s" 1)" "$(fmt "$g" 0)"
done

# ---------------------------------------------------------------- memory
if [ $have_sim = 1 ]; then
    echo
    if [ -x /usr/bin/time ]; then
        echo "Peak memory of pliant inspect --stats (max RSS, /usr/bin/time -v; streaming in 256 KiB pieces)"
        echo
        rss() {  # rss LABEL BYTES [FILE]: decode FILE (stdin when absent), print max RSS
            local label=$1 bytes=$2
            /usr/bin/time -v -o "$work/time" "$PLIANT" inspect --stats "${3:--}" >/dev/null
            local kb; kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
            printf "  %-36s %8.2f MB  max RSS %6d KB\n" "$label" "$(calc "$bytes / 1e6")" "$kb"
            rss_kb+=("$kb")
        }
        rss_kb=()
        f1=$work/simulated-1h.fit f48=$work/simulated-48h.fit
        rss "simulated 1 h" "$(stat -Lc %s "$f1")" "$f1"
        rss "simulated 48 h" "$(stat -Lc %s "$f48")" "$f48"
        # 20 copies of the 48 h file, chained FIT files (FIT protocol: a file
        # may hold several FIT files back to back), piped into stdin.
        n48=$(stat -Lc %s "$f48")
        rss "20 x 48 h chained, piped on stdin" "$((n48 * 20))" \
            < <(for _ in $(seq 20); do cat "$f48"; done)
        # Flat means: 940 times the data costs less than 1 MiB more memory
        # (keeping even 8 bytes per record of the 3.5 million would cost 27 MiB).
        rss_growth=$(( rss_kb[2] - rss_kb[0] ))
    else
        note "/usr/bin/time missing (apt-get install time): memory part skipped"
    fi
fi

# ---------------------------------------------------------------- callgrind
if [ $have_sim = 1 ]; then
    echo
    if command -v valgrind >/dev/null; then
        echo "Instruction count (valgrind --tool=callgrind) on the simulated ${SIM_HOURS} h file"
        echo
        nb=$(stat -Lc %s "$big")
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.all" \
            "$PLIANT" inspect --stats "$big" >/dev/null 2>"$work/cg.all.err"
        ir_all=$(awk '/Collected :/ { print $NF }' "$work/cg.all.err")
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.dec" \
            --toggle-collect=pl_fit_decoder_feed --toggle-collect=pl_fit_decoder_finish \
            "$PLIANT" inspect --stats "$big" >/dev/null 2>"$work/cg.dec.err"
        ir_dec=$(awk '/Collected :/ { print $NF }' "$work/cg.dec.err")
        printf "  whole process:             %12d instructions, %6.2f per byte, %6.1f per record\n" \
            "$ir_all" "$(calc "$ir_all / $nb")" "$(calc "$ir_all / ${P_RECS[$big]}")"
        printf "  decoder (feed + finish):   %12d instructions, %6.2f per byte, %6.1f per record\n" \
            "$ir_dec" "$(calc "$ir_dec / $nb")" "$(calc "$ir_dec / ${P_RECS[$big]}")"
        echo "  (for scale: 1 GB/s on a 3 GHz core leaves 3 cycles per byte)"
    else
        note "valgrind missing (apt-get install valgrind): instruction count skipped"
    fi
fi

# ---------------------------------------------------------------- summary
echo
verdict() { [ "$1" = 1 ] && echo "met" || echo "NOT met"; }
if [ $heavy_n -gt 0 ]; then
    echo "target 1: >= $TARGET_MBPS MB/s per core on record-heavy files ($heavy_n file(s)):" \
        "slowest $(fmt "$min_heavy" 0) MB/s -> $(verdict "$(calc "$min_heavy >= $TARGET_MBPS")")"
fi
if [ $ratio_n -gt 0 ]; then
    echo "target 2: >= ${TARGET_SDK_RATIO}x the official JS SDK on the same files ($ratio_n file(s)):" \
        "smallest ratio $(fmt "$min_ratio" 0)x -> $(verdict "$(calc "$min_ratio >= $TARGET_SDK_RATIO")")"
else
    echo "target 2: not measured (no SDK)"
fi
if [ -n "${rss_growth:-}" ]; then
    echo "target 3: peak memory does not grow with file size: ${rss_kb[0]} KB for 0.1 MB," \
        "${rss_kb[2]} KB for 94 MB -> $(verdict "$(calc "$rss_growth < 1024")")"
fi
for n in ${notes[@]+"${notes[@]}"}; do echo "note: $n"; done
echo "bench took $(fmt "$(calc "$EPOCHREALTIME - $t_bench0")" 0) s"
