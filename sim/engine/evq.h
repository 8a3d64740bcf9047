/* evq.h - the pending-event set: ordered by (time, sequence), kept in two
 * binary heaps: a near one for events due within EVQ_NEAR_US of the time
 * they are pushed (connections, transactions, rate waits) and a far one for
 * the rest (retry and expiry timers, days). A pop takes the earlier of the
 * two tops, so the order is exactly that of one heap; the thousands of
 * far timers a long run holds no longer deepen every pop of the near ones.
 *
 * Time is integer microseconds from the scenario start, so sums of
 * intervals are exact and runs are bit-reproducible (docs/design.md). The
 * sequence number is the insertion counter: ties pop in FIFO order.
 * Cancellation is lazy: an event carries its owner's generation number, and
 * the owner ignores events whose generation is stale (Redis
 * AE_DELETED_EVENT_ID). The heap only holds timers that cannot be kept in
 * a FIFO (docs/design.md): one per busy connection and per timed queue.
 * Ownership: the heap array belongs to the evq. */
#ifndef EVQ_H
#define EVQ_H

#include <stddef.h>
#include <stdint.h>

struct evq_event {
    int64_t t_us;
    uint64_t seq;
    uint32_t kind; /* caller's event type */
    uint32_t gen;  /* caller's generation, for lazy cancellation */
    uint64_t id;   /* caller's entity */
};

/* Events due within this of the push time go to the near heap. */
#define EVQ_NEAR_US (120 * 1000000LL)

struct evq_heap {
    struct evq_event *ev;
    size_t n, cap;
};

struct evq {
    struct evq_heap near, far;
    size_t n; /* pending, both heaps */
    uint64_t next_seq;
    int64_t now_us;  /* time of the last popped event */
    uint64_t pushed; /* statistics */
    uint64_t popped;
    size_t max_n;
    uint64_t seed; /* the run's seed and replication, for evq_die */
    uint64_t replication;
};

void evq_init(struct evq *q);
void evq_release(struct evq *q);
/* evq_push - schedule an event; t_us must not be before now_us. Returns
 * 0, or -1 when t_us is in the past (a caller bug to report). */
int evq_push(struct evq *q, int64_t t_us, uint32_t kind, uint32_t gen,
             uint64_t id);
/* EVQ_PUSH - an evq_push that cannot fail: a failure is a bug in the
 * caller, so it stops the run loudly (evq_die) instead of dropping the
 * event. EVQ_ASSERT - any other invariant of the event loop. */
#define EVQ_PUSH(q, t_us, kind, gen, id)                                       \
    evq_push_checked((q), (t_us), (kind), (gen), (id), __FILE__, __LINE__)
#define EVQ_ASSERT(q, cond)                                                    \
    ((cond) ? (void)0 : evq_die((q), __FILE__, __LINE__, #cond, NULL))
_Noreturn void evq_die_push(const struct evq *q, int64_t t_us, uint32_t kind,
                            uint32_t gen, uint64_t id, const char *file,
                            int line);
static inline void evq_push_checked(struct evq *q, int64_t t_us, uint32_t kind,
                                    uint32_t gen, uint64_t id, const char *file,
                                    int line)
{
    if (evq_push(q, t_us, kind, gen, id) != 0)
        evq_die_push(q, t_us, kind, gen, id, file, line);
}
/* evq_die - print "internal error" with the simulated time, the seed and
 * replication, what failed and the event (when ev is not NULL) on stderr,
 * remove the run's temporaries, then exit 70 (EX_SOFTWARE). */
_Noreturn void evq_die(const struct evq *q, const char *file, int line,
                       const char *what, const struct evq_event *ev);
/* evq_pop - the earliest event into *ev and advance now_us; 0, or -1 when
 * the set is empty. */
int evq_pop(struct evq *q, struct evq_event *ev);
/* evq_peek_time - the earliest time, or INT64_MAX when empty (inline: the
 * run loop asks it twice per event). */
static inline int64_t evq_peek_time(const struct evq *q)
{
    int64_t a = q->near.n ? q->near.ev[0].t_us : INT64_MAX;
    int64_t b = q->far.n ? q->far.ev[0].t_us : INT64_MAX;
    return a < b ? a : b;
}

#endif
