/* test_longtail.c - the generated long tail ("long_tail" in a scenario)
 * has the configured number of domains and a Zipf size distribution, and
 * the provider world gives its domains states of their own. */
#include "input/scenario.h"
#include "input/sendlist.h"
#include "provider/provider.h"
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_TAIL 20000
#define ZIPF_S 0.8

/* tail_rank - k of "tailNNNN.example", or -1. */
static long tail_rank(const char *d)
{
    char *end;
    if (strncmp(d, "tail", 4) != 0)
        return -1;
    long k = strtol(d + 4, &end, 10);
    return strcmp(end, ".example") == 0 ? k : -1;
}

static void test_generated_tail(void)
{
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    struct send_rec r;
    long *count = calloc(N_TAIL, sizeof(*count));
    long n = 0, distinct = 0, bad = 0;

    diag_list_init(&dl, 10);
    CHECK_INT(scenario_load("tests/longtail/scenario.json", "models", &sc, &dl),
              0);
    CHECK_NEAR(sc.tail_domains, N_TAIL, 0);
    CHECK_NEAR(sc.tail_zipf, ZIPF_S, 0);
    rng_init(&g, sc.seed, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    while (sl && sendlist_next(sl, &r) == 1) {
        long k = tail_rank(r.domain);
        if (k < 0 || k >= N_TAIL) {
            bad++;
            continue;
        }
        distinct += count[k]++ == 0;
        n++;
    }
    CHECK_INT(bad, 0);
    /* Zipf(0.8) over 20,000: the top domain's share is 1 / H, H = sum
     * (k+1)^-0.8; most domains appear in 200,000 draws. */
    double h = 0;
    for (int k = 0; k < N_TAIL; k++)
        h += pow(k + 1, -ZIPF_S);
    double top = (double)count[0] / (double)n, want = 1 / h;
    CHECK(fabs(top - want) < 0.1 * want, "top share %g, Zipf says %g", top,
          want);
    double r10 = (double)count[9] / (double)count[0];
    CHECK(fabs(r10 - pow(10, -ZIPF_S)) < 0.15 * pow(10, -ZIPF_S),
          "rank 10 / rank 1 = %g", r10);
    CHECK(distinct > N_TAIL / 2, "only %ld distinct tail domains", distinct);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
    free(count);
}

/* test_bad_long_tail - precise errors for a bad "long_tail". */
static void test_bad_long_tail(void)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        { "{\"domains\": 0}", "long_tail.domains: expected a whole number" },
        { "{\"domains\": 2.5}", "long_tail.domains: expected a whole number" },
        { "{\"zipf_exponent\": -1}", "long_tail.zipf_exponent: expected" },
        { "{\"domain\": 5}", "long_tail: unknown key 'domain'" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[] = "/tmp/mtasim-longtail-XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        CHECK(f != NULL, "temp file");
        if (f == NULL)
            continue;
        fprintf(f,
                "{\"duration\": \"1h\", \"config\": "
                "\"%s/tests/scenarios/small/small.conf\", \"sendlist\": "
                "{\"generate\": {\"long_tail\": %s, \"streams\": [{\"name\": "
                "\"a\", \"volume_per_day\": 10, \"domains\": {\"*\": 1}}]}}}",
                getenv("PWD") ? getenv("PWD") : ".", cases[i].json);
        fclose(f);
        struct scenario sc;
        struct diag_list dl;
        diag_list_init(&dl, 10);
        CHECK_INT(scenario_load(path, "models", &sc, &dl), -1);
        int found = 0;
        for (size_t j = 0; j < dl.n; j++)
            found |= strstr(dl.items[j].message, cases[i].msg) != NULL;
        CHECK(found, "case %zu: no '%s' (first: %s)", i, cases[i].msg,
              dl.n ? dl.items[0].message : "none");
        diag_list_release(&dl);
        remove(path);
    }
}

int main(void)
{
    test_generated_tail();
    test_bad_long_tail();
    return test_done();
}
