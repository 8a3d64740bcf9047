/* obs.c - counters, latency histograms and the streamed CSV files of a run.
 *
 * Counters are plain arrays indexed by queue, provider and stream. Latency
 * goes into log-spaced GSL histograms (50 bins per decade from 10 ms to 60
 * days), from which quantiles are read by linear interpolation inside a
 * bin, so they are exact to about 5 % of the value; the mean and the
 * maximum are exact. Rows of timeseries.csv, events.csv and acct.csv are
 * written as they happen to hidden temporary files in the output folder;
 * report.c renames them when the run succeeds. */
#include "report/obs_int.h"

#include <cjson/cJSON.h>
#include "util/tmpfiles.h"
#include "util/strbuf.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ histogram */

/* OBS_LUT_SHIFT - a lookup key is a double's bits from the exponent down
 * to the 7th bit of the mantissa: 128 steps per octave, each at most
 * 0.17 of a bin wide, so a step holds at most one bin edge. */
#define OBS_LUT_SHIFT 45

static uint64_t lut_key(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof(bits));
    return bits >> OBS_LUT_SHIFT;
}

/* log2_estimate - log2(x) within 0.09 for finite x > 0: the binary
 * exponent plus the mantissa's fraction taken as linear. */
static double log2_estimate(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof(bits));
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    double frac = (double)(bits & 0xfffffffffffffULL) / 4503599627370496.0;
    return e + frac;
}

/* nudge - the bin of x from a guess i: range[i] <= x < range[i + 1]
 * exactly, whatever the guess (1 <= i < n; beyond the top, the last). */
static size_t nudge(const struct obs_hist *h, size_t n, size_t i, double x)
{
    while (i > 1 && x < h->h->range[i])
        i--;
    while (i + 1 < n && x >= h->h->range[i + 1])
        i++;
    return i;
}

/* bin_estimated - the bin of x >= OBS_HIST_MIN_S estimated by arithmetic,
 * then nudged (log2_estimate: a bin or two off, at a fraction of log10's
 * cost). */
static size_t bin_estimated(const struct obs_hist *h, double x)
{
    size_t n = gsl_histogram_bins(h->h), i;
    /* bins per octave: OBS_HIST_PER_DECADE * log10(2) */
    double k = floor(OBS_HIST_PER_DECADE * 0.30102999566398120 *
                     (log2_estimate(x) - log2_estimate(OBS_HIST_MIN_S)));
    i = k >= (double)(n - 2) ? n - 1 : k < 0 ? 1 : 1 + (size_t)k;
    return nudge(h, n, i, x);
}

/* lut_init - the bin of the lower end of each 1/128 octave from the one
 * holding OBS_HIST_MIN_S to the one holding the top edge. */
static void lut_init(struct obs_hist *h)
{
    size_t n = gsl_histogram_bins(h->h);
    uint64_t first = lut_key(OBS_HIST_MIN_S), last = lut_key(h->h->range[n]);

    h->lut_base = first;
    h->lut_n = (size_t)(last - first) + 1;
    h->lut = xmalloc(h->lut_n * sizeof(*h->lut));
    for (size_t j = 0; j < h->lut_n; j++) {
        uint64_t bits = (first + j) << OBS_LUT_SHIFT;
        double lo;
        memcpy(&lo, &bits, sizeof(lo));
        h->lut[j] = (uint16_t)(lo < OBS_HIST_MIN_S ? 1 : bin_estimated(h, lo));
    }
}

void obs_hist_init(struct obs_hist *h)
{
    size_t n = OBS_HIST_DECADES * OBS_HIST_PER_DECADE + 1;
    h->h = gsl_histogram_alloc(n);
    double *range = xmalloc((n + 1) * sizeof(*range));
    range[0] = 0;
    for (size_t i = 1; i <= n; i++)
        range[i] =
            OBS_HIST_MIN_S * pow(10.0, (double)(i - 1) / OBS_HIST_PER_DECADE);
    gsl_histogram_set_ranges(h->h, range, n + 1);
    free(range);
    h->n = 0;
    h->sum = 0;
    h->max = 0;
    lut_init(h);
}

void obs_hist_release(struct obs_hist *h)
{
    gsl_histogram_free(h->h);
    h->h = NULL;
    free(h->lut);
    h->lut = NULL;
}

/* obs_hist_bin - the bin of x (all histograms share one set of ranges):
 * looked up by the top bits of x instead of gsl_histogram_increment's
 * binary search, as this runs on every delivery, then nudged so that
 * range[i] <= x < range[i + 1] holds exactly (the table's bin is that of
 * the step's lower end; at most one edge lies inside a step). Beyond the
 * table (above the top edge, or not a number): the arithmetic estimate,
 * nudged the same way; beyond the top, the last bin. */
size_t obs_hist_bin(const struct obs_hist *h, double x)
{
    if (!(x >= OBS_HIST_MIN_S))
        return 0;
    uint64_t j = lut_key(x) - h->lut_base;
    if (j >= h->lut_n)
        return bin_estimated(h, x);
    size_t n = gsl_histogram_bins(h->h), i = h->lut[j];
    i += i + 1 < n && x >= h->h->range[i + 1];
    return nudge(h, n, i, x);
}

void obs_hist_add_bin(struct obs_hist *h, size_t bin, double x)
{
    h->h->bin[bin] += 1;
    h->n++;
    h->sum += x > 0 ? x : 0;
    if (x > h->max)
        h->max = x;
}

void obs_hist_add(struct obs_hist *h, double x)
{
    obs_hist_add_bin(h, obs_hist_bin(h, x), x);
}

/* obs_hist_quantile - the p-quantile (0..1) by interpolation in the CDF. */
double obs_hist_quantile(const struct obs_hist *h, double p)
{
    if (h->n == 0)
        return (double)NAN;
    double target = p * (double)h->n, acc = 0;
    size_t n = gsl_histogram_bins(h->h);
    for (size_t i = 0; i < n; i++) {
        double c = gsl_histogram_get(h->h, i);
        if (c > 0 && acc + c >= target) {
            double lo, hi;
            gsl_histogram_get_range(h->h, i, &lo, &hi);
            double q = lo + (hi - lo) * (target - acc) / c;
            return q > h->max ? h->max : q;
        }
        acc += c;
    }
    return h->max;
}

/* --------------------------------------------------------------- files */

static FILE *open_tmp(struct obs *ob, int k, const char *name)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/.%s.tmp", ob->opt.dir, name);
    ob->tmp_path[k] = strbuf_detach(&sb);
    ob->final_name[k] = name;
    tmpfiles_add(ob->tmp_path[k]);
    return fopen(ob->tmp_path[k], "w");
}

struct obs *obs_alloc(const struct obs_options *o)
{
    struct obs *ob = xcalloc(1, sizeof(*ob));
    ob->opt = *o;
    ob->ts = open_tmp(ob, OBS_F_TIMESERIES, "timeseries.csv");
    ob->ev = open_tmp(ob, OBS_F_EVENTS, "events.csv");
    if (o->acct)
        ob->acct = open_tmp(ob, OBS_F_ACCT, "acct.csv");
    if (!ob->ts || !ob->ev || (o->acct && !ob->acct)) {
        int err = errno;
        obs_abort(ob);
        obs_free(ob);
        errno = err;
        return NULL;
    }
    fputs("t_s,time,queue,queued,ready,awaiting_retry,connections,attempts,"
          "delivered,deferred,bounced,expired,mode,rerouted,injected\n",
          ob->ts);
    fputs("t_s,time,queue,event,detail,provider,ip\n", ob->ev);
    if (ob->acct)
        fputs("type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,"
              "dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,"
              "dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,"
              "queue,vmtaPool",
              ob->acct);
    if (ob->acct)
        fputs(o->acct_crlf ? "\r\n" : "\n", ob->acct);
    obs_hist_init(&ob->all_latency);
    ob->next_interval_us = (int64_t)(o->interval_s * 1e6);
    return ob;
}

void obs_abort(struct obs *ob)
{
    for (int k = 0; k < OBS_N_FILES; k++) {
        if (ob->files_closed[k] == 0 && ob->tmp_path[k]) {
            FILE **fp = k == OBS_F_TIMESERIES ? &ob->ts
                        : k == OBS_F_EVENTS   ? &ob->ev
                                              : &ob->acct;
            if (*fp)
                fclose(*fp);
            *fp = NULL;
            ob->files_closed[k] = 1;
        }
        if (ob->tmp_path[k])
            tmpfiles_remove(ob->tmp_path[k]);
    }
}

void obs_free(struct obs *ob)
{
    if (ob == NULL)
        return;
    cJSON_Delete(ob->meta);
    for (size_t i = 0; i < ob->n_streams; i++) {
        obs_hist_release(&ob->streams[i].latency);
        free(ob->streams[i].name);
    }
    for (size_t i = 0; i < ob->n_queues; i++)
        free(ob->queues[i].name);
    for (size_t i = 0; i < ob->n_provs; i++) {
        free(ob->provs[i].name);
        free(ob->provs[i].replies);
    }
    obs_hist_release(&ob->all_latency);
    for (int k = 0; k < OBS_N_FILES; k++)
        free(ob->tmp_path[k]);
    free(ob->day_n);
    free(ob->days);
    obs_acct_free(ob);
    free(ob->streams);
    free(ob->queues);
    free(ob->provs);
    free(ob);
}

/* ----------------------------------------------------------- registry */

int obs_add_queue(struct obs *ob, const char *name, int prov)
{
    XGROW(ob->queues, ob->n_queues, ob->cap_queues);
    struct obs_queue *q = &ob->queues[ob->n_queues];
    memset(q, 0, sizeof(*q));
    q->name = xstrdup(name);
    q->prov = prov;
    q->last_delivery_us = -1;
    return (int)ob->n_queues++;
}

int obs_add_provider(struct obs *ob, const char *name)
{
    XGROW(ob->provs, ob->n_provs, ob->cap_provs);
    struct obs_prov *p = &ob->provs[ob->n_provs];
    memset(p, 0, sizeof(*p));
    p->name = xstrdup(name);
    return (int)ob->n_provs++;
}

int obs_add_stream(struct obs *ob, const char *name, double deadline_s)
{
    XGROW(ob->streams, ob->n_streams, ob->cap_streams);
    struct obs_stream *s = &ob->streams[ob->n_streams];
    memset(s, 0, sizeof(*s));
    s->name = xstrdup(name);
    s->deadline_s = deadline_s;
    obs_hist_init(&s->latency);
    return (int)ob->n_streams++;
}

/* ------------------------------------------------------------- counting */

static struct obs_counts *qc(struct obs *ob, int q)
{
    return q >= 0 && (size_t)q < ob->n_queues ? &ob->queues[q].cur : NULL;
}

/* count - one event of queue q, in this interval's counters only (the
 * interval's end adds them to the run's). */
static void count(struct obs *ob, int q, int field)
{
    struct obs_counts *c = qc(ob, q);
    if (c)
        c->v[field]++;
    ob->total_cur.v[field]++;
}

struct obs_counts obs_queue_sum(const struct obs *ob, size_t q)
{
    return obs_counts_sum(&ob->queues[q].closed, &ob->queues[q].cur);
}

struct obs_counts obs_totals_sum(const struct obs *ob)
{
    return obs_counts_sum(&ob->totals_closed, &ob->total_cur);
}

static struct obs_stream *stream_at(struct obs *ob, int s)
{
    return s >= 0 && (size_t)s < ob->n_streams ? &ob->streams[s] : NULL;
}

/* prov_reply - one more of this reply text at provider p. */
static void prov_reply(struct obs *ob, int p, const char *text)
{
    if (p < 0 || (size_t)p >= ob->n_provs || text == NULL)
        return;
    struct obs_prov *pv = &ob->provs[p];
    for (size_t i = 0; i < pv->n_replies; i++)
        if (pv->replies[i].text == text) {
            pv->replies[i].count++;
            return;
        }
    XGROW(pv->replies, pv->n_replies, pv->cap_replies);
    pv->replies[pv->n_replies].text = text;
    pv->replies[pv->n_replies++].count = 1;
}

static void prov_count(struct obs *ob, int p, int field)
{
    if (p >= 0 && (size_t)p < ob->n_provs)
        ob->provs[p].c.v[field]++;
}

/* queue_prov - the provider of queue q, or -1. */
static int queue_prov(const struct obs *ob, int q)
{
    return q >= 0 && (size_t)q < ob->n_queues ? ob->queues[q].prov : -1;
}

void obs_injected(struct obs *ob, int q, int stream, int64_t now_us)
{
    (void)now_us;
    count(ob, q, OBS_INJECTED);
    prov_count(ob, queue_prov(ob, q), OBS_INJECTED);
    struct obs_stream *s = stream_at(ob, stream);
    if (s)
        s->c.v[OBS_INJECTED]++;
}

/* The target queue counts the recipient as injected, the totals do not
 * (it was injected once): per queue, injected = delivered + bounced +
 * expired + rerouted + queued at the end. */
void obs_rerouted(struct obs *ob, int from, int to, int64_t now_us)
{
    (void)now_us;
    count(ob, from, OBS_REROUTED);
    struct obs_counts *c = qc(ob, to);
    if (c)
        c->v[OBS_INJECTED]++;
}

void obs_attempt(struct obs *ob, int q, int prov, int stream, int64_t now_us)
{
    (void)now_us;
    count(ob, q, OBS_ATTEMPTS);
    prov_count(ob, prov, OBS_ATTEMPTS);
    struct obs_stream *s = stream_at(ob, stream);
    if (s)
        s->c.v[OBS_ATTEMPTS]++;
}

void obs_delivered(struct obs *ob, int q, int prov, int stream, int64_t now_us,
                   double latency_s)
{
    count(ob, q, OBS_DELIVERED);
    prov_count(ob, prov, OBS_DELIVERED);
    size_t bin = obs_hist_bin(&ob->all_latency, latency_s);
    obs_hist_add_bin(&ob->all_latency, bin, latency_s);
    struct obs_stream *s = stream_at(ob, stream);
    if (s) {
        s->c.v[OBS_DELIVERED]++;
        obs_hist_add_bin(&s->latency, bin, latency_s);
        if (s->deadline_s >= 0 && latency_s <= s->deadline_s)
            s->within_deadline++;
    }
    if (q >= 0 && (size_t)q < ob->n_queues)
        ob->queues[q].last_delivery_us = now_us;
}

void obs_deferred(struct obs *ob, int q, int prov, int stream,
                  const char *reply, int64_t now_us)
{
    (void)now_us;
    count(ob, q, OBS_DEFERRED);
    prov_count(ob, prov, OBS_DEFERRED);
    prov_reply(ob, prov, reply);
    struct obs_stream *s = stream_at(ob, stream);
    if (s)
        s->c.v[OBS_DEFERRED]++;
}

void obs_bounced(struct obs *ob, int q, int prov, int stream, const char *reply,
                 int64_t now_us)
{
    (void)now_us;
    count(ob, q, OBS_BOUNCED);
    prov_count(ob, prov, OBS_BOUNCED);
    prov_reply(ob, prov, reply);
    struct obs_stream *s = stream_at(ob, stream);
    if (s)
        s->c.v[OBS_BOUNCED]++;
}

void obs_expired(struct obs *ob, int q, int stream, int64_t now_us,
                 double age_s)
{
    (void)now_us;
    (void)age_s;
    count(ob, q, OBS_EXPIRED);
    prov_count(ob, queue_prov(ob, q), OBS_EXPIRED);
    struct obs_stream *s = stream_at(ob, stream);
    if (s)
        s->c.v[OBS_EXPIRED]++;
}

void obs_conn_failure(struct obs *ob, int q, int prov, const char *reply,
                      int64_t now_us)
{
    (void)now_us;
    count(ob, q, OBS_CONN_FAILURES);
    prov_count(ob, prov, OBS_CONN_FAILURES);
    prov_reply(ob, prov, reply);
}

/* ---------------------------------------------------------------- rows */

void obs_format_time(const struct obs *ob, int64_t t_us, char *buf, size_t n)
{
    time_t t = (time_t)(ob->opt.start_unix + t_us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* obs_csv_field - s quoted when it holds a comma, quote or line break. */
void obs_csv_field(FILE *fp, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

void obs_event(struct obs *ob, int64_t now_us, const char *queue,
               const char *event, const char *detail)
{
    char t[32];
    obs_format_time(ob, now_us, t, sizeof(t));
    fprintf(ob->ev, "%.6f,%s,", (double)now_us / 1e6, t);
    obs_csv_field(ob->ev, queue);
    fputc(',', ob->ev);
    obs_csv_field(ob->ev, event);
    fputc(',', ob->ev);
    obs_csv_field(ob->ev, detail);
    fputs(",,\n", ob->ev);
    ob->n_events++;
}

void obs_gauge(struct obs *ob, int q, uint64_t queued, uint64_t ready,
               uint64_t awaiting_retry, uint32_t connections, int backoff)
{
    if (q < 0 || (size_t)q >= ob->n_queues)
        return;
    struct obs_queue *oq = &ob->queues[q];
    oq->g_queued = queued;
    oq->g_ready = ready;
    oq->g_retry = awaiting_retry;
    oq->g_conns = connections;
    oq->g_backoff = backoff;
}

/* put_fields - ",v0,v1,..." for n values at p; the end (n <= 9). */
static char *put_fields(char *p, const uint64_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        *p++ = ',';
        p = str_put_u64(p, v[i]);
    }
    return p;
}

/* ts_row - one timeseries.csv row. The numbers are written by hand, not
 * by fprintf: a long run writes hundreds of thousands of rows, and
 * fprintf's eleven conversions per row were a tenth of a short run. */
static void ts_row(struct obs *ob, const char *stamp, const char *name,
                   const uint64_t g[4], const struct obs_counts *c,
                   const char *mode)
{
    const uint64_t head[9] = { g[0],
                               g[1],
                               g[2],
                               g[3],
                               c->v[OBS_ATTEMPTS],
                               c->v[OBS_DELIVERED],
                               c->v[OBS_DEFERRED],
                               c->v[OBS_BOUNCED],
                               c->v[OBS_EXPIRED] };
    const uint64_t tail[2] = { c->v[OBS_REROUTED], c->v[OBS_INJECTED] };
    char buf[9 * 21 + 2];
    fputs(stamp, ob->ts);
    obs_csv_field(ob->ts, name);
    char *p = put_fields(buf, head, 9);
    *p++ = ',';
    fwrite(buf, 1, (size_t)(p - buf), ob->ts);
    fputs(mode, ob->ts);
    p = put_fields(buf, tail, 2);
    *p++ = '\n';
    fwrite(buf, 1, (size_t)(p - buf), ob->ts);
}

/* obs_interval_end - one row per queue that had mail or activity, and the
 * total row with queue "*". */
void obs_interval_end(struct obs *ob, int64_t now_us)
{
    uint64_t tot[4] = { 0, 0, 0, 0 };
    char t[32], stamp[64];
    obs_format_time(ob, now_us, t, sizeof(t));
    snprintf(stamp, sizeof(stamp), "%lld,%s,", (long long)(now_us / 1000000),
             t);
    for (size_t i = 0; i < ob->n_queues; i++) {
        struct obs_queue *q = &ob->queues[i];
        uint64_t g[4] = { q->g_queued, q->g_ready, q->g_retry, q->g_conns };
        for (int k = 0; k < 4; k++)
            tot[k] += g[k];
        int active = 0;
        for (int k = 0; k < OBS_N_COUNTS; k++)
            active |= q->cur.v[k] != 0;
        if (active || g[0] || g[3] || q->g_backoff)
            ts_row(ob, stamp, q->name, g, &q->cur,
                   q->g_backoff ? "backoff" : "normal");
        if (active) { /* an idle queue's counts are zero */
            q->closed = obs_counts_sum(&q->closed, &q->cur);
            memset(&q->cur, 0, sizeof(q->cur));
        }
    }
    ts_row(ob, stamp, "*", tot, &ob->total_cur, "-");
    double per_hour =
        (double)ob->total_cur.v[OBS_DELIVERED] * 3600.0 / ob->opt.interval_s;
    if (per_hour > ob->peak_per_hour)
        ob->peak_per_hour = per_hour;
    ob->totals_closed = obs_counts_sum(&ob->totals_closed, &ob->total_cur);
    memset(&ob->total_cur, 0, sizeof(ob->total_cur));
    ob->intervals++;
}

void obs_queue_final(struct obs *ob, int q, uint64_t max_depth,
                     double backoff_s, uint32_t backoff_entries,
                     int64_t last_delivery_us, uint64_t queued_at_end)
{
    if (q < 0 || (size_t)q >= ob->n_queues)
        return;
    struct obs_queue *oq = &ob->queues[q];
    oq->max_depth = max_depth;
    oq->backoff_s = backoff_s;
    oq->backoff_entries = backoff_entries;
    oq->last_delivery_us = last_delivery_us;
    oq->queued_at_end = queued_at_end;
    ob->queued_at_end += queued_at_end;
}

void obs_queued_integral(struct obs *ob, double rcpt_s)
{
    ob->queued_integral_s = rcpt_s;
}

void obs_assume(struct obs *ob, const char *key, const char *value)
{
    for (size_t i = 0; i < ob->n_assume; i++)
        if (strcmp(ob->assume_key[i], key) == 0) {
            ob->assume_val[i] = value;
            return;
        }
    if (ob->n_assume == OBS_MAX_ASSUME)
        return;
    ob->assume_key[ob->n_assume] = key;
    ob->assume_val[ob->n_assume++] = value;
}

int obs_acct_on(const struct obs *ob)
{
    return ob->acct != NULL;
}
