/* fsutil.c - small file-system helpers. */
#include "util/fsutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

int fs_mkdir_p(const char *path)
{
    if (path[0] == '\0') {
        errno = ENOENT;
        return -1;
    }
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0 && *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
        *s = '/';
    }
    if (rc == 0)
        rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    int err = errno;
    free(p);
    errno = err;
    return rc;
}
