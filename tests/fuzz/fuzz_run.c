/* fuzz_run.c - libFuzzer target for a whole run: the input is a small
 * scenario, config, provider model and send list, separated by lines
 * "%%" (missing parts are empty files):
 *
 *     {"duration": "1h", "config": "c.conf", "models": ["m.json"], ...}
 *     %%
 *     <domain *> max-smtp-out 2 </domain>
 *     %%
 *     {"name": "generic", "domains": ["*"], ...}
 *     %%
 *     time,rcpt
 *     0,a@gmail.com
 *
 * The run is simulated for at most FUZZ_MAX_EVENTS events, then its
 * reports are written. Inputs that name files outside the scratch folder
 * (a '/' or '\' in the scenario) or use includes are skipped: the fuzzer
 * must not read the machine's files. Any crash, leak, sanitizer report,
 * internal error (exit 70) or hang is a bug. */
#include "fuzz_util.h"
#include "run/sim.h"
#include "util/diag.h"

#include <strings.h>

#define FUZZ_MAX_EVENTS 20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* next_part - the bytes up to the next "\n%%\n" (or the end). */
static size_t next_part(const uint8_t *p, size_t n, size_t *skip)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(p + i, "\n%%\n", 4) == 0) {
            *skip = 3; /* "%%\n"; the newline before stays in the part */
            return i + 1;
        }
    *skip = 0;
    return n;
}

/* has_include - an include directive (case-insensitive substring). */
static int has_include(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++)
        if (strncasecmp((const char *)p + i, "include", 7) == 0)
            return 1;
    return 0;
}

/* write_parts - the four files; 0, or -1 for an input to skip. */
static int write_parts(const uint8_t *data, size_t size, char *scen, size_t n)
{
    static const char *const names[] = { "scenario.json", "c.conf", "m.json",
                                         "s.csv" };
    char path[128];
    for (size_t k = 0; k < 4; k++) {
        size_t skip, len = next_part(data, size, &skip);
        if (k == 0 && (memchr(data, '/', len) || memchr(data, '\\', len)))
            return -1;
        if (k == 1 && has_include(data, len))
            return -1;
        if (fuzz_write(names[k], data, len, k == 0 ? scen : path,
                       k == 0 ? n : sizeof(path)) == NULL)
            return -1;
        data += len + skip;
        size -= len + skip;
    }
    return 0;
}

/* simulate - a bounded run of sc into out. */
static void simulate(struct scenario *sc, const char *out, struct diag_list *dl)
{
    struct sim s;
    struct sim_options so = { out, 1, 0 };
    if (sim_init(&s, sc, &so, dl) != 0)
        return;
    int rc = 1;
    for (int n = 0; n < FUZZ_MAX_EVENTS && rc == 1; n++)
        rc = sim_step(&s, dl);
    if (rc < 0)
        obs_abort(s.obs);
    else
        sim_done(&s, 0, 0);
    sim_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char scen[128], out[128];
    if (write_parts(data, size, scen, sizeof(scen)) < 0)
        return 0;
    snprintf(out, sizeof(out), "%s/out", fuzz_dir());
    mkdir(out, 0700);
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct scenario sc;
    if (scenario_load(scen, NULL, &sc, &dl) == 0) {
        simulate(&sc, out, &dl);
        scenario_release(&sc);
    }
    diag_list_release(&dl);
    return 0;
}
