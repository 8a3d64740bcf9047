#!/bin/sh
# tests/cli.sh - `mtasim run` and `mtasim gen` end to end on a small
# scenario: the output files and their headers (the contract users' scripts
# rely on), byte-identical reruns, atomic failure, gen's CSV replayed.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
header_is() { # header_is FILE EXPECTED
    [ "$(head -n 1 "$1")" = "$2" ]
}
strip_engine() { # summary.json without the engine figures (wall time)
    sed '/"engine":/,$d' "$1"
}

sc=tests/scenarios/small
"$mtasim" run "$sc" --out "$tmp/a" --acct >"$tmp/a.out" 2>"$tmp/a.err"
check "run exits 0" [ $? -eq 0 ]
check "run says where the reports are" grep -q "reports in $tmp/a/" "$tmp/a.out"
for f in summary.json timeseries.csv events.csv latency.csv acct.csv; do
    check "$f written" [ -s "$tmp/a/$f" ]
done
check "no temporary files left" sh -c "! ls -A '$tmp/a' | grep -q '^\\.'"
check "timeseries.csv header" header_is "$tmp/a/timeseries.csv" \
    "t_s,time,queue,queued,ready,awaiting_retry,connections,attempts,delivered,deferred,bounced,expired,mode,rerouted,injected"
check "events.csv header" header_is "$tmp/a/events.csv" "t_s,time,queue,event,detail,provider,ip"
check "latency.csv header" header_is "$tmp/a/latency.csv" "stream,bin_low_s,bin_high_s,count,cdf"
check "acct.csv header" header_is "$tmp/a/acct.csv" \
    "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool"
for k in '"seed"' '"duration_s"' '"totals"' '"injected"' '"attempts"' \
    '"delivered"' '"bounced"' '"expired"' '"deferrals"' '"queued_at_end"' \
    '"latency_s"' '"p50"' '"p90"' '"p95"' '"p99"' '"max"' \
    '"throughput_per_hour"' '"peak"' '"queues"' '"max_depth"' '"backoff_s"' \
    '"backoff_entries"' '"last_delivery_s"' '"providers"' '"replies"' \
    '"streams"' '"share_within_deadline"' '"engine"' '"events_per_s"' \
    '"peak_rss_kb"' '"wall_s"'; do
    check "summary.json has $k" grep -q "$k:" "$tmp/a/summary.json"
done
check "events.csv has backoff rows" grep -q ',backoff-enter,' "$tmp/a/events.csv"
check "a total row per interval" \
    [ "$(grep -c ',\*,' "$tmp/a/timeseries.csv")" -eq 24 ]
if [ -x ../shared/tools/check-outputs ] && command -v python3 >/dev/null; then
    check "shared/tools/check-outputs" ../shared/tools/check-outputs "$tmp/a" >/dev/null
fi

# Same inputs and seed: byte-identical reports; another seed: different.
"$mtasim" run "$sc" --out "$tmp/b" --acct -q
for f in timeseries.csv events.csv latency.csv acct.csv; do
    check "$f identical on rerun" cmp -s "$tmp/a/$f" "$tmp/b/$f"
done
strip_engine "$tmp/a/summary.json" >"$tmp/sa"
strip_engine "$tmp/b/summary.json" >"$tmp/sb"
check "summary.json identical on rerun (but engine)" cmp -s "$tmp/sa" "$tmp/sb"
"$mtasim" run "$sc" --out "$tmp/c" --seed 4 -q
check "another seed gives another run" sh -c "! cmp -s '$tmp/a/timeseries.csv' '$tmp/c/timeseries.csv'"

# Failures are atomic and precise.
mkdir -p "$tmp/fail"
"$mtasim" run "$sc" --out "$tmp/fail" --config "$tmp/none.conf" -q 2>"$tmp/f.err"
check "a missing config fails (exit 1)" [ $? -eq 1 ]
check "it names the file" grep -q "none.conf" "$tmp/f.err"
check "and leaves nothing behind" [ -z "$(ls -A "$tmp/fail")" ]
"$mtasim" run "$sc" --duration 3x -q 2>/dev/null
check "a bad --duration is a usage error (exit 2)" [ $? -eq 2 ]
"$mtasim" run "$sc" --out "$tmp/d" --duration 2h -q
check "--duration overrides" grep -q '"duration_s":	7200' "$tmp/d/summary.json"

# gen writes the send list; replaying it gives the same injections.
"$mtasim" gen "$sc" --out "$tmp/sends.csv" >/dev/null
check "gen exits 0" [ $? -eq 0 ]
check "gen's header" header_is "$tmp/sends.csv" "time,rcpt,domain,vmta,pool,stream,size,invalid,complaint"
sed -e "s|\"sendlist\": {\"generate\".*|\"sendlist\": {\"file\": \"$tmp/sends.csv\"}}|" \
    -e '/"name": "news"/,$d' "$sc/scenario.json" >"$tmp/replay.json"
sed -i "s|\"config\": \"small.conf\"|\"config\": \"$PWD/$sc/small.conf\"|; s|\\.\\./\\.\\./\\.\\./models|$PWD/models|g" "$tmp/replay.json"
"$mtasim" run "$tmp/replay.json" --out "$tmp/r" -q 2>"$tmp/r.err"
check "the CSV replays (exit 0)" [ $? -eq 0 ]
inj() { grep -m1 '"injected":' "$1" | tr -dc '0-9'; }
check "same number injected from the CSV" [ "$(inj "$tmp/a/summary.json")" = "$(inj "$tmp/r/summary.json")" ]
# Replications: the aggregate does not depend on the number of processes.
"$mtasim" run "$sc" --out "$tmp/r1" --duration 3h --replications 3 --jobs 1 -q
"$mtasim" run "$sc" --out "$tmp/r3" --duration 3h --replications 3 --jobs 3 -q
check "replications write rep-0..2" [ -s "$tmp/r3/rep-2/summary.json" ]
strip_engine "$tmp/r1/summary.json" >"$tmp/s1"
strip_engine "$tmp/r3/summary.json" >"$tmp/s3"
check "the aggregate is the same with 1 or 3 jobs" cmp -s "$tmp/s1" "$tmp/s3"
check "figures carry mean and CI" grep -q '"ci_high":' "$tmp/r1/summary.json"
check "replications differ from each other" \
    sh -c "! cmp -s '$tmp/r1/rep-0/timeseries.csv' '$tmp/r1/rep-1/timeseries.csv'"
if [ -x ../shared/tools/check-outputs ] && command -v python3 >/dev/null; then
    check "check-outputs on a replicated run" ../shared/tools/check-outputs "$tmp/r1" >/dev/null
fi
# The CI of a figure narrows with more replications (t and sqrt(R)).
"$mtasim" run "$sc" --out "$tmp/r9" --duration 3h --replications 9 --jobs 2 -q
width() { # the CI width of totals.delivered
    python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["figures"]["totals"]["delivered"]; print(f["ci_high"] - f["ci_low"])' "$1"
}
check "CI narrows from 3 to 9 replications" \
    awk -v a="$(width "$tmp/r1/summary.json")" -v b="$(width "$tmp/r9/summary.json")" 'BEGIN{exit !(b < a)}'

# compare: a config against itself gives exactly zero everywhere.
"$mtasim" compare "$sc" --config "$sc/small.conf" --config "$sc/small.conf" \
    --out "$tmp/self" --duration 3h -q
check "compare exits 0" [ $? -eq 0 ]
check "compare.csv header" header_is "$tmp/self/compare.csv" "scope,name,figure,a,b,diff,rel_diff,ci_low,ci_high"
check "self-comparison: every difference is 0" \
    awk -F, 'NR>1 && $6!="" && $6!=0 {bad=1} END{exit bad}' "$tmp/self/compare.csv"
check "self-comparison: figures compared" [ "$(wc -l <"$tmp/self/compare.csv")" -gt 50 ]
if [ -x ../shared/tools/check-outputs ] && command -v python3 >/dev/null; then
    check "check-outputs --compare" ../shared/tools/check-outputs "$tmp/self" --compare >/dev/null
fi
# A strictly lower max-msg-rate never shows higher throughput.
"$mtasim" compare "$sc" --config "$sc/small.conf" --config "$sc/slow.conf" \
    --out "$tmp/slow" --duration 3h --replications 2 -q
fig() { # fig FILE SCOPE FIGURE COLUMN
    awk -F, -v s="$2" -v f="$3" -v c="$4" '$1==s && $2=="" && $3==f {print $c}' "$1"
}
check "lower max-msg-rate: delivered not higher" \
    awk -v d="$(fig "$tmp/slow/compare.csv" total delivered 6)" 'BEGIN{exit !(d <= 0)}'
check "lower max-msg-rate: peak throughput not higher" \
    awk -v d="$(fig "$tmp/slow/compare.csv" total throughput_per_hour.peak 6)" 'BEGIN{exit !(d <= 0)}'
check "the settings that differ are listed" grep -q '"directive":	"max-msg-rate"' "$tmp/slow/compare.json"
check "paired CI columns filled with R = 2" \
    [ -n "$(fig "$tmp/slow/compare.csv" total delivered 8)" ]

# plan capacity: the answer passes and one IP fewer fails (minimality).
"$mtasim" plan capacity "$sc" --volume 150000 --within 30m --out "$tmp/cap" >"$tmp/cap.out"
check "plan capacity exits 0" [ $? -eq 0 ]
k=$(awk '/^\t"ips":/{gsub(/[^0-9]/,""); print; exit}' "$tmp/cap/capacity.json")
trial() { # the pass flag of the trial with IPS ips
    awk -v k="$1" '/"ips":/{gsub(/[^0-9]/,""); cur=$0} /"pass":/{if (cur==k) {print ($0 ~ /true/) ? "pass" : "fail"; exit}}' \
        "$tmp/cap/capacity.json"
}
check "an answer is found" [ -n "$k" ]
check "the answer's trial passes" [ "$(trial "$k")" = pass ]
check "the answer needs more than one IP (else minimality is trivial)" [ "$k" -gt 1 ]
check "one IP fewer fails" [ "$(trial $((k - 1)))" = fail ]
check "a provider is named as held back with one IP fewer" \
    sh -c "grep '\"binding\":' '$tmp/cap/capacity.json' | grep -qv 'none (finished)'"
check "capacity.json says which trial the binding comes from" \
    grep -q "\"binding_at_ips\":	$((k - 1))," "$tmp/cap/capacity.json"
check "capacity.conf passes check --strict" "$mtasim" check --strict "$tmp/cap/capacity.conf" >/dev/null 2>&1

# plan warmup: the schedule grows (never shrinks) and, re-simulated as a
# cold-VMTA config, meets its deferral limit on every provider-day.
"$mtasim" plan warmup tests/scenarios/warmup --days 4 --out "$tmp/wu" >"$tmp/wu.out" 2>"$tmp/wu.err"
check "plan warmup exits 0 (its check passed)" [ $? -eq 0 ]
check "schedule.csv header" header_is "$tmp/wu/schedule.csv" \
    "day,ip,provider,volume,expected_deferral_rate,expected_p95_latency_s,pool_volume,bound_by,date"
check "a row per day and provider" [ "$(wc -l <"$tmp/wu/schedule.csv")" -eq 9 ]
check "volumes never shrink" awk -F, 'NR>1 { if ($4 < last[$3]) bad=1; last[$3]=$4 } END {exit bad}' \
    "$tmp/wu/schedule.csv"
check "volumes grow over the days" awk -F, 'NR>1 { if (!($3 in first)) first[$3]=$4; last[$3]=$4 } END { for (p in first) if (last[p] <= first[p]) bad=1; exit bad }' \
    "$tmp/wu/schedule.csv"
check "the end-to-end check passes every provider-day" grep -q "check: 8 of 8 provider-days" "$tmp/wu.out"
check "warmup.conf passes check --strict" "$mtasim" check --strict "$tmp/wu/warmup.conf" >/dev/null 2>&1

# daily.csv: one row per day x provider x source IP, the same in
# summary.json; events.csv has no packed daily figures any more.
check "daily.csv header" header_is "$tmp/a/daily.csv" \
    "day,provider,ip,offered,accepted,deferred,bounced,reputation,age_days,capacity_per_hour,episodes,blocked,connection_failures,recent_volume_per_day,date"
check "daily.csv has rows" [ "$(wc -l <"$tmp/a/daily.csv")" -gt 1 ]
check "offered = accepted + deferred + bounced" awk -F, \
    'NR > 1 && $4 != $5 + $6 + $7 { bad = 1 } END { exit bad }' "$tmp/a/daily.csv"
acc_daily=$(awk -F, 'NR > 1 { s += $5 } END { print s }' "$tmp/a/daily.csv")
del_sum=$(awk '/"totals":/ { f = 1 } f && /"delivered":/ { gsub(/[^0-9]/, ""); print; exit }' "$tmp/a/summary.json")
check "daily accepted adds up to delivered ($acc_daily = $del_sum)" [ "$acc_daily" = "$del_sum" ]
n_daily=$(($(wc -l <"$tmp/a/daily.csv") - 1))
check "summary.json has the daily rows" \
    [ "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["daily"]))' "$tmp/a/summary.json")" -eq "$n_daily" ]
check "events.csv holds no packed daily figures" sh -c "! grep -q 'age_days=' '$tmp/a/events.csv'"
check "provider rows name provider and ip in their own columns" \
    grep -q '^[0-9.]*,[^,]*,,episode-start,[^,]*,[a-z]*,[0-9.]*$' "$tmp/a/events.csv"
check "daily.csv identical on rerun" cmp -s "$tmp/a/daily.csv" "$tmp/b/daily.csv"

# Output folders: a command owns the folder it writes. It refuses a
# non-empty folder mtasim did not write (exit 3, naming what is there),
# --force clears it, and a rerun clears its own earlier outputs.
mkdir -p "$tmp/own" && echo keep >"$tmp/own/notes.txt"
"$mtasim" run "$sc" --out "$tmp/own" --duration 1h -q 2>"$tmp/own.err"
check "run refuses a foreign non-empty folder (exit 3)" [ $? -eq 3 ]
check "the refusal names the folder, a file in it and --force" \
    grep -q "$tmp/own: error: mtasim run: the output folder is not empty (it holds 'notes.txt') and mtasim did not write it (no 'mtasim-folder' file); choose another --out, or add --force to clear it" "$tmp/own.err"
check "and leaves the folder alone" [ "$(ls -A "$tmp/own")" = notes.txt ]
"$mtasim" run "$sc" --out "$tmp/own" --duration 1h -q --force
check "--force clears it (exit 0)" [ $? -eq 0 ]
check "--force removed the foreign file" [ ! -e "$tmp/own/notes.txt" ]
check "the folder is marked as mtasim's" grep -q "written by mtasim run" "$tmp/own/mtasim-folder"
"$mtasim" run "$sc" --out "$tmp/own" --duration 1h --acct --replications 2 -q
touch "$tmp/own/throughput.png"
"$mtasim" run "$sc" --out "$tmp/own" --duration 1h -q
check "a rerun into its own folder needs no --force (exit 0)" [ $? -eq 0 ]
check "a rerun leaves no stale acct.csv" [ ! -e "$tmp/own/acct.csv" ]
check "a rerun leaves no stale rep-N/" [ ! -e "$tmp/own/rep-0" ]
check "a rerun leaves no stale PNG" [ ! -e "$tmp/own/throughput.png" ]
check "a rerun writes its reports" [ -s "$tmp/own/summary.json" ]
mkdir -p "$tmp/old" && touch "$tmp/old/complete" "$tmp/old/acct.csv"
"$mtasim" run "$sc" --out "$tmp/old" --duration 1h -q
check "a folder an older mtasim wrote (complete) is taken over" [ $? -eq 0 ]
check "and cleared" [ ! -e "$tmp/old/acct.csv" ]
cp -r "$sc" "$tmp/scdir"
sed -i "s|\\.\\./\\.\\./\\.\\./models|$PWD/models|g" "$tmp/scdir/scenario.json"
"$mtasim" run "$tmp/scdir" --out "$tmp/scdir" --duration 1h -q --force 2>"$tmp/in.err"
check "never clears a folder holding an input, even with --force (exit 3)" [ $? -eq 3 ]
check "it names the input" grep -q "will not clear this folder: it holds the input '$tmp/scdir/scenario.json'" "$tmp/in.err"
check "the input is still there" [ -s "$tmp/scdir/scenario.json" ]
(cd "$tmp/own" && "$OLDPWD/$mtasim" run "$OLDPWD/$sc" --out . --duration 1h -q 2>"$tmp/cwd.err")
check "nor the current directory (exit 3)" [ $? -eq 3 ]
check "saying so" grep -q "it holds the current directory" "$tmp/cwd.err"
for cmd in "compare $sc --config $sc/small.conf --config $sc/small.conf --duration 1h" \
    "plan capacity $sc --volume 1000 --within 1h" \
    "plan warmup tests/scenarios/warmup --days 1" \
    "fit $tmp/a/acct.csv"; do
    rm -rf "$tmp/f2" && mkdir -p "$tmp/f2" && touch "$tmp/f2/x.txt"
    # shellcheck disable=SC2086
    "$mtasim" $cmd --out "$tmp/f2" >/dev/null 2>"$tmp/f2.err"
    check "${cmd%% [a-z/]*s*} refuses a foreign folder (exit 3)" [ $? -eq 3 ]
    check "${cmd%% [a-z/]*s*} says so" grep -q "mtasim did not write it" "$tmp/f2.err"
    check "${cmd%% [a-z/]*s*} leaves it alone" [ "$(ls -A "$tmp/f2")" = x.txt ]
done

# summary.json records its inputs, command line and version, and has one
# shape with or without replications.
js() { # js FILE EXPR - a Python expression over the summary d
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
check "summary.json records the version" \
    [ "mtasim $(js "$tmp/a/summary.json" 'd["version"]')" = "$("$mtasim" version)" ]
check "and the command line, arguments in their order" \
    [ "$(js "$tmp/a/summary.json" 'd["command_line"]')" = "mtasim run $sc --out $tmp/a --acct" ]
check "and the scenario's name" [ "$(js "$tmp/a/summary.json" 'd["scenario"]')" = small ]
check "the scenario's SHA-256 is sha256sum's" \
    [ "$(js "$tmp/a/summary.json" 'd["inputs"]["scenario"]["sha256"]')" = "$(sha256sum <"$sc/scenario.json" | cut -d' ' -f1)" ]
check "the config's too" \
    [ "$(js "$tmp/a/summary.json" 'd["inputs"]["config"][0]["sha256"]')" = "$(sha256sum <"$sc/small.conf" | cut -d' ' -f1)" ]
check "every model is listed with its checksum" \
    [ "$(js "$tmp/a/summary.json" 'sum(1 for m in d["inputs"]["models"] if len(m["sha256"]) == 64)')" -eq 4 ]
check "a generated send list is said to be generated" \
    js "$tmp/a/summary.json" 'd["inputs"]["sendlist"]' | grep -q generated
check "a replayed send list is listed with its checksum" \
    [ "$(js "$tmp/r/summary.json" 'd["inputs"]["sendlist"]["sha256"]')" = "$(sha256sum <"$tmp/sends.csv" | cut -d' ' -f1)" ]
mkdir -p "$tmp/inc"
printf 'include %s\n' "$PWD/$sc/small.conf" >"$tmp/inc/main.conf"
"$mtasim" run "$sc" --config "$tmp/inc/main.conf" --out "$tmp/inc/out" --duration 1h -q
check "an included config file is listed after the main one" \
    [ "$(js "$tmp/inc/out/summary.json" '" ".join(c["path"] for c in d["inputs"]["config"])')" = "$tmp/inc/main.conf $PWD/$sc/small.conf" ]
shape() { # the member names of summary.json and of its figure sections
    js "$1" '" ".join(list(d) + sorted(d["figures"]) + list(d["figures"]["totals"]) + list(d["totals"]))'
}
check "one shape with and without replications" [ "$(shape "$tmp/a/summary.json")" = "$(shape "$tmp/r1/summary.json")" ]
check "R = 1: each figure has one value" \
    [ "$(js "$tmp/a/summary.json" 'd["figures"]["totals"]["delivered"]["values"] == [d["totals"]["delivered"]] and d["replications"] == 1')" = True ]
check "R = 1: the CI is the value" \
    [ "$(js "$tmp/a/summary.json" 'd["figures"]["latency_s"]["p95"]["ci_low"] == d["latency_s"]["p95"] == d["figures"]["latency_s"]["p95"]["ci_high"]')" = True ]
check "R = 3: three values, and the plain figure is their mean" \
    [ "$(js "$tmp/r1/summary.json" 'len(d["figures"]["totals"]["delivered"]["values"]) == 3 and d["totals"]["delivered"] == d["figures"]["totals"]["delivered"]["mean"] and d["replications"] == 3')" = True ]
check "R = 3: daily rows and queues have intervals too" \
    [ "$(js "$tmp/r1/summary.json" 'len(d["figures"]["daily"][0]["accepted"]["values"]) == 3 and "ci_low" in d["figures"]["queues"][0]["delivered"]')" = True ]
"$mtasim" run "$sc" --out "$tmp/rp" --duration 1h --replications 3 >"$tmp/rp.out"
check "a replicated run prints its figures with CIs" \
    grep -Eq '^  delivered +[0-9.e+]+  \[[0-9.e+]+, [0-9.e+]+\]$' "$tmp/rp.out"

# CLI conventions: every --help lists the exit codes, `mtasim --help`
# lists every subcommand, the shared options mean the same everywhere,
# durations need a unit.
for cmd in run compare "plan capacity" "plan warmup" plot gen fit report check; do
    # shellcheck disable=SC2086
    "$mtasim" $cmd --help >"$tmp/h.out" 2>&1
    check "$cmd --help exits 0" [ $? -eq 0 ]
    check "$cmd --help lists the exit codes" grep -q "^exit status: 0 " "$tmp/h.out"
    check "$cmd --help prints no '%%'" sh -c "! grep -q '%%' '$tmp/h.out'"
done
for cmd in run compare "plan capacity" "plan warmup" fit; do
    # shellcheck disable=SC2086
    "$mtasim" $cmd --help | tr '\n' ' ' | grep -q "3 the output folder is not mtasim's"
    check "$cmd --help names exit status 3" [ $? -eq 0 ]
done
"$mtasim" --help >"$tmp/h.out"
for cmd in check run compare "plan capacity" "plan warmup" plot gen fit report help version; do
    check "mtasim --help lists '$cmd'" grep -q "^  $cmd " "$tmp/h.out"
done
check "mtasim --help lists the exit codes" grep -q "^exit status: 0 success" "$tmp/h.out"
"$mtasim" run "$sc" -o "$tmp/short" -q --duration 1h >"$tmp/short.out"
check "run takes -o and -q" [ $? -eq 0 ] && [ -s "$tmp/short/summary.json" ] && [ ! -s "$tmp/short.out" ]
"$mtasim" gen "$sc" -o "$tmp/short.csv" --duration 1h >/dev/null
check "gen takes -o" [ -s "$tmp/short.csv" ]
for cmd in "run $sc" "compare $sc --config $sc/small.conf --config $sc/small.conf" \
    "plan capacity $sc --volume 10 --within 1h" "plan warmup $sc" "gen $sc -o $tmp/x.csv"; do
    # shellcheck disable=SC2086
    "$mtasim" $cmd --seed x 2>"$tmp/seed.err" >/dev/null
    check "${cmd%% *}: a bad --seed is a usage error (exit 2)" [ $? -eq 2 ]
    check "${cmd%% *}: with the same message" grep -q -- "--seed takes a non-negative integer, not 'x'; try 'mtasim [a-z ]*--help'" "$tmp/seed.err"
done
for cmd in "run $sc --jobs 0" "compare $sc --config $sc/small.conf --config $sc/small.conf -j 0"; do
    # shellcheck disable=SC2086
    "$mtasim" $cmd 2>"$tmp/jobs.err" >/dev/null
    check "${cmd%% *}: --jobs 0 is a usage error (exit 2)" [ $? -eq 2 ]
    check "${cmd%% *}: saying --jobs takes a positive integer" grep -q -- "--jobs takes a positive integer, not '0'" "$tmp/jobs.err"
done
for cmd in "run $sc --duration 6" "compare $sc --config $sc/small.conf --config $sc/small.conf --duration 6" \
    "plan capacity $sc --volume 10 --within 6" "plan warmup $sc --max-backoff 6" "gen $sc -o $tmp/x.csv --duration 6"; do
    # shellcheck disable=SC2086
    "$mtasim" $cmd 2>"$tmp/dur.err" >/dev/null
    check "${cmd%% *}: a duration without a unit is refused (exit 2)" [ $? -eq 2 ]
    check "${cmd%% *}: asking for the unit" grep -q "6 what? write 6h" "$tmp/dur.err"
done

# A <pattern-list> in <source> routes by address, so the generated addresses
# must be built (they are skipped when nothing reads them): gmail.com goes
# through VMTA a, the rest through b.
sed -e 's/^    default-virtual-mta p$/    pattern-list route\n    default-virtual-mta b/' \
    "$sc/small.conf" >"$tmp/route.conf"
printf '<pattern-list route>\n    rcpt-to /@gmail\\.com$/ virtual-mta=a\n</pattern-list>\n' >>"$tmp/route.conf"
"$mtasim" run "$sc" --config "$tmp/route.conf" --duration 3h --out "$tmp/route" -q 2>"$tmp/route.err"
check "run with address routing exits 0" [ $? -eq 0 ]
check "gmail.com routed to VMTA a by its address" grep -q ',gmail.com/a,' "$tmp/route/timeseries.csv"
check "gmail.com not through b" sh -c "! grep -q ',gmail.com/b,' '$tmp/route/timeseries.csv'"
check "yahoo.com through b (the default)" grep -q ',yahoo.com/b,' "$tmp/route/timeseries.csv"

finish
