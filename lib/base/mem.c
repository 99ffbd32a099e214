/*
 * mem.c - the allocation hooks every allocation in libpliant goes through.
 *
 * Tests install an allocator that fails the N-th call, to prove that every
 * error path releases what it took (the sqlite way of testing OOM).
 */
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"

static void *std_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void *std_realloc(void *ctx, void *p, size_t n) { (void)ctx; return realloc(p, n); }
static void std_free(void *ctx, void *p) { (void)ctx; free(p); }

static struct pl_allocator alloc = { std_malloc, std_realloc, std_free, NULL };

void pl_set_allocator(const struct pl_allocator *a)
{
    if (a)
        alloc = *a;
    else
        alloc = (struct pl_allocator){ std_malloc, std_realloc, std_free, NULL };
}

void *pl__malloc(size_t n) { return alloc.malloc_fn(alloc.ctx, n ? n : 1); }

void *pl__realloc(void *p, size_t n) { return alloc.realloc_fn(alloc.ctx, p, n ? n : 1); }

void pl__free(void *p)
{
    if (p)
        alloc.free_fn(alloc.ctx, p);
}

/* For what the library hands to its callers (charts): the same hooks. */
void pl_free(void *p) { pl__free(p); }

void *pl__malloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return pl__malloc(n * size);
}

void *pl__calloc(size_t n, size_t size)
{
    void *p = pl__malloc_array(n, size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *pl__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = pl__malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
