// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The link kinds hot-add can make, one small ops entry each (iproute2's struct link_util):
 * a veth (host end on a bridge, target end born in the target) and a macvlan on a host
 * interface (born in the target, so it never appears on the host).
 */
#include <linux/if.h>
#include <linux/if_link.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include "core.h"
#include "macro.h"
#include "nic-internal.h"
#include "nslab/link.h"
#include "nslab/veth.h"

int nsli_nic_link_owned(struct nsl_ctx *ctx, const char *netns, const char *ifname, const char *alias,
		   struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *l = NULL;
	size_t n = 0;
	int r;

	r = nsl_link_list(ctx, netns, ifname, &l, &n, err);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	if (n == 0)
		return 0;
	if (!STREQ(l[0].alias, alias))
		return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ifname,
				   "'%s' exists and is not owned by nslab (alias '%s')", ifname, l[0].alias);
	return 1;
}

/* ---- veth ---- */

/* Derived, deterministic host name; a foreign link holding it moves us to the next salt. */
static int veth_host_name(struct nsl_ctx *ctx, struct nic_plan *p, struct nsl_err *err)
{
	for (unsigned salt = 0; salt < 16; salt++) {
		int r;

		nsl_nic_host_name(p->info.logical, salt, p->info.host_ifname);
		r = nsl_link_exists(ctx, NULL, p->info.host_ifname, err);
		if (r < 0)
			return r;
		if (r == 0)
			return 0;
	}
	return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, p->info.logical,
			   "every derived host-side name is taken");
}

/* An existing bridge lends its MTU; a missing one will be made, and marked as ours. */
static int veth_bridge(struct nsl_ctx *ctx, struct nic_plan *p, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *l = NULL;
	size_t n = 0;
	int r;

	r = nsl_link_list(ctx, NULL, p->info.bridge, &l, &n, err);
	if (r == -ENODEV || (r >= 0 && n == 0)) {
		p->info.bridge_created = true;
		return 0;
	}
	if (r < 0)
		return r;
	if (!STREQ(l[0].kind, "bridge"))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, p->info.bridge, "'%s' is not a bridge",
				   p->info.bridge);
	if (!p->info.mtu)
		p->info.mtu = l[0].mtu;
	return 0;
}

static int veth_prepare(struct nsl_ctx *ctx, const struct nsl_nic *nic, struct nic_plan *p,
			struct nsl_err *err)
{
	int r = veth_host_name(ctx, p, err);

	if (r < 0 || !nic->bridge)
		return r;
	snprintf(p->info.bridge, sizeof(p->info.bridge), "%s", nic->bridge);
	return veth_bridge(ctx, p, err);
}

static int veth_create(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	const struct nsl_nic_info *i = &p->info;
	struct nsl_veth v = {
		.name = i->host_ifname,
		.peer = i->ifname,
		.peer_netns = p->tgt->spec,
		.mtu = i->mtu,
		.peer_mac = i->has_mac ? i->mac : NULL,
		.master = i->bridge[0] ? i->bridge : NULL,
		.up = true,
		.peer_up = true,
		.alias = p->alias,
		.peer_alias = p->alias,
		.altname = i->logical,
	};

	return nsl_veth_add(ctx, &v, err);
}

static int veth_remove(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	int r = nsli_nic_link_owned(ctx, p->host, p->info.host_ifname, p->alias, err);

	if (r <= 0)
		return r;
	/* Deleting one end of a veth deletes the other, wherever it is. */
	r = nsl_link_del(ctx, p->host, p->info.host_ifname, err);
	return r == -ENODEV ? 0 : r;
}

static int veth_present(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	int r = nsli_nic_link_owned(ctx, p->host, p->info.host_ifname, p->alias, err);

	return r == -EEXIST ? 0 : r;
}

/* ---- macvlan ---- */

static const struct {
	const char *name;
	uint32_t mode;
} macvlan_modes[] = {
	{ "bridge", MACVLAN_MODE_BRIDGE },   { "private", MACVLAN_MODE_PRIVATE },
	{ "vepa", MACVLAN_MODE_VEPA },	     { "passthru", MACVLAN_MODE_PASSTHRU },
	{ "source", MACVLAN_MODE_SOURCE },
};

int nsli_nic_macvlan_mode(const char *name, uint32_t *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(macvlan_modes); i++)
		if (STREQ(macvlan_modes[i].name, name)) {
			*ret = macvlan_modes[i].mode;
			return 0;
		}
	return -EINVAL;
}

static int macvlan_prepare(struct nsl_ctx *ctx, const struct nsl_nic *nic, struct nic_plan *p,
			   struct nsl_err *err)
{
	struct nsl_nl *nl;
	int r;

	snprintf(p->info.parent, sizeof(p->info.parent), "%s", nic->macvlan_parent);
	snprintf(p->info.mode, sizeof(p->info.mode), "%s",
		 nic->macvlan_mode ? nic->macvlan_mode : "bridge");
	if (nsli_nic_macvlan_mode(p->info.mode, &p->macvlan_mode) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, p->info.mode,
				   "macvlan mode must be bridge, private, vepa, passthru or source");
	r = nsli_nl_get(ctx, NULL, &nl, err);
	if (r < 0)
		return r;
	r = nsli_nl_ifindex(nl, p->info.parent, err);
	if (r < 0)
		return r;
	p->parent_ifindex = r;
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_addr *, nl_addr_put);

/*
 * Sent in the host netns: IFLA_LINK names the parent there, IFLA_NET_NS_FD makes the device
 * be born in the target already named @ifname and up, in one request.
 */
int nsli_nic_macvlan_build(const char *ifname, int parent_ifindex, uint32_t mode, int nsfd,
		      const uint8_t *mac, uint32_t mtu, struct nl_msg **ret)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = rtnl_link_macvlan_alloc();
	_cleanup_(nl_addr_putp) struct nl_addr *a = NULL;
	int r;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, ifname);
	rtnl_link_set_link(l, parent_ifindex);
	r = rtnl_link_macvlan_set_mode(l, mode);
	if (r < 0)
		return nsli_nle_errno(r);
	rtnl_link_set_ns_fd(l, nsfd);
	if (mac) {
		a = nl_addr_build(AF_LLC, mac, 6);
		if (!a)
			return -ENOMEM;
		rtnl_link_set_addr(l, a);
	}
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	rtnl_link_set_flags(l, IFF_UP);
	r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, ret);
	return r < 0 ? nsli_nle_errno(r) : 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free);

/* Alias and altname are not taken by RTM_NEWLINK at creation: set them from the target. */
static int macvlan_mark(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	struct nsl_link_set set = { .alias = p->alias };
	int r;

	r = nsl_link_set(ctx, p->tgt->spec, p->info.ifname, &set, err);
	if (r < 0)
		return r;
	return nsl_link_altname_add(ctx, p->tgt->spec, p->info.ifname, p->info.logical, err);
}

static int macvlan_create(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	const struct nsl_nic_info *i = &p->info;
	struct nsl_nl *nl;
	int r;

	r = nsli_nic_macvlan_build(i->ifname, p->parent_ifindex, p->macvlan_mode, p->tgt->nsfd,
			      i->has_mac ? i->mac : NULL, i->mtu, &msg);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, i->ifname, "macvlan request: %s", strerror(-r));
	r = nsli_nl_get(ctx, NULL, &nl, err);
	if (r < 0)
		return r;
	r = nsli_nl_talk_msg(nl, msg, err);
	if (r < 0)
		return nsl_err_set(err, r == -EEXIST ? NSL_E_CONFLICT : NSL_E_SYSTEM, r, i->ifname,
				   "cannot create macvlan: %s", strerror(-r));
	r = macvlan_mark(ctx, p, err);
	if (r < 0)
		nsl_link_del(ctx, p->tgt->spec, i->ifname, NULL);
	return r;
}

static int macvlan_remove(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	int r;

	if (!p->tgt) /* the target is gone, and its netns took the macvlan along */
		return 0;
	r = nsli_nic_link_owned(ctx, p->tgt->spec, p->info.ifname, p->alias, err);
	if (r <= 0)
		return r;
	r = nsl_link_del(ctx, p->tgt->spec, p->info.ifname, err);
	return r == -ENODEV ? 0 : r;
}

static int macvlan_present(struct nsl_ctx *ctx, const struct nic_plan *p, struct nsl_err *err)
{
	int r;

	if (!p->tgt)
		return 0;
	r = nsli_nic_link_owned(ctx, p->tgt->spec, p->info.ifname, p->alias, err);
	return r == -EEXIST ? 0 : r;
}

static const struct nic_kind kinds[] = {
	{ "veth", false, veth_prepare, veth_create, veth_remove, veth_present },
	{ "macvlan", true, macvlan_prepare, macvlan_create, macvlan_remove, macvlan_present },
};

const struct nic_kind *nsli_nic_kind_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
		if (STREQ(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}
