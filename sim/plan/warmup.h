/* warmup.h - `plan warmup` as library code: a day-by-day volume schedule
 * per new IP and provider that keeps the simulated deferral rate, the
 * time in backoff and the end-of-day queue within limits, for the user's
 * own sender: the scenario's config, its VMTAs, pools, domain blocks and
 * pattern lists, and the new IPs it names (age_days < 1 in "ips").
 *
 * The trials send through the user's own VMTA of a new IP with the user's
 * config unchanged, so its backoff rules and limits are the ones planned
 * for. The answer is a patch to that config: the new VMTAs become cold
 * VMTAs (cold-virtual-mta) of an established VMTA of the same pool, which
 * keeps the excess (the overflow route), with per-domain
 * max-cold-virtual-mta-msg day lists; the new VMTAs leave their pools
 * until warm.
 *
 * Providers keep their state per (provider, IP), so a new IP's plan for
 * one provider does not depend on the others, and all new IPs of the
 * scenario get the same plan. For each provider and day the planner
 * searches the largest volume (at least the previous day's) whose one-day
 * simulation, from the IP's age and reputation at the end of the day
 * before, meets the limits (search_max_volume). The day's accepted run
 * gives the next day's starting age, reputation and recent volume (the
 * provider's daily report, in the trial's figures). This chains one-day
 * runs instead of re-simulating every earlier day, which would cost
 * O(days^2). The schedule is then checked end to end: a config with the
 * new IPs as cold VMTAs (max-cold-virtual-mta-msg day lists) is simulated
 * over all the days. */
#ifndef WARMUP_H
#define WARMUP_H

#include "config/cfg_model.h"
#include "plan/mix.h"
#include "plan/patch.h"
#include "util/diag.h"

struct wu_opts {
    double days; /* sending days planned */
    double max_defer, max_backoff_h, max_queue, margin;
    double target;    /* > 0: the new IPs' total per day to reach */
    int by;           /* > 0: the sending day the target is due */
    unsigned sending; /* weekdays that send: bit 0 Monday .. bit 6 Sunday;
                         0 = every day */
};

/* wu_parse_days - "mon-fri", "mon,wed,fri", "sat-sun", "mon-sun" into a
 * weekday mask; 0, or -1 when it is not such a list. */
int wu_parse_days(const char *s, unsigned *mask);

/* A new IP's state at a provider at the start of a day, as the daily
 * report gives it (< 0: the model's default). */
struct wu_state {
    double age, rep, vbar;
};

/* What stopped a day's volume from growing. */
enum wu_bound {
    WU_BOUND_NONE,     /* the search stopped growing (12 doublings) */
    WU_BOUND_DEFERRAL, /* the next larger volume deferred too much */
    WU_BOUND_BACKOFF,  /* ... spent too long in backoff */
    WU_BOUND_QUEUE,    /* ... left too much queued at the end of the day */
    WU_BOUND_PREVIOUS, /* nothing above the day before passed */
    WU_BOUND_TARGET    /* the target was reached */
};
const char *wu_bound_name(enum wu_bound b);

/* A planned day of one provider (per IP). */
struct wu_day {
    double volume, defer_rate, p95_s, backoff_h, queued;
    double age, rep; /* the IP's state at the start of the day */
    int ok;          /* the planned volume met the limits */
    enum wu_bound bound;
};

struct wu_check_row {
    size_t prov;
    int day;
    double planned, attempts, deferred;
    int ok;
};

/* A new IP and the user's VMTA that sends from it. */
struct wu_ip {
    const char *ip; /* borrowed from the scenario */
    int vmta;       /* index in the config */
};

struct wu_plan {
    struct wu_opts o;
    struct mix *m;      /* borrowed */
    const char *out;    /* DIR: trials in DIR/trials, the check in check/ */
    const char *new_ip; /* the first new IP (the plan is per IP) */
    double rep0;        /* its starting reputation (< 0: model default) */
    int n_new;
    struct cfg_model *cfg; /* the user's config */
    char *config_abs;      /* its absolute path, for the trial scenarios */
    struct wu_ip *ips;     /* the n_new new IPs */
    int trial_vmta;        /* the VMTA of new_ip */
    int trial_n_ips;       /* its source IPs (all new) */
    int warm_vmta;         /* the established VMTA that keeps the excess */
    int *cal;              /* calendar day (from the start) of sending day i */
    int n_cal;             /* calendar days the sending days span */
    struct wu_day *plan;   /* n_p x days */
    struct wu_check_row *check;
    size_t n_check;
    int check_ok;
    void (*on_day)(void *ctx, size_t prov, int day, const struct wu_day *d);
    void *ctx;
};

/* wu_plan_init - the new IPs of the scenario (age_days < 1), their VMTAs
 * in the user's config and the established VMTA that will carry the
 * excess; 0, or 1 with errors in dl (no new IP, a new IP no VMTA sends
 * from, a VMTA mixing new and established IPs, no established VMTA). */
int wu_plan_init(struct wu_plan *w, struct mix *m, const struct wu_opts *o,
                 const char *out, struct diag_list *dl);
void wu_plan_release(struct wu_plan *w);
/* wu_plan_provider - the whole schedule of provider pi; 0 or -1. */
int wu_plan_provider(struct wu_plan *w, size_t pi, struct diag_list *dl);
/* wu_plan_all - every provider's schedule, planned on up to `workers`
 * processes (providers are independent, so the plan and the order in
 * which on_day hears of it do not depend on the number); 0 or -1. */
int wu_plan_all(struct wu_plan *w, int workers, struct diag_list *dl);
/* wu_day_of - the planned day of provider pi. */
const struct wu_day *wu_day_of(const struct wu_plan *w, size_t pi, int day);
/* wu_new_ip - 1 when the scenario's IP i is one being warmed up. */
int wu_new_ip(const struct scenario *sc, size_t i);
/* wu_patch - the schedule as edits of the user's config file; 0, or 1
 * with errors in dl (a block the patch must edit is in an included file
 * or cannot be found). patch_release it. */
int wu_patch(const struct wu_plan *w, struct patch *p, struct diag_list *dl);
/* wu_target_met - with --by: 1 when the planned total on that sending day
 * reaches the target; *got gets the total. */
int wu_target_met(const struct wu_plan *w, double *got);
/* wu_date - the date of sending day i ("2026-01-05") into buf. */
void wu_date(const struct wu_plan *w, int day, char *buf, size_t n);
/* wu_quota - the cold quota of provider pi's domain k on a day: its share
 * of the new IPs' planned volume. */
double wu_quota(const struct wu_plan *w, size_t pi, size_t k, int day);
/* wu_check - simulate the patched config (conf, its text) over all days
 * into DIR/check and judge each provider-day (w->check, w->check_ok); 0
 * or -1. */
int wu_check(struct wu_plan *w, const char *conf, struct diag_list *dl);

#endif
