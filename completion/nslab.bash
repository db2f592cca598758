# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for nslab(8); installed as /usr/share/bash-completion/completions/nslab.
#
# The word lists below are the CLI's grammar: tests/integration/completion.sh checks them
# against the tables in cli/*.c (objects, verbs, cli_kw keywords, run/enter options, global
# options), so a keyword added there and not here fails the test suite.
# Dynamic values: netns names from the run dir, lab names from the state dir, node names of a
# lab (its lab.yaml there), interface names of the netns given with -n, files for up/plan.
# Needs nothing from the bash-completion package.

_nslab_objects='netns veth bridge link addr route dns hosts sysctl nic run enter up down status plan graph test exec logs convert'
_nslab_global_opts='-j --json -p --pretty -n --netns -b --batch --force -q --quiet --run-dir --etc-dir --state-dir -V --version -h --help'
declare -gA _nslab_verbs=(
	[netns]='add del list exec attach identify pids set'
	[veth]='add'
	[bridge]='add del attach detach show'
	[link]='set del show'
	[addr]='add del flush show'
	[route]='add del show'
	[dns]='set show del'
	[hosts]='set show del'
	[sysctl]='set show'
	[nic]='add del list'
)
# Keywords after OBJECT VERB (or after OBJECT, for the objects without verbs).
declare -gA _nslab_keywords=(
	['veth add']='peer netns peer-netns mtu address peer-address'
	['bridge add']='stp vlan-filtering mcast-snooping mtu'
	['link set']='up down name mtu address netns master nomaster alias'
	['addr add']='dev nodad'
	['addr del']='dev'
	['addr flush']='dev'
	['addr show']='dev'
	['route add']='via dev metric table'
	['route del']='via dev metric table'
	['route show']='table'
	['dns set']='nameserver search options'
	['nic add']='bridge name addr gw mac mtu macvlan mode nodad'
	['nic del']='name --prune-bridge'
	['netns del']='--all'
	[up]='--dry-run --any-kind --strict'
	[down]='--force --any-kind --strict'
	[plan]='--any-kind --strict'
	[status]='--any-kind --strict'
	[graph]='--format --any-kind --strict'
	[test]='--any-kind --strict'
	[convert]='--any-kind --strict'
	[run]='--net --uts --hostname --ipc --pid --mount --propagation --user --map-root --map-user --map-group --map-users --map-groups --cgroup --time --monotonic --boottime --rootfs --mount-proc --init --kill-child --wd --persist'
	[logs]='-f -n'
	[enter]='--all --net --mount --uts --ipc --pid --user --cgroup --time'
)
# Keywords (and options) followed by a value, and what kind of value.
declare -gA _nslab_values=(
	[peer]=none [netns]=netns [peer-netns]=netns [mtu]=none [address]=none [peer-address]=none
	[stp]=onoff [vlan-filtering]=onoff [mcast-snooping]=onoff [name]=none [master]=ifname
	[alias]=none [dev]=ifname [via]=none [metric]=none [table]=table [bridge]=ifname
	[addr]=none [gw]=none [mac]=none [macvlan]=ifname [mode]=macvlan-mode [--format]=format
	[--hostname]=none [--propagation]=propagation [--map-user]=none [--map-group]=none
	[--map-users]=none [--map-groups]=none [--monotonic]=none [--boottime]=none
	[--rootfs]=dir [--wd]=dir [--persist]=none
	[-n]=netns [--netns]=netns [-b]=file [--batch]=file [--run-dir]=dir [--etc-dir]=dir
	[--state-dir]=dir
)

_nslab_reply() { # words... : the candidates that start with $cur
	local IFS=$'\n'
	COMPREPLY+=($(compgen -W "$*" -- "$cur"))
}

_nslab_netns_names() {
	local d=$run_dir f
	[ -d "$d" ] || return 0
	for f in "$d"/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf '%s\n' "${f##*/}"
	done
}

_nslab_labs() {
	local f
	[ -d "$state_dir" ] || return 0
	for f in "$state_dir"/*/; do
		[ -d "$f" ] && printf '%s\n' "$(basename "$f")"
	done
}

_nslab_nodes() { # LAB: the node names of its last `up` (STATE_DIR/LAB/lab.yaml)
	local y=$state_dir/$1/lab.yaml
	[ -r "$y" ] || return 0
	awk '/^nodes:/ { in_nodes = 1; next }
	     /^[^ #]/ { in_nodes = 0 }
	     in_nodes && match($0, /^  [A-Za-z0-9_.-]+:/) { print substr($0, 3, RLENGTH - 3) }' "$y"
}

_nslab_ifnames() { # the interfaces of the netns of -n (or the current one)
	local -a a=("${dir_args[@]}")
	[ -n "$netns" ] && a+=(-n "$netns")
	"$nslab" "${a[@]}" link show 2>/dev/null | awk -F': ' '/^[0-9]+: / { sub(/@.*/, "", $2); print $2 }'
}

_nslab_files() { # FILE arguments: topology files (*.yaml, *.yml) and directories
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -d -- "$cur"))
	COMPREPLY+=($(compgen -f -X '!*.yaml' -- "$cur") $(compgen -f -X '!*.yml' -- "$cur"))
}

_nslab_value() { # KIND: complete the value of a keyword
	local IFS=$'\n'
	case $1 in
	netns) _nslab_reply "$(_nslab_netns_names)" ;;
	ifname) _nslab_reply "$(_nslab_ifnames)" ;;
	onoff) _nslab_reply on off ;;
	table) _nslab_reply main ;;
	format) _nslab_reply dot mermaid json ;;
	propagation) _nslab_reply private shared slave unchanged ;;
	macvlan-mode) _nslab_reply bridge private vepa passthru source ;;
	dir) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$cur")) ;;
	file) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$cur")) ;;
	esac
}

_nslab() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local nslab=${COMP_WORDS[0]} netns= obj= verb= i w
	local run_dir=${NSLAB_RUN_DIR:-/var/run/netns} state_dir=${NSLAB_STATE_DIR:-/run/nslab}
	local -a dir_args=() args=()
	COMPREPLY=()
	command -v "$nslab" >/dev/null 2>&1 || nslab=nslab

	# Global options, then OBJECT [VERB], then the words after them (args).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ -z "$obj" ]; then
			case $w in
			-n | --netns) netns=${COMP_WORDS[i + 1]}; ((i++)) ;;
			--run-dir) run_dir=${COMP_WORDS[i + 1]}; dir_args+=("$w" "$run_dir"); ((i++)) ;;
			--state-dir) state_dir=${COMP_WORDS[i + 1]}; dir_args+=("$w" "$state_dir"); ((i++)) ;;
			--etc-dir) dir_args+=("$w" "${COMP_WORDS[i + 1]}"); ((i++)) ;;
			-b | --batch) ((i++)) ;;
			-*) ;;
			*) obj=$w ;;
			esac
		elif [ -z "$verb" ] && [ -n "${_nslab_verbs[$obj]+x}" ]; then
			verb=$w
		else
			args+=("$w")
		fi
	done

	if [ -z "$obj" ]; then
		case $prev in
		-n | --netns | -b | --batch | --run-dir | --etc-dir | --state-dir)
			_nslab_value "${_nslab_values[$prev]}"
			return 0 ;;
		esac
		case $cur in
		-*) _nslab_reply $_nslab_global_opts ;;
		*) _nslab_reply $_nslab_objects help ;;
		esac
		return 0
	fi
	if [ -n "${_nslab_verbs[$obj]+x}" ] && [ -z "$verb" ]; then
		_nslab_reply ${_nslab_verbs[$obj]} help
		return 0
	fi

	local key=$obj${verb:+ $verb} nargs=${#args[@]}
	local kws=${_nslab_keywords[$key]}
	# The value of a keyword.
	if [ "$nargs" -gt 0 ] || [ "$key" = "$obj" ]; then
		case " $kws " in
		*" $prev "*)
			if [ -n "${_nslab_values[$prev]+x}" ]; then
				_nslab_value "${_nslab_values[$prev]}"
				return 0
			fi ;;
		esac
	fi
	# --opt=VALUE (run): bash splits it into "--opt" "=" "VALUE" (COMP_WORDBREAKS).
	if [ "$obj" = run ] && { [ "$prev" = "=" ] || [ "$cur" = "=" ] || [[ $cur == --*=* ]]; }; then
		local opt
		if [ "$cur" = "=" ]; then
			opt=$prev cur=
		elif [ "$prev" = "=" ]; then
			opt=${COMP_WORDS[COMP_CWORD-2]}
		else
			opt=${cur%%=*} cur=${cur#*=}
		fi
		case $opt in
		--net) _nslab_value netns ;;
		--propagation) _nslab_value propagation ;;
		--rootfs | --wd) _nslab_value dir ;;
		esac
		return 0
	fi

	# The positional arguments of each verb, then its keywords.
	case $key in
	'netns del' | 'netns pids' | 'netns set' | 'netns attach' | 'dns show' | 'dns del' | 'hosts show' | 'hosts del' | 'dns set' | 'hosts set')
		[ "$nargs" -eq 0 ] && { _nslab_value netns; [ "$key" = 'netns del' ] && _nslab_reply --all; return 0; }
		[ "$key" = 'netns del' ] && { _nslab_value netns; return 0; } ;;
	'netns exec')
		[ "$nargs" -eq 0 ] && { _nslab_value netns; return 0; }
		compopt -o default 2>/dev/null
		COMPREPLY+=($(compgen -c -- "$cur"))
		return 0 ;;
	'link set' | 'link del' | 'link show' | 'bridge del' | 'bridge attach' | 'bridge detach' | 'bridge show' | 'addr show' | 'addr flush')
		if [ "$nargs" -eq 0 ] && [[ $key != addr* ]]; then
			_nslab_value ifname
			return 0
		fi
		[ "$key" = 'bridge attach' ] && [ "$nargs" -eq 1 ] && { _nslab_value ifname; return 0; } ;;
	'veth add' | 'bridge add' | 'addr add' | 'addr del' | 'route add' | 'route del')
		[ "$nargs" -eq 0 ] && return 0 ;;
	'sysctl set' | 'sysctl show')
		if [ "$nargs" -eq 0 ]; then
			local IFS=$'\n'
			COMPREPLY+=($(cd /proc/sys 2>/dev/null && compgen -f -- "${cur//.//}" | tr / .))
			[ "${#COMPREPLY[@]}" -eq 1 ] && [ -d "/proc/sys/${COMPREPLY[0]//.//}" ] && compopt -o nospace 2>/dev/null &&
				COMPREPLY[0]+=.
			return 0
		fi
		return 0 ;;
	'nic add' | 'nic del' | 'nic list')
		if [ "$nargs" -eq 0 ]; then
			_nslab_reply netns
			return 0
		fi
		if [ "$nargs" -eq 1 ] && [ "${args[0]}" = netns ]; then
			_nslab_value netns
			return 0
		fi ;;
	up | plan | convert)
		[ "$nargs" -eq 0 ] && [[ $cur != -* ]] && { _nslab_files; return 0; } ;;
	down | status | graph | test)
		if [[ $cur != -* ]] && [ "$nargs" -eq 0 ]; then
			local IFS=$'\n'
			_nslab_reply "$(_nslab_labs)"
			_nslab_files
			return 0
		fi ;;
	exec)
		if [ "$nargs" -eq 0 ]; then
			local IFS=$'\n'
			_nslab_reply "$(_nslab_labs)"
			return 0
		fi
		if [ "$nargs" -eq 1 ]; then
			local IFS=$'\n'
			_nslab_reply "$(_nslab_nodes "${args[0]}")"
			return 0
		fi
		[ "$nargs" -eq 2 ] && { _nslab_reply --; return 0; }
		COMPREPLY+=($(compgen -c -- "$cur"))
		return 0 ;;
	logs)
		# logs LAB NODE [NAME] [-f] [-n LINES]; NAME: a file of STATE_DIR/LAB/logs/NODE.
		[ "$prev" = -n ] && return 0
		if [[ $cur != -* ]]; then
			local IFS=$'\n' f
			case $nargs in
			0) _nslab_reply "$(_nslab_labs)"; return 0 ;;
			1) _nslab_reply "$(_nslab_nodes "${args[0]}")"; return 0 ;;
			2) _nslab_reply "$(for f in "$state_dir/${args[0]}/logs/${args[1]}"/*; do
				[ -f "$f" ] && printf '%s\n' "${f##*/}"; done)"
				return 0 ;;
			esac
		fi ;;
	run)
		# Options until the command starts; a command is completed as a command.
		local skip=0
		for w in "${args[@]}"; do
			if [ "$skip" = 1 ]; then
				skip=0
				continue
			fi
			case $w in
			--) COMPREPLY+=($(compgen -c -- "$cur")); return 0 ;;
			=) skip=1 ;;
			--*=*) ;;
			--*) [ -n "${_nslab_values[$w]+x}" ] && skip=1 ;;
			*) compopt -o default 2>/dev/null; return 0 ;;
			esac
		done ;;
	enter)
		if [ "$nargs" -eq 0 ]; then
			_nslab_reply netns
			return 0
		fi
		[ "$nargs" -eq 1 ] && [ "${args[0]}" = netns ] && { _nslab_value netns; return 0; } ;;
	esac
	[ -n "$kws" ] && _nslab_reply $kws
	return 0
}
complete -F _nslab nslab
