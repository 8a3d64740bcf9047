/* scenario.c - load a scenario file: cJSON for the syntax, then typed
 * checks that name the JSON path of every problem.
 *
 * cJSON nodes do not remember where they were, so syntax errors turn
 * cJSON's parse-end offset into line:col, and semantic errors carry a
 * JSON path ("$.sendlist.generate.streams[2].volume_per_day"). Loading
 * goes on after an error so one run reports them all. */
#include "input/scenario.h"
#include "config/cfg_value.h"
#include "engine/rng.h"
#include "input/sl_int.h"
#include "util/strbuf.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_ELEM(a)          (sizeof(a) / sizeof((a)[0]))
#define SCEN_DEFAULT_START 1767225600 /* 2026-01-01T00:00:00Z */

/* The loader's state: the scenario being filled and the current path. */
struct sload {
    struct scenario *sc;
    struct diag_list *dl;
    struct strbuf path;
};

static void jerr(struct sload *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* jerr - an error at the current JSON path. */
static void jerr(struct sload *ld, const char *fmt, ...)
{
    struct strbuf sb;
    va_list ap;

    strbuf_init(&sb);
    strbuf_addf(&sb, "%s: ", ld->path.buf);
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_add(ld->dl, DIAG_ERROR, ld->sc->path, 0, 0, "%s", sb.buf);
    strbuf_release(&sb);
}

/* ---------------------------------------------------------- JSON paths */

/* is_ident - a key that reads well after a dot. */
static int is_ident(const char *k)
{
    if (!isalpha((unsigned char)k[0]) && k[0] != '_')
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_')
            return 0;
    return 1;
}

/* push_key - append ".key" (or "['key']"); returns the length to pop to. */
static size_t push_key(struct sload *ld, const char *key)
{
    size_t n = ld->path.len;
    if (is_ident(key))
        strbuf_addf(&ld->path, ".%s", key);
    else
        strbuf_addf(&ld->path, "['%s']", key);
    return n;
}

/* push_map - append "['key']", the form for map keys (IPs, domains). */
static size_t push_map(struct sload *ld, const char *key)
{
    size_t n = ld->path.len;
    strbuf_addf(&ld->path, "['%s']", key);
    return n;
}

/* push_idx - append "[i]"; returns the length to pop to. */
static size_t push_idx(struct sload *ld, size_t i)
{
    size_t n = ld->path.len;
    strbuf_addf(&ld->path, "[%zu]", i);
    return n;
}

/* pop - truncate the path back to length n. */
static void pop(struct sload *ld, size_t n)
{
    ld->path.len = n;
    ld->path.buf[n] = '\0';
}

/* A set of names, by open addressing: duplicate checks stay linear for
 * 60,000 IPs or 200,000 streams. The names are borrowed. */
struct name_set {
    const char **slot;
    size_t cap; /* a power of two, at least twice the names */
};

static void name_set_init(struct name_set *s, size_t n)
{
    s->cap = 16;
    while (s->cap < 2 * n)
        s->cap *= 2;
    s->slot = xcalloc(s->cap, sizeof(*s->slot));
}

/* name_set_add - 1 when name is new (and now in the set), 0 when seen. */
static int name_set_add(struct name_set *s, const char *name)
{
    size_t h = (size_t)rng_hash64(name) & (s->cap - 1);
    for (; s->slot[h]; h = (h + 1) & (s->cap - 1))
        if (strcmp(s->slot[h], name) == 0)
            return 0;
    s->slot[h] = name;
    return 1;
}

/* check_keys - every member of obj is known (any key when known is
 * NULL: a map) and given once. */
static void check_keys(struct sload *ld, const cJSON *obj,
                       const char *const *known, size_t n)
{
    struct name_set seen;

    name_set_init(&seen, (size_t)cJSON_GetArraySize(obj));
    for (const cJSON *it = obj->child; it; it = it->next) {
        size_t i;
        for (i = 0; i < n && strcmp(it->string, known[i]) != 0; i++)
            continue;
        if (known && i == n) {
            const char *near = str_closest(it->string, known, n);
            if (near)
                jerr(ld, "unknown key '%s' (did you mean '%s'?)", it->string,
                     near);
            else
                jerr(ld, "unknown key '%s'", it->string);
        }
        if (!name_set_add(&seen, it->string)) {
            size_t n0 =
                known ? push_key(ld, it->string) : push_map(ld, it->string);
            jerr(ld, "duplicate key");
            pop(ld, n0);
        }
    }
    free(seen.slot);
}

/* ------------------------------------------------------- typed values */

/* get_number - member key as a finite number in [lo, hi]; 1 when set,
 * 0 when absent, -1 on an error. what describes the range. */
static int get_number(struct sload *ld, const cJSON *obj, const char *key,
                      double lo, double hi, const char *what, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    int rc = 1;

    if (v == NULL)
        return 0;
    size_t n0 = push_key(ld, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
        v->valuedouble < lo || v->valuedouble > hi) {
        jerr(ld, "expected %s", what);
        rc = -1;
    } else {
        *out = v->valuedouble;
    }
    pop(ld, n0);
    return rc;
}

/* get_string - member key as a non-empty string; 1, 0 absent, -1. */
static int get_string(struct sload *ld, const cJSON *obj, const char *key,
                      const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (v == NULL)
        return 0;
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
        size_t n0 = push_key(ld, key);
        jerr(ld, "expected a non-empty string");
        pop(ld, n0);
        return -1;
    }
    *out = v->valuestring;
    return 1;
}

/* unitless - 1 when s is a bare number ("6"). */
static int unitless(const char *s)
{
    char *end;
    (void)strtod(s, &end);
    return end != s && *end == 0;
}

/* whole_number - s is digits only: with a unit, it is an interval. */
static int whole_number(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n > 0 && s[n] == '\0';
}

/* get_interval - a PowerMTA interval with its unit ("30d", "1h30m"); 1,
 * 0 absent, -1. */
static int get_interval(struct sload *ld, const cJSON *obj, const char *key,
                        double *out_s)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    struct cfgv_err e;
    int rc = 1;

    if (v == NULL)
        return 0;
    size_t n0 = push_key(ld, key);
    if (cJSON_IsNumber(v) || (cJSON_IsString(v) && unitless(v->valuestring))) {
        /* A bare number would silently mean seconds. */
        char *t = cJSON_IsNumber(v) ? cJSON_PrintUnformatted(v) : NULL;
        const char *x = t ? t : v->valuestring;
        if (whole_number(x)) /* the advice must be a form that parses */
            jerr(ld, "%s what? write '%sh' (or %sm, %sd; units w d h m s)", x,
                 x, x, x);
        else
            jerr(ld,
                 "%s what? an interval is a whole number with a unit, such "
                 "as '30d' or '1h30m' (units w d h m s)",
                 x);
        cJSON_free(t);
        rc = -1;
    } else if (!cJSON_IsString(v)) {
        jerr(ld, "expected a time interval such as '30d' or '1h30m'");
        rc = -1;
    } else if (cfgv_parse_time(v->valuestring, out_s, 0, &e) < 0) {
        jerr(ld, "invalid interval '%s' (%s)", v->valuestring, e.msg);
        rc = -1;
    }
    if (rc > 0 && *out_s > SCEN_MAX_INTERVAL_S) {
        jerr(ld, "%.6g s is longer than the limit of %s (%.0f s)", *out_s,
             SCEN_MAX_INTERVAL_TEXT, SCEN_MAX_INTERVAL_S);
        rc = -1;
    }
    pop(ld, n0);
    return rc;
}

/* resolve - a path relative to the scenario's directory (malloc'ed). */
static char *resolve(const struct scenario *sc, const char *rel)
{
    struct strbuf sb;

    if (rel[0] == '/' || strcmp(sc->dir, ".") == 0)
        return xstrdup(rel);
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", sc->dir, rel);
    return strbuf_detach(&sb);
}

/* get_file - a readable file named relative to the scenario. */
static int get_file(struct sload *ld, const cJSON *obj, const char *key,
                    char **out)
{
    const char *rel;
    int rc = get_string(ld, obj, key, &rel);

    if (rc <= 0)
        return rc;
    *out = resolve(ld->sc, rel);
    if (access(*out, R_OK) == 0)
        return 1;
    size_t n0 = push_key(ld, key);
    jerr(ld, "cannot read '%s': %s", *out, strerror(errno));
    pop(ld, n0);
    return -1;
}

/* ------------------------------------------------------- top-level keys */

/* load_seed - a non-negative integer below 2^53 (exact in a double). */
static void load_seed(struct sload *ld, const cJSON *root)
{
    double v;

    if (get_number(ld, root, "seed", 0, 9007199254740992.0,
                   "a non-negative integer", &v) > 0) {
        if (v != floor(v)) {
            size_t n0 = push_key(ld, "seed");
            jerr(ld, "expected a non-negative integer");
            pop(ld, n0);
        }
        ld->sc->seed = (uint64_t)v;
    }
}

/* load_start - "start": an ISO 8601 time in whole seconds. */
static void load_start(struct sload *ld, const cJSON *root)
{
    const char *s;
    int64_t us;

    if (get_string(ld, root, "start", &s) <= 0)
        return;
    if (sl_parse_datetime(s, &us) < 0 || us % 1000000 != 0) {
        size_t n0 = push_key(ld, "start");
        jerr(ld,
             "invalid time '%s' (expected ISO 8601 such as "
             "'2026-01-01T00:00:00Z')",
             s);
        pop(ld, n0);
        return;
    }
    ld->sc->start_unix = us / 1000000;
}

/* load_duration - "duration" (required, positive). */
static void load_duration(struct sload *ld, const cJSON *root)
{
    int rc = get_interval(ld, root, "duration", &ld->sc->duration_s);

    if (rc == 0)
        jerr(ld, "missing required key 'duration'");
    else if (rc > 0 && !(ld->sc->duration_s > 0)) {
        size_t n0 = push_key(ld, "duration");
        jerr(ld, "expected a duration longer than 0s");
        pop(ld, n0);
    }
}

/* load_report - "report": {"interval": "1h"}. */
static void load_report(struct sload *ld, const cJSON *root)
{
    static const char *const keys[] = { "interval" };
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(root, "report");
    size_t n0;

    if (rep == NULL)
        return;
    n0 = push_key(ld, "report");
    if (!cJSON_IsObject(rep)) {
        jerr(ld, "expected an object such as {\"interval\": \"1h\"}");
    } else {
        check_keys(ld, rep, keys, N_ELEM(keys));
        if (get_interval(ld, rep, "interval", &ld->sc->report_interval_s) > 0 &&
            !(ld->sc->report_interval_s >= SCEN_MIN_REPORT_INTERVAL_S)) {
            size_t n1 = push_key(ld, "interval");
            jerr(ld, "%.6g s is shorter than the limit of 1s",
                 ld->sc->report_interval_s);
            pop(ld, n1);
        }
    }
    pop(ld, n0);
}

/* load_rate_window - "rate_window": sliding | token-bucket | even. */
static void load_rate_window(struct sload *ld, const cJSON *root)
{
    static const char *const names[] = { "sliding", "token-bucket", "even" };
    const char *s;

    if (get_string(ld, root, "rate_window", &s) <= 0)
        return;
    for (size_t i = 0; i < N_ELEM(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            ld->sc->rate_algo = (enum scen_rate_algo)i;
            return;
        }
    }
    size_t n0 = push_key(ld, "rate_window");
    jerr(ld,
         "unknown rate window '%s' (expected 'sliding', 'token-bucket' "
         "or 'even')",
         s);
    pop(ld, n0);
}

/* is_host_ip - an IPv4 or IPv6 address without a prefix. */
static int is_host_ip(const char *s)
{
    struct cfgv_cidr c;
    struct cfgv_err e;

    return strchr(s, '/') == NULL && cfgv_parse_cidr(s, &c, &e) == 0;
}

/* load_source - "source": the injecting client's address. */
static void load_source(struct sload *ld, const cJSON *root)
{
    const char *s = "127.0.0.1";

    if (get_string(ld, root, "source", &s) > 0 && !is_host_ip(s)) {
        size_t n0 = push_key(ld, "source");
        jerr(ld, "invalid IP address '%s'", s);
        pop(ld, n0);
    }
    ld->sc->source = xstrdup(s);
}

/* load_one_ip - one entry of "ips". */
static void load_one_ip(struct sload *ld, const cJSON *it, struct scen_ip *ip)
{
    static const char *const keys[] = { "age_days", "reputation",
                                        "recent_volume_per_day" };

    ip->ip = xstrdup(it->string);
    ip->reputation = -1;
    ip->recent_volume_per_day = -1;
    if (!is_host_ip(it->string))
        jerr(ld, "invalid IP address '%s'", it->string);
    if (!cJSON_IsObject(it)) {
        jerr(ld, "expected an object such as {\"age_days\": 0, "
                 "\"reputation\": 0.5}");
        return;
    }
    check_keys(ld, it, keys, N_ELEM(keys));
    get_number(ld, it, "age_days", 0, SCEN_MAX_AGE_DAYS,
               "a number between 0 and 36500", &ip->age_days);
    get_number(ld, it, "reputation", 0, 1, "a number between 0 and 1",
               &ip->reputation);
    get_number(ld, it, "recent_volume_per_day", 0, SCEN_MAX_VOLUME_PER_DAY,
               "a number between 0 and 100000000", &ip->recent_volume_per_day);
}

/* load_ips - "ips": {"192.0.2.10": {...}, ...}. */
static void load_ips(struct sload *ld, const cJSON *root)
{
    const cJSON *ips = cJSON_GetObjectItemCaseSensitive(root, "ips");
    struct scenario *sc = ld->sc;
    size_t n0;

    if (ips == NULL)
        return;
    n0 = push_key(ld, "ips");
    if (!cJSON_IsObject(ips)) {
        jerr(ld, "expected an object keyed by IP address");
        pop(ld, n0);
        return;
    }
    if (cJSON_GetArraySize(ips) > SCEN_MAX_IPS) {
        jerr(ld, "%d IP addresses, more than the limit of %d",
             cJSON_GetArraySize(ips), SCEN_MAX_IPS);
        pop(ld, n0);
        return;
    }
    check_keys(ld, ips, NULL, 0);
    sc->n_ips = (size_t)cJSON_GetArraySize(ips);
    sc->ips = xcalloc(sc->n_ips ? sc->n_ips : 1, sizeof(*sc->ips));
    size_t i = 0;
    for (const cJSON *it = ips->child; it; it = it->next, i++) {
        size_t n1 = push_map(ld, it->string);
        load_one_ip(ld, it, &sc->ips[i]);
        pop(ld, n1);
    }
    pop(ld, n0);
}

/* ------------------------------------------------------------- models */

/* is_json_name - a directory entry named *.json (not a hidden file). */
static int is_json_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* cmp_str - qsort order for C strings. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* default_models - every *.json in models_dir, sorted by name. */
static void default_models(struct sload *ld, const char *models_dir)
{
    struct scenario *sc = ld->sc;
    DIR *d = opendir(models_dir);
    size_t cap = 0;

    if (d == NULL) {
        diag_add(ld->dl, DIAG_ERROR, sc->path, 0, 0,
                 "no 'models' given and cannot read the models directory "
                 "'%s': %s (set MTASIM_MODELS to the models folder, or "
                 "install mtasim with 'make install')",
                 models_dir, strerror(errno));
        return;
    }
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (!is_json_name(e->d_name))
            continue;
        XGROW(sc->models, sc->n_models, cap);
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_addf(&sb, "%s/%s", models_dir, e->d_name);
        sc->models[sc->n_models++] = strbuf_detach(&sb);
    }
    closedir(d);
    if (sc->n_models == 0)
        diag_add(ld->dl, DIAG_ERROR, sc->path, 0, 0,
                 "no 'models' given and no model files ('*.json') in '%s'",
                 models_dir);
    else
        qsort(sc->models, sc->n_models, sizeof(*sc->models), cmp_str);
}

/* load_models - "models": a list of files relative to the scenario. */
static void load_models(struct sload *ld, const cJSON *root,
                        const char *models_dir)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "models");
    struct scenario *sc = ld->sc;
    size_t n0;

    if (list == NULL) {
        if (models_dir)
            default_models(ld, models_dir);
        return;
    }
    n0 = push_key(ld, "models");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        jerr(ld, "expected a non-empty list of model files");
        pop(ld, n0);
        return;
    }
    sc->models = xcalloc((size_t)cJSON_GetArraySize(list), sizeof(char *));
    for (const cJSON *it = list->child; it; it = it->next) {
        size_t n1 = push_idx(ld, sc->n_models);
        if (!cJSON_IsString(it) || it->valuestring[0] == '\0') {
            jerr(ld, "expected a file name");
        } else {
            char *p = resolve(sc, it->valuestring);
            sc->models[sc->n_models++] = p;
            if (access(p, R_OK) != 0)
                jerr(ld, "cannot read '%s': %s", p, strerror(errno));
        }
        pop(ld, n1);
    }
    pop(ld, n0);
}

/* ------------------------------------------------------------ streams */

/* load_volume - "volume_per_day": a number or a per-day list. */
static void load_volume(struct sload *ld, const cJSON *obj,
                        struct scen_stream *st)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "volume_per_day");
    size_t n0 = push_key(ld, "volume_per_day");

    if (v == NULL) {
        pop(ld, n0);
        jerr(ld, "missing required key 'volume_per_day'");
        return;
    }
    if (cJSON_IsNumber(v) || (cJSON_IsArray(v) && v->child)) {
        size_t n = cJSON_IsNumber(v) ? 1 : (size_t)cJSON_GetArraySize(v);
        st->volume_per_day = xcalloc(n, sizeof(double));
        const cJSON *it = cJSON_IsNumber(v) ? v : v->child;
        for (; st->n_volume < n; it = it->next, st->n_volume++) {
            size_t n1 =
                cJSON_IsArray(v) ? push_idx(ld, st->n_volume) : ld->path.len;
            if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
                it->valuedouble < 0 ||
                it->valuedouble > SCEN_MAX_VOLUME_PER_DAY)
                jerr(ld, "expected a number between 0 and 100000000 (the "
                         "limit per stream and day)");
            else
                st->volume_per_day[st->n_volume] = it->valuedouble;
            pop(ld, n1);
        }
    } else {
        jerr(ld, "expected a number or a list of numbers");
    }
    pop(ld, n0);
}

/* load_profile - "hourly_profile": 24 weights, not all zero. */
static void load_profile(struct sload *ld, const cJSON *v,
                         struct scen_stream *st)
{
    double sum = 0;
    size_t i = 0;

    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 24) {
        jerr(ld, "expected a list of 24 numbers (one weight per hour)");
        return;
    }
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        size_t n1 = push_idx(ld, i);
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
            it->valuedouble < 0)
            jerr(ld, "expected a number >= 0");
        else
            sum += st->hourly_profile[i] = it->valuedouble;
        pop(ld, n1);
    }
    if (!(sum > 0))
        jerr(ld, "expected at least one positive weight");
}

/* parse_hhmm - "HH:MM" into seconds after midnight. */
static int parse_hhmm(const char *s, double *out_s)
{
    if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59)
        return -1;
    *out_s = h * 3600.0 + m * 60.0;
    return 0;
}

/* only_for_blast - "at" and "spread" are blast settings. */
static void only_for_blast(struct sload *ld, const cJSON *obj, const char *k)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, k) == NULL)
        return;
    size_t n0 = push_key(ld, k);
    jerr(ld, "applies to blast arrivals only (set \"arrivals\": \"blast\")");
    pop(ld, n0);
}

/* load_blast - "at" (required) and "spread" (default 0s, at most 24h). */
static void load_blast(struct sload *ld, const cJSON *obj,
                       struct scen_stream *st)
{
    const char *at;
    int rc = get_string(ld, obj, "at", &at);

    if (rc == 0)
        jerr(ld, "missing required key 'at' (the blast's start, \"HH:MM\")");
    if (rc > 0 && parse_hhmm(at, &st->blast_at_s) < 0) {
        size_t n0 = push_key(ld, "at");
        jerr(ld, "invalid time of day '%s' (expected HH:MM)", at);
        pop(ld, n0);
    }
    if (get_interval(ld, obj, "spread", &st->blast_spread_s) > 0 &&
        st->blast_spread_s > 86400) {
        size_t n0 = push_key(ld, "spread");
        jerr(ld, "expected at most 24h (one blast a day)");
        pop(ld, n0);
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, "hourly_profile")) {
        size_t n0 = push_key(ld, "hourly_profile");
        jerr(ld, "applies to poisson arrivals only");
        pop(ld, n0);
    }
}

/* load_arrivals - "arrivals" and its settings. */
static void load_arrivals(struct sload *ld, const cJSON *obj,
                          struct scen_stream *st)
{
    const char *a = "poisson";
    const cJSON *prof;

    if (get_string(ld, obj, "arrivals", &a) > 0 && strcmp(a, "poisson") &&
        strcmp(a, "blast")) {
        size_t n0 = push_key(ld, "arrivals");
        jerr(ld, "unknown arrivals '%s' (expected 'poisson' or 'blast')", a);
        pop(ld, n0);
        return;
    }
    st->arrivals = strcmp(a, "blast") == 0 ? SCEN_ARR_BLAST : SCEN_ARR_POISSON;
    if (st->arrivals == SCEN_ARR_BLAST) {
        load_blast(ld, obj, st);
        return;
    }
    only_for_blast(ld, obj, "at");
    only_for_blast(ld, obj, "spread");
    prof = cJSON_GetObjectItemCaseSensitive(obj, "hourly_profile");
    if (prof) {
        size_t n0 = push_key(ld, "hourly_profile");
        load_profile(ld, prof, st);
        pop(ld, n0);
    }
}

/* domain_ok - a plausible domain name, or "*". */
static int domain_ok(const char *d)
{
    if (d[0] == '\0')
        return 0;
    if (strcmp(d, "*") == 0)
        return 1;
    for (; *d; d++)
        if (isspace((unsigned char)*d) || strchr("@,*/\"'", *d))
            return 0;
    return 1;
}

/* load_shares - the members of "domains", normalised to sum 1. */
static void load_shares(struct sload *ld, const cJSON *v,
                        struct scen_stream *st)
{
    double sum = 0;

    st->domains = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(*st->domains));
    for (const cJSON *it = v->child; it; it = it->next) {
        struct scen_share *sh = &st->domains[st->n_domains++];
        size_t n1 = push_map(ld, it->string);
        sh->domain = str_lower(xstrdup(it->string));
        if (!domain_ok(sh->domain))
            jerr(ld, "invalid domain '%s'", it->string);
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
            !(it->valuedouble > 0))
            jerr(ld, "expected a positive number");
        else
            sum += sh->share = it->valuedouble;
        pop(ld, n1);
    }
    for (size_t i = 0; i < st->n_domains && sum > 0; i++)
        st->domains[i].share /= sum;
}

/* load_domains - "domains": {"gmail.com": 0.4, "*": 0.6}. */
static void load_domains(struct sload *ld, const cJSON *obj,
                         struct scen_stream *st)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "domains");
    size_t n0;

    if (v == NULL) {
        jerr(ld, "missing required key 'domains' (shares by domain, "
                 "e.g. {\"gmail.com\": 0.4, \"*\": 0.6})");
        return;
    }
    n0 = push_key(ld, "domains");
    if (!cJSON_IsObject(v) || v->child == NULL)
        jerr(ld, "expected an object of shares by domain, e.g. "
                 "{\"gmail.com\": 0.4, \"*\": 0.6}");
    else {
        check_keys(ld, v, NULL, 0);
        load_shares(ld, v, st);
    }
    pop(ld, n0);
}

/* load_size - "size_bytes": bytes, or a size such as "50k". */
static void load_size(struct sload *ld, const cJSON *obj,
                      struct scen_stream *st)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "size_bytes");
    struct cfgv_err e;
    double b = -1;

    if (v == NULL)
        return;
    if (cJSON_IsNumber(v))
        b = v->valuedouble;
    else if (cJSON_IsString(v) && cfgv_parse_size(v->valuestring, &b, 0, &e))
        b = -1;
    if (!isfinite(b) || b < 0 || b > 4294967295.0) {
        size_t n0 = push_key(ld, "size_bytes");
        jerr(ld, "expected a size in bytes such as 50000 or '50k'");
        pop(ld, n0);
        return;
    }
    st->size_bytes = b;
}

/* load_stream_mix - domains, rates, size and deadline. */
static void load_stream_mix(struct sload *ld, const cJSON *obj,
                            struct scen_stream *st)
{
    load_domains(ld, obj, st);
    get_number(ld, obj, "invalid_rate", 0, 1, "a number between 0 and 1",
               &st->invalid_rate);
    get_number(ld, obj, "complaint_rate", 0, 1, "a number between 0 and 1",
               &st->complaint_rate);
    load_size(ld, obj, st);
    st->recipients = 1;
    if (get_number(ld, obj, "recipients", 1, 1000000,
                   "a number of recipients per message, 1 to 1000000",
                   &st->recipients) > 0 &&
        st->recipients != floor(st->recipients)) {
        size_t n0 = push_key(ld, "recipients");
        jerr(ld, "expected a whole number of recipients");
        pop(ld, n0);
    }
    if (get_interval(ld, obj, "deadline", &st->deadline_s) > 0 &&
        !(st->deadline_s > 0)) {
        size_t n0 = push_key(ld, "deadline");
        jerr(ld, "expected an interval longer than 0s");
        pop(ld, n0);
    }
}

/* load_stream - one generator stream. */
static void load_stream(struct sload *ld, const cJSON *obj,
                        struct scen_stream *st)
{
    static const char *const keys[] = { "name",
                                        "vmta",
                                        "pool",
                                        "volume_per_day",
                                        "arrivals",
                                        "hourly_profile",
                                        "at",
                                        "spread",
                                        "domains",
                                        "invalid_rate",
                                        "complaint_rate",
                                        "size_bytes",
                                        "deadline",
                                        "recipients" };
    const char *name = NULL, *vmta = NULL, *pool = NULL;

    for (int h = 0; h < 24; h++)
        st->hourly_profile[h] = 1;
    st->deadline_s = -1;
    if (!cJSON_IsObject(obj)) {
        /* a nameless stream still has a name: "" is never compared */
        st->name = xstrdup("");
        jerr(ld, "expected an object (a stream)");
        return;
    }
    check_keys(ld, obj, keys, N_ELEM(keys));
    if (get_string(ld, obj, "name", &name) == 0)
        jerr(ld, "missing required key 'name'");
    st->name = xstrdup(name ? name : "");
    if (get_string(ld, obj, "vmta", &vmta) > 0)
        st->vmta = xstrdup(vmta);
    if (get_string(ld, obj, "pool", &pool) > 0)
        st->pool = xstrdup(pool);
    if (st->vmta && st->pool)
        jerr(ld, "set 'vmta' or 'pool', not both");
    load_volume(ld, obj, st);
    load_arrivals(ld, obj, st);
    load_stream_mix(ld, obj, st);
}

/* ----------------------------------------------------------- send list */

/* load_long_tail - "long_tail": {"domains": N, "zipf_exponent": s}, the
 * "*" share's domains and their size distribution (docs/providers.md). */
static void load_long_tail(struct sload *ld, const cJSON *gen)
{
    static const char *const keys[] = { "domains", "zipf_exponent" };
    const cJSON *lt = cJSON_GetObjectItemCaseSensitive(gen, "long_tail");
    struct scenario *sc = ld->sc;

    sc->tail_domains = 1000;
    sc->tail_zipf = 1;
    if (lt == NULL)
        return;
    size_t n0 = push_key(ld, "long_tail");
    if (!cJSON_IsObject(lt)) {
        jerr(ld, "expected an object");
    } else {
        check_keys(ld, lt, keys, N_ELEM(keys));
        if (get_number(ld, lt, "domains", 1, 1000000,
                       "a whole number from 1 to 1000000",
                       &sc->tail_domains) > 0 &&
            sc->tail_domains != floor(sc->tail_domains)) {
            size_t n1 = push_key(ld, "domains");
            jerr(ld, "expected a whole number from 1 to 1000000");
            pop(ld, n1);
        }
        get_number(ld, lt, "zipf_exponent", 0, 10, "a number from 0 to 10",
                   &sc->tail_zipf);
    }
    pop(ld, n0);
}

/* load_streams - "generate": {"streams": [...]}, names unique. */
static void load_streams(struct sload *ld, const cJSON *gen)
{
    static const char *const keys[] = { "streams", "long_tail" };
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(gen, "streams");
    struct scenario *sc = ld->sc;

    check_keys(ld, gen, keys, N_ELEM(keys));
    load_long_tail(ld, gen);
    if (list == NULL) {
        jerr(ld, "missing required key 'streams'");
        return;
    }
    size_t n0 = push_key(ld, "streams");
    if (!cJSON_IsArray(list) || list->child == NULL) {
        jerr(ld, "expected a non-empty list of streams");
        pop(ld, n0);
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(list);
    if (n > SCEN_MAX_STREAMS) {
        jerr(ld, "%zu streams, more than the limit of %d", n, SCEN_MAX_STREAMS);
        pop(ld, n0);
        return;
    }
    struct name_set names;
    name_set_init(&names, n);
    sc->streams = xcalloc(n, sizeof(*sc->streams));
    for (const cJSON *it = list->child; it; it = it->next) {
        size_t i = sc->n_streams++, n1 = push_idx(ld, i);
        load_stream(ld, it, &sc->streams[i]);
        if (sc->streams[i].name[0] &&
            !name_set_add(&names, sc->streams[i].name)) {
            size_t n2 = push_key(ld, "name");
            jerr(ld, "duplicate stream name '%s'", sc->streams[i].name);
            pop(ld, n2);
        }
        pop(ld, n1);
    }
    free(names.slot);
    pop(ld, n0);
}

/* load_file_sendlist - {"file": ..., "format": "csv" | "pmta-acct"}. */
static void load_file_sendlist(struct sload *ld, const cJSON *obj)
{
    const char *fmt = "csv";

    get_file(ld, obj, "file", &ld->sc->sendlist_file);
    if (get_string(ld, obj, "format", &fmt) < 0)
        return;
    if (strcmp(fmt, "pmta-acct") == 0) {
        ld->sc->sendlist_kind = SCEN_SL_ACCT;
    } else if (strcmp(fmt, "csv") == 0) {
        ld->sc->sendlist_kind = SCEN_SL_CSV;
    } else {
        size_t n0 = push_key(ld, "format");
        jerr(ld, "unknown format '%s' (expected 'csv' or 'pmta-acct')", fmt);
        pop(ld, n0);
    }
}

/* load_sendlist - "sendlist": a file, or a generator. */
static void load_sendlist(struct sload *ld, const cJSON *root)
{
    static const char *const keys[] = { "file", "format", "generate" };
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "sendlist");
    const cJSON *gen;

    if (obj == NULL) {
        jerr(ld, "missing required key 'sendlist'");
        return;
    }
    size_t n0 = push_key(ld, "sendlist");
    gen = cJSON_GetObjectItemCaseSensitive(obj, "generate");
    if (!cJSON_IsObject(obj)) {
        jerr(ld, "expected an object with 'file' or 'generate'");
    } else if (gen && cJSON_GetObjectItemCaseSensitive(obj, "file")) {
        jerr(ld, "set 'file' or 'generate', not both");
    } else if (gen) {
        check_keys(ld, obj, keys, N_ELEM(keys));
        ld->sc->sendlist_kind = SCEN_SL_GENERATE;
        if (cJSON_GetObjectItemCaseSensitive(obj, "format")) {
            size_t n2 = push_key(ld, "format");
            jerr(ld, "applies to 'file' send lists only");
            pop(ld, n2);
        }
        size_t n1 = push_key(ld, "generate");
        if (!cJSON_IsObject(gen))
            jerr(ld, "expected an object with 'streams'");
        else
            load_streams(ld, gen);
        pop(ld, n1);
    } else if (cJSON_GetObjectItemCaseSensitive(obj, "file")) {
        check_keys(ld, obj, keys, N_ELEM(keys));
        load_file_sendlist(ld, obj);
    } else {
        jerr(ld, "expected 'file' or 'generate'");
    }
    pop(ld, n0);
}

/* ------------------------------------------------------------ the file */

/* json_truncated - the text ends inside a string or an open bracket (or
 * holds nothing): cJSON's offset then means "ran out of input". */
static int json_truncated(const char *text, size_t len)
{
    int depth = 0, in_str = 0, any = 0;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        any |= !isspace((unsigned char)c);
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return !any || in_str || depth > 0;
}

/* syntax_error - cJSON stopped at offset: report it as line:col with the
 * line for the caret. cJSON sometimes stops past the bad token, at the
 * end of the text; then the last token is the culprit. */
static void syntax_error(struct sload *ld, const char *text, size_t len,
                         size_t off)
{
    size_t bol = 0, eol, rest = off;
    int line = 1, at_end, n = 0;
    struct diag *d;

    while (rest < len && isspace((unsigned char)text[rest]))
        rest++;
    at_end = rest >= len && json_truncated(text, len);
    while (rest >= len && !at_end && off > 0 &&
           (off >= len || isspace((unsigned char)text[off])))
        rest = --off;
    for (size_t i = 0; i < off && i < len; i++)
        if (text[i] == '\n') {
            line++;
            bol = i + 1;
        }
    for (eol = bol; eol < len && text[eol] != '\n' && text[eol] != '\r';)
        eol++;
    while (n < 12 && off + n < eol && !isspace((unsigned char)text[off + n]))
        n++;
    if (at_end)
        d = diag_add(ld->dl, DIAG_ERROR, ld->sc->path, line,
                     (int)(off - bol) + 1, "unexpected end of JSON input");
    else
        d = diag_add(ld->dl, DIAG_ERROR, ld->sc->path, line,
                     (int)(off - bol) + 1, "invalid JSON near '%.*s'",
                     n ? n : 1, text + off);
    char *src = xstrndup(text + bol, eol - bol);
    diag_set_source(d, src, n ? n : 1);
    free(src);
}

/* parse_json - the scenario text as a cJSON tree, or NULL (reported). */
static cJSON *parse_json(struct sload *ld)
{
    struct strbuf sb;
    const char *end = NULL;
    cJSON *root;

    strbuf_init(&sb);
    if (strbuf_read_file(&sb, ld->sc->path) < 0) {
        diag_add(ld->dl, DIAG_ERROR, ld->sc->path, 0, 0,
                 "cannot read scenario: %s", strerror(errno));
        strbuf_release(&sb);
        return NULL;
    }
    /* the length includes the terminator that require_null_terminated
     * looks for */
    root = cJSON_ParseWithLengthOpts(sb.buf, sb.len + 1, &end, 1);
    if (root == NULL) {
        size_t off = end ? (size_t)(end - sb.buf) : 0;
        syntax_error(ld, sb.buf, sb.len, off > sb.len ? sb.len : off);
    }
    strbuf_release(&sb);
    return root;
}

/* set_names - dir and name from the scenario path. */
static void set_names(struct scenario *sc)
{
    const char *slash = strrchr(sc->path, '/');
    const char *base = slash ? slash + 1 : sc->path;

    sc->dir = slash
                  ? xstrndup(sc->path,
                             slash == sc->path ? 1 : (size_t)(slash - sc->path))
                  : xstrdup(".");
    if (strcmp(base, "scenario.json") == 0) {
        char *real = realpath(sc->dir, NULL);
        const char *d = real ? real : sc->dir;
        const char *s = strrchr(d, '/');
        sc->name = xstrdup(s && s[1] ? s + 1 : d);
        free(real);
    } else {
        const char *dot = strrchr(base, '.');
        sc->name = dot && dot != base ? xstrndup(base, (size_t)(dot - base))
                                      : xstrdup(base);
    }
}

/* load_root - the top-level members. */
static void load_root(struct sload *ld, const cJSON *root,
                      const char *models_dir)
{
    static const char *const keys[] = { "config", "description", "duration",
                                        "ips",    "models",      "rate_window",
                                        "report", "seed",        "sendlist",
                                        "source", "start" };
    int rc;

    check_keys(ld, root, keys, N_ELEM(keys));
    load_duration(ld, root);
    load_start(ld, root);
    load_seed(ld, root);
    rc = get_file(ld, root, "config", &ld->sc->config);
    if (rc == 0)
        jerr(ld, "missing required key 'config'");
    load_models(ld, root, models_dir);
    load_report(ld, root);
    load_ips(ld, root);
    load_rate_window(ld, root);
    load_source(ld, root);
    load_sendlist(ld, root);
}

/* scenario_load - defaults, then the file. models_dir NULL means no
 * default model set (for tools such as `mtasim gen` that need none). */
int scenario_load(const char *path, const char *models_dir, struct scenario *sc,
                  struct diag_list *dl)
{
    struct sload ld = { sc, dl, { NULL, 0, 0 } };
    size_t errors0 = dl->n_errors;
    cJSON *root;

    memset(sc, 0, sizeof(*sc));
    sc->path = xstrdup(path);
    set_names(sc);
    sc->seed = 1;
    sc->start_unix = SCEN_DEFAULT_START;
    sc->report_interval_s = 3600;
    sc->rate_algo = SCEN_RATE_SLIDING;
    strbuf_init(&ld.path);
    strbuf_adds(&ld.path, "$");
    root = parse_json(&ld);
    if (root && !cJSON_IsObject(root))
        jerr(&ld, "expected an object (a scenario)");
    else if (root)
        load_root(&ld, root, models_dir);
    cJSON_Delete(root);
    strbuf_release(&ld.path);
    if (root == NULL || dl->n_errors > errors0) {
        scenario_release(sc);
        return -1;
    }
    return 0;
}

/* release_stream - one generator stream's strings and arrays. */
static void release_stream(struct scen_stream *st)
{
    free(st->name);
    free(st->vmta);
    free(st->pool);
    free(st->volume_per_day);
    for (size_t i = 0; i < st->n_domains; i++)
        free(st->domains[i].domain);
    free(st->domains);
}

/* scenario_release - free everything and zero sc. */
void scenario_release(struct scenario *sc)
{
    if (sc == NULL)
        return;
    free(sc->path);
    free(sc->dir);
    free(sc->name);
    free(sc->config);
    for (size_t i = 0; i < sc->n_models; i++)
        free(sc->models[i]);
    free(sc->models);
    for (size_t i = 0; i < sc->n_ips; i++)
        free(sc->ips[i].ip);
    free(sc->ips);
    free(sc->source);
    free(sc->sendlist_file);
    for (size_t i = 0; i < sc->n_streams; i++)
        release_stream(&sc->streams[i]);
    free(sc->streams);
    memset(sc, 0, sizeof(*sc));
}

/* scenario_format_time - start + t_s as UTC ISO 8601. */
void scenario_format_time(const struct scenario *sc, double t_s, char *buf,
                          size_t n)
{
    int64_t t = sc->start_unix + (int64_t)floor(t_s);
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400, y;
    int m, d;

    sl_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

double scenario_expected_volume(const struct scenario *sc)
{
    double total = 0;

    for (size_t i = 0; i < sc->n_streams; i++) {
        const struct scen_stream *st = &sc->streams[i];
        for (double d = 0; d * 86400 < sc->duration_s && st->n_volume; d++) {
            size_t k = d < (double)st->n_volume ? (size_t)d : st->n_volume - 1;
            double part = (sc->duration_s - d * 86400) / 86400;
            total += st->volume_per_day[k] * (part < 1 ? part : 1);
        }
    }
    return total;
}

int scenario_check_limits(const struct scenario *sc, int force,
                          struct diag_list *dl)
{
    size_t errors0 = dl->n_errors;
    const char *why = force ? "" : " (use --force to run it anyway)";

    if (!(sc->duration_s > 0 && sc->duration_s <= SCEN_MAX_INTERVAL_S)) {
        diag_add(dl, DIAG_ERROR, sc->path, 0, 0,
                 "a duration of %.6g s is outside the limits (more than 0s, "
                 "at most %s = %.0f s)",
                 sc->duration_s, SCEN_MAX_INTERVAL_TEXT, SCEN_MAX_INTERVAL_S);
        return -1; /* the figures below need a sane duration */
    }
    if (!(sc->report_interval_s >= SCEN_MIN_REPORT_INTERVAL_S &&
          sc->report_interval_s <= SCEN_MAX_INTERVAL_S))
        diag_add(dl, DIAG_ERROR, sc->path, 0, 0,
                 "a report interval of %.6g s is outside the limits (1s to "
                 "%s)",
                 sc->report_interval_s, SCEN_MAX_INTERVAL_TEXT);
    else if (!force && ceil(sc->duration_s / sc->report_interval_s) >
                           SCEN_MAX_REPORT_INTERVALS)
        diag_add(dl, DIAG_ERROR, sc->path, 0, 0,
                 "the report would have %.0f intervals, more than the limit "
                 "of %.0f; use a longer \"report\": {\"interval\"}%s",
                 ceil(sc->duration_s / sc->report_interval_s),
                 SCEN_MAX_REPORT_INTERVALS, why);
    double vol = scenario_expected_volume(sc);
    if (!force && vol > SCEN_MAX_RECIPIENTS)
        diag_add(dl, DIAG_ERROR, sc->path, 0, 0,
                 "the send list would generate about %.4g recipients, more "
                 "than the limit of %.0f%s",
                 vol, SCEN_MAX_RECIPIENTS, why);
    return dl->n_errors > errors0 ? -1 : 0;
}
