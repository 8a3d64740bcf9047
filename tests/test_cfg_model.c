/* test_cfg_model.c - resolution of the config model: domain precedence and
 * layering, macros, queue-to and rollups, includes, defaults, injection
 * routing, the dialect mapping's meaning, and diagnostics locations. */
#include "config/cfg_model.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct diag_list dl;

static struct cfg_model *load_opts(const char *text, int strict, int layer)
{
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    o.strict = strict;
    o.vmta_layer_first = layer;
    diag_list_release(&dl);
    diag_list_init(&dl, 50);
    return cfg_load_buffer("t.conf", text, strlen(text), &o, &dl);
}

static struct cfg_model *load(const char *text)
{
    return load_opts(text, 0, 1);
}

/* value - the formatted value of directive qid for domain through vmta. */
static const char *value(const struct cfg_model *m, const char *domain,
                         const char *vmta, enum cfg_qid qid)
{
    static char buf[256];
    struct cfg_qsettings s;
    int v = vmta ? cfg_model_vmta_find(m, vmta) : 0;
    if (v < 0)
        return "(no such vmta)";
    cfg_model_queue_settings(m, domain, v, &s);
    snprintf(buf, sizeof(buf), "%s", s.v[qid].set ? s.v[qid].str : "(none)");
    return buf;
}

static int origin_line(const struct cfg_model *m, const char *domain,
                       enum cfg_qid qid)
{
    struct cfg_qsettings s;
    cfg_model_queue_settings(m, domain, 0, &s);
    return s.origin[qid].file ? s.origin[qid].line : 0;
}

/* UG5 §3.3.10's example, extended: * < [*.]d < *.d < d, longest suffix. */
static void test_precedence(void)
{
    struct cfg_model *m = load("<domain *>\n max-smtp-out 1\n</domain>\n"
                               "<domain [*.]port25.com>\n max-smtp-out 2\n"
                               " bounce-after 4d\n</domain>\n"
                               "<domain *.port25.com>\n max-smtp-out 3\n"
                               "</domain>\n"
                               "<domain discard.port25.com>\n"
                               " max-smtp-out 4\n bounce-after 1h\n</domain>\n"
                               "<domain *.b.port25.com>\n max-smtp-out 5\n"
                               "</domain>\n");
    CHECK_INT(dl.n_errors, 0);
    const struct {
        const char *domain, *out, *bounce;
    } cases[] = {
        { "example.org", "1", "4d12h" },     { "port25.com", "2", "4d" },
        { "x.port25.com", "3", "4d" },       { "PORT25.COM", "2", "4d" },
        { "discard.port25.com", "4", "1h" }, { "a.b.port25.com", "5", "4d" },
        { "b.port25.com", "3", "4d" },       { "notport25.com", "1", "4d12h" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_STR(value(m, cases[i].domain, NULL, CFG_Q_MAX_SMTP_OUT),
                  cases[i].out);
        CHECK_STR(value(m, cases[i].domain, NULL, CFG_Q_BOUNCE_AFTER),
                  cases[i].bounce);
    }
    CHECK_INT(origin_line(m, "x.port25.com", CFG_Q_BOUNCE_AFTER), 6);
    CHECK_INT(origin_line(m, "example.org", CFG_Q_BOUNCE_AFTER), 0);
    cfg_model_free(m);
}

/* UG5 §3.3.10: an explicit domain beats a macro expansion; macros nest and
 * expand partially. */
static void test_macros(void)
{
    struct cfg_model *m = load("domain-macro com com, de\n"
                               "domain-macro tld $com, net\n"
                               "<domain aol.$com>\n max-smtp-out 50\n"
                               "</domain>\n"
                               "<domain aol.com>\n max-smtp-out 100\n"
                               "</domain>\n"
                               "<domain yahoo.$tld>\n max-msg-rate 10/m\n"
                               "</domain>\n");
    CHECK_INT(dl.n_errors, 0);
    CHECK_STR(value(m, "aol.com", NULL, CFG_Q_MAX_SMTP_OUT), "100");
    CHECK_STR(value(m, "aol.de", NULL, CFG_Q_MAX_SMTP_OUT), "50");
    CHECK_STR(value(m, "yahoo.net", NULL, CFG_Q_MAX_MSG_RATE), "10/m");
    CHECK_STR(value(m, "yahoo.de", NULL, CFG_Q_MAX_MSG_RATE), "10/m");
    CHECK_STR(value(m, "yahoo.org", NULL, CFG_Q_MAX_MSG_RATE), "unlimited");
    cfg_model_free(m);
    /* A loop is reported once per macro in it, at its definition; the
     * block using it adds no error of its own. */
    m = load("domain-macro a $b\ndomain-macro b $a\n<domain $a>\n</domain>\n");
    CHECK_INT(dl.n_errors, 2);
    CHECK(dl.n && strstr(dl.items[0].message, "loop") != NULL, "got '%s'",
          dl.n ? dl.items[0].message : "");
    CHECK_INT(dl.n ? dl.items[0].line : 0, 1);
    CHECK_INT(dl.n > 1 ? dl.items[1].line : 0, 2);
    cfg_model_free(m);
    m = load("<domain $nope>\n</domain>\n");
    CHECK_INT(dl.n_errors, 1);
    cfg_model_free(m);
}

/* UG5 §3.3.13.2: VMTA <domain> -> pool <domain> -> global -> defaults. */
static const char layered[] =
    "<domain *>\n max-smtp-out 10\n retry-after 20m\n</domain>\n"
    "<domain gmail.com>\n max-smtp-out 11\n queue-priority 60\n</domain>\n"
    "<virtual-mta v1>\n smtp-source-host 192.0.2.1 a.example\n"
    " <domain *>\n  max-smtp-out 2\n </domain>\n</virtual-mta>\n"
    "<virtual-mta v2>\n</virtual-mta>\n"
    "<virtual-mta-pool p>\n virtual-mta v2\n"
    " <domain gmail.com>\n  max-smtp-out 3\n </domain>\n"
    "</virtual-mta-pool>\n";

static void test_layers(void)
{
    struct cfg_model *m = load(layered);
    CHECK_INT(dl.n_errors, 0);
    CHECK_STR(value(m, "gmail.com", "v1", CFG_Q_MAX_SMTP_OUT), "2");
    CHECK_STR(value(m, "gmail.com", "v1", CFG_Q_QUEUE_PRIORITY), "60");
    CHECK_STR(value(m, "gmail.com", "v1", CFG_Q_RETRY_AFTER), "20m");
    CHECK_STR(value(m, "gmail.com", "v2", CFG_Q_MAX_SMTP_OUT), "3");
    CHECK_STR(value(m, "yahoo.com", "v2", CFG_Q_MAX_SMTP_OUT), "10");
    CHECK_STR(value(m, "gmail.com", "{default}", CFG_Q_MAX_SMTP_OUT), "11");
    CHECK_STR(value(m, "gmail.com", NULL, CFG_Q_BOUNCE_AFTER), "4d12h");
    cfg_model_free(m);
    m = load_opts(layered, 0, 0); /* --domain-precedence=specificity */
    CHECK_STR(value(m, "gmail.com", "v1", CFG_Q_MAX_SMTP_OUT), "11");
    CHECK_STR(value(m, "yahoo.com", "v1", CFG_Q_MAX_SMTP_OUT), "2");
    cfg_model_free(m);
}

static void test_vmtas_pools(void)
{
    struct cfg_model *m =
        load("smtp-source-host 198.51.100.7 g.example\n"
             "<virtual-mta a>\n smtp-source-host 192.0.2.0/30 a.example\n"
             " max-smtp-out 40\n max-smtp-msg-rate 100/m\n"
             " cold-virtual-mta a-cold\n</virtual-mta>\n"
             "<virtual-mta a-cold>\n</virtual-mta>\n"
             "<virtual-mta-pool p>\n virtual-mta a\n virtual-mta a-cold\n"
             "</virtual-mta-pool>\n");
    CHECK_INT(dl.n_errors, 0);
    CHECK_INT(cfg_model_vmta_count(m), 3);
    const struct cfg_vmta *a = cfg_model_vmta(m, 1);
    CHECK_STR(a->name, "a");
    CHECK_INT(a->n_ips, 4);
    CHECK_INT(a->ips_inherited, 0);
    CHECK_NEAR(a->max_smtp_out, 40, 0);
    CHECK_NEAR(a->max_msg_rate.count / a->max_msg_rate.window_s, 100.0 / 60,
               1e-12);
    CHECK_INT(a->n_cold, 1);
    CHECK_INT(a->n_cold ? a->cold[0] : -1, 2);
    const struct cfg_vmta *cold = cfg_model_vmta(m, 2);
    CHECK_INT(cold->n_ips, 1);
    CHECK_INT(cold->ips_inherited, 1);
    CHECK_STR(cold->ips[0].host_name, "g.example");
    const struct cfg_vmta *def = cfg_model_vmta(m, 0);
    CHECK_STR(def->name, "{default}");
    CHECK_INT(def->n_ips, 1);
    const struct cfg_pool *p = cfg_model_pool(m, 0);
    CHECK_INT(p->n_members, 2);
    CHECK_INT(p->members[0], 1);
    CHECK_INT(p->members[1], 2);
    cfg_model_free(m);
    m = load("<virtual-mta x>\n</virtual-mta>\n"
             "<virtual-mta-pool p1>\n virtual-mta x\n <domain *>\n </domain>\n"
             "</virtual-mta-pool>\n"
             "<virtual-mta-pool p2>\n virtual-mta x\n <domain *>\n </domain>\n"
             "</virtual-mta-pool>\n");
    CHECK_INT(dl.n_errors, 1);
    CHECK_INT(dl.n ? dl.items[0].line : 0, 9);
    cfg_model_free(m);
    m = load("<virtual-mta-pool p>\n virtual-mta ghost\n</virtual-mta-pool>\n");
    CHECK_INT(dl.n_errors, 1);
    CHECK_STR(dl.n ? dl.items[0].message : "",
              "unknown pool member virtual-mta 'ghost'");
    cfg_model_free(m);
}

/* queue-to before rollup; rollup on the most-preferred MX (UNVERIFIED). */
static void test_queue_domain(void)
{
    struct cfg_model *m =
        load("domain-macro hotmail hotmail.com, outlook.com\n"
             "<domain $hotmail>\n queue-to hotmail.queue\n</domain>\n"
             "<domain hotmail.queue>\n max-smtp-out 7\n</domain>\n"
             "<domain legacy.outlook.com>\n queue-to \"\"\n</domain>\n"
             "<mx-rollup-list>\n mx *.l.google.com google.rollup\n"
             "</mx-rollup-list>\n"
             "<domain optout.example>\n disable-mx-rollup yes\n</domain>\n");
    CHECK_INT(dl.n_errors, 0);
    char buf[128];
    const char *g[] = { "alt1.gmail-smtp-in.l.google.com" };
    const char *o[] = { "mx.example.net", "alt1.gmail-smtp-in.l.google.com" };
    CHECK_STR(cfg_model_queue_domain(m, "Outlook.com", 0, NULL, 0, buf, 128),
              "hotmail.queue");
    CHECK_STR(cfg_model_queue_domain(m, "example.org", 0, g, 1, buf, 128),
              "google.rollup");
    CHECK_STR(cfg_model_queue_domain(m, "example.org", 0, o, 2, buf, 128),
              "example.org");
    CHECK_STR(cfg_model_queue_domain(m, "optout.example", 0, g, 1, buf, 128),
              "optout.example");
    CHECK_STR(cfg_model_queue_domain(m, "hotmail.com", 0, g, 1, buf, 128),
              "hotmail.queue");
    CHECK_STR(value(m, "hotmail.queue", NULL, CFG_Q_MAX_SMTP_OUT), "7");
    cfg_model_free(m);
}

static void test_defaults(void)
{
    struct cfg_model *m = load("<domain a.example>\n max-smtp-out 2\n"
                               " max-msg-rate 100/15m\n</domain>\n"
                               "<domain b.example>\n max-smtp-out 50\n"
                               " backoff-max-msg-rate 0\n</domain>\n");
    CHECK_INT(dl.n_errors, 0);
    CHECK_INT(dl.n_warnings, 1); /* the zero rate */
    /* UG5 §3.3.10.76: backoff-max-smtp-out defaults to 20, whatever
     * max-smtp-out is (issue 15 point 7). */
    CHECK_STR(value(m, "a.example", NULL, CFG_Q_BACKOFF_MAX_SMTP_OUT), "20");
    CHECK_STR(value(m, "a.example", NULL, CFG_Q_BACKOFF_MAX_MSG_RATE),
              "100/15m");
    CHECK_STR(value(m, "b.example", NULL, CFG_Q_BACKOFF_MAX_SMTP_OUT), "20");
    /* RATE is "unlimited | 0 | N/unit" (UG5 §3.3.10.33): 0 is its own
     * value, a pause, not "unlimited" (issue 15 point 8). */
    CHECK_STR(value(m, "b.example", NULL, CFG_Q_BACKOFF_MAX_MSG_RATE), "0");
    const struct {
        enum cfg_qid q;
        const char *v;
    } d[] = {
        { CFG_Q_MAX_SMTP_OUT, "20" },
        { CFG_Q_RETRY_AFTER, "10m" },
        { CFG_Q_BACKOFF_RETRY_AFTER, "1h" },
        { CFG_Q_BOUNCE_AFTER, "4d12h" },
        { CFG_Q_RETRY_RECIPIENTS_AFTER, "10m" },
        { CFG_Q_MAX_MSG_PER_CONNECTION, "0" },
        { CFG_Q_MAX_RCPT_PER_MESSAGE, "1000" },
        { CFG_Q_BACKOFF_TO_NORMAL_AFTER, "never" },
        { CFG_Q_QUEUE_PRIORITY, "50" },
        { CFG_Q_CONNECT_TIMEOUT, "2m" },
        { CFG_Q_MAX_MSG_RATE, "unlimited" },
        { CFG_Q_QUEUE_TO, "(none)" },
        { CFG_Q_BOUNCE_UPON_5XX_GREETING, "yes" },
    };
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        CHECK_STR(value(m, "other.example", NULL, d[i].q), d[i].v);
    cfg_model_free(m);
}

static void test_injection(void)
{
    struct cfg_model *m = load(
        "<virtual-mta a>\n</virtual-mta>\n<virtual-mta b>\n</virtual-mta>\n"
        "<virtual-mta-pool p>\n virtual-mta a\n virtual-mta b\n"
        "</virtual-mta-pool>\n"
        "<pattern-list route>\n rcpt-to /@gmail\\.com$/ virtual-mta=b\n"
        "</pattern-list>\n"
        "<source 0/0>\n default-virtual-mta p\n</source>\n"
        "<source 127.0.0.1>\n default-virtual-mta a\n pattern-list route\n"
        "</source>\n");
    CHECK_INT(dl.n_errors, 0);
    int v, p;
    cfg_model_injection_vmta(m, "127.0.0.1", "x@gmail.com", &v, &p);
    CHECK_INT(v, 2);
    CHECK_INT(p, -1);
    cfg_model_injection_vmta(m, "127.0.0.1", "x@yahoo.com", &v, &p);
    CHECK_INT(v, 1);
    cfg_model_injection_vmta(m, "203.0.113.9", "x@yahoo.com", &v, &p);
    CHECK_INT(v, -1);
    CHECK_INT(p, 0);
    cfg_model_free(m);
    m = load("# nothing\n");
    cfg_model_injection_vmta(m, "127.0.0.1", "x@y.z", &v, &p);
    CHECK_INT(v, 0);
    CHECK_INT(p, -1);
    cfg_model_free(m);
}

/* write_file - a file under dir for the include tests. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL, "cannot write %s", path);
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static struct cfg_model *load_file(const char *dir, const char *name)
{
    char path[512];
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    diag_list_release(&dl);
    diag_list_init(&dl, 50);
    return cfg_load(path, &o, &dl);
}

static void test_includes(void)
{
    char dir[] = "/tmp/mtasim-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    write_file(dir, "main.conf",
               "include part-*.conf\n<domain x.example>\n"
               " include inner.inc\n</domain>\n");
    write_file(dir, "part-1.conf", "<domain *>\n max-smtp-out 9\n</domain>\n");
    write_file(dir, "part-2.conf", "total-max-smtp-out 300\n");
    write_file(dir, "inner.inc", "max-smtp-out 3\n");
    struct cfg_model *m = load_file(dir, "main.conf");
    CHECK_INT(dl.n_errors, 0);
    CHECK_STR(value(m, "y.example", NULL, CFG_Q_MAX_SMTP_OUT), "9");
    CHECK_STR(value(m, "x.example", NULL, CFG_Q_MAX_SMTP_OUT), "3");
    CHECK_NEAR(cfg_model_total_max_smtp_out(m), 300, 0);
    cfg_model_free(m);
    write_file(dir, "loop-a.conf", "include loop-b.conf\n");
    write_file(dir, "loop-b.conf", "include loop-a.conf\n");
    m = load_file(dir, "loop-a.conf");
    CHECK_INT(dl.n_errors, 1);
    CHECK(dl.n && strstr(dl.items[0].message, "include cycle"), "got '%s'",
          dl.n ? dl.items[0].message : "");
    cfg_model_free(m);
    write_file(dir, "open.inc", "<domain z.example>\n");
    write_file(dir, "bad.conf", "include open.inc\n</domain>\n");
    m = load_file(dir, "bad.conf");
    CHECK_INT(dl.n_errors, 2);
    cfg_model_free(m);
    m = load_file(dir, "missing.conf");
    CHECK(m == NULL, "a missing main file gives no model");
    CHECK_INT(dl.n_errors, 1);
    const char *names[] = { "main.conf", "part-1.conf", "part-2.conf",
                            "inner.inc", "loop-a.conf", "loop-b.conf",
                            "open.inc",  "bad.conf" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The blog dialect means what its real equivalent means. */
static void test_dialect_meaning(void)
{
    struct cfg_model *m = load("<domain hotmail.com>\nmax-msg-per-hour 5000\n"
                               "retry-interval 30m\nmax-retry-time 4d\n"
                               "421 RP-001 *, 1h, 5, 1000\n</domain>\n");
    CHECK_INT(dl.n_errors, 0);
    CHECK_INT(dl.n_warnings, 4);
    CHECK_STR(value(m, "hotmail.com", NULL, CFG_Q_MAX_MSG_RATE), "5000/h");
    CHECK_STR(value(m, "hotmail.com", NULL, CFG_Q_RETRY_AFTER), "30m");
    CHECK_STR(value(m, "hotmail.com", NULL, CFG_Q_BOUNCE_AFTER), "4d");
    CHECK_STR(value(m, "hotmail.com", NULL, CFG_Q_BACKOFF_MAX_SMTP_OUT), "5");
    CHECK_STR(value(m, "hotmail.com", NULL, CFG_Q_BACKOFF_MAX_MSG_RATE),
              "1000/h");
    const struct cfg_spl *l = cfg_model_spl(
        m, value(m, "hotmail.com", NULL, CFG_Q_SMTP_PATTERN_LIST));
    CHECK(l != NULL, "synthesized list exists");
    const struct cfg_spl_rule *r =
        l ? cfg_spl_match(l, "421 RP-001 (BAY004-MC1F30) Unfortunately") : NULL;
    CHECK(r && r->mode == CFG_SPL_MODE_BACKOFF, "RP-001 backs off");
    CHECK(r && r->backoff_to_normal_after_s == 3600, "for an hour");
    cfg_model_free(m);
    /* Deprecated but documented: PowerMTA reads it, so --strict warns. */
    m = load_opts("<domain x>\nmax-msg-per-hour 5000\n</domain>\n", 1, 1);
    CHECK_INT(dl.n_errors, 0);
    CHECK_INT(dl.n_warnings, 1);
    CHECK_INT(dl.n ? dl.items[0].line : 0, 2);
    CHECK_STR(value(m, "x", NULL, CFG_Q_MAX_MSG_RATE), "5000/h");
    cfg_model_free(m);
}

/* Diagnostics carry file:line:col and the open block. */
static void test_locations(void)
{
    struct cfg_model *m =
        load("<domain gmail.com>\n  max-msg-rate 10/fortnight\n"
             "  max-smtp-outt 3\n</domain>\n</domain>\n"
             "<domain y>\n");
    CHECK_INT(dl.n_errors, 3);
    CHECK_INT(dl.n_warnings, 1); /* the unknown name, ignored */
    if (dl.n >= 4) {
        CHECK_INT(dl.items[0].line, 2);
        CHECK_INT(dl.items[0].col, 19);
        CHECK_STR(dl.items[0].context,
                  "in <domain gmail.com> opened at line 1");
        CHECK_STR(dl.items[1].message, "unknown directive 'max-smtp-outt' in "
                                       "<domain>; did you mean "
                                       "'max-smtp-out'? (line ignored)");
        CHECK_STR(dl.items[2].message,
                  "'</domain>' without a matching '<domain>'");
        CHECK_STR(dl.items[3].message, "unexpected end of file, expecting "
                                       "'</domain>' (block opened at line 6)");
    }
    cfg_model_free(m);
}

int main(void)
{
    diag_list_init(&dl, 50);
    test_precedence();
    test_macros();
    test_layers();
    test_vmtas_pools();
    test_queue_domain();
    test_defaults();
    test_injection();
    test_includes();
    test_dialect_meaning();
    test_locations();
    diag_list_release(&dl);
    return test_done();
}
