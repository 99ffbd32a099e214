#!/bin/sh
# t0605-load-terminal: when its output is a terminal, pliant load draws a
# chart of the last weeks under the table: braille and blocks under a
# UTF-8 locale, ASCII otherwise, colours unless NO_COLOR, nothing with
# --no-chart. script(1) gives the command a terminal.
. "$(dirname "$0")/lib.sh"

need_cmd script
export PLIANT_DB="$TMPDIR/pliant.db"
expect_exit 0 "$PLIANT" simulate --weeks 12 --out "$TMPDIR/sim"
expect_exit 0 "$PLIANT" import "$TMPDIR/sim"

# script -c runs a shell command line on a new terminal; the terminal's
# size is set inside it with stty.
on_tty() {
    out=$1
    shift
    script -qec "stty cols 100 rows 40 2>/dev/null; $*" /dev/null >"$out" 2>&1 </dev/null ||
        fail "on a terminal, '$*' failed: $(tail -n 5 "$out")"
}

on_tty "$TMPDIR/utf8" "env LANG=C.UTF-8 LC_ALL= LC_CTYPE= NO_COLOR= TERM=xterm '$PLIANT' load"
grep -q 'Training load' "$TMPDIR/utf8" || { show_file out "$TMPDIR/utf8"; fail "no chart on a terminal"; }
# 100 columns hold 93 days: the whole history of 83.
grep -q 'last 83 days' "$TMPDIR/utf8" || fail "the chart does not show the 83 days"
# Braille (U+2800..U+28FF is E2 A0..A3 xx) and a full block (E2 96 88).
grep -q "$(printf '\342\226\210')" "$TMPDIR/utf8" || fail "no block characters"
LC_ALL=C grep -q "$(printf '\342[\240-\243]')" "$TMPDIR/utf8" || fail "no braille"
grep -q "$(printf '\033\\[')" "$TMPDIR/utf8" || fail "no colours"
grep -q 'fitness [0-9]' "$TMPDIR/utf8" || fail "no legend"

on_tty "$TMPDIR/ascii" "env LANG=C LC_ALL= LC_CTYPE= NO_COLOR=1 TERM=xterm '$PLIANT' load"
grep -q 'Training load' "$TMPDIR/ascii" || fail "no ASCII chart"
LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMPDIR/ascii" && fail "non-ASCII bytes under LANG=C"
grep -q "$(printf '\033\\[')" "$TMPDIR/ascii" && fail "colours despite NO_COLOR"
grep -q '\* fitness' "$TMPDIR/ascii" || fail "no ASCII legend"

on_tty "$TMPDIR/none" "env LANG=C.UTF-8 '$PLIANT' load --no-chart"
grep -q 'Training load' "$TMPDIR/none" && fail "a chart despite --no-chart"
grep -q '^DATE ' "$TMPDIR/none" || fail "no table with --no-chart"

# A terminal too small for a chart gets the table alone.
script -qec "stty cols 30 rows 10 2>/dev/null; env LANG=C.UTF-8 '$PLIANT' load" /dev/null \
    >"$TMPDIR/small" 2>&1 </dev/null || fail "load on a small terminal failed"
grep -q 'Training load' "$TMPDIR/small" && fail "a chart on a 30x10 terminal"
grep -q 'DATE' "$TMPDIR/small" || fail "no table on a small terminal"
exit 0
