#!/bin/sh
# deps.sh - install the Debian packages pliant needs that are missing, and
# nothing else.
#   tools/deps.sh list               print the package list
#   tools/deps.sh install            apt-get install what is missing
#   tools/deps.sh check-or-install   quiet when all are present; installs
#                                    otherwise (used by make check / demo)
# The list is in README.md too; keep both in step.
set -eu

# Build and test: compiler driver bits, the test framework, the fuzzing
# runtime for clang, gpsbabel as a benchmark peer, time (/usr/bin/time) for
# the benchmark's peak memory.
# The libraries: SQLite (store), expat (GPX, TCX), libarchive (gzip, zip,
# tar), libdeflate (whole gzip members, faster than zlib), nettle (SHA-256
# of imported files, with the CPU's SHA instructions where it has them),
# libical (the plan as iCalendar), libyaml (protocol files), jansson (every
# JSON pliant reads or writes); libsodium comes back with the server's
# authentication, the first code that uses it; Debian's python3-icalendar reads that back in a test.
# The browser tests: chromium renders the chart and the therapist's summary,
# python3-html5lib checks the summary is valid HTML5.
PKGS="build-essential pkg-config libcmocka-dev clang libclang-rt-14-dev
libfuzzer-14-dev gpsbabel valgrind time
libsqlite3-dev libexpat1-dev libarchive-dev libdeflate-dev nettle-dev
libical-dev libyaml-dev libjansson-dev
python3-gpxpy python3-icalendar python3-html5lib chromium"

missing() {
    for p in $PKGS; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
    done
}

case "${1:-install}" in
list) echo $PKGS ;;
install|check-or-install)
    m=$(missing | tr '\n' ' ')
    if [ -z "$m" ]; then
        [ "${1:-}" = install ] && echo "deps: all present"
        exit 0
    fi
    echo "deps: installing $m" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $m
    ;;
*) echo "usage: tools/deps.sh list|install|check-or-install" >&2; exit 2 ;;
esac
