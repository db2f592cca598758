# SPDX-License-Identifier: GPL-2.0-or-later
# Topology files: MTU of bridges and their ports; what may be given as the file.
# Sourced by tests/run.sh after tests/lib.sh; each t_* runs in a fresh sandbox.

# A bridge stated at mtu 9000 stays at 9000 once its ports join: ports without an mtu of
# their own take the bridge's, on both ends of the veth. (The kernel lowers a bridge to its
# smallest port's MTU, so before the fix the bridge ended at 1500 and status showed no drift.)
t_bridge_mtu() {
	local f=/tmp/bmtu.yaml
	cat >"$f" <<'EOF'
name: bmtu
prefix: "bm-"
bridges:
  jumbo: { mtu: 9000, address: 10.61.0.1/24 }
nodes:
  h1: { interfaces: { eth0: { bridge: jumbo, address: 10.61.0.11/24 } } }
  h2: { interfaces: { eth0: { bridge: jumbo, address: 10.61.0.12/24, mtu: 9000 } } }
EOF
	nsl -q up "$f" >/dev/null
	assert_eq "$(ip -j link show bmtu-jumbo | jq -r '.[0].mtu')" 9000 "bridge mtu"
	assert_eq "$(ip -j link show master bmtu-jumbo | jq -r '[.[].mtu] | unique | join(",")')" 9000 \
		"bridge ends of the ports"
	assert_eq "$(ip -j link show master bmtu-jumbo | jq -r 'length')" 2 "two ports"
	for h in h1 h2; do
		assert_eq "$(ip -n bm-$h -j link show eth0 | jq -r '.[0].mtu')" 9000 "$h:eth0 mtu"
	done
	# Jumbo frames cross the bridge unfragmented.
	ip netns exec bm-h1 ping -c1 -W2 -M do -s 8972 10.61.0.12 >/dev/null ||
		fail "no 9000-byte ping across the bridge"
	nsl -q up "$f" >/dev/null
	run "$NSLAB" plan "$f"
	assert_rc 0 "plan"
	assert_match "$OUT" "0 changes" "plan of the unchanged lab"
	nsl -q down bmtu >/dev/null
}

# A port that states another mtu than its bridge is refused before anything is made.
t_bridge_mtu_conflict() {
	local before
	before=$(state_snapshot)
	cat >/tmp/bad.yaml <<'EOF'
name: bmtu
bridges: { jumbo: { mtu: 9000 } }
nodes:
  h1: { interfaces: { eth0: { bridge: jumbo, mtu: 1500 } } }
EOF
	run "$NSLAB" up /tmp/bad.yaml
	assert_rc 1 "up"
	assert_eq "$ERR" "/tmp/bad.yaml:4:51: interface 'h1:eth0': mtu 1500 differs from the mtu 9000 of its bridge 'jumbo' (a bridge takes its smallest port's mtu)" "error"
	assert_eq "$(state_snapshot)" "$before" "nothing changed"
}

# A FIFO (or a directory) given as the topology file is refused at once: opening a FIFO for
# reading waits for a writer, so every verb that reads a file used to hang.
t_topo_fifo_refused() {
	local d=/tmp/fifo verb
	mkdir -p "$d"
	mkfifo "$d/lab.yaml"
	for verb in up plan graph status test down; do
		RC=0
		ERR=$(timeout 10 "$NSLAB" "$verb" "$d/lab.yaml" 2>&1 >/dev/null) || RC=$?
		[ "$RC" -ne 124 ] || fail "nslab $verb FIFO: still blocked after 10 s"
		assert_rc 1 "nslab $verb FIFO"
		assert_match "$ERR" "^nslab: .*$d/lab\.yaml.*not a regular file \(a FIFO\)" "nslab $verb FIFO"
		assert_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "one error line ($verb)"
	done
	run timeout 10 "$NSLAB" plan "$d"
	assert_rc 1 "plan DIR"
	assert_match "$ERR" "not a regular file \(a directory\)" "plan DIR"
}
