#!/usr/bin/env bash
# Interop test of the npm registry (SPEC §22) with the real npm CLI against the emulator:
#
#     EMULATOR_BIN=.build/debug/github-packages-emulator Tests/Interop/npm.sh
#
# It serves <repo>/Fixtures on 127.0.0.1 and a free port and drives `npm` (publish, view, install,
# dist-tag, deprecate, unpublish, whoami) at http://127.0.0.1:PORT/npm/ as the scope registry of
# @octo-org, with a throwaway HOME, cache and userconfig .npmrc per token (`@octo-org:registry=…`,
# `//127.0.0.1:PORT/npm/:_authToken=TOKEN`, audit, fund and the update notifier off, no retries) and an
# unscoped `registry` on a closed local port, so npm never reaches the internet. It checks what the REST
# routes say about the published package (package, versions, deleted versions, version deletes and
# restores) with the gh CLI (`gh api`, `gh api --paginate`, token in GH_ENTERPRISE_TOKEN, an empty
# GH_CONFIG_DIR, as client_gh.py), and fetches tarballs with curl. The control route /_emulator/reset
# uses curl too.
#
# Environment:
#   EMULATOR_BIN      (required) a built github-packages-emulator; this script never builds it
#   PYTHON            interpreter for the small JSON snippets (default: python3)
#   INTEROP_VERBOSE   1: the output of every failed npm call, and the emulator's log at the end
#   NPM_LOGLEVEL      npm's --loglevel for every call (default: notice; `http` or `silly` shows requests)
#
# Needs npm (10), node, gh and curl; as root with apt-get, installs the missing Debian packages.
# Every check prints `ok - npm: N. CHECK` or `not ok - npm: N. CHECK: WHY`; the last line is
# `N passed, M failed` and the exit status is 0 only when M is 0.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FIXTURES="$ROOT/Fixtures"
PYTHON="${PYTHON:-python3}"

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
case "${1:-}" in -h|--help) usage ;; "") ;; *) echo "npm.sh: unknown argument: $1" >&2; usage ;; esac
[ -n "${EMULATOR_BIN:-}" ] || { echo "npm.sh: EMULATOR_BIN is not set" >&2; usage; }

PASSED=0
FAILED=0
say() { printf '== %s\n' "$*"; }
die() { printf 'npm.sh: %s\n' "$*" >&2; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }
ok() { echo "ok - npm: $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - npm: $1: $2"; FAILED=$((FAILED + 1)); }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/interop-npm.XXXXXX")"
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

# Loopback only: no proxy may sit between npm, gh or curl and the emulator.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# --- Tools: npm, node, gh and curl ----------------------------------------------------------------
missing_tools() { # the Debian packages of the missing tools (npm brings node)
    command -v npm >/dev/null 2>&1 || echo npm
    command -v node >/dev/null 2>&1 || echo nodejs
    command -v gh >/dev/null 2>&1 || echo gh
    command -v curl >/dev/null 2>&1 || echo curl
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
    [ -z "$MISSING" ] || die "needs npm, node, gh and curl; missing: $MISSING (apt-get install $MISSING)"
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "no $PYTHON"
[ -x "$EMULATOR_BIN" ] || die "EMULATOR_BIN=$EMULATOR_BIN is not an executable file"
[ -d "$FIXTURES" ] || die "no fixtures directory $FIXTURES"
say "npm $(npm --version 2>/dev/null); node $(node --version); $("$PYTHON" --version 2>&1); gh $(gh --version | head -n1 | cut -d' ' -f3); $(curl --version | head -n1 | cut -d' ' -f1-2)"

# --- The emulator ---------------------------------------------------------------------------------
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
NPM_REG="$URL/npm/"
say "emulator pid $SERVER_PID at $URL; npm registry $NPM_REG"

reset() {
    local code
    code="$(curl -sS -o "$WORK/reset.body" -w '%{http_code}' -X POST --data-binary '' "$URL/_emulator/reset" 2>"$WORK/reset.err")"
    [ "$code" = 200 ] || die "POST /_emulator/reset answered ${code:-nothing}: $(cat "$WORK/reset.body" "$WORK/reset.err" 2>/dev/null | head -c 300)"
}
reset

# --- npm: a throwaway HOME, and one userconfig .npmrc (with its own cache) per token ----------------
mkdir -p "$WORK/home" "$WORK/tmp"
: >"$WORK/globalrc"
npmrc() { # npmrc NAME TOKEN: writes $WORK/npmrc.NAME
    cat >"$WORK/npmrc.$1" <<EOF
@octo-org:registry=$NPM_REG
//$REG/npm/:_authToken=$2
registry=http://127.0.0.1:9/
audit=false
fund=false
update-notifier=false
cache=$WORK/cache.$1
fetch-retries=0
fetch-timeout=60000
color=false
progress=false
EOF
}
npmrc admin ghp_octocatAdmin
npmrc read ghp_octocatRead
npmrc hubot ghp_hubotReadRepo

N=0
LOG=""
OUT=""
npm_as() { # npm_as NAME DIR ARGS...: one bounded npm call in DIR with $WORK/npmrc.NAME; stdout in $OUT, the command and stderr in $LOG
    local name="$1" dir="$2"; shift 2
    N=$((N + 1))
    LOG="$WORK/npm.$N.log"
    OUT="$WORK/npm.$N.out"
    printf '$ (as %s in %s) npm %s\n' "$name" "${dir#"$WORK"/}" "$*" >"$LOG"
    (cd "$dir" && timeout -k 5 120 env -i PATH="$PATH" HOME="$WORK/home" TMPDIR="$WORK/tmp" \
        NO_PROXY="$NO_PROXY" no_proxy="$no_proxy" \
        npm_config_userconfig="$WORK/npmrc.$name" npm_config_globalconfig="$WORK/globalrc" \
        npm_config_loglevel="${NPM_LOGLEVEL:-notice}" \
        npm "$@") >"$OUT" 2>>"$LOG" </dev/null
    local rc=$?
    [ "$rc" -ne 124 ] || echo "npm.sh: npm timed out after 120 s" >>"$LOG"
    return "$rc"
}
why() { # the last lines npm wrote to stderr (without its log-file notice), on one line
    local w
    w="$(tail -n +2 "$LOG" | grep -v -e 'A complete log of this run' -e '^npm \(error\|ERR!\) *$' -e 'npm \(http\|timing\|silly\|verbose\)' | tail -n 4 | tr '\n' ' ' | cut -c1-500)"
    if [ -n "${INTEROP_VERBOSE:-}" ]; then { echo "--- $LOG"; cat "$LOG" "$OUT"; } >&2; fi
    echo "${w:-no output}"
}
json_field() { # json_field EXPR < JSON: prints EXPR evaluated on the JSON as `d` (compact JSON)
    "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"
}

# One numbered check gathers its problems and prints one line.
CHECK=""
PROBLEMS=""
begin() { CHECK="$1"; PROBLEMS=""; say "$1"; }
problem() { PROBLEMS="${PROBLEMS:+$PROBLEMS; }$1"; }
end_check() { if [ -z "$PROBLEMS" ]; then ok "$CHECK"; else not_ok "$CHECK" "$PROBLEMS"; fi; }

run_npm() { # run_npm WHAT NAME DIR ARGS...: a problem unless npm succeeds; status 1 when it failed
    local what="$1"; shift
    npm_as "$@" && return 0
    problem "$what: npm exited $?: $(why)"
    return 1
}
refused_npm() { # refused_npm WHAT REGEX NAME DIR ARGS...: a problem unless npm fails with output matching REGEX (-i)
    local what="$1" regex="$2"; shift 2
    if npm_as "$@"; then
        problem "$what: npm succeeded: $(tr '\n' ' ' <"$OUT" | cut -c1-300)"
    elif ! tail -n +2 "$LOG" | cat - "$OUT" | grep -iE "$regex" >/dev/null; then # not grep -q: with pipefail, its early exit can SIGPIPE tail
        problem "$what: npm failed but its output does not match /$regex/: $(why)"
    fi
}

# The package under test, published from a directory per version.
PKG="@octo-org/npm-interop"
pkg_dir() { # pkg_dir VERSION: makes $WORK/pkg-VERSION (package.json, index.js, README.md) and prints its path
    local d="$WORK/pkg-$1"
    mkdir -p "$d"
    cat >"$d/package.json" <<EOF
{
  "name": "$PKG",
  "version": "$1",
  "description": "npm interop test package of the GitHub Packages emulator",
  "main": "index.js",
  "license": "MIT",
  "repository": "https://github.com/octo-org/octo-repo"
}
EOF
    printf 'module.exports = { version: "%s" };\n' "$1" >"$d/index.js"
    printf '# npm-interop %s\n' "$1" >"$d/README.md"
    echo "$d"
}
project_dir() { # project_dir NAME: a fresh consumer project $WORK/proj-NAME with its own package.json, printed
    local d="$WORK/proj-$1"
    rm -rf "$d"
    mkdir -p "$d"
    printf '{\n  "name": "consumer-%s",\n  "version": "0.0.0",\n  "private": true\n}\n' "$1" >"$d/package.json"
    echo "$d"
}
view_versions() { # view_versions NAME: `npm view $PKG versions --json` as a sorted compact JSON list in $GOT
    GOT=""
    npm_as "$1" "$WORK" view "$PKG" versions --json || return 1
    GOT="$(json_field 'sorted(d if isinstance(d, list) else [d])' <"$OUT" 2>/dev/null)"
}
view_latest() { # view_latest NAME: `npm view $PKG dist-tags.latest` in $GOT
    GOT=""
    npm_as "$1" "$WORK" view "$PKG" dist-tags.latest || return 1
    GOT="$(tr -d '\n' <"$OUT")"
}
versions_are() { # versions_are WANT_JSON: a problem unless npm view lists exactly WANT
    if view_versions admin; then
        [ "$GOT" = "$1" ] || problem "npm view versions: ${GOT:-no JSON in $(head -c 200 "$OUT")}, not $1"
    else
        problem "npm view $PKG versions: npm exited $?: $(why)"
    fi
}
latest_is() { # latest_is VERSION: a problem unless npm view dist-tags.latest prints VERSION
    if view_latest admin; then
        [ "$GOT" = "$1" ] || problem "npm view dist-tags.latest: '${GOT}', not $1"
    else
        problem "npm view $PKG dist-tags.latest: npm exited $?: $(why)"
    fi
}
installed_version() { # installed_version DIR: the version of the package npm put in DIR/node_modules
    json_field 'd.get("version")' <"$1/node_modules/@octo-org/npm-interop/package.json" 2>/dev/null | tr -d '"'
}
tarball_status() { # tarball_status URL: the status of a GET of URL with octocat's token; the bytes in $WORK/tarball
    curl -sS -o "$WORK/tarball" -w '%{http_code}' -H "Authorization: Bearer ghp_octocatAdmin" "$1" 2>>"$WORK/curl.err"
}

# The REST routes, through the gh CLI (as client_gh.py): a full http:// URL, GH_ENTERPRISE_TOKEN, an empty
# GH_CONFIG_DIR. On an HTTP error gh exits 1 with the body on stdout and `gh: MESSAGE (HTTP STATUS)` on stderr.
mkdir -p "$WORK/gh"
GH_UNSET=()
for v in $(env | sed -n 's/^\(\(GH\|GITHUB\)_[A-Za-z0-9_]*\)=.*/\1/p'); do GH_UNSET+=(-u "$v"); done
GOUT=""
GERR=""
gh_api() { # gh_api ARGS...: `gh api` with octocat's admin token; stdout in $GOUT, stderr in $GERR
    N=$((N + 1))
    GOUT="$WORK/gh.$N.out"
    GERR="$WORK/gh.$N.err"
    printf '$ gh api %s\n' "$*" >"$GERR"
    timeout -k 5 60 env "${GH_UNSET[@]}" GH_ENTERPRISE_TOKEN=ghp_octocatAdmin GH_CONFIG_DIR="$WORK/gh" \
        GH_NO_UPDATE_NOTIFIER=1 GH_PROMPT_DISABLED=1 NO_COLOR=1 \
        gh api -H "X-GitHub-Api-Version: 2022-11-28" "$@" >"$GOUT" 2>>"$GERR" </dev/null
}
gh_why() { echo "$(tail -n +2 "$GERR" | tr '\n' ' ' | cut -c1-300) $(tr '\n' ' ' <"$GOUT" | cut -c1-300)"; }
REST_PKG="$URL/orgs/octo-org/packages/npm/npm-interop"
rest_versions() { # rest_versions [STATE]: every version of the package as `ID NAME` lines in $WORK/rest-versions
    gh_api --paginate "$REST_PKG/versions?per_page=2${1:+&state=$1}" --jq '.[] | "\(.id) \(.name)"' || return 1
    sort -k2 "$GOUT" >"$WORK/rest-versions"
}
rest_names_are() { # rest_names_are STATE WANT: a problem unless the REST listing of STATE has exactly the names WANT (space-separated, sorted)
    local got
    if rest_versions "$1"; then
        got="$(awk '{print $2}' "$WORK/rest-versions" | tr '\n' ' ' | sed 's/ $//')"
        [ "$got" = "$2" ] || problem "REST versions?state=$1: '${got}', not '$2'"
    else
        problem "REST versions?state=$1: gh exited $?: $(gh_why)"
    fi
}
rest_id_of() { # rest_id_of NAME: the REST id of active version NAME
    rest_versions active && awk -v n="$1" '$2 == n {print $1}' "$WORK/rest-versions"
}

# --- 0. whoami --------------------------------------------------------------------------------------
begin "0. npm whoami --registry …/npm/ answers octocat (GET /npm/-/whoami)"
if run_npm "npm whoami" admin "$WORK" whoami --registry "$NPM_REG"; then
    [ "$(tr -d '\n' <"$OUT")" = octocat ] || problem "npm whoami printed '$(tr '\n' ' ' <"$OUT" | cut -c1-200)', not octocat"
fi
end_check

# --- 1. publish 1.0.0 -------------------------------------------------------------------------------
begin "1. npm publish of $PKG 1.0.0 succeeds; REST shows the package (private, linked to octo-org/octo-repo) and version 1.0.0"
D100="$(pkg_dir 1.0.0)"
run_npm "npm publish 1.0.0" admin "$D100" publish
if gh_api "$REST_PKG"; then
    got="$(json_field '[d.get("name"), d.get("package_type"), d.get("visibility"), (d.get("repository") or {}).get("full_name"), (d.get("owner") or {}).get("login"), d.get("version_count")]' <"$GOUT" 2>/dev/null)"
    [ "$got" = '["npm-interop","npm","private","octo-org/octo-repo","octo-org",1]' ] \
        || problem "REST package: [name, package_type, visibility, repository, owner, version_count] ${got:-not JSON}, not [\"npm-interop\",\"npm\",\"private\",\"octo-org/octo-repo\",\"octo-org\",1]"
else
    problem "REST GET $REST_PKG: gh exited $?: $(gh_why)"
fi
rest_names_are active "1.0.0"
end_check

# --- 2. the same version again ----------------------------------------------------------------------
begin "2. npm publish of 1.0.0 again fails with E409/EPUBLISHCONFLICT and changes nothing"
refused_npm "npm publish 1.0.0 again" 'E409|EPUBLISHCONFLICT' admin "$D100" publish
rest_names_are active "1.0.0"
end_check

# --- 3. publish 1.1.0 -------------------------------------------------------------------------------
begin "3. npm publish of 1.1.0: REST lists 2 versions, npm view lists both, dist-tags.latest is 1.1.0"
D110="$(pkg_dir 1.1.0)"
run_npm "npm publish 1.1.0" admin "$D110" publish
rest_names_are active "1.0.0 1.1.0"
versions_are '["1.0.0","1.1.0"]'
latest_is 1.1.0
end_check

# --- 4. install 1.0.0 -------------------------------------------------------------------------------
begin "4. npm install $PKG@1.0.0 into a fresh project: node_modules has 1.0.0, package-lock.json its sha512 integrity (the tarball's)"
P4="$(project_dir install-100)"
if run_npm "npm install $PKG@1.0.0" admin "$P4" install "$PKG@1.0.0" --cache "$P4.cache"; then
    v="$(installed_version "$P4")"
    [ "$v" = 1.0.0 ] || problem "node_modules/$PKG/package.json has version '${v:-none}', not 1.0.0"
    lock="$(json_field '[(d.get("packages") or {}).get("node_modules/@octo-org/npm-interop", {}).get(k) for k in ("version", "resolved", "integrity")]' <"$P4/package-lock.json" 2>/dev/null)"
    resolved="$(echo "$lock" | json_field 'd[1]' 2>/dev/null | tr -d '"')"
    integrity="$(echo "$lock" | json_field 'd[2]' 2>/dev/null | tr -d '"')"
    case "$integrity" in sha512-*) ;; *) problem "package-lock.json [version, resolved, integrity]: ${lock:-no lock file}" ;; esac
    case "$resolved" in "$NPM_REG"*) ;; *) problem "package-lock.json resolved '$resolved' is not under $NPM_REG" ;; esac
    if [ -n "$resolved" ]; then
        code="$(tarball_status "$resolved")"
        if [ "$code" = 200 ]; then
            want="$("$PYTHON" -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$WORK/tarball")"
            [ "$integrity" = "$want" ] || problem "lock integrity $integrity, but the tarball at $resolved has $want"
        else
            problem "GET $resolved answered ${code:-nothing}"
        fi
    fi
fi
end_check

# --- 5. dist-tags -----------------------------------------------------------------------------------
begin "5. npm dist-tag add/ls/rm: stable: 1.0.0 appears and goes"
DIST_TAGS=""
dist_tags() { # dist_tags: `npm dist-tag ls $PKG` as sorted lines joined by commas in $DIST_TAGS
    DIST_TAGS=""
    npm_as admin "$WORK" dist-tag ls "$PKG" || return 1
    DIST_TAGS="$(sort "$OUT" | sed '/^$/d' | tr '\n' ',' | sed 's/,$//')"
}
run_npm "npm dist-tag add $PKG@1.0.0 stable" admin "$WORK" dist-tag add "$PKG@1.0.0" stable
if dist_tags; then
    [ "$DIST_TAGS" = "latest: 1.1.0,stable: 1.0.0" ] || problem "after add, npm dist-tag ls printed '$DIST_TAGS', not 'latest: 1.1.0,stable: 1.0.0'"
else
    problem "npm dist-tag ls after add: npm exited $?: $(why)"
fi
run_npm "npm dist-tag rm $PKG stable" admin "$WORK" dist-tag rm "$PKG" stable
if dist_tags; then
    [ "$DIST_TAGS" = "latest: 1.1.0" ] || problem "after rm, npm dist-tag ls printed '$DIST_TAGS', not 'latest: 1.1.0'"
else
    problem "npm dist-tag ls after rm: npm exited $?: $(why)"
fi
end_check

# --- 6. deprecate -----------------------------------------------------------------------------------
begin "6. npm deprecate $PKG@1.0.0: npm view …@1.0.0 deprecated prints the message"
if run_npm "npm deprecate" admin "$WORK" deprecate "$PKG@1.0.0" "use 1.1"; then
    if npm_as admin "$WORK" view "$PKG@1.0.0" deprecated; then
        [ "$(tr -d '\n' <"$OUT")" = "use 1.1" ] || problem "npm view $PKG@1.0.0 deprecated printed '$(tr '\n' ' ' <"$OUT" | cut -c1-200)', not 'use 1.1'"
    else
        problem "npm view $PKG@1.0.0 deprecated: npm exited $?: $(why)"
    fi
    if npm_as admin "$WORK" view "$PKG@1.1.0" deprecated; then
        [ -z "$(tr -d '\n' <"$OUT")" ] || problem "1.1.0 is deprecated too: '$(tr '\n' ' ' <"$OUT" | cut -c1-200)'"
    else
        problem "npm view $PKG@1.1.0 deprecated: npm exited $?: $(why)"
    fi
fi
rest_names_are active "1.0.0 1.1.0"
end_check

# --- 7. publish 1.2.0, unpublish it ------------------------------------------------------------------
begin "7. npm publish 1.2.0 then npm unpublish $PKG@1.2.0: npm view lacks it, REST lists it under state=deleted"
D120="$(pkg_dir 1.2.0)"
if run_npm "npm publish 1.2.0" admin "$D120" publish; then
    versions_are '["1.0.0","1.1.0","1.2.0"]'
    npm_as admin "$WORK" view "$PKG@1.2.0" dist.tarball && T120="$(tr -d '\n' <"$OUT")" || T120=""
    if run_npm "npm unpublish $PKG@1.2.0" admin "$WORK" unpublish "$PKG@1.2.0"; then
        versions_are '["1.0.0","1.1.0"]'
        latest_is 1.1.0
        rest_names_are active "1.0.0 1.1.0"
        rest_names_are deleted "1.2.0"
        if [ -n "$T120" ]; then
            code="$(tarball_status "$T120")"
            [ "$code" = 404 ] || problem "GET $T120 (the unpublished tarball) answered ${code:-nothing}, not 404"
        else
            problem "no dist.tarball of 1.2.0 from npm view"
        fi
    fi
fi
end_check

# --- 8. REST delete and restore of 1.1.0 --------------------------------------------------------------
begin "8. REST delete of 1.1.0: npm view lacks it, latest 1.0.0, tarball 404, install fails; REST restore: all back"
T110=""
if npm_as admin "$WORK" view "$PKG@1.1.0" dist.tarball; then T110="$(tr -d '\n' <"$OUT")"; else problem "npm view $PKG@1.1.0 dist.tarball: npm exited $?: $(why)"; fi
ID110="$(rest_id_of 1.1.0)"
if [ -z "$ID110" ]; then
    problem "REST lists no active version 1.1.0: $(gh_why)"
elif ! gh_api -X DELETE "$REST_PKG/versions/$ID110"; then
    problem "REST DELETE $REST_PKG/versions/$ID110: gh exited $?: $(gh_why)"
else
    versions_are '["1.0.0"]'
    latest_is 1.0.0
    if [ -n "$T110" ]; then
        code="$(tarball_status "$T110")"
        [ "$code" = 404 ] || problem "GET $T110 after the delete answered ${code:-nothing}, not 404"
    fi
    P8="$(project_dir install-110-deleted)"
    refused_npm "npm install $PKG@1.1.0 after the delete" 'ETARGET|E404' admin "$P8" install "$PKG@1.1.0" --cache "$P8.cache"
    if ! gh_api -X POST "$REST_PKG/versions/$ID110/restore"; then
        problem "REST POST $REST_PKG/versions/$ID110/restore: gh exited $?: $(gh_why)"
    else
        versions_are '["1.0.0","1.1.0"]'
        latest_is 1.1.0
        if [ -n "$T110" ]; then
            code="$(tarball_status "$T110")"
            [ "$code" = 200 ] || problem "GET $T110 after the restore answered ${code:-nothing}, not 200"
        fi
        P8b="$(project_dir install-110-restored)"
        if run_npm "npm install $PKG@1.1.0 after the restore" admin "$P8b" install "$PKG@1.1.0" --cache "$P8b.cache"; then
            v="$(installed_version "$P8b")"
            [ "$v" = 1.1.0 ] || problem "after the restore node_modules has version '${v:-none}', not 1.1.0"
        fi
    fi
fi
end_check

# --- 9. tokens without the right -----------------------------------------------------------------------
begin "9. ghp_octocatRead (no write:packages) cannot publish (E403); hubot cannot read the private package (E404)"
D999="$(pkg_dir 9.9.9)"
refused_npm "npm publish 9.9.9 with ghp_octocatRead" 'E403' read "$D999" publish
refused_npm "npm view $PKG with ghp_hubotReadRepo" 'E404' hubot "$WORK" view "$PKG" versions --json
rest_names_are active "1.0.0 1.1.0"
end_check

# --- 10. the demo data's npm packages ------------------------------------------------------------------
say "10. demo data"
if [ -d "$FIXTURES/npm" ] && [ -n "$(find "$FIXTURES/npm" -name '*.tgz' -print -quit)" ]; then
    # Each tarball's package.json names the package and the version; install each as its owner's admin can.
    while IFS= read -r tgz; do
        spec="$(tar -xzOf "$tgz" package/package.json 2>/dev/null | json_field 'd["name"] + "@" + d["version"]' 2>/dev/null | tr -d '"')"
        begin "10. demo: npm install ${spec:-$tgz} (${tgz#"$ROOT"/})"
        if [ -z "$spec" ]; then
            problem "no package/package.json with name and version in $tgz"
        else
            scope="${spec%%/*}"
            rc="$WORK/npmrc.demo"
            { cat "$WORK/npmrc.admin"; echo "$scope:registry=$NPM_REG"; } >"$rc"
            P10="$(project_dir "demo-$(basename "$tgz" .tgz)")"
            if run_npm "npm install $spec" demo "$P10" install "$spec" --cache "$P10.cache"; then
                want_v="${spec##*@}"
                got_v="$(json_field 'd.get("version")' <"$P10/node_modules/${spec%@*}/package.json" 2>/dev/null | tr -d '"')"
                [ "$got_v" = "$want_v" ] || problem "node_modules/${spec%@*}/package.json has version '${got_v:-none}', not $want_v"
                if ! cmp -s <(tar -xzOf "$tgz" package/package.json) "$P10/node_modules/${spec%@*}/package.json"; then
                    problem "the installed package.json differs from the fixture tarball's"
                fi
            fi
        fi
        end_check
    done < <(find "$FIXTURES/npm" -name '*.tgz' | sort)
else
    echo "skip - npm: 10. demo: no npm tarballs under Fixtures/npm"
fi

# --- 11. Stop: SIGTERM, exit 0 -------------------------------------------------------------------------
say "stopping"
if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    rc=""
    for _ in $(seq 100); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then wait "$SERVER_PID"; rc=$?; break; fi
        sleep 0.1
    done
    if [ "$rc" = 0 ]; then ok "11. SIGTERM stops the emulator with exit status 0"
    elif [ -z "$rc" ]; then not_ok "11. SIGTERM stops the emulator with exit status 0" "still running 10 s after SIGTERM"; stop_pid "$SERVER_PID"
    else not_ok "11. SIGTERM stops the emulator with exit status 0" "exit status $rc"; fi
else
    wait "$SERVER_PID"
    not_ok "11. the emulator stays up" "it died during the run (exit status $?); stderr: $(tail -n 5 "$WORK/emulator.err" | tr '\n' ' ')"
fi
SERVER_PID=""
if [ -n "${INTEROP_VERBOSE:-}" ]; then say "emulator log"; cat "$WORK/emulator.err"; fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
