/* acct_rows.c - accounting rows from several (gzip) files in time order. */
#include "input/acct_rows.h"
#include "input/sl_int.h"
#include "util/xalloc.h"
#include "util/zfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const af_names[AF_COUNT] = {
    "type",      "timeLogged", "timeQueued", "rcpt",      "dsnAction",
    "dsnStatus", "dsnDiag",    "dsnMta",     "bounceCat", "dlvSourceIp",
    "vmta",      "queue",      "jobId",      "dlvSize"
};

struct acct_file {
    char *path;
    int64_t first_s; /* timeLogged of the first record; INT64_MAX if none */
    size_t given;    /* position on the command line (ties) */
};

struct acct_rows {
    struct acct_file *files;
    size_t n_files, cur; /* cur: index of the open file */
    FILE *fp;
    struct sl_csv rd;
    int col[AF_COUNT];
    int have_header;
    char last_time[40]; /* the previous timeLogged text and its value: */
    int64_t last_s;     /* rows come many per second */
};

int acct_parse_time(const char *v, int64_t *epoch_s)
{
    int64_t us;
    char *end;

    if (isdigit((unsigned char)v[0]) && strchr(v, '-') == NULL) {
        errno = 0;
        long long secs = strtoll(v, &end, 10);
        if (*end != '\0' || errno != 0)
            return -1;
        *epoch_s = secs;
        return 0;
    }
    if (sl_parse_datetime(v, &us) < 0)
        return -1;
    *epoch_s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    return 0;
}

/* map_header - the columns of a header row. */
static void map_header(struct acct_rows *r)
{
    for (int k = 0; k < AF_COUNT; k++)
        r->col[k] = -1;
    for (size_t i = 0; i < r->rd.n_fields; i++)
        for (int k = 0; k < AF_COUNT; k++)
            if (r->col[k] < 0 &&
                sl_header_eq(sl_csv_field(&r->rd, (int)i), af_names[k]))
                r->col[k] = (int)i;
    r->have_header = 1;
}

/* open_file - file i, positioned before its first row. */
static int open_file(struct acct_rows *r, size_t i, struct diag_list *dl)
{
    const char *path = r->files[i].path;

    r->fp = zfile_open(path);
    if (r->fp == NULL) {
        diag_add(dl, DIAG_ERROR, path, 0, 0, "cannot open accounting file: %s",
                 strerror(errno));
        return -1;
    }
    sl_csv_init(&r->rd, r->fp, path);
    r->have_header = 0;
    r->cur = i;
    return 0;
}

static void close_file(struct acct_rows *r)
{
    if (r->fp == NULL)
        return;
    sl_csv_release(&r->rd);
    fclose(r->fp);
    r->fp = NULL;
}

/* row_time - timeLogged of the current row, reusing the last parse when
 * the text repeats. */
static int row_time(struct acct_rows *r, const char *v, int64_t *t)
{
    size_t n = strlen(v);

    if (n < sizeof(r->last_time) && memcmp(v, r->last_time, n + 1) == 0) {
        *t = r->last_s;
        return 0;
    }
    if (acct_parse_time(v, t) < 0)
        return -1;
    if (n < sizeof(r->last_time)) {
        memcpy(r->last_time, v, n + 1);
        r->last_s = *t;
    }
    return 0;
}

/* next_in_file - the next data row of the open file: 1, 0 at its end. */
static int next_in_file(struct acct_rows *r, struct acct_row *out,
                        struct diag_list *dl)
{
    for (;;) {
        int rc = sl_csv_next(&r->rd, dl);
        if (rc <= 0)
            return rc;
        if (sl_header_eq(sl_csv_field(&r->rd, 0), "type")) {
            map_header(r);
            continue;
        }
        if (!r->have_header || r->col[AF_TYPE] < 0 || r->col[AF_TLOGGED] < 0) {
            diag_add(dl, DIAG_ERROR, r->rd.path, (int)r->rd.line, 0,
                     "expected a header line naming the columns 'type' and "
                     "'timeLogged' (accounting files begin with their "
                     "column names)");
            return -1;
        }
        for (int k = 0; k < AF_COUNT; k++)
            out->f[k] = sl_csv_field(&r->rd, r->col[k]);
        out->path = r->rd.path;
        out->line = r->rd.line;
        if (row_time(r, out->f[AF_TLOGGED], &out->logged_s) < 0) {
            diag_add(dl, DIAG_ERROR, r->rd.path, (int)r->rd.line, 0,
                     "invalid timeLogged '%s' (expected time_t seconds or "
                     "'YYYY-MM-DD HH:MM:SS+hhmm')",
                     out->f[AF_TLOGGED]);
            return -1;
        }
        return 1;
    }
}

int acct_rows_next(struct acct_rows *r, struct acct_row *out,
                   struct diag_list *dl)
{
    while (r->cur < r->n_files) {
        if (r->fp == NULL && open_file(r, r->cur, dl) < 0)
            return -1;
        int rc = next_in_file(r, out, dl);
        if (rc != 0)
            return rc;
        close_file(r);
        r->cur++;
    }
    return 0;
}

static int cmp_file(const void *a, const void *b)
{
    const struct acct_file *x = a, *y = b;

    if (x->first_s != y->first_s)
        return x->first_s < y->first_s ? -1 : 1;
    return x->given < y->given ? -1 : x->given > y->given;
}

struct acct_rows *acct_rows_open(const char *const *paths, size_t n,
                                 struct diag_list *dl)
{
    struct acct_rows *r = xcalloc(1, sizeof(*r));
    struct acct_row row;

    r->files = xcalloc(n ? n : 1, sizeof(*r->files));
    r->n_files = n;
    for (size_t i = 0; i < n; i++) {
        r->files[i].path = xstrdup(paths[i]);
        r->files[i].given = i;
        r->files[i].first_s = INT64_MAX;
        if (open_file(r, i, dl) < 0)
            goto fail;
        int rc = next_in_file(r, &row, dl);
        close_file(r);
        if (rc < 0)
            goto fail;
        if (rc == 1)
            r->files[i].first_s = row.logged_s;
    }
    qsort(r->files, n, sizeof(*r->files), cmp_file);
    r->cur = 0;
    r->last_time[0] = '\0';
    return r;
fail:
    acct_rows_close(r);
    return NULL;
}

const char *acct_rows_path(const struct acct_rows *r, size_t i)
{
    return i < r->n_files ? r->files[i].path : NULL;
}

size_t acct_rows_count(const struct acct_rows *r)
{
    return r->n_files;
}

void acct_rows_close(struct acct_rows *r)
{
    if (r == NULL)
        return;
    close_file(r);
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i].path);
    free(r->files);
    free(r);
}
