/* plot.h - the gnuplot scripts of plots/ for other commands (mtasim
 * report): one plot drawn as an SVG into a folder of the caller's. */
#ifndef PLOT_H
#define PLOT_H

/* plot_svg - draw plot name ("throughput", "queues", "latency",
 * "timeline", or "compare" of dir against dir_b) as out_dir/NAME.svg.
 * Returns 0; 1 when the script failed (said on stderr); 2 when gnuplot or
 * the scripts cannot be found (said nothing: the caller decides). */
int plot_svg(const char *name, const char *dir, const char *dir_b,
             const char *out_dir);

#endif
