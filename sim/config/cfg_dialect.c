/* cfg_dialect.c - blog-dialect and deprecated directive names: the shapes
 * that blog posts and older configs use, with their real equivalents
 * (UG5 §3.3 for the deprecations; docs/config.md lists both). */
#include "config/cfg_dialect.h"
#include "config/cfg_directive.h"

#include <string.h>

#define Q CFG_S_DOMAIN
#define G CFG_S_GLOBAL
#define V CFG_S_VMTA
#define S CFG_S_SOURCE

static const struct cfg_dialect rows[] = {
    /* Not PowerMTA syntax. */
    { "retry-interval", Q, CFG_DL_RENAME, "retry-after", 0,
      "'retry-interval' exists only inside <acct-file>" },
    { "max-retry-time", Q, CFG_DL_RENAME, "bounce-after", 0, NULL },
    { "min-retry-interval", Q, CFG_DL_RENAME, "retry-recipients-after", 0,
      NULL },
    { "bounce-on-4xx-status", Q, CFG_DL_DROP, NULL, 0,
      "4xx replies never bounce in PowerMTA except through the 'bounce-rcpt' "
      "or 'bounce-queue' pattern actions, or on expiry at 'bounce-after'" },
    { "log-delivery-failures", Q | G, CFG_DL_RENAME, "log-transfer-failures", 0,
      NULL },
    { "log-fallback-failures", Q | G, CFG_DL_DROP, NULL, 0,
      "use 'log-transfer-failures' or t/tq accounting records" },
    { "max-conn-rate", Q, CFG_DL_RENAME, "max-connect-rate", 0, NULL },
    { "max-message-rate", Q, CFG_DL_RENAME, "max-msg-rate", 0, NULL },
    { "throttle", Q, CFG_DL_RENAME, "max-msg-rate", 0, NULL },
    { "max-data-errors", Q, CFG_DL_RENAME, "max-errors-per-connection", 0,
      NULL },
    { "max-smtp-out-per-ip", Q, CFG_DL_ALL_SOURCES, "source-ip-max-smtp-out", 0,
      NULL },
    { "delivery-interval", Q, CFG_DL_RENAME, "smtp-out-rampup-interval", 0,
      NULL },
    { "timeout-connect", Q, CFG_DL_RENAME, "connect-timeout", 0, NULL },
    { "timeout-data", Q, CFG_DL_RENAME, "data-send-timeout", 0, NULL },
    { "timeout-after-data", Q, CFG_DL_RENAME, "smtp-data-termination-timeout",
      0, NULL },
    { "enable-starttls", Q, CFG_DL_RENAME, "use-starttls", 0, NULL },
    { "bounce-upon-5xx", Q, CFG_DL_RENAME, "bounce-upon-5xx-greeting", 0,
      "the real directive covers the greeting only" },
    { "backoff-retry-profile", Q, CFG_DL_RENAME, "backoff-retry-after", 0,
      NULL },
    { "smtp-port", Q, CFG_DL_RENAME, "default-smtp-port", 0, NULL },
    { "max-cpu-usage", G, CFG_DL_DROP, NULL, 0,
      "PowerMTA has no CPU limit directive, and CPU is not modelled" },
    /* Documented, deprecated or obsolete (UG5 §3.3; docs/pmta-directives.tsv
     * marks them). PowerMTA still reads them, so --strict warns. */
    { "max-msg-per-hour", Q, CFG_DL_PER_HOUR, "max-msg-rate", 1, NULL },
    { "backoff-max-msg-per-hour", Q, CFG_DL_PER_HOUR, "backoff-max-msg-rate", 1,
      NULL },
    { "route", Q, CFG_DL_RENAME, "smtp-hosts", 1, NULL },
    { "max-smtp-out-per-source-ip", Q, CFG_DL_ALL_SOURCES,
      "source-ip-max-smtp-out", 1, NULL },
    { "delivery-priority", Q, CFG_DL_RENAME, "queue-priority", 1, NULL },
    { "deliver-local-dsn", Q, CFG_DL_DROP, NULL, 1,
      "replaced by 'suppress-local-dsn' in <source>, with the opposite "
      "sense" },
    { "smtp-port", G, CFG_DL_LISTEN_PORT, "smtp-listener", 1, NULL },
    { "smtp-ip", G, CFG_DL_LISTEN_IP, "smtp-listener", 1, NULL },
    { "spool", G, CFG_DL_BLOCK, "spool", 1, NULL },
    { "spool-min-free-space", G, CFG_DL_DROP, NULL, 1,
      "use 'min-free-space' inside <spool>" },
    { "pickup-retry-interval", G, CFG_DL_DROP, NULL, 1,
      "the guide names no replacement" },
    { "http-mgmt-source", G, CFG_DL_DROP, NULL, 1, "use 'http-access'" },
    { "no-http-mgmt-source", G, CFG_DL_DROP, NULL, 1, "use 'http-access'" },
    { "deliver-email", CFG_S_BOUNCE_PROC | CFG_S_FBL_PROC, CFG_DL_DROP, NULL, 1,
      "use 'deliver-matched-email' and 'deliver-unmatched-email'" },
    { "broken-auth-clients", S, CFG_DL_DROP, NULL, 1,
      "the guide names no replacement" },
    { "check-spf-inbound-best-guess", S, CFG_DL_DROP, NULL, 1,
      "the guide names no replacement" },
    { "smtp-server-tls-allow-sslv3", G, CFG_DL_DROP, NULL, 1,
      "obsolete: SSLv3 is no longer supported" },
    { "http-tls-allow-sslv3", G, CFG_DL_DROP, NULL, 1,
      "obsolete: SSLv3 is no longer supported" },
    { "smtp-tls-allow-sslv3", Q, CFG_DL_DROP, NULL, 1,
      "obsolete: SSLv3 is no longer supported" },
    { "tls-allow-sslv3", CFG_S_LISTENER | CFG_S_TAPI_LISTENER, CFG_DL_DROP,
      NULL, 1, "obsolete: SSLv3 is no longer supported" },
    /* Deprecated in earlier guides, gone from the v5.0 reference. */
    { "dk-sign", Q | V, CFG_DL_DROP, NULL, 1,
      "DomainKeys signing; use 'dkim-sign'" },
    { "auto-cold-virtual-mta", V, CFG_DL_DROP, NULL, 1,
      "deprecated in 4.5; use 'cold-virtual-mta NAME' with "
      "'max-cold-virtual-mta-msg'" },
};

const struct cfg_dialect *cfg_dialect_find(const char *name, unsigned scope)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if ((rows[i].scopes & scope) && strcmp(rows[i].name, name) == 0)
            return &rows[i];
    return NULL;
}
