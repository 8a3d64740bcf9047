/* compare.c - `mtasim compare`: the same send list through two configs (or
 * two scenarios), with common random numbers, and what changed.
 *
 * Both arms run the same replications with the same seed, so replication
 * N of each arm draws the same intrinsic recipient properties and the same
 * provider luck for the same (recipient, attempt) (engine/rng.h); the
 * differences come from the configs. With R > 1 the difference of each
 * figure gets a paired 95 % confidence interval (docs/design.md). */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "cli/outdir.h"
#include "cli/run_meta.h"
#include "cli/runner.h"
#include "config/cfg_diff.h"
#include "config/cfg_model.h"
#include "config/cfg_value.h"
#include "plan/pair.h"
#include "report/agg.h"
#include "report/obs.h"
#include "report/run_dir.h"
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

static const char compare_help[] =
    "usage: mtasim compare SCENARIO --config A.conf --config B.conf\n"
    "                      [--replications R] [-j|--jobs J] [-o|--out DIR]\n"
    "                      [--seed N] [--duration D] [-q] [--force]\n"
    "       mtasim compare SCENARIO_A SCENARIO_B [options]\n"
    "\n"
    "Run one send list through two PowerMTA configs (arm a and arm b) with\n"
    "common random numbers: the same recipients, the same provider draws for\n"
    "the same recipient and attempt, so the differences come from the\n"
    "configs and not from noise. A config compared with itself gives zero\n"
    "difference on every figure.\n"
    "\n"
    "Prints the settings that differ (resolved per queue), then a table:\n"
    "figure, a, b, b-a, relative change, and with R > 1 the 95% confidence\n"
    "interval of the paired difference and whether it excludes zero.\n"
    "\n"
    "Writes to DIR (default out/compare-<scenario>):\n"
    "  compare.csv   scope,name,figure,a,b,diff,rel_diff,ci_low,ci_high for\n"
    "                every figure of every total, provider, queue and stream\n"
    "                (CI columns empty when R = 1)\n"
    "  compare.json  the same, plus the settings that differ\n"
    "  a/, b/        each arm's full reports (as `mtasim run` writes them)\n"
    "\n"
    "options:\n"
    "  --config FILE     twice: the configs of arm a and arm b\n"
    "  --replications R  paired replications (default 1)\n"
    "  -j, --jobs J      processes for the replications (default 1)\n"
    "  -o, --out DIR, --seed N, --duration D   as for `mtasim run`\n"
    "  -q, --quiet       print nothing but errors\n"
    "  --force           clear DIR even when mtasim did not write it (a\n"
    "                    folder mtasim wrote is always cleared first)\n";

struct cmp_opts {
    const char *scen[2], *config[2], *duration;
    uint64_t reps;
    struct cli_common c; /* --out, --seed, --jobs, --quiet, --force */
    char *cmdline;       /* for summary.json */
};

static int parse_cmp_args(int argc, char **argv, struct cmp_opts *o)
{
    static const struct option own[] = {
        { "config", required_argument, NULL, 'c' },
        { "duration", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    cli_opt_init(&p, "mtasim compare", compare_help,
                 CLI_O_OUT | CLI_O_QUIET | CLI_O_SEED | CLI_O_JOBS |
                     CLI_O_REPS | CLI_O_FORCE,
                 own, "");
    int c, n_config = 0, status = 0;
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0) {
        switch (c) {
        case 'c':
            if (n_config == 2)
                return cli_usage(&p, "--config is given twice at most");
            o->config[n_config++] = optarg;
            break;
        case 'd':
            o->duration = optarg;
            break;
        }
    }
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    o->c = p.c;
    o->reps = p.c.replications;
    int n = argc - optind;
    if (n == 1 && n_config == 2) {
        o->scen[0] = o->scen[1] = argv[optind];
        return 0;
    }
    if (n == 2 && n_config == 0) {
        o->scen[0] = argv[optind];
        o->scen[1] = argv[optind + 1];
        return 0;
    }
    return cli_usage(&p, "give SCENARIO with two --config, or two scenarios");
}

/* ------------------------------------------------------------------ arms */

struct arm {
    struct scenario sc;
    int loaded;
    char *out;
    cJSON **reps; /* each replication's summary */
    struct cfg_model *cfg;
};

static int load_arm(struct arm *a, const struct cmp_opts *o, int k,
                    const char *models, struct diag_list *dl)
{
    char *path = cli_scenario_path(o->scen[k]);
    a->loaded = scenario_load(path, models, &a->sc, dl) == 0;
    free(path);
    if (!a->loaded)
        return 1;
    if (o->config[k]) {
        free(a->sc.config);
        a->sc.config = xstrdup(o->config[k]);
    }
    if (o->c.have_seed)
        a->sc.seed = o->c.seed;
    if (o->duration && cli_parse_duration("mtasim compare", "--duration",
                                          o->duration, &a->sc.duration_s))
        return 2;
    return cli_preflight(&a->sc, dl);
}

/* run_arm - simulate the arm into its folder and read its summaries. */
static int run_arm(struct arm *a, const struct cmp_opts *o, const char *tag,
                   const char *base, struct diag_list *dl)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", base, tag);
    a->out = cli_out_dir(sb.buf, NULL, dl);
    strbuf_release(&sb);
    if (a->out == NULL)
        return 1;
    struct runner_opts ro = { o->reps, o->c.jobs, 0, 0, 0, o->cmdline };
    if (runner_run(&a->sc, a->out, &ro, dl) != 0)
        return 1;
    a->reps = xcalloc(o->reps, sizeof(*a->reps));
    char msg[1024];
    if (run_dir_check(a->out, msg, sizeof(msg)) != 0) {
        diag_add(dl, DIAG_ERROR, NULL, 0, 0, "%s", msg);
        return 1;
    }
    for (uint64_t r = 0; r < o->reps; r++) {
        char *dir = o->reps > 1 ? runner_rep_dir(a->out, r) : xstrdup(a->out);
        int bad = run_dir_check(dir, msg, sizeof(msg));
        a->reps[r] = bad ? NULL : cli_read_json(dir, "summary.json");
        free(dir);
        if (bad) {
            diag_add(dl, DIAG_ERROR, NULL, 0, 0, "%s", msg);
            return 1;
        }
        if (a->reps[r] == NULL) {
            diag_add(dl, DIAG_ERROR, a->out, 0, 0, "cannot read a summary");
            return 1;
        }
    }
    return 0;
}

static void release_arm(struct arm *a, uint64_t reps)
{
    for (uint64_t r = 0; a->reps && r < reps; r++)
        cJSON_Delete(a->reps[r]);
    free(a->reps);
    free(a->out);
    cfg_model_free(a->cfg);
    if (a->loaded)
        scenario_release(&a->sc);
}

/* ------------------------------------------------------- settings diff */

static struct cfg_model *load_config(const char *path, struct diag_list *dl)
{
    struct cfg_load_options lo;
    cfg_load_options_init(&lo);
    lo.errors_only = 1; /* the run of arm a/b reports the warnings */
    size_t before = dl->n_errors;
    struct cfg_model *m = cfg_load(path, &lo, dl);
    if (m && dl->n_errors > before) {
        cfg_model_free(m);
        return NULL;
    }
    return m;
}

/* settings_diff - the VMTAs and pools only one config has, then the
 * resolved per-queue settings that differ for every queue either arm used
 * (replication 0's queues) through a VMTA both configs define
 * (config/cfg_diff.h), as JSON rows. */
static cJSON *settings_diff(struct arm *arm, struct diag_list *dl)
{
    cJSON *rows = cJSON_CreateArray();
    for (int k = 0; k < 2; k++)
        arm[k].cfg = load_config(arm[k].sc.config, dl);
    if (!arm[0].cfg || !arm[1].cfg)
        return rows;
    struct cfg_diff d;
    cfg_diff_init(&d);
    cfg_diff_structure(arm[0].cfg, arm[1].cfg, &d);
    cJSON *seen = cJSON_CreateObject();
    for (int k = 0; k < 2; k++) {
        const cJSON *q;
        cJSON_ArrayForEach(q, cJSON_GetObjectItem(arm[k].reps[0], "queues"))
        {
            const cJSON *nm = cJSON_GetObjectItem(q, "queue");
            if (!cJSON_IsString(nm) ||
                cJSON_GetObjectItemCaseSensitive(seen, nm->valuestring))
                continue;
            cJSON_AddTrueToObject(seen, nm->valuestring);
            cfg_diff_queue(arm[0].cfg, arm[1].cfg, nm->valuestring, &d);
        }
    }
    cJSON_Delete(seen);
    for (size_t i = 0; i < d.n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "queue", d.rows[i].queue);
        cJSON_AddStringToObject(r, "directive", d.rows[i].directive);
        cJSON_AddStringToObject(r, "a", d.rows[i].a);
        cJSON_AddStringToObject(r, "b", d.rows[i].b);
        cJSON_AddItemToArray(rows, r);
    }
    cfg_diff_release(&d);
    return rows;
}

/* ------------------------------------------------------------- figures */

static void csv_num(FILE *fp, double x, int last)
{
    if (!isnan(x) && !isinf(x))
        fprintf(fp, "%.10g", x);
    fputc(last ? '\n' : ',', fp);
}

static int write_csv(const char *path, const struct pair_row *rows, size_t n)
{
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
        return -1;
    fputs("scope,name,figure,a,b,diff,rel_diff,ci_low,ci_high\n", fp);
    for (size_t i = 0; i < n; i++) {
        const struct pair_row *r = &rows[i];
        obs_csv_field(fp, r->f->scope);
        fputc(',', fp);
        obs_csv_field(fp, r->f->name);
        fputc(',', fp);
        obs_csv_field(fp, r->f->figure);
        fputc(',', fp);
        csv_num(fp, r->a, 0);
        csv_num(fp, r->b, 0);
        csv_num(fp, r->diff, 0);
        csv_num(fp, r->rel, 0);
        csv_num(fp, r->have_ci ? r->ci_low : (double)NAN, 0);
        csv_num(fp, r->have_ci ? r->ci_high : (double)NAN, 1);
    }
    return fclose(fp) != 0 ? -1 : 0;
}

static void json_num(cJSON *o, const char *k, double x)
{
    if (isnan(x) || isinf(x))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, x);
}

static cJSON *rows_json(const struct pair_row *rows, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        const struct pair_row *r = &rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "scope", r->f->scope);
        cJSON_AddStringToObject(o, "name", r->f->name);
        cJSON_AddStringToObject(o, "figure", r->f->figure);
        json_num(o, "a", r->a);
        json_num(o, "b", r->b);
        json_num(o, "diff", r->diff);
        json_num(o, "rel_diff", r->rel);
        json_num(o, "ci_low", r->have_ci ? r->ci_low : (double)NAN);
        json_num(o, "ci_high", r->have_ci ? r->ci_high : (double)NAN);
        if (r->have_ci)
            cJSON_AddBoolToObject(o, "ci_excludes_zero",
                                  r->ci_low > 0 || r->ci_high < 0);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* ------------------------------------------------------------- output */

/* shown - the figures the stdout table shows (the files have them all). */
static int shown(const struct agg_figure *f, size_t n_queues)
{
    static const char *const prov[] = { "delivered", "deferrals", "bounced",
                                        "expired", NULL };
    static const char *const stream[] = { "delivered",
                                          "expired",
                                          "latency_s.p50",
                                          "latency_s.p95",
                                          "share_within_deadline",
                                          NULL };
    static const char *const queue[] = { "delivered", "max_depth", "backoff_s",
                                         NULL };
    const char *const *list = NULL;
    if (!strcmp(f->scope, "total"))
        return strcmp(f->figure, "latency_s.count") != 0 &&
               strcmp(f->figure, "sendlist_adjusted") != 0;
    if (!strcmp(f->scope, "provider"))
        list = prov;
    else if (!strcmp(f->scope, "stream"))
        list = stream;
    else if (n_queues <= 12)
        list = queue;
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(f->figure, list[i]))
            return 1;
    return 0;
}

static void print_num(double x)
{
    if (isnan(x))
        printf(" %12s", "-");
    else
        printf(" %12.6g", x);
}

static void print_table(const struct pair_row *rows, size_t n, uint64_t reps)
{
    size_t n_queues = 0;
    for (size_t i = 0; i < n; i++)
        n_queues += !strcmp(rows[i].f->scope, "queue") &&
                    !strcmp(rows[i].f->figure, "delivered");
    printf("%-44s %12s %12s %12s %8s%s\n", "figure", "a", "b", "b-a", "change",
           reps > 1 ? "   95% CI of b-a" : "");
    for (size_t i = 0; i < n; i++) {
        const struct pair_row *r = &rows[i];
        if (!shown(r->f, n_queues))
            continue;
        char label[400];
        snprintf(label, sizeof(label), "%s%s%s%s%s", r->f->scope,
                 *r->f->name ? " " : "", r->f->name, " ", r->f->figure);
        printf("%-44.44s", label);
        print_num(r->a);
        print_num(r->b);
        print_num(r->diff);
        if (isnan(r->rel))
            printf(" %8s", "-");
        else
            printf(" %+7.1f%%", 100 * r->rel);
        if (r->have_ci)
            printf("   [%.4g, %.4g]%s", r->ci_low, r->ci_high,
                   r->ci_low > 0 || r->ci_high < 0 ? " *" : "");
        putchar('\n');
    }
    if (reps > 1)
        printf("(* the interval excludes zero)\n");
}

static void print_settings(const cJSON *rows)
{
    int n = cJSON_GetArraySize(rows);
    if (n == 0) {
        printf("settings: the resolved per-queue settings are the same\n\n");
        return;
    }
    printf("settings that differ (%d, resolved per queue):\n", n);
    int k = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, rows)
    {
        if (k++ == 40) {
            printf("  ... %d more in compare.json\n", n - 40);
            break;
        }
        printf("  %-30s %-28s %-14s -> %s\n",
               cJSON_GetObjectItem(r, "queue")->valuestring,
               cJSON_GetObjectItem(r, "directive")->valuestring,
               cJSON_GetObjectItem(r, "a")->valuestring,
               cJSON_GetObjectItem(r, "b")->valuestring);
    }
    putchar('\n');
}

static int write_outputs(const char *out, cJSON *settings,
                         const struct pair_row *rows, size_t n,
                         const struct arm *arm, uint64_t reps)
{
    struct strbuf p;
    strbuf_init(&p);
    strbuf_addf(&p, "%s/compare.csv", out);
    int rc = write_csv(p.buf, rows, n);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "a_scenario", arm[0].sc.path);
    cJSON_AddStringToObject(root, "a_config", arm[0].sc.config);
    cJSON_AddStringToObject(root, "b_scenario", arm[1].sc.path);
    cJSON_AddStringToObject(root, "b_config", arm[1].sc.config);
    cJSON_AddNumberToObject(root, "replications", (double)reps);
    cJSON_AddNumberToObject(root, "seed", (double)arm[0].sc.seed);
    cJSON_AddItemReferenceToObject(root, "settings_diff", settings);
    cJSON_AddItemToObject(root, "figures", rows_json(rows, n));
    char *text = cJSON_Print(root);
    strbuf_reset(&p);
    strbuf_addf(&p, "%s/compare.json", out);
    FILE *fp = fopen(p.buf, "w");
    rc |= fp == NULL;
    if (fp) {
        rc |= fputs(text, fp) < 0;
        rc |= fclose(fp) != 0;
    }
    cJSON_free(text);
    cJSON_Delete(root);
    strbuf_release(&p);
    return rc ? -1 : 0;
}

/* compare_arms - figures, settings, table and files, once both ran. */
static int compare_arms(struct arm *arm, const char *out, uint64_t reps,
                        int quiet, struct diag_list *dl)
{
    struct pair_cmp pc;
    pair_compare(&pc, arm[0].reps, arm[1].reps, reps);
    const struct pair_row *rows = pc.rows;
    size_t n = pc.n;
    cJSON *settings = settings_diff(arm, dl);
    if (!quiet) {
        printf("a: %s  (%s)\nb: %s  (%s)\n%llu replication%s, seed %llu\n\n",
               arm[0].sc.path, arm[0].sc.config, arm[1].sc.path,
               arm[1].sc.config, (unsigned long long)reps, reps > 1 ? "s" : "",
               (unsigned long long)arm[0].sc.seed);
        print_settings(settings);
        print_table(rows, n, reps);
    }
    int rc = write_outputs(out, settings, rows, n, arm, reps);
    if (rc)
        diag_add(dl, DIAG_ERROR, out, 0, 0,
                 "cannot write compare.csv or "
                 "compare.json: %s",
                 strerror(errno));
    else if (!quiet)
        printf("\ncompare.csv, compare.json, a/ and b/ in %s/\n", out);
    cJSON_Delete(settings);
    pair_release(&pc);
    return rc ? 1 : 0;
}

int cmd_compare(int argc, char **argv)
{
    struct cmp_opts o;
    memset(&o, 0, sizeof(o));
    o.reps = 1;
    char *cmdline = run_meta_command_line(argc, argv); /* before getopt
                                                         permutes argv */
    int rc = parse_cmp_args(argc, argv, &o);
    o.cmdline = cmdline;
    if (rc) {
        free(cmdline);
        return rc < 0 ? 0 : rc;
    }
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    struct arm arm[2];
    memset(arm, 0, sizeof(arm));
    char *models = cli_models_dir(), *out = NULL;
    for (int k = 0; k < 2 && rc == 0; k++)
        rc = load_arm(&arm[k], &o, k, models, &dl);
    if (rc == 0) {
        struct scenario both[2] = { arm[0].sc, arm[1].sc };
        out = outdir_claim_scenario(o.c.out, "compare-", both, 2,
                                    "mtasim compare", o.c.force, &dl, &rc);
    }
    for (int k = 0; k < 2 && rc == 0; k++)
        rc = run_arm(&arm[k], &o, k ? "b" : "a", out, &dl);
    if (rc == 0)
        rc = compare_arms(arm, out, o.reps, o.c.quiet, &dl);
    diag_print_all(stderr, &dl, "mtasim compare", isatty(STDERR_FILENO));
    for (int k = 0; k < 2; k++)
        release_arm(&arm[k], o.reps);
    diag_list_release(&dl);
    free(models);
    free(out);
    free(o.cmdline);
    return rc;
}
