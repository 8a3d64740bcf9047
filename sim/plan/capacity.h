/* capacity.h - `plan capacity` as library code: the fewest warmed source
 * IPs (and the per-provider settings) that deliver N messages of a
 * scenario's mix within a deadline at an acceptable deferral rate.
 *
 * For K IPs a trial config is written (K VMTAs in one pool; per provider
 * one queue per IP via queue-to, with max-smtp-out at the provider's
 * connection tolerance and max-msg-rate at its hourly capacity for an
 * established IP, from the models), N recipients of the mix are sent at
 * t = 0, and K passes when none is left queued or expired at the deadline
 * and deferrals stay within the limit (search_min_count finds K). */
#ifndef CAPACITY_H
#define CAPACITY_H

#include "plan/mix.h"
#include "report/figures.h"
#include "util/diag.h"

#include <stdio.h>

struct cap_opts {
    double volume, within_s, max_defer;
    const char *within; /* as the user wrote it, for comments */
    int max_ips;
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
    int have_binding, binding_at_ips;
    double delivered_per_ip_h, left_at_end;
    const char *binding;
};

struct cap_plan {
    struct cap_opts o;
    struct mix *m;   /* borrowed */
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

/* cap_plan_run - search and explain; 0, or -1 with errors in dl. */
int cap_plan_run(struct cap_plan *c, struct diag_list *dl);
void cap_plan_release(struct cap_plan *c);
/* cap_config_text - the config for k IPs (malloc). */
char *cap_config_text(const struct cap_plan *c, int k);

#endif
