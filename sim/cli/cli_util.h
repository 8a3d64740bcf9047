/* cli_util.h - helpers shared by the subcommands: locating scenarios,
 * models and output folders, and parsing numbers from the command line. */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include "util/diag.h"

#include <cjson/cJSON.h>

#include <stdint.h>

/* cli_parse_u64 - a whole decimal number; 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);
/* cli_scenario_path - DIR/scenario.json for a directory, else arg (malloc). */
char *cli_scenario_path(const char *arg);
/* cli_models_dir - $MTASIM_MODELS, else models/ beside the executable,
 * else ./models (malloc). */
char *cli_models_dir(void);
/* cli_beside_exe - $ENV when set, else SUB beside the executable, else
 * ../share/mtasim/SUB from the executable's folder (an installed binary),
 * the first that holds the file MARKER (is a directory, with MARKER NULL),
 * else ./SUB (malloc): how mtasim finds its models and plot scripts. */
char *cli_beside_exe(const char *env, const char *sub, const char *marker);
/* cli_is_dir - 1 when p is a directory. */
int cli_is_dir(const char *p);
/* cli_has_file - 1 when DIR/NAME is a readable regular file. */
int cli_has_file(const char *dir, const char *name);
/* cli_out_dir - create dir (default out/NAME) with its parents; the path
 * (malloc), or NULL with an error in dl. */
char *cli_out_dir(const char *dir, const char *name, struct diag_list *dl);
/* cli_read_text - the whole file DIR/NAME (malloc), or NULL. */
char *cli_read_text(const char *dir, const char *name);
/* cli_read_json - the file DIR/NAME parsed (cJSON_Delete it), or NULL when
 * it cannot be read or is not JSON. */
cJSON *cli_read_json(const char *dir, const char *name);

/* cli_parse_duration - a duration option in the PowerMTA interval syntax
 * ("6h", "1h30m", "2d"), greater than 0. A bare number is refused ("6
 * what? write 6h"): it would silently mean seconds. 0, or 2 (usage) after
 * printing "CMD: OPT ...: why" on stderr. */
int cli_parse_duration(const char *cmd, const char *opt, const char *s,
                       double *out_s);

#endif
