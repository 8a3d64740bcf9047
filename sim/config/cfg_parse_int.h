/* cfg_parse_int.h - the parser's state, shared by cfg_parse.c (files, lines,
 * blocks, includes) and cfg_parse_dir.c (directives, dialect mapping). */
#ifndef CFG_PARSE_INT_H
#define CFG_PARSE_INT_H

#include "config/cfg_lex.h"
#include "config/cfg_model_int.h"
#include "util/diag.h"

enum blk_kind {
    BK_DOMAIN,
    BK_VMTA,
    BK_POOL,
    BK_SOURCE,
    BK_SPL,
    BK_PLIST,
    BK_ROLLUP,
    BK_ACCT,
    BK_LIST,  /* a block whose contents are checked, not modelled */
    BK_BCP,   /* <bounce-category-patterns>: "/REGEX/ CATEGORY" lines */
    BK_OPAQUE /* contents skipped: an unknown or broken block */
};

#define CFG_MAX_NEST          32
#define CFG_MAX_INCLUDE_STACK 64

struct frame {
    enum blk_kind kind;
    unsigned scope;   /* enum cfg_scope of the contents */
    const char *name; /* tag name, lower case (arena) */
    const char *arg;  /* tag argument as written (arena) */
    const char *file;
    int line;
    int col;
    int index; /* dblock / vmta / pool / source / spl / plist */
    int include_depth;
    int dialect_spl;         /* synthesized smtp-pattern-list for rule lines */
    int dialect_edit;        /* index of the --fix insertion for that list */
    int dialect_limits_line; /* line whose limits the queue got */
    int outer_line; /* line of the outermost open block (for inserts) */
    const char *outer_file;
};

struct parser {
    struct cfg_model *m;
    struct diag_list *dl;
    struct frame stack[CFG_MAX_NEST];
    int depth;
    char *includes[CFG_MAX_INCLUDE_STACK]; /* real paths being read */
    int include_depth;
    int files_open;   /* the main file and the includes being read */
    const char *file; /* current file (interned) */
    const char *line; /* current physical line */
    int lineno;
    size_t order;
};

/* perr - a diagnostic at byte offset off of the current line, underlining
 * len bytes, with the open block as context. */
struct diag *perr(struct parser *p, enum diag_severity sev, size_t off,
                  size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* top - the innermost open block, or NULL at global level. */
struct frame *top(struct parser *p);
unsigned current_scope(struct parser *p);
/* add_edit - record a --fix edit for the current line. */
int add_edit(struct parser *p, enum cfg_edit_kind kind, const char *file,
             int line, const char *text, int keep_comment);
/* indent_of - the current line's leading blanks (arena copy). */
const char *indent_of(struct parser *p, const struct cfg_tokline *t);

void parse_directive_line(struct parser *p, const struct cfg_tokline *t);
void parse_rule_line(struct parser *p, const struct cfg_tokline *t);
void parse_xml_line(struct parser *p, const struct cfg_tokline *t);
/* cfg_parse_open_object - create the model object for a block just opened
 * (a <domain>, <virtual-mta>, pool, source, list) and set f->index. */
void cfg_parse_open_object(struct parser *p, struct frame *f,
                           const struct cfg_tokline *t);
/* open_brace_block - skip lines up to a "}" line (after an error). */
void open_brace_block(struct parser *p, const struct cfg_tokline *t);
/* include_file - splice file (relative to the current one) in place. */
void include_file(struct parser *p, const char *arg, size_t off);

#endif
