/* pair.c - paired differences of two arms' figures. */
#include "plan/pair.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdlib.h>

static double mean_present(const double *x, size_t n)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            sum += x[i];
            k++;
        }
    return k ? sum / (double)k : (double)NAN;
}

void pair_row_of(struct pair_row *r, const struct agg_figure *f, size_t n)
{
    double *d = xmalloc((n + 1) * sizeof(*d));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(f->a[i]) && !isnan(f->b[i]))
            d[k++] = f->b[i] - f->a[i];
    r->f = f;
    r->a = mean_present(f->a, n);
    r->b = mean_present(f->b, n);
    double half;
    agg_mean_ci(d, k, &r->diff, &half);
    r->have_ci = n > 1 && k > 1;
    r->ci_low = r->diff - half;
    r->ci_high = r->diff + half;
    r->rel = r->a != 0 && !isnan(r->a) ? r->diff / r->a : (double)NAN;
    free(d);
}

void pair_compare(struct pair_cmp *c, cJSON *const *reps_a,
                  cJSON *const *reps_b, size_t n_reps)
{
    c->figs = agg_figures(reps_a, reps_b, n_reps, &c->n);
    c->rows = xcalloc(c->n + 1, sizeof(*c->rows));
    for (size_t i = 0; i < c->n; i++)
        pair_row_of(&c->rows[i], &c->figs[i], n_reps);
}

void pair_release(struct pair_cmp *c)
{
    agg_figures_free(c->figs, c->n);
    free(c->rows);
    c->figs = NULL;
    c->rows = NULL;
    c->n = 0;
}
