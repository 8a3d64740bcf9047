/* fuzz_model.c - libFuzzer target for the provider model reader (JSON
 * paths, number kinds, the latency limits), then the answers a loaded
 * model gives: a connection and a few transactions from two IPs over two
 * simulated days. Any crash, leak, sanitizer report or hang is a bug. */
#include "engine/rng.h"
#include "fuzz_util.h"
#include "provider/provider.h"
#include "util/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* exercise - ask the model what the simulator asks it. */
static void exercise(struct prov_world *w, int prov)
{
    struct rng g;
    rng_init(&g, 1, 0);
    int ip0 = prov_world_add_ip(w, "192.0.2.1", 0, -1);
    int ip1 = prov_world_add_ip(w, "192.0.2.2", 400, 0.9);
    for (int step = 0; step < 8; step++) {
        double now = step * 3 * 3600.0;
        int ip = step & 1 ? ip1 : ip0;
        struct prov_reply r;
        prov_world_advance(w, now);
        prov_connect(w, prov, ip, now, &g, (uint64_t)step, &r);
        if (r.outcome == PROV_ACCEPT) {
            struct prov_rcpt rc;
            memset(&rc, 0, sizeof(rc));
            rc.size = 20000;
            for (uint32_t k = 0; k < 4; k++) {
                rc.id = (uint64_t)step * 4 + k;
                rc.invalid = k == 3;
                prov_transact(w, prov, ip, now + k, &g, &rc, k, &r);
            }
            prov_disconnect(w, prov, ip, now + 5);
        }
    }
    rng_release(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    if (fuzz_write("model.json", data, size, path, sizeof(path)) == NULL)
        return 0;
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct prov_world *w = prov_world_alloc();
    int prov = prov_world_load(w, path, &dl);
    if (prov >= 0 && dl.n_errors == 0)
        exercise(w, prov);
    prov_world_free(w);
    diag_list_release(&dl);
    return 0;
}
