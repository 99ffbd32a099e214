#!/bin/sh
# t0504-import-disk: a store on a read-only folder, or on a disk that fills
# up during the import, gives a clear error and exit 3; the store stays
# consistent, and importing again once there is room completes it.
. "$(dirname "$0")/lib.sh"

# Eight weeks, about 40 files: more than one of the importer's
# transactions (32 files at most), so the disk fills between two commits.
expect_exit 0 "$PLIANT" simulate --weeks 8 --strava-export "$TMPDIR/export.zip"
n=$(sed -n 's/^wrote \([0-9]*\) activities.*/\1/p' "$OUT")

# Root ignores file modes: run the read-only part as nobody when root.
as_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null 2>&1 || skip "running as root without setpriv: cannot make a folder read-only"
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    chmod 755 "$TMPDIR"
    chmod 644 "$TMPDIR/export.zip"
fi

# A read-only folder: the store cannot be created.
mkdir "$TMPDIR/ro"
chmod 555 "$TMPDIR/ro"
expect_exit 3 as_user "$PLIANT" import --db "$TMPDIR/ro/pliant.db" "$TMPDIR/export.zip"
expect_contains "$ERR" "cannot open the store"
expect_contains "$ERR" "$TMPDIR/ro/pliant.db"

# A store that exists but may not be written: exit 3, nothing changes.
mkdir "$TMPDIR/frozen"
expect_exit 0 "$PLIANT" simulate --weeks 1 --out "$TMPDIR/week"
expect_exit 0 "$PLIANT" import --db "$TMPDIR/frozen/pliant.db" "$TMPDIR/week"
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/frozen/pliant.db" --json
cp "$OUT" "$TMPDIR/frozen.before"
chmod 444 "$TMPDIR/frozen/pliant.db"*
chmod 555 "$TMPDIR/frozen"
expect_exit 3 as_user "$PLIANT" import --db "$TMPDIR/frozen/pliant.db" "$TMPDIR/export.zip"
grep -q "cannot open the store\|import stopped" "$ERR" || { show_file stderr "$ERR"; fail "no clear error for a read-only store"; }
expect_contains "$ERR" "$TMPDIR/frozen/pliant.db"
chmod 755 "$TMPDIR/frozen"
chmod 644 "$TMPDIR/frozen/pliant.db"*
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/frozen/pliant.db" --json
cmp -s "$OUT" "$TMPDIR/frozen.before" || fail "a refused import changed the store"

# A full disk, played by a file size limit (SIGXFSZ ignored, so that a
# write past it fails as on a full disk): the import stops with exit 3 and
# says why; the store holds whole activities only; a second import, with
# room, brings in exactly what is missing.
full=$TMPDIR/full.db
STATUS=0
sh -c 'trap "" XFSZ; ulimit -f 1200; exec "$0" import --db "$1" "$2"' \
    "$PLIANT" "$full" "$TMPDIR/export.zip" >"$OUT" 2>"$ERR" </dev/null || STATUS=$?
[ "$STATUS" -eq 3 ] || { show_file stdout "$OUT"; show_file stderr "$ERR"; fail "full disk: exit $STATUS, expected 3"; }
expect_contains "$ERR" "import stopped: "
grep -qi "full\|write\|I/O" "$ERR" || { show_file stderr "$ERR"; fail "the error does not say the disk is full"; }
expect_exit 0 "$PLIANT" activities --db "$full" --json
got=$(grep -c '"id": ' "$OUT" || true)
[ "$got" -lt "$n" ] || fail "the size limit let all $n activities in; make it smaller"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute("PRAGMA integrity_check").fetchone()[0]
sys.exit(0 if r == "ok" else "integrity_check: " + r)' "$full" || fail "the store is damaged after a full disk"
fi
expect_exit 0 "$PLIANT" import --db "$full" "$TMPDIR/export.zip"
expect_contains "$OUT" "imported $((n - got)) files"
expect_exit 0 "$PLIANT" activities --db "$full" --json
[ "$(grep -c '"id": ' "$OUT")" -eq "$n" ] || fail "after a second import the store should hold $n activities"
exit 0
