/* rng.c - Philox4x64-10 as a keyed gsl_rng_type. */
#include "engine/rng.h"

#include <string.h>

/* refill - the next block of the stream. */
static void refill(struct philox_state *s)
{
    s->out = s->g ? rng_philox_block(s->g, s->ctr) : philox4x64(s->ctr, s->key);
    s->ctr.v[3]++;
    s->used = 0;
}

static unsigned long philox_get(void *vstate)
{
    struct philox_state *s = vstate;
    if (s->used == 8)
        refill(s);
    uint64_t w = s->out.v[s->used / 2];
    unsigned long x =
        (unsigned long)((s->used & 1) ? w >> 32 : w & 0xffffffffu);
    s->used++;
    return x;
}

/* philox_get_double - 53 random bits from one 64-bit word, in [0, 1). */
static double philox_get_double(void *vstate)
{
    struct philox_state *s = vstate;
    if (s->used > 6)
        refill(s);
    if (s->used & 1)
        s->used++;
    uint64_t w = s->out.v[s->used / 2];
    s->used += 2;
    return (double)(w >> 11) * (1.0 / 9007199254740992.0);
}

static void philox_set(void *vstate, unsigned long seed)
{
    struct philox_state *s = vstate;
    memset(s, 0, sizeof(*s));
    s->key.v[0] = seed;
    refill(s);
}

static const gsl_rng_type philox_type = {
    "philox4x64", 0xffffffffUL,      0, sizeof(struct philox_state), philox_set,
    philox_get,   philox_get_double,
};

const gsl_rng_type *rng_philox = &philox_type;

void rng_init(struct rng *g, uint64_t seed, uint64_t replication)
{
    g->seed = seed;
    g->replication = replication;
    for (int i = 0; i < RNG_ROUNDS; i++) {
        g->round_key[i][0] = seed + (uint64_t)i * PHILOX_W64_0;
        g->round_key[i][1] = replication + (uint64_t)i * PHILOX_W64_1;
    }
    g->r = gsl_rng_alloc(rng_philox);
    rng_at(g, RNG_ARRIVAL, 0, 0);
}

void rng_release(struct rng *g)
{
    gsl_rng_free(g->r);
    g->r = NULL;
}

uint64_t rng_hash64(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}
