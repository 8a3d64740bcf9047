/* cfg_directive.c - the static directive table (UG5 §3.3; pmta-config.md §2).
 *
 * Per-queue rows are generated from CFG_QUEUE_DIRECTIVES; the rest are listed
 * below by scope. Directives that exist but do not change delivery timing are
 * listed too (flags 0), so a real config is accepted and `check -v` can say
 * what was not modelled, while an unknown name is still an error. */
#include "config/cfg_directive.h"
#include "util/strutil.h"

#include <string.h>

#define G CFG_S_GLOBAL
#define Q CFG_S_DOMAIN
#define V CFG_S_VMTA
#define P CFG_S_POOL
#define S CFG_S_SOURCE
#define A CFG_S_ACCT

static const struct cfg_directive queue_rows[] = {
#define X(id, nm, ty, df, fl) { nm, Q, ty, df, fl, CFG_Q_##id, CFG_X_NONE },
    CFG_QUEUE_DIRECTIVES(X)
#undef X
};

/* Aliases of queue directives that share the row's meaning. */
static const struct {
    const char *alias;
    enum cfg_qid qid;
} queue_aliases[] = {
    { "max-rcpt-per-transaction", CFG_Q_MAX_RCPT_PER_MESSAGE },
};

#define U  CFG_D_UNSET
#define R  CFG_D_REPEAT
#define MD CFG_D_MODELLED
static const struct cfg_directive other_rows[] = {
    /* Global, modelled or structural. */
    { "include", G | Q | V | S | CFG_S_SMTP_PATTERNS | P, CFG_T_SPECIAL, "",
      R | U, -1, CFG_X_INCLUDE },
    { "domain-macro", G, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_DOMAIN_MACRO },
    { "smtp-source-host", G | V, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_SOURCE_HOST },
    { "total-max-smtp-out", G, CFG_T_COUNT, "1200", MD, -1,
      CFG_X_TOTAL_MAX_SMTP_OUT },
    { "mx-connection-limit", G, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_MX_CONNECTION_LIMIT },
    { "ip-connection-limit", G, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_IP_CONNECTION_LIMIT },
    /* VirtualMTA and pool level. */
    { "max-smtp-out", V | P, CFG_T_COUNT_UNL, "unlimited", MD, -1,
      CFG_X_VMTA_MAX_SMTP_OUT },
    { "max-smtp-msg-rate", V | P, CFG_T_RATE, "unlimited", MD, -1,
      CFG_X_VMTA_MSG_RATE },
    { "max-smtp-data-volume-rate", V | P, CFG_T_DATA_RATE, "unlimited", MD, -1,
      CFG_X_VMTA_DATA_RATE },
    { "cold-virtual-mta", V | P, CFG_T_NAME, "", R | U | MD, -1,
      CFG_X_COLD_VMTA },
    { "virtual-mta", P, CFG_T_NAME, "", R | U | MD, -1, CFG_X_POOL_MEMBER },
    { "domain-key", V | P, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "host-name", G | V, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "use-proxy", V, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "smtp-proxy-source-host", G | V, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "include-headers-from", P, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "rewrite-list", P | S, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    /* <source>. */
    { "default-virtual-mta", S, CFG_T_NAME, "", U | MD, -1,
      CFG_X_DEFAULT_VMTA },
    { "pattern-list", S, CFG_T_NAME, "", U | MD, -1,
      CFG_X_SOURCE_PATTERN_LIST },
    { "process-x-virtual-mta", S, CFG_T_BOOL, "no", MD, -1,
      CFG_X_PROCESS_X_VMTA },
    { "always-allow-relaying", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "always-allow-api-submission", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "smtp-service", S, CFG_T_BOOL, "yes", 0, -1, CFG_X_NONE },
    { "require-auth", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "allow-unencrypted-plain-auth", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "allow-starttls", S, CFG_T_BOOL, "yes", 0, -1, CFG_X_NONE },
    { "require-starttls", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "allow-mailmerge", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "hide-message-source", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "add-received-header", S, CFG_T_BOOL, "yes", 0, -1, CFG_X_NONE },
    { "add-date-header", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "add-message-id-header", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "remove-received-headers", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "remove-header", S, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "max-message-size", S, CFG_T_SIZE, "unlimited", 0, -1, CFG_X_NONE },
    { "max-rcpt-per-message", S, CFG_T_COUNT_UNL, "unlimited", 0, -1,
      CFG_X_NONE },
    { "jobid-header", S, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "retain-x-job", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "retain-x-virtual-mta", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "suppress-local-dsn", S, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "smtp-data-timeout", S, CFG_T_TIME, "10m", 0, -1, CFG_X_NONE },
    { "smtp-command-timeout", S, CFG_T_TIME, "10m", 0, -1, CFG_X_NONE },
    { "default-priority", S, CFG_T_COUNT, "50", 0, -1, CFG_X_NONE },
    /* <acct-file>. */
    { "records", A, CFG_T_TEXT, "d,b", 0, -1, CFG_X_NONE },
    { "record-fields", A, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "map-header-to-field", A, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "queue-filter", A, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "iso-times", A, CFG_T_BOOL, "yes", 0, -1, CFG_X_NONE },
    { "move-to", A, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "move-interval", A, CFG_T_TIME, "1d", 0, -1, CFG_X_NONE },
    { "max-size", A, CFG_T_SIZE, "250M", 0, -1, CFG_X_NONE },
    { "delete-after", A, CFG_T_TIME_NEVER, "8d", 0, -1, CFG_X_NONE },
    { "sync", A, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "world-readable", A, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "count-moved-records", A, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "user-string", A, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "privacy-policy", A, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "retry-interval", A, CFG_T_TIME, "5m", 0, -1, CFG_X_NONE },
    { "write-timeout", A, CFG_T_TIME, "1m", 0, -1, CFG_X_NONE },
    { "http-webhook-url", A, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "max-webhook-batch-size", A, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    /* Lines of the list blocks (parsed by cfg_parse_dir.c's special_scope;
     * listed so that elsewhere they get a scope error, not "unknown"). */
    { "reply", CFG_S_SMTP_PATTERNS, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_REPLY },
    { "mx", CFG_S_ROLLUP, CFG_T_SPECIAL, "", R | U | MD, -1, CFG_X_MX_ROLLUP },
    { "mail-from", CFG_S_PATTERNS, CFG_T_SPECIAL, "", R | U, -1,
      CFG_X_PATTERN_ENTRY },
    { "rcpt-to", CFG_S_PATTERNS, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_PATTERN_ENTRY },
    { "header", CFG_S_PATTERNS, CFG_T_SPECIAL, "", R | U, -1,
      CFG_X_PATTERN_ENTRY },
    /* Global, not modelled. */
    { "postmaster", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "smtp-listener", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "http-mgmt-port", G, CFG_T_TEXT, "8080", 0, -1, CFG_X_NONE },
    { "http-access", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "http-redirect-to-https", G, CFG_T_BOOL, "yes", 0, -1, CFG_X_NONE },
    { "http-api-key", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "run-as-root", G, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "log-file", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "log-rotate", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "spool", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "sync-msg-create", G, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "sync-msg-update", G, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "pickup", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "relay-domain", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "dummy-smtp-port", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "dummy-smtp-ip", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "dummy-smtp-blackhole", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "invalid-virtual-mta-fallback", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "reject-invalid-virtual-mta", G, CFG_T_BOOL, "yes", 0, -1, CFG_X_NONE },
    { "track-time-first-attempt", G, CFG_T_BOOL, "no", 0, -1, CFG_X_NONE },
    { "dns-servers", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "dns-server", G, CFG_T_TEXT, "", R | U, -1, CFG_X_NONE },
    { "dns-timeout", G, CFG_T_TIME, "", U, -1, CFG_X_NONE },
    { "admin-address", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "smtp-server-tls-certificate", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "smtp-server-tls-ciphers", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "smtp-client-tls-certificate", G, CFG_T_TEXT, "", U, -1, CFG_X_NONE },
    { "max-msg-size", G, CFG_T_SIZE, "unlimited", 0, -1, CFG_X_NONE },
};

/* Families of not-modelled directives accepted wholesale, so that real
 * DKIM/TLS/logging options do not need one row each. */
static const struct {
    const char *prefix;
    unsigned scopes;
} families[] = {
    { "dkim-", Q | V | P | G },
    { "second-dkim-", Q | V | P },
    { "smtp-tls-", Q | G },
    { "log-", Q | G | S },
    { "tls-", Q | G | S },
    { "process-x-", S },
    { "http-", G },
    { "smtp-client-tls-", G },
};

static int row_matches(const struct cfg_directive *d, const char *name)
{
    return strcmp(d->name, name) == 0;
}

static int alias_qid(const char *name)
{
    for (size_t i = 0; i < sizeof(queue_aliases) / sizeof(queue_aliases[0]);
         i++)
        if (strcmp(queue_aliases[i].alias, name) == 0)
            return (int)queue_aliases[i].qid;
    return -1;
}

const struct cfg_directive *cfg_directive_find(const char *name, unsigned scope,
                                               unsigned *other_scopes)
{
    unsigned others = 0;
    int aq = alias_qid(name);
    for (size_t i = 0; i < CFG_Q_COUNT; i++) {
        const struct cfg_directive *d = &queue_rows[i];
        if (!row_matches(d, name) && aq != (int)i)
            continue;
        if (d->scopes & scope)
            return d;
        others |= d->scopes;
    }
    for (size_t i = 0; i < sizeof(other_rows) / sizeof(other_rows[0]); i++) {
        const struct cfg_directive *d = &other_rows[i];
        if (!row_matches(d, name))
            continue;
        if (d->scopes & scope)
            return d;
        others |= d->scopes;
    }
    if (other_scopes)
        *other_scopes = others;
    return NULL;
}

const struct cfg_directive *cfg_directive_queue(enum cfg_qid qid)
{
    return &queue_rows[qid];
}

/* add_name - append name to out unless it is already there. */
static size_t add_name(const char **out, size_t n, size_t max, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(out[i], name) == 0)
            return n;
    if (n < max)
        out[n++] = name;
    return n;
}

size_t cfg_directive_names(unsigned scope, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < CFG_Q_COUNT; i++)
        if (queue_rows[i].scopes & scope)
            n = add_name(out, n, max, queue_rows[i].name);
    for (size_t i = 0; i < sizeof(other_rows) / sizeof(other_rows[0]); i++)
        if (other_rows[i].scopes & scope)
            n = add_name(out, n, max, other_rows[i].name);
    return n;
}

const char *cfg_scope_name(unsigned scope)
{
    switch (scope) {
    case CFG_S_GLOBAL:
        return "global level";
    case CFG_S_DOMAIN:
        return "<domain>";
    case CFG_S_VMTA:
        return "<virtual-mta>";
    case CFG_S_POOL:
        return "<virtual-mta-pool>";
    case CFG_S_SOURCE:
        return "<source>";
    case CFG_S_ACCT:
        return "<acct-file>";
    case CFG_S_SMTP_PATTERNS:
        return "<smtp-pattern-list>";
    case CFG_S_PATTERNS:
        return "<pattern-list>";
    case CFG_S_ROLLUP:
        return "<mx-rollup-list>";
    default:
        return "this block";
    }
}

int cfg_directive_family_ok(const char *name, unsigned scope)
{
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
        if ((families[i].scopes & scope) &&
            str_has_prefix(name, families[i].prefix) &&
            name[strlen(families[i].prefix)] != '\0')
            return 1;
    return 0;
}
