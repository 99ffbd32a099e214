#!/bin/sh
# build-store-fill.sh OUT - build tests/tools/store-fill.c into OUT against
# $ROOT/$BUILD/libpliant.a, with the sanitizers when the library has them.
# For the CLI tests that need a filled store without 'pliant import'.
set -eu
out=$1
root=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=$root/${BUILD:-build}/libpliant.a
[ -f "$lib" ] || { echo "build-store-fill: no $lib" >&2; exit 1; }
san=
if nm "$lib" 2>/dev/null | grep -q __asan_; then
    san="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2046,SC2086
cc -std=c17 -D_GNU_SOURCE -I"$root/include" -O1 -g $san -o "$out" \
    "$root/tests/tools/store-fill.c" "$lib" \
    $(pkg-config --libs sqlite3 expat libarchive libdeflate nettle libsodium) -lm
