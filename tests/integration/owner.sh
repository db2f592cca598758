# SPDX-License-Identifier: GPL-2.0-or-later
# Ownership (DESIGN.md §5, §5.1): nslab touches only what it can prove is the lab's — a netns
# whose mount is the nsfs inode the journal recorded (and whose `lo` carries alias nslab:LAB),
# a root device with alias nslab:LAB, an /etc/netns file whose content hash the journal recorded,
# a process recorded with PID and start time or found inside one of the lab's netns. The journal
# is checksummed line by line; one that cannot be read completely makes `down` exit 4 and change
# nothing, and `down --force` then removes what carries the lab's markers.
#
# Journal format under test (STATE_DIR/LAB/journal):
#   line 1:   nslab-journal 2 LAB
#   others:   XXXXXXXX RECORD   (XXXXXXXX = lowercase hex CRC-32/IEEE of "LAB RECORD")
#   records:  netns NAME · nsino NAME INODE · link IFNAME · file NETNS FILENAME HASH ·
#             sysctl NETNS KEY OLDVALUE · run NODE NETNS · pid NODE PID START NETNSINO ·
#             begin · commit · -RECORD
#
# Sourced by tests/run.sh after tests/lib.sh; each t_* runs in a fresh sandbox (tests/sandbox.sh).
# Cases that start long-lived processes run their body in a PID namespace of their own
# (_ow_pidns): PIDs are then predictable, /proc shows only the case's processes, and whatever
# the case (or a buggy nslab) leaves behind is killed by the kernel when the case ends.

TOPOS=${TOP}/topologies
_OW_SELF=$(realpath "${BASH_SOURCE[0]}")

# ---------------------------------------------------------------------------------------------
# helpers

# The first netns ever made turns /run/netns into a bind mount (as `ip netns add` does), and
# that stays: make it happen before any "nothing changed" snapshot.
_ow_warm() {
	grep -q ' /run/netns ' /proc/self/mountinfo && return 0
	ip netns add nslab-warm-up && ip netns del nslab-warm-up
}

# _ow_pidns FUNC: run FUNC (a body function of this file) as PID 1 of a new PID namespace with
# its own /proc; every process it leaves dies with it. Exit status is FUNC's.
_ow_pidns() {
	env NSLAB="$NSLAB" TOP="$TOP" unshare --pid --fork --mount-proc --propagation unchanged -- \
		bash -c ". '$TOP/tests/lib.sh'; . '$_OW_SELF'; set -e; $1"
}

# inode of a netns name ("" when it is not a netns)
_ow_ino() { [ "$(stat -f -c %T "/run/netns/$1" 2>/dev/null)" = nsfs ] && stat -c %i "/run/netns/$1" || true; }

# inodes of every netns under /run/netns, one per line
_ow_all_ns_inos() {
	local f
	for f in /run/netns/*; do
		[ "$(stat -f -c %T "$f" 2>/dev/null)" = nsfs ] && stat -c %i "$f"
	done
	return 0
}

# _ow_procs_in INO...: "PID COMM NETINO" of every live process whose netns is one of INO
_ow_procs_in() {
	[ $# -gt 0 ] || return 0
	local set=" $* " p comm
	find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
		sed -n 's|^/proc/\([0-9]*\)/ns/net net:\[\([0-9]*\)\]$|\1 \2|p' |
		while read -r p ino; do
			[[ $set == *" $ino "* ]] || continue
			grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && continue
			comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
			echo "$p $comm $ino"
		done | sort -n
}

# Everything ownership is about, as text (diffable): root links, netns names with inodes and
# types (symlink targets too), their mounts, the links inside each netns, the /etc/netns tree
# with content hashes, the state dir (without lock files: the lock protocol makes and unlinks
# them) with content hashes, and the processes inside any netns under /run/netns.
_lab_snapshot() {
	local f
	echo "## root links"
	ip -o link show | sed 's/ state [A-Z]* / /'
	echo "## netns"
	for f in /run/netns/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		stat -c '%i %F %s %a %N' "$f"
	done
	echo "## mounts"
	grep -E ' /run/netns(/[^ ]*)? ' /proc/self/mountinfo
	echo "## links in each netns"
	for f in /run/netns/*; do
		[ "$(stat -f -c %T "$f" 2>/dev/null)" = nsfs ] || continue
		echo "# ${f##*/}"
		ip -n "${f##*/}" -o link show | sed 's/ state [A-Z]* / /'
	done
	echo "## /etc/netns"
	find /etc/netns -mindepth 1 -printf '%y %m %P %l\n' 2>/dev/null | sort
	find /etc/netns -type f -exec md5sum {} + 2>/dev/null | sort -k2
	echo "## state"
	find /run/nslab -mindepth 1 ! -name '*.lock' -printf '%y %m %P\n' 2>/dev/null | sort
	find /run/nslab -type f ! -name '*.lock' -exec md5sum {} + 2>/dev/null | sort -k2
	echo "## processes in netns"
	# shellcheck disable=SC2046
	_ow_procs_in $(_ow_all_ns_inos)
}

# _ow_same BEFORE AFTER WHAT: fail with the difference when two snapshots differ
_ow_same() {
	[ "$1" = "$2" ] && return 0
	fail "$3: $(diff <(echo "$1") <(echo "$2") | head -n 30 | tr '\n' '|')"
}

# names of the root devices carrying alias nslab:LAB
_ow_marked_links() { ip -j -d link show | jq -r --arg m "nslab:$1" '.[] | select(.ifalias == $m) | .ifname'; }

# _ow_lab_gone LAB PREFIX [INO...]: nothing of the lab left — no netns PREFIX*, no device with
# its alias, no /etc/netns/PREFIX*, no state dir, no process in any of the INOs
_ow_lab_gone() {
	local lab=$1 pfx=$2 left
	shift 2
	left=$(cd /run/netns 2>/dev/null && ls -A | grep "^$pfx" || true)
	[ -z "$left" ] || fail "$lab: netns left: $(for n in $left; do
		echo "$n ($(stat -f -c %T "/run/netns/$n"), $(stat -c '%F, mode %a' "/run/netns/$n"), lo alias $(ip -n "$n" -j link show lo 2>/dev/null | jq -r '.[0].ifalias'))"
	done | tr '\n' ' ')"
	left=$(_ow_marked_links "$lab")
	[ -z "$left" ] || fail "$lab: devices with alias nslab:$lab left: $(echo $left)"
	left=$(cd /etc/netns 2>/dev/null && ls -A | grep "^$pfx" || true)
	[ -z "$left" ] || fail "$lab: /etc/netns entries left: $(echo $left)"
	[ ! -e "/run/nslab/$lab" ] || fail "$lab: state dir left: $(ls -A "/run/nslab/$lab" | tr '\n' ' ')"
	left=$(_ow_procs_in "$@")
	[ -z "$left" ] || fail "$lab: processes left in its netns: $(echo $left)"
}

# _ow_crc LAB RECORD: the checksum column of RECORD in LAB's journal
_ow_crc() { python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(sys.argv[1].encode()))' "$1 $2"; }
# _ow_jline LAB RECORD: a whole valid journal line
_ow_jline() { printf '%s %s\n' "$(_ow_crc "$1" "$2")" "$2"; }
# _ow_records LAB: the journal's records, checksum column and header stripped
_ow_records() { grep -av '^nslab-journal ' "/run/nslab/$1/journal" | sed -E 's/^[0-9a-f]{8} //'; }

# starttime (field 22 of /proc/PID/stat)
_ow_start() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $20}'; }

# _ow_star N LAB PREFIX NET [NODE_EXTRA]: N nodes on one root bridge (10.NET.0.1/16), each
# pinging the next; NODE_EXTRA is added to every node mapping (e.g. a run key)
_ow_star() {
	local n=$1 lab=$2 pfx=$3 net=$4 extra=${5:-} i
	echo "name: $lab"
	echo "prefix: \"$pfx\""
	echo "bridges: { br0: { address: 10.$net.0.1/16 } }"
	echo "nodes:"
	for ((i = 1; i <= n; i++)); do
		echo "  n$i: { interfaces: { eth0: { bridge: br0, address: 10.$net.$((i / 250)).$((i % 250 + 2))/16 } }${extra:+, $extra} }"
	done
	echo "expect:"
	for ((i = 1; i <= n; i++)); do
		echo "  - { from: n$i, to: n$((i % n + 1)), timeout_ms: 3000 }"
	done
}

# the twolans bridge of logical name BR (lan1/lan2): its kernel name, found by marker + altname
_ow_tl_bridge() {
	ip -j -d link show type bridge | jq -r --arg a "twolans.$1" \
		'.[] | select(.ifalias == "nslab:twolans" and ((.altnames // []) | index($a) != null)) | .ifname'
}

# ---------------------------------------------------------------------------------------------
# cases

# The journal has the checksummed format, the state dir is 0700, and every object up makes carries
# the lab's marker (lo alias in each netns, alias on each root device) — what everything else relies on.
t_owner_journal_format() {
	local j lab=twolans n l rec crc ns
	rmdir /run/nslab # the sandbox made it; let nslab make it
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	assert_eq "$(stat -c %a /run/nslab)" 700 "mode of the state dir made by nslab"
	j=/run/nslab/twolans/journal
	[ -f "$j" ] || fail "no journal"
	assert_eq "$(head -n 1 "$j")" "nslab-journal 2 twolans" "journal header"
	assert_eq "$(tail -c 1 "$j" | od -An -c | tr -d ' ')" '\n' "journal ends with a newline"
	n=0
	while IFS= read -r l; do
		n=$((n + 1))
		[ "$n" = 1 ] && continue
		[[ $l =~ ^([0-9a-f]{8})\ (.+)$ ]] || fail "journal line $n not 'CRC RECORD': '$l'"
		crc=${BASH_REMATCH[1]} rec=${BASH_REMATCH[2]}
		assert_eq "$crc" "$(_ow_crc "$lab" "$rec")" "CRC of journal line $n ($rec)"
	done <"$j"
	rec=$(_ow_records twolans)
	for ns in tl-h1 tl-h2 tl-h3 tl-r1; do
		grep -qx "netns $ns" <<<"$rec" || fail "no 'netns $ns' record"
		grep -qx "nsino $ns $(_ow_ino "$ns")" <<<"$rec" || fail "no 'nsino $ns $(_ow_ino "$ns")' record: $(grep "nsino $ns" <<<"$rec")"
		grep -qE "^file $ns hosts [^ ]+$" <<<"$rec" || fail "no 'file $ns hosts HASH' record"
		assert_eq "$(ip -n "$ns" -j link show lo | jq -r '.[0].ifalias')" "nslab:twolans" "lo alias in $ns"
	done
	grep -qx "sysctl tl-r1 net.ipv4.ip_forward [0-9]*" <<<"$rec" || fail "no 'sysctl tl-r1 net.ipv4.ip_forward OLD' record"
	grep -qE '^commit( |$)' <<<"$rec" || fail "no commit record"
	for l in $(ip -j link show | jq -r '.[] | select(.ifname | startswith("twolans-")) | .ifname'); do
		assert_eq "$(ip -j link show "$l" | jq -r '.[0].ifalias')" "nslab:twolans" "alias of root device $l"
		grep -qx "link $l" <<<"$rec" || fail "no 'link $l' record"
	done
	[ -n "$(_ow_tl_bridge lan1)" ] || fail "no bridge with alias nslab:twolans and altname twolans.lan1"
	nsl -q down twolans >/dev/null
	_ow_lab_gone twolans tl-
}

# up must not adopt or remove a /run/netns name it did not make: a plain file, a dangling
# symlink and a real netns made by ip all make it exit 3 and leave everything as it was.
t_owner_up_conflict_file() {
	local before ino what
	_ow_warm
	for what in file symlink netns; do
		case $what in
		file) touch /run/netns/tl-r1 ;;
		symlink) ln -s /nonexistent /run/netns/tl-r1 ;;
		netns) ip netns add tl-r1 ;;
		esac
		ino=$(stat -c %i /run/netns/tl-r1)
		before=$(_lab_snapshot)
		run "$NSLAB" -q up "$TOPOS/twolans.yaml"
		assert_rc 3 "up over a $what tl-r1"
		assert_eq "$(wc -l <<<"$ERR")" 1 "$what: one line on stderr ($ERR)"
		assert_match "$ERR" "tl-r1" "$what: the message names tl-r1"
		_ow_same "$before" "$(_lab_snapshot)" "$what: up that met a conflict changed something"
		[ ! -e /run/nslab/twolans ] || fail "$what: state dir of twolans left"
		[ -z "$(_ow_marked_links twolans)" ] || fail "$what: lab devices left"
		for n in tl-h1 tl-h2 tl-h3; do [ ! -e "/run/netns/$n" ] || fail "$what: netns $n left"; done
		case $what in
		file)
			[ -f /run/netns/tl-r1 ] && [ ! -L /run/netns/tl-r1 ] && [ ! -s /run/netns/tl-r1 ] ||
				fail "tl-r1 is no longer a plain empty file"
			assert_eq "$(stat -c %i /run/netns/tl-r1)" "$ino" "inode of the plain file"
			[ "$(stat -f -c %T /run/netns/tl-r1)" != nsfs ] || fail "a netns was mounted on the user's file"
			rm /run/netns/tl-r1
			;;
		symlink)
			[ -L /run/netns/tl-r1 ] || fail "the symlink tl-r1 is gone"
			assert_eq "$(readlink /run/netns/tl-r1)" /nonexistent "symlink target"
			[ ! -e /nonexistent ] || fail "something was made at the symlink's target"
			rm /run/netns/tl-r1
			;;
		netns)
			assert_eq "$(_ow_ino tl-r1)" "$ino" "inode of the ip-made netns"
			ip netns exec tl-r1 true || fail "ip netns exec tl-r1 no longer works"
			ip netns del tl-r1
			;;
		esac
	done
}

# Between up's check and its creation of a netns, `ip netns add` may take the name: up must
# then fail (3) without deleting the ip-made netns and leave nothing of its own.
t_owner_up_race_ip() {
	local up n ipino="" iprc=0 uprc=0 tries=0 name=rc-n190
	_ow_warm
	_ow_star 200 race rc- 63 >/tmp/race.yaml
	"$NSLAB" -q up /tmp/race.yaml >/tmp/race.out 2>/tmp/race.err &
	up=$!
	while n=$(ls /run/netns | wc -l); [ "$n" -lt 51 ]; do
		kill -0 "$up" 2>/dev/null || break
		tries=$((tries + 1))
		[ "$tries" -lt 20000 ] || { kill "$up"; fail "up made no netns"; }
	done
	ip netns add "$name" 2>/tmp/ip.err || iprc=$?
	[ "$iprc" -eq 0 ] && ipino=$(_ow_ino "$name")
	wait "$up" || uprc=$?
	echo "netns count when ip ran: $n; ip rc $iprc; up rc $uprc"
	if [ "$iprc" -eq 0 ]; then
		[ "$uprc" -eq 3 ] || fail "ip made $name first, up exited $uprc (want 3): $(cat /tmp/race.err)"
		assert_match "$(cat /tmp/race.err)" "$name" "up names the netns it met"
		assert_eq "$(_ow_ino "$name")" "$ipino" "the ip-made $name is still the same netns"
		ip netns exec "$name" true || fail "ip-made $name no longer works"
		[ -z "$(ip -n "$name" -o link show | grep -v ': lo:')" ] || fail "up put devices into the ip-made $name"
		left=$(ls /run/netns | grep -vx "$name" | grep '^rc-' || true)
		[ -z "$left" ] || fail "lab netns left after the failed up: $(echo $left | head -c 300)"
		[ ! -e /run/nslab/race ] || fail "state of the failed up left"
		[ -z "$(_ow_marked_links race)" ] || fail "devices of the failed up left"
	else
		[ "$uprc" -eq 0 ] || fail "ip failed ($(cat /tmp/ip.err)) yet up exited $uprc: $(cat /tmp/race.err)"
		assert_eq "$(ip -n "$name" -j link show lo | jq -r '.[0].ifalias')" nslab:race "the $name up made is marked"
		run "$NSLAB" test race
		assert_rc 0 "the lab works: $OUT"
	fi
	run "$NSLAB" -q down race
	assert_rc 0 "down"
	if [ "$iprc" -eq 0 ]; then
		assert_eq "$(_ow_ino "$name")" "$ipino" "down left the ip-made $name alone"
		ip netns del "$name"
	fi
	_ow_lab_gone race rc-
}

# The same race with a device: ip makes a veth under the bridge-side name of a later node's
# interface while up runs. up meets it (exit 3): the ip-made pair stays, same ifindex, and
# nothing of the lab is left; or up got there first and ip failed.
t_owner_up_race_ip_veth() {
	local up n idx="" iprc=0 uprc=0 tries=0 dev=race-n190-eth0
	_ow_warm
	_ow_star 200 race rc- 63 >/tmp/race.yaml
	"$NSLAB" -q up /tmp/race.yaml >/tmp/race.out 2>/tmp/race.err &
	up=$!
	while n=$(ls /run/netns | wc -l); [ "$n" -lt 120 ]; do
		kill -0 "$up" 2>/dev/null || break
		tries=$((tries + 1))
		[ "$tries" -lt 20000 ] || { kill "$up"; fail "up made no netns"; }
	done
	ip link add "$dev" type veth peer name rvpeer 2>/tmp/ip.err || iprc=$?
	[ "$iprc" -eq 0 ] && idx=$(ip -j link show "$dev" | jq -r '.[0].ifindex')
	wait "$up" || uprc=$?
	echo "netns count when ip ran: $n; ip rc $iprc; up rc $uprc"
	if [ "$iprc" -eq 0 ]; then
		[ "$uprc" -eq 3 ] || fail "ip made $dev first, up exited $uprc (want 3): $(cat /tmp/race.err)"
		assert_match "$(cat /tmp/race.err)" "$dev" "up names the device it met"
		assert_eq "$(ip -j link show "$dev" | jq -r '.[0].ifindex')" "$idx" "the ip-made $dev is the same device"
		ip link show rvpeer >/dev/null || fail "its peer is gone"
		[ -z "$(ls /run/netns | grep '^rc-' || true)" ] || fail "lab netns left after the failed up"
		[ ! -e /run/nslab/race ] || fail "state of the failed up left"
		[ -z "$(_ow_marked_links race)" ] || fail "devices of the failed up left"
		ip link del "$dev"
	else
		[ "$uprc" -eq 0 ] || fail "ip failed ($(cat /tmp/ip.err)) yet up exited $uprc: $(cat /tmp/race.err)"
		run "$NSLAB" -q down race
		assert_rc 0 "down"
	fi
	_ow_lab_gone race rc-
}

# Two labs with different names but the same netns names, brought up at the same moment:
# one wins (0), the other gets 3 and must neither take over nor delete the winner's netns.
t_owner_two_labs_same_prefix() {
	local round pa pb ra rb win lose ns ino rec
	_ow_warm
	_ow_star 30 pfxa pf- 61 >/tmp/a.yaml
	_ow_star 30 pfxb pf- 62 >/tmp/b.yaml
	for round in 1 2 3; do
		ra=0 rb=0
		"$NSLAB" -q up /tmp/a.yaml >/dev/null 2>/tmp/a.err &
		pa=$!
		"$NSLAB" -q up /tmp/b.yaml >/dev/null 2>/tmp/b.err &
		pb=$!
		wait "$pa" || ra=$?
		wait "$pb" || rb=$?
		if [ "$ra" = 0 ] && [ "$rb" = 3 ]; then
			win=pfxa lose=pfxb
		elif [ "$ra" = 3 ] && [ "$rb" = 0 ]; then
			win=pfxb lose=pfxa
		else
			fail "round $round: up exited $ra and $rb (want one 0, one 3): $(cat /tmp/a.err) / $(cat /tmp/b.err)"
		fi
		rec=$(_ow_records "$win")
		for ((i = 1; i <= 30; i++)); do
			ns=pf-n$i
			ino=$(_ow_ino "$ns")
			[ -n "$ino" ] || fail "round $round: winner $win's netns $ns is missing"
			grep -qx "nsino $ns $ino" <<<"$rec" || fail "round $round: $ns is not the netns $win recorded ($(grep "nsino $ns " <<<"$rec"))"
			assert_eq "$(ip -n "$ns" -j link show lo | jq -r '.[0].ifalias')" "nslab:$win" "round $round: lo alias in $ns"
		done
		run "$NSLAB" test "$win"
		assert_rc 0 "round $round: test of the winner $win: $OUT"
		[ ! -e "/run/nslab/$lose" ] || fail "round $round: loser $lose left its state dir"
		[ -z "$(_ow_marked_links "$lose")" ] || fail "round $round: loser $lose left devices: $(_ow_marked_links "$lose")"
		[ -z "$(ip -o link show | grep "$lose-")" ] || fail "round $round: loser $lose left devices: $(ip -o link show | grep "$lose-")"
		nsl -q down "$win" >/dev/null
		_ow_lab_gone "$win" pf-
		_ow_lab_gone "$lose" pf-
	done
}

# A device that reuses the name of a removed lab device, and a device put into the lab's device
# group by hand, carry no marker: down must leave both (a name or a group alone proves nothing).
t_owner_down_handmade_device() {
	local br grp
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	br=$(_ow_tl_bridge lan1)
	[ -n "$br" ] || fail "no lan1 bridge with alias nslab:twolans"
	grp=$(ip -j -d link show "$br" | jq -r '.[0].group')
	ip link del "$br"
	ip link add "$br" type veth peer name p1
	ip link add hm0 type bridge
	ip link set hm0 group "$grp"
	assert_eq "$(ip -j -d link show hm0 | jq -r '.[0].group')" "$grp" "hm0 is in the lab's group"
	run "$NSLAB" -q down twolans
	assert_rc 0 "down"
	assert_eq "$(ip -j -d link show "$br" 2>/dev/null | jq -r '.[0].linkinfo.info_kind')" veth "hand-made veth $br still there"
	ip link show p1 >/dev/null 2>&1 || fail "its peer p1 was deleted"
	ip link show hm0 >/dev/null 2>&1 || fail "hand-made hm0 (in the lab's group) was deleted"
	_ow_lab_gone twolans tl-
	ip link del "$br"
	ip link del hm0
}

# /etc/netns files are the lab's only when nslab wrote them (content hash recorded): up must not
# overwrite a user's file (3), and down must not delete files the user wrote or replaced.
t_owner_etc_user_file() {
	local before
	_ow_warm
	mkdir -p /etc/netns/tl-h1
	printf '1.2.3.4 mine\n' >/etc/netns/tl-h1/hosts
	before=$(_lab_snapshot)
	run "$NSLAB" -q up "$TOPOS/twolans.yaml"
	assert_rc 3 "up over a user's /etc/netns/tl-h1/hosts"
	assert_eq "$(wc -l <<<"$ERR")" 1 "one line on stderr ($ERR)"
	assert_match "$ERR" "tl-h1/hosts" "names the file"
	assert_eq "$(cat /etc/netns/tl-h1/hosts)" "1.2.3.4 mine" "user's file unchanged"
	_ow_same "$before" "$(_lab_snapshot)" "up that met a user's file changed something"
	rm -r /etc/netns/tl-h1
	# second part: the user replaces a file of the lab and adds one next to it
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	[ -f /etc/netns/tl-h1/hosts ] || fail "up wrote no tl-h1/hosts"
	printf '5.6.7.8 users-own\n' >/etc/netns/tl-h2/hosts
	printf 'nameserver 9.9.9.9\n' >/etc/netns/tl-h3/resolv.conf
	run "$NSLAB" -q down twolans
	[ "$RC" = 0 ] || [ "$RC" = 4 ] || fail "down exited $RC: $ERR"
	assert_eq "$(cat /etc/netns/tl-h2/hosts 2>&1)" "5.6.7.8 users-own" "user's replaced tl-h2/hosts"
	assert_eq "$(cat /etc/netns/tl-h3/resolv.conf 2>&1)" "nameserver 9.9.9.9" "user's tl-h3/resolv.conf"
	[ ! -e /etc/netns/tl-h3/hosts ] || fail "nslab's own tl-h3/hosts left"
	[ ! -e /etc/netns/tl-h1 ] || fail "nslab's tl-h1 dir left: $(ls -A /etc/netns/tl-h1)"
	[ ! -e /etc/netns/tl-r1 ] || fail "nslab's tl-r1 dir left: $(ls -A /etc/netns/tl-r1)"
	for ns in tl-h1 tl-h2 tl-h3 tl-r1; do [ ! -e "/run/netns/$ns" ] || fail "netns $ns left"; done
	[ -z "$(_ow_marked_links twolans)" ] || fail "lab devices left"
}

# A recorded PID that now belongs to another process is not the lab's (start time differs):
# status must say not running, exec must not enter that process, down must not signal it.
t_owner_recycled_pid() { _ow_pidns _ow_recycled_pid_body; }
_ow_recycled_pid_body() {
	local pid st try new="" ino_a root_ino
	cat >/tmp/recy.yaml <<'Y'
name: recy
prefix: "rcy-"
bridges: { br0: {} }
nodes:
  a:
    interfaces: { eth0: { bridge: br0, address: 10.64.0.1/24 } }
    run: { command: [sh, -c, "sleep 100"], namespaces: [uts, mount] }
  b:
    interfaces: { eth0: { bridge: br0, address: 10.64.0.2/24 } }
Y
	nsl -q up /tmp/recy.yaml >/dev/null
	read -r pid st < <(_ow_records recy | awk '$1 == "pid" && $2 == "a" {print $3, $4}' | tail -n 1) || true
	[ -n "$pid" ] || fail "no 'pid a ...' record in the journal: $(_ow_records recy | tr '\n' '|')"
	ino_a=$(_ow_ino rcy-a)
	root_ino=$(stat -L -c %i /proc/self/ns/net)
	# the recorded process (the node's supervisor) dies; wait for it to be reaped (a zombie
	# keeps its PID); what it ran goes with it, as without a PID namespace it is a subreaper
	kill -9 "$pid"
	pkill -9 -f '^sleep 100$' || true
	for ((try = 0; try < 100; try++)); do [ -d "/proc/$pid" ] || break; sleep 0.05; done
	[ ! -d "/proc/$pid" ] || skip "the run process $pid is not reaped ($(cat /proc/$pid/status | grep State))"
	for ((try = 0; try < 10; try++)); do
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 100 &
		new=$!
		[ "$new" = "$pid" ] && break
		kill "$new"
		wait "$new" 2>/dev/null || true
		new=""
	done
	[ -n "$new" ] || skip "cannot make a new process get PID $pid"
	echo "PID $pid (start $st) recycled by sleep $new (start $(_ow_start "$new"))"
	local newst
	newst=$(_ow_start "$new")
	run "$NSLAB" -j status recy
	assert_rc 0 "status"
	jq -e . <<<"$OUT" >/dev/null || fail "status: not JSON: $OUT"
	# (not jqr: jq -e fails on a false value)
	assert_eq "$(jq -r '.nodes[] | select(.name=="a") | .processes[0].running' <<<"$OUT")" false "status: node a's process (its PID is someone else's now)"
	run "$NSLAB" exec recy a -- readlink /proc/self/ns/net
	if [ "$RC" -eq 0 ]; then
		assert_eq "$OUT" "net:[$ino_a]" "exec ran in node a's netns (not in PID $pid's, root is $root_ino)"
	else
		assert_no_match "$OUT" "net:\[$root_ino\]" "exec entered the recycled PID's (root) netns"
		assert_match "$ERR" "no running supervisor" "exec's message"
	fi
	run "$NSLAB" -q down recy
	assert_rc 0 "down"
	[ -d "/proc/$new" ] && ! grep -q '^State:.*Z' "/proc/$new/status" || fail "down killed the unrelated sleep $new"
	assert_eq "$(_ow_start "$new")" "$newst" "sleep $new is still the same process"
	_ow_lab_gone recy rcy- "$ino_a"
	kill "$new"
}

# A forged journal must not make down remove other people's objects: lines without a valid CRC
# make down refuse (4, nothing changed); checksummed records of objects that carry no marker
# (or whose inode/start time does not match) are skipped.
t_owner_forged_journal() {
	local P pst root_ino vino before j=/run/nslab/twolans/journal
	_ow_warm
	ip netns add victim
	ip link add victim0 type bridge
	sleep 1000 &
	P=$!
	# shellcheck disable=SC2064 # expanded now: P is local, the trap runs after the function
	trap "kill $P 2>/dev/null || true" EXIT
	pst=$(_ow_start "$P")
	vino=$(_ow_ino victim)
	root_ino=$(stat -L -c %i /proc/self/ns/net)
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	cp -p "$j" /tmp/journal.saved
	# (a) a line without checksum
	printf 'netns victim\n' >>"$j"
	before=$(_lab_snapshot)
	run "$NSLAB" -q down twolans
	assert_rc 4 "down with an unchecksummed line"
	assert_match "$ERR" "journal" "the message names the journal"
	_ow_same "$before" "$(_lab_snapshot)" "down of an unreadable journal changed something"
	assert_eq "$(_ow_ino victim)" "$vino" "victim netns"
	ip link show victim0 >/dev/null 2>&1 || fail "victim0 deleted"
	kill -0 "$P" || fail "process $P killed"
	cat /tmp/journal.saved >"$j"
	# (b) checksummed records naming objects that are not the lab's
	{
		_ow_jline twolans "netns victim"
		_ow_jline twolans "nsino victim 12345"
		_ow_jline twolans "link victim0"
		_ow_jline twolans "pid h1 $P $pst $root_ino"
	} >>"$j"
	run "$NSLAB" -q down twolans
	[ "$RC" = 0 ] || [ "$RC" = 4 ] || fail "down with forged records exited $RC: $ERR"
	assert_eq "$(_ow_ino victim)" "$vino" "victim netns (forged records)"
	ip netns exec victim true || fail "victim netns no longer works"
	ip link show victim0 >/dev/null 2>&1 || fail "victim0 deleted (forged link record)"
	[ -d "/proc/$P" ] && ! grep -q '^State:.*Z' "/proc/$P/status" || fail "process $P killed (forged pid record)"
	assert_eq "$(_ow_start "$P")" "$pst" "process $P is the same"
	assert_match "$ERR" "victim" "down says the victim records are not the lab's"
	for ns in tl-h1 tl-h2 tl-h3 tl-r1; do [ ! -e "/run/netns/$ns" ] || fail "lab netns $ns left"; done
	[ -z "$(_ow_marked_links twolans)" ] || fail "lab devices left: $(_ow_marked_links twolans)"
	[ -z "$(ls -A /etc/netns | grep '^tl-')" ] || fail "lab /etc/netns left"
	kill "$P"
	ip netns del victim
	ip link del victim0
}

# Processes a lab starts (children of run, double-forked, setsid'd, TERM-ignoring, left by a run
# that exited, started by exec or `nslab exec`) all live in the lab's netns: down kills them all.
# And up does not wait for what an exec command left running in the background.
t_owner_processes_survive() { _ow_pidns _ow_processes_survive_body; }
_ow_processes_survive_body() {
	local inos="" n left
	cat >/tmp/ps.yaml <<'Y'
name: procs
prefix: "ps-"
bridges: { br0: {} }
nodes:
  p1:
    interfaces: { eth0: { bridge: br0, address: 10.65.0.1/24 } }
    run: { command: [sh, -c, "sleep 1000 & exec sleep 1000"], namespaces: [mount, uts] }
  p2:
    interfaces: { eth0: { bridge: br0, address: 10.65.0.2/24 } }
    run: { command: [sh, -c, "setsid sleep 1000 & exec sleep 1000"], namespaces: [mount, uts] }
  p3:
    interfaces: { eth0: { bridge: br0, address: 10.65.0.3/24 } }
    run: { command: [sh, -c, "trap '' TERM; sleep 1000 & wait; sleep 1000"], namespaces: [mount, uts] }
  p4:
    interfaces: { eth0: { bridge: br0, address: 10.65.0.4/24 } }
    run: { command: [sh, -c, "sleep 1000 &"], namespaces: [mount, uts] }
  p5:
    interfaces: { eth0: { bridge: br0, address: 10.65.0.5/24 } }
    exec: [ "setsid sleep 1000 &" ]
  p6:
    interfaces: { eth0: { bridge: br0, address: 10.65.0.6/24 } }
    run: { command: [sh, -c, "sleep 1000 & exec sleep 1000"] }
Y
	[ -z "$(pgrep -x sleep)" ] || fail "sleep processes before up: $(pgrep -a -x sleep)"
	run timeout 20 "$NSLAB" -q up /tmp/ps.yaml
	assert_rc 0 "up"
	run timeout 10 "$NSLAB" exec procs p5 -- sh -c 'sleep 1000 &'
	assert_rc 0 "nslab exec leaving a background sleep"
	sleep 0.3 # let every background sleep start
	for n in p1 p2 p3 p4 p5 p6; do
		ino=$(_ow_ino "ps-$n")
		[ -n "$ino" ] || fail "no netns ps-$n"
		inos="$inos $ino"
	done
	# shellcheck disable=SC2086
	echo "before down: $(_ow_procs_in $inos | tr '\n' ';')"
	# shellcheck disable=SC2086
	[ "$(_ow_procs_in $inos | grep -c ' sleep ')" -ge 9 ] || fail "expected at least 9 sleeps in the lab: $(_ow_procs_in $inos | tr '\n' ';')"
	run timeout 25 "$NSLAB" -q down procs
	assert_rc 0 "down"
	for ((n = 0; n < 20; n++)); do
		# shellcheck disable=SC2086
		left=$(_ow_procs_in $inos)
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fail "processes left in the lab's netns after down: $(echo "$left" | tr '\n' ';')"
	left=$(pgrep -a -x sleep || true)
	[ -z "$left" ] || fail "sleep processes left after down: $(echo "$left" | tr '\n' ';')"
	_ow_lab_gone procs ps-
	# up does not wait for an exec command's background child (its output goes to the node's log)
	cat >/tmp/bg.yaml <<'Y'
name: bgexec
prefix: "bg-"
nodes:
  a:
    exec: [ "sleep 30 &" ]
Y
	timeout 15 bash -c 'out=$("$NSLAB" -q up /tmp/bg.yaml)' || fail "up with an exec 'sleep 30 &' did not return within 15 s (status $?)"
	ino=$(_ow_ino bg-a)
	run timeout 25 "$NSLAB" -q down bgexec
	assert_rc 0 "down bgexec"
	_ow_lab_gone bgexec bg- $ino
}

# Every way a journal can be unreadable: down exits 4 with one line naming the journal and changes
# nothing (state kept); down --force then removes what carries the lab's markers, and only that.
t_owner_corrupt_journal() {
	local c before j=/run/nslab/twolans/journal
	_ow_warm
	for c in empty cut garbage nul deleted junk crc; do
		nsl -q up "$TOPOS/twolans.yaml" >/dev/null
		[ -f /run/nslab/twolans/lab.yaml ] || fail "$c: no lab.yaml after up"
		case $c in
		empty) : >"$j" ;;
		cut) truncate -s -5 "$j" ;;
		garbage) printf '\001\002garbage' >>"$j" ;;
		nul) python3 -c 'import sys
p = sys.argv[1]; b = open(p, "rb").read().split(b"\n")
b[1] = b[1][:12] + b"\0" + b[1][12:]
open(p, "wb").write(b"\n".join(b))' "$j" ;;
		deleted) rm "$j" ;;
		junk) printf 'zzzz\n' >>"$j" ;;
		crc) python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
i = b.index(b"\n") + 1
b[i] = ord("0") if b[i] != ord("0") else ord("1")
open(p, "wb").write(bytes(b))' "$j" ;;
		esac
		before=$(_lab_snapshot)
		run "$NSLAB" -q down twolans
		assert_rc 4 "$c: down of an unreadable journal"
		assert_eq "$(wc -l <<<"$ERR")" 1 "$c: one line on stderr ($ERR)"
		assert_match "$ERR" "journal" "$c: the message names the journal"
		_ow_same "$before" "$(_lab_snapshot)" "$c: down of an unreadable journal changed something"
		[ -f /run/nslab/twolans/lab.yaml ] || fail "$c: lab.yaml removed"
		run "$NSLAB" -q down --force twolans
		assert_rc 0 "$c: down --force"
		_ow_lab_gone twolans tl-
		[ -z "$(ls -A /run/netns)" ] || fail "$c: netns left: $(ls -A /run/netns)"
		[ -z "$(ls -A /etc/netns)" ] || fail "$c: /etc/netns left: $(ls -A /etc/netns)"
	done
}

# A kill -9 during a hosts/resolv.conf write leaves .NAME.nslab-XXXXXXXX temp files: down removes
# the lab's (in the lab's netns dirs) and no one else's; and a real crash loop leaves nothing.
t_owner_tmpfiles() {
	local i t0 t1 ms up rc etc_before left
	_ow_warm
	nsl -q up "$TOPOS/twolans.yaml" >/dev/null
	echo tmp >/etc/netns/tl-h1/.hosts.nslab-0badf00d
	echo tmp >/etc/netns/tl-h2/.resolv.conf.nslab-12345678
	mkdir -p /etc/netns/other
	echo keep >/etc/netns/other/.hosts.nslab-0badf00d
	run "$NSLAB" -q down twolans
	assert_rc 0 "down"
	[ ! -e /etc/netns/tl-h1/.hosts.nslab-0badf00d ] || fail "lab temp file tl-h1/.hosts.nslab-0badf00d left"
	[ ! -e /etc/netns/tl-h2/.resolv.conf.nslab-12345678 ] || fail "lab temp file tl-h2/.resolv.conf.nslab-12345678 left"
	[ -z "$(ls -A /etc/netns | grep '^tl-')" ] || fail "lab /etc/netns dirs left: $(ls -A /etc/netns)"
	assert_eq "$(cat /etc/netns/other/.hosts.nslab-0badf00d 2>&1)" keep "the unrelated temp file"
	_ow_lab_gone twolans tl-
	rm -r /etc/netns/other
	# crash loop: kill -9 at a random moment of an up of a 20-node star (with dns: two files each)
	_ow_star 20 crash cr- 66 >/tmp/crash.yaml
	sed -i 's|^\(  n[0-9]*: { .*\) }$|\1, dns: { nameservers: [10.66.0.1] } }|' /tmp/crash.yaml
	t0=$(date +%s%N)
	nsl -q up /tmp/crash.yaml >/dev/null
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000 + 1))
	[ -f /etc/netns/cr-n1/resolv.conf ] || fail "the crash lab writes no resolv.conf"
	nsl -q down crash >/dev/null
	etc_before=$(find /etc/netns | sort)
	for ((i = 1; i <= 20; i++)); do
		"$NSLAB" -q up /tmp/crash.yaml >/dev/null 2>&1 &
		up=$!
		sleep "$(awk -v r=$RANDOM -v ms="$ms" 'BEGIN { printf "%.3f", (r % 1000) / 1000 * ms / 1000 * 1.2 }')"
		kill -9 "$up" 2>/dev/null || true
		rc=0
		wait "$up" || rc=$?
		run "$NSLAB" -q down crash
		assert_rc 0 "crash $i (up exit $rc): down"
		left=$(find /etc/netns -name '.*nslab-*')
		[ -z "$left" ] || fail "crash $i: temp files left: $left"
		assert_eq "$(find /etc/netns | sort)" "$etc_before" "crash $i: /etc/netns back to what it was"
		_ow_lab_gone crash cr-
		[ -z "$(ip -o link show | grep ' crash-')" ] || fail "crash $i: links left: $(ip -o link show | grep ' crash-')"
	done
}

# Processes that ignore SIGTERM are stopped in parallel, not one grace period after another:
# 20 of them must be gone within 20 s (serially with 2 s each that is 40 s).
t_owner_parallel_stop() { _ow_pidns _ow_parallel_stop_body; }
_ow_parallel_stop_body() {
	local inos="" i left
	_ow_star 20 pstop pst- 67 "run: { command: [sh, -c, 'trap \"\" TERM; while :; do sleep 1; done'], namespaces: [uts, mount] }" >/tmp/pstop.yaml
	run timeout 20 "$NSLAB" -q up /tmp/pstop.yaml
	assert_rc 0 "up"
	for ((i = 1; i <= 20; i++)); do inos="$inos $(_ow_ino pst-n$i)"; done
	# shellcheck disable=SC2086
	[ "$(_ow_procs_in $inos | grep -c ' sh ')" = 20 ] || fail "expected 20 run processes: $(_ow_procs_in $inos | tr '\n' ';')"
	run timeout 20 "$NSLAB" -q down pstop
	assert_rc 0 "down within 20 s"
	# shellcheck disable=SC2086
	left=$(_ow_procs_in $inos)
	[ -z "$left" ] || fail "processes left: $(echo "$left" | tr '\n' ';')"
	_ow_lab_gone pstop pst-
}

# A sysctl nslab set is recorded with its old value: dropping it from the file (or changing it)
# takes the netns back to the old value instead of leaving the lab's setting in place.
t_owner_sysctl_restore() {
	local fwd0 ttl0 fwd1
	ip netns add probe
	fwd0=$(ip netns exec probe sysctl -n net.ipv4.ip_forward)
	ttl0=$(ip netns exec probe sysctl -n net.ipv4.ip_default_ttl)
	ip netns del probe
	fwd1=$((1 - fwd0))
	cat >/tmp/s1.yaml <<Y
name: sysr
prefix: "sy-"
nodes:
  r:
    sysctls: { net.ipv4.ip_forward: $fwd1, net.ipv4.ip_default_ttl: 100 }
  o: {}
Y
	nsl -q up /tmp/s1.yaml >/dev/null
	assert_eq "$(ip netns exec sy-r sysctl -n net.ipv4.ip_forward)" "$fwd1" "ip_forward after up"
	assert_eq "$(ip netns exec sy-r sysctl -n net.ipv4.ip_default_ttl)" 100 "ttl after up"
	_ow_records sysr | grep -qx "sysctl sy-r net.ipv4.ip_default_ttl $ttl0" ||
		fail "no 'sysctl sy-r net.ipv4.ip_default_ttl $ttl0' record: $(_ow_records sysr | grep sysctl)"
	ino=$(_ow_ino sy-r)
	# a changed value: set to the new one
	sed 's/ip_default_ttl: 100/ip_default_ttl: 50/' /tmp/s1.yaml >/tmp/s2.yaml
	nsl -q up /tmp/s2.yaml >/dev/null
	assert_eq "$(ip netns exec sy-r sysctl -n net.ipv4.ip_default_ttl)" 50 "ttl after the change"
	# dropped: back to the value before the lab set it
	sed 's/sysctls: .*/{}/; s/^  r:$/  r: {}/' /tmp/s1.yaml | grep -v '^    {}$' >/tmp/s3.yaml
	grep -q sysctls /tmp/s3.yaml && fail "generator: $(cat /tmp/s3.yaml)"
	nsl -q up /tmp/s3.yaml >/dev/null
	assert_eq "$(_ow_ino sy-r)" "$ino" "the netns was kept (only the sysctls changed)"
	assert_eq "$(ip netns exec sy-r sysctl -n net.ipv4.ip_forward)" "$fwd0" "ip_forward after the sysctl was dropped"
	assert_eq "$(ip netns exec sy-r sysctl -n net.ipv4.ip_default_ttl)" "$ttl0" "ttl after the sysctl was dropped"
	nsl -q down sysr >/dev/null
	_ow_lab_gone sysr sy-
}

# A host-side veth of the lab replaced by a foreign one of the same name: down leaves it and
# says so once (it was said three times, at each look at the root devices).
t_owner_foreign_device_noted_once() {
	local dev
	"$TOP/bench/star.sh" 2 st2 >/tmp/st2.yaml
	nsl -q up /tmp/st2.yaml >/dev/null
	dev=$(ip -j link show | jq -r '.[] | select(.link_netnsid != null) | .ifname' | head -n 1)
	[ -n "$dev" ] || fail "no host-side veth"
	ip link del "$dev"
	ip link add "$dev" type veth peer name fp0
	run "$NSLAB" -q down st2
	assert_rc 0 "down"
	assert_eq "$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -c "device '$dev' does not carry the lab's marker")" 1 "the note, once"
	ip link show "$dev" >/dev/null 2>&1 || fail "the foreign $dev was deleted"
	ip link del "$dev"
}
