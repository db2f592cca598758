// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kinds: a point-to-point link (a veth pair between two nodes), and its rate. */
#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "qdisc.h"
#include "run.h"

/* ---- link ---- */

static int p2p_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_links; i++) {
		const struct nsl_topo_link *l = &t->links[i];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
		const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];
		struct obj *x;

		B->link_obj[i] = (int)B->o->n;
		x = nsli_builder_push(B, O_P2P, B->node_obj[l->ep[0].node], B->node_obj[l->ep[1].node]);
		if (!x)
			return -ENOMEM;
		x->link = (int)i;
		x->node = l->ep[0].node;
		x->node2 = l->ep[1].node;
		snprintf(x->key, sizeof(x->key), "link %s:%s %s:%s", na->name, ia->name, nb->name, ib->name);
		x->sig = nsli_sigf("%s %s %u %u %u %d %02x%02x%02x%02x%02x%02x %d %02x%02x%02x%02x%02x%02x", na->netns,
			      nb->netns, l->mtu, ia->mtu, ib->mtu, ia->has_mac, ia->mac[0], ia->mac[1], ia->mac[2],
			      ia->mac[3], ia->mac[4], ia->mac[5], ib->has_mac, ib->mac[0], ib->mac[1], ib->mac[2],
			      ib->mac[3], ib->mac[4], ib->mac[5]);
	}
	return 0;
}

static int p2p_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_link *l = &t->links[x->link];
	const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
	const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];
	struct nsl_veth v = {
		.name = ia->name,
		.netns = na->netns,
		.peer = ib->name,
		.peer_netns = nb->netns,
		.mtu = l->mtu ? l->mtu : ia->mtu ? ia->mtu : ib->mtu,
		.mac = ia->has_mac ? ia->mac : NULL,
		.peer_mac = ib->has_mac ? ib->mac : NULL,
		.up = true,
		.peer_up = true,
	};

	return nsl_veth_add(R->ctx, &v, err);
}

static int p2p_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_link *l = &t->links[x->link];
	const struct nsl_topo_node *na = &t->nodes[l->ep[0].node];
	int r = nsl_link_del(R->ctx, na->netns, na->ifaces[l->ep[0].iface].name, err);

	return r < 0 && !nsli_gone(r) ? r : 0;
}

static bool p2p_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_link *l = &L->t->links[x->link];

	for (int e = 0; e < 2; e++) {
		const struct nsl_topo_node *ne = &L->t->nodes[l->ep[e].node];

		if (!nsli_live_dev_ok(L, l->ep[e].node, ne->ifaces[l->ep[e].iface].name, e ? "the second end" : "the first end",
				 why, size))
			return false;
	}
	return true;
}

const struct kind nsli_kind_p2p = {
	.name = "link",
	.flags = KIND_ROUTES,
	.build = p2p_build,
	.add = p2p_add,
	.remove = p2p_remove,
	.live_ok = p2p_live_ok,
};

/* ---- a link's qdiscs: its rate (tbf) and impairments (netem), each end's egress ---- */

static int rate_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_links; i++) {
		const struct nsl_topo_link *l = &t->links[i];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
		char ea[160], eb[160];
		struct obj *x;

		if (!l->rate && !l->has_netem)
			continue;
		x = nsli_builder_push(B, O_RATE, B->link_obj[i], -1);
		if (!x)
			return -ENOMEM;
		x->link = (int)i;
		nsli_topo_netem_str(&l->netem[0], ea, sizeof(ea));
		nsli_topo_netem_str(&l->netem[1], eb, sizeof(eb));
		snprintf(x->key, sizeof(x->key), "qdisc %s:%s %s:%s", na->name, na->ifaces[l->ep[0].iface].name, nb->name,
			 nb->ifaces[l->ep[1].iface].name);
		x->sig = nsli_sigf("%s | %s | %s", l->rate ? l->rate_text : "", ea, eb);
	}
	return 0;
}

static int rate_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_link *l = &t->links[x->link];
	int r = 0;

	for (int e = 0; e < 2 && r >= 0; e++) {
		const struct nsl_topo_node *ne = &t->nodes[l->ep[e].node];

		/* netem as the root with tbf under it where both are asked for (qdisc.c). */
		r = nsli_topo_qdisc_netem(R->ctx, ne->netns, ne->ifaces[l->ep[e].iface].name, &l->netem[e], l->rate, err);
	}
	return r;
}

static int rate_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_link *l = &t->links[x->link];

	for (int e = 0; e < 2; e++) {
		const struct nsl_topo_node *ne = &t->nodes[l->ep[e].node];

		nsli_topo_qdisc_del(R->ctx, ne->netns, ne->ifaces[l->ep[e].iface].name, NULL);
	}
	return 0;
}

static bool rate_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_link *l = &L->t->links[x->link];

	for (int e = 0; e < 2; e++) {
		const struct nsl_topo_node *ne = &L->t->nodes[l->ep[e].node];

		if (!nsli_live_qdisc_ok(L, l->ep[e].node, ne->ifaces[l->ep[e].iface].name, &l->netem[e], l->rate,
					e ? "the second end" : "the first end", why, size))
			return false;
	}
	return true;
}

const struct kind nsli_kind_rate = {
	.name = "qdisc",
	.build = rate_build,
	.add = rate_add,
	.remove = rate_remove,
	.live_ok = rate_live_ok,
};
