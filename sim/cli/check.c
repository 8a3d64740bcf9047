/* check.c - `mtasim check`: read a PowerMTA config and report on it.
 *
 * Diagnostics go to stderr (with the source line and a caret on a
 * terminal); the summary, settings tables, JSON or fixed config go to
 * stdout. Exit status 0 when the config is usable, 1 when it has errors,
 * 2 on bad usage. */
#include "cli/cli.h"
#include "config/cfg_fix.h"
#include "config/cfg_json.h"
#include "config/cfg_model_int.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char check_help[] =
    "usage: mtasim check [OPTIONS] CONFIG\n"
    "\n"
    "Read a PowerMTA config (with its includes) the way PowerMTA does and\n"
    "report every line it would reject, every directive mtasim does not\n"
    "model, and the resolved settings the simulator will use.\n"
    "\n"
    "options:\n"
    "  --strict                 treat blog-dialect and deprecated lines as\n"
    "                           errors, as real PowerMTA does\n"
    "  --show-settings D[/VMTA] print the resolved settings of the queue that\n"
    "                           recipient domain D uses through VMTA\n"
    "                           (default {default}), with the origin of each\n"
    "                           value, like 'pmta show settings'; repeatable\n"
    "  --json                   print the resolved model as JSON\n"
    "  --fix                    print the config rewritten in real PowerMTA\n"
    "                           syntax (only mapped lines change)\n"
    "  --domain-precedence=layer|specificity\n"
    "                           how a VMTA's <domain *> ranks against a\n"
    "                           global <domain gmail.com> (default: layer)\n"
    "  --max-errors N           stop after N errors (default 50)\n"
    "  -v, --verbose            also list the directives that are accepted\n"
    "                           but not modelled\n"
    "  -h, --help               this text\n"
    "\n"
    "Blog-dialect lines (max-retry-time, retry-interval, bare rules such as\n"
    "'421 RP-001 *, 1h, 5, 1000', HTML comments, <domain default>, ...) are\n"
    "read as their real equivalents with a warning that shows the real\n"
    "syntax; --fix writes that syntax out.\n"
    "\n"
    "Rules the PowerMTA guide leaves open (UNVERIFIED), and our choice:\n"
    "  - a VMTA's own <domain> blocks outrank global ones, even '*' over an\n"
    "    exact name (--domain-precedence=specificity to change);\n"
    "  - '*.d' is more specific than '[*.]d'; a longer matching suffix wins;\n"
    "    an explicit domain beats a macro expansion; a later block beats an\n"
    "    earlier one of the same rank;\n"
    "  - a directive repeated in one block: the later value wins (warning);\n"
    "  - backoff-max-smtp-out defaults to min(max-smtp-out, 20);\n"
    "  - a RATE of '0' means unlimited (warning);\n"
    "  - queue-to applies before <mx-rollup-list>, and a rollup matches the\n"
    "    most-preferred MX;\n"
    "  - max-rcpt-per-message defaults to 1000, max-msg-per-connection to\n"
    "    0 (no limit), backoff-retry-after to 1h;\n"
    "  - keywords are case-insensitive (warning); VMTA, pool and list names\n"
    "    are case-sensitive; a pool's max-smtp-out is for the whole pool;\n"
    "  - includes nest at most 16 deep; a line ending in ',' is not joined\n"
    "    to the next one.\n";

struct check_opts {
    struct cfg_load_options load;
    const char **show;
    size_t n_show;
    int json, fix, verbose;
    size_t max_errors;
    const char *config;
};

/* parse_args - getopt_long; returns 0, or the exit status to use. */
static int parse_args(int argc, char **argv, struct check_opts *o)
{
    static const struct option longopts[] = {
        { "strict", no_argument, NULL, 's' },
        { "show-settings", required_argument, NULL, 'S' },
        { "json", no_argument, NULL, 'j' },
        { "fix", no_argument, NULL, 'f' },
        { "domain-precedence", required_argument, NULL, 'P' },
        { "max-errors", required_argument, NULL, 'E' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's':
            o->load.strict = 1;
            break;
        case 'S':
            o->show = xreallocarray(o->show, o->n_show + 1, sizeof(*o->show));
            o->show[o->n_show++] = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'f':
            o->fix = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'P':
            if (strcmp(optarg, "layer") && strcmp(optarg, "specificity")) {
                fprintf(stderr, "mtasim check: --domain-precedence takes "
                                "'layer' or 'specificity'\n");
                return 2;
            }
            o->load.vmta_layer_first = strcmp(optarg, "layer") == 0;
            break;
        case 'E':
            errno = 0;
            o->max_errors = (size_t)strtoul(optarg, &end, 10);
            if (errno || *end || end == optarg || o->max_errors == 0) {
                fprintf(stderr, "mtasim check: --max-errors takes a positive "
                                "number\n");
                return 2;
            }
            break;
        case 'h':
            fputs(check_help, stdout);
            return -1;
        default:
            fputs("try 'mtasim check --help'\n", stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fputs("mtasim check: expected one CONFIG file; try 'mtasim check "
              "--help'\n",
              stderr);
        return 2;
    }
    o->config = argv[optind];
    return 0;
}

/* ------------------------------------------------------------- summary */

static void print_summary(const struct cfg_model *m, const char *path,
                          const struct diag_list *dl)
{
    struct cfg_model_stats s;
    cfg_model_stats(m, &s);
    if (dl->n_errors)
        printf("%s: config has %zu error%s\n", path, dl->n_errors,
               dl->n_errors == 1 ? "" : "s");
    else
        printf("%s: config is usable (%zu file%s, %zu warning%s)\n", path,
               s.files, s.files == 1 ? "" : "s", dl->n_warnings,
               dl->n_warnings == 1 ? "" : "s");
    printf("  virtual MTAs        %zu (plus {default})\n", s.vmtas);
    printf("  pools               %zu\n", s.pools);
    if (s.source_ips)
        printf("  source IPs          %zu\n", s.source_ips);
    else
        printf("  source IPs          none configured (one default source)\n");
    printf("  domain blocks       %zu (%zu domain macros)\n", s.domain_blocks,
           s.macros);
    printf("  smtp-pattern-lists  %zu\n", s.smtp_pattern_lists);
    printf("  pattern-lists       %zu\n", s.pattern_lists);
    printf("  mx rollups          %zu\n", s.rollups);
    printf("  sources             %zu\n", s.sources);
    if (s.dialect_lines)
        printf("  dialect lines       %zu (real syntax: mtasim check --fix)\n",
               s.dialect_lines);
    printf("  not modelled        %zu directive%s%s\n", s.not_modelled,
           s.not_modelled == 1 ? "" : "s",
           s.not_modelled ? " (list: mtasim check -v)" : "");
}

static void print_not_modelled(const struct cfg_model *m)
{
    if (m->n_kept == 0)
        return;
    printf("not modelled (accepted, no effect on simulated timing):\n");
    for (size_t i = 0; i < m->n_kept; i++) {
        const struct cfg_kept *k = &m->kept[i];
        char org[512];
        cfg_origin_format(&k->o, org, sizeof(org));
        printf("  %-32s %-24s %s\n", k->name, k->value, org);
    }
}

/* ------------------------------------------------------ show settings */

static void print_setting_row(const struct cfg_qsettings *s, int q)
{
    const struct cfg_directive *d = cfg_directive_queue(q);
    char val[512], org[600];
    cfg_value_format(&s->v[q], d->type, val, sizeof(val));
    cfg_origin_format(&s->origin[q], org, sizeof(org));
    const struct cfg_origin *o = &s->origin[q];
    if (o->note && o->file)
        printf("  %-45s %-18s %s (from '%s')%s\n", d->name, val, org, o->note,
               d->flags & CFG_D_MODELLED ? "" : " [not modelled]");
    else if (o->note)
        printf("  %-45s %-18s default (= %s)\n", d->name, val, o->note);
    else
        printf("  %-45s %-18s %s%s\n", d->name, val, org,
               d->flags & CFG_D_MODELLED ? "" : " [not modelled]");
}

/* show_settings - one --show-settings argument; 0 or 1 (bad name). */
static int show_settings(const struct cfg_model *m, const char *arg)
{
    char domain[512];
    const char *slash = strchr(arg, '/');
    size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
    snprintf(domain, sizeof(domain), "%.*s", (int)len, arg);
    for (char *c = domain; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    int v = slash ? cfg_model_vmta_find(m, slash + 1) : 0;
    if (v < 0) {
        int p = cfg_model_pool_find(m, slash + 1);
        if (p >= 0)
            fprintf(stderr,
                    "mtasim check: '%s' is a pool; name one of its "
                    "virtual-mtas\n",
                    slash + 1);
        else
            fprintf(stderr, "mtasim check: unknown virtual-mta '%s'\n",
                    slash + 1);
        return 1;
    }
    char qd[512];
    cfg_model_queue_domain(m, domain, v, NULL, 0, qd, sizeof(qd));
    const char *vname = cfg_model_vmta(m, (size_t)v)->name;
    printf("settings for queue %s/%s", qd, vname);
    if (strcmp(qd, domain) != 0)
        printf(" (recipient domain %s, via queue-to)", domain);
    if (cfg_model_rollup_count(m) > 0)
        printf("\n  (without MX data <mx-rollup-list> is not applied here; "
               "the simulator takes MX names from the provider models)");
    printf("\n  %-45s %-18s %s\n", "directive", "value", "from");
    struct cfg_qsettings s;
    cfg_model_queue_settings(m, qd, v, &s);
    for (int q = 0; q < CFG_Q_COUNT; q++)
        print_setting_row(&s, q);
    return 0;
}

/* ---------------------------------------------------------------- main */

static int print_fix(const struct cfg_model *m, const char *path)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (cfg_fix_render(m, path, &sb)) {
        fprintf(stderr, "mtasim check: cannot read '%s': %s\n", path,
                strerror(errno));
        strbuf_release(&sb);
        return 1;
    }
    fwrite(sb.buf, 1, sb.len, stdout);
    strbuf_release(&sb);
    const char *files[64];
    size_t n = cfg_fix_edited_files(m, files, 64);
    for (size_t i = 0; i < n; i++)
        if (strcmp(files[i], path) != 0)
            fprintf(stderr,
                    "mtasim check: note: included file '%s' also "
                    "has lines to fix; run 'mtasim check --fix' on "
                    "the files that include it in turn\n",
                    files[i]);
    return 0;
}

static int print_json(const struct cfg_model *m, const struct check_opts *o)
{
    cJSON *root = cfg_json_model(m, o->n_show ? o->show : NULL, o->n_show);
    char *text = cJSON_Print(root);
    puts(text);
    cJSON_free(text);
    cJSON_Delete(root);
    return 0;
}

static int report(const struct cfg_model *m, const struct check_opts *o,
                  const struct diag_list *dl)
{
    int rc = dl->n_errors ? 1 : 0;
    if (o->fix)
        return print_fix(m, o->config) ? 1 : rc;
    if (o->json)
        return print_json(m, o) ? 1 : rc;
    print_summary(m, o->config, dl);
    if (o->verbose)
        print_not_modelled(m);
    for (size_t i = 0; i < o->n_show; i++) {
        putchar('\n');
        if (show_settings(m, o->show[i]))
            rc = 1;
    }
    return rc;
}

int cmd_check(int argc, char **argv)
{
    if (argc >= 2 && cli_is_scenario_arg(argv[argc - 1]))
        return cmd_check_scenario(argc, argv);
    struct check_opts o;
    memset(&o, 0, sizeof(o));
    cfg_load_options_init(&o.load);
    o.max_errors = DIAG_DEFAULT_MAX_ERRORS;
    int rc = parse_args(argc, argv, &o);
    if (rc) {
        free(o.show);
        return rc < 0 ? 0 : rc;
    }
    struct diag_list dl;
    diag_list_init(&dl, o.max_errors);
    struct cfg_model *m = cfg_load(o.config, &o.load, &dl);
    diag_print_all(stderr, &dl, o.config, isatty(STDERR_FILENO));
    rc = m ? report(m, &o, &dl) : 1;
    cfg_model_free(m);
    diag_list_release(&dl);
    free(o.show);
    return rc;
}
