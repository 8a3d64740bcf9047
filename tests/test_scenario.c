/* test_scenario.c - the scenario loader (input/scenario.c): every key,
 * the defaults, and the exact text of every error, with its JSON path or
 * line:col. */
#include "input/scenario.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[] = "/tmp/test_scenario-XXXXXX";

/* write_file - text into tmpdir/name; the path in a static buffer. */
static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fp = fopen(path, "wb");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
    return path;
}

/* test_full - tests/input/full/scenario.json sets every key. */
static void test_full(void)
{
    struct scenario sc;
    struct diag_list dl;

    diag_list_init(&dl, 20);
    int rc =
        scenario_load("tests/input/full/scenario.json", "unused", &sc, &dl);
    for (size_t i = 0; i < dl.n; i++)
        fprintf(stderr, "unexpected: %s\n", dl.items[i].message);
    CHECK_INT(rc, 0);
    if (rc) {
        diag_list_release(&dl);
        return;
    }
    CHECK_STR(sc.path, "tests/input/full/scenario.json");
    CHECK_STR(sc.dir, "tests/input/full");
    CHECK_STR(sc.name, "full");
    CHECK_NEAR(sc.duration_s, 2.5 * 86400, 0);
    CHECK_INT(sc.start_unix, 1772337600); /* 2026-03-01T04:00:00Z */
    CHECK_INT(sc.seed, 42);
    CHECK_STR(sc.config, "tests/input/full/../pmta.conf");
    CHECK_INT(sc.n_models, 2);
    CHECK_STR(sc.models[0], "tests/input/full/../models/gmail.json");
    CHECK_STR(sc.models[1], "tests/input/full/../models/generic.json");
    CHECK_NEAR(sc.report_interval_s, 900, 0);
    CHECK_INT(sc.n_ips, 2);
    CHECK_STR(sc.ips[0].ip, "192.0.2.10");
    CHECK_NEAR(sc.ips[0].age_days, 3, 0);
    CHECK_NEAR(sc.ips[0].reputation, 0.8, 0);
    CHECK_STR(sc.ips[1].ip, "2001:db8::1");
    CHECK_NEAR(sc.ips[1].reputation, -1, 0);
    CHECK_INT(sc.rate_algo, SCEN_RATE_TOKEN_BUCKET);
    CHECK_STR(sc.source, "10.1.2.3");
    CHECK_INT(sc.sendlist_kind, SCEN_SL_GENERATE);
    CHECK(sc.sendlist_file == NULL, "sendlist_file set");
    CHECK_INT(sc.n_streams, 2);

    const struct scen_stream *a = &sc.streams[0], *b = &sc.streams[1];
    CHECK_STR(a->name, "newsletter");
    CHECK(a->vmta == NULL, "vmta set");
    CHECK_STR(a->pool, "pool1");
    CHECK_INT(a->n_volume, 3);
    CHECK_NEAR(a->volume_per_day[2], 4000, 0);
    CHECK_INT(a->arrivals, SCEN_ARR_POISSON);
    CHECK_NEAR(a->hourly_profile[0], 0, 0);
    CHECK_NEAR(a->hourly_profile[8], 4, 0);
    CHECK_INT(a->n_domains, 3);
    CHECK_STR(a->domains[0].domain, "gmail.com");
    CHECK_NEAR(a->domains[0].share, 3.0 / 8, 1e-12);
    CHECK_STR(a->domains[2].domain, "*");
    CHECK_NEAR(a->domains[2].share, 0.5, 1e-12);
    CHECK_NEAR(a->invalid_rate, 0.02, 0);
    CHECK_NEAR(a->complaint_rate, 0.001, 0);
    CHECK_NEAR(a->size_bytes, 51200, 0);
    CHECK_NEAR(a->deadline_s, 7200, 0);

    CHECK_STR(b->name, "promo");
    CHECK_STR(b->vmta, "vmta1");
    CHECK_INT(b->n_volume, 1);
    CHECK_INT(b->arrivals, SCEN_ARR_BLAST);
    CHECK_NEAR(b->blast_at_s, 9.5 * 3600, 0);
    CHECK_NEAR(b->blast_spread_s, 5400, 0);
    CHECK_NEAR(b->hourly_profile[5], 1, 0);
    CHECK_NEAR(b->domains[0].share, 1, 0);
    CHECK_NEAR(b->size_bytes, 12000, 0);
    CHECK_NEAR(b->deadline_s, -1, 0);
    CHECK_NEAR(b->invalid_rate, 0, 0);
    scenario_release(&sc);
    CHECK(sc.path == NULL && sc.streams == NULL, "release left pointers");
    diag_list_release(&dl);
}

/* test_defaults - a minimal scenario: every default, the model set. */
static void test_defaults(void)
{
    struct scenario sc;
    struct diag_list dl;
    char buf[32];

    diag_list_init(&dl, 20);
    int rc = scenario_load("tests/input/minimal.json", "tests/input/models",
                           &sc, &dl);
    CHECK_INT(rc, 0);
    CHECK_INT(dl.n, 0);
    if (rc) {
        diag_list_release(&dl);
        return;
    }
    CHECK_STR(sc.dir, "tests/input");
    CHECK_STR(sc.name, "minimal");
    CHECK_NEAR(sc.duration_s, 86400, 0);
    CHECK_INT(sc.start_unix, 1767225600);
    CHECK_INT(sc.seed, 1);
    CHECK_NEAR(sc.report_interval_s, 3600, 0);
    CHECK_INT(sc.rate_algo, SCEN_RATE_SLIDING);
    CHECK_STR(sc.source, "127.0.0.1");
    CHECK_INT(sc.n_ips, 0);
    CHECK_STR(sc.config, "tests/input/pmta.conf");
    CHECK_INT(sc.n_models, 2); /* README.md is not a model */
    CHECK_STR(sc.models[0], "tests/input/models/generic.json");
    CHECK_STR(sc.models[1], "tests/input/models/gmail.json");
    CHECK_INT(sc.sendlist_kind, SCEN_SL_CSV);
    CHECK_STR(sc.sendlist_file, "tests/input/sends.csv");
    CHECK_INT(sc.n_streams, 0);
    scenario_format_time(&sc, 0, buf, sizeof(buf));
    CHECK_STR(buf, "2026-01-01T00:00:00Z");
    scenario_format_time(&sc, 86400 * 59 + 3723.9, buf, sizeof(buf));
    CHECK_STR(buf, "2026-03-01T01:02:03Z");
    scenario_release(&sc);
    diag_list_release(&dl);
}

/* test_acct_kind - "format": "pmta-acct"; a file stem as the name. */
static void test_acct_kind(void)
{
    struct scenario sc;
    struct diag_list dl;

    diag_list_init(&dl, 20);
    CHECK_INT(scenario_load("tests/input/acct-scen.json", NULL, &sc, &dl), 0);
    CHECK_INT(sc.sendlist_kind, SCEN_SL_ACCT);
    CHECK_STR(sc.sendlist_file, "tests/input/acct.csv");
    CHECK_STR(sc.name, "acct-scen");
    CHECK_INT(sc.n_models, 1);
    scenario_release(&sc);
    diag_list_release(&dl);
}

/* test_no_models - no "models" and an empty models directory. */
static void test_no_models(void)
{
    struct scenario sc;
    struct diag_list dl;
    char dir[300], want[400];

    snprintf(dir, sizeof(dir), "%s/empty", tmpdir);
    CHECK_INT(mkdir(dir, 0700), 0);
    diag_list_init(&dl, 20);
    CHECK_INT(scenario_load("tests/input/minimal.json", dir, &sc, &dl), -1);
    CHECK_INT(dl.n_errors, 1);
    snprintf(want, sizeof(want),
             "no 'models' given and no model files ('*.json') in '%s'", dir);
    if (dl.n) {
        CHECK_STR(dl.items[0].file, "tests/input/minimal.json");
        CHECK_STR(dl.items[0].message, want);
    }
    diag_list_release(&dl);
}

/* The JSON around one error: the required keys, then the case's own. */
#define BASE   "{\"duration\": \"1d\", \"config\": \"pmta.conf\", "
#define CSV    "\"sendlist\": {\"file\": \"sends.csv\"}"
#define GEN(s) "\"sendlist\": {\"generate\": {\"streams\": [" s "]}}}"
#define STREAM(x)                                                              \
    "{\"name\": \"s\", \"volume_per_day\": 10, \"domains\": {\"a.com\": 1}" x  \
    "}"
#define SPATH "$.sendlist.generate.streams[0]"

/* An error case: the scenario text, and the first error's line, column
 * and message ("%s" stands for the scenario's directory). */
struct err_case {
    const char *json;
    int line, col;
    const char *msg;
};

static const struct err_case err_cases[] = {
    /* syntax */
    { "", 1, 1, "unexpected end of JSON input" },
    { "{\"duration\": \"1d\",\n  \"config\": }\n", 2, 13,
      "invalid JSON near '}'" },
    { "{\"a\": 1,}", 1, 9, "invalid JSON near '}'" },
    { "{\"a\": tru}", 1, 7, "invalid JSON near 'tru}'" },
    { "{\n\"a\": 1} x", 2, 9, "invalid JSON near 'x'" },
    { "{\"a\": [1,\n", 2, 1, "unexpected end of JSON input" },
    { "[1, 2]", 0, 0, "$: expected an object (a scenario)" },
    /* required and unknown keys */
    { "{\"config\": \"pmta.conf\", " CSV "}", 0, 0,
      "$: missing required key 'duration'" },
    { "{\"duration\": \"1d\", " CSV "}", 0, 0,
      "$: missing required key 'config'" },
    { "{\"duration\": \"1d\", \"config\": \"pmta.conf\"}", 0, 0,
      "$: missing required key 'sendlist'" },
    { BASE "\"sede\": 1, " CSV "}", 0, 0,
      "$: unknown key 'sede' (did you mean 'seed'?)" },
    { BASE "\"zzz\": 1, " CSV "}", 0, 0, "$: unknown key 'zzz'" },
    { BASE "\"seed\": 1, \"seed\": 2, " CSV "}", 0, 0,
      "$.seed: duplicate key" },
    /* top-level values */
    { "{\"duration\": \"3x\", \"config\": \"pmta.conf\", " CSV "}", 0, 0,
      "$.duration: invalid interval '3x' (unknown time unit 'x')" },
    { "{\"duration\": \"0s\", \"config\": \"pmta.conf\", " CSV "}", 0, 0,
      "$.duration: expected a duration longer than 0s" },
    { "{\"duration\": true, \"config\": \"pmta.conf\", " CSV "}", 0, 0,
      "$.duration: expected a time interval such as '30d' or '1h30m'" },
    { BASE "\"start\": \"2026-02-30T00:00:00Z\", " CSV "}", 0, 0,
      "$.start: invalid time '2026-02-30T00:00:00Z' (expected ISO 8601 such "
      "as '2026-01-01T00:00:00Z')" },
    { BASE "\"start\": 5, " CSV "}", 0, 0,
      "$.start: expected a non-empty string" },
    { BASE "\"seed\": -1, " CSV "}", 0, 0,
      "$.seed: expected a non-negative integer" },
    { BASE "\"seed\": 1.5, " CSV "}", 0, 0,
      "$.seed: expected a non-negative integer" },
    { "{\"duration\": \"1d\", \"config\": \"nope.conf\", " CSV "}", 0, 0,
      "$.config: cannot read '%s/nope.conf': No such file or directory" },
    { BASE "\"models\": [], " CSV "}", 0, 0,
      "$.models: expected a non-empty list of model files" },
    { BASE "\"models\": [\"models/generic.json\", \"x.json\"], " CSV "}", 0, 0,
      "$.models[1]: cannot read '%s/x.json': No such file or directory" },
    { BASE "\"models\": [3], " CSV "}", 0, 0,
      "$.models[0]: expected a file name" },
    { BASE "\"report\": \"1h\", " CSV "}", 0, 0,
      "$.report: expected an object such as {\"interval\": \"1h\"}" },
    { BASE "\"report\": {\"interval\": \"0s\"}, " CSV "}", 0, 0,
      "$.report.interval: 0 s is shorter than the limit of 1s" },
    { BASE "\"report\": {\"intervl\": \"1h\"}, " CSV "}", 0, 0,
      "$.report: unknown key 'intervl' (did you mean 'interval'?)" },
    { BASE "\"ips\": {\"300.1.1.1\": {}}, " CSV "}", 0, 0,
      "$.ips['300.1.1.1']: invalid IP address '300.1.1.1'" },
    { BASE "\"ips\": {\"192.0.2.1\": {\"age_days\": \"x\"}}, " CSV "}", 0, 0,
      "$.ips['192.0.2.1'].age_days: expected a number between 0 and 36500" },
    { BASE "\"ips\": {\"192.0.2.1\": {\"reputation\": 1.5}}, " CSV "}", 0, 0,
      "$.ips['192.0.2.1'].reputation: expected a number between 0 and 1" },
    { BASE "\"ips\": {\"192.0.2.1\": {\"age\": 1}}, " CSV "}", 0, 0,
      "$.ips['192.0.2.1']: unknown key 'age'" },
    { BASE "\"ips\": {\"192.0.2.1\": 3}, " CSV "}", 0, 0,
      "$.ips['192.0.2.1']: expected an object such as {\"age_days\": 0, "
      "\"reputation\": 0.5}" },
    { BASE "\"ips\": [\"192.0.2.1\"], " CSV "}", 0, 0,
      "$.ips: expected an object keyed by IP address" },
    { BASE "\"rate_window\": \"fixed\", " CSV "}", 0, 0,
      "$.rate_window: unknown rate window 'fixed' (expected 'sliding', "
      "'token-bucket' or 'even')" },
    { BASE "\"source\": \"localhost\", " CSV "}", 0, 0,
      "$.source: invalid IP address 'localhost'" },
    /* the send list */
    { BASE "\"sendlist\": []}", 0, 0,
      "$.sendlist: expected an object with 'file' or 'generate'" },
    { BASE "\"sendlist\": {}}", 0, 0,
      "$.sendlist: expected 'file' or 'generate'" },
    { BASE "\"sendlist\": {\"file\": \"sends.csv\", \"generate\": {}}}", 0, 0,
      "$.sendlist: set 'file' or 'generate', not both" },
    { BASE "\"sendlist\": {\"file\": \"sends.csv\", \"format\": \"xml\"}}", 0,
      0,
      "$.sendlist.format: unknown format 'xml' (expected 'csv' or "
      "'pmta-acct')" },
    { BASE "\"sendlist\": {\"file\": \"none.csv\"}}", 0, 0,
      "$.sendlist.file: cannot read '%s/none.csv': No such file or "
      "directory" },
    { BASE "\"sendlist\": {\"file\": \"sends.csv\", \"fromat\": \"csv\"}}", 0,
      0, "$.sendlist: unknown key 'fromat' (did you mean 'format'?)" },
    { BASE
      "\"sendlist\": {\"format\": \"csv\", \"generate\": {\"streams\": [" STREAM(
          "") "]}}}",
      0, 0, "$.sendlist.format: applies to 'file' send lists only" },
    { BASE "\"sendlist\": {\"generate\": {}}}", 0, 0,
      "$.sendlist.generate: missing required key 'streams'" },
    { BASE GEN(""), 0, 0,
      "$.sendlist.generate.streams: expected a non-empty list of streams" },
    { BASE GEN("3"), 0, 0, SPATH ": expected an object (a stream)" },
    { BASE GEN("{\"name\": \"s\", \"volume_per_day\": \"x\", \"domains\": "
               "{\"a.com\": 1}}"),
      0, 0, SPATH ".volume_per_day: expected a number or a list of numbers" },
    { BASE GEN(STREAM("") ", " STREAM(
          "") ", {\"name\": \"u\", "
              "\"volume_per_day\": [5], \"domains\": {\"a.com\": 1}}"),
      0, 0, "$.sendlist.generate.streams[1].name: duplicate stream name 's'" },
    { BASE GEN("{\"name\": \"s\", \"volume_per_day\": [1, -2], \"domains\": "
               "{\"a.com\": 1}}"),
      0, 0,
      SPATH ".volume_per_day[1]: expected a number between 0 and 100000000 "
            "(the limit per stream and day)" },
    { BASE GEN("{\"name\": \"s\", \"domains\": {\"a.com\": 1}}"), 0, 0,
      SPATH ": missing required key 'volume_per_day'" },
    { BASE GEN("{\"volume_per_day\": 1, \"domains\": {\"a.com\": 1}}"), 0, 0,
      SPATH ": missing required key 'name'" },
    { BASE GEN("{\"name\": \"s\", \"volume_per_day\": 1}"), 0, 0,
      SPATH ": missing required key 'domains' (shares by domain, e.g. "
            "{\"gmail.com\": 0.4, \"*\": 0.6})" },
    { BASE GEN(STREAM(", \"arivals\": \"blast\"")), 0, 0,
      SPATH ": unknown key 'arivals' (did you mean 'arrivals'?)" },
    { BASE GEN(STREAM(", \"vmta\": \"v\", \"pool\": \"p\"")), 0, 0,
      SPATH ": set 'vmta' or 'pool', not both" },
    { BASE GEN(STREAM(", \"hourly_profile\": [1, 2]")), 0, 0,
      SPATH ".hourly_profile: expected a list of 24 numbers (one weight per "
            "hour)" },
    { BASE GEN(STREAM(", \"hourly_profile\": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
                      "0,0,0,0,0,0,0,0,0]")),
      0, 0, SPATH ".hourly_profile: expected at least one positive weight" },
    { BASE GEN(STREAM(", \"hourly_profile\": [1,1,1,-1,1,1,1,1,1,1,1,1,1,1,1,"
                      "1,1,1,1,1,1,1,1,1]")),
      0, 0, SPATH ".hourly_profile[3]: expected a number >= 0" },
    { BASE GEN(STREAM(", \"arrivals\": \"burst\"")), 0, 0,
      SPATH ".arrivals: unknown arrivals 'burst' (expected 'poisson' or "
            "'blast')" },
    { BASE GEN(STREAM(", \"arrivals\": \"blast\"")), 0, 0,
      SPATH ": missing required key 'at' (the blast's start, \"HH:MM\")" },
    { BASE GEN(STREAM(", \"arrivals\": \"blast\", \"at\": \"9:30\"")), 0, 0,
      SPATH ".at: invalid time of day '9:30' (expected HH:MM)" },
    { BASE GEN(STREAM(", \"arrivals\": \"blast\", \"at\": \"24:00\"")), 0, 0,
      SPATH ".at: invalid time of day '24:00' (expected HH:MM)" },
    { BASE GEN(STREAM(", \"arrivals\": \"blast\", \"at\": \"09:30\", "
                      "\"spread\": \"25h\"")),
      0, 0, SPATH ".spread: expected at most 24h (one blast a day)" },
    { BASE GEN(STREAM(", \"arrivals\": \"blast\", \"at\": \"09:30\", "
                      "\"hourly_profile\": []")),
      0, 0, SPATH ".hourly_profile: applies to poisson arrivals only" },
    { BASE GEN(STREAM(", \"at\": \"09:30\"")), 0, 0,
      SPATH ".at: applies to blast arrivals only (set \"arrivals\": "
            "\"blast\")" },
    { BASE GEN("{\"name\": \"s\", \"volume_per_day\": 1, \"domains\": {}}"), 0,
      0,
      SPATH ".domains: expected an object of shares by domain, e.g. "
            "{\"gmail.com\": 0.4, \"*\": 0.6}" },
    { BASE GEN("{\"name\": \"s\", \"volume_per_day\": 1, \"domains\": "
               "{\"gmail.com\": 0}}"),
      0, 0, SPATH ".domains['gmail.com']: expected a positive number" },
    { BASE GEN("{\"name\": \"s\", \"volume_per_day\": 1, \"domains\": "
               "{\"a b\": 1}}"),
      0, 0, SPATH ".domains['a b']: invalid domain 'a b'" },
    { BASE GEN(STREAM(", \"invalid_rate\": 1.5")), 0, 0,
      SPATH ".invalid_rate: expected a number between 0 and 1" },
    { BASE GEN(STREAM(", \"complaint_rate\": -0.1")), 0, 0,
      SPATH ".complaint_rate: expected a number between 0 and 1" },
    { BASE GEN(STREAM(", \"size_bytes\": \"big\"")), 0, 0,
      SPATH ".size_bytes: expected a size in bytes such as 50000 or '50k'" },
    { BASE GEN(STREAM(", \"deadline\": \"2x\"")), 0, 0,
      SPATH ".deadline: invalid interval '2x' (unknown time unit 'x')" },
    { BASE GEN(STREAM(", \"deadline\": \"0s\"")), 0, 0,
      SPATH ".deadline: expected an interval longer than 0s" },
    { BASE GEN(STREAM(", \"vmta\": \"\"")), 0, 0,
      SPATH ".vmta: expected a non-empty string" },
};

/* expand - msg with "%s" replaced by the scenario directory. */
static void expand(char *buf, size_t n, const char *msg)
{
    const char *at = strstr(msg, "%s");

    if (at == NULL)
        snprintf(buf, n, "%s", msg);
    else
        snprintf(buf, n, "%.*s%s%s", (int)(at - msg), msg, tmpdir, at + 2);
}

/* test_errors - each case gives exactly one error, with its text. */
static void test_errors(void)
{
    for (size_t i = 0; i < N_ELEM(err_cases); i++) {
        const struct err_case *c = &err_cases[i];
        struct scenario sc;
        struct diag_list dl;
        char want[512];
        const char *path = write_file("s.json", c->json);

        expand(want, sizeof(want), c->msg);
        diag_list_init(&dl, 20);
        CHECK(scenario_load(path, NULL, &sc, &dl) == -1, "case %zu loads", i);
        CHECK(dl.n_errors == 1, "case %zu: %zu errors", i, dl.n_errors);
        if (dl.n) {
            CHECK_STR(dl.items[0].message, want);
            CHECK_STR(dl.items[0].file, path);
            CHECK(dl.items[0].line == c->line && dl.items[0].col == c->col,
                  "case %zu at %d:%d, want %d:%d", i, dl.items[0].line,
                  dl.items[0].col, c->line, c->col);
        }
        CHECK(sc.path == NULL, "case %zu: not released", i);
        diag_list_release(&dl);
    }
}

/* test_many_errors - loading goes on after an error. */
static void test_many_errors(void)
{
    struct scenario sc;
    struct diag_list dl;
    const char *path = write_file(
        "m.json", "{\"duration\": \"x\", \"seed\": \"1\", \"rate_window\": 3}");

    diag_list_init(&dl, 20);
    CHECK_INT(scenario_load(path, NULL, &sc, &dl), -1);
    CHECK_INT(dl.n_errors, 5);
    if (dl.n == 5) {
        CHECK_STR(dl.items[0].message,
                  "$.duration: invalid interval 'x' (expected a number)");
        CHECK_STR(dl.items[1].message,
                  "$.seed: expected a non-negative integer");
        CHECK_STR(dl.items[2].message, "$: missing required key 'config'");
        CHECK_STR(dl.items[3].message,
                  "$.rate_window: expected a non-empty string");
        CHECK_STR(dl.items[4].message, "$: missing required key 'sendlist'");
    }
    diag_list_release(&dl);
}

/* test_syntax_caret - a syntax error carries its line for the caret. */
static void test_syntax_caret(void)
{
    struct scenario sc;
    struct diag_list dl;
    const char *path = write_file("c.json", "{\n  \"seed\": 1 2\n}\n");

    diag_list_init(&dl, 20);
    CHECK_INT(scenario_load(path, NULL, &sc, &dl), -1);
    if (dl.n) {
        CHECK_STR(dl.items[0].message, "invalid JSON near '2'");
        CHECK_INT(dl.items[0].line, 2);
        CHECK_INT(dl.items[0].col, 13);
        CHECK(dl.items[0].source_line != NULL, "no source line");
        if (dl.items[0].source_line)
            CHECK_STR(dl.items[0].source_line, "  \"seed\": 1 2");
    }
    diag_list_release(&dl);
}

/* test_missing_file - a scenario that does not exist. */
static void test_missing_file(void)
{
    struct scenario sc;
    struct diag_list dl;

    diag_list_init(&dl, 20);
    CHECK_INT(scenario_load("tests/input/nope.json", NULL, &sc, &dl), -1);
    CHECK_INT(dl.n_errors, 1);
    if (dl.n)
        CHECK_STR(dl.items[0].message,
                  "cannot read scenario: No such file or directory");
    diag_list_release(&dl);
}

/* test_start_forms - the accepted spellings of "start". */
static void test_start_forms(void)
{
    static const struct {
        const char *start;
        int64_t want;
    } cases[] = {
        { "2026-01-01T00:00:00Z", 1767225600 },
        { "2026-01-01T02:00:00+02:00", 1767225600 },
        { "2026-01-01 02:00:00+0200", 1767225600 },
        { "2025-12-31T19:00:00-05:00", 1767225600 },
        { "2026-06-15T12:30:00Z", 1781526600 },
    };

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        struct scenario sc;
        struct diag_list dl;
        char json[256];
        snprintf(json, sizeof(json), BASE "\"start\": \"%s\", " CSV "}",
                 cases[i].start);
        diag_list_init(&dl, 20);
        int rc = scenario_load(write_file("t.json", json), NULL, &sc, &dl);
        CHECK(rc == 0, "start '%s' rejected", cases[i].start);
        if (rc == 0)
            CHECK_INT(sc.start_unix, cases[i].want);
        scenario_release(&sc);
        diag_list_release(&dl);
    }
}

/* setup - the files the error cases refer to. */
static int setup(void)
{
    char dir[300];

    if (mkdtemp(tmpdir) == NULL)
        return -1;
    write_file("pmta.conf", "# empty\n");
    write_file("sends.csv", "time,rcpt\n0,a@b.com\n");
    snprintf(dir, sizeof(dir), "%s/models", tmpdir);
    if (mkdir(dir, 0700) < 0)
        return -1;
    write_file("models/generic.json", "{}\n");
    return 0;
}

int main(void)
{
    char cmd[300];

    if (setup() < 0) {
        perror("setup");
        return 1;
    }
    test_full();
    test_defaults();
    test_acct_kind();
    test_no_models();
    test_errors();
    test_many_errors();
    test_syntax_caret();
    test_missing_file();
    test_start_forms();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_done();
}
