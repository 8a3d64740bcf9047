/* scenario.h - a scenario file (scenarios/NAME/scenario.json): what to
 * simulate, for how long, with which config, models, IPs and send list.
 *
 * Keys (issue 3): "duration" (PowerMTA interval, "30d"), "start" (ISO 8601,
 * default 2026-01-01T00:00:00Z), "seed", "config" (path relative to the
 * scenario file), "models" (list of paths relative to the scenario file;
 * default: every .json file in models/, with generic.json serving every domain
 * no other model claims), "report": {"interval": "1h"}, "ips":
 * {"192.0.2.10": {"age_days": 0, "reputation": 0.5}}, "sendlist" (see
 * sendlist.h), and optional "rate_window": "sliding" (default) |
 * "token-bucket" | "even", and "source": the injecting client address
 * matched against <source> blocks (default "127.0.0.1").
 *
 * Errors name the file and the JSON path ("s.json: error: $.ips['x']
 * .age_days: expected a number"), or file:line:col for JSON syntax.
 * Ownership: scenario_release() frees everything scenario_load() set. */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "util/diag.h"

#include <stddef.h>
#include <stdint.h>

enum scen_rate_algo {
    SCEN_RATE_SLIDING,
    SCEN_RATE_TOKEN_BUCKET,
    SCEN_RATE_EVEN
};
enum scen_sendlist_kind { SCEN_SL_CSV, SCEN_SL_ACCT, SCEN_SL_GENERATE };
enum scen_arrivals { SCEN_ARR_POISSON, SCEN_ARR_BLAST };

struct scen_ip {
    char *ip;
    double age_days;              /* active days of sending history */
    double reputation;            /* 0..1; < 0 = the model's default */
    double recent_volume_per_day; /* accepted volume history; < 0 = the
                                     model's default for the IP's age */
};

struct scen_share {
    char *domain; /* "*" = a long tail of generic domains */
    double share; /* normalised to sum 1 over the stream */
};

struct scen_stream {
    char *name;
    char *vmta;             /* NULL when unset */
    char *pool;             /* NULL when unset */
    double *volume_per_day; /* per day; the last value repeats */
    size_t n_volume;
    enum scen_arrivals arrivals;
    double hourly_profile[24]; /* relative weights; all 1 when unset */
    double blast_at_s;         /* seconds after midnight */
    double blast_spread_s;
    struct scen_share *domains;
    size_t n_domains;
    double invalid_rate;
    double complaint_rate;
    double size_bytes;
    double deadline_s; /* < 0: none */
    double recipients; /* per message (an arrival); 1 when unset */
};

struct scenario {
    char *path; /* as given */
    char *dir;  /* directory of the scenario file ("." if none) */
    char *name; /* the scenario's name: its directory, or file stem */
    double duration_s;
    int64_t start_unix; /* epoch seconds of t = 0 */
    uint64_t seed;
    char *config;  /* resolved path */
    char **models; /* resolved paths */
    size_t n_models;
    double report_interval_s;
    struct scen_ip *ips;
    size_t n_ips;
    enum scen_rate_algo rate_algo;
    char *source; /* injecting client, default "127.0.0.1" */
    enum scen_sendlist_kind sendlist_kind;
    char *sendlist_file;         /* resolved path (CSV / acct) */
    struct scen_stream *streams; /* generator streams */
    size_t n_streams;
    /* The "*" long tail of generated lists ("long_tail"): how many
     * domains and the Zipf exponent of their sizes (0 when unset: 1000
     * domains, exponent 1). */
    double tail_domains;
    double tail_zipf;
    int force; /* set by the command line: waive the soft limits */
};

/* Limits on what a scenario may ask for (docs/limits.md). Hard limits
 * keep time arithmetic in int64 microseconds exact and far from overflow;
 * soft limits catch runs whose time or report size would be absurd, and
 * give way to `mtasim run --force`. */
#define SCEN_MAX_INTERVAL_S        (3650.0 * 86400.0) /* 10 years, hard */
#define SCEN_MAX_INTERVAL_TEXT     "3650d"
#define SCEN_MIN_REPORT_INTERVAL_S 1.0      /* hard */
#define SCEN_MAX_REPORT_INTERVALS  100000.0 /* soft */
#define SCEN_MAX_VOLUME_PER_DAY    1e8      /* per stream, hard */
#define SCEN_MAX_RECIPIENTS        1e8      /* per run, soft */
#define SCEN_MAX_AGE_DAYS          36500.0  /* hard */
#define SCEN_MAX_IPS               100000   /* hard */
#define SCEN_MAX_STREAMS           10000    /* hard */
#define SCEN_MAX_DOMAINS           10000    /* per stream, hard */

/* scenario_load - parse path into sc. models_dir is where the default
 * model set lives (every *.json in it, sorted by name). Returns 0, or -1
 * with errors in dl (sc is then released). */
int scenario_load(const char *path, const char *models_dir, struct scenario *sc,
                  struct diag_list *dl);
void scenario_release(struct scenario *sc);

/* scenario_check_limits - the run as a whole (after command-line
 * overrides): duration, report size and generated volume within the
 * limits above, the soft ones waived by force. 0, or -1 with errors in dl
 * that give the figure and the limit. */
int scenario_check_limits(const struct scenario *sc, int force,
                          struct diag_list *dl);
/* scenario_expected_volume - recipients the generator will inject over
 * the run (the mean; 0 for a file send list). */
double scenario_expected_volume(const struct scenario *sc);

/* scenario_format_time - t seconds from the start as ISO 8601 UTC
 * ("2026-01-01T00:00:00Z") into buf (at least 32 bytes). */
void scenario_format_time(const struct scenario *sc, double t_s, char *buf,
                          size_t n);

#endif
