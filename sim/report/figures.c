/* figures.c - the observer's counters copied into a struct run_figures. */
#include "report/figures.h"
#include "report/obs_int.h"
#include "util/xalloc.h"

#include <string.h>

void run_figures_init(struct run_figures *f)
{
    memset(f, 0, sizeof(*f));
    f->last_delivery_s = -1;
}

void run_figures_release(struct run_figures *f)
{
    for (size_t i = 0; i < f->n_queues; i++) {
        free(f->queues[i].name);
        free(f->queues[i].provider);
    }
    for (size_t i = 0; i < f->n_providers; i++)
        free(f->providers[i].name);
    for (size_t i = 0; i < f->n_streams; i++)
        free(f->streams[i].name);
    for (size_t i = 0; i < f->n_ip_days; i++) {
        free(f->ip_days[i].provider);
        free(f->ip_days[i].ip);
    }
    free(f->queues);
    free(f->providers);
    free(f->streams);
    for (size_t i = 0; i < f->n_days; i++)
        free(f->days[i].queues);
    free(f->days);
    free(f->ip_days);
    run_figures_init(f);
}

static void counts_of(const struct obs_counts *o, struct run_counts *c)
{
    c->injected = (double)o->v[OBS_INJECTED];
    c->attempts = (double)o->v[OBS_ATTEMPTS];
    c->delivered = (double)o->v[OBS_DELIVERED];
    c->deferred = (double)o->v[OBS_DEFERRED];
    c->bounced = (double)o->v[OBS_BOUNCED];
    c->expired = (double)o->v[OBS_EXPIRED];
    c->conn_failures = (double)o->v[OBS_CONN_FAILURES];
}

void obs_totals(const struct obs *ob, struct run_counts *c)
{
    struct obs_counts t = obs_totals_sum(ob);
    counts_of(&t, c);
}

size_t obs_queue_count(const struct obs *ob)
{
    return ob->n_queues;
}

void obs_queue_totals(const struct obs *ob, size_t i, struct run_counts *c)
{
    struct obs_counts s = obs_queue_sum(ob, i);
    counts_of(&s, c);
}

void run_counts_sub(const struct run_counts *a, const struct run_counts *b,
                    struct run_counts *out)
{
    out->injected = a->injected - b->injected;
    out->attempts = a->attempts - b->attempts;
    out->delivered = a->delivered - b->delivered;
    out->deferred = a->deferred - b->deferred;
    out->bounced = a->bounced - b->bounced;
    out->expired = a->expired - b->expired;
    out->conn_failures = a->conn_failures - b->conn_failures;
}

static void queue_of(const struct obs *ob, size_t i, struct run_queue *r)
{
    const struct obs_queue *q = &ob->queues[i];
    struct obs_counts sum = obs_queue_sum(ob, i);
    r->name = xstrdup(q->name);
    r->provider = q->prov >= 0 && (size_t)q->prov < ob->n_provs
                      ? xstrdup(ob->provs[q->prov].name)
                      : NULL;
    counts_of(&sum, &r->c);
    r->queued_at_end = (double)q->queued_at_end;
    r->max_depth = (double)q->max_depth;
    r->backoff_s = q->backoff_s;
    r->backoff_entries = q->backoff_entries;
    r->last_delivery_s =
        q->last_delivery_us < 0 ? -1 : (double)q->last_delivery_us / 1e6;
}

void obs_figures(const struct obs *ob, struct run_figures *f)
{
    struct obs_counts t = obs_totals_sum(ob);
    counts_of(&t, &f->totals);
    f->queued_at_end = (double)ob->queued_at_end;
    f->p95_s =
        ob->all_latency.n ? obs_hist_quantile(&ob->all_latency, 0.95) : 0;
    f->queues = xcalloc(ob->n_queues + 1, sizeof(*f->queues));
    f->n_queues = ob->n_queues;
    for (size_t i = 0; i < ob->n_queues; i++) {
        queue_of(ob, i, &f->queues[i]);
        f->backoff_s += f->queues[i].backoff_s;
        if (f->queues[i].last_delivery_s > f->last_delivery_s)
            f->last_delivery_s = f->queues[i].last_delivery_s;
    }
    f->providers = xcalloc(ob->n_provs + 1, sizeof(*f->providers));
    f->n_providers = ob->n_provs;
    for (size_t i = 0; i < ob->n_provs; i++) {
        f->providers[i].name = xstrdup(ob->provs[i].name);
        counts_of(&ob->provs[i].c, &f->providers[i].c);
    }
    f->streams = xcalloc(ob->n_streams + 1, sizeof(*f->streams));
    f->n_streams = ob->n_streams;
    for (size_t i = 0; i < ob->n_streams; i++) {
        const struct obs_stream *s = &ob->streams[i];
        f->streams[i].name = xstrdup(s->name);
        counts_of(&s->c, &f->streams[i].c);
        f->streams[i].p95_s =
            s->latency.n ? obs_hist_quantile(&s->latency, 0.95) : 0;
    }
}

static void counts_add(struct run_counts *a, const struct run_counts *b)
{
    a->injected += b->injected;
    a->attempts += b->attempts;
    a->delivered += b->delivered;
    a->deferred += b->deferred;
    a->bounced += b->bounced;
    a->expired += b->expired;
    a->conn_failures += b->conn_failures;
}

void run_figures_provider(const struct run_figures *f, const char *name,
                          struct run_provider_use *u)
{
    memset(u, 0, sizeof(*u));
    u->last_delivery_s = -1;
    for (size_t i = 0; i < f->n_queues; i++) {
        const struct run_queue *q = &f->queues[i];
        if (q->provider == NULL || strcmp(q->provider, name) != 0)
            continue;
        u->n_queues++;
        counts_add(&u->c, &q->c);
        u->left += q->queued_at_end + q->c.expired;
        u->backoff_s += q->backoff_s;
        if (q->last_delivery_s > u->last_delivery_s)
            u->last_delivery_s = q->last_delivery_s;
    }
}
