/* test_util.c - the shared helpers in sim/util: strbuf_read_file, which
 * every reader of a whole file (configs, scenarios, models, summaries)
 * goes through, and the "did you mean" search. */
#include "config/cfg_directive.h"
#include "test.h"
#include "util/strbuf.h"
#include "util/strutil.h"

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

/* full_distance - plain Levenshtein, no cap: the reference. */
static size_t full_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[128], prev;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev + (a[i - 1] != b[j - 1]), cur = row[j];
            size_t best =
                row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

/* reference_closest - the first name at the least distance, if that is
 * within a third of the word's length (plus one). */
static const char *reference_closest(const char *word, const char *const *names,
                                     size_t n)
{
    size_t best_d = strlen(word) / 3 + 2;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = full_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

/* The pruned searches (tightening cap, character bounds, the vocabulary's
 * lengths and masks) give the reference's answer, ties included, for
 * typos of every directive name and for words near none. */
static void test_closest(void)
{
    static const char *names[1024];
    size_t n = cfg_directive_names(~0u, names, 1024);
    struct str_vocab v;
    str_vocab_init(&v, names, n);
    int agree = 1;
    size_t tried = 0;
    char word[128];
    for (size_t i = 0; i < n && agree; i++)
        for (int edit = 0; edit < 6 && agree; edit++) {
            size_t len = strlen(names[i]), at = (i * 7 + edit) % len;
            snprintf(word, sizeof(word), "%s", names[i]);
            if (edit == 0) /* delete */
                memmove(word + at, word + at + 1, len - at);
            else if (edit == 1) /* substitute */
                word[at] = word[at] == 'x' ? 'y' : 'x';
            else if (edit == 2 && at + 1 < len) { /* transpose */
                char c = word[at];
                word[at] = word[at + 1];
                word[at + 1] = c;
            } else if (edit == 3) /* append */
                snprintf(word + len, sizeof(word) - len, "-s");
            else if (edit == 4) /* garbage of the same length */
                for (size_t k = 0; k < len; k++)
                    word[k] = (char)('0' + (k * 13 + i) % 75);
            else /* upper case: near nothing */
                for (size_t k = 0; k < len; k++)
                    word[k] = (char)(word[k] & ~0x20);
            const char *want = reference_closest(word, names, n);
            const char *a = str_closest(word, names, n);
            const char *b = str_vocab_closest(&v, word);
            agree = a == want && b == want;
            CHECK(agree, "'%s': reference '%s', str_closest '%s', vocab '%s'",
                  word, want ? want : "-", a ? a : "-", b ? b : "-");
            tried++;
        }
    CHECK(tried > 1000, "only %zu words tried", tried);
    CHECK_STR(str_vocab_closest(&v, "max-smtp-ot"), "max-smtp-out");
    CHECK(str_vocab_closest(&v, "zzzzzzzzzzzz") == NULL, "no suggestion");
    free(v.lens);
    free(v.masks);
}

int main(void)
{
    test_closest();
    test_read_file();
    test_read_missing();
    test_read_directory();
    test_read_endless();
    return test_done();
}
