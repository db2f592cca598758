// SPDX-License-Identifier: GPL-2.0-or-later
/* Address and route request builders, checked attribute by attribute, without a kernel. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <string.h>

#include "../../addr/addr-internal.h"
#include "../../route/route-internal.h"
#include "tap.h"

static const struct nlattr *tb[64];

static int attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) < 64)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static struct nsl_prefix P(const char *s)
{
	struct nsl_prefix p = { 0 };

	if (strchr(s, '/'))
		nsl_parse_cidr(s, &p, NULL);
	else
		nsl_parse_addr(s, &p, NULL);
	return p;
}

static bool attr_is(const struct nlattr *a, const struct nsl_prefix *p)
{
	size_t len = p->family == AF_INET ? 4 : 16;

	return a && mnl_attr_get_payload_len(a) == len && memcmp(mnl_attr_get_payload(a), p->addr, len) == 0;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) == 4 ? mnl_attr_get_u32(a) : 0xdeadbeef;
}

static const struct nlmsghdr *parse(struct nl_msg *m, size_t hdr)
{
	const struct nlmsghdr *h = nlmsg_hdr(m);

	memset(tb, 0, sizeof(tb));
	mnl_attr_parse(h, (unsigned)hdr, attr_cb, NULL);
	return h;
}

static void test_addr(void)
{
	struct nl_msg *m = NULL;
	struct nsl_prefix p = P("10.1.2.3/24"), lo = P("127.0.0.2/8"), v6 = P("fd00::1/64");
	const struct nlmsghdr *h;
	const struct ifaddrmsg *ifa;

	ok(nsli_addr_build_add(7, &p, 0, &m) == 0 && m, "v4 add request builds");
	h = parse(m, sizeof(*ifa));
	ifa = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_NEWADDR, "RTM_NEWADDR");
	ok((h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_EXCL), "CREATE|EXCL");
	ok(ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 24 && ifa->ifa_index == 7,
	   "family, prefixlen 24, ifindex 7");
	ok(ifa->ifa_scope == RT_SCOPE_UNIVERSE, "global scope");
	ok(!(ifa->ifa_flags & IFA_F_NODAD) && !(tb[IFA_FLAGS] && (attr_u32(tb[IFA_FLAGS]) & IFA_F_NODAD)),
	   "no nodad unless asked");
	ok(attr_is(tb[IFA_LOCAL], &p) && attr_is(tb[IFA_ADDRESS], &p), "IFA_LOCAL and IFA_ADDRESS");
	nlmsg_free(m);

	m = NULL;
	ok(nsli_addr_build_add(1, &lo, 0, &m) == 0, "loopback add builds");
	ifa = mnl_nlmsg_get_payload(parse(m, sizeof(*ifa)));
	ok(ifa->ifa_scope == RT_SCOPE_HOST, "127/8 gets host scope, as with ip");
	nlmsg_free(m);

	m = NULL;
	ok(nsli_addr_build_add(3, &v6, NSL_ADDR_NODAD, &m) == 0, "v6 nodad add builds");
	h = parse(m, sizeof(*ifa));
	ifa = mnl_nlmsg_get_payload(h);
	ok(ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 64, "inet6 /64");
	ok((ifa->ifa_flags & IFA_F_NODAD) || (attr_u32(tb[IFA_FLAGS]) & IFA_F_NODAD), "IFA_F_NODAD set");
	ok(attr_is(tb[IFA_LOCAL], &v6), "IPv6 IFA_LOCAL");
	nlmsg_free(m);

	m = NULL;
	ok(nsli_addr_build_del(7, &p, &m) == 0, "v4 delete builds");
	h = parse(m, sizeof(*ifa));
	ifa = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_DELADDR && !(h->nlmsg_flags & NLM_F_CREATE), "RTM_DELADDR without CREATE");
	ok(ifa->ifa_index == 7 && ifa->ifa_prefixlen == 24 && attr_is(tb[IFA_LOCAL], &p),
	   "delete names ifindex, prefix and address");
	nlmsg_free(m);

	m = NULL;
	p.len = 33;
	ok(nsli_addr_build_add(7, &p, 0, &m) == -EINVAL && !m, "prefix 33 refused with -EINVAL");
	p.len = 24;
	ok(nsli_addr_build_add(0, &p, 0, &m) == -EINVAL && !m, "ifindex 0 refused");
}

static void test_route(void)
{
	struct nsl_prefix gw = P("10.0.0.1"), gw6 = P("fd00::1");
	struct nsl_route rt = { .via = &gw, .metric = 10, .table = 100 };
	struct nl_msg *m = NULL;
	const struct nlmsghdr *h;
	const struct rtmsg *rtm;
	uint32_t table;

	nsl_parse_route_prefix("default", AF_INET, &rt.dst, NULL);
	ok(nsli_route_build(NSL_ROUTE_ADD, &rt, 3, &m) == 0 && m, "default via route builds");
	h = parse(m, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_NEWROUTE, "RTM_NEWROUTE");
	ok((h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_EXCL), "CREATE|EXCL");
	ok(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 0, "inet, dst_len 0");
	ok(rtm->rtm_protocol == RTPROT_BOOT && rtm->rtm_type == RTN_UNICAST, "proto boot, unicast");
	ok(rtm->rtm_scope == RT_SCOPE_UNIVERSE, "gateway route: universe scope");
	ok(attr_is(tb[RTA_GATEWAY], &gw), "RTA_GATEWAY");
	ok(attr_u32(tb[RTA_OIF]) == 3, "RTA_OIF 3");
	ok(attr_u32(tb[RTA_PRIORITY]) == 10, "RTA_PRIORITY 10");
	table = tb[RTA_TABLE] ? attr_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	ok(table == 100, "table 100");
	nlmsg_free(m);

	m = NULL;
	rt = (struct nsl_route){ .table = 0 };
	nsl_parse_route_prefix("10.5.0.0/16", AF_INET, &rt.dst, NULL);
	ok(nsli_route_build(NSL_ROUTE_REPLACE, &rt, 4, &m) == 0, "dev-only replace builds");
	h = parse(m, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(h);
	ok((h->nlmsg_flags & NLM_F_REPLACE) && !(h->nlmsg_flags & NLM_F_EXCL), "REPLACE, not EXCL");
	ok(rtm->rtm_dst_len == 16 && attr_is(tb[RTA_DST], &rt.dst), "RTA_DST 10.5.0.0/16");
	ok(rtm->rtm_scope == RT_SCOPE_LINK, "dev-only route: link scope");
	ok(!tb[RTA_GATEWAY] && !tb[RTA_PRIORITY], "no gateway, no metric");
	table = tb[RTA_TABLE] ? attr_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	ok(table == RT_TABLE_MAIN, "table 0 means main");
	nlmsg_free(m);

	m = NULL;
	rt = (struct nsl_route){ .via = &gw6, .table = 1000 };
	nsl_parse_route_prefix("default", AF_INET6, &rt.dst, NULL);
	ok(nsli_route_build(NSL_ROUTE_ADD, &rt, 0, &m) == 0, "IPv6 default via builds");
	h = parse(m, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(h);
	ok(rtm->rtm_family == AF_INET6 && attr_is(tb[RTA_GATEWAY], &gw6) && !tb[RTA_OIF],
	   "inet6, gateway, no oif");
	ok(attr_u32(tb[RTA_TABLE]) == 1000, "table above 255 goes in RTA_TABLE");
	nlmsg_free(m);

	m = NULL;
	rt = (struct nsl_route){ .via = &gw };
	nsl_parse_route_prefix("10.9.0.0/24", AF_INET, &rt.dst, NULL);
	ok(nsli_route_build(NSL_ROUTE_DEL, &rt, 0, &m) == 0, "delete builds");
	h = parse(m, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_DELROUTE, "RTM_DELROUTE");
	ok(rtm->rtm_scope == RT_SCOPE_NOWHERE && rtm->rtm_protocol == RTPROT_UNSPEC,
	   "delete matches any scope and protocol");
	nlmsg_free(m);

	m = NULL;
	rt = (struct nsl_route){ .via = &gw6 };
	nsl_parse_route_prefix("10.9.0.0/24", AF_INET, &rt.dst, NULL);
	ok(nsli_route_build(NSL_ROUTE_ADD, &rt, 0, &m) == -EINVAL && !m, "v4 prefix via v6 gateway refused");
}

int main(void)
{
	test_addr();
	test_route();
	return tap_done();
}
