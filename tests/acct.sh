#!/bin/sh
# tests/acct.sh - `mtasim run --acct`: acct.csv as PowerMTA writes it (time
# format, filled columns, dsnStatus and bounceCat from the reply, line
# ends), r records for every recipient, the replay round trip (the file
# read back as a "pmta-acct" send list gives the same recipients) and the
# warning before a file of more than 1 GB.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
col() { # col N FILE TYPE - column N of the rows of TYPE (no quoted commas)
    awk -F, -v n="$1" -v t="$3" '$1 == t && $0 !~ /"/ { print $n }' "$2"
}
top=$(pwd)
sc=tests/scenarios/small
"$mtasim" run "$sc" --out "$tmp/a" --acct -q
acct=$tmp/a/acct.csv
check "acct.csv written" [ -s "$acct" ]

# Times as PowerMTA's iso-times: '2026-01-01 09:00:01+0000'.
check "timeLogged in PowerMTA's form" sh -c \
    "[ -z \"\$(awk -F, 'NR > 1 && \$2 !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\\+0000\$/' '$acct')\" ]"
check "no ISO 'T...Z' times left" sh -c "! grep -q 'T[0-9:]*Z' '$acct'"

# Columns the simulator knows are filled.
check "jobId is the stream" [ "$(col 20 "$acct" d | sort -u | tr '\n' ' ')" = "news reset " ]
check "vmtaPool names the pool" [ "$(col 23 "$acct" r | sort -u)" = "p" ]
check "dsnMta names the MX (gmail)" sh -c "grep -q '^d,.*,gmail-smtp-in.l.google.com,' '$acct'"
check "srcMta names the injecting client" [ "$(col 13 "$acct" d | sort -u)" = "[127.0.0.1] (127.0.0.1)" ]
check "dlvSourceIp on d rows" [ -z "$(col 15 "$acct" d | grep -v '^192\.0\.2\.2[12]$')" ]
check "d rows: relayed, 2.0.0 (success)" \
    [ "$(awk -F, '$1 == "d" { print $7 "|" $8 }' "$acct" | sort -u)" = "relayed|2.0.0 (success)" ]

# dsnStatus and bounceCat from the reply, with PowerMTA's categories.
check "550 5.1.1 User unknown: 5.1.1, bad-mailbox" \
    grep -q '^b,.*,5.1.1 (bad destination mailbox address),smtp;550 5.1.1 User unknown,[^,]*,bad-mailbox,' "$acct"
check "550 5.5.0 mailbox unavailable: 5.5.0, bad-mailbox" \
    grep -q '^b,.*,5.5.0 (other or undefined protocol status),smtp;550 5.5.0 Requested action not taken: mailbox unavailable,[^,]*,bad-mailbox,' "$acct"
check "expiry: 4.4.7, message-expired" \
    grep -q '^b,.*,4.4.7 (delivery time expired),[^,]*,[^,]*,message-expired,' "$acct"
check "a reply without an enhanced code: class default" \
    grep -q '^t,.*,4.0.0 (undefined status),"smtp;421 RP-001' "$acct"
check "a spam complaint reply: spam-related" grep -q '^t,.*4.7.28.*,spam-related,' "$acct"
check "no b row says 5.0.0 for a reply that has a code" \
    sh -c "! grep -q '^b,.*5.0.0 (undefined status),smtp;5[0-9][0-9] 5' '$acct'"

# An r row per injected recipient, so the still-queued are in the file.
inj=$(awk '/"totals":/ { f = 1 } f && /"injected":/ { gsub(/[^0-9]/, ""); print; exit }' "$tmp/a/summary.json")
check "one r row per injected recipient ($inj)" [ "$(grep -c '^r,' "$acct")" = "$inj" ]
queued=$(awk '/"totals":/ { f = 1 } f && /"queued_at_end":/ { gsub(/[^0-9]/, ""); print; exit }' "$tmp/a/summary.json")
check "some recipients were still queued at the end ($queued)" [ "$queued" -gt 0 ]

# The round trip: the acct file as a pmta-acct send list.
mkdir "$tmp/rt"
cp "$sc/small.conf" "$tmp/rt/"
cat >"$tmp/rt/scenario.json" <<JSON
{"duration": "12h", "seed": 3, "config": "small.conf",
 "models": ["$top/models/generic.json", "$top/models/gmail.json",
            "$top/models/microsoft.json", "$top/models/yahoo.json"],
 "report": {"interval": "30m"},
 "ips": {"192.0.2.21": {"age_days": 0}, "192.0.2.22": {"age_days": 30}},
 "sendlist": {"file": "$acct", "format": "pmta-acct"}}
JSON
"$mtasim" run "$tmp/rt" --out "$tmp/rt/out" --acct -q
check "the replay runs" [ $? -eq 0 ]
grep '^r,' "$acct" | cut -d, -f1-22 >"$tmp/r1"
grep '^r,' "$tmp/rt/out/acct.csv" | cut -d, -f1-22 >"$tmp/r2"
check "the replay injects the same recipients (r rows identical)" cmp -s "$tmp/r1" "$tmp/r2"
check "with no adjusted times" grep -q '"sendlist_adjusted":	0' "$tmp/rt/out/summary.json"
# Unknown users survive the replay: their b rows come long after their r
# rows, so the reader must carry them to recipients it already handed on.
bad() { awk -F, '$1 == "b" && /bad-mailbox/ { print $5 }' "$1" | sort -u; }
bad "$acct" >"$tmp/bad1"
bad "$tmp/rt/out/acct.csv" >"$tmp/bad2"
n1=$(wc -l <"$tmp/bad1"); n2=$(wc -l <"$tmp/bad2")
check "the replay bounces >= 90 % of the unknown users again ($n2 of $n1)" \
    [ "$n1" -gt 20 -a $((n2 * 10)) -ge $((n1 * 9)) ]
check "and delivers none of them" \
    [ -z "$(awk -F, '$1 == "d" { print $5 }' "$tmp/rt/out/acct.csv" | sort -u | comm -12 - "$tmp/bad1")" ]

# CR LF as an option; otherwise the same bytes.
"$mtasim" run "$sc" --out "$tmp/c" --acct-eol crlf -q
check "--acct-eol crlf ends every line with CR LF" \
    [ "$(grep -c "$(printf '\r')\$" "$tmp/c/acct.csv")" = "$(wc -l <"$tmp/c/acct.csv")" ]
tr -d '\r' <"$tmp/c/acct.csv" >"$tmp/c/lf.csv"
check "and is otherwise the LF file" cmp -s "$tmp/c/lf.csv" "$acct"
"$mtasim" run "$sc" --out "$tmp/x" --acct-eol cr -q 2>"$tmp/x.err"
check "--acct-eol cr is a usage error (exit 2)" [ $? -eq 2 ]

# The warning comes before the run (here one that then fails on its config).
mkdir "$tmp/big"
cp "$sc/small.conf" "$tmp/big/"
cat >"$tmp/big/scenario.json" <<JSON
{"duration": "2d", "config": "small.conf",
 "models": ["$top/models/generic.json"],
 "sendlist": {"generate": {"streams": [{"name": "bulk",
   "volume_per_day": 2000000, "domains": {"*": 1}}]}}}
JSON
"$mtasim" run "$tmp/big" --out "$tmp/big/out" --acct --config "$tmp/none.conf" -q 2>"$tmp/big.err"
check "(that run fails on its config)" grep -q 'none.conf' "$tmp/big.err"
check "a 2 GB acct.csv is announced" grep -q 'warning: acct.csv will take at least 2.0 GB' "$tmp/big.err"
"$mtasim" run "$tmp/big" --out "$tmp/big/out2" --config "$tmp/none.conf" -q 2>"$tmp/big2.err"
check "not without --acct" sh -c "! grep -q 'acct.csv will take' '$tmp/big2.err'"
finish
