/* run_dir.c - a run folder holds one run's reports, all of them, exactly
 * when its `complete` marker is there (obs_publish_end writes it last).
 * Readers check it so that a half-written folder, or a folder of files
 * mtasim did not write, is refused with the reason instead of being
 * plotted or compared as if it were a run. */
#include "report/run_dir.h"
#include "report/obs.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The files a run writes (reports and the temporaries they are written
 * under, ".NAME.tmp"). */
static int run_file(const char *name)
{
    static const char *const names[] = { "summary.json", "timeseries.csv",
                                         "events.csv",   "latency.csv",
                                         "daily.csv",    "acct.csv" };
    size_t len = strlen(name);
    if (name[0] == '.' && len > 5 && strcmp(name + len - 4, ".tmp") == 0)
        return 1;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* scan - whether dir holds the marker, and the run file it holds that
 * sorts first (into first, "" when none; sorted, so the message does not
 * depend on the order of the folder). -1 when it cannot be listed. */
static int scan(const char *dir, int *marker, char *first, size_t n)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    *marker = 0;
    first[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, OBS_COMPLETE) == 0)
            *marker = 1;
        else if (run_file(e->d_name) &&
                 (first[0] == '\0' || strcmp(e->d_name, first) < 0))
            snprintf(first, n, "%s", e->d_name);
    }
    closedir(d);
    return 0;
}

int run_dir_check(const char *dir, char *msg, size_t n)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(msg, n,
                 "'%s' is not a folder (a run folder is what 'mtasim run "
                 "--out DIR' writes)",
                 dir);
        return -1;
    }
    int marker;
    char first[256];
    if (scan(dir, &marker, first, sizeof(first)) != 0) {
        snprintf(msg, n, "'%s': cannot list the folder", dir);
        return -1;
    }
    if (marker || first[0] == '\0')
        return 0;
    snprintf(msg, n,
             "'%s' holds %s but no '%s' marker: the run that wrote it was "
             "stopped or failed before it finished, or it is not mtasim's "
             "(run 'mtasim run SCENARIO --out %s' again)",
             dir, first, OBS_COMPLETE, dir);
    return -1;
}
