// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Interface addresses: RTM_NEWADDR / RTM_DELADDR built by libnl-route and sent through the
 * core session of the netns (so the kernel's errno and extack reach the caller), and
 * RTM_GETADDR dumps parsed with libmnl.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>

#include "addr-internal.h"

struct nl_addr *nsli_nladdr_new(const struct nsl_prefix *p)
{
	struct nl_addr *a = nl_addr_build(p->family, p->addr, p->family == AF_INET ? 4 : 16);

	if (a)
		nl_addr_set_prefixlen(a, p->len);
	return a;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_addr *, rtnl_addr_put);

/*
 * iproute2 gives 127.0.0.0/8 host scope and everything else global when no scope is named
 * (ip/ipaddress.c default_scope()); do the same so that both tools make the same address.
 */
static int default_scope(const struct nsl_prefix *p)
{
	return p->family == AF_INET && p->addr[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
}

static int addr_template(int ifindex, const struct nsl_prefix *addr, struct rtnl_addr **ret)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *a = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL;
	int r;

	if ((addr->family != AF_INET && addr->family != AF_INET6) ||
	    addr->len > (addr->family == AF_INET ? 32 : 128) || ifindex <= 0)
		return -EINVAL;
	a = rtnl_addr_alloc();
	local = nsli_nladdr_new(addr);
	if (!a || !local)
		return -ENOMEM;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, addr->family);
	r = rtnl_addr_set_local(a, local);
	if (r < 0)
		return nsli_nle_errno(r);
	rtnl_addr_set_prefixlen(a, addr->len);
	*ret = TAKE_PTR(a);
	return 0;
}

int nsli_addr_build_add(int ifindex, const struct nsl_prefix *addr, unsigned flags,
		       struct nl_msg **ret)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *a = NULL;
	int r;

	r = addr_template(ifindex, addr, &a);
	if (r < 0)
		return r;
	rtnl_addr_set_scope(a, default_scope(addr));
	if (flags & NSL_ADDR_NODAD)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	r = rtnl_addr_build_add_request(a, NLM_F_CREATE | NLM_F_EXCL, ret);
	return r < 0 ? nsli_nle_errno(r) : 0;
}

int nsli_addr_build_del(int ifindex, const struct nsl_prefix *addr, struct nl_msg **ret)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *a = NULL;
	int r;

	r = addr_template(ifindex, addr, &a);
	if (r < 0)
		return r;
	r = rtnl_addr_build_delete_request(a, 0, ret);
	return r < 0 ? nsli_nle_errno(r) : 0;
}

static int check_addr(const struct nsl_prefix *addr, const char *object, struct nsl_err *err)
{
	if (!addr || (addr->family != AF_INET && addr->family != AF_INET6) ||
	    addr->len > (addr->family == AF_INET ? 32 : 128))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, object, "invalid address");
	return 0;
}

/* Validate, find the session and the device: everything that comes before the request. */
static int prepare(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		   const struct nsl_prefix *addr, char *object, size_t size, struct nsl_nl **ret_nl,
		   struct nsl_err *err)
{
	int r;

	if (addr && addr->family)
		nsl_prefix_str(addr, true, object, size);
	else
		snprintf(object, size, "%s", ifname ? ifname : "");
	if (!ifname)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, object, "no device given");
	r = nsl_parse_ifname(ifname, err);
	if (r < 0)
		return r;
	r = nsli_nl_get(ctx, netns, ret_nl, err);
	if (r < 0)
		return r;
	return nsli_nl_ifindex(*ret_nl, ifname, err);
}

_public_ int nsl_addr_add(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			  const struct nsl_prefix *addr, unsigned flags, struct nsl_err *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	char object[64];
	struct nsl_nl *nl;
	int ifindex, r;

	r = check_addr(addr, "address", err);
	if (r < 0)
		return r;
	if (flags & ~(unsigned)NSL_ADDR_NODAD)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "unknown flags %#x", flags);
	ifindex = prepare(ctx, netns, ifname, addr, object, sizeof(object), &nl, err);
	if (ifindex < 0)
		return ifindex;
	r = nsli_addr_build_add(ifindex, addr, flags, &msg);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, object, NULL);
	r = nsli_nl_talk_msg(nl, msg, err);
	if (r < 0)
		return r == -EEXIST ? nsl_kernel_fail(err, r, object, "address already assigned")
				    : nsl_kernel_fail(err, r, object, "cannot add address: %s", strerror(-r));
	return 0;
}

_public_ int nsl_addr_del(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			  const struct nsl_prefix *addr, struct nsl_err *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	char object[64];
	struct nsl_nl *nl;
	int ifindex, r;

	r = check_addr(addr, "address", err);
	if (r < 0)
		return r;
	ifindex = prepare(ctx, netns, ifname, addr, object, sizeof(object), &nl, err);
	if (ifindex < 0)
		return ifindex;
	r = nsli_addr_build_del(ifindex, addr, &msg);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, object, NULL);
	r = nsli_nl_talk_msg(nl, msg, err);
	if (r == -EADDRNOTAVAIL)
		return nsl_kernel_fail(err, r, object, "no such address on this device");
	if (r < 0)
		return nsl_kernel_fail(err, r, object, "cannot delete address: %s", strerror(-r));
	return 0;
}

/* ---- dumps ---- */

struct addr_dump {
	int ifindex; /* 0: all */
	struct nsl_addr_info *v;
	size_t n, cap;
	int oom;
};

const char *nsli_rt_scope_name(unsigned scope, char *buf, size_t size)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE:
		return "global";
	case RT_SCOPE_SITE:
		return "site";
	case RT_SCOPE_LINK:
		return "link";
	case RT_SCOPE_HOST:
		return "host";
	case RT_SCOPE_NOWHERE:
		return "nowhere";
	default:
		snprintf(buf, size, "%u", scope);
		return buf;
	}
}

static int addr_dump_cb(const struct nlmsghdr *h, void *data)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	struct addr_dump *d = data;
	const struct nlattr *a;
	struct nsl_addr_info *e;
	size_t alen;
	char sbuf[16];

	if (h->nlmsg_type != RTM_NEWADDR || (d->ifindex && (int)ifa->ifa_index != d->ifindex))
		return MNL_CB_OK;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	if (nsli_nl_parse_attrs(h, sizeof(*ifa), tb, IFA_MAX) < 0)
		return MNL_CB_ERROR;
	/* IFA_LOCAL is the address itself; IPv6 only sends IFA_ADDRESS unless there is a peer. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return MNL_CB_OK;
	if (!GREEDY_REALLOC(d->v, d->cap, d->n + 1)) {
		d->oom = 1;
		return MNL_CB_ERROR;
	}
	e = &d->v[d->n++];
	memset(e, 0, sizeof(*e));
	e->ifindex = (int)ifa->ifa_index;
	e->addr.family = ifa->ifa_family;
	e->addr.len = ifa->ifa_prefixlen;
	memcpy(e->addr.addr, mnl_attr_get_payload(a), alen);
	snprintf(e->scope, sizeof(e->scope), "%s", nsli_rt_scope_name(ifa->ifa_scope, sbuf, sizeof(sbuf)));
	/* IFA_FLAGS carries all 32 bits; ifa_flags only the low 8. */
	e->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	return MNL_CB_OK;
}

static void addr_dump_reset(void *data)
{
	((struct addr_dump *)data)->n = 0;
}

static int addr_dump(struct nsl_nl *nl, int ifindex, struct addr_dump *d, struct nsl_err *err)
{
	char buf[128];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int r;

	h->nlmsg_type = RTM_GETADDR;
	ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	/* With strict checking (every core socket) the kernel dumps that link's addresses only;
	 * addr_dump_cb() still filters, for a kernel that ignores the index. */
	ifa->ifa_index = (unsigned)ifindex;
	d->ifindex = ifindex;
	r = nsli_nl_dump(nl, h, addr_dump_cb, addr_dump_reset, d, err);
	if (d->oom)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	return r;
}

struct link_dump {
	struct nsl_ifname *v;
	size_t n, cap;
	int oom;
};

static int link_dump_cb(const struct nlmsghdr *h, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct link_dump *d = data;
	struct nsl_ifname *e;

	if (h->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (nsli_nl_parse_attrs(h, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return MNL_CB_ERROR;
	if (!tb[IFLA_IFNAME] || mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (!GREEDY_REALLOC(d->v, d->cap, d->n + 1)) {
		d->oom = 1;
		return MNL_CB_ERROR;
	}
	e = &d->v[d->n++];
	e->index = ifi->ifi_index;
	snprintf(e->name, sizeof(e->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	return MNL_CB_OK;
}

static void link_dump_reset(void *data)
{
	((struct link_dump *)data)->n = 0;
}

static int ifname_cmp(const void *a, const void *b)
{
	int x = ((const struct nsl_ifname *)a)->index, y = ((const struct nsl_ifname *)b)->index;

	return (x > y) - (x < y);
}

/* Sorted by index, for nsli_ifnames_find(): a lab's root netns has thousands of links, and
 * each of its addresses, routes looks its link's name up. */
int nsli_ifnames_dump(struct nsl_nl *nl, struct nsl_ifname **ret, size_t *ret_n, struct nsl_err *err)
{
	struct link_dump d = { 0 };
	char buf[128];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int r;

	h->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Names only: spare the kernel filling in statistics for every link. */
	mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nsli_nl_dump(nl, h, link_dump_cb, link_dump_reset, &d, err);
	if (r >= 0 && d.oom)
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	if (r < 0) {
		free(d.v);
		return r;
	}
	if (d.n > 1)
		qsort(d.v, d.n, sizeof(*d.v), ifname_cmp);
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}

const char *nsli_ifnames_find(const struct nsl_ifname *v, size_t n, int index)
{
	const struct nsl_ifname key = { .index = index }, *e;

	e = n ? bsearch(&key, v, n, sizeof(*v), ifname_cmp) : NULL;
	return e ? e->name : NULL;
}

static int one_link_cb(const struct nlmsghdr *h, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct nsl_ifname *e = data;

	if (h->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (nsli_nl_parse_attrs(h, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return MNL_CB_ERROR;
	e->index = ifi->ifi_index;
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) == 0)
		snprintf(e->name, sizeof(e->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	return MNL_CB_OK;
}

/* The index and kernel name of @ifname (a name or an altname): one request, not a dump of
 * every link. */
static int one_link(struct nsl_nl *nl, const char *ifname, struct nsl_ifname *ret, struct nsl_err *err)
{
	char buf[256] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int r;

	h->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, strlen(ifname) < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, ifname);
	mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	*ret = (struct nsl_ifname){ 0 };
	r = nsli_nl_query(nl, h, one_link_cb, ret, err);
	if (r == -ENODEV || (r == 0 && ret->index <= 0))
		return nsl_err_set(err, NSL_E_USAGE, -ENODEV, ifname, "device '%s' does not exist", ifname);
	return r;
}

_public_ int nsl_addr_list(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			   struct nsl_addr_info **ret, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_ifname *names = NULL;
	struct addr_dump d = { 0 };
	struct nsl_ifname one = { 0 };
	struct nsl_nl *nl;
	size_t n_names = 0;
	int r;

	if (ifname) {
		r = nsl_parse_ifname(ifname, err);
		if (r < 0)
			return r;
	}
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	/* One link: its own name is every address's; all of them: one dump of the names. */
	r = ifname ? one_link(nl, ifname, &one, err) : nsli_ifnames_dump(nl, &names, &n_names, err);
	if (r < 0)
		return r;
	r = addr_dump(nl, one.index, &d, err);
	if (r < 0) {
		free(d.v);
		/* Gone since it was looked up: the kernel refuses a dump for an index it lacks. */
		if (r == -ENODEV && ifname)
			return nsl_err_set(err, NSL_E_USAGE, -ENODEV, ifname, "device '%s' does not exist", ifname);
		return r;
	}
	for (size_t i = 0; i < d.n; i++) {
		const char *name = ifname ? one.name : nsli_ifnames_find(names, n_names, d.v[i].ifindex);

		snprintf(d.v[i].ifname, sizeof(d.v[i].ifname), "%s", name ? name : "");
	}
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}

_public_ int nsl_addr_flush(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			    struct nsl_err *err)
{
	struct addr_dump d = { 0 };
	char object[64];
	struct nsl_nl *nl;
	int ifindex, r, count = 0;

	ifindex = prepare(ctx, netns, ifname, NULL, object, sizeof(object), &nl, err);
	if (ifindex < 0)
		return ifindex;
	r = addr_dump(nl, ifindex, &d, err);
	for (size_t i = 0; r >= 0 && i < d.n; i++) {
		_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;

		if (!STREQ(d.v[i].scope, "global"))
			continue;
		r = nsli_addr_build_del(ifindex, &d.v[i].addr, &msg);
		if (r < 0) {
			nsl_err_set(err, NSL_E_SYSTEM, r, ifname, NULL);
			break;
		}
		r = nsli_nl_talk_msg(nl, msg, err);
		/* Deleting a primary IPv4 address takes its secondaries along. */
		if (r == -EADDRNOTAVAIL) {
			r = 0;
			continue;
		}
		if (r < 0) {
			nsl_kernel_fail(err, r, ifname, "cannot delete %s: %s",
					nsl_prefix_str(&d.v[i].addr, true, object, sizeof(object)),
					strerror(-r));
			break;
		}
		count++;
	}
	free(d.v);
	return r < 0 ? r : count;
}
