# SPDX-License-Identifier: GPL-2.0-or-later
# JSON and text rendering against golden files in tests/expected/ (a fresh netns makes ifindexes,
# names and MACs deterministic). Regenerate with UPDATE_GOLDEN=1 after a deliberate change.

golden() { # NAME OUTPUT
	local f="$TOP/tests/expected/$1"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then printf '%s\n' "$2" >"$f"; return 0; fi
	[ -f "$f" ] || fail "no golden file $1"
	diff -u "$f" <(printf '%s\n' "$2") >&2 || fail "$1 differs from the golden file"
}

setup_fixed() {
	nsl netns add g1
	nsl -n g1 bridge add br0 stp off
	nsl -n g1 link set br0 address 02:00:00:00:00:01
	nsl veth add v0 peer v1 netns g1 peer-netns g1 mtu 1400 address 02:00:00:00:00:0a peer-address 02:00:00:00:00:0b
	nsl -n g1 bridge attach br0 v0
	nsl -n g1 link set v0 up alias "port one"
}

t_link_show_json_golden() {
	setup_fixed
	out=$("$NSLAB" -n g1 -j link show | jq -c '[.[] | del(.operstate)]')
	golden link-show.json "$out"
	# The same keys ip -j uses, for the same things.
	ours=$("$NSLAB" -n g1 -j link show | jq -c '[.[] | {ifname, mtu, address, master, ifalias}]')
	theirs=$(ip -n g1 -j link show | jq -c '[.[] | {ifname, mtu, address, master, ifalias}]')
	assert_eq "$ours" "$theirs" "keys shared with ip -j"
}

t_pretty_json_parses() {
	setup_fixed
	out=$("$NSLAB" -n g1 -j -p link show)
	assert_eq "$(jq -r '.[1].ifname' <<<"$out")" br0 "pretty JSON parses"
	[ "$(wc -l <<<"$out")" -gt 5 ] || fail "pretty output is indented over lines"
	golden bridge-show.json "$("$NSLAB" -n g1 -j bridge show | jq -c '[.[] | del(.operstate)]')"
}

t_text_show_golden() {
	setup_fixed
	golden bridge-show.txt "$("$NSLAB" -n g1 bridge show | sed 's/state [A-Z]*/state X/')"
	golden netns-list.txt "$("$NSLAB" netns list)"
}

t_json_error_object() {
	run "$NSLAB" -j veth add toolongname12345 peer x
	assert_rc 1
	assert_eq "$(jq -c '.error | {object, verb, name, exit_code}' <<<"$OUT")" \
		'{"object":"veth","verb":"add","name":"toolongname12345","exit_code":1}' "error object"
}
t_json_error_exit_code_of_command_not_run() {
	# The JSON error object carries the status the command exits with: 127 not found,
	# 126 not executable (not the 2 of a system error).
	run "$NSLAB" -j run -- /nonexistent
	assert_rc 127
	assert_eq "$(jq -c '.error | {object, exit_code}' <<<"$OUT")" '{"object":"run","exit_code":127}' "not found"
	run "$NSLAB" -j run -- /etc
	assert_rc 126
	assert_eq "$(jq -r '.error.exit_code' <<<"$OUT")" 126 "not executable"
}
