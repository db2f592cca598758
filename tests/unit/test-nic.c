// SPDX-License-Identifier: GPL-2.0-or-later
/* Hot-add without a kernel: TARGET words, derived names and MACs, records, macvlan request. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <string.h>

#include "../../nic/nic-internal.h"
#include "tap.h"

static void test_target_parse(void)
{
	char *pid[] = { "1234", "bridge" }, *ns[] = { "netns", "blue" }, *ctr[] = { "docker:web-1" };
	char *bad[][2] = { { "0", NULL }, { "netns", NULL }, { "-x", NULL }, { "netns", "../x" },
			   { "lxc:web", NULL }, { "99999999", NULL }, { "we b", NULL } };
	struct nsl_nic_target t;
	char id[128];
	int used;

	ok(nsl_nic_target_parse(pid, 2, &t, &used, NULL) == 0 && t.kind == NSL_NIC_TARGET_PID &&
		   t.pid == 1234 && used == 1, "PID target");
	ok(nsl_nic_target_id(&t, id, sizeof(id), NULL) == 0 && !strcmp(id, "pid1234"), "PID id");
	ok(nsl_nic_target_parse(ns, 2, &t, &used, NULL) == 0 && t.kind == NSL_NIC_TARGET_NETNS &&
		   !strcmp(t.name, "blue") && used == 2, "netns target");
	ok(nsl_nic_target_id(&t, id, sizeof(id), NULL) == 0 && !strcmp(id, "ns-blue"), "netns id");
	ok(nsl_nic_target_parse(ctr, 1, &t, &used, NULL) == 0 &&
		   t.kind == NSL_NIC_TARGET_CONTAINER, "container target");
	ok(nsl_nic_target_id(&t, id, sizeof(id), NULL) == 0 && !strcmp(id, "ctr-web-1"), "container id");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nsl_err err = { 0 };
		int n = bad[i][1] ? 2 : 1;

		ok(nsl_nic_target_parse(bad[i], n, &t, &used, &err) < 0 &&
			   err.kind == NSL_E_USAGE && err.msg[0], "rejects '%s %s': %s", bad[i][0],
		   bad[i][1] ? bad[i][1] : "", err.msg);
	}
}

static void test_names(void)
{
	char a[16], b[16], c[16];
	uint8_t m1[6], m2[6], m3[6];

	nsl_nic_host_name("pid1234:eth1", 0, a);
	nsl_nic_host_name("pid1234:eth1", 0, b);
	nsl_nic_host_name("pid1234:eth1", 1, c);
	ok(strlen(a) == 15 && !strncmp(a, "nsl", 3) && strspn(a + 3, "0123456789abcdef") == 12,
	   "host name shape: %s", a);
	ok(!strcmp(a, b), "host name is deterministic");
	ok(strcmp(a, c) != 0, "another salt, another name (%s)", c);
	nsl_nic_host_name("pid1234:eth2", 0, b);
	ok(strcmp(a, b) != 0, "another IF, another name");
	nsl_nic_mac_from_seed("web-1", m1);
	nsl_nic_mac_from_seed("web-1", m2);
	nsl_nic_mac_from_seed("web-2", m3);
	ok(!memcmp(m1, m2, 6), "same seed, same MAC");
	ok(memcmp(m1, m3, 6) != 0, "another seed, another MAC");
	ok((m1[0] & 3) == 2 && (m3[0] & 3) == 2, "locally administered unicast");
}

static void test_record(void)
{
	struct nsl_nic_info in = { 0 }, out;
	char buf[4096];
	dev_t dev;
	ino_t ino;
	int n;

	snprintf(in.logical, sizeof(in.logical), "pid7:eth1");
	snprintf(in.target, sizeof(in.target), "pid7");
	snprintf(in.ifname, sizeof(in.ifname), "eth1");
	snprintf(in.kind, sizeof(in.kind), "veth");
	snprintf(in.host_ifname, sizeof(in.host_ifname), "nsl0123456789ab");
	snprintf(in.bridge, sizeof(in.bridge), "br0");
	in.bridge_created = true;
	in.has_mac = true;
	memcpy(in.mac, "\x02\x11\x22\x33\x44\x55", 6);
	in.mtu = 1400;
	nsl_parse_cidr("10.31.0.2/24", &in.addrs[0], NULL);
	nsl_parse_cidr("fd00::2/64", &in.addrs[1], NULL);
	in.n_addrs = 2;
	nsl_parse_addr("10.31.0.1", &in.gws[0], NULL);
	in.n_gws = 1;
	n = nsli_nic_record_format(&in, 4, 4026532249, buf, sizeof(buf));
	ok(n > 0 && strstr(buf, "addr=fd00::2/64\n") && strstr(buf, "netns=4:4026532249\n"),
	   "record text");
	ok(nsli_nic_record_parse(buf, &out, &dev, &ino) == 0 && dev == 4 && ino == 4026532249,
	   "record parses back");
	ok(!memcmp(&in, &out, sizeof(in)), "round trip is exact");
	ok(nsli_nic_record_format(&in, 4, 4, buf, 64) == -ENOSPC, "short buffer: -ENOSPC");
	ok(nsli_nic_record_parse("logical=x:y\nmtu=abc\n", &out, NULL, NULL) == -EINVAL, "bad MTU rejected");
	ok(nsli_nic_record_parse("version=2\n", &out, NULL, NULL) == -EINVAL, "unknown version rejected");
	ok(nsli_nic_record_parse("target=pid1\nifname=eth0\nkind=veth\n", &out, NULL, NULL) == -EINVAL,
	   "missing logical name rejected");
}

/* Collect the attributes of one nesting level into tb[0..max]. */
struct table {
	const struct nlattr **tb;
	int max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct table *t = data;
	int type = mnl_attr_get_type(a);

	if (type >= 0 && type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static void test_macvlan_builder(void)
{
	const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 }, *mv[IFLA_MACVLAN_MAX + 1] = { 0 };
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 7 };
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct table top = { tb, IFLA_MAX }, ti = { info, IFLA_INFO_MAX }, tm = { mv, IFLA_MACVLAN_MAX };
	struct nl_msg *msg = NULL;
	struct nlmsghdr *h;
	struct ifinfomsg *ifi;
	uint32_t mode;

	ok(nsli_nic_macvlan_mode("bridge", &mode) == 0 && mode == MACVLAN_MODE_BRIDGE, "mode bridge");
	ok(nsli_nic_macvlan_mode("private", &mode) == 0 && mode == MACVLAN_MODE_PRIVATE, "mode private");
	ok(nsli_nic_macvlan_mode("weird", &mode) == -EINVAL, "unknown mode rejected");
	ok(nsli_nic_macvlan_build("eth3", 7, MACVLAN_MODE_VEPA, 42, mac, 1400, &msg) == 0 && msg,
	   "macvlan request built");
	if (!msg)
		return;
	h = nlmsg_hdr(msg);
	ifi = mnl_nlmsg_get_payload(h);
	ok(h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_CREATE) &&
		   (h->nlmsg_flags & NLM_F_EXCL), "RTM_NEWLINK, create, exclusive");
	ok((ifi->ifi_flags & IFF_UP) && (ifi->ifi_change & IFF_UP), "born up");
	mnl_attr_parse(h, sizeof(*ifi), attr_cb, &top);
	ok(tb[IFLA_IFNAME] && !strcmp(mnl_attr_get_str(tb[IFLA_IFNAME]), "eth3"), "named in place");
	ok(tb[IFLA_LINK] && mnl_attr_get_u32(tb[IFLA_LINK]) == 7, "parent ifindex");
	ok(tb[IFLA_NET_NS_FD] && mnl_attr_get_u32(tb[IFLA_NET_NS_FD]) == 42,
	   "born in the target (IFLA_NET_NS_FD)");
	ok(tb[IFLA_MTU] && mnl_attr_get_u32(tb[IFLA_MTU]) == 1400, "MTU");
	ok(tb[IFLA_ADDRESS] && !memcmp(mnl_attr_get_payload(tb[IFLA_ADDRESS]), mac, 6), "MAC");
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_cb, &ti);
	ok(info[IFLA_INFO_KIND] && !strcmp(mnl_attr_get_str(info[IFLA_INFO_KIND]), "macvlan"),
	   "kind macvlan");
	if (info[IFLA_INFO_DATA])
		mnl_attr_parse_nested(info[IFLA_INFO_DATA], attr_cb, &tm);
	ok(mv[IFLA_MACVLAN_MODE] && mnl_attr_get_u32(mv[IFLA_MACVLAN_MODE]) == MACVLAN_MODE_VEPA,
	   "mode vepa");
	nlmsg_free(msg);
}

int main(void)
{
	test_target_parse();
	test_names();
	test_record();
	test_macvlan_builder();
	return tap_done();
}
