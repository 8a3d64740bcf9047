/* pair.h - the paired comparison of `mtasim compare`: every figure of two
 * arms run with common random numbers, its means, the paired difference
 * b - a with its 95 % confidence interval (Student t over replications),
 * and the relative change.
 *
 * Replication i of arm a and replication i of arm b share their random
 * numbers, so the difference of each pair is what the configs changed;
 * the CI is over those differences (report/agg.h computes it). */
#ifndef PAIR_H
#define PAIR_H

#include "report/agg.h"

#include <stddef.h>

struct pair_row {
    const struct agg_figure *f; /* scope, name, figure, per-rep values */
    double a, b;                /* means over the replications present */
    double diff, rel;           /* mean paired difference; diff / a */
    double ci_low, ci_high;     /* of diff; only with have_ci */
    int have_ci;                /* more than one pair */
};

struct pair_cmp {
    struct agg_figure *figs;
    struct pair_row *rows;
    size_t n;
};

/* pair_compare - the rows of every comparable figure of the two arms'
 * summaries (reps_a[i] and reps_b[i] paired); pair_release frees them. */
void pair_compare(struct pair_cmp *c, cJSON *const *reps_a,
                  cJSON *const *reps_b, size_t n_reps);
/* pair_row_of - one figure's row from its per-replication values. */
void pair_row_of(struct pair_row *r, const struct agg_figure *f, size_t n);
void pair_release(struct pair_cmp *c);

#endif
