# SPDX-License-Identifier: GPL-2.0-or-later
# nslab-supervise, the PID 1 of a lab node (issue 12), driven directly: each case writes a
# spec, starts the supervisor with `unshare --pid --fork --mount-proc --mount --uts` (or
# without --pid, where it is a child subreaper) and reads the state back from the status
# file, the logs, /proc and the node's view (/proc/PID/root, nsenter).
SUP=${SUP:-$(dirname "$NSLAB")/nslab-supervise}

need_sup() { [ -x "$SUP" ] || fail "no $SUP (make B=... all builds it)"; }
# wait_for CMD...: retry CMD for up to 5 s (or $WAIT_TENTHS tenths).
wait_for() {
	for _ in $(seq "${WAIT_TENTHS:-50}"); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for: $*"
}
pstate() { awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
gone() { local s; s=$(pstate "$1"); [ -z "$s" ] || [ "$s" = Z ]; }

# sup_init: a directory D for the spec, the logs and the status file; the spec's header.
# Everything the supervisor started dies with it (SIGKILL of a PID 1), also on failure.
sup_init() {
	need_sup
	D=$(mktemp -d /run/nslab-sup.XXXXXX)
	mkdir -p "$D/logs"
	printf 'nslab-supervise 1\nlog\t%s\nstatus\t%s\n' "$D/logs" "$D/status" >"$D/spec"
	trap 'sup_cleanup' EXIT
}
sup_cleanup() {
	local p
	for p in ${SPID:-} ${NOPID_PIDS:-} $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done
}
# rec FIELD...: one record (fields joined by TAB) appended to the spec.
rec() { local IFS=$'\t'; printf '%s\n' "$*" >>"$D/spec"; }
# sup_start [--nopid]: start it, wait for "ready"; SPID is the supervisor's PID here, UPID
# the unshare whose exit status is the supervisor's.
sup_start() {
	local ns=(--pid --fork --mount-proc --mount --uts)
	[ "${1:-}" = --nopid ] && ns=(--mount --uts)
	unshare "${ns[@]}" "$SUP" "$D/spec" >"$D/out" 2>"$D/err" &
	UPID=$!
	for _ in $(seq 50); do
		grep -q '^ready$' "$D/out" 2>/dev/null && break
		kill -0 "$UPID" 2>/dev/null || fail "the supervisor exited before ready: $(cat "$D/err")"
		sleep 0.1
	done
	grep -q '^ready$' "$D/out" || fail "no ready: $(cat "$D/err")"
	if [ "${1:-}" = --nopid ]; then SPID=$UPID; else SPID=$(pgrep -P "$UPID"); fi
	[ -n "$SPID" ] || fail "no supervisor process"
	assert_eq "$(cat "$D/out")" ready "the supervisor's whole output to the library"
}
# sup_stop: SIGTERM, then its exit status in SRC (fails after 15 s).
sup_stop() {
	kill -TERM "$SPID"
	for _ in $(seq 150); do kill -0 "$UPID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$UPID" 2>/dev/null && fail "the supervisor did not stop"
	SRC=0
	wait "$UPID" || SRC=$?
	SPID=
}
# field NAME COLUMN: a column of NAME's line in the status file (2 state, 3 pid, 4 since,
# 5 restarts, 6 last).
field() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n {print $c}' "$D/status"; }
state_is() { [ "$(field "$1" 2)" = "$2" ]; }
# hostpid NSPID: the PID here of the node's process NSPID (a child of the supervisor).
hostpid() {
	local c
	for c in $(pgrep -P "$SPID"); do
		[ "$(awk '/^NSpid:/ {print $NF}' "/proc/$c/status")" = "$1" ] && { echo "$c"; return 0; }
	done
	return 1
}
STAMP='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z '

# Two processes run, with their own environment and working directory; their output is in
# NAME.log, every line stamped (a line written in two pieces is one line); the status file
# shows both running with their PIDs in the node's PID namespace.
t_sup_two_procs_log_status() {
	sup_init
	rec proc a no -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'echo hello from a; printf part; sleep 0.3; echo ial; exec sleep 100'
	rec proc b on-failure -1 -1 /tmp
	rec arg sh; rec arg -c; rec arg 'echo "b in $(pwd) FOO=$FOO HOME=$HOME"; echo "$PATH"; exec sleep 101'
	rec env 'FOO=x y'
	sup_start
	assert_eq "$(head -1 "$D/status")" "nslab-supervise-status 1" "status header"
	state_is a running || fail "a: $(cat "$D/status")"
	state_is b running || fail "b: $(cat "$D/status")"
	local pa pb ha hb
	pa=$(field a 3) pb=$(field b 3)
	[ "$pa" -gt 1 ] && [ "$pb" -gt 1 ] && [ "$pa" != "$pb" ] || fail "pids: $pa $pb"
	ha=$(hostpid "$pa") || fail "no process with pid $pa in the node"
	hb=$(hostpid "$pb") || fail "no process with pid $pb in the node"
	assert_eq "$(field a 5)/$(field a 6)" "0/-" "a: restarts/last"
	[ $(($(date +%s) - $(field a 4))) -le 5 ] || fail "since: $(field a 4)"
	assert_eq "$(awk '/^NSpid:/ {print NF}' "/proc/$SPID/status")" 3 "the supervisor is in a new PID ns"
	assert_eq "$(awk '/^NSpid:/ {print $NF}' "/proc/$SPID/status")" 1 "the supervisor is PID 1 there"
	wait_for grep -q 'ial$' "$D/logs/a.log"
	sleep 0.2
	assert_eq "$(wc -l <"$D/logs/a.log")" 2 "lines in a.log"
	grep -Evq "$STAMP" "$D/logs/a.log" && fail "a line without a stamp: $(cat "$D/logs/a.log")"
	assert_match "$(sed -n 1p "$D/logs/a.log")" "${STAMP}hello from a\$"
	assert_match "$(sed -n 2p "$D/logs/a.log")" "${STAMP}partial\$" "a line written in two pieces"
	assert_match "$(sed -n 1p "$D/logs/b.log")" "${STAMP}b in /tmp FOO=x y HOME=/\$"
	assert_match "$(sed -n 2p "$D/logs/b.log")" "${STAMP}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\$"
	# Each in its own session and process group, stdin /dev/null.
	assert_eq "$(ps -o pgid= -p "$ha" | tr -d ' ')" "$ha" "a leads its process group"
	assert_eq "$(readlink "/proc/$ha/fd/0")" /dev/null "a's stdin"
	[ "$(readlink "/proc/$ha/fd/1")" = "$(readlink "/proc/$ha/fd/2")" ] || fail "stdout and stderr differ"
	assert_match "$(readlink "/proc/$ha/fd/1")" '^pipe:' "a's stdout"
	# Nothing else open in the process (fds 0-2 only).
	assert_eq "$(ls "/proc/$ha/fd" | sort -n | tr '\n' ' ')" "0 1 2 " "a's open fds"
	sup_stop
	assert_eq "$SRC" 0 "exit status of the stop"
	state_is a exited || fail "a after stop: $(cat "$D/status")"
	assert_eq "$(field a 6)" sig15 "a's last exit"
	gone "$ha" || fail "a still runs"
	gone "$hb" || fail "b still runs"
	grep -q 'stop' "$D/logs/supervise.log" || fail "no stop in supervise.log"
	grep -Evq "$STAMP" "$D/logs/supervise.log" && fail "supervise.log: $(cat "$D/logs/supervise.log")"
	true
}

# CPU time (utime+stime, clock ticks) of process $1.
cputicks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# on-failure with exit 3: restarted with back-off (100 ms doubling: 4 or 5 restarts in 3 s),
# never a busy loop.
t_sup_restart_on_failure_backoff() {
	sup_init
	rec proc f on-failure -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'echo run; exit 3'
	sup_start
	sleep 3
	local n
	n=$(field f 5)
	[ "$n" -ge 3 ] && [ "$n" -le 8 ] || fail "restarts after 3 s: $n ($(cat "$D/status"))"
	assert_eq "$(field f 6)" 3 "last exit"
	assert_match "$(field f 2)" '^(restarting|running)$' "state"
	[ "$(cputicks "$SPID")" -le 30 ] || fail "the supervisor used $(cputicks "$SPID") ticks of CPU"
	[ "$(grep -c 'run$' "$D/logs/f.log")" -ge "$n" ] || fail "runs in the log: $(cat "$D/logs/f.log")"
	grep -q 'restarting in 800 ms' "$D/logs/supervise.log" || fail "no doubling back-off: $(cat "$D/logs/supervise.log")"
	# A clean exit is not a failure: no restart.
	sup_stop
	assert_eq "$SRC" 0
}

# always: an instant clean exit is restarted too, with the same back-off.
t_sup_restart_always_instant_exit() {
	sup_init
	rec proc t always -1 -1 ''
	rec arg true
	rec proc once on-failure -1 -1 ''
	rec arg true
	sup_start
	sleep 2.5
	local n
	n=$(field t 5)
	[ "$n" -ge 3 ] && [ "$n" -le 7 ] || fail "restarts of an instant exit in 2.5 s: $n"
	assert_eq "$(field t 6)" 0 "last exit"
	state_is once exited || fail "on-failure after exit 0: $(cat "$D/status")"
	assert_eq "$(field once 5)/$(field once 6)/$(field once 3)" "0/0/0" "once: restarts/last/pid"
	[ "$(cputicks "$SPID")" -le 30 ] || fail "the supervisor used $(cputicks "$SPID") ticks of CPU"
	sup_stop
}

# A process that daemonizes (a background child, and a setsid double fork) is still inside
# the node: the stop's SIGTERM reaches them, as PID 1 with kill(-1).
t_sup_daemon_killed_at_stop() {
	sup_init
	rec proc d no -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'sleep 1000 & setsid sh -c "sleep 1001 &" & exit 0'
	sup_start
	wait_for state_is d exited
	local s1 s2
	wait_for pgrep -f '^sleep 1001$' >/dev/null
	s1=$(pgrep -f '^sleep 1000$') s2=$(pgrep -f '^sleep 1001$')
	[ -n "$s1" ] && [ -n "$s2" ] || fail "the daemons did not start"
	# Both reparented to the supervisor, and reaped by it later (no zombie left).
	assert_eq "$(awk '/^PPid:/ {print $2}' "/proc/$s2/status")" "$SPID" "the daemon's parent"
	# A process that entered the node (`nslab exec`): not our child, stopped all the same.
	nsenter -t "$SPID" -p -m sleep 1014 </dev/null >/dev/null 2>&1 &
	wait_for pgrep -f '^sleep 1014$' >/dev/null
	local s3
	s3=$(pgrep -f '^sleep 1014$')
	sup_stop
	assert_eq "$SRC" 0
	gone "$s1" || fail "sleep 1000 survived the stop"
	gone "$s2" || fail "sleep 1001 survived the stop"
	gone "$s3" || fail "the entered sleep 1014 survived the stop"
}

# Without a PID namespace: a child subreaper that kills its process groups and everything
# below it (what a setsid double fork left) at stop.
t_sup_not_pid1_daemon_contained() {
	sup_init
	rec proc d no -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'sleep 1002 & setsid sh -c "sleep 1003 &" & exit 0'
	rec proc e always -1 -1 ''
	rec arg sleep; rec arg 1004
	sup_start --nopid
	NOPID_PIDS=
	wait_for pgrep -f '^sleep 1003$' >/dev/null
	local s1 s2 s3
	s1=$(pgrep -f '^sleep 1002$') s2=$(pgrep -f '^sleep 1003$') s3=$(pgrep -f '^sleep 1004$')
	NOPID_PIDS="$s1 $s2 $s3"
	assert_eq "$(awk '/^PPid:/ {print $2}' "/proc/$s2/status")" "$SPID" "reparented to the subreaper"
	assert_eq "$(field e 3)" "$s3" "pid in the status (same PID namespace)"
	sup_stop
	assert_eq "$SRC" 0
	for p in $s1 $s2 $s3; do gone "$p" || fail "process $p survived the stop"; done
	state_is e exited || fail "e: $(cat "$D/status")"
}

# A process that ignores SIGTERM: SIGKILL after the stop grace (1 s here).
t_sup_stop_grace_then_sigkill() {
	sup_init
	rec stop 1000
	rec proc stubborn always -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'trap "" TERM; exec sleep 1005'
	sup_start
	local h t0 t1
	h=$(hostpid "$(field stubborn 3)")
	t0=$(date +%s%N)
	kill -TERM "$SPID"
	sleep 0.5
	state_is stubborn stopping || fail "state during the grace: $(cat "$D/status")"
	[ -n "$(pstate "$h")" ] || fail "killed before the grace was over"
	sup_stop
	t1=$(date +%s%N)
	assert_eq "$SRC" 0
	local ms=$(((t1 - t0) / 1000000))
	[ "$ms" -ge 950 ] && [ "$ms" -le 3000 ] || fail "stop took $ms ms with a grace of 1000"
	assert_eq "$(field stubborn 6)" sig9 "last exit"
	assert_eq "$(field stubborn 5)" 0 "no restart while stopping"
	gone "$h" || fail "still runs"
	grep -q 'SIGKILL to what is left' "$D/logs/supervise.log" || fail "$(cat "$D/logs/supervise.log")"
}

# SIGHUP, SIGUSR1, SIGUSR2 go to each process group.
t_sup_signals_forwarded() {
	sup_init
	rec proc s no -1 -1 ''
	rec arg sh; rec arg -c
	rec arg 'trap "echo got HUP" HUP; trap "echo got USR1" USR1; trap "echo got USR2" USR2; echo up; while :; do sleep 0.1; done'
	sup_start
	wait_for grep -q 'up$' "$D/logs/s.log"
	kill -HUP "$SPID"; sleep 0.3
	kill -USR1 "$SPID"; sleep 0.3
	kill -USR2 "$SPID"
	wait_for grep -q 'got USR2$' "$D/logs/s.log"
	grep -q 'got HUP$' "$D/logs/s.log" || fail "HUP: $(cat "$D/logs/s.log")"
	grep -q 'got USR1$' "$D/logs/s.log" || fail "USR1: $(cat "$D/logs/s.log")"
	state_is s running || fail "the supervisor or the process died: $(cat "$D/status")"
	sup_stop
}

# No process: it waits, holding the namespaces, and stops at once on SIGTERM.
t_sup_no_procs_waits() {
	sup_init
	sup_start
	sleep 0.5
	[ -n "$(pstate "$SPID")" ] || fail "it did not wait"
	assert_eq "$(cat "$D/status")" "nslab-supervise-status 1" "status without processes"
	sup_stop
	assert_eq "$SRC" 0
}

# Binds of a file (ro: writes refused) and a directory (rw: writes reach the source); a
# tmpfs with owner and mode; in the node's view only.
t_sup_binds_and_tmpfs() {
	sup_init
	mkdir -p "$D/src/dir"
	echo 'file content' >"$D/src/file"
	echo 'in dir' >"$D/src/dir/x"
	mkdir -p "$D/targets/d" && : >"$D/targets/f"
	rec bind "$D/src/file" "$D/targets/f" ro
	rec bind "$D/src/dir" "$D/targets/d" rw
	rec tmpfs "$D/targets/t" 0710 65534 65534
	rec tmpfs "$D/targets/u" 1777 -1 -1
	rec proc p no -1 -1 ''
	rec arg sleep; rec arg 1006
	sup_start
	local h r
	h=$(hostpid "$(field p 3)")
	r=/proc/$h/root
	assert_eq "$(cat "$r$D/targets/f")" 'file content' "the file bind"
	assert_eq "$(cat "$r$D/targets/d/x")" 'in dir' "the dir bind"
	run nsenter -t "$h" -m sh -c "echo new >$D/targets/f"
	[ "$RC" -ne 0 ] || fail "a write to the ro bind worked"
	assert_match "$ERR" 'Read-only file system'
	assert_eq "$(cat "$D/src/file")" 'file content' "the ro source"
	nsenter -t "$h" -m sh -c "echo written >$D/targets/d/y"
	assert_eq "$(cat "$D/src/dir/y")" written "a write through the rw bind"
	assert_eq "$(nsenter -t "$h" -m stat -c '%a %u %g' "$D/targets/t")" "710 65534 65534" "tmpfs owner and mode"
	assert_eq "$(nsenter -t "$h" -m stat -f -c '%T' "$D/targets/t")" tmpfs "tmpfs type"
	assert_eq "$(nsenter -t "$h" -m stat -c '%a %u %g' "$D/targets/u")" "1777 0 0" "tmpfs mode, root"
	# Outside the node: the targets as they were.
	assert_eq "$(cat "$D/targets/f")" '' "the target file outside"
	[ ! -e "$D/targets/t" ] || fail "the tmpfs target was made outside"
	mountpoint -q "$D/targets/d" && fail "the dir bind is visible outside"
	sup_stop
}

# snap DIR: what DIR holds, for "unchanged" checks (not /proc and /run, which change alone).
# What a directory holds: each entry's type, mode, owner, size (not a directory's) and link
# target. No times: other programs on the host may well write inside /root or /var meanwhile;
# what matters is that no entry is made, removed or changed here.
snap() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%y %m %u %g %s %f %l\n' |
		awk '$6 != "proc" && $6 != "run" && $6 != "tmp" { if ($1 == "d") $5 = "-"; print }' | sort
}

# Missing targets under /etc and under / are made in the node's view, without writing to
# the host's /etc or /; a /etc/resolv.conf bound before (ip netns exec semantics) and every
# other entry of a shadowed directory stay visible.
t_sup_missing_targets_etc_and_root() {
	sup_init
	mkdir -p "$D/src/www"
	echo 'page' >"$D/src/www/index.html"
	echo 'frr conf' >"$D/src/frr.conf"
	echo 'nameserver 10.55.0.1' >"$D/resolv"
	[ -e /etc/resolv.conf ] || : >/etc/resolv.conf
	local etc0 root0 names0
	etc0=$(snap /etc) root0=$(snap /) names0=$(ls -A /etc)
	rec bind "$D/src/frr.conf" /etc/nslab-sup-frr/frr.conf ro
	rec tmpfs /etc/nslab-sup-frr/run 0755 -1 -1
	rec bind "$D/src/www" /nslab-sup-srv/www rw
	rec tmpfs /nslab-sup-var/lib/x 0700 65534 65534
	rec proc p no -1 -1 ''
	rec arg sleep; rec arg 1007
	# ip netns exec semantics: resolv.conf bound over /etc before the supervisor starts.
	unshare --mount --propagation private sh -c \
		"mount --bind $D/resolv /etc/resolv.conf && exec unshare --pid --fork --mount-proc --mount --uts $SUP $D/spec" \
		>"$D/out" 2>"$D/err" &
	UPID=$!
	WAIT_TENTHS=50 wait_for grep -q '^ready$' "$D/out"
	SPID=$(pgrep -P "$UPID")
	[ -n "$SPID" ] || fail "no supervisor: $(cat "$D/err")"
	local h r
	h=$(hostpid "$(field p 3)")
	r=/proc/$h/root
	assert_eq "$(cat "$r/etc/nslab-sup-frr/frr.conf")" 'frr conf' "the bind under a new /etc dir"
	assert_eq "$(stat -f -c %T "$r/etc/nslab-sup-frr/run")" tmpfs "the tmpfs under it"
	assert_eq "$(cat "$r/nslab-sup-srv/www/index.html")" page "the bind under a new / dir"
	assert_eq "$(stat -c '%a %u' "$r/nslab-sup-var/lib/x")" "700 65534" "the tmpfs under a new / dir"
	assert_eq "$(cat "$r/etc/resolv.conf")" 'nameserver 10.55.0.1' "resolv.conf bound before"
	# The shadowed /etc still holds all it held, with the same types.
	assert_eq "$(ls -A "$r/etc" | grep -v '^nslab-sup-frr$')" "$names0" "entries of the shadowed /etc"
	assert_eq "$(stat -c %F "$r/etc/passwd")" "regular file" "a file of /etc"
	cmp -s "$r/etc/passwd" /etc/passwd || fail "/etc/passwd differs in the node"
	[ "$(ls -A "$r/usr/bin" | wc -l)" -gt 10 ] || fail "/usr/bin in the node is empty"
	# The new / is the mount namespace's root: a process that joins it (`nslab exec`, here
	# nsenter without --root) sees it too.
	nsenter -t "$SPID" -m -p sh -c 'test -f /nslab-sup-srv/www/index.html && test -f /etc/nslab-sup-frr/frr.conf' ||
		fail "/ of a process joining the node's mount namespace"
	# The host's / and /etc are unchanged.
	assert_eq "$(snap /etc)" "$etc0" "the host's /etc"
	assert_eq "$(snap /)" "$root0" "the host's /"
	[ ! -e /nslab-sup-srv ] && [ ! -e /etc/nslab-sup-frr ] || fail "a target was made on the host"
	sup_stop
	assert_eq "$SRC" 0
	assert_eq "$(snap /etc)" "$etc0" "the host's /etc after the stop"
	assert_eq "$(snap /)" "$root0" "the host's / after the stop"
}

# rootfs: the mounts apply inside it, a missing target at its root included; the rootfs
# directory itself is unchanged.
t_sup_rootfs_missing_target() {
	sup_init
	local root=$D/root
	# Without the mount points of /proc /sys /dev /tmp: made in a shadow, not in $root.
	mkdir -p "$root/etc" "$D/src"
	for l in bin lib lib64 sbin; do
		if [ -e "/$l" ]; then ln -s "usr/$l" "$root/$l"; fi
	done
	echo 'node-etc' >"$root/etc/motd"
	echo 'bound' >"$D/src/f"
	local before
	before=$(snap "$root")
	rec rootfs "$root"
	rec bind /usr /usr ro
	rec bind "$D/src/f" /new-top/f ro
	rec proc p no -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'cat /etc/motd /new-top/f; ls /; exec sleep 1008'
	sup_start
	wait_for grep -q 'new-top$' "$D/logs/p.log"
	grep -q 'node-etc$' "$D/logs/p.log" || fail "the rootfs: $(cat "$D/logs/p.log")"
	grep -q 'bound$' "$D/logs/p.log" || fail "the bind: $(cat "$D/logs/p.log")"
	grep -q ' dev$' "$D/logs/p.log" || fail "no /dev: $(cat "$D/logs/p.log")"
	assert_eq "$(nsenter -t "$SPID" -m cat /etc/motd /new-top/f | tr '\n' ' ')" "node-etc bound " \
		"the rootfs seen by a process joining the mount namespace"
	assert_eq "$(snap "$root")" "$before" "the rootfs directory"
	for d in new-top proc sys dev tmp; do
		[ ! -e "$root/$d" ] || fail "$d made in the rootfs directory"
	done
	sup_stop
	assert_eq "$SRC" 0
}

# user/group: setgroups, setgid, setuid, seen in /proc/PID/status.
t_sup_user_nobody() {
	sup_init
	rec proc u no 65534 65534 ''
	rec arg sleep; rec arg 1009
	sup_start
	local h
	h=$(hostpid "$(field u 3)")
	assert_eq "$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$h/status")" "65534 65534 65534 65534" "Uid"
	assert_eq "$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$h/status")" "65534 65534 65534 65534" "Gid"
	assert_eq "$(awk '/^Groups:/ {print $2}' "/proc/$h/status")" 65534 "Groups"
	sup_stop
}

# exec failure: a line in NAME.log, 127 (126 when not executable), state failed with
# restart no; with on-failure it is retried.
t_sup_exec_failure() {
	sup_init
	: >"$D/noexec"
	chmod 644 "$D/noexec"
	rec proc missing no -1 -1 ''
	rec arg /nonexistent/cmd
	rec proc notexec no -1 -1 ''
	rec arg "$D/noexec"
	rec proc inpath no -1 -1 ''
	rec arg no-such-command-nslab
	rec proc retried on-failure -1 -1 ''
	rec arg /nonexistent/again
	rec proc badwd no -1 -1 /nonexistent-wd
	rec arg true
	sup_start
	wait_for state_is missing failed
	wait_for state_is notexec failed
	wait_for state_is inpath failed
	wait_for state_is badwd failed
	assert_eq "$(field missing 6)/$(field missing 3)" "127/0" "missing: last/pid"
	assert_eq "$(field notexec 6)" 126 "not executable"
	assert_eq "$(field inpath 6)" 127 "not in PATH"
	assert_match "$(cat "$D/logs/missing.log")" "${STAMP}nslab-supervise: exec /nonexistent/cmd: No such file or directory\$"
	assert_match "$(cat "$D/logs/notexec.log")" "nslab-supervise: exec $D/noexec: Permission denied\$"
	assert_match "$(cat "$D/logs/badwd.log")" "nslab-supervise: chdir /nonexistent-wd: No such file or directory\$"
	sleep 0.5
	assert_match "$(field retried 2)" '^(restarting|running)$' "on-failure after an exec failure"
	[ "$(field retried 5)" -ge 1 ] || fail "not retried: $(cat "$D/status")"
	sup_stop
}

# Output past 1 MiB: NAME.log rotated to NAME.log.1, at least 1 MiB kept, each within it.
t_sup_log_rotation() {
	sup_init
	rec proc big no -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'i=0; while [ $i -lt 16000 ]; do echo "line $i ........................................................................................"; i=$((i+1)); done; echo done'
	sup_start
	WAIT_TENTHS=100 wait_for grep -q 'done$' "$D/logs/big.log"
	local s0 s1
	s0=$(stat -c %s "$D/logs/big.log") s1=$(stat -c %s "$D/logs/big.log.1")
	[ "$s0" -le 1048576 ] && [ "$s1" -le 1048576 ] || fail "sizes $s1 $s0"
	[ $((s0 + s1)) -ge 1048576 ] || fail "less than 1 MiB kept: $s1 + $s0"
	assert_match "$(tail -n 2 "$D/logs/big.log" | head -1)" "${STAMP}line 15999 "
	grep -Evq "$STAMP" "$D/logs/big.log.1" && fail "an unstamped line in big.log.1"
	sup_stop
}

# Private memory of a supervisor with one process: well under 1 MiB.
t_sup_private_memory() {
	sup_init
	rec proc p no -1 -1 ''
	rec arg sleep; rec arg 1010
	sup_start
	local kb
	kb=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$SPID/smaps_rollup")
	echo "private memory of the supervisor: $kb kB"
	# An ASan build's shadow memory and allocator are no figure of the supervisor's own.
	if grep -q __asan_init "$(dirname "$NSLAB")/nslab-supervise"; then
		skip "a sanitizer build (private memory $kb kB is ASan's); the main build asserts < 512 kB"
	fi
	[ "$kb" -lt 512 ] || fail "private memory $kb kB"
	sup_stop
}

# SIGKILL of the supervisor (PID 1) kills the whole node.
t_sup_sigkill_kills_node() {
	sup_init
	rec proc p no -1 -1 ''
	rec arg sh; rec arg -c; rec arg 'setsid sleep 1011 & exec sleep 1012'
	sup_start
	wait_for pgrep -f '^sleep 1011$' >/dev/null
	local a b
	a=$(pgrep -f '^sleep 1011$') b=$(pgrep -f '^sleep 1012$')
	kill -9 "$SPID"
	SPID=
	wait_for gone "$a"
	wait_for gone "$b"
}

# A mount that fails: one line naming the mount, exit 1, nothing started.
t_sup_mount_failure() {
	sup_init
	rec bind /nonexistent-src-nslab /etc/x rw
	rec proc p no -1 -1 ''
	rec arg sleep; rec arg 1013
	run unshare --pid --fork --mount-proc --mount --uts "$SUP" "$D/spec"
	assert_rc 1 "mount failure"
	assert_eq "$OUT" "" "stdout (no ready)"
	assert_eq "$ERR" "nslab-supervise: bind /nonexistent-src-nslab on /etc/x: /nonexistent-src-nslab: No such file or directory"
	[ ! -e "$D/status" ] || fail "a status was written"
	pgrep -f '^sleep 1013$' >/dev/null && fail "the process started"
	true
}

# Spec errors: exit 2, one line "nslab-supervise: SPEC:LINE: what", before any change.
t_sup_spec_errors() {
	need_sup
	D=$(mktemp -d /run/nslab-sup.XXXXXX)
	local h=$'nslab-supervise 1\nlog\t/run\nstatus\t/run/s'
	local cases=(
		$'nslab-supervise 2'"|1|not a spec file"
		"$h"$'\nfrobnicate\tx'"|4|unknown record 'frobnicate'"
		"$h"$'\nproc\ta\tsometimes\t-1\t-1\t'"|4|restart 'sometimes'"
		"$h"$'\nproc\ta\tno\t-1\t-1\t'"|4|proc 'a' has no 'arg'"
		"$h"$'\narg\tls'"|4|'arg' before any proc"
		"$h"$'\nbind\t/a\tetc/x\trw'"|4|not a clean absolute path: etc/x"
		"$h"$'\nbind\t/a\t/etc/../x\trw'"|4|not a clean absolute path"
		"$h"$'\nbind\t/a\t/x\tmaybe'"|4|'maybe' is not ro or rw"
		"$h"$'\ntmpfs\t/x\t0999\t-1\t-1'"|4|bad mode"
		"$h"$'\ntmpfs\t/x\t0755\tnobody\t-1'"|4|bad owner"
		"$h"$'\nstop\tsoon'"|4|bad grace"
		"$h"$'\nproc\ta/b\tno\t-1\t-1\t'"|4|bad name"
		"$h"$'\nproc\ta\tno\t-1\t-1\t\narg\tx\nproc\ta\tno\t-1\t-1\t'"|6|a second process named 'a'"
		"$h"$'\nproc\ta\tno\t-1\t-1\t\narg\tx\\q'"|5|bad escape"
		"$h"$'\nproc\ta\tno\t-1\t-1'"|4|'proc' takes 5 fields, not 4"
		"$h"$'\n\nstop\t1'"|4|empty line"
		"$h"$'\nlog\t/tmp'"|4|a second 'log' record"
		$'nslab-supervise 1\nstatus\t/run/s'"|2|no 'log' record"
		"$h"$'\nproc\ta\tno\t-1\t-1\t\narg\tx\ntmpfs\t/x\t0755\t-1\t-1'"|6|mount after a proc"
		"$h"$'\nproc\ta\tno\t-1\t-1\t\narg\tx\nenv\tNOEQUALS'"|6|is not K=V"
	)
	local c text line want i=0
	for c in "${cases[@]}"; do
		i=$((i + 1))
		text=${c%%|*} c=${c#*|} line=${c%%|*} want=${c#*|}
		printf '%s\n' "$text" >"$D/spec$i"
		run "$SUP" "$D/spec$i"
		assert_rc 2 "case $i ($want)"
		assert_eq "$OUT" "" "case $i: stdout"
		[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "case $i: not one line: $ERR"
		case $ERR in
		"nslab-supervise: $D/spec$i:$line: "*"$want"*) ;;
		*) fail "case $i: expected line $line and '$want', got: $ERR" ;;
		esac
	done
	# Escapes in fields: a tab and a newline in an argument, a backslash.
	printf 'nslab-supervise 1\nlog\t%s\nstatus\t%s\nproc\te\tno\t-1\t-1\t\narg\tprintf\narg\t%s\narg\t%s\n' \
		"$D" "$D/status" '%s\\n' 'a\tb\\c\nd' >"$D/spec-esc"
	unshare --pid --fork --mount-proc --mount "$SUP" "$D/spec-esc" >"$D/out" 2>"$D/err" &
	local u=$!
	wait_for grep -q 'exited' "$D/status"
	kill -TERM "$(pgrep -P "$u")"
	wait "$u" || fail "escape spec: exit $?"
	assert_eq "$(sed -E "s/$STAMP//" "$D/e.log")" "$(printf 'a\tb\\c\nd')" "the escaped argument"
	run "$SUP"
	assert_rc 2 "no argument"
	run "$SUP" /nonexistent-spec
	assert_rc 2 "missing spec"
	assert_match "$ERR" '^nslab-supervise: /nonexistent-spec: No such file or directory$'
}
