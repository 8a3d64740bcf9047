/* cfg_diff.c - structural and per-queue differences of two configs. */
#include "config/cfg_diff.h"
#include "config/cfg_directive.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfg_diff_init(struct cfg_diff *d)
{
    d->rows = NULL;
    d->n = 0;
}

void cfg_diff_release(struct cfg_diff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->rows[i].queue);
        free(d->rows[i].directive);
        free(d->rows[i].a);
        free(d->rows[i].b);
    }
    free(d->rows);
    cfg_diff_init(d);
}

static void add_row(struct cfg_diff *d, const char *queue, const char *what,
                    const char *a, const char *b)
{
    d->rows = xreallocarray(d->rows, d->n + 1, sizeof(*d->rows));
    struct cfg_diff_row *r = &d->rows[d->n++];
    r->queue = xstrdup(queue);
    r->directive = xstrdup(what);
    r->a = xstrdup(a);
    r->b = xstrdup(b);
}

void cfg_diff_structure(const struct cfg_model *a, const struct cfg_model *b,
                        struct cfg_diff *d)
{
    const struct cfg_model *arm[2] = { a, b };
    for (int k = 0; k < 2; k++) {
        const struct cfg_model *m = arm[k], *o = arm[1 - k];
        for (size_t i = 1; i < cfg_model_vmta_count(m); i++) {
            const char *nm = cfg_model_vmta(m, i)->name;
            if (cfg_model_vmta_find(o, nm) < 0)
                add_row(d, "*", "virtual-mta", k ? "(none)" : nm,
                        k ? nm : "(none)");
        }
        for (size_t i = 0; i < cfg_model_pool_count(m); i++) {
            const char *nm = cfg_model_pool(m, i)->name;
            if (cfg_model_pool_find(o, nm) < 0)
                add_row(d, "*", "virtual-mta-pool", k ? "(none)" : nm,
                        k ? nm : "(none)");
        }
    }
}

void cfg_diff_queue(const struct cfg_model *a, const struct cfg_model *b,
                    const char *queue, struct cfg_diff *d)
{
    const char *slash = strrchr(queue, '/');
    if (slash == NULL)
        return;
    char qd[512];
    snprintf(qd, sizeof(qd), "%.*s", (int)(slash - queue), queue);
    const struct cfg_model *arm[2] = { a, b };
    struct cfg_qsettings s[2];
    for (int k = 0; k < 2; k++) {
        int v = cfg_model_vmta_find(arm[k], slash + 1);
        if (v < 0)
            return; /* the VMTA exists in one config only */
        cfg_model_queue_settings(arm[k], qd, v, &s[k]);
    }
    for (int q = 0; q < CFG_Q_COUNT; q++) {
        const char *va = s[0].v[q].set ? s[0].v[q].str : "(none)";
        const char *vb = s[1].v[q].set ? s[1].v[q].str : "(none)";
        if (strcmp(va, vb) != 0)
            add_row(d, queue, cfg_directive_queue(q)->name, va, vb);
    }
}
