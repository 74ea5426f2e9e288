#!/usr/bin/env bash
# Differential test of the core's HTTP/1.1 request parser against h11 and httptools (llhttp):
#
#     Tests/Differential/run.sh [--seed N] [--cases N] [--show N]    # defaults: seed 12, 20000 cases
#
# Builds http-parser-probe, installs the pinned reference parsers, and runs differential.py, which exits
# 1 on any disagreement that its ALLOWED table does not explain (the first ones are printed with their
# bytes). Environment (all optional):
#   DIFFERENTIAL_SCRATCH  swift build scratch path (default: <repo>/.build-differential)
#   DIFFERENTIAL_VENV     where h11 and httptools go (default: <repo>/.venv-differential, gitignored)
#   PROBE_BIN             a prebuilt http-parser-probe (skips `swift build`)
#   PYTHON                interpreter (default: python3; 3.9+)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SCRATCH="${DIFFERENTIAL_SCRATCH:-$ROOT/.build-differential}"
VENV="${DIFFERENTIAL_VENV:-$ROOT/.venv-differential}"
PYTHON="${PYTHON:-python3}"

export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
say() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- the reference parsers, pinned by requirements.txt -----------------------------------------------
# A venv when `python3 -m venv` works; where it cannot (Debian without python3-venv: no ensurepip), the
# packages go to $VENV/site with `pip install --target` and are found through PYTHONPATH.
REQ_HASH="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$REQ_HASH" ]; then
    rm -rf "$VENV"
    say "installing $(grep -v '^#' "$HERE/requirements.txt" | tr '\n' ' ')into $VENV"
    if "$PYTHON" -m venv "$VENV" >/dev/null 2>&1 && [ -x "$VENV/bin/python" ] \
        && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$HERE/requirements.txt" \
            || die "pip install -r requirements.txt failed"
    else
        rm -rf "$VENV"
        say "$PYTHON -m venv is not usable here: pip install --target $VENV/site"
        "$PYTHON" -m pip install --disable-pip-version-check -q --target "$VENV/site" -r "$HERE/requirements.txt" \
            || die "pip install --target failed (needs pip for $PYTHON)"
    fi
    echo "$REQ_HASH" >"$VENV/.requirements.sha256"
fi
if [ -x "$VENV/bin/python" ]; then
    PY=("$VENV/bin/python")
else
    PY=(env "PYTHONPATH=$VENV/site${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON")
fi

# --- the probe -----------------------------------------------------------------------------------------
if [ -n "${PROBE_BIN:-}" ]; then
    PROBE="$PROBE_BIN"
else
    say "swift build --product http-parser-probe (scratch path $SCRATCH)"
    swift build --package-path "$ROOT" --scratch-path "$SCRATCH" --product http-parser-probe >&2 \
        || die "swift build --product http-parser-probe failed"
    PROBE="$(swift build --package-path "$ROOT" --scratch-path "$SCRATCH" --show-bin-path)/http-parser-probe"
fi
[ -x "$PROBE" ] || die "no probe at $PROBE"

# --- the run -------------------------------------------------------------------------------------------
exec "${PY[@]}" "$HERE/differential.py" --probe "$PROBE" --seed 12 --cases 20000 "$@"
