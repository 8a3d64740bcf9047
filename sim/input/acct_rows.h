/* acct_rows.h - PowerMTA accounting records, one row at a time, from
 * several files (plain or gzip-compressed) read in time order.
 *
 * This is the raw reader under `mtasim fit`: unlike the send-list source
 * (sl_acct.c) it rebuilds no recipients and keeps nothing between rows,
 * so memory does not grow with the number of records. Columns are mapped
 * by header name (a header line inside a file, as concatenated files
 * have, remaps them), rows may be ragged (missing trailing fields read as
 * ""), times are time_t seconds or ISO / PowerMTA stamps
 * ("2026-01-01 02:00:12+0200"). Files are ordered by the timeLogged of
 * their first record, so rotated files given in any order (shell globs
 * sort acct-10 before acct-9) are read oldest first. */
#ifndef ACCT_ROWS_H
#define ACCT_ROWS_H

#include "util/diag.h"

#include <stddef.h>
#include <stdint.h>

/* The columns the fit reads (PowerMTA's names). */
enum acct_field {
    AF_TYPE,       /* d, b, t, tq, r, f, rb, rs, ... */
    AF_TLOGGED,    /* timeLogged */
    AF_TQUEUED,    /* timeQueued */
    AF_RCPT,       /* rcpt */
    AF_DSN_ACTION, /* dsnAction */
    AF_DSN_STATUS, /* dsnStatus */
    AF_DSN_DIAG,   /* dsnDiag: "smtp;421 ..." */
    AF_DSN_MTA,    /* dsnMta: "mx.host (1.2.3.4)" */
    AF_BOUNCE_CAT, /* bounceCat */
    AF_SOURCE_IP,  /* dlvSourceIp */
    AF_VMTA,       /* vmta */
    AF_QUEUE,      /* queue: "domain/vmta" (tq rows have no rcpt) */
    AF_JOB,        /* jobId */
    AF_SIZE,       /* dlvSize */
    AF_COUNT
};

struct acct_row {
    const char *f[AF_COUNT]; /* "" when absent; valid until the next call */
    int64_t logged_s;        /* timeLogged, epoch seconds */
    const char *path;        /* file and line, for messages */
    long line;
};

struct acct_rows;

/* acct_rows_open - the files, ordered by their first record's time. NULL
 * with errors in dl (a file that cannot be opened or has no header). */
struct acct_rows *acct_rows_open(const char *const *paths, size_t n,
                                 struct diag_list *dl);
/* acct_rows_next - the next record: 1, 0 after the last file, -1 with an
 * error (file:line) in dl. Rows of an unknown type are returned too (the
 * caller counts them); a row without a valid timeLogged is an error. */
int acct_rows_next(struct acct_rows *r, struct acct_row *out,
                   struct diag_list *dl);
/* acct_rows_order - the i-th file in reading order (for messages). */
const char *acct_rows_path(const struct acct_rows *r, size_t i);
size_t acct_rows_count(const struct acct_rows *r);
void acct_rows_close(struct acct_rows *r);

/* acct_parse_time - time_t seconds or an ISO / PowerMTA stamp into epoch
 * seconds; 0 or -1. */
int acct_parse_time(const char *v, int64_t *epoch_s);

#endif
