/* tmpfiles.c - a fixed table of paths and the signal handler that unlinks
 * them (unlink and raise are async-signal-safe; nothing else runs). */
#include "util/tmpfiles.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char tmp_paths[TMPFILES_MAX][TMPFILES_PATH_MAX];
static volatile sig_atomic_t tmp_used[TMPFILES_MAX];

void tmpfiles_add(const char *path)
{
    size_t n = strlen(path);
    if (n >= TMPFILES_PATH_MAX)
        return;
    for (int i = 0; i < TMPFILES_MAX; i++) {
        if (tmp_used[i])
            continue;
        memcpy(tmp_paths[i], path, n + 1);
        tmp_used[i] = 1;
        return;
    }
}

void tmpfiles_forget(const char *path)
{
    for (int i = 0; i < TMPFILES_MAX; i++)
        if (tmp_used[i] && strcmp(tmp_paths[i], path) == 0)
            tmp_used[i] = 0;
}

void tmpfiles_remove(const char *path)
{
    remove(path);
    tmpfiles_forget(path);
}

void tmpfiles_remove_all(void)
{
    for (int i = 0; i < TMPFILES_MAX; i++)
        if (tmp_used[i]) {
            unlink(tmp_paths[i]);
            tmp_used[i] = 0;
        }
}

static void on_signal(int sig)
{
    tmpfiles_remove_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

void tmpfiles_on_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask); /* one handler at a time */
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
}
