/* fit_episodes.c - throttle episodes and the reply rates.
 *
 * Episodes. In the model an episode cuts an IP's capacity to
 * capacity_factor x C for a lognormal time; the throttle reply is the
 * same as for plain rate limiting, so the logs show an episode only as
 * throttle replies while far fewer messages get through than the fitted
 * capacity allows. A 5-minute bin is "choked" when it holds throttle
 * replies and the 20 minutes from it deliver less than CHOKE of the
 * fitted capacity. The episode lasts until the first bin with a delivery
 * from which 20 minutes deliver at least FLOW of it (bins without any
 * attempt, the MTA waiting to retry, do not end it); its duration is
 * measured to the start of that bin, so it is resolved to the sender's
 * retry interval and the 5-minute bins (see docs/fit.md).
 *
 * Start rate. The model looks at the sender's first attempts in each
 * window of window_s: at r = offered / (C (window_s + burst) / 3600)
 * above 1, outside an episode, the next window opens with an episode
 * with probability 1 - exp(-hazard (r - 1)). The logs give the first
 * attempts (a message's first record), the fitted C and the detected
 * episode starts, so every such window is a Bernoulli trial with known
 * r; hazard is their maximum-likelihood value (Brent root of the score,
 * gsl_root), its 95 % interval from the observed information on the log
 * scale.
 * Durations: log d = mu + k log(repeat) + e (k = episodes of the same IP
 * in the 24 h before), least squares (gsl_multifit_linear); median
 * exp(mu), sigma the residual scatter. Capacity factor: deliveries in
 * episode bins over the capacity those bins had. */
#include "fit/fit_int.h"
#include "util/xalloc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_statistics_double.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHOKE  0.3 /* delivered share of capacity in a choked window */
#define FLOW   0.5 /* ... and in a window that flows again */
#define WINDOW 4   /* bins: 20 minutes */
/* An episode that starts within this of the previous one's end is the
 * same episode: a few deliveries in the middle of an episode (the bucket
 * saved up at the cut capacity) must not split it in two. Kept short: the
 * model restarts an episode at the first window boundary after one ends
 * while the sender still offers too much, often 5-15 minutes later, and
 * merging those would read two episodes as one long one (on the truth
 * logs of tests/fit.sh, 10 minutes merged 14 episodes into 13 and
 * raised the median by half on other seeds). */
#define MERGE_S 240.0
/* A rate from fewer trials than this is reported, not written. */
#define FIT_MIN_ATTEMPTS 100
#define QUIET_END_BINS   (6 * 12) /* 6 h without attempts ends an episode */

struct episode {
    double start_s, dur_s;
    double prior; /* episodes of the same IP in the 24 h before */
};

struct ep_list {
    struct episode *e;
    size_t n, cap;
    double d_in, cap_in; /* deliveries and capacity inside episodes */
};

static void ep_push(struct ep_list *l, double start, double dur, double prior)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->e = xreallocarray(l->e, l->cap, sizeof(*l->e));
    }
    l->e[l->n++] = (struct episode){ start, dur, prior };
}

/* prior_count - episodes of this series started in the 24 h before t
 * (they are appended in time order, from index first). */
static double prior_count(const struct ep_list *l, size_t first, double t)
{
    double k = 0;
    for (size_t i = first; i < l->n; i++)
        k += l->e[i].start_s >= t - 86400 && l->e[i].start_s < t;
    return k;
}

/* ratio - deliveries over capacity in bins [b, b + n). */
static double ratio(const struct fit_series *s, size_t b, size_t n)
{
    double d = 0, c = 0;
    for (size_t i = b; i < b + n && i < s->n_bins; i++) {
        d += s->d[i];
        c += fit_capacity_at(s, i) / FIT_BINS_PER_HOUR;
    }
    return c > 0 ? d / c : 1;
}

/* detect - the episodes of one series; marks its bins. A bin starts an
 * episode when it holds throttle replies and the next WINDOW bins
 * deliver less than CHOKE of the capacity; the episode ends at the first
 * bin with a delivery from which the next WINDOW bins deliver at least
 * FLOW of it (or after QUIET_END_BINS without any attempt). */
static void detect(struct fit_series *s, struct ep_list *l)
{
    size_t first = l->n, start = 0, quiet = 0;
    int in = 0;

    free(s->ep);
    s->ep = xcalloc(s->n_bins ? s->n_bins : 1, 1);
    for (size_t b = 0; b < s->n_bins; b++) {
        double cbin = fit_capacity_at(s, b) / FIT_BINS_PER_HOUR;
        if (!in && s->thr[b] > 0 && ratio(s, b, WINDOW) < CHOKE) {
            in = 1;
            start = b;
            quiet = 0;
        }
        int flowing = in && s->d[b] > 0 && ratio(s, b, WINDOW) >= FLOW;
        if (in && (flowing || quiet >= QUIET_END_BINS)) {
            size_t end = flowing ? b : b - quiet;
            double t0 = (double)start * FIT_BIN_S;
            struct episode *last = l->n > first ? &l->e[l->n - 1] : NULL;
            if (last && t0 - (last->start_s + last->dur_s) <= MERGE_S)
                last->dur_s = (double)end * FIT_BIN_S - last->start_s;
            else
                ep_push(l, t0, (double)(end - start) * FIT_BIN_S,
                        prior_count(l, first, t0));
            in = 0;
        }
        if (in) {
            s->ep[b] = 1;
            quiet = s->att[b] == 0 ? quiet + 1 : 0;
            l->d_in += s->d[b];
            l->cap_in += cbin;
        }
    }
    /* an episode still open at the end of the logs is censored: left out
     * of the durations, but its start counts */
    if (in)
        ep_push(l, (double)start * FIT_BIN_S, -1, 0);
}

/* One window over the allowance, outside an episode: its excess r - 1
 * and whether an episode followed it. */
struct ep_trial {
    double x;
    int y;
};

struct trial_list {
    struct ep_trial *t;
    size_t n, cap;
    double excess_min; /* sum of (r - 1) x window minutes */
};

static void trial_push(struct trial_list *tl, double x, int y)
{
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? 2 * tl->cap : 256;
        tl->t = xreallocarray(tl->t, tl->cap, sizeof(*tl->t));
    }
    tl->t[tl->n++] = (struct ep_trial){ x, y };
}

/* episode_near - index of an episode of this series (from first) that
 * starts within a bin of bin nb, or -1. */
static long episode_near(const struct ep_list *l, size_t first, size_t nb)
{
    for (size_t i = first; i < l->n; i++) {
        double b = l->e[i].start_s / FIT_BIN_S;
        if (b >= (double)nb - 1 && b <= (double)nb + 1)
            return (long)i;
    }
    return -1;
}

/* window_trials - the windows of one series over the allowance and
 * outside episodes, as trials. The model decides at the first attempt
 * after a window, so an episode is the window's outcome when it starts
 * within a bin of that attempt. Episodes no window explains (r <= 1 by
 * the fitted capacity) are counted in p->ep_unmatched. */
static void window_trials(struct fit_prov *p, const struct fit_series *s,
                          const struct ep_list *l, size_t first,
                          struct trial_list *tl)
{
    size_t bpw = (size_t)fmax(1, round(p->ep_window_s / FIT_BIN_S));
    double span_h = (p->ep_window_s + 60 * p->burst_minutes) / 3600;
    size_t matched = 0;

    for (size_t b0 = 0; b0 < s->n_bins; b0 += bpw) {
        size_t b1 = b0 + bpw < s->n_bins ? b0 + bpw : s->n_bins;
        double offered = 0;
        for (size_t b = b0; b < b1; b++)
            offered += s->off[b];
        if (offered <= 0 || s->ep[b1 - 1])
            continue;
        size_t nb = b1;
        while (nb < s->n_bins && s->off[nb] == 0)
            nb++;
        if (nb == s->n_bins)
            continue; /* no later attempt: the window is never settled */
        double allowed = fit_capacity_at(s, b0) * span_h;
        double r = allowed > 0 ? offered / allowed : HUGE_VAL;
        long e = episode_near(l, first, nb);
        if (r <= 1)
            continue;
        trial_push(tl, fmin(r - 1, 1e6), e >= 0);
        tl->excess_min += fmin(r - 1, 1e6) * p->ep_window_s / 60;
        matched += e >= 0;
    }
    p->ep_unmatched += l->n - first > matched ? l->n - first - matched : 0;
}

/* score - d log L / d hazard of the trials. */
static double score(double h, void *arg)
{
    const struct trial_list *tl = arg;
    double sc = 0;
    for (size_t i = 0; i < tl->n; i++) {
        double x = tl->t[i].x;
        sc += tl->t[i].y ? x / expm1(h * x) : -x;
    }
    return sc;
}

/* fit_hazard - the maximum-likelihood hazard of the trials. */
static void fit_hazard(struct fit_prov *p, const struct trial_list *tl)
{
    size_t k = 0;
    for (size_t i = 0; i < tl->n; i++)
        k += tl->t[i].y;
    if (tl->n == 0) {
        fit_fig_keep(&p->fig[FF_EP_HAZARD], p->ep_hazard,
                     "no window over the allowance outside episodes");
        return;
    }
    if (k == 0 || k == tl->n) {
        fit_fig_keep(&p->fig[FF_EP_HAZARD], p->ep_hazard,
                     k ? "every window over the allowance started an "
                         "episode: the hazard has no upper bound"
                       : "no episode after a window over the allowance");
        return;
    }
    gsl_function F = { score, (void *)tl };
    double lo = 1e-9, hi = 1e6;
    gsl_root_fsolver *rs = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver_set(rs, &F, lo, hi);
    double h = lo;
    for (int it = 0; it < 200; it++) {
        gsl_root_fsolver_iterate(rs);
        h = gsl_root_fsolver_root(rs);
        lo = gsl_root_fsolver_x_lower(rs);
        hi = gsl_root_fsolver_x_upper(rs);
        if (gsl_root_test_interval(lo, hi, 0, 1e-9) == GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(rs);
    double info = 0; /* observed information */
    for (size_t i = 0; i < tl->n; i++) {
        double x = tl->t[i].x, em = expm1(h * x);
        if (tl->t[i].y)
            info += x * x * (em + 1) / (em * em);
    }
    double se = info > 0 ? 1 / (h * sqrt(info)) : HUGE_VAL;
    fit_fig_set(&p->fig[FF_EP_HAZARD], h, h * exp(-1.96 * se),
                h * exp(1.96 * se), (double)k,
                "episodes per unit of excess r - 1 in a window over the "
                "allowance (maximum likelihood, Wald interval on log)");
}

/* fit_durations - lognormal median, sigma and the repeat factor. */
static void fit_durations(struct fit_prov *p, const struct ep_list *l)
{
    size_t n = 0, with_prior = 0;

    for (size_t i = 0; i < l->n; i++)
        if (l->e[i].dur_s > 0) {
            n++;
            with_prior += l->e[i].prior > 0;
        }
    if (n < 3) {
        fit_fig_keep(&p->fig[FF_EP_MEDIAN], p->ep_median_s,
                     "fewer than 3 complete episodes");
        fit_fig_keep(&p->fig[FF_EP_SIGMA], p->ep_sigma,
                     "fewer than 3 complete episodes");
        fit_fig_keep(&p->fig[FF_EP_REPEAT], p->ep_repeat,
                     "fewer than 3 complete episodes");
        return;
    }
    size_t cols = with_prior >= 2 && with_prior + 2 <= n ? 2 : 1;
    gsl_matrix *X = gsl_matrix_alloc(n, cols);
    gsl_vector *y = gsl_vector_alloc(n), *c = gsl_vector_alloc(cols);
    gsl_matrix *cov = gsl_matrix_alloc(cols, cols);
    size_t r = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->e[i].dur_s <= 0)
            continue;
        gsl_matrix_set(X, r, 0, 1);
        if (cols == 2)
            gsl_matrix_set(X, r, 1, l->e[i].prior);
        gsl_vector_set(y, r++, log(l->e[i].dur_s));
    }
    double chisq;
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, cols);
    gsl_multifit_linear(X, y, c, cov, &chisq, w);
    gsl_multifit_linear_free(w);
    double dof = (double)(n - cols);
    double sigma = sqrt(chisq / dof);
    double t = gsl_cdf_tdist_Pinv(0.975, dof);
    double mu = gsl_vector_get(c, 0), se0 = sqrt(gsl_matrix_get(cov, 0, 0));
    fit_fig_set(&p->fig[FF_EP_MEDIAN], exp(mu), exp(mu - t * se0),
                exp(mu + t * se0), (double)n,
                "least squares on log durations (t interval)");
    fit_fig_set(&p->fig[FF_EP_SIGMA], sigma,
                sigma * sqrt(dof / gsl_cdf_chisq_Pinv(0.975, dof)),
                sigma * sqrt(dof / gsl_cdf_chisq_Pinv(0.025, dof)), (double)n,
                "residual scatter of log durations (chi-square interval)");
    if (cols == 2) {
        double b = gsl_vector_get(c, 1), se1 = sqrt(gsl_matrix_get(cov, 1, 1));
        fit_fig_set(&p->fig[FF_EP_REPEAT], fmax(1, exp(b)),
                    fmax(1, exp(b - t * se1)), fmax(1, exp(b + t * se1)),
                    (double)with_prior,
                    "slope of log duration on the episodes of the 24 h "
                    "before");
    } else {
        fit_fig_keep(&p->fig[FF_EP_REPEAT], p->ep_repeat,
                     "too few episodes within 24 h of another");
    }
    gsl_matrix_free(X);
    gsl_vector_free(y);
    gsl_vector_free(c);
    gsl_matrix_free(cov);
}

/* load_band - the band of attempts over capacity. */
static int load_band(double ratio)
{
    return ratio < 1 ? 0 : ratio < 1.5 ? 1 : ratio < 2 ? 2 : ratio < 4 ? 3 : 4;
}

/* load_table - per band of the sender's hourly attempts over the fitted
 * capacity, the hours and the episodes that started in them: the start
 * rate as the logs show it, beside the model's form fitted above. */
static void load_table(struct fit_prov *p, const struct fit_series *s,
                       const struct ep_list *l, size_t first)
{
    size_t hours = (s->n_bins + FIT_BINS_PER_HOUR - 1) / FIT_BINS_PER_HOUR;
    unsigned char *band = xcalloc(hours ? hours : 1, 1);

    for (size_t h = 0; h < hours; h++) {
        double a = 0;
        for (size_t b = h * FIT_BINS_PER_HOUR;
             b < (h + 1) * FIT_BINS_PER_HOUR && b < s->n_bins; b++)
            a += s->att[b];
        double c = fit_capacity_at(s, h * FIT_BINS_PER_HOUR);
        band[h] = (unsigned char)(a > 0 && c > 0 ? load_band(a / c) : 255);
        if (band[h] != 255)
            p->load_hours[band[h]]++;
    }
    for (size_t i = first; i < l->n; i++) {
        size_t h = (size_t)(l->e[i].start_s / 3600);
        if (h < hours && band[h] != 255)
            p->load_starts[band[h]]++;
    }
    free(band);
}

void fit_episodes(struct fit_prov *p)
{
    struct ep_list l;
    struct trial_list tl;

    memset(&l, 0, sizeof(l));
    memset(&tl, 0, sizeof(tl));
    p->ep_unmatched = 0;
    memset(p->load_hours, 0, sizeof(p->load_hours));
    memset(p->load_starts, 0, sizeof(p->load_starts));
    for (size_t s = 0; s < p->n_series; s++) {
        size_t first = l.n;
        detect(&p->series[s], &l);
        window_trials(p, &p->series[s], &l, first, &tl);
        load_table(p, &p->series[s], &l, first);
    }
    p->n_episodes = l.n;
    p->ep_exposure = tl.excess_min;
    p->ep_windows = tl.n;
    if (!p->fig[FF_C0].fitted) {
        /* episodes are deliveries far below the capacity: without an
         * observed capacity there is nothing to measure them against */
        static const enum fit_fig_id ids[] = { FF_EP_HAZARD, FF_EP_MEDIAN,
                                               FF_EP_SIGMA, FF_EP_REPEAT,
                                               FF_EP_RHO };
        double dflt[] = { p->ep_hazard, p->ep_median_s, p->ep_sigma,
                          p->ep_repeat, p->ep_rho };
        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
            fit_fig_keep(&p->fig[ids[i]], dflt[i],
                         "the capacity was not observed, so episodes "
                         "cannot be told from it");
        p->n_episodes = 0;
        p->ep_exposure = 0;
        free(l.e);
        free(tl.t);
        return;
    }
    if (!p->cap_limited)
        fit_fig_keep(&p->fig[FF_EP_HAZARD], p->ep_hazard,
                     "the model has no capacity to exceed");
    else
        fit_hazard(p, &tl);
    free(tl.t);
    if (l.cap_in > 0 && l.n > 0) {
        double rho = l.d_in / l.cap_in;
        double se = sqrt(fmax(l.d_in, 1)) / l.cap_in;
        fit_fig_set(&p->fig[FF_EP_RHO], rho, fmax(0, rho - 1.96 * se),
                    rho + 1.96 * se, l.d_in,
                    "deliveries inside episodes over the capacity of those "
                    "bins");
    } else {
        fit_fig_keep(&p->fig[FF_EP_RHO], p->ep_rho, "no episode detected");
    }
    fit_durations(p, &l);
    free(l.e);
}

/* wilson - the Wilson score interval (95 %) of k in n; unlike the exact
 * beta quantiles it stays cheap and stable for millions of trials. */
static void wilson(double k, double n, double *lo, double *hi)
{
    const double z = 1.959964;
    double ph = k / n, d = 1 + z * z / n;
    double mid = (ph + z * z / (2 * n)) / d;
    double half = z * sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / d;
    *lo = fmax(0, mid - half);
    *hi = fmin(1, mid + half);
}

/* stated_cap - a message count a message-cap reply states ("more than
 * 100 messages", "limit of 50 messages per connection", "max 20"), or 0.
 * Digits inside the code, the enhanced status or an IP do not count. */
static long stated_cap(const char *t)
{
    for (const char *s = t + 3; *s; s++) {
        if (!isdigit((unsigned char)*s) || isdigit((unsigned char)s[-1]) ||
            s[-1] == '.')
            continue;
        char *end;
        long n = strtol(s, &end, 10);
        if (*end == '.' || end - s > 6)
            continue;
        const char *after = end;
        while (*after == ' ' || *after == ')')
            after++;
        int before_max = (s - t >= 4 && (!strncasecmp(s - 4, "max ", 4) ||
                                         !strncasecmp(s - 3, "of ", 3) ||
                                         !strncasecmp(s - 1, "(", 1)));
        if (n >= 1 && n <= 100000 &&
            (!strncasecmp(after, "messag", 6) ||
             !strncasecmp(after, "msg", 3) || before_max))
            return n;
        s = end - 1;
    }
    return 0;
}

/* msg_cap_from_text - the cap the most frequent message-cap reply that
 * states one gives, into the figure; 1 when found. */
static int msg_cap_from_text(struct fit_prov *p)
{
    const struct fit_group *best = NULL;
    long cap = 0;
    for (size_t i = 0; i < p->n_groups; i++) {
        const struct fit_group *g = &p->groups[i];
        long n = g->cls == FC_MSG_CAP ? stated_cap(g->sample) : 0;
        if (n > 0 && (best == NULL || g->count > best->count)) {
            best = g;
            cap = n;
        }
    }
    if (best == NULL)
        return 0;
    fit_fig_set(&p->fig[FF_MSG_CAP], (double)cap, (double)cap, (double)cap,
                (double)best->count,
                "stated in the message-cap reply text (dsnDiag)");
    return 1;
}

void fit_rates(struct fit_prov *p)
{
    double d = (double)p->n_class[FC_DELIVERED];
    double tr = (double)p->n_class[FC_TRANSIENT];
    double unk = (double)p->n_class[FC_UNKNOWN_USER];
    double caps = (double)p->n_class[FC_MSG_CAP];
    double lo, hi;

    if (d + tr >= FIT_MIN_ATTEMPTS) {
        wilson(tr, d + tr, &lo, &hi);
        fit_fig_set(&p->fig[FF_TRANSIENT], tr / (d + tr), lo, hi, d + tr,
                    "other 4xx replies over accepted-or-transient attempts "
                    "(Wilson interval)");
    } else {
        fit_fig_keep(&p->fig[FF_TRANSIENT], p->transient_rate,
                     "fewer than 100 attempts got past the capacity");
    }
    if (p->recipients >= FIT_MIN_ATTEMPTS) {
        wilson(unk, (double)p->recipients, &lo, &hi);
        fit_fig_set(&p->fig[FF_UNKNOWN], unk / (double)p->recipients, lo, hi,
                    (double)p->recipients,
                    "unknown-user bounces over recipients (a send-list "
                    "property: use it as the scenario's invalid_rate)");
    } else {
        fit_fig_keep(&p->fig[FF_UNKNOWN], 0, "fewer than 100 recipients");
    }
    /* each cap reply ends a connection that carried `cap` messages, so
     * attempts per cap reply bound the cap from above */
    p->msg_cap_bound = caps > 0 ? (d + tr + caps) / caps : 0;
    if (!msg_cap_from_text(p))
        fit_fig_keep(&p->fig[FF_MSG_CAP], p->msg_cap,
                     caps > 0 ? "the replies state no number; attempts per "
                                "message-cap reply bound it from above"
                              : "no message-cap replies");
    fit_fig_keep(&p->fig[FF_BLOCK_MIN_H], p->block_min_h,
                 p->n_class[FC_BLOCK] ? "block spells are reported, the "
                                        "threshold is not identifiable"
                                      : "no block replies");
}
