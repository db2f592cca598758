// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Linux bridges. Built with libmnl: libnl 3.7 has no setter for IFLA_BR_STP_STATE or
 * IFLA_BR_VLAN_FILTERING.
 */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "core.h"
#include "link-internal.h"
#include "nslab/bridge.h"
#include "nslab/parse.h"

void nsli_bridge_put(struct nlmsghdr *h, const struct nsl_bridge *b, bool create)
{
	struct ifinfomsg *ifi;
	struct nlattr *li, *data;

	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = create ? NLM_F_CREATE | NLM_F_EXCL : 0;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (b->up && create) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	mnl_attr_put_strz(h, IFLA_IFNAME, b->name);
	if (b->mtu)
		mnl_attr_put_u32(h, IFLA_MTU, b->mtu);
	if (b->mac && create)
		mnl_attr_put(h, IFLA_ADDRESS, 6, b->mac);
	if (b->group && create)
		mnl_attr_put_u32(h, IFLA_GROUP, b->group);
	li = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	if (b->stp != NSL_TRI_KEEP || b->vlan_filtering != NSL_TRI_KEEP || b->mcast_snooping != NSL_TRI_KEEP) {
		data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
		if (b->stp != NSL_TRI_KEEP)
			mnl_attr_put_u32(h, IFLA_BR_STP_STATE, b->stp == NSL_TRI_ON);
		if (b->vlan_filtering != NSL_TRI_KEEP)
			mnl_attr_put_u8(h, IFLA_BR_VLAN_FILTERING, b->vlan_filtering == NSL_TRI_ON);
		if (b->mcast_snooping != NSL_TRI_KEEP)
			mnl_attr_put_u8(h, IFLA_BR_MCAST_SNOOPING, b->mcast_snooping == NSL_TRI_ON);
		mnl_attr_nest_end(h, data);
	}
	mnl_attr_nest_end(h, li);
}

/* Check what add and set share, and get the session of @b's netns. */
static int bridge_session(struct nsl_ctx *ctx, const struct nsl_bridge *b, struct nsl_nl **ret,
			  struct nsl_err *err)
{
	int r = nsl_parse_ifname(b->name, err);

	if (r < 0)
		return r;
	if (b->mtu && (b->mtu < 68 || b->mtu > 65535))
		return nsl_err_set(err, NSL_E_USAGE, -ERANGE, b->name, "MTU out of range (68-65535)");
	return nsli_nl_get(ctx, b->netns, ret, err);
}

_public_ int nsl_bridge_add(struct nsl_ctx *ctx, const struct nsl_bridge *b, struct nsl_err *err)
{
	char buf[512] = { 0 }, b2[512] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r;

	if (b->alias && strlen(b->alias) >= 256)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, b->name, "alias longer than 255 bytes");
	r = bridge_session(ctx, b, &nl, err);
	if (r < 0)
		return r;
	nsli_bridge_put(h, b, true);
	r = nsli_nl_talk(nl, h, err);
	if (r == -EEXIST)
		return nsl_err_set(err, NSL_E_CONFLICT, r, b->name, "a device named '%s' already exists", b->name);
	if (r == -EOPNOTSUPP && err && !err->extack[0])
		return nsl_err_set(err, NSL_E_SYSTEM, r, b->name, "kernel lacks %s",
				   b->vlan_filtering == NSL_TRI_ON ? "bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"
								   : "bridge support");
	if (r < 0) {
		if (err)
			snprintf(err->object, sizeof(err->object), "%s", b->name);
		return r;
	}
	if (b->alias) {
		struct nlmsghdr *a = mnl_nlmsg_put_header(b2);
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(a, sizeof(*ifi));

		a->nlmsg_type = RTM_NEWLINK;
		mnl_attr_put_strz(a, IFLA_IFNAME, b->name);
		mnl_attr_put_strz(a, IFLA_IFALIAS, b->alias);
		r = nsli_nl_talk(nl, a, err);
		if (r < 0) {
			nsl_link_del(ctx, b->netns, b->name, NULL);
			return r;
		}
	}
	return 0;
}

_public_ int nsl_bridge_set(struct nsl_ctx *ctx, const struct nsl_bridge *b, struct nsl_err *err)
{
	char buf[512] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r;

	r = bridge_session(ctx, b, &nl, err);
	if (r < 0)
		return r;
	nsli_bridge_put(h, b, false);
	r = nsli_nl_talk(nl, h, err);
	if (r < 0 && err)
		snprintf(err->object, sizeof(err->object), "%s", b->name);
	return r;
}

static int require_bridge(struct nsl_ctx *ctx, const char *netns, const char *name, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	size_t n;
	int r;

	r = nsl_parse_ifname(name, err);
	if (r < 0)
		return r;
	r = nsl_link_list(ctx, netns, name, &li, &n, err);
	if (r < 0)
		return r;
	if (!STREQ(li[0].kind, "bridge"))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "'%s' is not a bridge", name);
	return 0;
}

_public_ int nsl_bridge_del(struct nsl_ctx *ctx, const char *netns, const char *name,
			    struct nsl_err *err)
{
	int r = require_bridge(ctx, netns, name, err);

	if (r < 0)
		return r;
	return nsl_link_del(ctx, netns, name, err);
}

_public_ int nsl_bridge_attach(struct nsl_ctx *ctx, const char *netns, const char *name,
			       const char *port, struct nsl_err *err)
{
	struct nsl_link_set s = { .master = name };
	int r = require_bridge(ctx, netns, name, err);

	if (r < 0)
		return r;
	return nsl_link_set(ctx, netns, port, &s, err);
}

_public_ int nsl_bridge_detach(struct nsl_ctx *ctx, const char *netns, const char *port,
			       struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	struct nsl_link_set s = { .nomaster = true };
	size_t n;
	int r;

	r = nsl_parse_ifname(port, err);
	if (r < 0)
		return r;
	r = nsl_link_list(ctx, netns, port, &li, &n, err);
	if (r < 0)
		return r;
	if (!li[0].master)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, port, "'%s' is not attached to a bridge", port);
	return nsl_link_set(ctx, netns, port, &s, err);
}
