#!/bin/sh
# backlog.sh MTASIM - the memory a deferred recipient costs: the backlog
# scenario (every message deferred, nothing expires) for 12 h and for 24 h;
# the growth of peak RSS over the growth of the backlog is the cost of one
# queued recipient, fixed costs cancelling out. Printed, not asserted.
set -eu
mtasim=$1
out=build/bench/backlog
run() { # run DURATION -> "queued peak_kb"
    /usr/bin/time -f 'peak_kb %M' "$mtasim" run scenarios/bench/backlog.json \
        --duration "$1" --out "$out-$1" --force 2>&1 |
        awk '/still queued/ { for (i = 1; i < NF; i++)
                                 if ($(i + 1) == "still") q = $i }
             /^peak_kb/ { k = $2 } END { print q, k }'
}
set -- $(run 12h) $(run 24h)
awk -v q1="$1" -v k1="$2" -v q2="$3" -v k2="$4" 'BEGIN {
    printf "backlog: %d and %d deferred recipients, peak RSS %d and %d kB: %.1f bytes per queued recipient\n",
        q1, q2, k1, k2, (k2 - k1) * 1024 / (q2 - q1) }'
