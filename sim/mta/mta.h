/* mta.h - the PowerMTA delivery model: queues, connections, rate limits,
 * retries, backoff, expiry, cold VMTAs, driven by the event engine.
 *
 * It implements the delivery semantics of docs/delivery.md
 * §1.7, §2 and §8 on top of the resolved config (config/cfg_model.h) and
 * talks to provider models (provider/provider.h) for replies and latencies.
 * A queue is (queue-domain, VMTA), created on its first recipient. Pending
 * work is kept in FIFOs wherever order allows (ready recipients, recipients
 * awaiting retry); the event heap holds one timer per busy connection and
 * per timed queue (docs/design.md). Everything it observes goes to struct obs
 * (report/obs.h). Nothing here prints or reads a clock.
 *
 * Ownership: an mta borrows the config model, provider world, rng, evq and
 * obs given to mta_alloc (they must outlive it) and owns everything else. */
#ifndef MTA_H
#define MTA_H

#include "config/cfg_model.h"
#include "engine/evq.h"
#include "engine/rng.h"
#include "input/sendlist.h"
#include "mta/mta_rate.h"
#include "provider/provider.h"

#include <stddef.h>
#include <stdint.h>

struct obs;
struct mta;

/* Event kinds the MTA schedules on the shared evq (the run loop owns the
 * kinds below MTA_EV_BASE). */
enum mta_event {
    MTA_EV_BASE = 16,
    MTA_EV_CONN_OPENED = MTA_EV_BASE, /* connect latency elapsed */
    MTA_EV_TXN_DONE,                  /* a transaction finished */
    MTA_EV_CONN_WAKE,                 /* a waiting connection may go on */
    MTA_EV_QUEUE_WAKE,                /* a queue timer */
    MTA_EV_RCPT_EXPIRE                /* a deferred recipient's bounce-after */
};

/* mta_provider - the remote side the MTA talks to. NULL in mta_options
 * means the provider world's models (prov_connect, prov_disconnect,
 * prov_transact); tests plug in a script of answers. */
struct mta_provider {
    void *ctx;
    void (*connect)(void *ctx, int prov, int ip, double now_s, uint64_t conn_id,
                    struct prov_reply *out);
    void (*disconnect)(void *ctx, int prov, int ip, double now_s);
    void (*transact)(void *ctx, int prov, int ip, double now_s,
                     const struct prov_rcpt *r, uint32_t msgs_before,
                     struct prov_reply *out);
    /* the reply to DATA of a message whose first recipient is r, asked
     * when a recipient was accepted (NULL: always 250) */
    void (*data)(void *ctx, int prov, int ip, double now_s,
                 const struct prov_rcpt *r, uint32_t n_rcpt,
                 struct prov_reply *out);
};

struct mta_options {
    enum mta_rate_algo rate_algo;
    const char *source;                  /* injecting client for <source> */
    int64_t start_unix;                  /* epoch seconds of t = 0: cold
                                            VMTA days start at UTC midnight */
    const struct mta_provider *provider; /* NULL: the world's models */
};

struct mta *mta_alloc(const struct cfg_model *cfg, struct prov_world *w,
                      struct rng *g, struct evq *q, struct obs *obs,
                      const struct mta_options *o);
void mta_free(struct mta *m);

/* mta_prov_ip - the provider-world IP index of a VMTA's source IP i. The
 * run loop registers IPs first (mta_alloc does it from the config; a
 * config without source IPs uses the world's IP 0). */

/* mta_reads_rcpt - whether mta_inject looks at send_rec.rcpt (a
 * <pattern-list> in <source> routes by address); else the send list may
 * leave it NULL (sendlist_skip_rcpt). */
int mta_reads_rcpt(const struct mta *m);
/* mta_inject - a recipient from the send list arrives at now_us. */
void mta_inject(struct mta *m, const struct send_rec *r, int64_t now_us);
/* mta_handle - an event of kind >= MTA_EV_BASE popped from the evq. */
void mta_handle(struct mta *m, const struct evq_event *ev);
/* mta_snapshot - gauges of every queue (queued, ready, awaiting retry,
 * connections, mode) into the observer, at a report boundary. */
void mta_snapshot(struct mta *m, int64_t now_us);
/* mta_finish - at the end: recipients past bounce-after count as expired
 * when the run ends after their expiry; others stay queued. */
void mta_finish(struct mta *m, int64_t now_us);

/* Statistics. */
size_t mta_queue_count(const struct mta *m);
uint64_t mta_queued(const struct mta *m);
size_t mta_peak_recipients(const struct mta *m);

#endif
