/* mta_rate.c - sliding-window, token-bucket and even-spacing limiters. */
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
    double w = window_s;
    if (algo == MTA_RATE_SLIDING && n > MTA_RATE_MAX_RING) {
        w = window_s * MTA_RATE_MAX_RING / n;
        n = MTA_RATE_MAX_RING;
    }
    r->count = algo == MTA_RATE_SLIDING ? n : count;
    r->window_us = (int64_t)llround(w * 1e6);
    if (r->window_us < 1)
        r->window_us = 1;
    r->tokens = r->count;
    if (algo == MTA_RATE_SLIDING)
        r->ring = xcalloc((size_t)n, sizeof(*r->ring));
}

void mta_rate_release(struct mta_rate *r)
{
    free(r->ring);
    r->ring = NULL;
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
    if (r->algo == MTA_RATE_SLIDING) {
        uint32_t n = (uint32_t)r->count;
        uint64_t pos = (uint64_t)r->ring_n + k; /* 0-based slot index */
        if (pos < n)
            return now_us;
        uint64_t back = pos - n; /* which recorded event must leave */
        uint64_t laps = back / n;
        uint32_t idx = (uint32_t)(back % n);
        t = r->ring[(r->ring_head + idx) % n] +
            (int64_t)(laps + 1) * r->window_us;
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

void mta_rate_take(struct mta_rate *r, int64_t now_us, double amount)
{
    if (r->unlimited || r->paused)
        return;
    if (r->algo == MTA_RATE_SLIDING) {
        uint32_t n = (uint32_t)r->count;
        if (r->ring_n < n) {
            r->ring[(r->ring_head + r->ring_n++) % n] = now_us;
        } else {
            r->ring[r->ring_head] = now_us;
            r->ring_head = (r->ring_head + 1) % n;
        }
        return;
    }
    if (r->algo == MTA_RATE_TOKEN_BUCKET)
        r->tokens = refill(r, now_us) - amount;
    r->last_us = now_us;
    r->have_last = 1;
}
