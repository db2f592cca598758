// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link impairments: the netem keys of a topology file, and the qdisc requests (netem root,
 * tbf root or child, delete) decoded attribute by attribute, as the kernel reads them.
 * No kernel, no privilege.
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

/* ---- decoding ---- */

struct req {
	const struct nlmsghdr *h;
	const struct tcmsg *tc;
	const struct nlattr *tb[TCA_MAX + 1];
};

static int top_cb(const struct nlattr *a, void *data)
{
	struct req *q = data;

	if (mnl_attr_get_type(a) <= TCA_MAX)
		q->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void decode(struct nl_msg *msg, struct req *q)
{
	memset(q, 0, sizeof(*q));
	q->h = nlmsg_hdr(msg);
	q->tc = mnl_nlmsg_get_payload(q->h);
	mnl_attr_parse(q->h, sizeof(struct tcmsg), top_cb, q);
}

static const char *kind(const struct req *q)
{
	return q->tb[TCA_KIND] ? mnl_attr_get_str(q->tb[TCA_KIND]) : "(none)";
}

/*
 * sch_netem's TCA_OPTIONS is not a plain nest: struct tc_netem_qopt, then attributes
 * (netem's parse_attr() in the kernel). @ret_qopt and the attributes after it.
 */
struct netem_opts {
	struct tc_netem_qopt qopt;
	const struct nlattr *tb[TCA_NETEM_MAX + 1];
	bool ok;
};

static struct netem_opts netem_opts(const struct req *q)
{
	struct netem_opts o = { 0 };
	const struct nlattr *opt = q->tb[TCA_OPTIONS];
	const struct nlattr *a;
	const char *p;
	int len;

	if (!opt || mnl_attr_get_payload_len(opt) < sizeof(o.qopt))
		return o;
	memcpy(&o.qopt, mnl_attr_get_payload(opt), sizeof(o.qopt));
	p = (const char *)mnl_attr_get_payload(opt) + NLA_ALIGN(sizeof(o.qopt));
	len = (int)(mnl_attr_get_payload_len(opt) - NLA_ALIGN(sizeof(o.qopt)));
	for (a = (const struct nlattr *)p; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		len -= (int)MNL_ALIGN(a->nla_len);
		if (mnl_attr_get_type(a) <= TCA_NETEM_MAX)
			o.tb[mnl_attr_get_type(a)] = a;
	}
	o.ok = len == 0;
	return o;
}

static const void *attr(const struct nlattr *a, size_t size)
{
	return a && mnl_attr_get_payload_len(a) >= size ? mnl_attr_get_payload(a) : NULL;
}

/* ---- the requests ---- */

static void netem_full(void)
{
	struct nsl_topo_netem n = {
		.set = true,
		.delay_us = 10000,
		.jitter_us = 2500,
		.loss = PCT(0.5),
		.duplicate = PCT(1),
		.corrupt = PCT(0.1),
		.reorder = PCT(25),
	};
	struct nl_msg *msg = NULL;
	struct netem_opts o;
	const struct tc_netem_reorder *ro;
	const struct tc_netem_corrupt *cr;
	struct req q;

	ok(nsli_topo_qdisc_build_netem(7, &n, &msg) == 0 && msg, "netem request builds");
	if (!msg)
		return;
	decode(msg, &q);
	ok(q.h->nlmsg_type == RTM_NEWQDISC &&
		   (q.h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE)) == (NLM_F_CREATE | NLM_F_EXCL),
	   "RTM_NEWQDISC, create exclusive (flags %#x)", q.h->nlmsg_flags);
	ok(q.tc->tcm_ifindex == 7 && q.tc->tcm_parent == TC_H_ROOT && q.tc->tcm_handle == TOPO_QDISC_ROOT,
	   "ifindex 7, root, handle 1: (%d %#x %#x)", q.tc->tcm_ifindex, q.tc->tcm_parent, q.tc->tcm_handle);
	ok(!strcmp(kind(&q), "netem"), "TCA_KIND netem (%s)", kind(&q));
	ok(q.tb[TCA_OPTIONS] && (const char *)q.tb[TCA_OPTIONS] + NLA_ALIGN(q.tb[TCA_OPTIONS]->nla_len) ==
					(const char *)q.h + q.h->nlmsg_len,
	   "TCA_OPTIONS spans to the end of the message, its attributes inside");
	o = netem_opts(&q);
	ok(o.ok, "TCA_OPTIONS: tc_netem_qopt then well-formed attributes");
	ok(o.qopt.latency == nl_us2ticks(10000) && o.qopt.latency != 0, "latency 10ms in ticks (%u, want %u)",
	   o.qopt.latency, nl_us2ticks(10000));
	ok(o.qopt.jitter == nl_us2ticks(2500), "jitter 2.5ms in ticks (%u)", o.qopt.jitter);
	ok(o.qopt.limit == 1000, "limit: netem's default 1000 packets (%u)", o.qopt.limit);
	ok(o.qopt.loss == 21474836, "loss 0.5%% = 0.005 * UINT32_MAX, rounded (%u)", o.qopt.loss);
	ok(o.qopt.duplicate == 42949673, "duplicate 1%% (%u)", o.qopt.duplicate);
	ok(o.qopt.gap == 1, "reorder sets gap 1, as tc (%u)", o.qopt.gap);
	ro = attr(o.tb[TCA_NETEM_REORDER], sizeof(*ro));
	ok(ro && ro->probability == 1073741824 && ro->correlation == 0, "TCA_NETEM_REORDER 25%% (%u)",
	   ro ? ro->probability : 0);
	cr = attr(o.tb[TCA_NETEM_CORRUPT], sizeof(*cr));
	ok(cr && cr->probability == 4294967 && cr->correlation == 0, "TCA_NETEM_CORRUPT 0.1%% (%u)",
	   cr ? cr->probability : 0);
	ok(!o.tb[TCA_NETEM_CORR], "no TCA_NETEM_CORR: no correlation given");
	nlmsg_free(msg);
}

static void netem_loss_only(void)
{
	struct nsl_topo_netem n = { .set = true, .loss = PCT(100) };
	struct nl_msg *msg = NULL;
	struct netem_opts o;
	struct req q;

	ok(nsli_topo_qdisc_build_netem(3, &n, &msg) == 0 && msg, "netem loss-only request builds");
	if (!msg)
		return;
	decode(msg, &q);
	o = netem_opts(&q);
	ok(o.ok && o.qopt.loss == UINT32_MAX && o.qopt.latency == 0 && o.qopt.jitter == 0 && o.qopt.gap == 0 &&
		   o.qopt.duplicate == 0,
	   "loss 100%% is UINT32_MAX, nothing else set");
	ok(!o.tb[TCA_NETEM_REORDER] && !o.tb[TCA_NETEM_CORRUPT] && !o.tb[TCA_NETEM_CORR],
	   "no reorder, corrupt or correlation attributes");
	nlmsg_free(msg);
}

static const struct tc_tbf_qopt *tbf_parms(const struct req *q)
{
	const struct nlattr *opt = q->tb[TCA_OPTIONS], *a;

	if (!opt)
		return NULL;
	mnl_attr_for_each_nested(a, opt)
		if (mnl_attr_get_type(a) == TCA_TBF_PARMS)
			return attr(a, sizeof(struct tc_tbf_qopt));
	return NULL;
}

static void tbf(void)
{
	struct nl_msg *msg = NULL;
	const struct tc_tbf_qopt *p;
	struct req q;

	ok(nsli_topo_qdisc_build_tbf(7, TOPO_QDISC_NETEM_CLASS, 1250000, &msg) == 0 && msg, "tbf child request builds");
	if (msg) {
		decode(msg, &q);
		p = tbf_parms(&q);
		ok(!strcmp(kind(&q), "tbf"), "TCA_KIND tbf (%s)", kind(&q));
		ok(q.tc->tcm_parent == TOPO_QDISC_NETEM_CLASS && q.tc->tcm_handle == TOPO_QDISC_TBF_CHILD,
		   "tbf under netem: parent 1:1, handle 10: (%#x %#x)", q.tc->tcm_parent, q.tc->tcm_handle);
		ok(p && p->rate.rate == 1250000 && p->limit == 16384 + 1250000 / 20,
		   "TCA_TBF_PARMS: 10mbit, 50 ms of queue over the bucket (%u %u)", p ? p->rate.rate : 0,
		   p ? p->limit : 0);
		nlmsg_free(msg);
		msg = NULL;
	}
	ok(nsli_topo_qdisc_build_tbf(7, TC_H_ROOT, 1250000, &msg) == 0 && msg, "tbf root request builds");
	if (msg) {
		decode(msg, &q);
		ok(q.tc->tcm_parent == TC_H_ROOT && q.tc->tcm_handle == TOPO_QDISC_ROOT && tbf_parms(&q),
		   "tbf alone: root, handle 1:");
		nlmsg_free(msg);
		msg = NULL;
	}
	ok(nsli_topo_qdisc_build_del(7, &msg) == 0 && msg, "delete request builds");
	if (msg) {
		decode(msg, &q);
		ok(q.h->nlmsg_type == RTM_DELQDISC && q.tc->tcm_parent == TC_H_ROOT && q.tc->tcm_handle == 0 &&
			   !q.tb[TCA_KIND],
		   "delete: the root, no handle, no kind (any of ours goes)");
		nlmsg_free(msg);
	}
}

static void prob_and_text(void)
{
	struct nsl_topo_netem n = { .set = true, .delay_us = 1500, .jitter_us = 10000, .loss = PCT(0.5), .reorder = 1 };
	char buf[128];

	ok(nsli_topo_netem_prob(0) == 0 && nsli_topo_netem_prob(PCT(100)) == UINT32_MAX &&
		   nsli_topo_netem_prob(PCT(50)) == 2147483648u && nsli_topo_netem_prob(1) == 43,
	   "probabilities: 0, 100%% = UINT32_MAX, 50%%, 0.000001%%");
	nsli_topo_netem_str(&n, buf, sizeof(buf));
	ok(!strcmp(buf, "delay 1.5ms jitter 10ms loss 0.5% reorder 0.000001%"), "netem text (%s)", buf);
	ok(nsli_topo_netem_str(&(struct nsl_topo_netem){ .set = true }, buf, sizeof(buf)) == 5 && !strcmp(buf, "netem"),
	   "set with nothing: 'netem'");
	ok(nsli_topo_netem_str(&(struct nsl_topo_netem){ 0 }, buf, sizeof(buf)) == 0 && !buf[0], "not set: ''");
}

/* ---- the keys of a topology file ---- */

static int load(const char *text, struct nsl_topo **t, struct nsl_err *err)
{
	memset(err, 0, sizeof(*err));
	return nsl_topo_load("t.yaml", text, strlen(text), t, err);
}

static void bad(const char *links, unsigned line, unsigned col, const char *msg)
{
	char text[1024];
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	int r;

	snprintf(text, sizeof(text), "name: x\nnodes: { a: {}, b: {} }\nlinks:\n%s", links);
	r = load(text, &t, &err);
	ok(r == -EINVAL && err.kind == NSL_E_USAGE && err.line == line && err.column == col &&
		   strstr(err.msg, msg) != NULL,
	   "bad %u:%u '%s' (got %d %u:%u '%s')", line, col, msg, r, err.line, err.column, err.msg);
	nsl_topo_free(t);
}

static void keys(void)
{
	static const char m[] = "name: x\n"
				"nodes: { a: {}, b: {}, c: {}, d: {} }\n"
				"links:\n"
				"  - endpoints: [a:eth0, b:eth0]\n"
				"    rate: 10mbit\n"
				"    delay: 10ms\n"
				"    jitter: 500us\n"
				"    loss: 0.5%\n"
				"    netem:\n"
				"      a: { delay: 1.5s, duplicate: 1% }\n"
				"      b: { loss: 100%, corrupt: 0.000001%, reorder: 25% }\n"
				"  - { endpoints: [c:eth0, d:eth0], netem: { b: { loss: 0% } } }\n"
				"  - { endpoints: [c:eth1, d:eth1], mtu: 1400 }\n";
	struct nsl_topo *t = NULL;
	struct nsl_err err;

	ok(load(m, &t, &err) == 0, "netem lab loads (%s)", err.msg);
	if (t) {
		const struct nsl_topo_netem *a = &t->links[0].netem[0], *b = &t->links[0].netem[1];

		ok(a->set && a->delay_us == 1500000 && a->jitter_us == 500 && a->loss == PCT(0.5) &&
			   a->duplicate == PCT(1) && !a->corrupt && !a->reorder,
		   "end a: netem.a over the link's keys (%u %u %u %u)", a->delay_us, a->jitter_us, a->loss,
		   a->duplicate);
		ok(b->set && b->delay_us == 10000 && b->jitter_us == 500 && b->loss == PCT(100) && b->corrupt == 1 &&
			   b->reorder == PCT(25) && !b->duplicate,
		   "end b: netem.b over the link's keys");
		ok(t->links[0].has_netem && t->links[0].netem_pos.line == 6 && t->links[0].netem_pos.column == 12,
		   "has_netem, at the first key (%u:%u)", t->links[0].netem_pos.line, t->links[0].netem_pos.column);
		ok(t->links[0].rate == 1250000, "rate kept beside netem");
		ok(!t->links[1].netem[0].set && t->links[1].netem[1].set && !t->links[1].netem[1].loss &&
			   t->links[1].has_netem && t->links[1].netem_pos.line == 12,
		   "one direction only: the other end has no netem");
		ok(!t->links[2].has_netem && !t->links[2].netem[0].set && !t->links[2].netem[1].set,
		   "a link without impairments has none");
	}
	nsl_topo_free(t);

	bad("  - { endpoints: [a:e, b:e], delay: 10 }\n", 4, 37, "expected a duration such as 10ms");
	bad("  - { endpoints: [a:e, b:e], delay: 10sec }\n", 4, 37, "expected a duration");
	bad("  - { endpoints: [a:e, b:e], delay: -1ms }\n", 4, 37, "expected a duration");
	bad("  - { endpoints: [a:e, b:e], delay: 61s }\n", 4, 37, "out of range (at most 60s)");
	bad("  - { endpoints: [a:e, b:e], delay: 1.0000001s }\n", 4, 37, "expected a duration");
	bad("  - { endpoints: [a:e, b:e], delay: 0.5us }\n", 4, 37, "finer than 1us");
	bad("  - { endpoints: [a:e, b:e], loss: 1 }\n", 4, 36, "expected a percentage such as 1% or 0.5%");
	bad("  - { endpoints: [a:e, b:e], loss: 101% }\n", 4, 36, "out of range (0% to 100%)");
	bad("  - { endpoints: [a:e, b:e], loss: 100.1% }\n", 4, 36, "out of range");
	bad("  - { endpoints: [a:e, b:e], loss: .5% }\n", 4, 36, "expected a percentage");
	bad("  - { endpoints: [a:e, b:e], loss: 0.0000001% }\n", 4, 36, "finer than 0.000001%");
	bad("  - { endpoints: [a:e, b:e], duplicate: [1%] }\n", 4, 41, "duplicate: expected a value");
	bad("  - { endpoints: [a:e, b:e], jitter: 1ms }\n", 4, 38, "jitter needs a delay (on the egress of end a)");
	bad("  - { endpoints: [a:e, b:e], reorder: 5% }\n", 4, 39, "reorder needs a delay");
	bad("  - { endpoints: [a:e, b:e], jitter: 1ms, netem: { a: { delay: 5ms } } }\n", 4, 38,
	    "jitter needs a delay (on the egress of end b)");
	bad("  - { endpoints: [a:e, b:e], delay: 5ms, netem: { b: { delay: 0ms, reorder: 1% } } }\n", 4, 77,
	    "reorder needs a delay (on the egress of end b)");
	bad("  - { endpoints: [a:e, b:e], netem: { c: {} } }\n", 4, 39, "unknown key 'c' in netem");
	bad("  - { endpoints: [a:e, b:e], netem: { a: { rate: 1mbit } } }\n", 4, 44, "unknown key 'rate' in netem.a");
	bad("  - { endpoints: [a:e, b:e], netem: 5ms }\n", 4, 37, "netem: expected a mapping");
}

int main(void)
{
	netem_full();
	netem_loss_only();
	tbf();
	prob_and_text();
	keys();
	return tap_done();
}
