/* fuzz_scenario.c - libFuzzer target for the scenario loader (JSON
 * syntax, the typed checks and their JSON paths, the limits). The input is
 * the scenario file; files it names are only checked for access, never
 * read, so the fuzzer cannot reach outside. Then the whole-run limits are
 * checked, as `mtasim run` does. Any crash, leak or sanitizer report is a
 * bug. `make fuzz`. */
#include "fuzz_util.h"
#include "input/scenario.h"
#include "util/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    if (fuzz_write("scenario.json", data, size, path, sizeof(path)) == NULL)
        return 0;
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct scenario sc;
    if (scenario_load(path, NULL, &sc, &dl) == 0) {
        scenario_check_limits(&sc, size > 0 && (data[0] & 1), &dl);
        char when[32];
        scenario_format_time(&sc, sc.duration_s, when, sizeof(when));
        scenario_release(&sc);
    }
    diag_list_release(&dl);
    return 0;
}
