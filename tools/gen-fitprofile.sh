#!/bin/sh
# gen-fitprofile.sh - regenerate lib/formats/fitprofile.c from the FIT profile in
# Garmin's FIT SDK for JavaScript (`make profile` runs this).
#
# The SDK is installed with npm into build/node, at the pinned version
# below, only when it is not there yet; the generator then reads its
# src/profile.js. To move to a new profile: change FITSDK_VERSION, run
# `make profile`, build, run the tests and review the diff of
# lib/formats/fitprofile.c. See docs/internals/fitprofile.md.
set -eu

FITSDK_VERSION=21.217.0

cd "$(dirname "$0")/.."
prefix=build/node
sdk=$prefix/node_modules/@garmin/fitsdk

installed=
if [ -f "$sdk/package.json" ]; then
    installed=$(node -p "require('./$sdk/package.json').version")
fi
if [ "$installed" != "$FITSDK_VERSION" ]; then
    echo "gen-fitprofile: installing @garmin/fitsdk@$FITSDK_VERSION into $prefix" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --save-exact \
        "@garmin/fitsdk@$FITSDK_VERSION"
fi

node tools/gen-fitprofile.mjs "$sdk" lib/formats/fitprofile.c
