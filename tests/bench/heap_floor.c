/* heap_floor.c - the floor `make bench` compares the engine with: a plain
 * binary-heap hold loop (pop the earliest event, push one a pseudo-random
 * interval later) over events of the engine's size, with as many pending
 * as given. No model work at all: the events/s it reaches bound what a
 * heap-driven simulator can do on this machine.
 *
 * usage: heap_floor PENDING EVENTS
 * prints: "floor: binary-heap hold loop, P pending: E events in S s CPU
 * (X M events/s)" */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct ev {
    int64_t t_us;
    uint64_t seq;
    uint32_t kind, gen;
    uint64_t id;
};

static int before(const struct ev *a, const struct ev *b)
{
    return a->t_us < b->t_us || (a->t_us == b->t_us && a->seq < b->seq);
}

static void sift_up(struct ev *h, size_t i)
{
    struct ev x = h[i];
    while (i > 0 && before(&x, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static void sift_down(struct ev *h, size_t n, size_t i)
{
    struct ev x = h[i];
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

/* next_gap - a pseudo-random interval of 0..2 s (xorshift64: the floor
 * must not spend its time drawing numbers). */
static int64_t next_gap(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (int64_t)(*s % 2000000);
}

int main(int argc, char **argv)
{
    if (argc != 3 || atol(argv[1]) < 1 || atol(argv[2]) < 1) {
        fprintf(stderr, "usage: heap_floor PENDING EVENTS\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[1]);
    uint64_t events = (uint64_t)atoll(argv[2]), seq = 0,
             s = 88172645463325252ULL;
    struct ev *h = malloc(n * sizeof(*h));
    if (h == NULL)
        return 1;
    for (size_t i = 0; i < n; i++) {
        h[i] = (struct ev){ next_gap(&s), seq++, 0, 0, i };
        sift_up(h, i);
    }
    clock_t c0 = clock();
    uint64_t check = 0;
    for (uint64_t k = 0; k < events; k++) {
        struct ev e = h[0];
        check += e.id;
        e.t_us += next_gap(&s);
        e.seq = seq++;
        h[0] = e; /* pop and push in one: the hold operation */
        sift_down(h, n, 0);
    }
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    printf("floor: binary-heap hold loop, %zu pending: %llu events in %.2f s "
           "CPU (%.2f M events/s; check %llu)\n",
           n, (unsigned long long)events, cpu,
           cpu > 0 ? (double)events / cpu / 1e6 : 0.0,
           (unsigned long long)(check % 1000));
    free(h);
    return 0;
}
