#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Supervised nodes against plain ones, in one run: star-N (bench/star.sh) as it is, and the
# same star where every node runs one supervised process (sleep) with a bind, a tmpfs and an
# inline file. Prints up (until every process runs) and down (until every process and device
# is gone) of both, their ratios, and the private memory of each node's supervisor
# (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup).
# Usage: bench/nodes.sh [N] [ROUNDS]   (default 200 3); runs itself inside tests/sandbox.sh.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-200} ROUNDS=${2:-3}
NSLAB=${NSLAB:-$TOP/build/nslab}
# tests/sandbox.sh sets NSLAB_IN_SANDBOX=1 once it is inside its own namespaces: never set
# it here (sandbox.sh would then mount its tmpfs and overlay in the caller's namespaces).
if [ "${NSLAB_IN_SANDBOX:-}" != 1 ]; then
	exec env NSLAB="$NSLAB" "$TOP/tests/sandbox.sh" "$0" "$@"
fi
work=$(mktemp -d /tmp/nslab-bench-nodes.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share"
echo "shared by every node" >"$work/share/README"

"$TOP/bench/star.sh" "$N" plain >"$work/plain.yaml"
{
	echo "groups:"
	echo "  svc:"
	echo "    binds: [ \"share:/srv/share:ro\" ]"
	echo "    tmpfs: [ /var/lib/svc ]"
	echo "    files: { /etc/svc.conf: \"node \${node}\\n\" }"
	echo "    run: { name: svc, command: [sleep, \"86400.5\"] }"
	"$TOP/bench/star.sh" "$N" svc | sed -E 's/^  (n[0-9]+):$/  \1:\n    group: svc/'
} >"$work/svc.yaml"

now() { date +%s.%N; }
measure() { # FILE LAB: sets UP DOWN
	local t0 t1 t2 t3 k
	t0=$(now)
	"$NSLAB" -q up "$1" >/dev/null
	t1=$(now)
	if [ "$2" = svc ]; then
		k=$(pgrep -c -f '^sleep 86400.5$' || true)
		[ "$k" = "$N" ] || { echo "nodes.sh: $k of $N processes run after up" >&2; exit 1; }
		MEM=$(for p in $(pgrep -f 'nslab-supervise .*/svc/sup/'); do
			awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$p/smaps_rollup"
		done | sort -n | awk '{v[NR] = $1; s += $1} END {printf "median %d KiB, max %d KiB, mean %.0f KiB", v[int((NR + 1) / 2)], v[NR], s / NR}')
	fi
	t2=$(now) # the checks above are not part of down
	"$NSLAB" -q down "$2" >/dev/null
	t3=$(now)
	if [ "$2" = svc ] && pgrep -f '^sleep 86400.5$' >/dev/null; then
		echo "nodes.sh: processes left after down" >&2
		exit 1
	fi
	UP=$(echo "$t1 - $t0" | bc) DOWN=$(echo "$t3 - $t2" | bc)
}

pu=0 pd=0 su=0 sd=0
for ((r = 1; r <= ROUNDS; r++)); do
	measure "$work/plain.yaml" plain
	pu=$(echo "$pu + $UP" | bc) pd=$(echo "$pd + $DOWN" | bc)
	measure "$work/svc.yaml" svc
	su=$(echo "$su + $UP" | bc) sd=$(echo "$sd + $DOWN" | bc)
done
printf '%-34s %8s %8s\n' "star-$N, mean of $ROUNDS rounds" "up (s)" "down (s)"
printf '%-34s %8.3f %8.3f\n' "plain nodes" "$(echo "$pu / $ROUNDS" | bc -l)" "$(echo "$pd / $ROUNDS" | bc -l)"
printf '%-34s %8.3f %8.3f\n' "supervised (process+bind+tmpfs+file)" "$(echo "$su / $ROUNDS" | bc -l)" "$(echo "$sd / $ROUNDS" | bc -l)"
printf 'ratios: up supervised/plain %.2f; down supervised/plain %.2f\n' "$(echo "$su / $pu" | bc -l)" "$(echo "$sd / $pd" | bc -l)"
echo "supervisor private memory: $MEM"
