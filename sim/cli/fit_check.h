/* fit_check.h - `mtasim fit --check`: the logged traffic (the accounting
 * files as the send list, with the user's config) replayed through the
 * fitted models, compared per provider and hour with the logs. */
#ifndef FIT_CHECK_H
#define FIT_CHECK_H

#include "fit/fit.h"
#include "util/diag.h"

#include <stddef.h>

struct fit_check_opts {
    const char *config;     /* the user's PowerMTA config */
    const char *models_dir; /* the shipped models */
    const char *out_dir;    /* where the fitted models are */
    int quiet;
    const char *const *files; /* the accounting files */
    size_t n_files;
};

/* fit_check_run - run the replay into OUT/check/, write OUT/fit-check.csv
 * and the plot, print the per-provider errors; exit status. */
int fit_check_run(const struct fit *f, const struct fit_check_opts *o,
                  struct diag_list *dl);

#endif
