#!/bin/bash
# Build the libFuzzer target over the parsers (tests/fuzz/fuzz-parse.c, compiled with the core
# parser sources directly) and run it for SECONDS (default 20, env FUZZ_SECONDS).
# Usage: tests/fuzz/run.sh [SECONDS]
# Env: FUZZ_BUILD (build dir, default build-fuzz), CLANG (default clang-14, else clang).
# The last line printed is "ok" or "FAIL"; the exit status is 0 or 1.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
secs=${1:-${FUZZ_SECONDS:-20}}
FB=${FUZZ_BUILD:-build-fuzz}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
fail() { printf '%s\n' "$@"; echo FAIL; exit 1; }
[[ $secs =~ ^[0-9]+$ ]] || fail "usage: tests/fuzz/run.sh [SECONDS]"
[ -n "$CLANG" ] || fail "fuzz: clang not installed (tools/deps.sh check)"
mkdir -p "$FB/corpus" || fail "fuzz: cannot create $FB"

SRC=(tests/fuzz/fuzz-parse.c core/parse.c core/err.c)
if ! "$CLANG" -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Icore -Wall -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-o "$FB/fuzz-parse" "${SRC[@]}" >"$FB/build.log" 2>&1; then
	tail -n 20 "$FB/build.log"
	fail "fuzz: build failed (is libclang-rt-14-dev installed?)"
fi

rm -f "$FB"/crash-* "$FB"/leak-* "$FB"/timeout-* "$FB"/oom-*
# The repository's seeds are read only; new inputs go to the work corpus in $FB.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$FB/fuzz-parse" -max_total_time="$secs" -max_len=256 -timeout=10 -rss_limit_mb=2048 \
	-dict=tests/fuzz/parse.dict -artifact_prefix="$FB/" -print_final_stats=1 \
	"$FB/corpus" tests/fuzz/corpus >"$FB/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FB/fuzz.log")
if [ $rc -ne 0 ]; then
	grep -aE 'property failed|ERROR|SUMMARY|runtime error|Test unit written' "$FB/fuzz.log" | head -n 20
	for a in "$FB"/crash-* "$FB"/leak-* "$FB"/timeout-* "$FB"/oom-*; do
		[ -f "$a" ] && echo "input $a: $(od -An -c "$a" | tr -s ' ' | head -c 200)"
	done
	fail "fuzz: fuzz-parse failed after ${runs:-?} runs (log: $FB/fuzz.log)"
fi
echo "fuzz: ${runs:-?} runs in ${secs}s, corpus $(ls "$FB/corpus" | wc -l) inputs"
echo ok
