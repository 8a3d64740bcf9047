/* cfg_lex.c - line classification for the PowerMTA config parser. */
#include "config/cfg_lex.h"

#include <ctype.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* content_bounds - trim blanks, and cut at the comment. */
static void content_bounds(const char *line, struct cfg_tokline *t)
{
    size_t len = strlen(line);
    const char *hash = strchr(line, '#');
    size_t end = hash ? (size_t)(hash - line) : len;
    t->comment = end;
    size_t start = 0;
    while (start < end && is_blank(line[start]))
        start++;
    while (end > start && is_blank(line[end - 1]))
        end--;
    t->content.off = start;
    t->content.len = end - start;
}

static void set_error(struct cfg_tokline *t, const char *msg, size_t off)
{
    t->kind = CFG_TOK_ERROR;
    t->error = msg;
    t->error_off = off;
}

/* lex_value - the value after a keyword: quoted or the trimmed rest. */
static void lex_value(const char *line, size_t from, size_t end,
                      struct cfg_tokline *t)
{
    while (from < end && is_blank(line[from]))
        from++;
    t->value.off = from;
    t->value.len = end - from;
    if (from >= end || line[from] != '"')
        return;
    size_t i = from + 1;
    while (i < end && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < end)
            i++;
        i++;
    }
    if (i >= end) {
        set_error(t, "unterminated quoted value", from);
        return;
    }
    if (i + 1 != end) {
        set_error(t, "unexpected text after the closing quote", i + 1);
        return;
    }
    t->quoted = 1;
    t->value.off = from + 1;
    t->value.len = i - from - 1;
}

/* lex_close - "</name>" and nothing after it. */
static void lex_close(const char *line, size_t s, size_t end,
                      struct cfg_tokline *t)
{
    const char *gt = memchr(line + s, '>', end - s);
    if (gt == NULL) {
        set_error(t, "closing tag has no '>'", end);
        return;
    }
    size_t g = (size_t)(gt - line);
    t->kind = CFG_TOK_CLOSE;
    t->name.off = s + 2;
    t->name.len = g - s - 2;
    while (t->name.len && is_blank(line[t->name.off + t->name.len - 1]))
        t->name.len--;
    if (g + 1 != end)
        set_error(t, "unexpected text after '>'", g + 1);
}

/* lex_xml_tail - "<name>value</name>" written on one line. */
static int lex_xml_tail(const char *line, size_t g, size_t end,
                        struct cfg_tokline *t)
{
    const char *close = strstr(line + g + 1, "</");
    if (close == NULL || (size_t)(close - line) >= end)
        return 0;
    size_t c = (size_t)(close - line);
    if (c == g + 1 || line[end - 1] != '>' || (end - c - 3) != t->name.len ||
        strncmp(line + c + 2, line + t->name.off, t->name.len) != 0)
        return 0;
    t->kind = CFG_TOK_XML_ONELINE;
    t->value.off = g + 1;
    t->value.len = c - g - 1;
    return 1;
}

/* lex_inline_close - "<name arg></name>": an empty block on one line, as
 * real configs write (tjosm config-sample). */
static int lex_inline_close(const char *line, size_t g, size_t end,
                            struct cfg_tokline *t)
{
    size_t i = g + 1;
    while (i < end && is_blank(line[i]))
        i++;
    if (end - i < t->name.len + 3 || strncmp(line + i, "</", 2) != 0 ||
        strncmp(line + i + 2, line + t->name.off, t->name.len) != 0)
        return 0;
    i += 2 + t->name.len;
    while (i < end && is_blank(line[i]))
        i++;
    if (i + 1 != end || line[i] != '>')
        return 0;
    t->inline_close = 1;
    return 1;
}

/* lex_open - "<name arg>", or the one-line XML dialect. */
static void lex_open(const char *line, size_t s, size_t end,
                     struct cfg_tokline *t)
{
    size_t i = s + 1;
    while (i < end && !is_blank(line[i]) && line[i] != '>')
        i++;
    t->name.off = s + 1;
    t->name.len = i - s - 1;
    const char *gt = memchr(line + i, '>', end - i);
    if (gt == NULL) {
        set_error(t, "block tag has no '>'", end);
        return;
    }
    size_t g = (size_t)(gt - line);
    t->kind = CFG_TOK_OPEN;
    size_t a = i;
    while (a < g && is_blank(line[a]))
        a++;
    size_t b = g;
    while (b > a && is_blank(line[b - 1]))
        b--;
    t->value.off = a;
    t->value.len = b - a;
    if (g + 1 == end)
        return;
    if (t->value.len == 0 && lex_xml_tail(line, g, end, t))
        return;
    if (lex_inline_close(line, g, end, t))
        return;
    set_error(t, "unexpected text after '>'", g + 1);
}

/* looks_like_rule - "421 text..., interval, n, n": a 3-digit reply code
 * followed by text and a comma (the blog "bare rule" shape). */
static int looks_like_rule(const char *line, size_t s, size_t end)
{
    if (end - s < 5)
        return 0;
    for (int k = 0; k < 3; k++)
        if (!isdigit((unsigned char)line[s + k]))
            return 0;
    if (!is_blank(line[s + 3]) || (line[s] != '4' && line[s] != '5'))
        return 0;
    return memchr(line + s, ',', end - s) != NULL;
}

/* lex_html - "<!-- ... -->" on one line, or the start of a longer one. The
 * content runs to the end of the line here: '#' means nothing inside. */
static void lex_html(const char *line, struct cfg_tokline *t)
{
    size_t len = strlen(line);
    while (len && is_blank(line[len - 1]))
        len--;
    t->content.len = len - t->content.off;
    t->comment = len;
    const char *close = strstr(line + t->content.off + 4, "-->");
    t->kind = close ? CFG_TOK_HTML_COMMENT : CFG_TOK_HTML_OPEN;
    if (close && (size_t)(close - line) + 3 != len)
        set_error(t, "unexpected text after '-->'", (size_t)(close - line) + 3);
}

void cfg_lex_line(const char *line, struct cfg_tokline *t)
{
    memset(t, 0, sizeof(*t));
    content_bounds(line, t);
    size_t s = t->content.off, end = s + t->content.len;
    if (t->content.len == 0)
        return;
    if (strncmp(line + s, "<!--", 4) == 0) {
        lex_html(line, t);
    } else if (line[s] == '<' && end - s > 1 && line[s + 1] == '/') {
        lex_close(line, s, end, t);
    } else if (line[s] == '<') {
        lex_open(line, s, end, t);
    } else if (looks_like_rule(line, s, end)) {
        t->kind = CFG_TOK_RULE;
        t->value = t->content;
    } else {
        size_t i = s;
        while (i < end && !is_blank(line[i]))
            i++;
        t->kind = CFG_TOK_DIRECTIVE;
        t->name.off = s;
        t->name.len = i - s;
        lex_value(line, i, end, t);
    }
}

void cfg_lex_unquote(const char *line, struct cfg_span s, int quoted, char *out,
                     size_t n)
{
    size_t o = 0;
    for (size_t i = s.off; i < s.off + s.len && o + 1 < n; i++) {
        if (quoted && line[i] == '\\' && i + 1 < s.off + s.len)
            i++;
        out[o++] = line[i];
    }
    out[o] = '\0';
}

int cfg_lex_is_html_close(const char *line)
{
    return strstr(line, "-->") != NULL;
}
