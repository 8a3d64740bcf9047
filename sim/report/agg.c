/* agg.c - replication statistics with GSL (gsl_stats_mean, gsl_stats_sd,
 * gsl_cdf_tdist_Pinv): docs/design.md's independent replications and paired
 * comparisons with common random numbers. */
#include "report/agg.h"
#include "util/xalloc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void agg_mean_ci(const double *x, size_t n, double *mean, double *half)
{
    *mean = n ? gsl_stats_mean(x, 1, n) : (double)NAN;
    *half = 0;
    if (n >= 2)
        *half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) *
                gsl_stats_sd(x, 1, n) / sqrt((double)n);
}

/* name_of - the identifying name of an array member, or NULL. */
static const char *name_of(const cJSON *o)
{
    static const char *const keys[] = { "row", "queue", "provider", "stream" };
    for (size_t i = 0; i < 4; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        if (cJSON_IsString(v))
            return v->valuestring;
    }
    return NULL;
}

/* find_named - the member of array a named name, or NULL. */
static const cJSON *find_named(const cJSON *a, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        const char *nm = name_of(it);
        if (nm && strcmp(nm, name) == 0)
            return it;
    }
    return NULL;
}

static cJSON *agg_node(const cJSON *const *v, size_t n);

/* member_key - what pairs a member across replications: its key in an
 * object, its name (name_of) in an array. */
static const char *member_key(const cJSON *it, int in_array)
{
    return in_array ? name_of(it) : it->string;
}

/* aligned - whether every replication holds the same members in the
 * same order (the usual case: the same code wrote them all). Then they
 * pair by position in linear time; pairing by lookup is quadratic, and
 * with ten thousand tail-domain queues it took seconds. */
static int aligned(const cJSON *const *v, size_t n, int in_array)
{
    for (size_t k = 0; k < n; k++) {
        if (v[k] == NULL ||
            cJSON_GetArraySize(v[k]) != cJSON_GetArraySize(v[0]))
            return 0;
        for (const cJSON *a = v[0]->child, *b = v[k]->child; a && b;
             a = a->next, b = b->next) {
            const char *ka = member_key(a, in_array);
            const char *kb = member_key(b, in_array);
            if (ka == NULL || kb == NULL || strcmp(ka, kb) != 0)
                return 0;
        }
    }
    return 1;
}

/* agg_aligned - aggregate aligned members position by position, into
 * an object (keyed as the first replication) or an array. */
static cJSON *agg_aligned(const cJSON *const *v, size_t n, int in_array)
{
    cJSON *out = in_array ? cJSON_CreateArray() : cJSON_CreateObject();
    const cJSON **cur = xcalloc(n, sizeof(*cur));
    const cJSON **kid = xcalloc(n, sizeof(*kid));
    for (size_t k = 0; k < n; k++)
        cur[k] = v[k]->child;
    while (cur[0]) {
        for (size_t k = 0; k < n; k++) {
            kid[k] = cur[k];
            cur[k] = cur[k]->next;
        }
        if (in_array)
            cJSON_AddItemToArray(out, agg_node(kid, n));
        else
            cJSON_AddItemToObject(out, kid[0]->string, agg_node(kid, n));
    }
    free(cur);
    free(kid);
    return out;
}

static cJSON *agg_numbers(const cJSON *const *v, size_t n)
{
    double *x = xmalloc((n + 1) * sizeof(*x));
    size_t k = 0;
    cJSON *vals = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        if (cJSON_IsNumber(v[i])) {
            x[k++] = v[i]->valuedouble;
            cJSON_AddItemToArray(vals, cJSON_CreateNumber(v[i]->valuedouble));
        }
    double mean, half;
    agg_mean_ci(x, k, &mean, &half);
    free(x);
    cJSON *o = cJSON_CreateObject();
    if (k == 0) {
        cJSON_AddNullToObject(o, "mean");
        cJSON_AddNullToObject(o, "ci_low");
        cJSON_AddNullToObject(o, "ci_high");
    } else {
        cJSON_AddNumberToObject(o, "mean", mean);
        cJSON_AddNumberToObject(o, "ci_low", mean - half);
        cJSON_AddNumberToObject(o, "ci_high", mean + half);
    }
    cJSON_AddItemToObject(o, "values", vals);
    return o;
}

/* agg_object - key by key, in the order keys first appear. */
static cJSON *agg_object(const cJSON *const *v, size_t n)
{
    if (aligned(v, n, 0))
        return agg_aligned(v, n, 0);
    cJSON *o = cJSON_CreateObject();
    const cJSON **kid = xcalloc(n + 1, sizeof(*kid));
    for (size_t i = 0; i < n; i++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v[i])
        {
            if (cJSON_GetObjectItemCaseSensitive(o, it->string))
                continue;
            for (size_t k = 0; k < n; k++)
                kid[k] =
                    v[k] ? cJSON_GetObjectItemCaseSensitive(v[k], it->string)
                         : NULL;
            cJSON_AddItemToObject(o, it->string, agg_node(kid, n));
        }
    }
    free(kid);
    return o;
}

/* agg_array - members matched by name (union, first-seen order); other
 * arrays are copied from the first replication. */
static cJSON *agg_array(const cJSON *const *v, size_t n)
{
    if (aligned(v, n, 1))
        return agg_aligned(v, n, 1);
    cJSON *a = cJSON_CreateArray();
    const cJSON **kid = xcalloc(n + 1, sizeof(*kid));
    cJSON *seen = cJSON_CreateObject();
    for (size_t i = 0; i < n; i++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v[i])
        {
            const char *nm = name_of(it);
            if (nm == NULL) {
                cJSON_Delete(a);
                a = cJSON_Duplicate(v[0], 1);
                goto done;
            }
            if (cJSON_GetObjectItemCaseSensitive(seen, nm))
                continue;
            cJSON_AddTrueToObject(seen, nm);
            for (size_t k = 0; k < n; k++)
                kid[k] = v[k] ? find_named(v[k], nm) : NULL;
            cJSON_AddItemToArray(a, agg_node(kid, n));
        }
    }
done:
    cJSON_Delete(seen);
    free(kid);
    return a;
}

/* agg_node - the aggregate of the same node in each replication (NULL
 * where a replication lacks it). */
static cJSON *agg_node(const cJSON *const *v, size_t n)
{
    const cJSON *first = NULL;
    for (size_t i = 0; i < n && !first; i++)
        first = v[i];
    if (first == NULL)
        return cJSON_CreateNull();
    if (cJSON_IsNumber(first))
        return agg_numbers(v, n);
    if (cJSON_IsObject(first))
        return agg_object(v, n);
    if (cJSON_IsArray(first))
        return agg_array(v, n);
    return cJSON_Duplicate(first, 1);
}

cJSON *agg_summaries(cJSON *const *reps, size_t n)
{
    return agg_node((const cJSON *const *)reps, n);
}

/* is_figure - an aggregated number: {"mean", "ci_low", "ci_high",
 * "values": [...]}. */
static int is_figure(const cJSON *o)
{
    return cJSON_IsObject(o) &&
           cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "values")) &&
           cJSON_GetObjectItemCaseSensitive(o, "ci_low") &&
           cJSON_GetObjectItemCaseSensitive(o, "mean");
}

/* means_of - the aggregate agg with each figure replaced by its mean. */
static cJSON *means_of(const cJSON *agg)
{
    if (is_figure(agg))
        return cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(agg, "mean"),
                               1);
    if (!cJSON_IsObject(agg) && !cJSON_IsArray(agg))
        return cJSON_Duplicate(agg, 1);
    cJSON *o = cJSON_IsArray(agg) ? cJSON_CreateArray() : cJSON_CreateObject();
    const cJSON *it;
    cJSON_ArrayForEach(it, agg)
    {
        if (cJSON_IsArray(agg))
            cJSON_AddItemToArray(o, means_of(it));
        else
            cJSON_AddItemToObject(o, it->string, means_of(it));
    }
    return o;
}

static const char *const figure_sections[] = {
    "totals",  "latency_s", "throughput_per_hour", "queues", "providers",
    "streams", "daily",
};
#define N_SECTIONS (sizeof(figure_sections) / sizeof(figure_sections[0]))

static int is_section(const char *key)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(key, figure_sections[i]) == 0)
            return 1;
    return 0;
}

/* section_agg - the aggregate of member key over the replications. */
static cJSON *section_agg(cJSON *const *reps, size_t n, const char *key)
{
    const cJSON **v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = cJSON_GetObjectItemCaseSensitive(reps[i], key);
    cJSON *a = agg_node(v, n);
    free(v);
    return a;
}

static cJSON *figures_of(cJSON *const *reps, size_t n)
{
    cJSON *f = cJSON_CreateObject();
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (cJSON_GetObjectItemCaseSensitive(reps[0], figure_sections[i]))
            cJSON_AddItemToObject(f, figure_sections[i],
                                  section_agg(reps, n, figure_sections[i]));
    return f;
}

/* add_figures - the "figures" and "replications" members of the
 * document (put_figures writes the same, streamed). */
static void add_figures(cJSON *doc, cJSON *const *reps, size_t n)
{
    cJSON_AddItemToObject(doc, "figures", figures_of(reps, n));
    cJSON_AddNumberToObject(doc, "replications", (double)n);
}

cJSON *agg_document(cJSON *const *reps, size_t n)
{
    cJSON *doc = cJSON_CreateObject();
    int have_figures = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, reps[0])
    {
        const char *key = it->string;
        if (!strcmp(key, "figures") || !strcmp(key, "replications"))
            continue;
        if (!strcmp(key, "engine") && !have_figures) {
            add_figures(doc, reps, n);
            have_figures = 1;
        }
        if (n > 1 && (is_section(key) || !strcmp(key, "engine"))) {
            cJSON *a = section_agg(reps, n, key);
            cJSON_AddItemToObject(doc, key, means_of(a));
            cJSON_Delete(a);
        } else {
            cJSON_AddItemToObject(doc, key, cJSON_Duplicate(it, 1));
        }
    }
    if (!have_figures)
        add_figures(doc, reps, n);
    return doc;
}

/* ---- one run's document, streamed -------------------------------------
 * What cJSON_Print(agg_document(&run, 1)) gives, written piece by piece:
 * an aligned array of a figure section (the queues, the daily rows) has
 * its figures built, printed and freed one element at a time, so a run
 * with thousands of queues never holds its figures tree (six nodes for
 * each number) whole. cJSON's formatted output indents by depth alone, a
 * tab a level after each newline (strings escape their newlines), so a
 * subtree printed on its own and shifted by its depth is byte for byte
 * the subtree printed in place. */

struct doc_out {
    FILE *fp;
    int bad; /* cJSON could not print (out of memory) */
};

/* put_item - item printed as cJSON_Print does, ind tabs deeper. */
static void put_item(struct doc_out *o, const cJSON *item, int ind)
{
    char *t = cJSON_Print(item);
    if (t == NULL) {
        o->bad = 1;
        return;
    }
    for (const char *c = t; *c; c++) {
        putc(*c, o->fp);
        if (*c == '\n')
            for (int i = 0; i < ind; i++)
                putc('\t', o->fp);
    }
    cJSON_free(t);
}

/* put_key - ",\n" unless first, then depth tabs and "key":\t. */
static void put_key(struct doc_out *o, int *first, const char *key, int depth)
{
    if (!*first)
        fputs(",\n", o->fp);
    *first = 0;
    for (int i = 0; i < depth; i++)
        putc('\t', o->fp);
    cJSON *k = cJSON_CreateString(key);
    put_item(o, k, 0);
    cJSON_Delete(k);
    fputs(":\t", o->fp);
}

/* put_figure_section - agg_node of section sec (a member at depth), one
 * element at a time when agg_aligned would take it apart by element. */
static void put_figure_section(struct doc_out *o, const cJSON *sec, int depth)
{
    const cJSON *v[1] = { sec };
    if (!cJSON_IsArray(sec) || !aligned(v, 1, 1)) {
        cJSON *a = agg_node(v, 1);
        put_item(o, a, depth);
        cJSON_Delete(a);
        return;
    }
    putc('[', o->fp);
    for (const cJSON *it = sec->child; it; it = it->next) {
        const cJSON *e[1] = { it };
        cJSON *a = agg_node(e, 1);
        put_item(o, a, depth + 1); /* an array's elements are a level in */
        cJSON_Delete(a);
        if (it->next)
            fputs(", ", o->fp);
    }
    putc(']', o->fp);
}

/* put_figures - the "figures" and "replications" members (figures_of). */
static void put_figures(struct doc_out *o, int *first, const cJSON *run)
{
    put_key(o, first, "figures", 1);
    fputs("{\n", o->fp);
    int none = 1;
    for (size_t i = 0; i < N_SECTIONS; i++) {
        const cJSON *sec =
            cJSON_GetObjectItemCaseSensitive(run, figure_sections[i]);
        if (sec == NULL)
            continue;
        put_key(o, &none, figure_sections[i], 2);
        put_figure_section(o, sec, 2);
    }
    fputs(none ? "\t}" : "\n\t}", o->fp);
    put_key(o, first, "replications", 1);
    fputs("1", o->fp);
}

int agg_write_document(FILE *fp, const cJSON *run)
{
    struct doc_out o = { fp, 0 };
    int first = 1, figures = 0;
    fputs("{\n", fp);
    for (const cJSON *it = run->child; it; it = it->next) {
        const char *key = it->string;
        if (!strcmp(key, "figures") || !strcmp(key, "replications"))
            continue;
        if (!strcmp(key, "engine") && !figures) {
            put_figures(&o, &first, run);
            figures = 1;
        }
        put_key(&o, &first, key, 1);
        put_item(&o, it, 1);
    }
    if (!figures)
        put_figures(&o, &first, run);
    fputs("\n}", fp);
    return o.bad || ferror(fp) ? -1 : 0;
}

/* ------------------------------------------------------------ figures */

struct fig_list {
    struct agg_figure *f;
    size_t n, cap;
    size_t reps;
    size_t *slot; /* hash of (scope, name, figure) -> index + 1 */
    size_t n_slots;
};

static uint64_t fig_hash(const char *scope, const char *name,
                         const char *figure)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[3] = { scope, name, figure };
    for (int k = 0; k < 3; k++) {
        for (const char *c = parts[k]; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        h = (h ^ 0x1f) * 1099511628211ULL;
    }
    return h;
}

static int fig_is(const struct agg_figure *f, const char *scope,
                  const char *name, const char *figure)
{
    return !strcmp(f->scope, scope) && !strcmp(f->name, name) &&
           !strcmp(f->figure, figure);
}

static void fig_rehash(struct fig_list *l)
{
    free(l->slot);
    l->n_slots = l->n_slots ? l->n_slots * 2 : 1024;
    l->slot = xcalloc(l->n_slots, sizeof(*l->slot));
    for (size_t i = 0; i < l->n; i++) {
        const struct agg_figure *f = &l->f[i];
        size_t k = fig_hash(f->scope, f->name, f->figure) & (l->n_slots - 1);
        while (l->slot[k])
            k = (k + 1) & (l->n_slots - 1);
        l->slot[k] = i + 1;
    }
}

static struct agg_figure *fig_get(struct fig_list *l, const char *scope,
                                  const char *name, const char *figure)
{
    if (2 * (l->n + 1) > l->n_slots)
        fig_rehash(l);
    size_t k = fig_hash(scope, name, figure) & (l->n_slots - 1);
    for (; l->slot[k]; k = (k + 1) & (l->n_slots - 1))
        if (fig_is(&l->f[l->slot[k] - 1], scope, name, figure))
            return &l->f[l->slot[k] - 1];
    l->slot[k] = l->n + 1;
    XGROW(l->f, l->n, l->cap);
    struct agg_figure *f = &l->f[l->n++];
    f->scope = scope;
    snprintf(f->name, sizeof(f->name), "%s", name);
    snprintf(f->figure, sizeof(f->figure), "%s", figure);
    f->a = xmalloc(l->reps * sizeof(*f->a));
    f->b = xmalloc(l->reps * sizeof(*f->b));
    for (size_t i = 0; i < l->reps; i++)
        f->a[i] = f->b[i] = NAN;
    return f;
}

/* walk - every number under o (skipping names and provider reply
 * counts), recorded as figure prefix.key for arm/replication. */
static void walk(struct fig_list *l, const char *scope, const char *name,
                 const char *prefix, const cJSON *o, int arm, size_t rep)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        char fig[128];
        if (strcmp(it->string, "replies") == 0)
            continue;
        snprintf(fig, sizeof(fig), "%s%s%s", prefix, *prefix ? "." : "",
                 it->string);
        if (cJSON_IsObject(it)) {
            walk(l, scope, name, fig, it, arm, rep);
        } else if (cJSON_IsNumber(it)) {
            struct agg_figure *f = fig_get(l, scope, name, fig);
            (arm ? f->b : f->a)[rep] = it->valuedouble;
        }
    }
}

static void walk_scope(struct fig_list *l, const cJSON *sum, const char *key,
                       const char *scope, int arm, size_t rep)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(sum, key))
    {
        const char *nm = name_of(it);
        if (nm)
            walk(l, scope, nm, "", it, arm, rep);
    }
}

static void walk_summary(struct fig_list *l, const cJSON *sum, int arm,
                         size_t rep)
{
    static const char *const total_keys[] = { "totals", "latency_s",
                                              "throughput_per_hour" };
    for (size_t i = 0; i < 3; i++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(sum, total_keys[i]);
        if (o)
            walk(l, "total", "", i == 0 ? "" : total_keys[i], o, arm, rep);
    }
    walk_scope(l, sum, "providers", "provider", arm, rep);
    walk_scope(l, sum, "queues", "queue", arm, rep);
    walk_scope(l, sum, "streams", "stream", arm, rep);
}

struct agg_figure *agg_figures(cJSON *const *reps_a, cJSON *const *reps_b,
                               size_t n_reps, size_t *n)
{
    struct fig_list l = { NULL, 0, 0, n_reps, NULL, 0 };
    for (size_t r = 0; r < n_reps; r++) {
        walk_summary(&l, reps_a[r], 0, r);
        walk_summary(&l, reps_b[r], 1, r);
    }
    free(l.slot);
    *n = l.n;
    return l.f;
}

void agg_figures_free(struct agg_figure *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].a);
        free(f[i].b);
    }
    free(f);
}
