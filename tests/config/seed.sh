#!/bin/sh
# tests/config/seed.sh - the user's seed config (blog dialect, as the user
# sent it: tests/config/hotmail-template.conf): `check` accepts it with a warning that
# gives the real syntax for every dialect line, `--fix` turns it into a
# config that passes `--strict` and resolves to the same settings, and
# `--strict` rejects the original.
cd "$(dirname "$0")/../.." || exit 2
seed=tests/config/hotmail-template.conf
. tests/lib.sh

"$mtasim" check "$seed" >"$tmp/out" 2>"$tmp/err"
check "seed is accepted (exit 0)" [ $? -eq 0 ]
# Every dialect line, with the real syntax quoted in its warning.
while IFS='|' read -r line text; do
    check "line $line warns: $text" \
        grep -qF "$seed:$line:" "$tmp/err"
    check "line $line gives: $text" \
        sh -c "grep -F '$seed:$line:' '$tmp/err' | grep -q 'warning: ' && grep -F '$seed:$line:' '$tmp/err' | grep -qF \"$text\""
done <<'LINES'
20|read as 'retry-after 30m'
21|read as 'bounce-after 4d'
27|read as 'max-msg-rate 5000/h'
28|read as 'retry-recipients-after 15m'
30|'bounce-on-4xx-status' is not PowerMTA syntax and has no equivalent
31|read as 'log-transfer-failures true'
32|'log-fallback-failures' is not PowerMTA syntax
35|read as 'reply /^421.*RP-001/ mode=backoff,backoff-to-normal-after=1h' in <smtp-pattern-list hotmail-backoff>, with 'backoff-max-smtp-out 5' and 'backoff-max-msg-rate 1000/h'
36|read as 'reply /^421.*4\.3\.2/ mode=backoff,backoff-to-normal-after=45m'
43|HTML comment
44|read as '<domain *>'
51|HTML comment
52|'<max-cpu-usage>90</max-cpu-usage>' is not PowerMTA syntax
LINES
check "no errors" sh -c "! grep -q ' error: ' '$tmp/err'"

"$mtasim" check --strict "$seed" >/dev/null 2>"$tmp/strict"
check "--strict rejects the seed (exit 1)" [ $? -eq 1 ]
check "--strict reports 11 errors (deprecated max-msg-per-hour only warns)" grep -q '11 errors' "$tmp/strict"

"$mtasim" check --fix "$seed" >"$tmp/fixed.conf" 2>/dev/null
check "--fix exits 0" [ $? -eq 0 ]
"$mtasim" check --strict "$tmp/fixed.conf" >/dev/null 2>"$tmp/fixerr"
check "fixed config passes --strict" [ $? -eq 0 ]
check "fixed config has no diagnostics" [ ! -s "$tmp/fixerr" ]
check "fixed config keeps the comments" \
    grep -qF 'max-msg-rate 5000/h # Global cap per hour' "$tmp/fixed.conf"

# The fixed config must mean the same as the seed: same resolved values.
for q in outlook.com hotmail.com msn.com example.org; do
    "$mtasim" check --show-settings "$q" "$seed" 2>/dev/null |
        sed -n '/^settings/,$p' | awk '{print $1, $2}' >"$tmp/a"
    "$mtasim" check --show-settings "$q" "$tmp/fixed.conf" 2>/dev/null |
        sed -n '/^settings/,$p' | awk '{print $1, $2}' >"$tmp/b"
    check "same settings for $q after --fix" cmp -s "$tmp/a" "$tmp/b"
done
"$mtasim" check --show-settings outlook.com "$seed" >"$tmp/show" 2>/dev/null
for kv in "queue-to hotmail.com" "max-smtp-out 20" "backoff-max-smtp-out 5" \
    "max-msg-rate 5000/h" "backoff-max-msg-rate 1000/h" "retry-after 30m" \
    "bounce-after 4d" "retry-recipients-after 15m" \
    "max-msg-per-connection 100" "max-errors-per-connection 5" \
    "smtp-pattern-list hotmail-backoff"; do
    check "outlook.com queue has $kv" \
        sh -c "awk '{print \$1, \$2}' '$tmp/show' | grep -qx '$kv'"
done
finish
