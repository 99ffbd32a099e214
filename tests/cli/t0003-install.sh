#!/bin/sh
# t0003-install: `make install PREFIX=/usr DESTDIR=...` from the tree that was
# just built, then a small program built against the installed header and
# library through pkg-config, as an integrator would.
. "$(dirname "$0")/lib.sh"
need_cmd make pkg-config "${CC:-cc}"

[ -f "$BUILD/libpliant.a" ] || fail "no $BUILD/libpliant.a"
D=$TMPDIR/root
# -o all: install what is in $BUILD as it is, never rebuild it (with other
# flags) if a source changed meanwhile.
expect_exit 0 make --no-print-directory -s -o all install BUILD="$BUILD" PREFIX=/usr DESTDIR="$D"

[ -x "$D/usr/bin/pliant" ] || fail "no executable $D/usr/bin/pliant"
for f in lib/libpliant.a include/pliant.h lib/pkgconfig/pliant.pc; do
    [ -s "$D/usr/$f" ] || fail "make install did not install /usr/$f"
done
cmp -s include/pliant.h "$D/usr/include/pliant.h" || fail "installed pliant.h differs"
n=0
for m in docs/man/*.1; do
    [ -f "$m" ] || continue
    n=$((n + 1))
    cmp -s "$m" "$D/usr/share/man/man1/${m##*/}" || fail "man page ${m##*/} not installed"
done
[ $n -gt 0 ] || fail "docs/man/ has no man pages to install"
cmp -s protocols/hamstrings.yaml "$D/usr/share/pliant/protocols/hamstrings.yaml" ||
    fail "the default protocol is not installed in /usr/share/pliant/protocols/"
expect_exit 0 "$D/usr/bin/pliant" --version

pc=$D/usr/lib/pkgconfig/pliant.pc
expect_lacks "$pc" "@"
expect_contains "$pc" "prefix=/usr"
version=$(sed -n 's/^#define PL_VERSION "\(.*\)"/\1/p' include/pliant.h)
expect_contains "$pc" "Version: $version"

# The .pc says prefix=/usr; PKG_CONFIG_SYSROOT_DIR maps its -I and -L into
# DESTDIR. (It would map a dependency's too, but a consumer needs only
# pliant.h, and dependencies' libraries come as plain -l flags.)
export PKG_CONFIG_PATH="$D/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
expect_exit 0 pkg-config --modversion pliant
expect_contains "$OUT" "$version"
expect_exit 0 pkg-config --cflags --libs pliant
flags=$(cat "$OUT")
expect_contains "$OUT" "-I$D/usr/include"

# A library built for `make check` carries ASan and UBSan: a program that
# links it needs their runtimes too.
san=
if nm "$BUILD/libpliant.a" 2>/dev/null | grep -q '__asan_\|__ubsan_'; then
    san="-fsanitize=address,undefined"
fi
cat >"$TMPDIR/use.c" <<'C'
#include <pliant.h>
#include <stdio.h>

int main(void)
{
    printf("%s %s\n", PL_VERSION, pl_err_name(PL_ETRUNCATED));
    return 0;
}
C
# shellcheck disable=SC2086
expect_exit 0 "${CC:-cc}" -std=c17 -Wall -Wextra -Werror $san -o "$TMPDIR/use" "$TMPDIR/use.c" $flags
expect_exit 0 "$TMPDIR/use"
expect_contains "$OUT" "$version PL_ETRUNCATED"
