/* mta_deadline.c - a binary heap in parallel arrays (mta_deadline.h). */
#include "mta/mta_deadline.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>


static int earlier(const struct mta_deadlines *h, int64_t t, uint32_t ri,
                   size_t j)
{
    return t < h->t[j] || (t == h->t[j] && ri < h->ri[j]);
}

void mta_deadline_push(struct mta_deadlines *h, int64_t t, uint32_t ri)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->t = xreallocarray(h->t, h->cap, sizeof(*h->t));
        h->ri = xreallocarray(h->ri, h->cap, sizeof(*h->ri));
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(h, t, ri, parent))
            break;
        h->t[i] = h->t[parent];
        h->ri[i] = h->ri[parent];
        i = parent;
    }
    h->t[i] = t;
    h->ri[i] = ri;
}

int mta_deadline_pop(struct mta_deadlines *h, int64_t *t, uint32_t *ri)
{
    if (h->n == 0)
        return -1;
    *t = h->t[0];
    *ri = h->ri[0];
    int64_t xt = h->t[--h->n];
    uint32_t xr = h->ri[h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && earlier(h, h->t[c + 1], h->ri[c + 1], c))
            c++;
        if (!(h->t[c] < xt || (h->t[c] == xt && h->ri[c] < xr)))
            break; /* x goes here: no child is earlier */
        h->t[i] = h->t[c];
        h->ri[i] = h->ri[c];
        i = c;
    }
    if (h->n) {
        h->t[i] = xt;
        h->ri[i] = xr;
    }
    return 0;
}

void mta_deadline_release(struct mta_deadlines *h)
{
    free(h->t);
    free(h->ri);
    memset(h, 0, sizeof(*h));
}
