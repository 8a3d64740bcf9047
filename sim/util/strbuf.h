/* strbuf.h - a growable, always NUL-terminated string (git's strbuf).
 *
 * A strbuf owns its buffer; strbuf_detach() hands it to the caller. */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *buf; /* never NULL after strbuf_init */
    size_t len;
    size_t cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* strbuf_detach - return the buffer (caller frees) and reset sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *data, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* strbuf_read_file - append the whole file at path (git's
 * strbuf_read_file); 0, or -1 with errno set: EISDIR for a directory,
 * EFBIG past STRBUF_READ_MAX bytes (a config, scenario or model is never
 * that big: /dev/zero is), the read's errno (else EIO) for a read error.
 * sb keeps what was read before an error. */
#define STRBUF_READ_MAX (64u * 1024 * 1024)
int strbuf_read_file(struct strbuf *sb, const char *path);
/* strbuf_add_json_string - append s as a JSON/CSV-safe quoted string. */
void strbuf_add_quoted(struct strbuf *sb, const char *s);

#endif
