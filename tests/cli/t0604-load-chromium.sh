#!/bin/sh
# t0604-load-chromium: the SVG chart renders in a real browser. Headless
# Chromium takes a screenshot of it; the PNG must be the chart's size and
# hold a picture, not a blank page (a blank 960x540 PNG is under 10 KB;
# the chart with its lines, bars and text is several times that). Skips
# when Chromium is not installed (Debian: apt-get install chromium).
. "$(dirname "$0")/lib.sh"

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then
        CHROMIUM=$c
        break
    fi
done
[ -n "$CHROMIUM" ] || skip "no chromium to render the chart in"
command -v timeout >/dev/null 2>&1 || skip "needs timeout"

export PLIANT_DB="$TMPDIR/pliant.db"
expect_exit 0 "$PLIANT" simulate --weeks 12 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" import "$TMPDIR/sim"
expect_exit 0 "$PLIANT" load --svg "$TMPDIR/load.svg"

# Sanitizer builds of pliant are not involved here: the browser is its
# own program. Its profile lives in TMPDIR, so it touches nothing else.
png=$TMPDIR/load.png
STATUS=0
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$TMPDIR/chromium-profile" --hide-scrollbars \
    --window-size=960,540 --screenshot="$png" "file://$TMPDIR/load.svg" \
    >"$TMPDIR/chromium.log" 2>&1 || STATUS=$?
if [ ! -s "$png" ]; then
    # A browser that cannot start here (no /dev/shm, say) is not pliant's
    # failure; say so and skip.
    if grep -qi 'Failed to\|cannot\|error' "$TMPDIR/chromium.log"; then
        skip "chromium made no screenshot (exit $STATUS): $(grep -i -m1 'error\|failed' "$TMPDIR/chromium.log")"
    fi
    fail "chromium made no screenshot (exit $STATUS)"
fi

# PNG: the signature, then IHDR with the width and height (big-endian).
head -c 8 "$png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' ||
    fail "the screenshot is not a PNG"
size=$(od -An -tu1 -j16 -N8 "$png" | tr -s ' ' | sed 's/^ //')
set -- $size
w=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 ))
h=$(( ($5 << 24) + ($6 << 16) + ($7 << 8) + $8 ))
[ "$w" -eq 960 ] && [ "$h" -eq 540 ] || fail "the screenshot is ${w}x${h}, not 960x540"
bytes=$(wc -c <"$png")
[ "$bytes" -gt 30000 ] || fail "the screenshot is $bytes bytes: a blank page?"

# Where the pixels are: with Python, count the colours of the chart's
# lines in the decoded image (zlib and PNG filters, no imaging library).
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$png" <<'PY' || fail "the screenshot lacks the chart's colours"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4}[ctype]
        assert depth == 8
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
def near(px, rgb):
    return all(abs(px[k] - rgb[k]) < 40 for k in range(3))
want = {"fitness blue": (0x25, 0x63, 0xeb), "fatigue pink": (0xdb, 0x27, 0x77),
        "form amber": (0xd9, 0x77, 0x06), "load grey": (0x94, 0xa3, 0xb8)}
counts = dict.fromkeys(want, 0)
white = 0
for line in rows:
    for x in range(0, stride, bpp):
        px = line[x:x + 3]
        if px[0] > 245 and px[1] > 245 and px[2] > 245:
            white += 1
        for name, rgb in want.items():
            if near(px, rgb):
                counts[name] += 1
total = w * h
assert white < total * 0.97, f"{white} of {total} pixels are white"
for name, k in counts.items():
    assert k > 200, f"{name}: {k} pixels"
PY
fi
exit 0
