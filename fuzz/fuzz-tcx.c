/*
 * fuzz-tcx.c - libFuzzer target for the TCX reader (lib/tcx.c over lib/xml.c),
 * seeded with fuzz/corpus/tcx; the target itself is read-activities.h.
 */
#include "read-activities.h"
