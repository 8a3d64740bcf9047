#!/bin/sh
# tests/fidelity/plan.sh - fidelity point 8 (docs/providers.md): `mtasim
# plan warmup` on the KumoMTA conservative scenario's mix passes its own
# end-to-end check on every provider-day and plans at least 0.3x the
# preset on day 30 (175,000 a day) for the new IP. The planner needs an
# established VMTA to carry the excess, so the scenario is plan-kumo.json
# (plan.conf: the fidelity config with one established VMTA in a pool).
# Several minutes of CPU: `make fidelity-plan`, not in `make fidelity`.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

"$mtasim" plan warmup tests/fidelity/plan-kumo.json --days 30 \
    --out "$tmp/plan" >"$tmp/plan.out" 2>&1
check "8. plan warmup: end-to-end check passes every provider-day" \
    grep -q 'check: \([0-9]*\) of \1 provider-days' "$tmp/plan.out"
v=$(awk -F, 'NR > 1 && $1 == 30 { v += $4 } END { print v + 0 }' "$tmp/plan/schedule.csv" 2>/dev/null)
check "8. plan warmup: day 30 plans >= 52,500 (0.3x KumoMTA conservative; plans $v)" \
    [ "${v:-0}" -ge 52500 ]
finish
