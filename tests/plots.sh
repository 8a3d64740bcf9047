#!/bin/sh
# tests/plots.sh - `mtasim plot` end to end: every gnuplot script of plots/
# draws a PNG and an SVG from a small run, a comparison of two seeds, the
# warm-up schedule in tests/plots/, and reports with no rows at all; plus
# the exit statuses and messages of the error cases. Needs gnuplot (CI
# installs gnuplot-nox); without it every check fails.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
is_png() { # the 8-byte PNG signature
    [ -s "$1" ] && [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]
}
is_svg() {
    [ -s "$1" ] && grep -q '<svg' "$1"
}
images() { # images DIR NAME... - each NAME.png and NAME.svg in DIR
    dir=$1
    shift
    for n in "$@"; do
        check "$n.png is a PNG" is_png "$dir/$n.png"
        check "$n.svg is an SVG" is_svg "$dir/$n.svg"
    done
}

if ! command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
    echo "gnuplot is not installed: install gnuplot-nox (make deps)"
    echo "# 0 passed, 1 failed"
    exit 1
fi

sc=tests/scenarios/small
"$mtasim" run "$sc" --out "$tmp/run" -q
"$mtasim" run "$sc" --out "$tmp/run2" --seed 4 -q

# A run folder: the four run plots, listed on stdout.
"$mtasim" plot "$tmp/run" >"$tmp/p.out" 2>"$tmp/p.err"
check "plot exits 0" [ $? -eq 0 ]
check "plot is quiet on stderr" [ ! -s "$tmp/p.err" ]
images "$tmp/run" throughput queues latency timeline
check "plot lists the 8 files" [ "$(grep -Ec "^$tmp/run/.*\.(png|svg)$" "$tmp/p.out")" -eq 8 ]
check "no warmup without schedule.csv" [ ! -e "$tmp/run/warmup.png" ]
check "no compare without --compare" [ ! -e "$tmp/run/compare.png" ]

# Two runs compared; the output goes into the first folder.
"$mtasim" plot "$tmp/run" --compare "$tmp/run2" >"$tmp/c.out" 2>&1
check "plot --compare exits 0" [ $? -eq 0 ]
images "$tmp/run" compare
check "compare is listed" grep -q "^$tmp/run/compare.png$" "$tmp/c.out"

# A replicated run's summary.json holds {mean, ci_low, ...} objects under
# "figures": the compare table shows the means (it once showed zeros) and
# the half-widths of their CIs.
"$mtasim" run "$sc" --out "$tmp/rep" --replications 2 -q
"$mtasim" plot "$tmp/rep" --compare "$tmp/rep" --only compare >/dev/null 2>&1
check "plot of a replicated run exits 0" [ $? -eq 0 ]
inj=$(python3 -c 'import json, sys; print("%.0f" % json.load(open(sys.argv[1]))["figures"]["totals"]["injected"]["mean"])' "$tmp/rep/summary.json")
check "the replicated mean is read (injected > 0)" [ "${inj:-0}" -gt 0 ]
check "the compare table shows the mean injected" grep -q ">$inj[ <]" "$tmp/rep/compare.svg"
check "with the half-width of its CI" grep -q ">$inj ±[0-9]" "$tmp/rep/compare.svg"

# A warm-up schedule alone in a folder.
mkdir "$tmp/sched"
cp tests/plots/schedule.csv "$tmp/sched/"
"$mtasim" plot "$tmp/sched" >"$tmp/w.out" 2>&1
check "plot of a schedule exits 0" [ $? -eq 0 ]
images "$tmp/sched" warmup
check "only warmup is drawn" [ "$(wc -l <"$tmp/w.out")" -eq 2 ]

# Reports without rows (no deliveries, no events) still give images.
mkdir "$tmp/empty"
for f in timeseries.csv events.csv latency.csv schedule.csv; do
    head -n 1 "$tmp/run/$f" >"$tmp/empty/$f" 2>/dev/null
done
head -n 1 tests/plots/schedule.csv >"$tmp/empty/schedule.csv"
cp "$tmp/run/summary.json" "$tmp/empty/"
cp "$tmp/run/complete" "$tmp/empty/" # a run's reports: complete, or refused
"$mtasim" plot "$tmp/empty" --compare "$tmp/empty" >/dev/null 2>"$tmp/e.err"
check "empty reports: exit 0" [ $? -eq 0 ]
images "$tmp/empty" throughput queues latency timeline warmup compare

# --only picks plots; one whose input is missing is an error.
rm -f "$tmp/run/latency.png"
"$mtasim" plot "$tmp/run" --only latency >"$tmp/o.out" 2>&1
check "--only latency exits 0" [ $? -eq 0 ]
check "--only draws just that one" [ "$(wc -l <"$tmp/o.out")" -eq 2 ]
images "$tmp/run" latency
"$mtasim" plot "$tmp/run" --only warmup 2>"$tmp/o.err" >/dev/null
check "--only warmup without schedule.csv: exit 1" [ $? -eq 1 ]
check "it names the missing file" grep -q "schedule.csv" "$tmp/o.err"

# Errors: usage (2), no gnuplot (1), a missing folder (1).
"$mtasim" plot 2>/dev/null
check "no DIR is a usage error (exit 2)" [ $? -eq 2 ]
"$mtasim" plot "$tmp/run" --only nonsense 2>/dev/null
check "an unknown plot is a usage error (exit 2)" [ $? -eq 2 ]
"$mtasim" plot "$tmp/run" --only compare 2>/dev/null
check "compare without --compare is a usage error (exit 2)" [ $? -eq 2 ]
"$mtasim" plot "$tmp/none" 2>/dev/null
check "a missing folder: exit 1" [ $? -eq 1 ]
GNUPLOT= PATH=/nonexistent "$mtasim" plot "$tmp/run" 2>"$tmp/g.err"
check "no gnuplot: exit 1" [ $? -eq 1 ]
check "no gnuplot: says what to install" \
    grep -q "gnuplot not found: install gnuplot-nox (make deps)" "$tmp/g.err"
"$mtasim" plot --help | grep -q "^usage: mtasim plot DIR"
check "--help" [ $? -eq 0 ]

# Titles name the run folder, never its path; the latency CDF counts the
# injected recipients and shows the share not delivered; throughput shows
# the offered (injected) volume next to the delivered.
"$mtasim" plot "$tmp/run" >/dev/null 2>&1
check "no machine path in any title" sh -c "! grep -q '$tmp' '$tmp/run/'*.svg"
check "titles name the run folder" grep -q '<text>run</text>' "$tmp/run/latency.svg"
check "latency: share of injected recipients" grep -q 'share of injected recipients' "$tmp/run/latency.svg"
check "latency: the share not delivered is shown" grep -q 'not delivered: [0-9.]* % of injected' "$tmp/run/latency.svg"
check "throughput: offered next to delivered" grep -q 'offered (injected), total' "$tmp/run/throughput.svg"
# A 60-day schedule gets a day tic every 5 days, not 60 crammed labels;
# a p95 of seconds is drawn in seconds.
mkdir "$tmp/long"
awk 'BEGIN { print "day,ip,provider,volume,expected_deferral_rate,expected_p95_latency_s";
    for (d = 1; d <= 60; d++) printf "%d,192.0.2.1,gmail,%d,0.01,2\n", d, 1000 * d }' >"$tmp/long/schedule.csv"
"$mtasim" plot "$tmp/long" >/dev/null 2>&1
check "warmup: day 55 labelled" grep -q '<text> 55</text>' "$tmp/long/warmup.svg"
check "warmup: day 59 not labelled" sh -c "! grep -q '<text> 59</text>' '$tmp/long/warmup.svg'"
check "warmup: a 2-second p95 in seconds" grep -q 'p95 latency (seconds)' "$tmp/long/warmup.svg"
# The timeline of a run with many events stays fast: markers are thinned.
awk 'NR == 1 { print; next } { print } END { for (i = 0; i < 200000; i++)
    printf "%d,2026-01-01T00:00:00Z,gmail.com/a,connection-refused,\"no new connections for 600 s: 421 4.7.0 x, y\",,\n", i % 43200 }' \
    "$tmp/run/events.csv" | sort -t, -k1,1n -s >"$tmp/many.csv"
mkdir "$tmp/many" && cp "$tmp/run/summary.json" "$tmp/run/complete" "$tmp/many/" && mv "$tmp/many.csv" "$tmp/many/events.csv"
"$mtasim" plot "$tmp/many" --only timeline >/dev/null 2>&1
check "timeline of 200000 refused connections drawn" [ -s "$tmp/many/timeline.svg" ]
check "with the markers thinned (a small SVG)" [ "$(wc -c <"$tmp/many/timeline.svg")" -lt 2000000 ]
check "and all of them counted in the title" grep -q '20[0-9][0-9][0-9][0-9] refused connections' "$tmp/many/timeline.svg"

# The compare table adds the streams that differ, with their CIs; a run
# compared with itself has none.
check "a self-comparison lists no stream" sh -c "! grep -q '<text>stream ' '$tmp/rep/compare.svg'"
"$mtasim" run "$sc" --config "$sc/slow.conf" --out "$tmp/repb" --replications 2 -q
"$mtasim" plot "$tmp/rep" --compare "$tmp/repb" --only compare >/dev/null 2>&1
check "the compare table lists a stream that differs" grep -q '<text>stream news: delivered</text>' "$tmp/rep/compare.svg"
check "and its p95" grep -q '<text>stream news: latency p95</text>' "$tmp/rep/compare.svg"
sdel=$(python3 -c 'import json, sys; print(next("%.0f" % s["delivered"] for s in json.load(open(sys.argv[1]))["streams"] if s["stream"] == "news"))' "$tmp/rep/summary.json")
check "with the stream's mean and CI" grep -q ">$sdel ±[0-9]" "$tmp/rep/compare.svg"

finish
