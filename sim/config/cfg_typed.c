/* cfg_typed.c - directive values by type: parse into a cfg_value, format
 * back into config syntax. The primitive parsers are in cfg_value.c; this
 * layer adds the directive types of cfg_directive.h (priorities, CIDR-keyed
 * limits, names that "" clears) and keeps everything in the model's arena. */
#include "config/cfg_model_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct cfgv_err *e, size_t off, size_t len, const char *msg)
{
    snprintf(e->msg, sizeof(e->msg), "%s", msg);
    e->offset = off;
    e->len = len ? len : 1;
    return -1;
}

/* parse_list - a malloc'ed list from cfg_value.c, copied into the arena. */
static void keep_list(struct arena *a, double *list, size_t n,
                      struct cfg_value *v)
{
    v->list = arena_memdup(a, list, n * sizeof(*list));
    v->n_list = n;
    free(list);
}

/* parse_word - NAME: one word; "" (empty) leaves the value unset. */
static int parse_word(const char *text, struct cfg_value *v, struct cfgv_err *e)
{
    const char *sp = strpbrk(text, " \t");
    if (sp)
        return fail(e, (size_t)(sp - text), 1, "expected a single name");
    if (text[0] == '\0')
        v->set = 0;
    return 0;
}

/* parse_cidr_keyed - "CIDR VALUE" for the source-ip-* directives. */
static int parse_cidr_keyed(struct arena *a, enum cfg_type type,
                            const char *text, struct cfg_value *v,
                            struct cfgv_err *e)
{
    const char *sp = strpbrk(text, " \t");
    if (sp == NULL)
        return fail(e, strlen(text), 1,
                    "expected a source address (CIDR) and a value");
    char *net = xstrndup(text, (size_t)(sp - text));
    const char *rest = sp;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    size_t roff = (size_t)(rest - text);
    struct cfg_cidr_value cv;
    memset(&cv, 0, sizeof(cv));
    int rc = cfgv_parse_cidr(net, &cv.net, e);
    free(net);
    if (rc)
        return rc;
    int64_t n;
    if (type == CFG_T_CIDR_COUNT) {
        rc = cfgv_parse_count(rest, &n, CFGV_ALLOW_UNLIMITED, e);
        cv.count = n == CFGV_UNLIMITED ? (double)INFINITY : (double)n;
    } else if (type == CFG_T_CIDR_RATE) {
        rc = cfgv_parse_rate(rest, &cv.rate, CFGV_ALLOW_ZERO, e);
    } else {
        rc = cfgv_parse_data_rate(rest, &cv.rate, e);
    }
    if (rc) {
        e->offset += roff;
        return rc;
    }
    v->cidr = arena_memdup(a, &cv, sizeof(cv));
    v->n_cidr = 1;
    return 0;
}

/* parse_count_type - COUNT, COUNT_UNL and PRIORITY. */
static int parse_count_type(enum cfg_type type, const char *text,
                            struct cfg_value *v, struct cfgv_err *e)
{
    int64_t n;
    unsigned flags = type == CFG_T_COUNT_UNL ? CFGV_ALLOW_UNLIMITED : 0;
    if (cfgv_parse_count(text, &n, flags, e))
        return -1;
    if (type == CFG_T_PRIORITY && n > 100)
        return fail(e, 0, strlen(text), "priority must be 0 to 100");
    v->num = n == CFGV_UNLIMITED ? (double)INFINITY : (double)n;
    return 0;
}

static int parse_delivery_type(const char *text, struct cfg_value *v,
                               struct cfgv_err *e)
{
    static const char *const types[] = { "smtp", "pipe", "file", "discard",
                                         "http-delivery" };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(text, types[i]) == 0) {
            v->num = (double)i;
            return 0;
        }
    return fail(e, 0, strlen(text),
                "expected smtp, pipe, file, discard or http-delivery");
}

static int parse_bool_or_time(const char *text, struct cfg_value *v,
                              struct cfgv_err *e)
{
    int b;
    if (cfgv_parse_bool(text, &b, e) == 0) {
        v->num = b;
        return 0;
    }
    if (cfgv_parse_time(text, &v->num, 0, e))
        return fail(e, 0, strlen(text), "expected yes, no or an interval");
    v->is_time = 1;
    return 0;
}

/* parse_by_type - the type switch; v->set is already 1. */
static int parse_by_type(struct arena *a, enum cfg_type type, const char *text,
                         struct cfg_value *v, struct cfgv_err *e)
{
    int b;
    double *list;
    size_t n;
    switch (type) {
    case CFG_T_BOOL:
        if (cfgv_parse_bool(text, &b, e))
            return -1;
        v->num = b;
        return 0;
    case CFG_T_COUNT:
    case CFG_T_COUNT_UNL:
    case CFG_T_PRIORITY:
        return parse_count_type(type, text, v, e);
    case CFG_T_TIME:
        return cfgv_parse_time(text, &v->num, 0, e);
    case CFG_T_TIME_NEVER:
        return cfgv_parse_time(text, &v->num, CFGV_ALLOW_NEVER, e);
    case CFG_T_TIME_LIST:
    case CFG_T_DAILY:
        if ((type == CFG_T_TIME_LIST ? cfgv_parse_time_list(text, &list, &n, e)
                                     : cfgv_parse_daily(text, &list, &n, e)))
            return -1;
        keep_list(a, list, n, v);
        return 0;
    case CFG_T_RATE:
        return cfgv_parse_rate(text, &v->rate, CFGV_ALLOW_ZERO, e);
    case CFG_T_DATA_RATE:
        return cfgv_parse_data_rate(text, &v->rate, e);
    case CFG_T_SIZE:
        return cfgv_parse_size(text, &v->num, CFGV_ALLOW_UNLIMITED, e);
    case CFG_T_NAME:
        return parse_word(text, v, e);
    case CFG_T_HOSTS: {
        struct cfgv_hosts h;
        if (cfgv_parse_hosts(text, &h, e))
            return -1;
        cfgv_hosts_release(&h);
        return 0;
    }
    case CFG_T_CIDR_COUNT:
    case CFG_T_CIDR_RATE:
    case CFG_T_CIDR_DATA_RATE:
        return parse_cidr_keyed(a, type, text, v, e);
    case CFG_T_BOOL_OR_TIME:
        return parse_bool_or_time(text, v, e);
    case CFG_T_DELIVERY_TYPE:
        return parse_delivery_type(text, v, e);
    case CFG_T_TEXT:
    case CFG_T_SPECIAL:
    case CFG_T_ENUM: /* these need the row: cfg_value_check_row */
    case CFG_T_COUNT_OR:
    case CFG_T_WORDS2:
    case CFG_T_DOMAIN_KEY:
    case CFG_T_LISTENER:
        return 0;
    }
    return 0;
}

/* check_choice - one of d->choices, or (CFG_T_COUNT_OR) a count. */
static int check_choice(const struct cfg_directive *d, const char *text,
                        struct cfgv_err *e)
{
    int64_t n;
    if (cfg_choice_ok(d->choices, text))
        return 0;
    if (d->type == CFG_T_COUNT_OR && cfgv_parse_count(text, &n, 0, e) == 0)
        return 0;
    char msg[120];
    snprintf(msg, sizeof(msg), "expected %s%s",
             d->type == CFG_T_COUNT_OR ? "a number or " : "one of ",
             d->choices);
    for (char *c = msg; *c; c++)
        if (*c == '|')
            *c = ',';
    return fail(e, 0, strlen(text), msg);
}

/* count_words - blank-separated words in text. */
static size_t count_words(const char *text, size_t *second_off)
{
    size_t n = 0;
    for (const char *s = text; *s;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        if (n++ == 2 && second_off)
            *second_off = (size_t)(s - text);
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return n;
}

/* check_domain_key - "SELECTOR, DOMAIN, KEY" (UG5 §3.3.1.43.1). */
static int check_domain_key(const char *text, struct cfgv_err *e)
{
    size_t parts = 0;
    for (const char *s = text;; s++) {
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        const char *a = s;
        while (a < end && (*a == ' ' || *a == '\t'))
            a++;
        if (a == end)
            return fail(
                e, (size_t)(a - text), 1,
                "expected 'SELECTOR, DOMAIN, KEY-FILE' (an empty part)");
        parts++;
        if (comma == NULL)
            break;
        s = comma;
    }
    if (parts != 3)
        return fail(e, 0, strlen(text),
                    "expected 'SELECTOR, DOMAIN, KEY-FILE' (three parts "
                    "separated by commas)");
    return 0;
}

/* check_listener - "ADDRESS:PORT [KEY=VALUE ...]" (UG5 §3.3.1.24). The
 * address is an IP or CIDR (IPv6 in brackets), the port 1..65535. */
static int check_listener(const char *text, struct cfgv_err *e)
{
    size_t len = strcspn(text, " \t");
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (text[i] == ':')
            colon = text + i;
    if (colon == NULL)
        return fail(e, 0, len, "expected ADDRESS:PORT");
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end != text + len || end == colon + 1 || port < 1 || port > 65535)
        return fail(e, (size_t)(colon + 1 - text),
                    len - (size_t)(colon + 1 - text),
                    "expected a port number from 1 to 65535");
    size_t alen = (size_t)(colon - text);
    const char *addr = text;
    if (alen >= 2 && addr[0] == '[' && addr[alen - 1] == ']')
        addr++, alen -= 2;
    char *a = xstrndup(addr, alen);
    struct cfgv_cidr c;
    int rc = cfgv_parse_cidr(a, &c, e);
    free(a);
    if (rc)
        return fail(e, 0, (size_t)(colon - text),
                    "expected an IP address or CIDR");
    for (const char *s = text + len; *s;) {
        while (*s == ' ' || *s == '\t')
            s++;
        size_t w = strcspn(s, " \t");
        if (w && memchr(s, '=', w) == NULL)
            return fail(e, (size_t)(s - text), w, "expected KEY=VALUE");
        s += w;
    }
    return 0;
}

int cfg_value_check_row(const struct cfg_directive *d, const char *text,
                        int quoted, struct cfgv_err *e)
{
    size_t off = 0;
    memset(e, 0, sizeof(*e));
    switch (d->type) {
    case CFG_T_ENUM:
    case CFG_T_COUNT_OR:
        return check_choice(d, text, e);
    case CFG_T_WORDS2:
        if (count_words(text, &off) == 2)
            return 0;
        return fail(e, off, off ? strlen(text) - off : strlen(text),
                    off ? "extra text: expected two words"
                        : "expected two words");
    case CFG_T_DOMAIN_KEY:
        return check_domain_key(text, e);
    case CFG_T_LISTENER:
        return check_listener(text, e);
    case CFG_T_NAME:
        if (quoted)
            return 0; /* a quoted value may hold blanks */
        break;
    default:
        break;
    }
    return 0;
}

int cfg_value_parse(struct arena *a, enum cfg_type type, const char *text,
                    struct cfg_value *v, struct cfgv_err *e)
{
    memset(v, 0, sizeof(*v));
    v->set = 1;
    memset(e, 0, sizeof(*e));
    int textual =
        type == CFG_T_NAME || type == CFG_T_TEXT || type == CFG_T_HOSTS;
    if (textual && text[0] == '\0') {
        v->set = 0;
        v->str = "";
        return 0;
    }
    if (parse_by_type(a, type, text, v, e))
        return -1;
    if (type == CFG_T_NAME || type == CFG_T_TEXT || type == CFG_T_HOSTS ||
        type == CFG_T_DELIVERY_TYPE || type >= CFG_T_SPECIAL) {
        v->str = arena_strdup(a, text);
        if (text[0] == '\0' && type != CFG_T_SPECIAL)
            v->set = 0;
    } else {
        char buf[256];
        cfg_value_format(v, type, buf, sizeof(buf));
        v->str = arena_strdup(a, buf);
    }
    return 0;
}

/* format_list - "10m,1h" or "100/d,200/d". */
static void format_list(const struct cfg_value *v, int daily, char *buf,
                        size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n_list && o + 1 < n; i++) {
        char t[40];
        if (daily)
            snprintf(t, sizeof(t), "%.0f/d", v->list[i]);
        else
            cfgv_format_time(v->list[i], t, sizeof(t));
        int w = snprintf(buf + o, n - o, "%s%s", i ? "," : "", t);
        if (w < 0)
            return;
        o += (size_t)w;
    }
}

/* format_cidr - "CIDR VALUE[; CIDR VALUE...]" for the source-ip-* types. */
static void format_cidr(const struct cfg_value *v, enum cfg_type type,
                        char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n_cidr && o + 1 < n; i++) {
        char net[64], val[40];
        cfgv_format_cidr(&v->cidr[i].net, net, sizeof(net));
        if (type == CFG_T_CIDR_COUNT && isinf(v->cidr[i].count))
            snprintf(val, sizeof(val), "unlimited");
        else if (type == CFG_T_CIDR_COUNT)
            snprintf(val, sizeof(val), "%.0f", v->cidr[i].count);
        else
            cfgv_format_rate(&v->cidr[i].rate, val, sizeof(val));
        int w = snprintf(buf + o, n - o, "%s%s %s", i ? "; " : "", net, val);
        if (w < 0)
            return;
        o += (size_t)w;
    }
}

static void format_num(double x, char *buf, size_t n)
{
    if (isinf(x))
        snprintf(buf, n, "unlimited");
    else
        snprintf(buf, n, "%.0f", x);
}

void cfg_value_format(const struct cfg_value *v, enum cfg_type type, char *buf,
                      size_t n)
{
    static const char *const types[] = { "smtp", "pipe", "file", "discard",
                                         "http-delivery" };
    if (!v->set) {
        snprintf(buf, n, "%s", "(none)");
        return;
    }
    switch (type) {
    case CFG_T_BOOL:
        snprintf(buf, n, "%s", v->num != 0 ? "yes" : "no");
        return;
    case CFG_T_COUNT:
    case CFG_T_COUNT_UNL:
    case CFG_T_PRIORITY:
        format_num(v->num, buf, n);
        return;
    case CFG_T_TIME:
    case CFG_T_TIME_NEVER:
        cfgv_format_time(v->num, buf, n);
        return;
    case CFG_T_TIME_LIST:
    case CFG_T_DAILY:
        format_list(v, type == CFG_T_DAILY, buf, n);
        return;
    case CFG_T_RATE:
    case CFG_T_DATA_RATE:
        if (type == CFG_T_DATA_RATE && !isinf(v->rate.count)) {
            char sz[40], r[40];
            struct cfgv_rate one = { 1, v->rate.window_s };
            cfgv_format_size(v->rate.count, sz, sizeof(sz));
            cfgv_format_rate(&one, r, sizeof(r));
            snprintf(buf, n, "%s%s", sz, strchr(r, '/'));
            return;
        }
        cfgv_format_rate(&v->rate, buf, n);
        return;
    case CFG_T_SIZE:
        cfgv_format_size(v->num, buf, n);
        return;
    case CFG_T_CIDR_COUNT:
    case CFG_T_CIDR_RATE:
    case CFG_T_CIDR_DATA_RATE:
        format_cidr(v, type, buf, n);
        return;
    case CFG_T_BOOL_OR_TIME:
        if (v->is_time)
            cfgv_format_time(v->num, buf, n);
        else
            snprintf(buf, n, "%s", v->num != 0 ? "yes" : "no");
        return;
    case CFG_T_DELIVERY_TYPE:
        snprintf(buf, n, "%s", types[(int)v->num % 5]);
        return;
    case CFG_T_NAME:
    case CFG_T_TEXT:
    case CFG_T_HOSTS:
    case CFG_T_SPECIAL:
    case CFG_T_ENUM:
    case CFG_T_COUNT_OR:
    case CFG_T_WORDS2:
    case CFG_T_DOMAIN_KEY:
    case CFG_T_LISTENER:
        snprintf(buf, n, "%s", v->str ? v->str : "");
        return;
    }
}
