/* model_pick.c - fitted models replace the shipped ones they name. */
#include "run/model_pick.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* model_names - a model's name ("name", else the file stem) and, for a
 * fitted model, the name it replaces (both malloc'd; NULL if none). */
static void model_names(const char *path, char **name, char **replaces)
{
    struct strbuf sb;
    cJSON *root = NULL;

    *name = *replaces = NULL;
    strbuf_init(&sb);
    if (strbuf_read_file(&sb, path) == 0)
        root = cJSON_Parse(sb.buf);
    strbuf_release(&sb);
    if (root == NULL)
        return;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "name");
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(root, "_fit");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(fit, "replaces");
    if (cJSON_IsString(n)) {
        *name = xstrdup(n->valuestring);
    } else {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t len = strlen(base);
        if (len > 5 && strcmp(base + len - 5, ".json") == 0)
            len -= 5;
        *name = xstrndup(base, len);
    }
    if (cJSON_IsString(r))
        *replaces = xstrdup(r->valuestring);
    cJSON_Delete(root);
}

void model_pick(char *const *paths, size_t n, unsigned char *skip)
{
    char **name = xcalloc(n ? n : 1, sizeof(char *));
    char **repl = xcalloc(n ? n : 1, sizeof(char *));

    for (size_t i = 0; i < n; i++) {
        skip[i] = 0;
        model_names(paths[i], &name[i], &repl[i]);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; repl[i] && j < n; j++)
            if (j != i && repl[j] == NULL && name[j] &&
                strcmp(name[j], repl[i]) == 0)
                skip[j] = 1;
    for (size_t i = 0; i < n; i++) {
        free(name[i]);
        free(repl[i]);
    }
    free(name);
    free(repl);
}

int model_load_all(struct prov_world *w, char *const *paths, size_t n,
                   struct diag_list *dl)
{
    unsigned char *skip = xcalloc(n + 1, 1);
    int rc = 0;

    model_pick(paths, n, skip); /* fitted ones win */
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!skip[i] && prov_world_load(w, paths[i], dl) < 0)
            rc = -1;
    free(skip);
    return rc;
}
