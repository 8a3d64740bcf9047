/* gen.c - `mtasim gen`: write a scenario's send list as CSV.
 *
 * Whatever the source (generator, CSV, PowerMTA accounting file), the
 * output is the CSV form the CSV reader takes back, so a generated list
 * can be inspected, edited, and replayed with "sendlist": {"file": ...}.
 * The file is written to FILE.tmp and renamed, so FILE is never left
 * half-written. Exit status 0 ok, 1 errors in the input, 2 bad usage. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "config/cfg_value.h"
#include "engine/rng.h"
#include "input/scenario.h"
#include "input/sendlist.h"
#include "input/sl_int.h"
#include "util/diag.h"
#include "util/strbuf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char gen_help[] =
    "usage: mtasim gen SCENARIO --out FILE.csv [--seed N] [--duration D]\n"
    "\n"
    "Write the send list of a scenario as CSV: the generated one for a\n"
    "\"generate\" send list, or the recipients mtasim would read from a CSV\n"
    "or PowerMTA accounting file (deduplicated and in enqueue order). The\n"
    "result replays exactly with \"sendlist\": {\"file\": \"FILE.csv\"}.\n"
    "SCENARIO is a scenario file, or a directory holding scenario.json.\n"
    "\n"
    "options:\n"
    "  -o, --out FILE.csv   where to write (required); written to\n"
    "                       FILE.csv.tmp and renamed when complete\n"
    "  --seed N             override the scenario's seed (a generated list\n"
    "                       is a pure function of the seed)\n"
    "  --duration D         override the scenario's duration, in PowerMTA\n"
    "                       interval syntax: 7d, 12h, 1h30m\n"
    "  -h, --help           this text\n"
    "\n"
    "columns: time (seconds from the scenario start), rcpt, domain, vmta,\n"
    "pool, stream, size (bytes), invalid (1 = unknown user), complaint\n"
    "(1 = complains when delivered).\n"
    "\n"
    "How the generator draws (every draw is keyed on the seed and the\n"
    "stream or recipient, so one change does not reshuffle the rest):\n"
    "  - poisson: a Poisson process whose rate is constant within each\n"
    "    hour: volume_per_day(day) x hourly_profile[hour] / sum(profile);\n"
    "  - blast: round(volume_per_day(day)) recipients a day, evenly spaced\n"
    "    over [at, at + spread);\n"
    "  - days and hours count from the scenario start;\n"
    "  - \"*\" in domains is a long tail of 1000 domains tail0000.example\n"
    "    .. tail0999.example with Zipf(1) shares;\n"
    "  - rcpt is u<id>@<domain>; a size_bytes of 0 (or none) draws sizes\n"
    "    from a lognormal with a median of 20 KiB.\n"
    "\n"
    "From a PowerMTA accounting file (\"format\": \"pmta-acct\"): one\n"
    "recipient per (timeQueued, orig, rcpt, jobId, envId), injected at its\n"
    "r record's time or else at timeQueued; jobId becomes the stream;\n"
    "rows out of enqueue order are reordered, and the few that cannot be\n"
    "are injected late and counted as adjusted; a bad-mailbox bounce marks\n"
    "the recipient invalid only if it is logged before the recipient is\n"
    "written out (soon after its enqueue time).\n"
    "\n"
    "examples:\n"
    "  mtasim gen scenarios/hotmail-warmup/scenario.json --out sends.csv\n"
    "  mtasim gen s.json -o week1.csv --duration 7d --seed 42\n";

struct gen_opts {
    const char *scenario, *out;
    int has_seed, has_duration;
    uint64_t seed;
    double duration_s;
};

/* parse_args - the options; 0, -1 after --help, or 2. */
static int parse_args(int argc, char **argv, struct gen_opts *o)
{
    static const struct option own[] = {
        { "duration", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    cli_opt_init(&p, "mtasim gen", gen_help, CLI_O_OUT | CLI_O_SEED, own, "");
    int c, status = 0;
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0)
        if (c == 'D' && cli_parse_duration("mtasim gen", "--duration", optarg,
                                           &o->duration_s))
            return 2;
        else if (c == 'D')
            o->has_duration = 1;
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    o->out = p.c.out;
    o->seed = p.c.seed;
    o->has_seed = p.c.have_seed;
    if (optind != argc - 1 || o->out == NULL) {
        fputs("mtasim gen: expected one SCENARIO and --out FILE.csv; try "
              "'mtasim gen --help'\n",
              stderr);
        return 2;
    }
    o->scenario = argv[optind];
    return 0;
}

/* gen_summary - what was written: counts and the time span. */
struct gen_summary {
    uint64_t n;
    int64_t first_us, last_us;
};

/* io_error - a failed system call on path, from errno. */
static void io_error(struct diag_list *dl, const char *path)
{
    diag_add(dl, DIAG_ERROR, path, 0, 0, "cannot write: %s", strerror(errno));
}

/* write_list - the header and every record of sl to fp; 0, or -1 with
 * the error in dl. */
static int write_list(struct sendlist *sl, FILE *fp, const char *path,
                      struct gen_summary *sum, struct diag_list *dl)
{
    struct strbuf sb;
    struct send_rec r;
    int rc = 0;

    strbuf_init(&sb);
    sl_csv_format_header(&sb);
    for (;;) {
        int more = sendlist_next(sl, &r);
        if (more > 0) {
            if (sum->n++ == 0)
                sum->first_us = r.t_us;
            sum->last_us = r.t_us;
            sl_csv_format_rec(&sb, sl, &r);
        }
        if (more < 0)
            rc = -1;
        if (rc == 0 && (sb.len >= 65536 || more == 0) &&
            fwrite(sb.buf, 1, sb.len, fp) != sb.len) {
            io_error(dl, path);
            rc = -1;
        }
        if (more <= 0 || rc < 0)
            break;
        if (sb.len >= 65536)
            strbuf_reset(&sb);
    }
    strbuf_release(&sb);
    return rc;
}

/* print_summary - one line on stdout. */
static void print_summary(const struct scenario *sc, struct sendlist *sl,
                          const char *out, const struct gen_summary *s)
{
    size_t ns = sendlist_stream_count(sl);
    char a[32], b[32], span[32];

    printf("%s: %llu recipient%s, %zu stream%s", out, (unsigned long long)s->n,
           s->n == 1 ? "" : "s", ns, ns == 1 ? "" : "s");
    if (s->n) {
        scenario_format_time(sc, (double)s->first_us / 1e6, a, sizeof(a));
        scenario_format_time(sc, (double)s->last_us / 1e6, b, sizeof(b));
        cfgv_format_time((double)((s->last_us - s->first_us) / 1000000), span,
                         sizeof(span));
        printf(", %s .. %s (%s)", a, b, span);
    }
    if (sendlist_adjusted(sl))
        printf(", %llu row%s skipped or adjusted",
               (unsigned long long)sendlist_adjusted(sl),
               sendlist_adjusted(sl) == 1 ? "" : "s");
    putchar('\n');
}

/* write_atomic - write the list to out.tmp, then rename it to out. */
static int write_atomic(const struct scenario *sc, struct sendlist *sl,
                        const char *out, struct diag_list *dl)
{
    struct gen_summary sum = { 0, 0, 0 };
    struct strbuf tmp;
    FILE *fp;
    int rc = -1;

    strbuf_init(&tmp);
    strbuf_addf(&tmp, "%s.tmp", out);
    fp = fopen(tmp.buf, "wb");
    if (fp == NULL) {
        io_error(dl, tmp.buf);
        strbuf_release(&tmp);
        return -1;
    }
    rc = write_list(sl, fp, tmp.buf, &sum, dl);
    if (fclose(fp) != 0 && rc == 0) {
        io_error(dl, tmp.buf);
        rc = -1;
    }
    if (rc == 0 && rename(tmp.buf, out) != 0) {
        io_error(dl, out);
        rc = -1;
    }
    if (rc < 0)
        unlink(tmp.buf);
    else
        print_summary(sc, sl, out, &sum);
    strbuf_release(&tmp);
    return rc;
}

/* gen_write - open the scenario's send list and write it out. */
static int gen_write(const struct scenario *sc, const char *out,
                     struct diag_list *dl)
{
    struct rng g;
    struct sendlist *sl;
    int rc = -1;

    rng_init(&g, sc->seed, 0);
    sl = sendlist_open(sc, &g, dl);
    if (sl) {
        rc = write_atomic(sc, sl, out, dl);
        sendlist_report_skips(sl, dl);
    }
    sendlist_close(sl);
    rng_release(&g);
    return rc;
}

/* cmd_gen - `mtasim gen`: load, write, report; the exit status. */
int cmd_gen(int argc, char **argv)
{
    struct gen_opts o = { NULL, NULL, 0, 0, 0, 0 };
    struct diag_list dl;
    struct scenario sc;
    int rc = parse_args(argc, argv, &o);

    if (rc)
        return rc < 0 ? 0 : rc;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    char *path = cli_scenario_path(o.scenario);
    rc = scenario_load(path, NULL, &sc, &dl);
    if (rc == 0) {
        if (o.has_seed)
            sc.seed = o.seed;
        if (o.has_duration)
            sc.duration_s = o.duration_s;
        rc = gen_write(&sc, o.out, &dl);
        scenario_release(&sc);
    }
    diag_print_all(stderr, &dl, path, isatty(2));
    diag_list_release(&dl);
    free(path);
    return rc == 0 ? 0 : 1;
}
