/* cfg_model_int.h - the config model's insides, shared by the modules that
 * build it (cfg_parse.c), query it (cfg_model.c) and print it (cfg_json.c,
 * cfg_fix.c). Not an API: the simulator uses cfg_model.h only.
 *
 * Ownership: strings and values live in m->arena; the growable arrays below
 * are xmalloc'ed and freed by cfg_model_free(). */
#ifndef CFG_MODEL_INT_H
#define CFG_MODEL_INT_H

#include "config/cfg_domain.h"
#include "config/cfg_model.h"
#include "util/arena.h"

enum cfg_layer { CFG_LAYER_GLOBAL, CFG_LAYER_VMTA, CFG_LAYER_POOL };

/* A name that refers to another object, checked once everything is read. */
struct cfg_ref {
    const char *name;
    struct cfg_origin o;
};

/* One directive line inside a <domain> block. */
struct cfg_setting {
    int qid;
    struct cfg_value v;
    struct cfg_origin o;
};

struct cfg_dpat {
    struct cfgd_pattern p;
    int from_macro;
};

struct cfg_dblock {
    const char *arg;       /* as written: "$hotmail", "*", "gmail.com" */
    struct cfg_dpat *pats; /* arena */
    size_t n_pats;
    enum cfg_layer layer;
    int owner; /* VMTA or pool index; -1 for global */
    struct cfg_setting *set;
    size_t n_set, cap_set;
    struct cfg_origin o;
    size_t order; /* position in the config, for ties */
};

struct cfg_vmta_int {
    struct cfg_vmta pub;
    struct cfg_source_ip *own_ips;
    size_t n_own_ips, cap_ips;
    struct cfg_ref *cold_refs;
    size_t n_cold_refs, cap_cold;
    int *cold;
    int pools_with_domains; /* how many such pools list this VMTA */
};

struct cfg_pool_int {
    struct cfg_pool pub;
    struct cfg_ref *member_refs;
    size_t n_member_refs, cap_members;
    int *members;
    struct cfg_ref *cold_refs;
    size_t n_cold_refs, cap_cold;
    int *cold;
    int has_domains;
};

/* A <source> block: selects the VMTA at injection (UG5 §3.3.7). */
struct cfg_source_blk {
    const char *arg;
    int is_net; /* arg is an address or CIDR */
    struct cfgv_cidr net;
    struct cfg_ref default_vmta; /* name NULL when unset */
    struct cfg_ref pattern_list;
    int process_x_vmta;
    struct cfg_origin o;
};

enum cfg_pentry_kind {
    CFG_PE_MAIL_FROM,
    CFG_PE_RCPT_TO,
    CFG_PE_HEADER,
    CFG_PE_ANY
};

struct cfg_pentry {
    enum cfg_pentry_kind kind;
    const char *header; /* CFG_PE_HEADER */
    const char *regex;
    void *code; /* pcre2_code *, NULL for CFG_PE_ANY */
    void *match_data;
    struct cfg_ref vmta; /* virtual-mta=NAME result, name may be NULL */
    const char *results; /* the result text as written */
    struct cfg_origin o;
};

struct cfg_plist {
    const char *name;
    struct cfg_pentry *entries;
    size_t n, cap;
    struct cfg_origin o;
};

struct cfg_conn_limit {
    const char *pattern;    /* MX pattern or CIDR text */
    struct cfgd_pattern mx; /* mx-connection-limit */
    struct cfgv_cidr net;   /* ip-connection-limit */
    double count;
    struct cfg_origin o;
};

/* A not-modelled directive or block we accepted and kept. */
struct cfg_kept {
    const char *name;
    const char *value;
    unsigned scope;
    struct cfg_origin o;
};

/* An edit for `check --fix`: replace line `line` of `file` by text (which
 * may hold several lines, or be "" to delete), or insert text before it. */
enum cfg_edit_kind { CFG_EDIT_REPLACE, CFG_EDIT_INSERT_BEFORE };
struct cfg_edit {
    const char *file;
    int line;
    enum cfg_edit_kind kind;
    const char *text;
    int keep_comment; /* append the line's original '#' comment */
};

struct cfg_model {
    struct arena arena;
    struct cfg_load_options opt;
    const char **files;
    size_t n_files, cap_files;
    struct cfg_vmta_int *vmtas;
    size_t n_vmtas, cap_vmtas;
    struct cfg_pool_int *pools;
    size_t n_pools, cap_pools;
    struct cfg_dblock *dblocks;
    size_t n_dblocks, cap_dblocks;
    struct cfgd_macros *macros;
    struct cfg_ref *macro_refs; /* where each macro was defined */
    size_t n_macro_refs, cap_macro_refs;
    struct cfg_rollup *rollups;
    size_t n_rollups, cap_rollups;
    struct cfgd_pattern *rollup_pats;
    struct cfg_spl *spls;
    size_t n_spls, cap_spls;
    struct cfg_plist *plists;
    size_t n_plists, cap_plists;
    struct cfg_source_blk *sources;
    size_t n_sources, cap_sources;
    struct cfg_source_ip *global_ips;
    size_t n_global_ips, cap_global_ips;
    struct cfg_conn_limit *mx_limits;
    size_t n_mx_limits, cap_mx_limits;
    struct cfg_conn_limit *ip_limits;
    size_t n_ip_limits, cap_ip_limits;
    double total_max_smtp_out;
    struct cfg_origin total_max_smtp_out_o;
    struct cfg_kept *kept;
    size_t n_kept, cap_kept;
    struct cfg_edit *edits;
    size_t n_edits, cap_edits;
    size_t dialect_lines;
    struct cfg_value defaults[CFG_Q_COUNT];
    struct cfg_source_ip default_ip; /* when the config names none */
};

/* cfg_model_alloc - an empty model with {default} and the defaults. */
struct cfg_model *cfg_model_alloc(const struct cfg_load_options *o);
/* cfg_model_intern_file - a stable copy of a file name. */
const char *cfg_model_intern_file(struct cfg_model *m, const char *name);
/* cfg_model_finish - resolve references, check cross-block rules, and fill
 * the public views (VMTA IPs, pool members); diagnostics go to dl. */
void cfg_model_finish(struct cfg_model *m, struct diag_list *dl);

/* cfg_model_plist_find - index of the <pattern-list> named name, or -1. */
int cfg_model_plist_find(const struct cfg_model *m, const char *name);

/* cfg_value_parse - parse text as a value of type into v (arena memory).
 * Returns 0 or -1 with e set. Used for user input and table defaults. */
/* cfg_value_check_row - the checks that need the directive's row (the
 * choices of an enumeration, word counts, domain-key and listener shapes);
 * run before cfg_value_parse. 0, or -1 with e filled. */
int cfg_value_check_row(const struct cfg_directive *d, const char *text,
                        int quoted, struct cfgv_err *e);
int cfg_value_parse(struct arena *a, enum cfg_type type, const char *text,
                    struct cfg_value *v, struct cfgv_err *e);
/* cfg_value_format - the value in config syntax. */
void cfg_value_format(const struct cfg_value *v, enum cfg_type type, char *buf,
                      size_t n);

#endif
