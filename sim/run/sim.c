/* sim.c - the run loop: send-list arrivals, report intervals and provider
 * days as events next to the MTA's own, in (time, sequence) order. */
#include "run/sim.h"
#include "run/model_pick.h"
#include "util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum sim_event { SIM_EV_REPORT = 2, SIM_EV_DAY = 3 };

#define DAY_US (86400LL * 1000000LL)

/* More events than this at one instant means a livelock (a bug). */
#define SIM_MAX_SAME_TIME 20000000

static int64_t to_us(double s)
{
    return (int64_t)llround(s * 1e6);
}

/* load_world - every model, then the scenario's IPs in order; a config
 * without source IPs sends from the world's IP 0, which is the scenario's
 * first IP when it names any. */
static int load_world(struct sim *s, struct diag_list *dl)
{
    s->world = prov_world_alloc();
    if (model_load_all(s->world, s->sc->models, s->sc->n_models, dl) < 0)
        return -1;
    if (prov_world_find(s->world, "example.invalid") < 0) {
        diag_add(dl, DIAG_ERROR, s->sc->path, 0, 0,
                 "no provider model serves other domains (add a model with "
                 "\"domains\": [\"*\"], such as models/generic.json)");
        return -1;
    }
    for (size_t i = 0; i < s->sc->n_ips; i++) {
        const struct scen_ip *ip = &s->sc->ips[i];
        int k =
            prov_world_add_ip(s->world, ip->ip, ip->age_days, ip->reputation);
        if (ip->recent_volume_per_day >= 0)
            prov_world_set_history(s->world, k, ip->recent_volume_per_day);
    }
    if (s->sc->n_ips == 0)
        prov_world_add_ip(s->world, "0.0.0.0", -1, -1);
    return 0;
}

/* world_event - a provider event into events.csv. The provider's daily
 * report ("day") is not an event: its figures are daily.csv's, read
 * through the provider's view at each day boundary (obs_day_end). */
static void world_event(void *ctx, double now_s, const char *provider,
                        const char *ip, const char *event, const char *detail)
{
    struct sim *s = ctx;
    if (strcmp(event, "day") == 0)
        return;
    obs_provider_event(s->obs, to_us(now_s), provider, ip, event, detail);
}

/* load_config - the scenario's config, read leniently: warnings say what
 * the simulation ignores, only errors stop it. Every replication and every
 * planner trial reads the config again; the warnings are reported once,
 * by replication 0 of the first run (docs/config.md). */
static int load_config(struct sim *s, uint64_t replication,
                       struct diag_list *dl)
{
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    o.errors_only = replication != 0;
    o.warn_once = 1;
    size_t before = dl->n_errors;
    s->cfg = cfg_load(s->sc->config, &o, dl);
    return s->cfg == NULL || dl->n_errors > before ? -1 : 0;
}

/* read_next - the next send-list record into s->next. Arrivals stay out
 * of the event heap: the send list is already in time order, so the run
 * loop compares its head with the heap's (arrivals first on ties). */
static int read_next(struct sim *s)
{
    int rc = sendlist_next(s->sl, &s->next);
    s->have_next = rc == 1 && s->next.t_us < s->end_us;
    return rc < 0 ? -1 : 0;
}

static void register_streams(struct sim *s)
{
    size_t n = sendlist_stream_count(s->sl);
    for (; s->streams_known < n; s->streams_known++) {
        const struct sendlist_stream *st =
            sendlist_stream(s->sl, s->streams_known);
        obs_add_stream(s->obs, st->name, st->deadline_s);
    }
}

int sim_init(struct sim *s, struct scenario *sc, const struct sim_options *o,
             struct diag_list *dl)
{
    memset(s, 0, sizeof(*s));
    s->sc = sc;
    if (scenario_check_limits(sc, sc->force, dl) < 0)
        return -1;
    rng_init(&s->g, sc->seed, o->replication);
    evq_init(&s->q);
    s->q.seed = sc->seed;
    s->q.replication = o->replication;
    s->end_us = to_us(sc->duration_s);
    s->report_us = to_us(sc->report_interval_s);
    if (load_config(s, o->replication, dl) || load_world(s, dl))
        goto fail;
    struct obs_options oo = { sc->report_interval_s, sc->start_unix, o->out_dir,
                              o->acct != 0, o->acct == 2 };
    s->obs = obs_alloc(&oo);
    if (s->obs == NULL) {
        diag_add(dl, DIAG_ERROR, o->out_dir, 0, 0, "cannot write here: %s",
                 strerror(errno));
        goto fail;
    }
    prov_world_set_events(s->world, world_event, s);
    obs_set_world(s->obs, s->world);
    for (size_t i = 0; i < prov_world_count(s->world); i++)
        obs_add_provider(s->obs, prov_world_name(s->world, (int)i));
    s->sl = sendlist_open(sc, &s->g, dl);
    if (s->sl == NULL)
        goto fail;
    struct mta_options mo = { .rate_algo = (enum mta_rate_algo)sc->rate_algo,
                              .source = sc->source,
                              .start_unix = sc->start_unix };
    s->mta = mta_alloc(s->cfg, s->world, &s->g, &s->q, s->obs, &mo);
    if (!mta_reads_rcpt(s->mta))
        sendlist_skip_rcpt(s->sl); /* no address built per recipient */
    register_streams(s);
    EVQ_PUSH(&s->q, s->report_us < s->end_us ? s->report_us : s->end_us,
             SIM_EV_REPORT, 0, 0);
    EVQ_PUSH(&s->q, DAY_US, SIM_EV_DAY, 0, 0);
    if (read_next(s))
        goto fail;
    return 0;
fail:
    if (s->obs)
        obs_abort(s->obs);
    sim_release(s);
    return -1;
}

static void on_report(struct sim *s, int64_t now_us)
{
    mta_snapshot(s->mta, now_us);
    obs_interval_end(s->obs, now_us);
    int64_t next = now_us + s->report_us;
    if (now_us < s->end_us)
        EVQ_PUSH(&s->q, next < s->end_us ? next : s->end_us, SIM_EV_REPORT, 0,
                 0);
}

/* on_arrival - inject the next record, read the one after. */
static int on_arrival(struct sim *s)
{
    int64_t now_us = s->next.t_us;
    s->q.now_us = now_us;
    s->events++;
    register_streams(s);
    mta_inject(s->mta, &s->next, now_us);
    return read_next(s);
}

int sim_step(struct sim *s, struct diag_list *dl)
{
    struct evq_event ev;
    (void)dl; /* send-list errors reach dl through the send list */
    if (s->done)
        return 0;
    if (s->have_next && s->next.t_us <= evq_peek_time(&s->q))
        return on_arrival(s) ? -1 : 1;
    if (evq_peek_time(&s->q) > s->end_us || evq_pop(&s->q, &ev) < 0) {
        s->done = 1;
        return 0;
    }
    s->events++;
    if (ev.t_us != s->last_t_us) {
        s->last_t_us = ev.t_us;
        s->same_t = 0;
    } else if (++s->same_t > SIM_MAX_SAME_TIME) {
        /* the inputs are bounded (docs/limits.md): a livelock is a bug */
        evq_die(&s->q, __FILE__, __LINE__,
                "no progress: more than 20000000 events at one simulated "
                "time",
                &ev);
    }
    switch (ev.kind) {
    case SIM_EV_REPORT:
        on_report(s, ev.t_us);
        return 1;
    case SIM_EV_DAY:
        prov_world_advance(s->world, (double)ev.t_us / 1e6);
        obs_day_end(s->obs, ev.t_us);
        EVQ_PUSH(&s->q, ev.t_us + DAY_US, SIM_EV_DAY, 0, 0);
        return 1;
    default:
        mta_handle(s->mta, &ev);
        return 1;
    }
}

double sim_now(const struct sim *s)
{
    return (double)s->q.now_us / 1e6;
}

int sim_done(struct sim *s, double wall_s, long peak_rss_kb)
{
    mta_finish(s->mta, s->end_us);
    obs_day_end(s->obs, s->end_us);
    struct obs_engine e = { s->events,         wall_s,
                            peak_rss_kb,       s->sc->seed,
                            s->sc->duration_s, sendlist_adjusted(s->sl) };
    return obs_write_reports(s->obs, &e);
}

void sim_release(struct sim *s)
{
    mta_free(s->mta);
    if (s->sl)
        sendlist_close(s->sl);
    obs_free(s->obs);
    prov_world_free(s->world);
    cfg_model_free(s->cfg);
    evq_release(&s->q);
    if (s->g.r)
        rng_release(&s->g);
    memset(s, 0, sizeof(*s));
}

/* Bytes of acct.csv per recipient: an r row and a final d or b row of
 * about 250 bytes each, plus t rows (not counted: unknown before the
 * run), so the estimate is a floor. */
#define ACCT_BYTES_PER_RCPT 500.0
/* Bytes per recipient row of an input send list (CSV or accounting). */
#define INPUT_BYTES_PER_RCPT 100.0

double sim_acct_estimate(const struct scenario *sc)
{
    double rcpts = 0;
    if (sc->sendlist_kind != SCEN_SL_GENERATE) {
        FILE *fp = fopen(sc->sendlist_file, "rb");
        if (fp && fseek(fp, 0, SEEK_END) == 0)
            rcpts = (double)ftell(fp) / INPUT_BYTES_PER_RCPT;
        if (fp)
            fclose(fp);
        return rcpts * ACCT_BYTES_PER_RCPT;
    }
    for (size_t i = 0; i < sc->n_streams; i++) {
        const struct scen_stream *st = &sc->streams[i];
        for (double d = 0; d < sc->duration_s / 86400 && st->n_volume; d++) {
            size_t k = (size_t)d < st->n_volume ? (size_t)d : st->n_volume - 1;
            double part = fmin(1, sc->duration_s / 86400 - d);
            rcpts += st->volume_per_day[k] * part;
        }
    }
    return rcpts * ACCT_BYTES_PER_RCPT;
}
