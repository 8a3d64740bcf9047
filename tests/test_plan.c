/* test_plan.c - the planners' library layer: the searches driven by fake
 * trial functions (monotone and not), and the pre-flight check on small
 * scenarios written here, one per silent wrong answer it must catch. */
#include "test.h"
#include "plan/pair.h"
#include "plan/patch.h"
#include "plan/preflight.h"
#include "plan/search.h"
#include "plan/trial.h"
#include "util/diag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------- count search */

/* A fake capacity trial: k passes from a threshold on (monotone), or by
 * a table of passing ks (non-monotone). Each call is counted. */
struct fake_k {
    int threshold;  /* > 0: k >= threshold passes */
    const int *set; /* else: k in set passes (0-terminated) */
    int error_at;   /* k that fails with an error (0: none) */
    int calls;
};

static int fake_pass(const struct fake_k *f, int k)
{
    if (f->threshold > 0)
        return k >= f->threshold;
    for (const int *s = f->set; *s; s++)
        if (*s == k)
            return 1;
    return 0;
}

static int fake_k_trial(void *ctx, int k)
{
    struct fake_k *f = ctx;
    f->calls++;
    if (k == f->error_at)
        return -1;
    return fake_pass(f, k);
}

/* Monotone: the answer is exactly the threshold (minimal), found in
 * O(log max) trials, and 0 when even max fails. */
static void test_min_count_monotone(void)
{
    int bad = 0, worst = 0;
    for (int t = 1; t <= 300; t++) {
        struct fake_k f = { t, NULL, 0, 0 };
        int trials;
        int k = search_min_count(256, fake_k_trial, &f, &trials);
        int want = t <= 256 ? t : 0;
        if (k != want) {
            bad++;
            fprintf(stderr, "threshold %d: got %d, want %d\n", t, k, want);
        }
        if (trials != f.calls)
            bad++;
        if (trials > worst)
            worst = trials;
    }
    CHECK_INT(bad, 0);
    CHECK(worst <= 2 * 8 + 2, "at most 2 log2(256) + 2 trials, got %d", worst);
    struct fake_k one = { 1, NULL, 0, 0 };
    CHECK_INT(search_min_count(1, fake_k_trial, &one, NULL), 1);
    struct fake_k none = { 2, NULL, 0, 0 };
    CHECK_INT(search_min_count(1, fake_k_trial, &none, NULL), 0);
    CHECK_INT(none.calls, 1);
}

/* Not monotone: whatever the search returns passes and k - 1 fails (both
 * were tried); it may miss a smaller passing island, which is why the
 * planner only claims "k - 1 fails". */
static void test_min_count_not_monotone(void)
{
    static const int islands[][8] = {
        { 3, 10, 11, 12, 13, 14, 15, 16 }, /* an island below the answer */
        { 5, 6, 7, 0 },                    /* passes between powers of 2 */
        { 2, 9, 0 },                       /* passes, fails, passes */
        { 64, 0 },
    };
    for (size_t i = 0; i < sizeof(islands) / sizeof(islands[0]); i++) {
        struct fake_k f = { 0, islands[i], 0, 0 };
        int k = search_min_count(16, fake_k_trial, &f, NULL);
        CHECK(k >= 0 && k <= 16, "case %zu: k %d in range", i, k);
        if (k > 0) {
            CHECK(fake_pass(&f, k), "case %zu: the answer %d passes", i, k);
            CHECK(k == 1 || !fake_pass(&f, k - 1), "case %zu: k - 1 = %d fails",
                  i, k - 1);
        }
    }
    struct fake_k f = { 0, islands[0], 0, 0 };
    CHECK_INT(search_min_count(16, fake_k_trial, &f, NULL), 10);
    struct fake_k g = { 0, islands[3], 0, 0 };
    CHECK_INT(search_min_count(16, fake_k_trial, &g, NULL), 0);
}

/* An error in any trial stops the search with -1. */
static void test_min_count_error(void)
{
    struct fake_k f = { 50, NULL, 4, 0 };
    CHECK_INT(search_min_count(256, fake_k_trial, &f, NULL), -1);
    CHECK_INT(f.calls, 3);
    struct fake_k g = { 5, NULL, 6, 0 }; /* in the bisection */
    CHECK_INT(search_min_count(256, fake_k_trial, &g, NULL), -1);
}

/* ------------------------------------------------------ volume search */

struct fake_v {
    double limit;      /* v <= limit passes (monotone) */
    double lo2, hi2;   /* and v in [lo2, hi2] passes too (an island) */
    double max_passed; /* the largest passing volume tried */
    int calls;
};

static int fake_v_pass(const struct fake_v *f, double v)
{
    return v <= f->limit || (v >= f->lo2 && v <= f->hi2);
}

static int fake_v_trial(void *ctx, double v)
{
    struct fake_v *f = ctx;
    f->calls++;
    int ok = fake_v_pass(f, v);
    if (ok && v > f->max_passed)
        f->max_passed = v;
    return ok;
}

/* Monotone: the answer passes and is within the ratio of the limit. */
static void test_max_volume_monotone(void)
{
    static const double limits[] = { 150, 999, 1000, 4321, 77777, 150000 };
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        struct fake_v f = { limits[i], 0, -1, 0, 0 };
        struct search_volume p = { 0, 100, 1.15, 12 };
        double best;
        int found = search_max_volume(&p, fake_v_trial, &f, &best);
        CHECK_INT(found, 1);
        CHECK(best <= limits[i], "limit %g: %g passes", limits[i], best);
        CHECK(best * 1.15 * 1.01 >= limits[i],
              "limit %g: %g within 15 %% of it", limits[i], best);
        CHECK(best == f.max_passed, "best is the largest passing volume");
        CHECK(f.calls <= 40, "limit %g: %d trials", limits[i], f.calls);
    }
}

/* The previous day's volume is the floor; nothing passing above it, or
 * below the first try, is "none found"; the doubling stops at its cap. */
static void test_max_volume_edges(void)
{
    struct fake_v f = { 5000, 0, -1, 0, 0 };
    struct search_volume p = { 3000, 100, 1.15, 12 };
    double best;
    CHECK_INT(search_max_volume(&p, fake_v_trial, &f, &best), 1);
    CHECK(best >= 3000 && best <= 5000, "from the previous day: %g", best);

    struct fake_v low = { 50, 0, -1, 0, 0 };
    struct search_volume p0 = { 0, 100, 1.15, 12 };
    CHECK_INT(search_max_volume(&p0, fake_v_trial, &low, &best), 0);
    CHECK(best == 0, "none: %g", best);

    struct fake_v stuck = { 3000, 0, -1, 0, 0 };
    struct search_volume ps = { 3000, 100, 1.15, 12 };
    CHECK_INT(search_max_volume(&ps, fake_v_trial, &stuck, &best), 0);

    struct fake_v huge = { 1e12, 0, -1, 0, 0 };
    CHECK_INT(search_max_volume(&p0, fake_v_trial, &huge, &best), 1);
    CHECK_NEAR(best, 100 * pow(2, 11), 0.5);
    CHECK_INT(huge.calls, 12);
}

/* Not monotone: the answer still passes, and is at least the largest
 * passing volume of the connected range the doubling entered. */
static void test_max_volume_not_monotone(void)
{
    struct fake_v f = { 700, 1500, 1700, 0, 0 };
    struct search_volume p = { 0, 100, 1.15, 12 };
    double best;
    CHECK_INT(search_max_volume(&p, fake_v_trial, &f, &best), 1);
    CHECK(fake_v_pass(&f, best), "the answer %g passes", best);
    CHECK(best >= 700 / 1.15, "at least near the first range: %g", best);
    CHECK(best == f.max_passed, "the largest passing volume tried");
}

/* ------------------------------------------------------------ preflight */

static char tmpdir[] = "/tmp/mtasim-test-plan-XXXXXX";
static char models[1024];

static void write_file(const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static const char pool_conf[] =
    "<virtual-mta a>\n    smtp-source-host 192.0.2.21 a.example.net\n"
    "</virtual-mta>\n<virtual-mta b>\n"
    "    smtp-source-host 192.0.2.22 b.example.net\n</virtual-mta>\n"
    "<virtual-mta-pool p>\n    virtual-mta a\n    virtual-mta b\n"
    "</virtual-mta-pool>\n<source 0/0>\n    default-virtual-mta p\n"
    "</source>\n";

/* run_preflight - a scenario with ips, stream target and models as given;
 * the error count, and whether some message holds want. */
static int run_preflight(const char *ips, const char *target,
                         const char *model_list, const char *want, int *found)
{
    char scen[4096];
    snprintf(scen, sizeof(scen),
             "{\"duration\": \"1d\", \"config\": \"pool.conf\",\n"
             " \"models\": [%s],\n \"ips\": {%s},\n"
             " \"sendlist\": {\"generate\": {\"streams\": [{\"name\": \"s\","
             " \"volume_per_day\": 100, %s \"domains\": {\"gmail.com\": 1}}]}}}"
             "\n",
             model_list, ips, target);
    write_file("scenario.json", scen);
    char path[1200];
    snprintf(path, sizeof(path), "%s/scenario.json", tmpdir);
    struct diag_list dl;
    diag_list_init(&dl, 100);
    struct scenario sc;
    int errors = -1;
    if (scenario_load(path, NULL, &sc, &dl) == 0) {
        errors = preflight_check(&sc, &dl);
        scenario_release(&sc);
    }
    *found = 0;
    for (size_t i = 0; i < dl.n; i++)
        if (want && strstr(dl.items[i].message, want))
            *found = 1;
    diag_list_release(&dl);
    return errors;
}

static void test_preflight(void)
{
    if (mkdtemp(tmpdir) == NULL) {
        CHECK(0, "mkdtemp");
        return;
    }
    char cwd[512];
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        cwd[0] = 0;
    snprintf(models, sizeof(models),
             "\"%s/models/gmail.json\", \"%s/models/generic.json\"", cwd, cwd);
    write_file("pool.conf", pool_conf);
    const char *both = "\"192.0.2.21\": {\"age_days\": 0}, "
                       "\"192.0.2.22\": {\"age_days\": 300}";
    int found;

    CHECK_INT(run_preflight(both, "\"pool\": \"p\",", models, NULL, &found), 0);
    CHECK_INT(run_preflight("", "", models, NULL, &found), 0);

    /* a pool name typo: 0 injected, all bounced */
    CHECK_INT(run_preflight(both, "\"pool\": \"pp\",", models,
                            "virtual-mta-pool 'pp' is not defined", &found),
              1);
    CHECK(found, "names the pool");
    CHECK_INT(run_preflight(both, "\"vmta\": \"c\",", models,
                            "virtual-mta 'c' is not defined", &found),
              1);
    CHECK(found, "names the VMTA");

    /* a scenario IP the config never names */
    CHECK_INT(run_preflight("\"192.0.2.21\": {\"age_days\": 0}, "
                            "\"192.0.2.22\": {\"age_days\": 300}, "
                            "\"192.0.2.99\": {\"age_days\": 0}",
                            "", models, "no virtual-mta of the config sends",
                            &found),
              1);
    CHECK(found, "names the unused IP");

    /* a config IP missing from "ips": it would count as established */
    CHECK_INT(run_preflight("\"192.0.2.21\": {\"age_days\": 0}", "", models,
                            "source IP 192.0.2.22 of virtual-mta 'b' is "
                            "missing",
                            &found),
              1);
    CHECK(found, "names the missing config IP");

    /* a stream domain no model serves */
    char only_gmail[1200];
    snprintf(only_gmail, sizeof(only_gmail), "\"%s/models/microsoft.json\"",
             cwd);
    CHECK_INT(run_preflight(both, "", only_gmail,
                            "no provider model serves this domain", &found),
              1);
    CHECK(found, "names the domain without a provider");
    char path[1200];
    snprintf(path, sizeof(path), "%s/pool.conf", tmpdir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/scenario.json", tmpdir);
    unlink(path);
    rmdir(tmpdir);
}

/* ---------------------------------------------------------------- patch */

/* Edits come out as the edited text and as one unified-diff hunk when
 * they are close (context 3), two when they are far apart. */
static void test_patch(void)
{
    char path[] = "/tmp/mtasim-test-patch-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0)
        return;
    FILE *fp = fdopen(fd, "w");
    fputs("<pool p>\n a\n b\n</pool>\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n", fp);
    fclose(fp);
    struct patch p;
    CHECK_INT(patch_load(&p, path), 0);
    CHECK_INT(p.n_lines, 14);
    CHECK_INT(patch_find_close(&p, 1, "</pool>"), 4);
    CHECK_INT(patch_find_words(&p, 1, 4, "b", ""), 3);
    CHECK_INT(patch_find_words(&p, 1, 4, "a", "x"), 0);
    patch_insert(&p, 4, " c\n");
    patch_replace(&p, 2, " # a\n");
    char *text = patch_text(&p);
    CHECK_STR(text, "<pool p>\n # a\n b\n c\n</pool>\nd\ne\nf\ng\nh\ni\nj\n"
                    "k\nl\nm\n");
    free(text);
    char *diff = patch_diff(&p, "x.conf");
    CHECK_STR(diff, "--- a/x.conf\n+++ b/x.conf\n@@ -1,6 +1,7 @@\n <pool p>\n"
                    "- a\n+ # a\n  b\n+ c\n </pool>\n d\n e\n");
    free(diff);
    patch_insert(&p, 15, "n\n"); /* at the end, far from the others */
    diff = patch_diff(&p, "x.conf");
    CHECK(strstr(diff, "@@ -12,3 +13,4 @@\n k\n l\n m\n+n\n") != NULL,
          "a second hunk at the end: %s", diff);
    free(diff);
    patch_release(&p);
    struct patch none;
    CHECK_INT(patch_load(&none, path), 0);
    diff = patch_diff(&none, "x.conf");
    CHECK_STR(diff, "");
    free(diff);
    patch_release(&none);
    unlink(path);
}

/* ----------------------------------------------------------------- pair */

/* The paired difference is the mean of b - a over the pairs both arms
 * have; identical arms differ by exactly 0; one pair has no CI. */
static void test_pair(void)
{
    double a[4] = { 1, 2, 3, NAN }, b[4] = { 2, 4, 6, 9 };
    struct agg_figure f;
    memset(&f, 0, sizeof(f));
    f.a = a;
    f.b = b;
    struct pair_row r;
    pair_row_of(&r, &f, 4);
    CHECK_NEAR(r.a, 2, 1e-12);
    CHECK_NEAR(r.b, 5.25, 1e-12);
    CHECK_NEAR(r.diff, 2, 1e-12);
    CHECK_NEAR(r.rel, 1, 1e-12);
    CHECK_INT(r.have_ci, 1);
    CHECK(r.ci_low < 2 && r.ci_high > 2, "CI around the mean: %g %g", r.ci_low,
          r.ci_high);
    CHECK_NEAR(r.ci_high - 2, 2 - r.ci_low, 1e-9);
    double same[3] = { 5, 7, 11 };
    f.a = same;
    f.b = same;
    pair_row_of(&r, &f, 3);
    CHECK(r.diff == 0 && r.ci_low == 0 && r.ci_high == 0,
          "identical arms: %g [%g, %g]", r.diff, r.ci_low, r.ci_high);
    pair_row_of(&r, &f, 1);
    CHECK_INT(r.have_ci, 0);
}

/* test_defer_over - the deferral limit judged as a count: one or a few
 * random deferrals among a few dozen attempts prove nothing; a rate
 * clearly above the limit over many attempts does; at a 5 % limit the
 * exact binomial tail crosses the 0.05 level between 62 of 1,000
 * (P(X >= 62) = 0.051) and 63 (0.038). */
static void test_defer_over(void)
{
    static const struct {
        double deferred, attempts, limit;
        int over;
    } c[] = {
        { 1, 13, 0.05, 0 },    /* 7.7 %, one 451: chance */
        { 3, 40, 0.05, 0 },    /* 7.5 %: P(X >= 3) = 0.32 */
        { 5, 100, 0.05, 0 },   /* at the limit */
        { 20, 100, 0.05, 1 },  /* 20 %: P(X >= 20) < 1e-6 */
        { 62, 1000, 0.05, 0 }, /* P(X >= 62) = 0.051 */
        { 63, 1000, 0.05, 1 }, /* P(X >= 63) = 0.038 */
        { 0, 0, 0.05, 0 },     /* no attempts */
        { 1, 10, 0, 1 },       /* a zero limit: any deferral */
        { 10, 10, 1, 0 },      /* a limit of 1: never */
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        CHECK(trial_defer_over(c[i].deferred, c[i].attempts, c[i].limit) ==
                  c[i].over,
              "%g of %g at %g: want %d", c[i].deferred, c[i].attempts,
              c[i].limit, c[i].over);
}

int main(void)
{
    test_min_count_monotone();
    test_min_count_not_monotone();
    test_min_count_error();
    test_max_volume_monotone();
    test_max_volume_edges();
    test_max_volume_not_monotone();
    test_preflight();
    test_patch();
    test_pair();
    test_defer_over();
    return test_done();
}
