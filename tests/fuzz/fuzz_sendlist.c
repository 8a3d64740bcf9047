/* fuzz_sendlist.c - libFuzzer target for the send-list CSV reader (RFC
 * 4180 tokenizer, header mapping, times, flags, record and stream caps).
 * The input is the CSV file; every record is read, up to a bound. The
 * same harness reads PowerMTA accounting files when built as fuzz_acct
 * (FUZZ_ACCT). Any crash, leak, sanitizer report or hang is a bug. */
#include "engine/rng.h"
#include "fuzz_util.h"
#include "input/sendlist.h"
#include "util/diag.h"

#ifndef FUZZ_KIND
#define FUZZ_KIND SCEN_SL_CSV
#define FUZZ_FILE "sends.csv"
#endif
#define FUZZ_MAX_RECORDS 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    if (fuzz_write(FUZZ_FILE, data, size, path, sizeof(path)) == NULL)
        return 0;
    struct scenario sc;
    memset(&sc, 0, sizeof(sc));
    sc.path = (char *)"fuzz.json";
    sc.duration_s = 7 * 86400;
    sc.start_unix = 1767225600;
    sc.seed = 1;
    sc.sendlist_kind = FUZZ_KIND;
    sc.sendlist_file = path;
    struct diag_list dl;
    diag_list_init(&dl, 20);
    struct rng g;
    rng_init(&g, 1, 0);
    struct sendlist *sl = sendlist_open(&sc, &g, &dl);
    if (sl) {
        struct send_rec r;
        int64_t last = 0;
        for (int n = 0; n < FUZZ_MAX_RECORDS && sendlist_next(sl, &r) == 1;
             n++) {
            /* what the run relies on: time order, within the run */
            if (r.t_us < last || r.t_us > 7 * 86400 * INT64_C(1000000) ||
                r.domain == NULL ||
                (size_t)r.stream >= sendlist_stream_count(sl))
                __builtin_trap();
            last = r.t_us;
        }
        /* the skipped rows shown: at most the first few, one line each */
        size_t before = dl.n;
        sendlist_report_skips(sl, &dl);
        if (dl.n - before > SENDLIST_SKIPS_SHOWN + 4)
            __builtin_trap();
        sendlist_close(sl);
    }
    rng_release(&g);
    diag_list_release(&dl);
    return 0;
}
