/* mix.c - the scenario's provider mix from its generated streams. */
#include "plan/mix.h"
#include "run/model_pick.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The domain the planners use for "any other domain" (the long tail). */
#define MIX_TAIL_DOMAIN "tail0000.example"

static struct mix_prov *prov_of(struct mix *m, int prov, int tail)
{
    for (size_t i = 0; i < m->n_p; i++)
        if (m->p[i].prov == prov && m->p[i].tail == tail)
            return &m->p[i];
    m->p = xreallocarray(m->p, m->n_p + 1, sizeof(*m->p));
    struct mix_prov *p = &m->p[m->n_p++];
    memset(p, 0, sizeof(*p));
    p->prov = prov;
    p->tail = tail;
    p->name = prov_world_name(m->world, prov);
    strbuf_init(&p->domains);
    struct prov_ip_view v;
    prov_world_view(m->world, prov, 0, 0, &v);
    p->cap_per_hour = v.capacity_per_hour;
    p->max_conns = v.max_connections;
    return p;
}

double mix_stream_weight(const struct scen_stream *s)
{
    double sum = 0;
    for (size_t i = 0; i < s->n_volume; i++)
        sum += s->volume_per_day[i];
    return s->n_volume ? sum / (double)s->n_volume : 0;
}

static void add_domain(struct mix_prov *p, const char *d, double share)
{
    for (size_t i = 0; i < p->n_doms; i++)
        if (strcmp(p->doms[i], d) == 0) {
            p->dom_share[i] += share;
            return;
        }
    p->doms = xreallocarray(p->doms, p->n_doms + 1, sizeof(*p->doms));
    p->dom_share =
        xreallocarray(p->dom_share, p->n_doms + 1, sizeof(*p->dom_share));
    p->doms[p->n_doms] = d;
    p->dom_share[p->n_doms++] = share;
}

int mix_prov_of_domain(const struct mix *m, const char *domain)
{
    int tail = -1;
    for (size_t i = 0; i < m->n_p; i++) {
        if (m->p[i].tail)
            tail = (int)i;
        for (size_t k = 0; !m->p[i].tail && k < m->p[i].n_doms; k++)
            if (strcmp(m->p[i].doms[k], domain) == 0)
                return (int)i;
    }
    return tail;
}

/* build - providers, their shares and domains, from the streams. */
static int build(struct mix *m, struct diag_list *dl)
{
    double total = 0;
    for (size_t i = 0; i < m->sc.n_streams; i++)
        total += mix_stream_weight(&m->sc.streams[i]);
    if (m->sc.sendlist_kind != SCEN_SL_GENERATE || total <= 0) {
        diag_add(dl, DIAG_ERROR, m->sc.path, 0, 0,
                 "planning needs generated streams with a volume (the "
                 "provider mix comes from their domain shares)");
        return 1;
    }
    for (size_t i = 0; i < m->sc.n_streams; i++) {
        const struct scen_stream *s = &m->sc.streams[i];
        double w = mix_stream_weight(s) / total;
        for (size_t k = 0; k < s->n_domains; k++) {
            const char *d = s->domains[k].domain;
            int tail = strcmp(d, "*") == 0;
            int prov = prov_world_find(m->world, tail ? MIX_TAIL_DOMAIN : d);
            struct mix_prov *p = prov_of(m, prov, tail);
            p->share += w * s->domains[k].share;
            if (!tail)
                strbuf_addf(&p->domains, "%s%s", p->domains.len ? ", " : "", d);
            add_domain(p, tail ? MIX_TAIL_DOMAIN : d, w * s->domains[k].share);
            if (w * s->domains[k].share > p->top_share) {
                p->top_share = w * s->domains[k].share;
                p->top_domain = tail ? MIX_TAIL_DOMAIN : d;
            }
        }
    }
    return 0;
}

int mix_load(struct mix *m, const char *path, const char *models_dir,
             const uint64_t *seed, struct diag_list *dl)
{
    memset(m, 0, sizeof(*m));
    m->loaded = scenario_load(path, models_dir, &m->sc, dl) == 0;
    if (!m->loaded)
        return 1;
    if (seed)
        m->sc.seed = *seed;
    m->world = prov_world_alloc();
    if (model_load_all(m->world, m->sc.models, m->sc.n_models, dl) < 0)
        return 1;
    if (prov_world_find(m->world, MIX_TAIL_DOMAIN) < 0) {
        diag_add(dl, DIAG_ERROR, m->sc.path, 0, 0,
                 "no model serves the other domains (models/generic.json)");
        return 1;
    }
    prov_world_add_ip(m->world, "198.18.0.1", 365, -1);
    return build(m, dl);
}

void mix_release(struct mix *m)
{
    for (size_t i = 0; i < m->n_p; i++) {
        strbuf_release(&m->p[i].domains);
        free(m->p[i].doms);
        free(m->p[i].dom_share);
    }
    free(m->p);
    prov_world_free(m->world);
    if (m->loaded)
        scenario_release(&m->sc);
    memset(m, 0, sizeof(*m));
}

const char *mix_label(const struct mix_prov *p, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", p->name, p->tail ? "-tail" : "");
    return buf;
}
