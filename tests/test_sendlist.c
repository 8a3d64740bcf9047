/* test_sendlist.c - the send-list sources (input/sendlist.c, sl_csv.c,
 * sl_acct.c, sl_gen.c): CSV and accounting fixtures in tests/input/, the
 * exact text of reader errors, and statistical checks of the generator
 * with 5-sigma tolerances. */
#include "input/sendlist.h"
#include "input/sl_int.h"
#include "test.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <unistd.h>

#define N_ELEM(a)  (sizeof(a) / sizeof((a)[0]))
#define START_2026 1767225600 /* 2026-01-01T00:00:00Z */

static char tmpdir[] = "/tmp/test_sendlist-XXXXXX";

/* One record as the tests keep it (strings copied). */
struct rec {
    int64_t t_us;
    uint64_t id;
    char *rcpt, *domain, *vmta, *pool, *stream;
    uint32_t size;
    int invalid, complains;
    uint32_t domain_ix;
};

struct recs {
    struct rec *v;
    size_t n, cap;
    int rc; /* the last sendlist_next result */
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* collect - every record of sl (at most max). */
static void collect(struct sendlist *sl, struct recs *out, size_t max)
{
    struct send_rec r;

    memset(out, 0, sizeof(*out));
    while (out->n < max && (out->rc = sendlist_next(sl, &r)) > 0) {
        XGROW(out->v, out->n, out->cap);
        struct rec *x = &out->v[out->n++];
        x->t_us = r.t_us;
        x->id = r.id;
        x->rcpt = dup_or_null(r.rcpt);
        x->domain = dup_or_null(r.domain);
        x->vmta = dup_or_null(r.vmta);
        x->pool = dup_or_null(r.pool);
        x->stream = xstrdup(sendlist_stream(sl, (size_t)r.stream)->name);
        x->size = r.size;
        x->invalid = r.invalid;
        x->complains = r.complains;
        x->domain_ix = r.domain_ix;
    }
}

static void recs_release(struct recs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].rcpt);
        free(rs->v[i].domain);
        free(rs->v[i].vmta);
        free(rs->v[i].pool);
        free(rs->v[i].stream);
    }
    free(rs->v);
    memset(rs, 0, sizeof(*rs));
}

/* opt_eq - two optional strings are equal. */
static int opt_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

#define CHECK_OPT(got, want)                                                   \
    CHECK(opt_eq((got), (want)), "got '%s', want '%s'",                        \
          (got) ? (got) : "(null)", (want) ? (want) : "(null)")

/* file_scenario - a scenario reading path as kind. */
static void file_scenario(struct scenario *sc, const char *path,
                          enum scen_sendlist_kind kind, double duration_s)
{
    memset(sc, 0, sizeof(*sc));
    sc->path = xstrdup("test.json");
    sc->dir = xstrdup(".");
    sc->name = xstrdup("test");
    sc->duration_s = duration_s;
    sc->start_unix = START_2026;
    sc->seed = 1;
    sc->sendlist_kind = kind;
    sc->sendlist_file = xstrdup(path);
}

/* write_tmp - text into tmpdir/name; returns the path (static buffer). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fp = fopen(path, "wb");
    if (fp == NULL)
        return path;
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* ------------------------------------------------------------- times */

/* test_datetime - the time-stamp forms of ISO 8601 and PowerMTA. */
static void test_datetime(void)
{
    static const struct {
        const char *in;
        int rc;
        int64_t want_s;
        int64_t frac_us;
    } cases[] = {
        { "2026-01-01T00:00:00Z", 0, START_2026, 0 },
        { "2026-01-01 00:00:00Z", 0, START_2026, 0 },
        { "2026-01-01T02:00:00+02:00", 0, START_2026, 0 },
        { "2026-01-01 02:00:00+0200", 0, START_2026, 0 },
        { "2026-01-01 02:00:00 +0200", 0, START_2026, 0 },
        { "2025-12-31T19:00:00-05", 0, START_2026, 0 },
        { "2026-01-01T00:00:00", 0, START_2026, 0 },
        { "2026-01-01T00:00", 0, START_2026, 0 },
        { "2026-01-01T00:00:01.25Z", 0, START_2026 + 1, 250000 },
        { "2026-01-01T00:00:01.1234567Z", 0, START_2026 + 1, 123457 },
        { "2016-05-29 01:10:51+0200", 0, 1464477051, 0 },
        { "2024-02-29T00:00:00Z", 0, 1709164800, 0 },
        { "1970-01-01T00:00:00Z", 0, 0, 0 },
        { "2025-02-29T00:00:00Z", -1, 0, 0 },
        { "2026-13-01T00:00:00Z", -1, 0, 0 },
        { "2026-01-01T24:00:00Z", -1, 0, 0 },
        { "2026-01-01T00:00:00+2", -1, 0, 0 },
        { "2026-01-01T00:00:00Zjunk", -1, 0, 0 },
        { "2026-01-01", -1, 0, 0 },
        { "1767225600", -1, 0, 0 },
        { "", -1, 0, 0 },
    };

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int64_t us = -1;
        int rc = sl_parse_datetime(cases[i].in, &us);
        CHECK(rc == cases[i].rc, "'%s': rc %d", cases[i].in, rc);
        if (rc == 0 && cases[i].rc == 0)
            CHECK_INT(us, cases[i].want_s * 1000000 + cases[i].frac_us);
    }
}

/* test_seconds - decimal seconds to microseconds. */
static void test_seconds(void)
{
    static const struct {
        const char *in;
        int rc;
        int64_t want_us;
    } cases[] = {
        { "0", 0, 0 },
        { "12", 0, 12000000 },
        { "1.5", 0, 1500000 },
        { "0.000001", 0, 1 },
        { "2.0000005", 0, 2000001 },
        { "86400.25", 0, 86400250000 },
        { "-1", -1, 0 },
        { "1e3", -1, 0 },
        { "1.", -1, 0 },
        { ".5", -1, 0 },
        { "", -1, 0 },
        { "12 ", -1, 0 },
    };

    for (size_t i = 0; i < N_ELEM(cases); i++) {
        int64_t us = -1;
        int rc = sl_parse_seconds(cases[i].in, &us);
        CHECK(rc == cases[i].rc, "'%s': rc %d", cases[i].in, rc);
        if (rc == 0)
            CHECK_INT(us, cases[i].want_us);
    }
}

/* --------------------------------------------------------------- CSV */

/* An expected record: time, rcpt, domain, vmta, pool, stream, size,
 * invalid, complains. */
struct want {
    int64_t t_us;
    const char *rcpt, *domain, *vmta, *pool, *stream;
    uint32_t size;
    int invalid, complains;
};

/* check_recs - rs against the expected records, ids 0, 1, 2, ... */
static void check_recs(const struct recs *rs, const struct want *w, size_t n)
{
    CHECK_INT(rs->n, n);
    for (size_t i = 0; i < n && i < rs->n; i++) {
        const struct rec *r = &rs->v[i];
        CHECK_INT(r->id, i);
        CHECK_INT(r->t_us, w[i].t_us);
        CHECK_OPT(r->rcpt, w[i].rcpt);
        CHECK_OPT(r->domain, w[i].domain);
        CHECK_OPT(r->vmta, w[i].vmta);
        CHECK_OPT(r->pool, w[i].pool);
        CHECK_OPT(r->stream, w[i].stream);
        CHECK_INT(r->size, w[i].size);
        CHECK_INT(r->invalid, w[i].invalid);
        CHECK_INT(r->complains, w[i].complains);
        CHECK_INT(r->domain_ix, UINT32_MAX); /* files have no domain table */
    }
}

/* test_csv_good - quoting, CRLF, ISO times, streams, the duration. */
static void test_csv_good(void)
{
    static const struct want w[] = {
        { 0, "alice@Example.COM", "example.com", "vmta1", NULL, "news", 1200, 0,
          0 },
        { 500000, "bob,jr@example.org", "example.org", NULL, "pool1", "news", 0,
          1, 0 },
        { 1250000, NULL, "yahoo.com", NULL, NULL, "promo", 300, 0, 1 },
        { 2000000, "\"q\"@gmail.com", "gmail.com", NULL, NULL, "news", 0, 0,
          0 },
        { 2500000, "carol@hotmail.com", "hotmail.com", NULL, NULL,
          "multi\r\nline", 7, 0, 1 },
        { 3000000, "dave@x.net", "x.net", NULL, NULL, "default", 0, 0, 0 },
        { 86400000000, "eve@late.com", "late.com", NULL, NULL, "default", 0, 0,
          0 },
    };
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    struct recs rs;

    file_scenario(&sc, "tests/input/sends.csv", SCEN_SL_CSV, 86400);
    diag_list_init(&dl, 10);
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    if (sl) {
        collect(sl, &rs, 100);
        CHECK_INT(rs.rc, 0);
        check_recs(&rs, w, N_ELEM(w));
        CHECK_INT(sendlist_stream_count(sl), 4);
        CHECK_INT(sendlist_domain_count(sl), 0);
        CHECK_STR(sendlist_stream(sl, 0)->name, "news");
        CHECK_STR(sendlist_stream(sl, 3)->name, "default");
        CHECK_INT(sendlist_stream(sl, 0)->deadline_s, -1);
        CHECK(sendlist_stream(sl, 4) == NULL, "stream 4 exists");
        CHECK_INT(sendlist_next(sl, &(struct send_rec){ 0 }), 0);
        recs_release(&rs);
    }
    CHECK_INT(dl.n_errors, 0);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* test_csv_no_stream - without a stream column: one stream, "default". */
static void test_csv_no_stream(void)
{
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    struct recs rs;
    const char *p = write_tmp("nostream.csv", "domain,time\nA.com,1\n"
                                              "b.com,2\n");

    file_scenario(&sc, p, SCEN_SL_CSV, 10);
    diag_list_init(&dl, 10);
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    if (sl) {
        CHECK_INT(sendlist_stream_count(sl), 1);
        collect(sl, &rs, 10);
        CHECK_INT(rs.n, 2);
        CHECK_STR(rs.v[0].domain, "a.com");
        CHECK(rs.v[0].rcpt == NULL, "rcpt set");
        CHECK_STR(rs.v[1].stream, "default");
        recs_release(&rs);
    }
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* A reader error: file text, the line and the message of the first
 * error. */
struct err_case {
    const char *text;
    int line;
    const char *msg;
};

/* first_error - open text as kind and read to the end; the first error. */
static const struct diag *first_error(const char *text,
                                      enum scen_sendlist_kind kind,
                                      struct diag_list *dl, const char **path)
{
    struct scenario sc;
    struct rng g;
    struct recs rs;

    *path = write_tmp(kind == SCEN_SL_CSV ? "bad.csv" : "bad-acct.csv", text);
    file_scenario(&sc, *path, kind, 86400);
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, dl);
    if (sl) {
        collect(sl, &rs, 1000);
        CHECK_INT(rs.rc, -1);
        CHECK_INT(sendlist_next(sl, &(struct send_rec){ 0 }), -1);
        recs_release(&rs);
    }
    sendlist_close(sl);
    rng_release(&g);
    scenario_release(&sc);
    return dl->n ? &dl->items[0] : NULL;
}

/* run_err_cases - each case must give exactly its error. */
static void run_err_cases(const struct err_case *cases, size_t n,
                          enum scen_sendlist_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        struct diag_list dl;
        const char *path;
        diag_list_init(&dl, 10);
        const struct diag *d = first_error(cases[i].text, kind, &dl, &path);
        CHECK(d != NULL, "case %zu: no error", i);
        if (d) {
            CHECK_STR(d->file, path);
            CHECK_INT(d->line, cases[i].line);
            CHECK_STR(d->message, cases[i].msg);
        }
        diag_list_release(&dl);
    }
}

/* test_csv_errors - the exact text of every CSV error, with its line. */
static void test_csv_errors(void)
{
    static const struct err_case cases[] = {
        { "", 0,
          "empty send list (expected a header line such as "
          "'time,rcpt')" },
        { "rcpt,size\na@b.c,1\n", 1, "missing column 'time'" },
        { "time,size\n1,2\n", 1, "missing column 'rcpt' or 'domain'" },
        { "time,rcpt,TIME\n", 1, "duplicate column 'time'" },
        { "time,rcpt\n1,a@b.com\nsoon,b@b.com\n", 3,
          "invalid time 'soon' in column 'time' (expected seconds from the "
          "start or an ISO 8601 time)" },
        { "time,rcpt\n2025-12-31T23:59:59Z,a@b.com\n", 2,
          "time '2025-12-31T23:59:59Z' in column 'time' is before the "
          "scenario start" },
        { "time,rcpt\n5,a@b.com\n\n4,b@b.com\n", 4,
          "row is earlier than the previous one (send lists must be in time "
          "order)" },
        { "time,rcpt\n1,nobody\n", 2,
          "invalid recipient 'nobody' in column 'rcpt' (expected "
          "local@domain)" },
        { "time,rcpt\n1,x@\n", 2,
          "invalid recipient 'x@' in column 'rcpt' (expected local@domain)" },
        { "time,rcpt,domain\n1,,\n", 2,
          "row has no recipient (columns 'rcpt' and 'domain' are empty or "
          "missing)" },
        { "time,rcpt,size\n1,a@b.com,-5\n", 2,
          "invalid size '-5' in column 'size' (expected bytes, 0 to "
          "4294967295)" },
        { "time,rcpt,size\n1,a@b.com,4294967296\n", 2,
          "invalid size '4294967296' in column 'size' (expected bytes, 0 to "
          "4294967295)" },
        { "time,rcpt,invalid\n1,a@b.com,2\n", 2,
          "invalid value '2' in column 'invalid' (expected 0 or 1)" },
        { "time,rcpt,complaint\n1,a@b.com,maybe\n", 2,
          "invalid value 'maybe' in column 'complaint' (expected 0 or 1)" },
        { "time,rcpt\n1,a@b.com\n2,\"b@b.com\n3,c@b.com\n", 3,
          "unterminated quoted field" },
        { "time,rcpt\n\"1\r\n\",a@b.com\n", 2,
          "invalid time '1\r\n' in column 'time' (expected seconds from the "
          "start or an ISO 8601 time)" },
    };

    run_err_cases(cases, N_ELEM(cases), SCEN_SL_CSV);
}

/* test_csv_missing - a send list that does not exist. */
static void test_csv_missing(void)
{
    struct scenario sc;
    struct diag_list dl;
    struct rng g;

    file_scenario(&sc, "tests/input/no-such.csv", SCEN_SL_CSV, 10);
    diag_list_init(&dl, 10);
    rng_init(&g, 1, 0);
    CHECK(sendlist_open(&sc, &g, &dl) == NULL, "opened a missing file");
    CHECK_INT(dl.n_errors, 1);
    if (dl.n) {
        CHECK_STR(dl.items[0].file, "tests/input/no-such.csv");
        CHECK_STR(dl.items[0].message,
                  "cannot open send list: No such file or directory");
    }
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* -------------------------------------------------------- accounting */

/* test_acct - tests/input/acct.csv: a header, ragged rows, t/t/b rows of
 * one instance, an r record, two concatenated headers, ISO and time_t
 * times, and an instance queued out of order (see the comments in the
 * file for each row). */
static void test_acct(void)
{
    static const struct want w[] = {
        { 10000000, "a@gmail.com", "gmail.com", "vmta1", "pool1", "job1", 1000,
          0, 0 },
        /* bounced bad-mailbox after it was emitted: invalid all the same
         * (the first pass saw the bounce) */
        { 20000000, "b@Yahoo.com", "yahoo.com", "vmta1", "pool1", "job2", 2000,
          1, 0 },
        /* r record; the bounce came while it was buffered */
        { 100000000, "c@hotmail.com", "hotmail.com", "vmta2", NULL, "default",
          3000, 1, 0 },
        /* queued at +50 s, seen at +200 s: injected at the last time */
        { 100000000, "d@gmail.com", "gmail.com", "vmta1", "pool1", "job1", 700,
          0, 0 },
        { 150000000, "e@aol.com", "aol.com", "vmta1", "pool1", "job1", 500, 0,
          0 },
        { 290000000, "F@Outlook.COM", "outlook.com", "vmta3", NULL, "job3",
          4242, 0, 0 },
    };
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    struct recs rs;

    file_scenario(&sc, "tests/input/acct.csv", SCEN_SL_ACCT, 86400);
    diag_list_init(&dl, 10);
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    if (sl) {
        collect(sl, &rs, 100);
        CHECK_INT(rs.rc, 0);
        check_recs(&rs, w, N_ELEM(w));
        /* the out-of-order instance and the unknown record type */
        CHECK_INT(sendlist_adjusted(sl), 2);
        CHECK_INT(sendlist_stream_count(sl), 4);
        recs_release(&rs);
    }
    for (size_t i = 0; i < dl.n; i++)
        fprintf(stderr, "unexpected: %s:%d: %s\n", dl.items[i].file,
                dl.items[i].line, dl.items[i].message);
    CHECK_INT(dl.n_errors, 0);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* reorder_file - n instances; instance i is queued at 10 i s, and logged
 * (t, then d 5 s later) at 10 i + (i * 7919 % 3600) s; rows are in
 * timeLogged order, as PowerMTA writes them. */
static void reorder_file(struct strbuf *sb, int n)
{
    strbuf_init(sb);
    strbuf_adds(sb, "type,timeLogged,timeQueued,rcpt,jobId\n");
    for (int tl = 0; tl < 10 * n + 7200; tl++) {
        for (int i = tl / 10 - 400 < 0 ? 0 : tl / 10 - 400;
             i <= tl / 10 && i < n; i++) {
            int lag = i * 7919 % 3600;
            if (10 * i + lag == tl)
                strbuf_addf(sb, "t,%d,%d,u%d@x.com,j\n", START_2026 + tl,
                            START_2026 + 10 * i, i);
            if (10 * i + lag + 5 == tl)
                strbuf_addf(sb, "d,%d,%d,u%d@x.com,j\n", START_2026 + tl,
                            START_2026 + 10 * i, i);
        }
    }
}

/* test_acct_reorder - many instances logged up to an hour after they
 * were queued come out in enqueue order, each once. */
static void test_acct_reorder(void)
{
    struct strbuf sb;
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    struct recs rs;
    const int n = 2000;

    reorder_file(&sb, n);
    file_scenario(&sc, write_tmp("reorder.csv", sb.buf), SCEN_SL_ACCT, 86400);
    strbuf_release(&sb);
    diag_list_init(&dl, 10);
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    if (sl) {
        collect(sl, &rs, 10 * (size_t)n);
        CHECK_INT(rs.n, n);
        char *seen = xcalloc((size_t)n, 1);
        size_t late = 0, late_after_warmup = 0;
        for (size_t i = 0; i < rs.n; i++) {
            long k = strtol(rs.v[i].rcpt + 1, NULL, 10);
            if (k < 0 || k >= n || seen[k]++)
                CHECK(0, "recipient %s twice or unknown", rs.v[i].rcpt);
            else if (rs.v[i].t_us != (int64_t)k * 10000000) {
                late++;
                late_after_warmup += k >= 400;
            }
            if (i && rs.v[i].t_us < rs.v[i - 1].t_us)
                CHECK(0, "record %zu goes back in time", i);
        }
        free(seen);
        /* only instances whose lag beat every earlier one can be late,
         * and after the first hour the largest lag (3599 s) is known */
        CHECK_INT(late, sendlist_adjusted(sl));
        CHECK(late > 0 && late < 100, "%zu late", late);
        CHECK_INT(late_after_warmup, 0);
        recs_release(&rs);
    }
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* test_acct_errors - the exact text of accounting-file errors. */
static void test_acct_errors(void)
{
    static const struct err_case cases[] = {
        { "", 0,
          "empty accounting file (expected a header line starting "
          "with 'type')" },
        { "d,1767225600,1767225600,a@b.com\n", 1,
          "expected a header line starting with 'type' (accounting files "
          "begin with their column names)" },
        { "type,timeQueued,rcpt\n", 1,
          "missing column 'timeLogged' in the header" },
        { "type,timeLogged,timeQueued\n", 1,
          "missing column 'rcpt' in the header" },
        { "type,timeLogged,timeQueued,rcpt\nd,1767225600,1767225600,"
          "a@b.com\nd,yesterday,1767225600,b@b.com\n",
          3,
          "invalid time 'yesterday' in column 'timeLogged' (expected time_t "
          "seconds or 'YYYY-MM-DD HH:MM:SS+hhmm')" },
        { "type,timeLogged,timeQueued,rcpt\nd,1767225600,2026-01-01 "
          "00:00:00+2500,a@b.com\n",
          2,
          "invalid time '2026-01-01 00:00:00+2500' in column 'timeQueued' "
          "(expected time_t seconds or 'YYYY-MM-DD HH:MM:SS+hhmm')" },
        { "type,timeLogged,timeQueued,rcpt,dlvSize\nd,1767225600,1767225600,"
          "a@b.com,big\n",
          2, "invalid size 'big' in column 'dlvSize'" },
        { "type,timeLogged,timeQueued,rcpt\nd,1767225600,1767225600,\"a@b"
          ".com\n",
          2, "unterminated quoted field" },
    };

    run_err_cases(cases, N_ELEM(cases), SCEN_SL_ACCT);
}

/* test_acct_skips - every kind of skipped row is counted, the first
 * SENDLIST_SKIPS_SHOWN are listed with file:line and why, and the total
 * follows; a list with no skipped row reports nothing. */
static void test_acct_skips(void)
{
    static const char *const text =
        "type,timeLogged,timeQueued,rcpt\n"
        "d,1767225600,1767225600,ok1@b.com\n"
        "zz,1767225601,1767225600,a@b.com\n"  /* 3: unknown type */
        "d,,1767225600,b@b.com\n"             /* 4: no timeLogged */
        "d,1767225602,,c@b.com\n"             /* 5: no timeQueued */
        "d,1767225603,1767225600,\n"          /* 6: no rcpt */
        "d,1772496010,1767225610,e@b.com\n"   /* 7: 61 days in the queue */
        "d,1767225605,1767225605,ok2@b.com\n" /* 8: kept */
        "b,1799999999,1799999999,f@b.com\n";  /* 9: a year after the end */
    static const char *const want[] = {
        ":3: row skipped: unknown record type 'zz'",
        ":4: row skipped: no timeLogged",
        ":5: row skipped: no timeQueued (a 'd' row needs it)",
        ":6: row skipped: a 'd' row without rcpt",
        ":7: row skipped: timeLogged is more than 60 days after timeQueued",
        ":0: 6 rows skipped in all (the first 5 are listed above)",
    };
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    struct recs rs;

    file_scenario(&sc, write_tmp("skips.csv", text), SCEN_SL_ACCT, 864000);
    diag_list_init(&dl, 10);
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    if (sl) {
        collect(sl, &rs, 100);
        CHECK_INT(rs.rc, 0);
        CHECK_INT(rs.n, 2);
        CHECK_INT(sendlist_adjusted(sl), 6);
        CHECK_INT(dl.n, 0); /* nothing until asked */
        sendlist_report_skips(sl, &dl);
        CHECK_INT(dl.n, N_ELEM(want));
        CHECK_INT(dl.n_warnings, N_ELEM(want));
        for (size_t i = 0; i < dl.n && i < N_ELEM(want); i++) {
            char got[300];
            snprintf(got, sizeof(got), ":%d: %s", dl.items[i].line,
                     dl.items[i].message);
            CHECK_STR(got, want[i]);
            CHECK(strstr(dl.items[i].file, "skips.csv") != NULL, "file %s",
                  dl.items[i].file);
        }
        recs_release(&rs);
    }
    sendlist_close(sl);
    diag_list_release(&dl);
    scenario_release(&sc);

    /* the fixture: one unknown row (line 11), one row enqueued before the
     * start, and one recipient moved */
    file_scenario(&sc, "tests/input/acct.csv", SCEN_SL_ACCT, 86400);
    diag_list_init(&dl, 10);
    sl = sendlist_open(&sc, &g, &dl);
    if (sl) {
        collect(sl, &rs, 100);
        sendlist_report_skips(sl, &dl);
        CHECK_INT(dl.n, 3);
        if (dl.n == 3) {
            CHECK_INT(dl.items[0].line, 11);
            CHECK_STR(dl.items[0].message,
                      "row skipped: unknown record type 'x'");
            CHECK_STR(dl.items[1].message,
                      "1 row of recipients enqueued before the scenario's "
                      "\"start\": not sent");
            CHECK_STR(dl.items[2].message,
                      "1 recipient was enqueued out of time order, injected "
                      "at the time of the recipient before");
        }
        recs_release(&rs);
    }
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* --------------------------------------------------------- generator */

/* gen_scenario - a generated list with n streams (filled by the test). */
static void gen_scenario(struct scenario *sc, size_t n, double duration_s)
{
    memset(sc, 0, sizeof(*sc));
    sc->path = xstrdup("gen.json");
    sc->dir = xstrdup(".");
    sc->name = xstrdup("gen");
    sc->duration_s = duration_s;
    sc->start_unix = START_2026;
    sc->seed = 7;
    sc->sendlist_kind = SCEN_SL_GENERATE;
    sc->n_streams = n;
    sc->streams = xcalloc(n, sizeof(*sc->streams));
}

/* gen_stream - stream i: name, volumes, domains "d=share,...". */
static struct scen_stream *gen_stream(struct scenario *sc, size_t i,
                                      const char *name, const double *vol,
                                      size_t n_vol, const char *domains)
{
    struct scen_stream *st = &sc->streams[i];
    char *list = xstrdup(domains), *p = list;

    st->name = xstrdup(name);
    st->volume_per_day = xmalloc(n_vol * sizeof(double));
    memcpy(st->volume_per_day, vol, n_vol * sizeof(double));
    st->n_volume = n_vol;
    for (int h = 0; h < 24; h++)
        st->hourly_profile[h] = 1;
    st->deadline_s = -1;
    st->size_bytes = 1000;
    while (*p) {
        char *comma = strchr(p, ','), *eq = strchr(p, '=');
        if (comma)
            *comma = '\0';
        *eq = '\0';
        st->domains =
            xreallocarray(st->domains, st->n_domains + 1, sizeof(*st->domains));
        st->domains[st->n_domains].domain = xstrdup(p);
        st->domains[st->n_domains++].share = strtod(eq + 1, NULL);
        p = comma ? comma + 1 : p + strlen(p);
    }
    free(list);
    return st;
}

/* run_gen - every record of the scenario's generated list. */
static void run_gen(const struct scenario *sc, uint64_t seed, struct recs *rs)
{
    struct diag_list dl;
    struct rng g;

    diag_list_init(&dl, 10);
    rng_init(&g, seed, 0);
    struct sendlist *sl = sendlist_open(sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    memset(rs, 0, sizeof(*rs));
    if (sl)
        collect(sl, rs, 10000000);
    CHECK_INT(rs->rc, 0);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
}

/* test_gen_volume - Poisson counts per day within 5 sigma of the volume
 * (the last value repeating), times in order and within the duration. */
static void test_gen_volume(void)
{
    static const double vol[] = { 1000, 3000, 500 };
    size_t per_day[5] = { 0 };
    struct scenario sc;
    struct recs rs;

    gen_scenario(&sc, 1, 5 * 86400.0);
    gen_stream(&sc, 0, "s", vol, 3, "a.com=1");
    run_gen(&sc, 7, &rs);
    size_t bad = 0;
    for (size_t i = 0; i < rs.n; i++) {
        bad += rs.v[i].t_us < 0 || rs.v[i].t_us > 5 * 86400000000LL ||
               (i && rs.v[i].t_us < rs.v[i - 1].t_us) || rs.v[i].id != i;
        if (rs.v[i].t_us >= 0 && rs.v[i].t_us < 5 * 86400000000LL)
            per_day[rs.v[i].t_us / 86400000000LL]++;
    }
    CHECK_INT(bad, 0); /* times in order, within the duration; ids 0.. */
    for (int d = 0; d < 5; d++) {
        double want = vol[d < 3 ? d : 2];
        CHECK_NEAR(per_day[d], want, 5 * sqrt(want));
    }
    CHECK_STR(rs.v[0].domain, "a.com");
    CHECK_INT(rs.v[0].size, 1000);
    CHECK(strcmp(rs.v[0].rcpt, "u0@a.com") == 0, "rcpt %s", rs.v[0].rcpt);
    recs_release(&rs);
    scenario_release(&sc);
}

/* test_gen_blast - round(volume) a day, exactly evenly spaced. */
static void test_gen_blast(void)
{
    static const double vol[] = { 10, 4, 0 };
    struct scenario sc;
    struct recs rs;

    gen_scenario(&sc, 1, 4 * 86400.0);
    struct scen_stream *st = gen_stream(&sc, 0, "b", vol, 3, "a.com=1");
    st->arrivals = SCEN_ARR_BLAST;
    st->blast_at_s = 9 * 3600 + 30 * 60;
    st->blast_spread_s = 3600;
    st->vmta = xstrdup("vmta1");
    run_gen(&sc, 7, &rs);
    CHECK_INT(rs.n, 14);
    for (size_t i = 0; i < rs.n && i < 14; i++) {
        int64_t want = i < 10 ? 34200000000LL + (int64_t)i * 360000000
                              : 86400000000LL + 34200000000LL +
                                    (int64_t)(i - 10) * 900000000;
        CHECK_INT(rs.v[i].t_us, want);
        CHECK_OPT(rs.v[i].vmta, "vmta1");
        CHECK(rs.v[i].pool == NULL, "pool set");
    }
    recs_release(&rs);
    scenario_release(&sc);
}

/* test_gen_domains - shares and the Zipf tail within 5 sigma. */
static void test_gen_domains(void)
{
    static const double vol[] = { 100000 };
    const double share[3] = { 0.5, 0.3, 0.2 };
    size_t count[3] = { 0 }, tail0 = 0, tail1 = 0;
    struct scenario sc;
    struct recs rs;

    gen_scenario(&sc, 1, 86400.0);
    gen_stream(&sc, 0, "s", vol, 1, "a.com=0.5,b.com=0.3,*=0.2");
    run_gen(&sc, 7, &rs);
    for (size_t i = 0; i < rs.n; i++) {
        const char *d = rs.v[i].domain;
        count[strcmp(d, "a.com") == 0 ? 0 : strcmp(d, "b.com") == 0 ? 1 : 2]++;
        tail0 += strcmp(d, "tail0000.example") == 0;
        tail1 += strcmp(d, "tail0001.example") == 0;
        if (count[2] && strncmp(d, "tail", 4) && strcmp(d, "a.com") &&
            strcmp(d, "b.com"))
            CHECK(0, "domain %s", d);
    }
    for (int k = 0; k < 3; k++) {
        double n = (double)rs.n, p = share[k];
        CHECK_NEAR(count[k], n * p, 5 * sqrt(n * p * (1 - p)));
    }
    /* Zipf(1) over 1000 names: P(rank 0) = 1 / H(1000) = 0.1336 */
    double p0 = 1 / 7.485470860550345, nt = (double)count[2];
    CHECK_NEAR(tail0, nt * p0, 5 * sqrt(nt * p0 * (1 - p0)));
    CHECK_NEAR(tail1, nt * p0 / 2, 5 * sqrt(nt * p0 / 2));
    recs_release(&rs);
    scenario_release(&sc);
}

/* test_gen_rates - invalid and complaint rates within 5 sigma; a size of
 * 0 draws sizes (median 20 KiB). */
static void test_gen_rates(void)
{
    static const double vol[] = { 50000 };
    size_t inv = 0, comp = 0, below = 0;
    struct scenario sc;
    struct recs rs;

    gen_scenario(&sc, 1, 86400.0);
    struct scen_stream *st = gen_stream(&sc, 0, "s", vol, 1, "a.com=1");
    st->invalid_rate = 0.05;
    st->complaint_rate = 0.002;
    st->size_bytes = 0;
    run_gen(&sc, 7, &rs);
    for (size_t i = 0; i < rs.n; i++) {
        inv += (size_t)rs.v[i].invalid;
        comp += (size_t)rs.v[i].complains;
        below += rs.v[i].size < 20480;
        if (rs.v[i].size < 1024 || rs.v[i].size > 10485760)
            CHECK(0, "size %u", rs.v[i].size);
    }
    double n = (double)rs.n;
    CHECK_NEAR(inv, n * 0.05, 5 * sqrt(n * 0.05 * 0.95));
    CHECK_NEAR(comp, n * 0.002, 5 * sqrt(n * 0.002 * 0.998));
    CHECK_NEAR(below, n * 0.5, 5 * sqrt(n * 0.25));
    recs_release(&rs);
    scenario_release(&sc);
}

/* test_gen_block - a recipient's domain, unknown-user and complaint
 * draws are words 0, 2 and 3 of its one Philox block (RNG_RECIPIENT, id),
 * so the three are independent: with even odds for each, every one of
 * the 8 combinations takes an eighth of the recipients. Drawing two of
 * them from the same word would empty half the combinations. */
static void test_gen_block(void)
{
    static const double vol[] = { 40000 };
    size_t cell[8] = { 0 }, exact = 0;
    struct scenario sc;
    struct recs rs;
    struct rng g;

    gen_scenario(&sc, 1, 86400.0);
    struct scen_stream *st =
        gen_stream(&sc, 0, "s", vol, 1, "a.example=1,b.example=1");
    st->invalid_rate = 0.5;
    st->complaint_rate = 0.5;
    run_gen(&sc, 11, &rs);
    rng_init(&g, 11, 0);
    for (size_t i = 0; i < rs.n; i++) {
        const struct rec *r = &rs.v[i];
        int b = r->domain && strcmp(r->domain, "b.example") == 0;
        cell[b * 4 + r->invalid * 2 + r->complains]++;
        philox4x64_ctr_t w = rng_block(&g, RNG_RECIPIENT, r->id, 0);
        exact += r->invalid == (rng_u01(w.v[2]) < 0.5) &&
                 r->complains == (rng_u01(w.v[3]) < 0.5);
    }
    double n = (double)rs.n;
    for (int c = 0; c < 8; c++)
        CHECK_NEAR(cell[c], n / 8, 5 * sqrt(n / 8 * 7 / 8));
    CHECK_INT(exact, rs.n);
    rng_release(&g);
    recs_release(&rs);
    scenario_release(&sc);
}

/* recs_equal - the same records, field by field. */
static int recs_equal(const struct recs *a, const struct recs *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct rec *x = &a->v[i], *y = &b->v[i];
        if (x->t_us != y->t_us || x->id != y->id || x->size != y->size ||
            x->invalid != y->invalid || x->complains != y->complains ||
            !opt_eq(x->rcpt, y->rcpt) || !opt_eq(x->domain, y->domain) ||
            !opt_eq(x->vmta, y->vmta) || !opt_eq(x->pool, y->pool) ||
            !opt_eq(x->stream, y->stream))
            return 0;
    }
    return 1;
}

/* mixed_scenario - two Poisson streams and a blast, with every feature. */
static void mixed_scenario(struct scenario *sc)
{
    static const double v1[] = { 3000, 6000 }, v2[] = { 800 }, v3[] = { 500 };
    struct scen_stream *st;

    gen_scenario(sc, 3, 3 * 86400.0);
    st = gen_stream(sc, 0, "news", v1, 2, "gmail.com=3,yahoo.com=1,*=2");
    st->pool = xstrdup("pool1");
    st->invalid_rate = 0.02;
    st->complaint_rate = 0.01;
    st->deadline_s = 7200;
    st = gen_stream(sc, 1, "tx, \"urgent\"", v2, 1, "hotmail.com=1");
    st->size_bytes = 0;
    st = gen_stream(sc, 2, "promo", v3, 1, "*=1");
    st->arrivals = SCEN_ARR_BLAST;
    st->blast_at_s = 8 * 3600;
    st->blast_spread_s = 1800;
    st->vmta = xstrdup("vmta,2");
}

/* test_gen_determinism - the same seed gives the same list; another
 * seed a different one. */
static void test_gen_determinism(void)
{
    struct scenario sc;
    struct recs a, b, c;

    mixed_scenario(&sc);
    run_gen(&sc, 11, &a);
    run_gen(&sc, 11, &b);
    run_gen(&sc, 12, &c);
    CHECK(a.n > 10000, "only %zu records", a.n);
    CHECK(recs_equal(&a, &b), "same seed, different lists");
    CHECK(!recs_equal(&a, &c), "different seeds, same list");
    recs_release(&a);
    recs_release(&b);
    recs_release(&c);
    scenario_release(&sc);
}

/* test_gen_profile - arrivals follow the hourly profile: none in
 * zero-weight hours, the heavy hours' share within 5 sigma. */
static void test_gen_profile(void)
{
    static const double vol[] = { 20000 };
    size_t per_hour[24] = { 0 };
    struct scenario sc;
    struct recs rs;

    gen_scenario(&sc, 1, 2 * 86400.0);
    struct scen_stream *st = gen_stream(&sc, 0, "s", vol, 1, "a.com=1");
    for (int h = 0; h < 24; h++)
        st->hourly_profile[h] = h < 6 ? 0 : h >= 9 && h < 17 ? 4 : 1;
    run_gen(&sc, 7, &rs);
    for (size_t i = 0; i < rs.n; i++)
        per_hour[rs.v[i].t_us / 3600000000LL % 24]++;
    size_t heavy = 0, night = 0;
    for (int h = 0; h < 24; h++) {
        heavy += h >= 9 && h < 17 ? per_hour[h] : 0;
        night += h < 6 ? per_hour[h] : 0;
    }
    /* weights: 8 hours x 4 = 32 of 32 + 10 x 1 = 42 */
    double n = (double)rs.n, p = 32.0 / 42.0;
    CHECK_INT(night, 0);
    CHECK_NEAR(heavy, n * p, 5 * sqrt(n * p * (1 - p)));
    CHECK_NEAR(n, 40000, 5 * sqrt(40000));
    recs_release(&rs);
    scenario_release(&sc);
}

/* test_gen_roundtrip - the CSV form of a generated list reads back as
 * the same records. */
static void test_gen_roundtrip(void)
{
    struct scenario sc, sc2;
    struct diag_list dl;
    struct rng g;
    struct recs a, b;
    struct strbuf sb;
    struct send_rec r;

    mixed_scenario(&sc);
    diag_list_init(&dl, 10);
    rng_init(&g, 5, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    strbuf_init(&sb);
    sl_csv_format_header(&sb);
    while (sendlist_next(sl, &r) > 0)
        sl_csv_format_rec(&sb, sl, &r);
    sendlist_close(sl);
    const char *path = write_tmp("roundtrip.csv", sb.buf);
    strbuf_release(&sb);
    run_gen(&sc, 5, &a);
    file_scenario(&sc2, path, SCEN_SL_CSV, sc.duration_s);
    sl = sendlist_open(&sc2, &g, &dl);
    CHECK(sl != NULL, "cannot read back");
    if (sl) {
        collect(sl, &b, 10000000);
        CHECK_INT(b.rc, 0);
        CHECK_INT(b.n, a.n);
        CHECK(recs_equal(&a, &b), "the CSV form reads back differently");
        recs_release(&b);
    }
    CHECK_INT(dl.n_errors, 0);
    sendlist_close(sl);
    recs_release(&a);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
    scenario_release(&sc2);
}

/* test_gen_streams - stream table: names in scenario order, deadlines. */
static void test_gen_streams(void)
{
    struct scenario sc;
    struct diag_list dl;
    struct rng g;

    mixed_scenario(&sc);
    diag_list_init(&dl, 10);
    rng_init(&g, 5, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK_INT(sendlist_stream_count(sl), 3);
    CHECK_STR(sendlist_stream(sl, 0)->name, "news");
    CHECK_INT(sendlist_stream(sl, 0)->deadline_s, 7200);
    CHECK_STR(sendlist_stream(sl, 2)->name, "promo");
    CHECK_INT(sendlist_stream(sl, 2)->deadline_s, -1);
    CHECK_INT(sendlist_adjusted(sl), 0);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* message_id (or job): rows in a row with the same value are one
 * multi-recipient message (the same nonzero msg key); empty: own message. */
static void test_csv_message_id(void)
{
    static const char *const heads[2] = { "message_id", "job" };
    for (int k = 0; k < 2; k++) {
        char text[200];
        snprintf(text, sizeof(text),
                 "time,rcpt,%s\n0,a@x.com,m1\n0,b@x.com,m1\n1,c@x.com,m2\n"
                 "2,d@x.com,\n",
                 heads[k]);
        struct scenario sc;
        struct diag_list dl;
        struct rng g;
        file_scenario(&sc, write_tmp("msg.csv", text), SCEN_SL_CSV, 10);
        diag_list_init(&dl, 10);
        rng_init(&g, 1, 0);
        struct sendlist *sl = sendlist_open(&sc, &g, &dl);
        CHECK(sl != NULL, "open failed");
        uint64_t msg[4] = { 0, 0, 0, 0 };
        struct send_rec r;
        for (int i = 0; sl && i < 4 && sendlist_next(sl, &r) > 0; i++)
            msg[i] = r.msg;
        CHECK(msg[0] != 0 && msg[0] == msg[1], "one message: %llu %llu",
              (unsigned long long)msg[0], (unsigned long long)msg[1]);
        CHECK(msg[2] != 0 && msg[2] != msg[0], "another message");
        CHECK_INT(msg[3], 0);
        sendlist_close(sl);
        rng_release(&g);
        diag_list_release(&dl);
        scenario_release(&sc);
    }
}

/* The generator's "recipients": each arrival is a message of that many
 * recipients in a row, one time and one nonzero message key. */
static void test_gen_recipients(void)
{
    static const double vol[] = { 200 };
    struct scenario sc;
    struct diag_list dl;
    struct rng g;
    gen_scenario(&sc, 1, 86400.0);
    gen_stream(&sc, 0, "s", vol, 1, "a.com=0.5,b.com=0.5")->recipients = 4;
    diag_list_init(&dl, 10);
    rng_init(&g, 7, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    struct send_rec r;
    uint64_t n = 0, bad = 0, msg = 0, msgs = 0;
    int64_t t = -1;
    while (sl && sendlist_next(sl, &r) > 0) {
        if (n % 4 == 0) {
            bad += r.msg == 0 || r.msg == msg;
            msg = r.msg, t = r.t_us, msgs++;
        } else {
            bad += r.msg != msg || r.t_us != t;
        }
        n++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(n, 4 * msgs);
    CHECK(msgs > 130 && msgs < 270, "%llu messages for 200/d",
          (unsigned long long)msgs);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* test_gen_domain_ix - domain_ix numbers the generator's domain table:
 * the same name always has the same index, different names different
 * ones, all below sendlist_domain_count (named domains of every stream
 * once, then the tail's 1000; a named tail domain keeps one index). */
static void test_gen_domain_ix(void)
{
    static const double vol[] = { 20000 };
    struct scenario sc;
    struct recs rs;

    gen_scenario(&sc, 2, 86400.0);
    gen_stream(&sc, 0, "s1", vol, 1, "a.com=0.4,b.com=0.3,*=0.3");
    gen_stream(&sc, 1, "s2", vol, 1,
               "b.com=0.4,tail0000.example=0.3,c.com=0.3");
    struct diag_list dl;
    struct rng g;
    diag_list_init(&dl, 10);
    rng_init(&g, 7, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    size_t bound = sl ? sendlist_domain_count(sl) : 0;
    CHECK_INT(bound, 4 + 1000); /* a, b, tail0000 (named), c; the tail */
    if (sl)
        collect(sl, &rs, 10000000);
    CHECK(rs.n > 30000, "%zu records", rs.n);
    char **name_of = xcalloc(bound + 1, sizeof(*name_of));
    size_t bad_bound = 0, bad_same = 0, bad_diff = 0, tail0 = 0;
    for (size_t i = 0; i < rs.n; i++) {
        const struct rec *x = &rs.v[i];
        if (x->domain_ix >= bound) {
            bad_bound++;
            continue;
        }
        if (name_of[x->domain_ix] == NULL)
            name_of[x->domain_ix] = x->domain;
        bad_diff += strcmp(name_of[x->domain_ix], x->domain) != 0;
        tail0 += strcmp(x->domain, "tail0000.example") == 0;
    }
    /* same name, same index: every name maps back to one index */
    for (size_t a = 0; a < bound; a++)
        for (size_t b = a + 1; b < bound && name_of[a]; b++)
            bad_same += name_of[b] && strcmp(name_of[a], name_of[b]) == 0;
    CHECK_INT(bad_bound, 0);
    CHECK_INT(bad_diff, 0);
    CHECK_INT(bad_same, 0);
    CHECK(tail0 > 5000, "tail0000.example %zu times", tail0);
    CHECK(name_of[0] && strcmp(name_of[0], "a.com") == 0, "index 0 is %s",
          name_of[0] ? name_of[0] : "unused");
    /* tail rank k is 4 + k, but rank 0 is the named tail0000.example */
    CHECK(name_of[4] == NULL, "index 4 is %s", name_of[4]);
    CHECK(name_of[5] && strcmp(name_of[5], "tail0001.example") == 0,
          "index 5 is %s", name_of[5] ? name_of[5] : "unused");
    free(name_of);
    recs_release(&rs);
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    scenario_release(&sc);
}

/* test_gen_rcpt - every address is "u<id>@<domain>" (written in place:
 * ids passing 9, 99, 999; domains shorter and longer than the padded
 * copy; the tail). */
static void test_gen_rcpt(void)
{
    static const double vol[] = { 5000 };
    struct scenario sc;
    struct recs rs;
    char want[200];
    size_t bad = 0, longs = 0;

    gen_scenario(&sc, 1, 86400.0);
    gen_stream(&sc, 0, "s", vol, 1,
               "a.com=0.4,a-rather-long-domain-name-for-the-test.example=0.3,"
               "*=0.3");
    run_gen(&sc, 7, &rs);
    for (size_t i = 0; i < rs.n; i++) {
        snprintf(want, sizeof(want), "u%llu@%s", (unsigned long long)rs.v[i].id,
                 rs.v[i].domain);
        bad += strcmp(rs.v[i].rcpt, want) != 0;
        longs += strlen(rs.v[i].domain) > 40;
    }
    CHECK(rs.n > 4000, "%zu records", rs.n);
    CHECK_INT(bad, 0);
    CHECK(longs > 1000, "%zu long domains", longs);
    /* sendlist_skip_rcpt: no address, the same list otherwise */
    struct diag_list dl;
    struct rng g;
    struct recs rs2;
    diag_list_init(&dl, 10);
    rng_init(&g, 7, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    CHECK(sl != NULL, "open failed");
    if (sl) {
        sendlist_skip_rcpt(sl);
        collect(sl, &rs2, 10000000);
        CHECK_INT(rs2.n, rs.n);
        size_t differ = 0;
        for (size_t i = 0; i < rs.n && i < rs2.n; i++)
            differ += rs2.v[i].rcpt != NULL || rs2.v[i].t_us != rs.v[i].t_us ||
                      strcmp(rs2.v[i].domain, rs.v[i].domain) != 0 ||
                      rs2.v[i].domain_ix != rs.v[i].domain_ix ||
                      rs2.v[i].invalid != rs.v[i].invalid ||
                      rs2.v[i].complains != rs.v[i].complains ||
                      rs2.v[i].size != rs.v[i].size;
        CHECK_INT(differ, 0);
        recs_release(&rs2);
    }
    sendlist_close(sl);
    rng_release(&g);
    diag_list_release(&dl);
    recs_release(&rs);
    scenario_release(&sc);
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_datetime();
    test_seconds();
    test_csv_good();
    test_csv_no_stream();
    test_csv_errors();
    test_csv_missing();
    test_acct();
    test_acct_reorder();
    test_acct_errors();
    test_acct_skips();
    test_gen_volume();
    test_gen_blast();
    test_gen_domains();
    test_gen_rates();
    test_gen_block();
    test_gen_determinism();
    test_gen_profile();
    test_gen_roundtrip();
    test_gen_streams();
    test_csv_message_id();
    test_gen_recipients();
    test_gen_domain_ix();
    test_gen_rcpt();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_done();
}
