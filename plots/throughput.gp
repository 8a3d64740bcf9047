# throughput.gp - messages delivered per hour over the run, one line per
# provider plus the total, next to the mail offered (injected) per hour
# (grey, filled); dashed steps show the provider model's capacity per hour
# (summed over source IPs) from daily.csv.
#
#   gnuplot -e "run='DIR'" plots/throughput.gp
#
# Reads DIR/summary.json (queue -> provider), DIR/timeseries.csv and, when
# present, DIR/daily.csv; writes DIR/throughput.png and DIR/throughput.svg.
# Queues are summed per provider by an awk step: the timeseries has one row
# per queue and report interval, and 'delivered' counts the interval, so it
# is scaled to per hour. At most 8 providers get a line; the rest are summed
# into 'other'. A capacity line is drawn only for a provider whose peak
# reaches half of it (where the limit binds); a far-away limit would only
# flatten the picture.

if (!exists("run")) {
    print "usage: gnuplot -e \"run='DIR'\" throughput.gp"
    exit status 2
}
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"
if (!exists("out")) { out = run }

summary = run . "/summary.json"
ts = run . "/timeseries.csv"
ev = run . "/daily.csv"
if (!readable(summary)) {
    print "error: cannot read " . summary
    exit status 1
}
if (!readable(ts)) {
    print "error: cannot read " . ts
    exit status 1
}
if (!readable(ev)) { ev = "/dev/null" }

# The awk step prints gnuplot code: $D (t_mid_s total p1 p2 ...), $C (one
# block per provider capacity: t_s per_hour) and the variables below.
PROG = AWK_LIB . \
    'BEGIN { K = 8 } ' . \
    'FNR == 1 { fi++ } ' . \
    'fi == 1 { ' . \
    '  if ($0 ~ /^[ \t]*"queue":/) pq = jstr($0); ' . \
    '  else if ($0 ~ /^[ \t]*"provider":/ && pq != "") { prov[pq] = nm(jstr($0)); pq = "" } ' . \
    '  next ' . \
    '} ' . \
    'fi == 2 { ' . \
    '  if (FNR == 1) { n = split($0, h, ","); for (i = 1; i <= n; i++) if (h[i] == "injected") ic = i; next } ' . \
    '  csv($0, f); t = f[1] + 0; q = f[3]; d = f[9] + 0; ' . \
    '  if (!(t in seen)) { seen[t] = 1; ts[++nt] = t } ' . \
    '  if (q == "*") { tot[t] += d; all += d; offer[t] += ic ? f[ic] : 0; next } ' . \
    '  p = (q in prov) ? prov[q] : "unmapped"; ' . \
    '  if (!(p in pt)) { pn[++np] = p; pt[p] = 0 } ' . \
    '  v[t, p] += d; pt[p] += d; next ' . \
    '} ' . \
    'fi == 3 { ' . \
    '  if (FNR == 1) next; csv($0, f); p = nm(f[2]); c = f[10]; ' . \
    '  if (c == "") { unlimited[p] = 1; next } c += 0; ' . \
    '  t = f[1] * 86400; if (!(t in cseen)) { cseen[t] = 1; ct[++nct] = t } ' . \
    '  cap[t, p] += c; hascap[p] = 1 ' . \
    '} ' . \
    'END { ' . \
    '  iv = 0; ' . \
    '  for (i = 2; i <= nt; i++) { dd = ts[i] - ts[i-1]; if (dd > 0 && (iv == 0 || dd < iv)) iv = dd } ' . \
    '  if (iv == 0 && nt > 0) iv = ts[1]; if (iv <= 0) iv = 3600; k = 3600 / iv; ' . \
    '  ns = 0; ' . \
    '  for (j = 1; j <= K && j <= np; j++) { ' . \
    '    b = ""; for (i = 1; i <= np; i++) { p = pn[i]; ' . \
    '      if (!(p in used) && pt[p] > 0 && (b == "" || pt[p] > pt[b])) b = p } ' . \
    '    if (b == "") break; used[b] = 1; sel[++ns] = b ' . \
    '  } ' . \
    '  rest = 0; for (i = 1; i <= np; i++) if (!(pn[i] in used) && pt[pn[i]] > 0) rest = 1; ' . \
    '  peak = 0; for (j = 1; j <= ns; j++) ppk[sel[j]] = 0; print "$D << EOD"; ' . \
    '  for (i = 1; i <= nt; i++) { t = ts[i]; line = (t - iv / 2) " " tot[t] * k " " offer[t] * k; ' . \
    '    if (tot[t] * k > peak) peak = tot[t] * k; ' . \
    '    if (offer[t] * k > opeak) opeak = offer[t] * k; ' . \
    '    o = tot[t]; ' . \
    '    for (j = 1; j <= ns; j++) { line = line " " v[t, sel[j]] * k; o -= v[t, sel[j]]; ' . \
    '      if (v[t, sel[j]] * k > ppk[sel[j]]) ppk[sel[j]] = v[t, sel[j]] * k }  ' . \
    '    if (rest) line = line " " o * k; print line } ' . \
    '  print "EOD"; ' . \
    '  names = ""; for (j = 1; j <= ns; j++) names = names " " sel[j]; ' . \
    '  if (rest) names = names " other"; ' . \
    '  nc = 0; cn = ""; cc = ""; print "$C << EOD"; ' . \
    '  for (j = 1; j <= ns; j++) { p = sel[j]; ' . \
    '    if (!(p in hascap) || (p in unlimited)) continue; ' . \
    '    mx = 0; for (i = 1; i <= nct; i++) if (cap[ct[i], p] > mx) mx = cap[ct[i], p]; ' . \
    '    if (ppk[p] < 0.5 * mx) continue; ' . \
    '    if (nc++) { print ""; print "" } ' . \
    '    for (i = 1; i <= nct; i++) if ((ct[i], p) in cap) { ' . \
    '      print ct[i], cap[ct[i], p]; last = ct[i]; lc = cap[ct[i], p] } ' . \
    '    print last + 86400, lc; cn = cn " " p; cc = cc " " j } ' . \
    '  print "EOD"; ' . \
    '  printf "n_t = %d; np = %d; nc = %d; interval_s = %.10g; tmax = %.10g\n", nt, ns + rest, nc, iv, nt ? ts[nt] : 0; ' . \
    '  printf "total_delivered = %.0f; peak = %.10g; offer_peak = %.10g\n", all, peak, opeak; ' . \
    '  printf "pnames = \"%s\"; cnames = \"%s\"; ccols = \"%s\"\n", names, cn, cc ' . \
    '}'

load "< awk " . sq(PROG) . " " . sq(summary) . " " . sq(ts) . " " . sq(ev)

tu = tunit(tmax)
set title sprintf("Messages offered and delivered per hour, by provider\n%s", bn(run))
set xlabel sprintf("time since start (%s)", tname(tu))
set ylabel "messages per hour"
set key below horizontal Left reverse samplen 3 spacing 1.2 width 2 height 1.5
set xrange [0:(tmax > 0 ? tmax / tu : 1)]
set yrange [0:*]
if (tstep(tmax, tu) > 0) { set xtics tstep(tmax, tu) }
set mxtics 2
nodata_msg = "no deliveries in this run"

# The plot command holds only the parts that have data: an empty 'for'
# still reads its data block and warns. With one provider the total is
# the same line, so it is drawn once.
plotcmd = sprintf("$D using ($1 / tu):2 with lines lc rgb 'black' lw 2 title '%s'", \
    np == 1 ? "delivered (all " . gpesc(word(pnames, 1)) . ")" : "delivered, total")
if (offer_peak > 0) {
    plotcmd = "$D using ($1 / tu):3 with filledcurves y1=0 fc rgb '#cfd8e3' " . \
        "fs solid 0.6 noborder title 'offered (injected), total', " . plotcmd
}
if (np > 1) {
    plotcmd = plotcmd . ", for [i=1:np] $D using ($1 / tu):(column(i + 3)) " . \
        "with lines lt i title word(pnames, i)"
}
if (nc > 0) {
    plotcmd = plotcmd . ", for [i=1:nc] $C index (i - 1) using ($1 / tu):2 " . \
        "with steps lt (0 + word(ccols, i)) dt 2 lw 1.2 " . \
        "title word(cnames, i) . ' capacity (model)'"
}

do for [fmt in formats] {
    eval term(fmt, 1100, 600)
    set output out . "/throughput." . fmt
    if (total_delivered == 0) {
        eval NODATA
    } else {
        eval "plot " . plotcmd
    }
    unset output
}
