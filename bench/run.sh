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
# The same runs are also shown by CPU time (user + system), which the other
# work on a shared machine disturbs less than wall time. Then: pliant's peak RSS on a 1 h, a 48 h and a chained ~94 MB stream
# (memory must not grow with file size), and callgrind's instruction count
# on the 24 h file (instructions per byte: repeatable on a noisy machine).
#
# Environment: CORPUS_DIR, PLIANT_REPS (40), SDK_REPS (5), GPSBABEL_REPS (3),
# SIM_HOURS (24), FITSDK_DIR. MB is 10^6 bytes throughout.
set -euo pipefail

PLIANT=${1:?usage: bench/run.sh PATH/TO/pliant}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
CORPUS_DIR=${CORPUS_DIR:-$repo/../shared/corpus/fit}
PLIANT_REPS=${PLIANT_REPS:-40}
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

work=$(mktemp -d "${TMPDIR:-/tmp}/pliant-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A private copy: every figure comes from the same binary even when a build
# in the same tree replaces it meanwhile.
cp "$PLIANT" "$work/pliant"
PLIANT=$work/pliant
t_bench0=$EPOCHREALTIME
notes=()
note() { notes+=("$*"); echo "note: $*"; }

# Float arithmetic in awk: calc 'a / b' prints the result.
calc() { awk "BEGIN { printf \"%s\", ($1) }" /dev/null; }

echo "pliant bench: $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared: best-of-N and CPU time)"
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
# Two clocks per decoder. Wall: best of N, as the issue asks. CPU: user +
# system time of the runs, which other engineers' compilers on the same
# cores disturb much less; for processes it comes from bash's `times` in a
# subshell that runs nothing but them (its children's total), divided by N.
# cpu_children: the children's user + system seconds, from `times` output.
cpu_children() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
    printf "%.6f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }

# Process start, option parsing and the exit of `pliant inspect --stats`,
# measured on an empty input, are taken off pliant's CPU time so that it
# compares with its in-process wall time and with the SDK's decode-only time.
( for _ in $(seq 100); do "$PLIANT" inspect --stats /dev/null >/dev/null 2>&1 || :; done; times ) >"$work/times"
P_START_CPU=$(calc "$(cpu_children "$work/times") / 100")

# One line of `inspect --stats` is "messages N, bytes N, seconds S, MB/s X";
# the per-type lines give "record N".
declare -A P_S P_CPU P_BYTES P_MSGS P_RECS
for f in "${files[@]}"; do
    : >"$work/stats.all"
    rc=0
    ( for _ in $(seq "$PLIANT_REPS"); do
          "$PLIANT" inspect --stats "$f" >>"$work/stats.all" 2>"$work/stats.err" || {
              r=$?; [ $r -le 1 ] || exit $r; }
      done; times ) >"$work/times" || rc=$?
    if [ $rc -gt 1 ]; then
        echo "bench: pliant failed on $f:" >&2
        cat "$work/stats.err" >&2
        exit 1
    fi
    [ -s "$work/stats.err" ] && note "pliant: $(basename "$f"): $(head -1 "$work/stats.err")"
    P_S[$f]=$(sed -n 's/^messages .*, seconds \([0-9.]*\),.*/\1/p' "$work/stats.all" | sort -g | head -1)
    P_CPU[$f]=$(calc "$(cpu_children "$work/times") / $PLIANT_REPS - $P_START_CPU")
    awk '{ print } /^messages / { exit }' "$work/stats.all" >"$work/stats"   # the first run
    P_BYTES[$f]=$(sed -n 's/^messages .*, bytes \([0-9]*\),.*/\1/p' "$work/stats")
    P_MSGS[$f]=$(sed -n 's/^messages \([0-9]*\),.*/\1/p' "$work/stats")
    P_RECS[$f]=$(awk '$1 == "record" { print $2 }' "$work/stats")
    P_RECS[$f]=${P_RECS[$f]:-0}
done

# ---------------------------------------------------------------- SDK
declare -A S_S S_CPU
if [ $have_sdk = 1 ]; then
    echo "timing @garmin/fitsdk $sdk_ver (node $(node --version), best of $SDK_REPS) ..."
    node "$here/sdk-decode.mjs" --reps "$SDK_REPS" "${files[@]}" >"$work/sdk" 2>"$work/sdk.err" || {
        cat "$work/sdk.err" >&2
        note "SDK run failed: SDK column skipped"
        have_sdk=0
    }
    sed 's/^/  sdk: /' "$work/sdk.err"
    while IFS=$'\t' read -r f _ _ _ s _ _ c; do S_S[$f]=$s S_CPU[$f]=$c; done <"$work/sdk"
fi

# ---------------------------------------------------------------- gpsbabel
declare -A G_S G_CPU
if [ $have_gpsbabel = 1 ]; then
    echo "timing gpsbabel $(gpsbabel -V 2>&1 | awk '/Version/ { print $NF }') (whole process, best of $GPSBABEL_REPS) ..."
    for f in "${files[@]}"; do
        # Wall time in microseconds from $EPOCHREALTIME: no process of our
        # own runs inside the subshell, so `times` counts gpsbabel alone.
        ( best=
          for _ in $(seq "$GPSBABEL_REPS"); do
              t0=${EPOCHREALTIME/./}
              gpsbabel -i garmin_fit -f "$f" -o unicsv -F /dev/null >/dev/null 2>"$work/gb.err" || exit 1
              us=$(( ${EPOCHREALTIME/./} - t0 ))
              [ -n "$best" ] && [ "$best" -le "$us" ] || best=$us
          done
          echo "$best" >"$work/gb.best"; times ) >"$work/times" || {
            note "gpsbabel failed on $(basename "$f"): $(head -1 "$work/gb.err")"
            continue
        }
        G_S[$f]=$(calc "$(cat "$work/gb.best") / 1e6")
        G_CPU[$f]=$(calc "$(cpu_children "$work/times") / $GPSBABEL_REPS")
    done
fi

# ---------------------------------------------------------------- table
mbps() { calc "$1 / $2 / 1e6"; }
# Record-heavy: at least half of the messages are records.
heavy() { [ "$(calc "${P_RECS[$1]} * 2 >= ${P_MSGS[$1]}")" = 1 ]; }
# fmt VALUE DECIMALS [SUFFIX]: "-" when there is no value
fmt() { [ -n "$1" ] && printf "%.${2:-1}f%s" "$1" "${3:-}" || printf -- "-"; }
name() {
    local b; b=$(basename "$1")
    [[ $1 == "$work"/* ]] && b="simulated, ${SIM_HOURS} h at 1 Hz"
    [ ${#b} -le 38 ] || b="${b:0:35}..."
    heavy "$1" && b="$b *"
    printf "%s" "$b"
}

echo
echo "Decoding speed. MB = 10^6 bytes. pliant: its in-process time, best of $PLIANT_REPS;"
echo "SDK: decode of the file in memory, best of $SDK_REPS; gpsbabel: whole process, best of $GPSBABEL_REPS."
echo
hdr="%-40s %7s %7s %11s %8s %13s %10s %15s\n"
printf "$hdr" file "size MB" records "pliant MB/s" "SDK MB/s" "gpsbabel MB/s" pliant/SDK pliant/gpsbabel
printf "$hdr" "----" "-------" "-------" "-----------" "--------" "-------------" "----------" "---------------"
# minimum over the files of the wall (or cpu) figures, kept for the summary
min_heavy=; min_ratio=; min_heavy_cpu=; min_ratio_cpu=; heavy_n=0; ratio_n=0
min_ratio_all=; min_ratio_all_cpu=
minof() { [ -z "$1" ] || [ "$(calc "$2 < $1")" = 1 ] && echo "$2" || echo "$1"; }
for f in "${files[@]}"; do
    bytes=${P_BYTES[$f]}
    p=$(mbps "$bytes" "${P_S[$f]}")
    s=; g=; rs=; rg=
    [ -n "${S_S[$f]:-}" ] && s=$(mbps "$bytes" "${S_S[$f]}") && rs=$(calc "$p / $s")
    [ -n "${G_S[$f]:-}" ] && g=$(mbps "$bytes" "${G_S[$f]}") && rg=$(calc "$p / $g")
    printf "$hdr" "$(name "$f")" "$(fmt "$(calc "$bytes / 1e6")" 2)" "${P_RECS[$f]}" \
        "$(fmt "$p" 0)" "$(fmt "$s" 2)" "$(fmt "$g" 1)" "$(fmt "$rs" 0 x)" "$(fmt "$rg" 0 x)"
    [ -z "$rs" ] || min_ratio_all=$(minof "$min_ratio_all" "$rs")
    if heavy "$f"; then
        heavy_n=$((heavy_n + 1))
        min_heavy=$(minof "$min_heavy" "$p")
        if [ -n "$rs" ]; then
            ratio_n=$((ratio_n + 1))
            min_ratio=$(minof "$min_ratio" "$rs")
        fi
    fi
done
echo "* record-heavy: at least half of the messages are records (the targets are judged on these)"

echo
echo "The same runs by CPU time (user + system), which load from other processes disturbs"
echo "less. pliant: mean of its $PLIANT_REPS runs less its start-up ($(fmt "$(calc "$P_START_CPU * 1e3")" 2) ms, an empty input);"
echo "SDK: mean of its $SDK_REPS decodes less the first (warm-up), node's helper threads included;"
echo "gpsbabel: mean of its $GPSBABEL_REPS runs, whole process."
echo
printf "$hdr" file "size MB" records "pliant MB/s" "SDK MB/s" "gpsbabel MB/s" pliant/SDK pliant/gpsbabel
printf "$hdr" "----" "-------" "-------" "-----------" "--------" "-------------" "----------" "---------------"
for f in "${files[@]}"; do
    bytes=${P_BYTES[$f]}
    p=$(mbps "$bytes" "${P_CPU[$f]}")
    s=; g=; rs=; rg=
    [ -n "${S_CPU[$f]:-}" ] && s=$(mbps "$bytes" "${S_CPU[$f]}") && rs=$(calc "$p / $s")
    [ -n "${G_CPU[$f]:-}" ] && g=$(mbps "$bytes" "${G_CPU[$f]}") && rg=$(calc "$p / $g")
    printf "$hdr" "$(name "$f")" "$(fmt "$(calc "$bytes / 1e6")" 2)" "${P_RECS[$f]}" \
        "$(fmt "$p" 0)" "$(fmt "$s" 2)" "$(fmt "$g" 1)" "$(fmt "$rs" 0 x)" "$(fmt "$rg" 0 x)"
    [ -z "$rs" ] || min_ratio_all_cpu=$(minof "$min_ratio_all_cpu" "$rs")
    if heavy "$f"; then
        min_heavy_cpu=$(minof "$min_heavy_cpu" "$p")
        [ -z "$rs" ] || min_ratio_cpu=$(minof "$min_ratio_cpu" "$rs")
    fi
done

echo
echo "Records per second (record messages; k = 1000), wall time as in the first table."
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
    echo "target 1: >= $TARGET_MBPS MB/s per core on record-heavy files ($heavy_n file(s)): slowest" \
        "$(fmt "$min_heavy" 0) MB/s by wall time -> $(verdict "$(calc "$min_heavy >= $TARGET_MBPS")")," \
        "$(fmt "$min_heavy_cpu" 0) MB/s by CPU time -> $(verdict "$(calc "$min_heavy_cpu >= $TARGET_MBPS")")"
fi
if [ $ratio_n -gt 0 ]; then
    echo "target 2: >= ${TARGET_SDK_RATIO}x the official JS SDK on the same files ($ratio_n file(s)): smallest ratio" \
        "$(fmt "$min_ratio" 0)x by wall time -> $(verdict "$(calc "$min_ratio >= $TARGET_SDK_RATIO")")," \
        "$(fmt "$min_ratio_cpu" 0)x by CPU time -> $(verdict "$(calc "$min_ratio_cpu >= $TARGET_SDK_RATIO")")" \
        "(over all ${#files[@]} files: $(fmt "$min_ratio_all" 0)x and $(fmt "$min_ratio_all_cpu" 0)x)"
else
    echo "target 2: not measured (no SDK)"
fi
if [ -n "${rss_growth:-}" ]; then
    echo "target 3: peak memory does not grow with file size: ${rss_kb[0]} KB for 0.1 MB," \
        "${rss_kb[2]} KB for 94 MB -> $(verdict "$(calc "$rss_growth < 1024")")"
fi
for n in ${notes[@]+"${notes[@]}"}; do echo "note: $n"; done
echo "bench took $(fmt "$(calc "$EPOCHREALTIME - $t_bench0")" 0) s"
echo; "$here/import.sh" "$1"   # import speed and memory: bench/import.sh, which also runs alone
echo; "$here/load.sh" "$1"     # the load model on a decade: bench/load.sh, which also runs alone
