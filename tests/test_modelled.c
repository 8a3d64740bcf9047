/* test_modelled.c - a per-queue directive is flagged modelled exactly when
 * changing it changes a simulation (issue 15, "honest modelled flags").
 *
 * For every row of the per-queue directive table (CFG_Q_*, walked by index,
 * so a new row cannot be forgotten) the test runs one small deterministic
 * simulation twice: with a base config, and with the directive set to
 * another value. It compares a digest of everything the run produced (the
 * scripted provider's log and every report file, acct.csv included). A
 * directive flagged CFG_D_MODELLED must change the digest; one not flagged
 * must leave it unchanged. Values that only matter in a particular
 * situation (backoff, deferrals, cold VMTAs, a long run) come from the
 * override table below, which also picks the situation. A modelled
 * directive no small situation here can show is listed in the exception table
 * with the reason; nothing is skipped silently. docs/delivery.md ("Which
 * directives change a simulation") describes the test. */
#include "config/cfg_directive.h"
#include "config/cfg_model.h"
#include "engine/evq.h"
#include "engine/rng.h"
#include "mta/mta.h"
#include "provider/provider.h"
#include "report/obs.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------- script */

/* The remote side: reply lines in order (the last repeats), fixed
 * latencies; counts what the MTA did. */
struct script {
    const char *const *txn;
    size_t n_txn, next;
    const char *const *greet; /* greetings in order (NULL: "220 ready") */
    size_t n_greet, next_greet;
    int connects, open, peak_open, txns;
    uint64_t digest; /* of every call, in order, with its time */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t fnv_time(uint64_t h, int kind, double now_s)
{
    long long us = (long long)(now_s * 1e6 + 0.5);
    h = fnv(h, &kind, sizeof(kind));
    return fnv(h, &us, sizeof(us));
}

static void reply_from(const char *text, struct prov_reply *out)
{
    out->code = atoi(text);
    out->text = text;
    out->outcome = out->code < 300   ? PROV_ACCEPT
                   : out->code < 500 ? PROV_DEFER
                                     : PROV_REJECT;
    out->reason = out->outcome == PROV_ACCEPT ? PROV_OK : PROV_RATE_LIMIT;
    out->closes = out->code == 421;
}

static void s_connect(void *ctx, int prov, int ip, double now_s,
                      uint64_t conn_id, struct prov_reply *out)
{
    struct script *s = ctx;
    (void)prov, (void)conn_id;
    s->connects++;
    if (++s->open > s->peak_open)
        s->peak_open = s->open;
    s->digest = fnv_time(s->digest, 1 + 8 * ip, now_s);
    if (s->greet == NULL)
        reply_from("220 ready", out);
    else
        reply_from(s->greet[s->next_greet < s->n_greet ? s->next_greet
                                                       : s->n_greet - 1],
                   out);
    s->next_greet++;
    out->latency_s = 0;
}

static void s_disconnect(void *ctx, int prov, int ip, double now_s)
{
    struct script *s = ctx;
    (void)prov;
    s->open--;
    s->digest = fnv_time(s->digest, 2 + 8 * ip, now_s);
}

static void s_transact(void *ctx, int prov, int ip, double now_s,
                       const struct prov_rcpt *r, uint32_t msgs_before,
                       struct prov_reply *out)
{
    struct script *s = ctx;
    (void)prov;
    s->txns++;
    s->digest = fnv_time(s->digest, 3 + 8 * ip, now_s);
    s->digest = fnv(s->digest, &r->id, sizeof(r->id));
    s->digest = fnv(s->digest, &msgs_before, sizeof(msgs_before));
    reply_from(s->txn[s->next < s->n_txn ? s->next : s->n_txn - 1], out);
    s->next++;
    out->latency_s = 0.1;
}

/* ----------------------------------------------------------- situations */

static const char *const ok[] = { "250 2.0.0 ok" };
/* two deferrals, then acceptance: recipients wait and are retried */
static const char *const busy[] = { "451 4.3.0 busy", "451 4.3.0 busy",
                                    "250 2.0.0 ok" };
/* a 421 that the pattern list turns into backoff, then acceptance */
static const char *const later[] = { "421 4.7.0 try later", "250 2.0.0 ok" };
/* always deferred */
static const char *const never[] = { "451 4.3.0 busy" };
/* greetings: two refusals (the queue goes into retry mode), then ready */
static const char *const refuse[] = { "421 4.3.2 busy", "421 4.3.2 busy",
                                      "220 ready" };
static const char *const refuse_later[] = { "421 4.7.0 try later",
                                            "421 4.7.0 try later",
                                            "220 ready" };
static const char *const greet5[] = { "554 5.7.1 go away", "220 ready" };

#define LIST(a) a, sizeof(a) / sizeof(*(a))

/* One small situation: config around the directive, the remote side's
 * replies, what is sent and how long it runs. The directive goes into
 * <domain *>, or into <domain example.org> when the situation sends to
 * both domains and the directive must differ between them. */
struct situation {
    const char *name;
    const char *prefix; /* config before the <domain> blocks */
    const char *domain; /* lines of <domain *> */
    const char *const *txn;
    size_t n_txn;
    const char *const *greet;
    size_t n_greet;
    int n_mx;
    int n_rcpt;  /* to example.com at t = 0 */
    int n_rcpt2; /* to example.org at t = 0 */
    int n_late;  /* to example.com at late_s (retry-upon-new-mail) */
    double late_s;
    double end_s;     /* run length */
    const char *vmta; /* injected through this VMTA (NULL: routing) */
    int in_org;       /* the directive goes into <domain example.org> */
};

enum {
    SC_PLAIN,
    SC_BUSY,
    SC_BACKOFF,
    SC_NEVER,
    SC_COLD,
    SC_REFUSED,
    SC_REFUSED_BACKOFF,
    SC_GREET5,
    SC_DISABLE,
    SC_ROLLUP,
    SC_PRIO,
    SC_PRIO_SET,
    SC_COUNT
};

#define BACKOFF_LIST                                                           \
    "<smtp-pattern-list l>\n reply /try later/ mode=backoff\n"                 \
    "</smtp-pattern-list>\n"
#define TWO_VMTAS                                                              \
    "<virtual-mta cold>\n</virtual-mta>\n"                                     \
    "<virtual-mta w>\n cold-virtual-mta cold\n</virtual-mta>\n"

static const struct situation situations[SC_COUNT] = {
    [SC_PLAIN] = { .name = "plain",
                   .prefix = "",
                   .domain = "",
                   .txn = LIST(ok),
                   .n_mx = 2,
                   .n_rcpt = 200,
                   .end_s = 600 },
    [SC_BUSY] = { .name = "busy",
                  .prefix = "",
                  .domain = " max-smtp-out 1\n",
                  .txn = LIST(busy),
                  .n_mx = 2,
                  .n_rcpt = 5,
                  .end_s = 4 * 3600.0 },
    [SC_BACKOFF] = { .name = "backoff",
                     .prefix = BACKOFF_LIST TWO_VMTAS,
                     .domain = " smtp-pattern-list l\n max-smtp-out 4\n"
                               " max-msg-per-connection 2\n",
                     .txn = LIST(later),
                     .n_mx = 2,
                     .n_rcpt = 200,
                     .end_s = 4 * 3600.0 },
    [SC_NEVER] = { .name = "never",
                   .prefix = "",
                   .domain = " max-smtp-out 1\n",
                   .txn = LIST(never),
                   .n_mx = 1,
                   .n_rcpt = 3,
                   .end_s = 6 * 86400.0 },
    [SC_COLD] = { .name = "cold",
                  .prefix = TWO_VMTAS,
                  .domain = "",
                  .txn = LIST(ok),
                  .n_mx = 1,
                  .n_rcpt = 200,
                  .end_s = 600,
                  .vmta = "w" },
    [SC_REFUSED] = { .name = "refused",
                     .prefix = "",
                     .domain = " max-smtp-out 1\n",
                     .txn = LIST(ok),
                     .greet = LIST(refuse),
                     .n_mx = 1,
                     .n_rcpt = 5,
                     .n_late = 3,
                     .late_s = 30,
                     .end_s = 4 * 3600.0 },
    [SC_REFUSED_BACKOFF] = { .name = "refused-backoff",
                             .prefix = BACKOFF_LIST,
                             .domain = " max-smtp-out 1\n"
                                       " smtp-pattern-list l\n",
                             .txn = LIST(ok),
                             .greet = LIST(refuse_later),
                             .n_mx = 1,
                             .n_rcpt = 5,
                             .end_s = 4 * 3600.0 },
    [SC_GREET5] = { .name = "5xx-greeting",
                    .prefix = "",
                    .domain = " max-smtp-out 1\n",
                    .txn = LIST(ok),
                    .greet = LIST(greet5),
                    .n_mx = 1,
                    .n_rcpt = 5,
                    .end_s = 3600 },
    [SC_DISABLE] = { .name = "disable-source-ip",
                     .prefix = "<smtp-pattern-list l>\n"
                               " reply /busy/ disable-source-ip\n"
                               "</smtp-pattern-list>\n",
                     .domain = " max-smtp-out 1\n smtp-pattern-list l\n",
                     .txn = LIST(busy),
                     .n_mx = 1,
                     .n_rcpt = 5,
                     .end_s = 4 * 3600.0 },
    [SC_ROLLUP] = { .name = "mx-rollup",
                    .prefix = "<mx-rollup-list>\n mx *.mx.test rollup\n"
                              "</mx-rollup-list>\n",
                    .domain = " max-smtp-out 1\n",
                    .txn = LIST(ok),
                    .n_mx = 1,
                    .n_rcpt = 20,
                    .n_rcpt2 = 20,
                    .end_s = 600 },
    [SC_PRIO] = { .name = "priority",
                  .prefix = "total-max-smtp-out 1\n",
                  .domain = "",
                  .txn = LIST(ok),
                  .n_mx = 1,
                  .n_rcpt = 20,
                  .n_rcpt2 = 20,
                  .end_s = 600,
                  .in_org = 1 },
    [SC_PRIO_SET] = { .name = "priority-set",
                      .prefix = "total-max-smtp-out 1\n"
                                "<domain example.org>\n queue-priority 90\n"
                                "</domain>\n",
                      .domain = "",
                      .txn = LIST(ok),
                      .n_mx = 1,
                      .n_rcpt = 20,
                      .n_rcpt2 = 20,
                      .end_s = 600 },
};

/* ------------------------------------------------------------ overrides */

/* A directive's test: situation, base value (NULL: not set, the default
 * applies) and the changed value. Rows not listed use the plain situation
 * and a value chosen by type (value_for_type). */
struct override {
    const char *name;
    int situation;
    const char *base, *changed;
};

/* The reroute directives are not modelled yet (flag 0): their rows name
 * a VMTA the backoff situation defines, so the row is ready when they are. */
static const struct override overrides[] = {
    { "queue-to", SC_PLAIN, NULL, "other.example" },
    { "disable-mx-rollup", SC_ROLLUP, NULL, "yes" },
    { "type", SC_PLAIN, NULL, "discard" },
    { "reroute-to-virtual-mta", SC_BACKOFF, NULL, "cold" },
    { "backoff-reroute-to-virtual-mta", SC_BACKOFF, NULL, "cold" },
    { "smtp-421-means-mx-unavailable", SC_BACKOFF, NULL, "yes" },
    { "max-cold-virtual-mta-msg", SC_COLD, NULL, "10/d" },
    { "max-smtp-out", SC_PLAIN, NULL, "1" },
    { "backoff-max-smtp-out", SC_BACKOFF, NULL, "1" },
    { "source-ip-max-smtp-out", SC_PLAIN, NULL, "0/0 1" },
    { "max-connect-rate", SC_BACKOFF, NULL, "1/m" },
    { "backoff-max-connect-rate", SC_BACKOFF, NULL, "1/m" },
    { "source-ip-max-connect-rate", SC_BACKOFF, NULL, "0/0 1/m" },
    { "smtp-out-rampup-interval", SC_PLAIN, NULL, "10s" },
    { "connection-idle-timeout", SC_BUSY, NULL, "5m" },
    { "allow-priority-interruption", SC_PRIO_SET, NULL, "no" },
    { "max-msg-rate", SC_PLAIN, NULL, "10/m" },
    { "backoff-max-msg-rate", SC_BACKOFF, NULL, "10/h" },
    { "source-ip-max-msg-rate", SC_PLAIN, NULL, "0/0 10/m" },
    { "max-data-volume-rate", SC_PLAIN, NULL, "10k/m" },
    { "backoff-max-data-volume-rate", SC_BACKOFF, NULL, "10k/h" },
    { "source-ip-max-data-volume-rate", SC_PLAIN, NULL, "0/0 10k/m" },
    { "max-msg-per-connection", SC_PLAIN, NULL, "1" },
    { "max-rcpt-per-message", SC_PLAIN, NULL, "1" },
    { "max-errors-per-connection", SC_NEVER, NULL, "1" },
    { "retry-after", SC_REFUSED, NULL, "1m" },
    { "backoff-retry-after", SC_REFUSED_BACKOFF, NULL, "5m" },
    { "retry-recipients-after", SC_BUSY, NULL, "1m" },
    { "retry-upon-new-mail", SC_REFUSED, NULL, "yes" },
    { "bounce-after", SC_NEVER, NULL, "1d" },
    { "backoff-to-normal-after", SC_BACKOFF, NULL, "10m" },
    { "backoff-to-normal-after-delivery", SC_BACKOFF, NULL, "yes" },
    { "backoff-upon-all-sources-disabled", SC_DISABLE, NULL, "yes" },
    { "smtp-pattern-list", SC_BACKOFF, "l", "" },
    { "reenable-source-ip-after", SC_DISABLE, NULL, "10m" },
    { "bounce-upon-5xx-greeting", SC_GREET5, NULL, "no" },
    { "queue-priority", SC_PRIO, NULL, "90" },
};

/* Modelled directives no small situation here shows, with the reason. Each
 * is still run: the test reports when one starts changing the output, so
 * the exception can be removed. */
struct exception {
    const char *name, *reason;
};

static const struct exception exceptions[] = {
    /* none today: every modelled per-queue directive changes one of the
     * situations above (the terminator keeps the array non-empty) */
    { NULL, NULL },
};

static const struct override *override_of(const char *name)
{
    for (size_t i = 0; i < sizeof(overrides) / sizeof(*overrides); i++)
        if (strcmp(overrides[i].name, name) == 0)
            return &overrides[i];
    return NULL;
}

static const char *exception_of(const char *name)
{
    for (size_t i = 0; i < sizeof(exceptions) / sizeof(*exceptions); i++)
        if (exceptions[i].name && strcmp(exceptions[i].name, name) == 0)
            return exceptions[i].reason;
    return NULL;
}

/* value_for_type - a value unlike the default that the parser accepts. */
static const char *value_for_type(const struct cfg_directive *d)
{
    switch (d->type) {
    case CFG_T_BOOL:
        return strcmp(d->def, "yes") == 0 ? "no" : "yes";
    case CFG_T_COUNT:
    case CFG_T_COUNT_UNL:
        return "3";
    case CFG_T_PRIORITY:
        return "90";
    case CFG_T_TIME:
    case CFG_T_TIME_NEVER:
    case CFG_T_TIME_LIST:
        return "7s";
    case CFG_T_RATE:
        return "3/m";
    case CFG_T_DATA_RATE:
        return "3k/m";
    case CFG_T_SIZE:
        return "3k";
    case CFG_T_DAILY:
        return "3/d";
    case CFG_T_NAME:
        return "other";
    case CFG_T_HOSTS:
        return "[192.0.2.1]";
    case CFG_T_CIDR_COUNT:
        return "0/0 1";
    case CFG_T_CIDR_RATE:
        return "0/0 3/m";
    case CFG_T_CIDR_DATA_RATE:
        return "0/0 3k/m";
    case CFG_T_BOOL_OR_TIME:
        return "yes";
    case CFG_T_DELIVERY_TYPE:
        return "discard";
    default:
        return "x";
    }
}

/* ---------------------------------------------------------------- run */

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

static const char *const report_files[] = {
    "acct.csv",    "summary.json",   "timeseries.csv", "events.csv",
    "latency.csv", "queues.csv",     "providers.csv",  "streams.csv",
    "replies.csv", "throughput.csv", "domains.csv",    "complete",
    "daily.csv"
};

/* digest_file - fold a report file's bytes into h (absent: a marker). */
static uint64_t digest_file(uint64_t h, const char *dir, const char *name)
{
    char path[160], buf[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return fnv(h, "-", 1);
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        h = fnv(h, buf, n);
    fclose(fp);
    unlink(path);
    return h;
}

static void send_all(struct mta *m, struct evq *q, int n, double t_s,
                     uint64_t *next_id, const char *domain, const char *vmta)
{
    for (int i = 0; i < n; i++) {
        uint64_t id = (*next_id)++;
        struct send_rec sr = { .t_us = (int64_t)(t_s * 1e6),
                               .id = id,
                               .domain = domain,
                               .domain_ix = UINT32_MAX,
                               .vmta = vmta,
                               .size = 1000,
                               /* messages of 2 recipients, so that
                                  max-rcpt-per-message can matter */
                               .msg = 1 + id / 2 };
        q->now_us = sr.t_us;
        mta_inject(m, &sr, sr.t_us);
    }
}

static void run_until(struct mta *m, struct evq *q, double t_s)
{
    int64_t end = (int64_t)(t_s * 1e6);
    struct evq_event ev;
    while (evq_peek_time(q) <= end && evq_pop(q, &ev) == 0)
        mta_handle(m, &ev);
    if (q->now_us < end)
        q->now_us = end;
}

/* load_config - the situation's config with "name value" (none when name is
 * NULL) in <domain *>; NULL and a failed CHECK when it does not load. */
static struct cfg_model *load_config(const struct situation *sc,
                                     const char *name, const char *value)
{
    char text[2048], line[256] = "";
    if (name)
        snprintf(line, sizeof(line), " %s %s\n", name,
                 value[0] ? value : "\"\"");
    if (sc->in_org)
        snprintf(text, sizeof(text),
                 "%s<domain *>\n%s</domain>\n"
                 "<domain example.org>\n%s%s</domain>\n",
                 sc->prefix, sc->domain, sc->domain, line);
    else
        snprintf(text, sizeof(text), "%s<domain *>\n%s%s</domain>\n",
                 sc->prefix, sc->domain, line);
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    struct cfg_model *cfg =
        cfg_load_buffer("t.conf", text, strlen(text), &o, &dl);
    for (size_t i = 0; dl.n_errors && i < dl.n; i++)
        diag_print(stderr, &dl.items[i], 0);
    CHECK(cfg != NULL && dl.n_errors == 0, "%s %s loads in situation %s",
          name ? name : "(base)", value ? value : "", sc->name);
    if (cfg && dl.n_errors) {
        cfg_model_free(cfg);
        cfg = NULL;
    }
    diag_list_release(&dl);
    return cfg;
}

/* simulate - the digest of one run of sc with "name value" set. */
static uint64_t simulate(const struct situation *sc, const char *name,
                         const char *value)
{
    struct cfg_model *cfg = load_config(sc, name, value);
    if (cfg == NULL)
        return 0;
    char dir[64] = "/tmp/test_modelled.XXXXXX", path[128], model[512];
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/model.json", dir);
    snprintf(model, sizeof(model),
             "{\"domains\": [\"*\"], \"mx\": [%s],\n"
             " \"latency\": {\"connect\": {\"dist\": \"fixed\", \"s\": 0},\n"
             "             \"message\": {\"dist\": \"fixed\", \"s\": 1}}}\n",
             sc->n_mx > 1
                 ? "{\"host\": \"a.mx.test\", \"ips\": [\"192.0.2.1\"]}, "
                   "{\"host\": \"b.mx.test\", \"ips\": [\"192.0.2.2\"]}"
                 : "{\"host\": \"a.mx.test\", \"ips\": [\"192.0.2.1\"]}");
    write_file(path, model);
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct prov_world *w = prov_world_alloc();
    CHECK(prov_world_load(w, path, &dl) == 0, "model loads");
    diag_list_release(&dl);
    unlink(path);
    prov_world_add_ip(w, "0.0.0.0", -1, -1);
    struct rng g;
    struct evq q;
    rng_init(&g, 1, 0);
    evq_init(&q);
    struct obs_options oo = {
        .interval_s = 3600, .start_unix = 0, .dir = dir, .acct = 1
    };
    struct obs *obs = obs_alloc(&oo);
    obs_add_provider(obs, "test");
    obs_add_stream(obs, "s", -1);
    struct script s = { .txn = sc->txn,
                        .n_txn = sc->n_txn,
                        .greet = sc->greet,
                        .n_greet = sc->n_greet,
                        .digest = 14695981039346656037ULL };
    struct mta_provider p = { .ctx = &s,
                              .connect = s_connect,
                              .disconnect = s_disconnect,
                              .transact = s_transact };
    struct mta_options mo = { .rate_algo = MTA_RATE_SLIDING,
                              .source = "127.0.0.1",
                              .start_unix = 0,
                              .provider = &p };
    struct mta *m = mta_alloc(cfg, w, &g, &q, obs, &mo);
    uint64_t next_id = 0;
    send_all(m, &q, sc->n_rcpt, 0, &next_id, "example.com", sc->vmta);
    send_all(m, &q, sc->n_rcpt2, 0, &next_id, "example.org", sc->vmta);
    if (sc->n_late) {
        run_until(m, &q, sc->late_s);
        send_all(m, &q, sc->n_late, sc->late_s, &next_id, "example.com",
                 sc->vmta);
    }
    run_until(m, &q, sc->end_s);
    int64_t end = (int64_t)(sc->end_s * 1e6);
    mta_finish(m, end);
    struct obs_engine e = { 0, 0, 0, 1, sc->end_s, 0 };
    CHECK(obs_write_reports(obs, &e) == 0, "reports written");
    mta_free(m);
    obs_free(obs);
    prov_world_free(w);
    cfg_model_free(cfg);
    evq_release(&q);
    rng_release(&g);
    uint64_t h = s.digest;
    int counts[4] = { s.connects, s.peak_open, s.txns, s.open };
    h = fnv(h, counts, sizeof(counts));
    for (size_t i = 0; i < sizeof(report_files) / sizeof(*report_files); i++)
        h = digest_file(h, dir, report_files[i]);
    CHECK(rmdir(dir) == 0, "%s holds only known reports", dir);
    return h;
}

/* ---------------------------------------------------------------- test */

static int n_modelled, n_not_modelled, n_excepted;

/* not_modelled - a directive flagged not modelled changes nothing: in its
 * override's situation, or (no override) in every situation, so a reply,
 * retry or backoff path that reads it would show. */
static void not_modelled(const struct cfg_directive *d,
                         const struct override *ov, const uint64_t *base)
{
    n_not_modelled++;
    CHECK(exception_of(d->name) == NULL, "%s: not modelled needs no exception",
          d->name);
    for (int k = 0; k < SC_COUNT; k++) {
        if (ov && k != ov->situation)
            continue;
        const char *changed = ov ? ov->changed : value_for_type(d);
        uint64_t b = ov && ov->base
                         ? simulate(&situations[k], d->name, ov->base)
                         : base[k];
        CHECK(simulate(&situations[k], d->name, changed) == b,
              "%s is flagged not modelled, but '%s' changed the %s run",
              d->name, changed, situations[k].name);
    }
}

static void test_directive(const struct cfg_directive *d, const uint64_t *base)
{
    const struct override *ov = override_of(d->name);
    if (!(d->flags & CFG_D_MODELLED)) {
        not_modelled(d, ov, base);
        return;
    }
    int sc = ov ? ov->situation : SC_PLAIN;
    const char *changed = ov ? ov->changed : value_for_type(d);
    uint64_t b = ov && ov->base ? simulate(&situations[sc], d->name, ov->base)
                                : base[sc];
    int differs = simulate(&situations[sc], d->name, changed) != b;
    const char *why = exception_of(d->name);
    if (why) {
        n_excepted++;
        CHECK(!differs, "%s now changes the %s run: drop its exception (%s)",
              d->name, situations[sc].name, why);
    } else {
        n_modelled++;
        CHECK(differs,
              "%s is flagged modelled, but '%s' left the %s run as it was",
              d->name, changed, situations[sc].name);
    }
}

/* test_global_limits - the global connection limits (not in the
 * per-queue table) are flagged modelled, and each changes a run of two
 * domains behind one MX host and address. */
static void test_global_limits(void)
{
    static const char *const lim[] = { "mx-connection-limit a.mx.test 2\n",
                                       "ip-connection-limit 192.0.2.0/24 2\n" };
    struct situation sc = situations[SC_PLAIN];
    sc.domain = " max-smtp-out 5\n";
    sc.n_rcpt = sc.n_rcpt2 = 100;
    sc.n_mx = 1;
    sc.end_s = 3600;
    uint64_t base = simulate(&sc, NULL, NULL);
    for (size_t i = 0; i < sizeof(lim) / sizeof(*lim); i++) {
        char name[32];
        sscanf(lim[i], "%31s", name);
        const struct cfg_directive *d =
            cfg_directive_find(name, CFG_S_GLOBAL, NULL);
        CHECK(d && (d->flags & CFG_D_MODELLED), "%s is flagged modelled", name);
        sc.prefix = lim[i];
        CHECK(simulate(&sc, NULL, NULL) != base, "%s changes the run", name);
    }
}

int main(void)
{
    uint64_t base[SC_COUNT];
    for (int k = 0; k < SC_COUNT; k++) {
        base[k] = simulate(&situations[k], NULL, NULL);
        /* same inputs, another folder: the digest must not move, or every
         * "changed" verdict below would be noise */
        CHECK(simulate(&situations[k], NULL, NULL) == base[k],
              "situation %s is deterministic", situations[k].name);
    }
    for (int k = 0; k < CFG_Q_COUNT; k++)
        test_directive(cfg_directive_queue((enum cfg_qid)k), base);
    for (size_t i = 0; i < sizeof(overrides) / sizeof(*overrides); i++)
        CHECK(cfg_directive_find(overrides[i].name, CFG_S_DOMAIN, NULL),
              "override %s names a per-queue directive", overrides[i].name);
    test_global_limits();
    printf("# per-queue directives: %d modelled, %d not modelled, "
           "%d modelled by exception\n",
           n_modelled, n_not_modelled, n_excepted);
    return test_done();
}
