/* figures.h - a run's figures in memory, filled by the observer at the end
 * of the run: the same totals, per-queue, per-provider and per-stream
 * figures summary.json holds, as a struct a planner can judge without
 * re-reading files. Per-day and per-IP figures are added by whoever
 * drives the run (plan/trial.c), which sees the day boundaries.
 * Ownership: run_figures_release frees every array and name. */
#ifndef FIGURES_H
#define FIGURES_H

#include <stddef.h>

struct obs;

/* Recipient counts (summary.json's counters). */
struct run_counts {
    double injected, attempts, delivered, deferred, bounced, expired;
    double conn_failures;
};

struct run_queue {
    char *name;     /* "domain/vmta" */
    char *provider; /* NULL when unknown */
    struct run_counts c;
    double queued_at_end, max_depth, backoff_s, backoff_entries;
    double last_delivery_s; /* < 0: nothing delivered */
};

struct run_provider {
    char *name;
    struct run_counts c;
};

struct run_stream {
    char *name;
    struct run_counts c;
    double p95_s;
};

/* One simulated day (day 0 is [0, 86400 s)): the totals, and each
 * queue's counts (queues[i] is the queue run_figures.queues[i]; queues
 * created later in the run are missing from earlier days). */
struct run_day {
    struct run_counts c;
    struct run_counts *queues;
    size_t n_queues;
};

/* One provider's view of one source IP at the end of a day: the daily
 * report of the provider model (only for IPs that sent that day). */
struct run_ip_day {
    char *provider, *ip;
    int day; /* 0-based: the day that ended */
    double accepted, reputation, age_days, recent_volume_per_day;
};

struct run_figures {
    struct run_counts totals;
    double queued_at_end;
    double p95_s;           /* latency of delivered recipients */
    double last_delivery_s; /* over all queues; < 0: none */
    double backoff_s;       /* time in backoff, summed over queues */
    struct run_queue *queues;
    size_t n_queues;
    struct run_provider *providers;
    size_t n_providers;
    struct run_stream *streams;
    size_t n_streams;
    struct run_day *days;
    size_t n_days;
    struct run_ip_day *ip_days;
    size_t n_ip_days;
};

void run_figures_init(struct run_figures *f);
void run_figures_release(struct run_figures *f);
/* obs_figures - the observer's end-of-run figures into f (after
 * obs_queue_final; days and ip_days are left as they are). */
void obs_figures(const struct obs *ob, struct run_figures *f);
/* obs_totals - the cumulative totals so far (for per-day differences). */
void obs_totals(const struct obs *ob, struct run_counts *c);
/* obs_queue_count, obs_queue_totals - the queues so far and the
 * cumulative counts of queue i. */
size_t obs_queue_count(const struct obs *ob);
void obs_queue_totals(const struct obs *ob, size_t i, struct run_counts *c);
/* run_counts_sub - a - b, field by field, into out. */
void run_counts_sub(const struct run_counts *a, const struct run_counts *b,
                    struct run_counts *out);
/* run_figures_provider - the figures of the queues of provider name
 * added up (left = queued at the end + expired, backoff summed, the
 * latest delivery); no queue: all zero. */
struct run_provider_use {
    struct run_counts c;
    double left, backoff_s, last_delivery_s;
    size_t n_queues;
};
void run_figures_provider(const struct run_figures *f, const char *name,
                          struct run_provider_use *u);

#endif
