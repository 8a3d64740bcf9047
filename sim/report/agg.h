/* agg.h - figures over replications: means, Student-t confidence
 * intervals, and the paired differences of a what-if comparison.
 *
 * Works on parsed summary.json trees (cJSON), so it serves `run
 * --replications` and `compare` alike and, later, runs merged from many
 * machines. The caller owns every tree passed in and every tree returned. */
#ifndef AGG_H
#define AGG_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* agg_summaries - a tree shaped like one summary in which every number is
 * {"mean", "ci_low", "ci_high", "values"}: the mean over the n
 * replications, its 95 % confidence interval (Student t with n - 1
 * degrees of freedom; equal to the mean when n = 1) and the values.
 * Array members with a "queue", "provider" or "stream" name are matched by
 * that name. The "engine" figures are aggregated too (they are the only
 * ones that vary from run to run). */
cJSON *agg_summaries(cJSON *const *reps, size_t n);

/* agg_document - summary.json in its one shape, for one run (n = 1) or
 * the aggregate of n replications: the members of reps[0] in their order,
 * where every figure section ("totals", "latency_s",
 * "throughput_per_hour", "queues", "providers", "streams", "daily") and
 * "engine" holds plain numbers (the mean over the replications; for n = 1
 * the run's own values), then before "engine" the object "figures": each
 * figure section again with every number as {"mean", "ci_low", "ci_high",
 * "values"} (agg_summaries; one value when n = 1), and "replications": n
 * after it. A "figures" or "replications" member of reps[0] is replaced. */
cJSON *agg_document(cJSON *const *reps, size_t n);
/* agg_write_document - cJSON_Print(agg_document(&run, 1)) into fp, byte
 * for byte, without building the document: the figures of a large
 * section are built and written one element at a time. 0, or -1 when
 * writing or printing failed. */
int agg_write_document(FILE *fp, const cJSON *run);

/* agg_mean_ci - mean and 95 % CI half-width of x[0..n). */
void agg_mean_ci(const double *x, size_t n, double *mean, double *half);

/* A figure of a comparison: scope (total, provider, queue, stream), the
 * name within the scope ("" for total), the figure's dotted path. */
struct agg_figure {
    const char *scope;
    char name[256];
    char figure[128];
    double *a, *b; /* per replication; NAN where absent */
};

/* agg_figures - every comparable figure of the two arms' replications
 * (reps_a[i] and reps_b[i] share replication i, hence their random
 * numbers). Returns a malloc'ed array of *n figures; free with
 * agg_figures_free. */
struct agg_figure *agg_figures(cJSON *const *reps_a, cJSON *const *reps_b,
                               size_t n_reps, size_t *n);
void agg_figures_free(struct agg_figure *f, size_t n);

#endif
