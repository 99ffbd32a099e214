#!/bin/sh
# t0500-import-kill: SIGKILL `pliant import` at many random moments; after
# each kill the store is consistent (it opens, lists, passes SQLite's
# integrity check, holds no duplicate), and finishing the import gives
# exactly what one clean import gives.
#
# No hook in the library: real time. A clean import is timed first, and
# each kill comes after a random delay within it (KILLS rounds, 20 by
# default), so that kills land before, during and after the writes.
. "$(dirname "$0")/lib.sh"

KILLS=${PLIANT_KILLS:-20}
# Twelve weeks, about 60 files: the importer stores up to 32 files in one
# transaction (PL_IMPORT_BATCH_FILES_MAX), so a kill can land between two
# of its commits.
expect_exit 0 "$PLIANT" simulate --weeks 12 --strava-export "$TMPDIR/export.zip"
n=$(sed -n 's/^wrote \([0-9]*\) activities.*/\1/p' "$OUT")

# The reference: one clean import, timed in milliseconds.
ms() { date +%s%3N; }
t0=$(ms)
expect_exit 0 "$PLIANT" import --quiet --db "$TMPDIR/clean.db" "$TMPDIR/export.zip"
t1=$(ms)
expect_contains "$OUT" "imported $n files: $n new activities"
span=$((t1 - t0))
[ "$span" -gt 0 ] || span=1
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/clean.db" --json
cp "$OUT" "$TMPDIR/clean.json"

integrity() {
    [ -x /usr/bin/python3 ] || return 0
    /usr/bin/python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute("PRAGMA integrity_check").fetchone()[0]
sys.exit(0 if r == "ok" else "integrity_check: " + r)' "$1"
}

# Each round: a fresh store, an import killed after a random delay in
# [0, 1.2 x span], checks, then the import run to its end.
db=$TMPDIR/killed.db
partial=0
seen=
i=0
while [ $i -lt "$KILLS" ]; do
    i=$((i + 1))
    rm -f "$db" "$db-wal" "$db-shm"
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    delay=$(awk -v r="$r" -v span="$span" 'BEGIN { printf "%.3f", r / 65535 * span * 1.2 / 1000 }')
    "$PLIANT" import --quiet --db "$db" "$TMPDIR/export.zip" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # Consistent: it opens and lists (or was never created), SQLite finds
    # no damage, and no activity is there twice.
    got=0
    if [ -e "$db" ]; then
        expect_exit 0 "$PLIANT" activities --db "$db" --json
        got=$(grep -c '"id": ' "$OUT" || true)
        dups=$(grep -o '"start": "[^"]*"' "$OUT" | sort | uniq -d | wc -l)
        [ "$dups" -eq 0 ] || fail "kill $i (after $delay s): $dups activities stored twice"
        integrity "$db" || fail "kill $i (after $delay s): the store is damaged"
    fi
    [ "$got" -le "$n" ] || fail "kill $i (after $delay s): $got activities, more than $n"
    [ "$got" -gt 0 ] && [ "$got" -lt "$n" ] && partial=$((partial + 1))
    seen="$seen $got"
    # Finish: exactly the clean import's result, activity for activity.
    expect_exit 0 "$PLIANT" import --quiet --db "$db" "$TMPDIR/export.zip"
    expect_exit 0 "$PLIANT" activities --db "$db" --json
    if ! cmp -s "$OUT" "$TMPDIR/clean.json"; then
        diff "$TMPDIR/clean.json" "$OUT" | head -n 20 >&2
        fail "kill $i (after $delay s, $got stored): after a last import the store differs from a clean import"
    fi
done
# At least one kill must have landed between the first and the last
# activity, or the test proved little (activities after each kill:$seen).
[ "$partial" -gt 0 ] || fail "no kill landed mid-import (span ${span} ms; stored after each kill:$seen)"
exit 0
