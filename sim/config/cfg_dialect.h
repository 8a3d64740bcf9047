/* cfg_dialect.h - lines PowerMTA rejects or deprecates, and what they mean.
 *
 * Configs copied from blog and SEO pages use directives that real PowerMTA
 * does not know (docs/config.md), and older configs use deprecated names.
 * Each row maps one such name to its real equivalent, so mtasim can read the
 * config the way its author meant, warn with the real syntax, and rewrite it
 * (`check --fix`). Static, read-only. */
#ifndef CFG_DIALECT_H
#define CFG_DIALECT_H

enum cfg_dialect_kind {
    CFG_DL_RENAME,      /* same value under the real name */
    CFG_DL_PER_HOUR,    /* "N" means the RATE "N/h" */
    CFG_DL_ALL_SOURCES, /* "N" means "0/0 N" for a source-ip-* directive */
    CFG_DL_LISTEN_PORT, /* smtp-port N: "smtp-listener 0/0:N" */
    CFG_DL_LISTEN_IP,   /* smtp-ip IP: "smtp-listener IP:25" */
    CFG_DL_BLOCK,       /* spool DIR: the block "<spool DIR>" */
    CFG_DL_DROP         /* no equivalent: ignored */
};

struct cfg_dialect {
    const char *name;
    unsigned scopes; /* enum cfg_scope: where it is recognised */
    enum cfg_dialect_kind kind;
    const char *real; /* real directive, NULL for CFG_DL_DROP */
    int deprecated;   /* documented by PowerMTA as deprecated or obsolete:
                         accepted with a warning even with --strict */
    const char *why;  /* explanation for the warning; may be NULL */
};

/* cfg_dialect_find - the row for name in scope, or NULL. */
const struct cfg_dialect *cfg_dialect_find(const char *name, unsigned scope);

#endif
