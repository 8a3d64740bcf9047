/* run.c - `mtasim run`: simulate a scenario and write its reports.
 *
 * Outputs go to --out (default out/<scenario name>/): summary.json,
 * timeseries.csv, events.csv, latency.csv and, with --acct, acct.csv in
 * PowerMTA accounting format. They are written under temporary names and
 * renamed when the run succeeds, so a failed run leaves nothing half
 * written. Progress goes to stderr when it is a terminal. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "config/cfg_value.h"
#include "cli/outdir.h"
#include "cli/run_meta.h"
#include "cli/runner.h"
#include "run/sim.h"
#include "util/diag.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char run_help[] =
    "usage: mtasim run SCENARIO [--config FILE] [-o|--out DIR] [--seed N]\n"
    "                  [--duration D] [--acct] [--acct-eol lf|crlf]\n"
    "                  [--replications R [--jobs J]] [--force]\n"
    "\n"
    "Simulate SCENARIO (a scenario JSON file, or a directory holding\n"
    "scenario.json): its send list goes through the PowerMTA config into\n"
    "the provider models, over simulated days, in seconds of wall time.\n"
    "\n"
    "options:\n"
    "  --config FILE   use this PowerMTA config instead of the scenario's\n"
    "  -o, --out DIR   where the reports go (default out/<scenario name>)\n"
    "  --seed N        random seed (default: the scenario's, else 1); the\n"
    "                  same inputs and seed give byte-identical reports\n"
    "  --duration D    simulated time, PowerMTA interval syntax (30d, 12h)\n"
    "  --acct          also write acct.csv in PowerMTA accounting format:\n"
    "                  r (at injection), d, b, t and tq records, PowerMTA\n"
    "                  times and bounce categories (a send list of format\n"
    "                  pmta-acct replays it); warns first when it would\n"
    "                  pass 1 GB\n"
    "  --acct-eol lf|crlf  line ends of acct.csv (default lf; crlf as\n"
    "                  Windows tools expect); implies --acct\n"
    "  --replications R  run R independent replications (random stream N\n"
    "                  for replication N); DIR/summary.json then gives every\n"
    "                  figure's mean, 95 % confidence interval (Student t)\n"
    "                  and per-replication values; each replication's\n"
    "                  reports are in DIR/rep-N/, replication 0's CSVs also\n"
    "                  in DIR\n"
    "  -j, --jobs J    run the replications on J processes (default 1)\n"
    "  --force         run even past the soft limits on report size and\n"
    "                  volume (docs/limits.md), and clear an output folder\n"
    "                  that mtasim did not write (see 'output folder')\n"
    "  -q, --quiet     no summary on stdout, no progress on stderr\n"
    "  -h, --help      this text\n"
    "\n"
    "reports (in DIR):\n"
    "  summary.json    totals, latency quantiles, throughput, per queue,\n"
    "                  provider (with a count per reply text) and stream\n"
    "  timeseries.csv  per report interval and queue (and '*' for all):\n"
    "                  queued, ready, awaiting_retry, connections, attempts,\n"
    "                  delivered, deferred, bounced, expired, mode, injected\n"
    "  events.csv      backoff enter/exit with the reason, retry mode,\n"
    "                  source IPs disabled/enabled (queue rows); provider\n"
    "                  episodes and blocks (provider and ip columns)\n"
    "  daily.csv       per day, provider and source IP: offered, accepted,\n"
    "                  deferred, bounced, reputation, age_days,\n"
    "                  capacity_per_hour, episodes, blocked (also in\n"
    "                  summary.json \"daily\")\n"
    "  latency.csv     latency histogram and CDF per stream ('*' = all)\n"
    "\n"
    "output folder: DIR is the run's own. A missing or empty DIR is created;\n"
    "one mtasim wrote before (it holds the file 'mtasim-folder') is cleared\n"
    "first, so no earlier acct.csv, rep-N/ or plot survives; any other\n"
    "non-empty DIR is refused (exit 3) unless --force clears it. A folder\n"
    "that holds an input file or the current directory is never cleared.\n"
    "\n"
    "The rate-limit algorithm PowerMTA uses is undocumented; pick it in the\n"
    "scenario with \"rate_window\": \"sliding\" (default), \"token-bucket\"\n"
    "or \"even\" (see README).\n";

struct run_opts {
    const char *scenario, *config, *duration;
    uint64_t replications;
    int acct;
    struct cli_common c; /* --out, --seed, --jobs, --quiet, --force */
};

static int parse_run_args(int argc, char **argv, struct run_opts *o)
{
    static const struct option own[] = {
        { "config", required_argument, NULL, 'c' },
        { "duration", required_argument, NULL, 'd' },
        { "acct", no_argument, NULL, 'a' },
        { "acct-eol", required_argument, NULL, 'E' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    cli_opt_init(&p, "mtasim run", run_help,
                 CLI_O_OUT | CLI_O_QUIET | CLI_O_SEED | CLI_O_JOBS |
                     CLI_O_REPS | CLI_O_FORCE,
                 own, "");
    int c, status = 0;
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0) {
        switch (c) {
        case 'c':
            o->config = optarg;
            break;
        case 'd':
            o->duration = optarg;
            break;
        case 'a':
            o->acct = o->acct ? o->acct : 1;
            break;
        case 'E':
            if (strcmp(optarg, "lf") != 0 && strcmp(optarg, "crlf") != 0)
                return cli_usage(&p,
                                 "--acct-eol takes 'lf' or 'crlf', not "
                                 "'%s'",
                                 optarg);
            o->acct = strcmp(optarg, "crlf") == 0 ? 2 : 1;
            break;
        }
    }
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    o->c = p.c;
    o->replications = p.c.replications;
    if (optind != argc - 1)
        return cli_usage(&p, "expected one SCENARIO");
    o->scenario = argv[optind];
    return 0;
}

/* apply_overrides - --config, --seed and --duration over the scenario. */
static int apply_overrides(struct scenario *sc, const struct run_opts *o)
{
    if (o->config) {
        free(sc->config);
        sc->config = xstrdup(o->config);
    }
    if (o->c.have_seed)
        sc->seed = o->c.seed;
    sc->force = o->c.force;
    if (o->duration && cli_parse_duration("mtasim run", "--duration",
                                          o->duration, &sc->duration_s))
        return 2;
    if (o->duration && sc->duration_s > SCEN_MAX_INTERVAL_S) {
        fprintf(stderr,
                "mtasim run: --duration '%s' is longer than the limit of %s\n",
                o->duration, SCEN_MAX_INTERVAL_TEXT);
        return 2;
    }
    return 0;
}

/* warn_acct_size - say so before a run whose acct.csv will pass 1 GB. */
static void warn_acct_size(const struct scenario *sc, uint64_t reps)
{
    double gb = sim_acct_estimate(sc) * (double)reps / 1e9;
    if (gb > 1)
        fprintf(stderr,
                "mtasim run: warning: acct.csv will take at least %.1f GB "
                "(one r and one final record per recipient%s); drop --acct "
                "or shorten the run if that is too much\n",
                gb, reps > 1 ? ", in every replication" : "");
}

/* print_figure - "  label  mean [ci_low, ci_high]" of figures.SECTION.KEY
 * in the aggregate summary (nothing when absent). */
static void print_figure(const cJSON *figs, const char *section,
                         const char *key, const char *label)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(figs, section), key);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, "mean");
    const cJSON *lo = cJSON_GetObjectItemCaseSensitive(f, "ci_low");
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(f, "ci_high");
    if (!cJSON_IsNumber(m) || !cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
        return;
    printf("  %-24s %12.6g  [%.6g, %.6g]\n", label, m->valuedouble,
           lo->valuedouble, hi->valuedouble);
}

/* print_replicated - the aggregate's headline figures with their 95 %
 * confidence intervals on stdout. */
static void print_replicated(const char *out, uint64_t reps)
{
    cJSON *sum = cli_read_json(out, "summary.json");
    const cJSON *figs = cJSON_GetObjectItemCaseSensitive(sum, "figures");
    printf("%llu replications: mean and [95 %% confidence interval]\n",
           (unsigned long long)reps);
    static const char *const totals[] = { "injected",  "delivered",
                                          "bounced",   "expired",
                                          "deferrals", "queued_at_end" };
    for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
        print_figure(figs, "totals", totals[i], totals[i]);
    print_figure(figs, "latency_s", "p50", "latency p50 (s)");
    print_figure(figs, "latency_s", "p95", "latency p95 (s)");
    print_figure(figs, "throughput_per_hour", "peak", "peak throughput (/h)");
    printf("every figure's mean, interval and values in %s/summary.json "
           "(\"figures\"), each replication's reports in %s/rep-N/\n",
           out, out);
    cJSON_Delete(sum);
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    memset(&o, 0, sizeof(o));
    o.replications = 1;
    char *cmdline = run_meta_command_line(argc, argv); /* before getopt
                                                         permutes argv */
    int rc = parse_run_args(argc, argv, &o);
    if (rc) {
        free(cmdline);
        return rc < 0 ? 0 : rc;
    }
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    struct scenario sc;
    char *path = cli_scenario_path(o.scenario);
    char *models = cli_models_dir();
    int loaded = scenario_load(path, models, &sc, &dl) == 0;
    rc = loaded ? apply_overrides(&sc, &o) : 1;
    if (rc == 0 && scenario_check_limits(&sc, o.c.force, &dl) < 0)
        rc = 1;
    if (rc == 0 && o.acct) /* before anything that may take long */
        warn_acct_size(&sc, o.replications);
    if (rc == 0)
        rc = cli_preflight(&sc, &dl);
    char *out = NULL;
    if (rc == 0)
        out = outdir_claim_scenario(o.c.out, "", &sc, 1, "mtasim run",
                                    o.c.force, &dl, &rc);
    if (rc == 0) {
        struct runner_opts ro = {
            o.replications, o.c.jobs,
            o.acct,         !o.c.quiet && isatty(STDERR_FILENO),
            !o.c.quiet,     cmdline
        };
        rc = runner_run(&sc, out, &ro, &dl);
        if (rc == 0 && !o.c.quiet && o.replications > 1)
            print_replicated(out, o.replications);
        if (rc == 0 && !o.c.quiet)
            printf("reports in %s/\n", out);
    }
    diag_print_all(stderr, &dl, o.scenario, isatty(STDERR_FILENO));
    if (loaded)
        scenario_release(&sc);
    diag_list_release(&dl);
    free(out);
    free(path);
    free(models);
    free(cmdline);
    return rc;
}
