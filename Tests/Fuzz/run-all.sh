#!/usr/bin/env bash
# Runs every harness for SECONDS each (default 600), two at a time: Tests/Fuzz/run-all.sh [SECONDS]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-600}
status=0
nice "$here/run.sh" query "$seconds" > "$here/../../.build-fuzz/query.log" 2>&1 & q=$!
nice "$here/run.sh" authorization "$seconds" > "$here/../../.build-fuzz/authorization.log" 2>&1 & a=$!
wait $q || status=1
nice "$here/run.sh" fixture "$seconds" > "$here/../../.build-fuzz/fixture.log" 2>&1 & f=$!
wait $a || status=1
nice "$here/run.sh" route "$seconds" > "$here/../../.build-fuzz/route.log" 2>&1 & r=$!
wait $f || status=1
nice "$here/run.sh" parser "$seconds" > "$here/../../.build-fuzz/parser.log" 2>&1 & p=$!
wait $r || status=1
nice "$here/run.sh" manifest "$seconds" > "$here/../../.build-fuzz/manifest.log" 2>&1 & m=$!
wait $p || status=1
nice "$here/run.sh" npm "$seconds" > "$here/../../.build-fuzz/npm.log" 2>&1 & n=$!
wait $m || status=1
wait $n || status=1
for t in query authorization fixture route parser manifest npm; do
    echo "== $t"; grep -E "Done|stat::number_of_executed_units|ERROR" "$here/../../.build-fuzz/$t.log" || true
done
exit $status
