#!/bin/sh
# Install what a target needs on Debian 12, only the packages that are missing.
# Usage: tools/deps.sh build|check|demo|bench
set -eu
build="gcc make pkg-config libnl-3-dev libnl-route-3-dev libmnl-dev libyaml-dev"
run="iproute2 util-linux procps kmod"
case "${1:-build}" in
build) want="$build" ;;
check) want="$build $run jq valgrind clang libclang-rt-14-dev busybox-static iputils-ping strace python3" ;;
demo)  want="$build $run iputils-ping graphviz" ;;
bench) want="$build $run iputils-ping time strace" ;;
*) echo "usage: $0 build|check|demo|bench" >&2; exit 1 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "nslab: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "nslab: need root to apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
