# common.gp - helpers shared by the mtasim plot scripts; each script loads it
# from its own folder. Not a plot itself.
#
# What it gives a script:
#   sq(s)            s quoted for the shell (for '< awk ...' pipes)
#   gpesc(s)         s escaped for a single-quoted gnuplot string (eval)
#   readable(f)      1 when file f can be read
#   term(fmt, w, h)  the 'set terminal' command for "png" or "svg": eval it,
#                    then 'set output BASE.".".fmt'
#   AWK_LIB          awk functions: csv(line, f) splits one CSV line into
#                    f[1..n] (RFC 4180 quoting); jstr(line) is the string
#                    value of a '"key": "value",' line of summary.json;
#                    jnum(line) is the number of a '"key": 12,' line, or of
#                    the "mean" of a replicated run's '"key": {' object;
#                    nm(s) makes s safe as a gnuplot word (no quotes, blanks)
#   NODATA           eval it to draw a blank panel saying nodata_msg
#   RESTORE          eval it after NODATA to get the border and tics back
#   tunit(tmax_s)    86400 (days) for runs over 3 days, else 3600 (hours)
#   tname(tu)        "days" or "hours"
#
# Everything written is noenhanced: queue names such as
# 'hotmail.com/{default}' and 'tail_0001' would otherwise turn into
# sub- and superscripts.

# Every script writes NAME.png and NAME.svg into out (default: the run
# folder); formats="svg" writes only the SVG (mtasim report inlines it).
if (!exists("formats")) { formats = "png svg" }

# notrail - s without a trailing slash; bn - the last part of a path (a
# run folder's name, which titles show instead of a machine path); bn2 -
# the last two parts, to tell apart two folders of one name.
notrail(s) = strlen(s) > 1 && s[strlen(s):] eq "/" ? notrail(s[1:strlen(s) - 1]) : s
bn(s) = notrail(s)[strlen(dn(notrail(s))) + 1:]
bn2(s) = strlen(dn(notrail(s))) > 1 ? bn(dn(notrail(s))) . "/" . bn(s) : bn(s)
# daystep - a tic step for nd days that keeps about 15 labels at most.
daystep(nd) = nd <= 15 ? 1 : (nd <= 30 ? 2 : (nd <= 75 ? 5 : (nd <= 150 ? 10 : 30)))

# sqesc - s with each ' replaced by '\'' (recursive: gnuplot has no gsub).
sqesc(s) = strstrt(s, "'") == 0 ? s : \
    substr(s, 1, strstrt(s, "'") - 1) . "'\\''" . \
    sqesc(substr(s, strstrt(s, "'") + 1, strlen(s)))
sq(s) = "'" . sqesc(s) . "'"
# gpesc - s for the inside of a single-quoted gnuplot string (' -> '').
gpesc(s) = strstrt(s, "'") == 0 ? s : \
    substr(s, 1, strstrt(s, "'")) . "'" . \
    gpesc(substr(s, strstrt(s, "'") + 1, strlen(s)))
readable(f) = system("test -r " . sq(f) . " && echo y") eq "y"

PNGTERM = strstrt(GPVAL_TERMINALS, " pngcairo ") ? "pngcairo" : "png"
term(fmt, w, h) = fmt eq "png" ? \
    sprintf("set terminal %s size %d,%d noenhanced font ',10' linewidth 1.2", \
            PNGTERM, w, h) : \
    sprintf("set terminal svg size %d,%d dynamic noenhanced font 'Sans,11' background rgb 'white'", \
            w, h)

tunit(tmax) = tmax > 3 * 86400 ? 86400 : 3600
tname(tu) = tu == 86400 ? "days" : "hours"

NODATA = 'unset key; unset xtics; unset ytics; unset y2tics; unset border; ' . \
         'unset grid; unset logscale; unset xlabel; unset ylabel; ' . \
         'set xrange [0:1]; set yrange [0:1]; ' . \
         'set label 99 nodata_msg at graph 0.5, 0.5 center font ",16"; ' . \
         'plot NaN notitle; unset label 99'
RESTORE = 'set border 3; set xtics; set ytics; set tics nomirror out; set key; ' . \
          'set grid xtics ytics lc rgb "#dddddd" lt 1 lw 1; ' . \
          'set xrange [*:*]; set yrange [*:*]'

# The awk library. Single-quoted gnuplot strings keep backslashes as they
# are, so the awk text reads as awk; it must not contain a single quote.
AWK_LIB = \
    'function csv(s, f,    n, i, c, q, v, L) { ' . \
    '  sub(/\r$/, "", s); ' . \
    '  if (index(s, "\"") == 0) return split(s, f, ","); ' . \
    '  n = 0; v = ""; q = 0; L = length(s); ' . \
    '  for (i = 1; i <= L; i++) { ' . \
    '    c = substr(s, i, 1); ' . \
    '    if (q) { ' . \
    '      if (c != "\"") v = v c; ' . \
    '      else if (substr(s, i + 1, 1) == "\"") { v = v c; i++ } ' . \
    '      else q = 0 ' . \
    '    } else if (c == "\"") q = 1; ' . \
    '    else if (c == ",") { f[++n] = v; v = "" } ' . \
    '    else v = v c ' . \
    '  } ' . \
    '  f[++n] = v; return n ' . \
    '} ' . \
    'function jstr(s) { ' . \
    '  sub(/^[^:]*:[ \t]*"/, "", s); sub(/",?[ \t\r]*$/, "", s); return s ' . \
    '} ' . \
    'function jnum(s) { ' . \
    '  if (s ~ /\{[ \t\r]*$/) while ((getline s) > 0) if (s ~ /"mean":/) break; ' . \
    '  sub(/^[^:]*:[ \t]*/, "", s); return s + 0 ' . \
    '} ' . \
    'function nm(s) { gsub(/["\\ \t]/, "_", s); gsub(sprintf("%c", 39), "_", s); return s == "" ? "_" : s } '

# A palette that survives colour-blindness and greyscale printing
# (Tableau 10); the total is always black.
set linetype 1 lc rgb "#1f77b4" lw 1.5
set linetype 2 lc rgb "#ff7f0e" lw 1.5
set linetype 3 lc rgb "#2ca02c" lw 1.5
set linetype 4 lc rgb "#d62728" lw 1.5
set linetype 5 lc rgb "#9467bd" lw 1.5
set linetype 6 lc rgb "#8c564b" lw 1.5
set linetype 7 lc rgb "#e377c2" lw 1.5
set linetype 8 lc rgb "#7f7f7f" lw 1.5
set linetype 9 lc rgb "#bcbd22" lw 1.5
set linetype 10 lc rgb "#17becf" lw 1.5
set linetype cycle 10
set grid xtics ytics lc rgb "#dddddd" lt 1 lw 1
set border 3 lc rgb "#444444"
set tics nomirror out
set key noautotitle

# tstep - x tic step for a run of tmax_s seconds drawn in unit tu: whole
# days, or 6/12 hours on short runs; 0 leaves it to gnuplot.
tstep(tmax, tu) = tu == 86400 ? (tmax > 40 * 86400 ? 0 : (tmax > 14 * 86400 ? 2 : 1)) : \
    (tmax > 48 * 3600 ? 12 : (tmax > 12 * 3600 ? 6 : 0))
