#!/bin/sh
# tests/config/run.sh - the config corpus: run `mtasim check` on every
# tests/config/{good,bad}-*.conf and compare with the expected output.
#
# A case NAME.conf runs `mtasim check [ARGS] NAME.conf` from the repository
# root, ARGS being the contents of NAME.args if it exists. Its stdout must
# equal NAME.out (when that file exists) and its stderr NAME.err (an absent
# .err means stderr must be empty). good-* must exit 0, bad-* must exit 1,
# unless NAME.status holds another wanted exit status (a config that loads
# with warnings but that --strict rejects: good-X with good-X@strict.status).
# Extra runs on the same config: NAME@TAG.args with NAME@TAG.out/.err.
#
#   tests/config/run.sh            check (MTASIM names the binary)
#   tests/config/run.sh --update   rewrite the expected files; review the diff
cd "$(dirname "$0")/../.." || exit 2
mtasim=${MTASIM:-./mtasim}
update=0
[ "$1" = "--update" ] && update=1
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_case CONF ARGSFILE STEM - one invocation; STEM names the .out/.err.
run_case() {
    conf=$1 argsfile=$2 stem=$3
    args=""
    [ -n "$argsfile" ] && args=$(cat "$argsfile")
    # shellcheck disable=SC2086
    "$mtasim" check $args "$conf" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    case $(basename "$conf") in
    good-*) want=0 ;;
    *) want=1 ;;
    esac
    [ -f "$stem.status" ] && want=$(cat "$stem.status")
    if [ $update -eq 1 ]; then
        if [ -s "$tmp/out" ] || [ -f "$stem.out" ]; then cp "$tmp/out" "$stem.out"; fi
        if [ -s "$tmp/err" ]; then cp "$tmp/err" "$stem.err"; else rm -f "$stem.err"; fi
    fi
    ok=1
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL $stem: exit status $rc, want $want"
        ok=0
    fi
    if [ -f "$stem.out" ] && ! cmp -s "$tmp/out" "$stem.out"; then
        echo "FAIL $stem: stdout differs:"
        diff "$stem.out" "$tmp/out" | head -n 20
        ok=0
    fi
    if [ -f "$stem.err" ]; then
        if ! cmp -s "$tmp/err" "$stem.err"; then
            echo "FAIL $stem: stderr differs:"
            diff "$stem.err" "$tmp/err" | head -n 20
            ok=0
        fi
    elif [ -s "$tmp/err" ]; then
        echo "FAIL $stem: unexpected stderr:"
        head -n 10 "$tmp/err"
        ok=0
    fi
    if [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for conf in tests/config/good-*.conf tests/config/bad-*.conf; do
    [ -f "$conf" ] || continue
    stem=${conf%.conf}
    if [ -f "$stem.args" ]; then
        run_case "$conf" "$stem.args" "$stem"
    else
        run_case "$conf" "" "$stem"
    fi
    for extra in "$stem"@*.args; do
        [ -f "$extra" ] || continue
        run_case "$conf" "$extra" "${extra%.args}"
    done
done
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
