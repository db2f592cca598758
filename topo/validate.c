// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The model checked as a whole, before anything touches the kernel: references, interfaces
 * used twice, address families, gateways, duplicate addresses on a segment, the kernel's
 * limits, MTU rules, names that collide in a netns.
 */
#include <arpa/inet.h>
#include <stdarg.h>

#include "core.h"
#include "macro.h"
#include "model-internal.h"

int nsli_find_node(const struct ld *ld, const char *name)
{
	return nsli_topo_index_find(&ld->nodes, 0, name, strlen(name));
}

int nsli_find_iface(const struct ld *ld, size_t node, const char *name)
{
	return nsli_topo_index_find(&ld->ifaces, node, name, strlen(name));
}

/* The value of @key in the mapping @map, or NULL. Only for error positions: it scans. */
static const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (STREQ(map->keys[i]->value, key))
			return map->items[i];
	return NULL;
}

/* Where interface @i of node @ni states its mtu (the interface's own position if it does not). */
static struct nsl_topo_pos mtu_pos(const struct ld *ld, size_t ni, const struct nsl_topo_iface *i)
{
	const struct ynode *node = ld->nodes_y && ni < ld->nodes_y->n ? ld->nodes_y->items[ni] : NULL;
	const struct ynode *m = ymap_get(ymap_get(ymap_get(node, "interfaces"), i->name), "mtu");

	return m ? POS(m) : i->pos;
}

static int at(struct ld *ld, struct nsl_topo_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int at(struct ld *ld, struct nsl_topo_pos pos, const char *fmt, ...)
{
	struct ynode n = { .line = pos.line, .column = pos.column };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nsli_yerr(ld->err, &n, "%s", msg);
}
/*
 * Counting sort: *@ret_order lists 0..@n-1 grouped by @key[i] (in 0..@m-1), in their order
 * within a group; group g is order[start[g]] .. order[start[g + 1] - 1]. Linear, so that
 * "the ports of each bridge" never means a pass over all interfaces per bridge.
 */
static int group_by(struct ld *ld, const int *key, size_t n, size_t m, int **ret_order,
		    size_t **ret_start)
{
	_cleanup_free_ size_t *start = calloc(m + 2, sizeof(*start));
	_cleanup_free_ int *order = malloc((n ? n : 1) * sizeof(*order));

	if (!start || !order)
		return nsli_nomem(ld);
	for (size_t i = 0; i < n; i++)
		start[key[i] + 2]++;
	for (size_t g = 2; g < m + 2; g++)
		start[g] += start[g - 1];
	/* start[g + 1] is now where group g begins: fill it, moving it to group g + 1's start. */
	for (size_t i = 0; i < n; i++)
		order[start[key[i] + 1]++] = (int)i;
	*ret_order = TAKE_PTR(order);
	*ret_start = TAKE_PTR(start);
	return 0;
}

struct port {
	int node, iface;
};

/* Every bridge port, in node order, grouped by its bridge (@by_netns: by its bridge's netns,
 * 0 for the root netns, node + 1 for a bridge inside a node). */
static int group_ports(struct ld *ld, bool by_netns, struct port **ret_v, int **ret_order,
		       size_t **ret_start)
{
	const struct nsl_topo *t = ld->t;
	_cleanup_free_ struct port *v = NULL;
	_cleanup_free_ int *key = NULL;
	size_t n = 0, cap = 0;
	int r;

	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++) {
			int b = t->nodes[ni].ifaces[ii].bridge_idx;

			if (b < 0)
				continue;
			if (!GREEDY_REALLOC(v, cap, n + 1))
				return nsli_nomem(ld);
			v[n++] = (struct port){ (int)ni, (int)ii };
		}
	key = malloc((n ? n : 1) * sizeof(*key));
	if (!key)
		return nsli_nomem(ld);
	for (size_t i = 0; i < n; i++) {
		int b = t->nodes[v[i].node].ifaces[v[i].iface].bridge_idx;

		key[i] = by_netns ? t->bridges[b].node_idx + 1 : b;
	}
	r = group_by(ld, key, n, by_netns ? t->n_nodes + 1 : t->n_bridges, ret_order, ret_start);
	if (r < 0)
		return r;
	*ret_v = TAKE_PTR(v);
	return 0;
}

static const struct nsl_topo_iface *port_iface(const struct nsl_topo *t, const struct port *p)
{
	return &t->nodes[p->node].ifaces[p->iface];
}

/* Two equal addresses on one segment (bridge or link) never work: refuse them. */
static int seg_add(struct ld *ld, struct topo_index *seen, size_t seg, const struct nsl_prefix *p,
		   struct nsl_topo_pos pos)
{
	int line = 0;
	int r = nsli_topo_index_add(seen, (uint64_t)seg << 1 | (p->family == AF_INET6), p->addr,
			       p->family == AF_INET ? 4 : 16, (int)pos.line, &line);
	char a[64];

	if (r < 0)
		return nsli_nomem(ld);
	if (r == 0)
		return at(ld, pos, "address %s is used twice on one segment (also at line %d)",
			  nsl_prefix_str(p, false, a, sizeof(a)), line);
	return 0;
}

int nsli_validate_segments(struct ld *ld)
{
	struct nsl_topo *t = ld->t;
	_cleanup_(nsli_topo_index_done) struct topo_index seen = { 0 };
	_cleanup_free_ struct port *ports = NULL;
	_cleanup_free_ int *order = NULL;
	_cleanup_free_ size_t *start = NULL;
	int r;

	r = group_ports(ld, false, &ports, &order, &start);
	if (r < 0)
		return r;
	for (size_t b = 0; b < t->n_bridges; b++) {
		for (size_t a = 0; a < t->bridges[b].n_addrs; a++) {
			r = seg_add(ld, &seen, b, &t->bridges[b].addrs[a], t->bridges[b].pos);
			if (r < 0)
				return r;
		}
		for (size_t k = start[b]; k < start[b + 1]; k++) {
			const struct nsl_topo_iface *i = port_iface(t, &ports[order[k]]);

			for (size_t a = 0; a < i->n_addrs; a++) {
				r = seg_add(ld, &seen, b, &i->addrs[a], i->pos);
				if (r < 0)
					return r;
			}
		}
	}
	for (size_t l = 0; l < t->n_links; l++)
		for (int e = 0; e < 2; e++) {
			const struct nsl_topo_iface *i =
				&t->nodes[t->links[l].ep[e].node].ifaces[t->links[l].ep[e].iface];

			for (size_t a = 0; a < i->n_addrs; a++) {
				r = seg_add(ld, &seen, t->n_bridges + l, &i->addrs[a], i->pos);
				if (r < 0)
					return r;
			}
		}
	return 0;
}

static bool is_link_local6(const struct nsl_prefix *p)
{
	return p->family == AF_INET6 && p->addr[0] == 0xfe && (p->addr[1] & 0xc0) == 0x80;
}

/*
 * What validate_node() looks up, for all nodes (the scope holds the node): each address, and
 * each connected network under its interface and under "any interface" (-1), masked, so that
 * a gateway is checked against every prefix length the node has instead of every address.
 */
struct node_ix {
	struct topo_index addrs, nets;
	struct nsl_prefix *net; /* the masked networks: the keys of @nets */
	size_t n_net;
};

static uint64_t net_scope(size_t node, int iface, const struct nsl_prefix *p)
{
	return (uint64_t)node << 32 | (uint64_t)(uint32_t)(iface + 1) << 9 |
	       (uint64_t)(p->family == AF_INET6) << 8 | p->len;
}

static size_t addr_bytes(const struct nsl_prefix *p)
{
	return p->family == AF_INET ? 4 : 16;
}

static int add_nets(struct ld *ld, struct node_ix *x, size_t ni, uint8_t lens[2][129])
{
	const struct nsl_topo_node *node = &ld->t->nodes[ni];

	for (size_t i = 0; i < node->n_ifaces; i++)
		for (size_t a = 0; a < node->ifaces[i].n_addrs; a++) {
			struct nsl_prefix *n = &x->net[x->n_net++];

			*n = node->ifaces[i].addrs[a];
			nsl_prefix_mask(n);
			lens[n->family == AF_INET6][n->len] = 1;
			if (nsli_topo_index_add(&x->nets, net_scope(ni, -1, n), n->addr, addr_bytes(n), 0, NULL) < 0 ||
			    nsli_topo_index_add(&x->nets, net_scope(ni, (int)i, n), n->addr, addr_bytes(n), 0, NULL) < 0)
				return nsli_nomem(ld);
		}
	return 0;
}

/* Is @via inside a network of interface @iface (-1: any) of node @ni? */
static bool gateway_connected(const struct node_ix *x, size_t ni, int iface, const struct nsl_prefix *via,
			      uint8_t lens[2][129])
{
	bool v6 = via->family == AF_INET6;

	for (unsigned len = 0; len <= (v6 ? 128u : 32u); len++) {
		struct nsl_prefix m = *via;

		if (!lens[v6][len])
			continue;
		m.len = (uint8_t)len;
		nsl_prefix_mask(&m);
		if (nsli_topo_index_find(&x->nets, net_scope(ni, iface, &m), m.addr, addr_bytes(&m)) >= 0)
			return true;
	}
	return false;
}

static int validate_routes(struct ld *ld, struct node_ix *x, size_t ni)
{
	struct nsl_topo_node *node = &ld->t->nodes[ni];
	uint8_t lens[2][129] = { { 0 } };
	bool nets = false;

	for (size_t r = 0; r < node->n_routes; r++) {
		const struct nsl_topo_route *rt = &node->routes[r];
		int dev = -1;

		if (rt->dev) {
			dev = nsli_find_iface(ld, ni, rt->dev);
			if (dev < 0)
				return at(ld, rt->pos, "route '%s': node '%s' has no interface '%s'", rt->text,
					  node->name, rt->dev);
		}
		if (rt->dst.family == AF_INET6)
			node->has_ipv6 = true;
		if (!rt->has_via || (is_link_local6(&rt->via) && rt->dev))
			continue;
		if (!nets) {
			int k = add_nets(ld, x, ni, lens);

			if (k < 0)
				return k;
			nets = true;
		}
		if (!gateway_connected(x, ni, dev, &rt->via, lens)) {
			char g[64];
			return at(ld, rt->pos, "route '%s': gateway %s is outside every connected prefix of node '%s'",
				  rt->text, nsl_prefix_str(&rt->via, false, g, sizeof(g)), node->name);
		}
	}
	return 0;
}

/* The MTU an interface gets: its own, or for a link end the link's rule (apply.c: the link's
 * mtu, else the first end's, else the second's). 0: the kernel's default. */
static uint32_t iface_mtu(const struct nsl_topo *t, const struct nsl_topo_iface *i)
{
	const struct nsl_topo_link *l;

	if (i->link_idx < 0)
		return i->mtu;
	l = &t->links[i->link_idx];
	if (l->mtu)
		return l->mtu;
	if (t->nodes[l->ep[0].node].ifaces[l->ep[0].iface].mtu)
		return t->nodes[l->ep[0].node].ifaces[l->ep[0].iface].mtu;
	return t->nodes[l->ep[1].node].ifaces[l->ep[1].iface].mtu;
}

static int validate_node(struct ld *ld, struct node_ix *x, size_t ni)
{
	struct nsl_topo_node *node = &ld->t->nodes[ni];

	for (size_t i = 0; i < node->n_ifaces; i++) {
		struct nsl_topo_iface *ifc = &node->ifaces[i];
		bool v6 = false;
		uint32_t mtu;

		if (ifc->bridge_idx < 0 && ifc->link_idx < 0)
			return at(ld, ifc->pos,
				  "interface '%s:%s' is not connected (give it a bridge or put it in a link)",
				  node->name, ifc->name);
		for (size_t a = 0; a < ifc->n_addrs; a++) {
			const struct nsl_prefix *p = &ifc->addrs[a];
			int first = -1;

			if (p->family == AF_INET6)
				node->has_ipv6 = v6 = true;
			/* The same prefix on two interfaces of a node (twice on one interface is
			 * the segment check's). */
			if (nsli_topo_index_add(&x->addrs, (uint64_t)ni << 32 | (uint32_t)p->family, &p->len,
					   sizeof(p->len) + sizeof(p->addr), (int)i, &first) < 0)
				return nsli_nomem(ld);
			if (first >= 0 && first != (int)i)
				return at(ld, ifc->pos, "address given twice in node '%s'", node->name);
		}
		/* The kernel takes IPv6 off a device whose MTU is below the IPv6 minimum. */
		mtu = iface_mtu(ld->t, ifc);
		if (v6 && mtu && mtu < 1280)
			return at(ld, ifc->pos, "interface '%s:%s' has IPv6 addresses: its mtu %u is below 1280",
				  node->name, ifc->name, mtu);
	}
	return validate_routes(ld, x, ni);
}


int nsli_validate_nodes(struct ld *ld)
{
	struct nsl_topo *t = ld->t;
	struct node_ix x = { 0 };
	size_t n_addrs = 0;
	int r = 0;

	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t i = 0; i < t->nodes[ni].n_ifaces; i++)
			n_addrs += t->nodes[ni].ifaces[i].n_addrs;
	/* Filled in place, never moved: the index keeps pointers into it. */
	x.net = malloc((n_addrs ? n_addrs : 1) * sizeof(*x.net));
	if (!x.net)
		r = nsli_nomem(ld);
	for (size_t ni = 0; r == 0 && ni < t->n_nodes; ni++)
		r = validate_node(ld, &x, ni);
	nsli_topo_index_done(&x.addrs);
	nsli_topo_index_done(&x.nets);
	free(x.net);
	return r;
}

int nsli_validate_bridges(struct ld *ld)
{
	for (size_t b = 0; b < ld->t->n_bridges; b++) {
		const struct nsl_topo_bridge *br = &ld->t->bridges[b];

		for (size_t a = 0; a < br->n_addrs; a++)
			if (br->mtu && br->mtu < 1280 && br->addrs[a].family == AF_INET6)
				return at(ld, br->pos, "bridge '%s' has IPv6 addresses: its mtu %u is below 1280",
					  br->name, br->mtu);
	}
	return 0;
}

/* One MTU per link: the two ends of a veth pair made by apply.c share one. */
int nsli_validate_link_mtus(struct ld *ld)
{
	const struct nsl_topo *t = ld->t;

	for (size_t l = 0; l < t->n_links; l++) {
		const struct nsl_topo_link *lk = &t->links[l];
		const struct nsl_topo_iface *e[2];
		uint32_t nsli_want = lk->mtu;

		for (int k = 0; k < 2; k++)
			e[k] = &t->nodes[lk->ep[k].node].ifaces[lk->ep[k].iface];
		for (int k = 0; k < 2; k++) {
			if (!e[k]->mtu)
				continue;
			if (!nsli_want) {
				nsli_want = e[k]->mtu;
				continue;
			}
			if (e[k]->mtu != nsli_want)
				return at(ld, mtu_pos(ld, (size_t)lk->ep[k].node, e[k]),
					  "interface '%s:%s': mtu %u differs from the mtu %u of its link (both ends of a link have one mtu)",
					  t->nodes[lk->ep[k].node].name, e[k]->name, e[k]->mtu, nsli_want);
		}
	}
	return 0;
}

/*
 * Names in one netns (@netns: -1 for the root, else a node): interfaces, bridges, bridge ports
 * and their altnames must not collide (the kernel keeps altnames in the same table as names:
 * an altname that is another device's name or altname fails with EEXIST). Derived names cannot
 * collide (derive_names()); what the file names can.
 */
static int name_add_as(struct ld *ld, struct topo_index *seen, int netns, const char *what,
		       const char *name, struct nsl_topo_pos pos)
{
	int line = 0, r = nsli_topo_index_add(seen, (uint64_t)(netns + 1), name, strlen(name), (int)pos.line, &line);

	if (r < 0)
		return nsli_nomem(ld);
	if (r == 0)
		return at(ld, pos, "%s '%s' in %s collides with the one from line %d", what, name,
			  netns < 0 ? "the root netns" : ld->t->nodes[netns].name, line);
	return 0;
}

static int name_add(struct ld *ld, struct topo_index *seen, int netns, const char *name,
		    struct nsl_topo_pos pos)
{
	return name_add_as(ld, seen, netns, "interface name", name, pos);
}

/* The bridges and the bridge ends of the ports in netns @g (0: root, node + 1). */
static int names_bridges(struct ld *ld, struct topo_index *seen, size_t g, const int *br_order,
			 const size_t *br_start, const struct port *ports, const int *order,
			 const size_t *start)
{
	const struct nsl_topo *t = ld->t;
	int r;

	for (size_t k = br_start[g]; k < br_start[g + 1]; k++) {
		const struct nsl_topo_bridge *b = &t->bridges[br_order[k]];

		r = name_add(ld, seen, (int)g - 1, b->ifname, b->pos);
		/* Only a bridge of the root netns gets its altname (apply.c). */
		if (r == 0 && g == 0)
			r = name_add_as(ld, seen, -1, "full name", b->altname, b->pos);
		if (r < 0)
			return r;
	}
	for (size_t k = start[g]; k < start[g + 1]; k++) {
		const struct nsl_topo_iface *i = port_iface(t, &ports[order[k]]);

		r = name_add(ld, seen, (int)g - 1, i->host, i->pos);
		if (r == 0)
			r = name_add_as(ld, seen, (int)g - 1, "full name", i->altname, i->pos);
		if (r < 0)
			return r;
	}
	return 0;
}

int nsli_validate_names(struct ld *ld)
{
	struct nsl_topo *t = ld->t;
	_cleanup_(nsli_topo_index_done) struct topo_index seen = { 0 };
	_cleanup_free_ struct port *ports = NULL;
	_cleanup_free_ int *order = NULL, *br_key = NULL, *br_order = NULL;
	_cleanup_free_ size_t *start = NULL, *br_start = NULL;
	int r;

	r = nsli_derive_names(t, NULL);
	if (r < 0)
		return nsl_err_set(ld->err, NSL_E_SYSTEM, r, NULL, r == -ENOSPC ? "no free interface name" : NULL);
	r = group_ports(ld, true, &ports, &order, &start);
	if (r < 0)
		return r;
	br_key = malloc((t->n_bridges + 1) * sizeof(*br_key));
	if (!br_key)
		return nsli_nomem(ld);
	for (size_t b = 0; b < t->n_bridges; b++)
		br_key[b] = t->bridges[b].node_idx + 1;
	r = group_by(ld, br_key, t->n_bridges, t->n_nodes + 1, &br_order, &br_start);
	if (r < 0)
		return r;
	/* The root netns: bridges and the bridge side of their ports, all derived names. */
	r = names_bridges(ld, &seen, 0, br_order, br_start, ports, order, start);
	for (size_t ni = 0; r == 0 && ni < t->n_nodes; ni++) {
		for (size_t ii = 0; r == 0 && ii < t->nodes[ni].n_ifaces; ii++)
			r = name_add(ld, &seen, (int)ni, t->nodes[ni].ifaces[ii].name, t->nodes[ni].ifaces[ii].pos);
		if (r == 0)
			r = names_bridges(ld, &seen, ni + 1, br_order, br_start, ports, order, start);
	}
	return r;
}

int nsli_resolve_expect(struct ld *ld, struct nsl_topo_expect *x, const struct ynode *to)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int ni;

	if (nsl_parse_addr(x->to, &x->addr, &e) == 0)
		return 0;
	ni = nsli_find_node(ld, x->to);
	if (ni < 0)
		return at(ld, x->pos, "expect: 'to: %s' is neither an address nor a node", x->to);
	if (!ld->first) {
		ld->first = calloc(t->n_nodes, sizeof(*ld->first));
		if (!ld->first)
			return nsli_nomem(ld);
	}
	/* A node name means its first address, IPv4 first; looked up once per node. */
	for (int fam = 0; fam < 2 && !ld->first[ni].done && !ld->first[ni].found; fam++)
		for (size_t i = 0; i < t->nodes[ni].n_ifaces && !ld->first[ni].found; i++)
			for (size_t a = 0; a < t->nodes[ni].ifaces[i].n_addrs; a++) {
				const struct nsl_prefix *p = &t->nodes[ni].ifaces[i].addrs[a];

				if (p->family == (fam ? AF_INET6 : AF_INET)) {
					ld->first[ni].p = *p;
					ld->first[ni].p.len = p->family == AF_INET ? 32 : 128;
					ld->first[ni].found = true;
					break;
				}
			}
	ld->first[ni].done = true;
	(void)to;
	if (!ld->first[ni].found)
		return at(ld, x->pos, "expect: node '%s' has no address", x->to);
	x->addr = ld->first[ni].p;
	return 0;
}

/*
 * A port and its bridge have one MTU. The kernel lowers a bridge's MTU to its smallest port's
 * (br_mtu_auto_adjust(), since v4.17 only while the bridge's own MTU was never set by hand; a
 * bridge made with an MTU is adjusted anyway when a smaller port joins), so a bridge stated at
 * 9000 ends at 1500 once a default port joins: a port without an mtu takes the bridge's, and
 * one that states another is an error.
 */
static int port_mtu(struct ld *ld, size_t ni, struct nsl_topo_iface *i)
{
	const struct nsl_topo_bridge *b = &ld->t->bridges[i->bridge_idx];

	if (!b->mtu || i->mtu == b->mtu)
		return 0;
	if (!i->mtu) {
		i->mtu = b->mtu;
		return 0;
	}
	return at(ld, mtu_pos(ld, ni, i),
		  "interface '%s:%s': mtu %u differs from the mtu %u of its bridge '%s' (a bridge takes its smallest port's mtu)",
		  ld->t->nodes[ni].name, i->name, i->mtu, b->mtu, b->name);
}

/* Each interface on a bridge: find the bridge; its end gets its name in validate_names(). */
int nsli_resolve_ports(struct ld *ld)
{
	struct nsl_topo *t = ld->t;

	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++) {
			struct nsl_topo_iface *i = &t->nodes[ni].ifaces[ii];
			int r;

			if (!i->bridge)
				continue;
			i->bridge_idx = nsli_topo_index_find(&ld->bridges, 0, i->bridge, strlen(i->bridge));
			if (i->bridge_idx < 0)
				return at(ld, i->pos, "interface '%s:%s': no bridge '%s'", t->nodes[ni].name,
					  i->name, i->bridge);
			r = port_mtu(ld, ni, i);
			if (r < 0)
				return r;
			snprintf(i->altname, sizeof(i->altname), "%s.%s.%s", t->name, t->nodes[ni].name,
				 i->name);
		}
	return 0;
}

/*
 * The kernel numbers a bridge's ports 1..1023 (BR_MAX_PORTS 1024, port 0 reserved;
 * find_portno() fails with EXFULL beyond): refused at the 1,024th port.
 */
#define BR_PORTS_MAX 1023

/* A port that would lower a bridge with IPv6 addresses below 1280 (the bridge takes its
 * smallest port's MTU, and the kernel takes IPv6 off a device below 1280). */
static int port_v6_mtu(struct ld *ld, size_t ni, const struct nsl_topo_iface *i)
{
	const struct nsl_topo_bridge *b = &ld->t->bridges[i->bridge_idx];

	if (b->mtu || !i->mtu || i->mtu >= 1280) /* a bridge's own mtu: validate_bridges() */
		return 0;
	for (size_t a = 0; a < b->n_addrs; a++)
		if (b->addrs[a].family == AF_INET6)
			return at(ld, mtu_pos(ld, ni, i),
				  "interface '%s:%s': its mtu %u would lower bridge '%s' below the 1280 its IPv6 addresses need",
				  ld->t->nodes[ni].name, i->name, i->mtu, b->name);
	return 0;
}

int nsli_validate_ports(struct ld *ld)
{
	const struct nsl_topo *t = ld->t;
	_cleanup_free_ size_t *n = calloc(t->n_bridges + 1, sizeof(*n));
	_cleanup_free_ size_t *seen = calloc(t->n_bridges + 1, sizeof(*seen));
	int r;

	if (!n || !seen)
		return nsli_nomem(ld);
	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++)
			if (t->nodes[ni].ifaces[ii].bridge_idx >= 0)
				n[t->nodes[ni].ifaces[ii].bridge_idx]++;
	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++) {
			const struct nsl_topo_iface *i = &t->nodes[ni].ifaces[ii];
			int b = i->bridge_idx;

			if (b < 0)
				continue;
			if (++seen[b] > BR_PORTS_MAX)
				return at(ld, i->pos, "bridge '%s' has %zu ports: the kernel allows at most %d",
					  t->bridges[b].name, n[b], BR_PORTS_MAX);
			r = port_v6_mtu(ld, ni, i);
			if (r < 0)
				return r;
		}
	return 0;
}
