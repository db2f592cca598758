#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: the main job on the default lab, inside tests/sandbox.sh (private network and
# mount namespace; nothing reaches the host). Brings topologies/demo.yaml up, tests it, shows
# it, fetches a page from its web server (a real daemon under the node's supervisor) and shows
# that daemon's log, draws the lab, and takes it down again, checking that nothing is left.
# NSLAB_DEMO_LAB=FILE runs another file (its lab must also be named demo, with nodes web, db
# and cache).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${NSLAB:-$TOP/build/nslab}
LAB=${NSLAB_DEMO_LAB:-$TOP/topologies/demo.yaml}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# A step that fails ends the demo: the lab still goes down (its processes would otherwise
# outlive the sandbox, holding its namespaces).
trap '[ $? -eq 0 ] || "$N" -q down demo >/dev/null 2>&1 || true' EXIT

step "nslab up $(basename "$LAB")"
"$N" up "$LAB"
step "nslab test demo (ICMP, and TCP to the web server's port)"
"$N" test demo
step "nslab status demo"
"$N" status demo
step "nslab exec demo web -- hostname; ip -br addr (the node's own view)"
"$N" exec demo web -- sh -c 'hostname; ip -br addr; cat /etc/resolv.conf'
step "nslab exec demo db -- curl http://web:8080/ (Python's http.server, run as nobody in web)"
"$N" exec demo db -- curl -sS --max-time 5 http://web:8080/
"$N" exec demo cache -- curl -sS --max-time 5 -o /dev/null -w 'cache got HTTP %{http_code}\n' http://10.0.0.10:8080/
step "nslab logs demo web http -n 2 (the server's access log, with nslab's timestamps)"
"$N" logs demo web http -n 2
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
