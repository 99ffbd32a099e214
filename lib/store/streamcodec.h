/*
 * streamcodec.h - the compact encoding of one sample stream (private to
 * libpliant; only lib/store/store.c and the fuzz target use it).
 *
 * A stream of doubles (NaN = no sample) is quantised to a step of 10^exp10
 * in its unit, then written as residuals of order 1 (deltas) or 2 (deltas
 * of deltas), zigzag-mapped to unsigned LEB128 varints, with two escape
 * tokens: a run of absent samples and a run of repeated residuals. The
 * format and why it was chosen: docs/internals/store.md.
 */
#ifndef PL_STREAMCODEC_H
#define PL_STREAMCODEC_H

#include "base/internal.h"

/* Steps a stream may be quantised to: 10^-9 .. 10^3 of its unit. */
#define PL_STREAM_EXP10_MIN (-9)
#define PL_STREAM_EXP10_MAX 3
/* Values are quantised within +-PL_STREAM_QUANTUM_MAX steps (pl_limits.h). */

/*
 * Encode x[0..n) at a step of 10^exp10 (PL_STREAM_EXP10_MIN..MAX) into a
 * new buffer *out of *len bytes, which the caller frees with pl__free.
 * NaN is kept as "absent"; so are infinities and values whose quantum is
 * out of +-PL_STREAM_QUANTUM_MAX (nothing real is that large; a reader
 * that produced one had read garbage). Each present value decodes to
 * round(x / step) * step. n may be 0. PL_EINVAL (bad exp10, n over
 * PL_ACT_SAMPLES_MAX), PL_ENOMEM.
 */
int pl__stream_encode(const double *x, size_t n, int exp10, uint8_t **out,
                      size_t *len, struct pl_diag *diag);

/* Read the header of an encoded stream: its sample count and step. Fails
 * (PL_EFORMAT, PL_ETRUNCATED, PL_ELIMIT) as pl__stream_decode does for the
 * header; neither output is written then. */
int pl__stream_header(const uint8_t *p, size_t len, size_t *n, int *exp10,
                      struct pl_diag *diag);

/* Decode an encoded stream of exactly n samples into x[0..n). Every byte
 * is checked: a count that differs from n, a truncated varint, a run past
 * the end, an overflowing sum, a repeat with nothing to repeat or bytes
 * left over are errors (PL_EFORMAT, PL_ETRUNCATED, PL_ELIMIT) with
 * diag->offset at the offending byte; x is then partly written. */
int pl__stream_decode(const uint8_t *p, size_t len, double *x, size_t n,
                      struct pl_diag *diag);

#endif
