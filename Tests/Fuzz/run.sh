#!/usr/bin/env bash
# Builds and runs one libFuzzer harness: Tests/Fuzz/run.sh query|authorization|fixture|route|parser|manifest|npm [SECONDS]
# The harness is compiled with the core's sources (swiftc -sanitize=fuzzer,address); SwiftPM never sees
# these files. Crashes land in Tests/Fuzz/artifacts/TARGET/; new inputs in .build-fuzz/corpus/TARGET
# (the committed seeds in Tests/Fuzz/corpus/TARGET are read, never written).
set -euo pipefail
target=${1:?usage: run.sh query|authorization|fixture|route|parser|manifest|npm [SECONDS]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case "$target" in
    query) harness=FuzzQuery.swift ;;
    authorization) harness=FuzzAuthorization.swift ;;
    fixture) harness=FuzzFixture.swift ;;
    route) harness=FuzzRoute.swift ;;
    parser) harness=FuzzRequestParser.swift ;;
    manifest) harness=FuzzManifest.swift ;;
    npm) harness=FuzzNpm.swift ;;
    *) echo "unknown target $target" >&2; exit 64 ;;
esac
out="$root/.build-fuzz"
mkdir -p "$out/corpus/$target" "$here/artifacts/$target"
binary="$out/fuzz-$target"
if [[ ! -x "$binary" || -n "$(find "$root/Sources/PackagesEmulator" "$here/$harness" "$here/CryptoStub.swift" -newer "$binary" -print -quit)" ]]; then
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name PackagesEmulator \
        $(find "$root"/Sources/PackagesEmulator -name "*.swift") "$here/CryptoStub.swift" "$here/$harness" -o "$binary"
fi
dict=()
[[ -f "$here/$target.dict" ]] && dict=(-dict="$here/$target.dict")
exec "$binary" "$out/corpus/$target" "$here/corpus/$target" "${dict[@]}" \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$here/artifacts/$target/"
