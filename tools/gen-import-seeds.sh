#!/bin/sh
# gen-import-seeds.sh - make the seed inputs of the import's fuzz targets,
# from nothing but pliant itself and the tools every Debian has (gzip, GNU
# tar, printf): fuzz/corpus/archive/seed-* and fuzz/corpus/csv/seed-*.
#
#   tools/gen-import-seeds.sh [BINARY]      (default build/pliant)
#
# The seeds are small (a few KB: libFuzzer reads at most 64 KiB) and cover
# each shape the walker knows: a Strava export zip, a .fit.gz, a tar and a
# .tar.gz with the csv first, a zip inside a tar.gz, a "../" name, a zip of
# empty entries, gzip inside gzip. Run it again after changing the
# formats; the outputs are deterministic, so unchanged seeds do not churn.
set -eu

cd "$(dirname "$0")/.."
bin=${1:-build/pliant}
[ -x "$bin" ] || { echo "gen-import-seeds: no binary at $bin (run make)" >&2; exit 1; }
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pliant-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
A=$(pwd)/fuzz/corpus/archive
C=$(pwd)/fuzz/corpus/csv
mkdir -p "$A" "$C"

# Deterministic tar: names sorted, no owners, fixed times.
TAR="tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1767571200 --format=gnu -b 1"

# A one-minute run as FIT, and as Strava would export it. (Seed files carry
# no .fit/.gpx/.tcx ending: the repository keeps no activity files by name;
# the walker recognises formats by their bytes, not their names.)
"$bin" simulate --hours 0.017 --out "$tmp/run" >/dev/null
fit=$(ls "$tmp"/run/*.fit)
"$bin" simulate --hours 0.017 --strava-export "$A/seed-strava.zip" >/dev/null
gzip -9n <"$fit" >"$A/seed-run-fit-gz"

# A folder as Strava lays it out, in a tar and a tar.gz, csv first.
mkdir -p "$tmp/export/activities"
cp "$A/seed-run-fit-gz" "$tmp/export/activities/101.fit.gz"
printf '<?xml version="1.0"?>\n<gpx version="1.1" creator="seed" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="38.7" lon="-9.1"><time>2026-01-05T07:12:00Z</time></trkpt><trkpt lat="38.7001" lon="-9.1001"><time>2026-01-05T07:12:01Z</time></trkpt></trkseg></trk></gpx>\n' >"$tmp/export/activities/102.gpx"
printf 'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Filename\r\n101,"Jan 5, 2026, 7:12:00 AM",Morning Run,Run,"Easy, ""slow""\nand short",activities/101.fit.gz\r\n102,"Jan 5, 2026, 7:12:00 AM",Track,Run,,activities/102.gpx\r\n' >"$tmp/export/activities.csv"
(cd "$tmp/export" && $TAR -cf "$tmp/export.tar" activities.csv activities)
cp "$tmp/export.tar" "$A/seed-export.tar"
gzip -9n <"$tmp/export.tar" >"$A/seed-export.tar.gz"

# A zip inside a tar.gz (Garmin nests zips in a zip).
cp "$A/seed-strava.zip" "$tmp/part1.zip"
(cd "$tmp" && $TAR -czf "$tmp/nested.tgz" part1.zip)
gzip -dc "$tmp/nested.tgz" | gzip -9n >"$A/seed-nested.tar.gz"

# A name with "../" (tar -P keeps it).
mkdir -p "$tmp/dots/in"
cp "$fit" "$tmp/dots/run.fit"
(cd "$tmp/dots/in" && $TAR -cPf "$A/seed-dotdot.tar" ../run.fit)

# Eight empty entries, local headers only, and an end record.
: >"$A/seed-empty-entries.zip"
for _ in 1 2 3 4 5 6 7 8; do
    printf 'PK\003\004\012\000\000\000\000\000\000\000\041\000\000\000\000\000\000\000\000\000\000\000\000\000\001\000\000\000e' >>"$A/seed-empty-entries.zip"
done
printf 'PK\005\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >>"$A/seed-empty-entries.zip"

# gzip inside gzip inside gzip.
printf 'not an activity\n' | gzip -9n | gzip -9n | gzip -9n >"$A/seed-deep.gz"

# CSV: Strava's columns with every kind of quoting, a BOM and ISO dates,
# a quote that never ends, and a csv that is not Strava's.
cp "$tmp/export/activities.csv" "$C/seed-strava.csv"
printf '\357\273\277Filename,Activity Date,Activity Type\n"activities/1.tcx.gz",2026-01-05T07:12:00+01:00,Ride\nactivities/2.fit,2026-01-06 07:12:00,Walk\n,,\n' >"$C/seed-bom-iso.csv"
printf 'Activity Date,Activity Name\n"Feb 29, 2024, 6:41:59 PM","never\nends\n' >"$C/seed-open-quote.csv"
printf 'Date,Weight\n2026-01-01,70\n' >"$C/seed-not-strava.csv"
echo "gen-import-seeds: $(ls "$A"/seed-* | wc -l) archive seeds, $(ls "$C"/seed-* | wc -l) csv seeds in fuzz/corpus/"
