/* cfg_json.c - JSON export of the resolved config model (cJSON). */
#include "config/cfg_json.h"
#include "config/cfg_model_int.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CFG_JSON_MAX_QUEUES 2000

void cfg_origin_format(const struct cfg_origin *o, char *buf, size_t n)
{
    if (o->file)
        snprintf(buf, n, "%s:%d", o->file, o->line);
    else
        snprintf(buf, n, "default");
}

static void add_origin(cJSON *obj, const struct cfg_origin *o)
{
    char buf[512];
    cfg_origin_format(o, buf, sizeof(buf));
    cJSON_AddStringToObject(obj, "origin", buf);
    if (o->note)
        cJSON_AddStringToObject(obj, o->file ? "from" : "same_as", o->note);
}

/* add_num - a number, or null for unlimited/never. */
static void add_num(cJSON *obj, const char *key, double x)
{
    if (isinf(x))
        cJSON_AddNullToObject(obj, key);
    else
        cJSON_AddNumberToObject(obj, key, x);
}

static cJSON *rate_json(const struct cfgv_rate *r, int bytes)
{
    cJSON *o = cJSON_CreateObject();
    char buf[64];
    struct cfg_value v;
    memset(&v, 0, sizeof(v));
    v.set = 1;
    v.rate = *r;
    cfg_value_format(&v, bytes ? CFG_T_DATA_RATE : CFG_T_RATE, buf,
                     sizeof(buf));
    cJSON_AddStringToObject(o, "text", buf);
    add_num(o, "per_s", r->count / r->window_s);
    return o;
}

/* typed_value - the numbers behind one setting. */
static void typed_value(cJSON *o, const struct cfg_value *v, enum cfg_type type)
{
    switch (type) {
    case CFG_T_BOOL:
        cJSON_AddBoolToObject(o, "bool", v->num != 0);
        break;
    case CFG_T_COUNT:
    case CFG_T_COUNT_UNL:
    case CFG_T_PRIORITY:
    case CFG_T_TIME:
    case CFG_T_TIME_NEVER:
    case CFG_T_SIZE:
        add_num(o,
                type == CFG_T_TIME || type == CFG_T_TIME_NEVER ? "seconds"
                : type == CFG_T_SIZE                           ? "bytes"
                                                               : "count",
                v->num);
        break;
    case CFG_T_RATE:
    case CFG_T_DATA_RATE:
        add_num(o, "per_s", v->rate.count / v->rate.window_s);
        break;
    case CFG_T_TIME_LIST:
    case CFG_T_DAILY: {
        cJSON *a = cJSON_AddArrayToObject(o, type == CFG_T_DAILY ? "per_day"
                                                                 : "seconds");
        for (size_t i = 0; i < v->n_list; i++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber(v->list[i]));
        break;
    }
    default:
        break;
    }
}

cJSON *cfg_json_qsettings(const struct cfg_qsettings *s)
{
    cJSON *obj = cJSON_CreateObject();
    for (int q = 0; q < CFG_Q_COUNT; q++) {
        const struct cfg_directive *d = cfg_directive_queue(q);
        cJSON *o = cJSON_AddObjectToObject(obj, d->name);
        char buf[512];
        cfg_value_format(&s->v[q], d->type, buf, sizeof(buf));
        if (s->v[q].set)
            cJSON_AddStringToObject(o, "value", buf);
        else
            cJSON_AddNullToObject(o, "value");
        if (s->v[q].set)
            typed_value(o, &s->v[q], d->type);
        add_origin(o, &s->origin[q]);
        cJSON_AddBoolToObject(o, "modelled", d->flags & CFG_D_MODELLED);
    }
    return obj;
}

static cJSON *ip_json(const struct cfg_source_ip *ip)
{
    cJSON *o = cJSON_CreateObject();
    char buf[64];
    cfgv_format_cidr(&ip->ip, buf, sizeof(buf));
    cJSON_AddStringToObject(o, "ip", buf);
    cJSON_AddStringToObject(o, "host_name", ip->host_name);
    add_origin(o, &ip->origin);
    return o;
}

static cJSON *names_json(const struct cfg_model *m, const int *idx, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= 0)
            cJSON_AddItemToArray(
                a, cJSON_CreateString(cfg_model_vmta(m, (size_t)idx[i])->name));
    return a;
}

static void add_limits(cJSON *o, double max_out, const struct cfgv_rate *msg,
                       const struct cfgv_rate *data)
{
    add_num(o, "max_smtp_out", max_out);
    cJSON_AddItemToObject(o, "max_smtp_msg_rate", rate_json(msg, 0));
    cJSON_AddItemToObject(o, "max_smtp_data_volume_rate", rate_json(data, 1));
}

static cJSON *vmtas_json(const struct cfg_model *m)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_vmtas; i++) {
        const struct cfg_vmta *v = &m->vmtas[i].pub;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", v->name);
        cJSON_AddBoolToObject(o, "implicit", v->implicit);
        cJSON *ips = cJSON_AddArrayToObject(o, "source_ips");
        for (size_t k = 0; k < v->n_ips; k++)
            cJSON_AddItemToArray(ips, ip_json(&v->ips[k]));
        cJSON_AddBoolToObject(o, "source_ips_inherited", v->ips_inherited);
        add_limits(o, v->max_smtp_out, &v->max_msg_rate, &v->max_data_rate);
        cJSON_AddItemToObject(o, "cold_virtual_mtas",
                              names_json(m, v->cold, v->n_cold));
        if (v->pool >= 0)
            cJSON_AddStringToObject(o, "pool", m->pools[v->pool].pub.name);
        if (!v->implicit)
            add_origin(o, &v->origin);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *pools_json(const struct cfg_model *m)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_pools; i++) {
        const struct cfg_pool *p = &m->pools[i].pub;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddItemToObject(o, "members",
                              names_json(m, p->members, p->n_members));
        cJSON_AddItemToObject(o, "cold_virtual_mtas",
                              names_json(m, p->cold, p->n_cold));
        add_limits(o, p->max_smtp_out, &p->max_msg_rate, &p->max_data_rate);
        add_origin(o, &p->origin);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static const char *layer_name(const struct cfg_model *m,
                              const struct cfg_dblock *b)
{
    if (b->layer == CFG_LAYER_VMTA)
        return m->vmtas[b->owner].pub.name;
    if (b->layer == CFG_LAYER_POOL)
        return m->pools[b->owner].pub.name;
    return NULL;
}

static cJSON *dblocks_json(const struct cfg_model *m)
{
    static const char *const layers[] = { "global", "virtual-mta",
                                          "virtual-mta-pool" };
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_dblocks; i++) {
        const struct cfg_dblock *b = &m->dblocks[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "pattern", b->arg);
        cJSON *ex = cJSON_AddArrayToObject(o, "matches");
        for (size_t k = 0; k < b->n_pats; k++) {
            char buf[300];
            cfgd_pattern_format(&b->pats[k].p, buf, sizeof(buf));
            cJSON_AddItemToArray(ex, cJSON_CreateString(buf));
        }
        cJSON_AddStringToObject(o, "layer", layers[b->layer]);
        if (layer_name(m, b))
            cJSON_AddStringToObject(o, "owner", layer_name(m, b));
        add_origin(o, &b->o);
        cJSON *set = cJSON_AddObjectToObject(o, "settings");
        for (size_t k = 0; k < b->n_set; k++) {
            const struct cfg_directive *d = cfg_directive_queue(b->set[k].qid);
            char buf[512];
            cfg_value_format(&b->set[k].v, d->type, buf, sizeof(buf));
            cJSON_AddStringToObject(set, d->name, buf);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *spls_json(const struct cfg_model *m)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_spls; i++) {
        const struct cfg_spl *l = &m->spls[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", l->name);
        cJSON_AddBoolToObject(o, "synthesized", l->synthesized);
        struct cfg_origin org = { l->file, l->line, 1, NULL };
        add_origin(o, &org);
        cJSON *rules = cJSON_AddArrayToObject(o, "rules");
        for (size_t k = 0; k < l->n; k++) {
            cJSON *r = cJSON_CreateObject();
            char act[256];
            cfg_spl_format_actions(&l->rules[k], act, sizeof(act));
            cJSON_AddStringToObject(r, "regex", l->rules[k].regex);
            cJSON_AddStringToObject(r, "actions", act);
            struct cfg_origin ro = { l->rules[k].file, l->rules[k].line, 1,
                                     NULL };
            add_origin(r, &ro);
            cJSON_AddItemToArray(rules, r);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *misc_lists_json(const struct cfg_model *m, cJSON *root)
{
    cJSON *mac = cJSON_AddArrayToObject(root, "domain_macros");
    for (size_t i = 0; i < cfgd_macros_count(m->macros); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", cfgd_macros_name(m->macros, i));
        cJSON_AddStringToObject(o, "list", cfgd_macros_list(m->macros, i));
        cJSON_AddItemToArray(mac, o);
    }
    cJSON *ru = cJSON_AddArrayToObject(root, "mx_rollups");
    for (size_t i = 0; i < m->n_rollups; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "mx", m->rollups[i].mx_pattern);
        cJSON_AddStringToObject(o, "queue", m->rollups[i].name);
        add_origin(o, &m->rollups[i].origin);
        cJSON_AddItemToArray(ru, o);
    }
    cJSON *src = cJSON_AddArrayToObject(root, "sources");
    for (size_t i = 0; i < m->n_sources; i++) {
        const struct cfg_source_blk *s = &m->sources[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "source", s->arg);
        if (s->default_vmta.name)
            cJSON_AddStringToObject(o, "default_virtual_mta",
                                    s->default_vmta.name);
        if (s->pattern_list.name)
            cJSON_AddStringToObject(o, "pattern_list", s->pattern_list.name);
        cJSON_AddBoolToObject(o, "process_x_virtual_mta", s->process_x_vmta);
        add_origin(o, &s->o);
        cJSON_AddItemToArray(src, o);
    }
    return root;
}

static cJSON *plists_json(const struct cfg_model *m)
{
    static const char *const kinds[] = { "mail-from", "rcpt-to", "header",
                                         "*" };
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_plists; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m->plists[i].name);
        add_origin(o, &m->plists[i].o);
        cJSON *es = cJSON_AddArrayToObject(o, "entries");
        for (size_t k = 0; k < m->plists[i].n; k++) {
            const struct cfg_pentry *pe = &m->plists[i].entries[k];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "match", kinds[pe->kind]);
            if (pe->header)
                cJSON_AddStringToObject(e, "header", pe->header);
            if (pe->regex)
                cJSON_AddStringToObject(e, "regex", pe->regex);
            cJSON_AddStringToObject(e, "results", pe->results);
            if (pe->vmta.name)
                cJSON_AddStringToObject(e, "virtual_mta", pe->vmta.name);
            add_origin(e, &pe->o);
            cJSON_AddItemToArray(es, e);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *limits_json(const struct cfg_conn_limit *l, size_t n,
                          const char *key)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, key, l[i].pattern);
        cJSON_AddNumberToObject(o, "max_connections", l[i].count);
        add_origin(o, &l[i].o);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *kept_json(const struct cfg_model *m)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_kept; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "directive", m->kept[i].name);
        cJSON_AddStringToObject(o, "value", m->kept[i].value);
        cJSON_AddStringToObject(o, "scope", cfg_scope_name(m->kept[i].scope));
        add_origin(o, &m->kept[i].o);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* add_queue - settings of queue "domain/vmta" into obj. */
static void add_queue(const struct cfg_model *m, cJSON *obj, const char *domain,
                      int vmta)
{
    struct cfg_qsettings s;
    char name[600];
    cfg_model_queue_settings(m, domain, vmta, &s);
    snprintf(name, sizeof(name), "%s/%s", domain, m->vmtas[vmta].pub.name);
    cJSON_AddItemToObject(obj, name, cfg_json_qsettings(&s));
}

/* queues_json - every exact domain name of the config through each VMTA,
 * plus "*" (any other domain). */
static cJSON *queues_json(const struct cfg_model *m)
{
    cJSON *obj = cJSON_CreateObject();
    size_t count = 0;
    for (size_t v = 0; v < m->n_vmtas; v++) {
        add_queue(m, obj, "*", (int)v);
        for (size_t i = 0; i < m->n_dblocks; i++)
            for (size_t k = 0; k < m->dblocks[i].n_pats; k++) {
                const struct cfg_dpat *dp = &m->dblocks[i].pats[k];
                char name[600];
                if (dp->p.kind != CFGD_EXACT || ++count > CFG_JSON_MAX_QUEUES)
                    continue;
                snprintf(name, sizeof(name), "%s/%s", dp->p.name,
                         m->vmtas[v].pub.name);
                if (!cJSON_GetObjectItemCaseSensitive(obj, name))
                    add_queue(m, obj, dp->p.name, (int)v);
            }
    }
    return obj;
}

cJSON *cfg_json_model(const struct cfg_model *m, const char *const *queues,
                      size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < m->n_files; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(m->files[i]));
    cJSON *opt = cJSON_AddObjectToObject(root, "options");
    cJSON_AddBoolToObject(opt, "strict", m->opt.strict);
    cJSON_AddStringToObject(opt, "domain_precedence",
                            m->opt.vmta_layer_first ? "layer" : "specificity");
    cJSON *tot = cJSON_AddObjectToObject(root, "total_max_smtp_out");
    add_num(tot, "count", m->total_max_smtp_out);
    add_origin(tot, &m->total_max_smtp_out_o);
    cJSON *gips = cJSON_AddArrayToObject(root, "source_ips");
    for (size_t i = 0; i < m->n_global_ips; i++)
        cJSON_AddItemToArray(gips, ip_json(&m->global_ips[i]));
    cJSON_AddItemToObject(root, "virtual_mtas", vmtas_json(m));
    cJSON_AddItemToObject(root, "pools", pools_json(m));
    cJSON_AddItemToObject(root, "domain_blocks", dblocks_json(m));
    misc_lists_json(m, root);
    cJSON_AddItemToObject(root, "smtp_pattern_lists", spls_json(m));
    cJSON_AddItemToObject(root, "pattern_lists", plists_json(m));
    cJSON_AddItemToObject(root, "mx_connection_limits",
                          limits_json(m->mx_limits, m->n_mx_limits, "mx"));
    cJSON_AddItemToObject(root, "ip_connection_limits",
                          limits_json(m->ip_limits, m->n_ip_limits, "ip"));
    cJSON_AddItemToObject(root, "not_modelled", kept_json(m));
    cJSON_AddNumberToObject(root, "dialect_lines", (double)m->dialect_lines);
    if (queues == NULL) {
        cJSON_AddItemToObject(root, "queues", queues_json(m));
        return root;
    }
    cJSON *qs = cJSON_AddObjectToObject(root, "queues");
    for (size_t i = 0; i < n; i++) {
        char dom[512];
        const char *slash = strchr(queues[i], '/');
        size_t len = slash ? (size_t)(slash - queues[i]) : strlen(queues[i]);
        snprintf(dom, sizeof(dom), "%.*s", (int)len, queues[i]);
        int v = slash ? cfg_model_vmta_find(m, slash + 1) : 0;
        if (v >= 0)
            add_queue(m, qs, dom, v);
    }
    return root;
}
