/* filehash.c - SHA-256 of a file with Nettle (what `sha256sum` prints). */
#include "util/filehash.h"

#include <nettle/sha2.h>
#include <stdio.h>

int filehash_sha256(const char *path, char hex[65], long long *size)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    struct sha256_ctx ctx;
    unsigned char buf[65536], digest[SHA256_DIGEST_SIZE];
    size_t n;
    sha256_init(&ctx);
    *size = 0;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
        sha256_update(&ctx, n, buf);
        *size += (long long)n;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return -1;
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}
