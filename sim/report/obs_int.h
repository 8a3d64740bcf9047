/* obs_int.h - the observer's state, shared by obs.c (counting, streamed
 * rows) and report.c (summary.json, latency.csv, the human summary). */
#ifndef OBS_INT_H
#define OBS_INT_H

#include "report/obs.h"

#include <gsl/gsl_histogram.h>

#define OBS_HIST_MIN_S      0.01
#define OBS_HIST_DECADES    9 /* 10 ms .. 10^7 s (115 days) */
#define OBS_HIST_PER_DECADE 50

enum obs_field {
    OBS_INJECTED,
    OBS_ATTEMPTS,
    OBS_DELIVERED,
    OBS_DEFERRED,
    OBS_BOUNCED,
    OBS_EXPIRED,
    OBS_CONN_FAILURES,
    OBS_REROUTED, /* recipients a reroute moved out of the queue */
    OBS_N_COUNTS
};

struct obs_counts {
    uint64_t v[OBS_N_COUNTS];
};

/* obs_counts_sum - a + b, field by field. */
static inline struct obs_counts obs_counts_sum(const struct obs_counts *a,
                                               const struct obs_counts *b)
{
    struct obs_counts s;
    for (int k = 0; k < OBS_N_COUNTS; k++)
        s.v[k] = a->v[k] + b->v[k];
    return s;
}

/* Latency of delivered recipients: bin 0 is [0, 10 ms), then log bins.
 * lut holds, for each 1/128 octave from 10 ms up (the top bits of a
 * double), the bin its lower end falls in (obs_hist_bin). */
struct obs_hist {
    gsl_histogram *h;
    uint64_t n;
    double sum, max;
    uint16_t *lut;
    uint64_t lut_base; /* the lookup key of the first entry */
    size_t lut_n;
};

/* A queue's figures; what each event and each interval's end touch
 * (gauges, then this interval's counts) comes first. */
struct obs_queue {
    char *name;
    int prov;
    int g_backoff;
    uint64_t g_queued, g_ready, g_retry;
    uint32_t g_conns;
    /* this interval's counts, and those of the intervals closed before
     * it (an event counts once, in cur; obs_queue_sum adds the two) */
    struct obs_counts cur, closed;
    uint64_t max_depth, queued_at_end;
    double backoff_s;
    uint32_t backoff_entries;
    int64_t last_delivery_us;
};

struct obs_reply {
    const char *text; /* borrowed: provider reply texts are stable */
    uint64_t count;
};

struct obs_prov {
    char *name;
    struct obs_counts c;
    struct obs_reply *replies;
    size_t n_replies, cap_replies;
};

struct obs_stream {
    char *name;
    double deadline_s;
    struct obs_counts c;
    struct obs_hist latency;
    uint64_t within_deadline;
};

/* One day of one (provider, source IP): the day's counts and the state
 * the provider reported at its end. */
struct obs_dayrow {
    int day; /* 1 = the first day of the run */
    int prov, ip;
    uint64_t n[OBS_N_DAY];
    double reputation, age_days, capacity_per_hour, recent_volume_per_day;
    int blocked;
};

enum { OBS_F_TIMESERIES, OBS_F_EVENTS, OBS_F_ACCT, OBS_N_FILES };

#define OBS_MAX_ASSUME 8

struct obs {
    struct obs_options opt;
    struct cJSON *meta; /* obs_set_meta, or NULL */
    FILE *ts, *ev, *acct;
    char *tmp_path[OBS_N_FILES];
    const char *final_name[OBS_N_FILES];
    int files_closed[OBS_N_FILES];
    struct obs_queue *queues;
    size_t n_queues, cap_queues;
    struct obs_prov *provs;
    size_t n_provs, cap_provs;
    struct obs_stream *streams;
    size_t n_streams, cap_streams;
    struct obs_counts totals_closed, total_cur; /* as a queue's */
    struct obs_hist all_latency;
    double peak_per_hour;
    uint64_t intervals;
    uint64_t n_events;
    uint64_t queued_at_end;
    double queued_integral_s;
    int64_t next_interval_us;
    struct obs_engine engine;
    const char *assume_key[OBS_MAX_ASSUME], *assume_val[OBS_MAX_ASSUME];
    size_t n_assume;
    const struct prov_world *world;
    uint64_t *day_n;  /* [prov][ip][field] of the current day */
    size_t day_ips;   /* IPs per provider in day_n */
    size_t day_provs; /* providers in day_n */
    int last_day;     /* the last day closed */
    struct obs_dayrow *days;
    size_t n_days, cap_days;
    struct obs_acct_state *acct_state; /* acct.c's patterns and cache */
};

/* obs_queue_sum, obs_totals_sum - the counts of the run so far, of queue q
 * and of all queues. */
struct obs_counts obs_queue_sum(const struct obs *ob, size_t q);
struct obs_counts obs_totals_sum(const struct obs *ob);
void obs_hist_init(struct obs_hist *h);
void obs_hist_release(struct obs_hist *h);
void obs_hist_add(struct obs_hist *h, double x);
size_t obs_hist_bin(const struct obs_hist *h, double x);
void obs_hist_add_bin(struct obs_hist *h, size_t bin, double x);
double obs_hist_quantile(const struct obs_hist *h, double p);
void obs_acct_free(struct obs *ob);
void obs_day_date(const struct obs *ob, int day, char *buf, size_t n);
void obs_day_csv(const struct obs *ob, FILE *fp);
void obs_format_time(const struct obs *ob, int64_t t_us, char *buf, size_t n);

#endif
