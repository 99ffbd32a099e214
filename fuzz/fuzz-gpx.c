/*
 * fuzz-gpx.c - libFuzzer target for the GPX reader (lib/formats/gpx.c over lib/formats/xml.c),
 * seeded with fuzz/corpus/gpx; the target itself is read-activities.h.
 */
#include "read-activities.h"
