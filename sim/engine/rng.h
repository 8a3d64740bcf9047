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

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* What a draw is for. Values are part of the output: never renumber. */
enum rng_purpose {
    RNG_ARRIVAL = 1,      /* send-list generator: inter-arrival times */
    RNG_DOMAIN = 2,       /* generator: recipient domain choice */
    RNG_INVALID = 3,      /* recipient is an unknown user */
    RNG_COMPLAINT = 4,    /* recipient complains when delivered */
    RNG_CONNECT = 5,      /* connection set-up latency */
    RNG_MESSAGE = 6,      /* per-message transaction latency */
    RNG_TRANSIENT = 7,    /* random temporary failure of an attempt */
    RNG_EPISODE = 8,      /* throttle episode starts */
    RNG_EPISODE_LEN = 9,  /* throttle episode duration */
    RNG_BLOCK = 10,       /* provider block decisions */
    RNG_SIZE = 11,        /* message size */
    RNG_REPLICATION = 12, /* deriving replication seeds */
    RNG_DATA = 13         /* a provider's whole-message reply to DATA */
};

struct rng {
    uint64_t seed;
    uint64_t replication;
    gsl_rng *r;
};

extern const gsl_rng_type *rng_philox;

void rng_init(struct rng *g, uint64_t seed, uint64_t replication);
void rng_release(struct rng *g);

/* rng_at - position the stream for (purpose, entity, attempt) and return
 * the gsl_rng to draw from; successive draws walk through that stream. */
gsl_rng *rng_at(struct rng *g, enum rng_purpose purpose, uint64_t entity,
                uint64_t attempt);

/* rng_uniform - the first U[0,1) of stream (purpose, entity, attempt). */
double rng_uniform(struct rng *g, enum rng_purpose purpose, uint64_t entity,
                   uint64_t attempt);

/* rng_exponential - the first exponential draw of mean mu of stream
 * (purpose, entity, attempt): gsl_ran_exponential(rng_at(...), mu) to the
 * bit (-mu log1p(-U), GSL's formula), without positioning g's gsl_rng. */
double rng_exponential(struct rng *g, enum rng_purpose purpose, uint64_t entity,
                       uint64_t attempt, double mu);

/* rng_hash64 - a 64-bit hash of a string, for entities named by text
 * (domains, IPs, streams): FNV-1a then a splitmix64 finaliser. */
uint64_t rng_hash64(const char *s);

#endif
