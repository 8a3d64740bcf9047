/* diag.h - diagnostics that library code gathers and only main() prints.
 *
 * Parsers and loaders never print or exit: they append a struct diag to a
 * diag_list and keep going (nginx, SQLite). The list owns copies of every
 * string given to it. Messages follow git's style: lower case, no final
 * full stop, the subject in single quotes. */
#ifndef DIAG_H
#define DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

struct diag {
    enum diag_severity severity;
    char *file; /* NULL when the message is not about a file */
    int line;   /* 1-based; 0 = unknown */
    int col;    /* 1-based; 0 = unknown */
    int span;   /* characters to underline after the caret; 0 = 1 */
    char *message;
    char *source_line; /* the offending line, for the caret; may be NULL */
    char *context;     /* e.g. "in <domain x> opened at line 9"; may be NULL */
};

struct diag_list {
    struct diag *items;
    size_t n, cap;
    size_t n_errors;
    size_t n_warnings;
    size_t max_errors; /* errors beyond this are counted, not stored */
    size_t dropped;    /* errors not stored because of max_errors */
    int warnings_are_errors;
};

#define DIAG_DEFAULT_MAX_ERRORS 50
/* Longer messages (quoting a huge field) are cut in the middle. */
#define DIAG_MAX_MESSAGE 512

void diag_list_init(struct diag_list *dl, size_t max_errors);
void diag_list_release(struct diag_list *dl);

/* diag_add - append a diagnostic; returns it so the caller can attach a
 * source line or context, or NULL when the error cap swallowed it. */
struct diag *diag_add(struct diag_list *dl, enum diag_severity sev,
                      const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
struct diag *diag_vadd(struct diag_list *dl, enum diag_severity sev,
                       const char *file, int line, int col, const char *fmt,
                       va_list ap) __attribute__((format(printf, 6, 0)));
void diag_set_source(struct diag *d, const char *line_text, int span);
void diag_set_context(struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* diag_list_full - true once the error cap is reached: stop parsing. */
int diag_list_full(const struct diag_list *dl);

/* diag_print - write one diagnostic in GNU form; with caret, also the
 * source line and a caret under the column (for a terminal). */
void diag_print(FILE *fp, const struct diag *d, int caret);
/* diag_print_all - every diagnostic, a "too many errors" note if any were
 * dropped, and the "FILE: N errors, M warnings" count line. */
void diag_print_all(FILE *fp, const struct diag_list *dl, const char *what,
                    int caret);

#endif
