/* capacity.c - the capacity search: trial configs, trials, verdicts and
 * what held each provider back. */
#include "plan/capacity.h"
#include "util/fsutil.h"
#include "config/cfg_value.h"
#include "plan/search.h"
#include "plan/trial.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

const char *cap_pool_name(const struct cap_plan *c)
{
    return cfg_model_pool(c->cfg, (size_t)c->pool)->name;
}

/* pick_pool - --pool, else the one pool the streams name, else the
 * config's only pool; -1 with an error in dl. */
static int pick_pool(const struct cap_plan *c, struct diag_list *dl)
{
    const char *name = c->o.pool;
    const struct scenario *sc = &c->m->sc;
    for (size_t i = 0; name == NULL && i < sc->n_streams; i++)
        name = sc->streams[i].pool;
    for (size_t i = 0; name && i < sc->n_streams; i++)
        if (c->o.pool == NULL && sc->streams[i].pool &&
            strcmp(sc->streams[i].pool, name) != 0) {
            diag_add(dl, DIAG_ERROR, sc->path, 0, 0,
                     "the streams use several pools ('%s', '%s'); name the "
                     "one to scale with --pool",
                     name, sc->streams[i].pool);
            return -1;
        }
    if (name == NULL && cfg_model_pool_count(c->cfg) == 1)
        return 0;
    if (name == NULL) {
        diag_add(dl, DIAG_ERROR, sc->config, 0, 0,
                 "the config has %zu virtual-mta-pools and the streams name "
                 "none; name the one to scale with --pool",
                 cfg_model_pool_count(c->cfg));
        return -1;
    }
    int p = cfg_model_pool_find(c->cfg, name);
    if (p < 0)
        diag_add(dl, DIAG_ERROR, sc->config, 0, 0,
                 "no virtual-mta-pool '%s' in the config", name);
    return p;
}

int cap_plan_init(struct cap_plan *c, struct diag_list *dl)
{
    if (patch_load_config(c->m->sc.config, &c->cfg, &c->config_abs, dl))
        return 1;
    c->pool = pick_pool(c, dl);
    if (c->pool < 0)
        return 1;
    const struct cfg_pool *p = cfg_model_pool(c->cfg, (size_t)c->pool);
    if (p->n_members == 0) {
        diag_add(dl, DIAG_ERROR, p->origin.file, p->origin.line, 0,
                 "virtual-mta-pool '%s' has no member to scale", p->name);
        return 1;
    }
    c->tmpl = p->members[0];
    return 0;
}

/* ip_used - 1 when the config already sends from a.b.c.d. */
static int ip_used(const struct cfg_model *cfg, const char *ip)
{
    struct cfgv_cidr x;
    struct cfgv_err e;
    if (cfgv_parse_cidr(ip, &x, &e))
        return 1;
    for (size_t v = 0; v < cfg_model_vmta_count(cfg); v++) {
        const struct cfg_vmta *vm = cfg_model_vmta(cfg, v);
        for (size_t k = 0; k < vm->n_ips; k++)
            if (cfgv_cidr_contains(&vm->ips[k].ip, &x))
                return 1;
    }
    return 0;
}

/* placeholder_ip - the n-th free address of 198.18.0.0/15 (the
 * benchmarking range: never a real sender's). */
static void placeholder_ip(const struct cap_plan *c, int n, char *buf,
                           size_t size)
{
    for (int i = 0, found = 0;; i++) {
        snprintf(buf, size, "198.%d.%d.%d", 18 + i / 64516, i / 254 % 254,
                 i % 254 + 1);
        if (!ip_used(c->cfg, buf) && found++ == n)
            return;
    }
}

/* clone_host - the template's host name with the copy's name in front of
 * its first label's place: "a.example.net" -> "a-add2.example.net". */
static void clone_host(const char *host, int n, char *buf, size_t size)
{
    const char *dot = host ? strchr(host, '.') : NULL;
    if (dot)
        snprintf(buf, size, "%.*s-add%d%s", (int)(dot - host), host, n, dot);
    else
        snprintf(buf, size, "%s-add%d", host ? host : "mta", n);
}

/* clone_block - the template VMTA's lines as copy n (1-based). */
static void clone_block(const struct cap_plan *c, const struct patch *p,
                        int open, int close, int n, struct strbuf *sb)
{
    const struct cfg_vmta *t = cfg_model_vmta(c->cfg, (size_t)c->tmpl);
    strbuf_addf(sb, "<virtual-mta %s-add%d>\n", t->name, n);
    int ip_k = 0;
    for (int l = open + 1; l < close; l++) {
        const char *line = p->lines[l - 1];
        const char *w = line + strspn(line, " \t");
        if (strncasecmp(w, "smtp-source-host", 16) != 0 ||
            !(w[16] == ' ' || w[16] == '\t')) {
            strbuf_addf(sb, "%s\n", line);
            continue;
        }
        char ip[64], host[300];
        placeholder_ip(c, (n - 1) * (int)(t->n_ips ? t->n_ips : 1) + ip_k, ip,
                       sizeof(ip));
        clone_host(ip_k < (int)t->n_ips ? t->ips[ip_k].host_name : NULL, n,
                   host, sizeof(host));
        ip_k++;
        strbuf_addf(sb,
                    "    # mtasim plan capacity: replace with a new warmed "
                    "IP and its host name\n    smtp-source-host %s %s\n",
                    ip, host);
    }
    strbuf_adds(sb, "</virtual-mta>\n");
}

/* drop_members - pool members beyond the first k leave the pool. */
static int drop_members(const struct cap_plan *c, int k, int open, int close,
                        struct patch *p, struct diag_list *dl)
{
    const struct cfg_pool *pool = cfg_model_pool(c->cfg, (size_t)c->pool);
    for (size_t i = (size_t)k; i < pool->n_members; i++) {
        const char *name =
            cfg_model_vmta(c->cfg, (size_t)pool->members[i])->name;
        int line = patch_find_words(p, open, close, "virtual-mta", name);
        if (line == 0) {
            diag_add(dl, DIAG_ERROR, pool->origin.file, open, 0,
                     "cannot find the line 'virtual-mta %s' of pool '%s'", name,
                     pool->name);
            return 1;
        }
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_addf(&sb,
                    "    # virtual-mta %s    (mtasim plan capacity: not "
                    "needed)\n",
                    name);
        patch_replace(p, line, sb.buf);
        strbuf_release(&sb);
    }
    return 0;
}

int cap_patch(const struct cap_plan *c, int k, struct patch *p,
              struct diag_list *dl)
{
    const struct cfg_pool *pool = cfg_model_pool(c->cfg, (size_t)c->pool);
    const struct cfg_vmta *t = cfg_model_vmta(c->cfg, (size_t)c->tmpl);
    if (patch_load(p, c->m->sc.config)) {
        diag_add(dl, DIAG_ERROR, c->m->sc.config, 0, 0, "cannot read: %s",
                 strerror(errno));
        return 1;
    }
    if (patch_need_file(&pool->origin, c->config_abs, c->m->sc.config,
                        "virtual-mta-pool", pool->name, "capacity", dl) ||
        patch_need_file(&t->origin, c->config_abs, c->m->sc.config,
                        "virtual-mta", t->name, "capacity", dl))
        return 1;
    int p_open = pool->origin.line;
    int p_close = patch_find_close(p, p_open, "</virtual-mta-pool>");
    int t_close = patch_find_close(p, t->origin.line, "</virtual-mta>");
    if (p_close == 0 || t_close == 0) {
        diag_add(dl, DIAG_ERROR, c->m->sc.config,
                 p_close ? t->origin.line : p_open, 0,
                 "cannot find the end of this block");
        return 1;
    }
    if ((size_t)k <= pool->n_members)
        return drop_members(c, k, p_open, p_close, p, dl);
    struct strbuf blocks, members;
    strbuf_init(&blocks);
    strbuf_init(&members);
    for (int n = 1; n <= k - (int)pool->n_members; n++) {
        clone_block(c, p, t->origin.line, t_close, n, &blocks);
        strbuf_addf(&members, "    virtual-mta %s-add%d\n", t->name, n);
    }
    patch_insert(p, t_close + 1, blocks.buf);
    patch_insert(p, p_close, members.buf);
    strbuf_release(&blocks);
    strbuf_release(&members);
    return 0;
}

/* mix_json - the domain shares of all streams, weighted by volume. */
static cJSON *mix_json(const struct mix *m)
{
    cJSON *o = cJSON_CreateObject();
    double total = 0;
    for (size_t i = 0; i < m->sc.n_streams; i++)
        total += mix_stream_weight(&m->sc.streams[i]);
    for (size_t i = 0; i < m->sc.n_streams; i++) {
        const struct scen_stream *s = &m->sc.streams[i];
        for (size_t k = 0; k < s->n_domains; k++) {
            double w = mix_stream_weight(s) / total * s->domains[k].share;
            cJSON *old =
                cJSON_GetObjectItemCaseSensitive(o, s->domains[k].domain);
            if (old)
                cJSON_SetNumberValue(old, old->valuedouble + w);
            else
                cJSON_AddNumberToObject(o, s->domains[k].domain, w);
        }
    }
    return o;
}

/* add_warm - ip as a warmed IP of the trial. */
static void add_warm(cJSON *ips, const char *ip)
{
    if (cJSON_GetObjectItemCaseSensitive(ips, ip) == NULL)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(ips, ip), "age_days",
                                365);
}

/* warmed_ips - every source IP of the trial config with k VMTAs, warmed
 * (the question is how many warmed IPs it takes). */
static void warmed_ips(const struct cap_plan *c, int k, cJSON *ips)
{
    char ip[64];
    for (size_t v = 0; v < cfg_model_vmta_count(c->cfg); v++) {
        const struct cfg_vmta *vm = cfg_model_vmta(c->cfg, v);
        for (size_t i = 0; i < vm->n_ips; i++)
            if (vm->ips[i].origin.file) {
                cfgv_format_cidr(&vm->ips[i].ip, ip, sizeof(ip));
                add_warm(ips, ip);
            }
    }
    const struct cfg_pool *pool = cfg_model_pool(c->cfg, (size_t)c->pool);
    const struct cfg_vmta *t = cfg_model_vmta(c->cfg, (size_t)c->tmpl);
    int per = t->n_ips ? (int)t->n_ips : 1;
    for (int n = 0; n < (k - (int)pool->n_members) * per; n++) {
        placeholder_ip(c, n, ip, sizeof(ip));
        add_warm(ips, ip);
    }
}

/* scenario_text - N recipients of the mix injected into the pool at
 * t = 0, simulated for D. */
static char *scenario_text(const struct cap_plan *c, int k)
{
    const struct mix *m = c->m;
    cJSON *root = cJSON_CreateObject();
    char dur[64];
    snprintf(dur, sizeof(dur), "%.0fs", c->o.within_s);
    cJSON_AddStringToObject(root, "duration", dur);
    cJSON_AddNumberToObject(root, "seed", (double)m->sc.seed);
    cJSON_AddStringToObject(root, "config", "pmta.conf");
    cJSON_AddItemToObject(root, "models", trial_models_json(&m->sc));
    cJSON *rep = cJSON_AddObjectToObject(root, "report");
    cJSON_AddStringToObject(rep, "interval", "10m");
    warmed_ips(c, k, cJSON_AddObjectToObject(root, "ips"));
    const struct scen_stream *s0 = &m->sc.streams[0];
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "name", "plan");
    cJSON_AddStringToObject(st, "pool", cap_pool_name(c));
    cJSON_AddNumberToObject(st, "volume_per_day", c->o.volume);
    cJSON_AddStringToObject(st, "arrivals", "blast");
    cJSON_AddStringToObject(st, "at", "00:00");
    cJSON_AddStringToObject(st, "spread", "1s");
    cJSON_AddItemToObject(st, "domains", mix_json(m));
    cJSON_AddNumberToObject(st, "invalid_rate", s0->invalid_rate);
    cJSON_AddNumberToObject(st, "complaint_rate", s0->complaint_rate);
    if (s0->size_bytes > 0)
        cJSON_AddNumberToObject(st, "size_bytes", s0->size_bytes);
    cJSON *streams = cJSON_CreateArray();
    cJSON_AddItemToArray(streams, st);
    cJSON *gen = cJSON_CreateObject();
    cJSON_AddItemToObject(gen, "streams", streams);
    cJSON *sl = cJSON_AddObjectToObject(root, "sendlist");
    cJSON_AddItemToObject(sl, "generate", gen);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

struct cap_run {
    struct cap_plan *c;
    struct diag_list *dl;
};

/* judge - the verdict of trial k from its figures. */
static void judge(const struct cap_plan *c, int k, const struct run_figures *f,
                  struct cap_trial *t)
{
    memset(t, 0, sizeof(*t));
    t->ips = k;
    t->delivered = f->totals.delivered;
    t->expired = f->totals.expired;
    t->queued = f->queued_at_end;
    t->deferral_rate =
        f->totals.attempts > 0 ? f->totals.deferred / f->totals.attempts : 0;
    t->last_s = f->last_delivery_s > 0 ? f->last_delivery_s : 0;
    t->pass = t->expired == 0 && t->queued == 0 &&
              !trial_defer_over(f->totals.deferred, f->totals.attempts,
                                c->o.max_defer);
}

/* run_k - write, simulate and judge k IPs (a search_count_fn). */
static int run_k(void *ctx, int k)
{
    struct cap_run *r = ctx;
    struct cap_plan *c = r->c;
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/trials/k-%d", c->out, k);
    if (fs_mkdir_p(dir.buf)) {
        diag_add(r->dl, DIAG_ERROR, dir.buf, 0, 0, "cannot create: %s",
                 strerror(errno));
        strbuf_release(&dir);
        return -1;
    }
    struct patch p;
    memset(&p, 0, sizeof(p));
    int rc = cap_patch(c, k, &p, r->dl) ? -1 : 0;
    run_figures_release(&c->figs[k]);
    if (rc == 0) {
        char *conf = patch_text(&p), *scen = scenario_text(c, k);
        rc = trial_files(dir.buf, conf, scen, 1, &c->figs[k], r->dl);
        free(conf);
        free(scen);
    }
    patch_release(&p);
    strbuf_release(&dir);
    if (rc)
        return -1;
    c->trials = xreallocarray(c->trials, c->n_trials + 1, sizeof(*c->trials));
    struct cap_trial *t = &c->trials[c->n_trials++];
    judge(c, k, &c->figs[k], t);
    if (c->on_trial)
        c->on_trial(c->ctx, t);
    return t->pass;
}

/* binding - what held a provider back in a trial with k VMTAs: nothing
 * when it finished; else the provider's deferrals when they passed the
 * limit; else the config's max-msg-rate when the queues ran at 90 % of
 * it; else the provider's capacity when they ran at 90 % of the model's;
 * else the connections. Measured, not predicted: the figures are the
 * trial's own. */
static const char *binding(const struct cap_plan *c, const struct cap_prov *cp,
                           const struct run_provider_use *u, int k,
                           double *per_ip_h)
{
    double hours = c->o.within_s / 3600;
    *per_ip_h = u->c.delivered / k / hours;
    double per_queue_h = u->n_queues ? u->c.delivered / u->n_queues / hours : 0;
    if (u->left == 0)
        return "none (finished)";
    if (trial_defer_over(u->c.deferred, u->c.attempts, c->o.max_defer))
        return "provider deferrals";
    if (isfinite(cp->rate_per_h) && per_queue_h >= 0.9 * cp->rate_per_h)
        return "your max-msg-rate";
    if (cp->model_cap_per_h < 1e12 && *per_ip_h >= 0.9 * cp->model_cap_per_h)
        return "provider capacity";
    return "connections (max-smtp-out x SMTP time per message)";
}

/* settings - the config's resolved limits of the provider's largest
 * domain on the template VMTA (what a copy inherits). */
static void settings(const struct cap_plan *c, struct cap_prov *cp)
{
    struct cfg_qsettings s;
    cfg_model_queue_settings(c->cfg, cp->p->top_domain, c->tmpl, &s);
    const struct cfg_value *r = &s.v[CFG_Q_MAX_MSG_RATE];
    cp->rate_per_h = r->set && isfinite(r->rate.count) && r->rate.window_s > 0
                         ? r->rate.count * 3600 / r->rate.window_s
                         : HUGE_VAL;
    cp->rate = r->set ? r->str : "unlimited";
    const struct cfg_value *n = &s.v[CFG_Q_MAX_SMTP_OUT];
    cp->max_smtp_out = n->set ? n->num : HUGE_VAL;
    cp->conns = n->set ? n->str : "unlimited";
}

static void explain(struct cap_plan *c, int k)
{
    double hours = c->o.within_s / 3600;
    int at = k > 1 ? k - 1 : k;
    const struct run_figures *f = &c->figs[at];
    int ran = 0;
    for (size_t i = 0; i < c->n_trials; i++)
        ran |= c->trials[i].ips == at;
    c->provs = xcalloc(c->m->n_p + 1, sizeof(*c->provs));
    for (size_t i = 0; i < c->m->n_p; i++) {
        const struct mix_prov *p = &c->m->p[i];
        struct cap_prov *cp = &c->provs[i];
        cp->p = p;
        cp->model_cap_per_h = p->cap_per_hour;
        settings(c, cp);
        cp->need_per_ip_h = c->o.volume * p->share / hours / k;
        cp->capacity_use =
            p->cap_per_hour < 1e12 ? cp->need_per_ip_h / p->cap_per_hour : 0;
        if (!ran)
            continue;
        struct run_provider_use u;
        run_figures_provider(f, p->name, &u);
        cp->have_binding = 1;
        cp->binding_at_ips = at;
        cp->binding = binding(c, cp, &u, at, &cp->delivered_per_ip_h);
        cp->left_at_end = u.left;
    }
}

int cap_plan_run(struct cap_plan *c, struct diag_list *dl)
{
    struct cap_run r = { c, dl };
    c->figs = xcalloc((size_t)c->o.max_ips + 1, sizeof(*c->figs));
    for (int k = 0; k <= c->o.max_ips; k++)
        run_figures_init(&c->figs[k]);
    int k = search_min_count(c->o.max_ips, run_k, &r, NULL);
    if (k < 0)
        return -1;
    c->answer = k;
    explain(c, k > 0 ? k : c->o.max_ips);
    return 0;
}

void cap_plan_release(struct cap_plan *c)
{
    cfg_model_free(c->cfg);
    free(c->config_abs);
    for (int k = 0; c->figs && k <= c->o.max_ips; k++)
        run_figures_release(&c->figs[k]);
    free(c->figs);
    free(c->trials);
    free(c->provs);
}
