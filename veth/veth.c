// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * veth pairs, created with each end already in its final namespace and with its final
 * name, in one RTM_NEWLINK: the peer's netns fd travels in the nested peer info, so the
 * peer never appears in the caller's netns and never collides with a host name
 * (docker-topo #15). Moving a device between namespaces afterwards costs 17-20 ms each.
 */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "core.h"
#include "link-internal.h"
#include "nslab/parse.h"
#include "nslab/veth.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free)

static int validate(const struct nsl_veth *v, struct nsl_err *err)
{
	int r;

	if (!v->name || !v->peer)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, v->name, "both names are required");
	if ((r = nsl_parse_ifname(v->name, err)) < 0 || (r = nsl_parse_ifname(v->peer, err)) < 0)
		return r;
	if (v->master && (r = nsl_parse_ifname(v->master, err)) < 0)
		return r;
	if ((v->alias && (r = nsl_parse_alias(v->alias, err)) < 0) ||
	    (v->peer_alias && (r = nsl_parse_alias(v->peer_alias, err)) < 0))
		return r;
	if (v->mtu && (v->mtu < 68 || v->mtu > 65535))
		return nsl_err_set(err, NSL_E_USAGE, -ERANGE, v->name, "MTU out of range (68-65535)");
	if (STREQ(v->name, v->peer) && ((!v->netns && !v->peer_netns) ||
					(v->netns && v->peer_netns && STREQ(v->netns, v->peer_netns))))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, v->name, "both ends have the same name in one netns");
	return 0;
}

static int set_mac(struct rtnl_link *l, const uint8_t *mac)
{
	struct nl_addr *a;

	if (!mac)
		return 0;
	a = nl_addr_build(AF_LLC, mac, 6);
	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);
	nl_addr_put(a);
	return 0;
}

int nsli_veth_build_add(const struct nsl_veth *v, int ns_fd, int peer_ns_fd, int master_index,
		       struct nl_msg **ret)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = rtnl_link_veth_alloc();
	struct rtnl_link *peer;
	struct nl_msg *msg = NULL;
	int r;

	if (!l)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(l); /* borrowed */
	rtnl_link_set_name(l, v->name);
	rtnl_link_set_name(peer, v->peer);
	if (v->mtu) {
		rtnl_link_set_mtu(l, v->mtu);
		rtnl_link_set_mtu(peer, v->mtu);
	}
	/* One queue each, the number a veth uses unless told otherwise: left to the default, the
	 * kernel allocates one per CPU and then trims them after registration, waiting for an
	 * expedited RCU grace period per pair (~15 % of a star lab's up). */
	rtnl_link_set_num_tx_queues(l, 1);
	rtnl_link_set_num_rx_queues(l, 1);
	rtnl_link_set_num_tx_queues(peer, 1);
	rtnl_link_set_num_rx_queues(peer, 1);
	if (v->group) {
		rtnl_link_set_group(l, v->group);
		rtnl_link_set_group(peer, v->group);
	}
	if (set_mac(l, v->mac) < 0 || set_mac(peer, v->peer_mac) < 0) {
		rtnl_link_put(peer);
		return -ENOMEM;
	}
	if (ns_fd >= 0)
		rtnl_link_set_ns_fd(l, ns_fd);
	if (peer_ns_fd >= 0)
		rtnl_link_set_ns_fd(peer, peer_ns_fd);
	if (master_index > 0)
		rtnl_link_set_master(l, master_index);
	/* The creating end comes up in this request; on Linux up to at least 6.18 the peer's
	 * ifi_flags are ignored, so the peer needs its own message from its netns. */
	if (v->up)
		rtnl_link_set_flags(l, IFF_UP);
	rtnl_link_put(peer);
	r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, &msg);
	if (r < 0)
		return nsli_nle_errno(r);
	*ret = msg;
	return 0;
}

/* Follow-ups sent from one end's own netns: up, alias, altname; batched into one sendmsg. */
static int finish_end(struct nsl_ctx *ctx, const char *netns, const char *name, bool up,
		      const char *alias, const char *altname, struct nsl_err *err)
{
	char b1[512] = { 0 }, b2[512] = { 0 };
	struct nlmsghdr *reqs[2];
	int n = 0, r;
	struct nsl_nl *nl;

	if (up || alias) {
		struct nlmsghdr *h = mnl_nlmsg_put_header(b1);
		struct ifinfomsg *ifi;

		h->nlmsg_type = RTM_NEWLINK;
		ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
		if (up) {
			ifi->ifi_flags = IFF_UP;
			ifi->ifi_change = IFF_UP;
		}
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
		if (alias)
			mnl_attr_put_strz(h, IFLA_IFALIAS, alias);
		reqs[n++] = h;
	}
	if (altname) {
		struct nlmsghdr *h = mnl_nlmsg_put_header(b2);

		nsli_link_put_altname(h, name, altname);
		reqs[n++] = h;
	}
	if (!n)
		return 0;
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	return nsli_nl_batch(nl, reqs, n, NULL, err);
}

static int open_ns(struct nsl_ctx *ctx, const char *netns, int *fd, struct nsl_err *err)
{
	*fd = -1;
	return netns ? nsli_ns_open(ctx, netns, fd, err) : 0;
}

_public_ int nsl_veth_add(struct nsl_ctx *ctx, const struct nsl_veth *v, struct nsl_err *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	_cleanup_close_ int ns_fd = -1, peer_fd = -1;
	struct nsl_nl *nl;
	int r, master = 0;

	r = validate(v, err);
	if (r < 0)
		return r;
	/* The request is sent from the netns of the first end, so that end needs no fd. */
	r = open_ns(ctx, v->peer_netns, &peer_fd, err);
	if (r < 0)
		return r;
	r = nsli_nl_get(ctx, v->netns, &nl, err);
	if (r < 0)
		return r;
	if (v->master_ifindex > 0) {
		master = v->master_ifindex;
	} else if (v->master) {
		master = nsli_nl_ifindex(nl, v->master, err);
		if (master < 0)
			return master;
	}
	r = nsli_veth_build_add(v, ns_fd, peer_fd, master, &msg);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, v->name, NULL);
	r = nsli_nl_talk_msg(nl, msg, err);
	if (r < 0) {
		if (err) {
			snprintf(err->object, sizeof(err->object), "%s", v->name);
			if (r == -EEXIST) {
				err->kind = NSL_E_CONFLICT;
				snprintf(err->msg, sizeof(err->msg), "a device named '%s' or '%s' already exists",
					 v->name, v->peer);
			}
		}
		return r;
	}
	r = finish_end(ctx, v->netns, v->name, false, v->alias, v->altname, err);
	if (r >= 0)
		r = finish_end(ctx, v->peer_netns, v->peer, v->peer_up, v->peer_alias, v->peer_altname, err);
	if (r < 0) {
		/* Deleting one end takes the pair along. */
		nsl_link_del(ctx, v->netns, v->name, NULL);
		if (err)
			snprintf(err->object, sizeof(err->object), "%s", v->name);
	}
	return r;
}
