# tests/lib.sh - what the shell tests share; source it from the repository
# root ('. tests/lib.sh'). It sets mtasim (the binary, $MTASIM or
# ./mtasim) and tmp (a scratch folder removed on exit), and gives
#   check DESCRIPTION COMMAND...   run COMMAND; count it passed or failed,
#                                  printing "FAIL: DESCRIPTION" on failure
#   finish                         print "# N passed, M failed" (the line
#                                  tests/run.sh adds up); exit 1 on a failure
mtasim=${MTASIM:-./mtasim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
finish() {
    echo "# $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
