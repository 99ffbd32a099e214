#!/bin/sh
# embed.sh NAME FILE - FILE's bytes as a C array, on standard output:
#
#   const unsigned char NAME[]; the bytes, then a NUL
#   const size_t NAME_len;    the number of bytes, without the NUL
#
# The Makefile embeds lib/store/schema.sql this way, so that the store's schema
# is a plain SQL file that sqlite3 can read, yet part of the library. A
# byte array, not a string literal: ISO C only promises string literals of
# 4095 bytes (gcc -Wpedantic -Werror would refuse a longer one). POSIX
# od and sed only.
set -eu
[ $# -eq 2 ] || { echo "usage: tools/embed.sh NAME FILE" >&2; exit 2; }
name=$1
file=$2
printf '/* Generated from %s by tools/embed.sh: do not edit. */\n' "$file"
printf '#include <stddef.h>\n\n'
printf 'extern const unsigned char %s[];\nextern const size_t %s_len;\n' "$name" "$name"
printf 'const unsigned char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1, /g' -e 's/^/   /' -e 's/, *$/,/'
printf '    0x00\n};\n'
printf 'const size_t %s_len = sizeof %s - 1;\n' "$name" "$name"
