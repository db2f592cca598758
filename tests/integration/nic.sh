# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 4: hot-adding NICs to running processes, containers and named netns (`nslab nic`).
# Every case reads the kernel back, inside the "container" and on the host.
# The cases that need a test hook (NSLAB_TEST_*) run NSLAB_HOOKS, the CLI built on the
# -DNSLAB_TEST_HOOKS library (tests/run.sh sets it); the shipped nslab ignores those variables.
NSLAB_HOOKS=${NSLAB_HOOKS:-$TOP/build/tests/nslab-hooks}

NIC_PIDS=()
nic_cleanup() {
	local p
	for p in "${NIC_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	return 0
}

# nic_find_sleep PID: the first descendant of PID that runs sleep in another netns.
nic_find_sleep() {
	local c
	for c in $(pgrep -P "$1"); do
		if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = sleep ] &&
			[ "$(readlink "/proc/$c/ns/net")" != "$(readlink /proc/self/ns/net)" ]; then
			echo "$c"
			return 0
		fi
		nic_find_sleep "$c" && return 0
	done
	return 1
}

# nic_have_launcher: `nslab run` and `nslab enter` are built (their usage is not empty).
nic_have_launcher() {
	[ -n "$("$NSLAB" run help 2>/dev/null)" ] && [ -n "$("$NSLAB" enter help 2>/dev/null)" ]
}

# nic_ctr VAR: start a "container" (new net, uts and pid namespaces) running `sleep 600`
# with `nslab run` (unshare(1) until the launcher exists); VAR gets the PID of its sleep.
nic_ctr() {
	local launcher pid="" i how
	trap nic_cleanup EXIT
	if nic_have_launcher; then
		how="nslab run"
		"$NSLAB" run --net --uts --pid -- sleep 600 </dev/null >/dev/null 2>&1 &
	else
		how="unshare"
		unshare --net --uts --pid --fork --kill-child sleep 600 </dev/null >/dev/null 2>&1 &
	fi
	launcher=$!
	NIC_PIDS+=("$launcher")
	for i in $(seq 100); do
		pid=$(nic_find_sleep "$launcher") && break
		sleep 0.05
	done
	[ -n "$pid" ] || fail "the container did not start"
	echo "container $pid started with $how" >&2
	NIC_PIDS+=("$pid")
	printf -v "$1" '%s' "$pid"
}

# nic_in PID CMD...: run CMD in the netns of PID (`nslab enter PID --net`, else nsenter).
nic_in() {
	local pid=$1
	shift
	if nic_have_launcher; then
		"$NSLAB" enter "$pid" --net -- "$@"
	else
		nsenter -t "$pid" -n -- "$@"
	fi
}

# nic_host_links: the host's link names and altnames, one per line, sorted.
nic_host_links() {
	ip -j link show | jq -r '.[] | .ifname, (.altnames // [])[]' | sort
}

nic_state_files() {
	ls -A /run/nslab/nic 2>/dev/null | tr '\n' ' '
}

# nic_kill PID: end a container and wait until its process is gone.
nic_kill() {
	kill -9 "$1" 2>/dev/null || true
	for _ in $(seq 100); do [ -e "/proc/$1" ] || break; sleep 0.02; done
}

# nic_wait_gone LINK: a dying netns takes its veth ends along asynchronously (cleanup_net
# runs from a workqueue); wait up to 10 s for the host end LINK to go.
nic_wait_gone() {
	for _ in $(seq 200); do ip link show "$1" >/dev/null 2>&1 || return 0; sleep 0.05; done
	fail "$1 still exists 10 s after its netns went away"
}

# Done 1: a NIC on br0 with an address and a gateway; seen from inside; ping over br0.
t_nic_add_pid_bridge_ping() {
	local c1 c2 a host
	nic_ctr c1
	nic_ctr c2
	nsl nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 gw 10.31.0.1 >/dev/null
	nsl nic add "$c2" bridge br0 name eth1 addr 10.31.0.3/24 >/dev/null
	a=$(nic_in "$c1" ip -j addr show dev eth1)
	assert_eq "$(jqr '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' "$a")" \
		"10.31.0.2/24" "eth1 address inside c1"
	assert_eq "$(jqr '.[0].operstate' "$a")" "UP" "eth1 operstate"
	a=$(nic_in "$c1" ip -j route show default)
	assert_eq "$(jqr '.[0].gateway + " " + .[0].dev' "$a")" "10.31.0.1 eth1" "default route in c1"
	nic_in "$c1" ping -c1 -W2 10.31.0.3 >/dev/null || fail "ping c1 -> c2 over br0"
	# The host end: derived name <= 15 bytes, on br0, up, altname and marker.
	a=$(ip -j -d link show | jq -c --arg n "pid$c1:eth1" '.[] | select((.altnames // []) | index($n))')
	host=$(jqr '.ifname' "$a")
	assert_match "$host" '^nsl[0-9a-f]{12}$' "host-side name"
	assert_eq "$(jqr '.master' "$a")" "br0" "host end master"
	assert_eq "$(jqr '.operstate' "$a")" "UP" "host end state"
	assert_eq "$(jqr '.ifalias' "$a")" "nslab:nic:pid$c1:eth1" "ownership marker"
	[ -f "/run/nslab/nic/pid$c1:eth1" ] || fail "no state record"
	assert_eq "$(jqr '.[0].linkinfo.info_kind' "$(ip -j -d link show br0)")" "bridge" "br0 created"
}

# Done 2: a second NIC on another bridge with IPv6; both listed; v4 default route kept.
t_nic_second_nic_ipv6() {
	local c1 a l
	nic_ctr c1
	nsl nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 gw 10.31.0.1 >/dev/null
	nsl nic add "$c1" bridge br1 name eth2 addr fd00:31::2/64 gw fd00:31::1 nodad >/dev/null
	a=$(nic_in "$c1" ip -j addr show dev eth2)
	assert_eq "$(jqr '[.[0].addr_info[] | select(.family=="inet6" and .scope=="global") | "\(.local)/\(.prefixlen)"] | join(",")' "$a")" \
		"fd00:31::2/64" "eth2 IPv6 address"
	a=$(nic_in "$c1" ip -6 -j route show default)
	assert_eq "$(jqr '.[0].gateway + " " + .[0].dev' "$a")" "fd00:31::1 eth2" "v6 default route"
	a=$(nic_in "$c1" ip -4 -j route show default)
	assert_eq "$(jqr '.[0].gateway + " " + .[0].dev' "$a")" "10.31.0.1 eth1" "v4 default route kept"
	assert_eq "$(ip -j link show | jq -r '[.[] | select(.ifname=="br0" or .ifname=="br1") | .ifname] | sort | join(",")')" \
		"br0,br1" "both bridges"
	l=$(nsl -j nic list "$c1")
	assert_eq "$(jqr '[.[] | .ifname + "@" + .bridge] | join(",")' "$l")" "eth1@br0,eth2@br1" "nic list -j"
	assert_eq "$(jqr '[.[] | .present] | all' "$l")" "true" "both present"
	assert_eq "$(jqr '.[1].addr_info[0].local' "$l")" "fd00:31::2" "listed IPv6 address"
	l=$(nsl nic list "$c1")
	assert_eq "$(wc -l <<<"$l")" "2" "text list lines"
	assert_match "$l" "pid$c1:eth2 veth host nsl[0-9a-f]+ bridge br1" "text list"
}

# Done 3: `nic del` leaves no trace on the host (links, altnames, bridge, state) or inside.
t_nic_del_no_trace() {
	local c1 before inside
	nic_ctr c1
	before=$(nic_host_links)
	inside=$(nic_in "$c1" ip -j link show | jq -c '[.[].ifname]')
	nsl nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 gw 10.31.0.1 >/dev/null
	nsl nic add "$c1" bridge br1 name eth2 addr fd00:31::2/64 >/dev/null
	nsl nic del "$c1" name eth1 --prune-bridge
	nsl nic del "$c1" name eth2 --prune-bridge
	assert_eq "$(nic_host_links)" "$before" "host links and altnames"
	assert_eq "$(nic_in "$c1" ip -j link show | jq -c '[.[].ifname]')" "$inside" "links inside"
	assert_eq "$(nic_in "$c1" ip -j route show | jq length)" "0" "routes inside"
	assert_eq "$(nic_state_files)" "" "state records"
	assert_eq "$(nsl -j nic list)" "[]" "nic list after del"
	# Deleting again: nothing recorded, usage error.
	run "$NSLAB" nic del "$c1" name eth1
	assert_rc 1
	assert_match "$ERR" "no NIC 'pid$c1:eth1' was added by nslab" "message"
}

# Issue "honest tests" 9: after the last `nic del` nothing stays in the state dir, no empty
# nic/ either; nor after an add that failed, before or after writing its record.
t_nic_state_dir_empty_after_del() {
	local c1
	nic_ctr c1
	nsl nic add "$c1" bridge br0 name eth1 >/dev/null
	nsl nic add "$c1" bridge br0 name eth2 >/dev/null
	nsl nic del "$c1" name eth1
	assert_eq "$(nic_state_files)" "pid$c1:eth2 " "the other record stays"
	nsl nic del "$c1" name eth2
	[ -e /run/nslab/nic ] && fail "state dir after the last del: $(ls -la /run/nslab/nic)"
	# Rolled back after the record was written (unreachable gateway).
	run "$NSLAB" nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 gw 10.99.0.1
	assert_rc 2
	[ -e /run/nslab/nic ] && fail "state dir after a rolled-back add: $(ls -la /run/nslab/nic)"
	# Refused before any record: the logical name is held by a link nslab does not own.
	ip link add nsltestx type veth peer name nsltesty
	ip link property add dev nsltestx altname "pid$c1:eth1"
	run "$NSLAB" nic add "$c1" bridge br0 name eth1
	assert_rc 3
	[ -e /run/nslab/nic ] && fail "state dir after a refused add: $(ls -la /run/nslab/nic)"
	ip link del nsltestx
	assert_eq "$(nsl -j nic list)" "[]" "nic list with no state dir"
	return 0
}

# The last del removes nic/, which is also the lock: adds and dels racing with it must wait
# for the directory that is there, not one that was removed while they waited.
t_nic_state_dir_add_del_race() {
	local c1 i pids=()
	nic_ctr c1
	for i in 1 2 3 4; do
		(
			for _ in 1 2 3 4 5; do
				"$NSLAB" nic add "$c1" bridge br0 name "eth$i" >/dev/null || exit 1
				"$NSLAB" nic del "$c1" name "eth$i" || exit 1
			done
		) 2>"/tmp/nic.$i.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a racing add/del failed: $(cat /tmp/nic.*.err)"; done
	assert_eq "$(nic_in "$c1" ip -j link show | jq -r '[.[].ifname] | join(",")')" "lo" "links inside"
	[ -e /run/nslab/nic ] && fail "state dir left: $(ls -la /run/nslab/nic)"
	return 0
}

# --prune-bridge leaves a bridge nslab did not make, and one that still has ports.
t_nic_prune_only_own_bridge() {
	local c1
	nic_ctr c1
	ip link add brU type bridge
	nsl nic add "$c1" bridge brU name eth1 >/dev/null
	nsl nic add "$c1" bridge br0 name eth2 >/dev/null
	nsl nic add "$c1" bridge br0 name eth3 >/dev/null
	nsl nic del "$c1" name eth1 --prune-bridge
	ip link show brU >/dev/null 2>&1 || fail "the user's bridge was removed"
	nsl nic del "$c1" name eth2 --prune-bridge
	ip link show br0 >/dev/null 2>&1 || fail "br0 removed while eth3 is still on it"
	nsl nic del "$c1" name eth3
	ip link show br0 >/dev/null 2>&1 || fail "br0 removed without --prune-bridge"
}

# Done 4: a PID that does not exist: clear error, exit 2, nothing changed.
t_nic_no_such_pid() {
	local before pid
	sleep 0 &
	pid=$!
	wait "$pid"
	[ -e "/proc/$pid" ] && skip "PID $pid was reused at once"
	before=$(state_snapshot)
	run "$NSLAB" nic add "$pid" bridge br0 name eth1 addr 10.31.0.2/24
	assert_rc 2
	assert_match "$ERR" "^nslab: nic add '$pid': no such process $pid$" "message"
	assert_eq "$(state_snapshot)" "$before" "system state"
	assert_eq "$(nic_state_files)" "" "state records"
}

# Done 4: the target exits in the middle of the add: clear error, everything rolled back.
t_nic_target_exits_midway() {
	local c1 before pid i
	nic_ctr c1
	before=$(nic_host_links)
	NSLAB_TEST_NIC_PAUSE_MS=5000 "$NSLAB_HOOKS" nic add "$c1" bridge br0 name eth1 \
		addr 10.31.0.2/24 gw 10.31.0.1 >/tmp/nic.out 2>/tmp/nic.err &
	pid=$!
	for i in $(seq 200); do
		ip link show "pid$c1:eth1" >/dev/null 2>&1 && break
		sleep 0.02
	done
	ip link show "pid$c1:eth1" >/dev/null 2>&1 || fail "the NIC never appeared"
	nic_kill "$c1"
	RC=0
	wait "$pid" || RC=$?
	ERR=$(cat /tmp/nic.err)
	assert_rc 2
	assert_match "$ERR" "target process $c1 exited meanwhile" "message"
	assert_eq "$(nic_host_links)" "$before" "host links (veth and the bridge it made)"
	assert_eq "$(nic_state_files)" "" "state records"
}

# Done 4: re-adding an IF that exists fails with exit 3 and changes nothing.
t_nic_readd_conflict() {
	local c1 before inside
	nic_ctr c1
	nsl nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 >/dev/null
	before=$(nic_host_links)
	inside=$(nic_in "$c1" ip -j addr show | jq -c '[.[] | {ifname, addr_info: [.addr_info[].local]}]')
	run "$NSLAB" nic add "$c1" bridge br0 name eth1 addr 10.31.0.9/24
	assert_rc 3
	assert_match "$ERR" "'eth1' already exists in the target" "message"
	# An interface nslab did not add is protected the same way.
	nic_in "$c1" ip link add eth5 type veth peer name eth6
	run "$NSLAB" nic add "$c1" bridge br0 name eth6
	assert_rc 3
	nic_in "$c1" ip link del eth5
	assert_eq "$(nic_host_links)" "$before" "host links"
	assert_eq "$(nic_in "$c1" ip -j addr show | jq -c '[.[] | {ifname, addr_info: [.addr_info[].local]}]')" \
		"$inside" "inside"
	assert_eq "$(nic_state_files)" "pid$c1:eth1 " "state records"
}

# Done 5: TARGET `netns NAME` for a netns made by `ip netns add`; ping to a PID container.
t_nic_netns_target() {
	local c1 a
	nic_ctr c1
	ip netns add blue
	nsl nic add netns blue bridge br0 addr 10.31.0.5/24 gw 10.31.0.1 >/dev/null
	nsl nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 >/dev/null
	a=$(ip -n blue -j addr show dev eth0)
	assert_eq "$(jqr '.[0].addr_info[] | select(.family=="inet") | .local' "$a")" "10.31.0.5" "eth0 in blue"
	assert_eq "$(ip -n blue -j route show default | jq -r '.[0].gateway')" "10.31.0.1" "default in blue"
	ip link set lo up
	ip netns exec blue ping -c1 -W2 10.31.0.2 >/dev/null || fail "ping blue -> c1"
	assert_eq "$(nsl -j nic list netns blue | jq -r '.[0].name')" "ns-blue:eth0" "listed"
	ip link show "ns-blue:eth0" >/dev/null || fail "altname on the host"
	nsl nic del netns blue name eth0 --prune-bridge
	assert_eq "$(ip -n blue -j link show | jq -c '[.[].ifname]')" '["lo"]' "blue after del"
	ip link show "ns-blue:eth0" >/dev/null 2>&1 && fail "host end left behind"
	assert_eq "$(nic_state_files)" "pid$c1:eth1 " "state records"
	run "$NSLAB" nic add netns nosuch bridge br0
	assert_rc 1
	assert_match "$ERR" "netns 'nosuch' does not exist" "message"
}

# A failing step (an unreachable gateway) rolls back the veth, the bridge and the record.
t_nic_rollback_on_failure() {
	local c1 before inside
	nic_ctr c1
	before=$(nic_host_links)
	inside=$(nic_in "$c1" ip -j link show | jq -c '[.[].ifname]')
	run "$NSLAB" nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 gw 10.99.0.1
	assert_rc 2
	assert_match "$ERR" "^nslab: nic add '$c1': " "message"
	assert_eq "$(nic_host_links)" "$before" "host links"
	assert_eq "$(nic_in "$c1" ip -j link show | jq -c '[.[].ifname]')" "$inside" "inside"
	assert_eq "$(nic_state_files)" "" "state records"
}

# Default name (first free ethN), MAC from a seed (stable, local, unicast), MTU of the bridge.
t_nic_defaults_mac_mtu() {
	local c1 c2 a m1 m2
	nic_ctr c1
	nic_ctr c2
	ip link add brM type bridge
	ip link set brM mtu 1400
	nsl nic add "$c1" bridge brM mac seed:web-1 >/dev/null
	nsl nic add "$c1" bridge brM >/dev/null
	a=$(nic_in "$c1" ip -j link show)
	assert_eq "$(jqr '[.[].ifname] | join(",")' "$a")" "lo,eth0,eth1" "default names"
	assert_eq "$(jqr '.[] | select(.ifname=="eth0") | .mtu' "$a")" "1400" "MTU of the bridge"
	m1=$(jqr '.[] | select(.ifname=="eth0") | .address' "$a")
	nsl nic add "$c2" bridge brM name eth7 mac seed:web-1 mtu 1300 >/dev/null
	a=$(nic_in "$c2" ip -j link show dev eth7)
	m2=$(jqr '.[0].address' "$a")
	assert_eq "$m2" "$m1" "same seed, same MAC"
	assert_eq "$(jqr '.[0].mtu' "$a")" "1300" "explicit MTU"
	# Locally administered (bit 1 set), unicast (bit 0 clear).
	assert_eq "$(( 0x${m1%%:*} & 3 ))" "2" "MAC bits of $m1"
	nsl nic del "$c1" name eth0
	nsl nic add "$c1" bridge brM name eth0 mac seed:web-1 >/dev/null
	assert_eq "$(nic_in "$c1" ip -j link show dev eth0 | jq -r '.[0].address')" "$m1" "stable across runs"
	nsl nic add "$c1" bridge brM name eth9 mac 02:11:22:33:44:55 >/dev/null
	assert_eq "$(nic_in "$c1" ip -j link show dev eth9 | jq -r '.[0].address')" "02:11:22:33:44:55" "fixed MAC"
	assert_eq "$(nsl -j nic list "$c1" | jq -r '.[] | select(.ifname=="eth9") | .address + " " + (.mtu|tostring)')" \
		"02:11:22:33:44:55 1400" "listed MAC and MTU"
}

# `macvlan PARENT [mode M]`: born in the target, never on the host; two of them talk.
t_nic_macvlan() {
	local c1 c2 before a
	nic_ctr c1
	nic_ctr c2
	ip link add pv0 type veth peer name pv1
	ip link set pv0 up
	ip link set pv1 up
	before=$(nic_host_links)
	nsl nic add "$c1" macvlan pv0 name mv1 addr 10.32.0.2/24 >/dev/null
	nsl nic add "$c2" macvlan pv0 mode bridge addr 10.32.0.3/24 mac seed:m2 >/dev/null
	assert_eq "$(nic_host_links)" "$before" "nothing new on the host"
	a=$(nic_in "$c1" ip -j -d link show dev mv1)
	assert_eq "$(jqr '.[0].linkinfo.info_kind + " " + .[0].linkinfo.info_data.mode' "$a")" "macvlan bridge" "kind and mode"
	assert_eq "$(jqr '.[0].ifalias' "$a")" "nslab:nic:pid$c1:mv1" "marker"
	assert_eq "$(jqr '.[0].operstate' "$a")" "UP" "up"
	nic_in "$c1" ping -c1 -W2 10.32.0.3 >/dev/null || fail "ping between the macvlans"
	assert_eq "$(nsl -j nic list "$c2" | jq -r '.[0].kind + " " + .[0].parent + " " + .[0].ifname')" \
		"macvlan pv0 eth0" "listed"
	nsl nic del "$c1" name mv1
	assert_eq "$(nic_in "$c1" ip -j link show | jq -c '[.[].ifname]')" '["lo"]' "macvlan removed"
	run "$NSLAB" nic add "$c1" macvlan nosuch0
	assert_rc 1
	run "$NSLAB" nic add "$c1" macvlan pv0 mode weird
	assert_rc 1
	run "$NSLAB" nic add "$c1" bridge br0 macvlan pv0
	assert_rc 1
	assert_eq "$(nic_state_files)" "pid$c2:eth0 " "state records"
}

# A target that went away: listed as gone, its host end with it; del cleans the record.
t_nic_gone_target() {
	local c1 l
	nic_ctr c1
	nsl nic add "$c1" bridge br0 name eth1 >/dev/null
	nic_kill "$c1"
	nic_wait_gone "pid$c1:eth1"
	l=$(nsl -j nic list)
	assert_eq "$(jqr '.[0].name + " " + (.[0].present|tostring)' "$l")" "pid$c1:eth1 false" "listed as gone"
	assert_match "$(nsl nic list)" "\(gone\)$" "text list"
	ip link show "pid$c1:eth1" >/dev/null 2>&1 && fail "host end outlived the target"
	nsl nic del "$c1" name eth1 --prune-bridge
	assert_eq "$(nic_state_files)" "" "state records"
	ip link show br0 >/dev/null 2>&1 && fail "br0 not pruned"
	return 0
}

# Input errors: one line, exit 1, nothing changed.
t_nic_usage_errors() {
	local before c
	before=$(state_snapshot)
	for c in "nic add" "nic add 0" "nic add netns" "nic add netns ../x" "nic add 1 name a/b" \
		"nic add 1 addr 10.0.0.300/24" "nic add 1 gw 10.0.0.1 gw 10.0.0.2" "nic add 1 mac 01:00:00:00:00:01" \
		"nic add 1 mtu 20" "nic add 1 mode bridge" "nic add 1 bogus" "nic del 1" "nic add -x"; do
		run "$NSLAB" $c
		assert_rc 1 "$c"
		assert_eq "$(grep -c '^nslab: ' <<<"$ERR")" "1" "one error line for '$c'"
	done
	run "$NSLAB" nic add $$ bridge br0
	assert_rc 1
	assert_match "$ERR" "host's own network namespace" "own netns"
	assert_eq "$(state_snapshot)" "$before" "system state"
}

# A container name goes through docker/podman inspect; without an engine, a clear error.
t_nic_container_target() {
	local before
	before=$(state_snapshot)
	run "$NSLAB" nic add web1 bridge br0 addr 10.31.0.2/24
	assert_rc 2
	if command -v docker >/dev/null || command -v podman >/dev/null; then
		assert_match "$ERR" "^nslab: nic add 'web1': (docker|podman) inspect failed: " "message"
	else
		assert_match "$ERR" "neither docker nor podman is installed" "message"
	fi
	run "$NSLAB" nic add podman:web1 bridge br0
	assert_rc 2
	command -v podman >/dev/null || assert_match "$ERR" "the podman CLI is not installed" "podman message"
	assert_eq "$(state_snapshot)" "$before" "system state"
	assert_eq "$(nic_state_files)" "" "state records"
}

# docker:NAME through the engine's CLI (`docker inspect --format {{.State.Pid}}`), here a
# stand-in on PATH that knows one container; an engine that hangs is given up on in time.
t_nic_container_via_engine_cli() {
	local c1 before a t0
	nic_ctr c1
	mkdir -p /tmp/fakebin
	cat >/tmp/fakebin/docker <<'SH'
#!/bin/sh
[ "$1 $2 $3 $4" = "inspect --format {{.State.Pid}} --" ] || { echo "unexpected: $*" >&2; exit 2; }
case $5 in
web1) echo "$FAKE_PID" ;;
hung) exec sleep 29.75 ;;
*) echo "Error: No such object: $5" >&2; exit 1 ;;
esac
SH
	chmod +x /tmp/fakebin/docker
	FAKE_PID=$c1 PATH=/tmp/fakebin:$PATH nsl nic add docker:web1 bridge br0 name eth1 addr 10.31.0.2/24 >/dev/null
	a=$(nic_in "$c1" ip -j addr show dev eth1)
	assert_eq "$(jqr '.[0].addr_info[] | select(.family=="inet") | .local' "$a")" 10.31.0.2 "eth1 in the container"
	before=$(state_snapshot)
	FAKE_PID=$c1 PATH=/tmp/fakebin:$PATH run "$NSLAB" nic add docker:nosuch bridge br0
	assert_rc 2
	assert_match "$ERR" "^nslab: nic add 'docker:nosuch': docker inspect failed: Error: No such object: nosuch$" "unknown"
	t0=$SECONDS
	NSLAB_TEST_INSPECT_TIMEOUT_MS=300 PATH=/tmp/fakebin:$PATH run "$NSLAB_HOOKS" nic add docker:hung bridge br0
	assert_rc 2
	assert_match "$ERR" "docker inspect did not answer within 300 ms" "hung engine"
	[ $((SECONDS - t0)) -lt 5 ] || fail "waited for the hung engine"
	pgrep -fx "sleep 29.75" >/dev/null && fail "the hung inspect was left running"
	assert_eq "$(state_snapshot)" "$before" "system state after the failures"
	FAKE_PID=$c1 PATH=/tmp/fakebin:$PATH nsl nic del docker:web1 name eth1 >/dev/null
	nic_in "$c1" ip link show eth1 >/dev/null 2>&1 && fail "eth1 left in the container"
	return 0
}

# Parallel adds with default names to one target: the state lock hands out eth0..eth3 once each.
t_nic_parallel_default_names() {
	local c1 i pids=()
	nic_ctr c1
	for i in 1 2 3 4; do
		"$NSLAB" nic add "$c1" bridge br0 addr "10.31.0.1$i/24" >/dev/null 2>"/tmp/nic.$i.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a parallel add failed: $(cat /tmp/nic.*.err)"; done
	assert_eq "$(nic_in "$c1" ip -j link show | jq -r '[.[].ifname] | sort | join(",")')" \
		"eth0,eth1,eth2,eth3,lo" "names inside"
	assert_eq "$(nic_state_files)" "pid$c1:eth0 pid$c1:eth1 pid$c1:eth2 pid$c1:eth3 " "records"
	assert_eq "$(ip -j link show master br0 | jq length)" "4" "ports on br0"
}

# `-n NETNS`: the host side lives in that netns; del and list find it there without -n.
t_nic_host_side_in_netns() {
	local c1 a
	nic_ctr c1
	ip netns add hub
	nsl -n hub nic add "$c1" bridge br0 name eth1 addr 10.31.0.2/24 >/dev/null
	ip link show br0 >/dev/null 2>&1 && fail "bridge made in the root netns"
	a=$(ip -n hub -j link show "pid$c1:eth1")
	assert_eq "$(jqr '.[0].master' "$a")" "br0" "host end on br0 in hub"
	assert_eq "$(nsl -j nic list | jq -r '.[0].present')" "true" "listed as present without -n"
	nsl nic del "$c1" name eth1 --prune-bridge
	assert_eq "$(ip -n hub -j link show | jq -c '[.[].ifname]')" '["lo"]' "hub after del"
	assert_eq "$(nic_in "$c1" ip -j link show | jq -c '[.[].ifname]')" '["lo"]' "container after del"
}

# A renamed IF is still "already added" (exit 3); a record left by a netns that was deleted
# and made again is stale and replaced.
t_nic_record_conflict_and_stale() {
	local c1
	nic_ctr c1
	nsl nic add "$c1" bridge br0 name eth1 >/dev/null
	nic_in "$c1" ip link set eth1 down
	nic_in "$c1" ip link set eth1 name foo
	run "$NSLAB" nic add "$c1" bridge br0 name eth1
	assert_rc 3
	assert_match "$ERR" "'pid$c1:eth1' is already added" "message"
	ip netns add blue
	nsl nic add netns blue bridge br0 name eth1 addr 10.31.0.5/24 >/dev/null
	ip netns del blue
	ip netns add blue
	nic_wait_gone "ns-blue:eth1"
	assert_eq "$(nsl -j nic list netns blue | jq -r '.[0].present')" "false" "gone with its netns"
	nsl nic add netns blue bridge br0 name eth1 addr 10.31.0.6/24 >/dev/null
	assert_eq "$(ip -n blue -j addr show dev eth1 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')" \
		"10.31.0.6" "re-added"
	assert_eq "$(nsl -j nic list netns blue | jq -r '.[0].present')" "true" "record replaced"
}

# Several adds in one process (-b): each target's netns session is dropped with its fd, so
# the next target, which may get the same fd number, is never confused with it.
t_nic_batch() {
	local c1 c2
	nic_ctr c1
	nic_ctr c2
	printf '%s\n' "nic add $c1 bridge br0 name eth1 addr 10.31.0.2/24" \
		"nic add $c2 bridge br0 name eth1 addr 10.31.0.3/24" \
		"nic add $c2 bridge br0 name eth2 addr 10.31.0.4/24" | nsl -b - >/dev/null
	assert_eq "$(nic_in "$c1" ip -j link show | jq -r '[.[].ifname] | join(",")')" "lo,eth1" "c1 links"
	assert_eq "$(nic_in "$c2" ip -j link show | jq -r '[.[].ifname] | join(",")')" "lo,eth1,eth2" "c2 links"
	nic_in "$c1" ping -c1 -W2 10.31.0.4 >/dev/null || fail "ping c1 -> c2 eth2"
	printf '%s\n' "nic del $c1 name eth1" "nic del $c2 name eth1" "nic del $c2 name eth2 --prune-bridge" |
		nsl -b - >/dev/null
	assert_eq "$(nic_state_files)" "" "state records"
	ip link show br0 >/dev/null 2>&1 && fail "br0 left"
	return 0
}
