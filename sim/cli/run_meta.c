/* run_meta.c - the inputs, version and command line of summary.json. */
#include "cli/run_meta.h"
#include "cli/cli.h"
#include "config/cfg_model.h"
#include "input/scenario.h"
#include "util/filehash.h"
#include "util/strbuf.h"

#include <string.h>

/* file_json - {"path", "sha256", "bytes"}; null checksum and size when
 * the file cannot be read any more. */
static cJSON *file_json(const char *path)
{
    cJSON *o = cJSON_CreateObject();
    char hex[65];
    long long size;
    cJSON_AddStringToObject(o, "path", path);
    if (filehash_sha256(path, hex, &size) == 0) {
        cJSON_AddStringToObject(o, "sha256", hex);
        cJSON_AddNumberToObject(o, "bytes", (double)size);
    } else {
        cJSON_AddNullToObject(o, "sha256");
        cJSON_AddNullToObject(o, "bytes");
    }
    return o;
}

static cJSON *inputs_json(const struct scenario *sc,
                          const struct cfg_model *cfg)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddItemToObject(in, "scenario", file_json(sc->path));
    cJSON *conf = cJSON_AddArrayToObject(in, "config");
    size_t n = 0;
    const char *const *files = cfg ? cfg_model_files(cfg, &n) : NULL;
    if (n == 0)
        cJSON_AddItemToArray(conf, file_json(sc->config));
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(conf, file_json(files[i]));
    cJSON *models = cJSON_AddArrayToObject(in, "models");
    for (size_t i = 0; i < sc->n_models; i++)
        cJSON_AddItemToArray(models, file_json(sc->models[i]));
    if (sc->sendlist_file)
        cJSON_AddItemToObject(in, "sendlist", file_json(sc->sendlist_file));
    else
        cJSON_AddStringToObject(in, "sendlist",
                                "generated from the scenario's streams");
    return in;
}

cJSON *run_meta_json(const struct scenario *sc, const struct cfg_model *cfg,
                     const char *command_line)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "version", MTASIM_VERSION);
    if (command_line)
        cJSON_AddStringToObject(m, "command_line", command_line);
    cJSON_AddStringToObject(m, "scenario", sc->name);
    cJSON_AddItemToObject(m, "inputs", inputs_json(sc, cfg));
    return m;
}

/* needs_quotes - 1 when a shell would split or expand s. */
static int needs_quotes(const char *s)
{
    if (*s == 0)
        return 1;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789-_./=:,+@%",
                    *s))
            return 1;
    return 0;
}

char *run_meta_command_line(int argc, char **argv)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_adds(&sb, "mtasim");
    for (int i = 0; i < argc; i++) {
        strbuf_addc(&sb, ' ');
        if (!needs_quotes(argv[i])) {
            strbuf_adds(&sb, argv[i]);
            continue;
        }
        strbuf_addc(&sb, '\'');
        for (const char *c = argv[i]; *c; c++)
            if (*c == '\'')
                strbuf_adds(&sb, "'\\''");
            else
                strbuf_addc(&sb, *c);
        strbuf_addc(&sb, '\'');
    }
    return strbuf_detach(&sb);
}
