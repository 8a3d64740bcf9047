/* cfg_resolve.c - queries on the resolved config: the effective settings of
 * a queue, a recipient's queue-domain, and the VMTA chosen at injection.
 *
 * Settings merge from general to specific (UG5 §3.3.10): every <domain>
 * block that matches contributes the directives it sets, and for each
 * directive the best block wins. "Best" orders blocks by layer (VMTA, then
 * its pool, then global: UG5 §3.3.13.2), then by pattern specificity
 * (cfgd_pattern_match), then explicit names over macro expansions, then
 * later blocks over earlier ones. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/cfg_model_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct candidate {
    const struct cfg_dblock *b;
    int layer_rank; /* VMTA 2, pool 1, global 0 */
    int rank;       /* 2 * specificity + explicit */
};

/* block_rank - -1 when b does not match domain. */
static int block_rank(const struct cfg_dblock *b, const char *domain)
{
    int best = -1;
    for (size_t i = 0; i < b->n_pats; i++) {
        int s = cfgd_pattern_match(&b->pats[i].p, domain);
        if (s < 0)
            continue;
        int r = 2 * s + !b->pats[i].from_macro;
        if (r > best)
            best = r;
    }
    return best;
}

/* better - 1 when candidate a outranks b. */
static int better(const struct candidate *a, const struct candidate *b,
                  int layer_first)
{
    int la = a->layer_rank, lb = b->layer_rank;
    int ra = a->rank, rb = b->rank;
    if (layer_first && la != lb)
        return la > lb;
    if (ra != rb)
        return ra > rb;
    if (la != lb)
        return la > lb;
    return a->b->order > b->b->order;
}

/* sort_candidates - best first; an insertion sort, as a queue rarely
 * matches more than a handful of blocks. */
static void sort_candidates(struct candidate *c, size_t n, int layer_first)
{
    for (size_t i = 1; i < n; i++) {
        struct candidate x = c[i];
        size_t k = i;
        while (k > 0 && better(&x, &c[k - 1], layer_first)) {
            c[k] = c[k - 1];
            k--;
        }
        c[k] = x;
    }
}

static size_t collect(const struct cfg_model *m, const char *domain, int vmta,
                      struct candidate *out)
{
    int pool = vmta >= 0 ? m->vmtas[vmta].pub.pool : -1;
    size_t n = 0;
    for (size_t i = 0; i < m->n_dblocks; i++) {
        const struct cfg_dblock *b = &m->dblocks[i];
        int lr = b->layer == CFG_LAYER_VMTA   ? 2
                 : b->layer == CFG_LAYER_POOL ? 1
                                              : 0;
        if ((lr == 2 && b->owner != vmta) || (lr == 1 && b->owner != pool))
            continue;
        int r = block_rank(b, domain);
        if (r < 0)
            continue;
        out[n].b = b;
        out[n].layer_rank = lr;
        out[n].rank = r;
        n++;
    }
    return n;
}

/* backoff_defaults - the backoff-* rate limits default to the normal ones
 * (UG5 §3.3.10.34/.38/.85). backoff-max-smtp-out keeps its documented flat
 * default of 20 (§3.3.10.76), even where max-smtp-out is lower: the guide
 * names no other rule (docs/config.md). */
static void backoff_defaults(struct cfg_qsettings *s)
{
    static const int pairs[][2] = {
        { CFG_Q_BACKOFF_MAX_MSG_RATE, CFG_Q_MAX_MSG_RATE },
        { CFG_Q_BACKOFF_MAX_CONNECT_RATE, CFG_Q_MAX_CONNECT_RATE },
        { CFG_Q_BACKOFF_MAX_DATA_VOLUME_RATE, CFG_Q_MAX_DATA_VOLUME_RATE },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        int b = pairs[i][0], n = pairs[i][1];
        if (s->origin[b].file || !s->origin[n].file)
            continue;
        s->v[b] = s->v[n];
        s->origin[b].note = cfg_directive_queue(n)->name;
    }
}

void cfg_model_queue_settings(const struct cfg_model *m,
                              const char *queue_domain, int vmta,
                              struct cfg_qsettings *out)
{
    for (int q = 0; q < CFG_Q_COUNT; q++) {
        out->v[q] = m->defaults[q];
        memset(&out->origin[q], 0, sizeof(out->origin[q]));
    }
    struct candidate *c = xmalloc((m->n_dblocks + 1) * sizeof(*c));
    size_t n = collect(m, queue_domain, vmta, c);
    sort_candidates(c, n, m->opt.vmta_layer_first);
    int done[CFG_Q_COUNT] = { 0 };
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c[i].b->n_set; k++) {
            const struct cfg_setting *s = &c[i].b->set[k];
            if (done[s->qid])
                continue;
            done[s->qid] = 1;
            out->v[s->qid] = s->v;
            out->origin[s->qid] = s->o;
        }
    free(c);
    backoff_defaults(out);
}

const char *cfg_model_queue_domain(const struct cfg_model *m,
                                   const char *rcpt_domain, int vmta,
                                   const char *const *mx, size_t n_mx,
                                   char *buf, size_t n)
{
    struct cfg_qsettings s;
    cfg_model_queue_settings(m, rcpt_domain, vmta, &s);
    const struct cfg_value *qt = &s.v[CFG_Q_QUEUE_TO];
    if (qt->set && qt->str[0]) {
        snprintf(buf, n, "%s", qt->str);
        return str_lower(buf);
    }
    if (n_mx > 0 && s.v[CFG_Q_DISABLE_MX_ROLLUP].num == 0)
        for (size_t i = 0; i < m->n_rollups; i++)
            if (cfgd_pattern_match(&m->rollup_pats[i], mx[0]) >= 0) {
                snprintf(buf, n, "%s", m->rollups[i].name);
                return buf;
            }
    snprintf(buf, n, "%s", rcpt_domain);
    return str_lower(buf);
}

/* ------------------------------------------------------------ injection */

/* source_rank - how specifically source block s matches client: a name
 * match beats any address match; longer prefixes beat shorter ones. */
static int source_rank(const struct cfg_source_blk *s, const char *client,
                       const struct cfgv_cidr *ip, int is_ip)
{
    if (!s->is_net)
        return strcmp(s->arg, client) == 0 ? 1000 : -1;
    if (!is_ip || !cfgv_cidr_contains(&s->net, ip))
        return -1;
    return s->net.prefix;
}

/* plist_entry - the first rcpt-to or catch-all entry matching rcpt; MAIL
 * FROM and header entries cannot match here because a send list carries
 * neither. NULL when none matches. */
static const struct cfg_pentry *plist_entry(const struct cfg_plist *pl,
                                            const char *rcpt)
{
    for (size_t i = 0; i < pl->n; i++) {
        const struct cfg_pentry *e = &pl->entries[i];
        if (e->kind == CFG_PE_ANY)
            return e;
        if (e->kind != CFG_PE_RCPT_TO || rcpt == NULL)
            continue;
        if (pcre2_match(e->code, (PCRE2_SPTR)rcpt, PCRE2_ZERO_TERMINATED, 0, 0,
                        e->match_data, NULL) >= 0)
            return e;
    }
    return NULL;
}

/* entry_priority - the recipient-priority=N result of e (UG5 §3.3.14,
 * 0..100), or 50, the default. */
static int entry_priority(const struct cfg_pentry *e)
{
    const char *p = e ? strstr(e->results, "recipient-priority=") : NULL;
    if (p == NULL)
        return 50;
    long v = strtol(p + 19, NULL, 10);
    return v < 0 ? 0 : v > 100 ? 100 : (int)v;
}

int cfg_model_injection_uses_rcpt(const struct cfg_model *m, const char *client)
{
    struct cfgv_cidr ip;
    struct cfgv_err e;
    int is_ip = client && cfgv_parse_cidr(client, &ip, &e) == 0;
    for (size_t i = 0; client && i < m->n_sources; i++)
        if (m->sources[i].pattern_list.name &&
            source_rank(&m->sources[i], client, &ip, is_ip) >= 0)
            return 1;
    return 0;
}

void cfg_model_injection_route(const struct cfg_model *m, const char *client,
                               const char *rcpt, int *vmta, int *pool,
                               int *priority)
{
    struct cfgv_cidr ip;
    struct cfgv_err e;
    int is_ip = client && cfgv_parse_cidr(client, &ip, &e) == 0;
    const char *dv = NULL, *pl = NULL;
    int best_dv = -1, best_pl = -1;
    for (size_t i = 0; client && i < m->n_sources; i++) {
        const struct cfg_source_blk *s = &m->sources[i];
        int r = source_rank(s, client, &ip, is_ip);
        if (r >= 0 && s->default_vmta.name && r >= best_dv)
            best_dv = r, dv = s->default_vmta.name;
        if (r >= 0 && s->pattern_list.name && r >= best_pl)
            best_pl = r, pl = s->pattern_list.name;
    }
    const char *name = NULL;
    const struct cfg_pentry *pe = NULL;
    if (pl && cfg_model_plist_find(m, pl) >= 0)
        pe = plist_entry(&m->plists[cfg_model_plist_find(m, pl)], rcpt);
    if (pe)
        name = pe->vmta.name;
    if (name == NULL)
        name = dv;
    *vmta = name ? cfg_model_vmta_find(m, name) : 0;
    *pool = name && *vmta < 0 ? cfg_model_pool_find(m, name) : -1;
    if (*vmta < 0 && *pool < 0)
        *vmta = 0;
    if (priority)
        *priority = entry_priority(pe);
}

void cfg_model_injection_vmta(const struct cfg_model *m, const char *client,
                              const char *rcpt, int *vmta, int *pool)
{
    cfg_model_injection_route(m, client, rcpt, vmta, pool, NULL);
}

/* ---------------------------------------------------------------- stats */

/* count_new_ips - addresses of list not yet in seen (appended to it). */
static size_t count_new_ips(const struct cfg_source_ip *list, size_t n,
                            struct cfgv_cidr *seen, size_t *n_seen)
{
    size_t added = 0;
    for (size_t k = 0; k < n; k++) {
        int dup = 0;
        for (size_t l = 0; l < *n_seen && !dup; l++)
            dup = !memcmp(&list[k].ip, &seen[l], sizeof(seen[l]));
        if (!dup) {
            seen[(*n_seen)++] = list[k].ip;
            added++;
        }
    }
    return added;
}

/* distinct_ips - configured source addresses (global and per VMTA); the
 * placeholder of a config that names none is not counted. */
static size_t distinct_ips(const struct cfg_model *m)
{
    size_t total = m->n_global_ips;
    for (size_t i = 0; i < m->n_vmtas; i++)
        total += m->vmtas[i].n_own_ips;
    struct cfgv_cidr *seen = xmalloc((total + 1) * sizeof(*seen));
    size_t n_seen = 0;
    size_t n = count_new_ips(m->global_ips, m->n_global_ips, seen, &n_seen);
    for (size_t i = 0; i < m->n_vmtas; i++)
        n += count_new_ips(m->vmtas[i].own_ips, m->vmtas[i].n_own_ips, seen,
                           &n_seen);
    free(seen);
    return n;
}

void cfg_model_stats(const struct cfg_model *m, struct cfg_model_stats *s)
{
    memset(s, 0, sizeof(*s));
    s->vmtas = m->n_vmtas - 1;
    s->pools = m->n_pools;
    s->source_ips = distinct_ips(m);
    s->domain_blocks = m->n_dblocks;
    s->macros = cfgd_macros_count(m->macros);
    s->smtp_pattern_lists = m->n_spls;
    s->pattern_lists = m->n_plists;
    s->rollups = m->n_rollups;
    s->sources = m->n_sources;
    s->files = m->n_files;
    s->not_modelled = m->n_kept;
    s->dialect_lines = m->dialect_lines;
}
