/* test_mta.c - delivery semantics of the MTA model against the PowerMTA
 * v5.0 User's Guide (UG5), one case per rule, each with the section it
 * checks (docs/delivery.md explains each rule and where the guide is
 * silent).
 *
 * The MTA is driven directly (config from a buffer, a tiny event loop) and
 * talks to a scripted provider: a list of reply lines the test chooses,
 * taken in order (the last one repeats), with fixed latencies. What the
 * MTA did is read back from the script's log (connections, transactions)
 * and from acct.csv (one record per outcome). */
#include "config/cfg_model.h"
#include "config/cfg_spl.h"
#include "engine/evq.h"
#include "engine/rng.h"
#include "mta/mta.h"
#include "mta/mta_deadline.h"
#include "provider/provider.h"
#include "report/obs.h"
#include "test.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------- script */

#define S_IPS 8 /* provider-world IPs the script tracks */

struct script {
    const char *const *txn; /* reply lines in order; the last repeats */
    size_t n_txn, next;
    const char *const *greet; /* connection answers (NULL: "220 ready") */
    size_t n_greet, next_greet;
    const char *blocked; /* the reply of every transaction from IP */
    int blocked_ip;      /* ... blocked_ip (a world IP index; 0: none) */
    double txn_latency_s;
    int connects, open, peak_open, txns;
    uint64_t order[64];     /* recipient ids of the first transactions */
    double t_txn[64];       /* and the times they were answered */
    const char *data;       /* the reply to DATA (NULL: 250) */
    int datas;              /* DATA commands answered */
    double t_first, t_last; /* of transactions */
    double t_connect[64];   /* of the first connections */
    int ip_connects[S_IPS], ip_open[S_IPS], ip_peak[S_IPS], ip_txns[S_IPS];
};

static void reply_from(const char *text, struct prov_reply *out)
{
    out->code = atoi(text);
    out->text = text;
    out->outcome = out->code < 300   ? PROV_ACCEPT
                   : out->code < 500 ? PROV_DEFER
                                     : PROV_REJECT;
    out->reason = out->outcome == PROV_ACCEPT ? PROV_OK : PROV_RATE_LIMIT;
    out->closes = out->code == 421; /* what the provider models say */
}

static void s_connect(void *ctx, int prov, int ip, double now_s,
                      uint64_t conn_id, struct prov_reply *out)
{
    struct script *s = ctx;
    (void)prov, (void)conn_id;
    if (s->connects < 64)
        s->t_connect[s->connects] = now_s;
    s->connects++;
    const char *g = "220 ready";
    if (s->greet) {
        size_t k = s->next_greet++;
        g = s->greet[k < s->n_greet ? k : s->n_greet - 1];
    }
    reply_from(g, out);
    out->latency_s = 0;
    if (out->outcome != PROV_ACCEPT)
        return; /* a refused connection is not disconnected */
    if (++s->open > s->peak_open)
        s->peak_open = s->open;
    if (ip >= 0 && ip < S_IPS) {
        s->ip_connects[ip]++;
        if (++s->ip_open[ip] > s->ip_peak[ip])
            s->ip_peak[ip] = s->ip_open[ip];
    }
}

static void s_disconnect(void *ctx, int prov, int ip, double now_s)
{
    struct script *s = ctx;
    (void)prov, (void)now_s;
    s->open--;
    if (ip >= 0 && ip < S_IPS)
        s->ip_open[ip]--;
}

static void s_transact(void *ctx, int prov, int ip, double now_s,
                       const struct prov_rcpt *r, uint32_t msgs_before,
                       struct prov_reply *out)
{
    struct script *s = ctx;
    (void)prov, (void)msgs_before;
    if (s->txns < 64) {
        s->order[s->txns] = r->id;
        s->t_txn[s->txns] = now_s;
    }
    if (s->txns++ == 0)
        s->t_first = now_s;
    s->t_last = now_s;
    if (ip >= 0 && ip < S_IPS)
        s->ip_txns[ip]++;
    if (s->blocked && ip == s->blocked_ip) {
        reply_from(s->blocked, out);
    } else {
        reply_from(s->txn[s->next < s->n_txn ? s->next : s->n_txn - 1], out);
        s->next++;
    }
    out->latency_s = s->txn_latency_s;
}

static void s_data(void *ctx, int prov, int ip, double now_s,
                   const struct prov_rcpt *r, uint32_t n_rcpt,
                   struct prov_reply *out)
{
    struct script *s = ctx;
    (void)prov, (void)ip, (void)now_s, (void)r, (void)n_rcpt;
    s->datas++;
    reply_from(s->data ? s->data : "250 2.0.0 queued", out);
    out->latency_s = 0;
}

/* ---------------------------------------------------------------- rig */

struct rig {
    char dir[64];
    struct cfg_model *cfg;
    struct prov_world *w;
    struct rng g;
    struct evq q;
    struct obs *obs;
    struct mta *m;
    struct script s;
    struct mta_provider p;
    uint64_t next_id;
};

/* The rate-window algorithm of the next rig_open (a scenario switch). */
static enum mta_rate_algo rig_algo = MTA_RATE_SLIDING;
/* The model's "mx" list for the next rig_open (NULL: made from n_mx). */
static const char *rig_mx = NULL;

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        perror(path);
        exit(1);
    }
    fputs(text, fp);
    fclose(fp);
}

/* rig_open - config text, the script's replies, the rate-window algorithm
 * and the epoch second of t = 0. The model only names the domain's MX
 * hosts (n_mx of them); the script answers. */
static void rig_open(struct rig *r, const char *config, const char *const *txn,
                     size_t n_txn, int n_mx, int64_t start_unix)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/test_mta.XXXXXX");
    if (mkdtemp(r->dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    r->cfg = cfg_load_buffer("test.cfg", config, strlen(config), &o, &dl);
    for (size_t i = 0; i < dl.n; i++)
        diag_print(stderr, &dl.items[i], 0);
    CHECK(r->cfg != NULL && dl.n_errors == 0, "config loads");
    char path[128], model[1024];
    snprintf(path, sizeof(path), "%s/model.json", r->dir);
    snprintf(model, sizeof(model),
             "{\"domains\": [\"*\"], \"mx\": [%s],\n"
             " \"latency\": {\"connect\": {\"dist\": \"fixed\", \"s\": 0},\n"
             "             \"message\": {\"dist\": \"fixed\", \"s\": 1}}}\n",
             rig_mx     ? rig_mx
             : n_mx > 1 ? "\"a.mx.test\", \"b.mx.test\""
                        : "\"a.mx.test\"");
    write_file(path, model);
    r->w = prov_world_alloc();
    CHECK(prov_world_load(r->w, path, &dl) == 0, "model loads");
    prov_world_add_ip(r->w, "0.0.0.0", -1, -1);
    diag_list_release(&dl);
    rng_init(&r->g, 1, 0);
    evq_init(&r->q);
    struct obs_options oo = {
        .interval_s = 3600, .start_unix = start_unix, .dir = r->dir, .acct = 1
    };
    r->obs = obs_alloc(&oo);
    obs_add_provider(r->obs, "test");
    obs_add_stream(r->obs, "s", -1);
    r->s.txn = txn;
    r->s.n_txn = n_txn;
    r->s.txn_latency_s = 0.1;
    r->p = (struct mta_provider){ &r->s, s_connect, s_disconnect, s_transact,
                                  s_data };
    struct mta_options mo = { .rate_algo = rig_algo,
                              .source = "127.0.0.1",
                              .start_unix = start_unix,
                              .provider = &r->p };
    r->m = mta_alloc(r->cfg, r->w, &r->g, &r->q, r->obs, &mo);
}

/* rig_send_to - n recipients rcpt@domain at t_s, through vmta or pool
 * (NULL: the config's routing). */
static void rig_send_to(struct rig *r, double t_s, int n, const char *rcpt,
                        const char *domain, const char *vmta, const char *pool)
{
    for (int i = 0; i < n; i++) {
        struct send_rec sr = { .t_us = (int64_t)(t_s * 1e6),
                               .id = r->next_id++,
                               .rcpt = rcpt,
                               .domain = domain,
                               .domain_ix = UINT32_MAX,
                               .vmta = vmta,
                               .pool = pool,
                               .size = 1000 };
        r->q.now_us = sr.t_us;
        mta_inject(r->m, &sr, sr.t_us);
    }
}

static void rig_send(struct rig *r, double t_s, int n, const char *domain,
                     const char *vmta, const char *pool)
{
    rig_send_to(r, t_s, n, NULL, domain, vmta, pool);
}

/* rig_run - MTA events up to t_s. */
static void rig_run(struct rig *r, double t_s)
{
    int64_t end = (int64_t)(t_s * 1e6);
    struct evq_event ev;
    while (evq_peek_time(&r->q) <= end && evq_pop(&r->q, &ev) == 0)
        mta_handle(r->m, &ev);
    if (r->q.now_us < end)
        r->q.now_us = end;
}

/* rig_close - finish at t_s, write acct.csv, free all but the folder. */
static void rig_close(struct rig *r, double t_s)
{
    int64_t end = (int64_t)(t_s * 1e6);
    mta_finish(r->m, end);
    struct obs_engine e = { 0, 0, 0, 1, t_s, 0 };
    CHECK(obs_write_reports(r->obs, &e) == 0, "reports written");
    mta_free(r->m);
    obs_free(r->obs);
    prov_world_free(r->w);
    cfg_model_free(r->cfg);
    evq_release(&r->q);
    rng_release(&r->g);
}

static void rig_remove(struct rig *r)
{
    static const char *const files[] = {
        "model.json",  "acct.csv",    "summary.json",   "timeseries.csv",
        "events.csv",  "latency.csv", "queues.csv",     "providers.csv",
        "streams.csv", "replies.csv", "throughput.csv", "domains.csv"
    };
    char path[160];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", r->dir, files[i]);
        unlink(path);
    }
    rmdir(r->dir); /* fails harmlessly if a report we do not know is left */
}

/* csv_field - field k of a CSV line (quoted fields allowed) into out. */
static void csv_field(const char *line, int k, char *out, size_t n)
{
    int f = 0;
    size_t o = 0;
    int quoted = 0;
    for (const char *p = line; *p && *p != '\n'; p++) {
        if (*p == '"') {
            quoted = !quoted;
            continue;
        }
        if (*p == ',' && !quoted) {
            if (f++ == k)
                break;
            continue;
        }
        if (f == k && o + 1 < n)
            out[o++] = *p;
    }
    out[o] = '\0';
}

/* acct_count - acct.csv records of type (NULL: any) whose column col
 * contains want (NULL: any). */
static int acct_count(const struct rig *r, const char *type, const char *col,
                      const char *want)
{
    char path[128], line[2048], head[2048], f[512];
    snprintf(path, sizeof(path), "%s/acct.csv", r->dir);
    FILE *fp = fopen(path, "r");
    if (fp == NULL || fgets(head, sizeof(head), fp) == NULL) {
        CHECK(0, "%s readable", path);
        if (fp)
            fclose(fp);
        return -1;
    }
    int k = -1;
    for (int i = 0; col && i < 40 && k < 0; i++) {
        csv_field(head, i, f, sizeof(f));
        if (strcmp(f, col) == 0)
            k = i;
    }
    int n = 0;
    while (fgets(line, sizeof(line), fp)) {
        csv_field(line, 0, f, sizeof(f));
        if (type && strcmp(f, type) != 0)
            continue;
        if (k >= 0) {
            csv_field(line, k, f, sizeof(f));
            if (want && strstr(f, want) == NULL)
                continue;
        }
        n++;
    }
    fclose(fp);
    return n;
}

static const char *const ok[] = { "250 2.0.0 ok" };

/* test_assumptions - summary.json names the undocumented choices the run
 * made: the rate window always, pool limits when a pool sets one. */
static void test_assumptions(const struct rig *r)
{
    char path[128], text[8192];
    snprintf(path, sizeof(path), "%s/summary.json", r->dir);
    FILE *fp = fopen(path, "r");
    size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
    text[n] = '\0';
    if (fp)
        fclose(fp);
    const char *a = strstr(text, "\"assumptions\"");
    CHECK(a != NULL, "summary.json has assumptions");
    CHECK(a && strstr(a, "\"rate_window\":\t\"sliding\""), "rate_window");
    CHECK(a && strstr(a, "\"pool_limits\""), "pool_limits");
}

/* --------------------------------------------------- 1: pool limits */

/* UG5 §3.3.13.5, .6, .8: max-smtp-msg-rate, max-smtp-out and
 * max-smtp-data-volume-rate are valid in <virtual-mta-pool> and limit the
 * pool's traffic, whether or not the pool has <domain> blocks. */
static void test_pool_limits(void)
{
    static const char *const limits[] = { "max-smtp-msg-rate 60/h",
                                          "max-smtp-out 1",
                                          "max-smtp-data-volume-rate 10k/h" };
    for (int k = 0; k < 3; k++) {
        char cfg[512];
        snprintf(cfg, sizeof(cfg),
                 "<virtual-mta a>\n</virtual-mta>\n"
                 "<virtual-mta b>\n</virtual-mta>\n"
                 "<virtual-mta-pool p>\n virtual-mta a\n virtual-mta b\n"
                 " %s\n</virtual-mta-pool>\n"
                 "<domain *>\n max-smtp-out 5\n</domain>\n",
                 limits[k]);
        struct rig r;
        rig_open(&r, cfg, ok, 1, 1, 0);
        rig_send(&r, 0, 1000, "example.com", NULL, "p");
        rig_run(&r, 100);
        rig_close(&r, 100);
        int d = acct_count(&r, "d", NULL, NULL);
        if (k == 0)
            test_assumptions(&r);
        if (k == 0)
            CHECK(d > 0 && d <= 60, "pool 60/h delivered %d in 100 s", d);
        else if (k == 1)
            CHECK(r.s.peak_open == 1 && d <= 1000,
                  "pool max-smtp-out 1: %d connections at once", r.s.peak_open);
        else /* volume counts at delivery: 10 connections may overshoot */
            CHECK(d > 0 && d <= 21, "pool 10k/h of 1k messages: %d in 100 s",
                  d);
        rig_remove(&r);
    }
}

/* ------------------------------------------------- 2: 421 and reuse */

/* UG5 §3.3.10.59 smtp-421-means-mx-unavailable, default no: a 421 resets
 * the connection and PowerMTA reuses it; yes: drop it and try the next MX. */
static void test_421_reuse(void)
{
    static const char *const alt[] = { "421 4.7.0 try later", "250 2.0.0 ok",
                                       "421 4.7.0 try later", "250 2.0.0 ok" };
    for (int yes = 0; yes < 2; yes++) {
        char cfg[256];
        snprintf(cfg, sizeof(cfg),
                 "<domain *>\n max-smtp-out 1\n max-connect-rate 10/m\n"
                 " smtp-421-means-mx-unavailable %s\n</domain>\n",
                 yes ? "yes" : "no");
        /* a 421 on every other transaction */
        const char *cycle[200];
        for (int i = 0; i < 200; i++)
            cycle[i] = alt[i % 2];
        struct rig r;
        rig_open(&r, cfg, cycle, 200, 2, 0);
        rig_send(&r, 0, 100, "example.com", NULL, NULL);
        rig_run(&r, 60);
        rig_close(&r, 60);
        if (!yes) {
            CHECK(r.s.connects == 1, "no: %d connections", r.s.connects);
            CHECK(r.s.txns >= 100, "no: %d transactions in 60 s", r.s.txns);
        } else {
            CHECK(r.s.connects >= 2, "yes: %d connections", r.s.connects);
            CHECK(r.s.txns < 40, "yes: %d transactions in 60 s", r.s.txns);
        }
        rig_remove(&r);
    }
}


/* ------------------------------------------------ 3: cold VMTAs */

/* rig_cold - 1000 recipients of example.com at t_s through vmta/pool; how
 * many the VMTA named cold delivered (acct.csv's vmta column). */
static int rig_cold(const char *cfg, const char *vmta, const char *pool,
                    int64_t start_unix, const double *t_s, int n_t,
                    int per_send)
{
    struct rig r;
    rig_open(&r, cfg, ok, 1, 1, start_unix);
    double end = 0;
    for (int i = 0; i < n_t; i++) {
        rig_send(&r, t_s[i], per_send, "example.com", vmta, pool);
        rig_run(&r, t_s[i] + 3000);
        end = t_s[i] + 3000;
    }
    rig_close(&r, end);
    int n = acct_count(&r, "d", "vmta", "cold");
    rig_remove(&r);
    return n;
}

/* UG5 §3.3.12.4, §3.3.10.49: the first N per day of a domain's mail go to
 * the cold VMTA, and the limit applies to each cold VMTA separately. */
static void test_cold_per_cold_vmta(void)
{
    static const double t0[] = { 0 };
    /* two cold VMTAs at 100/d: 100 each, not 50 each */
    int two = rig_cold("<virtual-mta cold1>\n</virtual-mta>\n"
                       "<virtual-mta cold2>\n</virtual-mta>\n"
                       "<virtual-mta w>\n cold-virtual-mta cold1\n"
                       " cold-virtual-mta cold2\n</virtual-mta>\n"
                       "<domain *>\n max-cold-virtual-mta-msg 100/d\n"
                       "</domain>\n",
                       "w", NULL, 0, t0, 1, 1000);
    CHECK_INT(two, 200);
    /* one cold VMTA shared by two warm VMTAs: 100 in all, not 200 */
    struct rig r;
    rig_open(&r,
             "<virtual-mta cold>\n</virtual-mta>\n"
             "<virtual-mta w1>\n cold-virtual-mta cold\n</virtual-mta>\n"
             "<virtual-mta w2>\n cold-virtual-mta cold\n</virtual-mta>\n"
             "<domain *>\n max-cold-virtual-mta-msg 100/d\n</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 500, "example.com", "w1", NULL);
    rig_send(&r, 0, 500, "example.com", "w2", NULL);
    rig_run(&r, 3000);
    rig_close(&r, 3000);
    CHECK_INT(acct_count(&r, "d", "vmta", "cold"), 100);
    rig_remove(&r);
    /* UG5 §3.3.13: cold-virtual-mta inside <virtual-mta-pool> serves the
     * mail that selected the pool */
    int pool = rig_cold("<virtual-mta cold>\n</virtual-mta>\n"
                        "<virtual-mta a>\n</virtual-mta>\n"
                        "<virtual-mta b>\n</virtual-mta>\n"
                        "<virtual-mta-pool p>\n virtual-mta a\n"
                        " virtual-mta b\n cold-virtual-mta cold\n"
                        "</virtual-mta-pool>\n"
                        "<domain *>\n max-cold-virtual-mta-msg 100/d\n"
                        "</domain>\n",
                        NULL, "p", 0, t0, 1, 1000);
    CHECK_INT(pool, 100);
}

/* UG5 §3.3.10.49 says "per day" and steps the list day by day; the guide
 * does not say when a day starts: we count UTC calendar days, and the
 * list's first value is for the day of the cold queue's first message
 * (docs/delivery.md). */
static void test_cold_days(void)
{
    static const char cfg[] =
        "<virtual-mta cold>\n</virtual-mta>\n"
        "<virtual-mta w>\n cold-virtual-mta cold\n</virtual-mta>\n"
        "<domain *>\n max-cold-virtual-mta-msg 10/d,20/d,30/d\n</domain>\n";
    /* t = 0 is 12:00 UTC: 13 h later is the next calendar day */
    static const double noon[] = { 0, 13 * 3600.0 };
    CHECK_INT(rig_cold(cfg, "w", NULL, 1767268800, noon, 2, 100), 30);
    /* the first mail two days in still gets the first day's 10 */
    static const double late[] = { 2 * 86400.0 };
    CHECK_INT(rig_cold(cfg, "w", NULL, 1767225600, late, 1, 100), 10);
}

/* ------------------------------------ 6: bounce-queue, bounce-rcpt */

/* UG5 §3.3.15 bounce-queue: every message of the queue bounces, the one
 * whose reply matched too, and the records say the rule did it. */
static void test_bounce_queue(void)
{
    static const char *const seq[] = { "250 2.0.0 ok", "250 2.0.0 ok",
                                       "451 4.3.0 queue full" };
    struct rig r;
    rig_open(&r,
             "<smtp-pattern-list l>\n reply /queue full/ bounce-queue\n"
             "</smtp-pattern-list>\n"
             "<domain *>\n max-smtp-out 1\n smtp-pattern-list l\n</domain>\n",
             seq, 3, 1, 0);
    rig_send(&r, 0, 10, "example.com", NULL, NULL);
    rig_run(&r, 100);
    CHECK_INT(mta_queued(r.m), 0);
    rig_close(&r, 100);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 2);
    CHECK_INT(acct_count(&r, "b", "dsnDiag", "x-pmta;bounce-queue"), 8);
    CHECK_INT(acct_count(&r, "t", NULL, NULL), 0);
    rig_remove(&r);
}

/* UG5 §3.3.15 bounce-rcpt acts on 4xx replies to RCPT only: a 421 (a
 * session reply) defers, a 451 bounces. */
static void test_bounce_rcpt(void)
{
    static const char *const r421[] = { "421 4.7.0 try later" };
    static const char *const r451[] = { "451 4.7.1 try later" };
    const char *const *replies[2] = { r421, r451 };
    for (int k = 0; k < 2; k++) {
        struct rig r;
        rig_open(&r,
                 "<smtp-pattern-list l>\n reply /try later/ bounce-rcpt\n"
                 "</smtp-pattern-list>\n"
                 "<domain *>\n smtp-pattern-list l\n</domain>\n",
                 replies[k], 1, 1, 0);
        rig_send(&r, 0, 1, "example.com", NULL, NULL);
        rig_run(&r, 10);
        rig_close(&r, 10);
        CHECK_INT(acct_count(&r, "b", NULL, NULL), k);
        CHECK_INT(acct_count(&r, "t", NULL, NULL), 1 - k);
        rig_remove(&r);
    }
}

/* UG5 §3.3.15: reenable-after= and backoff-to-normal-after= at most once
 * in one rule. */
static void test_duplicate_actions(void)
{
    static const char *const bad[] = {
        "/x/ mode=backoff,backoff-to-normal-after=1h,"
        "backoff-to-normal-after=2h",
        "/x/ disable-source-ip,reenable-after=1h,reenable-after=never",
    };
    for (int i = 0; i < 2; i++) {
        struct cfg_spl_rule rule;
        struct cfgv_err e;
        int rc = cfg_spl_parse_rule(bad[i], &rule, &e);
        CHECK(rc != 0, "'%s' rejected", bad[i]);
        if (rc == 0)
            cfg_spl_rule_release(&rule);
        else
            CHECK(strstr(e.msg, "twice") != NULL, "message: %s", e.msg);
    }
}

/* ------------------------------------------------------- 9: smaller */

/* UG5 §3.3.15 skip-mx: give up this MX and try the next one at once, even
 * after a 5xx; the recipient does not wait retry-recipients-after. With
 * one MX left to try, the queue goes into retry mode (retry-after). */
static void test_skip_mx(void)
{
    static const char *const seq[] = { "550 5.7.1 not here", "250 2.0.0 ok" };
    for (int n_mx = 1; n_mx <= 2; n_mx++) {
        struct rig r;
        rig_open(&r,
                 "<smtp-pattern-list l>\n reply /not here/ skip-mx\n"
                 "</smtp-pattern-list>\n"
                 "<domain *>\n smtp-pattern-list l\n"
                 " retry-recipients-after 30m\n retry-after 5m\n</domain>\n",
                 seq, 2, n_mx, 0);
        rig_send(&r, 0, 1, "example.com", NULL, NULL);
        rig_run(&r, 3600);
        rig_close(&r, 3600);
        CHECK_INT(acct_count(&r, "d", NULL, NULL), 1);
        CHECK_INT(acct_count(&r, "b", NULL, NULL), 0);
        CHECK_INT(r.s.connects, 2);
        if (n_mx == 2)
            CHECK(r.s.t_last < 1, "next MX at once: second try at %g s",
                  r.s.t_last);
        else
            CHECK_NEAR(r.s.t_last, 300.1, 0.01);
        rig_remove(&r);
    }
}

/* The deadline heap gives its entries back by time, then recipient
 * index, whatever the order they came in (deferred recipients' expiry). */
static void test_deadline_order(void)
{
    struct mta_deadlines h = { 0 };
    uint64_t x = 88172645463325252ULL;
    enum { N = 5000 };
    for (uint32_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        mta_deadline_push(&h, (int64_t)(x % 700), (uint32_t)(x >> 40));
    }
    int64_t t, last_t = -1;
    uint32_t ri, last_ri = 0, n = 0, in_order = 1;
    while (mta_deadline_pop(&h, &t, &ri) == 0) {
        if (t < last_t || (t == last_t && ri < last_ri))
            in_order = 0;
        last_t = t, last_ri = ri, n++;
    }
    CHECK_INT(n, N);
    CHECK(in_order, "entries out of (time, recipient) order");
    CHECK_INT(mta_deadline_first(&h), INT64_MAX);
    mta_deadline_release(&h);
}

/* UG5 §3.3.10.11 bounce-after: a recipient waiting in the retry bucket
 * expires at its expiry time, not when it next comes up for retry. */
static void test_exact_expiry(void)
{
    static const char *const busy[] = { "451 4.3.0 busy" };
    struct rig r;
    rig_open(&r,
             "<domain *>\n bounce-after 1h\n retry-recipients-after 50m\n"
             "</domain>\n",
             busy, 1, 1, 0);
    rig_send(&r, 0, 1, "example.com", NULL, NULL);
    rig_run(&r, 3599);
    CHECK_INT(mta_queued(r.m), 1);
    rig_run(&r, 3601);
    CHECK_INT(mta_queued(r.m), 0);
    rig_run(&r, 7200);
    rig_close(&r, 7200);
    CHECK_INT(r.s.txns, 2); /* at 0 and 50 min; none after expiry */
    CHECK_INT(acct_count(&r, "b", "dsnStatus", "4.4.7"), 1);
    rig_remove(&r);
}

/* UG5 §3.3.15: the pattern list is matched against the replies, 2xx ones
 * included (e.g. "reply /^250/ mode=normal" ends a backoff). */
static void test_2xx_patterns(void)
{
    static const char *const re[2] = { "^250", "^220" };
    for (int k = 0; k < 2; k++) {
        char cfg[512];
        snprintf(cfg, sizeof(cfg),
                 "<smtp-pattern-list l>\n reply /%s/ mode=backoff\n"
                 "</smtp-pattern-list>\n"
                 "<domain *>\n max-smtp-out 1\n smtp-pattern-list l\n"
                 " backoff-max-msg-rate 1/h\n</domain>\n",
                 re[k]);
        struct rig r;
        rig_open(&r, cfg, ok, 1, 1, 0);
        rig_send(&r, 0, 100, "example.com", NULL, NULL);
        rig_run(&r, 100);
        rig_close(&r, 100);
        int d = acct_count(&r, "d", NULL, NULL);
        /* after the first 250, or from the greeting on */
        CHECK(d >= 1 && d <= 2, "/%s/ backoff: %d delivered", re[k], d);
        rig_remove(&r);
    }
}

/* UG5 §4 accounting (dsnStatus): the reply's enhanced status code, not
 * x.0.0, when the reply carries one. */
static void test_enhanced_codes(void)
{
    static const char *const seq[] = { "550 5.1.1 no such user",
                                       "452-4.2.2 mailbox full",
                                       "554 blocked" };
    struct rig r;
    rig_open(&r, "<domain *>\n max-smtp-out 1\n</domain>\n", seq, 3, 1, 0);
    rig_send(&r, 0, 3, "example.com", NULL, NULL);
    rig_run(&r, 100);
    rig_close(&r, 100);
    CHECK_INT(acct_count(&r, "b", "dsnStatus",
                         "5.1.1 (bad destination mailbox address)"),
              1);
    CHECK_INT(acct_count(&r, "t", "dsnStatus", "4.2.2 (mailbox full)"), 1);
    CHECK_INT(acct_count(&r, "b", "dsnStatus", "5.0.0 (undefined status)"), 1);
    rig_remove(&r);
}

/* ---------------------------------------------------- 4: priorities */

/* UG5 §3.3.14: a <pattern-list> result recipient-priority=N (0..100,
 * default 50) orders the recipients inside a queue: higher first, FIFO
 * among equals (the order is our reading; docs/delivery.md). */
static void test_recipient_priority(void)
{
    struct rig r;
    rig_open(&r,
             "<source 127.0.0.1>\n pattern-list pl\n</source>\n"
             "<pattern-list pl>\n rcpt-to /^vip@/ recipient-priority=90\n"
             " rcpt-to /^low@/ recipient-priority=10\n</pattern-list>\n"
             "<domain *>\n max-smtp-out 1\n</domain>\n",
             ok, 1, 1, 0);
    rig_send_to(&r, 0, 3, "low@example.com", "example.com", NULL, NULL);
    rig_send_to(&r, 0, 3, "u@example.com", "example.com", NULL, NULL);
    rig_send_to(&r, 0, 3, "vip@example.com", "example.com", NULL, NULL);
    rig_run(&r, 100);
    rig_close(&r, 100);
    static const uint64_t want[9] = { 6, 7, 8, 3, 4, 5, 0, 1, 2 };
    int bad = r.s.txns != 9;
    for (int i = 0; i < 9 && !bad; i++)
        bad = r.s.order[i] != want[i];
    CHECK(!bad, "order %llu %llu %llu ... of %d",
          (unsigned long long)r.s.order[0], (unsigned long long)r.s.order[1],
          (unsigned long long)r.s.order[2], r.s.txns);
    rig_remove(&r);
}

/* UG5 §3.3.10.15 queue-priority, §3.3.10.13 allow-priority-interruption:
 * when total-max-smtp-out is reached, a freed slot goes to the waiting
 * queue of highest priority, and a lower-priority queue gives up its
 * connection before its next message for it (here before its first)
 * unless interruption is off. */
static void test_queue_priority(void)
{
    for (int interrupt = 0; interrupt < 2; interrupt++) {
        char cfg[512];
        snprintf(cfg, sizeof(cfg),
                 "total-max-smtp-out 1\n"
                 "<domain low.com>\n queue-priority 10\n"
                 " allow-priority-interruption %s\n</domain>\n"
                 "<domain mid.com>\n queue-priority 50\n</domain>\n"
                 "<domain high.com>\n queue-priority 90\n</domain>\n",
                 interrupt ? "yes" : "no");
        struct rig r;
        rig_open(&r, cfg, ok, 1, 1, 0);
        rig_send(&r, 0, 3, "low.com", NULL, NULL);
        rig_send(&r, 0, 3, "mid.com", NULL, NULL);
        rig_send(&r, 0, 3, "high.com", NULL, NULL);
        rig_run(&r, 100);
        rig_close(&r, 100);
        static const uint64_t want[2][9] = { { 0, 1, 2, 6, 7, 8, 3, 4, 5 },
                                             { 6, 7, 8, 3, 4, 5, 0, 1, 2 } };
        int bad = r.s.txns != 9;
        for (int i = 0; i < 9 && !bad; i++)
            bad = r.s.order[i] != want[interrupt][i];
        CHECK(
            !bad, "interruption %d: order %llu %llu %llu %llu ...", interrupt,
            (unsigned long long)r.s.order[0], (unsigned long long)r.s.order[1],
            (unsigned long long)r.s.order[2], (unsigned long long)r.s.order[3]);
        rig_remove(&r);
    }
}

/* ------------------------------------------------- the rate window */

/* UG5 §3.3.10.33 gives max-msg-rate as "N per window" without saying how
 * it is enforced. The example of docs/delivery.md: max-msg-rate 100/d,
 * 1,000 messages at once, 3 h: sliding 100, token bucket 112, even 13. */
static void test_rate_window_spread(void)
{
    static const enum mta_rate_algo algo[3] = { MTA_RATE_SLIDING,
                                                MTA_RATE_TOKEN_BUCKET,
                                                MTA_RATE_EVEN };
    static const int want[3] = { 100, 112, 13 };
    for (int k = 0; k < 3; k++) {
        struct rig r;
        rig_algo = algo[k];
        rig_open(&r, "<domain *>\n max-msg-rate 100/d\n</domain>\n", ok, 1, 1,
                 0);
        rig_algo = MTA_RATE_SLIDING;
        rig_send(&r, 0, 1000, "example.com", NULL, NULL);
        rig_run(&r, 3 * 3600);
        rig_close(&r, 3 * 3600);
        CHECK_INT(acct_count(&r, "d", NULL, NULL), want[k]);
        rig_remove(&r);
    }
}

/* ============================ every delivery setting, one at a time */

/* file_count - lines of the rig's report file that contain want. */
static int file_count(const struct rig *r, const char *file, const char *want)
{
    char path[160], line[2048];
    snprintf(path, sizeof(path), "%s/%s", r->dir, file);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        CHECK(0, "%s readable", path);
        return -1;
    }
    int n = 0;
    while (fgets(line, sizeof(line), fp))
        n += strstr(line, want) != NULL;
    fclose(fp);
    return n;
}

/* Two source IPs (world IPs 1 and 2 in the script) in VMTA v. */
#define TWO_IPS                                                                \
    "<virtual-mta v>\n smtp-source-host 10.0.0.1 a.test\n"                     \
    " smtp-source-host 10.0.0.2 b.test\n</virtual-mta>\n"

/* UG5 §3.3.13, §9.3: mail that selects a pool is spread over its member
 * VMTAs round-robin. */
static void test_pool_round_robin(void)
{
    struct rig r;
    rig_open(&r,
             "<virtual-mta va>\n</virtual-mta>\n<virtual-mta vb>\n"
             "</virtual-mta>\n<virtual-mta vc>\n</virtual-mta>\n"
             "<virtual-mta-pool p>\n virtual-mta va\n virtual-mta vb\n"
             " virtual-mta vc\n</virtual-mta-pool>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 9, "example.com", NULL, "p");
    rig_send(&r, 0, 3, "example.com", "p", NULL); /* a pool by vmta name */
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(acct_count(&r, "d", "vmta", "va"), 4);
    CHECK_INT(acct_count(&r, "d", "vmta", "vb"), 4);
    CHECK_INT(acct_count(&r, "d", "vmta", "vc"), 4);
    rig_remove(&r);
}

/* UG5 §3.3.12.6, §9.2: a VMTA's smtp-source-host IPs are used round-robin
 * per connection; §3.3.10.78 source-ip-max-smtp-out caps the connections
 * of one source IP (the most specific CIDR wins). */
static void test_source_ips(void)
{
    struct rig r;
    rig_open(&r,
             TWO_IPS "<domain *>\n max-smtp-out 6\n max-msg-per-connection 5\n"
                     " source-ip-max-smtp-out 10.0.0.0/24 3\n"
                     " source-ip-max-smtp-out 10.0.0.2/32 1\n</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 400, "example.com", "v", NULL);
    rig_run(&r, 600);
    rig_close(&r, 600);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 400);
    CHECK_INT(r.s.ip_peak[1], 3);
    CHECK_INT(r.s.ip_peak[2], 1);
    CHECK_INT(r.s.peak_open, 4); /* not the queue's 6 */
    CHECK(r.s.ip_txns[1] > 2 * r.s.ip_txns[2] && r.s.ip_txns[2] > 0,
          "3:1 connections, %d:%d transactions", r.s.ip_txns[1],
          r.s.ip_txns[2]);
    rig_remove(&r);
    /* without a limit: one connection each way, in turn */
    rig_open(&r,
             TWO_IPS "<domain *>\n max-smtp-out 1\n"
                     " max-msg-per-connection 1\n</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 10, "example.com", "v", NULL);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(r.s.ip_connects[1], 5);
    CHECK_INT(r.s.ip_connects[2], 5);
    CHECK_INT(acct_count(&r, "d", "dlvSourceIp", "10.0.0.2"), 5);
    rig_remove(&r);
}

/* UG5 §3.3.10.81, .83, .84: source-ip-max-connect-rate,
 * source-ip-max-msg-rate and source-ip-max-data-volume-rate hold for each
 * source IP separately. */
static void test_source_ip_rates(void)
{
    struct rig r;
    /* 1 connection a minute per IP, 1 message per connection: 10 min of
     * two IPs is 20 (sliding window: at 0, 60, ..., 540 s) */
    rig_open(&r,
             TWO_IPS "<domain *>\n max-msg-per-connection 1\n"
                     " source-ip-max-connect-rate 10.0.0.0/24 1/m\n</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 100, "example.com", "v", NULL);
    rig_run(&r, 599);
    rig_close(&r, 599);
    CHECK_INT(r.s.ip_connects[1], 10);
    CHECK_INT(r.s.ip_connects[2], 10);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 20);
    rig_remove(&r);
    /* 30 messages an hour per IP: 60 in the hour */
    rig_open(&r,
             TWO_IPS "<domain *>\n source-ip-max-msg-rate 10.0.0.0/24 30/h\n"
                     "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 1000, "example.com", "v", NULL);
    rig_run(&r, 3599);
    rig_close(&r, 3599);
    CHECK_INT(r.s.ip_txns[1], 30);
    CHECK_INT(r.s.ip_txns[2], 30);
    rig_remove(&r);
    /* 10 kB an hour per IP of 1 kB messages: a bucket of 10 each */
    rig_open(&r,
             TWO_IPS "<domain *>\n max-smtp-out 1\n"
                     " source-ip-max-data-volume-rate 10.0.0.1/32 10k/h\n"
                     "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 1000, "example.com", "v", NULL);
    rig_run(&r, 600);
    rig_close(&r, 600);
    CHECK(r.s.ip_txns[1] >= 10 && r.s.ip_txns[1] <= 12,
          "10.0.0.1 at 10k/h sent %d in 10 min", r.s.ip_txns[1]);
    CHECK(r.s.ip_txns[2] > 100, "10.0.0.2 unlimited sent %d", r.s.ip_txns[2]);
    rig_remove(&r);
}

/* UG5 §3.3.10.82 connection-idle-timeout: a connection without mail waits
 * that long for new mail and is then closed; the default 0 closes it at
 * once. */
static void test_idle_timeout(void)
{
    for (int idle = 0; idle < 2; idle++) {
        struct rig r;
        rig_open(&r,
                 idle ? "<domain *>\n connection-idle-timeout 1m\n</domain>\n"
                      : "<domain *>\n</domain>\n",
                 ok, 1, 1, 0);
        rig_send(&r, 0, 1, "example.com", NULL, NULL);
        rig_run(&r, 30);
        CHECK_INT(r.s.open, idle);
        rig_send(&r, 30, 1, "example.com", NULL, NULL);
        rig_run(&r, 89);
        CHECK_INT(r.s.open, idle);
        rig_run(&r, 95); /* 60 s after the last transaction */
        CHECK_INT(r.s.open, 0);
        rig_send(&r, 200, 1, "example.com", NULL, NULL);
        rig_run(&r, 300);
        rig_close(&r, 300);
        CHECK_INT(r.s.connects, idle ? 2 : 3);
        CHECK_INT(acct_count(&r, "d", NULL, NULL), 3);
        rig_remove(&r);
    }
}

/* UG5 §3.3.10.79 smtp-out-rampup-interval: after the first, each new
 * connection of a queue waits that long after the previous one. */
static void test_rampup(void)
{
    struct rig r;
    rig_open(&r,
             "<domain *>\n max-smtp-out 4\n smtp-out-rampup-interval 10s\n"
             "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 1000, "example.com", NULL, NULL);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(r.s.connects, 4);
    for (int k = 0; k < 4; k++)
        CHECK_NEAR(r.s.t_connect[k], 10.0 * k, 1e-6);
    rig_remove(&r);
}

/* UG5 §3.3.10.80 max-connect-rate (and backoff-max-connect-rate in
 * backoff): new connections of the queue per window. */
static void test_connect_rate(void)
{
    struct rig r;
    rig_open(&r,
             "<domain *>\n max-connect-rate 6/m\n max-msg-per-connection 1\n"
             "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 100, "example.com", NULL, NULL);
    rig_run(&r, 599);
    rig_close(&r, 599);
    CHECK_INT(r.s.connects, 60);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 60);
    rig_remove(&r);
}

/* UG5 §3.3.10.37 max-data-volume-rate (a queue's delivered bytes),
 * §3.3.12.3 max-smtp-data-volume-rate (a VMTA's). */
static void test_data_volume(void)
{
    static const char *const cfg[2] = {
        "<domain *>\n max-smtp-out 1\n max-data-volume-rate 20k/h\n"
        "</domain>\n",
        "<virtual-mta v>\n max-smtp-data-volume-rate 20k/h\n</virtual-mta>\n"
        "<domain *>\n max-smtp-out 1\n</domain>\n",
    };
    for (int k = 0; k < 2; k++) {
        struct rig r;
        rig_open(&r, cfg[k], ok, 1, 1, 0);
        rig_send(&r, 0, 100, "example.com", k ? "v" : NULL, NULL);
        rig_send(&r, 0, 100, "example.org", k ? "v" : NULL, NULL);
        rig_run(&r, 1800);
        rig_close(&r, 1800);
        int d = acct_count(&r, "d", NULL, NULL);
        /* a bucket of 20 plus 10 refilled in half an hour, per queue or
         * for the VMTA as a whole */
        int want = k ? 30 : 60;
        CHECK(d >= want && d <= want + 2, "%s: %d delivered, want %d",
              k ? "VMTA" : "queue", d, want);
        rig_remove(&r);
    }
}

/* UG5 §3.3.10.52 type discard: messages are thrown away as delivered;
 * nothing is sent to the remote side. */
static void test_discard(void)
{
    struct rig r;
    rig_open(&r, "<domain *>\n type discard\n</domain>\n", ok, 1, 1, 0);
    rig_send(&r, 0, 50, "example.com", NULL, NULL);
    rig_run(&r, 60);
    CHECK_INT(mta_queued(r.m), 0);
    rig_close(&r, 60);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 50);
    CHECK_INT(r.s.txns, 0);
    CHECK_INT(r.s.connects, 0);
    rig_remove(&r);
}

/* UG5 §3.3.15 disable-source-ip with reenable-after: the queue stops using
 * the source IP that got the reply and goes on with the others until the
 * time is up; §3.3.10.47 backoff-upon-all-sources-disabled puts the queue
 * in backoff when none is left. */
static void test_disable_source_ip(void)
{
    static const char cfg[] =
        TWO_IPS "<smtp-pattern-list l>\n"
                " reply /blocked/ disable-source-ip,reenable-after=10m\n"
                "</smtp-pattern-list>\n"
                "<domain *>\n max-smtp-out 1\n max-msg-per-connection 1\n"
                " smtp-pattern-list l\n backoff-upon-all-sources-disabled yes\n"
                " retry-recipients-after 1s\n</domain>\n";
    struct rig r;
    rig_open(&r, cfg, ok, 1, 1, 0);
    r.s.blocked = "550 5.7.1 blocked";
    r.s.blocked_ip = 1;
    rig_send(&r, 0, 10000, "example.com", "v", NULL);
    rig_run(&r, 599);
    CHECK_INT(r.s.ip_txns[1], 1);
    CHECK(r.s.ip_txns[2] > 100, "10.0.0.2 goes on: %d", r.s.ip_txns[2]);
    rig_run(&r, 700);
    CHECK_INT(r.s.ip_txns[1], 2); /* re-enabled at 600 s, disabled again */
    rig_close(&r, 700);
    CHECK_INT(file_count(&r, "events.csv", "source-ip-disabled"), 2);
    CHECK_INT(file_count(&r, "events.csv", "source-ip-enabled"), 1);
    CHECK_INT(file_count(&r, "events.csv", "all-sources-disabled"), 0);
    rig_remove(&r);
    /* both IPs blocked: all disabled, the queue goes into backoff */
    static const char *const blocked[] = { "550 5.7.1 blocked" };
    rig_open(&r, cfg, blocked, 1, 1, 0);
    rig_send(&r, 0, 10, "example.com", "v", NULL);
    rig_run(&r, 300);
    CHECK_INT(r.s.txns, 2);
    rig_close(&r, 300);
    CHECK_INT(file_count(&r, "events.csv", "all-sources-disabled"), 1);
    CHECK_INT(file_count(&r, "events.csv", "backoff-enter"), 1);
    rig_remove(&r);
}

/* UG5 §3.3.15 defer-queue: the queue goes into retry mode (retry-after)
 * after the matching reply; the recipient waits as for any 4xx. */
static void test_defer_queue(void)
{
    static const char *const seq[] = { "451 4.7.0 slow down", "250 2.0.0 ok" };
    struct rig r;
    rig_open(
        &r,
        "<smtp-pattern-list l>\n reply /slow down/ defer-queue\n"
        "</smtp-pattern-list>\n"
        "<domain *>\n smtp-pattern-list l\n retry-after 10m\n max-smtp-out 1\n"
        " retry-recipients-after 1m\n</domain>\n",
        seq, 2, 1, 0);
    rig_send(&r, 0, 5, "example.com", NULL, NULL);
    rig_run(&r, 599);
    CHECK_INT(r.s.txns, 1);
    rig_run(&r, 700);
    rig_close(&r, 700);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 5);
    CHECK_NEAR(r.s.t_connect[1], 600.1, 1e-6); /* 10 min after the reply */
    CHECK_INT(file_count(&r, "events.csv", "defer-queue rule matched"), 1);
    rig_remove(&r);
}

/* UG5 §3.3.10.39 retry-after: a queue-level failure (here a refused
 * connection) puts the queue in retry mode for the list's next interval,
 * the last repeating; §3.3.10.62 bounce-upon-5xx-greeting (default yes)
 * bounces the whole queue on a 5xx greeting. */
static void test_retry_mode(void)
{
    static const char *const greet[] = { "421 4.3.2 busy", "421 4.3.2 busy",
                                         "421 4.3.2 busy", "220 ready" };
    struct rig r;
    rig_open(&r, "<domain *>\n retry-after 1m,5m\n max-smtp-out 1\n</domain>\n",
             ok, 1, 1, 0);
    r.s.greet = greet;
    r.s.n_greet = 4;
    rig_send(&r, 0, 3, "example.com", NULL, NULL);
    rig_run(&r, 1000);
    rig_close(&r, 1000);
    CHECK_INT(r.s.connects, 4);
    static const double want[] = { 0, 60, 360, 660 };
    for (int k = 0; k < 4; k++)
        CHECK_NEAR(r.s.t_connect[k], want[k], 1e-6);
    CHECK_INT(acct_count(&r, "tq", NULL, NULL), 3);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 3);
    rig_remove(&r);
    static const char *const reject[] = { "554 5.7.1 go away" };
    for (int bounce = 0; bounce < 2; bounce++) {
        rig_open(&r,
                 bounce ? "<domain *>\n max-smtp-out 1\n</domain>\n"
                        : "<domain *>\n bounce-upon-5xx-greeting no\n"
                          " retry-after 1h\n max-smtp-out 1\n</domain>\n",
                 ok, 1, 1, 0);
        r.s.greet = reject;
        r.s.n_greet = 1;
        rig_send(&r, 0, 7, "example.com", NULL, NULL);
        rig_run(&r, 100);
        CHECK_INT(mta_queued(r.m), bounce ? 0 : 7);
        rig_close(&r, 100);
        CHECK_INT(acct_count(&r, "b", NULL, NULL), bounce ? 7 : 0);
        CHECK_INT(r.s.connects, 1);
        rig_remove(&r);
    }
}

/* A refused extra connection while another works holds new connections
 * for the first retry-after interval without retry mode for the queue
 * (docs/delivery.md: the guide does not cover the case). */
static void test_refused_extra(void)
{
    static const char *const greet[] = { "220 ready", "421 4.3.2 too many" };
    struct rig r;
    rig_open(&r,
             "<domain *>\n max-smtp-out 2\n retry-after 5m\n"
             " connection-idle-timeout 10m\n</domain>\n",
             ok, 1, 1, 0);
    r.s.greet = greet;
    r.s.n_greet = 2;
    rig_send(&r, 0, 10000, "example.com", NULL, NULL);
    rig_run(&r, 299);
    CHECK_INT(r.s.connects, 2);
    CHECK(r.s.txns > 2900, "the open one goes on: %d", r.s.txns);
    rig_run(&r, 301);
    rig_close(&r, 301);
    CHECK_INT(r.s.connects, 3); /* refused again */
    CHECK_INT(file_count(&r, "events.csv", "connection-refused"), 2);
    CHECK_INT(file_count(&r, "events.csv", "retry-mode"), 0);
    rig_remove(&r);
}

/* UG5 §3.3.10.86 retry-upon-new-mail: new mail ends a queue's retry mode
 * at once (default no: it waits out retry-after). */
static void test_retry_upon_new_mail(void)
{
    static const char *const greet[] = { "421 4.3.2 busy", "220 ready" };
    for (int yes = 0; yes < 2; yes++) {
        char cfg[128];
        snprintf(cfg, sizeof(cfg),
                 "<domain *>\n max-smtp-out 1\n retry-after 1h\n"
                 " retry-upon-new-mail %s\n"
                 "</domain>\n",
                 yes ? "yes" : "no");
        struct rig r;
        rig_open(&r, cfg, ok, 1, 1, 0);
        r.s.greet = greet;
        r.s.n_greet = 2;
        rig_send(&r, 0, 1, "example.com", NULL, NULL);
        rig_run(&r, 60);
        rig_send(&r, 60, 1, "example.com", NULL, NULL);
        rig_run(&r, 4000);
        rig_close(&r, 4000);
        CHECK_INT(r.s.connects, 2);
        CHECK_NEAR(r.s.t_connect[1], yes ? 60 : 3600, 1e-6);
        rig_remove(&r);
    }
}

/* UG5 §3.3.10.46 backoff-to-normal-after-delivery: the first delivery in
 * backoff returns the queue to normal (default: it stays in backoff until
 * backoff-to-normal-after); §3.3.10.76 backoff-max-smtp-out applies
 * meanwhile; a mode=normal rule (§3.3.15) also ends backoff. */
static void test_backoff_after_delivery(void)
{
    static const char *const seq[] = { "451 4.7.0 throttled", "250 2.0.0 ok" };
    static const char *const cfgs[3] = {
        "backoff-to-normal-after-delivery no\n",
        "backoff-to-normal-after-delivery yes\n",
        "backoff-to-normal-after-delivery no\n", /* + reply /ok/ normal */
    };
    for (int k = 0; k < 3; k++) {
        char cfg[512];
        snprintf(cfg, sizeof(cfg),
                 "<smtp-pattern-list l>\n reply /throttled/ mode=backoff\n%s"
                 "</smtp-pattern-list>\n"
                 "<domain *>\n smtp-pattern-list l\n max-smtp-out 4\n"
                 " backoff-max-smtp-out 1\n backoff-to-normal-after 1h\n %s"
                 "</domain>\n",
                 k == 2 ? " reply /ok/ mode=normal\n" : "", cfgs[k]);
        struct rig r;
        rig_open(&r, cfg, seq, 2, 1, 0);
        rig_send(&r, 0, 2000, "example.com", NULL, NULL);
        rig_run(&r, 30);
        CHECK(r.s.open == (k ? 4 : 1), "case %d: %d open", k, r.s.open);
        rig_close(&r, 30);
        CHECK_INT(file_count(&r, "events.csv", "backoff-enter"), 1);
        CHECK_INT(file_count(&r, "events.csv", "backoff-exit"), k ? 1 : 0);
        rig_remove(&r);
    }
}

/* UG5 §3.3.10.72 max-msg-per-connection, §3.3.10.1
 * max-errors-per-connection: a connection is closed after so many
 * messages, or so many failed transactions. */
static void test_per_connection_limits(void)
{
    struct rig r;
    rig_open(&r,
             "<domain *>\n max-smtp-out 1\n max-msg-per-connection 10\n"
             "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 100, "example.com", NULL, NULL);
    rig_run(&r, 100);
    rig_close(&r, 100);
    CHECK_INT(r.s.connects, 10);
    rig_remove(&r);
    static const char *const busy[] = { "452 4.2.2 over quota" };
    rig_open(&r,
             "<domain *>\n max-smtp-out 1\n max-errors-per-connection 3\n"
             " retry-recipients-after 1h\n</domain>\n",
             busy, 1, 1, 0);
    rig_send(&r, 0, 9, "example.com", NULL, NULL);
    rig_run(&r, 100);
    rig_close(&r, 100);
    CHECK_INT(r.s.connects, 3);
    CHECK_INT(acct_count(&r, "t", NULL, NULL), 9);
    rig_remove(&r);
}

/* UG5 §3.3.10.11 bounce-after while the queue cannot send (in retry mode
 * behind a refused greeting): the queued recipients expire on time. */
static void test_expiry_in_retry(void)
{
    static const char *const greet[] = { "421 4.3.2 busy" };
    struct rig r;
    rig_open(&r, "<domain *>\n retry-after 1h\n bounce-after 30m\n</domain>\n",
             ok, 1, 1, 0);
    r.s.greet = greet;
    r.s.n_greet = 1;
    rig_send(&r, 0, 5, "example.com", NULL, NULL);
    rig_send(&r, 600, 5, "example.com", NULL, NULL);
    rig_run(&r, 1799);
    CHECK_INT(mta_queued(r.m), 10);
    rig_run(&r, 1800);
    CHECK_INT(mta_queued(r.m), 5);
    rig_run(&r, 2400);
    CHECK_INT(mta_queued(r.m), 0);
    rig_close(&r, 2400);
    CHECK_INT(acct_count(&r, "b", "dsnStatus", "4.4.7"), 10);
    rig_remove(&r);
}

/* UG5 §9.5.2: an unknown VMTA or pool name is refused at injection. Many
 * domains make many queues (the lookup tables grow). */
static void test_injection(void)
{
    struct rig r;
    rig_open(&r,
             "<virtual-mta v>\n</virtual-mta>\n<virtual-mta-pool p>\n"
             " virtual-mta v\n</virtual-mta-pool>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 2, "example.com", "nosuch", NULL);
    rig_send(&r, 0, 3, "example.com", NULL, "nosuch");
    char dom[100][32];
    for (int i = 0; i < 100; i++) {
        snprintf(dom[i], sizeof(dom[i]), "d%d.example", i);
        rig_send(&r, 1, 1, dom[i], "v", NULL);
        rig_send(&r, 1, 1, dom[i], NULL, "p");
    }
    CHECK_INT(mta_queue_count(r.m), 100);
    CHECK(mta_peak_recipients(r.m) >= 2, "peak %zu", mta_peak_recipients(r.m));
    rig_run(&r, 100);
    rig_close(&r, 100);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 200);
    CHECK_INT(file_count(&r, "events.csv", "rejected-at-injection"), 5);
    rig_remove(&r);
}

/* ============================================================ reroutes */

/* queue_figure - summary.json's figure key of queue name, or -1. */
static double queue_figure(const struct rig *r, const char *name,
                           const char *key)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/summary.json", r->dir);
    FILE *fp = fopen(path, "r");
    static char text[1 << 16];
    size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
    text[n] = '\0';
    if (fp)
        fclose(fp);
    cJSON *root = cJSON_Parse(text);
    double v = -1;
    const cJSON *q;
    cJSON_ArrayForEach(q, cJSON_GetObjectItem(root, "queues"))
    {
        const cJSON *nm = cJSON_GetObjectItem(q, "queue");
        if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
            v = cJSON_GetNumberValue(cJSON_GetObjectItem(q, key));
    }
    cJSON_Delete(root);
    return v;
}

/* UG5 §3.3.10.50 reroute-to-virtual-mta: the queue's mail goes to the
 * named VMTA's queue for the same domain, or over a pool's members
 * round-robin; a reroute back to where the mail came from is not taken. */
static void test_reroute(void)
{
    static const char *const target[3] = { "b", "p", "b" };
    for (int k = 0; k < 3; k++) {
        char cfg[600];
        snprintf(cfg, sizeof(cfg),
                 "<virtual-mta a>\n <domain *>\n  reroute-to-virtual-mta %s\n"
                 " </domain>\n</virtual-mta>\n"
                 "<virtual-mta b>\n%s</virtual-mta>\n"
                 "<virtual-mta c>\n</virtual-mta>\n"
                 "<virtual-mta-pool p>\n virtual-mta b\n virtual-mta c\n"
                 "</virtual-mta-pool>\n",
                 target[k],
                 k == 2 ? " <domain *>\n  reroute-to-virtual-mta a\n"
                          " </domain>\n"
                        : "");
        struct rig r;
        rig_open(&r, cfg, ok, 1, 1, 0);
        rig_send(&r, 0, 10, "example.com", "a", NULL);
        rig_run(&r, 60);
        rig_close(&r, 60);
        CHECK_INT(acct_count(&r, "d", "vmta", "a"), 0);
        CHECK_INT(acct_count(&r, "d", "vmta", "b"), k == 1 ? 5 : 10);
        CHECK_INT(acct_count(&r, "d", "vmta", "c"), k == 1 ? 5 : 0);
        CHECK_NEAR(queue_figure(&r, "example.com/a", "rerouted"), 10, 0);
        CHECK_NEAR(queue_figure(&r, "example.com/a", "injected"), 10, 0);
        CHECK_NEAR(queue_figure(&r, "example.com/b", "rerouted"), 0, 0);
        rig_remove(&r);
    }
}

/* A rollup queue reroutes like any other (the pattern of published
 * configs: reroute-to-virtual-mta per rollup inside a VMTA): both domains
 * behind the MX go to the rollup queue of the target VMTA. */
static void test_reroute_rollup(void)
{
    struct rig r;
    rig_open(&r,
             "<mx-rollup-list>\n mx *.mx.test test.rollup\n</mx-rollup-list>\n"
             "<virtual-mta a>\n <domain test.rollup>\n"
             "  reroute-to-virtual-mta b\n </domain>\n</virtual-mta>\n"
             "<virtual-mta b>\n</virtual-mta>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 3, "example.com", "a", NULL);
    rig_send(&r, 0, 4, "example.org", "a", NULL);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(acct_count(&r, "d", "queue", "test.rollup/b"), 7);
    CHECK_NEAR(queue_figure(&r, "test.rollup/a", "rerouted"), 7, 0);
    rig_remove(&r);
}

/* UG5 §3.3.10.51 backoff-reroute-to-virtual-mta: while the queue is in
 * backoff (here from a mode=backoff rule of its <smtp-pattern-list>), its
 * queued mail and new arrivals go to the named VMTA's queue; back in
 * normal mode, new mail stays. Recipients deferred meanwhile follow when
 * their retry time comes. */
static void test_backoff_reroute(void)
{
    static const char *const seq[] = { "451 4.7.0 throttled", "250 2.0.0 ok" };
    struct rig r;
    rig_open(&r,
             "<smtp-pattern-list l>\n reply /throttled/ mode=backoff\n"
             "</smtp-pattern-list>\n"
             "<virtual-mta a>\n <domain *>\n"
             "  backoff-reroute-to-virtual-mta w\n  smtp-pattern-list l\n"
             "  max-smtp-out 1\n  backoff-to-normal-after 10m\n"
             "  retry-recipients-after 1m\n </domain>\n</virtual-mta>\n"
             "<virtual-mta w>\n</virtual-mta>\n",
             seq, 2, 1, 0);
    rig_send(&r, 0, 100, "example.com", "a", NULL);
    rig_run(&r, 300);
    rig_send(&r, 300, 10, "example.com", "a", NULL);
    rig_run(&r, 700);
    rig_send(&r, 700, 10, "example.com", "a", NULL);
    rig_run(&r, 800);
    rig_close(&r, 800);
    CHECK_INT(acct_count(&r, "t", "vmta", "a"), 1);
    CHECK_INT(acct_count(&r, "d", "vmta", "w"), 110);
    CHECK_INT(acct_count(&r, "d", "vmta", "a"), 10);
    /* per queue: injected = delivered + rerouted (+ bounced, expired,
     * queued at the end); a rerouted recipient is injected into the
     * target queue, once in the totals */
    CHECK_NEAR(queue_figure(&r, "example.com/a", "rerouted"), 110, 0);
    CHECK_NEAR(queue_figure(&r, "example.com/a", "injected"), 120, 0);
    CHECK_NEAR(queue_figure(&r, "example.com/w", "injected"), 110, 0);
    CHECK_NEAR(queue_figure(&r, "example.com/w", "rerouted"), 0, 0);
    rig_remove(&r);
}

/* UG5 §3.3.10.49: mail past a cold VMTA's daily max-cold-virtual-mta-msg
 * stays on the VMTA it selected (nothing is rerouted); the warm-up
 * pattern adds backoff-reroute-to-virtual-mta on the cold VMTA, so mail
 * the cold IP's provider throttles moves to the warm VMTA. */
static void test_cold_overflow(void)
{
    struct rig r;
    rig_open(&r,
             "<smtp-pattern-list l>\n reply /throttled/ mode=backoff\n"
             "</smtp-pattern-list>\n"
             "<virtual-mta cold>\n smtp-source-host 10.0.0.9 c.test\n"
             " <domain *>\n  backoff-reroute-to-virtual-mta warm\n"
             "  smtp-pattern-list l\n  max-smtp-out 1\n"
             "  backoff-to-normal-after 1h\n  retry-recipients-after 1m\n"
             " </domain>\n</virtual-mta>\n"
             "<virtual-mta warm>\n cold-virtual-mta cold\n</virtual-mta>\n"
             "<domain *>\n max-cold-virtual-mta-msg 50/d\n</domain>\n",
             ok, 1, 1, 0);
    r.s.blocked = "451 4.7.0 throttled"; /* every reply to the cold IP */
    r.s.blocked_ip = 1;
    rig_send(&r, 0, 200, "example.com", "warm", NULL);
    rig_run(&r, 3000);
    rig_close(&r, 3000);
    /* 50 to cold, 150 stay on warm; the cold IP's first reply puts its
     * queue in backoff and its 49 others move, the deferred one follows
     * a minute later */
    CHECK_INT(r.s.ip_txns[1], 1);
    CHECK_INT(acct_count(&r, "d", "vmta", "cold"), 0);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 200);
    CHECK_NEAR(queue_figure(&r, "example.com/cold", "injected"), 50, 0);
    CHECK_NEAR(queue_figure(&r, "example.com/cold", "rerouted"), 50, 0);
    CHECK_NEAR(queue_figure(&r, "example.com/warm", "injected"), 200, 0);
    rig_remove(&r);
}

/* ================================================ multi-recipient mail */

/* rig_send_msg - one message of n recipients of domain at t_s. */
static void rig_send_msg(struct rig *r, double t_s, int n, const char *domain,
                         uint64_t msg)
{
    for (int i = 0; i < n; i++) {
        struct send_rec sr = { .t_us = (int64_t)(t_s * 1e6),
                               .id = r->next_id++,
                               .domain = domain,
                               .domain_ix = UINT32_MAX,
                               .size = 1000,
                               .msg = msg };
        r->q.now_us = sr.t_us;
        mta_inject(r->m, &sr, sr.t_us);
    }
}

/* UG5 §3.3.10.74 max-rcpt-per-message: a message's recipients of one
 * domain go in transactions of at most that many; each recipient gets its
 * own reply (RCPT TO). */
static void test_multi_rcpt(void)
{
    struct rig r;
    rig_open(&r,
             "<domain *>\n max-smtp-out 1\n max-rcpt-per-message 3\n"
             "</domain>\n",
             ok, 1, 1, 0);
    rig_send_msg(&r, 0, 6, "example.com", 7);
    rig_send_msg(&r, 0, 1, "example.com", 0);
    rig_run(&r, 119);
    rig_close(&r, 119);
    /* transactions of 3, 3 and the single, 0.1 s apart */
    static const double t_multi[7] = { 0, 0, 0, 0.1, 0.1, 0.1, 0.2 };
    CHECK_INT(r.s.txns, 7);
    for (int i = 0; i < 7; i++)
        CHECK_NEAR(r.s.t_txn[i], t_multi[i], 1e-6);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 7);
    rig_remove(&r);
    /* UG5 §3.3.10.33 max-msg-rate counts attempted recipients, not
     * messages: with 2/m, two recipients a minute, so a message of 6 goes
     * as transactions of 2 (docs/delivery.md) */
    rig_open(&r,
             "<domain *>\n max-smtp-out 1\n max-rcpt-per-message 3\n"
             " max-msg-rate 2/m\n</domain>\n",
             ok, 1, 1, 0);
    rig_send_msg(&r, 0, 6, "example.com", 7);
    rig_send_msg(&r, 0, 1, "example.com", 0);
    rig_run(&r, 200);
    rig_close(&r, 200);
    static const double t_rate[7] = { 0, 0, 60, 60, 120, 120, 180 };
    CHECK_INT(r.s.txns, 7);
    for (int i = 0; i < 7; i++)
        CHECK_NEAR(r.s.t_txn[i], t_rate[i], 1e-6);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 7);
    rig_remove(&r);
    /* the VMTA's max-smtp-msg-rate counts recipients too */
    rig_open(&r,
             "<virtual-mta v>\n smtp-source-host 10.0.0.1 a.test\n"
             " max-smtp-msg-rate 2/m\n</virtual-mta>\n"
             "<domain *>\n max-smtp-out 1\n max-rcpt-per-message 3\n"
             "</domain>\n",
             ok, 1, 1, 0);
    for (int i = 0; i < 6; i++) {
        struct send_rec sr = { .t_us = 0,
                               .id = r.next_id++,
                               .domain = "example.com",
                               .domain_ix = UINT32_MAX,
                               .vmta = "v",
                               .size = 1000,
                               .msg = 7 };
        mta_inject(r.m, &sr, 0);
    }
    rig_run(&r, 200);
    rig_close(&r, 200);
    CHECK_INT(r.s.txns, 6);
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(r.s.t_txn[i], t_rate[i], 1e-6);
    rig_remove(&r);
    static const char *const mixed[] = { "250 2.0.0 ok", "550 5.1.1 unknown",
                                         "452 4.2.2 full", "250 2.0.0 ok" };
    rig_open(&r,
             "<domain *>\n max-smtp-out 1\n retry-recipients-after 1h\n"
             "</domain>\n",
             mixed, 4, 1, 0);
    rig_send_msg(&r, 0, 3, "example.com", 9);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 1);
    CHECK_INT(acct_count(&r, "b", NULL, NULL), 1);
    CHECK_INT(acct_count(&r, "t", NULL, NULL), 1);
    CHECK_NEAR(r.s.t_last, 0, 1e-6); /* one transaction */
    rig_remove(&r);
}

/* ================================================== MX connection limit */

/* UG5 §3.3.1.48.1 mx-connection-limit: connections from one source IP to
 * an MX host matching the pattern, counted over every queue that uses the
 * host (the model gives every domain here the MX a.mx.test, then
 * b.mx.test). */
static void test_mx_connection_limit(void)
{
    static const char *const pat[3] = { "a.mx.test", "*.mx.test", "c.test" };
    for (int k = 0; k < 3; k++) {
        char cfg[256];
        snprintf(cfg, sizeof(cfg),
                 "mx-connection-limit %s 3\n"
                 "<domain *>\n max-smtp-out 5\n</domain>\n",
                 pat[k]);
        struct rig r;
        rig_open(&r, cfg, ok, 1, 2, 0);
        rig_send(&r, 0, 500, "example.com", NULL, NULL);
        rig_send(&r, 0, 500, "example.org", NULL, NULL);
        rig_run(&r, 30);
        CHECK(r.s.peak_open == (k < 2 ? 3 : 10), "%s: %d connections", pat[k],
              r.s.peak_open);
        rig_run(&r, 600);
        rig_close(&r, 600);
        CHECK_INT(acct_count(&r, "d", NULL, NULL), 1000);
        rig_remove(&r);
    }
}

/* ========================================== destination IPs of MX hosts */

/* The model's MX host a.mx.test with two addresses (documentation range). */
#define MX_TWO_ADDR                                                            \
    "{\"host\": \"a.mx.test\", \"ips\": [\"192.0.2.1\", \"192.0.2.2\"]}"

/* UG5 §3.3.1.48.2 ip-connection-limit: connections from one source IP to
 * a destination IP in the CIDR (the most specific one), counted over every
 * queue; connections take the MX host's addresses in turn and the
 * accounting file names the one used (dlvDestinationIp). */
static void test_ip_connection_limit(void)
{
    static const char *const lim[3] = {
        "ip-connection-limit 192.0.2.0/24 2\n",
        "ip-connection-limit 192.0.2.0/24 2\n"
        "ip-connection-limit 192.0.2.2/32 1\n",
        "ip-connection-limit 198.51.100.0/24 1\n",
    };
    static const int peak[3] = { 4, 3, 10 };
    rig_mx = MX_TWO_ADDR;
    for (int k = 0; k < 3; k++) {
        char cfg[256];
        snprintf(cfg, sizeof(cfg), "%s<domain *>\n max-smtp-out 5\n</domain>\n",
                 lim[k]);
        struct rig r;
        rig_open(&r, cfg, ok, 1, 1, 0);
        rig_send(&r, 0, 500, "example.com", NULL, NULL);
        rig_send(&r, 0, 500, "example.org", NULL, NULL);
        rig_run(&r, 30);
        CHECK(r.s.peak_open == peak[k], "limits %d: %d connections, want %d", k,
              r.s.peak_open, peak[k]);
        rig_run(&r, 900);
        rig_close(&r, 900);
        CHECK_INT(acct_count(&r, "d", NULL, NULL), 1000);
        int a1 = acct_count(&r, "d", "dlvDestinationIp", "192.0.2.1");
        int a2 = acct_count(&r, "d", "dlvDestinationIp", "192.0.2.2");
        CHECK(a1 + a2 == 1000 && a1 > 0 && a2 > 0,
              "limits %d: deliveries to 192.0.2.1 %d, to .2 %d", k, a1, a2);
        if (k == 1)
            CHECK(a1 > a2, "two connections to .1 for one to .2: %d, %d", a1,
                  a2);
        rig_remove(&r);
    }
    /* per source IP: two source IPs, each with its own allowance */
    struct rig r;
    rig_open(&r,
             TWO_IPS "ip-connection-limit 192.0.2.0/24 1\n"
                     "<domain *>\n max-smtp-out 10\n</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 400, "example.com", "v", NULL);
    rig_run(&r, 30);
    CHECK_INT(r.s.peak_open, 4);
    CHECK_INT(r.s.ip_peak[1], 2);
    CHECK_INT(r.s.ip_peak[2], 2);
    rig_close(&r, 30);
    rig_remove(&r);
    /* a model without addresses: no limit applies, the column stays empty */
    rig_mx = NULL;
    rig_open(&r,
             "ip-connection-limit 0/0 1\n<domain *>\n max-smtp-out 3\n"
             "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 100, "example.com", NULL, NULL);
    rig_run(&r, 30);
    CHECK_INT(r.s.peak_open, 3);
    rig_close(&r, 30);
    CHECK_INT(acct_count(&r, "d", "dlvDestinationIp", "."), 0);
    rig_remove(&r);
}

/* ===================================================== several MX hosts */

/* MX preference (RFC 5321 §5.1; UG5 §3.3.10.90 for smtp-hosts levels):
 * the most preferred hosts first, whatever the model's order; hosts of
 * one preference share the connections in turn. */
static void test_mx_preference(void)
{
    rig_mx = "{\"host\": \"c.mx.test\", \"preference\": 20, "
             "\"ips\": [\"192.0.2.3\"]},"
             "{\"host\": \"a.mx.test\", \"preference\": 10, "
             "\"ips\": [\"192.0.2.1\"]},"
             "{\"host\": \"b.mx.test\", \"preference\": 10, "
             "\"ips\": [\"192.0.2.2\"]}";
    struct rig r;
    rig_open(&r,
             "<domain *>\n max-smtp-out 1\n max-msg-per-connection 1\n"
             "</domain>\n",
             ok, 1, 1, 0);
    rig_send(&r, 0, 10, "example.com", NULL, NULL);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(acct_count(&r, "d", "dlvDestinationIp", "192.0.2.1"), 5);
    CHECK_INT(acct_count(&r, "d", "dlvDestinationIp", "192.0.2.2"), 5);
    CHECK_INT(acct_count(&r, "d", "dlvDestinationIp", "192.0.2.3"), 0);
    rig_remove(&r);
    rig_mx = NULL;
}

/* A provider's per-MX behaviour: the model's most preferred host refuses
 * every connection ("refuse", a host that is down). With
 * smtp-421-means-mx-unavailable (UG5 §3.3.10.59) or a skip-mx rule on the
 * greeting (§3.3.15) the queue tries the next MX at once; otherwise the
 * refusal puts the queue into retry mode. */
static void test_mx_down(void)
{
    static const char *const cfg[3] = {
        "<domain *>\n smtp-421-means-mx-unavailable yes\n"
        " retry-after 1h\n max-msg-per-connection 1\n max-smtp-out 1\n"
        "</domain>\n",
        "<smtp-pattern-list l>\n reply /not available/ skip-mx\n"
        "</smtp-pattern-list>\n"
        "<domain *>\n smtp-pattern-list l\n retry-after 1h\n"
        " max-msg-per-connection 1\n max-smtp-out 1\n</domain>\n",
        "<domain *>\n retry-after 1h\n max-msg-per-connection 1\n"
        " max-smtp-out 1\n</domain>\n",
    };
    rig_mx = "{\"host\": \"a.mx.test\", \"preference\": 10, "
             "\"ips\": [\"192.0.2.1\"], "
             "\"refuse\": \"421 4.3.2 Service not available\"},"
             "{\"host\": \"b.mx.test\", \"preference\": 20, "
             "\"ips\": [\"192.0.2.2\"]}";
    for (int k = 0; k < 3; k++) {
        struct rig r;
        rig_open(&r, cfg[k], ok, 1, 1, 0);
        rig_send(&r, 0, 4, "example.com", NULL, NULL);
        rig_run(&r, 60);
        rig_close(&r, 60);
        int d = acct_count(&r, "d", "dlvDestinationIp", "192.0.2.2");
        int tq = acct_count(&r, "tq", "dlvDestinationIp", "192.0.2.1");
        CHECK(d == (k < 2 ? 4 : 0), "case %d: %d delivered through b", k, d);
        CHECK(tq == (k < 2 ? 4 : 1), "case %d: %d refusals from a", k, tq);
        CHECK_INT(r.s.connects, k < 2 ? 4 : 0); /* a never asks the model */
        rig_remove(&r);
    }
    rig_mx = NULL;
}

/* ========================================================= DATA reply */

/* RFC 5321 §3.3 / UG5 §3.3.15: after the RCPT replies, the provider
 * answers DATA once for the message; a refusal there stands for every
 * recipient accepted at RCPT (the ones refused at RCPT keep their reply),
 * goes through the smtp-pattern-list, is one error of the connection, and
 * is no RCPT reply for bounce-rcpt. */
static void test_data_reply(void)
{
    static const char *const rcpt[] = { "250 2.1.5 ok", "550 5.1.1 unknown",
                                        "250 2.1.5 ok" };
    struct rig r;
    rig_open(&r, "<domain *>\n max-rcpt-per-message 3\n</domain>\n", rcpt, 3, 1,
             0);
    r.s.data = "554 5.7.1 message refused";
    rig_send_msg(&r, 0, 3, "example.com", 5);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(r.s.datas, 1);
    CHECK_INT(acct_count(&r, "d", NULL, NULL), 0);
    CHECK_INT(acct_count(&r, "b", "dsnDiag", "5.7.1 message refused"), 2);
    CHECK_INT(acct_count(&r, "b", "dsnDiag", "5.1.1 unknown"), 1);
    rig_remove(&r);
    /* a 4xx at DATA defers them all; bounce-rcpt does not act on it, and
     * the connection counts one error (max-errors-per-connection 2 keeps
     * it open for the next message) */
    rig_open(&r,
             "<smtp-pattern-list l>\n reply /4.7.500/ bounce-rcpt\n"
             "</smtp-pattern-list>\n"
             "<domain *>\n max-rcpt-per-message 3\n max-smtp-out 1\n"
             " max-errors-per-connection 2\n smtp-pattern-list l\n"
             " retry-recipients-after 1h\n</domain>\n",
             ok, 1, 1, 0);
    r.s.data = "451 4.7.500 Server busy";
    rig_send_msg(&r, 0, 3, "example.com", 5);
    rig_send_msg(&r, 0, 1, "example.com", 0);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(r.s.datas, 2);
    CHECK_INT(acct_count(&r, "t", "dsnDiag", "4.7.500"), 4);
    CHECK_INT(acct_count(&r, "b", NULL, NULL), 0);
    CHECK_INT(r.s.connects, 1);
    rig_remove(&r);
    /* nothing accepted at RCPT: no DATA */
    static const char *const none[] = { "550 5.1.1 unknown" };
    rig_open(&r, "<domain *>\n max-rcpt-per-message 3\n</domain>\n", none, 1, 1,
             0);
    rig_send_msg(&r, 0, 2, "example.com", 5);
    rig_run(&r, 60);
    rig_close(&r, 60);
    CHECK_INT(r.s.datas, 0);
    CHECK_INT(acct_count(&r, "b", NULL, NULL), 2);
    rig_remove(&r);
}

/* the models' optional "data_reply": that share of messages, a keyed draw
 * per message and attempt; a bad one is refused with its JSON path */
static void test_model_data_reply(void)
{
    static const char *const bad[] = {
        "{\"domains\": [\"*\"], \"data_reply\": {\"rate\": 2, "
        "\"reply\": \"554 5.7.1 no\"}}",
        "{\"domains\": [\"*\"], \"data_reply\": {\"rate\": 0.1, "
        "\"reply\": \"250 ok\"}}",
        "{\"domains\": [\"*\"], \"mx\": [{\"host\": \"a.test\", "
        "\"ips\": [\"192.0.2.300\"]}]}",
        "{\"domains\": [\"*\"], \"mx\": [{\"host\": \"a.test\", "
        "\"preference\": -1}]}",
    };
    static const char *const where[] = { "$.data_reply.rate",
                                         "$.data_reply.reply", "$.mx[0].ips[0]",
                                         "$.mx[0].preference" };
    char path[] = "/tmp/test_mta_model.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temp file");
    close(fd);
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        write_file(path, bad[i]);
        struct diag_list dl;
        diag_list_init(&dl, 10);
        struct prov_world *w = prov_world_alloc();
        CHECK(prov_world_load(w, path, &dl) < 0, "bad model %zu refused", i);
        int found = 0;
        for (size_t k = 0; k < dl.n; k++)
            found |= strstr(dl.items[k].message, where[i]) != NULL ||
                     (dl.items[k].file && strstr(dl.items[k].file, where[i]));
        CHECK(found, "bad model %zu: error names %s", i, where[i]);
        if (!found)
            for (size_t k = 0; k < dl.n; k++)
                diag_print(stderr, &dl.items[k], 0);
        prov_world_free(w);
        diag_list_release(&dl);
    }
    write_file(path, "{\"domains\": [\"*\"], \"data_reply\": {\"rate\": "
                     "0.25, \"reply\": \"554 5.7.1 refused\"}}");
    struct diag_list dl;
    diag_list_init(&dl, 10);
    struct prov_world *w = prov_world_alloc();
    CHECK(prov_world_load(w, path, &dl) == 0, "model with data_reply loads");
    prov_world_add_ip(w, "0.0.0.0", -1, -1);
    struct rng g;
    rng_init(&g, 1, 0);
    int refused = 0, again = 0;
    for (uint64_t id = 0; id < 4000; id++) {
        struct prov_rcpt pr = { id, 0, 0, 0, 1000 };
        struct prov_reply a, b;
        prov_data(w, 0, 0, 1.0, &g, &pr, &a);
        prov_data(w, 0, 0, 2.0, &g, &pr, &b);
        refused += a.outcome == PROV_REJECT;
        again += a.outcome == b.outcome;
        if (a.outcome == PROV_REJECT)
            CHECK(a.code == 554 && strcmp(a.text, "554 5.7.1 refused") == 0,
                  "the model's reply");
    }
    CHECK(refused > 900 && refused < 1100, "a quarter refused: %d", refused);
    CHECK_INT(again, 4000); /* keyed: the same message, the same answer */
    rng_release(&g);
    prov_world_free(w);
    diag_list_release(&dl);
    unlink(path);
}

int main(void)
{
    test_pool_limits();
    test_421_reuse();
    test_cold_per_cold_vmta();
    test_cold_days();
    test_bounce_queue();
    test_bounce_rcpt();
    test_duplicate_actions();
    test_skip_mx();
    test_exact_expiry();
    test_deadline_order();
    test_2xx_patterns();
    test_enhanced_codes();
    test_recipient_priority();
    test_queue_priority();
    test_rate_window_spread();
    test_pool_round_robin();
    test_source_ips();
    test_source_ip_rates();
    test_idle_timeout();
    test_rampup();
    test_connect_rate();
    test_data_volume();
    test_discard();
    test_disable_source_ip();
    test_defer_queue();
    test_retry_mode();
    test_refused_extra();
    test_retry_upon_new_mail();
    test_backoff_after_delivery();
    test_per_connection_limits();
    test_expiry_in_retry();
    test_injection();
    test_reroute();
    test_reroute_rollup();
    test_backoff_reroute();
    test_cold_overflow();
    test_multi_rcpt();
    test_mx_connection_limit();
    test_ip_connection_limit();
    test_data_reply();
    test_model_data_reply();
    test_mx_preference();
    test_mx_down();
    return test_done();
}
