/*
 * internal.h - helpers shared inside libpliant (pl__ prefix); not installed.
 */
#ifndef PL_INTERNAL_H
#define PL_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>

#include "base/pl_limits.h"
#include "pliant.h"

/* Allocation through the hooks of pl_set_allocator(). pl__malloc_array
 * checks n * size for overflow and returns NULL on it. */
void *pl__malloc(size_t n);
void *pl__calloc(size_t n, size_t size);
void *pl__realloc(void *p, size_t n);
void *pl__malloc_array(size_t n, size_t size);
void pl__free(void *p);
char *pl__strdup(const char *s);

/* Fill a diagnostic (printf-style message); returns code so that a caller
 * can write `return pl__diag(d, PL_EFORMAT, off, "...")`. d may be NULL. */
int pl__diag(struct pl_diag *d, int code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int pl__diag_lc(struct pl_diag *d, int code, uint32_t line, uint32_t col,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* pl_fit_crc16() by its tables only, never by PCLMULQDQ (lib/formats/fit.c), so
 * that tests can check both roads on a machine that has it. */
uint16_t pl__fit_crc16_portable(uint16_t crc, const void *buf, size_t n);

#define PL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
