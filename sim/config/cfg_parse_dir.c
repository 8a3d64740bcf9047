/* cfg_parse_dir.c - directive lines: scope checks, typed values, the blocks'
 * model objects, and the mapping of blog-dialect lines to real syntax.
 *
 * Each directive is looked up in the table of cfg_directive.c for the scope
 * it appears in; a name that exists elsewhere is a scope error, an unknown
 * one gets a "did you mean". Dialect and deprecated names (cfg_dialect.c)
 * are rewritten to their real equivalent first, with a warning that quotes
 * the real syntax (an error with --strict), and a --fix edit. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/cfg_dialect.h"
#include "config/cfg_parse_int.h"
#include "util/strbuf.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A directive line after unquoting and dialect mapping. */
struct dline {
    const struct cfg_tokline *t;
    const char *kw;    /* lower case */
    const char *value; /* unquoted */
    size_t val_off;    /* offset of the value in the line */
    int quoted;
    const char *note; /* "from '...'" when mapped from dialect */
};

static enum diag_severity dialect_severity(struct parser *p)
{
    return p->m->opt.strict ? DIAG_ERROR : DIAG_WARNING;
}

/* ignorable - a problem with a line the simulation does not use (an unknown
 * or misplaced directive, a not-modelled value): an error with --strict, as
 * in PowerMTA, else a warning and the line is ignored. */
static int ignorable(struct parser *p, const struct cfg_directive *d)
{
    return !p->m->opt.strict && (d == NULL || !(d->flags & CFG_D_MODELLED));
}

static struct cfg_origin origin_here(struct parser *p, size_t off,
                                     const char *note)
{
    struct cfg_origin o = { p->file, p->lineno, (int)off + 1, note };
    return o;
}

static void keep(struct parser *p, const struct dline *l, unsigned scope)
{
    struct cfg_model *m = p->m;
    XGROW(m->kept, m->n_kept, m->cap_kept);
    struct cfg_kept *k = &m->kept[m->n_kept++];
    k->name = arena_strdup(&m->arena, l->kw);
    k->value = arena_strdup(&m->arena, l->value);
    k->scope = scope;
    k->o = origin_here(p, l->t->content.off, l->note);
}

static void value_error(struct parser *p, const struct dline *l,
                        const struct cfgv_err *e)
{
    perr(p, DIAG_ERROR, l->val_off + e->offset, e->len,
         "invalid value '%s' for '%s': %s", l->value, l->kw, e->msg);
}

/* unusable_value - value_error for directive d: a warning ("ignored") when
 * the simulation does not use d and we are not strict. */
static void unusable_value(struct parser *p, const struct dline *l,
                           const struct cfg_directive *d,
                           const struct cfgv_err *e)
{
    if (!ignorable(p, d)) {
        value_error(p, l, e);
        return;
    }
    perr(p, DIAG_WARNING, l->val_off + e->offset, e->len,
         "invalid value '%s' for '%s': %s; line ignored (not modelled)",
         l->value, l->kw, e->msg);
}

/* split_two - "FIRST REST": first word into *first (malloc), rest offset. */
static int split_two(const char *s, char **first, const char **rest)
{
    const char *sp = strpbrk(s, " \t");
    *first = NULL;
    if (sp == NULL)
        return -1;
    *first = xstrndup(s, (size_t)(sp - s));
    while (*sp == ' ' || *sp == '\t')
        sp++;
    *rest = sp;
    if (**rest)
        return 0;
    free(*first);
    *first = NULL;
    return -1;
}

/* ---------------------------------------------------------- domain values */

static struct cfg_dblock *frame_dblock(struct parser *p, struct frame *f)
{
    return f && f->kind == BK_DOMAIN && f->index >= 0 ? &p->m->dblocks[f->index]
                                                      : NULL;
}

static struct cfg_setting *find_setting(struct cfg_dblock *b, int qid)
{
    for (size_t i = 0; i < b->n_set; i++)
        if (b->set[i].qid == qid)
            return &b->set[i];
    return NULL;
}

/* merge_cidr - a repeated source-ip-* line adds to (or replaces the entry
 * for the same network in) the block's list. */
static void merge_cidr(struct arena *a, struct cfg_value *old,
                       const struct cfg_value *v)
{
    struct cfg_cidr_value *list =
        arena_alloc(a, (old->n_cidr + 1) * sizeof(*list));
    size_t n = 0;
    for (size_t i = 0; i < old->n_cidr; i++)
        if (memcmp(&old->cidr[i].net, &v->cidr[0].net, sizeof(v->cidr[0].net)))
            list[n++] = old->cidr[i];
    list[n++] = v->cidr[0];
    old->cidr = list;
    old->n_cidr = n;
}

/* store_setting - put v into the block, warning about a repeated line. */
static void store_setting(struct parser *p, struct cfg_dblock *b,
                          const struct cfg_directive *d, struct cfg_value *v,
                          struct cfg_origin o, const struct dline *l)
{
    struct cfg_setting *s = find_setting(b, d->qid);
    if (s && (d->flags & CFG_D_REPEAT) && s->v.set && v->set) {
        merge_cidr(&p->m->arena, &s->v, v);
        char buf[512];
        cfg_value_format(&s->v, d->type, buf, sizeof(buf));
        s->v.str = arena_strdup(&p->m->arena, buf);
        return;
    }
    if (s && s->o.file && !(s->o.note && !o.note))
        perr(p, DIAG_WARNING, l->t->name.off, l->t->name.len,
             "'%s' is set twice in this block (first at line %d); the later "
             "value wins",
             d->name, s->o.line);
    if (s == NULL) {
        XGROW(b->set, b->n_set, b->cap_set);
        s = &b->set[b->n_set++];
    }
    s->qid = d->qid;
    s->v = *v;
    s->o = o;
}

/* rate_zero - the guide lists RATE as "unlimited | 0 | N/unit" with N at
 * least 1, so "0" is a value of its own apart from "unlimited": we read it
 * as zero, a pause (nothing goes while that limit applies), and say so,
 * since the guide does not spell it out (docs/config.md). "0/h" is an
 * error. Returns -1 after an error. */
static int rate_zero(struct parser *p, const struct dline *l,
                     struct cfg_value *v)
{
    if (v->rate.count != 0)
        return 0;
    if (strcmp(l->value, "0") != 0) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "invalid value '%s' for '%s': a rate needs at least 1 per "
             "window (write 0 to pause, 'unlimited' for no limit)",
             l->value, l->kw);
        return -1;
    }
    perr(p, DIAG_WARNING, l->val_off, strlen(l->value),
         "'%s 0' pauses: no message goes while this limit applies (the "
         "guide lists 0 apart from 'unlimited'; write 'unlimited' for no "
         "limit)",
         l->kw);
    v->rate.count = 0;
    v->rate.window_s = 1;
    v->str = "0";
    return 0;
}

static void queue_setting(struct parser *p, const struct dline *l,
                          const struct cfg_directive *d)
{
    struct cfg_dblock *b = frame_dblock(p, top(p));
    struct cfg_value v;
    struct cfgv_err e;
    if (cfg_value_parse(&p->m->arena, d->type, l->value, &v, &e)) {
        unusable_value(p, l, d, &e);
        return;
    }
    if ((d->type == CFG_T_RATE || d->type == CFG_T_DATA_RATE) &&
        rate_zero(p, l, &v))
        return;
    if (d->qid == CFG_Q_CONNECTION_IDLE_TIMEOUT && v.num > 600) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "'connection-idle-timeout' cannot exceed 10m");
        return;
    }
    if (!(d->flags & CFG_D_MODELLED))
        keep(p, l, CFG_S_DOMAIN);
    if (b)
        store_setting(p, b, d, &v, origin_here(p, l->val_off, l->note), l);
}

/* ------------------------------------------------------- other directives */

static int parse_count_value(struct parser *p, const struct dline *l,
                             const char *text, size_t off, unsigned flags,
                             double *out)
{
    int64_t n;
    struct cfgv_err e;
    if (cfgv_parse_count(text, &n, flags, &e)) {
        e.offset += off;
        value_error(p, l, &e);
        return -1;
    }
    *out = n == CFGV_UNLIMITED ? (double)INFINITY : (double)n;
    return 0;
}

static void source_host(struct parser *p, const struct dline *l)
{
    char *ip;
    const char *host;
    if (split_two(l->value, &ip, &host)) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "'smtp-source-host' needs an IP address (or CIDR) and a host "
             "name");
        return;
    }
    struct cfg_source_ip s;
    struct cfgv_err e;
    memset(&s, 0, sizeof(s));
    int rc = cfgv_parse_cidr(ip, &s.ip, &e);
    free(ip);
    if (rc) {
        value_error(p, l, &e);
        return;
    }
    s.host_name = arena_strdup(&p->m->arena, host);
    s.origin = origin_here(p, l->val_off, l->note);
    struct frame *f = top(p);
    struct cfg_model *m = p->m;
    if (f && f->kind == BK_VMTA) {
        struct cfg_vmta_int *v = &m->vmtas[f->index];
        XGROW(v->own_ips, v->n_own_ips, v->cap_ips);
        v->own_ips[v->n_own_ips++] = s;
    } else {
        XGROW(m->global_ips, m->n_global_ips, m->cap_global_ips);
        m->global_ips[m->n_global_ips++] = s;
    }
}

static void domain_macro(struct parser *p, const struct dline *l)
{
    char *name;
    const char *list;
    if (split_two(l->value, &name, &list)) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "'domain-macro' needs a name and a list of domains");
        return;
    }
    struct cfgv_err e;
    int rc = cfgd_macros_define(p->m->macros, name, list, &e);
    if (rc < 0) {
        e.offset += (size_t)(list - l->value);
        value_error(p, l, &e);
    } else if (rc == 1) {
        int first = 0;
        for (size_t i = 0; i < p->m->n_macro_refs && !first; i++)
            if (strcasecmp(p->m->macro_refs[i].name, name) == 0)
                first = p->m->macro_refs[i].o.line;
        perr(p, DIAG_WARNING, l->val_off, strlen(name),
             "domain macro '%s' is defined again (first at line %d); the "
             "later list applies to every '$%s' block, also those before "
             "this line",
             name, first, name);
    }
    if (rc >= 0) {
        struct cfg_model *m = p->m;
        XGROW(m->macro_refs, m->n_macro_refs, m->cap_macro_refs);
        m->macro_refs[m->n_macro_refs].name = arena_strdup(&m->arena, name);
        m->macro_refs[m->n_macro_refs++].o = origin_here(p, l->val_off, NULL);
    }
    free(name);
}

static void conn_limit(struct parser *p, const struct dline *l, int mx)
{
    char *pat;
    const char *count;
    if (split_two(l->value, &pat, &count)) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "'%s' needs a pattern and a count", l->kw);
        return;
    }
    struct cfg_conn_limit c;
    struct cfgv_err e;
    memset(&c, 0, sizeof(c));
    int rc = mx ? cfgd_pattern_parse(pat, &c.mx, &e)
                : cfgv_parse_cidr(pat, &c.net, &e);
    c.pattern = arena_strdup(&p->m->arena, pat);
    free(pat);
    if (rc) {
        value_error(p, l, &e);
        return;
    }
    if (parse_count_value(p, l, count, (size_t)(count - l->value), 0,
                          &c.count)) {
        cfgd_pattern_release(&c.mx);
        return;
    }
    c.o = origin_here(p, l->val_off, l->note);
    struct cfg_model *m = p->m;
    if (mx) {
        XGROW(m->mx_limits, m->n_mx_limits, m->cap_mx_limits);
        m->mx_limits[m->n_mx_limits++] = c;
    } else {
        XGROW(m->ip_limits, m->n_ip_limits, m->cap_ip_limits);
        m->ip_limits[m->n_ip_limits++] = c;
    }
}

static struct cfg_ref make_ref(struct parser *p, const struct dline *l)
{
    struct cfg_ref r = { arena_strdup(&p->m->arena, l->value),
                         origin_here(p, l->val_off, l->note) };
    return r;
}

/* vmta_limit - max-smtp-out / max-smtp-msg-rate / -data-volume-rate of a
 * <virtual-mta> or <virtual-mta-pool>. */
static void vmta_limit(struct parser *p, const struct dline *l,
                       const struct cfg_directive *d)
{
    struct frame *f = top(p);
    struct cfg_value v;
    struct cfgv_err e;
    if (cfg_value_parse(&p->m->arena, d->type, l->value, &v, &e)) {
        value_error(p, l, &e);
        return;
    }
    if (d->type != CFG_T_COUNT_UNL && rate_zero(p, l, &v))
        return;
    int pool = f->kind == BK_POOL;
    struct cfg_vmta *vm = pool ? NULL : &p->m->vmtas[f->index].pub;
    struct cfg_pool *pl = pool ? &p->m->pools[f->index].pub : NULL;
    if (d->special == CFG_X_VMTA_MAX_SMTP_OUT)
        *(pool ? &pl->max_smtp_out : &vm->max_smtp_out) = v.num;
    else if (d->special == CFG_X_VMTA_MSG_RATE)
        *(pool ? &pl->max_msg_rate : &vm->max_msg_rate) = v.rate;
    else
        *(pool ? &pl->max_data_rate : &vm->max_data_rate) = v.rate;
}

static void add_ref(struct cfg_ref **refs, size_t *n, size_t *cap,
                    struct cfg_ref r)
{
    XGROW(*refs, *n, *cap);
    (*refs)[(*n)++] = r;
}

static void vmta_ref(struct parser *p, const struct dline *l,
                     enum cfg_special sp)
{
    struct frame *f = top(p);
    struct cfg_ref r = make_ref(p, l);
    if (strpbrk(l->value, " \t")) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "invalid value '%s' for '%s': expected a single name", l->value,
             l->kw);
        return;
    }
    if (f->kind == BK_POOL) {
        struct cfg_pool_int *pl = &p->m->pools[f->index];
        if (sp == CFG_X_POOL_MEMBER)
            add_ref(&pl->member_refs, &pl->n_member_refs, &pl->cap_members, r);
        else
            add_ref(&pl->cold_refs, &pl->n_cold_refs, &pl->cap_cold, r);
    } else {
        struct cfg_vmta_int *v = &p->m->vmtas[f->index];
        add_ref(&v->cold_refs, &v->n_cold_refs, &v->cap_cold, r);
    }
}

static void source_setting(struct parser *p, const struct dline *l,
                           const struct cfg_directive *d)
{
    struct cfg_source_blk *s = &p->m->sources[top(p)->index];
    if (d->special == CFG_X_DEFAULT_VMTA) {
        s->default_vmta = make_ref(p, l);
    } else if (d->special == CFG_X_SOURCE_PATTERN_LIST) {
        s->pattern_list = make_ref(p, l);
    } else {
        int b;
        struct cfgv_err e;
        if (cfgv_parse_bool(l->value, &b, &e)) {
            value_error(p, l, &e);
            return;
        }
        s->process_x_vmta = b;
    }
}

static void global_total(struct parser *p, const struct dline *l)
{
    double n;
    if (parse_count_value(p, l, l->value, 0, 0, &n))
        return;
    p->m->total_max_smtp_out = n;
    p->m->total_max_smtp_out_o = origin_here(p, l->val_off, l->note);
}

/* kept_value - a not-modelled directive: check its type, then keep it. */
static void kept_value(struct parser *p, const struct dline *l,
                       const struct cfg_directive *d, unsigned scope)
{
    struct cfg_value v;
    struct cfgv_err e;
    if (cfg_value_check_row(d, l->value, l->quoted, &e) ||
        cfg_value_parse(&p->m->arena,
                        l->quoted && d->type == CFG_T_NAME ? CFG_T_TEXT
                                                           : d->type,
                        l->value, &v, &e)) {
        unusable_value(p, l, d, &e);
        return;
    }
    keep(p, l, scope);
}

static void dispatch(struct parser *p, const struct dline *l,
                     const struct cfg_directive *d, unsigned scope)
{
    switch (d->special) {
    case CFG_X_INCLUDE:
        include_file(p, l->value, l->val_off);
        return;
    case CFG_X_DOMAIN_MACRO:
        domain_macro(p, l);
        return;
    case CFG_X_SOURCE_HOST:
        source_host(p, l);
        return;
    case CFG_X_TOTAL_MAX_SMTP_OUT:
        global_total(p, l);
        return;
    case CFG_X_MX_CONNECTION_LIMIT:
    case CFG_X_IP_CONNECTION_LIMIT:
        conn_limit(p, l, d->special == CFG_X_MX_CONNECTION_LIMIT);
        if (!(d->flags & CFG_D_MODELLED))
            keep(p, l, scope); /* parsed, not yet used by the simulator */
        return;
    case CFG_X_VMTA_MAX_SMTP_OUT:
    case CFG_X_VMTA_MSG_RATE:
    case CFG_X_VMTA_DATA_RATE:
        vmta_limit(p, l, d);
        return;
    case CFG_X_COLD_VMTA:
    case CFG_X_POOL_MEMBER:
        vmta_ref(p, l, d->special);
        return;
    case CFG_X_DEFAULT_VMTA:
    case CFG_X_SOURCE_PATTERN_LIST:
    case CFG_X_PROCESS_X_VMTA:
        source_setting(p, l, d);
        return;
    default:
        break;
    }
    if (d->qid >= 0)
        queue_setting(p, l, d);
    else
        kept_value(p, l, d, scope);
}

/* unknown_directive - "did you mean" over the names valid in this scope
 * (listed once per scope, with what str_vocab notes of each name: the list
 * is the same for every config). */
static void unknown_directive(struct parser *p, const struct dline *l,
                              unsigned scope)
{
    static struct {
        unsigned scope;
        size_t n;
        const char *names[512];
        struct str_vocab vocab;
    } cache[8];
    size_t c = 0;
    while (c < 7 && cache[c].n && cache[c].scope != scope)
        c++;
    if (cache[c].n == 0 || cache[c].scope != scope) {
        free(cache[c].vocab.lens);
        free(cache[c].vocab.masks);
        cache[c].n = cfg_directive_names(scope, cache[c].names, 512);
        cache[c].scope = scope;
        str_vocab_init(&cache[c].vocab, cache[c].names, cache[c].n);
    }
    const char *near = str_vocab_closest(&cache[c].vocab, l->kw);
    const struct cfg_tokline *t = l->t;
    int warn = ignorable(p, NULL);
    enum diag_severity sev = warn ? DIAG_WARNING : DIAG_ERROR;
    const char *ign = warn ? " (line ignored)" : "";
    if (near)
        perr(p, sev, t->name.off, t->name.len,
             "unknown directive '%s' in %s; did you mean '%s'?%s", l->kw,
             cfg_scope_name(scope), near, ign);
    else
        perr(p, sev, t->name.off, t->name.len, "unknown directive '%s' in %s%s",
             l->kw, cfg_scope_name(scope), ign);
}

/* scope_list - "global level, <virtual-mta>" for a scope mask. */
static void scope_list(unsigned scopes, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned bit = 1; bit <= CFG_S_LAST && o + 1 < n; bit <<= 1)
        if (scopes & bit) {
            int w = snprintf(buf + o, n - o, "%s%s", o ? ", " : "",
                             cfg_scope_name(bit));
            if (w < 0)
                return;
            o += (size_t)w;
        }
}

/* modelled_row - a modelled row of name in one of scopes, else any row. */
static const struct cfg_directive *modelled_row(const char *name,
                                                unsigned scopes)
{
    const struct cfg_directive *any = NULL;
    for (unsigned bit = 1; bit <= CFG_S_LAST; bit <<= 1) {
        const struct cfg_directive *d =
            scopes & bit ? cfg_directive_find(name, bit, NULL) : NULL;
        if (d && (d->flags & CFG_D_MODELLED))
            return d;
        any = d ? d : any;
    }
    return any;
}

static void apply_directive(struct parser *p, const struct dline *l)
{
    unsigned scope = current_scope(p), others = 0;
    const struct cfg_directive *d = cfg_directive_find(l->kw, scope, &others);
    const struct cfg_tokline *t = l->t;
    if (d == NULL) {
        char where[400];
        if (others) {
            /* A limit the simulator models, written in the wrong block, is
             * an error even when lenient: ignoring it would simulate a
             * config its author did not mean (docs/config.md). */
            int warn = ignorable(p, modelled_row(l->kw, others));
            scope_list(others, where, sizeof(where));
            perr(p, warn ? DIAG_WARNING : DIAG_ERROR, t->name.off, t->name.len,
                 "'%s' is not allowed in %s (allowed in: %s)%s", l->kw,
                 cfg_scope_name(scope), where, warn ? "; line ignored" : "");
        } else {
            unknown_directive(p, l, scope);
        }
        return;
    }
    if ((d->flags & CFG_D_UNDOC) && p->m->opt.strict)
        perr(p, DIAG_WARNING, t->name.off, t->name.len,
             "'%s' is not in the PowerMTA v5.0 guide's directive reference "
             "(section 3.3); accepted, as many deployed configs use it "
             "(UNVERIFIED)",
             l->kw);
    int clearable = (d->flags & CFG_D_CLEARABLE) || d->type == CFG_T_TEXT;
    if (l->value[0] == '\0' && !(l->quoted && clearable)) {
        int hash = p->line[t->comment] == '#';
        int warn = ignorable(p, d);
        perr(p, warn ? DIAG_WARNING : DIAG_ERROR, t->name.off + t->name.len, 1,
             "'%s' needs a value%s%s", l->kw,
             hash ? " ('#' starts a comment, even in the middle of a "
                    "line)"
                  : "",
             warn ? "; line ignored" : "");
        return;
    }
    dispatch(p, l, d, scope);
}

/* ---------------------------------------------------------------- dialect */

/* replace_line - a --fix edit that rewrites the current line as text,
 * indented like the original and keeping its comment. */
static void replace_line(struct parser *p, const struct cfg_tokline *t,
                         const char *text)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_adds(&sb, indent_of(p, t));
    strbuf_adds(&sb, text);
    add_edit(p, CFG_EDIT_REPLACE, p->file, p->lineno, sb.buf, 1);
    strbuf_release(&sb);
}

static const char *content_of(struct parser *p, const struct cfg_tokline *t)
{
    return arena_strndup(&p->m->arena, p->line + t->content.off,
                         t->content.len);
}

static void dialect_drop(struct parser *p, const struct dline *l,
                         const struct cfg_dialect *row)
{
    const struct cfg_tokline *t = l->t;
    const char *line = content_of(p, t);
    if (row->deprecated)
        perr(p, DIAG_WARNING, t->name.off, t->name.len,
             "'%s' is deprecated (%s); ignored", l->kw, row->why);
    else
        perr(p, dialect_severity(p), t->name.off, t->name.len,
             "'%s' is not PowerMTA syntax and has no equivalent (%s); "
             "ignored",
             l->kw, row->why);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "# mtasim --fix: removed '%s'", line);
    replace_line(p, t, sb.buf);
    strbuf_release(&sb);
}

/* dialect_value - the value in real syntax for a mapped line. */
static char *dialect_value(const struct dline *l, const struct cfg_dialect *row)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (row->kind == CFG_DL_PER_HOUR && strchr(l->value, '/') == NULL)
        strbuf_addf(&sb, "%s/h", l->value);
    else if (row->kind == CFG_DL_ALL_SOURCES && !strpbrk(l->value, " \t"))
        strbuf_addf(&sb, "0/0 %s", l->value);
    else if (row->kind == CFG_DL_LISTEN_PORT)
        strbuf_addf(&sb, "0/0:%s", l->value);
    else if (row->kind == CFG_DL_LISTEN_IP)
        strbuf_addf(&sb, "%s:25", l->value);
    else
        strbuf_adds(&sb, l->value);
    return strbuf_detach(&sb);
}

/* dialect_block - "spool DIR" is the block "<spool DIR>" ... "</spool>"
 * (UG5 §3.3.1.4); not modelled, so it is only kept and rewritten. */
static void dialect_block(struct parser *p, const struct dline *l,
                          const struct cfg_dialect *row)
{
    const struct cfg_tokline *t = l->t;
    const char *indent = indent_of(p, t);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "<%s %s>", row->real, l->value);
    perr(p, DIAG_WARNING, t->name.off, t->name.len,
         "'%s' is deprecated; read as '%s' ... '</%s>'", l->kw, sb.buf,
         row->real);
    strbuf_addf(&sb, "\n%s</%s>", indent, row->real);
    replace_line(p, t, sb.buf);
    strbuf_release(&sb);
    keep(p, l, CFG_S_GLOBAL);
}

static void dialect_map(struct parser *p, const struct dline *l,
                        const struct cfg_dialect *row)
{
    const struct cfg_tokline *t = l->t;
    p->m->dialect_lines++;
    if (row->kind == CFG_DL_DROP) {
        dialect_drop(p, l, row);
        return;
    }
    if (row->kind == CFG_DL_BLOCK) {
        dialect_block(p, l, row);
        return;
    }
    char *value = dialect_value(l, row);
    struct strbuf real;
    strbuf_init(&real);
    strbuf_addf(&real, "%s %s", row->real, value);
    if (row->deprecated)
        perr(p, DIAG_WARNING, t->name.off, t->name.len,
             "'%s' is deprecated; read as '%s'", l->kw, real.buf);
    else if (row->why)
        perr(p, dialect_severity(p), t->name.off, t->name.len,
             "'%s' is not PowerMTA syntax (%s); read as '%s'", l->kw, row->why,
             real.buf);
    else
        perr(p, dialect_severity(p), t->name.off, t->name.len,
             "'%s' is not PowerMTA syntax; read as '%s'", l->kw, real.buf);
    replace_line(p, t, real.buf);
    struct dline m = *l;
    m.kw = row->real;
    m.value = arena_strdup(&p->m->arena, value);
    m.note = arena_strdup(&p->m->arena, content_of(p, t));
    apply_directive(p, &m);
    free(value);
    strbuf_release(&real);
}

/* --------------------------------------------------------- special blocks */

/* compile_regex - "/re/" at the start of s: compiled (case-insensitive),
 * *end set past the closing slash. */
static void *compile_regex(struct parser *p, const char *s, size_t off,
                           const char **end, const char **regex)
{
    if (s[0] != '/') {
        perr(p, DIAG_ERROR, off, 1, "expected '/REGEX/'");
        return NULL;
    }
    size_t i = 1;
    while (s[i] && s[i] != '/')
        i += (s[i] == '\\' && s[i + 1]) ? 2 : 1;
    if (s[i] != '/') {
        perr(p, DIAG_ERROR, off, i, "regular expression has no closing '/'");
        return NULL;
    }
    *regex = arena_strndup(&p->m->arena, s + 1, i - 1);
    *end = s + i + 1;
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)*regex, PCRE2_ZERO_TERMINATED,
                                   PCRE2_CASELESS, &code, &at, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(code, msg, sizeof(msg));
        perr(p, DIAG_ERROR, off + 1 + at, 1, "invalid regular expression: %s",
             (char *)msg);
    }
    return re;
}

/* plist_results - "virtual-mta=NAME, ..." of a <pattern-list> entry. */
static void plist_results(struct parser *p, struct cfg_pentry *pe,
                          const char *res, size_t off)
{
    while (*res == ' ' || *res == '\t')
        res++;
    pe->results = arena_strdup(&p->m->arena, res);
    const char *v = strstr(res, "virtual-mta=");
    if (v == NULL)
        return;
    v += 12;
    size_t n = strcspn(v, " ,\t");
    pe->vmta.name = arena_strndup(&p->m->arena, v, n);
    pe->vmta.o = origin_here(p, off + (size_t)(v - res), NULL);
}

static void plist_entry(struct parser *p, const struct dline *l)
{
    struct cfg_plist *pl = &p->m->plists[top(p)->index];
    struct cfg_pentry pe;
    memset(&pe, 0, sizeof(pe));
    pe.o = origin_here(p, l->t->content.off, NULL);
    const char *s = l->value, *end = s;
    size_t off = l->val_off;
    if (strcmp(l->kw, "*") == 0) {
        pe.kind = CFG_PE_ANY;
    } else {
        pe.kind = strcmp(l->kw, "mail-from") == 0 ? CFG_PE_MAIL_FROM
                  : strcmp(l->kw, "rcpt-to") == 0 ? CFG_PE_RCPT_TO
                                                  : CFG_PE_HEADER;
        if (pe.kind == CFG_PE_HEADER) {
            size_t n = strcspn(s, " \t");
            pe.header = arena_strndup(&p->m->arena, s, n);
            s += n;
            while (*s == ' ' || *s == '\t')
                s++;
        }
        off += (size_t)(s - l->value);
        pe.code = compile_regex(p, s, off, &end, &pe.regex);
        if (pe.code == NULL)
            return;
        pe.match_data = pcre2_match_data_create(1, NULL);
    }
    plist_results(p, &pe, end, l->val_off + (size_t)(end - l->value));
    if (pe.results[0] == '\0')
        perr(p, DIAG_ERROR, l->t->content.off, l->t->content.len,
             "pattern-list entry has no result");
    XGROW(pl->entries, pl->n, pl->cap);
    pl->entries[pl->n++] = pe;
}

static void spl_reply(struct parser *p, const struct dline *l)
{
    struct cfg_spl *s = &p->m->spls[top(p)->index];
    struct cfg_spl_rule r;
    struct cfgv_err e;
    if (cfg_spl_parse_rule(l->value, &r, &e)) {
        int hash = p->line[l->t->comment] == '#' &&
                   strstr(e.msg, "no closing '/'") != NULL;
        perr(p, DIAG_ERROR, l->val_off + e.offset, e.len, "%s%s", e.msg,
             hash ? " ('#' starts a comment; write it as '\\x23')" : "");
        return;
    }
    r.file = p->file;
    r.line = p->lineno;
    cfg_spl_add(s, &r);
}

static void rollup_entry(struct parser *p, const struct dline *l)
{
    char *pat;
    const char *name;
    struct cfg_model *m = p->m;
    if (split_two(l->value, &pat, &name) || strpbrk(name, " \t")) {
        perr(p, DIAG_ERROR, l->val_off, strlen(l->value),
             "expected 'mx MX-PATTERN ROLLUP-NAME'");
        free(pat);
        return;
    }
    struct cfgd_pattern cp;
    struct cfgv_err e;
    if (cfgd_pattern_parse(pat, &cp, &e)) {
        value_error(p, l, &e);
        free(pat);
        return;
    }
    XGROW(m->rollups, m->n_rollups, m->cap_rollups);
    m->rollup_pats =
        xreallocarray(m->rollup_pats, m->cap_rollups, sizeof(*m->rollup_pats));
    m->rollup_pats[m->n_rollups] = cp;
    struct cfg_rollup *r = &m->rollups[m->n_rollups++];
    r->mx_pattern = arena_strdup(&m->arena, pat);
    r->name = str_lower(arena_strdup(&m->arena, name));
    r->origin = origin_here(p, l->val_off, NULL);
    free(pat);
}

/* special_scope - lines of the list blocks; returns 1 when handled. */
static int special_scope(struct parser *p, const struct dline *l,
                         unsigned scope)
{
    const struct cfg_tokline *t = l->t;
    int is_include = strcmp(l->kw, "include") == 0;
    if (scope == CFG_S_SMTP_PATTERNS && !is_include) {
        if (strcmp(l->kw, "reply") == 0)
            spl_reply(p, l);
        else
            perr(p, DIAG_ERROR, t->name.off, t->name.len,
                 "only 'reply /REGEX/ ACTIONS' lines are allowed in "
                 "<smtp-pattern-list>, not '%s'",
                 l->kw);
        return 1;
    }
    if (scope == CFG_S_ROLLUP) {
        if (strcmp(l->kw, "mx") == 0)
            rollup_entry(p, l);
        else
            perr(p, DIAG_ERROR, t->name.off, t->name.len,
                 "only 'mx MX-PATTERN ROLLUP-NAME' lines are allowed in "
                 "<mx-rollup-list>, not '%s'",
                 l->kw);
        return 1;
    }
    if (scope == CFG_S_PATTERNS) {
        if (!strcmp(l->kw, "mail-from") || !strcmp(l->kw, "rcpt-to") ||
            !strcmp(l->kw, "header") || !strcmp(l->kw, "*"))
            plist_entry(p, l);
        else
            perr(p, DIAG_ERROR, t->name.off, t->name.len,
                 "expected 'mail-from', 'rcpt-to', 'header' or '*' in "
                 "<pattern-list>, not '%s'",
                 l->kw);
        return 1;
    }
    return 0;
}

/* brace_block - "smtp-pattern-list NAME {" ... "}": a brace syntax from
 * blog pages (docs/config.md) that PowerMTA rejects. One error with the
 * tag form; the lines up to "}" are skipped. */
static void brace_block(struct parser *p, const struct cfg_tokline *t,
                        const char *kw)
{
    perr(p, DIAG_ERROR, t->content.off, t->content.len,
         "brace blocks are not PowerMTA syntax; write '<%s NAME>' ... "
         "'</%s>' (lines up to '}' skipped)",
         kw, kw);
    open_brace_block(p, t);
}

/* keyword - the directive name in lower case, warning when it was not:
 * PowerMTA documents lower case and its case rules are UNVERIFIED. */
static char *keyword(struct parser *p, const struct cfg_tokline *t)
{
    char *raw = arena_strndup(&p->m->arena, p->line + t->name.off, t->name.len);
    char *kw = str_lower(arena_strdup(&p->m->arena, raw));
    if (strcmp(raw, kw) != 0)
        perr(p, DIAG_WARNING, t->name.off, t->name.len,
             "directive '%s' written with capitals; read as '%s'", raw, kw);
    return kw;
}

void parse_directive_line(struct parser *p, const struct cfg_tokline *t)
{
    struct dline l;
    memset(&l, 0, sizeof(l));
    l.t = t;
    l.kw = keyword(p, t);
    char *value = arena_alloc(&p->m->arena, t->value.len + 1);
    cfg_lex_unquote(p->line, t->value, t->quoted, value, t->value.len + 1);
    l.value = value;
    l.val_off = t->value.off;
    l.quoted = t->quoted;
    unsigned scope = current_scope(p);
    size_t vlen = strlen(l.value);
    if (vlen && l.value[vlen - 1] == '{' && !l.quoted) {
        brace_block(p, t, l.kw);
        return;
    }
    if (special_scope(p, &l, scope))
        return;
    const struct cfg_dialect *row = cfg_dialect_find(l.kw, scope);
    if (row)
        dialect_map(p, &l, row);
    else
        apply_directive(p, &l);
}

/* parse_xml_line - "<name>value</name>": XML-style, not PowerMTA syntax. */
void parse_xml_line(struct parser *p, const struct cfg_tokline *t)
{
    const char *line = content_of(p, t);
    struct dline l;
    memset(&l, 0, sizeof(l));
    l.t = t;
    l.kw = str_lower(
        arena_strndup(&p->m->arena, p->line + t->name.off, t->name.len));
    l.value = arena_strndup(&p->m->arena, p->line + t->value.off, t->value.len);
    l.val_off = t->value.off;
    unsigned scope = current_scope(p);
    const struct cfg_dialect *row = cfg_dialect_find(l.kw, scope);
    p->m->dialect_lines++;
    if (cfg_directive_find(l.kw, scope, NULL) && row == NULL) {
        struct strbuf real;
        strbuf_init(&real);
        strbuf_addf(&real, "%s %s", l.kw, l.value);
        perr(p, dialect_severity(p), t->content.off, t->content.len,
             "XML-style '%s' is not PowerMTA syntax; read as '%s'", line,
             real.buf);
        replace_line(p, t, real.buf);
        l.note = line;
        apply_directive(p, &l);
        strbuf_release(&real);
    } else if (row && row->kind == CFG_DL_DROP) {
        perr(p, dialect_severity(p), t->content.off, t->content.len,
             "XML-style '%s' is not PowerMTA syntax and has no equivalent "
             "(%s); ignored",
             line, row->why);
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_addf(&sb, "# mtasim --fix: removed '%s'", line);
        replace_line(p, t, sb.buf);
        strbuf_release(&sb);
    } else {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "XML-style '%s' is not PowerMTA syntax, and '%s' is not a "
             "directive here",
             line, l.kw);
    }
}

/* ----------------------------------------------------------- block objects */

static int name_taken(struct parser *p, const char *name)
{
    return cfg_model_vmta_find(p->m, name) >= 0 ||
           cfg_model_pool_find(p->m, name) >= 0;
}

static void open_vmta(struct parser *p, struct frame *f,
                      const struct cfg_tokline *t)
{
    struct cfg_model *m = p->m;
    if (f->arg[0] == '{' || strpbrk(f->arg, " \t")) {
        perr(p, DIAG_ERROR, t->value.off, t->value.len,
             "invalid name '%s' (names starting with '{' are reserved)",
             f->arg);
        return;
    }
    if (name_taken(p, f->arg)) {
        perr(p, DIAG_ERROR, t->value.off, t->value.len,
             "a virtual-mta or pool named '%s' is already defined", f->arg);
        return;
    }
    struct cfg_origin o = origin_here(p, t->content.off, NULL);
    if (f->kind == BK_VMTA) {
        XGROW(m->vmtas, m->n_vmtas, m->cap_vmtas);
        struct cfg_vmta_int *v = &m->vmtas[m->n_vmtas];
        memset(v, 0, sizeof(*v));
        v->pub.name = f->arg;
        v->pub.max_smtp_out = INFINITY;
        v->pub.max_msg_rate = (struct cfgv_rate){ INFINITY, 1 };
        v->pub.max_data_rate = (struct cfgv_rate){ INFINITY, 1 };
        v->pub.pool = -1;
        v->pub.origin = o;
        f->index = (int)m->n_vmtas++;
        return;
    }
    XGROW(m->pools, m->n_pools, m->cap_pools);
    struct cfg_pool_int *pl = &m->pools[m->n_pools];
    memset(pl, 0, sizeof(*pl));
    pl->pub.name = f->arg;
    pl->pub.max_smtp_out = INFINITY;
    pl->pub.max_msg_rate = (struct cfgv_rate){ INFINITY, 1 };
    pl->pub.max_data_rate = (struct cfgv_rate){ INFINITY, 1 };
    pl->pub.origin = o;
    f->index = (int)m->n_pools++;
}

/* domain_default - "<domain default>" names a literal domain "default"; the
 * blog page meant the catch-all "*". Without --strict we read it as the
 * author meant; with --strict as PowerMTA would (a literal name). */
static const char *domain_default(struct parser *p, struct frame *f,
                                  const struct cfg_tokline *t)
{
    if (strcmp(f->arg, "default") != 0)
        return f->arg;
    p->m->dialect_lines++;
    if (p->m->opt.strict) {
        perr(p, DIAG_WARNING, t->value.off, t->value.len,
             "'<domain default>' names a literal domain called 'default', "
             "which no recipient has; did you mean '<domain *>'?");
        return f->arg;
    }
    perr(p, DIAG_WARNING, t->value.off, t->value.len,
         "'<domain default>' names a literal domain called 'default', which "
         "no recipient has; read as '<domain *>', the catch-all its author "
         "almost certainly meant");
    replace_line(p, t, "<domain *>");
    return "*";
}

static void open_domain(struct parser *p, struct frame *f,
                        const struct cfg_tokline *t)
{
    struct cfg_model *m = p->m;
    struct frame *parent = p->depth > 1 ? &p->stack[p->depth - 2] : NULL;
    XGROW(m->dblocks, m->n_dblocks, m->cap_dblocks);
    struct cfg_dblock *b = &m->dblocks[m->n_dblocks];
    memset(b, 0, sizeof(*b));
    b->arg = str_lower(arena_strdup(&m->arena, domain_default(p, f, t)));
    b->layer = CFG_LAYER_GLOBAL;
    b->owner = -1;
    if (parent && parent->kind == BK_VMTA && parent->index >= 0) {
        b->layer = CFG_LAYER_VMTA;
        b->owner = parent->index;
    } else if (parent && parent->kind == BK_POOL && parent->index >= 0) {
        b->layer = CFG_LAYER_POOL;
        b->owner = parent->index;
        m->pools[parent->index].has_domains = 1;
    } else if (parent) {
        return; /* the parent block was bad: ignore its contents */
    }
    b->o = origin_here(p, t->value.off, NULL);
    b->order = p->order++;
    f->index = (int)m->n_dblocks++;
}

static void open_source(struct parser *p, struct frame *f,
                        const struct cfg_tokline *t)
{
    struct cfg_model *m = p->m;
    XGROW(m->sources, m->n_sources, m->cap_sources);
    struct cfg_source_blk *s = &m->sources[m->n_sources];
    memset(s, 0, sizeof(*s));
    struct cfgv_err e;
    s->arg = f->arg;
    s->is_net = cfgv_parse_cidr(f->arg, &s->net, &e) == 0;
    s->o = origin_here(p, t->value.off, NULL);
    f->index = (int)m->n_sources++;
}

static void open_list(struct parser *p, struct frame *f,
                      const struct cfg_tokline *t)
{
    struct cfg_model *m = p->m;
    struct cfg_origin o = origin_here(p, t->value.off, NULL);
    if (f->kind == BK_SPL) {
        if (cfg_model_spl(m, f->arg)) {
            perr(p, DIAG_ERROR, t->value.off, t->value.len,
                 "smtp-pattern-list '%s' is already defined", f->arg);
            return;
        }
        XGROW(m->spls, m->n_spls, m->cap_spls);
        struct cfg_spl *s = &m->spls[m->n_spls];
        memset(s, 0, sizeof(*s));
        s->name = xstrdup(f->arg);
        s->file = o.file;
        s->line = o.line;
        f->index = (int)m->n_spls++;
        return;
    }
    XGROW(m->plists, m->n_plists, m->cap_plists);
    struct cfg_plist *pl = &m->plists[m->n_plists];
    memset(pl, 0, sizeof(*pl));
    pl->name = f->arg;
    pl->o = o;
    f->index = (int)m->n_plists++;
}

void cfg_parse_open_object(struct parser *p, struct frame *f,
                           const struct cfg_tokline *t)
{
    switch (f->kind) {
    case BK_DOMAIN:
        open_domain(p, f, t);
        break;
    case BK_VMTA:
    case BK_POOL:
        open_vmta(p, f, t);
        break;
    case BK_SOURCE:
        open_source(p, f, t);
        break;
    case BK_SPL:
    case BK_PLIST:
        open_list(p, f, t);
        break;
    case BK_ACCT:
    case BK_ROLLUP:
    case BK_LIST:
    case BK_BCP:
    case BK_OPAQUE:
        break;
    }
}
