/* evq.c - two binary heaps of events, near and far (evq.h; Williams 1964;
 * git prio-queue.c keeps the same insertion counter for FIFO ties). */
#include "engine/evq.h"
#include "util/tmpfiles.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void evq_init(struct evq *q)
{
    memset(q, 0, sizeof(*q));
}

void evq_release(struct evq *q)
{
    free(q->near.ev);
    free(q->far.ev);
    memset(q, 0, sizeof(*q));
}

/* before - whether a pops before b. Bitwise, not short-circuit, so that
 * it is arithmetic without branches (see earlier_sibling). */
static size_t before(const struct evq_event *a, const struct evq_event *b)
{
    return (size_t)(a->t_us < b->t_us) |
           ((size_t)(a->t_us == b->t_us) & (size_t)(a->seq < b->seq));
}

/* earlier_sibling - 1 when child c + 1 exists and pops before child c.
 * Without a branch: which child is earlier is a coin toss, and a
 * mispredicted branch at each level of every pop cost more than the
 * arithmetic. h[n] may be read: it is the element being re-inserted, still
 * in the array. */
static size_t earlier_sibling(const struct evq_event *h, size_t c, size_t n)
{
    return (size_t)(c + 1 < n) & before(&h[c + 1], &h[c]);
}

/* rise - x goes into the hole at i, moved up past every parent it pops
 * before. */
static void rise(struct evq_event *h, size_t i, struct evq_event x)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&x, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = x;
}

static void sift_up(struct evq_event *h, size_t i)
{
    rise(h, i, h[i]);
}

/* sift_down - put x (the old last element) into the hole at the root:
 * Floyd's bottom-up variant walks the hole down to a leaf along the
 * earlier child (one comparison a level instead of two), then lets x rise
 * from there; x came from the bottom, so it rarely rises far. The heap
 * order, and so the pop order, is the same as the classic sift-down's. */
static void sift_down(struct evq_event *h, size_t n, struct evq_event x)
{
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        c += earlier_sibling(h, c, n);
        h[i] = h[c];
        i = c;
    }
    rise(h, i, x);
}

int evq_push(struct evq *q, int64_t t_us, uint32_t kind, uint32_t gen,
             uint64_t id)
{
    if (t_us < q->now_us)
        return -1;
    struct evq_heap *h = t_us - q->now_us < EVQ_NEAR_US ? &q->near : &q->far;
    XGROW(h->ev, h->n, h->cap);
    struct evq_event *e = &h->ev[h->n];
    e->t_us = t_us;
    e->seq = q->next_seq++;
    e->kind = kind;
    e->gen = gen;
    e->id = id;
    sift_up(h->ev, h->n++);
    q->n++;
    q->pushed++;
    if (q->n > q->max_n)
        q->max_n = q->n;
    return 0;
}

int evq_pop(struct evq *q, struct evq_event *ev)
{
    struct evq_heap *h = &q->near;
    if (h->n == 0 || (q->far.n && before(&q->far.ev[0], &h->ev[0])))
        h = &q->far;
    if (h->n == 0)
        return -1;
    *ev = h->ev[0];
    if (--h->n)
        sift_down(h->ev, h->n, h->ev[h->n]);
    q->n--;
    q->now_us = ev->t_us;
    q->popped++;
    return 0;
}

/* EX_SOFTWARE of sysexits.h: an internal software error. */
#define EVQ_EXIT_INTERNAL 70

void evq_die(const struct evq *q, const char *file, int line, const char *what,
             const struct evq_event *ev)
{
    fflush(stdout);
    fprintf(stderr,
            "mtasim: internal error at %s:%d: %s\n"
            "  simulated time t=%.6f s, seed %" PRIu64 ", replication %" PRIu64
            "\n",
            file, line, what, (double)q->now_us / 1e6, q->seed, q->replication);
    if (ev)
        fprintf(stderr,
                "  event: kind %" PRIu32 ", generation %" PRIu32
                ", entity %" PRIu64 ", at t_us=%" PRId64 "\n",
                ev->kind, ev->gen, ev->id, ev->t_us);
    fputs("  this is a bug in mtasim: please report it with the scenario, "
          "config and models\n",
          stderr);
    /* no partial reports; _exit: the state is broken, run no more code
     * (and a sanitizer's leak report would change the exit status) */
    tmpfiles_remove_all();
    _exit(EVQ_EXIT_INTERNAL);
}

void evq_die_push(const struct evq *q, int64_t t_us, uint32_t kind,
                  uint32_t gen, uint64_t id, const char *file, int line)
{
    struct evq_event ev = { t_us, q->next_seq, kind, gen, id };
    evq_die(q, file, line, "an event scheduled before the simulated time", &ev);
}
