/* cfg_model.h - the resolved PowerMTA config that the simulator queries.
 *
 * cfg_load() parses a config (with its includes), maps blog-dialect lines to
 * their real equivalents, checks references, and returns an immutable model.
 * Everything the simulator needs is a query on it: VMTAs and their source
 * IPs and limits, pools, the recipient-domain -> queue-domain mapping
 * (queue-to, mx-rollup), the effective per-queue settings of any
 * (queue-domain, VMTA) pair with the origin of every value, smtp-pattern
 * lists, and injection routing (<source> default-virtual-mta).
 *
 * Ownership: the model owns every string and array reachable from it; the
 * pointers queries return are borrowed and live as long as the model. The
 * model is not modified by queries (the smtp-pattern-list match scratch
 * aside), so one model serves a whole run. */
#ifndef CFG_MODEL_H
#define CFG_MODEL_H

#include "config/cfg_directive.h"
#include "config/cfg_spl.h"
#include "config/cfg_value.h"
#include "util/diag.h"

#include <stddef.h>

/* Where a value came from. file == NULL means the built-in default. */
struct cfg_origin {
    const char *file;
    int line;
    int col;
    const char *note; /* e.g. "from 'max-msg-per-hour 5000'"; may be NULL */
};

struct cfg_cidr_value {
    struct cfgv_cidr net;
    double count;          /* CFG_T_CIDR_COUNT */
    struct cfgv_rate rate; /* CFG_T_CIDR_RATE, CFG_T_CIDR_DATA_RATE */
};

/* One directive value, by type (see enum cfg_type). Counts use INFINITY for
 * "unlimited"; times are seconds (INFINITY = never); sizes are bytes. */
struct cfg_value {
    int set;    /* 0: unset ("none") */
    double num; /* BOOL 0/1, COUNT*, PRIORITY, TIME*, SIZE */
    struct cfgv_rate rate;
    const double *list; /* TIME_LIST, DAILY */
    size_t n_list;
    const char *str; /* NAME, TEXT, DELIVERY_TYPE, HOSTS; also the
                        canonical text of every value */
    const struct cfg_cidr_value *cidr;
    size_t n_cidr;
    int is_time; /* BOOL_OR_TIME given as an interval */
};

/* The effective settings of one queue (domain/vmta); values borrow from the
 * model. */
struct cfg_qsettings {
    struct cfg_value v[CFG_Q_COUNT];
    struct cfg_origin origin[CFG_Q_COUNT];
};

struct cfg_source_ip {
    struct cfgv_cidr ip;
    const char *host_name;
    struct cfg_origin origin;
};

struct cfg_vmta {
    const char *name;
    const struct cfg_source_ip *ips; /* own or inherited global ones */
    size_t n_ips;
    int ips_inherited;              /* 1 when ips are the global list */
    double max_smtp_out;            /* INFINITY = unlimited */
    struct cfgv_rate max_msg_rate;  /* max-smtp-msg-rate */
    struct cfgv_rate max_data_rate; /* max-smtp-data-volume-rate, bytes */
    const int *cold;                /* cold-virtual-mta indices */
    size_t n_cold;
    int pool;     /* pool with <domain> blocks, or -1 */
    int implicit; /* the built-in {default} */
    struct cfg_origin origin;
};

struct cfg_pool {
    const char *name;
    const int *members; /* VMTA indices in config order */
    size_t n_members;
    double max_smtp_out;
    struct cfgv_rate max_msg_rate;
    struct cfgv_rate max_data_rate;
    const int *cold;
    size_t n_cold;
    struct cfg_origin origin;
};

struct cfg_rollup {
    const char *mx_pattern;
    const char *name;
    struct cfg_origin origin;
};

struct cfg_model;

/* Switches for rules the PowerMTA guide leaves open (docs/config.md). */
struct cfg_load_options {
    int strict; /* exactly PowerMTA: unknown, misplaced, mistyped and dialect
                   lines are errors; deprecated documented ones warn */
    /* 1 (default): any <domain> matching inside the VMTA (then pool) beats
     * every global block, even "<domain *>" in the VMTA over a global
     * "<domain gmail.com>". 0: the most specific pattern wins across
     * layers, the VMTA layer only breaking ties. UNVERIFIED in UG5. */
    int vmta_layer_first;
    int max_include_depth; /* default 16; PMTA's limit is undocumented */
    int allow_includes;    /* default 1; the fuzzer turns it off */
    int errors_only;       /* drop warnings (a config read again, e.g. by each
                              replication, whose warnings were shown once) */
    int warn_once;         /* report a path's warnings only the first time
                              this process loads it with warn_once set (the
                              pre-flight check, runs, planner trials) */
};

void cfg_load_options_init(struct cfg_load_options *o);

/* cfg_load - parse path. Diagnostics go to dl; the result is NULL only when
 * path cannot be read. A model with errors (dl->n_errors > 0) is partial and
 * is for reporting only. */
struct cfg_model *cfg_load(const char *path, const struct cfg_load_options *o,
                           struct diag_list *dl);
/* cfg_load_buffer - the same from memory; name is used in diagnostics and
 * includes are resolved relative to the current directory. */
struct cfg_model *cfg_load_buffer(const char *name, const char *text,
                                  size_t len, const struct cfg_load_options *o,
                                  struct diag_list *dl);
void cfg_model_free(struct cfg_model *m);

/* Source hosts, VMTAs, pools. VMTA 0 is always "{default}". */
size_t cfg_model_vmta_count(const struct cfg_model *m);
const struct cfg_vmta *cfg_model_vmta(const struct cfg_model *m, size_t i);
int cfg_model_vmta_find(const struct cfg_model *m, const char *name);
size_t cfg_model_pool_count(const struct cfg_model *m);
const struct cfg_pool *cfg_model_pool(const struct cfg_model *m, size_t i);
int cfg_model_pool_find(const struct cfg_model *m, const char *name);
double cfg_model_total_max_smtp_out(const struct cfg_model *m);
/* cfg_model_mx_connection_limit - the N of the most specific
 * mx-connection-limit pattern matching MX host mx (UG5 §3.3.1.48.1: per
 * source IP and MX host), INFINITY when none does. */
double cfg_model_mx_connection_limit(const struct cfg_model *m, const char *mx);
/* cfg_model_ip_connection_limit - the N of the most specific
 * ip-connection-limit CIDR holding destination IP ip (text), INFINITY when
 * none does or ip is not an address (UG5 §3.3.1.48.2). */
double cfg_model_ip_connection_limit(const struct cfg_model *m, const char *ip);
size_t cfg_model_rollup_count(const struct cfg_model *m);
const struct cfg_rollup *cfg_model_rollup(const struct cfg_model *m, size_t i);

/* cfg_model_queue_settings - the effective settings of queue
 * queue_domain/vmta: VMTA <domain> blocks, then the pool's, then global
 * ones, then defaults (UG5 §3.3.13.2); inside a layer the most specific
 * pattern wins and an explicit domain beats a macro expansion (UG5
 * §3.3.10). backoff-max-msg-rate, -connect-rate and -data-volume-rate
 * default to their normal counterparts; backoff-max-smtp-out defaults to
 * min(max-smtp-out, 20) (our reading of a CONFLICT in UG5 §3.3.10.76). */
void cfg_model_queue_settings(const struct cfg_model *m,
                              const char *queue_domain, int vmta,
                              struct cfg_qsettings *out);

/* cfg_model_queue_domain - the queue-domain of recipient domain rcpt_domain
 * sent through vmta: its queue-to target if one applies, else the
 * <mx-rollup-list> name matching its most-preferred MX (mx[0]) unless
 * disable-mx-rollup, else the domain itself (lower-cased into buf). queue-to
 * is applied before rollup: an UNVERIFIED order (docs/config.md).
 * Returns buf. */
const char *cfg_model_queue_domain(const struct cfg_model *m,
                                   const char *rcpt_domain, int vmta,
                                   const char *const *mx, size_t n_mx,
                                   char *buf, size_t n);

/* cfg_model_spl - the smtp-pattern-list named name, or NULL. */
const struct cfg_spl *cfg_model_spl(const struct cfg_model *m,
                                    const char *name);
size_t cfg_model_spl_count(const struct cfg_model *m);
const struct cfg_spl *cfg_model_spl_at(const struct cfg_model *m, size_t i);

/* cfg_model_injection_vmta - the VMTA or pool chosen at injection for mail
 * from client (an IP address or a <source> name) to rcpt: a <pattern-list>
 * rcpt-to match of the matching <source>, else its default-virtual-mta,
 * else {default} (UG5 §9.4). Sets exactly one of *vmta / *pool (the other
 * gets -1). */
void cfg_model_injection_vmta(const struct cfg_model *m, const char *client,
                              const char *rcpt, int *vmta, int *pool);

/* cfg_model_injection_route - the same, and in *priority the
 * recipient-priority=N result of the matching <pattern-list> entry (UG5
 * §3.3.14; 50 when it sets none). priority may be NULL. */
void cfg_model_injection_route(const struct cfg_model *m, const char *client,
                               const char *rcpt, int *vmta, int *pool,
                               int *priority);

/* cfg_model_injection_uses_rcpt - 1 when the <source> matching client has
 * a <pattern-list>, so the chosen VMTA depends on the recipient. */
int cfg_model_injection_uses_rcpt(const struct cfg_model *m,
                                  const char *client);

/* Statistics for `check`'s summary. */
struct cfg_model_stats {
    size_t vmtas; /* excluding the implicit {default} */
    size_t pools;
    size_t source_ips; /* distinct addresses over all VMTAs */
    size_t domain_blocks;
    size_t macros;
    size_t smtp_pattern_lists;
    size_t pattern_lists;
    size_t rollups;
    size_t sources;
    size_t files;
    size_t not_modelled; /* directive lines kept but not modelled */
    size_t dialect_lines;
};
void cfg_model_stats(const struct cfg_model *m, struct cfg_model_stats *s);

/* cfg_model_files - the files the config was read from: the main file,
 * then its includes as they were met (borrowed; *n of them). */
const char *const *cfg_model_files(const struct cfg_model *m, size_t *n);

#endif
