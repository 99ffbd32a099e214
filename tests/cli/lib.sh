# lib.sh - helpers for the CLI tests; POSIX sh. Source it first:
#
#   . "$(dirname "$0")/lib.sh"
#
# tests/run-all.sh runs each tests/cli/tNNNN-<cmd>-<detail>.sh from the
# repository root with PLIANT (the binary under test), BUILD and a fresh
# empty TMPDIR. Run alone (sh tests/cli/t0001-help.sh) a test uses
# build-check/pliant, else build/pliant, and a temporary TMPDIR that is
# removed at exit.
#
# A test exits 0 to pass, 77 to skip (skip "why"), anything else to fail.
#
#   fail MSG                   fail now
#   skip MSG                   skip now (exit 77), MSG says why
#   run CMD...                 run CMD; stdout in $OUT, stderr in $ERR, exit
#                              status in $STATUS; never fails by itself
#   expect_exit CODE CMD...    run CMD and fail unless it exits with CODE
#   expect_contains FILE TEXT  fail unless FILE contains the fixed string TEXT
#   expect_lacks FILE TEXT     fail if FILE contains TEXT
#   expect_golden NAME FILE    fail unless FILE equals tests/data/golden/NAME;
#                              PLIANT_UPDATE_GOLDEN=1 rewrites the golden file
#   need_cmd CMD...            skip unless every CMD is on PATH
#   need_corpus [PATH]         skip unless the shared test corpus (or PATH
#                              inside it) is there; sets CORPUS
#
# Keep tests quick (a few seconds each) and quiet: say what you check only
# when it fails.

set -u

# The repository root: run-all.sh starts us there; otherwise find it from
# this file's path or the current directory.
if [ -f tests/cli/lib.sh ]; then
    ROOT=$(pwd)
else
    ROOT=$(cd "$(dirname "$0")/../.." && pwd)
    cd "$ROOT" || exit 1
fi
TEST_NAME=$(basename "$0" .sh)
GOLDEN_DIR=$ROOT/tests/data/golden

if [ -z "${PLIANT:-}" ]; then
    if [ -x "$ROOT/build-check/pliant" ]; then
        PLIANT=$ROOT/build-check/pliant
        BUILD=${BUILD:-build-check}
    else
        PLIANT=$ROOT/build/pliant
        BUILD=${BUILD:-build}
    fi
fi
BUILD=${BUILD:-build}
export PLIANT BUILD

if [ -z "${TMPDIR:-}" ] || [ "$TMPDIR" = /tmp ]; then
    TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/pliant-$TEST_NAME.XXXXXX") || exit 1
    # shellcheck disable=SC2064
    trap "rm -rf '$TMPDIR'" EXIT
fi
export TMPDIR
OUT=$TMPDIR/stdout
ERR=$TMPDIR/stderr
STATUS=0

[ -x "$PLIANT" ] || { echo "FAIL: $TEST_NAME: no binary at $PLIANT (build it first)" >&2; exit 1; }

fail() {
    echo "FAIL: $TEST_NAME: $*" >&2
    exit 1
}

skip() {
    echo "skip: $*"
    exit 77
}

# Show a file, indented, when a check fails (at most 40 lines).
show_file() {
    if [ -s "$2" ]; then
        echo "--- $1:" >&2
        head -n 40 "$2" | sed 's/^/  /' >&2
    else
        echo "--- $1: (empty)" >&2
    fi
}

run() {
    STATUS=0
    "$@" >"$OUT" 2>"$ERR" </dev/null || STATUS=$?
}

expect_exit() {
    want=$1
    shift
    run "$@"
    [ "$STATUS" -eq "$want" ] && return 0
    why="exit status $STATUS, expected $want"
    if grep -q 'Sanitizer\|runtime error:' "$ERR"; then
        why="$why: sanitizer report"
    fi
    echo "command: $*" >&2
    show_file stdout "$OUT"
    show_file stderr "$ERR"
    fail "$why"
}

expect_contains() {
    [ -f "$1" ] || fail "no file $1"
    grep -qF -- "$2" "$1" && return 0
    show_file "$1" "$1"
    fail "'$2' not found in $1"
}

expect_lacks() {
    [ -f "$1" ] || fail "no file $1"
    grep -qF -- "$2" "$1" || return 0
    show_file "$1" "$1"
    fail "'$2' unexpectedly found in $1"
}

expect_golden() {
    golden=$GOLDEN_DIR/$1
    [ -f "$2" ] || fail "no file $2"
    if [ "${PLIANT_UPDATE_GOLDEN:-0}" = 1 ]; then
        mkdir -p "$(dirname "$golden")"
        if ! cmp -s "$2" "$golden"; then
            cp "$2" "$golden"
            echo "updated ${golden#"$ROOT"/}" >&2
        fi
        return 0
    fi
    [ -f "$golden" ] ||
        fail "no golden file ${golden#"$ROOT"/}; run with PLIANT_UPDATE_GOLDEN=1 to create it"
    cmp -s "$golden" "$2" && return 0
    diff -u "$golden" "$2" | head -n 60 >&2
    fail "$2 differs from ${golden#"$ROOT"/} (PLIANT_UPDATE_GOLDEN=1 rewrites it, if the change is right)"
}

need_cmd() {
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "needs '$c', which is not installed"
    done
}

# The shared corpus of real activity files is not in the repository; tests
# that use it skip when it is absent (PLIANT_CORPUS moves it).
need_corpus() {
    CORPUS=${PLIANT_CORPUS:-$ROOT/../shared/corpus}
    [ -d "$CORPUS" ] || skip "no test corpus at $CORPUS (set PLIANT_CORPUS)"
    if [ $# -gt 0 ] && [ ! -e "$CORPUS/$1" ]; then
        skip "corpus file $1 is not in $CORPUS"
    fi
    export CORPUS
}
