/* test_provider.c - table-driven tests of the provider response models
 * (provider/provider.c, prov_params.c) with hand-driven time: no engine.
 * Model files are the JSON files in tests/models/ and the shipped ones in
 * models/; run from the repository root. */
#include "provider/provider.h"
#include "test.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DAY       86400.0

/* Events seen by the recorder. */
struct ev_log {
    int days;
    int n;
    char event[64][16];
    char ip[64][32];
    double t[64];
    double value[64]; /* the number after '=' in the detail, if any */
};

/* record - a prov_event_fn that keeps the first 64 events. */
static void record(void *ctx, double now_s, const char *provider,
                   const char *ip, const char *event, const char *detail)
{
    struct ev_log *l = ctx;
    const char *eq = strchr(detail, '=');

    (void)provider;
    if (strcmp(event, "day") == 0) { /* daily figures: counted */
        l->days++;
        return;
    }
    if (l->n >= 64)
        return;
    snprintf(l->event[l->n], sizeof(l->event[0]), "%s", event);
    snprintf(l->ip[l->n], sizeof(l->ip[0]), "%s", ip);
    l->t[l->n] = now_s;
    l->value[l->n] = eq ? strtod(eq + 1, NULL) : 0;
    l->n++;
}

/* load - a world with the given model files; every load must succeed. */
static struct prov_world *load(const char *const *files, size_t n)
{
    struct prov_world *w = prov_world_alloc();
    struct diag_list dl;

    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    for (size_t i = 0; i < n; i++) {
        int idx = prov_world_load(w, files[i], &dl);
        CHECK_INT(idx, (int)i);
    }
    for (size_t i = 0; i < dl.n; i++)
        fprintf(stderr, "unexpected: %s: %s\n", dl.items[i].file,
                dl.items[i].message);
    CHECK_INT(dl.n, 0);
    diag_list_release(&dl);
    return w;
}

/* load_one - a world with one model and one IP. */
static struct prov_world *load_one(const char *file, double age,
                                   double reputation)
{
    struct prov_world *w = load(&file, 1);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.1", age, reputation), 0);
    return w;
}

/* rcpt - a valid, non-complaining recipient. */
static struct prov_rcpt rcpt(uint64_t id, uint32_t attempt)
{
    struct prov_rcpt r = { id, attempt, 0, 0, 50000 };
    return r;
}

/* send_n - n transactions evenly over [t0, t0 + span_s); returns accepts. */
static int send_n(struct prov_world *w, int ip, struct rng *g, double t0,
                  double span_s, int n, uint64_t id0)
{
    struct prov_reply out;
    int acc = 0;

    for (int i = 0; i < n; i++) {
        struct prov_rcpt r = rcpt(id0 + (uint64_t)i, 0);
        prov_transact(w, 0, ip, t0 + span_s * i / n, g, &r, 0, &out);
        acc += out.outcome == PROV_ACCEPT;
    }
    return acc;
}

/* test_shipped - every shipped model loads, and domains map to it. */
static void test_shipped(void)
{
    static const char *const files[] = {
        "models/microsoft.json", "models/gmail.json",   "models/yahoo.json",
        "models/apple.json",     "models/comcast.json", "models/generic.json",
    };
    static const struct {
        const char *domain, *provider;
    } cases[] = {
        { "hotmail.com", "microsoft" }, { "Outlook.COM", "microsoft" },
        { "live.co.uk", "microsoft" },  { "msn.com", "microsoft" },
        { "gmail.com", "gmail" },       { "googlemail.com", "gmail" },
        { "yahoo.com", "yahoo" },       { "aol.com", "yahoo" },
        { "ymail.com", "yahoo" },       { "icloud.com", "apple" },
        { "me.com", "apple" },          { "comcast.net", "comcast" },
        { "example.org", "generic" },   { "orange.fr", "generic" },
    };
    struct prov_world *w = load(files, N_ELEM(files));
    struct prov_ip_view v;

    CHECK_INT(prov_world_count(w), 6);
    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int p = prov_world_find(w, cases[i].domain);
        CHECK(p >= 0, "no provider for %s", cases[i].domain);
        if (p >= 0)
            CHECK_STR(prov_world_name(w, p), cases[i].provider);
    }
    /* A new IP (age 0, model default reputation) has a small capacity
     * at every limited provider; an established one a large one. */
    CHECK_INT(prov_world_add_ip(w, "192.0.2.1", 0, -1), 0);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.2", -1, -1), 1);
    for (int p = 0; p < 6; p++) {
        prov_world_view(w, p, 0, 0, &v);
        CHECK(v.capacity_per_hour > 0 && v.capacity_per_hour <= 30,
              "%s new-IP capacity %g", prov_world_name(w, p),
              v.capacity_per_hour);
        CHECK_NEAR(v.reputation, 0.5, 1e-12);
        prov_world_view(w, p, 1, 0, &v);
        CHECK(v.capacity_per_hour >= 10000, "%s established capacity %g",
              prov_world_name(w, p), v.capacity_per_hour);
        CHECK_NEAR(v.age_days, 365, 1e-12);
    }
    prov_world_free(w);
}

/* An invalid model and the first error it must give. */
struct bad_case {
    const char *json;
    const char *msg;
    int line, col;
};

/* test_bad_models - each invalid model gives the exact JSON-path error. */
static void test_bad_models(void)
{
    static const struct bad_case cases[] = {
        { "[1]", "$: expected an object", 0, 0 },
        { "{}", "$: missing 'domains'", 0, 0 },
        { "{\"domains\": []}",
          "$.domains: expected a non-empty list of "
          "strings",
          0, 0 },
        { "{\"domains\": [\"a.test\", 3]}",
          "$.domains[1]: expected a name "
          "without spaces",
          0, 0 },
        { "{\"domains\": [\"a.test\", \"A.test\"]}",
          "$.domains[1]: duplicate name 'a.test'", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"domains\": [\"b.test\"]}",
          "$.domains: duplicate key", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"tail_domains\": 5}",
          "$.tail_domains: needs \"*\" in \"domains\"", 0, 0 },
        { "{\"domains\": [\"*\"], \"tail_domains\": 0}",
          "$.tail_domains: expected a whole number >= 1, got 0", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"reputation\": {\"confidence\": 1}}",
          "$.reputation.confidence: expected a number between 0 and 1 "
          "(exclusive), got 1",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacty\": \"unlimited\"}",
          "$.capacty: unknown key; did you mean 'capacity'?", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": \"lots\"}",
          "$.capacity: expected \"unlimited\" or an object", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "10, \"growth_per_day\": [1, 2]}}",
          "$.capacity.growth_per_day: expected a number or a list of 3 "
          "numbers",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "10, \"growth_per_day\": [1, \"x\", 1]}}",
          "$.capacity.growth_per_day[1]: expected a number", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "10, \"growth_per_day\": 0}}",
          "$.capacity.growth_per_day: expected a number greater than 0, "
          "got 0",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"intial_per_hour\": "
          "5}}",
          "$.capacity.intial_per_hour: unknown key; did you mean "
          "'initial_per_hour'?",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"max_per_hour\": 5}}",
          "$.capacity: missing 'initial_per_hour'", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "10, \"active_hours\": 30}}",
          "$.capacity.active_hours: expected a number of hours in (0, 24], "
          "got 30",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "\"10\"}}",
          "$.capacity.initial_per_hour: expected a number", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"latency\": {\"connect\": {\"dist\": "
          "\"gamma\"}}}",
          "$.latency.connect.dist: expected \"fixed\", \"exponential\" or "
          "\"lognormal\"",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"latency\": {\"message\": {\"dist\": "
          "\"lognormal\", \"median_s\": 0.3}}}",
          "$.latency.message: missing 'sigma'", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"latency\": {\"message\": {\"dist\": "
          "\"fixed\", \"mean_s\": 0.3}}}",
          "$.latency.message.mean_s: unknown key", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"latency\": {\"connect\": 0.5}}",
          "$.latency.connect: expected an object", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"connections\": {\"max_per_ip\": "
          "2.5}}",
          "$.connections.max_per_ip: expected a whole number >= 0, got 2.5", 0,
          0 },
        { "{\"domains\": [\"a.test\"], \"throttle\": {\"reply\": \"550 "
          "no\"}}",
          "$.throttle.reply: expected a 4xx reply, got code 550", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"throttle\": {\"reply\": \"try "
          "later\"}}",
          "$.throttle.reply: expected an SMTP reply starting with a 3-digit "
          "code, such as '421 4.7.0 Try again later'",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"throttle\": {\"episodes\": "
          "{\"hazard\": 1, \"median_s\": 60, \"capacity_factor\": 0}}}",
          "$.throttle.episodes: needs a limited \"capacity\" to exceed", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "10}, \"throttle\": {\"episodes\": {\"hazard\": 1, "
          "\"capacity_factor\": 0}}}",
          "$.throttle.episodes: missing 'median_s'", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"capacity\": {\"initial_per_hour\": "
          "10}, \"throttle\": {\"episodes\": {\"hazard\": 1, \"median_s\": "
          "9, \"capacity_factor\": 0, \"repeat_factor\": 0.5}}}",
          "$.throttle.episodes.repeat_factor: expected a number >= 1, got "
          "0.5",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"transient\": {\"rate\": 1.5}}",
          "$.transient.rate: expected a number between 0 and 1, got 1.5", 0,
          0 },
        { "{\"domains\": [\"a.test\"], \"unknown_user\": {\"reply\": \"450 "
          "x\"}}",
          "$.unknown_user.reply: expected a 5xx reply, got code 450", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"connections\": {\"reply\": \"250 "
          "ok\"}}",
          "$.connections.reply: expected a 4xx or 5xx reply, got code 250", 0,
          0 },
        { "{\"domains\": [\"a.test\"], \"block\": {\"reply\": \"554 x\"}}",
          "$.block: missing 'below'", 0, 0 },
        { "{\"domains\": [\"a.test\"], \"reputation\": {\"weights\": "
          "{\"complaint\": -1}}}",
          "$.reputation.weights.complaint: expected a number >= 0, got -1", 0,
          0 },
        { "{\"domains\": [\"a.test\"], \"reputation\": {\"phi\": "
          "{\"zero_below\": 0.9, \"full_at\": 0.5}}}",
          "$.reputation.phi: 'zero_below' (0.9) must be less than 'full_at' "
          "(0.5)",
          0, 0 },
        { "{\"domains\": [\"a.test\"], \"name\": \"two words\"}",
          "$.name: expected a name without spaces", 0, 0 },
        { "{\n  \"domains\": [\"a.test\",]\n}", "invalid JSON", 2, 24 },
        { "{\"domains\": [\"a.test\"]} x", "invalid JSON", 1, 25 },
        { "", "invalid JSON", 1, 1 },
    };
    char path[] = "/tmp/test_provider_XXXXXX.json";
    int fd = mkstemps(path, 5);

    CHECK(fd >= 0, "mkstemps failed");
    if (fd < 0)
        return;
    close(fd);
    for (size_t i = 0; i < N_ELEM(cases); i++) {
        FILE *fp = fopen(path, "w");
        fputs(cases[i].json, fp);
        fclose(fp);
        struct prov_world *w = prov_world_alloc();
        struct diag_list dl;
        diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
        CHECK_INT(prov_world_load(w, path, &dl), -1);
        CHECK(dl.n > 0, "case %zu: no error", i);
        if (dl.n > 0) {
            CHECK_STR(dl.items[0].message, cases[i].msg);
            CHECK_STR(dl.items[0].file, path);
            CHECK_INT(dl.items[0].line, cases[i].line);
            CHECK_INT(dl.items[0].col, cases[i].col);
        }
        CHECK_INT(prov_world_count(w), 0);
        diag_list_release(&dl);
        prov_world_free(w);
    }
    remove(path);
}

/* test_missing_file_and_clash - an unreadable file; two models claiming
 * one domain (case-insensitively); two wildcard models. */
static void test_missing_file_and_clash(void)
{
    struct prov_world *w = prov_world_alloc();
    struct diag_list dl;

    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    CHECK_INT(prov_world_load(w, "tests/models/no-such.json", &dl), -1);
    CHECK_STR(dl.items[0].message, "cannot open: No such file or directory");
    CHECK_INT(prov_world_load(w, "tests/models/cap.json", &dl), 0);
    CHECK_INT(prov_world_load(w, "tests/models/clash.json", &dl), -1);
    CHECK_INT(dl.n, 2);
    if (dl.n == 2)
        CHECK_STR(dl.items[1].message,
                  "$.domains[1]: 'cap.test' is already served by model "
                  "'cap'");
    CHECK_INT(prov_world_find(w, "other.test"), -1);
    CHECK_INT(prov_world_load(w, "tests/models/generic.json", &dl), 1);
    CHECK_INT(prov_world_load(w, "tests/models/generic.json", &dl), -1);
    CHECK_INT(prov_world_count(w), 2);
    diag_list_release(&dl);
    prov_world_free(w);
}

/* test_find - domain lookup: case, trailing dot, generic fallback. */
static void test_find(void)
{
    static const char *const files[] = { "tests/models/cap.json",
                                         "tests/models/conn.json",
                                         "tests/models/generic.json" };
    static const struct {
        const char *domain;
        int want;
    } cases[] = {
        { "cap.test", 0 },  { "CAP.Test", 0 },     { "cap.test.", 0 },
        { "conn.test", 1 }, { "sub.cap.test", 2 }, { "unknown.example", 2 },
        { "", 2 },
    };
    struct prov_world *w = load(files, 2);

    CHECK_INT(prov_world_find(w, "unknown.example"), -1);
    prov_world_free(w);
    w = load(files, 3);
    for (size_t i = 0; i < N_ELEM(cases); i++)
        CHECK_INT(prov_world_find(w, cases[i].domain), cases[i].want);
    CHECK_STR(prov_world_name(w, 2), "generic");
    CHECK(prov_world_name(w, 3) == NULL, "name out of range");
    prov_world_free(w);
}

/* test_mx - the model's MX list, else "mx.<domain>". */
static void test_mx(void)
{
    static const char *const files[] = { "tests/models/cap.json",
                                         "tests/models/conn.json" };
    struct prov_world *w = load(files, 2);
    const char *mx[4];
    char buf[64];

    CHECK_INT(prov_world_mx(w, 1, "conn.test", mx, 4, buf, sizeof(buf)), 2);
    CHECK_STR(mx[0], "mx1.conn.test");
    CHECK_STR(mx[1], "mx2.conn.test");
    CHECK_INT(prov_world_mx(w, 1, "conn.test", mx, 1, buf, sizeof(buf)), 1);
    CHECK_INT(prov_world_mx(w, 0, "Cap.Test", mx, 4, buf, sizeof(buf)), 1);
    CHECK_STR(mx[0], "mx.cap.test");
    CHECK(mx[0] == buf, "made-up name lives in buf");
    CHECK_INT(prov_world_mx(w, -1, "x.test", mx, 4, buf, sizeof(buf)), 1);
    CHECK_STR(mx[0], "mx.x.test");
    prov_world_free(w);
}

/* test_capacity - offered 2C/h for 2 h against a fixed C: about C/h is
 * accepted (within the bucket of C/60), the rest deferred. */
static void test_capacity(void)
{
    static const double rates[] = { 2.0, 0.5 }; /* offered / capacity */
    const double cap = 600, bucket = cap / 60;

    for (size_t k = 0; k < N_ELEM(rates); k++) {
        struct prov_world *w = load_one("tests/models/cap.json", 0, -1);
        struct rng g;
        struct prov_reply out;
        int n = (int)(rates[k] * cap * 2), acc = 0, deferred = 0, bad = 0;
        rng_init(&g, 1, 0);
        for (int i = 0; i < n; i++) {
            struct prov_rcpt r = rcpt((uint64_t)i, 0);
            prov_transact(w, 0, 0, 7200.0 * i / n, &g, &r, 0, &out);
            acc += out.outcome == PROV_ACCEPT;
            bad += out.latency_s != 0;
            if (out.outcome != PROV_DEFER)
                continue;
            deferred++;
            bad += out.reason != PROV_RATE_LIMIT || out.code != 421 ||
                   !out.closes ||
                   strcmp(out.text, "421 4.7.0 Try again later") != 0;
        }
        CHECK_INT(bad, 0);
        double want = fmin(rates[k], 1) * cap * 2;
        CHECK(fabs(acc - want) <= bucket + 1,
              "rate x%g: accepted %d, want "
              "%g",
              rates[k], acc, want);
        CHECK_INT(acc + deferred, n);
        rng_release(&g);
        prov_world_free(w);
    }
}

/* test_growth - capacity C0 * G(a) grows per active day only. */
static void test_growth(void)
{
    struct prov_world *w = load_one("tests/models/growth.json", 0, -1);
    struct prov_ip_view v;
    struct rng g;
    double age = 0;

    rng_init(&g, 1, 0);
    for (int day = 0; day < 20; day++) {
        prov_world_view(w, 0, 0, day * DAY, &v);
        double g1 = fmin(age, 7), g2 = fmin(fmax(age - 7, 0), 7),
               g3 = fmax(age - 14, 0);
        double want = 100 * pow(2, g1) * pow(1.5, g2) * pow(1.1, g3);
        CHECK_NEAR(v.age_days, age, 1e-12);
        CHECK_NEAR(v.capacity_per_hour, fmin(want, 100000), 1e-6 * want);
        /* Day 3 is idle (5 < active_day_min 10): no growth. */
        int n = day == 3 ? 5 : 20;
        CHECK_INT(send_n(w, 0, &g, day * DAY, 3600, n, 1000u * day), n);
        age += n >= 10;
        prov_world_advance(w, (day + 1) * DAY);
    }
    rng_release(&g);
    prov_world_free(w);
}

/* test_history - the history cap beta * max(Vbar, floor) / H per hour and
 * beta * max(Vbar, floor) per day, and the week-1 cap per day;
 * established IPs start with a history that does not bind. */
static void test_history(void)
{
    struct prov_world *w = load_one("tests/models/history.json", 0, -1);
    struct prov_ip_view v;
    struct rng g;
    double vbar, alpha = 1 - pow(2, -1.0 / 7);

    rng_init(&g, 1, 0);
    prov_world_view(w, 0, 0, 0, &v);
    CHECK_NEAR(v.capacity_per_hour, 2 * 120 / 12.0, 1e-9);
    CHECK_NEAR(v.capacity_per_day, 2 * 120, 1e-9);
    /* 240 on day 0 (10/h, under the 20/h cap) is the day's allowance:
     * the 241st is deferred although the bucket has tokens. */
    CHECK_INT(send_n(w, 0, &g, 0, 24 * 3600 - 10, 240, 0), 240);
    CHECK_INT(send_n(w, 0, &g, 24 * 3600 - 5, 1, 1, 500), 0);
    prov_world_advance(w, DAY);
    prov_world_view(w, 0, 0, DAY, &v);
    /* Vbar = the 241 offered (<= beta x the peak) */
    CHECK_NEAR(v.capacity_per_hour, 2 * 241 / 12.0, 1e-9);
    CHECK_NEAR(v.capacity_per_day, 2 * 241, 1e-9);
    /* An idle day decays Vbar with a 7-day half-life. */
    prov_world_advance(w, 2 * DAY);
    vbar = 241 + alpha * (0 - 241);
    prov_world_view(w, 0, 0, 2 * DAY, &v);
    CHECK_NEAR(v.capacity_per_hour, 2 * vbar / 12, 1e-9);
    CHECK_NEAR(v.age_days, 1, 1e-12);
    /* Established IP (age 30): Cmax 1000 binds, not history or week 1;
     * at age 3 the week-1 cap binds the day (6000), not the hour. */
    CHECK_INT(prov_world_add_ip(w, "192.0.2.2", 30, -1), 1);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.3", 3, -1), 2);
    prov_world_view(w, 0, 1, 2 * DAY, &v);
    CHECK_NEAR(v.capacity_per_hour, 1000, 1e-9);
    CHECK_NEAR(v.capacity_per_day, 2 * 1000 * 12, 1e-9);
    CHECK_NEAR(v.reputation, 0.8, 1e-12);
    prov_world_view(w, 0, 2, 2 * DAY, &v);
    CHECK_NEAR(v.capacity_per_hour, 1000, 1e-9);
    CHECK_NEAR(v.capacity_per_day, 6000, 1e-9);
    rng_release(&g);
    prov_world_free(w);
}

/* test_ceiling - capacity.ceiling_per_day x ceiling_factor bounds what a
 * receiver accepts a day by the IP's age, and ends with the list. */
static void test_ceiling(void)
{
    struct prov_world *w = load_one("tests/models/ceiling.json", 0, -1);
    struct prov_ip_view v;
    struct rng g;
    static const double want[] = { 50, 100, HUGE_VAL };

    rng_init(&g, 1, 0);
    for (int day = 0; day < 3; day++) {
        prov_world_view(w, 0, 0, day * DAY, &v);
        CHECK_NEAR(v.age_days, day, 1e-12);
        if (isinf(want[day]))
            CHECK(isinf(v.capacity_per_day), "got %g", v.capacity_per_day);
        else
            CHECK_NEAR(v.capacity_per_day, want[day], 1e-9);
        /* 20 past the ceiling are deferred; without one all pass */
        int n = day < 2 ? (int)want[day] : 300, extra = day < 2 ? 0 : 20;
        CHECK_INT(send_n(w, 0, &g, day * DAY, 3600, n + 20, 1000u * day),
                  n + extra);
        prov_world_advance(w, (day + 1) * DAY);
    }
    rng_release(&g);
    prov_world_free(w);
}

/* test_connections - the per-IP connection limit at connect, its release
 * on disconnect, and the per-connection message cap. */
static void test_connections(void)
{
    struct prov_world *w = load_one("tests/models/conn.json", 0, -1);
    struct prov_reply out;
    struct prov_ip_view v;
    struct rng g;
    static const int want[] = { PROV_ACCEPT, PROV_ACCEPT, PROV_DEFER };

    rng_init(&g, 1, 0);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.2", 0, -1), 1);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.1", 5, 0.1), 0);
    for (int i = 0; i < 3; i++) {
        prov_connect(w, 0, 0, 10, &g, (uint64_t)i, &out);
        CHECK_INT(out.outcome, want[i]);
    }
    CHECK_INT(out.reason, PROV_CONN_LIMIT);
    CHECK_INT(out.code, 421);
    CHECK_INT(out.closes, 1);
    CHECK_STR(out.text, "421 RP-003 Too many connections from 192.0.2.1");
    prov_world_view(w, 0, 0, 10, &v);
    CHECK_INT(v.open_connections, 2);
    prov_connect(w, 0, 1, 10, &g, 9, &out); /* another IP: its own limit */
    CHECK_INT(out.outcome, PROV_ACCEPT);
    CHECK_INT(out.code, 220);
    prov_disconnect(w, 0, 0, 11);
    prov_connect(w, 0, 0, 12, &g, 3, &out);
    CHECK_INT(out.outcome, PROV_ACCEPT);
    for (uint32_t k = 0; k < 5; k++) {
        struct prov_rcpt r = rcpt(k, 0);
        prov_transact(w, 0, 0, 13, &g, &r, k, &out);
        CHECK_INT(out.outcome, k < 3 ? PROV_ACCEPT : PROV_DEFER);
    }
    CHECK_INT(out.reason, PROV_MSG_CAP);
    CHECK_INT(out.closes, 1);
    CHECK_STR(out.text, "421 RP-002 Too many messages on this connection");
    rng_release(&g);
    prov_world_free(w);
}

/* test_unknown_user - 5xx per invalid recipient, using no capacity;
 * without "unknown_user" invalid recipients are accepted. */
static void test_unknown_user(void)
{
    static const char *const files[] = { "tests/models/cap.json",
                                         "tests/models/conn.json" };
    struct prov_world *w = load(files, 2);
    struct prov_reply out;
    struct rng g;
    int rejected = 0;

    rng_init(&g, 1, 0);
    prov_world_add_ip(w, "192.0.2.1", 0, -1);
    for (int i = 0; i < 100; i++) {
        struct prov_rcpt r = rcpt((uint64_t)i, 0);
        r.invalid = 1;
        prov_transact(w, 0, 0, 1, &g, &r, 0, &out);
        rejected += out.outcome == PROV_REJECT;
    }
    CHECK_INT(rejected, 100);
    CHECK_INT(out.reason, PROV_UNKNOWN_USER);
    CHECK_INT(out.code, 550);
    CHECK_INT(out.closes, 0);
    CHECK_STR(out.text, "550 5.1.1 No such user");
    /* The bucket (10 tokens) is still full. */
    CHECK_INT(send_n(w, 0, &g, 1, 0, 12, 500), 10);
    struct prov_rcpt r = rcpt(7, 0);
    r.invalid = 1;
    prov_transact(w, 1, 0, 1, &g, &r, 0, &out);
    CHECK_INT(out.outcome, PROV_ACCEPT);
    rng_release(&g);
    prov_world_free(w);
}

/* test_transient - an independent Bernoulli(p) per (id, attempt): the
 * deferral fraction over 100000 pairs is within 5 sigma of p. */
static void test_transient(void)
{
    struct prov_world *w = load_one("tests/models/transient.json", 0, -1);
    struct prov_reply out;
    struct rng g;
    const int n = 100000;
    const double p = 0.1;
    int deferred = 0, bad = 0;
    const char *text = "";

    rng_init(&g, 7, 3);
    for (int i = 0; i < n; i++) {
        struct prov_rcpt r = rcpt((uint64_t)(i / 4), (uint32_t)(i % 4));
        prov_transact(w, 0, 0, i * 0.01, &g, &r, 0, &out);
        if (out.outcome == PROV_DEFER) {
            deferred++;
            text = out.text;
            bad +=
                out.reason != PROV_TRANSIENT || out.code != 451 || out.closes;
        }
    }
    CHECK_INT(bad, 0);
    CHECK_STR(text, "451 4.3.2 Please try again");
    CHECK_NEAR((double)deferred / n, p, 5 * sqrt(p * (1 - p) / n));
    rng_release(&g);
    prov_world_free(w);
}

/* test_transient_stream - an attempt's stream (RNG_MESSAGE, id, attempt)
 * gives its latency's Gaussian, then the uniform of its random temporary
 * failure: checked draw for draw, also on the attempts that start a
 * throttle episode (whose draws reposition the shared stream, so the
 * failure's uniform must be taken first); and the failure does not
 * depend on the latency: deferred and accepted attempts have the same
 * mean latency within 5 sigma (one word for both would split them). */
static void test_transient_stream(void)
{
    struct prov_world *w =
        load_one("tests/models/transient-episodes.json", 0, -1);
    struct prov_reply out;
    struct rng g, ref;
    const int n = 40000;
    int agree = 0, episodes = 0;
    double sum[2] = { 0 }, sum2[2] = { 0 }, cnt[2] = { 0 };

    rng_init(&g, 5, 2);
    rng_init(&ref, 5, 2);
    for (int i = 0; i < n; i++) {
        /* bursts of 3000 first attempts every 2 h: each overshoots its
         * window, so the next burst's first attempt may start an episode
         * and still find tokens (refilled during the gap) */
        struct prov_rcpt r = rcpt((uint64_t)i, 0);
        double t = (i / 3000) * 7200.0 + (i % 3000) * 0.1;
        prov_transact(w, 0, 0, t, &g, &r, 0, &out);
        gsl_rng *at = rng_at(&ref, RNG_MESSAGE, r.id, r.attempt);
        double lat = exp(log(0.5) + 0.5 * gsl_ran_gaussian_ziggurat(at, 1));
        int transient = gsl_rng_uniform(at) < 0.3;
        episodes += out.reason == PROV_EPISODE;
        if (out.reason != PROV_TRANSIENT && out.outcome != PROV_ACCEPT)
            continue; /* throttled before the draw is read */
        int d = out.reason == PROV_TRANSIENT;
        agree += d == transient && out.latency_s == lat;
        sum[d] += out.latency_s;
        sum2[d] += out.latency_s * out.latency_s;
        cnt[d]++;
    }
    CHECK(episodes > 0, "no throttle episode: the check is void");
    CHECK_INT(agree, (int)(cnt[0] + cnt[1]));
    double m0 = sum[0] / cnt[0], m1 = sum[1] / cnt[1];
    double v0 = sum2[0] / cnt[0] - m0 * m0, v1 = sum2[1] / cnt[1] - m1 * m1;
    CHECK_NEAR(m1 - m0, 0, 5 * sqrt(v0 / cnt[0] + v1 / cnt[1]));
    CHECK_NEAR(cnt[1] / (cnt[0] + cnt[1]), 0.3,
               5 * sqrt(0.3 * 0.7 / (cnt[0] + cnt[1])));
    rng_release(&g);
    rng_release(&ref);
    prov_world_free(w);
}

/* drive - offer one attempt every dt_s from t0 to t1 (ids from id0);
 * returns the number accepted. The first deferral inside an episode is
 * checked: the throttle reply with the IP, zero capacity in the view. */
static int drive(struct prov_world *w, struct rng *g, double t0, double t1,
                 double dt_s, uint64_t id0, int *in_ep)
{
    struct prov_reply out;
    struct prov_ip_view v;
    int acc = 0;
    uint64_t id = id0;

    for (double t = t0; t < t1; t += dt_s) {
        struct prov_rcpt r = rcpt(id++, 0);
        prov_transact(w, 0, 0, t, g, &r, 0, &out);
        acc += out.outcome == PROV_ACCEPT;
        if (out.reason != PROV_EPISODE || in_ep == NULL || (*in_ep)++ > 0)
            continue;
        CHECK_INT(out.code, 421);
        CHECK_INT(out.closes, 1);
        CHECK_STR(out.text, "421-4.7.28 Unusual rate from 192.0.2.1");
        prov_world_view(w, 0, 0, t, &v);
        CHECK_INT(v.in_episode, 1);
        CHECK_NEAR(v.capacity_per_hour, 0, 0);
    }
    return acc;
}

/* test_episodes - no episode at or under capacity; with excess an episode
 * starts, defers everything (rho 0) for its duration, and repeated
 * episodes within 24 h last 2x, 4x... up to max_s. */
static void test_episodes(void)
{
    static const double want[] = { 600, 1200, 2400, 3000 };
    struct prov_world *w = load_one("tests/models/episodes.json", 0, -1);
    struct ev_log log = { 0 };
    struct rng g;
    int in_ep = 0, k = 0;

    rng_init(&g, 11, 0);
    prov_world_set_events(w, record, &log);
    /* At capacity (1/s) for 2 h: everything accepted, no episode. */
    CHECK_INT(drive(w, &g, 0, 7200, 1.0, 0, NULL), 7200);
    CHECK_INT(log.n, 0);
    /* At 2x capacity for 4 h: episodes of 600, 1200, 2400, 3000 s. */
    drive(w, &g, 7200, 7200 + 4 * 3600, 0.5, 100000, &in_ep);
    CHECK(in_ep > 0, "no deferral inside an episode");
    for (int i = 0; i < log.n && k < 4; i++) {
        if (strcmp(log.event[i], "episode-start") != 0)
            continue;
        CHECK_NEAR(log.value[i], want[k], 1e-6);
        CHECK_STR(log.ip[i], "192.0.2.1");
        CHECK(i + 1 < log.n && !strcmp(log.event[i + 1], "episode-end"),
              "episode %d has no end", k);
        if (i + 1 < log.n)
            CHECK_NEAR(log.t[i + 1] - log.t[i], want[k], 1e-6);
        k++;
    }
    CHECK_INT(k, 4);
    rng_release(&g);
    prov_world_free(w);
}

/* day_of - one day of traffic: n recipients, of which `unknown` invalid
 * and `complaints` complaining, then the day boundary. */
static void day_of(struct prov_world *w, struct rng *g, int day, int n,
                   int unknown, int complaints)
{
    struct prov_reply out;

    for (int i = 0; i < n; i++) {
        struct prov_rcpt r = rcpt(1000000u * (uint64_t)day + (uint64_t)i, 0);
        r.invalid = i < unknown;
        r.complains = i >= n - complaints;
        prov_transact(w, 0, 0, day * DAY + i, g, &r, 0, &out);
    }
    prov_world_advance(w, (day + 1) * DAY);
}

/* rep_next - the §4.2 daily update, written out for the test. */
static double rep_next(double r, double c, double u, double s)
{
    double drive = -0.05 * fmax(0, c - 0.001) / 0.001 -
                   0.15 * fmax(0, c - 0.003) / 0.003 -
                   0.03 * fmax(0, u - 0.02) / 0.02 -
                   (s > 0 ? 0.05 * fmax(0, log2(s) - 1) : 0);
    double target = c < 0.001 && u < 0.02 ? 0.9 : r;
    return fmin(fmax(r + (target - r) / 7 + drive, 0), 1);
}

/* seen_rate - the rate a day proves at least: the exact Poisson lower
 * bound at 95 % of k events in n (docs/providers.md). */
static double seen_rate(double k, double n)
{
    return k > 0 ? fmin(gsl_cdf_gamma_Pinv(0.05, k, 1) / n, k / n) : 0;
}

/* test_reputation - complaints and unknown users lower reputation; a day
 * whose one complaint is noise (1 in 200) and clean days recover it. */
static void test_reputation(void)
{
    struct prov_world *w = load_one("tests/models/rep.json", 100, -1);
    struct prov_ip_view v;
    struct rng g;
    static const struct {
        int n, unknown, complaints;
    } days[] = {
        { 1000, 0, 5 },   /* 0.5 % complaints: proven above 0.1 % */
        { 1000, 100, 0 }, /* 10 % unknown users */
        { 200, 0, 1 },    /* one complaint in 200: noise, recovery */
        { 1000, 0, 0 },   /* clean: recovery */
    };
    double r = 0.8; /* "established": age 100, no reputation given */

    rng_init(&g, 5, 0);
    for (int day = 0; day < (int)N_ELEM(days); day++) {
        day_of(w, &g, day, days[day].n, days[day].unknown,
               days[day].complaints);
        double before = r;
        double acc = days[day].n - days[day].unknown;
        r = rep_next(r, seen_rate(days[day].complaints, acc),
                     seen_rate(days[day].unknown, days[day].n), 0);
        prov_world_view(w, 0, 0, (day + 1) * DAY, &v);
        CHECK_NEAR(v.reputation, r, 1e-12);
        CHECK(day >= 2 ? r > before : r < before, "day %d: %g -> %g", day,
              before, r);
    }
    rng_release(&g);
    prov_world_free(w);
}

/* test_block - below the threshold the IP is blocked (5xx at connect and
 * per message, with the IP in the text) until reputation recovers and
 * min_hours have passed. */
static void test_block(void)
{
    struct prov_world *w = load_one("tests/models/rep.json", 100, 0.3);
    struct ev_log log = { 0 };
    struct prov_ip_view v;
    struct prov_reply out;
    struct prov_rcpt rc = rcpt(1, 0);
    struct rng g;
    int day = 1;

    rng_init(&g, 5, 0);
    prov_world_set_events(w, record, &log);
    day_of(w, &g, 0, 2000, 0, 40); /* 2 % complaints: collapse */
    CHECK_INT(log.days, 1);        /* one "day" report for the IP that sent */
    prov_world_view(w, 0, 0, DAY, &v);
    CHECK_INT(v.blocked, 1);
    CHECK(v.reputation < 0.25, "reputation %g", v.reputation);
    CHECK(log.n == 1 && !strcmp(log.event[0], "block"), "no block event");
    CHECK_NEAR(log.t[0], DAY, 0);
    /* The block is a transaction reply: the connection is accepted, every
     * recipient is refused with the block text. */
    prov_connect(w, 0, 0, DAY + 5, &g, 1, &out);
    CHECK_INT(out.outcome, PROV_ACCEPT);
    prov_transact(w, 0, 0, DAY + 6, &g, &rc, 0, &out);
    CHECK_INT(out.outcome, PROV_REJECT);
    CHECK_STR(out.text, "554 5.7.1 Client host [192.0.2.1] blocked");
    CHECK_INT(out.code, 554);
    CHECK_INT(out.reason, PROV_BLOCKED);
    while (v.blocked && day < 30) {
        prov_world_advance(w, (++day) * DAY);
        prov_world_view(w, 0, 0, day * DAY, &v);
    }
    CHECK_INT(v.blocked, 0);
    CHECK(v.reputation >= 0.25, "unblocked at R %g", v.reputation);
    CHECK(day >= 2 && day < 10, "unblocked on day %d", day);
    CHECK(!strcmp(log.event[log.n - 1], "unblock"), "no unblock event");
    prov_transact(w, 0, 0, day * DAY + 6, &g, &rc, 0, &out);
    CHECK_INT(out.outcome, PROV_ACCEPT);
    rng_release(&g);
    prov_world_free(w);

    /* An IP given a reputation below the threshold starts blocked. */
    w = load_one("tests/models/rep.json", 100, 0.1);
    prov_world_view(w, 0, 0, 0, &v);
    CHECK_INT(v.blocked, 1);
    prov_world_free(w);
}

/* test_spike_and_phi - a day at 8x the moving average costs
 * w_s * (log2 8 - 1); capacity and connection tolerance scale with
 * phi(R). */
static void test_spike_and_phi(void)
{
    struct prov_world *w = load_one("tests/models/rep.json", 0, -1);
    struct prov_ip_view v;
    struct prov_reply out;
    struct rng g;
    double r = 0.5;

    rng_init(&g, 5, 0);
    day_of(w, &g, 0, 200, 0, 0);
    r = rep_next(r, 0, 0, 0);
    day_of(w, &g, 1, 1600, 0, 0);
    r = rep_next(r, 0, 0, 8);
    prov_world_view(w, 0, 0, 2 * DAY, &v);
    CHECK_NEAR(v.reputation, r, 1e-12);
    prov_world_free(w);

    w = load_one("tests/models/phi.json", 0, 0.5);
    double phi = pow(0.25 / 0.55, 1.5);
    prov_world_view(w, 0, 0, 0, &v);
    CHECK_NEAR(v.capacity_per_hour, 1000 * phi, 1e-9);
    int accepted = 0; /* tolerance ceil(10 * phi) = 4 sessions */
    for (int i = 0; i < 10; i++) {
        prov_connect(w, 0, 0, 1, &g, (uint64_t)i, &out);
        accepted += out.outcome == PROV_ACCEPT;
    }
    CHECK_INT(accepted, (int)ceil(10 * phi));
    rng_release(&g);
    prov_world_free(w);
}

/* sample_mean_check - the mean of n latencies within 5 sigma. */
static void sample_mean_check(const double *x, int n, double mean, double sd)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += x[i];
    CHECK_NEAR(sum / n, mean, 5 * sd / sqrt(n));
}

/* test_latency - exponential connect and lognormal message latencies have
 * their means; fixed is exact; absent is 0. */
static void test_latency(void)
{
    static const char *const files[] = { "tests/models/latency.json",
                                         "tests/models/fixed.json" };
    enum { N = 20000 };
    static double conn[N], msg[N];
    struct prov_world *w = load(files, 2);
    struct prov_reply out;
    struct rng g;

    rng_init(&g, 3, 0);
    prov_world_add_ip(w, "192.0.2.1", 0, -1);
    for (int i = 0; i < N; i++) {
        struct prov_rcpt r = rcpt((uint64_t)i, 0);
        prov_connect(w, 0, 0, i, &g, (uint64_t)i, &out);
        conn[i] = out.latency_s;
        prov_disconnect(w, 0, 0, i);
        prov_transact(w, 0, 0, i, &g, &r, 0, &out);
        msg[i] = out.latency_s;
    }
    sample_mean_check(conn, N, 0.5, 0.5);
    double s2 = 0.25;
    sample_mean_check(msg, N, 0.3 * exp(s2 / 2),
                      0.3 * sqrt((exp(s2) - 1) * exp(s2)));
    prov_connect(w, 1, 0, 1, &g, 1, &out);
    CHECK_NEAR(out.latency_s, 0.25, 0);
    struct prov_rcpt r = rcpt(1, 0);
    prov_transact(w, 1, 0, 1, &g, &r, 0, &out);
    CHECK_NEAR(out.latency_s, 0, 0);
    CHECK_STR(prov_world_name(w, 1), "fixed-latency");
    rng_release(&g);
    prov_world_free(w);
}

/* test_determinism - outcomes and latencies depend on (id, attempt)
 * only, not on call order or on what else happened. */
static void test_determinism(void)
{
    enum { N = 2000 };
    static double lat[2][N];
    static int outcome[2][N];
    struct prov_reply out;
    struct rng g;

    for (int pass = 0; pass < 2; pass++) {
        struct prov_world *w = load_one("tests/models/determinism.json", 0, -1);
        rng_init(&g, 99, 1);
        for (int k = 0; k < N; k++) {
            int i = pass == 0 ? k : N - 1 - k; /* reversed order */
            struct prov_rcpt r = rcpt((uint64_t)(i / 2), (uint32_t)(i % 2));
            if (pass == 1 && k % 3 == 0) /* unrelated draws in between */
                prov_connect(w, 0, 0, k, &g, (uint64_t)k, &out);
            prov_transact(w, 0, 0, k, &g, &r, 0, &out);
            lat[pass][i] = out.latency_s;
            outcome[pass][i] = out.outcome;
        }
        rng_release(&g);
        prov_world_free(w);
    }
    int same = 0;
    for (int i = 0; i < N; i++)
        same += lat[0][i] == lat[1][i] && outcome[0][i] == outcome[1][i];
    CHECK_INT(same, N);
}

/* test_reply_pointers - the same reply is the same pointer, across IPs
 * when the text has no "{ip}"; defaults for added IPs; a model loaded
 * after the IPs. */
static void test_reply_pointers(void)
{
    struct prov_world *w = load_one("tests/models/cap.json", 0, -1);
    struct prov_reply a, b;
    struct prov_ip_view v;
    struct rng g;

    rng_init(&g, 1, 0);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.2", 0, -1), 1);
    CHECK_INT(prov_world_add_ip(w, "192.0.2.1", 9, 0.1), 0);
    CHECK_STR(prov_world_ip(w, 1), "192.0.2.2");
    CHECK(prov_world_ip(w, 2) == NULL, "ip out of range");
    send_n(w, 0, &g, 0, 0, 20, 0);
    send_n(w, 1, &g, 0, 0, 20, 0);
    struct prov_rcpt r = rcpt(1, 1);
    prov_transact(w, 0, 0, 0, &g, &r, 0, &a);
    prov_transact(w, 0, 1, 0, &g, &r, 0, &b);
    CHECK_INT(a.outcome, PROV_DEFER);
    CHECK(a.text == b.text, "same reply, different pointers");
    prov_world_view(w, 0, 1, 0, &v);
    CHECK_NEAR(v.reputation, 0.5, 0);
    CHECK_NEAR(v.age_days, 0, 0);
    /* A model loaded after the IPs gets states for them. */
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    CHECK_INT(prov_world_load(w, "tests/models/conn.json", &dl), 1);
    prov_connect(w, 1, 1, 0, &g, 1, &a);
    CHECK_INT(a.outcome, PROV_ACCEPT);
    prov_world_view(w, 1, 1, 0, &v);
    CHECK_INT(v.open_connections, 1);
    prov_world_view(w, 1, 0, 0, &v);
    CHECK_NEAR(v.age_days, 0, 0);
    diag_list_release(&dl);
    rng_release(&g);
    prov_world_free(w);
}

/* test_published_envelope - the shipped models' allowance for a new IP
 * of each age (in good standing, history not binding) carries half of
 * the steepest published per-IP plan of that day over 12 active hours
 * (SparkPost, KumoMTA aggressive; docs/providers.md §4), Microsoft 35 %,
 * up to the provider's maximum; Gmail's bulk level (5,000 a day) comes within 5
 * days; Microsoft and Yahoo keep SparkPost's first-week limits. */
static void test_published_envelope(void)
{
    static const char *const files[] = {
        "models/microsoft.json", "models/gmail.json",   "models/yahoo.json",
        "models/apple.json",     "models/comcast.json", "models/generic.json",
    };
    static const double steepest[] = {
        200,    500,    1000,   2500,   5000,   10000,   20000,
        40000,  50000,  75000,  100000, 150000, 200000,  300000,
        325000, 400000, 500000, 600000, 750000, 1000000, 1250000,
    };
    struct prov_world *w = load(files, N_ELEM(files));
    struct prov_ip_view v;
    char ip[32];

    for (int age = 0; age < (int)N_ELEM(steepest); age++) {
        snprintf(ip, sizeof(ip), "198.51.100.%d", age + 1);
        int k = prov_world_add_ip(w, ip, age, 0.5);
        prov_world_set_history(w, k, 1e12);
        for (int p = 0; p < 6; p++) {
            prov_world_view(w, p, k, 0, &v);
            double share = p == 0 ? 0.35 : 0.5;
            double need = fmin(share * steepest[age] / 12, 20000);
            if (age < 7 && p == 0)
                need = fmin(need, 20000.0 / 12); /* Outlook week one */
            if (age < 7 && p == 2)
                need = fmin(need, 5000.0 / 12); /* AOL week one */
            CHECK(v.capacity_per_hour >= need, "%s age %d: %g/h < %g/h",
                  prov_world_name(w, p), age, v.capacity_per_hour, need);
            if (p == 1 && age == 4)
                CHECK(v.capacity_per_hour * 12 >= 5000,
                      "gmail: %g a day on day 5", v.capacity_per_hour * 12);
            if (p == 0 && age == 3)
                CHECK(v.capacity_per_hour * 12 <= 20000,
                      "microsoft week one: %g a day", v.capacity_per_hour * 12);
        }
    }
    prov_world_free(w);
}

/* test_long_tail - each domain of the "*" tail is its own receiver, up
 * to tail_domains; a domain's allowance and connections do not limit
 * another's; further domains share a state by name. */
static void test_long_tail(void)
{
    struct prov_world *w = load_one("tests/models/tail.json", 100, -1);
    struct prov_reply out;
    struct rng g;
    int p = prov_world_find(w, "a.example");
    int ta = prov_world_target(w, p, "a.example");
    int tb = prov_world_target(w, p, "b.example");
    int tc = prov_world_target(w, p, "c.example");

    rng_init(&g, 3, 0);
    CHECK_INT(p, 0);
    CHECK(ta != tb, "two tail domains share a state");
    CHECK(tc == ta || tc == tb, "a third domain got a state beyond the limit");
    CHECK_INT(prov_world_target(w, p, "a.example"), ta);
    /* a's bucket (10 messages) and its one connection are used up... */
    int acc_a = 0, acc_b = 0;
    prov_connect(w, ta, 0, 0, &g, 1, &out);
    CHECK_INT(out.outcome, PROV_ACCEPT);
    prov_connect(w, ta, 0, 0, &g, 2, &out);
    CHECK_INT(out.reason, PROV_CONN_LIMIT);
    for (int i = 0; i < 50; i++) {
        struct prov_rcpt r = rcpt((uint64_t)i, 0);
        prov_transact(w, ta, 0, 1, &g, &r, 0, &out);
        acc_a += out.outcome == PROV_ACCEPT;
    }
    /* ...and b still has both. */
    prov_connect(w, tb, 0, 0, &g, 3, &out);
    CHECK_INT(out.outcome, PROV_ACCEPT);
    for (int i = 0; i < 50; i++) {
        struct prov_rcpt r = rcpt(100 + (uint64_t)i, 0);
        prov_transact(w, tb, 0, 1, &g, &r, 0, &out);
        acc_b += out.outcome == PROV_ACCEPT;
    }
    CHECK_INT(acc_a, 10);
    CHECK_INT(acc_b, 10);
    rng_release(&g);
    prov_world_free(w);
}

/* test_age_by_days - an IP ages one day per calendar day on which it
 * sent anything, however little got through; idle days do not count. */
static void test_age_by_days(void)
{
    struct prov_world *w = load_one("tests/models/episodes.json", 0, -1);
    struct prov_ip_view v;
    struct rng g;
    struct prov_reply out;

    rng_init(&g, 4, 0);
    for (int day = 0; day < 5; day++) {
        if (day == 2) /* idle */
            continue;
        struct prov_rcpt r = rcpt((uint64_t)day, 0);
        prov_transact(w, 0, 0, day * DAY + 10, &g, &r, 0, &out);
    }
    prov_world_advance(w, 5 * DAY);
    prov_world_view(w, 0, 0, 5 * DAY, &v);
    CHECK_NEAR(v.age_days, 4, 0);
    rng_release(&g);
    prov_world_free(w);
}

/* test_episode_driver - retries of deferred mail, however many, start no
 * episode; first attempts beyond the allowance do. */
static void test_episode_driver(void)
{
    struct prov_world *w = load_one("tests/models/episodes.json", 0, -1);
    struct ev_log log = { 0 };
    struct prov_reply out;
    struct rng g;

    rng_init(&g, 6, 0);
    prov_world_set_events(w, record, &log);
    /* 20 retries a second (20x the allowance) for 2 h. */
    for (int i = 0; i < 2 * 3600 * 20; i++) {
        struct prov_rcpt r = rcpt((uint64_t)(i % 1000), 1 + (uint32_t)i);
        prov_transact(w, 0, 0, i / 20.0, &g, &r, 0, &out);
    }
    CHECK_INT(log.n, 0);
    /* 20 new messages a second for 1 h. */
    for (int i = 0; i < 3600 * 20; i++) {
        struct prov_rcpt r = rcpt(1000000 + (uint64_t)i, 0);
        prov_transact(w, 0, 0, 7200 + i / 20.0, &g, &r, 0, &out);
    }
    CHECK(log.n > 0 && strcmp(log.event[0], "episode-start") == 0,
          "no episode from first attempts at 20x the allowance");
    rng_release(&g);
    prov_world_free(w);
}

int main(void)
{
    test_shipped();
    test_bad_models();
    test_missing_file_and_clash();
    test_find();
    test_mx();
    test_capacity();
    test_growth();
    test_history();
    test_ceiling();
    test_connections();
    test_unknown_user();
    test_transient();
    test_transient_stream();
    test_episodes();
    test_reputation();
    test_block();
    test_spike_and_phi();
    test_latency();
    test_determinism();
    test_reply_pointers();
    test_published_envelope();
    test_long_tail();
    test_age_by_days();
    test_episode_driver();
    return test_done();
}
