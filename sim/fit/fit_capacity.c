/* fit_capacity.c - hourly acceptance capacity per source IP and its
 * growth with the IP's active days, by censored maximum likelihood.
 *
 * The model (models/README.md) gives an IP on day k the capacity
 *     C_k = min(C0 G(a_k), beta max(Vbar_k, Vfloor) / H, Cmax
 *               [, week1 / H while a_k < 7])
 * where a_k = a0 + the active days (>= active_day_min deliveries) before
 * day k, G(a) = g1^min(a,7) g2^clamp(a-7,0,7) g3^max(a-14,0), and Vbar_k
 * the moving average of daily deliveries, all computable from the logs
 * once the parameters are given. An hour whose deliveries met throttle
 * replies in it and in the hour before (the bucket was empty all hour)
 * observes the capacity: log d = log C_k + e, e ~ N(0, s^2). An hour
 * without throttle replies only says the capacity (plus the bucket it
 * may have drained, burst_minutes of capacity) was not reached: the
 * censored term P(log C_k + e >= log(d / (1 + burst/60))). Hours inside
 * detected throttle episodes are left out (capacity was cut there).
 *
 * The negative log-likelihood is minimised with GSL's Nelder-Mead
 * simplex (the capacity is a minimum of terms: not smooth), the 95 %
 * intervals come from the inverse of a finite-difference Hessian (Wald).
 * A parameter the data cannot move (a growth stage no observation
 * reached, a history cap that never bound) is kept at the shipped value. */
#include "fit/fit_int.h"
#include "util/xalloc.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { P_C0, P_G1, P_G2, P_G3, P_BETA, P_SIGMA, P_FIXED_N };

struct cap_obs {
    uint32_t series, day;
    double log_d;
    uint8_t exact; /* 1 observed capacity, 0 a lower bound */
};

struct cap_data {
    const struct fit_prov *p;
    struct cap_obs *obs;
    size_t n_obs;
    size_t n_days;
    double *day_d;           /* per series x day: deliveries */
    double *day_off;         /* per series x day: first attempts */
    uint8_t *active;         /* per series x day: an active day */
    double *a0;              /* per series: age on day 0 (fixed part) */
    int *a0_par;             /* per series: index in theta, or -1 */
    int par[P_FIXED_N];      /* index in theta, or -1 (fixed) */
    double fixed[P_FIXED_N]; /* values of the fixed parameters (log) */
    size_t n_par;
    int fix_beta; /* keep beta at the shipped value */
    double *cap;  /* scratch: per series x day capacity */
};

static double growth(const double lg[3], double a)
{
    double a1 = a < 7 ? a : 7;
    double a2 = a < 7 ? 0 : a < 14 ? a - 7 : 7;
    double a3 = a > 14 ? a - 14 : 0;
    return exp(lg[0] * a1 + lg[1] * a2 + lg[2] * a3);
}

static double par_of(const struct cap_data *cd, const gsl_vector *x, int k)
{
    return cd->par[k] >= 0 ? gsl_vector_get(x, (size_t)cd->par[k])
                           : cd->fixed[k];
}

/* capacities - C per series and day for parameters x, into cd->cap. */
static void capacities(const struct cap_data *cd, const gsl_vector *x)
{
    const struct fit_prov *p = cd->p;
    double c0 = exp(par_of(cd, x, P_C0));
    double lg[3] = { par_of(cd, x, P_G1), par_of(cd, x, P_G2),
                     par_of(cd, x, P_G3) };
    double beta = exp(par_of(cd, x, P_BETA));
    double keep = exp2(-1 / p->half_life_days);

    for (size_t s = 0; s < p->n_series; s++) {
        double a = cd->a0[s];
        if (cd->a0_par[s] >= 0)
            a = exp(gsl_vector_get(x, (size_t)cd->a0_par[s]));
        double vbar =
            a >= 1 ? fmin(p->cap_max, c0 * growth(lg, a)) * p->active_hours : 0;
        for (size_t k = 0; k < cd->n_days; k++) {
            double c = fmin(p->cap_max, c0 * growth(lg, a));
            if (p->beta > 0)
                c = fmin(c, beta * fmax(vbar, p->vfloor) / p->active_hours);
            if (p->week1_cap > 0 && a < 7)
                c = fmin(c, p->week1_cap / p->active_hours);
            cd->cap[s * cd->n_days + k] = c;
            /* the model's recent peak: the day's deliveries, or its
             * offered first attempts up to beta x the peak, else the
             * peak decayed with the half-life */
            double dd = cd->day_d[s * cd->n_days + k];
            double off = cd->day_off[s * cd->n_days + k];
            double seen = fmax(dd, fmin(off, beta * fmax(vbar, dd)));
            vbar = fmax(seen, vbar * keep);
            a += cd->active[s * cd->n_days + k];
        }
    }
}

/* nll - the negative log-likelihood (GSL multimin callback). */
static double nll(const gsl_vector *x, void *params)
{
    const struct cap_data *cd = params;
    double ls = par_of(cd, x, P_SIGMA), s = exp(ls);
    double lburst = log1p(cd->p->burst_minutes / 60);
    double sum = 0;

    if (ls < -6 || ls > 3)
        return 1e300;
    capacities(cd, x);
    for (size_t i = 0; i < cd->n_obs; i++) {
        const struct cap_obs *o = &cd->obs[i];
        double lc = log(cd->cap[(size_t)o->series * cd->n_days + o->day]);
        if (o->exact) {
            double z = (o->log_d - lc) / s;
            sum += 0.5 * z * z + ls;
        } else {
            /* log P(lc + e >= log_d - lburst) = log Phi(z) */
            double z = (lc - (o->log_d - lburst)) / s;
            sum -= log(0.5) + gsl_sf_log_erfc(-z / M_SQRT2);
        }
    }
    return isfinite(sum) ? sum : 1e300;
}

/* ------------------------------------------------------- preparation */

/* age_given - the user's age for ip, or -1. */
static double age_given(const struct fit *f, const char *ip)
{
    for (size_t i = 0; i < f->opt.n_ages; i++)
        if (strcmp(f->ages[i].ip, ip) == 0)
            return f->ages[i].age_days;
    return -1;
}

static int hour_has_episode(const struct fit_series *s, size_t h)
{
    for (size_t b = h * FIT_BINS_PER_HOUR;
         b < (h + 1) * FIT_BINS_PER_HOUR && b < s->n_bins; b++)
        if (s->ep && s->ep[b])
            return 1;
    return 0;
}

static void hour_sums(const struct fit_series *s, size_t h, double *d,
                      double *thr)
{
    *d = *thr = 0;
    for (size_t b = h * FIT_BINS_PER_HOUR;
         b < (h + 1) * FIT_BINS_PER_HOUR && b < s->n_bins; b++) {
        *d += s->d[b];
        *thr += s->thr[b];
    }
}

/* collect - the hourly observations and the daily series. */
static void collect(struct fit *f, struct cap_data *cd)
{
    const struct fit_prov *p = cd->p;
    size_t cap = 0, bins = 0;

    for (size_t s = 0; s < p->n_series; s++)
        if (p->series[s].n_bins > bins)
            bins = p->series[s].n_bins;
    cd->n_days = bins / (24 * FIT_BINS_PER_HOUR) + 1;
    cd->day_d = xcalloc(p->n_series * cd->n_days, sizeof(double));
    cd->day_off = xcalloc(p->n_series * cd->n_days, sizeof(double));
    double *day_att = xcalloc(cd->n_days, sizeof(double));
    cd->active = xcalloc(p->n_series * cd->n_days, 1);
    cd->cap = xcalloc(p->n_series * cd->n_days, sizeof(double));
    for (size_t si = 0; si < p->n_series; si++) {
        const struct fit_series *s = &p->series[si];
        memset(day_att, 0, cd->n_days * sizeof(double));
        for (size_t b = 0; b < s->n_bins; b++) {
            size_t k = si * cd->n_days + b / (24 * FIT_BINS_PER_HOUR);
            cd->day_d[k] += s->d[b];
            cd->day_off[k] += s->off[b];
            day_att[b / (24 * FIT_BINS_PER_HOUR)] += s->att[b];
        }
        /* the model ages an IP by calendar days with at least
         * active_day_min attempts */
        for (size_t k = 0; k < cd->n_days; k++)
            cd->active[si * cd->n_days + k] =
                day_att[k] > 0 && day_att[k] >= p->active_day_min;
        size_t hours = (s->n_bins + FIT_BINS_PER_HOUR - 1) / FIT_BINS_PER_HOUR;
        double prev_thr = 0;
        for (size_t h = 0; h < hours; h++) {
            double d, thr;
            hour_sums(s, h, &d, &thr);
            int skip = hour_has_episode(s, h) ||
                       (h > 0 && hour_has_episode(s, h - 1)) || d < 1 ||
                       (thr > 0 && prev_thr == 0);
            prev_thr = thr;
            if (skip)
                continue;
            if (cd->n_obs == cap) {
                cap = cap ? 2 * cap : 1024;
                cd->obs = xreallocarray(cd->obs, cap, sizeof(*cd->obs));
            }
            cd->obs[cd->n_obs++] =
                (struct cap_obs){ (uint32_t)si, (uint32_t)(h / 24), log(d),
                                  thr > 0 };
        }
    }
    free(day_att);
    (void)f;
}

/* reach - the largest age (with a0 fixed) an exact observation has. */
static double reach(const struct cap_data *cd)
{
    double top = -1;
    for (size_t i = 0; i < cd->n_obs; i++) {
        const struct cap_obs *o = &cd->obs[i];
        if (!o->exact || cd->a0_par[o->series] >= 0)
            continue;
        double a = cd->a0[o->series];
        for (size_t k = 0; k < o->day; k++)
            a += cd->active[(size_t)o->series * cd->n_days + k];
        if (a > top)
            top = a;
    }
    return top;
}

/* choose_params - which parameters are free, and the start values. */
static void choose_params(struct fit *f, struct cap_data *cd)
{
    const struct fit_prov *p = cd->p;
    size_t exact = 0, anchored = 0;

    free(cd->a0);
    free(cd->a0_par);
    cd->n_par = 0;
    cd->a0 = xcalloc(p->n_series, sizeof(double));
    cd->a0_par = xcalloc(p->n_series, sizeof(int));
    for (size_t s = 0; s < p->n_series; s++) {
        struct fit_series *se = &p->series[s];
        double g = age_given(f, se->ip);
        cd->a0_par[s] = -1;
        if (g >= 0) {
            cd->a0[s] = g;
            se->age_how = 1;
        } else if (se->first_s >= f->t0_s + 86400) {
            se->age_how = 0; /* first seen after day 0: a new IP */
        } else {
            se->age_how = 3;
        }
        anchored += se->age_how < 2;
    }
    for (size_t i = 0; i < cd->n_obs; i++)
        exact += cd->obs[i].exact;
    cd->fixed[P_C0] = log(p->c0);
    cd->fixed[P_G1] = log(p->growth[0]);
    cd->fixed[P_G2] = log(p->growth[1]);
    cd->fixed[P_G3] = log(p->growth[2]);
    cd->fixed[P_BETA] = log(p->beta > 0 ? p->beta : 1);
    cd->fixed[P_SIGMA] = log(0.3);
    for (int k = 0; k < P_FIXED_N; k++)
        cd->par[k] = -1;
    if (exact < 3)
        return; /* nothing observed the capacity: keep it all */
    /* unknown-age IPs get a free age only when a known-age IP anchors
     * C0; otherwise they are taken as new on day 0 */
    for (size_t s = 0; s < p->n_series; s++)
        if (p->series[s].age_how == 3 && anchored > 0) {
            p->series[s].age_how = 2;
            cd->a0_par[s] = 0; /* set below */
        }
    double top = reach(cd);
    cd->par[P_C0] = (int)cd->n_par++;
    if (top > 0)
        cd->par[P_G1] = (int)cd->n_par++;
    if (top > 7)
        cd->par[P_G2] = (int)cd->n_par++;
    if (top > 14)
        cd->par[P_G3] = (int)cd->n_par++;
    if (p->beta > 0 && !cd->fix_beta)
        cd->par[P_BETA] = (int)cd->n_par++;
    cd->par[P_SIGMA] = (int)cd->n_par++;
    for (size_t s = 0; s < p->n_series; s++)
        if (cd->a0_par[s] == 0)
            cd->a0_par[s] = (int)cd->n_par++;
}

/* ----------------------------------------------------- minimisation */

/* obs_age - the age of an observation's IP on its day (a0 as in x0). */
static double obs_age(const struct cap_data *cd, const struct cap_obs *o,
                      double a0)
{
    double a = a0;
    for (size_t k = 0; k < o->day; k++)
        a += cd->active[(size_t)o->series * cd->n_days + k];
    return a;
}

/* ols_start - C0 and the growth stages from least squares of log d on
 * the stage ages over the exact observations, ignoring the history cap:
 * a start for the simplex near the growth the data show. */
static void ols_start(const struct cap_data *cd, gsl_vector *x)
{
    int cols[4] = { P_C0, P_G1, P_G2, P_G3 };
    size_t n = 0, m = 0, map[4];

    for (int k = 0; k < 4; k++)
        if (cd->par[cols[k]] >= 0)
            map[m++] = (size_t)k;
    for (size_t i = 0; i < cd->n_obs; i++)
        n += cd->obs[i].exact;
    if (n <= m + 1)
        return;
    gsl_matrix *X = gsl_matrix_alloc(n, m), *cov = gsl_matrix_alloc(m, m);
    gsl_vector *y = gsl_vector_alloc(n), *c = gsl_vector_alloc(m);
    size_t r = 0;
    for (size_t i = 0; i < cd->n_obs; i++) {
        const struct cap_obs *o = &cd->obs[i];
        if (!o->exact)
            continue;
        double a0 = cd->a0_par[o->series] >= 0
                        ? exp(gsl_vector_get(x, (size_t)cd->a0_par[o->series]))
                        : cd->a0[o->series];
        double a = obs_age(cd, o, a0), seg[4] = { 1, a < 7 ? a : 7,
                                                  a < 7    ? 0
                                                  : a < 14 ? a - 7
                                                           : 7,
                                                  a > 14 ? a - 14 : 0 };
        for (size_t j = 0; j < m; j++)
            gsl_matrix_set(X, r, j, seg[map[j]]);
        gsl_vector_set(y, r++, o->log_d);
    }
    double chisq;
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, m);
    if (gsl_multifit_linear(X, y, c, cov, &chisq, w) == GSL_SUCCESS)
        for (size_t j = 0; j < m; j++)
            if (isfinite(gsl_vector_get(c, j)))
                gsl_vector_set(x, (size_t)cd->par[cols[map[j]]],
                               gsl_vector_get(c, j));
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_vector_free(c);
}

static void simplex(struct cap_data *cd, gsl_vector *x)
{
    gsl_multimin_function fn = { nll, cd->n_par, cd };
    gsl_vector *step = gsl_vector_alloc(cd->n_par);

    for (int round = 0; round < 3; round++) {
        gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(
            gsl_multimin_fminimizer_nmsimplex2, cd->n_par);
        gsl_vector_set_all(step, round == 0 ? 0.3 : 0.05);
        gsl_multimin_fminimizer_set(m, &fn, x, step);
        for (int it = 0; it < 20000; it++) {
            if (gsl_multimin_fminimizer_iterate(m))
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-7) ==
                GSL_SUCCESS)
                break;
        }
        gsl_vector_memcpy(x, gsl_multimin_fminimizer_x(m));
        gsl_multimin_fminimizer_free(m);
    }
    gsl_vector_free(step);
}

/* minimise - the simplex from the shipped values and from the least
 * squares start; the better optimum wins. */
static void minimise(struct cap_data *cd, gsl_vector *x)
{
    gsl_vector *y = gsl_vector_alloc(x->size);

    gsl_vector_memcpy(y, x);
    ols_start(cd, y);
    simplex(cd, x);
    simplex(cd, y);
    if (nll(y, cd) < nll(x, cd))
        gsl_vector_memcpy(x, y);
    gsl_vector_free(y);
}

/* hessian_inverse - the inverse of the finite-difference Hessian of
 * the negative log-likelihood at x with step e, or NULL when it is not
 * positive definite. */
static gsl_matrix *hessian_inverse(struct cap_data *cd, const gsl_vector *x,
                                   double e)
{
    size_t n = cd->n_par;
    gsl_matrix *h = gsl_matrix_alloc(n, n);
    gsl_vector *y = gsl_vector_alloc(n);
    double f0 = nll(x, cd);

    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double v[4];
            for (int k = 0; k < 4; k++) {
                gsl_vector_memcpy(y, x);
                *gsl_vector_ptr(y, i) += (k & 1 ? -e : e);
                *gsl_vector_ptr(y, j) += (k & 2 ? -e : e);
                v[k] = nll(y, cd);
            }
            double d = i == j ? (v[0] - 2 * f0 + v[3]) / (4 * e * e)
                              : (v[0] - v[1] - v[2] + v[3]) / (4 * e * e);
            gsl_matrix_set(h, i, j, d);
            gsl_matrix_set(h, j, i, d);
        }
    gsl_vector_free(y);
    /* a parameter the likelihood does not move (zero curvature: e.g. a
     * history cap that never binds) has no interval; the others are
     * inverted without it */
    size_t keep[32], m = 0;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, gsl_matrix_get(h, i, i));
    for (size_t i = 0; i < n && m < 32; i++)
        if (gsl_matrix_get(h, i, i) > 1e-9 * top)
            keep[m++] = i;
    gsl_matrix *r = gsl_matrix_alloc(m ? m : 1, m ? m : 1);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            gsl_matrix_set(r, i, j, gsl_matrix_get(h, keep[i], keep[j]));
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int bad = m == 0 || gsl_linalg_cholesky_decomp1(r) != GSL_SUCCESS ||
              gsl_linalg_cholesky_invert(r) != GSL_SUCCESS;
    gsl_set_error_handler(old);
    if (bad) {
        gsl_matrix_free(r);
        gsl_matrix_free(h);
        return NULL;
    }
    gsl_matrix_set_all(h, NAN);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            gsl_matrix_set(h, keep[i], keep[j], gsl_matrix_get(r, i, j));
    gsl_matrix_free(r);
    return h;
}

/* covariance - the Wald covariance at x. The likelihood has kinks (the
 * capacity is a minimum of terms) and the optimum may sit on one, where
 * a small step sees a Hessian that is not positive definite: wider
 * steps then measure the curvature across the kink. NULL if none
 * works. */
static gsl_matrix *covariance(struct cap_data *cd, const gsl_vector *x)
{
    static const double steps[] = { 1e-3, 1e-2, 3e-2, 1e-1 };
    gsl_matrix *cov = NULL;

    for (size_t i = 0; cov == NULL && i < sizeof(steps) / sizeof(steps[0]); i++)
        cov = hessian_inverse(cd, x, steps[i]);
    return cov;
}

/* publish - the figures of parameter k (log scale in theta). */
static void publish(struct fit_prov *p, struct cap_data *cd,
                    const gsl_vector *x, const gsl_matrix *cov, int k,
                    enum fit_fig_id id, double dflt, const char *kept_why)
{
    double n = (double)p->cap_obs;

    if (cd->par[k] < 0) {
        fit_fig_keep(&p->fig[id], dflt, kept_why);
        return;
    }
    double v = gsl_vector_get(x, (size_t)cd->par[k]);
    double se =
        cov ? sqrt(gsl_matrix_get(cov, (size_t)cd->par[k], (size_t)cd->par[k]))
            : (double)NAN;
    fit_fig_set(&p->fig[id], exp(v), exp(v - 1.96 * se), exp(v + 1.96 * se), n,
                "censored maximum likelihood on hourly deliveries (Wald "
                "interval)");
}

/* solve - the maximum-likelihood parameters for cd's free set. */
static gsl_vector *solve(struct cap_data *cd)
{
    gsl_vector *x = gsl_vector_alloc(cd->n_par ? cd->n_par : 1);

    if (cd->n_par == 0)
        return x;
    for (int k = 0; k < P_FIXED_N; k++)
        if (cd->par[k] >= 0)
            gsl_vector_set(x, (size_t)cd->par[k], cd->fixed[k]);
    for (size_t s = 0; s < cd->p->n_series; s++)
        if (cd->a0_par[s] >= 0)
            gsl_vector_set(x, (size_t)cd->a0_par[s], log(5.0));
    minimise(cd, x);
    return x;
}

void fit_capacity(struct fit *f, struct fit_prov *p, int pass)
{
    struct cap_data cd;

    memset(&cd, 0, sizeof(cd));
    cd.p = p;
    if (!p->cap_limited || p->n_series == 0)
        goto keep_all;
    collect(f, &cd);
    choose_params(f, &cd);
    p->cap_obs = p->cap_censored = 0;
    for (size_t i = 0; i < cd.n_obs; i++)
        *(cd.obs[i].exact ? &p->cap_obs : &p->cap_censored) += 1;
    gsl_vector *x = solve(&cd);
    gsl_matrix *cov = cd.n_par ? covariance(&cd, x) : NULL;
    const char *beta_why = "the model has no history cap";
    if (cd.par[P_BETA] >= 0 &&
        (cov == NULL || !isfinite(gsl_matrix_get(cov, (size_t)cd.par[P_BETA],
                                                 (size_t)cd.par[P_BETA])))) {
        /* the history cap never bound at the optimum: refit with the
         * shipped factor, and keep it when it fits as well (likelihood
         * ratio test at 5 %) */
        double free_nll = nll(x, &cd);
        struct cap_data fixed = cd;
        fixed.a0 = NULL;
        fixed.a0_par = NULL;
        fixed.fix_beta = 1;
        choose_params(f, &fixed);
        gsl_vector *y = solve(&fixed);
        if (2 * (nll(y, &fixed) - free_nll) < 3.84) {
            gsl_matrix_free(cov);
            gsl_vector_free(x);
            free(cd.a0);
            free(cd.a0_par);
            cd = fixed;
            x = y;
            cov = cd.n_par ? covariance(&cd, x) : NULL;
            beta_why = "the history cap never bound; the shipped factor "
                       "fits as well (likelihood ratio test)";
        } else {
            free(fixed.a0);
            free(fixed.a0_par);
            gsl_vector_free(y);
        }
    }
    const char *nodata = "no hour observed the capacity (too few hours "
                         "with sustained throttling)";
    publish(p, &cd, x, cov, P_C0, FF_C0, p->c0, nodata);
    publish(p, &cd, x, cov, P_G1, FF_G1, p->growth[0],
            "no capacity observation at ages 1-7 days");
    publish(p, &cd, x, cov, P_G2, FF_G2, p->growth[1],
            "no capacity observation at ages 8-14 days");
    publish(p, &cd, x, cov, P_G3, FF_G3, p->growth[2],
            "no capacity observation beyond 14 days");
    publish(p, &cd, x, cov, P_BETA, FF_BETA, p->beta, beta_why);
    publish(p, &cd, x, cov, P_SIGMA, FF_CAP_SIGMA, 0.3, nodata);
    /* a history factor fitted without an interval: the likelihood is flat
     * above it, so it is a lower bound (and the shipped value fits worse) */
    if (p->fig[FF_BETA].fitted && !isfinite(p->fig[FF_BETA].hi))
        p->fig[FF_BETA].why = "a lower bound: the history cap stopped "
                              "binding there, and the shipped factor fits "
                              "worse (likelihood ratio test)";
    if (cd.n_par)
        capacities(&cd, x);
    for (size_t s = 0; s < p->n_series; s++) {
        struct fit_series *se = &p->series[s];
        se->age0 = cd.a0[s];
        se->age0_se = NAN;
        if (cd.a0_par[s] >= 0) {
            double v = gsl_vector_get(x, (size_t)cd.a0_par[s]);
            se->age0 = exp(v);
            if (cov)
                se->age0_se =
                    se->age0 * sqrt(gsl_matrix_get(cov, (size_t)cd.a0_par[s],
                                                   (size_t)cd.a0_par[s]));
        }
        free(se->cap_day);
        se->cap_day = xcalloc(cd.n_days, sizeof(double));
        se->n_days = cd.n_days;
        for (size_t k = 0; k < cd.n_days; k++)
            se->cap_day[k] = cd.n_par ? cd.cap[s * cd.n_days + k] : p->c0;
    }
    gsl_matrix_free(cov);
    gsl_vector_free(x);
    free(cd.obs);
    free(cd.day_d);
    free(cd.day_off);
    free(cd.active);
    free(cd.cap);
    free(cd.a0);
    free(cd.a0_par);
    (void)pass;
    return;
keep_all:
    fit_fig_keep(&p->fig[FF_C0], p->c0, "capacity unlimited or no records");
    fit_fig_keep(&p->fig[FF_G1], p->growth[0], "as capacity");
    fit_fig_keep(&p->fig[FF_G2], p->growth[1], "as capacity");
    fit_fig_keep(&p->fig[FF_G3], p->growth[2], "as capacity");
    fit_fig_keep(&p->fig[FF_BETA], p->beta, "as capacity");
    fit_fig_keep(&p->fig[FF_CAP_SIGMA], 0.3, "as capacity");
}

double fit_capacity_at(const struct fit_series *s, size_t bin)
{
    size_t day = bin / (24 * FIT_BINS_PER_HOUR);
    if (s->cap_day == NULL || s->n_days == 0)
        return 0;
    return s->cap_day[day < s->n_days ? day : s->n_days - 1];
}
