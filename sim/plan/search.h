/* search.h - the planners' searches over a trial function, independent of
 * the simulator (tests drive them with fake trials).
 *
 * search_min_count: the smallest count k in [1, max] that passes, for
 * `plan capacity` (k = source IPs). It doubles k until a trial passes,
 * then bisects between the last failing and the first passing k. When
 * passing is monotone in k (more IPs never hurt) the answer is the
 * smallest passing k; when it is not, the answer still passes and k - 1
 * still fails (each was tried), but a smaller k may pass: the caller
 * says so rather than claim minimality it did not check.
 *
 * search_max_volume: the largest volume that passes, for one day of
 * `plan warmup`. It starts at the previous day's volume (the schedule
 * never shrinks), doubles while trials pass (at most max_doublings
 * times), then narrows geometrically until hi / lo <= ratio. */
#ifndef SEARCH_H
#define SEARCH_H

/* A trial at count k or volume v: 1 passes, 0 fails, -1 an error. */
typedef int search_count_fn(void *ctx, int k);
typedef int search_volume_fn(void *ctx, double v);

/* search_min_count - the answer k, 0 when even max fails, -1 on an error
 * (a trial's -1). *trials counts the trials run (may be NULL). */
int search_min_count(int max, search_count_fn *trial, void *ctx, int *trials);

struct search_volume {
    double prev;       /* the previous day's volume (0 on day 1) */
    double start;      /* the first volume to try when prev is 0 */
    double ratio;      /* stop when hi / lo <= ratio (> 1) */
    int max_doublings; /* stop growing after this many passes */
};

/* search_max_volume - the largest passing volume found, into *best (0
 * when none above prev passed); returns 1 when one passed, 0 when none
 * did, -1 on an error. The trial of *best was the last passing call. */
int search_max_volume(const struct search_volume *p, search_volume_fn *trial,
                      void *ctx, double *best);

#endif
