#!/bin/sh
# tests/bad/run.sh - the bad-input table: every line of tests/bad/cases is
#   STATUS|MESSAGE|COMMAND
# COMMAND runs with sh in a fresh folder holding small.conf, sends.csv,
# acct.csv and a link to models/; it must exit with STATUS and print
# MESSAGE (a fixed string) on stderr. Helpers for COMMAND (tests/bad/lib.sh):
#   scen JSON      write s.json from JSON, where @C@ stands for the config and
#                  a generic model, @SL@ for a one-stream generated send list
#   run [ARGS]     mtasim run s.json --out out -q ARGS
# Blank lines and lines starting with '#' are comments.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
root=$(pwd)
case "$mtasim" in /*) ;; *) mtasim="$root/$mtasim" ;; esac
n=0
while IFS='|' read -r status message command; do
    case "$status" in '' | '#'*) continue ;; esac
    n=$((n + 1))
    d="$tmp/$n"
    mkdir -p "$d"
    cp tests/scenarios/small/small.conf tests/input/sends.csv \
        tests/input/acct.csv "$d/"
    ln -s "$root/models" "$d/models"
    (cd "$d" && MTASIM="$mtasim" ROOT="$root" timeout 60 sh -c \
        ". '$root/tests/bad/lib.sh'; $command" >out.txt 2>err.txt)
    rc=$?
    check "case $n exits $status: $command (got $rc)" [ "$rc" -eq "$status" ]
    check "case $n says '$message'" grep -qF -e "$message" "$d/err.txt"
    [ "$rc" -eq "$status" ] && grep -qF -e "$message" "$d/err.txt" ||
        sed 's/^/    stderr: /' "$d/err.txt" | head -5
done <tests/bad/cases
echo "bad-input cases: $n"
finish
