#!/bin/sh
# tests/schema.sh - every shipped scenario validates against
# docs/scenario.schema.json (python3-jsonschema), and the schema refuses what
# mtasim refuses: unknown keys, durations without a unit, blast settings on
# poisson streams. Skipped, saying so, when the module is missing.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
if ! python3 -c 'import jsonschema' 2>/dev/null; then
    echo "SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)"
    finish
fi
validate() { # validate FILE: 0 when the schema accepts it
    python3 - "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/scenario.schema.json"))
jsonschema.Draft7Validator.check_schema(schema)
errors = list(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[1]))))
for e in errors:
    print("%s: %s: %s" % (sys.argv[1], "$" + "".join("[%r]" % p for p in e.absolute_path), e.message), file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}
n=0
for f in $(find scenarios tests/scenarios -name '*.json' -not -path '*/models/*' | LC_ALL=C sort); do
    check "$f validates against the schema" validate "$f"
    n=$((n + 1))
done
check "some scenarios were validated" [ "$n" -ge 8 ]

# What mtasim refuses, the schema refuses too (and mtasim does refuse it).
base='"config": "pool.conf", "sendlist": {"generate": {"streams": [{"name": "s", "volume_per_day": 10, "domains": {"gmail.com": 1}'
good="{\"duration\": \"1d\", $base}]}}}"
printf '%s\n' "$good" >"$tmp/good.json"
cp tests/scenarios/warmup/pool.conf "$tmp/pool.conf"
check "the minimal scenario validates" validate "$tmp/good.json"
for case in \
    "unitless-duration|{\"duration\": \"3\", $base}]}}}" \
    "numeric-duration|{\"duration\": 3, $base}]}}}" \
    "unknown-key|{\"duration\": \"1d\", \"durration\": \"1d\", $base}]}}}" \
    "at-on-poisson|{\"duration\": \"1d\", $base, \"at\": \"10:00\"}]}}}" \
    "blast-without-at|{\"duration\": \"1d\", $base, \"arrivals\": \"blast\"}]}}}" \
    "reputation-above-1|{\"duration\": \"1d\", \"ips\": {\"192.0.2.40\": {\"reputation\": 2}}, $base}]}}}" \
    "file-and-generate|{\"duration\": \"1d\", \"config\": \"pool.conf\", \"sendlist\": {\"file\": \"x.csv\", \"generate\": {\"streams\": []}}}"; do
    name=${case%%|*}
    printf '%s\n' "${case#*|}" >"$tmp/$name.json"
    check "schema refuses: $name" sh -c "! python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(\"docs/scenario.schema.json\")))' '$tmp/$name.json' 2>/dev/null"
    check "mtasim refuses: $name" sh -c "! '$mtasim' check '$tmp/$name.json' >/dev/null 2>&1"
done
finish
