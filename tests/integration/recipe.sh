# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 2, point 2: the classic docker-like recipe done with nslab verbs only.

t_classic_recipe() {
	nsl bridge add br0
	nsl addr add 10.40.0.1/24 dev br0
	nsl netns add c1
	nsl veth add vh-c1 peer tmp-c1
	nsl link set tmp-c1 netns c1
	nsl -n c1 link set tmp-c1 name eth0
	nsl -n c1 addr add 10.40.0.2/24 dev eth0
	nsl bridge attach br0 vh-c1
	nsl link set vh-c1 up
	nsl -n c1 link set eth0 up
	nsl -n c1 route add default via 10.40.0.1
	nsl dns set c1 nameserver 10.40.0.53
	ip netns exec c1 ping -c1 -W2 10.40.0.1 >/dev/null || fail "ping to the bridge address"
	assert_match "$(ip netns exec c1 cat /etc/resolv.conf)" "nameserver 10.40.0.53" "resolv.conf"
	# nslab -j and ip -j agree on links, addresses and routes, in both namespaces.
	for n in "" "-n c1"; do
		# A bridge's operstate moves from UNKNOWN to UP on its own a moment after its first
		# port comes up: read both again until they agree (or give up after 2 s).
		for try in $(seq 20); do
			a=$(nsl $n -j link show | jq -c '[.[] | {ifname, mtu, operstate, address, master}]')
			b=$(ip $n -j link show | jq -c '[.[] | {ifname, mtu, operstate, address, master}]')
			[ "$a" = "$b" ] && break
			sleep 0.1
		done
		assert_eq "$a" "$b" "links ($n)"
		a=$(nsl $n -j addr show | jq -c '[.[] | {ifname, a: [.addr_info[] | select(.family=="inet") | {local, prefixlen}]}]')
		b=$(ip $n -j addr show | jq -c '[.[] | {ifname, a: [.addr_info[] | select(.family=="inet") | {local, prefixlen}]}]')
		assert_eq "$a" "$b" "addresses ($n)"
		a=$(nsl $n -j route show | jq -c '[.[] | {dst, gateway, dev}] | sort_by(.dst)')
		# nslab shows both families at once; ip needs -4 and -6.
		b=$( (ip $n -4 -j route show; ip $n -6 -j route show) | jq -sc 'add | [.[] | {dst, gateway, dev}] | sort_by(.dst)')
		assert_eq "$a" "$b" "routes ($n)"
	done
}
