/* evq.c - binary heap of events (Williams 1964; git prio-queue.c keeps the
 * same insertion counter for FIFO ties). */
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
    free(q->heap);
    memset(q, 0, sizeof(*q));
}

static int before(const struct evq_event *a, const struct evq_event *b)
{
    return a->t_us < b->t_us || (a->t_us == b->t_us && a->seq < b->seq);
}

static void sift_up(struct evq_event *h, size_t i)
{
    struct evq_event x = h[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&x, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = x;
}

static void sift_down(struct evq_event *h, size_t n, size_t i)
{
    struct evq_event x = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&h[c + 1], &h[c]))
            c++;
        if (!before(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

int evq_push(struct evq *q, int64_t t_us, uint32_t kind, uint32_t gen,
             uint64_t id)
{
    if (t_us < q->now_us)
        return -1;
    XGROW(q->heap, q->n, q->cap);
    struct evq_event *e = &q->heap[q->n];
    e->t_us = t_us;
    e->seq = q->next_seq++;
    e->kind = kind;
    e->gen = gen;
    e->id = id;
    sift_up(q->heap, q->n++);
    q->pushed++;
    if (q->n > q->max_n)
        q->max_n = q->n;
    return 0;
}

int evq_pop(struct evq *q, struct evq_event *ev)
{
    if (q->n == 0)
        return -1;
    *ev = q->heap[0];
    q->heap[0] = q->heap[--q->n];
    if (q->n)
        sift_down(q->heap, q->n, 0);
    q->now_us = ev->t_us;
    q->popped++;
    return 0;
}

int64_t evq_peek_time(const struct evq *q)
{
    return q->n ? q->heap[0].t_us : INT64_MAX;
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

void evq_push_checked(struct evq *q, int64_t t_us, uint32_t kind, uint32_t gen,
                      uint64_t id, const char *file, int line)
{
    if (evq_push(q, t_us, kind, gen, id) == 0)
        return;
    struct evq_event ev = { t_us, q->next_seq, kind, gen, id };
    evq_die(q, file, line, "an event scheduled before the simulated time", &ev);
}
