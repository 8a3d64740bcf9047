/* test_rate.c - the sliding window is exact for every N: never more than N
 * events in any interval of length W, above the ring size too (sub-window
 * counts), while letting close to N through per W. */
#include "mta/mta_rate.h"
#include "test.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdlib.h>

#define HOUR_US (3600LL * 1000000)

/* max_in_window - the most events of sorted times t[0..n) in any half-open
 * interval of length w (two pointers: each window ending at an event). */
static int64_t max_in_window(const int64_t *t, size_t n, int64_t w)
{
    int64_t best = 0;
    size_t lo = 0;

    for (size_t hi = 0; hi < n; hi++) {
        while (t[hi] - t[lo] >= w)
            lo++;
        if ((int64_t)(hi - lo + 1) > best)
            best = (int64_t)(hi - lo + 1);
    }
    return best;
}

/* offer - events offered at the times of `arrivals` (each waits for the
 * limiter; a later one may not overtake it); returns the count taken
 * before horizon, their times in *out. */
static size_t offer(struct mta_rate *r, const int64_t *arrivals, size_t n,
                    int64_t horizon, int64_t *out)
{
    int64_t now = 0;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (arrivals[i] > now)
            now = arrivals[i];
        int64_t t = mta_rate_next(r, now, 1);
        if (t >= horizon)
            break;
        mta_rate_take(r, t, 1);
        out[k++] = now = t;
    }
    return k;
}

/* check_exact - N per hour over 6 hours, with greedy and with random
 * (Poisson at 3x the limit, in bursts) arrivals. */
static void check_exact(double n_per_hour, gsl_rng *g)
{
    size_t cap = (size_t)(n_per_hour * 20);
    int64_t *arr = malloc(cap * sizeof(*arr)),
            *got = malloc(cap * sizeof(*got));
    struct mta_rate r;
    size_t k;

    /* greedy: everything at t = 0 */
    for (size_t i = 0; i < cap; i++)
        arr[i] = 0;
    mta_rate_init(&r, MTA_RATE_SLIDING, n_per_hour, 3600);
    k = offer(&r, arr, cap, 6 * HOUR_US, got);
    CHECK(max_in_window(got, k, HOUR_US) <= (int64_t)n_per_hour,
          "greedy %g/h: %lld in an hour", n_per_hour,
          (long long)max_in_window(got, k, HOUR_US));
    CHECK(k >= (size_t)(5 * n_per_hour), "greedy %g/h: only %zu in 6 h",
          n_per_hour, k);
    mta_rate_release(&r);
    /* random: Poisson arrivals at 3x the rate, in minute-long bursts */
    int64_t t = 0;
    for (size_t i = 0; i < cap; i++) {
        t += (int64_t)(gsl_ran_exponential(g, 3600e6 / (3 * n_per_hour)));
        if (gsl_rng_uniform(g) < 1 / n_per_hour)
            t += 600 * 1000000LL; /* a pause now and then */
        arr[i] = t;
    }
    mta_rate_init(&r, MTA_RATE_SLIDING, n_per_hour, 3600);
    k = offer(&r, arr, cap, 6 * HOUR_US, got);
    int64_t most = max_in_window(got, k, HOUR_US);
    CHECK(most <= (int64_t)n_per_hour, "random %g/h: %lld in an hour",
          n_per_hour, (long long)most);
    CHECK(most >= (int64_t)(0.99 * n_per_hour), "random %g/h: at most %lld",
          n_per_hour, (long long)most);
    /* the n-th slot never comes before the (n-1)-th */
    int64_t prev = 0;
    for (uint32_t j = 0; j < 3 * (uint32_t)n_per_hour; j += 97) {
        int64_t s = mta_rate_next_nth(&r, got[k - 1], j);
        CHECK(s >= prev, "slot %u at %lld before slot at %lld", j, (long long)s,
              (long long)prev);
        prev = s;
    }
    mta_rate_release(&r);
    free(arr);
    free(got);
}

/* ref_next_nth - mta_rate_next_nth of a sliding window of n per w from
 * the whole history times[0..cnt) (a ring of n slots allocated at once,
 * zeroed: before it is full, the slots past cnt read 0). */
static int64_t ref_next_nth(const int64_t *times, uint32_t cnt, uint32_t n,
                            int64_t w, int64_t now, uint32_t k)
{
    uint64_t pos = (uint64_t)(cnt < n ? cnt : n) + k; /* the ring holds n */
    if (pos < n)
        return now;
    uint64_t back = pos - n, laps = back / n;
    uint32_t idx = (uint32_t)(back % n);
    int64_t oldest = cnt >= n    ? times[cnt - n + idx]
                     : idx < cnt ? times[idx]
                                 : 0;
    int64_t t = oldest + (int64_t)(laps + 1) * w;
    return t > now ? t : now;
}

/* check_growth - the ring grows as events come (a quiet queue keeps a few
 * slots, not N) and answers as a ring allocated whole would, before,
 * across and after each doubling and once full. */
static void check_growth(gsl_rng *g)
{
    const uint32_t n = 600, ks[] = { 0, 1, 5, 599, 600, 700, 1500 };
    int64_t *times = malloc(1500 * sizeof(*times)), now = 0;
    struct mta_rate r;
    int bad = 0;

    mta_rate_init(&r, MTA_RATE_SLIDING, n, 3600);
    CHECK(r.ring_cap <= MTA_RATE_RING0, "a new ring holds %u slots",
          r.ring_cap);
    for (uint32_t cnt = 0; cnt < 1500; cnt++) {
        for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++)
            bad += mta_rate_next_nth(&r, now, ks[j]) !=
                   ref_next_nth(times, cnt, n, HOUR_US, now, ks[j]);
        if (cnt == 10)
            CHECK(r.ring_cap <= 16, "10 events: %u slots", r.ring_cap);
        now += (int64_t)gsl_ran_exponential(g, 2e6);
        mta_rate_take(&r, now, 1);
        times[cnt] = now;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(r.ring_cap, n);
    mta_rate_release(&r);
    free(times);
}

int main(void)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(g, 9);
    check_exact(100, g);   /* the ring */
    check_exact(1024, g);  /* the largest ring */
    check_exact(1025, g);  /* the smallest counted window */
    check_exact(12000, g); /* max-msg-rate 12000/h */
    check_exact(250000, g);
    check_growth(g);
    gsl_rng_free(g);
    return test_done();
}
