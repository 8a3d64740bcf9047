/* obs.h - the observer: what happened during a run, counted as it happens.
 *
 * The MTA model reports each injection, attempt, delivery, deferral,
 * bounce, expiry and mode change here; the observer keeps per-interval and
 * cumulative counters per queue, per provider (with a count per reply
 * text) and per stream, log-spaced latency histograms per stream (GSL),
 * and streams timeseries.csv / events.csv / acct.csv rows to temporary
 * files that report.c renames into place when the run succeeds. Nothing
 * here stores per-recipient history. Ownership: the obs owns its files,
 * counters and copies of names. */
#ifndef OBS_H
#define OBS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct obs;

struct obs_options {
    double interval_s;  /* report.interval */
    int64_t start_unix; /* t = 0 as epoch seconds */
    const char *dir;    /* output directory (exists) */
    int acct;           /* write acct.csv */
    int acct_crlf;      /* end its lines with CR LF (else LF) */
};

/* obs_alloc - NULL with errno set when the temporary files cannot be
 * created in o->dir. */
struct obs *obs_alloc(const struct obs_options *o);
void obs_free(struct obs *ob);
/* obs_abort - remove the temporary files (after a failure). */
void obs_abort(struct obs *ob);

/* Registration: indices are assigned in call order from 0. */
int obs_add_queue(struct obs *ob, const char *name, int prov);
int obs_add_provider(struct obs *ob, const char *name);
int obs_add_stream(struct obs *ob, const char *name, double deadline_s);

/* Recipient outcomes. latency_s counts from enqueue. */
void obs_injected(struct obs *ob, int q, int stream, int64_t now_us);
void obs_attempt(struct obs *ob, int q, int prov, int stream, int64_t now_us);
void obs_delivered(struct obs *ob, int q, int prov, int stream, int64_t now_us,
                   double latency_s);
void obs_deferred(struct obs *ob, int q, int prov, int stream,
                  const char *reply, int64_t now_us);
void obs_bounced(struct obs *ob, int q, int prov, int stream, const char *reply,
                 int64_t now_us);
void obs_expired(struct obs *ob, int q, int stream, int64_t now_us,
                 double age_s);
/* obs_conn_failure - a connection refused or dropped at connect (a
 * queue-level failure, "tq" in accounting terms). */
/* obs_rerouted - a reroute moved a recipient from queue from to to. */
void obs_rerouted(struct obs *ob, int from, int to, int64_t now_us);
void obs_conn_failure(struct obs *ob, int q, int prov, const char *reply,
                      int64_t now_us);
/* obs_csv_field - s as one CSV field (RFC 4180: quoted when it holds a
 * comma, quote or line break); nothing for NULL. No separator. */
void obs_csv_field(FILE *fp, const char *s);

/* obs_event - a row of events.csv: mode changes and their reasons, retry
 * mode, source IPs disabled/enabled, provider episodes and blocks. */
void obs_event(struct obs *ob, int64_t now_us, const char *queue,
               const char *event, const char *detail);
/* obs_provider_event - a row of events.csv about a provider and one of our
 * source IPs (episodes, blocks): the queue column stays empty, the
 * provider and ip columns name them. Episode starts and blocks are also
 * counted for daily.csv. */
void obs_provider_event(struct obs *ob, int64_t now_us, const char *provider,
                        const char *ip, const char *event, const char *detail);

/* Daily state (daily.csv, summary.json "daily"): one row per day, provider
 * and source IP. The MTA reports each answer from a source IP (world IP
 * index) here; at each day boundary obs_day_end reads the provider state
 * through prov_world_view and writes the day's rows. */
enum obs_day_field {
    OBS_D_ACCEPTED,
    OBS_D_DEFERRED,
    OBS_D_BOUNCED,
    OBS_D_CONN_FAILURES,
    OBS_D_EPISODES,
    OBS_D_BLOCKS,
    OBS_N_DAY
};
struct prov_world;
/* obs_set_world - the provider world whose states the daily rows show
 * (borrowed; must outlive the obs's last obs_day_end). */
void obs_set_world(struct obs *ob, const struct prov_world *w);
void obs_day_count(struct obs *ob, int prov, int ip, enum obs_day_field f);
/* obs_day_end - close the day that ends at now_us (the rows of every
 * provider and IP that sent, was throttled or is blocked); a second call
 * for the same day does nothing. */
void obs_day_end(struct obs *ob, int64_t now_us);

/* Accounting records (only with o->acct): type "r" (received, at
 * injection), "d", "b", "t" or "tq". */
struct obs_acct {
    const char *type;
    int64_t queued_us, logged_us;
    const char *rcpt; /* may be NULL (tq) */
    const char *domain;
    const char *vmta;
    const char *source_ip; /* NULL where no connection was involved */
    const char *queue;
    const char *reply;  /* may be NULL for r and d */
    const char *stream; /* jobId; NULL: the name of stream_ix */
    uint32_t size;
    const char *diag_type; /* dsnDiag's type; NULL: "smtp" */
    int stream_ix;         /* -1 when none */
    int prov;              /* provider of the queue (for dsnMta), or -1 */
    const char *pool;      /* vmtaPool: the pool the VMTA was chosen from */
    const char *src_mta;   /* srcMta: the injecting client */
    const char *dest_ip;   /* dlvDestinationIp: the MX address, or NULL */
};
void obs_acct(struct obs *ob, const struct obs_acct *a);
/* obs_acct_on - 1 when acct.csv is being written (callers skip the work of
 * building records otherwise). */
int obs_acct_on(const struct obs *ob);
/* obs_acct_classify - the dsnStatus ("5.1.1 (bad destination mailbox
 * address)") and PowerMTA bounceCat ("bad-mailbox") of a reply text, as
 * acct.csv writes them; returns 0. */
int obs_acct_classify(struct obs *ob, const char *reply, char *status, size_t n,
                      const char **cat);

/* Gauges at a report boundary (called by mta_snapshot for each queue),
 * then the boundary itself, which writes the interval's timeseries rows. */
void obs_gauge(struct obs *ob, int q, uint64_t queued, uint64_t ready,
               uint64_t awaiting_retry, uint32_t connections, int backoff);
void obs_interval_end(struct obs *ob, int64_t now_us);

/* End-of-run per-queue figures kept by the MTA. */
void obs_queue_final(struct obs *ob, int q, uint64_t max_depth,
                     double backoff_s, uint32_t backoff_entries,
                     int64_t last_delivery_us, uint64_t queued_at_end);

/* obs_queued_integral - the time integral of the number of queued
 * recipients over the run (recipient-seconds), for totals.mean_queued. */
void obs_queued_integral(struct obs *ob, double rcpt_s);

/* obs_assume - a choice the PowerMTA guide leaves open that this run made
 * and that changes results (e.g. "rate_window" = "sliding"), for
 * summary.json's "assumptions" and the printed summary. key and value
 * must outlive the obs (string literals). */
void obs_assume(struct obs *ob, const char *key, const char *value);

/* Engine figures for summary.json. */
struct obs_engine {
    uint64_t events;
    double wall_s;
    long peak_rss_kb;
    uint64_t seed;
    double duration_s;
    uint64_t sendlist_adjusted;
};

/* obs_set_meta - members (a JSON object: the mtasim version, the command
 * line, the inputs and their checksums) that summary.json records after
 * the figures; the obs takes ownership of meta. */
struct cJSON;
void obs_set_meta(struct obs *ob, struct cJSON *meta);

/* obs_write_reports - summary.json, latency.csv and the renames of the
 * streamed files; returns 0, or -1 with errno. */
int obs_write_reports(struct obs *ob, const struct obs_engine *e);
/* A folder's reports are one run's, complete, when it holds this file
 * (written last; its text says what wrote it). */
#define OBS_COMPLETE "complete"
/* obs_publish_begin - remove dir's marker and any previous reports, just
 * before new ones are renamed in; obs_publish_end - write the marker
 * (text what). Both 0, or -1 with errno. */
int obs_publish_begin(const char *dir);
int obs_publish_end(const char *dir, const char *what);
/* obs_print_summary - the human summary for stdout. */
void obs_print_summary(const struct obs *ob, FILE *fp);

#endif
