#!/bin/sh
# tests/fidelity/plan.sh - fidelity point 8 (docs/providers.md): `mtasim
# plan warmup` on the KumoMTA conservative scenario's mix passes its own
# end-to-end check on every provider-day, and its plan for the new IP
# (all providers together) stays on every day between 0.3x KumoMTA's
# conservative preset (the lower anchor) and 2x the envelope of the
# published per-IP ramps (the upper anchor: the largest of SparkPost's
# plan, KumoMTA's presets, Mailtrap's and SendGrid's cap x 24 h that day).
# The planner needs an established VMTA to carry the excess, so the
# scenario is plan-kumo.json (plan.conf: the fidelity config with one
# established VMTA in a pool).
# PLAN_DAYS (default 30) sets the days planned: `make fidelity` plans 14
# (the days where the published ramps are steepest, about 3 minutes of
# CPU), `make fidelity-plan` all 30 (about 15 minutes).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
days=${PLAN_DAYS:-30}

"$mtasim" plan warmup tests/fidelity/plan-kumo.json --days "$days" \
    --out "$tmp/plan" >"$tmp/plan.out" 2>&1
check "8. plan warmup ($days days): end-to-end check passes every provider-day" \
    grep -q 'check: \([0-9]*\) of \1 provider-days' "$tmp/plan.out"
awk -F, 'NR > 1 { v[$1] += $4 } END { for (d in v) print d, v[d] }' \
    "$tmp/plan/schedule.csv" 2>/dev/null | sort -n >"$tmp/total"
# day, KumoMTA conservative, envelope of the published ramps (day 30
# holds SparkPost's day 29)
awk 'BEGIN {
    split("50 100 200 400 800 1500 3000 5000 7500 10000 12500 15000 20000 " \
          "25000 30000 35000 40000 45000 50000 55000 60000 70000 80000 " \
          "90000 100000 110000 120000 135000 150000 175000", kc, " ")
    split("480 672 1000 2500 5000 10000 20000 40000 50000 75000 100000 " \
          "150000 200000 300000 325000 400000 500000 600000 750000 1000000 " \
          "1250000 1750000 2000000 3000000 4250000 5000000 6000000 7500000 " \
          "10000000 10000000", env, " ")
    for (d = 1; d <= 30; d++) print d, kc[d], env[d] }' >"$tmp/anchors"
join "$tmp/total" "$tmp/anchors" >"$tmp/judged"
n=$(wc -l <"$tmp/judged")
check "8. plan warmup: a total for each of the $days days ($n)" [ "$n" -eq "$days" ]
low=$(awk '$2 < 0.3 * $3 { printf " day %d: %d", $1, $2 }' "$tmp/judged")
check "8. plan warmup: every day >= 0.3x KumoMTA conservative${low:+ (not on$low)}" \
    [ -z "$low" ]
high=$(awk '$2 > 2 * $4 { printf " day %d: %d > 2x %d", $1, $2, $4 }' "$tmp/judged")
check "8. plan warmup: every day <= 2x the published envelope${high:+ (not on$high)}" \
    [ -z "$high" ]
awk '{ printf "day %2d: %9d  (%.2fx KumoMTA conservative, %.2fx envelope)\n",
       $1, $2, $2 / $3, $2 / $4 }' "$tmp/judged" >&2
finish
