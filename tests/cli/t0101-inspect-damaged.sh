#!/bin/sh
# t0101-inspect-damaged: damaged files decode as far as their bytes allow,
# with an error or warning that says where; --strict refuses a bad CRC.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$PLIANT" simulate --weeks 1 --out "$TMPDIR/sim"
fit=$(ls "$TMPDIR"/sim/*.fit | head -n 1)
size=$(wc -c < "$fit")

# Cut in the middle: everything before the cut, then an error with the
# byte offset, exit 1.
head -c $((size / 2)) "$fit" > "$TMPDIR/cut.fit"
expect_exit 1 "$PLIANT" inspect "$TMPDIR/cut.fit"
expect_contains "$ERR" "input ends at byte"
expect_contains "$OUT" "record @"
expect_exit 1 "$PLIANT" inspect --json "$TMPDIR/cut.fit"
expect_contains "$OUT" '"code":"PL_ETRUNCATED"'

# One byte changed inside a record: decoded, with a CRC warning naming
# the byte of the CRC; refused with --strict.
cp "$fit" "$TMPDIR/flip.fit"
printf '\377' | dd of="$TMPDIR/flip.fit" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_exit 0 "$PLIANT" inspect "$TMPDIR/flip.fit"
expect_contains "$ERR" "warning"
expect_contains "$ERR" "file CRC at byte $((size - 2))"
expect_exit 1 "$PLIANT" inspect --strict "$TMPDIR/flip.fit"
expect_contains "$ERR" "file CRC at byte $((size - 2))"
expect_exit 1 "$PLIANT" inspect --json "$TMPDIR/flip.fit" --strict
expect_contains "$OUT" '"code":"PL_ECRC"'

# Not a FIT file at all; an empty file; a missing file: exit 3.
echo "hello, I am a text file and not a FIT file" > "$TMPDIR/text.fit"
expect_exit 3 "$PLIANT" inspect "$TMPDIR/text.fit"
expect_contains "$ERR" "not a FIT file"
: > "$TMPDIR/empty.fit"
expect_exit 3 "$PLIANT" inspect "$TMPDIR/empty.fit"
expect_contains "$ERR" "empty"
expect_exit 3 "$PLIANT" inspect "$TMPDIR/missing.fit"
expect_contains "$ERR" "cannot open"

# Garbage after the data: a warning, the file still decodes.
cat "$fit" > "$TMPDIR/tail.fit"
echo "trailing junk that is not a FIT header" >> "$TMPDIR/tail.fit"
expect_exit 0 "$PLIANT" inspect --stats "$TMPDIR/tail.fit"
expect_contains "$ERR" "not a FIT file header"

# Two files chained: both segments decoded.
cat "$fit" "$fit" > "$TMPDIR/chain.fit"
expect_exit 0 "$PLIANT" inspect --json "$TMPDIR/chain.fit"
expect_contains "$OUT" '"segment":1'
exit 0
