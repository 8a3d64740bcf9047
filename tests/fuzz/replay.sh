#!/bin/sh
# tests/fuzz/replay.sh - every fuzz target's harness (built with the normal
# compiler by `make test`) over its seed corpus and kept findings, so they
# stay fixed without clang or libFuzzer. REPLAY_DIR is where the replay_*
# programs are (make test sets it: build/fuzz or build-san/fuzz).
cd "$(dirname "$0")/../.." || exit 2
dir=${REPLAY_DIR:-build/fuzz}
total=0
for t in config scenario model sendlist acct run; do
    out=$("$dir/replay_$t" tests/fuzz/corpus-$t/* 2>&1)
    rc=$?
    n=$(printf '%s\n' "$out" | sed -n 's/^# \([0-9]*\) passed.*/\1/p')
    if [ $rc -ne 0 ] || [ -z "$n" ]; then
        printf '%s\n' "$out" | tail -n 20
        echo "FAIL: replay_$t"
        echo "# $total passed, 1 failed"
        exit 1
    fi
    total=$((total + n))
done
echo "# $total passed, 0 failed"
