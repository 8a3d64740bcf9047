# warmup.gp - an IP warm-up schedule: the volume per day for each provider
# (summed over its source IPs) and the total; below it the expected
# deferral rate (volume-weighted over the IPs) and the expected 95th
# percentile latency (the worst IP) per provider and day.
#
#   gnuplot -e "run='DIR'" plots/warmup.gp
#   gnuplot -e "run='DIR'; logy=0" plots/warmup.gp   force a linear volume axis
#
# Reads DIR/schedule.csv, with the columns
#   day,ip,provider,volume,expected_deferral_rate,expected_p95_latency_s
# (found by name when the file has that header line, else taken in this
# order; a deferral rate above 1 is read as a percentage); writes
# DIR/warmup.png and DIR/warmup.svg. The volume axis is logarithmic when
# the daily total grows more than 20-fold, as warm-ups that double daily do.

if (!exists("run")) {
    print "usage: gnuplot -e \"run='DIR'\" warmup.gp"
    exit status 2
}
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"
if (!exists("out")) { out = run }

sched = run . "/schedule.csv"
if (!readable(sched)) {
    print "error: cannot read " . sched
    exit status 1
}

# $V 'day total p1 ... pn' (volume), $R 'day p1 ... pn' (deferral %) and
# $L 'day p1 ... pn' (p95 seconds); NaN where a provider has no volume.
PROG = AWK_LIB . \
    'BEGIN { split("day ip provider volume expected_deferral_rate expected_p95_latency_s", h0, " "); ' . \
    '  for (i = 1; i <= 6; i++) c[h0[i]] = i } ' . \
    '/^[ \t]*(#|$)/ { next } ' . \
    '{ n = csv($0, f); for (i = 1; i <= n; i++) gsub(/^[ \t]+|[ \t]+$/, "", f[i]) } ' . \
    'FNR == 1 && f[1] !~ /^[0-9.+-]/ { for (i = 1; i <= n; i++) if (f[i] in c) c[f[i]] = i; next } ' . \
    '{ d = f[c["day"]] + 0; p = nm(f[c["provider"]]); v = f[c["volume"]] + 0; ' . \
    '  r = f[c["expected_deferral_rate"]]; l = f[c["expected_p95_latency_s"]]; ' . \
    '  if (!(d in dseen)) { dseen[d] = 1; dd[++nd] = d } ' . \
    '  if (!(p in pv)) { pn[++np] = p; pv[p] = 0 } ' . \
    '  vol[d, p] += v; tot[d] += v; pv[p] += v; ' . \
    '  if (r != "") { r += 0; if (r > 1) pct = 1; rw[d, p] += r * v; rv[d, p] += v } ' . \
    '  if (l != "" && (!((d, p) in lat) || l + 0 > lat[d, p])) lat[d, p] = l + 0; ' . \
    '  if (l + 0 > lmax) lmax = l + 0 } ' . \
    'END { ' . \
    '  for (i = 2; i <= nd; i++) { x = dd[i]; for (j = i - 1; j >= 1 && dd[j] > x; j--) dd[j + 1] = dd[j]; dd[j + 1] = x } ' . \
    '  ns = 0; for (k = 1; k <= np; k++) { b = ""; for (i = 1; i <= np; i++) { p = pn[i]; ' . \
    '      if (!(p in used) && (b == "" || pv[p] > pv[b])) b = p } used[b] = 1; sel[++ns] = b } ' . \
    '  tmin = 0; tmaxv = 0; ' . \
    '  print "$V << EOD"; for (i = 1; i <= nd; i++) { d = dd[i]; line = d " " tot[d]; ' . \
    '    if (tot[d] > 0 && (tmin == 0 || tot[d] < tmin)) tmin = tot[d]; if (tot[d] > tmaxv) tmaxv = tot[d]; ' . \
    '    for (j = 1; j <= ns; j++) line = line " " (vol[d, sel[j]] > 0 ? vol[d, sel[j]] : "NaN"); print line } ' . \
    '  print "EOD"; print "$R << EOD"; for (i = 1; i <= nd; i++) { d = dd[i]; line = d; ' . \
    '    for (j = 1; j <= ns; j++) { p = sel[j]; ' . \
    '      line = line " " (rv[d, p] > 0 ? rw[d, p] / rv[d, p] * (pct ? 1 : 100) : "NaN") } print line } ' . \
    '  print "EOD"; print "$L << EOD"; for (i = 1; i <= nd; i++) { d = dd[i]; line = d; ' . \
    '    for (j = 1; j <= ns; j++) line = line " " (((d, sel[j]) in lat) ? lat[d, sel[j]] : "NaN"); print line } ' . \
    '  print "EOD"; names = ""; for (j = 1; j <= ns; j++) names = names " " sel[j]; ' . \
    '  printf "nd = %d; np = %d; dmin = %.10g; dmax = %.10g; growth = %.10g; lmax = %.10g\n", ' . \
    '    nd, ns, nd ? dd[1] : 0, nd ? dd[nd] : 1, (tmin > 0 ? tmaxv / tmin : 1), lmax + 0; ' . \
    '  printf "pnames = \"%s\"\n", names ' . \
    '}'

load "< awk " . sq(PROG) . " " . sq(sched)

if (!exists("logy")) { logy = growth > 20 }
nodata_msg = "the schedule is empty"
set key below horizontal Left reverse samplen 3 spacing 1.2 width 2 height 1.5
# p95 in seconds, minutes or hours, whichever reads best for the largest.
lu = lmax > 7200 ? 3600 : (lmax > 120 ? 60 : 1)
xr = sprintf("set xrange [%g:%g]", dmin - 0.3, dmax + 0.3)

do for [fmt in formats] {
    eval term(fmt, 1100, 850)
    set output out . "/warmup." . fmt
    if (nd == 0) {
        eval NODATA
    } else {
        set multiplot title sprintf("Warm-up schedule\n%s", bn(run))
        # Top: the volume.
        set origin 0, 0.42
        set size 1, 0.52
        eval RESTORE
        eval xr
        set xtics daystep(dmax - dmin + 1)
        set title "Volume per day, by provider (sum over its IPs)"
        set xlabel "day of the warm-up"
        set ylabel "messages per day" . (logy ? " (log scale)" : "")
        if (logy) {
            set logscale y
            set format y "%.0s%c"
        } else {
            set yrange [0:*]
        }
        plot $V using 1:2 with linespoints lc rgb "black" lw 2 pt 7 ps 0.6 title "total", \
             for [i=1:np] $V using 1:(column(i + 2)) with linespoints lt i pt 7 ps 0.6 \
                 title word(pnames, i)
        unset logscale y
        set format y "% h"
        unset key
        # Bottom left: the expected deferral rate.
        set origin 0, 0
        set size 0.5, 0.42
        set title "Expected deferral rate (volume-weighted)"
        set ylabel "expected deferral rate (%)"
        set yrange [0:*]
        plot for [i=1:np] $R using 1:(column(i + 1)) with linespoints lt i pt 7 ps 0.6
        # Bottom right: the expected p95 latency.
        set origin 0.5, 0
        set title "Expected p95 latency (worst IP)"
        set ylabel sprintf("p95 latency (%s)", lu == 3600 ? "hours" : (lu == 60 ? "minutes" : "seconds"))
        plot for [i=1:np] $L using 1:(column(i + 1) / lu) with linespoints lt i pt 7 ps 0.6
        unset multiplot
        set key
    }
    unset output
}
