/* cfg_parse_rule.c - the blog dialect's bare reply rules.
 *
 * Blog configs write backoff rules as "421 RP-001 *, 1h, 5, 1000": a reply
 * code and text, then how long to back off, how many connections and how
 * many messages per hour to allow meanwhile. Real PowerMTA rejects the line;
 * its equivalent is a <smtp-pattern-list> rule "reply /^421.*RP-001/
 * mode=backoff,backoff-to-normal-after=1h" plus the queue's
 * backoff-max-smtp-out and backoff-max-msg-rate (docs/config.md). We
 * build exactly that equivalent, so what is simulated is what --fix prints.
 * PowerMTA has one set of backoff limits per queue, so the first rule's
 * limits apply to the queue; later rules with other limits get a warning. */
#include "config/cfg_parse_int.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rule {
    char code[4];
    char *text; /* reply text to look for, e.g. "RP-001" */
    double backoff_s;
    double conns;
    struct cfgv_rate rate;
    char *interval_text, *conns_text, *rate_text;
};

static void rule_release(struct rule *r)
{
    free(r->text);
    free(r->interval_text);
    free(r->conns_text);
    free(r->rate_text);
}

/* trim_dup - s[0..n) without surrounding blanks. */
static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* split_rule - "CODE TEXT [*], INTERVAL, CONNS, PER-HOUR". */
static int split_rule(const char *s, struct rule *r, const char **err)
{
    memset(r, 0, sizeof(*r));
    memcpy(r->code, s, 3);
    const char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    const char *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
    if (c3 == NULL || strchr(c3 + 1, ',')) {
        *err = "expected 'CODE TEXT *, BACKOFF-TIME, CONNECTIONS, "
               "MESSAGES-PER-HOUR'";
        return -1;
    }
    char *text = trim_dup(s + 3, (size_t)(c1 - s - 3));
    size_t n = strlen(text);
    if (n && text[n - 1] == '*')
        text[--n] = '\0';
    r->text = trim_dup(text, n);
    free(text);
    r->interval_text = trim_dup(c1 + 1, (size_t)(c2 - c1 - 1));
    r->conns_text = trim_dup(c2 + 1, (size_t)(c3 - c2 - 1));
    r->rate_text = trim_dup(c3 + 1, strlen(c3 + 1));
    return 0;
}

/* rule_values - the three numbers; the rate is per hour unless written as
 * a RATE. */
static int rule_values(struct rule *r, const char **err)
{
    struct cfgv_err e;
    int64_t n;
    if (cfgv_parse_time(r->interval_text, &r->backoff_s, 0, &e)) {
        *err = "invalid back-off time";
        return -1;
    }
    if (cfgv_parse_count(r->conns_text, &n, 0, &e) || n < 1) {
        *err = "invalid connection count";
        return -1;
    }
    r->conns = (double)n;
    if (strchr(r->rate_text, '/') == NULL) {
        if (cfgv_parse_count(r->rate_text, &n, 0, &e) || n < 1) {
            *err = "invalid messages per hour";
            return -1;
        }
        r->rate.count = (double)n;
        r->rate.window_s = 3600;
    } else if (cfgv_parse_rate(r->rate_text, &r->rate, 0, &e)) {
        *err = "invalid message rate";
        return -1;
    }
    return 0;
}

/* rule_regex - "^421.*RP-001" with the text's regex characters escaped. */
static char *rule_regex(const struct rule *r)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "^%s", r->code);
    if (r->text[0])
        strbuf_adds(&sb, ".*");
    for (const char *s = r->text; *s; s++) {
        if (strchr("\\^$.|?*+()[]{}/", *s))
            strbuf_addc(&sb, '\\');
        strbuf_addc(&sb, *s);
    }
    return strbuf_detach(&sb);
}

/* list_name - "hotmail-backoff" from "<domain $hotmail>", unique. */
static char *list_name(struct parser *p, const char *arg)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (const char *s = arg; *s; s++) {
        if (isalnum((unsigned char)*s) || *s == '.' || *s == '-' || *s == '_')
            strbuf_addc(&sb, *s);
        else if (*s == '*')
            strbuf_adds(&sb, "all");
    }
    strbuf_adds(&sb, "-backoff");
    size_t base = sb.len;
    for (int k = 2; cfg_model_spl(p->m, sb.buf); k++) {
        sb.len = base;
        strbuf_addf(&sb, "-%d", k);
    }
    return strbuf_detach(&sb);
}

static struct cfg_dblock *rule_block(struct parser *p, struct frame *f)
{
    if (f == NULL || f->kind != BK_DOMAIN || f->index < 0)
        return NULL;
    return &p->m->dblocks[f->index];
}

/* set_dialect - a queue setting that came from a rule line, unless the
 * block sets that directive itself. */
static void set_dialect(struct parser *p, struct cfg_dblock *b, int qid,
                        const char *text, const char *note)
{
    for (size_t i = 0; i < b->n_set; i++)
        if (b->set[i].qid == qid)
            return;
    struct cfg_value v;
    struct cfgv_err e;
    if (cfg_value_parse(&p->m->arena, cfg_directive_queue(qid)->type, text, &v,
                        &e))
        return;
    XGROW(b->set, b->n_set, b->cap_set);
    struct cfg_setting *s = &b->set[b->n_set++];
    s->qid = qid;
    s->v = v;
    s->o.file = p->file;
    s->o.line = p->lineno;
    s->o.col = 1;
    s->o.note = note;
}

/* new_list - the synthesized list for this block's rule lines. */
static struct cfg_spl *new_list(struct parser *p, struct frame *f,
                                struct cfg_dblock *b, const char *note)
{
    struct cfg_model *m = p->m;
    XGROW(m->spls, m->n_spls, m->cap_spls);
    struct cfg_spl *l = &m->spls[m->n_spls];
    memset(l, 0, sizeof(*l));
    l->name = list_name(p, f->arg);
    l->file = p->file;
    l->line = p->lineno;
    l->synthesized = 1;
    f->dialect_spl = (int)m->n_spls++;
    f->dialect_edit = add_edit(p, CFG_EDIT_INSERT_BEFORE, f->outer_file,
                               f->outer_line, "", 0);
    set_dialect(p, b, CFG_Q_SMTP_PATTERN_LIST, l->name, note);
    return l;
}

/* update_insert - the --fix text of the synthesized list, all rules. */
static void update_insert(struct parser *p, const struct frame *f,
                          const struct cfg_spl *l)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "<smtp-pattern-list %s>", l->name);
    for (size_t i = 0; i < l->n; i++) {
        char act[256];
        cfg_spl_format_actions(&l->rules[i], act, sizeof(act));
        strbuf_addf(&sb, "\n    reply /%s/ %s", l->rules[i].regex, act);
    }
    strbuf_adds(&sb, "\n</smtp-pattern-list>\n");
    struct cfg_edit *e = &p->m->edits[f->dialect_edit];
    e->text = arena_strdup(&p->m->arena, sb.buf);
    strbuf_release(&sb);
}

/* first_rule_limits - the queue's backoff limits from the first rule. */
static void first_rule_limits(struct parser *p, struct frame *f,
                              struct cfg_dblock *b, const struct rule *r,
                              const char *note, struct strbuf *fix)
{
    char conns[32], rate[64];
    snprintf(conns, sizeof(conns), "%.0f", r->conns);
    cfgv_format_rate(&r->rate, rate, sizeof(rate));
    set_dialect(p, b, CFG_Q_BACKOFF_MAX_SMTP_OUT, conns, note);
    set_dialect(p, b, CFG_Q_BACKOFF_MAX_MSG_RATE, rate, note);
    f->dialect_limits_line = p->lineno;
    strbuf_addf(fix, "\nbackoff-max-smtp-out %s\nbackoff-max-msg-rate %s",
                conns, rate);
}

/* add_rule - the rule into the list, the warning, and the --fix edits. */
static void add_rule(struct parser *p, const struct cfg_tokline *t,
                     struct frame *f, struct cfg_dblock *b, struct rule *r)
{
    const char *note =
        arena_strndup(&p->m->arena, p->line + t->content.off, t->content.len);
    struct cfg_spl *l = f->dialect_spl >= 0 ? &p->m->spls[f->dialect_spl]
                                            : new_list(p, f, b, note);
    char *re = rule_regex(r), when[32], act[256], rate[64];
    cfgv_format_time(r->backoff_s, when, sizeof(when));
    cfgv_format_rate(&r->rate, rate, sizeof(rate));
    struct strbuf line;
    strbuf_init(&line);
    strbuf_addf(&line, "/%s/ mode=backoff,backoff-to-normal-after=%s", re,
                when);
    struct cfg_spl_rule sr;
    struct cfgv_err e;
    if (cfg_spl_parse_rule(line.buf, &sr, &e) == 0) {
        sr.file = p->file;
        sr.line = p->lineno;
        cfg_spl_add(l, &sr);
    }
    cfg_spl_format_actions(&l->rules[l->n - 1], act, sizeof(act));
    struct strbuf fix;
    strbuf_init(&fix);
    int first = f->dialect_limits_line == 0;
    if (first) {
        strbuf_addf(&fix, "smtp-pattern-list %s", l->name);
        first_rule_limits(p, f, b, r, note, &fix);
        perr(p, p->m->opt.strict ? DIAG_ERROR : DIAG_WARNING, t->content.off,
             t->content.len,
             "bare reply rule '%s' is not PowerMTA syntax; read as 'reply /%s/ "
             "%s' in <smtp-pattern-list %s>, with 'backoff-max-smtp-out %.0f' "
             "and 'backoff-max-msg-rate %s' for the queue",
             note, re, act, l->name, r->conns, rate);
    } else {
        strbuf_addf(&fix,
                    "# mtasim --fix: '%s' became a rule of "
                    "<smtp-pattern-list %s>",
                    note, l->name);
        perr(p, p->m->opt.strict ? DIAG_ERROR : DIAG_WARNING, t->content.off,
             t->content.len,
             "bare reply rule '%s' is not PowerMTA syntax; read as 'reply /%s/ "
             "%s' in <smtp-pattern-list %s>; PowerMTA has one set of backoff "
             "limits per queue, so those from line %d apply, not %.0f "
             "connections and %s",
             note, re, act, l->name, f->dialect_limits_line, r->conns, rate);
    }
    update_insert(p, f, l);
    struct strbuf ind;
    strbuf_init(&ind);
    const char *indent = indent_of(p, t);
    for (const char *s = fix.buf; *s; s++) {
        if (s == fix.buf || s[-1] == '\n')
            strbuf_adds(&ind, indent);
        strbuf_addc(&ind, *s);
    }
    add_edit(p, CFG_EDIT_REPLACE, p->file, p->lineno, ind.buf, 1);
    strbuf_release(&ind);
    strbuf_release(&fix);
    strbuf_release(&line);
    free(re);
}

void parse_rule_line(struct parser *p, const struct cfg_tokline *t)
{
    struct frame *f = top(p);
    struct cfg_dblock *b = rule_block(p, f);
    if (b == NULL) {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "bare reply rule outside a <domain> block; write 'reply /REGEX/ "
             "mode=backoff' in a <smtp-pattern-list>");
        return;
    }
    char *text = xstrndup(p->line + t->content.off, t->content.len);
    struct rule r;
    const char *err = NULL;
    if (split_rule(text, &r, &err) == 0 && rule_values(&r, &err) == 0) {
        p->m->dialect_lines++;
        add_rule(p, t, f, b, &r);
    } else {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "bare reply rule is not PowerMTA syntax and cannot be read: %s",
             err);
    }
    rule_release(&r);
    free(text);
}
