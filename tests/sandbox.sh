#!/bin/bash
# Run a command in a private network + mount namespace: tmpfs over /run (so /var/run/netns and
# /run/nslab) and /tmp, an overlay over /etc whose writes land in that tmpfs (so /etc/netns),
# `lo` up. Nothing it does reaches the host, and everything it made vanishes with it.
# Usage: tests/sandbox.sh CMD [ARGS...]
set -eu
if [ "${NSLAB_IN_SANDBOX:-}" != 1 ]; then
	exec unshare --net --mount --propagation private -- env NSLAB_IN_SANDBOX=1 "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nslab-sandbox /run
mkdir -p /run/netns /run/nslab /run/.sandbox/upper /run/.sandbox/work
mount -t overlay overlay \
	-o lowerdir=/etc,upperdir=/run/.sandbox/upper,workdir=/run/.sandbox/work /etc
mkdir -p /etc/netns
mount -t tmpfs -o mode=1777 nslab-sandbox-tmp /tmp
ip link set lo up
export NSLAB_IN_SANDBOX=1
exec "$@"
