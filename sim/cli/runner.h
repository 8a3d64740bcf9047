/* runner.h - run a scenario once or as R replications (in parallel on J
 * processes), for `mtasim run` and `mtasim compare`.
 *
 * One replication writes its reports into OUT itself. R > 1 writes each
 * replication's full reports into OUT/rep-N/ (replication N uses random
 * stream N: distinct and reproducible), then OUT/summary.json with every
 * figure's mean, 95 % confidence interval and per-replication values
 * (report/agg.h), and replication 0's CSVs at the top level. */
#ifndef RUNNER_H
#define RUNNER_H

#include "input/scenario.h"
#include "util/diag.h"

#include <stdint.h>

struct runner_opts {
    uint64_t replications; /* >= 1 */
    int jobs;              /* >= 1 */
    int acct;
    int progress;             /* progress on stderr (one replication) */
    int print_summary;        /* the human summary on stdout */
    const char *command_line; /* for summary.json (NULL: not recorded) */
};

/* runner_run - 0, or 1 after errors (in dl, or printed by a worker). */
int runner_run(struct scenario *sc, const char *out,
               const struct runner_opts *o, struct diag_list *dl);

/* runner_rep_dir - OUT/rep-N (malloc). */
char *runner_rep_dir(const char *out, uint64_t rep);

#endif
