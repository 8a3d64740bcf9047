/* main.c - mtasim: dispatch to a subcommand. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *fp)
{
    fputs(
        "usage: mtasim COMMAND [OPTIONS] ...\n"
        "\n"
        "mtasim simulates PowerMTA delivery throttling against provider\n"
        "response models, so you can tune a config before it touches a\n"
        "live IP.\n"
        "\n"
        "commands:\n"
        "  check CONFIG    read a PowerMTA config the way PowerMTA does,\n"
        "                  report what it did not understand, show the\n"
        "                  resolved per-queue settings, rewrite blog-dialect\n"
        "                  lines in real syntax (--fix)\n"
        "  check SCENARIO  the pre-flight check alone: the scenario against\n"
        "                  its config and models (run, compare and plan do\n"
        "                  it first)\n"
        "  run SCENARIO    simulate a scenario: its send list through the\n"
        "                  config into the provider models, over days;\n"
        "                  writes summary.json and CSV reports\n"
        "  compare SCENARIO --config A --config B\n"
        "                  the same send list through two configs, with\n"
        "                  common random numbers: what changed, and is it\n"
        "                  more than noise (--replications R)\n"
        "  plan capacity SCENARIO --volume N --within D\n"
        "                  the fewest warmed IPs for N messages within D\n"
        "  plan warmup SCENARIO [--days N] [--target N/day]\n"
        "                  a day-by-day warm-up schedule for the new IPs,\n"
        "                  checked end to end (warmup.conf, schedule.csv)\n"
        "  plot DIR        draw a run's reports as PNG and SVG (gnuplot)\n"
        "  gen SCENARIO    write the scenario's send list as CSV\n"
        "  fit ACCT_FILE...  calibrate the provider models from PowerMTA\n"
        "                  accounting files (--check: replay and compare)\n"
        "  report DIR      one self-contained HTML page about a run (tables,\n"
        "                  plots, CIs; --compare DIR_B)\n"
        "  help            this text ('mtasim COMMAND --help' for more)\n"
        "  version         print the version\n"
        "\n"
        "options every command spells the same way: -o/--out, -q/--quiet,\n"
        "--seed N, -j/--jobs J, --force (clear an output folder mtasim did\n"
        "not write), -h/--help; durations need a unit (6h, 30m, 2d).\n"
        "\n"
        "exit status: 0 success; 1 errors in the input or a failed run; 2 bad\n"
        "usage; 3 an output folder that is not mtasim's (nothing written).\n",
        fp);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "gen") == 0)
        return cmd_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "plan") == 0)
        return cmd_plan(argc - 1, argv + 1);
    if (strcmp(cmd, "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1, MTASIM_VERSION);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("mtasim %s\n", MTASIM_VERSION);
        return 0;
    }
    fprintf(stderr, "mtasim: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
