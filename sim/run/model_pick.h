/* model_pick.h - which of a scenario's model files to load: a fitted
 * model (one `mtasim fit` wrote: it has "_fit": {"replaces": NAME})
 * replaces the shipped model NAME for its domains, so a scenario may name
 * both the shipped models and fitted ones. */
#ifndef MODEL_PICK_H
#define MODEL_PICK_H

#include <stddef.h>

/* model_pick - skip[i] = 1 for each of the n paths that a fitted model
 * among them replaces. A file that cannot be read is not skipped (its
 * loader reports it). */
void model_pick(char *const *paths, size_t n, unsigned char *skip);

#endif
