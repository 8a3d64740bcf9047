/* preflight.c - `mtasim check SCENARIO`: the pre-flight check alone, and
 * the same check before `run`, `compare` and `plan` (plan/preflight.h). */
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "plan/preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_is_scenario_arg(const char *arg)
{
    size_t n = strlen(arg);
    if (n > 5 && strcmp(arg + n - 5, ".json") == 0)
        return 1;
    return cli_is_dir(arg) && cli_has_file(arg, "scenario.json");
}

int cli_preflight(const struct scenario *sc, struct diag_list *dl)
{
    return preflight_check(sc, dl) > 0 ? 1 : 0;
}

int cmd_check_scenario(int argc, char **argv)
{
    int strict = 0;
    const char *arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0)
            strict = 1;
        else if (argv[i][0] == '-' || arg) {
            fprintf(stderr, "mtasim check: a scenario takes only --strict "
                            "(warnings are errors)\n");
            return 2;
        } else
            arg = argv[i];
    }
    struct diag_list dl;
    diag_list_init(&dl, DIAG_DEFAULT_MAX_ERRORS);
    dl.warnings_are_errors = strict;
    char *path = cli_scenario_path(arg);
    char *models = cli_models_dir();
    struct scenario sc;
    int rc = scenario_load(path, models, &sc, &dl) == 0 ? 0 : 1;
    if (rc == 0) {
        preflight_check(&sc, &dl);
        rc = dl.n_errors > 0 || (strict && dl.n_warnings > 0);
        if (rc == 0)
            printf("%s: scenario, config (%s) and models agree (%zu "
                   "warning%s)\n",
                   path, sc.config, dl.n_warnings,
                   dl.n_warnings == 1 ? "" : "s");
        scenario_release(&sc);
    }
    diag_print_all(stderr, &dl, "mtasim check", isatty(STDERR_FILENO));
    diag_list_release(&dl);
    free(path);
    free(models);
    return rc;
}
