#!/bin/sh
# t0100-inspect-basic: inspect shows a simulated activity as text, JSON and
# counts, and the three agree on what is in the file.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$PLIANT" simulate --weeks 1 --out "$TMPDIR/sim"
fit=$(ls "$TMPDIR"/sim/*-race.fit | head -n 1)
[ -n "$fit" ] || fail "simulate made no race"

# Text: the header, named messages with units, the CRC verdict.
expect_exit 0 "$PLIANT" inspect "$fit"
expect_contains "$OUT" "FIT file header @0: 14 bytes"
expect_contains "$OUT" "file CRC"
expect_contains "$OUT" ": ok"
expect_contains "$OUT" "heart_rate"
expect_contains "$OUT" " bpm"
expect_contains "$OUT" "sport                        running"
[ -s "$ERR" ] && fail "warnings on a clean file: $(cat "$ERR")"

# JSON: valid, with the documented keys, values in profile units.
expect_exit 0 "$PLIANT" inspect --json "$fit"
cp "$OUT" "$TMPDIR/out.json"
if command -v node >/dev/null 2>&1; then
    node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const fail = (m) => { console.error(m); process.exit(1); };
if (!d.crc_ok || d.error !== null) fail("crc_ok/error wrong");
if (d.header.size !== 14) fail("header size");
const rec = d.messages.filter(m => m.name === "record");
if (rec.length < 3000) fail("too few records: " + rec.length);
const r = rec[100].fields;
if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.timestamp)) fail("timestamp not ISO UTC: " + r.timestamp);
if (!(r.heart_rate > 60 && r.heart_rate < 200)) fail("heart rate " + r.heart_rate);
if (!(r.enhanced_speed > 1 && r.enhanced_speed < 7)) fail("speed " + r.enhanced_speed);
if (typeof r.position_lat !== "number" || Math.abs(r.position_lat) > 2 ** 31) fail("semicircles");
const s = d.messages.find(m => m.name === "session").fields;
if (s.sport !== "running") fail("sport " + s.sport);
if (!(s.total_distance > 10000)) fail("distance " + s.total_distance);
' "$TMPDIR/out.json" || fail "JSON check failed"
fi

# --stats counts what --json lists.
expect_exit 0 "$PLIANT" inspect --stats "$fit"
n_json=$(grep -c '"name":"record"' "$TMPDIR/out.json")
grep -q "^record  *$n_json\$" "$OUT" || fail "--stats record count differs from --json ($n_json): $(cat "$OUT")"
expect_contains "$OUT" "MB/s"

# Reading from standard input gives the same document (but the file name).
"$PLIANT" inspect --json - < "$fit" | sed 's/^{"file":"-"/{"file":"X"/' > "$TMPDIR/stdin.json"
sed "s|^{\"file\":\"[^\"]*\"|{\"file\":\"X\"|" "$TMPDIR/out.json" > "$TMPDIR/file.json"
cmp -s "$TMPDIR/stdin.json" "$TMPDIR/file.json" || fail "stdin and file decodes differ"

# Usage errors.
expect_exit 2 "$PLIANT" inspect
expect_contains "$ERR" "which FIT file"
expect_exit 2 "$PLIANT" inspect --bogus "$fit"
expect_contains "$ERR" "unknown option '--bogus'"
exit 0
