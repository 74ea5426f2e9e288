#!/usr/bin/env bash
# Instructions per request, counted by callgrind (repeatable, unlike wall-clock numbers on a shared machine):
#
#     Tests/Benchmarks/instructions.sh BINARY [REQUESTS] [TARGET]
#     CLOSE=1 Tests/Benchmarks/instructions.sh ...    # one connection per request (Connection: close)
#
# Runs BINARY (a release github-packages-emulator) under `valgrind --tool=callgrind` with one event loop on
# 127.0.0.1, sends REQUESTS (default 2000) keep-alive GETs of TARGET (default: a listing of the demo data,
# token ghp_octocatRead) on one connection, stops it with SIGTERM, and does the same with no request; prints
# both totals and (total - idle) / REQUESTS. Needs valgrind, objcopy (binutils) and python3.
set -euo pipefail
bin=${1:?usage: instructions.sh BINARY [REQUESTS] [TARGET]}
requests=${2:-2000}
target=${3:-/users/octocat/packages?package_type=container&per_page=1}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 of Swift's release builds: count a copy without debug info.
objcopy --strip-debug "$bin" "$work/emulator"
bin="$work/emulator"

count() { # count N: the Ir total of one run serving N requests
    local n=$1 out="$work/callgrind.$1" pid port=""
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --fixtures "$root/Fixtures" --host 127.0.0.1 \
        --port 0 --threads 1 --journal-size 0 >"$work/ready.$n" 2>"$work/log.$n" &
    pid=$!
    for _ in $(seq 600); do
        port=$(sed -n 's#^listening on http://127.0.0.1:\([0-9]*\)$#\1#p' "$work/ready.$n")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { kill -KILL "$pid"; echo "instructions.sh: no ready line" >&2; exit 1; }
    python3 - "$port" "$n" "$target" "${CLOSE:-}" <<'PY'
import socket, sys
port, n, target, close = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
extra = "Connection: close\r\n" if close else ""
request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: token ghp_octocatRead\r\n{extra}\r\n").encode()
s = socket.create_connection(("127.0.0.1", port))
buffer = b""
for _ in range(n):
    if close:
        s.close()
        s = socket.create_connection(("127.0.0.1", port))
        buffer = b""
    s.sendall(request)
    while True:
        head_end = buffer.find(b"\r\n\r\n")
        if head_end >= 0:
            head = buffer[:head_end].decode("latin-1")
            length = next(int(l.split(":", 1)[1]) for l in head.split("\r\n") if l.lower().startswith("content-length:"))
            if len(buffer) >= head_end + 4 + length:
                buffer = buffer[head_end + 4 + length:]
                break
        buffer += s.recv(65536)
s.close()
PY
    kill -TERM "$pid"
    wait "$pid" || true
    sed -n 's/^summary: //p' "$out"
}
total=$(count "$requests")
idle=$(count 0)
echo "requests $requests of $target"
echo "total $total, idle $idle, per request $(( (total - idle) / requests ))"
