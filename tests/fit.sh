#!/bin/sh
# tests/fit.sh - `mtasim fit` against known truth: accounting logs made by
# `mtasim run --acct` from tests/fit/truth (models whose values differ
# from the shipped ones: three Microsoft IPs of ages 0, 4 and 9 days, a
# warm-up with throttling whose mail arrives in a 3-hour peak a day, so
# the offered rate exceeds the episode allowance; 14 episodes, all of
# them detected, after 51 windows over the allowance), split into two
# rotated files, the second gzip-compressed, then fitted and checked.
#
# Tolerances (the truth is tests/fit/truth/models/microsoft.json):
#   capacity.initial_per_hour 12     within 10 %
#   capacity.growth_per_day   1.5, 1.2, 1.1   each within 0.05
#   capacity.history_factor   3      within 15 %
#   episodes.hazard           1.2    within a factor 2 (per unit of r - 1
#                                    in a 15-minute window; ~13 episodes
#                                    in ~48 trials: about x/1.7 at 95 %)
#   episodes.median_s         2400   within 35 % (13 durations of sigma
#                                    0.4: +-27 % at 95 %)
#   episodes.sigma            0.4    0.2 .. 0.7
#   episodes.repeat_factor    1.5    1.15 .. 1.9
#   episodes.capacity_factor  0.1    0.07 .. 0.14
#   transient.rate            0.01   within 15 %
#   unknown-user share        0.01   within 15 %
#   --check: every day's delivered and deferred count (days with 100 or
#   more) within 10 % of the logs.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

"$mtasim" run tests/fit/truth --out "$tmp/truth" --acct -q
check "the truth run writes acct.csv" [ -s "$tmp/truth/acct.csv" ]
# two rotated files: days 1-6 plain, the rest gzip-compressed, given
# newest first (fit reads them oldest first)
awk -F, -v a="$tmp/acct-1.csv" -v b="$tmp/acct-2.csv" \
    'NR == 1 { print > a; print > b; next }
     { print > ($2 < "2026-01-07" ? a : b) }' "$tmp/truth/acct.csv"
gzip "$tmp/acct-2.csv"
ages="--ip-age 192.0.2.31=0 --ip-age 192.0.2.32=4 --ip-age 192.0.2.33=9"
# shellcheck disable=SC2086
"$mtasim" fit "$tmp/acct-2.csv.gz" "$tmp/acct-1.csv" $ages --out "$tmp/fit" \
    --check --config tests/fit/truth/truth.conf >"$tmp/fit.out" 2>"$tmp/fit.err"
check "fit --check exits 0" [ $? -eq 0 ]
# shellcheck disable=SC2086
"$mtasim" fit "$tmp/truth/acct.csv" $ages --out "$tmp/fit1" -q
# the same model but for the list of files read
grep -v acct "$tmp/fit/microsoft.json" >"$tmp/m2"
grep -v acct "$tmp/fit1/microsoft.json" >"$tmp/m1"
check "one plain file or two rotated (one gzip) give the same model" \
    cmp -s "$tmp/m1" "$tmp/m2"
for f in microsoft.json fit.json fit-check.csv check/acct.csv; do
    check "$f written" [ -s "$tmp/fit/$f" ]
done
check "fit-check.csv header" [ "$(head -n 1 "$tmp/fit/fit-check.csv")" = \
    "provider,hour,logged_delivered,sim_delivered,logged_deferred,sim_deferred" ]

# fitted FIGURE - the value of a figure in fit.json's "fitted" object
fitted() {
    awk -v k="\"$1\":" '$1 == k { on = 1 } on && $1 == "\"value\":" {
        sub(/,$/, "", $2); print $2; exit }' "$tmp/fit/fit.json"
}
within() { # within NAME LOW HIGH
    v=$(fitted "$1")
    awk -v v="$v" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }' ||
        { echo "  $1 = '$v', want $2 .. $3"; return 1; }
}
check "C0 12/h within 10 %" within capacity.initial_per_hour 10.8 13.2
check "growth week 1 1.5" within 'capacity.growth_per_day[0]' 1.45 1.55
check "growth week 2 1.2" within 'capacity.growth_per_day[1]' 1.15 1.25
check "growth later 1.1" within 'capacity.growth_per_day[2]' 1.05 1.15
# the history factor is fitted when the cap bound, else kept (shipped 3
# fits as well): either way the model written has about 3
hf=$(awk '$1 == "\"history_factor\":" { sub(/,$/, "", $2); print $2 }' "$tmp/fit/microsoft.json")
check "history factor 3 in the model" awk -v v="$hf" 'BEGIN { exit !(v >= 2.55 && v <= 3.45) }'
check "episode hazard 1.2" within throttle.episodes.hazard 0.6 2.4
check "episode median 2400 s" within throttle.episodes.median_s 1560 3240
check "episode sigma 0.4" within throttle.episodes.sigma 0.2 0.7
check "episode repeat factor 1.5" within throttle.episodes.repeat_factor 1.15 1.9
check "episode capacity factor 0.1" within throttle.episodes.capacity_factor 0.07 0.14
check "transient rate 0.01" within transient.rate 0.0085 0.0115
check "unknown-user share 0.01" within unknown_user_rate 0.0085 0.0115
check "the throttle reply is the model's" grep -q '"reply":[[:space:]]*"421 RP-001' "$tmp/fit/microsoft.json"
check "kept values are listed" grep -q '"connections.max_per_ip":[[:space:]]*"not estimated' "$tmp/fit/microsoft.json"
check "the episode window is kept (the hazard is per shipped window)" \
    grep -q '"throttle.episodes.window_s":[[:space:]]*"not estimated' "$tmp/fit/microsoft.json"

# --check: daily totals within 10 %
check "daily delivered and deferred within 10 %" awk -F, '
    NR > 1 { d = int($2 / 24); ld[d] += $3; sd[d] += $4; lt[d] += $5; st[d] += $6
             if (d > n) n = d }
    END { bad = 0
          for (i = 0; i <= n; i++) {
              if (ld[i] >= 100 && (sd[i] - ld[i]) / ld[i] > 0.1 || (ld[i] - sd[i]) / (ld[i] ? ld[i] : 1) > 0.1) bad++
              if (lt[i] >= 100 && (st[i] - lt[i]) / lt[i] > 0.1 || (lt[i] - st[i]) / (lt[i] ? lt[i] : 1) > 0.1) bad++ }
          exit bad > 0 }' "$tmp/fit/fit-check.csv"
check "the check prints a summary per provider" grep -q '^  microsoft  delivered' "$tmp/fit.out"

# a fitted model replaces the shipped one in a scenario naming both
mkdir -p "$tmp/sc"
cat >"$tmp/sc/scenario.json" <<EOS
{"duration": "1h", "config": "$PWD/tests/fit/truth/truth.conf",
 "models": ["$PWD/models/generic.json", "$PWD/models/microsoft.json",
            "$tmp/fit/microsoft.json"],
 "sendlist": {"generate": {"streams": [{"name": "s", "volume_per_day": 100,
   "domains": {"hotmail.com": 1}}]}}}
EOS
"$mtasim" run "$tmp/sc" --out "$tmp/sc/out" -q 2>"$tmp/sc.err"
check "a scenario may name a fitted model beside the shipped one" [ $? -eq 0 ]

# `run` reads a gzip-compressed accounting file as its send list too
mkdir -p "$tmp/gz"
cp -r tests/input/pmta.conf tests/input/models "$tmp/gz/"
gzip -c tests/input/acct.csv >"$tmp/gz/acct.csv.gz"
sed 's/"acct.csv"/"acct.csv.gz"/' tests/input/acct-scen.json >"$tmp/gz/scenario.json"
"$mtasim" gen tests/input/acct-scen.json --out "$tmp/plain-list.csv" >/dev/null 2>&1
"$mtasim" gen "$tmp/gz" --out "$tmp/gz-list.csv" >/dev/null 2>&1
check "a .gz send list gives the same recipients as the plain file" \
    cmp -s "$tmp/plain-list.csv" "$tmp/gz-list.csv"
check "and it is not empty" [ "$(wc -l <"$tmp/gz-list.csv")" -gt 3 ]

# bad input: a precise error and exit 1
printf 'type,timeLogged,rcpt\nd,not-a-time,a@hotmail.com\n' >"$tmp/bad.csv"
"$mtasim" fit "$tmp/bad.csv" --out "$tmp/badout" 2>"$tmp/bad.err"
check "a bad time fails (exit 1)" [ $? -eq 1 ]
check "naming file:line" grep -q "bad.csv:2:" "$tmp/bad.err"
printf 'type,timeLogged,rcpt\nd,1767258002,a@hotmail.com\nd,2099-01-01 00:00:00+0000,b@hotmail.com\n' >"$tmp/far.csv"
"$mtasim" fit "$tmp/far.csv" --out "$tmp/farout" 2>"$tmp/far.err"
check "a time decades away fails at its line" grep -q "far.csv:3:" "$tmp/far.err"
# The README's step 4: plan a warm-up with the fitted model, and without.
top=$(pwd)
for v in fit shipped; do
    extra=""
    [ $v = fit ] && extra=", \"$tmp/fit1/microsoft.json\""
    cat >"$tmp/wu-$v.json" <<JSON
{"duration": "14d", "config": "$top/scenarios/pool-warmup/pool.conf",
 "models": ["$top/models/generic.json", "$top/models/microsoft.json"$extra],
 "ips": {"203.0.113.11": {"age_days": 400, "reputation": 0.8},
         "203.0.113.12": {"age_days": 400, "reputation": 0.8},
         "203.0.113.13": {"age_days": 0}, "203.0.113.14": {"age_days": 0}},
 "sendlist": {"generate": {"streams": [{"name": "newsletter",
   "volume_per_day": 20000, "domains": {"hotmail.com": 0.6, "outlook.com": 0.4}}]}}}
JSON
    "$mtasim" plan warmup "$tmp/wu-$v.json" --days 14 --out "$tmp/wu-$v" -q
    check "README step 4: plan warmup with the $v model runs" [ $? -eq 0 ]
done
day7() { awk -F, '$1 == 7 && $2 == "203.0.113.13" { print $4 }' "$1/schedule.csv"; }
f7=$(day7 "$tmp/wu-fit"); s7=$(day7 "$tmp/wu-shipped")
check "the fitted model plans less than the shipped one on day 7 ($f7 < $s7)" \
    [ "${f7:-0}" -gt 0 -a "${f7:-0}" -lt "${s7:-0}" ]

"$mtasim" fit 2>/dev/null
check "no file is a usage error (exit 2)" [ $? -eq 2 ]
"$mtasim" fit "$tmp/bad.csv" --check 2>/dev/null
check "--check without --config is a usage error" [ $? -eq 2 ]
finish
