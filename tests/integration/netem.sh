# SPDX-License-Identifier: GPL-2.0-or-later
# Link impairments (netem), alone and with `rate` (tbf as netem's child).
# Run: NSLAB=$PWD/build/nslab tests/sandbox.sh bash -c ". tests/lib.sh; . tests/integration/netem.sh; set -e; t_netem_qdisc"

# Whether this kernel makes a netem qdisc (asked of the kernel itself, on a veth of the
# sandbox's own netns: /sys/module says nothing of a built-in sch_netem).
_netem_kernel() {
	local ok=1
	ip link add nsl-nemprobe type veth peer name nsl-nemprobe1 || fail "cannot make a veth"
	tc qdisc add dev nsl-nemprobe root netem delay 1ms 2>/dev/null || ok=0
	ip link del nsl-nemprobe
	[ "$ok" = 1 ]
}

# _qd NETNS IF: `tc -j qdisc show` of the device, a JSON array (fails the case otherwise).
_qd() {
	local j
	j=$(tc -n "$1" -j qdisc show dev "$2") || fail "tc qdisc show dev $2 in $1"
	jq -e 'type == "array"' <<<"$j" >/dev/null 2>&1 || fail "tc -j is not JSON: $j"
	printf '%s' "$j"
}

# _has WHAT JSON FILTER: the filter (jq -e) holds of the qdisc list.
_has() {
	jq -e "$3" <<<"$2" >/dev/null || fail "$1: $2"
}

t_netem_qdisc() {
	local before q netem_ok=0
	cat >/tmp/netem.yaml <<'Y'
name: nem
nodes: { nq1: {}, nq2: {} }
links:
  - endpoints: [nq1:eth0, nq2:eth0]
    rate: 10mbit
    delay: 10ms
    jitter: 1ms
    netem: { b: { delay: 20ms, loss: 1% } }
  - { endpoints: [nq1:eth1, nq2:eth1], netem: { a: { loss: 0.5% } } }
Y
	_netem_kernel && netem_ok=1
	before=$(state_snapshot)
	run "$NSLAB" up /tmp/netem.yaml
	if [ "$netem_ok" = 0 ]; then
		# Refused before any change, at the first impairment key, never ignored.
		assert_rc 2 "up without sch_netem"
		assert_match "$ERR" "^/tmp/netem.yaml:6:12: .*kernel lacks sch_netem" "message and position"
		assert_eq "$(state_snapshot)" "$before" "nothing changed"
		[ ! -e /run/netns/nq1 ] || fail "a netns was made"
		skip "this kernel lacks sch_netem (up refused the file before any change, as it must)"
	fi
	assert_rc 0 "up with netem (stderr: $ERR)"

	# nq1:eth0 (end a): both-ways keys; netem root 1:, tbf child 10: under 1:1.
	q=$(_qd nq1 eth0)
	_has "nq1:eth0 netem root" "$q" \
		'any(.[]; .kind == "netem" and .handle == "1:" and .root == true
			and (.options.delay.delay * 1e6 | round) == 10000
			and (.options.delay.jitter * 1e6 | round) == 1000
			and ((.options["loss-random"].loss // 0) == 0))'
	_has "nq1:eth0 tbf child" "$q" 'any(.[]; .kind == "tbf" and .handle == "10:" and .parent == "1:1")'
	# nq2:eth0 (end b): netem.b over the link's keys.
	q=$(_qd nq2 eth0)
	_has "nq2:eth0 netem root" "$q" \
		'any(.[]; .kind == "netem" and .handle == "1:" and .root == true
			and (.options.delay.delay * 1e6 | round) == 20000
			and (.options.delay.jitter * 1e6 | round) == 1000
			and (.options["loss-random"].loss * 1e4 | round) == 100)'
	_has "nq2:eth0 tbf child" "$q" 'any(.[]; .kind == "tbf" and .parent == "1:1")'
	# Second link: only nq1's egress is impaired, and no rate: no tbf anywhere.
	q=$(_qd nq1 eth1)
	_has "nq1:eth1 netem loss" "$q" \
		'any(.[]; .kind == "netem" and .root == true and (.options["loss-random"].loss * 1e5 | round) == 500)
			and all(.[]; .kind != "tbf")'
	q=$(_qd nq2 eth1)
	_has "nq2:eth1 untouched" "$q" 'all(.[]; .kind != "netem" and .kind != "tbf")'

	# Unchanged: no kernel change. Then down leaves nothing.
	nsl up /tmp/netem.yaml >/dev/null
	nsl -q down nem >/dev/null
	[ ! -e /run/netns/nq1 ] && [ ! -e /run/netns/nq2 ] || fail "netns left after down"
}
