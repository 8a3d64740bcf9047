/* provider.c - provider state per (provider, source IP) and the answers to
 * connections and transactions (docs/providers.md).
 *
 * prov_transact is the hot path (~10^7 calls per benchmark run): an array
 * index, a token-bucket refill and at most two keyed draws; it allocates
 * nothing and formats nothing. The daily work (reputation, age, moving
 * average of volume, blocks) runs at day boundaries in prov_world_advance.
 * Loading and validation live in prov_params.c, the world and its
 * lookup tables in prov_world.c. */
#include "provider/prov_int.h"
#include "util/strbuf.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replies of an accepting provider; the model has no say in them. */
static const char prov_banner[] = "220 ESMTP ready";
static const char prov_ok[] = "250 2.0.0 OK";

/* prov_emit - an event for events.csv, if anyone listens. */
static void prov_emit(const struct prov_world *w, double t,
                      const struct prov_state *st, int ip, const char *event,
                      const char *detail)
{
    if (w->event_fn)
        w->event_fn(w->event_ctx, t, st->cold->name, w->ips[ip].name, event,
                    detail);
}

/* ---- capacity (docs/providers.md) ---------------------------------------- */

/* prov_phi - phi(R) = clamp((R - zero_below) / (full_at - zero_below),
 * 0, 1)^power; 1 when reputation is not modelled [A, docs/providers.md]. */
static double prov_phi(const struct prov_model *m, double rep)
{
    const struct prov_rep_params *p = &m->rep;

    if (!p->on)
        return 1;
    double x = (rep - p->phi_zero_below) / (p->phi_full_at - p->phi_zero_below);
    return pow(fmin(fmax(x, 0), 1), p->phi_power);
}

/* prov_age_term - C0 * G(a), G(a) = product of the daily growth factors
 * g1 (days 0-6), g2 (7-13), g3 (14+), continuous in a (§4.2). */
static double prov_age_term(const struct prov_cap_params *c, double age)
{
    double w1 = fmin(age, 7);
    double w2 = fmin(fmax(age - 7, 0), 7);
    double w3 = fmax(age - 14, 0);
    double lg = w1 * log(c->growth[0]) + w2 * log(c->growth[1]) +
                w3 * log(c->growth[2]);

    return fmin(c->initial_per_hour * exp(fmin(lg, 100)), PROV_HUGE);
}

/* prov_capacity - C = phi(R) * min(Cmax, C0 G(a), beta max(Vbar, Vfloor)
 * / H), in msgs/hour (§3). */
static double prov_capacity(const struct prov_model *m,
                            const struct prov_cold *c_st)
{
    const struct prov_cap_params *c = &m->cap;

    if (!c->limited)
        return PROV_HUGE;
    double cap = fmin(c->max_per_hour, prov_age_term(c, c_st->age_days));
    if (c->history_factor > 0)
        cap = fmin(cap, c->history_factor *
                            fmax(c_st->vbar_per_day, c->history_floor_per_day) /
                            c->active_hours);
    return prov_phi(m, c_st->reputation) * cap;
}

/* prov_day_cap - what the receiver accepts from the IP in one calendar
 * day: phi(R) * min(f * ceiling(a), week-1 cap while a < 7, beta *
 * max(Vbar, Vfloor)) (§3). The hourly allowance alone, refilled around
 * the clock, would let twice its H-hour figure through in a day; these
 * are daily limits as receivers state them (Outlook 20,000 a day in a
 * new IP's first week) and the upper anchor of a new IP's ramp. */
static double prov_day_cap(const struct prov_model *m,
                           const struct prov_cold *c_st)
{
    const struct prov_cap_params *c = &m->cap;
    double cap = PROV_HUGE;

    if (!c->limited)
        return PROV_HUGE;
    if (c_st->age_days >= 0 && c_st->age_days < (double)c->n_ceiling)
        cap = c->ceiling_factor * c->ceiling[(size_t)c_st->age_days];
    if (c->week1_cap_per_day > 0 && c_st->age_days < 7)
        cap = fmin(cap, c->week1_cap_per_day);
    if (c->history_factor > 0)
        cap = fmin(cap, c->history_factor *
                            fmax(c_st->vbar_per_day, c->history_floor_per_day));
    return cap >= PROV_HUGE ? PROV_HUGE : prov_phi(m, c_st->reputation) * cap;
}

/* prov_bucket_size - burst_minutes of capacity, at least one message;
 * none at zero capacity. */
static double prov_bucket_size(const struct prov_model *m, double cap)
{
    if (cap <= 0)
        return 0;
    return fmax(1, cap / 60 * m->cap.burst_minutes);
}

/* prov_conn_tolerance - sessions tolerated per IP: ceil(N max(phi(R),
 * 1/N)) with reputation, N without [A shape, docs/providers.md]; 0 when
 * the model sets no limit. Kept in the state with the capacity (it
 * changes with the reputation, once a day). */
static int prov_conn_tolerance(const struct prov_model *m, double rep)
{
    int n = m->conn.max_per_ip;

    if (n <= 0 || !m->rep.on)
        return n > 0 ? n : 0;
    return (int)ceil(n * fmax(prov_phi(m, rep), 1.0 / n));
}

/* prov_set_rate - the capacity in force (times rho inside an episode)
 * and the bucket's size at it, kept in the state because every call
 * refills the bucket and these change only with the capacity or an
 * episode. */
static void prov_set_rate(const struct prov_model *m, struct prov_state *st)
{
    st->cap_now = st->in_episode
                      ? st->cold->cap_per_hour * m->ep.capacity_factor
                      : st->cold->cap_per_hour;
    st->bucket_max = prov_bucket_size(m, st->cap_now);
}

/* prov_min - fmin(a, b) to the bit (for equal operands, b, as glibc's),
 * inlined: fmin is a library call, and the bucket refill on every
 * connection and transaction needs one. */
static inline double prov_min(double a, double b)
{
    if (isnan(a))
        return b;
    if (isnan(b))
        return a;
    return a < b ? a : b;
}

/* prov_fill - add the tokens earned up to to_s at the current rate. */
static void prov_fill(struct prov_state *st, double to_s)
{
    if (to_s <= st->bucket_s)
        return;
    st->tokens = prov_min(st->bucket_max, st->tokens + (to_s - st->bucket_s) *
                                                           st->cap_now / 3600);
    st->bucket_s = to_s;
}

/* prov_refill - bring the bucket to now_s, ending an episode on the way
 * so each stretch refills at its own rate. */
static void prov_refill(const struct prov_world *w, const struct prov_model *m,
                        struct prov_state *st, int ip, double now_s)
{
    if (st->in_episode && st->ep_until_s <= now_s) {
        prov_fill(st, st->ep_until_s);
        st->in_episode = 0;
        prov_set_rate(m, st);
        prov_emit(w, st->ep_until_s, st, ip, "episode-end", "");
    }
    prov_fill(st, now_s);
}

/* prov_recompute - new capacity after a daily update; the bucket keeps
 * its tokens up to the new size. */
static void prov_recompute(const struct prov_model *m, struct prov_state *st)
{
    st->cold->cap_per_hour = prov_capacity(m, st->cold);
    st->day_cap = prov_day_cap(m, st->cold);
    st->conn_tol = prov_conn_tolerance(m, st->cold->reputation);
    prov_set_rate(m, st);
    st->tokens = fmin(st->tokens, st->bucket_max);
}

/* ---- episodes ------------------------------------------------------------ */

/* prov_recent_episodes - episodes started in the 24 h before now_s. */
static unsigned prov_recent_episodes(const struct prov_state *st, double now_s)
{
    uint64_t n = st->cold->n_episodes < PROV_EP_RING ? st->cold->n_episodes
                                                     : PROV_EP_RING;
    unsigned k = 0;

    for (uint64_t i = 0; i < n; i++)
        if (st->cold->ep_start_s[i] > now_s - PROV_DAY_S)
            k++;
    return k;
}

/* prov_episode_start - an episode from now_s: lognormal duration, times
 * repeat_factor per episode in the last 24 h, capped at max_s [A, §4.2]. */
static void prov_episode_start(const struct prov_world *w,
                               const struct prov_model *m,
                               struct prov_state *st, int ip, double now_s,
                               struct rng *g)
{
    const struct prov_ep_params *e = &m->ep;
    gsl_rng *r =
        rng_at(g, RNG_EPISODE_LEN, st->cold->key, st->cold->n_episodes);
    double d = gsl_ran_lognormal(r, log(e->median_s), e->sigma) *
               pow(e->repeat_factor, prov_recent_episodes(st, now_s));
    char detail[64];

    if (e->max_s > 0)
        d = fmin(d, e->max_s);
    st->cold->ep_start_s[st->cold->n_episodes % PROV_EP_RING] = now_s;
    st->cold->n_episodes++;
    st->in_episode = 1;
    st->ep_until_s = now_s + d;
    prov_set_rate(m, st);
    st->tokens = fmin(st->tokens, st->bucket_max);
    if (w->event_fn) {
        snprintf(detail, sizeof(detail), "duration_s=%.0f", d);
        prov_emit(w, now_s, st, ip, "episode-start", detail);
    }
}

/* prov_offer_window - the window just ended held `offered` first
 * attempts against an allowance of C * (window + burst): at a ratio r =
 * offered / allowance above 1, start an episode with probability 1 -
 * exp(-hazard * (r - 1)). Only first attempts count: an episode answers the
 * sender's rate, not the retries of mail it already deferred, so a backlog
 * being retried cannot keep an IP throttled once the sender backs off. */
static void prov_offer_window(const struct prov_world *w,
                              const struct prov_model *m, struct prov_state *st,
                              int ip, double now_s, struct rng *g)
{
    if (st->in_episode || st->win_offered <= 0)
        return;
    /* What the receiver's own limiter lets through in a window: the
     * window's share plus the burst its bucket tolerates. Poisson noise
     * around the allowance is no overshoot. Outside an episode the rate
     * in force is cap_per_hour (and it is in the hot part of the state:
     * a long-tail receiver starts a new window on most of its messages). */
    double allowed =
        st->cap_now * (m->ep.window_s + 60 * m->cap.burst_minutes) / 3600;
    double r = allowed > 0 ? st->win_offered / allowed : HUGE_VAL;
    if (r <= 1)
        return;
    double p = -expm1(-m->ep.hazard * fmin(r - 1, 1e6));
    if (rng_uniform(g, RNG_EPISODE, st->cold->key, (uint64_t)st->win_idx) < p)
        prov_episode_start(w, m, st, ip, now_s, g);
}

/* prov_offer - count a first attempt in its window; a new window first
 * settles the one before it. */
static void prov_offer(const struct prov_world *w, const struct prov_model *m,
                       struct prov_state *st, int ip, double now_s,
                       struct rng *g)
{
    int64_t idx = (int64_t)floor(now_s / m->ep.window_s);

    if (idx != st->win_idx) {
        prov_offer_window(w, m, st, ip, now_s, g);
        st->win_idx = idx;
        st->win_offered = 0;
    }
    st->win_offered++;
}

/* ---- blocks -------------------------------------------------------------- */

/* prov_block - block the IP from t for at least min_hours. */
static void prov_block(const struct prov_world *w, const struct prov_model *m,
                       struct prov_state *st, int ip, double t)
{
    char detail[64];

    st->blocked = 1;
    st->cold->block_release = 0;
    st->cold->block_until_s = t + m->block.min_s;
    if (w->event_fn) {
        snprintf(detail, sizeof(detail), "reputation=%.3f",
                 st->cold->reputation);
        prov_emit(w, t, st, ip, "block", detail);
    }
}

/* prov_unblock_check - lift a released block once its minimum is over. */
static void prov_unblock_check(const struct prov_world *w,
                               struct prov_state *st, int ip, double now_s)
{
    char detail[64];

    if (!st->blocked || !st->cold->block_release ||
        now_s < st->cold->block_until_s)
        return;
    st->blocked = 0;
    st->cold->block_release = 0;
    if (w->event_fn) {
        snprintf(detail, sizeof(detail), "reputation=%.3f",
                 st->cold->reputation);
        prov_emit(w, st->cold->block_until_s, st, ip, "unblock", detail);
    }
}

/* prov_block_update - at a day boundary: block below the threshold;
 * release once reputation is back above it. */
static void prov_block_update(const struct prov_world *w,
                              const struct prov_model *m, struct prov_state *st,
                              int ip, double t)
{
    if (!m->block.on)
        return;
    if (st->cold->reputation < m->block.below) {
        if (!st->blocked)
            prov_block(w, m, st, ip, t);
        st->cold->block_release = 0;
        return;
    }
    if (st->blocked && !st->cold->block_release) {
        st->cold->block_release = 1;
        st->cold->block_until_s = fmax(st->cold->block_until_s, t);
    }
    prov_unblock_check(w, st, ip, t);
}

/* ---- states -------------------------------------------------------------- */

/* prov_state_key - the keyed-draw entity of (provider, IP). */
static uint64_t prov_state_key(const char *prov, const char *ip)
{
    uint64_t h = rng_hash64(prov);

    return h ^ (rng_hash64(ip) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

/* prov_state_texts - the model's replies with "{ip}" replaced by the IP,
 * interned so equal texts share one pointer. */
static void prov_state_texts(struct prov_world *w, const struct prov_model *m,
                             struct prov_state *st, const char *ip)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (int i = 0; i < PROV_N_TEXT; i++) {
        const char *p = m->tmpl[i], *hit;
        strbuf_reset(&sb);
        while ((hit = strstr(p, "{ip}")) != NULL) {
            strbuf_add(&sb, p, (size_t)(hit - p));
            strbuf_adds(&sb, ip);
            p = hit + 4;
        }
        strbuf_adds(&sb, p);
        st->cold->text[i] = prov_htab_put(&w->texts, sb.buf, 0);
    }
    strbuf_release(&sb);
}

/* prov_state_init - the state of IP ip at provider m at time 0. An IP
 * with reputation < 0 gets "initial" below one active day of age, else
 * "established"; an IP with some age is assumed to have sent at its age
 * capacity (Vbar = min(Cmax, C0 G(a)) * H), so the history cap does not
 * bind for established IPs until their real volume replaces it [A]. */
static void prov_state_init(struct prov_world *w, const struct prov_group *g,
                            int ip)
{
    const struct prov_model *m = g->m;
    const struct prov_ip *p = &w->ips[ip];
    struct prov_state *st = &g->states[ip];

    memset(st, 0, sizeof(*st));
    st->cold = &g->colds[ip];
    memset(st->cold, 0, sizeof(*st->cold));
    st->cold->name = g->name;
    st->cold->key = prov_state_key(g->name, p->name);
    prov_state_texts(w, m, st, p->name);
    st->cold->age_days = p->age_days;
    st->cold->reputation = p->reputation >= 0 ? p->reputation
                           : p->age_days < 1  ? m->rep.initial
                                              : m->rep.established;
    if (p->vbar_per_day >= 0)
        st->cold->vbar_per_day = p->vbar_per_day;
    else if (m->cap.limited && st->cold->age_days >= 1)
        st->cold->vbar_per_day =
            fmin(m->cap.max_per_hour,
                 prov_age_term(&m->cap, st->cold->age_days)) *
            m->cap.active_hours;
    st->cold->cap_per_hour = prov_capacity(m, st->cold);
    st->day_cap = prov_day_cap(m, st->cold);
    st->conn_tol = prov_conn_tolerance(m, st->cold->reputation);
    prov_set_rate(m, st);
    st->tokens = st->bucket_max;
    if (m->block.on && st->cold->reputation < m->block.below)
        prov_block(w, m, st, ip, 0);
}

/* prov_state_add - a state for IP ip (the next one) in group g. */
/* PROV_LINE - the cache-line size the hot states are aligned to. */
#define PROV_LINE 64
_Static_assert(sizeof(struct prov_state) <= 2 * PROV_LINE,
               "a provider state's hot part must fit in two cache lines");

/* prov_group_grow - room for one more state in g: the hot states move to
 * a new aligned block, the cold ones are reallocated, and each hot state
 * points at its cold part again. */
static void prov_group_grow(struct prov_group *g)
{
    size_t cap = g->cap_states ? 2 * g->cap_states : 8;
    void *mem = xmalloc(cap * sizeof(struct prov_state) + PROV_LINE - 1);
    struct prov_state *states =
        (struct prov_state *)(((uintptr_t)mem + PROV_LINE - 1) &
                              ~(uintptr_t)(PROV_LINE - 1));

    if (g->n_states > 0)
        memcpy(states, g->states, g->n_states * sizeof(*states));
    free(g->states_mem);
    g->states_mem = mem;
    g->states = states;
    g->colds = xreallocarray(g->colds, cap, sizeof(*g->colds));
    g->cap_states = cap;
    for (size_t i = 0; i < g->n_states; i++)
        g->states[i].cold = &g->colds[i];
}

/* prov_state_add - a state for IP ip (the next one) in group g. */
void prov_state_add(struct prov_world *w, struct prov_group *g, int ip)
{
    if (g->n_states >= g->cap_states)
        prov_group_grow(g);
    g->n_states++;
    prov_state_init(w, g, ip);
}

void prov_group_release(struct prov_group *g)
{
    free(g->states_mem);
    free(g->colds);
    g->states = NULL;
    g->states_mem = NULL;
    g->colds = NULL;
    g->n_states = g->cap_states = 0;
}

/* prov_group_of - the group of a target (prov_world_target). */
static struct prov_group *prov_group_of(const struct prov_world *w, int target)
{
    return &w->groups[target];
}

void prov_world_set_history(struct prov_world *w, int ip, double vbar_per_day)
{
    w->ips[ip].vbar_per_day = vbar_per_day;
    for (size_t i = 0; i < w->n_groups; i++) {
        struct prov_group *g = &w->groups[i];
        if ((size_t)ip < g->n_states)
            prov_state_init(w, g, ip);
    }
}

/* prov_tail_new - a group of its own for long-tail domain d of model
 * prov, with a state for every IP known. */
static int prov_tail_new(struct prov_world *w, int prov, const char *d)
{
    int id = (int)w->n_tails;

    XGROW(w->groups, w->n_groups, w->cap_groups);
    struct prov_group *g = &w->groups[w->n_groups++];
    memset(g, 0, sizeof(*g));
    g->m = w->models[prov];
    g->name = prov_htab_put(&w->tail_ids, d, id);
    w->n_tails++;
    for (size_t i = 0; i < w->n_ips; i++)
        prov_state_add(w, g, (int)i);
    return id;
}

int prov_world_target(struct prov_world *w, int prov, const char *domain)
{
    if (prov < 0 || prov != w->wildcard || w->models[prov]->tail_domains <= 1)
        return prov;
    int id = prov_htab_find(&w->tail_ids, domain);
    if (id < 0 && w->n_tails < w->models[prov]->tail_domains)
        id = prov_tail_new(w, prov, domain);
    if (id < 0) /* beyond the limit: share a state by name */
        id = (int)(rng_hash64(domain) % w->n_tails);
    return (int)w->n_models + id; /* its group's index */
}

int prov_world_add_ip(struct prov_world *w, const char *ip, double age_days,
                      double reputation)
{
    int known = prov_htab_find(&w->ip_index, ip);
    if (known >= 0)
        return known;
    prov_htab_put(&w->ip_index, ip, (int)w->n_ips);
    XGROW(w->ips, w->n_ips, w->cap_ips);
    struct prov_ip *p = &w->ips[w->n_ips];
    p->name = xstrdup(ip);
    p->age_days = age_days < 0 ? 365 : age_days;
    p->reputation = reputation > 1 ? 1 : reputation;
    p->vbar_per_day = -1;
    int idx = (int)w->n_ips++;
    for (size_t i = 0; i < w->n_groups; i++)
        prov_state_add(w, &w->groups[i], idx);
    return idx;
}

/* ---- answers ------------------------------------------------------------- */

/* prov_stream - the keyed stream (purpose, entity, attempt) positioned
 * for drawing, or NULL when nothing will be drawn from it. */
static gsl_rng *prov_stream(struct rng *g, int draws, enum rng_purpose purpose,
                            uint64_t entity, uint64_t attempt)
{
    return draws ? rng_at(g, purpose, entity, attempt) : NULL;
}

/* prov_random - whether latencies from d are drawn (r is read). */
static int prov_random(const struct prov_dist *d)
{
    return d->kind == PROV_DIST_EXPONENTIAL || d->kind == PROV_DIST_LOGNORMAL;
}

/* prov_draw - a latency from d, drawn from the positioned stream r (not
 * read for "fixed" or an absent distribution). */
static double prov_draw(const struct prov_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case PROV_DIST_NONE:
        return 0;
    case PROV_DIST_FIXED:
        return d->value_s;
    case PROV_DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, d->value_s);
    case PROV_DIST_LOGNORMAL:
        /* exp of a ziggurat normal: the same law as gsl_ran_lognormal,
         * at half the cost (one of the hottest draws of a run). */
        return exp(d->mu + d->sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
    }
    return 0;
}

/* prov_answer - the model's reply id; a 421 closes the connection. */
static void prov_answer(struct prov_reply *out, const struct prov_model *m,
                        const struct prov_state *st, enum prov_text_id id,
                        enum prov_reason why, double latency_s)
{
    int code = m->code[id];

    out->outcome = code >= 500 ? PROV_REJECT : PROV_DEFER;
    out->reason = why;
    out->code = code;
    out->text = st->cold->text[id];
    out->closes = code == 421;
    out->latency_s = latency_s;
}

/* prov_accept - a 2xx reply. */
static void prov_accept(struct prov_reply *out, int code, const char *text,
                        double latency_s)
{
    out->outcome = PROV_ACCEPT;
    out->reason = PROV_OK;
    out->code = code;
    out->text = text;
    out->closes = 0;
    out->latency_s = latency_s;
}

/* prov_prefetch - the model of target prov, with the state of ip asked
 * into the cache: a long-tail receiver's state is seldom there (thousands
 * of them), so callers fetch it while they draw the latency, which needs
 * only the model (keyed draws come out the same in any order). */
static const struct prov_model *prov_prefetch(const struct prov_world *w,
                                              int prov, int ip)
{
    const struct prov_group *grp = prov_group_of(w, prov);
#if defined(__GNUC__)
    const char *p = (const char *)&grp->states[ip];
    __builtin_prefetch(p, 1);
    __builtin_prefetch(p + PROV_LINE, 1);
#else
    (void)ip;
#endif
    return grp->m;
}

/* prov_enter - the state of (prov, ip), brought to now_s: day boundaries
 * passed, bucket refilled, episode and block ends noticed. */
static struct prov_state *prov_enter(struct prov_world *w, int prov, int ip,
                                     double now_s, struct prov_model **mp)
{
    if (now_s >= w->next_day_s)
        prov_world_advance(w, now_s);
    struct prov_group *grp = prov_group_of(w, prov);
    struct prov_model *m = grp->m;
    struct prov_state *st = &grp->states[ip];
    if (m->cap.limited)
        prov_refill(w, m, st, ip, now_s);
    if (st->blocked)
        prov_unblock_check(w, st, ip, now_s);
    *mp = m;
    return st;
}

void prov_connect(struct prov_world *w, int prov, int ip, double now_s,
                  struct rng *g, uint64_t conn_id, struct prov_reply *out)
{
    struct prov_model *m;
    const struct prov_dist *d = &prov_prefetch(w, prov, ip)->lat_connect;
    double lat =
        prov_draw(d, prov_stream(g, prov_random(d), RNG_CONNECT, conn_id, 0));
    struct prov_state *st = prov_enter(w, prov, ip, now_s, &m);

    /* A blocked IP is refused at MAIL/RCPT, not at the greeting: the
     * block replies of docs/providers.md (S3150, 5.7.1, TSS09) are
     * transaction replies, so each recipient bounces on its own attempt
     * rather than a 5xx greeting bouncing the whole queue. */
    if (st->conn_tol > 0 && st->open_conns >= st->conn_tol) {
        prov_answer(out, m, st, PROV_T_CONN, PROV_CONN_LIMIT, lat);
        out->closes = 1;
        return;
    }
    st->open_conns++;
    prov_accept(out, 220, prov_banner, lat);
}

void prov_disconnect(struct prov_world *w, int prov, int ip, double now_s)
{
    struct prov_state *st = &prov_group_of(w, prov)->states[ip];

    (void)now_s;
    if (st->open_conns > 0)
        st->open_conns--;
}

void prov_data(struct prov_world *w, int prov, int ip, double now_s,
               struct rng *g, const struct prov_rcpt *r, struct prov_reply *out)
{
    const struct prov_model *m = prov_group_of(w, prov)->m;
    (void)ip, (void)now_s; /* the share is the same for every IP and time */
    prov_accept(out, 250, prov_ok, 0);
    if (m->data_rate <= 0 ||
        rng_uniform(g, RNG_DATA, r->id, r->attempt) >= m->data_rate)
        return;
    out->code = m->data_code;
    out->outcome = m->data_code >= 500 ? PROV_REJECT : PROV_DEFER;
    out->reason = PROV_TRANSIENT;
    out->text = m->data_text;
    out->closes = m->data_code == 421;
}

void prov_transact(struct prov_world *w, int prov, int ip, double now_s,
                   struct rng *g, const struct prov_rcpt *r,
                   uint32_t msgs_before, struct prov_reply *out)
{
    struct prov_model *m;
    const struct prov_model *pm = prov_prefetch(w, prov, ip);
    /* The attempt's stream: the latency's draws, then the uniform of a
     * random temporary failure, taken now because an episode's draws
     * below reposition g's stream. */
    gsl_rng *at =
        prov_stream(g, prov_random(&pm->lat_message) || pm->transient_rate > 0,
                    RNG_MESSAGE, r->id, r->attempt);
    double lat = prov_draw(&pm->lat_message, at);
    double u_transient = /* 1 (never below the rate) without failures */
        pm->transient_rate > 0 ? gsl_rng_uniform(at) : 1;
    struct prov_state *st = prov_enter(w, prov, ip, now_s, &m);

    st->day_attempts++;
    if (r->attempt == 0)
        st->day_offered++;
    if (m->ep.on && r->attempt == 0 && !st->blocked)
        prov_offer(w, m, st, ip, now_s, g);
    if (st->blocked) {
        prov_answer(out, m, st, PROV_T_BLOCK, PROV_BLOCKED, lat);
    } else if (m->conn.max_msgs_per_conn > 0 &&
               msgs_before >= m->conn.max_msgs_per_conn) {
        prov_answer(out, m, st, PROV_T_MSG_CAP, PROV_MSG_CAP, lat);
        out->closes = 1;
    } else if (m->cap.limited &&
               (st->tokens < 1 || st->day_accepted >= st->day_cap)) {
        /* Throttling comes first, for unknown users too: a provider that
         * defers the IP does not get as far as RCPT. Otherwise a throttled
         * IP's unknown-user rate would be inflated (only unknowns answered). */
        prov_answer(out, m, st, PROV_T_THROTTLE,
                    st->in_episode ? PROV_EPISODE : PROV_RATE_LIMIT, lat);
    } else if (r->invalid && m->unknown_on) {
        st->day_unknown++; /* answered, but takes no capacity (§4.2) */
        prov_answer(out, m, st, PROV_T_UNKNOWN, PROV_UNKNOWN_USER, lat);
    } else if (u_transient < m->transient_rate) {
        prov_answer(out, m, st, PROV_T_TRANSIENT, PROV_TRANSIENT, lat);
    } else {
        if (m->cap.limited)
            st->tokens -= 1;
        st->day_accepted++;
        if (r->complains)
            st->day_complaints++;
        prov_accept(out, 250, prov_ok, lat);
    }
}

/* ---- daily update -------------------------------------------------------- */

/* prov_rate_bound - the lower end of the one-sided confidence interval
 * of a rate seen k times in n: what the day proves at least, so one
 * complaint among 200 deliveries (0.5 % seen, 0.026 % proven) is noise,
 * while 50 among 10,000 proves more than 0.38 %. The exact Poisson
 * (Garwood) bound, gamma quantile / n: for the small rates judged here it
 * equals the binomial Clopper-Pearson bound to three digits, and unlike
 * GSL's inverse beta it converges for millions of messages. */
static double prov_rate_bound(double k, double n, double confidence)
{
    if (k <= 0 || n <= 0)
        return 0;
    double lo = gsl_cdf_gamma_Pinv(1 - confidence, k, 1) / n;
    return fmin(lo, k / n);
}

/* prov_rep_update - R += (R_target - R) / tau_rec + drive, clamped to
 * [0, 1] (docs/providers.md). c and u are the day's complaint rate (per
 * delivered) and unknown-user rate (per recipient answered), each taken at
 * the lower confidence bound, so small days prove little, and the drive
 * is scaled down on days below evidence_volume recipients; spike s =
 * delivered / recent peak. */
static void prov_rep_update(const struct prov_model *m, struct prov_state *st)
{
    const struct prov_rep_params *p = &m->rep;
    double acc = st->day_accepted, seen = acc + st->day_unknown;
    double c = prov_rate_bound(st->day_complaints, acc, p->confidence);
    double u = prov_rate_bound(st->day_unknown, seen, p->confidence);
    double drive = 0;

    drive -=
        p->w_complaint * fmax(0, c - p->complaint_soft) / p->complaint_soft;
    drive -= p->w_complaint_hard * fmax(0, c - p->complaint_hard) /
             p->complaint_hard;
    drive -= p->w_unknown * fmax(0, u - p->unknown_soft) / p->unknown_soft;
    if (st->cold->vbar_per_day > 0 && acc > 0)
        drive -= p->w_spike * fmax(0, log2(acc / st->cold->vbar_per_day) - 1);
    /* A receiver that saw few messages from the IP has little to judge
     * it by: the verdict weighs in full from evidence_volume a day. */
    if (p->evidence_volume > 0)
        drive *= fmin(1, seen / p->evidence_volume);
    double target = c < p->complaint_soft && u < p->unknown_soft
                        ? p->target
                        : st->cold->reputation;
    double r = st->cold->reputation +
               (target - st->cold->reputation) / p->recovery_days + drive;
    st->cold->reputation = fmin(fmax(r, 0), 1);
}

/* prov_vbar_update - the recent peak of daily volume: today's if
 * higher, else the peak decayed with the configured half-life (idle weeks
 * pull it down). Today's volume is what was accepted, or what the sender
 * offered (first attempts; the receiver sees them before it defers) up
 * to beta times the peak: after an overshoot the allowance keeps growing
 * with the demand it saw, so the backlog drains within days instead of
 * waiting for deliveries the allowance itself holds back. A peak, not an
 * average: an allowance of beta x yesterday lets a plan grow by beta a
 * day, where an average with a week's half-life capped growth near
 * 1.1-1.2x a day. */
static void prov_vbar_update(const struct prov_model *m, struct prov_state *st)
{
    double decayed = st->cold->vbar_per_day * exp2(-1 / m->cap.half_life_days);
    double seen = fmax(st->day_accepted,
                       fmin(st->day_offered,
                            m->cap.history_factor * fmax(st->cold->vbar_per_day,
                                                         st->day_accepted)));

    st->cold->vbar_per_day = fmax(seen, decayed);
}

/* prov_day_end - the daily update of one state at day boundary t. */
/* prov_day_report - the day's figures of an IP that sent, for events.csv:
 * what a postmaster dashboard would show (reputation, age, allowance). */
static void prov_day_report(const struct prov_world *w,
                            const struct prov_state *st, int ip, double t,
                            const double day[3])
{
    char detail[200];
    double cap = st->cold->cap_per_hour;
    snprintf(detail, sizeof(detail),
             "reputation=%.3f age_days=%.0f capacity_per_hour=%.0f "
             "recent_volume_per_day=%.0f accepted=%.0f unknown=%.0f "
             "complaints=%.0f",
             st->cold->reputation, st->cold->age_days,
             cap >= PROV_HUGE ? -1 : cap, st->cold->vbar_per_day, day[0],
             day[1], day[2]);
    prov_emit(w, t, st, ip, "day", detail);
}

static void prov_day_end(struct prov_world *w, struct prov_model *m,
                         struct prov_state *st, int ip, double t)
{
    int active = st->day_accepted > 0 || st->day_unknown > 0 ||
                 st->in_episode || st->blocked;
    double day[3] = { st->day_accepted, st->day_unknown, st->day_complaints };
    if (m->cap.limited)
        prov_refill(w, m, st, ip, t);
    if (m->rep.on)
        prov_rep_update(m, st);
    /* Age counts calendar days of sending, as receivers and PowerMTA's
     * warm-up do; a volume threshold would stop the clock of a throttled
     * IP exactly when it needs to age out of its limits. */
    if (st->day_attempts > 0 && st->day_attempts >= m->cap.active_day_min)
        st->cold->age_days += 1;
    prov_vbar_update(m, st);
    st->day_accepted = st->day_unknown = st->day_complaints = 0;
    st->day_attempts = st->day_offered = 0;
    prov_block_update(w, m, st, ip, t);
    prov_recompute(m, st);
    /* Daily figures for the named receivers only: thousands of long-tail
     * domains a day would swamp events.csv (and cost a third of a run). */
    if (active && st->cold->name == m->name)
        prov_day_report(w, st, ip, t, day);
}

void prov_world_advance(struct prov_world *w, double now_s)
{
    while (w->next_day_s <= now_s) {
        double t = w->next_day_s;
        for (size_t i = 0; i < w->n_groups; i++) {
            struct prov_group *g = &w->groups[i];
            for (size_t j = 0; j < g->n_states; j++)
                prov_day_end(w, g->m, &g->states[j], (int)j, t);
        }
        w->next_day_s += PROV_DAY_S;
    }
    for (size_t i = 0; i < w->n_groups; i++) {
        struct prov_group *g = &w->groups[i];
        for (size_t j = 0; j < g->n_states; j++) {
            if (g->m->cap.limited)
                prov_refill(w, g->m, &g->states[j], (int)j, now_s);
            prov_unblock_check(w, &g->states[j], (int)j, now_s);
        }
    }
}

void prov_world_view(const struct prov_world *w, int prov, int ip, double now_s,
                     struct prov_ip_view *v)
{
    const struct prov_group *grp = prov_group_of(w, prov);
    const struct prov_model *m = grp->m;
    const struct prov_state *st = &grp->states[ip];
    int ep = st->in_episode && st->ep_until_s > now_s;

    v->reputation = st->cold->reputation;
    v->age_days = st->cold->age_days;
    v->in_episode = ep;
    v->blocked = st->blocked &&
                 !(st->cold->block_release && now_s >= st->cold->block_until_s);
    v->open_connections = st->open_conns;
    v->recent_volume_per_day = st->cold->vbar_per_day;
    v->max_connections = st->conn_tol;
    v->capacity_per_day =
        st->day_cap >= PROV_HUGE || !m->cap.limited ? HUGE_VAL : st->day_cap;
    if (!m->cap.limited)
        v->capacity_per_hour = HUGE_VAL;
    else
        v->capacity_per_hour =
            st->cold->cap_per_hour * (ep ? m->ep.capacity_factor : 1);
}
