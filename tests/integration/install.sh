# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 2, point 7: make install lays out bin, lib, headers, nslab.pc and man pages, and a
# program built with `pkg-config --cflags --libs nslab` against it creates a netns.

t_install_and_pkg_config() {
	dest=/tmp/inst
	make -s -C "$TOP" B=/tmp/ib install DESTDIR=$dest PREFIX=/usr >/tmp/make.log 2>&1 || fail "make install: $(tail -5 /tmp/make.log)"
	for f in usr/sbin/nslab usr/lib/libnslab.a usr/lib/libnslab.so.0 usr/lib/libnslab.so \
		usr/include/nslab/nslab.h usr/include/nslab/netns.h usr/lib/pkgconfig/nslab.pc \
		usr/share/man/man8/nslab.8; do
		[ -e "$dest/$f" ] || fail "missing $f"
	done
	cat >/tmp/prog.c <<'C'
#include <stdio.h>
#include <nslab/nslab.h>

int main(int argc, char **argv)
{
	struct nsl_ctx *ctx = NULL;
	struct nsl_err err = { 0 };

	if (nsl_ctx_new(&ctx, &err) < 0 || nsl_netns_add(ctx, argv[1], &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	nsl_ctx_free(ctx);
	return argc == 2 ? 0 : 1;
}
C
	export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig
	cc -o /tmp/prog /tmp/prog.c $(pkg-config --cflags --libs nslab) || fail "build against the installed library"
	LD_LIBRARY_PATH=$dest/usr/lib /tmp/prog viapc || fail "program failed"
	ip netns list | grep -qx viapc || fail "netns not created"
	assert_eq "$(ip -n viapc -j link show lo | jq -r '.[0].flags | index("UP") != null')" true "lo up"
	# Only nsl_* symbols are exported from the shared library.
	others=$(nm -D --defined-only $dest/usr/lib/libnslab.so.0 | awk '$2 ~ /[TDBR]/ && $3 !~ /^nsl_/ {print $3}')
	assert_eq "$others" "" "symbols outside nsl_*"
}

# Issue "honest tests" 6: nothing that `make all` builds or `make install` ships reacts to a
# test variable (NSLAB_TEST_*: crash, pause, short timeouts); only tests/nslab-hooks does.
t_install_no_test_hooks() {
	local dest=/tmp/inst b=/tmp/ib f found=""
	make -s -C "$TOP" B=$b all install DESTDIR=$dest PREFIX=/usr >/tmp/make.log 2>&1 ||
		fail "make install: $(tail -5 /tmp/make.log)"
	for f in $b/nslab $b/libnslab.a $b/libnslab.so.0 $(find $dest -type f); do
		[ -f "$f" ] || fail "missing $f"
		if grep -aq NSLAB_TEST "$f" || nm -a "$f" 2>/dev/null | grep -qi 'NSLAB_TEST'; then
			found+=" $f"
		fi
	done
	assert_eq "$found" "" "shipped files that name a test hook"
	[ -e $b/tests/nslab-hooks ] && fail "make all built the test-hooks binary"
	find $dest -name '*hooks*' | grep -q . && fail "the test-hooks binary was installed"
	# The check can see a hook: the test-hooks binary has all three.
	make -s -C "$TOP" B=$b $b/tests/nslab-hooks >>/tmp/make.log 2>&1 || fail "make nslab-hooks: $(tail -5 /tmp/make.log)"
	assert_eq "$(strings -a $b/tests/nslab-hooks | grep -o 'NSLAB_TEST_[A-Z_]*' | sort -u | tr '\n' ' ')" \
		"NSLAB_TEST_CRASH_AFTER NSLAB_TEST_INSPECT_TIMEOUT_MS NSLAB_TEST_NIC_PAUSE_MS " "hooks in nslab-hooks"
}

t_library_symbols() {
	# Public API: nsl_*, exported by the shared library; internal: nsli_*, never exported;
	# nothing else is a global of the static library (no journal_open, teardown, grow, ...).
	local b=${NSLAB%/nslab} bad exported
	[ -f "$b/libnslab.a" ] || skip "no $b/libnslab.a"
	bad=$(nm -g --defined-only "$b/libnslab.a" 2>/dev/null | awk '$2 ~ /^[TDBRC]$/ {print $3}' | grep -v '^nsl_\|^nsli_' | sort -u)
	[ -z "$bad" ] || fail "unprefixed globals in libnslab.a: $(echo $bad | head -c 300)"
	exported=$(nm -D --defined-only "$b/libnslab.so.0" | awk '{print $3}' | sed 's/@.*//')
	! grep -q '^nsli_' <<<"$exported" || fail "internal symbols exported: $(grep '^nsli_' <<<"$exported" | head -5)"
	[ "$(grep -c '^nsl_' <<<"$exported")" -gt 100 ] || fail "the public API is not exported"
	bad=$(nm -g --defined-only "$b/libnslab.a" | awk '$2 ~ /^[TDBRC]$/ {print $3}' | grep '^nsl_' | sort -u | comm -23 - <(sort -u <<<"$exported"))
	[ -z "$bad" ] || fail "nsl_ functions that are not exported (internal ones are nsli_): $(echo $bad | head -c 300)"
}

# Issue 15: the paths of the `make install` are those nslab.pc says (a build made before with
# other paths is rebuilt), and `make uninstall` with the same variables removes every file.
t_install_uninstall_multiarch() {
	local dest=/tmp/inst b=/tmp/ib v="PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu"
	make -s -C "$TOP" B=$b all >/tmp/make.log 2>&1 || fail "make: $(tail -5 /tmp/make.log)"
	make -s -C "$TOP" B=$b install DESTDIR=$dest $v >>/tmp/make.log 2>&1 || fail "make install: $(tail -5 /tmp/make.log)"
	local pc=$dest/usr/lib/x86_64-linux-gnu/pkgconfig/nslab.pc
	[ -f "$pc" ] || fail "no nslab.pc under the multiarch LIBDIR"
	assert_eq "$(sed -n 's/^libdir=//p' "$pc")" /usr/lib/x86_64-linux-gnu "libdir of nslab.pc"
	assert_eq "$(sed -n 's/^prefix=//p' "$pc")" /usr "prefix of nslab.pc"
	for f in usr/sbin/nslab usr/lib/x86_64-linux-gnu/libnslab.so.0 usr/include/nslab/nslab.h \
		usr/share/man/man3/nslab_netns.3 usr/share/man/man3/nslab.3 usr/share/man/man8/nslab.8 \
		usr/share/bash-completion/completions/nslab; do
		[ -e "$dest/$f" ] || fail "missing $f"
	done
	grep -aq /usr/local/libexec "$dest/usr/sbin/nslab" && fail "the installed nslab was built for /usr/local"
	make -s -C "$TOP" B=$b uninstall DESTDIR=$dest $v >>/tmp/make.log 2>&1 || fail "make uninstall: $(tail -5 /tmp/make.log)"
	assert_eq "$(find $dest ! -type d)" "" "files left after make uninstall"
}

# dpkg-buildflags' CPPFLAGS, CFLAGS and LDFLAGS reach the build (fortify, stack protector,
# relro/now, PIE); WERROR=0 drops -Werror.
t_install_hardening_flags() {
	local b=/tmp/ibh
	command -v dpkg-buildflags >/dev/null || skip "no dpkg-buildflags"
	eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
	make -s -C "$TOP" B=$b WERROR=0 all >/tmp/make.log 2>&1 || fail "make: $(tail -5 /tmp/make.log)"
	[ "$(nm -D $b/libnslab.so.0 | grep -c '_chk@')" -gt 0 ] || fail "no _FORTIFY_SOURCE (_chk) calls in libnslab.so.0"
	[ "$(nm $b/nslab | grep -c '_chk@')" -gt 0 ] || fail "no _FORTIFY_SOURCE (_chk) calls in nslab"
	nm $b/nslab | grep -q __stack_chk_fail || fail "no stack protector in nslab"
	readelf -d $b/nslab | grep -q 'BIND_NOW' || fail "nslab not linked with -z now"
	readelf -lW $b/nslab | grep -q GNU_RELRO || fail "nslab not linked with -z relro"
	readelf -h $b/nslab | grep -q 'DYN (Position-Independent' || fail "nslab is not PIE"
	grep -Eq -- '-Werror( |$)' $b/build-vars && fail "WERROR=0 left -Werror in"
	return 0
}
