// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Link shaping and impairments: `rate:` is a tbf qdisc, `delay:`/`loss:`/... a netem qdisc,
 * on the egress of each end. With both, netem is the root (handle 1:) and tbf its child
 * (parent 1:1, handle 10:): netem holds each packet for its delay, then hands it to tbf,
 * which paces it. That is the arrangement the netem documentation gives for "rate control";
 * netem has exactly one class, 1:1, for its child.
 *
 * Requests are built by libnl (builders below, unit-tested without a kernel) and sent on
 * the netns's own session.
 */
#include <linux/pkt_sched.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "core.h"
#include "macro.h"
#include "qdisc.h"

static void qdisc_putp(struct rtnl_qdisc **q)
{
	if (*q)
		rtnl_qdisc_put(*q);
}
#define _cleanup_qdisc_ _cleanup_(qdisc_putp)

static struct rtnl_qdisc *qdisc_new(int ifindex, uint32_t parent, uint32_t handle)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	if (handle)
		rtnl_tc_set_handle(TC_CAST(q), handle);
	return q;
}

/* Exclusive: a root of ours from an earlier up is deleted first (see add()), never changed. */
static int build_add(struct rtnl_qdisc *q, struct nl_msg **ret)
{
	return nsli_nle_errno(rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, ret));
}

uint32_t nsli_topo_netem_prob(uint32_t pct)
{
	/* As tc's get_percent(): UINT32_MAX is 100 %. Rounded, so 100 % is exactly that. */
	uint64_t full = 100 * (uint64_t)NSL_TOPO_PCT;

	if (pct >= full)
		return UINT32_MAX;
	return (uint32_t)(((uint64_t)pct * UINT32_MAX + full / 2) / full);
}

/*
 * sch_netem reads TCA_OPTIONS as struct tc_netem_qopt followed by attributes (REORDER,
 * CORRUPT, ...) inside the same TCA_OPTIONS. libnl's netem_msg_fill_raw() (3.7 to at least
 * 3.11) appends them, stretches TCA_OPTIONS over them, and then adds their length to
 * nlmsg_len a second time: the request ends in as many zero bytes, which the kernel reports
 * as "bytes leftover after parsing attributes". TCA_OPTIONS is the last attribute libnl
 * writes, so the message ends where it does.
 */
static void netem_fix_len(struct nlmsghdr *h)
{
	const size_t off = NLMSG_ALIGN(sizeof(struct nlmsghdr)) + NLMSG_ALIGN(sizeof(struct tcmsg));
	struct nlattr *a = (struct nlattr *)((char *)h + off);
	size_t rem = h->nlmsg_len > off ? h->nlmsg_len - off : 0;

	while (rem >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= rem) {
		size_t step = NLA_ALIGN(a->nla_len);

		if ((a->nla_type & NLA_TYPE_MASK) == TCA_OPTIONS) {
			h->nlmsg_len = (uint32_t)((char *)a - (char *)h + step);
			return;
		}
		if (step >= rem)
			return;
		rem -= step;
		a = (struct nlattr *)((char *)a + step);
	}
}

int nsli_topo_qdisc_build_netem(int ifindex, const struct nsl_topo_netem *n, struct nl_msg **ret)
{
	_cleanup_qdisc_ struct rtnl_qdisc *q = qdisc_new(ifindex, TC_H_ROOT, TOPO_QDISC_ROOT);
	int r;

	if (!q)
		return -ENOMEM;
	r = nsli_nle_errno(rtnl_tc_set_kind(TC_CAST(q), "netem"));
	if (r < 0)
		return r;
	/* libnl's int arguments carry the kernel's u32 probabilities bit for bit. */
	if (n->delay_us)
		rtnl_netem_set_delay(q, (int)n->delay_us); /* microseconds; libnl makes them ticks */
	if (n->jitter_us)
		rtnl_netem_set_jitter(q, (int)n->jitter_us);
	if (n->loss)
		rtnl_netem_set_loss(q, (int)nsli_topo_netem_prob(n->loss));
	if (n->duplicate)
		rtnl_netem_set_duplicate(q, (int)nsli_topo_netem_prob(n->duplicate));
	if (n->corrupt)
		rtnl_netem_set_corruption_probability(q, (int)nsli_topo_netem_prob(n->corrupt));
	/* With a reorder probability and no gap, libnl sends gap 1, as tc does: that share of
	 * the packets goes out at once, the rest after the delay. */
	if (n->reorder)
		rtnl_netem_set_reorder_probability(q, (int)nsli_topo_netem_prob(n->reorder));
	r = build_add(q, ret);
	if (r == 0)
		netem_fix_len(nlmsg_hdr(*ret));
	return r;
}

int nsli_topo_qdisc_build_tbf(int ifindex, uint32_t parent, uint64_t rate, struct nl_msg **ret)
{
	_cleanup_qdisc_ struct rtnl_qdisc *q =
		qdisc_new(ifindex, parent, parent == TC_H_ROOT ? TOPO_QDISC_ROOT : TOPO_QDISC_TBF_CHILD);
	uint64_t bucket = rate / 100 > 16384 ? rate / 100 : 16384; /* 10 ms, at least 16 KiB */
	uint64_t limit = bucket + rate / 20;			    /* 50 ms of queue */
	int r;

	if (!q)
		return -ENOMEM;
	r = nsli_nle_errno(rtnl_tc_set_kind(TC_CAST(q), "tbf"));
	if (r < 0)
		return r;
	if (rate > INT32_MAX)
		rate = INT32_MAX;
	if (limit > INT32_MAX)
		limit = INT32_MAX;
	rtnl_qdisc_tbf_set_limit(q, (int)limit);
	rtnl_qdisc_tbf_set_rate(q, (int)rate, (int)bucket, 0);
	return build_add(q, ret);
}

int nsli_topo_qdisc_build_del(int ifindex, struct nl_msg **ret)
{
	/* No kind and no handle: whatever is the root of the lab's own device goes, with its
	 * child (tbf, netem, or netem with tbf). The kernel refuses only its default qdisc. */
	_cleanup_qdisc_ struct rtnl_qdisc *q = qdisc_new(ifindex, TC_H_ROOT, 0);

	if (!q)
		return -ENOMEM;
	return nsli_nle_errno(rtnl_qdisc_build_delete_request(q, ret));
}

/* @v / 10^@digits in decimal, without trailing zeros: 1500, 3 -> "1.5". */
static const char *fixed(uint32_t v, unsigned digits, char buf[24])
{
	uint32_t div = 1;
	int n;

	for (unsigned i = 0; i < digits; i++)
		div *= 10;
	n = snprintf(buf, 24, "%u.%0*u", v / div, (int)digits, v % div);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

size_t nsli_topo_netem_str(const struct nsl_topo_netem *n, char *buf, size_t size)
{
	static const char *const names[] = { "loss", "duplicate", "corrupt", "reorder" };
	const uint32_t pct[] = { n->loss, n->duplicate, n->corrupt, n->reorder };
	size_t len = 0;
	char a[24];

#define PUT(...) (len += (size_t)snprintf(buf + (len < size ? len : size), size > len ? size - len : 0, __VA_ARGS__))
	if (size)
		buf[0] = '\0';
	if (n->delay_us)
		PUT("delay %sms", fixed(n->delay_us, 3, a));
	if (n->jitter_us)
		PUT("%sjitter %sms", len ? " " : "", fixed(n->jitter_us, 3, a));
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (pct[i])
			PUT("%s%s %s%%", len ? " " : "", names[i], fixed(pct[i], 6, a));
	if (n->set && !len)
		PUT("netem");
#undef PUT
	return len;
}

static int ifindex_of(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_nl **ret_nl,
		      struct nsl_err *err)
{
	int r = nsli_nl_get(ctx, netns, ret_nl, err);

	return r < 0 ? r : nsli_nl_ifindex(*ret_nl, ifname, err);
}

static int talk(struct nsl_nl *nl, struct nl_msg *msg, struct nsl_err *err)
{
	int r = nsli_nl_talk_msg(nl, msg, err);

	nlmsg_free(msg);
	return r;
}

static int del_root(struct nsl_nl *nl, int ifindex, const char *ifname, struct nsl_err *err)
{
	struct nl_msg *msg = NULL;
	int r = nsli_topo_qdisc_build_del(ifindex, &msg);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, "qdisc request: %s", strerror(-r));
	r = talk(nl, msg, err);
	/* Gone already, or only the device's default qdisc (handle 0) left. */
	return r == -ENOENT || r == -EINVAL ? 0 : r;
}

/*
 * Send the add request @msg for @kind; when the device has a root qdisc already (ours, from
 * an earlier up, perhaps of another kind: a change of kind cannot be made in place), delete
 * it and add again. @build makes the request anew for that second try.
 */
static int add(struct nsl_nl *nl, int ifindex, const char *ifname, const char *kind, bool root,
	       int (*build)(int ifindex, const void *arg, struct nl_msg **ret), const void *arg,
	       struct nsl_err *err)
{
	for (int attempt = 0;; attempt++) {
		struct nl_msg *msg = NULL;
		int r = build(ifindex, arg, &msg);

		if (r < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, "%s request: %s", kind, strerror(-r));
		r = talk(nl, msg, err);
		if (r == -EEXIST && root && attempt == 0) {
			r = del_root(nl, ifindex, ifname, err);
			if (r < 0)
				return r;
			continue;
		}
		if (r == -ENOENT)
			return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, "kernel lacks sch_%s", kind);
		return r;
	}
}

static int b_netem(int ifindex, const void *arg, struct nl_msg **ret)
{
	return nsli_topo_qdisc_build_netem(ifindex, arg, ret);
}
static int b_tbf_root(int ifindex, const void *arg, struct nl_msg **ret)
{
	return nsli_topo_qdisc_build_tbf(ifindex, TC_H_ROOT, *(const uint64_t *)arg, ret);
}
static int b_tbf_child(int ifindex, const void *arg, struct nl_msg **ret)
{
	return nsli_topo_qdisc_build_tbf(ifindex, TOPO_QDISC_NETEM_CLASS, *(const uint64_t *)arg, ret);
}

int nsli_topo_qdisc_tbf(struct nsl_ctx *ctx, const char *netns, const char *ifname, uint64_t rate,
		   struct nsl_err *err)
{
	struct nsl_nl *nl;
	int ifindex = ifindex_of(ctx, netns, ifname, &nl, err);

	return ifindex < 0 ? ifindex : add(nl, ifindex, ifname, "tbf", true, b_tbf_root, &rate, err);
}

int nsli_topo_qdisc_netem(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		     const struct nsl_topo_netem *n, uint64_t rate, struct nsl_err *err)
{
	struct nsl_nl *nl;
	int ifindex, r;

	if (!n || !n->set)
		return rate ? nsli_topo_qdisc_tbf(ctx, netns, ifname, rate, err) : 0;
	ifindex = ifindex_of(ctx, netns, ifname, &nl, err);
	if (ifindex < 0)
		return ifindex;
	r = add(nl, ifindex, ifname, "netem", true, b_netem, n, err);
	if (r < 0 || !rate)
		return r;
	r = add(nl, ifindex, ifname, "tbf", false, b_tbf_child, &rate, err);
	if (r < 0)
		goto undo_netem;
	return 0;

undo_netem:
	del_root(nl, ifindex, ifname, NULL);
	return r;
}

int nsli_topo_qdisc_del(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err)
{
	struct nsl_nl *nl;
	int ifindex = ifindex_of(ctx, netns, ifname, &nl, err);

	return ifindex < 0 ? ifindex : del_root(nl, ifindex, ifname, err);
}

/* Whether @path lists sch_netem.ko (modules.builtin: "kernel/net/sched/sch_netem.ko"). */
static bool lists_netem(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512];

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "/sch_netem.ko"))
			return true;
	return false;
}

bool nsli_topo_qdisc_netem_available(void)
{
	struct utsname u;
	struct stat st;
	char path[512];

	/* Loaded. A built-in sch_netem has no /sys/module entry (it has no parameters), and a
	 * module the kernel would load on the first request is not loaded yet: ask kmod's
	 * lists of the running kernel for both. */
	if (stat("/sys/module/sch_netem", &st) == 0)
		return true;
	if (uname(&u) < 0)
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", u.release);
	if (lists_netem(path))
		return true;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	return lists_netem(path);
}
