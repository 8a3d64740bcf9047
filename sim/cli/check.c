/* check.c - `mtasim check`: read a PowerMTA config and report on it.
 *
 * Diagnostics go to stderr (with the source line and a caret on a
 * terminal); the summary, settings tables, JSON or fixed config go to
 * stdout. Exit status 0 when the config is usable, 1 when it has errors,
 * 2 on bad usage. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "config/cfg_fix.h"
#include "config/cfg_json.h"
#include "config/cfg_model_int.h"
#include "provider/provider.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The help text, in parts (C limits one string literal's length). */
static const char *const check_help[] = {
    "usage: mtasim check [OPTIONS] CONFIG\n"
    "\n"
    "Read a PowerMTA config (with its includes), report every line PowerMTA\n"
    "would reject or mtasim cannot use, list the directives the simulation\n"
    "leaves out (with their lines), and show the resolved settings.\n"
    "Every directive of the PowerMTA v5.0 User's Guide (section 3.3) is\n"
    "known, with its value type checked; the docs are docs/config.md.\n"
    "\n"
    "options:\n"
    "  --strict                 exactly PowerMTA: unknown names, wrong\n"
    "                           blocks, bad values, extra arguments, bad\n"
    "                           lines in list blocks and blog dialect are\n"
    "                           errors; deprecated documented directives\n"
    "                           only warn, naming their replacement\n"
    "  --show-settings D[/VMTA] print the resolved settings of the queue that\n"
    "                           recipient domain D uses through VMTA\n"
    "                           (default {default}), with the origin of each\n"
    "                           value, like 'pmta show settings'; with an\n"
    "                           <mx-rollup-list>, D's MX comes from the\n"
    "                           provider models (the line says which);\n"
    "                           repeatable\n"
    "  --json                   print the resolved model as JSON (blocks,\n"
    "                           lists, limits, not-modelled lines; queues\n"
    "                           only with --queues or --show-settings)\n"
    "  --queues                 with --json: every queue's resolved settings\n"
    "                           (each named domain through each VMTA)\n"
    "  --fix                    print the config rewritten in real PowerMTA\n"
    "                           syntax (only mapped lines change; deprecated\n"
    "                           directives become their replacements); an\n"
    "                           included file with lines to fix is written\n"
    "                           beside it as FILE.fixed\n"
    "  --domain-precedence=layer|specificity\n"
    "                           how a VMTA's <domain *> ranks against a\n"
    "                           global <domain gmail.com> (default: layer)\n"
    "  --max-errors N           stop after N errors (default 50)\n"
    "  -v, --verbose            list each not-modelled directive line with\n"
    "                           its value (without -v: each name once, with\n"
    "                           its lines)\n"
    "  -h, --help               this text\n",
    "\n"
    "Without --strict (and in run, compare and plan) a config is read\n"
    "leniently: an unknown directive or block, a directive in the wrong\n"
    "block or a value the simulation does not use is a warning naming the\n"
    "line, and the line is ignored. Errors remain for what leaves the\n"
    "simulation undefined: unclosed blocks, an unreadable value of a\n"
    "modelled directive (or one written in the wrong block), include\n"
    "cycles and missing files, unknown pool members, lists and macros.\n"
    "\n"
    "Blog-dialect lines (max-retry-time, retry-interval, bare rules such as\n"
    "'421 RP-001 *, 1h, 5, 1000', HTML comments, <domain default>, ...) are\n"
    "read as their real equivalents with a warning that shows the real\n"
    "syntax; --fix writes that syntax out.\n",
    "\n"
    "Rules the PowerMTA guide leaves open (UNVERIFIED), and our choice:\n"
    "  - a VMTA's own <domain> blocks outrank global ones, even '*' over an\n"
    "    exact name (--domain-precedence=specificity to change); a warning\n"
    "    names both lines when this overrides a global value;\n"
    "  - '*.d' is more specific than '[*.]d'; a longer matching suffix wins;\n"
    "    an explicit domain beats a macro expansion; a later block beats an\n"
    "    earlier one of the same rank;\n"
    "  - a directive repeated in one block: the later value wins (warning);\n"
    "  - backoff-max-smtp-out defaults to 20, as documented, even where\n"
    "    max-smtp-out is lower;\n"
    "  - a RATE of '0' (max-msg-rate, max-connect-rate, the data-volume and\n"
    "    VirtualMTA rates) pauses: nothing goes while it applies (warning);\n"
    "  - queue-to applies before <mx-rollup-list>, and a rollup matches the\n"
    "    most-preferred MX;\n"
    "  - max-rcpt-per-message defaults to 1000, max-msg-per-connection to\n"
    "    0 (no limit), backoff-retry-after to 1h;\n"
    "  - keywords and domain-macro names are case-insensitive (a capital in\n"
    "    a keyword warns); VMTA, pool and list names are case-sensitive; a\n"
    "    pool's max-smtp-out is for the whole pool;\n"
    "  - a redefined domain-macro: the later list applies to every block\n"
    "    that uses it (warning);\n"
    "  - a domain-macro line ending in ',' is joined to the next lines\n"
    "    (warning; an error with --strict); no other line is continued;\n"
    "  - a <pattern-list> result naming no VMTA loads (warning); such mail\n"
    "    goes through {default} in a run;\n"
    "  - deprecated names warn even with --strict; obsolete SSLv3 switches\n"
    "    are ignored; sync-msg-create, sync-msg-update and\n"
    "    remove-received-headers (not in the guide's reference) are accepted;\n"
    "    <signals> blocks are skipped unchecked;\n"
    "  - where the guide gives no value syntax, any value is accepted;\n"
    "  - includes nest at most 16 deep.\n",
};

struct check_opts {
    struct cfg_load_options load;
    const char **show;
    size_t n_show;
    int json, queues, fix, verbose;
    size_t max_errors;
    const char *config;
};

/* check_help_text - the help text's parts as one string (malloc). */
static char *check_help_text(void)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < sizeof(check_help) / sizeof(*check_help); i++)
        strbuf_adds(&sb, check_help[i]);
    return strbuf_detach(&sb);
}

/* check_option - one of check's own options into o; 0, or 2. */
static int check_option(struct cli_opt *p, int c, struct check_opts *o)
{
    char *end;
    switch (c) {
    case 's':
        o->load.strict = 1;
        break;
    case 'S':
        o->show = xreallocarray(o->show, o->n_show + 1, sizeof(*o->show));
        o->show[o->n_show++] = optarg;
        break;
    case 'J':
        o->json = 1;
        break;
    case 'Q':
        o->queues = 1;
        break;
    case 'f':
        o->fix = 1;
        break;
    case 'v':
        o->verbose = 1;
        break;
    case 'P':
        if (strcmp(optarg, "layer") && strcmp(optarg, "specificity"))
            return cli_usage(p, "--domain-precedence takes 'layer' or "
                                "'specificity'");
        o->load.vmta_layer_first = strcmp(optarg, "layer") == 0;
        break;
    case 'E':
        errno = 0;
        o->max_errors = (size_t)strtoul(optarg, &end, 10);
        if (errno || *end || end == optarg || o->max_errors == 0)
            return cli_usage(p, "--max-errors takes a positive number");
        break;
    }
    return 0;
}

/* parse_args - the options (the shared parser, cli_opt.h); returns 0,
 * -1 after --help, or the exit status to use. */
static int parse_args(int argc, char **argv, struct check_opts *o)
{
    static const struct option own[] = {
        { "strict", no_argument, NULL, 's' },
        { "show-settings", required_argument, NULL, 'S' },
        { "json", no_argument, NULL, 'J' },
        { "queues", no_argument, NULL, 'Q' },
        { "fix", no_argument, NULL, 'f' },
        { "domain-precedence", required_argument, NULL, 'P' },
        { "max-errors", required_argument, NULL, 'E' },
        { "verbose", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    char *help = check_help_text();
    int c, status = 0;
    cli_opt_init(&p, "mtasim check", help, 0, own, "v");
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0 && status == 0)
        status = check_option(&p, c, o);
    free(help);
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    if (status)
        return status;
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
    printf("  not modelled        %zu directive line%s%s\n", s.not_modelled,
           s.not_modelled == 1 ? "" : "s",
           s.not_modelled ? " (below; values: mtasim check -v)" : "");
}

/* print_kept_lines - "file:1, 2, 5" for the lines of name from k on. */
static void print_kept_lines(const struct cfg_model *m, size_t k)
{
    const char *file = NULL;
    size_t shown = 0, more = 0;
    for (size_t i = k; i < m->n_kept; i++) {
        const struct cfg_kept *c = &m->kept[i];
        if (strcmp(c->name, m->kept[k].name) != 0)
            continue;
        if (shown == 8) {
            more++;
            continue;
        }
        if (file == NULL || strcmp(file, c->o.file) != 0)
            printf("%s%s:%d", shown ? "; " : " ", c->o.file, c->o.line);
        else
            printf(", %d", c->o.line);
        file = c->o.file;
        shown++;
    }
    if (more)
        printf(" (and %zu more)", more);
    putchar('\n');
}

/* print_not_modelled_names - each not-modelled directive the config uses,
 * once, with its lines: what the simulation leaves out. */
static void print_not_modelled_names(const struct cfg_model *m)
{
    if (m->n_kept == 0)
        return;
    printf("not modelled (read, checked, no effect on the simulation):\n");
    for (size_t k = 0; k < m->n_kept; k++) {
        int first = 1;
        for (size_t i = 0; i < k && first; i++)
            first = strcmp(m->kept[i].name, m->kept[k].name) != 0;
        if (!first)
            continue;
        printf("  %-32s", m->kept[k].name);
        print_kept_lines(m, k);
    }
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

/* load_models - every provider model of the models folder (the ones a
 * run uses by default), for their MX names; NULL when there are none. */
static struct prov_world *load_models(void)
{
    char *dir = cli_models_dir();
    struct strbuf pat;
    strbuf_init(&pat);
    strbuf_addf(&pat, "%s/*.json", dir);
    free(dir);
    glob_t g;
    struct prov_world *w = NULL;
    if (glob(pat.buf, 0, NULL, &g) == 0) {
        struct diag_list dl;
        diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
        w = prov_world_alloc();
        for (size_t i = 0; i < g.gl_pathc; i++)
            prov_world_load(w, g.gl_pathv[i], &dl); /* a bad one is skipped */
        diag_list_release(&dl);
        globfree(&g);
    }
    strbuf_release(&pat);
    return w;
}

/* queue_domain - the queue domain for recipient domain through VMTA v;
 * with an <mx-rollup-list>, the MX names come from the provider models as
 * in a run, and a line says which MX was used. */
static void queue_domain(const struct cfg_model *m, const char *domain, int v,
                         char *qd, size_t n)
{
    const char *mx[8];
    char buf[300];
    size_t n_mx = 0;
    struct prov_world *w = NULL;
    if (cfg_model_rollup_count(m) > 0 && (w = load_models()) != NULL) {
        int prov = prov_world_find(w, domain);
        n_mx = prov >= 0
                   ? prov_world_mx(w, prov, domain, mx, 8, buf, sizeof(buf))
                   : 0;
        if (n_mx)
            printf("(MX for <mx-rollup-list>: %s, from the %s provider model"
                   "%s)\n",
                   mx[0], prov_world_name(w, prov),
                   mx[0] == buf ? "'s default 'mx.DOMAIN'" : "");
    }
    if (cfg_model_rollup_count(m) > 0 && n_mx == 0)
        printf("(no provider model serves %s: <mx-rollup-list> not "
               "applied)\n",
               domain);
    cfg_model_queue_domain(m, domain, v, mx, n_mx, qd, n);
    prov_world_free(w);
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
    queue_domain(m, domain, v, qd, sizeof(qd));
    const char *vname = cfg_model_vmta(m, (size_t)v)->name;
    printf("settings for queue %s/%s", qd, vname);
    if (strcmp(qd, domain) != 0)
        printf(" (recipient domain %s, via queue-to or <mx-rollup-list>)",
               domain);
    printf("\n  %-45s %-18s %s\n", "directive", "value", "from");
    struct cfg_qsettings s;
    cfg_model_queue_settings(m, qd, v, &s);
    for (int q = 0; q < CFG_Q_COUNT; q++)
        print_setting_row(&s, q);
    return 0;
}

/* ---------------------------------------------------------------- main */

/* write_fixed - the fixed text of included file into FILE.fixed beside it. */
static int write_fixed(const struct cfg_model *m, const char *file)
{
    struct strbuf sb, name;
    strbuf_init(&sb);
    strbuf_init(&name);
    strbuf_addf(&name, "%s.fixed", file);
    int rc = cfg_fix_render(m, file, &sb);
    FILE *fp = rc == 0 ? fopen(name.buf, "w") : NULL;
    if (fp == NULL || fwrite(sb.buf, 1, sb.len, fp) != sb.len) {
        fprintf(stderr, "mtasim check: cannot write '%s': %s\n", name.buf,
                strerror(errno));
        rc = 1;
    } else {
        fprintf(stderr,
                "mtasim check: wrote '%s' (included file '%s' with its "
                "lines fixed)\n",
                name.buf, file);
    }
    if (fp && fclose(fp) != 0)
        rc = 1;
    strbuf_release(&sb);
    strbuf_release(&name);
    return rc;
}

/* print_fix - the main file fixed on stdout; each included file that has
 * lines to fix is written as FILE.fixed beside it (docs/config.md). */
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
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(files[i], path) != 0 && write_fixed(m, files[i]))
            rc = 1;
    return rc;
}

static int print_json(const struct cfg_model *m, const struct check_opts *o)
{
    /* Without --queues the JSON stays proportional to the config: every
     * queue's ~75 settings are written only on demand. */
    static const char *const none[1] = { NULL };
    const char *const *q = o->queues ? NULL : o->n_show ? o->show : none;
    cJSON *root = cfg_json_model(m, q, o->queues ? 0 : o->n_show);
    if (!o->queues && o->n_show == 0)
        cJSON_AddStringToObject(root, "queues_note",
                                "each queue's resolved settings: add --queues "
                                "(all) or --show-settings DOMAIN[/VMTA]");
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
    else
        print_not_modelled_names(m);
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
