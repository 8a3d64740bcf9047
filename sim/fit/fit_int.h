/* fit_int.h - internals shared by the fit modules: fit.c (models and the
 * reading pass), fit_reply.c (reply texts), fit_capacity.c (censored
 * maximum likelihood), fit_episodes.c (episodes, rates) and fit_write.c
 * (the model files). Ownership: a struct fit owns everything below. */
#ifndef FIT_INT_H
#define FIT_INT_H

#include "fit/fit.h"
#include "provider/provider.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define FIT_BIN_S         300 /* series resolution: 5 minutes */
#define FIT_BINS_PER_HOUR (3600 / FIT_BIN_S)
#define FIT_MAX_IPS_AGE   64
/* bands of the hourly attempts over capacity: < 1, 1-1.5, 1.5-2, 2-4, >= 4 */
#define FIT_LOAD_BANDS 5

/* What a record says about the provider. */
enum fit_class {
    FC_DELIVERED,
    FC_THROTTLE,     /* 4xx rate limit / throttle episode */
    FC_CONN_LIMIT,   /* too many connections (tq) */
    FC_MSG_CAP,      /* too many messages on one connection */
    FC_TRANSIENT,    /* other 4xx */
    FC_UNKNOWN_USER, /* 5xx no such user */
    FC_BLOCK,        /* 5xx policy / reputation block */
    FC_OTHER_5XX,
    FC_MTA, /* the MTA's own outcome (expiry): no provider reply */
    FC_N
};

/* The reply texts of a shipped model, in the order of enum fit_class
 * (only the 4xx/5xx ones are used), normalised for comparison. */
struct fit_tmpl {
    char *norm[FC_N];
};

struct fit_group {
    char *key;    /* "421 RP-001", "421 4.7.28", ... */
    char *sample; /* the first full text seen, IP literals as {ip} */
    enum fit_class cls;
    uint64_t count;
};

/* One (provider, source IP): 5-minute bins from the fit's day 0. */
struct fit_series {
    char *ip;
    uint32_t *d, *thr, *att; /* delivered, throttle replies, attempts */
    uint32_t *off;           /* first attempts (the sender's offered rate) */
    uint8_t *ep;             /* 1: the bin lies in a detected episode */
    size_t n_bins, cap_bins;
    int64_t first_s;
    int64_t block_last_s;  /* last block reply (spells: gaps > 6 h) */
    uint32_t block_spells; /* runs of block replies */
    /* from the capacity fit */
    double age0; /* active days before day 0 */
    int age_how; /* 0 new (first seen after day 0), 1 given, 2 fitted,
                    3 unknown (assumed 0) */
    double age0_se;
    double *cap_day; /* fitted capacity per day, msgs/h */
    size_t n_days;
};

/* A figure with its uncertainty. */
struct fit_fig {
    int fitted;      /* 0: kept from the shipped model */
    double value;    /* the estimate (or the kept default) */
    double lo, hi;   /* 95 % interval; NAN when not available */
    double n;        /* observations it rests on */
    const char *why; /* method, or why it was kept */
};

/* The figures, one id per value the fit can write. */
enum fit_fig_id {
    FF_C0,          /* capacity.initial_per_hour */
    FF_G1,          /* capacity.growth_per_day[0] */
    FF_G2,          /* capacity.growth_per_day[1] */
    FF_G3,          /* capacity.growth_per_day[2] */
    FF_BETA,        /* capacity.history_factor */
    FF_CAP_SIGMA,   /* log-scale scatter of hourly capacity (report only) */
    FF_EP_HAZARD,   /* throttle.episodes.hazard */
    FF_EP_MEDIAN,   /* throttle.episodes.median_s */
    FF_EP_SIGMA,    /* throttle.episodes.sigma */
    FF_EP_REPEAT,   /* throttle.episodes.repeat_factor */
    FF_EP_RHO,      /* throttle.episodes.capacity_factor */
    FF_TRANSIENT,   /* transient.rate */
    FF_UNKNOWN,     /* unknown-user share of recipients (report only) */
    FF_MSG_CAP,     /* connections.max_msgs_per_connection */
    FF_BLOCK_MIN_H, /* block.min_hours */
    FF_N
};

struct fit_prov {
    char *name, *path;
    cJSON *model; /* the shipped JSON */
    int wildcard; /* serves "*" */
    char **mx;    /* its "mx" names, lower case */
    size_t n_mx;
    struct fit_tmpl tmpl;
    /* shipped values the estimation needs */
    double active_day_min, half_life_days, vfloor, active_hours;
    double burst_minutes, cap_max, week1_cap, c0, growth[3], beta;
    int cap_limited, ep_on;
    double ep_hazard, ep_median_s, ep_sigma, ep_repeat, ep_rho, ep_max_s;
    double ep_window_s; /* throttle.episodes.window_s */
    double transient_rate, block_min_h;
    int msg_cap;
    /* counts */
    uint64_t records, recipients, n_class[FC_N];
    struct fit_group *groups;
    size_t n_groups, cap_groups;
    struct fit_series *series;
    size_t n_series, cap_series;
    double *hour_d, *hour_t; /* logged delivered / deferred per hour */
    size_t n_hours, cap_hours;
    /* results */
    struct fit_fig fig[FF_N];
    uint64_t cap_obs, cap_censored; /* hours used by the capacity fit */
    uint64_t n_episodes, n_blocks;
    uint64_t ep_windows;   /* windows over the allowance, outside episodes */
    uint64_t ep_unmatched; /* episodes after no such window */
    double ep_exposure;    /* minutes of 1x excess outside episodes */
    double load_hours[FIT_LOAD_BANDS];  /* hours by attempts/capacity */
    double load_starts[FIT_LOAD_BANDS]; /* episodes started in them */
    double msg_cap_bound;               /* attempts per msg-cap reply */
};

struct fit {
    struct fit_opts opt;
    struct fit_ip_age ages[FIT_MAX_IPS_AGE];
    struct prov_world *world;
    struct fit_prov *provs;
    size_t n_provs;
    char **files;
    size_t n_files;
    int64_t t0_s; /* UTC midnight of the first record */
    int have_t0;
    int64_t last_s;
    uint64_t rows, skipped, early, by_type[8];
    uint64_t *seen; /* hashes of the messages seen (first attempts) */
    size_t n_seen, cap_seen;
    char **ips; /* every source IP seen, first-seen order */
    size_t n_ips, cap_ips;
};

/* fit_reply.c */
/* fit_reply_text - the reply of a dsnDiag field without "smtp;" and
 * blanks. */
const char *fit_reply_text(const char *diag);
/* fit_reply_norm - a comparable form: lower case, IPv4 literals and the
 * "{ip}" placeholder as "#", blanks squeezed. Caller frees. */
char *fit_reply_norm(const char *text);
/* fit_reply_key - the group of a reply: its code, its enhanced status and
 * the provider's own token ("421 4.7.0 RP-001", "421 TSS04"). */
void fit_reply_key(const char *text, char *key, size_t n);
/* fit_reply_sample - text with IPv4 literals as "{ip}". Caller frees. */
char *fit_reply_sample(const char *text);
/* fit_reply_class - what a 4xx/5xx reply means, from the provider's own
 * texts first, then from wording; tq says a connection-level record. */
enum fit_class fit_reply_class(const struct fit_prov *p, const char *text,
                               const char *bounce_cat, int tq);
const char *fit_class_name(enum fit_class c);

/* fit_capacity.c */
void fit_capacity(struct fit *f, struct fit_prov *p, int pass);
/* fit_capacity_at - fitted capacity (msgs/h) of a series at bin b. */
double fit_capacity_at(const struct fit_series *s, size_t bin);

/* fit_episodes.c */
/* fit_episodes - detect episodes in every series of p (marking their
 * bins), then estimate their start rate, durations and capacity factor. */
void fit_episodes(struct fit_prov *p);
/* fit_rates - transient-failure, unknown-user, message-cap and block
 * figures from the reply counts. */
void fit_rates(struct fit_prov *p);

/* fit_write.c */
void fit_fig_set(struct fit_fig *g, double v, double lo, double hi, double n,
                 const char *why);
void fit_fig_keep(struct fit_fig *g, double v, const char *why);

#endif
