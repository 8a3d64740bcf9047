#!/bin/sh
# tests/report.sh - `mtasim report`: one self-contained HTML page about a
# run (names the scenario, has the headline, daily and stream tables and
# inline SVG plots, fetches nothing, same bytes twice), a replicated run and
# a comparison with CIs, the error cases; and the page rendered by headless
# Chromium: not blank (many colours in the screenshot) and the rendered DOM
# names the scenario. Without Chromium those checks are skipped, saying so.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
sc=tests/scenarios/small
"$mtasim" run "$sc" --out "$tmp/small" -q
"$mtasim" report "$tmp/small" >"$tmp/r.out" 2>"$tmp/r.err"
check "report exits 0" [ $? -eq 0 ]
page=$tmp/small/report.html
check "it prints where the page is" grep -qx "$page" "$tmp/r.out"
check "the page is written" [ -s "$page" ]
check "it names the scenario" grep -q '<h1>small</h1>' "$page"
check "a headline table" grep -q '<h2>Headline</h2>' "$page"
check "what was simulated: seed and duration" \
    sh -c "grep -q '<td>seed</td><td>3</td>' '$page' && grep -q '<td>duration</td><td>12&nbsp;h</td>' '$page'"
check "checksums of the run's files" grep -q 'summary.json</td><td><code>crc32 [0-9a-f]\{8\}</code>' "$page"
check "per-provider daily rows" grep -q '<tr><td>1</td><td class=t>gmail</td>' "$page"
check "per-IP daily rows" grep -q '<td class=t>microsoft</td><td class=t>192.0.2.22</td>' "$page"
check "stream rows with the deadline share" grep -q '<td class=t>reset</td>' "$page"
check "inline SVG plots (throughput, queues, latency, timeline)" \
    [ "$(grep -c '<svg' "$page")" -ge 4 ]
check "no script, stylesheet link, import or external image" \
    sh -c "! grep -Eqi '<script|<link|@import|<img|src=|url\\(http|href=.http' '$page'"
check "no XML prolog inside the page" sh -c "! grep -q '<?xml' '$page'"
"$mtasim" report "$tmp/small" -o "$tmp/again.html" -q
check "the same run gives the same bytes" cmp -s "$page" "$tmp/again.html"

# A replicated run compared with another: CIs.
"$mtasim" run "$sc" --out "$tmp/rep" --replications 3 -q
"$mtasim" run "$sc" --out "$tmp/rep2" --replications 3 --seed 9 -q
"$mtasim" report "$tmp/rep" --compare "$tmp/rep2" -o "$tmp/cmp.html" -q
check "report --compare exits 0" [ $? -eq 0 ]
check "the replicated figures carry CIs" grep -q '<span class=ci>\[' "$tmp/cmp.html"
check "a comparison section" grep -q '<h2>Comparison: A (this run) and B (rep2)</h2>' "$tmp/cmp.html"
check "the paired CI of a difference" grep -q '<tr><td class=t>delivered</td>.*class="ci' "$tmp/cmp.html"
check "the compare plot" [ "$(grep -c '<svg' "$tmp/cmp.html")" -ge 5 ]

# Errors.
"$mtasim" report "$tmp/none" 2>"$tmp/e1"
check "a missing folder: exit 1" [ $? -eq 1 ]
check "and it says so" grep -q "is not a folder" "$tmp/e1"
mkdir "$tmp/empty"
"$mtasim" report "$tmp/empty" 2>"$tmp/e2"
check "a folder without summary.json: exit 1" [ $? -eq 1 ]
"$mtasim" report 2>/dev/null
check "no folder: exit 2" [ $? -eq 2 ]
"$mtasim" report --help | grep -q "exit status"
check "--help lists the exit statuses" [ $? -eq 0 ]

# In a real browser.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "chromium is not installed: the rendering checks are skipped"
else
    flags="--headless --no-sandbox --disable-gpu --hide-scrollbars"
    # shellcheck disable=SC2086
    timeout 120 "$browser" $flags --force-device-scale-factor=0.5 \
        --window-size=1200,4000 --screenshot="$tmp/shot.png" \
        "file://$page" >/dev/null 2>&1
    check "chromium renders a PNG" \
        [ "$(od -An -tx1 -N8 "$tmp/shot.png" | tr -d ' \n')" = "89504e470d0a1a0a" ]
    if command -v python3 >/dev/null; then
        n=$(python3 tests/png_colours.py "$tmp/shot.png")
        check "the screenshot is not blank ($n colours)" [ "${n:-0}" -gt 100 ]
    else
        echo "python3 is not installed: the colour count is skipped"
    fi
    # shellcheck disable=SC2086
    timeout 120 "$browser" $flags --dump-dom "file://$page" >"$tmp/dom.html" 2>/dev/null
    check "the rendered page names the scenario" grep -q '<h1>small</h1>' "$tmp/dom.html"
    check "and holds the plots" [ "$(grep -c '<svg' "$tmp/dom.html")" -ge 4 ]
fi
# What was simulated comes from summary.json: the version, the command
# line and each input with its checksum.
check "the page shows the recorded version" grep -q '<td>mtasim version</td><td>0\.[0-9.]*</td>' "$page"
check "and the command line" grep -q '<td>command line</td><td><code>mtasim run ' "$page"
sha=$(sha256sum <tests/scenarios/small/small.conf | cut -c1-16)
check "and the config with its SHA-256" grep -q "small.conf</code> <span class=note title=\"sha256 $sha" "$page"
check "no input is 'not recorded'" sh -c "! grep -q 'inputs</td><td class=note>not recorded' '$page'"

finish
