/* trial.h - the planners' trial runner: one simulation of a scenario with
 * overrides, its figures returned in memory (report/figures.h).
 *
 * A trial still writes its reports (summary.json, timeseries.csv, ...)
 * into its folder so a user can look at any trial a planner ran, but the
 * planner judges it on the struct, never on those files. */
#ifndef TRIAL_H
#define TRIAL_H

#include "input/scenario.h"
#include "report/figures.h"
#include "util/diag.h"

#include <stdint.h>

/* What a trial changes in the scenario it is given. */
struct trial_overrides {
    const char *config; /* a config file instead of the scenario's; NULL */
    double duration_s;  /* > 0: instead of the scenario's */
    uint64_t seed;
    int have_seed;
};

/* trial_run - replication rep of sc (with ov applied, may be NULL) into
 * out_dir (which exists); figures into f (run_figures_release it).
 * Returns 0, or -1 with errors in dl. */
int trial_run(struct scenario *sc, const struct trial_overrides *ov,
              const char *out_dir, uint64_t rep, struct run_figures *f,
              struct diag_list *dl);

/* trial_files - the planners' usual trial: DIR/pmta.conf (unless conf is
 * NULL: the scenario names its config) and DIR/scenario.json written from
 * the texts, the scenario loaded and run
 * reps times (reps > 1: each into DIR/rep-N, replication N), the
 * figures into f[0 .. reps). Returns 0, or -1 with errors in dl. */
int trial_files(const char *dir, const char *conf, const char *scenario,
                uint64_t reps, struct run_figures *f, struct diag_list *dl);

/* trial_models_json - the scenario's model files as absolute paths, the
 * "models" array of a trial scenario written into another folder. */
struct cJSON *trial_models_json(const struct scenario *sc);

/* trial_write_file - DIR/NAME with text; 0 or -1 (errno). */
int trial_write_file(const char *dir, const char *name, const char *text);

/* trial_defer_over - whether `deferred` of `attempts` proves a deferral
 * rate above limit (the planners' --max-deferral-rate): more than
 * limit * attempts, and a one-sided binomial test at the 0.05 level
 * rejects a rate of limit. Judged as a count because early in a warm-up,
 * or for a small volume, a day has a few dozen attempts: one random 451
 * among 13 is 7.7 % deferred but no evidence of a rate above 5 %. Among
 * thousands of attempts the test is the rate within a few tenths of a
 * per cent. */
int trial_defer_over(double deferred, double attempts, double limit);

#endif
