/* capacity.c - the capacity search: trial configs, trials, verdicts and
 * what held each provider back. */
#include "plan/capacity.h"
#include "plan/search.h"
#include "plan/trial.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_limits(struct strbuf *sb, const struct mix_prov *p)
{
    if (p->max_conns > 0)
        strbuf_addf(sb, "    max-smtp-out %d\n", p->max_conns);
    if (p->cap_per_hour < 1e12)
        strbuf_addf(sb, "    max-msg-rate %.0f/h\n",
                    floor(p->cap_per_hour) > 1 ? floor(p->cap_per_hour) : 1);
}

char *cap_config_text(const struct cap_plan *c, int k)
{
    const struct mix *m = c->m;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb,
                "# mtasim plan capacity: %d warmed source IPs for %.0f "
                "messages within %s\n",
                k, c->o.volume, c->o.within);
    for (int i = 0; i < k; i++)
        strbuf_addf(&sb,
                    "<virtual-mta ip%d>\n    smtp-source-host 198.18.%d.%d "
                    "ip%d.plan.invalid\n</virtual-mta>\n",
                    i + 1, i / 250, i % 250 + 1, i + 1);
    strbuf_adds(&sb, "<virtual-mta-pool plan>\n");
    for (int i = 0; i < k; i++)
        strbuf_addf(&sb, "    virtual-mta ip%d\n", i + 1);
    strbuf_adds(&sb, "</virtual-mta-pool>\n<source 0/0>\n    "
                     "default-virtual-mta plan\n</source>\n");
    strbuf_addf(&sb,
                "<domain *>\n    bounce-after %.0fs\n    retry-after 5m\n"
                "    retry-recipients-after 5m\n",
                c->o.within_s);
    for (size_t i = 0; i < m->n_p; i++)
        if (m->p[i].tail) {
            strbuf_addf(&sb, "    queue-to %s.plan\n", m->p[i].name);
            break;
        }
    strbuf_adds(&sb, "</domain>\n");
    for (size_t i = 0; i < m->n_p; i++) {
        const struct mix_prov *p = &m->p[i];
        if (!p->tail && p->domains.len) {
            strbuf_addf(&sb,
                        "domain-macro p_%s %s\n<domain $p_%s>\n    "
                        "queue-to %s.plan\n</domain>\n",
                        p->name, p->domains.buf, p->name, p->name);
        }
        strbuf_addf(&sb, "<domain %s.plan>\n", p->name);
        write_limits(&sb, p);
        strbuf_adds(&sb, "</domain>\n");
    }
    return strbuf_detach(&sb);
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

static cJSON *models_json(const struct scenario *sc)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < sc->n_models; i++) {
        char *abs = realpath(sc->models[i], NULL);
        cJSON_AddItemToArray(a, cJSON_CreateString(abs ? abs : ""));
        free(abs);
    }
    return a;
}

/* scenario_text - N recipients of the mix at t = 0, simulated for D. */
static char *scenario_text(const struct cap_plan *c)
{
    const struct mix *m = c->m;
    cJSON *root = cJSON_CreateObject();
    char dur[64];
    snprintf(dur, sizeof(dur), "%.0fs", c->o.within_s);
    cJSON_AddStringToObject(root, "duration", dur);
    cJSON_AddNumberToObject(root, "seed", (double)m->sc.seed);
    cJSON_AddStringToObject(root, "config", "pmta.conf");
    cJSON_AddItemToObject(root, "models", models_json(&m->sc));
    cJSON *rep = cJSON_AddObjectToObject(root, "report");
    cJSON_AddStringToObject(rep, "interval", "10m");
    const struct scen_stream *s0 = &m->sc.streams[0];
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "name", "plan");
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

/* make_dir - DIR and its parents. */
static int make_dir(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; rc == 0 && *s; s++)
        if (*s == '/') {
            *s = 0;
            rc = mkdir(p, 0777) != 0 && errno != EEXIST;
            *s = '/';
        }
    if (rc == 0)
        rc = mkdir(p, 0777) != 0 && errno != EEXIST;
    free(p);
    return rc ? -1 : 0;
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
    t->pass =
        t->expired == 0 && t->queued == 0 && t->deferral_rate <= c->o.max_defer;
}

/* run_k - write, simulate and judge k IPs (a search_count_fn). */
static int run_k(void *ctx, int k)
{
    struct cap_run *r = ctx;
    struct cap_plan *c = r->c;
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/trials/k-%d", c->out, k);
    if (make_dir(dir.buf)) {
        diag_add(r->dl, DIAG_ERROR, dir.buf, 0, 0, "cannot create: %s",
                 strerror(errno));
        strbuf_release(&dir);
        return -1;
    }
    char *conf = cap_config_text(c, k), *scen = scenario_text(c);
    run_figures_release(&c->figs[k]);
    int rc = trial_files(dir.buf, conf, scen, 1, &c->figs[k], r->dl);
    free(conf);
    free(scen);
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

/* binding - what held a provider back in a trial with k IPs: nothing when
 * it finished; else the provider's capacity (which the planner's
 * max-msg-rate equals) when it ran at 90 % of it; else the provider's
 * deferrals when they passed the limit; else the connections. Measured,
 * not predicted: the figures are the trial's own. */
static const char *binding(const struct cap_plan *c, const struct mix_prov *p,
                           const struct run_provider_use *u, int k,
                           double *per_ip_h)
{
    double hours = c->o.within_s / 3600;
    *per_ip_h = u->c.delivered / k / hours;
    if (u->left == 0)
        return "none (finished)";
    if (p->cap_per_hour < 1e12 && *per_ip_h >= 0.9 * p->cap_per_hour)
        return "provider capacity (= max-msg-rate)";
    if (u->c.attempts > 0 && u->c.deferred / u->c.attempts > c->o.max_defer)
        return "provider deferrals";
    return "connections (max-smtp-out x SMTP time per message)";
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
        cp->need_per_ip_h = c->o.volume * p->share / hours / k;
        cp->capacity_use =
            p->cap_per_hour < 1e12 ? cp->need_per_ip_h / p->cap_per_hour : 0;
        if (!ran)
            continue;
        struct run_provider_use u;
        run_figures_provider(f, p->name, &u);
        cp->have_binding = 1;
        cp->binding_at_ips = at;
        cp->binding = binding(c, p, &u, at, &cp->delivered_per_ip_h);
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
    for (int k = 0; c->figs && k <= c->o.max_ips; k++)
        run_figures_release(&c->figs[k]);
    free(c->figs);
    free(c->trials);
    free(c->provs);
}
