/* mta.c - the PowerMTA delivery model: injection and routing, queues and
 * their modes (normal/backoff, retry), recipient FIFOs and expiry.
 *
 * Semantics follow shared/reference/pmta-config.md: a queue is
 * (queue-domain, VMTA) (§1.7); the VMTA is chosen once at injection
 * (§2.2: send-list VMTA or pool, else <source> default-virtual-mta, else
 * {default}; pools round-robin; cold VMTAs take the first N per day);
 * queue-level failures put the queue in retry mode with the retry-after
 * list, recipient-level 4xx wait retry-recipients-after (§2.6); backoff
 * swaps in the backoff-* limits until backoff-to-normal-after or the
 * first delivery (§2.7). Connections and transactions are in mta_conn.c. */
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

void mta_rcpt_free(struct mta *m, uint32_t ri, int64_t now_us)
{
    mta_area_tick(m, now_us);
    m->r[ri].next = m->r_free;
    m->r_free = ri;
    m->live--;
    m->queued--;
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

/* ----------------------------------------------------------- queue setup */

static double s_num(const struct cfg_qsettings *s, enum cfg_qid q)
{
    return s->v[q].num;
}

static double s_us(const struct cfg_qsettings *s, enum cfg_qid q)
{
    double x = s->v[q].num;
    return isinf(x) ? -1 : x * MTA_US;
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

/* queue_create - the queue queue_domain/vmta, registered with obs. */
static uint32_t queue_create(struct mta *m, const char *qd, int vmta, int prov)
{
    const struct cfg_vmta *v = cfg_model_vmta(m->cfg, (size_t)vmta);
    size_t len = strlen(qd) + strlen(v->name) + 2;
    char *name = xmalloc(len);
    snprintf(name, len, "%s/%s", qd, v->name);
    XGROW(m->queues, m->n_queues, m->cap_queues);
    uint32_t qi = (uint32_t)m->n_queues++;
    struct mta_queue *q = &m->queues[qi];
    memset(q, 0, sizeof(*q));
    q->name = name;
    q->vmta = vmta;
    q->prov = prov;
    struct cfg_qsettings s;
    cfg_model_queue_settings(m->cfg, qd, vmta, &s);
    qconf_fill(&q->c, &s);
    q->c.spl = s.v[CFG_Q_SMTP_PATTERN_LIST].set
                   ? cfg_model_spl(m->cfg, s.v[CFG_Q_SMTP_PATTERN_LIST].str)
                   : NULL;
    queue_rates(m, q);
    q->backoff_until = MTA_NEVER;
    q->wake_us = MTA_NEVER;
    q->idle_head = MTA_NIL;
    q->cold_day = -1;
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
    map_put(&m->queue_map, name, qi);
    obs_add_queue(m->obs, name, prov);
    return qi;
}

/* ----------------------------------------------------------- allocation */

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
        mv->pool = v->pool;
        for (size_t k = 0; k < v->n_ips; k++) {
            char ip[64];
            cfgv_format_cidr(&v->ips[k].ip, ip, sizeof(ip));
            /* A config without source IPs sends from the world's IP 0. */
            mv->wip[k] = strcmp(ip, "0.0.0.0") == 0
                             ? 0
                             : prov_world_add_ip(m->world, ip, -1, -1);
        }
    }
    m->n_pools = cfg_model_pool_count(m->cfg);
    m->pools = xcalloc(m->n_pools + 1, sizeof(*m->pools));
    for (size_t i = 0; i < m->n_pools; i++)
        m->pools[i].max_out = cfg_model_pool(m->cfg, i)->max_smtp_out;
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
    m->total_max = cfg_model_total_max_smtp_out(cfg);
    setup_vmtas(m);
    /* Without a <pattern-list> the recipient does not matter: route once. */
    m->inject_fixed = !cfg_model_injection_uses_rcpt(cfg, o->source);
    if (m->inject_fixed)
        cfg_model_injection_vmta(cfg, o->source, NULL, &m->inject_vmta,
                                 &m->inject_pool);
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
        free(q->ip_disabled_until);
        free(q->ip_conns);
        free((char *)q->name);
    }
    for (size_t i = 0; i < m->n_domains; i++) {
        free((char *)m->domains[i].name);
        free(m->domains[i].queue_by_vmta);
    }
    for (size_t i = 0; i < m->n_vmtas; i++) {
        mta_rate_release(&m->vmtas[i].msg_rl);
        mta_rate_release(&m->vmtas[i].data_rl);
        free(m->vmtas[i].wip);
    }
    map_release(&m->queue_map);
    map_release(&m->domain_map);
    free(m->queues);
    free(m->domains);
    free(m->vmtas);
    free(m->pools);
    free(m->conns);
    free(m->waiters);
    free(m->r);
    free(m);
}

/* -------------------------------------------------------------- routing */

static uint32_t domain_get(struct mta *m, const char *name)
{
    uint32_t di = map_get(&m->domain_map, name);
    if (di != MTA_NIL)
        return di;
    XGROW(m->domains, m->n_domains, m->cap_domains);
    di = (uint32_t)m->n_domains++;
    struct mta_domain *d = &m->domains[di];
    d->name = xstrdup(name);
    d->prov = prov_world_find(m->world, name);
    d->queue_by_vmta = xmalloc(m->n_vmtas * sizeof(*d->queue_by_vmta));
    for (size_t i = 0; i < m->n_vmtas; i++)
        d->queue_by_vmta[i] = MTA_NIL;
    map_put(&m->domain_map, d->name, di);
    return di;
}

/* queue_for - the queue of domain di through vmta (queue-to, rollup). */
static uint32_t queue_for(struct mta *m, uint32_t di, int vmta)
{
    struct mta_domain *d = &m->domains[di];
    if (d->queue_by_vmta[vmta] != MTA_NIL)
        return d->queue_by_vmta[vmta];
    const char *mx[8];
    char mxbuf[300], qd[300], key[700];
    size_t n_mx = d->prov >= 0 ? prov_world_mx(m->world, d->prov, d->name, mx,
                                               8, mxbuf, sizeof(mxbuf))
                               : 0;
    cfg_model_queue_domain(m->cfg, d->name, vmta, mx, n_mx, qd, sizeof(qd));
    snprintf(key, sizeof(key), "%s/%s", qd,
             cfg_model_vmta(m->cfg, (size_t)vmta)->name);
    uint32_t qi = map_get(&m->queue_map, key);
    if (qi == MTA_NIL)
        qi = queue_create(m, qd, vmta, d->prov);
    d->queue_by_vmta[vmta] = qi;
    return qi;
}

/* pick_vmta - the VMTA chosen at injection (UG5 §9.4). -1: unknown name.
 * *pool_out: the pool it was chosen from, or -1. */
static int pick_vmta(struct mta *m, const struct send_rec *r, int *pool_out)
{
    int vmta = -1, pool = -1;
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
    } else {
        cfg_model_injection_vmta(m->cfg, m->opt.source, r->rcpt, &vmta, &pool);
    }
    if (pool >= 0) {
        const struct cfg_pool *p = cfg_model_pool(m->cfg, (size_t)pool);
        if (p->n_members == 0)
            return -1;
        vmta = p->members[m->pools[pool].rr++ % p->n_members];
    }
    *pool_out = pool;
    return vmta;
}

/* cold_redirect - the first N per day of a queue's mail goes to one of its
 * VMTA's cold VMTAs (max-cold-virtual-mta-msg, UG5 §3.3.10.49). */
static int cold_redirect(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    const struct cfg_vmta *v = cfg_model_vmta(m->cfg, (size_t)q->vmta);
    if (v->n_cold == 0 || q->c.n_cold_per_day == 0)
        return -1;
    int64_t day = now_us / (int64_t)(86400 * MTA_US);
    if (day != q->cold_day) {
        q->cold_day = day;
        q->cold_used = 0;
    }
    size_t k = (size_t)day < q->c.n_cold_per_day ? (size_t)day
                                                 : q->c.n_cold_per_day - 1;
    if (q->cold_used >= q->c.cold_per_day[k])
        return -1;
    q->cold_used++;
    struct mta_vmta *mv = &m->vmtas[q->vmta];
    return v->cold[mv->rr_cold++ % v->n_cold];
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

void mta_inject(struct mta *m, const struct send_rec *r, int64_t now_us)
{
    int pool = -1;
    int vmta = pick_vmta(m, r, &pool);
    if (vmta < 0) {
        reject_at_injection(m, r, now_us);
        return;
    }
    uint32_t di = domain_get(m, r->domain);
    uint32_t qi = queue_for(m, di, vmta);
    int cold = cold_redirect(m, qi, now_us);
    if (cold >= 0)
        qi = queue_for(m, di, cold);
    uint32_t ri = rcpt_alloc(m);
    struct mta_rcpt *rc = &m->r[ri];
    rc->enq_us = now_us;
    rc->due_us = now_us;
    rc->id = r->id;
    rc->queue = qi;
    rc->domain = di;
    rc->size = r->size;
    rc->stream = (uint16_t)r->stream;
    rc->pool = (uint16_t)(pool + 1);
    rc->attempts = 0;
    rc->flags = (uint8_t)((r->invalid ? MTA_R_INVALID : 0) |
                          (r->complains ? MTA_R_COMPLAINS : 0));
    struct mta_queue *q = &m->queues[qi];
    mta_fifo_push(m, &q->ready, ri);
    mta_area_tick(m, now_us);
    m->queued++;
    uint64_t depth = (uint64_t)q->ready.n + q->retry.n + q->in_flight;
    if (depth > q->max_depth)
        q->max_depth = depth;
    obs_injected(m->obs, (int)qi, r->stream, now_us);
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
    evq_push(m->q, t_us, MTA_EV_QUEUE_WAKE, ++q->wake_gen,
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

static int expired(const struct mta_queue *q, const struct mta_rcpt *r,
                   int64_t now_us)
{
    return q->c.bounce_after_us >= 0 &&
           now_us - r->enq_us >= (int64_t)q->c.bounce_after_us;
}

static void expire(struct mta *m, uint32_t qi, uint32_t ri, int64_t now_us)
{
    struct mta_rcpt *r = &m->r[ri];
    mta_acct(m, "b", &m->queues[qi], ri, -1,
             "4.4.7 message expired (bounce-after)", now_us);
    obs_expired(m->obs, (int)qi, r->stream, now_us,
                (double)(now_us - r->enq_us) / MTA_US);
    mta_rcpt_free(m, ri, now_us);
}

/* promote_retries - recipients whose retry time has come go back to the
 * ready FIFO, unless they have expired meanwhile. */
static void promote_retries(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    while (q->retry.n && m->r[q->retry.head].due_us <= now_us) {
        uint32_t ri = mta_fifo_pop(m, &q->retry);
        if (expired(q, &m->r[ri], now_us))
            expire(m, qi, ri, now_us);
        else
            mta_fifo_push(m, &q->ready, ri);
    }
    mta_expire_heads(m, qi, now_us);
}

void mta_expire_heads(struct mta *m, uint32_t qi, int64_t now_us)
{
    struct mta_queue *q = &m->queues[qi];
    while (q->ready.n && expired(q, &m->r[q->ready.head], now_us))
        expire(m, qi, mta_fifo_pop(m, &q->ready), now_us);
}

void mta_bounce_queue(struct mta *m, struct mta_queue *q, int64_t now_us,
                      const char *reply)
{
    uint32_t qi = (uint32_t)(q - m->queues);
    struct mta_fifo *fifos[2] = { &q->ready, &q->retry };
    for (int k = 0; k < 2; k++)
        while (fifos[k]->n) {
            uint32_t ri = mta_fifo_pop(m, fifos[k]);
            mta_acct(m, "b", q, ri, -1, reply, now_us);
            obs_bounced(m->obs, (int)qi, q->prov, m->r[ri].stream, reply,
                        now_us);
            mta_rcpt_free(m, ri, now_us);
        }
}

/* reenable_sources - source IPs whose disable time is over. */
static int64_t reenable_sources(struct mta *m, struct mta_queue *q,
                                int64_t now_us)
{
    int64_t next = MTA_NEVER;
    for (size_t i = 0; i < m->vmtas[q->vmta].n_ips; i++) {
        int64_t t = q->ip_disabled_until[i];
        if (t == 0)
            continue;
        if (t <= now_us) {
            q->ip_disabled_until[i] = 0;
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
    if (q->ready.n && q->conns == 0 && q->c.bounce_after_us >= 0) {
        int64_t e = m->r[q->ready.head].enq_us + (int64_t)q->c.bounce_after_us;
        if (e < t)
            t = e;
    }
    return t;
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
    if (!q->in_retry && q->ready.n) {
        mta_conn_kick_idle(m, qi, now_us);
        while (q->ready.n > 0 && mta_conn_try_open(m, qi, now_us, &open_wake))
            ;
    }
    q = &m->queues[qi];
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
void mta_acct(struct mta *m, const char *type, const struct mta_queue *q,
              uint32_t ri, int ip, const char *reply, int64_t now_us)
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
        .stream_ix = r->stream,
        .prov = q->prov,
        .pool = r->pool > 0 ? cfg_model_pool(m->cfg, r->pool - 1u)->name : NULL,
        .src_mta = src,
    };
    obs_acct(m->obs, &a);
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
    mta_conn_event(m, ev);
}

void mta_snapshot(struct mta *m, int64_t now_us)
{
    (void)now_us;
    for (size_t i = 0; i < m->n_queues; i++) {
        const struct mta_queue *q = &m->queues[i];
        uint64_t queued = (uint64_t)q->ready.n + q->retry.n + q->in_flight;
        obs_gauge(m->obs, (int)i, queued, q->ready.n, q->retry.n, q->conns,
                  q->mode);
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
        uint64_t queued = (uint64_t)q->ready.n + q->retry.n + q->in_flight;
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
