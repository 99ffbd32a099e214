#!/bin/bash
# run-all.sh - run every kind of test against one build and count them.
#
#   BUILD=build-check tests/run-all.sh [FILTER...]
#
# Sections, in order:
#   unit         $BUILD/tests/test-*    cmocka; each test case counts once
#   cli          tests/cli/tNNNN-*.sh   exit 0 pass, 77 skip, else fail
#   hostile      tests/hostile/*.sh     the same; one script per hostile
#                                       input or fault, named after it
#   fuzz         $BUILD/fuzz/*-replay   each file of fuzz/corpus/<target>/
#                                       counts once
#   conformance  tests/conformance/run.sh, when present; its own
#                "N passed, N failed[, N skipped]" line is folded in
#
# A FILTER is a shell pattern matched against item names (test-fit,
# t0001-help, fuzz-fit-replay, conformance); with filters only matching
# items run. The last line of output is always
#   N passed, N failed[, N skipped]
# and the exit status is 1 when anything failed.
#
# Environment: BUILD (default build-check); BUILD_STATUS, the exit status of
# the build that make check ran first (non-zero counts as one failure);
# TEST_TIMEOUT seconds per unit
# binary or CLI test (300); FUZZ_TIMEOUT per replay run (600);
# CONFORMANCE_TIMEOUT (1800); TEST_TAIL lines of output shown per failure
# (25); V=1 also shows the output of passing CLI tests.
#
# Each CLI test runs from the repository root with PLIANT (absolute path
# of $BUILD/pliant), BUILD, and a fresh empty TMPDIR under
# $BUILD/tmp/run.<pid>/, which is removed when the test passes. Each run has
# its own directory (logs too), so that two runs at once do not trip over
# each other; it is removed when everything passed, else kept for a look
# until a later run. XDG_DATA_HOME and HOME point into
# that TMPDIR, and PLIANT_DB is unset, so that no test can touch the
# user's own store.
#
# Sanitizers exit with status 99 (not 1), so a sanitizer report is never
# mistaken for pliant's "some inputs were bad" status.
set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
BUILD=${BUILD:-build-check}
case $BUILD in
/*) B=$BUILD ;;
*) B=$ROOT/$BUILD ;;
esac
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-600}
CONFORMANCE_TIMEOUT=${CONFORMANCE_TIMEOUT:-1800}
TEST_TAIL=${TEST_TAIL:-25}
V=${V:-0}
FILTERS=("$@")

export BUILD
# The shared corpus of real files sits beside the repository (in CI too: a
# copy of shared/ beside the clone). Tests skip, saying so, without it.
PLIANT_CORPUS=${PLIANT_CORPUS:-$(cd "$ROOT/.." && pwd)/shared/corpus}
export PLIANT_CORPUS
export ASAN_OPTIONS="exitcode=99:detect_leaks=1:check_initialization_order=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="exitcode=99:${LSAN_OPTIONS:-}"
export CMOCKA_MESSAGE_OUTPUT=stdout
export LC_ALL=C
# A test that runs make must not inherit the jobserver or the variables of
# the `make check` that started us.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

if [ -t 1 ]; then
    RED=$'\e[31m' GREEN=$'\e[32m' YELLOW=$'\e[33m' BOLD=$'\e[1m' OFF=$'\e[0m'
else
    RED='' GREEN='' YELLOW='' BOLD='' OFF=''
fi

RUN=$B/tmp/run.$$
LOGS=$RUN/logs
for d in "$B"/tmp/run.*; do
    [ -d "$d" ] && ! kill -0 "${d##*.}" 2>/dev/null && rm -rf "$d"
done

pass=0 fail=0 skip=0            # totals
s_pass=0 s_fail=0 s_skip=0      # current section
SUMMARY=()                      # one line per section
FAILED=()                       # names of failed items

selected() {
    [ ${#FILTERS[@]} -eq 0 ] && return 0
    local f
    for f in "${FILTERS[@]}"; do
        # shellcheck disable=SC2254
        case $1 in $f) return 0 ;; esac
    done
    return 1
}

section_begin() {
    s_pass=0 s_fail=0 s_skip=0 s_name=$1 s_t0=$SECONDS
    printf '%s== %s%s\n' "$BOLD" "$2" "$OFF"
}

section_end() {
    pass=$((pass + s_pass)) fail=$((fail + s_fail)) skip=$((skip + s_skip))
    SUMMARY+=("$(printf '%-12s %5d pass %5d fail %5d skip  %4ds' \
        "$s_name" "$s_pass" "$s_fail" "$s_skip" $((SECONDS - s_t0)))")
}

# show FILE...: the useful part of a failure's output. A sanitizer report
# is shown from its first line (the top frames matter most); anything else
# from its end.
show() {
    local f at
    for f in "$@"; do
        [ -s "$f" ] || continue
        at=$(grep -n -m1 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$f" | cut -d: -f1)
        if [ -n "$at" ]; then
            at=$((at > 3 ? at - 3 : 1))
            tail -n +"$at" "$f" | head -n "$TEST_TAIL"
            # ... and the end, where a test says what it expected.
            if [ $((at + TEST_TAIL)) -le "$(wc -l <"$f")" ]; then
                echo "..."
                tail -n 3 "$f"
            fi
        else
            tail -n "$TEST_TAIL" "$f"
        fi | sed 's/^/    | /'
    done
}

status_note() {
    case $1 in
    124 | 137) echo "timed out after $2 s" ;;
    99) echo "sanitizer error (exit 99)" ;;
    *) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit status $1"; fi ;;
    esac
}

# runq OUT ERR CMD...: run CMD with stdout and stderr to files and no
# stdin, in a subshell so that bash's own "Aborted (core dumped)" notice for
# a child killed by a signal does not land among our output.
runq() {
    local o=$1 e=$2
    shift 2
    if [ "$o" = "$e" ]; then
        ("$@" >"$o" 2>&1 </dev/null; exit $?) 2>/dev/null
    else
        ("$@" >"$o" 2>"$e" </dev/null; exit $?) 2>/dev/null
    fi
}

mark_fail() { printf '  %sFAIL%s  %s\n' "$RED" "$OFF" "$1"; FAILED+=("$2"); }
mark_pass() { printf '  %sok%s    %s\n' "$GREEN" "$OFF" "$1"; }
mark_skip() { printf '  %sskip%s  %s\n' "$YELLOW" "$OFF" "$1"; }

if [ ! -d "$B" ]; then
    echo "run-all: no build directory '$BUILD'; run 'make check' (or make BUILD=$BUILD check-build) first" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
mkdir -p "$LOGS" || exit 2

# ---------------------------------------------------------------- unit
run_unit() {
    local bin name out err rc counts announced ok sk bad
    section_begin unit "unit tests ($BUILD/tests)"
    for bin in "$B"/tests/test-*; do
        [[ -f $bin && -x $bin ]] || continue
        name=${bin##*/}
        selected "$name" || continue
        out=$LOGS/$name.out err=$LOGS/$name.err
        runq "$out" "$err" timeout -k 10 "$TEST_TIMEOUT" "$bin"
        rc=$?
        # cmocka's standard output format (1.1): "[==========] Running N
        # test(s)." per group, then "[ RUN      ] x" and one of "[       OK ]",
        # "[  FAILED  ]", "[  SKIPPED ]" per test on stdout. A test that errs
        # or crashes leaves a RUN without a result, so failures are counted
        # as announced - ok - skipped: tests that never ran count as failed.
        counts=$(awk '
            /^\[==========\] Running [0-9]+ test/ { n += $3 }
            /^\[       OK \] /                      { ok++ }
            /^\[  SKIPPED \] /                      { sk++ }
            /^\[  FAILED  \] /                      { fa++ }
            END { printf "%d %d %d %d", n, ok, sk, fa }' "$out")
        read -r announced ok sk failed_lines <<<"$counts"
        bad=$((announced - ok - sk))
        [ $bad -lt 0 ] && bad=0
        # When every test has its result and the binary still failed, the
        # failure came after them (a leak found at exit) or from no test at
        # all: one more failure. cmocka's own status (the number of failed
        # tests) is not one.
        at_exit=
        if [ $rc -ne 0 ] && [ $bad -eq "$failed_lines" ] &&
            { [ $bad -eq 0 ] || [ $rc -eq 99 ] || [ $rc -gt 123 ]; }; then
            bad=$((bad + 1))
            at_exit=" (after the last test)"
        elif [ $rc -eq 0 ] && [ "$announced" -eq 0 ]; then
            bad=1
            echo "no cmocka test ran" >>"$err"
        fi
        s_pass=$((s_pass + ok)) s_skip=$((s_skip + sk)) s_fail=$((s_fail + bad))
        if [ $bad -eq 0 ]; then
            mark_pass "$(printf '%-28s %d tests%s' "$name" "$ok" \
                "$([ "$sk" -gt 0 ] && echo ", $sk skipped")")"
        else
            local which
            which=$(awk '
                /^\[==========\]/ { next }
                /^\[ RUN      \] / { cur = $0; sub(/^\[ RUN      \] /, "", cur); open = 1; next }
                /^\[  FAILED  \] / { x = $0; sub(/^\[  FAILED  \] /, "", x); printf "%s%s", sep, x; sep = ", "; open = 0; next }
                /^\[(       OK |  SKIPPED )\] / { open = 0 }
                END { if (open) printf "%s%s (did not finish)", sep, cur }' "$out")
            mark_fail "$name: $bad of $announced failed, $(status_note $rc "$TEST_TIMEOUT")${which:+: $which}$at_exit" "$name"
            # Leave out cmocka's closing summary: the names are above.
            grep -v -E '^\[  (PASSED|SKIPPED|FAILED)  ?\] |^ [0-9]+ (FAILED|SKIPPED) TEST|^$' "$err" >"$err.short"
            show "$err.short"
        fi
    done
    section_end
}

# ---------------------------------------------------------------- cli
# run_cli SECTION DIR: each script DIR/*.sh against the real binary.
run_cli() {
    local t name tmp log rc msg section=$1 dir=$2 glob=$3
    section_begin "$section" "${section^^} tests ($dir, PLIANT=$BUILD/pliant)"
    for t in "$dir"/$glob; do
        [ -f "$t" ] || continue
        name=${t##*/}
        name=${name%.sh}
        selected "$name" || continue
        tmp=$RUN/$name
        mkdir -p "$tmp"
        log=$LOGS/$name.log
        if [ -x "$t" ]; then set -- "$t"; else set -- sh "$t"; fi
        runq "$log" "$log" env -u PLIANT_DB PLIANT="$B/pliant" BUILD="$BUILD" TMPDIR="$tmp" \
            HOME="$tmp/home" XDG_DATA_HOME="$tmp/xdg-data" \
            XDG_CONFIG_HOME="$tmp/xdg-config" \
            timeout -k 5 "$TEST_TIMEOUT" "$@"
        rc=$?
        case $rc in
        0)
            s_pass=$((s_pass + 1))
            mark_pass "$name"
            [ "$V" = 1 ] && show "$log"
            rm -rf "$tmp"
            ;;
        77)
            s_skip=$((s_skip + 1))
            msg=$(grep '^skip: ' "$log" | tail -n 1)
            [ -n "$msg" ] || msg=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
            mark_skip "$name: ${msg#skip: }"
            rm -rf "$tmp"
            ;;
        *)
            s_fail=$((s_fail + 1))
            mark_fail "$name: $(status_note $rc "$TEST_TIMEOUT") (files kept in $tmp)" "$name"
            show "$log"
            ;;
        esac
    done
    section_end
}

# ---------------------------------------------------------------- fuzz
# Replays a corpus; after a crash, starts again after the crashing input, so
# that every file is either passed or failed and every crasher is named.
run_fuzz() {
    local bin name target corpus out err rc files rest n ok first restarts
    section_begin fuzz "fuzz corpus replay ($BUILD/fuzz)"
    for bin in "$B"/fuzz/*-replay; do
        [[ -f $bin && -x $bin ]] || continue
        name=${bin##*/}
        selected "$name" || continue
        target=${name#fuzz-}
        target=${target%-replay}
        corpus=fuzz/corpus/$target
        # The same files, in the same order, as replay-main.c: regular
        # files, symlinks followed, no dot-names, sorted by bytes.
        mapfile -t files < <([ -d "$corpus" ] &&
            find -L "$corpus" -mindepth 1 -name '.*' -prune -o -type f -print | sort)
        n=${#files[@]}
        if [ "$n" -eq 0 ]; then
            s_skip=$((s_skip + 1))
            mark_skip "$name: no inputs in $corpus/"
            continue
        fi
        rest=("${files[@]}") ok=0 restarts=0
        local failed_here=() f
        while [ ${#rest[@]} -gt 0 ]; do
            out=$LOGS/$name.out err=$LOGS/$name.err.$restarts
            runq "$out" "$err" timeout -k 10 "$FUZZ_TIMEOUT" "$bin" "${rest[@]}"
            rc=$?
            local -A done_set=()
            while IFS= read -r f; do done_set[${f#ok }]=1; done < <(grep '^ok ' "$out")
            local left=()
            for f in "${rest[@]}"; do
                [ -n "${done_set[$f]:-}" ] || left+=("$f")
            done
            unset done_set
            ok=$((ok + ${#rest[@]} - ${#left[@]}))
            rest=("${left[@]}")
            [ $rc -eq 0 ] && [ ${#rest[@]} -eq 0 ] && break
            if [ ${#rest[@]} -eq 0 ]; then
                # Every input ran, yet the process failed (a leak at exit).
                failed_here+=("(at exit)")
                ok=$((ok - 1))
                printf '  %sFAIL%s  %s: after the last input, %s\n' "$RED" "$OFF" "$name" "$(status_note $rc "$FUZZ_TIMEOUT")"
                show "$err"
                break
            fi
            # The first input without "ok" is the one that crashed (or could
            # not be read); start again after it.
            first=${rest[0]}
            failed_here+=("$first")
            printf '  %sFAIL%s  %s: %s, %s\n' "$RED" "$OFF" "$name" "$first" "$(status_note $rc "$FUZZ_TIMEOUT")"
            show "$err"
            rest=("${rest[@]:1}")
            restarts=$((restarts + 1))
            if [ $restarts -ge 20 ] && [ ${#rest[@]} -gt 0 ]; then
                echo "    (20 failures; the other ${#rest[@]} inputs count as failed)"
                failed_here+=("${rest[@]}")
                rest=()
            fi
        done
        [ $ok -lt 0 ] && ok=0
        s_pass=$((s_pass + ok)) s_fail=$((s_fail + ${#failed_here[@]}))
        if [ ${#failed_here[@]} -eq 0 ]; then
            mark_pass "$(printf '%-28s %d inputs' "$name" "$ok")"
        else
            FAILED+=("$name (${#failed_here[@]} inputs)")
            echo "    reproduce: $BUILD/fuzz/$name FILE  (see tools/fuzz.sh for libFuzzer)"
        fi
    done
    section_end
}

# ---------------------------------------------------------------- conformance
run_conformance() {
    local script=tests/conformance/run.sh log rc line p f s
    [ -f "$script" ] || return 0
    selected conformance || return 0
    section_begin conformance "conformance ($script)"
    log=$LOGS/conformance.log
    if [ -x "$script" ]; then set -- "$script"; else set -- sh "$script"; fi
    mkdir -p "$RUN/conformance"
    runq "$log" "$log" env PLIANT="$B/pliant" BUILD="$BUILD" TMPDIR="$RUN/conformance" \
        timeout -k 10 "$CONFORMANCE_TIMEOUT" "$@"
    rc=$?
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        s_fail=1
        mark_fail "conformance: no 'N passed, N failed' line; $(status_note $rc "$CONFORMANCE_TIMEOUT")" conformance
        show "$log"
    else
        p=$(grep -oE '[0-9]+ passed' <<<"$line" | tail -n 1 | cut -d' ' -f1)
        f=$(grep -oE '[0-9]+ failed' <<<"$line" | tail -n 1 | cut -d' ' -f1)
        s=$(grep -oE '[0-9]+ skipped' <<<"$line" | tail -n 1 | cut -d' ' -f1)
        s_pass=$p s_fail=$f s_skip=${s:-0}
        if [ "$f" -eq 0 ] && [ $rc -ne 0 ]; then
            s_fail=1
        fi
        if [ "$s_fail" -eq 0 ] && [ "$p" -eq 0 ] && [ "$s_skip" -gt 0 ]; then
            mark_skip "$(grep -v -E '[0-9]+ passed, [0-9]+ failed' "$log" | grep -i -m1 skip || echo skipped)"
        elif [ "$s_fail" -eq 0 ]; then
            mark_pass "conformance: $p pass, ${s:-0} skip"
        else
            mark_fail "conformance: $f failed, $(status_note $rc "$CONFORMANCE_TIMEOUT") (log: $log)" conformance
            show "$log"
        fi
    fi
    section_end
}

# make check passes the status of its build: a failed build is a failure
# even when every test that could be built passes.
if [ "${BUILD_STATUS:-0}" -ne 0 ]; then
    section_begin build "build ($BUILD)"
    s_fail=1
    mark_fail "the build failed (make status $BUILD_STATUS): see the errors above; what did build is tested below, and may be stale" build
    section_end
fi
run_unit
run_cli cli tests/cli 't[0-9][0-9][0-9][0-9]-*.sh'
run_cli hostile tests/hostile '*.sh'
run_fuzz
run_conformance

printf '%s== summary%s\n' "$BOLD" "$OFF"
for l in "${SUMMARY[@]}"; do
    echo "  $l"
done
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "  failed: ${FAILED[*]}"
    echo "  logs:   $LOGS/"
else
    rm -rf "$RUN"
fi
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
