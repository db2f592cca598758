# SPDX-License-Identifier: GPL-2.0-or-later
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

# ---- `nslab test` with `tcp: PORT` and `within: SECONDS` (issue 12) ----

# The lab of the cases below: srv (10.7.0.1, fd07::1) and cli (10.7.0.2, fd07::2) on bridge
# br0; EXPECT is the file's expect list (YAML lines, indented two spaces).
tcp_lab() { # FILE EXPECT
	cat >"$1" <<Y
name: tcp
bridges: { br0: {} }
nodes:
  srv:
    interfaces: { eth0: { bridge: br0, address: [ 10.7.0.1/24, "fd07::1/64" ] } }
  cli:
    interfaces: { eth0: { bridge: br0, address: [ 10.7.0.2/24, "fd07::2/64" ] } }
expect:
$2
Y
}

# The loader takes tcp/within (topo/schema.c); until it does these cases cannot run.
tcp_need() {
	printf 'name: x\nnodes: { a: {} }\nexpect: [ { from: a, to: 127.0.0.1, tcp: 1, within: 1 } ]\n' >/tmp/need.yaml
	run "$NSLAB" plan /tmp/need.yaml
	[ "$RC" -eq 0 ] || skip "the loader does not take expect tcp/within yet: $ERR"
	command -v python3 >/dev/null || skip "python3 not installed (the test listener)"
}

# listen NODE PORT [DELAY_S [FOR_S]]: a TCP listener in netns NODE on every IPv4 and IPv6
# address, from DELAY_S on, for FOR_S seconds. It never accepts: the kernel completes the
# handshakes into its backlog. Sets LPID; the EXIT trap kills it by that PID (if `down` did not).
listen_in() {
	ip netns exec "$1" python3 -c '
import socket, sys, time
time.sleep(float(sys.argv[2]))
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
s.listen(4096)
time.sleep(float(sys.argv[3]))' "$2" "${3:-0}" "${4:-3600}" &
	LPID=$!
	trap 'rc=$?; kill $LPID 2>/dev/null || :; wait $LPID 2>/dev/null || :; exit $rc' EXIT
}
# listening NODE PORT: the kernel has a listener on PORT in NODE.
listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }
wait_listening() { # NODE PORT
	local k
	for k in $(seq 1 50); do listening "$1" "$2" && return 0; sleep 0.1; done
	fail "no listener on $1 port $2"
}
# tcp_mib NODE NAME: a Tcp counter of the kernel of NODE (PassiveOpens, ActiveOpens, OutRsts).
tcp_mib() { ip netns exec "$1" awk -v k="$2" '$1=="Tcp:" { if (!h) { for (i=2;i<=NF;i++) c[$i]=i; h=1 } else print $(c[k]) }' /proc/net/snmp; }
# probe_golden NAME OUTPUT: as golden() of tests/cli/json.sh; UPDATE_GOLDEN=1 rewrites it.
probe_golden() {
	local f="$TOP/tests/expected/$1"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then printf '%s\n' "$2" >"$f"; return 0; fi
	[ -f "$f" ] || fail "no golden file $1"
	diff -u "$f" <(printf '%s\n' "$2") >&2 || fail "$1 differs from the golden file"
}
ms_now() { echo $(($(date +%s%N) / 1000000)); }

t_probe_tcp_listener() {
	tcp_need
	tcp_lab /tmp/t.yaml '  - { from: cli, to: srv, tcp: 8080 }
  - { from: cli, to: "fd07::1", tcp: 8080 }
  - { from: cli, to: srv, tcp: 8081, reach: false }
  - { from: cli, to: srv }'
	nsl -q up /tmp/t.yaml >/dev/null
	listen_in srv 8080
	wait_listening srv 8080
	local before; before=$(tcp_mib srv PassiveOpens)
	run "$NSLAB" test tcp
	assert_rc 0 "tcp expectations: $OUT"
	assert_match "$OUT" 'cli +srv \(10\.7\.0\.1\) tcp 8080 +reach +reach +ok  [0-9.]+ ms'
	assert_match "$OUT" 'cli +fd07::1 tcp 8080 +reach +reach +ok'
	assert_match "$OUT" 'tcp 8081 +none +none +ok  \(Connection refused\)'
	assert_match "$OUT" '4 passed, 0 failed'
	# Two real handshakes reached srv's kernel (IPv4 and IPv6), nothing else.
	assert_eq "$(($(tcp_mib srv PassiveOpens) - before))" 2 "connections srv's kernel completed"
	run "$NSLAB" -j test tcp
	assert_rc 0
	assert_eq "$(jqr '[.results[] | .tcp] | map(tostring) | join(",")' "$OUT")" "8080,8080,8081,null" "json tcp"
	assert_eq "$(jqr '[.results[] | .ok] | all' "$OUT")" true "json ok"
	assert_eq "$(jqr '.results[2].error' "$OUT")" "Connection refused" "json error of the closed port"
	assert_eq "$(jqr '.results[0] | has("within")' "$OUT")" false "no within given"
	assert_eq "$(jqr '.results[0].elapsed_ms | type' "$OUT")" number "elapsed_ms"
	# The whole shape, against tests/expected/test-tcp.json (timings left out).
	probe_golden test-tcp.json "$(jq -c 'del(.results[].rtt_us, .results[].elapsed_ms)' <<<"$OUT")"
	nsl -q down tcp >/dev/null
}

# A closed port is refused by the peer's kernel (a reset), at once, not after the timeout.
t_probe_tcp_refused_fast() {
	tcp_need
	tcp_lab /tmp/t.yaml '  - { from: cli, to: srv, tcp: 9, timeout_ms: 5000 }'
	nsl -q up /tmp/t.yaml >/dev/null
	! listening srv 9 || fail "something listens on srv port 9"
	local rst t0 ms
	rst=$(tcp_mib srv OutRsts)
	t0=$(ms_now)
	run "$NSLAB" test tcp
	ms=$(($(ms_now) - t0))
	assert_rc 1 "closed port"
	assert_match "$OUT" 'tcp 9 +reach +none +FAIL \(Connection refused\)'
	assert_match "$OUT" '0 passed, 1 failed'
	[ "$ms" -lt 2000 ] || fail "refusal took $ms ms (timeout 5000)"
	[ "$(tcp_mib srv OutRsts)" -gt "$rst" ] || fail "srv's kernel sent no reset"
	nsl -q down tcp >/dev/null
}

# reach: false with tcp: an open port fails the expectation, a closed one passes it.
t_probe_tcp_reach_false() {
	tcp_need
	tcp_lab /tmp/t.yaml '  - { from: cli, to: srv, tcp: 8080, reach: false }
  - { from: cli, to: "fd07::1", tcp: 8081, reach: false }'
	nsl -q up /tmp/t.yaml >/dev/null
	listen_in srv 8080
	wait_listening srv 8080
	run "$NSLAB" -j test tcp
	assert_rc 1 "an open port with reach: false"
	assert_eq "$(jqr '[.results[] | "\(.reached) \(.ok)"] | join(",")' "$OUT")" "true false,false true"
	run "$NSLAB" test tcp
	assert_match "$OUT" 'tcp 8080 +none +reach +FAIL \(reached\)'
	assert_match "$OUT" '1 passed, 1 failed'
	nsl -q down tcp >/dev/null
}

# A listener that comes 2 s after `test` starts: passes with within, fails at once without.
t_probe_within_late_listener() {
	tcp_need
	tcp_lab /tmp/t.yaml '  - { from: cli, to: srv, tcp: 8080 }'
	tcp_lab /tmp/w.yaml '  - { from: cli, to: srv, tcp: 8080, within: 10 }'
	nsl -q up /tmp/t.yaml >/dev/null
	local t0 ms el
	listen_in srv 8080 2
	t0=$(ms_now)
	run "$NSLAB" test /tmp/t.yaml
	assert_rc 1 "without within"
	assert_match "$OUT" 'FAIL \(Connection refused\)'
	[ $(($(ms_now) - t0)) -lt 1500 ] || fail "without within it waited"
	! listening srv 8080 || fail "the listener came too early for this case"
	run "$NSLAB" -j test /tmp/w.yaml
	ms=$(($(ms_now) - t0))
	assert_rc 0 "with within: $OUT"
	listening srv 8080 || fail "passed, but nothing listens"
	el=$(jqr '.results[0].elapsed_ms' "$OUT")
	[ "$el" -ge 300 ] && [ "$el" -le 6000 ] || fail "held after $el ms, the listener came at ~2 s"
	[ "$ms" -ge 1800 ] && [ "$ms" -le 8000 ] || fail "took $ms ms from the start"
	assert_eq "$(jqr '.results[0].within' "$OUT")" 10 "json within"
	run "$NSLAB" test /tmp/w.yaml
	assert_match "$OUT" 'tcp 8080 +reach +reach +ok  [0-9.]+ ms after [0-9.]+ s'
	nsl -q down tcp >/dev/null
}

# ICMP with within: no route yet is retried until the route comes, as a converging router's.
t_probe_within_icmp_route_later() {
	tcp_need
	tcp_lab /tmp/t.yaml '  - { from: cli, to: 10.8.0.1, within: 10 }
  - { from: cli, to: 10.8.0.1, reach: false }'
	nsl -q up /tmp/t.yaml >/dev/null
	ip -n srv addr add 10.8.0.1/32 dev lo
	assert_match "$(ip -n cli route get 10.8.0.1 2>&1)" "unreachable"
	( sleep 2; ip -n cli route add 10.8.0.0/24 via 10.7.0.1 ) &
	local bg=$!
	run "$NSLAB" -j test tcp
	wait $bg
	assert_rc 0 "within over a route that comes later: $OUT"
	assert_eq "$(jqr '.results[0].reached' "$OUT")" true
	assert_eq "$(jqr '.results[1].error' "$OUT")" "Network is unreachable" "the one try without within"
	local el; el=$(jqr '.results[0].elapsed_ms' "$OUT")
	[ "$el" -ge 1500 ] && [ "$el" -le 6000 ] || fail "held after $el ms, the route came at 2 s"
	assert_match "$(ip -n cli route show 10.8.0.0/24)" "via 10.7.0.1"
	nsl -q down tcp >/dev/null
}

# reach: false with within: holds once the listener is gone (after 2 s), not before.
t_probe_within_reach_false() {
	tcp_need
	tcp_lab /tmp/t.yaml '  - { from: cli, to: srv, tcp: 8080, reach: false, within: 10 }'
	nsl -q up /tmp/t.yaml >/dev/null
	listen_in srv 8080 0 2
	wait_listening srv 8080
	run "$NSLAB" -j test tcp
	assert_rc 0 "reach: false within: $OUT"
	! listening srv 8080 || fail "passed while the listener is still there"
	local el; el=$(jqr '.results[0].elapsed_ms' "$OUT")
	[ "$el" -ge 1000 ] && [ "$el" -le 6000 ] || fail "held after $el ms, the listener went at ~2 s"
	# refused once the listener is gone; reset when an attempt met it as it closed
	assert_match "$(jqr '.results[0].error' "$OUT")" "^Connection (refused|reset by peer)$" "the last attempt's error"
	nsl -q down tcp >/dev/null
}

# 300 expectations with within: 10, all held once the listener comes (~2 s): the run takes
# about that, not 300 retries in a row nor one within per expectation.
t_probe_within_many() {
	tcp_need
	local x="" i
	for i in $(seq 1 300); do
		case $((i % 3)) in
		0) x+="  - { from: cli, to: srv, tcp: 8080, within: 10 }"$'\n' ;;
		1) x+="  - { from: cli, to: \"fd07::1\", tcp: 8080, within: 10 }"$'\n' ;;
		2) x+="  - { from: cli, to: srv, within: 10 }"$'\n' ;;
		esac
	done
	tcp_lab /tmp/t.yaml "$x"
	nsl -q up /tmp/t.yaml >/dev/null
	local before t0 ms
	before=$(tcp_mib srv PassiveOpens)
	listen_in srv 8080 2
	t0=$(ms_now)
	run "$NSLAB" -j test tcp
	ms=$(($(ms_now) - t0))
	assert_rc 0 "300 expectations with within: $(jqr '[.results[] | select(.ok | not)][0]' "$OUT")"
	assert_eq "$(jqr '.passed' "$OUT")" 300
	[ "$ms" -ge 1500 ] && [ "$ms" -le 8000 ] || fail "300 expectations with within 10 took $ms ms"
	# Each TCP expectation connected once it held: 200 handshakes in srv's kernel.
	local n; n=$(($(tcp_mib srv PassiveOpens) - before))
	[ "$n" -ge 200 ] || fail "srv completed $n handshakes, expected at least 200"
	nsl -q down tcp >/dev/null
}
