/* sl_csv.c - RFC 4180 CSV reading (shared with the accounting reader),
 * the CSV send-list source, and the CSV form `mtasim gen` writes.
 *
 * The tokenizer reads 256 KiB at a time and copies each record's fields
 * into one reused buffer, so steady-state reading does not allocate. */
#include "input/sl_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_BUF_SIZE (256 * 1024)

/* --------------------------------------------------------- tokenizer */

/* sl_csv_init - a reader over fp, at line 1. */
void sl_csv_init(struct sl_csv *c, FILE *fp, const char *path)
{
    memset(c, 0, sizeof(*c));
    c->fp = fp;
    c->path = path;
    c->in = xmalloc(CSV_BUF_SIZE);
    c->rec_cap = 256;
    c->rec = xmalloc(c->rec_cap);
    c->cur_line = 1;
}

/* sl_csv_release - the buffers (the FILE belongs to the caller). */
void sl_csv_release(struct sl_csv *c)
{
    free(c->in);
    free(c->rec);
    free(c->off);
    free(c->len);
    memset(c, 0, sizeof(*c));
}

/* csv_fill - the next block of input; 0 at the end of the file. A UTF-8
 * byte-order mark at the very start is skipped. */
static int csv_fill(struct sl_csv *c)
{
    if (c->in_eof)
        return 0;
    c->in_len = fread(c->in, 1, CSV_BUF_SIZE, c->fp);
    c->in_pos = 0;
    if (!c->started && c->in_len >= 3 && memcmp(c->in, "\xef\xbb\xbf", 3) == 0)
        c->in_pos = 3;
    c->started = 1;
    if (c->in_len == 0)
        c->in_eof = 1;
    return c->in_len > c->in_pos;
}

/* csv_getc - the next input byte, or EOF. */
static inline int csv_getc(struct sl_csv *c)
{
    if (c->in_pos == c->in_len && !csv_fill(c))
        return EOF;
    return (unsigned char)c->in[c->in_pos++];
}

/* csv_peek - the next input byte without taking it. */
static inline int csv_peek(struct sl_csv *c)
{
    if (c->in_pos == c->in_len && !csv_fill(c))
        return EOF;
    return (unsigned char)c->in[c->in_pos];
}

/* csv_put - append a byte to the current field (dropped past the cap:
 * too_long then ends the record). */
static inline void csv_put(struct sl_csv *c, int ch)
{
    if (c->rec_len >= SL_CSV_MAX_RECORD) {
        c->too_long = 1;
        return;
    }
    if (c->rec_len + 1 >= c->rec_cap) {
        c->rec_cap *= 2;
        c->rec = xrealloc(c->rec, c->rec_cap);
    }
    c->rec[c->rec_len++] = (char)ch;
}

/* csv_end_field - terminate the field that started at offset start. */
static void csv_end_field(struct sl_csv *c, size_t start)
{
    if (c->n_fields >= c->cap_fields) {
        c->cap_fields = c->cap_fields ? 2 * c->cap_fields : 32;
        c->off = xreallocarray(c->off, c->cap_fields, sizeof(*c->off));
        c->len = xreallocarray(c->len, c->cap_fields, sizeof(*c->len));
    }
    c->off[c->n_fields] = start;
    c->len[c->n_fields++] = c->rec_len - start;
    csv_put(c, '\0');
}

/* csv_quoted - the rest of a quoted field after its opening quote; ""
 * is a quote, and commas and line breaks are data. Returns the character
 * after the closing quote, or -2 at an unterminated field. */
static int csv_quoted(struct sl_csv *c)
{
    for (;;) {
        int ch = csv_getc(c);
        if (ch == EOF)
            return -2;
        if (c->too_long)
            return -3;
        if (ch == '"') {
            ch = csv_getc(c);
            if (ch != '"')
                return ch;
        } else if (ch == '\n') {
            c->cur_line++;
        }
        csv_put(c, ch);
    }
}

/* csv_unquoted - the rest of an unquoted field, copied a run at a time
 * straight from the input buffer. Returns the character that ends it. */
static int csv_unquoted(struct sl_csv *c)
{
    for (;;) {
        if (c->in_pos == c->in_len && !csv_fill(c))
            return EOF;
        const char *p = c->in + c->in_pos, *e = c->in + c->in_len, *q = p;
        while (q < e && *q != ',' && *q != '\n' && *q != '\r')
            q++;
        size_t n = (size_t)(q - p);
        if (c->rec_len + n > SL_CSV_MAX_RECORD) {
            c->too_long = 1;
            return -3;
        }
        if (c->rec_len + n + 1 >= c->rec_cap) {
            while (c->rec_len + n + 1 >= c->rec_cap)
                c->rec_cap *= 2;
            c->rec = xrealloc(c->rec, c->rec_cap);
        }
        memcpy(c->rec + c->rec_len, p, n);
        c->rec_len += n;
        c->in_pos += n;
        if (q < e) {
            c->in_pos++;
            return (unsigned char)*q;
        }
    }
}

/* csv_too_long - the error for a record past the cap; -1. */
static int csv_too_long(struct sl_csv *c, struct diag_list *dl)
{
    diag_add(dl, DIAG_ERROR, c->path, (int)c->line, 0,
             "record longer than the limit of %d bytes (not a CSV file, or "
             "a quote left open?)",
             SL_CSV_MAX_RECORD);
    return -1;
}

/* csv_check_nul - a NUL byte in a field would cut it short unseen. */
static int csv_check_nul(struct sl_csv *c, struct diag_list *dl)
{
    for (size_t i = 0; i < c->n_fields; i++) {
        if (strlen(c->rec + c->off[i]) != c->len[i]) {
            diag_add(dl, DIAG_ERROR, c->path, (int)c->line, 0,
                     "NUL byte in field %zu (not a text file?)", i + 1);
            return -1;
        }
    }
    return 1;
}

/* csv_record - one record, possibly an empty line. 1, 0 at the end, -1. */
static int csv_record(struct sl_csv *c, struct diag_list *dl)
{
    int ch = csv_getc(c);

    c->rec_len = 0;
    c->n_fields = 0;
    c->too_long = 0;
    c->line = c->cur_line;
    if (ch == EOF)
        return ferror(c->fp) ? -1 : 0;
    for (;;) {
        size_t start = c->rec_len;
        if (ch == '"') {
            long open = c->cur_line;
            ch = csv_quoted(c);
            if (ch == -2) {
                diag_add(dl, DIAG_ERROR, c->path, (int)open, 0,
                         "unterminated quoted field");
                return -1;
            }
        }
        if (ch == -3)
            return csv_too_long(c, dl);
        /* text after a closing quote is kept, as most readers do */
        if (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
            csv_put(c, ch);
            ch = csv_unquoted(c);
            if (ch == -3 || c->too_long)
                return csv_too_long(c, dl);
        }
        csv_end_field(c, start);
        if (c->too_long)
            return csv_too_long(c, dl);
        if (ch != ',')
            break;
        ch = csv_getc(c);
    }
    if (ch == '\r' && csv_peek(c) == '\n')
        ch = csv_getc(c);
    if (ch != EOF)
        c->cur_line++;
    return csv_check_nul(c, dl);
}

/* sl_csv_next - records until a non-blank one. */
int sl_csv_next(struct sl_csv *c, struct diag_list *dl)
{
    for (;;) {
        int rc = csv_record(c, dl);
        if (rc < 0 && ferror(c->fp)) {
            diag_add(dl, DIAG_ERROR, c->path, 0, 0, "cannot read: %s",
                     strerror(errno));
            return -1;
        }
        if (rc <= 0)
            return rc;
        if (c->n_fields > 1 || c->len[0] > 0)
            return 1;
    }
}

/* sl_csv_field - field i, or "" past the end of a short row. */
const char *sl_csv_field(const struct sl_csv *c, int i)
{
    if (i < 0 || (size_t)i >= c->n_fields)
        return "";
    return c->rec + c->off[i];
}

/* ------------------------------------------------- the CSV send list */

enum csv_col {
    COL_TIME,
    COL_RCPT,
    COL_DOMAIN,
    COL_VMTA,
    COL_POOL,
    COL_STREAM,
    COL_SIZE,
    COL_INVALID,
    COL_COMPLAINT,
    COL_MESSAGE_ID,
    COL_JOB,
    COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
    "time", "rcpt",    "domain",    "vmta",       "pool", "stream",
    "size", "invalid", "complaint", "message_id", "job"
};

struct csv_src {
    FILE *fp;
    struct sl_csv rd;
    int col[COL_COUNT]; /* field index, -1 when absent */
    int64_t last_us;
    uint64_t rows; /* data rows taken */
    struct strbuf domain;
};

static int row_error(struct sendlist *sl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* row_error - an error about the current row (file:line); returns -1. */
static int row_error(struct sendlist *sl, const char *fmt, ...)
{
    struct csv_src *s = sl->src;
    va_list ap;

    va_start(ap, fmt);
    diag_vadd(sl->dl, DIAG_ERROR, s->rd.path, (int)s->rd.line, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* csv_header - map the header's columns by name; unknown ones are
 * ignored. */
static int csv_header(struct sendlist *sl)
{
    struct csv_src *s = sl->src;
    int rc = sl_csv_next(&s->rd, sl->dl);

    if (rc <= 0) {
        if (rc == 0)
            diag_add(sl->dl, DIAG_ERROR, s->rd.path, 0, 0,
                     "empty send list (expected a header line such as "
                     "'time,rcpt')");
        return -1;
    }
    for (int k = 0; k < COL_COUNT; k++)
        s->col[k] = -1;
    for (size_t i = 0; i < s->rd.n_fields; i++) {
        for (int k = 0; k < COL_COUNT; k++) {
            if (!sl_header_eq(sl_csv_field(&s->rd, (int)i), col_names[k]))
                continue;
            if (s->col[k] >= 0)
                return row_error(sl, "duplicate column '%s'", col_names[k]);
            s->col[k] = (int)i;
        }
    }
    if (s->col[COL_TIME] < 0)
        return row_error(sl, "missing column 'time'");
    if (s->col[COL_RCPT] < 0 && s->col[COL_DOMAIN] < 0)
        return row_error(sl, "missing column 'rcpt' or 'domain'");
    return 0;
}

/* release_csv - the CSV source's state. */
static void release_csv(struct sendlist *sl)
{
    struct csv_src *s = sl->src;

    if (s == NULL)
        return;
    if (s->fp)
        fclose(s->fp);
    sl_csv_release(&s->rd);
    strbuf_release(&s->domain);
    free(s);
    sl->src = NULL;
}

/* field - the value of column k of the current row ("" when absent). */
static const char *field(const struct csv_src *s, enum csv_col k)
{
    return sl_csv_field(&s->rd, s->col[k]);
}

/* row_time - the time column as microseconds from the start. */
static int row_time(struct sendlist *sl, int64_t *t_us)
{
    struct csv_src *s = sl->src;
    const char *v = field(s, COL_TIME);
    int64_t epoch_us;

    if (sl_parse_seconds(v, t_us) == 0)
        return 0;
    if (sl_parse_datetime(v, &epoch_us) < 0)
        return row_error(sl,
                         "invalid time '%s' in column '%s' (expected seconds "
                         "from the start or an ISO 8601 time)",
                         v, "time");
    *t_us = epoch_us - sl->start_us;
    if (*t_us < 0)
        return row_error(sl,
                         "time '%s' in column '%s' is before the "
                         "scenario start",
                         v, "time");
    return 0;
}

/* parse_flag - "0"/"1" (also "", no/yes, false/true). */
static int parse_flag(const char *v, int *out)
{
    if (v[0] == '\0' || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
        strcasecmp(v, "false") == 0)
        *out = 0;
    else if (strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
             strcasecmp(v, "true") == 0)
        *out = 1;
    else
        return -1;
    return 0;
}

/* row_props - size, invalid, complaint. */
/* row_flag - the 0/1 column col (called name in messages) into *out. */
static int row_flag(struct sendlist *sl, enum csv_col col, const char *name,
                    int *out)
{
    const char *v = field(sl->src, col);
    if (parse_flag(v, out) < 0)
        return row_error(sl,
                         "invalid value '%s' in column '%s' (expected 0 "
                         "or 1)",
                         v, name);
    return 0;
}

static int row_props(struct sendlist *sl, struct send_rec *out)
{
    struct csv_src *s = sl->src;
    const char *v = field(s, COL_SIZE);
    char *end;

    if (v[0] != '\0') {
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end || errno || n > UINT32_MAX)
            return row_error(sl,
                             "invalid size '%s' in column '%s' (expected "
                             "bytes, 0 to 4294967295)",
                             v, "size");
        out->size = (uint32_t)n;
    }
    return row_flag(sl, COL_INVALID, "invalid", &out->invalid) ||
                   row_flag(sl, COL_COMPLAINT, "complaint", &out->complains)
               ? -1
               : 0;
}

/* row_rcpt - recipient and domain. */
static int row_rcpt(struct sendlist *sl, struct send_rec *out)
{
    struct csv_src *s = sl->src;
    const char *rcpt = field(s, COL_RCPT);
    const char *dom = field(s, COL_DOMAIN);

    if (rcpt[0] != '\0') {
        if (sl_domain_of(rcpt, &s->domain) < 0)
            return row_error(sl,
                             "invalid recipient '%s' in column '%s' "
                             "(expected local@domain)",
                             rcpt, "rcpt");
        out->rcpt = rcpt;
    } else if (dom[0] != '\0') {
        sl_lower_into(&s->domain, dom);
    } else {
        return row_error(sl, "row has no recipient (columns 'rcpt' and "
                             "'domain' are empty or missing)");
    }
    out->domain = s->domain.buf;
    return 0;
}

/* message_key - a nonzero key for a message_id value (FNV-1a), 0 for an
 * empty one (a message of its own). */
static uint64_t message_key(const char *v)
{
    uint64_t h = 1469598103934665603ULL;
    if (v[0] == '\0')
        return 0;
    for (; *v; v++)
        h = (h ^ (unsigned char)*v) * 1099511628211ULL;
    return h ? h : 1;
}

/* next_csv - one row. Rows past the duration end the list. */
static int next_csv(struct sendlist *sl, struct send_rec *out)
{
    struct csv_src *s = sl->src;
    int rc = sl_csv_next(&s->rd, sl->dl);
    const char *v;

    if (rc <= 0)
        return rc;
    if (row_time(sl, &out->t_us) < 0)
        return -1;
    if (out->t_us < s->last_us)
        return row_error(sl, "row is earlier than the previous one (send "
                             "lists must be in time order)");
    if (out->t_us > sl->duration_us && s->rows == 0)
        return row_error(sl,
                         "the first row is %.0f s after the start, past the "
                         "end of the run (%.0f s): nothing would be sent "
                         "(check the scenario's \"start\" and \"duration\")",
                         (double)out->t_us / 1e6,
                         (double)sl->duration_us / 1e6);
    if (out->t_us > sl->duration_us) {
        sl->past_end_line = s->rd.line; /* the list ends here: said once */
        return 0;
    }
    s->rows++;
    s->last_us = out->t_us;
    if (row_rcpt(sl, out) < 0 || row_props(sl, out) < 0)
        return -1;
    v = field(s, COL_VMTA);
    out->vmta = v[0] ? v : NULL;
    v = field(s, COL_POOL);
    out->pool = v[0] ? v : NULL;
    v = field(s, COL_STREAM);
    out->stream = (int)sl_stream_intern(sl, v[0] ? v : "default");
    v = field(s, s->col[COL_MESSAGE_ID] >= 0 ? COL_MESSAGE_ID : COL_JOB);
    out->msg = message_key(v);
    if (sendlist_stream_count(sl) > SCEN_MAX_STREAMS)
        return row_error(sl,
                         "more than %d distinct streams in column '%s' "
                         "(the limit: each stream has its own reports)",
                         SCEN_MAX_STREAMS, "stream");
    return 1;
}

/* sl_csv_open - open the file and map its header. */
int sl_csv_open(struct sendlist *sl)
{
    struct csv_src *s = xcalloc(1, sizeof(*s));
    const char *path = sl->sc->sendlist_file;

    sl->src = s;
    sl->next = next_csv;
    sl->release = release_csv;
    strbuf_init(&s->domain);
    s->fp = fopen(path, "rb");
    if (s->fp == NULL) {
        diag_add(sl->dl, DIAG_ERROR, path, 0, 0, "cannot open send list: %s",
                 strerror(errno));
        return -1;
    }
    sl_csv_init(&s->rd, s->fp, path);
    if (csv_header(sl) < 0)
        return -1;
    if (s->col[COL_STREAM] < 0)
        sl_stream_intern(sl, "default");
    return 0;
}

/* ------------------------------------------------------- the CSV form */

/* sl_csv_format_header - the column names. */
void sl_csv_format_header(struct strbuf *sb)
{
    strbuf_adds(sb, "time,rcpt,domain,vmta,pool,stream,size,invalid,"
                    "complaint\n");
}

/* add_u64 - decimal digits without printf. */
static void add_u64(struct strbuf *sb, uint64_t v)
{
    char tmp[24];

    strbuf_add(sb, tmp, (size_t)(str_put_u64(tmp, v) - tmp));
}

/* add_field - a comma and s, quoted when it holds a comma, quote or line
 * break (RFC 4180 §2.6-2.7). */
static void add_field(struct strbuf *sb, const char *s)
{
    strbuf_addc(sb, ',');
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        strbuf_adds(sb, s);
        return;
    }
    strbuf_addc(sb, '"');
    for (; *s; s++) {
        if (*s == '"')
            strbuf_addc(sb, '"');
        strbuf_addc(sb, *s);
    }
    strbuf_addc(sb, '"');
}

/* add_time - microseconds as seconds, trailing fractional zeros trimmed. */
static void add_time(struct strbuf *sb, int64_t t_us)
{
    uint64_t us = t_us < 0 ? 0 : (uint64_t)t_us;
    uint64_t frac = us % 1000000;
    char digs[7];
    int n = 6;

    add_u64(sb, us / 1000000);
    if (frac == 0)
        return;
    for (int i = 5; i >= 0; i--, frac /= 10)
        digs[i] = (char)('0' + frac % 10);
    while (digs[n - 1] == '0')
        n--;
    strbuf_addc(sb, '.');
    strbuf_add(sb, digs, (size_t)n);
}

/* sl_csv_format_rec - one record as a CSV line. */
void sl_csv_format_rec(struct strbuf *sb, const struct sendlist *sl,
                       const struct send_rec *r)
{
    const struct sendlist_stream *st = sendlist_stream(sl, (size_t)r->stream);

    add_time(sb, r->t_us);
    add_field(sb, r->rcpt);
    add_field(sb, r->domain);
    add_field(sb, r->vmta);
    add_field(sb, r->pool);
    add_field(sb, st ? st->name : NULL);
    strbuf_addc(sb, ',');
    add_u64(sb, r->size);
    strbuf_adds(sb, r->invalid ? ",1" : ",0");
    strbuf_adds(sb, r->complains ? ",1\n" : ",0\n");
}
