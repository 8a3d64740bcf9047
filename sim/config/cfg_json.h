/* cfg_json.h - the resolved config as JSON (`mtasim check --json`), for
 * tooling. Values carry their canonical config text plus typed numbers
 * (seconds, bytes, per-second rates) and where they came from. The caller
 * owns the returned cJSON tree (cJSON_Delete). */
#ifndef CFG_JSON_H
#define CFG_JSON_H

#include "config/cfg_model.h"

#include <cjson/cJSON.h>

/* cfg_json_model - everything; with queues == NULL, the settings of every
 * named domain of the config through every VMTA (up to a cap), else of
 * the given "domain/vmta" queue names (n of them). */
cJSON *cfg_json_model(const struct cfg_model *m, const char *const *queues,
                      size_t n);
/* cfg_json_qsettings - one queue's settings: {directive: {...}}. */
cJSON *cfg_json_qsettings(const struct cfg_qsettings *s);
/* cfg_origin_format - "file:line", or "default". */
void cfg_origin_format(const struct cfg_origin *o, char *buf, size_t n);

#endif
