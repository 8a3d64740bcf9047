/* cfg_domain.h - domain patterns and domain macros of the PowerMTA config.
 *
 * Patterns (UG5 §3.2, §3.3.10; docs/config.md):
 *   "*"             every domain
 *   "example.com"   exactly that domain (also queue names: "x.queue",
 *                   "google.rollup", "{sparkpost}")
 *   "*.example.com" proper subdomains only
 *   "[*.]example.com" the domain and its subdomains
 *   "[ip/mask]"     domain literals ("[127.0.0.1]", "[0/0]")
 * Matching is case-insensitive (DNS). A match returns a specificity score so
 * that the caller can pick the most specific block; see cfgd_pattern_match.
 *
 * Macros (UG5 §3.3.1.43.4): "domain-macro NAME a.com, $other, b.$tld".
 * A macro list may reference other macros, also inside a name ("yahoo.$tld"
 * expands to the cross product). Loops are errors. Expansion dedupes.
 *
 * Ownership: a cfgd_pattern owns its name; cfgd_macros owns everything added
 * to it; expansion results are malloc'ed arrays of malloc'ed strings that the
 * caller frees with cfgd_names_free(). */
#ifndef CFG_DOMAIN_H
#define CFG_DOMAIN_H

#include "config/cfg_value.h"

#include <stddef.h>

enum cfgd_kind {
    CFGD_ANY,         /* * */
    CFGD_EXACT,       /* d */
    CFGD_SUBDOMAINS,  /* *.d */
    CFGD_DOMAIN_SUBS, /* [*.]d */
    CFGD_LITERAL      /* [ip/mask] */
};

struct cfgd_pattern {
    enum cfgd_kind kind;
    char *name;            /* lower-case d (NULL for ANY and LITERAL) */
    struct cfgv_cidr cidr; /* LITERAL only */
};

/* cfgd_pattern_parse - parse one pattern (no "$macro" references: expand
 * those first). Rejects empty labels, spaces, a "*" other than the leading
 * forms above, and bad CIDRs. */
int cfgd_pattern_parse(const char *text, struct cfgd_pattern *p,
                       struct cfgv_err *e);
void cfgd_pattern_release(struct cfgd_pattern *p);
/* cfgd_pattern_format - canonical text of the pattern into buf. */
void cfgd_pattern_format(const struct cfgd_pattern *p, char *buf, size_t n);

/* cfgd_pattern_match - -1 when p does not match domain (any case; a domain
 * literal is written "[1.2.3.4]"); otherwise a specificity score, higher is
 * more specific:
 *   "*"                               0
 *   "[*.]d" on d or below             4 * labels(d) + 1
 *   "*.d" on a proper subdomain       4 * labels(d) + 2
 *   "d" exact                         4 * labels(d) + 3
 *   "[net/p]" on a literal            1 + p (p in 0..128), below any name
 * so the longest matching suffix wins, and for the same suffix the forms rank
 * [*.]d < *.d < d. Ranking "*.d" above "[*.]d" is our reading of an
 * UNVERIFIED rule (docs/config.md): "*.d" excludes d itself, so it is
 * the narrower pattern. */
int cfgd_pattern_match(const struct cfgd_pattern *p, const char *domain);

/* Domain macros. */
struct cfgd_macros;

struct cfgd_macros *cfgd_macros_alloc(void);
void cfgd_macros_free(struct cfgd_macros *m);

/* cfgd_macros_define - define NAME (letters, digits, '_') with the raw,
 * unexpanded list text. Returns 0, or -1 with e set (bad name, empty list,
 * empty item). Redefinition replaces the old list and returns 1 so that the
 * caller can warn. */
int cfgd_macros_define(struct cfgd_macros *m, const char *name,
                       const char *list, struct cfgv_err *e);
/* cfgd_macros_has - 1 when NAME is defined. */
int cfgd_macros_has(const struct cfgd_macros *m, const char *name);

/* cfgd_macros_expand - expand every "$name" in text (a single pattern such
 * as "$hotmail" or "yahoo.$tld" or "[*.]$corp") into the list of concrete
 * names, lower-cased, deduplicated, in first-seen order. Text without "$"
 * expands to itself. Errors: unknown macro, a loop (message names the
 * chain: "macro loop: $a -> $b -> $a"), more than 100000 results. On error
 * e->offset points into text. */
int cfgd_macros_expand(const struct cfgd_macros *m, const char *text,
                       char ***out, size_t *n, struct cfgv_err *e);
void cfgd_names_free(char **names, size_t n);

/* cfgd_macros_names - every defined macro name, in definition order
 * (borrowed pointers, valid until the next define); for JSON output. */
size_t cfgd_macros_count(const struct cfgd_macros *m);
const char *cfgd_macros_name(const struct cfgd_macros *m, size_t i);
const char *cfgd_macros_list(const struct cfgd_macros *m, size_t i);

#endif
