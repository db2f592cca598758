// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kinds: a bridge (in the root netns or in a node), and its addresses. */
#include <sys/random.h>

#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"

/* ---- bridge ---- */

static int bridge_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &t->bridges[i];
		struct obj *x;

		B->br_obj[i] = (int)B->o->n;
		x = nsli_builder_push(B, O_BRIDGE, br->node_idx >= 0 ? B->node_obj[br->node_idx] : -1, -1);
		if (!x)
			return -ENOMEM;
		x->bridge = (int)i;
		snprintf(x->key, sizeof(x->key), "bridge %s", br->name);
		x->sig = nsli_sigf("%s %s %d %d %u", br->ifname, br->node ? br->node : "", br->stp, br->vlan_filtering,
			      br->mtu);
	}
	return 0;
}

int nsli_bridge_ifindex(struct run *R, const struct nsl_topo *t, int i)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	size_t n = 0;

	if (!R->br_ifindex)
		R->br_ifindex = calloc(t->n_bridges + 1, sizeof(int));
	if (!R->br_ifindex)
		return 0;
	if (!R->br_ifindex[i] &&
	    nsl_link_list(R->ctx, nsli_br_netns(t, &t->bridges[i]), t->bridges[i].ifname, &li, &n, NULL) == 0 && n == 1)
		R->br_ifindex[i] = li->ifindex;
	return R->br_ifindex[i];
}

/* A random locally administered MAC for bridge @ifname, journaled ("brmac") before use. */
static int bridge_nonce(struct run *R, const char *ifname, uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		return -EIO;
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	return nsli_run_jadd(R, "brmac %s %02x:%02x:%02x:%02x:%02x:%02x", ifname, mac[0], mac[1], mac[2], mac[3], mac[4],
			mac[5]);
}

static int bridge_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
	uint8_t mac[6];
	struct nsl_bridge b = {
		.name = br->ifname,
		.netns = nsli_br_netns(t, br),
		.stp = br->stp ? NSL_TRI_ON : NSL_TRI_KEEP,
		.vlan_filtering = br->vlan_filtering ? NSL_TRI_ON : NSL_TRI_KEEP,
		.mtu = br->mtu,
		.up = true,
		.alias = R->mark,
		/* Snooping stays off until all ports are in (up.c): while it is on, each new port
		 * re-arms the multicast timers of every port, N^2 timer operations for N ports. */
		.mcast_snooping = NSL_TRI_OFF,
		/* In the lab's group with its ports: down deletes them all in one batch. */
		.group = nsli_br_netns(t, br) ? 0 : R->group,
	};
	int r = 0;

	if (!b.netns) {
		/* The kernel takes no alias in a create request, so the marker comes a request later;
		 * a random MAC, journaled first and given in the create request, proves the bridge
		 * the lab's should up die in between. */
		r = bridge_nonce(R, br->ifname, mac);
		if (r == 0)
			r = nsli_run_jadd(R, "link %s", br->ifname);
		if (r < 0)
			return r;
		b.mac = mac;
	}
	if (R->br_ifindex)
		R->br_ifindex[x->bridge] = 0; /* made anew */
	r = nsl_bridge_add(R->ctx, &b, err);
	if (r < 0) {
		if (!b.netns) { /* nothing made */
			nsli_run_jadd(R, "-link %s", br->ifname);
			nsli_run_forget(R, "brmac %s ", br->ifname);
		}
		return r;
	}
	nsli_run_changed(R);
	if (!b.netns && !STREQ(br->altname, br->ifname))
		r = nsl_link_altname_add(R->ctx, NULL, br->ifname, br->altname, err);
	return r;
}

static int bridge_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
	int r = nsli_del_marked_link(R, nsli_br_netns(t, br), br->ifname, err);

	if (r < 0 || nsli_br_netns(t, br))
		return r;
	nsli_run_forget(R, "brmac %s ", br->ifname);
	return nsli_run_jadd(R, "-link %s", br->ifname);
}

static bool bridge_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_bridge *br = &L->t->bridges[x->bridge];

	return nsli_live_dev_ok(L, br->node_idx, br->ifname, "bridge", why, size);
}

static int bridge_conflict(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			   const struct nsl_link_info *root, size_t n_root, struct nsl_err *err)
{
	const struct nsl_topo_bridge *br = &t->bridges[x->bridge];

	if (x->state != S_ADD || br->node_idx >= 0)
		return 0;
	return nsli_root_dev_conflict(t, br->ifname, root, n_root, err);
}

static const char *bridge_root_dev(const struct nsl_topo *t, const struct obj *x)
{
	return t->bridges[x->bridge].node_idx < 0 ? t->bridges[x->bridge].ifname : NULL;
}

const struct kind nsli_kind_bridge = {
	.name = "bridge",
	.build = bridge_build,
	.add = bridge_add,
	.remove = bridge_remove,
	.live_ok = bridge_live_ok,
	.conflict = bridge_conflict,
	.root_dev = bridge_root_dev,
};

/* ---- a bridge's address ---- */

static int braddr_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;
	char a[64];

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &t->bridges[i];

		for (size_t k = 0; k < br->n_addrs; k++) {
			struct obj *x = nsli_builder_push(B, O_BRADDR, B->br_obj[i], -1);

			if (!x)
				return -ENOMEM;
			x->bridge = (int)i;
			x->idx = (int)k;
			snprintf(x->key, sizeof(x->key), "addr bridge %s %s", br->name, nsli_pstr(&br->addrs[k], a));
		}
	}
	return 0;
}

static int braddr_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
	const struct nsl_prefix *p = &br->addrs[x->idx];

	return nsl_addr_add(R->ctx, nsli_br_netns(t, br), br->ifname, p, p->family == AF_INET6 ? NSL_ADDR_NODAD : 0, err);
}

static int braddr_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
	int r = nsl_addr_del(R->ctx, nsli_br_netns(t, br), br->ifname, &br->addrs[x->idx], err);

	return r < 0 && !nsli_gone(r) ? r : 0;
}

static bool braddr_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_bridge *br = &L->t->bridges[x->bridge];

	if (!nsli_live_dev(L, br->node_idx, br->ifname) || nsli_live_addr_on(L, br->node_idx, br->ifname, &br->addrs[x->idx]))
		return true;
	snprintf(why, size, "the address is missing");
	return false;
}

const struct kind nsli_kind_braddr = {
	.name = "bridge address",
	.build = braddr_build,
	.add = braddr_add,
	.remove = braddr_remove,
	.live_ok = braddr_live_ok,
};
