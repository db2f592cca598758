# SPDX-License-Identifier: GPL-2.0-or-later
# The real-software examples of topologies/ (issue 12), run for real: FRR routers converging
# and rerouting, dnsmasq handing out leases, a web server behind `tcp` expectations, and iperf3
# across a shaped link. Each t_* runs in a fresh sandbox, skips (saying which package) when
# its software is missing, and leaves nothing behind. Lines starting "FIGURE" are the numbers
# the run measured (convergence, reroute time, throughput), kept in the case's log.

_ex_ms() { echo $(($(date +%s%N) / 1000000)); }

# The netns inodes of the lab's nodes, taken while it is up.
_ex_inodes() { # NETNS...
	local n
	for n in "$@"; do stat -L -c %i "/run/netns/$n"; done
}

# After down: no netns, no state, no /etc/netns entry, and no process left in any of the
# lab's network namespaces (found by inode, as `ip netns pids` does, whatever started it).
_ex_nothing_left() { # INODE...
	local p ino want left=""
	for p in /proc/[0-9]*; do
		ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
		for want in "$@"; do
			[ "$ino" = "$want" ] && left="$left $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null);"
		done
	done
	[ -z "$left" ] || fail "processes left in the lab's netns:$left"
	[ -z "$(ls -A /run/netns 2>/dev/null)" ] || fail "netns left: $(ls /run/netns)"
	[ -z "$(ls -A /run/nslab 2>/dev/null)" ] || fail "state left: $(ls -A /run/nslab)"
	[ -z "$(ls -A /etc/netns 2>/dev/null)" ] || fail "/etc/netns left: $(ls -A /etc/netns)"
}

# What a host directory holds (names, owners, modes, sizes), to show a lab did not write there.
_ex_dir() { ls -lAn --time-style=+ "$1" 2>/dev/null | md5sum; }

# Poll CMD... (a shell function or command) every 0.2 s until it succeeds, for up to SECONDS.
_ex_until() { # SECONDS CMD...
	local end=$(($(_ex_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(_ex_ms)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# "GATEWAY DEV" of the route NETNS takes to ADDR.
_ex_nexthop() { # NETNS ADDR
	ip -n "$1" -j route get "$2" | jq -r '.[0] | "\(.gateway // "-") \(.dev)"'
}
_ex_nexthop_is() { [ "$(_ex_nexthop "$1" "$2")" = "$3" ]; } # NETNS ADDR "GW DEV"

# Every PREFIX is in NETNS's main table as a route of protocol ospf.
_ex_ospf_routes() { # NETNS PREFIX...
	local have n=$1 p
	shift
	have=$(ip -n "$n" -j route show proto ospf | jq -r '.[].dst')
	for p in "$@"; do
		grep -qxF "$p" <<<"$have" || return 1
	done
}

# The TTL of one echo reply from DST to a ping from NETNS (64 less the routers on the way
# back), or nothing when no reply came within a second.
_ex_ttl() { # NETNS DST
	ip netns exec "$1" ping -n -c 1 -W 1 "$2" 2>/dev/null | sed -n 's/.* ttl=\([0-9]*\) .*/\1/p'
}
_ex_ttl_is() { [ "$(_ex_ttl "$1" "$2")" = "$3" ]; } # NETNS DST TTL

# A case that fails stops at once: its lab must still go down, or its processes would outlive
# the sandbox (they keep its namespaces alive).
_ex_down_on_exit() { # LAB
	# shellcheck disable=SC2064 # expanded now
	trap "\"\$NSLAB\" -q down $1 >/dev/null 2>&1 || true" EXIT
}

_ex_need() { # COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || skip "$1 is missing (Debian package $2; tools/deps.sh check installs it)"
}

t_example_frr_ospf() {
	local f=$TOP/topologies/frr-ospf.yaml t0 t1 inos r p pid vt_before
	[ -x /usr/lib/frr/frrinit.sh ] && [ -x /usr/lib/frr/ospfd ] ||
		skip "FRR is missing (Debian package frr; tools/deps.sh check installs it)"
	_ex_need vtysh frr
	id frr >/dev/null 2>&1 || skip "no user frr (Debian package frr makes it)"
	# what FRR would write on the host if the node's view did not hold it
	vt_before=$(_ex_dir /var/tmp/frr; _ex_dir /var/log/frr; _ex_dir /etc/frr)
	t0=$(_ex_ms)
	_ex_down_on_exit ospf
	run "$NSLAB" up "$f"
	t1=$(_ex_ms)
	assert_rc 0 "up: $ERR"
	for r in r1 r2 r3; do
		assert_match "$ERR" "ready $r" "up waited for $r's OSPF neighbours"
	done
	echo "FIGURE frr: up with every router's two neighbours Full in $((t1 - t0)) ms"
	inos=$(_ex_inodes r1 r2 r3 h1 h2)

	# each router has learnt by OSPF the prefixes that are not its own
	_ex_until 20 _ex_ospf_routes r1 10.3.3.0/24 10.0.23.0/30 10.255.0.2 10.255.0.3 ||
		fail "r1's ospf routes: $(ip -n r1 route show proto ospf)"
	_ex_until 20 _ex_ospf_routes r2 10.1.1.0/24 10.3.3.0/24 10.0.13.0/30 10.255.0.1 10.255.0.3 ||
		fail "r2's ospf routes: $(ip -n r2 route show proto ospf)"
	_ex_until 20 _ex_ospf_routes r3 10.1.1.0/24 10.0.12.0/30 10.255.0.1 10.255.0.2 ||
		fail "r3's ospf routes: $(ip -n r3 route show proto ospf)"
	echo "FIGURE frr: ospf routes in all three tables $(($(_ex_ms) - t0)) ms after up began"

	# FRR's own view through the node's: its /etc/frr, its /var/run/frr sockets
	run "$NSLAB" exec ospf r1 -- vtysh -c 'show ip ospf neighbor'
	assert_rc 0 "vtysh in r1: $ERR"
	assert_eq "$(grep -c 'Full' <<<"$OUT")" 2 "r1's Full neighbours"
	# the daemons that frrinit.sh left behind run as frr, in r1's netns
	pid=""
	for p in $(ip netns pids r1); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != ospfd ] || pid=$p
	done
	[ -n "$pid" ] || fail "no ospfd in r1's netns"
	assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$(id -u frr)" "ospfd's user"

	run "$NSLAB" test ospf
	assert_rc 0 "test: $OUT $ERR"
	assert_match "$OUT" "5 passed, 0 failed" "expectations"

	# the short way from h1 to h2 is r1:eth1 -> r3: two routers, a reply comes back with TTL 62
	assert_eq "$(_ex_nexthop r1 10.3.3.10)" "10.0.13.2 eth1" "r1's way to h2"
	_ex_until 5 _ex_ttl_is h1 10.3.3.10 62 || fail "h1 -> h2 before the cut: ttl '$(_ex_ttl h1 10.3.3.10)'"

	# cut it: r1 and r3 drop the adjacency and go around through r2
	nsl -n r1 link set eth1 down >/dev/null
	t0=$(_ex_ms)
	_ex_until 10 _ex_nexthop_is r1 10.3.3.10 "10.0.12.2 eth2" ||
		fail "r1 did not reroute to h2: $(_ex_nexthop r1 10.3.3.10)"
	_ex_until 10 _ex_nexthop_is r3 10.1.1.10 "10.0.23.1 eth2" ||
		fail "r3 did not reroute to h1: $(_ex_nexthop r3 10.1.1.10)"
	t1=$(_ex_ms)
	_ex_until 10 _ex_ttl_is h1 10.3.3.10 61 || fail "h1 -> h2 after the cut: ttl '$(_ex_ttl h1 10.3.3.10)'"
	echo "FIGURE frr: rerouted both ways $((t1 - t0)) ms after the cut; ping through r2 $(($(_ex_ms) - t0)) ms"

	# up repairs the drift (the link is the lab's, and down): the short way comes back
	run "$NSLAB" up "$f"
	assert_rc 0 "up after the cut: $ERR"
	_ex_until 15 _ex_nexthop_is r1 10.3.3.10 "10.0.13.2 eth1" ||
		fail "r1 did not return to the short way: $(_ex_nexthop r1 10.3.3.10)"

	nsl -q down ospf >/dev/null
	_ex_nothing_left $inos
	assert_eq "$(_ex_dir /var/tmp/frr; _ex_dir /var/log/frr; _ex_dir /etc/frr)" "$vt_before" \
		"host's /var/tmp/frr, /var/log/frr, /etc/frr (the node has its own)"
}

t_example_dhcp() {
	local f=$TOP/topologies/dhcp.yaml inos c addr mac leases seen="" acks="" misc_before
	_ex_need dnsmasq dnsmasq-base
	_ex_need busybox busybox-static
	busybox --list 2>/dev/null | grep -qx udhcpc || skip "this busybox has no udhcpc applet"
	misc_before=$(_ex_dir /var/lib/misc)
	_ex_down_on_exit dhcp
	run "$NSLAB" up "$f"
	assert_rc 0 "up: $ERR"
	for c in c1 c2 c3; do
		assert_match "$ERR" "ready $c" "up waited for $c's lease"
	done
	inos=$(_ex_inodes dhcp c1 c2 c3)
	run "$NSLAB" exec dhcp dhcp -- cat /var/lib/misc/dnsmasq.leases
	assert_rc 0 "leases file: $ERR"
	leases=$OUT
	for c in c1 c2 c3; do
		# the file gives the client no address: this one is the lease, set by the udhcpc script
		addr=$(ip -n "$c" -j -4 addr show dev eth0 | jq -r '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] | join(" ")')
		assert_match "$addr" '^10\.20\.0\.[0-9]+/24$' "$c's leased address"
		addr=${addr%/24}
		[ "${addr##*.}" -ge 100 ] && [ "${addr##*.}" -le 150 ] || fail "$c: $addr is outside the range"
		assert_no_match "$seen" " $addr " "two clients with one lease"
		seen="$seen $addr "
		assert_eq "$(ip -n "$c" -j route show default | jq -r '.[0].gateway')" 10.20.0.1 "$c's router from the lease"
		# dnsmasq's leases file: EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID, one line per client
		mac=$(ip -n "$c" -j link show dev eth0 | jq -r '.[0].address')
		grep -Eq "^[0-9]+ $mac $addr $c " <<<"$leases" || fail "no lease of $addr to $c ($mac) in: $leases"
		echo "FIGURE dhcp: $c ($mac) leased $addr"
		acks="$acks$addr $mac $c;"
	done
	run "$NSLAB" test dhcp
	assert_rc 0 "test: $OUT $ERR"
	# dnsmasq's log, from its supervisor: the acknowledgement of each of those leases
	run "$NSLAB" logs dhcp dhcp dnsmasq
	while IFS=' ' read -r addr mac c; do
		grep -qF "DHCPACK(eth0) $addr $mac $c" <<<"$OUT" || fail "no DHCPACK of $addr to $c in dnsmasq's log: $OUT"
	done < <(tr ';' '\n' <<<"${acks%;}")
	nsl -q down dhcp >/dev/null
	_ex_nothing_left $inos
	assert_eq "$(_ex_dir /var/lib/misc)" "$misc_before" "host's /var/lib/misc (the leases file is in the node's tmpfs)"
}

t_example_web() {
	local f=$TOP/topologies/web.yaml inos j pid srv_before
	_ex_need python3 python3
	_ex_need curl curl
	srv_before=$(_ex_dir /srv)
	_ex_down_on_exit web
	run "$NSLAB" up "$f"
	assert_rc 0 "up: $ERR"
	assert_match "$ERR" "ready web" "up waited for the server"
	inos=$(_ex_inodes web c1 c2)
	run "$NSLAB" test web
	assert_rc 0 "test: $OUT $ERR"
	assert_match "$OUT" "c1 +web \(10\.80\.0\.10\) tcp 8080 +reach +reach +ok" "tcp expectation c1"
	assert_match "$OUT" "c2 +web \(10\.80\.0\.10\) tcp 8080 +reach +reach +ok" "tcp expectation c2"
	assert_match "$OUT" "tcp 8081 +none +none +ok" "a closed port is refused"
	assert_match "$OUT" "4 passed, 0 failed" "summary"
	# curl through the lab, by name (the lab's hosts file) and by address
	run ip netns exec c1 curl -sS --max-time 5 http://web:8080/index.html
	assert_eq "$OUT" "hello from web of lab web" "page fetched by c1 (RC $RC $ERR)"
	run "$NSLAB" exec web c2 -- curl -sS --max-time 5 http://10.80.0.10:8080/
	assert_eq "$OUT" "hello from web of lab web" "page fetched by c2 (RC $RC $ERR)"
	# the server runs as nobody, in the node's netns
	j=$(nsl -j status web)
	pid=$(jqr '.nodes[] | select(.name=="web") | .processes[] | select(.name=="http") | .pid' "$j")
	[ "$pid" -gt 1 ] 2>/dev/null || fail "no pid for http: $j"
	assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$(id -u nobody)" "http's user"
	assert_eq "$(stat -L -c %i "/proc/$pid/ns/net")" "$(stat -L -c %i /run/netns/web)" "http's netns"
	# its access log: both requests
	run "$NSLAB" logs web web http
	assert_match "$OUT" '10\.80\.0\.11 .*"GET /index.html HTTP/1\.1" 200' "c1's request in the log"
	assert_match "$OUT" '10\.80\.0\.12 .*"GET / HTTP/1\.1" 200' "c2's request in the log"
	nsl -q down web >/dev/null
	_ex_nothing_left $inos
	assert_eq "$(_ex_dir /srv)" "$srv_before" "host's /srv (the page is bound in from the state dir)"
}

# BPS: the throughput in bit/s (TCP payload, as received) of one iperf3 run from the client
# to ADDR for SECONDS, after one second left out (slow start, the bucket's first burst).
# An iperf3 server runs one test at a time and refuses ("busy") a client that comes while it
# is still busy with the last one, so that is tried again.
_ex_iperf() { # ADDR SECONDS
	local try
	for try in 1 2 3; do
		run "$NSLAB" exec shaping client -- iperf3 -c "$1" -t "$2" -O 1 -J
		[ "$RC" -ne 0 ] && [[ "$OUT" =~ busy ]] || break
		sleep 0.5
	done
	assert_rc 0 "iperf3 to $1: $OUT $ERR"
	BPS=$(jqr '.end.sum_received.bits_per_second | floor' "$OUT")
	[ "$BPS" -gt 0 ] 2>/dev/null || fail "iperf3 to $1 measured '$BPS': $OUT"
}

t_example_shaping() {
	local f=$TOP/topologies/shaping.yaml inos shaped plain
	_ex_need iperf3 iperf3
	# a tbf of our own on a throwaway veth pair tells whether this kernel has sch_tbf
	ip link add ex-tbf type veth peer ex-tbf-peer || fail "veth pair for the sch_tbf probe"
	tc qdisc add dev ex-tbf root tbf rate 1mbit burst 10kb latency 50ms 2>/dev/null ||
		{ ip link del ex-tbf; skip "this kernel lacks sch_tbf"; }
	ip link del ex-tbf
	_ex_down_on_exit shaping
	run "$NSLAB" up "$f"
	assert_rc 0 "up: $ERR"
	assert_match "$ERR" "ready server" "up waited for iperf3 to listen"
	inos=$(_ex_inodes server client)
	assert_eq "$(tc -n client -j qdisc show dev eth1 | jq -r '.[0].kind')" tbf "client eth1 qdisc"
	assert_eq "$(tc -n server -j qdisc show dev eth1 | jq -r '.[0].kind')" tbf "server eth1 qdisc"
	_ex_iperf 10.30.1.2 2
	shaped=$BPS
	_ex_iperf 10.30.2.2 1
	plain=$BPS
	echo "FIGURE shaping: rate 20mbit: $((shaped / 1000)) kbit/s; unshaped: $((plain / 1000000)) Mbit/s ($((plain / shaped))x)"
	# within 15 % of 20 Mbit/s, and the plain veth pair at least ten times faster
	[ "$shaped" -ge 17000000 ] && [ "$shaped" -le 23000000 ] ||
		fail "shaped throughput $shaped bit/s is not within 15 % of 20 Mbit/s"
	[ "$plain" -ge $((10 * shaped)) ] || fail "unshaped $plain bit/s is not 10x the shaped $shaped bit/s"
	# last: to an iperf3 server, each TCP probe of `nslab test` is a client it must be done
	# with before it takes the next one
	run "$NSLAB" test shaping
	assert_rc 0 "test: $OUT $ERR"
	assert_match "$OUT" "3 passed, 0 failed" "expectations"
	nsl -q down shaping >/dev/null
	_ex_nothing_left $inos
}
