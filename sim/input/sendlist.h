/* sendlist.h - the recipients to inject, streamed in time order.
 *
 * Three sources (issue 3):
 *  - a CSV with a header: columns `time` (seconds from the start, or ISO
 *    8601), `rcpt` or `domain`, optional `vmta`, `pool`, `stream`, `size`,
 *    `invalid` (0/1), `complaint` (0/1), `message_id` (or `job`: rows
 *    in a row with the same value are one multi-recipient message); rows
 *    must be in time order;
 *  - a PowerMTA accounting file (format "pmta-acct"): columns mapped by
 *    header name, ragged rows tolerated, time_t and ISO times, one
 *    recipient instance per (timeQueued, orig, rcpt, jobId, envId) key,
 *    enqueue time from `r` records or `timeQueued`;
 *  - a generator: per-stream Poisson (optionally with an hourly profile) or
 *    blast arrivals, domain shares, invalid and complaint rates, sizes.
 * Send lists are never loaded whole: memory grows with what is buffered
 * for reordering, not with the list.
 *
 * Recipient ids are 0, 1, 2, ... in send-list order, and intrinsic
 * properties (invalid, complains) are keyed draws on that id, so two
 * configurations replaying one send list see the same recipients.
 * Ownership: strings in a send_rec are borrowed until the next call. */
#ifndef SENDLIST_H
#define SENDLIST_H

#include "engine/rng.h"
#include "input/scenario.h"
#include "util/diag.h"

#include <stddef.h>
#include <stdint.h>

struct send_rec {
    int64_t t_us;       /* injection time, microseconds from the start */
    uint64_t id;        /* 0, 1, 2, ... */
    const char *rcpt;   /* full address, or NULL when only the domain */
    const char *domain; /* lower case */
    const char *vmta;   /* NULL when unset */
    const char *pool;   /* NULL when unset */
    int stream;         /* index of sendlist_stream() */
    uint32_t size;      /* bytes */
    int invalid;        /* unknown user */
    int complains;      /* complains if delivered */
    uint64_t msg;       /* 0: a message of its own; else consecutive
                           recipients with the same msg are one message */
    uint32_t domain_ix; /* the domain's index in this list's domain table
                           (< sendlist_domain_count: equal names, equal
                           index; stable for the list's life), so readers
                           can keep per-domain state in an array; or
                           UINT32_MAX when the source has no table (CSV
                           and accounting lists) */
};

struct sendlist_stream {
    const char *name;
    double deadline_s; /* < 0: none */
};

struct sendlist;

/* sendlist_open - start reading the scenario's send list. NULL with errors
 * in dl when it cannot start. g supplies keyed draws. */
struct sendlist *sendlist_open(const struct scenario *sc, struct rng *g,
                               struct diag_list *dl);
/* sendlist_next - the next recipient: 1, 0 at the end, -1 on an error
 * (in dl, with file:line). Records come in non-decreasing t_us, and
 * never later than the scenario's duration. */
int sendlist_next(struct sendlist *sl, struct send_rec *out);
/* sendlist_skip_rcpt - the reader never looks at send_rec.rcpt (say, the
 * MTA routes every recipient through a fixed <source>, and the accounting
 * file writes its own addresses): a source that would build the address
 * (the generator's "u<id>@<domain>") leaves rcpt NULL and saves the
 * work. Every other field stays as it was. Call before the first
 * sendlist_next. */
void sendlist_skip_rcpt(struct sendlist *sl);
size_t sendlist_stream_count(const struct sendlist *sl);
/* sendlist_domain_count - a bound on every send_rec.domain_ix other than
 * UINT32_MAX: the generator's domain table (the named domains of every
 * stream, each name once, then the "*" long tail's domains when a stream
 * draws from it); 0 for lists without a table. Fixed once the list is
 * open. */
size_t sendlist_domain_count(const struct sendlist *sl);
const struct sendlist_stream *sendlist_stream(const struct sendlist *sl,
                                              size_t i);
/* sendlist_warnings - rows skipped or adjusted so far (e.g. acct rows
 * queued out of order), for the run summary. */
uint64_t sendlist_adjusted(const struct sendlist *sl);
/* How many skipped rows sendlist_report_skips lists one by one. */
#define SENDLIST_SKIPS_SHOWN 5
/* sendlist_report_skips - after reading the list: a warning (file:line and
 * why) for each of the first SENDLIST_SKIPS_SHOWN rows skipped, one with
 * the total when there were more, one with the number of accounting rows
 * of recipients enqueued before the scenario's start (not sent), one at
 * the row of a CSV list the run ends before (it and the rest not sent),
 * and one
 * with the number of recipients injected later than their place in the
 * file. Called once per command
 * (the pre-flight check reads the whole list), not by every replication. */
void sendlist_report_skips(const struct sendlist *sl, struct diag_list *dl);
void sendlist_close(struct sendlist *sl);

#endif
