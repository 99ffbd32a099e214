#!/bin/sh
# run.sh - the FIT conformance suite: `pliant inspect --json` against
# Garmin's official JavaScript FIT SDK on every FIT file of the shared
# corpus, field by field (tests/conformance/compare.mjs).
#
#   tests/conformance/run.sh [compare.mjs options] [FILE|DIR...]
#   PLIANT=build-check/pliant tests/conformance/run.sh     (make check)
#
# Environment: PLIANT (default build/pliant), CORPUS (default
# ../shared/corpus/fit beside the repository), CONFORMANCE_JOBS (2),
# CONFORMANCE_REPORT (a JSON file of every difference; default
# $TMPDIR/conformance-report.json).
#
# The last line is "conformance: N passed, N failed[, N skipped]"; a file
# passes when all its differences are listed in known-differences.json.
# When the corpus, node or the SDK cannot be had, the suite is skipped:
# "conformance: 0 passed, 0 failed, 1 skipped" and exit status 0 (the line
# is what tests/run-all.sh counts). Exit status 1 when a file failed.
set -u

case $0 in
*/*) HERE=${0%/*} ;;
*) HERE=. ;;
esac
cd "$HERE/../.." || exit 2
ROOT=$(pwd)
PLIANT=${PLIANT:-build/pliant}
CORPUS=${CORPUS:-$ROOT/../shared/corpus/fit}
JOBS=${CONFORMANCE_JOBS:-2}
TMPDIR=${TMPDIR:-/tmp}
export TMPDIR
REPORT=${CONFORMANCE_REPORT:-$TMPDIR/conformance-report.json}
SDK_VERSION=21.217.0
NODE_PREFIX=${PLIANT_NODE_PREFIX:-$ROOT/build/node}

skip() {
    echo "conformance: skipped: $*"
    echo "conformance: 0 passed, 0 failed, 1 skipped"
    exit 0
}

if [ $# -eq 0 ] && [ ! -d "$CORPUS" ]; then
    skip "no FIT corpus at $CORPUS"
fi
command -v node >/dev/null 2>&1 || skip "node is not installed"

if [ ! -f "$NODE_PREFIX/node_modules/@garmin/fitsdk/src/index.js" ]; then
    command -v npm >/dev/null 2>&1 || skip "@garmin/fitsdk is not installed and npm is absent"
    echo "conformance: installing @garmin/fitsdk@$SDK_VERSION into $NODE_PREFIX"
    npm install --no-audit --no-fund --prefix "$NODE_PREFIX" "@garmin/fitsdk@$SDK_VERSION" >/dev/null 2>&1 ||
        skip "cannot install @garmin/fitsdk@$SDK_VERSION (offline?)"
fi

if [ ! -x "$PLIANT" ]; then
    echo "conformance: no pliant binary at $PLIANT (build it first)" >&2
    echo "conformance: 0 passed, 1 failed"
    exit 1
fi

[ $# -eq 0 ] && set -- "$CORPUS"
exec env PLIANT_NODE_PREFIX="$NODE_PREFIX" node tests/conformance/compare.mjs \
    --pliant "$PLIANT" --jobs "$JOBS" --report "$REPORT" "$@"
