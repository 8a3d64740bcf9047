/* warmup.c - the warm-up search: one-day trials per provider, chained day
 * by day, and the end-to-end check of the resulting config. */
#include "plan/warmup.h"
#include "util/fsutil.h"
#include "config/cfg_value.h"
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
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A day is judged on WU_REPS replications (distinct random streams) and
 * must pass in every one: a volume that passes only with lucky arrivals
 * would fail in practice (and in the end-to-end check). */
#define WU_REPS 3

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
    case WU_BOUND_TARGET:
        return "target";
    case WU_BOUND_NONE:
        break;
    }
    return "search limit (still passing)";
}

static const char *const wu_weekdays[7] = { "mon", "tue", "wed", "thu",
                                            "fri", "sat", "sun" };

static int weekday_of(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (n == 3 && strncasecmp(s, wu_weekdays[i], 3) == 0)
            return i;
    return -1;
}

int wu_parse_days(const char *s, unsigned *mask)
{
    *mask = 0;
    while (*s) {
        size_t n = strcspn(s, ",-");
        int a = weekday_of(s, n), b = a;
        s += n;
        if (*s == '-') {
            s++;
            n = strcspn(s, ",");
            b = weekday_of(s, n);
            s += n;
        }
        if (a < 0 || b < 0)
            return -1;
        for (int d = a;; d = (d + 1) % 7) { /* "fri-mon" wraps */
            *mask |= 1u << d;
            if (d == b)
                break;
        }
        if (*s == ',' && *++s == 0)
            return -1;
    }
    return *mask ? 0 : -1;
}

/* weekday - 0 Monday .. 6 Sunday of calendar day c after the start. */
static int weekday(const struct wu_plan *w, int c)
{
    int64_t days =
        (w->m->sc.start_unix >= 0 ? w->m->sc.start_unix / 86400
                                  : -((-w->m->sc.start_unix + 86399) / 86400)) +
        c;
    return (int)(((days + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
}

/* calendar - the calendar day of each sending day. */
static void calendar(struct wu_plan *w)
{
    int days = (int)w->o.days;
    w->cal = xcalloc((size_t)days + 1, sizeof(*w->cal));
    int c = 0;
    for (int i = 0; i < days; c++)
        if (w->o.sending == 0 || (w->o.sending >> weekday(w, c) & 1))
            w->cal[i++] = c;
    w->n_cal = days ? w->cal[days - 1] + 1 : 0;
}

void wu_date(const struct wu_plan *w, int day, char *buf, size_t n)
{
    char iso[32];
    scenario_format_time(&w->m->sc, (double)w->cal[day] * 86400, iso,
                         sizeof(iso));
    snprintf(buf, n, "%.10s", iso);
}

/* sending_index - the sending day of calendar day c, or the last one
 * before it (-1 before the first). */
static int sending_index(const struct wu_plan *w, int c)
{
    int k = -1;
    for (int i = 0; i < (int)w->o.days && w->cal[i] <= c; i++)
        k = i;
    return k;
}

int wu_target_met(const struct wu_plan *w, double *got)
{
    *got = 0;
    if (!(w->o.target > 0) || w->o.by <= 0)
        return 1;
    int day = w->o.by <= (int)w->o.days ? w->o.by - 1 : (int)w->o.days - 1;
    for (size_t pi = 0; pi < w->m->n_p; pi++)
        *got += wu_day_of(w, pi, day)->volume * w->n_new;
    /* each provider's share is rounded to whole messages per IP */
    return *got >= w->o.target - (double)w->m->n_p * w->n_new &&
           w->o.by <= (int)w->o.days;
}

int wu_new_ip(const struct scenario *sc, size_t i)
{
    return sc->ips[i].age_days < 1;
}

const struct wu_day *wu_day_of(const struct wu_plan *w, size_t pi, int day)
{
    return &w->plan[pi * (size_t)w->o.days + (size_t)day];
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

/* trial_ips - the source IPs of the trial VMTA, each from state st. */
static void trial_ips(const struct wu_plan *w, cJSON *root,
                      const struct wu_state *st)
{
    cJSON *ips = cJSON_AddObjectToObject(root, "ips");
    const struct cfg_vmta *v = cfg_model_vmta(w->cfg, (size_t)w->trial_vmta);
    for (size_t k = 0; k < v->n_ips; k++) {
        char ip[64];
        cfgv_format_cidr(&v->ips[k].ip, ip, sizeof(ip));
        cJSON *o = cJSON_AddObjectToObject(ips, ip);
        cJSON_AddNumberToObject(o, "age_days", st->age);
        if (st->rep >= 0)
            cJSON_AddNumberToObject(o, "reputation", st->rep);
        if (st->vbar >= 0)
            cJSON_AddNumberToObject(o, "recent_volume_per_day", st->vbar);
    }
}

/* day_scenario - one day of v messages per IP to domain, sent through
 * the user's own VMTA of the first new IP with the user's config. */
static char *day_scenario(const struct wu_plan *w, const char *domain, double v,
                          const struct wu_state *st)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "duration", "1d");
    cJSON_AddNumberToObject(root, "seed", (double)w->m->sc.seed);
    cJSON_AddStringToObject(root, "config", w->config_abs);
    cJSON_AddItemToObject(root, "models", trial_models_json(&w->m->sc));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "report"), "interval",
                            "10m");
    trial_ips(w, root, st);
    cJSON *streams = cJSON_CreateArray();
    cJSON *stream = day_stream(w, domain, v * w->trial_n_ips);
    cJSON_AddStringToObject(
        stream, "vmta", cfg_model_vmta(w->cfg, (size_t)w->trial_vmta)->name);
    cJSON_AddItemToArray(streams, stream);
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

/* day_verdict - which limit the day's figures break (NONE: it passes);
 * att and deferred are the day's attempts and deferrals. */
static enum wu_bound day_verdict(const struct wu_plan *w,
                                 const struct wu_day *d, double v, double att,
                                 double deferred)
{
    if (trial_defer_over(deferred, att, w->o.max_defer))
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
 * replication does. */
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
        enum wu_bound b =
            day_verdict(w, &x, v * w->trial_n_ips, att, f[r].totals.deferred);
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
    /* The next day starts from the worst replication's state (the lowest
     * reputation): a plan that holds only after a lucky day (no
     * complaint, say) fails in practice and in the end-to-end check. */
    next_state(w, &f[0], st, &t->next);
    for (int r = 1; r < WU_REPS; r++) {
        struct wu_state x;
        next_state(w, &f[r], st, &x);
        if (x.rep >= 0 && (t->next.rep < 0 || x.rep < t->next.rep))
            t->next = x;
    }
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
    int rc = fs_mkdir_p(dir.buf);
    if (rc) {
        diag_add(dl, DIAG_ERROR, dir.buf, 0, 0, "cannot create: %s",
                 strerror(errno));
        strbuf_release(&dir);
        return -1;
    }
    char *scen = day_scenario(w, p->top_domain, v, st);
    struct run_figures f[WU_REPS];
    rc = trial_files(dir.buf, NULL, scen, WU_REPS, f, dl);
    if (rc == 0)
        judge(w, f, v, st, t);
    for (int r = 0; r < WU_REPS; r++)
        run_figures_release(&f[r]);
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

/* target_cap - the per-IP volume of provider pi that makes up its share
 * of the target (no cap without a target). */
static double target_cap(const struct wu_plan *w, size_t pi)
{
    if (!(w->o.target > 0))
        return HUGE_VAL;
    return fmax(1, round(w->o.target * w->m->p[pi].share / w->n_new));
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
    if (prev >= target_cap(w, pi)) { /* the target is reached: hold it */
        if (wu_eval(w, pi, day, prev, st, out, dl))
            return -1;
        out->d.bound = WU_BOUND_TARGET;
        return 0;
    }
    /* from 25 a day: the smallest receivers allow less than 100 on day 1 */
    struct search_volume p = { prev, 25, 1.15, 12 };
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
    double cap = target_cap(w, pi);
    if (s.fail_v == 0 && s.best.d.volume <= cap)
        return 0; /* still passing after every doubling */
    double v =
        s.fail_v > 0 ? round(s.best.d.volume * w->o.margin) : s.best.d.volume;
    if (v > cap) {
        v = cap;
        out->d.bound = WU_BOUND_TARGET;
    }
    if (v < prev)
        v = prev;
    if (v >= s.best.d.volume)
        return 0;
    struct wu_try t;
    if (wu_eval(w, pi, day, v, st, &t, dl))
        return -1;
    if (t.ok || out->d.bound == WU_BOUND_TARGET) {
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

/* io_all - read (rd) or write all n bytes of fd; 0 or -1. */
static int io_all(int fd, void *buf, size_t n, int rd)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = rd ? read(fd, p, n) : write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* plan_worker - in a child: providers k, k + step, ... into fd; exits. */
static void plan_worker(struct wu_plan *w, size_t k, size_t step, int fd,
                        struct diag_list *dl)
{
    size_t days = (size_t)w->o.days;
    int rc = 0;
    for (size_t pi = k; rc == 0 && pi < w->m->n_p; pi += step) {
        rc = wu_plan_provider(w, pi, dl) ||
             io_all(fd, &w->plan[pi * days], days * sizeof(*w->plan), 0);
    }
    if (rc)
        diag_print_all(stderr, dl, "mtasim plan warmup", 0);
    fflush(NULL);
    _exit(rc ? 1 : 0);
}

/* plan_spawn - start worker k of n; its read end into *fd; 0 or -1. */
static int plan_spawn(struct wu_plan *w, size_t k, size_t n, pid_t *pid,
                      int *fd, struct diag_list *dl)
{
    int p[2];
    if (pipe(p))
        return -1;
    fflush(NULL);
    *pid = fork();
    if (*pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (*pid == 0) {
        close(p[0]);
        plan_worker(w, k, n, p[1], dl);
    }
    close(p[1]);
    *fd = p[0];
    return 0;
}

/* plan_collect - worker k's providers from fd, then its exit; 0 or -1. */
static int plan_collect(struct wu_plan *w, size_t k, size_t n, pid_t pid,
                        int fd)
{
    size_t days = (size_t)w->o.days;
    int rc = 0, status = 0;
    for (size_t pi = k; rc == 0 && pi < w->m->n_p; pi += n)
        rc = io_all(fd, &w->plan[pi * days], days * sizeof(*w->plan), 1);
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return rc || !WIFEXITED(status) || WEXITSTATUS(status) ? -1 : 0;
}

int wu_plan_all(struct wu_plan *w, int workers, struct diag_list *dl)
{
    size_t n_p = w->m->n_p, n = workers > 0 ? (size_t)workers : 1;
    if (n > n_p)
        n = n_p;
    if (n <= 1) {
        for (size_t pi = 0; pi < n_p; pi++)
            if (wu_plan_provider(w, pi, dl))
                return -1;
        return 0;
    }
    void (*on_day)(void *, size_t, int, const struct wu_day *) = w->on_day;
    pid_t *pid = xcalloc(n, sizeof(*pid));
    int *fd = xcalloc(n, sizeof(*fd));
    size_t started = 0;
    int rc = 0;
    w->on_day = NULL; /* the workers stay quiet; days are told in order */
    while (started < n &&
           plan_spawn(w, started, n, &pid[started], &fd[started], dl) == 0)
        started++;
    for (size_t k = 0; k < started; k++)
        rc |= plan_collect(w, k, n, pid[k], fd[k]);
    w->on_day = on_day;
    free(pid);
    free(fd);
    if (started < n) {
        diag_add(dl, DIAG_ERROR, w->out, 0, 0,
                 "cannot start a planning process: %s", strerror(errno));
        return -1;
    }
    if (rc) {
        diag_add(dl, DIAG_ERROR, w->out, 0, 0,
                 "a planning process failed (its errors are above)");
        return -1;
    }
    for (size_t pi = 0; on_day && pi < n_p; pi++)
        for (int day = 0; day < (int)w->o.days; day++)
            on_day(w->ctx, pi, day, wu_day_of(w, pi, day));
    return 0;
}

/* ip_is_new - the scenario's age of ip is below a day (-1: not listed). */
static int ip_state(const struct scenario *sc, const struct cfgv_cidr *ip)
{
    for (size_t i = 0; i < sc->n_ips; i++) {
        struct cfgv_cidr c;
        struct cfgv_err e;
        if (cfgv_parse_cidr(sc->ips[i].ip, &c, &e) == 0 &&
            cfgv_cidr_contains(ip, &c))
            return wu_new_ip(sc, i);
    }
    return -1;
}

/* vmta_state - 1 when every source IP of VMTA v is new, 0 when every one
 * is established, -1 when it mixes them or has none of its own. */
static int vmta_state(const struct wu_plan *w, int v)
{
    const struct cfg_vmta *vm = cfg_model_vmta(w->cfg, (size_t)v);
    if (vm->implicit || vm->ips_inherited || vm->n_ips == 0)
        return -1;
    int n_new = 0;
    for (size_t k = 0; k < vm->n_ips; k++)
        n_new += ip_state(&w->m->sc, &vm->ips[k].ip) == 1;
    return n_new == (int)vm->n_ips ? 1 : n_new == 0 ? 0 : -1;
}

/* vmta_of_ip - the VMTA whose own smtp-source-host is ip, or -1. */
static int vmta_of_ip(const struct cfg_model *cfg, const char *ip)
{
    struct cfgv_cidr c;
    struct cfgv_err e;
    if (cfgv_parse_cidr(ip, &c, &e))
        return -1;
    for (size_t v = 1; v < cfg_model_vmta_count(cfg); v++) {
        const struct cfg_vmta *vm = cfg_model_vmta(cfg, v);
        for (size_t k = 0; !vm->ips_inherited && k < vm->n_ips; k++)
            if (cfgv_cidr_contains(&vm->ips[k].ip, &c))
                return (int)v;
    }
    return -1;
}

static int pool_has(const struct cfg_pool *p, int v)
{
    for (size_t k = 0; k < p->n_members; k++)
        if (p->members[k] == v)
            return 1;
    return 0;
}

/* pick_warm - an established VMTA to keep the excess: a member of a pool
 * of the new VMTA first, else any established VMTA. */
static int pick_warm(const struct wu_plan *w)
{
    for (size_t i = 0; i < cfg_model_pool_count(w->cfg); i++) {
        const struct cfg_pool *p = cfg_model_pool(w->cfg, i);
        if (!pool_has(p, w->trial_vmta))
            continue;
        for (size_t k = 0; k < p->n_members; k++)
            if (vmta_state(w, p->members[k]) == 0)
                return p->members[k];
    }
    for (size_t v = 1; v < cfg_model_vmta_count(w->cfg); v++)
        if (vmta_state(w, (int)v) == 0)
            return (int)v;
    return -1;
}

static int load_config(struct wu_plan *w, struct diag_list *dl)
{
    return patch_load_config(w->m->sc.config, &w->cfg, &w->config_abs, dl);
}

/* find_new_ips - every new IP with the user's VMTA that sends from it. */
static int find_new_ips(struct wu_plan *w, struct diag_list *dl)
{
    const struct scenario *sc = &w->m->sc;
    w->ips = xcalloc(sc->n_ips + 1, sizeof(*w->ips));
    for (size_t i = 0; i < sc->n_ips; i++) {
        if (!wu_new_ip(sc, i))
            continue;
        int v = vmta_of_ip(w->cfg, sc->ips[i].ip);
        if (v < 0 || vmta_state(w, v) != 1) {
            diag_add(dl, DIAG_ERROR, sc->path, 0, 0, "$.ips['%s']: %s",
                     sc->ips[i].ip,
                     v < 0 ? "no virtual-mta of the config sends from this "
                             "new IP (name it in a smtp-source-host)"
                           : "its virtual-mta also sends from established "
                             "IPs; give the new IPs virtual-mtas of their "
                             "own");
            return 1;
        }
        if (w->n_new == 0) {
            w->new_ip = sc->ips[i].ip;
            w->rep0 = sc->ips[i].reputation;
            w->trial_vmta = v;
            w->trial_n_ips = (int)cfg_model_vmta(w->cfg, (size_t)v)->n_ips;
        }
        w->ips[w->n_new].ip = sc->ips[i].ip;
        w->ips[w->n_new++].vmta = v;
    }
    if (w->n_new == 0) {
        diag_add(dl, DIAG_ERROR, sc->path, 0, 0,
                 "$.ips: no new IP to plan for (give one with \"age_days\": "
                 "0)");
        return 1;
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
    w->warm_vmta = -1;
    if (load_config(w, dl) || find_new_ips(w, dl))
        return 1;
    w->warm_vmta = pick_warm(w);
    if (w->warm_vmta < 0) {
        diag_add(dl, DIAG_ERROR, m->sc.config, 0, 0,
                 "no established virtual-mta (all its IPs with age_days >= 1 "
                 "in the scenario) to carry what the new IPs may not send "
                 "yet; plan warmup needs one");
        return 1;
    }
    w->plan = xcalloc(m->n_p * (size_t)o->days + 1, sizeof(*w->plan));
    calendar(w);
    return 0;
}

void wu_plan_release(struct wu_plan *w)
{
    free(w->plan);
    free(w->check);
    free(w->ips);
    free(w->config_abs);
    free(w->cal);
    cfg_model_free(w->cfg);
}

/* -------------------------------------------------------------- patch */

double wu_quota(const struct wu_plan *w, size_t pi, size_t k, int day)
{
    const struct mix_prov *p = &w->m->p[pi];
    double total = wu_day_of(w, pi, day)->volume * w->n_new;
    return p->share > 0 ? round(total * p->dom_share[k] / p->share) : 0;
}

/* cold_text - the lines added to the warm VMTA. */
static char *cold_text(const struct wu_plan *w)
{
    struct strbuf sb;
    strbuf_init(&sb);
    const struct cfg_vmta *v = cfg_model_vmta(w->cfg, (size_t)w->warm_vmta);
    strbuf_addf(&sb,
                "    # mtasim plan warmup, %.0f days: the new virtual-mtas "
                "below take the\n    # first messages of each day per "
                "domain; the rest goes out through\n    # '%s'.\n",
                w->o.days, v->name);
    for (int i = 0; i < w->n_new; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= w->ips[j].vmta == w->ips[i].vmta;
        if (!seen)
            strbuf_addf(&sb, "    cold-virtual-mta %s\n",
                        cfg_model_vmta(w->cfg, (size_t)w->ips[i].vmta)->name);
    }
    for (size_t pi = 0; pi < w->m->n_p; pi++) {
        const struct mix_prov *p = &w->m->p[pi];
        for (size_t k = 0; k < p->n_doms; k++) {
            strbuf_addf(&sb,
                        "    <domain %s>\n        max-cold-virtual-mta-msg ",
                        p->tail ? "*" : p->doms[k]);
            /* one entry per calendar day; a day that does not send
             * keeps the sending day before it (the first one's at first) */
            for (int c = 0; c < w->n_cal; c++) {
                int i = sending_index(w, c);
                strbuf_addf(&sb, "%s%.0f/d", c ? "," : "",
                            wu_quota(w, pi, k, i < 0 ? 0 : i));
            }
            strbuf_adds(&sb, "\n    </domain>\n");
        }
    }
    return strbuf_detach(&sb);
}

/* leave_pools - the new VMTAs leave their pools while they warm up (else
 * the pool would send through them at full volume). */
static int leave_pools(const struct wu_plan *w, struct patch *p,
                       struct diag_list *dl)
{
    for (size_t i = 0; i < cfg_model_pool_count(w->cfg); i++) {
        const struct cfg_pool *pool = cfg_model_pool(w->cfg, i);
        for (int j = 0; j < w->n_new; j++) {
            int v = w->ips[j].vmta, dup = 0;
            for (int k = 0; k < j; k++)
                dup |= w->ips[k].vmta == v;
            if (dup || !pool_has(pool, v))
                continue;
            const char *name = cfg_model_vmta(w->cfg, (size_t)v)->name;
            if (patch_need_file(&pool->origin, w->config_abs, w->m->sc.config,
                                "virtual-mta-pool", pool->name, "warm-up", dl))
                return 1;
            int close =
                patch_find_close(p, pool->origin.line, "</virtual-mta-pool>");
            int line = patch_find_words(p, pool->origin.line,
                                        close ? close : (int)p->n_lines + 1,
                                        "virtual-mta", name);
            if (line == 0) {
                diag_add(dl, DIAG_ERROR, pool->origin.file, pool->origin.line,
                         0,
                         "cannot find the line 'virtual-mta %s' of pool '%s' "
                         "to take the new VMTA out while it warms up",
                         name, pool->name);
                return 1;
            }
            struct strbuf sb;
            strbuf_init(&sb);
            strbuf_addf(&sb,
                        "    # virtual-mta %s    (mtasim plan warmup: back "
                        "in the pool once warm)\n",
                        name);
            patch_replace(p, line, sb.buf);
            strbuf_release(&sb);
        }
    }
    return 0;
}

int wu_patch(const struct wu_plan *w, struct patch *p, struct diag_list *dl)
{
    const struct cfg_vmta *v = cfg_model_vmta(w->cfg, (size_t)w->warm_vmta);
    if (patch_load(p, w->m->sc.config)) {
        diag_add(dl, DIAG_ERROR, w->m->sc.config, 0, 0, "cannot read: %s",
                 strerror(errno));
        return 1;
    }
    if (patch_need_file(&v->origin, w->config_abs, w->m->sc.config,
                        "virtual-mta", v->name, "warm-up", dl))
        return 1;
    int close = patch_find_close(p, v->origin.line, "</virtual-mta>");
    if (close == 0) {
        diag_add(dl, DIAG_ERROR, v->origin.file, v->origin.line, 0,
                 "cannot find the end of <virtual-mta %s>", v->name);
        return 1;
    }
    char *text = cold_text(w);
    patch_insert(p, close, text);
    free(text);
    return leave_pools(w, p, dl);
}

/* ---------------------------------------------------------------- check */

/* check_stream - provider pi's planned pool volume each day, over its
 * domains of the mix, injected into the warm VMTA: the first messages of
 * each day go to the new IPs, as the patch says. */
static cJSON *check_stream(const struct wu_plan *w, size_t pi)
{
    const struct mix_prov *p = &w->m->p[pi];
    char lab[96];
    cJSON *st = day_stream(w, p->top_domain, 0);
    cJSON_ReplaceItemInObject(
        st, "name", cJSON_CreateString(mix_label(p, lab, sizeof(lab))));
    cJSON *doms = cJSON_CreateObject();
    for (size_t k = 0; k < p->n_doms; k++)
        cJSON_AddNumberToObject(doms, p->doms[k], p->dom_share[k]);
    cJSON_ReplaceItemInObject(st, "domains", doms);
    cJSON_AddStringToObject(st, "vmta",
                            cfg_model_vmta(w->cfg, (size_t)w->warm_vmta)->name);
    cJSON *vol = cJSON_CreateArray();
    for (int c = 0; c < w->n_cal; c++) {
        int i = sending_index(w, c);
        double sum = 0;
        for (size_t k = 0; i >= 0 && w->cal[i] == c && k < p->n_doms; k++)
            sum += wu_quota(w, pi, k, i);
        cJSON_AddItemToArray(vol, cJSON_CreateNumber(sum));
    }
    cJSON_ReplaceItemInObject(st, "volume_per_day", vol);
    return st;
}

static char *check_scenario(const struct wu_plan *w)
{
    const struct scenario *sc = &w->m->sc;
    cJSON *root = cJSON_CreateObject();
    char dur[32];
    snprintf(dur, sizeof(dur), "%dd", w->n_cal);
    cJSON_AddStringToObject(root, "duration", dur);
    char start[32]; /* the scenario's: the weekdays of the plan */
    scenario_format_time(sc, 0, start, sizeof(start));
    cJSON_AddStringToObject(root, "start", start);
    cJSON_AddNumberToObject(root, "seed", (double)sc->seed);
    cJSON_AddStringToObject(root, "config", "pmta.conf");
    cJSON_AddItemToObject(root, "models", trial_models_json(sc));
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
    for (size_t pi = 0; pi < w->m->n_p; pi++)
        cJSON_AddItemToArray(streams, check_stream(w, pi));
    return print_with_streams(root, streams);
}

/* new_queue_of - the provider of the mix a queue "domain/vmta" of a new
 * VMTA serves, or -1 for the other queues. */
static int new_queue_of(const struct wu_plan *w, const char *queue)
{
    const char *slash = strrchr(queue, '/');
    if (slash == NULL)
        return -1;
    int v = cfg_model_vmta_find(w->cfg, slash + 1), is_new = 0;
    for (int i = 0; i < w->n_new; i++)
        is_new |= w->ips[i].vmta == v;
    if (!is_new)
        return -1;
    char dom[300];
    snprintf(dom, sizeof(dom), "%.*s", (int)(slash - queue), queue);
    return mix_prov_of_domain(w->m, dom);
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
    for (size_t c = 0; c < f->n_days; c++) {
        int d = sending_index(w, (int)c);
        for (size_t q = 0; d >= 0 && q < f->days[c].n_queues; q++) {
            int pi = new_queue_of(w, f->queues[q].name);
            if (pi < 0)
                continue;
            struct wu_check_row *r = &w->check[(size_t)pi * days + (size_t)d];
            r->attempts += f->days[c].queues[q].attempts;
            r->deferred += f->days[c].queues[q].deferred;
        }
    }
    w->check_ok = 0;
    for (size_t i = 0; i < n; i++) {
        struct wu_check_row *r = &w->check[i];
        r->ok = !trial_defer_over(r->deferred, r->attempts, w->o.max_defer);
        w->check_ok += r->ok;
    }
}

int wu_check(struct wu_plan *w, const char *conf, struct diag_list *dl)
{
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/check", w->out);
    if (fs_mkdir_p(dir.buf)) {
        diag_add(dl, DIAG_ERROR, dir.buf, 0, 0, "cannot create: %s",
                 strerror(errno));
        strbuf_release(&dir);
        return -1;
    }
    char *scen = check_scenario(w);
    struct run_figures f;
    int rc = trial_files(dir.buf, conf, scen, 1, &f, dl);
    if (rc == 0)
        judge_check(w, &f);
    run_figures_release(&f);
    free(scen);
    strbuf_release(&dir);
    return rc;
}
