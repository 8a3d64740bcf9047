/* strutil.c - string helpers: case folding and "did you mean" distances. */
#include "util/strutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *str_lower(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

int str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* str_edit_distance - two-row dynamic programme (Wagner-Fischer). */
size_t str_edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    /* rows on the stack for words of ordinary length: this runs once
     * per candidate of every "did you mean" */
    size_t rows[2][64];
    int heap = lb + 1 > 64;
    size_t *prev = heap ? xcalloc(lb + 1, sizeof(*prev)) : rows[0];
    size_t *cur = heap ? xcalloc(lb + 1, sizeof(*cur)) : rows[1];
    size_t d = cap + 1;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    /* Ukkonen's band: a cell further than cap from the diagonal is over
     * cap, so only |i - j| <= cap is computed; cells outside read as cap
     * + 1 */
    for (size_t i = 1; i <= la; i++) {
        size_t lo = i > cap ? i - cap : 1, hi = i + cap < lb ? i + cap : lb;
        size_t row_min = cur[0] = i;
        if (lo > 1)
            cur[lo - 1] = cap + 1;
        for (size_t j = lo; j <= hi; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = j < i + cap ? prev[j] + 1 : cap + 1;
            size_t ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
            row_min = cur[j] < row_min ? cur[j] : row_min;
        }
        if (hi < lb)
            cur[hi + 1] = cap + 1;
        size_t *t = prev;
        prev = cur;
        cur = t;
        if (row_min > cap) /* every later row is at least this */
            goto done;
    }
    d = prev[lb];
done:
    if (heap) {
        free(prev);
        free(cur);
    }
    return d;
}

const char *str_closest(const char *word, const char *const *candidates,
                        size_t n)
{
    size_t cap = strlen(word) / 3 + 1;
    const char *best = NULL;
    size_t best_d = cap + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = str_edit_distance(word, candidates[i], cap);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}
