#!/bin/bash
# fuzz.sh - build the libFuzzer targets with clang and run each for a while.
#
#   tools/fuzz.sh SECONDS [TARGET...]       (make fuzz FUZZ_SECONDS=60)
#
# For each fuzz/fuzz-<target>.c (or only the TARGETs named, e.g. "fit"):
#  - build build-fuzz/fuzz-<target>: the library with ASan+UBSan and
#    coverage (-fsanitize=fuzzer-no-link) through the Makefile into
#    build-fuzz/, the target linked with -fsanitize=fuzzer,address,undefined;
#  - run it for SECONDS, one job, from the committed corpus
#    fuzz/corpus/<target>/ (read only); new inputs go to
#    build-fuzz/corpus-<target>/;
#  - merge those into fuzz/corpus/<target>/ with -merge=1, which adds only
#    inputs that reach new coverage, so the committed corpus stays small;
#  - a crash, leak, timeout or out-of-memory input is moved to
#    fuzz/crashes/<target>-<kind>-<hash>, and the script ends non-zero
#    after all targets ran, saying how to reproduce each.
#
# Per target, optional: fuzz/<target>.dict (a libFuzzer dictionary) and
# fuzz/<target>.options (OSS-Fuzz style: "key = value" lines under
# [libfuzzer], passed as -key=value; e.g. max_len = 1048576). Defaults:
# -max_len=65536 -timeout=25 -rss_limit_mb=2048.
#
# One target at a time, one process each: the machines are shared.
# Environment: FUZZ_CC (default clang).
set -eu

cd "$(dirname "$0")/.."
secs=${1:?usage: tools/fuzz.sh SECONDS [TARGET...]}
shift
case $secs in '' | *[!0-9]* | 0) echo "fuzz.sh: SECONDS must be a positive number" >&2; exit 2 ;; esac
CC=${FUZZ_CC:-clang}
OUT=build-fuzz
SAN=address,undefined

command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (tools/deps.sh install)" >&2; exit 2; }

targets=()
if [ $# -gt 0 ]; then
    for t in "$@"; do
        t=${t#fuzz-}
        [ -f "fuzz/fuzz-$t.c" ] || { echo "fuzz.sh: no fuzz/fuzz-$t.c" >&2; exit 2; }
        targets+=("$t")
    done
else
    for f in fuzz/fuzz-*.c; do
        [ -f "$f" ] || continue
        t=${f#fuzz/fuzz-}
        targets+=("${t%.c}")
    done
fi
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz.sh: no fuzz targets (fuzz/fuzz-*.c)"
    exit 0
fi

# Ask the Makefile for its flags, so that the fuzz build links the same
# libraries and sees the same include paths as every other build.
mkvar() {
    make --no-print-directory -s --eval="print-var-$1: ; @echo \$($1)" "print-var-$1" \
        BUILD="$OUT" CC="$CC" SANITIZE="$SAN"
}

echo "== fuzz.sh: building the library into $OUT/ ($CC, $SAN, coverage)"
make --no-print-directory BUILD="$OUT" CC="$CC" SANITIZE="$SAN" \
    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" "$OUT/libpliant.a"
cppflags=$(mkvar CPPFLAGS)
cflags=$(mkvar ALL_CFLAGS)
ldlibs=$(mkvar LDLIBS)

mkdir -p fuzz/crashes
found=()
for t in "${targets[@]}"; do
    bin=$OUT/fuzz-$t
    echo "== fuzz-$t: build"
    # shellcheck disable=SC2086
    "$CC" $cppflags $cflags -O1 -g -fsanitize=fuzzer,$SAN \
        -o "$bin" "fuzz/fuzz-$t.c" "$OUT/libpliant.a" $ldlibs

    corpus=fuzz/corpus/$t
    new=$OUT/corpus-$t
    mkdir -p "$corpus" "$new"
    opts=(-max_len=65536 -timeout=25 -rss_limit_mb=2048)
    [ -f "fuzz/$t.dict" ] && opts+=("-dict=fuzz/$t.dict")
    if [ -f "fuzz/$t.options" ]; then
        while IFS= read -r opt; do opts+=("$opt"); done < <(
            awk -F= '/^\[/ { sec = $0; next }
                sec == "[libfuzzer]" && NF == 2 {
                    gsub(/[ \t]/, "", $1); gsub(/^[ \t]+|[ \t]+$/, "", $2)
                    print "-" $1 "=" $2 }' "fuzz/$t.options")
    fi
    # Artifacts land in a scratch dir first so that we know which are new.
    art=$OUT/artifacts-$t
    rm -rf "$art"
    mkdir -p "$art"
    echo "== fuzz-$t: ${secs}s, corpus $corpus/ ($(find "$corpus" -type f | wc -l) files), new inputs in $new/"
    # The progress lines (NEW, REDUCE, pulse) are left out; the start, the
    # end, the stats and any report stay.
    set +e
    "$bin" "${opts[@]}" -print_final_stats=1 -max_total_time="$secs" \
        -artifact_prefix="$art/" "$new" "$corpus" 2>&1 |
        grep -v -e '^#[0-9][0-9]*[[:space:]]*\(NEW\|REDUCE\|pulse\)' -e '^".*" # Uses: [0-9]*$' -e '^[[:space:]]*NEW_FUNC'
    rc=${PIPESTATUS[0]}
    set -e

    nfound=0
    for a in "$art"/*; do
        [ -f "$a" ] || continue
        case ${a##*/} in
        slow-unit-*)
            echo "fuzz.sh: fuzz-$t: slow input kept as $a (not a failure)"
            continue
            ;;
        esac
        dest=fuzz/crashes/$t-${a##*/}
        mv "$a" "$dest"
        found+=("$t:$dest")
        nfound=$((nfound + 1))
    done
    if [ "$rc" -ne 0 ] && [ $nfound -eq 0 ]; then
        echo "fuzz.sh: fuzz-$t exited with status $rc without leaving an input" >&2
        found+=("$t:(none; exit status $rc)")
    fi

    before=$(find "$corpus" -type f | wc -l)
    "$bin" -merge=1 "${opts[@]}" "$corpus" "$new" >"$OUT/merge-$t.log" 2>&1 ||
        { echo "fuzz.sh: merge for $t failed; see $OUT/merge-$t.log" >&2; tail -n 20 "$OUT/merge-$t.log" >&2; }
    after=$(find "$corpus" -type f | wc -l)
    echo "== fuzz-$t: corpus $before -> $after files ($((after - before)) added)"
done

if [ ${#found[@]} -gt 0 ]; then
    echo
    echo "fuzz.sh: FOUND ${#found[@]} failing input(s):"
    for x in "${found[@]}"; do
        t=${x%%:*} f=${x#*:}
        echo "  $f"
        echo "    reproduce: $OUT/fuzz-$t $f"
        echo "           or: make check-build BUILD=build-check SANITIZE=address,undefined OPT=-O1 && build-check/fuzz/fuzz-$t-replay $f"
    done
    echo "  Once fixed, move the input into fuzz/corpus/<target>/ so that make check replays it."
    exit 1
fi
echo "fuzz.sh: no crashes in ${#targets[@]} target(s), ${secs}s each"
