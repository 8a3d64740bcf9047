# queues.gp - queue depth (recipients queued) over the run: the total and
# the 10 queues with the largest maximum depth.
#
#   gnuplot -e "run='DIR'" plots/queues.gp
#   gnuplot -e "run='DIR'; logy=1" plots/queues.gp    force a log y axis
#
# Reads DIR/timeseries.csv; writes DIR/queues.png and DIR/queues.svg. The
# y axis turns logarithmic by itself when the largest queue is over 20
# times the tenth one (a shared pool with a long tail); logy=0 or 1
# decides instead. A queue without a row in an interval held nothing.

if (!exists("run")) {
    print "usage: gnuplot -e \"run='DIR'\" queues.gp"
    exit status 2
}
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"
if (!exists("out")) { out = run }

ts = run . "/timeseries.csv"
if (!readable(ts)) {
    print "error: cannot read " . ts
    exit status 1
}

# Two passes over the file: the maxima, then the wide table $D (t_s total
# q1 ... qn) for the chosen queues.
PROG = AWK_LIB . \
    'BEGIN { K = 10 } ' . \
    'FNR == 1 { fi++; next } ' . \
    '{ csv($0, f); t = f[1] + 0; q = f[3]; d = f[4] + 0 } ' . \
    'fi == 1 { ' . \
    '  if (q == "*") { if (d > totmax) totmax = d; next } ' . \
    '  if (!(q in mx)) { qn[++nq] = q; mx[q] = 0 } ' . \
    '  if (d > mx[q]) mx[q] = d; next ' . \
    '} ' . \
    'fi == 2 && FNR == 2 { ' . \
    '  for (j = 1; j <= K && j <= nq; j++) { ' . \
    '    b = ""; for (i = 1; i <= nq; i++) { q = qn[i]; ' . \
    '      if (!(q in col) && mx[q] > 0 && (b == "" || mx[q] > mx[b])) b = q } ' . \
    '    if (b == "") break; col[b] = ++ns; sel[ns] = b ' . \
    '  } ' . \
    '} ' . \
    'fi == 2 { ' . \
    '  if (!(t in seen)) { seen[t] = 1; ts[++nt] = t } ' . \
    '  if (q == "*") tot[t] = d; else if (q in col) v[t, col[q]] = d ' . \
    '} ' . \
    'END { ' . \
    '  print "$D << EOD"; ' . \
    '  for (i = 1; i <= nt; i++) { t = ts[i]; line = t " " (tot[t] + 0); ' . \
    '    for (j = 1; j <= ns; j++) line = line " " (v[t, j] + 0); print line } ' . \
    '  print "EOD"; ' . \
    '  names = ""; for (j = 1; j <= ns; j++) names = names " " nm(sel[j]); ' . \
    '  small = ns ? mx[sel[ns]] : 0; ' . \
    '  printf "nq = %d; ns = %d; tmax = %.10g; totmax = %.10g; ratio = %.10g\n", ' . \
    '    nq, ns, nt ? ts[nt] : 0, totmax, (small > 0 ? mx[sel[1]] / small : 1); ' . \
    '  printf "qnames = \"%s\"\n", names ' . \
    '}'

load "< awk " . sq(PROG) . " " . sq(ts) . " " . sq(ts)

if (!exists("logy")) { logy = ratio > 20 }
tu = tunit(tmax)
set title sprintf("Queue depth: the %d deepest of %d queues, and the total\n%s", \
                  ns, nq, bn(run))
if (ns == nq) {
    set title sprintf("Queue depth per queue, and the total\n%s", bn(run))
}
set xlabel sprintf("time since start (%s)", tname(tu))
set ylabel "recipients queued" . (logy ? " (log scale)" : "")
set key below horizontal Left reverse samplen 3 spacing 1.2 width 2 height 1.5
set xrange [0:(tmax > 0 ? tmax / tu : 1)]
if (tstep(tmax, tu) > 0) { set xtics tstep(tmax, tu) }
set mxtics 2
if (logy) {
    set logscale y
    set yrange [1:*]
    set format y "%.0s%c"
} else {
    set yrange [0:*]
}
nodata_msg = "no recipients were ever queued"
# pos - a depth for the log axis: an empty queue leaves a gap.
pos(x) = logy && x <= 0 ? NaN : x
# The plot command holds only the parts that have data; with a single
# queue the total is that queue, drawn once.
one = ns == 1 && nq == 1
plotcmd = sprintf("$D using ($1 / tu):(pos($2)) with lines lc rgb 'black' lw 2 title '%s'", \
    one ? "total (one queue: " . gpesc(word(qnames, 1)) . ")" : "total")
if (!one && ns > 0) {
    plotcmd = plotcmd . ", for [i=1:ns] $D using ($1 / tu):(pos(column(i + 2))) " . \
        "with lines lt i title word(qnames, i)"
}

do for [fmt in formats] {
    eval term(fmt, 1100, 600)
    set output out . "/queues." . fmt
    if (totmax == 0) {
        eval NODATA
    } else {
        eval "plot " . plotcmd
    }
    unset output
}
