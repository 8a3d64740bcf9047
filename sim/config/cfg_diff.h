/* cfg_diff.h - the settings two configs differ in: the VMTAs and pools
 * only one defines, and per queue (domain/vmta) the resolved directives
 * whose values differ. Used by `mtasim compare` to say what changed
 * besides the figures. Ownership: cfg_diff_release frees the rows. */
#ifndef CFG_DIFF_H
#define CFG_DIFF_H

#include "config/cfg_model.h"

#include <stddef.h>

struct cfg_diff_row {
    char *queue;     /* "domain/vmta", or "*" for VMTAs and pools */
    char *directive; /* "max-msg-rate", "virtual-mta", ... */
    char *a, *b;     /* canonical values; "(none)" when unset or absent */
};

struct cfg_diff {
    struct cfg_diff_row *rows;
    size_t n;
};

void cfg_diff_init(struct cfg_diff *d);
void cfg_diff_release(struct cfg_diff *d);
/* cfg_diff_structure - VMTAs and pools that only one config defines. */
void cfg_diff_structure(const struct cfg_model *a, const struct cfg_model *b,
                        struct cfg_diff *d);
/* cfg_diff_queue - the directives of queue "domain/vmta" that differ,
 * when both configs define the VMTA (nothing otherwise). */
void cfg_diff_queue(const struct cfg_model *a, const struct cfg_model *b,
                    const char *queue, struct cfg_diff *d);

#endif
