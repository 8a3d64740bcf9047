/* cfg_lex.h - split one physical line of a PowerMTA config into its parts.
 *
 * PowerMTA's syntax is line based (UG5 §3.1): a directive and its value, or
 * a block tag "<name arg>" / "</name>". '#' starts a comment anywhere on the
 * line, even inside quotes (UG5 §3.3.10.56: a value cannot hold '#'). The
 * lexer also recognises the blog-dialect shapes that real PowerMTA rejects,
 * so the parser can map them: HTML comments, one-line XML-style tags and bare
 * reply-code rules ("421 RP-001 *, 1h, 5, 1000"). Pure; no allocation: the
 * parts are offsets into the caller's line. */
#ifndef CFG_LEX_H
#define CFG_LEX_H

#include <stddef.h>

enum cfg_tok {
    CFG_TOK_BLANK,        /* nothing but blanks and a comment */
    CFG_TOK_DIRECTIVE,    /* keyword [value] */
    CFG_TOK_OPEN,         /* <name [arg]> */
    CFG_TOK_CLOSE,        /* </name> */
    CFG_TOK_XML_ONELINE,  /* <name>value</name> (dialect) */
    CFG_TOK_HTML_COMMENT, /* <!-- ... --> on one line (dialect) */
    CFG_TOK_HTML_OPEN,    /* <!-- without --> (dialect; runs to "-->") */
    CFG_TOK_RULE,         /* 421 RP-001 *, 1h, 5, 1000 (dialect) */
    CFG_TOK_ERROR
};

/* A part of the line: [off, off + len). */
struct cfg_span {
    size_t off;
    size_t len;
};

struct cfg_tokline {
    enum cfg_tok kind;
    struct cfg_span name;    /* keyword or tag name */
    struct cfg_span value;   /* directive value / tag argument, unquoted
                                when quoted */
    struct cfg_span content; /* everything before the comment, trimmed */
    size_t comment;          /* offset of '#', or the line length */
    int quoted;              /* the value was written in double quotes */
    int inline_close;        /* CFG_TOK_OPEN followed by its own "</name>"
                                on the same line ("<domain x></domain>") */
    const char *error;       /* CFG_TOK_ERROR: what is wrong */
    size_t error_off;
};

/* cfg_lex_line - classify line (without its line ending; a trailing '\r' is
 * ignored). Unquoting writes nothing: a quoted value's span excludes the
 * quotes, and escapes inside are left for cfg_lex_unquote. */
void cfg_lex_line(const char *line, struct cfg_tokline *t);

/* cfg_lex_unquote - copy span of line into out (size n), resolving the
 * backslash escapes \" and \\ of a quoted value. */
void cfg_lex_unquote(const char *line, struct cfg_span s, int quoted, char *out,
                     size_t n);

/* cfg_lex_is_html_close - 1 when line contains "-->". */
int cfg_lex_is_html_close(const char *line);

#endif
