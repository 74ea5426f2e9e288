#!/usr/bin/env bash
# The whole test suite under ThreadSanitizer (live tests run the TSan-built, multi-loop binary too).
# Usage: Tests/Sanitizers/tsan.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1}"
start=$(date +%s)
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
swift test --skip-build --sanitize=thread --scratch-path .build-tsan "$@"
echo "tsan: passed in $(( $(date +%s) - start )) s"
