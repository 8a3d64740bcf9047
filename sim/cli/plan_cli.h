/* plan_cli.h - what `plan capacity` (plan.c) and `plan warmup`
 * (warmup.c) share on the command line: loading the named scenario,
 * usage errors and number options. The planners themselves are library
 * code in plan/. */
#ifndef PLAN_CLI_H
#define PLAN_CLI_H

#include "input/scenario.h"
#include "plan/mix.h"
#include "util/diag.h"

#include <stdint.h>

/* plan_load - the scenario named on the command line (a directory or a
 * file) with its models and mix; 0, or 1 with errors in dl. */
int plan_load(struct mix *m, const char *scenario, const uint64_t *seed,
              struct diag_list *dl);
/* plan_preflight - the pre-flight check of a loaded scenario (errors and
 * warnings into dl); 0, or 1 when it found errors. */
int plan_preflight(const struct scenario *sc, struct diag_list *dl);

int plan_usage(const char *msg);
int plan_parse_number(const char *s, double *out);

/* plan_warmup - `mtasim plan warmup` (warmup.c). */
int plan_warmup(int argc, char **argv);

#endif
