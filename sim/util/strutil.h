/* strutil.h - small string helpers shared by the parsers. */
#ifndef STRUTIL_H
#define STRUTIL_H

#include <stddef.h>
#include <stdint.h>

/* str_lower - lower-case ASCII letters of s in place; returns s. */
char *str_lower(char *s);
int str_ieq(const char *a, const char *b);
int str_has_prefix(const char *s, const char *prefix);
/* str_put_u64 - v in decimal at p, as %llu prints it (at most 20 bytes,
 * no NUL); returns the end. Report writers call it per field, where
 * printf's cost shows. */
char *str_put_u64(char *p, uint64_t v);
/* str_edit_distance - Levenshtein distance, capped at cap+1 (cheap reject). */
size_t str_edit_distance(const char *a, const char *b, size_t cap);
/* str_closest - the candidate nearest to word, or NULL when none is within
 * a distance that still looks like a typo (a third of the word's length). */
const char *str_closest(const char *word, const char *const *candidates,
                        size_t n);

/* A fixed list of names searched often (the directives of a scope): the
 * same answer as str_closest, with each name's length and characters
 * noted once so most names are rejected at once. The list is borrowed. */
struct str_vocab {
    const char *const *names;
    size_t n;
    size_t *lens;
    unsigned long long *masks;
};
void str_vocab_init(struct str_vocab *v, const char *const *names, size_t n);
const char *str_vocab_closest(const struct str_vocab *v, const char *word);

#endif
