# tests/bad/lib.sh - helpers for the commands of tests/bad/cases (see run.sh).
C='"config":"small.conf","models":["models/generic.json"]'
SL='"sendlist":{"generate":{"streams":[{"name":"a","volume_per_day":100,"domains":{"*":1}}]}}'
mtasim=$MTASIM
scen() { # scen JSON - s.json from JSON with @C@ and @SL@ expanded
    printf '%s\n' "$1" | sed -e "s|@C@|$C|g" -e "s|@SL@|$SL|g" >s.json
}
run() { # run [ARGS] - simulate s.json
    "$mtasim" run s.json --out out -q "$@"
}
