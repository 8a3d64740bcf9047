/* test_cfg_value.c - table-driven tests of the PowerMTA value parsers and
 * formatters in config/cfg_value.c (UG5 §3.2, docs/config.md). */
#include "config/cfg_value.h"
#include "test.h"

#include <stdlib.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A parse case: input, flags, expected return, expected value. */
struct num_case {
    const char *in;
    unsigned flags;
    int rc;
    double want;
};

/* An error case: input, flags, offset, length and message of the error. */
struct err_case {
    const char *in;
    unsigned flags;
    size_t offset;
    size_t len;
    const char *msg;
};

/* test_bool - every spelling, any case, and junk. */
static void test_bool(void)
{
    static const struct num_case cases[] = {
        { "yes", 0, 0, 1 },   { "no", 0, 0, 0 },    { "true", 0, 0, 1 },
        { "false", 0, 0, 0 }, { "on", 0, 0, 1 },    { "off", 0, 0, 0 },
        { "YES", 0, 0, 1 },   { "False", 0, 0, 0 }, { "oN", 0, 0, 1 },
        { "", 0, -1, 0 },     { "y", 0, -1, 0 },    { "1", 0, -1, 0 },
        { "yes ", 0, -1, 0 }, { " no", 0, -1, 0 },  { "maybe", 0, -1, 0 },
        { "yess", 0, -1, 0 },
    };
    struct cfgv_err e;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int v = -1;
        int rc = cfgv_parse_bool(cases[i].in, &v, &e);
        CHECK(rc == cases[i].rc, "bool '%s' rc %d", cases[i].in, rc);
        if (rc == 0)
            CHECK_INT(v, cases[i].want);
    }
    CHECK_INT(cfgv_parse_bool("maybe", &(int){ 0 }, &e), -1);
    CHECK_STR(e.msg, "invalid boolean 'maybe' (use yes or no)");
}

/* test_count - integers, "unlimited", overflow and junk. */
static void test_count(void)
{
    static const struct num_case cases[] = {
        { "0", 0, 0, 0 },
        { "20", 0, 0, 20 },
        { "007", 0, 0, 7 },
        { "unlimited", CFGV_ALLOW_UNLIMITED, 0, 0 },
        { "UNLIMITED", CFGV_ALLOW_UNLIMITED, 0, 0 },
        { "unlimited", 0, -1, 0 },
        { "-1", 0, -1, 0 },
        { "1.5", 0, -1, 0 },
        { "10k", 0, -1, 0 },
        { "", 0, -1, 0 },
        { " 5", 0, -1, 0 },
        { "5 ", 0, -1, 0 },
        { "99999999999999999999", 0, -1, 0 },
        { "9223372036854775808", 0, -1, 0 },
    };
    struct cfgv_err e;
    int64_t v;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int rc = cfgv_parse_count(cases[i].in, &v, cases[i].flags, &e);
        CHECK(rc == cases[i].rc, "count '%s' rc %d", cases[i].in, rc);
        if (rc == 0 && cases[i].flags == 0)
            CHECK_INT(v, cases[i].want);
        if (rc == 0 && cases[i].flags != 0)
            CHECK(v == CFGV_UNLIMITED, "count '%s' not unlimited", cases[i].in);
    }
    CHECK_INT(cfgv_parse_count("9223372036854775807", &v, 0, &e), 0);
    CHECK(v == INT64_MAX, "INT64_MAX count");
}

/* test_time - units, combinations, "never" and the errors. */
static void test_time(void)
{
    static const struct num_case cases[] = {
        { "0", 0, 0, 0 },
        { "300", 0, 0, 300 },
        { "300s", 0, 0, 300 },
        { "10m", 0, 0, 600 },
        { "1h", 0, 0, 3600 },
        { "4d12h", 0, 0, 4 * 86400 + 12 * 3600 },
        { "1w2d12h", 0, 0, 604800 + 2 * 86400 + 12 * 3600 },
        { "1h30m", 0, 0, 5400 },
        { "30m1h", 0, 0, 5400 },
        { "1H30M", 0, 0, 5400 },
        { "0h", 0, 0, 0 },
        { "1s1m1h1d1w", 0, 0, 1 + 60 + 3600 + 86400 + 604800 },
        { "never", CFGV_ALLOW_NEVER, 0, INFINITY },
        { "NEVER", CFGV_ALLOW_NEVER, 0, INFINITY },
        { "never", 0, -1, 0 },
        { "", 0, -1, 0 },
        { "h", 0, -1, 0 },
        { "1h1h", 0, -1, 0 },
        { "1.5h", 0, -1, 0 },
        { "-5m", 0, -1, 0 },
        { " 5m", 0, -1, 0 },
        { "5m ", 0, -1, 0 },
        { "5 m", 0, -1, 0 },
        { "1h30", 0, -1, 0 },
        { "10min", 0, -1, 0 },
        { "10x", 0, -1, 0 },
        { "1y", 0, -1, 0 },
        { "99999999999999999999s", 0, -1, 0 },
        { "15250284452472w", 0, -1, 0 },
        { "10m,1h", 0, -1, 0 },
    };
    struct cfgv_err e;
    double v;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int rc = cfgv_parse_time(cases[i].in, &v, cases[i].flags, &e);
        CHECK(rc == cases[i].rc, "time '%s' rc %d", cases[i].in, rc);
        if (rc == 0)
            CHECK(v == cases[i].want, "time '%s' got %g", cases[i].in, v);
    }
}

/* test_errors - messages and offsets of a few bad values. */
static void test_errors(void)
{
    static const struct err_case cases[] = {
        { "10x", 0, 2, 1, "unknown time unit 'x'" },
        { "1h1h", 0, 3, 1, "time unit 'h' given twice" },
        { "1.5h", 0, 0, 3, "expected an integer" },
        { "-5m", 0, 0, 2, "negative value '-5'" },
        { "99999999999999999999s", 0, 0, 20, "number too large" },
        { "1h30", 0, 2, 2, "missing time unit after '30'" },
        { "5 m", 0, 1, 1, "unexpected character ' '" },
        { "", 0, 0, 1, "empty value" },
        { "  5m", 0, 0, 2, "unexpected leading white space" },
        { "5m ", 0, 2, 1, "unexpected trailing white space" },
        { "never", 0, 0, 5, "'never' is not allowed here" },
    };
    struct cfgv_err e;
    double v;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        memset(&e, 0, sizeof(e));
        CHECK_INT(cfgv_parse_time(cases[i].in, &v, cases[i].flags, &e), -1);
        CHECK_STR(e.msg, cases[i].msg);
        CHECK_INT(e.offset, cases[i].offset);
        CHECK_INT(e.len, cases[i].len);
    }
}

/* test_time_list - comma lists with and without blanks. */
static void test_time_list(void)
{
    static const char *const bad[] = {
        "10m,,1h", "10m,", ",10m", "", "10m;1h", "10m ,1h", "10m, ", "never",
    };
    struct cfgv_err e;
    double *v = NULL;
    size_t n = 99;

    CHECK_INT(cfgv_parse_time_list("10m,10m,1h,4h,12h", &v, &n, &e), 0);
    CHECK_INT(n, 5);
    if (n == 5) {
        CHECK_NEAR(v[0], 600, 0);
        CHECK_NEAR(v[2], 3600, 0);
        CHECK_NEAR(v[4], 43200, 0);
    }
    free(v);
    CHECK_INT(cfgv_parse_time_list("30m, 1h,\t2h", &v, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3)
        CHECK_NEAR(v[2], 7200, 0);
    free(v);
    CHECK_INT(cfgv_parse_time_list("90", &v, &n, &e), 0);
    CHECK_INT(n, 1);
    free(v);
    for (size_t i = 0; i < N_ELEM(bad); i++) {
        int rc = cfgv_parse_time_list(bad[i], &v, &n, &e);
        CHECK(rc == -1 && v == NULL && n == 0, "time list '%s'", bad[i]);
    }
    cfgv_parse_time_list("10m,,1h", &v, &n, &e);
    CHECK_INT(e.offset, 4);
    CHECK_STR(e.msg, "empty item in list");
    cfgv_parse_time_list("10m,1h,5x", &v, &n, &e);
    CHECK_INT(e.offset, 8);
}

/* test_rate - counts, windows and multipliers. */
static void test_rate(void)
{
    static const struct {
        const char *in;
        unsigned flags;
        int rc;
        double count, window;
    } cases[] = {
        { "unlimited", 0, 0, INFINITY, 1 },
        { "Unlimited", 0, 0, INFINITY, 1 },
        { "0", CFGV_ALLOW_ZERO, 0, 0, 1 },
        { "0", 0, -1, 0, 0 },
        { "0/h", 0, -1, 0, 0 },
        { "10/m", 0, 0, 10, 60 },
        { "250/h", 0, 0, 250, 3600 },
        { "6/sec", 0, 0, 6, 1 },
        { "1000/day", 0, 0, 1000, 86400 },
        { "100/15m", 0, 0, 100, 900 },
        { "83/5s", 0, 0, 83, 5 },
        { "1/20m", 0, 0, 1, 1200 },
        { "5/2hr", 0, 0, 5, 7200 },
        { "5/HOUR", 0, 0, 5, 3600 },
        { "5/3hours", 0, 0, 5, 10800 },
        { "5/minutes", 0, 0, 5, 60 },
        { "5/mins", 0, 0, 5, 60 },
        { "5/seconds", 0, 0, 5, 1 },
        { "5/2days", 0, 0, 5, 172800 },
        { "5/min", 0, 0, 5, 60 },
        { "10/fortnight", 0, -1, 0, 0 },
        { "10", 0, -1, 0, 0 },
        { "10/", 0, -1, 0, 0 },
        { "10/5", 0, -1, 0, 0 },
        { "10/0m", 0, -1, 0, 0 },
        { "/h", 0, -1, 0, 0 },
        { "1.5/h", 0, -1, 0, 0 },
        { "-1/h", 0, -1, 0, 0 },
        { "10/h ", 0, -1, 0, 0 },
        { "10 /h", 0, -1, 0, 0 },
        { "10/h/h", 0, -1, 0, 0 },
        { "10/w", 0, -1, 0, 0 },
        { "10/99999999999999999d", 0, -1, 0, 0 },
        { "", 0, -1, 0, 0 },
    };
    struct cfgv_err e;
    struct cfgv_rate r;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int rc = cfgv_parse_rate(cases[i].in, &r, cases[i].flags, &e);
        CHECK(rc == cases[i].rc, "rate '%s' rc %d", cases[i].in, rc);
        if (rc == 0)
            CHECK(r.count == cases[i].count && r.window_s == cases[i].window,
                  "rate '%s' got %g/%g", cases[i].in, r.count, r.window_s);
    }
    cfgv_parse_rate("10/fortnight", &r, 0, &e);
    CHECK_STR(e.msg, "unknown rate unit 'fortnight'");
    CHECK_INT(e.offset, 3);
    CHECK_INT(e.len, 9);
    cfgv_parse_rate("10", &r, 0, &e);
    CHECK_STR(e.msg, "rate needs a '/unit' part");
}

/* test_size - suffixes, binary multiples and overflow. */
static void test_size(void)
{
    static const struct num_case cases[] = {
        { "0", 0, 0, 0 },
        { "512", 0, 0, 512 },
        { "512b", 0, 0, 512 },
        { "100K", 0, 0, 102400 },
        { "100k", 0, 0, 102400 },
        { "50M", 0, 0, 50.0 * 1048576 },
        { "1G", 0, 0, 1073741824.0 },
        { "2t", 0, 0, 2.0 * 1099511627776.0 },
        { "unlimited", CFGV_ALLOW_UNLIMITED, 0, INFINITY },
        { "unlimited", 0, -1, 0 },
        { "10MB", 0, -1, 0 },
        { "10x", 0, -1, 0 },
        { "1.5M", 0, -1, 0 },
        { "M", 0, -1, 0 },
        { "-1k", 0, -1, 0 },
        { "9000000t", 0, -1, 0 },
        { "10M/h", 0, -1, 0 },
    };
    struct cfgv_err e;
    double v;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int rc = cfgv_parse_size(cases[i].in, &v, cases[i].flags, &e);
        CHECK(rc == cases[i].rc, "size '%s' rc %d", cases[i].in, rc);
        if (rc == 0)
            CHECK(v == cases[i].want, "size '%s' got %g", cases[i].in, v);
    }
    cfgv_parse_size("10MB", &v, 0, &e);
    CHECK_STR(e.msg, "unknown size unit 'MB'");
    CHECK_INT(e.offset, 2);
}

/* test_data_rate - a size over a rate window. */
static void test_data_rate(void)
{
    static const struct {
        const char *in;
        int rc;
        double count, window;
    } cases[] = {
        { "10g/2h", 0, 10.0 * 1073741824, 7200 },
        { "6g/10h", 0, 6.0 * 1073741824, 36000 },
        { "1000/s", 0, 1000, 1 },
        { "5m/min", 0, 5.0 * 1048576, 60 },
        { "unlimited", 0, INFINITY, 1 },
        { "10g", -1, 0, 0 },
        { "0/h", -1, 0, 0 },
        { "10q/h", -1, 0, 0 },
        { "10g/fortnight", -1, 0, 0 },
        { "10g/h,", -1, 0, 0 },
    };
    struct cfgv_err e;
    struct cfgv_rate r;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int rc = cfgv_parse_data_rate(cases[i].in, &r, &e);
        CHECK(rc == cases[i].rc, "data rate '%s' rc %d", cases[i].in, rc);
        if (rc == 0)
            CHECK(r.count == cases[i].count && r.window_s == cases[i].window,
                  "data rate '%s' got %g/%g", cases[i].in, r.count, r.window_s);
    }
}

/* test_daily - ramps of per-day limits. */
static void test_daily(void)
{
    static const char *const bad[] = {
        "",     "100",   "100/h",        "100/days", "100/day,",
        "-1/d", "1.5/d", "100/day,,1/d", "100/d x",  "/d",
    };
    struct cfgv_err e;
    double *v = NULL;
    size_t n = 0;

    CHECK_INT(cfgv_parse_daily("100/day,200/DAY, 400/d", &v, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_NEAR(v[0], 100, 0);
        CHECK_NEAR(v[1], 200, 0);
        CHECK_NEAR(v[2], 400, 0);
    }
    free(v);
    CHECK_INT(cfgv_parse_daily("0/d", &v, &n, &e), 0);
    CHECK(n == 1 && v[0] == 0, "0/d");
    free(v);
    for (size_t i = 0; i < N_ELEM(bad); i++) {
        int rc = cfgv_parse_daily(bad[i], &v, &n, &e);
        CHECK(rc == -1 && v == NULL && n == 0, "daily '%s'", bad[i]);
    }
    cfgv_parse_daily("1/d,2/h", &v, &n, &e);
    CHECK_INT(e.offset, 6);
}

/* test_cidr - parse and format IPv4, short forms and IPv6. */
static void test_cidr(void)
{
    static const struct {
        const char *in, *out;
        int prefix, is_v4;
    } good[] = {
        { "1.2.3.4", "1.2.3.4", 128, 1 },
        { "10/8", "10.0.0.0/8", 104, 1 },
        { "10.1/16", "10.1.0.0/16", 112, 1 },
        { "0/0", "0.0.0.0/0", 96, 1 },
        { "192.0.2.0/24", "192.0.2.0/24", 120, 1 },
        { "192.0.2.1/32", "192.0.2.1", 128, 1 },
        { "::1", "::1", 128, 0 },
        { "2001:db8::/32", "2001:db8::/32", 32, 0 },
        { "::/0", "::/0", 0, 0 },
        { "2001:DB8::1", "2001:db8::1", 128, 0 },
    };
    static const char *const bad[] = {
        "300.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "1..2.3",
        "1.2.3.",
        "10/33",
        "10/",
        "10.1.1.1/8",
        "/8",
        "a.b.c.d",
        "::1/129",
        "::1/64",
        "::g",
        "1.2.3.4/-1",
        "0001.2.3.4",
        "1.2.3.4 ",
        "",
        "10/8x",
        "1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18:19:20:21:22",
    };
    struct cfgv_err e;
    struct cfgv_cidr c;
    char buf[64];

    for (size_t i = 0; i < N_ELEM(good); i++) {
        int rc = cfgv_parse_cidr(good[i].in, &c, &e);
        CHECK(rc == 0, "cidr '%s': %s", good[i].in, e.msg);
        cfgv_format_cidr(&c, buf, sizeof(buf));
        CHECK_STR(buf, good[i].out);
        CHECK_INT(c.prefix, good[i].prefix);
        CHECK_INT(c.is_v4, good[i].is_v4);
    }
    for (size_t i = 0; i < N_ELEM(bad); i++)
        CHECK(cfgv_parse_cidr(bad[i], &c, &e) == -1, "cidr '%s'", bad[i]);
    cfgv_parse_cidr("300.1.1.1", &c, &e);
    CHECK_STR(e.msg, "invalid IPv4 address '300.1.1.1'");
    cfgv_parse_cidr("10.1.1.1/24", &c, &e);
    CHECK_STR(e.msg, "host bits set beyond the /24 prefix");
    cfgv_parse_cidr("10/33", &c, &e);
    CHECK_INT(e.offset, 3);
    CHECK_INT(e.len, 2);
}

/* test_contains - membership for both families. */
static void test_contains(void)
{
    static const struct {
        const char *net, *addr;
        int in;
    } cases[] = {
        { "10/8", "10.1.2.3", 1 },
        { "10/8", "11.0.0.1", 0 },
        { "192.0.2.0/25", "192.0.2.127", 1 },
        { "192.0.2.0/25", "192.0.2.128", 0 },
        { "0/0", "8.8.8.8", 1 },
        { "0/0", "::1", 0 },
        { "1.2.3.4", "1.2.3.4", 1 },
        { "1.2.3.4", "1.2.3.5", 0 },
        { "2001:db8::/32", "2001:db8:1::5", 1 },
        { "2001:db8::/32", "2001:db9::5", 0 },
        { "::/0", "1.2.3.4", 1 },
    };
    struct cfgv_cidr net, addr;
    struct cfgv_err e;

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int ok = cfgv_parse_cidr(cases[i].net, &net, &e) == 0 &&
                 cfgv_parse_cidr(cases[i].addr, &addr, &e) == 0;
        CHECK(ok, "parse '%s' '%s'", cases[i].net, cases[i].addr);
        if (ok)
            CHECK(cfgv_cidr_contains(&net, &addr) == cases[i].in,
                  "'%s' in '%s'", cases[i].addr, cases[i].net);
    }
}

/* test_hosts - levels, ports, literals and lookup-mx. */
static void test_hosts(void)
{
    static const char *const bad[] = {
        "",           "h1,",    "h1;",      ",h1", "h1,,h2",
        "h1; ;h2",    "h1:0",   "h1:65536", "h1:", "h1:x",
        "[10.1.1.1",  "[]",     "[bogus]",  "h 1", "h1:25:26",
        "lookup-mx:", "[::1]x", " h1",      "h!",
    };
    struct cfgv_hosts h;
    struct cfgv_err e;

    CHECK_INT(cfgv_parse_hosts("h1, h2; [10.1.1.1]:2525; LOOKUP-MX:example.com",
                               &h, &e),
              0);
    CHECK_INT(h.n, 4);
    if (h.n == 4) {
        CHECK_STR(h.items[0].name, "h1");
        CHECK_INT(h.items[1].level, 0);
        CHECK_STR(h.items[2].name, "[10.1.1.1]");
        CHECK_INT(h.items[2].port, 2525);
        CHECK_INT(h.items[2].level, 1);
        CHECK_STR(h.items[3].name, "lookup-mx:example.com");
        CHECK_INT(h.items[3].level, 2);
        CHECK_INT(h.items[3].port, 0);
    }
    cfgv_hosts_release(&h);
    CHECK(h.items == NULL && h.n == 0, "released");
    CHECK_INT(cfgv_parse_hosts("[2001:db8::1]:25,mx.example.com:587", &h, &e),
              0);
    CHECK(h.n == 2 && h.items[0].port == 25 && h.items[1].port == 587 &&
              strcmp(h.items[0].name, "[2001:db8::1]") == 0,
          "ipv6 literal with port");
    cfgv_hosts_release(&h);
    for (size_t i = 0; i < N_ELEM(bad); i++) {
        int rc = cfgv_parse_hosts(bad[i], &h, &e);
        CHECK(rc == -1 && h.n == 0 && h.items == NULL, "hosts '%s'", bad[i]);
    }
    cfgv_parse_hosts("h1;;h2", &h, &e);
    CHECK_INT(e.offset, 3);
    cfgv_parse_hosts("h1:65536", &h, &e);
    CHECK_STR(e.msg, "invalid port '65536'");
}

/* test_format - canonical texts for times, rates and sizes. */
static void test_format(void)
{
    static const struct {
        double v;
        const char *want;
    } times[] = {
        { INFINITY, "never" }, { 0, "0s" },         { 1800, "30m" },
        { 90, "1m30s" },       { 388800, "4d12h" }, { 820800, "1w2d12h" },
        { 3600, "1h" },        { 1.5, "1.5s" },     { 604801, "1w1s" },
    };
    static const struct {
        struct cfgv_rate r;
        const char *want;
    } rates[] = {
        { { INFINITY, 1 }, "unlimited" }, { { 0, 1 }, "0" },
        { { 1000, 3600 }, "1000/h" },     { { 100, 900 }, "100/15m" },
        { { 83, 5 }, "83/5s" },           { { 1, 1200 }, "1/20m" },
        { { 10, 60 }, "10/m" },           { { 6, 1 }, "6/s" },
        { { 5, 86400 }, "5/d" },          { { 5, 172800 }, "5/2d" },
        { { 5, 7200 }, "5/2h" },          { { 5, 90 }, "5/90s" },
        { { 2.5, 60 }, "2.5/m" },
    };
    static const struct {
        double v;
        const char *want;
    } sizes[] = {
        { INFINITY, "unlimited" },
        { 250.0 * 1048576, "250M" },
        { 1073741824.0, "1G" },
        { 102400, "100K" },
        { 512, "512" },
        { 0, "0" },
        { 1536, "1536" },
        { 1099511627776.0, "1T" },
    };
    char buf[32];

    for (size_t i = 0; i < N_ELEM(times); i++) {
        cfgv_format_time(times[i].v, buf, sizeof(buf));
        CHECK_STR(buf, times[i].want);
    }
    for (size_t i = 0; i < N_ELEM(rates); i++) {
        cfgv_format_rate(&rates[i].r, buf, sizeof(buf));
        CHECK_STR(buf, rates[i].want);
    }
    for (size_t i = 0; i < N_ELEM(sizes); i++) {
        cfgv_format_size(sizes[i].v, buf, sizeof(buf));
        CHECK_STR(buf, sizes[i].want);
    }
    cfgv_format_time(388800, buf, 3);
    CHECK_STR(buf, "4d");
}

/* test_round_trip - parse -> format -> parse gives the same value. */
static void test_round_trip(void)
{
    static const char *const times[] = { "1h30m",      "30m1h", "4d12h", "0",
                                         "1w1d1h1m1s", "90",    "2w" };
    static const char *const rates[] = { "100/15m", "83/5s",    "1/20m",
                                         "6/sec",   "250/hour", "7/90min" };
    static const char *const sizes[] = { "512",   "1024", "50M",
                                         "3072k", "2g",   "1t" };
    struct cfgv_err e;
    struct cfgv_rate r1, r2;
    double a, b;
    char buf[32];

    for (size_t i = 0; i < N_ELEM(times); i++) {
        cfgv_parse_time(times[i], &a, 0, &e);
        cfgv_format_time(a, buf, sizeof(buf));
        CHECK(cfgv_parse_time(buf, &b, 0, &e) == 0 && a == b, "time '%s'",
              times[i]);
    }
    for (size_t i = 0; i < N_ELEM(rates); i++) {
        cfgv_parse_rate(rates[i], &r1, 0, &e);
        cfgv_format_rate(&r1, buf, sizeof(buf));
        CHECK(cfgv_parse_rate(buf, &r2, 0, &e) == 0 && r1.count == r2.count &&
                  r1.window_s == r2.window_s,
              "rate '%s' -> '%s'", rates[i], buf);
    }
    for (size_t i = 0; i < N_ELEM(sizes); i++) {
        cfgv_parse_size(sizes[i], &a, 0, &e);
        cfgv_format_size(a, buf, sizeof(buf));
        CHECK(cfgv_parse_size(buf, &b, 0, &e) == 0 && a == b, "size '%s'",
              sizes[i]);
    }
}

int main(void)
{
    test_bool();
    test_count();
    test_time();
    test_errors();
    test_time_list();
    test_rate();
    test_size();
    test_data_rate();
    test_daily();
    test_cidr();
    test_contains();
    test_hosts();
    test_format();
    test_round_trip();
    return test_done();
}
