/* search.c - doubling and bisection over a trial function. */
#include "plan/search.h"

#include <math.h>

int search_min_count(int max, search_count_fn *trial, void *ctx, int *trials)
{
    int lo = 0, hi = 0, n = 0, r = 0;
    for (int k = 1; max >= 1;) {
        r = trial(ctx, k);
        n++;
        if (r < 0)
            break;
        if (r) {
            hi = k;
            break;
        }
        lo = k;
        if (k >= max)
            break;
        k = 2 * k > max ? max : 2 * k;
    }
    while (r >= 0 && hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        r = trial(ctx, mid);
        n++;
        if (r > 0)
            hi = mid;
        else if (r == 0)
            lo = mid;
    }
    if (trials)
        *trials = n;
    return r < 0 ? -1 : hi;
}

int search_max_volume(const struct search_volume *p, search_volume_fn *trial,
                      void *ctx, double *best)
{
    double lo = p->prev, hi = p->prev > 0 ? 2 * p->prev : p->start;
    int failed = 0, found = 0;
    *best = 0;
    for (int k = 0; k < p->max_doublings && !failed; k++) {
        int r = trial(ctx, hi);
        if (r < 0)
            return -1;
        failed = !r;
        if (r) {
            *best = hi;
            found = 1;
            lo = hi;
            hi *= 2;
        }
    }
    if (!failed)
        return found;
    while (lo > 0 && hi / lo > p->ratio) {
        double mid = round(sqrt(lo * hi));
        if (mid <= lo || mid >= hi)
            break;
        int r = trial(ctx, mid);
        if (r < 0)
            return -1;
        if (r) {
            *best = mid;
            found = 1;
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return found;
}
