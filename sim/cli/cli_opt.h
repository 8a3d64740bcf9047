/* cli_opt.h - one option parser for every subcommand.
 *
 * The options several commands share are spelled, parsed and checked in
 * one place, so that they mean the same everywhere:
 *   -o, --out DIR|FILE   where the command writes
 *   -q, --quiet          nothing on stdout but errors
 *   --seed N             the random seed (a non-negative integer)
 *   -j, --jobs J         processes for replications (a positive integer)
 *   --replications R     independent runs (a positive integer)
 *   --force              clear an output folder mtasim did not write
 *   -h, --help           the help text and the exit codes
 * A command lists its own options in a getopt_long table and names the
 * shared ones it takes (enum cli_opt_flags); cli_opt_next hands it only
 * its own. */
#ifndef CLI_OPT_H
#define CLI_OPT_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

enum cli_opt_flags {
    CLI_O_OUT = (1 << 0),
    CLI_O_QUIET = (1 << 1),
    CLI_O_SEED = (1 << 2),
    CLI_O_JOBS = (1 << 3),
    CLI_O_FORCE = (1 << 4),
    CLI_O_REPS = (1 << 5),
};

/* The shared options' values after parsing. */
struct cli_common {
    const char *out; /* NULL when not given */
    uint64_t seed;
    int have_seed;
    int jobs;              /* 1 when not given */
    uint64_t replications; /* 1 when not given */
    int quiet, force;
};

#define CLI_OPT_MAX 40
struct cli_opt {
    const char *cmd;  /* "mtasim run", for messages */
    const char *help; /* the command's help text (without exit codes) */
    unsigned flags;
    struct option longopts[CLI_OPT_MAX];
    char shorts[CLI_OPT_MAX * 2];
    struct cli_common c;
};

/* cli_opt_init - the parser for cmd: the shared options in flags, then
 * the command's own (own: a table ending in a NULL name; own_shorts: their
 * short letters in getopt syntax, "" when none). Resets getopt. */
void cli_opt_init(struct cli_opt *p, const char *cmd, const char *help,
                  unsigned flags, const struct option *own,
                  const char *own_shorts);

/* Returned by cli_opt_next when parsing is over before the arguments:
 * after --help (*status 0) or a usage error (*status 2, said on stderr). */
#define CLI_OPT_STOP (-2)

/* cli_opt_next - the next option of the command's own (its getopt id; the
 * value in optarg), -1 at the end of the options, or CLI_OPT_STOP. */
int cli_opt_next(struct cli_opt *p, int argc, char **argv, int *status);

/* cli_usage - "CMD: MSG; try 'CMD --help'" on stderr; returns 2. */
int cli_usage(const struct cli_opt *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_print_help - text, then the exit codes every command shares (with
 * 3, the refused output folder, for commands that take --force). */
void cli_print_help(FILE *fp, const char *text, unsigned flags);

#endif
