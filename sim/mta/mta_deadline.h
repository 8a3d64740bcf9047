/* mta_deadline.h - the deadlines of deferred recipients (bounce-after),
 * 12 bytes each: a binary heap of (time, recipient) pairs kept in two
 * parallel arrays, ordered by time, then recipient index, so equal
 * deadlines come out in a fixed order.
 *
 * Why not one evq event per recipient: an evq event is 32 bytes, which
 * put a deferred recipient at 80 bytes (48 + 32) against the 64 a
 * backlog of millions can afford. The MTA keeps one evq event armed for
 * the earliest deadline instead (mta.c). Entries are not removed when
 * their recipient leaves early: the handler checks the recipient, as it
 * did the lazy evq events (a stale entry finds it gone, dead or not yet
 * due). Ownership: the arrays belong to the heap. */
#ifndef MTA_DEADLINE_H
#define MTA_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

struct mta_deadlines {
    int64_t *t;
    uint32_t *ri;
    size_t n, cap;
};

void mta_deadline_push(struct mta_deadlines *h, int64_t t, uint32_t ri);
/* mta_deadline_pop - remove the earliest entry into *t, *ri; 0, or -1
 * when empty. */
int mta_deadline_pop(struct mta_deadlines *h, int64_t *t, uint32_t *ri);
static inline int64_t mta_deadline_first(const struct mta_deadlines *h)
{
    return h->n ? h->t[0] : INT64_MAX;
}
void mta_deadline_release(struct mta_deadlines *h);

#endif
