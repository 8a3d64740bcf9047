# daysum.awk - days.awk output summed over providers: per day, injected,
# attempts, delivered, deferred, expired, queued at the end of the day.
{
    if ($1 > maxd) maxd = $1
    inj[$1] += $3; att[$1] += $4; del[$1] += $5; def[$1] += $6
    exp_[$1] += $8; q[$1] += $9
}
END {
    for (d = 1; d <= maxd; d++)
        printf "%d %d %d %d %d %d %d\n", d, inj[d], att[d], del[d], def[d],
            exp_[d], q[d]
}
