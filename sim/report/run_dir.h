/* run_dir.h - is a folder one run's complete reports? The check that the
 * commands reading run folders (plot, compare) make before they read. */
#ifndef RUN_DIR_H
#define RUN_DIR_H

#include <stddef.h>

/* run_dir_check - 0 when dir is a folder that holds the `complete` marker
 * (written after all of a run's reports), or that holds none of a run's
 * reports (a folder of other files, such as a warm-up schedule). -1 with
 * the reason in msg (prefixed by nothing, naming dir) when dir is not a
 * folder, or holds reports without the marker: a run stopped or failed
 * while writing them, or files that mtasim did not write. */
int run_dir_check(const char *dir, char *msg, size_t n);

#endif
