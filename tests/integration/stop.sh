# SPDX-License-Identifier: GPL-2.0-or-later
# Stopping a lab's processes: nsl_netns_kill_all / nsl_netns_pids_in / nsl_netns_inode, the
# output fd of nsl_launch_netns_exec_fd and nsl_launch_enter_ref, driven by
# tests/helpers/stop-cli.c. Every case makes its netns with `ip netns add` inside the sandbox
# and starts its processes with `ip netns exec`; state is read back from /proc and `ip`.
STOP=${STOP_CLI:-$(dirname "$NSLAB")/tests/stop-cli}

# The state of process $1 ("" when gone, Z for a zombie nobody reaped yet).
pstate() { awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
gone() { local s; s=$(pstate "$1"); [ -z "$s" ] || [ "$s" = Z ]; }
starttime() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $20}'; }
# wait_for CMD...: retry CMD for up to 5 s.
wait_for() {
	for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for: $*"
}
has_pid() { [ -s "$1" ] && [ -n "$(pstate "$(cat "$1")")" ]; }
is_comm() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }
# Kill what the case left behind, also on failure (only PIDs in our netns or our jobs).
cleanup_on_exit() {
	trap '"$STOP" kill 100 $(ls /run/netns) >/dev/null 2>&1 || true; kill -9 $(jobs -p) 2>/dev/null || true' EXIT
}
need_stop_cli() { [ -x "$STOP" ] || fail "no $STOP (make B=... unit builds it)"; }
elapsed_ms() { sed -n 's/^elapsed_ms //p' <<<"$ERR"; }

# A setsid grandchild and a double-forked daemon in netns a are found and stopped, with a
# process that ignores SIGTERM; a process in netns b is left alone.
t_stop_kill_all_netns() {
	need_stop_cli
	cleanup_on_exit
	ip netns add a
	ip netns add b
	# setsid -f: a new session, the child of a process that is gone at once.
	ip netns exec a setsid -f sh -c 'echo $$ >/tmp/p_sh; sleep 300 & echo $! >/tmp/p_setsid; wait' \
		</dev/null >/dev/null 2>&1
	# A daemon: double fork, both parents gone.
	ip netns exec a sh -c 'sh -c "sleep 302 </dev/null >/dev/null 2>&1 & echo \$! >/tmp/p_daemon" &' \
		</dev/null >/dev/null 2>&1
	ip netns exec a sh -c 'trap "" TERM; exec sleep 303' </dev/null >/dev/null 2>&1 &
	local p_term=$!
	ip netns exec b sleep 304 </dev/null >/dev/null 2>&1 &
	local p_b=$!
	wait_for has_pid /tmp/p_setsid
	wait_for has_pid /tmp/p_daemon
	wait_for is_comm "$p_term" sleep
	wait_for is_comm "$p_b" sleep
	local p_sh p_setsid p_daemon
	p_sh=$(cat /tmp/p_sh) p_setsid=$(cat /tmp/p_setsid) p_daemon=$(cat /tmp/p_daemon)
	local in_a
	in_a=$(ip netns pids a | sort -n | tr '\n' ' ')
	for p in $p_sh $p_setsid $p_daemon $p_term; do
		[[ " $in_a" == *" $p "* ]] || fail "process $p is not in netns a: $in_a"
	done
	# (the sandbox's PID 1 is this shell: an orphan becomes its child, a daemon's parent is
	# then 1; the daemon must not have been our child from the start)
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$p_daemon/status")" != $$ ] || [ $$ = 1 ] || fail "the daemon is our child"
	[ "$(ps -o sid= -p "$p_sh" | tr -d ' ')" = "$p_sh" ] || fail "the setsid shell leads no session"
	run "$STOP" kill 500 a
	assert_rc 0 "stop-cli kill"
	assert_match "$OUT" '^killed [4-9]$' "killed count"
	for p in $p_sh $p_setsid $p_daemon $p_term; do
		gone "$p" || fail "process $p still runs: $(pstate "$p")"
	done
	assert_eq "$(ip netns pids a)" "" "processes left in netns a"
	[ "$(elapsed_ms)" -lt 1500 ] || fail "took $(elapsed_ms) ms with a grace of 500 ms"
	[ "$(pstate "$p_b")" = S ] || fail "the process in netns b was hit: $(pstate "$p_b")"
	assert_eq "$(ip netns identify "$p_b")" b "netns of the process left alone"
	kill -9 "$p_b"
}

# A process that keeps forking while it ignores SIGTERM: later rounds catch the children
# the first round did not see.
t_stop_kill_all_forker() {
	need_stop_cli
	cleanup_on_exit
	ip netns add a
	ip netns exec a sh -c 'trap "" TERM; while :; do sleep 100 & sleep 0.05; done' \
		</dev/null >/dev/null 2>&1 &
	sleep 0.5
	[ "$(ip netns pids a | wc -l)" -ge 5 ] || fail "the forker did not start"
	run "$STOP" kill 300 a
	assert_rc 0 "stop-cli kill: $ERR"
	assert_eq "$(ip netns pids a)" "" "processes left in netns a"
	assert_match "$OUT" '^killed [0-9]+$'
	[ "${OUT#killed }" -ge 5 ] || fail "only $OUT"
}

# 20 processes that ignore SIGTERM in two netns: one grace period, not 20.
t_stop_kill_all_many_ignoring() {
	need_stop_cli
	cleanup_on_exit
	ip netns add a
	ip netns add b
	local pids=() p
	for i in $(seq 20); do
		ip netns exec $([ $((i % 2)) = 0 ] && echo a || echo b) \
			sh -c 'trap "" TERM; exec sleep 300' </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait_for is_comm "$p" sleep; done
	run "$STOP" kill 1000 a b
	assert_rc 0 "stop-cli kill: $ERR"
	assert_eq "$OUT" "killed 20"
	for p in "${pids[@]}"; do gone "$p" || fail "process $p still runs"; done
	assert_eq "$(ip netns pids a; ip netns pids b)" "" "processes left"
	[ "$(elapsed_ms)" -ge 1000 ] || fail "SIGTERM was not ignored? $(elapsed_ms) ms"
	[ "$(elapsed_ms)" -lt 3000 ] || fail "took $(elapsed_ms) ms with a grace of 1000 ms"
}

t_stop_netns_inode() {
	need_stop_cli
	ip netns add a
	run "$STOP" inode a
	assert_rc 0 "inode of a: $ERR"
	assert_eq "$OUT" "$(stat -L -c '%d %i' /run/netns/a)" "dev and inode"
	touch /run/netns/plain
	run "$STOP" inode plain
	assert_rc 1 "a plain file"
	assert_match "$ERR" "^error EINVAL"
	ln -s /run/netns/nothere /run/netns/dangling
	run "$STOP" inode dangling
	assert_rc 1 "a dangling symlink"
	assert_match "$ERR" "^error ENOENT"
	touch /run/netns/uts
	mount --bind /proc/self/ns/uts /run/netns/uts
	run "$STOP" inode uts
	umount /run/netns/uts
	assert_rc 1 "a UTS namespace"
	assert_match "$ERR" "^error EINVAL: not a network namespace"
	mkfifo /run/netns/fifo
	run timeout 5 "$STOP" inode fifo
	assert_rc 1 "a FIFO (and no hang)"
	assert_match "$ERR" "^error EINVAL"
	run "$STOP" inode missing
	assert_rc 1 "missing"
	assert_match "$ERR" "^error ENOENT"
	run "$STOP" inode ../netns/a
	assert_rc 1 "a name with a slash"
	assert_match "$ERR" "^error EINVAL"
}

# One scan for several netns: exactly the union of `ip netns pids`, with start times.
t_stop_pids_in() {
	need_stop_cli
	cleanup_on_exit
	local p
	for n in a b c; do ip netns add $n; done
	for n in a a b c; do
		ip netns exec $n sleep 300 </dev/null >/dev/null 2>&1 &
		wait_for is_comm $! sleep
	done
	run "$STOP" pids a b
	assert_rc 0 "pids: $ERR"
	assert_eq "$(awk '{print $1}' <<<"$OUT" | sort -n | tr '\n' ' ')" \
		"$({ ip netns pids a; ip netns pids b; } | sort -n | tr '\n' ' ')" "PIDs of a and b"
	assert_eq "$(grep -c . <<<"$OUT")" 3 "3 processes"
	while read -r p st; do
		assert_eq "$st" "$(starttime "$p")" "start time of $p"
	done <<<"$OUT"
}

# exec with an output fd: `sleep 30 &` does not hold the caller's stdout, so $(...) returns
# at once; the output lands in the file, stdin is /dev/null.
t_stop_exec_out_fd() {
	need_stop_cli
	cleanup_on_exit
	ip netns add a
	local t0 out bg
	t0=$(date +%s)
	out=$("$STOP" exec-fd a /tmp/out sh -c \
		'echo out; echo err >&2; readlink /proc/self/fd/0; sleep 30 & echo $!' 2>/dev/null)
	[ $(($(date +%s) - t0)) -lt 10 ] || fail "waited for the background sleep"
	assert_eq "$out" "" "stdout of the caller"
	assert_eq "$(sed -n 1,3p /tmp/out | tr '\n' ' ')" "out err /dev/null " "the file"
	bg=$(sed -n 4p /tmp/out)
	[ -n "$(pstate "$bg")" ] || fail "no background sleep ($bg)"
	assert_eq "$(ip netns identify "$bg")" a "netns of the background sleep"
	assert_eq "$(readlink "/proc/$bg/fd/1")" /tmp/out "stdout of the background sleep"
	run "$STOP" kill 100 a
	assert_eq "$OUT" "killed 1"
	gone "$bg" || fail "background sleep still runs"
}

# enter by identity: the right start time enters the target's netns; a wrong one (a recycled
# PID) and a stopped target run nothing.
t_stop_enter_ref() {
	need_stop_cli
	cleanup_on_exit
	ip netns add a
	ip netns exec a sleep 300 </dev/null >/dev/null 2>&1 &
	local p=$! st
	wait_for is_comm "$p" sleep
	st=$(starttime "$p")
	run "$STOP" enter-ref "$p" "$st" readlink /proc/self/ns/net
	assert_rc 0 "enter-ref: $ERR"
	assert_eq "$OUT" "$(readlink "/proc/$p/ns/net")" "netns inside"
	run "$STOP" enter-ref "$p" $((st + 1)) touch /tmp/ran
	assert_rc 1 "a wrong start time"
	assert_match "$ERR" "error ESRCH: process $p is no longer running"
	[ ! -e /tmp/ran ] || fail "the command ran"
	kill -9 "$p"
	wait "$p" 2>/dev/null || true
	run "$STOP" enter-ref "$p" "$st" touch /tmp/ran
	assert_rc 1 "a stopped target"
	assert_match "$ERR" "error ESRCH: process $p is no longer running"
	[ ! -e /tmp/ran ] || fail "the command ran"
}
