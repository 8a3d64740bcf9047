/* outdir.h - a command's output folder: it owns the folder it writes.
 *
 * `run`, `compare`, `plan capacity`, `plan warmup` and `fit` each write a
 * folder. Claiming it: a missing or empty folder is created and marked
 * (OUTDIR_MARKER); a folder mtasim wrote before (the marker, or an older
 * run's `complete` file) is cleared of everything in it, so no stale
 * acct.csv, rep-N/ or PNG survives; any other non-empty folder is refused
 * unless force is set, which clears it too. A folder that holds the
 * current directory or one of the command's input files is never
 * cleared. */
#ifndef OUTDIR_H
#define OUTDIR_H

#include "util/diag.h"

#include <stddef.h>

/* The file that marks a folder as mtasim's (written first; its text says
 * which command wrote the folder). */
#define OUTDIR_MARKER "mtasim-folder"
/* The exit status of a command that refuses its output folder. */
#define OUTDIR_REFUSED 3

/* outdir_claim - make dir this command's (cmd, e.g. "mtasim run") output
 * folder as above; inputs is a NULL-terminated list of the command's input
 * files (may be NULL). The path without trailing slashes (malloc), or NULL
 * with the error in dl and *status set: OUTDIR_REFUSED when the folder is
 * not mtasim's (or holds an input), 1 when it cannot be created or
 * cleared. */
char *outdir_claim(const char *dir, const char *cmd, int force,
                   const char *const *inputs, struct diag_list *dl,
                   int *status);

/* outdir_claim_scenario - outdir_claim with the files of the n_sc
 * scenarios sc[] (JSON, config, send list, models) as the inputs; dir NULL
 * means out/PREFIXNAME with the first scenario's name. */
struct scenario;
char *outdir_claim_scenario(const char *dir, const char *prefix,
                            const struct scenario *sc, size_t n_sc,
                            const char *cmd, int force, struct diag_list *dl,
                            int *status);

#endif
