#!/usr/bin/env bash
# Interop suite: real GitHub API clients against the emulator. One command, from anywhere:
#
#     Tests/Interop/run.sh                 # build, set up, serve Tests/Interop/Fixtures, run every client
#     Tests/Interop/run.sh --break MODE    # same, through break_proxy.py MODE: the suite must FAIL
#     Tests/Interop/run.sh --self-test     # every --break MODE in turn; passes when each one fails
#
# Environment (all optional):
#   EMULATOR_BIN      a prebuilt github-packages-emulator (skips `swift build`)
#   INTEROP_SCRATCH   swift build scratch path (default: <repo>/.build-interop)
#   INTEROP_VENV      Python venv for the Python clients (default: Tests/Interop/.venv, gitignored)
#   PYTHON            interpreter that creates the venv (default: python3; needs 3.9+)
#   INTEROP_CLIENTS   space-separated subset of: githubkit pygithub ghapi octokit gh (default: all)
#   INTEROP_VERBOSE   1: tracebacks of failed checks, and the emulator's log at the end
#   INTEROP_CLIENT_TIMEOUT  seconds one client's scenarios may take (default 300); past it, it fails
#
# Every check prints `ok - CLIENT: CHECK` or `not ok - CLIENT: CHECK: WHY`; the last line is
# `N passed, M failed` and the exit status is 0 only when M is 0.
#
# The clients share one emulator and run one after another. Their cleanup scenarios delete and restore
# (SPEC §17): each runs between two `POST /_emulator/reset`s of its own, and run.sh resets the emulator
# (directly, not through break_proxy.py) before every client too, so a client that dies half-way through
# a scenario cannot leave the next one a changed data set or a set clock.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FIXTURES="$HERE/Fixtures"
VENV="${INTEROP_VENV:-$HERE/.venv}"
PYTHON="${PYTHON:-python3}"
CLIENTS="${INTEROP_CLIENTS:-githubkit pygithub ghapi octokit gh}"
BREAK=""
SELF_TEST=""
BREAK_MODES="drop-link link-host drop-field bad-visibility drop-version error-class fake-writes write-status"

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
while [ $# -gt 0 ]; do
    case "$1" in
        --break) [ $# -ge 2 ] || usage; BREAK="$2"; shift 2 ;;
        --self-test) SELF_TEST=1; shift ;;
        -h|--help) usage ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage ;;
    esac
done

say() { printf '== %s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; echo "${PASSED:-0} passed, $((${FAILED:-0} + 1)) failed"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/interop.XXXXXX")"
SERVER_PID=""
PROXY_PID=""
stop_pid() { # stop one process we started, by PID: TERM, up to 10 s, then KILL
    local pid="$1"
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
}
cleanup() {
    stop_pid "$PROXY_PID"
    stop_pid "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Loopback only: no proxy may sit between the clients and the emulator.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# --- 1. Debian clients: ruby-octokit and gh -----------------------------------------------------------
have_debian_clients() { command -v gh >/dev/null 2>&1 && ruby -e 'require "octokit"' >/dev/null 2>&1; }
if ! have_debian_clients; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages ruby-octokit gh"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends ruby-octokit gh; } >"$WORK/apt.log" 2>&1 \
            || { cat "$WORK/apt.log" >&2; die "apt-get install ruby-octokit gh failed"; }
    fi
    have_debian_clients || die "needs the Debian packages ruby-octokit and gh (apt-get install ruby-octokit gh)"
fi

# --- 2. Python clients in a venv, pinned by requirements.txt ---------------------------------------
REQ_HASH="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$REQ_HASH" ]; then
    say "creating venv $VENV from requirements.txt"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "$PYTHON -m venv $VENV failed"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$HERE/requirements.txt" \
        || die "pip install -r requirements.txt failed"
    echo "$REQ_HASH" >"$VENV/.requirements.sha256"
fi
PY="$VENV/bin/python"

# --- 3. Fixtures: committed, and identical to what gen_fixtures.py writes ----------------------------
"$PY" "$HERE/gen_fixtures.py" --check "$FIXTURES" || die "Tests/Interop/Fixtures is out of date: run gen_fixtures.py"

# --- 4. The emulator --------------------------------------------------------------------------------
if [ -n "${EMULATOR_BIN:-}" ]; then
    BIN="$EMULATOR_BIN"
else
    SCRATCH="${INTEROP_SCRATCH:-$ROOT/.build-interop}"
    say "swift build --product github-packages-emulator (scratch path $SCRATCH)"
    swift build --package-path "$ROOT" --scratch-path "$SCRATCH" --product github-packages-emulator >"$WORK/build.log" 2>&1 \
        || { tail -n 60 "$WORK/build.log" >&2; die "swift build failed"; }
    BIN="$SCRATCH/debug/github-packages-emulator"
fi
[ -x "$BIN" ] || die "no emulator binary at $BIN"

if [ -n "$SELF_TEST" ]; then
    # The suite must notice a broken emulator: each damage break_proxy.py can do must fail some client.
    ok_modes=0
    bad_modes=0
    for mode in $BREAK_MODES; do
        say "self-test: run.sh --break $mode"
        EMULATOR_BIN="$BIN" INTEROP_VENV="$VENV" "$0" --break "$mode" >"$WORK/self-$mode.log" 2>&1
        rc=$?
        clients="$(grep '^not ok - ' "$WORK/self-$mode.log" | sed 's/^not ok - \([^:]*\):.*/\1/' | grep -v '^emulator$' \
            | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')"
        if [ "$rc" -ne 0 ] && [ -n "$clients" ]; then
            ok_modes=$((ok_modes + 1))
            echo "ok - self-test: --break $mode fails the suite ($(tail -n1 "$WORK/self-$mode.log"); $clients)"
        else
            bad_modes=$((bad_modes + 1))
            echo "not ok - self-test: --break $mode went unnoticed (exit $rc; $(tail -n1 "$WORK/self-$mode.log"))"
        fi
    done
    echo "$ok_modes passed, $bad_modes failed"
    [ "$bad_modes" -eq 0 ]
    exit
fi

PASSED=0
FAILED=0
record() { # record STATUS LINE: prints the line and counts it
    echo "$2"
    if [ "$1" = ok ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}

if "$BIN" validate "$FIXTURES" >"$WORK/validate.out" 2>"$WORK/validate.err"; then
    record ok "ok - emulator: validate accepts Tests/Interop/Fixtures ($(head -n1 "$WORK/validate.out"))"
else
    record fail "not ok - emulator: validate Tests/Interop/Fixtures: $(head -c 600 "$WORK/validate.err" | tr '\n' ' ')"
fi

# start_and_wait NAME OUTFILE CMD...: starts CMD in the background (PID in STARTED_PID), waits for its
# one ready line `listening on http://127.0.0.1:PORT` and sets STARTED_URL.
start_and_wait() {
    local name="$1" out="$2"; shift 2
    "$@" >"$out" 2>"$out.err" &
    STARTED_PID=$!
    STARTED_URL=""
    for _ in $(seq 300); do
        if [ -s "$out" ] && [ "$(wc -l <"$out")" -ge 1 ]; then
            STARTED_URL="$(sed -n '1s#^listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$out")"
            [ -n "$STARTED_URL" ] && return 0
            printf 'run.sh: %s printed %s instead of its ready line\n' "$name" "$(head -n1 "$out")" >&2
            return 1
        fi
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 0.1
    done
    printf 'run.sh: %s did not print its ready line; its stderr:\n' "$name" >&2
    tail -n 40 "$out.err" >&2
    return 1
}

start_and_wait emulator "$WORK/emulator.out" \
    "$BIN" --host 127.0.0.1 --port 0 --fixtures "$FIXTURES" || { SERVER_PID="$STARTED_PID"; die "emulator did not start"; }
SERVER_PID="$STARTED_PID"
URL="$STARTED_URL"
EMU_URL="$URL" # the emulator itself; under --break, URL becomes break_proxy.py's
say "emulator pid $SERVER_PID at $URL"
if [ "$(wc -l <"$WORK/emulator.out")" -eq 1 ]; then
    record ok "ok - emulator: exactly one ready line on stdout"
else
    record fail "not ok - emulator: stdout has more than the ready line: $(head -c 300 "$WORK/emulator.out" | tr '\n' '|')"
fi

if [ -n "$BREAK" ]; then
    start_and_wait break_proxy "$WORK/proxy.out" "$PY" "$HERE/break_proxy.py" "$BREAK" "$URL" \
        || { PROXY_PID="$STARTED_PID"; die "break_proxy.py $BREAK did not start"; }
    PROXY_PID="$STARTED_PID"
    URL="$STARTED_URL"
    say "break_proxy.py $BREAK pid $PROXY_PID at $URL: the clients talk to it (expect failures)"
fi

# --- 5. The clients ---------------------------------------------------------------------------------
say "versions: $("$PY" -c 'import importlib.metadata as m; print(", ".join("%s %s" % (p, m.version(p)) for p in ("githubkit", "githubkit-schemas-2022-11-28", "githubkit-schemas-2026-03-10", "PyGithub", "ghapi", "hishel", "httpx")))'); ruby-octokit $(dpkg-query -W -f='${Version}' ruby-octokit 2>/dev/null || ruby -e 'require "octokit"; print Octokit::VERSION'); gh $(gh --version | head -n1 | cut -d' ' -f3)"

reset_emulator() { # POST /_emulator/reset straight to the emulator: the fixtures as loaded, the real clock
    "$PY" -c 'import sys, urllib.request
r = urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_emulator/reset", data=b"", method="POST"), timeout=30)
sys.exit(0 if r.status == 200 else 1)' "$EMU_URL" 2>"$WORK/reset.err"
}

run_client() { # run_client NAME CMD...
    local name="$1"; shift
    local log="$WORK/$name.log" rc oks noks
    say "$name"
    reset_emulator || record fail "not ok - run.sh: POST /_emulator/reset before $name: $(tail -n 1 "$WORK/reset.err")"
    EMULATOR_URL="$URL" timeout -k 5 "${INTEROP_CLIENT_TIMEOUT:-300}" "$@" >"$log" 2>"$log.err"
    rc=$?
    [ "$rc" -ne 124 ] || echo "run.sh: $name timed out after ${INTEROP_CLIENT_TIMEOUT:-300} s" >>"$log.err"
    cat "$log"
    oks=$(grep -c '^ok - ' "$log")
    noks=$(grep -c '^not ok - ' "$log")
    PASSED=$((PASSED + oks))
    FAILED=$((FAILED + noks))
    if [ "$rc" -ne 0 ] && [ "$noks" -eq 0 ]; then
        record fail "not ok - $name: exited $rc before reporting a failed check: $(tail -n 5 "$log.err" | tr '\n' ' ')"
    elif [ "$oks" -eq 0 ] && [ "$noks" -eq 0 ]; then
        record fail "not ok - $name: ran no check"
    fi
    if [ "$rc" -ne 0 ] && [ -s "$log.err" ] && [ -n "${INTEROP_VERBOSE:-}" ]; then cat "$log.err" >&2; fi
}

cd "$HERE" || die "cd $HERE"
for c in $CLIENTS; do
    case "$c" in
        githubkit) run_client githubkit "$PY" "$HERE/client_githubkit.py" ;;
        pygithub)  run_client PyGithub "$PY" "$HERE/client_pygithub.py" ;;
        ghapi)     run_client ghapi "$PY" "$HERE/client_ghapi.py" ;;
        octokit)   run_client octokit.rb ruby "$HERE/client_octokit.rb" ;;
        gh)        run_client gh "$PY" "$HERE/client_gh.py" ;;
        *) record fail "not ok - run.sh: unknown client $c" ;;
    esac
done

# --- 6. Stop: SIGTERM, exit 0 -----------------------------------------------------------------------
say "stopping"
stop_pid "$PROXY_PID"
PROXY_PID=""
if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    rc=""
    for _ in $(seq 100); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then wait "$SERVER_PID"; rc=$?; break; fi
        sleep 0.1
    done
    if [ "$rc" = 0 ]; then
        record ok "ok - emulator: SIGTERM stops it with exit status 0"
    elif [ -z "$rc" ]; then
        record fail "not ok - emulator: still running 10 s after SIGTERM"
        stop_pid "$SERVER_PID"
    else
        record fail "not ok - emulator: exit status $rc after SIGTERM"
    fi
else
    wait "$SERVER_PID"
    record fail "not ok - emulator: died during the run (exit status $?); stderr: $(tail -n 5 "$WORK/emulator.out.err" | tr '\n' ' ')"
fi
SERVER_PID=""
if [ -n "${INTEROP_VERBOSE:-}" ]; then say "emulator log"; cat "$WORK/emulator.out.err"; fi

[ -z "$BREAK" ] || say "ran through break_proxy.py $BREAK"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
