#!/bin/sh
# instructions.sh MTASIM - the instructions the run loop executes per
# recipient over the first 12 h of bench-10m, counted by valgrind's
# callgrind inside sim_step (setup and report writing left out). Unlike
# seconds, the count does not move with the load of a shared machine: it
# is the figure to compare two builds of the hot path by. It depends on
# the compiler and flags, so compare builds made the same way (the plain
# build, not the profile-guided one). Printed, not asserted; skipped when
# valgrind is not installed.
set -eu
mtasim=$1
duration=${IR_DURATION:-12h}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "instructions: skipped (valgrind is not installed)"
    exit 0
fi
out=build/bench/instructions
mkdir -p "$out"
valgrind --tool=callgrind --toggle-collect=sim_step \
    --callgrind-out-file="$out/callgrind.out" \
    "$mtasim" run scenarios/bench/bench-10m.json --duration "$duration" \
    --out "$out/run" --force -q >"$out/valgrind.log" 2>&1 || {
    echo "instructions: valgrind failed, see $out/valgrind.log" >&2
    exit 1
}
ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$out/callgrind.out")
# "injected": the first key of summary.json's "totals" object
n=$(sed -n 's/.*"injected":[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
    "$out/run/summary.json" | head -n 1)
if [ -z "$ir" ] || [ -z "$n" ] || [ "$n" -eq 0 ]; then
    echo "instructions: no count in $out (callgrind output or summary.json)" >&2
    exit 1
fi
if [ "$ir" -eq 0 ]; then
    echo "instructions: nothing counted: sim_step is not a function of $mtasim (inlined by link-time optimisation?); count a plain build" >&2
    exit 1
fi
awk -v ir="$ir" -v n="$n" -v d="$duration" 'BEGIN {
    printf "instructions: %.0f per recipient in the run loop (%d recipients, first %s of bench-10m, plain build, callgrind)\n",
        ir / n, n, d }'
