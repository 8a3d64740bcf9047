/* plan_int.h - what `plan capacity` (plan.c) and `plan warmup`
 * (warmup.c) share: the scenario's provider mix, the provider limits from
 * the models, and small file helpers for the trial runs. */
#ifndef PLAN_INT_H
#define PLAN_INT_H

#include "input/scenario.h"
#include "provider/provider.h"
#include "util/diag.h"
#include "util/strbuf.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* A provider of the mix with its share and per-IP limits (established). */
struct plan_prov {
    int prov;
    const char *name;
    double share;           /* of the volume */
    double cap_per_hour;    /* per IP, established */
    int max_conns;          /* per IP; 0 = unlimited */
    struct strbuf domains;  /* "a.com, b.com" (none for the tail) */
    int tail;               /* the "*" long tail */
    const char *top_domain; /* its domain with the largest share */
    double top_share;
};

struct plan_base {
    struct scenario sc;
    int loaded;
    struct prov_world *world;
    struct plan_prov *p;
    size_t n_p;
    char *out;
};

/* plan_load - the scenario, its models and its provider mix. */
int plan_load(struct plan_base *b, const char *scenario, const uint64_t *seed,
              struct diag_list *dl);
void plan_base_release(struct plan_base *b);

int plan_usage(const char *msg);
int plan_parse_number(const char *s, double *out);
double plan_stream_weight(const struct scen_stream *s);
int plan_write_file(const char *dir, const char *name, const char *text);
double plan_jnum(const cJSON *o, const char *a, const char *b);

/* plan_warmup - `mtasim plan warmup` (warmup.c). */
int plan_warmup(int argc, char **argv);

#endif
