#!/bin/sh
# t0503-import-hostile: archives built to hurt are reported, quickly, and
# hurt nothing: a gzip bomb, a zip of a million empty entries, archives
# nested too deep, names with "../" (only names: nothing is ever written).
. "$(dirname "$0")/lib.sh"
need_cmd gzip tar

export PLIANT_DB="$TMPDIR/store.db"
expect_exit 0 "$PLIANT" simulate --weeks 1 --out "$TMPDIR/runs"
race=$(ls "$TMPDIR/runs"/*race.fit)

# A gzip bomb: 64 MiB of one byte is 64 KB of gzip; reading stops long
# before the end, and says why.
head -c 67108864 /dev/zero | tr '\0' 'A' | gzip -9 >"$TMPDIR/bomb.fit.gz"
expect_exit 1 "$PLIANT" import "$TMPDIR/bomb.fit.gz"
expect_contains "$OUT" "$TMPDIR/bomb.fit.gz: expands more than 200 times its compressed size (a zip bomb?)"

# Archives nested deeper than four levels: refused where the fifth begins.
cp "$race" "$TMPDIR/deep"
for _ in 1 2 3 4 5 6; do
    gzip -c "$TMPDIR/deep" >"$TMPDIR/deep.gz" && mv "$TMPDIR/deep.gz" "$TMPDIR/deep"
done
mv "$TMPDIR/deep" "$TMPDIR/deep.fit.gz"
expect_exit 1 "$PLIANT" import "$TMPDIR/deep.fit.gz"
expect_contains "$OUT" "$TMPDIR/deep.fit.gz: archives nested more than 4 deep"
# Four levels are fine.
cp "$race" "$TMPDIR/four"
for _ in 1 2 3 4; do
    gzip -c "$TMPDIR/four" >"$TMPDIR/four.gz" && mv "$TMPDIR/four.gz" "$TMPDIR/four"
done
expect_exit 0 "$PLIANT" import --db "$TMPDIR/four.db" "$TMPDIR/four"
expect_contains "$OUT" "imported 1 file: 1 new activity"

# Names with "../" and an absolute path inside a tar are names: the files
# come in, reported as the archive gives them, and nothing is written.
mkdir -p "$TMPDIR/a/b"
cp "$race" "$TMPDIR/a/run.fit"
(cd "$TMPDIR/a/b" && tar -cPf ../../dots.tar ../run.fit "$TMPDIR/runs/truth.json")
before=$(find "$TMPDIR" | sort | cksum)
expect_exit 0 "$PLIANT" import --db "$TMPDIR/dots.db" "$TMPDIR/dots.tar"
expect_contains "$OUT" "imported 1 file"
expect_contains "$OUT" "$TMPDIR/dots.tar!$TMPDIR/runs/truth.json"
after=$(find "$TMPDIR" -path "$TMPDIR/dots.db*" -prune -o -print | sort | cksum)
[ "$before" = "$after" ] || fail "importing a tar with ../ names changed files beside it"
expect_exit 0 "$PLIANT" activities --db "$TMPDIR/dots.db" --json
expect_contains "$OUT" '"source": "'"$TMPDIR"'/dots.tar!../run.fit"'

# A zip of 2^20 empty entries (local headers only, as a streaming reader
# sees a zip), made by doubling one 31-byte header: the import stops at the
# entry limit, in seconds, with one failure that says so.
printf 'PK\003\004\012\000\000\000\000\000\000\000\041\000\000\000\000\000\000\000\000\000\000\000\000\000\001\000\000\000e' >"$TMPDIR/m"
[ "$(wc -c <"$TMPDIR/m")" -eq 31 ] || fail "the zip header is not 31 bytes"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    cat "$TMPDIR/m" "$TMPDIR/m" >"$TMPDIR/m2" && mv "$TMPDIR/m2" "$TMPDIR/m"
done
printf 'PK\005\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >>"$TMPDIR/m"
mv "$TMPDIR/m" "$TMPDIR/million.zip"
t0=$(date +%s)
expect_exit 1 "$PLIANT" import --db "$TMPDIR/million.db" "$TMPDIR/million.zip"
t1=$(date +%s)
expect_contains "$OUT" "failed: 1 file"
expect_contains "$OUT" "$TMPDIR/million.zip: more than 100000 entries; the rest of the archive is not read"
expect_contains "$OUT" "skipped: 100000 files"
expect_contains "$OUT" "100000 an empty file: $TMPDIR/million.zip!e, $TMPDIR/million.zip!e, $TMPDIR/million.zip!e, ..."
[ $((t1 - t0)) -le 60 ] || fail "a million empty entries took $((t1 - t0)) s"
exit 0
