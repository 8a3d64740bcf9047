/* test_cfg_lex.c - line classification: comments, quotes, tags, dialect. */
#include "config/cfg_lex.h"
#include "test.h"

#include <string.h>

struct lex_case {
    const char *line;
    enum cfg_tok kind;
    const char *name;  /* expected name span, or NULL to skip */
    const char *value; /* expected value span (raw), or NULL to skip */
    int quoted;
};

static const struct lex_case cases[] = {
    { "", CFG_TOK_BLANK, NULL, NULL, 0 },
    { "   \t  ", CFG_TOK_BLANK, NULL, NULL, 0 },
    { "# just a comment", CFG_TOK_BLANK, NULL, NULL, 0 },
    { "max-smtp-out 20", CFG_TOK_DIRECTIVE, "max-smtp-out", "20", 0 },
    { "  max-smtp-out\t20   # per domain", CFG_TOK_DIRECTIVE, "max-smtp-out",
      "20", 0 },
    { "max-smtp-out 20\r", CFG_TOK_DIRECTIVE, "max-smtp-out", "20", 0 },
    { "http-access #YOUR_IP admin", CFG_TOK_DIRECTIVE, "http-access", "", 0 },
    { "backoff-notify \"\"", CFG_TOK_DIRECTIVE, "backoff-notify", "", 1 },
    { "queue-to \"hotmail.queue\" # q", CFG_TOK_DIRECTIVE, "queue-to",
      "hotmail.queue", 1 },
    { "domain-macro tld com, net, org", CFG_TOK_DIRECTIVE, "domain-macro",
      "tld com, net, org", 0 },
    { "reply /^421 .*RP-001/ mode=backoff", CFG_TOK_DIRECTIVE, "reply",
      "/^421 .*RP-001/ mode=backoff", 0 },
    { "<domain gmail.com>", CFG_TOK_OPEN, "domain", "gmail.com", 0 },
    { "  <domain  *  >  # all", CFG_TOK_OPEN, "domain", "*", 0 },
    { "<mx-rollup-list>", CFG_TOK_OPEN, "mx-rollup-list", "", 0 },
    { "<acct-file |/usr/bin/x --y>", CFG_TOK_OPEN, "acct-file",
      "|/usr/bin/x --y", 0 },
    { "</domain>", CFG_TOK_CLOSE, "domain", NULL, 0 },
    { "\t</virtual-mta>  # end", CFG_TOK_CLOSE, "virtual-mta", NULL, 0 },
    { "<max-cpu-usage>90</max-cpu-usage>", CFG_TOK_XML_ONELINE, "max-cpu-usage",
      "90", 0 },
    { "<!-- Catch-all for smaller domains -->", CFG_TOK_HTML_COMMENT, NULL,
      NULL, 0 },
    { "<!-- # not a comment start -->", CFG_TOK_HTML_COMMENT, NULL, NULL, 0 },
    { "<!-- runs on", CFG_TOK_HTML_OPEN, NULL, NULL, 0 },
    { "421 RP-001 *, 1h, 5, 1000 # back off", CFG_TOK_RULE, NULL,
      "421 RP-001 *, 1h, 5, 1000", 0 },
    { "421 4.3.2 *, 45m, 2, 500", CFG_TOK_RULE, NULL, NULL, 0 },
    { "250 ok", CFG_TOK_DIRECTIVE, "250", "ok", 0 },
    { "x \"unterminated", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "x \"a\" b", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "x \"a#b\"", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "<domain x", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "</domain", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "</domain> x", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "<domain x> y", CFG_TOK_ERROR, NULL, NULL, 0 },
    { "<a>1</b>", CFG_TOK_ERROR, NULL, NULL, 0 },
};

static void span_is(const char *line, struct cfg_span s, const char *want)
{
    char got[256];
    snprintf(got, sizeof(got), "%.*s", (int)s.len, line + s.off);
    CHECK(strcmp(got, want) == 0, "line '%s': got '%s', want '%s'", line, got,
          want);
}

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct lex_case *c = &cases[i];
        struct cfg_tokline t;
        cfg_lex_line(c->line, &t);
        CHECK(t.kind == c->kind, "line '%s': kind %d, want %d", c->line,
              (int)t.kind, (int)c->kind);
        if (t.kind != c->kind)
            continue;
        if (c->name)
            span_is(c->line, t.name, c->name);
        if (c->value)
            span_is(c->line, t.value, c->value);
        CHECK_INT(t.quoted, c->quoted);
    }
}

static void test_offsets(void)
{
    struct cfg_tokline t;
    const char *l = "   bounce-after 4x  # oops";
    cfg_lex_line(l, &t);
    CHECK_INT(t.name.off, 3);
    CHECK_INT(t.value.off, 16);
    CHECK_INT(t.comment, 20);
    cfg_lex_line("x \"unterminated", &t);
    CHECK_INT(t.error_off, 2);
    cfg_lex_line("</domain> x", &t);
    CHECK_INT(t.error_off, 9);
}

static void test_unquote(void)
{
    const char *l = "password \"a\\\"b\\\\c\"";
    struct cfg_tokline t;
    cfg_lex_line(l, &t);
    char out[32];
    cfg_lex_unquote(l, t.value, t.quoted, out, sizeof(out));
    CHECK_STR(out, "a\"b\\c");
    cfg_lex_unquote(l, t.value, t.quoted, out, 3);
    CHECK_STR(out, "a\"");
}

int main(void)
{
    test_cases();
    test_offsets();
    test_unquote();
    CHECK_INT(cfg_lex_is_html_close("x -->"), 1);
    CHECK_INT(cfg_lex_is_html_close("x --"), 0);
    return test_done();
}
