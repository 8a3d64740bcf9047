/* sl_gen.c - the send-list generator: per-stream arrival processes merged
 * in time order.
 *
 * Poisson streams are non-homogeneous Poisson processes with a rate that
 * is constant within each hour: rate(day, h) = volume(day) * w[h] /
 * sum(w) per hour. Each arrival draws E ~ Exp(1) (keyed on the stream and
 * the arrival's number) and walks forward until the integrated rate has
 * grown by E (the time-change theorem: Cinlar, "Introduction to Stochastic
 * Processes", 1975, §4.1; Lewis and Shedler, 1979). Blast streams send
 * round(volume(day)) recipients a day, evenly spaced over [at, at +
 * spread). Days and hours count from the scenario start.
 *
 * Per recipient (keyed on its id, so the list is the same whatever
 * consumes it): the domain by share (Walker's alias tables, GSL
 * gsl_ran_discrete); "*" draws from a long tail of generic domains
 * "tail0000.example", "tail0001.example", ... (1000 unless the scenario's
 * "long_tail" says otherwise) with Zipf weights (rank k has weight
 * 1/(k+1)^s, s = 1 unless set); invalid and complaint as Bernoulli draws; the
 * size as size_bytes, or when size_bytes is 0 a lognormal draw with a
 * median of 20 KiB and sigma 1 (clamped to 1 KiB .. 10 MiB), a rough
 * shape of marketing mail. rcpt is "u<id>@<domain>". */
#include "input/sl_int.h"
#include "util/xalloc.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GEN_TAIL_LEN 40

/* A domain, its length and its send_rec.domain_ix; name NULL for the
 * "*" long tail. */
struct gen_dom {
    const char *name;
    size_t len;
    uint32_t ix;
};

struct gen_stream {
    const struct scen_stream *cfg;
    struct gen_dom *dom;        /* the shares' domains */
    double w[24];               /* hourly weights, summing to 1 */
    gsl_ran_discrete_t *shares; /* NULL with a single domain */
    double t_s;                 /* time of the pending arrival */
    int64_t hour;               /* Poisson: hour index of t_s */
    double rate, hour_end;      /* Poisson: that hour's rate and end */
    uint64_t k;                 /* Poisson: arrivals drawn */
    int64_t day, i, n_day;      /* blast: day, index, size of the day */
    int64_t next_us;            /* the pending arrival */
    int stream;                 /* index in the send list's streams */
    uint32_t size;              /* fixed size in bytes; 0: drawn */
    uint32_t left;              /* recipients of the message still to come */
    uint64_t msg;               /* its key (0: one-recipient messages) */
};

struct gen {
    struct gen_stream *s;
    size_t n;
    size_t *heap; /* live streams by (next_us, index) */
    size_t n_heap;
    gsl_ran_discrete_t *tail_table;
    char (*tail_names)[GEN_TAIL_LEN];
    struct gen_dom *tail;
    size_t n_tail;
    struct rng kd;   /* the send list's own keyed draws (same seed) */
    char *rcpt;      /* the current record's address */
    char id_dig[24]; /* decimal digits of id_of, right-aligned */
    size_t id_len;
    uint64_t id_of;
    size_t rcpt_cap;
    double duration_s;
};

/* volume - recipients on day d (the last value repeats). */
static double volume(const struct scen_stream *c, int64_t d)
{
    if (c->n_volume == 0)
        return 0;
    return (size_t)d < c->n_volume ? c->volume_per_day[d]
                                   : c->volume_per_day[c->n_volume - 1];
}

/* dead_after - true when no day from d on has any volume. */
static int dead_after(const struct scen_stream *c, int64_t d)
{
    return c->n_volume == 0 || ((size_t)d >= c->n_volume - 1 &&
                                c->volume_per_day[c->n_volume - 1] <= 0);
}

/* hour_rate - the arrival rate (per second) in st's current hour. */
static void hour_rate(struct gen_stream *st)
{
    st->rate = volume(st->cfg, st->hour / 24) * st->w[st->hour % 24] / 3600.0;
    st->hour_end = (double)(st->hour + 1) * 3600.0;
}

/* poisson_next - move st to its next arrival; 0 when there is none
 * within the duration. The rate of the current hour is cached. */
static int poisson_next(struct gen *gn, size_t si)
{
    struct gen_stream *st = &gn->s[si];
    double e = rng_exponential(&gn->kd, RNG_ARRIVAL, si, st->k++, 1);

    for (;;) {
        double mass = st->rate * (st->hour_end - st->t_s);
        if (st->rate > 0 && mass >= e) {
            st->t_s += e / st->rate;
            return st->t_s <= gn->duration_s;
        }
        e -= mass;
        st->t_s = st->hour_end;
        st->hour++;
        hour_rate(st);
        if (st->t_s > gn->duration_s || dead_after(st->cfg, st->hour / 24))
            return 0;
    }
}

/* blast_next - the next recipient of the day's blast, or the first of the
 * next day that has any; 0 past the duration. */
static int blast_next(struct gen *gn, size_t si)
{
    struct gen_stream *st = &gn->s[si];
    const struct scen_stream *c = st->cfg;

    while (st->i >= st->n_day) {
        st->day++;
        if ((double)st->day * 86400.0 + c->blast_at_s > gn->duration_s)
            return 0;
        if (dead_after(c, st->day))
            return 0;
        st->n_day = llround(volume(c, st->day));
        st->i = 0;
    }
    st->t_s = (double)st->day * 86400.0 + c->blast_at_s +
              c->blast_spread_s * (double)st->i / (double)st->n_day;
    st->i++;
    return st->t_s <= gn->duration_s;
}

/* advance - the stream's next arrival into next_us; 0 when it ends. */
static int advance(struct gen *gn, size_t si)
{
    struct gen_stream *st = &gn->s[si];
    int live = st->cfg->arrivals == SCEN_ARR_BLAST ? blast_next(gn, si)
                                                   : poisson_next(gn, si);
    if (live)
        st->next_us = (int64_t)(st->t_s * 1e6 + 0.5); /* t_s >= 0 */
    return live;
}

/* ------------------------------------------------------------- heap */

/* heap_less - earlier pending arrival first; ties by stream index. */
static int heap_less(const struct gen *gn, size_t a, size_t b)
{
    int64_t ta = gn->s[a].next_us, tb = gn->s[b].next_us;
    return ta < tb || (ta == tb && a < b);
}

/* heap_down - restore the heap below position i. */
static void heap_down(struct gen *gn, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < gn->n_heap && heap_less(gn, gn->heap[l], gn->heap[m]))
            m = l;
        if (l + 1 < gn->n_heap && heap_less(gn, gn->heap[l + 1], gn->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = gn->heap[i];
        gn->heap[i] = gn->heap[m];
        gn->heap[m] = t;
        i = m;
    }
}

/* ------------------------------------------------------ per recipient */

/* pick_domain - the recipient's domain by the stream's shares. */
static const struct gen_dom *
pick_domain(struct gen *gn, const struct gen_stream *st, uint64_t id)
{
    gsl_rng *r = NULL;
    size_t k = 0;

    if (st->shares) {
        r = rng_at(&gn->kd, RNG_DOMAIN, id, 0);
        k = gsl_ran_discrete(r, st->shares);
    }
    if (st->dom[k].name)
        return &st->dom[k];
    if (r == NULL)
        r = rng_at(&gn->kd, RNG_DOMAIN, id, 0);
    return &gn->tail[gsl_ran_discrete(r, gn->tail_table)];
}

/* draw_size - the stream's fixed size, or the lognormal default (see
 * the top of the file). */
static uint32_t draw_size(struct rng *kd, const struct gen_stream *st,
                          uint64_t id)
{
    if (st->size)
        return st->size;
    double b = gsl_ran_lognormal(rng_at(kd, RNG_SIZE, id, 0), log(20480.0), 1);
    return (uint32_t)llround(b < 1024 ? 1024 : b > 10485760 ? 10485760 : b);
}

/* bernoulli - 1 with probability p, keyed on the recipient. */
static int bernoulli(struct rng *kd, enum rng_purpose purpose, uint64_t id,
                     double p)
{
    return p > 0 && rng_uniform(kd, purpose, id, 0) < p;
}

/* id_digits - the decimal digits of id: ids come in sequence, so the
 * previous id's digits are incremented in place (amortised O(1)) rather
 * than divided out again. */
static void id_digits(struct gen *gn, uint64_t id)
{
    char *end = gn->id_dig + sizeof(gn->id_dig);

    if (gn->id_len && id == gn->id_of + 1) {
        char *p = end - 1;
        while (p >= end - gn->id_len && *p == '9')
            *p-- = '0';
        if (p < end - gn->id_len) {
            *p = '1';
            gn->id_len++;
        } else {
            (*p)++;
        }
    } else {
        uint64_t v = id;
        gn->id_len = 0;
        do {
            end[-1 - (int)gn->id_len++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
    }
    gn->id_of = id;
}

/* set_rcpt - "u<id>@<domain>" into the reused buffer, written in place. */
static const char *set_rcpt(struct gen *gn, uint64_t id,
                            const struct gen_dom *d)
{
    size_t need;

    id_digits(gn, id);
    need = gn->id_len + d->len + 3;
    if (gn->rcpt_cap < need + 1) {
        gn->rcpt_cap = 2 * (need + 1);
        gn->rcpt = xrealloc(gn->rcpt, gn->rcpt_cap);
    }
    char *p = gn->rcpt;
    *p++ = 'u';
    memcpy(p, gn->id_dig + sizeof(gn->id_dig) - gn->id_len, gn->id_len);
    p += gn->id_len;
    *p++ = '@';
    memcpy(p, d->name, d->len + 1);
    return gn->rcpt;
}

/* next_gen - the earliest pending arrival, then that stream's next. */
static int next_gen(struct sendlist *sl, struct send_rec *out)
{
    struct gen *gn = sl->src;
    uint64_t id = out->id;

    if (gn->n_heap == 0)
        return 0;
    size_t si = gn->heap[0];
    const struct gen_stream *st = &gn->s[si];
    const struct scen_stream *c = st->cfg;
    out->t_us = st->next_us;
    const struct gen_dom *d = pick_domain(gn, st, id);
    out->domain = d->name;
    out->domain_ix = d->ix;
    out->rcpt = set_rcpt(gn, id, d);
    out->vmta = c->vmta;
    out->pool = c->pool;
    out->stream = st->stream;
    out->size = draw_size(&gn->kd, st, id);
    out->invalid = bernoulli(&gn->kd, RNG_INVALID, id, c->invalid_rate);
    out->complains = bernoulli(&gn->kd, RNG_COMPLAINT, id, c->complaint_rate);
    /* an arrival is a message of c->recipients recipients, in a row */
    struct gen_stream *sm = &gn->s[si];
    if (sm->left == 0 && c->recipients > 1) {
        sm->left = (uint32_t)c->recipients;
        sm->msg = id + 1;
    }
    if (sm->left > 0) {
        out->msg = sm->msg;
        if (--sm->left > 0)
            return 1; /* the same arrival goes on */
    }
    if (!advance(gn, si))
        gn->heap[0] = gn->heap[--gn->n_heap];
    heap_down(gn, 0);
    return 1;
}

/* ------------------------------------------------------------- setup */

/* tail_init - the names and Zipf table of the "*" long tail: n domains,
 * rank k weighing 1/(k+1)^s. */
static void tail_init(struct gen *gn, size_t n, double s)
{
    double *w = xmalloc(n * sizeof(*w));

    gn->n_tail = n;
    gn->tail = xmalloc(n * sizeof(*gn->tail));
    gn->tail_names = xmalloc(n * sizeof(*gn->tail_names));
    for (size_t k = 0; k < n; k++) {
        w[k] = pow((double)k + 1, -s);
        snprintf(gn->tail_names[k], GEN_TAIL_LEN, "tail%04zu.example", k);
        gn->tail[k].name = gn->tail_names[k];
        gn->tail[k].len = strlen(gn->tail_names[k]);
    }
    gn->tail_table = gsl_ran_discrete_preproc(n, w);
    free(w);
}

/* stream_init - weights, share table and first arrival of stream si. */
static void stream_init(struct gen *gn, struct sendlist *sl, size_t si)
{
    struct gen_stream *st = &gn->s[si];
    const struct scen_stream *c = &sl->sc->streams[si];
    double sum = 0;

    st->cfg = c;
    st->size = c->size_bytes >= 4294967295.0 ? UINT32_MAX
               : c->size_bytes >= 1          ? (uint32_t)llround(c->size_bytes)
               : c->size_bytes > 0           ? 1
                                             : 0;
    for (int h = 0; h < 24; h++)
        sum += c->hourly_profile[h];
    for (int h = 0; h < 24; h++)
        st->w[h] = sum > 0 ? c->hourly_profile[h] / sum : 1.0 / 24;
    st->dom = xcalloc(c->n_domains ? c->n_domains : 1, sizeof(*st->dom));
    for (size_t k = 0; k < c->n_domains; k++) {
        int tail = strcmp(c->domains[k].domain, "*") == 0;
        st->dom[k].name = tail ? NULL : c->domains[k].domain;
        st->dom[k].len = strlen(c->domains[k].domain);
    }
    if (c->n_domains > 1) {
        double *p = xmalloc(c->n_domains * sizeof(*p));
        for (size_t k = 0; k < c->n_domains; k++)
            p[k] = c->domains[k].share;
        st->shares = gsl_ran_discrete_preproc(c->n_domains, p);
        free(p);
    }
    st->day = -1;
    hour_rate(st);
    if (advance(gn, si))
        gn->heap[gn->n_heap++] = si;
}

/* tail_rank - k when name is the tail's name of rank k < n, else -1. */
static long tail_rank(const char *name, size_t n)
{
    char buf[GEN_TAIL_LEN];

    if (strncmp(name, "tail", 4) != 0 || name[4] < '0' || name[4] > '9')
        return -1;
    unsigned long long k = strtoull(name + 4, NULL, 10);
    if (k >= n)
        return -1;
    snprintf(buf, sizeof(buf), "tail%04llu.example", k);
    return strcmp(buf, name) == 0 ? (long)k : -1;
}

/* index_domains - number the domains for send_rec.domain_ix: each named
 * domain once, in scenario order (an open-addressing set of the names
 * seen), then the long tail's ranks after them when a stream draws from
 * the tail; a named domain that is also a tail name keeps one index. */
static void index_domains(struct gen *gn, struct sendlist *sl)
{
    size_t total = 0, cap = 16, n_named = 0;
    int any_tail = 0;

    for (size_t i = 0; i < gn->n; i++)
        total += gn->s[i].cfg->n_domains;
    while (cap < 2 * total)
        cap *= 2;
    struct gen_dom **set = xcalloc(cap, sizeof(*set));
    for (size_t i = 0; i < gn->n; i++) {
        for (size_t k = 0; k < gn->s[i].cfg->n_domains; k++) {
            struct gen_dom *d = &gn->s[i].dom[k];
            if (d->name == NULL) {
                any_tail = 1;
                continue;
            }
            size_t h = (size_t)rng_hash64(d->name) & (cap - 1);
            while (set[h] && strcmp(set[h]->name, d->name) != 0)
                h = (h + 1) & (cap - 1);
            if (set[h] == NULL) {
                set[h] = d;
                d->ix = (uint32_t)n_named++;
            } else {
                d->ix = set[h]->ix;
            }
        }
    }
    for (size_t k = 0; k < gn->n_tail; k++)
        gn->tail[k].ix = (uint32_t)(n_named + k);
    for (size_t h = 0; h < cap; h++) {
        long k = set[h] ? tail_rank(set[h]->name, gn->n_tail) : -1;
        if (k >= 0)
            gn->tail[k].ix = set[h]->ix;
    }
    free(set);
    sl->n_domains = n_named + (any_tail ? gn->n_tail : 0);
}

/* release_gen - the generator's tables and buffers. */
static void release_gen(struct sendlist *sl)
{
    struct gen *gn = sl->src;

    if (gn == NULL)
        return;
    for (size_t i = 0; i < gn->n; i++) {
        if (gn->s[i].shares)
            gsl_ran_discrete_free(gn->s[i].shares);
        free(gn->s[i].dom);
    }
    if (gn->tail_table)
        gsl_ran_discrete_free(gn->tail_table);
    free(gn->tail_names);
    free(gn->tail);
    free(gn->s);
    free(gn->heap);
    free(gn->rcpt);
    rng_release(&gn->kd);
    free(gn);
    sl->src = NULL;
}

/* sl_gen_open - register the streams, then draw each one's first arrival. */
int sl_gen_open(struct sendlist *sl)
{
    const struct scenario *sc = sl->sc;
    struct gen *gn = xcalloc(1, sizeof(*gn));

    sl->src = gn;
    sl->next = next_gen;
    sl->release = release_gen;
    gn->n = sc->n_streams;
    gn->s = xcalloc(gn->n ? gn->n : 1, sizeof(*gn->s));
    gn->heap = xcalloc(gn->n ? gn->n : 1, sizeof(*gn->heap));
    gn->duration_s = sc->duration_s;
    rng_init(&gn->kd, sl->g->seed, sl->g->replication);
    tail_init(gn, sc->tail_domains >= 1 ? (size_t)sc->tail_domains : 1000,
              sc->tail_domains >= 1 ? sc->tail_zipf : 1);
    for (size_t i = 0; i < gn->n; i++) {
        size_t k = sl_stream_intern(sl, sc->streams[i].name);
        sl->streams[k]->deadline_s = sc->streams[i].deadline_s;
        gn->s[i].stream = (int)k;
    }
    for (size_t i = 0; i < gn->n; i++)
        stream_init(gn, sl, i);
    index_domains(gn, sl);
    for (size_t i = gn->n_heap / 2 + 1; i-- > 0;)
        heap_down(gn, i);
    return 0;
}
