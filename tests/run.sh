#!/bin/sh
# tests/run.sh - run every test program and script given as arguments, add up
# their "# N passed, M failed" lines, and end with one "N passed, M failed".
# A program that crashes or prints no count line counts as one failure.
passed=0
failed=0
for t in "$@"; do
    echo "== $t"
    out=$("$t" 2>&1)
    status=$?
    printf '%s\n' "$out" | grep -v '^# [0-9]* passed, [0-9]* failed$' | tail -n 40
    line=$(printf '%s\n' "$out" | grep '^# [0-9]* passed, [0-9]* failed$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "   $t: no result line (exit status $status)"
        failed=$((failed + 1))
        continue
    fi
    p=$(echo "$line" | sed 's/^# \([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed$/\1/')
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    echo "   $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
