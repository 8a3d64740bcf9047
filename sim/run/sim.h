/* sim.h - one simulation run: scenario, config, provider models, send list,
 * the MTA model and the observer, wired to one event engine.
 *
 * Shaped as init -> step -> done (GSL's algorithm decomposition) so tests
 * and benchmarks can drive a run one event at a time. The run never reads
 * a clock: wall time and progress belong to the caller.
 * Ownership: struct sim owns everything it loads; sim_release frees it. */
#ifndef SIM_H
#define SIM_H

#include "config/cfg_model.h"
#include "engine/evq.h"
#include "engine/rng.h"
#include "input/scenario.h"
#include "input/sendlist.h"
#include "mta/mta.h"
#include "provider/provider.h"
#include "report/obs.h"
#include "util/diag.h"

struct sim_options {
    const char *out_dir; /* must exist */
    int acct;            /* write acct.csv: 1 with LF, 2 with CR LF */
    uint64_t replication;
};

struct sim {
    struct scenario *sc; /* borrowed */
    struct cfg_model *cfg;
    struct prov_world *world;
    struct rng g;
    struct evq q;
    struct obs *obs;
    struct mta *mta;
    struct sendlist *sl;
    struct send_rec next;
    int have_next;
    size_t streams_known;
    int64_t end_us;
    int64_t report_us;
    uint64_t events;
    int64_t last_t_us;
    int same_t;
    int done;
};

/* sim_init - load everything; 0, or -1 with errors in dl (and s released). */
int sim_init(struct sim *s, struct scenario *sc, const struct sim_options *o,
             struct diag_list *dl);
/* sim_step - run one event; 1 while there is more to do, 0 at the end,
 * -1 on a send-list error (in dl). */
int sim_step(struct sim *s, struct diag_list *dl);
/* sim_now - simulated seconds reached. */
double sim_now(const struct sim *s);
/* sim_done - finish the run and write the reports (atomically). */
int sim_done(struct sim *s, double wall_s, long peak_rss_kb);
void sim_release(struct sim *s);

/* sim_acct_estimate - a floor on the size of acct.csv in bytes, from the
 * send list's volume (generated) or file size, for a warning. */
double sim_acct_estimate(const struct scenario *sc);

#endif
