/* report.c - the files a run leaves behind: summary.json and latency.csv,
 * and the renames that publish the streamed CSVs. Every file is written
 * under a temporary name and renamed only when all of them are complete,
 * so a failed run leaves no half-written output. Publishing removes the
 * folder's `complete` marker and the previous run's reports first and
 * writes the marker last (obs_publish_begin/end), so a run killed in the
 * middle leaves one run's files without the marker, never two runs'
 * files side by side (docs/limits.md). */
#include "provider/provider.h"
#include "report/agg.h"
#include "report/obs_int.h"
#include "util/tmpfiles.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_num(cJSON *o, const char *key, double x)
{
    if (isnan(x) || isinf(x))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, x);
}

static cJSON *latency_json(const struct obs_hist *h)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "mean", h->n ? h->sum / (double)h->n : (double)NAN);
    add_num(o, "p50", obs_hist_quantile(h, 0.50));
    add_num(o, "p90", obs_hist_quantile(h, 0.90));
    add_num(o, "p95", obs_hist_quantile(h, 0.95));
    add_num(o, "p99", obs_hist_quantile(h, 0.99));
    add_num(o, "max", h->n ? h->max : (double)NAN);
    add_num(o, "count", (double)h->n);
    return o;
}

/* add_counts - the counters of a scope, under their issue names; a
 * stream has no connection failures (they belong to a queue). */
static void add_counts_but(cJSON *o, const struct obs_counts *c, int skip)
{
    add_num(o, "injected", (double)c->v[OBS_INJECTED]);
    add_num(o, "attempts", (double)c->v[OBS_ATTEMPTS]);
    add_num(o, "delivered", (double)c->v[OBS_DELIVERED]);
    add_num(o, "bounced", (double)c->v[OBS_BOUNCED]);
    add_num(o, "expired", (double)c->v[OBS_EXPIRED]);
    add_num(o, "deferrals", (double)c->v[OBS_DEFERRED]);
    if (skip != OBS_CONN_FAILURES)
        add_num(o, "connection_failures", (double)c->v[OBS_CONN_FAILURES]);
}

static void add_counts(cJSON *o, const struct obs_counts *c)
{
    add_counts_but(o, c, -1);
}

static cJSON *queues_json(const struct obs *ob)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ob->n_queues; i++) {
        const struct obs_queue *q = &ob->queues[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "queue", q->name);
        if (q->prov >= 0 && (size_t)q->prov < ob->n_provs)
            cJSON_AddStringToObject(o, "provider", ob->provs[q->prov].name);
        struct obs_counts sum = obs_queue_sum(ob, i);
        add_counts(o, &sum);
        add_num(o, "rerouted", (double)sum.v[OBS_REROUTED]);
        add_num(o, "queued_at_end", (double)q->queued_at_end);
        add_num(o, "max_depth", (double)q->max_depth);
        add_num(o, "backoff_s", q->backoff_s);
        add_num(o, "backoff_entries", q->backoff_entries);
        add_num(o, "last_delivery_s",
                q->last_delivery_us < 0 ? (double)NAN
                                        : (double)q->last_delivery_us / 1e6);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *providers_json(const struct obs *ob)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ob->n_provs; i++) {
        const struct obs_prov *p = &ob->provs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "provider", p->name);
        add_counts(o, &p->c);
        cJSON *r = cJSON_AddObjectToObject(o, "replies");
        for (size_t k = 0; k < p->n_replies; k++) {
            cJSON *old =
                cJSON_GetObjectItemCaseSensitive(r, p->replies[k].text);
            if (old)
                cJSON_SetNumberValue(old, old->valuedouble +
                                              (double)p->replies[k].count);
            else
                add_num(r, p->replies[k].text, (double)p->replies[k].count);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *streams_json(const struct obs *ob)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ob->n_streams; i++) {
        const struct obs_stream *s = &ob->streams[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "stream", s->name);
        add_counts_but(o, &s->c, OBS_CONN_FAILURES);
        cJSON_AddItemToObject(o, "latency_s", latency_json(&s->latency));
        add_num(o, "deadline_s",
                s->deadline_s >= 0 ? s->deadline_s : (double)NAN);
        double inj = (double)s->c.v[OBS_INJECTED];
        add_num(o, "share_within_deadline",
                s->deadline_s >= 0 && inj > 0 ? (double)s->within_deadline / inj
                                              : (double)NAN);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* daily_json - the rows of daily.csv as objects (summary.json "daily"). */
static cJSON *daily_json(const struct obs *ob)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ob->n_days; i++) {
        const struct obs_dayrow *r = &ob->days[i];
        const uint64_t *n = r->n;
        cJSON *o = cJSON_CreateObject();
        char date[16];
        obs_day_date(ob, r->day, date, sizeof(date));
        char row[300]; /* names the row across replications */
        snprintf(row, sizeof(row), "%d/%s/%s", r->day, ob->provs[r->prov].name,
                 prov_world_ip(ob->world, r->ip));
        cJSON_AddStringToObject(o, "row", row);
        add_num(o, "day", r->day);
        cJSON_AddStringToObject(o, "date", date);
        cJSON_AddStringToObject(o, "provider", ob->provs[r->prov].name);
        cJSON_AddStringToObject(o, "ip", prov_world_ip(ob->world, r->ip));
        add_num(
            o, "offered",
            (double)(n[OBS_D_ACCEPTED] + n[OBS_D_DEFERRED] + n[OBS_D_BOUNCED]));
        add_num(o, "accepted", (double)n[OBS_D_ACCEPTED]);
        add_num(o, "deferred", (double)n[OBS_D_DEFERRED]);
        add_num(o, "bounced", (double)n[OBS_D_BOUNCED]);
        add_num(o, "reputation", r->reputation);
        add_num(o, "age_days", r->age_days);
        add_num(o, "capacity_per_hour", r->capacity_per_hour);
        add_num(o, "episodes", (double)n[OBS_D_EPISODES]);
        add_num(o, "blocked", r->blocked);
        add_num(o, "connection_failures", (double)n[OBS_D_CONN_FAILURES]);
        add_num(o, "recent_volume_per_day", r->recent_volume_per_day);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *summary_json(const struct obs *ob, const struct obs_engine *e)
{
    cJSON *root = cJSON_CreateObject();
    add_num(root, "seed", (double)e->seed);
    add_num(root, "duration_s", e->duration_s);
    char start[32];
    obs_format_time(ob, 0, start, sizeof(start));
    cJSON_AddStringToObject(root, "start", start);
    cJSON *as = cJSON_AddObjectToObject(root, "assumptions");
    for (size_t i = 0; i < ob->n_assume; i++)
        cJSON_AddStringToObject(as, ob->assume_key[i], ob->assume_val[i]);
    cJSON *t = cJSON_AddObjectToObject(root, "totals");
    struct obs_counts totals = obs_totals_sum(ob);
    add_counts(t, &totals);
    add_num(t, "queued_at_end", (double)ob->queued_at_end);
    add_num(t, "queued_integral_s", ob->queued_integral_s);
    add_num(t, "mean_queued",
            e->duration_s > 0 ? ob->queued_integral_s / e->duration_s
                              : (double)NAN);
    add_num(t, "sendlist_adjusted", (double)e->sendlist_adjusted);
    cJSON_AddItemToObject(root, "latency_s", latency_json(&ob->all_latency));
    cJSON *tp = cJSON_AddObjectToObject(root, "throughput_per_hour");
    add_num(tp, "mean",
            e->duration_s > 0
                ? (double)totals.v[OBS_DELIVERED] * 3600.0 / e->duration_s
                : (double)NAN);
    add_num(tp, "peak", ob->peak_per_hour);
    cJSON_AddItemToObject(root, "queues", queues_json(ob));
    cJSON_AddItemToObject(root, "providers", providers_json(ob));
    cJSON_AddItemToObject(root, "streams", streams_json(ob));
    cJSON_AddItemToObject(root, "daily", daily_json(ob));
    cJSON *en = cJSON_AddObjectToObject(root, "engine");
    add_num(en, "events", (double)e->events);
    add_num(en, "wall_s", e->wall_s);
    add_num(en, "events_per_s",
            e->wall_s > 0 ? (double)e->events / e->wall_s : (double)NAN);
    add_num(en, "peak_rss_kb", (double)e->peak_rss_kb);
    const cJSON *m;
    cJSON_ArrayForEach(m, ob->meta)
    {
        cJSON_AddItemToObject(root, m->string, cJSON_Duplicate(m, 1));
    }
    return root;
}

/* open_tmp - DIR/.NAME.tmp for writing, registered for removal on
 * failure; the path goes to *tmp. NULL when it cannot be opened. */
static FILE *open_tmp(const struct obs *ob, const char *name, char **tmp)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/.%s.tmp", ob->opt.dir, name);
    *tmp = strbuf_detach(&sb);
    tmpfiles_add(*tmp);
    return fopen(*tmp, "w");
}

/* close_tmp - close fp; -1 when a write or the close failed or bad is
 * set (a truncated report must not be published). */
static int close_tmp(FILE *fp, int bad)
{
    bad |= ferror(fp) != 0;
    bad |= fclose(fp) != 0;
    return bad ? -1 : 0;
}

/* write_summary - summary.json: agg_write_document of the run's tree. */
static int write_summary(const struct obs *ob, const cJSON *run, char **tmp)
{
    FILE *fp = open_tmp(ob, "summary.json", tmp);
    if (fp == NULL)
        return -1;
    return close_tmp(fp, agg_write_document(fp, run) != 0);
}

static void latency_rows(FILE *fp, const char *name, const struct obs_hist *h)
{
    double acc = 0;
    size_t n = gsl_histogram_bins(h->h);
    for (size_t i = 0; i < n; i++) {
        double c = gsl_histogram_get(h->h, i), lo, hi;
        if (c == 0)
            continue;
        acc += c;
        gsl_histogram_get_range(h->h, i, &lo, &hi);
        obs_csv_field(fp, name);
        fprintf(fp, ",%.6g,%.6g,%.0f,%.6f\n", lo, hi, c, acc / (double)h->n);
    }
}

static int write_latency(const struct obs *ob, char **tmp)
{
    FILE *fp = open_tmp(ob, "latency.csv", tmp);
    if (fp == NULL)
        return -1;
    fputs("stream,bin_low_s,bin_high_s,count,cdf\n", fp);
    latency_rows(fp, "*", &ob->all_latency);
    for (size_t i = 0; i < ob->n_streams; i++)
        latency_rows(fp, ob->streams[i].name, &ob->streams[i].latency);
    return close_tmp(fp, 0);
}

static int write_daily(const struct obs *ob, char **tmp)
{
    FILE *fp = open_tmp(ob, "daily.csv", tmp);
    if (fp == NULL)
        return -1;
    obs_day_csv(ob, fp);
    return close_tmp(fp, 0);
}

/* publish - rename DIR/.NAME.tmp to DIR/NAME. */
static int publish(const struct obs *ob, const char *tmp, const char *name)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", ob->opt.dir, name);
    int rc = rename(tmp, sb.buf);
    if (rc == 0)
        tmpfiles_forget(tmp);
    strbuf_release(&sb);
    return rc;
}

/* The reports of a run, and the marker written after all of them. */
static const char *const report_names[] = { "summary.json", "timeseries.csv",
                                            "events.csv",   "latency.csv",
                                            "acct.csv",     "daily.csv" };

int obs_publish_begin(const char *dir)
{
    struct strbuf sb;
    int rc = 0;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", dir, OBS_COMPLETE);
    if (remove(sb.buf) != 0 && errno != ENOENT)
        rc = -1;
    for (size_t i = 0;
         rc == 0 && i < sizeof(report_names) / sizeof(*report_names); i++) {
        strbuf_reset(&sb);
        strbuf_addf(&sb, "%s/%s", dir, report_names[i]);
        if (remove(sb.buf) != 0 && errno != ENOENT)
            rc = -1;
    }
    strbuf_release(&sb);
    return rc;
}

int obs_publish_end(const char *dir, const char *what)
{
    struct strbuf tmp, path;
    strbuf_init(&tmp);
    strbuf_init(&path);
    strbuf_addf(&tmp, "%s/.%s.tmp", dir, OBS_COMPLETE);
    strbuf_addf(&path, "%s/%s", dir, OBS_COMPLETE);
    tmpfiles_add(tmp.buf);
    FILE *fp = fopen(tmp.buf, "w");
    int bad = fp == NULL;
    if (fp) {
        bad |= fprintf(fp, "%s\n", what) < 0;
        bad |= fclose(fp) != 0;
    }
    bad = bad || rename(tmp.buf, path.buf) != 0;
    if (bad)
        remove(tmp.buf);
    tmpfiles_forget(tmp.buf);
    strbuf_release(&tmp);
    strbuf_release(&path);
    return bad ? -1 : 0;
}

static int close_streams(struct obs *ob)
{
    int bad = 0;
    FILE *fps[OBS_N_FILES] = { ob->ts, ob->ev, ob->acct };
    for (int k = 0; k < OBS_N_FILES; k++)
        if (fps[k] && !ob->files_closed[k]) {
            bad |= ferror(fps[k]) != 0;
            bad |= fclose(fps[k]) != 0;
            ob->files_closed[k] = 1;
        }
    ob->ts = ob->ev = ob->acct = NULL;
    return bad ? -1 : 0;
}

int obs_write_reports(struct obs *ob, const struct obs_engine *e)
{
    ob->engine = *e;
    cJSON *run = summary_json(ob, e);
    char *sum_tmp = NULL, *lat_tmp = NULL, *day_tmp = NULL;
    int rc = close_streams(ob);
    rc |= write_summary(ob, run, &sum_tmp);
    cJSON_Delete(run);
    rc |= write_latency(ob, &lat_tmp);
    rc |= write_daily(ob, &day_tmp);
    if (rc == 0)
        rc |= obs_publish_begin(ob->opt.dir);
    for (int k = 0; rc == 0 && k < OBS_N_FILES; k++)
        if (ob->tmp_path[k] && ob->final_name[k])
            rc |= publish(ob, ob->tmp_path[k], ob->final_name[k]);
    if (rc == 0)
        rc |= publish(ob, lat_tmp, "latency.csv");
    if (rc == 0)
        rc |= publish(ob, day_tmp, "daily.csv");
    if (rc == 0)
        rc |= publish(ob, sum_tmp, "summary.json");
    if (rc == 0)
        rc |= obs_publish_end(ob->opt.dir, "mtasim run: all reports written");
    if (rc != 0) {
        int err = errno;
        if (sum_tmp)
            tmpfiles_remove(sum_tmp);
        if (lat_tmp)
            tmpfiles_remove(lat_tmp);
        if (day_tmp)
            tmpfiles_remove(day_tmp);
        obs_abort(ob);
        errno = err;
    }
    free(sum_tmp);
    free(lat_tmp);
    free(day_tmp);
    return rc ? -1 : 0;
}

void obs_set_meta(struct obs *ob, struct cJSON *meta)
{
    cJSON_Delete(ob->meta);
    ob->meta = meta;
}

void obs_print_summary(const struct obs *ob, FILE *fp)
{
    const struct obs_counts totals = obs_totals_sum(ob);
    const struct obs_counts *t = &totals;
    const struct obs_engine *e = &ob->engine;
    fprintf(fp,
            "simulated %.1f days: %llu injected, %llu delivered, "
            "%llu bounced, %llu expired, %llu still queued\n",
            e->duration_s / 86400, (unsigned long long)t->v[OBS_INJECTED],
            (unsigned long long)t->v[OBS_DELIVERED],
            (unsigned long long)t->v[OBS_BOUNCED],
            (unsigned long long)t->v[OBS_EXPIRED],
            (unsigned long long)ob->queued_at_end);
    fprintf(fp, "  attempts %llu, deferrals %llu, connection failures %llu\n",
            (unsigned long long)t->v[OBS_ATTEMPTS],
            (unsigned long long)t->v[OBS_DEFERRED],
            (unsigned long long)t->v[OBS_CONN_FAILURES]);
    const struct obs_hist *h = &ob->all_latency;
    if (h->n)
        fprintf(fp,
                "  latency: mean %.0f s, p50 %.0f s, p95 %.0f s, "
                "max %.0f s\n",
                h->sum / (double)h->n, obs_hist_quantile(h, 0.5),
                obs_hist_quantile(h, 0.95), h->max);
    fprintf(fp, "  throughput: peak %.0f/h over %zu queues\n",
            ob->peak_per_hour, ob->n_queues);
    for (size_t i = 0; i < ob->n_queues; i++)
        if (ob->queues[i].backoff_entries)
            fprintf(fp, "  %s: %u backoff entries, %.1f h in backoff\n",
                    ob->queues[i].name, ob->queues[i].backoff_entries,
                    ob->queues[i].backoff_s / 3600);
    for (size_t i = 0; i < ob->n_assume; i++)
        fprintf(fp, "%s%s=%s%s",
                i ? ", " : "  not in the PowerMTA guide: ", ob->assume_key[i],
                ob->assume_val[i],
                i + 1 == ob->n_assume ? " (docs/delivery.md)\n" : "");
    fprintf(fp,
            "  engine: %llu events in %.2f s (%.2f M events/s, %.2f M "
            "recipients/s), peak RSS %ld MB\n",
            (unsigned long long)e->events, e->wall_s,
            e->wall_s > 0 ? (double)e->events / e->wall_s / 1e6 : 0.0,
            e->wall_s > 0 ? (double)t->v[OBS_INJECTED] / e->wall_s / 1e6 : 0.0,
            e->peak_rss_kb / 1024);
}
