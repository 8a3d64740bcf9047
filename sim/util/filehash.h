/* filehash.h - the SHA-256 of a file (Nettle), for recording a run's
 * inputs so that a report says exactly which files it came from. */
#ifndef FILEHASH_H
#define FILEHASH_H

/* filehash_sha256 - the file's SHA-256 as 64 lower-case hex digits and a
 * NUL into hex; its size into *size. 0, or -1 with errno when it cannot
 * be read. */
int filehash_sha256(const char *path, char hex[65], long long *size);

#endif
