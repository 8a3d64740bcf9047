/* prov_world.c - the world of provider models: loading models, the
 * domain -> provider table, MX names and the interned reply texts.
 *
 * prov_world_find is called once per new recipient domain: a hash of the
 * lower-cased domain, then the "*" model. Models are parsed and validated
 * in prov_params.c; per-IP states and answers live in provider.c. */
#include "provider/prov_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string table -------------------------------------------------------- */

/* prov_htab_slot - the slot holding key, or the empty slot ending its
 * probe sequence (linear probing). */
static struct prov_htab_slot *prov_htab_slot(const struct prov_htab *t,
                                             uint64_t hash, const char *key)
{
    size_t mask = t->cap - 1;

    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        struct prov_htab_slot *s = &t->slots[i];
        if (s->key == NULL || (s->hash == hash && strcmp(s->key, key) == 0))
            return s;
    }
}

/* prov_htab_grow - double the table (keys keep their addresses). */
static void prov_htab_grow(struct prov_htab *t)
{
    struct prov_htab old = *t;

    t->cap = old.cap ? 2 * old.cap : 64;
    t->slots = xcalloc(t->cap, sizeof(*t->slots));
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *prov_htab_slot(t, old.slots[i].hash, old.slots[i].key) =
                old.slots[i];
    free(old.slots);
}

int prov_htab_find(const struct prov_htab *t, const char *key)
{
    if (t->cap == 0)
        return -1;
    const struct prov_htab_slot *s = prov_htab_slot(t, rng_hash64(key), key);
    return s->key ? s->value : -1;
}

const char *prov_htab_put(struct prov_htab *t, const char *key, int value)
{
    if (2 * (t->n + 1) > t->cap)
        prov_htab_grow(t);
    uint64_t hash = rng_hash64(key);
    struct prov_htab_slot *s = prov_htab_slot(t, hash, key);
    if (s->key == NULL) {
        s->key = xstrdup(key);
        s->hash = hash;
        s->value = value;
        t->n++;
    }
    return s->key;
}

void prov_htab_release(struct prov_htab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].key);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* ---- world --------------------------------------------------------------- */

struct prov_world *prov_world_alloc(void)
{
    struct prov_world *w = xcalloc(1, sizeof(*w));

    w->wildcard = -1;
    w->next_day_s = PROV_DAY_S;
    return w;
}

void prov_world_free(struct prov_world *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n_models; i++)
        prov_model_free(w->models[i]);
    free(w->models);
    for (size_t i = 0; i < w->n_groups; i++)
        prov_group_release(&w->groups[i]);
    free(w->groups);
    for (size_t i = 0; i < w->n_ips; i++)
        free(w->ips[i].name);
    free(w->ips);
    prov_htab_release(&w->tail_ids);
    prov_htab_release(&w->domains);
    prov_htab_release(&w->texts);
    prov_htab_release(&w->ip_index);
    free(w);
}

void prov_world_set_events(struct prov_world *w, prov_event_fn *fn, void *ctx)
{
    w->event_fn = fn;
    w->event_ctx = ctx;
}

size_t prov_world_count(const struct prov_world *w)
{
    return w->n_models;
}

const char *prov_world_name(const struct prov_world *w, int prov)
{
    if (prov < 0 || (size_t)prov >= w->n_models)
        return NULL;
    return w->models[prov]->name;
}

const char *prov_world_ip(const struct prov_world *w, int ip)
{
    if (ip < 0 || (size_t)ip >= w->n_ips)
        return NULL;
    return w->ips[ip].name;
}

/* ---- loading and lookup -------------------------------------------------- */

/* prov_check_domains - a new model may not claim a domain (or "*") or a
 * name that a loaded model already has. */
static int prov_check_domains(const struct prov_world *w,
                              const struct prov_model *m, const char *path,
                              struct diag_list *dl)
{
    int bad = 0;

    for (size_t i = 0; i < w->n_models; i++)
        if (strcmp(w->models[i]->name, m->name) == 0) {
            diag_add(dl, DIAG_ERROR, path, 0, 0,
                     "$.name: a model named '%s' is already loaded", m->name);
            bad = 1;
        }
    for (size_t i = 0; i < m->n_domains; i++) {
        const char *d = m->domains[i];
        int owner =
            strcmp(d, "*") == 0 ? w->wildcard : prov_htab_find(&w->domains, d);
        if (owner < 0)
            continue;
        diag_add(dl, DIAG_ERROR, path, 0, 0,
                 "$.domains[%zu]: '%s' is already served by model '%s'", i, d,
                 w->models[owner]->name);
        bad = 1;
    }
    return bad ? -1 : 0;
}

int prov_world_load(struct prov_world *w, const char *path,
                    struct diag_list *dl)
{
    struct prov_model *m = prov_params_load(path, dl);

    if (m == NULL)
        return -1;
    if (prov_check_domains(w, m, path, dl) != 0) {
        prov_model_free(m);
        return -1;
    }
    if (w->n_tails > 0) {
        diag_add(dl, DIAG_ERROR, path, 0, 0,
                 "models must be loaded before the long tail is used");
        prov_model_free(m);
        return -1;
    }
    int idx = (int)w->n_models;
    XGROW(w->models, w->n_models, w->cap_models);
    w->models[w->n_models++] = m;
    for (size_t i = 0; i < m->n_domains; i++) {
        if (strcmp(m->domains[i], "*") == 0)
            w->wildcard = idx;
        else
            prov_htab_put(&w->domains, m->domains[i], idx);
    }
    XGROW(w->groups, w->n_groups, w->cap_groups);
    struct prov_group *g = &w->groups[w->n_groups++];
    memset(g, 0, sizeof(*g));
    g->m = m;
    g->name = m->name;
    for (size_t i = 0; i < w->n_ips; i++)
        prov_state_add(w, g, (int)i);
    return idx;
}

int prov_world_find(const struct prov_world *w, const char *domain)
{
    char buf[256];
    size_t n = strlen(domain);

    if (n > 0 && domain[n - 1] == '.')
        n--;
    if (n == 0 || n >= sizeof(buf))
        return w->wildcard;
    memcpy(buf, domain, n);
    buf[n] = '\0';
    int p = prov_htab_find(&w->domains, str_lower(buf));
    return p >= 0 ? p : w->wildcard;
}

size_t prov_world_mx(const struct prov_world *w, int prov, const char *domain,
                     const char **mx, size_t max, char *buf, size_t n)
{
    size_t k = 0;

    if (prov >= 0 && (size_t)prov < w->n_models && w->models[prov]->n_mx > 0) {
        const struct prov_model *m = w->models[prov];
        for (; k < m->n_mx && k < max; k++)
            mx[k] = m->mx[k];
        return k;
    }
    if (max == 0 || n == 0)
        return 0;
    snprintf(buf, n, "mx.%s", domain);
    mx[0] = str_lower(buf);
    return 1;
}

size_t prov_world_mx_host(const struct prov_world *w, int prov, size_t k,
                          int *pref, const char *const **ips,
                          const char **refuse)
{
    *pref = (int)k;
    *ips = NULL;
    *refuse = NULL;
    if (prov < 0 || (size_t)prov >= w->n_models)
        return 0;
    const struct prov_model *m = w->models[prov];
    if (k >= m->n_mx || m->mx_pref == NULL)
        return 0;
    *pref = m->mx_pref[k];
    *ips = (const char *const *)m->mx_ips[k];
    *refuse = m->mx_refuse[k];
    return m->mx_n_ips[k];
}
