/* tmpfiles.h - temporary files that must not outlive an interrupted run.
 *
 * Reports are written under temporary names and renamed when complete. A
 * run killed by SIGINT, SIGTERM or SIGHUP would leave those temporaries
 * behind, so their paths are registered here and a signal handler removes
 * every registered file before the signal takes its default course (the
 * exit status still says which signal). Owners unregister a path once it
 * is renamed or removed. A fixed table: no allocation in the handler. */
#ifndef TMPFILES_H
#define TMPFILES_H

#define TMPFILES_MAX      32
#define TMPFILES_PATH_MAX 1024

/* tmpfiles_add - remember path (copied; a longer path than
 * TMPFILES_PATH_MAX or a full table is not remembered). */
void tmpfiles_add(const char *path);
/* tmpfiles_forget - path was renamed or removed. */
void tmpfiles_forget(const char *path);
/* tmpfiles_remove - remove path now and forget it. */
void tmpfiles_remove(const char *path);
/* tmpfiles_remove_all - remove every registered file (async-signal-safe:
 * for signal handlers and fatal errors). */
void tmpfiles_remove_all(void);
/* tmpfiles_on_signals - install the handler (once per process). */
void tmpfiles_on_signals(void);

#endif
