#!/usr/bin/env bash
# Mutation check of the test suite: each row of mutants.tsv changes one piece of Sources (a boundary, a
# message, a permission), rebuilds, and runs the tests that should notice. A mutant the tests still pass
# with has SURVIVED: a rule the tests do not pin down. Too slow for .ci/run (one incremental build and
# one test run per mutant, about 80 s on 2 cores: some 2.5 hours for the whole table); run it by hand,
# whole or for a few ids.
#
# Usage: Tests/Mutation/run.sh [id ...]   the given mutants (default: every row)
#        Tests/Mutation/run.sh --list     the table
#        Tests/Mutation/run.sh --check    only that each row's text occurs exactly once (no build)
# Environment: MUTATION_DIR (default /tmp/gpe-mutation) holds the scratch copy, its .build, logs and
# report.tsv, and is reused so only the first build is a full one; MUTATION_TIMEOUT (default 600)
# seconds per build and per test run; MUTATION_REV (e.g. HEAD) tests that commit instead of the working
# tree. --check always reads the working tree. MUTATION_SKIP: a `swift test --skip` regex, for a quick
# first pass (e.g. the slow property tests), with the survivors then run again without it.
#
# Verdicts: CAUGHT (a test failed, or the run timed out), CAUGHT-BY-COMPILER (counts as caught; a
# mutant should compile), SURVIVED, ERROR (the row's text is not in its file exactly once: fix the row).
# Exit status: 0 when every mutant was caught, 1 when one survived or errored, 2 when the baseline fails.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
table="$repo/Tests/Mutation/mutants.tsv"
work="${MUTATION_DIR:-/tmp/gpe-mutation}"
copy="$work/repo"
logs="$work/logs"
report="$work/report.tsv"
limit="${MUTATION_TIMEOUT:-600}"

# The rows, without comments and the header: id, file, find, replace, filter, description.
rows() { grep -v -e '^#' -e $'^id\t' -e '^$' "$table"; }

# How often `$2` occurs in file `$1` (0 when the file is missing).
occurrences() {
    python3 -c 'import sys, os
path, text = sys.argv[1], sys.argv[2]
print(open(path, encoding="utf-8").read().count(text) if os.path.isfile(path) else 0)' "$1" "$2"
}

# Replaces the only occurrence of `$2` in file `$1` by `$3` (bytes as written: no escapes).
replace_once() {
    python3 -c 'import sys
path, old, new = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))' "$1" "$2" "$3"
}

# The first failing test in a `swift test` log: XCTest's `Test Case 'name' failed`, Swift Testing's
# `✘ Test name() recorded an issue [with 1 argument x → 3] at File.swift:1:2` (with the arguments of a
# parameterized test) or `Test name() failed`; else the first error line (a crash).
first_failure() {
    python3 -c 'import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
def first(pattern):
    return next((found for found in map(lambda line: re.search(pattern, line), lines) if found), None)
found = first(r"Test Case .(.+?). failed")
issue = first(r"Test (?!run with)(.+?) recorded an issue(?: with \d+ arguments? (.+?))? at \S+:\d+:\d+")
failed = first(r"Test (?!run with)(.+?) failed")
errors = [line.strip() for line in lines if "error" in line.lower()]
if found:
    print(found.group(1)[:120])
elif issue:
    print((issue.group(1) + (" [" + issue.group(2) + "]" if issue.group(2) else ""))[:120])
elif failed:
    print(failed.group(1)[:120])
else:
    print(errors[0][:120] if errors else "no failing test named in the log")' "$1"
}

# The first compiler error of a build log, as `File.swift:line:column: error: …`.
compile_error() {
    { grep -m1 -E '\.swift:[0-9]+:[0-9]+: error:' "$1" || grep -m1 'error:' "$1" || echo "build failed"; } \
        | sed -E 's|^.*/||' | cut -c1-120
}

# Whether a passing `swift test` log ran at least one test (a filter that matches nothing passes too).
ran_tests() { grep -q -E 'Executed [1-9][0-9]* tests?|Test run with [1-9][0-9]* tests?' "$1"; }

if [ "${1:-}" = "--list" ]; then
    rows | while IFS=$'\t' read -r id file _ _ filter description; do
        printf '%-30s %-26s %s\n    %s\n' "$id" "$filter" "$file" "$description"
    done
    exit 0
fi

if [ "${1:-}" = "--check" ]; then
    bad=0
    while IFS=$'\t' read -r id file find _ _ _; do
        count="$(occurrences "$repo/$file" "$find")"
        if [ "$count" != 1 ]; then
            echo "ERROR $id: text found $count times in $file"
            bad=$((bad + 1))
        fi
    done < <(rows)
    echo "check: $(rows | wc -l) mutants, $bad errors"
    [ "$bad" -eq 0 ]
    exit
fi

# The selected rows: every row, or those whose id is an argument (an unknown id is a typo: stop).
selected="$(rows)"
if [ $# -gt 0 ]; then
    selected=""
    for id in "$@"; do
        row="$(rows | awk -F'\t' -v id="$id" '$1 == id')"
        [ -n "$row" ] || { echo "unknown mutant id: $id" >&2; exit 2; }
        selected+="$row"$'\n'
    done
    selected="${selected%$'\n'}"
fi

mkdir -p "$work" "$logs"
# Two runs on one copy would mutate each other's files.
exec 9>"$work/lock"
flock -n 9 || { echo "another mutation run is using $work" >&2; exit 2; }

# The copy follows the working tree (tracked and untracked files, as git sees them), or with MUTATION_REV
# the tree of that commit (to check what is committed while work is in progress); plus the ignored
# Package.resolved, so dependencies stay pinned. Only changed files are copied, so their timestamps alone
# move and the copy's .build stays incremental.
sync_copy() {
    local list="$work/files.txt" source="$repo" file
    mkdir -p "$copy"
    if [ -n "${MUTATION_REV:-}" ]; then
        source="$work/source"
        rm -rf "$source"
        mkdir -p "$source"
        git -C "$repo" archive "$MUTATION_REV" | tar -x -C "$source"
        if [ -f "$repo/Package.resolved" ]; then cp "$repo/Package.resolved" "$source/"; fi
        (cd "$source" && find . -type f | sed 's|^\./||' | sort) >"$list"
    else
        (cd "$repo" && { git ls-files -co --exclude-standard; [ -f Package.resolved ] && echo Package.resolved; } \
            | sort -u) >"$list"
    fi
    while IFS= read -r file; do
        [ -f "$source/$file" ] || continue  # deleted in the working tree, not yet in the index
        if ! cmp -s "$source/$file" "$copy/$file"; then
            mkdir -p "$(dirname "$copy/$file")"
            cp "$source/$file" "$copy/$file"
        fi
    done <"$list"
    # Files gone from the source go from the copy too; its .build stays.
    (cd "$copy" && find . -path ./.build -prune -o -type f -print | sed 's|^\./||' | sort) \
        | comm -23 - "$list" | while IFS= read -r file; do rm -f "$copy/$file"; done
}

# The mutated file, while one is; restored on every exit (an error, Ctrl-C, a kill with TERM).
mutated=""
backup="$work/pristine"
restore() {
    if [ -n "$mutated" ]; then
        cp "$backup" "$copy/$mutated"
        mutated=""
    fi
}
trap restore EXIT
trap 'restore; exit 130' INT TERM

# Niced, so that other builds on the machine come first; no stdin, which holds the rows being read.
build() { (cd "$copy" && nice -n 10 timeout -k 30 "$limit" swift build --build-tests) </dev/null >"$1" 2>&1; }
run_tests() {
    local skip=()
    if [ -n "${MUTATION_SKIP:-}" ]; then skip=(--skip "$MUTATION_SKIP"); fi
    (cd "$copy" && nice -n 10 timeout -k 30 "$limit" swift test --skip-build --filter "$1" "${skip[@]}") \
        </dev/null >"$2" 2>&1
}
# `timeout` exits 124 when it stopped the command, 137 when it had to kill it.
timed_out() { [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; }

echo "mutation: copying $repo${MUTATION_REV:+ at $MUTATION_REV} to $copy"
sync_copy
# The first build of a fresh copy takes ~10 minutes on 2 cores: no timeout on this one.
echo "mutation: baseline build"
if ! (cd "$copy" && nice -n 10 swift build --build-tests) >"$logs/baseline.build.log" 2>&1; then
    tail -20 "$logs/baseline.build.log"
    echo "mutation: the unmutated copy does not build (log: $logs/baseline.build.log)" >&2
    exit 2
fi
# Every filter must pass unmutated, and run something, or its verdicts would mean nothing.
for filter in $(cut -f5 <<<"$selected" | sort -u); do
    echo "mutation: baseline tests --filter $filter"
    log="$logs/baseline.$filter.test.log"
    if ! run_tests "$filter" "$log" || ! ran_tests "$log"; then
        tail -20 "$log"
        echo "mutation: baseline fails or runs no test for --filter $filter (log: $log)" >&2
        exit 2
    fi
done

printf 'id\tverdict\tdetail\tseconds\tdescription\n' >"$report"
total=0 caught=0 survived=0 errors=0
while IFS=$'\t' read -r -u 3 id file find replacement filter description; do
    total=$((total + 1))
    started=$(date +%s)
    count="$(occurrences "$copy/$file" "$find")"
    if [ "$count" != 1 ]; then
        verdict="ERROR" detail="text found $count times in $file"
    else
        cp "$copy/$file" "$backup"
        mutated="$file"
        replace_once "$copy/$file" "$find" "$replacement"
        build_status=0
        build "$logs/$id.build.log" || build_status=$?
        if timed_out "$build_status"; then
            verdict="ERROR" detail="build timed out after $limit s"
        elif [ "$build_status" -ne 0 ]; then
            verdict="CAUGHT-BY-COMPILER" detail="$(compile_error "$logs/$id.build.log")"
        else
            test_status=0
            run_tests "$filter" "$logs/$id.test.log" || test_status=$?
            if [ "$test_status" -eq 0 ]; then
                verdict="SURVIVED" detail="--filter $filter passed"
            elif timed_out "$test_status"; then
                verdict="CAUGHT" detail="tests timed out after $limit s"
            else
                verdict="CAUGHT" detail="$(first_failure "$logs/$id.test.log")"
            fi
        fi
        restore
    fi
    case "$verdict" in
        CAUGHT*) caught=$((caught + 1)) ;;
        SURVIVED) survived=$((survived + 1)) ;;
        *) errors=$((errors + 1)) ;;
    esac
    seconds=$(($(date +%s) - started))
    printf '%-30s %-18s %s (%s s)\n' "$id" "$verdict" "$detail" "$seconds"
    printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$verdict" "$detail" "$seconds" "$description" >>"$report"
done 3<<<"$selected"

summary="mutation: $total mutants, $caught caught, $survived survived, $errors errors"
echo "$summary"
echo "# $summary" >>"$report"
echo "mutation: report in $report, logs in $logs"
[ $((survived + errors)) -eq 0 ]
