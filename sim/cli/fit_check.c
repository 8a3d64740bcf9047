/* fit_check.c - `mtasim fit --check`: replay the logged traffic through
 * the fitted models and compare it with the logs.
 *
 * The replay is an ordinary run: a scenario written to OUT/check/ with
 * the accounting files as its send list ("pmta-acct"; several files are
 * first joined, oldest first, into OUT/check/sendlist.csv), the user's
 * config, the logs' first day as its start and their span as its
 * duration, every logged source IP at the age the fit gave it on day 0,
 * and the fitted models in place of the shipped ones. The run's own
 * acct.csv is then read back the way the logs were, so both sides count
 * the same things: per provider and hour, delivered (d records) and
 * deferred (t records). */
#include "cli/fit_check.h"
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "input/acct_rows.h"
#include "input/scenario.h"
#include "run/sim.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/zfile.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* abs_path - path made absolute (the scenario lives elsewhere). */
static char *abs_path(const char *path)
{
    char buf[PATH_MAX];
    if (path[0] == '/' || getcwd(buf, sizeof(buf)) == NULL)
        return xstrdup(path);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", buf, path);
    return strbuf_detach(&sb);
}

/* join_files - the accounting files, oldest first, into one file (each
 * keeps its header line, which the send-list reader takes as a remap). */
static char *join_files(const struct fit_check_opts *o, const char *dir,
                        struct diag_list *dl)
{
    struct strbuf path;
    strbuf_init(&path);
    strbuf_addf(&path, "%s/sendlist.csv", dir);
    struct acct_rows *order = acct_rows_open(o->files, o->n_files, dl);
    FILE *out = fopen(path.buf, "w");
    int rc = order && out ? 0 : -1;
    if (out == NULL)
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0, "cannot write: %s",
                 strerror(errno));
    for (size_t i = 0; rc == 0 && order && i < acct_rows_count(order); i++) {
        FILE *in = zfile_open(acct_rows_path(order, i));
        char buf[65536];
        size_t n;
        if (in == NULL) {
            rc = -1;
            break;
        }
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
            if (fwrite(buf, 1, n, out) != n)
                rc = -1;
        if (ferror(in))
            rc = -1;
        fclose(in);
    }
    if (out && fclose(out) != 0)
        rc = -1;
    acct_rows_close(order);
    if (rc < 0) {
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0,
                 "cannot join the accounting files");
        strbuf_release(&path);
        return NULL;
    }
    return strbuf_detach(&path);
}

/* model_list - per provider its fitted model (OUT/<name>.json) when the
 * logs had it, else the shipped one. */
static cJSON *model_list(const struct fit *f, const char *out)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t p = 0; p < fit_provider_count(f); p++) {
        struct strbuf sb;
        strbuf_init(&sb);
        if (fit_provider_seen(f, p))
            strbuf_addf(&sb, "%s/%s.json", out, fit_provider_name(f, p));
        else
            strbuf_adds(&sb, fit_provider_model(f, p));
        char *a = abs_path(sb.buf);
        cJSON_AddItemToArray(list, cJSON_CreateString(a));
        free(a);
        strbuf_release(&sb);
    }
    return list;
}

/* write_scenario - OUT/check/scenario.json for the replay. */
static int write_scenario(const struct fit *f, const struct fit_check_opts *o,
                          const char *dir, const char *sendlist,
                          struct diag_list *dl)
{
    cJSON *sc = cJSON_CreateObject();
    char start[32], dur[32];
    time_t t0 = (time_t)fit_start_unix(f);
    struct tm tm;
    gmtime_r(&t0, &tm);
    strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(dur, sizeof(dur), "%zuh", fit_hours(f) + 1);
    cJSON_AddStringToObject(sc, "description",
                            "mtasim fit --check: the logged traffic "
                            "replayed through the fitted models");
    cJSON_AddStringToObject(sc, "start", start);
    cJSON_AddStringToObject(sc, "duration", dur);
    cJSON_AddNumberToObject(sc, "seed", 1);
    char *cfg = abs_path(o->config);
    cJSON_AddStringToObject(sc, "config", cfg);
    free(cfg);
    cJSON_AddItemToObject(sc, "models", model_list(f, o->out_dir));
    cJSON *rep = cJSON_AddObjectToObject(sc, "report");
    cJSON_AddStringToObject(rep, "interval", "1h");
    cJSON *ips = cJSON_AddObjectToObject(sc, "ips");
    for (size_t i = 0; i < fit_ip_count(f); i++) {
        double age;
        const char *ip = fit_ip(f, i, &age);
        unsigned char addr[16];
        if (inet_pton(AF_INET, ip, addr) != 1 &&
            inet_pton(AF_INET6, ip, addr) != 1)
            continue; /* a VMTA name standing in for a missing IP */
        cJSON *e = cJSON_AddObjectToObject(ips, ip);
        cJSON_AddNumberToObject(e, "age_days", round(age * 100) / 100);
    }
    cJSON *sl = cJSON_AddObjectToObject(sc, "sendlist");
    char *slp = abs_path(sendlist);
    cJSON_AddStringToObject(sl, "file", slp);
    free(slp);
    cJSON_AddStringToObject(sl, "format", "pmta-acct");
    char *text = cJSON_Print(sc);
    cJSON_Delete(sc);
    struct strbuf path;
    strbuf_init(&path);
    strbuf_addf(&path, "%s/scenario.json", dir);
    FILE *fp = fopen(path.buf, "w");
    int rc = fp && fputs(text, fp) >= 0 ? 0 : -1;
    if (fp && fclose(fp) != 0)
        rc = -1;
    if (rc < 0)
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0, "cannot write: %s",
                 strerror(errno));
    free(text);
    strbuf_release(&path);
    return rc;
}

/* replay - run the scenario of dir (acct.csv on). */
static int replay(const char *dir, const char *models_dir, struct diag_list *dl)
{
    struct scenario sc;
    struct sim s;
    struct strbuf path;
    int rc = -1;

    strbuf_init(&path);
    strbuf_addf(&path, "%s/scenario.json", dir);
    if (scenario_load(path.buf, models_dir, &sc, dl) != 0) {
        strbuf_release(&path);
        return -1;
    }
    struct sim_options so = { dir, 1, 0 };
    if (sim_init(&s, &sc, &so, dl) == 0) {
        int step;
        while ((step = sim_step(&s, dl)) == 1)
            ;
        if (step < 0)
            obs_abort(s.obs);
        else if (sim_done(&s, 0, 0) == 0)
            rc = 0;
        else
            diag_add(dl, DIAG_ERROR, dir, 0, 0, "cannot write the reports");
        sim_release(&s);
    }
    scenario_release(&sc);
    strbuf_release(&path);
    return rc;
}

/* Per provider: the totals and errors of the comparison. */
struct check_sum {
    double ld, sd, lt, st;       /* logged / simulated delivered, deferred */
    double day_err_d, day_err_t; /* largest relative daily error */
    double hour_abs_t;           /* sum |sim - logged| hourly deferrals */
};

static double rel(double sim, double logged)
{
    return logged > 0 ? (sim - logged) / logged
           : sim > 0  ? (double)INFINITY
                      : 0;
}

/* compare - fit-check.csv and the per-provider summary. */
static int compare(const struct fit *f, const struct fit *sim, const char *out,
                   int quiet, struct diag_list *dl)
{
    /* the replay's records may begin on a later day than the logs' */
    int64_t shift = (fit_start_unix(sim) - fit_start_unix(f)) / 3600;
    struct strbuf path;
    strbuf_init(&path);
    strbuf_addf(&path, "%s/fit-check.csv", out);
    FILE *fp = fopen(path.buf, "w");
    if (fp == NULL) {
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0, "cannot write: %s",
                 strerror(errno));
        strbuf_release(&path);
        return -1;
    }
    fputs("provider,hour,logged_delivered,sim_delivered,logged_deferred,"
          "sim_deferred\n",
          fp);
    size_t hours = fit_hours(f);
    if (!quiet)
        printf("check: per provider, logged vs simulated (relative error "
               "of the totals; largest daily error; hourly deferrals: sum "
               "of |sim - logged| over the logged sum)\n");
    for (size_t p = 0; p < fit_provider_count(f); p++) {
        if (!fit_provider_seen(f, p))
            continue;
        struct check_sum cs = { 0, 0, 0, 0, 0, 0, 0 };
        double dd[4] = { 0, 0, 0, 0 };
        for (size_t h = 0; h < hours; h++) {
            double ld, lt, sd, st;
            fit_logged_hour(f, p, h, &ld, &lt);
            sd = st = 0;
            if ((int64_t)h >= shift)
                fit_logged_hour(sim, p, (size_t)((int64_t)h - shift), &sd, &st);
            fprintf(fp, "%s,%zu,%.0f,%.0f,%.0f,%.0f\n", fit_provider_name(f, p),
                    h, ld, sd, lt, st);
            cs.ld += ld;
            cs.sd += sd;
            cs.lt += lt;
            cs.st += st;
            cs.hour_abs_t += fabs(st - lt);
            dd[0] += ld, dd[1] += sd, dd[2] += lt, dd[3] += st;
            if ((h + 1) % 24 == 0 || h + 1 == hours) {
                /* days with little traffic say little: 100 at least */
                if (dd[0] >= 100)
                    cs.day_err_d = fmax(cs.day_err_d, fabs(rel(dd[1], dd[0])));
                if (dd[2] >= 100)
                    cs.day_err_t = fmax(cs.day_err_t, fabs(rel(dd[3], dd[2])));
                dd[0] = dd[1] = dd[2] = dd[3] = 0;
            }
        }
        if (!quiet)
            printf("  %-10s delivered %.0f vs %.0f (%+.1f%%, worst day "
                   "%.1f%%), deferred %.0f vs %.0f (%+.1f%%, worst day "
                   "%.1f%%, hourly %.1f%%)\n",
                   fit_provider_name(f, p), cs.ld, cs.sd,
                   100 * rel(cs.sd, cs.ld), 100 * cs.day_err_d, cs.lt, cs.st,
                   100 * rel(cs.st, cs.lt), 100 * cs.day_err_t,
                   cs.lt > 0 ? 100 * cs.hour_abs_t / cs.lt : 0);
    }
    int rc = fclose(fp) == 0 ? 0 : -1;
    if (rc < 0)
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0, "cannot write: %s",
                 strerror(errno));
    else if (!quiet)
        printf("comparison in %s\n", path.buf);
    strbuf_release(&path);
    return rc;
}

/* plot - OUT/fit-check.png via `mtasim plot OUT --only fit-check`. */
static void plot(const char *out, int quiet)
{
    char *args[] = { (char *)"plot", (char *)out, (char *)"--only",
                     (char *)"fit-check", NULL };
    if (quiet) {
        fflush(stdout);
        if (freopen("/dev/null", "w", stdout) == NULL)
            return;
    }
    if (cmd_plot(4, args) != 0 && !quiet)
        fprintf(stderr, "mtasim fit: the check plot was not drawn (is "
                        "gnuplot installed?)\n");
}

int fit_check_run(const struct fit *f, const struct fit_check_opts *o,
                  struct diag_list *dl)
{
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/check", o->out_dir);
    char *check = cli_out_dir(dir.buf, "check", dl);
    strbuf_release(&dir);
    if (check == NULL)
        return 1;
    char *sendlist =
        o->n_files == 1 ? xstrdup(o->files[0]) : join_files(o, check, dl);
    int rc = 1;
    struct fit *sim = NULL;
    if (sendlist == NULL || write_scenario(f, o, check, sendlist, dl) < 0 ||
        replay(check, o->models_dir, dl) < 0)
        goto done;
    struct fit_opts fo = { o->models_dir, NULL, 0 };
    sim = fit_alloc(&fo, dl);
    struct strbuf acct;
    strbuf_init(&acct);
    strbuf_addf(&acct, "%s/acct.csv", check);
    const char *files[] = { acct.buf };
    int ok = sim && fit_read(sim, files, 1, dl) == 0;
    strbuf_release(&acct);
    if (!ok || compare(f, sim, o->out_dir, o->quiet, dl) < 0)
        goto done;
    plot(o->out_dir, o->quiet);
    rc = 0;
done:
    fit_free(sim);
    free(sendlist);
    free(check);
    return rc;
}
