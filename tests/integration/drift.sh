# SPDX-License-Identifier: GPL-2.0-or-later
# Drift: one definition of a lab's live state (nsl_topo_drift), shared by status, plan and up.
# Each case changes the kernel behind nslab's back, then asserts that status names it, that
# plan lists it as a change, that up repairs it (read back), and that status is clean again.
# Sourced by tests/run.sh after tests/lib.sh; each t_* runs in a fresh sandbox.

_dr_lab() {
	cat >/tmp/dr.yaml <<'Y'
name: drift
prefix: "dr-"
bridges: { lan: { address: 10.77.0.1/24 } }
nodes:
  a:
    sysctls: { net.ipv4.ip_forward: 1 }
    interfaces: { eth0: { bridge: lan, address: 10.77.0.2/24 } }
    routes: [ "10.78.0.0/24 via 10.77.0.1" ]
    run: { command: [sleep, infinity], namespaces: [uts, mount] }
  b:
    interfaces: { eth0: { bridge: lan, address: 10.77.0.3/24 } }
expect:
  - { from: a, to: b, timeout_ms: 5000 }   # a repaired port: its carrier may take a moment
Y
	nsl -q up /tmp/dr.yaml >/dev/null
	# The lab's `run` process would outlive the sandbox (and keep its netns): always down.
	trap '"$NSLAB" -q down drift >/dev/null 2>&1 || true' EXIT
}

# status LAB, status (all labs) and plan must all see what was done by hand: object $1, drift $2
_dr_seen() {
	local j
	j=$(nsl -j status drift)
	assert_eq "$(jqr '.state' "$j")" drifted "status drift ($1)"
	assert_match "$(jqr '.drift | join(";")' "$j")" "$1: $2" "status names it"
	j=$(nsl -j status)
	assert_eq "$(jqr '.[] | select(.name=="drift") | .state' "$j")" drifted "status of all labs ($1)"
	j=$(nsl -j plan /tmp/dr.yaml)
	assert_match "$(jqr '[.changes[].what] | join(";")' "$j")" "$1 \\(drift: $2\\)" "plan lists it"
}

_dr_repaired() {
	local j
	nsl -q up /tmp/dr.yaml >/dev/null
	j=$(nsl -j status drift)
	assert_eq "$(jqr '.state' "$j")" up "status after up ($1)"
	assert_eq "$(jqr '.drift | length' "$j")" 0 "no drift after up ($1)"
	assert_match "$(nsl plan /tmp/dr.yaml)" "0 changes" "plan after up ($1)"
}

t_drift_link_down() {
	_dr_lab
	ip -n dr-b link set eth0 down
	_dr_seen "iface b:eth0" "the node end is down"
	_dr_repaired "link down"
	assert_match "$(ip -n dr-b -o link show eth0)" "[<,]UP[,>]" "eth0 is up again"
	run "$NSLAB" test drift
	assert_rc 0 "test after the repair: $OUT"
}

t_drift_address_route_sysctl() {
	_dr_lab
	ip -n dr-a addr del 10.77.0.2/24 dev eth0
	_dr_seen "addr a:eth0 10.77.0.2/24" "the address is missing"
	_dr_repaired "address"
	assert_match "$(ip -n dr-a -o addr show dev eth0)" "10.77.0.2/24" "address back"
	ip -n dr-a route del 10.78.0.0/24
	_dr_seen "route a 10.78.0.0/24 via 10.77.0.1" "the route is missing"
	_dr_repaired "route"
	assert_match "$(ip -n dr-a route show 10.78.0.0/24)" "via 10.77.0.1" "route back"
	ip netns exec dr-a sysctl -qw net.ipv4.ip_forward=0
	_dr_seen "sysctl a net.ipv4.ip_forward=1" "net.ipv4.ip_forward is 0"
	_dr_repaired "sysctl"
	assert_eq "$(ip netns exec dr-a sysctl -n net.ipv4.ip_forward)" 1 "sysctl back"
}

t_drift_dead_process() {
	local pid j
	_dr_lab
	j=$(nsl -j status drift)
	pid=$(jqr '.nodes[] | select(.name=="a") | .processes[0].pid' "$j")
	[ "$pid" -gt 0 ] || fail "no pid"
	kill -9 "$pid"
	for _ in $(seq 50); do [ -d /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null || break; sleep 0.05; done
	# the supervisor reaped it: it reports the exit, and a process that exited so is drift
	_dr_seen "run a" "process [a-z0-9]* exited \\(sig9\\)"
	assert_eq "$(jqr '.nodes[] | select(.name=="a") | .processes[0].running' "$(nsl -j status drift)")" false "running=false"
	_dr_repaired "dead process"
	j=$(nsl -j status drift)
	assert_eq "$(jqr '.nodes[] | select(.name=="a") | .processes[0].running' "$j")" true "running again"
	[ "$(jqr '.nodes[] | select(.name=="a") | .processes[0].pid' "$j")" != "$pid" ] || fail "the same pid"
}

t_drift_hosts_file() {
	_dr_lab
	rm /etc/netns/dr-b/hosts
	_dr_seen "hosts b" "hosts is missing"
	_dr_repaired "hosts file"
	grep -q 'dr-\|10.77.0.2' /etc/netns/dr-b/hosts || fail "hosts not written again"
}

t_drift_incomplete_lab_counts_its_netns() {
	# an up that died half-way: status of all labs says incomplete and counts the netns that are there
	local j
	_dr_lab
	printf '%s\n' "$(head -n -1 /run/nslab/drift/journal)" >/run/nslab/drift/journal.new
	mv /run/nslab/drift/journal.new /run/nslab/drift/journal
	rm /run/nslab/drift/lab.yaml
	j=$(nsl -j status)
	assert_eq "$(jqr '.[] | select(.name=="drift") | .state' "$j")" incomplete "state"
	assert_eq "$(jqr '.[] | select(.name=="drift") | .nodes' "$j")" 2 "netns counted"
	nsl -q down drift >/dev/null
}

# A link's rate is a tbf qdisc on each end (qdisc.c): read back against the model.
_dr_qlab() {
	cat >/tmp/dr.yaml <<'Y'
name: drift
prefix: "dr-"
nodes:
  a: { interfaces: { eth0: { address: 10.79.0.1/30 } } }
  b: { interfaces: { eth0: { address: 10.79.0.2/30 } } }
links:
  - { endpoints: [a:eth0, b:eth0], rate: 10mbit }
expect:
  - { from: a, to: b }
Y
	nsl -q up /tmp/dr.yaml >/dev/null
	trap '"$NSLAB" -q down drift >/dev/null 2>&1 || true' EXIT
}

# _dr_tbf NETNS: the rate of the root tbf of eth0 in NETNS, bytes/s ("none" without one).
_dr_tbf() {
	local j
	j=$(tc -n "$1" -j qdisc show dev eth0) || fail "tc qdisc show in $1"
	jq -r '[.[] | select(.kind == "tbf" and .root == true) | .options.rate] | first // "none"' <<<"$j"
}

t_drift_qdisc() {
	_dr_qlab
	assert_eq "$(_dr_tbf dr-a)" 1250000 "tbf 10mbit on a:eth0 after up"
	assert_eq "$(_dr_tbf dr-b)" 1250000 "tbf 10mbit on b:eth0 after up"
	assert_eq "$(nsl -j status drift | jq -r .state)" up "no drift after up"

	# Deleted by hand inside the node: gone, seen, put back.
	tc -n dr-a qdisc del dev eth0 root
	assert_eq "$(_dr_tbf dr-a)" none "the tbf is gone"
	_dr_seen "qdisc a:eth0 b:eth0" "the first end's root qdisc is noqueue, not tbf"
	_dr_repaired "qdisc deleted"
	assert_eq "$(_dr_tbf dr-a)" 1250000 "tbf back on a:eth0 with its rate"
	assert_eq "$(_dr_tbf dr-b)" 1250000 "b:eth0 still shaped"

	# Another rate by hand: seen, and the file's rate put back.
	tc -n dr-b qdisc change dev eth0 root tbf rate 5mbit burst 16k limit 100k
	assert_eq "$(_dr_tbf dr-b)" 625000 "the rate was changed"
	_dr_seen "qdisc a:eth0 b:eth0" "the second end's rate is 5mbit, not 10mbit"
	_dr_repaired "rate changed"
	assert_eq "$(_dr_tbf dr-b)" 1250000 "b:eth0 back at 10mbit"

	# A qdisc of someone else's under ours is not what the file says either.
	tc -n dr-a qdisc add dev eth0 parent 1:1 handle 20: pfifo
	_dr_seen "qdisc a:eth0 b:eth0" "the first end has a pfifo qdisc under its tbf that the lab does not make"
	_dr_repaired "qdisc added under ours"
	assert_eq "$(tc -n dr-a -j qdisc show dev eth0 | jq '[.[] | select(.kind == "pfifo")] | length')" 0 "pfifo gone"
	assert_eq "$(_dr_tbf dr-a)" 1250000 "a:eth0 at 10mbit"
	run "$NSLAB" test drift
	assert_rc 0 "test after the repairs: $OUT"
}
