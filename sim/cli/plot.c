/* plot.c - `mtasim plot`: run the gnuplot scripts of plots/ on the reports
 * of a run and list the PNG and SVG files they write.
 *
 * Each script takes the run folder as a gnuplot variable (-e "run='DIR'")
 * and writes DIR/NAME.png and DIR/NAME.svg; compare.gp takes a, b and out.
 * gnuplot runs as a child process (fork and execv, no shell, so paths need
 * no escaping but gnuplot's own); what it prints is shown only when it
 * fails. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "cli/plot.h"
#include "report/run_dir.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char plot_help[] =
    "usage: mtasim plot DIR [--compare DIR_B] [--only NAME[,NAME...]]\n"
    "\n"
    "Draw the reports of a run (the folder 'mtasim run --out DIR' wrote)\n"
    "with gnuplot, as PNG and SVG files beside the data (DIR/NAME.png,\n"
    "DIR/NAME.svg). Time axes count hours or days since the start.\n"
    "\n"
    "plots (NAME, what it shows, what it reads):\n"
    "  throughput  delivered per hour, a line per provider and the total,\n"
    "              over the offered (injected) volume; dashed, the provider\n"
    "              model's capacity where it binds\n"
    "              (timeseries.csv, summary.json, daily.csv)\n"
    "  queues      recipients queued: the total and the 10 deepest queues,\n"
    "              on a log axis when they differ a lot (timeseries.csv)\n"
    "  latency     share of the injected recipients delivered within a\n"
    "              given time, per stream, with p50 and p95; the band above\n"
    "              is the mail not delivered (latency.csv, summary.json)\n"
    "  timeline    per queue: time in backoff, retry mode, refused\n"
    "              connections; per provider@IP: deferral episodes and\n"
    "              blocks (events.csv)\n"
    "  warmup      a warm-up schedule: volume per day per provider, the\n"
    "              expected deferral rate and p95 (schedule.csv with columns\n"
    "              day,ip,provider,volume,expected_deferral_rate,\n"
    "              expected_p95_latency_s)\n"
    "  compare     DIR (A) against DIR_B (B): delivered per hour, queued,\n"
    "              latency and the summary figures, with the streams whose\n"
    "              delivered count or p95 differ (at most 4) and, for\n"
    "              replicated runs, the half-width of each 95 % CI (only\n"
    "              with --compare; written into DIR)\n"
    "  fit-check   `mtasim fit --check`: logged vs simulated delivered and\n"
    "              deferred per hour and provider (fit-check.csv)\n"
    "A plot whose input file is missing is skipped, unless --only names it.\n"
    "\n"
    "options:\n"
    "  --compare DIR_B  also draw DIR/compare.png and .svg\n"
    "  --only NAME      draw only the plots named; repeat it, list names\n"
    "                   with commas, or put more names after DIR\n"
    "  -h, --help       this text\n"
    "\n"
    "The scripts come from $MTASIM_PLOTS, else plots/ beside the mtasim\n"
    "executable, else ./plots; gnuplot from $GNUPLOT, else PATH (install\n"
    "it with 'make deps': package gnuplot-nox). Each script also runs on\n"
    "its own, which is the way to adjust a picture:\n"
    "  gnuplot -e \"run='out/sp'\" plots/latency.gp\n"
    "  gnuplot -e \"run='out/sp'; logy=1\" plots/queues.gp\n"
    "  gnuplot -e \"a='out/sp'; b='out/sp4'; out='out/sp'\" plots/compare.gp\n"
    "\n"
    "examples:\n"
    "  mtasim run scenarios/shared-pool --out out/sp && mtasim plot out/sp\n"
    "  mtasim run scenarios/shared-pool --out out/sp4 --seed 4\n"
    "  mtasim plot out/sp --compare out/sp4 --only compare,latency\n"
    "\n"
    "exit status: 0 every plot written, 1 gnuplot or an input missing or a\n"
    "script failed, 2 bad usage.\n";

/* The plots, in the order they are drawn, and the files each needs. */
struct plot_def {
    const char *name;
    const char *input[3]; /* in the run folder; NULL ends the list */
};

enum { PLOT_N = 7, PLOT_COMPARE = 5 };

static const struct plot_def plot_defs[PLOT_N] = {
    { "throughput", { "timeseries.csv", "summary.json", NULL } },
    { "queues", { "timeseries.csv", NULL, NULL } },
    { "latency", { "latency.csv", NULL, NULL } },
    { "timeline", { "events.csv", NULL, NULL } },
    { "warmup", { "schedule.csv", NULL, NULL } },
    { "compare", { "timeseries.csv", NULL, NULL } },
    { "fit-check", { "fit-check.csv", NULL, NULL } },
};

struct plot_opts {
    const char *dir;
    const char *compare; /* DIR_B, or NULL */
    unsigned only;       /* bit i asks for plot_defs[i]; 0 means all */
};

struct plot_ctx {
    const struct plot_opts *o;
    char *gnuplot; /* path of the executable */
    char *scripts; /* folder of the .gp files */
};

/* Keep this much of what gnuplot prints; a failing script says why in its
 * first lines. */
#define PLOT_OUTPUT_MAX (64 * 1024)

/* plot_index - the plot whose name is the n bytes at s, or -1. */
static int plot_index(const char *s, size_t n)
{
    for (int i = 0; i < PLOT_N; i++)
        if (strlen(plot_defs[i].name) == n &&
            strncmp(plot_defs[i].name, s, n) == 0)
            return i;
    return -1;
}

/* plot_add_only - add the comma-separated names in list to o->only. */
static int plot_add_only(struct plot_opts *o, const char *list)
{
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        int i = plot_index(p, n);
        if (i < 0) {
            fprintf(stderr,
                    "mtasim plot: unknown plot '%.*s' (the plots: "
                    "throughput, queues, latency, timeline, warmup, "
                    "compare)\n",
                    (int)n, p);
            return 2;
        }
        o->only |= 1u << i;
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

/* plot_positionals - DIR and, after --only, more plot names (a name that
 * is also a folder here is taken as the folder). */
static int plot_positionals(int argc, char **argv, struct plot_opts *o)
{
    for (int i = optind; i < argc; i++) {
        const char *a = argv[i];
        int k = plot_index(a, strlen(a));
        if (o->only && k >= 0 && !cli_is_dir(a)) {
            o->only |= 1u << k;
            continue;
        }
        if (o->dir) {
            fprintf(stderr,
                    "mtasim plot: expected one DIR, got '%s' and '%s'; "
                    "try 'mtasim plot --help'\n",
                    o->dir, a);
            return 2;
        }
        o->dir = a;
    }
    if (!o->dir) {
        fputs("mtasim plot: expected a run folder DIR; try 'mtasim plot "
              "--help'\n",
              stderr);
        return 2;
    }
    if ((o->only & (1u << PLOT_COMPARE)) && !o->compare) {
        fputs("mtasim plot: the 'compare' plot needs --compare DIR_B\n",
              stderr);
        return 2;
    }
    return 0;
}

/* parse_plot_args - fill o (the shared parser, cli_opt.h); 0, 2 on bad
 * usage, -1 after --help. */
static int parse_plot_args(int argc, char **argv, struct plot_opts *o)
{
    static const struct option own[] = {
        { "compare", required_argument, NULL, 'c' },
        { "only", required_argument, NULL, 'O' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    int c, status = 0;
    cli_opt_init(&p, "mtasim plot", plot_help, 0, own, "");
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0) {
        if (c == 'c')
            o->compare = optarg;
        else if (c == 'O' && plot_add_only(o, optarg))
            return 2;
    }
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    return plot_positionals(argc, argv, o);
}

/* plot_find_gnuplot - $GNUPLOT, else the first gnuplot on PATH (malloc);
 * NULL when there is none. */
static char *plot_find_gnuplot(void)
{
    const char *env = getenv("GNUPLOT");
    if (env && *env)
        return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    struct strbuf sb;
    strbuf_init(&sb);
    for (const char *p = path;;) {
        size_t n = strcspn(p, ":");
        strbuf_reset(&sb);
        strbuf_add(&sb, n ? p : ".", n ? n : 1);
        strbuf_adds(&sb, "/gnuplot");
        if (access(sb.buf, X_OK) == 0 && !cli_is_dir(sb.buf))
            return strbuf_detach(&sb);
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    strbuf_release(&sb);
    return NULL;
}

/* gp_assign - append "name='value'" for gnuplot -e, with '; ' between
 * assignments; a quote inside a single-quoted gnuplot string is doubled. */
static void gp_assign(struct strbuf *sb, const char *name, const char *value)
{
    if (sb->len)
        strbuf_adds(sb, "; ");
    strbuf_addf(sb, "%s='", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            strbuf_addc(sb, '\'');
        strbuf_addc(sb, *p);
    }
    strbuf_addc(sb, '\'');
}

/* plot_child - in the child: output to the pipe, input from /dev/null,
 * then exec gnuplot -e EXPR SCRIPT. Does not return. */
static void plot_child(const char *gnuplot, const char *expr,
                       const char *script, const int fd[2])
{
    close(fd[0]);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0)
        dup2(null, STDIN_FILENO);
    if (dup2(fd[1], STDOUT_FILENO) < 0 || dup2(fd[1], STDERR_FILENO) < 0)
        _exit(127);
    char *const args[] = { (char *)"gnuplot", (char *)"-e", (char *)expr,
                           (char *)script, NULL };
    execv(gnuplot, args);
    fprintf(stderr, "cannot run '%s': %s\n", gnuplot, strerror(errno));
    _exit(127);
}

/* plot_drain - read fd to its end, keeping the first PLOT_OUTPUT_MAX
 * bytes in out. */
static void plot_drain(int fd, struct strbuf *out)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        if (out->len < PLOT_OUTPUT_MAX)
            strbuf_add(out, buf, (size_t)n);
    }
}

/* plot_spawn - run gnuplot -e EXPR SCRIPT with its stdout and stderr in
 * out; the wait status, or -1 (with the reason in out) when it did not
 * start. */
static int plot_spawn(const char *gnuplot, const char *expr, const char *script,
                      struct strbuf *out)
{
    int fd[2];
    if (pipe(fd) != 0) {
        strbuf_addf(out, "cannot make a pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        strbuf_addf(out, "cannot fork: %s\n", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0)
        plot_child(gnuplot, expr, script, fd);
    close(fd[1]);
    plot_drain(fd[0], out);
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return st;
}

/* plot_failed - report a script that did not work, with what gnuplot
 * printed, indented. */
static void plot_failed(const char *script, int st, const struct strbuf *out)
{
    if (st >= 0 && WIFEXITED(st))
        fprintf(stderr, "mtasim plot: '%s' failed (gnuplot exit status %d)",
                script, WEXITSTATUS(st));
    else if (st >= 0 && WIFSIGNALED(st))
        fprintf(stderr,
                "mtasim plot: '%s' failed (gnuplot killed by signal "
                "%d)",
                script, WTERMSIG(st));
    else
        fprintf(stderr, "mtasim plot: '%s' failed", script);
    fputs(out->len ? ":\n" : "\n", stderr);
    for (const char *p = out->buf; *p;) {
        size_t n = strcspn(p, "\n");
        if (n)
            fprintf(stderr, "    %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

/* plot_outputs - unlink (before) or check and print (after) the two
 * files a plot writes; the number missing. */
static int plot_outputs(const char *dir, const char *name, int check)
{
    static const char *const ext[] = { "png", "svg" };
    int missing = 0;
    for (size_t i = 0; i < 2; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_addf(&sb, "%s/%s.%s", dir, name, ext[i]);
        struct stat st;
        if (!check)
            unlink(sb.buf);
        else if (stat(sb.buf, &st) == 0 && st.st_size > 0)
            printf("%s\n", sb.buf);
        else
            missing++;
        strbuf_release(&sb);
    }
    return missing;
}

/* plot_run - draw plot i: 0, or 1 after saying what went wrong. */
static int plot_run(const struct plot_ctx *cx, int i)
{
    const char *name = plot_defs[i].name;
    struct strbuf script, expr, out;
    strbuf_init(&script);
    strbuf_init(&expr);
    strbuf_init(&out);
    strbuf_addf(&script, "%s/%s.gp", cx->scripts, name);
    int rc = 0;
    if (access(script.buf, R_OK) != 0) {
        fprintf(stderr,
                "mtasim plot: cannot read '%s': %s (set "
                "MTASIM_PLOTS to the plots/ folder)\n",
                script.buf, strerror(errno));
        rc = 1;
        goto done;
    }
    if (i == PLOT_COMPARE) {
        gp_assign(&expr, "a", cx->o->dir);
        gp_assign(&expr, "b", cx->o->compare);
        gp_assign(&expr, "out", cx->o->dir);
    } else {
        gp_assign(&expr, "run", cx->o->dir);
    }
    plot_outputs(cx->o->dir, name, 0);
    int st = plot_spawn(cx->gnuplot, expr.buf, script.buf, &out);
    if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        plot_failed(script.buf, st, &out);
        rc = 1;
    } else if (plot_outputs(cx->o->dir, name, 1)) {
        strbuf_adds(&out, "(gnuplot succeeded but a PNG or SVG is missing)");
        plot_failed(script.buf, st, &out);
        rc = 1;
    }
done:
    strbuf_release(&script);
    strbuf_release(&expr);
    strbuf_release(&out);
    return rc;
}

/* plot_missing - the first input of plot i missing from DIR (and, for
 * compare, from DIR_B), or NULL; *dir says which folder lacks it. */
static const char *plot_missing(const struct plot_opts *o, int i,
                                const char **dir)
{
    const char *dirs[2] = { o->dir, i == PLOT_COMPARE ? o->compare : NULL };
    for (const char *const *in = plot_defs[i].input; *in; in++)
        for (size_t k = 0; k < 2 && dirs[k]; k++)
            if (!cli_has_file(dirs[k], *in)) {
                *dir = dirs[k];
                return *in;
            }
    return NULL;
}

/* plot_wanted - 1 to draw plot i, 0 to skip it, -1 when --only asked for
 * it and an input is missing (said on stderr). */
static int plot_wanted(const struct plot_opts *o, int i)
{
    int asked = (o->only >> i) & 1u;
    if (o->only && !asked)
        return 0;
    if (i == PLOT_COMPARE && !o->compare)
        return 0;
    const char *dir;
    const char *in = plot_missing(o, i, &dir);
    if (!in)
        return 1;
    if (!asked && i != PLOT_COMPARE)
        return 0;
    fprintf(stderr,
            "mtasim plot: the '%s' plot needs '%s/%s', which is "
            "missing\n",
            plot_defs[i].name, dir, in);
    return -1;
}

/* plot_check_dirs - DIR (and DIR_B) are folders, and a run's reports in
 * them are complete (report/run_dir.h): 0, else 1 with a message. */
static int plot_check_dirs(const struct plot_opts *o)
{
    const char *d[2] = { o->dir, o->compare };
    char msg[1024];
    for (size_t i = 0; i < 2; i++) {
        if (!d[i] || run_dir_check(d[i], msg, sizeof(msg)) == 0)
            continue;
        fprintf(stderr, "mtasim plot: %s\n", msg);
        return 1;
    }
    return 0;
}

/* plot_all - draw every wanted plot; 0, or 1 when one failed or none was
 * drawn. */
static int plot_all(const struct plot_ctx *cx)
{
    int failed = 0, drawn = 0;
    for (int i = 0; i < PLOT_N; i++) {
        int w = plot_wanted(cx->o, i);
        if (w < 0)
            failed++;
        if (w <= 0)
            continue;
        failed += plot_run(cx, i);
        drawn++;
    }
    if (!drawn && !failed) {
        fprintf(stderr,
                "mtasim plot: nothing to plot in '%s': no "
                "timeseries.csv, latency.csv, events.csv or schedule.csv "
                "(run 'mtasim run SCENARIO --out %s' first)\n",
                cx->o->dir, cx->o->dir);
        return 1;
    }
    return failed ? 1 : 0;
}

int cmd_plot(int argc, char **argv)
{
    struct plot_opts o = { NULL, NULL, 0 };
    int rc = parse_plot_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (plot_check_dirs(&o))
        return 1;
    struct plot_ctx cx = { &o, plot_find_gnuplot(), NULL };
    if (!cx.gnuplot) {
        const char *env = getenv("GNUPLOT");
        if (env && *env)
            fprintf(stderr,
                    "mtasim plot: gnuplot not found: $GNUPLOT is "
                    "'%s', which is not an executable\n",
                    env);
        else
            fputs("mtasim plot: gnuplot not found: install gnuplot-nox "
                  "(make deps)\n",
                  stderr);
        return 1;
    }
    cx.scripts = cli_beside_exe("MTASIM_PLOTS", "plots", "common.gp");
    rc = plot_all(&cx);
    free(cx.gnuplot);
    free(cx.scripts);
    return rc;
}

int plot_svg(const char *name, const char *dir, const char *dir_b,
             const char *out_dir)
{
    char *gnuplot = plot_find_gnuplot();
    char *scripts = cli_beside_exe("MTASIM_PLOTS", "plots", "common.gp");
    struct strbuf script, expr, out;
    strbuf_init(&script);
    strbuf_init(&expr);
    strbuf_init(&out);
    strbuf_addf(&script, "%s/%s.gp", scripts ? scripts : "plots", name);
    int rc = 2;
    if (gnuplot && access(script.buf, R_OK) == 0) {
        if (dir_b) {
            gp_assign(&expr, "a", dir);
            gp_assign(&expr, "b", dir_b);
        } else {
            gp_assign(&expr, "run", dir);
        }
        gp_assign(&expr, "out", out_dir);
        gp_assign(&expr, "formats", "svg");
        int st = plot_spawn(gnuplot, expr.buf, script.buf, &out);
        rc = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
        if (rc)
            plot_failed(script.buf, st, &out);
    }
    strbuf_release(&script);
    strbuf_release(&expr);
    strbuf_release(&out);
    free(gnuplot);
    free(scripts);
    return rc;
}
