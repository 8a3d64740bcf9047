/* mta.c - the PowerMTA delivery model: injection and routing, queues and
 * their modes (normal/backoff, retry), recipient FIFOs and expiry.
 *
 * Semantics follow docs/delivery.md: a queue is
 * (queue-domain, VMTA) (§1.7); the VMTA is chosen once at injection
 * (§2.2: send-list VMTA or pool, else <source> default-virtual-mta, else
 * {default}; pools round-robin; each cold VMTA takes the first N per day
 * of each domain);
 * queue-level failures put the queue in retry mode with the retry-after
 * list, recipient-level 4xx wait retry-recipients-after (§2.6); backoff
 * swaps in the backoff-* limits until backoff-to-normal-after or the
 * first delivery (§2.7). reroute-to-virtual-mta and
 * backoff-reroute-to-virtual-mta move mail to another VMTA's queue for the
 * same domain (UG5 §3.3.10.50-51; docs/delivery.md). Connections and
 * transactions are in mta_conn.c. */
#include "mta/mta_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct mta_rcpt) <= 48, "a queued recipient must stay "
                                              "within 48 bytes");

/* --------------------------------------------------------------- hashing */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void map_grow(struct mta_map *mp)
{
    size_t cap = mp->cap ? mp->cap * 2 : 64;
    const char **keys = xcalloc(cap, sizeof(*keys));
    uint32_t *vals = xcalloc(cap, sizeof(*vals));
    for (size_t i = 0; i < mp->cap; i++) {
        if (mp->keys[i] == NULL)
            continue;
        size_t k = hash_str(mp->keys[i]) & (cap - 1);
        while (keys[k])
            k = (k + 1) & (cap - 1);
        keys[k] = mp->keys[i];
        vals[k] = mp->vals[i];
    }
    free(mp->keys);
    free(mp->vals);
    mp->keys = keys;
    mp->vals = vals;
    mp->cap = cap;
}

/* map_get - the value for key, or MTA_NIL. */
static uint32_t map_get(const struct mta_map *mp, const char *key)
{
    if (mp->cap == 0)
        return MTA_NIL;
    size_t k = hash_str(key) & (mp->cap - 1);
    while (mp->keys[k]) {
        if (strcmp(mp->keys[k], key) == 0)
            return mp->vals[k];
        k = (k + 1) & (mp->cap - 1);
    }
    return MTA_NIL;
}

/* map_put - key must be new and must outlive the map. */
static void map_put(struct mta_map *mp, const char *key, uint32_t val)
{
    if (2 * (mp->n + 1) > mp->cap)
        map_grow(mp);
    size_t k = hash_str(key) & (mp->cap - 1);
    while (mp->keys[k])
        k = (k + 1) & (mp->cap - 1);
    mp->keys[k] = key;
    mp->vals[k] = val;
    mp->n++;
}

static void map_release(struct mta_map *mp)
{
    free(mp->keys);
    free(mp->vals);
    memset(mp, 0, sizeof(*mp));
}

/* ------------------------------------------------------------ recipients */

static uint32_t rcpt_alloc(struct mta *m)
{
    uint32_t ri;
    if (m->r_free != MTA_NIL) {
        ri = m->r_free;
        m->r_free = m->r[ri].next;
    } else {
        if (m->r_used == m->r_cap) {
            m->r_cap = m->r_cap ? m->r_cap * 2 : 4096;
            m->r = xreallocarray(m->r, m->r_cap, sizeof(*m->r));
        }
        ri = m->r_used++;
    }
    if (++m->live > m->peak_live)
        m->peak_live = m->live;
    return ri;
}

/* mta_area_tick - advance the time integral of the queued count, for
 * Little's law (L = lambda W) in the validation tests and mean_queued. */
void mta_area_tick(struct mta *m, int64_t now_us)
{
    m->area_us += (double)m->queued * (double)(now_us - m->area_last_us);
    m->area_last_us = now_us;
}

/* rcpt_release - the slot goes back to the free list. */
static void rcpt_release(struct mta *m, uint32_t ri)
{
    m->r[ri].flags = 0;
    m->r[ri].next = m->r_free;
    m->r_free = ri;
    m->live--;
}

/* unqueue - ri no longer counts as queued (delivered, bounced, expired). */
static void unqueue(struct mta *m, int64_t now_us)
{
    mta_area_tick(m, now_us);
    m->queued--;
}

void mta_rcpt_free(struct mta *m, uint32_t ri, int64_t now_us)
{
    unqueue(m, now_us);
    rcpt_release(m, ri);
}

void mta_fifo_push(struct mta *m, struct mta_fifo *f, uint32_t ri)
{
    m->r[ri].next = MTA_NIL;
    if (f->n++ == 0)
        f->head = ri;
    else
        m->r[f->tail].next = ri;
    f->tail = ri;
}

uint32_t mta_fifo_pop(struct mta *m, struct mta_fifo *f)
{
    if (f->n == 0)
        return MTA_NIL;
    uint32_t ri = f->head;
    f->head = m->r[ri].next;
    f->n--;
    return ri;
}

void mta_fifo_push_front(struct mta *m, struct mta_fifo *f, uint32_t ri)
{
    if (f->n == 0) {
        mta_fifo_push(m, f, ri);
        return;
    }
    m->r[ri].next = f->head;
    f->head = ri;
    f->n++;
}

uint32_t mta_fifo_pop_live(struct mta *m, struct mta_fifo *f)
{
    while (f->n) {
        uint32_t ri = mta_fifo_pop(m, f);
        if (!(m->r[ri].flags & MTA_R_DEAD))
            return ri;
        f->dead--;
        rcpt_release(m, ri);
    }
    return MTA_NIL;
}

/* ---------------------------------------------------- ready by priority */

/* ready_lane - the lane of priority prio, made (in order) when missing. */
static struct mta_lane *ready_lane(struct mta_ready *rd, int prio)
{
    if (rd->n_lanes && rd->lanes[0].prio == prio)
        return &rd->lanes[0]; /* the usual case: one lane */
    if (rd->n_lanes == 0) {   /* the first: inline */
        memset(&rd->lane0, 0, sizeof(rd->lane0));
        rd->lane0.prio = prio;
        rd->lanes = &rd->lane0;
        rd->n_lanes = 1;
        return &rd->lane0;
    }
    uint32_t i = 0;
    while (i < rd->n_lanes && rd->lanes[i].prio > prio)
        i++;
    if (i < rd->n_lanes && rd->lanes[i].prio == prio)
        return &rd->lanes[i];
    if (rd->cap == 0) { /* a second priority: the lanes go to the heap */
        rd->cap = 4;
        rd->lanes = xreallocarray(NULL, rd->cap, sizeof(*rd->lanes));
        rd->lanes[0] = rd->lane0;
    }
    XGROW(rd->lanes, rd->n_lanes, rd->cap);
    memmove(&rd->lanes[i + 1], &rd->lanes[i],
            (rd->n_lanes - i) * sizeof(*rd->lanes));
    rd->n_lanes++;
    memset(&rd->lanes[i], 0, sizeof(rd->lanes[i]));
    rd->lanes[i].prio = prio;
    return &rd->lanes[i];
}

void mta_ready_push(struct mta *m, struct mta_queue *q, uint32_t ri, int front)
{
    struct mta_lane *l = ready_lane(&q->ready, m->r[ri].prio);
    if (front)
        mta_fifo_push_front(m, &l->f, ri);
    else
        mta_fifo_push(m, &l->f, ri);
    q->ready.n++;
}

uint32_t mta_ready_pop_live(struct mta *m, struct mta_queue *q)
{
    struct mta_ready *rd = &q->ready;
    for (uint32_t i = 0; i < rd->n_lanes && rd->n; i++) {
        struct mta_fifo *f = &rd->lanes[i].f;
        uint32_t n0 = f->n, d0 = f->dead;
        uint32_t ri = mta_fifo_pop_live(m, f);
        rd->n -= n0 - f->n;
        rd->dead -= d0 - f->dead;
        if (ri != MTA_NIL)
            return ri;
    }
    return MTA_NIL;
}

uint32_t mta_ready_head(const struct mta_queue *q)
{
    for (uint32_t i = 0; i < q->ready.n_lanes; i++)
        if (q->ready.lanes[i].f.n)
            return q->ready.lanes[i].f.head;
    return MTA_NIL;
}

/* ----------------------------------------------------------- queue setup */

static double s_num(const struct cfg_qsettings *s, enum cfg_qid q)
{
    return s->v[q].num;
}

/* An interval longer than this (31,700 years) behaves as this one: it is
 * beyond any run, and now_us plus it still fits in an int64. */
#define MTA_MAX_INTERVAL_S 1e12

static double s_us(const struct cfg_qsettings *s, enum cfg_qid q)
{
    double x = s->v[q].num;
    return isinf(x) ? -1 : fmin(x, MTA_MAX_INTERVAL_S) * MTA_US;
}

/* qconf_fill - the settings one queue uses, from the resolved config. */
static void qconf_fill(struct mta_qconf *c, const struct cfg_qsettings *s)
{
    c->max_smtp_out[0] = s_num(s, CFG_Q_MAX_SMTP_OUT);
    c->max_smtp_out[1] = s_num(s, CFG_Q_BACKOFF_MAX_SMTP_OUT);
    c->msg_rate[0] = s->v[CFG_Q_MAX_MSG_RATE].rate;
    c->msg_rate[1] = s->v[CFG_Q_BACKOFF_MAX_MSG_RATE].rate;
    c->conn_rate[0] = s->v[CFG_Q_MAX_CONNECT_RATE].rate;
    c->conn_rate[1] = s->v[CFG_Q_BACKOFF_MAX_CONNECT_RATE].rate;
    c->data_rate[0] = s->v[CFG_Q_MAX_DATA_VOLUME_RATE].rate;
    c->data_rate[1] = s->v[CFG_Q_BACKOFF_MAX_DATA_VOLUME_RATE].rate;
    c->rampup_us = s_us(s, CFG_Q_SMTP_OUT_RAMPUP_INTERVAL);
    c->idle_timeout_us = s_us(s, CFG_Q_CONNECTION_IDLE_TIMEOUT);
    c->max_msg_per_conn = s_num(s, CFG_Q_MAX_MSG_PER_CONNECTION);
    c->max_errors_per_conn = s_num(s, CFG_Q_MAX_ERRORS_PER_CONNECTION);
    c->max_rcpt_per_msg = s_num(s, CFG_Q_MAX_RCPT_PER_MESSAGE);
    c->retry_after[0] = s->v[CFG_Q_RETRY_AFTER].list;
    c->n_retry_after[0] = s->v[CFG_Q_RETRY_AFTER].n_list;
    c->retry_after[1] = s->v[CFG_Q_BACKOFF_RETRY_AFTER].list;
    c->n_retry_after[1] = s->v[CFG_Q_BACKOFF_RETRY_AFTER].n_list;
    c->retry_rcpt_us = s_us(s, CFG_Q_RETRY_RECIPIENTS_AFTER);
    c->bounce_after_us = s_us(s, CFG_Q_BOUNCE_AFTER);
    c->retry_upon_new_mail = s_num(s, CFG_Q_RETRY_UPON_NEW_MAIL) != 0;
    c->backoff_to_normal_us = s_us(s, CFG_Q_BACKOFF_TO_NORMAL_AFTER);
    c->backoff_to_normal_after_delivery =
        s_num(s, CFG_Q_BACKOFF_TO_NORMAL_AFTER_DELIVERY) != 0;
    c->backoff_upon_all_disabled =
        s_num(s, CFG_Q_BACKOFF_UPON_ALL_SOURCES_DISABLED) != 0;
    c->reenable_us = s_us(s, CFG_Q_REENABLE_SOURCE_IP_AFTER);
    c->bounce_upon_5xx_greeting = s_num(s, CFG_Q_BOUNCE_UPON_5XX_GREETING) != 0;
    c->mx421_unavailable = s_num(s, CFG_Q_SMTP_421_MEANS_MX_UNAVAILABLE) != 0;
    c->priority = (int)s_num(s, CFG_Q_QUEUE_PRIORITY);
    c->allow_interruption = s_num(s, CFG_Q_ALLOW_PRIORITY_INTERRUPTION) != 0;
    c->cold_per_day = s->v[CFG_Q_MAX_COLD_VMTA_MSG].list;
    c->n_cold_per_day = s->v[CFG_Q_MAX_COLD_VMTA_MSG].n_list;
    c->discard = s->v[CFG_Q_TYPE].set && s_num(s, CFG_Q_TYPE) == 3;
    c->sip_out = s->v[CFG_Q_SOURCE_IP_MAX_SMTP_OUT].cidr;
    c->n_sip_out = s->v[CFG_Q_SOURCE_IP_MAX_SMTP_OUT].n_cidr;
    c->sip_msg = s->v[CFG_Q_SOURCE_IP_MAX_MSG_RATE].cidr;
    c->n_sip_msg = s->v[CFG_Q_SOURCE_IP_MAX_MSG_RATE].n_cidr;
    c->sip_conn = s->v[CFG_Q_SOURCE_IP_MAX_CONNECT_RATE].cidr;
    c->n_sip_conn = s->v[CFG_Q_SOURCE_IP_MAX_CONNECT_RATE].n_cidr;
    c->sip_data = s->v[CFG_Q_SOURCE_IP_MAX_DATA_VOLUME_RATE].cidr;
    c->n_sip_data = s->v[CFG_Q_SOURCE_IP_MAX_DATA_VOLUME_RATE].n_cidr;
}

static void queue_rates(struct mta *m, struct mta_queue *q)
{
    for (int k = 0; k < 2; k++) {
        mta_rate_init(&q->msg_rl[k], m->opt.rate_algo, q->c.msg_rate[k].count,
                      q->c.msg_rate[k].window_s);
        mta_rate_init(&q->conn_rl[k], m->opt.rate_algo, q->c.conn_rate[k].count,
                      q->c.conn_rate[k].window_s);
        /* Volumes are counted in bytes, which only a bucket can meter. */
        mta_rate_init(&q->data_rl[k], MTA_RATE_TOKEN_BUCKET,
                      q->c.data_rate[k].count, q->c.data_rate[k].window_s);
    }
}

/* best_cidr - the most specific entry of list containing addr, or NULL. */
static const struct cfg_cidr_value *best_cidr(const struct cfg_cidr_value *l,
                                              size_t n,
                                              const struct cfgv_cidr *addr)
{
    const struct cfg_cidr_value *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (cfgv_cidr_contains(&l[i].net, addr) &&
            (best == NULL || l[i].net.prefix > best->net.prefix))
            best = &l[i];
    return best;
}

/* ip_rates - one limiter per source IP of the VMTA from a source-ip-*
 * list (UG5 §3.3.10.81-84), or NULL when the list is empty. */
static struct mta_rate *ip_rates(struct mta *m, const struct mta_queue *q,
                                 const struct cfg_cidr_value *l, size_t n,
                                 enum mta_rate_algo algo)
{
    if (n == 0)
        return NULL;
    const struct cfg_vmta *v = cfg_model_vmta(m->cfg, (size_t)q->vmta);
    struct mta_rate *r = xcalloc(v->n_ips, sizeof(*r));
    for (size_t i = 0; i < v->n_ips; i++) {
        const struct cfg_cidr_value *e = best_cidr(l, n, &v->ips[i].ip);
        mta_rate_init(&r[i], algo, e ? e->rate.count : (double)INFINITY,
                      e ? e->rate.window_s : 1);
    }
    return r;
}

static void ip_rates_free(struct mta_rate *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        mta_rate_release(&r[i]);
    free(r);
}

/* route_target - a reroute setting's VMTA or pool (the config checked the
 * name), or MTA_NO_ROUTE. */
static int route_target(const struct mta *m, const struct cfg_value *v)
{
    if (!v->set || v->str == NULL || v->str[0] == '\0')
        return MTA_NO_ROUTE;
    int vmta = cfg_model_vmta_find(m->cfg, v->str);
    if (vmta >= 0)
        return vmta;
    int pool = cfg_model_pool_find(m->cfg, v->str);
    return pool >= 0 ? MTA_POOL(pool) : MTA_NO_ROUTE;
}

/* mx_get - the index of MX host name, registered on first use. */
static uint32_t mx_get(struct mta *m, const char *name)
{
    uint32_t i = map_get(&m->mx_map, name);
    if (i != MTA_NIL)
        return i;
    XGROW(m->mx, m->n_mx, m->cap_mx);
    i = (uint32_t)m->n_mx++;
    struct mta_mx *x = &m->mx[i];
    memset(x, 0, sizeof(*x));
    x->name = xstrdup(name);
    x->limit = cfg_model_mx_connection_limit(m->cfg, name);
    m->mx_limited |= !isinf(x->limit);
    map_put(&m->mx_map, x->name, i);
    return i;
}

/* dip_get - the index of destination IP text, registered on first use. */
static uint32_t dip_get(struct mta *m, const char *text)
{
    uint32_t i = map_get(&m->dip_map, text);
    if (i != MTA_NIL)
        return i;
    XGROW(m->dips, m->n_dips, m->cap_dips);
    i = (uint32_t)m->n_dips++;
    struct mta_dip *d = &m->dips[i];
    memset(d, 0, sizeof(*d));
    d->text = xstrdup(text);
    d->limit = cfg_model_ip_connection_limit(m->cfg, text);
    m->ip_limited |= !isinf(d->limit);
    map_put(&m->dip_map, d->text, i);
    return i;
}

/* mx_describe - the preference and destination IPs the model gives MX
 * host x (the k-th of provider prov), when x is new. */
static void mx_describe(struct mta *m, uint32_t x, int prov, size_t k)
{
    struct mta_mx *h = &m->mx[x];
    if (h->dips != NULL || prov < 0)
        return;
    const char *const *ips;
    size_t n =
        prov_world_mx_host(m->world, prov, k, &h->pref, &ips, &h->refuse);
    h->dips = xcalloc(n ? n : 1, sizeof(*h->dips));
    for (size_t i = 0; i < n; i++)
        h->dips[i] = dip_get(m, ips[i]);
    h->n_dips = (uint32_t)n;
}

/* mx_sort - MX hosts by preference, the model's order within one (an
 * insertion sort: a domain has a handful). */
static void mx_sort(const struct mta *m, uint32_t *ids, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = ids[i];
        size_t j = i;
        for (; j > 0 && m->mx[ids[j - 1]].pref > m->mx[x].pref; j--)
            ids[j] = ids[j - 1];
        ids[j] = x;
    }
}

/* queue_paced - whether any message or volume rate could hold a
 * transaction of q in mode k (its own, its VMTA's, a pool's or a source
 * IP's); limiters never change between limited and unlimited during a
 * run, so the transaction path skips asking them when none is. */
static int queue_paced(const struct mta *m, const struct mta_queue *q, int k)
{
    const struct mta_vmta *mv = &m->vmtas[q->vmta];
    int paced = !q->msg_rl[k].unlimited || !q->data_rl[k].unlimited ||
                !mv->msg_rl.unlimited || !mv->data_rl.unlimited ||
                q->ip_msg_rl || q->ip_data_rl;
    for (size_t i = 0; i < mv->n_pools; i++) {
        const struct mta_pool *p = &m->pools[mv->pools[i]];
        paced |= !p->msg_rl.unlimited || !p->data_rl.unlimited;
    }
    return paced;
}

/* inline_lanes_moved - the queue array moved: queues whose one lane is
 * inline point at it again. */
static void inline_lanes_moved(struct mta *m)
{
    for (size_t i = 0; i < m->n_queues; i++) {
        struct mta_ready *rd = &m->queues[i].ready;
        if (rd->n_lanes && rd->cap == 0)
            rd->lanes = &rd->lane0;
    }
}

/* queue_create - the queue queue_domain/vmta, registered with obs. */
static uint32_t queue_create(struct mta *m, const char *qd, int vmta, int prov,
                             const char *const *mx, size_t n_mx)
{
    uint32_t *mx_ids = xcalloc(n_mx ? n_mx : 1, sizeof(*mx_ids));
    for (size_t i = 0; i < n_mx; i++) {
        mx_ids[i] = mx_get(m, mx[i]);
        mx_describe(m, mx_ids[i], prov, i);
    }
    if (n_mx == 0)
        mx_ids[0] = mx_get(m, qd); /* no model: the queue-domain itself */
    mx_sort(m, mx_ids, n_mx);
    const struct cfg_vmta *v = cfg_model_vmta(m->cfg, (size_t)vmta);
    size_t len = strlen(qd) + strlen(v->name) + 2;
    char *name = xmalloc(len);
    snprintf(name, len, "%s/%s", qd, v->name);
    struct mta_queue *before = m->queues;
    XGROW(m->queues, m->n_queues, m->cap_queues);
    if (m->queues != before)
        inline_lanes_moved(m);
    uint32_t qi = (uint32_t)m->n_queues++;
    struct mta_queue *q = &m->queues[qi];
    memset(q, 0, sizeof(*q));
    q->name = name;
    q->vmta = vmta;
    q->prov = prov;
    q->target = prov >= 0 ? prov_world_target(m->world, prov, qd) : prov;
    struct cfg_qsettings s;
    cfg_model_queue_settings(m->cfg, qd, vmta, &s);
    qconf_fill(&q->c, &s);
    q->c.reroute[0] = route_target(m, &s.v[CFG_Q_REROUTE_TO_VMTA]);
    q->c.reroute[1] = route_target(m, &s.v[CFG_Q_BACKOFF_REROUTE_TO_VMTA]);
    q->c.spl = s.v[CFG_Q_SMTP_PATTERN_LIST].set
                   ? cfg_model_spl(m->cfg, s.v[CFG_Q_SMTP_PATTERN_LIST].str)
                   : NULL;
    queue_rates(m, q);
    q->backoff_until = MTA_NEVER;
    q->wake_us = MTA_NEVER;
    q->idle_head = MTA_NIL;
    q->cold_day = -1;
    q->cold_first_day = -1;
    q->n_mx = n_mx > 0 ? (uint32_t)n_mx : 1;
    q->mx = mx_ids;
    q->mx_only = mx_ids[0];
    q->last_delivery_us = -1;
    size_t n_ips = m->vmtas[vmta].n_ips;
    q->ip_disabled_until = xcalloc(n_ips, sizeof(*q->ip_disabled_until));
    q->ip_conns = xcalloc(n_ips, sizeof(*q->ip_conns));
    q->ip_msg_rl =
        ip_rates(m, q, q->c.sip_msg, q->c.n_sip_msg, m->opt.rate_algo);
    q->ip_conn_rl =
        ip_rates(m, q, q->c.sip_conn, q->c.n_sip_conn, m->opt.rate_algo);
    q->ip_data_rl =
        ip_rates(m, q, q->c.sip_data, q->c.n_sip_data, MTA_RATE_TOKEN_BUCKET);
    for (int k = 0; k < 2; k++)
        q->paced[k] = queue_paced(m, q, k);
    q->conn_limited = !q->conn_rl[0].unlimited || !q->conn_rl[1].unlimited;
    q->data_limited = !q->data_rl[0].unlimited || !q->data_rl[1].unlimited;
    map_put(&m->queue_map, name, qi);
    obs_add_queue(m->obs, name, prov);
    return qi;
}

/* ----------------------------------------------------------- allocation */

/* setup_pools - each pool's own max-smtp-out, max-smtp-msg-rate and
 * max-smtp-data-volume-rate (UG5 §3.3.13.5, .6, .8), and which pools list
 * each VMTA (a VMTA may be in several; each pool's limits then apply). */
static void setup_pools(struct mta *m)
{
    m->n_pools = cfg_model_pool_count(m->cfg);
    m->pools = xcalloc(m->n_pools + 1, sizeof(*m->pools));
    for (size_t i = 0; i < m->n_pools; i++) {
        const struct cfg_pool *p = cfg_model_pool(m->cfg, i);
        struct mta_pool *mp = &m->pools[i];
        mp->max_out = p->max_smtp_out;
        mta_rate_init(&mp->msg_rl, m->opt.rate_algo, p->max_msg_rate.count,
                      p->max_msg_rate.window_s);
        mta_rate_init(&mp->data_rl, MTA_RATE_TOKEN_BUCKET,
                      p->max_data_rate.count, p->max_data_rate.window_s);
        for (size_t k = 0; k < p->n_members; k++) {
            if (p->members[k] < 0)
                continue;
            struct mta_vmta *mv = &m->vmtas[p->members[k]];
            int dup = 0;
            for (size_t j = 0; j < mv->n_pools; j++)
                dup |= mv->pools[j] == (int)i;
            if (dup)
                continue;
            mv->pools =
                xreallocarray(mv->pools, mv->n_pools + 1, sizeof(*mv->pools));
            mv->pools[mv->n_pools++] = (int)i;
        }
    }
}

static void setup_vmtas(struct mta *m)
{
    m->n_vmtas = cfg_model_vmta_count(m->cfg);
    m->vmtas = xcalloc(m->n_vmtas, sizeof(*m->vmtas));
    for (size_t i = 0; i < m->n_vmtas; i++) {
        const struct cfg_vmta *v = cfg_model_vmta(m->cfg, i);
        struct mta_vmta *mv = &m->vmtas[i];
        mv->max_out = v->max_smtp_out;
        mta_rate_init(&mv->msg_rl, m->opt.rate_algo, v->max_msg_rate.count,
                      v->max_msg_rate.window_s);
        mta_rate_init(&mv->data_rl, MTA_RATE_TOKEN_BUCKET,
                      v->max_data_rate.count, v->max_data_rate.window_s);
        mv->n_ips = v->n_ips;
        mv->wip = xcalloc(v->n_ips, sizeof(*mv->wip));
        for (size_t k = 0; k < v->n_ips; k++) {
            char ip[64];
            cfgv_format_cidr(&v->ips[k].ip, ip, sizeof(ip));
            /* A config without source IPs sends from the world's IP 0. */
            mv->wip[k] = strcmp(ip, "0.0.0.0") == 0
                             ? 0
                             : prov_world_add_ip(m->world, ip, -1, -1);
        }
    }
    setup_pools(m);
}

/* declare_assumptions - the choices the guide leaves open that this run
 * depends on, for summary.json and the printed summary (docs/delivery.md
 * shows how much they move results). */
static void declare_assumptions(struct mta *m)
{
    static const char *const algo[] = { "sliding", "token-bucket", "even" };
    obs_assume(m->obs, "rate_window", algo[m->opt.rate_algo]);
    obs_assume(m->obs, "rate_wait",
               "a connection waits up to 60 s for a "
               "rate slot, else closes");
    int pool_limits = 0, cold = 0;
    for (size_t i = 0; i < m->n_pools; i++) {
        const struct cfg_pool *p = cfg_model_pool(m->cfg, i);
        pool_limits |= !isinf(p->max_smtp_out) ||
                       !isinf(p->max_msg_rate.count) ||
                       !isinf(p->max_data_rate.count);
        cold |= p->n_cold > 0;
    }
    for (size_t i = 0; i < m->n_vmtas; i++)
        cold |= cfg_model_vmta(m->cfg, i)->n_cold > 0;
    if (pool_limits)
        obs_assume(m->obs, "pool_limits", "for the pool as a whole");
    if (cold)
        obs_assume(m->obs, "cold_days",
                   "UTC calendar days, the list from the first cold send");
}

struct mta *mta_alloc(const struct cfg_model *cfg, struct prov_world *w,
                      struct rng *g, struct evq *q, struct obs *obs,
                      const struct mta_options *o)
{
    struct mta *m = xcalloc(1, sizeof(*m));
    m->cfg = cfg;
    m->world = w;
    m->g = g;
    m->q = q;
    m->obs = obs;
    m->opt = *o;
    m->r_free = MTA_NIL;
    m->conn_free = MTA_NIL;
    m->expiry_armed_us = MTA_NEVER;
    m->acct_on = obs_acct_on(obs);
    m->total_max = cfg_model_total_max_smtp_out(cfg);
    setup_vmtas(m);
    declare_assumptions(m);
    /* Without a <pattern-list> the recipient does not matter: route once. */
    m->inject_fixed = !cfg_model_injection_uses_rcpt(cfg, o->source);
    m->inject_prio = 50;
    if (m->inject_fixed)
        cfg_model_injection_route(cfg, o->source, NULL, &m->inject_vmta,
                                  &m->inject_pool, &m->inject_prio);
    return m;
}

void mta_free(struct mta *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_queues; i++) {
        struct mta_queue *q = &m->queues[i];
        for (int k = 0; k < 2; k++) {
            mta_rate_release(&q->msg_rl[k]);
            mta_rate_release(&q->conn_rl[k]);
            mta_rate_release(&q->data_rl[k]);
        }
        size_t n_ips = m->vmtas[q->vmta].n_ips;
        ip_rates_free(q->ip_msg_rl, n_ips);
        ip_rates_free(q->ip_conn_rl, n_ips);
        ip_rates_free(q->ip_data_rl, n_ips);
        if (q->ready.cap) /* else the one lane is inline */
            free(q->ready.lanes);
        free(q->ip_disabled_until);
        free(q->ip_conns);
        free(q->mx);
        free((char *)q->name);
    }
    for (size_t i = 0; i < m->n_domains; i++)
        free((char *)m->domains[i].name);
    for (size_t i = 0; i < m->n_vmtas; i++) {
        mta_rate_release(&m->vmtas[i].msg_rl);
        mta_rate_release(&m->vmtas[i].data_rl);
        free(m->vmtas[i].wip);
        free(m->vmtas[i].pools);
    }
    for (size_t i = 0; i < m->n_pools; i++) {
        mta_rate_release(&m->pools[i].msg_rl);
        mta_rate_release(&m->pools[i].data_rl);
    }
    for (size_t i = 0; i < m->n_mx; i++) {
        free((char *)m->mx[i].name);
        free(m->mx[i].conns);
        free(m->mx[i].dips);
    }
    free(m->mx);
    map_release(&m->mx_map);
    for (size_t i = 0; i < m->n_dips; i++) {
        free((char *)m->dips[i].text);
        free(m->dips[i].conns);
    }
    free(m->dips);
    map_release(&m->dip_map);
    map_release(&m->queue_map);
    map_release(&m->domain_map);
    free(m->queues);
    free(m->domains);
    free(m->vmtas);
    free(m->pools);
    for (uint32_t i = 0; i < m->n_conns; i++)
        free(m->conns[i].more);
    free(m->conns);
    free(m->waiters);
    free(m->dom_ix);
    free(m->qmap);
    mta_deadline_release(&m->expiry);
    free(m->r);
    free(m);
}

/* -------------------------------------------------------------- routing */

/* grow_nil - *a from n to n_new entries, the new ones MTA_NIL. */
static void grow_nil(uint32_t **a, size_t n, size_t n_new)
{
    *a = xreallocarray(*a, n_new, sizeof(**a));
    for (size_t k = n; k < n_new; k++)
        (*a)[k] = MTA_NIL;
}

/* The domain x VMTA queue map is one flat array, so finding a recipient's
 * queue is one load instead of a chase through its domain's own array. */
static size_t qmap_stride(const struct mta *m)
{
    return m->n_vmtas ? m->n_vmtas : 1;
}

static uint32_t *qmap_slot(struct mta *m, uint32_t di, int vmta)
{
    return &m->qmap[(size_t)di * qmap_stride(m) + (size_t)vmta];
}

/* qmap_grow - a row of MTA_NIL for each domain slot. */
static void qmap_grow(struct mta *m)
{
    size_t nv = qmap_stride(m);
    if (m->qmap_rows >= m->cap_domains)
        return;
    grow_nil(&m->qmap, m->qmap_rows * nv, m->cap_domains * nv);
    m->qmap_rows = m->cap_domains;
}

static uint32_t domain_get(struct mta *m, const char *name)
{
    uint32_t di = map_get(&m->domain_map, name);
    if (di != MTA_NIL)
        return di;
    EVQ_ASSERT(m->q, m->n_domains < MTA_MAX_DOMAINS);
    XGROW(m->domains, m->n_domains, m->cap_domains);
    di = (uint32_t)m->n_domains++;
    struct mta_domain *d = &m->domains[di];
    d->name = xstrdup(name);
    d->prov = prov_world_find(m->world, name);
    qmap_grow(m);
    map_put(&m->domain_map, d->name, di);
    return di;
}

/* domain_of - the domain of send-list record r: by the list's own domain
 * index when it gives one (no hashing of the name per recipient), else
 * by name (a record built by hand must say UINT32_MAX: 0 is an index). */
static uint32_t domain_of(struct mta *m, const struct send_rec *r)
{
    uint32_t ix = r->domain_ix;
    if (ix == UINT32_MAX)
        return domain_get(m, r->domain);
    if (ix < m->n_dom_ix && m->dom_ix[ix] != MTA_NIL)
        return m->dom_ix[ix];
    if (ix >= m->n_dom_ix) {
        size_t n =
            (size_t)ix + 1 > 2 * m->n_dom_ix ? (size_t)ix + 1 : 2 * m->n_dom_ix;
        grow_nil(&m->dom_ix, m->n_dom_ix, n);
        m->n_dom_ix = n;
    }
    return m->dom_ix[ix] = domain_get(m, r->domain);
}

/* queue_for - the queue of domain di through vmta (queue-to, rollup). */
static uint32_t queue_for(struct mta *m, uint32_t di, int vmta)
{
    uint32_t *slot = qmap_slot(m, di, vmta);
    if (*slot != MTA_NIL)
        return *slot;
    struct mta_domain *d = &m->domains[di];
    const char *mx[8] = { NULL };
    char mxbuf[300], qd[300], key[700];
    size_t n_mx = d->prov >= 0 ? prov_world_mx(m->world, d->prov, d->name, mx,
                                               8, mxbuf, sizeof(mxbuf))
                               : 0;
    cfg_model_queue_domain(m->cfg, d->name, vmta, mx, n_mx, qd, sizeof(qd));
    snprintf(key, sizeof(key), "%s/%s", qd,
             cfg_model_vmta(m->cfg, (size_t)vmta)->name);
    uint32_t qi = map_get(&m->queue_map, key);
    if (qi == MTA_NIL)
        qi = queue_create(m, qd, vmta, d->prov, mx, n_mx);
    *qmap_slot(m, di, vmta) = qi; /* creating may have moved the map */
    return qi;
}

/* pick_vmta - the VMTA chosen at injection (UG5 §9.4), in *pool_out the
 * pool it came through (-1: none) and in *prio the recipient-priority a
 * <pattern-list> gave it (§3.3.14). -1: unknown name. */
static int pick_vmta(struct mta *m, const struct send_rec *r, int *pool_out,
                     int *prio)
{
    int vmta = -1, pool = -1;
    *pool_out = -1;
    *prio = 50;
    if (r->vmta) {
        vmta = cfg_model_vmta_find(m->cfg, r->vmta);
        if (vmta < 0)
            pool = cfg_model_pool_find(m->cfg, r->vmta);
        if (vmta < 0 && pool < 0)
            return -1;
    } else if (r->pool) {
        pool = cfg_model_pool_find(m->cfg, r->pool);
        if (pool < 0)
            return -1;
    } else if (m->inject_fixed) {
        vmta = m->inject_vmta;
        pool = m->inject_pool;
        *prio = m->inject_prio;
    } else {
        cfg_model_injection_route(m->cfg, m->opt.source, r->rcpt, &vmta, &pool,
                                  prio);
    }
    if (pool >= 0) {
        const struct cfg_pool *p = cfg_model_pool(m->cfg, (size_t)pool);
        if (p->n_members == 0)
            return -1;
        vmta =
            p->members[mta_next_of(&m->pools[pool].rr, (uint32_t)p->n_members)];
        *pool_out = pool;
    }
    *pool_out = pool;
    return vmta;
}

/* cold_take - one more message for the cold VMTA queue cq today, if its
 * max-cold-virtual-mta-msg (list lim, from the queue the mail selected)
 * has room. Days are UTC calendar days; the list's first value is for the
 * day the cold queue took its first message (docs/delivery.md). */
static int cold_take(struct mta_queue *cq, const double *lim, size_t n_lim,
                     int64_t day)
{
    if (day != cq->cold_day) {
        cq->cold_day = day;
        cq->cold_used = 0;
    }
    int64_t step = cq->cold_first_day < 0 ? 0 : day - cq->cold_first_day;
    size_t k = (size_t)step < n_lim ? (size_t)step : n_lim - 1;
    if (cq->cold_used >= lim[k])
        return 0;
    cq->cold_used++;
    if (cq->cold_first_day < 0)
        cq->cold_first_day = day;
    return 1;
}

/* cold_redirect - the first N per day of each domain's mail that selects a
 * VMTA (or pool) with cold-virtual-mta goes to a cold VMTA instead; the
 * limit applies to each cold VMTA separately (max-cold-virtual-mta-msg,
 * UG5 §3.3.10.49, §3.3.12.4). A pool's own cold-virtual-mta list (UG5
 * §3.3.13) serves mail that selected the pool. Returns the cold queue, or
 * MTA_NIL. */
static uint32_t cold_redirect(struct mta *m, uint32_t di, uint32_t qi, int pool,
                              int64_t now_us)
{
    const struct mta_queue *q = &m->queues[qi];
    const double *lim = q->c.cold_per_day;
    size_t n_lim = q->c.n_cold_per_day;
    if (n_lim == 0)
        return MTA_NIL;
    const int *cold;
    size_t n;
    uint32_t *rr;
    const struct cfg_pool *p =
        pool >= 0 ? cfg_model_pool(m->cfg, (size_t)pool) : NULL;
    if (p && p->n_cold) {
        cold = p->cold, n = p->n_cold, rr = &m->pools[pool].rr_cold;
    } else {
        const struct cfg_vmta *v = cfg_model_vmta(m->cfg, (size_t)q->vmta);
        cold = v->cold, n = v->n_cold, rr = &m->vmtas[q->vmta].rr_cold;
    }
    int64_t abs_s = m->opt.start_unix + now_us / (int64_t)MTA_US;
    int64_t day = abs_s >= 0 ? abs_s / 86400 : (abs_s - 86399) / 86400;
    for (size_t k = 0; k < n; k++) {
        size_t at = mta_wrap(*rr + (uint32_t)k, (uint32_t)n);
        if (cold[at] < 0)
            continue;
        uint32_t cq = queue_for(m, di, cold[at]);
        if (cold_take(&m->queues[cq], lim, n_lim, day)) {
            *rr = (uint32_t)(at + 1);
            return cq;
        }
    }
    return MTA_NIL;
}

/* reroute_vmta - where queue q sends its mail now (UG5 §3.3.10.50-51):
 * backoff-reroute-to-virtual-mta while in backoff, else
 * reroute-to-virtual-mta (in both modes when it has no backoff twin); a
 * pool is spread round-robin. -1: no reroute, or one to q's own VMTA
 * (PowerMTA ignores a reroute to itself). */
static int reroute_vmta(struct mta *m, const struct mta_queue *q)
{
    int t = q->c.reroute[0];
    if (q->mode == MTA_BACKOFF && q->c.reroute[1] != MTA_NO_ROUTE)
        t = q->c.reroute[1];
    if (t == MTA_NO_ROUTE)
        return -1;
    int vmta = t;
    if (t < MTA_NO_ROUTE) {
        int pool = -2 - t;
        const struct cfg_pool *p = cfg_model_pool(m->cfg, (size_t)pool);
        if (p->n_members == 0)
            return -1;
        vmta =
            p->members[mta_next_of(&m->pools[pool].rr, (uint32_t)p->n_members)];
    }
    return vmta == q->vmta ? -1 : vmta;
}

/* reroute - the queue mail of domain di that reached queue qi ends up in:
 * reroutes are followed in turn (at most MTA_REROUTE_HOPS); one leading
 * back to qi is a loop and is not taken. */
static uint32_t reroute(struct mta *m, uint32_t di, uint32_t qi)
{
    const struct mta_queue *q = &m->queues[qi];
    if (q->c.reroute[0] == MTA_NO_ROUTE && q->c.reroute[1] == MTA_NO_ROUTE)
        return qi; /* the usual case: no reroute in either mode */
    uint32_t at = qi;
    for (int hop = 0; hop < MTA_REROUTE_HOPS; hop++) {
        int v = reroute_vmta(m, &m->queues[at]);
        if (v < 0)
            break;
        uint32_t next = queue_for(m, di, v);
        if (next == qi)
            break;
        at = next;
    }
    return at;
}

/* queue_depth_seen - a queue's deepest point so far. */
static void queue_depth_seen(struct mta_queue *q)
{
    uint64_t depth =
        (uint64_t)mta_ready_live(q) + mta_live(&q->retry) + q->in_flight;
    if (depth > q->max_depth)
        q->max_depth = depth;
}

/* route_ready - ri of queue qi becomes ready, in the queue a reroute of
 * qi names if it has one (a recipient back from the retry bucket of a
 * queue in backoff). */
static void route_ready(struct mta *m, uint32_t qi, uint32_t ri, int64_t now_us)
{
    uint32_t to = reroute(m, m->r[ri].domain, qi);
    if (to != qi) {
        obs_rerouted(m->obs, (int)qi, (int)to, now_us);
        m->r[ri].queue = to;
        mta_q_schedule(m, &m->queues[to], now_us);
    }
    mta_ready_push(m, &m->queues[to], ri, 0);
    queue_depth_seen(&m->queues[to]);
}

uint32_t mta_reroute_queued(struct mta *m, uint32_t qi, int64_t now_us)
{
    const struct mta_queue *q = &m->queues[qi];
    int t = q->mode == MTA_BACKOFF && q->c.reroute[1] != MTA_NO_ROUTE
                ? q->c.reroute[1]
                : q->c.reroute[0];
    if (t == MTA_NO_ROUTE || t == q->vmta)
        return 0;
    uint32_t n = mta_ready_live(&m->queues[qi]), moved = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t ri = mta_ready_pop_live(m, &m->queues[qi]);
        if (ri == MTA_NIL)
            break;
        route_ready(m, qi, ri, now_us); /* a loop puts it back, last */
        moved += m->r[ri].queue != qi;
    }
    return moved;
}

static void reject_at_injection(struct mta *m, const struct send_rec *r,
                                int64_t now_us)
{
    static const char reply[] = "550 5.5.0 invalid virtual-mta";
    char detail[300];
    snprintf(detail, sizeof(detail), "recipient %llu names %s '%s'",
             (unsigned long long)r->id, r->vmta ? "virtual-mta" : "pool",
             r->vmta ? r->vmta : r->pool);
    obs_event(m->obs, now_us, "*", "rejected-at-injection", detail);
    obs_bounced(m->obs, -1, -1, r->stream, reply, now_us);
}

int mta_reads_rcpt(const struct mta *m)
{
    return !m->inject_fixed;
}

void mta_inject(struct mta *m, const struct send_rec *r, int64_t now_us)
{
    int pool, prio;
    int vmta = pick_vmta(m, r, &pool, &prio);
    if (vmta < 0) {
        reject_at_injection(m, r, now_us);
        return;
    }
    uint32_t di = domain_of(m, r);
    uint32_t qi = queue_for(m, di, vmta);
    uint32_t cold = cold_redirect(m, di, qi, pool, now_us);
    if (cold != MTA_NIL)
        qi = cold;
    /* the queue the mail selected counts it injected, and rerouted */
    obs_injected(m->obs, (int)qi, r->stream, now_us);
    uint32_t to = reroute(m, di, qi);
    if (to != qi) {
        obs_rerouted(m->obs, (int)qi, (int)to, now_us);
        qi = to;
    }
    uint32_t ri = rcpt_alloc(m);
    struct mta_rcpt *rc = &m->r[ri];
    rc->enq_us = now_us;
    rc->due_us = now_us;
    rc->id = r->id;
    rc->queue = qi;
    rc->domain = di;
    rc->size = r->size;
    rc->stream = (uint16_t)r->stream;
    rc->pool = pool >= 0 && pool < UINT8_MAX ? (uint32_t)pool + 1 : 0;
    rc->attempts = 0;
    rc->prio = (uint8_t)prio;
    rc->msg_tag = r->msg ? (uint16_t)(1 + r->msg % 65535) : 0;
    rc->flags = (uint8_t)((r->invalid ? MTA_R_INVALID : 0) |
                          (r->complains ? MTA_R_COMPLAINS : 0));
    struct mta_queue *q = &m->queues[qi];
    mta_ready_push(m, q, ri, 0);
    mta_area_tick(m, now_us);
    m->queued++;
    queue_depth_seen(q);
    if (m->acct_on) /* an r record: the only work it would do */
        mta_acct(m, "r", q, ri, -1, NULL, now_us);
    if (q->in_retry && q->c.retry_upon_new_mail)
        q->in_retry = 0;
    mta_q_service(m, qi, now_us);
}

/* ----------------------------------------------------------------- modes */

void mta_q_schedule(struct mta *m, struct mta_queue *q, int64_t t_us)
{
    if (t_us >= q->wake_us || t_us == MTA_NEVER)
        return;
    q->wake_us = t_us;
    EVQ_PUSH(m->q, t_us, MTA_EV_QUEUE_WAKE, ++q->wake_gen,
             (uint64_t)(q - m->queues));
}

void mta_enter_backoff(struct mta *m, struct mta_queue *q, int64_t now_us,
                       double after_us, const char *why)
{
    /* The timer runs from entering backoff ("revert to normal after",
     * UG5 §3.3.10.45): matches while in backoff do not extend it, so a
     * queue that is still throttled flips back into backoff on the next
     * matching reply, as PowerMTA's mode events show. */
    if (q->mode == MTA_BACKOFF)
        return;
    q->mode = MTA_BACKOFF;
    q->open_block_until = 0; /* other limits now: look again */
    q->backoff_since = now_us;
    q->backoff_entries++;
    obs_event(m->obs, now_us, q->name, "backoff-enter", why);
    q->backoff_until = after_us < 0 ? MTA_NEVER : now_us + (int64_t)after_us;
    mta_q_schedule(m, q, q->backoff_until);
    /* backoff-reroute-to-virtual-mta: the queued mail moves too */
    if (q->c.reroute[1] != MTA_NO_ROUTE)
        mta_reroute_queued(m, (uint32_t)(q - m->queues), now_us);
}

void mta_exit_backoff(struct mta *m, struct mta_queue *q, int64_t now_us,
                      const char *why)
{
    if (q->mode != MTA_BACKOFF)
        return;
    q->mode = MTA_NORMAL;
    q->backoff_total_s += (double)(now_us - q->backoff_since) / MTA_US;
    q->backoff_until = MTA_NEVER;
    q->open_block_until = 0; /* a wait computed under the backoff limits */
    obs_event(m->obs, now_us, q->name, "backoff-exit", why);
    mta_q_schedule(m, q, now_us);
}

void mta_enter_retry(struct mta *m, struct mta_queue *q, int64_t now_us,
                     const char *why)
{
    int mode = q->mode;
    size_t n = q->c.n_retry_after[mode];
    double after_s = 600;
    if (n > 0)
        after_s =
            q->c.retry_after[mode][q->retry_step < n ? q->retry_step : n - 1];
    q->retry_step++;
    q->in_retry = 1;
    q->retry_until = now_us + (int64_t)(after_s * MTA_US);
    char detail[400];
    snprintf(detail, sizeof(detail), "retry in %.0f s: %s", after_s, why);
    obs_event(m->obs, now_us, q->name, "retry-mode", detail);
    mta_q_schedule(m, q, q->retry_until);
}

/* mta_match - the queue's smtp-pattern-list rule for a reply, cached by
 * the reply's pointer (provider replies are a small fixed set). */
const struct cfg_spl_rule *mta_match(struct mta_queue *q, const char *text)
{
    if (q->c.spl == NULL || text == NULL)
        return NULL;
    for (uint32_t i = 0; i < q->rc_n; i++)
        if (q->rc_text[i] == text)
            return q->rc_rule[i];
    const struct cfg_spl_rule *r = cfg_spl_match(q->c.spl, text);
    uint32_t slot =
        q->rc_n < MTA_REPLY_CACHE ? q->rc_n++ : (uint32_t)(text[0] & 7);
    q->rc_text[slot] = text;
    q->rc_rule[slot] = r;
    return r;
}

/* ------------------------------------------------------------- expiry */

/* expire_record - the accounting of an expiry (b record, DSN 4.4.7). */
static void expire_record(struct mta *m, uint32_t qi, uint32_t ri,
                          int64_t now_us)
{
    struct mta_rcpt *r = &m->r[ri];
    mta_acct(m, "b", &m->queues[qi], ri, -1,
             "4.4.7 message expired (bounce-after)", now_us);
    obs_expired(m->obs, (int)qi, r->stream, now_us,
                (double)(now_us - r->enq_us) / MTA_US);
}

static void expire(struct mta *m, uint32_t qi, uint32_t ri, int64_t now_us)
{
    expire_record(m, qi, ri, now_us);
    mta_rcpt_free(m, ri, now_us);
}

int mta_expired_now(struct mta *m, uint32_t qi, uint32_t ri, int64_t now_us)
{
    if (!mta_rcpt_expired(&m->queues[qi], &m->r[ri], now_us))
        return 0;
    expire(m, qi, ri, now_us);
    return 1;
}

/* drop_dead_head - release f's head if it is a tombstone; 1 if it was. */
static int drop_dead_head(struct mta *m, struct mta_fifo *f)
{
    uint32_t ri = f->head;
    if (!(m->r[ri].flags & MTA_R_DEAD))
        return 0;
    mta_fifo_pop(m, f);
    f->dead--;
    rcpt_release(m, ri);
    return 1;
}

/* promote_retries - recipients whose retry time has come go back to the
 * ready FIFO, unless they have expired meanwhile; tombstones go. */
static void promote_retries(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    while (q->retry.n) {
        if (drop_dead_head(m, &q->retry))
            continue;
        if (m->r[q->retry.head].due_us > now_us)
            break;
        uint32_t ri = mta_fifo_pop(m, &q->retry);
        m->r[ri].flags &= (uint8_t)~MTA_R_IN_RETRY;
        if (mta_rcpt_expired(q, &m->r[ri], now_us))
            expire(m, qi, ri, now_us);
        else
            route_ready(m, qi, ri, now_us);
        q = &m->queues[qi]; /* a reroute may have made a queue */
    }
    mta_expire_heads(m, qi, now_us);
}

void mta_expire_ready_heads(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    struct mta_ready *rd = &q->ready;
    for (uint32_t i = 0; i < rd->n_lanes; i++) {
        struct mta_fifo *f = &rd->lanes[i].f;
        while (f->n) {
            if (drop_dead_head(m, f)) {
                rd->n--, rd->dead--;
                continue;
            }
            if (!mta_rcpt_expired(q, &m->r[f->head], now_us))
                break;
            rd->n--;
            expire(m, qi, mta_fifo_pop(m, f), now_us);
        }
    }
}

/* expiry_arm - the evq event for the earliest deadline, when none is
 * armed for it yet (an earlier armed one makes the later stale). */
static void expiry_arm(struct mta *m)
{
    int64_t t = mta_deadline_first(&m->expiry);
    if (t == INT64_MAX || t >= m->expiry_armed_us)
        return;
    m->expiry_armed_us = t;
    EVQ_PUSH(m->q, t, MTA_EV_RCPT_EXPIRE, ++m->expiry_gen, 0);
}

void mta_rcpt_defer_timer(struct mta *m, uint32_t qi, uint32_t ri)
{
    struct mta_rcpt *r = &m->r[ri];
    const struct mta_queue *q = &m->queues[qi];
    if ((r->flags & MTA_R_TIMED) || q->c.bounce_after_us < 0)
        return;
    r->flags |= MTA_R_TIMED;
    mta_deadline_push(&m->expiry, r->enq_us + (int64_t)q->c.bounce_after_us,
                      ri);
    expiry_arm(m);
}

/* expire_in_place - ri's deadline has come at now_us: a recipient still
 * waiting expires where it is (a tombstone in its FIFO). One that left,
 * or whose slot holds another recipient now, is not due and stays. */
static void expire_in_place(struct mta *m, uint32_t ri, int64_t now_us)
{
    struct mta_rcpt *r = &m->r[ri];
    if (!(r->flags & MTA_R_TIMED) ||
        (r->flags & (MTA_R_DEAD | MTA_R_IN_FLIGHT)))
        return; /* gone, or in a transaction whose outcome decides */
    uint32_t qi = r->queue;
    struct mta_queue *q = &m->queues[qi];
    if (!mta_rcpt_expired(q, r, now_us))
        return;
    expire_record(m, qi, ri, now_us);
    unqueue(m, now_us);
    r->flags |= MTA_R_DEAD;
    if (r->flags & MTA_R_IN_RETRY) {
        q->retry.dead++;
    } else {
        ready_lane(&q->ready, r->prio)->f.dead++;
        q->ready.dead++;
    }
}

void mta_expire_event(struct mta *m, const struct evq_event *ev)
{
    if (ev->gen != m->expiry_gen)
        return; /* an earlier deadline came in and was armed instead */
    m->expiry_armed_us = MTA_NEVER;
    int64_t t;
    uint32_t ri;
    while (mta_deadline_first(&m->expiry) <= ev->t_us &&
           mta_deadline_pop(&m->expiry, &t, &ri) == 0)
        expire_in_place(m, ri, ev->t_us);
    expiry_arm(m);
}

void mta_bounce_queue(struct mta *m, struct mta_queue *q, int64_t now_us,
                      const char *reply, int by_rule)
{
    uint32_t qi = (uint32_t)(q - m->queues);
    char detail[400];
    snprintf(detail, sizeof(detail), "%u recipients: %s",
             mta_ready_live(q) + mta_live(&q->retry), reply);
    obs_event(m->obs, now_us, q->name, "bounce-queue", detail);
    for (int k = 0; k < 2; k++) {
        uint32_t ri;
        while ((ri = k ? mta_fifo_pop_live(m, &q->retry)
                       : mta_ready_pop_live(m, q)) != MTA_NIL) {
            mta_acct_x(m, "b", q, ri, -1, by_rule ? "x-pmta" : NULL,
                       by_rule ? "bounce-queue" : reply, now_us);
            obs_bounced(m->obs, (int)qi, q->prov, m->r[ri].stream, reply,
                        now_us);
            mta_rcpt_free(m, ri, now_us);
        }
    }
}

/* reenable_sources - source IPs whose disable time is over. */
static int64_t reenable_sources(struct mta *m, struct mta_queue *q,
                                int64_t now_us)
{
    int64_t next = MTA_NEVER;
    for (size_t i = 0; q->n_disabled && i < m->vmtas[q->vmta].n_ips; i++) {
        int64_t t = q->ip_disabled_until[i];
        if (t == 0)
            continue;
        if (t <= now_us) {
            q->ip_disabled_until[i] = 0;
            q->n_disabled--;
            obs_event(m->obs, now_us, q->name, "source-ip-enabled",
                      prov_world_ip(m->world, m->vmtas[q->vmta].wip[i]));
        } else if (t < next) {
            next = t;
        }
    }
    return next;
}

/* next_wake - the earliest timer of q still pending. */
static int64_t next_wake(const struct mta *m, const struct mta_queue *q,
                         int64_t open_wake, int64_t reenable)
{
    int64_t t = open_wake < reenable ? open_wake : reenable;
    if (q->mode == MTA_BACKOFF && q->backoff_until < t)
        t = q->backoff_until;
    if (q->in_retry && q->retry_until < t)
        t = q->retry_until;
    if (q->retry.n && m->r[q->retry.head].due_us < t)
        t = m->r[q->retry.head].due_us;
    /* Open connections expire what they dequeue; a queue that cannot
     * send needs a timer to expire its oldest recipient on time. */
    for (uint32_t i = 0;
         q->conns == 0 && q->c.bounce_after_us >= 0 && i < q->ready.n_lanes;
         i++) {
        if (q->ready.lanes[i].f.n == 0)
            continue;
        uint32_t head = q->ready.lanes[i].f.head;
        int64_t e = m->r[head].enq_us + (int64_t)q->c.bounce_after_us;
        if (e < t)
            t = e;
    }
    return t;
}

/* wants_connection - whether q has more ready recipients than its idle
 * and connecting connections can take (mta_conn_try_open checks it too;
 * this spares the call after the usual single opening). */
static int wants_connection(const struct mta_queue *q)
{
    return q->conns - q->in_flight < mta_ready_live(q);
}

void mta_q_service(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    if (q->mode == MTA_BACKOFF && now_us >= q->backoff_until)
        mta_exit_backoff(m, q, now_us, "backoff-to-normal-after elapsed");
    int64_t reenable = reenable_sources(m, q, now_us);
    if (q->in_retry && now_us >= q->retry_until)
        q->in_retry = 0;
    promote_retries(m, qi, now_us);
    int64_t open_wake = MTA_NEVER;
    int holds_slot = q->holds_slot, opened = 0;
    q->holds_slot = 0;
    if (!q->in_retry && mta_ready_live(q)) {
        mta_conn_kick_idle(m, qi, now_us);
        while (wants_connection(&m->queues[qi]) &&
               mta_conn_try_open(m, qi, now_us, &open_wake))
            opened++; /* opening may make queues (a reroute): re-index */
    }
    q = &m->queues[qi];
    if (holds_slot && !opened && !q->waiting_slot)
        mta_conn_pass_slot(m, now_us); /* it could not use the slot */
    int64_t t = next_wake(m, q, open_wake, reenable);
    if (t != MTA_NEVER && t <= now_us)
        t = now_us + 1;
    mta_q_schedule(m, q, t);
}

/* ------------------------------------------------------------ accounting */

static const char *source_ip(const struct mta *m, const struct mta_queue *q,
                             int ip)
{
    return ip < 0 ? NULL : prov_world_ip(m->world, m->vmtas[q->vmta].wip[ip]);
}


/* The local part of an address is not kept (memory, privacy): records
 * name the recipient "r<id>@<domain>". */
void mta_acct_x(struct mta *m, const char *type, const struct mta_queue *q,
                uint32_t ri, int ip, const char *diag_type, const char *reply,
                int64_t now_us)
{
    if (ip >= 0) /* an answer from the provider to this source IP */
        obs_day_count(m->obs, q->prov, m->vmtas[q->vmta].wip[ip],
                      type[0] == 'd'   ? OBS_D_ACCEPTED
                      : type[0] == 'b' ? OBS_D_BOUNCED
                                       : OBS_D_DEFERRED);
    if (!obs_acct_on(m->obs))
        return;
    const struct mta_rcpt *r = &m->r[ri];
    char rcpt[300], src[140];
    snprintf(rcpt, sizeof(rcpt), "r%llu@%s", (unsigned long long)r->id,
             m->domains[r->domain].name);
    snprintf(src, sizeof(src), "[%s] (%s)", m->opt.source, m->opt.source);
    struct obs_acct a = {
        .type = type,
        .queued_us = r->enq_us,
        .logged_us = now_us,
        .rcpt = rcpt,
        .domain = m->domains[r->domain].name,
        .vmta = cfg_model_vmta(m->cfg, (size_t)q->vmta)->name,
        .source_ip = source_ip(m, q, ip),
        .queue = q->name,
        .reply = reply,
        .size = r->size,
        .diag_type = diag_type,
        .stream_ix = r->stream,
        .prov = q->prov,
        .pool = r->pool > 0 ? cfg_model_pool(m->cfg, r->pool - 1u)->name : NULL,
        .src_mta = src,
        .dest_ip = ip >= 0 ? m->acct_dip : NULL, /* an answer on a connection */
    };
    obs_acct(m->obs, &a);
}

void mta_acct(struct mta *m, const char *type, const struct mta_queue *q,
              uint32_t ri, int ip, const char *reply, int64_t now_us)
{
    mta_acct_x(m, type, q, ri, ip, NULL, reply, now_us);
}

void mta_acct_tq(struct mta *m, const struct mta_queue *q, int ip,
                 const char *reply, int64_t now_us)
{
    if (ip >= 0)
        obs_day_count(m->obs, q->prov, m->vmtas[q->vmta].wip[ip],
                      OBS_D_CONN_FAILURES);
    if (!obs_acct_on(m->obs))
        return;
    struct obs_acct a = {
        .type = "tq",
        .queued_us = now_us,
        .logged_us = now_us,
        .vmta = cfg_model_vmta(m->cfg, (size_t)q->vmta)->name,
        .source_ip = source_ip(m, q, ip),
        .queue = q->name,
        .reply = reply,
        .stream_ix = -1,
        .prov = q->prov,
        .dest_ip = m->acct_dip,
    };
    obs_acct(m->obs, &a);
}

/* ---------------------------------------------------------------- events */

void mta_handle(struct mta *m, const struct evq_event *ev)
{
    if (ev->kind == MTA_EV_QUEUE_WAKE) {
        struct mta_queue *q = &m->queues[ev->id];
        if (ev->gen != q->wake_gen)
            return; /* superseded by an earlier wake */
        q->wake_us = MTA_NEVER;
        mta_q_service(m, (uint32_t)ev->id, ev->t_us);
        return;
    }
    if (ev->kind == MTA_EV_RCPT_EXPIRE) {
        mta_expire_event(m, ev);
        return;
    }
    mta_conn_event(m, ev);
}

void mta_snapshot(struct mta *m, int64_t now_us)
{
    (void)now_us;
    for (size_t i = 0; i < m->n_queues; i++) {
        const struct mta_queue *q = &m->queues[i];
        uint32_t ready = mta_ready_live(q), retry = mta_live(&q->retry);
        uint64_t queued = (uint64_t)ready + retry + q->in_flight;
        obs_gauge(m->obs, (int)i, queued, ready, retry, q->conns, q->mode);
    }
}

void mta_finish(struct mta *m, int64_t now_us)
{
    for (size_t i = 0; i < m->n_queues; i++) {
        struct mta_queue *q = &m->queues[i];
        promote_retries(m, (uint32_t)i, now_us);
        if (q->mode == MTA_BACKOFF)
            q->backoff_total_s += (double)(now_us - q->backoff_since) / MTA_US;
        q->mode = MTA_NORMAL;
        uint64_t queued =
            (uint64_t)mta_ready_live(q) + mta_live(&q->retry) + q->in_flight;
        obs_queue_final(m->obs, (int)i, q->max_depth, q->backoff_total_s,
                        q->backoff_entries, q->last_delivery_us, queued);
    }
    mta_area_tick(m, now_us);
    obs_queued_integral(m->obs, m->area_us / MTA_US);
}

size_t mta_queue_count(const struct mta *m)
{
    return m->n_queues;
}

uint64_t mta_queued(const struct mta *m)
{
    return m->queued;
}

size_t mta_peak_recipients(const struct mta *m)
{
    return m->peak_live;
}
