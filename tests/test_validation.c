/* test_validation.c - the simulator against closed forms (docs/design.md).
 *
 * Each case writes a PowerMTA config, a provider model and a scenario made
 * for the purpose into a temporary folder, runs the whole simulator on it
 * (sim_init/step/done, as `mtasim run` does) and compares summary.json or
 * the CSVs with an exact or analytic figure, within a stated tolerance:
 *  - M/M/c (Erlang C): mean sojourn time with Poisson arrivals, exponential
 *    service and max-smtp-out = c, within 5 %;
 *  - Little's law on the sample path: the time integral of the queued count
 *    equals the sum of sojourn times when everything leaves (1e-9);
 *  - a max-msg-rate limit: drain time and hourly ceiling of a backlog;
 *  - a concurrency limit with fixed service time s: throughput c/s;
 *  - geometric retries for a transient-failure probability p (5 sigma);
 *  - expiry at bounce-after, with the exact number of attempts;
 *  - backoff entry on a matching reply and exit after
 *    backoff-to-normal-after, at the exact times;
 *  - determinism: the same seed gives byte-identical reports. */
#include "input/scenario.h"
#include "run/sim.h"
#include "test.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        perror(path);
        exit(1);
    }
    fputs(text, fp);
    fclose(fp);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    buf[got] = '\0';
    fclose(fp);
    return buf;
}

/* run - simulate dir/scenario.json into dir/OUT; the parsed summary. */
static cJSON *run(const char *out)
{
    char path[256], outdir[256];
    snprintf(path, sizeof(path), "%s/scenario.json", dir);
    snprintf(outdir, sizeof(outdir), "%s/%s", dir, out);
    mkdir(outdir, 0777);
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct scenario sc;
    struct sim s;
    struct sim_options so = { outdir, 0, 0 };
    cJSON *j = NULL;
    if (scenario_load(path, "models", &sc, &dl) == 0) {
        if (sim_init(&s, &sc, &so, &dl) == 0) {
            while (sim_step(&s, &dl) == 1)
                ;
            if (sim_done(&s, 0, 0) == 0) {
                char sp[300];
                snprintf(sp, sizeof(sp), "%s/summary.json", outdir);
                char *text = slurp(sp);
                j = text ? cJSON_Parse(text) : NULL;
                free(text);
            }
            sim_release(&s);
        }
        scenario_release(&sc);
    }
    for (size_t i = 0; i < dl.n; i++)
        diag_print(stderr, &dl.items[i], 0);
    diag_list_release(&dl);
    CHECK(j != NULL, "run %s produced a summary", out);
    return j;
}

/* num - the number at a dotted path ("totals.delivered"), NAN if absent. */
static double num(const cJSON *j, const char *path)
{
    const cJSON *o = j;
    while (o && *path) {
        char key[64];
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, path);
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path += n + (path[n] == '.');
    }
    return cJSON_IsNumber(o) ? o->valuedouble : (double)NAN;
}

/* erlang_c_wq - mean wait in queue of M/M/c (Erlang C formula). */
static double erlang_c_wq(int c, double lambda, double mu)
{
    double a = lambda / mu, rho = a / c, term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double last = term / (1 - rho);
    double pc = last / (sum + last);
    return pc / (c * mu - lambda);
}

static const char flat_model_fmt[] =
    "{\"domains\": [\"*\"],\n"
    " \"latency\": {\"connect\": {\"dist\": \"fixed\", \"s\": 0},\n"
    "             \"message\": %s}%s}\n";

/* model - models/flat.json with the message latency and extra keys. */
static void model(const char *message, const char *extra)
{
    char text[1024];
    snprintf(text, sizeof(text), flat_model_fmt, message, extra);
    put("flat.json", text);
}

/* scenario - scenario.json with one generated stream. */
static void scenario(const char *duration, const char *interval,
                     const char *stream)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"duration\": \"%s\", \"seed\": 7, \"config\": "
             "\"pmta.conf\",\n"
             " \"models\": [\"flat.json\"], \"report\": {\"interval\": "
             "\"%s\"},\n"
             " \"sendlist\": {\"generate\": {\"streams\": [%s]}}}\n",
             duration, interval, stream);
    put("scenario.json", text);
}

/* M/M/c with c = 5, lambda = 4/s, mu = 1/s (rho = 0.8) for 24 h. */
static void test_erlang_c(void)
{
    put("pmta.conf", "<domain *>\n max-smtp-out 5\n</domain>\n");
    model("{\"dist\": \"exponential\", \"mean_s\": 1}", "");
    scenario("25h", "1h",
             "{\"name\": \"s\", \"volume_per_day\": [345600, 0], "
             "\"arrivals\": \"poisson\", \"domains\": {\"example.test\": "
             "1}}");
    cJSON *j = run("mmc");
    double w = erlang_c_wq(5, 4, 1) + 1;
    double got = num(j, "latency_s.mean");
    CHECK(fabs(got - w) / w < 0.05,
          "M/M/5 mean sojourn %.4f s, Erlang C "
          "%.4f s",
          got, w);
    /* Little's law on the sample path: arrivals stop after 24 h and the
     * queue empties, so the integral of N(t) is the sum of sojourn times. */
    double delivered = num(j, "totals.delivered");
    double integral = num(j, "totals.queued_integral_s");
    double sum_w = got * delivered;
    CHECK(fabs(integral - sum_w) / sum_w < 1e-9,
          "integral of N %.3f, sum "
          "of W %.3f",
          integral, sum_w);
    CHECK(num(j, "totals.queued_at_end") == 0, "queue drained");
    /* Every scope counts the same recipients. */
    cJSON *prov = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "providers"), 0);
    cJSON *st = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "streams"), 0);
    CHECK(num(prov, "injected") == num(j, "totals.injected"),
          "provider injected %.0f", num(prov, "injected"));
    CHECK(num(st, "attempts") == num(j, "totals.attempts"),
          "stream attempts %.0f", num(st, "attempts"));
    CHECK(num(j, "totals.injected") ==
              delivered + num(j, "totals.queued_at_end"),
          "conservation: injected %.0f", num(j, "totals.injected"));
    cJSON_Delete(j);
}

static const char blast_fmt[] =
    "{\"name\": \"b\", \"volume_per_day\": %d, \"arrivals\": \"blast\", "
    "\"at\": \"00:00\", \"spread\": \"1s\", \"domains\": {\"example.test\": "
    "1}}";

static void blast(const char *duration, const char *interval, int n)
{
    char stream[512];
    snprintf(stream, sizeof(stream), blast_fmt, n);
    scenario(duration, interval, stream);
}

/* A backlog of 10000 under max-msg-rate 1000/h: each algorithm lets 1000
 * go per hour, so the last one goes out after about 9 h (sliding window
 * and token bucket: a burst of 1000 at once, then 1000 per hour) or
 * 9999 * 3.6 s (even spacing); a sliding window or even spacing never
 * lets more than 1000 through in a clock hour. */
static void test_rate_drain(void)
{
    static const struct {
        const char *algo;
        double last_s, tol_s, peak;
    } cases[] = {
        { "sliding", 9 * 3600.0, 30, 1000 },
        /* A bucket of 1000 refilled at 1000/h passes its burst plus an
         * hour's refill in the first hour: b + r T = 2000 (docs/design.md). */
        { "token-bucket", 9 * 3600.0, 30, 2000 },
        { "even", 9999 * 3.6, 30, 1000 },
    };
    put("pmta.conf", "<domain *>\n max-smtp-out 20\n max-msg-rate 1000/h\n"
                     "</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0.1}", "");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024], out[64];
        blast("12h", "1h", 10000);
        char path[256];
        snprintf(path, sizeof(path), "%s/scenario.json", dir);
        char *cur = slurp(path);
        snprintf(text, sizeof(text), "%.*s, \"rate_window\": \"%s\"}\n",
                 (int)(strrchr(cur, '}') - cur), cur, cases[i].algo);
        free(cur);
        put("scenario.json", text);
        snprintf(out, sizeof(out), "rate-%s", cases[i].algo);
        cJSON *j = run(out);
        double last =
            num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "queues"), 0),
                "last_delivery_s");
        CHECK(fabs(last - cases[i].last_s) <= cases[i].tol_s,
              "%s: last delivery at %.1f s, want %.1f s", cases[i].algo, last,
              cases[i].last_s);
        CHECK(num(j, "throughput_per_hour.peak") <= cases[i].peak,
              "%s: peak %.0f/h over the %.0f/h ceiling", cases[i].algo,
              num(j, "throughput_per_hour.peak"), cases[i].peak);
        CHECK(num(j, "totals.delivered") == 10000, "%s: delivered %.0f",
              cases[i].algo, num(j, "totals.delivered"));
        cJSON_Delete(j);
    }
}

/* The same backlog through two source IPs limited to 500/h each by
 * source-ip-max-msg-rate: together 1000/h, so the same 9 h drain. */
static void test_source_ip_rate(void)
{
    put("pmta.conf", "<virtual-mta v>\n smtp-source-host 192.0.2.1 a.example\n"
                     " smtp-source-host 192.0.2.2 b.example\n</virtual-mta>\n"
                     "<source 0/0>\n default-virtual-mta v\n</source>\n"
                     "<domain *>\n max-smtp-out 20\n"
                     " source-ip-max-msg-rate 0/0 500/h\n</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0.1}", "");
    blast("12h", "1h", 10000);
    cJSON *j = run("sip-rate");
    double last = num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "queues"), 0),
                      "last_delivery_s");
    CHECK(fabs(last - 9 * 3600.0) <= 60, "last delivery at %.1f s", last);
    CHECK(num(j, "throughput_per_hour.peak") <= 1000, "peak %.0f/h",
          num(j, "throughput_per_hour.peak"));
    cJSON_Delete(j);
}

/* 36000 messages, max-smtp-out 10, 0.5 s per message: 20 per second, so
 * the backlog drains in 1800 s. */
static void test_concurrency(void)
{
    put("pmta.conf", "<domain *>\n max-smtp-out 10\n</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0.5}", "");
    blast("1h", "10m", 36000);
    cJSON *j = run("conc");
    double last = num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "queues"), 0),
                      "last_delivery_s");
    CHECK(last >= 1800 && last <= 1801.5, "drained at %.2f s, want 1800 s",
          last);
    CHECK(num(j, "totals.delivered") == 36000, "delivered %.0f",
          num(j, "totals.delivered"));
    cJSON_Delete(j);
}

/* A transient failure with probability p on every attempt: attempts per
 * recipient are 1 + Geometric, mean 1/(1-p), variance p/(1-p)^2. */
static void test_geometric(void)
{
    const double p = 0.3;
    const int n = 20000;
    put("pmta.conf", "<domain *>\n max-smtp-out 50\n retry-recipients-after "
                     "10m\n</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0.01}",
          ", \"transient\": {\"rate\": 0.3, \"reply\": \"451 4.3.2 try "
          "later\"}");
    blast("1d", "1h", n);
    cJSON *j = run("geo");
    double attempts = num(j, "totals.attempts");
    double delivered = num(j, "totals.delivered");
    double want = 1 / (1 - p), sd = sqrt(p / ((1 - p) * (1 - p)) / n);
    CHECK(delivered == n, "delivered %.0f", delivered);
    CHECK(fabs(attempts / n - want) < 5 * sd,
          "attempts per recipient %.4f, "
          "want %.4f +- %.4f",
          attempts / n, want, 5 * sd);
    CHECK(num(j, "totals.deferrals") == attempts - delivered, "deferrals %.0f",
          num(j, "totals.deferrals"));
    cJSON_Delete(j);
}

/* Always deferred, retried every 10 min, bounce-after 1h: attempts at
 * 0, 10, ..., 50 min, then every recipient expires. */
static void test_expiry(void)
{
    put("pmta.conf", "<domain *>\n retry-recipients-after 10m\n bounce-after "
                     "1h\n</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0.01}",
          ", \"transient\": {\"rate\": 1, \"reply\": \"451 4.3.2 try "
          "later\"}");
    blast("3h", "1h", 1000);
    cJSON *j = run("expiry");
    CHECK(num(j, "totals.expired") == 1000, "expired %.0f",
          num(j, "totals.expired"));
    CHECK(num(j, "totals.attempts") == 6000, "attempts %.0f, want 6 each",
          num(j, "totals.attempts"));
    CHECK(num(j, "totals.delivered") == 0, "delivered %.0f",
          num(j, "totals.delivered"));
    cJSON *prov = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "providers"), 0);
    CHECK(num(prov, "expired") == 1000, "provider expired %.0f",
          num(prov, "expired"));
    cJSON_Delete(j);
}

/* A reply matching "reply /TSS04/ mode=backoff,backoff-to-normal-after=30m"
 * puts the queue in backoff at once; it leaves 30 min later. */
static void test_backoff(void)
{
    put("pmta.conf",
        "<smtp-pattern-list p>\n reply /TSS04/ "
        "mode=backoff,backoff-to-normal-after=30m\n</smtp-pattern-list>\n"
        "<domain *>\n smtp-pattern-list p\n retry-recipients-after 2h\n"
        "</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0}",
          ", \"transient\": {\"rate\": 1, \"reply\": \"421 4.7.0 [TSS04] "
          "deferred\"}");
    blast("1h", "10m", 1);
    cJSON *j = run("backoff");
    cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "queues"), 0);
    CHECK(num(q, "backoff_entries") == 1, "backoff entries %.0f",
          num(q, "backoff_entries"));
    CHECK(fabs(num(q, "backoff_s") - 1800) < 1.5, "backoff lasted %.1f s",
          num(q, "backoff_s"));
    cJSON_Delete(j);
    char path[256];
    snprintf(path, sizeof(path), "%s/backoff/events.csv", dir);
    char *ev = slurp(path);
    CHECK(ev && strstr(ev, ",backoff-enter,") != NULL, "backoff-enter row");
    CHECK(ev && strstr(ev, "1800.") && strstr(ev, ",backoff-exit,"),
          "backoff-exit row at 1800 s:\n%s", ev ? ev : "");
    free(ev);
}

/* A queue leaving backoff sends at its normal rate again at once (a wait
 * computed under backoff-max-msg-rate must not hold it back): 12000 at
 * 6000/h with a few 5-minute backoffs at 600/h finish well within 4 h. */
static void test_backoff_recovery(void)
{
    put("pmta.conf",
        "<smtp-pattern-list p>\n reply /^451 4\\.3\\.0/ "
        "mode=backoff,backoff-to-normal-after=5m\n</smtp-pattern-list>\n"
        "<domain *>\n max-smtp-out 10\n max-msg-rate 6000/h\n"
        " backoff-max-msg-rate 600/h\n smtp-pattern-list p\n"
        " retry-recipients-after 1m\n</domain>\n");
    model("{\"dist\": \"fixed\", \"s\": 0.1}",
          ", \"transient\": {\"rate\": 0.0005, \"reply\": \"451 4.3.0 busy\"}");
    blast("4h", "10m", 12000);
    cJSON *j = run("backoff-recovery");
    cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "queues"), 0);
    CHECK(num(q, "backoff_entries") >= 2, "backoff entries %.0f",
          num(q, "backoff_entries"));
    CHECK(num(j, "totals.delivered") == 12000, "delivered %.0f",
          num(j, "totals.delivered"));
    CHECK(num(q, "last_delivery_s") < 3 * 3600, "done at %.0f s",
          num(q, "last_delivery_s"));
    cJSON_Delete(j);
}

/* The same inputs and seed give byte-identical reports. */
static void test_determinism(void)
{
    put("pmta.conf", "<domain *>\n max-smtp-out 3\n max-msg-rate 600/h\n"
                     "</domain>\n");
    model("{\"dist\": \"lognormal\", \"median_s\": 0.5, \"sigma\": 0.6}",
          ", \"transient\": {\"rate\": 0.2, \"reply\": \"451 4.3.2 later\"}");
    scenario("6h", "30m",
             "{\"name\": \"s\", \"volume_per_day\": 20000, \"arrivals\": "
             "\"poisson\", \"domains\": {\"a.example\": 1, \"b.example\": "
             "1}}");
    cJSON *a = run("det-a"), *b = run("det-b");
    cJSON_DeleteItemFromObject(a, "engine");
    cJSON_DeleteItemFromObject(b, "engine");
    char *ta = cJSON_Print(a), *tb = cJSON_Print(b);
    CHECK(ta && tb && strcmp(ta, tb) == 0, "summaries differ");
    free(ta);
    free(tb);
    cJSON_Delete(a);
    cJSON_Delete(b);
    static const char *const files[] = { "timeseries.csv", "events.csv",
                                         "latency.csv" };
    for (size_t i = 0; i < 3; i++) {
        char pa[256], pb[256];
        snprintf(pa, sizeof(pa), "%s/det-a/%s", dir, files[i]);
        snprintf(pb, sizeof(pb), "%s/det-b/%s", dir, files[i]);
        char *fa = slurp(pa), *fb = slurp(pb);
        CHECK(fa && fb && strcmp(fa, fb) == 0, "%s differs", files[i]);
        free(fa);
        free(fb);
    }
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mtasim-val-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_erlang_c();
    test_rate_drain();
    test_source_ip_rate();
    test_concurrency();
    test_geometric();
    test_expiry();
    test_backoff();
    test_backoff_recovery();
    test_determinism();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (test_failed == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_done();
}
