#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (live tests run the ASan-built binary too).
# Usage: Tests/Sanitizers/asan.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
start=$(date +%s)
swift build --build-tests --sanitize=address --scratch-path .build-asan
swift test --skip-build --sanitize=address --scratch-path .build-asan "$@"
echo "asan: passed in $(( $(date +%s) - start )) s"
