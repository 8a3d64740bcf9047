/* cfg_spl.c - smtp-pattern-list rules compiled with PCRE2 (UG5 §3.3.15). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/cfg_spl.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <pcre2.h>
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

/* regex_end - offset of the closing '/', honouring backslash escapes. */
static size_t regex_end(const char *text, size_t start)
{
    size_t i = start;
    while (text[i] && text[i] != '/') {
        if (text[i] == '\\' && text[i + 1])
            i++;
        i++;
    }
    return i;
}

/* compile - the regex, case-insensitive by default (UG5 §3.3.15). */
static int compile(struct cfg_spl_rule *r, size_t off, struct cfgv_err *e)
{
    int code;
    PCRE2_SIZE where;
    r->code = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED,
                            PCRE2_CASELESS, &code, &where, NULL);
    if (r->code != NULL) {
        r->match_data = pcre2_match_data_create(1, NULL);
        return 0;
    }
    PCRE2_UCHAR msg[120];
    pcre2_get_error_message(code, msg, sizeof(msg));
    char buf[160];
    snprintf(buf, sizeof(buf), "invalid regular expression: %s", (char *)msg);
    return fail(e, off + where, 1, buf);
}

/* parse_interval_arg - "name=INTERVAL" argument of an action. */
static int parse_interval_arg(const char *arg, size_t off, double *out,
                              struct cfgv_err *e)
{
    struct cfgv_err ve;
    if (cfgv_parse_time(arg, out, CFGV_ALLOW_NEVER, &ve) == 0)
        return 0;
    char buf[sizeof(e->msg)];
    snprintf(buf, sizeof(buf), "invalid interval '%.40s': %.90s", arg, ve.msg);
    return fail(e, off + ve.offset, ve.len, buf);
}

/* apply_action - one comma-separated action; checks its preconditions. */
static int apply_action(struct cfg_spl_rule *r, const char *a, size_t off,
                        struct cfgv_err *e)
{
    size_t len = strlen(a);
    if (strcmp(a, "mode=backoff") == 0 || strcmp(a, "mode=normal") == 0) {
        enum cfg_spl_mode m =
            a[5] == 'b' ? CFG_SPL_MODE_BACKOFF : CFG_SPL_MODE_NORMAL;
        if (r->mode != CFG_SPL_MODE_NONE && r->mode != m)
            return fail(e, off, len,
                        "'mode=backoff' and 'mode=normal' in one rule");
        r->mode = m;
    } else if (strncmp(a, "backoff-to-normal-after=", 24) == 0) {
        if (r->mode != CFG_SPL_MODE_BACKOFF)
            return fail(e, off, len,
                        "'backoff-to-normal-after=' needs 'mode=backoff' "
                        "before it in the same rule");
        if (r->backoff_to_normal_after_s >= 0)
            return fail(e, off, len,
                        "'backoff-to-normal-after=' given twice in one rule");
        return parse_interval_arg(a + 24, off + 24,
                                  &r->backoff_to_normal_after_s, e);
    } else if (strncmp(a, "reenable-after=", 15) == 0) {
        if (!r->disable_source_ip)
            return fail(e, off, len,
                        "'reenable-after=' needs 'disable-source-ip' before "
                        "it in the same rule");
        if (r->reenable_after_s >= 0)
            return fail(e, off, len,
                        "'reenable-after=' given twice in one rule");
        return parse_interval_arg(a + 15, off + 15, &r->reenable_after_s, e);
    } else if (strcmp(a, "skip-mx") == 0) {
        r->skip_mx = 1;
    } else if (strcmp(a, "bounce-queue") == 0) {
        r->bounce_queue = 1;
    } else if (strcmp(a, "bounce-rcpt") == 0) {
        r->bounce_rcpt = 1;
    } else if (strcmp(a, "disable-source-ip") == 0) {
        r->disable_source_ip = 1;
    } else if (strcmp(a, "defer-queue") == 0) {
        r->defer_queue = 1;
    } else if (strncmp(a, "recheck-after", 13) == 0) {
        return fail(e, off, len,
                    "'recheck-after' is not a PowerMTA action; did you mean "
                    "'reenable-after=' or 'backoff-to-normal-after='?");
    } else {
        char buf[160];
        snprintf(buf, sizeof(buf), "unknown action '%.80s'", a);
        return fail(e, off, len, buf);
    }
    return 0;
}

/* parse_actions - "a,b=c,d" with optional blanks after commas. */
static int parse_actions(struct cfg_spl_rule *r, const char *text, size_t off,
                         struct cfgv_err *e)
{
    size_t i = off;
    while (text[i] == ' ' || text[i] == '\t')
        i++;
    if (text[i] == '\0')
        return fail(e, i, 1, "rule has no action");
    while (text[i]) {
        size_t j = i;
        while (text[j] && text[j] != ',' && text[j] != ' ' && text[j] != '\t')
            j++;
        if (j == i)
            return fail(e, i, 1, "empty action");
        char *a = xstrndup(text + i, j - i);
        int rc = apply_action(r, a, i, e);
        free(a);
        if (rc)
            return rc;
        while (text[j] == ' ' || text[j] == '\t')
            j++;
        if (text[j] == ',') {
            j++;
            while (text[j] == ' ' || text[j] == '\t')
                j++;
            if (text[j] == '\0')
                return fail(e, j, 1, "empty action after ','");
        } else if (text[j]) {
            return fail(e, j, 1, "expected ',' between actions");
        }
        i = j;
    }
    return 0;
}

/* check_combination - action pairs UG5 forbids. */
static int check_combination(const struct cfg_spl_rule *r, size_t off,
                             struct cfgv_err *e)
{
    if (r->skip_mx && r->bounce_queue)
        return fail(e, off, 1,
                    "'skip-mx' cannot be combined with "
                    "'bounce-queue'");
    return 0;
}

int cfg_spl_parse_rule(const char *text, struct cfg_spl_rule *r,
                       struct cfgv_err *e)
{
    memset(r, 0, sizeof(*r));
    r->backoff_to_normal_after_s = -1;
    r->reenable_after_s = -1;
    if (text[0] != '/')
        return fail(e, 0, 1, "expected '/REGEX/' after 'reply'");
    size_t end = regex_end(text, 1);
    if (text[end] != '/')
        return fail(e, 0, end, "regular expression has no closing '/'");
    r->regex = xstrndup(text + 1, end - 1);
    if (text[end + 1] && text[end + 1] != ' ' && text[end + 1] != '\t') {
        cfg_spl_rule_release(r);
        return fail(e, end + 1, 1,
                    "flags after the closing '/' are not PowerMTA syntax "
                    "(matching is already case-insensitive)");
    }
    size_t act = end + 1;
    while (text[act] == ' ' || text[act] == '\t')
        act++;
    if (compile(r, 1, e) || parse_actions(r, text, end + 1, e) ||
        check_combination(r, act, e)) {
        cfg_spl_rule_release(r);
        return -1;
    }
    return 0;
}

void cfg_spl_rule_release(struct cfg_spl_rule *r)
{
    free(r->regex);
    pcre2_code_free((pcre2_code *)r->code);
    pcre2_match_data_free((pcre2_match_data *)r->match_data);
    r->regex = NULL;
    r->code = NULL;
    r->match_data = NULL;
}

void cfg_spl_add(struct cfg_spl *l, struct cfg_spl_rule *r)
{
    XGROW(l->rules, l->n, l->cap);
    l->rules[l->n++] = *r;
    memset(r, 0, sizeof(*r));
}

void cfg_spl_release(struct cfg_spl *l)
{
    for (size_t i = 0; i < l->n; i++)
        cfg_spl_rule_release(&l->rules[i]);
    free(l->rules);
    free(l->name);
    memset(l, 0, sizeof(*l));
}

const struct cfg_spl_rule *cfg_spl_match(const struct cfg_spl *l,
                                         const char *text)
{
    if (l == NULL)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct cfg_spl_rule *r = &l->rules[i];
        int rc = pcre2_match(r->code, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED,
                             0, 0, r->match_data, NULL);
        if (rc >= 0)
            return &l->rules[i];
    }
    return NULL;
}

/* add_interval_action - "name=1h" when the interval was given. */
static void add_interval_action(struct strbuf *sb, const char *name, double s)
{
    char t[32];
    if (s < 0)
        return;
    cfgv_format_time(s, t, sizeof(t));
    strbuf_addf(sb, ",%s=%s", name, t);
}

void cfg_spl_format_actions(const struct cfg_spl_rule *r, char *buf, size_t n)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (r->mode == CFG_SPL_MODE_BACKOFF)
        strbuf_adds(&sb, ",mode=backoff");
    add_interval_action(&sb, "backoff-to-normal-after",
                        r->backoff_to_normal_after_s);
    if (r->mode == CFG_SPL_MODE_NORMAL)
        strbuf_adds(&sb, ",mode=normal");
    if (r->skip_mx)
        strbuf_adds(&sb, ",skip-mx");
    if (r->bounce_queue)
        strbuf_adds(&sb, ",bounce-queue");
    if (r->bounce_rcpt)
        strbuf_adds(&sb, ",bounce-rcpt");
    if (r->disable_source_ip)
        strbuf_adds(&sb, ",disable-source-ip");
    add_interval_action(&sb, "reenable-after", r->reenable_after_s);
    if (r->defer_queue)
        strbuf_adds(&sb, ",defer-queue");
    snprintf(buf, n, "%s", sb.len ? sb.buf + 1 : "");
    strbuf_release(&sb);
}
