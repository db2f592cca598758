# SPDX-License-Identifier: GPL-2.0-or-later
# The library as a distribution ships it: every public header compiles alone (C99 and C++,
# with C linkage), every exported symbol is documented in a section 3 page, the pages and
# the other man pages pass `mandoc -T lint`.

t_headers_compile_alone() {
	local h out std
	command -v g++ >/dev/null || skip "no g++"
	for h in "$TOP"/include/nslab/*.h; do
		for std in "-x c -std=c99 -pedantic-errors" "-x c++ -std=c++11 -pedantic-errors"; do
			out=$(echo "" | gcc -fsyntax-only -Wall -Wextra -Werror $std -I"$TOP/include" \
				-include "nslab/$(basename "$h")" - 2>&1) ||
				fail "nslab/$(basename "$h") alone ($std): $(head -3 <<<"$out")"
		done
	done
	# C++: the declarations have C linkage (unmangled names).
	printf '#include <nslab/nslab.h>\nint main() { return nsl_ctx_new(0, 0); }\n' >/tmp/cxx.cc
	g++ -c -o /tmp/cxx.o -I"$TOP/include" /tmp/cxx.cc || fail "C++ program"
	assert_eq "$(nm -u /tmp/cxx.o | awk '$2 ~ /nsl_/ {print $2}')" "nsl_ctx_new" "C linkage"
}

t_man3_every_symbol_documented() {
	local b=${NSLAB%/nslab} s missing="" pages
	[ -f "$b/libnslab.so.0" ] || skip "no $b/libnslab.so.0"
	pages=$(ls "$b"/man/nslab*.3 2>/dev/null)
	[ "$(wc -w <<<"$pages")" -eq "$(ls "$TOP"/include/nslab/*.h | wc -l)" ] ||
		fail "one page per header expected, got: $pages"
	# A documented name has its own subsection (.SS), made from its doc comment.
	for s in $(nm -D --defined-only "$b/libnslab.so.0" | awk '$3 ~ /^nsl_/ {sub(/@.*/, "", $3); print $3}'); do
		grep -qx "\.SS $(sed 's/_/\\_/g' <<<"$s")" $pages || grep -qx ".SS $s" $pages || missing+=" $s"
	done
	[ -z "$missing" ] || fail "exported but not documented in a man3 page (no doc comment in its header):$missing"
	# Every function declared in a header is in that header's SYNOPSIS.
	for s in $(grep -ho '^[a-z].*\bnsl_[a-z0-9_]*(' "$TOP"/include/nslab/*.h | grep -o 'nsl_[a-z0-9_]*($' | tr -d '('); do
		grep -q "\b$s(" $pages || missing+=" $s"
	done
	[ -z "$missing" ] || fail "declared but not in a SYNOPSIS:$missing"
}

t_man_pages_lint() {
	local b=${NSLAB%/nslab} out
	command -v mandoc >/dev/null || skip "no mandoc"
	out=$(mandoc -T lint -W warning "$TOP"/man/*.[358] "$b"/man/*.3 2>&1) || true
	assert_eq "$out" "" "mandoc -T lint"
	# `man nslab_netns` renders the page with a NAME line.
	out=$(MANWIDTH=80 man -l "$b/man/nslab_netns.3" 2>/dev/null | grep -A1 '^NAME')
	assert_match "$out" "nsl_netns_add" "nslab_netns(3) NAME"
}

# debian/libnslab0.symbols lists every exported symbol (dpkg-gensymbols would only warn about
# a new one, and the packages' dependencies would then be too loose). A new function gets
# the line " nsl_NAME@NSLAB_0 VERSION", VERSION the first release that has it.
t_debian_symbols_file() {
	local b=${NSLAB%/nslab} missing stale
	[ -f "$b/libnslab.so.0" ] || skip "no $b/libnslab.so.0"
	[ -f "$TOP/debian/libnslab0.symbols" ] || skip "no debian/"
	missing=$(nm -D --defined-only "$b/libnslab.so.0" | awk '$3 ~ /^nsl_/ {sub(/@.*/, "", $3); print $3}' | sort |
		comm -23 - <(sed -n 's/^ \(nsl_[a-z0-9_]*\)@NSLAB_0 .*/\1/p' "$TOP/debian/libnslab0.symbols" | sort))
	[ -z "$missing" ] || fail "exported, not in debian/libnslab0.symbols: $(echo $missing)"
	stale=$(sed -n 's/^ \(nsl_[a-z0-9_]*\)@NSLAB_0 .*/\1/p' "$TOP/debian/libnslab0.symbols" | sort |
		comm -23 - <(nm -D --defined-only "$b/libnslab.so.0" | awk '{sub(/@.*/, "", $3); print $3}' | sort))
	[ -z "$stale" ] || fail "in debian/libnslab0.symbols, no longer exported (an ABI break): $(echo $stale)"
}
