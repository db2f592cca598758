# SPDX-License-Identifier: GPL-2.0-or-later
# veth, bridge and link verbs, read back with ip -j.

t_veth_both_ends_in_place() {
	nsl netns add n1
	nsl netns add n2
	nsl veth add a peer b netns n1 peer-netns n2 mtu 1400 address 02:00:00:00:00:0a peer-address 02:00:00:00:00:0b
	assert_eq "$(ip -n n1 -j link show a | jq -r '.[0].mtu')" 1400 "a mtu"
	assert_eq "$(ip -n n2 -j link show b | jq -r '.[0].address')" 02:00:00:00:00:0b "b mac"
	assert_eq "$(ip -n n1 -j link show a | jq -r '.[0].address')" 02:00:00:00:00:0a "a mac"
	# One queue each way on both ends (the kernel default would be one per CPU, then trimmed).
	assert_eq "$(ip -n n1 -d -j link show a | jq -r '.[0] | "\(.num_tx_queues) \(.num_rx_queues)"')" "1 1" "a queues"
	assert_eq "$(ip -n n2 -d -j link show b | jq -r '.[0] | "\(.num_tx_queues) \(.num_rx_queues)"')" "1 1" "b queues"
	# Neither end ever appears in the root netns.
	ip link show a >/dev/null 2>&1 && fail "a in root"
	ip link show b >/dev/null 2>&1 && fail "b in root"
	# nslab -j link show agrees with ip -j.
	for ns in n1 n2; do
		ours=$(nsl -n $ns -j link show | jq -c '[.[] | {ifname, mtu, address, operstate}]')
		theirs=$(ip -n $ns -j link show | jq -c '[.[] | {ifname, mtu, address, operstate}]')
		assert_eq "$ours" "$theirs" "link show in $ns"
	done
	nsl -n n1 link del a
	ip -n n2 link show b >/dev/null 2>&1 && fail "peer b survived"
	return 0
}

t_bridge_attach_detach_show() {
	nsl bridge add br0 stp off mtu 1500
	run "$NSLAB" bridge add br1 vlan-filtering on
	if [ "$RC" -eq 0 ]; then
		assert_eq "$(ip -d -j link show br1 | jq -r '.[0].linkinfo.info_data.vlan_filtering')" 1 "vlan filtering"
	else
		# This kernel lacks CONFIG_BRIDGE_VLAN_FILTERING: the message must say so.
		assert_rc 2
		assert_match "$ERR" "kernel lacks bridge VLAN filtering" "vlan filtering message"
		ip link show br1 >/dev/null 2>&1 && fail "br1 left behind"
	fi
	assert_eq "$(ip -d -j link show br0 | jq -r '.[0].linkinfo.info_data.stp_state')" 0 "stp off"
	assert_eq "$(ip -d -j link show br0 | jq -r '.[0].linkinfo.info_data.mcast_snooping')" 1 "snooping: kernel default"
	nsl bridge add br2 mcast-snooping off
	assert_eq "$(ip -d -j link show br2 | jq -r '.[0].linkinfo.info_data.mcast_snooping')" 0 "snooping off"
	nsl bridge del br2
	assert_eq "$(ip -j link show br0 | jq -r '.[0].flags | index("UP") != null')" true "bridge up"
	nsl veth add p0 peer p1
	nsl bridge attach br0 p0
	assert_eq "$(ip -j link show p0 | jq -r '.[0].master')" br0 "p0 master"
	assert_eq "$(nsl -j bridge show br0 | jq -c '.[0].ports')" '["p0"]' "bridge show ports"
	nsl bridge detach p0
	assert_eq "$(ip -j link show p0 | jq -r '.[0].master // "none"')" none "detached"
	nsl bridge del br0
	ip link show br0 >/dev/null 2>&1 && fail "br0 still there"
	return 0
}

t_link_set_everything() {
	nsl netns add m
	nsl bridge add brx
	nsl veth add h0 peer h1
	nsl link set h0 up mtu 9000 address 02:11:22:33:44:55 alias "lab port" master brx
	j=$(ip -j link show h0)
	assert_eq "$(jq -r '.[0].mtu' <<<"$j")" 9000 "mtu"
	assert_eq "$(jq -r '.[0].address' <<<"$j")" 02:11:22:33:44:55 "mac"
	assert_eq "$(jq -r '.[0].ifalias' <<<"$j")" "lab port" "alias"
	assert_eq "$(jq -r '.[0].master' <<<"$j")" brx "master"
	nsl link set h0 nomaster down
	assert_eq "$(ip -j link show h0 | jq -r '.[0].master // "none"')" none "nomaster"
	# Move into a netns by name, then rename inside it.
	nsl link set h1 netns m
	nsl -n m link set h1 name eth0 up
	assert_eq "$(ip -n m -j link show eth0 | jq -r '.[0].ifname')" eth0 "renamed in m"
	# By PID (pid:N, never a bare number) and by path too.
	nsl veth add q0 peer q1
	sleep 30 & pid=$!
	unshare --net sleep 30 & upid=$!
	sleep 0.2
	run "$NSLAB" link set q1 netns $upid
	assert_rc 1 "a bare number is a netns name"
	assert_match "$ERR" "netns '$upid' does not exist" "bare number"
	ip link show q1 >/dev/null || fail "q1 moved by a bare number"
	nsl link set q1 netns pid:$upid
	assert_eq "$(nsenter -t $upid -n ip -j link show q1 | jq -r '.[0].ifname')" q1 "moved by pid"
	nsl link set q0 netns /run/netns/m
	assert_eq "$(ip -n m -j link show q0 | jq -r '.[0].ifname')" q0 "moved by path"
	kill $pid $upid; wait 2>/dev/null || true
	return 0
}

t_kernel_refusal_shows_extack() {
	nsl bridge add ka
	nsl bridge add kb
	# A bridge cannot be a port of a bridge: the kernel refuses with its own words.
	run "$NSLAB" link set ka master kb
	assert_rc 2 "kernel refusal"
	assert_match "$ERR" "^nslab: link set 'ka': .+: Can not enslave a bridge to a bridge" "errno text and extack"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "one line"
	assert_eq "$(ip -j link show ka | jq -r '.[0].master // "none"')" none "nothing changed"
	run "$NSLAB" -j link set ka master kb
	assert_eq "$(jq -r '.error.exit_code' <<<"$OUT")" 2 "json error"
}

t_batch_stops_and_force() {
	cat >/tmp/b1 <<'B'
bridge add bb0
# a comment
veth add 'bv0' peer "bv1"
link set nope up
bridge add bb1
B
	run "$NSLAB" -b /tmp/b1
	assert_rc 1 "batch stops at the error"
	ip link show bv0 >/dev/null || fail "line 3 applied"
	ip link show bb1 >/dev/null 2>&1 && fail "line 5 must not run"
	assert_match "$ERR" "stopped at line 4" "stop message"
	printf 'link set nope up\nbridge add bb2\n' | "$NSLAB" --force -b - 2>/dev/null || true
	ip link show bb2 >/dev/null || fail "--force went on"
	return 0
}

t_batch_line_limits() {
	# A NUL byte would cut the word short: "netns add a\0b" used to add "a".
	run bash -c "printf 'netns add a\\0b\\n' | '$NSLAB' -b -"
	assert_rc 1 "NUL byte"
	assert_eq "$ERR" "nslab: batch '-' line 1: NUL byte in line" "NUL message"
	[ -z "$(ls /run/netns)" ] || fail "created: $(ls /run/netns)"
	# A line past 64 KiB stops the batch at that line, also with --force; earlier lines ran.
	{ echo "bridge add lb0"; head -c 70000 /dev/zero | tr '\0' x; echo; echo "bridge add lb1"; } >/tmp/long
	run "$NSLAB" --force -b /tmp/long
	assert_rc 1 "long line"
	assert_eq "$ERR" "nslab: batch '/tmp/long' line 2: line longer than 65536 bytes" "long message"
	ip link show lb0 >/dev/null || fail "line 1 not applied"
	ip link show lb1 >/dev/null 2>&1 && fail "line 3 ran after the long line"
	# No newline at all (/dev/zero): bounded memory, one line, exit 1.
	run timeout 10 "$NSLAB" -b /dev/zero
	assert_rc 1 "/dev/zero"
	assert_eq "$ERR" "nslab: batch '/dev/zero' line 1: NUL byte in line" "/dev/zero message"
	# Exactly 65536 bytes is still a line (a comment here).
	{ printf '#'; head -c 65535 /dev/zero | tr '\0' x; echo; echo "bridge add lb2"; } >/tmp/max
	nsl -b /tmp/max
	ip link show lb2 >/dev/null || fail "a 65536-byte line was refused"
}

t_control_bytes_escaped_and_alias_refused() {
	nsl veth add e0 peer e1
	run "$NSLAB" link set e0 alias $'two\nlines'
	assert_rc 1 "newline in alias"
	assert_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "one error line"
	assert_eq "$(ip -j link show e0 | jq -r '.[0].ifalias // "none"')" none "alias not set"
	run "$NSLAB" link set e0 alias $'tab\there'
	assert_rc 1 "tab in alias"
	nsl link set e0 alias "fine alias é"
	assert_eq "$(ip -j link show e0 | jq -r '.[0].ifalias')" "fine alias é" "a printable alias works"
	# A name with a newline and an escape sequence: escaped in text and in JSON, one line.
	run "$NSLAB" link set $'e\n\e[2J' up
	assert_rc 1 "bad name"
	assert_eq "$ERR" "nslab: link set 'e\\n\\x1b[2J': interface name contains '/', ':', '%', whitespace or a control character" "escaped"
	run "$NSLAB" -j netns del $'n\x01'
	assert_rc 1
	assert_eq "$(jqr '.error.name' "$OUT")" 'n\x01' "JSON name escaped"
}

t_help_and_version() {
	run "$NSLAB" veth help
	assert_rc 0
	assert_match "$OUT" "^Usage: nslab veth add" "veth help"
	run "$NSLAB" -V
	assert_match "$OUT" "^nslab [0-9]" "version"
	for o in netns veth bridge link addr route dns hosts sysctl; do
		run "$NSLAB" $o help
		[ "$RC" -eq 0 ] && [[ "$OUT" =~ Usage ]] || fail "$o help"
	done
}
