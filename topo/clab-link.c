// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * containerlab links and the management network, as native interfaces, bridges and links.
 * A link to a kind: bridge node is a port of that bridge (its bridge-side name is nslab's,
 * LAB-NODE-IF, as for every port); any other link is a veth pair between two nodes.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "clab.h"
#include "core.h"
#include "macro.h"

/* ---- the management network ---- */

static const struct {
	const char *key;
	int what; /* 0 used, 1 warned, 2 not done yet */
	const char *why;
} mgmt_keys[] = {
	{ "bridge", 0 },
	{ "ipv4-subnet", 0 },
	{ "ipv6-subnet", 0 },
	{ "ipv4-gw", 0 },
	{ "ipv6-gw", 0 },
	{ "mtu", 0 },
	{ "network", 1, "there is no container network: the management network is a bridge" },
	{ "external-access", 1, "the management network has no NAT to the outside" },
	{ "driver-opts", 1, "there is no container network driver" },
	{ "ipv4-range", 2 },
	{ "ipv6-range", 2 },
	{ "skip-when-unused", 2 },
};

static int mgmt_check(struct clab *c, const struct ynode *m)
{
	int r = nsli_clab_want(c, m, Y_MAP, "mgmt");

	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const struct ynode *k = m->keys[i];
		size_t j;

		for (j = 0; j < ELEMENTSOF(mgmt_keys) && !STREQ(mgmt_keys[j].key, k->value); j++)
			;
		if (j == ELEMENTSOF(mgmt_keys))
			return nsli_clab_err(c, k, "unknown key '%s' in mgmt", k->value);
		if (mgmt_keys[j].what == 2)
			return nsli_clab_err(c, k, "mgmt: %s: not supported yet", k->value);
		/* external-access: false asks for what nslab does: no warning */
		if (mgmt_keys[j].what == 1 && !(m->items[i]->type == Y_SCALAR && STREQ(m->items[i]->value, "false")))
			r = nsli_clab_warn(c, k, "mgmt: %s ignored: %s", k->value, mgmt_keys[j].why);
	}
	return r;
}

/* The subnet @key (default @def) and its gateway @gwkey (default: the first address). */
static int mgmt_net(struct clab *c, int f, const char *key, const char *def, const char *gwkey)
{
	const struct ynode *v = nsli_yget(c->mgmt, key), *g = nsli_yget(c->mgmt, gwkey);
	struct nsl_err e = { 0 };
	int r;

	if (v && nsli_clab_want(c, v, Y_SCALAR, key) < 0)
		return -EINVAL;
	if (v && STREQ(v->value, "auto"))
		return nsli_clab_err(c, v, "mgmt: %s: auto: not supported yet", key);
	r = nsl_parse_route_prefix(v ? v->value : def, f ? AF_INET6 : AF_INET, &c->net[f], &e);
	if (r == 0 && c->net[f].family != (f ? AF_INET6 : AF_INET))
		r = nsl_err_set(&e, NSL_E_USAGE, -EINVAL, NULL, "not an IPv%d subnet", f ? 6 : 4);
	if (r == 0 && c->net[f].len > (f ? 126 : 30))
		r = nsl_err_set(&e, NSL_E_USAGE, -EINVAL, NULL, "too small for a management network");
	if (r < 0)
		return nsli_clab_err(c, v, "mgmt: %s '%s': %s", key, v ? v->value : def, e.msg);
	if (g && (nsli_clab_want(c, g, Y_SCALAR, gwkey) < 0))
		return -EINVAL;
	if (!g) {
		c->gw[f] = c->net[f];
		c->gw[f].addr[f ? 15 : 3] |= 1;
	} else if (nsl_parse_addr(g->value, &c->gw[f], &e) < 0 || !nsl_prefix_contains(&c->net[f], &c->gw[f])) {
		return nsli_clab_err(c, g, "mgmt: %s '%s': %s", gwkey, g->value, e.msg[0] ? e.msg : "not in the subnet");
	}
	c->gw[f].len = c->net[f].len;
	return 0;
}

int nsli_clab_mgmt_bridge(struct clab *c)
{
	const struct ynode *b = nsli_yget(c->mgmt, "bridge");
	struct nsl_err e = { 0 };
	int r = c->mgmt && !(c->mgmt->type == Y_SCALAR && c->mgmt->null) ? mgmt_check(c, c->mgmt) : 0;

	if (r == 0)
		r = mgmt_net(c, 0, "ipv4-subnet", "172.20.20.0/24", "ipv4-gw");
	if (r == 0)
		r = mgmt_net(c, 1, "ipv6-subnet", "3fff:172:20:20::/64", "ipv6-gw");
	if (r < 0)
		return r;
	if (b && nsli_clab_want(c, b, Y_SCALAR, "bridge") < 0)
		return -EINVAL;
	if (b && nsl_parse_ifname(b->value, &e) < 0)
		return nsli_clab_err(c, b, "mgmt: bridge '%s': %s", b->value, e.msg);
	snprintf(c->mgmt_br, sizeof(c->mgmt_br), "%s", b ? b->value : "mgmt");
	return 0;
}

/* Address bytes @a plus @k (the low 64 bits, with carry into nothing: subnets are /64 or less). */
static void addr_add(struct nsl_prefix *a, uint64_t k)
{
	int last = a->family == AF_INET6 ? 15 : 3;
	unsigned carry = 0;

	for (int i = last; i >= 0 && (k || carry); i--) {
		unsigned s = a->addr[i] + (unsigned)(k & 0xff) + carry;

		a->addr[i] = (uint8_t)s;
		carry = s >> 8;
		k >>= 8;
	}
}

/* Is @a a usable host address of @net: inside it, not its network or (IPv4) broadcast address? */
static bool host_ok(const struct nsl_prefix *net, const struct nsl_prefix *a)
{
	struct nsl_prefix b = *a;
	bool all_ones = true;
	int bits = (a->family == AF_INET6 ? 128 : 32) - net->len;

	if (!nsl_prefix_contains(net, a) || !memcmp(net->addr, a->addr, 16))
		return false;
	for (int i = 0; i < bits; i++)
		if (!(b.addr[(a->family == AF_INET6 ? 15 : 3) - i / 8] & (1u << (i % 8))))
			all_ones = false;
	return a->family == AF_INET6 || !all_ones;
}

struct mgmt_ld {
	struct topo_index taken; /* (family, address bytes) -> 0 */
	struct nsl_prefix next[2];
};

static int take(struct mgmt_ld *m, const struct nsl_prefix *a)
{
	return nsli_topo_index_add(&m->taken, (uint64_t)a->family, a->addr, 16, 0, NULL);
}

/* `mgmt-ipv4`/`mgmt-ipv6` of node @cn (@f 0/1), checked and taken. */
static int mgmt_given(struct clab *c, struct mgmt_ld *m, struct clab_node *cn, int f, struct nsl_prefix *ret)
{
	const struct ynode *v = f ? cn->mgmt6 : cn->mgmt4;
	const char *key = f ? "mgmt-ipv6" : "mgmt-ipv4";
	struct nsl_err e = { 0 };
	int r;

	if (nsli_clab_want(c, v, Y_SCALAR, key) < 0)
		return -EINVAL;
	if (nsl_parse_addr(v->value, ret, &e) < 0 || ret->family != c->net[f].family)
		return nsli_clab_err(c, v, "%s '%s': %s", key, v->value, e.msg[0] ? e.msg : "wrong address family");
	ret->len = c->net[f].len;
	if (!host_ok(&c->net[f], ret) || !memcmp(ret->addr, c->gw[f].addr, 16))
		return nsli_clab_err(c, v, "%s '%s': not a free address of the management subnet", key, v->value);
	r = take(m, ret);
	if (r == 0)
		return nsli_clab_err(c, v, "%s '%s': the address of another node", key, v->value);
	return r < 0 ? -ENOMEM : 0;
}

/* The next free address of family @f (in the order of the file, from the subnet's start up). */
static int mgmt_next(struct clab *c, struct mgmt_ld *m, struct clab_node *cn, int f, struct nsl_prefix *ret)
{
	for (;;) {
		addr_add(&m->next[f], 1);
		if (!host_ok(&c->net[f], &m->next[f]))
			return nsli_clab_err(c, cn->key, "node '%s': no free address left in the management subnet",
					     cn->key->value);
		if (nsli_topo_index_find(&m->taken, (uint64_t)m->next[f].family, m->next[f].addr, 16) < 0)
			break;
	}
	*ret = m->next[f];
	return take(m, ret) < 0 ? -ENOMEM : 0;
}

/* Node @cn's eth0 on the management bridge, with its addresses and default routes. */
static int mgmt_node(struct clab *c, struct clab_node *cn, const struct nsl_prefix a[2])
{
	struct ynode *ifc = nsli_clab_iface(cn, cn->key, "eth0"), *addrs = nsli_ynew(Y_SEQ, cn->key),
		     *routes = nsli_ynew(Y_SEQ, cn->key);
	char s[64], rt[96];
	int r = ifc && addrs && routes ? 0 : -ENOMEM;

	if (r == 0)
		r = nsli_yput_str(ifc, cn->key, "bridge", c->mgmt_br);
	for (int f = 0; r == 0 && f < 2; f++) {
		r = nsli_yadd(addrs, NULL, nsli_yscalar(f ? cn->mgmt6 ? cn->mgmt6 : cn->key : cn->mgmt4 ? cn->mgmt4 : cn->key,
							nsl_prefix_str(&a[f], true, s, sizeof(s))));
		snprintf(rt, sizeof(rt), "default via %s", nsl_prefix_str(&c->gw[f], false, s, sizeof(s)));
		if (r == 0)
			r = nsli_yadd(routes, NULL, nsli_yscalar(cn->key, rt));
	}
	if (r == 0) {
		r = nsli_yput(ifc, cn->key, "address", TAKE_PTR(addrs));
		if (r == 0)
			r = nsli_yput(cn->keys, cn->key, "routes", TAKE_PTR(routes));
	}
	nsli_ynode_free(addrs);
	nsli_ynode_free(routes);
	if (r == 0 && nsli_topo_index_add(&c->used, (uint64_t)(cn - c->n), "eth0", 4, 0, NULL) < 0)
		r = -ENOMEM;
	return r;
}

/* The management bridge, its gateway addresses and mtu. */
static int mgmt_bridge_add(struct clab *c)
{
	const struct ynode *mtu = nsli_yget(c->mgmt, "mtu"), *at = c->mgmt ? c->mgmt : c->root;
	struct ynode *br = nsli_ynew(Y_MAP, at), *addrs = nsli_ynew(Y_SEQ, at);
	char s[64];
	int r = br && addrs ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < c->bridges->n; i++)
		if (STREQ(c->bridges->keys[i]->value, c->mgmt_br))
			r = nsli_clab_err(c, c->bridges->keys[i],
					  "bridge '%s': the name of the management bridge (give mgmt: bridge another)",
					  c->mgmt_br);
	for (int f = 0; r == 0 && f < 2; f++)
		r = nsli_yadd(addrs, NULL, nsli_yscalar(at, nsl_prefix_str(&c->gw[f], true, s, sizeof(s))));
	if (r == 0)
		r = nsli_yput(br, at, "address", TAKE_PTR(addrs));
	if (r == 0 && mtu)
		r = nsli_yput(br, mtu, "mtu", nsli_ycopy(mtu));
	if (r == 0)
		r = nsli_yput(c->bridges, at, c->mgmt_br, TAKE_PTR(br));
	nsli_ynode_free(br);
	nsli_ynode_free(addrs);
	return r;
}

int nsli_clab_mgmt(struct clab *c)
{
	struct mgmt_ld m = { .next = { c->net[0], c->net[1] } };
	_cleanup_free_ struct nsl_prefix *a = calloc(2 * c->nn + 2, sizeof(*a));
	bool any = false;
	int r = a ? 0 : -ENOMEM;

	/* The gateways, then the addresses given, then the others in the order of the file. */
	for (int f = 0; r == 0 && f < 2; f++)
		r = take(&m, &c->gw[f]) < 0 ? -ENOMEM : 0;
	for (size_t i = 0; r == 0 && i < c->nn; i++) {
		const struct ynode *given = c->n[i].mgmt4 ? c->n[i].mgmt4 : c->n[i].mgmt6;

		if (!c->n[i].mgmt && given) {
			r = nsli_clab_err(c, given, "%s: node '%s' is not on the management network (network-mode: none)",
					  given == c->n[i].mgmt4 ? "mgmt-ipv4" : "mgmt-ipv6", c->n[i].key->value);
			break;
		}
		any |= c->n[i].mgmt;
		if (c->n[i].mgmt && c->n[i].mgmt4)
			r = mgmt_given(c, &m, &c->n[i], 0, &a[2 * i]);
		if (r == 0 && c->n[i].mgmt && c->n[i].mgmt6)
			r = mgmt_given(c, &m, &c->n[i], 1, &a[2 * i + 1]);
	}
	for (size_t i = 0; r == 0 && i < c->nn; i++) {
		if (!c->n[i].mgmt)
			continue;
		if (!c->n[i].mgmt4)
			r = mgmt_next(c, &m, &c->n[i], 0, &a[2 * i]);
		if (r == 0 && !c->n[i].mgmt6)
			r = mgmt_next(c, &m, &c->n[i], 1, &a[2 * i + 1]);
		if (r == 0)
			r = mgmt_node(c, &c->n[i], &a[2 * i]);
	}
	if (r == 0 && any)
		r = mgmt_bridge_add(c);
	nsli_topo_index_done(&m.taken);
	return r == -ENOMEM ? nsl_err_set(c->err, NSL_E_SYSTEM, r, c->path, NULL) : r;
}

/* ---- links ---- */

/* One end of a link, as the file gives it. */
struct cend {
	const struct ynode *at;		/* the endpoint */
	char node[NSL_NSNAME_MAX + 1];
	char ifname[NSL_IFNAMSIZ];
	const struct ynode *mac, *addr[2]; /* scalars, or NULL */
	int ni;				/* node index */
};

struct clink {
	const struct ynode *at, *mtu;
	struct cend e[2];
};

/* "NODE:INTERFACE", the brief form. */
static int end_brief(struct clab *c, const struct ynode *s, struct cend *e)
{
	const char *colon;

	if (nsli_clab_want(c, s, Y_SCALAR, "endpoint") < 0)
		return -EINVAL;
	colon = strchr(s->value, ':');
	if (!colon || colon == s->value || !colon[1])
		return nsli_clab_err(c, s, "endpoint '%s': expected NODE:INTERFACE", s->value);
	if ((size_t)(colon - s->value) > NSL_NSNAME_MAX || strlen(colon + 1) >= NSL_IFNAMSIZ)
		return nsli_clab_err(c, s, "endpoint '%s': name too long", s->value);
	snprintf(e->node, sizeof(e->node), "%.*s", (int)(colon - s->value), s->value);
	snprintf(e->ifname, sizeof(e->ifname), "%s", colon + 1);
	e->at = s;
	return 0;
}

/* {node, interface, mac, ipv4, ipv6, vars}, the extended form. */
static int end_ext(struct clab *c, const struct ynode *v, struct cend *e)
{
	const struct ynode *node = nsli_yget(v, "node"), *ifc = nsli_yget(v, "interface");
	int r = nsli_clab_want(c, v, Y_MAP, "endpoint");

	for (size_t i = 0; r == 0 && i < v->n; i++) {
		const char *k = v->keys[i]->value;

		if (STREQ(k, "vars"))
			r = nsli_clab_warn(c, v->keys[i], "vars ignored: nslab has no configuration templates");
		else if (!STREQ(k, "node") && !STREQ(k, "interface") && !STREQ(k, "mac") && !STREQ(k, "ipv4") &&
			 !STREQ(k, "ipv6"))
			r = nsli_clab_err(c, v->keys[i], "unknown key '%s' in endpoint", k);
		else if (nsli_clab_want(c, v->items[i], Y_SCALAR, k) < 0)
			r = -EINVAL;
	}
	if (r < 0)
		return r;
	if (!node || !ifc)
		return nsli_clab_err(c, v, "endpoint: 'node' and 'interface' are required");
	if (strlen(node->value) > NSL_NSNAME_MAX || strlen(ifc->value) >= NSL_IFNAMSIZ)
		return nsli_clab_err(c, v, "endpoint '%s:%s': name too long", node->value, ifc->value);
	snprintf(e->node, sizeof(e->node), "%s", node->value);
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifc->value);
	e->at = v;
	e->mac = nsli_yget(v, "mac");
	e->addr[0] = nsli_yget(v, "ipv4");
	e->addr[1] = nsli_yget(v, "ipv6");
	return 0;
}

/* `ipv4`/`ipv6` of the link (@f): the address of each end in turn ("" for none). */
static int link_addrs(struct clab *c, const struct ynode *l, int f, struct clink *k)
{
	const char *key = f ? "ipv6" : "ipv4";
	const struct ynode *v = nsli_yget(l, key);

	if (!v)
		return 0;
	if (nsli_clab_want(c, v, Y_SEQ, key) < 0)
		return -EINVAL;
	if (v->n > 2)
		return nsli_clab_err(c, v, "%s: one address per endpoint, at most two", key);
	for (size_t i = 0; i < v->n; i++) {
		if (nsli_clab_want(c, v->items[i], Y_SCALAR, key) < 0)
			return -EINVAL;
		if (!*v->items[i]->value)
			continue;
		if (k->e[i].addr[f])
			return nsli_clab_err(c, v->items[i], "%s: endpoint %zu has its own address", key, i + 1);
		k->e[i].addr[f] = v->items[i];
	}
	return 0;
}

/* The keys of link @l, into @k. */
static int link_keys(struct clab *c, const struct ynode *l, struct clink *k)
{
	const struct ynode *type = nsli_yget(l, "type"), *eps = nsli_yget(l, "endpoints");
	int r = 0;

	for (size_t i = 0; i < l->n && r == 0; i++) {
		const char *key = l->keys[i]->value;

		if (STREQ(key, "vars") || STREQ(key, "labels"))
			r = nsli_clab_warn(c, l->keys[i], "%s ignored: nslab has no configuration templates", key);
		else if (!STREQ(key, "endpoints") && !STREQ(key, "mtu") && !STREQ(key, "ipv4") &&
			 !STREQ(key, "ipv6") && !(type && STREQ(key, "type")))
			r = nsli_clab_err(c, l->keys[i], "unknown key '%s' in link", key);
	}
	if (r < 0)
		return r;
	if (!eps)
		return nsli_clab_err(c, l, "link: 'endpoints' is required");
	if (nsli_clab_want(c, eps, Y_SEQ, "endpoints") < 0)
		return -EINVAL;
	if (eps->n != 2)
		return nsli_clab_err(c, eps, "endpoints: a veth link has two");
	for (int e = 0; e < 2 && r == 0; e++)
		r = type ? end_ext(c, eps->items[e], &k->e[e]) : end_brief(c, eps->items[e], &k->e[e]);
	for (int f = 0; f < 2 && r == 0; f++)
		r = link_addrs(c, l, f, k);
	k->at = l;
	k->mtu = nsli_yget(l, "mtu");
	return r;
}

/* The node of each end: a node of the file (not one of containerlab's special names). */
static int link_nodes(struct clab *c, struct clink *k)
{
	for (int e = 0; e < 2; e++) {
		struct cend *x = &k->e[e];
		uint64_t scope;

		x->ni = nsli_clab_find(c, x->node);
		if (x->ni < 0 && (STREQ(x->node, "host") || STREQ(x->node, "macvlan") || STREQ(x->node, "mgmt-net")))
			return nsli_clab_err(c, x->at, "endpoint '%s:%s': %s links are not supported yet", x->node,
					     x->ifname, x->node);
		if (x->ni < 0)
			return nsli_clab_err(c, x->at, "endpoint '%s:%s': no node '%s'", x->node, x->ifname, x->node);
		scope = (uint64_t)x->ni;
		if (nsli_topo_index_add(&c->used, scope, x->ifname, strlen(x->ifname), 0, NULL) == 0)
			return nsli_clab_err(c, x->at, "interface '%s:%s' is used twice%s", x->node, x->ifname,
					     c->n[x->ni].mgmt && STREQ(x->ifname, "eth0")
						     ? " (eth0 is the management interface: network-mode: none frees it)"
						     : "");
	}
	if (c->n[k->e[0].ni].bridge && c->n[k->e[1].ni].bridge)
		return nsli_clab_err(c, k->at, "link: a link between two bridges is not supported");
	return 0;
}

/* End @x's interface: its addresses, mac and (a bridge port) bridge and mtu. */
static int end_iface(struct clab *c, const struct clink *k, const struct cend *x, const char *bridge)
{
	struct clab_node *cn = &c->n[x->ni];
	struct ynode *ifc, *addrs = NULL;
	int r = 0;

	if (!bridge && !x->mac && !x->addr[0] && !x->addr[1])
		return 0;
	ifc = nsli_clab_iface(cn, x->at, x->ifname);
	if (!ifc)
		return -ENOMEM;
	if (bridge)
		r = nsli_yput_str(ifc, x->at, "bridge", bridge);
	if (r == 0 && bridge)
		r = nsli_yput(ifc, k->mtu ? k->mtu : x->at, "mtu",
			      k->mtu ? nsli_ycopy(k->mtu) : nsli_yscalar(x->at, CLAB_VETH_MTU));
	for (int f = 0; r == 0 && f < 2; f++) {
		if (!x->addr[f])
			continue;
		if (!addrs && !(addrs = nsli_ynew(Y_SEQ, x->addr[f])))
			return -ENOMEM;
		r = nsli_yadd(addrs, NULL, nsli_ycopy(x->addr[f]));
	}
	if (r == 0 && addrs)
		r = nsli_yput(ifc, addrs, "address", TAKE_PTR(addrs));
	if (r == 0 && x->mac)
		r = nsli_yput(ifc, x->mac, "mac", nsli_ycopy(x->mac));
	nsli_ynode_free(addrs);
	return r;
}

/* A native link between the two ends, both nodes. */
static int veth_add(struct clab *c, const struct clink *k)
{
	struct ynode *l = nsli_ynew(Y_MAP, k->at), *eps = nsli_ynew(Y_SEQ, k->at);
	int r = l && eps ? 0 : -ENOMEM;

	for (int e = 0; r == 0 && e < 2; e++) {
		char s[NSL_NSNAME_MAX + NSL_IFNAMSIZ + 2];

		snprintf(s, sizeof(s), "%s:%s", k->e[e].node, k->e[e].ifname);
		r = nsli_yadd(eps, NULL, nsli_yscalar(k->e[e].at, s));
		if (r == 0)
			r = end_iface(c, k, &k->e[e], NULL);
	}
	if (r == 0)
		r = nsli_yput(l, k->at, "endpoints", TAKE_PTR(eps));
	if (r == 0)
		r = nsli_yput(l, k->mtu ? k->mtu : k->at, "mtu",
			      k->mtu ? nsli_ycopy(k->mtu) : nsli_yscalar(k->at, CLAB_VETH_MTU));
	if (r == 0)
		r = nsli_yadd(c->out_links, NULL, TAKE_PTR(l));
	nsli_ynode_free(l);
	nsli_ynode_free(eps);
	return r;
}

/* A port: the node's end on the bridge of the other end. */
static int port_add(struct clab *c, const struct clink *k)
{
	int b = c->n[k->e[0].ni].bridge ? 0 : 1;
	const struct cend *be = &k->e[b];

	if (be->mac || be->addr[0] || be->addr[1])
		return nsli_clab_err(c, be->at, "endpoint '%s:%s': the bridge end of a link takes no address or mac",
				     be->node, be->ifname);
	return end_iface(c, k, &k->e[1 - b], be->node);
}

/* `type:` of the extended form: veth, or one not done yet. */
static int link_type(struct clab *c, const struct ynode *type)
{
	if (!type)
		return 0;
	if (nsli_clab_want(c, type, Y_SCALAR, "type") < 0)
		return -EINVAL;
	if (STREQ(type->value, "veth"))
		return 0;
	if (STREQ(type->value, "dummy"))
		return nsli_clab_err(c, type, "link type 'dummy': %s",
				     access("/sys/module/dummy", F_OK) == 0 ? "not supported yet" : "kernel lacks dummy");
	if (STREQ(type->value, "host") || STREQ(type->value, "mgmt-net") || STREQ(type->value, "macvlan") ||
	    STREQ(type->value, "vxlan") || STREQ(type->value, "vxlan-stitch"))
		return nsli_clab_err(c, type, "link type '%s': not supported yet", type->value);
	return nsli_clab_err(c, type, "link type '%s': expected veth, host, mgmt-net, macvlan, vxlan, vxlan-stitch or dummy",
			     type->value);
}

int nsli_clab_links(struct clab *c)
{
	const struct ynode *v = c->links;
	int r;

	if (!v || (v->type == Y_SCALAR && v->null))
		return 0;
	if (nsli_clab_want(c, v, Y_SEQ, "links") < 0)
		return -EINVAL;
	for (size_t i = 0; i < v->n; i++) {
		struct clink k = { 0 };

		if (nsli_clab_want(c, v->items[i], Y_MAP, "link") < 0)
			return -EINVAL;
		r = link_type(c, nsli_yget(v->items[i], "type"));
		if (r == 0)
			r = link_keys(c, v->items[i], &k);
		if (r == 0)
			r = link_nodes(c, &k);
		if (r == 0)
			r = c->n[k.e[0].ni].bridge || c->n[k.e[1].ni].bridge ? port_add(c, &k) : veth_add(c, &k);
		if (r == -ENOMEM)
			return nsl_err_set(c->err, NSL_E_SYSTEM, r, c->path, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}
