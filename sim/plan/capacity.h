/* capacity.h - `plan capacity` as library code: how many warmed VMTAs
 * (source IPs) of the user's own pool deliver N messages of the
 * scenario's mix within a deadline at an acceptable deferral rate.
 *
 * The pool is the user's (--pool, else the one the streams name, else the
 * config's only pool). For K VMTAs the user's config is patched: K <= its
 * members keeps the first K in the pool; K > its members adds copies of
 * its first member (the template: its own lines, domain blocks and all,
 * with a placeholder IP and host name for the user to replace). Every
 * other line of the config, its backoff rules included, stays. N
 * recipients of the mix are injected into the pool at t = 0 with every IP
 * warmed, and K passes when none is left queued or expired at the
 * deadline and deferrals stay within the limit (search_min_count). */
#ifndef CAPACITY_H
#define CAPACITY_H

#include "config/cfg_model.h"
#include "plan/mix.h"
#include "plan/patch.h"
#include "report/figures.h"
#include "util/diag.h"

#include <stdio.h>

struct cap_opts {
    double volume, within_s, max_defer;
    const char *within; /* as the user wrote it, for comments */
    int max_ips;        /* the most VMTAs tried */
    const char *pool;   /* --pool, or NULL */
};

/* One trial's verdict and figures. */
struct cap_trial {
    int ips, pass;
    double delivered, expired, queued, deferral_rate, last_s;
};

/* Per provider in the answer: need, settings and what held it back in
 * the trial with one IP fewer (the answer's own when K is 1). */
struct cap_prov {
    const struct mix_prov *p;
    double need_per_ip_h, capacity_use;
    double model_cap_per_h;   /* the model's per-IP capacity, established */
    double rate_per_h;        /* the config's max-msg-rate per queue */
    double max_smtp_out;      /* the config's, per queue */
    const char *rate, *conns; /* their text as the config resolves them */
    int have_binding, binding_at_ips;
    double delivered_per_ip_h, left_at_end;
    const char *binding;
};

struct cap_plan {
    struct cap_opts o;
    struct mix *m; /* borrowed */
    struct cfg_model *cfg;
    char *config_abs;
    int pool;        /* the pool scaled */
    int tmpl;        /* its first member: the VMTA copied */
    const char *out; /* DIR: trials go to DIR/trials/k-K */
    struct cap_trial *trials;
    size_t n_trials;
    struct run_figures *figs; /* of each trial, by K (index K) */
    int answer;               /* K, 0 when none */
    struct cap_prov *provs;   /* m->n_p, after cap_plan_run */
    /* called after each trial (printing belongs to the caller) */
    void (*on_trial)(void *ctx, const struct cap_trial *t);
    void *ctx;
};

/* cap_plan_init - the user's config and the pool to scale; 0, or 1 with
 * errors in dl. cap_plan_release in either case. */
int cap_plan_init(struct cap_plan *c, struct diag_list *dl);
/* cap_plan_run - search and explain; 0, or -1 with errors in dl. */
int cap_plan_run(struct cap_plan *c, struct diag_list *dl);
void cap_plan_release(struct cap_plan *c);
/* cap_patch - the user's config with K VMTAs in the pool, as edits; 0, or
 * 1 with errors in dl. patch_release it. */
int cap_patch(const struct cap_plan *c, int k, struct patch *p,
              struct diag_list *dl);
/* cap_pool_name - the pool scaled. */
const char *cap_pool_name(const struct cap_plan *c);

#endif
