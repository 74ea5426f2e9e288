#!/usr/bin/env bash
# Interop test of the Container registry (SPEC §21) with a real client, skopeo, against the emulator:
#
#     EMULATOR_BIN=.build/debug/github-packages-emulator Tests/Interop/registry.sh
#
# It builds OCI image layouts offline (registry_layouts.py: a single-platform image, and a multi-arch
# index with linux/amd64, linux/arm64 and a buildx-style attestation manifest), serves <repo>/Fixtures on
# 127.0.0.1 and a free port, pushes and pulls them with skopeo over plain HTTP, and checks what the REST
# routes say about the pushed packages (versions, tags, deletes and restores) with the gh CLI (`gh api`,
# `gh api --paginate`, token in GH_ENTERPRISE_TOKEN, an empty GH_CONFIG_DIR, as client_gh.py). Then
# registry_oras.py, in a venv with the oras Python SDK (oras-py), logs in, pushes and pulls an artifact,
# attaches an SBOM through the referrers tag schema fallback and is refused a push without write:packages,
# and checks the pushed package through `gh api` too. The control route /_emulator/reset uses urllib.
#
# Environment:
#   EMULATOR_BIN      (required) a built github-packages-emulator; this script never builds it
#   PYTHON            interpreter for registry_layouts.py and the one that creates the venv (default: python3)
#   REGISTRY_VENV     venv for registry_oras.py (default: Tests/Interop/.venv-registry, gitignored), made
#                     from registry-requirements.txt and made again when that file changes
#   INTEROP_VERBOSE   1: the output of every failed skopeo call, oras-py's log, and the emulator's log at the end
#   SKOPEO_DEBUG      1: run skopeo with --debug (every HTTP exchange in those outputs)
#
# Needs skopeo, umoci and gh; as root with apt-get, installs the missing Debian packages.
# Every check prints `ok - registry: CHECK` or `not ok - registry: CHECK: WHY`; the last line is
# `N passed, M failed` and the exit status is 0 only when M is 0.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FIXTURES="$ROOT/Fixtures"
PYTHON="${PYTHON:-python3}"
LAYOUTS="$HERE/registry_layouts.py"
ORAS_SCRIPT="$HERE/registry_oras.py"
ORAS_REQUIREMENTS="$HERE/registry-requirements.txt"
VENV="${REGISTRY_VENV:-$HERE/.venv-registry}"

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
case "${1:-}" in -h|--help) usage ;; "") ;; *) echo "registry.sh: unknown argument: $1" >&2; usage ;; esac
[ -n "${EMULATOR_BIN:-}" ] || { echo "registry.sh: EMULATOR_BIN is not set" >&2; usage; }

PASSED=0
FAILED=0
say() { printf '== %s\n' "$*"; }
die() { printf 'registry.sh: %s\n' "$*" >&2; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }
ok() { echo "ok - registry: $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - registry: $1: $2"; FAILED=$((FAILED + 1)); }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/interop-registry.XXXXXX")"
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

# Loopback only: no proxy may sit between skopeo, gh or urllib and the emulator.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# --- 1. Tools: skopeo, umoci and gh ----------------------------------------------------------------
missing_tools() { # the Debian packages of the missing tools (each package installs the command of its name)
    local t
    for t in skopeo umoci gh; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done
}
MISSING="$(missing_tools | tr '\n' ' ' | sed 's/ $//')"
if [ -n "$MISSING" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages $MISSING"
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086 # one argument per package
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends $MISSING; } >"$WORK/apt.log" 2>&1 \
            || { cat "$WORK/apt.log" >&2; die "apt-get install $MISSING failed"; }
    fi
    MISSING="$(missing_tools | tr '\n' ' ' | sed 's/ $//')"
    [ -z "$MISSING" ] || die "needs skopeo, umoci and gh; missing: $MISSING (apt-get install $MISSING)"
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "no $PYTHON"
[ -x "$EMULATOR_BIN" ] || die "EMULATOR_BIN=$EMULATOR_BIN is not an executable file"
[ -d "$FIXTURES" ] || die "no fixtures directory $FIXTURES"

# oras-py in a venv, pinned by registry-requirements.txt (made again when that file changes, as run.sh does).
REQ_HASH="$(sha256sum "$ORAS_REQUIREMENTS" | cut -d' ' -f1)" || die "no $ORAS_REQUIREMENTS"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$REQ_HASH" ]; then
    say "creating venv $VENV from registry-requirements.txt"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >"$WORK/venv.log" 2>&1 || { cat "$WORK/venv.log" >&2; die "$PYTHON -m venv $VENV failed"; }
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$ORAS_REQUIREMENTS" >"$WORK/pip.log" 2>&1 \
        || { cat "$WORK/pip.log" >&2; die "pip install -r registry-requirements.txt failed"; }
    echo "$REQ_HASH" >"$VENV/.requirements.sha256"
fi
ORAS_PY="$VENV/bin/python"
"$ORAS_PY" -c 'import oras.client' 2>/dev/null || die "$ORAS_PY cannot import oras (remove $VENV to make it again)"

# skopeo sees only this run's configuration: accept-anything policy, no registries.conf, no stored logins,
# no lookaside signature stores.
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$WORK/policy.json"
: >"$WORK/registries.conf"
mkdir -p "$WORK/registries.d"
printf '{"auths":{}}\n' >"$WORK/auth.json"
export CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf" REGISTRY_AUTH_FILE="$WORK/auth.json"
SKOPEO_GLOBAL=(--policy "$WORK/policy.json" --registries.d "$WORK/registries.d")
[ -z "${SKOPEO_DEBUG:-}" ] || SKOPEO_GLOBAL+=(--debug)
say "$(skopeo --version); $(umoci --version); $("$PYTHON" --version 2>&1); oras-py $("$ORAS_PY" -c 'import oras.version; print(oras.version.__version__)'); gh $(gh --version | head -n1 | cut -d' ' -f3)"

N=0
LOG=""
sk() { # sk ARGS...: one bounded skopeo call; its stdout in $OUT, the command and its stderr in $LOG
    N=$((N + 1))
    LOG="$WORK/skopeo.$N.log"
    OUT="$WORK/skopeo.$N.out"
    printf '$ skopeo %s\n' "$*" >"$LOG"
    timeout -k 5 120 skopeo "${SKOPEO_GLOBAL[@]}" "$@" >"$OUT" 2>>"$LOG"
    local rc=$?
    [ "$rc" -ne 124 ] || echo "registry.sh: skopeo timed out after 120 s" >>"$LOG"
    return "$rc"
}
why() { # the last lines of $LOG, on one line
    local w
    w="$(tail -n +2 "$LOG" | grep -v 'level=debug' | tail -n 3 | tr '\n' ' ' | cut -c1-500)"
    if [ -n "${INTEROP_VERBOSE:-}" ]; then { echo "--- $LOG"; cat "$LOG" "$OUT"; } >&2; fi
    echo "${w:-no output}"
}
check_sk() { # check_sk CHECK ARGS...: ok when skopeo ARGS... succeeds
    local check="$1"; shift
    if sk "$@"; then ok "$check"; else not_ok "$check" "skopeo exited $?: $(why)"; fi
}
refused_sk() { # refused_sk CHECK REGEX ARGS...: ok when skopeo ARGS... fails and its output matches REGEX (-i)
    local check="$1" regex="$2"; shift 2
    if sk "$@"; then
        not_ok "$check" "skopeo succeeded: $(why)"
    elif tail -n +2 "$LOG" | cat - "$OUT" | grep -v 'level=debug' | grep -qiE "$regex"; then
        ok "$check"
    else
        not_ok "$check" "skopeo failed but its output does not match /$regex/: $(why)"
    fi
}
py_check() { # py_check CHECK ARGS...: ok when registry_layouts.py ARGS... exits 0
    local check="$1" out; shift
    if out="$("$PYTHON" "$LAYOUTS" "$@" 2>&1)"; then ok "$check"; else not_ok "$check" "$(echo "$out" | tail -n 3 | tr '\n' ' ' | cut -c1-600)"; fi
}
raw_digest_is() { # raw_digest_is CHECK WANT ARGS...: ok when `skopeo inspect --raw ARGS...` prints bytes of digest WANT
    local check="$1" want="$2" got; shift 2
    if sk inspect --raw "$@"; then
        got="sha256:$(sha256sum <"$OUT" | cut -d' ' -f1)"
        if [ "$got" = "$want" ]; then ok "$check"; else not_ok "$check" "the bytes have digest $got, not $want"; fi
    else
        not_ok "$check" "skopeo exited $?: $(why)"
    fi
}
json_field() { # json_field EXPR < JSON: prints EXPR evaluated on the JSON as `d` (compact JSON)
    "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"
}
skopeo_json() { # skopeo_json EXPR: EXPR on the JSON skopeo printed in $OUT
    json_field "$1" <"$OUT" 2>/dev/null
}

# --- 2. Layouts, offline --------------------------------------------------------------------------
L="$WORK/layouts"
SOURCE_SINGLE="https://github.com/octocat/hello-world"
SOURCE_MULTI="https://github.com/octocat/octo-lib"
"$PYTHON" "$LAYOUTS" single "$L/single" v1 "$SOURCE_SINGLE" || die "registry_layouts.py single failed"
"$PYTHON" "$LAYOUTS" multi "$L/multi" latest "$SOURCE_MULTI" || die "registry_layouts.py multi failed"
SINGLE="$("$PYTHON" "$LAYOUTS" digest "$L/single" v1)" || die "no digest for $L/single:v1"
INDEX="$("$PYTHON" "$LAYOUTS" digest "$L/multi" latest)" || die "no digest for $L/multi:latest"
"$PYTHON" "$LAYOUTS" children "$L/multi" latest >"$WORK/children" || die "no children in $L/multi:latest"
AMD64="$(awk '$2 == "linux/amd64" {print $1}' "$WORK/children")"
ARM64="$(awk '$2 == "linux/arm64" {print $1}' "$WORK/children")"
ATTEST="$(awk '$2 == "attestation" {print $1}' "$WORK/children")"
[ -n "$AMD64" ] && [ -n "$ARM64" ] && [ -n "$ATTEST" ] || die "registry_layouts.py multi: children $(tr '\n' ' ' <"$WORK/children")"
say "single $SINGLE; index $INDEX (amd64 $AMD64, arm64 $ARM64, attestation $ATTEST)"

raw_digest_is "layout: skopeo reads the single image's manifest from its OCI layout" "$SINGLE" "oci:$L/single:v1"
raw_digest_is "layout: skopeo reads the multi-arch index from its OCI layout" "$INDEX" "oci:$L/multi:latest"
if umoci stat --image "$L/single:v1" >"$WORK/umoci.log" 2>&1; then
    ok "layout: umoci stat reads the single image (config, history)"
else
    not_ok "layout: umoci stat reads the single image (config, history)" "$(tail -n 2 "$WORK/umoci.log" | tr '\n' ' ')"
fi

# --- 3. The emulator ------------------------------------------------------------------------------
"$EMULATOR_BIN" serve --fixtures "$FIXTURES" --host 127.0.0.1 --port 0 >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 300); do
    if [ -s "$WORK/emulator.out" ] && [ "$(wc -l <"$WORK/emulator.out")" -ge 1 ]; then
        URL="$(sed -n '1s#^listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$WORK/emulator.out")"
        [ -n "$URL" ] || die "the emulator printed $(head -n1 "$WORK/emulator.out") instead of its ready line"
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$URL" ] || { tail -n 40 "$WORK/emulator.err" >&2; die "the emulator did not print its ready line"; }
REG="${URL#http://}"
say "emulator pid $SERVER_PID at $URL"

ADMIN="octocat:ghp_octocatAdmin"
SINGLE_REF="docker://$REG/octocat/interop-single"
MULTI_REF="docker://$REG/octocat/interop-multi"
reset() { "$PYTHON" "$LAYOUTS" reset "$URL" >"$WORK/reset.log" 2>&1 || die "POST /_emulator/reset: $(cat "$WORK/reset.log")"; }
reset

py_check "anonymous GET /v2/ answers 401, a Bearer challenge and Docker-Distribution-API-Version" v2-base "$URL"

# --- 4. A single-platform image -------------------------------------------------------------------
say "single-platform image"
check_sk "skopeo copy pushes the single image to octocat/interop-single:v1" \
    copy --preserve-digests --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$L/single:v1" "$SINGLE_REF:v1"
raw_digest_is "skopeo inspect --raw by tag answers the pushed manifest bytes" "$SINGLE" \
    --creds "$ADMIN" --tls-verify=false "$SINGLE_REF:v1"
raw_digest_is "skopeo inspect --raw by digest answers the pushed manifest bytes" "$SINGLE" \
    --creds "$ADMIN" --tls-verify=false "$SINGLE_REF@$SINGLE"
if sk inspect --creds "$ADMIN" --tls-verify=false "$SINGLE_REF:v1"; then
    got="$(skopeo_json '[d.get("Digest"), d.get("Architecture"), d.get("Os"), len(d.get("Layers") or [])]')"
    if [ "$got" = "[\"$SINGLE\",\"amd64\",\"linux\",2]" ]; then ok "skopeo inspect reads manifest and config"
    else not_ok "skopeo inspect reads manifest and config" "Digest, Architecture, Os, layers: ${got:-no JSON}"; fi
else
    not_ok "skopeo inspect reads manifest and config" "skopeo exited $?: $(why)"
fi
list_tags_are() { # list_tags_are CHECK WANT_JSON REF
    local got
    if sk list-tags --creds "$ADMIN" --tls-verify=false "$3"; then
        got="$(skopeo_json 'd.get("Tags")')"
        if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "tags ${got:-no JSON}, not $2"; fi
    else
        not_ok "$1" "skopeo exited $?: $(why)"
    fi
}
list_tags_are "skopeo list-tags shows v1" '["v1"]' "$SINGLE_REF"
rm -rf "$WORK/back-single"
if sk copy --preserve-digests --src-creds "$ADMIN" --src-tls-verify=false "$SINGLE_REF:v1" "oci:$WORK/back-single:v1"; then
    py_check "skopeo copy pulls the single image back: same manifest digest and blobs" same "$L/single" v1 "$WORK/back-single" v1
else
    not_ok "skopeo copy pulls the single image back: same manifest digest and blobs" "skopeo exited $?: $(why)"
fi
refused_sk "skopeo delete is refused (405 UNSUPPORTED)" 'unsupported' \
    delete --creds "$ADMIN" --tls-verify=false "$SINGLE_REF:v1"
raw_digest_is "the refused delete leaves the image in place" "$SINGLE" --creds "$ADMIN" --tls-verify=false "$SINGLE_REF:v1"
py_check "REST: GET /user/packages/container/interop-single is private and linked to hello-world" \
    package "$URL" ghp_octocatAdmin interop-single private hello-world
py_check "REST: interop-single has one version, the manifest digest, tagged v1" \
    versions "$URL" ghp_octocatAdmin interop-single "{\"$SINGLE\": [\"v1\"]}"
refused_sk "an anonymous pull of the private package is refused" 'unauthorized|authentication required|denied' \
    inspect --no-creds --tls-verify=false "$SINGLE_REF:v1"
refused_sk "a token without write:packages (ghp_octocatReadRepo) cannot push" 'denied' \
    copy --preserve-digests --dest-creds octocat:ghp_octocatReadRepo --dest-tls-verify=false "oci:$L/single:v1" "$SINGLE_REF:denied"
check_sk "skopeo copy pushes the same image under a second tag v2" \
    copy --preserve-digests --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$L/single:v1" "$SINGLE_REF:v2"
py_check "REST: the second tag joins the same version (still one version, tags v1 and v2)" \
    versions "$URL" ghp_octocatAdmin interop-single "{\"$SINGLE\": [\"v1\", \"v2\"]}"
list_tags_are "skopeo list-tags shows v1 and v2 (and not the refused push's tag)" '["v1","v2"]' "$SINGLE_REF"

reset
refused_sk "POST /_emulator/reset drops the pushed package (a pull answers name or manifest unknown)" \
    'name unknown|manifest unknown' inspect --raw --creds "$ADMIN" --tls-verify=false "$SINGLE_REF:v1"

# --- 5. A multi-arch index with an attestation ----------------------------------------------------
say "multi-arch index"
check_sk "skopeo copy --all pushes the multi-arch index to octocat/interop-multi:latest" \
    copy --all --preserve-digests --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$L/multi:latest" "$MULTI_REF:latest"
raw_digest_is "skopeo inspect --raw by tag answers the pushed index bytes" "$INDEX" \
    --creds "$ADMIN" --tls-verify=false "$MULTI_REF:latest"
FOUR="{\"$INDEX\": [\"latest\"], \"$AMD64\": [], \"$ARM64\": [], \"$ATTEST\": []}"
py_check "REST: interop-multi has 4 versions (index, 2 platforms, attestation), only the index tagged latest" \
    versions "$URL" ghp_octocatAdmin interop-multi "$FOUR"
py_check "REST: interop-multi is private and linked to octo-lib (the index's own source annotation)" \
    package "$URL" ghp_octocatAdmin interop-multi private octo-lib
pull_multi() { # pull_multi CHECK DIR: skopeo copy --all back, and compare
    rm -rf "$2"
    if sk copy --all --preserve-digests --src-creds "$ADMIN" --src-tls-verify=false "$MULTI_REF:latest" "oci:$2:latest"; then
        py_check "$1" same "$L/multi" latest "$2" latest
    else
        not_ok "$1" "skopeo exited $?: $(why)"
    fi
}
pull_multi "skopeo copy --all pulls the index back: same digests and blobs" "$WORK/back-multi"

# The cleanup failure: deleting every untagged version breaks the multi-arch image.
say "cleanup failure: delete the untagged versions"
if IDS="$("$PYTHON" "$LAYOUTS" delete-untagged "$URL" ghp_octocatAdmin interop-multi 2>&1)"; then
    if [ "$(wc -w <<<"$IDS")" -eq 3 ]; then ok "REST: DELETE each of the 3 untagged versions answers 204"
    else not_ok "REST: DELETE each of the 3 untagged versions answers 204" "deleted ids: $IDS"; fi
else
    not_ok "REST: DELETE each of the 3 untagged versions answers 204" "$IDS"
    IDS=""
fi
py_check "REST: only the tagged index is left" versions "$URL" ghp_octocatAdmin interop-multi "{\"$INDEX\": [\"latest\"]}"
raw_digest_is "the index still pulls by tag (no cascade)" "$INDEX" --creds "$ADMIN" --tls-verify=false "$MULTI_REF:latest"
rm -rf "$WORK/broken-multi"
refused_sk "skopeo copy --all fails with manifest unknown once the children are deleted" 'manifest unknown' \
    copy --all --preserve-digests --src-creds "$ADMIN" --src-tls-verify=false "$MULTI_REF:latest" "oci:$WORK/broken-multi:latest"
refused_sk "a deleted child is unknown by digest too" 'manifest unknown' \
    inspect --raw --creds "$ADMIN" --tls-verify=false "$MULTI_REF@$AMD64"
if [ -n "$IDS" ]; then
    # shellcheck disable=SC2086 # one argument per id
    py_check "REST: POST …/versions/ID/restore answers 204 for each" restore "$URL" ghp_octocatAdmin interop-multi $IDS
else
    not_ok "REST: POST …/versions/ID/restore answers 204 for each" "nothing was deleted"
fi
py_check "REST: the 4 versions are back" versions "$URL" ghp_octocatAdmin interop-multi "$FOUR"
pull_multi "after the restores skopeo copy --all pulls the index again: same digests and blobs" "$WORK/restored-multi"
reset

# --- 6. oras-py: log in, push, pull, attach (referrers tag schema fallback), refused push ------------
# registry_oras.py resets the emulator first and prints its own ok / not ok lines, counted here.
say "oras-py"
timeout -k 5 300 "$ORAS_PY" "$ORAS_SCRIPT" "$URL" 2>"$WORK/oras.err" | tee "$WORK/oras.out"
rc="${PIPESTATUS[0]}"
oras_ok="$(grep -c '^ok - ' "$WORK/oras.out")"
oras_not_ok="$(grep -c '^not ok - ' "$WORK/oras.out")"
PASSED=$((PASSED + oras_ok))
FAILED=$((FAILED + oras_not_ok))
if [ "$rc" -ne 0 ] && [ "$oras_not_ok" -eq 0 ]; then
    [ "$rc" -ne 124 ] || echo "registry.sh: registry_oras.py timed out after 300 s" >>"$WORK/oras.err"
    not_ok "oras: registry_oras.py runs to its end" "exit status $rc: $(tail -n 3 "$WORK/oras.err" | tr '\n' ' ' | cut -c1-500)"
elif [ "$oras_ok" -eq 0 ]; then
    not_ok "oras: registry_oras.py runs its checks" "it printed no ok line (exit status $rc)"
fi
if [ -n "${INTEROP_VERBOSE:-}" ] && { [ "$rc" -ne 0 ] || [ "$oras_not_ok" -ne 0 ]; }; then
    say "oras-py log"; cat "$WORK/oras.err"
fi
reset

# --- 7. The demo data's registry content (Fixtures/registry/octo-org/octo-multi), anonymously -----
"$PYTHON" "$LAYOUTS" reset "$URL" >/dev/null || die "reset failed"
DEMO="docker://$REG/octo-org/octo-multi"
check_sk "demo: skopeo copy --all of the public octo-org/octo-multi:latest, anonymously" \
    copy --all --src-tls-verify=false "$DEMO:latest" "oci:$WORK/demo:latest"
if sk list-tags --tls-verify=false "$DEMO" && [ "$(skopeo_json 'sorted(d["Tags"])[:2]')" = '["1.0","latest"]' ] \
    && skopeo_json 'd["Tags"]' | grep -q '"sha256-[0-9a-f]\{64\}\.sig"'; then
    ok "demo: list-tags shows 1.0, latest and the signature's sha256-HEX.sig tag"
else
    not_ok "demo: list-tags shows 1.0, latest and the signature's sha256-HEX.sig tag" "$(cat "$OUT" | tr '\n' ' ')"
fi
DEMO_INDEX="$("$PYTHON" "$LAYOUTS" digest "$WORK/demo" latest 2>/dev/null)"
if [ "$DEMO_INDEX" = "$("$PYTHON" "$LAYOUTS" digest "$ROOT/Fixtures/registry/octo-org/octo-multi" latest 2>/dev/null)" ] \
    && "$PYTHON" "$LAYOUTS" same "$WORK/demo" latest "$ROOT/Fixtures/registry/octo-org/octo-multi" latest; then
    ok "demo: the pulled index and every blob under it are the fixture layout's bytes"
else
    not_ok "demo: the pulled index and every blob under it are the fixture layout's bytes" "index $DEMO_INDEX"
fi

# --- 8. Stop: SIGTERM, exit 0 ---------------------------------------------------------------------
say "stopping"
if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    rc=""
    for _ in $(seq 100); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then wait "$SERVER_PID"; rc=$?; break; fi
        sleep 0.1
    done
    if [ "$rc" = 0 ]; then ok "SIGTERM stops the emulator with exit status 0"
    elif [ -z "$rc" ]; then not_ok "SIGTERM stops the emulator with exit status 0" "still running 10 s after SIGTERM"; stop_pid "$SERVER_PID"
    else not_ok "SIGTERM stops the emulator with exit status 0" "exit status $rc"; fi
else
    wait "$SERVER_PID"
    not_ok "the emulator stays up" "it died during the run (exit status $?); stderr: $(tail -n 5 "$WORK/emulator.err" | tr '\n' ' ')"
fi
SERVER_PID=""
if [ -n "${INTEROP_VERBOSE:-}" ]; then say "emulator log"; cat "$WORK/emulator.err"; fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
