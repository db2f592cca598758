#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run a command in a private network + mount + PID namespace: tmpfs over /run (so
# /var/run/netns and /run/nslab), /tmp and /var/tmp, an overlay over /etc whose writes land in
# that tmpfs (so /etc/netns), `lo` up; every process left ends with the command. Nothing it does reaches the host, and everything it made vanishes with it.
# Usage: tests/sandbox.sh CMD [ARGS...]
# Not root: nothing runs; it prints "SKIP: needs root" and exits 77, which tests/run.sh counts
# as a skip (a case that cannot make namespaces cannot pass, and has not failed).
set -eu
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (tests/sandbox.sh creates network and mount namespaces)"
	exit 77
fi
if [ "${NSLAB_IN_SANDBOX:-}" != 1 ]; then
	# A PID namespace too: whatever a case leaves running (a daemon, a node's supervisor) ends
	# with the case, and never outlives it on the host.
	exec unshare --net --mount --propagation private --pid --fork --kill-child --mount-proc -- \
		env NSLAB_IN_SANDBOX_NEW="$$" NSLAB_IN_SANDBOX=1 "$0" "$@"
fi
# NSLAB_IN_SANDBOX=1 alone (set by a caller, or inherited by a process outside the sandbox)
# must never make the mounts below land in the caller's namespaces: only the unshare above
# says that this process has namespaces of its own (it is PID 1 of its own PID namespace).
if [ "${NSLAB_IN_SANDBOX_NEW:-}" = "" ] || [ "$$" != 1 ]; then
	echo "tests/sandbox.sh: NSLAB_IN_SANDBOX=1 but not in namespaces of its own: refused" >&2
	exit 1
fi
unset NSLAB_IN_SANDBOX_NEW
# The tree itself may live under /run or /tmp (a CI clone in /tmp): hold it by an fd and bind
# it back after the tmpfs mounts hide it.
TOP=$(cd "$(dirname "$0")/.." && pwd)
exec 9<"$TOP"
mount -t tmpfs -o mode=0755 nslab-sandbox /run
mkdir -p /run/netns /run/nslab /run/.sandbox/upper /run/.sandbox/work
mount -t overlay overlay \
	-o lowerdir=/etc,upperdir=/run/.sandbox/upper,workdir=/run/.sandbox/work /etc
mkdir -p /etc/netns
mount -t tmpfs -o mode=1777 nslab-sandbox-tmp /tmp
mount -t tmpfs -o mode=1777 nslab-sandbox-vartmp /var/tmp
if [ ! -f "$TOP/tests/sandbox.sh" ]; then
	mkdir -p "$TOP"
	# -c: the kernel, not mount(8), must resolve the fd (a path would name the new tmpfs).
	mount -c --bind /proc/self/fd/9 "$TOP"
fi
exec 9<&-
ip link set lo up
export NSLAB_IN_SANDBOX=1
exec "$@"
