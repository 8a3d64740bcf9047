/* cfg_spl.h - <smtp-pattern-list> rules: "reply /REGEX/ ACTION[,ACTION...]".
 *
 * Every SMTP reply and connection-failure text of a queue is matched against
 * its list in order; the first match wins (UG5 §3.3.15; docs/config.md).
 * Regexes are PCRE2, case-insensitive unless the pattern says (?-i).
 * A cfg_spl owns its rules and their compiled regexes. */
#ifndef CFG_SPL_H
#define CFG_SPL_H

#include "config/cfg_value.h"

#include <stddef.h>

enum cfg_spl_mode {
    CFG_SPL_MODE_NONE,
    CFG_SPL_MODE_BACKOFF,
    CFG_SPL_MODE_NORMAL
};

struct cfg_spl_rule {
    char *regex;      /* as written, without the slashes */
    void *code;       /* pcre2_code * */
    void *match_data; /* pcre2_match_data * scratch: matching
                         is single-threaded per model */
    enum cfg_spl_mode mode;
    double backoff_to_normal_after_s; /* < 0: not given (use the domain's) */
    int skip_mx;
    int bounce_queue;
    int bounce_rcpt;
    int disable_source_ip;
    double reenable_after_s; /* < 0: not given */
    int defer_queue;
    const char *file; /* where the rule was written */
    int line;
};

struct cfg_spl {
    char *name;
    struct cfg_spl_rule *rules;
    size_t n, cap;
    const char *file;
    int line;
    int synthesized; /* made by mtasim from blog-dialect rule lines */
};

/* cfg_spl_parse_rule - parse the value of a "reply" line ("/re/ actions")
 * into r. Returns 0, or -1 with e set (offset into text). */
int cfg_spl_parse_rule(const char *text, struct cfg_spl_rule *r,
                       struct cfgv_err *e);
void cfg_spl_rule_release(struct cfg_spl_rule *r);
/* cfg_spl_add - append a parsed rule (ownership moves to the list). */
void cfg_spl_add(struct cfg_spl *l, struct cfg_spl_rule *r);
void cfg_spl_release(struct cfg_spl *l);

/* cfg_spl_match - the first rule whose regex matches text, or NULL. */
const struct cfg_spl_rule *cfg_spl_match(const struct cfg_spl *l,
                                         const char *text);
/* cfg_spl_format_actions - the rule's actions in config syntax. */
void cfg_spl_format_actions(const struct cfg_spl_rule *r, char *buf, size_t n);

#endif
