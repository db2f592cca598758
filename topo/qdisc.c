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
#include <netlink/utils.h>
#include <inttypes.h>
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

/* What a tbf of ours shapes to: libnl takes an int. */
static uint64_t tbf_rate(uint64_t rate)
{
	return rate > INT32_MAX ? INT32_MAX : rate;
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
	rate = tbf_rate(rate);
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

/* ---- read back ---- */

static int tbf_parse(const struct nlattr *opt, struct nsli_qdisc_info *q)
{
	const struct nlattr *a;
	uint64_t rate64 = 0;

	mnl_attr_for_each_nested(a, opt) {
		if (mnl_attr_get_type(a) == TCA_TBF_PARMS) {
			if (mnl_attr_get_payload_len(a) < sizeof(struct tc_tbf_qopt))
				return -EINVAL;
			q->rate = ((const struct tc_tbf_qopt *)mnl_attr_get_payload(a))->rate.rate;
		} else if (mnl_attr_get_type(a) == TCA_TBF_RATE64) {
			if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
				return -EINVAL;
			rate64 = mnl_attr_get_u64(a);
		}
	}
	/* At 2^32 bytes/s and more, TCA_TBF_PARMS says ~0U and TCA_TBF_RATE64 the rate. */
	if (rate64)
		q->rate = rate64;
	return 0;
}

/* One attribute of those after netem's tc_netem_qopt. */
static int netem_attr(const struct nlattr *a, struct nsli_qdisc_info *q)
{
	size_t len = mnl_attr_get_payload_len(a);
	const void *p = mnl_attr_get_payload(a);

	switch (mnl_attr_get_type(a)) {
	case TCA_NETEM_LATENCY64:
	case TCA_NETEM_JITTER64: {
		int64_t v;

		/* Attributes are 4-byte aligned: copied, never loaded in place. */
		if (len < sizeof(v))
			return -EINVAL;
		memcpy(&v, p, sizeof(v));
		if (v < 0)
			return -EINVAL;
		*(mnl_attr_get_type(a) == TCA_NETEM_LATENCY64 ? &q->delay_ns : &q->jitter_ns) = (uint64_t)v;
		return 0;
	}
	case TCA_NETEM_CORRUPT:
		if (len < sizeof(struct tc_netem_corrupt))
			return -EINVAL;
		q->prob[2] = ((const struct tc_netem_corrupt *)p)->probability;
		return 0;
	case TCA_NETEM_REORDER:
		if (len < sizeof(struct tc_netem_reorder))
			return -EINVAL;
		q->prob[3] = ((const struct tc_netem_reorder *)p)->probability;
		return 0;
	}
	return 0;
}

/* Ticks as libnl counts them (nl_us2ticks(), from /proc/net/psched), in nanoseconds; not
 * through nl_ticks2us(), which truncates to whole microseconds. */
static uint64_t ticks_ns(uint32_t ticks)
{
	uint64_t per_s = nl_us2ticks(1000000);

	return per_s ? (uint64_t)ticks * 1000000000u / per_s : 0;
}

/*
 * netem's TCA_OPTIONS is struct tc_netem_qopt and then attributes, inside the same
 * TCA_OPTIONS (sch_netem's parse_attr()). Delay and jitter are ticks in the struct (what
 * libnl sends) and nanoseconds in TCA_NETEM_LATENCY64/JITTER64 (what the kernel dumps, since
 * 4.15): the attributes, when there, win.
 */
static int netem_parse(const struct nlattr *opt, struct nsli_qdisc_info *q)
{
	size_t plen = mnl_attr_get_payload_len(opt), skip = NLA_ALIGN(sizeof(struct tc_netem_qopt));
	struct tc_netem_qopt qopt;
	const struct nlattr *a;
	int len, r;

	if (plen < sizeof(qopt))
		return -EINVAL;
	memcpy(&qopt, mnl_attr_get_payload(opt), sizeof(qopt));
	q->delay_ns = ticks_ns(qopt.latency);
	q->jitter_ns = ticks_ns(qopt.jitter);
	q->prob[0] = qopt.loss;
	q->prob[1] = qopt.duplicate;
	len = plen > skip ? (int)(plen - skip) : 0;
	a = (const struct nlattr *)((const char *)mnl_attr_get_payload(opt) + skip);
	for (; mnl_attr_ok(a, len); a = mnl_attr_next(a)) {
		len -= (int)MNL_ALIGN(a->nla_len);
		r = netem_attr(a, q);
		if (r < 0)
			return r;
	}
	return len == 0 ? 0 : -EINVAL;
}

int nsli_topo_qdisc_parse(const struct nlmsghdr *h, struct nsli_qdisc_info *ret)
{
	const struct nlattr *tb[TCA_MAX + 1] = { 0 };
	struct nsli_qdisc_info q = { 0 };
	const struct tcmsg *tc = mnl_nlmsg_get_payload(h);
	int r = 0;

	if (h->nlmsg_type != RTM_NEWQDISC || mnl_nlmsg_get_payload_len(h) < sizeof(*tc) ||
	    nsli_nl_parse_attrs(h, sizeof(*tc), tb, TCA_MAX) < 0)
		return -EINVAL;
	q.ifindex = tc->tcm_ifindex;
	q.parent = tc->tcm_parent;
	q.handle = tc->tcm_handle;
	if (tb[TCA_KIND]) {
		if (mnl_attr_validate(tb[TCA_KIND], MNL_TYPE_NUL_STRING) < 0)
			return -EINVAL;
		snprintf(q.kind, sizeof(q.kind), "%s", mnl_attr_get_str(tb[TCA_KIND]));
	}
	if (tb[TCA_OPTIONS] && STREQ(q.kind, "tbf"))
		r = tbf_parse(tb[TCA_OPTIONS], &q);
	else if (tb[TCA_OPTIONS] && STREQ(q.kind, "netem"))
		r = netem_parse(tb[TCA_OPTIONS], &q);
	if (r < 0)
		return r;
	*ret = q;
	return 0;
}

struct qlist {
	struct nsli_qdisc_info *v;
	size_t n, cap;
	bool oom;
};

static int list_cb(const struct nlmsghdr *h, void *data)
{
	struct qlist *l = data;
	struct nsli_qdisc_info q;

	if (nsli_topo_qdisc_parse(h, &q) < 0)
		return MNL_CB_ERROR;
	if (!GREEDY_REALLOC(l->v, l->cap, l->n + 1))
		l->oom = true;
	else
		l->v[l->n++] = q;
	return MNL_CB_OK;
}

static void list_reset(void *data)
{
	((struct qlist *)data)->n = 0;
}

int nsli_topo_qdisc_list(struct nsl_ctx *ctx, const char *netns, struct nsli_qdisc_info **ret, size_t *ret_n,
			 struct nsl_err *err)
{
	char buf[64] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct qlist l = { 0 };
	struct nsl_nl *nl;
	int r = nsli_nl_get(ctx, netns, &nl, err);

	if (r < 0)
		return r;
	h->nlmsg_type = RTM_GETQDISC;
	mnl_nlmsg_put_extra_header(h, sizeof(struct tcmsg));
	r = nsli_nl_dump(nl, h, list_cb, list_reset, &l, err);
	if (r >= 0 && l.oom)
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	if (r < 0) {
		free(l.v);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

/* The root qdisc of device @ifindex; with @root, the qdisc inside @root instead (in its
 * class: tbf and netem have one). */
static const struct nsli_qdisc_info *qfind(const struct nsli_qdisc_info *v, size_t n, int ifindex,
					   const struct nsli_qdisc_info *root)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].ifindex != ifindex)
			continue;
		if (!root && v[i].parent == TC_H_ROOT)
			return &v[i];
		if (root && root->handle && v[i].parent != TC_H_ROOT &&
		    TC_H_MAJ(v[i].parent) == TC_H_MAJ(root->handle))
			return &v[i];
	}
	return NULL;
}

/* @bytes a second as tc writes rates: "10mbit". */
static const char *rate_str(uint64_t bytes, char buf[32])
{
	static const char *const unit[] = { "bit", "kbit", "mbit", "gbit", "tbit" };
	uint64_t bits = bytes * 8;
	size_t u = 0;

	while (bits && bits % 1000 == 0 && u + 1 < ELEMENTSOF(unit)) {
		bits /= 1000;
		u++;
	}
	snprintf(buf, 32, "%" PRIu64 "%s", bits, unit[u]);
	return buf;
}

/* Within a microsecond: libnl sends whole ticks (64 ns each), the kernel keeps nanoseconds. */
static bool near_us(uint64_t ns, uint32_t us)
{
	uint64_t want = (uint64_t)us * 1000;

	return ns + 1000 > want && ns < want + 1000;
}

static bool netem_eq(const struct nsli_qdisc_info *q, const struct nsl_topo_netem *ne)
{
	const uint32_t prob[4] = { nsli_topo_netem_prob(ne->loss), nsli_topo_netem_prob(ne->duplicate),
				   nsli_topo_netem_prob(ne->corrupt), nsli_topo_netem_prob(ne->reorder) };

	return near_us(q->delay_ns, ne->delay_us) && near_us(q->jitter_ns, ne->jitter_us) &&
	       !memcmp(prob, q->prob, sizeof(prob));
}

/* The netem of @q in the model's units, for a message. */
static struct nsl_topo_netem netem_of(const struct nsli_qdisc_info *q)
{
	struct nsl_topo_netem n = { .set = true };
	uint32_t *pct[4] = { &n.loss, &n.duplicate, &n.corrupt, &n.reorder };
	const uint64_t full = 100 * (uint64_t)NSL_TOPO_PCT;

	n.delay_us = (uint32_t)((q->delay_ns + 500) / 1000);
	n.jitter_us = (uint32_t)((q->jitter_ns + 500) / 1000);
	for (size_t i = 0; i < 4; i++)
		*pct[i] = (uint32_t)(((uint64_t)q->prob[i] * full + UINT32_MAX / 2) / UINT32_MAX);
	return n;
}

/* Whether @q is a qdisc of @kind (with @ne's values, or shaping to @rate); @why when not. */
static bool qdisc_is(const struct nsli_qdisc_info *q, const char *kind, const struct nsl_topo_netem *ne,
		     uint64_t rate, const char *what, const char *where, char *why, size_t size)
{
	char a[160], b[160];
	struct nsl_topo_netem got;

	if (!q) {
		snprintf(why, size, "%s's %s is missing", what, where);
		return false;
	}
	if (!STREQ(q->kind, kind)) {
		snprintf(why, size, "%s's %s is %s, not %s", what, where, q->kind[0] ? q->kind : "of no kind", kind);
		return false;
	}
	if (ne && !netem_eq(q, ne)) {
		got = netem_of(q);
		nsli_topo_netem_str(&got, a, sizeof(a));
		nsli_topo_netem_str(ne, b, sizeof(b));
		snprintf(why, size, "%s's netem is '%s', not '%s'", what, a, b[0] ? b : "netem");
		return false;
	}
	if (!ne && q->rate != tbf_rate(rate)) {
		snprintf(why, size, "%s's rate is %s, not %s", what, rate_str(q->rate, a), rate_str(tbf_rate(rate), b));
		return false;
	}
	return true;
}

bool nsli_topo_qdisc_check(const struct nsli_qdisc_info *v, size_t n, int ifindex, const struct nsl_topo_netem *ne,
			   uint64_t rate, const char *what, char *why, size_t size)
{
	const struct nsli_qdisc_info *root = qfind(v, n, ifindex, NULL), *child;
	bool netem = ne && ne->set;

	if (!netem && !rate)
		return true; /* nothing made on this end (netem on the other only) */
	if (!qdisc_is(root, netem ? "netem" : "tbf", netem ? ne : NULL, rate, what, "root qdisc", why, size))
		return false;
	child = qfind(v, n, ifindex, root);
	if (netem && rate)
		return qdisc_is(child, "tbf", NULL, rate, what, "qdisc under netem", why, size);
	if (child) {
		snprintf(why, size, "%s has a %s qdisc under its %s that the lab does not make", what, child->kind,
			 root->kind);
		return false;
	}
	return true;
}
