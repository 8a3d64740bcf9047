/* fit.h - `mtasim fit`: provider model parameters estimated from a
 * sender's own PowerMTA accounting files (the method: docs/fit.md).
 *
 * fit_read streams the records once (files in time order, gzip or plain)
 * into per-provider summaries: reply counts by class and by normalised
 * text, and per source IP a 5-minute series of deliveries, throttle
 * replies and attempts. Memory grows with the logs' time span and the
 * number of (provider, IP) pairs, not with the number of records.
 * fit_estimate turns the summaries into figures with uncertainties (GSL);
 * fit_write writes one model JSON per provider in the shipped format,
 * with a "_fit" object saying what was fitted, from how many records,
 * with what uncertainty, and what was kept from the shipped model.
 * Nothing here prints; errors go to a diag_list. */
#ifndef FIT_H
#define FIT_H

#include "util/diag.h"

#include <stddef.h>
#include <stdint.h>

struct fit;

/* A source IP's age (active sending days) on the first day of the logs,
 * when the user knows it (--ip-age IP=DAYS). */
struct fit_ip_age {
    const char *ip;
    double age_days;
};

struct fit_opts {
    const char *providers_dir;     /* the shipped models (*.json) */
    const struct fit_ip_age *ages; /* borrowed */
    size_t n_ages;
};

/* fit_alloc - load the shipped models of o->providers_dir (their domains
 * and mx map recipients to providers; their values are the defaults).
 * NULL with errors in dl. */
struct fit *fit_alloc(const struct fit_opts *o, struct diag_list *dl);
void fit_free(struct fit *f);
/* fit_read - one pass over the accounting files; 0 or -1 (file:line). */
int fit_read(struct fit *f, const char *const *files, size_t n,
             struct diag_list *dl);
/* fit_estimate - every figure from the summaries read. */
void fit_estimate(struct fit *f);
/* fit_write - DIR/<provider>.json per provider seen, and DIR/fit.json
 * (the figures of every provider, for scripts); 0 or -1. */
int fit_write(const struct fit *f, const char *dir, struct diag_list *dl);
/* fit_report - a short human summary, appended to *text (malloc'd). */
char *fit_report(const struct fit *f);

/* What `--check` needs from the fit: the logs' first day, span and IPs,
 * and per provider the logged hourly delivered and deferred counts. */
int64_t fit_start_unix(const struct fit *f);
size_t fit_hours(const struct fit *f);
size_t fit_provider_count(const struct fit *f);
const char *fit_provider_name(const struct fit *f, size_t p);
/* fit_provider_seen - 1 when the logs held records of provider p. */
int fit_provider_seen(const struct fit *f, size_t p);
/* fit_provider_model - the path of provider p's shipped model. */
const char *fit_provider_model(const struct fit *f, size_t p);
void fit_logged_hour(const struct fit *f, size_t p, size_t hour,
                     double *delivered, double *deferred);
size_t fit_ip_count(const struct fit *f);
/* fit_ip - source IP i and its age on the first day (fitted, given, or 0
 * for an IP first seen after the first day). */
const char *fit_ip(const struct fit *f, size_t i, double *age_days);
/* fit_provider_of - the provider index serving a recipient domain (with
 * the MTA host name as a second clue for unlisted domains), or -1. */
int fit_provider_of(const struct fit *f, const char *domain,
                    const char *mx_host);

#endif
