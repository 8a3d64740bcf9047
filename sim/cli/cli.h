/* cli.h - the mtasim subcommands. Each takes the arguments after its name
 * and returns the process exit status (0 ok, 1 errors in the input, 2 bad
 * usage). Only this layer prints. */
#ifndef CLI_H
#define CLI_H

/* The version mtasim prints, records in summary.json and puts on its
 * report pages; the Makefile reads it from here for the man page. */
#define MTASIM_VERSION "0.2.0"

int cmd_check(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_plan(int argc, char **argv);
/* cmd_report - version: mtasim's, which the page names. */
int cmd_report(int argc, char **argv, const char *version);
int cmd_fit(int argc, char **argv);

/* The pre-flight check (preflight.c): `check SCENARIO`, and the check
 * run before `run`, `compare` and `plan` (0, or 1 after errors in dl). */
struct scenario;
struct diag_list;
int cmd_check_scenario(int argc, char **argv);
int cli_is_scenario_arg(const char *arg);
int cli_preflight(const struct scenario *sc, struct diag_list *dl);

#endif
