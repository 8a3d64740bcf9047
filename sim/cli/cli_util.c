/* cli_util.c - scenario, model and output-folder helpers for the CLI. */
#include "cli/cli_util.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <limits.h>
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

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cli_scenario_path(const char *arg)
{
    if (!is_dir(arg))
        return xstrdup(arg);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/scenario.json", arg);
    return strbuf_detach(&sb);
}

char *cli_models_dir(void)
{
    const char *env = getenv("MTASIM_MODELS");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            struct strbuf sb;
            strbuf_init(&sb);
            strbuf_add(&sb, exe, (size_t)(slash - exe));
            strbuf_adds(&sb, "/models");
            if (is_dir(sb.buf))
                return strbuf_detach(&sb);
            strbuf_release(&sb);
        }
    }
    return xstrdup("models");
}

/* mkdir_p - create path and its parents. */
static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
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
    if (mkdir_p(sb.buf) != 0 || !is_dir(sb.buf)) {
        diag_add(dl, DIAG_ERROR, sb.buf, 0, 0,
                 "cannot create the output "
                 "folder: %s",
                 strerror(errno));
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}
