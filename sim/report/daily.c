/* daily.c - the daily state of each provider and source IP: what a
 * warm-up review reads (offered, accepted, deferred, bounced per day, with
 * the provider's reputation, IP age and hourly capacity).
 *
 * The MTA counts each answer of a provider to one of our IPs with
 * obs_day_count; episodes and blocks are counted from the provider's
 * events. At each day boundary (and at the end of the run, for a last
 * partial day) obs_day_end reads every (provider, IP) state through the
 * provider's public view and keeps a row for each pair that was offered
 * mail, was refused, had an episode or is blocked. The state is the one
 * after the provider's daily update at that boundary, i.e. the reputation
 * and age earned by that day's traffic (what a postmaster dashboard shows
 * for the day), and the capacity the next day starts with. Rows are few
 * (days x providers x IPs), so they are kept in memory and written at the
 * end as daily.csv and summary.json "daily" (report.c). */
#include "provider/provider.h"
#include "report/obs_int.h"
#include "util/xalloc.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define DAY_US (86400LL * 1000000LL)

void obs_set_world(struct obs *ob, const struct prov_world *w)
{
    ob->world = w;
}

/* day_grow - make room in the table for IP ip and every provider. */
static void day_grow(struct obs *ob, int ip)
{
    size_t n = (size_t)ip + 8 > ob->day_ips ? (size_t)ip + 8 : ob->day_ips;
    uint64_t *t = xcalloc(ob->n_provs * n * OBS_N_DAY, sizeof(*t));
    for (size_t p = 0; p < ob->day_provs; p++)
        memcpy(t + p * n * OBS_N_DAY, ob->day_n + p * ob->day_ips * OBS_N_DAY,
               ob->day_ips * OBS_N_DAY * sizeof(*t));
    free(ob->day_n);
    ob->day_n = t;
    ob->day_ips = n;
    ob->day_provs = ob->n_provs;
}

/* day_cell - the counters of (prov, ip), growing the table for a new IP
 * (or provider); the common case, a known pair, is a bounds check and an
 * index: it runs on every answer a provider gives. */
static inline uint64_t *day_cell(struct obs *ob, int prov, int ip)
{
    if (prov < 0 || (size_t)prov >= ob->n_provs || ip < 0)
        return NULL;
    if ((size_t)ip >= ob->day_ips || ob->n_provs > ob->day_provs)
        day_grow(ob, ip);
    return ob->day_n + ((size_t)prov * ob->day_ips + (size_t)ip) * OBS_N_DAY;
}

void obs_day_count(struct obs *ob, int prov, int ip, enum obs_day_field f)
{
    uint64_t *c = day_cell(ob, prov, ip);
    if (c)
        c[f]++;
}

/* find_ip - the world index of the IP named ip, or -1. */
static int find_ip(const struct obs *ob, const char *ip)
{
    const char *name;
    for (int i = 0; ob->world && (name = prov_world_ip(ob->world, i)); i++)
        if (strcmp(name, ip) == 0)
            return i;
    return -1;
}

static int find_prov(const struct obs *ob, const char *provider)
{
    for (size_t i = 0; i < ob->n_provs; i++)
        if (strcmp(ob->provs[i].name, provider) == 0)
            return (int)i;
    return -1;
}

/* day_count_event - episodes and blocks from the provider's events. */
static void day_count_event(struct obs *ob, const char *provider,
                            const char *ip, const char *event)
{
    enum obs_day_field f;
    if (strcmp(event, "episode-start") == 0)
        f = OBS_D_EPISODES;
    else if (strcmp(event, "block") == 0)
        f = OBS_D_BLOCKS;
    else
        return;
    obs_day_count(ob, find_prov(ob, provider), find_ip(ob, ip), f);
}

void obs_provider_event(struct obs *ob, int64_t now_us, const char *provider,
                        const char *ip, const char *event, const char *detail)
{
    char t[32];
    obs_format_time(ob, now_us, t, sizeof(t));
    fprintf(ob->ev, "%.6f,%s,,", (double)now_us / 1e6, t);
    obs_csv_field(ob->ev, event);
    fputc(',', ob->ev);
    obs_csv_field(ob->ev, detail);
    fputc(',', ob->ev);
    obs_csv_field(ob->ev, provider);
    fputc(',', ob->ev);
    obs_csv_field(ob->ev, ip);
    fputc('\n', ob->ev);
    ob->n_events++;
    day_count_event(ob, provider, ip, event);
}

/* day_row - keep the row of (prov, ip) when anything happened. */
static void day_row(struct obs *ob, int day, int prov, int ip, double now_s)
{
    uint64_t *c = day_cell(ob, prov, ip);
    struct prov_ip_view v;
    prov_world_view(ob->world, prov, ip, now_s, &v);
    int active = v.blocked;
    for (int f = 0; f < OBS_N_DAY; f++)
        active |= c[f] != 0;
    if (!active)
        return;
    XGROW(ob->days, ob->n_days, ob->cap_days);
    struct obs_dayrow *r = &ob->days[ob->n_days++];
    r->day = day;
    r->prov = prov;
    r->ip = ip;
    memcpy(r->n, c, sizeof(r->n));
    r->reputation = v.reputation;
    r->age_days = v.age_days;
    r->capacity_per_hour = v.capacity_per_hour;
    r->recent_volume_per_day = v.recent_volume_per_day;
    r->blocked = v.blocked || c[OBS_D_BLOCKS] > 0;
    memset(c, 0, OBS_N_DAY * sizeof(*c));
}

void obs_day_end(struct obs *ob, int64_t now_us)
{
    int day = (int)((now_us + DAY_US - 1) / DAY_US);
    if (ob->world == NULL || day <= ob->last_day)
        return;
    ob->last_day = day;
    for (size_t p = 0; p < ob->n_provs; p++)
        for (int ip = 0; prov_world_ip(ob->world, ip); ip++)
            day_row(ob, day, (int)p, ip, (double)now_us / 1e6);
}

/* obs_day_date - the calendar date (UTC) of a day of the run. */
void obs_day_date(const struct obs *ob, int day, char *buf, size_t n)
{
    time_t t = (time_t)(ob->opt.start_unix + (int64_t)(day - 1) * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d", &tm);
}

/* obs_day_csv - daily.csv: capacity is empty where the provider sets no
 * limit. */
void obs_day_csv(const struct obs *ob, FILE *fp)
{
    fputs("day,provider,ip,offered,accepted,deferred,bounced,reputation,"
          "age_days,capacity_per_hour,episodes,blocked,connection_failures,"
          "recent_volume_per_day,date\n",
          fp);
    for (size_t i = 0; i < ob->n_days; i++) {
        const struct obs_dayrow *r = &ob->days[i];
        const uint64_t *n = r->n;
        char date[16];
        obs_day_date(ob, r->day, date, sizeof(date));
        fprintf(fp, "%d,", r->day);
        obs_csv_field(fp, ob->provs[r->prov].name);
        fputc(',', fp);
        obs_csv_field(fp, prov_world_ip(ob->world, r->ip));
        fprintf(fp, ",%llu,%llu,%llu,%llu,%.4f,%.0f,",
                (unsigned long long)(n[OBS_D_ACCEPTED] + n[OBS_D_DEFERRED] +
                                     n[OBS_D_BOUNCED]),
                (unsigned long long)n[OBS_D_ACCEPTED],
                (unsigned long long)n[OBS_D_DEFERRED],
                (unsigned long long)n[OBS_D_BOUNCED], r->reputation,
                r->age_days);
        if (isfinite(r->capacity_per_hour))
            fprintf(fp, "%.0f", r->capacity_per_hour);
        fprintf(fp, ",%llu,%d,%llu,%.0f,%s\n",
                (unsigned long long)n[OBS_D_EPISODES], r->blocked,
                (unsigned long long)n[OBS_D_CONN_FAILURES],
                r->recent_volume_per_day, date);
    }
}
