/* mix.h - what the planners start from: the scenario, its provider models
 * and its provider mix (each provider's share of the generated volume,
 * its domains and its limits for an established IP). */
#ifndef MIX_H
#define MIX_H

#include "input/scenario.h"
#include "provider/provider.h"
#include "util/diag.h"
#include "util/strbuf.h"

#include <stdint.h>

/* A provider of the mix with its share and per-IP limits (established). */
struct mix_prov {
    int prov;
    const char *name;
    double share;           /* of the volume */
    double cap_per_hour;    /* per IP, established */
    int max_conns;          /* per IP; 0 = unlimited */
    struct strbuf domains;  /* "a.com, b.com" (none for the tail) */
    int tail;               /* the "*" long tail */
    const char *top_domain; /* its domain with the largest share */
    double top_share;
    const char **doms; /* its domains in the mix (borrowed from sc) */
    double *dom_share; /* each one's share of the whole volume */
    size_t n_doms;
};

struct mix {
    struct scenario sc;
    int loaded;
    struct prov_world *world;
    struct mix_prov *p;
    size_t n_p;
};

/* mix_load - the scenario at path (models_dir as for scenario_load), its
 * models and its provider mix; seed overrides the scenario's when not
 * NULL. 0, or 1 with errors in dl. mix_release in either case. */
int mix_load(struct mix *m, const char *path, const char *models_dir,
             const uint64_t *seed, struct diag_list *dl);
void mix_release(struct mix *m);

/* mix_stream_weight - a stream's mean daily volume (its weight). */
double mix_stream_weight(const struct scen_stream *s);

/* mix_prov_of_domain - the provider of the mix a queue-domain belongs to
 * (one of its domains, else the long tail when there is one), or -1. */
int mix_prov_of_domain(const struct mix *m, const char *domain);

/* mix_label - "name" or "name-tail" for the long tail, into buf. */
const char *mix_label(const struct mix_prov *p, char *buf, size_t n);

#endif
