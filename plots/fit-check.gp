# fit-check.gp - `mtasim fit --check`: the logged traffic against its
# replay through the fitted models. Top: delivered per hour, bottom:
# deferred per hour; per provider, the logs as solid lines and the
# simulation as dashed lines of the same colour.
#
#   gnuplot -e "run='DIR'" plots/fit-check.gp
#
# Reads DIR/fit-check.csv (provider,hour,logged_delivered,sim_delivered,
# logged_deferred,sim_deferred); writes DIR/fit-check.png and .svg.

if (!exists("run")) {
    print "usage: gnuplot -e \"run='DIR'\" fit-check.gp"
    exit status 2
}
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"

fc = run . "/fit-check.csv"
if (!readable(fc)) {
    print "error: cannot read " . fc
    exit status 1
}

# $F 'hour ld sd lt st' per provider, one data block (index) each, in
# the order of the file; pnames the providers.
PROG = AWK_LIB . \
    'FNR == 1 { next } ' . \
    '{ csv($0, f); p = nm(f[1]); if (!(p in seen)) { seen[p] = 1; pn[++np] = p } ' . \
    '  n[p]++; row[p, n[p]] = f[2] " " f[3] " " f[4] " " f[5] " " f[6]; ' . \
    '  if (f[2] + 0 > hmax) hmax = f[2] + 0; tot += f[3] + f[4] } ' . \
    'END { print "$F << EOD"; ' . \
    '  for (i = 1; i <= np; i++) { if (i > 1) { print ""; print "" } ' . \
    '    for (k = 1; k <= n[pn[i]]; k++) print row[pn[i], k] } ' . \
    '  print "EOD"; names = ""; for (i = 1; i <= np; i++) names = names " " pn[i]; ' . \
    '  printf "np = %d; tmax = %.10g; total = %.0f; pnames = \"%s\"\n", np, (hmax + 1) * 3600, tot, names }'

load "< awk " . sq(PROG) . " " . sq(fc)

tu = tunit(tmax)
set xlabel sprintf("time since the logs' first day (%s)", tname(tu))
set xrange [0:(tmax > 0 ? tmax / tu : 1)]
if (tstep(tmax, tu) > 0) { set xtics tstep(tmax, tu) }
set yrange [0:*]
set key outside right top Left reverse samplen 3
nodata_msg = "no delivered or deferred records"

do for [fmt in "png svg"] {
    eval term(fmt, 1100, 800)
    set output run . "/fit-check." . fmt
    if (total == 0 || np == 0) {
        eval NODATA
    } else {
        set multiplot layout 2, 1 title sprintf("Logged (solid) vs simulated (dashed)\n%s", run)
        set ylabel "delivered per hour"
        plot for [i=1:np] $F index (i - 1) using (($1 + 0.5) * 3600 / tu):2 \
                 with lines lt i lw 1 title word(pnames, i) . " logged", \
             for [i=1:np] $F index (i - 1) using (($1 + 0.5) * 3600 / tu):3 \
                 with lines lt i dt 2 lw 2.5 title word(pnames, i) . " simulated"
        set ylabel "deferred per hour"
        plot for [i=1:np] $F index (i - 1) using (($1 + 0.5) * 3600 / tu):4 \
                 with lines lt i lw 1 title word(pnames, i) . " logged", \
             for [i=1:np] $F index (i - 1) using (($1 + 0.5) * 3600 / tu):5 \
                 with lines lt i dt 2 lw 2.5 title word(pnames, i) . " simulated"
        unset multiplot
    }
    unset output
}
