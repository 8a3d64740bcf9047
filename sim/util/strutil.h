/* strutil.h - small string helpers shared by the parsers. */
#ifndef STRUTIL_H
#define STRUTIL_H

#include <stddef.h>

/* str_lower - lower-case ASCII letters of s in place; returns s. */
char *str_lower(char *s);
int str_ieq(const char *a, const char *b);
int str_has_prefix(const char *s, const char *prefix);
/* str_edit_distance - Levenshtein distance, capped at cap+1 (cheap reject). */
size_t str_edit_distance(const char *a, const char *b, size_t cap);
/* str_closest - the candidate nearest to word, or NULL when none is within
 * a distance that still looks like a typo (a third of the word's length). */
const char *str_closest(const char *word, const char *const *candidates,
                        size_t n);

#endif
