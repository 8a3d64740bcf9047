/* test_util.c - the shared helpers in sim/util: strbuf_read_file, which
 * every reader of a whole file (configs, scenarios, models, summaries)
 * goes through. */
#include "test.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A file larger than one read chunk, with NUL bytes inside, comes back
 * whole and appended after what the strbuf held. */
static void test_read_file(void)
{
    char path[] = "/tmp/mtasim-test-util-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0)
        return;
    FILE *fp = fdopen(fd, "wb");
    size_t n = 200000;
    for (size_t i = 0; i < n; i++)
        fputc((int)(i % 251), fp);
    fclose(fp);

    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_adds(&sb, "head:");
    CHECK_INT(strbuf_read_file(&sb, path), 0);
    CHECK_INT(sb.len, n + 5);
    CHECK(memcmp(sb.buf, "head:", 5) == 0, "kept what was there");
    int same = 1;
    for (size_t i = 0; i < n; i++)
        same &= (unsigned char)sb.buf[5 + i] == i % 251;
    CHECK(same, "the bytes read are the bytes written");
    CHECK_INT(sb.buf[sb.len], 0);
    strbuf_release(&sb);
    unlink(path);
}

/* A missing file: -1 with errno from fopen, and the strbuf untouched. */
static void test_read_missing(void)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_adds(&sb, "x");
    errno = 0;
    CHECK_INT(strbuf_read_file(&sb, "/nonexistent/mtasim/file"), -1);
    CHECK_INT(errno, ENOENT);
    CHECK_STR(sb.buf, "x");
    strbuf_release(&sb);
}

/* A directory opens but cannot be read: -1 with EISDIR, which says so
 * ("Is a directory", not "Input/output error"). */
static void test_read_directory(void)
{
    struct strbuf sb;
    strbuf_init(&sb);
    errno = 0;
    CHECK_INT(strbuf_read_file(&sb, "/tmp"), -1);
    CHECK_INT(errno, EISDIR);
    strbuf_release(&sb);
}

/* /dev/zero never ends: -1 with EFBIG after STRBUF_READ_MAX bytes, and
 * nothing more than that kept. */
static void test_read_endless(void)
{
    struct strbuf sb;
    strbuf_init(&sb);
    errno = 0;
    CHECK_INT(strbuf_read_file(&sb, "/dev/zero"), -1);
    CHECK_INT(errno, EFBIG);
    CHECK(sb.len <= STRBUF_READ_MAX, "kept %zu bytes", sb.len);
    strbuf_release(&sb);
}

int main(void)
{
    test_read_file();
    test_read_missing();
    test_read_directory();
    test_read_endless();
    return test_done();
}
