#!/usr/bin/env bash
# The closest thing to the Docker image that runs without a Docker engine (issue 4): a minimal Debian root
# (debootstrap --variant=minbase, the runtime base's release) holding only the runtime stage's packages,
# the release binary at /usr/local/bin and Fixtures/ at /fixtures, the image's user and environment.
# The emulator runs in it with chroot, as that user, on 127.0.0.1 and a free port; a curl walkthrough runs
# against it from outside; the image's HEALTHCHECK command and `validate /fixtures` run inside. Then SIGTERM
# by PID, which must end it with exit 0. Prints how long each phase took.
#
# Usage: docker/rootfs-smoke.sh [--reuse]   (as root: debootstrap, chroot and mount need it)
#   --reuse   keep a root that an earlier run finished (.build-rootfs/root) instead of bootstrapping anew
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian).
# The Dockerfile is read through docker/check.sh's functions: packages, user and build flags cannot drift.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=docker/check.sh
source "$repo/docker/check.sh"
die() { printf 'docker/rootfs-smoke.sh: %s\n' "$*" >&2; exit 1; }

state="$repo/.build-rootfs"
root="$state/root"
logs="$state/logs"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
reuse=false
case "${1:-}" in
    --reuse) reuse=true ;;
    "") ;;
    *) die "usage: docker/rootfs-smoke.sh [--reuse]" ;;
esac
[[ "$(id -u)" -eq 0 ]] || die "run as root (debootstrap, chroot and mount need it)"

# Milliseconds since the epoch, from bash's own clock.
now_ms() { local t="${EPOCHREALTIME/[.,]/}"; echo "${t:0:-3}"; }
seconds_since() { local ms=$(($(now_ms) - $1)); printf '%d.%03d s' "$((ms / 1000))" "$((ms % 1000))"; }
timings=()
phase_started=0
phase() { phase_started=$(now_ms); printf '\n== %s\n' "$*"; }
phase_done() { timings+=("$(printf '%-34s %10s' "$1" "$(seconds_since "$phase_started")")"); }
smoke_fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    unmount_all
}
# Unmount everything below the root, deepest first, so that nothing (like the host's /proc) stays mounted.
unmount_all() {
    [[ -d "$root" ]] || return 0
    local mount
    while read -r mount; do
        umount -l "$mount" 2>/dev/null || true
    done < <(awk -v root="$root" 'index($2, root "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
}
trap cleanup EXIT

total_started=$(now_ms)
base="$(runtime_stage | awk 'toupper($1) == "FROM" { print $2; exit }')"
suite="${base#*:}"
suite="${suite%%-*}"
mapfile -t packages < <(runtime_packages)
# The runtime stage's RUN that creates the user, run as Docker runs it (/bin/sh -c) in the root.
user_run="$(runtime_stage | awk 'toupper($1) == "RUN" && /useradd/ { sub(/^[^ ]+ /, ""); print; exit }')"
[[ -n "$user_run" ]] || die "no RUN with 'useradd' in the runtime stage of $dockerfile"
user_spec="$(runtime_stage | awk 'toupper($1) == "USER" { user = $2 } END { print user }')"
[[ -n "$user_spec" ]] || die "no USER in the runtime stage of $dockerfile"
[[ "$user_spec" == *:* ]] || user_spec="$user_spec:$user_spec"

# ---- tools ----
phase "tools (debootstrap, curl, python3)"
missing=()
for tool in debootstrap curl python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -e /usr/share/keyrings/debian-archive-keyring.gpg ]] || missing+=(debian-archive-keyring)
if ((${#missing[@]} > 0)); then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
phase_done "tools"

# ---- the release binary, with the Dockerfile's flags ----
build_command="$(swift_build_command)"
read -r -a build_flags <<<"${build_command#swift build}"
phase "release build: $build_command --scratch-path ${scratch#"$repo"/}"
mkdir -p "$state"
(cd "$repo" && swift build "${build_flags[@]}" --scratch-path "$scratch") >"$state/build.log" 2>&1 \
    || { tail -n 40 "$state/build.log" >&2; smoke_fail "release build failed (log: $state/build.log)"; }
binary="$(cd "$repo" && swift build -c release --scratch-path "$scratch" --show-bin-path)/github-packages-emulator"
phase_done "release build (incremental)"

# ---- the root ----
if $reuse && [[ -f "$state/root.done" ]]; then
    phase "debootstrap: reusing $root"
    phase_done "debootstrap (reused)"
else
    phase "debootstrap --variant=minbase $suite $root ($mirror)"
    unmount_all
    rm -rf --one-file-system "$state/root" "$state/root.done"
    mkdir -p "$state"
    debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$state/debootstrap.log" 2>&1 \
        || { tail -n 30 "$state/debootstrap.log" >&2; smoke_fail "debootstrap failed (log: $state/debootstrap.log)"; }
    phase_done "debootstrap --variant=minbase"

    phase "runtime packages: ${packages[*]}"
    # The same sources as the debian:$suite-slim image: security updates included.
    rm -f "$root/etc/apt/sources.list"
    cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    mount -t proc proc "$root/proc"
    {
        chroot "$root" apt-get update
        chroot "$root" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${packages[@]}"
        rm -rf "$root/var/lib/apt/lists/"*
        chroot "$root" /bin/sh -c "$user_run"
    } >"$state/packages.log" 2>&1 \
        || { tail -n 30 "$state/packages.log" >&2; smoke_fail "installing the runtime packages failed"; }
    touch "$state/root.done"
    phase_done "runtime packages + user"
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
printf 'root: %s packages, %s\n' "$(chroot "$root" dpkg-query -W | wc -l)" \
    "$(du -sh --one-file-system "$root" | cut -f1)"

# ---- the image's files ----
install -m 0755 "$binary" "$root/usr/local/bin/github-packages-emulator"
rm -rf "$root/fixtures"
cp -R "$repo/Fixtures" "$root/fixtures"
chmod -R a+rX "$root/fixtures"

# The image's environment (Docker's default PATH, the Dockerfile's ENV) but 127.0.0.1 and any free port.
# An array, not a function: started in the background, env execs chroot, which execs the emulator, so $! is
# the emulator's own PID.
image_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent
    EMULATOR_HOST=127.0.0.1 EMULATOR_FIXTURES=/fixtures)

# ---- start ----
phase "start as $user_spec in the root, 127.0.0.1, port 0"
mkdir -p "$logs"
: >"$logs/stdout"
"${image_env[@]}" EMULATOR_PORT=0 chroot --userspec="$user_spec" "$root" github-packages-emulator \
    >"$logs/stdout" 2>"$logs/stderr" &
server_pid=$!
base_url=""
for _ in $(seq 200); do
    base_url="$(sed -n 's|^listening on \(http://[^ ]*\)$|\1|p' "$logs/stdout" | head -n 1)"
    [[ -n "$base_url" ]] && break
    kill -0 "$server_pid" 2>/dev/null \
        || { cat "$logs/stderr" >&2; smoke_fail "the emulator exited before it was ready"; }
    sleep 0.05
done
[[ -n "$base_url" ]] || { cat "$logs/stderr" >&2; smoke_fail "no 'listening on' line within 10 s"; }
port="${base_url##*:}"
server_uid="$(awk '/^Uid:/ { print $2 }' "/proc/$server_pid/status")"
server_root="$(readlink "/proc/$server_pid/root")"
echo "pid $server_pid, uid $server_uid, root $server_root: $base_url"
[[ "$server_uid" == "${user_spec%%:*}" ]] || smoke_fail "the emulator runs as uid $server_uid, not ${user_spec%%:*}"
[[ "$server_root" == "$root" ]] || smoke_fail "the emulator's root is $server_root, not $root"
phase_done "start until 'listening on'"

# ---- walkthrough ----
# The README's walkthrough (section "Walkthrough", on the demo data of Fixtures/), case by case.
phase "walkthrough against $base_url (the README's)"
passed=0
last=""
# get NAME EXPECTED_STATUS CURL_ARGS... : one request; the body and headers stay in $logs for the checks after.
get() {
    local name="$1" expected="$2" status took
    shift 2
    last="$name"
    read -r status took < <(curl -sS --max-time 5 -o "$logs/body" -D "$logs/headers" \
        -w '%{http_code} %{time_total}\n' "$@") || smoke_fail "$name: curl failed"
    [[ "$status" == "$expected" ]] \
        || smoke_fail "$name: status $status, expected $expected: $(head -c 300 "$logs/body")"
    printf '%s %-44s %6.3f s\n' "$status" "$name" "$took"
    passed=$((passed + 1))
}
# body REGEX: the last body matches (grep -E).
body() {
    grep -qE -- "$1" "$logs/body" || smoke_fail "$last: body does not match '$1': $(head -c 300 "$logs/body")"
}
# header REGEX: a header line of the last answer matches (grep -iE, CR removed).
header() {
    tr -d '\r' <"$logs/headers" | grep -qiE -- "$1" \
        || smoke_fail "$last: no header matches '$1'"$'\n'"$(cat "$logs/headers")"
}
# header_is NAME VALUE: the last answer has this header with exactly this value.
header_is() {
    local got
    got="$(tr -d '\r' <"$logs/headers" | awk -v name="$1" 'tolower($0) ~ "^" tolower(name) ": " {
        sub(/^[^:]*: /, ""); print; exit }')"
    [[ "$got" == "$2" ]] || smoke_fail "$last: $1 is '$got', expected '$2'"
}
# names A,B,...: the last body is a JSON array of packages with exactly these names, in this order.
names() {
    local got
    got="$(python3 -c 'import json, sys; print(",".join(p["name"] for p in json.load(sys.stdin)))' <"$logs/body")" \
        || smoke_fail "$last: the body is not a JSON array of packages"
    [[ "$got" == "$1" ]] || smoke_fail "$last: packages [$got], expected [$1]"
    printf '    %s\n' "${got:-(empty)}"
}
auth() { printf 'Authorization: token %s' "$1"; }
users="$base_url/users"

get "health" 200 "$base_url/_emulator/health"
body '"status": *"ok"'
body '"orgs": *1'

get "a listing" 200 -H "$(auth ghp_octocatRead)" "$users/octocat/packages?package_type=container"
header '^content-type: application/json; charset=utf-8$'
header '^x-oauth-scopes: read:packages$'
names "octo-app,octo-api,octo-worker,octo-cache,octo-builder,octo-docs"
get "a listing, Basic credentials" 200 -u ghp_octocatRead:x-oauth-basic \
    "$users/octocat/packages?package_type=container"
get "a listing, API version 2026-03-10" 200 -H "$(auth ghp_octocatRead)" -H "X-GitHub-Api-Version: 2026-03-10" \
    "$users/octocat/packages?package_type=container"
header '^x-github-api-version-selected: 2026-03-10$'

page="$users/octocat/packages?package_type=container&per_page=2&page"
get "pagination, page 2" 200 -H "$(auth ghp_octocatRead)" "$page=2"
names "octo-worker,octo-cache"
header_is Link "<$page=1>; rel=\"prev\", <$page=3>; rel=\"next\", <$page=3>; rel=\"last\", <$page=1>; rel=\"first\""
get "pagination, past the end" 200 -H "$(auth ghp_octocatRead)" "$page=4"
names ""

get "seen by hubot" 200 -H "$(auth ghp_hubotReadRepo)" "$users/octocat/packages?package_type=container"
names "octo-app,octo-api,octo-cache,octo-docs"
get "seen by monalisa" 200 -H "$(auth ghp_monalisaReadRepo)" "$users/octocat/packages?package_type=container"
names "octo-app,octo-worker,octo-docs"
get "visibility=internal" 200 -H "$(auth ghp_octocatRead)" \
    "$users/octocat/packages?package_type=container&visibility=internal"
names "octo-api"
body '"visibility": *"internal"'
get "maven, visibility=internal" 200 -H "$(auth ghp_octocatReadRepo)" \
    "$users/octocat/packages?package_type=maven&visibility=internal"
names "com.example.octo-lib"

get "no credentials" 401 "$users/octocat/packages?package_type=container"
body 'Requires authentication'
get "bad credentials" 401 -H "$(auth ghp_nope)" "$users/octocat/packages?package_type=container"
body 'Bad credentials'
get "no read:packages" 403 -H "$(auth ghp_octocatNoScopes)" "$users/octocat/packages?package_type=container"
body 'You need at least read:packages scope to list packages\.'
get "repo missing (maven)" 403 -H "$(auth ghp_octocatRead)" "$users/octocat/packages?package_type=maven"
body 'You need at least read:packages and repo scopes to list packages\.'
header '^x-accepted-oauth-scopes: read:packages, repo$'
get "package_type=pypi" 400 -H "$(auth ghp_octocatRead)" "$users/octocat/packages?package_type=pypi"
body 'Invalid argument\.'
get "unknown user" 404 -H "$(auth ghp_octocatRead)" "$users/octodog/packages?package_type=npm"
body 'Not Found'
get "unknown path" 404 -H "$(auth ghp_octocatRead)" "$base_url/no/such/path"
body 'Not Found'

get "ETag" 200 -H "$(auth ghp_octocatRead)" "$users/octocat/packages?package_type=npm"
etag="$(tr -d '\r' <"$logs/headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')"
[[ "$etag" == W/\"*\" ]] || smoke_fail "ETag: no weak ETag on the npm listing (got '$etag')"
get "If-None-Match: $etag" 304 -H "$(auth ghp_octocatRead)" -H "If-None-Match: $etag" \
    "$users/octocat/packages?package_type=npm"

# The other read routes (sections "Organisations" to "GET /user, …" of the walkthrough).
org="$base_url/orgs/octo-org/packages"
get "an organisation's containers" 200 -H "$(auth ghp_octocatRead)" "$org?package_type=container"
names "octo-repo/web,octo-base,octo-sdk"
get "seen by monalisa" 200 -H "$(auth ghp_monalisaReadRepo)" "$org?package_type=container"
names "octo-repo/web,octo-base"
get "an organisation on /users/" 200 -H "$(auth ghp_octocatRead)" "$users/octo-org/packages?package_type=container"
names "octo-repo/web,octo-base,octo-sdk"
get "a user on /orgs/" 404 -H "$(auth ghp_octocatRead)" "$base_url/orgs/octocat/packages?package_type=container"
get "one package, /api/v3, any casing" 200 -H "$(auth ghp_octocatRead)" \
    "$base_url/api/v3/orgs/octo-org/packages/container/OCTO-REPO%2FWEB"
body "\"url\": \"$base_url/api/v3/orgs/octo-org/packages/container/octo-repo%2Fweb\""
get "unreadable package" 404 -H "$(auth ghp_monalisaReadRepo)" "$org/container/octo-sdk"
body 'Package not found\.'
get "versions" 200 -H "$(auth ghp_octocatRead)" "$org/container/octo-repo%2Fweb/versions"
body '"id": 9004' && body '"latest"'
get "versions, Link" 200 -H "$(auth ghp_octocatRead)" "$org/container/octo-sdk/versions?per_page=20"
header_is Link "<$org/container/octo-sdk/versions?per_page=20&page=2>; rel=\"next\", <$org/container/octo-sdk/versions?per_page=20&page=3>; rel=\"last\""
get "deleted versions, not an admin" 404 -H "$(auth ghp_monalisaReadRepo)" \
    "$org/container/octo-repo%2Fweb/versions?state=deleted"
body 'Package not found\.'
get "one version" 200 -H "$(auth ghp_octocatRead)" "$org/npm/octo-cli/versions/9202"
body '"license": "MIT"'
get "a deleted version" 404 -H "$(auth ghp_octocatRead)" "$org/container/octo-repo%2Fweb/versions/9001"
body 'Package version not found\.'
get "conflicts, no token" 200 "$base_url/orgs/octo-org/docker/conflicts"
names "octo-base"
get "installation token of octo-repo" 200 -H "$(auth ghs_octoRepoWorkflow)" "$org/container/octo-repo%2Fweb/versions"
get "GET /user" 200 -H "$(auth ghp_octocatRead)" "$base_url/user"
body '"login": "octocat"'
get "GET /users/octo-org" 200 "$users/octo-org"
body '"type": "Organization"'
get "GET /rate_limit" 200 -H "$(auth ghp_octocatRead)" "$base_url/rate_limit"
header '^x-oauth-scopes: read:packages$'

# The image's HEALTHCHECK command and `validate`, inside the root as the image's user.
"${image_env[@]}" EMULATOR_PORT="$port" chroot --userspec="$user_spec" "$root" github-packages-emulator healthcheck \
    || smoke_fail "'github-packages-emulator healthcheck' (the image's HEALTHCHECK) failed inside the root"
echo "ok  github-packages-emulator healthcheck (the image's HEALTHCHECK, inside the root)"
"${image_env[@]}" chroot --userspec="$user_spec" "$root" github-packages-emulator validate /fixtures \
    || smoke_fail "'github-packages-emulator validate /fixtures' failed inside the root"
echo "ok  github-packages-emulator validate /fixtures (inside the root)"
passed=$((passed + 2))
phase_done "walkthrough ($passed checks)"

# ---- stop ----
phase "stop: SIGTERM to pid $server_pid"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[[ "$status" -eq 0 ]] || { cat "$logs/stderr" >&2; smoke_fail "the emulator exited $status on SIGTERM, expected 0"; }
[[ "$(grep -c '' "$logs/stdout")" -eq 1 ]] || smoke_fail "stdout has more than the one 'listening on' line"
echo "exited 0"
phase_done "stop (SIGTERM to exit)"
unmount_all

echo
echo "timings:"
printf '  %s\n' "${timings[@]}"
printf '  %-34s %10s\n' "total" "$(seconds_since "$total_started")"
echo "docker/rootfs-smoke.sh: OK ($passed checks against the emulator in a $suite minbase root)"
