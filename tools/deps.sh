#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what a target needs on Debian 12, only the packages that are missing.
# Usage: tools/deps.sh build|check|demo|bench|deb
set -eu
build="gcc make pkg-config libnl-3-dev libnl-route-3-dev libmnl-dev libyaml-dev"
run="iproute2 util-linux procps kmod"
# The real programs that lab nodes run in the tests and the demo (issue 12's examples).
daemons="frr dnsmasq-base iperf3 curl python3 busybox-static"
case "${1:-build}" in
build) want="$build" ;;
check) want="$build $run $daemons jq valgrind clang libclang-rt-14-dev iputils-ping strace mandoc" ;;
demo)  want="$build $run iputils-ping graphviz python3 curl" ;;
bench) want="$build $run iputils-ping time strace" ;;
# make deb: dpkg-buildpackage (debian/control's Build-Depends are $build and debhelper) and lintian.
deb)   want="$build build-essential debhelper devscripts lintian" ;;
*) echo "usage: $0 build|check|demo|bench|deb" >&2; exit 1 ;;
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
# Packages such as frr would start their service on the host: a policy-rc.d that refuses
# every start (exit 101) stops that, for the time of this install only.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# nslab tools/deps.sh: no service starts during this install\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ -z "$made_policy" ] || rm -f "$policy"
