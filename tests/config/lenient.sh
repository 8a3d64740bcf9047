#!/bin/sh
# tests/config/lenient.sh - `run` and `compare` read configs leniently:
# a config with warnings is simulated, and its warnings are printed once
# however many replications (or arms) read it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
sc=tests/config/lenient

"$mtasim" run "$sc" --replications 3 --jobs 2 --out "$tmp/run" -q 2>"$tmp/run.err"
check "run simulates a config with warnings (exit 0)" [ $? -eq 0 ]
check "run prints each warning once" [ "$(grep -c "unknown directive 'verp-defualt'" "$tmp/run.err")" -eq 1 ]
check "the warning names the line and says it is ignored" \
    grep -q "warn.conf:11:1: warning: unknown directive 'verp-defualt' in global level (line ignored)" "$tmp/run.err"
check "the extra argument is a warning too" grep -q "warn.conf:12:.*log-file.*line ignored (not modelled)" "$tmp/run.err"
check "summary written" [ -s "$tmp/run/summary.json" ]

cp "$sc/warn.conf" "$tmp/b.conf"
"$mtasim" compare "$sc" --config "$sc/warn.conf" --config "$tmp/b.conf" --replications 2 --out "$tmp/cmp" >/dev/null 2>"$tmp/cmp.err"
check "compare simulates it (exit 0)" [ $? -eq 0 ]
check "compare prints arm a's warning once" \
    [ "$(grep -c "warn.conf:11:1: warning: unknown directive 'verp-defualt'" "$tmp/cmp.err")" -eq 1 ]
check "compare prints arm b's warning once" \
    [ "$(grep -c "b.conf:11:1: warning: unknown directive 'verp-defualt'" "$tmp/cmp.err")" -eq 1 ]

"$mtasim" check --strict "$sc/warn.conf" >/dev/null 2>"$tmp/strict.err"
check "check --strict rejects it (exit 1)" [ $? -eq 1 ]
check "--strict: 2 errors" grep -q "2 errors, 0 warnings" "$tmp/strict.err"
finish
