/* xalloc.h - allocation wrappers that never return NULL.
 *
 * On exhaustion they print one line and exit(2): there is nothing sensible a
 * simulator can do without memory (Postfix mymalloc, Redis zmalloc). Memory
 * they return is owned by the caller and released with free(). */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* xreallocarray - realloc p to n * size bytes, checking the product. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* XGROW - make room for one more element in (ptr, n, cap). */
#define XGROW(ptr, n, cap)                                                     \
    do {                                                                       \
        if ((n) >= (cap)) {                                                    \
            (cap) = (cap) ? 2 * (cap) : 8;                                     \
            (ptr) = xreallocarray((ptr), (cap), sizeof(*(ptr)));               \
        }                                                                      \
    } while (0)

#endif
