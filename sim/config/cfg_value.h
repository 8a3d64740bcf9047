/* cfg_value.h - PowerMTA value types: intervals, rates, sizes, CIDRs, hosts.
 *
 * Pure functions from text to numbers with exact units (seconds, bytes,
 * counts), following the PowerMTA v5 User's Guide §3.2 (see
 * docs/config.md). Nothing here prints. Every parser
 * returns 0 on success, or -1 and fills a struct cfgv_err whose offset points
 * at the bad character of the input, so callers can put a caret under it.
 * Lists returned through double ** are malloc'ed and owned by the caller. */
#ifndef CFG_VALUE_H
#define CFG_VALUE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

struct cfgv_err {
    char msg[160]; /* e.g. "unknown time unit 'x'" (lower case, no dot) */
    size_t offset; /* byte offset into the parsed text of the bad part */
    size_t len;    /* length of the bad part (>= 1) */
};

/* Flags accepted by some parsers. */
enum cfgv_flags {
    CFGV_ALLOW_NEVER = (1 << 0),     /* "never" -> INFINITY (intervals) */
    CFGV_ALLOW_UNLIMITED = (1 << 1), /* "unlimited" -> CFGV_UNLIMITED */
    CFGV_ALLOW_ZERO = (1 << 2)       /* "0" allowed where N >= 1 is usual */
};

/* A count that is "unlimited". */
#define CFGV_UNLIMITED INT64_MAX

/* cfgv_parse_bool - yes/no/true/false/on/off (case-insensitive). */
int cfgv_parse_bool(const char *s, int *out, struct cfgv_err *e);

/* cfgv_parse_count - a non-negative decimal integer; with
 * CFGV_ALLOW_UNLIMITED, "unlimited" gives CFGV_UNLIMITED. */
int cfgv_parse_count(const char *s, int64_t *out, unsigned flags,
                     struct cfgv_err *e);

/* cfgv_parse_time - TIME-INTERVAL: unit-suffixed parts that may be combined
 * in any order without spaces ("1w2d12h", "4d12h", "300s", "1h30m"), units
 * w d h m s; a bare non-negative integer means seconds. Each unit at most
 * once. With CFGV_ALLOW_NEVER, "never" gives INFINITY. Result in seconds. */
int cfgv_parse_time(const char *s, double *out_s, unsigned flags,
                    struct cfgv_err *e);

/* cfgv_parse_time_list - TIME-INTERVAL-LIST "10m,10m,1h" (no empty items;
 * spaces after commas tolerated). *out is malloc'ed, *n >= 1. */
int cfgv_parse_time_list(const char *s, double **out, size_t *n,
                         struct cfgv_err *e);

/* A rate: count events per window_s seconds. Unlimited: count = INFINITY,
 * window_s = 1. A bare "0" (only with CFGV_ALLOW_ZERO) gives count 0. */
struct cfgv_rate {
    double count;
    double window_s;
};

/* cfgv_parse_rate - RATE: "unlimited" | "N/[M]unit" with unit one of
 * d day h hr hour m min minute s sec second (case-insensitive), N >= 1
 * integer, M an optional positive integer multiplier ("100/15m", "1/20m",
 * "83/5s", "250/h", "6/sec"). */
int cfgv_parse_rate(const char *s, struct cfgv_rate *out, unsigned flags,
                    struct cfgv_err *e);

/* cfgv_parse_size - SIZE "N[b|k|m|g|t]" (case-insensitive, binary
 * multiples: k = 1024), no suffix = bytes; CFGV_ALLOW_UNLIMITED gives
 * INFINITY. Result in bytes. */
int cfgv_parse_size(const char *s, double *bytes, unsigned flags,
                    struct cfgv_err *e);

/* cfgv_parse_data_rate - DATA-RATE "N[b|k|m|g|t]/[M]unit" ("10g/2h"),
 * "unlimited", or a bare "0" (count 0: a pause); count is in bytes. */
int cfgv_parse_data_rate(const char *s, struct cfgv_rate *out,
                         struct cfgv_err *e);

/* cfgv_parse_daily - DAILY-LIMITS "N/d" or "N/day", comma list for ramps
 * "100/day,200/day,400/d"; N >= 0. *per_day is malloc'ed, *n >= 1. */
int cfgv_parse_daily(const char *s, double **per_day, size_t *n,
                     struct cfgv_err *e);

/* An IPv4 or IPv6 network. IPv4 is stored as ::ffff:a.b.c.d with prefix
 * 96 + p, so one comparison works for both families. */
struct cfgv_cidr {
    uint8_t addr[16];
    int prefix; /* 0..128, in the 128-bit space */
    int is_v4;
};

/* cfgv_parse_cidr - "1.2.3.4", "10/8", "10.1/16", "0/0", "192.0.2.0/24",
 * "::1", "2001:db8::/32". PowerMTA's short IPv4 forms ("10/8") pad missing
 * octets with zeros. Host bits beyond the prefix must be zero. */
int cfgv_parse_cidr(const char *s, struct cfgv_cidr *out, struct cfgv_err *e);
/* cfgv_cidr_contains - 1 when addr (a host, prefix ignored) is inside net. */
int cfgv_cidr_contains(const struct cfgv_cidr *net,
                       const struct cfgv_cidr *addr);
/* cfgv_format_cidr - canonical text ("10.0.0.0/8", "192.0.2.1"). */
void cfgv_format_cidr(const struct cfgv_cidr *c, char *buf, size_t n);

/* A host list "h1, h2; [10.1.1.1]:2525; lookup-mx:d": commas separate hosts
 * at one preference level, semicolons separate levels. */
struct cfgv_host {
    char *name; /* host name, "[ip]" literal, or "lookup-mx:DOMAIN" */
    int port;   /* 0 = default port */
    int level;  /* 0 = most preferred */
};
struct cfgv_hosts {
    struct cfgv_host *items;
    size_t n;
};
int cfgv_parse_hosts(const char *s, struct cfgv_hosts *out, struct cfgv_err *e);
void cfgv_hosts_release(struct cfgv_hosts *h);

/* Canonical formatting, used by `check --show-settings` and `--fix`:
 * the shortest combined form ("4d12h", "30m", "0s", "never"), rates as
 * "1000/h" or "100/15m" or "unlimited", sizes as "250M". buf must hold
 * at least 32 bytes. */
void cfgv_format_time(double s, char *buf, size_t n);
void cfgv_format_rate(const struct cfgv_rate *r, char *buf, size_t n);
void cfgv_format_size(double bytes, char *buf, size_t n);

#endif
