/* cli_util.h - helpers shared by the subcommands: locating scenarios,
 * models and output folders, and parsing numbers from the command line. */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include "util/diag.h"

#include <stdint.h>

/* cli_parse_u64 - a whole decimal number; 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);
/* cli_scenario_path - DIR/scenario.json for a directory, else arg (malloc). */
char *cli_scenario_path(const char *arg);
/* cli_models_dir - $MTASIM_MODELS, else models/ beside the executable,
 * else ./models (malloc). */
char *cli_models_dir(void);
/* cli_out_dir - create dir (default out/NAME) with its parents; the path
 * (malloc), or NULL with an error in dl. */
char *cli_out_dir(const char *dir, const char *name, struct diag_list *dl);

#endif
