# SPDX-License-Identifier: GPL-2.0-or-later
# netns verbs: ip-netns compatibility both ways, lo up, list/identify/pids/set/attach/del.

t_add_matches_ip() {
	nsl netns add a1
	# The name file is an nsfs bind mount on a shared run dir, like `ip netns add`.
	findmnt -rn -o FSTYPE /run/netns/a1 | grep -qx nsfs || fail "not an nsfs mount"
	findmnt -rn -o PROPAGATION /run/netns | grep -q shared || fail "run dir not shared"
	ip netns list | grep -qx 'a1' || fail "ip netns list does not show a1"
	# Unlike ip, lo is up.
	assert_eq "$(ip -n a1 -j link show lo | jq -r '.[0].operstate')" UNKNOWN "lo operstate"
	assert_eq "$(ip -n a1 -j link show lo | jq -r '.[0].flags | index("UP") != null')" true "lo UP"
	# ip can enter and delete what nslab made.
	assert_eq "$(ip netns exec a1 ip -j link | jq length)" 1 "links in a1"
	ip netns del a1
	[ ! -e /run/netns/a1 ] || fail "ip netns del left the file"
}

t_ip_made_netns_works_with_nslab() {
	ip netns add fromip
	out=$(nsl -j netns list)
	assert_eq "$(jq -r '.[].name' <<<"$out")" fromip "listed"
	nsl -n fromip link show lo >/dev/null
	nsl veth add x0 peer x1 netns fromip
	assert_eq "$(ip -n fromip -j link show x1 | jq -r '.[0].ifname')" x1 "veth inside ip's netns"
	nsl netns del fromip
	[ ! -e /run/netns/fromip ] || fail "file left"
	ip netns list | grep -q fromip && fail "ip still lists it"
	return 0
}

t_parallel_add_one_mount() {
	local before
	# (counted against what was there: a mount the host has at /run/netns is listed too,
	# under the sandbox's tmpfs)
	before=$(findmnt -rn -o TARGET | grep -cx /run/netns || true)
	for i in $(seq 1 20); do "$NSLAB" netns add p$i & done
	wait
	assert_eq "$(ls /run/netns | wc -l)" 20 "netns files"
	# Exactly one mount on the run dir itself, however the 20 raced.
	assert_eq "$(findmnt -rn -o TARGET | grep -cx /run/netns)" $((before + 1)) "mounts on /run/netns"
	for i in $(seq 1 20); do
		findmnt -rn -o FSTYPE "/run/netns/p$i" | grep -qx nsfs || fail "p$i not mounted"
	done
	nsl netns del --all
	assert_eq "$(ls /run/netns | wc -l)" 0 "after del --all"
}

t_list_json_and_nsid() {
	nsl netns add b
	nsl netns add a
	nsl netns set b 7
	out=$(nsl -j netns list)
	assert_eq "$(jq -c '[.[].name]' <<<"$out")" '["a","b"]' "sorted names"
	assert_eq "$(jq -r '.[] | select(.name=="b") | .id' <<<"$out")" 7 "nsid of b"
	assert_eq "$(ip -j netns list-id | jq -r '.[] | select(.nsid==7) | .name')" b "ip sees nsid 7"
	nsl netns set a auto
	[ "$(nsl -j netns list | jq -r '.[] | select(.name=="a") | .id')" -ge 0 ] || fail "auto nsid"
	run "$NSLAB" netns set b 8
	assert_rc 3 "nsid already set"
	assert_match "$ERR" "already has a nsid" "kernel extack text"
}

t_identify_pids_attach() {
	nsl netns add idn
	ip netns exec idn sleep 30 &
	pid=$!
	sleep 0.3
	assert_eq "$(nsl netns identify $pid)" idn "identify"
	assert_eq "$(nsl -j netns pids idn | jq -r '.[]' | grep -cx $pid)" 1 "pids lists the sleeper"
	# attach names an existing process's netns.
	unshare --net sleep 30 &
	pid2=$!
	sleep 0.3
	nsl netns attach att $pid2
	assert_eq "$(stat -L -c %i /run/netns/att)" "$(stat -L -c %i /proc/$pid2/ns/net)" "attached inode"
	kill $pid $pid2
	wait $pid $pid2 2>/dev/null || true
	nsl netns del idn att
	[ -z "$(ls /run/netns)" ] || fail "left: $(ls /run/netns)"
}

t_del_symlink_and_stale() {
	unshare --net sleep 30 &
	pid=$!
	sleep 0.2
	ln -s /proc/$pid/ns/net /run/netns/clab
	nsl -n clab link show lo >/dev/null
	kill $pid; wait $pid 2>/dev/null || true
	out=$(nsl -j netns list)
	assert_eq "$(jq -r '.[0].stale' <<<"$out")" true "dangling symlink reported stale"
	nsl netns del clab
	[ ! -L /run/netns/clab ] || fail "symlink left"
}

t_directory_overrides() {
	mkdir -p /tmp/rd /tmp/ed /tmp/sd
	nsl --run-dir /tmp/rd --etc-dir /tmp/ed netns add od
	findmnt -rn -o FSTYPE /tmp/rd/od | grep -qx nsfs || fail "--run-dir not used"
	[ ! -e /run/netns/od ] || fail "default run dir used"
	nsl --run-dir /tmp/rd --etc-dir /tmp/ed dns set od nameserver 10.9.9.9
	grep -q 'nameserver 10.9.9.9' /tmp/ed/od/resolv.conf || fail "--etc-dir not used"
	[ ! -e /etc/netns/od ] || fail "default etc dir used"
	# The environment does the same (read with secure_getenv).
	NSLAB_RUN_DIR=/tmp/rd nsl -j netns list | jq -e '.[0].name == "od"' >/dev/null || fail "NSLAB_RUN_DIR"
	NSLAB_RUN_DIR=/tmp/rd nsl -n od link show lo >/dev/null
	run "$NSLAB" --run-dir relative netns list
	assert_rc 1 "relative directory"
	NSLAB_RUN_DIR=/tmp/rd nsl netns del od
	[ ! -e /tmp/rd/od ] || fail "not deleted"
}

t_digit_name_is_a_name() {
	# With no netns "1", "1" is not PID 1: nothing runs, exit 1.
	run "$NSLAB" netns exec 1 readlink /proc/self/ns/net
	assert_rc 1 "exec in a netns that does not exist"
	assert_eq "$ERR" "nslab: netns exec '1': netns '1' does not exist" "message"
	assert_eq "$OUT" "" "nothing ran"
	# A netns named "1" is an ordinary netns for add, exec, list, pids, del.
	nsl netns add 1
	ino=$(stat -L -c %i /run/netns/1)
	[ "$ino" != "$(stat -L -c %i /proc/1/ns/net 2>/dev/null)" ] || fail "netns 1 is PID 1's"
	assert_eq "$(nsl netns exec 1 readlink /proc/self/ns/net)" "net:[$ino]" "exec runs in netns 1"
	assert_eq "$(nsl -j netns list | jq -c '[.[].name]')" '["1"]' "listed"
	assert_eq "$(nsl -n 1 -j link show | jq -r '.[].ifname')" lo "-n 1 is netns 1"
	ip netns exec 1 sleep 30 &
	pid=$!
	sleep 0.3
	assert_eq "$(nsl -j netns pids 1 | jq -c '.')" "[$pid]" "pids of netns 1"
	kill $pid; wait $pid 2>/dev/null || true
	# A PID that is no netns name: the netns it is in is not listed under that number. (Not
	# $$: the sandbox's shell is PID 1, and "1" is a netns name here.)
	sleep 30 &
	pid=$!
	run "$NSLAB" netns pids "$pid"
	kill "$pid"; wait "$pid" 2>/dev/null || true
	assert_rc 1 "pids of a bare PID"
	nsl netns del 1
	[ ! -e /run/netns/1 ] || fail "not deleted"
}

t_pid_form() {
	unshare --net sleep 30 &
	pid=$!
	sleep 0.3
	want=$(stat -L -c %i /proc/$pid/ns/net)
	# -n pid:N works where a bare N used to be guessed.
	assert_eq "$(nsl -n pid:$pid -j link show | jq -r '.[].ifname')" lo "-n pid:N"
	nsl veth add pv0 peer pv1 peer-netns pid:$pid
	assert_eq "$(nsenter -t $pid -n ip -j link show pv1 | jq -r '.[0].ifname')" pv1 "peer-netns pid:N"
	nsl netns attach pa $pid
	assert_eq "$(stat -L -c %i /run/netns/pa)" "$want" "attach NAME PID still takes a bare PID"
	run "$NSLAB" -n pid:$pid:x link show
	assert_rc 1 "junk after the PID"
	kill $pid; wait $pid 2>/dev/null || true
	run "$NSLAB" -n pid:$pid link show
	assert_rc 1 "a gone process"
	assert_match "$ERR" "^nslab: -n 'pid:$pid': no process $pid$" "gone process message"
	nsl netns del pa
}

t_env_dir_overrides_must_be_absolute() {
	cd /tmp
	mkdir -p rel
	for v in NSLAB_RUN_DIR NSLAB_ETC_DIR NSLAB_STATE_DIR; do
		for val in rel ""; do
			run env "$v=$val" "$NSLAB" netns add q2
			assert_rc 1 "$v='$val'"
			assert_match "$ERR" "^nslab: $v( '$val')?: directory must be an absolute path$" "$v message"
			[ ! -e /run/netns/q2 ] || fail "$v='$val' used the default run dir"
			[ -z "$(ls -A rel)" ] || fail "$v='$val' used the relative dir"
		done
	done
	# The option wins over the environment, as before.
	NSLAB_RUN_DIR=rel nsl --run-dir /run/netns netns add q3
	[ -e /run/netns/q3 ] || fail "--run-dir over a bad NSLAB_RUN_DIR"
	nsl netns del q3
}
