/* patch.c - line edits of a config file and their unified diff. */
#include "plan/patch.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int patch_load(struct patch *p, const char *path)
{
    memset(p, 0, sizeof(*p));
    struct strbuf sb;
    strbuf_init(&sb);
    if (strbuf_read_file(&sb, path) != 0) {
        strbuf_release(&sb);
        return -1;
    }
    p->path = xstrdup(path);
    char *s = sb.buf;
    while (*s) {
        char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n > 0 && s[n - 1] == '\r')
            n--; /* CRLF files: edits are written with '\n' */
        p->lines = xreallocarray(p->lines, p->n_lines + 1, sizeof(*p->lines));
        p->lines[p->n_lines] = xmalloc(n + 1);
        memcpy(p->lines[p->n_lines], s, n);
        p->lines[p->n_lines++][n] = 0;
        s = nl ? nl + 1 : s + strlen(s);
    }
    strbuf_release(&sb);
    return 0;
}

void patch_release(struct patch *p)
{
    for (size_t i = 0; i < p->n_lines; i++)
        free(p->lines[i]);
    for (size_t i = 0; i < p->n_e; i++)
        free(p->e[i].text);
    free(p->lines);
    free(p->e);
    free(p->path);
    memset(p, 0, sizeof(*p));
}

static void add_edit(struct patch *p, int line, int remove, const char *text)
{
    p->e = xreallocarray(p->e, p->n_e + 1, sizeof(*p->e));
    struct patch_edit *e = &p->e[p->n_e];
    e->line = line;
    e->remove = remove;
    e->text = xstrdup(text);
    e->seq = p->n_e++;
}

void patch_insert(struct patch *p, int before_line, const char *text)
{
    add_edit(p, before_line, 0, text);
}

void patch_replace(struct patch *p, int line, const char *text)
{
    add_edit(p, line, 1, text);
}

/* word - the n-th whitespace-separated word of s into buf. */
static const char *word(const char *s, int n, char *buf, size_t size)
{
    buf[0] = 0;
    for (int i = 0; i <= n; i++) {
        while (isspace((unsigned char)*s))
            s++;
        size_t k = 0;
        while (*s && !isspace((unsigned char)*s)) {
            if (k + 1 < size)
                buf[k++] = *s;
            s++;
        }
        buf[k] = 0;
    }
    return buf;
}

int patch_find_close(const struct patch *p, int open_line, const char *close)
{
    char w[128];
    for (size_t i = (size_t)open_line; i < p->n_lines; i++)
        if (strcasecmp(word(p->lines[i], 0, w, sizeof(w)), close) == 0)
            return (int)i + 1;
    return 0;
}

int patch_find_words(const struct patch *p, int from, int to, const char *a,
                     const char *b)
{
    char w0[128], w1[256];
    for (int i = from + 1; i < to && i <= (int)p->n_lines; i++) {
        const char *l = p->lines[i - 1];
        if (strcasecmp(word(l, 0, w0, sizeof(w0)), a) == 0 &&
            strcmp(word(l, 1, w1, sizeof(w1)), b) == 0)
            return i;
    }
    return 0;
}

static int cmp_edit(const void *x, const void *y)
{
    const struct patch_edit *a = x, *b = y;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->remove != b->remove) /* inserts before a replacement */
        return a->remove ? 1 : -1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* One line of the diff: ' ' kept, '-' removed, '+' added. */
struct op {
    char kind;
    const char *text; /* without '\n' */
    size_t len;
};

struct ops {
    struct op *v;
    size_t n;
};

static void op_add(struct ops *o, char kind, const char *text, size_t len)
{
    o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
    o->v[o->n].kind = kind;
    o->v[o->n].text = text;
    o->v[o->n++].len = len;
}

static void op_add_text(struct ops *o, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        op_add(o, '+', text, n);
        text += n + (nl != NULL);
    }
}

/* build_ops - the original lines and the edits as one sequence. */
static void build_ops(const struct patch *p, struct ops *o)
{
    struct patch_edit *e = xcalloc(p->n_e + 1, sizeof(*e));
    if (p->n_e) {
        memcpy(e, p->e, p->n_e * sizeof(*e));
        qsort(e, p->n_e, sizeof(*e), cmp_edit);
    }
    size_t k = 0;
    for (size_t line = 1; line <= p->n_lines + 1; line++) {
        int removed = 0;
        for (; k < p->n_e && e[k].line == (int)line; k++) {
            if (e[k].remove && !removed && line <= p->n_lines) {
                op_add(o, '-', p->lines[line - 1], strlen(p->lines[line - 1]));
                removed = 1;
            }
            op_add_text(o, e[k].text);
        }
        if (line <= p->n_lines && !removed)
            op_add(o, ' ', p->lines[line - 1], strlen(p->lines[line - 1]));
    }
    free(e);
}

char *patch_text(const struct patch *p)
{
    struct ops o = { NULL, 0 };
    build_ops(p, &o);
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < o.n; i++)
        if (o.v[i].kind != '-')
            strbuf_addf(&sb, "%.*s\n", (int)o.v[i].len, o.v[i].text);
    free(o.v);
    return strbuf_detach(&sb);
}

#define PATCH_CONTEXT 3

/* hunk - ops [from, to) as one hunk with its header. */
static void hunk(struct strbuf *sb, const struct ops *o, size_t from, size_t to)
{
    size_t old_start = 1, new_start = 1, old_n = 0, new_n = 0;
    for (size_t i = 0; i < from; i++) {
        old_start += o->v[i].kind != '+';
        new_start += o->v[i].kind != '-';
    }
    for (size_t i = from; i < to; i++) {
        old_n += o->v[i].kind != '+';
        new_n += o->v[i].kind != '-';
    }
    /* An empty side starts at the line before (diff -u convention). */
    strbuf_addf(sb, "@@ -%zu,%zu +%zu,%zu @@\n",
                old_n ? old_start : old_start - 1, old_n,
                new_n ? new_start : new_start - 1, new_n);
    for (size_t i = from; i < to; i++)
        strbuf_addf(sb, "%c%.*s\n", o->v[i].kind, (int)o->v[i].len,
                    o->v[i].text);
}

char *patch_diff(const struct patch *p, const char *name)
{
    struct ops o = { NULL, 0 };
    build_ops(p, &o);
    struct strbuf sb;
    strbuf_init(&sb);
    size_t i = 0;
    while (i < o.n) {
        while (i < o.n && o.v[i].kind == ' ')
            i++;
        if (i == o.n)
            break;
        if (sb.len == 0)
            strbuf_addf(&sb, "--- a/%s\n+++ b/%s\n", name, name);
        size_t from = i > PATCH_CONTEXT ? i - PATCH_CONTEXT : 0, to = i;
        for (;;) { /* extend while the next change is near */
            while (to < o.n && o.v[to].kind != ' ')
                to++;
            size_t next = to;
            while (next < o.n && o.v[next].kind == ' ')
                next++;
            if (next < o.n && next - to <= 2 * PATCH_CONTEXT)
                to = next;
            else {
                to = to + PATCH_CONTEXT < o.n ? to + PATCH_CONTEXT : o.n;
                break;
            }
        }
        hunk(&sb, &o, from, to);
        i = to;
    }
    free(o.v);
    return strbuf_detach(&sb);
}

int patch_need_file(const struct cfg_origin *o, const char *file_abs,
                    const char *config, const char *what, const char *name,
                    const char *planner, struct diag_list *dl)
{
    int same = 0;
    if (o->file != NULL && o->line > 0) {
        char *abs = realpath(o->file, NULL);
        same = abs && strcmp(abs, file_abs) == 0;
        free(abs);
    }
    if (same)
        return 0;
    diag_add(dl, DIAG_ERROR, o->file ? o->file : config, o->line, o->col,
             "%s '%s' is not defined in %s itself (an included file?); the "
             "%s patch edits that file only",
             what, name, config, planner);
    return 1;
}

int patch_load_config(const char *config, struct cfg_model **cfg, char **abs,
                      struct diag_list *dl)
{
    struct cfg_load_options lo;
    cfg_load_options_init(&lo);
    lo.warn_once = 1;
    size_t before = dl->n_errors;
    *cfg = cfg_load(config, &lo, dl);
    *abs = realpath(config, NULL);
    if (*abs == NULL)
        diag_add(dl, DIAG_ERROR, config, 0, 0, "cannot read: %s",
                 strerror(errno));
    return *cfg == NULL || dl->n_errors > before || *abs == NULL;
}
