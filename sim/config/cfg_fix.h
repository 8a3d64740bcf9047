/* cfg_fix.h - `mtasim check --fix`: a config file rewritten in real
 * PowerMTA syntax. Every line the parser mapped from the blog dialect (or a
 * deprecated name) is replaced by its equivalent; every other line, comments
 * included, is copied unchanged. */
#ifndef CFG_FIX_H
#define CFG_FIX_H

#include "config/cfg_model.h"
#include "util/strbuf.h"

/* cfg_fix_render - the fixed text of file (as named in diagnostics) into
 * out. Returns 0, or -1 when the file cannot be read (errno set). */
int cfg_fix_render(const struct cfg_model *m, const char *file,
                   struct strbuf *out);
/* cfg_fix_files - how many files have edits; *first gets one of them. */
size_t cfg_fix_edited_files(const struct cfg_model *m, const char **names,
                            size_t max);

#endif
