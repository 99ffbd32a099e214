#!/bin/sh
# t0201-simulate-sdk-valid: Garmin's official FIT SDK decodes every file
# that pliant simulate writes, with no error and a good CRC, and finds the
# summaries consistent with the records (tests/conformance/sdk-validate.mjs).
. "$(dirname "$0")/lib.sh"

need_cmd node
expect_exit 0 "$PLIANT" simulate --weeks 2 --seed 11 --out "$TMPDIR/sim"
run node tests/conformance/sdk-validate.mjs "$TMPDIR/sim"
case $STATUS in
0) ;;
77) skip "$(tail -n 1 "$ERR")" ;;
*) show_file stdout "$OUT"; show_file stderr "$ERR"; fail "the FIT SDK rejected simulated files" ;;
esac
expect_contains "$OUT" "11 of 11 files decode cleanly"
