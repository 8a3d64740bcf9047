/* strbuf.c - growable strings. */
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void strbuf_init(struct strbuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->buf = xmalloc(sb->cap);
    sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

char *strbuf_detach(struct strbuf *sb)
{
    char *p = sb->buf;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->buf[0] = '\0';
}

/* grow - ensure room for n more bytes plus the terminator. */
static void grow(struct strbuf *sb, size_t n)
{
    if (sb->len + n + 1 <= sb->cap)
        return;
    while (sb->len + n + 1 > sb->cap)
        sb->cap *= 2;
    sb->buf = xrealloc(sb->buf, sb->cap);
}

void strbuf_add(struct strbuf *sb, const char *data, size_t n)
{
    grow(sb, n);
    memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(struct strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n >= sb->cap - sb->len) {
        grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
    }
    sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_add_quoted(struct strbuf *sb, const char *s)
{
    strbuf_addc(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_addc(sb, '\\');
        strbuf_addc(sb, *s);
    }
    strbuf_addc(sb, '"');
}

int strbuf_read_file(struct strbuf *sb, const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    if (fp == NULL)
        return -1;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        errno = EISDIR;
        return -1;
    }
    char chunk[65536];
    size_t got, total = 0;
    int too_big = 0;
    errno = 0;
    while (!too_big && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        total += got;
        too_big = total > STRBUF_READ_MAX; /* /dev/zero, a wrong file */
        if (!too_big)
            strbuf_add(sb, chunk, got);
    }
    int bad = ferror(fp), err = errno;
    fclose(fp);
    if (too_big)
        errno = EFBIG;
    else if (bad)
        errno = err ? err : EIO;
    return bad || too_big ? -1 : 0;
}
