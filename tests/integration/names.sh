# SPDX-License-Identifier: GPL-2.0-or-later
# Derived names: a device keeps its kernel name for as long as it exists, across edits of the
# file, even when a new object would have made the file alone derive it otherwise.
# Sourced by tests/run.sh after tests/lib.sh; each t_* runs in a fresh sandbox.

_nm_write() { # _nm_write EXTRA_NODES...: lab "web", node a (iface b-c), then the extra ones
	{
		echo "name: web"
		echo "bridges: { lan: { address: 10.79.0.1/24 } }"
		echo "nodes:"
		echo "  a: { interfaces: { b-c: { bridge: lan, address: 10.79.0.2/24 } } }"
		local i=3 n
		for n in "$@"; do
			echo "  $n: { interfaces: { c: { bridge: lan, address: 10.79.0.$i/24 } } }"
			i=$((i + 1))
		done
	} >/tmp/nm.yaml
}

# the kernel name and ifindex of the root-netns device whose altname is $1
_nm_dev() { ip -j link show | jq -r --arg a "$1" '.[] | select((.altnames // []) | index($a)) | "\(.ifname) \(.ifindex)"'; }

t_names_kept_across_edits() {
	local first after
	_nm_write
	nsl -q up /tmp/nm.yaml >/dev/null
	first=$(_nm_dev web.a.b-c)
	assert_eq "${first%% *}" "web-a-b-c" "readable name while it is unique"
	# node a-b, iface c: "web-a-b-c" too. Derived from the file alone, both would be tagged;
	# the running device keeps its name, the new one is derived around it.
	_nm_write a-b
	assert_match "$(nsl plan /tmp/nm.yaml)" "\+ iface a-b:c" "the new interface is an addition"
	assert_no_match "$(nsl plan /tmp/nm.yaml)" "a:b-c" "the old one is no change"
	nsl -q up /tmp/nm.yaml >/dev/null
	after=$(_nm_dev web.a.b-c)
	assert_eq "$after" "$first" "same name and ifindex after the first edit"
	assert_match "$(_nm_dev web.a-b.c)" "^web-a-b-c~[0-9a-z]{5} " "the new one is tagged"
	# and after another edit, from the names the state keeps (not from lab.yaml alone)
	_nm_write a-b zz
	nsl -q up /tmp/nm.yaml >/dev/null
	assert_eq "$(_nm_dev web.a.b-c)" "$first" "same name and ifindex after the second edit"
	assert_match "$(nsl plan /tmp/nm.yaml)" "0 changes" "nothing left to do"
	run "$NSLAB" -j status web
	assert_eq "$(jqr '.state' "$OUT")" up "no drift"
	nsl -q down web >/dev/null
	[ -z "$(ip -o link show | grep -v ': lo:')" ] || fail "links left"
}
