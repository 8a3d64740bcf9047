#!/bin/sh
# tests/plan.sh - the pre-flight check and the planners end to end: each
# silent wrong answer of issue 11 is now an error (or a warning) with a
# non-zero exit, and durations without a unit are refused everywhere.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
models="$(pwd)/models"
sc="$tmp/sc"
mkdir -p "$sc"
cp tests/scenarios/warmup/pool.conf "$sc/pool.conf"
scenario() { # scenario IPS STREAM_TARGET [DURATION]
    cat >"$sc/scenario.json" <<JSON
{"duration": "${3:-2h}", "seed": 3, "config": "pool.conf",
 "models": ["$models/gmail.json", "$models/microsoft.json", "$models/generic.json"],
 "ips": {$1},
 "sendlist": {"generate": {"streams": [
   {"name": "news", "volume_per_day": 1000, $2 "arrivals": "blast",
    "at": "00:00", "spread": "10m", "domains": {"gmail.com": 0.6, "hotmail.com": 0.4}}]}}}
JSON
}
both='"192.0.2.40": {"age_days": 0}, "192.0.2.41": {"age_days": 365}'
fails() { # fails EXIT PATTERN COMMAND... : exit status EXIT, PATTERN on stderr
    want=$1 pat=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    [ "$st" -eq "$want" ] && grep -q -- "$pat" "$tmp/err"
}

scenario "$both" '"pool": "news",'
check "a consistent scenario passes check" "$mtasim" check "$sc" >/dev/null 2>&1
check "check SCENARIO.json works too" "$mtasim" check "$sc/scenario.json" >/dev/null 2>&1
check "run on it exits 0" "$mtasim" run "$sc" --out "$tmp/ok" -q

# A pool name typo: was "0 injected, 1000 bounced" with exit 0.
scenario "$both" '"pool": "nwes",'
check "pool typo: check exits 1 naming it" fails 1 "virtual-mta-pool 'nwes' is not defined" "$mtasim" check "$sc"
check "pool typo: run exits 1 before simulating" fails 1 "virtual-mta-pool 'nwes'" "$mtasim" run "$sc" --out "$tmp/typo"
check "pool typo: no reports written" [ ! -e "$tmp/typo/summary.json" ]
check "pool typo: compare exits 1" fails 1 "virtual-mta-pool 'nwes'" "$mtasim" compare "$sc" --config "$sc/pool.conf" --config "$sc/pool.conf" --out "$tmp/typo-cmp" -q
check "pool typo: plan capacity exits 1" fails 1 "virtual-mta-pool 'nwes'" "$mtasim" plan capacity "$sc" --volume 100 --within 1h --out "$tmp/typo-cap"
scenario "$both" '"vmta": "mta-nwe",'
check "VMTA typo: run exits 1 naming it" fails 1 "virtual-mta 'mta-nwe' is not defined" "$mtasim" run "$sc" --out "$tmp/typo2"

# A scenario IP the config never names: was an optimistic answer.
scenario "$both"', "192.0.2.99": {"age_days": 0}' ''
check "unused scenario IP: exit 1 naming it" fails 1 "\$.ips\['192.0.2.99'\]: no virtual-mta" "$mtasim" run "$sc" --out "$tmp/ip"
# A config IP missing from "ips": it would count as established.
scenario '"192.0.2.40": {"age_days": 0}' ''
check "config IP missing from ips: exit 1 with file:line" fails 1 "pool.conf:7:.*192.0.2.41 of virtual-mta 'mta-old' is missing" "$mtasim" check "$sc"
# No "ips" at all: nothing to compare, no error.
scenario '' ''
check "no ips: no IP errors" "$mtasim" check "$sc" >/dev/null 2>&1

# A stream domain no provider model serves.
scenario "$both" ''
sed -i "s|\"$models/microsoft.json\", \"$models/generic.json\"|\"$models/yahoo.json\"|" "$sc/scenario.json"
check "domain without a provider: exit 1" fails 1 "no provider model serves this domain" "$mtasim" check "$sc"

# Durations without a unit.
scenario "$both" ''
check "run --duration 3: refused" fails 2 "3 what? write 3h" "$mtasim" run "$sc" --duration 3 --out "$tmp/d"
check "compare --duration 3: refused" fails 2 "3 what? write 3h" "$mtasim" compare "$sc" --config "$sc/pool.conf" --config "$sc/pool.conf" --duration 3
check "plan capacity --within 6: refused" fails 2 "6 what? write 6h" "$mtasim" plan capacity "$sc" --volume 10 --within 6
check "plan warmup --max-backoff 2: refused" fails 2 "2 what? write 2h" "$mtasim" plan warmup "$sc" --max-backoff 2
check "gen --duration 3: refused" fails 2 "3 what? write 3h" "$mtasim" gen "$sc" --duration 3
check "run --duration 1h30m: accepted" "$mtasim" run "$sc" --duration 1h30m --out "$tmp/d2" -q
scenario "$both" '' 3
check "scenario duration \"3\": refused with its JSON path" fails 1 "duration: 3 what? write '3h'" "$mtasim" check "$sc"

# plan capacity without an answer: exit 1 with the reason.
scenario "$both" ''
check "plan capacity, no answer: exit 1 with the reason" fails 1 "no answer: even 1 IPs fail" \
    "$mtasim" plan capacity "$sc" --volume 1000000 --within 10m --max-ips 1 --out "$tmp/none"
check "plan capacity, no answer: capacity.json says ips null" grep -q '"ips":	null' "$tmp/none/capacity.json"

# A patch edits the config file itself: a pool or VMTA defined in an
# included file is an error naming it, for both planners.
mv "$sc/pool.conf" "$sc/inc.conf"
echo 'include inc.conf' >"$sc/pool.conf"
check "plan capacity: a pool in an included file is refused" fails 1 \
    "is not defined in $sc/pool.conf itself (an included file?); the capacity patch" \
    "$mtasim" plan capacity "$sc" --volume 100 --within 1h --out "$tmp/inc-cap"
check "plan warmup: a VMTA in an included file is refused" fails 1 \
    "itself (an included file?); the warm-up patch edits that file only" \
    "$mtasim" plan warmup "$sc" --days 1 --out "$tmp/inc-wu"
mv "$sc/inc.conf" "$sc/pool.conf"

# plan warmup plans the user's own sender: its VMTA names, host names and
# IPs, as a patch that applies to its config and passes check --strict.
"$mtasim" plan warmup tests/scenarios/warmup --days 3 --out "$tmp/wu" >"$tmp/wu.out" 2>&1
check "plan warmup exits 0" [ $? -eq 0 ]
cp tests/scenarios/warmup/pool.conf "$tmp/wu/orig.conf"
check "warmup.patch applies to the user's config" \
    sh -c "cd '$tmp/wu' && cp orig.conf pool.conf && patch -s -p1 <warmup.patch"
check "the patched config is warmup.conf" cmp -s "$tmp/wu/pool.conf" "$tmp/wu/warmup.conf"
check "the patched config passes check --strict" sh -c "\"$mtasim\" check --strict \"$tmp/wu/warmup.conf\" >/dev/null"
check "no invented names in the plan" sh -c "! grep -q 'plan.invalid\|virtual-mta warm\|new1' '$tmp/wu/warmup.conf'"
check "the new VMTA is a cold VMTA of the established one" \
    sh -c "sed -n '/<virtual-mta mta-old>/,/<\/virtual-mta>/p' '$tmp/wu/warmup.conf' | grep -q 'cold-virtual-mta mta-new'"
check "the new VMTA leaves the pool while warming" \
    sh -c "! sed -n '/<virtual-mta-pool news>/,/<\/virtual-mta-pool>/p' '$tmp/wu/warmup.conf' | grep -q '^ *virtual-mta mta-new'"
check "the user's host names are kept" grep -q 'smtp-source-host 192.0.2.40 mta-new.example.net' "$tmp/wu/warmup.conf"
check "schedule.json names the user's VMTA of each IP" grep -q '"vmta":	"mta-new"' "$tmp/wu/schedule.json"
check "pool_volume = volume x new IPs (one here)" \
    awk -F, 'NR>1 && $4 != $7 {bad=1} END{exit bad}' "$tmp/wu/schedule.csv"
check "every day says what bound it" awk -F, 'NR>1 && $8 == "" {bad=1} END{exit bad}' "$tmp/wu/schedule.csv"
check "the quota lists are the pool volumes" \
    sh -c "grep -q 'max-cold-virtual-mta-msg $(awk -F, '$3=="gmail"{printf "%s%s/d", s, $7; s=","}' "$tmp/wu/schedule.csv")\$' '$tmp/wu/warmup.conf'"
# Without an established VMTA there is nothing to carry the excess.
scenario '"192.0.2.40": {"age_days": 0}, "192.0.2.41": {"age_days": 0}' ''
check "plan warmup without an established VMTA: exit 1 with the reason" \
    fails 1 "no established virtual-mta" "$mtasim" plan warmup "$sc" --days 2 --out "$tmp/wu2"

# A goal and sending days: the pool never exceeds the target, reaches it by
# the day asked, and only weekdays send (the scenario starts on a Thursday).
"$mtasim" plan warmup tests/scenarios/warmup --days 4 --sending-days mon-fri \
    --target 60/day --by 3 --out "$tmp/goal" >"$tmp/goal.out" 2>&1
check "plan warmup with a reachable target exits 0" [ $? -eq 0 ]
total() { # the pool total of sending day $1
    awk -F, -v d="$1" 'NR>1 && $1==d {s+=$7} END{print s+0}' "$tmp/goal/schedule.csv"
}
check "the target is reached by day 3 (within rounding)" [ "$(total 3)" -ge 58 ]
check "no day exceeds the target (within rounding)" \
    sh -c "for d in 1 2 3 4; do [ \$(awk -F, -v d=\$d 'NR>1 && \$1==d {s+=\$7} END{print s+0}' '$tmp/goal/schedule.csv') -le 62 ] || exit 1; done"
check "the target is named as the bound" grep -q ',target,' "$tmp/goal/schedule.csv"
check "only weekdays send" sh -c "for d in \$(cut -d, -f9 '$tmp/goal/schedule.csv' | tail -n +2 | sort -u); do \
    case \$(date -u -d \$d +%u) in 6|7) exit 1;; esac; done"
check "the weekend is skipped (day 3 is Monday 2026-01-05)" grep -q '^3,.*,2026-01-05$' "$tmp/goal/schedule.csv"
check "the quota lists cover calendar days (6 from Thursday to Tuesday)" \
    sh -c "grep 'max-cold-virtual-mta-msg' '$tmp/goal/warmup.conf' | head -1 | awk -F, '{exit NF != 6}'"
"$mtasim" plan warmup tests/scenarios/warmup --days 2 --target 100000000/day --by 2 \
    --out "$tmp/goal2" >/dev/null 2>"$tmp/goal2.err"
check "an unreachable target: exit 1 saying what the limits allow" \
    sh -c "[ $? -eq 1 ] && grep -q 'not reachable by sending day 2: the limits allow' '$tmp/goal2.err'"
check "--by without --target is a usage error" fails 2 "--by needs --target" \
    "$mtasim" plan warmup tests/scenarios/warmup --by 3
check "--sending-days checks its days" fails 2 "sending-days takes weekdays" \
    "$mtasim" plan warmup tests/scenarios/warmup --sending-days mon-fry

# plan capacity answers for the user's own pool: a patch of its config that
# keeps its backoff rules and passes check --strict.
"$mtasim" plan capacity tests/scenarios/small --volume 3000 --within 30m --out "$tmp/cap" >"$tmp/cap.out" 2>&1
check "plan capacity exits 0" [ $? -eq 0 ]
k=$(awk '/^\t"ips":/{gsub(/[^0-9]/,""); print; exit}' "$tmp/cap/capacity.json")
check "an answer" [ -n "$k" ]
cp tests/scenarios/small/small.conf "$tmp/cap/small.conf"
check "capacity.patch applies to the user's config" \
    sh -c "cd '$tmp/cap' && patch -s -p1 <capacity.patch && cmp -s small.conf capacity.conf"
check "capacity.conf passes check --strict" sh -c "\"$mtasim\" check --strict '$tmp/cap/capacity.conf' >/dev/null 2>&1"
check "the pool holds exactly the answer's VMTAs" \
    [ "$(sed -n '/<virtual-mta-pool p>/,/<\/virtual-mta-pool>/p' "$tmp/cap/capacity.conf" | grep -c '^ *virtual-mta ')" -eq "$k" ]
check "the user's backoff rule is kept" grep -q 'smtp-pattern-list throttle' "$tmp/cap/capacity.conf"
check "the user's VMTAs are kept" grep -q 'smtp-source-host 192.0.2.21 a.example.net' "$tmp/cap/capacity.conf"
check "no invented *.plan routing" sh -c "! grep -q '\.plan\b\|queue-to' '$tmp/cap/capacity.conf'"
check "plan capacity --pool names an unknown pool: exit 1" fails 1 "no virtual-mta-pool 'nope'" \
    "$mtasim" plan capacity tests/scenarios/small --volume 10 --within 1h --pool nope --out "$tmp/cap2"

# A real four-VMTA pool with two new IPs (listed after the established ones).
"$mtasim" plan warmup scenarios/pool-warmup --days 2 --out "$tmp/pw" >"$tmp/pw.out" 2>&1
check "pool-warmup: plan warmup exits 0" [ $? -eq 0 ]
check "pool-warmup: a row per day, new IP and provider" [ "$(wc -l <"$tmp/pw/schedule.csv")" -eq 17 ]
check "pool-warmup: only the new IPs are planned" \
    awk -F, 'NR>1 && $2!="203.0.113.13" && $2!="203.0.113.14" {bad=1} END{exit bad}' "$tmp/pw/schedule.csv"
check "pool-warmup: pool_volume = 2 x volume" awk -F, 'NR>1 && $7 != 2*$4 {bad=1} END{exit bad}' "$tmp/pw/schedule.csv"
cp scenarios/pool-warmup/pool.conf "$tmp/pw/pool.conf"
check "pool-warmup: the patch applies and gives warmup.conf" \
    sh -c "cd '$tmp/pw' && patch -s -p1 <warmup.patch && cmp -s pool.conf warmup.conf"
check "pool-warmup: warmup.conf passes check --strict" sh -c "\"$mtasim\" check --strict '$tmp/pw/warmup.conf' >/dev/null 2>&1"
check "pool-warmup: both new VMTAs are cold VMTAs of an established one" \
    sh -c "grep -q 'cold-virtual-mta mta3' '$tmp/pw/warmup.conf' && grep -q 'cold-virtual-mta mta4' '$tmp/pw/warmup.conf'"

finish
