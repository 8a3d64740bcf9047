/* cfg_value.c - parse and format PowerMTA value types (PowerMTA v5 User's
 * Guide §3.2; docs/config.md).
 *
 * Every parser works on a span [pos, end) of the caller's text through a
 * small scanner, so that error offsets always refer to the whole input. The
 * numbers are integers only (PowerMTA writes no fractions) and are checked
 * for overflow against INT64_MAX. */
#include "config/cfg_value.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GNUC__
#define CFGV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CFGV_PRINTF(f, a)
#endif

/* The longest quoted part of the input in an error message. */
#define QUOTE_MAX 64

/* A span of the input being parsed; offsets are into the whole text s. */
struct scan {
    const char *s;
    size_t pos;
    size_t end;
    struct cfgv_err *e;
};

/* One list item parser, for the comma lists of times and daily limits. */
typedef int(item_fn)(struct scan *sc, double *out);

/* ===================================================================== */
/* Character classes and errors                                          */
/* ===================================================================== */

/* is_digit - ASCII decimal digit, independent of the locale. */
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* is_alpha - ASCII letter, independent of the locale. */
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* is_space - the white space a config line may carry. */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* to_lower - ASCII lower case. */
static char to_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* qlen - a span length clamped for a "%.*s" in an error message. */
static int qlen(size_t len)
{
    return len > QUOTE_MAX ? QUOTE_MAX : (int)len;
}

/* fail - fill e (when given) and return -1. */
CFGV_PRINTF(4, 5)
static int fail(struct cfgv_err *e, size_t off, size_t len, const char *fmt,
                ...)
{
    va_list ap;

    if (e == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    e->offset = off;
    e->len = len ? len : 1;
    return -1;
}

/* span_ieq - 1 when s[a, b) equals word, ignoring ASCII case. */
static int span_ieq(const char *s, size_t a, size_t b, const char *word)
{
    size_t n = strlen(word);

    if (b - a != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (to_lower(s[a + i]) != word[i])
            return 0;
    return 1;
}

/* text_ok - reject a missing or empty value and surrounding white space. */
static int text_ok(const char *s, struct cfgv_err *e)
{
    size_t n, i;

    if (s == NULL || s[0] == '\0')
        return fail(e, 0, 1, "empty value");
    n = strlen(s);
    if (is_space(s[0])) {
        for (i = 0; i < n && is_space(s[i]); i++)
            continue;
        return fail(e, 0, i, "unexpected leading white space");
    }
    if (is_space(s[n - 1])) {
        for (i = n; i > 0 && is_space(s[i - 1]); i--)
            continue;
        return fail(e, i, n - i, "unexpected trailing white space");
    }
    return 0;
}

/* ===================================================================== */
/* Scanner                                                               */
/* ===================================================================== */

/* scan_init - a scanner over the whole of s. */
static struct scan scan_init(const char *s, struct cfgv_err *e)
{
    struct scan sc = { s, 0, strlen(s), e };
    return sc;
}

/* scan_skip_digits - move past a run of digits; returns its start. */
static size_t scan_skip_digits(struct scan *sc)
{
    size_t start = sc->pos;

    while (sc->pos < sc->end && is_digit(sc->s[sc->pos]))
        sc->pos++;
    return start;
}

/* scan_uint_bad - explain why no integer could be read at sc->pos. */
static int scan_uint_bad(struct scan *sc)
{
    size_t p = sc->pos;

    if (p < sc->end && sc->s[p] == '-' && p + 1 < sc->end &&
        is_digit(sc->s[p + 1])) {
        sc->pos++;
        scan_skip_digits(sc);
        return fail(sc->e, p, sc->pos - p, "negative value '%.*s'",
                    qlen(sc->pos - p), sc->s + p);
    }
    return fail(sc->e, p, 1, "expected a number");
}

/* scan_uint - read a decimal integer <= max; fractions are refused. */
static int scan_uint(struct scan *sc, uint64_t max, uint64_t *out)
{
    size_t start = sc->pos;
    uint64_t v = 0;
    int big = 0;

    if (sc->pos >= sc->end || !is_digit(sc->s[sc->pos]))
        return scan_uint_bad(sc);
    for (; sc->pos < sc->end && is_digit(sc->s[sc->pos]); sc->pos++) {
        uint64_t d = (uint64_t)(sc->s[sc->pos] - '0');
        if (v > (max - d) / 10)
            big = 1;
        else
            v = v * 10 + d;
    }
    if (sc->pos < sc->end && sc->s[sc->pos] == '.') {
        sc->pos++;
        scan_skip_digits(sc);
        return fail(sc->e, start, sc->pos - start, "expected an integer");
    }
    if (big)
        return fail(sc->e, start, sc->pos - start, "number too large");
    *out = v;
    return 0;
}

/* scan_word - move past a run of letters; returns its start. */
static size_t scan_word(struct scan *sc)
{
    size_t start = sc->pos;

    while (sc->pos < sc->end && is_alpha(sc->s[sc->pos]))
        sc->pos++;
    return start;
}

/* scan_is - 1 when the rest of the span is word (any case). */
static int scan_is(const struct scan *sc, const char *word)
{
    return span_ieq(sc->s, sc->pos, sc->end, word);
}

/* scan_done - refuse anything left in the span. */
static int scan_done(struct scan *sc)
{
    size_t n = sc->end - sc->pos;

    if (n == 0)
        return 0;
    return fail(sc->e, sc->pos, n, "unexpected text '%.*s'", qlen(n),
                sc->s + sc->pos);
}

/* scan_mul_add - *acc += n * unit, or "number too large" over INT64_MAX. */
static int scan_mul_add(struct scan *sc, size_t from, uint64_t n, uint64_t unit,
                        uint64_t *acc)
{
    if (unit != 0 && n > ((uint64_t)INT64_MAX - *acc) / unit)
        return fail(sc->e, from, sc->pos - from, "number too large");
    *acc += n * unit;
    return 0;
}

/* ===================================================================== */
/* Booleans and counts                                                   */
/* ===================================================================== */

/* cfgv_parse_bool - yes/no/true/false/on/off. */
int cfgv_parse_bool(const char *s, int *out, struct cfgv_err *e)
{
    static const char *const words[] = { "yes",   "no", "true",
                                         "false", "on", "off" };
    size_t n;

    if (text_ok(s, e) < 0)
        return -1;
    n = strlen(s);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (span_ieq(s, 0, n, words[i])) {
            *out = (i % 2 == 0);
            return 0;
        }
    }
    return fail(e, 0, n, "invalid boolean '%.*s' (use yes or no)", qlen(n), s);
}

/* cfgv_parse_count - a non-negative integer, or "unlimited". */
int cfgv_parse_count(const char *s, int64_t *out, unsigned flags,
                     struct cfgv_err *e)
{
    struct scan sc;
    uint64_t v;

    if (text_ok(s, e) < 0)
        return -1;
    sc = scan_init(s, e);
    if (scan_is(&sc, "unlimited")) {
        if (!(flags & CFGV_ALLOW_UNLIMITED))
            return fail(e, 0, sc.end, "'unlimited' is not allowed here");
        *out = CFGV_UNLIMITED;
        return 0;
    }
    if (scan_uint(&sc, INT64_MAX, &v) < 0 || scan_done(&sc) < 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* ===================================================================== */
/* Time intervals                                                        */
/* ===================================================================== */

/* time_unit - read one unit letter after a number; refuses repeats. */
static int time_unit(struct scan *sc, size_t part, unsigned *seen,
                     uint64_t *secs)
{
    static const char letters[] = "wdhms";
    static const uint64_t unit_s[] = { 604800, 86400, 3600, 60, 1 };
    size_t w = scan_word(sc), n = sc->pos - w;
    const char *hit;

    if (n == 0 && sc->pos == sc->end)
        return fail(sc->e, part, w - part, "missing time unit after '%.*s'",
                    qlen(w - part), sc->s + part);
    if (n == 0)
        return fail(sc->e, w, 1, "unexpected character '%c'", sc->s[w]);
    hit = strchr(letters, to_lower(sc->s[w]));
    if (n != 1 || hit == NULL)
        return fail(sc->e, w, n, "unknown time unit '%.*s'", qlen(n),
                    sc->s + w);
    if (*seen & (1u << (hit - letters)))
        return fail(sc->e, w, 1, "time unit '%c' given twice", sc->s[w]);
    *seen |= 1u << (hit - letters);
    *secs = unit_s[hit - letters];
    return 0;
}

/* time_span - TIME-INTERVAL over the scanner's span, in seconds. */
static int time_span(struct scan *sc, unsigned flags, double *out)
{
    size_t start = sc->pos;
    uint64_t total = 0, n = 0, secs = 0;
    unsigned seen = 0;

    if (scan_is(sc, "never")) {
        if (!(flags & CFGV_ALLOW_NEVER))
            return fail(sc->e, start, sc->end - start,
                        "'never' is not allowed here");
        *out = HUGE_VAL;
        return 0;
    }
    if (start >= sc->end)
        return fail(sc->e, start, 1, "expected a number");
    while (sc->pos < sc->end) {
        size_t part = sc->pos;
        if (scan_uint(sc, INT64_MAX, &n) < 0)
            return -1;
        if (part == start && sc->pos == sc->end) {
            total = n; /* a bare integer means seconds */
            break;
        }
        if (time_unit(sc, part, &seen, &secs) < 0 ||
            scan_mul_add(sc, part, n, secs, &total) < 0)
            return -1;
    }
    *out = (double)total;
    return 0;
}

/* time_item - one TIME-INTERVAL-LIST element. */
static int time_item(struct scan *sc, double *out)
{
    return time_span(sc, 0, out);
}

/* cfgv_parse_time - TIME-INTERVAL in seconds. */
int cfgv_parse_time(const char *s, double *out_s, unsigned flags,
                    struct cfgv_err *e)
{
    struct scan sc;

    if (text_ok(s, e) < 0)
        return -1;
    sc = scan_init(s, e);
    return time_span(&sc, flags, out_s);
}

/* parse_list - a comma list of items, blanks allowed after each comma. */
static int parse_list(const char *s, double **out, size_t *n,
                      struct cfgv_err *e, item_fn *item)
{
    struct scan sc;
    size_t len, cap = 0;

    *out = NULL;
    *n = 0;
    if (text_ok(s, e) < 0)
        return -1;
    sc = scan_init(s, e);
    len = sc.end;
    for (;;) {
        const char *comma = memchr(s + sc.pos, ',', len - sc.pos);
        sc.end = comma ? (size_t)(comma - s) : len;
        if (sc.pos == sc.end) {
            fail(e, sc.pos, 1, "empty item in list");
            goto fail;
        }
        XGROW(*out, *n, cap);
        if (item(&sc, &(*out)[*n]) < 0)
            goto fail;
        (*n)++;
        if (sc.end == len)
            return 0;
        for (sc.pos = sc.end + 1; sc.pos < len && is_space(s[sc.pos]);)
            sc.pos++;
    }
fail:
    free(*out);
    *out = NULL;
    *n = 0;
    return -1;
}

/* cfgv_parse_time_list - TIME-INTERVAL-LIST "10m,10m,1h". */
int cfgv_parse_time_list(const char *s, double **out, size_t *n,
                         struct cfgv_err *e)
{
    return parse_list(s, out, n, e, time_item);
}

/* ===================================================================== */
/* Rates, sizes and daily limits                                         */
/* ===================================================================== */

/* rate_unit_s - seconds in a rate unit word, 0 when unknown. */
static uint64_t rate_unit_s(const char *s, size_t a, size_t b)
{
    static const struct {
        const char *word;
        uint64_t secs;
    } units[] = {
        { "d", 86400 },    { "day", 86400 },  { "days", 86400 },
        { "h", 3600 },     { "hr", 3600 },    { "hrs", 3600 },
        { "hour", 3600 },  { "hours", 3600 }, { "m", 60 },
        { "min", 60 },     { "mins", 60 },    { "minute", 60 },
        { "minutes", 60 }, { "s", 1 },        { "sec", 1 },
        { "secs", 1 },     { "second", 1 },   { "seconds", 1 },
    };

    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (span_ieq(s, a, b, units[i].word))
            return units[i].secs;
    return 0;
}

/* rate_window - "[M]unit" after the '/', up to the end of the span. */
static int rate_window(struct scan *sc, double *window_s)
{
    size_t start = sc->pos, w;
    uint64_t m = 1, unit, total = 0;

    if (sc->pos < sc->end && is_digit(sc->s[sc->pos])) {
        if (scan_uint(sc, INT64_MAX, &m) < 0)
            return -1;
        if (m == 0)
            return fail(sc->e, start, sc->pos - start,
                        "rate window must be at least 1");
    }
    w = scan_word(sc);
    if (w == sc->pos)
        return fail(sc->e, w, 1, "rate needs a '/unit' part");
    unit = rate_unit_s(sc->s, w, sc->pos);
    if (unit == 0)
        return fail(sc->e, w, sc->pos - w, "unknown rate unit '%.*s'",
                    qlen(sc->pos - w), sc->s + w);
    if (scan_mul_add(sc, start, m, unit, &total) < 0 || scan_done(sc) < 0)
        return -1;
    *window_s = (double)total;
    return 0;
}

/* rate_slash - require the '/' that starts a rate's window. */
static int rate_slash(struct scan *sc, size_t start)
{
    if (sc->pos < sc->end && sc->s[sc->pos] == '/') {
        sc->pos++;
        return 0;
    }
    if (sc->pos == sc->end)
        return fail(sc->e, start, sc->end - start, "rate needs a '/unit' part");
    return fail(sc->e, sc->pos, sc->end - sc->pos, "rate needs a '/unit' part");
}

/* cfgv_parse_rate - RATE: "unlimited", "0" (flag) or "N/[M]unit". */
int cfgv_parse_rate(const char *s, struct cfgv_rate *out, unsigned flags,
                    struct cfgv_err *e)
{
    struct scan sc;
    uint64_t n;
    int zero_ok = (flags & CFGV_ALLOW_ZERO) != 0;

    if (text_ok(s, e) < 0)
        return -1;
    sc = scan_init(s, e);
    if (scan_is(&sc, "unlimited")) {
        out->count = HUGE_VAL;
        out->window_s = 1;
        return 0;
    }
    if (scan_uint(&sc, INT64_MAX, &n) < 0)
        return -1;
    if (n == 0 && !zero_ok)
        return fail(e, 0, sc.pos, "a zero rate is not allowed here");
    out->window_s = 1;
    if (n == 0 && sc.pos == sc.end) {
        out->count = 0;
        return 0;
    }
    if (rate_slash(&sc, 0) < 0 || rate_window(&sc, &out->window_s) < 0)
        return -1;
    out->count = (double)n;
    return 0;
}

/* size_span - "N[b|k|m|g|t]" up to the first non-letter after N. */
static int size_span(struct scan *sc, uint64_t *bytes)
{
    static const char letters[] = "bkmgt";
    size_t start = sc->pos, w;
    uint64_t n, mult = 1;
    const char *hit;

    *bytes = 0;
    if (scan_uint(sc, INT64_MAX, &n) < 0)
        return -1;
    w = scan_word(sc);
    if (w != sc->pos) {
        hit = strchr(letters, to_lower(sc->s[w]));
        if (sc->pos - w != 1 || hit == NULL)
            return fail(sc->e, w, sc->pos - w, "unknown size unit '%.*s'",
                        qlen(sc->pos - w), sc->s + w);
        mult = (uint64_t)1 << (10 * (hit - letters));
    }
    return scan_mul_add(sc, start, n, mult, bytes);
}

/* cfgv_parse_size - SIZE in bytes, binary multiples. */
int cfgv_parse_size(const char *s, double *bytes, unsigned flags,
                    struct cfgv_err *e)
{
    struct scan sc;
    uint64_t v;

    if (text_ok(s, e) < 0)
        return -1;
    sc = scan_init(s, e);
    if (scan_is(&sc, "unlimited")) {
        if (!(flags & CFGV_ALLOW_UNLIMITED))
            return fail(e, 0, sc.end, "'unlimited' is not allowed here");
        *bytes = HUGE_VAL;
        return 0;
    }
    if (size_span(&sc, &v) < 0 || scan_done(&sc) < 0)
        return -1;
    *bytes = (double)v;
    return 0;
}

/* cfgv_parse_data_rate - DATA-RATE "N[b|k|m|g|t]/[M]unit" or "unlimited". */
int cfgv_parse_data_rate(const char *s, struct cfgv_rate *out,
                         struct cfgv_err *e)
{
    struct scan sc;
    uint64_t v;

    if (text_ok(s, e) < 0)
        return -1;
    sc = scan_init(s, e);
    if (scan_is(&sc, "unlimited")) {
        out->count = HUGE_VAL;
        out->window_s = 1;
        return 0;
    }
    if (strcmp(s, "0") == 0) { /* UG5 §3.3.10.37 lists a bare 0 */
        out->count = 0;
        out->window_s = 1;
        return 0;
    }
    if (size_span(&sc, &v) < 0)
        return -1;
    if (v == 0)
        return fail(e, 0, sc.pos, "a zero rate is not allowed here");
    if (rate_slash(&sc, 0) < 0 || rate_window(&sc, &out->window_s) < 0)
        return -1;
    out->count = (double)v;
    return 0;
}

/* daily_item - one "N/d" or "N/day" of a DAILY-LIMITS list. */
static int daily_item(struct scan *sc, double *out)
{
    size_t start = sc->pos, w;
    uint64_t n;

    if (scan_uint(sc, INT64_MAX, &n) < 0)
        return -1;
    if (sc->pos >= sc->end || sc->s[sc->pos] != '/')
        return fail(sc->e, start, sc->end - start,
                    "daily limit needs a '/d' or '/day' part");
    sc->pos++;
    w = scan_word(sc);
    if (!span_ieq(sc->s, w, sc->pos, "d") &&
        !span_ieq(sc->s, w, sc->pos, "day"))
        return fail(sc->e, w, sc->end - w,
                    "daily limit needs a '/d' or '/day' part, not '/%.*s'",
                    qlen(sc->end - w), sc->s + w);
    if (scan_done(sc) < 0)
        return -1;
    *out = (double)n;
    return 0;
}

/* cfgv_parse_daily - DAILY-LIMITS "100/day,200/day,400/d". */
int cfgv_parse_daily(const char *s, double **per_day, size_t *n,
                     struct cfgv_err *e)
{
    return parse_list(s, per_day, n, e, daily_item);
}

/* ===================================================================== */
/* CIDR                                                                  */
/* ===================================================================== */

/* v4_octets - 1 to 4 dotted decimal octets in s[0, end) into addr[12..]. */
static int v4_octets(const char *s, size_t end, uint8_t *addr, int *count)
{
    size_t p = 0;

    *count = 0;
    while (*count < 4) {
        unsigned v = 0;
        size_t digits = 0;
        for (; p < end && is_digit(s[p]) && digits < 3; p++, digits++)
            v = v * 10 + (unsigned)(s[p] - '0');
        if (digits == 0 || v > 255)
            return -1;
        addr[12 + (*count)++] = (uint8_t)v;
        if (p == end)
            return 0;
        if (s[p] != '.')
            return -1;
        p++;
    }
    return -1;
}

/* cidr_addr - the address part s[0, end) in v4-mapped or v6 form. */
static int cidr_addr(const char *s, size_t end, struct cfgv_cidr *out,
                     int *octets, struct cfgv_err *e)
{
    char buf[INET6_ADDRSTRLEN];

    memset(out, 0, sizeof(*out));
    if (memchr(s, ':', end) == NULL) {
        out->is_v4 = 1;
        out->addr[10] = out->addr[11] = 0xff;
        if (v4_octets(s, end, out->addr, octets) < 0)
            return fail(e, 0, end, "invalid IPv4 address '%.*s'", qlen(end), s);
        return 0;
    }
    *octets = 0;
    if (end >= sizeof(buf))
        return fail(e, 0, end, "invalid IPv6 address '%.*s'", qlen(end), s);
    memcpy(buf, s, end);
    buf[end] = '\0';
    if (inet_pton(AF_INET6, buf, out->addr) != 1)
        return fail(e, 0, end, "invalid IPv6 address '%.*s'", qlen(end), s);
    return 0;
}

/* cidr_prefix - the decimal prefix length s[a, b), at most max. */
static int cidr_prefix(const char *s, size_t a, size_t b, int max, int *out,
                       struct cfgv_err *e)
{
    int v = 0;

    if (a == b || b - a > 3)
        return fail(e, a, b - a, "invalid prefix length '%.*s'", qlen(b - a),
                    s + a);
    for (size_t i = a; i < b; i++) {
        if (!is_digit(s[i]))
            return fail(e, a, b - a, "invalid prefix length '%.*s'",
                        qlen(b - a), s + a);
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return fail(e, a, b - a, "invalid prefix length '%.*s'", qlen(b - a),
                    s + a);
    *out = v;
    return 0;
}

/* host_bits_set - 1 when any bit of addr after the first prefix is set. */
static int host_bits_set(const uint8_t *addr, int prefix)
{
    int byte = prefix / 8, rem = prefix % 8;

    if (rem != 0 && (addr[byte] & (0xffu >> rem)) != 0)
        return 1;
    for (int i = byte + (rem != 0); i < 16; i++)
        if (addr[i] != 0)
            return 1;
    return 0;
}

/* cfgv_parse_cidr - an IPv4 or IPv6 address with an optional /prefix. */
int cfgv_parse_cidr(const char *s, struct cfgv_cidr *out, struct cfgv_err *e)
{
    const char *slash;
    size_t len, end;
    int octets, p;

    memset(out, 0, sizeof(*out));
    if (text_ok(s, e) < 0)
        return -1;
    len = strlen(s);
    slash = strchr(s, '/');
    end = slash ? (size_t)(slash - s) : len;
    if (cidr_addr(s, end, out, &octets, e) < 0)
        return -1;
    p = out->is_v4 ? 32 : 128;
    if (slash && cidr_prefix(s, end + 1, len, p, &p, e) < 0)
        return -1;
    if (!slash && out->is_v4 && octets < 4)
        return fail(e, 0, end, "short IPv4 address '%.*s' needs a /prefix",
                    qlen(end), s);
    out->prefix = out->is_v4 ? 96 + p : p;
    if (host_bits_set(out->addr, out->prefix))
        return fail(e, 0, end, "host bits set beyond the /%d prefix", p);
    return 0;
}

/* cfgv_cidr_contains - compare the first net->prefix bits. */
int cfgv_cidr_contains(const struct cfgv_cidr *net,
                       const struct cfgv_cidr *addr)
{
    int prefix = net->prefix < 0 ? 0 : net->prefix > 128 ? 128 : net->prefix;
    int byte = prefix / 8, rem = prefix % 8;
    unsigned mask;

    if (memcmp(net->addr, addr->addr, (size_t)byte) != 0)
        return 0;
    if (rem == 0)
        return 1;
    mask = (0xffu << (8 - rem)) & 0xffu;
    return (net->addr[byte] & mask) == (addr->addr[byte] & mask);
}

/* cfgv_format_cidr - "10.0.0.0/8", "192.0.2.1", "2001:db8::/32". */
void cfgv_format_cidr(const struct cfgv_cidr *c, char *buf, size_t n)
{
    char addr[INET6_ADDRSTRLEN];
    const uint8_t *a = c->addr + 12;

    if (buf == NULL || n == 0)
        return;
    if (c->is_v4) {
        snprintf(addr, sizeof(addr), "%u.%u.%u.%u", (unsigned)a[0],
                 (unsigned)a[1], (unsigned)a[2], (unsigned)a[3]);
    } else if (inet_ntop(AF_INET6, c->addr, addr, sizeof(addr)) == NULL) {
        addr[0] = '\0';
    }
    if (c->prefix == 128)
        snprintf(buf, n, "%s", addr);
    else
        snprintf(buf, n, "%s/%d", addr, c->is_v4 ? c->prefix - 96 : c->prefix);
}

/* ===================================================================== */
/* Host lists                                                            */
/* ===================================================================== */

/* is_host_char - a character allowed in a host or domain name. */
static int is_host_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

/* host_literal - "[ip]" at s[a, b); returns the index after ']'. */
static int host_literal(const char *s, size_t a, size_t b, size_t *after,
                        struct cfgv_err *e)
{
    const char *close = memchr(s + a, ']', b - a);
    char buf[INET6_ADDRSTRLEN];
    uint8_t bin[16];
    size_t n;

    if (close == NULL)
        return fail(e, a, b - a, "missing ']' in address literal '%.*s'",
                    qlen(b - a), s + a);
    *after = (size_t)(close - s) + 1;
    n = *after - a - 2;
    if (n > 0 && n < sizeof(buf)) {
        memcpy(buf, s + a + 1, n);
        buf[n] = '\0';
        if (inet_pton(AF_INET, buf, bin) == 1 ||
            inet_pton(AF_INET6, buf, bin) == 1)
            return 0;
    }
    return fail(e, a, *after - a, "invalid address literal '%.*s'",
                qlen(*after - a), s + a);
}

/* host_name - a host name or "lookup-mx:DOMAIN"; returns its end. */
static int host_name(const char *s, size_t a, size_t b, size_t *after,
                     struct cfgv_err *e)
{
    size_t start = a, p;

    if (b - a >= 10 && span_ieq(s, a, a + 10, "lookup-mx:"))
        start = a + 10;
    for (p = start; p < b && is_host_char(s[p]);)
        p++;
    if (p == start && start != a)
        return fail(e, a, 10, "missing domain after 'lookup-mx:'");
    if (p == start)
        return fail(e, p, 1, "invalid host '%.*s'", qlen(b - a), s + a);
    *after = p;
    return 0;
}

/* host_port - the optional ":port" at s[p, b), 1..65535. */
static int host_port(const char *s, size_t p, size_t b, int *port,
                     struct cfgv_err *e)
{
    long v = 0;

    *port = 0;
    if (p == b)
        return 0;
    if (s[p] != ':')
        return fail(e, p, 1, "unexpected character '%c' in host", s[p]);
    if (p + 1 == b)
        return fail(e, p, 1, "missing port after ':'");
    if (b - p - 1 > 5)
        return fail(e, p + 1, b - p - 1, "invalid port '%.*s'", qlen(b - p - 1),
                    s + p + 1);
    for (size_t i = p + 1; i < b; i++) {
        if (!is_digit(s[i]))
            return fail(e, p + 1, b - p - 1, "invalid port '%.*s'",
                        qlen(b - p - 1), s + p + 1);
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return fail(e, p + 1, b - p - 1, "invalid port '%.*s'", qlen(b - p - 1),
                    s + p + 1);
    *port = (int)v;
    return 0;
}

/* host_item - one host at s[a, b) (blanks around it allowed). */
static int host_item(const char *s, size_t a, size_t b, int level,
                     struct cfgv_hosts *out, size_t *cap, struct cfgv_err *e)
{
    size_t sep = b, name_end = a;
    struct cfgv_host h;

    while (a < b && is_space(s[a]))
        a++;
    while (b > a && is_space(s[b - 1]))
        b--;
    if (a == b)
        return fail(e, s[sep] ? sep : a - (a > 0), 1, "empty host in list");
    if (s[a] == '[' ? host_literal(s, a, b, &name_end, e) < 0
                    : host_name(s, a, b, &name_end, e) < 0)
        return -1;
    if (host_port(s, name_end, b, &h.port, e) < 0)
        return -1;
    h.name = xstrndup(s + a, name_end - a);
    if (s[a] != '[' && name_end - a > 10 &&
        span_ieq(s, a, a + 10, "lookup-mx:"))
        memcpy(h.name, "lookup-mx:", 10);
    h.level = level;
    XGROW(out->items, out->n, *cap);
    out->items[out->n++] = h;
    return 0;
}

/* cfgv_parse_hosts - "h1, h2; [10.1.1.1]:2525; lookup-mx:example.com". */
int cfgv_parse_hosts(const char *s, struct cfgv_hosts *out, struct cfgv_err *e)
{
    size_t pos = 0, end, cap = 0;
    int level = 0;

    out->items = NULL;
    out->n = 0;
    if (text_ok(s, e) < 0)
        return -1;
    for (;;) {
        for (end = pos; s[end] != '\0' && s[end] != ',' && s[end] != ';';)
            end++;
        if (host_item(s, pos, end, level, out, &cap, e) < 0) {
            cfgv_hosts_release(out);
            return -1;
        }
        if (s[end] == '\0')
            return 0;
        level += s[end] == ';';
        pos = end + 1;
    }
}

/* cfgv_hosts_release - free the names and the array; h is left empty. */
void cfgv_hosts_release(struct cfgv_hosts *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->items[i].name);
    free(h->items);
    h->items = NULL;
    h->n = 0;
}

/* ===================================================================== */
/* Formatting                                                            */
/* ===================================================================== */

/* put - append formatted text at *used, truncating at n - 1. */
CFGV_PRINTF(4, 5)
static void put(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (*used + 1 >= n)
        return;
    va_start(ap, fmt);
    r = vsnprintf(buf + *used, n - *used, fmt, ap);
    va_end(ap);
    if (r < 0)
        return;
    *used += (size_t)r < n - *used ? (size_t)r : n - *used - 1;
}

/* as_uint - 1 and *u when v is a whole number in [0, 2^63). */
static int as_uint(double v, uint64_t *u)
{
    if (!(v >= 0 && v < 9223372036854775808.0) || v != floor(v))
        return 0;
    *u = (uint64_t)v;
    return 1;
}

/* put_num - an integer without decimals, otherwise the shortest %g that
 * reads back the same value. */
static void put_num(char *buf, size_t n, size_t *used, double v)
{
    char tmp[40];
    uint64_t u;

    if (as_uint(v, &u)) {
        put(buf, n, used, "%llu", (unsigned long long)u);
        return;
    }
    snprintf(tmp, sizeof(tmp), "%.15g", v);
    if (strtod(tmp, NULL) != v)
        snprintf(tmp, sizeof(tmp), "%.17g", v);
    put(buf, n, used, "%s", tmp);
}

/* cfgv_format_time - "never", "0s", "1w2d12h", "1m30s", or "%gs". */
void cfgv_format_time(double s, char *buf, size_t n)
{
    static const char letters[] = "wdhms";
    static const uint64_t unit_s[] = { 604800, 86400, 3600, 60, 1 };
    size_t used = 0;
    uint64_t t;

    if (buf == NULL || n == 0)
        return;
    buf[0] = '\0';
    if (isinf(s) && s > 0) {
        put(buf, n, &used, "never");
    } else if (!as_uint(s, &t)) {
        put(buf, n, &used, "%gs", s);
    } else if (t == 0) {
        put(buf, n, &used, "0s");
    } else {
        for (int i = 0; i < 5; i++) {
            if (t >= unit_s[i])
                put(buf, n, &used, "%llu%c",
                    (unsigned long long)(t / unit_s[i]), letters[i]);
            t %= unit_s[i];
        }
    }
}

/* cfgv_format_rate - "unlimited", "0", "1000/h", "100/15m", "83/5s". */
void cfgv_format_rate(const struct cfgv_rate *r, char *buf, size_t n)
{
    static const char letters[] = "dhms";
    static const uint64_t unit_s[] = { 86400, 3600, 60, 1 };
    size_t used = 0;
    uint64_t w;
    int i;

    if (buf == NULL || n == 0)
        return;
    buf[0] = '\0';
    if (isinf(r->count) && r->count > 0) {
        put(buf, n, &used, "unlimited");
        return;
    }
    put_num(buf, n, &used, r->count);
    if (r->count == 0)
        return;
    if (!as_uint(r->window_s, &w) || w == 0) {
        put(buf, n, &used, "/%gs", r->window_s);
        return;
    }
    for (i = 0; w % unit_s[i] != 0; i++)
        continue;
    if (w == unit_s[i])
        put(buf, n, &used, "/%c", letters[i]);
    else
        put(buf, n, &used, "/%llu%c", (unsigned long long)(w / unit_s[i]),
            letters[i]);
}

/* cfgv_format_size - "unlimited", "250M", "1G", "100K", "512". */
void cfgv_format_size(double bytes, char *buf, size_t n)
{
    static const char letters[] = "TGMK";
    size_t used = 0;
    uint64_t b;

    if (buf == NULL || n == 0)
        return;
    buf[0] = '\0';
    if (isinf(bytes) && bytes > 0) {
        put(buf, n, &used, "unlimited");
        return;
    }
    if (!as_uint(bytes, &b) || b == 0) {
        put_num(buf, n, &used, bytes);
        return;
    }
    for (int i = 0; i < 4; i++) {
        uint64_t unit = (uint64_t)1 << (10 * (4 - i));
        if (b % unit == 0) {
            put(buf, n, &used, "%llu%c", (unsigned long long)(b / unit),
                letters[i]);
            return;
        }
    }
    put(buf, n, &used, "%llu", (unsigned long long)b);
}
