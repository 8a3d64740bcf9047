/* cfg_directive.h - the table of PowerMTA directives mtasim knows.
 *
 * One row per (name, scope): the value type, the documented default, whether
 * the simulator models it, and whether it accumulates when repeated. The rows
 * cover every directive of the PowerMTA v5.0 User's Guide, section 3.3
 * (docs/pmta-directives.tsv; tests/test_cfg_directive.c walks it). Per-queue
 * directives (those valid in <domain>) also get a CFG_Q_* index, because the
 * resolved per-queue settings are an array indexed by it. The table is
 * static and read-only; nothing here allocates. */
#ifndef CFG_DIRECTIVE_H
#define CFG_DIRECTIVE_H

#include <stddef.h>

/* Where a directive may appear. */
enum cfg_scope {
    CFG_S_GLOBAL = (1 << 0),
    CFG_S_DOMAIN = (1 << 1),
    CFG_S_VMTA = (1 << 2),
    CFG_S_POOL = (1 << 3),
    CFG_S_SOURCE = (1 << 4),
    CFG_S_ACCT = (1 << 5),
    CFG_S_SMTP_PATTERNS = (1 << 6),
    CFG_S_PATTERNS = (1 << 7),
    CFG_S_ROLLUP = (1 << 8),
    CFG_S_OPAQUE = (1 << 9), /* contents skipped (after an error) */
    /* Blocks whose contents are checked but not modelled. */
    CFG_S_SPOOL = (1 << 10),
    CFG_S_BOUNCE_PROC = (1 << 11),
    CFG_S_FBL_PROC = (1 << 12),
    CFG_S_ADDRESS_LIST = (1 << 13),
    CFG_S_EMAIL_PATTERNS = (1 << 14),
    CFG_S_SMTP_USER = (1 << 15),
    CFG_S_SOURCE_GROUP = (1 << 16),
    CFG_S_DNS = (1 << 17),
    CFG_S_LISTENER = (1 << 18),
    CFG_S_REWRITE_LIST = (1 << 19),
    CFG_S_DOMAIN_KEY_LIST = (1 << 20),
    CFG_S_TAPI = (1 << 21),
    CFG_S_TAPI_LISTENER = (1 << 22),
    CFG_S_PROXY = (1 << 23),
    CFG_S_VAULT = (1 << 24),
    CFG_S_BOUNCE_CATEGORIES = (1 << 25), /* "/REGEX/ CATEGORY" lines */
    CFG_S_LAST = CFG_S_BOUNCE_CATEGORIES
};

enum cfg_type {
    CFG_T_BOOL,
    CFG_T_COUNT,          /* non-negative integer */
    CFG_T_COUNT_UNL,      /* integer or "unlimited" */
    CFG_T_PRIORITY,       /* 0..100 */
    CFG_T_TIME,           /* TIME-INTERVAL */
    CFG_T_TIME_NEVER,     /* TIME-INTERVAL or "never" */
    CFG_T_TIME_LIST,      /* TIME-INTERVAL-LIST */
    CFG_T_RATE,           /* RATE */
    CFG_T_DATA_RATE,      /* DATA-RATE */
    CFG_T_SIZE,           /* SIZE or "unlimited" */
    CFG_T_DAILY,          /* DAILY-LIMITS list */
    CFG_T_NAME,           /* one word; "" clears an inherited value */
    CFG_T_TEXT,           /* free text (not modelled values) */
    CFG_T_HOSTS,          /* smtp-hosts list */
    CFG_T_CIDR_COUNT,     /* CIDR N */
    CFG_T_CIDR_RATE,      /* CIDR RATE */
    CFG_T_CIDR_DATA_RATE, /* CIDR DATA-RATE */
    CFG_T_BOOL_OR_TIME,   /* bounce-upon-no-mx */
    CFG_T_DELIVERY_TYPE,  /* smtp pipe file discard http-delivery */
    CFG_T_SPECIAL,        /* parsed by its own handler (see cfg_special) */
    CFG_T_ENUM,           /* one of the row's choices ("a|b|c") */
    CFG_T_COUNT_OR,       /* integer or one of the row's choices */
    CFG_T_WORDS2,         /* exactly two words */
    CFG_T_DOMAIN_KEY,     /* SELECTOR, DOMAIN, KEY-FILE (three, by commas) */
    CFG_T_LISTENER        /* IP-or-CIDR:PORT [KEY=VALUE ...] */
};

enum cfg_dflags {
    CFG_D_MODELLED = (1 << 0),   /* the simulator uses it */
    CFG_D_REPEAT = (1 << 1),     /* repeated lines accumulate */
    CFG_D_CLEARABLE = (1 << 2),  /* "" clears an inherited value */
    CFG_D_DEPRECATED = (1 << 3), /* real but deprecated: see cfg_dialect */
    CFG_D_UNSET = (1 << 4),      /* no default value ("none") */
    CFG_D_UNDOC = (1 << 5)       /* in real configs, not in the v5.0 guide's
                                    directive reference (warns with --strict) */
};

/* X(ID, "name", TYPE, "default", FLAGS) for every per-queue directive. The
 * default is parsed with the same code as user input, so the table cannot
 * hold a value the parser would reject. Conflicting documented defaults are
 * settled in favour of the directive sections over the guide's "show
 * settings" example (docs/config.md). */
#define QD_M  CFG_D_MODELLED
#define QD_CL CFG_D_CLEARABLE
#define QD_UN CFG_D_UNSET
#define QD_RP CFG_D_REPEAT
#define CFG_QUEUE_DIRECTIVES(X)                                                \
    X(QUEUE_TO, "queue-to", CFG_T_NAME, "", QD_M | QD_CL | QD_UN)              \
    X(DISABLE_MX_ROLLUP, "disable-mx-rollup", CFG_T_BOOL, "no", QD_M)          \
    X(SMTP_HOSTS, "smtp-hosts", CFG_T_HOSTS, "", QD_CL | QD_UN)                \
    X(DEFAULT_SMTP_PORT, "default-smtp-port", CFG_T_COUNT, "25", 0)            \
    X(TYPE, "type", CFG_T_DELIVERY_TYPE, "smtp", QD_M)                         \
    X(REROUTE_TO_VMTA, "reroute-to-virtual-mta", CFG_T_NAME, "",               \
      QD_M | QD_CL | QD_UN)                                                    \
    X(BACKOFF_REROUTE_TO_VMTA, "backoff-reroute-to-virtual-mta", CFG_T_NAME,   \
      "", QD_M | QD_CL | QD_UN)                                                \
    X(MX_CONNECTION_ATTEMPTS, "mx-connection-attempts", CFG_T_COUNT, "10", 0)  \
    X(SMTP_421_MEANS_MX_UNAVAILABLE, "smtp-421-means-mx-unavailable",          \
      CFG_T_BOOL, "no", QD_M)                                                  \
    X(MAX_COLD_VMTA_MSG, "max-cold-virtual-mta-msg", CFG_T_DAILY, "0/d", QD_M) \
    X(MAX_SMTP_OUT, "max-smtp-out", CFG_T_COUNT, "20", QD_M)                   \
    X(BACKOFF_MAX_SMTP_OUT, "backoff-max-smtp-out", CFG_T_COUNT, "20", QD_M)   \
    X(SOURCE_IP_MAX_SMTP_OUT, "source-ip-max-smtp-out", CFG_T_CIDR_COUNT, "",  \
      QD_M | QD_RP | QD_UN)                                                    \
    X(MAX_CONNECT_RATE, "max-connect-rate", CFG_T_RATE, "unlimited", QD_M)     \
    X(BACKOFF_MAX_CONNECT_RATE, "backoff-max-connect-rate", CFG_T_RATE,        \
      "unlimited", QD_M)                                                       \
    X(SOURCE_IP_MAX_CONNECT_RATE, "source-ip-max-connect-rate",                \
      CFG_T_CIDR_RATE, "", QD_M | QD_RP | QD_UN)                               \
    X(SMTP_OUT_RAMPUP_INTERVAL, "smtp-out-rampup-interval", CFG_T_TIME, "0",   \
      QD_M)                                                                    \
    X(CONNECTION_IDLE_TIMEOUT, "connection-idle-timeout", CFG_T_TIME, "0",     \
      QD_M)                                                                    \
    X(ALLOW_PRIORITY_INTERRUPTION, "allow-priority-interruption", CFG_T_BOOL,  \
      "yes", QD_M)                                                             \
    X(ALLOW_PRIORITY_INTERRUPTION_DURING_TRANSFER,                             \
      "allow-priority-interruption-during-transfer", CFG_T_BOOL, "no", 0)      \
    X(MAX_MSG_RATE, "max-msg-rate", CFG_T_RATE, "unlimited", QD_M)             \
    X(BACKOFF_MAX_MSG_RATE, "backoff-max-msg-rate", CFG_T_RATE, "unlimited",   \
      QD_M)                                                                    \
    X(SOURCE_IP_MAX_MSG_RATE, "source-ip-max-msg-rate", CFG_T_CIDR_RATE, "",   \
      QD_M | QD_RP | QD_UN)                                                    \
    X(MAX_DATA_VOLUME_RATE, "max-data-volume-rate", CFG_T_DATA_RATE,           \
      "unlimited", QD_M)                                                       \
    X(BACKOFF_MAX_DATA_VOLUME_RATE, "backoff-max-data-volume-rate",            \
      CFG_T_DATA_RATE, "unlimited", QD_M)                                      \
    X(SOURCE_IP_MAX_DATA_VOLUME_RATE, "source-ip-max-data-volume-rate",        \
      CFG_T_CIDR_DATA_RATE, "", QD_M | QD_RP | QD_UN)                          \
    X(MAX_MSG_PER_CONNECTION, "max-msg-per-connection", CFG_T_COUNT, "0",      \
      QD_M)                                                                    \
    X(MAX_RCPT_PER_MESSAGE, "max-rcpt-per-message", CFG_T_COUNT_UNL, "1000",   \
      QD_M)                                                                    \
    X(MAX_ERRORS_PER_CONNECTION, "max-errors-per-connection", CFG_T_COUNT_UNL, \
      "unlimited", QD_M)                                                       \
    X(RETRY_AFTER, "retry-after", CFG_T_TIME_LIST, "10m", QD_M)                \
    X(BACKOFF_RETRY_AFTER, "backoff-retry-after", CFG_T_TIME_LIST, "1h", QD_M) \
    X(RETRY_RECIPIENTS_AFTER, "retry-recipients-after", CFG_T_TIME, "10m",     \
      QD_M)                                                                    \
    X(RETRY_AFTER_DNS_ERROR, "retry-after-dns-error", CFG_T_TIME, "1m", 0)     \
    X(RETRY_UPON_NEW_MAIL, "retry-upon-new-mail", CFG_T_BOOL, "no", QD_M)      \
    X(BOUNCE_AFTER, "bounce-after", CFG_T_TIME, "4d12h", QD_M)                 \
    X(BOUNCE_UPON_NO_MX, "bounce-upon-no-mx", CFG_T_BOOL_OR_TIME, "no", 0)     \
    X(NOTIFY_OF_DELAY_EVERY, "notify-of-delay-every", CFG_T_TIME, "4h", 0)     \
    X(BACKOFF_TO_NORMAL_AFTER, "backoff-to-normal-after", CFG_T_TIME_NEVER,    \
      "never", QD_M)                                                           \
    X(BACKOFF_TO_NORMAL_AFTER_DELIVERY, "backoff-to-normal-after-delivery",    \
      CFG_T_BOOL, "no", QD_M)                                                  \
    X(BACKOFF_UPON_ALL_SOURCES_DISABLED, "backoff-upon-all-sources-disabled",  \
      CFG_T_BOOL, "no", QD_M)                                                  \
    X(BACKOFF_NOTIFY, "backoff-notify", CFG_T_TEXT, "", QD_CL | QD_UN)         \
    X(SMTP_PATTERN_LIST, "smtp-pattern-list", CFG_T_NAME, "",                  \
      QD_M | QD_CL | QD_UN)                                                    \
    X(REENABLE_SOURCE_IP_AFTER, "reenable-source-ip-after", CFG_T_TIME_NEVER,  \
      "never", QD_M)                                                           \
    X(DISABLED_SOURCE_IP_NOTIFY, "disabled-source-ip-notify", CFG_T_TEXT, "",  \
      QD_CL | QD_UN)                                                           \
    X(LOG_DISABLED_IPS, "log-disabled-ips", CFG_T_BOOL, "no", 0)               \
    X(SMTP_553_MEANS_INVALID_MAILBOX, "smtp-553-means-invalid-mailbox",        \
      CFG_T_BOOL, "yes", 0)                                                    \
    X(BOUNCE_UPON_5XX_GREETING, "bounce-upon-5xx-greeting", CFG_T_BOOL, "yes", \
      QD_M)                                                                    \
    X(BOUNCE_UPON_TRANSFER_FAILURE, "bounce-upon-transfer-failure",            \
      CFG_T_BOOL, "no", 0)                                                     \
    X(BOUNCE_UPON_PIX_TRANSFER_FAILURE, "bounce-upon-pix-transfer-failure",    \
      CFG_T_BOOL, "no", 0)                                                     \
    X(ASSUME_DELIVERY_UPON_DATA_TERMINATION_TIMEOUT,                           \
      "assume-delivery-upon-data-termination-timeout", CFG_T_BOOL, "no", 0)    \
    X(CONNECT_TIMEOUT, "connect-timeout", CFG_T_TIME, "2m", 0)                 \
    X(SMTP_GREETING_TIMEOUT, "smtp-greeting-timeout", CFG_T_TIME, "5m", 0)     \
    X(DATA_SEND_TIMEOUT, "data-send-timeout", CFG_T_TIME, "3m", 0)             \
    X(SMTP_DATA_TERMINATION_TIMEOUT, "smtp-data-termination-timeout",          \
      CFG_T_TIME, "10m", 0)                                                    \
    X(SMTP_MULTIPLE_LINE_RESPONSE_TIMEOUT,                                     \
      "smtp-multiple-line-response-timeout", CFG_T_TIME, "5m", 0)              \
    X(QUEUE_PRIORITY, "queue-priority", CFG_T_PRIORITY, "50", QD_M)            \
    X(DKIM_SIGN, "dkim-sign", CFG_T_BOOL, "no", 0)                             \
    X(USE_STARTTLS, "use-starttls", CFG_T_BOOL, "yes", 0)                      \
    X(REQUIRE_STARTTLS, "require-starttls", CFG_T_BOOL, "no", 0)               \
    X(REUSE_SSL_SESSION, "reuse-ssl-session", CFG_T_BOOL, "no", 0)             \
    X(USE_DANE, "use-dane", CFG_T_BOOL, "no", 0)                               \
    X(USE_MTA_STS, "use-mta-sts", CFG_T_BOOL, "no", 0)                         \
    X(IGNORE_8BITMIME, "ignore-8bitmime", CFG_T_BOOL, "no", 0)                 \
    X(IGNORE_CHUNKING, "ignore-chunking", CFG_T_BOOL, "no", 0)                 \
    X(IGNORE_PIPELINING, "ignore-pipelining", CFG_T_BOOL, "no", 0)             \
    X(IGNORE_DSN, "ignore-dsn", CFG_T_BOOL, "no", 0)                           \
    X(PIX_BUG_WORKAROUND, "pix-bug-workaround", CFG_T_BOOL, "no", 0)           \
    X(DSN_FORMAT, "dsn-format", CFG_T_TEXT, "", QD_UN)                         \
    X(BCC_UPON_DELIVERY, "bcc-upon-delivery", CFG_T_TEXT, "", QD_CL | QD_UN)   \
    X(AUTH_USERNAME, "auth-username", CFG_T_TEXT, "", QD_CL | QD_UN)           \
    X(AUTH_PASSWORD, "auth-password", CFG_T_TEXT, "", QD_UN)                   \
    X(MAX_EVENTS_RECORDED, "max-events-recorded", CFG_T_COUNT, "50", 0)        \
    X(TRACK_RECIPIENT_EVENTS, "track-recipient-events", CFG_T_BOOL, "yes", 0)  \
    X(DISABLE_ACCT_RECORDS, "disable-acct-records", CFG_T_TEXT, "", QD_UN)     \
    X(CHECK_SPF_OUTBOUND, "check-spf-outbound", CFG_T_BOOL, "no", 0)           \
    X(REMOVE_HEADER, "remove-header", CFG_T_TEXT, "", QD_CL | QD_UN)           \
    X(DOMAIN_KEY, "domain-key", CFG_T_TEXT, "", QD_RP | QD_UN)                 \
    X(DISCARD_AS_BOUNCE, "discard-as-bounce", CFG_T_BOOL, "no", 0)

enum cfg_qid {
#define X(id, name, type, def, flags) CFG_Q_##id,
    CFG_QUEUE_DIRECTIVES(X)
#undef X
        CFG_Q_COUNT
};

/* What the parser does with a non-queue directive. */
enum cfg_special {
    CFG_X_NONE,         /* kept, not modelled */
    CFG_X_INCLUDE,      /* include FILE */
    CFG_X_DOMAIN_MACRO, /* domain-macro NAME LIST */
    CFG_X_SOURCE_HOST,  /* smtp-source-host IP-or-CIDR HOSTNAME */
    CFG_X_TOTAL_MAX_SMTP_OUT,
    CFG_X_MX_CONNECTION_LIMIT, /* mx-connection-limit MX-PATTERN N */
    CFG_X_IP_CONNECTION_LIMIT, /* ip-connection-limit CIDR N */
    CFG_X_VMTA_MAX_SMTP_OUT,   /* max-smtp-out in <virtual-mta> / pool */
    CFG_X_VMTA_MSG_RATE,       /* max-smtp-msg-rate */
    CFG_X_VMTA_DATA_RATE,      /* max-smtp-data-volume-rate */
    CFG_X_COLD_VMTA,           /* cold-virtual-mta NAME */
    CFG_X_POOL_MEMBER,         /* virtual-mta NAME (in a pool) */
    CFG_X_DEFAULT_VMTA,        /* default-virtual-mta (in <source>) */
    CFG_X_SOURCE_PATTERN_LIST, /* pattern-list (in <source>) */
    CFG_X_PROCESS_X_VMTA,      /* process-x-virtual-mta (in <source>) */
    CFG_X_REPLY,               /* reply /RE/ ACTIONS (smtp-pattern-list) */
    CFG_X_MX_ROLLUP,           /* mx PATTERN NAME (mx-rollup-list) */
    CFG_X_PATTERN_ENTRY /* mail-from, rcpt-to, header, * (pattern-list) */
};

struct cfg_directive {
    const char *name;
    unsigned scopes; /* enum cfg_scope mask */
    enum cfg_type type;
    const char *def; /* default as config text; "" with CFG_D_UNSET */
    unsigned flags;  /* enum cfg_dflags */
    int qid;         /* enum cfg_qid, or -1 */
    enum cfg_special special;
    const char *choices; /* CFG_T_ENUM / CFG_T_COUNT_OR: "a|b|c" */
};

/* A block tag: its scope, where it may open, and its argument. */
struct cfg_block_def {
    const char *name;
    const char *label; /* "<name>", for messages */
    unsigned scope;    /* enum cfg_scope of its contents */
    unsigned parents;  /* scopes it may open in (CFG_S_GLOBAL: top level) */
    int needs_arg;     /* 1 required, 0 optional, -1 forbidden */
};

/* cfg_block_find - the block tag called name, or NULL. */
const struct cfg_block_def *cfg_block_find(const char *name);
/* cfg_block_names - every block tag name, for "did you mean". */
size_t cfg_block_names(const char **out, size_t max);

/* cfg_directive_find - the row for name valid in scope, or NULL. When the
 * name exists only in other scopes, *other_scopes gets their mask (else 0)
 * so the caller can say "not allowed here". */
const struct cfg_directive *cfg_directive_find(const char *name, unsigned scope,
                                               unsigned *other_scopes);
/* cfg_directive_queue - the row of a per-queue directive. */
const struct cfg_directive *cfg_directive_queue(enum cfg_qid qid);
/* cfg_directive_names - all distinct names valid in scope, for "did you
 * mean"; returns the count and fills up to max pointers. */
size_t cfg_directive_names(unsigned scope, const char **out, size_t max);
/* cfg_scope_name - "<domain>", "<virtual-mta>", "global level" ... */
const char *cfg_scope_name(unsigned scope);
/* cfg_choice_ok - 1 when word is one of choices ("a|b|c"), ignoring case. */
int cfg_choice_ok(const char *choices, const char *word);

#endif
