/* prov_int.h - internals shared by provider.c (state and answers) and
 * prov_params.c (loading and validating models/NAME.json).
 *
 * The numbers follow docs/providers.md; every field
 * below is documented, with its JSON key, unit and default, in
 * docs/providers.md. Ownership: a prov_world owns every prov_model, state
 * array, interned reply text and domain-table key reachable from it. */
#ifndef PROV_INT_H
#define PROV_INT_H

#include "provider/provider.h"

#include <stddef.h>
#include <stdint.h>

#define PROV_DAY_S 86400.0
/* A capacity that stands for "no limit" in arithmetic (msgs/hour). */
#define PROV_HUGE 1e12
/* Longest capacity.ceiling_per_day list (days of age). */
#define PROV_CEIL_MAX 64
/* Episode start times remembered for the "within 24 h" repeat rule. */
#define PROV_EP_RING 16

enum prov_dist_kind {
    PROV_DIST_NONE, /* no latency: 0 s */
    PROV_DIST_FIXED,
    PROV_DIST_EXPONENTIAL,
    PROV_DIST_LOGNORMAL
};

/* A latency distribution (JSON "latency.connect" / "latency.message"). */
struct prov_dist {
    enum prov_dist_kind kind;
    double value_s; /* fixed: s; exponential: mean_s; lognormal: median_s */
    double sigma;   /* lognormal shape */
    double mu;      /* lognormal: log(median_s), computed once */
};

/* The reply texts a model can give, as indexes into the template arrays. */
enum prov_text_id {
    PROV_T_THROTTLE,  /* beyond capacity or in an episode (4xx) */
    PROV_T_CONN,      /* too many connections from the IP (at connect) */
    PROV_T_MSG_CAP,   /* too many messages on one connection */
    PROV_T_TRANSIENT, /* random temporary failure (4xx) */
    PROV_T_UNKNOWN,   /* unknown user (5xx) */
    PROV_T_BLOCK,     /* the IP is blocked (5xx) */
    PROV_N_TEXT
};

struct prov_conn_params {
    int max_per_ip;             /* tolerated sessions per IP; 0 = unlimited */
    uint32_t max_msgs_per_conn; /* 0 = unlimited */
};

struct prov_cap_params {
    int limited;                   /* 0: "capacity" absent or "unlimited" */
    double initial_per_hour;       /* C0 */
    double growth[3];              /* per active day: week 1, week 2, later */
    double max_per_hour;           /* Cmax; PROV_HUGE when absent */
    double history_factor;         /* beta; 0 = no history cap */
    double history_floor_per_day;  /* Vfloor */
    double half_life_days;         /* of the Vbar moving average */
    double active_hours;           /* H_active */
    double week1_cap_per_day;      /* accepted per day while a < 7; 0 = none */
    double ceiling[PROV_CEIL_MAX]; /* accepted per day by age (the upper
                                      anchor); none from age n_ceiling on */
    size_t n_ceiling;
    double ceiling_factor; /* the model's share of that ceiling */
    double burst_minutes;  /* bucket size in minutes of capacity */
    double active_day_min; /* attempts for a day to count for age */
};

struct prov_ep_params {
    int on;
    double hazard;          /* per window, per unit of offered/allowed - 1 */
    double window_s;        /* the offered rate is measured per window */
    double median_s, sigma; /* lognormal duration */
    double max_s;           /* 0 = no cap */
    double capacity_factor; /* rho */
    double repeat_factor;   /* duration multiplier per episode in 24 h */
};

struct prov_rep_params {
    int on;             /* 0: reputation fixed, phi = 1 */
    double initial;     /* R0 of a new IP */
    double established; /* R of an IP of unknown history */
    double complaint_soft, complaint_hard, unknown_soft;
    double w_complaint, w_complaint_hard, w_unknown, w_spike;
    double recovery_days;   /* tau_rec */
    double confidence;      /* rates are judged by this one-sided bound */
    double evidence_volume; /* recipients a day for a full verdict */
    double target;          /* R_target on a clean day */
    double phi_zero_below, phi_full_at, phi_power;
};

struct prov_block_params {
    int on;
    double below; /* reputation threshold */
    double min_s; /* shortest block */
};

/* The cold part of a (provider, source IP) state: what only the daily
 * update, episodes, blocks, refusals and reports read. */
struct prov_cold {
    uint64_t key;     /* keyed-draw entity: hash of provider and IP */
    const char *name; /* provider, or long-tail domain, for events */
    const char *text[PROV_N_TEXT]; /* replies with "{ip}" filled in */
    double reputation;
    double age_days;     /* active sending days */
    double vbar_per_day; /* recent peak of accepted daily volume */
    double cap_per_hour; /* capacity outside episodes */
    double ep_start_s[PROV_EP_RING];
    uint64_t n_episodes; /* episodes started so far */
    int block_release;   /* reputation recovered: unblock at block_until */
    double block_until_s;
};

/* Per (provider, source IP) state (docs/providers.md): the fields every
 * connection and transaction reads, in two cache lines (the array is
 * aligned to 64 bytes). A run has up to 10,000 long-tail receivers times
 * its IPs, so these are cache misses: one state used to span five lines. */
struct prov_state {
    double tokens; /* bucket content at bucket_s */
    double bucket_s;
    double cap_now;    /* cap_per_hour, times rho inside an episode */
    double bucket_max; /* the bucket's size at cap_now */
    double ep_until_s;
    double day_cap; /* messages it accepts today (PROV_HUGE: no cap) */
    double day_accepted, day_attempts;
    double day_offered; /* first attempts today */
    int64_t win_idx;    /* the offered-rate window being counted */
    double win_offered; /* first attempts in that window */
    double day_unknown, day_complaints;
    struct prov_cold *cold;
    int conn_tol; /* sessions tolerated from the IP now; 0 = unlimited */
    unsigned char in_episode, blocked;
    int open_conns;
};

struct prov_model;

/* The states of one receiving system, one per source IP: a named model,
 * or one domain of the long tail a "*" model serves (each its own
 * allowance, connection limit and reputation). */
struct prov_group {
    struct prov_model *m;
    struct prov_state *states; /* indexed by IP; 64-byte aligned */
    const char *name;          /* the model's name or the domain (not owned) */
    struct prov_cold *colds;   /* indexed by IP */
    void *states_mem;          /* the allocation states lies in */
    size_t n_states, cap_states;
};

struct prov_model {
    char *name;
    char **domains; /* lower case; "*" = every other domain */
    size_t n_domains;
    char **mx;
    size_t n_mx;
    int *mx_pref;   /* MX preference of each host (lower first) */
    char ***mx_ips; /* destination IPs of each host (may be none) */
    size_t *mx_n_ips;
    char **mx_refuse; /* a host's answer to every connection, or NULL */
    double data_rate; /* "data_reply": share of messages refused at DATA */
    char *data_text;  /* ... with this reply */
    int data_code;
    struct prov_dist lat_connect, lat_message;
    struct prov_conn_params conn;
    struct prov_cap_params cap;
    struct prov_ep_params ep;
    double transient_rate;
    int unknown_on;
    struct prov_rep_params rep;
    struct prov_block_params block;
    char *tmpl[PROV_N_TEXT]; /* reply templates, may contain "{ip}" */
    int code[PROV_N_TEXT];
    size_t tail_domains; /* "*" domains with a state of their own */
};

/* An open-addressing hash set of strings with an int value. */
struct prov_htab_slot {
    uint64_t hash;
    char *key; /* NULL = empty; owned */
    int value;
};

struct prov_htab {
    struct prov_htab_slot *slots;
    size_t n, cap; /* cap is 0 or a power of two */
};

struct prov_ip {
    char *name;
    double age_days;
    double reputation;   /* < 0: the model's default */
    double vbar_per_day; /* recent accepted volume; < 0: from the age */
};

struct prov_world {
    struct prov_model **models;
    size_t n_models, cap_models;
    struct prov_ip *ips;
    size_t n_ips, cap_ips;
    struct prov_htab domains;  /* lower-case domain -> model index */
    struct prov_htab texts;    /* interned reply texts */
    int wildcard;              /* model serving "*", or -1 */
    struct prov_htab ip_index; /* IP name -> index (linear-time loading) */
    /* the states of each model (by index), then of each long-tail domain
     * with a state of its own: one array, so a target is one index */
    struct prov_group *groups;
    size_t n_groups, cap_groups;
    size_t n_tails;
    struct prov_htab tail_ids; /* domain -> index in tails */
    prov_event_fn *event_fn;
    void *event_ctx;
    double next_day_s; /* next day boundary to process */
};

/* prov_params_load - read and validate path into a new model, or NULL
 * with errors (JSON paths) in dl. The model has no states yet. */
struct prov_model *prov_params_load(const char *path, struct diag_list *dl);
void prov_model_free(struct prov_model *m);

/* prov_state_add - a state for IP ip (the next one) in group g. */
void prov_state_add(struct prov_world *w, struct prov_group *g, int ip);
/* prov_group_release - free g's states. */
void prov_group_release(struct prov_group *g);

/* prov_htab_find - the value of key, or -1. */
int prov_htab_find(const struct prov_htab *t, const char *key);
/* prov_htab_put - insert key (copied) with value unless present; returns
 * the stored key. */
const char *prov_htab_put(struct prov_htab *t, const char *key, int value);
void prov_htab_release(struct prov_htab *t);

#endif
