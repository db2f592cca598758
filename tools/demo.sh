#!/bin/bash
# `make demo`: the main job on the default lab, inside tests/sandbox.sh (private network and
# mount namespace; nothing reaches the host). Brings topologies/demo.yaml up, tests it, shows
# it, draws it, and takes it down again, checking that nothing is left.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${NSLAB:-$TOP/build/nslab}
LAB=$TOP/topologies/demo.yaml
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "nslab up $(basename "$LAB")"
"$N" up "$LAB"
step "nslab test demo"
"$N" test demo
step "nslab status demo"
"$N" status demo
step "nslab exec demo web -- hostname; ip -br addr (the node's own view)"
"$N" exec demo web -- sh -c 'hostname; ip -br addr; cat /etc/resolv.conf'
step "ip netns list (the same namespaces, seen by iproute2)"
ip netns list
step "nslab graph demo --format mermaid"
"$N" graph demo --format mermaid
if command -v dot >/dev/null; then
	"$N" graph demo --format dot | dot -Tsvg -o "$TOP/build/demo.svg"
	echo "(graph drawn to build/demo.svg)"
fi
step "nslab up again: nothing to change"
"$N" up "$LAB"
step "nslab down demo"
"$N" down demo
step "left behind"
left=$(find /run/netns /etc/netns /run/nslab -mindepth 1 2>/dev/null; ip -o link show | grep -v ': lo:' || true)
if [ -n "$left" ]; then
	echo "$left"
	exit 1
fi
echo "nothing: no netns, links, /etc/netns files or state"
