/*
 * arena.h - one arena per parse, request or plan: many allocations, one
 * free (lib/base/arena.c). Every allocation goes through the pl__malloc
 * hooks; a failed one marks the arena failed, and the caller checks that
 * once at the end instead of after every call.
 */
#ifndef PL_ARENA_H
#define PL_ARENA_H

#include "base/internal.h"

struct pl__arena {
    struct chunk *head;
    bool failed;            /* an allocation failed: the load fails */
};

/* n bytes aligned for any type; NULL (and a->failed) when out of memory. */
void *pl__arena_alloc(struct pl__arena *a, size_t n);
/* n zeroed elements of size bytes, overflow-checked. */
void *pl__arena_array(struct pl__arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n). */
char *pl__arena_strndup(struct pl__arena *a, const char *s, size_t n);
/* Free every block; the arena is empty and usable again. */
void pl__arena_release(struct pl__arena *a);
/* An arena of its own on the heap, for an object that keeps one behind an
 * opaque pointer (a plan's priv_); NULL when out of memory. _free releases
 * and frees it; NULL is fine. */
struct pl__arena *pl__arena_new(void);
void pl__arena_free(struct pl__arena *a);

#endif
