/* mta_conn.c - connections and transactions of the PowerMTA model.
 *
 * A queue opens a connection while it has ready recipients and every limit
 * that applies has room: the queue's max-smtp-out (backoff-max-smtp-out in
 * backoff), the VMTA's and pool's max-smtp-out, total-max-smtp-out (where
 * queue-priority decides who gets a freed slot), smtp-out-rampup-interval,
 * max-connect-rate, the per-source-IP limits (docs/delivery.md),
 * mx-connection-limit and ip-connection-limit (per source IP and MX host or
 * destination IP, over all queues). A connection goes to an MX host of
 * the most preferred level not skipped and one of its addresses, in turn.
 * It runs transactions back to back (a transaction carries the
 * recipients of one message and domain, up to max-rcpt-per-message and the
 * message-rate allowance, each answered by the provider at RCPT, then the
 * message at DATA), each within the message rate
 * limits (§2.4), up to max-msg-per-connection, until it has no mail, the
 * provider drops it, skip-mx (or a 421 under smtp-421-means-mx-unavailable)
 * moves on to the next MX, or max-errors-per-connection is reached (§2.5).
 * Every reply, 2xx too, goes through the queue's smtp-pattern-list, first
 * match wins (§2.8). docs/delivery.md describes each rule. */
#include "mta/mta_int.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double secs(int64_t us)
{
    return (double)us / MTA_US;
}

/* ------------------------------------------------------------ provider */

static void remote_connect(struct mta *m, const struct mta_queue *q,
                           struct mta_conn *c, int64_t now_us)
{
    const struct mta_provider *p = m->opt.provider;
    if (p)
        p->connect(p->ctx, q->prov, c->wip, secs(now_us), c->id, &c->reply);
    else
        prov_connect(m->world, q->target, c->wip, secs(now_us), m->g, c->id,
                     &c->reply);
}

static void remote_disconnect(struct mta *m, const struct mta_queue *q,
                              const struct mta_conn *c, int64_t now_us)
{
    const struct mta_provider *p = m->opt.provider;
    if (p)
        p->disconnect(p->ctx, q->prov, c->wip, secs(now_us));
    else
        prov_disconnect(m->world, q->target, c->wip, secs(now_us));
}

/* remote_data - the reply to DATA for the message whose first recipient
 * is r, into *out. */
static void remote_data(struct mta *m, const struct mta_queue *q,
                        const struct mta_conn *c, const struct prov_rcpt *r,
                        int64_t now_us, struct prov_reply *out)
{
    const struct mta_provider *p = m->opt.provider;
    if (p && p->data)
        p->data(p->ctx, q->prov, c->wip, secs(now_us), r, c->n_rcpt, out);
    else if (p)
        *out = (struct prov_reply){ .outcome = PROV_ACCEPT,
                                    .code = 250,
                                    .text = "250 2.0.0 ok" };
    else
        prov_data(m->world, q->target, c->wip, secs(now_us), m->g, r, out);
}

static void remote_transact(struct mta *m, const struct mta_queue *q,
                            struct mta_conn *c, const struct prov_rcpt *r,
                            int64_t now_us)
{
    const struct mta_provider *p = m->opt.provider;
    if (p)
        p->transact(p->ctx, q->prov, c->wip, secs(now_us), r, c->msgs,
                    &c->reply);
    else
        prov_transact(m->world, q->target, c->wip, secs(now_us), m->g, r,
                      c->msgs, &c->reply);
}

/* pools_full - 1 when a pool of the VMTA is at its max-smtp-out. */
static int pools_full(const struct mta *m, const struct mta_vmta *mv)
{
    for (size_t i = 0; i < mv->n_pools; i++) {
        const struct mta_pool *p = &m->pools[mv->pools[i]];
        if (p->conns >= p->max_out)
            return 1;
    }
    return 0;
}

static void pools_count(struct mta *m, const struct mta_vmta *mv, int delta)
{
    for (size_t i = 0; i < mv->n_pools; i++)
        m->pools[mv->pools[i]].conns += (uint32_t)delta;
}

/* ------------------------------------------------------------ MX hosts */

/* by_ip - a per-world-IP counter in *arr (of *n), grown to hold wip. */
static uint32_t *by_ip(uint32_t **arr, size_t *n, int wip)
{
    if ((size_t)wip >= *n) {
        size_t k = (size_t)wip + 8;
        *arr = xreallocarray(*arr, k, sizeof(**arr));
        memset(*arr + *n, 0, (k - *n) * sizeof(**arr));
        *n = k;
    }
    return &(*arr)[wip];
}

/* mx_conns - the connections from world IP wip to MX host x. */
static uint32_t *mx_conns(struct mta *m, uint32_t x, int wip)
{
    return by_ip(&m->mx[x].conns, &m->mx[x].n_ips, wip);
}

/* dip_conns - the connections from world IP wip to destination IP d. */
static uint32_t *dip_conns(struct mta *m, uint32_t d, int wip)
{
    return by_ip(&m->dips[d].conns, &m->dips[d].n_ips, wip);
}

/* mx_level - the MX hosts q may connect to now: the most preferred one
 * not skipped (skip-mx moves on, UG5 §3.3.15) and the hosts after it of
 * the same preference, which share the connections round robin (as
 * smtp-hosts spreads over the hosts of one preference level, UG5
 * §3.3.10.90). Returns how many, the first at q->mx[*first]. */
static uint32_t mx_level(const struct mta *m, const struct mta_queue *q,
                         uint32_t *first)
{
    *first = 0;
    if (q->n_mx == 1)
        return 1; /* one MX host: nothing to look up */
    uint32_t b = mta_wrap(q->mx_skipped, q->n_mx), n = 1;
    int pref = m->mx[q->mx[b]].pref;
    while (b + n < q->n_mx && m->mx[q->mx[b + n]].pref == pref)
        n++;
    *first = b;
    return n;
}

/* mx_full - whether mx-connection-limit (UG5 §3.3.1.48.1: per source IP
 * and MX host, across every queue) keeps wip from one more connection to
 * MX host x. */
static int mx_full(struct mta *m, uint32_t x, int wip)
{
    return m->mx_limited && !isinf(m->mx[x].limit) &&
           *mx_conns(m, x, wip) >= m->mx[x].limit;
}

/* dip_pick - the destination IP of host x a new connection from wip
 * uses: the host's addresses in turn, one per connection, skipping those
 * at their ip-connection-limit (per source IP and destination IP, across
 * every queue). MTA_NIL with *full set when every one is at its limit;
 * MTA_NIL alone when the model lists no address. */
static uint32_t dip_pick(struct mta *m, uint32_t x, int wip, int *full)
{
    const struct mta_mx *h = &m->mx[x];
    *full = 0;
    for (uint32_t k = 0; k < h->n_dips; k++) {
        uint32_t d = h->dips[mta_wrap(h->rr_dip + k, h->n_dips)];
        if (m->ip_limited && !isinf(m->dips[d].limit) &&
            *dip_conns(m, d, wip) >= m->dips[d].limit)
            continue;
        return d;
    }
    *full = h->n_dips > 0;
    return MTA_NIL;
}

/* host_pick - the MX host (mta.mx index) and destination IP (*dip) a new
 * connection of q from world IP wip uses: the hosts of the current
 * preference level in turn, skipping those whose mx-connection-limit or
 * every address's ip-connection-limit is reached (MTA_NIL: all are). */
static uint32_t host_pick(struct mta *m, const struct mta_queue *q, int wip,
                          uint32_t *dip)
{
    uint32_t first, n = mx_level(m, q, &first);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t x = q->n_mx == 1 ? q->mx_only
                                  : q->mx[first + mta_wrap(q->mx_rr + k, n)];
        int full;
        if (mx_full(m, x, wip))
            continue;
        *dip = dip_pick(m, x, wip, &full);
        if (!full)
            return x;
    }
    *dip = MTA_NIL;
    return MTA_NIL;
}

/* host_take - a connection of q opens to host x at address dip: the next
 * one goes to the following host of the level and address of the host. */
static void host_take(struct mta *m, struct mta_queue *q, uint32_t x,
                      uint32_t dip)
{
    uint32_t first, n = mx_level(m, q, &first);
    for (uint32_t k = 0; k < n && q->n_mx > 1; k++)
        if (q->mx[first + k] == x)
            q->mx_rr = k + 1;
    if (q->n_mx == 1)
        q->mx_rr = 1;
    struct mta_mx *h = &m->mx[x];
    for (uint32_t k = 0; k < h->n_dips; k++)
        if (h->dips[k] == dip)
            h->rr_dip = k + 1;
}

/* ------------------------------------------------------------ lifecycle */

/* A field added to struct mta_conn changes its size: this stops the build
 * until conn_alloc resets the new field too (the size on LP64). */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct mta_conn) == 144,
               "struct mta_conn changed: reset the new field in conn_alloc");
#endif

static uint32_t conn_alloc(struct mta *m)
{
    uint32_t ci;
    if (m->conn_free != MTA_NIL) {
        ci = m->conn_free;
        m->conn_free = m->conns[ci].next_free;
    } else {
        XGROW(m->conns, m->n_conns, m->cap_conns);
        ci = m->n_conns++;
        m->conns[ci].gen = 0;
        m->conns[ci].more = NULL;
        m->conns[ci].cap_more = 0;
    }
    struct mta_conn *c = &m->conns[ci];
    /* Field by field, not a memset: a connection is opened for nearly
     * every recipient when connection-idle-timeout is 0, and gcc makes a
     * 144-byte clear a string instruction with a slow start. The
     * generation and the reply buffer (more, cap_more) survive reuse. */
    c->queue = 0;
    c->mx = 0;
    c->ip = 0;
    c->wip = 0;
    c->msgs = 0;
    c->errors = 0;
    c->rcpt = MTA_NIL;
    c->n_rcpt = 0;
    c->state = MTA_C_FREE;
    c->next_free = MTA_NIL;
    c->id = m->conn_serial++;
    c->reply = (struct prov_reply){ 0 };
    c->accepted = 0;
    c->woken = 0;
    c->host = MTA_NIL;
    c->dip = MTA_NIL;
    c->data_text = NULL;
    c->data_counted = 0;
    return ci;
}

/* lat_us - a drawn latency in microseconds, saturated at a day: a heavy
 * tail must not overflow the clock (a day is beyond any SMTP timeout). */
static int64_t lat_us(double latency_s)
{
    /* fmax(x, 0) and fmin(x, day) as comparisons (libm calls otherwise,
     * twice per recipient): a NaN gives 0 as fmax does. */
    double s = latency_s > 0 ? latency_s : 0;
    double us = (s < 86400.0 ? s : 86400.0) * MTA_US;
    /* llround for 0 <= us < 2^53 without the libm call: the fraction
     * us - trunc(us) is exact there, so halves round up as llround's do */
    int64_t whole = (int64_t)us;
    return whole + (us - (double)whole >= 0.5);
}

/* conn_schedule - the connection's one pending event; older ones go stale. */
static void conn_schedule(struct mta *m, uint32_t ci, int64_t t_us,
                          enum mta_event kind)
{
    EVQ_PUSH(m->q, t_us, kind, ++m->conns[ci].gen, ci);
}

static void idle_remove(struct mta *m, struct mta_queue *q, uint32_t ci)
{
    for (uint32_t *p = &q->idle_head; *p != MTA_NIL;
         p = &m->conns[*p].next_free)
        if (*p == ci) {
            *p = m->conns[ci].next_free;
            return;
        }
}

/* mta_conn_pass_slot - a shared connection slot (VMTA, pool or total
 * max-smtp-out) came free: the waiting queue of highest queue-priority
 * (UG5 §3.3.10.15) gets it. One queue per slot, not all of them: with
 * thousands of queues waiting, waking every one on every close made runs
 * quadratic. A woken queue that cannot use the slot passes it on
 * (mta_q_service). */
void mta_conn_pass_slot(struct mta *m, int64_t now_us)
{
    if (m->n_waiters == 0)
        return;
    size_t best = 0;
    for (size_t i = 1; i < m->n_waiters; i++)
        if (m->queues[m->waiters[i]].c.priority >
            m->queues[m->waiters[best]].c.priority)
            best = i;
    struct mta_queue *q = &m->queues[m->waiters[best]];
    m->waiters[best] = m->waiters[--m->n_waiters];
    q->waiting_slot = 0;
    q->holds_slot = 1;
    mta_q_schedule(m, q, now_us);
}

static void conn_close(struct mta *m, uint32_t ci, int64_t now_us)
{
    struct mta_conn *c = &m->conns[ci];
    struct mta_queue *q = &m->queues[c->queue];
    struct mta_vmta *mv = &m->vmtas[q->vmta];
    if (c->accepted)
        remote_disconnect(m, q, c, now_us);
    if (c->state == MTA_C_IDLE)
        idle_remove(m, q, ci);
    if (c->state == MTA_C_WAITING)
        q->rate_waiters--;
    q->conns--;
    q->ip_conns[c->ip]--;
    if (c->mx != MTA_NIL) /* only limited hosts are counted */
        (*mx_conns(m, c->mx, c->wip))--;
    if (c->dip != MTA_NIL && !isinf(m->dips[c->dip].limit))
        (*dip_conns(m, c->dip, c->wip))--;
    mv->conns--;
    pools_count(m, mv, -1);
    m->total_conns--;
    c->state = MTA_C_FREE;
    c->gen++;
    c->next_free = m->conn_free;
    m->conn_free = ci;
    mta_conn_pass_slot(m, now_us);
    if (mta_ready_live(q) > 0)
        mta_q_schedule(m, q, now_us);
}

/* ---------------------------------------------------------- source IPs */

/* sip_limit - source-ip-max-smtp-out for this IP (most specific CIDR). */
static double sip_limit(const struct mta *m, const struct mta_queue *q, int ip)
{
    const struct cfg_vmta *v = cfg_model_vmta(m->cfg, (size_t)q->vmta);
    double limit = INFINITY;
    int best = -1;
    for (size_t i = 0; i < q->c.n_sip_out; i++)
        if (cfgv_cidr_contains(&q->c.sip_out[i].net, &v->ips[ip].ip) &&
            q->c.sip_out[i].net.prefix > best) {
            best = q->c.sip_out[i].net.prefix;
            limit = q->c.sip_out[i].count;
        }
    return limit;
}

/* ip_ready_at - when source IP ip may take a new connection for q: its
 * source-ip-max-connect-rate, and a message slot within the wait a
 * connection accepts (source-ip-max-msg-rate). */
static int64_t ip_ready_at(const struct mta_queue *q, int ip, int64_t now_us)
{
    int64_t t = now_us;
    if (q->ip_conn_rl)
        t = mta_rate_next(&q->ip_conn_rl[ip], now_us, 1);
    if (q->ip_msg_rl) {
        int64_t tm = mta_rate_next(&q->ip_msg_rl[ip], now_us, 1);
        if (tm - now_us > MTA_RATE_WAIT_US && tm > t)
            t = tm;
    }
    return t;
}

/* pick_ip - round robin over the VMTA's source IPs that are enabled for
 * this queue and under their per-IP limits; -1 when none is. *all_disabled
 * tells the caller whether every IP is disabled, *mx_blocked whether an
 * mx- or ip-connection-limit kept one out (a closing connection frees
 * it); *host and *dip get the MX host and address the connection uses. */
static int pick_ip(struct mta *m, struct mta_queue *q, int64_t now_us,
                   int *all_disabled, int64_t *ip_wake, int *mx_blocked,
                   uint32_t *host, uint32_t *dip)
{
    size_t n = m->vmtas[q->vmta].n_ips;
    *all_disabled = 1;
    *mx_blocked = 0;
    for (size_t k = 0; k < n; k++) {
        int ip = (int)mta_wrap(q->rr_ip + (uint32_t)k, (uint32_t)n);
        if (q->n_disabled && q->ip_disabled_until[ip])
            continue; /* (the count first: the array is a cache miss) */
        *all_disabled = 0;
        if (q->c.n_sip_out && q->ip_conns[ip] >= sip_limit(m, q, ip))
            continue;
        *host = host_pick(m, q, m->vmtas[q->vmta].wip[ip], dip);
        if (*host == MTA_NIL) {
            *mx_blocked = 1;
            continue;
        }
        int64_t t = ip_ready_at(q, ip, now_us);
        if (t > now_us) {
            if (t < *ip_wake)
                *ip_wake = t;
            continue;
        }
        q->rr_ip = (uint32_t)(ip + 1);
        return ip;
    }
    return -1;
}

/* ------------------------------------------------------------ opening */

static void add_waiter(struct mta *m, struct mta_queue *q)
{
    if (q->waiting_slot)
        return;
    q->waiting_slot = 1;
    XGROW(m->waiters, m->n_waiters, m->cap_waiters);
    m->waiters[m->n_waiters++] = (uint32_t)(q - m->queues);
}

/* next_msg_slot - when a new connection of q would get its message slot,
 * after the ones its open connections will take (every message rate). */
static int64_t next_msg_slot(const struct mta *m, const struct mta_queue *q,
                             int64_t now_us)
{
    const struct mta_vmta *mv = &m->vmtas[q->vmta];
    uint32_t k = q->conns - q->in_flight;
    int64_t tm = mta_rate_next_nth(&q->msg_rl[q->mode], now_us, k);
    int64_t tv = mta_rate_next_nth(&mv->msg_rl, now_us, k);
    int64_t slot = tm > tv ? tm : tv;
    for (size_t i = 0; i < mv->n_pools; i++) {
        int64_t tp =
            mta_rate_next_nth(&m->pools[mv->pools[i]].msg_rl, now_us, k);
        if (tp > slot)
            slot = tp;
    }
    return slot;
}

/* open_blocked - 1 when a limit keeps q from opening now; *wake gets the
 * time it lifts when that is known (else a freed slot will wake q). */
static int open_blocked(struct mta *m, struct mta_queue *q, int64_t now_us,
                        int64_t *wake)
{
    int mode = q->mode;
    struct mta_vmta *mv = &m->vmtas[q->vmta];
    if (q->conns - q->in_flight >= mta_ready_live(q))
        return 1; /* the idle and connecting ones can take the mail */
    if (q->conns >= q->c.max_smtp_out[mode])
        return 1;
    if (mv->conns >= mv->max_out || pools_full(m, mv) ||
        m->total_conns >= m->total_max) {
        add_waiter(m, q);
        return 1;
    }
    int64_t t = now_us;
    if (q->open_block_until > t)
        t = q->open_block_until;
    if (q->conns > 0 && q->c.rampup_us > 0 &&
        q->last_open_us + (int64_t)q->c.rampup_us > t)
        t = q->last_open_us + (int64_t)q->c.rampup_us;
    int64_t tc =
        q->conn_limited ? mta_rate_next(&q->conn_rl[mode], now_us, 1) : now_us;
    if (tc > t)
        t = tc;
    /* The message slot this connection would get, after the ones the
     * connections already open will take: open it only if that slot is
     * near (it then waits for it), else wake when it comes. */
    int64_t slot = q->paced[mode] ? next_msg_slot(m, q, now_us) : now_us;
    if (slot - now_us > MTA_RATE_WAIT_US && slot > t)
        t = slot;
    if (t > now_us) {
        if (t < *wake)
            *wake = t;
        return 1;
    }
    return 0;
}

static void count_open(struct mta *m, struct mta_queue *q, int ip,
                       int64_t now_us)
{
    struct mta_vmta *mv = &m->vmtas[q->vmta];
    q->conns++;
    q->ip_conns[ip]++;
    mv->conns++;
    pools_count(m, mv, 1);
    m->total_conns++;
    q->last_open_us = now_us;
    if (q->conn_limited) { /* (the limiters are out of the hot lines) */
        mta_rate_take(&q->conn_rl[0], now_us, 1);
        mta_rate_take(&q->conn_rl[1], now_us, 1);
    }
    if (q->ip_conn_rl)
        mta_rate_take(&q->ip_conn_rl[ip], now_us, 1);
}

int mta_conn_try_open(struct mta *m, uint32_t qi, int64_t now_us,
                      int64_t *wake_us)
{
    struct mta_queue *q = &m->queues[qi];
    if (open_blocked(m, q, now_us, wake_us))
        return 0;
    int all_disabled, mx_blocked;
    int64_t ip_wake = MTA_NEVER;
    uint32_t host = MTA_NIL, dip = MTA_NIL;
    int ip = pick_ip(m, q, now_us, &all_disabled, &ip_wake, &mx_blocked, &host,
                     &dip);
    if (ip < 0) {
        if (mx_blocked)
            add_waiter(m, q);
        if (all_disabled && q->c.backoff_upon_all_disabled)
            mta_enter_backoff(m, q, now_us, q->c.backoff_to_normal_us,
                              "all source IPs disabled");
        if (ip_wake < *wake_us)
            *wake_us = ip_wake; /* a per-IP rate lifts then */
        return 0;
    }
    uint32_t ci = conn_alloc(m);
    q = &m->queues[qi];
    struct mta_conn *c = &m->conns[ci];
    c->queue = qi;
    c->ip = ip;
    c->wip = m->vmtas[q->vmta].wip[ip];
    host_take(m, q, host, dip);
    c->host = host;
    c->dip = q->c.discard ? MTA_NIL : dip;
    c->mx = m->mx_limited && !isinf(m->mx[host].limit) ? host : MTA_NIL;
    if (c->mx != MTA_NIL)
        (*mx_conns(m, c->mx, c->wip))++;
    if (c->dip != MTA_NIL && !isinf(m->dips[c->dip].limit))
        (*dip_conns(m, c->dip, c->wip))++;
    c->state = MTA_C_CONNECTING;
    count_open(m, q, ip, now_us);
    if (q->c.discard) { /* type discard talks to no one (UG5 §3.3.10.52) */
        c->reply = (struct prov_reply){ .outcome = PROV_ACCEPT,
                                        .code = 220,
                                        .text = "220 discard" };
        c->accepted = 0;
    } else if (m->mx[host].refuse) { /* the model's host that is down */
        const char *text = m->mx[host].refuse;
        int code = atoi(text);
        c->reply = (struct prov_reply){ .outcome = code >= 500 ? PROV_REJECT
                                                               : PROV_DEFER,
                                        .reason = PROV_CONN_LIMIT,
                                        .code = code,
                                        .text = text,
                                        .closes = 1 };
        c->accepted = 0;
    } else {
        remote_connect(m, q, c, now_us);
        c->accepted = c->reply.outcome == PROV_ACCEPT;
    }
    int64_t lat = lat_us(c->reply.latency_s);
    conn_schedule(m, ci, now_us + lat, MTA_EV_CONN_OPENED);
    return 1;
}

/* ------------------------------------------------------- pattern rules */

static void disable_source(struct mta *m, struct mta_queue *q, int ip,
                           double after_us, int64_t now_us)
{
    q->ip_disabled_until[ip] =
        after_us < 0 ? MTA_NEVER : now_us + (int64_t)after_us;
    q->n_disabled++;
    obs_event(m->obs, now_us, q->name, "source-ip-disabled",
              prov_world_ip(m->world, m->vmtas[q->vmta].wip[ip]));
    mta_q_schedule(m, q, q->ip_disabled_until[ip]);
    for (size_t i = 0; i < m->vmtas[q->vmta].n_ips; i++)
        if (q->ip_disabled_until[i] == 0)
            return;
    obs_event(m->obs, now_us, q->name, "all-sources-disabled",
              "All SMTP sources for the queue are now disabled");
    if (q->c.backoff_upon_all_disabled)
        mta_enter_backoff(m, q, now_us, q->c.backoff_to_normal_us,
                          "all source IPs disabled");
}

/* apply_rule - the queue-wide actions of a matched rule; bounce-rcpt and
 * skip-mx concern the recipient and are left to the caller. */
static void apply_rule(struct mta *m, struct mta_queue *q, int ip,
                       const struct cfg_spl_rule *rule, const char *text,
                       int64_t now_us)
{
    if (rule == NULL)
        return;
    uint32_t qi = (uint32_t)(q - m->queues);
    if (rule->mode == CFG_SPL_MODE_BACKOFF) {
        char why[512];
        snprintf(why, sizeof(why), "/%s/ matched \"%s\"", rule->regex, text);
        double after = rule->backoff_to_normal_after_s >= 0
                           ? rule->backoff_to_normal_after_s * MTA_US
                           : q->c.backoff_to_normal_us;
        mta_enter_backoff(m, q, now_us, after, why);
        q = &m->queues[qi]; /* a backoff reroute may have made queues */
    } else if (rule->mode == CFG_SPL_MODE_NORMAL) {
        mta_exit_backoff(m, q, now_us, "mode=normal rule matched");
    }
    if (rule->disable_source_ip && ip >= 0 && !q->ip_disabled_until[ip])
        disable_source(m, q, ip,
                       rule->reenable_after_s >= 0
                           ? rule->reenable_after_s * MTA_US
                           : q->c.reenable_us,
                       now_us);
    q = &m->queues[qi];
    if (rule->bounce_queue)
        mta_bounce_queue(m, q, now_us, text, 1);
    if (rule->defer_queue && !q->in_retry)
        mta_enter_retry(m, q, now_us, "defer-queue rule matched");
}

/* ------------------------------------------------------ conn events */

/* working_connections - accepted connections of queue qi. */
static uint32_t working_connections(const struct mta *m, uint32_t qi)
{
    const struct mta_queue *q = &m->queues[qi];
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->n_conns && n < q->conns; i++)
        n += m->conns[i].queue == qi && m->conns[i].accepted &&
             m->conns[i].state != MTA_C_FREE;
    return n;
}

/* hold_opening - an extra connection was refused while others work: the
 * queue keeps them and opens no more for its first retry-after interval.
 * Retry mode for the whole queue would stop connections the provider
 * accepts (an assumption: PowerMTA does not document the case). */
static void hold_opening(struct mta *m, struct mta_queue *q, int64_t now_us,
                         const char *why)
{
    size_t n = q->c.n_retry_after[q->mode];
    double after_s = n ? q->c.retry_after[q->mode][0] : 600;
    int64_t until = now_us + (int64_t)(after_s * MTA_US);
    if (until > q->open_block_until)
        q->open_block_until = until;
    char detail[400];
    snprintf(detail, sizeof(detail), "no new connections for %.0f s: %s",
             after_s, why);
    obs_event(m->obs, now_us, q->name, "connection-refused", detail);
    mta_q_schedule(m, q, until);
}

/* dip_text - the destination IP of connection c as text, or NULL. */
static const char *dip_text(const struct mta *m, const struct mta_conn *c)
{
    return c->dip != MTA_NIL ? m->dips[c->dip].text : NULL;
}

/* on_opened - the provider's answer to a connection attempt. A refusal is
 * a queue-level failure: retry mode, and the whole queue bounces on a 5xx
 * greeting when bounce-upon-5xx-greeting is on (UG5 §3.3.10.62). */
static void on_opened(struct mta *m, uint32_t ci, int64_t now_us)
{
    struct mta_conn *c = &m->conns[ci];
    struct mta_queue *q = &m->queues[c->queue];
    if (c->reply.outcome == PROV_ACCEPT) {
        c->state = MTA_C_BUSY;
        /* the greeting goes through the pattern list too (UG5 §3.3.15) */
        apply_rule(m, q, c->ip, mta_match(q, c->reply.text), c->reply.text,
                   now_us);
        mta_conn_next(m, ci, now_us);
        return;
    }
    const char *text = c->reply.text;
    obs_conn_failure(m->obs, (int)c->queue, q->prov, text, now_us);
    m->acct_dip = dip_text(m, c);
    mta_acct_tq(m, q, c->ip, text, now_us);
    m->acct_dip = NULL;
    const struct cfg_spl_rule *rule = mta_match(q, text);
    apply_rule(m, q, c->ip, rule, text, now_us);
    c = &m->conns[ci];
    q = &m->queues[c->queue];
    int skip = rule && rule->skip_mx;
    if ((skip || (c->reply.code == 421 && q->c.mx421_unavailable)) &&
        ++q->mx_skipped < q->n_mx) {
        /* skip-mx, or a 421 that means the MX is unavailable: the next MX
         * at once (UG5 §3.3.15, §3.3.10.59) */
        c->state = MTA_C_BUSY;
        conn_close(m, ci, now_us);
        return;
    }
    if (skip || (c->reply.code == 421 && q->c.mx421_unavailable))
        q->mx_skipped = 0; /* every MX given up: the queue's failure */
    if (c->reply.outcome == PROV_REJECT && q->c.bounce_upon_5xx_greeting &&
        !skip)
        mta_bounce_queue(m, q, now_us, text, 0);
    else if (working_connections(m, c->queue) > 0)
        hold_opening(m, q, now_us, text);
    else if (!q->in_retry)
        mta_enter_retry(m, q, now_us, text);
    c->state = MTA_C_BUSY;
    conn_close(m, ci, now_us);
}

/* must_close - limits that end a connection between transactions. */
static int must_close(struct mta *m, const struct mta_conn *c,
                      const struct mta_queue *q)
{
    if (q->in_retry)
        return 1;
    if (q->c.max_msg_per_conn > 0 && c->msgs >= q->c.max_msg_per_conn)
        return 1;
    if (c->errors >= q->c.max_errors_per_conn)
        return 1;
    if (q->conns > q->c.max_smtp_out[q->mode])
        return 1; /* backoff lowered the limit */
    if (m->total_conns < m->total_max || !q->c.allow_interruption)
        return 0;
    for (size_t i = 0; i < m->n_waiters; i++)
        if (m->queues[m->waiters[i]].c.priority > q->c.priority)
            return 1; /* give way to a higher queue-priority */
    return 0;
}

/* go_idle - no mail for this connection: wait connection-idle-timeout for
 * new mail, or close now (the default timeout is 0). */
static void go_idle(struct mta *m, uint32_t ci, int64_t now_us)
{
    struct mta_conn *c = &m->conns[ci];
    struct mta_queue *q = &m->queues[c->queue];
    if (q->c.idle_timeout_us <= 0) {
        conn_close(m, ci, now_us);
        return;
    }
    c->state = MTA_C_IDLE;
    c->next_free = q->idle_head;
    q->idle_head = ci;
    conn_schedule(m, ci, now_us + (int64_t)q->c.idle_timeout_us,
                  MTA_EV_CONN_WAKE);
}

/* rate_wait - the time the next message may go, or now, for a connection
 * that has k others waiting for a slot before it. */
static int64_t rate_wait(struct mta *m, const struct mta_queue *q, int ip,
                         int64_t now_us, uint32_t size, uint32_t k)
{
    if (!q->paced[q->mode])
        return now_us;
    const struct mta_vmta *mv = &m->vmtas[q->vmta];
    int64_t t[6] = {
        mta_rate_next_nth(&q->msg_rl[q->mode], now_us, k),
        mta_rate_next_nth(&mv->msg_rl, now_us, k),
        mta_rate_next(&q->data_rl[q->mode], now_us, size),
        mta_rate_next(&mv->data_rl, now_us, size),
        q->ip_msg_rl ? mta_rate_next(&q->ip_msg_rl[ip], now_us, 1) : now_us,
        q->ip_data_rl ? mta_rate_next(&q->ip_data_rl[ip], now_us, size)
                      : now_us,
    };
    int64_t most = now_us;
    for (int i = 0; i < 6; i++)
        if (t[i] > most)
            most = t[i];
    for (size_t i = 0; i < mv->n_pools; i++) {
        const struct mta_pool *p = &m->pools[mv->pools[i]];
        int64_t tp = mta_rate_next_nth(&p->msg_rl, now_us, k);
        int64_t td = mta_rate_next(&p->data_rl, now_us, size);
        most = tp > most ? tp : most;
        most = td > most ? td : most;
    }
    return most;
}

/* same_message - whether the ready head of q continues the message of
 * recipient ri (same tag, same domain), for one transaction. */
static int same_message(const struct mta *m, const struct mta_queue *q,
                        uint32_t ri)
{
    uint32_t h = mta_ready_head(q);
    if (h == MTA_NIL)
        return 0;
    const struct mta_rcpt *a = &m->r[ri], *b = &m->r[h];
    return !(b->flags & MTA_R_DEAD) && b->msg_tag == a->msg_tag &&
           b->domain == a->domain;
}

/* rate_room - whether limiter r lets a (k+1)-th recipient go now. */
static int rate_room(const struct mta_rate *r, int64_t now_us, uint32_t k)
{
    return mta_rate_next_nth(r, now_us, k) <= now_us;
}

/* msg_room - whether every message-rate limit of q's transaction on
 * source IP ip lets a (k+1)-th recipient go now: max-msg-rate, the VMTA's
 * and pool's max-smtp-msg-rate and source-ip-max-msg-rate count attempted
 * recipients, not messages (UG5 §3.3.10.33, docs/delivery.md), so a
 * message's further recipients wait for the next transaction when the
 * allowance is used up. */
static int msg_room(const struct mta *m, const struct mta_queue *q, int ip,
                    int64_t now_us, uint32_t k)
{
    if (!q->paced[q->mode])
        return 1;
    const struct mta_vmta *mv = &m->vmtas[q->vmta];
    if (!rate_room(&q->msg_rl[q->mode], now_us, k) ||
        !rate_room(&mv->msg_rl, now_us, k) ||
        (q->ip_msg_rl && !rate_room(&q->ip_msg_rl[ip], now_us, k)))
        return 0;
    for (size_t i = 0; i < mv->n_pools; i++)
        if (!rate_room(&m->pools[mv->pools[i]].msg_rl, now_us, k))
            return 0;
    return 1;
}

/* take_message - the ready head and the recipients of its message that
 * follow it, up to max-rcpt-per-message (UG5 §3.3.10.74; 0: no limit) and
 * the message-rate allowance, chained through next from c->rcpt. */
static void take_message(struct mta *m, struct mta_conn *c, struct mta_queue *q,
                         int64_t now_us)
{
    uint32_t ri = mta_ready_pop_live(m, q), tail = ri;
    double limit = q->c.max_rcpt_per_msg;
    c->rcpt = ri;
    c->n_rcpt = 1;
    m->r[ri].next = MTA_NIL;
    while (m->r[ri].msg_tag && (limit <= 0 || c->n_rcpt < limit) &&
           same_message(m, q, ri) && msg_room(m, q, c->ip, now_us, c->n_rcpt)) {
        uint32_t nx = mta_ready_pop_live(m, q);
        m->r[tail].next = nx;
        m->r[nx].next = MTA_NIL;
        tail = nx;
        c->n_rcpt++;
    }
}

static struct prov_rcpt prov_rcpt_of(const struct mta_rcpt *r)
{
    return (struct prov_rcpt){ r->id, r->attempts, r->flags & MTA_R_INVALID,
                               (r->flags & MTA_R_COMPLAINS) != 0, r->size };
}

/* ask_one - the reply to recipient r into c->reply. */
static void ask_one(struct mta *m, struct mta_conn *c,
                    const struct mta_queue *q, struct mta_rcpt *r,
                    int64_t now_us)
{
    if (q->c.discard) {
        c->reply = (struct prov_reply){ .outcome = PROV_ACCEPT,
                                        .code = 250,
                                        .text = "250 discarded (type "
                                                "discard)" };
    } else {
        struct prov_rcpt pr = prov_rcpt_of(r);
        remote_transact(m, q, c, &pr, now_us);
    }
    r->attempts++;
}

/* refuse_at_data - a 4xx/5xx reply to DATA stands for every recipient the
 * RCPT replies accepted (RFC 5321 §3.3: one reply for the whole message;
 * the ones refused at RCPT keep their own reply). */
static void refuse_at_data(struct prov_reply *rep, const struct prov_reply *d)
{
    if (rep->outcome != PROV_ACCEPT)
        return;
    double latency = rep->latency_s;
    *rep = *d;
    rep->latency_s = latency;
}

/* ask_data - DATA, once a recipient of the transaction was accepted: the
 * provider's whole-message reply (UG5 §3.3.15 matches it like any other). */
static void ask_data(struct mta *m, struct mta_conn *c,
                     const struct mta_queue *q, int64_t now_us)
{
    int any = c->reply.outcome == PROV_ACCEPT;
    for (uint32_t k = 0; k + 1 < c->n_rcpt && !any; k++)
        any = c->more[k].outcome == PROV_ACCEPT;
    if (!any || q->c.discard)
        return;
    struct mta_rcpt *r = &m->r[c->rcpt];
    struct prov_rcpt pr = prov_rcpt_of(r);
    pr.attempt = r->attempts - 1u; /* the attempt being made */
    struct prov_reply d;
    remote_data(m, q, c, &pr, now_us, &d);
    if (d.outcome == PROV_ACCEPT)
        return;
    c->data_text = d.text;
    refuse_at_data(&c->reply, &d);
    for (uint32_t k = 0; k + 1 < c->n_rcpt; k++)
        refuse_at_data(&c->more[k], &d);
}

/* ask_provider - the reply to each recipient of the transaction (RCPT),
 * then to the message (DATA): the first in c->reply, the others in
 * c->more; the transaction lasts as long as the slowest. */
static void ask_provider(struct mta *m, struct mta_conn *c,
                         const struct mta_queue *q, int64_t now_us)
{
    c->data_text = NULL;
    c->data_counted = 0;
    if (c->n_rcpt > 1 && c->cap_more < c->n_rcpt - 1) {
        c->cap_more = c->n_rcpt - 1;
        c->more = xreallocarray(c->more, c->cap_more, sizeof(*c->more));
    }
    if (c->n_rcpt == 1) { /* the usual case */
        struct mta_rcpt *r = &m->r[c->rcpt];
        ask_one(m, c, q, r, now_us);
        ask_data(m, c, q, now_us);
        return;
    }
    struct prov_reply first;
    double latency = 0;
    uint32_t k = 0;
    for (uint32_t ri = c->rcpt; ri != MTA_NIL; ri = m->r[ri].next, k++) {
        ask_one(m, c, q, &m->r[ri], now_us);
        if (c->reply.latency_s > latency)
            latency = c->reply.latency_s;
        if (k == 0)
            first = c->reply;
        else
            c->more[k - 1] = c->reply;
    }
    c->reply = first;
    c->reply.latency_s = latency;
    ask_data(m, c, q, now_us);
}

/* take_msg_rates - one attempted recipient from every message rate. */
static void take_msg_rates(struct mta *m, struct mta_queue *q, int ip,
                           int64_t now_us)
{
    const struct mta_vmta *mv = &m->vmtas[q->vmta];
    mta_rate_take(&q->msg_rl[0], now_us, 1);
    mta_rate_take(&q->msg_rl[1], now_us, 1);
    mta_rate_take(&m->vmtas[q->vmta].msg_rl, now_us, 1);
    for (size_t i = 0; i < mv->n_pools; i++)
        mta_rate_take(&m->pools[mv->pools[i]].msg_rl, now_us, 1);
    if (q->ip_msg_rl)
        mta_rate_take(&q->ip_msg_rl[ip], now_us, 1);
}

/* start_transaction - send the ready head (and the rest of its message)
 * on connection ci. Message rates count each recipient. */
static void start_transaction(struct mta *m, uint32_t ci, int64_t now_us)
{
    struct mta_conn *c = &m->conns[ci];
    struct mta_queue *q = &m->queues[c->queue];
    take_message(m, c, q, now_us);
    for (uint32_t k = 0; k < c->n_rcpt; k++)
        take_msg_rates(m, q, c->ip, now_us);
    for (uint32_t ri = c->rcpt; ri != MTA_NIL; ri = m->r[ri].next) {
        obs_attempt(m->obs, (int)c->queue, q->prov, m->r[ri].stream, now_us);
        m->r[ri].flags |= MTA_R_IN_FLIGHT;
        q->in_flight++;
    }
    c->state = MTA_C_BUSY;
    ask_provider(m, c, q, now_us);
    int64_t lat = lat_us(c->reply.latency_s);
    conn_schedule(m, ci, now_us + lat, MTA_EV_TXN_DONE);
}

void mta_conn_next(struct mta *m, uint32_t ci, int64_t now_us)
{
    struct mta_conn *c = &m->conns[ci];
    struct mta_queue *q = &m->queues[c->queue];
    if (must_close(m, c, q)) {
        conn_close(m, ci, now_us);
        return;
    }
    mta_expire_heads(m, c->queue, now_us);
    if (mta_ready_live(q) == 0) {
        go_idle(m, ci, now_us);
        return;
    }
    uint32_t ahead = c->woken ? 0 : q->rate_waiters;
    c->woken = 0;
    int64_t t =
        rate_wait(m, q, c->ip, now_us, m->r[mta_ready_head(q)].size, ahead);
    if (t > now_us) {
        /* Wait for a slot that is near; PowerMTA does not document this,
         * we close a connection that would wait more than a minute. */
        if (t - now_us <= MTA_RATE_WAIT_US) {
            q->rate_waiters++;
            c->state = MTA_C_WAITING;
            conn_schedule(m, ci, t, MTA_EV_CONN_WAKE);
        } else {
            q->open_block_until = t; /* no reopening before then */
            conn_close(m, ci, now_us);
            mta_q_schedule(m, q, t);
        }
        return;
    }
    start_transaction(m, ci, now_us);
}

void mta_conn_kick_idle(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    while (q->idle_head != MTA_NIL && mta_ready_live(q) > 0) {
        uint32_t ci = q->idle_head;
        q->idle_head = m->conns[ci].next_free;
        m->conns[ci].state = MTA_C_BUSY;
        mta_conn_next(m, ci, now_us);
        q = &m->queues[qi];
    }
}

/* --------------------------------------------------- transaction done */

static void take_bytes(struct mta *m, struct mta_queue *q, uint32_t size,
                       int ip, int64_t now_us);

/* delivered - ri was accepted; bytes: the message's first delivered
 * recipient, whose data the volume rates count (once per message). */
static void delivered(struct mta *m, struct mta_queue *q, uint32_t ri, int ip,
                      int bytes, int64_t now_us)
{
    struct mta_rcpt *r = &m->r[ri];
    mta_acct(m, "d", q, ri, ip, NULL, now_us);
    uint32_t qi = (uint32_t)(q - m->queues);
    obs_delivered(m->obs, (int)qi, q->prov, r->stream, now_us,
                  secs(now_us - r->enq_us));
    if (bytes)
        take_bytes(m, q, r->size, ip, now_us);
    q->last_delivery_us = now_us;
    q->retry_step = 0;
    q->mx_skipped = 0;
    if (q->mode == MTA_BACKOFF && q->c.backoff_to_normal_after_delivery)
        mta_exit_backoff(m, q, now_us, "backoff-to-normal-after-delivery");
    mta_rcpt_free(m, ri, now_us);
}

/* take_bytes - a delivered message's size from every volume rate. */
static void take_bytes(struct mta *m, struct mta_queue *q, uint32_t size,
                       int ip, int64_t now_us)
{
    if (q->data_limited) {
        mta_rate_take(&q->data_rl[0], now_us, size);
        mta_rate_take(&q->data_rl[1], now_us, size);
    }
    const struct mta_vmta *mv = &m->vmtas[q->vmta];
    mta_rate_take(&m->vmtas[q->vmta].data_rl, now_us, size);
    for (size_t i = 0; i < mv->n_pools; i++)
        mta_rate_take(&m->pools[mv->pools[i]].data_rl, now_us, size);
    if (q->ip_data_rl)
        mta_rate_take(&q->ip_data_rl[ip], now_us, size);
}

/* deferred - a 4xx: the recipient waits retry-recipients-after (UG5
 * §3.3.10.41), with an exact expiry timer (bounce-after, §3.3.10.11). */
static void deferred(struct mta *m, struct mta_queue *q, uint32_t ri, int ip,
                     const char *text, int64_t now_us)
{
    struct mta_rcpt *r = &m->r[ri];
    mta_acct(m, "t", q, ri, ip, text, now_us);
    uint32_t qi = (uint32_t)(q - m->queues);
    obs_deferred(m->obs, (int)qi, q->prov, r->stream, text, now_us);
    if (mta_expired_now(m, qi, ri, now_us))
        return;
    r->due_us =
        now_us + (int64_t)(q->c.retry_rcpt_us > 0 ? q->c.retry_rcpt_us : 0);
    r->flags |= MTA_R_IN_RETRY;
    mta_fifo_push(m, &q->retry, ri);
    mta_rcpt_defer_timer(m, qi, ri);
    mta_q_schedule(m, q, r->due_us);
}

/* next_mx - skip-mx (UG5 §3.3.15), or a 421 with
 * smtp-421-means-mx-unavailable yes (§3.3.10.59): this MX is given up and
 * the recipient stays first in line for the next one, without waiting
 * retry-recipients-after, even after a 5xx. When every MX of the domain
 * has been skipped in a row, the queue goes into retry mode. */
static void next_mx(struct mta *m, struct mta_queue *q, uint32_t ri, int ip,
                    const char *text, int64_t now_us)
{
    uint32_t qi = (uint32_t)(q - m->queues);
    mta_acct(m, "t", q, ri, ip, text, now_us);
    obs_deferred(m->obs, (int)qi, q->prov, m->r[ri].stream, text, now_us);
    if (mta_expired_now(m, qi, ri, now_us))
        return;
    mta_ready_push(m, q, ri, 1);
    if (++q->mx_skipped < q->n_mx)
        return;
    q->mx_skipped = 0;
    if (!q->in_retry) {
        char why[400];
        snprintf(why, sizeof(why), "every MX skipped: %s", text);
        mta_enter_retry(m, q, now_us, why);
    }
}

static void bounced(struct mta *m, struct mta_queue *q, uint32_t ri, int ip,
                    const char *diag_type, const char *text, int64_t now_us)
{
    mta_acct_x(m, "b", q, ri, ip, diag_type, diag_type ? "bounce-queue" : text,
               now_us);
    uint32_t qi = (uint32_t)(q - m->queues);
    obs_bounced(m->obs, (int)qi, q->prov, m->r[ri].stream, text, now_us);
    mta_rcpt_free(m, ri, now_us);
}

/* rcpt_reply - whether a reply code is one RCPT TO can get (RFC 5321
 * §4.3.2: 450, 451, 452, 455; 421 is a session reply, §3.8), for
 * bounce-rcpt, which acts on 4xx replies to RCPT only (UG5 §3.3.15). */
static int rcpt_reply(int code)
{
    return code >= 450 && code <= 459;
}

/* provider_dropped - the remote side ended the session. A 421 does not by
 * itself: PowerMTA resets and reuses the connection unless
 * smtp-421-means-mx-unavailable (UG5 §3.3.10.59), so only a model's
 * genuine drop (its per-connection message cap) closes after a 421. */
static int provider_dropped(const struct prov_reply *rep)
{
    if (!rep->closes)
        return 0;
    return rep->code != 421 || rep->reason == PROV_MSG_CAP;
}

/* on_failure - a 4xx/5xx to a transaction: the rule's queue actions, then
 * what becomes of the recipient. Returns 1 when the connection must close. */
static int on_failure(struct mta *m, struct mta_conn *c, uint32_t ri,
                      const struct cfg_spl_rule *rule, int64_t now_us)
{
    const struct prov_reply *rep = &c->reply;
    struct mta_queue *q = &m->queues[c->queue];
    int at_data = c->data_text && rep->text == c->data_text;
    if (!at_data || !c->data_counted)
        c->errors++; /* a refused DATA is one error, not one per recipient */
    c->data_counted |= at_data;
    apply_rule(m, q, c->ip, rule, rep->text, now_us);
    q = &m->queues[c->queue];
    int mx_down =
        (rule && rule->skip_mx) || (rep->code == 421 && q->c.mx421_unavailable);
    if (rule && rule->bounce_queue) /* the trigger goes with the queue */
        bounced(m, q, ri, c->ip, "x-pmta", rep->text, now_us);
    else if (rule && rule->bounce_rcpt && rep->outcome == PROV_DEFER &&
             !at_data && rcpt_reply(rep->code))
        bounced(m, q, ri, c->ip, NULL, rep->text, now_us);
    else if (mx_down)
        next_mx(m, q, ri, c->ip, rep->text, now_us);
    else if (rep->outcome == PROV_DEFER)
        deferred(m, q, ri, c->ip, rep->text, now_us);
    else
        bounced(m, q, ri, c->ip, NULL, rep->text, now_us);
    return mx_down || provider_dropped(rep);
}

/* on_txn_done - every reply, 2xx too, goes through the queue's
 * smtp-pattern-list (UG5 §3.3.15 matches replies, not only failures);
 * each recipient of the transaction gets its own reply. */
static void on_txn_done(struct mta *m, uint32_t ci, int64_t now_us)
{
    struct mta_conn *c = &m->conns[ci];
    uint32_t ri = c->rcpt, n = c->n_rcpt;
    c->rcpt = MTA_NIL;
    c->msgs++;
    int close = 0, bytes = 1;
    m->acct_dip = dip_text(m, c);
    for (uint32_t k = 0; k < n; k++) {
        c = &m->conns[ci];
        struct mta_queue *q = &m->queues[c->queue];
        uint32_t next = m->r[ri].next;
        if (k > 0)
            c->reply = c->more[k - 1];
        q->in_flight--;
        m->r[ri].flags &= (uint8_t)~MTA_R_IN_FLIGHT;
        const struct cfg_spl_rule *rule = mta_match(q, c->reply.text);
        if (c->reply.outcome == PROV_ACCEPT) {
            delivered(m, q, ri, c->ip, bytes, now_us);
            bytes = 0;
            apply_rule(m, q, c->ip, rule, c->reply.text, now_us);
        } else {
            close |= on_failure(m, c, ri, rule, now_us);
        }
        ri = next;
    }
    m->acct_dip = NULL;
    if (close)
        conn_close(m, ci, now_us);
    else
        mta_conn_next(m, ci, now_us);
}

void mta_conn_event(struct mta *m, const struct evq_event *ev)
{
    uint32_t ci = (uint32_t)ev->id;
    struct mta_conn *c = &m->conns[ci];
    if (ev->gen != c->gen || c->state == MTA_C_FREE)
        return;
    switch (ev->kind) {
    case MTA_EV_CONN_OPENED:
        on_opened(m, ci, ev->t_us);
        break;
    case MTA_EV_TXN_DONE:
        on_txn_done(m, ci, ev->t_us);
        break;
    case MTA_EV_CONN_WAKE:
        if (c->state == MTA_C_IDLE) {
            conn_close(m, ci, ev->t_us); /* connection-idle-timeout */
        } else {
            if (c->state == MTA_C_WAITING) {
                m->queues[c->queue].rate_waiters--;
                c->woken = 1;
            }
            c->state = MTA_C_BUSY;
            mta_conn_next(m, ci, ev->t_us);
        }
        break;
    default:
        break;
    }
}
