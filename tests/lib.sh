# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by every shell test case (tests/integration/*.sh, tests/cli/*.sh).
# A case is a function named t_NAME; tests/run.sh runs each in a fresh tests/sandbox.sh.
# Exit 0 = pass, 77 = skip (say why on stderr), anything else = fail.
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
NSLAB=${NSLAB:-$TOP/build/nslab}
export NSLAB_CHECK_FDS=1

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# run CMD...: runs it, sets OUT, ERR, RC; never fails by itself.
run() {
	local e o
	e=$(mktemp) o=$(mktemp)
	RC=0
	"$@" >"$o" 2>"$e" || RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
	return 0
}
# nsl ARGS...: run nslab; fails the case unless it exits 0.
nsl() {
	run "$NSLAB" "$@"
	[ "$RC" -eq 0 ] || fail "nslab $* exited $RC: $ERR"
	[ -n "$OUT" ] && printf '%s\n' "$OUT"
	return 0
}
assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }
assert_rc() { [ "$RC" -eq "$1" ] || fail "${2:-exit code}: expected $1, got $RC (stderr: $ERR)"; }
assert_match() { [[ "$1" =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"; }
assert_no_match() { [[ ! "$1" =~ $2 ]] || fail "${3:-value}: '$1' matches /$2/"; }
# jqr FILTER JSON: jq -r, failing the case if the JSON does not parse.
# (jq -e would fail on a value of false, which is an answer like any other)
jqr() { jq . <<<"$2" >/dev/null 2>&1 || fail "not JSON: $2"; jq -r "$1" <<<"$2" 2>/dev/null || echo null; }
# One-line snapshot of what an unchanged system looks like, for "nothing changed" checks.
state_snapshot() {
	{
		ls -la /run/netns /etc/netns /run/nslab 2>/dev/null
		ip -o link show | sed 's/ state [A-Z]* / /'
		ip -o addr show
		ip route show table all
		grep -c . /proc/self/mountinfo
		for f in /run/netns/*; do [ -e "$f" ] && ip -n "$(basename "$f")" -o link show; done
	} 2>/dev/null | md5sum
}
