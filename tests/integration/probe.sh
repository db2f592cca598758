# Native ICMP/ICMPv6 probes (include/nslab/probe.h), driven by tests/helpers/probe-cli.c.
PROBE=${PROBE_CLI:-$(dirname "$NSLAB")/tests/probe-cli}

probe_need() { [ -x "$PROBE" ] || fail "helper $PROBE not built (make unit)"; }
# probe ARGS...: run the helper, setting OUT/ERR/RC; `|| :` keeps errexit (the runner's set -e)
# from ending the case when the helper exits non-zero on purpose.
probe() { run "$PROBE" "$@" || :; }

# Two netns a and b joined by veth va/vb: 10.1.0.1/24 + fd00::1/64 and 10.1.0.2/24 + fd00::2/64.
probe_pair() {
	ip netns add a && ip netns add b || fail "ip netns add"
	ip -n a link set lo up && ip -n b link set lo up
	ip link add va netns a type veth peer name vb netns b || fail "veth"
	ip -n a addr add 10.1.0.1/24 dev va && ip -n b addr add 10.1.0.2/24 dev vb
	ip -n a addr add fd00::1/64 dev va nodad && ip -n b addr add fd00::2/64 dev vb nodad
	ip -n a link set va up && ip -n b link set vb up
}

# Icmp (or Icmp6) counter NAME of netns NS, read from the kernel's SNMP table.
snmp4() { ip netns exec "$1" awk -v k="$2" '$1=="Icmp:" { if (!h) { for (i=2;i<=NF;i++) c[$i]=i; h=1 } else print $(c[k]) }' /proc/net/snmp; }
snmp6() { ip netns exec "$1" awk -v k="$2" '$1==k { print $2 }' /proc/net/snmp6; }
elapsed() { sed -n 's/^elapsed_ms //p' <<<"$ERR"; }

t_probe_v4_reach() {
	probe_need; probe_pair
	local before after
	before=$(snmp4 b OutEchoReps)
	probe -t 2000 a 10.1.0.2
	assert_rc 0 "probe a -> 10.1.0.2"
	assert_match "$OUT" '^a 10\.1\.0\.2 ok [0-9]+$'
	after=$(snmp4 b OutEchoReps)
	[ "$after" -gt "$before" ] || fail "b sent no echo reply ($before -> $after)"
	# The reverse direction, from the caller's netns into nothing: 127.0.0.1 of our own sandbox.
	probe -t 1000 - 127.0.0.1
	assert_rc 0 "probe lo"
}

t_probe_v4_absent_times_out() {
	probe_need; probe_pair
	probe -t 500 a 10.1.0.99
	assert_rc 1 "probe of an absent address"
	assert_eq "$OUT" "a 10.1.0.99 fail ETIMEDOUT"
	local ms; ms=$(elapsed)
	[ "$ms" -ge 450 ] && [ "$ms" -le 3000 ] || fail "took $ms ms for a 500 ms timeout"
	# The kernel really tried: ARP for it is incomplete or failed in a.
	assert_match "$(ip -n a neigh show 10.1.0.99)" '10\.1\.0\.99 dev va'
}

t_probe_v4_absent_hostunreach() {
	probe_need; probe_pair
	# ARP gives up after 3 tries at 1 s: the kernel then reports host unreachable.
	probe -t 4500 a 10.1.0.99
	assert_rc 1
	assert_eq "$OUT" "a 10.1.0.99 fail EHOSTUNREACH"
	# The error came from the kernel of a, which sent itself ICMP host-unreachable.
	[ "$(snmp4 a OutDestUnreachs)" -gt 0 ] || fail "a sent no destination-unreachable"
}

t_probe_no_route() {
	probe_need; probe_pair
	assert_eq "$(ip -n a route get 10.9.9.9 2>&1 | head -1)" "RTNETLINK answers: Network is unreachable"
	probe -t 2000 a 10.9.9.9
	assert_rc 1
	assert_eq "$OUT" "a 10.9.9.9 fail ENETUNREACH"
	local ms; ms=$(elapsed)
	[ "$ms" -lt 1000 ] || fail "no-route probe took $ms ms, expected an immediate answer"
}

t_probe_no_netns() {
	probe_need
	probe -t 500 nosuchns 10.1.0.2
	assert_rc 1
	assert_eq "$OUT" "nosuchns 10.1.0.2 fail ENOENT"
	[ ! -e /run/netns/nosuchns ] || fail "probe created a netns file"
}

t_probe_v6() {
	probe_need; probe_pair
	local before after
	before=$(snmp6 b Icmp6OutEchoReplies)
	# The first neighbour solicitation on a fresh link can take one 1 s retransmit.
	probe -t 3000 a fd00::2
	assert_rc 0 "probe a -> fd00::2"
	assert_match "$OUT" '^a fd00::2 ok [0-9]+$'
	after=$(snmp6 b Icmp6OutEchoReplies)
	[ "$after" -gt "$before" ] || fail "b sent no ICMPv6 echo reply ($before -> $after)"
	probe -t 500 a fd00::99
	assert_rc 1
	assert_eq "$OUT" "a fd00::99 fail ETIMEDOUT"
	probe -t 500 a fd01::1
	assert_rc 1
	assert_eq "$OUT" "a fd01::1 fail ENETUNREACH"
}

# With ping_group_range opened in the netns, the unprivileged ping socket path is used.
t_probe_ping_socket() {
	probe_need; probe_pair
	ip netns exec a sh -c 'echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range' ||
		fail "cannot set ping_group_range"
	assert_eq "$(ip netns exec a cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')" "0 2147483647"
	probe -m -t 3000 a 10.1.0.2 a fd00::2 a 10.1.0.99
	assert_rc 1
	assert_match "$OUT" 'a 10\.1\.0\.2 ok [0-9]+'
	assert_match "$OUT" 'a fd00::2 ok [0-9]+'
	assert_match "$OUT" 'a 10\.1\.0\.99 fail ETIMEDOUT'
	command -v strace >/dev/null || skip "strace not installed (to see which socket was used)"
	# LeakSanitizer cannot run under ptrace: off for this one run of a sanitizer build.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run strace -f -e trace=socket "$PROBE" -m -t 1000 a 10.1.0.2 b 10.1.0.1 || :
	assert_rc 0
	# a opens ping sockets; b, with the default range "1 0", falls back to raw sockets.
	assert_match "$ERR" 'socket\(AF_INET, SOCK_DGRAM\|SOCK_CLOEXEC\|SOCK_NONBLOCK, IPPROTO_ICMP\) = [0-9]+'
	assert_match "$ERR" 'IPPROTO_ICMP\) = -1 EACCES'
	assert_match "$ERR" 'socket\(AF_INET, SOCK_RAW\|SOCK_CLOEXEC\|SOCK_NONBLOCK, IPPROTO_ICMP\) = [0-9]+'
}

# 200 probes, half answered and half not, take about one timeout, not 200.
t_probe_many_concurrent() {
	probe_need; probe_pair
	local args=() i
	for i in $(seq 1 50); do args+=(a 10.1.0.2 b 10.1.0.1 a "10.1.0.$((100 + i))" b "fd00::$((100 + i))"); done
	probe -t 1500 "${args[@]}"
	assert_rc 1
	assert_eq "$(grep -c ' ok ' <<<"$OUT")" 100 "answered probes"
	assert_eq "$(grep -c ' fail ETIMEDOUT$' <<<"$OUT")" 100 "timed-out probes"
	local ms; ms=$(elapsed)
	[ "$ms" -le 4000 ] || fail "200 probes took $ms ms with a 1500 ms timeout"
}

# More source netns than one wave of sockets (256): every one of 300 answers.
t_probe_many_sources() {
	probe_need
	local n=300 i args=()
	{
		echo "link add br0 type bridge"
		echo "addr add 10.2.0.1/16 dev br0"
		echo "link set br0 up"
		for i in $(seq 1 $n); do
			echo "netns add s$i"
			echo "link add h$i master br0 type veth peer name eth0 netns s$i"
			echo "link set h$i up"
		done
	} | ip -batch - || fail "ip -batch"
	for i in $(seq 1 $n); do
		printf 'addr add 10.2.%d.%d/16 dev eth0\nlink set eth0 up\nlink set lo up\n' $((i / 200 + 1)) $((i % 200 + 1)) |
			ip -n s$i -batch - || fail "ip -n s$i -batch"
		args+=(s$i 10.2.0.1)
	done
	probe -t 5000 "${args[@]}"
	assert_rc 0 "300 sources ($(grep -v ' ok ' <<<"$OUT" | head -3))"
	assert_eq "$(grep -c ' ok ' <<<"$OUT")" $n
}
