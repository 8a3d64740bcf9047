/* fit.c - `mtasim fit`: provider models from PowerMTA accounting files,
 * and with --check, the logged traffic replayed through them. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "cli/fit_check.h"
#include "cli/outdir.h"
#include "fit/fit.h"
#include "util/diag.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fit_help[] =
    "usage: mtasim fit ACCT_FILE... [--config CONFIG] [-o|--out DIR]\n"
    "                  [--providers DIR] [--ip-age IP=DAYS]... [--check]\n"
    "                  [-q|--quiet] [--force]\n"
    "\n"
    "Calibrate the provider models from your own PowerMTA accounting files\n"
    "(plain or .gz, any order: they are read oldest first). For every\n"
    "provider found in them, DIR/<provider>.json is its shipped model with\n"
    "the values the logs determine written over the defaults, and a\n"
    "\"_fit\" object saying what was fitted, from how many records, with\n"
    "what 95 % interval, and what was kept and why (docs/fit.md).\n"
    "\n"
    "options:\n"
    "  -o, --out DIR    where the models go (default out/fit); cleared first\n"
    "                   when mtasim wrote it, refused (exit 3) when another\n"
    "                   non-empty folder\n"
    "  --providers DIR  the shipped models to start from (default models/)\n"
    "  --ip-age IP=DAYS an IP's active sending days on the logs' first day\n"
    "                   (repeat it; IPs first seen later count as new)\n"
    "  --check          replay the logged traffic through the fitted models\n"
    "                   with --config; writes DIR/fit-check.csv\n"
    "                   (provider,hour,logged_delivered,sim_delivered,\n"
    "                   logged_deferred,sim_deferred), DIR/check/ (the run)\n"
    "                   and a plot DIR/fit-check.png\n"
    "  --config CONFIG  the PowerMTA config that sent the logged mail\n"
    "  --force          clear DIR even when mtasim did not write it (a\n"
    "                   folder mtasim wrote is always cleared first)\n"
    "  -q, --quiet      print nothing on success\n"
    "  -h, --help       this text\n";

#define MAX_AGES 64

struct fit_cli {
    const char *out, *providers, *config;
    struct fit_ip_age ages[MAX_AGES];
    size_t n_ages;
    int check, quiet, force;
};

static int parse_age(const char *arg, struct fit_cli *o)
{
    const char *eq = strchr(arg, '=');
    char *end;
    if (eq == NULL || eq == arg || o->n_ages == MAX_AGES)
        return -1;
    double v = strtod(eq + 1, &end);
    if (*end || end == eq + 1 || !(v >= 0 && v < 100000))
        return -1;
    o->ages[o->n_ages].ip = xstrndup(arg, (size_t)(eq - arg));
    o->ages[o->n_ages++].age_days = v;
    return 0;
}

static int parse_fit_args(int argc, char **argv, struct fit_cli *o)
{
    static const struct option own[] = {
        { "providers", required_argument, NULL, 'p' },
        { "config", required_argument, NULL, 'c' },
        { "ip-age", required_argument, NULL, 'a' },
        { "check", no_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    cli_opt_init(&p, "mtasim fit", fit_help,
                 CLI_O_OUT | CLI_O_QUIET | CLI_O_FORCE, own, "");
    int c, status = 0;
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0) {
        switch (c) {
        case 'p':
            o->providers = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'a':
            if (parse_age(optarg, o) < 0)
                return cli_usage(&p,
                                 "--ip-age takes IP=DAYS (DAYS >= 0), "
                                 "not '%s'",
                                 optarg);
            break;
        case 'k':
            o->check = 1;
            break;
        }
    }
    if (c == CLI_OPT_STOP)
        return status;
    o->out = p.c.out;
    o->quiet = p.c.quiet;
    o->force = p.c.force;
    if (optind >= argc) {
        fputs("mtasim fit: no accounting file given; try 'mtasim fit "
              "--help'\n",
              stderr);
        return 2;
    }
    if (o->check && o->config == NULL) {
        fputs("mtasim fit: --check needs --config CONFIG (the PowerMTA "
              "config that sent the logged mail)\n",
              stderr);
        return 2;
    }
    return -1;
}

static void free_ages(struct fit_cli *o)
{
    for (size_t i = 0; i < o->n_ages; i++)
        free((char *)o->ages[i].ip);
}

/* claim_out - DIR (default out/fit) as fit's output folder, which must
 * not hold the logs, the config or the models fitted from. */
static char *claim_out(const struct fit_cli *o, int n_logs, char **logs,
                       const char *models, struct diag_list *dl, int *status)
{
    const char **in = xcalloc((size_t)n_logs + 3, sizeof(*in));
    size_t k = 0;
    for (int i = 0; i < n_logs; i++)
        in[k++] = logs[i];
    in[k++] = models;
    if (o->config)
        in[k++] = o->config;
    char *out = outdir_claim(o->out ? o->out : "out/fit", "mtasim fit",
                             o->force, in, dl, status);
    free(in);
    return out;
}

int cmd_fit(int argc, char **argv)
{
    struct fit_cli o;
    memset(&o, 0, sizeof(o));
    int rc = parse_fit_args(argc, argv, &o);
    if (rc >= 0) {
        free_ages(&o);
        return rc;
    }
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    char *models = o.providers ? xstrdup(o.providers) : cli_models_dir();
    struct fit_opts fo = { models, o.ages, o.n_ages };
    char *out = NULL;
    struct fit *f = fit_alloc(&fo, &dl);
    rc = 1;
    if (f == NULL)
        goto done;
    if (fit_read(f, (const char *const *)argv + optind, (size_t)(argc - optind),
                 &dl) < 0)
        goto done;
    fit_estimate(f);
    out = claim_out(&o, argc - optind, argv + optind, models, &dl, &rc);
    if (out == NULL)
        goto done;
    rc = 1;
    if (fit_write(f, out, &dl) < 0)
        goto done;
    if (!o.quiet) {
        char *text = fit_report(f);
        fputs(text, stdout);
        printf("fitted models in %s/\n", out);
        free(text);
    }
    rc = 0;
    if (o.check) {
        struct fit_check_opts co = { o.config,
                                     models,
                                     out,
                                     o.quiet,
                                     (const char *const *)argv + optind,
                                     (size_t)(argc - optind) };
        rc = fit_check_run(f, &co, &dl);
    }
done:
    diag_print_all(stderr, &dl, "fit", isatty(STDERR_FILENO));
    diag_list_release(&dl);
    fit_free(f);
    free(out);
    free(models);
    free_ages(&o);
    return rc;
}
