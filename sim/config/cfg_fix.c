/* cfg_fix.c - apply the parser's --fix edits to a config file's text. */
#include "config/cfg_fix.h"
#include "config/cfg_lex.h"
#include "config/cfg_model_int.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* add_lines - text (possibly several lines) with the given line ending. */
static void add_lines(struct strbuf *out, const char *text, const char *eol)
{
    for (const char *s = text; *s; s++) {
        if (*s == '\n')
            strbuf_adds(out, eol);
        else
            strbuf_addc(out, *s);
    }
}

/* emit_line - one original line after its edits. */
static void emit_line(const struct cfg_model *m, const char *file, int lineno,
                      const char *line, const char *eol, struct strbuf *out)
{
    int replaced = 0;
    for (size_t i = 0; i < m->n_edits; i++) {
        const struct cfg_edit *e = &m->edits[i];
        if (e->line != lineno || strcmp(e->file, file) != 0)
            continue;
        if (e->kind == CFG_EDIT_INSERT_BEFORE) {
            add_lines(out, e->text, eol);
            continue;
        }
        if (replaced++)
            continue;
        if (e->text[0] == '\0')
            continue; /* "" deletes the line */
        add_lines(out, e->text, eol);
        struct cfg_tokline t;
        cfg_lex_line(line, &t);
        if (e->keep_comment && line[t.comment] == '#')
            strbuf_addf(out, " %s", line + t.comment);
        strbuf_adds(out, eol);
    }
    if (!replaced) {
        strbuf_adds(out, line);
        strbuf_adds(out, eol);
    }
}

int cfg_fix_render(const struct cfg_model *m, const char *file,
                   struct strbuf *out)
{
    struct strbuf text;
    strbuf_init(&text);
    if (strbuf_read_file(&text, file) < 0) {
        strbuf_release(&text);
        return -1;
    }
    size_t len = text.len;
    char *buf = strbuf_detach(&text);
    const char *eol = strstr(buf, "\r\n") ? "\r\n" : "\n";
    char *s = buf, *end = buf + len;
    int lineno = 0;
    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        int had_newline = nl != NULL;
        if (e > s && e[-1] == '\r')
            e[-1] = '\0';
        *e = '\0';
        emit_line(m, file, ++lineno, s, had_newline ? eol : "", out);
        s = e + 1;
    }
    free(buf);
    return 0;
}

size_t cfg_fix_edited_files(const struct cfg_model *m, const char **names,
                            size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_edits; i++) {
        int seen = 0;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(names[k], m->edits[i].file) == 0;
        if (!seen && n < max)
            names[n++] = m->edits[i].file;
    }
    return n;
}
