# SPDX-License-Identifier: GPL-2.0-or-later
# route add/del/show, IPv4 and IPv6, read back with ip -j.

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

# netns r1, veth e0/e1 up, 10.0.0.1/24 and fd00::1/64 on e0.
route_setup() {
	ip netns add r1
	ip -n r1 link add name e0 type veth peer name e1
	ip -n r1 link set dev e0 up
	ip -n r1 link set dev e1 up
	ip -n r1 addr add 10.0.0.1/24 dev e0
	ip -n r1 addr add fd00::1/64 dev e0 nodad
}

# Our IPv4 / IPv6 routes, keys sorted, to compare with ip -j / ip -6 -j (which adds "pref").
V4_JQ='[.[] | select((.dst | test(":")) or ((.gateway // "") | test(":")) | not)] | map(del(.pref))'
V6_JQ='[.[] | select((.dst | test(":")) or ((.gateway // "") | test(":")))] | map(del(.pref))'

t_route_v4_via_dev_metric_default() {
	route_setup
	nsl -n r1 route add 10.9.0.0/24 via 10.0.0.2 metric 5
	nsl -n r1 route add 10.8.0.0/16 dev e0
	nsl -n r1 route add default via 10.0.0.254 dev e0
	nsl -n r1 route add 192.168.7.7/32 via 10.0.0.3
	j=$(ip -n r1 -j route)
	assert_eq "$(jq -r '.[] | select(.dst == "10.9.0.0/24") | "\(.gateway) \(.dev) \(.metric)"' <<<"$j")" \
		"10.0.0.2 e0 5" "via + metric"
	assert_eq "$(jq -r '.[] | select(.dst == "10.8.0.0/16") | "\(.dev) \(.scope)"' <<<"$j")" "e0 link" "dev-only route"
	assert_eq "$(jq -r '.[] | select(.dst == "default") | .gateway' <<<"$j")" 10.0.0.254 "default route"
	assert_eq "$(jq -r '.[] | select(.dst == "192.168.7.7") | .gateway' <<<"$j")" 10.0.0.3 "host route"
	ours=$(nsl -n r1 -j route show | jq -cS "$V4_JQ")
	theirs=$(jq -cS 'map(del(.pref))' <<<"$j")
	assert_eq "$ours" "$theirs" "route show vs ip -j route"
	out=$(nsl -n r1 route show)
	assert_match "$out" "10\.9\.0\.0/24 via 10\.0\.0\.2 dev e0 metric 5" "text: via route"
	assert_match "$out" "10\.0\.0\.0/24 dev e0 proto kernel scope link src 10\.0\.0\.1" "text: kernel route"
	return 0
}

t_route_v6() {
	route_setup
	nsl -n r1 route add fd00:9::/64 via fd00::2
	nsl -n r1 route add default via fd00::fe metric 100
	nsl -n r1 route add fd00:8::/48 dev e0 metric 7
	j=$(ip -n r1 -6 -j route)
	assert_eq "$(jq -r '.[] | select(.dst == "fd00:9::/64") | "\(.gateway) \(.dev)"' <<<"$j")" "fd00::2 e0" "v6 via"
	assert_eq "$(jq -r '.[] | select(.dst == "default") | "\(.gateway) \(.metric)"' <<<"$j")" "fd00::fe 100" "v6 default"
	assert_eq "$(jq -r '.[] | select(.dst == "fd00:8::/48") | .metric' <<<"$j")" 7 "v6 dev metric"
	ours=$(nsl -n r1 -j route show | jq -cS "$V6_JQ")
	theirs=$(jq -cS 'map(del(.pref))' <<<"$j")
	assert_eq "$ours" "$theirs" "route show vs ip -6 -j route"
	nsl -n r1 route del default via fd00::fe
	nsl -n r1 route del fd00:9::/64
	j=$(ip -n r1 -6 -j route)
	assert_eq "$(jq -r '[.[] | select(.dst == "default" or .dst == "fd00:9::/64")] | length' <<<"$j")" 0 "v6 routes deleted"
	return 0
}

t_route_table() {
	route_setup
	nsl -n r1 route add 10.20.0.0/24 via 10.0.0.2 table 100
	nsl -n r1 route add default dev e0 table 1000
	assert_eq "$(ip -n r1 -j route show table 100 | jq -r '.[0] | "\(.dst) \(.gateway)"')" "10.20.0.0/24 10.0.0.2" "table 100"
	assert_eq "$(ip -n r1 -j route show table 1000 | jq -r '.[0] | "\(.dst) \(.dev)"')" "default e0" "table 1000"
	assert_eq "$(ip -n r1 -j route | jq -r '[.[] | select(.dst == "10.20.0.0/24")] | length')" 0 "not in main"
	assert_eq "$(nsl -n r1 -j route show table 100 | jq -r '.[0] | "\(.dst) \(.gateway) \(.table)"')" \
		"10.20.0.0/24 10.0.0.2 100" "route show table 100"
	assert_eq "$(nsl -n r1 -j route show | jq -r '[.[] | select(.dst == "10.20.0.0/24")] | length')" 0 "show: main only"
	nsl -n r1 route del 10.20.0.0/24 table 100
	assert_eq "$(ip -n r1 -j route show table 100 | jq -r 'length')" 0 "deleted from table 100"
	return 0
}

t_route_del() {
	route_setup
	nsl -n r1 route add 10.9.0.0/24 via 10.0.0.2 metric 5
	nsl -n r1 route add default via 10.0.0.254
	nsl -n r1 route del 10.9.0.0/24 via 10.0.0.2 metric 5
	nsl -n r1 route del default
	assert_eq "$(ip -n r1 -j route | jq -r '[.[] | select(.dst == "default" or .dst == "10.9.0.0/24")] | length')" 0 "deleted"
	assert_eq "$(ip -n r1 -j route | jq -r '[.[] | select(.dst == "10.0.0.0/24")] | length')" 1 "kernel route kept"
	expect_err 2 "^nslab: route del '10\.9\.0\.0/24': no such route" -n r1 route del 10.9.0.0/24
	return 0
}

t_route_unreachable_gateway_extack() {
	route_setup
	# The gateway is on no connected prefix: the kernel refuses and says why; exit 2.
	expect_err 2 "^nslab: route add '10\.7\.0\.0/24': cannot add route: .*: Nexthop has invalid gateway$" \
		-n r1 route add 10.7.0.0/24 via 10.99.0.1 dev e0
	expect_err 2 "Nexthop has invalid gateway" -n r1 route add default via 10.99.0.1
	return 0
}

t_route_exists_is_conflict() {
	route_setup
	nsl -n r1 route add 10.9.0.0/24 via 10.0.0.2
	expect_err 3 "^nslab: route add '10\.9\.0\.0/24': route already exists" -n r1 route add 10.9.0.0/24 via 10.0.0.2
	return 0
}

t_route_bad_inputs() {
	route_setup
	expect_err 1 "^nslab: route add '10\.0\.0\.1/24': prefix has host bits set" -n r1 route add 10.0.0.1/24 dev e0
	expect_err 1 "^nslab: route add '10\.0\.0\.0/33': " -n r1 route add 10.0.0.0/33 dev e0
	expect_err 1 "^nslab: route add 'fd00::/129': " -n r1 route add fd00::/129 dev e0
	expect_err 1 "^nslab: route add '10\.01\.0\.0/16': " -n r1 route add 10.01.0.0/16 dev e0
	expect_err 1 "^nslab: route add: missing PREFIX or 'default'" -n r1 route add
	expect_err 1 "^nslab: route add: a route needs 'via GW' or 'dev IF'" -n r1 route add 10.9.0.0/24
	expect_err 1 "^nslab: route add: unknown keyword 'proto'" -n r1 route add 10.9.0.0/24 dev e0 proto static
	expect_err 1 "^nslab: route add: 'via' needs a value" -n r1 route add 10.9.0.0/24 via
	expect_err 1 "^nslab: route add: 'via' given twice" -n r1 route add 10.9.0.0/24 via 10.0.0.2 via 10.0.0.3
	expect_err 1 "^nslab: route add .*'10\.0\.0\.300'" -n r1 route add 10.9.0.0/24 via 10.0.0.300
	expect_err 1 "^nslab: route add .*metric" -n r1 route add 10.9.0.0/24 dev e0 metric abc
	expect_err 1 "^nslab: route add .*metric" -n r1 route add 10.9.0.0/24 dev e0 metric 4294967296
	expect_err 1 "^nslab: route add .*table" -n r1 route add 10.9.0.0/24 dev e0 table 0
	expect_err 1 "^nslab: route add '10\.9\.0\.0/24': gateway and destination are of different address families" \
		-n r1 route add 10.9.0.0/24 via fd00::2
	expect_err 1 "^nslab: route add .*'nope'.* does not exist" -n r1 route add 10.9.0.0/24 dev nope
	expect_err 1 "^nslab: route show: unknown keyword 'dev'" -n r1 route show dev e0
	return 0
}
