/* warmup.c - the warm-up search: one-day trials per provider, chained day
 * by day, and the end-to-end check of the resulting config. */
#include "plan/warmup.h"
#include "plan/search.h"
#include "plan/trial.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A day is judged on WU_REPS replications (distinct random streams) and
 * must pass in every one: a volume that passes only with lucky arrivals
 * would fail in practice (and in the end-to-end check). */
#define WU_REPS 3

/* The delivery policy the plan is made for, in the trials and in the
 * check alike: back off on any 421/451 to one connection and 60/h. */
#define WU_POLICY                                                              \
    "<smtp-pattern-list throttle>\n"                                           \
    "    reply /^4[25]1/ mode=backoff,backoff-to-normal-after=30m\n"           \
    "</smtp-pattern-list>\n"                                                   \
    "<domain *>\n    max-smtp-out 5\n    backoff-max-smtp-out 1\n"             \
    "    backoff-max-msg-rate 60/h\n    retry-recipients-after 15m\n"          \
    "    bounce-after 3d\n    smtp-pattern-list throttle\n</domain>\n"

static const char wu_trial_config[] =
    "# mtasim plan warmup: one new IP\n" WU_POLICY
    "<virtual-mta new>\n    smtp-source-host %s new.plan.invalid\n"
    "</virtual-mta>\n"
    "<source 0/0>\n    default-virtual-mta new\n</source>\n";

const char *wu_bound_name(enum wu_bound b)
{
    switch (b) {
    case WU_BOUND_DEFERRAL:
        return "deferral rate";
    case WU_BOUND_BACKOFF:
        return "backoff time";
    case WU_BOUND_QUEUE:
        return "end-of-day queue";
    case WU_BOUND_PREVIOUS:
        return "previous day (nothing larger passed)";
    case WU_BOUND_NONE:
        break;
    }
    return "search limit (still passing)";
}

int wu_new_ip(const struct scenario *sc, size_t i)
{
    return sc->ips[i].age_days < 1;
}

const struct wu_day *wu_day_of(const struct wu_plan *w, size_t pi, int day)
{
    return &w->plan[pi * (size_t)w->o.days + (size_t)day];
}

static int make_dir(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; rc == 0 && *s; s++)
        if (*s == '/') {
            *s = 0;
            rc = mkdir(p, 0777) != 0 && errno != EEXIST;
            *s = '/';
        }
    if (rc == 0)
        rc = mkdir(p, 0777) != 0 && errno != EEXIST;
    free(p);
    return rc ? -1 : 0;
}

static cJSON *models_json(const struct scenario *sc)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < sc->n_models; i++) {
        char *abs = realpath(sc->models[i], NULL);
        cJSON_AddItemToArray(a, cJSON_CreateString(abs ? abs : ""));
        free(abs);
    }
    return a;
}

/* day_stream - the generator stream of one planned day. */
static cJSON *day_stream(const struct wu_plan *w, const char *domain, double v)
{
    const struct scen_stream *s0 = &w->m->sc.streams[0];
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "name", "day");
    cJSON_AddNumberToObject(st, "volume_per_day", v);
    cJSON_AddStringToObject(st, "arrivals", "poisson");
    cJSON *prof = cJSON_AddArrayToObject(st, "hourly_profile");
    for (int h = 0; h < 24; h++)
        cJSON_AddItemToArray(prof, cJSON_CreateNumber(s0->hourly_profile[h]));
    cJSON *doms = cJSON_AddObjectToObject(st, "domains");
    cJSON_AddNumberToObject(doms, domain, 1);
    cJSON_AddNumberToObject(st, "invalid_rate", s0->invalid_rate);
    cJSON_AddNumberToObject(st, "complaint_rate", s0->complaint_rate);
    if (s0->size_bytes > 0)
        cJSON_AddNumberToObject(st, "size_bytes", s0->size_bytes);
    return st;
}

/* print_with_streams - root with "sendlist": {"generate": {"streams"}}
 * added, printed (malloc); root and streams are consumed. */
static char *print_with_streams(cJSON *root, cJSON *streams)
{
    cJSON *gen = cJSON_CreateObject();
    cJSON_AddItemToObject(gen, "streams", streams);
    cJSON_AddItemToObject(cJSON_AddObjectToObject(root, "sendlist"), "generate",
                          gen);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

static char *day_scenario(const struct wu_plan *w, const char *domain, double v,
                          const struct wu_state *st)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "duration", "1d");
    cJSON_AddNumberToObject(root, "seed", (double)w->m->sc.seed);
    cJSON_AddStringToObject(root, "config", "pmta.conf");
    cJSON_AddItemToObject(root, "models", models_json(&w->m->sc));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "report"), "interval",
                            "10m");
    cJSON *ip = cJSON_AddObjectToObject(cJSON_AddObjectToObject(root, "ips"),
                                        w->new_ip);
    cJSON_AddNumberToObject(ip, "age_days", st->age);
    if (st->rep >= 0)
        cJSON_AddNumberToObject(ip, "reputation", st->rep);
    if (st->vbar >= 0)
        cJSON_AddNumberToObject(ip, "recent_volume_per_day", st->vbar);
    cJSON *streams = cJSON_CreateArray();
    cJSON_AddItemToArray(streams, day_stream(w, domain, v));
    return print_with_streams(root, streams);
}

/* next_state - the IP's state after the day, from the provider's daily
 * report in the trial's figures (unchanged when the IP sent nothing). */
static void next_state(const struct wu_plan *w, const struct run_figures *f,
                       const struct wu_state *st, struct wu_state *next)
{
    *next = *st;
    for (size_t i = 0; i < f->n_ip_days; i++) {
        const struct run_ip_day *d = &f->ip_days[i];
        if (strcmp(d->ip, w->new_ip) != 0)
            continue;
        if (!isnan(d->reputation))
            next->rep = d->reputation;
        if (!isnan(d->age_days))
            next->age = d->age_days;
        if (!isnan(d->recent_volume_per_day))
            next->vbar = d->recent_volume_per_day;
    }
}

/* day_verdict - which limit the day's figures break (NONE: it passes). */
static enum wu_bound day_verdict(const struct wu_plan *w,
                                 const struct wu_day *d, double v)
{
    if (d->defer_rate > w->o.max_defer)
        return WU_BOUND_DEFERRAL;
    if (d->backoff_h > w->o.max_backoff_h)
        return WU_BOUND_BACKOFF;
    if (d->queued > w->o.max_queue * v + 1)
        return WU_BOUND_QUEUE;
    return WU_BOUND_NONE;
}

/* A candidate day: its figures, verdict and the state it leads to. */
struct wu_try {
    struct wu_day d;
    struct wu_state next;
    int ok;
    enum wu_bound why; /* the failed limit (the first replication's) */
};

/* judge - the worst replication's figures into t; it passes when every
 * replication does. The next day starts from replication 0's state. */
static void judge(const struct wu_plan *w, const struct run_figures *f,
                  double v, const struct wu_state *st, struct wu_try *t)
{
    memset(t, 0, sizeof(*t));
    t->d.volume = v;
    t->d.age = st->age;
    t->d.rep = st->rep;
    t->ok = 1;
    for (int r = 0; r < WU_REPS; r++) {
        struct wu_day x;
        memset(&x, 0, sizeof(x));
        double att = f[r].totals.attempts;
        x.defer_rate = att > 0 ? f[r].totals.deferred / att : 0;
        x.queued = f[r].queued_at_end;
        x.p95_s = f[r].p95_s;
        x.backoff_h = f[r].backoff_s / 3600;
        enum wu_bound b = day_verdict(w, &x, v);
        if (b != WU_BOUND_NONE && t->ok) {
            t->ok = 0;
            t->why = b;
        }
        t->d.defer_rate = fmax(t->d.defer_rate, x.defer_rate);
        t->d.queued = fmax(t->d.queued, x.queued);
        t->d.p95_s = fmax(t->d.p95_s, x.p95_s);
        t->d.backoff_h = fmax(t->d.backoff_h, x.backoff_h);
    }
    t->d.ok = t->ok;
    next_state(w, &f[0], st, &t->next);
}

/* wu_eval - simulate one day of provider pi at volume v from state st;
 * the verdict and figures into t. 0, or -1 on an error. */
static int wu_eval(struct wu_plan *w, size_t pi, int day, double v,
                   const struct wu_state *st, struct wu_try *t,
                   struct diag_list *dl)
{
    const struct mix_prov *p = &w->m->p[pi];
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/trials/%s%s/day-%02d", w->out, p->name,
                p->tail ? "-tail" : "", day + 1);
    int rc = make_dir(dir.buf);
    if (rc) {
        diag_add(dl, DIAG_ERROR, dir.buf, 0, 0, "cannot create: %s",
                 strerror(errno));
        strbuf_release(&dir);
        return -1;
    }
    struct strbuf conf;
    strbuf_init(&conf);
    strbuf_addf(&conf, wu_trial_config, w->new_ip);
    char *scen = day_scenario(w, p->top_domain, v, st);
    struct run_figures f[WU_REPS];
    rc = trial_files(dir.buf, conf.buf, scen, WU_REPS, f, dl);
    if (rc == 0)
        judge(w, f, v, st, t);
    for (int r = 0; r < WU_REPS; r++)
        run_figures_release(&f[r]);
    strbuf_release(&conf);
    strbuf_release(&dir);
    free(scen);
    return rc;
}

/* The state of one day's search, for the search_volume_fn. */
struct wu_search {
    struct wu_plan *w;
    size_t pi;
    int day;
    const struct wu_state *st;
    struct diag_list *dl;
    struct wu_try best; /* the largest passing trial */
    double fail_v;      /* the smallest failing volume (0: none) */
    enum wu_bound fail_why;
};

static int eval_volume(void *ctx, double v)
{
    struct wu_search *s = ctx;
    struct wu_try t;
    if (wu_eval(s->w, s->pi, s->day, v, s->st, &t, s->dl))
        return -1;
    if (t.ok && (!s->best.ok || v >= s->best.d.volume))
        s->best = t;
    if (!t.ok && (s->fail_v == 0 || v < s->fail_v)) {
        s->fail_v = v;
        s->fail_why = t.why;
    }
    return t.ok;
}

/* plan_day - the largest passing volume of one day (never below the day
 * before), then --margin of it: a one-day trial starts without the
 * previous days' throttle history, which a real (chained) day carries. */
static int plan_day(struct wu_plan *w, size_t pi, int day, double prev,
                    const struct wu_state *st, struct wu_try *out,
                    struct diag_list *dl)
{
    struct wu_search s;
    memset(&s, 0, sizeof(s));
    s.w = w;
    s.pi = pi;
    s.day = day;
    s.st = st;
    s.dl = dl;
    struct search_volume p = { prev, 100, 1.15, 12 };
    double best;
    int found = search_max_volume(&p, eval_volume, &s, &best);
    if (found < 0)
        return -1;
    if (!found) { /* nothing above yesterday passes: keep yesterday's */
        if (wu_eval(w, pi, day, prev > 0 ? prev : 10, st, out, dl))
            return -1;
        out->d.bound = WU_BOUND_PREVIOUS;
        return 0;
    }
    *out = s.best;
    out->d.bound = s.fail_v > 0 ? s.fail_why : WU_BOUND_NONE;
    if (s.fail_v == 0) /* still passing after every doubling */
        return 0;
    double v = round(s.best.d.volume * w->o.margin);
    if (v < prev)
        v = prev;
    if (v >= s.best.d.volume)
        return 0;
    struct wu_try t;
    if (wu_eval(w, pi, day, v, st, &t, dl))
        return -1;
    if (t.ok) {
        enum wu_bound b = out->d.bound;
        *out = t;
        out->d.bound = b;
    }
    return 0;
}

int wu_plan_provider(struct wu_plan *w, size_t pi, struct diag_list *dl)
{
    int days = (int)w->o.days;
    struct wu_state st = { 0, w->rep0, -1 };
    double prev = 0;
    for (int day = 0; day < days; day++) {
        struct wu_try best;
        if (plan_day(w, pi, day, prev, &st, &best, dl))
            return -1;
        w->plan[pi * (size_t)days + (size_t)day] = best.d;
        prev = best.d.volume;
        st = best.next;
        if (w->on_day)
            w->on_day(w->ctx, pi, day, &best.d);
    }
    return 0;
}

int wu_plan_init(struct wu_plan *w, struct mix *m, const struct wu_opts *o,
                 const char *out, struct diag_list *dl)
{
    memset(w, 0, sizeof(*w));
    w->o = *o;
    w->m = m;
    w->out = out;
    for (size_t i = 0; i < m->sc.n_ips; i++)
        if (wu_new_ip(&m->sc, i) && w->n_new++ == 0) {
            w->new_ip = m->sc.ips[i].ip;
            w->rep0 = m->sc.ips[i].reputation;
        }
    if (w->n_new == 0) {
        diag_add(dl, DIAG_ERROR, m->sc.path, 0, 0,
                 "$.ips: no new IP to plan for (give one with \"age_days\": "
                 "0)");
        return 1;
    }
    w->plan = xcalloc(m->n_p * (size_t)o->days + 1, sizeof(*w->plan));
    return 0;
}

void wu_plan_release(struct wu_plan *w)
{
    free(w->plan);
    free(w->check);
}

/* ------------------------------------------------------------- config */

char *wu_config_text(const struct wu_plan *w)
{
    const struct scenario *sc = &w->m->sc;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_adds(&sb, "# mtasim plan warmup: the new IPs take the first N "
                     "messages per day and\n# provider from the established "
                     "VMTA 'warm' (replace its smtp-source-host).\n"
                     "<virtual-mta warm>\n    smtp-source-host 198.18.0.1 "
                     "warm.plan.invalid\n");
    int k = 0;
    for (size_t i = 0; i < sc->n_ips; i++)
        if (wu_new_ip(sc, i))
            strbuf_addf(&sb, "    cold-virtual-mta new%d\n", ++k);
    strbuf_adds(&sb, "</virtual-mta>\n");
    k = 0;
    for (size_t i = 0; i < sc->n_ips; i++)
        if (wu_new_ip(sc, i)) {
            k++;
            strbuf_addf(&sb,
                        "<virtual-mta new%d>\n    smtp-source-host %s "
                        "new%d.plan.invalid\n</virtual-mta>\n",
                        k, sc->ips[i].ip, k);
        }
    for (size_t pi = 0; pi < w->m->n_p; pi++) {
        const struct mix_prov *p = &w->m->p[pi];
        if (p->tail)
            strbuf_adds(&sb, "<domain *>\n");
        else
            strbuf_addf(&sb, "<domain %s>\n", p->top_domain);
        strbuf_adds(&sb, "    max-cold-virtual-mta-msg ");
        for (int day = 0; day < (int)w->o.days; day++)
            strbuf_addf(&sb, "%s%.0f/d", day ? "," : "",
                        wu_day_of(w, pi, day)->volume * w->n_new);
        strbuf_adds(&sb, "\n</domain>\n");
    }
    return strbuf_detach(&sb);
}

/* ---------------------------------------------------------------- check */

static char *check_scenario(const struct wu_plan *w)
{
    const struct scenario *sc = &w->m->sc;
    cJSON *root = cJSON_CreateObject();
    char dur[32];
    snprintf(dur, sizeof(dur), "%.0fd", w->o.days);
    cJSON_AddStringToObject(root, "duration", dur);
    cJSON_AddNumberToObject(root, "seed", (double)sc->seed);
    cJSON_AddStringToObject(root, "config", "pmta.conf");
    cJSON_AddItemToObject(root, "models", models_json(sc));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "report"), "interval",
                            "1h");
    cJSON *ips = cJSON_AddObjectToObject(root, "ips");
    for (size_t i = 0; i < sc->n_ips; i++) {
        const struct scen_ip *ip = &sc->ips[i];
        cJSON *o = cJSON_AddObjectToObject(ips, ip->ip);
        cJSON_AddNumberToObject(o, "age_days", ip->age_days);
        if (ip->reputation >= 0)
            cJSON_AddNumberToObject(o, "reputation", ip->reputation);
    }
    cJSON *streams = cJSON_CreateArray();
    for (size_t pi = 0; pi < w->m->n_p; pi++) {
        char lab[96];
        cJSON *st = day_stream(w, w->m->p[pi].top_domain, 0);
        cJSON_ReplaceItemInObject(
            st, "name",
            cJSON_CreateString(mix_label(&w->m->p[pi], lab, sizeof(lab))));
        cJSON_AddStringToObject(st, "vmta", "warm");
        cJSON *vol = cJSON_CreateArray();
        /* Exactly the cold quota each day, with the planned arrival
         * pattern: all of it goes through the new IPs, as planned. */
        for (int day = 0; day < (int)w->o.days; day++)
            cJSON_AddItemToArray(
                vol, cJSON_CreateNumber(
                         round(wu_day_of(w, pi, day)->volume * w->n_new)));
        cJSON_ReplaceItemInObject(st, "volume_per_day", vol);
        cJSON_AddItemToArray(streams, st);
    }
    return print_with_streams(root, streams);
}

/* new_queue_of - the provider whose top domain the queue "domain/newK"
 * serves, or -1 for the other queues. */
static int new_queue_of(const struct wu_plan *w, const char *queue)
{
    const char *slash = strrchr(queue, '/');
    if (slash == NULL || strncmp(slash, "/new", 4) != 0)
        return -1;
    size_t n = (size_t)(slash - queue);
    for (size_t pi = 0; pi < w->m->n_p; pi++)
        if (strlen(w->m->p[pi].top_domain) == n &&
            strncmp(queue, w->m->p[pi].top_domain, n) == 0)
            return (int)pi;
    return -1;
}

/* judge_check - attempts and deferrals of the new IPs' queues per
 * provider and day, from the check run's per-day figures. */
static void judge_check(struct wu_plan *w, const struct run_figures *f)
{
    size_t days = (size_t)w->o.days, n = w->m->n_p * days;
    w->check = xcalloc(n + 1, sizeof(*w->check));
    w->n_check = n;
    for (size_t pi = 0; pi < w->m->n_p; pi++)
        for (size_t d = 0; d < days; d++) {
            struct wu_check_row *r = &w->check[pi * days + d];
            r->prov = pi;
            r->day = (int)d;
            r->planned = wu_day_of(w, pi, (int)d)->volume * w->n_new;
        }
    for (size_t d = 0; d < f->n_days && d < days; d++)
        for (size_t q = 0; q < f->days[d].n_queues; q++) {
            int pi = new_queue_of(w, f->queues[q].name);
            if (pi < 0)
                continue;
            struct wu_check_row *r = &w->check[(size_t)pi * days + d];
            r->attempts += f->days[d].queues[q].attempts;
            r->deferred += f->days[d].queues[q].deferred;
        }
    w->check_ok = 0;
    for (size_t i = 0; i < n; i++) {
        struct wu_check_row *r = &w->check[i];
        double rate = r->attempts > 0 ? r->deferred / r->attempts : 0;
        r->ok = rate <= w->o.max_defer;
        w->check_ok += r->ok;
    }
}

int wu_check(struct wu_plan *w, const char *conf, struct diag_list *dl)
{
    struct strbuf dir, full;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/check", w->out);
    if (make_dir(dir.buf)) {
        diag_add(dl, DIAG_ERROR, dir.buf, 0, 0, "cannot create: %s",
                 strerror(errno));
        strbuf_release(&dir);
        return -1;
    }
    strbuf_init(&full);
    strbuf_adds(&full, conf);
    strbuf_adds(&full, "<source 0/0>\n    default-virtual-mta warm\n"
                       "</source>\n" WU_POLICY);
    char *scen = check_scenario(w);
    struct run_figures f;
    int rc = trial_files(dir.buf, full.buf, scen, 1, &f, dl);
    if (rc == 0)
        judge_check(w, &f);
    run_figures_release(&f);
    free(scen);
    strbuf_release(&full);
    strbuf_release(&dir);
    return rc;
}
