/* fuzz_util.h - what the libFuzzer targets share: a scratch folder of
 * their own (in /dev/shm when there is one, so writing an input is cheap)
 * and writing the fuzzer's bytes to a file there, for readers that take a
 * path. The folder is removed at exit. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir_path[64];

static void fuzz_cleanup(void)
{
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_path);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", fuzz_dir_path);
}

/* fuzz_dir - the scratch folder, created on first use. */
static const char *fuzz_dir(void)
{
    if (fuzz_dir_path[0] == '\0') {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/mtasim-fuzz-%ld",
                 base, (long)getpid());
        mkdir(fuzz_dir_path, 0700);
        atexit(fuzz_cleanup);
    }
    return fuzz_dir_path;
}

/* fuzz_write - data into the scratch folder as name; its path (static
 * storage, one per name slot), or NULL when the write failed. */
static const char *fuzz_write(const char *name, const uint8_t *data,
                              size_t size, char *path, size_t path_size)
{
    snprintf(path, path_size, "%s/%s", fuzz_dir(), name);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return NULL;
    int bad = size && fwrite(data, 1, size, fp) != size;
    bad |= fclose(fp) != 0;
    return bad ? NULL : path;
}

#endif
