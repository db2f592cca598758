# SPDX-License-Identifier: GPL-2.0-or-later
# Topology files: nslab up / down / status / plan / graph / test / exec.
# Sourced by tests/run.sh after tests/lib.sh; each t_* runs in a fresh sandbox.

TOPOS=${TOP}/topologies

# Like state_snapshot, without directory timestamps. The first netns ever made turns the run
# dir into a bind mount (as `ip netns add` does) and that stays: _snap makes that happen first.
_snap() {
	if [ -z "${_SNAP_WARM:-}" ]; then
		ip netns add nslab-warm-up && ip netns del nslab-warm-up
		_SNAP_WARM=1
	fi
	{
		ls -A /run/netns /etc/netns /run/nslab 2>/dev/null
		ip -o link show | sed 's/ state [A-Z]* / /'
		ip -o addr show
		ip route show table all
		grep -c . /proc/self/mountinfo
		for f in /run/netns/*; do [ -e "$f" ] && ip -n "$(basename "$f")" -o link show; done
	} 2>/dev/null | md5sum
}

# nothing of lab LAB left: no netns, no state, no /etc/netns entries, no nslab-marked link
_nothing_left() {
	[ -z "$(ls -A /run/netns 2>/dev/null)" ] || fail "netns left: $(ls /run/netns)"
	[ -z "$(ls -A /run/nslab 2>/dev/null)" ] || fail "state left: $(ls -A /run/nslab)"
	[ -z "$(ls -A /etc/netns 2>/dev/null)" ] || fail "etc left: $(ls -A /etc/netns)"
	[ "$(ip -o link show | grep -vc ': lo:')" = 0 ] || fail "links left: $(ip -o link show)"
}

# star N: one root bridge, N nodes, each pinging the next one (N expectations)
_star() {
	local n=$1 i
	echo "name: star$n"
	echo "prefix: \"s-\""
	echo "bridges: { br0: { address: 10.50.0.1/16 } }"
	echo "nodes:"
	for ((i = 1; i <= n; i++)); do
		echo "  n$i: { interfaces: { eth0: { bridge: br0, address: 10.50.$((i / 250)).$((i % 250 + 2))/16 } }, routes: [ \"default via 10.50.0.1\" ] }"
	done
	echo "expect:"
	for ((i = 1; i <= n; i++)); do
		echo "  - { from: n$i, to: n$((i % n + 1)), timeout_ms: 3000 }"
	done
}

t_topo_examples() {
	local before f lab j n
	before=$(_snap)
	for f in demo twolans chain dualstack switch; do
		nsl -q up "$TOPOS/$f.yaml" >/dev/null
		lab=$(sed -n 's/^name: //p' "$TOPOS/$f.yaml")
		run "$NSLAB" test "$TOPOS/$f.yaml"
		assert_rc 0 "test $f: $OUT"
		assert_match "$OUT" " 0 failed" "test $f"
		j=$(nsl -j status "$lab")
		assert_eq "$(jqr '.state' "$j")" up "status $f"
		assert_eq "$(jqr '.drift | length' "$j")" 0 "drift $f"
		n=$(grep -c '^  [a-z0-9]*:' <(sed -n '/^nodes:/,/^[a-z]/p' "$TOPOS/$f.yaml"))
		assert_eq "$(jqr '.nodes | length' "$j")" "$n" "node count $f"
		# every address of the file is in the kernel, read back with ip
		for node in $(jq -r ".nodes[].name" <<<"$j"); do
			ns=$(jqr ".nodes[] | select(.name==\"$node\") | .netns" "$j")
			for a in $(jq -r ".nodes[] | select(.name==\"$node\") | .interfaces[].addr_info[] | \"\\(.local)/\\(.prefixlen)\"" <<<"$j"); do
				ip -n "$ns" -j addr show | jq -e --arg a "$a" \
					'[.[].addr_info[] | "\(.local)/\(.prefixlen)"] | index($a) != null' >/dev/null ||
					fail "$f: $a missing in netns $ns"
			done
		done
		pids=$(jq -r '.nodes[].processes[] | select(.running) | .pid' <<<"$j")
		[ "$(jq '[.nodes[].processes[]] | length' <<<"$j")" = "$(grep -c '^    run:' "$TOPOS/$f.yaml")" ] ||
			fail "$f: a run process is missing"
		nsl -q down "$lab" >/dev/null
		_nothing_left
		for pid in $pids; do
			[ ! -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" || fail "$f: process $pid left"
		done
		assert_eq "$(_snap)" "$before" "$f: system back to where it was"
	done
}

t_topo_status_text_and_processes() {
	cat >/tmp/p.yaml <<'Y'
name: proc
bridges: { br0: {} }
nodes:
  a:
    interfaces: { eth0: { bridge: br0, address: 10.9.0.1/24 } }
    run: { command: [sleep, infinity], namespaces: [uts, pid, ipc, mount] }
    exec: [ "echo hello > /tmp/exec-ran" ]
  b:
    interfaces: { eth0: { bridge: br0, address: 10.9.0.2/24 } }
expect:
  - { from: a, to: b }
Y
	nsl -q up /tmp/p.yaml >/dev/null
	j=$(nsl -j status proc)
	pid=$(jqr '.nodes[] | select(.name=="a") | .processes[0].pid' "$j")
	assert_eq "$(jqr '.nodes[] | select(.name=="a") | .processes[0].running' "$j")" true "process running"
	[ -d "/proc/$pid" ] || fail "pid $pid not alive"
	assert_eq "$(readlink /proc/$pid/ns/net)" "$(ip netns exec a readlink /proc/self/ns/net)" "process in the node netns"
	run "$NSLAB" exec proc a -- hostname
	assert_rc 0
	assert_eq "$OUT" a "hostname in node a"
	run "$NSLAB" exec proc b -- ip -o -4 addr show dev eth0
	assert_match "$OUT" "10.9.0.2/24" "exec in node b"
	run "$NSLAB" exec proc b -- sh -c 'exit 7'
	assert_rc 7 "exec exit status"
	nsl test proc >/dev/null
	nsl -q down proc >/dev/null
	# dead: gone, or a zombie waiting for the host's init to reap it
	[ ! -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" || fail "process $pid survived down"
	_nothing_left
}

t_topo_up_twice_no_change() {
	local s1 s2
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	s1=$(_snap)
	run "$NSLAB" up "$TOPOS/demo.yaml"
	assert_rc 0
	assert_match "$OUT" "0 changes" "second up"
	s2=$(_snap)
	assert_eq "$s2" "$s1" "kernel unchanged by the second up"
	run "$NSLAB" plan "$TOPOS/demo.yaml"
	assert_match "$OUT" "^0 changes$" "plan of an unchanged lab"
	nsl -q down demo >/dev/null
	_nothing_left
}

t_topo_edit_plan_apply() {
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	sed -e 's|10.0.0.11/24|10.0.0.21/24|' "$TOPOS/demo.yaml" >/tmp/d.yaml
	cat >>/tmp/d.yaml <<'Y'
  - { from: web, to: extra }
Y
	sed -i 's|^expect:|  extra:\n    interfaces:\n      eth0: { bridge: br0, address: 10.0.0.30/24 }\n    routes: [ "default via 10.0.0.1" ]\nexpect:|' /tmp/d.yaml
	web_if=$(ip -n web -j link show eth0 | jq -r '.[0].ifindex')
	run "$NSLAB" -j plan /tmp/d.yaml
	assert_rc 0
	plan=$(jq -r '.changes[] | "\(.op) \(.what)"' <<<"$OUT" | sort | tr '\n' '|')
	assert_eq "$plan" "+ addr db:eth0 10.0.0.21/24|+ addr extra:eth0 10.0.0.30/24|+ dns extra|+ iface extra:eth0|+ node extra|+ route extra default via 10.0.0.1|- addr db:eth0 10.0.0.11/24|" "plan"
	run "$NSLAB" up /tmp/d.yaml
	assert_rc 0
	assert_match "$OUT" " 7 changes" "up applies the plan"
	# untouched objects stay: same ifindex, same netns
	assert_eq "$(ip -n web -j link show eth0 | jq -r '.[0].ifindex')" "$web_if" "web eth0 untouched"
	assert_eq "$(ip -n db -j addr show dev eth0 | jq -r '[.[0].addr_info[] | select(.family=="inet") | .local] | join(",")')" "10.0.0.21" "db address changed"
	run "$NSLAB" test /tmp/d.yaml
	assert_rc 0 "test after edit: $OUT"
	run "$NSLAB" up /tmp/d.yaml
	assert_match "$OUT" "0 changes"
	# and back: the node is removed again
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	[ ! -e /run/netns/extra ] || fail "node extra not removed"
	nsl -q down demo >/dev/null
	_nothing_left
}

t_topo_crash_every_step() {
	local before k n rc
	before=$(_snap)
	# the same lab, with a short wait for the expectation that must not be reached
	sed -e 's/reach: false }/reach: false, timeout_ms: 300 }/' -e '/reach: false/!s/^\(  - { .*\) }$/\1, timeout_ms: 1500 }/' \
		"$TOPOS/twolans.yaml" >/tmp/tw.yaml
	# The number of kernel changes of a full up of the twolans lab (changes >= plan steps).
	for ((k = 1; k <= 60; k++)); do
		rc=0
		NSLAB_TEST_CRASH_AFTER=$k "$NSLAB_HOOKS" -q up "$TOPOS/twolans.yaml" >/dev/null 2>&1 || rc=$?
		if [ "$rc" -eq 0 ]; then
			nsl -q down twolans >/dev/null
			break
		fi
		[ "$rc" -eq 137 ] || fail "crash at $k: exit $rc"
		if ((k % 2)); then
			nsl -q down twolans >/dev/null
			nsl -q down twolans >/dev/null # twice in a row is fine
		else
			# up after a crash converges to the whole lab
			nsl -q up "$TOPOS/twolans.yaml" >/dev/null
			run "$NSLAB" test /tmp/tw.yaml
			assert_rc 0 "test after crash at $k and up: $OUT"
			# bridges are built with snooping off: the converging up turns it back on
			for br in $(ip -j -d link show type bridge | jq -r '.[] | select(.ifalias == "nslab:twolans") | .ifname'); do
				assert_eq "$(ip -j -d link show "$br" | jq '.[0].linkinfo.info_data.mcast_snooping')" 1 "$br snooping after crash at $k"
			done
			nsl -q down "$TOPOS/twolans.yaml" >/dev/null
		fi
		_nothing_left
		assert_eq "$(_snap)" "$before" "crash at $k then down leaves nothing"
	done
	[ "$k" -gt 10 ] || fail "only $k steps?"
	echo "crashed after each of the first $((k - 1)) kernel changes; up number $k ran to the end"
}

t_topo_down_without_file_and_gone_objects() {
	cp "$TOPOS/twolans.yaml" /tmp/t.yaml
	nsl -q up /tmp/t.yaml >/dev/null
	rm /tmp/t.yaml
	ip netns del tl-h1           # gone behind nslab's back
	ip link del twolans-lan2     # and a bridge
	run "$NSLAB" -j status twolans
	assert_eq "$(jqr '.state' "$OUT")" drifted
	assert_match "$(jqr '.drift | join(";")' "$OUT")" "netns tl-h1 is missing" "drift names the netns"
	nsl -q down twolans >/dev/null
	_nothing_left
	nsl -q down twolans >/dev/null
	run "$NSLAB" down nosuchlab
	assert_rc 0 "down of a lab that is not up"
}

t_topo_foreign_objects_untouched() {
	local before
	ip netns add web
	ip link add demo-br0 type bridge
	before=$(_snap)
	run "$NSLAB" up "$TOPOS/demo.yaml"
	assert_rc 3 "netns that is not ours"
	assert_eq "$(_snap)" "$before" "nothing changed"
	ip netns del web
	before=$(_snap)
	run "$NSLAB" up "$TOPOS/demo.yaml"
	assert_rc 3 "link that is not ours"
	assert_match "$ERR" "demo-br0" "names the device"
	assert_eq "$(_snap)" "$before" "nothing changed"
	ip link del demo-br0
	# a foreign device that reuses a name the journal has is not deleted by down
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	ip link del demo-br0
	ip link add demo-br0 type bridge
	ip link set demo-br0 alias "someone else"
	nsl -q down demo >/dev/null
	ip link show demo-br0 >/dev/null 2>&1 || fail "foreign demo-br0 was deleted"
	ip link del demo-br0
	_nothing_left
}

t_topo_two_labs_side_by_side() {
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	nsl -q up "$TOPOS/switch.yaml" >/dev/null
	run "$NSLAB" -j status
	assert_eq "$(jqr '[.[].name] | join(",")' "$OUT")" "demo,switched,twolans" "three labs listed"
	for f in demo twolans switch; do
		run "$NSLAB" test "$TOPOS/$f.yaml"
		assert_rc 0 "test $f: $OUT"
	done
	nsl -q down twolans >/dev/null
	run "$NSLAB" test demo
	assert_rc 0 "demo still works after twolans went: $OUT"
	nsl -q down demo >/dev/null
	nsl -q down switched >/dev/null
	_nothing_left
}

t_topo_same_lab_twice_exit3() {
	local before
	before=$(_snap)
	mkdir -p /run/nslab
	flock -n /run/nslab/demo.lock sleep 3 &
	sleep 0.3
	run "$NSLAB" up "$TOPOS/demo.yaml"
	assert_rc 3 "lock held"
	assert_match "$ERR" "locked" "says why"
	run "$NSLAB" down demo
	assert_rc 3 "down while locked"
	wait
	rm -f /run/nslab/demo.lock
	assert_eq "$(_snap)" "$before" "nothing changed"
	# two real ups at once: exactly one gets 3, or the second came after the first finished
	_star 60 >/tmp/s.yaml
	"$NSLAB" -q up /tmp/s.yaml >/tmp/o1 2>/tmp/e1 & p1=$!
	"$NSLAB" -q up /tmp/s.yaml >/tmp/o2 2>/tmp/e2 & p2=$!
	r1=0 r2=0
	wait $p1 || r1=$?
	wait $p2 || r2=$?
	[ "$((r1 + r2))" -eq 3 ] || [ "$((r1 + r2))" -eq 0 ] || fail "exit codes $r1 $r2: $(cat /tmp/e1 /tmp/e2)"
	run "$NSLAB" test /tmp/s.yaml
	assert_rc 0 "star after concurrent ups"
	nsl -q down star60 >/dev/null
	_nothing_left
}

t_topo_star200() {
	local before t0
	before=$(_snap)
	_star 200 >/tmp/s.yaml
	nsl -q up /tmp/s.yaml >/dev/null
	assert_eq "$(ls /run/netns | wc -l)" 200 "200 netns"
	assert_eq "$(ip -o link show master star200-br0 | wc -l)" 200 "200 bridge ports"
	[ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ] || fail "host IPv6 touched"
	# (sysctls are written through a procfs instance of nslab's own, renewed every 64
	# lookups: nodes on both sides of a renewal)
	for i in 7 64 65 129 200; do
		assert_eq "$(ip netns exec s-n$i cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 1 "IPv6 off in v4-only s-n$i"
	done
	# The bridge ends with the kernel's default multicast snooping, in the ports' device
	# group (one group delete takes the whole lab's root side).
	assert_eq "$(ip -j -d link show star200-br0 | jq '.[0].linkinfo.info_data.mcast_snooping')" 1 "snooping back on"
	assert_eq "$(ip -j link show master star200-br0 | jq -r '[.[].group] | unique | length')" 1 "one group for the ports"
	assert_eq "$(ip -j link show star200-br0 | jq -r '.[0].group')" \
		"$(ip -j link show master star200-br0 | jq -r '.[0].group')" "bridge in the ports' group"
	run "$NSLAB" -j test /tmp/s.yaml
	assert_rc 0 "200 expectations"
	assert_eq "$(jqr '.passed' "$OUT")" 200
	nsl -q down star200 >/dev/null
	_nothing_left
	assert_eq "$(_snap)" "$before"
}

t_topo_bad_corpus() {
	local f want before got
	before=$(_snap)
	for f in "$TOP"/tests/bad/topo/*.yaml; do
		want=$(sed -n '1s/^# expect: //p' "$f")
		[ -n "$want" ] || fail "$f has no expect line"
		run "$NSLAB" up "$f"
		assert_rc 1 "$f"
		got=$(head -1 <<<"$ERR")
		assert_eq "$got" "$f:$want" "message of $(basename "$f")"
		assert_eq "$(_snap)" "$before" "$f changed the system"
	done
	: >/tmp/empty.yaml
	run "$NSLAB" up /tmp/empty.yaml
	assert_rc 1
	assert_match "$ERR" "^/tmp/empty.yaml:1:1: empty file" "empty file"
	{ echo "name: big"; echo "nodes: { a: {} }"; head -c 4300000 /dev/zero | tr '\0' '#'; echo; } >/tmp/big.yaml
	run "$NSLAB" up /tmp/big.yaml
	assert_rc 1
	assert_match "$ERR" "larger than 4 MiB" "big file"
	assert_eq "$(_snap)" "$before"
}

t_topo_netem_refused_rate_applied() {
	local before
	cat >/tmp/n.yaml <<'Y'
name: nem
nodes: { a: {}, b: {} }
links:
  - { endpoints: [a:eth0, b:eth0], rate: 10mbit, delay: 10ms }
Y
	before=$(_snap)
	run "$NSLAB" up /tmp/n.yaml
	if [ -e /sys/module/sch_netem ]; then skip "this kernel has sch_netem"; fi
	assert_rc 2 "netem"
	assert_match "$ERR" "kernel lacks sch_netem" "netem message"
	assert_eq "$(_snap)" "$before" "nothing changed"
	nsl -q up "$TOPOS/chain.yaml" >/dev/null
	tc -n ch-r3 -j qdisc show dev eth1 | jq -e '.[] | select(.kind=="tbf")' >/dev/null || fail "no tbf on r3:eth1"
	tc -n ch-r4 -j qdisc show dev eth0 | jq -e '.[] | select(.kind=="tbf")' >/dev/null || fail "no tbf on r4:eth0"
	assert_eq "$(ip -n ch-r2 -j link show eth1 | jq -r '.[0].mtu')" 9000 "link mtu"
	nsl -q down chain >/dev/null
	_nothing_left
}

t_topo_graph_deterministic() {
	local a b
	a=$(nsl graph "$TOPOS/twolans.yaml")
	# the same lab written in another order draws the same
	python3 - "$TOPOS/twolans.yaml" >/tmp/r.yaml <<'P'
import sys
lines = open(sys.argv[1]).read().split('\n')
start = lines.index('nodes:')
end = lines.index('expect:')
blocks, cur = [], []
for l in lines[start + 1:end]:
    if l.startswith('  ') and not l.startswith('    ') and cur:
        blocks.append(cur); cur = []
    cur.append(l)
blocks.append(cur)
print('\n'.join(lines[:start + 1] + [l for b in reversed(blocks) for l in b] + lines[end:]))
P
	b=$(nsl graph /tmp/r.yaml)
	assert_eq "$b" "$a" "graph independent of file order"
	assert_match "$a" '"node:h1" -- "bridge:lan1" \[taillabel="eth0", label="10.1.1.0/24"\]' "edge with ifname and prefix"
	if command -v dot >/dev/null; then dot -Tsvg <<<"$a" >/dev/null || fail "dot rejects the graph"; fi
	run "$NSLAB" graph "$TOPOS/chain.yaml" --format mermaid
	assert_match "$OUT" "^graph LR" mermaid
	run "$NSLAB" graph "$TOPOS/chain.yaml" --format json
	assert_eq "$(jqr '.edges | length' "$OUT")" 3 "json edges"
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	assert_eq "$(nsl graph twolans)" "$a" "graph of the running lab"
	nsl -q down twolans >/dev/null
}

t_topo_progress() {
	local n
	run "$NSLAB" up "$TOPOS/demo.yaml"
	assert_match "$ERR" "^\[1/[0-9]+\] add node web" "progress lines on stderr"
	run "$NSLAB" -q down demo
	assert_eq "$ERR" "" "quiet"
	# down counts its steps up front: one total, 1..n in order, ending at n/n
	for lab in demo twolans; do
		nsl -q up "$TOPOS/$lab.yaml" >/dev/null
		run "$NSLAB" down $lab
		n=$(grep -c '^\[' <<<"$ERR")
		assert_eq "$(grep -o '^\[[0-9]*/[0-9]*\]' <<<"$ERR" | tr '\n' ' ')" \
			"$(for ((i = 1; i <= n; i++)); do printf '[%d/%d] ' $i $n; done)" "$lab down progress"
	done
}

t_topo_drift_repair() {
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	ip netns del tl-h1
	ip link del twolans-lan2
	run "$NSLAB" -j plan "$TOPOS/twolans.yaml"
	assert_match "$(jqr '[.changes[].what] | join(";")' "$OUT")" "node h1 \(drift: netns tl-h1 is missing\)" "plan names the missing netns"
	assert_match "$(jqr '[.changes[].what] | join(";")' "$OUT")" "bridge lan2 \(drift: bridge is missing\)" "plan names the missing bridge"
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	run "$NSLAB" test "$TOPOS/twolans.yaml"
	assert_rc 0 "repaired lab passes: $OUT"
	assert_eq "$(ip -n tl-h3 -j route show default | jq -r '.[0].gateway')" 10.1.2.1 "h3 route put back"
	run "$NSLAB" up "$TOPOS/twolans.yaml"
	assert_match "$OUT" " 0 changes" "converged"
	nsl -q down twolans >/dev/null
	_nothing_left
}

t_topo_failed_up_unwinds() {
	local before
	cat >/tmp/f.yaml <<'Y'
name: fl
bridges: { br0: {} }
nodes:
  a:
    interfaces: { eth0: { bridge: br0, address: 10.9.0.1/24 } }
    exec: [ "true", "exit 3" ]
  b:
    interfaces: { eth0: { bridge: br0, address: 10.9.0.2/24 } }
Y
	before=$(_snap)
	run "$NSLAB" up /tmp/f.yaml
	assert_rc 2 "failed exec fails the up"
	assert_match "$ERR" "node 'a': exec 'exit 3' exited 3" "names node and command"
	_nothing_left
	assert_eq "$(_snap)" "$before" "unwound"
}

t_topo_node_made_anew() {
	# web gains an IPv6 address: its netns, where IPv6 was off, is made anew under the same
	# names, which must wait for the kernel to finish removing the old veth.
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	old_ino=$(stat -L -c %i /run/netns/web)
	sed 's|eth0: { bridge: br0, address: 10.0.0.10/24 }|eth0: { bridge: br0, address: [10.0.0.10/24, "fd00::10/64"] }|' \
		"$TOPOS/demo.yaml" >/tmp/d6.yaml
	run "$NSLAB" -j plan /tmp/d6.yaml
	assert_eq "$(jqr '[.changes[] | select(.op=="~") | .what] | index("node web") != null' "$OUT")" true "node web changes"
	nsl -q up /tmp/d6.yaml >/dev/null
	[ "$(stat -L -c %i /run/netns/web)" != "$old_ino" ] || fail "netns web not made anew"
	assert_eq "$(ip netns exec web cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 0 "IPv6 on in web"
	ip -n web -j addr show dev eth0 | jq -e '.[0].addr_info[] | select(.local=="fd00::10")' >/dev/null ||
		fail "fd00::10 missing"
	run "$NSLAB" test /tmp/d6.yaml
	assert_rc 0 "test: $OUT"
	run "$NSLAB" up /tmp/d6.yaml
	assert_match "$OUT" " 0 changes"
	nsl -q down demo >/dev/null
	_nothing_left
}

t_topo_two_labs_at_once() {
	local before ra=0 rb=0
	before=$(_snap)
	_star 100 >/tmp/a.yaml
	sed -e 's/^name: star100/name: startwo/' -e 's/^prefix: "s-"/prefix: "t-"/' -e 's/10\.50\./10.60./g' /tmp/a.yaml >/tmp/b.yaml
	"$NSLAB" -q up /tmp/a.yaml >/dev/null & pa=$!
	"$NSLAB" -q up /tmp/b.yaml >/dev/null & pb=$!
	wait $pa || ra=$?
	wait $pb || rb=$?
	assert_eq "$ra $rb" "0 0" "both ups"
	run "$NSLAB" test star100
	assert_rc 0 "star100: $OUT"
	run "$NSLAB" test startwo
	assert_rc 0 "startwo: $OUT"
	"$NSLAB" -q down star100 >/dev/null & pa=$!
	"$NSLAB" -q down startwo >/dev/null & pb=$!
	wait $pa || ra=$?
	wait $pb || rb=$?
	assert_eq "$ra $rb" "0 0" "both downs"
	_nothing_left
	assert_eq "$(_snap)" "$before"
}

t_topo_down_with_netns_held() {
	# Someone else's process in the root netns keeps a node's netns alive through an fd: down
	# still removes the lab's host-side links, returns, and leaves that process alone. A
	# process inside the node's netns is the lab's, whoever started it: down stops it.
	nsl -q up "$TOPOS/demo.yaml" >/dev/null
	sleep 30 3</run/netns/cache &
	holder=$!
	ip netns exec cache sleep 30 &
	inside=$!
	sleep 0.2
	SECONDS=0
	nsl -q down demo >/dev/null
	[ "$SECONDS" -le 10 ] || fail "down took ${SECONDS}s"
	kill -0 "$holder" || fail "the foreign process was killed"
	sleep 0.1
	[ "$(ps -o stat= -p "$inside" 2>/dev/null | cut -c1)" != S ] || fail "the process inside the lab's netns survived"
	kill "$holder"
	wait "$holder" || true
	wait "$inside" 2>/dev/null || true
	_nothing_left
}

t_topo_test_not_up() {
	# test of a lab that is not up must not pass its reach: false expectations: it refuses,
	# by file or by name, before probing anything (no ping socket is ever opened)
	local before
	before=$(_snap)
	run "$NSLAB" test "$TOPOS/twolans.yaml"
	assert_rc 1 "test of a lab that is not up"
	assert_eq "$ERR" "nslab: test 'twolans': lab is not up"
	assert_eq "$OUT" ""
	# (LeakSanitizer cannot run under ptrace: the sanitizer build checks leaks elsewhere)
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -e trace=socket -o /tmp/strace.out "$NSLAB" test twolans
	assert_rc 1 "test by name"
	assert_match "$ERR" "no lab 'twolans' is up|lab is not up"
	grep -q 'IPPROTO_ICMP\|SOCK_RAW' /tmp/strace.out && fail "a probe socket was opened"
	assert_eq "$(_snap)" "$before"
}

t_topo_test_more_pairs_than_the_neighbour_tables_hold() {
	# 700 pairs talking: more than the kernel's shared neighbour tables hold at once
	# (gc_thresh3, 1,024 entries, two a pair): test goes in waves and flushes between them.
	"$TOP/bench/star.sh" -e 700 many >/tmp/many.yaml
	nsl -q up /tmp/many.yaml >/dev/null
	run "$NSLAB" -j test /tmp/many.yaml
	assert_rc 0 "test of 700 pairs: $(jqr '[.results[] | select(.ok | not)] | length' "$OUT") failed"
	assert_eq "$(jqr '.passed' "$OUT")" 700 "all 700 passed"
	nsl -q down many >/dev/null
	_nothing_left
}
