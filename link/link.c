// SPDX-License-Identifier: LGPL-2.1-or-later
/* Generic link operations: set, delete, altnames, dumps. */
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <poll.h>
#include <time.h>

#include "core.h"
#include "link-internal.h"
#include "nslab/link.h"
#include "nslab/parse.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_addr *, nl_addr_put)

static int validate_set(const char *ifname, const struct nsl_link_set *s, struct nsl_err *err)
{
	int r = nsl_parse_ifname(ifname, err);

	if (r < 0)
		return r;
	if (s->name && (r = nsl_parse_ifname(s->name, err)) < 0)
		return r;
	if (s->master && (r = nsl_parse_ifname(s->master, err)) < 0)
		return r;
	if (s->master && s->nomaster)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, ifname, "master and nomaster together");
	if (s->alias && nsl_parse_alias(s->alias, err) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, ifname, "%s", err ? err->msg : "bad alias");
	return 0;
}

int nsli_link_build_set(const struct nsl_link_set *s, int ifindex, int master_index, int ns_fd,
		       struct nl_msg **ret)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = rtnl_link_alloc();
	_cleanup_(nl_addr_putp) struct nl_addr *mac = NULL;
	struct nl_msg *msg = NULL;
	int r;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_ifindex(l, ifindex);
	if (s->up == NSL_TRI_ON)
		rtnl_link_set_flags(l, IFF_UP);
	else if (s->up == NSL_TRI_OFF)
		rtnl_link_unset_flags(l, IFF_UP);
	if (s->name)
		rtnl_link_set_name(l, s->name);
	if (s->mtu)
		rtnl_link_set_mtu(l, s->mtu);
	if (s->mac) {
		mac = nl_addr_build(AF_LLC, s->mac, 6);
		if (!mac)
			return -ENOMEM;
		rtnl_link_set_addr(l, mac);
	}
	if (ns_fd >= 0)
		rtnl_link_set_ns_fd(l, ns_fd);
	if (s->master || s->nomaster)
		rtnl_link_set_master(l, s->nomaster ? 0 : master_index);
	if (s->alias)
		rtnl_link_set_ifalias(l, s->alias);
	r = rtnl_link_build_add_request(l, 0, &msg);
	if (r < 0)
		return nsli_nle_errno(r);
	*ret = msg;
	return 0;
}

_public_ int nsl_link_set(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			  const struct nsl_link_set *s, struct nsl_err *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	_cleanup_close_ int nsfd = -1;
	struct nsl_nl *nl;
	int r, ifindex, master = 0;

	r = validate_set(ifname, s, err);
	if (r < 0)
		return r;
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	ifindex = nsli_nl_ifindex(nl, ifname, err);
	if (ifindex < 0)
		return ifindex;
	if (s->master) {
		master = nsli_nl_ifindex(nl, s->master, err);
		if (master < 0)
			return master;
	}
	if (s->netns) {
		r = nsli_ns_open(ctx, s->netns, &nsfd, err);
		if (r < 0)
			return r;
	}
	r = nsli_link_build_set(s, ifindex, master, nsfd, &msg);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, NULL);
	r = nsli_nl_talk_msg(nl, msg, err);
	if (r < 0 && err) {
		snprintf(err->object, sizeof(err->object), "%s", ifname);
		if (r == -EEXIST)
			err->kind = NSL_E_CONFLICT;
	}
	return r;
}

int nsli_link_put_del(struct nlmsghdr *h, int ifindex, const char *ifname)
{
	struct ifinfomsg *ifi;

	h->nlmsg_type = RTM_DELLINK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	if (!ifindex && ifname)
		mnl_attr_put_strz(h, strlen(ifname) < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, ifname);
	return 0;
}

_public_ int nsl_link_del(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			  struct nsl_err *err)
{
	char buf[256] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r;

	if (strlen(ifname) >= IFNAMSIZ)
		r = strlen(ifname) > NSL_ALTNAME_MAX
			    ? nsl_err_set(err, NSL_E_USAGE, -EINVAL, ifname, "name longer than 127 bytes")
			    : 0;
	else
		r = nsl_parse_ifname(ifname, err);
	if (r < 0)
		return r;
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	nsli_link_put_del(h, 0, ifname);
	r = nsli_nl_talk(nl, h, err);
	if (r == -ENODEV)
		return nsl_err_set(err, NSL_E_USAGE, r, ifname, "device '%s' does not exist", ifname);
	if (r < 0 && err)
		snprintf(err->object, sizeof(err->object), "%s", ifname);
	return r;
}

_public_ int nsl_link_del_group(struct nsl_ctx *ctx, const char *netns, uint32_t group,
				struct nsl_err *err)
{
	char buf[128] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r;

	if (!group)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "group 0 is every device's");
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	nsli_link_put_del(h, 0, NULL);
	mnl_attr_put_u32(h, IFLA_GROUP, group);
	return nsli_nl_talk(nl, h, err);
}

_public_ int nsl_link_altname_add(struct nsl_ctx *ctx, const char *netns, const char *ifname,
				  const char *altname, struct nsl_err *err)
{
	char buf[512] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r;

	if (!*altname || strlen(altname) > NSL_ALTNAME_MAX || strchr(altname, '/'))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, altname, "invalid altname");
	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	nsli_link_put_altname(h, ifname, altname);
	r = nsli_nl_talk(nl, h, err);
	if (r < 0 && err) {
		snprintf(err->object, sizeof(err->object), "%s", ifname);
		if (r == -EEXIST)
			err->kind = NSL_E_CONFLICT;
	}
	return r;
}

void nsli_link_put_altname(struct nlmsghdr *h, const char *ifname, const char *altname)
{
	struct ifinfomsg *ifi;
	struct nlattr *list;

	h->nlmsg_type = RTM_NEWLINKPROP;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL | NLM_F_APPEND;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, IFLA_IFNAME, ifname);
	list = mnl_attr_nest_start(h, IFLA_PROP_LIST);
	mnl_attr_put_strz(h, IFLA_ALT_IFNAME, altname);
	mnl_attr_nest_end(h, list);
}

/* ---- dumps ---- */

struct list_acc {
	struct nsl_link_info *v;
	size_t n, cap;
	int err;
};

static void parse_linkinfo(const struct nlattr *li, struct nsl_link_info *o)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, li)
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
			snprintf(o->kind, sizeof(o->kind), "%s", mnl_attr_get_str(a));
}

static void parse_props(const struct nlattr *pl, struct nsl_link_info *o)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, pl)
		if (mnl_attr_get_type(a) == IFLA_ALT_IFNAME && o->n_altnames < 4)
			snprintf(o->altnames[o->n_altnames++], sizeof(o->altnames[0]), "%s",
				 mnl_attr_get_str(a));
}

static const char *operstate_str(unsigned s)
{
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					     "TESTING", "DORMANT", "UP" };

	return s < ELEMENTSOF(names) ? names[s] : "UNKNOWN";
}

int nsli_link_parse(const struct nlmsghdr *h, struct nsl_link_info *o)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;

	memset(o, 0, sizeof(*o));
	o->ifindex = ifi->ifi_index;
	o->flags = ifi->ifi_flags;
	o->link_netnsid = -1;
	snprintf(o->operstate, sizeof(o->operstate), "UNKNOWN");
	mnl_attr_for_each(a, h, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(o->ifname, sizeof(o->ifname), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MTU:
			o->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6) {
				memcpy(o->mac, mnl_attr_get_payload(a), 6);
				o->has_mac = true;
			}
			break;
		case IFLA_MASTER:
			o->master = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK:
			o->link = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK_NETNSID:
			o->link_netnsid = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_OPERSTATE:
			snprintf(o->operstate, sizeof(o->operstate), "%s", operstate_str(mnl_attr_get_u8(a)));
			break;
		case IFLA_GROUP:
			o->group = mnl_attr_get_u32(a);
			break;
		case IFLA_IFALIAS:
			snprintf(o->alias, sizeof(o->alias), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_LINKINFO:
			parse_linkinfo(a, o);
			break;
		case IFLA_PROP_LIST:
			parse_props(a, o);
			break;
		}
	}
	if (o->link == o->ifindex)
		o->link = 0;
	return 0;
}

static int list_cb(const struct nlmsghdr *h, void *data)
{
	struct list_acc *acc = data;

	if (h->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (!GREEDY_REALLOC(acc->v, acc->cap, acc->n + 1)) {
		acc->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	nsli_link_parse(h, &acc->v[acc->n++]);
	return MNL_CB_OK;
}

static void list_reset(void *data)
{
	((struct list_acc *)data)->n = 0;
}

static void put_getlink(struct nlmsghdr *h, const char *ifname)
{
	struct ifinfomsg *ifi;

	h->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (ifname)
		mnl_attr_put_strz(h, strlen(ifname) < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, ifname);
	mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
}

static void resolve_masters(struct nsl_link_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; v[i].master && j < n; j++)
			if (v[j].ifindex == v[i].master)
				snprintf(v[i].master_name, sizeof(v[i].master_name), "%s", v[j].ifname);
}

static int one_cb(const struct nlmsghdr *h, void *data)
{
	if (h->nlmsg_type == RTM_NEWLINK)
		nsli_link_parse(h, data);
	return MNL_CB_OK;
}

/* One device: a GETLINK for it, and one more for its master's name. */
static int link_get_one(struct nsl_nl *nl, const char *ifname, struct nsl_link_info *ret,
			struct nsl_err *err)
{
	char buf[256] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_link_info m;
	int r;

	memset(ret, 0, sizeof(*ret));
	put_getlink(h, ifname);
	r = nsli_nl_query(nl, h, one_cb, ret, err);
	if (r == -ENODEV || (r == 0 && !ret->ifindex))
		return nsl_err_set(err, NSL_E_USAGE, -ENODEV, ifname, "device '%s' does not exist", ifname);
	if (r < 0 || !ret->master)
		return r;
	memset(buf, 0, sizeof(buf));
	h = mnl_nlmsg_put_header(buf);
	put_getlink(h, NULL);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(h))->ifi_index = ret->master;
	memset(&m, 0, sizeof(m));
	if (nsli_nl_query(nl, h, one_cb, &m, NULL) == 0)
		snprintf(ret->master_name, sizeof(ret->master_name), "%s", m.ifname);
	return 0;
}

_public_ int nsl_link_list(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			   struct nsl_link_info **ret, size_t *ret_n, struct nsl_err *err)
{
	char buf[256] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct list_acc acc = { 0 };
	struct nsl_nl *nl;
	int r;

	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	if (ifname) {
		struct nsl_link_info *one = malloc(sizeof(*one));

		if (!one)
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		r = link_get_one(nl, ifname, one, err);
		if (r < 0) {
			free(one);
			return r;
		}
		*ret = one;
		*ret_n = 1;
		return 0;
	}
	put_getlink(h, NULL);
	r = nsli_nl_dump(nl, h, list_cb, list_reset, &acc, err);
	if (r < 0 || acc.err < 0) {
		free(acc.v);
		return r < 0 ? r : nsl_err_set(err, NSL_E_SYSTEM, acc.err, NULL, NULL);
	}
	resolve_masters(acc.v, acc.n);
	*ret = acc.v;
	*ret_n = acc.n;
	return 0;
}

_public_ int nsl_link_exists(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			     struct nsl_err *err)
{
	struct nsl_nl *nl;
	int r;

	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	r = nsli_nl_ifindex(nl, ifname, NULL);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return nsli_nl_ifindex(nl, ifname, err);
	return 1;
}

static bool has_name(const struct nsl_link_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (STREQ(v[i].ifname, name))
			return true;
		for (int j = 0; j < v[i].n_altnames; j++)
			if (STREQ(v[i].altnames[j], name))
				return true;
	}
	return false;
}

_public_ int nsl_link_wait_gone(struct nsl_ctx *ctx, const char *netns, const char *const *ifnames,
				size_t n, unsigned timeout_ms, struct nsl_err *err)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		_cleanup_free_ struct nsl_link_info *v = NULL;
		size_t nv = 0, left = 0;
		long ms;
		int r;

		if (n <= 4) {
			/* A few names: a GETLINK each is cheaper than a dump. */
			for (size_t i = 0; i < n; i++) {
				r = nsl_link_exists(ctx, netns, ifnames[i], err);
				if (r < 0)
					return r;
				left += (size_t)r;
			}
		} else {
			/* Many: one dump a round, however many names are awaited. */
			r = nsl_link_list(ctx, netns, NULL, &v, &nv, err);
			if (r < 0)
				return r;
			for (size_t i = 0; i < n; i++)
				left += has_name(v, nv, ifnames[i]);
		}
		if (!left)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= (long)timeout_ms)
			return nsl_err_set(err, NSL_E_SYSTEM, -ETIMEDOUT, NULL,
					   "%zu link(s) still present after %u ms", left, timeout_ms);
		poll(NULL, 0, 5);
	}
}
