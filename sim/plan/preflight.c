/* preflight.c - scenario vs config vs models, before the run. */
#include "plan/preflight.h"
#include "config/cfg_model.h"
#include "engine/rng.h"
#include "input/sendlist.h"
#include "provider/provider.h"
#include "run/model_pick.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The catch-all model is the one serving a domain no model claims. */
#define PF_OTHER_DOMAIN "example.invalid"

struct pf {
    const struct scenario *sc;
    const struct cfg_model *cfg;
    struct diag_list *dl;
    int errors;
};

static void pf_error(struct pf *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void pf_error(struct pf *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(p->dl, DIAG_ERROR, p->sc->path, 0, 0, fmt, ap);
    va_end(ap);
    p->errors++;
}

/* check_target - a send-list VMTA or pool name against the config. */
static void check_target(struct pf *p, const char *where, const char *vmta,
                         const char *pool)
{
    if (vmta && cfg_model_vmta_find(p->cfg, vmta) < 0)
        pf_error(p,
                 "%s: virtual-mta '%s' is not defined in the config (its "
                 "recipients would all bounce)",
                 where, vmta);
    if (pool && cfg_model_pool_find(p->cfg, pool) < 0)
        pf_error(p,
                 "%s: virtual-mta-pool '%s' is not defined in the config "
                 "(its recipients would all bounce)",
                 where, pool);
}

/* A name seen in a send-list file, to report each unknown one once. */
struct seen {
    char **names;
    size_t n;
};

static int seen_add(struct seen *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return 0;
    s->names = xreallocarray(s->names, s->n + 1, sizeof(*s->names));
    s->names[s->n++] = xstrdup(name);
    return 1;
}

static void seen_release(struct seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->names[i]);
    free(s->names);
}

/* check_sendlist_file - every VMTA and pool a CSV or accounting send list
 * names (one pass over the file, each name checked once). */
static void check_sendlist_file(struct pf *p)
{
    struct rng g;
    rng_init(&g, p->sc->seed, 0);
    size_t before = p->dl->n_errors;
    struct sendlist *sl = sendlist_open(p->sc, &g, p->dl);
    if (sl == NULL) {
        p->errors += (int)(p->dl->n_errors - before);
        rng_release(&g);
        return;
    }
    struct seen vm = { NULL, 0 }, po = { NULL, 0 };
    struct send_rec r;
    int rc;
    while ((rc = sendlist_next(sl, &r)) == 1) {
        const char *v = r.vmta && seen_add(&vm, r.vmta) ? r.vmta : NULL;
        const char *q = r.pool && seen_add(&po, r.pool) ? r.pool : NULL;
        if (v || q)
            check_target(p, p->sc->sendlist_file, v, q);
    }
    if (rc < 0)
        p->errors += (int)(p->dl->n_errors - before);
    sendlist_report_skips(sl, p->dl); /* here once, not per replication */
    seen_release(&vm);
    seen_release(&po);
    sendlist_close(sl);
    rng_release(&g);
}

static void check_streams_targets(struct pf *p)
{
    char where[300];
    for (size_t i = 0; i < p->sc->n_streams; i++) {
        const struct scen_stream *s = &p->sc->streams[i];
        snprintf(where, sizeof(where), "$.sendlist.generate.streams[%zu]", i);
        check_target(p, where, s->vmta, s->pool);
    }
}

/* builtin - the {default} VMTA's built-in source (no smtp-source-host
 * anywhere): the run sends from the scenario's first IP instead. */
static int builtin(const struct cfg_source_ip *s)
{
    return s->origin.file == NULL;
}

/* vmtas_using - how many VMTAs send from ip: those naming it in their own
 * smtp-source-host, plus one for the global list when it holds it. */
static int vmtas_using(const struct cfg_model *cfg, const struct cfgv_cidr *ip)
{
    int n = 0;
    for (size_t v = 0; v < cfg_model_vmta_count(cfg); v++) {
        const struct cfg_vmta *vm = cfg_model_vmta(cfg, v);
        if (vm->ips_inherited && !vm->implicit)
            continue;
        for (size_t k = 0; k < vm->n_ips; k++)
            if (!builtin(&vm->ips[k]) &&
                cfgv_cidr_contains(&vm->ips[k].ip, ip)) {
                n++;
                break;
            }
    }
    return n;
}

static size_t config_ip_count(const struct cfg_model *cfg)
{
    size_t n = 0;
    for (size_t v = 0; v < cfg_model_vmta_count(cfg); v++) {
        const struct cfg_vmta *vm = cfg_model_vmta(cfg, v);
        for (size_t k = 0; k < vm->n_ips; k++)
            n += !builtin(&vm->ips[k]);
    }
    return n;
}

/* check_scenario_ips - every scenario IP is one the config sends from. A
 * config without any source IP sends from the scenario's first IP. */
static void check_scenario_ips(struct pf *p)
{
    size_t n_cfg = config_ip_count(p->cfg);
    for (size_t i = 0; i < p->sc->n_ips; i++) {
        struct cfgv_cidr ip;
        struct cfgv_err e;
        if (cfgv_parse_cidr(p->sc->ips[i].ip, &ip, &e))
            continue; /* the scenario loader reports bad addresses */
        char where[300];
        snprintf(where, sizeof(where), "$.ips['%s']", p->sc->ips[i].ip);
        int users = n_cfg ? vmtas_using(p->cfg, &ip) : i == 0;
        if (users == 0)
            pf_error(p,
                     "%s: no virtual-mta of the config sends from this IP "
                     "(%s); name it in a smtp-source-host or remove it",
                     where, p->sc->config);
        else if (users > 1)
            diag_add(p->dl, DIAG_WARNING, p->sc->path, 0, 0,
                     "%s: %d virtual-mtas send from this IP; the provider "
                     "models see their traffic as one IP",
                     where, users);
    }
}

static int scenario_has_ip(const struct scenario *sc,
                           const struct cfgv_cidr *net)
{
    for (size_t i = 0; i < sc->n_ips; i++) {
        struct cfgv_cidr ip;
        struct cfgv_err e;
        if (cfgv_parse_cidr(sc->ips[i].ip, &ip, &e) == 0 &&
            cfgv_cidr_contains(net, &ip))
            return 1;
    }
    return 0;
}

/* check_config_ips - with "ips" given, every config source IP is in it
 * (an IP the scenario does not describe would count as established). */
static void check_config_ips(struct pf *p)
{
    if (p->sc->n_ips == 0)
        return;
    for (size_t v = 0; v < cfg_model_vmta_count(p->cfg); v++) {
        const struct cfg_vmta *vm = cfg_model_vmta(p->cfg, v);
        if (vm->n_ips == 0 && !vm->implicit)
            diag_add(p->dl, DIAG_WARNING, p->sc->config, vm->origin.line,
                     vm->origin.col,
                     "virtual-mta '%s' has no smtp-source-host: it sends "
                     "from the scenario's first IP",
                     vm->name);
        if (vm->ips_inherited && !vm->implicit)
            continue; /* the global list: checked once, with {default} */
        for (size_t k = 0; k < vm->n_ips; k++) {
            const struct cfg_source_ip *s = &vm->ips[k];
            if (builtin(s) || scenario_has_ip(p->sc, &s->ip))
                continue;
            char ip[64];
            cfgv_format_cidr(&s->ip, ip, sizeof(ip));
            diag_add(p->dl, DIAG_ERROR, s->origin.file, s->origin.line,
                     s->origin.col,
                     "source IP %s of virtual-mta '%s' is missing from the "
                     "scenario's \"ips\" (it would count as established); "
                     "add it there with its age_days",
                     ip, vm->name);
            p->errors++;
        }
    }
}

/* check_models - every stream domain has a provider model. */
static void check_models(struct pf *p)
{
    struct prov_world *w = prov_world_alloc();
    size_t before = p->dl->n_errors;
    model_load_all(w, p->sc->models, p->sc->n_models, p->dl);
    p->errors += (int)(p->dl->n_errors - before);
    int other = prov_world_find(w, PF_OTHER_DOMAIN);
    for (size_t i = 0; i < p->sc->n_streams; i++) {
        const struct scen_stream *s = &p->sc->streams[i];
        size_t generic = 0;
        for (size_t k = 0; k < s->n_domains; k++) {
            const char *d = s->domains[k].domain;
            int prov = prov_world_find(w, strcmp(d, "*") ? d : PF_OTHER_DOMAIN);
            char where[300];
            snprintf(where, sizeof(where),
                     "$.sendlist.generate.streams[%zu].domains['%s']", i, d);
            if (prov < 0)
                pf_error(p,
                         "%s: no provider model serves this domain (add a "
                         "model with \"domains\": [\"*\"]%s)",
                         where, ", such as models/generic.json");
            else if (prov == other)
                generic++;
        }
        if (s->n_domains > 0 && generic == s->n_domains && other >= 0)
            diag_add(p->dl, DIAG_WARNING, p->sc->path, 0, 0,
                     "$.sendlist.generate.streams[%zu] ('%s'): only the "
                     "catch-all model '%s' serves its domains; is a provider "
                     "model missing?",
                     i, s->name, prov_world_name(w, other));
    }
    prov_world_free(w);
}

int preflight_check(const struct scenario *sc, struct diag_list *dl)
{
    struct pf p = { sc, NULL, dl, 0 };
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    o.warn_once = 1; /* the run that follows does not repeat them */
    size_t before = dl->n_errors;
    struct cfg_model *cfg = cfg_load(sc->config, &o, dl);
    if (cfg == NULL || dl->n_errors > before) {
        cfg_model_free(cfg);
        return (int)(dl->n_errors - before) + (cfg == NULL);
    }
    p.cfg = cfg;
    if (sc->sendlist_kind == SCEN_SL_GENERATE)
        check_streams_targets(&p);
    else
        check_sendlist_file(&p);
    check_scenario_ips(&p);
    check_config_ips(&p);
    check_models(&p);
    if (sc->report_interval_s > sc->duration_s)
        diag_add(dl, DIAG_WARNING, sc->path, 0, 0,
                 "$.report.interval (%.0f s) is longer than the run "
                 "(%.0f s): the reports hold one interval",
                 sc->report_interval_s, sc->duration_s);
    cfg_model_free(cfg);
    return p.errors;
}
