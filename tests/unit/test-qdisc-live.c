// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The read-back of a link's qdiscs (the drift of `rate:` and the impairments): qdisc
 * messages parsed as the kernel dumps them and as libnl builds them, and the comparison with
 * the model. No kernel, no privilege.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/utils.h>
#include <stdlib.h>
#include <string.h>

#include "../../topo/qdisc.h"
#include "nslab/topo.h"
#include "tap.h"

#define PCT(x) ((uint32_t)((x) * NSL_TOPO_PCT))

static bool parse_msg(struct nl_msg *msg, struct nsli_qdisc_info *q)
{
	int r = nsli_topo_qdisc_parse(nlmsg_hdr(msg), q);

	nlmsg_free(msg);
	return r == 0;
}

/* A dump part as the kernel writes it: tcmsg, TCA_KIND, then TCA_OPTIONS from @opts. */
static struct nlmsghdr *kmsg(char *buf, int ifindex, uint32_t parent, uint32_t handle, const char *kind)
{
	struct nlmsghdr *h;
	struct tcmsg *tc;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWQDISC;
	h->nlmsg_flags = NLM_F_MULTI;
	tc = mnl_nlmsg_put_extra_header(h, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_parent = parent;
	tc->tcm_handle = handle;
	mnl_attr_put_strz(h, TCA_KIND, kind);
	return h;
}

static void kernel_tbf(char *buf, int ifindex, uint32_t parent, uint32_t handle, uint64_t rate)
{
	struct nlmsghdr *h = kmsg(buf, ifindex, parent, handle, "tbf");
	struct tc_tbf_qopt p = { .rate.rate = rate >= (1ull << 32) ? ~0u : (uint32_t)rate, .limit = 1000 };
	struct nlattr *opt = mnl_attr_nest_start(h, TCA_OPTIONS);

	mnl_attr_put(h, TCA_TBF_PARMS, sizeof(p), &p);
	if (rate >= (1ull << 32))
		mnl_attr_put_u64(h, TCA_TBF_RATE64, rate);
	mnl_attr_put_u32(h, TCA_TBF_BURST, 16384);
	mnl_attr_nest_end(h, opt);
}

/* netem as sch_netem's netem_dump(): the struct, then attributes inside the same TCA_OPTIONS.
 * The struct's latency is deliberately off: the kernel's nanoseconds attributes win. */
static void kernel_netem(char *buf, int ifindex, const struct nsl_topo_netem *n)
{
	struct nlmsghdr *h = kmsg(buf, ifindex, TC_H_ROOT, 0x10000, "netem");
	struct tc_netem_qopt q = { .latency = 1, .jitter = 1, .limit = 1000,
				   .loss = nsli_topo_netem_prob(n->loss), .duplicate = nsli_topo_netem_prob(n->duplicate),
				   .gap = n->reorder ? 1 : 0 };
	struct tc_netem_corr corr = { 0 };
	struct tc_netem_reorder ro = { .probability = nsli_topo_netem_prob(n->reorder) };
	struct tc_netem_corrupt cr = { .probability = nsli_topo_netem_prob(n->corrupt) };
	struct nlattr *opt = mnl_nlmsg_get_payload_tail(h);
	int64_t lat = (int64_t)n->delay_us * 1000, jit = (int64_t)n->jitter_us * 1000;

	mnl_attr_put(h, TCA_OPTIONS, sizeof(q), &q);
	mnl_attr_put(h, TCA_NETEM_LATENCY64, sizeof(lat), &lat);
	mnl_attr_put(h, TCA_NETEM_JITTER64, sizeof(jit), &jit);
	mnl_attr_put(h, TCA_NETEM_CORR, sizeof(corr), &corr);
	mnl_attr_put(h, TCA_NETEM_REORDER, sizeof(ro), &ro);
	mnl_attr_put(h, TCA_NETEM_CORRUPT, sizeof(cr), &cr);
	opt->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(h) - (char *)opt);
}

static void tbf_round_trip(void)
{
	struct nsli_qdisc_info v[2];
	struct nl_msg *msg = NULL;
	char why[160];

	ok(nsli_topo_qdisc_build_tbf(7, TC_H_ROOT, 1250000, &msg) == 0 && parse_msg(msg, &v[0]),
	   "libnl's tbf request parses");
	ok(v[0].ifindex == 7 && v[0].parent == TC_H_ROOT && v[0].handle == TOPO_QDISC_ROOT && !strcmp(v[0].kind, "tbf") &&
		   v[0].rate == 1250000,
	   "tbf: ifindex 7, root, 1:, 1250000 B/s (%d %#x %#x %s %llu)", v[0].ifindex, v[0].parent, v[0].handle,
	   v[0].kind, (unsigned long long)v[0].rate);
	ok(nsli_topo_qdisc_check(v, 1, 7, &(struct nsl_topo_netem){ 0 }, 1250000, "the first end", why, sizeof(why)),
	   "what up makes is what the model says");
	ok(!nsli_topo_qdisc_check(v, 1, 7, NULL, 2500000, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end's rate is 10mbit, not 20mbit"),
	   "another rate is drift (%s)", why);
	ok(!nsli_topo_qdisc_check(v, 1, 8, NULL, 1250000, "the second end", why, sizeof(why)) &&
		   !strcmp(why, "the second end's root qdisc is missing"),
	   "another device's qdisc does not count (%s)", why);
	ok(nsli_topo_qdisc_check(v, 0, 8, &(struct nsl_topo_netem){ 0 }, 0, "the second end", why, sizeof(why)),
	   "an end with nothing to make (netem on the other end only) is fine");
}

static void tbf_kernel(void)
{
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	struct nsli_qdisc_info v[2];
	char why[160];
	int r;

	kernel_tbf(buf, 3, TC_H_ROOT, 0x10000, 12500000);
	r = nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]);
	ok(r == 0 && v[0].rate == 12500000,
	   "the kernel's tbf dump part: 100mbit (%llu)", (unsigned long long)v[0].rate);
	ok(nsli_topo_qdisc_check(v, 1, 3, NULL, 12500000, "the first end", why, sizeof(why)), "matches rate 100mbit");
	kernel_tbf(buf, 3, TC_H_ROOT, 0x10000, 5000000000ull);
	ok(nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]) == 0 && v[0].rate == 5000000000ull,
	   "at 2^32 B/s and over, TCA_TBF_RATE64 wins over the struct's ~0U");
	ok(!nsli_topo_qdisc_check(v, 1, 3, NULL, 5000000000ull, "the first end", why, sizeof(why)) &&
		   strstr(why, "not 17179869176bit"),
	   "up shapes to at most INT32_MAX B/s (libnl's int): that is what is compared (%s)", why);

	/* `tc qdisc del dev eth0 root`: the device is back to its default, noqueue for a veth. */
	kmsg(buf, 3, TC_H_ROOT, 0, "noqueue");
	ok(nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]) == 0 && !strcmp(v[0].kind, "noqueue"), "noqueue parses");
	ok(!nsli_topo_qdisc_check(v, 1, 3, NULL, 12500000, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end's root qdisc is noqueue, not tbf"),
	   "a deleted tbf is drift (%s)", why);

	/* Someone's netem under our tbf. */
	kernel_tbf(buf, 3, TC_H_ROOT, 0x10000, 12500000);
	nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]);
	kmsg(buf, 3, 0x10001, 0x20000, "pfifo");
	ok(nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[1]) == 0, "pfifo parses");
	ok(!nsli_topo_qdisc_check(v, 2, 3, NULL, 12500000, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end has a pfifo qdisc under its tbf that the lab does not make"),
	   "a qdisc added under ours is drift (%s)", why);

	kernel_tbf(buf, 3, TC_H_ROOT, 0x10000, 12500000);
	((struct nlmsghdr *)buf)->nlmsg_type = RTM_NEWLINK;
	ok(nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]) == -EINVAL, "not RTM_NEWQDISC: -EINVAL");
	kmsg(buf, 3, TC_H_ROOT, 0x10000, "tbf");
	{
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		struct nlattr *opt = mnl_attr_nest_start(h, TCA_OPTIONS);

		mnl_attr_put_u32(h, TCA_TBF_PARMS, 1);
		mnl_attr_nest_end(h, opt);
	}
	ok(nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]) == -EINVAL, "a short TCA_TBF_PARMS: -EINVAL");
	free(buf);
}

static void netem_round_trip(void)
{
	struct nsl_topo_netem n = { .set = true, .delay_us = 10000, .jitter_us = 2500, .loss = PCT(0.5),
				    .duplicate = PCT(1), .corrupt = PCT(0.1), .reorder = PCT(25) };
	struct nsl_topo_netem m = n;
	struct nsli_qdisc_info v[2];
	struct nl_msg *msg = NULL;
	char why[200];

	ok(nsli_topo_qdisc_build_netem(7, &n, &msg) == 0 && parse_msg(msg, &v[0]), "libnl's netem request parses");
	ok(!strcmp(v[0].kind, "netem") && v[0].parent == TC_H_ROOT && v[0].delay_ns / 1000 == 10000 &&
		   (v[0].jitter_ns + 500) / 1000 == 2500 && v[0].prob[0] == 21474836 && v[0].prob[1] == 42949673 &&
		   v[0].prob[2] == 4294967 && v[0].prob[3] == 1073741824,
	   "netem: delay, jitter from ticks; loss, duplicate, corrupt, reorder (%llu %llu %u %u %u %u)",
	   (unsigned long long)v[0].delay_ns, (unsigned long long)v[0].jitter_ns, v[0].prob[0], v[0].prob[1],
	   v[0].prob[2], v[0].prob[3]);
	ok(nsli_topo_qdisc_check(v, 1, 7, &n, 0, "the first end", why, sizeof(why)), "netem alone matches (%s)", why);
	ok(!nsli_topo_qdisc_check(v, 1, 7, &n, 1250000, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end's qdisc under netem is missing"),
	   "netem with a rate needs its tbf child (%s)", why);
	ok(nsli_topo_qdisc_build_tbf(7, TOPO_QDISC_NETEM_CLASS, 1250000, &msg) == 0 && parse_msg(msg, &v[1]),
	   "the tbf child parses");
	ok(nsli_topo_qdisc_check(v, 2, 7, &n, 1250000, "the first end", why, sizeof(why)), "netem with tbf matches (%s)",
	   why);
	ok(!nsli_topo_qdisc_check(v, 2, 7, &n, 2500000, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end's rate is 10mbit, not 20mbit"),
	   "the child's rate is compared (%s)", why);
	ok(!nsli_topo_qdisc_check(v, 2, 7, &n, 0, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end has a tbf qdisc under its netem that the lab does not make"),
	   "a tbf child the model has no rate for is drift (%s)", why);
	m.delay_us = 20000;
	ok(!nsli_topo_qdisc_check(v, 2, 7, &m, 1250000, "the second end", why, sizeof(why)) &&
		   !strcmp(why, "the second end's netem is 'delay 10ms jitter 2.5ms loss 0.5% duplicate 1% corrupt 0.1% "
				"reorder 25%', not 'delay 20ms jitter 2.5ms loss 0.5% duplicate 1% corrupt 0.1% "
				"reorder 25%'"),
	   "another delay is drift, said in the file's units (%s)", why);
	m = n;
	m.corrupt = PCT(0.2);
	ok(!nsli_topo_qdisc_check(v, 2, 7, &m, 1250000, "the first end", why, sizeof(why)), "another corrupt: drift");
	m = n;
	m.reorder = 0;
	ok(!nsli_topo_qdisc_check(v, 2, 7, &m, 1250000, "the first end", why, sizeof(why)), "no reorder: drift");
	ok(!nsli_topo_qdisc_check(v, 2, 7, NULL, 1250000, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end's root qdisc is netem, not tbf"),
	   "netem where the model has only a rate (%s)", why);
}

static void netem_kernel(void)
{
	struct nsl_topo_netem n = { .set = true, .delay_us = 1, .jitter_us = 0, .loss = PCT(100), .reorder = PCT(0.000001) };
	struct nsl_topo_netem m = n;
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	struct nsli_qdisc_info v[1];
	struct nl_msg *msg = NULL;
	char why[200] = "";
	int r;

	kernel_netem(buf, 4, &n);
	r = nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]);
	ok(r == 0 && v[0].delay_ns == 1000 && v[0].jitter_ns == 0 &&
		   v[0].prob[0] == UINT32_MAX,
	   "the kernel's netem dump part: nanoseconds from TCA_NETEM_LATENCY64 (%llu)",
	   (unsigned long long)v[0].delay_ns);
	ok(nsli_topo_qdisc_check(v, 1, 4, &n, 0, "the first end", why, sizeof(why)), "matches (%s)", why);
	m.delay_us = 2;
	ok(!nsli_topo_qdisc_check(v, 1, 4, &m, 0, "the first end", why, sizeof(why)) &&
		   !strcmp(why, "the first end's netem is 'delay 0.001ms loss 100% reorder 0.000001%', not 'delay 0.002ms "
				"loss 100% reorder 0.000001%'"),
	   "1 us apart is drift (%s)", why);
	/* 1 us is 15.625 ticks: libnl sends 15 (960 ns). Not drift. */
	why[0] = '\0';
	r = nsli_topo_qdisc_build_netem(4, &n, &msg) == 0 && parse_msg(msg, &v[0]);
	ok(r && nsli_topo_qdisc_check(v, 1, 4, &n, 0, "the first end", why, sizeof(why)),
	   "whole ticks are not drift (%llu ns for 1 us%s%s)", (unsigned long long)v[0].delay_ns, why[0] ? ": " : "", why);
	kernel_netem(buf, 4, &n);
	{
		struct nlattr *a;

		mnl_attr_for_each(a, (struct nlmsghdr *)buf, sizeof(struct tcmsg))
			if (mnl_attr_get_type(a) == TCA_OPTIONS)
				a->nla_len -= 4; /* into TCA_NETEM_CORRUPT, the last attribute */
	}
	ok(nsli_topo_qdisc_parse((struct nlmsghdr *)buf, &v[0]) == -EINVAL, "netem attributes that do not fill TCA_OPTIONS: -EINVAL");
	free(buf);
}

int main(void)
{
	tbf_round_trip();
	tbf_kernel();
	netem_round_trip();
	netem_kernel();
	return tap_done();
}
