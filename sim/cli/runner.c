/* runner.c - single and replicated runs: processes, folders, aggregation.
 *
 * Replications run in forked worker processes (each simulation is
 * single-threaded and independent); a worker runs replications w, w + J,
 * w + 2J, ... and reports failure by its exit status. The aggregate only
 * reads the workers' summary.json files, so it is the same whatever J. */
#include "cli/runner.h"
#include "cli/cli_util.h"
#include "cli/run_meta.h"
#include "report/agg.h"
#include "util/tmpfiles.h"
#include "run/sim.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* drive - step the run to its end, showing progress on a terminal. */
static int drive(struct sim *s, struct diag_list *dl, int progress)
{
    double t0 = wall_now(), last = t0;
    int rc;
    while ((rc = sim_step(s, dl)) == 1) {
        if (!progress || (s->events & 0xffff) != 0)
            continue;
        double now = wall_now();
        if (now - last < 0.5)
            continue;
        last = now;
        fprintf(stderr,
                "\r  simulated %.1f of %.1f days (%.0f%%), %llu "
                "events, %.1f s",
                sim_now(s) / 86400, s->sc->duration_s / 86400,
                100 * sim_now(s) / s->sc->duration_s,
                (unsigned long long)s->events, now - t0);
    }
    if (progress)
        fputs("\r\033[K", stderr);
    return rc;
}

/* run_single - replication rep of sc into out (which exists). */
static int run_single(struct scenario *sc, const char *out, uint64_t rep,
                      const struct runner_opts *o, int print,
                      struct diag_list *dl)
{
    struct sim s;
    struct sim_options so = { out, o->acct, rep };
    if (sim_init(&s, sc, &so, dl) != 0)
        return 1;
    obs_set_meta(s.obs, run_meta_json(sc, s.cfg, o->command_line));
    double t0 = wall_now();
    int rc = 0;
    if (drive(&s, dl, o->progress && print) < 0) {
        obs_abort(s.obs);
        rc = 1;
    } else if (sim_done(&s, wall_now() - t0, peak_rss_kb()) != 0) {
        diag_add(dl, DIAG_ERROR, out, 0, 0, "cannot write the reports: %s",
                 strerror(errno));
        rc = 1;
    } else if (print) {
        obs_print_summary(s.obs, stdout);
    }
    sim_release(&s);
    return rc;
}

char *runner_rep_dir(const char *out, uint64_t rep)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/rep-%llu", out, (unsigned long long)rep);
    return strbuf_detach(&sb);
}

/* worker - replications w, w + jobs, ...; the process exit status. */
static int worker(struct scenario *sc, const char *out, int w,
                  const struct runner_opts *o)
{
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    int rc = 0;
    for (uint64_t r = (uint64_t)w; r < o->replications && rc == 0;
         r += (uint64_t)o->jobs) {
        char *dir = runner_rep_dir(out, r);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            diag_add(&dl, DIAG_ERROR, dir, 0, 0, "cannot create: %s",
                     strerror(errno));
            rc = 1;
        } else {
            rc = run_single(sc, dir, r, o, 0, &dl);
        }
        free(dir);
    }
    diag_print_all(stderr, &dl, sc->path, 0);
    diag_list_release(&dl);
    return rc;
}

/* worker_failed - a worker that did not exit 0, named by the
 * replications it ran and how it ended (a signal leaves no message of
 * its own, so this is the only one). */
static void worker_failed(struct diag_list *dl, const char *out, int w,
                          const struct runner_opts *o, int status)
{
    struct strbuf reps;
    strbuf_init(&reps);
    uint64_t r = (uint64_t)w, step = (uint64_t)o->jobs;
    strbuf_addf(&reps, "replication%s %llu",
                r + step < o->replications ? "s" : "", (unsigned long long)r);
    for (int k = 0; (r += step) < o->replications; k++) {
        if (k == 3) {
            strbuf_adds(&reps, ", ...");
            break;
        }
        strbuf_addf(&reps, ", %llu", (unsigned long long)r);
    }
    if (WIFSIGNALED(status))
        diag_add(dl, DIAG_ERROR, out, 0, 0,
                 "the worker for %s was killed by signal %d (%s)", reps.buf,
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 1)
        diag_add(dl, DIAG_ERROR, out, 0, 0,
                 "the worker for %s exited with status %d", reps.buf,
                 WEXITSTATUS(status));
    strbuf_release(&reps);
}

/* remove_temporaries - what a worker killed by a signal it could not
 * catch (SIGKILL) left in its replications' folders. */
static void remove_temporaries(const char *out, int w,
                               const struct runner_opts *o)
{
    static const char *const names[] = { "summary.json", "timeseries.csv",
                                         "events.csv",   "latency.csv",
                                         "acct.csv",     "daily.csv",
                                         "complete" };
    for (uint64_t r = (uint64_t)w; r < o->replications;
         r += (uint64_t)o->jobs) {
        char *dir = runner_rep_dir(out, r);
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            strbuf_reset(&sb);
            strbuf_addf(&sb, "%s/.%s.tmp", dir, names[i]);
            remove(sb.buf);
        }
        strbuf_release(&sb);
        free(dir);
    }
}

/* run_workers - fork jobs workers and wait for them; the first failure
 * stops the others (SIGTERM: they remove their temporaries), since no
 * aggregate can be written any more. */
static int run_workers(struct scenario *sc, const char *out,
                       const struct runner_opts *o, struct diag_list *dl)
{
    int jobs = o->jobs, failed = 0, left = 0, stopping = 0;
    pid_t *pid = xcalloc((size_t)jobs, sizeof(*pid));
    fflush(NULL);
    for (int w = 0; w < jobs; w++) {
        pid[w] = fork();
        if (pid[w] == 0)
            _exit(worker(sc, out, w, o));
        if (pid[w] < 0) {
            diag_add(dl, DIAG_ERROR, NULL, 0, 0, "cannot start a worker: %s",
                     strerror(errno));
            failed = 1;
        } else {
            left++;
        }
    }
    while (left > 0) {
        int status = 0, w = 0;
        pid_t p = waitpid(-1, &status, 0);
        if (p < 0 && errno == EINTR)
            continue;
        if (p < 0) {
            diag_add(dl, DIAG_ERROR, out, 0, 0,
                     "cannot wait for the workers: %s", strerror(errno));
            failed = 1;
            break;
        }
        while (w < jobs && pid[w] != p)
            w++;
        if (w == jobs)
            continue;
        pid[w] = 0;
        left--;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            continue;
        failed = 1;
        if (!(stopping && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
            worker_failed(dl, out, w, o, status);
        if (WIFSIGNALED(status))
            remove_temporaries(out, w, o);
        for (int k = 0; !stopping && k < jobs; k++)
            if (pid[k] > 0)
                kill(pid[k], SIGTERM);
        stopping = 1;
    }
    free(pid);
    return failed;
}

/* write_atomic - text into path via path.tmp and a rename. */
static int write_atomic(const char *path, const char *text)
{
    struct strbuf tmp;
    strbuf_init(&tmp);
    strbuf_addf(&tmp, "%s.tmp", path);
    tmpfiles_add(tmp.buf);
    FILE *fp = fopen(tmp.buf, "w");
    int rc = fp == NULL;
    if (fp) {
        rc |= fputs(text, fp) < 0;
        rc |= fclose(fp) != 0;
    }
    rc = rc || rename(tmp.buf, path) != 0;
    if (rc)
        remove(tmp.buf);
    tmpfiles_forget(tmp.buf);
    strbuf_release(&tmp);
    return rc ? -1 : 0;
}

/* copy_file - src to dst (atomically), for replication 0's CSVs. */
static int copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    if (in == NULL)
        return errno == ENOENT ? 0 : -1;
    struct strbuf tmp;
    strbuf_init(&tmp);
    strbuf_addf(&tmp, "%s.tmp", dst);
    tmpfiles_add(tmp.buf);
    FILE *out = fopen(tmp.buf, "wb");
    char buf[65536];
    size_t n;
    int rc = out == NULL;
    while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        rc = fwrite(buf, 1, n, out) != n;
    fclose(in);
    if (out)
        rc |= fclose(out) != 0;
    rc = rc || rename(tmp.buf, dst) != 0;
    if (rc)
        remove(tmp.buf);
    tmpfiles_forget(tmp.buf);
    strbuf_release(&tmp);
    return rc ? -1 : 0;
}

/* aggregate - OUT/summary.json over the replications, and rep-0's CSVs. */
static int aggregate(const char *out, uint64_t reps, struct diag_list *dl)
{
    cJSON **s = xcalloc(reps, sizeof(*s));
    int rc = 0;
    for (uint64_t r = 0; r < reps && rc == 0; r++) {
        char *dir = runner_rep_dir(out, r);
        struct strbuf p;
        strbuf_init(&p);
        strbuf_addf(&p, "%s/summary.json", dir);
        s[r] = cli_read_json(dir, "summary.json");
        if (s[r] == NULL) {
            diag_add(dl, DIAG_ERROR, p.buf, 0, 0, "cannot read the summary");
            rc = 1;
        }
        strbuf_release(&p);
        free(dir);
    }
    if (rc == 0) {
        cJSON *agg = agg_document(s, reps);
        char *text = cJSON_Print(agg);
        struct strbuf p;
        strbuf_init(&p);
        static const char *const csv[] = { "timeseries.csv", "events.csv",
                                           "latency.csv", "acct.csv",
                                           "daily.csv" };
        rc = obs_publish_begin(out) != 0;
        for (size_t i = 0; i < 5 && rc == 0; i++) {
            struct strbuf src;
            strbuf_init(&src);
            strbuf_addf(&src, "%s/rep-0/%s", out, csv[i]);
            strbuf_reset(&p);
            strbuf_addf(&p, "%s/%s", out, csv[i]);
            rc = copy_file(src.buf, p.buf) != 0;
            strbuf_release(&src);
        }
        strbuf_reset(&p);
        strbuf_addf(&p, "%s/summary.json", out);
        if (rc || write_atomic(p.buf, text) != 0 ||
            obs_publish_end(out, "mtasim run: aggregate of all "
                                 "replications written") != 0) {
            diag_add(dl, DIAG_ERROR, out, 0, 0,
                     "cannot write the aggregate "
                     "reports: %s",
                     strerror(errno));
            rc = 1;
        }
        strbuf_release(&p);
        cJSON_free(text);
        cJSON_Delete(agg);
    }
    for (uint64_t r = 0; r < reps; r++)
        cJSON_Delete(s[r]);
    free(s);
    return rc;
}

int runner_run(struct scenario *sc, const char *out,
               const struct runner_opts *o, struct diag_list *dl)
{
    tmpfiles_on_signals();
    if (o->replications <= 1)
        return run_single(sc, out, 0, o, o->print_summary, dl);
    struct runner_opts w = *o;
    if ((uint64_t)w.jobs > w.replications)
        w.jobs = (int)w.replications;
    if (run_workers(sc, out, &w, dl) != 0) {
        diag_add(dl, DIAG_ERROR, out, 0, 0,
                 "a replication failed (see the "
                 "messages above); no aggregate written");
        return 1;
    }
    return aggregate(out, o->replications, dl);
}
