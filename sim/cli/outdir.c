/* outdir.c - claiming, clearing and marking a command's output folder. */
#define _XOPEN_SOURCE 700 /* nftw, FTW_PHYS */
#include "cli/outdir.h"
#include "cli/cli_util.h"
#include "input/scenario.h"
#include "report/obs.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* listing - up to three of dir's entries, for the refusal ("a, b, ...");
 * the number of entries. */
static size_t listing(const char *dir, struct strbuf *names)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n < 3)
            strbuf_addf(names, "%s'%s'", n ? ", " : "", e->d_name);
        else if (n == 3)
            strbuf_adds(names, ", ...");
        n++;
    }
    closedir(d);
    return n;
}

/* inside - 1 when path (which exists) is dir_real or lies under it. */
static int inside(const char *dir_real, const char *path)
{
    char real[PATH_MAX];
    if (path == NULL || realpath(path, real) == NULL)
        return 0;
    size_t n = strlen(dir_real);
    if (n == 1) /* "/" holds everything */
        return 1;
    return strncmp(real, dir_real, n) == 0 && (real[n] == 0 || real[n] == '/');
}

/* guard - the input file or current directory dir holds, or NULL. */
static const char *guard(const char *dir, const char *const *inputs)
{
    char dir_real[PATH_MAX];
    if (realpath(dir, dir_real) == NULL)
        return NULL;
    for (size_t i = 0; inputs && inputs[i]; i++)
        if (inside(dir_real, inputs[i]))
            return inputs[i];
    return inside(dir_real, ".") ? "the current directory" : NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    if (ftw->level == 0) /* the folder itself stays */
        return 0;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    return rc != 0 && errno != ENOENT ? -1 : 0;
}

/* clear - remove everything in dir (symbolic links, not what they point
 * to); 0 or -1 with errno. */
static int clear(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_marker(const char *dir, const char *cmd)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s/%s", dir, OUTDIR_MARKER);
    FILE *fp = fopen(sb.buf, "w");
    strbuf_release(&sb);
    if (fp == NULL)
        return -1;
    int bad = fprintf(fp,
                      "written by %s; mtasim clears this folder when it "
                      "writes here again\n",
                      cmd) < 0;
    bad |= fclose(fp) != 0;
    return bad ? -1 : 0;
}

/* refuse - the folder is not mtasim's, or holds an input. */
static char *refuse(struct strbuf *path, const char *cmd, const char *why,
                    struct diag_list *dl, int *status)
{
    diag_add(dl, DIAG_ERROR, path->buf, 0, 0, "%s: %s", cmd, why);
    strbuf_release(path);
    *status = OUTDIR_REFUSED;
    return NULL;
}

static char *fail(struct strbuf *path, const char *what, struct diag_list *dl,
                  int *status)
{
    diag_add(dl, DIAG_ERROR, path->buf, 0, 0, "cannot %s the output folder: %s",
             what, strerror(errno));
    strbuf_release(path);
    *status = 1;
    return NULL;
}

char *outdir_claim(const char *dir, const char *cmd, int force,
                   const char *const *inputs, struct diag_list *dl, int *status)
{
    struct strbuf path, names, why;
    strbuf_init(&path);
    strbuf_adds(&path, dir ? dir : "");
    while (path.len > 1 && path.buf[path.len - 1] == '/')
        path.buf[--path.len] = '\0';
    if (path.len == 0) {
        diag_add(dl, DIAG_ERROR, NULL, 0, 0,
                 "the output folder name is empty (give --out DIR)");
        strbuf_release(&path);
        *status = 1;
        return NULL;
    }
    struct stat st;
    if (stat(path.buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return fail(&path, "use", dl, status);
    }
    if (fs_mkdir_p(path.buf) != 0 || !cli_is_dir(path.buf))
        return fail(&path, "create", dl, status);
    strbuf_init(&names);
    strbuf_init(&why);
    size_t n = listing(path.buf, &names);
    int ours = cli_has_file(path.buf, OUTDIR_MARKER) ||
               cli_has_file(path.buf, OBS_COMPLETE);
    const char *held = n ? guard(path.buf, inputs) : NULL;
    if (held)
        strbuf_addf(&why,
                    "will not clear this folder: it holds %s%s%s (choose "
                    "another --out)",
                    strcmp(held, "the current directory") ? "the input '" : "",
                    held, strcmp(held, "the current directory") ? "'" : "");
    else if (n && !ours && !force)
        strbuf_addf(&why,
                    "the output folder is not empty (it holds %s) and mtasim "
                    "did not write it (no '%s' file); choose another --out, "
                    "or add --force to clear it",
                    names.buf, OUTDIR_MARKER);
    strbuf_release(&names);
    if (why.len) {
        char *r = refuse(&path, cmd, why.buf, dl, status);
        strbuf_release(&why);
        return r;
    }
    strbuf_release(&why);
    if (n && clear(path.buf) != 0)
        return fail(&path, "clear", dl, status);
    if (write_marker(path.buf, cmd) != 0)
        return fail(&path, "write a file in", dl, status);
    *status = 0;
    return strbuf_detach(&path);
}

char *outdir_claim_scenario(const char *dir, const char *prefix,
                            const struct scenario *sc, size_t n_sc,
                            const char *cmd, int force, struct diag_list *dl,
                            int *status)
{
    size_t cap = 1, k = 0;
    for (size_t s = 0; s < n_sc; s++)
        cap += 3 + sc[s].n_models;
    const char **in = xcalloc(cap, sizeof(*in));
    for (size_t s = 0; s < n_sc; s++) {
        const char *const files[] = { sc[s].path, sc[s].config,
                                      sc[s].sendlist_file };
        for (size_t i = 0; i < 3; i++)
            if (files[i]) /* a generated send list has no file */
                in[k++] = files[i];
        for (size_t i = 0; i < sc[s].n_models; i++)
            in[k++] = sc[s].models[i];
    }
    struct strbuf def;
    strbuf_init(&def);
    if (dir == NULL)
        strbuf_addf(&def, "out/%s%s", prefix, sc[0].name);
    char *out = outdir_claim(dir ? dir : def.buf, cmd, force, in, dl, status);
    strbuf_release(&def);
    free(in);
    return out;
}
