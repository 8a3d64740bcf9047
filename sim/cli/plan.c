/* plan.c - `mtasim plan capacity`: the fewest warmed source IPs (and the
 * per-provider settings) that deliver N messages of a scenario's mix
 * within a deadline at an acceptable deferral rate.
 *
 * The search puts the simulator in the loop: for K IPs it writes a config
 * (K VMTAs in one pool; per provider one queue per IP via queue-to, with
 * max-smtp-out at the provider's connection tolerance and max-msg-rate at
 * its hourly capacity for an established IP, from the models), sends N
 * recipients of the mix at t = 0 and checks that none is left or expired
 * at the deadline (bounce-after = the deadline) and that deferrals stay
 * within the limit. K doubles until it passes, then a bisection finds the
 * smallest passing K; K - 1 is shown to fail. The search assumes that
 * more IPs never hurt, which holds in the model (per-IP provider state). */
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "cli/plan_int.h"
#include "cli/runner.h"
#include "config/cfg_value.h"
#include "provider/provider.h"
#include "run/model_pick.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char plan_help[] =
    "usage: mtasim plan capacity SCENARIO --volume N --within D\n"
    "                            [--max-deferral-rate X] [--max-ips K]\n"
    "                            [--out DIR] [--seed N]\n"
    "\n"
    "Find the smallest number of warmed source IPs that deliver N messages of\n"
    "the scenario's provider mix (the domain shares of its generated\n"
    "streams) within D, with at most the fraction X of attempts deferred\n"
    "(default 0.05).\n"
    "\n"
    "How: for K IPs the planner writes a PowerMTA config - K VMTAs in one\n"
    "pool, per provider one queue per IP (queue-to) with max-smtp-out at the\n"
    "provider's connection tolerance and max-msg-rate at its hourly\n"
    "capacity for an established IP (from models/) - sends N recipients at\n"
    "once and simulates D. K passes when nothing is left queued or expired\n"
    "at D and deferrals are within X. K doubles until it passes, then a\n"
    "bisection finds the smallest K; the report shows K - 1 failing.\n"
    "\n"
    "Per provider it then says what held the provider back in that failing\n"
    "K - 1 trial, from the trial's own figures: 'none (finished)', the\n"
    "'provider capacity' (delivered at 90 % or more of max-msg-rate), the\n"
    "'provider deferrals' (above X) or the 'connections' (max-smtp-out\n"
    "connections, each one message at a time, were not enough). Raise that\n"
    "limit, or add IPs, to go faster for that provider.\n"
    "\n"
    "Writes DIR/capacity.json (the answer, the settings, every trial),\n"
    "DIR/capacity.conf (the config for the answer) and each trial's run in\n"
    "DIR/trials/k-K/. Default DIR: out/capacity-<scenario>.\n";

struct plan_opts {
    const char *scenario, *out, *within;
    double volume, max_defer, within_s;
    int max_ips;
    uint64_t seed;
    int have_seed;
};

struct plan {
    struct plan_opts o;
    struct plan_base b;
    cJSON *trials;
};

int plan_usage(const char *msg)
{
    fprintf(stderr, "mtasim plan: %s; try 'mtasim plan --help'\n", msg);
    return 2;
}

int plan_parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno || end == s || *end || !(*out > 0) ? -1 : 0;
}

static int parse_plan_args(int argc, char **argv, struct plan_opts *o)
{
    static const struct option longopts[] = {
        { "volume", required_argument, NULL, 'n' },
        { "within", required_argument, NULL, 'w' },
        { "max-deferral-rate", required_argument, NULL, 'x' },
        { "max-ips", required_argument, NULL, 'k' },
        { "out", required_argument, NULL, 'o' },
        { "seed", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    double v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (plan_parse_number(optarg, &o->volume))
                return plan_usage("--volume takes a positive number");
            break;
        case 'w':
            o->within = optarg;
            break;
        case 'x':
            if (plan_parse_number(optarg, &o->max_defer) || o->max_defer > 1)
                return plan_usage("--max-deferral-rate takes a fraction "
                                  "(0, 1]");
            break;
        case 'k':
            if (plan_parse_number(optarg, &v) || v > 4096)
                return plan_usage("--max-ips takes 1 to 4096");
            o->max_ips = (int)v;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 's':
            if (cli_parse_u64(optarg, &o->seed))
                return plan_usage("--seed takes a non-negative integer");
            o->have_seed = 1;
            break;
        case 'h':
            fputs(plan_help, stdout);
            return -1;
        default:
            return plan_usage("unknown option");
        }
    }
    if (optind != argc - 1)
        return plan_usage("expected one SCENARIO");
    o->scenario = argv[optind];
    struct cfgv_err e;
    if (o->volume <= 0 || o->within == NULL)
        return plan_usage("--volume and --within are required");
    if (cfgv_parse_time(o->within, &o->within_s, 0, &e) || o->within_s <= 0)
        return plan_usage("--within takes an interval such as 6h");
    return 0;
}

/* ---------------------------------------------------------------- mix */

static struct plan_prov *plan_prov_of(struct plan_base *b, int prov, int tail)
{
    for (size_t i = 0; i < b->n_p; i++)
        if (b->p[i].prov == prov && b->p[i].tail == tail)
            return &b->p[i];
    b->p = xreallocarray(b->p, b->n_p + 1, sizeof(*b->p));
    struct plan_prov *p = &b->p[b->n_p++];
    memset(p, 0, sizeof(*p));
    p->prov = prov;
    p->tail = tail;
    p->name = prov_world_name(b->world, prov);
    strbuf_init(&p->domains);
    struct prov_ip_view v;
    prov_world_view(b->world, prov, 0, 0, &v);
    p->cap_per_hour = v.capacity_per_hour;
    p->max_conns = v.max_connections;
    return p;
}

/* stream_weight - a stream's mean daily volume (its share of the mix). */
double plan_stream_weight(const struct scen_stream *s)
{
    double sum = 0;
    for (size_t i = 0; i < s->n_volume; i++)
        sum += s->volume_per_day[i];
    return s->n_volume ? sum / (double)s->n_volume : 0;
}

/* build_mix - providers, their shares and domains, from the streams. */
static int build_mix(struct plan_base *b, struct diag_list *dl)
{
    double total = 0;
    for (size_t i = 0; i < b->sc.n_streams; i++)
        total += plan_stream_weight(&b->sc.streams[i]);
    if (b->sc.sendlist_kind != SCEN_SL_GENERATE || total <= 0) {
        diag_add(dl, DIAG_ERROR, b->sc.path, 0, 0,
                 "planning needs generated streams with a volume (the "
                 "provider mix comes from their domain shares)");
        return 1;
    }
    for (size_t i = 0; i < b->sc.n_streams; i++) {
        const struct scen_stream *s = &b->sc.streams[i];
        double w = plan_stream_weight(s) / total;
        for (size_t k = 0; k < s->n_domains; k++) {
            const char *d = s->domains[k].domain;
            int tail = strcmp(d, "*") == 0;
            int prov = prov_world_find(b->world, tail ? "tail0000.example" : d);
            struct plan_prov *p = plan_prov_of(b, prov, tail);
            p->share += w * s->domains[k].share;
            if (!tail)
                strbuf_addf(&p->domains, "%s%s", p->domains.len ? ", " : "", d);
            if (w * s->domains[k].share > p->top_share) {
                p->top_share = w * s->domains[k].share;
                p->top_domain = tail ? "tail0000.example" : d;
            }
        }
    }
    return 0;
}

int plan_load(struct plan_base *b, const char *scenario, const uint64_t *seed,
              struct diag_list *dl)
{
    char *path = cli_scenario_path(scenario);
    char *models = cli_models_dir();
    b->loaded = scenario_load(path, models, &b->sc, dl) == 0;
    free(path);
    free(models);
    if (!b->loaded)
        return 1;
    if (seed)
        b->sc.seed = *seed;
    b->world = prov_world_alloc();
    unsigned char *skip = xcalloc(b->sc.n_models + 1, 1);
    model_pick(b->sc.models, b->sc.n_models, skip); /* fitted ones win */
    for (size_t i = 0; i < b->sc.n_models; i++)
        if (!skip[i] && prov_world_load(b->world, b->sc.models[i], dl) < 0) {
            free(skip);
            return 1;
        }
    free(skip);
    if (prov_world_find(b->world, "tail0000.example") < 0) {
        diag_add(dl, DIAG_ERROR, b->sc.path, 0, 0,
                 "no model serves the other domains (models/generic.json)");
        return 1;
    }
    prov_world_add_ip(b->world, "198.18.0.1", 365, -1);
    return build_mix(b, dl);
}

void plan_base_release(struct plan_base *b)
{
    for (size_t i = 0; i < b->n_p; i++)
        strbuf_release(&b->p[i].domains);
    free(b->p);
    prov_world_free(b->world);
    if (b->loaded)
        scenario_release(&b->sc);
    free(b->out);
}

/* ---------------------------------------------------------------- trials */

static void write_limits(struct strbuf *sb, const struct plan_prov *p)
{
    if (p->max_conns > 0)
        strbuf_addf(sb, "    max-smtp-out %d\n", p->max_conns);
    if (p->cap_per_hour < 1e12)
        strbuf_addf(sb, "    max-msg-rate %.0f/h\n",
                    floor(p->cap_per_hour) > 1 ? floor(p->cap_per_hour) : 1);
}

/* config_text - the PowerMTA config for k IPs. */
static char *config_text(const struct plan *pl, int k)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb,
                "# mtasim plan capacity: %d warmed source IPs for %.0f "
                "messages within %s\n",
                k, pl->o.volume, pl->o.within);
    for (int i = 0; i < k; i++)
        strbuf_addf(&sb,
                    "<virtual-mta ip%d>\n    smtp-source-host 198.18.%d.%d "
                    "ip%d.plan.invalid\n</virtual-mta>\n",
                    i + 1, i / 250, i % 250 + 1, i + 1);
    strbuf_adds(&sb, "<virtual-mta-pool plan>\n");
    for (int i = 0; i < k; i++)
        strbuf_addf(&sb, "    virtual-mta ip%d\n", i + 1);
    strbuf_adds(&sb, "</virtual-mta-pool>\n<source 0/0>\n    "
                     "default-virtual-mta plan\n</source>\n");
    strbuf_addf(&sb,
                "<domain *>\n    bounce-after %.0fs\n    retry-after 5m\n"
                "    retry-recipients-after 5m\n",
                pl->o.within_s);
    for (size_t i = 0; i < pl->b.n_p; i++)
        if (pl->b.p[i].tail) {
            strbuf_addf(&sb, "    queue-to %s.plan\n", pl->b.p[i].name);
            break;
        }
    strbuf_adds(&sb, "</domain>\n");
    for (size_t i = 0; i < pl->b.n_p; i++) {
        const struct plan_prov *p = &pl->b.p[i];
        if (!p->tail && p->domains.len) {
            strbuf_addf(&sb,
                        "domain-macro p_%s %s\n<domain $p_%s>\n    "
                        "queue-to %s.plan\n</domain>\n",
                        p->name, p->domains.buf, p->name, p->name);
        }
        strbuf_addf(&sb, "<domain %s.plan>\n", p->name);
        write_limits(&sb, p);
        strbuf_adds(&sb, "</domain>\n");
    }
    return strbuf_detach(&sb);
}

/* mix_json - the domain shares of all streams, weighted by volume. */
static cJSON *mix_json(const struct plan *pl)
{
    cJSON *o = cJSON_CreateObject();
    double total = 0;
    for (size_t i = 0; i < pl->b.sc.n_streams; i++)
        total += plan_stream_weight(&pl->b.sc.streams[i]);
    for (size_t i = 0; i < pl->b.sc.n_streams; i++) {
        const struct scen_stream *s = &pl->b.sc.streams[i];
        for (size_t k = 0; k < s->n_domains; k++) {
            double w = plan_stream_weight(s) / total * s->domains[k].share;
            cJSON *old =
                cJSON_GetObjectItemCaseSensitive(o, s->domains[k].domain);
            if (old)
                cJSON_SetNumberValue(old, old->valuedouble + w);
            else
                cJSON_AddNumberToObject(o, s->domains[k].domain, w);
        }
    }
    return o;
}

/* scenario_text - N recipients of the mix at t = 0, simulated for D. */
static char *scenario_text(const struct plan *pl)
{
    cJSON *root = cJSON_CreateObject();
    char dur[64];
    snprintf(dur, sizeof(dur), "%.0fs", pl->o.within_s);
    cJSON_AddStringToObject(root, "duration", dur);
    cJSON_AddNumberToObject(root, "seed", (double)pl->b.sc.seed);
    cJSON_AddStringToObject(root, "config", "pmta.conf");
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (size_t i = 0; i < pl->b.sc.n_models; i++) {
        char *abs = realpath(pl->b.sc.models[i], NULL);
        cJSON_AddItemToArray(models, cJSON_CreateString(abs ? abs : ""));
        free(abs);
    }
    cJSON *rep = cJSON_AddObjectToObject(root, "report");
    cJSON_AddStringToObject(rep, "interval", "10m");
    const struct scen_stream *s0 = &pl->b.sc.streams[0];
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "name", "plan");
    cJSON_AddNumberToObject(st, "volume_per_day", pl->o.volume);
    cJSON_AddStringToObject(st, "arrivals", "blast");
    cJSON_AddStringToObject(st, "at", "00:00");
    cJSON_AddStringToObject(st, "spread", "1s");
    cJSON_AddItemToObject(st, "domains", mix_json(pl));
    cJSON_AddNumberToObject(st, "invalid_rate", s0->invalid_rate);
    cJSON_AddNumberToObject(st, "complaint_rate", s0->complaint_rate);
    if (s0->size_bytes > 0)
        cJSON_AddNumberToObject(st, "size_bytes", s0->size_bytes);
    cJSON *streams = cJSON_CreateArray();
    cJSON_AddItemToArray(streams, st);
    cJSON *gen = cJSON_CreateObject();
    cJSON_AddItemToObject(gen, "streams", streams);
    cJSON *sl = cJSON_AddObjectToObject(root, "sendlist");
    cJSON_AddItemToObject(sl, "generate", gen);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

int plan_write_file(const char *dir, const char *name, const char *text)
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

/* A trial's outcome. */
struct trial {
    int ips, pass, ran;
    double delivered, expired, queued, attempts, deferrals;
    double last_s;
};

double plan_jnum(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

/* read_trial - the figures of a finished trial from its summary.json. */
static int read_trial(const char *dir, struct trial *t)
{
    cJSON *j = cli_read_json(dir, "summary.json");
    if (j == NULL)
        return -1;
    t->delivered = plan_jnum(j, "totals", "delivered");
    t->expired = plan_jnum(j, "totals", "expired");
    t->queued = plan_jnum(j, "totals", "queued_at_end");
    t->attempts = plan_jnum(j, "totals", "attempts");
    t->deferrals = plan_jnum(j, "totals", "deferrals");
    t->last_s = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, cJSON_GetObjectItem(j, "queues"))
    {
        double last = plan_jnum(q, "last_delivery_s", NULL);
        if (last > t->last_s)
            t->last_s = last;
    }
    cJSON_Delete(j);
    return 0;
}

/* run_trial - write, simulate and judge k IPs. */
static int run_trial(struct plan *pl, int k, struct trial *t,
                     struct diag_list *dl)
{
    memset(t, 0, sizeof(*t));
    t->ips = k;
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/trials/k-%d", pl->b.out, k);
    char *d = cli_out_dir(dir.buf, NULL, dl);
    strbuf_release(&dir);
    if (d == NULL)
        return -1;
    char *conf = config_text(pl, k), *scen = scenario_text(pl);
    int rc = plan_write_file(d, "pmta.conf", conf) ||
             plan_write_file(d, "scenario.json", scen);
    free(conf);
    free(scen);
    struct strbuf path;
    strbuf_init(&path);
    strbuf_addf(&path, "%s/scenario.json", d);
    struct scenario sc;
    if (rc == 0 && scenario_load(path.buf, NULL, &sc, dl) == 0) {
        struct runner_opts ro = { 1, 1, 0, 0, 0 };
        rc = runner_run(&sc, d, &ro, dl) || read_trial(d, t);
        scenario_release(&sc);
    } else {
        rc = -1;
    }
    strbuf_release(&path);
    free(d);
    t->ran = rc == 0;
    double rate = t->attempts > 0 ? t->deferrals / t->attempts : 0;
    t->pass =
        t->ran && t->expired == 0 && t->queued == 0 && rate <= pl->o.max_defer;
    return rc ? -1 : 0;
}

static void log_trial(struct plan *pl, const struct trial *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "ips", t->ips);
    cJSON_AddBoolToObject(o, "pass", t->pass);
    cJSON_AddNumberToObject(o, "delivered", t->delivered);
    cJSON_AddNumberToObject(o, "expired", t->expired);
    cJSON_AddNumberToObject(o, "queued_at_end", t->queued);
    cJSON_AddNumberToObject(o, "deferral_rate",
                            t->attempts > 0 ? t->deferrals / t->attempts : 0);
    cJSON_AddNumberToObject(o, "last_delivery_s", t->last_s);
    cJSON_AddItemToArray(pl->trials, o);
    printf("  %4d IPs: %s  delivered %.0f, expired %.0f, left %.0f, "
           "deferral rate %.4f, last delivery %.0f s\n",
           t->ips, t->pass ? "pass" : "fail", t->delivered, t->expired,
           t->queued, t->attempts > 0 ? t->deferrals / t->attempts : 0,
           t->last_s);
}

/* search - the smallest passing k (doubling, then bisection); 0 when even
 * max_ips fails, -1 on an error. */
static int search(struct plan *pl, struct diag_list *dl)
{
    struct trial t;
    int lo = 0, hi = 0;
    for (int k = 1;;) {
        if (run_trial(pl, k, &t, dl))
            return -1;
        log_trial(pl, &t);
        if (t.pass) {
            hi = k;
            break;
        }
        lo = k;
        if (k >= pl->o.max_ips)
            break;
        k = 2 * k > pl->o.max_ips ? pl->o.max_ips : 2 * k;
    }
    if (hi == 0)
        return 0;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (run_trial(pl, mid, &t, dl))
            return -1;
        log_trial(pl, &t);
        if (t.pass)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* ---------------------------------------------------------------- report */

/* One provider's figures in one trial: its queues added up. */
struct prov_use {
    double delivered, attempts, deferrals, left, last_s;
};

static struct prov_use prov_use_of(const cJSON *summary, const char *name)
{
    struct prov_use u = { 0, 0, 0, 0, 0 };
    const cJSON *q;
    cJSON_ArrayForEach(q, cJSON_GetObjectItem(summary, "queues"))
    {
        const cJSON *p = cJSON_GetObjectItem(q, "provider");
        if (!cJSON_IsString(p) || strcmp(p->valuestring, name) != 0)
            continue;
        u.delivered += plan_jnum(q, "delivered", NULL);
        u.attempts += plan_jnum(q, "attempts", NULL);
        u.deferrals += plan_jnum(q, "deferrals", NULL);
        u.left +=
            plan_jnum(q, "queued_at_end", NULL) + plan_jnum(q, "expired", NULL);
        if (plan_jnum(q, "last_delivery_s", NULL) > u.last_s)
            u.last_s = plan_jnum(q, "last_delivery_s", NULL);
    }
    return u;
}

/* binding - what held a provider back in a trial with k IPs: nothing when
 * it finished; else the provider's capacity (which the planner's
 * max-msg-rate equals) when it ran at 90 % of it; else the provider's
 * deferrals when they passed the limit; else the connections. Measured,
 * not predicted: the figures come from the trial's summary.json. */
static const char *binding(const struct plan *pl, const struct plan_prov *p,
                           const struct prov_use *u, int k, double *per_ip_h)
{
    double hours = pl->o.within_s / 3600;
    *per_ip_h = u->delivered / k / hours;
    if (u->left == 0)
        return "none (finished)";
    if (p->cap_per_hour < 1e12 && *per_ip_h >= 0.9 * p->cap_per_hour)
        return "provider capacity (= max-msg-rate)";
    if (u->attempts > 0 && u->deferrals / u->attempts > pl->o.max_defer)
        return "provider deferrals";
    return "connections (max-smtp-out x SMTP time per message)";
}

/* provider_report - per provider: share, need per IP against capacity,
 * the settings, and what bound it in the trial with one IP fewer than
 * the answer (the one that failed; the answer's own when k is 1). */
static cJSON *provider_report(const struct plan *pl, int k)
{
    cJSON *a = cJSON_CreateArray();
    double hours = pl->o.within_s / 3600;
    int at = k > 1 ? k - 1 : k;
    struct strbuf dir;
    strbuf_init(&dir);
    strbuf_addf(&dir, "%s/trials/k-%d", pl->b.out, at);
    cJSON *summary = cli_read_json(dir.buf, "summary.json");
    strbuf_release(&dir);
    for (size_t i = 0; i < pl->b.n_p; i++) {
        const struct plan_prov *p = &pl->b.p[i];
        double need = pl->o.volume * p->share / hours / k;
        double use = p->cap_per_hour < 1e12 ? need / p->cap_per_hour : 0;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "provider", p->name);
        cJSON_AddBoolToObject(o, "long_tail", p->tail);
        cJSON_AddNumberToObject(o, "share", p->share);
        cJSON_AddNumberToObject(o, "need_per_ip_per_hour", need);
        if (p->cap_per_hour < 1e12)
            cJSON_AddNumberToObject(o, "max_msg_rate_per_hour",
                                    floor(p->cap_per_hour));
        cJSON_AddNumberToObject(o, "max_smtp_out", p->max_conns);
        cJSON_AddNumberToObject(o, "capacity_use", use);
        if (summary) {
            struct prov_use u = prov_use_of(summary, p->name);
            double per_ip_h;
            const char *b = binding(pl, p, &u, at, &per_ip_h);
            cJSON_AddNumberToObject(o, "binding_at_ips", at);
            cJSON_AddNumberToObject(o, "delivered_per_ip_per_hour", per_ip_h);
            cJSON_AddNumberToObject(o, "left_at_end", u.left);
            cJSON_AddStringToObject(o, "binding", b);
        }
        cJSON_AddItemToArray(a, o);
    }
    cJSON_Delete(summary);
    return a;
}

static void print_answer(const struct plan *pl, int k, const cJSON *provs)
{
    printf("\nanswer: %d warmed source IP%s deliver %.0f messages within %s "
           "(deferral rate at most %g); %d fail.\n",
           k, k == 1 ? "" : "s", pl->o.volume, pl->o.within, pl->o.max_defer,
           k - 1);
    printf("  %-12s %7s %14s %12s %10s %8s   %s\n", "provider", "share",
           "need/IP/hour", "max-msg-rate", "max-smtp-out", "use",
           k > 1 ? "what held it back with one IP fewer" : "binding");
    const cJSON *o;
    cJSON_ArrayForEach(o, provs)
    {
        const cJSON *r = cJSON_GetObjectItem(o, "max_msg_rate_per_hour");
        char rate[32] = "unlimited";
        if (r)
            snprintf(rate, sizeof(rate), "%.0f/h", r->valuedouble);
        const cJSON *b = cJSON_GetObjectItem(o, "binding");
        printf("  %-12s %6.1f%% %14.0f %12s %10.0f %7.0f%%   %s%s\n",
               cJSON_GetObjectItem(o, "provider")->valuestring,
               100 * plan_jnum(o, "share", NULL),
               plan_jnum(o, "need_per_ip_per_hour", NULL), rate,
               plan_jnum(o, "max_smtp_out", NULL),
               100 * plan_jnum(o, "capacity_use", NULL),
               cJSON_IsString(b) ? b->valuestring : "?",
               cJSON_IsTrue(cJSON_GetObjectItem(o, "long_tail")) ? " (tail)"
                                                                 : "");
    }
}

static int write_answer(struct plan *pl, int k)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", pl->b.sc.path);
    cJSON_AddNumberToObject(root, "volume", pl->o.volume);
    cJSON_AddNumberToObject(root, "within_s", pl->o.within_s);
    cJSON_AddNumberToObject(root, "max_deferral_rate", pl->o.max_defer);
    if (k > 0)
        cJSON_AddNumberToObject(root, "ips", k);
    else
        cJSON_AddNullToObject(root, "ips");
    cJSON *provs = provider_report(pl, k > 0 ? k : pl->o.max_ips);
    cJSON_AddItemToObject(root, "providers", provs);
    cJSON_AddItemReferenceToObject(root, "trials", pl->trials);
    if (k > 0)
        print_answer(pl, k, provs);
    else
        printf("\nno answer: even %d IPs fail (raise --max-ips, the deadline "
               "or the deferral limit)\n",
               pl->o.max_ips);
    char *text = cJSON_Print(root);
    int rc = plan_write_file(pl->b.out, "capacity.json", text);
    cJSON_free(text);
    cJSON_Delete(root);
    if (k > 0) {
        char *conf = config_text(pl, k);
        rc |= plan_write_file(pl->b.out, "capacity.conf", conf);
        free(conf);
    }
    if (rc == 0)
        printf("capacity.json, capacity.conf and the trials in %s/\n",
               pl->b.out);
    return rc;
}

static void release_plan(struct plan *pl)
{
    plan_base_release(&pl->b);
    cJSON_Delete(pl->trials);
}

static int plan_capacity(int argc, char **argv)
{
    struct plan pl;
    memset(&pl, 0, sizeof(pl));
    pl.o.max_defer = 0.05;
    pl.o.max_ips = 256;
    int rc = parse_plan_args(argc, argv, &pl.o);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    pl.trials = cJSON_CreateArray();
    rc = plan_load(&pl.b, pl.o.scenario, pl.o.have_seed ? &pl.o.seed : NULL,
                   &dl);
    if (rc == 0) {
        struct strbuf def;
        strbuf_init(&def);
        strbuf_addf(&def, "out/capacity-%s", pl.b.sc.name);
        pl.b.out = cli_out_dir(pl.o.out ? pl.o.out : def.buf, NULL, &dl);
        strbuf_release(&def);
        rc = pl.b.out == NULL;
    }
    if (rc == 0) {
        printf("searching the fewest IPs for %.0f messages within %s:\n",
               pl.o.volume, pl.o.within);
        int k = search(&pl, &dl);
        rc = k < 0 || write_answer(&pl, k) != 0 ? 1 : 0;
    }
    diag_print_all(stderr, &dl, "mtasim plan capacity", isatty(STDERR_FILENO));
    diag_list_release(&dl);
    release_plan(&pl);
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "capacity") == 0)
        return plan_capacity(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(plan_help, stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "warmup") == 0)
        return plan_warmup(argc - 1, argv + 1);
    return plan_usage("expected 'capacity' or 'warmup'");
}
