/* cfg_directive.c - the static directive and block tables (PowerMTA v5.0
 * User's Guide, section 3.3; docs/pmta-directives.tsv lists its rows).
 *
 * Per-queue rows are generated from CFG_QUEUE_DIRECTIVES; the rest are listed
 * below by scope. Directives that exist but do not change delivery timing are
 * listed too (flags 0), so a real config is accepted and `check` can say what
 * was not modelled. There are no wildcards: a name is known or it is not. */
#include "config/cfg_directive.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define G  CFG_S_GLOBAL
#define Q  CFG_S_DOMAIN
#define V  CFG_S_VMTA
#define P  CFG_S_POOL
#define S  CFG_S_SOURCE
#define A  CFG_S_ACCT
#define SP CFG_S_SPOOL
#define BP CFG_S_BOUNCE_PROC
#define FP CFG_S_FBL_PROC
#define AL CFG_S_ADDRESS_LIST
#define EP CFG_S_EMAIL_PATTERNS
#define SU CFG_S_SMTP_USER
#define SG CFG_S_SOURCE_GROUP
#define DN CFG_S_DNS
#define LI CFG_S_LISTENER
#define RW CFG_S_REWRITE_LIST
#define DK CFG_S_DOMAIN_KEY_LIST
#define TA CFG_S_TAPI
#define TL CFG_S_TAPI_LISTENER
#define PX CFG_S_PROXY
#define VA CFG_S_VAULT

static const struct cfg_directive queue_rows[] = {
#define X(id, nm, ty, df, fl)                                                  \
    { nm, Q, ty, df, fl, CFG_Q_##id, CFG_X_NONE, NULL },
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
/* ROW - a not-modelled directive: type-checked, kept for `check`. */
#define ROW(name, scope, type, choices)                                        \
    {                                                                          \
        name, scope, type, "", U, -1, CFG_X_NONE, choices                      \
    }
static const struct cfg_directive other_rows[] = {
    /* Global, modelled or structural. */
    { "include", G | Q | V | S | CFG_S_SMTP_PATTERNS | P, CFG_T_SPECIAL, "",
      R | U, -1, CFG_X_INCLUDE, NULL },
    { "domain-macro", G, CFG_T_SPECIAL, "", R | U | MD, -1, CFG_X_DOMAIN_MACRO,
      NULL },
    { "smtp-source-host", G | V, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_SOURCE_HOST, NULL },
    { "total-max-smtp-out", G, CFG_T_COUNT, "1200", MD, -1,
      CFG_X_TOTAL_MAX_SMTP_OUT, NULL },
    /* mx-connection-limit and ip-connection-limit bind across queues
     * (docs/delivery.md), ip- on the MX addresses the models list. */
    { "mx-connection-limit", G, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_MX_CONNECTION_LIMIT, NULL },
    { "ip-connection-limit", G, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_IP_CONNECTION_LIMIT, NULL },
    /* VirtualMTA and pool level. */
    { "max-smtp-out", V | P, CFG_T_COUNT_UNL, "unlimited", MD, -1,
      CFG_X_VMTA_MAX_SMTP_OUT, NULL },
    { "max-smtp-msg-rate", V | P, CFG_T_RATE, "unlimited", MD, -1,
      CFG_X_VMTA_MSG_RATE, NULL },
    { "max-smtp-data-volume-rate", V | P, CFG_T_DATA_RATE, "unlimited", MD, -1,
      CFG_X_VMTA_DATA_RATE, NULL },
    { "cold-virtual-mta", V | P, CFG_T_NAME, "", R | U | MD, -1,
      CFG_X_COLD_VMTA, NULL },
    { "virtual-mta", P, CFG_T_NAME, "", R | U | MD, -1, CFG_X_POOL_MEMBER,
      NULL },
    /* <source>: how injected mail picks its VirtualMTA. */
    { "default-virtual-mta", S, CFG_T_NAME, "", U | MD, -1, CFG_X_DEFAULT_VMTA,
      NULL },
    { "pattern-list", S, CFG_T_NAME, "", U | MD, -1, CFG_X_SOURCE_PATTERN_LIST,
      NULL },
    { "process-x-virtual-mta", S, CFG_T_BOOL, "no", MD, -1,
      CFG_X_PROCESS_X_VMTA, NULL },
    /* Lines of the list blocks (parsed by cfg_parse_dir.c's special_scope;
     * listed so that elsewhere they get a scope error, not "unknown"). */
    { "reply", CFG_S_SMTP_PATTERNS, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_REPLY, NULL },
    { "mx", CFG_S_ROLLUP, CFG_T_SPECIAL, "", R | U | MD, -1, CFG_X_MX_ROLLUP,
      NULL },
    { "mail-from", CFG_S_PATTERNS, CFG_T_SPECIAL, "", R | U, -1,
      CFG_X_PATTERN_ENTRY, NULL },
    { "rcpt-to", CFG_S_PATTERNS, CFG_T_SPECIAL, "", R | U | MD, -1,
      CFG_X_PATTERN_ENTRY, NULL },
    { "header", CFG_S_PATTERNS, CFG_T_SPECIAL, "", R | U, -1,
      CFG_X_PATTERN_ENTRY, NULL },
    /* Not modelled: parsed, type-checked, listed by `check`, ignored. One
     * row per (name, scope) of the guide's section 3.3 (the comment names
     * the section); deprecated and obsolete names are in cfg_dialect.c. */
    ROW("total-max-smtp-in", G, CFG_T_COUNT, NULL),            /* 3.3.1.2 */
    ROW("postmaster", G, CFG_T_NAME, NULL),                    /* 3.3.1.3 */
    ROW("spool-delete-corrupted", G, CFG_T_BOOL, NULL),        /* 3.3.1.5 */
    ROW("spool-max-recipients", G, CFG_T_COUNT_OR, "auto"),    /* 3.3.1.7 */
    ROW("run-as-root", G, CFG_T_BOOL, NULL),                   /* 3.3.1.8 */
    ROW("smtp-server-tls-certificate", G, CFG_T_TEXT, NULL),   /* 3.3.1.9 */
    ROW("smtp-server-tls-ca-file", G, CFG_T_NAME, NULL),       /* 3.3.1.10 */
    ROW("smtp-server-tls-allow-tlsv1", G, CFG_T_BOOL, NULL),   /* 3.3.1.12 */
    ROW("smtp-server-tls-allow-tlsv1.1", G, CFG_T_BOOL, NULL), /* 3.3.1.13 */
    ROW("smtp-server-tls-allow-tlsv1.2", G, CFG_T_BOOL, NULL), /* 3.3.1.14 */
    ROW("smtp-server-tls-allow-tlsv1.3", G, CFG_T_BOOL, NULL), /* 3.3.1.15 */
    ROW("smtp-server-tls-ciphers", G, CFG_T_NAME, NULL),       /* 3.3.1.16 */
    ROW("smtp-server-tls-v1.3-ciphersuites", G, CFG_T_NAME,
        NULL),                                                  /* 3.3.1.17 */
    ROW("smtp-server-tls-dh-key-length", G, CFG_T_COUNT, NULL), /* 3.3.1.18 */
    ROW("smtp-proxy-source-host", G, CFG_T_TEXT, NULL),         /* 3.3.1.20 */
    ROW("alias", G, CFG_T_WORDS2, NULL),                        /* 3.3.1.21 */
    ROW("smtp-listener", G, CFG_T_LISTENER, NULL),              /* 3.3.1.24 */
    ROW("custom-dsn-from-header", G, CFG_T_TEXT, NULL),         /* 3.3.1.25 */
    ROW("dsn-failed-from-template", G, CFG_T_TEXT, NULL),       /* 3.3.1.26 */
    ROW("dsn-failed-subject-template", G, CFG_T_TEXT, NULL),    /* 3.3.1.27 */
    ROW("dsn-failed-body-template-from", G, CFG_T_TEXT, NULL),  /* 3.3.1.28 */
    ROW("smtp-await-slot", G, CFG_T_BOOL, NULL),                /* 3.3.1.29 */
    ROW("host-id", G, CFG_T_COUNT, NULL),                       /* 3.3.1.30 */
    ROW("domain-suffix", G, CFG_T_NAME, NULL),                  /* 3.3.1.31 */
    ROW("host-name", G, CFG_T_NAME, NULL),                      /* 3.3.1.32 */
    ROW("name-server", G, CFG_T_TEXT, NULL),                    /* 3.3.1.33 */
    ROW("thread-min-priority", G, CFG_T_COUNT, NULL),           /* 3.3.1.34 */
    ROW("thread-max-priority", G, CFG_T_COUNT, NULL),           /* 3.3.1.34 */
    ROW("thread-reuse", G, CFG_T_BOOL, NULL),                   /* 3.3.1.35 */
    ROW("mailmerge-expands-undefined-variables", G, CFG_T_BOOL,
        NULL),                                                /* 3.3.1.36 */
    ROW("pmc-acct-min-free-space", G, CFG_T_SIZE, NULL),      /* 3.3.1.37 */
    ROW("track-time-first-attempt", G, CFG_T_BOOL, NULL),     /* 3.3.1.38 */
    ROW("volume-audit-api-key", G, CFG_T_NAME, NULL),         /* 3.3.1.39 */
    ROW("edns-udp-length", G, CFG_T_COUNT, NULL),             /* 3.3.1.40 */
    ROW("always-allow-relaying", G, CFG_T_BOOL, NULL),        /* 3.3.1.42.1 */
    ROW("always-allow-relaying", S, CFG_T_BOOL, NULL),        /* 3.3.1.42.1 */
    ROW("relay-domain", G, CFG_T_NAME, NULL),                 /* 3.3.1.42.2 */
    ROW("relay-address", G, CFG_T_NAME, NULL),                /* 3.3.1.42.3 */
    ROW("relay-debug", G, CFG_T_BOOL, NULL),                  /* 3.3.1.42.4 */
    ROW("domain-key", G, CFG_T_DOMAIN_KEY, NULL),             /* 3.3.1.43.1 */
    ROW("invalid-virtual-mta-fallback", G, CFG_T_NAME, NULL), /* 3.3.1.43.2 */
    ROW("include-headers-from", G, CFG_T_NAME, NULL),         /* 3.3.1.43.3 */
    ROW("pickup", G, CFG_T_WORDS2, NULL),                     /* 3.3.1.44.1 */
    ROW("pickup-remove-dot", G, CFG_T_BOOL, NULL),            /* 3.3.1.44.3 */
    ROW("dummy-smtp-ip", G, CFG_T_NAME, NULL),                /* 3.3.1.45.1 */
    ROW("dummy-smtp-port", G, CFG_T_COUNT, NULL),             /* 3.3.1.45.2 */
    ROW("dummy-smtp-await-slot", G, CFG_T_BOOL, NULL),        /* 3.3.1.45.3 */
    ROW("dummy-smtp-has-chunking", G, CFG_T_BOOL, NULL),      /* 3.3.1.45.4 */
    ROW("dummy-smtp-has-pipelining", G, CFG_T_BOOL, NULL),    /* 3.3.1.45.5 */
    ROW("dummy-smtp-has-verp", G, CFG_T_BOOL, NULL),          /* 3.3.1.45.6 */
    ROW("dummy-smtp-latency", G, CFG_T_TEXT, NULL),           /* 3.3.1.45.7 */
    ROW("dummy-smtp-update-stats", G, CFG_T_BOOL, NULL),      /* 3.3.1.45.8 */
    ROW("http-mgmt-port", G, CFG_T_NAME, NULL),               /* 3.3.1.46.1 */
    ROW("http-redirect-to-https", G, CFG_T_BOOL, NULL),       /* 3.3.1.46.2 */
    ROW("http-access", G, CFG_T_WORDS2, NULL),                /* 3.3.1.46.3 */
    ROW("http-csrf-protection", G, CFG_T_BOOL, NULL),         /* 3.3.1.46.4 */
    ROW("http-api-key", G, CFG_T_NAME, NULL),                 /* 3.3.1.46.5 */
    ROW("http-strict-transport-security-max-age", G, CFG_T_COUNT,
        NULL),                                                 /* 3.3.1.46.6 */
    ROW("http-tls-allow-tlsv1", G, CFG_T_BOOL, NULL),          /* 3.3.1.46.9 */
    ROW("http-tls-allow-tlsv1.1", G, CFG_T_BOOL, NULL),        /* 3.3.1.46.10 */
    ROW("http-tls-allow-tlsv1.2", G, CFG_T_BOOL, NULL),        /* 3.3.1.46.11 */
    ROW("http-tls-allow-tlsv1.3", G, CFG_T_BOOL, NULL),        /* 3.3.1.46.12 */
    ROW("http-tls-ciphers", G, CFG_T_NAME, NULL),              /* 3.3.1.46.13 */
    ROW("http-tls-tlsv1.3-ciphersuites", G, CFG_T_NAME, NULL), /* 3.3.1.46.14 */
    ROW("http-tls-dh-key-length", G, CFG_T_COUNT, NULL),       /* 3.3.1.46.15 */
    ROW("http-tls-ca-file", G, CFG_T_NAME, NULL),              /* 3.3.1.46.16 */
    ROW("http-log-tls", G, CFG_T_BOOL, NULL),                  /* 3.3.1.46.17 */
    ROW("http-log-data", G, CFG_T_BOOL, NULL),                 /* 3.3.1.46.18 */
    ROW("http-log-requests", G, CFG_T_BOOL, NULL),             /* 3.3.1.46.19 */
    ROW("http-default-max-items", G, CFG_T_COUNT, NULL),       /* 3.3.1.46.20 */
    ROW("http-default-sort-order", G, CFG_T_ENUM,
        "rcpt|name|size"),                                 /* 3.3.1.46.21 */
    ROW("log-auto-rotation", G, CFG_T_BOOL, NULL),         /* 3.3.1.47.1 */
    ROW("log-file", G, CFG_T_NAME, NULL),                  /* 3.3.1.47.2 */
    ROW("log-rotate", G, CFG_T_COUNT, NULL),               /* 3.3.1.47.3 */
    ROW("log-file-world-readable", G, CFG_T_BOOL, NULL),   /* 3.3.1.47.4 */
    ROW("use-proxy", G, CFG_T_TEXT, NULL),                 /* 3.3.1.49 */
    ROW("max-memory-usage-percent", G, CFG_T_COUNT, NULL), /* 3.3.1.50 */
    ROW("delete-file-holders", SP, CFG_T_BOOL, NULL),      /* 3.3.2.1 */
    ROW("deliver-only", SP, CFG_T_BOOL, NULL),             /* 3.3.2.2 */
    ROW("priority", SP, CFG_T_COUNT, NULL),                /* 3.3.2.3 */
    ROW("min-free-space", SP, CFG_T_SIZE, NULL),           /* 3.3.2.4 */
    ROW("deliver-unmatched-email", BP, CFG_T_BOOL, NULL),  /* 3.3.3.1 */
    ROW("deliver-matched-email", BP, CFG_T_BOOL, NULL),    /* 3.3.3.2 */
    ROW("forward-unmatched-to", BP, CFG_T_NAME, NULL),     /* 3.3.3.4 */
    ROW("forward-errors-to", BP, CFG_T_NAME, NULL),        /* 3.3.3.5 */
    ROW("deliver-unmatched-email", FP, CFG_T_BOOL, NULL),  /* 3.3.4.1 */
    ROW("deliver-matched-email", FP, CFG_T_BOOL, NULL),    /* 3.3.4.2 */
    ROW("forward-unmatched-to", FP, CFG_T_NAME, NULL),     /* 3.3.4.4 */
    ROW("forward-errors-to", FP, CFG_T_NAME, NULL),        /* 3.3.4.5 */
    ROW("address", AL, CFG_T_NAME, NULL),                  /* 3.3.5.1 */
    ROW("address-file", AL, CFG_T_NAME, NULL),             /* 3.3.5.2 */
    ROW("domain", AL, CFG_T_NAME, NULL),                   /* 3.3.5.3 */
    ROW("body-pattern-file", EP, CFG_T_NAME, NULL),        /* 3.3.6.1 */
    ROW("log-match-info", EP, CFG_T_TEXT, NULL),           /* 3.3.6.2 */
    /* "true"/"false" as for any boolean (UNVERIFIED: docs/config.md) */
    ROW("add-date-header", S, CFG_T_ENUM, "no|yes|override|true|false"),
    ROW("date-header-time", S, CFG_T_ENUM, "reception|delivery"), /* 3.3.7.2 */
    ROW("bcc", S, CFG_T_NAME, NULL),                              /* 3.3.7.3 */
    ROW("add-message-id-header", S, CFG_T_BOOL, NULL),            /* 3.3.7.4 */
    ROW("add-received-header", S, CFG_T_BOOL, NULL),              /* 3.3.7.5 */
    ROW("allow-auth", S, CFG_T_BOOL, NULL),                       /* 3.3.7.6 */
    ROW("smtp-max-auth-failure-rate", S, CFG_T_RATE, NULL),       /* 3.3.7.7 */
    ROW("remove-header", S, CFG_T_TEXT, NULL),                    /* 3.3.7.8 */
    ROW("require-auth", S, CFG_T_BOOL, NULL),                     /* 3.3.7.9 */
    ROW("allow-mailmerge", S, CFG_T_BOOL, NULL),                  /* 3.3.7.10 */
    ROW("allow-unencrypted-plain-auth", S, CFG_T_BOOL, NULL),     /* 3.3.7.11 */
    ROW("allow-starttls", S, CFG_T_BOOL, NULL),                   /* 3.3.7.12 */
    ROW("require-starttls-before-auth", S, CFG_T_BOOL, NULL),     /* 3.3.7.13 */
    ROW("verp-default", S, CFG_T_BOOL, NULL),                     /* 3.3.7.15 */
    ROW("check-dkim-inbound", S, CFG_T_BOOL, NULL),               /* 3.3.7.16 */
    ROW("trace-dkim-check", S, CFG_T_BOOL, NULL),                 /* 3.3.7.17 */
    ROW("trace-spf-check", S, CFG_T_BOOL, NULL),                  /* 3.3.7.18 */
    ROW("check-spf-inbound", S, CFG_T_BOOL, NULL),                /* 3.3.7.19 */
    ROW("check-spf-inbound-max-void-lookups", S, CFG_T_COUNT,
        NULL),                                                /* 3.3.7.21 */
    ROW("check-iprev-inbound", S, CFG_T_BOOL, NULL),          /* 3.3.7.22 */
    ROW("trace-iprev-check", S, CFG_T_BOOL, NULL),            /* 3.3.7.23 */
    ROW("reject-iprev-check-temperror", S, CFG_T_BOOL, NULL), /* 3.3.7.24 */
    ROW("reject-iprev-check-permerror", S, CFG_T_BOOL, NULL), /* 3.3.7.25 */
    ROW("reject-iprev-check-fail", S, CFG_T_BOOL, NULL),      /* 3.3.7.26 */
    ROW("suppress-local-dsn", S, CFG_T_BOOL, NULL),           /* 3.3.7.27 */
    ROW("dsn-return-default", S, CFG_T_ENUM,
        "headers|full|system"),                                /* 3.3.7.28 */
    ROW("log-tls", S, CFG_T_BOOL, NULL),                       /* 3.3.7.30 */
    ROW("reject-invalid-virtual-mta", S, CFG_T_BOOL, NULL),    /* 3.3.7.31 */
    ROW("disconnect-on-transient-error", S, CFG_T_BOOL, NULL), /* 3.3.7.32 */
    ROW("hide-message-source", S, CFG_T_BOOL, NULL),           /* 3.3.7.33 */
    ROW("max-message-size", S, CFG_T_SIZE, NULL),              /* 3.3.7.34 */
    ROW("max-message-hops", S, CFG_T_COUNT, NULL),             /* 3.3.7.35 */
    ROW("max-rcpt-per-message", S, CFG_T_COUNT_UNL, NULL),     /* 3.3.7.36 */
    ROW("too-many-rcpts-fails-message", S, CFG_T_BOOL, NULL),  /* 3.3.7.37 */
    ROW("suppression-lists", S, CFG_T_NAME, NULL),             /* 3.3.7.38 */
    ROW("process-x-envid", S, CFG_T_BOOL, NULL),               /* 3.3.7.40 */
    ROW("process-x-dkim-options", S, CFG_T_BOOL, NULL),        /* 3.3.7.41 */
    ROW("process-x-dkim-key", S, CFG_T_BOOL, NULL),            /* 3.3.7.42 */
    ROW("retain-x-dkim-key", S, CFG_T_BOOL, NULL),             /* 3.3.7.43 */
    ROW("jobid-prefix", S, CFG_T_NAME, NULL),                  /* 3.3.7.44 */
    ROW("process-x-job", S, CFG_T_BOOL, NULL),                 /* 3.3.7.45 */
    ROW("jobid-header", S, CFG_T_NAME, NULL),                  /* 3.3.7.46 */
    ROW("retain-x-job", S, CFG_T_BOOL, NULL),                  /* 3.3.7.47 */
    ROW("retain-x-virtual-mta", S, CFG_T_BOOL, NULL),          /* 3.3.7.49 */
    ROW("add-x-virtual-mta-header", S, CFG_T_BOOL, NULL),      /* 3.3.7.50 */
    ROW("source-group", S, CFG_T_NAME, NULL),                  /* 3.3.7.51 */
    ROW("smtp-data-timeout", S, CFG_T_TIME, NULL),             /* 3.3.7.52 */
    ROW("smtp-command-timeout", S, CFG_T_TIME, NULL),          /* 3.3.7.53 */
    ROW("process-x-schedule", S, CFG_T_BOOL, NULL),            /* 3.3.7.54 */
    ROW("retain-x-schedule", S, CFG_T_BOOL, NULL),             /* 3.3.7.55 */
    ROW("retain-x-dkim-options", S, CFG_T_BOOL, NULL),         /* 3.3.7.56 */
    ROW("allow-chunking", S, CFG_T_BOOL, NULL),                /* 3.3.7.57 */
    ROW("allow-smtputf8", S, CFG_T_BOOL, NULL),                /* 3.3.7.58 */
    ROW("smtp-service", S, CFG_T_BOOL, NULL),                  /* 3.3.7.59 */
    ROW("log-connections", S, CFG_T_BOOL, NULL),               /* 3.3.7.60 */
    ROW("log-connections", Q, CFG_T_BOOL, NULL),               /* 3.3.7.60 */
    ROW("log-commands", S, CFG_T_BOOL, NULL),                  /* 3.3.7.61 */
    ROW("log-commands", Q, CFG_T_BOOL, NULL),                  /* 3.3.7.61 */
    ROW("log-data", S, CFG_T_BOOL, NULL),                      /* 3.3.7.62 */
    ROW("allow-empty-x-virtual-mta", S, CFG_T_BOOL, NULL),     /* 3.3.7.63 */
    ROW("accept-invalid-recipients", S, CFG_T_BOOL, NULL),     /* 3.3.7.64 */
    ROW("reject-spf-check-temperror", S, CFG_T_BOOL, NULL),    /* 3.3.7.65 */
    ROW("reject-spf-check-permerror", S, CFG_T_BOOL, NULL),    /* 3.3.7.66 */
    ROW("reject-spf-check-fail", S, CFG_T_BOOL, NULL),         /* 3.3.7.67 */
    ROW("always-allow-api-submission", S, CFG_T_BOOL, NULL),   /* 3.3.7.68 */
    ROW("auto-qualify-domain", S, CFG_T_BOOL, NULL),           /* 3.3.7.69 */
    ROW("password", SU, CFG_T_TEXT, NULL),                     /* 3.3.8.1 */
    ROW("authentication-method", SU, CFG_T_ENUM,
        "password|system|certificate"),                 /* 3.3.8.2 */
    ROW("tls-certificate", SU, CFG_T_TEXT, NULL),       /* 3.3.8.3 */
    ROW("source", SU, CFG_T_NAME, NULL),                /* 3.3.8.4 */
    ROW("max-smtp-in", SG, CFG_T_COUNT_UNL, NULL),      /* 3.3.9.1 */
    ROW("reserved-smtp-in", SG, CFG_T_COUNT_UNL, NULL), /* 3.3.9.2 */
    ROW("log-resolution", Q, CFG_T_BOOL, NULL),        /* 3.3.10.4 | 3.3.10.6 */
    ROW("log-transfer-failures", Q, CFG_T_BOOL, NULL), /* 3.3.10.5 */
    ROW("dkim-add-body-limit", Q, CFG_T_BOOL, NULL),   /* 3.3.10.20 */
    ROW("dkim-add-timestamp", Q, CFG_T_BOOL, NULL),    /* 3.3.10.21 */
    ROW("dkim-algorithm", Q, CFG_T_ENUM, "rsa-sha1|rsa-sha256"), /* 3.3.10.22 */
    ROW("dkim-body-canon", Q, CFG_T_ENUM, "simple|relaxed"),     /* 3.3.10.23 */
    ROW("dkim-headers-canon", Q, CFG_T_ENUM, "simple|relaxed"),  /* 3.3.10.24 */
    ROW("dkim-expire-after", Q, CFG_T_TIME_NEVER, NULL),         /* 3.3.10.25 */
    ROW("dkim-query-method", Q, CFG_T_NAME, NULL),               /* 3.3.10.26 */
    ROW("dkim-headers", Q, CFG_T_TEXT, NULL),                    /* 3.3.10.27 */
    ROW("dkim-identity", Q, CFG_T_NAME, NULL),                   /* 3.3.10.28 */
    ROW("dkim-identity-fallback", Q, CFG_T_TEXT, NULL),          /* 3.3.10.29 */
    ROW("dkim-disallow-adding-headers", Q, CFG_T_TEXT, NULL),    /* 3.3.10.30 */
    ROW("allow-cancel-during-transfer", Q, CFG_T_BOOL, NULL),    /* 3.3.10.53 */
    ROW("use-unencrypted-plain-auth", Q, CFG_T_BOOL, NULL),      /* 3.3.10.57 */
    ROW("replace-smtp-421-service-response", Q, CFG_T_BOOL,
        NULL),                                           /* 3.3.10.60 */
    ROW("smtp-tls-allow-tlsv1", Q, CFG_T_BOOL, NULL),    /* 3.3.10.95.6 */
    ROW("smtp-tls-allow-tlsv1.1", Q, CFG_T_BOOL, NULL),  /* 3.3.10.95.7 */
    ROW("smtp-tls-allow-tlsv1.2", Q, CFG_T_BOOL, NULL),  /* 3.3.10.95.8 */
    ROW("smtp-tls-allow-tlsv1.3", Q, CFG_T_BOOL, NULL),  /* 3.3.10.95.9 */
    ROW("smtp-client-certificate", Q, CFG_T_TEXT, NULL), /* 3.3.10.95.11 */
    ROW("smtp-tls-ca-file", Q, CFG_T_NAME, NULL),        /* 3.3.10.95.12 */
    ROW("smtp-tls-ciphers", Q, CFG_T_NAME, NULL),        /* 3.3.10.95.13 */
    ROW("smtp-tls-tlsv1.3-ciphersuites", Q, CFG_T_NAME,
        NULL),                           /* 3.3.10.95.14 */
    ROW("log-tls", Q, CFG_T_BOOL, NULL), /* 3.3.10.95.15 */
    ROW("file-format", Q, CFG_T_ENUM,
        "newfile-plain|newfile-pickup|append-mbox"),           /* 3.3.10.97.1 */
    ROW("file-destination", Q, CFG_T_NAME, NULL),              /* 3.3.10.97.2 */
    ROW("command", Q, CFG_T_TEXT, NULL),                       /* 3.3.10.98.1 */
    ROW("macro-variables-preserve-case", Q, CFG_T_BOOL, NULL), /* 3.3.10.98.2 */
    ROW("http-delivery-url", Q, CFG_T_NAME, NULL),             /* 3.3.10.99.1 */
    ROW("http-delivery-extra-headers", Q, CFG_T_NAME, NULL),   /* 3.3.10.99.2 */
    ROW("add-x-msys-api-header", Q, CFG_T_BOOL, NULL),      /* 3.3.10.100.1 */
    ROW("sparkpost-sandbox", Q, CFG_T_BOOL, NULL),          /* 3.3.10.100.2 */
    ROW("sparkpost-ip-pool", Q, CFG_T_NAME, NULL),          /* 3.3.10.100.3 */
    ROW("delete-after", A, CFG_T_TIME_NEVER, NULL),         /* 3.3.11.1 */
    ROW("move-to", A, CFG_T_NAME, NULL),                    /* 3.3.11.2 */
    ROW("move-interval", A, CFG_T_TIME, NULL),              /* 3.3.11.3 */
    ROW("max-size", A, CFG_T_SIZE, NULL),                   /* 3.3.11.4 */
    ROW("queue-filter", A, CFG_T_TEXT, NULL),               /* 3.3.11.5 */
    ROW("retry-interval", A, CFG_T_TIME, NULL),             /* 3.3.11.6 */
    ROW("iso-times", A, CFG_T_BOOL, NULL),                  /* 3.3.11.7 */
    ROW("user-string", A, CFG_T_NAME, NULL),                /* 3.3.11.8 */
    ROW("write-timeout", A, CFG_T_TIME, NULL),              /* 3.3.11.9 */
    ROW("map-header-to-field", A, CFG_T_TEXT, NULL),        /* 3.3.11.10 */
    ROW("records", A, CFG_T_TEXT, NULL),                    /* 3.3.11.11 */
    ROW("record-fields", A, CFG_T_TEXT, NULL),              /* 3.3.11.12 */
    ROW("world-readable", A, CFG_T_BOOL, NULL),             /* 3.3.11.13 */
    ROW("count-moved-records", A, CFG_T_BOOL, NULL),        /* 3.3.11.14 */
    ROW("sync", A, CFG_T_BOOL, NULL),                       /* 3.3.11.15 */
    ROW("privacy-policy", A, CFG_T_TEXT, NULL),             /* 3.3.11.16 */
    ROW("http-webhook-url", A, CFG_T_NAME, NULL),           /* 3.3.11.17 */
    ROW("http-webhook-extra-headers", A, CFG_T_NAME, NULL), /* 3.3.11.18 */
    ROW("http-webhook-certificate", A, CFG_T_NAME, NULL),   /* 3.3.11.19 */
    ROW("http-webhook-ca-file", A, CFG_T_NAME, NULL),       /* 3.3.11.20 */
    ROW("http-webhook-max-interval", A, CFG_T_TIME, NULL),  /* 3.3.11.21 */
    ROW("http-webhook-transfer-encoding", A, CFG_T_NAME, NULL), /* 3.3.11.22 */
    ROW("http-webhook-log-verbose", A, CFG_T_BOOL, NULL),       /* 3.3.11.23 */
    ROW("http-webhook-connect-timeout", A, CFG_T_TIME, NULL),   /* 3.3.11.24 */
    ROW("http-webhook-io-timeout", A, CFG_T_TIME, NULL),        /* 3.3.11.25 */
    ROW("use-proxy", V, CFG_T_TEXT, NULL),                      /* 3.3.12.1 */
    ROW("host-name", V, CFG_T_NAME, NULL),                      /* 3.3.12.5 */
    ROW("smtp-proxy-source-host", V, CFG_T_TEXT, NULL),         /* 3.3.12.7 */
    ROW("proxy-protocol", V, CFG_T_COUNT, NULL),                /* 3.3.12.8 */
    ROW("domain-key", V, CFG_T_DOMAIN_KEY, NULL),               /* 3.3.12.9 */
    ROW("include-headers-from", V, CFG_T_NAME, NULL),           /* 3.3.12.10 */
    ROW("rewrite-list", V, CFG_T_NAME, NULL),                   /* 3.3.12.12 */
    ROW("domain-key", P, CFG_T_DOMAIN_KEY, NULL),               /* 3.3.13.3 */
    ROW("include-headers-from", P, CFG_T_NAME, NULL),           /* 3.3.13.4 */
    ROW("rewrite-list", P, CFG_T_NAME, NULL),                   /* 3.3.13.7 */
    ROW("precached-domains-file", DN, CFG_T_NAME, NULL),        /* 3.3.16.1 */
    ROW("precached-refresh-interval", DN, CFG_T_TIME, NULL),    /* 3.3.16.2 */
    ROW("precached-max-domains", DN, CFG_T_COUNT, NULL),        /* 3.3.16.3 */
    ROW("await-slot", LI, CFG_T_BOOL, NULL),                    /* 3.3.17.1 */
    ROW("immediate-tls", LI, CFG_T_BOOL, NULL),                 /* 3.3.17.2 */
    ROW("source", LI, CFG_T_NAME, NULL),                        /* 3.3.17.3 */
    ROW("tls-certificate", LI, CFG_T_TEXT, NULL),               /* 3.3.17.4 */
    ROW("tls-allow-tlsv1.3", LI, CFG_T_BOOL, NULL),             /* 3.3.17.5 */
    ROW("tls-allow-tlsv1.2", LI, CFG_T_BOOL, NULL),             /* 3.3.17.6 */
    ROW("tls-allow-tlsv1.1", LI, CFG_T_BOOL, NULL),             /* 3.3.17.7 */
    ROW("tls-allow-tlsv1", LI, CFG_T_BOOL, NULL),               /* 3.3.17.8 */
    ROW("tls-ciphers", LI, CFG_T_NAME, NULL),                   /* 3.3.17.10 */
    ROW("tls-tlsv1.3-ciphersuites", LI, CFG_T_NAME, NULL),      /* 3.3.17.11 */
    ROW("tls-dh-key-length", LI, CFG_T_COUNT, NULL),            /* 3.3.17.12 */
    ROW("tls-ca-file", LI, CFG_T_NAME, NULL),                   /* 3.3.17.13 */
    ROW("rewrite-list", S, CFG_T_NAME, NULL),                   /* 3.3.18 */
    ROW("mail-from", RW, CFG_T_WORDS2, NULL),                   /* 3.3.18.1 */
    ROW("from-domain", RW, CFG_T_WORDS2, NULL),                 /* 3.3.18.2 */
    ROW("domain-key", DK, CFG_T_DOMAIN_KEY, NULL),              /* 3.3.19.1 */
    ROW("log-requests", TA, CFG_T_BOOL, NULL),                  /* 3.3.20.1 */
    ROW("api-key", TA, CFG_T_NAME, NULL),                       /* 3.3.20.1.1 */
    ROW("log-data", TA, CFG_T_BOOL, NULL),                      /* 3.3.20.1.2 */
    ROW("log-tls", TA, CFG_T_BOOL, NULL),                       /* 3.3.20.1.3 */
    ROW("tls-certificate", TL, CFG_T_TEXT, NULL),               /* 3.3.21.1 */
    ROW("tls-allow-tlsv1.3", TL, CFG_T_BOOL, NULL),             /* 3.3.21.2 */
    ROW("tls-allow-tlsv1.2", TL, CFG_T_BOOL, NULL),             /* 3.3.21.3 */
    ROW("tls-allow-tlsv1.1", TL, CFG_T_BOOL, NULL),             /* 3.3.21.4 */
    ROW("tls-allow-tlsv1", TL, CFG_T_BOOL, NULL),               /* 3.3.21.5 */
    ROW("tls-ciphers", TL, CFG_T_NAME, NULL),                   /* 3.3.21.7 */
    ROW("tls-tlsv1.3-ciphersuites", TL, CFG_T_NAME, NULL),      /* 3.3.21.8 */
    ROW("tls-dh-key-length", TL, CFG_T_COUNT, NULL),            /* 3.3.21.9 */
    ROW("tls-ca-file", TL, CFG_T_NAME, NULL),                   /* 3.3.21.10 */
    ROW("server", PX, CFG_T_NAME, NULL),                        /* 3.3.22.1 */
    ROW("client", PX, CFG_T_WORDS2, NULL),                      /* 3.3.22.2 */
    ROW("protocol-version", PX, CFG_T_COUNT, NULL),             /* 3.3.22.3 */
    ROW("server-url", VA, CFG_T_NAME, NULL),                    /* 3.3.23.1 */
    ROW("access-token", VA, CFG_T_NAME, NULL),                  /* 3.3.23.2 */
    ROW("cache-ttl", VA, CFG_T_TIME, NULL),                     /* 3.3.23.3 */
    ROW("second-dkim-add-body-limit", Q, CFG_T_BOOL, NULL),     /* 10.3.4 */
    ROW("second-dkim-add-timestamp", Q, CFG_T_BOOL, NULL),      /* 10.3.4 */
    ROW("second-dkim-algorithm", Q, CFG_T_ENUM,
        "rsa-sha1|rsa-sha256"),                                     /* 10.3.4 */
    ROW("second-dkim-body-canon", Q, CFG_T_ENUM, "simple|relaxed"), /* 10.3.4 */
    ROW("second-dkim-disallow-adding-headers", Q, CFG_T_TEXT,
        NULL),                                                  /* 10.3.4 */
    ROW("second-dkim-expire-after", Q, CFG_T_TIME_NEVER, NULL), /* 10.3.4 */
    ROW("second-dkim-headers", Q, CFG_T_TEXT, NULL),            /* 10.3.4 */
    ROW("second-dkim-headers-canon", Q, CFG_T_ENUM,
        "simple|relaxed"),                                     /* 10.3.4 */
    ROW("second-dkim-identity", Q, CFG_T_NAME, NULL),          /* 10.3.4 */
    ROW("second-dkim-identity-fallback", Q, CFG_T_TEXT, NULL), /* 10.3.4 */
    ROW("second-dkim-sign", Q, CFG_T_BOOL, NULL),              /* 10.3.4 */
    ROW("second-dkim-query-method", Q, CFG_T_NAME, NULL),      /* 10.3.4 */
    /* Not in section 3.3 but in many deployed configs (docs/config.md):
     * accepted, with a warning under --strict. */
    { "sync-msg-create", G, CFG_T_BOOL, "", U | CFG_D_UNDOC, -1, CFG_X_NONE,
      NULL },
    { "sync-msg-update", G, CFG_T_BOOL, "", U | CFG_D_UNDOC, -1, CFG_X_NONE,
      NULL },
    { "remove-received-headers", S, CFG_T_BOOL, "", U | CFG_D_UNDOC, -1,
      CFG_X_NONE, NULL },
    ROW("enable-signals", G, CFG_T_NAME, NULL), /* 6.3.22 */
    ROW("enable-signals", V, CFG_T_NAME, NULL), /* 6.3.22 */
};

/* The rows by name, for a binary search: one entry per row and per alias,
 * with the row's place in the tables (queue rows first), so rows of one
 * name are tried in table order as a linear scan would. Built on the
 * first lookup; a scan with strcmp over some 600 rows per directive line
 * was most of the cost of parsing a config. */
struct name_entry {
    const char *name;
    size_t order;
    const struct cfg_directive *row;
};

#define N_OTHER  (sizeof(other_rows) / sizeof(other_rows[0]))
#define N_ALIAS  (sizeof(queue_aliases) / sizeof(queue_aliases[0]))
#define N_BYNAME (CFG_Q_COUNT + N_OTHER + N_ALIAS)

static int cmp_entry(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static const struct name_entry *by_name(void)
{
    static struct name_entry index[N_BYNAME];
    static int ready;
    if (ready)
        return index;
    size_t n = 0;
    for (size_t i = 0; i < CFG_Q_COUNT; i++)
        index[n++] =
            (struct name_entry){ queue_rows[i].name, i, &queue_rows[i] };
    for (size_t i = 0; i < N_OTHER; i++)
        index[n++] = (struct name_entry){ other_rows[i].name, CFG_Q_COUNT + i,
                                          &other_rows[i] };
    for (size_t i = 0; i < N_ALIAS; i++) {
        size_t q = queue_aliases[i].qid;
        index[n++] =
            (struct name_entry){ queue_aliases[i].alias, q, &queue_rows[q] };
    }
    qsort(index, n, sizeof(index[0]), cmp_entry);
    ready = 1;
    return index;
}

/* first_named - the first index entry for name, or N_BYNAME. */
static size_t first_named(const struct name_entry *index, const char *name)
{
    size_t lo = 0, hi = N_BYNAME;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(index[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct cfg_directive *cfg_directive_find(const char *name, unsigned scope,
                                               unsigned *other_scopes)
{
    const struct name_entry *index = by_name();
    unsigned others = 0;
    for (size_t i = first_named(index, name);
         i < N_BYNAME && strcmp(index[i].name, name) == 0; i++) {
        if (index[i].row->scopes & scope)
            return index[i].row;
        others |= index[i].row->scopes;
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

/* Block tags (UG5 §3.3.2-3.3.23). <bounce-category-patterns> and <signals>
 * are not in section 3.3; they come from the guide's chapter on bounce
 * classification and from SparkPost Signals configs (docs/config.md). */
#define TOP CFG_S_GLOBAL
static const struct cfg_block_def blocks[] = {
    { "domain", "<domain>", CFG_S_DOMAIN, TOP | V | P, 1 },
    { "virtual-mta", "<virtual-mta>", CFG_S_VMTA, TOP, 1 },
    { "virtual-mta-pool", "<virtual-mta-pool>", CFG_S_POOL, TOP, 1 },
    { "source", "<source>", CFG_S_SOURCE, TOP, 1 },
    { "smtp-pattern-list", "<smtp-pattern-list>", CFG_S_SMTP_PATTERNS, TOP, 1 },
    { "pattern-list", "<pattern-list>", CFG_S_PATTERNS, TOP | CFG_S_PATTERNS,
      0 },
    { "mx-rollup-list", "<mx-rollup-list>", CFG_S_ROLLUP, TOP, -1 },
    { "acct-file", "<acct-file>", A, TOP, 1 },
    { "spool", "<spool>", SP, TOP, 1 },
    { "bounce-processor", "<bounce-processor>", BP, TOP, 0 },
    { "feedback-loop-processor", "<feedback-loop-processor>", FP, TOP, 0 },
    { "address-list", "<address-list>", AL, BP | FP, 0 },
    { "email-patterns", "<email-patterns>", EP, BP | FP, 0 },
    { "smtp-user", "<smtp-user>", SU, TOP, 1 },
    { "source-group", "<source-group>", SG, TOP, 1 },
    { "dns", "<dns>", DN, TOP, -1 },
    { "smtp-listener", "<smtp-listener>", LI, TOP, 1 },
    { "rewrite-list", "<rewrite-list>", RW, TOP, 1 },
    { "domain-key-list", "<domain-key-list>", DK, TOP, 1 },
    { "transmissions-api", "<transmissions-api>", TA, TOP, 0 },
    { "transmissions-api-listener", "<transmissions-api-listener>", TL, TOP,
      1 },
    { "proxy", "<proxy>", PX, TOP, 1 },
    { "vault", "<vault>", VA, TOP, 0 },
    { "bounce-category-patterns", "<bounce-category-patterns>",
      CFG_S_BOUNCE_CATEGORIES, TOP, -1 },
    { "signals", "<signals>", CFG_S_OPAQUE, TOP, 0 },
};
#define N_BLOCKS (sizeof(blocks) / sizeof(blocks[0]))

const struct cfg_block_def *cfg_block_find(const char *name)
{
    for (size_t i = 0; i < N_BLOCKS; i++)
        if (strcmp(blocks[i].name, name) == 0)
            return &blocks[i];
    return NULL;
}

size_t cfg_block_names(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < N_BLOCKS && n < max; i++)
        out[n++] = blocks[i].name;
    return n;
}

int cfg_choice_ok(const char *choices, const char *word)
{
    size_t len = strlen(word);
    for (const char *c = choices; c && *c;) {
        size_t n = strcspn(c, "|");
        if (n == len && strncasecmp(c, word, n) == 0)
            return 1;
        c += n + (c[n] == '|');
    }
    return 0;
}

const char *cfg_scope_name(unsigned scope)
{
    if (scope == CFG_S_GLOBAL)
        return "global level";
    for (size_t i = 0; i < N_BLOCKS; i++)
        if (blocks[i].scope == scope && scope != CFG_S_OPAQUE)
            return blocks[i].label;
    return "this block";
}
