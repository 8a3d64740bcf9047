/* mta_int.h - the MTA model's insides, shared by mta.c (injection, queues,
 * modes) and mta_conn.c (connections and transactions). */
#ifndef MTA_INT_H
#define MTA_INT_H

#include "mta/mta.h"
#include "mta/mta_deadline.h"
#include "report/obs.h"

#define MTA_NIL   UINT32_MAX
#define MTA_NEVER INT64_MAX
#define MTA_US    1000000.0

/* How long a connection waits for the queue's rate limit before it is
 * closed instead (an assumption: PowerMTA does not document it). */
#define MTA_RATE_WAIT_US (60 * 1000000LL)

enum { MTA_NORMAL = 0, MTA_BACKOFF = 1 };

/* A reroute target: VMTA indices are >= 0, pools are encoded below -1. */
#define MTA_NO_ROUTE     (-1)
#define MTA_POOL(p)      (-2 - (p))
#define MTA_REROUTE_HOPS 8 /* reroutes followed in a row at most */

enum mta_rflags {
    MTA_R_INVALID = 1,
    MTA_R_COMPLAINS = 2,
    MTA_R_IN_RETRY = 4,  /* in the retry FIFO (else ready or in flight) */
    MTA_R_IN_FLIGHT = 8, /* in a transaction */
    MTA_R_DEAD = 16,     /* expired while queued: a tombstone in its FIFO */
    MTA_R_TIMED = 32     /* has its deadline in mta.expiry */
};

/* One queued recipient: 48 bytes (checked by a static assertion), kept in a
 * slab and linked in FIFOs. */
/* Distinct recipient domains a run may have (24 bits of a recipient). */
#define MTA_MAX_DOMAINS (1u << 24)

struct mta_rcpt {
    int64_t enq_us;
    int64_t due_us; /* awaiting retry: when it may go again */
    uint64_t id;
    uint32_t next;
    uint32_t queue;
    uint32_t domain : 24; /* < MTA_MAX_DOMAINS */
    uint32_t pool : 8;    /* pool it was chosen from + 1 (vmtaPool); 0: none,
                             or a pool past the 254th, whose name is not kept */
    uint32_t size;
    uint16_t stream;
    uint16_t attempts;
    uint8_t flags;
    uint8_t prio;     /* recipient-priority, 0..100 */
    uint16_t msg_tag; /* 0: a message of its own; else recipients next to
                         each other with the same tag are one message */
};

/* n counts tombstones (recipients that expired in place) too; dead says
 * how many: the live count is n - dead. */
struct mta_fifo {
    uint32_t head, tail, n, dead;
};

/* The ready recipients of a queue: one FIFO per recipient-priority in use
 * (UG5 §3.3.14), highest first, FIFO within a priority; nearly always one
 * lane (50). n and dead total the lanes. */
struct mta_lane {
    struct mta_fifo f;
    int prio;
};
struct mta_ready {
    struct mta_lane *lanes;
    uint32_t n_lanes, cap;
    uint32_t n, dead;
    /* The lanes while there is one (cap 0): kept inline, so a queue's
     * ready recipients cost no second cache line; lanes points here, and
     * mta.c points it again when the queue array moves. */
    struct mta_lane lane0;
};

/* The settings a queue uses, copied from cfg_qsettings ([0] normal,
 * [1] backoff where PowerMTA has a backoff-* twin). Those read for nearly
 * every recipient come first, so they share a cache line or two. */
struct mta_qconf {
    double max_smtp_out[2];
    double bounce_after_us, retry_rcpt_us;
    double max_msg_per_conn, max_errors_per_conn;
    double max_rcpt_per_msg; /* 0 or infinite: no limit */
    double rampup_us, idle_timeout_us;
    const struct cfg_spl *spl;
    size_t n_cold_per_day;
    /* reroute-to-virtual-mta [0] and backoff-reroute-to-virtual-mta [1]
     * (UG5 §3.3.10.50-51): a VMTA index, MTA_POOL(p) for pool p, or
     * MTA_NO_ROUTE. */
    int reroute[2];
    int discard; /* type discard: delivered at once */
    int retry_upon_new_mail;
    int backoff_to_normal_after_delivery;
    int priority, allow_interruption;
    int mx421_unavailable; /* smtp-421-means-mx-unavailable */
    size_t n_sip_out;
    /* the rest: read when a limit, a failure or a mode change needs it */
    const double *cold_per_day;
    struct cfgv_rate msg_rate[2], conn_rate[2], data_rate[2];
    const double *retry_after[2];
    size_t n_retry_after[2];
    double backoff_to_normal_us; /* < 0: never */
    int backoff_upon_all_disabled;
    double reenable_us; /* < 0: never */
    int bounce_upon_5xx_greeting;
    const struct cfg_cidr_value *sip_out;
    const struct cfg_cidr_value *sip_msg, *sip_conn, *sip_data;
    size_t n_sip_msg, n_sip_conn, n_sip_data;
};

#define MTA_REPLY_CACHE 8

/* A queue: the fields nearly every recipient reads or writes come first
 * (a run with thousands of long-tail queues takes a cache miss for each
 * line of a queue it touches), then its settings, then the rest. */
struct mta_queue {
    struct mta_ready ready;
    struct mta_fifo retry;
    uint32_t in_flight;
    int mode;
    int in_retry;
    uint32_t conns;        /* open or connecting */
    uint32_t rate_waiters; /* connections waiting for a rate slot */
    uint32_t idle_head;    /* connections idling for new mail */
    uint32_t n_disabled;   /* source IPs disabled now */
    uint32_t rr_ip;
    uint32_t n_mx, mx_skipped; /* MX hosts of the domain; skipped in a row */
    uint32_t mx_rr;   /* round robin over MX hosts of equal preference */
    uint32_t mx_only; /* mx[0], for the usual queue with one MX host */
    int vmta;
    int prov;         /* provider model, for reports */
    int target;       /* its state group (prov_world_target): the long tail's
                         domains each answer on their own */
    int paced[2];     /* some message or volume rate applies (per mode) */
    int conn_limited; /* a connect rate applies (either mode) */
    int data_limited; /* a data-volume rate applies (either mode) */
    int waiting_slot; /* in mta.waiters: blocked by a shared connection limit */
    int holds_slot;   /* woken for a freed shared slot: use it or pass it on */
    uint32_t wake_gen;
    uint32_t retry_step;
    int64_t wake_us;
    int64_t backoff_until;
    int64_t retry_until;
    int64_t last_open_us;
    int64_t open_block_until; /* no new connection before (a rate wait, a
                                 refused extra connection) */
    int64_t last_delivery_us;
    uint64_t max_depth;
    uint32_t *mx; /* the MX hosts (mta.mx indices), preferred first;
                     mx_skipped picks the one in use */
    uint32_t *ip_conns;
    int64_t *ip_disabled_until; /* per source IP of the VMTA */
    /* source-ip-max-msg-rate, -connect-rate, -data-volume-rate per source
     * IP of the VMTA (NULL when the queue sets none). */
    struct mta_rate *ip_msg_rl, *ip_conn_rl, *ip_data_rl;
    uint32_t rc_n;
    const char *rc_text[MTA_REPLY_CACHE];
    const struct cfg_spl_rule *rc_rule[MTA_REPLY_CACHE];
    struct mta_qconf c;
    const char *name; /* "domain/vmta" */
    int64_t backoff_since;
    double backoff_total_s;
    uint32_t backoff_entries;
    /* As a cold VMTA's queue: mail taken today (cold_day, a UTC day
     * number) and the day it took its first (the ramp's day 1). */
    int64_t cold_day, cold_first_day;
    double cold_used;
    struct mta_rate msg_rl[2], conn_rl[2], data_rl[2];
};

enum mta_cstate {
    MTA_C_FREE,
    MTA_C_CONNECTING,
    MTA_C_IDLE,
    MTA_C_BUSY,
    MTA_C_WAITING
};

/* A connection. conn_alloc resets each field by name: a new field needs a
 * line there. */
struct mta_conn {
    uint32_t queue;
    uint32_t mx; /* the MX host (mta.mx index) counted in its
                    mx-connection-limit, or MTA_NIL */
    int ip;      /* index in the VMTA's source IPs */
    int wip;     /* provider-world IP index */
    uint32_t msgs, errors;
    uint32_t rcpt;   /* in the current transaction, or MTA_NIL; more
                        recipients of its message follow through next */
    uint32_t n_rcpt; /* recipients in the current transaction */
    uint32_t gen;
    enum mta_cstate state;
    uint32_t next_free; /* free list, or the queue's idle list */
    uint64_t id;
    struct prov_reply reply; /* pending answer of the scheduled event */
    struct prov_reply *more; /* the replies to recipients 2.. of a
                                multi-recipient transaction */
    uint32_t cap_more;
    int accepted;  /* the provider accepted the connection */
    int woken;     /* its rate slot has come: first in line */
    uint32_t host; /* the MX host it talks to (mta.mx index), or MTA_NIL */
    uint32_t dip;  /* the destination IP (mta.dips index), or MTA_NIL */
    const char *data_text; /* the transaction's refusal at DATA, or NULL */
    int data_counted;      /* ... counted once in max-errors-per-connection */
};

struct mta_vmta {
    uint32_t conns;
    double max_out;
    struct mta_rate msg_rl;
    struct mta_rate data_rl; /* max-smtp-data-volume-rate, bytes */
    int *wip;                /* provider-world IP of each source IP */
    size_t n_ips;
    uint32_t rr_cold;
    int *pools; /* every <virtual-mta-pool> listing this VMTA */
    size_t n_pools;
};

/* A pool's own limits (UG5 §3.3.13) cover the traffic of all its member
 * VMTAs together (docs/delivery.md). */
struct mta_pool {
    uint32_t conns;
    double max_out;
    uint32_t rr, rr_cold;
    struct mta_rate msg_rl;
    struct mta_rate data_rl;
};

struct mta_domain {
    const char *name;
    int prov;
};

/* An MX host: its mx-connection-limit (UG5 §3.3.1.48.1) and connections
 * to it from each provider-world source IP, over every queue using it. */
struct mta_mx {
    const char *name;
    double limit;
    uint32_t *conns; /* by world IP */
    size_t n_ips;
    int pref;           /* MX preference: lower is tried first */
    uint32_t *dips;     /* its destination IPs (mta.dips indices) */
    uint32_t n_dips;    /* 0: the model lists none */
    uint32_t rr_dip;    /* round robin over them, per connection */
    const char *refuse; /* the model's answer to every connection, or NULL */
};

/* A destination IP of an MX host: its ip-connection-limit (UG5
 * §3.3.1.48.2, the most specific CIDR holding it) and connections to it
 * from each provider-world source IP, over every queue and MX host. */
struct mta_dip {
    const char *text;
    double limit;
    uint32_t *conns; /* by world IP */
    size_t n_ips;
};

/* A string -> index hash table (open addressing, linear probing). */
struct mta_map {
    const char **keys;
    uint32_t *vals;
    size_t cap, n;
};

struct mta {
    const struct cfg_model *cfg;
    struct prov_world *world;
    struct rng *g;
    struct evq *q;
    struct obs *obs;
    struct mta_options opt;
    struct mta_rcpt *r;
    uint32_t r_cap, r_used, r_free;
    size_t live, peak_live;
    struct mta_queue *queues;
    size_t n_queues, cap_queues;
    struct mta_map queue_map;
    struct mta_conn *conns;
    uint32_t n_conns, cap_conns, conn_free;
    uint64_t conn_serial;
    struct mta_domain *domains;
    size_t n_domains, cap_domains;
    struct mta_map domain_map;
    uint32_t *qmap; /* [domain * n_vmtas + vmta] -> queue, MTA_NIL until
                       used; qmap_rows domains have rows */
    size_t qmap_rows;
    uint32_t *dom_ix; /* send_rec.domain_ix -> domain, MTA_NIL until seen */
    size_t n_dom_ix;
    struct mta_vmta *vmtas;
    size_t n_vmtas;
    struct mta_pool *pools;
    size_t n_pools;
    struct mta_mx *mx;
    size_t n_mx, cap_mx;
    struct mta_map mx_map;
    int mx_limited; /* some mx-connection-limit is set */
    uint32_t total_conns;
    double total_max;
    uint32_t *waiters; /* queues waiting for a total-max-smtp-out slot */
    size_t n_waiters, cap_waiters;
    int inject_fixed; /* <source> routing is the same for every rcpt */
    int inject_vmta, inject_pool, inject_prio;
    uint64_t queued;
    double area_us; /* integral of queued over time, rcpt * us */
    int64_t area_last_us;
    struct mta_dip *dips;
    size_t n_dips, cap_dips;
    struct mta_map dip_map;
    int ip_limited;       /* some ip-connection-limit applies */
    const char *acct_dip; /* dlvDestinationIp of the records written now */
    int acct_on;          /* acct.csv is written (fixed for the run) */
    /* deferred recipients' bounce-after deadlines, and the one evq event
     * armed for the earliest (expiry_gen, at expiry_armed_us) */
    struct mta_deadlines expiry;
    uint32_t expiry_gen;
    int64_t expiry_armed_us;
};

/* mta.c */
void mta_q_schedule(struct mta *m, struct mta_queue *q, int64_t t_us);
void mta_q_service(struct mta *m, uint32_t qi, int64_t now_us);
void mta_enter_backoff(struct mta *m, struct mta_queue *q, int64_t now_us,
                       double after_us, const char *why);
void mta_exit_backoff(struct mta *m, struct mta_queue *q, int64_t now_us,
                      const char *why);
void mta_enter_retry(struct mta *m, struct mta_queue *q, int64_t now_us,
                     const char *why);
void mta_fifo_push(struct mta *m, struct mta_fifo *f, uint32_t ri);
uint32_t mta_fifo_pop(struct mta *m, struct mta_fifo *f);
void mta_rcpt_free(struct mta *m, uint32_t ri, int64_t now_us);
void mta_area_tick(struct mta *m, int64_t now_us);
/* mta_bounce_queue - bounce every queued recipient of q; by_rule: a
 * bounce-queue action (the records say "x-pmta;bounce-queue"), else the
 * reply itself (a 5xx greeting). */
void mta_bounce_queue(struct mta *m, struct mta_queue *q, int64_t now_us,
                      const char *reply, int by_rule);
const struct cfg_spl_rule *mta_match(struct mta_queue *q, const char *text);
/* mta_rcpt_expired - whether r, in queue q, is past its bounce-after. */
static inline int mta_rcpt_expired(const struct mta_queue *q,
                                   const struct mta_rcpt *r, int64_t now_us)
{
    return q->c.bounce_after_us >= 0 &&
           now_us - r->enq_us >= (int64_t)q->c.bounce_after_us;
}

/* mta_expire_heads - expire recipients at the head of the ready FIFO
 * whose bounce-after has passed (and release tombstones there); inline
 * for the usual case of a queue with nothing ready. */
void mta_expire_ready_heads(struct mta *m, uint32_t qi, int64_t now_us);
static inline void mta_expire_heads(struct mta *m, uint32_t qi, int64_t now_us)
{
    const struct mta_queue *q = &m->queues[qi];
    if (q->ready.n == 0)
        return;
    if (q->ready.n_lanes == 1 && q->ready.dead == 0) {
        /* one priority, no tombstones: only the head can be due */
        if (!mta_rcpt_expired(q, &m->r[q->ready.lanes[0].f.head], now_us))
            return;
    }
    mta_expire_ready_heads(m, qi, now_us);
}

/* mta_wrap - x mod n for the round-robin counters, which are nearly always
 * below n already: a compare instead of a division on the hot path. */
static inline uint32_t mta_wrap(uint32_t x, uint32_t n)
{
    return x < n ? x : x % n;
}

/* mta_next_of - the index *rr picks among n members, and *rr moves on;
 * *rr is kept below n, so the sequence is that of rr++ % n without a
 * division. */
static inline uint32_t mta_next_of(uint32_t *rr, uint32_t n)
{
    uint32_t at = mta_wrap(*rr, n);
    *rr = at + 1 < n ? at + 1 : 0;
    return at;
}

/* mta_live - recipients of f that are still queued (no tombstones). */
static inline uint32_t mta_live(const struct mta_fifo *f)
{
    return f->n - f->dead;
}
/* mta_ready_live - ready recipients of q (no tombstones). */
static inline uint32_t mta_ready_live(const struct mta_queue *q)
{
    return q->ready.n - q->ready.dead;
}
/* mta_ready_push - ri joins q's ready recipients of its priority, last
 * (front: first, a recipient sent on to the next MX). */
void mta_ready_push(struct mta *m, struct mta_queue *q, uint32_t ri, int front);
/* mta_ready_pop_live - the next live ready recipient (highest priority
 * first), tombstones before it released; MTA_NIL when none. */
uint32_t mta_ready_pop_live(struct mta *m, struct mta_queue *q);
/* mta_ready_head - the next ready recipient (after mta_expire_heads it is
 * live), or MTA_NIL. */
uint32_t mta_ready_head(const struct mta_queue *q);
/* mta_fifo_push_front - ri goes first (a recipient sent to the next MX). */
void mta_fifo_push_front(struct mta *m, struct mta_fifo *f, uint32_t ri);
/* mta_fifo_pop_live - the first live recipient of f; tombstones before it
 * are released. MTA_NIL when none. */
uint32_t mta_fifo_pop_live(struct mta *m, struct mta_fifo *f);
/* mta_expire_event - an MTA_EV_RCPT_EXPIRE: the deadlines that have come
 * expire their recipients in place if they are still waiting (UG5
 * §3.3.10.11: bounce-after is exact). */
void mta_expire_event(struct mta *m, const struct evq_event *ev);
/* mta_expired_now - expire ri of queue qi if its bounce-after has passed
 * (1), else 0. */
int mta_expired_now(struct mta *m, uint32_t qi, uint32_t ri, int64_t now_us);
/* mta_rcpt_defer_timer - a deferred recipient's exact expiry timer. */
void mta_rcpt_defer_timer(struct mta *m, uint32_t qi, uint32_t ri);

/* mta_acct - an accounting record ("d", "b", "t") for recipient ri of
 * queue q sent from VMTA source IP ip (-1: none), when acct.csv is on. */
void mta_acct(struct mta *m, const char *type, const struct mta_queue *q,
              uint32_t ri, int ip, const char *reply, int64_t now_us);
/* mta_acct_x - the same with the diag type ("smtp" when NULL; "x-pmta" for
 * records PowerMTA itself causes, e.g. "bounce-queue"). */
void mta_acct_x(struct mta *m, const char *type, const struct mta_queue *q,
                uint32_t ri, int ip, const char *diag_type, const char *reply,
                int64_t now_us);
/* mta_acct_tq - a queue-level failure record. */
void mta_acct_tq(struct mta *m, const struct mta_queue *q, int ip,
                 const char *reply, int64_t now_us);

/* mta_reroute_queued - the ready recipients of queue qi move to the queue
 * its reroute names (a queue entering backoff with
 * backoff-reroute-to-virtual-mta); returns how many moved. */
uint32_t mta_reroute_queued(struct mta *m, uint32_t qi, int64_t now_us);

/* mta_conn.c */
int mta_conn_try_open(struct mta *m, uint32_t qi, int64_t now_us,
                      int64_t *wake_us);
void mta_conn_next(struct mta *m, uint32_t ci, int64_t now_us);
void mta_conn_event(struct mta *m, const struct evq_event *ev);
void mta_conn_kick_idle(struct mta *m, uint32_t qi, int64_t now_us);
void mta_conn_pass_slot(struct mta *m, int64_t now_us);

#endif
