/* run_meta.h - what summary.json records about how a run was made: the
 * mtasim version, the command line, the scenario's name, and its inputs
 * (scenario, config with every included file, models, send list) with
 * their sizes and SHA-256 checksums. */
#ifndef RUN_META_H
#define RUN_META_H

#include <cjson/cJSON.h>

struct scenario;
struct cfg_model;

/* run_meta_json - the members above as a new object (the caller owns it);
 * cfg may be NULL (then only the main config file is listed). */
cJSON *run_meta_json(const struct scenario *sc, const struct cfg_model *cfg,
                     const char *command_line);

/* run_meta_command_line - "mtasim " and argv[0..argc) as one line, each
 * argument quoted for a POSIX shell where needed (malloc). */
char *run_meta_command_line(int argc, char **argv);

#endif
