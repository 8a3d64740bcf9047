/* fuzz_acct.c - libFuzzer target for the PowerMTA accounting reader: the
 * send-list harness (fuzz_sendlist.c) reading the input as an accounting
 * file (record types, header remaps, the enqueue-time buffer). */
#define FUZZ_KIND SCEN_SL_ACCT
#define FUZZ_FILE "acct.csv"
#include "fuzz_sendlist.c"
