#!/bin/sh
# tests/fidelity/run.sh - the fidelity suite (make fidelity): the shipped
# models and a careful PowerMTA config (fidelity.conf) against what senders
# see with published warm-up schedules (docs/providers.md). One new IP, a
# 40/20/15/5/5/15 Gmail/Microsoft/Yahoo-AOL/Apple/Comcast/other mix.
# Checks points 1-7, 9 and 10 of docs/providers.md "Fidelity suite" (point 8, the
# warm-up planner, is tests/fidelity/plan.sh); runs the scenarios two at a
# time (about a minute of CPU).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
fid=tests/fidelity

# sim NAME - run scenario NAME; days.awk output in $tmp/NAME.days.
sim() {
    "$mtasim" run "$fid/$1.json" --out "$tmp/$1" >/dev/null 2>"$tmp/$1.err" ||
        echo "run $1 failed: $(cat "$tmp/$1.err")"
    awk -f "$fid/days.awk" "$tmp/$1/timeseries.csv" 2>/dev/null |
        sort -k2,2 -k1n >"$tmp/$1.days"
    awk -f "$fid/daysum.awk" "$tmp/$1.days" >"$tmp/$1.sum"
}
# judge NAME FROM TO MAXDEF MINSAME [EXPOK] - provider-days missed (listed).
judge() {
    awk -v from="$2" -v to="$3" -v maxdef="$4" -v minsame="$5" -v expok="${6:-0}" \
        -f "$fid/judge.awk" "$tmp/$1.days" >"$tmp/$1.judge.$2"
    grep '^  miss' "$tmp/$1.judge.$2" | head -5 >&2
    sed -n 's/^provider-days [0-9]* missed \([0-9]*\)$/\1/p' "$tmp/$1.judge.$2"
}
blocks() { grep -c ',block,' "$tmp/$1/events.csv"; }

sim kumo-conservative & sim sendgrid & wait
sim sparkpost & sim kumo-aggressive & wait
sim overshoot & sim growth & sim mailtrap & wait
sim complaints & sim established & sim blast &
"$mtasim" run scenarios/hotmail-warmup --out "$tmp/hotmail" >/dev/null 2>&1 &
wait
sim week1-limits & sim week1-double & sim gmail-jump4 & sim gmail-jump2 & wait

# 1. Published schedules that go through: per provider and day at most
#    5 % deferrals, 95 % delivered the same day, no expiry, no block.
for s in kumo-conservative sendgrid mailtrap; do
    check "1. $s: every provider-day <= 5 % deferred, >= 95 % same day, no expiry" \
        [ "$(judge $s 1 30 0.05 0.95)" = 0 ]
    check "1. $s: no block" [ "$(blocks $s)" = 0 ]
done

# 2. The steep plans, days 1-21: >= 90 % delivered the day they are sent
#    (stricter than within 24 h) on at least 18 days, deferrals <= 15 % on
#    at least 18 days, no block.
for s in sparkpost kumo-aggressive; do
    n=$(awk '$1 <= 21 && $2 > 0 && 1 - $7 / $2 >= 0.90' "$tmp/$s.sum" | wc -l)
    check "2. $s: >= 90 % same day on >= 18 of 21 days ($n)" [ "$n" -ge 18 ]
    n=$(awk '$1 <= 21 && ($3 == 0 || $5 / $3 <= 0.15)' "$tmp/$s.sum" | wc -l)
    check "2. $s: deferrals <= 15 % on >= 18 of 21 days ($n)" [ "$n" -ge 18 ]
    check "2. $s: no block" [ "$(blocks $s)" = 0 ]
done

# 3. Overshoot: 30x the plan on days 8-10 is pushed back, then recovers.
n=$(awk '$1 >= 8 && $1 <= 10 && $5 / $3 >= 0.20' "$tmp/overshoot.sum" | wc -l)
check "3. overshoot days 8-10 pushed back (>= 20 % deferrals each day)" [ "$n" = 3 ]
check "3. two days after the return, every provider-day <= 5 % deferred" \
    [ "$(judge overshoot 13 16 0.05 0.95 1)" = 0 ]
check "3. backlog gone within 72 h of the return (end of day 13)" \
    awk '$1 == 13 { exit !($7 <= 0.01 * $2) }' "$tmp/overshoot.sum"
age=$(awk -F, '$2 == "gmail" { a = $9 } END { print a + 0 }' "$tmp/overshoot/daily.csv")
check "3. age keeps rising through the overshoot (gmail age $age after 16 days)" \
    [ "${age:-0}" -ge 15 ]
check "3. no block" [ "$(blocks overshoot)" = 0 ]

# 4. Sustainable growth: 1.4x a day to 50k a day, 1.2x a day to 250k.
check "4. growth: every provider-day <= 5 % deferred, >= 95 % same day" \
    [ "$(judge growth 1 99 0.05 0.95)" = 0 ]
check "4. growth reaches 250k a day" awk 'END { exit !($2 >= 250000) }' "$tmp/growth.sum"

# 5. Complaints: 0.03 % (every scenario above) never blocks; 0.5 % does.
all=0
for s in kumo-conservative sendgrid mailtrap sparkpost kumo-aggressive growth; do
    all=$((all + $(blocks $s)))
done
check "5. 0.03 % complaints: no block in any scenario" [ "$all" = 0 ]
first=$(awk -F, '$4 == "block" && $6 == "gmail" { print $1; exit }' "$tmp/complaints/events.csv")
check "5. 0.5 % complaints: Gmail blocks within 5 days (at ${first:-never} s)" \
    awk -v t="${first:-1e99}" 'BEGIN { exit !(t <= 5 * 86400) }'

# 6. An established IP: 1 M a day at <= 1 % deferrals, a 1 M blast <= 5 %,
#    the long tail no worse than the named providers.
check "6. established 1 M/day: every provider-day <= 1 % deferred" \
    [ "$(judge established 1 2 0.01 0.95)" = 0 ]
check "6. 1 M blast: every provider <= 5 % deferred" \
    [ "$(judge blast 1 1 0.05 0.95)" = 0 ]
for s in established blast; do
    check "6. $s: the long tail defers no more than the worst named provider" \
        awk '$1 == 1 { r = $4 ? $6 / $4 : 0; if ($2 == "generic") tail = r;
             else if (r > worst) worst = r } END { exit !(tail <= worst + 0.002) }' \
        "$tmp/$s.days"
done

# 7. hotmail-warmup: the too-steep ramp meets RP-001, backoff and a
#    backlog, but is pushed back, not locked.
check "7. hotmail-warmup: RP-001 deferrals" grep -q 'RP-001' "$tmp/hotmail/summary.json"
check "7. hotmail-warmup: backoff" grep -q ',backoff-enter,' "$tmp/hotmail/events.csv"
check "7. hotmail-warmup: a backlog (> 10,000 queued at some day's end)" \
    awk -F, '$3 != "*" && $1 % 86400 == 0 && $4 > 10000 { f = 1 } END { exit !f }' \
    "$tmp/hotmail/timeseries.csv"
check "7. hotmail-warmup: >= 5,000 delivered every day after the ramp (days 11-30)" \
    awk -F, 'NR > 1 && $3 != "*" { d[int(($1 - 1) / 86400) + 1] += $9 }
         END { for (i = 11; i <= 30; i++) if (d[i] < 5000) exit 1 }' \
    "$tmp/hotmail/timeseries.csv"

# 9. Upper anchor, SparkPost's first-week limits (Outlook 20,000 a day,
#    AOL 5,000): a new IP at 95 % of them on day 7 goes through; at twice
#    them it is pushed back that day.
check "9. week 1 at the limits: every provider-day <= 5 % deferred, >= 95 % same day" \
    [ "$(judge week1-limits 1 7 0.05 0.95)" = 0 ]
for p in microsoft yahoo; do
    check "9. week 1 at twice the limits: $p pushed back on day 7 (>= 20 % deferred)" \
        awk -v p=$p '$1 == 7 && $2 == p { f = $4 && $6 / $4 >= 0.20 } END { exit !f }' \
        "$tmp/week1-double.days"
    check "9. week 1 at twice the limits: $p accepts no more than its limit on day 7" \
        awk -v p=$p -v lim=$([ $p = microsoft ] && echo 20000 || echo 5000) \
        '$1 == 7 && $2 == p { f = $5 <= lim } END { exit !f }' "$tmp/week1-double.days"
done

# 10. Upper anchor, Google (a sudden doubling may be rate limited): a
#     young IP steady at 1,000 a day to Gmail that jumps 4x is rate limited
#     that day (>= 20 % deferred); a 2x step (the steepest published) is not.
check "10. Gmail 4x jump on day 10: >= 20 % deferred that day" \
    awk '$1 == 10 { f = $4 && $6 / $4 >= 0.20 } END { exit !f }' "$tmp/gmail-jump4.days"
check "10. Gmail 2x step on day 10: every day <= 5 % deferred, >= 95 % same day" \
    [ "$(judge gmail-jump2 1 10 0.05 0.95)" = 0 ]

finish
