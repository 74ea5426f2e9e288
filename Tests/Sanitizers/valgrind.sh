#!/usr/bin/env bash
# The release binary under valgrind memcheck over mixed traffic of every answer kind, then SIGTERM.
# Usage: Tests/Sanitizers/valgrind.sh [ROUNDS]   (each round is 38 requests; default 150 = 5,700)
#        TLS=1 Tests/Sanitizers/valgrind.sh [ROUNDS]
# TLS=1 serves HTTPS (SPEC §23: --tls --tls-dir, the made CA as $work/tls/ca.pem) and sends every request
# over TLS trusting only that CA, plus 5 TLS abuse connections a round (garbage instead of a ClientHello,
# plain HTTP to the HTTPS port, a client gone mid-record, a handshake dropped midway, a TLS 1.2 client
# that closes without reading); see traffic.py.
# Passes when valgrind reports no definitely or indirectly lost bytes and no errors; when it does not, the
# reports are printed. VALGRIND_OPTS adds options (valgrind reads it), e.g. --track-origins=yes.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-150}
swift build -c release --product github-packages-emulator
work=$(mktemp -d)
# valgrind 3.19's DWARF reader gives up on the release binary since it links swift-nio and BoringSSL
# ("Possibly corrupted debuginfo file. I can't recover."): run a copy without debug info; the symbol table
# stays, so reports still name functions.
strip --strip-debug -o "$work/github-packages-emulator" "$(swift build -c release --show-bin-path)/github-packages-emulator"
binary="$work/github-packages-emulator"
tls_serve=() tls_traffic=()
if [[ "${TLS:-}" == 1 ]]; then
    tls_serve=(--tls --tls-dir "$work/tls")
    tls_traffic=(--tls "$work/tls/ca.pem")
fi
valgrind --tool=memcheck --suppressions=Tests/Sanitizers/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$work/valgrind.log" \
    "$binary" --host 127.0.0.1 --port 0 --threads 2 --fixtures Fixtures "${tls_serve[@]}" > "$work/stdout" 2> "$work/stderr" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do
    grep -q "listening on" "$work/stdout" 2>/dev/null && break
    sleep 0.1
done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/stdout")
[[ -n "$port" ]] || { echo "valgrind: the emulator did not start"; cat "$work/stderr"; exit 1; }
traffic=0
python3 Tests/Sanitizers/traffic.py "$port" "$rounds" "${tls_traffic[@]}" || traffic=$?
kill -TERM $pid
status=0
wait $pid || status=$?
# The reports themselves when valgrind failed (the log goes with $work): each error's or leak's stack.
[[ $status -eq 0 ]] || sed -n '/^==[0-9]*== Command:/,/HEAP SUMMARY/p' "$work/valgrind.log" | sed '$d'
sed -n '/HEAP SUMMARY/,$p' "$work/valgrind.log"
grep -E "ERROR SUMMARY" "$work/valgrind.log" || true
echo "valgrind: exit status $status (99 = valgrind found errors or leaks), traffic status $traffic"
[[ $status -eq 0 && $traffic -eq 0 ]]
