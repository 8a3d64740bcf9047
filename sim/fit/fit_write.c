/* fit_write.c - the estimation sequence and the fitted model files.
 *
 * Each provider seen in the logs gets DIR/<name>.json: a copy of its
 * shipped model with the fitted values written over the shipped ones,
 * and a "_fit" object (keys starting with "_" are comments to the model
 * loader) that lists, per key, the fitted value, its 95 % interval, the
 * number of observations and the method, or why the shipped value was
 * kept. Which figure goes to which key is the one table fit_keys below. */
#include "fit/fit_int.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON key of each figure (index >= 0: an element of a list). NULL:
 * the figure is reported in "_fit" only. */
static const struct {
    enum fit_fig_id id;
    const char *key;
    int index;
} fit_keys[] = {
    { FF_C0, "capacity.initial_per_hour", -1 },
    { FF_G1, "capacity.growth_per_day", 0 },
    { FF_G2, "capacity.growth_per_day", 1 },
    { FF_G3, "capacity.growth_per_day", 2 },
    { FF_BETA, "capacity.history_factor", -1 },
    { FF_CAP_SIGMA, NULL, -1 },
    { FF_EP_HAZARD, "throttle.episodes.hazard", -1 },
    { FF_EP_MEDIAN, "throttle.episodes.median_s", -1 },
    { FF_EP_SIGMA, "throttle.episodes.sigma", -1 },
    { FF_EP_REPEAT, "throttle.episodes.repeat_factor", -1 },
    { FF_EP_RHO, "throttle.episodes.capacity_factor", -1 },
    { FF_TRANSIENT, "transient.rate", -1 },
    { FF_UNKNOWN, NULL, -1 },
    { FF_MSG_CAP, "connections.max_msgs_per_connection", -1 },
    { FF_BLOCK_MIN_H, "block.min_hours", -1 },
};

/* The reply text of each class and its key. */
static const struct {
    enum fit_class cls;
    const char *key;
} text_keys[] = {
    { FC_THROTTLE, "throttle.reply" },
    { FC_CONN_LIMIT, "connections.reply" },
    { FC_MSG_CAP, "connections.msg_cap_reply" },
    { FC_TRANSIENT, "transient.reply" },
    { FC_UNKNOWN_USER, "unknown_user.reply" },
    { FC_BLOCK, "block.reply" },
};

/* Keys the fit never estimates (docs/fit.md says why). */
static const char *const never_fitted[] = {
    "latency.connect",
    "latency.message",
    "connections.max_per_ip",
    "capacity.max_per_hour",
    "capacity.history_floor_per_day",
    "capacity.history_half_life_days",
    "capacity.active_hours",
    "capacity.week1_cap_per_day",
    "capacity.burst_minutes",
    "capacity.active_day_min",
    "throttle.episodes.max_s",
    "throttle.episodes.window_s",
    "reputation",
    "block.below",
};

static const char *fig_name(enum fit_fig_id id)
{
    static const char *const names[FF_N] = {
        "capacity.initial_per_hour",
        "capacity.growth_per_day[0]",
        "capacity.growth_per_day[1]",
        "capacity.growth_per_day[2]",
        "capacity.history_factor",
        "capacity_log_scatter",
        "throttle.episodes.hazard",
        "throttle.episodes.median_s",
        "throttle.episodes.sigma",
        "throttle.episodes.repeat_factor",
        "throttle.episodes.capacity_factor",
        "transient.rate",
        "unknown_user_rate",
        "connections.max_msgs_per_connection",
        "block.min_hours",
    };
    return names[id];
}

void fit_fig_set(struct fit_fig *g, double v, double lo, double hi, double n,
                 const char *why)
{
    *g = (struct fit_fig){ 1, v, lo, hi, n, why };
}

void fit_fig_keep(struct fit_fig *g, double v, const char *why)
{
    *g = (struct fit_fig){ 0, v, NAN, NAN, 0, why };
}

/* ------------------------------------------------------- estimation */

void fit_estimate(struct fit *f)
{
    /* a GSL routine that fails here leaves a figure without an interval,
     * it does not abort the program */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (size_t i = 0; i < f->n_provs; i++) {
        struct fit_prov *p = &f->provs[i];
        if (p->records == 0)
            continue;
        /* capacity with every hour, episodes against it, then both again
         * without the episode hours */
        fit_capacity(f, p, 0);
        fit_episodes(p);
        fit_capacity(f, p, 1);
        fit_episodes(p);
        fit_rates(p);
        for (size_t s = 0; s < p->n_series; s++)
            p->n_blocks += p->series[s].block_spells;
    }
    gsl_set_error_handler(old);
}

/* ------------------------------------------------------------- JSON */

/* round4 - v to 4 significant digits (readable files). */
static double round4(double v)
{
    char buf[32];
    if (!isfinite(v) || v == 0)
        return v;
    snprintf(buf, sizeof(buf), "%.4g", v);
    return strtod(buf, NULL);
}

/* jpath - the object holding the last part of a dotted key, created on
 * the way; *last is the last part (points into key). */
static cJSON *jpath(cJSON *root, const char *key, char *part, size_t n,
                    int create)
{
    cJSON *o = root;
    const char *k = key;

    for (;;) {
        size_t len = strcspn(k, ".");
        snprintf(part, n, "%.*s", (int)len, k);
        if (k[len] == '\0')
            return o;
        cJSON *next = cJSON_GetObjectItemCaseSensitive(o, part);
        if (!cJSON_IsObject(next)) {
            if (!create)
                return NULL;
            next = cJSON_CreateObject();
            if (cJSON_GetObjectItemCaseSensitive(o, part))
                cJSON_ReplaceItemInObjectCaseSensitive(o, part, next);
            else
                cJSON_AddItemToObject(o, part, next);
        }
        o = next;
        k += len + 1;
    }
}

static void jset(cJSON *root, const char *key, cJSON *v)
{
    char part[64];
    cJSON *o = jpath(root, key, part, sizeof(part), 1);
    if (cJSON_GetObjectItemCaseSensitive(o, part))
        cJSON_ReplaceItemInObjectCaseSensitive(o, part, v);
    else
        cJSON_AddItemToObject(o, part, v);
}

static int jhas(cJSON *root, const char *key)
{
    char part[64];
    cJSON *o = jpath(root, key, part, sizeof(part), 0);
    return o && cJSON_GetObjectItemCaseSensitive(o, part);
}

/* valid_value - clamp a figure into what the model loader accepts. */
static double valid_value(enum fit_fig_id id, double v)
{
    switch (id) {
    case FF_EP_RHO:
        return fmin(1, fmax(0, v));
    case FF_EP_REPEAT:
        return fmax(1, v);
    case FF_TRANSIENT:
        return fmin(0.999, fmax(0, v));
    default:
        return v;
    }
}

/* set_growth - one stage of capacity.growth_per_day (a list of 3). */
static void set_growth(cJSON *m, const struct fit_prov *p, int k, double v)
{
    cJSON *g = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(m, "capacity"), "growth_per_day");
    if (!cJSON_IsArray(g) || cJSON_GetArraySize(g) != 3) {
        double three[3] = { round4(p->growth[0]), round4(p->growth[1]),
                            round4(p->growth[2]) };
        g = cJSON_CreateDoubleArray(three, 3);
        jset(m, "capacity.growth_per_day", g);
    }
    cJSON_ReplaceItemInArray(g, k, cJSON_CreateNumber(round4(v)));
}

/* episodes_usable - an "episodes" object may be written: the model has
 * one, or the logs show episodes and give every required key. */
static int episodes_usable(const struct fit_prov *p)
{
    return p->ep_on ||
           (p->fig[FF_EP_HAZARD].fitted && p->n_episodes > 0 &&
            p->fig[FF_EP_MEDIAN].fitted && p->fig[FF_EP_RHO].fitted);
}

/* apply_figures - fitted values over the shipped ones. */
static void apply_figures(cJSON *m, const struct fit_prov *p)
{
    for (size_t i = 0; i < sizeof(fit_keys) / sizeof(fit_keys[0]); i++) {
        const struct fit_fig *g = &p->fig[fit_keys[i].id];
        const char *key = fit_keys[i].key;
        if (!g->fitted || key == NULL)
            continue;
        if (!strncmp(key, "throttle.episodes.", 18) && !episodes_usable(p))
            continue;
        if (!strncmp(key, "capacity.", 9) && !p->cap_limited)
            continue;
        double v = round4(valid_value(fit_keys[i].id, g->value));
        if (fit_keys[i].index >= 0)
            set_growth(m, p, fit_keys[i].index, v);
        else
            jset(m, key, cJSON_CreateNumber(v));
    }
}

/* top_group - the most frequent reply group of a class, or NULL. */
static const struct fit_group *top_group(const struct fit_prov *p,
                                         enum fit_class c)
{
    const struct fit_group *best = NULL;
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i].cls == c &&
            (best == NULL || p->groups[i].count > best->count))
            best = &p->groups[i];
    return best;
}

/* reply_ok - a text the model loader takes: a 3-digit code then a blank,
 * '-' or the end. */
static int reply_ok(const char *t)
{
    return t[0] >= '2' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' &&
           t[2] >= '0' && t[2] <= '9' &&
           (t[3] == '\0' || t[3] == ' ' || t[3] == '-');
}

/* apply_texts - the most frequent reply of each class as the model's
 * reply, where the model has that mechanism. */
static void apply_texts(cJSON *m, const struct fit_prov *p, cJSON *fitted)
{
    for (size_t i = 0; i < sizeof(text_keys) / sizeof(text_keys[0]); i++) {
        const struct fit_group *g = top_group(p, text_keys[i].cls);
        const char *key = text_keys[i].key;
        char parent[64];
        snprintf(parent, sizeof(parent), "%.*s", (int)strcspn(key, "."), key);
        if (g == NULL || !reply_ok(g->sample) || !jhas(m, parent))
            continue;
        jset(m, key, cJSON_CreateString(g->sample));
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", g->sample);
        cJSON_AddNumberToObject(o, "n", (double)g->count);
        cJSON_AddStringToObject(o, "method",
                                "the most frequent reply of "
                                "its class");
        cJSON_AddItemToObject(fitted, key, o);
    }
}

static cJSON *fig_json(const struct fit_fig *g)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "value", round4(g->value));
    if (isfinite(g->lo) && isfinite(g->hi)) {
        double ci[2] = { round4(g->lo), round4(g->hi) };
        cJSON_AddItemToObject(o, "ci95", cJSON_CreateDoubleArray(ci, 2));
    } else {
        cJSON_AddNullToObject(o, "ci95");
    }
    cJSON_AddNumberToObject(o, "n", g->n);
    cJSON_AddStringToObject(o, "method", g->why);
    return o;
}

static const char *age_how(int how)
{
    static const char *const names[] = { "new (first seen after day 0)",
                                         "given (--ip-age)", "fitted",
                                         "assumed 0 (no IP of known age)" };
    return names[how >= 0 && how < 4 ? how : 3];
}

static cJSON *ips_json(const struct fit_prov *p)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t s = 0; s < p->n_series; s++) {
        const struct fit_series *se = &p->series[s];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ip", se->ip);
        cJSON_AddNumberToObject(o, "age_on_day0", round4(se->age0));
        cJSON_AddStringToObject(o, "age_from", age_how(se->age_how));
        cJSON *caps = cJSON_AddArrayToObject(o, "capacity_per_hour_by_day");
        for (size_t k = 0; k < se->n_days; k++)
            cJSON_AddItemToArray(caps,
                                 cJSON_CreateNumber(round4(se->cap_day[k])));
        cJSON_AddNumberToObject(o, "block_spells", se->block_spells);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* load_json - episode starts per hour by the sender's load band. */
static cJSON *load_json(const struct fit_prov *p)
{
    static const char *const bands[FIT_LOAD_BANDS] = { "<1", "1-1.5", "1.5-2",
                                                       "2-4", ">=4" };
    cJSON *list = cJSON_CreateArray();
    for (int b = 0; b < FIT_LOAD_BANDS; b++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "attempts_over_capacity", bands[b]);
        cJSON_AddNumberToObject(o, "hours", p->load_hours[b]);
        cJSON_AddNumberToObject(o, "episode_starts", p->load_starts[b]);
        cJSON_AddNumberToObject(
            o, "starts_per_hour",
            p->load_hours[b] > 0 ? round4(p->load_starts[b] / p->load_hours[b])
                                 : 0);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

static cJSON *replies_json(const struct fit_prov *p)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < p->n_groups; i++) {
        const struct fit_group *g = &p->groups[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "group", g->key);
        cJSON_AddStringToObject(o, "class", fit_class_name(g->cls));
        cJSON_AddNumberToObject(o, "count", (double)g->count);
        cJSON_AddStringToObject(o, "text", g->sample);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* fit_json - the "_fit" object of one provider. */
static cJSON *fit_json(const struct fit *f, const struct fit_prov *p,
                       cJSON *model)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tool", "mtasim fit");
    cJSON_AddStringToObject(o, "replaces", p->name);
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; i < f->n_files; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(f->files[i]));
    cJSON_AddNumberToObject(o, "first_day_unix", (double)f->t0_s);
    cJSON_AddNumberToObject(o, "records", (double)p->records);
    cJSON *counts = cJSON_AddObjectToObject(o, "records_by_class");
    for (int c = 0; c < FC_N; c++)
        cJSON_AddNumberToObject(counts, fit_class_name((enum fit_class)c),
                                (double)p->n_class[c]);
    cJSON *fitted = cJSON_AddObjectToObject(o, "fitted");
    cJSON *kept = cJSON_AddObjectToObject(o, "kept");
    for (int id = 0; id < FF_N; id++) {
        const struct fit_fig *g = &p->fig[id];
        if (g->fitted)
            cJSON_AddItemToObject(fitted, fig_name((enum fit_fig_id)id),
                                  fig_json(g));
        else
            cJSON_AddStringToObject(kept, fig_name((enum fit_fig_id)id),
                                    g->why ? g->why : "not estimated");
    }
    apply_texts(model, p, fitted);
    for (size_t i = 0; i < sizeof(never_fitted) / sizeof(never_fitted[0]); i++)
        cJSON_AddStringToObject(kept, never_fitted[i],
                                "not estimated from accounting logs: "
                                "shipped value (docs/fit.md)");
    cJSON *obs = cJSON_AddObjectToObject(o, "observed");
    cJSON_AddNumberToObject(obs, "capacity_hours_observed", (double)p->cap_obs);
    cJSON_AddNumberToObject(obs, "capacity_hours_censored",
                            (double)p->cap_censored);
    cJSON_AddNumberToObject(obs, "episodes", (double)p->n_episodes);
    cJSON_AddNumberToObject(obs, "episode_exposure_minutes",
                            round4(p->ep_exposure));
    cJSON_AddNumberToObject(obs, "episode_windows_over_allowance",
                            (double)p->ep_windows);
    cJSON_AddNumberToObject(obs, "episodes_after_no_such_window",
                            (double)p->ep_unmatched);
    cJSON_AddNumberToObject(obs, "message_cap_upper_bound",
                            round4(p->msg_cap_bound));
    cJSON_AddNumberToObject(obs, "block_spells", (double)p->n_blocks);
    cJSON_AddItemToObject(obs, "episode_starts_by_load", load_json(p));
    cJSON_AddItemToObject(obs, "ips", ips_json(p));
    cJSON_AddItemToObject(obs, "replies", replies_json(p));
    return o;
}

static int write_json(const char *dir, const char *name, const cJSON *j,
                      struct diag_list *dl)
{
    struct strbuf path;
    char *text = cJSON_Print(j);
    int rc = 0;

    strbuf_init(&path);
    strbuf_addf(&path, "%s/%s", dir, name);
    FILE *fp = fopen(path.buf, "w");
    if (fp == NULL || fputs(text, fp) < 0 || fputc('\n', fp) < 0) {
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0, "cannot write: %s",
                 strerror(errno));
        rc = -1;
    }
    if (fp && fclose(fp) != 0 && rc == 0) {
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0, "cannot write: %s",
                 strerror(errno));
        rc = -1;
    }
    free(text);
    strbuf_release(&path);
    return rc;
}

/* self_check - the written model loads (a fitted value the loader would
 * refuse is a bug here, not the user's problem: say so loudly). */
static int self_check(const char *dir, const char *name, struct diag_list *dl)
{
    struct strbuf path;
    struct prov_world *w = prov_world_alloc();
    strbuf_init(&path);
    strbuf_addf(&path, "%s/%s", dir, name);
    int rc = prov_world_load(w, path.buf, dl) < 0 ? -1 : 0;
    if (rc < 0)
        diag_add(dl, DIAG_ERROR, path.buf, 0, 0,
                 "internal error: the fitted model does not load");
    prov_world_free(w);
    strbuf_release(&path);
    return rc;
}

int fit_write(const struct fit *f, const char *dir, struct diag_list *dl)
{
    cJSON *all = cJSON_CreateObject();
    cJSON *provs = cJSON_AddObjectToObject(all, "providers");
    int rc = 0;

    for (size_t i = 0; i < f->n_provs && rc == 0; i++) {
        const struct fit_prov *p = &f->provs[i];
        if (p->records == 0)
            continue;
        cJSON *m = cJSON_Duplicate(p->model, 1);
        apply_figures(m, p);
        cJSON *meta = fit_json(f, p, m);
        cJSON_DeleteItemFromObjectCaseSensitive(m, "_fit");
        cJSON_AddItemToObject(m, "_fit", meta);
        cJSON_AddItemToObject(provs, p->name, cJSON_Duplicate(meta, 1));
        char name[300];
        snprintf(name, sizeof(name), "%s.json", p->name);
        rc = write_json(dir, name, m, dl);
        cJSON_Delete(m);
        if (rc == 0)
            rc = self_check(dir, name, dl);
    }
    if (rc == 0)
        rc = write_json(dir, "fit.json", all, dl);
    cJSON_Delete(all);
    return rc;
}

/* --------------------------------------------------------- the text */

char *fit_report(const struct fit *f)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%llu records read from %zu file(s)",
                (unsigned long long)f->rows, f->n_files);
    if (f->skipped || f->early)
        strbuf_addf(&sb, " (%llu without a provider, %llu before day 0)",
                    (unsigned long long)f->skipped,
                    (unsigned long long)f->early);
    strbuf_adds(&sb, "\n");
    for (size_t i = 0; i < f->n_provs; i++) {
        const struct fit_prov *p = &f->provs[i];
        if (p->records == 0)
            continue;
        strbuf_addf(&sb,
                    "%s: %llu records, %llu delivered, %llu throttled, "
                    "%llu episodes\n",
                    p->name, (unsigned long long)p->records,
                    (unsigned long long)p->n_class[FC_DELIVERED],
                    (unsigned long long)p->n_class[FC_THROTTLE],
                    (unsigned long long)p->n_episodes);
        for (int id = 0; id < FF_N; id++) {
            const struct fit_fig *g = &p->fig[id];
            if (!g->fitted)
                continue;
            strbuf_addf(&sb, "  %-36s %.4g", fig_name((enum fit_fig_id)id),
                        g->value);
            if (isfinite(g->lo) && isfinite(g->hi))
                strbuf_addf(&sb, "  [%.4g, %.4g]", g->lo, g->hi);
            strbuf_addf(&sb, "  n=%.0f\n", g->n);
        }
    }
    return strbuf_detach(&sb);
}
