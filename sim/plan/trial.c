/* trial.c - run one simulation and keep its figures in memory.
 *
 * The trial drives the run itself (sim_step) so it sees the day
 * boundaries: before the first event of a new day it takes the totals,
 * whose differences are the per-day figures. It also listens to the
 * provider models' daily reports (the "day" events of events.csv) for the
 * per-IP figures, and forwards every provider event to the observer as
 * the run would. Like all code below sim/cli, it reads no clock: a
 * trial's summary.json has no wall time. */
#include "plan/trial.h"
#include "run/sim.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DAY_S 86400.0

struct trial_ctx {
    struct sim *s;
    struct run_figures *f;
    struct run_counts day_start;
    struct run_counts *q_start; /* each queue's counts at the day start */
    size_t n_q;
};

/* detail_num - the number after "key=" in a daily report, or NAN. */
static double detail_num(const char *detail, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = detail; p && *p; p = strchr(p, ' ')) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, n) == 0 && p[n] == '=')
            return strtod(p + n + 1, NULL);
    }
    return (double)NAN;
}

static void record_ip_day(struct trial_ctx *c, double now_s,
                          const char *provider, const char *ip,
                          const char *detail)
{
    struct run_figures *f = c->f;
    f->ip_days =
        xreallocarray(f->ip_days, f->n_ip_days + 1, sizeof(*f->ip_days));
    struct run_ip_day *d = &f->ip_days[f->n_ip_days++];
    d->provider = xstrdup(provider);
    d->ip = xstrdup(ip);
    d->day = (int)floor(now_s / DAY_S + 0.5) - 1;
    d->accepted = detail_num(detail, "accepted");
    d->reputation = detail_num(detail, "reputation");
    d->age_days = detail_num(detail, "age_days");
    d->recent_volume_per_day = detail_num(detail, "recent_volume_per_day");
}

/* on_world_event - what sim.c does with a provider event (a row of
 * events.csv), plus the daily reports kept for the figures. */
static void on_world_event(void *ctx, double now_s, const char *provider,
                           const char *ip, const char *event,
                           const char *detail)
{
    struct trial_ctx *c = ctx;
    char queue[300];
    snprintf(queue, sizeof(queue), "%s@%s", provider, ip);
    obs_event(c->s->obs, (int64_t)llround(now_s * 1e6), queue, event, detail);
    if (strcmp(event, "day") == 0 && detail)
        record_ip_day(c, now_s, provider, ip, detail);
}

/* close_day - the figures of the day that ends now. */
static void close_day(struct trial_ctx *c)
{
    struct run_counts now;
    obs_totals(c->s->obs, &now);
    struct run_figures *f = c->f;
    f->days = xreallocarray(f->days, f->n_days + 1, sizeof(*f->days));
    struct run_day *d = &f->days[f->n_days++];
    run_counts_sub(&now, &c->day_start, &d->c);
    c->day_start = now;
    size_t n = obs_queue_count(c->s->obs);
    d->n_queues = n;
    d->queues = xcalloc(n + 1, sizeof(*d->queues));
    c->q_start = xreallocarray(c->q_start, n + 1, sizeof(*c->q_start));
    for (size_t i = 0; i < n; i++) {
        obs_queue_totals(c->s->obs, i, &now);
        if (i >= c->n_q)
            memset(&c->q_start[i], 0, sizeof(c->q_start[i]));
        run_counts_sub(&now, &c->q_start[i], &d->queues[i]);
        c->q_start[i] = now;
    }
    c->n_q = n;
}

/* next_time_us - when the run's next step happens. */
static int64_t next_time_us(struct sim *s)
{
    int64_t t = evq_peek_time(&s->q);
    if (s->have_next && s->next.t_us < t)
        t = s->next.t_us;
    return t;
}

static int drive(struct trial_ctx *c, struct diag_list *dl)
{
    struct sim *s = c->s;
    int64_t day_us = 86400LL * 1000000LL;
    int64_t next_day = day_us;
    int rc;
    do {
        while (next_day <= s->end_us && next_time_us(s) >= next_day) {
            close_day(c);
            next_day += day_us;
        }
        rc = sim_step(s, dl);
    } while (rc == 1);
    if (rc == 0 && (double)(next_day - day_us) < (double)s->end_us)
        close_day(c); /* the last, partial or whole, day */
    return rc;
}

static void apply(struct scenario *sc, const struct trial_overrides *ov)
{
    if (ov == NULL)
        return;
    if (ov->config) {
        free(sc->config);
        sc->config = xstrdup(ov->config);
    }
    if (ov->duration_s > 0)
        sc->duration_s = ov->duration_s;
    if (ov->have_seed)
        sc->seed = ov->seed;
}

int trial_run(struct scenario *sc, const struct trial_overrides *ov,
              const char *out_dir, uint64_t rep, struct run_figures *f,
              struct diag_list *dl)
{
    run_figures_init(f);
    apply(sc, ov);
    struct sim s;
    struct sim_options so = { out_dir, 0, rep };
    if (sim_init(&s, sc, &so, dl) != 0)
        return -1;
    struct trial_ctx c;
    memset(&c, 0, sizeof(c));
    c.s = &s;
    c.f = f;
    prov_world_set_events(s.world, on_world_event, &c);
    int rc = 0;
    if (drive(&c, dl) < 0) {
        obs_abort(s.obs);
        rc = -1;
    } else if (sim_done(&s, 0, 0) != 0) { /* no clock below the CLI */
        diag_add(dl, DIAG_ERROR, out_dir, 0, 0, "cannot write the reports: %s",
                 strerror(errno));
        rc = -1;
    } else {
        obs_figures(s.obs, f);
    }
    sim_release(&s);
    free(c.q_start);
    return rc;
}

int trial_write_file(const char *dir, const char *name, const char *text)
{
    struct strbuf p;
    strbuf_init(&p);
    strbuf_addf(&p, "%s/%s", dir, name);
    FILE *fp = fopen(p.buf, "w");
    int rc = fp == NULL;
    if (fp) {
        rc |= fputs(text, fp) < 0;
        rc |= fclose(fp) != 0;
    }
    strbuf_release(&p);
    return rc ? -1 : 0;
}

/* rep_dir - DIR itself for one replication, else DIR/rep-N (created). */
static char *rep_dir(const char *dir, uint64_t reps, uint64_t r)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (reps > 1)
        strbuf_addf(&sb, "%s/rep-%llu", dir, (unsigned long long)r);
    else
        strbuf_adds(&sb, dir);
    if (reps > 1 && mkdir(sb.buf, 0777) != 0 && errno != EEXIST) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}

int trial_files(const char *dir, const char *conf, const char *scenario,
                uint64_t reps, struct run_figures *f, struct diag_list *dl)
{
    for (uint64_t r = 0; r < reps; r++)
        run_figures_init(&f[r]);
    if ((conf && trial_write_file(dir, "pmta.conf", conf)) ||
        trial_write_file(dir, "scenario.json", scenario)) {
        diag_add(dl, DIAG_ERROR, dir, 0, 0, "cannot write a trial: %s",
                 strerror(errno));
        return -1;
    }
    struct strbuf path;
    strbuf_init(&path);
    strbuf_addf(&path, "%s/scenario.json", dir);
    struct scenario sc;
    int loaded = scenario_load(path.buf, NULL, &sc, dl) == 0;
    int rc = loaded ? 0 : -1;
    strbuf_release(&path);
    for (uint64_t r = 0; rc == 0 && r < reps; r++) {
        char *d = rep_dir(dir, reps, r);
        if (d == NULL) {
            diag_add(dl, DIAG_ERROR, dir, 0, 0, "cannot create rep-%llu: %s",
                     (unsigned long long)r, strerror(errno));
            rc = -1;
            break;
        }
        rc = trial_run(&sc, NULL, d, r, &f[r], dl);
        free(d);
    }
    if (loaded)
        scenario_release(&sc);
    return rc;
}

struct cJSON *trial_models_json(const struct scenario *sc)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < sc->n_models; i++) {
        char *abs = realpath(sc->models[i], NULL);
        cJSON_AddItemToArray(a, cJSON_CreateString(abs ? abs : ""));
        free(abs);
    }
    return a;
}

/* The level of trial_defer_over's test. */
#define TRIAL_DEFER_ALPHA 0.05

int trial_defer_over(double deferred, double attempts, double limit)
{
    if (!(deferred > limit * attempts))
        return 0;
    /* P(X >= deferred) = Q(deferred - 1) for X ~ Binomial(attempts, limit) */
    double tail =
        gsl_cdf_binomial_Q((unsigned)deferred - 1, limit, (unsigned)attempts);
    return tail < TRIAL_DEFER_ALPHA;
}
