/* fit_check.c - `mtasim fit --check` (not written yet). */
#include "cli/fit_check.h"

#include <stdio.h>

int fit_check_run(const struct fit *f, const struct fit_check_opts *o,
                  struct diag_list *dl)
{
    (void)f;
    (void)o;
    diag_add(dl, DIAG_ERROR, "fit", 0, 0, "--check is not implemented yet");
    return 1;
}
