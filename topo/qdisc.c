// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `rate:` on a link: a tbf root qdisc on each end, built by libnl and sent on the netns's
 * own session. (This kernel has no sch_netem, so delay/loss are refused before up starts.)
 */
#include <linux/pkt_sched.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "core.h"
#include "macro.h"
#include "qdisc.h"

static int build(struct nsl_nl *nl, const char *ifname, uint64_t rate, bool del, struct nl_msg **ret,
		 struct nsl_err *err)
{
	struct rtnl_qdisc *q;
	int ifindex = nsl_nl_ifindex(nl, ifname, err);
	int r;

	if (ifindex < 0)
		return ifindex;
	q = rtnl_qdisc_alloc();
	if (!q)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, ifname, NULL);
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(1, 0));
	r = rtnl_tc_set_kind(TC_CAST(q), "tbf");
	if (r == 0 && !del) {
		uint64_t bucket = rate / 100 > 16384 ? rate / 100 : 16384; /* 10 ms, at least 16 KiB */
		uint64_t limit = bucket + rate / 20;			    /* 50 ms of queue */

		if (rate > INT32_MAX)
			rate = INT32_MAX;
		if (limit > INT32_MAX)
			limit = INT32_MAX;
		rtnl_qdisc_tbf_set_limit(q, (int)limit);
		rtnl_qdisc_tbf_set_rate(q, (int)rate, (int)bucket, 0);
	}
	if (r == 0)
		r = del ? rtnl_qdisc_build_delete_request(q, ret)
			: rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_REPLACE, ret);
	rtnl_qdisc_put(q);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, nsl_nle_errno(r), ifname, "tbf request: %s",
				   strerror(-nsl_nle_errno(r)));
	return 0;
}

static int send_req(struct nsl_ctx *ctx, const char *netns, const char *ifname, uint64_t rate, bool del,
		    struct nsl_err *err)
{
	struct nsl_nl *nl;
	struct nl_msg *msg = NULL;
	int r;

	r = nsl_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	r = build(nl, ifname, rate, del, &msg, err);
	if (r < 0)
		return r;
	r = nsl_nl_talk_msg(nl, msg, err);
	nlmsg_free(msg);
	if (r == -ENOENT && !del)
		return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, "kernel lacks sch_tbf");
	return r;
}

int topo_qdisc_tbf(struct nsl_ctx *ctx, const char *netns, const char *ifname, uint64_t rate,
		   struct nsl_err *err)
{
	return send_req(ctx, netns, ifname, rate, false, err);
}

int topo_qdisc_del(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err)
{
	return send_req(ctx, netns, ifname, 0, true, err);
}
