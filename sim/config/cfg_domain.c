/* cfg_domain.c - domain patterns ("*", "d", "*.d", "[*.]d", "[cidr]") with
 * specificity scores, and domain macros with recursive, deduplicated
 * expansion (UG5 §3.2, §3.3.10, §3.3.1.43.4; docs/config.md). */
#include "config/cfg_domain.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Expansion limits. The result cap is documented in the header; the work
 * caps bound the time and memory spent on inputs whose intermediate lists
 * collapse under deduplication (say "$a.$a" nested twenty deep). */
#define CFGD_MAX_NAMES      100000
#define CFGD_MAX_WORK_NAMES (4 * CFGD_MAX_NAMES)
#define CFGD_MAX_WORK_BYTES ((size_t)32 << 20)
#define CFGD_MAX_DEPTH      256
#define CFGD_NPOS           ((size_t)-1)

#if defined(__GNUC__)
#define CFGD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CFGD_PRINTF(f, a)
#endif

static int set_err(struct cfgv_err *e, size_t off, size_t len, const char *fmt,
                   ...) CFGD_PRINTF(4, 5);

/* set_err - fill e (when given) with a message and the span it blames;
 * returns -1 so that callers can "return set_err(...)". */
static int set_err(struct cfgv_err *e, size_t off, size_t len, const char *fmt,
                   ...)
{
    va_list ap;

    if (!e)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    e->offset = off;
    e->len = len ? len : 1;
    return -1;
}

/* is_word - a macro-name byte: [A-Za-z0-9_]. */
static int is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* is_name_byte - a byte allowed in a domain label; bytes >= 0x80 let UTF-8
 * IDNs ("bücher.de") through unchanged. */
static int is_name_byte(unsigned char c)
{
    return is_word(c) || c == '-' || c >= 0x80;
}

/* is_blank - white space around macro list items. */
static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* ascii_lower - ASCII-only case folding, independent of the locale. */
static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ieq_n - the first n bytes of a and b are equal ignoring ASCII case. */
static int ieq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a[i]) !=
            ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* char_desc - a quoted, printable rendering of byte c for messages. */
static void char_desc(unsigned char c, char *buf, size_t n)
{
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "'\\x%02x'", c);
}

/* ---- Patterns ---------------------------------------------------------- */

/* star_error - the one message for every misplaced '*'. */
static int star_error(size_t off, struct cfgv_err *e)
{
    return set_err(e, off, 1,
                   "'*' is only allowed as '*', '*.domain' or '[*.]domain'");
}

/* char_error - explain why byte i of a domain pattern is not allowed. */
static int char_error(const char *text, size_t i, struct cfgv_err *e)
{
    unsigned char c = (unsigned char)text[i];
    char desc[16];
    size_t j = i + 1;

    if (c == '*')
        return star_error(i, e);
    if (c == '$') {
        while (is_word((unsigned char)text[j]))
            j++;
        return set_err(e, i, j - i,
                       "unexpanded macro '%.*s' in domain pattern '%s'",
                       (int)(j - i), text + i, text);
    }
    if (is_blank(c))
        return set_err(
            e, i, 1, "invalid domain pattern '%s': contains white space", text);
    char_desc(c, desc, sizeof(desc));
    return set_err(e, i, 1, "invalid domain pattern '%s': invalid character %s",
                   text, desc);
}

/* check_name - validate the domain name that starts at text[start]. */
static int check_name(const char *text, size_t start, struct cfgv_err *e)
{
    size_t len = strlen(text);

    if (start == len)
        return set_err(e, start, 1,
                       "invalid domain pattern '%s': missing domain name",
                       text);
    for (size_t i = start; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '.' && i == 0)
            return set_err(e, i, 1, "invalid domain pattern '%s': leading dot",
                           text);
        if (c == '.' && (i == start || text[i - 1] == '.'))
            return set_err(e, i, 1, "invalid domain pattern '%s': empty label",
                           text);
        if (c != '.' && !is_name_byte(c))
            return char_error(text, i, e);
    }
    if (text[len - 1] == '.')
        return set_err(e, len - 1, 1,
                       "invalid domain pattern '%s': trailing dot", text);
    return 0;
}

/* set_name - validate text[start..] and store it lower-cased as p's name. */
static int set_name(const char *text, size_t start, enum cfgd_kind kind,
                    struct cfgd_pattern *p, struct cfgv_err *e)
{
    if (check_name(text, start, e) != 0)
        return -1;
    p->kind = kind;
    p->name = str_lower(xstrdup(text + start));
    return 0;
}

/* parse_braced - a reserved name such as "{sparkpost}" (exact form only). */
static int parse_braced(const char *text, struct cfgd_pattern *p,
                        struct cfgv_err *e)
{
    size_t len = strlen(text);

    if (len < 3 || text[len - 1] != '}')
        return set_err(e, 0, len,
                       "invalid reserved name '%s': expected '{name}'", text);
    for (size_t i = 1; i + 1 < len; i++)
        if (!is_word((unsigned char)text[i]) && text[i] != '-')
            return char_error(text, i, e);
    p->kind = CFGD_EXACT;
    p->name = str_lower(xstrdup(text));
    return 0;
}

/* parse_literal - "[cidr]": everything cfgv_parse_cidr accepts, in brackets. */
static int parse_literal(const char *text, struct cfgd_pattern *p,
                         struct cfgv_err *e)
{
    const char *close = strchr(text, ']'), *star;
    size_t len = strlen(text), end;
    struct cfgv_err ce;
    char *inner;

    if (!close)
        return set_err(e, len, 1, "invalid domain literal '%s': missing ']'",
                       text);
    end = (size_t)(close - text);
    if (end + 1 != len)
        return set_err(e, end + 1, len - end - 1,
                       "invalid domain literal '%s': text after ']'", text);
    if (end == 1)
        return set_err(e, 0, 2, "invalid domain literal '%s': empty", text);
    star = memchr(text, '*', end);
    if (star)
        return star_error((size_t)(star - text), e);
    inner = xstrndup(text + 1, end - 1);
    if (cfgv_parse_cidr(inner, &p->cidr, &ce) != 0) {
        free(inner);
        return set_err(e, ce.offset + 1, ce.len,
                       "invalid domain literal '%s': %s", text, ce.msg);
    }
    free(inner);
    p->kind = CFGD_LITERAL;
    return 0;
}

/* cfgd_pattern_parse - dispatch on the leading form of the pattern. */
int cfgd_pattern_parse(const char *text, struct cfgd_pattern *p,
                       struct cfgv_err *e)
{
    memset(p, 0, sizeof(*p));
    p->name = NULL;
    if (!text || !*text)
        return set_err(e, 0, 1, "empty domain pattern");
    if (strcmp(text, "*") == 0) {
        p->kind = CFGD_ANY;
        return 0;
    }
    if (strncmp(text, "[*.]", 4) == 0)
        return set_name(text, 4, CFGD_DOMAIN_SUBS, p, e);
    if (text[0] == '[')
        return parse_literal(text, p, e);
    if (strncmp(text, "*.", 2) == 0)
        return set_name(text, 2, CFGD_SUBDOMAINS, p, e);
    if (text[0] == '{')
        return parse_braced(text, p, e);
    return set_name(text, 0, CFGD_EXACT, p, e);
}

/* cfgd_pattern_release - free the name; the pattern can be parsed again. */
void cfgd_pattern_release(struct cfgd_pattern *p)
{
    if (!p)
        return;
    free(p->name);
    p->name = NULL;
}

/* cfgd_pattern_format - the canonical text of p. */
void cfgd_pattern_format(const struct cfgd_pattern *p, char *buf, size_t n)
{
    char net[64];

    if (!buf || n == 0)
        return;
    switch (p->kind) {
    case CFGD_ANY:
        snprintf(buf, n, "*");
        break;
    case CFGD_EXACT:
        snprintf(buf, n, "%s", p->name);
        break;
    case CFGD_SUBDOMAINS:
        snprintf(buf, n, "*.%s", p->name);
        break;
    case CFGD_DOMAIN_SUBS:
        snprintf(buf, n, "[*.]%s", p->name);
        break;
    case CFGD_LITERAL:
        cfgv_format_cidr(&p->cidr, net, sizeof(net));
        snprintf(buf, n, "[%s]", net);
        break;
    }
}

/* count_labels - dot-separated labels in name. */
static int count_labels(const char *name)
{
    int labels = 1;

    for (; *name; name++)
        if (*name == '.' && labels < INT_MAX / 8)
            labels++;
    return labels;
}

/* match_literal - p is "[net]" and domain is a host literal "[1.2.3.4]" or
 * "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3) inside net. */
static int match_literal(const struct cfgd_pattern *p, const char *d,
                         size_t dlen)
{
    struct cfgv_cidr host;
    struct cfgv_err ce;
    char buf[64];

    if (dlen < 3 || d[0] != '[' || d[dlen - 1] != ']')
        return -1;
    d++;
    dlen -= 2;
    if (dlen > 5 && ieq_n(d, "ipv6:", 5)) {
        d += 5;
        dlen -= 5;
    }
    if (dlen >= sizeof(buf) || memchr(d, '/', dlen))
        return -1;
    memcpy(buf, d, dlen);
    buf[dlen] = '\0';
    if (cfgv_parse_cidr(buf, &host, &ce) != 0 || host.prefix != 128)
        return -1;
    return cfgv_cidr_contains(&p->cidr, &host) ? 1 + p->cidr.prefix : -1;
}

/* match_name - the three name forms; see the score table in the header. */
static int match_name(const struct cfgd_pattern *p, const char *d, size_t dlen)
{
    size_t nlen = strlen(p->name);
    int base = 4 * count_labels(p->name);

    if (dlen == nlen && ieq_n(d, p->name, nlen)) {
        if (p->kind == CFGD_EXACT)
            return base + 3;
        return p->kind == CFGD_DOMAIN_SUBS ? base + 1 : -1;
    }
    if (p->kind == CFGD_EXACT || dlen < nlen + 2)
        return -1;
    if (d[dlen - nlen - 1] != '.' || !ieq_n(d + dlen - nlen, p->name, nlen))
        return -1;
    return p->kind == CFGD_SUBDOMAINS ? base + 2 : base + 1;
}

/* cfgd_pattern_match - score of p against domain, -1 when it misses. One
 * trailing dot of an absolute domain ("example.com.") is ignored. */
int cfgd_pattern_match(const struct cfgd_pattern *p, const char *domain)
{
    size_t dlen;

    if (!p || !domain)
        return -1;
    if (p->kind == CFGD_ANY)
        return 0;
    dlen = strlen(domain);
    if (p->kind == CFGD_LITERAL)
        return match_literal(p, domain, dlen);
    if (dlen > 1 && domain[dlen - 1] == '.')
        dlen--;
    if (!p->name)
        return -1;
    return match_name(p, domain, dlen);
}

/* ---- Macro table --------------------------------------------------------- */

struct cfgd_macro {
    char *name; /* case-sensitive, [A-Za-z0-9_]+ */
    char *list; /* raw list text as defined */
};

struct cfgd_macros {
    struct cfgd_macro *v;
    size_t n, cap;
};

/* cfgd_macros_alloc - an empty macro table. */
struct cfgd_macros *cfgd_macros_alloc(void)
{
    return xcalloc(1, sizeof(struct cfgd_macros));
}

/* cfgd_macros_free - free the table and every name and list in it. */
void cfgd_macros_free(struct cfgd_macros *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].name);
        free(m->v[i].list);
    }
    free(m->v);
    free(m);
}

/* find_macro - index of the macro called name[0..len), or CFGD_NPOS. */
static size_t find_macro(const struct cfgd_macros *m, const char *name,
                         size_t len)
{
    if (!m)
        return CFGD_NPOS;
    for (size_t i = 0; i < m->n; i++)
        if (strncasecmp(m->v[i].name, name, len) == 0 && m->v[i].name[len] == 0)
            return i;
    return CFGD_NPOS;
}

/* next_item - the next comma-separated item of list from *pos, trimmed of
 * blanks, as (*start, *len); 0 when the list is exhausted. */
static int next_item(const char *list, size_t *pos, size_t *start, size_t *len)
{
    size_t b = *pos, end;

    if (b == CFGD_NPOS)
        return 0;
    end = b;
    while (list[end] && list[end] != ',')
        end++;
    *pos = list[end] ? end + 1 : CFGD_NPOS;
    while (b < end && is_blank((unsigned char)list[b]))
        b++;
    while (end > b && is_blank((unsigned char)list[end - 1]))
        end--;
    *start = b;
    *len = end - b;
    return 1;
}

/* check_macro_name - NAME is one or more of [A-Za-z0-9_]. */
static int check_macro_name(const char *name, struct cfgv_err *e)
{
    char desc[16];

    if (!name || !*name)
        return set_err(e, 0, 1, "empty domain macro name");
    for (size_t i = 0; name[i]; i++) {
        if (is_word((unsigned char)name[i]))
            continue;
        char_desc((unsigned char)name[i], desc, sizeof(desc));
        return set_err(e, i, 1,
                       "invalid domain macro name '%s': invalid character %s",
                       name, desc);
    }
    return 0;
}

/* check_macro_list - a non-empty list without empty items; offsets point
 * into list. */
static int check_macro_list(const char *name, const char *list,
                            struct cfgv_err *e)
{
    size_t pos = 0, start, len, n = 0;

    if (!list)
        return set_err(e, 0, 1, "empty list for domain macro '$%s'", name);
    while (next_item(list, &pos, &start, &len)) {
        n++;
        if (len != 0)
            continue;
        if (n == 1 && pos == CFGD_NPOS)
            return set_err(e, 0, 1, "empty list for domain macro '$%s'", name);
        return set_err(e, start, 1,
                       "empty item in the list of domain macro '$%s'", name);
    }
    return 0;
}

/* cfgd_macros_define - add or replace NAME; 1 (and a note in e) when it
 * replaced an earlier definition. */
int cfgd_macros_define(struct cfgd_macros *m, const char *name,
                       const char *list, struct cfgv_err *e)
{
    size_t i;

    if (check_macro_name(name, e) != 0 || check_macro_list(name, list, e))
        return -1;
    i = find_macro(m, name, strlen(name));
    if (i != CFGD_NPOS) {
        free(m->v[i].list);
        m->v[i].list = xstrdup(list);
        set_err(e, 0, strlen(name), "domain macro '$%s' redefined", name);
        return 1;
    }
    XGROW(m->v, m->n, m->cap);
    m->v[m->n].name = xstrdup(name);
    m->v[m->n].list = xstrdup(list);
    m->n++;
    return 0;
}

/* cfgd_macros_has - 1 when NAME is defined (names ignore case: block
 * arguments are read in lower case; docs/config.md). */
int cfgd_macros_has(const struct cfgd_macros *m, const char *name)
{
    return name && find_macro(m, name, strlen(name)) != CFGD_NPOS;
}

/* cfgd_macros_count - number of defined macros. */
size_t cfgd_macros_count(const struct cfgd_macros *m)
{
    return m ? m->n : 0;
}

/* cfgd_macros_name - name of macro i (borrowed), NULL when out of range. */
const char *cfgd_macros_name(const struct cfgd_macros *m, size_t i)
{
    return (m && i < m->n) ? m->v[i].name : NULL;
}

/* cfgd_macros_list - raw list of macro i (borrowed), NULL when out of
 * range. */
const char *cfgd_macros_list(const struct cfgd_macros *m, size_t i)
{
    return (m && i < m->n) ? m->v[i].list : NULL;
}

/* ---- Name lists with deduplication ------------------------------------- */

/* A growing array of owned strings plus an open-addressing hash of their
 * indices (slot value index + 1; 0 = empty) for first-seen-order dedupe. */
struct namelist {
    char **v;
    size_t n, cap;
    size_t *slots;
    size_t nslots; /* 0 or a power of two */
};

/* hash_str - FNV-1a. */
static size_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return (size_t)h;
}

/* nl_slot - the slot holding s, or the empty slot where it would go. */
static size_t nl_slot(const struct namelist *nl, const char *s)
{
    size_t mask = nl->nslots - 1, i = hash_str(s) & mask;

    while (nl->slots[i] && strcmp(nl->v[nl->slots[i] - 1], s) != 0)
        i = (i + 1) & mask;
    return i;
}

/* nl_rehash - double the hash table (load factor stays below one half). */
static void nl_rehash(struct namelist *nl)
{
    nl->nslots = nl->nslots ? 2 * nl->nslots : 16;
    free(nl->slots);
    nl->slots = xcalloc(nl->nslots, sizeof(*nl->slots));
    for (size_t k = 0; k < nl->n; k++)
        nl->slots[nl_slot(nl, nl->v[k])] = k + 1;
}

/* nl_add - add a copy of s unless it is already there; 1 when added. */
static int nl_add(struct namelist *nl, const char *s)
{
    size_t i;

    if (2 * (nl->n + 1) > nl->nslots)
        nl_rehash(nl);
    i = nl_slot(nl, s);
    if (nl->slots[i])
        return 0;
    XGROW(nl->v, nl->n, nl->cap);
    nl->v[nl->n++] = xstrdup(s);
    nl->slots[i] = nl->n;
    return 1;
}

/* nl_release - free every string, the array and the hash. */
static void nl_release(struct namelist *nl)
{
    cfgd_names_free(nl->v, nl->n);
    free(nl->slots);
    memset(nl, 0, sizeof(*nl));
}

/* cfgd_names_free - free an expansion result. */
void cfgd_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- Expansion ----------------------------------------------------------- */

enum memo_state { MEMO_NEW, MEMO_ACTIVE, MEMO_DONE };

/* One macro's expansion, computed at most once per cfgd_macros_expand. */
struct memo {
    enum memo_state state;
    struct namelist list;
};

struct expand {
    const struct cfgd_macros *m;
    struct memo *memo; /* one per macro */
    size_t *stack;     /* macros being expanded, outermost first */
    size_t depth;      /* 0 while scanning the caller's text */
    size_t work_names; /* strings built so far, duplicates included */
    size_t work_bytes; /* bytes of those strings */
    const char *top;   /* the caller's text, for offsets */
    char *buf;         /* scratch for the name being built */
    size_t bufcap;
    struct cfgv_err *e;
};

/* One piece of a text: a literal run, or a macro's expanded list. */
struct seg {
    const char *lit;
    size_t len;
    const struct namelist *list; /* NULL for a literal */
};

static int expand_text(struct expand *x, const char *s, size_t len,
                       struct namelist *dest);

/* x_off - offset of p in the caller's text; deeper errors get rebased by
 * the outermost reference, so 0 is a placeholder there. */
static size_t x_off(const struct expand *x, const char *p)
{
    return x->depth == 0 ? (size_t)(p - x->top) : 0;
}

/* loop_error - "macro loop: $a -> $b -> $a", from the first appearance of
 * macro idx on the stack. */
static void loop_error(struct expand *x, size_t idx)
{
    size_t k = 0, used;

    if (!x->e)
        return;
    while (k < x->depth && x->stack[k] != idx)
        k++;
    used = (size_t)snprintf(x->e->msg, sizeof(x->e->msg), "macro loop:");
    for (; k <= x->depth; k++) {
        size_t i = k < x->depth ? x->stack[k] : idx;
        const char *sep = k < x->depth ? " ->" : "";
        if (used >= sizeof(x->e->msg))
            break;
        used += (size_t)snprintf(x->e->msg + used, sizeof(x->e->msg) - used,
                                 " $%s%s", x->m->v[i].name, sep);
    }
    x->e->offset = 0;
    x->e->len = 1;
}

/* expand_list - expand every item of a macro's list into dest. */
static int expand_list(struct expand *x, const char *list,
                       struct namelist *dest)
{
    size_t pos = 0, start, len;

    while (next_item(list, &pos, &start, &len))
        if (len > 0 && expand_text(x, list + start, len, dest) != 0)
            return -1;
    return 0;
}

/* expand_macro - the memoised expansion of macro idx, NULL on error. */
static const struct namelist *expand_macro(struct expand *x, size_t idx)
{
    struct memo *mm = &x->memo[idx];
    int rc;

    if (mm->state == MEMO_DONE)
        return &mm->list;
    if (mm->state == MEMO_ACTIVE) {
        loop_error(x, idx);
        return NULL;
    }
    if (x->depth >= CFGD_MAX_DEPTH) {
        set_err(x->e, 0, 1, "domain macros nested more than %d deep",
                CFGD_MAX_DEPTH);
        return NULL;
    }
    mm->state = MEMO_ACTIVE;
    x->stack[x->depth++] = idx;
    rc = expand_list(x, x->m->v[idx].list, &mm->list);
    x->depth--;
    mm->state = MEMO_DONE;
    return rc == 0 ? &mm->list : NULL;
}

/* too_big - the result or work cap was hit while expanding s. */
static int too_big(struct expand *x, const char *s, size_t len, int names)
{
    const char *what =
        names ? "expands to more than 100000 names" : "is too large to expand";

    if (x->depth > 0)
        return set_err(x->e, 0, 1, "domain macro '$%s' %s",
                       x->m->v[x->stack[x->depth - 1]].name, what);
    return set_err(x->e, x_off(x, s), len, "'%.*s' %s", (int)len, s, what);
}

/* ref_error - an unknown or nameless reference s[i..j); inside a macro's
 * list the message names that macro. */
static int ref_error(struct expand *x, const char *s, size_t i, size_t j)
{
    char what[160];

    if (j == i + 1)
        snprintf(what, sizeof(what), "missing macro name after '$'");
    else
        snprintf(what, sizeof(what), "unknown domain macro '%.*s'",
                 (int)(j - i), s + i);
    if (x->depth == 0)
        return set_err(x->e, x_off(x, s + i), j - i, "%s", what);
    return set_err(x->e, 0, 1, "%s in the list of '$%s'", what,
                   x->m->v[x->stack[x->depth - 1]].name);
}

/* ref_segment - resolve the "$name" at s[i..j) into seg; on an error deep
 * inside, blame the whole reference in the caller's text. */
static int ref_segment(struct expand *x, const char *s, size_t i, size_t j,
                       struct seg *seg)
{
    size_t idx = CFGD_NPOS;

    if (j > i + 1)
        idx = find_macro(x->m, s + i + 1, j - i - 1);
    if (idx == CFGD_NPOS)
        return ref_error(x, s, i, j);
    seg->list = expand_macro(x, idx);
    if (!seg->list) {
        if (x->depth == 0 && x->e) {
            x->e->offset = x_off(x, s + i);
            x->e->len = j - i;
        }
        return -1;
    }
    return 0;
}

/* split_segments - cut s[0..len) into literal runs and macro references. */
static int split_segments(struct expand *x, const char *s, size_t len,
                          struct seg **segs, size_t *nseg, size_t *cap)
{
    size_t i = 0;

    while (i < len) {
        size_t j = i + 1;
        XGROW(*segs, *nseg, *cap);
        struct seg *seg = &(*segs)[(*nseg)++];
        memset(seg, 0, sizeof(*seg));
        if (s[i] == '$') {
            while (j < len && is_word((unsigned char)s[j]))
                j++;
            if (ref_segment(x, s, i, j, seg) != 0)
                return -1;
        } else {
            while (j < len && s[j] != '$')
                j++;
            seg->lit = s + i;
            seg->len = j - i;
        }
        i = j;
    }
    return 0;
}

/* seg_part - the text that segment k contributes for choice c. */
static const char *seg_part(const struct seg *seg, size_t c, size_t *len)
{
    if (!seg->list) {
        *len = seg->len;
        return seg->lit;
    }
    *len = strlen(seg->list->v[c]);
    return seg->list->v[c];
}

/* emit_one - build the name for the current choices in the scratch
 * buffer and add a copy to dest unless it is a duplicate. */
static int emit_one(struct expand *x, const struct seg *segs, size_t nseg,
                    const size_t *choice, struct namelist *dest, const char *s,
                    size_t slen)
{
    size_t total = 0, len, at = 0;

    for (size_t k = 0; k < nseg; k++) {
        seg_part(&segs[k], choice[k], &len);
        total += len;
    }
    x->work_names++;
    x->work_bytes += total + 1;
    if (x->work_names > CFGD_MAX_WORK_NAMES ||
        x->work_bytes > CFGD_MAX_WORK_BYTES)
        return too_big(x, s, slen, 0);
    if (total + 1 > x->bufcap) {
        x->bufcap = 2 * (total + 1);
        x->buf = xrealloc(x->buf, x->bufcap);
    }
    for (size_t k = 0; k < nseg; k++) {
        const char *part = seg_part(&segs[k], choice[k], &len);
        memcpy(x->buf + at, part, len);
        at += len;
    }
    x->buf[total] = '\0';
    if (nl_add(dest, str_lower(x->buf)) && dest->n > CFGD_MAX_NAMES)
        return too_big(x, s, slen, 1);
    return 0;
}

/* next_choice - advance the odometer over the segments, last one fastest. */
static void next_choice(const struct seg *segs, size_t nseg, size_t *choice)
{
    for (size_t k = nseg; k-- > 0;) {
        size_t n = segs[k].list ? segs[k].list->n : 1;
        if (++choice[k] < n)
            return;
        choice[k] = 0;
    }
}

/* cross_product - every combination of the segments' names into dest. */
static int cross_product(struct expand *x, const struct seg *segs, size_t nseg,
                         struct namelist *dest, const char *s, size_t slen)
{
    size_t total = 1, *choice;
    int rc = 0;

    for (size_t k = 0; k < nseg; k++) {
        size_t n = segs[k].list ? segs[k].list->n : 1;
        if (n == 0)
            return 0;
        if (total > CFGD_MAX_NAMES / n)
            return too_big(x, s, slen, 1);
        total *= n;
    }
    choice = xcalloc(nseg ? nseg : 1, sizeof(*choice));
    for (size_t c = 0; c < total && rc == 0; c++) {
        rc = emit_one(x, segs, nseg, choice, dest, s, slen);
        next_choice(segs, nseg, choice);
    }
    free(choice);
    return rc;
}

/* expand_text - expand one item (or the caller's text) into dest. */
static int expand_text(struct expand *x, const char *s, size_t len,
                       struct namelist *dest)
{
    struct seg *segs = NULL;
    size_t nseg = 0, cap = 0;
    int rc = split_segments(x, s, len, &segs, &nseg, &cap);

    if (rc == 0)
        rc = cross_product(x, segs, nseg, dest, s, len);
    free(segs);
    return rc;
}

/* expand_single - text without "$": a one-element, lower-cased list. */
static int expand_single(const char *text, char ***out, size_t *n)
{
    *out = xmalloc(sizeof(**out));
    (*out)[0] = str_lower(xstrdup(text));
    *n = 1;
    return 0;
}

/* cfgd_macros_expand - set up the memo table, expand, hand the list over. */
int cfgd_macros_expand(const struct cfgd_macros *m, const char *text,
                       char ***out, size_t *n, struct cfgv_err *e)
{
    struct namelist res = { 0 };
    struct expand x = { 0 };
    size_t nm = m ? m->n : 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (!text)
        return set_err(e, 0, 1, "empty domain pattern");
    if (!strchr(text, '$'))
        return expand_single(text, out, n);
    x.m = m;
    x.memo = xcalloc(nm + 1, sizeof(*x.memo));
    x.stack = xcalloc(nm + 1, sizeof(*x.stack));
    x.top = text;
    x.e = e;
    rc = expand_text(&x, text, strlen(text), &res);
    for (size_t i = 0; i < nm; i++)
        nl_release(&x.memo[i].list);
    free(x.memo);
    free(x.stack);
    free(x.buf);
    if (rc != 0) {
        nl_release(&res);
        return -1;
    }
    free(res.slots);
    *out = res.v;
    *n = res.n;
    return 0;
}
