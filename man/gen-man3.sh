#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Section 3 page of one public header, made from its doc comments at build time, so that the
# pages cannot drift from the headers: man/gen-man3.sh include/nslab/X.h VERSION > nslab_X.3
# (nslab.h, the umbrella, gives nslab(3)). The page's date is that of nslab(8).
# SYNOPSIS: every function prototype; DESCRIPTION: the header's opening comment, then each
# doc comment (/** ... */) with the declaration it precedes. Plain POSIX awk (mawk is enough).
set -eu
hdr=$1 version=$2
base=$(basename "$hdr" .h)
date=$(awk '/^\.TH/ { print $4; exit }' "$(dirname "$0")/nslab.8" | tr -d '"')
awk -v base="$base" -v version="$version" -v date="$date" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return s
}
# Running text of a comment: @name in italics, a leading control character made literal.
function text(s) {
	s = esc(s)
	while (match(s, /@[A-Za-z_][A-Za-z0-9_]*/))
		s = substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 1, RLENGTH - 1) "\\fR" \
		    substr(s, RSTART + RLENGTH)
	sub(/^[.\047]/, "\\\\\\&&", s)
	return s
}
function code(s) {
	s = esc(s)
	gsub(/\t/, "        ", s)
	sub(/^[.\047]/, "\\\\\\&&", s)
	return s
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# The comment body: one line per array entry, " * " removed.
function body_line(s) {
	sub(/^[ \t]*\/\*\*?[ \t]?/, "", s)
	sub(/[ \t]*\*\/[ \t]*$/, "", s)
	sub(/^[ \t]*\*[ \t]?/, "", s)
	return s
}
# The name a declaration declares: the function, or "struct X" / "enum X".
function decl_name(d,   m, n, i, dl, e) {
	if (d ~ /^#[ \t]*define[ \t]/) {
		m = d
		sub(/^#[ \t]*define[ \t]+/, "", m); sub(/[ \t(].*$/, "", m)
		return "#define " m
	}
	# An anonymous enum of flags: named by its constants.
	if (d ~ /^enum[ \t]*\{/) {
		n = split(d, dl, "\n")
		for (i = 2; i <= n; i++)
			if (match(dl[i], /^[ \t]+[A-Z][A-Z0-9_]*/)) {
				m = trim(substr(dl[i], RSTART, RLENGTH))
				e = e (e == "" ? "" : ", ") m
			}
		return "enum " e
	}
	if (match(d, /^typedef[^(]*\([ \t]*\*[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\)/)) {
		m = substr(d, RSTART, RLENGTH)
		sub(/^.*\*[ \t]*/, "", m); sub(/[ \t]*\)$/, "", m)
		return "typedef " m
	}
	if (match(d, /^(typedef[ \t]+)?(struct|enum|union)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\{/)) {
		m = substr(d, RSTART, RLENGTH)
		sub(/^typedef[ \t]+/, "", m); sub(/[ \t]*\{$/, "", m)
		return m
	}
	if (match(d, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
		m = substr(d, RSTART, RLENGTH)
		sub(/[ \t]*\($/, "", m)
		return m
	}
	return ""
}
function emit_comment(n,   i, l, inlist, para, first) {
	para = 0
	first = 1
	for (i = 1; i <= n; i++) {
		l = cl[i]
		if (first && trim(l) == "")
			continue
		if (first)
			sub(/^(struct |enum |union )?[A-Za-z_][A-Za-z0-9_]*(\(\))?[ \t]+-[ \t]+/, "", l)
		if (trim(l) == "") {
			para = 1
			continue
		}
		if (match(l, /^@[A-Za-z_][A-Za-z0-9_]*:/)) {
			out[++no] = ".TP"
			out[++no] = ".I " substr(l, 2, RLENGTH - 2)
			l = trim(substr(l, RLENGTH + 1))
			inlist = 1
			para = 0
			if (l == "")
				continue
		} else if (inlist && l !~ /^[ \t]/) {
			out[++no] = ".PP"
			para = 0
			inlist = 0
		} else if (para) {
			out[++no] = ".PP"
			para = 0
			inlist = 0
		}
		out[++no] = text(trim(l))
		first = 0
	}
}
BEGIN { state = "top"; ndoc = 0; nproto = 0; depth = 0 }
# The opening comment (after the SPDX line), before the include guard.
state == "top" && /^\/\*[^*]/ && !/SPDX/ {
	state = "intro"
}
state == "intro" {
	l = body_line($0)
	if (l !~ /^[ \t]*$/ || nintro) intro[++nintro] = l
	if ($0 ~ /\*\//) state = "top"
	next
}
/^#ifndef NSLAB_/ { state = "code"; next }
state != "code" && state != "doc" && state != "decl" { next }
state == "code" && /^[ \t]*\/\*\*/ {
	nc = 0
	state = "doc"
}
state == "doc" {
	cl[++nc] = body_line($0)
	if ($0 ~ /\*\//) { state = "decl"; decl = ""; depth = 0; documented = 1 }
	next
}
state == "code" && /^(struct|enum|union|typedef|int|void|bool|const|unsigned|char|size_t|ssize_t|pid_t|uint[0-9]+_t|int[0-9]+_t|long|double)[ \t]/ {
	state = "decl"; decl = ""; depth = 0; documented = 0; nc = 0
}
state == "decl" {
	line = $0
	# A documented macro is one line.
	if (decl == "" && line ~ /^#[ \t]*define[ \t]/)
		line = line ";"
	sub(/[ \t]*\/\*.*\*\/[ \t]*$/, "", line)
	decl = decl (decl == "" ? "" : "\n") line
	t = line
	depth += gsub(/\{/, "{", t) - gsub(/\}/, "}", t)
	if (depth > 0 || line !~ /;[ \t]*$/)
		next
	state = "code"
	if (decl ~ /^(struct|enum|union)[ \t]+[A-Za-z_0-9]+;$/)
		next
	name = decl_name(decl)
	if (name == "")
		next
	isfn = name !~ /^(struct|enum|union|typedef|#define) /
	if (isfn) {
		p = decl
		sub(/[ \t]*__attribute__.*;$/, ";", p)
		proto[++nproto] = p
		names = names (names == "" ? "" : ", ") name
	}
	if (!documented)
		next
	sub(/;$/, "", decl)
	if (name ~ /^#define /) {
		decl = substr(decl, 1, length(decl) - 1)
		name = substr(name, 9)
	} else if (name ~ /^enum [A-Z]/) {
		decl = decl ";"
		name = substr(name, 6)
	} else if (!isfn) {
		decl = decl ";"
	}
	out[++no] = ".SS " esc(name)
	if (!isfn) {
		out[++no] = ".EX"
		n = split(decl, dl, "\n")
		for (i = 1; i <= n; i++) out[++no] = code(dl[i])
		out[++no] = ".EE"
	}
	emit_comment(nc)
	next
}
END {
	desc["nslab"] = "the nslab library: network\\-namespace labs"
	desc["error"] = "errors of the nslab library"
	desc["ctx"] = "nslab library contexts and their directories"
	desc["parse"] = "strict parsers and validators of nslab"
	desc["netns"] = "named network namespaces"
	desc["link"] = "network interfaces"
	desc["veth"] = "veth pairs, created in their final namespaces"
	desc["bridge"] = "Linux bridges and their ports"
	desc["addr"] = "interface addresses"
	desc["route"] = "IPv4 and IPv6 routes"
	desc["netconf"] = "per\\-netns resolv.conf, hosts and sysctls"
	desc["launch"] = "run programs in new or existing namespaces"
	desc["nic"] = "hot\\-add network interfaces to running processes"
	desc["probe"] = "ICMP and ICMPv6 echo probes"
	desc["topo"] = "declarative labs from topology files"
	page = base == "nslab" ? "nslab" : "nslab_" base
	d = (base in desc) ? desc[base] : "nslab library: " base ".h"
	up = toupper(page)
	print ".\\\" Generated by man/gen-man3.sh from include/nslab/" base ".h; do not edit."
	print ".TH " up " 3 \"" date "\" \"nslab " version "\" \"nslab Library Functions\""
	print ".SH NAME"
	print esc(page) (names != "" ? ", " esc(names) : "") " \\- " d
	print ".SH LIBRARY"
	print "nslab library (\\fIlibnslab\\fR, \\fI\\-lnslab\\fR; \\fBpkg\\-config nslab\\fR)"
	print ".SH SYNOPSIS"
	print ".nf"
	print ".B #include <nslab/" base ".h>"
	for (i = 1; i <= nproto; i++) {
		print ".PP"
		n = split(proto[i], dl, "\n")
		for (k = 1; k <= n; k++) print code(dl[k])
	}
	print ".fi"
	print ".SH DESCRIPTION"
	if (base == "nslab") {
		print "The umbrella header includes every public header of the library:"
		print "each has its page in section 3."
		print "Link with"
		print ".B \"$(pkg\\-config \\-\\-cflags \\-\\-libs nslab)\""
		print "after the sources."
		print "Every call takes a"
		print ".I \"struct nsl_err *\""
		print "last (NULL allowed) and returns 0 or a positive value on success, a negative errno"
		print "on failure; the library never prints and never exits."
	}
	para = 0
	for (i = 1; i <= nintro; i++) {
		if (trim(intro[i]) == "") { para = 1; continue }
		if (para) { print ".PP"; para = 0 }
		print text(trim(intro[i]))
	}
	for (i = 1; i <= no; i++) print out[i]
	print ".SH SEE ALSO"
	if (base == "nslab")
		print ".BR nslab_addr (3),\n.BR nslab_bridge (3),\n.BR nslab_ctx (3),\n.BR nslab_error (3),\n.BR nslab_launch (3),\n.BR nslab_link (3),\n.BR nslab_netconf (3),\n.BR nslab_netns (3),\n.BR nslab_nic (3),\n.BR nslab_parse (3),\n.BR nslab_probe (3),\n.BR nslab_route (3),\n.BR nslab_topo (3),\n.BR nslab_veth (3),"
	else
		print ".BR nslab (3),"
	print ".BR nslab (8)"
}
' "$hdr"
