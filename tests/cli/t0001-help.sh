#!/bin/sh
# t0001-help: the command table and help, in git's manner.
. "$(dirname "$0")/lib.sh"

# --help: usage line and a table of commands on stdout, exit 0.
expect_exit 0 "$PLIANT" --help
expect_contains "$OUT" "usage: pliant <command>"
expect_contains "$OUT" "Commands:"
expect_contains "$OUT" "inspect"
cp "$OUT" "$TMPDIR/overview"

# `pliant help` prints the same; no command at all is a usage error.
expect_exit 0 "$PLIANT" help
cmp -s "$OUT" "$TMPDIR/overview" || fail "'pliant help' differs from 'pliant --help'"
expect_exit 2 "$PLIANT"
expect_contains "$ERR" "usage: pliant"

# An unknown command: exit 2, a message naming it on stderr, nothing on stdout.
expect_exit 2 "$PLIANT" nonsense
expect_contains "$ERR" "pliant: 'nonsense' is not a pliant command"
[ -s "$OUT" ] && fail "'pliant nonsense' wrote to stdout"
expect_exit 2 "$PLIANT" help nonsense
expect_contains "$ERR" "nonsense"

# Every listed command has usage text, the same from `help X` and `X --help`.
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$TMPDIR/overview")
[ -n "$cmds" ] || fail "no commands listed by --help"
for c in $cmds; do
    expect_exit 0 "$PLIANT" help "$c"
    head -n 1 "$OUT" | grep -q "pliant $c" || fail "usage of $c does not start with 'pliant $c'"
    cp "$OUT" "$TMPDIR/usage"
    expect_exit 0 "$PLIANT" "$c" --help
    cmp -s "$OUT" "$TMPDIR/usage" || fail "'pliant $c --help' differs from 'pliant help $c'"
done

# inspect in particular: the lead command, which must never lose its help.
expect_exit 0 "$PLIANT" help inspect
expect_contains "$OUT" "pliant inspect"

expect_exit 0 "$PLIANT" --version
expect_contains "$OUT" "pliant $(sed -n 's/^#define PL_VERSION "\(.*\)"/\1/p' include/pliant.h)"
