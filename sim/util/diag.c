/* diag.c - diagnostic lists and their GNU-style rendering. */
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

void diag_list_init(struct diag_list *dl, size_t max_errors)
{
    memset(dl, 0, sizeof(*dl));
    dl->max_errors = max_errors;
}

void diag_list_release(struct diag_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        free(dl->items[i].file);
        free(dl->items[i].message);
        free(dl->items[i].source_line);
        free(dl->items[i].context);
    }
    free(dl->items);
    memset(dl, 0, sizeof(*dl));
}

int diag_list_full(const struct diag_list *dl)
{
    return dl->max_errors && dl->n_errors >= dl->max_errors;
}

/* clip_message - a message that quotes a 10 MB field keeps its head and
 * tail (where the "expected ..." goes) and says how much was cut. */
static void clip_message(struct strbuf *sb)
{
    enum { HEAD = 240, TAIL = 160 };
    if (sb->len <= DIAG_MAX_MESSAGE)
        return;
    struct strbuf out;
    strbuf_init(&out);
    strbuf_add(&out, sb->buf, HEAD);
    strbuf_addf(&out, "[... %zu bytes cut ...]", sb->len - HEAD - TAIL);
    strbuf_add(&out, sb->buf + sb->len - TAIL, TAIL);
    strbuf_release(sb);
    *sb = out;
}

struct diag *diag_vadd(struct diag_list *dl, enum diag_severity sev,
                       const char *file, int line, int col, const char *fmt,
                       va_list ap)
{
    if (sev == DIAG_WARNING && dl->warnings_are_errors)
        sev = DIAG_ERROR;
    if (sev == DIAG_ERROR && diag_list_full(dl)) {
        dl->n_errors++;
        dl->dropped++;
        return NULL;
    }
    XGROW(dl->items, dl->n, dl->cap);
    struct diag *d = &dl->items[dl->n++];
    memset(d, 0, sizeof(*d));
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_vaddf(&sb, fmt, ap);
    clip_message(&sb);
    d->message = strbuf_detach(&sb);
    d->severity = sev;
    d->file = file ? xstrdup(file) : NULL;
    d->line = line;
    d->col = col;
    if (sev == DIAG_ERROR)
        dl->n_errors++;
    else if (sev == DIAG_WARNING)
        dl->n_warnings++;
    return d;
}

struct diag *diag_add(struct diag_list *dl, enum diag_severity sev,
                      const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = diag_vadd(dl, sev, file, line, col, fmt, ap);
    va_end(ap);
    return d;
}

void diag_set_source(struct diag *d, const char *line_text, int span)
{
    if (d == NULL || line_text == NULL)
        return;
    free(d->source_line);
    d->source_line = xstrdup(line_text);
    d->span = span;
}

void diag_set_context(struct diag *d, const char *fmt, ...)
{
    if (d == NULL)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    free(d->context);
    d->context = strbuf_detach(&sb);
}

static const char *severity_name(enum diag_severity sev)
{
    switch (sev) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    case DIAG_NOTE:
        break;
    }
    return "note";
}

/* print_caret - the source line, then spaces and ^~~~ under the column.
 * Tabs in the line are copied into the padding so the caret lines up. */
static void print_caret(FILE *fp, const struct diag *d)
{
    fprintf(fp, "    %s\n    ", d->source_line);
    int len = (int)strlen(d->source_line);
    for (int i = 0; i < d->col - 1 && i < len; i++)
        fputc(d->source_line[i] == '\t' ? '\t' : ' ', fp);
    fputc('^', fp);
    for (int i = 1; i < d->span; i++)
        fputc('~', fp);
    fputc('\n', fp);
}

void diag_print(FILE *fp, const struct diag *d, int caret)
{
    if (d->file && d->line > 0 && d->col > 0)
        fprintf(fp, "%s:%d:%d: ", d->file, d->line, d->col);
    else if (d->file && d->line > 0)
        fprintf(fp, "%s:%d: ", d->file, d->line);
    else if (d->file)
        fprintf(fp, "%s: ", d->file);
    fprintf(fp, "%s: %s", severity_name(d->severity), d->message);
    if (d->context)
        fprintf(fp, " (%s)", d->context);
    fputc('\n', fp);
    if (caret && d->source_line && d->col > 0)
        print_caret(fp, d);
}

void diag_print_all(FILE *fp, const struct diag_list *dl, const char *what,
                    int caret)
{
    for (size_t i = 0; i < dl->n; i++)
        diag_print(fp, &dl->items[i], caret);
    if (dl->dropped)
        fprintf(fp, "%s: note: too many errors; %zu more not shown\n", what,
                dl->dropped);
    if (dl->n_errors || dl->n_warnings)
        fprintf(fp, "%s: %zu error%s, %zu warning%s\n", what, dl->n_errors,
                dl->n_errors == 1 ? "" : "s", dl->n_warnings,
                dl->n_warnings == 1 ? "" : "s");
}
