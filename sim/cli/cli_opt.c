/* cli_opt.c - the shared options of the subcommands (cli_opt.h). */
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "cli/outdir.h"

#include <stdarg.h>
#include <string.h>

/* Ids of the shared options without a short letter (above any char). */
enum { ID_SEED = 0x1001, ID_FORCE, ID_REPS };

static const struct {
    unsigned flag;
    struct option opt;
    const char *shorts;
} shared[] = {
    { CLI_O_OUT, { "out", required_argument, NULL, 'o' }, "o:" },
    { CLI_O_QUIET, { "quiet", no_argument, NULL, 'q' }, "q" },
    { CLI_O_SEED, { "seed", required_argument, NULL, ID_SEED }, "" },
    { CLI_O_JOBS, { "jobs", required_argument, NULL, 'j' }, "j:" },
    { CLI_O_FORCE, { "force", no_argument, NULL, ID_FORCE }, "" },
    { CLI_O_REPS, { "replications", required_argument, NULL, ID_REPS }, "" },
};
#define N_SHARED (sizeof(shared) / sizeof(shared[0]))

void cli_opt_init(struct cli_opt *p, const char *cmd, const char *help,
                  unsigned flags, const struct option *own,
                  const char *own_shorts)
{
    memset(p, 0, sizeof(*p));
    p->cmd = cmd;
    p->help = help;
    p->flags = flags;
    p->c.jobs = 1;
    p->c.replications = 1;
    size_t n = 0;
    /* "+"-less: GNU getopt permutes, so options may follow the operands */
    strcat(p->shorts, "h");
    for (size_t i = 0; i < N_SHARED; i++)
        if (flags & shared[i].flag) {
            p->longopts[n++] = shared[i].opt;
            strcat(p->shorts, shared[i].shorts);
        }
    for (size_t i = 0; own && own[i].name && n < CLI_OPT_MAX - 2; i++)
        p->longopts[n++] = own[i];
    struct option help_opt = { "help", no_argument, NULL, 'h' };
    p->longopts[n++] = help_opt;
    if (strlen(own_shorts) < sizeof(p->shorts) - strlen(p->shorts))
        strcat(p->shorts, own_shorts);
    optind = 1;
}

int cli_usage(const struct cli_opt *p, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", p->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; try '%s --help'\n", p->cmd);
    return 2;
}

/* shared_opt - a shared option's value into p->c; 0, or 2 after a usage
 * error. */
static int shared_opt(struct cli_opt *p, int c, const char *arg)
{
    uint64_t v;
    switch (c) {
    case 'o':
        p->c.out = arg;
        return 0;
    case 'q':
        p->c.quiet = 1;
        return 0;
    case ID_SEED:
        if (cli_parse_u64(arg, &p->c.seed))
            return cli_usage(p,
                             "--seed takes a non-negative integer, not "
                             "'%s'",
                             arg);
        p->c.have_seed = 1;
        return 0;
    case 'j':
        if (cli_parse_u64(arg, &v) || v < 1 || v > 100000)
            return cli_usage(p, "--jobs takes a positive integer, not '%s'",
                             arg);
        p->c.jobs = (int)v;
        return 0;
    case ID_FORCE:
        p->c.force = 1;
        return 0;
    case ID_REPS:
        if (cli_parse_u64(arg, &v) || v < 1 || v > 100000)
            return cli_usage(p,
                             "--replications takes a positive integer, not "
                             "'%s'",
                             arg);
        p->c.replications = v;
        return 0;
    }
    return -1;
}

int cli_opt_next(struct cli_opt *p, int argc, char **argv, int *status)
{
    for (;;) {
        int c = getopt_long(argc, argv, p->shorts, p->longopts, NULL);
        if (c == -1)
            return -1;
        if (c == 'h') {
            cli_print_help(stdout, p->help, p->flags);
            *status = 0;
            return CLI_OPT_STOP;
        }
        if (c == '?' || c == ':') { /* getopt said what was wrong */
            *status = cli_usage(p, "bad option");
            return CLI_OPT_STOP;
        }
        int rc = shared_opt(p, c, optarg);
        if (rc < 0)
            return c;
        if (rc > 0) {
            *status = rc;
            return CLI_OPT_STOP;
        }
    }
}

void cli_print_help(FILE *fp, const char *text, unsigned flags)
{
    fputs(text, fp);
    if (strstr(text, "exit status:")) /* the command says it itself */
        return;
    fputs("\nexit status: 0 success; 1 errors in the input or a failed run "
          "(said on\nstderr); 2 bad usage",
          fp);
    if (flags & CLI_O_FORCE)
        fprintf(fp,
                "; %d the output folder is not mtasim's\n(or holds an "
                "input): nothing was written (--force clears it)",
                OUTDIR_REFUSED);
    fputs(".\n", fp);
}
