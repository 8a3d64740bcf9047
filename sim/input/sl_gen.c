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

#define GEN_TAIL_LEN 32 /* "tail%04zu.example" for up to 10^15 names */
/* Domains shorter than this are copied into the address as one
 * fixed-size block (no call) from a zero-padded copy. */
#define GEN_PAD 32
_Static_assert(GEN_TAIL_LEN >= GEN_PAD, "tail names are their own pads");

/* A domain and its send_rec.domain_ix; name NULL for the "*" long
 * tail. pad: GEN_PAD readable bytes holding the name and zeros after it,
 * or NULL when the name is GEN_PAD bytes or longer. 24 bytes: the tail's
 * table is read at random, once per recipient. */
struct gen_dom {
    const char *name;
    const char *pad;
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
    int draws_block;            /* the recipient's block is read (shares,
                                   the tail, unknown users, complaints) */
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
    char (*named_pad)[GEN_PAD]; /* pad copies of the streams' domains */
    struct gen_dom *tail;
    size_t n_tail;
    struct rng kd;  /* the send list's own keyed draws (same seed) */
    char *rcpt;     /* "u<id_of>@<rcpt_dom>", reused */
    size_t id_len;  /* digits of id_of */
    uint64_t id_of; /* the id rcpt holds */
    const struct gen_dom *at_dom; /* the domain rcpt holds; NULL: empty */
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

/* arrival_e - the Exp(1) draw of Poisson stream si's next arrival, keyed
 * on the stream and its count of arrivals. */
RNG_INLINE double arrival_e(struct gen *gn, size_t si)
{
    return rng_exponential(&gn->kd, RNG_ARRIVAL, si, gn->s[si].k++, 1);
}

/* poisson_next - move st to its next arrival, e = arrival_e(gn, si) of
 * integrated rate away; 0 when there is none within the duration. The
 * rate of the current hour is cached. */
static int poisson_next(struct gen *gn, size_t si, double e)
{
    struct gen_stream *st = &gn->s[si];

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

/* is_poisson - the stream's arrivals are a Poisson process. */
static int is_poisson(const struct gen_stream *st)
{
    return st->cfg->arrivals != SCEN_ARR_BLAST;
}

/* advance - the stream's next arrival into next_us (e: arrival_e(gn, si)
 * for a Poisson stream, unused by a blast); 0 when it ends. */
static int advance(struct gen *gn, size_t si, double e)
{
    struct gen_stream *st = &gn->s[si];
    int live = is_poisson(st) ? poisson_next(gn, si, e) : blast_next(gn, si);
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

/* pick_domain - the recipient's domain by the stream's shares, then the
 * tail's Zipf table when the share drawn is "*". Both draws are the
 * successive uniforms of the recipient's block b (RNG_RECIPIENT, id),
 * words 0 and 1 at most: gsl_ran_discrete on rng_at(...) as the tables'
 * lookups (unused when the stream has one named domain). */
static const struct gen_dom *pick_domain(const struct gen *gn,
                                         const struct gen_stream *st,
                                         const philox4x64_ctr_t *b)
{
    size_t k = 0;
    int used = 0; /* words of b taken */

    if (st->shares)
        k = rng_discrete(st->shares, rng_u01(b->v[used++]));
    if (st->dom[k].name)
        return &st->dom[k];
    return &gn->tail[rng_discrete(gn->tail_table, rng_u01(b->v[used]))];
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

/* put_domain - d after the '@' of the address in place. */
static void put_domain(struct gen *gn, const struct gen_dom *d)
{
    size_t at = gn->id_len + 1, room = d->pad ? GEN_PAD : strlen(d->name) + 1;

    if (gn->rcpt_cap < at + 1 + room) {
        gn->rcpt_cap = 2 * (at + 1 + room);
        gn->rcpt = xrealloc(gn->rcpt, gn->rcpt_cap);
    }
    if (d->pad)
        memcpy(gn->rcpt + at + 1, d->pad, GEN_PAD); /* a constant size */
    else
        memcpy(gn->rcpt + at + 1, d->name, room);
    gn->at_dom = d;
}

/* next_id_in_place - the address's digits from id_of to id_of + 1 (ids
 * come in sequence: usually one digit changes); 0 when the number of
 * digits grows, and the address must be written again. */
static int next_id_in_place(struct gen *gn)
{
    char *p = gn->rcpt + gn->id_len; /* the last digit; rcpt[0] is 'u' */

    while (p > gn->rcpt && *p == '9')
        *p-- = '0';
    if (p == gn->rcpt)
        return 0;
    (*p)++;
    gn->id_of++;
    return 1;
}

/* set_rcpt - "u<id>@<domain>" in the reused buffer: the previous id's
 * digits incremented and the domain replaced when it differs, or all of
 * it written again. */
static const char *set_rcpt(struct gen *gn, uint64_t id,
                            const struct gen_dom *d)
{
    if (gn->at_dom && id == gn->id_of + 1 && next_id_in_place(gn)) {
        if (d != gn->at_dom)
            put_domain(gn, d);
        return gn->rcpt;
    }
    char dig[24];
    size_t n = 0;
    uint64_t v = id;
    do {
        dig[sizeof(dig) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (gn->rcpt_cap < n + 2) {
        gn->rcpt_cap = 2 * (n + 2);
        gn->rcpt = xrealloc(gn->rcpt, gn->rcpt_cap);
    }
    gn->rcpt[0] = 'u';
    memcpy(gn->rcpt + 1, dig + sizeof(dig) - n, n);
    gn->rcpt[n + 1] = '@';
    gn->id_len = n;
    gn->id_of = id;
    put_domain(gn, d);
    return gn->rcpt;
}

/* next_gen - the earliest pending arrival, then that stream's next.
 * A recipient's own draws are the four words of one Philox block
 * (RNG_RECIPIENT, id): the domain's (words 0 and 1, see pick_domain),
 * unknown user (word 2) and complaint (word 3); the stream's next gap
 * when this arrival is done is another block, started before anything
 * branches on a drawn value, so the CPU overlaps the two. */
static int next_gen(struct sendlist *sl, struct send_rec *out)
{
    struct gen *gn = sl->src;
    uint64_t id = out->id;

    if (gn->n_heap == 0)
        return 0;
    size_t si = gn->heap[0];
    struct gen_stream *st = &gn->s[si];
    const struct scen_stream *c = st->cfg;
    /* an arrival is a message of c->recipients recipients, in a row */
    int done = 1;
    if (st->left == 0 && c->recipients > 1) {
        st->left = (uint32_t)c->recipients;
        st->msg = id + 1;
    }
    if (st->left > 0) {
        out->msg = st->msg;
        done = --st->left == 0;
    }
    philox4x64_ctr_t bd = { { 0 } };
    double ui = 1, uc = 1, e = 0;
    if (st->draws_block) {
        bd = rng_block(&gn->kd, RNG_RECIPIENT, id, 0);
        ui = rng_u01(bd.v[2]);
        uc = rng_u01(bd.v[3]);
    }
    if (done && is_poisson(st))
        e = arrival_e(gn, si);
    out->t_us = st->next_us;
    out->invalid = c->invalid_rate > 0 && ui < c->invalid_rate;
    out->complains = c->complaint_rate > 0 && uc < c->complaint_rate;
    const struct gen_dom *d = pick_domain(gn, st, &bd);
    out->domain = d->name;
    out->domain_ix = d->ix;
    out->rcpt = sl->skip_rcpt ? NULL : set_rcpt(gn, id, d);
    out->vmta = c->vmta;
    out->pool = c->pool;
    out->stream = st->stream;
    out->size = draw_size(&gn->kd, st, id);
    if (!done)
        return 1; /* the same arrival goes on */
    if (!advance(gn, si, e))
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
    gn->tail_names = xcalloc(n, sizeof(*gn->tail_names)); /* zero padded */
    for (size_t k = 0; k < n; k++) {
        w[k] = pow((double)k + 1, -s);
        snprintf(gn->tail_names[k], GEN_TAIL_LEN, "tail%04zu.example", k);
        gn->tail[k].name = gn->tail_names[k];
        gn->tail[k].pad = gn->tail_names[k]; /* zero padded, short */
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
    }
    if (c->n_domains > 1) {
        double *p = xmalloc(c->n_domains * sizeof(*p));
        for (size_t k = 0; k < c->n_domains; k++)
            p[k] = c->domains[k].share;
        st->shares = gsl_ran_discrete_preproc(c->n_domains, p);
        free(p);
    }
    st->draws_block = st->shares != NULL || st->dom[0].name == NULL ||
                      c->invalid_rate > 0 || c->complaint_rate > 0;
    st->day = -1;
    hour_rate(st);
    if (advance(gn, si, is_poisson(st) ? arrival_e(gn, si) : 0))
        gn->heap[gn->n_heap++] = si;
}

/* tail_rank - k when name is the tail's name of rank k < n, else -1. */
static long tail_rank(const char *name, size_t n)
{
    char buf[48]; /* "tail" 20 digits ".example" */

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
 * the tail; a named domain that is also a tail name keeps one index.
 * Short named domains get their pad copies here too. */
static void index_domains(struct gen *gn, struct sendlist *sl)
{
    size_t total = 0, cap = 16, n_named = 0;
    int any_tail = 0;

    for (size_t i = 0; i < gn->n; i++)
        total += gn->s[i].cfg->n_domains;
    while (cap < 2 * total)
        cap *= 2;
    struct gen_dom **set = xcalloc(cap, sizeof(*set));
    size_t n_pad = 0;
    gn->named_pad = xcalloc(total ? total : 1, sizeof(*gn->named_pad));
    for (size_t i = 0; i < gn->n; i++) {
        for (size_t k = 0; k < gn->s[i].cfg->n_domains; k++) {
            struct gen_dom *d = &gn->s[i].dom[k];
            if (d->name == NULL) {
                any_tail = 1;
                continue;
            }
            size_t len = strlen(d->name);
            if (len < GEN_PAD) {
                memcpy(gn->named_pad[n_pad], d->name, len);
                d->pad = gn->named_pad[n_pad++];
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
    free(gn->named_pad);
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
