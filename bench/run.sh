#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark of issue 6 / DESIGN.md §7: build the star-N lab three ways in one run, alternating,
#   (a) one `ip` command per step (the classic recipe),
#   (b) `ip -batch`, as fast as stock iproute2 goes,
#   (c) `nslab up` of a generated topology file (bench/star.sh), `nslab down`,
# check that each lab works, time up and down (down = until the kernel has removed every link),
# and print medians, ratios, nslab's peak RSS and its syscall profile.
# Everything happens inside tests/sandbox.sh: a private net+mount namespace; the host is untouched.
#
# Usage: bench/run.sh [-A] [-P] [-K] N [REPS]
#   -A  skip variant (a) (one `ip` per step takes minutes at N=1000)
#   -P  skip the nslab profile (peak RSS and strace -c)
#   -K  also the crash check of issue 6 target 5: `kill -9` of `nslab up` at 1/2 and 3/4 of its time,
#       then `nslab down LAB` (without the file) must leave nothing
# Env: NSLAB (default build/nslab).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
NSLAB=${NSLAB:-$TOP/build/nslab}
SKIP_A=0 PROFILE=1 KILLTEST=0
ARGS=("$@")
usage() { echo "usage: bench/run.sh [-A] [-P] [-K] N [REPS]" >&2; exit 1; }
while getopts APK o; do
	case $o in A) SKIP_A=1 ;; P) PROFILE=0 ;; K) KILLTEST=1 ;; *) usage ;; esac
done
shift $((OPTIND - 1))
N=${1:-}
REPS=${2:-3}
[[ $N =~ ^[1-9][0-9]*$ ]] && [ "$N" -le 65000 ] || usage
[[ $REPS =~ ^[1-9][0-9]*$ ]] || usage
if [ "${NSLAB_IN_SANDBOX:-}" != 1 ]; then
	exec "$TOP/tests/sandbox.sh" "$0" "${ARGS[@]}"
fi
command -v ip >/dev/null || { echo "bench: iproute2 missing (tools/deps.sh bench)" >&2; exit 1; }

BR=10.77.0.1
GROUP=77
WORK=$(mktemp -d /tmp/nslab-bench.XXXXXX)
TOPO=$WORK/star$N.yaml
"$TOP/bench/star.sh" "$N" >"$TOPO"
# A private netns has IPv6 on by default: new root-side ports (bridge, host veths) would each run
# DAD and MLD. Switch it off here, in the sandbox's root netns, the same for all three variants.
sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
# The sandbox's /sys still shows the host's devices: mount one for our netns (private mount
# ns, so the host never sees it) to count links without a fork.
mount -t sysfs nslab-bench-sys /sys || { echo "bench: cannot mount sysfs" >&2; exit 1; }
mkfifo "$WORK/tick"
exec {TICK}<>"$WORK/tick"

log() { printf '%s\n' "$*" >&2; }
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
addr() { echo "10.77.$((($1 + 1) / 256)).$((($1 + 1) % 256))"; }
nlinks() { local l=(/sys/class/net/*); echo "${#l[@]}"; }
# Block until the root netns has at most $1 links: netns teardown is asynchronous.
wait_links() {
	local deadline=$((SECONDS + 600))
	while [ "$(nlinks)" -gt "$1" ]; do
		[ $SECONDS -lt $deadline ] || { log "bench: links never went away"; return 1; }
		read -r -t 0.002 -u "$TICK" _ || true
	done
}
BASE_LINKS=$(nlinks)

# Remove whatever a failed variant left, so the next one starts from the same empty state.
reset_lab() {
	local f
	for f in /run/netns/*; do [ -e "$f" ] && ip netns del "$(basename "$f")" 2>/dev/null; done
	ip link del group $GROUP 2>/dev/null
	ip link del br0 2>/dev/null
	for f in /sys/class/net/*; do
		f=${f##*/}
		[ "$f" = lo ] || ip link del "$f" 2>/dev/null
	done
	rm -rf /etc/netns/* /run/nslab/* 2>/dev/null
	wait_links "$BASE_LINKS"
}

# ---- (a) one `ip` command per step ----
up_a() {
	local i a
	ip link add br0 type bridge && ip addr add $BR/16 dev br0 && ip link set br0 up || return 1
	for ((i = 1; i <= N; i++)); do
		a=$(addr $i)
		ip netns add n$i &&
			ip link add h$i type veth peer name p$i &&
			ip link set p$i netns n$i &&
			ip -n n$i link set p$i name eth0 &&
			ip link set h$i master br0 &&
			ip link set h$i up &&
			ip -n n$i link set lo up &&
			ip -n n$i addr add "$a/16" dev eth0 &&
			ip -n n$i link set eth0 up &&
			ip -n n$i route add default via $BR &&
			mkdir -p /etc/netns/n$i &&
			echo "nameserver $BR" >/etc/netns/n$i/resolv.conf || return 1
	done
}
down_a() {
	local i
	for ((i = 1; i <= N; i++)); do
		ip link del h$i && ip netns del n$i && rm -rf /etc/netns/n$i || return 1
	done
	ip link del br0 && wait_links "$BASE_LINKS"
}

# ---- (b) ip -batch: one root batch, then one batch per netns ----
up_b() {
	local i
	{
		echo "link add br0 type bridge"
		echo "addr add $BR/16 dev br0"
		echo "link set br0 up"
		for ((i = 1; i <= N; i++)); do echo "netns add n$i"; done
		for ((i = 1; i <= N; i++)); do
			echo "link add h$i group $GROUP up master br0 type veth peer name eth0 netns n$i"
		done
	} | ip -batch - || return 1
	for ((i = 1; i <= N; i++)); do
		# addrgenmode none: no IPv6 link-local, so no DAD/RS flood on the bridge (cf. issue 6).
		printf '%s\n' "link set lo up" "link set eth0 addrgenmode none" "addr add $(addr $i)/16 dev eth0" \
			"link set eth0 up" "route add default via $BR" | ip -n n$i -batch - || return 1
	done
	mkdir -p "${NETNS_ETC[@]}" || return 1
	for ((i = 1; i <= N; i++)); do echo "nameserver $BR" >/etc/netns/n$i/resolv.conf; done
}
down_b() {
	local i
	ip link del group $GROUP || return 1
	{
		for ((i = 1; i <= N; i++)); do echo "netns del n$i"; done
		echo "link del br0"
	} | ip -batch - || return 1
	rm -rf "${NETNS_ETC[@]}" && wait_links "$BASE_LINKS"
}
NETNS_ETC=()
for ((i = 1; i <= N; i++)); do NETNS_ETC+=("/etc/netns/n$i"); done

# ---- (c) nslab ----
up_c() { "$NSLAB" -q up "$TOPO"; }
down_c() { "$NSLAB" -q down "$TOPO" && wait_links "$BASE_LINKS"; }

# Does the lab work? Same checks for all variants, outside the timed part.
check_lab() {
	local want_links=$((BASE_LINKS + 1 + N)) got k
	got=$(nlinks)
	[ "$got" -eq "$want_links" ] || { log "  check: $got links in the root netns, expected $want_links"; return 1; }
	got=$(ls /run/netns | wc -l)
	[ "$got" -eq "$N" ] || { log "  check: $got netns, expected $N"; return 1; }
	grep -q "^nameserver $BR" /etc/netns/n$N/resolv.conf 2>/dev/null ||
		{ log "  check: no resolv.conf in n$N"; return 1; }
	ip -n n$N -o addr show dev eth0 | grep -q " $(addr $N)/16 " || { log "  check: n$N has no address"; return 1; }
	ip -n n$N route show default | grep -q "via $BR" || { log "  check: n$N has no default route"; return 1; }
	# One ping across the bridge, node to node; tries count how soon the lab answers.
	for k in 1 2 3 4 5 6 7 8 9 10; do
		if ip netns exec n1 ping -c1 -W1 -q "$(addr $N)" >/dev/null 2>&1; then
			PING_TRIES=$k
			return 0
		fi
	done
	log "  check: n1 cannot ping $(addr $N)"
	return 1
}

declare -A UP DOWN
NSLAB_OK=1
NSLAB_WHY=""
if [ ! -x "$NSLAB" ]; then
	NSLAB_OK=0 NSLAB_WHY="$NSLAB not built"
fi

# The kernel frees a deleted netns asynchronously (cleanup_net), after its links are gone and
# after any variant's `down` has returned. Before each variant starts, wait (untimed) until
# the number of live network namespaces (the net_namespace slab) is back to where it was
# before the run, so that no variant pays for the previous one's teardown.
netns_live() { awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo 2>/dev/null; }
NETNS_BASE=$(netns_live)
settle() {
	local i last="" same=0 cur
	[ -n "$NETNS_BASE" ] || { sleep 1; return 0; }
	# SLUB keeps some freed objects on per-CPU lists, so the count may stay a little above
	# the base: stop when it is back, or when it has not moved for a second (cap 10 s).
	for ((i = 0; i < 200; i++)); do
		cur=$(netns_live)
		[ "$cur" -le "$NETNS_BASE" ] && return 0
		if [ "$cur" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge 20 ] && return 0
		else
			same=0 last=$cur
		fi
		sleep 0.05
	done
}

run_variant() { # run_variant a|b|c REP
	local v=$1 t0 t1 t2
	PING_TRIES=0
	settle
	t0=$(now_us)
	if ! "up_$v" >"$WORK/out" 2>&1; then
		log "  ($v) up failed: $(tail -n 2 "$WORK/out" | tr '\n' ' ')"
		[ "$v" = c ] && NSLAB_OK=0 NSLAB_WHY="nslab up failed: $(head -n 1 "$WORK/out")"
		[ "$v" = c ] || FAILED=1
		reset_lab
		return
	fi
	t1=$(now_us)
	if ! check_lab; then
		[ "$v" = c ] && NSLAB_OK=0 NSLAB_WHY="the lab built by nslab up does not work"
		[ "$v" = c ] || FAILED=1
		reset_lab
		return
	fi
	t2=$(now_us)
	if ! "down_$v" >"$WORK/out" 2>&1; then
		log "  ($v) down failed: $(tail -n 2 "$WORK/out" | tr '\n' ' ')"
		[ "$v" = c ] && NSLAB_OK=0 NSLAB_WHY="nslab down failed: $(head -n 1 "$WORK/out")"
		[ "$v" = c ] || FAILED=1
		reset_lab
		return
	fi
	local t3
	t3=$(now_us)
	if [ -n "$(ls /run/netns)" ] || [ -n "$(ls /etc/netns)" ] || [ -n "$(ls /run/nslab)" ]; then
		log "  ($v) down left: $(ls /run/netns /etc/netns /run/nslab | tr '\n' ' ')"
		[ "$v" = c ] && NSLAB_OK=0 NSLAB_WHY="nslab down left netns or files behind"
		reset_lab
		return
	fi
	UP[$v]+="$((t1 - t0)) "
	DOWN[$v]+="$((t3 - t2)) "
	log "  rep $2 ($v) up $(sec $((t1 - t0))) s  down $(sec $((t3 - t2))) s  ping ok (try $PING_TRIES)"
}
sec() { printf '%d.%03d' $(($1 / 1000000)) $((($1 / 1000) % 1000)); }
median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }' || echo "n/a"; }

FAILED=0
log "bench: star-$N, $REPS reps, variants: $([ $SKIP_A = 1 ] || echo -n 'a ')b c"
reset_lab
for ((rep = 1; rep <= REPS; rep++)); do
	[ $SKIP_A = 1 ] || run_variant a $rep
	run_variant b $rep
	[ $NSLAB_OK = 1 ] && run_variant c $rep
done

# ---- nslab profile: one extra up/down each under /usr/bin/time -v and strace -c -f ----
RSS="n/a (-P)" PROF=""
if [ $PROFILE = 1 ] && [ $NSLAB_OK = 1 ]; then
	RSS="n/a"
	if [ -x /usr/bin/time ] && /usr/bin/time -v -o "$WORK/time" "$NSLAB" -q up "$TOPO" >/dev/null 2>&1; then
		RSS=$(awk -F: '/Maximum resident set size/ { printf "%.1f MiB", $2 / 1024 }' "$WORK/time")
		"$NSLAB" -q down "$TOPO" >/dev/null 2>&1
	fi
	reset_lab
	if command -v strace >/dev/null && strace -f -c -o "$WORK/strace" "$NSLAB" -q up "$TOPO" >/dev/null 2>&1; then
		PROF=$WORK/strace
		"$NSLAB" -q down "$TOPO" >/dev/null 2>&1
	fi
	reset_lab
fi

# ---- crash check: kill -9 in the middle of up, then down by lab name ----
# Twice: at 1/2 of the median up (the netns are made first) and at 3/4 (ports and addresses).
crash_at() { # crash_at MS
	local at=$1 pid made left
	"$NSLAB" -q up "$TOPO" >/dev/null 2>&1 &
	pid=$!
	read -r -t "$(awk -v m="$at" 'BEGIN { printf "%.3f", m / 1000 }')" -u "$TICK" _ || true
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	made=$(($(nlinks) - BASE_LINKS))
	if ! "$NSLAB" -q down "star$N" >"$WORK/out" 2>&1; then
		echo "FAIL: down after kill -9 failed: $(head -n 1 "$WORK/out")"
	else
		wait_links "$BASE_LINKS"
		left="$(ls /run/netns /etc/netns /run/nslab 2>/dev/null | grep -v ':$' | grep -c .)"
		if [ "$left" -ne 0 ] || [ "$(nlinks)" -ne "$BASE_LINKS" ]; then
			echo "FAIL: after kill -9 at ${at} ms ($made links made) and down: $left files and $(($(nlinks) - BASE_LINKS)) links left"
		else
			echo "ok: kill -9 after ${at} ms ($made root links made), then down by name, left nothing"
		fi
	fi
	reset_lab
}
CRASH=""
if [ $KILLTEST = 1 ] && [ $NSLAB_OK = 1 ]; then
	m=$(median "${UP[c]:-}")
	m=$(((${m:-1000000}) / 1000))
	CRASH="$(crash_at $((m / 2)))"$'\n'"nslab crash check: $(crash_at $((m * 3 / 4)))"
fi

# ---- report ----
echo
echo "star-$N, median of $REPS, $(uname -r), $(nproc) CPUs, $(ip -V | sed 's/.*iproute2-/iproute2 /; s/,.*//')"
printf '%-22s %10s %10s %14s\n' "" "up (s)" "down (s)" "up/node (ms)"
for v in a b c; do
	case $v in a) label="(a) ip per step" ;; b) label="(b) ip -batch" ;; c) label="(c) nslab" ;; esac
	u=$(median "${UP[$v]:-}") d=$(median "${DOWN[$v]:-}")
	if [ -z "$u" ]; then
		why="n/a"
		[ $v = a ] && [ $SKIP_A = 1 ] && why="skipped (-A)"
		[ $v = c ] && why="n/a"
		[ $v != c ] && [ $FAILED = 1 ] && why="FAILED"
		printf '%-22s %s\n' "$label" "$why"
		continue
	fi
	printf '%-22s %10s %10s %14s\n' "$label" "$(sec "$u")" "$(sec "$d")" \
		"$(awk -v u="$u" -v n="$N" 'BEGIN { printf "%.3f", u / n / 1000 }')"
	eval "MU_$v=$u MD_$v=$d"
done
if [ -n "${MU_c:-}" ]; then
	echo "ratios: up nslab/(a) $(ratio "$MU_c" "${MU_a:-}")  nslab/(b) $(ratio "$MU_c" "${MU_b:-}");" \
		"down nslab/(a) $(ratio "$MD_c" "${MD_a:-}")  nslab/(b) $(ratio "$MD_c" "${MD_b:-}")"
	echo "nslab up: peak RSS $RSS"
	[ -n "$CRASH" ] && echo "nslab crash check: $CRASH"
	if [ -n "$PROF" ]; then
		echo "nslab up: syscalls (strace -c -f), top 12 by time:"
		sed -n '1,2p' "$PROF"
		grep -E '^ *[0-9]' "$PROF" | grep -v ' total$' | sort -k1 -nr | head -n 12
		grep ' total$' "$PROF"
		execs=$(awk '$NF == "execve" { print $4 }' "$PROF")
		clones=$(awk '$NF ~ /^(clone|clone3|fork|vfork)$/ { s += $4 } END { print s + 0 }' "$PROF")
		echo "nslab up: execve ${execs:-0} (1 = nslab itself), clone/fork $clones"
	fi
else
	echo "nslab: n/a${NSLAB_WHY:+ ($NSLAB_WHY)}"
fi
rm -rf "$WORK"
[ $FAILED = 0 ] && [ "${CRASH#FAIL}" = "$CRASH" ]
