/*
 * fuzz-tcx.c - libFuzzer target for the TCX reader (lib/formats/tcx.c over lib/formats/xml.c),
 * seeded with fuzz/corpus/tcx; the target itself is read-activities.h.
 */
#include "read-activities.h"
