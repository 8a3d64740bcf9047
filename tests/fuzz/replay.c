/* replay.c - run a fuzz target's harness over files, without libFuzzer:
 * the seed corpora and every kept finding become regression tests in
 * `make test` (and under the sanitizers with SANITIZE=...). Prints
 * "# N passed, 0 failed" (one per input) like the other suites; a failing
 * input crashes or trips a sanitizer, which the runner reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        FILE *fp = fopen(argv[i], "rb");
        if (fp == NULL) {
            perror(argv[i]);
            return 1;
        }
        size_t cap = 1 << 16, len = 0, got;
        uint8_t *buf = malloc(cap);
        while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
            len += got;
            if (len == cap)
                buf = realloc(buf, cap *= 2);
        }
        fclose(fp);
        if (buf == NULL)
            return 1;
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        n++;
    }
    printf("# %d passed, 0 failed\n", n);
    return 0;
}
