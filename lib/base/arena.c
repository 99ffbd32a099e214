/*
 * arena.c - bump allocation in chunks, freed in one call: for what a parse
 * builds and keeps as one object (a protocol, its tree and strings), so
 * that no error path has scattered frees to get wrong.
 */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "base/arena.h"

/* Bump allocation in chunks; a block larger than a chunk gets one of its
 * own. Never frees one block: the whole arena goes at once.
 *
 * Under AddressSanitizer every block is a chunk of its own, of exactly the
 * size asked, so that a write past a block lands in a redzone and is
 * reported (in a shared chunk it would land in the next block, unseen):
 * the fuzzer and make check run that way. */
#define CHUNK_BYTES 16384
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EXACT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EXACT 1
#endif
#endif

struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
};


void *pl__arena_alloc(struct pl__arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    if (n > SIZE_MAX / 2) {
        a->failed = true;
        return NULL;
    }
#ifdef ARENA_EXACT
    struct chunk *x = pl__malloc(sizeof *x + n);
    if (!x) {
        a->failed = true;
        return NULL;
    }
    x->cap = x->used = n;
    x->next = a->head;
    a->head = x;
    return x->data;
#endif
    n = (n + al - 1) / al * al;
    if (n == 0)
        n = al;
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES / 2 ? n : CHUNK_BYTES;
        c = pl__malloc(sizeof *c + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        /* A large block's chunk goes behind the current one, so that the
         * current one's free space is not lost. */
        if (a->head && cap != CHUNK_BYTES) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (unsigned char *)c->data + c->used;
    c->used += n;
    return p;
}

void *pl__arena_array(struct pl__arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / 2 / size) {
        a->failed = true;
        return NULL;
    }
    void *p = pl__arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *pl__arena_strndup(struct pl__arena *a, const char *s, size_t n)
{
    char *p = pl__arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void pl__arena_release(struct pl__arena *a)
{
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        pl__free(c);
        c = next;
    }
    a->head = NULL;
}

struct pl__arena *pl__arena_new(void)
{
    return pl__calloc(1, sizeof(struct pl__arena));
}

void pl__arena_free(struct pl__arena *a)
{
    if (!a)
        return;
    pl__arena_release(a);
    pl__free(a);
}
