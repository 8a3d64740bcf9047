/* test_engine.c - the engine primitives: keyed random streams (Philox as a
 * gsl_rng_type), the event heap, and the rate limiters. */
#include "engine/evq.h"
#include "engine/rng.h"
#include "mta/mta_rate.h"
#include "test.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Draws depend only on (seed, replication, purpose, entity, attempt). */
static void test_rng_keying(void)
{
    struct rng a, b;
    rng_init(&a, 42, 0);
    rng_init(&b, 42, 0);
    double x1 = gsl_rng_uniform(rng_at(&a, RNG_MESSAGE, 7, 1));
    for (int i = 0; i < 100; i++) /* unrelated draws in between */
        gsl_rng_uniform(rng_at(&b, RNG_DATA, (uint64_t)i, 0));
    double x2 = gsl_rng_uniform(rng_at(&b, RNG_MESSAGE, 7, 1));
    CHECK(x1 == x2, "same key, same draw: %.17g vs %.17g", x1, x2);
    CHECK(gsl_rng_uniform(rng_at(&a, RNG_MESSAGE, 7, 2)) != x1,
          "another attempt, another draw");
    CHECK(gsl_rng_uniform(rng_at(&a, RNG_CONNECT, 7, 1)) != x1,
          "another purpose, another draw");
    struct rng c;
    rng_init(&c, 42, 1);
    CHECK(gsl_rng_uniform(rng_at(&c, RNG_MESSAGE, 7, 1)) != x1,
          "another replication, another draw");
    /* rng_uniform is the first draw of the stream, computed statelessly. */
    for (uint64_t e = 0; e < 1000; e++) {
        double s = gsl_rng_uniform(rng_at(&a, RNG_EPISODE, e, e % 3));
        double u = rng_uniform(&b, RNG_EPISODE, e, e % 3);
        if (s != u) {
            CHECK(s == u, "entity %llu: %.17g vs %.17g", (unsigned long long)e,
                  s, u);
            break;
        }
    }
    rng_release(&a);
    rng_release(&b);
    rng_release(&c);
}

/* Uniformity and independence, with GSL statistics as the referee. */
static void test_rng_quality(void)
{
    struct rng g;
    rng_init(&g, 1, 0);
    const int n = 200000;
    double sum = 0, sum2 = 0, lag = 0, prev = 0;
    int bins[10] = { 0 }, in_range = 1;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&g, RNG_ARRIVAL, (uint64_t)i, 0);
        in_range &= u >= 0 && u < 1;
        sum += u;
        sum2 += u * u;
        lag += (u - 0.5) * (prev - 0.5);
        prev = u;
        bins[(int)(u * 10)]++;
    }
    CHECK(in_range, "every draw in [0, 1)");
    double mean = sum / n, var = sum2 / n - mean * mean;
    CHECK_NEAR(mean, 0.5, 5 * sqrt(1.0 / 12 / n));
    CHECK_NEAR(var, 1.0 / 12, 0.002);
    CHECK_NEAR(lag / n, 0, 5 * (1.0 / 12) / sqrt(n));
    double chi2 = 0;
    for (int k = 0; k < 10; k++)
        chi2 += (bins[k] - n / 10.0) * (bins[k] - n / 10.0) / (n / 10.0);
    CHECK(chi2 < 27.9, "chi-square %.2f over 9 degrees of freedom (p<0.001)",
          chi2);
    /* Within one stream, many successive draws (distributions use them). */
    gsl_rng *r = rng_at(&g, RNG_EPISODE, 3, 0);
    double m = 0;
    for (int i = 0; i < n; i++)
        m += gsl_ran_exponential(r, 2.0);
    CHECK_NEAR(m / n, 2.0, 5 * 2.0 / sqrt(n));
    rng_release(&g);
}

/* rng_exponential is GSL's exponential draw on the positioned stream, to
 * the bit (the send-list generator and the providers' latencies use it). */
static void test_rng_exponential(void)
{
    struct rng g;
    rng_init(&g, 42, 3);
    size_t differ = 0;
    for (uint64_t e = 0; e < 100000; e++) {
        double mu = 0.5 + (double)(e % 7);
        double want =
            gsl_ran_exponential(rng_at(&g, RNG_ARRIVAL, e, e % 5), mu);
        differ += rng_exponential(&g, RNG_ARRIVAL, e, e % 5, mu) != want;
    }
    CHECK_INT(differ, 0);
    rng_release(&g);
}

/* The precomputed round keys give Random123's philox4x64 to the bit, for
 * any key and counter (words from a splitmix64 sequence, plus the edge
 * values 0 and all ones); rng_at's stream walks on with them. */
static void test_rng_philox_rounds(void)
{
    uint64_t x = 12345;
    size_t differ = 0;

    for (int n = 0; n < 20000; n++) {
        uint64_t w[6];
        for (int i = 0; i < 6; i++) {
            x += 0x9e3779b97f4a7c15ULL;
            uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            w[i] = z ^ (z >> 31);
            if (n % 7 == i)
                w[i] = n % 2 ? 0 : UINT64_MAX;
        }
        struct rng g;
        rng_init(&g, w[0], w[1]);
        philox4x64_key_t key = { { w[0], w[1] } };
        philox4x64_ctr_t ctr = { { w[2], w[3], w[4], w[5] } };
        philox4x64_ctr_t want = philox4x64(ctr, key);
        philox4x64_ctr_t got = rng_philox_block(&g, ctr);
        for (int i = 0; i < 4; i++)
            differ += got.v[i] != want.v[i];
        if (n % 100 == 0) { /* a stream past its first block */
            gsl_rng *r = rng_at(&g, RNG_MESSAGE, w[3], w[4]);
            philox4x64_ctr_t c1 = { { RNG_MESSAGE, w[3], w[4], 1 } };
            philox4x64_ctr_t b1 = philox4x64(c1, key);
            for (int i = 0; i < 4; i++)
                gsl_rng_uniform(r);
            differ += gsl_rng_uniform(r) != rng_u01(b1.v[0]);
        }
        rng_release(&g);
    }
    CHECK_INT(differ, 0);
}

/* rng_block's words are the positioned stream's successive doubles, and
 * rng_discrete is gsl_ran_discrete on them, to the bit: small and large
 * tables, skewed weights, one cell of weight 0. */
static void test_rng_discrete(void)
{
    static const double w3[] = { 0.5, 0.3, 0.2 };
    static const double w8[] = { 0.3, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05, 0.2 };
    double wz[1000];
    struct rng g;
    size_t differ = 0, words = 0;

    for (size_t k = 0; k < 1000; k++)
        wz[k] = k == 17 ? 0 : 1 / (double)(k + 1);
    gsl_ran_discrete_t *tab[3] = { gsl_ran_discrete_preproc(3, w3),
                                   gsl_ran_discrete_preproc(8, w8),
                                   gsl_ran_discrete_preproc(1000, wz) };
    rng_init(&g, 42, 1);
    for (uint64_t e = 0; e < 30000; e++) {
        philox4x64_ctr_t b = rng_block(&g, RNG_RECIPIENT, e, e % 3);
        const gsl_ran_discrete_t *t = tab[e % 3];
        gsl_rng *r = rng_at(&g, RNG_RECIPIENT, e, e % 3);
        for (int i = 0; i < 4; i++) {
            double u = rng_u01(b.v[i]);
            words += u == gsl_rng_uniform(r);
        }
        r = rng_at(&g, RNG_RECIPIENT, e, e % 3);
        differ += rng_discrete(t, rng_u01(b.v[0])) != gsl_ran_discrete(r, t);
        differ += rng_discrete(t, rng_u01(b.v[1])) != gsl_ran_discrete(r, t);
    }
    CHECK_INT(words, 4 * 30000);
    CHECK_INT(differ, 0);
    for (int i = 0; i < 3; i++)
        gsl_ran_discrete_free(tab[i]);
    rng_release(&g);
}

static void test_evq_order(void)
{
    struct evq q;
    evq_init(&q);
    /* Ties pop in insertion order; times in order. */
    const int64_t t[] = { 50, 10, 50, 30, 10, 0, 50 };
    for (int i = 0; i < 7; i++)
        CHECK_INT(evq_push(&q, t[i], 1, 0, (uint64_t)i), 0);
    const uint64_t want[] = { 5, 1, 4, 3, 0, 2, 6 };
    struct evq_event ev;
    for (int i = 0; i < 7; i++) {
        CHECK_INT(evq_pop(&q, &ev), 0);
        CHECK_INT(ev.id, want[i]);
    }
    CHECK_INT(evq_pop(&q, &ev), -1);
    CHECK_INT(evq_push(&q, 10, 1, 0, 0), -1); /* before now: refused */
    CHECK(evq_peek_time(&q) == INT64_MAX, "empty heap peeks INT64_MAX");
    /* A random hold workload stays sorted. */
    srand(7);
    for (int i = 0; i < 5000; i++)
        evq_push(&q, 50 + rand() % 100000, 1, 0, (uint64_t)i);
    int64_t last = -1;
    uint64_t last_seq = 0;
    int sorted = 1;
    while (evq_pop(&q, &ev) == 0) {
        /* time order, and ties in push order */
        sorted &= ev.t_us > last || (ev.t_us == last && ev.seq > last_seq);
        last = ev.t_us;
        last_seq = ev.seq;
        if (q.popped % 3 == 0 && q.pushed < 20000)
            evq_push(&q, ev.t_us + rand() % 1000, 1, 0, 0);
    }
    CHECK(sorted, "pops in (time, push) order");
    evq_release(&q);
}

/* The near and far heaps pop as one heap: time order, and ties in push
 * order even when one tied event went near and the other far. */
static void test_evq_near_far(void)
{
    struct evq q;
    evq_init(&q);
    int64_t far_t = EVQ_NEAR_US + 5;
    CHECK_INT(evq_push(&q, far_t, 1, 0, 0), 0); /* far: pushed at 0 */
    CHECK_INT(evq_push(&q, 10, 1, 0, 1), 0);
    struct evq_event ev;
    CHECK_INT(evq_pop(&q, &ev), 0);
    CHECK_INT(ev.id, 1);
    CHECK_INT(evq_push(&q, far_t, 1, 0, 2), 0); /* near now: a tie */
    CHECK_INT(evq_push(&q, 3 * EVQ_NEAR_US, 1, 0, 3), 0);
    CHECK_INT(evq_push(&q, far_t - 1, 1, 0, 4), 0);
    const uint64_t want[] = { 4, 0, 2, 3 };
    for (int i = 0; i < 4; i++) {
        CHECK_INT(evq_pop(&q, &ev), 0);
        CHECK_INT(ev.id, want[i]);
    }
    CHECK_INT(evq_pop(&q, &ev), -1);
    /* A hold workload over both heaps stays in (time, push) order. */
    srand(11);
    for (int i = 0; i < 3000; i++)
        evq_push(&q, q.now_us + rand() % (4 * EVQ_NEAR_US), 1, 0, (uint64_t)i);
    int64_t last_t = -1;
    uint64_t last_seq = 0;
    int ordered = 1;
    while (evq_pop(&q, &ev) == 0) {
        ordered &= ev.t_us > last_t || (ev.t_us == last_t && ev.seq > last_seq);
        last_t = ev.t_us;
        last_seq = ev.seq;
        if (q.pushed < 30000)
            evq_push(&q, ev.t_us + (rand() % 2 ? rand() % 1000 : 0), 1, 0, 0);
        if (q.pushed < 30000 && rand() % 4 == 0)
            evq_push(&q, ev.t_us + EVQ_NEAR_US + rand() % 1000, 1, 0, 0);
    }
    CHECK(ordered, "near and far pop in (time, sequence) order");
    CHECK_INT(q.n, 0);
    evq_release(&q);
}

/* count events that a limiter lets through in [0, horizon) when asked
 * back to back. */
static int drain(struct mta_rate *r, int64_t horizon_us, int64_t *last)
{
    int64_t now = 0;
    int n = 0;
    for (;;) {
        int64_t t = mta_rate_next(r, now, 1);
        if (t >= horizon_us)
            return n;
        mta_rate_take(r, t, 1);
        *last = t;
        now = t;
        n++;
    }
}

static void test_rate_limits(void)
{
    const int64_t hour = 3600LL * 1000000;
    struct mta_rate r;
    int64_t last = 0;
    mta_rate_init(&r, MTA_RATE_SLIDING, 100, 3600);
    CHECK_INT(drain(&r, hour, &last), 100); /* a burst of 100 ... */
    CHECK_INT(last, 0);
    CHECK_INT(drain(&r, 2 * hour, &last), 100); /* ... then 100 per hour */
    mta_rate_release(&r);
    mta_rate_init(&r, MTA_RATE_EVEN, 100, 3600);
    CHECK_INT(drain(&r, hour, &last), 100);
    CHECK_INT(last, 99 * 36000000LL); /* one every 36 s */
    mta_rate_release(&r);
    mta_rate_init(&r, MTA_RATE_TOKEN_BUCKET, 100, 3600);
    int n = drain(&r, hour, &last);
    CHECK(n >= 199 && n <= 200, "token bucket: %d in the first hour", n);
    mta_rate_release(&r);
    /* Above the ring size, sub-window counts: still exactly N per W
     * (tests/test_rate.c proves it for any window). */
    mta_rate_init(&r, MTA_RATE_SLIDING, 1e6, 86400);
    CHECK(r.count == 1e6 && r.bkt != NULL, "counts %g", r.count);
    n = drain(&r, 24 * hour, &last);
    CHECK_INT(n, 1000000);
    mta_rate_release(&r);
    mta_rate_init(&r, MTA_RATE_SLIDING, INFINITY, 1);
    CHECK(r.unlimited && mta_rate_next(&r, 5, 1) == 5, "unlimited");
    mta_rate_release(&r);
    /* The n-th slot: 3 events taken in a 3-per-hour window; the 2nd next
     * slot opens when the 2nd oldest leaves. */
    mta_rate_init(&r, MTA_RATE_SLIDING, 3, 3600);
    mta_rate_take(&r, 0, 1);
    mta_rate_take(&r, 10, 1);
    mta_rate_take(&r, 20, 1);
    CHECK_INT(mta_rate_next_nth(&r, 30, 0), hour);
    CHECK_INT(mta_rate_next_nth(&r, 30, 1), hour + 10);
    CHECK_INT(mta_rate_next_nth(&r, 30, 3), 2 * hour);
    mta_rate_release(&r);
}

/* A push into the past is a bug: EVQ_PUSH stops the process with exit
 * status 70 and a message naming the time, seed and event (stderr of the
 * child goes to a pipe so the test can read it). */
static void test_evq_push_checked(void)
{
    int fds[2];
    if (pipe(fds) != 0) {
        CHECK(0, "pipe failed");
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        struct evq q;
        evq_init(&q);
        q.seed = 42;
        q.replication = 3;
        EVQ_PUSH(&q, 5000000, 1, 0, 0);
        struct evq_event ev;
        evq_pop(&q, &ev);
        EVQ_PUSH(&q, 1000000, 7, 2, 9); /* before now: dies here */
        _exit(0);
    }
    close(fds[1]);
    char buf[1024];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 &&
           (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 70, "status %d", status);
    CHECK(strstr(buf, "internal error at tests/test_engine.c:") != NULL, "%s",
          buf);
    CHECK(strstr(buf, "simulated time t=5.000000 s, seed 42, replication 3") !=
              NULL,
          "%s", buf);
    CHECK(strstr(buf, "event: kind 7, generation 2, entity 9, at "
                      "t_us=1000000") != NULL,
          "%s", buf);
}

int main(void)
{
    test_rng_keying();
    test_rng_quality();
    test_rng_exponential();
    test_rng_discrete();
    test_rng_philox_rounds();
    test_evq_order();
    test_evq_near_far();
    test_rate_limits();
    test_evq_push_checked();
    return test_done();
}
