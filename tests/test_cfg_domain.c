/* test_cfg_domain.c - domain patterns, match scores and domain macros. */
#include "config/cfg_domain.h"
#include "test.h"

#include <stdlib.h>

/* join - names separated by '|' into buf (truncated to n). */
static const char *join(char **names, size_t count, char *buf, size_t n)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < count && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "|" : "",
                                 names[i]);
    return buf;
}

/* test_parse_good - accepted patterns, their kind and canonical form. */
static void test_parse_good(void)
{
    static const struct {
        const char *text;
        enum cfgd_kind kind;
        const char *canon;
    } cases[] = {
        { "*", CFGD_ANY, "*" },
        { "example.com", CFGD_EXACT, "example.com" },
        { "Example.COM", CFGD_EXACT, "example.com" },
        { "localhost", CFGD_EXACT, "localhost" },
        { "mail_1-a.example.com", CFGD_EXACT, "mail_1-a.example.com" },
        { "x.queue", CFGD_EXACT, "x.queue" },
        { "google.rollup", CFGD_EXACT, "google.rollup" },
        { "{sparkpost}", CFGD_EXACT, "{sparkpost}" },
        { "{feedbackLoop}", CFGD_EXACT, "{feedbackloop}" },
        { "b\xc3\xbc"
          "cher.de",
          CFGD_EXACT,
          "b\xc3\xbc"
          "cher.de" },
        { "*.example.com", CFGD_SUBDOMAINS, "*.example.com" },
        { "*.COM", CFGD_SUBDOMAINS, "*.com" },
        { "[*.]Example.com", CFGD_DOMAIN_SUBS, "[*.]example.com" },
        { "[*.]port25.com", CFGD_DOMAIN_SUBS, "[*.]port25.com" },
        { "[127.0.0.1]", CFGD_LITERAL, "[127.0.0.1]" },
        { "[0/0]", CFGD_LITERAL, "[0.0.0.0/0]" },
        { "[10/8]", CFGD_LITERAL, "[10.0.0.0/8]" },
        { "[192.0.2.0/24]", CFGD_LITERAL, "[192.0.2.0/24]" },
        { "[::1]", CFGD_LITERAL, "[::1]" },
        { "[2001:db8::/32]", CFGD_LITERAL, "[2001:db8::/32]" },
    };
    char buf[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cfgd_pattern p;
        struct cfgv_err e;
        int rc = cfgd_pattern_parse(cases[i].text, &p, &e);
        CHECK(rc == 0, "'%s': %s", cases[i].text, rc ? e.msg : "");
        if (rc != 0)
            continue;
        CHECK_INT(p.kind, cases[i].kind);
        cfgd_pattern_format(&p, buf, sizeof(buf));
        CHECK_STR(buf, cases[i].canon);
        cfgd_pattern_release(&p);
    }
}

/* test_parse_bad - rejected patterns: exact message and blamed span. */
static void test_parse_bad(void)
{
    static const char *const star =
        "'*' is only allowed as '*', '*.domain' or '[*.]domain'";
    static const struct {
        const char *text;
        const char *msg; /* NULL: only the offset is checked */
        size_t offset, len;
    } cases[] = {
        { "", "empty domain pattern", 0, 1 },
        { "a..b", "invalid domain pattern 'a..b': empty label", 2, 1 },
        { ".a", "invalid domain pattern '.a': leading dot", 0, 1 },
        { "a.", "invalid domain pattern 'a.': trailing dot", 1, 1 },
        { "a b", "invalid domain pattern 'a b': contains white space", 1, 1 },
        { "a\tb", "invalid domain pattern 'a\tb': contains white space", 1, 1 },
        { "a!b", "invalid domain pattern 'a!b': invalid character '!'", 1, 1 },
        { "a\x01"
          "b",
          "invalid domain pattern 'a\x01"
          "b': invalid character "
          "'\\x01'",
          1, 1 },
        { "a/b", "invalid domain pattern 'a/b': invalid character '/'", 1, 1 },
        { "example.com]",
          "invalid domain pattern 'example.com]': invalid character ']'", 11,
          1 },
        { "**", star, 0, 1 },
        { "*a.com", star, 0, 1 },
        { "a*.com", star, 1, 1 },
        { "*.*.a.com", star, 2, 1 },
        { "a.*", star, 2, 1 },
        { "[*.]*.a", star, 4, 1 },
        { "[*]", star, 1, 1 },
        { "[*.com]", star, 1, 1 },
        { "*.", "invalid domain pattern '*.': missing domain name", 2, 1 },
        { "*..a", "invalid domain pattern '*..a': empty label", 2, 1 },
        { "[*.]", "invalid domain pattern '[*.]': missing domain name", 4, 1 },
        { "[*.].a", "invalid domain pattern '[*.].a': empty label", 4, 1 },
        { "[*.]a..b", "invalid domain pattern '[*.]a..b': empty label", 6, 1 },
        { "yahoo.$tld",
          "unexpanded macro '$tld' in domain pattern 'yahoo.$tld'", 6, 4 },
        { "$hotmail",
          "unexpanded macro '$hotmail' in domain pattern '$hotmail'", 0, 8 },
        { "[1.2.3.4", "invalid domain literal '[1.2.3.4': missing ']'", 8, 1 },
        { "[1.2.3.4]x", "invalid domain literal '[1.2.3.4]x': text after ']'",
          9, 1 },
        { "[]", "invalid domain literal '[]': empty", 0, 2 },
        { "{sparkpost", "invalid reserved name '{sparkpost': expected '{name}'",
          0, 10 },
        { "{}", "invalid reserved name '{}': expected '{name}'", 0, 2 },
        { "{a.b}", "invalid domain pattern '{a.b}': invalid character '.'", 2,
          1 },
        { "a.{x}", "invalid domain pattern 'a.{x}': invalid character '{'", 2,
          1 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cfgd_pattern p;
        struct cfgv_err e;
        int rc = cfgd_pattern_parse(cases[i].text, &p, &e);
        CHECK(rc == -1, "'%s' accepted", cases[i].text);
        if (rc != -1) {
            cfgd_pattern_release(&p);
            continue;
        }
        CHECK(p.name == NULL, "'%s' left a name", cases[i].text);
        CHECK_STR(e.msg, cases[i].msg);
        CHECK_INT(e.offset, cases[i].offset);
        CHECK_INT(e.len, cases[i].len);
    }
}

/* test_parse_bad_cidr - a bad literal keeps cfgv's reason and its offset
 * inside the brackets. */
static void test_parse_bad_cidr(void)
{
    static const char *const bad[] = { "[300.1.1.1]", "[1.2.3.4/40]",
                                       "[10.0.0.1/8]", "[host.example]" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cfgd_pattern p;
        struct cfgv_err e;
        char want[64];
        snprintf(want, sizeof(want), "invalid domain literal '%s': ", bad[i]);
        CHECK_INT(cfgd_pattern_parse(bad[i], &p, &e), -1);
        CHECK(strncmp(e.msg, want, strlen(want)) == 0, "'%s': %s", bad[i],
              e.msg);
        CHECK(e.offset >= 1 && e.offset < strlen(bad[i]), "'%s' offset %zu",
              bad[i], e.offset);
    }
}

/* test_format_small - formatting truncates safely and release is
 * idempotent. */
static void test_format_small(void)
{
    struct cfgd_pattern p;
    struct cfgv_err e;
    char buf[6];

    CHECK_INT(cfgd_pattern_parse("[*.]example.com", &p, &e), 0);
    cfgd_pattern_format(&p, buf, sizeof(buf));
    CHECK_STR(buf, "[*.]e");
    cfgd_pattern_release(&p);
    CHECK(p.name == NULL, "name not cleared");
    cfgd_pattern_release(&p);
    cfgd_pattern_release(NULL);
    CHECK_INT(cfgd_pattern_parse(NULL, &p, NULL), -1);
    CHECK_INT(cfgd_pattern_parse("a..b", &p, NULL), -1);
}

/* score - parse pat and match it against domain (-2 if pat is bad). */
static int score(const char *pat, const char *domain)
{
    struct cfgd_pattern p;
    struct cfgv_err e;
    int s;

    if (cfgd_pattern_parse(pat, &p, &e) != 0)
        return -2;
    s = cfgd_pattern_match(&p, domain);
    cfgd_pattern_release(&p);
    return s;
}

/* test_match - match results and scores from the header's table. */
static void test_match(void)
{
    static const struct {
        const char *pat, *domain;
        int score;
    } cases[] = {
        { "*", "anything.example", 0 },
        { "*", "[1.2.3.4]", 0 },
        { "*", "com", 0 },
        { "example.com", "example.com", 11 },
        { "EXAMPLE.com", "Example.Com", 11 },
        { "example.com", "example.com.", 11 },
        { "example.com", "a.example.com", -1 },
        { "example.com", "notexample.com", -1 },
        { "example.com", "example.co", -1 },
        { "example.com", "example.com.au", -1 },
        { "example.com", "", -1 },
        { "com", "example.com", -1 },
        { "*.example.com", "example.com", -1 },
        { "*.example.com", "a.example.com", 10 },
        { "*.example.com", "A.B.EXAMPLE.COM", 10 },
        { "*.example.com", "notexample.com", -1 },
        { "*.example.com", ".example.com", -1 },
        { "*.example.com", "a.example.com.", 10 },
        { "*.com", "example.com", 6 },
        { "[*.]example.com", "example.com", 9 },
        { "[*.]example.com", "x.example.com", 9 },
        { "[*.]example.com", "x.y.Example.com", 9 },
        { "[*.]example.com", "xexample.com", -1 },
        { "[*.]example.com", "com", -1 },
        { "[*.]example.com", "example.org", -1 },
        { "{sparkpost}", "{SparkPost}", 7 },
        { "hotmail.queue", "hotmail.queue", 11 },
        { "b\xc3\xbc"
          "cher.de",
          "b\xc3\xbc"
          "cher.de",
          11 },
        { "*.b\xc3\xbc"
          "cher.de",
          "www.b\xc3\xbc"
          "cher.de",
          10 },
        { "example.com", "[1.2.3.4]", -1 },
        { "[127.0.0.1]", "[127.0.0.1]", 129 },
        { "[127.0.0.1]", "[127.0.0.2]", -1 },
        { "[127.0.0.1]", "127.0.0.1", -1 },
        { "[10/8]", "[10.1.2.3]", 105 },
        { "[10/8]", "[11.1.2.3]", -1 },
        { "[10/8]", "[10.0.0.0/8]", -1 },
        { "[0/0]", "[8.8.8.8]", 97 },
        { "[0/0]", "example.com", -1 },
        { "[1.2.3.4]", "[1.2.3.4", -1 },
        { "[1.2.3.4]", "[]", -1 },
        { "[1.2.3.4]", "[1.2.3.x]", -1 },
        { "[::1]", "[IPv6:::1]", 129 },
        { "[::1]", "[::1]", 129 },
        { "[2001:db8::/32]", "[IPv6:2001:DB8::1]", 33 },
        { "[2001:db8::/32]", "[IPv6:2001:db9::1]", -1 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int s = score(cases[i].pat, cases[i].domain);
        CHECK(s == cases[i].score, "'%s' on '%s': got %d, want %d",
              cases[i].pat, cases[i].domain, s, cases[i].score);
    }
}

/* test_rank - on one domain, scores rise strictly through this list. */
static void test_rank(void)
{
    static const char *const order[] = {
        "*",
        "[*.]com",
        "*.com",
        "[*.]example.com",
        "*.example.com",
        "[*.]b.example.com",
        "*.b.example.com",
        "a.b.example.com",
    };
    int prev = -1;

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        int s = score(order[i], "a.b.example.com");
        CHECK(s > prev, "'%s' scores %d, not above %d", order[i], s, prev);
        prev = s;
    }
    CHECK(score("*.b.example.com", "a.b.example.com") >
              score("[*.]example.com", "a.b.example.com"),
          "longer suffix must win");
    CHECK(score("[*.]b.example.com", "a.b.example.com") >
              score("*.example.com", "a.b.example.com"),
          "longer suffix must win over the form");
}

/* best - the most specific of pats for domain (first on ties). */
static const char *best(const char *const *pats, size_t n, const char *d)
{
    const char *win = "(none)";
    int top = -1;

    for (size_t i = 0; i < n; i++) {
        int s = score(pats[i], d);
        if (s > top) {
            top = s;
            win = pats[i];
        }
    }
    return win;
}

/* test_best - the UG5 §3.3.10 port25.com example, blocks in file order. */
static void test_best(void)
{
    static const char *const pats[] = { "discard.port25.com", "*.port25.com",
                                        "[*.]port25.com", "*", "[0/0]" };
    static const struct {
        const char *domain, *want;
    } cases[] = {
        { "discard.port25.com", "discard.port25.com" },
        { "x.port25.com", "*.port25.com" },
        { "a.discard.port25.com", "*.port25.com" },
        { "port25.com", "[*.]port25.com" },
        { "PORT25.COM", "[*.]port25.com" },
        { "gmail.com", "*" },
        { "notport25.com", "*" },
        { "[192.0.2.1]", "[0/0]" },
    };
    size_t np = sizeof(pats) / sizeof(pats[0]);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK_STR(best(pats, np, cases[i].domain), cases[i].want);
}

/* define_all - define a table of macros; every define must return 0. */
static void define_all(struct cfgd_macros *m, const char *const (*defs)[2],
                       size_t n)
{
    struct cfgv_err e;

    for (size_t i = 0; i < n; i++) {
        int rc = cfgd_macros_define(m, defs[i][0], defs[i][1], &e);
        CHECK(rc == 0, "define '%s': %d %s", defs[i][0], rc, rc ? e.msg : "");
    }
}

static const char *const macro_defs[][2] = {
    { "tld", "com, de, co.uk" },
    { "yahoo", "yahoo.$tld, ymail.com" },
    { "hotmail",
      "hotmail.com,msn.com,  email.msn.com, Hotmail.COM, email.msn.com" },
    { "big", "$yahoo, $hotmail, yahoo.com" },
    { "ab", "a, B" },
    { "dup", "a, A, a" },
    { "case", "lower" },
    { "sub", "mail.$ab" },
    { "usesnope", "x.com, $nope2" },
    { "dollar", "x.com, y.$" },
    { "la", "$lb" },
    { "lb", "x, $la" },
    { "self", "a, self.$self" },
    { "c1", "$c2" },
    { "c2", "$c3" },
    { "c3", "q.$c1" },
    { "d10", "0,1,2,3,4,5,6,7,8,9" },
};

/* test_expand - expansion results, in first-seen order. */
static void test_expand(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "plain.COM", "plain.com" },
        { "$tld", "com|de|co.uk" },
        { "yahoo.$tld", "yahoo.com|yahoo.de|yahoo.co.uk" },
        { "$yahoo", "yahoo.com|yahoo.de|yahoo.co.uk|ymail.com" },
        { "$hotmail", "hotmail.com|msn.com|email.msn.com" },
        { "[*.]$hotmail", "[*.]hotmail.com|[*.]msn.com|[*.]email.msn.com" },
        { "*.$ab.net", "*.a.net|*.b.net" },
        { "$ab.$tld", "a.com|a.de|a.co.uk|b.com|b.de|b.co.uk" },
        { "$ab$ab", "aa|ab|ba|bb" },
        { "$big",
          "yahoo.com|yahoo.de|yahoo.co.uk|ymail.com|hotmail.com|msn.com|email.msn.com" },
        { "x$dup", "xa" },
        { "$dup.$dup", "a.a" },
        /* macro names ignore case (a block's argument is read in lower
         * case, so "$Case" must find "case") */
        { "$Case.$case", "lower.lower" },
        { "$sub.$tld",
          "mail.a.com|mail.a.de|mail.a.co.uk|mail.b.com|mail.b.de|mail.b.co.uk" },
        { "$d10$d10", NULL },
    };
    struct cfgd_macros *m = cfgd_macros_alloc();
    char buf[512];

    define_all(m, macro_defs, sizeof(macro_defs) / sizeof(macro_defs[0]));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char **names;
        size_t n;
        struct cfgv_err e;
        int rc = cfgd_macros_expand(m, cases[i].text, &names, &n, &e);
        CHECK(rc == 0, "'%s': %s", cases[i].text, rc ? e.msg : "");
        if (rc != 0)
            continue;
        if (cases[i].want)
            CHECK_STR(join(names, n, buf, sizeof(buf)), cases[i].want);
        else
            CHECK_INT(n, 100);
        cfgd_names_free(names, n);
    }
    cfgd_macros_free(m);
}

/* test_expand_errors - unknown macros, loops and caps, with the span of
 * the caller's text that led there. */
static void test_expand_errors(void)
{
    static const struct {
        const char *text, *msg;
        size_t offset, len;
    } cases[] = {
        { "$nope", "unknown domain macro '$nope'", 0, 5 },
        { "a.$nope.com", "unknown domain macro '$nope'", 2, 5 },
        { "$TLDX", "unknown domain macro '$TLDX'", 0, 5 },
        { "x.$usesnope",
          "unknown domain macro '$nope2' in the list of '$usesnope'", 2, 9 },
        { "x.$", "missing macro name after '$'", 2, 1 },
        { "$dollar", "missing macro name after '$' in the list of '$dollar'", 0,
          7 },
        { "$.com", "missing macro name after '$'", 0, 1 },
        { "$la", "macro loop: $la -> $lb -> $la", 0, 3 },
        { "y.$lb", "macro loop: $lb -> $la -> $lb", 2, 3 },
        { "$self", "macro loop: $self -> $self", 0, 5 },
        { "$tld.$c1", "macro loop: $c1 -> $c2 -> $c3 -> $c1", 5, 3 },
        { "$d10$d10$d10$d10$d10$d10",
          "'$d10$d10$d10$d10$d10$d10' expands to more than 100000 names", 0,
          24 },
    };
    struct cfgd_macros *m = cfgd_macros_alloc();

    define_all(m, macro_defs, sizeof(macro_defs) / sizeof(macro_defs[0]));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char **names = (char **)&names;
        size_t n = 7;
        struct cfgv_err e;
        CHECK_INT(cfgd_macros_expand(m, cases[i].text, &names, &n, &e), -1);
        CHECK(names == NULL && n == 0, "'%s': output not cleared",
              cases[i].text);
        CHECK_STR(e.msg, cases[i].msg);
        CHECK_INT(e.offset, cases[i].offset);
        CHECK_INT(e.len, cases[i].len);
    }
    cfgd_macros_free(m);
}

/* test_expand_limits - exactly 100000 names is fine; deep doubling that
 * dedupes stays cheap; exponential growth of lengths is refused. */
static void test_expand_limits(void)
{
    struct cfgd_macros *m = cfgd_macros_alloc();
    struct cfgv_err e;
    char **names;
    size_t n;
    char name[16], list[32];

    CHECK_INT(cfgd_macros_define(m, "d", "0,1,2,3,4,5,6,7,8,9", &e), 0);
    CHECK_INT(cfgd_macros_expand(m, "$d$d$d$d$d", &names, &n, &e), 0);
    CHECK_INT(n, 100000);
    CHECK_STR(names[0], "00000");
    CHECK_STR(names[n - 1], "99999");
    cfgd_names_free(names, n);
    CHECK_INT(cfgd_macros_define(m, "e0", "a", &e), 0);
    CHECK_INT(cfgd_macros_define(m, "g0", "ab", &e), 0);
    for (int i = 1; i <= 60; i++) {
        snprintf(name, sizeof(name), "e%d", i);
        snprintf(list, sizeof(list), "$e%d, $e%d", i - 1, i - 1);
        CHECK(cfgd_macros_define(m, name, list, &e) == 0, "%s", e.msg);
        snprintf(name, sizeof(name), "g%d", i);
        snprintf(list, sizeof(list), "$g%d$g%d", i - 1, i - 1);
        CHECK(cfgd_macros_define(m, name, list, &e) == 0, "%s", e.msg);
    }
    CHECK_INT(cfgd_macros_expand(m, "$e60", &names, &n, &e), 0);
    CHECK_INT(n, 1);
    cfgd_names_free(names, n);
    CHECK_INT(cfgd_macros_expand(m, "x.$g60", &names, &n, &e), -1);
    CHECK(strstr(e.msg, "too large to expand") != NULL, "%s", e.msg);
    CHECK_INT(e.offset, 2);
    CHECK_INT(e.len, 4);
    CHECK_INT(cfgd_macros_define(m, "h0", "end", &e), 0);
    for (int i = 1; i <= 300; i++) {
        snprintf(name, sizeof(name), "h%d", i);
        snprintf(list, sizeof(list), "$h%d", i - 1);
        CHECK(cfgd_macros_define(m, name, list, &e) == 0, "%s", e.msg);
    }
    CHECK_INT(cfgd_macros_expand(m, "$h255", &names, &n, &e), 0);
    CHECK_STR(names[0], "end");
    cfgd_names_free(names, n);
    CHECK_INT(cfgd_macros_expand(m, "a.$h300", &names, &n, &e), -1);
    CHECK_STR(e.msg, "domain macros nested more than 256 deep");
    CHECK_INT(e.offset, 2);
    cfgd_macros_free(m);
}

/* test_define_bad - rejected names and lists, offsets into them. */
static void test_define_bad(void)
{
    static const struct {
        const char *name, *list, *msg;
        size_t offset;
    } bad[] = {
        { "", "a.com", "empty domain macro name", 0 },
        { "a-b", "a.com",
          "invalid domain macro name 'a-b': invalid character '-'", 1 },
        { "$x", "a.com",
          "invalid domain macro name '$x': invalid character '$'", 0 },
        { "x y", "a.com",
          "invalid domain macro name 'x y': invalid character '\\x20'", 1 },
        { "x", "", "empty list for domain macro '$x'", 0 },
        { "x", "   ", "empty list for domain macro '$x'", 0 },
        { "x", "a,,b", "empty item in the list of domain macro '$x'", 2 },
        { "x", "a, ", "empty item in the list of domain macro '$x'", 3 },
        { "x", ", a", "empty item in the list of domain macro '$x'", 0 },
    };
    struct cfgd_macros *m = cfgd_macros_alloc();
    struct cfgv_err e;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(cfgd_macros_define(m, bad[i].name, bad[i].list, &e), -1);
        CHECK_STR(e.msg, bad[i].msg);
        CHECK_INT(e.offset, bad[i].offset);
    }
    CHECK_INT(cfgd_macros_define(m, NULL, "a", &e), -1);
    CHECK_INT(cfgd_macros_define(m, "x", NULL, &e), -1);
    CHECK_INT(cfgd_macros_count(m), 0);
    cfgd_macros_free(m);
}

/* test_define - redefinition, definition order and the accessors. */
static void test_define(void)
{
    struct cfgd_macros *m = cfgd_macros_alloc();
    struct cfgv_err e;
    char **names;
    size_t n;

    CHECK_INT(cfgd_macros_define(m, "tld", "com, net", &e), 0);
    CHECK_INT(cfgd_macros_define(m, "corp_1", "corp.$tld", NULL), 0);
    CHECK_INT(cfgd_macros_define(m, "tld", "org", &e), 1);
    CHECK_STR(e.msg, "domain macro '$tld' redefined");
    CHECK_INT(cfgd_macros_count(m), 2);
    CHECK_STR(cfgd_macros_name(m, 0), "tld");
    CHECK_STR(cfgd_macros_list(m, 0), "org");
    CHECK_STR(cfgd_macros_name(m, 1), "corp_1");
    CHECK_STR(cfgd_macros_list(m, 1), "corp.$tld");
    CHECK(cfgd_macros_name(m, 2) == NULL, "out of range name");
    CHECK(cfgd_macros_list(m, 2) == NULL, "out of range list");
    CHECK_INT(cfgd_macros_has(m, "tld"), 1);
    CHECK_INT(cfgd_macros_has(m, "TLD"), 1); /* names ignore case */
    CHECK_INT(cfgd_macros_has(m, "nope"), 0);
    CHECK_INT(cfgd_macros_expand(m, "$corp_1", &names, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(names[0], "corp.org");
    cfgd_names_free(names, n);
    cfgd_macros_free(m);
    cfgd_macros_free(NULL);
}

/* test_no_table - a NULL table: plain text works, references do not. */
static void test_no_table(void)
{
    struct cfgv_err e;
    char **names;
    size_t n;

    CHECK_INT(cfgd_macros_expand(NULL, "A.com", &names, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(names[0], "a.com");
    cfgd_names_free(names, n);
    CHECK_INT(cfgd_macros_expand(NULL, "$x", &names, &n, &e), -1);
    CHECK_STR(e.msg, "unknown domain macro '$x'");
    CHECK_INT(cfgd_macros_count(NULL), 0);
    CHECK_INT(cfgd_macros_has(NULL, "x"), 0);
    cfgd_names_free(NULL, 0);
}

int main(void)
{
    test_parse_good();
    test_parse_bad();
    test_parse_bad_cidr();
    test_format_small();
    test_match();
    test_rank();
    test_best();
    test_expand();
    test_expand_errors();
    test_expand_limits();
    test_define_bad();
    test_define();
    test_no_table();
    return test_done();
}
