/* preflight.h - the pre-flight check: a scenario against its config and
 * its provider models, before any simulation, for what would make the
 * answer silently wrong.
 *
 * Errors (the answer would be wrong):
 *   - the send list names a VMTA or pool the config does not define (its
 *     recipients would all bounce);
 *   - a scenario IP no VMTA of the config sends from (the IP the user
 *     meant to describe is not the one that sends);
 *   - a config source IP missing from the scenario's "ips" when "ips" is
 *     given (the provider models would treat it as established, an
 *     optimistic answer);
 *   - a stream domain no provider model serves (no catch-all model).
 * Warnings (odd, but the answer is what it says): a stream whose domains
 * only the catch-all model serves, a report interval longer than the
 * run, a source IP used by several VMTAs, a VMTA of the scenario's
 * config without a source IP while the scenario names IPs. */
#ifndef PREFLIGHT_H
#define PREFLIGHT_H

#include "input/scenario.h"
#include "util/diag.h"

/* preflight_check - errors and warnings into dl; the number of errors
 * found (config errors included). */
int preflight_check(const struct scenario *sc, struct diag_list *dl);

#endif
