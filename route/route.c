// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unicast routes: RTM_NEWROUTE / RTM_DELROUTE built by libnl-route and sent through the core
 * session of the netns; RTM_GETROUTE dumps parsed with libmnl.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netlink/route/route.h>

#include "../addr/addr-internal.h"
#include "route-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_route *, rtnl_route_put);

static bool prefix_ok(const struct nsl_prefix *p)
{
	return (p->family == AF_INET && p->len <= 32) || (p->family == AF_INET6 && p->len <= 128);
}

static int add_nexthop(struct rtnl_route *route, const struct nsl_route *rt, int oif)
{
	_cleanup_(nl_addr_putp) struct nl_addr *gw = NULL;
	struct rtnl_nexthop *nh;

	if (!rt->via && oif <= 0)
		return 0;
	nh = rtnl_route_nh_alloc();
	if (!nh)
		return -ENOMEM;
	if (oif > 0)
		rtnl_route_nh_set_ifindex(nh, oif);
	if (rt->via) {
		gw = nsli_nladdr_new(rt->via);
		if (!gw) {
			rtnl_route_nh_free(nh);
			return -ENOMEM;
		}
		rtnl_route_nh_set_gateway(nh, gw);
	}
	rtnl_route_add_nexthop(route, nh);
	return 0;
}

int nsli_route_build(enum nsl_route_op op, const struct nsl_route *rt, int oif, struct nl_msg **ret)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *route = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *dst = NULL;
	struct rtmsg *rtm;
	int r;

	if (!prefix_ok(&rt->dst) || (rt->via && rt->via->family != rt->dst.family))
		return -EINVAL;
	route = rtnl_route_alloc();
	dst = nsli_nladdr_new(&rt->dst);
	if (!route || !dst)
		return -ENOMEM;
	rtnl_route_set_family(route, (uint8_t)rt->dst.family);
	r = rtnl_route_set_dst(route, dst);
	if (r < 0)
		return nsli_nle_errno(r);
	rtnl_route_set_table(route, rt->table ? rt->table : RT_TABLE_MAIN);
	if (rt->metric)
		rtnl_route_set_priority(route, rt->metric);
	r = add_nexthop(route, rt, oif);
	if (r < 0)
		return r;
	switch (op) {
	case NSL_ROUTE_ADD:
	case NSL_ROUTE_REPLACE:
		/* "boot", as `ip route add` says, so both tools make identical routes. */
		rtnl_route_set_protocol(route, RTPROT_BOOT);
		r = rtnl_route_build_add_request(route,
						 NLM_F_CREATE | (op == NSL_ROUTE_ADD ? NLM_F_EXCL : NLM_F_REPLACE),
						 ret);
		return r < 0 ? nsli_nle_errno(r) : 0;
	case NSL_ROUTE_DEL:
		rtnl_route_set_protocol(route, RTPROT_UNSPEC);
		r = rtnl_route_build_del_request(route, 0, ret);
		if (r < 0)
			return nsli_nle_errno(r);
		/*
		 * libnl guesses a scope when none is set; the kernel then deletes only routes of
		 * exactly that scope. RT_SCOPE_NOWHERE means "any" to fib_table_delete().
		 */
		rtm = nlmsg_data(nlmsg_hdr(*ret));
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
		return 0;
	}
	return -EINVAL;
}

static int route_talk(struct nsl_ctx *ctx, const char *netns, enum nsl_route_op op,
		      const struct nsl_route *rt, struct nsl_err *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	char object[64];
	struct nsl_nl *nl;
	int oif = 0, r;

	if (!rt || !prefix_ok(&rt->dst))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "invalid route destination");
	if (rt->dst.len == 0)
		snprintf(object, sizeof(object), "default");
	else
		nsl_prefix_str(&rt->dst, true, object, sizeof(object));
	if (rt->via && rt->via->family != rt->dst.family)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, object,
				   "gateway and destination are of different address families");
	if (op != NSL_ROUTE_DEL && !rt->via && !rt->dev)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, object, "a route needs 'via' or 'dev'");
	if (rt->dev) {
		r = nsl_parse_ifname(rt->dev, err);
		if (r < 0)
			return r;
	}
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	if (rt->dev) {
		oif = nsli_nl_ifindex(nl, rt->dev, err);
		if (oif < 0)
			return oif;
	}
	r = nsli_route_build(op, rt, oif, &msg);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, object, NULL);
	r = nsli_nl_talk_msg(nl, msg, err);
	if (r == -EEXIST)
		return nsl_kernel_fail(err, r, object, "route already exists");
	if (r == -ESRCH)
		return nsl_kernel_fail(err, r, object, "no such route");
	if (r < 0)
		return nsl_kernel_fail(err, r, object, "cannot %s route: %s",
				       op == NSL_ROUTE_DEL ? "delete" : "add", strerror(-r));
	return 0;
}

_public_ int nsl_route_add(struct nsl_ctx *ctx, const char *netns, const struct nsl_route *rt,
			   struct nsl_err *err)
{
	return route_talk(ctx, netns, NSL_ROUTE_ADD, rt, err);
}

_public_ int nsl_route_replace(struct nsl_ctx *ctx, const char *netns, const struct nsl_route *rt,
			       struct nsl_err *err)
{
	return route_talk(ctx, netns, NSL_ROUTE_REPLACE, rt, err);
}

_public_ int nsl_route_del(struct nsl_ctx *ctx, const char *netns, const struct nsl_route *rt,
			   struct nsl_err *err)
{
	return route_talk(ctx, netns, NSL_ROUTE_DEL, rt, err);
}

/* ---- dump ---- */

struct route_dump {
	int family;
	uint32_t table;
	const struct nsl_ifname *names;
	size_t n_names;
	struct nsl_route_info *v;
	size_t n, cap;
	int oom;
};

static const char *proto_name(unsigned p, char *buf, size_t size)
{
	/* iproute2's rt_protos table, the names `ip -j route` prints. */
	static const struct {
		unsigned id;
		const char *name;
	} tab[] = {
		{ RTPROT_UNSPEC, "unspec" }, { RTPROT_REDIRECT, "redirect" }, { RTPROT_KERNEL, "kernel" },
		{ RTPROT_BOOT, "boot" },     { RTPROT_STATIC, "static" },     { 8, "gated" },
		{ 9, "ra" },		     { 10, "mrt" },		      { 11, "zebra" },
		{ 12, "bird" },		     { 13, "dnrouted" },	      { 14, "xorp" },
		{ 15, "ntk" },		     { 16, "dhcp" },		      { 18, "keepalived" },
		{ 42, "babel" },	     { 99, "openr" },		      { 186, "bgp" },
		{ 187, "isis" },	     { 188, "ospf" },		      { 189, "rip" },
		{ 192, "eigrp" },
	};

	for (size_t i = 0; i < ELEMENTSOF(tab); i++)
		if (tab[i].id == p)
			return tab[i].name;
	snprintf(buf, size, "%u", p);
	return buf;
}

static bool get_addr(const struct nlattr *a, int family, struct nsl_prefix *ret)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (!a || mnl_attr_get_payload_len(a) != len)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	ret->len = (uint8_t)(len * 8);
	memcpy(ret->addr, mnl_attr_get_payload(a), len);
	return true;
}

static struct nsl_route_info *route_push(struct route_dump *d)
{
	if (!GREEDY_REALLOC(d->v, d->cap, d->n + 1)) {
		d->oom = 1;
		return NULL;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	return &d->v[d->n++];
}

static int route_dump_cb(const struct nlmsghdr *h, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	struct route_dump *d = data;
	struct nsl_route_info *e;
	uint32_t table;
	const char *dev;
	char buf[16];

	if (h->nlmsg_type != RTM_NEWROUTE || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (d->family != AF_UNSPEC && rtm->rtm_family != d->family))
		return MNL_CB_OK;
	if (nsli_nl_parse_attrs(h, sizeof(*rtm), tb, RTA_MAX) < 0)
		return MNL_CB_ERROR;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != d->table)
		return MNL_CB_OK;
	e = route_push(d);
	if (!e)
		return MNL_CB_ERROR;
	if (!get_addr(tb[RTA_DST], rtm->rtm_family, &e->dst)) {
		e->dst.family = rtm->rtm_family;
	}
	e->dst.len = rtm->rtm_dst_len;
	e->has_gateway = get_addr(tb[RTA_GATEWAY], rtm->rtm_family, &e->gateway);
	e->has_prefsrc = get_addr(tb[RTA_PREFSRC], rtm->rtm_family, &e->prefsrc);
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) == 4) {
		dev = nsli_ifnames_find(d->names, d->n_names, (int)mnl_attr_get_u32(tb[RTA_OIF]));
		snprintf(e->dev, sizeof(e->dev), "%s", dev ? dev : "");
	}
	e->has_metric = tb[RTA_PRIORITY] && mnl_attr_get_payload_len(tb[RTA_PRIORITY]) == 4;
	if (e->has_metric)
		e->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	e->table = table;
	e->flags = rtm->rtm_flags;
	snprintf(e->protocol, sizeof(e->protocol), "%s", proto_name(rtm->rtm_protocol, buf, sizeof(buf)));
	snprintf(e->scope, sizeof(e->scope), "%s", nsli_rt_scope_name(rtm->rtm_scope, buf, sizeof(buf)));
	return MNL_CB_OK;
}

static void route_dump_reset(void *data)
{
	((struct route_dump *)data)->n = 0;
}

_public_ int nsl_route_list(struct nsl_ctx *ctx, const char *netns, int family, uint32_t table,
			    struct nsl_route_info **ret, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_ifname *names = NULL;
	struct route_dump d = { .family = family, .table = table ? table : RT_TABLE_MAIN };
	char buf[128];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct nsl_nl *nl;
	int r;

	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return nsl_err_set(err, NSL_E_USAGE, -EAFNOSUPPORT, NULL, "unsupported address family");
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	r = nsli_ifnames_dump(nl, &names, &d.n_names, err);
	if (r < 0)
		return r;
	d.names = names;
	h->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	r = nsli_nl_dump(nl, h, route_dump_cb, route_dump_reset, &d, err);
	if (r >= 0 && d.oom)
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	if (r < 0) {
		free(d.v);
		return r;
	}
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}
