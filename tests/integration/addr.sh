# SPDX-License-Identifier: GPL-2.0-or-later
# addr add/del/flush/show, read back with ip -j.

# expect_err EXIT REGEX ARGS...: nslab ARGS fails with EXIT, one error line matching REGEX,
# nothing on stdout, and no change on the system.
expect_err() {
	local want=$1 re=$2 before after
	shift 2
	before=$(state_snapshot)
	run "$NSLAB" "$@"
	after=$(state_snapshot)
	assert_rc "$want" "exit of nslab $*"
	assert_match "$ERR" "$re" "stderr of nslab $*"
	[ "$(grep -vc "^Try 'nslab" <<<"$ERR")" -eq 1 ] || fail "nslab $*: more than one error line: $ERR"
	[ -z "$OUT" ] || fail "nslab $*: stdout not empty: $OUT"
	[ "$before" = "$after" ] || fail "nslab $* changed the system"
}

# A netns n1 with a veth pair e0/e1, both up.
addr_setup() {
	ip netns add n1
	ip -n n1 link add name e0 type veth peer name e1
	ip -n n1 link set e0 up
	ip -n n1 link set e1 up
}

# What nslab prints of ip -j addr: every link, the main members of each address.
ADDR_JQ='[.[] | {ifindex, ifname, addr_info: [.addr_info[] | {family, local, prefixlen, scope}]}]'

t_addr_add_show_del() {
	addr_setup
	nsl -n n1 addr add 10.0.0.1/24 dev e0
	nsl -n n1 addr add fd00::1/64 dev e0 nodad
	nsl -n n1 addr add 10.0.1.1/30 dev e1
	j=$(ip -n n1 -j addr show dev e0)
	assert_eq "$(jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen) \(.scope)"] | join(",")' <<<"$j")" \
		"10.0.0.1/24 global" "IPv4 address on a"
	assert_eq "$(jq -r '[.[0].addr_info[] | select(.scope == "global" and .family == "inet6") | "\(.local)/\(.prefixlen)"] | join(",")' <<<"$j")" \
		"fd00::1/64" "IPv6 address on a"
	# A link that is down has no address at all: it is listed all the same, as ip does.
	ip -n n1 link add name d0 type veth peer name d1
	assert_eq "$(nsl -n n1 -j addr show dev d0 | jq -c '.[0] | [.ifname, .addr_info]')" '["d0",[]]' "link without addresses"
	# nslab -j agrees with ip -j, for all links and for one.
	ours=$(nsl -n n1 -j addr show | jq -cS "$ADDR_JQ")
	theirs=$(ip -n n1 -j addr show | jq -cS "$ADDR_JQ")
	assert_eq "$ours" "$theirs" "addr show vs ip -j"
	ours=$(nsl -n n1 -j addr show dev e1 | jq -cS "$ADDR_JQ")
	theirs=$(ip -n n1 -j addr show dev e1 | jq -cS "$ADDR_JQ")
	assert_eq "$ours" "$theirs" "addr show dev e1 vs ip -j"
	# Text output: one line per address under its link.
	out=$(nsl -n n1 addr show dev e0)
	assert_match "$out" "^[0-9]+: e0" "text header"
	assert_match "$out" "inet 10\.0\.0\.1/24 scope global" "text inet line"
	assert_match "$out" "inet6 fd00::1/64 scope global nodad" "text inet6 line"
	nsl -n n1 addr del 10.0.0.1/24 dev e0
	nsl -n n1 addr del fd00::1/64 dev e0
	assert_eq "$(ip -n n1 -j addr show dev e0 | jq -r '[.[0].addr_info[] | select(.scope == "global")] | length')" 0 \
		"a has no global address left"
	assert_eq "$(ip -n n1 -j addr show dev e1 | jq -r '.[0].addr_info[0].local')" 10.0.1.1 "b untouched"
	return 0
}

t_addr_nodad_usable_at_once() {
	addr_setup
	nsl -n n1 addr add fd00::7/64 dev e0 nodad
	j=$(ip -n n1 -j addr show dev e0 | jq -c '.[0].addr_info[] | select(.local == "fd00::7")')
	assert_eq "$(jq -r '.nodad' <<<"$j")" true "nodad flag"
	assert_eq "$(jq -r '.tentative // false' <<<"$j")" false "not tentative"
	return 0
}

t_addr_loopback_scope_like_ip() {
	addr_setup
	nsl -n n1 addr add 127.0.0.2/8 dev lo
	ip -n n1 addr add 127.0.0.3/8 dev lo
	assert_eq "$(ip -n n1 -j addr show dev lo | jq -r '[.[0].addr_info[] | select(.family == "inet") | .scope] | unique | join(",")')" \
		host "127/8 gets host scope with both tools"
	return 0
}

t_addr_flush() {
	addr_setup
	nsl -n n1 addr add 10.0.0.1/24 dev e0
	nsl -n n1 addr add 10.0.0.2/24 dev e0
	nsl -n n1 addr add 10.5.0.1/16 dev e0
	nsl -n n1 addr add fd00::1/64 dev e0 nodad
	nsl -n n1 addr add 10.9.0.1/24 dev e1
	nsl -n n1 addr flush dev e0
	assert_eq "$(ip -n n1 -j addr show dev e0 | jq -r '[.[0].addr_info[] | select(.scope == "global")] | length')" 0 \
		"no global address left on a"
	assert_eq "$(ip -n n1 -j addr show dev e0 | jq -r '[.[0].addr_info[] | select(.scope == "link")] | length')" 1 \
		"IPv6 link-local kept"
	assert_eq "$(ip -n n1 -j addr show dev e1 | jq -r '.[0].addr_info[0].local')" 10.9.0.1 "b untouched"
	# Flushing a device without addresses is a no-op.
	nsl -n n1 addr flush dev e0
	return 0
}

t_addr_exists_is_conflict() {
	addr_setup
	nsl -n n1 addr add 10.0.0.1/24 dev e0
	expect_err 3 "^nslab: addr add '10\.0\.0\.1/24': address already assigned" -n n1 addr add 10.0.0.1/24 dev e0
	return 0
}

t_addr_kernel_refusal() {
	addr_setup
	# Deleting an address that is not there: the kernel says why, exit 2.
	expect_err 2 "^nslab: addr del '10\.0\.0\.9/24': no such address on this device: .*Address not found" \
		-n n1 addr del 10.0.0.9/24 dev e0
	return 0
}

t_addr_bad_inputs() {
	addr_setup
	nsl -n n1 addr add 10.0.0.1/24 dev e0
	expect_err 1 "^nslab: addr add '10\.0\.0\.256/24': " -n n1 addr add 10.0.0.256/24 dev e0
	expect_err 1 "^nslab: addr add '10\.0\.0\.1/33': " -n n1 addr add 10.0.0.1/33 dev e0
	expect_err 1 "^nslab: addr add '010\.0\.0\.1/24': " -n n1 addr add 010.0.0.1/24 dev e0
	expect_err 1 "^nslab: addr add 'fd00::1/129': " -n n1 addr add fd00::1/129 dev e0
	expect_err 1 "^nslab: addr add '10\.0\.0\.1/024': " -n n1 addr add 10.0.0.1/024 dev e0
	expect_err 1 "^nslab: addr add 'banana': " -n n1 addr add banana dev e0
	expect_err 1 "^nslab: addr add: missing CIDR" -n n1 addr add
	expect_err 1 "^nslab: addr add: missing 'dev IF'" -n n1 addr add 10.0.0.7/24
	expect_err 1 "^nslab: addr add: 'dev' needs a value" -n n1 addr add 10.0.0.7/24 dev
	expect_err 1 "^nslab: addr add: unknown keyword 'label'" -n n1 addr add 10.0.0.7/24 dev e0 label x
	expect_err 1 "^nslab: addr add: 'nodad' given twice" -n n1 addr add 10.0.0.7/24 dev e0 nodad nodad
	expect_err 1 "^nslab: addr add .*'nope'.* does not exist" -n n1 addr add 10.0.0.7/24 dev nope
	expect_err 1 "^nslab: addr add .*'e0/b'.*interface name contains" -n n1 addr add 10.0.0.7/24 dev e0/b
	expect_err 1 "^nslab: addr del: missing 'dev IF'" -n n1 addr del 10.0.0.1/24
	expect_err 1 "^nslab: addr flush: missing 'dev IF'" -n n1 addr flush
	expect_err 1 "^nslab: addr flush .*'nope'.* does not exist" -n n1 addr flush dev nope
	expect_err 1 "^nslab: addr show: unknown keyword 'e0'" -n n1 addr show e0
	expect_err 1 "^nslab: addr: unknown verb 'list'" -n n1 addr list
	expect_err 1 "^nslab.*'nons'.* does not exist" -n nons addr add 10.0.0.7/24 dev e0
	return 0
}
