#!/bin/sh
# t0505-import-corpus-once: the whole shared corpus of real files (FIT, GPX,
# TCX, a .fit.gz) imports with no failure, and an activity present in it
# as FIT and as TCX (GoldenCheetah's 10 km run from a Forerunner 15) is
# stored once; importing again brings in nothing.
. "$(dirname "$0")/lib.sh"
need_corpus fit/goldencheetah__runs-10kUNLP2014-Garmin15.fit
need_corpus tcx/goldencheetah__runs-10kUNLP2014-Garmin15.tcx
need_cmd node

db=$TMPDIR/corpus.db
expect_exit 0 "$PLIANT" import --db "$db" --quiet --json "$CORPUS"
cp "$OUT" "$TMPDIR/first.json"
expect_exit 0 "$PLIANT" activities --db "$db" --json
cp "$OUT" "$TMPDIR/acts.json"
node -e '
const fs = require("fs");
const sum = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const acts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const fail = (m) => { console.error(m); process.exit(1); };
if (sum.failed.length) fail("failed files: " + JSON.stringify(sum.failed));
if (sum.imported < 300) fail("only " + sum.imported + " files imported");
// The run from the Forerunner 15: one activity, whichever file it kept.
const start = Date.parse("2014-10-11T18:08:45Z") / 1000;
const near = acts.filter(a => Math.abs(Date.parse(a.start) / 1000 - start) <= 60);
if (near.length !== 1) fail("the 10 km run is stored " + near.length + " times: " + JSON.stringify(near));
' "$TMPDIR/first.json" "$TMPDIR/acts.json" || fail "corpus import check failed"

n1=$(grep -c '"id"' "$TMPDIR/acts.json")
expect_exit 0 "$PLIANT" import --db "$db" --quiet "$CORPUS"
expect_exit 0 "$PLIANT" activities --db "$db" --json
n2=$(grep -c '"id"' "$OUT")
[ "$n1" = "$n2" ] || fail "importing the corpus again changed the count: $n1 then $n2"
exit 0
