/* mta_rate.h - rate limits: "at most N events per window W".
 *
 * PowerMTA does not document how it enforces max-msg-rate, max-connect-rate
 * and the data-volume rates (docs/delivery.md, UNVERIFIED), so the
 * algorithm is a scenario switch:
 *  - sliding window (default): at most N events in any interval of length
 *    W; a burst of N may go at once, then the next waits until the oldest
 *    leaves the window;
 *  - token bucket: N tokens refilled continuously at N/W per second;
 *    the same long-run rate and burst N, but smoother after a burst;
 *  - even spacing: one event every W/N, no bursts at all.
 * All three give the long-run ceiling N/W; they differ in burstiness, which
 * is what a provider's own limiter sees. The sliding window is exact for
 * every N: never more than N events in any interval of length W. Up to
 * MTA_RATE_MAX_RING it keeps the last N event times; above, the counts of
 * MTA_RATE_BUCKETS sub-windows of W/MTA_RATE_BUCKETS each, counting the
 * oldest partly covered sub-window whole (so an event is let through only
 * when at most N - 1 others can lie in the window before it; it may wait
 * up to one sub-window longer than an ideal limiter would, at most
 * 1/MTA_RATE_BUCKETS of the rate). Memory does not grow with N. The ring
 * starts at MTA_RATE_RING0 slots and doubles as events come, up to N: a
 * queue that sends a few messages a week (the long tail of domains) keeps
 * a few slots, not N.
 * Times are integer microseconds. Ownership: ring and counts belong to
 * the limiter. */
#ifndef MTA_RATE_H
#define MTA_RATE_H

#include <stdint.h>

enum mta_rate_algo { MTA_RATE_SLIDING, MTA_RATE_TOKEN_BUCKET, MTA_RATE_EVEN };

#define MTA_RATE_MAX_RING 1024
#define MTA_RATE_BUCKETS  1024
#define MTA_RATE_RING0    8

struct mta_rate {
    enum mta_rate_algo algo;
    int unlimited;
    int paused;        /* a rate of 0: nothing may go (docs/config.md) */
    double count;      /* N */
    int64_t window_us; /* W */
    int64_t *ring;     /* sliding, N <= MAX_RING: last N event times */
    uint32_t ring_n, ring_head;
    uint32_t ring_cap; /* slots allocated: ring_n <= ring_cap <= N; until
                          the ring is full, ring_head is 0 */
    int64_t *bkt;      /* sliding, N > MAX_RING: sub-window counts */
    int64_t bkt_us;    /* sub-window length */
    int64_t bkt_lo;    /* oldest sub-window kept (index = time / bkt_us) */
    int64_t bkt_hi;    /* newest; < bkt_lo when none */
    int64_t bkt_total; /* events in bkt_lo..bkt_hi */
    double tokens;     /* token bucket */
    int64_t last_us;   /* token bucket refill time / even: last event */
    int have_last;
};

/* mta_rate_init - count events per window_s seconds; count = INFINITY or
 * window_s <= 0 means unlimited; count = 0 (the config value "0") pauses:
 * mta_rate_next then returns INT64_MAX. */
void mta_rate_init(struct mta_rate *r, enum mta_rate_algo algo, double count,
                   double window_s);
void mta_rate_release(struct mta_rate *r);
/* mta_rate_next - the earliest time >= now_us at which amount more may go
 * (amount is 1 for message and connection rates, bytes for volumes). The
 * unlimited case is inline: most limiters of a run are unlimited and are
 * asked on every transaction. */
int64_t mta_rate_next_limited(const struct mta_rate *r, int64_t now_us,
                              double amount);
static inline int64_t mta_rate_next(const struct mta_rate *r, int64_t now_us,
                                    double amount)
{
    return r->unlimited ? now_us : mta_rate_next_limited(r, now_us, amount);
}
/* mta_rate_next_nth - the earliest time the (k+1)-th of k+1 more unit
 * events may go, counting the k that go before it (k = 0 is
 * mta_rate_next for one event). Lets several connections wait for their
 * own slot instead of all waking for the first. */
int64_t mta_rate_next_nth_limited(const struct mta_rate *r, int64_t now_us,
                                  uint32_t k);
static inline int64_t mta_rate_next_nth(const struct mta_rate *r,
                                        int64_t now_us, uint32_t k)
{
    return r->unlimited ? now_us : mta_rate_next_nth_limited(r, now_us, k);
}
/* mta_rate_take - record amount at now_us (call only when allowed); the
 * unlimited case is inline, as for mta_rate_next. */
void mta_rate_take_limited(struct mta_rate *r, int64_t now_us, double amount);
static inline void mta_rate_take(struct mta_rate *r, int64_t now_us,
                                 double amount)
{
    if (!r->unlimited)
        mta_rate_take_limited(r, now_us, amount);
}

#endif
