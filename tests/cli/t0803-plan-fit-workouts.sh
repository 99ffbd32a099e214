#!/bin/sh
# t0803-plan-fit-workouts: each routine of a plan as a FIT workout file,
# decoded by Garmin's official SDK without errors: one timed step per body
# area, named by it, with the how-to as notes; untimed steps get a minute.
. "$(dirname "$0")/lib.sh"

need_cmd node
export PLIANT_DB="$TMPDIR/store.db"
small=$ROOT/tests/data/plan/small-protocol.yaml
expect_exit 0 "$PLIANT" simulate --weeks 12 --strava-export "$TMPDIR/export.zip"
expect_exit 0 "$PLIANT" import "$TMPDIR/export.zip"

export SOURCE_DATE_EPOCH=1774000000
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 8 --protocol "$small" --fit-workouts "$TMPDIR/wk"
expect_contains "$OUT" "wrote 4 workouts to $TMPDIR/wk"
ls "$TMPDIR/wk" >"$TMPDIR/files"
printf 'flush.fit\nmobility.fit\nsoak.fit\nwater.fit\n' | cmp -s - "$TMPDIR/files" ||
    { show_file files "$TMPDIR/files"; fail "unexpected workout files"; }

run node tests/conformance/sdk-validate.mjs "$TMPDIR/wk"
case $STATUS in
0) ;;
77) skip "$(tail -n 1 "$ERR")" ;;
*) show_file stdout "$OUT"; show_file stderr "$ERR"; fail "the FIT SDK rejected the workouts" ;;
esac
expect_contains "$OUT" "4 of 4 files decode cleanly"

run node tests/conformance/sdk-workouts.mjs "$TMPDIR/wk/flush.fit" "$TMPDIR/wk/water.fit"
[ "$STATUS" -eq 0 ] || { show_file stdout "$OUT"; show_file stderr "$ERR"; fail "SDK decoding"; }
cat >"$TMPDIR/want" <<'TXT'
workout Flush massage training 4
Hamstring origin|time|180|slow strokes up to the sit bone
Hamstrings|time|300|long strokes towards the heart
Glutes|time|240|palm then forearm
Whole back|time|300|both sides of the spine
workout Drink water training 1
Water|time|60|a large glass now and more through the day
TXT
cmp -s "$TMPDIR/want" "$OUT" || { diff -u "$TMPDIR/want" "$OUT" >&2; fail "the SDK read other workouts"; }

# The same plan, the same bytes; an unwritable folder fails cleanly.
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 8 --protocol "$small" --fit-workouts "$TMPDIR/wk2"
cmp -s "$TMPDIR/wk/flush.fit" "$TMPDIR/wk2/flush.fit" || fail "two exports of the same workout differ"
: >"$TMPDIR/afile"
expect_exit 3 "$PLIANT" plan --from 2026-03-16 --protocol "$small" --fit-workouts "$TMPDIR/afile/x"
expect_contains "$ERR" "cannot create '$TMPDIR/afile/x'"
exit 0
