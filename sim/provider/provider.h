/* provider.h - provider response models: how a mailbox provider answers
 * connections and transactions from one of our source IPs.
 *
 * One parameter set per provider, loaded from models/NAME.json; one state
 * per (provider, source IP): reputation, IP age in active days, recent
 * volume, hourly acceptance capacity (a token bucket), throttle episodes,
 * blocks and open connections (docs/providers.md). The
 * model knows nothing of PowerMTA: it sees connections and transactions
 * from an IP at a simulated time and answers with a reply and a latency.
 * Every random choice is a keyed draw (engine/rng.h), so the same recipient
 * meets the same provider luck in every configuration.
 *
 * Time is passed in (now_s, seconds from the scenario start); nothing here
 * reads a clock. Nothing here prints: load errors go to a diag_list with
 * the JSON path ("models/x.json: error: $.capacity.growth_per_day: ...").
 *
 * Ownership: a prov_world owns its models, states and reply texts. Reply
 * text pointers stay valid (and identical for the same reply) for the life
 * of the world, so callers may cache work keyed by the pointer. */
#ifndef PROVIDER_H
#define PROVIDER_H

#include "engine/rng.h"
#include "util/diag.h"

#include <stddef.h>
#include <stdint.h>

struct prov_world;

enum prov_outcome {
    PROV_ACCEPT, /* 2xx */
    PROV_DEFER,  /* 4xx: try again later */
    PROV_REJECT  /* 5xx: permanent */
};

/* Why the provider answered as it did, for reports and tests. */
enum prov_reason {
    PROV_OK,
    PROV_RATE_LIMIT,   /* beyond the hourly capacity */
    PROV_EPISODE,      /* inside a throttle episode */
    PROV_CONN_LIMIT,   /* too many connections from this IP (at connect) */
    PROV_MSG_CAP,      /* too many messages on this connection */
    PROV_UNKNOWN_USER, /* 5xx for this recipient */
    PROV_BLOCKED,      /* the IP is blocked (5xx) */
    PROV_TRANSIENT     /* random temporary failure */
};

struct prov_reply {
    enum prov_outcome outcome;
    enum prov_reason reason;
    int code;         /* 250, 421, 451, 550, ... */
    const char *text; /* the whole reply line, e.g. "421 RP-001 ..." */
    int closes;       /* the provider drops the connection after it */
    double latency_s; /* how long the exchange took */
};

/* What the provider knows of a recipient. Intrinsic properties (drawn once
 * per recipient by the send list) are the same in every configuration. */
struct prov_rcpt {
    uint64_t id;      /* recipient key for keyed draws */
    uint32_t attempt; /* 0 for the first attempt */
    int invalid;      /* unknown user: 5xx */
    int complains;    /* will complain if delivered */
    uint32_t size;    /* bytes */
};

/* A mode change or incident for events.csv. */
typedef void(prov_event_fn)(void *ctx, double now_s, const char *provider,
                            const char *ip, const char *event,
                            const char *detail);

struct prov_world *prov_world_alloc(void);
void prov_world_free(struct prov_world *w);

/* prov_world_load - add the model in path. Returns its index, or -1 with
 * errors in dl. Two models claiming the same domain is an error. */
int prov_world_load(struct prov_world *w, const char *path,
                    struct diag_list *dl);
/* prov_world_set_events - where episode and block events go (may be NULL). */
void prov_world_set_events(struct prov_world *w, prov_event_fn *fn, void *ctx);

size_t prov_world_count(const struct prov_world *w);
const char *prov_world_name(const struct prov_world *w, int prov);
/* prov_world_find - the provider serving domain (case-insensitive): the
 * model listing it in "domains", else the one whose "domains" has "*"
 * (generic.json), else -1. */
int prov_world_find(const struct prov_world *w, const char *domain);
/* prov_world_target - the state group that answers mail for domain at
 * provider prov (from prov_world_find): prov itself, except for the "*"
 * model with "tail_domains" > 1, where each domain of the long tail is
 * its own receiver (allowance, connections, reputation), up to that many;
 * further domains share those states by a hash of their name. Pass the
 * target to prov_connect, prov_disconnect, prov_transact and
 * prov_world_view; report under prov. */
int prov_world_target(struct prov_world *w, int prov, const char *domain);
/* prov_data - the provider's reply to DATA for a message whose first
 * recipient is r (a keyed draw on it) after at least one recipient was
 * accepted: 250, or the model's "data_reply" for that share of messages,
 * which then stands for every recipient of the transaction. */
void prov_data(struct prov_world *w, int prov, int ip, double now_s,
               struct rng *g, const struct prov_rcpt *r,
               struct prov_reply *out);
/* prov_world_mx - MX host names of domain at provider prov (the model's
 * "mx" list, else "mx.<domain>"), for <mx-rollup-list>; writes up to max
 * borrowed pointers (buf holds a made-up name) and returns the count. */
size_t prov_world_mx(const struct prov_world *w, int prov, const char *domain,
                     const char **mx, size_t max, char *buf, size_t n);

/* prov_world_mx_host - the MX preference of the k-th host prov_world_mx
 * gave for provider prov (its place in the list unless the model sets
 * "preference"), its destination IPs (*ips borrowed; the count is
 * returned, 0 when the model lists none) and the reply it gives every
 * connection ("refuse": a host that is down; *refuse NULL when none). */
size_t prov_world_mx_host(const struct prov_world *w, int prov, size_t k,
                          int *pref, const char *const **ips,
                          const char **refuse);

/* prov_world_add_ip - register a source IP with its starting age (active
 * days) and reputation (0..1, or < 0 for the model's default for an
 * established IP). Returns the IP index; the same IP twice returns the
 * first index. */
int prov_world_add_ip(struct prov_world *w, const char *ip, double age_days,
                      double reputation);
const char *prov_world_ip(const struct prov_world *w, int ip);
/* prov_world_set_history - the IP's recent accepted volume per day (the
 * history the capacity's history cap compares with), instead of the
 * model's default for its age; call before any traffic. */
void prov_world_set_history(struct prov_world *w, int ip, double vbar_per_day);

/* prov_connect - the provider's answer to a new connection from ip: an
 * accept (the connection then counts against max_per_ip until
 * prov_disconnect) or a refusal with the reply text. latency_s is the
 * set-up time (TCP, banner, EHLO). */
void prov_connect(struct prov_world *w, int prov, int ip, double now_s,
                  struct rng *g, uint64_t conn_id, struct prov_reply *out);
void prov_disconnect(struct prov_world *w, int prov, int ip, double now_s);
/* prov_transact - one message to one recipient on an open connection that
 * has already carried msgs_before messages. */
void prov_transact(struct prov_world *w, int prov, int ip, double now_s,
                   struct rng *g, const struct prov_rcpt *r,
                   uint32_t msgs_before, struct prov_reply *out);
/* prov_world_advance - bring every state to now_s: run the daily
 * reputation and age updates of each simulated day boundary passed. Call
 * it at least once per simulated day, in time order. */
void prov_world_advance(struct prov_world *w, double now_s);

/* Introspection for reports and tests. */
struct prov_ip_view {
    double reputation;
    double age_days;
    double capacity_per_hour; /* current, after reputation and episodes */
    int in_episode;
    int blocked;
    int open_connections;
    int max_connections; /* tolerated now; 0 = unlimited */
    /* moving average of the accepted volume per day */
    double recent_volume_per_day;
    /* messages it accepts in the whole calendar day (after reputation;
     * HUGE_VAL: no daily limit): the age ceiling, the week-1 cap and the
     * history cap as daily counts */
    double capacity_per_day;
};
void prov_world_view(const struct prov_world *w, int prov, int ip, double now_s,
                     struct prov_ip_view *v);

#endif
