/* zfile.h - open a file for reading, gzip-compressed or not, as a stdio
 * stream: rotated PowerMTA accounting files (acct-*.csv.gz) are read
 * directly, without unpacking them first.
 *
 * The stream is a zlib gzFile behind a stdio cookie (glibc fopencookie),
 * so every reader built on FILE * (the CSV reader) takes .gz files as they
 * are. A file that is not gzip is read as it is (zlib's transparent mode).
 * Ownership: the caller fcloses the stream, which closes the gzFile. */
#ifndef ZFILE_H
#define ZFILE_H

#include <stdio.h>

/* zfile_open - path for reading, decompressing gzip on the fly; NULL with
 * errno set when it cannot be opened. Read errors inside the compressed
 * data (a truncated or corrupt .gz) surface as ferror() on the stream,
 * with errno EIO. */
FILE *zfile_open(const char *path);

#endif
