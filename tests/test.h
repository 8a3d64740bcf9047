/* test.h - the unit-test harness: CHECK counts, prints "got/want" on failure.
 *
 * Each tests/test_<module>.c defines main() as a sequence of table-driven
 * test functions and ends with `return test_done();`, which prints the
 * machine-read line "# N passed, M failed" that tests/run.sh adds up. */
#ifndef TEST_H
#define TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (cond) {                                                            \
            test_passed++;                                                     \
        } else {                                                               \
            test_failed++;                                                     \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#define CHECK_STR(got, want)                                                   \
    CHECK(strcmp((got), (want)) == 0, "got '%s', want '%s'", (got), (want))
#define CHECK_INT(got, want)                                                   \
    CHECK((long long)(got) == (long long)(want), "got %lld, want %lld",        \
          (long long)(got), (long long)(want))
#define CHECK_NEAR(got, want, tol)                                             \
    CHECK(fabs((double)(got) - (double)(want)) <= (tol),                       \
          "got %.10g, want %.10g", (double)(got), (double)(want))

static inline int test_done(void)
{
    printf("# %d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
