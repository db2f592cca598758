# SPDX-License-Identifier: GPL-2.0-or-later
# Lab nodes that run software: supervised processes, their own files, logs, readiness,
# loopback addresses, and nothing left after down. Each t_* runs in a fresh sandbox.

# Processes whose netns is one of the lab's (by the inodes recorded before down), or that
# run a command line matching $1: none may be left.
_procs_in() { # INODE...
	local p ino want
	for p in /proc/[0-9]*; do
		ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
		for want in "$@"; do
			[ "$ino" = "$want" ] && echo "${p#/proc/}"
		done
	done
	return 0
}
_lab_inodes() { # NETNS...
	local n
	for n in "$@"; do stat -L -c %i "/run/netns/$n"; done
}
_no_procs() { # INODE...
	local left
	left=$(_procs_in "$@")
	[ -z "$left" ] || fail "processes left in the lab's netns: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
}
_nothing_left() {
	[ -z "$(ls -A /run/netns 2>/dev/null)" ] || fail "netns left: $(ls /run/netns)"
	[ -z "$(ls -A /run/nslab 2>/dev/null)" ] || fail "state left: $(ls -A /run/nslab)"
	[ -z "$(ls -A /etc/netns 2>/dev/null)" ] || fail "etc left: $(ls -A /etc/netns)"
}
_py_connect='import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)'

_web_lab() {
	cat >/tmp/web.yaml <<EOF
name: web
bridges: { lan: { address: 10.77.0.1/24 } }
nodes:
  web:
    interfaces: { eth0: { bridge: lan, address: 10.77.0.10/24 } }
    loopback: [ 10.255.0.7/32, "fd00:255::7/128" ]
    env: { PORT: "8080", GREETING: "hello from \${node} of \${lab}" }
    files:
      /srv/www/index.html: "hello from \${node}\n"
      /etc/web.conf: { content: "port 8080\n", mode: "0600" }
    tmpfs: [ { path: /var/lib/web, mode: "0700" } ]
    run:
      - { name: http, command: "exec python3 -m http.server \$PORT --bind 0.0.0.0 --directory /srv/www", restart: on-failure, user: nobody }
      - { name: ticker, command: [sh, -c, 'while :; do echo "tick \$GREETING"; sleep 0.2; done'] }
    ready: { exec: "python3 -c '$_py_connect' 127.0.0.1 8080", timeout: 20, interval: 0.2 }
  h1:
    interfaces: { eth0: { bridge: lan, address: 10.77.0.11/24 } }
EOF
}

t_node_web_files_env_user_ready() {
	command -v python3 >/dev/null || skip "python3 missing"
	_web_lab
	[ ! -e /srv/www ] || skip "/srv/www exists on this host"
	local etc_before
	etc_before=$(ls -la /etc | grep -v ' netns$' | md5sum)
	run "$NSLAB" up /tmp/web.yaml
	assert_rc 0 "up: $ERR"
	assert_match "$OUT$ERR" "ready web" "progress shows readiness"
	# the page, fetched over the lab from the other node
	run ip netns exec h1 python3 -c "import urllib.request; print(urllib.request.urlopen('http://10.77.0.10:8080/index.html', timeout=5).read().decode(), end='')"
	assert_eq "$OUT" "hello from web" "page served by the node"
	# the node's view: its files, its env, its hostname, PID 1 is the supervisor
	assert_eq "$("$NSLAB" exec web web -- cat /etc/web.conf)" "port 8080" "inline file"
	assert_eq "$("$NSLAB" exec web web -- stat -c %a /etc/web.conf)" "600" "file mode"
	assert_eq "$("$NSLAB" exec web web -- stat -c %a /var/lib/web)" "700" "tmpfs mode"
	assert_eq "$("$NSLAB" exec web web -- sh -c 'echo $GREETING')" "hello from web of web" "env and \${lab}"
	assert_eq "$("$NSLAB" exec web web -- hostname)" "web" "hostname"
	assert_eq "$("$NSLAB" exec web web -- cat /proc/1/comm)" "nslab-supervise" "PID 1"
	# the host's files are as before: /srv does not exist there, /etc is unchanged
	[ ! -e /srv/www ] || fail "/srv/www was made on the host"
	assert_eq "$(ls -la /etc | grep -v ' netns$' | md5sum)" "$etc_before" "host /etc unchanged (but for /etc/netns)"
	# status: both processes running, with host PIDs; http runs as nobody
	local j pid
	j=$(nsl -j status web)
	assert_eq "$(jqr '[.nodes[] | select(.name=="web") | .processes[] | select(.running)] | length' "$j")" 2 "running processes"
	pid=$(jqr '.nodes[] | select(.name=="web") | .processes[] | select(.name=="http") | .pid' "$j")
	[ "$pid" -gt 1 ] 2>/dev/null || fail "no host pid for http: $j"
	assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$(id -u nobody)" "http runs as nobody"
	assert_eq "$(stat -L -c %i "/proc/$pid/ns/net")" "$(stat -L -c %i /run/netns/web)" "http in the node's netns"
	# loopback addresses
	ip -n web -j addr show dev lo | jq -e '[.[].addr_info[].local] | index("10.255.0.7") != null' >/dev/null ||
		fail "10.255.0.7 missing on lo"
	ip -n web -j addr show dev lo | jq -e '[.[].addr_info[].local] | index("fd00:255::7") != null' >/dev/null ||
		fail "fd00:255::7 missing on lo"
	# logs: timestamped lines of the ticker and the http server's request line
	run "$NSLAB" logs web web ticker -n 2
	assert_rc 0 "logs: $ERR"
	assert_eq "$(grep -c . <<<"$OUT")" 2 "logs -n 2"
	assert_match "$OUT" "^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:.]+Z tick hello from web of web" "timestamped log line"
	run "$NSLAB" logs web web
	assert_match "$OUT" "http: .*GET /index.html" "merged logs show the request"
	local inos
	inos=$(_lab_inodes web h1)
	nsl -q down web >/dev/null
	_no_procs $inos
	_nothing_left
	[ ! -d "/proc/$pid" ] || fail "http ($pid) survived down"
}

t_node_daemons_contained_without_pid_ns() {
	cat >/tmp/d.yaml <<'EOF'
name: dmn
nodes:
  a:
    namespaces: [mount, uts]
    run: { name: starter, command: "sleep 7400 & sleep 7401 & exit 0" }
  b:
    run: { name: starter, command: "setsid sleep 7402 & exit 0" }
EOF
	nsl -q up /tmp/d.yaml >/dev/null
	local inos
	inos=$(_lab_inodes a b)
	sleep 0.3
	pgrep -f '^sleep 740[012]$' >/dev/null || fail "the daemons did not start"
	# a process started by hand inside a node goes too
	"$NSLAB" exec dmn a -- sh -c 'sleep 7403 </dev/null >/dev/null 2>&1 &'
	nsl -q down dmn >/dev/null
	_no_procs $inos
	! pgrep -f '^sleep 740[0-3]$' >/dev/null || fail "daemons survived down: $(pgrep -af '^sleep 740')"
	_nothing_left
}

t_node_ready_timeout_fails_and_unwinds() {
	cat >/tmp/r.yaml <<'EOF'
name: rdy
nodes:
  a:
    run: { command: [sleep, "7301"] }
    ready: { exec: "echo still waiting for ${node}; exit 3", timeout: 2, interval: 0.5 }
EOF
	local before
	# the first netns ever made turns the run dir into a bind mount, and that stays
	ip netns add nslab-warm-up && ip netns del nslab-warm-up
	before=$(state_snapshot)
	run "$NSLAB" -q up /tmp/r.yaml
	assert_rc 2 "up with a ready that never holds"
	assert_match "$ERR" "node 'a': not ready after 2 s: .* exited 3: still waiting for a" "message"
	assert_eq "$(grep -c . <<<"$ERR")" 1 "one line"
	! pgrep -f '^sleep 7301$' >/dev/null || fail "process left after the unwind"
	assert_eq "$(state_snapshot)" "$before" "nothing changed"
}

t_node_restart_backoff() {
	cat >/tmp/b.yaml <<'EOF'
name: bo
nodes:
  a:
    run:
      - { name: flappy, command: "echo start; exit 1", restart: always }
      - { name: once, command: "exit 4" }
EOF
	nsl -q up /tmp/b.yaml >/dev/null
	sleep 3
	local j r sup
	j=$(nsl -j status bo)
	r=$(jqr '.nodes[0].processes[] | select(.name=="flappy") | .restarts' "$j")
	[ "$r" -ge 3 ] && [ "$r" -le 9 ] || fail "restarts after 3 s: $r (want a back-off: 3..9)"
	assert_eq "$(jqr '.nodes[0].processes[] | select(.name=="once") | .last_exit' "$j")" 4 "exit status of once"
	# a process that exited 4 and is not restarted is drift
	assert_eq "$(jqr '.state' "$j")" drifted "lab state"
	sup=$(pgrep -f "nslab-supervise .*/bo/sup/a/spec")
	local ticks
	ticks=$(awk '{print $14 + $15}' "/proc/$sup/stat")
	[ "$ticks" -lt 50 ] || fail "supervisor used $ticks ticks of CPU in 3 s (busy loop?)"
	nsl -q down bo >/dev/null
	_nothing_left
}

t_node_drift_dead_supervisor_repaired() {
	cat >/tmp/k.yaml <<'EOF'
name: kd
nodes:
  a: { run: { name: main, command: [sleep, "7701"] } }
EOF
	nsl -q up /tmp/k.yaml >/dev/null
	local sup j
	sup=$(pgrep -f "nslab-supervise .*/kd/sup/a/spec")
	[ -n "$sup" ] || fail "no supervisor"
	kill -9 "$sup"
	sleep 0.2
	j=$(nsl -j status kd)
	assert_eq "$(jqr '.state' "$j")" drifted "state after the supervisor died"
	assert_eq "$(jqr '.nodes[0].processes[0].running' "$j")" false "a dead process is not running"
	run "$NSLAB" plan /tmp/k.yaml
	assert_match "$OUT" "run a" "plan lists the process"
	nsl -q up /tmp/k.yaml >/dev/null
	j=$(nsl -j status kd)
	assert_eq "$(jqr '.state' "$j")" up "repaired"
	assert_eq "$(jqr '.nodes[0].processes[0].running' "$j")" true "running again"
	nsl -q down kd >/dev/null
	_nothing_left
}

t_node_stop_timeout_then_kill() {
	cat >/tmp/s.yaml <<'EOF'
name: st
stop_timeout: 1
nodes:
  a: { run: { name: stubborn, command: "trap '' TERM; while :; do sleep 0.1; done" } }
EOF
	nsl -q up /tmp/s.yaml >/dev/null
	local t0 t1 inos
	inos=$(_lab_inodes a)
	t0=$(date +%s%N)
	nsl -q down st >/dev/null
	t1=$(date +%s%N)
	_no_procs $inos
	[ $(((t1 - t0) / 1000000)) -ge 900 ] || fail "down did not wait for the grace: $(((t1 - t0) / 1000000)) ms"
	_nothing_left
}

t_node_binds_and_missing_target() {
	mkdir -p /tmp/cfg/conf.d
	echo "from the host" >/tmp/cfg/conf.d/a.conf
	echo "single" >/tmp/cfg/one.txt
	cat >/tmp/cfg/lab.yaml <<'EOF'
name: bnd
nodes:
  a:
    binds: [ "conf.d:/etc/myapp/conf.d:ro", "one.txt:/opt/nslab-test/one.txt" ]
    run: { command: [sleep, "7601"] }
EOF
	[ ! -e /etc/myapp ] && [ ! -e /opt/nslab-test ] || skip "targets exist on this host"
	nsl -q up /tmp/cfg/lab.yaml >/dev/null
	assert_eq "$("$NSLAB" exec bnd a -- cat /etc/myapp/conf.d/a.conf)" "from the host" "dir bind"
	assert_eq "$("$NSLAB" exec bnd a -- cat /opt/nslab-test/one.txt)" "single" "file bind"
	run "$NSLAB" exec bnd a -- sh -c 'echo x > /etc/myapp/conf.d/a.conf'
	[ "$RC" -ne 0 ] || fail "a :ro bind took a write"
	# the node still sees the host's /etc and /opt entries beside the new ones
	"$NSLAB" exec bnd a -- test -e /etc/passwd || fail "/etc/passwd hidden in the node"
	[ ! -e /etc/myapp ] && [ ! -e /opt/nslab-test ] || fail "targets were made on the host"
	nsl -q down bnd >/dev/null
	_nothing_left
}

t_node_crash_during_start_then_down() {
	[ -x "${NSLAB_HOOKS:-}" ] || skip "no test-hooks binary"
	cat >/tmp/c.yaml <<'EOF'
name: cr
nodes:
  a: { run: { command: [sleep, "7501"] } }
  b: { run: { command: [sleep, "7501"] } }
  c: { run: { command: [sleep, "7501"] } }
EOF
	local k inos
	for k in 3 4 5; do
		NSLAB_TEST_CRASH_AFTER=$k "$NSLAB_HOOKS" -q up /tmp/c.yaml >/dev/null 2>&1 || true
		inos=$(for n in a b c; do [ ! -e /run/netns/$n ] || stat -L -c %i /run/netns/$n; done)
		nsl -q down cr >/dev/null
		[ -z "$inos" ] || _no_procs $inos
		! pgrep -f '^sleep 7501$' >/dev/null || fail "crash after $k: a process survived down"
		! pgrep -f 'nslab-supervise .*/cr/' >/dev/null || fail "crash after $k: a supervisor survived down"
		_nothing_left
	done
}

# A node's mount namespace comes from one base made at up (launch/base.c): none of the
# lab's named netns are mounted in it, nor any made later (the base is private), so it does
# not grow with the lab; its /sys is its own netns's, its /etc/netns files are bound in.
t_node_view_without_named_netns() {
	cat >/tmp/v.yaml <<'EOF2'
name: view
nodes:
  a: { run: { command: [sleep, "7701"] }, dns: { nameservers: [ 192.0.2.53 ] } }
  b: { run: { command: [sleep, "7701"] } }
  c: {}
EOF2
	local pid nsfs
	nsl -q up /tmp/v.yaml >/dev/null
	ip netns add nslab-later
	assert_eq "$(ls /run/netns | sort | tr '\n' ' ')" "a b c nslab-later " "the host's named netns"
	assert_eq "$("$NSLAB" exec view a -- ls -A /run/netns)" "" "no named netns in the node"
	pid=$(pgrep -f 'nslab-supervise .*/view/sup/a/' | head -n 1)
	[ -n "$pid" ] || fail "no supervisor of a"
	nsfs=$(awk '$0 ~ / - nsfs / {n++} END {print n + 0}' "/proc/$pid/mountinfo")
	assert_eq "$nsfs" 0 "nsfs mounts in the node's mount namespace"
	assert_eq "$("$NSLAB" exec view a -- ls /sys/class/net | tr '\n' ' ')" "lo " "the node's own /sys"
	assert_match "$("$NSLAB" exec view a -- cat /etc/resolv.conf)" "nameserver 192.0.2.53" "the node's resolv.conf"
	assert_eq "$("$NSLAB" exec view a -- hostname)" a "the node's hostname"
	assert_eq "$("$NSLAB" exec view a -- cat /proc/1/comm)" nslab-supervise "exec in the node's PID namespace"
	ip netns del nslab-later
	nsl -q down view >/dev/null
	_nothing_left
}

# A process that died under a supervisor that lives on: plan lists the drift, up starts that
# process again and nothing else of the node: the other process keeps its PID, the
# supervisor its PID, the exec commands do not run again.
t_node_repair_in_place() {
	cat >/tmp/ip.yaml <<'EOF2'
name: rip
nodes:
  a:
    run:
      - { name: keep, command: [sleep, "7801"] }
      - { name: dies, command: [sleep, "7802"] }
    exec: [ "echo exec ran" ]
EOF2
	local sup keep dies j
	nsl -q up /tmp/ip.yaml >/dev/null
	sup=$(pgrep -f "nslab-supervise .*/rip/sup/a/spec")
	j=$(nsl -j status rip)
	keep=$(jqr '.nodes[0].processes[] | select(.name=="keep") | .pid' "$j")
	dies=$(jqr '.nodes[0].processes[] | select(.name=="dies") | .pid' "$j")
	[ "$keep" -gt 0 ] && [ "$dies" -gt 0 ] && [ -n "$sup" ] || fail "pids: sup $sup keep $keep dies $dies"
	kill -9 "$dies"
	for _ in $(seq 50); do
		[ "$(jqr '.nodes[0].processes[] | select(.name=="dies") | .state' "$(nsl -j status rip)")" = exited ] && break
		sleep 0.1
	done
	run "$NSLAB" plan /tmp/ip.yaml
	assert_match "$OUT" "run a \\(drift: process dies exited \\(sig9\\)\\)" "plan lists the drift"
	nsl -q up /tmp/ip.yaml >/dev/null
	j=$(nsl -j status rip)
	assert_eq "$(jqr '.state' "$j")" up "repaired"
	assert_eq "$(jqr '.nodes[0].processes[] | select(.name=="dies") | .state' "$j")" running "dies runs again"
	assert_eq "$(jqr '.nodes[0].processes[] | select(.name=="dies") | .restarts' "$j")" 1 "one restart"
	[ "$(jqr '.nodes[0].processes[] | select(.name=="dies") | .pid' "$j")" != "$dies" ] || fail "dies has its old pid"
	assert_eq "$(jqr '.nodes[0].processes[] | select(.name=="keep") | .pid' "$j")" "$keep" "keep was left alone"
	assert_eq "$(pgrep -f "nslab-supervise .*/rip/sup/a/spec")" "$sup" "the same supervisor"
	assert_eq "$(grep -c 'exec ran' /run/nslab/rip/logs/a/exec.log)" 1 "exec commands ran once"
	run "$NSLAB" plan /tmp/ip.yaml
	assert_match "$OUT" "0 changes|no changes|nothing" "nothing left to do"
	nsl -q down rip >/dev/null
	_nothing_left
}

# A node's processes start once its links, addresses and routes are there.
t_node_processes_start_after_the_network() {
	cat >/tmp/st.yaml <<'EOF2'
name: stg
bridges: { lan: { address: 10.78.0.1/24 } }
nodes:
  a:
    interfaces: { eth0: { bridge: lan, address: 10.78.0.10/24 } }
    routes: [ "default via 10.78.0.1" ]
    files: { /etc/stg.conf: "x\n" }
    run: { name: probe, command: "ip -4 -o addr show dev eth0; ip route show default; cat /etc/stg.conf; exec sleep 7901" }
EOF2
	nsl -q up /tmp/st.yaml >/dev/null
	local log=/run/nslab/stg/logs/a/probe.log
	for _ in $(seq 30); do grep -q '^.*x$' "$log" 2>/dev/null && break; sleep 0.1; done
	assert_match "$(cat "$log")" "10\\.78\\.0\\.10/24" "the address was there when the process started"
	assert_match "$(cat "$log")" "default via 10\\.78\\.0\\.1" "the route was there"
	nsl -q down stg >/dev/null
	_nothing_left
}

