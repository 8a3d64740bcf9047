/* fit.c - the shipped models (defaults and the domain map) and the one
 * streaming pass over the accounting records.
 *
 * Per record: the provider (the recipient's domain as the models map it;
 * for a domain only the wildcard model serves, the MX host of dsnMta
 * against the models' "mx" lists), the source IP (dlvSourceIp, else the
 * VMTA name), the class of its reply, and counts into the provider's
 * reply groups and the (provider, IP) 5-minute series. Rows that say
 * nothing about a provider (r, f, rb, rs, unknown types) are counted and
 * skipped. */
#include "fit/fit_int.h"
#include "input/acct_rows.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ models */

/* jget - the item at a dotted path ("capacity.initial_per_hour"). */
static const cJSON *jget(const cJSON *root, const char *path)
{
    char part[64];
    const cJSON *j = root;

    while (j && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        j = cJSON_GetObjectItemCaseSensitive(j, part);
        path += n + (path[n] == '.');
    }
    return j;
}

static double jnum(const cJSON *root, const char *path, double dflt)
{
    const cJSON *j = jget(root, path);
    return cJSON_IsNumber(j) ? j->valuedouble : dflt;
}

static const char *jstr(const cJSON *root, const char *path, const char *dflt)
{
    const cJSON *j = jget(root, path);
    return cJSON_IsString(j) ? j->valuestring : dflt;
}

/* model_defaults - the shipped values the estimation starts from (the
 * loader's defaults where a key is absent: models/README.md). */
static void model_defaults(struct fit_prov *p)
{
    const cJSON *m = p->model;
    const cJSON *cap = jget(m, "capacity");
    const cJSON *g = jget(m, "capacity.growth_per_day");

    p->cap_limited = cJSON_IsObject(cap);
    p->c0 = jnum(m, "capacity.initial_per_hour", 20);
    p->active_hours = jnum(m, "capacity.active_hours", 12);
    p->active_day_min = jnum(m, "capacity.active_day_min", 100);
    p->half_life_days = jnum(m, "capacity.history_half_life_days", 7);
    p->vfloor =
        jnum(m, "capacity.history_floor_per_day", p->c0 * p->active_hours);
    p->burst_minutes = jnum(m, "capacity.burst_minutes", 1);
    p->cap_max = jnum(m, "capacity.max_per_hour", 1e12);
    p->week1_cap = jnum(m, "capacity.week1_cap_per_day", 0);
    p->beta = jnum(m, "capacity.history_factor", 0);
    for (int k = 0; k < 3; k++)
        p->growth[k] = cJSON_IsArray(g) && cJSON_GetArraySize(g) == 3
                           ? cJSON_GetArrayItem(g, k)->valuedouble
                           : jnum(m, "capacity.growth_per_day", 1);
    p->ep_on = cJSON_IsObject(jget(m, "throttle.episodes"));
    p->ep_hazard = jnum(m, "throttle.episodes.hazard", 0);
    p->ep_median_s = jnum(m, "throttle.episodes.median_s", 0);
    p->ep_sigma = jnum(m, "throttle.episodes.sigma", 0.5);
    p->ep_repeat = jnum(m, "throttle.episodes.repeat_factor", 2);
    p->ep_rho = jnum(m, "throttle.episodes.capacity_factor", 0);
    p->ep_max_s = jnum(m, "throttle.episodes.max_s", 0);
    p->ep_window_s = jnum(m, "throttle.episodes.window_s", 900);
    p->transient_rate = jnum(m, "transient.rate", 0);
    p->block_min_h = jnum(m, "block.min_hours", 24);
    p->msg_cap = (int)jnum(m, "connections.max_msgs_per_connection", 0);
}

/* model_texts - the provider's reply texts, normalised. */
static void model_texts(struct fit_prov *p)
{
    static const struct {
        enum fit_class c;
        const char *path, *dflt;
    } t[] = {
        { FC_THROTTLE, "throttle.reply", "421 4.7.0 Try again later" },
        { FC_CONN_LIMIT, "connections.reply",
          "421 4.7.0 Too many connections, try again later" },
        { FC_MSG_CAP, "connections.msg_cap_reply",
          "421 4.7.0 Too many messages on this connection, closing "
          "connection" },
        { FC_TRANSIENT, "transient.reply",
          "451 4.3.0 Temporary failure, try again later" },
        { FC_UNKNOWN_USER, "unknown_user.reply", "550 5.1.1 User unknown" },
        { FC_BLOCK, "block.reply",
          "554 5.7.1 Service unavailable; client host [{ip}] blocked" },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        p->tmpl.norm[t[i].c] =
            fit_reply_norm(jstr(p->model, t[i].path, t[i].dflt));
}

/* model_mx - the model's "mx" names (lower case) and its wildcard; an
 * entry is a name or an object whose "host" is the name. */
static void model_mx(struct fit_prov *p)
{
    const cJSON *mx = jget(p->model, "mx"), *e;
    const cJSON *doms = jget(p->model, "domains");

    cJSON_ArrayForEach(e, doms) if (cJSON_IsString(e) &&
                                    strcmp(e->valuestring, "*") == 0)
        p->wildcard = 1;
    if (!cJSON_IsArray(mx))
        return;
    p->mx = xcalloc((size_t)cJSON_GetArraySize(mx) + 1, sizeof(char *));
    cJSON_ArrayForEach(e, mx)
    {
        const cJSON *h =
            cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "host") : e;
        if (!cJSON_IsString(h))
            continue;
        char *s = xstrdup(h->valuestring);
        for (char *c = s; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        p->mx[p->n_mx++] = s;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* model_files - the *.json of dir, sorted. */
static char **model_files(const char *dir, size_t *n, struct diag_list *dl)
{
    DIR *d = opendir(dir);
    char **list = NULL;
    size_t cap = 0;
    struct dirent *e;

    *n = 0;
    if (d == NULL) {
        diag_add(dl, DIAG_ERROR, dir, 0, 0,
                 "cannot read the models directory: %s", strerror(errno));
        return NULL;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
            e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            list = xreallocarray(list, cap, sizeof(*list));
        }
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_addf(&sb, "%s/%s", dir, e->d_name);
        list[(*n)++] = strbuf_detach(&sb);
    }
    closedir(d);
    if (*n == 0)
        diag_add(dl, DIAG_ERROR, dir, 0, 0, "no model files (*.json) here");
    else
        qsort(list, *n, sizeof(*list), cmp_str);
    return list;
}

/* load_model - model path into provider slot i (same index as in the
 * world). */
static int load_model(struct fit *f, const char *path, struct diag_list *dl)
{
    int idx = prov_world_load(f->world, path, dl);
    if (idx < 0)
        return -1;
    struct strbuf sb;
    strbuf_init(&sb);
    if (strbuf_read_file(&sb, path) < 0) {
        strbuf_release(&sb);
        return -1;
    }
    cJSON *root = cJSON_Parse(sb.buf);
    strbuf_release(&sb);
    if (root == NULL)
        return -1; /* prov_world_load read it: cannot happen */
    f->provs = xreallocarray(f->provs, f->n_provs + 1, sizeof(*f->provs));
    struct fit_prov *p = &f->provs[f->n_provs++];
    memset(p, 0, sizeof(*p));
    p->name = xstrdup(prov_world_name(f->world, idx));
    p->path = xstrdup(path);
    p->model = root;
    model_defaults(p);
    model_texts(p);
    model_mx(p);
    return 0;
}

struct fit *fit_alloc(const struct fit_opts *o, struct diag_list *dl)
{
    struct fit *f = xcalloc(1, sizeof(*f));
    size_t n = 0;
    char **files;

    f->opt = *o;
    f->opt.n_ages = o->n_ages < FIT_MAX_IPS_AGE ? o->n_ages : FIT_MAX_IPS_AGE;
    for (size_t i = 0; i < f->opt.n_ages; i++)
        f->ages[i] = o->ages[i];
    f->world = prov_world_alloc();
    files = model_files(o->providers_dir, &n, dl);
    int rc = files ? 0 : -1;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && load_model(f, files[i], dl) < 0)
            rc = -1;
        free(files[i]);
    }
    free(files);
    if (rc < 0) {
        fit_free(f);
        return NULL;
    }
    return f;
}

static void series_release(struct fit_series *s)
{
    free(s->ip);
    free(s->d);
    free(s->thr);
    free(s->att);
    free(s->off);
    free(s->ep);
    free(s->cap_day);
}

void fit_free(struct fit *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_provs; i++) {
        struct fit_prov *p = &f->provs[i];
        free(p->name);
        free(p->path);
        cJSON_Delete(p->model);
        for (size_t k = 0; k < p->n_mx; k++)
            free(p->mx[k]);
        free(p->mx);
        for (int k = 0; k < FC_N; k++)
            free(p->tmpl.norm[k]);
        for (size_t k = 0; k < p->n_groups; k++) {
            free(p->groups[k].key);
            free(p->groups[k].sample);
        }
        free(p->groups);
        for (size_t k = 0; k < p->n_series; k++)
            series_release(&p->series[k]);
        free(p->series);
        free(p->hour_d);
        free(p->hour_t);
    }
    free(f->provs);
    for (size_t i = 0; i < f->n_ips; i++)
        free(f->ips[i]);
    free(f->ips);
    free(f->seen);
    for (size_t i = 0; i < f->n_files; i++)
        free(f->files[i]);
    free(f->files);
    prov_world_free(f->world);
    free(f);
}

/* ------------------------------------------------------- the mapping */

/* mx_match - host is one of the names, or shares its parent domain
 * ("hotmail-com.olc.protection.outlook.com" rolls up with any
 * "*.olc.protection.outlook.com"). */
static int mx_match(const struct fit_prov *p, const char *host, size_t n)
{
    for (size_t i = 0; i < p->n_mx; i++) {
        const char *mx = p->mx[i];
        size_t m = strlen(mx);
        if (m == n && strncasecmp(mx, host, n) == 0)
            return 1;
        const char *parent = strchr(mx, '.');
        if (parent && strchr(parent + 1, '.')) {
            size_t pl = strlen(parent);
            if (n > pl && strncasecmp(host + n - pl, parent, pl) == 0)
                return 1;
        }
    }
    return 0;
}

int fit_provider_of(const struct fit *f, const char *domain,
                    const char *mx_host)
{
    int p = domain[0] ? prov_world_find(f->world, domain) : -1;

    if ((p < 0 || f->provs[p].wildcard) && mx_host && mx_host[0]) {
        size_t n = strcspn(mx_host, " (");
        for (size_t i = 0; i < f->n_provs; i++)
            if (!f->provs[i].wildcard && mx_match(&f->provs[i], mx_host, n))
                return (int)i;
    }
    return p;
}

/* ------------------------------------------------------------ groups */

/* group_of - the reply group of text (created when new): same class and
 * same key. A linear search: a provider answers with a handful of texts. */
static struct fit_group *group_of(struct fit_prov *p, const char *text,
                                  const char *cat, int tq)
{
    char key[96];
    enum fit_class c = fit_reply_class(p, text, cat, tq);

    fit_reply_key(text, key, sizeof(key));
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i].cls == c && strcmp(p->groups[i].key, key) == 0)
            return &p->groups[i];
    if (p->n_groups == p->cap_groups) {
        p->cap_groups = p->cap_groups ? 2 * p->cap_groups : 8;
        p->groups = xreallocarray(p->groups, p->cap_groups, sizeof(*p->groups));
    }
    struct fit_group *g = &p->groups[p->n_groups++];
    g->key = xstrdup(key);
    g->sample = fit_reply_sample(text);
    g->cls = c;
    g->count = 0;
    return g;
}

/* reply_class - the class of a non-delivery row, counted in its reply
 * group. */
static enum fit_class reply_class(struct fit_prov *p, const char *text,
                                  const char *cat, int tq)
{
    struct fit_group *g = group_of(p, text, cat, tq);
    g->count++;
    return g->cls;
}

/* ------------------------------------------------------------ series */

static size_t ip_index(struct fit *f, const char *ip)
{
    for (size_t i = f->n_ips; i-- > 0;)
        if (strcmp(f->ips[i], ip) == 0)
            return i;
    if (f->n_ips == f->cap_ips) {
        f->cap_ips = f->cap_ips ? 2 * f->cap_ips : 8;
        f->ips = xreallocarray(f->ips, f->cap_ips, sizeof(*f->ips));
    }
    f->ips[f->n_ips] = xstrdup(ip);
    return f->n_ips++;
}

static struct fit_series *series_of(struct fit *f, struct fit_prov *p,
                                    const char *ip, int64_t t)
{
    for (size_t i = 0; i < p->n_series; i++)
        if (strcmp(p->series[i].ip, ip) == 0)
            return &p->series[i];
    ip_index(f, ip);
    if (p->n_series == p->cap_series) {
        p->cap_series = p->cap_series ? 2 * p->cap_series : 4;
        p->series = xreallocarray(p->series, p->cap_series, sizeof(*p->series));
    }
    struct fit_series *s = &p->series[p->n_series++];
    memset(s, 0, sizeof(*s));
    s->ip = xstrdup(ip);
    s->first_s = t;
    return s;
}

/* grow_bins - the series' bins, zero-extended to hold bin i. */
static void grow_bins(struct fit_series *s, size_t i)
{
    if (i < s->n_bins)
        return;
    if (i >= s->cap_bins) {
        size_t cap = s->cap_bins ? s->cap_bins : 2048;
        while (cap <= i)
            cap *= 2;
        s->d = xreallocarray(s->d, cap, sizeof(*s->d));
        s->thr = xreallocarray(s->thr, cap, sizeof(*s->thr));
        s->att = xreallocarray(s->att, cap, sizeof(*s->att));
        s->off = xreallocarray(s->off, cap, sizeof(*s->off));
        s->cap_bins = cap;
    }
    size_t add = i + 1 - s->n_bins;
    memset(s->d + s->n_bins, 0, add * sizeof(*s->d));
    memset(s->thr + s->n_bins, 0, add * sizeof(*s->thr));
    memset(s->att + s->n_bins, 0, add * sizeof(*s->att));
    memset(s->off + s->n_bins, 0, add * sizeof(*s->off));
    s->n_bins = i + 1;
}

static void grow_hours(struct fit_prov *p, size_t h)
{
    if (h < p->n_hours)
        return;
    if (h >= p->cap_hours) {
        size_t cap = p->cap_hours ? p->cap_hours : 256;
        while (cap <= h)
            cap *= 2;
        p->hour_d = xreallocarray(p->hour_d, cap, sizeof(*p->hour_d));
        p->hour_t = xreallocarray(p->hour_t, cap, sizeof(*p->hour_t));
        p->cap_hours = cap;
    }
    for (size_t k = p->n_hours; k <= h; k++)
        p->hour_d[k] = p->hour_t[k] = 0;
    p->n_hours = h + 1;
}

/* ------------------------------------------------------------- a row */

/* row_domain - the recipient's domain (lower case), or for a tq row the
 * domain part of its queue ("gmail.com/vmta1"). */
static void row_domain(const struct acct_row *r, int tq, char *dom, size_t n)
{
    const char *s = tq ? r->f[AF_QUEUE] : strrchr(r->f[AF_RCPT], '@');
    size_t len;

    if (!tq && s)
        s++;
    if (s == NULL)
        s = "";
    len = tq ? strcspn(s, "/") : strlen(s);
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++)
        dom[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    dom[len] = '\0';
}

enum row_kind { RK_D, RK_T, RK_B, RK_TQ, RK_OTHER };

static enum row_kind row_kind(const char *type)
{
    if (type[0] && type[1] == '\0') {
        switch (type[0] | 0x20) {
        case 'd':
            return RK_D;
        case 't':
            return RK_T;
        case 'b':
            return RK_B;
        }
    }
    if (strcasecmp(type, "tq") == 0)
        return RK_TQ;
    return RK_OTHER;
}

/* msg_hash - FNV-1a of a message's recipient, queue time and job: the
 * same for every attempt at one recipient of one message. */
static uint64_t msg_hash(const struct acct_row *r)
{
    static const int fields[] = { AF_RCPT, AF_TQUEUED, AF_JOB };
    uint64_t h = UINT64_C(14695981039346656037);

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        for (const char *c = r->f[fields[i]]; *c; c++)
            h = (h ^ (unsigned char)*c) * UINT64_C(1099511628211);
        h = (h ^ 0xff) * UINT64_C(1099511628211);
    }
    return h ? h : 1;
}

/* first_attempt - 1 when no earlier record had this message: its first
 * attempt, which the receiver counts as offered (docs/fit.md). An open
 * addressing set of hashes (0 is empty), kept at most half full. */
static int first_attempt(struct fit *f, const struct acct_row *r)
{
    if (2 * (f->n_seen + 1) > f->cap_seen) {
        size_t cap = f->cap_seen ? 2 * f->cap_seen : 1 << 16;
        uint64_t *t = xcalloc(cap, sizeof(*t));
        for (size_t i = 0; i < f->cap_seen; i++)
            if (f->seen[i]) {
                size_t j = (size_t)(f->seen[i] & (cap - 1));
                while (t[j])
                    j = (j + 1) & (cap - 1);
                t[j] = f->seen[i];
            }
        free(f->seen);
        f->seen = t;
        f->cap_seen = cap;
    }
    uint64_t h = msg_hash(r);
    size_t j = (size_t)(h & (f->cap_seen - 1));
    while (f->seen[j]) {
        if (f->seen[j] == h)
            return 0;
        j = (j + 1) & (f->cap_seen - 1);
    }
    f->seen[j] = h;
    f->n_seen++;
    return 1;
}

/* The longest span the summaries cover (they grow with it). */
#define FIT_MAX_SPAN_S (3660 * INT64_C(86400))

/* count_row - one record into the summaries; -1 when its time is
 * implausibly far from the first record's. */
static int count_row(struct fit *f, const struct acct_row *r)
{
    enum row_kind k = row_kind(r->f[AF_TYPE]);
    char dom[256];

    f->by_type[k]++;
    if (k == RK_OTHER)
        return 0;
    if (!f->have_t0) {
        f->t0_s = r->logged_s - ((r->logged_s % 86400) + 86400) % 86400;
        f->have_t0 = 1;
    }
    if (r->logged_s < f->t0_s) {
        f->early++;
        return 0;
    }
    if (r->logged_s - f->t0_s > FIT_MAX_SPAN_S)
        return -1;
    row_domain(r, k == RK_TQ, dom, sizeof(dom));
    int pi = fit_provider_of(f, dom, r->f[AF_DSN_MTA]);
    if (pi < 0) {
        f->skipped++;
        return 0;
    }
    struct fit_prov *p = &f->provs[pi];
    int64_t dt = r->logged_s - f->t0_s;
    size_t bin = (size_t)(dt / FIT_BIN_S), hour = (size_t)(dt / 3600);
    enum fit_class c = FC_DELIVERED;

    if (r->logged_s > f->last_s)
        f->last_s = r->logged_s;
    p->records++;
    grow_hours(p, hour);
    if (k != RK_D)
        c = reply_class(p, fit_reply_text(r->f[AF_DSN_DIAG]),
                        r->f[AF_BOUNCE_CAT], k == RK_TQ);
    p->n_class[c]++;
    if (k == RK_D || (k == RK_B && c != FC_MTA))
        p->recipients++;
    if (k == RK_T)
        p->hour_t[hour]++;
    if (c == FC_DELIVERED)
        p->hour_d[hour]++;
    /* the series is per source IP (the VMTA when the logs lack it); a
     * record without one that no provider answered (an expiry, a
     * queue-level failure: no connection was made) belongs to none */
    const char *ip = r->f[AF_SOURCE_IP][0]       ? r->f[AF_SOURCE_IP]
                     : k == RK_TQ || c == FC_MTA ? NULL
                     : r->f[AF_VMTA][0]          ? r->f[AF_VMTA]
                                                 : "unknown";
    if (ip == NULL)
        return 0;
    struct fit_series *s = series_of(f, p, ip, r->logged_s);
    grow_bins(s, bin);
    if (k != RK_TQ) {
        s->att[bin]++;
        s->off[bin] += first_attempt(f, r);
    }
    if (c == FC_DELIVERED) {
        s->d[bin]++;
    } else if (c == FC_THROTTLE) {
        s->thr[bin]++;
    } else if (c == FC_BLOCK) {
        if (s->block_spells == 0 || r->logged_s - s->block_last_s > 6 * 3600)
            s->block_spells++;
        s->block_last_s = r->logged_s;
    }
    return 0;
}

int fit_read(struct fit *f, const char *const *files, size_t n,
             struct diag_list *dl)
{
    struct acct_rows *rows = acct_rows_open(files, n, dl);
    struct acct_row r;
    int rc;

    if (rows == NULL)
        return -1;
    f->files = xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        f->files[f->n_files++] = xstrdup(acct_rows_path(rows, i));
    while ((rc = acct_rows_next(rows, &r, dl)) == 1) {
        f->rows++;
        if (count_row(f, &r) < 0) {
            diag_add(dl, DIAG_ERROR, r.path, (int)r.line, 0,
                     "timeLogged '%s' is more than 10 years after the first "
                     "record's day: a damaged time, or fit the years apart",
                     r.f[AF_TLOGGED]);
            rc = -1;
            break;
        }
    }
    acct_rows_close(rows);
    if (rc == 0 && f->by_type[RK_D] + f->by_type[RK_T] + f->by_type[RK_B] +
                           f->by_type[RK_TQ] ==
                       0) {
        diag_add(dl, DIAG_ERROR, n ? files[0] : "-", 0, 0,
                 "no d, b, t or tq records: nothing to fit");
        return -1;
    }
    return rc;
}

/* ---------------------------------------------------------- accessors */

int64_t fit_start_unix(const struct fit *f)
{
    return f->t0_s;
}

size_t fit_hours(const struct fit *f)
{
    return f->have_t0 ? (size_t)((f->last_s - f->t0_s) / 3600) + 1 : 0;
}

size_t fit_provider_count(const struct fit *f)
{
    return f->n_provs;
}

const char *fit_provider_name(const struct fit *f, size_t p)
{
    return f->provs[p].name;
}

int fit_provider_seen(const struct fit *f, size_t p)
{
    return f->provs[p].records > 0;
}

const char *fit_provider_model(const struct fit *f, size_t p)
{
    return f->provs[p].path;
}

void fit_logged_hour(const struct fit *f, size_t p, size_t hour,
                     double *delivered, double *deferred)
{
    const struct fit_prov *pr = &f->provs[p];
    *delivered = hour < pr->n_hours ? pr->hour_d[hour] : 0;
    *deferred = hour < pr->n_hours ? pr->hour_t[hour] : 0;
}

size_t fit_ip_count(const struct fit *f)
{
    return f->n_ips;
}

const char *fit_ip(const struct fit *f, size_t i, double *age_days)
{
    /* the IP's age on day 0: the oldest its providers' fits give */
    double age = 0;
    for (size_t k = 0; k < f->n_provs; k++)
        for (size_t j = 0; j < f->provs[k].n_series; j++) {
            const struct fit_series *s = &f->provs[k].series[j];
            if (strcmp(s->ip, f->ips[i]) == 0 && s->age0 > age)
                age = s->age0;
        }
    *age_days = age;
    return f->ips[i];
}
