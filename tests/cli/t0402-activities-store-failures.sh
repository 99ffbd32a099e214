#!/bin/sh
# t0402-activities-store-failures: the store on a read-only file system
# can still be read (and refuses changes, saying why); a full disk stops
# writes with a clear error and leaves a store that reads whole, and
# filling it again once there is room brings in exactly what is missing;
# a store from a newer pliant and a file that is no store are refused.
#
# Read-only and full file systems are real mounts in a private mount
# namespace (unshare -m; root, as CI runs); without that, those parts are
# skipped and said so.
. "$(dirname "$0")/lib.sh"

FILL=$TMPDIR/store-fill
ROOT=$ROOT BUILD=$BUILD tests/tools/build-store-fill.sh "$FILL" ||
    fail "cannot build tests/tools/store-fill.c"
expect_exit 0 "$PLIANT" simulate --weeks 2 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" simulate --weeks 1 --seed 9 --out "$TMPDIR/other"

# Not a store: exit 3, named.
echo "just some text, not a database at all, long enough for a header" >"$TMPDIR/text.db"
expect_exit 3 "$PLIANT" activities --db "$TMPDIR/text.db"
expect_contains "$ERR" "'$TMPDIR/text.db'"
expect_contains "$ERR" "not a pliant store"

# A store from a newer pliant: exit 3, "use a newer pliant".
if command -v sqlite3 >/dev/null 2>&1; then
    expect_exit 0 "$FILL" "$TMPDIR/newer.db" "$TMPDIR/other"/*.fit
    sqlite3 "$TMPDIR/newer.db" "PRAGMA user_version = 999" || fail "sqlite3 failed"
    expect_exit 3 "$PLIANT" activities --db "$TMPDIR/newer.db"
    expect_contains "$ERR" "schema version 999"
    expect_contains "$ERR" "newer pliant"
else
    echo "note: no sqlite3 command: the newer-schema case is left to tests/unit/test-store.c"
fi

if ! unshare -m true 2>/dev/null; then
    skip "cannot make a mount namespace here (unshare -m needs root): read-only and full disks not tested"
fi

# Read-only: fill a store, then mount its folder read-only.
mkdir -p "$TMPDIR/ro"
expect_exit 0 "$FILL" "$TMPDIR/ro/pliant.db" "$TMPDIR"/sim/*.fit
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/ro/pliant.db"
cp "$OUT" "$TMPDIR/ro-table"
cat >"$TMPDIR/ro.sh" <<EOF
set -u
mount --bind "$TMPDIR/ro" "$TMPDIR/ro" && mount -o remount,bind,ro "$TMPDIR/ro" || exit 90
touch "$TMPDIR/ro/probe" 2>/dev/null && exit 91
"$PLIANT" activities --db "$TMPDIR/ro/pliant.db" >"$TMPDIR/ro-list" 2>"$TMPDIR/ro-list.err" || exit 92
"$PLIANT" show 1 --db "$TMPDIR/ro/pliant.db" >"$TMPDIR/ro-show" 2>&1 || exit 93
"$FILL" "$TMPDIR/ro/pliant.db" "$TMPDIR"/other/*.fit >"$TMPDIR/ro-fill" 2>"$TMPDIR/ro-fill.err" && exit 94
exit 0
EOF
run unshare -m sh "$TMPDIR/ro.sh"
case $STATUS in
0) ;;
90) skip "cannot mount read-only here" ;;
*) show_file stderr "$ERR"; show_file ro-list.err "$TMPDIR/ro-list.err"; fail "read-only store: step $STATUS failed" ;;
esac
cmp -s "$TMPDIR/ro-list" "$TMPDIR/ro-table" || fail "a read-only store lists differently"
expect_contains "$TMPDIR/ro-show" "activity 1: running"
expect_contains "$TMPDIR/ro-fill.err" "the store is read-only"

# Full disk: a 320 KiB file system holds a few activities, not eleven.
mkdir -p "$TMPDIR/full"
cat >"$TMPDIR/full.sh" <<EOF
set -u
mount -t tmpfs -o size=320k tmpfs "$TMPDIR/full" || exit 90
"$FILL" "$TMPDIR/full/pliant.db" "$TMPDIR"/sim/*.fit >"$TMPDIR/full-fill" 2>"$TMPDIR/full-fill.err" && exit 91
"$PLIANT" activities --db "$TMPDIR/full/pliant.db" --json >"$TMPDIR/full-list" 2>&1 || exit 92
# Room again: the same files, and only what is missing comes in.
mount -o remount,size=16m "$TMPDIR/full" || exit 93
"$FILL" "$TMPDIR/full/pliant.db" "$TMPDIR"/sim/*.fit >"$TMPDIR/full-refill" 2>&1 || exit 94
"$PLIANT" activities --db "$TMPDIR/full/pliant.db" >"$TMPDIR/full-after" 2>&1 || exit 95
exit 0
EOF
run unshare -m sh "$TMPDIR/full.sh"
case $STATUS in
0) ;;
90) skip "cannot mount a tmpfs here" ;;
*) show_file stderr "$ERR"; show_file fill.err "$TMPDIR/full-fill.err"; fail "full disk: step $STATUS failed" ;;
esac
expect_contains "$TMPDIR/full-fill.err" "the disk is full"
stored=$(grep -c '^new ' "$TMPDIR/full-fill")
[ "$stored" -ge 1 ] && [ "$stored" -lt 11 ] || fail "expected some but not all activities stored, got $stored"
[ "$(grep -c '"id"' "$TMPDIR/full-list")" -eq "$stored" ] ||
    fail "the store lists $(grep -c '"id"' "$TMPDIR/full-list") activities, $stored were stored"
[ "$(grep -c '^same-file ' "$TMPDIR/full-refill")" -eq "$stored" ] || fail "refill: not every stored file was recognised"
[ "$(grep -c '^new ' "$TMPDIR/full-refill")" -eq $((11 - stored)) ] || fail "refill: not exactly the missing ones came in"
expect_contains "$TMPDIR/full-after" "11 activities"
exit 0
