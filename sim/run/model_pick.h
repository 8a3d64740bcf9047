/* model_pick.h - which of a scenario's model files to load: a fitted
 * model (one `mtasim fit` wrote: it has "_fit": {"replaces": NAME})
 * replaces the shipped model NAME for its domains, so a scenario may name
 * both the shipped models and fitted ones. */
#ifndef MODEL_PICK_H
#define MODEL_PICK_H

#include "provider/provider.h"
#include "util/diag.h"

#include <stddef.h>

/* model_pick - skip[i] = 1 for each of the n paths that a fitted model
 * among them replaces. A file that cannot be read is not skipped (its
 * loader reports it). */
void model_pick(char *const *paths, size_t n, unsigned char *skip);

/* model_load_all - load the n model files into w, leaving out those a
 * fitted model among them replaces; 0, or -1 with the error in dl. Every
 * caller that loads a scenario's models goes through here, so a run, a
 * planner trial and the pre-flight check see the same models. */
int model_load_all(struct prov_world *w, char *const *paths, size_t n,
                   struct diag_list *dl);

#endif
