/* zfile.c - gzip (or plain) files as stdio streams via fopencookie. */
#define _GNU_SOURCE /* fopencookie */
#include "util/zfile.h"

#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <zlib.h>

#define ZFILE_BUF (256 * 1024)

static ssize_t zfile_read(void *cookie, char *buf, size_t n)
{
    unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
    int got = gzread((gzFile)cookie, buf, chunk), err = Z_OK;

    /* zlib reports a truncated file as a plain end with Z_BUF_ERROR set:
     * that is a read error, not the end of the records */
    if (got == 0)
        gzerror((gzFile)cookie, &err);
    if (got < 0 || (err != Z_OK && err != Z_STREAM_END)) {
        errno = EIO;
        return -1;
    }
    return got;
}

static int zfile_close(void *cookie)
{
    return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF;
}

FILE *zfile_open(const char *path)
{
    gzFile gz = gzopen(path, "rb");

    if (gz == NULL) {
        if (errno == 0)
            errno = ENOMEM;
        return NULL;
    }
    gzbuffer(gz, ZFILE_BUF);
    cookie_io_functions_t io = { zfile_read, NULL, NULL, zfile_close };
    FILE *fp = fopencookie(gz, "r", io);
    if (fp == NULL) {
        int err = errno;
        gzclose_r(gz);
        errno = err;
    }
    return fp;
}
