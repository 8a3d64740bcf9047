/* arena.h - a bump allocator whose memory is released all at once (nginx
 * pools). The config model keeps its strings and small objects here, so
 * freeing a model is one call and nothing can leak piecemeal. Memory from an
 * arena is owned by the arena: never free() it. */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t used_bytes; /* for statistics */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* arena_alloc - zeroed memory aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t size);

#endif
