/*
 * limits.h - every limit libpliant puts on its input, in one place.
 *
 * A count or size read from a file is checked against the bytes left and
 * against one of these before it is used. Each says why it is what it is.
 */
#ifndef PL_LIMITS_H
#define PL_LIMITS_H

/* FIT: a definition has at most 255 fields and 255 developer fields of at
 * most 255 bytes each (one-byte counts and sizes in the protocol), so one
 * message is at most 2 * 255 * 255 bytes plus its header. The decoder's
 * carry-over buffer for a message split across feeds is this large. */
#define PL_FIT_MSG_BYTES_MAX (1 + 2 * 255 * 255)
/* A definition record: 6 bytes, 3 per field, 1 + 3 per developer field. */
#define PL_FIT_DEF_BYTES_MAX (6 + 3 * 255 + 1 + 3 * 255)
/* Chained FIT files in one input. Real devices chain a handful (the corpus
 * has at most 5); more than this is hostile input. */
#define PL_FIT_SEGMENTS_MAX 255
/* Developer data indexes are one byte, so 256 developers; each may declare
 * 256 field numbers. */
#define PL_FIT_DEV_INDEX_MAX 256
/* Developer field descriptions kept at once. A file declares a few dozen
 * (the corpus's largest declares 125); the table is searched per message. */
#define PL_FIT_DEV_FIELDS_MAX 1024
/* Values one message may carry after expansion: fields, components,
 * sub-fields and developer fields. 255 + 255 fields, each of which may add
 * at most a few expanded values; 2048 is far above any profile message. */
#define PL_FIT_VALUES_MAX 2048
/* Numbers of array elements one message may carry after decoding (a field
 * of 255 bytes of uint8 is 255 numbers; 510 such fields). */
#define PL_FIT_NUMS_MAX (2 * 255 * 255)
/* Warnings reported per input; further ones are counted, not reported. */
#define PL_FIT_WARNINGS_MAX 100

#endif
