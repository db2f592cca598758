// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Drawing a lab: DOT, Mermaid or JSON. Each kind of line is collected and sorted, so the
 * output depends only on the lab, never on the order of the file. Every name is escaped by
 * the rules of its format: an interface name may hold '"', '\\', '#' or any UTF-8.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core.h"
#include "macro.h"
#include "qdisc.h"
#include "topo-internal.h"

struct lines {
	char **v;
	size_t n, cap;
	int err;	/* -ENOMEM once a line could not be kept */
};

/* A line is written to a memstream, then kept (line_end) for sorting. */
struct line {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *line_begin(struct line *ln)
{
	ln->buf = NULL;
	ln->len = 0;
	ln->f = open_memstream(&ln->buf, &ln->len);
	return ln->f;
}

static void line_end(struct lines *l, struct line *ln)
{
	if (!ln->f || fclose(ln->f) != 0 || !GREEDY_REALLOC(l->v, l->cap, l->n + 1)) {
		free(ln->buf);
		l->err = -ENOMEM;
		return;
	}
	l->v[l->n++] = ln->buf;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void flush(FILE *f, struct lines *l, const char *sep)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(char *), cmp);
	for (size_t i = 0; i < l->n; i++) {
		fputs(l->v[i], f);
		if (i + 1 < l->n)
			fputs(sep, f);
		free(l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Prefixes of an interface, "10.0.1.0/24 fd00:1::/64", as labels. */
static void prefixes(const struct nsl_prefix *a, size_t n, bool network, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct nsl_prefix p = a[i];
		char s[64];

		if (network)
			nsl_prefix_mask(&p);
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0, "%s%s", i ? " " : "",
					nsl_prefix_str(&p, true, s, sizeof(s)));
	}
}

/* Per direction, "a>b delay 10ms", "b>a loss 1%": the netem of each end of a link. */
static void netem_text(const struct nsl_topo_link *l, int e, char *buf, size_t size)
{
	char s[200];

	buf[0] = '\0';
	if (l->netem[e].set && nsli_topo_netem_str(&l->netem[e], s, sizeof(s)) < sizeof(s))
		snprintf(buf, size, "%s %s", e ? "b>a" : "a>b", s);
}

/* ---- DOT ---- */

/*
 * The inside of a DOT double-quoted string: '"' must be \" and '\\' is \\ (in a label,
 * Graphviz reads \n, \l, \N... as escapes, so a lone backslash would vanish or worse). A
 * newline becomes \n; other control bytes, which no label can show, a space.
 */
static void dot_esc(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fputc(' ', f);
		else
			fputc(*p, f);
	}
}

/* A quoted DOT ID or label, "PREFIX:NAME" (@prefix may be NULL). */
static void dq(FILE *f, const char *prefix, const char *s)
{
	fputc('"', f);
	if (prefix) {
		dot_esc(f, prefix);
		fputc(':', f);
	}
	dot_esc(f, s);
	fputc('"', f);
}

static void dot_node(struct lines *out, const struct nsl_topo_node *n)
{
	struct line ln;

	if (!line_begin(&ln))
		return;
	fputc('\t', ln.f);
	dq(ln.f, "node", n->name);
	fputs(" [label=", ln.f);
	dq(ln.f, NULL, n->name);
	fputs("];", ln.f);
	line_end(out, &ln);
}

static void dot_bridge(struct lines *out, const struct nsl_topo_bridge *br)
{
	struct line ln;
	char p[512];

	if (!line_begin(&ln))
		return;
	prefixes(br->addrs, br->n_addrs, false, p, sizeof(p));
	fputc('\t', ln.f);
	dq(ln.f, "bridge", br->name);
	fputs(" [label=\"", ln.f);
	dot_esc(ln.f, br->name);
	if (br->node) {
		fputs(" @", ln.f);
		dot_esc(ln.f, br->node);
	}
	if (p[0])
		fputs("\\n", ln.f);
	dot_esc(ln.f, p);
	fputs("\", shape=ellipse, style=filled, fillcolor=lightgrey];", ln.f);
	line_end(out, &ln);
}

/* The edge of a bridge port: node -- bridge. */
static void dot_port(struct lines *out, const struct nsl_topo_node *n, const struct nsl_topo_iface *ifc)
{
	struct line ln;
	char p[512];

	if (!line_begin(&ln))
		return;
	prefixes(ifc->addrs, ifc->n_addrs, true, p, sizeof(p));
	fputc('\t', ln.f);
	dq(ln.f, "node", n->name);
	fputs(" -- ", ln.f);
	dq(ln.f, "bridge", ifc->bridge);
	fputs(" [taillabel=", ln.f);
	dq(ln.f, NULL, ifc->name);
	fputs(", label=", ln.f);
	dq(ln.f, NULL, p);
	fputs("];", ln.f);
	line_end(out, &ln);
}

static void dot_link(struct lines *out, const struct nsl_topo *t, const struct nsl_topo_link *l)
{
	const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
	const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];
	struct line ln;
	char p[512], ne[2][256];

	if (!line_begin(&ln))
		return;
	prefixes(ia->addrs, ia->n_addrs, true, p, sizeof(p));
	netem_text(l, 0, ne[0], sizeof(ne[0]));
	netem_text(l, 1, ne[1], sizeof(ne[1]));
	fputc('\t', ln.f);
	dq(ln.f, "node", na->name);
	fputs(" -- ", ln.f);
	dq(ln.f, "node", nb->name);
	fputs(" [taillabel=", ln.f);
	dq(ln.f, NULL, ia->name);
	fputs(", headlabel=", ln.f);
	dq(ln.f, NULL, ib->name);
	fputs(", label=\"", ln.f);
	dot_esc(ln.f, p);
	if (l->rate_text) {
		fputc(' ', ln.f);
		dot_esc(ln.f, l->rate_text);
	}
	for (int e = 0; e < 2; e++)
		if (ne[e][0]) {
			fputs("\\n", ln.f);
			dot_esc(ln.f, ne[e]);
		}
	fputs("\"];", ln.f);
	line_end(out, &ln);
}

static void dot(FILE *f, const struct nsl_topo *t, int *ret_err)
{
	struct lines nodes = { 0 }, edges = { 0 };

	for (size_t i = 0; i < t->n_nodes; i++)
		dot_node(&nodes, &t->nodes[i]);
	for (size_t i = 0; i < t->n_bridges; i++)
		dot_bridge(&nodes, &t->bridges[i]);
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			if (t->nodes[i].ifaces[k].bridge_idx >= 0)
				dot_port(&edges, &t->nodes[i], &t->nodes[i].ifaces[k]);
	for (size_t i = 0; i < t->n_links; i++)
		dot_link(&edges, t, &t->links[i]);
	*ret_err = nodes.err ? nodes.err : edges.err;
	fputs("graph ", f);
	dq(f, NULL, t->name);
	fputs(" {\n\tgraph [overlap=false];\n\tnode [shape=box];\n", f);
	flush(f, &nodes, "\n");
	fputs("\n", f);
	flush(f, &edges, "\n");
	fputs("\n}\n", f);
}

/* ---- Mermaid ---- */

/* Mermaid ids: letters, digits and '_' only; a hash keeps distinct names distinct. */
static char *mid(const char *kind, const char *s, char *buf, size_t size)
{
	size_t k = (size_t)snprintf(buf, size, "%s_", kind);

	for (const char *p = s; *p && k + 10 < size; p++)
		buf[k++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
	snprintf(buf + k, size - k, "_%04x", nsli_topo_hash(s) & 0xffff);
	return buf;
}

/*
 * The inside of a quoted Mermaid label. Mermaid has no backslash escapes: a character is
 * written as an entity code, #quot; or #NN; (decimal). '"' would end the label, '#' would
 * start an entity, '<' '>' '&' are HTML in the rendered label, a leading '`' would make it
 * Markdown, and a control byte (a newline ends the statement) cannot stand raw.
 */
static void mer_esc(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("#quot;", f);
			break;
		case '#':
		case '<':
		case '>':
		case '&':
		case '`':
			fprintf(f, "#%u;", *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "#%u;", *p);
			else
				fputc(*p, f);
		}
	}
}

static void mer_node(struct lines *out, const struct nsl_topo_node *n)
{
	struct line ln;
	char a[300];

	if (!line_begin(&ln))
		return;
	fprintf(ln.f, "    %s[\"", mid("n", n->name, a, sizeof(a)));
	mer_esc(ln.f, n->name);
	fputs("\"]", ln.f);
	line_end(out, &ln);
}

static void mer_bridge(struct lines *out, const struct nsl_topo_bridge *br)
{
	struct line ln;
	char a[300], p[512];

	if (!line_begin(&ln))
		return;
	prefixes(br->addrs, br->n_addrs, false, p, sizeof(p));
	fprintf(ln.f, "    %s([\"", mid("b", br->name, a, sizeof(a)));
	mer_esc(ln.f, br->name);
	if (p[0])
		fputs("<br/>", ln.f);
	mer_esc(ln.f, p);
	fputs("\"])", ln.f);
	line_end(out, &ln);
}

/* The edge of a bridge port: node --- bridge. */
static void mer_port(struct lines *out, const struct nsl_topo_node *n, const struct nsl_topo_iface *ifc)
{
	struct line ln;
	char a[300], b[300], p[512];

	if (!line_begin(&ln))
		return;
	prefixes(ifc->addrs, ifc->n_addrs, true, p, sizeof(p));
	fprintf(ln.f, "    %s -- \"", mid("n", n->name, a, sizeof(a)));
	mer_esc(ln.f, ifc->name);
	if (p[0])
		fputc(' ', ln.f);
	mer_esc(ln.f, p);
	fprintf(ln.f, "\" --- %s", mid("b", ifc->bridge, b, sizeof(b)));
	line_end(out, &ln);
}

static void mer_link(struct lines *out, const struct nsl_topo *t, const struct nsl_topo_link *l)
{
	const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
	const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];
	struct line ln;
	char a[300], b[300], p[512], ne[256];

	if (!line_begin(&ln))
		return;
	prefixes(ia->addrs, ia->n_addrs, true, p, sizeof(p));
	fprintf(ln.f, "    %s -- \"", mid("n", na->name, a, sizeof(a)));
	mer_esc(ln.f, ia->name);
	fputc(' ', ln.f);
	mer_esc(ln.f, p);
	fputc(' ', ln.f);
	mer_esc(ln.f, ib->name);
	for (int e = 0; e < 2; e++) {
		netem_text(l, e, ne, sizeof(ne));
		if (ne[0]) {
			fputs("<br/>", ln.f);
			mer_esc(ln.f, ne);
		}
	}
	fprintf(ln.f, "\" --- %s", mid("n", nb->name, b, sizeof(b)));
	line_end(out, &ln);
}

static void mermaid(FILE *f, const struct nsl_topo *t, int *ret_err)
{
	struct lines nodes = { 0 }, edges = { 0 };

	for (size_t i = 0; i < t->n_nodes; i++)
		mer_node(&nodes, &t->nodes[i]);
	for (size_t i = 0; i < t->n_bridges; i++)
		mer_bridge(&nodes, &t->bridges[i]);
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			if (t->nodes[i].ifaces[k].bridge_idx >= 0)
				mer_port(&edges, &t->nodes[i], &t->nodes[i].ifaces[k]);
	for (size_t i = 0; i < t->n_links; i++)
		mer_link(&edges, t, &t->links[i]);
	*ret_err = nodes.err ? nodes.err : edges.err;
	fprintf(f, "graph LR\n");
	flush(f, &nodes, "\n");
	fputs("\n", f);
	flush(f, &edges, "\n");
	if (t->n_bridges || t->n_links)
		fputs("\n", f);
}

/* ---- JSON ---- */

static void json_addrs(FILE *f, const struct nsl_prefix *v, size_t n)
{
	char s[64];

	fputs("[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"local\":\"%s\",\"prefixlen\":%u}", i ? "," : "",
			nsl_prefix_str(&v[i], false, s, sizeof(s)), v[i].len);
	fputs("]", f);
}

/* "NODE:IFNAME" as a JSON string. */
static void json_ep(FILE *f, const struct nsl_topo *t, const struct nsl_topo_endpoint *ep)
{
	const struct nsl_topo_node *n = &t->nodes[ep->node];
	_cleanup_free_ char *s = NULL;

	if (asprintf(&s, "%s:%s", n->name, n->ifaces[ep->iface].name) < 0)
		s = NULL;
	nsli_json_escape(f, s ? s : "");
}

static void json_netem(FILE *f, const struct nsl_topo_netem *n)
{
	char s[200];

	if (!n->set || nsli_topo_netem_str(n, s, sizeof(s)) >= sizeof(s))
		fputs("null", f);
	else
		nsli_json_escape(f, s);
}

static void json_node(struct lines *out, const struct nsl_topo_node *n)
{
	struct line ln;

	if (!line_begin(&ln)) {
		out->err = -ENOMEM;
		return;
	}
	fputs("{\"name\":", ln.f);
	nsli_json_escape(ln.f, n->name);
	fputs(",\"netns\":", ln.f);
	nsli_json_escape(ln.f, n->netns);
	fputs(",\"interfaces\":[", ln.f);
	for (size_t k = 0; k < n->n_ifaces; k++) {
		fputs(k ? ",{\"ifname\":" : "{\"ifname\":", ln.f);
		nsli_json_escape(ln.f, n->ifaces[k].name);
		fputs(",\"addr_info\":", ln.f);
		json_addrs(ln.f, n->ifaces[k].addrs, n->ifaces[k].n_addrs);
		fputs("}", ln.f);
	}
	fputs("]}", ln.f);
	line_end(out, &ln);
}

static void json_bridge(struct lines *out, const struct nsl_topo_bridge *br)
{
	struct line ln;

	if (!line_begin(&ln))
		return;
	fputs("{\"name\":", ln.f);
	nsli_json_escape(ln.f, br->name);
	fputs(",\"ifname\":", ln.f);
	nsli_json_escape(ln.f, br->ifname);
	fputs(",\"netns\":", ln.f);
	if (br->node)
		nsli_json_escape(ln.f, br->node);
	else
		fputs("null", ln.f);
	fputs(",\"addr_info\":", ln.f);
	json_addrs(ln.f, br->addrs, br->n_addrs);
	fputs("}", ln.f);
	line_end(out, &ln);
}

/* The edge of a bridge port: interface @k of node @i, and its bridge. */
static void json_port(struct lines *out, const struct nsl_topo *t, size_t i, size_t k)
{
	struct line ln;

	if (!line_begin(&ln))
		return;
	fputs("{\"a\":", ln.f);
	json_ep(ln.f, t, &(struct nsl_topo_endpoint){ (int)i, (int)k });
	fputs(",\"bridge\":", ln.f);
	nsli_json_escape(ln.f, t->nodes[i].ifaces[k].bridge);
	fputs("}", ln.f);
	line_end(out, &ln);
}

static void json_link(struct lines *out, const struct nsl_topo *t, const struct nsl_topo_link *l)
{
	struct line ln;

	if (!line_begin(&ln))
		return;
	fputs("{\"a\":", ln.f);
	json_ep(ln.f, t, &l->ep[0]);
	fputs(",\"b\":", ln.f);
	json_ep(ln.f, t, &l->ep[1]);
	fputs(",\"rate\":", ln.f);
	if (l->rate_text)
		nsli_json_escape(ln.f, l->rate_text);
	else
		fputs("null", ln.f);
	/* Only with impairments, so that the graphs of other labs stay as they were. */
	if (l->has_netem) {
		fputs(",\"netem\":{\"a\":", ln.f);
		json_netem(ln.f, &l->netem[0]);
		fputs(",\"b\":", ln.f);
		json_netem(ln.f, &l->netem[1]);
		fputs("}", ln.f);
	}
	fputs("}", ln.f);
	line_end(out, &ln);
}

static void json(FILE *f, const struct nsl_topo *t, int *ret_err)
{
	struct lines nodes = { 0 }, bridges = { 0 }, edges = { 0 };

	for (size_t i = 0; i < t->n_nodes; i++)
		json_node(&nodes, &t->nodes[i]);
	for (size_t i = 0; i < t->n_bridges; i++)
		json_bridge(&bridges, &t->bridges[i]);
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			if (t->nodes[i].ifaces[k].bridge_idx >= 0)
				json_port(&edges, t, i, k);
	for (size_t i = 0; i < t->n_links; i++)
		json_link(&edges, t, &t->links[i]);
	*ret_err = nodes.err ? nodes.err : bridges.err ? bridges.err : edges.err;
	fputs("{\"name\":", f);
	nsli_json_escape(f, t->name);
	fputs(",\"nodes\":[", f);
	flush(f, &nodes, ",");
	fputs("],\"bridges\":[", f);
	flush(f, &bridges, ",");
	fputs("],\"edges\":[", f);
	flush(f, &edges, ",");
	fputs("]}\n", f);
}

static int render(const struct nsl_topo *t, enum nsl_topo_graph_format fmt, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r = 0;

	if (!f)
		return -ENOMEM;
	switch (fmt) {
	case NSL_TOPO_GRAPH_DOT:
		dot(f, t, &r);
		break;
	case NSL_TOPO_GRAPH_MERMAID:
		mermaid(f, t, &r);
		break;
	case NSL_TOPO_GRAPH_JSON:
		json(f, t, &r);
		break;
	default:
		r = -EINVAL;
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

_public_ int nsl_topo_graph_opts(const struct nsl_topo *t, const struct nsl_topo_graph_opts *o, char **ret,
				 struct nsl_err *err)
{
	_cleanup_free_ char *compact = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r = render(t, o->format, &compact);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, r == -EINVAL ? "unknown graph format" : NULL);
	if (o->format != NSL_TOPO_GRAPH_JSON || !o->pretty) {
		*ret = TAKE_PTR(compact);
		return 0;
	}
	/* Written compactly above (sorting needs whole lines), laid out here. */
	f = open_memstream(&buf, &len);
	if (!f)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	nsli_json_indent(f, compact);
	if (fclose(f) != 0) {
		free(buf);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	*ret = buf;
	return 0;
}

_public_ int nsl_topo_graph(const struct nsl_topo *t, enum nsl_topo_graph_format fmt, char **ret,
			    struct nsl_err *err)
{
	return nsl_topo_graph_opts(t, &(struct nsl_topo_graph_opts){ .format = fmt }, ret, err);
}
