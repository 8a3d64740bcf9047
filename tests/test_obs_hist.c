/* test_obs_hist.c - the latency histogram's bin lookup (obs_hist_bin)
 * against GSL's binary search (gsl_histogram_find) on every bin edge,
 * every step of its lookup table, their neighbours and a log-uniform
 * sweep: neither the table nor the arithmetic estimate may move a
 * latency to another bin. */
#include "report/obs_int.h"
#include "test.h"

#include <gsl/gsl_histogram.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* reference_bin - the bin by GSL's own search; below the first edge
 * (and NaN) bin 0, beyond the last one the last bin. */
static size_t reference_bin(const struct obs_hist *h, double x)
{
    size_t n = gsl_histogram_bins(h->h), i;
    if (!(x >= OBS_HIST_MIN_S))
        return 0;
    if (x >= h->h->range[n])
        return n - 1;
    if (gsl_histogram_find(h->h, x, &i) != 0)
        return (size_t)-1;
    return i;
}

static int same_bin(const struct obs_hist *h, double x)
{
    return obs_hist_bin(h, x) == reference_bin(h, x);
}

static void test_edges(const struct obs_hist *h)
{
    size_t n = gsl_histogram_bins(h->h), bad = 0;
    for (size_t i = 0; i <= n; i++) {
        double e = h->h->range[i];
        bad += !same_bin(h, e);
        bad += !same_bin(h, nextafter(e, 0));
        bad += !same_bin(h, nextafter(e, INFINITY));
    }
    CHECK_INT(bad, 0);
}

/* test_lut_steps - the lower end of every table step (a double whose low
 * mantissa bits are zero), its neighbours and the step's middle. */
static void test_lut_steps(const struct obs_hist *h)
{
    size_t bad = 0;
    CHECK(h->lut_n > 3000, "lut_n = %zu", h->lut_n);
    for (size_t j = 0; j < h->lut_n; j++) {
        uint64_t bits = (h->lut_base + j) << 45;
        double lo;
        memcpy(&lo, &bits, sizeof(lo));
        bad += !same_bin(h, lo);
        bad += !same_bin(h, nextafter(lo, 0));
        bad += !same_bin(h, nextafter(lo, INFINITY));
        bad += !same_bin(h, lo * (1 + 1.0 / 256));
    }
    CHECK_INT(bad, 0);
}

static void test_sweep(const struct obs_hist *h)
{
    size_t bad = 0;
    srand(5);
    for (int k = 0; k < 200000; k++) {
        double x = pow(10.0, -4 + 12.0 * rand() / (double)RAND_MAX);
        bad += !same_bin(h, x);
    }
    CHECK_INT(bad, 0);
    const double odd[] = { 0, -1, NAN, INFINITY, 1e300, 4.9e-324, 0.01 };
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
        CHECK(same_bin(h, odd[i]), "x = %g", odd[i]);
}

int main(void)
{
    struct obs_hist h;
    obs_hist_init(&h);
    test_edges(&h);
    test_lut_steps(&h);
    test_sweep(&h);
    obs_hist_release(&h);
    return test_done();
}
