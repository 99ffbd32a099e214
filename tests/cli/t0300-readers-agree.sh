#!/bin/sh
# t0300-readers-agree.sh - the activity readers agree with other tools on
# the shared corpus (skipped when it is absent):
#  - every FIT activity file: start, sport, duration and distance of each
#    session as Garmin's official JS SDK decodes it (tests/tools/agree-fit.mjs);
#  - every GPX file: point count, first and last time and distance as gpxpy
#    reads it; every TCX file: the same as gpsbabel reads it
#    (tests/tools/agree-xml.py).
# The library's view comes from tests/tools/read-activity.c, built here
# against $BUILD/libpliant.a (the CLI's import is not needed).
. "$(dirname "$0")/lib.sh"

need_corpus
case $BUILD in
/*) LIB=$BUILD/libpliant.a ;;
*) LIB=$ROOT/$BUILD/libpliant.a ;;
esac
[ -f "$LIB" ] || fail "no $LIB"
SAN=
if nm "$LIB" 2>/dev/null | grep -q __asan_; then
    SAN="-fsanitize=address,undefined"
fi
READER=$TMPDIR/read-activity
# shellcheck disable=SC2046,SC2086
cc -std=c17 -D_GNU_SOURCE -I"$ROOT/include" -O1 -g $SAN -o "$READER" \
    "$ROOT/tests/tools/read-activity.c" "$LIB" \
    $(pkg-config --libs sqlite3 expat libarchive libdeflate nettle libsodium) -lm ||
    fail "cannot build tests/tools/read-activity.c"

ran=0
failed=0
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import gpxpy' 2>/dev/null &&
    command -v gpsbabel >/dev/null 2>&1; then
    run /usr/bin/python3 "$ROOT/tests/tools/agree-xml.py" "$READER" "$CORPUS"/gpx/*.gpx "$CORPUS"/tcx/*.tcx
    grep -v '^skip ' "$OUT"
    [ "$STATUS" -eq 0 ] || { show_file stderr "$ERR"; failed=1; }
    ran=1
else
    echo "note: gpxpy (/usr/bin/python3) or gpsbabel missing: GPX/TCX agreement not checked"
fi

# The SDK: where the conformance suite installs it, or FITSDK_DIR.
if command -v node >/dev/null 2>&1; then
    run node "$ROOT/tests/tools/agree-fit.mjs" "$READER" "$CORPUS"/fit/*
    if [ "$STATUS" -eq 77 ]; then
        echo "note: $(cat "$OUT")"
    else
        cat "$OUT"
        [ "$STATUS" -eq 0 ] || { show_file stderr "$ERR"; failed=1; }
        ran=1
    fi
else
    echo "note: node missing: FIT agreement not checked"
fi

[ "$failed" -eq 0 ] || fail "the readers disagree with the reference tools (see above)"
[ "$ran" -eq 1 ] || skip "neither gpxpy+gpsbabel nor node with the FIT SDK is available"
exit 0
