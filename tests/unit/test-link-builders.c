// SPDX-License-Identifier: GPL-2.0-or-later
/* Link request builders, inspected attribute by attribute without a kernel. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>

#include "link-internal.h"
#include "nslab/bridge.h"
#include "nslab/veth.h"
#include "tap.h"

static const struct nlattr *find(const struct nlattr *first, int len, int type)
{
	const struct nlattr *a;

	for (a = first; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		len -= (int)MNL_ALIGN(a->nla_len);
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static const struct nlattr *top(const struct nlmsghdr *h, int type)
{
	const struct nlattr *first = mnl_nlmsg_get_payload_offset(h, sizeof(struct ifinfomsg));

	return find(first, (int)((const char *)mnl_nlmsg_get_payload_tail(h) - (const char *)first), type);
}

static const struct nlattr *nested(const struct nlattr *n, int type, int skip)
{
	const char *start = (const char *)mnl_attr_get_payload(n) + skip;

	return find((const struct nlattr *)start, (int)(mnl_attr_get_payload_len(n) - skip), type);
}

static void veth(void)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x0a };
	struct nsl_veth v = { .name = "vh", .peer = "eth0", .mtu = 1400, .mac = mac, .up = true };
	struct nl_msg *msg = NULL;
	const struct nlattr *li, *data, *peer, *a;
	const struct nlmsghdr *h;
	const struct ifinfomsg *ifi;

	ok(nsli_veth_build_add(&v, -1, 42, 7, &msg) == 0 && msg, "veth request builds");
	h = nlmsg_hdr(msg);
	ifi = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_NEWLINK, "RTM_NEWLINK");
	ok((h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_EXCL), "CREATE|EXCL");
	ok((ifi->ifi_flags & IFF_UP) && (ifi->ifi_change & IFF_UP), "host end comes up in the same request");
	ok((a = top(h, IFLA_IFNAME)) && strcmp(mnl_attr_get_str(a), "vh") == 0, "IFLA_IFNAME vh");
	ok((a = top(h, IFLA_MTU)) && mnl_attr_get_u32(a) == 1400, "IFLA_MTU");
	ok((a = top(h, IFLA_MASTER)) && mnl_attr_get_u32(a) == 7, "enslaved in the same request");
	ok((a = top(h, IFLA_ADDRESS)) && memcmp(mnl_attr_get_payload(a), mac, 6) == 0, "IFLA_ADDRESS");
	ok(top(h, IFLA_NET_NS_FD) == NULL, "host end stays in the sending netns");
	ok((a = top(h, IFLA_NUM_TX_QUEUES)) && mnl_attr_get_u32(a) == 1 && (a = top(h, IFLA_NUM_RX_QUEUES)) &&
		   mnl_attr_get_u32(a) == 1, "one tx and rx queue (no RCU wait to trim one per CPU)");
	li = top(h, IFLA_LINKINFO);
	ok(li && (a = nested(li, IFLA_INFO_KIND, 0)) && strcmp(mnl_attr_get_str(a), "veth") == 0, "kind veth");
	data = li ? nested(li, IFLA_INFO_DATA, 0) : NULL;
	peer = data ? nested(data, VETH_INFO_PEER, 0) : NULL;
	ok(peer != NULL, "VETH_INFO_PEER present");
	if (peer) {
		a = nested(peer, IFLA_IFNAME, sizeof(struct ifinfomsg));
		ok(a && strcmp(mnl_attr_get_str(a), "eth0") == 0, "peer named eth0 at birth");
		a = nested(peer, IFLA_NET_NS_FD, sizeof(struct ifinfomsg));
		ok(a && mnl_attr_get_u32(a) == 42, "peer born in the target netns (IFLA_NET_NS_FD)");
		a = nested(peer, IFLA_MTU, sizeof(struct ifinfomsg));
		ok(a && mnl_attr_get_u32(a) == 1400, "peer mtu");
		a = nested(peer, IFLA_NUM_TX_QUEUES, sizeof(struct ifinfomsg));
		ok(a && mnl_attr_get_u32(a) == 1, "peer has one tx queue too");
	}
	nlmsg_free(msg);
}

static void bridge(void)
{
	char buf[512];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_bridge b = { .name = "br0", .stp = NSL_TRI_ON, .mtu = 9000, .up = true, .group = 77,
				.mcast_snooping = NSL_TRI_OFF };
	const struct nlattr *li, *data, *a;
	const struct ifinfomsg *ifi;

	nsli_bridge_put(h, &b, true);
	ok(h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_EXCL), "bridge RTM_NEWLINK EXCL");
	ok((a = top(h, IFLA_IFNAME)) && strcmp(mnl_attr_get_str(a), "br0") == 0, "name");
	li = top(h, IFLA_LINKINFO);
	ok(li && (a = nested(li, IFLA_INFO_KIND, 0)) && strcmp(mnl_attr_get_str(a), "bridge") == 0, "kind bridge");
	data = li ? nested(li, IFLA_INFO_DATA, 0) : NULL;
	ok(data && (a = nested(data, IFLA_BR_STP_STATE, 0)) && mnl_attr_get_u32(a) == 1, "stp on");
	ok(data && !nested(data, IFLA_BR_VLAN_FILTERING, 0), "vlan filtering left alone");
	ok(data && (a = nested(data, IFLA_BR_MCAST_SNOOPING, 0)) && mnl_attr_get_u8(a) == 0, "snooping off");
	ok((a = top(h, IFLA_GROUP)) && mnl_attr_get_u32(a) == 77, "device group");

	/* The same options on an existing bridge: no CREATE, no up, no group. */
	h = mnl_nlmsg_put_header(buf);
	memset(mnl_nlmsg_get_payload(h), 0, sizeof(*ifi));
	b.mcast_snooping = NSL_TRI_ON;
	nsli_bridge_put(h, &b, false);
	ifi = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_NEWLINK && !(h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)), "set: no CREATE");
	ok(!(ifi->ifi_change & IFF_UP) && !top(h, IFLA_GROUP), "set: leaves flags and group");
	li = top(h, IFLA_LINKINFO);
	data = li ? nested(li, IFLA_INFO_DATA, 0) : NULL;
	ok(data && (a = nested(data, IFLA_BR_MCAST_SNOOPING, 0)) && mnl_attr_get_u8(a) == 1, "set: snooping on");
}

static void set_and_del(void)
{
	struct nsl_link_set s = { .up = NSL_TRI_OFF, .name = "eth1", .nomaster = true, .alias = "x" };
	char buf[512];
	struct nlmsghdr *h;
	struct nl_msg *msg = NULL;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	ok(nsli_link_build_set(&s, 5, 0, 9, &msg) == 0, "set request builds");
	h = nlmsg_hdr(msg);
	ifi = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_NEWLINK && !(h->nlmsg_flags & NLM_F_CREATE), "set is RTM_NEWLINK without CREATE");
	ok(ifi->ifi_index == 5 && (ifi->ifi_change & IFF_UP) && !(ifi->ifi_flags & IFF_UP), "down by index");
	ok((a = top(h, IFLA_IFNAME)) && strcmp(mnl_attr_get_str(a), "eth1") == 0, "rename");
	ok((a = top(h, IFLA_MASTER)) && mnl_attr_get_u32(a) == 0, "nomaster is IFLA_MASTER 0");
	ok((a = top(h, IFLA_NET_NS_FD)) && mnl_attr_get_u32(a) == 9, "move by fd");
	ok((a = top(h, IFLA_IFALIAS)) && strcmp(mnl_attr_get_str(a), "x") == 0, "alias");
	nlmsg_free(msg);

	h = mnl_nlmsg_put_header(buf);
	nsli_link_put_altname(h, "veth0", "a-long-logical-name-for-this-port");
	ok(h->nlmsg_type == RTM_NEWLINKPROP, "altname is RTM_NEWLINKPROP");
	a = top(h, IFLA_PROP_LIST);
	ok(a && nested(a, IFLA_ALT_IFNAME, 0), "altname in IFLA_PROP_LIST");
	h = mnl_nlmsg_put_header(buf);
	nsli_link_put_del(h, 0, "veth0");
	ok(h->nlmsg_type == RTM_DELLINK && (a = top(h, IFLA_IFNAME)), "delete by name");
}

int main(void)
{
	veth();
	bridge();
	set_and_del();
	return tap_done();
}
