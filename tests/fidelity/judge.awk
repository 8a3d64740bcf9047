# judge.awk - the provider-days of days.awk output (from day `from` to
# `to`) that miss a target: a deferral rate above maxdef (deferred attempts
# / attempts, two deferrals always allowed: a small day's transient 4xx is
# no verdict), a same-day share below minsame (1 - queued at the end of
# the day / injected that day), or any expiry. Prints each miss, then
# "provider-days N missed M". Set expok=1 to allow expiries.
{
    if ($1 < from || $1 > to) next
    n++
    inj = $3; att = $4; def = $6; exp_ = $8; q = $9
    rate = att > 0 ? def / att : 0
    same = inj > 0 ? 1 - q / inj : 1
    bad = (def > 2 && rate > maxdef) || same < minsame || (exp_ > 0 && !expok)
    if (bad) {
        m++
        printf "  miss: day %d %s injected %d deferral %.3f same-day %.3f expired %d\n",
            $1, $2, inj, rate, same, exp_
    }
}
END { printf "provider-days %d missed %d\n", n, m + 0 }
