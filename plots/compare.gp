# compare.gp - two runs side by side (A solid, B dashed): total delivered
# per hour, total queued, the latency CDF of all mail, and a table of the
# headline figures from summary.json with the change from A to B, then the
# delivered count and p95 latency of each stream that differs (at most 4);
# replicated runs show the half-width of each figure's 95 % CI.
#
#   gnuplot -e "a='DIR_A'; b='DIR_B'; out='DIR'" plots/compare.gp
#
# Reads timeseries.csv, latency.csv and summary.json of both runs (only
# timeseries.csv is required); writes OUT/compare.png and OUT/compare.svg
# (out defaults to a). Typical use: the same scenario with two configs or
# two seeds.

if (!exists("a") || !exists("b")) {
    print "usage: gnuplot -e \"a='DIR_A'; b='DIR_B'; out='DIR'\" compare.gp"
    exit status 2
}
if (!exists("out")) { out = a }
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"

if (!readable(a . "/timeseries.csv")) {
    print "error: cannot read " . a . "/timeseries.csv"
    exit status 1
}
if (!readable(b . "/timeseries.csv")) {
    print "error: cannot read " . b . "/timeseries.csv"
    exit status 1
}
ornull(f) = readable(f) ? f : "/dev/null"

# For one run (awk -v P=A or P=B): $A_T 't_mid_s delivered_per_hour
# queued' from the total rows, $A_L 'latency_s cdf' of stream '*', and
# A_* variables with the summary figures: the plain members give the
# values, the same members under "figures" ({mean, ci_low, ci_high, values})
# the half-widths A_hw_* of their CIs (0 for a run without replications).
PROG = AWK_LIB . \
    'function jfig(s, k,    lo, hi) { if (s !~ /\{[ \t\r]*$/) return jnum(s); ' . \
    '  while ((getline s) > 0) { ' . \
    '    if (s ~ /"mean":/) { sub(/^[^:]*:[ \t]*/, "", s); m = s + 0 } ' . \
    '    else if (s ~ /"ci_low":/) { sub(/^[^:]*:[ \t]*/, "", s); lo = s + 0 } ' . \
    '    else if (s ~ /"ci_high":/) { sub(/^[^:]*:[ \t]*/, "", s); hi = s + 0; break } } ' . \
    '  hw[k] += (hi - lo) / 2; return m } ' . \
    'FILENAME == ARGV[1] { ' . \
    '  if ($0 ~ /^\t\t?"totals":/) sec = "t"; ' . \
    '  if ($0 ~ /^\t\t?"latency_s":/) sec = "l"; ' . \
    '  if ($0 ~ /^\t\t?"throughput_per_hour":/) sec = "p"; ' . \
    '  if ($0 ~ /^\t"queues":/) sec = "q"; ' . \
    '  if ($0 ~ /^\t\t"queues":/) sec = ""; ' . \
    '  if ($0 ~ /^\t\t?"providers":/) sec = ""; ' . \
    '  if ($0 ~ /^\t\t?"streams":/) sec = "s"; ' . \
    '  if ($0 ~ /^\t\t?"daily":/) sec = ""; ' . \
    '  if (sec == "s" && $0 ~ /"stream":/) { sx = jstr($0); ' . \
    '    if (!(sx in si)) { si[sx] = ++ns; sn[ns] = sx } cs = si[sx] } ' . \
    '  if (sec == "s" && $0 ~ /"delivered":/) v["sdel" cs] = jfig($0, "sdel" cs); ' . \
    '  if (sec == "s" && $0 ~ /"p95":/) v["sp95" cs] = jfig($0, "sp95" cs); ' . \
    '  if (sec == "t" && match($0, /"(injected|delivered|bounced|expired|deferrals|queued_at_end)":/)) ' . \
    '    { kk = substr($0, RSTART + 1, RLENGTH - 3); v[kk] = jfig($0, kk) } ' . \
    '  if (sec == "l" && match($0, /"(p50|p95)":/)) { kk = substr($0, RSTART + 1, RLENGTH - 3); v[kk] = jfig($0, kk) } ' . \
    '  if (sec == "p" && $0 ~ /"peak":/) v["peak"] = jfig($0, "peak"); ' . \
    '  if (sec == "q" && $0 ~ /"backoff_s":/) v["backoff_s"] += jnum($0); ' . \
    '  next } ' . \
    'FILENAME == ARGV[2] { if (FNR == 1) next; csv($0, f); if (f[3] != "*") next; ' . \
    '  t = f[1] + 0; ts[++nt] = t; del[nt] = f[9] + 0; qd[nt] = f[4] + 0; next } ' . \
    'FNR == 1 { next } ' . \
    '{ csv($0, f); if (f[1] != "*") next; if (!nl) { lx[++nl] = f[2] + 0; ly[nl] = 0 } ' . \
    '  lx[++nl] = f[3] + 0; ly[nl] = f[5] + 0 } ' . \
    'END { ' . \
    '  iv = 0; for (i = 2; i <= nt; i++) { d = ts[i] - ts[i-1]; if (d > 0 && (iv == 0 || d < iv)) iv = d } ' . \
    '  if (iv == 0 && nt > 0) iv = ts[1]; if (iv <= 0) iv = 3600; ' . \
    '  print "$" P "_T << EOD"; ' . \
    '  for (i = 1; i <= nt; i++) print ts[i] - iv / 2, del[i] * 3600 / iv, qd[i]; print "EOD"; ' . \
    '  print "$" P "_L << EOD"; for (i = 1; i <= nl; i++) print lx[i], ly[i]; print "EOD"; ' . \
    '  printf "%s_nt = %d; %s_nl = %d; %s_tmax = %.10g\n", P, nt, P, nl, P, nt ? ts[nt] : 0; ' . \
    '  n = split("injected delivered bounced expired deferrals queued_at_end p50 p95 peak backoff_s", k, " "); ' . \
    '  for (i = 1; i <= n; i++) { h = (k[i] in v); ' . \
    '    printf "%s_%s = %.10g; %s_has_%s = %d; %s_hw_%s = %.10g\n", P, k[i], v[k[i]] + 0, P, k[i], h, P, k[i], hw[k[i]] + 0 } ' . \
    '  printf "%s_ns = %d\n", P, ns; ' . \
    '  for (i = 1; i <= ns; i++) { printf "%s_sname%d = \"%s\"\n", P, i, nm(sn[i]); ' . \
    '    split("sdel sp95", sk, " "); for (j = 1; j <= 2; j++) { kk = sk[j] i; h = (kk in v); ' . \
    '      printf "%s_%s = %.10g; %s_has_%s = %d; %s_hw_%s = %.10g\n", P, kk, v[kk] + 0, P, kk, h, P, kk, hw[kk] + 0 } } ' . \
    '}'

load "< awk -v P=A " . sq(PROG) . " " . sq(ornull(a . "/summary.json")) . " " . \
     sq(a . "/timeseries.csv") . " " . sq(ornull(a . "/latency.csv"))
load "< awk -v P=B " . sq(PROG) . " " . sq(ornull(b . "/summary.json")) . " " . \
     sq(b . "/timeseries.csv") . " " . sq(ornull(b . "/latency.csv"))

la = bn(a) eq bn(b) ? bn2(a) : bn(a)
lb = bn(a) eq bn(b) ? bn2(b) : bn(b)

# hd - a duration in seconds for people.
hd(s) = s < 1 ? sprintf("%.0f ms", s * 1000) : s < 10 ? sprintf("%.1f s", s) : \
    s < 120 ? sprintf("%.0f s", s) : \
    s < 7200 ? sprintf("%.0f min", s / 60) : s < 172800 ? sprintf("%.1f h", s / 3600) : \
    sprintf("%.1f d", s / 86400)
# chg - the change from x to y in percent, for the table.
chg(x, y) = x == y ? "=" : x == 0 ? "new" : \
    abs(100.0 * (y - x) / x) < 1 ? sprintf("%+.2f%%", 100.0 * (y - x) / x) : \
    abs(100.0 * (y - x) / x) < 10 ? sprintf("%+.1f%%", 100.0 * (y - x) / x) : \
    sprintf("%+.0f%%", 100.0 * (y - x) / x)

tmax = A_tmax > B_tmax ? A_tmax : B_tmax
tu = tunit(tmax)
# both - the plot command for A and B, leaving out a run without rows.
one(blk, cols, col, dt, t) = sprintf("%s using %s with lines lc rgb '%s' lw 1.8 dt %d title '%s'", \
    blk, cols, col, dt, t)
both(ba, bb, na, nb, cols) = "plot " . \
    (na ? one(ba, cols, "#1f77b4", 1, "A: " . gpesc(la)) : "") . (na && nb ? ", " : "") . \
    (nb ? one(bb, cols, "#d62728", 2, "B: " . gpesc(lb)) : "")

# both2 - the same with a column spec per run; fa, fb - the delivered
# share of each run, which scales its latency CDF (latency.csv counts the
# delivered) to the injected recipients.
both2(ba, bb, na, nb, ca, cb) = "plot " . \
    (na ? one(ba, ca, "#1f77b4", 1, "A: " . gpesc(la)) : "") . (na && nb ? ", " : "") . \
    (nb ? one(bb, cb, "#d62728", 2, "B: " . gpesc(lb)) : "")
fa = A_has_injected && A_injected > 0 ? A_delivered / A_injected : 1
fb = B_has_injected && B_injected > 0 ? B_delivered / B_injected : 1

# The table: the summary.json keys, their names, and how to show a value
# (n/a when the run has no summary.json or the key).
rows = "injected delivered bounced expired queued_at_end deferrals peak p50 p95 backoff_s"
names = "injected|delivered|bounced|expired|still queued at the end|deferrals|" . \
        "peak delivered per hour|latency p50|latency p95|queue time in backoff"
# The streams whose delivered count or p95 latency differ between A and B
# (same name at the same place; at most 4), each as two more rows.
ns_shown = 0
if (A_ns > 0 && B_ns > 0) {
    do for [i=1:(A_ns < B_ns ? A_ns : B_ns)] {
        si = sprintf("%d", i)
        if (ns_shown < 4 && value("A_sname" . si) eq value("B_sname" . si) && \
            (value("A_sdel" . si) != value("B_sdel" . si) || \
             value("A_sp95" . si) != value("B_sp95" . si))) {
            rows = rows . " sdel" . si . " sp95" . si
            names = names . "|stream " . value("A_sname" . si) . ": delivered" . \
                "|stream " . value("A_sname" . si) . ": latency p95"
            ns_shown = ns_shown + 1
        }
    }
}
field(s, i) = i <= 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|") - 1] : s) : \
    field(strstrt(s, "|") ? s[strstrt(s, "|") + 1:] : "", i - 1)
fmtv(k, x) = (k eq "p50" || k eq "p95" || strstrt(k, "sp95") == 1) ? hd(x) : \
    k eq "backoff_s" ? sprintf("%.1f h", x / 3600) : sprintf("%.0f", x)
# A replicated run's figure carries the half-width of its 95 % CI.
cell(run, k) = value(run . "_has_" . k) ? fmtv(k, value(run . "_" . k)) . \
    (value(run . "_hw_" . k) > 0 ? " ±" . fmtv(k, value(run . "_hw_" . k)) : "") : "n/a"
delta(k) = value("A_has_" . k) && value("B_has_" . k) ? \
    chg(value("A_" . k), value("B_" . k)) : ""

# panel_time - settings shared by the two time panels.
panel_time = 'set xlabel sprintf("time since start (%s)", tname(tu)); ' . \
    'set xrange [0:(tmax > 0 ? tmax / tu : 1)]; set yrange [0:*]; ' . \
    'set key top right opaque box lc rgb "#cccccc"; set mxtics 2; ' . \
    'if (tstep(tmax, tu) > 0) { set xtics tstep(tmax, tu) }'

do for [fmt in formats] {
    eval term(fmt, 1300, 900)
    set output out . "/compare." . fmt
    set multiplot layout 2, 2 title sprintf("A: %s    vs    B: %s", la, lb) \
        margins 0.07, 0.97, 0.08, 0.9 spacing 0.08, 0.12

    eval RESTORE
    eval panel_time
    set title "Delivered per hour (all queues)"
    set ylabel "delivered per hour (messages)"
    if (A_nt + B_nt == 0) {
        nodata_msg = "no report intervals in either run"
        eval NODATA
        eval RESTORE
    } else {
        eval both("$A_T", "$B_T", A_nt, B_nt, "($1 / tu):2")
    }

    eval panel_time
    set title "Recipients queued (all queues)"
    set ylabel "recipients queued"
    if (A_nt + B_nt == 0) {
        eval NODATA
        eval RESTORE
    } else {
        eval both("$A_T", "$B_T", A_nt, B_nt, "($1 / tu):3")
    }

    set title "Delivery latency, all mail: share of injected recipients delivered"
    if (A_nl + B_nl == 0) {
        nodata_msg = "no deliveries in either run"
        eval NODATA
        eval RESTORE
    } else {
        set xlabel "time from injection to delivery (log scale)"
        set ylabel "share of injected recipients"
        set logscale x
        set xrange [*:*] noextend
        set yrange [0:1.02]
        set xtics ("10 ms" 0.01, "0.1 s" 0.1, "1 s" 1, "10 s" 10, "1 min" 60, \
                   "10 min" 600, "1 h" 3600, "6 h" 21600, "1 d" 86400, \
                   "4 d" 345600, "10 d" 864000, "30 d" 2592000)
        set key bottom right
        eval both2("$A_L", "$B_L", A_nl, B_nl, sprintf("1:($2 * %.10g)", fa), \
                   sprintf("1:($2 * %.10g)", fb))
        unset logscale x
    }

    # The table: labels in four columns on an empty plot.
    set title "Headline figures (summary.json" . \
        (A_hw_injected + B_hw_injected + A_hw_delivered + B_hw_delivered > 0 ? \
         "; ± half-width of the 95 % CI)" : ")")
    unset border
    unset xtics
    unset ytics
    unset grid
    unset key
    unset xlabel
    unset ylabel
    set xrange [0:1]
    set yrange [0:1]
    set label 2 "A" at graph 0.62, 0.95 right font ",11"
    set label 3 "B" at graph 0.82, 0.95 right font ",11"
    set label 4 "B vs A" at graph 0.98, 0.95 right font ",11"
    do for [i=1:words(rows)] {
        k = word(rows, i)
        yy = 0.95 - (words(rows) > 10 ? 0.85 / words(rows) : 0.085) * i
        set label (10 * i) field(names, i) at graph 0.02, yy
        set label (10 * i + 1) cell("A", k) at graph 0.62, yy right
        set label (10 * i + 2) cell("B", k) at graph 0.82, yy right
        set label (10 * i + 3) delta(k) at graph 0.98, yy right
    }
    plot NaN notitle
    unset label
    unset multiplot
    unset output
}
