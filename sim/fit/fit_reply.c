/* fit_reply.c - reply texts: normalised, grouped and classified.
 *
 * A reply is classified by the provider's own texts first (the shipped
 * model's throttle, connection, message-cap, transient, unknown-user and
 * block replies, compared with IP literals masked), then by its code and
 * wording: providers reuse a handful of texts, and the shipped models
 * carry the ones seen in public. Grouping keys keep what identifies a
 * reply across IPs and hosts: the code, the enhanced status and the
 * provider's own token (RP-001, TSS04, S3150, ...). */
#define _GNU_SOURCE /* strcasestr */
#include "fit/fit_int.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *fit_class_name(enum fit_class c)
{
    static const char *const names[FC_N] = {
        "delivered",   "throttle",  "connection-limit",
        "message-cap", "transient", "unknown-user",
        "block",       "other-5xx", "mta-side"
    };
    return c < FC_N ? names[c] : "?";
}

const char *fit_reply_text(const char *diag)
{
    while (*diag == ' ')
        diag++;
    if (strncasecmp(diag, "smtp;", 5) == 0)
        diag += 5;
    while (*diag == ' ')
        diag++;
    return diag;
}

/* ipv4_len - length of an IPv4 literal at s, or 0. */
static size_t ipv4_len(const char *s)
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        size_t digits = 0;
        while (isdigit((unsigned char)s[i]) && digits < 3) {
            i++;
            digits++;
        }
        if (digits == 0)
            return 0;
        if (part < 3) {
            if (s[i] != '.')
                return 0;
            i++;
        }
    }
    return isdigit((unsigned char)s[i]) ? 0 : i;
}

/* mask_ips - text with IPv4 literals (and "{ip}") replaced by mask. */
static char *mask_ips(const char *text, const char *mask, int lower)
{
    size_t n = strlen(text), mlen = strlen(mask);
    char *out = xmalloc(n * (mlen + 1) + 1), *o = out;
    int blank = 0;

    for (const char *s = text; *s;) {
        size_t k =
            (s == text || !isdigit((unsigned char)s[-1])) ? ipv4_len(s) : 0;
        if (k == 0 && strncmp(s, "{ip}", 4) == 0)
            k = 4;
        if (k) {
            memcpy(o, mask, mlen);
            o += mlen;
            s += k;
            blank = 0;
            continue;
        }
        unsigned char c = (unsigned char)*s++;
        if (lower && isspace(c)) {
            if (!blank && o > out)
                *o++ = ' ';
            blank = 1;
            continue;
        }
        blank = 0;
        *o++ = (char)(lower ? tolower(c) : c);
    }
    while (lower && o > out && o[-1] == ' ')
        o--;
    *o = '\0';
    return out;
}

char *fit_reply_norm(const char *text)
{
    return mask_ips(text, "#", 1);
}

char *fit_reply_sample(const char *text)
{
    return mask_ips(text, "{ip}", 0);
}

/* is_status - an enhanced status code "d.d{1,3}.d{1,3}" of length n. */
static int is_status(const char *s, size_t n)
{
    size_t dots = 0;

    if (n < 5 || !strchr("245", s[0]) || s[1] != '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)s[i]))
            return 0;
    }
    return dots == 2 && s[n - 1] != '.';
}

/* is_token - a provider's own code: letters then digits, e.g. RP-001,
 * TSS04, S3150, AUP#1260 (at least one capital and two digits). */
static int is_token(const char *s, size_t n)
{
    size_t upper = 0, digits = 0, i = 0;

    while (i < n && isupper((unsigned char)s[i])) {
        i++;
        upper++;
    }
    if (upper == 0 || upper > 5)
        return 0;
    if (i < n && (s[i] == '-' || s[i] == '#'))
        i++;
    while (i < n && isdigit((unsigned char)s[i])) {
        i++;
        digits++;
    }
    return i == n && digits >= 2 && digits <= 6;
}

void fit_reply_key(const char *text, char *key, size_t n)
{
    char status[16] = "", token[16] = "";
    const char *s = text;
    size_t len;

    /* the code: "421", "421-4.7.28" */
    len = strspn(s, "0123456789");
    snprintf(key, n, "%.*s", (int)(len == 3 ? 3 : 0), s);
    s += len;
    while (*s) {
        s += strspn(s, " -([<:;,\t");
        len = strcspn(s, " ()[]<>:;,\t");
        if (len == 0) {
            if (*s)
                s++;
            continue;
        }
        size_t tl = len;
        while (tl > 0 && s[tl - 1] == '.')
            tl--; /* "TSS04." */
        if (!status[0] && tl < sizeof(status) && is_status(s, tl))
            snprintf(status, sizeof(status), "%.*s", (int)tl, s);
        else if (!token[0] && tl < sizeof(token) && is_token(s, tl))
            snprintf(token, sizeof(token), "%.*s", (int)tl, s);
        s += len;
    }
    size_t k = strlen(key);
    if (status[0])
        k += (size_t)snprintf(key + k, k < n ? n - k : 0, " %s", status);
    if (token[0] && k < n)
        snprintf(key + k, n - k, " %s", token);
}

/* has - case-insensitive substring. */
static int has(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}

/* by_wording - the class of a reply no model text matched. */
static enum fit_class by_wording(const char *t, const char *cat, int tq)
{
    int code5 = t[0] == '5';

    if (code5) {
        if (!strcmp(cat, "bad-mailbox") || !strcmp(cat, "inactive-mailbox") ||
            has(t, "5.1.1") || has(t, "user unknown") ||
            has(t, "unknown user") || has(t, "no such user") ||
            has(t, "does not exist") || has(t, "mailbox unavailable"))
            return FC_UNKNOWN_USER;
        if (!strcmp(cat, "policy-related") || !strcmp(cat, "spam-related") ||
            has(t, "5.7.") || has(t, "block") || has(t, "blacklist") ||
            has(t, "spamhaus") || has(t, "reputation") || has(t, "policy"))
            return FC_BLOCK;
        return FC_OTHER_5XX;
    }
    if (has(t, "connections") || has(t, "sessions") ||
        has(t, "too many concurrent"))
        return FC_CONN_LIMIT;
    if (has(t, "per connection") || has(t, "this connection") ||
        has(t, "per session") || has(t, "message per connection"))
        return FC_MSG_CAP;
    if (has(t, "rate") || has(t, "limit") || has(t, "throttl") ||
        has(t, "too many messages") || has(t, "4.7.28") || has(t, "TS0") ||
        has(t, "TSS0") || has(t, "RP-001") || has(t, "deferred") ||
        has(t, "try again later"))
        return FC_THROTTLE;
    (void)tq;
    return FC_TRANSIENT;
}

enum fit_class fit_reply_class(const struct fit_prov *p, const char *text,
                               const char *bounce_cat, int tq)
{
    static const enum fit_class order[] = { FC_THROTTLE,     FC_CONN_LIMIT,
                                            FC_MSG_CAP,      FC_TRANSIENT,
                                            FC_UNKNOWN_USER, FC_BLOCK };
    if (!(text[0] >= '2' && text[0] <= '5' && isdigit((unsigned char)text[1]) &&
          isdigit((unsigned char)text[2])) ||
        !strcmp(bounce_cat, "message-expired"))
        return FC_MTA; /* no SMTP reply: expired, or no answer at all */
    if (p) {
        char *norm = fit_reply_norm(text);
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
            const char *t = p->tmpl.norm[order[i]];
            if (t && strcmp(t, norm) == 0) {
                free(norm);
                return order[i];
            }
        }
        free(norm);
    }
    return by_wording(text, bounce_cat, tq);
}
