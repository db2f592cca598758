# SPDX-License-Identifier: GPL-2.0-or-later
# Bash completion (completion/nslab.bash): its word lists against the CLI's own tables in
# cli/*.c, and the completion function driven with COMP_WORDS/COMP_CWORD as bash would.

COMPLETION=$TOP/completion/nslab.bash
# _nslab runs the nslab it completes (COMP_WORDS[0]) for interface names: the one under test.
PATH=$(dirname "$NSLAB"):$PATH

# comp WORD...: the candidates _nslab offers for the last word, sorted, one line.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nslab nslab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || true
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

sorted() { tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# The tables of cli/*.c, one "KIND OBJECT-FILE WORD" line each:
#   object FILE NAME       a struct cli_object's .name
#   verb FILE.OBJ NAME     an entry of the verbs table of object OBJ
#   kw FILE NAME           an entry of a struct cli_kw table of FILE
#   opt run|enter NAME     an entry of run_table / enter_table (cli/run.c)
#   global - NAME          a long option of cli/main.c (--NAME) or a short one (-C)
#   labopt - NAME          an option compared with STREQ in cli/lab.c
_cli_tables() {
	local f
	for f in "$TOP"/cli/*.c; do
		awk -v file="$(basename "$f" .c)" '
		function str(s) { return match(s, /"[^"]*"/) ? substr(s, RSTART + 1, RLENGTH - 2) : "" }
		/^static const struct cli_verb [a-z_]+\[\] = \{/ { t = $5; sub(/\[\]$/, "", t); table = "verb"; next }
		/^static const struct cli_kw [a-z_]+\[\] = \{/ { table = "kw"; next }
		/^static const struct run_opt (run|enter)_table\[\] = \{/ { table = "opt"; which = $5; sub(/_table.*/, "", which); next }
		/^static const struct option long_opts\[\] = \{/ { table = "long"; next }
		table != "" && /^\};/ { table = ""; next }
		table == "verb" { n = split($0, a, /\{ "/); for (i = 2; i <= n; i++) { sub(/".*/, "", a[i]); verbs[t] = verbs[t] " " a[i] } }
		table == "kw" { s = $0; if (s ~ /CLI_KW\(/) { sub(/^[^,]*,/, "", s) } n = split(s, a, /\{ "/); if (s ~ /^[ \t]*"/ || n == 1) { w = str(s); if (w != "") print "kw", file, w } else for (i = 2; i <= n; i++) { sub(/".*/, "", a[i]); print "kw", file, a[i] } }
		table == "opt" { w = str($0); if (w != "") print "opt", which, w }
		table == "long" { w = str($0); if (w != "") print "global", "-", "--" w }
		/^static const char short_opts\[\] = "/ { s = str($0); gsub(/[+:]/, "", s); for (i = 1; i <= length(s); i++) print "global", "-", "-" substr(s, i, 1) }
		/^const struct cli_object cli_obj_/ { inobj = 1 }
		inobj && /\.name = "/ { obj = str($0); print "object", file, obj }
		inobj && /\.verbs = / { v = $0; sub(/.*\.verbs = /, "", v); sub(/,.*/, "", v); objverbs[obj] = v }
		inobj && /^\};/ { inobj = 0 }
		file == "lab" && /STREQ\(argv\[i\], "--/ { print "labopt", "-", str(substr($0, index($0, "STREQ(argv[i]"))) }
		END { for (o in objverbs) { n = split(verbs[objverbs[o]], a, " "); for (i = 1; i <= n; i++) print "verb", file "." o, a[i] } }
		' "$f"
	done
}

t_completion_tables() {
	. "$COMPLETION"
	local tables objs want got o f kws
	tables=$(_cli_tables)
	[ -n "$tables" ] || fail "no tables found in cli/*.c"
	# Objects: exactly the CLI's, and in cli/main.c's objects[] table.
	want=$(awk '$1 == "object" {print $3}' <<<"$tables" | sorted)
	assert_eq "$(sorted <<<"$_nslab_objects")" "$want" "objects"
	for o in $want; do
		grep -q "&cli_obj_$o\b" "$TOP/cli/main.c" || fail "object $o not in cli/main.c objects[]"
	done
	# Verbs of each object.
	for o in $(awk '$1 == "verb" {split($2, a, "."); print a[2]}' <<<"$tables" | sort -u); do
		want=$(awk -v o="$o" '$1 == "verb" && $2 ~ "[.]" o "$" {print $3}' <<<"$tables" | sorted)
		assert_eq "$(sorted <<<"${_nslab_verbs[$o]:-}")" "$want" "verbs of $o"
	done
	for o in "${!_nslab_verbs[@]}"; do
		grep -q "^verb [a-z]*\.$o " <<<"$tables" || fail "completion has verbs for $o, the CLI none"
	done
	# Keywords: every cli_kw entry of cli/F.c is offered for an object of F; every keyword the
	# completion offers for an object is a string in its file (nothing stale).
	for f in $(awk '$1 == "object" {print $2}' <<<"$tables" | sort -u); do
		objs=$(awk -v f="$f" '$1 == "object" && $2 == f {print $3}' <<<"$tables")
		kws=""
		for o in $objs; do
			for k in "${!_nslab_keywords[@]}"; do
				[ "${k%% *}" = "$o" ] && kws+=" ${_nslab_keywords[$k]}"
			done
		done
		for w in $(awk -v f="$f" '$1 == "kw" && $2 == f {print $3}' <<<"$tables"); do
			[[ " $kws " == *" $w "* ]] || fail "keyword '$w' of cli/$f.c is not completed"
		done
		for w in $kws; do
			grep -q "\"${w#--}\"\|\"$w\"" "$TOP/cli/$f.c" || fail "completion offers '$w', which cli/$f.c does not know"
		done
	done
	# run and enter: exactly their option tables.
	for o in run enter; do
		want=$(awk -v o="$o" '$1 == "opt" && $2 == o {print "--" $3}' <<<"$tables" | sorted)
		[ -n "$want" ] || fail "no ${o}_table in cli/run.c"
		assert_eq "$(sorted <<<"${_nslab_keywords[$o]}")" "$want" "options of $o"
	done
	# Global options: exactly long_opts and short_opts.
	want=$(awk '$1 == "global" {print $3}' <<<"$tables" | sorted)
	assert_eq "$(sorted <<<"$_nslab_global_opts")" "$want" "global options"
	# The options of the lab verbs.
	for w in $(awk '$1 == "labopt" {print $3}' <<<"$tables"); do
		got=""
		for o in up down status plan graph test exec; do got+=" ${_nslab_keywords[$o]:-}"; done
		[[ " $got " == *" $w "* ]] || fail "lab option '$w' of cli/lab.c is not completed"
	done
	# Each verb's usage line (nslab OBJECT help) names the keywords offered for it.
	for k in "${!_nslab_keywords[@]}"; do
		[[ $k == *" "* ]] || continue
		run "$NSLAB" ${k%% *} help
		for w in ${_nslab_keywords[$k]}; do
			grep -qw -- "$w" <<<"$OUT" || fail "'nslab ${k%% *} help' does not mention '$w'"
		done
	done
}

t_completion_words() {
	. "$COMPLETION"
	assert_eq "$(comp nslab net)" "netns" "nslab net<TAB>"
	assert_eq "$(comp nslab netns '')" "$(sorted <<<"add attach del exec identify list pids set help")" "nslab netns <TAB>"
	assert_eq "$(comp nslab -j -n x addr '')" "add del flush help show" "options before the object"
	assert_eq "$(comp nslab --js)" "--json" "global option"
	assert_eq "$(comp nslab bridge add br0 '')" "mcast-snooping mtu stp vlan-filtering" "bridge add keywords"
	assert_eq "$(comp nslab bridge add br0 stp '')" "off on" "on|off value"
	assert_eq "$(comp nslab graph lab1 --format '')" "dot json mermaid" "graph formats"
	assert_eq "$(comp nslab run --uts --prop)" "--propagation" "run option"
	assert_eq "$(comp nslab run --propagation '')" "private shared slave unchanged" "run option value"
	assert_eq "$(comp nslab route add default via 10.0.0.1 '')" "dev metric table via" "route keywords"
	assert_eq "$(comp nslab nic add 1234 macvlan eth0 mode '')" "bridge passthru private source vepa" "macvlan modes"
}

t_completion_dynamic() {
	. "$COMPLETION"
	local d
	nsl netns add comp-a >/dev/null
	nsl netns add comp-b >/dev/null
	nsl -n comp-a link set lo up >/dev/null
	nsl veth add vc-a peer vc-b peer-netns comp-a >/dev/null
	# netns names from the run dir (and from --run-dir / NSLAB_RUN_DIR)
	assert_eq "$(comp nslab netns del '')" "--all comp-a comp-b" "nslab netns del <TAB>"
	assert_eq "$(comp nslab -n comp)" "comp-a comp-b" "-n <TAB>"
	assert_eq "$(comp nslab dns set comp-b '')" "nameserver options search" "dns set NETNS <TAB>"
	assert_eq "$(comp nslab veth add x peer y peer-netns c)" "comp-a comp-b" "peer-netns value"
	d=$TOP/build-comp-test.$$
	mkdir -p "$d/rd/nothere" "$d/st/lab1"
	touch "$d/rd/other-ns"
	assert_eq "$(comp nslab --run-dir "$d/rd" netns pids '')" "nothere other-ns" "--run-dir"
	assert_eq "$(NSLAB_RUN_DIR=$d/rd comp nslab netns exec o)" "other-ns" "NSLAB_RUN_DIR"
	# interface names of -n NETNS, or of the current netns
	assert_eq "$(comp nslab -n comp-a link set '')" "lo vc-b" "-n comp-a link set <TAB>"
	assert_eq "$(comp nslab link show vc)" "vc-a" "link show <TAB> (current netns)"
	assert_eq "$(comp nslab -n comp-a addr add 10.0.0.1/24 dev '')" "lo vc-b" "dev value"
	# lab names from the state dir, node names from its lab.yaml
	printf 'name: lab1\nnodes:\n  r1:\n    interfaces: {}\n  h-2: { }\n# c\nlinks: []\n' >"$d/st/lab1/lab.yaml"
	assert_eq "$(comp nslab --state-dir "$d/st" exec '')" "lab1" "exec <TAB>"
	assert_eq "$(comp nslab --state-dir "$d/st" exec lab1 '')" "h-2 r1" "exec LAB <TAB>"
	mkdir -p "$d/st/lab1/logs/r1" && touch "$d/st/lab1/logs/r1/web" "$d/st/lab1/logs/r1/exec"
	[ -n "${_nslab_keywords[logs]+x}" ] && assert_eq "$(comp nslab --state-dir "$d/st" logs lab1 r1 '')" "exec web" "logs LAB NODE <TAB>"
	assert_eq "$(cd "$d" && NSLAB_STATE_DIR=$d/st comp nslab down l)" "lab1" "down <TAB>"
	# files for up / plan: topology files and directories
	mkdir -p "$d/f/sub"
	touch "$d/f/a.yaml" "$d/f/b.yml" "$d/f/c.txt"
	assert_eq "$(cd "$d/f" && comp nslab up '')" "a.yaml b.yml sub" "up <TAB>"
	assert_eq "$(cd "$d/f" && comp nslab plan a)" "a.yaml" "plan a<TAB>"
	rm -rf "$d"
	# A real lab: up, then its name and nodes are offered.
	printf 'name: cl\nnodes:\n  n1: {}\n  n2: {}\n' >"$TOP/build-comp-lab.$$.yaml"
	run "$NSLAB" up "$TOP/build-comp-lab.$$.yaml"
	rm -f "$TOP/build-comp-lab.$$.yaml"
	assert_rc 0 "nslab up"
	assert_eq "$(comp nslab status '' | tr ' ' '\n' | grep -x cl)" "cl" "status <TAB>"
	assert_eq "$(comp nslab exec cl '')" "n1 n2" "exec cl <TAB>"
	nsl down cl >/dev/null
}

# The completion is installed where bash-completion looks for it, and loads from there.
t_completion_installed() {
	local dest=/tmp/inst
	make -s -C "$TOP" B=/tmp/ib install DESTDIR=$dest PREFIX=/usr >/tmp/make.log 2>&1 || fail "make install: $(tail -5 /tmp/make.log)"
	[ -f $dest/usr/share/bash-completion/completions/nslab ] || fail "completion not installed"
	assert_eq "$(bash -c ". $dest/usr/share/bash-completion/completions/nslab; complete -p nslab")" \
		"complete -F _nslab nslab" "complete -p nslab"
}
