# SPDX-License-Identifier: GPL-2.0-or-later
# launcher: nslab run / enter / netns exec (issue 3, "Done means" 1-9), read back from the
# kernel (/proc, hostname, ip -j) inside the sandbox; the non-root cases run as nobody.

# asnobody CMD...: run CMD as uid/gid 65534 without groups.
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
need_userns() {
	asnobody unshare --user true 2>/dev/null || skip "unprivileged user namespaces are disabled"
}
# Background nslab runs use --kill-child; this kills them (and so their commands) when the
# case ends, also on failure.
reap_on_exit() { trap 'kill -9 $(jobs -p) 2>/dev/null || true' EXIT; }
# The state of process $1 ("" when gone, Z for a zombie nobody reaped).
pstate() { awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }

wait_child() { # wait_child NSLAB_PID [COMM] -> echo the PID of its child COMM (sleep)
	local p
	# By name: for a moment nslab also has the launcher's helper as a child.
	for _ in $(seq 50); do
		p=$(pgrep -P "$1" -x "${2:-sleep}") && { echo "$p"; return 0; }
		sleep 0.1
	done
	fail "no child of $1"
}

# 1. hostname
t_run_uts_hostname() {
	local host
	host=$(hostname)
	assert_eq "$(nsl run --uts --hostname h1 -- hostname)" h1 "hostname inside"
	assert_eq "$(hostname)" "$host" "hostname outside"
	run "$NSLAB" run --hostname h1 -- hostname
	assert_rc 1 "--hostname without --uts"
	assert_match "$ERR" "needs a new UTS namespace"
}

t_run_uts_hostname_unprivileged() {
	need_userns
	run asnobody "$NSLAB" run --user --map-root --uts --hostname h1u -- hostname
	assert_rc 0
	assert_eq "$OUT" h1u "hostname inside, as nobody"
}

# 2. PID namespace with a fresh /proc
t_run_pid_mount_proc() {
	local before
	before=$(grep -c . /proc/self/mountinfo)
	nsl run --pid --mount --mount-proc -- sh -c 'echo $$; ls /proc | grep -c "^[0-9]"' >/dev/null
	assert_eq "$(sed -n 1p <<<"$OUT")" 1 "PID of the command"
	[ "$(sed -n 2p <<<"$OUT")" -le 3 ] || fail "too many processes in the new /proc: $OUT"
	# the caller's /proc is still its PID namespace's (the sandbox's own: it may hold only a
	# few processes, so no count): our shell is in it, under its own PID
	[ "$(cut -d' ' -f1 "/proc/$$/stat" 2>/dev/null)" = "$$" ] || fail "host /proc no longer works"
	[ -r /proc/self/status ] || fail "host /proc/self"
	assert_eq "$(grep -c . /proc/self/mountinfo)" "$before" "mounts of the caller"
}

# 3. user namespaces
t_run_user_map_root() {
	assert_eq "$(nsl run --user --map-root -- id -u)" 0 "uid inside"
	assert_eq "$(nsl run --user --map-root -- cat /proc/self/uid_map | tr -s ' ')" " 0 0 1" "uid_map"
	assert_eq "$(nsl run --user --map-root -- cat /proc/self/setgroups)" deny "setgroups"
}

t_run_user_map_root_unprivileged() {
	need_userns
	run asnobody "$NSLAB" run --user --map-root -- sh -c 'id -u; id -g; cat /proc/self/uid_map'
	assert_rc 0
	assert_eq "$(sed -n 1p <<<"$OUT")" 0 "uid inside"
	assert_eq "$(sed -n 2p <<<"$OUT")" 0 "gid inside"
	assert_eq "$(sed -n 3p <<<"$OUT" | tr -s ' ')" " 0 65534 1" "uid_map"
	# A range needs privilege the caller lacks: a clear error, exit 2.
	run asnobody "$NSLAB" run --user --map-users 0:100000:65536 -- true
	assert_rc 2 "range map as nobody"
	assert_match "$ERR" "uid_map"
}

t_run_user_map_range() {
	local pid
	reap_on_exit
	"$NSLAB" run --kill-child --user --map-users 0:100000:65536 --map-groups 0:200000:1000 -- sleep 30 &
	local np=$!
	pid=$(wait_child $np)
	assert_eq "$(tr -s ' ' <"/proc/$pid/uid_map")" " 0 100000 65536" "uid_map of the child"
	assert_eq "$(tr -s ' ' <"/proc/$pid/gid_map")" " 0 200000 1000" "gid_map of the child"
	kill "$np"
	wait "$np" || true
	run "$NSLAB" run --map-users 0:1:10 --map-users 5:100:10 -- true
	assert_rc 1 "overlapping ranges"
	run "$NSLAB" run --map-users 0:1 -- true
	assert_rc 1 "bad range"
}

# 4. time namespace
t_run_time_offsets() {
	local host inside offs
	[ -e /proc/self/ns/time ] || skip "kernel lacks time namespaces"
	host=$(cut -d' ' -f1 /proc/uptime)
	# /proc/uptime follows CLOCK_BOOTTIME; CLOCK_MONOTONIC's offset shows in timens_offsets.
	nsl run --time --monotonic 86400 --boottime 86400 -- sh -c 'cut -d" " -f1 /proc/uptime; cat /proc/self/timens_offsets' >/dev/null
	inside=$(sed -n 1p <<<"$OUT")
	awk -v a="$inside" -v b="$host" 'BEGIN { d = a - b; exit !(d > 86390 && d < 86500) }' ||
		fail "uptime inside $inside is not a day ahead of $host"
	offs=$(sed -n '2,3p' <<<"$OUT" | tr -s ' \t' ' ')
	assert_match "$offs" "monotonic 86400 0" "monotonic offset"
	assert_match "$offs" "boottime 86400 0" "boottime offset"
	run "$NSLAB" run --monotonic 5 -- true
	assert_rc 1 "--monotonic without --time"
}

# 5. IPC and cgroup namespaces
t_run_ipc_cgroup() {
	# The sandbox shares the host's IPC namespace: give this case its own "host" one, so a
	# failure cannot leave a queue behind.
	unshare --ipc -- bash -c ". '$TOP/tests/lib.sh'; . '$TOP/tests/integration/launch.sh'; set -e; ipc_cgroup_case"
}

ipc_cgroup_case() {
	local id
	id=$(ipcmk -Q | awk '{print $NF}')
	ipcs -q | grep -qw "$id" || fail "host queue not created"
	assert_eq "$(nsl run --ipc -- ipcs -q | grep -cw "$id" || true)" 0 "host queue seen inside"
	assert_eq "$(nsl run --ipc -- sh -c 'ls /proc/sysvipc >/dev/null; tail -n +2 /proc/sysvipc/msg | wc -l')" 0 "queues inside"
	ipcrm -q "$id"
	nsl run --cgroup -- cat /proc/self/cgroup >/dev/null
	while IFS=: read -r _ _ path; do
		assert_eq "$path" / "cgroup path inside"
	done <<<"$OUT"
}

# 6. --net=NAME and netns exec: ip netns exec semantics
mk_lab_netns() {
	ip netns add lab1
	ip -n lab1 link add v0 type veth peer name v1
	mkdir -p /etc/netns/lab1
	echo 'nameserver 10.9.9.9' >/etc/netns/lab1/resolv.conf
	printf '10.9.9.1 gw.lab\n' >/etc/netns/lab1/hosts
}

t_run_net_named() {
	mk_lab_netns
	nsl run --net=lab1 -- cat /etc/resolv.conf >/dev/null
	assert_eq "$OUT" "nameserver 10.9.9.9" "resolv.conf inside"
	nsl run --net=lab1 -- cat /etc/hosts >/dev/null
	assert_eq "$OUT" "10.9.9.1 gw.lab" "hosts inside"
	nsl run --net=lab1 -- ip -j link >/dev/null
	assert_eq "$(jq -c '[.[].ifname] | sort' <<<"$OUT")" '["lo","v0","v1"]' "links inside"
	# /sys shows the netns's devices, mounted with the netns name as source.
	nsl run --net=lab1 -- sh -c 'ls /sys/class/net; grep " /sys " /proc/self/mountinfo' >/dev/null
	assert_match "$OUT" "v0" "/sys/class/net"
	assert_match "$OUT" "sysfs lab1" "/sys source"
	assert_no_match "$(cat /etc/resolv.conf 2>/dev/null)" "10.9.9.9" "host resolv.conf"
	# -n NETNS means --net=NETNS; with a user namespace too (joined before it is made).
	nsl -n lab1 run -- ip -j link >/dev/null
	assert_eq "$(jq length <<<"$OUT")" 3 "links with -n"
	nsl run --net=lab1 --user --map-root -- sh -c 'id -u; cat /etc/resolv.conf' >/dev/null
	assert_eq "$OUT" "0
nameserver 10.9.9.9" "--net=NAME with --user"
	run "$NSLAB" run --net=nope -- true
	assert_rc 1 "missing netns"
	assert_match "$ERR" "does not exist"
}

t_run_net_named_symlinked_resolv_conf() {
	mk_lab_netns
	mkdir -p /run/resolv
	echo 'nameserver 192.0.2.53' >/run/resolv/resolv.conf
	rm -f /etc/resolv.conf
	ln -s /run/resolv/resolv.conf /etc/resolv.conf
	nsl run --net=lab1 -- cat /etc/resolv.conf >/dev/null
	assert_eq "$OUT" "nameserver 10.9.9.9" "resolv.conf through the symlink"
	# Outside, nothing changed.
	assert_eq "$(cat /etc/resolv.conf)" "nameserver 192.0.2.53" "host resolv.conf"
	[ -L /etc/resolv.conf ] || fail "host symlink replaced"
	# A dangling symlink is covered too.
	rm /run/resolv/resolv.conf
	nsl run --net=lab1 -- cat /etc/resolv.conf >/dev/null
	assert_eq "$OUT" "nameserver 10.9.9.9" "resolv.conf through a dangling symlink"
}

t_netns_exec() {
	mk_lab_netns
	nsl netns exec lab1 cat /etc/resolv.conf >/dev/null
	assert_eq "$OUT" "nameserver 10.9.9.9" "netns exec resolv.conf"
	nsl netns exec lab1 ip -j link >/dev/null
	assert_eq "$(jq -c '[.[].ifname] | sort' <<<"$OUT")" '["lo","v0","v1"]' "netns exec links"
	run "$NSLAB" netns exec lab1 sh -c 'exit 7'
	assert_rc 7 "netns exec status"
	nsl enter netns lab1 -- ip -j link >/dev/null
	assert_eq "$(jq length <<<"$OUT")" 3 "enter netns links"
	# Compatible with ip: same view as `ip netns exec`.
	assert_eq "$(ip netns exec lab1 cat /etc/resolv.conf)" "nameserver 10.9.9.9" "ip netns exec"
}

t_run_net_new() {
	nsl run --net -- ip -j link >/dev/null
	assert_eq "$(jq -r '.[].ifname' <<<"$OUT")" lo "only lo"
	assert_eq "$(jq -r '.[0].flags | index("UP") != null' <<<"$OUT")" true "lo is up"
}

# 7. rootfs
mk_rootfs() {
	local b
	b=$(command -v busybox) || skip "busybox not installed"
	mkdir -p /tmp/rootfs/bin /tmp/rootfs/proc /tmp/rootfs/sys /tmp/rootfs/dev /tmp/rootfs/tmp
	cp "$b" /tmp/rootfs/bin/busybox
	for a in sh ls ps cat id hostname mount; do ln -s busybox "/tmp/rootfs/bin/$a"; done
}

t_run_rootfs() {
	mk_rootfs
	nsl run --rootfs /tmp/rootfs --pid --mount --mount-proc -- /bin/sh -c 'ls /; echo ---; ps; echo ---; ls /dev' >/dev/null
	assert_eq "$(sed -n '1,/---/p' <<<"$OUT" | grep -v -- --- | tr '\n' ' ')" "bin dev proc sys tmp " "ls /"
	assert_eq "$(grep -cE '^ +[0-9]+ ' <<<"$OUT")" 2 "ps shows sh and ps"
	assert_match "$OUT" "null" "/dev/null"
	assert_match "$OUT" "pts" "/dev/pts"
	[ -z "$(ls /tmp/rootfs/proc)" ] || fail "proc left mounted in the rootfs"
}

t_run_rootfs_unprivileged() {
	need_userns
	mk_rootfs
	run asnobody "$NSLAB" run --user --map-root --rootfs /tmp/rootfs --pid --mount-proc -- /bin/sh -c 'id -u; ps'
	assert_rc 0 "rootfs as nobody"
	assert_eq "$(sed -n 1p <<<"$OUT")" 0 "uid inside"
	assert_match "$OUT" "1 0 +\{?ps" "ps as PID 1"
}

# 8. enter

t_enter_pid() {
	local np pid
	reap_on_exit
	"$NSLAB" run --kill-child --uts --hostname target1 --pid --mount-proc --ipc --net -- sleep 60 &
	np=$!
	pid=$(wait_child $np)
	assert_eq "$(nsl enter "$pid" --all -- hostname)" target1 "hostname of the target"
	nsl enter "$pid" --all -- sh -c 'echo $$; cat /proc/1/comm; ip -j link' >/dev/null
	[ "$(sed -n 1p <<<"$OUT")" -lt 10 ] || fail "PID inside the target's PID namespace: $OUT"
	assert_eq "$(sed -n 2p <<<"$OUT")" sleep "PID 1 seen from inside"
	assert_eq "$(sed -n 3p <<<"$OUT" | jq -r '.[].ifname')" lo "the target's netns"
	assert_eq "$(nsl enter "$pid" --uts -- hostname)" target1 "--uts only"
	# A PID-namespace init ignores SIGTERM from outside.
	kill -9 "$pid"
	wait "$np" || true
	# A target in all of our namespaces: nothing to join, the command still runs.
	assert_eq "$(nsl enter $$ -- echo same)" same "entering ourselves"
	run "$NSLAB" enter "$pid" --all -- hostname
	assert_rc 1 "entering a process that exited"
	assert_match "$ERR" "process $pid does not exist"
}

t_enter_user_unprivileged() {
	need_userns
	local np pid
	# Not through the asnobody function: $! must be nslab itself.
	reap_on_exit
	setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" run --kill-child --user --map-root --uts --hostname uh -- sleep 60 &
	np=$!
	pid=$(wait_child $np)
	run asnobody "$NSLAB" enter "$pid" --all -- sh -c 'hostname; id -u'
	assert_rc 0 "enter as nobody"
	assert_eq "$OUT" "uh
0" "hostname and uid inside"
	kill "$pid"
	wait "$np" || true
}

# 9. exit codes, fds, --kill-child, signals
t_run_exit_codes() {
	run "$NSLAB" run -- false
	assert_rc 1 "false"
	run "$NSLAB" run -- sh -c 'kill -9 $$'
	assert_rc 137 "killed by SIGKILL"
	run "$NSLAB" run -- /nonexistent
	assert_rc 127 "not found"
	assert_match "$ERR" "cannot execute: No such file or directory"
	run "$NSLAB" run -- /etc
	assert_rc 126 "not executable"
	run "$NSLAB" run --pid --init --mount-proc -- sh -c 'exit 42'
	assert_rc 42 "status through --init"
	run "$NSLAB" run --bogus -- true
	assert_rc 1 "unknown option"
}

t_run_only_std_fds() {
	exec 7</dev/null
	nsl run -- ls /proc/self/fd >/dev/null
	exec 7<&-
	# ls itself opens one fd for the directory; 7 must not be inherited.
	assert_eq "$(tr '\n' ' ' <<<"$OUT")" "0 1 2 3 " "fds of the command"
}

t_run_kill_child() {
	local np pid
	"$NSLAB" run --kill-child -- sleep 60 &
	np=$!
	pid=$(wait_child $np)
	kill -9 "$np"
	wait "$np" || true
	for _ in $(seq 50); do
		case "$(pstate "$pid")" in "" | Z) break ;; esac
		sleep 0.1
	done
	case "$(pstate "$pid")" in "" | Z) ;; *) fail "child $pid survived nslab" ;; esac
	# Without --kill-child it survives (so the test above means something).
	"$NSLAB" run -- sleep 60 &
	np=$!
	pid=$(wait_child $np)
	kill -9 "$np"
	wait "$np" || true
	sleep 0.2
	local st
	st=$(pstate "$pid")
	kill "$pid"
	assert_eq "$st" S "child without --kill-child"
}

t_run_forwards_signals() {
	local np pid
	reap_on_exit
	"$NSLAB" run --kill-child -- sleep 60 &
	np=$!
	pid=$(wait_child $np)
	kill -TERM "$np"
	local rc=0
	wait "$np" || rc=$?
	assert_eq "$rc" 143 "status after SIGTERM to nslab"
	[ -z "$(pstate "$pid")" ] || fail "child still there"
	# With --pid, PID 1 ignores SIGTERM unless --init forwards it.
	reap_on_exit
	"$NSLAB" run --kill-child --pid --init --mount-proc -- sleep 60 &
	np=$!
	pid=$(wait_child $np nslab-init)
	for _ in $(seq 50); do pgrep -P "$pid" -x sleep >/dev/null && break; sleep 0.1; done
	kill -TERM "$np"
	rc=0
	wait "$np" || rc=$?
	assert_eq "$rc" 143 "status after SIGTERM through --init"
}

t_run_persist() {
	touch /run/netns/kept
	nsl run --persist net=/run/netns/kept -- true
	findmnt -rn -o FSTYPE /run/netns/kept | grep -qx nsfs || fail "not an nsfs mount"
	assert_eq "$(ip -n kept -j link | jq -r '.[].ifname')" lo "ip sees the persisted netns"
	touch /tmp/uts
	nsl run --uts --hostname kepth --persist uts=/tmp/uts -- true
	assert_eq "$(nsenter --uts=/tmp/uts hostname)" kepth "persisted uts"
	umount /tmp/uts
	ip netns del kept
	run "$NSLAB" run --persist net=/nonexistent -- true
	assert_rc 1 "missing persist file"
}

t_run_persist_refuses_a_namespace_mount() {
	nsl netns add r1
	ino=$(stat -L -c %i /run/netns/r1)
	mounts=$(grep -c . /proc/self/mountinfo)
	# Mounting over a named netns would hide it (and make `netns del` fail with EBUSY).
	run "$NSLAB" run --net --persist net=/run/netns/r1 -- touch /tmp/ran
	assert_rc 3 "persist onto a namespace mount"
	assert_match "$ERR" "^nslab: run '/run/netns/r1': already holds a namespace" "message"
	[ ! -e /tmp/ran ] || fail "the command ran"
	assert_eq "$(stat -L -c %i /run/netns/r1)" "$ino" "r1 is still the same netns"
	assert_eq "$(grep -c . /proc/self/mountinfo)" "$mounts" "no mount added"
	# A file that is a mount point of something else is refused too.
	touch /tmp/pf /tmp/other
	mount --bind /tmp/other /tmp/pf
	run "$NSLAB" run --uts --persist uts=/tmp/pf -- true
	assert_rc 3 "persist onto a mount point"
	assert_match "$ERR" "is a mount point already" "mount point message"
	umount /tmp/pf
	nsl netns del r1
	[ ! -e /run/netns/r1 ] || fail "r1 not deletable"
}
