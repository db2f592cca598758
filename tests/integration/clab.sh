# SPDX-License-Identifier: GPL-2.0-or-later
# containerlab topology files (issue 13): loaded onto the native model, `nslab convert`.
# tests/clab/good/X.clab.yml: X.native.yaml is its conversion (golden); each goes up, is read
#   back from the kernel and goes down leaving nothing. A line "# nslab-args: ..." gives the
#   options the file needs (--any-kind).
# tests/clab/bad/*.clab.yml: first line "# expect: LINE:COL: message", optionally
#   "# nslab-args: ..." and "# exit: N" (default 1); `nslab up` must print
#   "FILE:LINE:COL: message" and change nothing.
# Sourced by tests/run.sh after tests/lib.sh; each t_* runs in a fresh sandbox.

CLAB=${TOP}/tests/clab

# The first netns ever made turns the run dir into a bind mount, and that stays: make it
# happen before a "nothing changed" snapshot.
_cl_warm() {
	ip netns add nslab-warm-up && ip netns del nslab-warm-up
}

_cl_args() { sed -n 's/^# nslab-args: //p' "$1"; }

# nothing left: no netns, no state, no /etc/netns entries, no link but lo (and KEEP)
_cl_nothing_left() {
	[ -z "$(ls -A /run/netns 2>/dev/null)" ] || fail "netns left: $(ls /run/netns)"
	[ -z "$(ls -A /run/nslab 2>/dev/null)" ] || fail "state left: $(ls -A /run/nslab)"
	[ -z "$(ls -A /etc/netns 2>/dev/null)" ] || fail "etc left: $(ls -A /etc/netns)"
	[ "$(ip -o link show | grep -vc ": lo:${1:+\|: $1:}")" = 0 ] || fail "links left: $(ip -o link show)"
}

# _cl_addrs NETNS|- IF: its global addresses, "A/L A/L" (-: the root netns)
_cl_addrs() {
	if [ "$1" = - ]; then ip -j addr show dev "$2"; else ip -n "$1" -j addr show dev "$2"; fi |
		jq -r '[.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | join(" ")'
}

t_clab_convert_golden() {
	local f g out line
	for f in "$CLAB"/good/*.clab.yml; do
		g=${f%.clab.yml}.native.yaml
		[ -f "$g" ] || fail "no golden file $g"
		# shellcheck disable=SC2046
		run env -u NSLAB_CLAB_GREETING "$NSLAB" convert $(_cl_args "$f") "$f"
		assert_rc 0 "convert $(basename "$f")"
		out=$(diff <(printf '%s\n' "$OUT") "$g") || fail "convert $(basename "$f") differs from $(basename "$g"): $out"
		# warnings on stderr only, one line each, as nslab: FILE:LINE:COL: ...
		while IFS= read -r line; do
			[ -z "$line" ] || assert_match "$line" "^nslab: $f:[0-9]+:[0-9]+: .* ignored: " "warning"
		done <<<"$ERR"
	done
	# the conversion is a native file: it loads, and converting it is refused
	run "$NSLAB" convert "$CLAB/good/basic.native.yaml"
	assert_rc 1 "convert of a native file"
	assert_match "$ERR" "not a containerlab file" "convert of a native file"
}

t_clab_warnings() {
	run "$NSLAB" plan "$CLAB/good/basic.clab.yml"
	assert_rc 0 "plan"
	assert_eq "$ERR" "nslab: $CLAB/good/basic.clab.yml:6:5: image 'alpine:3' ignored: nodes run the host's programs" "warning"
	run "$NSLAB" -q plan --strict "$CLAB/good/basic.clab.yml"
	assert_rc 1 "plan --strict"
	assert_eq "$ERR" "$CLAB/good/basic.clab.yml:6:5: image 'alpine:3' ignored: nodes run the host's programs (--strict)" "--strict"
	run "$NSLAB" convert "$CLAB/good/anykind.clab.yml"
	assert_rc 1 "an image kind without --any-kind"
}

t_clab_bad() {
	local f want code args before after lit n=0 bad=0
	_cl_warm
	# a bridge of the host that a lab must not take for its own
	ip link add br-exist type bridge
	for f in "$CLAB"/bad/*.clab.yml; do
		n=$((n + 1))
		want=$(sed -n '1s/^# expect: //p' "$f")
		code=$(sed -n 's/^# exit: //p' "$f")
		args=$(_cl_args "$f")
		[ -n "$want" ] || fail "$(basename "$f"): no '# expect:' line"
		before=$(state_snapshot)
		# shellcheck disable=SC2086
		run "$NSLAB" up $args "$f"
		after=$(state_snapshot)
		lit=$(grep -v '^nslab: ' <<<"$ERR")
		if [ "$RC" -ne "${code:-1}" ]; then
			echo "$(basename "$f"): exit $RC, want ${code:-1}: $ERR" >&2; bad=$((bad + 1))
		elif [ "$lit" != "$f:$want" ]; then
			echo "$(basename "$f"): got '$lit', want '$f:$want'" >&2; bad=$((bad + 1))
		elif [ -n "$OUT" ]; then
			echo "$(basename "$f"): stdout not empty: $OUT" >&2; bad=$((bad + 1))
		elif [ "$before" != "$after" ]; then
			echo "$(basename "$f"): the system changed" >&2; bad=$((bad + 1))
		fi
	done
	[ "$n" -gt 20 ] || fail "only $n bad files"
	[ "$bad" -eq 0 ] || fail "$bad of $n bad files failed"
	ip link del br-exist
}

t_clab_basic_up() {
	local f=$CLAB/good/basic.clab.yml j
	_cl_warm
	nsl -q up "$f" >/dev/null
	assert_eq "$(ls /run/netns | tr '\n' ' ')" "clab-cbasic-h1 clab-cbasic-h2 clab-cbasic-r1 " "netns names"
	# the management network: a bridge with the gateway addresses, each node's eth0 on it
	assert_eq "$(_cl_addrs - cbasic-mgmt)" "172.20.20.1/24 3fff:172:20:20::1/64" "mgmt bridge"
	assert_eq "$(_cl_addrs clab-cbasic-r1 eth0)" "172.20.20.2/24 3fff:172:20:20::2/64" "r1 eth0 (next free)"
	assert_eq "$(_cl_addrs clab-cbasic-h1 eth0)" "172.20.20.50/24 3fff:172:20:20::3/64" "h1 eth0 (mgmt-ipv4)"
	ip -n clab-cbasic-h2 link show eth0 >/dev/null 2>&1 && fail "h2 (network-mode: none) has an eth0"
	assert_eq "$(ip -n clab-cbasic-h1 -j route show default | jq -r '.[0].gateway')" 172.20.20.1 "default route"
	# links: addresses from the link's ipv4 list, containerlab's MTU 9500 by default
	assert_eq "$(_cl_addrs clab-cbasic-r1 eth1)" "10.0.1.1/24" "r1 eth1"
	assert_eq "$(_cl_addrs clab-cbasic-h1 eth1)" "10.0.1.2/24" "h1 eth1"
	assert_eq "$(ip -n clab-cbasic-r1 -j link show eth1 | jq -r '.[0].mtu')" 9500 "link mtu"
	assert_eq "$(ip -n clab-cbasic-h2 -j link show eth1 | jq -r '.[0].mtu')" 1500 "link mtu given"
	# kind: bridge: a bridge of the lab in the root netns, the nodes' ends its ports
	j=$(ip -j link show master cbasic-sw)
	assert_eq "$(jq -r 'length' <<<"$j")" 2 "ports of bridge sw"
	assert_eq "$(ip netns exec clab-cbasic-r1 sysctl -n net.ipv4.ip_forward)" 1 "sysctl (node over defaults)"
	assert_eq "$(ip netns exec clab-cbasic-h1 sysctl -n net.ipv4.ip_forward)" 0 "sysctl (defaults)"
	ip netns exec clab-cbasic-h1 ping -c1 -W2 10.0.1.1 >/dev/null || fail "h1 -> r1"
	ip netns exec clab-cbasic-h2 ping -c1 -W2 10.0.2.1 >/dev/null || fail "h2 -> r1 over the bridge"
	ip netns exec clab-cbasic-h1 ping -c1 -W2 172.20.20.2 >/dev/null || fail "h1 -> r1 over mgmt"
	j=$(nsl -j status cbasic)
	assert_eq "$(jqr '.state' "$j")" up "status"
	run "$NSLAB" plan "$f"
	assert_match "$OUT" "^0 changes" "plan of the running lab"
	nsl -q down cbasic >/dev/null
	_cl_nothing_left
}

t_clab_full_up() {
	local f=$CLAB/good/full.clab.yml out
	_cl_warm
	NSLAB_CLAB_GREETING="hello env" nsl -q up "$f" >/dev/null
	assert_eq "$(ls /run/netns | tr '\n' ' ')" "lab-cfull-cli lab-cfull-iso lab-cfull-srv " "netns names (prefix)"
	assert_eq "$(ip -j link show cfull-mgmt0 | jq -r '.[0].mtu')" 1400 "mgmt mtu"
	assert_eq "$(_cl_addrs lab-cfull-srv eth0)" "192.168.77.10/24 fd00:77::10/64" "srv mgmt"
	assert_eq "$(_cl_addrs lab-cfull-cli eth0)" "192.168.77.1/24 fd00:77::2/64" "cli mgmt"
	assert_eq "$(ip -n lab-cfull-srv -j route show default | jq -r '.[0].gateway')" 192.168.77.254 "ipv4-gw"
	assert_eq "$(ip -n lab-cfull-srv -j link show eth1 | jq -r '.[0].address')" 02:00:00:00:77:01 "mac"
	assert_eq "$(_cl_addrs lab-cfull-srv eth1)" "10.77.0.1/30 fd00:770::1/64" "extended endpoint"
	assert_eq "$(_cl_addrs lab-cfull-cli eth2)" "10.77.1.1/24" "ipv6 list with an empty item"
	assert_eq "$(_cl_addrs lab-cfull-iso eth1)" "10.77.1.2/24 fd00:771::2/64" "ipv6 list"
	# env by inheritance (node > group > kind > defaults), ${VAR:=default}, binds, hostname
	out=$(nsl exec cfull srv -- sh -c 'echo "$LEVEL|$FROM_DEFAULTS|$GREETING|$(hostname)|$(cat /srv/hello.txt)"')
	assert_eq "$out" "node|1|hello env|srv|hello from the host" "srv's view"
	out=$(nsl exec cfull srv -- sh -c 'printf "%s|%s|%s" "$FROM_FILE" "$QUOTED" "$SINGLE"')
	assert_eq "$out" $'file|two words\n|$HOME stays' "env-files"
	out=$(nsl exec cfull cli -- sh -c 'echo "$LEVEL"; grep nameserver /etc/resolv.conf')
	assert_eq "$out" $'kind\nnameserver 10.0.0.54' "cli: env of its kind, its own dns"
	assert_match "$(cat /etc/netns/lab-cfull-iso/resolv.conf)" "nameserver 10.0.0.53" "dns of the kind"
	# exec of the defaults, __clabNodeName__ expanded
	assert_eq "$(cat /tmp/iso.exec /tmp/cli.exec)" $'defaults\ndefaults' "exec"
	assert_eq "$(nsl -j status cfull | jq -r '[.nodes[].processes[] | .running] | join(" ")')" "true true" "cmd/entrypoint processes"
	ip netns exec lab-cfull-srv ping -c1 -W2 10.77.0.2 >/dev/null || fail "srv -> cli"
	nsl -q down cfull >/dev/null
	_cl_nothing_left
}

t_clab_anykind_up() {
	local f=$CLAB/good/anykind.clab.yml
	_cl_warm
	nsl -q up --any-kind "$f" >/dev/null
	assert_eq "$(ls /run/netns | tr '\n' ' ')" "pc rtr " "netns names (prefix \"\")"
	assert_eq "$(_cl_addrs rtr e1-1)" "10.9.0.1/24" "rtr e1-1"
	assert_eq "$(ip -j link show master cany-br1 | jq -r 'length')" 1 "port of br1"
	ip netns exec pc ping -c1 -W2 10.9.0.1 >/dev/null || fail "pc -> rtr"
	nsl -q down --any-kind "$f" >/dev/null
	_cl_nothing_left
}

# `plan` of the containerlab file and of its conversion are the same, before and after up.
t_clab_roundtrip() {
	local d f c a b
	_cl_warm
	d=$(mktemp -d)
	cp -r "$CLAB"/good/. "$d"
	for f in "$d"/*.clab.yml; do
		c=${f%.clab.yml}.converted.yaml
		# shellcheck disable=SC2046
		"$NSLAB" convert $(_cl_args "$f") "$f" >"$c" 2>/dev/null || fail "convert $f"
		# shellcheck disable=SC2046
		a=$("$NSLAB" plan $(_cl_args "$f") "$f" 2>/dev/null) || fail "plan $f"
		b=$("$NSLAB" plan "$c") || fail "plan $c"
		assert_eq "$a" "$b" "plan of $(basename "$f") and of its conversion"
		# shellcheck disable=SC2046
		"$NSLAB" -q up $(_cl_args "$f") "$f" >/dev/null 2>&1 || fail "up $f"
		b=$("$NSLAB" plan "$c") || fail "plan $c"
		assert_match "$b" "^0 changes" "the conversion of the running $(basename "$f")"
		# shellcheck disable=SC2046
		"$NSLAB" -q down "$c" >/dev/null || fail "down $c"
	done
	rm -rf "$d"
	_cl_nothing_left
}
