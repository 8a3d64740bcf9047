/* cfg_model.c - the resolved config: construction, cross-references, and
 * the queries the simulator makes (per-queue settings, queue-domain
 * mapping, injection routing). Resolution rules follow UG5 §3.3.10 and
 * §3.3.13.2 as summarised in docs/config.md;
 * where the guide is silent (UNVERIFIED there) the choice is named in
 * cfg_model.h and in `mtasim check --help`. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/cfg_model_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cfg_load_options_init(struct cfg_load_options *o)
{
    memset(o, 0, sizeof(*o));
    o->vmta_layer_first = 1;
    o->max_include_depth = 16;
    o->allow_includes = 1;
}

/* parse_defaults - parse the table's default texts with the user-input
 * parser, so a default can never be a value the parser would reject. */
static void parse_defaults(struct arena *a, struct cfg_value *out)
{
    for (int q = 0; q < CFG_Q_COUNT; q++) {
        const struct cfg_directive *d = cfg_directive_queue(q);
        struct cfgv_err e;
        if (d->flags & CFG_D_UNSET) {
            memset(&out[q], 0, sizeof(out[q]));
            continue;
        }
        int rc = cfg_value_parse(a, d->type, d->def, &out[q], &e);
        if (rc != 0) {
            fprintf(stderr, "mtasim: bug: bad default '%s' for '%s': %s\n",
                    d->def, d->name, e.msg);
            abort();
        }
    }
}

/* load_defaults - the defaults are the same for every model: they are
 * parsed once, on the first load, into storage that lives as long as the
 * process (a model's values only borrow their lists and strings), and
 * copied into each model. Parsing them took a fifth of loading a small
 * config. */
static void load_defaults(struct cfg_model *m)
{
    static struct arena arena;
    static struct cfg_value parsed[CFG_Q_COUNT];
    static int ready;
    if (!ready) {
        arena_init(&arena);
        parse_defaults(&arena, parsed);
        ready = 1;
    }
    memcpy(m->defaults, parsed, sizeof(parsed));
}

struct cfg_model *cfg_model_alloc(const struct cfg_load_options *o)
{
    struct cfg_model *m = xcalloc(1, sizeof(*m));
    arena_init(&m->arena);
    if (o)
        m->opt = *o;
    else
        cfg_load_options_init(&m->opt);
    if (m->opt.max_include_depth <= 0)
        m->opt.max_include_depth = 16;
    m->macros = cfgd_macros_alloc();
    m->total_max_smtp_out = 1200;
    load_defaults(m);
    struct cfgv_err e;
    cfgv_parse_cidr("0.0.0.0", &m->default_ip.ip, &e);
    m->default_ip.host_name = "(default source)";
    XGROW(m->vmtas, m->n_vmtas, m->cap_vmtas);
    struct cfg_vmta_int *v = &m->vmtas[m->n_vmtas++];
    memset(v, 0, sizeof(*v));
    v->pub.name = "{default}";
    v->pub.implicit = 1;
    v->pub.max_smtp_out = INFINITY;
    v->pub.max_msg_rate = (struct cfgv_rate){ INFINITY, 1 };
    v->pub.max_data_rate = (struct cfgv_rate){ INFINITY, 1 };
    v->pub.pool = -1;
    return m;
}

const char *cfg_model_intern_file(struct cfg_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (strcmp(m->files[i], name) == 0)
            return m->files[i];
    XGROW(m->files, m->n_files, m->cap_files);
    m->files[m->n_files] = arena_strdup(&m->arena, name);
    return m->files[m->n_files++];
}

static void free_plists(struct cfg_model *m)
{
    for (size_t i = 0; i < m->n_plists; i++) {
        for (size_t k = 0; k < m->plists[i].n; k++) {
            pcre2_code_free(m->plists[i].entries[k].code);
            pcre2_match_data_free(m->plists[i].entries[k].match_data);
        }
        free(m->plists[i].entries);
    }
    free(m->plists);
}

static void free_vmtas_pools(struct cfg_model *m)
{
    for (size_t i = 0; i < m->n_vmtas; i++) {
        free(m->vmtas[i].own_ips);
        free(m->vmtas[i].cold_refs);
        free(m->vmtas[i].cold);
    }
    for (size_t i = 0; i < m->n_pools; i++) {
        free(m->pools[i].member_refs);
        free(m->pools[i].members);
        free(m->pools[i].cold_refs);
        free(m->pools[i].cold);
    }
    free(m->vmtas);
    free(m->pools);
}

void cfg_model_free(struct cfg_model *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_dblocks; i++) {
        for (size_t k = 0; k < m->dblocks[i].n_pats; k++)
            cfgd_pattern_release(&m->dblocks[i].pats[k].p);
        free(m->dblocks[i].set);
    }
    for (size_t i = 0; i < m->n_spls; i++)
        cfg_spl_release(&m->spls[i]);
    for (size_t i = 0; i < m->n_rollups; i++)
        cfgd_pattern_release(&m->rollup_pats[i]);
    for (size_t i = 0; i < m->n_mx_limits; i++)
        cfgd_pattern_release(&m->mx_limits[i].mx);
    free_plists(m);
    free_vmtas_pools(m);
    free(m->dblocks);
    free(m->spls);
    free(m->rollups);
    free(m->rollup_pats);
    free(m->mx_limits);
    free(m->ip_limits);
    free(m->sources);
    free(m->global_ips);
    free(m->kept);
    free(m->edits);
    free(m->files);
    free(m->macro_refs);
    cfgd_macros_free(m->macros);
    arena_release(&m->arena);
    free(m);
}

/* ------------------------------------------------------------ finishing */

static struct diag *oerr(struct diag_list *dl, enum diag_severity sev,
                         const struct cfg_origin *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct diag *oerr(struct diag_list *dl, enum diag_severity sev,
                         const struct cfg_origin *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = diag_vadd(dl, sev, o->file, o->line, o->col, fmt, ap);
    va_end(ap);
    return d;
}

/* check_macros - every macro must expand, used or not: UG5 §3.3.1.43.4
 * says a loop stops the config from loading. Returns how many are bad;
 * their names are marked in bad[] (one flag per macro_refs entry). */
static size_t check_macros(struct cfg_model *m, int *bad, struct diag_list *dl)
{
    size_t n_bad = 0;
    for (size_t i = 0; i < m->n_macro_refs; i++) {
        int redefined = 0;
        for (size_t k = i + 1; k < m->n_macro_refs && !redefined; k++)
            redefined =
                !strcasecmp(m->macro_refs[k].name, m->macro_refs[i].name);
        if (redefined)
            continue;
        char ref[300], **names;
        size_t n;
        struct cfgv_err e;
        snprintf(ref, sizeof(ref), "$%s", m->macro_refs[i].name);
        bad[i] = cfgd_macros_expand(m->macros, ref, &names, &n, &e) != 0;
        if (!bad[i]) {
            cfgd_names_free(names, n);
            continue;
        }
        oerr(dl, DIAG_ERROR, &m->macro_refs[i].o, "in domain-macro '%s': %s",
             m->macro_refs[i].name, e.msg);
        n_bad++;
    }
    return n_bad;
}

/* uses_bad_macro - 1 when text refers to a macro already reported. */
static int uses_bad_macro(const struct cfg_model *m, const int *bad,
                          const char *text)
{
    for (size_t i = 0; i < m->n_macro_refs; i++) {
        size_t len = strlen(m->macro_refs[i].name);
        for (const char *s = strchr(text, '$'); bad[i] && s;
             s = strchr(s + 1, '$'))
            if (strncasecmp(s + 1, m->macro_refs[i].name, len) == 0 &&
                !isalnum((unsigned char)s[1 + len]) && s[1 + len] != '_')
                return 1;
    }
    return 0;
}

/* expand_dblock - macros and patterns of one <domain> block's argument. */
static void expand_dblock(struct cfg_model *m, struct cfg_dblock *b,
                          const int *bad, struct diag_list *dl)
{
    char **names;
    size_t n;
    struct cfgv_err e;
    if (cfgd_macros_expand(m->macros, b->arg, &names, &n, &e)) {
        struct cfg_origin o = b->o;
        o.col += (int)e.offset;
        if (!uses_bad_macro(m, bad, b->arg))
            oerr(dl, DIAG_ERROR, &o, "%s", e.msg);
        return;
    }
    int macro = strchr(b->arg, '$') != NULL;
    b->pats = arena_alloc(&m->arena, n * sizeof(*b->pats));
    for (size_t i = 0; i < n; i++) {
        struct cfg_dpat *dp = &b->pats[b->n_pats];
        if (cfgd_pattern_parse(names[i], &dp->p, &e)) {
            oerr(dl, DIAG_ERROR, &b->o, "in '<domain %s>': %s", b->arg, e.msg);
            continue;
        }
        dp->from_macro = macro;
        b->n_pats++;
    }
    cfgd_names_free(names, n);
}

static int find_vmta_or_pool(const struct cfg_model *m, const char *name)
{
    return cfg_model_vmta_find(m, name) >= 0 ||
           cfg_model_pool_find(m, name) >= 0;
}

/* check_dblock_refs - names a <domain> block refers to must exist. */
static void check_dblock_refs(struct cfg_model *m, const struct cfg_dblock *b,
                              struct diag_list *dl)
{
    for (size_t i = 0; i < b->n_set; i++) {
        const struct cfg_setting *s = &b->set[i];
        if (!s->v.set)
            continue;
        if (s->qid == CFG_Q_SMTP_PATTERN_LIST &&
            cfg_model_spl(m, s->v.str) == NULL)
            oerr(dl, DIAG_ERROR, &s->o, "unknown smtp-pattern-list '%s'",
                 s->v.str);
        if ((s->qid == CFG_Q_REROUTE_TO_VMTA ||
             s->qid == CFG_Q_BACKOFF_REROUTE_TO_VMTA) &&
            !find_vmta_or_pool(m, s->v.str))
            oerr(dl, DIAG_ERROR, &s->o, "unknown virtual-mta or pool '%s'",
                 s->v.str);
    }
}

/* resolve_vmta_refs - names to VMTA indices; returns a malloc'ed array. */
static int *resolve_vmta_refs(const struct cfg_model *m,
                              const struct cfg_ref *refs, size_t n,
                              const char *what, struct diag_list *dl)
{
    int *out = xcalloc(n ? n : 1, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        out[i] = cfg_model_vmta_find(m, refs[i].name);
        if (out[i] < 0)
            oerr(dl, DIAG_ERROR, &refs[i].o, "unknown %s '%s'", what,
                 refs[i].name);
    }
    return out;
}

static void finish_pools(struct cfg_model *m, struct diag_list *dl)
{
    for (size_t i = 0; i < m->n_pools; i++) {
        struct cfg_pool_int *pl = &m->pools[i];
        pl->members = resolve_vmta_refs(m, pl->member_refs, pl->n_member_refs,
                                        "pool member virtual-mta", dl);
        pl->cold = resolve_vmta_refs(m, pl->cold_refs, pl->n_cold_refs,
                                     "cold-virtual-mta", dl);
        pl->pub.members = pl->members;
        pl->pub.n_members = pl->n_member_refs;
        pl->pub.cold = pl->cold;
        pl->pub.n_cold = pl->n_cold_refs;
        for (size_t k = 0; pl->has_domains && k < pl->n_member_refs; k++) {
            if (pl->members[k] < 0)
                continue;
            struct cfg_vmta_int *v = &m->vmtas[pl->members[k]];
            if (v->pools_with_domains++ > 0)
                oerr(dl, DIAG_ERROR, &pl->member_refs[k].o,
                     "virtual-mta '%s' is in two pools that have <domain> "
                     "blocks ('%s' and '%s')",
                     v->pub.name, m->pools[v->pub.pool].pub.name, pl->pub.name);
            else
                v->pub.pool = (int)i;
        }
        if (pl->n_member_refs == 0)
            oerr(dl, DIAG_WARNING, &pl->pub.origin,
                 "virtual-mta-pool '%s' has no 'virtual-mta' members",
                 pl->pub.name);
    }
}

/* expand_ips - smtp-source-host entries, CIDRs expanded to hosts (used
 * round-robin per connection, 127.0.0.1 skipped: UG5 §3.3.1.19). */
static struct cfg_source_ip *expand_ips(struct cfg_model *m,
                                        const struct cfg_source_ip *in,
                                        size_t n, size_t *out_n,
                                        struct diag_list *dl)
{
    size_t cap = 0, k = 0;
    struct cfg_source_ip *out = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct cfgv_cidr *c = &in[i].ip;
        int host_bits = 128 - c->prefix;
        if (host_bits > 12) {
            oerr(dl, DIAG_ERROR, &in[i].origin,
                 "source range has more than 4096 addresses");
            continue;
        }
        for (uint32_t h = 0; h < (1u << host_bits); h++) {
            struct cfg_source_ip s = in[i];
            s.ip.prefix = 128;
            for (int b = 0; b < host_bits; b++)
                if (h & (1u << b))
                    s.ip.addr[15 - b / 8] |= (uint8_t)(1u << (b % 8));
            char t[64];
            cfgv_format_cidr(&s.ip, t, sizeof(t));
            if (strcmp(t, "127.0.0.1") == 0)
                continue;
            XGROW(out, k, cap);
            out[k++] = s;
        }
    }
    (void)m;
    *out_n = k;
    return out;
}

static void finish_vmtas(struct cfg_model *m, struct diag_list *dl)
{
    size_t ng;
    struct cfg_source_ip *global =
        expand_ips(m, m->global_ips, m->n_global_ips, &ng, dl);
    free(m->global_ips);
    m->global_ips = global;
    m->n_global_ips = m->cap_global_ips = ng;
    for (size_t i = 0; i < m->n_vmtas; i++) {
        struct cfg_vmta_int *v = &m->vmtas[i];
        size_t n;
        struct cfg_source_ip *own =
            expand_ips(m, v->own_ips, v->n_own_ips, &n, dl);
        free(v->own_ips);
        v->own_ips = own;
        v->n_own_ips = v->cap_ips = n;
        v->pub.ips = n ? own : ng ? global : &m->default_ip;
        v->pub.n_ips = n ? n : ng ? ng : 1;
        v->pub.ips_inherited = n == 0;
        v->cold = resolve_vmta_refs(m, v->cold_refs, v->n_cold_refs,
                                    "cold-virtual-mta", dl);
        v->pub.cold = v->cold;
        v->pub.n_cold = v->n_cold_refs;
    }
}

static void finish_sources(struct cfg_model *m, struct diag_list *dl)
{
    for (size_t i = 0; i < m->n_sources; i++) {
        const struct cfg_source_blk *s = &m->sources[i];
        if (s->default_vmta.name &&
            strcmp(s->default_vmta.name, "by-smtp-source-ip") != 0 &&
            !find_vmta_or_pool(m, s->default_vmta.name))
            oerr(dl, DIAG_ERROR, &s->default_vmta.o,
                 "unknown virtual-mta or pool '%s'", s->default_vmta.name);
        if (s->pattern_list.name &&
            cfg_model_plist_find(m, s->pattern_list.name) < 0)
            oerr(dl, DIAG_ERROR, &s->pattern_list.o,
                 "unknown pattern-list '%s'", s->pattern_list.name);
    }
    for (size_t i = 0; i < m->n_plists; i++)
        for (size_t k = 0; k < m->plists[i].n; k++) {
            /* PowerMTA loads such a list and acts only when a message
             * selects the name (reject-invalid-virtual-mta,
             * invalid-virtual-mta-fallback, UG5 §3.3.7.31, §3.3.1.43.2). */
            const struct cfg_ref *r = &m->plists[i].entries[k].vmta;
            if (r->name && !find_vmta_or_pool(m, r->name))
                oerr(dl, DIAG_WARNING, &r->o,
                     "unknown virtual-mta or pool '%s': PowerMTA rejects a "
                     "message that selects it (reject-invalid-virtual-mta); "
                     "the simulation sends it through {default}",
                     r->name);
        }
}

/* A domain name claimed by a macro block, for the duplicate check. */
struct claim {
    const char *name;
    const struct cfg_dblock *b;
};

static int cmp_claims(const void *pa, const void *pb)
{
    const struct claim *a = pa, *b = pb;
    if (a->b->layer != b->b->layer)
        return (int)a->b->layer - (int)b->b->layer;
    if (a->b->owner != b->b->owner)
        return a->b->owner - b->b->owner;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return a->b->order < b->b->order ? -1 : a->b->order > b->b->order;
}

/* warn_shared_domains - a domain in two macro blocks of one layer: which
 * block wins is UNVERIFIED (docs/config.md); we let the later block
 * win for directives both set, and say so. */
static void warn_shared_domains(struct cfg_model *m, struct diag_list *dl)
{
    size_t n = 0, cap = 0;
    struct claim *c = NULL;
    for (size_t i = 0; i < m->n_dblocks; i++)
        for (size_t k = 0; k < m->dblocks[i].n_pats; k++) {
            const struct cfg_dpat *dp = &m->dblocks[i].pats[k];
            if (!dp->from_macro || dp->p.kind != CFGD_EXACT)
                continue;
            XGROW(c, n, cap);
            c[n].name = dp->p.name;
            c[n++].b = &m->dblocks[i];
        }
    if (n > 1)
        qsort(c, n, sizeof(*c), cmp_claims);
    for (size_t i = 1; i < n; i++)
        if (c[i].b != c[i - 1].b && c[i].b->layer == c[i - 1].b->layer &&
            c[i].b->owner == c[i - 1].b->owner &&
            strcmp(c[i].name, c[i - 1].name) == 0)
            oerr(dl, DIAG_WARNING, &c[i].b->o,
                 "domain '%s' is also in '<domain %s>' at line %d; where both "
                 "set a directive, this later block wins",
                 c[i].name, c[i - 1].b->arg, c[i - 1].b->o.line);
    free(c);
}

/* layer_vmta - a VirtualMTA whose queues a VMTA- or pool-layer block b
 * configures, or -1 (an empty pool). */
static int layer_vmta(const struct cfg_model *m, const struct cfg_dblock *b)
{
    if (b->layer == CFG_LAYER_VMTA)
        return b->owner;
    for (size_t v = 0; v < m->n_vmtas; v++)
        if (m->vmtas[v].pub.pool == b->owner)
            return (int)v;
    return -1;
}

/* block_score - how specifically b matches domain (-1: not at all). */
static int block_score(const struct cfg_dblock *b, const char *domain)
{
    int best = -1;
    for (size_t i = 0; i < b->n_pats; i++) {
        int sc = cfgd_pattern_match(&b->pats[i].p, domain);
        best = sc > best ? sc : best;
    }
    return best;
}

/* override_domain - an exact domain of global block g that layered block b
 * matches less specifically, or NULL. */
static const char *override_domain(const struct cfg_dblock *b,
                                   const struct cfg_dblock *g)
{
    for (size_t pi = 0; pi < g->n_pats; pi++) {
        const struct cfgd_pattern *gp = &g->pats[pi].p;
        if (gp->kind != CFGD_EXACT)
            continue;
        int sb = block_score(b, gp->name);
        if (sb >= 0 && sb < cfgd_pattern_match(gp, gp->name))
            return gp->name;
    }
    return NULL;
}

/* other_value - g's setting of qid when it differs from sb's, else NULL. */
static const struct cfg_setting *other_value(const struct cfg_dblock *g,
                                             const struct cfg_setting *sb)
{
    for (size_t k = 0; k < g->n_set; k++) {
        const struct cfg_setting *sg = &g->set[k];
        if (sg->qid == sb->qid && sb->v.str && sg->v.str &&
            strcmp(sb->v.str, sg->v.str) != 0)
            return sg;
    }
    return NULL;
}

/* wins - 1 when sb, a setting of layered block b, is what the queue of
 * domain through b's VirtualMTA resolves to. */
static int wins(const struct cfg_model *m, const struct cfg_dblock *b,
                const struct cfg_setting *sb, const char *domain)
{
    int v = layer_vmta(m, b);
    if (v < 0)
        return 0;
    struct cfg_qsettings qs;
    cfg_model_queue_settings(m, domain, v, &qs);
    const struct cfg_origin *won = &qs.origin[sb->qid];
    return won->file == sb->o.file && won->line == sb->o.line;
}

/* warn_override - sb, set in the VMTA/pool block b, overrides a different
 * value of a more specific global block (the layer rule, UG5 §3.3.13.2):
 * one warning per such line, naming the first global line it overrides and
 * counting the others. Resolution is costly, so only the first few
 * candidates are confirmed by it. */
static void warn_override(struct cfg_model *m, const struct cfg_dblock *b,
                          const struct cfg_setting *sb, struct diag_list *dl)
{
    const struct cfg_dblock *first = NULL;
    const struct cfg_setting *first_sg = NULL;
    const char *first_dom = NULL;
    size_t others = 0, tries = 0;
    for (size_t gi = 0; gi < m->n_dblocks; gi++) {
        const struct cfg_dblock *g = &m->dblocks[gi];
        const struct cfg_setting *sg =
            g->layer == CFG_LAYER_GLOBAL ? other_value(g, sb) : NULL;
        const char *dom = sg ? override_domain(b, g) : NULL;
        if (dom == NULL)
            continue;
        if (first) {
            others++;
        } else if (tries++ < 8 && wins(m, b, sb, dom)) {
            first = g, first_sg = sg, first_dom = dom;
        }
    }
    if (first == NULL)
        return;
    const char *name = cfg_directive_queue(sb->qid)->name;
    char gw[300], more[80] = "";
    if (first_sg->o.file == sb->o.file)
        snprintf(gw, sizeof(gw), "line %d", first_sg->o.line);
    else
        snprintf(gw, sizeof(gw), "%s:%d", first_sg->o.file, first_sg->o.line);
    if (others)
        snprintf(more, sizeof(more), " (and %zu other global block%s)", others,
                 others == 1 ? "" : "s");
    oerr(dl, DIAG_WARNING, &sb->o,
         "'%s %s' in <domain %s> of %s '%s' overrides '%s %s' of the more "
         "specific global <domain %s> (%s) for %s%s: a VMTA's or pool's own "
         "<domain> blocks outrank global ones "
         "(--domain-precedence=specificity to change)",
         name, sb->v.str[0] ? sb->v.str : "\"\"", b->arg,
         b->layer == CFG_LAYER_VMTA ? "virtual-mta" : "pool",
         b->layer == CFG_LAYER_VMTA ? m->vmtas[b->owner].pub.name
                                    : m->pools[b->owner].pub.name,
         name, first_sg->v.str[0] ? first_sg->v.str : "\"\"", first->arg, gw,
         first_dom, more);
}

/* warn_layer_overrides - each setting of a VMTA- or pool-layer block that
 * overrides a more specific global block's value (docs/config.md). */
static void warn_layer_overrides(struct cfg_model *m, struct diag_list *dl)
{
    if (!m->opt.vmta_layer_first)
        return;
    for (size_t bi = 0; bi < m->n_dblocks; bi++) {
        const struct cfg_dblock *b = &m->dblocks[bi];
        if (b->layer == CFG_LAYER_GLOBAL)
            continue;
        for (size_t i = 0; i < b->n_set; i++)
            warn_override(m, b, &b->set[i], dl);
    }
}

void cfg_model_finish(struct cfg_model *m, struct diag_list *dl)
{
    int *bad = xcalloc(m->n_macro_refs + 1, sizeof(*bad));
    check_macros(m, bad, dl);
    for (size_t i = 0; i < m->n_dblocks; i++)
        expand_dblock(m, &m->dblocks[i], bad, dl);
    free(bad);
    warn_shared_domains(m, dl);
    for (size_t i = 0; i < m->n_dblocks; i++)
        check_dblock_refs(m, &m->dblocks[i], dl);
    finish_pools(m, dl);
    finish_vmtas(m, dl);
    finish_sources(m, dl);
    warn_layer_overrides(m, dl);
}

/* --------------------------------------------------------------- lookups */

size_t cfg_model_vmta_count(const struct cfg_model *m)
{
    return m->n_vmtas;
}

const struct cfg_vmta *cfg_model_vmta(const struct cfg_model *m, size_t i)
{
    return &m->vmtas[i].pub;
}

int cfg_model_vmta_find(const struct cfg_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_vmtas; i++)
        if (strcmp(m->vmtas[i].pub.name, name) == 0)
            return (int)i;
    return -1;
}

size_t cfg_model_pool_count(const struct cfg_model *m)
{
    return m->n_pools;
}

const struct cfg_pool *cfg_model_pool(const struct cfg_model *m, size_t i)
{
    return &m->pools[i].pub;
}

int cfg_model_pool_find(const struct cfg_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_pools; i++)
        if (strcmp(m->pools[i].pub.name, name) == 0)
            return (int)i;
    return -1;
}

int cfg_model_plist_find(const struct cfg_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_plists; i++)
        if (strcmp(m->plists[i].name, name) == 0)
            return (int)i;
    return -1;
}

double cfg_model_total_max_smtp_out(const struct cfg_model *m)
{
    return m->total_max_smtp_out;
}

double cfg_model_mx_connection_limit(const struct cfg_model *m, const char *mx)
{
    double limit = INFINITY;
    int best = -1;
    for (size_t i = 0; i < m->n_mx_limits; i++) {
        int sc = cfgd_pattern_match(&m->mx_limits[i].mx, mx);
        if (sc > best) {
            best = sc;
            limit = m->mx_limits[i].count;
        }
    }
    return limit;
}

double cfg_model_ip_connection_limit(const struct cfg_model *m, const char *ip)
{
    struct cfgv_cidr addr;
    struct cfgv_err e;
    double limit = INFINITY;
    int best = -1;
    if (m->n_ip_limits == 0 || cfgv_parse_cidr(ip, &addr, &e) != 0)
        return limit;
    for (size_t i = 0; i < m->n_ip_limits; i++)
        if (cfgv_cidr_contains(&m->ip_limits[i].net, &addr) &&
            m->ip_limits[i].net.prefix > best) {
            best = m->ip_limits[i].net.prefix;
            limit = m->ip_limits[i].count;
        }
    return limit;
}

size_t cfg_model_rollup_count(const struct cfg_model *m)
{
    return m->n_rollups;
}

const struct cfg_rollup *cfg_model_rollup(const struct cfg_model *m, size_t i)
{
    return &m->rollups[i];
}

const struct cfg_spl *cfg_model_spl(const struct cfg_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_spls; i++)
        if (strcmp(m->spls[i].name, name) == 0)
            return &m->spls[i];
    return NULL;
}

size_t cfg_model_spl_count(const struct cfg_model *m)
{
    return m->n_spls;
}

const struct cfg_spl *cfg_model_spl_at(const struct cfg_model *m, size_t i)
{
    return &m->spls[i];
}

const char *const *cfg_model_files(const struct cfg_model *m, size_t *n)
{
    *n = m->n_files;
    return (const char *const *)m->files;
}
