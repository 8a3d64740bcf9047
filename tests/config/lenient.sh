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
# A rate of 0 pauses (docs/config.md): nothing is delivered while it
# applies; the same config with a positive rate delivers.
sed 's|max-msg-rate 100/h|max-msg-rate 0|' "$sc/warn.conf" >"$tmp/zero.conf"
"$mtasim" run "$sc" --config "$tmp/zero.conf" --out "$tmp/zero" -q 2>"$tmp/zero.err"
check "a config with max-msg-rate 0 runs (exit 0)" [ $? -eq 0 ]
check "max-msg-rate 0 is read as a pause, with a warning" grep -q "'max-msg-rate 0' pauses" "$tmp/zero.err"
check "max-msg-rate 0: nothing delivered" grep -q '"delivered":[[:space:]]*0,' "$tmp/zero/summary.json"
check "max-msg-rate 100/h: mail delivered" python3 -c 'import json, sys; sys.exit(not json.load(open(sys.argv[1]))["totals"]["delivered"] > 0)' "$tmp/run/summary.json"
sed 's|max-msg-rate 100/h|max-data-volume-rate 0|' "$sc/warn.conf" >"$tmp/zerov.conf"
"$mtasim" run "$sc" --config "$tmp/zerov.conf" --out "$tmp/zerov" -q 2>/dev/null
check "max-data-volume-rate 0: nothing delivered" grep -q '"delivered":[[:space:]]*0,' "$tmp/zerov/summary.json"
# --fix rewrites deprecated directives to their replacements, in the main
# file (stdout) and in included files (FILE.fixed beside each).
mkdir -p "$tmp/fix"
printf 'smtp-port 2525    # old listener\nspool /var/spool/pmta\ninclude domains.inc\n' >"$tmp/fix/main.conf"
printf '<domain example.com>\n    route [192.0.2.5]:2525\n    max-smtp-out-per-source-ip 4\n</domain>\n' >"$tmp/fix/domains.inc"
"$mtasim" check --fix "$tmp/fix/main.conf" >"$tmp/fix/out" 2>"$tmp/fix/err"
check "--fix exits 0" [ $? -eq 0 ]
check "--fix: smtp-port N becomes smtp-listener 0/0:N (comment kept)" grep -qx 'smtp-listener 0/0:2525 # old listener' "$tmp/fix/out"
check "--fix: spool DIR becomes the <spool DIR> block" sh -c "grep -qx '<spool /var/spool/pmta>' '$tmp/fix/out' && grep -qx '</spool>' '$tmp/fix/out'"
check "--fix writes the included file as domains.inc.fixed" grep -q "wrote '$tmp/fix/domains.inc.fixed'" "$tmp/fix/err"
check "--fix: route becomes smtp-hosts" grep -qx '    smtp-hosts \[192.0.2.5\]:2525' "$tmp/fix/domains.inc.fixed"
check "--fix: max-smtp-out-per-source-ip N becomes source-ip-max-smtp-out 0/0 N" grep -qx '    source-ip-max-smtp-out 0/0 4' "$tmp/fix/domains.inc.fixed"
check "--fix leaves the original included file alone" grep -q route "$tmp/fix/domains.inc"
cp "$tmp/fix/out" "$tmp/fix/main.conf"
mv "$tmp/fix/domains.inc.fixed" "$tmp/fix/domains.inc"
"$mtasim" check --strict "$tmp/fix/main.conf" >/dev/null 2>"$tmp/fix/err2"
check "the fixed files pass --strict (exit 0)" [ $? -eq 0 ]
check "... with no warning" [ ! -s "$tmp/fix/err2" ]
# check --json stays proportional to the config; queues on demand.
"$mtasim" check --json tests/config/good-stock-sample.conf >"$tmp/j1"
"$mtasim" check --json --queues tests/config/good-stock-sample.conf >"$tmp/j2"
check "--json omits the queues and says how to get them" grep -q '"queues_note"' "$tmp/j1"
check "--json --queues holds every queue" grep -q '"discard.example.com/vmta1"' "$tmp/j2"
check "--json without queues is under a fifth of the size" [ $(($(wc -c <"$tmp/j1") * 5)) -lt "$(wc -c <"$tmp/j2")" ]
"$mtasim" plan capacity "$sc" --volume 100 --within 1h --out "$tmp/cap" >/dev/null 2>"$tmp/cap.err"
check "plan capacity prints each warning once (pre-flight, patch, trials)" \
    [ "$(grep -c "unknown directive 'verp-defualt'" "$tmp/cap.err")" -eq 1 ]
finish
