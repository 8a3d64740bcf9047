# weekly.awk - per week, all providers, from days.awk output: messages
# injected, delivered (whenever), delivered share and deferral rate
# (deferred attempts / attempts). Output: week injected delivered share
# deferral_rate.
{
    w = int(($1 - 1) / 7) + 1
    if (w > maxw) maxw = w
    inj[w] += $3; att[w] += $4; del[w] += $5; def[w] += $6
}
END {
    for (w = 1; w <= maxw; w++)
        printf "%d %d %d %.4f %.4f\n", w, inj[w], del[w],
            inj[w] ? del[w] / inj[w] : 0, att[w] ? def[w] / att[w] : 0
}
