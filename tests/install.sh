#!/bin/sh
# tests/install.sh - `make install` into a staging folder (DESTDIR): the
# installed binary, run from elsewhere, finds its models and plot scripts
# under PREFIX/share/mtasim without MTASIM_MODELS, writes the same reports
# as the plain build (it is the profile-guided one), and the man page lists
# every command; a binary copied away alone says how to fix the models path.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
top=$(pwd)
stage="$tmp/stage"
check "make install DESTDIR=... PREFIX=/usr" \
    sh -c "make -s install DESTDIR='$stage' PREFIX=/usr >'$tmp/inst.log' 2>&1"
bin="$stage/usr/bin/mtasim"
check "the binary is installed" test -x "$bin"
check "the models are installed" test -s "$stage/usr/share/mtasim/models/gmail.json"
check "the plot scripts are installed" test -s "$stage/usr/share/mtasim/plots/common.gp"
check "the man page is installed" test -s "$stage/usr/share/man/man1/mtasim.1"
for c in CHECK RUN COMPARE "PLAN WARMUP" "PLAN CAPACITY" PLOT GEN; do
    check "the man page has a section $c" grep -q "^\.SH \"$c\"" "$stage/usr/share/man/man1/mtasim.1"
done
runs_elsewhere() { # the installed binary, from /, with no MTASIM_* set
    (cd / && env -u MTASIM_MODELS -u MTASIM_PLOTS "$bin" run "$top/scenarios/hotmail-warmup" \
        --duration 1h --out "$tmp/run" >"$tmp/run.log" 2>&1)
}
check "the installed binary finds its models from another folder" runs_elsewhere
check "and wrote its summary" test -s "$tmp/run/summary.json"
plots_elsewhere() {
    (cd / && env -u MTASIM_PLOTS "$bin" plot "$tmp/run" --only throughput >"$tmp/plot.log" 2>&1)
}
check "the installed binary finds its plot scripts" plots_elsewhere
check "and drew the throughput plot" test -s "$tmp/run/throughput.png"
# The installed binary is the profile-guided build (make pgo): it must
# give the same reports as the plain one, byte for byte.
same_reports() {
    "$bin" run tests/scenarios/small --out "$tmp/pgo" -q --acct >/dev/null 2>&1 &&
        "$mtasim" run tests/scenarios/small --out "$tmp/plain" -q --acct >/dev/null 2>&1 || return 1
    for f in timeseries.csv events.csv latency.csv daily.csv acct.csv; do
        cmp -s "$tmp/pgo/$f" "$tmp/plain/$f" || return 1
    done
    sed '/"engine":/,$d' "$tmp/pgo/summary.json" >"$tmp/pgo.sum"
    sed '/"engine":/,$d' "$tmp/plain/summary.json" >"$tmp/plain.sum"
    cmp -s "$tmp/pgo.sum" "$tmp/plain.sum"
}
check "the installed (profile-guided) binary writes the same reports as ./mtasim" same_reports
cp "$mtasim" "$tmp/alone"
alone_hint() {
    (cd "$tmp" && env -u MTASIM_MODELS ./alone run "$top/scenarios/hotmail-warmup" \
        --duration 1h --out "$tmp/run2" >"$tmp/alone.log" 2>&1)
    [ $? -ne 0 ] && grep -q "set MTASIM_MODELS" "$tmp/alone.log"
}
check "a binary copied alone fails with a hint" alone_hint
finish
