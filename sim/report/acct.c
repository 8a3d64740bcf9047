/* acct.c - acct.csv as PowerMTA writes its accounting file (docs/reports.md).
 *
 * Times are PowerMTA's iso-times form ("2026-01-01 09:00:01+0000", UTC).
 * dsnStatus is the enhanced status code of the reply ("550 5.1.1 ..." ->
 * "5.1.1 (bad destination mailbox address)"), or the class default
 * ("4.0.0 (undefined status)") when the reply has none. bounceCat follows
 * the order of PowerMTA's stock <bounce-category-patterns>: patterns on
 * the reply text first (spam, virus, content, quota, inactive and bad
 * mailbox, relaying, bad domain, policy, protocol, routing), then the
 * status code (x.1.1 bad-mailbox, x.4.7 message-expired, x.7.1
 * policy-related, ...), else "other". The classification of a reply text
 * is cached by pointer: provider reply texts are stable. Columns the
 * simulator cannot know (orig, orcpt, envId, dlvEsmtpAvailable) stay
 * empty; dlvDestinationIp is the MX address the connection used when the
 * provider model lists the MX hosts' addresses. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "provider/provider.h"
#include "report/obs_int.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The text patterns, in PowerMTA's default order (case-insensitive). */
static const struct {
    const char *re, *cat;
} text_rules[] = {
#define WHO                                                                    \
    "(user|mailbox|recipient|rcpt|local part|address|account|mail drop|"       \
    "addr?essee)"
    { "spam|junk mail|blacklist|blocked|\\bu\\.?c\\.?e\\.?\\b|unsolicited|"
      "\\b(open)?rbl\\b|realtime blackhole",
      "spam-related" },
    { "\\bvirus\\b", "virus-related" },
    { "message +content|content +rejected", "content-related" },
    { "quota|limit exceeded|mailbox +(is +)?full|\\bstorage\\b",
      "quota-issues" },
    { WHO " (has|has been|is)? *(currently|temporarily +)?(disabled|expired|"
          "inactive|not activated)",
      "inactive-mailbox" },
    { "(no such|bad|invalid|unknown|illegal|unavailable) (local +)?" WHO "|" WHO
      " +(\\S+@\\S+ +)?(not (a +)?valid|not known|not here|not found|does not "
      "exist|bad|invalid|unknown|illegal|unavailable)|no longer (valid|"
      "available)",
      "bad-mailbox" },
    { "\\brelay(ing)?", "relaying-issues" },
    { "domain (retired|bad|invalid|unknown|illegal|unavailable)|domain no "
      "longer in use",
      "bad-domain" },
    { "denied|prohibit|rejected|refused|allowed|banned|policy|suspicious "
      "activity",
      "policy-related" },
    { "bad sequence|syntax error", "protocol-errors" },
    { "\\broute\\b|\\bunroutable\\b|\\bunrouteable\\b", "routing-errors" },
#undef WHO
};
enum { N_TEXT_RULES = sizeof(text_rules) / sizeof(text_rules[0]) };

/* Status-code categories ("subject.detail" after the class digit). */
static const struct {
    const char *code, *cat;
} status_rules[] = {
    { "1.1", "bad-mailbox" },       { "1.2", "bad-domain" },
    { "3.5", "bad-configuration" }, { "4.1", "no-answer-from-host" },
    { "4.2", "bad-connection" },    { "4.4", "routing-errors" },
    { "4.6", "routing-errors" },    { "4.7", "message-expired" },
    { "7.1", "policy-related" },
};

/* RFC 3463 titles (lower case, as PowerMTA prints them). */
static const struct {
    const char *code, *text;
} status_texts[] = {
    { "0.0", "undefined status" },
    { "1.0", "other address status" },
    { "1.1", "bad destination mailbox address" },
    { "1.2", "bad destination system: no such domain" },
    { "1.3", "bad destination mailbox address syntax" },
    { "2.0", "other or undefined mailbox status" },
    { "2.1", "mailbox disabled, not accepting messages" },
    { "2.2", "mailbox full" },
    { "3.0", "other or undefined mail system status" },
    { "3.1", "mail system full" },
    { "3.2", "system not accepting network messages" },
    { "4.0", "other or undefined network or routing status" },
    { "4.1", "no answer from host" },
    { "4.2", "bad connection" },
    { "4.7", "delivery time expired" },
    { "5.0", "other or undefined protocol status" },
    { "7.0", "other or undefined security status" },
    { "7.1", "delivery not authorized, message refused" },
    { "7.2", "mailing list expansion prohibited" },
};
static const char *const subject_texts[8] = {
    "other or undefined status",
    "other address status",
    "other or undefined mailbox status",
    "other or undefined mail system status",
    "other or undefined network or routing status",
    "other or undefined protocol status",
    "other or undefined media error",
    "other or undefined security status",
};

struct acct_class {
    const char *reply; /* the cache key */
    char status[24];   /* "5.1.1" */
    char status_text[80];
    const char *cat;
};

struct obs_acct_state {
    pcre2_code *re[N_TEXT_RULES];
    pcre2_match_data *md;
    struct acct_class *cache;
    size_t n_cache, cap_cache;
};

/* enhanced_code - the "c.s.d" code at p (class 2, 4 or 5), its length, or 0. */
static size_t enhanced_code(const char *p)
{
    const char *s = p;
    if (*s != '2' && *s != '4' && *s != '5')
        return 0;
    s++;
    for (int part = 0; part < 2; part++) {
        if (*s++ != '.' || !isdigit((unsigned char)*s))
            return 0;
        for (int n = 0; isdigit((unsigned char)*s) && n < 3; n++)
            s++;
    }
    return isdigit((unsigned char)*s) ? 0 : (size_t)(s - p);
}

/* reply_status - the enhanced code of reply: after the 3-digit code
 * ("550 5.1.1 ..."), or leading ("4.4.7 message expired"), else the class
 * default "C.0.0". */
static void reply_status(const char *reply, char *buf, size_t n)
{
    const char *p = reply;
    size_t len = enhanced_code(p);
    if (len == 0 && isdigit((unsigned char)p[0]) &&
        isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
        (p[3] == ' ' || p[3] == '-')) {
        p += 4;
        len = enhanced_code(p);
    }
    if (len > 0 && len < n && p[0] == reply[0]) {
        memcpy(buf, p, len);
        buf[len] = '\0';
        return;
    }
    snprintf(buf, n, "%c.0.0",
             reply[0] == '2' || reply[0] == '5' ? reply[0] : '4');
}

/* status_tail - "s.d" of "c.s.d". */
static const char *status_tail(const char *status)
{
    return status + 2;
}

static void status_text(const char *status, char *buf, size_t n)
{
    const char *tail = status_tail(status);
    for (size_t i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++)
        if (strcmp(tail, status_texts[i].code) == 0) {
            snprintf(buf, n, "%s", status_texts[i].text);
            return;
        }
    int subject = tail[0] - '0';
    snprintf(buf, n, "%s",
             subject >= 0 && subject < 8 ? subject_texts[subject]
                                         : "undefined status");
}

static struct obs_acct_state *acct_state(struct obs *ob)
{
    if (ob->acct_state)
        return ob->acct_state;
    struct obs_acct_state *st = xcalloc(1, sizeof(*st));
    for (size_t i = 0; i < N_TEXT_RULES; i++) {
        int err;
        PCRE2_SIZE off;
        st->re[i] =
            pcre2_compile((PCRE2_SPTR)text_rules[i].re, PCRE2_ZERO_TERMINATED,
                          PCRE2_CASELESS, &err, &off, NULL);
    }
    st->md = pcre2_match_data_create(1, NULL);
    ob->acct_state = st;
    return st;
}

void obs_acct_free(struct obs *ob)
{
    struct obs_acct_state *st = ob->acct_state;
    if (st == NULL)
        return;
    for (size_t i = 0; i < N_TEXT_RULES; i++)
        pcre2_code_free(st->re[i]);
    pcre2_match_data_free(st->md);
    free(st->cache);
    free(st);
    ob->acct_state = NULL;
}

/* bounce_cat - PowerMTA's category of a reply with status code status. */
static const char *bounce_cat(struct obs_acct_state *st, const char *reply,
                              const char *status)
{
    for (size_t i = 0; i < N_TEXT_RULES; i++)
        if (st->re[i] &&
            pcre2_match(st->re[i], (PCRE2_SPTR)reply, PCRE2_ZERO_TERMINATED, 0,
                        0, st->md, NULL) >= 0)
            return text_rules[i].cat;
    for (size_t i = 0; i < sizeof(status_rules) / sizeof(status_rules[0]); i++)
        if (strcmp(status_tail(status), status_rules[i].code) == 0)
            return status_rules[i].cat;
    return "other";
}

/* classify - the status and category of a reply text (cached). */
static const struct acct_class *classify(struct obs *ob, const char *reply)
{
    struct obs_acct_state *st = acct_state(ob);
    for (size_t i = 0; i < st->n_cache; i++)
        if (st->cache[i].reply == reply)
            return &st->cache[i];
    XGROW(st->cache, st->n_cache, st->cap_cache);
    struct acct_class *c = &st->cache[st->n_cache++];
    c->reply = reply;
    reply_status(reply, c->status, sizeof(c->status));
    status_text(c->status, c->status_text, sizeof(c->status_text));
    c->cat = bounce_cat(st, reply, c->status);
    return c;
}

int obs_acct_classify(struct obs *ob, const char *reply, char *status, size_t n,
                      const char **cat)
{
    const struct acct_class *c = classify(ob, reply);
    snprintf(status, n, "%s (%s)", c->status, c->status_text);
    *cat = c->cat;
    return 0;
}

/* acct_time - PowerMTA's iso-times form, in UTC. */
static void acct_time(const struct obs *ob, int64_t t_us, char *buf, size_t n)
{
    time_t t = (time_t)(ob->opt.start_unix + t_us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S+0000", &tm);
}

static void field(FILE *fp, const char *s)
{
    fputc(',', fp);
    obs_csv_field(fp, s);
}

/* dsn_mta - the receiving MX: the first of the model's MX hosts for the
 * domain (no address is known: PowerMTA's "host (ip)" loses its "(ip)"). */
static void dsn_mta(const struct obs *ob, const struct obs_acct *a, char *buf,
                    size_t n)
{
    const char *mx[1];
    char made[300];
    buf[0] = '\0';
    if (ob->world == NULL || a->prov < 0 || a->domain == NULL ||
        a->source_ip == NULL)
        return;
    if (prov_world_mx(ob->world, a->prov, a->domain, mx, 1, made,
                      sizeof(made)) > 0)
        snprintf(buf, n, "%s", mx[0]);
}

static const char *dsn_action(char type)
{
    return type == 'd' ? "relayed" : type == 'b' ? "failed" : "delayed";
}

void obs_acct(struct obs *ob, const struct obs_acct *a)
{
    if (ob->acct == NULL)
        return;
    FILE *fp = ob->acct;
    char tl[32], tq[32], status[120] = "", diag[600] = "", mta[300];
    const char *cat = "";
    int r = strcmp(a->type, "r") == 0, d = a->type[0] == 'd';
    acct_time(ob, a->logged_us, tl, sizeof(tl));
    acct_time(ob, a->queued_us, tq, sizeof(tq));
    if (d)
        snprintf(status, sizeof(status), "2.0.0 (success)");
    else if (!r && a->reply)
        obs_acct_classify(ob, a->reply, status, sizeof(status), &cat);
    if (a->reply && !d)
        snprintf(diag, sizeof(diag), "%s;%s",
                 a->diag_type ? a->diag_type
                 : isdigit((unsigned char)a->reply[0]) && a->reply[1] != '.'
                     ? "smtp"
                     : "x-pmta",
                 a->reply);
    dsn_mta(ob, a, mta, sizeof(mta));
    fprintf(fp, "%s,%s,%s,,", a->type, tl, tq); /* orig unknown */
    obs_csv_field(fp, a->rcpt);
    fputc(',', fp); /* orcpt */
    field(fp, r ? "" : dsn_action(a->type[0]));
    field(fp, status);
    field(fp, diag);
    field(fp, mta);
    field(fp, cat);
    field(fp, "smtp");
    field(fp, a->src_mta);
    field(fp, r ? "" : "smtp");
    field(fp, a->source_ip);
    field(fp, a->dest_ip ? a->dest_ip : "");
    fputc(',', fp); /* dlvEsmtpAvailable */
    if (a->size || a->rcpt)
        fprintf(fp, ",%u", a->size);
    else
        fputc(',', fp);
    field(fp, a->vmta);
    const char *job = a->stream;
    if (job == NULL && a->stream_ix >= 0 &&
        (size_t)a->stream_ix < ob->n_streams)
        job = ob->streams[a->stream_ix].name;
    field(fp, job);
    fputc(',', fp); /* envId */
    field(fp, a->queue);
    field(fp, a->pool);
    fputs(ob->opt.acct_crlf ? "\r\n" : "\n", fp);
}
