/* sl_acct.c - a send list rebuilt from a PowerMTA accounting file
 * (docs/reports.md).
 *
 * Columns are mapped by header name; a new header line ("type,...") in
 * the middle of the file, as concatenated files have, remaps them. Rows
 * d, b, t, r define recipient instances, keyed by (timeQueued, orig,
 * rcpt, jobId, envId); f rows only mark a pending instance as a
 * complainer; tq, rb, rs rows define nothing (tq has no recipient, rb/rs
 * arrive after the terminal row). The enqueue time is the r row's
 * timeLogged when the instance is first seen in an r row, else
 * timeQueued.
 *
 * Rows come in timeLogged order, not enqueue order, so instances wait in
 * a heap ordered by enqueue time and leave once the file's timeLogged has
 * passed them by more than the largest (timeLogged - enqueue) lag seen so
 * far on a first sighting. One that is still out of order (its lag grew
 * the maximum) is injected at the last emitted time and counted in
 * sendlist_adjusted(). Active keys are kept, as two 64-bit hashes, until
 * the instance's terminal d or b row, so a recipient is injected once.
 *
 * A b row with bounceCat bad-mailbox (or dsnStatus 5.1.1) marks its
 * recipient invalid, and an f row its instance a complainer, wherever
 * they stand in the file: a silent first pass collects both (the file is
 * read twice; memory grows with the number of such rows only). */
#include "input/sl_int.h"
#include "util/xalloc.h"
#include "util/zfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_SLOT UINT32_MAX
/* The longest a recipient can plausibly wait between enqueue and its
 * row (PowerMTA's bounce-after is days, not months). A row past it, or
 * logged that long after the run's end, is skipped and counted: one row
 * dated 9999 would otherwise hold the whole file in the buffer. */
#define ACCT_MAX_LAG_US (60 * 86400 * INT64_C(1000000))
/* how long a finished key is remembered beyond the largest lag */
#define KEY_GRACE_US (60 * INT64_C(1000000))

enum acct_col {
    A_TYPE,
    A_TLOGGED,
    A_TQUEUED,
    A_ORIG,
    A_RCPT,
    A_JOB,
    A_ENV,
    A_VMTA,
    A_POOL,
    A_SIZE,
    A_BCAT,
    A_DSN,
    A_COUNT
};

static const char *const acct_names[A_COUNT] = {
    "type",  "timeLogged", "timeQueued", "orig",    "rcpt",      "jobId",
    "envId", "vmta",       "vmtaPool",   "dlvSize", "bounceCat", "dsnStatus"
};

enum acct_kind { K_D, K_B, K_T, K_R, K_F, K_IGNORED, K_UNKNOWN };

static enum acct_kind classify(const char *type);

/* A buffered recipient instance. seq 0 = free. */
struct acct_slot {
    struct strbuf rcpt, vmta, pool, stream;
    uint32_t size;
    int invalid, complains;
    uint64_t seq;
};

struct acct_ref { /* heap entry */
    int64_t e_us;
    uint64_t seq;
    uint32_t slot;
};

/* An instance key: live until its terminal row, then done (kept for a
 * while to absorb rows that straggle in after it). */
enum { KEY_EMPTY, KEY_LIVE, KEY_DONE };

struct acct_key {
    uint64_t h1, h2, seq;
    int64_t done_us; /* when the terminal row came */
    uint32_t slot;
    int state;
};

/* A set of 128-bit hashes (h2 is never 0; 0 marks a free entry). */
struct hash_set {
    struct acct_key *v; /* only h1 and h2 are used */
    size_t cap, used;   /* cap a power of two */
};

struct acct_src {
    FILE *fp;
    struct sl_csv rd;
    int col[A_COUNT];
    int have_header, eof;
    struct acct_slot *slots;
    size_t n_slots, cap_slots;
    uint32_t *free_slots;
    size_t n_free, cap_free;
    struct acct_ref *heap;
    size_t n_heap, cap_heap;
    struct acct_key *keys;
    size_t key_cap, key_used; /* a power of two; slots in use */
    uint64_t seq;
    int64_t file_us;  /* largest timeLogged so far */
    int64_t lag_us;   /* largest lag of a first sighting */
    int64_t last_us;  /* last emitted time */
    uint32_t emitted; /* slot handed out by the last call */
    struct strbuf domain;
    /* From a first pass: recipients that bounced as bad mailboxes, and
     * the instances that drew a complaint (f row). */
    struct hash_set bad_rcpts, complaints;
};

static int acct_error(struct sendlist *sl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* acct_error - an error about the current row (file:line); returns -1. */
static int acct_error(struct sendlist *sl, const char *fmt, ...)
{
    struct acct_src *s = sl->src;
    va_list ap;

    va_start(ap, fmt);
    diag_vadd(sl->dl, DIAG_ERROR, s->rd.path, (int)s->rd.line, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* acct_skip - the current row is skipped (counted, the first shown). */
#define acct_skip(sl, ...)                                                     \
    sl_skip((sl), ((struct acct_src *)(sl)->src)->rd.path,                     \
            ((struct acct_src *)(sl)->src)->rd.line, __VA_ARGS__)

/* afield - column k of the current row ("" when absent). */
static const char *afield(const struct acct_src *s, enum acct_col k)
{
    return sl_csv_field(&s->rd, s->col[k]);
}

/* ----------------------------------------------------------- header */

/* map_header - the columns of the current (header) row; the first
 * required column that is missing, or A_COUNT when none is. */
static enum acct_col map_header(struct acct_src *s)
{
    for (int k = 0; k < A_COUNT; k++)
        s->col[k] = -1;
    for (size_t i = 0; i < s->rd.n_fields; i++)
        for (int k = 0; k < A_COUNT; k++)
            if (s->col[k] < 0 &&
                sl_header_eq(sl_csv_field(&s->rd, (int)i), acct_names[k]))
                s->col[k] = (int)i;
    for (int k = A_TYPE; k <= A_RCPT; k++)
        if (s->col[k] < 0 && k != A_TQUEUED && k != A_ORIG)
            return (enum acct_col)k;
    s->have_header = 1;
    return A_COUNT;
}

/* acct_header - (re)map the columns from a header row. */
static int acct_header(struct sendlist *sl)
{
    enum acct_col missing = map_header(sl->src);

    if (missing != A_COUNT)
        return acct_error(sl, "missing column '%s' in the header",
                          acct_names[missing]);
    return 0;
}

/* ------------------------------------------------------------ times */

/* time_of - time_t seconds or an ISO / PowerMTA time stamp, as
 * microseconds from start_us; -1 when it is neither. */
static int time_of(const char *v, int64_t start_us, int64_t *t_us)
{
    int64_t epoch_us;
    char *end;

    if (isdigit((unsigned char)v[0]) && strchr(v, '-') == NULL) {
        errno = 0;
        long long secs = strtoll(v, &end, 10);
        if (*end == '\0' && errno == 0 && secs < INT64_MAX / 1000000) {
            *t_us = secs * 1000000 - start_us;
            return 0;
        }
    } else if (sl_parse_datetime(v, &epoch_us) == 0) {
        *t_us = epoch_us - start_us;
        return 0;
    }
    return -1;
}

/* acct_time - column k of the row as microseconds from the scenario
 * start (an error naming the row when it is no time). */
static int acct_time(struct sendlist *sl, enum acct_col k, int64_t *t_us)
{
    const char *v = afield(sl->src, k);

    if (time_of(v, sl->start_us, t_us) == 0)
        return 0;
    return acct_error(sl,
                      "invalid time '%s' in column '%s' (expected time_t "
                      "seconds or 'YYYY-MM-DD HH:MM:SS+hhmm')",
                      v, acct_names[k]);
}

/* ------------------------------------------------------------- keys */

/* key_hash - two independent 64-bit hashes of the instance key. */
static void key_hash(const struct acct_src *s, int64_t tq_us, uint64_t *h1,
                     uint64_t *h2)
{
    static const enum acct_col parts[] = { A_ORIG, A_RCPT, A_JOB, A_ENV };
    uint64_t a = 1469598103934665603ULL ^ (uint64_t)tq_us;
    uint64_t b = 0x9e3779b97f4a7c15ULL + (uint64_t)tq_us * 31;

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        for (const char *p = afield(s, parts[i]);; p++) {
            unsigned char c = *p ? (unsigned char)*p : 0x1f;
            a = (a ^ c) * 1099511628211ULL;
            b = (b ^ c) * 0xff51afd7ed558ccdULL;
            b ^= b >> 29;
            if (*p == '\0')
                break;
        }
    }
    *h1 = a ^ (a >> 31);
    *h2 = b;
}

/* key_find - the table index of (h1, h2), or SIZE_MAX. */
static size_t key_find(const struct acct_src *s, uint64_t h1, uint64_t h2)
{
    if (s->key_cap == 0)
        return SIZE_MAX;
    for (size_t i = h1 & (s->key_cap - 1);; i = (i + 1) & (s->key_cap - 1)) {
        const struct acct_key *k = &s->keys[i];
        if (k->state == KEY_EMPTY)
            return SIZE_MAX;
        if (k->h1 == h1 && k->h2 == h2)
            return i;
    }
}

/* key_insert - place a key (table known to have room). */
static void key_insert(struct acct_src *s, const struct acct_key *key)
{
    size_t i = key->h1 & (s->key_cap - 1);

    while (s->keys[i].state != KEY_EMPTY)
        i = (i + 1) & (s->key_cap - 1);
    s->keys[i] = *key;
    s->key_used++;
}

/* key_kept - a key survives a rehash: live, or done recently enough
 * that a straggling row of its instance may still come. */
static int key_kept(const struct acct_src *s, const struct acct_key *k)
{
    return k->state == KEY_LIVE ||
           (k->state == KEY_DONE &&
            k->done_us >= s->file_us - s->lag_us - KEY_GRACE_US);
}

/* key_rehash - rebuild the table without the expired keys, doubling it
 * when more than a quarter of it stays in use. */
static void key_rehash(struct acct_src *s)
{
    struct acct_key *old = s->keys;
    size_t old_cap = s->key_cap, keep = 0;

    for (size_t i = 0; i < old_cap; i++)
        keep += key_kept(s, &old[i]);
    s->key_cap = old_cap == 0         ? 1024
                 : 4 * keep > old_cap ? 2 * old_cap
                                      : old_cap;
    s->keys = xcalloc(s->key_cap, sizeof(*s->keys));
    s->key_used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (key_kept(s, &old[i]))
            key_insert(s, &old[i]);
    free(old);
}

/* key_put - add a key known to be absent, in the given state. */
static void key_put(struct acct_src *s, struct acct_key *key, int state,
                    int64_t tl_us)
{
    if (10 * (s->key_used + 1) > 7 * s->key_cap)
        key_rehash(s);
    key->state = state;
    key->done_us = tl_us;
    key_insert(s, key);
}

/* ------------------------------------------------- first-pass sets */

/* set_slot - the slot of (h1, h2), or of the free entry that ends its
 * probe chain. */
static size_t set_slot(const struct hash_set *hs, uint64_t h1, uint64_t h2)
{
    size_t i = h1 & (hs->cap - 1);

    while (hs->v[i].h2 != 0 && (hs->v[i].h1 != h1 || hs->v[i].h2 != h2))
        i = (i + 1) & (hs->cap - 1);
    return i;
}

/* set_has - whether (h1, h2) is in the set. */
static int set_has(const struct hash_set *hs, uint64_t h1, uint64_t h2)
{
    return hs->cap != 0 && hs->v[set_slot(hs, h1, h2 | 1)].h2 != 0;
}

/* set_add - insert (h1, h2), doubling the table past 70 % full. */
static void set_add(struct hash_set *hs, uint64_t h1, uint64_t h2)
{
    h2 |= 1;
    if (10 * (hs->used + 1) > 7 * hs->cap) {
        struct hash_set old = *hs;
        hs->cap = old.cap ? 2 * old.cap : 256;
        hs->v = xcalloc(hs->cap, sizeof(*hs->v));
        hs->used = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.v[i].h2 != 0)
                set_add(hs, old.v[i].h1, old.v[i].h2);
        free(old.v);
    }
    size_t i = set_slot(hs, h1, h2);
    if (hs->v[i].h2 == 0) {
        hs->v[i].h1 = h1;
        hs->v[i].h2 = h2;
        hs->used++;
    }
}

/* rcpt_hash - two hashes of the current row's recipient alone. */
static void rcpt_hash(const struct acct_src *s, uint64_t *h1, uint64_t *h2)
{
    uint64_t a = 1469598103934665603ULL, b = 0x9e3779b97f4a7c15ULL;

    for (const unsigned char *p = (const unsigned char *)afield(s, A_RCPT); *p;
         p++) {
        a = (a ^ *p) * 1099511628211ULL;
        b = (b ^ *p) * 0xff51afd7ed558ccdULL;
        b ^= b >> 29;
    }
    *h1 = a ^ (a >> 31);
    *h2 = b;
}

/* is_bad_mailbox - a b row saying the mailbox does not exist. */
static int is_bad_mailbox(const struct acct_src *s)
{
    return strcmp(afield(s, A_BCAT), "bad-mailbox") == 0 ||
           strncmp(afield(s, A_DSN), "5.1.1", 5) == 0;
}

/* note_outcome - what a row of the first pass adds to the sets. */
static void note_outcome(struct acct_src *into, const struct acct_src *pre,
                         int64_t start_us)
{
    enum acct_kind kind = classify(afield(pre, A_TYPE));
    uint64_t h1, h2;
    int64_t tq_us;

    if (afield(pre, A_RCPT)[0] == '\0')
        return;
    if (kind == K_B && is_bad_mailbox(pre)) {
        rcpt_hash(pre, &h1, &h2);
        set_add(&into->bad_rcpts, h1, h2);
    } else if (kind == K_F &&
               time_of(afield(pre, A_TQUEUED), start_us, &tq_us) == 0) {
        key_hash(pre, tq_us, &h1, &h2);
        set_add(&into->complaints, h1, h2);
    }
}

/* scan_outcomes - a first pass over the file that remembers every
 * bad-mailbox recipient and every complained-of instance. Rows arrive in
 * timeLogged order, so a recipient's b or f row may come after the
 * recipient was handed to the simulation (always so with r rows, which
 * are logged at enqueue); without this pass a replay of the simulator's
 * own file lost most of its unknown users. The pass is silent: the main
 * pass reports every problem with the file, once. */
static void scan_outcomes(struct sendlist *sl, const char *path)
{
    struct acct_src *s = sl->src, pre = { 0 };
    struct diag_list scratch;

    pre.fp = zfile_open(path);
    if (pre.fp == NULL)
        return;
    diag_list_init(&scratch, 1);
    sl_csv_init(&pre.rd, pre.fp, path);
    while (sl_csv_next(&pre.rd, &scratch) > 0) {
        if (sl_header_eq(sl_csv_field(&pre.rd, 0), "type")) {
            if (map_header(&pre) != A_COUNT)
                break;
        } else if (pre.have_header) {
            note_outcome(s, &pre, sl->start_us);
        } else {
            break;
        }
    }
    sl_csv_release(&pre.rd);
    fclose(pre.fp);
    diag_list_release(&scratch);
}

/* ------------------------------------------------------------- heap */

/* ref_less - heap order: enqueue time, then first sighting. */
static int ref_less(const struct acct_ref *a, const struct acct_ref *b)
{
    return a->e_us < b->e_us || (a->e_us == b->e_us && a->seq < b->seq);
}

/* heap_push - add an instance by (enqueue time, arrival order). */
static void heap_push(struct acct_src *s, struct acct_ref r)
{
    size_t i;

    XGROW(s->heap, s->n_heap, s->cap_heap);
    for (i = s->n_heap++; i > 0; i = (i - 1) / 2) {
        if (!ref_less(&r, &s->heap[(i - 1) / 2]))
            break;
        s->heap[i] = s->heap[(i - 1) / 2];
    }
    s->heap[i] = r;
}

/* heap_pop - remove and return the earliest instance. */
static struct acct_ref heap_pop(struct acct_src *s)
{
    struct acct_ref top = s->heap[0], last = s->heap[--s->n_heap];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->n_heap)
            break;
        if (c + 1 < s->n_heap && ref_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!ref_less(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->n_heap)
        s->heap[i] = last;
    return top;
}

/* -------------------------------------------------------- instances */

/* slot_alloc - a free slot (its buffers kept from earlier use). */
static uint32_t slot_alloc(struct acct_src *s)
{
    if (s->n_free)
        return s->free_slots[--s->n_free];
    XGROW(s->slots, s->n_slots, s->cap_slots);
    struct acct_slot *sl = &s->slots[s->n_slots];
    strbuf_init(&sl->rcpt);
    strbuf_init(&sl->vmta);
    strbuf_init(&sl->pool);
    strbuf_init(&sl->stream);
    sl->seq = 0;
    return (uint32_t)s->n_slots++;
}

/* slot_free - return a slot (and its buffers) for reuse. */
static void slot_free(struct acct_src *s, uint32_t i)
{
    s->slots[i].seq = 0;
    XGROW(s->free_slots, s->n_free, s->cap_free);
    s->free_slots[s->n_free++] = i;
}

/* set_if_empty - copy the row's value into an unset slot string. */
static void set_if_empty(struct strbuf *sb, const char *v)
{
    if (sb->len == 0 && v[0] != '\0')
        strbuf_adds(sb, v);
}

/* slot_merge - what a row adds to a buffered instance. */
static int slot_merge(struct sendlist *sl, struct acct_slot *x,
                      enum acct_kind kind)
{
    struct acct_src *s = sl->src;
    const char *v = afield(s, A_SIZE);
    char *end;

    set_if_empty(&x->vmta, afield(s, A_VMTA));
    set_if_empty(&x->pool, afield(s, A_POOL));
    if (x->size == 0 && v[0] != '\0') {
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end || errno || n > UINT32_MAX)
            return acct_error(sl, "invalid size '%s' in column 'dlvSize'", v);
        x->size = (uint32_t)n;
    }
    if (kind == K_B && is_bad_mailbox(s))
        x->invalid = 1;
    if (kind == K_F)
        x->complains = 1;
    return 0;
}

/* instance_new - buffer a first-seen instance enqueued at e_us. */
static int instance_new(struct sendlist *sl, struct acct_key *key, int64_t e_us,
                        int64_t tl_us, enum acct_kind kind)
{
    struct acct_src *s = sl->src;
    uint32_t i = slot_alloc(s);
    struct acct_slot *x = &s->slots[i];
    const char *job = afield(s, A_JOB);

    strbuf_reset(&x->rcpt);
    strbuf_adds(&x->rcpt, afield(s, A_RCPT));
    strbuf_reset(&x->vmta);
    strbuf_reset(&x->pool);
    strbuf_reset(&x->stream);
    strbuf_adds(&x->stream, job[0] ? job : "default");
    x->size = 0;
    uint64_t r1, r2;
    rcpt_hash(s, &r1, &r2);
    x->invalid = set_has(&s->bad_rcpts, r1, r2);
    x->complains = set_has(&s->complaints, key->h1, key->h2);
    x->seq = ++s->seq;
    heap_push(s, (struct acct_ref){ e_us, x->seq, i });
    if (tl_us - e_us > s->lag_us)
        s->lag_us = tl_us - e_us;
    key->seq = x->seq;
    key->slot = i;
    return slot_merge(sl, x, kind);
}

/* ------------------------------------------------------------- rows */

/* classify - the record type of a row. */
static enum acct_kind classify(const char *type)
{
    static const char *const names[] = { "d", "b", "t", "r", "f" };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(type, names[i]) == 0)
            return (enum acct_kind)i;
    if (!strcasecmp(type, "tq") || !strcasecmp(type, "rb") ||
        !strcasecmp(type, "rs"))
        return K_IGNORED;
    return K_UNKNOWN;
}

/* row_instance - the key and enqueue time of a recipient row; 1 when
 * they exist, 0 when the row is skipped, -1 on a bad time. */
static int row_instance(struct sendlist *sl, enum acct_kind kind, int64_t tl_us,
                        struct acct_key *key, int64_t *e_us)
{
    struct acct_src *s = sl->src;
    int64_t tq_us = tl_us;

    if (afield(s, A_TQUEUED)[0] != '\0') {
        if (acct_time(sl, A_TQUEUED, &tq_us) < 0)
            return -1;
    } else if (kind != K_R) { /* no enqueue time: cannot place it */
        acct_skip(sl, "no timeQueued (a '%s' row needs it)", afield(s, A_TYPE));
        return 0;
    }
    *e_us = kind == K_R ? tl_us : tq_us;
    memset(key, 0, sizeof(*key));
    key_hash(s, tq_us, &key->h1, &key->h2);
    key->slot = NO_SLOT;
    return 1;
}

/* row_apply - a recipient row: update its buffered instance, or start a
 * new one; forget the key at a terminal row. */
static int row_apply(struct sendlist *sl, enum acct_kind kind, int64_t tl_us)
{
    struct acct_src *s = sl->src;
    struct acct_key key;
    int64_t e_us;
    int rc = row_instance(sl, kind, tl_us, &key, &e_us);

    if (rc <= 0)
        return rc;
    size_t at = key_find(s, key.h1, key.h2);
    int terminal = kind == K_D || kind == K_B;
    if (at != SIZE_MAX) {
        struct acct_key *k = &s->keys[at];
        if (k->state == KEY_LIVE && k->slot != NO_SLOT &&
            s->slots[k->slot].seq == k->seq)
            rc = slot_merge(sl, &s->slots[k->slot], kind);
        if (terminal && k->state == KEY_LIVE) {
            k->state = KEY_DONE;
            k->done_us = tl_us;
        }
        return rc;
    }
    if (kind == K_F)
        return 0;   /* a late report */
    if (e_us < 0) { /* outside the run: counted, shown once in all */
        sl->before_start++;
        return 0;
    }
    if (tl_us - e_us > ACCT_MAX_LAG_US) { /* a bad timeQueued */
        acct_skip(sl, "timeLogged is more than 60 days after timeQueued");
        return 0;
    }
    rc = instance_new(sl, &key, e_us, tl_us, kind);
    key_put(s, &key, terminal ? KEY_DONE : KEY_LIVE, tl_us);
    return rc;
}

/* acct_row - one row of the file (a header line remaps the columns). */
static int acct_row(struct sendlist *sl)
{
    struct acct_src *s = sl->src;
    const char *type = sl_csv_field(&s->rd, 0);
    int64_t tl_us;

    if (sl_header_eq(type, "type"))
        return acct_header(sl);
    if (!s->have_header)
        return acct_error(sl, "expected a header line starting with 'type' "
                              "(accounting files begin with their column "
                              "names)");
    enum acct_kind kind = classify(afield(s, A_TYPE));
    if (kind == K_UNKNOWN) {
        acct_skip(sl, "unknown record type '%.40s'", afield(s, A_TYPE));
        return 0;
    }
    if (afield(s, A_TLOGGED)[0] == '\0') {
        acct_skip(sl, "no timeLogged");
        return 0;
    }
    if (acct_time(sl, A_TLOGGED, &tl_us) < 0)
        return -1;
    if (tl_us > sl->duration_us + ACCT_MAX_LAG_US) { /* must not stall */
        acct_skip(sl, "logged more than 60 days after the end of the run");
        return 0;
    }
    if (tl_us > s->file_us)
        s->file_us = tl_us;
    if (kind == K_IGNORED)
        return 0;
    if (afield(s, A_RCPT)[0] == '\0') {
        acct_skip(sl, "a '%s' row without rcpt", afield(s, A_TYPE));
        return 0;
    }
    return row_apply(sl, kind, tl_us);
}

/* ---------------------------------------------------------- emission */

/* emit - the earliest buffered instance as a record. */
static int emit(struct sendlist *sl, struct send_rec *out)
{
    struct acct_src *s = sl->src;
    struct acct_ref r = heap_pop(s);
    struct acct_slot *x = &s->slots[r.slot];
    int64_t t = r.e_us;

    if (t < s->last_us) {
        t = s->last_us;
        sl->adjusted++;
    }
    if (t > sl->duration_us) {
        slot_free(s, r.slot);
        return 0;
    }
    s->last_us = t;
    s->emitted = r.slot;
    out->t_us = t;
    out->rcpt = x->rcpt.buf;
    if (sl_domain_of(x->rcpt.buf, &s->domain) < 0)
        strbuf_reset(&s->domain); /* a redacted or odd address */
    out->domain = s->domain.buf;
    out->vmta = x->vmta.len ? x->vmta.buf : NULL;
    out->pool = x->pool.len ? x->pool.buf : NULL;
    out->stream = (int)sl_stream_intern(sl, x->stream.buf);
    out->size = x->size;
    out->invalid = x->invalid;
    out->complains = x->complains;
    return 1;
}

/* next_acct - read rows until the earliest buffered instance is safe to
 * emit (or the file ends). */
static int next_acct(struct sendlist *sl, struct send_rec *out)
{
    struct acct_src *s = sl->src;

    if (s->emitted != NO_SLOT) {
        slot_free(s, s->emitted);
        s->emitted = NO_SLOT;
    }
    for (;;) {
        if (s->n_heap && (s->eof || s->file_us - s->heap[0].e_us > s->lag_us))
            return emit(sl, out);
        if (s->eof)
            return 0;
        int rc = sl_csv_next(&s->rd, sl->dl);
        if (rc < 0)
            return -1;
        if (rc == 0)
            s->eof = 1;
        else if (acct_row(sl) < 0)
            return -1;
    }
}

/* ------------------------------------------------------------- setup */

/* release_acct - the accounting source's state. */
static void release_acct(struct sendlist *sl)
{
    struct acct_src *s = sl->src;

    if (s == NULL)
        return;
    if (s->fp)
        fclose(s->fp);
    sl_csv_release(&s->rd);
    for (size_t i = 0; i < s->n_slots; i++) {
        strbuf_release(&s->slots[i].rcpt);
        strbuf_release(&s->slots[i].vmta);
        strbuf_release(&s->slots[i].pool);
        strbuf_release(&s->slots[i].stream);
    }
    free(s->slots);
    free(s->free_slots);
    free(s->heap);
    free(s->keys);
    free(s->bad_rcpts.v);
    free(s->complaints.v);
    strbuf_release(&s->domain);
    free(s);
    sl->src = NULL;
}

/* sl_acct_open - open the file and map its first header. */
int sl_acct_open(struct sendlist *sl)
{
    struct acct_src *s = xcalloc(1, sizeof(*s));
    const char *path = sl->sc->sendlist_file;

    sl->src = s;
    sl->next = next_acct;
    sl->release = release_acct;
    s->emitted = NO_SLOT;
    strbuf_init(&s->domain);
    s->fp = zfile_open(path); /* plain or gzip */
    if (s->fp == NULL) {
        diag_add(sl->dl, DIAG_ERROR, path, 0, 0,
                 "cannot open accounting file: %s", strerror(errno));
        return -1;
    }
    scan_outcomes(sl, path);
    sl_csv_init(&s->rd, s->fp, path);
    int rc = sl_csv_next(&s->rd, sl->dl);
    if (rc == 0)
        diag_add(sl->dl, DIAG_ERROR, path, 0, 0,
                 "empty accounting file (expected a header line starting "
                 "with 'type')");
    if (rc <= 0 || acct_row(sl) < 0)
        return -1;
    return 0;
}
