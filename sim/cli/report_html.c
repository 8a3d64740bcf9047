/* report_html.c - `mtasim report DIR [--compare DIR_B] [-o FILE]`: one
 * self-contained HTML page about a run, to hand to a colleague.
 *
 * The page holds what was simulated, a headline table, the daily figures
 * per provider and per source IP (daily.csv, with expiries per provider
 * from timeseries.csv), per-stream latency and deadline shares, the
 * plots (gnuplot SVGs inlined: no script, font or image is fetched from
 * anywhere), the backoff and episode timeline, and for a replicated run
 * or a comparison the 95 % confidence intervals. The page is a function of
 * the folder: no date or host name goes in, so the same run gives the
 * same bytes. docs/reports.md describes it. */
#include "cli/cli.h"
#include "cli/cli_opt.h"
#include "cli/cli_util.h"
#include "cli/plot.h"
#include "report/run_dir.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char report_help[] =
    "usage: mtasim report DIR [--compare DIR_B] [-o FILE]\n"
    "\n"
    "Write one self-contained HTML page about the run in DIR (what 'mtasim\n"
    "run --out DIR' wrote): what was simulated, the headline figures, the\n"
    "daily figures per provider and per source IP, latency and deadline\n"
    "shares per stream, the plots and the backoff and episode timeline;\n"
    "for a replicated run (run --replications) the 95 % confidence\n"
    "intervals. Plots are inline SVG drawn with gnuplot (without gnuplot\n"
    "the page has the tables only). Nothing on the page is fetched from\n"
    "anywhere: it reads the same mailed or offline.\n"
    "\n"
    "options:\n"
    "  --compare DIR_B  also compare DIR (A) with the run in DIR_B (B): the\n"
    "                   figures side by side with their difference (and its\n"
    "                   95 % CI when both are replicated), and the compare\n"
    "                   plot\n"
    "  -o, --out FILE   where to write the page (default DIR/report.html)\n"
    "  -q, --quiet      do not print the page's path\n"
    "  -h, --help       this text\n"
    "\n"
    "examples:\n"
    "  mtasim run scenarios/hotmail-warmup --out out/hw && mtasim report "
    "out/hw\n"
    "  mtasim report out/sp --compare out/sp4 -o sp-vs-sp4.html\n"
    "\n"
    "exit status: 0 the page was written, 1 DIR is not a run folder or the\n"
    "page cannot be written, 2 bad usage.\n";

#define DAY_S 86400.0
/* Per-IP daily rows shown at most (the page stays readable). */
#define RPT_MAX_IP_ROWS 1500

struct rpt {
    const char *dir, *dir_b, *out;
    const char *version; /* mtasim's, for the page's footer */
    int quiet;
    cJSON *sum, *sum_b;
    struct strbuf h; /* the page */
    char *tmp;       /* a scratch folder for the SVGs */
    int svg_n;
};

/* ------------------------------------------------------------ helpers */

static void esc(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            strbuf_adds(sb, "&lt;");
            break;
        case '>':
            strbuf_adds(sb, "&gt;");
            break;
        case '&':
            strbuf_adds(sb, "&amp;");
            break;
        case '"':
            strbuf_adds(sb, "&quot;");
            break;
        default:
            strbuf_addc(sb, *s);
        }
    }
}

static const cJSON *jget(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* jval - a figure: a number, or the mean of a replicated figure. */
static double jval(const cJSON *n)
{
    if (cJSON_IsNumber(n))
        return n->valuedouble;
    const cJSON *m = jget(n, "mean");
    return cJSON_IsNumber(m) ? m->valuedouble : (double)NAN;
}

static double jnum(const cJSON *o, const char *key)
{
    return jval(jget(o, key));
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *s = jget(o, key);
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* num - x for a table: integers as such, others with 3 significant
 * digits; NaN as a dash. */
static void num(struct strbuf *sb, double x)
{
    if (isnan(x))
        strbuf_adds(sb, "&ndash;");
    else if (isinf(x))
        strbuf_adds(sb, "unlimited");
    else if (fabs(x) >= 1000 || x == floor(x))
        strbuf_addf(sb, "%.0f", x);
    else
        strbuf_addf(sb, "%.3g", x);
}

static void pct(struct strbuf *sb, double x)
{
    if (isnan(x))
        strbuf_adds(sb, "&ndash;");
    else
        strbuf_addf(sb, "%.1f&nbsp;%%", 100 * x);
}

/* dur - seconds as s, min, h or days. */
static void dur(struct strbuf *sb, double s)
{
    if (isnan(s))
        strbuf_adds(sb, "&ndash;");
    else if (s < 120)
        strbuf_addf(sb, "%.3g&nbsp;s", s);
    else if (s < 7200)
        strbuf_addf(sb, "%.3g&nbsp;min", s / 60);
    else if (s < 3 * DAY_S)
        strbuf_addf(sb, "%.3g&nbsp;h", s / 3600);
    else
        strbuf_addf(sb, "%.3g&nbsp;days", s / DAY_S);
}

enum fmt { F_NUM, F_PCT, F_DUR };

static void fmt(struct strbuf *sb, double x, enum fmt f)
{
    if (f == F_PCT)
        pct(sb, x);
    else if (f == F_DUR)
        dur(sb, x);
    else
        num(sb, x);
}

/* fig - a figure with its CI when replicated: "12 [10 – 14]". */
static void fig(struct strbuf *sb, const cJSON *n, enum fmt f)
{
    fmt(sb, jval(n), f);
    const cJSON *lo = jget(n, "ci_low"), *hi = jget(n, "ci_high");
    /* one value (R = 1) has no interval worth showing */
    if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi) &&
        cJSON_GetArraySize(jget(n, "values")) > 1) {
        strbuf_adds(sb, " <span class=ci>[");
        fmt(sb, lo->valuedouble, f);
        strbuf_adds(sb, " &ndash; ");
        fmt(sb, hi->valuedouble, f);
        strbuf_adds(sb, "]</span>");
    }
}

static void td_fig(struct strbuf *sb, const cJSON *n, enum fmt f)
{
    strbuf_adds(sb, "<td>");
    fig(sb, n, f);
    strbuf_adds(sb, "</td>");
}

static void td_num(struct strbuf *sb, double x, enum fmt f)
{
    strbuf_adds(sb, "<td>");
    fmt(sb, x, f);
    strbuf_adds(sb, "</td>");
}

static void td_text(struct strbuf *sb, const char *s)
{
    strbuf_adds(sb, "<td class=t>");
    esc(sb, s);
    strbuf_adds(sb, "</td>");
}

/* th_row - a header row; bit i of text: column i holds text (left). */
static void th_row(struct strbuf *sb, const char *const *names, unsigned text)
{
    strbuf_adds(sb, "<tr>");
    for (int i = 0; names[i]; i++)
        strbuf_addf(sb,
                    (text >> i) & 1u ? "<th class=t>%s</th>" : "<th>%s</th>",
                    names[i]);
    strbuf_adds(sb, "</tr>\n");
}

/* csv_split - line into at most max fields (in place; RFC 4180 quotes). */
static size_t csv_split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *w = p;
        f[n++] = w;
        if (*p == '"') {
            for (p++;; p++) {
                if (*p == '\0')
                    break;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p++;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p;
                }
            }
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        char c = *p;
        *w = '\0';
        if (c != ',')
            break;
        p++;
    }
    return n;
}

/* col_of - the index of name in a header, or -1. */
static int col_of(char **h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i], name) == 0)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------- header */

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
    "sans-serif;color:#1d2330;margin:0;background:#f4f6f9}"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px;"
    "background:#fff;box-shadow:0 0 12px rgba(0,0,0,.06)}"
    "h1{font-size:26px;margin:0 0 4px;color:#0b3d91}"
    "h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;"
    "border-bottom:2px solid #0b3d91;color:#0b3d91}"
    "h3{font-size:15px;margin:18px 0 6px}"
    ".sub{color:#5a6475;margin:0 0 16px}"
    "table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}"
    "th,td{padding:3px 9px;border-bottom:1px solid #e2e6ec;text-align:right;"
    "vertical-align:top}"
    "th{background:#eef2f8;color:#28324a;font-weight:600;position:sticky;"
    "top:0}"
    "td.t,th.t{text-align:left}"
    "tr:nth-child(even) td{background:#fafbfd}"
    "table.kv td:first-child{text-align:left;color:#5a6475;"
    "white-space:nowrap}"
    "table.kv{width:100%}table.kv td{text-align:left}"
    ".ci{color:#6b7385;font-size:12px;white-space:nowrap}"
    ".bad{color:#b3261e;font-weight:600}"
    ".ok{color:#1e7b34}"
    ".note{color:#5a6475;font-size:13px}"
    ".scroll{max-height:520px;overflow:auto;border:1px solid #e2e6ec}"
    ".scroll table{margin:0}"
    "figure{margin:10px 0 18px}figure svg{width:100%;height:auto;"
    "border:1px solid #e2e6ec}"
    "figcaption{color:#5a6475;font-size:13px}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}"
    ".card{flex:1 1 120px;border:1px solid #dbe1ea;border-radius:6px;"
    "padding:8px 12px;background:#f8fafd}"
    ".card b{display:block;font-size:20px;color:#0b3d91}"
    ".card span{color:#5a6475;font-size:12px}"
    "code{font-size:12px}"
    ".two{display:flex;flex-wrap:wrap;gap:0 32px}"
    ".two>section{flex:1 1 330px;min-width:0}"
    ".two code{word-break:break-all}"
    "@media print{body{background:#fff}main{box-shadow:none}"
    ".scroll{max-height:none;overflow:visible}}";

/* run_name - the scenario's name: summary.json "scenario" when recorded,
 * else the run folder's name (mtasim run's default is out/NAME). */
static const char *run_name(const cJSON *sum, const char *dir, char *buf,
                            size_t n)
{
    const cJSON *sc = jget(sum, "scenario");
    if (cJSON_IsString(sc))
        return sc->valuestring;
    if (jstr(sc, "name"))
        return jstr(sc, "name");
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *b = dir;
    for (size_t i = 0; i < len; i++)
        if (dir[i] == '/' && i + 1 < len)
            b = dir + i + 1;
    snprintf(buf, n, "%.*s", (int)(len - (size_t)(b - dir)), b);
    return buf;
}

/* ---------------------------------------------------- what was simulated */

/* file_crc - CRC-32 (zlib) and size of a file; -1 when unreadable. */
static int file_crc(const char *path, unsigned long *crc, long long *size)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    unsigned char buf[65536];
    size_t n;
    uLong c = crc32(0L, Z_NULL, 0);
    *size = 0;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
        c = crc32(c, buf, (uInt)n);
        *size += (long long)n;
    }
    fclose(fp);
    *crc = c;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* folder_files - the run's files (not hidden, not the page or plots). */
static void folder_files(struct rpt *r)
{
    DIR *d = opendir(r->dir);
    if (d == NULL)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name, *dot = strrchr(s, '.');
        if (s[0] == '.' || !dot ||
            (strcmp(dot, ".csv") && strcmp(dot, ".json")))
            continue;
        XGROW(names, n, cap);
        names[n++] = xstrdup(s);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        unsigned long crc;
        long long size;
        snprintf(path, sizeof(path), "%s/%s", r->dir, names[i]);
        if (file_crc(path, &crc, &size) == 0) {
            strbuf_adds(&r->h, "<tr><td>");
            esc(&r->h, names[i]);
            strbuf_addf(&r->h,
                        "</td><td><code>crc32 %08lx</code>, %lld "
                        "bytes</td></tr>\n",
                        crc, size);
        }
        free(names[i]);
    }
    free(names);
}

/* input_row - one input file: its path, SHA-256 and size when recorded
 * ({path, sha256, bytes}), else the value as found. */
static void input_row(struct rpt *r, const char *label, const cJSON *it)
{
    strbuf_adds(&r->h, "<tr><td>");
    esc(&r->h, label);
    strbuf_adds(&r->h, "</td><td><code>");
    if (cJSON_IsString(it)) {
        esc(&r->h, it->valuestring);
    } else if (jstr(it, "path")) {
        /* the first 16 hex digits (the page's width); all 64 in the
         * tooltip and in summary.json */
        const char *sum = jstr(it, "sha256");
        esc(&r->h, jstr(it, "path"));
        strbuf_adds(&r->h, "</code> <span class=note title=\"sha256 ");
        esc(&r->h, sum ? sum : "unreadable");
        strbuf_addf(&r->h, "\">sha256&nbsp;%.16s%s", sum ? sum : "unreadable",
                    sum ? "&hellip;" : "");
        if (cJSON_IsNumber(jget(it, "bytes")))
            strbuf_addf(&r->h, ", %.0f&nbsp;bytes", jnum(it, "bytes"));
        strbuf_adds(&r->h, "</span><code>");
    } else {
        char *text = cJSON_PrintUnformatted(it);
        esc(&r->h, text);
        free(text);
    }
    strbuf_adds(&r->h, "</code></td></tr>\n");
}

/* inputs - summary.json's record of the inputs, when it has one: files
 * as {path, sha256, bytes}, lists of them (config and its includes,
 * models) one row each. */
static void inputs(struct rpt *r)
{
    const cJSON *in = jget(r->sum, "inputs"), *it, *el;
    if (in == NULL) {
        strbuf_adds(&r->h, "<tr><td>inputs</td><td class=note>not recorded "
                           "in summary.json (this mtasim version does not "
                           "record its scenario, config and model files); "
                           "the run folder's files are listed below</td>"
                           "</tr>\n");
        return;
    }
    cJSON_ArrayForEach(it, in)
    {
        const char *label = it->string ? it->string : "input";
        if (!cJSON_IsArray(it)) {
            input_row(r, label, it);
            continue;
        }
        int k = 0;
        cJSON_ArrayForEach(el, it)
        {
            char lab[64];
            snprintf(lab, sizeof(lab), "%s%s", label,
                     !strcmp(label, "config") && k > 0 ? " (included)" : "");
            input_row(r, lab, el);
            k++;
        }
    }
}

static void what_simulated(struct rpt *r, const char *name)
{
    struct strbuf *h = &r->h;
    const cJSON *s = r->sum;
    strbuf_adds(h, "<h2>What was simulated</h2>\n<table class=kv>\n");
    strbuf_adds(h, "<tr><td>scenario</td><td><b>");
    esc(h, name);
    strbuf_adds(h, "</b></td></tr>\n<tr><td>run folder</td><td><code>");
    esc(h, r->dir);
    strbuf_adds(h, "</code></td></tr>\n<tr><td>start</td><td>");
    esc(h, jstr(s, "start") ? jstr(s, "start") : "not recorded");
    strbuf_adds(h, "</td></tr>\n<tr><td>duration</td><td>");
    dur(h, jnum(s, "duration_s"));
    strbuf_adds(h, "</td></tr>\n<tr><td>seed</td><td>");
    num(h, jnum(s, "seed"));
    double reps = jnum(s, "replications");
    strbuf_adds(h, "</td></tr>\n<tr><td>replications</td><td>");
    if (isnan(reps) || reps <= 1)
        strbuf_adds(h, "1");
    else
        strbuf_addf(h,
                    "%.0f (figures are means with their 95&nbsp;%% "
                    "confidence interval in brackets)",
                    reps);
    strbuf_adds(h, "</td></tr>\n<tr><td>mtasim version</td><td>");
    if (jstr(s, "version"))
        esc(h, jstr(s, "version"));
    else
        strbuf_addf(h,
                    "not recorded in summary.json; this page: mtasim "
                    "%s",
                    r->version);
    strbuf_adds(h, "</td></tr>\n");
    if (jstr(s, "command_line")) {
        strbuf_adds(h, "<tr><td>command line</td><td><code>");
        esc(h, jstr(s, "command_line"));
        strbuf_adds(h, "</code></td></tr>\n");
    }
    inputs(r);
    folder_files(r);
    strbuf_adds(h, "</table>\n");
}

/* ------------------------------------------------------------ headline */

static double backoff_hours(const cJSON *sum, double *entries)
{
    double h = 0;
    *entries = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, jget(sum, "queues"))
    {
        double b = jnum(q, "backoff_s"), e = jnum(q, "backoff_entries");
        h += isnan(b) ? 0 : b / 3600;
        *entries += isnan(e) ? 0 : e;
    }
    return h;
}

static void card(struct strbuf *h, const char *label, double x, enum fmt f)
{
    strbuf_adds(h, "<div class=card><b>");
    fmt(h, x, f);
    strbuf_addf(h, "</b><span>%s</span></div>", label);
}

static void headline(struct rpt *r)
{
    struct strbuf *h = &r->h;
    const cJSON *t = jget(r->sum, "totals"), *lat = jget(r->sum, "latency_s");
    double inj = jnum(t, "injected"), del = jnum(t, "delivered");
    double att = jnum(t, "attempts"), defr = jnum(t, "deferrals");
    double entries, bh = backoff_hours(r->sum, &entries);
    strbuf_adds(h, "<h2>Headline</h2>\n<div class=cards>");
    card(h, "recipients injected", inj, F_NUM);
    card(h, "delivered", inj > 0 ? del / inj : (double)NAN, F_PCT);
    card(h, "deferral rate (deferrals / attempts)",
         att > 0 ? defr / att : (double)NAN, F_PCT);
    card(h, "p95 latency of delivered mail", jnum(lat, "p95"), F_DUR);
    card(h, "still queued at the end", jnum(t, "queued_at_end"), F_NUM);
    card(h, "hours in backoff (all queues)", bh, F_NUM);
    strbuf_adds(h, "</div>\n");
}

/* headline_table - every headline figure (with its CI when replicated). */
static void headline_table(struct rpt *r)
{
    struct strbuf *h = &r->h;
    const cJSON *t = jget(r->sum, "totals"), *lat = jget(r->sum, "latency_s");
    const cJSON *tp = jget(r->sum, "throughput_per_hour");
    double entries, bh = backoff_hours(r->sum, &entries);
    strbuf_adds(h, "<h2>Figures</h2>\n<table class=kv>\n");
    static const struct {
        const char *label, *key;
        enum fmt f;
    } rows[] = {
        { "injected", "injected", F_NUM },
        { "delivered", "delivered", F_NUM },
        { "bounced", "bounced", F_NUM },
        { "expired (bounce-after)", "expired", F_NUM },
        { "still queued at the end", "queued_at_end", F_NUM },
        { "delivery attempts", "attempts", F_NUM },
        { "deferrals", "deferrals", F_NUM },
        { "connection failures", "connection_failures", F_NUM },
        { "send-list records adjusted", "sendlist_adjusted", F_NUM },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        strbuf_addf(h, "<tr><td>%s</td>", rows[i].label);
        td_fig(h, jget(t, rows[i].key), rows[i].f);
        strbuf_adds(h, "</tr>\n");
    }
    static const char *const lat_keys[] = { "mean", "p50", "p95", "p99",
                                            "max" };
    for (size_t i = 0; i < 5; i++) {
        strbuf_addf(h, "<tr><td>latency %s (delivered mail)</td>", lat_keys[i]);
        td_fig(h, jget(lat, lat_keys[i]), F_DUR);
        strbuf_adds(h, "</tr>\n");
    }
    strbuf_adds(h, "<tr><td>throughput, mean per hour</td>");
    td_fig(h, jget(tp, "mean"), F_NUM);
    strbuf_adds(h, "</tr>\n<tr><td>throughput, peak per hour</td>");
    td_fig(h, jget(tp, "peak"), F_NUM);
    strbuf_addf(h,
                "</tr>\n<tr><td>backoff entries / hours</td><td>%.0f / "
                "%.1f</td></tr>\n</table>\n",
                entries, bh);
}

/* ---------------------------------------------------------------- SVGs */

/* svg_inline - out_dir/NAME.svg into the page, without its XML prolog and
 * with its ids made unique on the page. */
static int svg_inline(struct rpt *r, const char *name)
{
    char *text = cli_read_text(r->tmp, name);
    if (text == NULL)
        return -1;
    char *p = strstr(text, "<svg");
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "s%d_", ++r->svg_n);
    for (; p && *p; p++) {
        if (strncmp(p, "id='", 4) == 0 || strncmp(p, "id=\"", 4) == 0) {
            strbuf_add(&r->h, p, 4);
            strbuf_adds(&r->h, prefix);
            p += 3;
        } else if (strncmp(p, "href='#", 7) == 0 ||
                   strncmp(p, "url(#", 5) == 0) {
            size_t k = p[0] == 'h' ? 7 : 5;
            strbuf_add(&r->h, p, k);
            strbuf_adds(&r->h, prefix);
            p += k - 1;
        } else {
            strbuf_addc(&r->h, *p);
        }
    }
    free(text);
    return 0;
}

/* plot - draw one plot and inline it under a caption; 1 when gnuplot is
 * missing. */
static int plot(struct rpt *r, const char *name, const char *caption)
{
    char file[64];
    snprintf(file, sizeof(file), "%s.svg", name);
    int rc = plot_svg(name, strcmp(name, "compare") ? r->dir : r->dir,
                      strcmp(name, "compare") ? NULL : r->dir_b, r->tmp);
    if (rc == 2)
        return 1;
    strbuf_adds(&r->h, "<figure>");
    if (rc != 0 || svg_inline(r, file) != 0)
        strbuf_addf(&r->h, "<p class=note>(the %s plot could not be drawn)</p>",
                    name);
    strbuf_addf(&r->h, "<figcaption>%s</figcaption></figure>\n", caption);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", r->tmp, file);
    unlink(path);
    return 0;
}

static void plots(struct rpt *r)
{
    strbuf_adds(&r->h, "<h2>Delivery over time</h2>\n");
    if (r->tmp == NULL) {
        strbuf_adds(&r->h, "<p class=note>(no scratch folder for the plots: "
                           "tables only)</p>\n");
        return;
    }
    if (plot(r, "throughput",
             "Offered and delivered per hour, by provider; dashed: the "
             "provider model's capacity where it binds.")) {
        strbuf_adds(&r->h, "<p class=note>gnuplot is not installed (or the "
                           "plots/ scripts are not found): this page has "
                           "the tables only.</p>\n");
        return;
    }
    plot(r, "queues", "Recipients queued: the total and the deepest queues.");
    plot(r, "latency",
         "Share of the injected recipients delivered within a given time, "
         "per stream; the rest were not delivered.");
}

/* ---------------------------------------------------------- daily tables */

struct day_agg {
    int day;
    char prov[64];
    double offered, accepted, deferred, bounced, expired, episodes, blocked;
    double age_lo, age_hi, rep_lo, rep_hi, cap;
    int n;
};

static struct day_agg *agg_find(struct day_agg **a, size_t *n, size_t *cap,
                                int day, const char *prov)
{
    for (size_t i = 0; i < *n; i++)
        if ((*a)[i].day == day && strcmp((*a)[i].prov, prov) == 0)
            return &(*a)[i];
    XGROW(*a, *n, *cap);
    struct day_agg *g = &(*a)[(*n)++];
    memset(g, 0, sizeof(*g));
    g->day = day;
    snprintf(g->prov, sizeof(g->prov), "%s", prov);
    g->age_lo = g->rep_lo = INFINITY;
    g->age_hi = g->rep_hi = -INFINITY;
    return g;
}

static int agg_cmp(const void *a, const void *b)
{
    const struct day_agg *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return strcmp(x->prov, y->prov);
}

/* range - "a" or "a-b", with prec decimals. */
static void range(struct strbuf *h, double lo, double hi, int prec)
{
    strbuf_adds(h, "<td>");
    if (!isfinite(lo))
        strbuf_adds(h, "&ndash;");
    else if (lo == hi)
        strbuf_addf(h, "%.*f", prec, lo);
    else
        strbuf_addf(h, "%.*f&ndash;%.*f", prec, lo, prec, hi);
    strbuf_adds(h, "</td>");
}

struct qprov {
    const char *queue, *provider;
};

static int qprov_cmp(const void *a, const void *b)
{
    return strcmp(((const struct qprov *)a)->queue,
                  ((const struct qprov *)b)->queue);
}

/* queue_index - summary.json's queue -> provider map, sorted by queue
 * (a run can have thousands of queues). */
static struct qprov *queue_index(const cJSON *sum, size_t *n)
{
    size_t cap = 0;
    struct qprov *qp = NULL;
    const cJSON *q;
    *n = 0;
    cJSON_ArrayForEach(q, jget(sum, "queues"))
    {
        if (!jstr(q, "queue") || !jstr(q, "provider"))
            continue;
        XGROW(qp, *n, cap);
        qp[(*n)++] = (struct qprov){ jstr(q, "queue"), jstr(q, "provider") };
    }
    if (*n)
        qsort(qp, *n, sizeof(*qp), qprov_cmp);
    return qp;
}

/* expired_by_day - expiries per day and provider from timeseries.csv
 * (queues mapped to providers through summary.json). */
static void expired_by_day(struct rpt *r, struct day_agg **a, size_t *n,
                           size_t *cap)
{
    char *text = cli_read_text(r->dir, "timeseries.csv");
    if (text == NULL)
        return;
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    char *f[16];
    int c_t = 0, c_q = 2, c_e = 11;
    size_t nq;
    struct qprov *qp = queue_index(r->sum, &nq);
    if (line) {
        size_t k = csv_split(line, f, 16);
        c_t = col_of(f, k, "t_s");
        c_q = col_of(f, k, "queue");
        c_e = col_of(f, k, "expired");
    }
    while (c_t >= 0 && c_q >= 0 && c_e >= 0 &&
           (line = strtok_r(NULL, "\n", &save))) {
        size_t k = csv_split(line, f, 16);
        if (k <= (size_t)c_e || strcmp(f[c_e], "0") == 0 ||
            strcmp(f[c_q], "*") == 0)
            continue;
        struct qprov key = { f[c_q], NULL };
        const struct qprov *hit =
            nq ? bsearch(&key, qp, nq, sizeof(*qp), qprov_cmp) : NULL;
        const char *prov = hit ? hit->provider : NULL;
        int day = (int)ceil(strtod(f[c_t], NULL) / DAY_S);
        agg_find(a, n, cap, day < 1 ? 1 : day, prov ? prov : "?")->expired +=
            strtod(f[c_e], NULL);
    }
    free(qp);
    free(text);
}

static const char *const daily_cols[] = {
    "day",      "provider",          "ip",       "offered",
    "accepted", "deferred",          "bounced",  "reputation",
    "age_days", "capacity_per_hour", "episodes", "blocked",
};
enum { DC_N = 12 };

/* ip_row - one row of daily.csv as a row of the per-IP table. */
static void ip_row(struct strbuf *h, char **f, const int *c)
{
    double off = strtod(f[c[3]], NULL), defr = strtod(f[c[5]], NULL);
    strbuf_adds(h, "<tr>");
    for (int k = 0; k < 3; k++)
        td_text(h, f[c[k]]);
    for (int k = 3; k < 7; k++)
        td_num(h, strtod(f[c[k]], NULL), F_NUM);
    td_num(h, off > 0 ? defr / off : (double)NAN, F_PCT);
    strbuf_addf(h, "<td>%s</td><td>%s</td><td>%s</td><td>%s</td>", f[c[8]],
                f[c[7]], f[c[9]][0] ? f[c[9]] : "unlimited", f[c[10]]);
    strbuf_addf(h, "<td>%s</td></tr>\n",
                strcmp(f[c[11]], "0") ? "<span class=bad>yes</span>" : "");
}

/* daily_read - daily.csv into the per-IP table (directly) and the
 * per-provider aggregates. */
static int daily_read(struct rpt *r, struct strbuf *ip_tab, struct day_agg **a,
                      size_t *n, size_t *cap)
{
    char *text = cli_read_text(r->dir, "daily.csv");
    if (text == NULL)
        return -1;
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    char *f[32];
    int c[DC_N];
    size_t k = line ? csv_split(line, f, 32) : 0, rows = 0;
    for (int i = 0; i < DC_N; i++)
        if ((c[i] = col_of(f, k, daily_cols[i])) < 0) {
            free(text);
            return -1;
        }
    while ((line = strtok_r(NULL, "\n", &save))) {
        size_t m = csv_split(line, f, 32);
        if (m < (size_t)DC_N)
            continue;
        if (rows++ < RPT_MAX_IP_ROWS)
            ip_row(ip_tab, f, c);
        struct day_agg *g = agg_find(a, n, cap, atoi(f[c[0]]), f[c[1]]);
        g->offered += strtod(f[c[3]], NULL);
        g->accepted += strtod(f[c[4]], NULL);
        g->deferred += strtod(f[c[5]], NULL);
        g->bounced += strtod(f[c[6]], NULL);
        double rep = strtod(f[c[7]], NULL), age = strtod(f[c[8]], NULL);
        g->rep_lo = fmin(g->rep_lo, rep);
        g->rep_hi = fmax(g->rep_hi, rep);
        g->age_lo = fmin(g->age_lo, age);
        g->age_hi = fmax(g->age_hi, age);
        g->cap += f[c[9]][0] ? strtod(f[c[9]], NULL) : (double)INFINITY;
        g->episodes += strtod(f[c[10]], NULL);
        g->blocked += strcmp(f[c[11]], "0") != 0;
        g->n++;
    }
    if (rows > RPT_MAX_IP_ROWS)
        strbuf_addf(ip_tab,
                    "<tr><td class=t colspan=13>&hellip; %zu more rows in "
                    "daily.csv</td></tr>\n",
                    rows - RPT_MAX_IP_ROWS);
    free(text);
    return 0;
}

static void prov_rows(struct strbuf *h, const struct day_agg *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct day_agg *g = &a[i];
        strbuf_addf(h, "<tr><td>%d</td>", g->day);
        td_text(h, g->prov);
        td_num(h, g->offered, F_NUM);
        td_num(h, g->accepted, F_NUM);
        td_num(h, g->deferred, F_NUM);
        td_num(h, g->offered > 0 ? g->deferred / g->offered : (double)NAN,
               F_PCT);
        td_num(h, g->bounced, F_NUM);
        td_num(h, g->expired, F_NUM);
        range(h, g->age_lo, g->age_hi, 0);
        range(h, g->rep_lo, g->rep_hi, 2);
        td_num(h, g->n ? g->cap : (double)NAN, F_NUM);
        td_num(h, g->episodes, F_NUM);
        strbuf_addf(h, "<td>%s</td></tr>\n",
                    g->blocked > 0 ? "<span class=bad>yes</span>" : "");
    }
}

static void daily(struct rpt *r)
{
    struct strbuf *h = &r->h, ip_tab;
    strbuf_init(&ip_tab);
    struct day_agg *a = NULL;
    size_t n = 0, cap = 0;
    strbuf_adds(h, "<h2>Per provider and day</h2>\n");
    if (daily_read(r, &ip_tab, &a, &n, &cap) != 0) {
        strbuf_adds(h, "<p class=note>No daily.csv in the run folder (a run "
                       "of an older mtasim): no daily tables.</p>\n");
        strbuf_release(&ip_tab);
        return;
    }
    expired_by_day(r, &a, &n, &cap);
    qsort(a, n, sizeof(*a), agg_cmp);
    if (jnum(r->sum, "replications") > 1)
        strbuf_adds(h, "<p class=note>A replicated run: the daily tables "
                       "are those of replication 0 (DIR/daily.csv; every "
                       "replication's are in DIR/rep-N/).</p>\n");
    strbuf_adds(h, "<p class=note>Summed over our source IPs. Offered = "
                   "answered transactions (accepted + deferred + bounced); "
                   "deferral rate = deferred / offered; expired = bounced "
                   "after bounce-after in that day; IP age, reputation and "
                   "capacity are the provider's state at the end of the "
                   "day.</p>\n<div class=scroll><table>\n");
    static const char *const ph[] = { "day",           "provider",
                                      "offered",       "delivered",
                                      "deferred",      "deferral rate",
                                      "bounced",       "expired",
                                      "IP age (days)", "reputation",
                                      "capacity / h",  "episodes",
                                      "blocked",       NULL };
    th_row(h, ph, 0x2u);
    prov_rows(h, a, n);
    strbuf_adds(h, "</table></div>\n<h2>Per source IP and day</h2>\n"
                   "<div class=scroll><table>\n");
    static const char *const ih[] = {
        "day",        "provider",   "IP",           "offered",
        "accepted",   "deferred",   "bounced",      "deferral rate",
        "age (days)", "reputation", "capacity / h", "episodes",
        "blocked",    NULL
    };
    th_row(h, ih, 0x6u);
    strbuf_add(h, ip_tab.buf, ip_tab.len);
    strbuf_adds(h, "</table></div>\n");
    strbuf_release(&ip_tab);
    free(a);
}

/* ------------------------------------------------------------- streams */

static void streams(struct rpt *r)
{
    struct strbuf *h = &r->h;
    strbuf_adds(h, "<h2>Streams: latency and deadlines</h2>\n<table>\n");
    static const char *const sh[] = {
        "stream",    "injected",
        "delivered", "bounced",
        "expired",   "latency p50",
        "p95",       "p99",
        "deadline",  "within deadline (of injected)",
        NULL
    };
    th_row(h, sh, 0x1u);
    const cJSON *s;
    cJSON_ArrayForEach(s, jget(r->sum, "streams"))
    {
        const cJSON *lat = jget(s, "latency_s");
        strbuf_adds(h, "<tr>");
        td_text(h, jstr(s, "stream"));
        td_fig(h, jget(s, "injected"), F_NUM);
        td_fig(h, jget(s, "delivered"), F_NUM);
        td_fig(h, jget(s, "bounced"), F_NUM);
        td_fig(h, jget(s, "expired"), F_NUM);
        td_fig(h, jget(lat, "p50"), F_DUR);
        td_fig(h, jget(lat, "p95"), F_DUR);
        td_fig(h, jget(lat, "p99"), F_DUR);
        td_fig(h, jget(s, "deadline_s"), F_DUR);
        td_fig(h, jget(s, "share_within_deadline"), F_PCT);
        strbuf_adds(h, "</tr>\n");
    }
    strbuf_adds(h, "</table>\n");
}

/* ----------------------------------------------------- providers, queues */

/* top_replies - the n most frequent replies of a provider. */
static void top_replies(struct strbuf *h, const cJSON *replies, int n)
{
    const cJSON *used[8] = { NULL };
    for (int k = 0; k < n && k < 8; k++) {
        const cJSON *best = NULL, *it;
        cJSON_ArrayForEach(it, replies)
        {
            int seen = 0;
            for (int j = 0; j < k; j++)
                seen |= used[j] == it;
            if (!seen && (!best || jval(it) > jval(best)))
                best = it;
        }
        if (!best)
            break;
        used[k] = best;
        strbuf_adds(h, k ? "<br>" : "");
        num(h, jval(best));
        strbuf_adds(h, "&times; <code>");
        esc(h, best->string);
        strbuf_adds(h, "</code>");
    }
}

static void providers(struct rpt *r)
{
    struct strbuf *h = &r->h;
    strbuf_adds(h, "<h2>Providers</h2>\n<table>\n");
    static const char *const ph[] = {
        "provider", "injected", "delivered",           "deferrals",
        "bounced",  "expired",  "connection failures", "most frequent replies",
        NULL
    };
    th_row(h, ph, 0x81u);
    const cJSON *p;
    int idle = 0;
    cJSON_ArrayForEach(p, jget(r->sum, "providers"))
    {
        if (!(jnum(p, "injected") > 0) && !(jnum(p, "attempts") > 0)) {
            idle++;
            continue;
        }
        strbuf_adds(h, "<tr>");
        td_text(h, jstr(p, "provider"));
        td_fig(h, jget(p, "injected"), F_NUM);
        td_fig(h, jget(p, "delivered"), F_NUM);
        td_fig(h, jget(p, "deferrals"), F_NUM);
        td_fig(h, jget(p, "bounced"), F_NUM);
        td_fig(h, jget(p, "expired"), F_NUM);
        td_fig(h, jget(p, "connection_failures"), F_NUM);
        strbuf_adds(h, "<td class=t>");
        top_replies(h, jget(p, "replies"), 3);
        strbuf_adds(h, "</td></tr>\n");
    }
    strbuf_adds(h, "</table>\n");
    if (idle)
        strbuf_addf(h,
                    "<p class=note>%d provider model%s without mail in this "
                    "run not shown.</p>\n",
                    idle, idle > 1 ? "s" : "");
}

static void backoff(struct rpt *r)
{
    struct strbuf *h = &r->h;
    strbuf_adds(h, "<h2>Backoff and provider episodes</h2>\n");
    if (r->svg_n > 0)
        plot(r, "timeline",
             "Per queue: time in backoff, retry mode, refused connections; "
             "per provider and IP: throttle episodes and blocks.");
    strbuf_adds(h, "<table>\n");
    static const char *const qh[] = { "queue",
                                      "provider",
                                      "backoff entries",
                                      "hours in backoff",
                                      "max depth",
                                      "still queued",
                                      NULL };
    th_row(h, qh, 0x3u);
    int shown = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, jget(r->sum, "queues"))
    {
        if (!(jnum(q, "backoff_entries") > 0))
            continue;
        shown++;
        strbuf_adds(h, "<tr>");
        td_text(h, jstr(q, "queue"));
        td_text(h, jstr(q, "provider"));
        td_fig(h, jget(q, "backoff_entries"), F_NUM);
        td_num(h, jnum(q, "backoff_s") / 3600, F_NUM);
        td_fig(h, jget(q, "max_depth"), F_NUM);
        td_fig(h, jget(q, "queued_at_end"), F_NUM);
        strbuf_adds(h, "</tr>\n");
    }
    if (!shown)
        strbuf_adds(h, "<tr><td class=t colspan=6>no queue went into "
                       "backoff</td></tr>\n");
    strbuf_adds(h, "</table>\n");
}

/* ---------------------------------------------------------- comparison */

/* diff_ci - the 95 % CI of B - A from per-replication values, paired by
 * replication (common random numbers); 0 when there are not two each. */
static int diff_ci(const cJSON *a, const cJSON *b, double *lo, double *hi)
{
    const cJSON *va = jget(a, "values"), *vb = jget(b, "values");
    int n = cJSON_GetArraySize(va);
    if (n < 2 || n != cJSON_GetArraySize(vb))
        return 0;
    double *d = xcalloc((size_t)n, sizeof(*d));
    for (int i = 0; i < n; i++)
        d[i] =
            jval(cJSON_GetArrayItem(vb, i)) - jval(cJSON_GetArrayItem(va, i));
    double m = gsl_stats_mean(d, 1, (size_t)n);
    double half = gsl_cdf_tdist_Pinv(0.975, n - 1) *
                  gsl_stats_sd_m(d, 1, (size_t)n, m) / sqrt(n);
    free(d);
    *lo = m - half;
    *hi = m + half;
    return 1;
}

static void cmp_row(struct strbuf *h, const char *label, const cJSON *a,
                    const cJSON *b, enum fmt f)
{
    double x = jval(a), y = jval(b), lo, hi;
    strbuf_addf(h, "<tr><td class=t>%s</td>", label);
    td_fig(h, a, f);
    td_fig(h, b, f);
    strbuf_adds(h, "<td>");
    fmt(h, y - x, f == F_PCT ? F_PCT : F_NUM);
    if (diff_ci(a, b, &lo, &hi)) {
        int sig = lo > 0 || hi < 0;
        strbuf_addf(h, " <span class=\"ci%s\">[", sig ? " bad" : "");
        fmt(h, lo, f == F_PCT ? F_PCT : F_NUM);
        strbuf_adds(h, " &ndash; ");
        fmt(h, hi, f == F_PCT ? F_PCT : F_NUM);
        strbuf_adds(h, "]</span>");
    }
    strbuf_adds(h, "</td>");
    td_num(h, x != 0 ? (y - x) / fabs(x) : (double)NAN, F_PCT);
    strbuf_adds(h, "</tr>\n");
}

static void compare(struct rpt *r, const char *name_b)
{
    struct strbuf *h = &r->h;
    const cJSON *ta = jget(r->sum, "totals"), *tb = jget(r->sum_b, "totals");
    const cJSON *la = jget(r->sum, "latency_s"),
                *lb = jget(r->sum_b, "latency_s");
    strbuf_adds(h, "<h2>Comparison: A (this run) and B (");
    esc(h, name_b);
    strbuf_adds(h, ")</h2>\n<p class=note>B: <code>");
    esc(h, r->dir_b);
    strbuf_adds(h, "</code>. The difference is B &minus; A; with "
                   "replications in both runs, its 95&nbsp;% confidence "
                   "interval is paired by replication (the same random "
                   "streams); red when it excludes 0.</p>\n<table>\n");
    static const char *const ch[] = { "figure",      "A",        "B",
                                      "B &minus; A", "relative", NULL };
    th_row(h, ch, 0x1u);
    static const char *const keys[] = { "injected", "delivered",     "bounced",
                                        "expired",  "queued_at_end", "attempts",
                                        "deferrals" };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        cmp_row(h, keys[i], jget(ta, keys[i]), jget(tb, keys[i]), F_NUM);
    static const char *const lk[] = { "p50", "p95", "p99" };
    for (size_t i = 0; i < 3; i++) {
        char label[32];
        snprintf(label, sizeof(label), "latency %s (s)", lk[i]);
        cmp_row(h, label, jget(la, lk[i]), jget(lb, lk[i]), F_NUM);
    }
    const cJSON *s;
    cJSON_ArrayForEach(s, jget(r->sum, "streams"))
    {
        const cJSON *sb = NULL, *it;
        cJSON_ArrayForEach(
            it, jget(r->sum_b,
                     "streams")) if (jstr(it, "stream") && jstr(s, "stream") &&
                                     strcmp(jstr(it, "stream"),
                                            jstr(s, "stream")) == 0) sb = it;
        if (!sb)
            continue;
        char label[200];
        snprintf(label, sizeof(label), "%s: within deadline",
                 jstr(s, "stream"));
        if (!isnan(jnum(s, "share_within_deadline")))
            cmp_row(h, label, jget(s, "share_within_deadline"),
                    jget(sb, "share_within_deadline"), F_PCT);
        snprintf(label, sizeof(label), "%s: latency p95 (s)",
                 jstr(s, "stream"));
        cmp_row(h, label, jget(jget(s, "latency_s"), "p95"),
                jget(jget(sb, "latency_s"), "p95"), F_NUM);
    }
    strbuf_adds(h, "</table>\n");
    if (r->svg_n > 0)
        plot(r, "compare",
             "A against B: delivered per hour, queued, latency "
             "and the summary figures.");
}

/* ---------------------------------------------------------------- main */

static int parse_report_args(int argc, char **argv, struct rpt *r)
{
    static const struct option own[] = {
        { "compare", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    struct cli_opt p;
    cli_opt_init(&p, "mtasim report", report_help, CLI_O_OUT | CLI_O_QUIET, own,
                 "");
    int c, status = 0;
    while ((c = cli_opt_next(&p, argc, argv, &status)) >= 0)
        if (c == 'c')
            r->dir_b = optarg;
    if (c == CLI_OPT_STOP)
        return status == 0 ? -1 : status;
    r->out = p.c.out;
    r->quiet = p.c.quiet;
    if (optind != argc - 1) {
        fputs("mtasim report: expected one run folder DIR; try 'mtasim "
              "report --help'\n",
              stderr);
        return 2;
    }
    r->dir = argv[optind];
    return 0;
}

/* with_figures - the sections of summary.json's "figures" (each number a
 * {mean, ci_low, ci_high, values} object) in place of the plain ones, so
 * the tables can show intervals; summaries written before "figures"
 * existed are left as they are (a replicated one has the objects in
 * place already). */
static void with_figures(cJSON *sum)
{
    const cJSON *figs = jget(sum, "figures"), *it;
    cJSON_ArrayForEach(it, figs)
    {
        cJSON_ReplaceItemInObjectCaseSensitive(sum, it->string,
                                               cJSON_Duplicate(it, 1));
    }
}

/* load - summary.json of dir, or NULL after saying why. */
static cJSON *load(const char *dir)
{
    if (!cli_is_dir(dir)) {
        fprintf(stderr,
                "mtasim report: '%s' is not a folder (a run folder is what "
                "'mtasim run --out DIR' writes)\n",
                dir);
        return NULL;
    }
    char msg[1024];
    if (run_dir_check(dir, msg, sizeof(msg)) != 0) { /* half-written */
        fprintf(stderr, "mtasim report: %s\n", msg);
        return NULL;
    }
    cJSON *j = cli_read_json(dir, "summary.json");
    if (j == NULL)
        fprintf(stderr,
                "mtasim report: '%s/summary.json' is missing or not JSON "
                "(run 'mtasim run SCENARIO --out %s' first)\n",
                dir, dir);
    with_figures(j);
    return j;
}

static void page(struct rpt *r)
{
    char nb[256], nb_b[256];
    const char *name = run_name(r->sum, r->dir, nb, sizeof(nb));
    struct strbuf *h = &r->h;
    strbuf_adds(h, "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta "
                   "charset=utf-8>\n<meta name=viewport "
                   "content=\"width=device-width,initial-scale=1\">\n<title>");
    esc(h, name);
    strbuf_addf(h,
                " &ndash; mtasim report</title>\n<style>%s</style>\n"
                "</head>\n<body><main>\n<h1>",
                css);
    esc(h, name);
    strbuf_adds(h, "</h1>\n<p class=sub>mtasim simulation report");
    if (r->dir_b) {
        strbuf_adds(h, ", compared with ");
        esc(h, run_name(r->sum_b, r->dir_b, nb_b, sizeof(nb_b)));
    }
    strbuf_adds(h, "</p>\n");
    headline(r);
    strbuf_adds(h, "<div class=two><section>");
    headline_table(r);
    strbuf_adds(h, "</section><section>");
    what_simulated(r, name);
    strbuf_adds(h, "</section></div>\n");
    plots(r);
    daily(r);
    streams(r);
    providers(r);
    backoff(r);
    if (r->dir_b)
        /* B by its folder: both runs are often of one scenario */
        compare(r, run_name(NULL, r->dir_b, nb_b, sizeof(nb_b)));
    strbuf_addf(h,
                "<p class=note>Made by mtasim %s from the files of the run "
                "folder; the figures are simulated, not measured.</p>\n"
                "</main></body>\n</html>\n",
                r->version);
}

/* write_page - the page to path, atomically. */
static int write_page(const char *path, const struct strbuf *h)
{
    struct strbuf tmp;
    strbuf_init(&tmp);
    strbuf_addf(&tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp.buf, "w");
    int bad = fp == NULL;
    if (fp) {
        bad |= fwrite(h->buf, 1, h->len, fp) != h->len;
        bad |= fclose(fp) != 0;
    }
    bad = bad || rename(tmp.buf, path) != 0;
    if (bad) {
        fprintf(stderr, "mtasim report: cannot write '%s': %s\n", path,
                strerror(errno));
        remove(tmp.buf);
    }
    strbuf_release(&tmp);
    return bad;
}

int cmd_report(int argc, char **argv, const char *version)
{
    struct rpt r;
    memset(&r, 0, sizeof(r));
    r.version = version;
    int rc = parse_report_args(argc, argv, &r);
    if (rc)
        return rc < 0 ? 0 : rc;
    r.sum = load(r.dir);
    if (r.sum && r.dir_b)
        r.sum_b = load(r.dir_b);
    if (!r.sum || (r.dir_b && !r.sum_b)) {
        cJSON_Delete(r.sum);
        return 1;
    }
    char tmpl[] = "/tmp/mtasim-report-XXXXXX";
    r.tmp = mkdtemp(tmpl);
    strbuf_init(&r.h);
    page(&r);
    struct strbuf out;
    strbuf_init(&out);
    if (r.out)
        strbuf_adds(&out, r.out);
    else
        strbuf_addf(&out, "%s/report.html", r.dir);
    rc = write_page(out.buf, &r.h);
    if (rc == 0 && !r.quiet)
        printf("%s\n", out.buf);
    if (r.tmp)
        rmdir(r.tmp);
    strbuf_release(&out);
    strbuf_release(&r.h);
    cJSON_Delete(r.sum);
    cJSON_Delete(r.sum_b);
    return rc;
}
