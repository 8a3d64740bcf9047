/* prov_params.c - load one provider model (models/NAME.json) and validate
 * it, naming the JSON path of every error.
 *
 * The schema is documented key by key in docs/providers.md. A mechanism
 * whose object is absent is off; inside a present object, absent keys
 * take the documented defaults (the generic column of docs/providers.md). */
#include "provider/prov_int.h"
#include "util/strbuf.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROV_PATH_MAX 160
#define N_ELEM(a)     (sizeof(a) / sizeof((a)[0]))

/* Default reply texts [A]; the generic defaults of docs/providers.md. */
static const char *const prov_default_text[PROV_N_TEXT] = {
    "421 4.7.0 Try again later",
    "421 4.7.0 Too many connections, try again later",
    "421 4.7.0 Too many messages on this connection, closing connection",
    "451 4.3.0 Temporary failure, try again later",
    "550 5.1.1 User unknown",
    "554 5.7.1 Service unavailable; client host [{ip}] blocked",
};

/* What a number must be; each kind has its own error message. */
enum prov_num_kind {
    PROV_NUM_POS,    /* > 0 */
    PROV_NUM_NONNEG, /* >= 0 */
    PROV_NUM_UNIT,   /* 0..1 */
    PROV_NUM_COUNT,  /* whole number >= 0 */
    PROV_NUM_HOURS,  /* (0, 24] */
    PROV_NUM_GE1     /* >= 1 */
};

/* The loader's context: where errors go. */
struct prov_ld {
    const char *file;
    struct diag_list *dl;
    int errors;
};

/* ld_error - one error about the value at JSON path. */
static void ld_error(struct prov_ld *ld, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ld_error(struct prov_ld *ld, const char *path, const char *fmt, ...)
{
    struct strbuf sb;
    va_list ap;

    strbuf_init(&sb);
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_add(ld->dl, DIAG_ERROR, ld->file, 0, 0, "%s: %s", path, sb.buf);
    strbuf_release(&sb);
    ld->errors++;
}

/* ld_path - parent.key into buf. */
static const char *ld_path(char *buf, const char *parent, const char *key)
{
    /* Paths are short; a cut one still names the place of the error. */
    size_t n = strlen(parent);
    if (n > PROV_PATH_MAX - 2)
        n = PROV_PATH_MAX - 2;
    memmove(buf, parent, n);
    buf[n] = '.';
    size_t k = strlen(key);
    if (k > PROV_PATH_MAX - n - 2)
        k = PROV_PATH_MAX - n - 2;
    memcpy(buf + n + 1, key, k);
    buf[n + 1 + k] = '\0';
    return buf;
}

/* ld_keys - every key of obj must be in allowed (keys starting with '_'
 * are comments); a typo gets a suggestion. */
static void ld_keys(struct prov_ld *ld, const cJSON *obj, const char *path,
                    const char *const *allowed, size_t n)
{
    char sub[PROV_PATH_MAX];

    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t i = 0;
        if (c->string[0] == '_')
            continue;
        while (i < n && strcmp(c->string, allowed[i]) != 0)
            i++;
        ld_path(sub, path, c->string);
        if (cJSON_GetObjectItemCaseSensitive(obj, c->string) != c) {
            ld_error(ld, sub, "duplicate key");
        } else if (i == n) {
            const char *near = str_closest(c->string, allowed, n);
            if (near)
                ld_error(ld, sub, "unknown key; did you mean '%s'?", near);
            else
                ld_error(ld, sub, "unknown key");
        }
    }
}

/* ld_num_ok - whether v is of kind; else an error at path. */
static int ld_num_ok(struct prov_ld *ld, const char *path, double v,
                     enum prov_num_kind kind)
{
    switch (kind) {
    case PROV_NUM_POS:
        if (v > 0)
            return 1;
        ld_error(ld, path, "expected a number greater than 0, got %g", v);
        return 0;
    case PROV_NUM_NONNEG:
        if (v >= 0)
            return 1;
        ld_error(ld, path, "expected a number >= 0, got %g", v);
        return 0;
    case PROV_NUM_UNIT:
        if (v >= 0 && v <= 1)
            return 1;
        ld_error(ld, path, "expected a number between 0 and 1, got %g", v);
        return 0;
    case PROV_NUM_COUNT:
        if (v >= 0 && v <= INT_MAX && v == floor(v))
            return 1;
        ld_error(ld, path, "expected a whole number >= 0, got %g", v);
        return 0;
    case PROV_NUM_HOURS:
        if (v > 0 && v <= 24)
            return 1;
        ld_error(ld, path, "expected a number of hours in (0, 24], got %g", v);
        return 0;
    case PROV_NUM_GE1:
        if (v >= 1)
            return 1;
        ld_error(ld, path, "expected a number >= 1, got %g", v);
        return 0;
    }
    return 0;
}

/* ld_num - obj.key into *out when present and valid; returns 1 when set,
 * 0 when absent (out untouched), -1 on error. */
static int ld_num(struct prov_ld *ld, const cJSON *obj, const char *path,
                  const char *key, enum prov_num_kind kind, double *out)
{
    char sub[PROV_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (v == NULL)
        return 0;
    ld_path(sub, path, key);
    if (!cJSON_IsNumber(v)) {
        ld_error(ld, sub, "expected a number");
        return -1;
    }
    if (!ld_num_ok(ld, sub, v->valuedouble, kind))
        return -1;
    *out = v->valuedouble;
    return 1;
}

/* ld_need - a required number: like ld_num, but absence is an error. */
static int ld_need(struct prov_ld *ld, const cJSON *obj, const char *path,
                   const char *key, enum prov_num_kind kind, double *out)
{
    int rc = ld_num(ld, obj, path, key, kind, out);
    if (rc == 0)
        ld_error(ld, path, "missing '%s'", key);
    return rc;
}

/* ld_reply_code - the code of an SMTP reply line, or -1 when it does not
 * start with a code from 200 to 599 followed by ' ', '-' or the end. */
static int ld_reply_code(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    if (s[3] != '\0' && s[3] != ' ' && s[3] != '-')
        return -1;
    int code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return code >= 200 && code <= 599 ? code : -1;
}

/* ld_reply - obj.key as reply text id of m; cls 4 or 5 is the required
 * class, 0 allows both. Absent keeps the default. */
static void ld_reply(struct prov_ld *ld, const cJSON *obj, const char *path,
                     const char *key, int cls, enum prov_text_id id,
                     struct prov_model *m)
{
    char sub[PROV_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (v == NULL)
        return;
    ld_path(sub, path, key);
    if (!cJSON_IsString(v)) {
        ld_error(ld, sub, "expected a string");
        return;
    }
    int code = ld_reply_code(v->valuestring);
    if (code < 0) {
        ld_error(ld, sub,
                 "expected an SMTP reply starting with a 3-digit "
                 "code, such as '421 4.7.0 Try again later'");
        return;
    }
    if ((cls && code / 100 != cls) || (!cls && code / 100 < 4)) {
        ld_error(ld, sub, "expected a %s reply, got code %d",
                 cls == 5   ? "5xx"
                 : cls == 4 ? "4xx"
                            : "4xx or 5xx",
                 code);
        return;
    }
    free(m->tmpl[id]);
    m->tmpl[id] = xstrdup(v->valuestring);
    m->code[id] = code;
}

/* ld_object - obj.key when it is an object; NULL when absent or (with an
 * error) not an object. */
static const cJSON *ld_object(struct prov_ld *ld, const cJSON *obj,
                              const char *path, const char *key)
{
    char sub[PROV_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (v == NULL || cJSON_IsObject(v))
        return v;
    ld_error(ld, ld_path(sub, path, key), "expected an object");
    return NULL;
}

/* ld_has_space - whether s contains white space. */
static int ld_has_space(const char *s)
{
    return strpbrk(s, " \t\r\n") != NULL;
}

/* ld_names - obj.key as a list of host or domain names (lower-cased). */
static void ld_names(struct prov_ld *ld, const cJSON *obj, const char *key,
                     char ***out, size_t *n)
{
    char sub[PROV_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    size_t i = 0, cap = 0;

    if (v == NULL) {
        ld_error(ld, "$", "missing '%s'", key);
        return;
    }
    ld_path(sub, "$", key);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
        ld_error(ld, sub, "expected a non-empty list of strings");
        return;
    }
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(sub, sizeof(sub), "$.%s[%zu]", key, i);
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0' ||
            ld_has_space(e->valuestring)) {
            ld_error(ld, sub, "expected a name without spaces");
            continue;
        }
        char *name = str_lower(xstrdup(e->valuestring));
        for (size_t j = 0; j < *n; j++)
            if (strcmp((*out)[j], name) == 0)
                ld_error(ld, sub, "duplicate name '%s'", name);
        XGROW(*out, *n, cap);
        (*out)[(*n)++] = name;
    }
}

/* ld_mx_ips - $.mx[i].ips: the host's destination IPs (IPv4 or IPv6
 * literals), for ip-connection-limit and dlvDestinationIp. */
static void ld_mx_ips(struct prov_ld *ld, const cJSON *v, const char *path,
                      struct prov_model *m, size_t i)
{
    char sub[PROV_PATH_MAX];
    unsigned char buf[16];
    size_t k = 0;

    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
        ld_error(ld, path, "expected a non-empty list of IP addresses");
        return;
    }
    m->mx_ips[i] = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(char *));
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, k);
        if (!cJSON_IsString(e) ||
            (inet_pton(AF_INET, e->valuestring, buf) != 1 &&
             inet_pton(AF_INET6, e->valuestring, buf) != 1)) {
            ld_error(ld, sub, "expected an IPv4 or IPv6 address");
            continue;
        }
        m->mx_ips[i][m->mx_n_ips[i]++] = xstrdup(e->valuestring);
    }
}

/* ld_mx_host - $.mx[i] in the object form {"host": NAME, "preference": N,
 * "ips": [...]}; returns the host name (NULL on error). */
static char *ld_mx_host(struct prov_ld *ld, const cJSON *e, const char *path,
                        struct prov_model *m, size_t i)
{
    static const char *const keys[] = { "host", "preference", "ips", "refuse" };
    char sub[PROV_PATH_MAX];
    double pref = (double)i;

    ld_keys(ld, e, path, keys, N_ELEM(keys));
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "host");
    if (!cJSON_IsString(h) || h->valuestring[0] == '\0' ||
        ld_has_space(h->valuestring)) {
        ld_error(ld, ld_path(sub, path, "host"),
                 "expected a host name without spaces");
        return NULL;
    }
    if (ld_num(ld, e, path, "preference", PROV_NUM_COUNT, &pref) > 0 &&
        (pref < 0 || pref > 65535))
        ld_error(ld, ld_path(sub, path, "preference"),
                 "expected an MX preference 0..65535, got %g", pref);
    m->mx_pref[i] = (int)pref;
    const cJSON *ips = cJSON_GetObjectItemCaseSensitive(e, "ips");
    if (ips)
        ld_mx_ips(ld, ips, ld_path(sub, path, "ips"), m, i);
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(e, "refuse");
    int code = cJSON_IsString(rf) ? ld_reply_code(rf->valuestring) : -1;
    if (rf && (code < 400 || code > 599))
        ld_error(ld, ld_path(sub, path, "refuse"),
                 "expected a 4xx or 5xx SMTP reply, such as '421 4.3.2 "
                 "Service not available'");
    else if (rf)
        m->mx_refuse[i] = xstrdup(rf->valuestring);
    return str_lower(xstrdup(h->valuestring));
}

/* ld_mx - $.mx: the MX hosts, each a name (preference: its place in the
 * list) or an object with its preference and destination IPs. */
static void ld_mx(struct prov_ld *ld, const cJSON *root, struct prov_model *m)
{
    char sub[PROV_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "mx");
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;

    if (!cJSON_IsArray(v) || n == 0) {
        ld_error(ld, "$.mx", "expected a non-empty list of MX hosts");
        return;
    }
    m->mx = xcalloc(n, sizeof(*m->mx));
    m->mx_pref = xcalloc(n, sizeof(*m->mx_pref));
    m->mx_ips = xcalloc(n, sizeof(*m->mx_ips));
    m->mx_n_ips = xcalloc(n, sizeof(*m->mx_n_ips));
    m->mx_refuse = xcalloc(n, sizeof(*m->mx_refuse));
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(sub, sizeof(sub), "$.mx[%zu]", i);
        char *name = NULL;
        m->mx_pref[i] = (int)i;
        if (cJSON_IsObject(e))
            name = ld_mx_host(ld, e, sub, m, i);
        else if (cJSON_IsString(e) && e->valuestring[0] != '\0' &&
                 !ld_has_space(e->valuestring))
            name = str_lower(xstrdup(e->valuestring));
        else
            ld_error(ld, sub,
                     "expected a host name without spaces or an object "
                     "{\"host\", \"preference\", \"ips\"}");
        for (size_t j = 0; name && j < i; j++)
            if (m->mx[j] && strcmp(m->mx[j], name) == 0)
                ld_error(ld, sub, "duplicate name '%s'", name);
        m->mx[i] = name ? name : xstrdup("");
        m->n_mx = i + 1;
    }
}

/* ld_dist - latency.key: {"dist": "fixed"|"exponential"|"lognormal",
 * ...}. */
static void ld_dist(struct prov_ld *ld, const cJSON *lat, const char *key,
                    struct prov_dist *d)
{
    static const char *const k_fixed[] = { "dist", "s" };
    static const char *const k_exp[] = { "dist", "mean_s" };
    static const char *const k_logn[] = { "dist", "median_s", "sigma" };
    char path[PROV_PATH_MAX], sub[PROV_PATH_MAX];
    const cJSON *o = ld_object(ld, lat, "$.latency", key);

    if (o == NULL)
        return;
    ld_path(path, "$.latency", key);
    const cJSON *dist = cJSON_GetObjectItemCaseSensitive(o, "dist");
    const char *name = cJSON_IsString(dist) ? dist->valuestring : "";
    if (strcmp(name, "fixed") == 0) {
        d->kind = PROV_DIST_FIXED;
        ld_keys(ld, o, path, k_fixed, N_ELEM(k_fixed));
        ld_need(ld, o, path, "s", PROV_NUM_NONNEG, &d->value_s);
    } else if (strcmp(name, "exponential") == 0) {
        d->kind = PROV_DIST_EXPONENTIAL;
        ld_keys(ld, o, path, k_exp, N_ELEM(k_exp));
        ld_need(ld, o, path, "mean_s", PROV_NUM_POS, &d->value_s);
    } else if (strcmp(name, "lognormal") == 0) {
        d->kind = PROV_DIST_LOGNORMAL;
        ld_keys(ld, o, path, k_logn, N_ELEM(k_logn));
        ld_need(ld, o, path, "median_s", PROV_NUM_POS, &d->value_s);
        ld_need(ld, o, path, "sigma", PROV_NUM_NONNEG, &d->sigma);
        d->mu = d->value_s > 0 ? log(d->value_s) : 0;
    } else {
        ld_error(ld, ld_path(sub, path, "dist"),
                 "expected \"fixed\", \"exponential\" or \"lognormal\"");
    }
    /* bounds (docs/limits.md): an SMTP reply takes seconds, not days */
    if (d->value_s > 3600)
        ld_error(ld, path,
                 "a latency of %g s is longer than the limit of 3600 s",
                 d->value_s);
    if (d->sigma > 5)
        ld_error(ld, path, "a sigma of %g is larger than the limit of 5",
                 d->sigma);
}

/* ld_latency - "latency": {"connect": D, "message": D}. */
static void ld_latency(struct prov_ld *ld, const cJSON *root,
                       struct prov_model *m)
{
    static const char *const keys[] = { "connect", "message" };
    const cJSON *o = ld_object(ld, root, "$", "latency");

    if (o == NULL)
        return;
    ld_keys(ld, o, "$.latency", keys, N_ELEM(keys));
    ld_dist(ld, o, "connect", &m->lat_connect);
    ld_dist(ld, o, "message", &m->lat_message);
}

/* ld_connections - "connections": per-IP session and message limits. */
static void ld_connections(struct prov_ld *ld, const cJSON *root,
                           struct prov_model *m)
{
    static const char *const keys[] = { "max_per_ip", "max_msgs_per_connection",
                                        "reply", "msg_cap_reply" };
    const char *path = "$.connections";
    const cJSON *o = ld_object(ld, root, "$", "connections");
    double v;

    if (o == NULL)
        return;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    if (ld_num(ld, o, path, "max_per_ip", PROV_NUM_COUNT, &v) > 0)
        m->conn.max_per_ip = (int)v;
    if (ld_num(ld, o, path, "max_msgs_per_connection", PROV_NUM_COUNT, &v) > 0)
        m->conn.max_msgs_per_conn = (uint32_t)v;
    ld_reply(ld, o, path, "reply", 0, PROV_T_CONN, m);
    ld_reply(ld, o, path, "msg_cap_reply", 4, PROV_T_MSG_CAP, m);
}

/* ld_pos_list - the positive numbers of array v (its size checked by
 * the caller) into out, each error naming its element; their count. */
static size_t ld_pos_list(struct prov_ld *ld, const cJSON *v, const char *path,
                          double *out)
{
    char sub[PROV_PATH_MAX];
    size_t i = 0;

    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (!cJSON_IsNumber(e))
            ld_error(ld, sub, "expected a number");
        else if (ld_num_ok(ld, sub, e->valuedouble, PROV_NUM_POS))
            out[i] = e->valuedouble;
    }
    return i;
}

/* ld_growth - capacity.growth_per_day: a number or [week1, week2, later]. */
static void ld_growth(struct prov_ld *ld, const cJSON *cap,
                      struct prov_cap_params *c)
{
    const char *path = "$.capacity.growth_per_day";
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cap, "growth_per_day");

    if (v == NULL)
        return;
    if (cJSON_IsNumber(v)) {
        if (ld_num_ok(ld, path, v->valuedouble, PROV_NUM_POS))
            c->growth[0] = c->growth[1] = c->growth[2] = v->valuedouble;
        return;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3) {
        ld_error(ld, path, "expected a number or a list of 3 numbers");
        return;
    }
    ld_pos_list(ld, v, path, c->growth);
}

/* ld_ceiling - capacity.ceiling_per_day: messages a day by age (day 0
 * first), at most PROV_CEIL_MAX of them. */
static void ld_ceiling(struct prov_ld *ld, const cJSON *cap,
                       struct prov_cap_params *c)
{
    const char *path = "$.capacity.ceiling_per_day";
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cap, "ceiling_per_day");

    if (v == NULL)
        return;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 ||
        cJSON_GetArraySize(v) > PROV_CEIL_MAX) {
        ld_error(ld, path, "expected a list of 1 to %d numbers", PROV_CEIL_MAX);
        return;
    }
    c->n_ceiling = ld_pos_list(ld, v, path, c->ceiling);
}

/* ld_capacity - "capacity": "unlimited" or the §4.2 capacity terms. */
static void ld_capacity(struct prov_ld *ld, const cJSON *root,
                        struct prov_model *m)
{
    static const char *const keys[] = {
        "initial_per_hour", "growth_per_day",        "max_per_hour",
        "history_factor",   "history_floor_per_day", "history_half_life_days",
        "active_hours",     "week1_cap_per_day",     "burst_minutes",
        "active_day_min",   "ceiling_per_day",       "ceiling_factor",
    };
    const char *path = "$.capacity";
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "capacity");
    struct prov_cap_params *c = &m->cap;

    if (o == NULL ||
        (cJSON_IsString(o) && !strcmp(o->valuestring, "unlimited")))
        return;
    if (!cJSON_IsObject(o)) {
        ld_error(ld, path, "expected \"unlimited\" or an object");
        return;
    }
    c->limited = 1;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    ld_need(ld, o, path, "initial_per_hour", PROV_NUM_POS,
            &c->initial_per_hour);
    ld_growth(ld, o, c);
    ld_num(ld, o, path, "max_per_hour", PROV_NUM_POS, &c->max_per_hour);
    ld_num(ld, o, path, "history_factor", PROV_NUM_POS, &c->history_factor);
    ld_num(ld, o, path, "history_floor_per_day", PROV_NUM_NONNEG,
           &c->history_floor_per_day);
    ld_num(ld, o, path, "history_half_life_days", PROV_NUM_POS,
           &c->half_life_days);
    ld_num(ld, o, path, "active_hours", PROV_NUM_HOURS, &c->active_hours);
    ld_num(ld, o, path, "week1_cap_per_day", PROV_NUM_POS,
           &c->week1_cap_per_day);
    ld_num(ld, o, path, "burst_minutes", PROV_NUM_POS, &c->burst_minutes);
    ld_num(ld, o, path, "active_day_min", PROV_NUM_NONNEG, &c->active_day_min);
    ld_ceiling(ld, o, c);
    ld_num(ld, o, path, "ceiling_factor", PROV_NUM_POS, &c->ceiling_factor);
    if (c->history_floor_per_day < 0)
        c->history_floor_per_day = c->initial_per_hour * c->active_hours;
}

/* ld_episodes - "throttle.episodes": random throttle episodes. */
static void ld_episodes(struct prov_ld *ld, const cJSON *thr,
                        struct prov_model *m)
{
    static const char *const keys[] = { "hazard",          "median_s",
                                        "sigma",           "max_s",
                                        "capacity_factor", "repeat_factor",
                                        "window_s" };
    const char *path = "$.throttle.episodes";
    const cJSON *o = ld_object(ld, thr, "$.throttle", "episodes");
    struct prov_ep_params *e = &m->ep;

    if (o == NULL)
        return;
    if (!m->cap.limited)
        ld_error(ld, path, "needs a limited \"capacity\" to exceed");
    e->on = 1;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    ld_need(ld, o, path, "hazard", PROV_NUM_NONNEG, &e->hazard);
    ld_need(ld, o, path, "median_s", PROV_NUM_POS, &e->median_s);
    ld_need(ld, o, path, "capacity_factor", PROV_NUM_UNIT, &e->capacity_factor);
    ld_num(ld, o, path, "sigma", PROV_NUM_NONNEG, &e->sigma);
    ld_num(ld, o, path, "max_s", PROV_NUM_POS, &e->max_s);
    ld_num(ld, o, path, "repeat_factor", PROV_NUM_GE1, &e->repeat_factor);
    ld_num(ld, o, path, "window_s", PROV_NUM_POS, &e->window_s);
}

/* ld_throttle - "throttle": the deferral reply and episodes. */
static void ld_throttle(struct prov_ld *ld, const cJSON *root,
                        struct prov_model *m)
{
    static const char *const keys[] = { "reply", "episodes" };
    const cJSON *o = ld_object(ld, root, "$", "throttle");

    if (o == NULL)
        return;
    ld_keys(ld, o, "$.throttle", keys, N_ELEM(keys));
    ld_reply(ld, o, "$.throttle", "reply", 4, PROV_T_THROTTLE, m);
    ld_episodes(ld, o, m);
}

/* ld_transient - "transient": {"rate": p, "reply": "4xx ..."}. */
static void ld_transient(struct prov_ld *ld, const cJSON *root,
                         struct prov_model *m)
{
    static const char *const keys[] = { "rate", "reply" };
    const cJSON *o = ld_object(ld, root, "$", "transient");

    if (o == NULL)
        return;
    ld_keys(ld, o, "$.transient", keys, N_ELEM(keys));
    ld_need(ld, o, "$.transient", "rate", PROV_NUM_UNIT, &m->transient_rate);
    ld_reply(ld, o, "$.transient", "reply", 4, PROV_T_TRANSIENT, m);
}

/* ld_data_reply - "data_reply": {"rate": p, "reply": "4xx/5xx ..."}: the
 * share of messages the provider refuses as a whole after DATA. */
static void ld_data_reply(struct prov_ld *ld, const cJSON *root,
                          struct prov_model *m)
{
    static const char *const keys[] = { "rate", "reply" };
    const cJSON *o = ld_object(ld, root, "$", "data_reply");

    if (o == NULL)
        return;
    ld_keys(ld, o, "$.data_reply", keys, N_ELEM(keys));
    ld_need(ld, o, "$.data_reply", "rate", PROV_NUM_UNIT, &m->data_rate);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "reply");
    int code = cJSON_IsString(r) ? ld_reply_code(r->valuestring) : -1;
    if (code < 400 || code > 599) {
        ld_error(ld, "$.data_reply.reply",
                 "expected a 4xx or 5xx SMTP reply, such as '554 5.7.1 "
                 "Message rejected'");
        return;
    }
    free(m->data_text);
    m->data_text = xstrdup(r->valuestring);
    m->data_code = code;
}

/* ld_unknown - "unknown_user": {"reply": "5xx ..."}. */
static void ld_unknown(struct prov_ld *ld, const cJSON *root,
                       struct prov_model *m)
{
    static const char *const keys[] = { "reply" };
    const cJSON *o = ld_object(ld, root, "$", "unknown_user");

    if (o == NULL)
        return;
    m->unknown_on = 1;
    ld_keys(ld, o, "$.unknown_user", keys, N_ELEM(keys));
    ld_reply(ld, o, "$.unknown_user", "reply", 5, PROV_T_UNKNOWN, m);
}

/* ld_weights - "reputation.weights": the drive terms of §4.2. */
static void ld_weights(struct prov_ld *ld, const cJSON *rep,
                       struct prov_rep_params *r)
{
    static const char *const keys[] = { "complaint", "complaint_hard",
                                        "unknown", "spike" };
    const char *path = "$.reputation.weights";
    const cJSON *o = ld_object(ld, rep, "$.reputation", "weights");

    if (o == NULL)
        return;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    ld_num(ld, o, path, "complaint", PROV_NUM_NONNEG, &r->w_complaint);
    ld_num(ld, o, path, "complaint_hard", PROV_NUM_NONNEG,
           &r->w_complaint_hard);
    ld_num(ld, o, path, "unknown", PROV_NUM_NONNEG, &r->w_unknown);
    ld_num(ld, o, path, "spike", PROV_NUM_NONNEG, &r->w_spike);
}

/* ld_phi - "reputation.phi": the capacity factor phi(R) of §4.2. */
static void ld_phi(struct prov_ld *ld, const cJSON *rep,
                   struct prov_rep_params *r)
{
    static const char *const keys[] = { "zero_below", "full_at", "power" };
    const char *path = "$.reputation.phi";
    const cJSON *o = ld_object(ld, rep, "$.reputation", "phi");

    if (o == NULL)
        return;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    ld_num(ld, o, path, "zero_below", PROV_NUM_UNIT, &r->phi_zero_below);
    ld_num(ld, o, path, "full_at", PROV_NUM_UNIT, &r->phi_full_at);
    ld_num(ld, o, path, "power", PROV_NUM_POS, &r->phi_power);
    if (r->phi_zero_below >= r->phi_full_at)
        ld_error(ld, path,
                 "'zero_below' (%g) must be less than 'full_at' "
                 "(%g)",
                 r->phi_zero_below, r->phi_full_at);
}

/* ld_reputation - "reputation": daily reputation dynamics. */
static void ld_reputation(struct prov_ld *ld, const cJSON *root,
                          struct prov_model *m)
{
    static const char *const keys[] = {
        "initial",      "established", "complaint_soft",  "complaint_hard",
        "unknown_soft", "weights",     "recovery_days",   "target",
        "phi",          "confidence",  "evidence_volume",
    };
    const char *path = "$.reputation";
    const cJSON *o = ld_object(ld, root, "$", "reputation");
    struct prov_rep_params *r = &m->rep;

    if (o == NULL)
        return;
    r->on = 1;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    ld_num(ld, o, path, "initial", PROV_NUM_UNIT, &r->initial);
    ld_num(ld, o, path, "established", PROV_NUM_UNIT, &r->established);
    ld_num(ld, o, path, "complaint_soft", PROV_NUM_POS, &r->complaint_soft);
    ld_num(ld, o, path, "complaint_hard", PROV_NUM_POS, &r->complaint_hard);
    ld_num(ld, o, path, "unknown_soft", PROV_NUM_POS, &r->unknown_soft);
    ld_num(ld, o, path, "recovery_days", PROV_NUM_POS, &r->recovery_days);
    ld_num(ld, o, path, "target", PROV_NUM_UNIT, &r->target);
    if (ld_num(ld, o, path, "confidence", PROV_NUM_UNIT, &r->confidence) > 0 &&
        (r->confidence <= 0 || r->confidence >= 1))
        ld_error(ld, "$.reputation.confidence",
                 "expected a number between 0 and 1 (exclusive), got %g",
                 r->confidence);
    ld_num(ld, o, path, "evidence_volume", PROV_NUM_NONNEG,
           &r->evidence_volume);
    ld_weights(ld, o, r);
    ld_phi(ld, o, r);
}

/* ld_block - "block": {"below", "reply", "min_hours"}. */
static void ld_block(struct prov_ld *ld, const cJSON *root,
                     struct prov_model *m)
{
    static const char *const keys[] = { "below", "reply", "min_hours" };
    const char *path = "$.block";
    const cJSON *o = ld_object(ld, root, "$", "block");
    double hours = m->block.min_s / 3600;

    if (o == NULL)
        return;
    m->block.on = 1;
    ld_keys(ld, o, path, keys, N_ELEM(keys));
    ld_need(ld, o, path, "below", PROV_NUM_UNIT, &m->block.below);
    ld_reply(ld, o, path, "reply", 5, PROV_T_BLOCK, m);
    if (ld_num(ld, o, path, "min_hours", PROV_NUM_NONNEG, &hours) > 0)
        m->block.min_s = hours * 3600;
}

/* ld_name - "name", else the file name without directory and ".json". */
static void ld_name(struct prov_ld *ld, const cJSON *root, struct prov_model *m)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "name");
    const char *base = strrchr(ld->file, '/');

    if (v != NULL) {
        if (cJSON_IsString(v) && v->valuestring[0] != '\0' &&
            !ld_has_space(v->valuestring))
            m->name = xstrdup(v->valuestring);
        else
            ld_error(ld, "$.name", "expected a name without spaces");
        return;
    }
    base = base ? base + 1 : ld->file;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    m->name = xstrndup(base, n);
}

/* prov_model_defaults - a model with every mechanism off and the
 * documented defaults for the keys of each mechanism. */
static struct prov_model *prov_model_defaults(void)
{
    struct prov_model *m = xcalloc(1, sizeof(*m));

    for (int i = 0; i < PROV_N_TEXT; i++) {
        m->tmpl[i] = xstrdup(prov_default_text[i]);
        m->code[i] = ld_reply_code(prov_default_text[i]);
    }
    m->cap = (struct prov_cap_params){ .growth = { 1, 1, 1 },
                                       .max_per_hour = PROV_HUGE,
                                       .history_floor_per_day = -1,
                                       .half_life_days = 7,
                                       .active_hours = 12,
                                       .burst_minutes = 1,
                                       .active_day_min = 1,
                                       .ceiling_factor = 1 };
    m->ep = (struct prov_ep_params){ .sigma = 0.5,
                                     .repeat_factor = 2,
                                     .window_s = 900 };
    m->rep = (struct prov_rep_params){
        .initial = 0.5,
        .established = 0.8,
        .complaint_soft = 0.001,
        .complaint_hard = 0.003,
        .unknown_soft = 0.02,
        .w_complaint = 0.05,
        .w_complaint_hard = 0.15,
        .w_unknown = 0.03,
        .w_spike = 0.05,
        .recovery_days = 7,
        .confidence = 0.95,
        .target = 0.9,
        .phi_zero_below = 0.25,
        .phi_full_at = 0.8,
        .phi_power = 1.5,
    };
    m->block.min_s = 24 * 3600.0;
    return m;
}

/* ld_tail - "tail_domains": how many domains of the "*" long tail get a
 * state of their own (1 = all share one). */
static void ld_tail(struct prov_ld *ld, const cJSON *root, struct prov_model *m)
{
    double n = 1;
    int star = 0;

    if (ld_num(ld, root, "$", "tail_domains", PROV_NUM_COUNT, &n) <= 0)
        return;
    for (size_t i = 0; i < m->n_domains; i++)
        star |= strcmp(m->domains[i], "*") == 0;
    if (n < 1)
        ld_error(ld, "$.tail_domains", "expected a whole number >= 1, got %g",
                 n);
    else if (!star)
        ld_error(ld, "$.tail_domains", "needs \"*\" in \"domains\"");
    else
        m->tail_domains = (size_t)n;
}

/* ld_model - the whole document. */
static void ld_model(struct prov_ld *ld, const cJSON *root,
                     struct prov_model *m)
{
    static const char *const keys[] = {
        "name",         "description",  "domains",    "mx",
        "latency",      "connections",  "capacity",   "throttle",
        "transient",    "unknown_user", "reputation", "block",
        "tail_domains", "data_reply",
    };

    ld_keys(ld, root, "$", keys, N_ELEM(keys));
    ld_name(ld, root, m);
    ld_names(ld, root, "domains", &m->domains, &m->n_domains);
    ld_tail(ld, root, m);
    if (cJSON_GetObjectItemCaseSensitive(root, "mx"))
        ld_mx(ld, root, m);
    ld_latency(ld, root, m);
    ld_connections(ld, root, m);
    ld_capacity(ld, root, m);
    ld_throttle(ld, root, m);
    ld_transient(ld, root, m);
    ld_data_reply(ld, root, m);
    ld_unknown(ld, root, m);
    ld_reputation(ld, root, m);
    ld_block(ld, root, m);
}

/* ld_read - the whole file as a string, or NULL with an error. */
static char *ld_read(struct prov_ld *ld)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (strbuf_read_file(&sb, ld->file) == 0)
        return strbuf_detach(&sb);
    if (errno == EIO)
        diag_add(ld->dl, DIAG_ERROR, ld->file, 0, 0, "read error");
    else
        diag_add(ld->dl, DIAG_ERROR, ld->file, 0, 0, "cannot open: %s",
                 strerror(errno));
    strbuf_release(&sb);
    return NULL;
}

/* ld_syntax_error - file:line:col of a JSON syntax error at end. */
static void ld_syntax_error(struct prov_ld *ld, const char *text,
                            const char *end)
{
    int line = 1, col = 1;
    const char *bol = text;

    if (end == NULL)
        end = text;
    end += strspn(end, " \t\r\n"); /* cJSON stops before white space */
    for (const char *p = text; p < end && *p; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
            bol = p + 1;
        } else {
            col++;
        }
    }
    struct diag *d =
        diag_add(ld->dl, DIAG_ERROR, ld->file, line, col, "invalid JSON");
    size_t len = strcspn(bol, "\r\n");
    char *src = xstrndup(bol, len);
    diag_set_source(d, src, 1);
    free(src);
}

struct prov_model *prov_params_load(const char *path, struct diag_list *dl)
{
    struct prov_ld ld = { path, dl, 0 };
    const char *end = NULL;
    char *text = ld_read(&ld);

    if (text == NULL)
        return NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (root == NULL) {
        ld_syntax_error(&ld, text, end);
        free(text);
        return NULL;
    }
    struct prov_model *m = prov_model_defaults();
    if (cJSON_IsObject(root))
        ld_model(&ld, root, m);
    else
        ld_error(&ld, "$", "expected an object");
    cJSON_Delete(root);
    free(text);
    if (ld.errors == 0)
        return m;
    prov_model_free(m);
    return NULL;
}

void prov_model_free(struct prov_model *m)
{
    if (m == NULL)
        return;
    free(m->name);
    for (size_t i = 0; i < m->n_domains; i++)
        free(m->domains[i]);
    free(m->domains);
    for (size_t i = 0; i < m->n_mx; i++) {
        free(m->mx[i]);
        for (size_t j = 0; m->mx_n_ips && j < m->mx_n_ips[i]; j++)
            free(m->mx_ips[i][j]);
        if (m->mx_ips)
            free(m->mx_ips[i]);
        if (m->mx_refuse)
            free(m->mx_refuse[i]);
    }
    free(m->mx);
    free(m->mx_pref);
    free(m->mx_ips);
    free(m->mx_n_ips);
    free(m->mx_refuse);
    free(m->data_text);
    for (int i = 0; i < PROV_N_TEXT; i++)
        free(m->tmpl[i]);
    free(m);
}
