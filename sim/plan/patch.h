/* patch.h - line edits to a user's config file, written out as the edited
 * config and as a unified diff (`patch -p0 < warmup.patch` applies it),
 * so a planner's answer is a change to the user's own config rather than
 * a config of its own.
 *
 * Edits name lines of the original file (1-based): insert text before a
 * line (n_lines + 1: at the end) or replace one line. Edits never
 * overlap; several inserts before one line keep their order. */
#ifndef PATCH_H
#define PATCH_H

#include "config/cfg_model.h"
#include "util/diag.h"

#include <stddef.h>

struct patch_edit {
    int line;   /* insert before / replace this original line */
    int remove; /* 1: the original line is replaced */
    char *text; /* lines to insert, each ending in '\n' (may be "") */
    size_t seq; /* order of the call, for stable sorting */
};

struct patch {
    char *path;   /* the original file, as given */
    char **lines; /* original lines, without '\n' */
    size_t n_lines;
    struct patch_edit *e;
    size_t n_e;
};

/* patch_load - read path; 0, or -1 with errno. */
int patch_load(struct patch *p, const char *path);
void patch_release(struct patch *p);
void patch_insert(struct patch *p, int before_line, const char *text);
void patch_replace(struct patch *p, int line, const char *text);
/* patch_find_close - the first line after open_line whose first word is
 * close (e.g. "</virtual-mta>"), or 0. */
int patch_find_close(const struct patch *p, int open_line, const char *close);
/* patch_find_word - the first line in (from, to) whose words are a then b
 * (case-insensitive a, exact b), or 0. */
int patch_find_words(const struct patch *p, int from, int to, const char *a,
                     const char *b);
/* patch_text - the edited file (malloc). */
char *patch_text(const struct patch *p);
/* patch_diff - the unified diff from the original to the edited file,
 * with "--- a/NAME" and "+++ b/NAME" (malloc); "" when nothing changed. */
char *patch_diff(const struct patch *p, const char *name);

/* patch_need_file - 0 when the config block at o (a `what` named name)
 * is in the file whose absolute path is file_abs, the one file a patch
 * edits; else 1, with an error in dl naming the block, the file (config,
 * as the user gave it) and the planner. */
int patch_need_file(const struct cfg_origin *o, const char *file_abs,
                    const char *config, const char *what, const char *name,
                    const char *planner, struct diag_list *dl);

/* patch_load_config - the user's config that a planner patches: loaded
 * leniently (its warnings were shown by the pre-flight check, so not
 * again) into *cfg, with its absolute path in *abs (malloc). 0, or 1 with
 * errors in dl. */
int patch_load_config(const char *config, struct cfg_model **cfg, char **abs,
                      struct diag_list *dl);

#endif
