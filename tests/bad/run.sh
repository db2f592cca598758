#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad-input corpus runner (TAP). Runs inside tests/sandbox.sh.
# tests/bad/*.tsv: EXIT <TAB> STDERR-REGEX <TAB> ARGS (shell words). Each case must exit
# EXIT, print exactly one error line starting "nslab: " (plus "Try 'nslab ... help'." for
# usage errors), print nothing on stdout, and change nothing (state_snapshot before = after).
# tests/bad/topo/*.yaml: first line "# expect: LINE:COL: message"; `nslab up FILE` must exit 1
# with "FILE:LINE:COL: message" (literal), and change nothing.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
unset NSLAB_CHECK_FDS
n=0

# Objects that exist, so that "exists already" and "wrong kind" cases have something to hit.
ip netns add ns1
ip link add br0 type bridge
ip link add v0 type veth peer name v1
ip -n ns1 link add n0 type veth peer name n1
ip link set v0 up
ip addr add 10.1.0.1/24 dev v0

check() { # NAME EXIT REGEX CMD...
	local name=$1 want=$2 re=$3 before after lines
	shift 3
	n=$((n + 1))
	before=$(state_snapshot)
	run "$@"
	after=$(state_snapshot)
	lines=$(printf '%s\n' "$ERR" | grep -vc "^Try 'nslab")
	if [ "$RC" -ne "$want" ]; then
		echo "not ok $n - $name: exit $RC, want $want (stderr: $ERR)"
	elif [[ ! "$ERR" =~ $re ]]; then
		echo "not ok $n - $name: stderr '$ERR' does not match /$re/"
	elif [ -z "$ERR" ] || [ "$lines" -ne 1 ]; then
		echo "not ok $n - $name: want one error line, got: $ERR"
	elif [ -n "$OUT" ]; then
		echo "not ok $n - $name: stdout not empty: $OUT"
	elif [ "$before" != "$after" ]; then
		echo "not ok $n - $name: the system changed"
	else
		echo "ok $n - $name"
	fi
}

for tsv in "$TOP"/tests/bad/*.tsv; do
	while IFS=$'\t' read -r want re args; do
		case "$want" in ''|'#'*) continue ;; esac
		eval "set -- $args"
		check "nslab $args" "$want" "$re" "$NSLAB" "$@"
	done <"$tsv"
done

for f in "$TOP"/tests/bad/topo/*.yaml; do
	[ -f "$f" ] || continue
	re=$(sed -n '1s/^# expect: //p' "$f")
	if [ -z "$re" ]; then
		n=$((n + 1)); echo "not ok $n - $(basename "$f"): no '# expect:' line"; continue
	fi
	# The expect line is literal text: "LINE:COL: message".
	lit=$(printf '%s' "$(basename "$f"):$re" | sed 's/[][\.*^$()+?{}|]/\\&/g')
	check "up $(basename "$f")" 1 "^[^ ]*$lit" "$NSLAB" up "$f"
done
echo "1..$n"
