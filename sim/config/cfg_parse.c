/* cfg_parse.c - read PowerMTA config files: lines, block tags, includes.
 *
 * The parser walks physical lines (UG5 §3.1), keeps a stack of open blocks,
 * and hands directive lines to cfg_parse_dir.c. It never prints: everything
 * goes to the diag_list, and parsing goes on after an error until the cap.
 * Blocks PowerMTA has but that do not affect delivery timing are parsed
 * without checking their contents (docs/config.md). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/cfg_parse_int.h"
#include "util/strbuf.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- helpers */

struct frame *top(struct parser *p)
{
    return p->depth ? &p->stack[p->depth - 1] : NULL;
}

unsigned current_scope(struct parser *p)
{
    struct frame *f = top(p);
    return f ? f->scope : CFG_S_GLOBAL;
}

/* where - "line 9" or "other.conf:9" relative to the current file. */
static void where(struct parser *p, const char *file, int line, char *buf,
                  size_t n)
{
    if (file == p->file)
        snprintf(buf, n, "line %d", line);
    else
        snprintf(buf, n, "%s:%d", file, line);
}

struct diag *perr(struct parser *p, enum diag_severity sev, size_t off,
                  size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d =
        diag_vadd(p->dl, sev, p->file, p->lineno, (int)off + 1, fmt, ap);
    va_end(ap);
    if (d == NULL)
        return NULL;
    diag_set_source(d, p->line, (int)(len ? len : 1));
    struct frame *f = top(p);
    int own_line = f && f->file == p->file && f->line == p->lineno;
    if (f && f->kind != BK_OPAQUE && !own_line) {
        char w[300];
        where(p, f->file, f->line, w, sizeof(w));
        if (f->arg && f->arg[0])
            diag_set_context(d, "in <%s %s> opened at %s", f->name, f->arg, w);
        else
            diag_set_context(d, "in <%s> opened at %s", f->name, w);
    }
    return d;
}

int add_edit(struct parser *p, enum cfg_edit_kind kind, const char *file,
             int line, const char *text, int keep_comment)
{
    struct cfg_model *m = p->m;
    XGROW(m->edits, m->n_edits, m->cap_edits);
    struct cfg_edit *e = &m->edits[m->n_edits];
    e->file = file;
    e->line = line;
    e->kind = kind;
    e->text = arena_strdup(&m->arena, text);
    e->keep_comment = keep_comment;
    return (int)m->n_edits++;
}

const char *indent_of(struct parser *p, const struct cfg_tokline *t)
{
    return arena_strndup(&p->m->arena, p->line, t->content.off);
}

/* span_dup - a span of the current line as an arena string. */
static char *span_dup(struct parser *p, struct cfg_span s)
{
    return arena_strndup(&p->m->arena, p->line + s.off, s.len);
}

/* --------------------------------------------------------------- blocks */

/* kind_of - how the parser treats the contents of a block of scope. */
static enum blk_kind kind_of(unsigned scope)
{
    switch (scope) {
    case CFG_S_DOMAIN:
        return BK_DOMAIN;
    case CFG_S_VMTA:
        return BK_VMTA;
    case CFG_S_POOL:
        return BK_POOL;
    case CFG_S_SOURCE:
        return BK_SOURCE;
    case CFG_S_SMTP_PATTERNS:
        return BK_SPL;
    case CFG_S_PATTERNS:
        return BK_PLIST;
    case CFG_S_ROLLUP:
        return BK_ROLLUP;
    case CFG_S_ACCT:
        return BK_ACCT;
    case CFG_S_BOUNCE_CATEGORIES:
        return BK_BCP;
    case CFG_S_OPAQUE:
        return BK_OPAQUE;
    default:
        return BK_LIST;
    }
}

static struct frame *push(struct parser *p, enum blk_kind kind,
                          const char *name, const char *arg,
                          const struct cfg_tokline *t)
{
    if (p->depth == CFG_MAX_NEST) {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "blocks nested deeper than %d", CFG_MAX_NEST);
        return NULL;
    }
    struct frame *outer = p->depth ? &p->stack[0] : NULL;
    struct frame *f = &p->stack[p->depth++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->scope = kind == BK_OPAQUE ? CFG_S_OPAQUE : CFG_S_GLOBAL;
    f->name = name;
    f->arg = arg;
    f->file = p->file;
    f->line = p->lineno;
    f->col = (int)t->content.off + 1;
    f->index = -1;
    f->dialect_spl = -1;
    f->include_depth = p->include_depth;
    f->outer_file = outer ? outer->file : p->file;
    f->outer_line = outer ? outer->line : p->lineno;
    return f;
}

/* unknown_block - a tag PowerMTA does not have: an error with --strict,
 * else a warning (the block and its contents are ignored); both with a
 * "did you mean" over the known tags. */
static void unknown_block(struct parser *p, const char *name,
                          const struct cfg_tokline *t)
{
    const char *names[64];
    size_t n = cfg_block_names(names, 64);
    const char *near = str_closest(name, names, n);
    if (strcmp(name, "vmta") == 0 || strcmp(name, "pool") == 0)
        near = name[0] == 'v' ? "virtual-mta" : "virtual-mta-pool";
    int strict = p->m->opt.strict;
    enum diag_severity sev = strict ? DIAG_ERROR : DIAG_WARNING;
    const char *what = strict ? "" : " (block ignored)";
    if (near)
        perr(p, sev, t->name.off, t->name.len,
             "unknown block '<%s>'; did you mean '<%s>'?%s", name, near, what);
    else
        perr(p, sev, t->name.off, t->name.len, "unknown block '<%s>'%s", name,
             what);
}

/* tag_name - the tag's name in lower case, warning when it was not (the
 * case rules of PowerMTA are UNVERIFIED; the guide writes lower case). */
static char *tag_name(struct parser *p, const struct cfg_tokline *t)
{
    char *raw = span_dup(p, t->name);
    char *name = str_lower(arena_strdup(&p->m->arena, raw));
    if (strcmp(raw, name) != 0)
        perr(p, DIAG_WARNING, t->name.off, t->name.len,
             "block tag '%s' written with capitals; read as '%s'", raw, name);
    return name;
}

static struct frame *open_block(struct parser *p, const struct cfg_tokline *t)
{
    char *name = tag_name(p, t);
    char *arg = span_dup(p, t->value);
    struct frame *cur = top(p);
    if (cur && cur->kind == BK_OPAQUE)
        return push(p, BK_OPAQUE, name, arg, t);
    const struct cfg_block_def *b = cfg_block_find(name);
    unsigned scope = CFG_S_OPAQUE;
    if (b == NULL) {
        unknown_block(p, name, t);
    } else if (!(b->parents & current_scope(p))) {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "'<%s>' is not allowed %s", name,
             cur ? "inside this block" : "at global level");
    } else if (b->needs_arg == 1 && arg[0] == '\0') {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "'<%s>' needs an argument", name);
    } else if (b->needs_arg == -1 && arg[0] != '\0') {
        perr(p, DIAG_ERROR, t->value.off, t->value.len,
             "'<%s>' takes no argument", name);
    } else if (b->scope == CFG_S_PATTERNS && arg[0] == '\0' && !cur) {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "'<pattern-list>' needs a name at global level");
    } else {
        scope = b->scope;
    }
    if (scope == CFG_S_PATTERNS && cur) {
        perr(p, DIAG_WARNING, t->content.off, t->content.len,
             "nested '<pattern-list>' conditions are not modelled; ignored");
        scope = CFG_S_OPAQUE;
    }
    enum blk_kind kind = kind_of(scope);
    struct frame *f = push(p, kind, name, arg, t);
    if (f == NULL || kind == BK_OPAQUE)
        return f;
    f->scope = scope;
    if (kind == BK_LIST || kind == BK_BCP || kind == BK_ROLLUP ||
        kind == BK_ACCT)
        return f;
    cfg_parse_open_object(p, f, t);
    /* A block whose object could not be made (a duplicate name, a bad
     * parent) has been reported; its contents are skipped unchecked. */
    if (f->index < 0) {
        f->kind = BK_OPAQUE;
        f->scope = CFG_S_OPAQUE;
    }
    return f;
}

/* report_unclosed - the error for a block left open at f. */
static void report_unclosed(struct parser *p, const struct frame *f,
                            const char *what)
{
    char w[300];
    where(p, f->file, f->line, w, sizeof(w));
    if (strcmp(f->name, "{") == 0)
        diag_add(p->dl, DIAG_ERROR, p->file, p->lineno, 1,
                 "%s, expecting '}' (brace block opened at %s)", what, w);
    else
        diag_add(p->dl, DIAG_ERROR, p->file, p->lineno, 1,
                 "%s, expecting '</%s>' (block opened at %s)", what, f->name,
                 w);
}

static void close_block(struct parser *p, const struct cfg_tokline *t)
{
    char *name = tag_name(p, t);
    struct frame *f = top(p);
    if (f == NULL || f->include_depth != p->include_depth) {
        perr(p, DIAG_ERROR, t->content.off, t->content.len,
             "'</%s>' without a matching '<%s>'", name, name);
        return;
    }
    if (strcmp(f->name, name) == 0) {
        p->depth--;
        return;
    }
    char w[300];
    where(p, f->file, f->line, w, sizeof(w));
    struct diag *d =
        diag_add(p->dl, DIAG_ERROR, p->file, p->lineno, (int)t->content.off + 1,
                 "'</%s>' does not close '<%s%s%s>' opened at %s", name,
                 f->name, f->arg[0] ? " " : "", f->arg, w);
    diag_set_source(d, p->line, (int)t->content.len);
    /* Recover: if an outer block has this name, the inner ones were left
     * open; close them all. Otherwise ignore this line. */
    for (int i = p->depth - 2; i >= 0; i--)
        if (p->stack[i].include_depth == p->include_depth &&
            strcmp(p->stack[i].name, name) == 0) {
            p->depth = i;
            return;
        }
}

void open_brace_block(struct parser *p, const struct cfg_tokline *t)
{
    push(p, BK_OPAQUE, "{", "", t);
}

/* ---------------------------------------------------------------- lines */

/* html_comment - "<!-- ... -->" is HTML, not PowerMTA syntax: PowerMTA
 * would reject the line; we read it as a comment and --fix writes '#'. */
static int html_comment(struct parser *p, const struct cfg_tokline *t,
                        char **lines, int n, int i)
{
    int strict = p->m->opt.strict;
    perr(p, strict ? DIAG_ERROR : DIAG_WARNING, t->content.off, 4,
         "HTML comment '<!--' is not PowerMTA syntax; read as a comment "
         "(write '# ...')");
    p->m->dialect_lines++;
    int last = i;
    if (t->kind == CFG_TOK_HTML_OPEN) {
        while (last + 1 < n && !cfg_lex_is_html_close(lines[last]))
            last++;
        if (!cfg_lex_is_html_close(lines[last]))
            perr(p, DIAG_ERROR, t->content.off, 4,
                 "HTML comment is not closed with '-->'");
    }
    for (int k = i; k <= last; k++) {
        struct strbuf sb;
        strbuf_init(&sb);
        const char *s = lines[k];
        while (*s == ' ' || *s == '\t')
            s++;
        strbuf_add(&sb, lines[k], (size_t)(s - lines[k]));
        strbuf_adds(&sb, "# ");
        const char *open = strstr(s, "<!--");
        if (open == s)
            s += 4;
        while (*s == ' ')
            s++;
        size_t len = strlen(s);
        const char *close = strstr(s, "-->");
        if (close)
            len = (size_t)(close - s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\r'))
            len--;
        strbuf_add(&sb, s, len);
        add_edit(p, CFG_EDIT_REPLACE, p->file, k + 1, sb.buf, 0);
        strbuf_release(&sb);
    }
    return last;
}

/* bcp_line - "/REGEX/ CATEGORY" in <bounce-category-patterns>. Not
 * modelled, so a bad line is an error only with --strict; PowerMTA would
 * refuse the config. */
static void bcp_line(struct parser *p, const struct cfg_tokline *t)
{
    enum diag_severity sev = p->m->opt.strict ? DIAG_ERROR : DIAG_WARNING;
    const char *ign = p->m->opt.strict ? "" : "; line ignored";
    const char *s = p->line + t->content.off;
    size_t len = t->content.len, i = 1;
    if (s[0] != '/') {
        perr(p, sev, t->content.off, len, "expected '/REGEX/ CATEGORY'%s", ign);
        return;
    }
    while (i < len && s[i] != '/')
        i += (s[i] == '\\' && i + 1 < len) ? 2 : 1;
    if (i >= len) {
        perr(p, sev, t->content.off, len,
             "regular expression has no closing '/'%s", ign);
        return;
    }
    size_t w = i + 1;
    while (w < len && (s[w] == ' ' || s[w] == '\t'))
        w++;
    size_t cat = w;
    while (w < len && s[w] != ' ' && s[w] != '\t')
        w++;
    if (cat == len || w != len) {
        perr(p, sev, t->content.off + (cat == len ? i : w),
             cat == len ? 1 : len - w,
             cat == len ? "expected a category name after the pattern%s"
                        : "extra text after the category name%s",
             ign);
        return;
    }
    int code;
    PCRE2_SIZE at;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)(s + 1), i - 1, 0, &code, &at, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(code, msg, sizeof(msg));
        perr(p, sev, t->content.off + 1 + at, 1,
             "invalid regular expression: %s%s", (char *)msg, ign);
        return;
    }
    pcre2_code_free(re);
}

/* ends_with_comma - the line's content (before any comment) ends in ','. */
static int ends_with_comma(const char *line, const struct cfg_tokline *t)
{
    return t->content.len > 0 &&
           line[t->content.off + t->content.len - 1] == ',';
}

/* is_macro_line - a "domain-macro NAME LIST" directive line. */
static int is_macro_line(const char *line, const struct cfg_tokline *t)
{
    return t->kind == CFG_TOK_DIRECTIVE && t->name.len == 12 &&
           strncasecmp(line + t->name.off, "domain-macro", 12) == 0;
}

/* macro_continuation - a domain-macro list ending in ',' continued on the
 * next lines (seen in deployed configs). PowerMTA reads one line per
 * directive, so --strict reports it; otherwise the lines are joined with a
 * warning and --fix writes the joined line. Returns the last line used. */
static int macro_continuation(struct parser *p, char **lines, int n, int i,
                              const struct cfg_tokline *t)
{
    if (p->m->opt.strict) {
        perr(p, DIAG_ERROR, t->content.off + t->content.len - 1, 1,
             "'domain-macro' list ends with ','; PowerMTA does not continue "
             "a directive on the next line (write the list on one line)");
        parse_directive_line(p, t);
        return i;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_add(&sb, lines[i], t->content.off + t->content.len);
    int last = i;
    struct cfg_tokline nt = *t;
    while (ends_with_comma(lines[last], &nt) && last + 1 < n) {
        cfg_lex_line(lines[last + 1], &nt);
        if (nt.kind != CFG_TOK_DIRECTIVE)
            break;
        last++;
        strbuf_addc(&sb, ' ');
        strbuf_add(&sb, lines[last] + nt.content.off, nt.content.len);
    }
    if (last > i) {
        perr(p, DIAG_WARNING, t->content.off + t->content.len - 1, 1,
             "'domain-macro' list ends with ','; joined with line%s %d-%d "
             "(PowerMTA reads one line; --fix writes it on one line)",
             last > i + 1 ? "s" : "", i + 2, last + 1);
        add_edit(p, CFG_EDIT_REPLACE, p->file, i + 1, sb.buf, 1);
        for (int k = i + 1; k <= last; k++)
            add_edit(p, CFG_EDIT_REPLACE, p->file, k + 1, "", 0);
    }
    char *joined = arena_strdup(&p->m->arena, sb.buf);
    strbuf_release(&sb);
    struct cfg_tokline jt;
    cfg_lex_line(joined, &jt);
    p->line = joined;
    parse_directive_line(p, &jt);
    return last;
}

/* parse_line - dispatch one physical line; returns the index of the last
 * line consumed (multi-line HTML comments consume several). */
static int parse_line(struct parser *p, char **lines, int n, int i)
{
    struct cfg_tokline t;
    p->line = lines[i];
    p->lineno = i + 1;
    cfg_lex_line(lines[i], &t);
    struct frame *f = top(p);
    if (f && strcmp(f->name, "{") == 0) {
        if (t.kind == CFG_TOK_DIRECTIVE && t.content.len == 1 &&
            lines[i][t.content.off] == '}')
            p->depth--;
        return i;
    }
    if (f && f->kind == BK_OPAQUE && t.kind != CFG_TOK_OPEN &&
        t.kind != CFG_TOK_CLOSE && t.kind != CFG_TOK_BLANK)
        return i; /* contents of ignored blocks are not checked */
    if (f && f->kind == BK_BCP && t.kind != CFG_TOK_OPEN &&
        t.kind != CFG_TOK_CLOSE && t.kind != CFG_TOK_BLANK) {
        bcp_line(p, &t);
        return i;
    }
    switch (t.kind) {
    case CFG_TOK_BLANK:
        break;
    case CFG_TOK_ERROR:
        perr(p, DIAG_ERROR, t.error_off, 1, "%s", t.error);
        break;
    case CFG_TOK_HTML_COMMENT:
    case CFG_TOK_HTML_OPEN:
        return html_comment(p, &t, lines, n, i);
    case CFG_TOK_OPEN:
        if (open_block(p, &t) && t.inline_close)
            p->depth--;
        break;
    case CFG_TOK_CLOSE:
        close_block(p, &t);
        break;
    case CFG_TOK_XML_ONELINE:
        parse_xml_line(p, &t);
        break;
    case CFG_TOK_RULE:
        parse_rule_line(p, &t);
        break;
    case CFG_TOK_DIRECTIVE:
        if (is_macro_line(lines[i], &t) && ends_with_comma(lines[i], &t))
            return macro_continuation(p, lines, n, i, &t);
        parse_directive_line(p, &t);
        break;
    }
    return i;
}

/* split_lines - cut buf (NUL-terminated, writable) into lines in place;
 * drops a UTF-8 byte-order mark and the '\r' of CRLF endings. */
static char **split_lines(char *buf, size_t len, int *n)
{
    size_t cap = 64, k = 0;
    char **lines = xmalloc(cap * sizeof(*lines));
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        buf += 3, len -= 3;
    char *s = buf, *end = buf + len;
    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        if (e > s && e[-1] == '\r')
            e[-1] = '\0';
        *e = '\0';
        XGROW(lines, k, cap);
        lines[k++] = s;
        s = e + 1;
    }
    *n = (int)k;
    return lines;
}

/* parse_text - every line of one file, then the blocks it left open. */
static void parse_text(struct parser *p, const char *file, char *buf,
                       size_t len)
{
    const char *saved_file = p->file, *saved_line = p->line;
    int saved_lineno = p->lineno;
    p->file = cfg_model_intern_file(p->m, file);
    p->files_open++;
    if (strlen(buf) < len)
        diag_add(p->dl, DIAG_WARNING, p->file, 0, 0,
                 "file contains NUL bytes; text after them on a line is "
                 "ignored");
    int n;
    char **lines = split_lines(buf, len, &n);
    for (int i = 0; i < n; i++)
        i = parse_line(p, lines, n, i);
    p->lineno = n > 0 ? n : 1;
    p->line = NULL;
    const char *what = p->files_open > 1 ? "unexpected end of included file"
                                         : "unexpected end of file";
    while (p->depth && top(p)->include_depth == p->include_depth) {
        report_unclosed(p, top(p), what);
        p->depth--;
    }
    free(lines);
    p->files_open--;
    p->file = saved_file;
    p->line = saved_line;
    p->lineno = saved_lineno;
}

/* -------------------------------------------------------------- includes */

/* read_all - the whole file, NUL-terminated; NULL with errno on failure. */
static char *read_all(const char *path, size_t *len)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (strbuf_read_file(&sb, path) < 0) {
        int saved = errno;
        strbuf_release(&sb);
        errno = saved;
        return NULL;
    }
    *len = sb.len;
    return strbuf_detach(&sb);
}

/* parse_file_at - read and parse path; error at the include line (or as a
 * file-level error for the main file) when it cannot be read. */
static void parse_file_at(struct parser *p, const char *path, size_t off,
                          size_t len)
{
    char *real = realpath(path, NULL);
    for (int i = 0; real && i < p->include_depth; i++)
        if (strcmp(p->includes[i], real) == 0) {
            perr(p, DIAG_ERROR, off, len,
                 "include cycle: '%s' is already "
                 "being read",
                 path);
            free(real);
            return;
        }
    size_t n;
    char *buf = real ? read_all(path, &n) : NULL;
    if (buf == NULL) {
        if (p->file)
            perr(p, DIAG_ERROR, off, len, "cannot read '%s': %s", path,
                 strerror(errno));
        else
            diag_add(p->dl, DIAG_ERROR, path, 0, 0, "cannot read: %s",
                     strerror(errno));
        free(real);
        return;
    }
    p->includes[p->include_depth++] = real;
    parse_text(p, path, buf, n);
    free(p->includes[--p->include_depth]);
    free(buf);
}

/* include_path - path relative to the directory of the current file. */
static char *include_path(struct parser *p, const char *arg)
{
    if (arg[0] == '/' || p->file == NULL)
        return xstrdup(arg);
    const char *slash = strrchr(p->file, '/');
    if (slash == NULL)
        return xstrdup(arg);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_add(&sb, p->file, (size_t)(slash - p->file) + 1);
    strbuf_adds(&sb, arg);
    return strbuf_detach(&sb);
}

void include_file(struct parser *p, const char *arg, size_t off)
{
    size_t len = strlen(arg);
    if (!p->m->opt.allow_includes) {
        perr(p, DIAG_ERROR, off, len, "'include' is disabled here");
        return;
    }
    if (strstr(arg, "://")) {
        perr(p, DIAG_ERROR, off, len,
             "'include' of a URL is not supported; "
             "download '%s' and include it by path",
             arg);
        return;
    }
    if (p->include_depth >= p->m->opt.max_include_depth) {
        perr(p, DIAG_ERROR, off, len, "includes nested deeper than %d",
             p->m->opt.max_include_depth);
        return;
    }
    char *path = include_path(p, arg);
    if (strpbrk(arg, "*?[") == NULL) {
        parse_file_at(p, path, off, len);
        free(path);
        return;
    }
    glob_t g;
    int rc = glob(path, 0, NULL, &g);
    if (rc == GLOB_NOMATCH)
        perr(p, DIAG_WARNING, off, len,
             "include pattern '%s' matches no "
             "file",
             arg);
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
        parse_file_at(p, g.gl_pathv[i], off, len);
    if (rc == 0)
        globfree(&g);
    free(path);
}

/* ------------------------------------------------------------------ API */

static struct cfg_model *run(const char *name, char *buf, size_t len,
                             const struct cfg_load_options *o,
                             struct diag_list *dl)
{
    struct parser p;
    memset(&p, 0, sizeof(p));
    p.m = cfg_model_alloc(o);
    p.dl = dl;
    if (buf) {
        parse_text(&p, name, buf, len);
    } else {
        parse_file_at(&p, name, 0, 0);
    }
    cfg_model_finish(p.m, dl);
    return p.m;
}

/* copy_errors - the errors of from into to (errors_only). */
static void copy_errors(const struct diag_list *from, struct diag_list *to)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct diag *d = &from->items[i];
        if (d->severity != DIAG_ERROR)
            continue;
        struct diag *c = diag_add(to, d->severity, d->file, d->line, d->col,
                                  "%s", d->message);
        if (c && d->source_line)
            diag_set_source(c, d->source_line, d->span);
        if (c && d->context)
            diag_set_context(c, "%s", d->context);
    }
}

/* warned_before - 1 when this process already reported the warnings of
 * the config at path; remembers path. A bounded list: past it, warnings
 * are repeated rather than lost. */
static int warned_before(const char *path)
{
    static char *seen[32];
    static size_t n_seen;
    for (size_t i = 0; i < n_seen; i++)
        if (strcmp(seen[i], path) == 0)
            return 1;
    if (n_seen < sizeof(seen) / sizeof(seen[0]))
        seen[n_seen++] = xstrdup(path);
    return 0;
}

struct cfg_model *cfg_load(const char *path, const struct cfg_load_options *o,
                           struct diag_list *dl)
{
    if (o->errors_only || (o->warn_once && warned_before(path))) {
        struct diag_list local;
        struct cfg_load_options all = *o;
        all.errors_only = all.warn_once = 0;
        diag_list_init(&local, DIAG_DEFAULT_MAX_ERRORS);
        struct cfg_model *m = cfg_load(path, &all, &local);
        copy_errors(&local, dl);
        diag_list_release(&local);
        return m;
    }
    size_t before = dl->n_errors;
    struct cfg_model *m = run(path, NULL, 0, o, dl);
    if (m->n_files == 0 && dl->n_errors > before) {
        cfg_model_free(m);
        return NULL;
    }
    return m;
}

struct cfg_model *cfg_load_buffer(const char *name, const char *text,
                                  size_t len, const struct cfg_load_options *o,
                                  struct diag_list *dl)
{
    char *buf = xmalloc(len + 1);
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct cfg_model *m = run(name, buf, len, o, dl);
    free(buf);
    return m;
}
