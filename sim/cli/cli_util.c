/* cli_util.c - scenario, model and output-folder helpers for the CLI. */
#include "cli/cli_util.h"
#include "util/fsutil.h"
#include "config/cfg_value.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_parse_u64(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cli_scenario_path(const char *arg)
{
    if (!cli_is_dir(arg))
        return xstrdup(arg);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/scenario.json", arg);
    return strbuf_detach(&sb);
}

int cli_has_file(const char *dir, const char *name)
{
    struct strbuf sb;
    struct stat st;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", dir, name);
    int ok = stat(sb.buf, &st) == 0 && S_ISREG(st.st_mode) &&
             access(sb.buf, R_OK) == 0;
    strbuf_release(&sb);
    return ok;
}

char *cli_beside_exe(const char *env, const char *sub, const char *marker)
{
    const char *val = getenv(env);
    if (val && *val)
        return xstrdup(val);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash = NULL;
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
    }
    /* Beside the binary (a build tree), then PREFIX/share/mtasim/SUB for a
     * binary installed as PREFIX/bin/mtasim (make install). */
    static const char *const layouts[] = { "", "../share/mtasim/" };
    for (size_t i = 0; slash && i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_add(&sb, exe, (size_t)(slash - exe) + 1);
        strbuf_addf(&sb, "%s%s", layouts[i], sub);
        if (marker ? cli_has_file(sb.buf, marker) : cli_is_dir(sb.buf))
            return strbuf_detach(&sb);
        strbuf_release(&sb);
    }
    return xstrdup(sub);
}

char *cli_models_dir(void)
{
    return cli_beside_exe("MTASIM_MODELS", "models", NULL);
}

char *cli_out_dir(const char *dir, const char *name, struct diag_list *dl)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (dir)
        strbuf_adds(&sb, dir);
    else
        strbuf_addf(&sb, "out/%s", name);
    while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
        sb.buf[--sb.len] = '\0';
    if (sb.len == 0) {
        diag_add(dl, DIAG_ERROR, NULL, 0, 0,
                 "the output folder name is empty (give --out DIR)");
        strbuf_release(&sb);
        return NULL;
    }
    if (fs_mkdir_p(sb.buf) != 0 || !cli_is_dir(sb.buf)) {
        diag_add(dl, DIAG_ERROR, sb.buf, 0, 0,
                 "cannot create the output "
                 "folder: %s",
                 strerror(errno));
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}

char *cli_read_text(const char *dir, const char *name)
{
    struct strbuf path, text;
    strbuf_init(&path);
    strbuf_init(&text);
    strbuf_addf(&path, "%s/%s", dir, name);
    int rc = strbuf_read_file(&text, path.buf);
    strbuf_release(&path);
    if (rc == 0)
        return strbuf_detach(&text);
    strbuf_release(&text);
    return NULL;
}

cJSON *cli_read_json(const char *dir, const char *name)
{
    char *text = cli_read_text(dir, name);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    return j;
}

int cli_parse_duration(const char *cmd, const char *opt, const char *s,
                       double *out_s)
{
    char *end;
    struct cfgv_err e;
    e.msg[0] = 0;
    (void)strtod(s, &end);
    if (end != s && *end == 0) {
        if (s[strspn(s, "0123456789")] == '\0') /* advice that parses */
            fprintf(stderr,
                    "%s: %s %s: %s what? write %sh (or %sm, %sd; units w d h "
                    "m s)\n",
                    cmd, opt, s, s, s, s, s);
        else
            fprintf(stderr,
                    "%s: %s %s: %s what? an interval is a whole number with "
                    "a unit, such as 30d or 1h30m (units w d h m s)\n",
                    cmd, opt, s, s);
        return 2;
    }
    if (cfgv_parse_time(s, out_s, 0, &e) < 0 || !(*out_s > 0)) {
        fprintf(stderr,
                "%s: %s takes an interval such as 6h, 1h30m or 2d, not "
                "'%s'%s%s\n",
                cmd, opt, s, e.msg[0] ? ": " : "", e.msg);
        return 2;
    }
    return 0;
}
