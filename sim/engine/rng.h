/* rng.h - keyed random numbers: every draw is a pure function of
 * (seed, replication, purpose, entity, attempt, index).
 *
 * A counter-based generator (Random123's Philox4x64-10, Salmon et al.,
 * SC'11) maps the counter (purpose, entity, attempt, block) under the key
 * (seed, replication) to 256 random bits. Because no draw depends on the
 * order in which events happen, changing one part of a config does not
 * reshuffle the draws of unrelated parts, and two runs of a what-if
 * comparison get common random numbers for free (docs/design.md).
 * The generator is wrapped as a gsl_rng_type so every GSL
 * distribution can draw from a keyed stream.
 *
 * Ownership: struct rng owns its gsl_rng; rng_at() returns it borrowed,
 * positioned at the start of the requested stream. */
#ifndef RNG_H
#define RNG_H

#include <Random123/philox.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>

/* What a draw is for. Values are part of the output: never renumber,
 * and never reuse a retired value (3 and 4, the unknown user and the
 * complaint, are words of 2's block since 0.2.0; 7, the random temporary
 * failure, is a draw of 6's stream: fewer Philox blocks to compute). */
enum rng_purpose {
    RNG_ARRIVAL = 1,      /* send-list generator: inter-arrival times */
    RNG_RECIPIENT = 2,    /* generator: a recipient's block: words 0-1 its
                             domain, 2 unknown user, 3 complaint */
    RNG_CONNECT = 5,      /* connection set-up latency */
    RNG_MESSAGE = 6,      /* an attempt: its transaction latency's draws,
                             then its random temporary failure's uniform */
    RNG_EPISODE = 8,      /* throttle episode starts */
    RNG_EPISODE_LEN = 9,  /* throttle episode duration */
    RNG_BLOCK = 10,       /* provider block decisions */
    RNG_SIZE = 11,        /* message size */
    RNG_REPLICATION = 12, /* deriving replication seeds */
    RNG_DATA = 13         /* a provider's whole-message reply to DATA */
};

/* Philox4x64-10's rounds; the key of round i is (seed, replication) plus
 * i times Philox's Weyl constants (W64_0, W64_1). */
#define RNG_ROUNDS 10

struct rng {
    uint64_t seed;
    uint64_t replication;
    gsl_rng *r;
    /* the keys of the rounds, computed once by rng_init (the key is
     * fixed per run, so no draw bumps it again) */
    uint64_t round_key[RNG_ROUNDS][2];
};

extern const gsl_rng_type *rng_philox;

void rng_init(struct rng *g, uint64_t seed, uint64_t replication);
void rng_release(struct rng *g);

/* The hot draws below are inline (forced: Philox's ten rounds are past
 * the compiler's size limit): the callers' purpose and attempt are
 * usually constants, so the compiler folds Philox's first round, and
 * words nobody reads are never computed. */
#define RNG_INLINE static inline __attribute__((always_inline))

/* rng_round - one Philox4x64 round (Random123's, with its multipliers
 * and its mulhilo64) under the round's key k. */
RNG_INLINE void rng_round(philox4x64_ctr_t *c, const uint64_t k[2])
{
    uint64_t hi0, hi1;
    uint64_t lo0 = mulhilo64(PHILOX_M4x64_0, c->v[0], &hi0);
    uint64_t lo1 = mulhilo64(PHILOX_M4x64_1, c->v[2], &hi1);
    philox4x64_ctr_t o = { { hi1 ^ c->v[1] ^ k[0], lo1, hi0 ^ c->v[3] ^ k[1],
                             lo0 } };
    *c = o;
}

/* rng_philox_block - philox4x64(ctr, (seed, replication)) to the bit,
 * from g's precomputed round keys (tests/test_engine.c compares the
 * two). */
RNG_INLINE philox4x64_ctr_t rng_philox_block(const struct rng *g,
                                             philox4x64_ctr_t c)
{
    _Static_assert(RNG_ROUNDS == 10 && philox4x64_rounds == 10,
                   "rng_philox_block unrolls Philox4x64-10");
    rng_round(&c, g->round_key[0]);
    rng_round(&c, g->round_key[1]);
    rng_round(&c, g->round_key[2]);
    rng_round(&c, g->round_key[3]);
    rng_round(&c, g->round_key[4]);
    rng_round(&c, g->round_key[5]);
    rng_round(&c, g->round_key[6]);
    rng_round(&c, g->round_key[7]);
    rng_round(&c, g->round_key[8]);
    rng_round(&c, g->round_key[9]);
    return c;
}

/* rng_block - block 0 of stream (purpose, entity, attempt): the 256 bits
 * that rng_at(...) starts from, without touching g's gsl_rng. */
RNG_INLINE philox4x64_ctr_t rng_block(const struct rng *g,
                                      enum rng_purpose purpose, uint64_t entity,
                                      uint64_t attempt)
{
    philox4x64_ctr_t ctr = { { (uint64_t)purpose, entity, attempt, 0 } };
    return rng_philox_block(g, ctr);
}

/* The state of rng_philox's gsl_rng: a stream is the blocks (purpose,
 * entity, attempt, 0), (..., 1), ... of Philox under the key, handed out
 * word by word. Here, not in rng.c, because rng_at is inline. */
struct philox_state {
    const struct rng *g; /* set by rng_at: its round keys; NULL: use key */
    philox4x64_key_t key;
    philox4x64_ctr_t ctr; /* the next block's counter */
    philox4x64_ctr_t out; /* the current block */
    int used;             /* 32-bit words of out already returned (0..8) */
};

/* rng_at - position the stream for (purpose, entity, attempt) and return
 * the gsl_rng to draw from; successive draws walk through that stream.
 * Inline, so a positioning on the hot path (a latency's Gaussian) folds
 * its constant purpose into Philox's first round and skips a call. */
RNG_INLINE gsl_rng *rng_at(struct rng *g, enum rng_purpose purpose,
                           uint64_t entity, uint64_t attempt)
{
    struct philox_state *s = g->r->state;
    s->out = rng_block(g, purpose, entity, attempt);
    s->g = g;
    s->key.v[0] = g->seed;
    s->key.v[1] = g->replication;
    s->ctr.v[0] = (uint64_t)purpose;
    s->ctr.v[1] = entity;
    s->ctr.v[2] = attempt;
    s->ctr.v[3] = 1;
    s->used = 0;
    return g->r;
}

/* rng_u01 - the top 53 bits of word w as a double in [0, 1): what the
 * generator's get_double (gsl_rng_uniform) returns for that word. Block
 * word i is the (i+1)-th gsl_rng_uniform of a freshly positioned stream. */
static inline double rng_u01(uint64_t w)
{
    return (double)(w >> 11) * (1.0 / 9007199254740992.0);
}

/* rng_uniform - the first U[0,1) of stream (purpose, entity, attempt). */
RNG_INLINE double rng_uniform(const struct rng *g, enum rng_purpose purpose,
                              uint64_t entity, uint64_t attempt)
{
    return rng_u01(rng_block(g, purpose, entity, attempt).v[0]);
}

/* rng_exponential - the first exponential draw of mean mu of stream
 * (purpose, entity, attempt): gsl_ran_exponential(rng_at(...), mu) to the
 * bit (-mu log1p(-U), GSL's formula), without positioning g's gsl_rng. */
RNG_INLINE double rng_exponential(const struct rng *g, enum rng_purpose purpose,
                                  uint64_t entity, uint64_t attempt, double mu)
{
    return -mu * log1p(-rng_uniform(g, purpose, entity, attempt));
}

/* rng_discrete - gsl_ran_discrete(r, t) for the r whose next
 * gsl_rng_uniform is u, without the calls through r: GSL 2.x builds the
 * table t with Knuth's convention (cell c = floor(u K) keeps c when u is
 * below its cut F[c], else gives its alias A[c]). tests/test_engine.c
 * checks it against gsl_ran_discrete. */
static inline size_t rng_discrete(const gsl_ran_discrete_t *t, double u)
{
    size_t c = (size_t)(u * (double)t->K);
    return u < t->F[c] ? c : t->A[c];
}

/* rng_hash64 - a 64-bit hash of a string, for entities named by text
 * (domains, IPs, streams): FNV-1a then a splitmix64 finaliser. */
uint64_t rng_hash64(const char *s);

#endif
