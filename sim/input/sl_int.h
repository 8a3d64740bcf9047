/* sl_int.h - internals shared by the send-list sources (sendlist.c,
 * sl_csv.c, sl_acct.c, sl_gen.c), the scenario loader (date parsing) and
 * `mtasim gen` (the CSV writer). Not an API: nothing outside sim/input
 * but cli/gen.c and the tests includes it.
 *
 * Ownership: a struct sendlist owns its source state, its stream table
 * and every buffer below; struct sl_csv owns its buffers, not its FILE. */
#ifndef SL_INT_H
#define SL_INT_H

#include "input/sendlist.h"
#include "util/strbuf.h"

#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------ send-list core */

struct sendlist {
    const struct scenario *sc; /* borrowed for the list's life */
    struct rng *g;             /* borrowed */
    struct diag_list *dl;      /* borrowed: errors of sendlist_next */
    int64_t start_us;          /* sc->start_unix in microseconds */
    int64_t duration_us;
    /* the source: fill out (out->id is preset); 1, 0 at the end, -1 */
    int (*next)(struct sendlist *sl, struct send_rec *out);
    void (*release)(struct sendlist *sl);
    void *src;
    struct sendlist_stream **streams; /* stable pointers */
    size_t n_streams, cap_streams;
    size_t *name_tab; /* open addressing: stream index + 1, 0 = empty */
    size_t name_cap;  /* a power of two */
    size_t last_stream;
    size_t n_domains; /* sendlist_domain_count: set by the source */
    int skip_rcpt;    /* sendlist_skip_rcpt was called */
    uint64_t next_id;
    uint64_t adjusted; /* rows skipped plus recipients moved */
    uint64_t skipped;  /* rows skipped: the first few are kept, to show */
    struct sl_skip_note {
        const char *path; /* borrowed, like the scenario */
        long line;
        char reason[120];
    } notes[SENDLIST_SKIPS_SHOWN];
    size_t n_notes;
    uint64_t before_start; /* rows of recipients enqueued before the start */
    long past_end_line;    /* the CSV row the run ended before, 0 = none */
    int state;             /* 0 reading, 1 at the end, -1 failed */
};

/* sl_skip - a row the source skips: counted, and one of the first
 * SENDLIST_SKIPS_SHOWN kept with its file, line and reason. */
void sl_skip(struct sendlist *sl, const char *path, long line, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));

/* sl_stream_intern - the index of stream name (registered, with no
 * deadline, when new). Allocates only for new names. */
size_t sl_stream_intern(struct sendlist *sl, const char *name);
/* sl_header_eq - a CSV header name equals name, ignoring case and the
 * blanks around it. */
int sl_header_eq(const char *h, const char *name);
/* sl_lower_into - s, lower-cased (ASCII), into sb. */
void sl_lower_into(struct strbuf *sb, const char *s);
/* sl_domain_of - the lower-cased domain after the last '@' of rcpt into
 * dom; -1 when there is no '@' or nothing after it. */
int sl_domain_of(const char *rcpt, struct strbuf *dom);

int sl_csv_open(struct sendlist *sl);
int sl_acct_open(struct sendlist *sl);
int sl_gen_open(struct sendlist *sl);

/* ------------------------------------------------------------- times */

/* sl_parse_datetime - ISO 8601 / PowerMTA time stamps into epoch
 * microseconds: "YYYY-MM-DD(T| )HH:MM[:SS[.fff]]" then "Z", "+hh:mm",
 * "+hhmm", "+hh" (a blank before the offset is allowed), or nothing
 * (UTC). 0, or -1 when s is not such a time. */
int sl_parse_datetime(const char *s, int64_t *epoch_us);
/* sl_parse_seconds - a non-negative decimal "123", "12.5" into
 * microseconds (rounded to the nearest); 0 or -1. */
int sl_parse_seconds(const char *s, int64_t *us);
/* sl_days_from_civil / sl_civil_from_days - proleptic Gregorian dates and
 * days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"). */
int64_t sl_days_from_civil(int64_t y, int m, int d);
void sl_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* ------------------------------------------------- RFC 4180 CSV reader */

struct sl_csv {
    FILE *fp;         /* borrowed */
    const char *path; /* for messages */
    char *in;         /* input buffer */
    size_t in_len, in_pos;
    int in_eof, started;
    char *rec; /* the fields of one record, each NUL-terminated */
    size_t rec_len, rec_cap;
    size_t *off, *len; /* per field: offset into rec, length */
    size_t n_fields, cap_fields;
    long line;     /* line where the current record starts (1-based) */
    long cur_line; /* line the reader is on */
    int too_long;  /* the record passed SL_CSV_MAX_RECORD */
};
/* The longest record read (a send-list row is ~100 bytes, an accounting
 * row a few KB); past it the file is not what it claims to be. */
#define SL_CSV_MAX_RECORD (1024 * 1024)

void sl_csv_init(struct sl_csv *c, FILE *fp, const char *path);
void sl_csv_release(struct sl_csv *c);
/* sl_csv_next - read one record, skipping blank lines: 1, 0 at the end
 * of the file, -1 with an error in dl (unterminated quote, read error). */
int sl_csv_next(struct sl_csv *c, struct diag_list *dl);
/* sl_csv_field - field i of the record, "" when the row is shorter or
 * i < 0 (ragged rows and absent columns read as empty). */
const char *sl_csv_field(const struct sl_csv *c, int i);

/* sl_csv_format_header / sl_csv_format_rec - the send-list CSV form that
 * the CSV reader takes back (`mtasim gen`): appended to sb, with "\n". */
void sl_csv_format_header(struct strbuf *sb);
void sl_csv_format_rec(struct strbuf *sb, const struct sendlist *sl,
                       const struct send_rec *r);

#endif
