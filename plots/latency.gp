# latency.gp - the delivery latency CDF of each stream and of all mail, on
# a log time axis, with the median and 95th percentile in the legend. The
# CDF counts the injected recipients (summary.json), so a curve ends at the
# share delivered and the band above the all-mail curve is the mail that
# was not delivered (bounced, expired or still queued); without
# summary.json it counts the delivered ones.
#
#   gnuplot -e "run='DIR'" plots/latency.gp
#
# Reads DIR/latency.csv (stream,bin_low_s,bin_high_s,count,cdf; stream '*'
# is all mail) and, for the injected counts, DIR/summary.json; writes
# DIR/latency.png and DIR/latency.svg. The quantiles are read off the
# histogram, so they are as coarse as its bins (about 5% apart);
# summary.json has the exact ones. At most 8 streams are drawn,
# the largest first.

if (!exists("run")) {
    print "usage: gnuplot -e \"run='DIR'\" latency.gp"
    exit status 2
}
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"
if (!exists("out")) { out = run }

lat = run . "/latency.csv"
if (!readable(lat)) {
    print "error: cannot read " . lat
    exit status 1
}

# $D gets one block per stream ('*' first): bin_high_s cdf, starting from
# (first bin_low_s, 0). Titles carry n, p50 and p95.
PROG = AWK_LIB . \
    'function hdur(s) { ' . \
    '  if (s < 1) return sprintf("%.0f ms", s * 1000); ' . \
    '  if (s < 10) return sprintf("%.1f s", s); ' . \
    '  if (s < 120) return sprintf("%.0f s", s); ' . \
    '  if (s < 7200) return sprintf("%.0f min", s / 60); ' . \
    '  if (s < 172800) return sprintf("%.1f h", s / 3600); ' . \
    '  return sprintf("%.1f d", s / 86400) } ' . \
    'BEGIN { K = 8 } ' . \
    'FILENAME == ARGV[1] { ' . \
    '  if ($0 ~ /^\t"totals":/) intot = 1; ' . \
    '  if (intot && $0 ~ /"injected":/) { inj["*"] = jnum($0); intot = 0 } ' . \
    '  if ($0 ~ /^[ \t]*"stream":/) ps = jstr($0); ' . \
    '  else if (ps != "" && $0 ~ /^[ \t]*"injected":/) { inj[ps] = jnum($0); ps = "" } ' . \
    '  next } ' . \
    'FNR == 1 { next } ' . \
    '{ csv($0, f); s = f[1]; if (!(s in n)) { sn[++ns] = s; n[s] = 0 } ' . \
    '  k = ++nb[s]; lo[s, k] = f[2] + 0; hi[s, k] = f[3] + 0; ' . \
    '  cdf[s, k] = f[5] + 0; n[s] += f[4]; ' . \
    '  if (xmin == "" || lo[s, k] < xmin) xmin = lo[s, k]; ' . \
    '  if (hi[s, k] > xmax) xmax = hi[s, k] } ' . \
    'function q(s, p,    k) { for (k = 1; k <= nb[s]; k++) if (cdf[s, k] * fr[s] >= p) return hdur(hi[s, k]); ' . \
    '  return "not reached" } ' . \
    'END { ' . \
    '  for (i = 1; i <= ns; i++) { s = sn[i]; fr[s] = (s in inj) && inj[s] > 0 ? n[s] / inj[s] : 1 } ' . \
    '  m = 0; if ("*" in n) { sel[++m] = "*"; used["*"] = 1 } ' . \
    '  if (m == 1 && ns == 2) used[sn[1] == "*" ? sn[2] : sn[1]] = 1; ' . \
    '  while (m < K) { b = ""; for (i = 1; i <= ns; i++) { s = sn[i]; ' . \
    '      if (!(s in used) && (b == "" || n[s] > n[b])) b = s } ' . \
    '    if (b == "") break; used[b] = 1; sel[++m] = b } ' . \
    '  print "$D << EOD"; titles = ""; ' . \
    '  for (j = 1; j <= m; j++) { s = sel[j]; if (j > 1) { print ""; print "" } ' . \
    '    print lo[s, 1], 0; for (k = 1; k <= nb[s]; k++) print hi[s, k], cdf[s, k] * fr[s]; ' . \
    '    titles = titles "|" (s == "*" ? "all mail" : nm(s)); ' . \
    '    if (s == "*" && ns == 2) titles = titles " (one stream, " nm(sn[sn[1] == "*" ? 2 : 1]) ")"; ' . \
    '    titles = titles sprintf(": %d delivered", n[s]); ' . \
    '    if ((s in inj) && inj[s] > 0) titles = titles sprintf(" of %d injected (%.1f %%)", inj[s], 100 * fr[s]); ' . \
    '    titles = titles sprintf("; p50 %s, p95 %s", q(s, 0.5), q(s, 0.95)) } ' . \
    '  print "EOD"; ' . \
    '  printf "ns = %d; nall = %d; xmin = %.10g; xmax = %.10g\n", m, ns, xmin + 0, xmax + 0; ' . \
    '  printf "share_all = %.10g; of_injected = %d\n", (m ? fr[sel[1]] : 1), (m && (sel[1] in inj) && inj[sel[1]] > 0); ' . \
    '  printf "titles = \"%s\"\n", substr(titles, 2) ' . \
    '}'

summary = run . "/summary.json"
if (!readable(summary)) { summary = "/dev/null" }
load "< awk " . sq(PROG) . " " . sq(summary) . " " . sq(lat)

# field - the i-th '|'-separated part of s (titles hold blanks).
field(s, i) = i <= 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|") - 1] : s) : \
    field(strstrt(s, "|") ? s[strstrt(s, "|") + 1:] : "", i - 1)

set title sprintf("Delivery latency: share of %s recipients delivered within a time\n%s", \
    of_injected ? "injected" : "delivered", bn(run))
set xlabel "time from injection to delivery (log scale)"
set ylabel sprintf("share of %s recipients", of_injected ? "injected" : "delivered")
# The mail never delivered: a band above the all-mail curve's end.
if (of_injected && share_all < 0.999) {
    set object 1 rect from graph 0, first share_all to graph 1, first 1 \
        fc rgb "#f4cccc" fs solid 0.45 noborder behind
    set label 3 sprintf("not delivered: %.1f %% of injected", 100 * (1 - share_all)) \
        at graph 0.99, first (1 + share_all) / 2 right tc rgb "#9c2f2f"
}
set key below vertical Left reverse samplen 3 spacing 1.2 height 1
set logscale x
set xrange [(xmin > 0 ? xmin : 0.1):(xmax > xmin ? xmax * 1.05 : 10)]
set yrange [0:1.02]
set ytics 0.1
set format y "%.1f"
set xtics ("10 ms" 0.01, "0.1 s" 0.1, "1 s" 1, "10 s" 10, "1 min" 60, \
           "10 min" 600, "1 h" 3600, "6 h" 21600, "1 d" 86400, \
           "4 d" 345600, "10 d" 864000, "30 d" 2592000)
set mxtics default
set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 3 lc rgb "#888888"
set arrow 2 from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 3 lc rgb "#888888"
set label 1 "p50" at graph 0.005, first 0.5 offset 0, 0.6 tc rgb "#666666"
set label 2 "p95" at graph 0.005, first 0.95 offset 0, 0.6 tc rgb "#666666"
nodata_msg = "no deliveries, so no latency"

do for [fmt in formats] {
    eval term(fmt, 1000, 650)
    set output out . "/latency." . fmt
    if (ns == 0) {
        unset arrow
        unset label
        eval NODATA
    } else {
        plot for [i=1:ns] $D index (i - 1) using 1:2 with lines \
                 lt (i == 1 ? -1 : i - 1) lw (i == 1 ? 2 : 1.5) \
                 title field(titles, i)
    }
    unset output
}
