/* sendlist.c - the send-list front: picks the source named by the
 * scenario (CSV, PowerMTA accounting file, generator), numbers the
 * recipients, keeps the stream table, and parses time stamps for all of
 * them. The sources live in sl_csv.c, sl_acct.c and sl_gen.c. */
#include "input/sl_int.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* sendlist_open - dispatch on the scenario's send-list kind. */
struct sendlist *sendlist_open(const struct scenario *sc, struct rng *g,
                               struct diag_list *dl)
{
    struct sendlist *sl = xcalloc(1, sizeof(*sl));
    int rc = -1;

    sl->sc = sc;
    sl->g = g;
    sl->dl = dl;
    sl->start_us = sc->start_unix * 1000000;
    sl->duration_us = llround(sc->duration_s * 1e6);
    sl->last_stream = SIZE_MAX;
    switch (sc->sendlist_kind) {
    case SCEN_SL_CSV:
        rc = sl_csv_open(sl);
        break;
    case SCEN_SL_ACCT:
        rc = sl_acct_open(sl);
        break;
    case SCEN_SL_GENERATE:
        rc = sl_gen_open(sl);
        break;
    }
    if (rc < 0) {
        sendlist_close(sl);
        return NULL;
    }
    return sl;
}

/* sendlist_next - ask the source, then number the record. */
int sendlist_next(struct sendlist *sl, struct send_rec *out)
{
    int rc;

    if (sl->state != 0)
        return sl->state > 0 ? 0 : -1;
    memset(out, 0, sizeof(*out));
    out->id = sl->next_id;
    out->domain_ix = UINT32_MAX; /* sources with a domain table set it */
    rc = sl->next(sl, out);
    if (rc <= 0) {
        sl->state = rc == 0 ? 1 : -1;
        return rc;
    }
    out->id = sl->next_id++;
    return 1;
}

/* sendlist_stream_count - streams registered so far. */
size_t sendlist_stream_count(const struct sendlist *sl)
{
    return sl->n_streams;
}

/* sendlist_skip_rcpt - sources that build addresses need not. */
void sendlist_skip_rcpt(struct sendlist *sl)
{
    sl->skip_rcpt = 1;
}

/* sendlist_domain_count - the source's domain table size (0: none). */
size_t sendlist_domain_count(const struct sendlist *sl)
{
    return sl->n_domains;
}

/* sendlist_stream - stream i, NULL when out of range. */
const struct sendlist_stream *sendlist_stream(const struct sendlist *sl,
                                              size_t i)
{
    return i < sl->n_streams ? sl->streams[i] : NULL;
}

/* sendlist_adjusted - rows skipped or moved so far. */
uint64_t sendlist_adjusted(const struct sendlist *sl)
{
    return sl->adjusted;
}

/* sendlist_close - the source's state, then the stream table. */
void sendlist_close(struct sendlist *sl)
{
    if (sl == NULL)
        return;
    if (sl->release)
        sl->release(sl);
    for (size_t i = 0; i < sl->n_streams; i++) {
        free((char *)sl->streams[i]->name);
        free(sl->streams[i]);
    }
    free(sl->streams);
    free(sl->name_tab);
    free(sl);
}

/* ------------------------------------------------------------ streams */

/* name_rehash - double the name table and reinsert every stream. */
static void name_rehash(struct sendlist *sl)
{
    size_t cap = sl->name_cap ? 2 * sl->name_cap : 16;

    free(sl->name_tab);
    sl->name_tab = xcalloc(cap, sizeof(*sl->name_tab));
    sl->name_cap = cap;
    for (size_t i = 0; i < sl->n_streams; i++) {
        size_t h = (size_t)rng_hash64(sl->streams[i]->name) & (cap - 1);
        while (sl->name_tab[h])
            h = (h + 1) & (cap - 1);
        sl->name_tab[h] = i + 1;
    }
}

/* stream_add - register a new stream (no deadline). */
static size_t stream_add(struct sendlist *sl, const char *name)
{
    struct sendlist_stream *st = xmalloc(sizeof(*st));

    st->name = xstrdup(name);
    st->deadline_s = -1;
    XGROW(sl->streams, sl->n_streams, sl->cap_streams);
    sl->streams[sl->n_streams++] = st;
    if (2 * sl->n_streams > sl->name_cap)
        name_rehash(sl);
    else {
        size_t h = (size_t)rng_hash64(name) & (sl->name_cap - 1);
        while (sl->name_tab[h])
            h = (h + 1) & (sl->name_cap - 1);
        sl->name_tab[h] = sl->n_streams;
    }
    return sl->n_streams - 1;
}

/* sl_stream_intern - look the name up (last hit first), else add it. */
size_t sl_stream_intern(struct sendlist *sl, const char *name)
{
    size_t h;

    if (sl->last_stream < sl->n_streams &&
        strcmp(sl->streams[sl->last_stream]->name, name) == 0)
        return sl->last_stream;
    if (sl->name_cap) {
        h = (size_t)rng_hash64(name) & (sl->name_cap - 1);
        for (; sl->name_tab[h]; h = (h + 1) & (sl->name_cap - 1)) {
            size_t i = sl->name_tab[h] - 1;
            if (strcmp(sl->streams[i]->name, name) == 0)
                return sl->last_stream = i;
        }
    }
    return sl->last_stream = stream_add(sl, name);
}

/* sl_header_eq - case-insensitive, blanks around the name ignored. */
int sl_header_eq(const char *h, const char *name)
{
    size_t n = strlen(name);

    while (*h == ' ' || *h == '\t')
        h++;
    if (strncasecmp(h, name, n) != 0)
        return 0;
    for (h += n; *h == ' ' || *h == '\t'; h++)
        continue;
    return *h == '\0';
}

/* sl_lower_into - one copy, then ASCII lower-casing in place. */
void sl_lower_into(struct strbuf *sb, const char *s)
{
    strbuf_reset(sb);
    strbuf_add(sb, s, strlen(s));
    for (char *p = sb->buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
}

/* sl_domain_of - the part after the last '@', lower-cased. */
int sl_domain_of(const char *rcpt, struct strbuf *dom)
{
    const char *at = strrchr(rcpt, '@');

    if (at == NULL || at[1] == '\0')
        return -1;
    sl_lower_into(dom, at + 1);
    return 0;
}

/* -------------------------------------------------------------- times */

/* sl_days_from_civil - (y, m, d) to days since 1970-01-01. */
int64_t sl_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* sl_civil_from_days - days since 1970-01-01 to (y, m, d). */
void sl_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* digits - exactly n decimal digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return 0;
}

/* expect - consume character c. */
static int expect(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

/* frac_us - ".ddd" (any number of digits) as microseconds, rounded to
 * the nearest on the seventh digit. */
static int frac_us(const char **p, int64_t *us)
{
    static const int64_t scale[6] = { 100000, 10000, 1000, 100, 10, 1 };
    int n = 0;

    *us = 0;
    for ((*p)++; isdigit((unsigned char)**p); (*p)++, n++) {
        int dgt = **p - '0';
        if (n < 6)
            *us += dgt * scale[n];
        else if (n == 6 && dgt >= 5)
            (*us)++;
    }
    return n > 0 ? 0 : -1;
}

/* zone_s - "Z", "+hh:mm", "+hhmm", "+hh" or nothing: the offset from UTC. */
static int zone_s(const char **p, int *off_s)
{
    int h, m = 0, sign;

    *off_s = 0;
    if (**p == ' ' && ((*p)[1] == '+' || (*p)[1] == '-'))
        (*p)++;
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return 0;
    sign = **p == '-' ? -1 : 1;
    (*p)++;
    if (digits(p, 2, &h) < 0)
        return -1;
    if (**p == ':')
        (*p)++;
    if (isdigit((unsigned char)**p) && digits(p, 2, &m) < 0)
        return -1;
    if (h > 23 || m > 59)
        return -1;
    *off_s = sign * (h * 3600 + m * 60);
    return 0;
}

/* date_ok - month and day in range (leap years included). */
static int date_ok(int y, int mo, int d)
{
    static const int mdays[] = {
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return 0;
    return !(mo == 2 && d == 29 && !leap);
}

/* sl_parse_datetime - date, time, optional fraction and zone. */
int sl_parse_datetime(const char *s, int64_t *epoch_us)
{
    const char *p = s;
    int y, mo, d, h, mi, sec = 0, off;
    int64_t us = 0;

    if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) ||
        expect(&p, '-') || digits(&p, 2, &d))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &sec) < 0)
            return -1;
    }
    if (*p == '.' && frac_us(&p, &us) < 0)
        return -1;
    if (zone_s(&p, &off) < 0 || *p != '\0')
        return -1;
    if (!date_ok(y, mo, d) || h > 23 || mi > 59 || sec > 59)
        return -1;
    int64_t t =
        sl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *epoch_us = t * 1000000 + us;
    return 0;
}

/* sl_parse_seconds - digits, optionally a fraction; no sign or exponent. */
int sl_parse_seconds(const char *s, int64_t *us)
{
    const char *p = s;
    int64_t whole = 0, frac = 0;

    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (INT64_MAX / 1000000 - 9) / 10)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.' && frac_us(&p, &frac) < 0)
        return -1;
    if (*p != '\0')
        return -1;
    *us = whole * 1000000 + frac;
    return 0;
}

void sl_skip(struct sendlist *sl, const char *path, long line, const char *fmt,
             ...)
{
    sl->adjusted++;
    if (sl->skipped++ >= SENDLIST_SKIPS_SHOWN)
        return;
    struct sl_skip_note *n = &sl->notes[sl->n_notes++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->reason, sizeof(n->reason), fmt, ap);
    va_end(ap);
    n->path = path;
    n->line = line;
}

void sendlist_report_skips(const struct sendlist *sl, struct diag_list *dl)
{
    const char *path = sl->sc->sendlist_file;
    for (size_t i = 0; i < sl->n_notes; i++)
        diag_add(dl, DIAG_WARNING, sl->notes[i].path, (int)sl->notes[i].line, 0,
                 "row skipped: %s", sl->notes[i].reason);
    if (sl->skipped > sl->n_notes)
        diag_add(dl, DIAG_WARNING, path, 0, 0,
                 "%llu rows skipped in all (the first %zu are listed above)",
                 (unsigned long long)sl->skipped, sl->n_notes);
    if (sl->before_start)
        diag_add(dl, DIAG_WARNING, path, 0, 0,
                 "%llu row%s of recipients enqueued before the scenario's "
                 "\"start\": not sent",
                 (unsigned long long)sl->before_start,
                 sl->before_start == 1 ? "" : "s");
    if (sl->past_end_line)
        diag_add(dl, DIAG_WARNING, path, (int)sl->past_end_line, 0,
                 "the run ends (after %.0f s) before this row: it and the "
                 "rows after it are not sent",
                 (double)sl->duration_us / 1e6);
    uint64_t moved = sl->adjusted - sl->skipped;
    if (moved)
        diag_add(dl, DIAG_WARNING, path, 0, 0,
                 "%llu recipient%s enqueued out of time order, injected at "
                 "the time of the recipient before",
                 (unsigned long long)moved, moved == 1 ? " was" : "s were");
}
