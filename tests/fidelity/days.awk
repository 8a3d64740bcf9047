# days.awk - per provider and day, from a run's timeseries.csv (1 h
# intervals): attempts, delivered, deferred, bounced, expired, queued at the
# end of the day, and injected (what arrived that day: delivered + bounced +
# expired + the change in the queue). Queues are "domain/vmta"; the domain
# names the provider (the fidelity scenarios send to one domain per model).
# Output: day provider injected attempts delivered deferred bounced expired
# queued_end.
BEGIN {
    FS = ","
    prov["gmail.com"] = "gmail"; prov["hotmail.com"] = "microsoft"
    prov["yahoo.com"] = "yahoo"; prov["aol.com"] = "yahoo"
    prov["icloud.com"] = "apple"; prov["comcast.net"] = "comcast"
}
NR == 1 || $3 == "*" { next }
{
    split($3, q, "/")
    p = (q[1] in prov) ? prov[q[1]] : "generic"
    day = int(($1 - 1) / 86400) + 1
    if (day > maxday) maxday = day
    seen[p] = 1
    a[day, p] += $8; d[day, p] += $9; f[day, p] += $10
    b[day, p] += $11; x[day, p] += $12
    # queue depth at the last interval of the day
    if ($1 % 86400 == 0) qe[day, p] += $4
}
END {
    for (p in seen) {
        prev = 0
        for (day = 1; day <= maxday; day++) {
            inj = d[day, p] + b[day, p] + x[day, p] + qe[day, p] - prev
            printf "%d %s %d %d %d %d %d %d %d\n", day, p, inj, a[day, p],
                d[day, p], f[day, p], b[day, p], x[day, p], qe[day, p]
            prev = qe[day, p]
        }
    }
}
