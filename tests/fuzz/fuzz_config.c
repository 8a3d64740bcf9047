/* fuzz_config.c - libFuzzer target for the PowerMTA config front end.
 *
 * Parses the input as a config (includes disabled: a fuzzer must not read
 * the file system), then runs the queries the simulator and `check` make on
 * the model, so the resolver and the JSON writer see odd models too. Any
 * crash, leak, sanitizer report or hang is a bug. `make fuzz`. */
#include "config/cfg_json.h"
#include "config/cfg_model.h"
#include "util/diag.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct cfg_model *m, int full_dump)
{
    static const char *const domains[] = { "gmail.com", "hotmail.com",
                                           "a.b.example.com", "[127.0.0.1]",
                                           "*" };
    char qd[256];
    /* cfg_model_queue_domain resolves the queue's settings itself */
    for (size_t v = 0; v < cfg_model_vmta_count(m) && v < 4; v++)
        for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
            const char *mx[] = { "alt1.gmail-smtp-in.l.google.com" };
            cfg_model_queue_domain(m, domains[i], (int)v, mx, 1, qd,
                                   sizeof(qd));
        }
    int vmta, pool;
    cfg_model_injection_vmta(m, "127.0.0.1", "user@gmail.com", &vmta, &pool);
    for (size_t i = 0; i < cfg_model_spl_count(m); i++)
        cfg_spl_match(cfg_model_spl_at(m, i), "421 RP-001 try later");
    /* The JSON dump of every queue (some 500 cJSON nodes a queue) took
     * three quarters of a run, most of it allocating in cJSON, for a
     * writer that is straight-line code: the queues are dumped, and the
     * text printed, only when two bits of the first byte ask for it; the
     * rest of the model is always dumped. */
    cJSON *j = cfg_json_model(m, full_dump ? NULL : domains, 0);
    if (full_dump) {
        char *text = cJSON_PrintUnformatted(j);
        free(text);
    }
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfg_load_options o;
    cfg_load_options_init(&o);
    o.allow_includes = 0;
    o.strict = size > 0 && (data[0] & 1);
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct cfg_model *m =
        cfg_load_buffer("fuzz.conf", (const char *)data, size, &o, &dl);
    if (m)
        exercise(m, size > 0 && (data[0] & 6) == 6);
    cfg_model_free(m);
    diag_list_release(&dl);
    return 0;
}
