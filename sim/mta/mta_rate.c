/* mta_rate.c - sliding-window, token-bucket and even-spacing limiters.
 * The sliding window is exact for any N (mta_rate.h): a ring of event
 * times up to MTA_RATE_MAX_RING, sub-window counts above. */
#include "mta/mta_rate.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mta_rate_init(struct mta_rate *r, enum mta_rate_algo algo, double count,
                   double window_s)
{
    memset(r, 0, sizeof(*r));
    r->algo = algo;
    if (count == 0 && window_s > 0) {
        r->paused = 1;
        return;
    }
    if (isinf(count) || isnan(count) || window_s <= 0 || count <= 0) {
        r->unlimited = 1;
        return;
    }
    double n = floor(count);
    if (n < 1)
        n = 1;
    r->count = algo == MTA_RATE_SLIDING ? n : count;
    r->window_us = (int64_t)llround(window_s * 1e6);
    if (r->window_us < 1)
        r->window_us = 1;
    r->tokens = r->count;
    if (algo != MTA_RATE_SLIDING)
        return;
    if (n <= MTA_RATE_MAX_RING) {
        r->ring_cap = n < MTA_RATE_RING0 ? (uint32_t)n : MTA_RATE_RING0;
        r->ring = xcalloc(r->ring_cap, sizeof(*r->ring));
        return;
    }
    r->bkt = xcalloc(MTA_RATE_BUCKETS + 2, sizeof(*r->bkt));
    r->bkt_us = (r->window_us + MTA_RATE_BUCKETS - 1) / MTA_RATE_BUCKETS;
    r->bkt_lo = 0;
    r->bkt_hi = -1;
}

void mta_rate_release(struct mta_rate *r)
{
    free(r->ring);
    free(r->bkt);
    r->ring = NULL;
    r->bkt = NULL;
}

/* ---- sliding window by sub-window counts (N > MTA_RATE_MAX_RING) ----
 * An event at t is allowed when the sub-windows that overlap (t - W, t]
 * hold at most N - 1 events. They hold every event of (t - W, t] (and
 * perhaps a few older ones of the oldest sub-window), so no window of
 * length W ever holds more than N. The window spans at most
 * MTA_RATE_BUCKETS + 1 sub-windows, so MTA_RATE_BUCKETS + 2 counts
 * suffice. */

/* floor_div - floor(t / b) for b > 0, negative t included. */
static int64_t floor_div(int64_t t, int64_t b)
{
    return t >= 0 ? t / b : -((-t + b - 1) / b);
}

static int64_t *bkt_slot(const struct mta_rate *r, int64_t i)
{
    int64_t n = MTA_RATE_BUCKETS + 2;
    return &r->bkt[((i % n) + n) % n];
}

/* bkt_next - the earliest time >= now_us at which `units` more events
 * fit: walk from the oldest sub-window until enough have left. */
static int64_t bkt_next(const struct mta_rate *r, int64_t now_us, int64_t units)
{
    int64_t n = (int64_t)r->count;
    int64_t excess = r->bkt_total + units - n, t = now_us;

    for (int64_t i = r->bkt_lo; excess > 0 && i <= r->bkt_hi; i++) {
        excess -= *bkt_slot(r, i);
        t = (i + 1) * r->bkt_us + r->window_us; /* when i leaves */
    }
    if (excess > 0) /* beyond what is recorded: whole windows later */
        t += (excess + n - 1) / n * (r->window_us + r->bkt_us);
    return t > now_us ? t : now_us;
}

/* bkt_take - count an event at now_us (a time before the newest
 * sub-window counts in the newest: later, so still safe). */
static void bkt_take(struct mta_rate *r, int64_t now_us)
{
    int64_t i = floor_div(now_us, r->bkt_us);
    int64_t keep = floor_div(now_us - r->window_us, r->bkt_us);

    if (i < r->bkt_hi)
        i = r->bkt_hi;
    for (; r->bkt_lo <= r->bkt_hi && r->bkt_lo < keep; r->bkt_lo++) {
        r->bkt_total -= *bkt_slot(r, r->bkt_lo);
        *bkt_slot(r, r->bkt_lo) = 0;
    }
    if (r->bkt_lo > r->bkt_hi)
        r->bkt_lo = r->bkt_hi = i;
    for (; r->bkt_hi < i; r->bkt_hi++)
        *bkt_slot(r, r->bkt_hi + 1) = 0;
    (*bkt_slot(r, i))++;
    r->bkt_total++;
}

/* refill - tokens available at now_us (token bucket). */
static double refill(const struct mta_rate *r, int64_t now_us)
{
    if (!r->have_last)
        return r->count;
    double t = r->tokens +
               (double)(now_us - r->last_us) * r->count / (double)r->window_us;
    return t > r->count ? r->count : t;
}

int64_t mta_rate_next_limited(const struct mta_rate *r, int64_t now_us,
                              double amount)
{
    if (r->unlimited)
        return now_us;
    if (r->paused)
        return INT64_MAX;
    if (r->algo == MTA_RATE_SLIDING) {
        if (r->bkt)
            return bkt_next(r, now_us, 1);
        if (r->ring_n < (uint32_t)r->count)
            return now_us;
        int64_t t = r->ring[r->ring_head] + r->window_us;
        return t > now_us ? t : now_us;
    }
    if (r->algo == MTA_RATE_EVEN) {
        if (!r->have_last)
            return now_us;
        int64_t gap = (int64_t)ceil((double)r->window_us * amount / r->count);
        int64_t t = r->last_us + gap;
        return t > now_us ? t : now_us;
    }
    double have = refill(r, now_us),
           need = amount < r->count ? amount : r->count;
    if (have >= need)
        return now_us;
    double wait = (need - have) * (double)r->window_us / r->count;
    return now_us + (int64_t)ceil(wait);
}

int64_t mta_rate_next_nth_limited(const struct mta_rate *r, int64_t now_us,
                                  uint32_t k)
{
    if (r->unlimited || r->paused || k == 0)
        return mta_rate_next(r, now_us, 1);
    int64_t t;
    if (r->algo == MTA_RATE_SLIDING && r->bkt) {
        t = bkt_next(r, now_us, (int64_t)k + 1);
    } else if (r->algo == MTA_RATE_SLIDING) {
        uint32_t n = (uint32_t)r->count;
        uint64_t pos = (uint64_t)r->ring_n + k; /* 0-based slot index */
        if (pos < n)
            return now_us;
        uint64_t back = pos - n; /* which recorded event must leave */
        uint64_t laps = back / n;
        uint32_t slot = (r->ring_head + (uint32_t)(back % n)) % n;
        /* a slot no event has filled yet (the ring grows in order from
         * slot 0 until full) reads 0, as in a ring allocated whole and
         * zeroed */
        int64_t oldest = slot < r->ring_n ? r->ring[slot] : 0;
        t = oldest + (int64_t)(laps + 1) * r->window_us;
    } else if (r->algo == MTA_RATE_EVEN) {
        int64_t gap = (int64_t)ceil((double)r->window_us / r->count);
        t = (r->have_last ? r->last_us : now_us - gap) + (int64_t)(k + 1) * gap;
    } else {
        double have = refill(r, now_us);
        double need = (double)(k + 1);
        t = have >= need
                ? now_us
                : now_us + (int64_t)ceil((need - have) * (double)r->window_us /
                                         r->count);
    }
    return t > now_us ? t : now_us;
}

/* ring_grow - twice the slots, at most n (the new ones are read only once
 * an event fills them). */
static void ring_grow(struct mta_rate *r, uint32_t n)
{
    r->ring_cap = r->ring_cap * 2 < n ? r->ring_cap * 2 : n;
    r->ring = xreallocarray(r->ring, r->ring_cap, sizeof(*r->ring));
}

void mta_rate_take_limited(struct mta_rate *r, int64_t now_us, double amount)
{
    if (r->unlimited || r->paused)
        return;
    if (r->algo == MTA_RATE_SLIDING && r->bkt) {
        bkt_take(r, now_us);
        return;
    }
    if (r->algo == MTA_RATE_SLIDING) {
        /* ring_head < n and ring_n <= n: wrap with a compare, not a
         * division (this runs for every message of a limited queue) */
        uint32_t n = (uint32_t)r->count;
        if (r->ring_n < n) {
            if (r->ring_n == r->ring_cap)
                ring_grow(r, n);
            r->ring[r->ring_n++] = now_us; /* (ring_head is 0 until full) */
        } else {
            r->ring[r->ring_head] = now_us;
            if (++r->ring_head == n)
                r->ring_head = 0;
        }
        return;
    }
    if (r->algo == MTA_RATE_TOKEN_BUCKET)
        r->tokens = refill(r, now_us) - amount;
    r->last_us = now_us;
    r->have_last = 1;
}
