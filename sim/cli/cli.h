/* cli.h - the mtasim subcommands. Each takes the arguments after its name
 * and returns the process exit status (0 ok, 1 errors in the input, 2 bad
 * usage). Only this layer prints. */
#ifndef CLI_H
#define CLI_H

int cmd_check(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_plan(int argc, char **argv);
/* cmd_report - version: mtasim's, which the page names. */
int cmd_report(int argc, char **argv, const char *version);

#endif
