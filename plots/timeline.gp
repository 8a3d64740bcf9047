# timeline.gp - what throttled the run, and when: one row per queue with
# bars for the time in backoff mode and with source IPs disabled, and
# markers for retry mode and refused connections; one row per provider@IP
# with bars for its deferral episodes and blocks.
#
#   gnuplot -e "run='DIR'" plots/timeline.gp
#
# Reads DIR/events.csv and, for the run's length, DIR/summary.json; writes
# DIR/timeline.png and DIR/timeline.svg. Bars come from event pairs
# (backoff-enter/exit, source-ip-disabled/enabled per IP, episode-start/end,
# block/unblock); one still open at the end runs to the end of the run (an
# episode to its announced duration_s). At most 12 queues are shown, those
# with the most time in a bar first, then those with the most events, and
# at most 8 provider@IP rows; the title says how many were left out.

if (!exists("run")) {
    print "usage: gnuplot -e \"run='DIR'\" timeline.gp"
    exit status 2
}
dn(s) = strstrt(s, "/") ? substr(s, 1, strstrt(s, "/")) . \
    dn(substr(s, strstrt(s, "/") + 1, strlen(s))) : ""
load dn(ARG0) . "common.gp"
if (!exists("out")) { out = run }

ev = run . "/events.csv"
summary = run . "/summary.json"
if (!readable(ev)) {
    print "error: cannot read " . ev
    exit status 1
}
if (!readable(summary)) { summary = "/dev/null" }

# The awk step pairs the events into bars and prints $B1 (backoff), $B2
# (source IP disabled), $B3 (episode), $B4 (block) as 'row start_s end_s',
# $M1 (retry mode) and $M2 (connection refused) as 'row t_s', the ytics
# command and the counts. Markers are thinned to one per row and 1/2000 of
# the run (what a picture can show), and rows are split by awk's own field
# splitting unless a quote comes before the event column, so a run with
# millions of events draws in seconds.
PROG = AWK_LIB . \
    'function row(q) { if (!(q in ev)) { rn[++nr] = q; ev[q] = 0; bs[q] = 0 } ev[q]++ } ' . \
    'function bar(k, q, a, b) { row(q); nb[k]++; bq[k, nb[k]] = q; ' . \
    '  ba[k, nb[k]] = a; bb[k, nb[k]] = b; bs[q] += b - a } ' . \
    'function mark(k, q, t,    b) { cnt[k]++; b = int(t / bucket) + 1; ' . \
    '  if (k == 1) { if (lb1[q] == b) { ev[q]++; return } lb1[q] = b } ' . \
    '  else { if (lb2[q] == b) { ev[q]++; return } lb2[q] = b } row(q); ' . \
    '  nm_[k]++; mq[k, nm_[k]] = q; mt[k, nm_[k]] = t } ' . \
    'function pick(want, K,    j, i, q, b, n) { n = 0; ' . \
    '  for (j = 1; j <= K; j++) { b = ""; ' . \
    '    for (i = 1; i <= nr; i++) { q = rn[i]; ' . \
    '      if ((q ~ /@/) != want || (q in y)) continue; ' . \
    '      if (want && bs[q] == 0) continue; ' . \
    '      if (b == "" || bs[q] > bs[b] || (bs[q] == bs[b] && ev[q] > ev[b])) b = q } ' . \
    '    if (b == "") break; y[b] = ny++; n++ } ' . \
    '  return n } ' . \
    'function dump(name, k, isbar,    i, q, n) { print name " << EOD"; n = 0; ' . \
    '  if (isbar) { for (i = 1; i <= nb[k]; i++) { q = bq[k, i]; ' . \
    '      if (q in y) { print y[q], ba[k, i], bb[k, i]; n++ } } } ' . \
    '  else { for (i = 1; i <= nm_[k]; i++) { q = mq[k, i]; ' . \
    '      if (q in y) { print y[q], mt[k, i]; n++ } } } ' . \
    '  print "EOD"; return n } ' . \
    'FILENAME == ARGV[1] { if ($0 ~ /^\t"duration_s":/) dur = jnum($0); next } ' . \
    'FNR == 1 { bucket = dur > 0 ? dur / 2000 : 60; FS = ","; next } ' . \
    '{ p = index($0, "\""); ' . \
    '  if (p == 0 || (p > length($1 $2 $3 $4) + 4 && $4 !~ /^(source-ip|episode-start)/)) { ' . \
    '    t = $1 + 0; q = $3; e = $4; d = $5; if (q == "" && NF >= 7) q = $(NF - 1) "@" $NF } ' . \
    '  else { n = csv($0, f); t = f[1] + 0; q = f[3]; e = f[4]; d = f[5]; ' . \
    '    if (q == "" && n >= 7) q = f[n - 1] "@" f[n] } ' . \
    '  if (t > tlast) tlast = t } ' . \
    'e == "backoff-enter" { if (!((q, "b") in op)) op[q, "b"] = t; row(q); nbk++; next } ' . \
    'e == "backoff-exit" { if ((q, "b") in op) { bar(1, q, op[q, "b"], t); delete op[q, "b"] } next } ' . \
    'e == "source-ip-disabled" { if (!((q, "s" d) in op)) { op[q, "s" d] = t; oq[q, "s" d] = q } row(q); next } ' . \
    'e == "source-ip-enabled" { if ((q, "s" d) in op) { bar(2, q, op[q, "s" d], t); delete op[q, "s" d] } next } ' . \
    'e == "episode-start" { if (!((q, "e") in op)) { op[q, "e"] = t; ' . \
    '    sub(/.*duration_s=/, "", d); ed[q] = t + d } row(q); nep++; next } ' . \
    'e == "episode-end" { if ((q, "e") in op) { bar(3, q, op[q, "e"], t); delete op[q, "e"] } next } ' . \
    'e == "block" { if (!((q, "k") in op)) op[q, "k"] = t; row(q); nbl++; next } ' . \
    'e == "unblock" { if ((q, "k") in op) { bar(4, q, op[q, "k"], t); delete op[q, "k"] } next } ' . \
    'e == "retry-mode" { mark(1, q, t); next } ' . \
    'e == "connection-refused" { mark(2, q, t); next } ' . \
    'END { ' . \
    '  tmax = dur > 0 ? dur : tlast; ' . \
    '  for (key in op) { split(key, kk, SUBSEP); q = kk[1]; c = substr(kk[2], 1, 1); ' . \
    '    if (c == "b") bar(1, q, op[key], tmax); ' . \
    '    else if (c == "s") bar(2, q, op[key], tmax); ' . \
    '    else if (c == "e") bar(3, q, op[key], (ed[q] > 0 && ed[q] < tmax) ? ed[q] : tmax); ' . \
    '    else if (c == "k") bar(4, q, op[key], tmax) } ' . \
    '  nqall = 0; npall = 0; ' . \
    '  for (i = 1; i <= nr; i++) if (rn[i] ~ /@/) { if (bs[rn[i]] > 0) npall++ } else nqall++; ' . \
    '  ny = 0; nq = pick(0, 12); np = pick(1, 8); ' . \
    '  n1 = dump("$B1", 1, 1); n2 = dump("$B2", 2, 1); n3 = dump("$B3", 3, 1); ' . \
    '  n4 = dump("$B4", 4, 1); m1 = dump("$M1", 1, 0); m2 = dump("$M2", 2, 0); ' . \
    '  tics = ""; for (q in y) tics = tics sprintf(", \"%s\" %d", nm(q), y[q]); ' . \
    '  if (ny) printf "set ytics (%s)\n", substr(tics, 3); ' . \
    '  printf "nrows = %d; nq = %d; np = %d; nqall = %d; npall = %d\n", ny, nq, np, nqall, npall; ' . \
    '  printf "n1 = %d; n2 = %d; n3 = %d; n4 = %d; m1 = %d; m2 = %d\n", n1, n2, n3, n4, m1, m2; ' . \
    '  printf "tmax = %.10g; n_backoff = %d; n_retry = %d; n_refused = %d; n_episodes = %d; n_blocks = %d\n", ' . \
    '    tmax, nbk, cnt[1], cnt[2], nep, nbl ' . \
    '}'

load "< awk " . sq(PROG) . " " . sq(summary) . " " . sq(ev)

tu = tunit(tmax)
left_out = (nqall > nq ? sprintf("%d of %d queues with events shown (most time in a bar, then most events)", nq, nqall) : "") . \
           (nqall > nq && npall > np ? "; " : "") . \
           (npall > np ? sprintf("%d of %d provider IPs shown", np, npall) : "")
set title sprintf("Throttling timeline: %d backoff entries, %d retry-mode entries, " . \
                  "%d refused connections, %d provider episodes, %d blocks\n%s%s%s", \
                  n_backoff, n_retry, n_refused, n_episodes, n_blocks, \
                  left_out, strlen(left_out) ? "\n" : "", bn(run))
set xlabel sprintf("time since start (%s)", tname(tu))
set key below horizontal Left reverse samplen 2 spacing 1.2 width 2 height 1
set xrange [0:(tmax > 0 ? tmax / tu : 1)]
if (tstep(tmax, tu) > 0) { set xtics tstep(tmax, tu) }
set mxtics 2
set yrange [(nrows - 0.5):-0.5]

set ytics scale 0
set grid noytics
set border 1
# Shade every other row so that markers read as part of their row.
do for [i=0:nrows - 1:2] {
    set object (100 + i) rect from graph 0, first (i - 0.5) to graph 1, first (i + 0.5) \
        fc rgb "#f3f3f3" fs solid noborder behind
}
if (nq > 0 && np > 0) {
    set arrow 1 from graph 0, first (nq - 0.5) to graph 1, first (nq - 0.5) \
        nohead dt 2 lc rgb "#888888"
}

# The plot is put together from the kinds that occur, so that an absent
# kind neither fails nor fills the legend.
bar(blk, col, what) = sprintf(", %s using (($2 + $3) / 2 / tu):1:(($3 - $2) / 2 / tu):(0.25) " . \
    "with boxxyerror lc rgb '%s' fs solid 0.85 border title '%s'", blk, col, what)
marks(blk, dy, pt, ps, col, what) = sprintf(", %s using ($2 / tu):($1 + %g) " . \
    "with points pt %d ps %g lc rgb '%s' title '%s'", blk, dy, pt, ps, col, what)
cmd = (n1 ? bar("$B1", "#d62728", "queue in backoff mode") : "") . \
      (n2 ? bar("$B2", "#ff7f0e", "source IP disabled for the queue") : "") . \
      (n3 ? bar("$B3", "#9467bd", "provider deferral episode") : "") . \
      (n4 ? bar("$B4", "#222222", "provider blocks the IP") : "") . \
      (m1 ? marks("$M1", -0.34, 11, 0.7, "#1f77b4", "retry mode (deferral, queue waits)") : "") . \
      (m2 ? marks("$M2", 0.34, 7, 0.35, "#7f7f7f", "connection refused") : "")
nodata_msg = "no backoff, retry-mode or provider episode events in this run"
height = nrows > 4 ? 200 + 34 * nrows : 340

do for [fmt in formats] {
    eval term(fmt, 1100, height)
    set output out . "/timeline." . fmt
    if (nrows == 0 || strlen(cmd) == 0) {
        eval NODATA
    } else {
        eval "plot " . cmd[3:]
    }
    unset output
}
