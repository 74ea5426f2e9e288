#!/usr/bin/env bash
# Interop test of HTTPS and the GHES persona (SPEC §23) with real clients that trust only the CA the
# emulator makes at start:
#
#     EMULATOR_BIN=.build/debug/github-packages-emulator Tests/Interop/tls.sh
#
# It serves <repo>/Fixtures three times, on 127.0.0.1, each time with a fresh CA written to its own --tls-dir:
#   A. `--tls --port 0`: curl --cacert (URLs in bodies and Link headers), githubkit (ssl_verify), PyGithub
#      (REQUESTS_CA_BUNDLE), ghapi (SSL_CERT_FILE), Ruby octokit (SSL_CERT_FILE), skopeo (--dest-cert-dir /
#      --src-cert-dir), npm (cafile= in the .npmrc); clients without the CA (curl, requests, skopeo, npm)
#      refused by their own certificate check, before any request reaches the emulator; plain HTTP to the
#      HTTPS port; SIGTERM.
#   B. `--port 0 --tls-port 0`: the HTTP and the HTTPS listener give the same listing, each in its scheme.
#   C. `--tls --port 443 --profile ghes`: `gh api` with GH_HOST=localhost talks to it as to an enterprise
#      host (https://localhost/api/v3/). Binding port 443 needs root: not root, the check is skipped.
# Every client gets a throwaway HOME and config (an empty GH_CONFIG_DIR, a per-run .npmrc, skopeo policy and
# auth files of this run) and no proxy; nothing leaves the loopback interface.
#
# Environment:
#   EMULATOR_BIN      (required) a built github-packages-emulator; this script never builds it
#   PYTHON            interpreter for small JSON snippets, registry_layouts.py and the one that creates the
#                     venv (default: python3)
#   INTEROP_VENV      the Python clients' venv (default: Tests/Interop/.venv, gitignored), made from
#                     requirements.txt as run.sh makes it, and made again when that file changes
#   INTEROP_VERBOSE   1: the output of every failed client call, and the emulators' logs at the end
#
# Needs curl, openssl, gh, skopeo, npm, node and ruby-octokit; as root with apt-get, installs the missing Debian packages.
# Every check prints `ok - tls: N. CHECK` or `not ok - tls: N. CHECK: WHY` (N: the item of the test plan); the
# last line is `N passed, M failed` and the exit status is 0 only when M is 0.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FIXTURES="$ROOT/Fixtures"
PYTHON="${PYTHON:-python3}"
VENV="${INTEROP_VENV:-$HERE/.venv}"
LAYOUTS="$HERE/registry_layouts.py"

usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
case "${1:-}" in -h|--help) usage ;; "") ;; *) echo "tls.sh: unknown argument: $1" >&2; usage ;; esac
[ -n "${EMULATOR_BIN:-}" ] || { echo "tls.sh: EMULATOR_BIN is not set" >&2; usage; }

STARTED_AT="$(date +%s)"
PASSED=0
FAILED=0
say() { printf '== %s\n' "$*"; }
die() { printf 'tls.sh: %s\n' "$*" >&2; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }
ok() { echo "ok - tls: $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - tls: $1: $2"; FAILED=$((FAILED + 1)); }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/interop-tls.XXXXXX")"
SERVER_PID=""
stop_pid() { # stop one process we started, by PID: TERM, up to 10 s, then KILL
    local pid="$1"
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
}
cleanup() {
    stop_pid "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Loopback only: no proxy may sit between a client and the emulator.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
# Only what this script hands a client is trusted: no CA from the caller's environment.
unset SSL_CERT_FILE SSL_CERT_DIR REQUESTS_CA_BUNDLE CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS

# --- Tools: curl, openssl, gh, skopeo, npm, node, ruby-octokit -------------------------------------
missing_tools() { # the Debian packages of the missing tools
    command -v curl >/dev/null 2>&1 || echo curl
    command -v openssl >/dev/null 2>&1 || echo openssl
    command -v gh >/dev/null 2>&1 || echo gh
    command -v skopeo >/dev/null 2>&1 || echo skopeo
    command -v npm >/dev/null 2>&1 || echo npm
    command -v node >/dev/null 2>&1 || echo nodejs
    ruby -e 'require "octokit"' >/dev/null 2>&1 || echo ruby-octokit
}
MISSING="$(missing_tools | sort -u | tr '\n' ' ' | sed 's/ $//')"
if [ -n "$MISSING" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages $MISSING"
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086 # one argument per package
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends $MISSING; } >"$WORK/apt.log" 2>&1 \
            || { cat "$WORK/apt.log" >&2; die "apt-get install $MISSING failed"; }
    fi
    MISSING="$(missing_tools | sort -u | tr '\n' ' ' | sed 's/ $//')"
    [ -z "$MISSING" ] || die "needs curl, openssl, gh, skopeo, npm, node and ruby-octokit; missing: $MISSING (apt-get install $MISSING)"
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "no $PYTHON"
[ -x "$EMULATOR_BIN" ] || die "EMULATOR_BIN=$EMULATOR_BIN is not an executable file"
[ -d "$FIXTURES" ] || die "no fixtures directory $FIXTURES"

# The Python clients (githubkit, PyGithub, ghapi, requests) in run.sh's venv, pinned by requirements.txt:
# made, or made again when requirements.txt changed, exactly as run.sh does; reused as it is otherwise.
REQ_HASH="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)" || die "no $HERE/requirements.txt"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$REQ_HASH" ]; then
    say "creating venv $VENV from requirements.txt"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >"$WORK/venv.log" 2>&1 || { cat "$WORK/venv.log" >&2; die "$PYTHON -m venv $VENV failed"; }
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$HERE/requirements.txt" >"$WORK/pip.log" 2>&1 \
        || { cat "$WORK/pip.log" >&2; die "pip install -r requirements.txt failed"; }
    echo "$REQ_HASH" >"$VENV/.requirements.sha256"
fi
PY="$VENV/bin/python"
"$PY" -c 'import githubkit, github, ghapi, requests' 2>/dev/null || die "$PY cannot import githubkit, github, ghapi and requests (remove $VENV to make it again)"

# A throwaway HOME for every client (gh, ruby, skopeo, npm, curl read their user configuration from it).
mkdir -p "$WORK/home" "$WORK/tmp"
HOME_ENV=(HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" TMPDIR="$WORK/tmp")
GH_UNSET=()
for v in $(env | sed -n 's/^\(\(GH\|GITHUB\)_[A-Za-z0-9_]*\)=.*/\1/p'); do GH_UNSET+=(-u "$v"); done

# skopeo sees only this run's configuration: accept-anything policy, no registries.conf, no stored logins,
# no lookaside signature stores (as registry.sh).
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$WORK/policy.json"
: >"$WORK/registries.conf"
mkdir -p "$WORK/registries.d"
printf '{"auths":{}}\n' >"$WORK/auth.json"
export CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf" REGISTRY_AUTH_FILE="$WORK/auth.json"
SKOPEO_GLOBAL=(--policy "$WORK/policy.json" --registries.d "$WORK/registries.d")

say "$(curl --version | head -n1 | cut -d' ' -f1-2); $(openssl version | cut -d' ' -f1-2); $(skopeo --version);" \
    "npm $(npm --version 2>/dev/null); node $(node --version); gh $(gh --version | head -n1 | cut -d' ' -f3);" \
    "ruby-octokit $(ruby -e 'require "octokit"; print Octokit::VERSION');" \
    "$("$PY" -c 'import importlib.metadata as m; print(", ".join("%s %s" % (p, m.version(p)) for p in
        ("githubkit", "httpx", "PyGithub", "requests", "ghapi", "httpx2")))')"

# --- Helpers --------------------------------------------------------------------------------------
N=0
LOG=""
OUT=""
run_logged() { # run_logged SECONDS ARGS...: one bounded call; its stdout in $OUT, the command and its stderr in $LOG
    local secs="$1"; shift
    N=$((N + 1))
    LOG="$WORK/call.$N.log"
    OUT="$WORK/call.$N.out"
    printf '$ %s\n' "$*" >"$LOG"
    timeout -k 5 "$secs" "$@" >"$OUT" 2>>"$LOG" </dev/null
    local rc=$?
    [ "$rc" -ne 124 ] || echo "tls.sh: timed out after $secs s" >>"$LOG"
    return "$rc"
}
why() { # the last lines of the call's stderr and stdout, on one line
    local w
    w="$( { tail -n +2 "$LOG"; cat "$OUT"; } | grep -v -e 'A complete log of this run' -e '^npm \(error\|ERR!\) *$' \
        -e 'npm \(http\|timing\|silly\|verbose\)' -e 'level=debug' | tail -n 4 | tr '\n' ' ' | cut -c1-600)"
    if [ -n "${INTEROP_VERBOSE:-}" ]; then { echo "--- $LOG"; cat "$LOG" "$OUT"; } >&2; fi
    echo "${w:-no output}"
}
json_field() { # json_field EXPR < JSON: prints EXPR evaluated on the JSON as `d` (compact JSON)
    "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"
}

# One check gathers its problems and prints one line.
CHECK=""
PROBLEMS=""
begin() { CHECK="$1"; PROBLEMS=""; say "$1"; }
problem() { PROBLEMS="${PROBLEMS:+$PROBLEMS; }$1"; }
end_check() { if [ -z "$PROBLEMS" ]; then ok "$CHECK"; else not_ok "$CHECK" "$PROBLEMS"; fi; }

EOUT=""
EERR=""
start_emulator() { # start_emulator NAME ARGS...: serve the fixtures with ARGS; PID in SERVER_PID, its first stdout line in READY
    local name="$1"; shift
    EOUT="$WORK/$name.out"
    EERR="$WORK/$name.err"
    "$EMULATOR_BIN" serve --fixtures "$FIXTURES" --host 127.0.0.1 "$@" >"$EOUT" 2>"$EERR" &
    SERVER_PID=$!
    READY=""
    for _ in $(seq 300); do
        if [ -s "$EOUT" ] && [ "$(wc -l <"$EOUT")" -ge 1 ]; then READY="$(head -n1 "$EOUT")"; return 0; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}
sigterm_check() { # sigterm_check CHECK: SIGTERM to the emulator; ok when it exits with status 0 within 10 s
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        local rc=""
        for _ in $(seq 100); do
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then wait "$SERVER_PID"; rc=$?; break; fi
            sleep 0.1
        done
        if [ "$rc" = 0 ]; then ok "$1"
        elif [ -z "$rc" ]; then not_ok "$1" "still running 10 s after SIGTERM"; stop_pid "$SERVER_PID"
        else not_ok "$1" "exit status $rc"; fi
    else
        wait "$SERVER_PID"
        not_ok "$1" "the emulator died during the run (exit status $?); stderr: $(tail -n 5 "$EERR" | tr '\n' ' ')"
    fi
    SERVER_PID=""
    if [ -n "${INTEROP_VERBOSE:-}" ]; then say "emulator log ($EERR)"; cat "$EERR"; fi
}

TOKEN=ghp_octocatAdmin # octocat, every scope (Fixtures/tokens.json)
CODE=""
fetch() { # fetch NAME URL CURL_ARGS...: GET with octocat's token; body $WORK/NAME.body, headers $WORK/NAME.headers, status in CODE
    local name="$1" url="$2"; shift 2
    CODE="$(curl -q -sS --max-time 30 -H "Authorization: Bearer $TOKEN" -D "$WORK/$name.headers" -o "$WORK/$name.body" \
        -w '%{http_code}' "$@" "$url" 2>"$WORK/$name.curl.err")"
    local rc=$?
    [ "$rc" -eq 0 ] || CODE="curl exit $rc: $(tr '\n' ' ' <"$WORK/$name.curl.err" | cut -c1-300)"
    return "$rc"
}
header() { # header NAME FIELD: the value of FIELD (case-insensitive) in $WORK/NAME.headers
    tr -d '\r' <"$WORK/$1.headers" | sed -n "s/^$2: *//Ip" | tail -n 1
}
# urls_under BASE NAME: a problem for every URL naming 127.0.0.1 or localhost (in the body's strings and the
# Link header) that does not start with BASE/; prints nothing and exits 0 when all do, and at least one url exists.
urls_under() {
    "$PYTHON" - "$1" "$WORK/$2.body" "$(header "$2" link)" <<'EOF'
import json, re, sys
base, body, link = sys.argv[1], sys.argv[2], sys.argv[3]
bad, urls = [], 0
def walk(x):
    global urls
    if isinstance(x, dict):
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
    elif isinstance(x, str) and re.match(r"^[a-z]+://(127\.0\.0\.1|localhost|\[::1\])", x):
        urls += 1
        if not x.startswith(base + "/"):
            bad.append(x)
walk(json.load(open(body)))
for u in re.findall(r"<([^>]*)>", link):
    if not u.startswith(base + "/"):
        bad.append("Link " + u)
if bad:
    print("%d URL(s) not under %s/, e.g. %s" % (len(bad), base, ", ".join(bad[:3])))
elif not urls:
    print("no URL naming the emulator in the body")
EOF
}
journal_last() { # journal_last CURL_ARGS... BASE: the highest id in GET /_emulator/requests outside /_emulator/
    local base="${*: -1}"
    curl -q -sS --max-time 30 "${@:1:$#-1}" "$base/_emulator/requests" 2>/dev/null \
        | json_field 'max([r["id"] for r in d["requests"] if not r["path"].startswith("/_emulator/")] or [0])' 2>/dev/null
}

# --- The Python and Ruby clients' scenarios (each run in its own process, trusting the CA its own way) ------
# clients.py MODE BASE CA WANT_JSON: lists octo-org's container packages and gets one version; exits 0, or
# prints why and exits 1. WANT: {"names": [...], "public": [...], "package": NAME, "version_id": ID, "version_name": NAME}.
cat >"$WORK/clients.py" <<'EOF'
import json
import ssl
import sys

mode, base, ca, want = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
ORG, TOKEN = "octo-org", "ghp_octocatAdmin"


def fail(msg):
    print(" ".join(str(msg).split())[:600])
    sys.exit(1)


def expect(what, got, wanted):
    if got != wanted:
        fail("%s: got %r, want %r" % (what, got, wanted))


def under_base(what, url):
    if not str(url).startswith(base + "/"):
        fail("%s %r is not under %s/" % (what, url, base))


if mode == "githubkit":
    # httpx underneath; the CA as an ssl.SSLContext in githubkit's ssl_verify (httpx 0.28 wants a context).
    from githubkit import GitHub, TokenAuthStrategy
    g = GitHub(TokenAuthStrategy(TOKEN), base_url=base, auto_retry=False, timeout=30,
               ssl_verify=ssl.create_default_context(cafile=ca))
    rest = g.rest("2022-11-28")
    # githubkit's typed Package model has no "internal" visibility (client_githubkit.py): the typed paginate
    # (one package a page, so it follows Link rel="next") asks for the public ones, the raw body has all.
    pages = g.rest.paginate(rest.packages.list_packages_for_organization, org=ORG, package_type="container",
                            visibility="public", per_page=1)
    typed = list(pages)
    expect("typed paginate, public names", [p.name for p in typed], want["public"])
    for p in typed:
        under_base("package url", p.url)
    resp = rest.packages.list_packages_for_organization(ORG, package_type="container", per_page=100)
    expect("raw listing names", [p["name"] for p in json.loads(resp.content)], want["names"])
    v = rest.packages.get_package_version_for_organization("container", want["package"], ORG,
                                                          want["version_id"]).parsed_data
    expect("version name", v.name, want["version_name"])
    under_base("version url", v.url)
elif mode == "pygithub":
    # requests underneath; the CA from REQUESTS_CA_BUNDLE (requests reads it when verify is left True).
    from github import Auth, Github
    from github.GithubObject import NonCompletableGithubObject
    from github.PaginatedList import PaginatedList

    class Package(NonCompletableGithubObject):
        def _initAttributes(self):
            self.attrs = {}

        def _useAttributes(self, attributes):
            self.attrs = attributes

    # per_page=1: PaginatedList follows Link rel="next", and refuses a link of another scheme or host.
    g = Github(auth=Auth.Token(TOKEN), base_url=base, retry=None, per_page=1, timeout=30)
    pl = PaginatedList(Package, g.requester, "/orgs/%s/packages" % ORG, {"package_type": "container"})
    got = [p.attrs for p in pl]
    expect("PaginatedList names", [p["name"] for p in got], want["names"])
    for p in got:
        under_base("package url", p["url"])
    _, v = g.requester.requestJsonAndCheck(
        "GET", "/orgs/%s/packages/container/%s/versions/%d" % (ORG, want["package"], want["version_id"]))
    expect("version name", v["name"], want["version_name"])
    under_base("version url", v["url"])
elif mode == "ghapi":
    # httpx2 underneath (fasttransport): GhApi takes no CA argument, but httpx2 reads SSL_CERT_FILE.
    from ghapi.all import GhApi
    api = GhApi(token=TOKEN, gh_host=base, sync=True, timeout=30)
    pkgs = api.packages.list_packages_for_organization(ORG, package_type="container", per_page=100)
    expect("names", [p.name for p in pkgs], want["names"])
    for p in pkgs:
        under_base("package url", p.url)
    v = api.packages.get_package_version_for_organization("container", want["package"], ORG, want["version_id"])
    expect("version name", v.name, want["version_name"])
    under_base("version url", v.url)
elif mode == "requests-untrusted":
    # requests without the CA (certifi's bundle only): its own certificate check must refuse the emulator.
    import requests
    try:
        r = requests.get(base + "/orgs/%s/packages?package_type=container" % ORG,
                         headers={"Authorization": "Bearer " + TOKEN}, timeout=30)
    except requests.exceptions.SSLError as e:
        if "CERTIFICATE_VERIFY_FAILED" not in str(e):
            fail("SSLError, but not a failed certificate verification: %s" % e)
        print("SSLError: %s" % e)
    except Exception as e:  # noqa: BLE001
        fail("raised %s, not requests.exceptions.SSLError: %s" % (type(e).__name__, e))
    else:
        fail("answered HTTP %d, want requests.exceptions.SSLError" % r.status_code)
elif mode == "peer":
    # The server certificate as a client trusting only the CA sees it: names, protocol, ALPN.
    import socket
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    host, port = base.split("://")[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            import ipaddress
            names = set()
            for kind, value in s.getpeercert().get("subjectAltName", ()):
                names.add(str(ipaddress.ip_address(value.strip())) if kind == "IP Address" else value)
            for n in ("localhost", "127.0.0.1", "::1"):
                if n not in names:
                    fail("subjectAltName %r lacks %s" % (sorted(names), n))
            expect("ALPN", s.selected_alpn_protocol(), "http/1.1")
            if s.version() not in ("TLSv1.2", "TLSv1.3"):
                fail("protocol %s" % s.version())
else:
    fail("unknown mode %s" % mode)
EOF

# octokit.rb BASE WANT_JSON: the same with Ruby octokit (Faraday over Net::HTTP; OpenSSL reads SSL_CERT_FILE).
cat >"$WORK/octokit.rb" <<'EOF'
require "json"
require "octokit"

base = ARGV[0]
want = JSON.parse(ARGV[1])
def fail!(msg)
  puts msg.to_s.split.join(" ")[0, 600]
  exit 1
end
def expect(what, got, wanted)
  fail!("#{what}: got #{got.inspect}, want #{wanted.inspect}") unless got == wanted
end
begin
  # per_page 1: paginate follows Link rel="next" to the end
  c = Octokit::Client.new(access_token: "ghp_octocatAdmin", api_endpoint: base, auto_paginate: true, per_page: 1,
                          connection_options: { request: { timeout: 30, open_timeout: 30 } })
  pkgs = c.paginate("orgs/octo-org/packages", package_type: "container")
  expect("paginate names", pkgs.map(&:name), want["names"])
  pkgs.each { |p| fail!("package url #{p.url} is not under #{base}/") unless p.url.start_with?(base + "/") }
  v = c.get("orgs/octo-org/packages/container/#{want['package']}/versions/#{want['version_id']}")
  expect("version name", v.name, want["version_name"])
  fail!("version url #{v.url} is not under #{base}/") unless v.url.start_with?(base + "/")
rescue StandardError => e
  fail!("#{e.class}: #{e.message}")
end
EOF

########################################################################################################
# A. HTTPS only: --tls --port 0 --tls-dir $WORK/tls
########################################################################################################
say "A. emulator --tls --port 0 --tls-dir $WORK/tls"
start_emulator tls --tls --port 0 --tls-dir "$WORK/tls" \
    || { tail -n 40 "$EERR" >&2; die "the emulator (--tls) did not print its ready line"; }
URL="$(sed -n 's#^listening on \(https://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' <<<"$READY")"
[ -n "$URL" ] || die "the emulator (--tls) printed '$READY', not 'listening on https://127.0.0.1:PORT'"
HOSTPORT="${URL#https://}"
CA="$WORK/tls/ca.pem"
say "emulator pid $SERVER_PID at $URL"

begin "0. --tls: ready line 'listening on https://127.0.0.1:PORT'; stderr names the CA in --tls-dir; the certificate is for localhost, 127.0.0.1, ::1"
[ "$(wc -l <"$EOUT")" -eq 1 ] || problem "stdout has more than the ready line: $(head -c 300 "$EOUT" | tr '\n' '|')"
grep -q "^TLS: the CA of this run is $CA;" "$EERR" || problem "stderr has no 'TLS: the CA of this run is $CA;': $(grep -m1 '^TLS' "$EERR")"
if [ ! -s "$CA" ]; then
    problem "no CA file $CA"
elif ! openssl x509 -in "$CA" -noout -text 2>/dev/null | grep -q 'CA:TRUE'; then
    problem "$CA is not a PEM CA certificate (basicConstraints CA:TRUE)"
fi
if ! run_logged 60 "$PY" "$WORK/clients.py" peer "$URL" "$CA" '{}'; then problem "TLS handshake trusting only the CA: $(why)"; fi
end_check

# The reference: octo-org's container packages and one version of octo-base, as curl --cacert sees them.
fetch list-all "$URL/orgs/octo-org/packages?package_type=container&per_page=100" --cacert "$CA" || true
[ "$CODE" = 200 ] || die "GET $URL/orgs/octo-org/packages?package_type=container with --cacert: $CODE"
fetch versions "$URL/orgs/octo-org/packages/container/octo-base/versions" --cacert "$CA" || true
[ "$CODE" = 200 ] || die "GET $URL/orgs/octo-org/packages/container/octo-base/versions with --cacert: $CODE"
NAMES="$(json_field '[p["name"] for p in d]' <"$WORK/list-all.body")"
PUBLIC="$(json_field '[p["name"] for p in d if p["visibility"] == "public"]' <"$WORK/list-all.body")"
VERSION_ID="$(json_field 'd[0]["id"]' <"$WORK/versions.body")"
VERSION_NAME="$(json_field 'd[0]["name"]' <"$WORK/versions.body" | tr -d '"')"
WANT="{\"names\": $NAMES, \"public\": $PUBLIC, \"package\": \"octo-base\", \"version_id\": $VERSION_ID, \"version_name\": \"$VERSION_NAME\"}"
case "$NAMES" in *'"octo-base"'*) ;; *) die "octo-org's container packages lack octo-base: $NAMES" ;; esac
say "octo-org's container packages: $NAMES; octo-base version $VERSION_ID $VERSION_NAME"

# --- 1. curl --cacert: bodies and Link headers carry https://127.0.0.1:PORT ------------------------------
begin "1a. curl --cacert: a listing of 2 a page answers 200; every URL in its body and Link header is $URL/…, and rel=\"next\" leads to page 2"
if fetch page1 "$URL/orgs/octo-org/packages?package_type=container&per_page=2" --cacert "$CA"; then
    [ "$CODE" = 200 ] || problem "status $CODE"
    bad="$(urls_under "$URL" page1)"
    [ -z "$bad" ] || problem "$bad"
    next="$(header page1 link | sed -n 's/.*<\([^>]*\)>; rel="next".*/\1/p')"
    if [ -z "$next" ]; then
        problem "no rel=\"next\" in Link: '$(header page1 link)'"
    elif fetch page2 "$next" --cacert "$CA" && [ "$CODE" = 200 ]; then
        bad="$(urls_under "$URL" page2)"
        [ -z "$bad" ] || problem "page 2: $bad"
        got="$(json_field '[p["name"] for p in d]' <"$WORK/page1.body")$(json_field '[p["name"] for p in d]' <"$WORK/page2.body")"
        want="$(json_field 'd[:2]' <<<"$NAMES")$(json_field 'd[2:4]' <<<"$NAMES")"
        [ "$got" = "$want" ] || problem "pages 1 and 2 name $got, not $want"
    else
        problem "GET $next (rel=next): $CODE"
    fi
else
    problem "$CODE"
fi
bad="$(urls_under "$URL" versions)"
[ -z "$bad" ] || problem "versions of octo-base: $bad"
end_check

# --- 2. API clients, each trusting the CA its own way ----------------------------------------------------
client_check() { # client_check CHECK ARGS...: ok when the client scenario ARGS... exits 0 within 120 s
    local check="$1"; shift
    if run_logged 120 "$@"; then ok "$check"; else not_ok "$check" "exit $?: $(why)"; fi
}
client_check "2a. githubkit (httpx, ssl_verify=a context with the CA): paginate octo-org's public containers over Link rel=next, list all, get a version" \
    "$PY" "$WORK/clients.py" githubkit "$URL" "$CA" "$WANT"
client_check "2b. PyGithub (requests, REQUESTS_CA_BUNDLE=CA): PaginatedList of octo-org's containers, 1 a page, get a version" \
    env REQUESTS_CA_BUNDLE="$CA" "$PY" "$WORK/clients.py" pygithub "$URL" - "$WANT"
# ghapi: GhApi() has no CA or verify argument, but its transport (fasttransport over httpx2) builds its SSL
# context with httpcore2.default_ssl_context, which reads SSL_CERT_FILE: that is how ghapi takes the CA.
client_check "2c. ghapi (httpx2, SSL_CERT_FILE=CA; GhApi has no CA argument): list octo-org's containers, get a version" \
    env SSL_CERT_FILE="$CA" "$PY" "$WORK/clients.py" ghapi "$URL" - "$WANT"
client_check "2d. Ruby octokit (Net::HTTP, SSL_CERT_FILE=CA): paginate octo-org's containers, 1 a page, get a version" \
    env "${HOME_ENV[@]}" SSL_CERT_FILE="$CA" ruby "$WORK/octokit.rb" "$URL" "$WANT"

# --- 6. Clients that do not trust the CA: refused by their own TLS check, before any request ------------
# The emulator's request journal (GET /_emulator/requests) shows whether a request got through: its last id
# outside /_emulator/ must not move.
begin "6a. curl without --cacert exits 60 (certificate problem); the emulator saw no request"
before="$(journal_last --cacert "$CA" "$URL")"
curl -q -sS --max-time 30 -o /dev/null "$URL/orgs/octo-org/packages?package_type=container" 2>"$WORK/curl60.err"
rc=$?
[ "$rc" = 60 ] || problem "curl exited $rc, not 60: $(tr '\n' ' ' <"$WORK/curl60.err" | cut -c1-300)"
after="$(journal_last --cacert "$CA" "$URL")"
[ -n "$before" ] && [ "$before" = "$after" ] || problem "the request journal moved from '${before}' to '${after}'"
end_check

begin "6b. Python requests without the CA raises requests.exceptions.SSLError (CERTIFICATE_VERIFY_FAILED); the emulator saw no request"
before="$(journal_last --cacert "$CA" "$URL")"
run_logged 60 "$PY" "$WORK/clients.py" requests-untrusted "$URL" - '{}' || problem "$(why)"
after="$(journal_last --cacert "$CA" "$URL")"
[ -n "$before" ] && [ "$before" = "$after" ] || problem "the request journal moved from '${before}' to '${after}'"
end_check

# --- 4. skopeo over HTTPS with a cert dir holding the CA as ca.crt ---------------------------------------
L="$WORK/layouts"
"$PYTHON" "$LAYOUTS" single "$L/single" v1 "https://github.com/octocat/hello-world" >"$WORK/layouts.log" 2>&1 \
    || die "registry_layouts.py single failed: $(tail -n 3 "$WORK/layouts.log" | tr '\n' ' ')"
SINGLE="$("$PYTHON" "$LAYOUTS" digest "$L/single" v1)" || die "no digest for $L/single:v1"
mkdir -p "$WORK/certs"
cp "$CA" "$WORK/certs/ca.crt"
ADMIN="octocat:$TOKEN"
REF="docker://$HOSTPORT/octocat/tls-demo"
sk() { run_logged 120 env "${HOME_ENV[@]}" skopeo "${SKOPEO_GLOBAL[@]}" "$@"; }
sha_of_out() { echo "sha256:$(sha256sum <"$OUT" | cut -d' ' -f1)"; }

begin "4a. skopeo copy --dest-cert-dir (ca.crt) pushes an OCI image to $HOSTPORT/octocat/tls-demo:v1 over HTTPS (token realm https too)"
sk copy --preserve-digests --dest-creds "$ADMIN" --dest-cert-dir "$WORK/certs" "oci:$L/single:v1" "$REF:v1" \
    || problem "skopeo copy exited $?: $(why)"
end_check
begin "4b. skopeo inspect --raw --cert-dir answers the pushed manifest bytes; copy --src-cert-dir pulls it back (same digest and blobs)"
if sk inspect --raw --creds "$ADMIN" --cert-dir "$WORK/certs" "$REF:v1"; then
    [ "$(sha_of_out)" = "$SINGLE" ] || problem "inspect --raw: digest $(sha_of_out), not $SINGLE"
else
    problem "skopeo inspect exited $?: $(why)"
fi
rm -rf "$WORK/back"
if sk copy --preserve-digests --src-creds "$ADMIN" --src-cert-dir "$WORK/certs" "$REF:v1" "oci:$WORK/back:v1"; then
    same="$("$PYTHON" "$LAYOUTS" same "$L/single" v1 "$WORK/back" v1 2>&1)" || problem "pulled layout differs: $same"
else
    problem "skopeo copy back exited $?: $(why)"
fi
end_check
begin "4c. skopeo without the cert dir is refused by its own check (x509 / certificate), not by the server; the emulator saw no request"
before="$(journal_last --cacert "$CA" "$URL")"
if sk inspect --raw --creds "$ADMIN" "$REF:v1"; then
    problem "skopeo succeeded without the CA"
elif ! { tail -n +2 "$LOG"; cat "$OUT"; } | grep -iE 'x509|certificate' >/dev/null; then
    problem "skopeo failed, but not with a certificate error: $(why)"
elif { tail -n +2 "$LOG"; cat "$OUT"; } | grep -iE 'unauthorized|denied|manifest unknown|name unknown' >/dev/null; then
    problem "skopeo's error names a registry answer: $(why)"
fi
after="$(journal_last --cacert "$CA" "$URL")"
[ -n "$before" ] && [ "$before" = "$after" ] || problem "the request journal moved from '${before}' to '${after}'"
end_check

# --- 5. npm with cafile= in its .npmrc -----------------------------------------------------------------
NPM_REG="$URL/npm/"
npmrc() { # npmrc NAME [CAFILE]: a userconfig .npmrc $WORK/npmrc.NAME for octocat's admin token
    cat >"$WORK/npmrc.$1" <<EOF
@octo-org:registry=$NPM_REG
//$HOSTPORT/npm/:_authToken=$TOKEN
registry=http://127.0.0.1:9/
audit=false
fund=false
update-notifier=false
cache=$WORK/cache.$1
fetch-retries=0
fetch-timeout=60000
color=false
progress=false
${2:+cafile=$2}
EOF
}
npmrc trusted "$CA"
npmrc untrusted
: >"$WORK/globalrc"
npm_as() { # npm_as NAME DIR ARGS...: one bounded npm call in DIR with $WORK/npmrc.NAME, nothing from the caller's environment
    local name="$1" dir="$2"; shift 2
    local rc
    (cd "$dir" && run_logged 120 env -i PATH="$PATH" "${HOME_ENV[@]}" NO_PROXY="$NO_PROXY" no_proxy="$no_proxy" \
        npm_config_userconfig="$WORK/npmrc.$name" npm_config_globalconfig="$WORK/globalrc" \
        npm "$@")
    rc=$?
    # run_logged ran in a subshell: point LOG and OUT at its files again
    N=$((N + 1))
    LOG="$WORK/call.$N.log"
    OUT="$WORK/call.$N.out"
    return "$rc"
}
PKG="@octo-org/tls-demo"
PKG_DIR="$WORK/pkg"
mkdir -p "$PKG_DIR"
cat >"$PKG_DIR/package.json" <<EOF
{
  "name": "$PKG",
  "version": "1.0.0",
  "description": "TLS interop test package of the GitHub Packages emulator",
  "main": "index.js",
  "license": "MIT",
  "repository": "https://github.com/octo-org/octo-repo"
}
EOF
echo 'module.exports = "tls-demo";' >"$PKG_DIR/index.js"

begin "5a. npm publish $PKG 1.0.0 to $NPM_REG with cafile= in the .npmrc; npm view answers version 1.0.0 and a dist.tarball under $NPM_REG"
if npm_as trusted "$PKG_DIR" publish; then
    if npm_as trusted "$WORK" view "$PKG" --json; then
        got="$(json_field 'd.get("version")' <"$OUT" 2>/dev/null)"
        [ "$got" = '"1.0.0"' ] || problem "npm view: version ${got:-no JSON in $(head -c 300 "$OUT")}, not 1.0.0"
        tarball="$(json_field '(d.get("dist") or {}).get("tarball")' <"$OUT" 2>/dev/null | tr -d '"')"
        case "$tarball" in "$NPM_REG"*) ;; *) problem "npm view: dist.tarball '$tarball' is not under $NPM_REG" ;; esac
    else
        problem "npm view exited $?: $(why)"
    fi
else
    problem "npm publish exited $?: $(why)"
fi
end_check
# Which of OpenSSL's codes node reports depends on the chain the server sends: only its own certificate (the
# emulator's made CA is a root, and a root may be left out of the chain, RFC 8446 §4.4.2) gives
# UNABLE_TO_VERIFY_LEAF_SIGNATURE, "unable to verify the first certificate"; a chain with an intermediate gives
# UNABLE_TO_GET_ISSUER_CERT_LOCALLY; one with the root in it SELF_SIGNED_CERT_IN_CHAIN. Each is a refusal of
# npm's own certificate check.
begin "5b. npm view without cafile fails with a certificate error code; the emulator saw no request"
before="$(journal_last --cacert "$CA" "$URL")"
if npm_as untrusted "$WORK" view "$PKG" version; then
    problem "npm view succeeded without the CA: $(head -c 200 "$OUT")"
elif ! { tail -n +2 "$LOG"; cat "$OUT"; } \
    | grep -E 'code (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)' >/dev/null; then
    problem "npm failed, but without a certificate error code: $(why)"
fi
after="$(journal_last --cacert "$CA" "$URL")"
[ -n "$before" ] && [ "$before" = "$after" ] || problem "the request journal moved from '${before}' to '${after}'"
end_check

# --- 7. Plain HTTP to the HTTPS port ------------------------------------------------------------------
begin "7. curl http://$HOSTPORT/ (plain HTTP to the HTTPS port) gets 400 with a plain-text body mentioning HTTPS; HTTPS still answers after it"
code="$(curl -q -sS --max-time 30 -D "$WORK/plain.headers" -o "$WORK/plain.body" -w '%{http_code}' "http://$HOSTPORT/" 2>"$WORK/plain.err")"
rc=$?
if [ "$rc" -ne 0 ]; then
    problem "curl exited $rc: $(tr '\n' ' ' <"$WORK/plain.err" | cut -c1-300)"
else
    [ "$code" = 400 ] || problem "status $code, not 400"
    grep -qi 'https' "$WORK/plain.body" || problem "the body does not mention HTTPS: $(head -c 200 "$WORK/plain.body")"
    case "$(header plain content-type)" in text/plain*) ;; *) problem "Content-Type '$(header plain content-type)', not text/plain" ;; esac
fi
fetch after-plain "$URL/meta" --cacert "$CA" && [ "$CODE" = 200 ] || problem "GET $URL/meta over HTTPS afterwards: $CODE"
end_check

# --- 8. SIGTERM ---------------------------------------------------------------------------------------
say "stopping the --tls emulator"
sigterm_check "8a. --tls: SIGTERM stops the emulator with exit status 0"

########################################################################################################
# B. HTTP and HTTPS side by side: --port 0 --tls-port 0 --tls-dir $WORK/tls2
########################################################################################################
say "B. emulator --port 0 --tls-port 0 --tls-dir $WORK/tls2"
CHECK_B="1b. --tls-port: ready line 'listening on http://127.0.0.1:P and https://127.0.0.1:Q'; both give the same listing, each in its own scheme"
if start_emulator both --port 0 --tls-port 0 --tls-dir "$WORK/tls2"; then
    HTTP_URL="$(sed -n 's#^listening on \(http://127\.0\.0\.1:[0-9][0-9]*\) and https://127\.0\.0\.1:[0-9][0-9]*$#\1#p' <<<"$READY")"
    HTTPS_URL="$(sed -n 's#^listening on http://127\.0\.0\.1:[0-9][0-9]* and \(https://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' <<<"$READY")"
    CA2="$WORK/tls2/ca.pem"
    begin "$CHECK_B"
    if [ -z "$HTTP_URL" ] || [ -z "$HTTPS_URL" ]; then
        problem "the ready line is '$READY'"
    else
        say "emulator pid $SERVER_PID at $HTTP_URL and $HTTPS_URL"
        [ "$(wc -l <"$EOUT")" -eq 1 ] || problem "stdout has more than the ready line: $(head -c 300 "$EOUT" | tr '\n' '|')"
        Q="/orgs/octo-org/packages?package_type=container&per_page=2"
        fetch b-http "$HTTP_URL$Q" || true
        [ "$CODE" = 200 ] || problem "GET $HTTP_URL$Q: $CODE"
        fetch b-https "$HTTPS_URL$Q" --cacert "$CA2" || true
        [ "$CODE" = 200 ] || problem "GET $HTTPS_URL$Q with --cacert $CA2: $CODE"
        if [ -z "$PROBLEMS" ]; then
            bad="$(urls_under "$HTTP_URL" b-http)"
            [ -z "$bad" ] || problem "over HTTP: $bad"
            bad="$(urls_under "$HTTPS_URL" b-https)"
            [ -z "$bad" ] || problem "over HTTPS: $bad"
            # the same answer once each listener's own base is taken out of it
            same="$("$PYTHON" - "$HTTP_URL" "$WORK/b-http.body" "$(header b-http link)" "$HTTPS_URL" "$WORK/b-https.body" "$(header b-https link)" <<'EOF'
import json, sys
def norm(base, body, link):
    return json.loads(open(body).read().replace(base + "/", "BASE/")), link.replace(base + "/", "BASE/")
a, b = norm(*sys.argv[1:4]), norm(*sys.argv[4:7])
if a[0] != b[0]:
    print("the bodies differ beyond the base URL: %s vs %s" % ([p.get("name") for p in a[0]], [p.get("name") for p in b[0]]))
elif a[1] != b[1] or not a[1]:
    print("the Link headers differ beyond the base URL (or are empty): %r vs %r" % (a[1], b[1]))
EOF
)"
            [ -z "$same" ] || problem "$same"
            fetch b-https-all "$HTTPS_URL/orgs/octo-org/packages?package_type=container&per_page=100" --cacert "$CA2" || true
            got="$(json_field '[p["name"] for p in d]' <"$WORK/b-https-all.body" 2>/dev/null)"
            [ "$got" = "$NAMES" ] || problem "the HTTPS listing names ${got:-nothing}, not $NAMES"
        fi
    fi
    end_check
    sigterm_check "8b. --tls-port: SIGTERM stops the emulator with exit status 0"
else
    not_ok "$CHECK_B" "the emulator did not print its ready line: $(tail -n 5 "$EERR" | tr '\n' ' ')"
    stop_pid "$SERVER_PID"
    SERVER_PID=""
fi

########################################################################################################
# C. The GHES persona on port 443: gh as an enterprise host
########################################################################################################
CHECK_C="3. gh api as enterprise host localhost (--tls --port 443 --profile ghes; GH_HOST=localhost, GH_ENTERPRISE_TOKEN, SSL_CERT_FILE=CA)"
if [ "$(id -u)" != 0 ]; then
    # gh takes no port in a host name, so the enterprise host must be on 443, and binding it needs root
    # (CI runs as root).
    ok "$CHECK_C # SKIP not root"
else
    say "C. emulator --tls --port 443 --profile ghes --tls-dir $WORK/tls-ghes"
    taken="$("$PYTHON" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", 443))
except OSError as e:
    print(e)' 2>&1)"
    if [ -n "$taken" ]; then
        not_ok "$CHECK_C" "port 443 on 127.0.0.1 is taken ($taken), so the emulator cannot serve there; free it first.\
 Listening: $(ss -ltnpH 'sport = :443' 2>/dev/null | tr -s ' ' | head -n 2 | tr '\n' ' ')"
    elif ! start_emulator ghes --tls --port 443 --profile ghes --tls-dir "$WORK/tls-ghes"; then
        not_ok "$CHECK_C" "the emulator did not start on port 443: $(tail -n 5 "$EERR" | tr '\n' ' ')"
        stop_pid "$SERVER_PID"
        SERVER_PID=""
    elif [ "$READY" != "listening on https://127.0.0.1:443" ]; then
        not_ok "$CHECK_C" "the ready line is '$READY', not 'listening on https://127.0.0.1:443'"
        sigterm_check "8c. --profile ghes: SIGTERM stops the emulator with exit status 0"
    else
        say "emulator pid $SERVER_PID at https://127.0.0.1:443 (GHES persona)"
        CA3="$WORK/tls-ghes/ca.pem"
        mkdir -p "$WORK/gh"
        gh_as_enterprise() { # gh_as_enterprise [VAR=VALUE...] -- ARGS...: `gh api ARGS` against host localhost
            local vars=()
            while [ "$1" != -- ]; do vars+=("$1"); shift; done
            shift
            run_logged 60 env "${GH_UNSET[@]}" "${HOME_ENV[@]}" GH_HOST=localhost GH_ENTERPRISE_TOKEN="$TOKEN" \
                GH_CONFIG_DIR="$WORK/gh" GH_NO_UPDATE_NOTIFIER=1 GH_PROMPT_DISABLED=1 NO_COLOR=1 "${vars[@]}" gh api "$@"
        }
        journal_path() { # the path of the last request outside /_emulator/ in the journal
            curl -q -sS --max-time 30 --cacert "$CA3" "https://localhost/_emulator/requests" 2>/dev/null \
                | json_field '[r["path"] for r in d["requests"] if not r["path"].startswith("/_emulator/")][-1:]' 2>/dev/null
        }

        begin "3a. gh api /user (GH_HOST=localhost) answers octocat, asked at https://localhost/api/v3/user"
        if gh_as_enterprise SSL_CERT_FILE="$CA3" -- /user; then
            got="$(json_field 'd.get("login")' <"$OUT" 2>/dev/null)"
            [ "$got" = '"octocat"' ] || problem "login ${got:-not JSON: $(head -c 200 "$OUT")}, not octocat"
            got="$(journal_path)"
            [ "$got" = '["/api/v3/user"]' ] || problem "the emulator's journal shows the path ${got:-nothing}, not /api/v3/user"
        else
            problem "gh exited $?: $(why)"
        fi
        end_check

        begin "3b. gh api --hostname localhost /orgs/octo-org/packages?package_type=container lists $NAMES"
        if gh_as_enterprise SSL_CERT_FILE="$CA3" -- --hostname localhost "/orgs/octo-org/packages?package_type=container"; then
            got="$(json_field '[p["name"] for p in d]' <"$OUT" 2>/dev/null)"
            [ "$got" = "$NAMES" ] || problem "names ${got:-not JSON: $(head -c 200 "$OUT")}, not $NAMES"
            got="$(json_field '[p["url"].startswith("https://localhost/api/v3/") for p in d]' <"$OUT" 2>/dev/null | tr -d '[]' | tr ',' '\n' | sort -u)"
            [ "$got" = true ] || problem "not every package url is under https://localhost/api/v3/: $(json_field '[p["url"] for p in d][:2]' <"$OUT" 2>/dev/null)"
        else
            problem "gh exited $?: $(why)"
        fi
        end_check

        begin "3c. gh api -i /meta shows X-GitHub-Enterprise-Version: 3.17.0 and installed_version 3.17.0"
        if gh_as_enterprise SSL_CERT_FILE="$CA3" -- -i /meta; then
            head="$(tr -d '\r' <"$OUT" | sed '/^$/q')"
            body="$(tr -d '\r' <"$OUT" | sed '1,/^$/d')"
            grep -qi '^X-GitHub-Enterprise-Version: 3\.17\.0$' <<<"$head" \
                || problem "no 'X-GitHub-Enterprise-Version: 3.17.0' among the headers: $(grep -i 'enterprise' <<<"$head" | tr '\n' ' ')"
            got="$(json_field '[d.get("installed_version"), d.get("verifiable_password_authentication")]' <<<"$body" 2>/dev/null)"
            [ "$got" = '["3.17.0",false]' ] || problem "[installed_version, verifiable_password_authentication] ${got:-not JSON: $(head -c 200 <<<"$body")}, not [\"3.17.0\",false]"
        else
            problem "gh exited $?: $(why)"
        fi
        end_check

        begin "3d. gh api /user without SSL_CERT_FILE is refused by gh's own check (x509), not by the server"
        if gh_as_enterprise -- /user; then
            problem "gh succeeded without the CA"
        elif ! { tail -n +2 "$LOG"; cat "$OUT"; } | grep -iE 'x509|certificate' >/dev/null; then
            problem "gh failed, but not with a certificate error: $(why)"
        fi
        end_check

        sigterm_check "8c. --profile ghes: SIGTERM stops the emulator with exit status 0"
    fi
fi

say "took $(($(date +%s) - STARTED_AT)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
