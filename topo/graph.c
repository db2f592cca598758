// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Drawing a lab: DOT, Mermaid or JSON. Each kind of line is collected and sorted, so the
 * output depends only on the lab, never on the order of the file.
 */
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "topo-internal.h"

struct lines {
	char **v;
	size_t n;
};

static int add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add(struct lines *l, const char *fmt, ...)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(char *));
	va_list ap;
	int r;

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	va_start(ap, fmt);
	r = vasprintf(&nv[l->n], fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	l->n++;
	return 0;
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
	l->n = 0;
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

/* DOT and JSON ids and labels: quote and escape. */
static char *q(const char *s, char *buf, size_t size)
{
	size_t k = 0;

	buf[k++] = '"';
	for (; *s && k + 3 < size; s++) {
		if (*s == '"' || *s == '\\')
			buf[k++] = '\\';
		buf[k++] = *s;
	}
	buf[k++] = '"';
	buf[k] = '\0';
	return buf;
}

/* Mermaid ids: letters, digits and '_' only; a hash keeps distinct names distinct. */
static char *mid(const char *kind, const char *s, char *buf, size_t size)
{
	size_t k = (size_t)snprintf(buf, size, "%s_", kind);

	for (const char *p = s; *p && k + 10 < size; p++)
		buf[k++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
	snprintf(buf + k, size - k, "_%04x", topo_hash(s) & 0xffff);
	return buf;
}

static void dot(FILE *f, const struct nsl_topo *t)
{
	struct lines nodes = { 0 }, edges = { 0 };
	char a[300], b[300], c[300], d[300], p[512];

	fprintf(f, "graph %s {\n\tgraph [overlap=false];\n\tnode [shape=box];\n", q(t->name, a, sizeof(a)));
	for (size_t i = 0; i < t->n_nodes; i++) {
		char id[300];

		snprintf(id, sizeof(id), "node:%s", t->nodes[i].name);
		add(&nodes, "\t%s [label=%s];", q(id, a, sizeof(a)), q(t->nodes[i].name, b, sizeof(b)));
	}
	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &t->bridges[i];
		char id[300], label[700];

		snprintf(id, sizeof(id), "bridge:%s", br->name);
		prefixes(br->addrs, br->n_addrs, false, p, sizeof(p));
		snprintf(label, sizeof(label), "%s%s%s%s%s", br->name, br->node ? " @" : "",
			 br->node ? br->node : "", p[0] ? "\\n" : "", p);
		add(&nodes, "\t%s [label=\"%s\", shape=ellipse, style=filled, fillcolor=lightgrey];",
		    q(id, a, sizeof(a)), label);
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++) {
			const struct nsl_topo_iface *ifc = &t->nodes[i].ifaces[k];
			char id1[300], id2[300];

			if (ifc->bridge_idx < 0)
				continue;
			snprintf(id1, sizeof(id1), "node:%s", t->nodes[i].name);
			snprintf(id2, sizeof(id2), "bridge:%s", ifc->bridge);
			prefixes(ifc->addrs, ifc->n_addrs, true, p, sizeof(p));
			add(&edges, "\t%s -- %s [taillabel=%s, label=%s];", q(id1, a, sizeof(a)),
			    q(id2, b, sizeof(b)), q(ifc->name, c, sizeof(c)), q(p, d, sizeof(d)));
		}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct nsl_topo_link *l = &t->links[i];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
		const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];
		char id1[300], id2[300], e[300], lab[600];

		snprintf(id1, sizeof(id1), "node:%s", na->name);
		snprintf(id2, sizeof(id2), "node:%s", nb->name);
		prefixes(ia->addrs, ia->n_addrs, true, p, sizeof(p));
		snprintf(lab, sizeof(lab), "%s%s%s", p, l->rate_text ? " " : "", l->rate_text ? l->rate_text : "");
		add(&edges, "\t%s -- %s [taillabel=%s, headlabel=%s, label=%s];", q(id1, a, sizeof(a)),
		    q(id2, b, sizeof(b)), q(ia->name, c, sizeof(c)), q(ib->name, d, sizeof(d)),
		    q(lab, e, sizeof(e)));
	}
	flush(f, &nodes, "\n");
	fputs(nodes.n ? "\n" : "\n", f);
	flush(f, &edges, "\n");
	fputs("\n}\n", f);
}

static void mermaid(FILE *f, const struct nsl_topo *t)
{
	struct lines nodes = { 0 }, edges = { 0 };
	char a[300], b[300], p[512];

	fprintf(f, "graph LR\n");
	for (size_t i = 0; i < t->n_nodes; i++)
		add(&nodes, "    %s[\"%s\"]", mid("n", t->nodes[i].name, a, sizeof(a)), t->nodes[i].name);
	for (size_t i = 0; i < t->n_bridges; i++) {
		prefixes(t->bridges[i].addrs, t->bridges[i].n_addrs, false, p, sizeof(p));
		add(&nodes, "    %s([\"%s%s%s\"])", mid("b", t->bridges[i].name, a, sizeof(a)),
		    t->bridges[i].name, p[0] ? "<br/>" : "", p);
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++) {
			const struct nsl_topo_iface *ifc = &t->nodes[i].ifaces[k];

			if (ifc->bridge_idx < 0)
				continue;
			prefixes(ifc->addrs, ifc->n_addrs, true, p, sizeof(p));
			add(&edges, "    %s -- \"%s%s%s\" --- %s", mid("n", t->nodes[i].name, a, sizeof(a)),
			    ifc->name, p[0] ? " " : "", p, mid("b", ifc->bridge, b, sizeof(b)));
		}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct nsl_topo_link *l = &t->links[i];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
		const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];

		prefixes(ia->addrs, ia->n_addrs, true, p, sizeof(p));
		add(&edges, "    %s -- \"%s %s %s\" --- %s", mid("n", na->name, a, sizeof(a)), ia->name, p,
		    ib->name, mid("n", nb->name, b, sizeof(b)));
	}
	flush(f, &nodes, "\n");
	fputs("\n", f);
	flush(f, &edges, "\n");
	if (t->n_bridges || t->n_links)
		fputs("\n", f);
}

static void json_addrs(FILE *f, const struct nsl_prefix *v, size_t n)
{
	char s[64];

	fputs("[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"local\":\"%s\",\"prefixlen\":%u}", i ? "," : "",
			nsl_prefix_str(&v[i], false, s, sizeof(s)), v[i].len);
	fputs("]", f);
}

static void json(FILE *f, const struct nsl_topo *t)
{
	struct lines nodes = { 0 }, bridges = { 0 }, edges = { 0 };
	char a[300], b[300], c[300], d[300];

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (!m)
			continue;
		fprintf(m, "{\"name\":%s,\"netns\":%s,\"interfaces\":[", q(n->name, a, sizeof(a)),
			q(n->netns, b, sizeof(b)));
		for (size_t k = 0; k < n->n_ifaces; k++) {
			fprintf(m, "%s{\"ifname\":%s,\"addr_info\":", k ? "," : "", q(n->ifaces[k].name, a, sizeof(a)));
			json_addrs(m, n->ifaces[k].addrs, n->ifaces[k].n_addrs);
			fputs("}", m);
		}
		fputs("]}", m);
		fclose(m);
		add(&nodes, "%s", buf);
		free(buf);
	}
	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &t->bridges[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (!m)
			continue;
		fprintf(m, "{\"name\":%s,\"ifname\":%s,\"netns\":%s,\"addr_info\":", q(br->name, a, sizeof(a)),
			q(br->ifname, b, sizeof(b)), br->node ? q(br->node, c, sizeof(c)) : "null");
		json_addrs(m, br->addrs, br->n_addrs);
		fputs("}", m);
		fclose(m);
		add(&bridges, "%s", buf);
		free(buf);
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++) {
			const struct nsl_topo_iface *ifc = &t->nodes[i].ifaces[k];
			char ep[300];

			if (ifc->bridge_idx < 0)
				continue;
			snprintf(ep, sizeof(ep), "%s:%s", t->nodes[i].name, ifc->name);
			add(&edges, "{\"a\":%s,\"bridge\":%s}", q(ep, a, sizeof(a)), q(ifc->bridge, b, sizeof(b)));
		}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct nsl_topo_link *l = &t->links[i];
		char e1[300], e2[300];

		snprintf(e1, sizeof(e1), "%s:%s", t->nodes[l->ep[0].node].name,
			 t->nodes[l->ep[0].node].ifaces[l->ep[0].iface].name);
		snprintf(e2, sizeof(e2), "%s:%s", t->nodes[l->ep[1].node].name,
			 t->nodes[l->ep[1].node].ifaces[l->ep[1].iface].name);
		add(&edges, "{\"a\":%s,\"b\":%s,\"rate\":%s}", q(e1, a, sizeof(a)), q(e2, b, sizeof(b)),
		    l->rate_text ? q(l->rate_text, d, sizeof(d)) : "null");
	}
	fprintf(f, "{\"name\":%s,\"nodes\":[", q(t->name, a, sizeof(a)));
	flush(f, &nodes, ",");
	fputs("],\"bridges\":[", f);
	flush(f, &bridges, ",");
	fputs("],\"edges\":[", f);
	flush(f, &edges, ",");
	fputs("]}\n", f);
}

_public_ int nsl_topo_graph(const struct nsl_topo *t, enum nsl_topo_graph_format fmt, char **ret,
			    struct nsl_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	switch (fmt) {
	case NSL_TOPO_GRAPH_DOT:
		dot(f, t);
		break;
	case NSL_TOPO_GRAPH_MERMAID:
		mermaid(f, t);
		break;
	case NSL_TOPO_GRAPH_JSON:
		json(f, t);
		break;
	}
	if (fclose(f) != 0) {
		free(buf);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	*ret = buf;
	return 0;
}
