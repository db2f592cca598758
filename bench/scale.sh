#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A big lab end to end: star-N over B bridges (bench/star.sh -e), `nslab up`, `nslab test`
# (every node reaches the next one on its bridge), `nslab down`, each timed, and nothing left.
# Runs inside tests/sandbox.sh, as bench/run.sh does. Usage: bench/scale.sh [N [B]]
# (default 5000 nodes over 5 bridges).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
if [ "${NSLAB_IN_SANDBOX:-}" != 1 ]; then
	exec "$TOP/tests/sandbox.sh" "$0" "$@"
fi
n=${1:-5000} b=${2:-5}
NSLAB=${NSLAB:-$TOP/build/nslab}
f=/tmp/scale-$n.yaml
"$TOP/bench/star.sh" -e -b "$b" "$n" "scale$n" >"$f"
ulimit -n 65536 2>/dev/null || true
t() { local t0=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $t0" | bc)"; }
echo "star-$n over $b bridges ($(wc -c <"$f") bytes)"
s=$(date +%s.%N); "$NSLAB" -q plan "$f" >/dev/null; e=$(date +%s.%N)
printf 'plan  %6.2f s\n' "$(echo "$e - $s" | bc)"
s=$(date +%s.%N); "$NSLAB" -q up "$f" >/dev/null; e=$(date +%s.%N)
printf 'up    %6.2f s  (%d netns)\n' "$(echo "$e - $s" | bc)" "$(ls /run/netns | wc -l)"
s=$(date +%s.%N); out=$("$NSLAB" test "$f" | tail -1); e=$(date +%s.%N)
printf 'test  %6.2f s  (%s)\n' "$(echo "$e - $s" | bc)" "$out"
s=$(date +%s.%N); "$NSLAB" -q down "scale$n" >/dev/null; e=$(date +%s.%N)
printf 'down  %6.2f s\n' "$(echo "$e - $s" | bc)"
left="$(ls -A /run/netns /etc/netns 2>/dev/null | grep -v ':$' | grep -c . || true) files, $(ip -o link show | grep -vc ': lo:' || true) links"
echo "left: $left"
[ "$left" = "0 files, 0 links" ]
