#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite. Run by `make check`; the last line is "N passed, N failed, N skipped".
#   unit tests (no privilege) · shell integration and CLI cases, each in a fresh sandbox,
#   each followed by a host leak check · the bad-input corpora · the same suites against an
#   ASan/UBSan build · a valgrind run · a short libFuzzer run.
# Each suite gets two binaries: NSLAB, the CLI as built by `make all`, and NSLAB_HOOKS,
# tests/nslab-hooks from `make unit`: the same CLI on a library built with -DNSLAB_TEST_HOOKS,
# for the few cases that need a test hook (NSLAB_TEST_*). The shipped binary has none.
# Env: JOBS (parallel cases, default nproc), NSLAB_SKIP_SAN=1, NSLAB_SKIP_FUZZ=1, ONLY=regex,
#   B (the build dir to test, default build; `make B=DIR check` sets it).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export TOP
JOBS=${JOBS:-$(nproc)}
BUILD=${B:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
RES=$(mktemp -d /tmp/nslab-test.XXXXXX)
trap 'rm -rf "$RES"' EXIT
pass=0 fail=0 skip=0
failed_names=()

note() { printf '%s\n' "$*"; }
count() { # count NAME STATUS [LOG]
	case "$2" in
	0) pass=$((pass + 1)); note "PASS $1" ;;
	77) skip=$((skip + 1)); note "SKIP $1: $(grep -m1 '^SKIP' "${3:-/dev/null}" 2>/dev/null | cut -c7-)" ;;
	*) fail=$((fail + 1)); failed_names+=("$1"); note "FAIL $1 (status $2)"
	   [ -n "${3:-}" ] && [ -f "$3" ] && tail -n 15 "$3" | sed 's/^/    | /' ;;
	esac
}

host_state() { # what the host looks like; must not change across any case
	{
		ip -o link show | awk -F': ' '{print $2}' | sort
		ls -A /run/netns /run/nslab /etc/netns 2>/dev/null
		findmnt -rn -o TARGET | sort
	} | md5sum
}

unit_suite() { # unit_suite BUILD_DIR LABEL
	local b=$1 label=$2 t
	for t in "$b"/tests/test-*; do
		[ -x "$t" ] || continue
		local log="$RES/unit-$label-$(basename "$t").log"
		"$t" >"$log" 2>&1
		local rc=$? n_ok n_bad n_skip
		# TAP: "ok N - # SKIP reason" is a skip, not a pass.
		n_skip=$(grep -cE '^ok [0-9]+ - # SKIP' "$log")
		n_ok=$(($(grep -c '^ok ' "$log") - n_skip))
		n_bad=$(grep -c '^not ok ' "$log")
		pass=$((pass + n_ok)); fail=$((fail + n_bad)); skip=$((skip + n_skip))
		if [ "$n_bad" -gt 0 ] || [ "$rc" -ne 0 ]; then
			[ "$n_bad" -eq 0 ] && fail=$((fail + 1))
			failed_names+=("$label $(basename "$t")")
			note "FAIL $label $(basename "$t"): $n_bad failed, exit $rc"
			grep -E '^not ok|ERROR|runtime error' "$log" | head -n 20 | sed 's/^/    | /'
		else
			note "PASS $label $(basename "$t") ($n_ok checks$([ "$n_skip" -gt 0 ] && echo ", $n_skip skipped"))"
		fi
		grep -E '^ok [0-9]+ - # SKIP' "$log" | sed -E "s/^ok [0-9]+ - # SKIP /SKIP $label $(basename "$t"): /"
	done
}

list_cases() { # FILE... -> "FILE FUNC" lines
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		bash -c ". tests/lib.sh; . '$f'; declare -F" | awk '$3 ~ /^t_/ {print $3}' |
			while read -r fn; do echo "$f $fn"; done
	done
}

run_case() { # FILE FUNC LABEL NSLAB NSLAB_HOOKS -> writes $RES/LABEL.FILE.FUNC.{log,rc}
	local f=$1 fn=$2 label=$3 bin=$4 hooks=$5 key before after rc
	key="$label.$(basename "$f" .sh).$fn"
	before=$(host_state)
	NSLAB=$bin NSLAB_HOOKS=$hooks timeout -k 10 300 tests/sandbox.sh bash -c \
		". tests/lib.sh; . '$f'; set -e; $fn" >"$RES/$key.log" 2>&1
	rc=$?
	after=$(host_state)
	if [ "$before" != "$after" ] && [ "$rc" -eq 0 ]; then
		echo "LEAK: host state changed during the case" >>"$RES/$key.log"
		rc=98
	fi
	echo "$rc" >"$RES/$key.rc"
}
export -f run_case host_state
export RES

shell_suite() { # LABEL NSLAB NSLAB_HOOKS FILES...
	local label=$1 bin=$2 hooks=$3 f fn
	shift 3
	list_cases "$@" | { [ -n "${ONLY:-}" ] && grep -E "$ONLY" || cat; } >"$RES/cases.$label"
	xargs -P "$JOBS" -L 1 bash -c 'run_case "$0" "$1" '"$label $bin $hooks" <"$RES/cases.$label"
	while read -r f fn; do
		local key="$label.$(basename "$f" .sh).$fn"
		count "$label $(basename "$f" .sh) $fn" "$(cat "$RES/$key.rc" 2>/dev/null || echo 1)" "$RES/$key.log"
	done <"$RES/cases.$label"
}

bad_suite() { # LABEL NSLAB — tests/bad/cli.tsv and tests/bad/topo/*.yaml
	local label=$1 bin=$2
	local log="$RES/bad-$label.log"
	NSLAB=$bin tests/sandbox.sh bash tests/bad/run.sh >"$log" 2>&1
	local rc=$? p f
	if [ "$rc" -eq 77 ]; then
		count "bad inputs ($label)" 77 "$log"
		return
	fi
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	pass=$((pass + p)); fail=$((fail + f))
	note "bad inputs ($label): $p passed, $f failed"
	grep '^not ok ' "$log" | head -n 30 | sed 's/^/    | /'
	if ! grep -q '^1\.\.' "$log"; then
		fail=$((fail + 1)); note "FAIL bad-input runner ($label) did not finish"; tail -5 "$log"
	fi
}

SHELL_FILES=(tests/integration/*.sh tests/cli/*.sh)

note "== unit tests"
unit_suite "$BUILD" unit
note "== integration and CLI cases (sandboxed, $JOBS at a time)"
shell_suite main "$BUILD/nslab" "$BUILD/tests/nslab-hooks" "${SHELL_FILES[@]}"
note "== bad inputs"
bad_suite main "$BUILD/nslab"

if [ "${NSLAB_SKIP_SAN:-}" != 1 ]; then
	note "== ASan/UBSan build"
	if make --no-print-directory B=build-san CC=clang \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" all unit >"$RES/san-build.log" 2>&1; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
		unit_suite build-san san
		shell_suite san "$TOP/build-san/nslab" "$TOP/build-san/tests/nslab-hooks" "${SHELL_FILES[@]}"
		bad_suite san "$TOP/build-san/nslab"
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		count "san build" 1 "$RES/san-build.log"
	fi
fi

if [ -x tests/valgrind.sh ]; then
	note "== valgrind"
	NSLAB=$BUILD/nslab tests/sandbox.sh tests/valgrind.sh >"$RES/valgrind.log" 2>&1
	count "valgrind CLI sequence" $? "$RES/valgrind.log"
fi

if [ "${NSLAB_SKIP_FUZZ:-}" != 1 ] && [ -x tests/fuzz/run.sh ]; then
	note "== fuzz"
	tests/fuzz/run.sh >"$RES/fuzz.log" 2>&1
	count "fuzz parsers" $? "$RES/fuzz.log"
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	note "== failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
