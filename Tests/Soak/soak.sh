#!/usr/bin/env bash
# Soak: Tests/Soak/soak.sh [SECONDS]  (default 600)
# Release build on 127.0.0.1:0, wrk at high concurrency rotating valid and invalid requests
# (Tests/Soak/mixed.lua), the emulator's RSS printed every 30 s. Passes when no status is outside the
# expected set, wrk reports no connect/write/timeout errors, the health route still answers, and RSS at
# the end is within 10 MiB of RSS after one minute. Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
connections=${SOAK_CONNECTIONS:-400}
swift build -c release --product github-packages-emulator
binary=$(swift build -c release --show-bin-path)/github-packages-emulator
work=$(mktemp -d)
"$binary" --host 127.0.0.1 --port 0 --threads 2 --fixtures Fixtures \
    --rate-limit 1000000000 --anonymous-rate-limit 1000000000 > "$work/stdout" 2> "$work/stderr" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$work/stdout" && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/stdout")
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "soak: pid $pid port $port, ${seconds} s, $connections connections; RSS at start $(rss) KiB"
wrk -t 2 -c "$connections" -d "${seconds}s" --timeout 10s -s Tests/Soak/mixed.lua "http://127.0.0.1:$port/" \
    > "$work/wrk.out" 2>&1 &
wrk_pid=$!
elapsed=0
rss_one_minute=""
while kill -0 $wrk_pid 2>/dev/null; do
    sleep 30 & wait $! || true
    elapsed=$((elapsed + 30))
    kill -0 $pid 2>/dev/null || { echo "soak: the emulator died"; exit 1; }
    now=$(rss)
    [[ $elapsed -eq 60 ]] && rss_one_minute=$now
    echo "t=${elapsed}s RSS ${now} KiB"
done
wait $wrk_pid || true
cat "$work/wrk.out"
final=$(rss)
rss_one_minute=${rss_one_minute:-$final}
health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/_emulator/health" || true)
kill -TERM $pid
wait $pid || true
unexpected=$(sed -n 's/^unexpected statuses: //p' "$work/wrk.out")
read -r connect_errors write_errors timeouts < <(sed -n 's/^socket errors: connect \([0-9]*\), read [0-9]*, write \([0-9]*\), timeout \([0-9]*\)$/\1 \2 \3/p' "$work/wrk.out")
growth=$((final - rss_one_minute))
echo "soak: RSS after 1 min ${rss_one_minute} KiB, at the end ${final} KiB (growth ${growth} KiB); unexpected statuses ${unexpected:-?}; connect/write/timeout errors ${connect_errors:-?}/${write_errors:-?}/${timeouts:-?}; health after: $health"
[[ "${unexpected:-1}" == 0 && "${connect_errors:-1}" == 0 && "${write_errors:-1}" == 0 && "${timeouts:-1}" == 0 \
   && "$health" == 200 && $growth -lt 10240 ]]
