#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer targets and run them for SECONDS in all (default 20, env FUZZ_SECONDS),
# split evenly:
#   fuzz-parse  the strict parsers (tests/fuzz/fuzz-parse.c + core/parse.c + core/err.c,
#               compiled directly)
#   fuzz-topo   the topology loader and graph renderer (tests/fuzz/fuzz-topo.c against a
#               libnslab.a built by the Makefile with clang and fuzzer instrumentation)
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
# Env: FUZZ_BUILD (build dir, default build-fuzz), CLANG (default clang-14, else clang).
# The last line printed is "ok" or "FAIL"; the exit status is 0 or 1.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
secs=${1:-${FUZZ_SECONDS:-20}}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse topo)
FB=${FUZZ_BUILD:-build-fuzz}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
fail() { printf '%s\n' "$@"; echo FAIL; exit 1; }
[[ $secs =~ ^[0-9]+$ ]] || fail "usage: tests/fuzz/run.sh [SECONDS] [parse|topo...]"
[ -n "$CLANG" ] || fail "fuzz: clang not installed (tools/deps.sh check)"
mkdir -p "$FB" || fail "fuzz: cannot create $FB"
each=$((secs / ${#targets[@]}))
[ $each -ge 1 ] || each=1
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
CFL=(-std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Icore -Wall -Wno-unused-parameter)

build_parse() {
	"$CLANG" "${CFL[@]}" -fsanitize=fuzzer "${SAN[@]}" -o "$FB/fuzz-parse" \
		tests/fuzz/fuzz-parse.c core/parse.c core/err.c
}

build_topo() {
	# The Makefile builds the instrumented library incrementally in its own directory; a
	# `make check` calling us must not pass its own B= or jobserver down.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s B="$FB/lib" CC="$CLANG" \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link ${SAN[*]}" "$FB/lib/libnslab.a" &&
		"$CLANG" "${CFL[@]}" -fsanitize=fuzzer "${SAN[@]}" -o "$FB/fuzz-topo" tests/fuzz/fuzz-topo.c \
			"$FB/lib/libnslab.a" $(pkg-config --libs libnl-3.0 libnl-route-3.0 libmnl yaml-0.1)
}

# run_target NAME DICT SEEDDIR... — the repository's seeds are read only; new inputs go to
# the work corpus in $FB.
run_target() {
	local t=$1 dict=$2 log="$FB/fuzz-$1.log" rc runs a dirs=()
	shift 2
	for a in "$@"; do [ -d "$a" ] && dirs+=("$a"); done
	mkdir -p "$FB/corpus-$t"
	rm -f "$FB/$t-"crash-* "$FB/$t-"leak-* "$FB/$t-"timeout-* "$FB/$t-"oom-*
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$FB/fuzz-$t" -max_total_time="$each" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-dict="$dict" -artifact_prefix="$FB/$t-" -print_final_stats=1 \
		"$FB/corpus-$t" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -ne 0 ]; then
		grep -aE 'property failed|ERROR|SUMMARY|runtime error|Test unit written|^    #[0-9]+ ' "$log" | head -n 25
		for a in "$FB/$t-"crash-* "$FB/$t-"leak-* "$FB/$t-"timeout-* "$FB/$t-"oom-*; do
			[ -f "$a" ] && echo "input $a: $(od -An -c "$a" | tr -s ' ' | head -c 300)"
		done
		echo "fuzz-$t: failed after ${runs:-?} runs (log: $log)"
		return 1
	fi
	echo "fuzz-$t: ${runs:-?} runs in ${each}s, corpus $(ls "$FB/corpus-$t" | wc -l) inputs"
}

bad=0
for t in "${targets[@]}"; do
	case $t in
	parse) seeds=(tests/fuzz/corpus) dict=tests/fuzz/parse.dict ;;
	topo) seeds=(tests/fuzz/corpus-topo tests/bad/topo topologies) dict=tests/fuzz/topo.dict ;;
	*) fail "fuzz: unknown target '$t'" ;;
	esac
	if ! "build_$t" >"$FB/build-$t.log" 2>&1; then
		grep -E 'error|undefined' "$FB/build-$t.log" | head -n 20
		echo "fuzz-$t: build failed (log: $FB/build-$t.log; is libclang-rt-14-dev installed?)"
		bad=1
		continue
	fi
	run_target "$t" "$dict" "${seeds[@]}" || bad=1
done
[ $bad = 0 ] || { echo FAIL; exit 1; }
echo ok
