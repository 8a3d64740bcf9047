/* test_fit.c - the accounting reader under `mtasim fit` and the fit's
 * bookkeeping on a small hand-written log in PowerMTA's exact format
 * (v5 default columns, "YYYY-MM-DD HH:MM:SS+hhmm" and time_t times,
 * ragged rows, quoted multi-line dsnDiag, r/f/rb/tq records), split in
 * two rotated files, the second gzip-compressed (made here from
 * tests/fit/acct-2026-01-02-0000.csv.txt with zlib). */
#include "fit/fit_int.h"
#include "input/acct_rows.h"
#include "test.h"
#include "util/zfile.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define PLAIN  "tests/fit/acct-2026-01-01-0000.csv"
#define GZ_SRC "tests/fit/acct-2026-01-02-0000.csv.txt"

static char tmpdir[] = "/tmp/test_fit.XXXXXX";
static char gz_path[256];

/* make_gz - the second rotated file, gzip-compressed. */
static int make_gz(void)
{
    FILE *in = fopen(GZ_SRC, "rb");
    snprintf(gz_path, sizeof(gz_path), "%s/acct-2026-01-02-0000.csv.gz",
             tmpdir);
    gzFile out = gzopen(gz_path, "wb9");
    char buf[4096];
    size_t n;

    if (in == NULL || out == NULL)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        gzwrite(out, buf, (unsigned)n);
    fclose(in);
    return gzclose(out) == Z_OK ? 0 : -1;
}

static void test_zfile(void)
{
    FILE *fp = zfile_open(gz_path);
    char line[64];
    CHECK(fp != NULL, "cannot open %s", gz_path);
    if (fp == NULL)
        return;
    CHECK(fgets(line, sizeof(line), fp) != NULL, "no first line");
    CHECK(strncmp(line, "type,timeLogged,timeQueued,", 27) == 0,
          "first line '%s'", line);
    fclose(fp);
    fp = zfile_open(PLAIN); /* not gzip: read as it is */
    CHECK(fp && fgets(line, sizeof(line), fp) && strncmp(line, "type,", 5) == 0,
          "plain file through zfile");
    if (fp)
        fclose(fp);
    CHECK(zfile_open("tests/fit/no-such-file.gz") == NULL, "missing file");
}

static void test_rows(void)
{
    /* given newest first: read oldest first */
    const char *files[] = { gz_path, PLAIN };
    struct diag_list dl;
    diag_list_init(&dl, 10);
    struct acct_rows *r = acct_rows_open(files, 2, &dl);
    struct acct_row row;
    int n = 0, rc, saw_multiline = 0, saw_ragged = 0;
    char types[64] = "";

    CHECK(r != NULL, "open failed");
    if (r == NULL)
        return;
    CHECK_STR(acct_rows_path(r, 0), PLAIN);
    while ((rc = acct_rows_next(r, &row, &dl)) == 1) {
        if (n == 1) {
            CHECK_INT(row.logged_s, 1767258002); /* 10:00:02+0100 */
            CHECK_STR(row.f[AF_SOURCE_IP], "203.0.113.5");
            CHECK_STR(row.f[AF_QUEUE], "hotmail.com/vmta-a");
        }
        if (strstr(row.f[AF_DSN_DIAG], "rate of\n421-4.7.28 unsolicited"))
            saw_multiline = 1;
        if (!strcmp(row.f[AF_RCPT], "eve@gmail.com") &&
            !strcmp(row.f[AF_TYPE], "d"))
            saw_ragged = row.f[AF_QUEUE][0] == '\0' &&
                         !strcmp(row.f[AF_JOB], "jan-news");
        if (!strcmp(row.f[AF_TYPE], "tq") && n < 12)
            CHECK_STR(row.f[AF_RCPT], "");
        if (n == 12)
            CHECK_INT(row.logged_s, 1767344400); /* time_t, second file */
        strncat(types, row.f[AF_TYPE], sizeof(types) - strlen(types) - 2);
        strcat(types, " ");
        n++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(n, 19); /* every record of both files, none lost */
    CHECK_STR(types, "r d t tq t b d t t b d f d t tq b d t rb ");
    CHECK(saw_multiline, "quoted multi-line dsnDiag not read whole");
    CHECK(saw_ragged, "ragged row fields");
    acct_rows_close(r);
    diag_list_release(&dl);
}

static void test_row_errors(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/bad.csv", tmpdir);
    FILE *fp = fopen(path, "w");
    fputs("type,timeLogged,rcpt\nd,1767258002,a@b.c\nd,yesterday,a@b.c\n", fp);
    fclose(fp);
    const char *files[] = { path };
    struct diag_list dl;
    diag_list_init(&dl, 10);
    struct acct_rows *r = acct_rows_open(files, 1, &dl);
    struct acct_row row;
    CHECK(r != NULL, "open");
    CHECK_INT(acct_rows_next(r, &row, &dl), 1);
    CHECK_INT(acct_rows_next(r, &row, &dl), -1);
    CHECK(dl.n == 1 && dl.items[0].line == 3, "error at line 3");
    acct_rows_close(r);
    diag_list_release(&dl);
}

/* test_truncated_gz - a cut-off .gz is a read error, not a short log. */
static void test_truncated_gz(void)
{
    char path[300];
    unsigned char buf[200];
    snprintf(path, sizeof(path), "%s/cut.csv.gz", tmpdir);
    FILE *in = fopen(gz_path, "rb"), *out = fopen(path, "wb");
    size_t n = in ? fread(buf, 1, sizeof(buf), in) : 0;
    if (out)
        fwrite(buf, 1, n, out);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    const char *files[] = { path };
    struct diag_list dl;
    diag_list_init(&dl, 10);
    struct acct_rows *r = acct_rows_open(files, 1, &dl);
    struct acct_row row;
    int rc = 1;
    while (r && (rc = acct_rows_next(r, &row, &dl)) == 1)
        ;
    CHECK(r == NULL || rc == -1, "a truncated gzip file read as complete");
    CHECK(dl.n_errors >= 1, "no error for a truncated gzip file");
    acct_rows_close(r);
    diag_list_release(&dl);
}

static void test_reply_keys(void)
{
    static const struct {
        const char *text, *key;
    } t[] = {
        { "421 RP-001 (BAY004-MC1F30) Unfortunately, messages from "
          "203.0.113.5 weren't sent.",
          "421 RP-001" },
        { "421-4.7.28 [203.0.113.6      15] Our system has detected",
          "421 4.7.28" },
        { "421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily "
          "deferred - 4.16.55.1; see https://postmaster.yahooinc.com",
          "421 4.7.0 TSS04" },
        { "550 5.7.1 ... on our block list (S3150).", "550 5.7.1 S3150" },
        { "451 4.3.2 System not accepting network messages", "451 4.3.2" },
    };
    char key[96];
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        fit_reply_key(t[i].text, key, sizeof(key));
        CHECK_STR(key, t[i].key);
    }
    char *s = fit_reply_sample("550 5.7.1 messages from [203.0.113.5] not");
    CHECK_STR(s, "550 5.7.1 messages from [{ip}] not");
    free(s);
}

static const struct fit_prov *prov(const struct fit *f, const char *name)
{
    for (size_t i = 0; i < f->n_provs; i++)
        if (!strcmp(f->provs[i].name, name))
            return &f->provs[i];
    return NULL;
}

static uint64_t group_count(const struct fit_prov *p, const char *key,
                            enum fit_class c)
{
    for (size_t i = 0; p && i < p->n_groups; i++)
        if (!strcmp(p->groups[i].key, key) && p->groups[i].cls == c)
            return p->groups[i].count;
    return 0;
}

static void test_fit_counts(void)
{
    const char *files[] = { PLAIN, gz_path };
    struct fit_opts o = { "models", NULL, 0 };
    struct diag_list dl;
    diag_list_init(&dl, 10);
    struct fit *f = fit_alloc(&o, &dl);
    CHECK(f != NULL, "fit_alloc");
    if (f == NULL)
        return;
    CHECK_INT(fit_read(f, files, 2, &dl), 0);
    CHECK_INT(f->rows, 19);
    CHECK_INT(fit_start_unix(f), 1767225600); /* 2026-01-01 UTC */
    CHECK_INT(fit_hours(f), 34); /* hours 0..33: to 09:00 on day 2 */
    const struct fit_prov *ms = prov(f, "microsoft");
    const struct fit_prov *gm = prov(f, "gmail");
    const struct fit_prov *ya = prov(f, "yahoo");
    const struct fit_prov *ge = prov(f, "generic");
    CHECK(ms && gm && ya && ge, "providers");
    if (!(ms && gm && ya && ge))
        return;
    CHECK_INT(ms->records, 7); /* incl. lea@ via the MX host */
    CHECK_INT(ms->n_class[FC_DELIVERED], 3);
    CHECK_INT(ms->n_class[FC_THROTTLE], 1);
    CHECK_INT(ms->n_class[FC_CONN_LIMIT], 1);
    CHECK_INT(ms->n_class[FC_BLOCK], 1);
    CHECK_INT(ms->n_class[FC_TRANSIENT], 1);
    CHECK_INT(group_count(ms, "421 RP-001", FC_THROTTLE), 1);
    CHECK_INT(group_count(ms, "550 5.7.1 S3150", FC_BLOCK), 1);
    CHECK_INT(gm->records, 4);
    CHECK_INT(gm->n_class[FC_MSG_CAP], 1);
    CHECK_INT(group_count(gm, "421 4.7.28", FC_THROTTLE), 1);
    CHECK_INT(gm->n_class[FC_UNKNOWN_USER], 1);
    CHECK_INT(ya->records, 3);
    CHECK_INT(group_count(ya, "421 4.7.0 TSS04", FC_THROTTLE), 1);
    CHECK_INT(ya->n_class[FC_MSG_CAP], 1);
    CHECK_INT(ya->n_class[FC_MTA], 1); /* the expiry is not a reply */
    CHECK_INT(ge->records, 2);
    CHECK_INT(ge->n_class[FC_DELIVERED] + ge->n_class[FC_MTA], 2);
    CHECK_INT(fit_ip_count(f), 2);
    fit_estimate(f);
    /* the cap a message-cap reply states */
    CHECK(gm->fig[FF_MSG_CAP].fitted && gm->fig[FF_MSG_CAP].value == 100,
          "gmail message cap %g", gm->fig[FF_MSG_CAP].value);
    CHECK(!ya->fig[FF_MSG_CAP].fitted, "yahoo's reply states no number");
    /* too little data: nothing but the stated cap is fitted, and every
     * model written loads */
    CHECK(!ms->fig[FF_C0].fitted && !ms->fig[FF_EP_HAZARD].fitted &&
              !ms->fig[FF_TRANSIENT].fitted,
          "figures from a handful of records");
    CHECK_INT(fit_write(f, tmpdir, &dl), 0);
    fit_free(f);
    diag_list_release(&dl);
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL || make_gz() < 0) {
        perror("setup");
        return 1;
    }
    test_zfile();
    test_rows();
    test_row_errors();
    test_truncated_gz();
    test_reply_keys();
    test_fit_counts();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_done();
}
