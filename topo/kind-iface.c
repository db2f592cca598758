// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kinds: a node's interface on a bridge (a veth pair, one end a port of the bridge), and the
 * addresses of every interface. */
#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"

/* ---- an interface on a bridge ---- */

static int port_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct nsl_topo_iface *ifc = &n->ifaces[k];
			const struct nsl_topo_bridge *br;
			struct obj *x;

			if (ifc->bridge_idx < 0)
				continue;
			br = &t->bridges[ifc->bridge_idx];
			B->iface_obj[B->iface_base[i] + k] = (int)B->o->n;
			x = nsli_builder_push(B, O_PORT, B->node_obj[i], B->br_obj[ifc->bridge_idx]);
			if (!x)
				return -ENOMEM;
			x->node = (int)i;
			x->iface = (int)k;
			snprintf(x->key, sizeof(x->key), "iface %s:%s", n->name, ifc->name);
			x->sig = nsli_sigf("%s %s %s %u %d %02x%02x%02x%02x%02x%02x", ifc->host, br->ifname, n->netns, ifc->mtu,
				      ifc->has_mac, ifc->mac[0], ifc->mac[1], ifc->mac[2], ifc->mac[3], ifc->mac[4],
				      ifc->mac[5]);
		}
	}
	return 0;
}

static int port_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	const struct nsl_topo_iface *ifc = &n->ifaces[x->iface];
	const struct nsl_topo_bridge *br = &t->bridges[ifc->bridge_idx];
	struct nsl_veth v = {
		.name = ifc->host,
		.netns = nsli_br_netns(t, br),
		.peer = ifc->name,
		.peer_netns = n->netns,
		.mtu = ifc->mtu,
		.peer_mac = ifc->has_mac ? ifc->mac : NULL,
		.master = br->ifname,
		.up = true,
		.peer_up = true,
		.alias = R->mark,
		.altname = ifc->altname,
		.group = nsli_br_netns(t, br) ? 0 : R->group,
	};
	int r;

	if (!v.netns) {
		r = nsli_run_jadd(R, "link %s", ifc->host);
		if (r < 0)
			return r;
	}
	v.master_ifindex = nsli_bridge_ifindex(R, t, ifc->bridge_idx);
	r = nsl_veth_add(R->ctx, &v, err);
	if (r < 0 && !v.netns)
		nsli_run_jadd(R, "-link %s", ifc->host); /* nothing made (nsl_veth_add undoes itself) */
	return r;
}

static int port_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_iface *ifc = &t->nodes[x->node].ifaces[x->iface];
	const char *ns = nsli_br_netns(t, &t->bridges[ifc->bridge_idx]);
	int r = nsli_del_marked_link(R, ns, ifc->host, err);

	if (r < 0)
		return r;
	return ns ? 0 : nsli_run_jadd(R, "-link %s", ifc->host);
}

static bool port_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_iface *ifc = &L->t->nodes[x->node].ifaces[x->iface];
	const struct nsl_topo_bridge *br = &L->t->bridges[ifc->bridge_idx];
	const struct nsl_link_info *host, *brd;

	if (!nsli_live_dev_ok(L, br->node_idx, ifc->host, "the bridge end", why, size) ||
	    !nsli_live_dev_ok(L, x->node, ifc->name, "the node end", why, size))
		return false;
	host = nsli_live_dev(L, br->node_idx, ifc->host);
	brd = nsli_live_dev(L, br->node_idx, br->ifname);
	if (brd && host->master != brd->ifindex) {
		snprintf(why, size, "the bridge end is not on its bridge");
		return false;
	}
	return true;
}

static int port_conflict(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			 const struct nsl_link_info *root, size_t n_root, struct nsl_err *err)
{
	const struct nsl_topo_iface *ifc = &t->nodes[x->node].ifaces[x->iface];

	if (x->state != S_ADD || t->bridges[ifc->bridge_idx].node_idx >= 0)
		return 0;
	return nsli_root_dev_conflict(t, ifc->host, root, n_root, err);
}

static const char *port_root_dev(const struct nsl_topo *t, const struct obj *x)
{
	const struct nsl_topo_iface *ifc = &t->nodes[x->node].ifaces[x->iface];

	return t->bridges[ifc->bridge_idx].node_idx < 0 ? ifc->host : NULL;
}

const struct kind nsli_kind_port = {
	.name = "interface",
	.flags = KIND_ROUTES,
	.build = port_build,
	.add = port_add,
	.remove = port_remove,
	.live_ok = port_live_ok,
	.conflict = port_conflict,
	.root_dev = port_root_dev,
};

/* ---- an interface's address ---- */

static int addr_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;
	char a[64];

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct nsl_topo_iface *ifc = &n->ifaces[k];
			/* Its parent: the interface's port, or the link it is an end of. */
			int parent = ifc->bridge_idx >= 0 ? B->iface_obj[B->iface_base[i] + k] : B->link_obj[ifc->link_idx];

			for (size_t j = 0; j < ifc->n_addrs; j++) {
				struct obj *x = nsli_builder_push(B, O_ADDR, parent, -1);

				if (!x)
					return -ENOMEM;
				x->node = (int)i;
				x->iface = (int)k;
				x->idx = (int)j;
				snprintf(x->key, sizeof(x->key), "addr %s:%s %s", n->name, ifc->name, nsli_pstr(&ifc->addrs[j], a));
			}
		}
	}
	return 0;
}

static int addr_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	const struct nsl_topo_iface *ifc = &n->ifaces[x->iface];
	const struct nsl_prefix *p = &ifc->addrs[x->idx];

	/* No DAD: the lab is fresh and its addresses were checked for duplicates. */
	return nsl_addr_add(R->ctx, n->netns, ifc->name, p, p->family == AF_INET6 ? NSL_ADDR_NODAD : 0, err);
}

static int addr_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	const struct nsl_topo_iface *ifc = &n->ifaces[x->iface];
	int r = nsl_addr_del(R->ctx, n->netns, ifc->name, &ifc->addrs[x->idx], err);

	return r < 0 && !nsli_gone(r) ? r : 0;
}

static bool addr_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_iface *ifc = &L->t->nodes[x->node].ifaces[x->iface];

	/* With its device gone, the device is the drift (and takes its addresses along). */
	if (!nsli_live_dev(L, x->node, ifc->name) || nsli_live_addr_on(L, x->node, ifc->name, &ifc->addrs[x->idx]))
		return true;
	snprintf(why, size, "the address is missing");
	return false;
}

const struct kind nsli_kind_addr = {
	.name = "address",
	.flags = KIND_ROUTES,
	.build = addr_build,
	.add = addr_add,
	.remove = addr_remove,
	.live_ok = addr_live_ok,
};
