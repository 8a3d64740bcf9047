/* plan.c - `mtasim plan capacity` (options, printing, capacity.json and
 * capacity.conf) and the `mtasim plan` dispatch. The search itself is
 * library code: plan/capacity.h. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "cli/outdir.h"
#include "cli/plan_cli.h"
#include "config/cfg_value.h"
#include "plan/capacity.h"
#include "plan/patch.h"
#include "plan/preflight.h"
#include "plan/trial.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char plan_help[] =
    "usage: mtasim plan capacity SCENARIO --volume N --within D\n"
    "                            [--pool NAME] [--max-deferral-rate X]\n"
    "                            [--max-ips K] [-o|--out DIR] [--seed N]\n"
    "                            [-q|--quiet] [--force]\n"
    "       mtasim plan warmup SCENARIO ...   (mtasim plan warmup --help)\n"
    "\n"
    "Find how many warmed virtual-mtas (source IPs) of your own pool deliver\n"
    "N messages of the scenario's provider mix (the domain shares of its\n"
    "generated streams) within D, with at most the fraction X of attempts\n"
    "deferred (default 0.05).\n"
    "\n"
    "The pool is --pool, else the one the scenario's streams name, else the\n"
    "config's only pool. For K virtual-mtas the planner patches the\n"
    "scenario's config: K up to the pool's members keeps the first K; more\n"
    "adds copies of its first member (its lines, domain blocks and all, with\n"
    "a placeholder IP from 198.18.0.0/15 and host name for you to replace).\n"
    "Every other line, your backoff rules and limits included, stays. It\n"
    "injects N recipients into the pool at once, every IP warmed, and\n"
    "simulates D. K passes when nothing is left queued or expired at D and\n"
    "deferrals are within X, judged as a count (above X of the attempts by\n"
    "more than chance: a one-sided binomial test at the 0.05 level, as in\n"
    "plan warmup). K doubles until it passes, then a bisection\n"
    "finds the smallest K; the report shows K - 1 failing. No answer up to\n"
    "--max-ips (default 256) is exit 1, with the reason.\n"
    "\n"
    "Per provider it then says what held the provider back in that failing\n"
    "K - 1 trial, from the trial's own figures: 'none (finished)', the\n"
    "'provider deferrals' (above X), 'your max-msg-rate' (the queues ran at\n"
    "90 % of it or more), the 'provider capacity' (90 % of the model's\n"
    "per-IP capacity) or the 'connections' (max-smtp-out connections were\n"
    "not enough). Raise that limit, or add IPs, to go faster.\n"
    "\n"
    "Writes to DIR (default out/capacity-<scenario>): capacity.json (the\n"
    "answer, the settings, every trial), capacity.patch (a unified diff of\n"
    "your config for the answer), capacity.conf (your config with it\n"
    "applied) and each trial's run in trials/k-K/. DIR is cleared first\n"
    "when mtasim wrote it; another non-empty DIR is refused (exit 3) unless\n"
    "--force clears it.\n";

struct plan_opts {
    const char *scenario, *within, *pool;
    double volume, max_defer, within_s;
    int max_ips;
    struct cli_common c; /* --out, --seed, --quiet, --force */
};

int plan_usage(const char *msg)
{
    fprintf(stderr, "mtasim plan: %s; try 'mtasim plan --help'\n", msg);
    return 2;
}

int plan_parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno || end == s || *end || !(*out > 0) ? -1 : 0;
}

static int parse_plan_args(int argc, char **argv, struct plan_opts *o)
{
    static const struct option own[] = {
        { "volume", required_argument, NULL, 'n' },
        { "within", required_argument, NULL, 'w' },
        { "max-deferral-rate", required_argument, NULL, 'x' },
        { "max-ips", required_argument, NULL, 'k' },
        { "pool", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    cli_opt_init(&p, "mtasim plan capacity", plan_help,
                 CLI_O_OUT | CLI_O_QUIET | CLI_O_SEED | CLI_O_FORCE, own, "");
    int c, status = 0;
    double v;
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0) {
        switch (c) {
        case 'n':
            if (plan_parse_number(optarg, &o->volume))
                return cli_usage(&p, "--volume takes a positive number");
            break;
        case 'w':
            o->within = optarg;
            break;
        case 'x':
            if (plan_parse_number(optarg, &o->max_defer) || o->max_defer > 1)
                return cli_usage(&p, "--max-deferral-rate takes a fraction "
                                     "(0, 1]");
            break;
        case 'k':
            if (plan_parse_number(optarg, &v) || v > 4096)
                return cli_usage(&p, "--max-ips takes 1 to 4096");
            o->max_ips = (int)v;
            break;
        case 'p':
            o->pool = optarg;
            break;
        }
    }
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    o->c = p.c;
    if (optind != argc - 1)
        return cli_usage(&p, "expected one SCENARIO");
    o->scenario = argv[optind];
    if (o->volume <= 0 || o->within == NULL)
        return cli_usage(&p, "--volume and --within are required");
    if (cli_parse_duration("mtasim plan", "--within", o->within, &o->within_s))
        return 2;
    return 0;
}

/* plan_load - the scenario named on the command line and its mix. */
int plan_load(struct mix *m, const char *scenario, const uint64_t *seed,
              struct diag_list *dl)
{
    char *path = cli_scenario_path(scenario);
    char *models = cli_models_dir();
    int rc = mix_load(m, path, models, seed, dl);
    free(path);
    free(models);
    return rc;
}

int plan_preflight(const struct scenario *sc, struct diag_list *dl)
{
    return preflight_check(sc, dl) ? 1 : 0;
}

/* The trial log: capacity.json's "trials", and stdout unless quiet. */
struct trial_log {
    cJSON *trials;
    int quiet;
};

static void log_trial(void *ctx, const struct cap_trial *t)
{
    struct trial_log *log = ctx;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "ips", t->ips);
    cJSON_AddBoolToObject(o, "pass", t->pass);
    cJSON_AddNumberToObject(o, "delivered", t->delivered);
    cJSON_AddNumberToObject(o, "expired", t->expired);
    cJSON_AddNumberToObject(o, "queued_at_end", t->queued);
    cJSON_AddNumberToObject(o, "deferral_rate", t->deferral_rate);
    cJSON_AddNumberToObject(o, "last_delivery_s", t->last_s);
    cJSON_AddItemToArray(log->trials, o);
    if (log->quiet)
        return;
    printf("  %4d IPs: %s  delivered %.0f, expired %.0f, left %.0f, "
           "deferral rate %.4f, last delivery %.0f s\n",
           t->ips, t->pass ? "pass" : "fail", t->delivered, t->expired,
           t->queued, t->deferral_rate, t->last_s);
    fflush(stdout);
}

static cJSON *provider_json(const struct cap_plan *c)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < c->m->n_p; i++) {
        const struct cap_prov *cp = &c->provs[i];
        const struct mix_prov *p = cp->p;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "provider", p->name);
        cJSON_AddBoolToObject(o, "long_tail", p->tail);
        cJSON_AddNumberToObject(o, "share", p->share);
        cJSON_AddNumberToObject(o, "need_per_ip_per_hour", cp->need_per_ip_h);
        if (isfinite(cp->rate_per_h))
            cJSON_AddNumberToObject(o, "max_msg_rate_per_hour",
                                    floor(cp->rate_per_h));
        if (isfinite(cp->max_smtp_out))
            cJSON_AddNumberToObject(o, "max_smtp_out", cp->max_smtp_out);
        cJSON_AddStringToObject(o, "max_msg_rate", cp->rate);
        cJSON_AddStringToObject(o, "max_smtp_out_text", cp->conns);
        if (p->cap_per_hour < 1e12)
            cJSON_AddNumberToObject(o, "model_capacity_per_ip_per_hour",
                                    floor(p->cap_per_hour));
        cJSON_AddNumberToObject(o, "capacity_use", cp->capacity_use);
        if (cp->have_binding) {
            cJSON_AddNumberToObject(o, "binding_at_ips", cp->binding_at_ips);
            cJSON_AddNumberToObject(o, "delivered_per_ip_per_hour",
                                    cp->delivered_per_ip_h);
            cJSON_AddNumberToObject(o, "left_at_end", cp->left_at_end);
            cJSON_AddStringToObject(o, "binding", cp->binding);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static void print_answer(const struct cap_plan *c)
{
    int k = c->answer;
    printf("\nanswer: %d warmed virtual-mta%s in pool '%s' deliver %.0f "
           "messages within %s (deferral rate at most %g); %d fail.\n",
           k, k == 1 ? "" : "s", cap_pool_name(c), c->o.volume, c->o.within,
           c->o.max_defer, k - 1);
    printf("  %-12s %7s %14s %12s %12s %8s   %s\n", "provider", "share",
           "need/IP/hour", "max-msg-rate", "max-smtp-out", "use",
           k > 1 ? "what held it back with one IP fewer" : "binding");
    for (size_t i = 0; i < c->m->n_p; i++) {
        const struct cap_prov *cp = &c->provs[i];
        printf("  %-12s %6.1f%% %14.0f %12s %12s %7.0f%%   %s%s\n", cp->p->name,
               100 * cp->p->share, cp->need_per_ip_h, cp->rate, cp->conns,
               100 * cp->capacity_use, cp->have_binding ? cp->binding : "?",
               cp->p->tail ? " (tail)" : "");
    }
    printf("  (max-msg-rate and max-smtp-out as your config resolves them for "
           "each provider's largest domain;\n   use = need against the "
           "model's capacity per warmed IP)\n");
}

/* write_conf - capacity.patch and capacity.conf for the answer. */
static int write_conf(struct cap_plan *c, const char *out, struct diag_list *dl)
{
    struct patch p;
    memset(&p, 0, sizeof(p));
    int rc = cap_patch(c, c->answer, &p, dl);
    if (rc == 0) {
        const char *slash = strrchr(c->m->sc.config, '/');
        char *diff = patch_diff(&p, slash ? slash + 1 : c->m->sc.config);
        char *conf = patch_text(&p);
        rc = trial_write_file(out, "capacity.patch", diff) ||
             trial_write_file(out, "capacity.conf", conf);
        free(diff);
        free(conf);
    }
    patch_release(&p);
    return rc;
}

static int write_answer(struct cap_plan *c, cJSON *trials, const char *out,
                        int quiet, struct diag_list *dl)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", c->m->sc.path);
    cJSON_AddNumberToObject(root, "volume", c->o.volume);
    cJSON_AddNumberToObject(root, "within_s", c->o.within_s);
    cJSON_AddNumberToObject(root, "max_deferral_rate", c->o.max_defer);
    if (c->answer > 0)
        cJSON_AddNumberToObject(root, "ips", c->answer);
    else
        cJSON_AddNullToObject(root, "ips");
    cJSON_AddItemToObject(root, "providers", provider_json(c));
    cJSON_AddItemReferenceToObject(root, "trials", trials);
    if (c->answer > 0 && !quiet)
        print_answer(c);
    char *text = cJSON_Print(root);
    int rc = trial_write_file(out, "capacity.json", text);
    cJSON_free(text);
    cJSON_Delete(root);
    if (c->answer > 0)
        rc |= write_conf(c, out, dl);
    if (rc) {
        diag_add(dl, DIAG_ERROR, out, 0, 0, "cannot write the answer: %s",
                 strerror(errno));
        return 1;
    }
    if (c->answer > 0) {
        if (quiet)
            return 0;
        printf("capacity.json, capacity.patch (for %s), capacity.conf and the "
               "trials in %s/\n",
               c->m->sc.config, out);
        return 0;
    }
    /* No answer is not a plan: exit 1 with the reason. */
    diag_add(dl, DIAG_ERROR, c->m->sc.path, 0, 0,
             "no answer: even %d IPs fail (raise --max-ips, the deadline or "
             "the deferral limit); the trials are in %s/",
             c->o.max_ips, out);
    return 1;
}

static int plan_capacity(int argc, char **argv)
{
    struct plan_opts o;
    memset(&o, 0, sizeof(o));
    o.max_defer = 0.05;
    o.max_ips = 256;
    int rc = parse_plan_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    struct mix m;
    struct cap_plan c;
    memset(&c, 0, sizeof(c));
    cJSON *trials = cJSON_CreateArray();
    struct trial_log log = { trials, o.c.quiet };
    char *out = NULL;
    rc = plan_load(&m, o.scenario, o.c.have_seed ? &o.c.seed : NULL, &dl);
    if (rc == 0)
        rc = plan_preflight(&m.sc, &dl);
    if (rc == 0) {
        out =
            outdir_claim_scenario(o.c.out, "capacity-", &m.sc, 1,
                                  "mtasim plan capacity", o.c.force, &dl, &rc);
    }
    if (rc == 0) {
        struct cap_opts co = { o.volume, o.within_s, o.max_defer,
                               o.within, o.max_ips,  o.pool };
        c.o = co;
        c.m = &m;
        rc = cap_plan_init(&c, &dl);
    }
    if (rc == 0) {
        c.out = out;
        c.on_trial = log_trial;
        c.ctx = &log;
        if (!o.c.quiet)
            printf("searching the fewest warmed virtual-mtas of pool '%s' for "
                   "%.0f messages within %s:\n",
                   cap_pool_name(&c), o.volume, o.within);
        rc = cap_plan_run(&c, &dl) != 0 ||
             write_answer(&c, trials, out, o.c.quiet, &dl);
    }
    diag_print_all(stderr, &dl, "mtasim plan capacity", isatty(STDERR_FILENO));
    diag_list_release(&dl);
    cap_plan_release(&c);
    cJSON_Delete(trials);
    mix_release(&m);
    free(out);
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "capacity") == 0)
        return plan_capacity(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        cli_print_help(stdout, plan_help, CLI_O_FORCE);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "warmup") == 0)
        return plan_warmup(argc - 1, argv + 1);
    return plan_usage("expected 'capacity' or 'warmup'");
}
