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

/* bag_distance - a lower bound of the edit distance from the characters
 * alone: one edit removes at most one character of a that b lacks and one
 * of b that a lacks. counts holds a's characters on entry and on return. */
static size_t bag_distance(int counts[256], size_t la, const char *b)
{
    const unsigned char *p = (const unsigned char *)b;
    size_t lb = 0, shared = 0;
    for (; p[lb]; lb++)
        shared += counts[p[lb]]-- > 0;
    for (size_t i = 0; i < lb; i++)
        counts[p[i]]++;
    return la - shared > lb - shared ? la - shared : lb - shared;
}

/* char_mask - which of 64 buckets (a character's low six bits) s uses. */
static unsigned long long char_mask(const char *s)
{
    unsigned long long m = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        m |= 1ULL << (*p & 63);
    return m;
}

/* closest - str_closest; with a vocabulary's lengths and masks (else
 * NULL) most candidates are rejected in constant time: a length
 * difference, and each bucket one side uses and the other lacks, needs
 * an edit of its own. */
static const char *closest(const char *word, const char *const *candidates,
                           size_t n, const size_t *lens,
                           const unsigned long long *masks)
{
    size_t la = strlen(word), cap = la / 3 + 1;
    const char *best = NULL;
    size_t best_d = cap + 1;
    int counts[256] = { 0 };
    for (const unsigned char *p = (const unsigned char *)word; *p; p++)
        counts[*p]++;
    unsigned long long wm = char_mask(word);
    /* only a candidate nearer than the best so far can win, so the cap
     * tightens as they come, and the cheap bounds reject most candidates
     * before the dynamic programme (an unknown directive is compared with
     * some 500 names, and this ran for every one) */
    for (size_t i = 0; i < n && best_d > 0; i++) {
        if (lens && (la > lens[i] ? la - lens[i] : lens[i] - la) >= best_d)
            continue;
        if (masks && ((size_t)__builtin_popcountll(wm & ~masks[i]) >= best_d ||
                      (size_t)__builtin_popcountll(masks[i] & ~wm) >= best_d))
            continue;
        if (bag_distance(counts, la, candidates[i]) >= best_d)
            continue;
        size_t d = str_edit_distance(word, candidates[i], best_d - 1);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

const char *str_closest(const char *word, const char *const *candidates,
                        size_t n)
{
    return closest(word, candidates, n, NULL, NULL);
}

void str_vocab_init(struct str_vocab *v, const char *const *names, size_t n)
{
    v->names = names;
    v->n = n;
    v->lens = xcalloc(n ? n : 1, sizeof(*v->lens));
    v->masks = xcalloc(n ? n : 1, sizeof(*v->masks));
    for (size_t i = 0; i < n; i++) {
        v->lens[i] = strlen(names[i]);
        v->masks[i] = char_mask(names[i]);
    }
}

const char *str_vocab_closest(const struct str_vocab *v, const char *word)
{
    return closest(word, v->names, v->n, v->lens, v->masks);
}

char *str_put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}
