// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Neighbour entries (ARP, NDP) of a netns: flushing the ones the kernel learned. The kernel's
 * neighbour tables are shared by every netns (arp_tbl, nd_tbl), and their gc_thresh3 (1,024
 * entries by default, a setting of the init netns) caps how many entries all of them hold
 * together: a test that makes thousands of pairs talk has to let go of the entries of one
 * wave before the next (`ip neigh flush`).
 */
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "core.h"
#include "macro.h"
#include "nslab/route.h"

struct neigh_dump {
	char (*v)[96]; /* one RTM_DELNEIGH request each, built from the dump */
	size_t n, cap;
	bool oom;
};

static int neigh_dump_cb(const struct nlmsghdr *h, void *data)
{
	struct neigh_dump *d = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(h);
	const struct nlattr *a, *dst = NULL;
	struct nlmsghdr *del;

	if (h->nlmsg_type != RTM_NEWNEIGH || (ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*ndm))
		if (mnl_attr_get_type(a) == NDA_DST && mnl_attr_get_payload_len(a) <= 16)
			dst = a;
	if (!dst)
		return MNL_CB_OK;
	if (!GREEDY_REALLOC(d->v, d->cap, d->n + 1)) {
		d->oom = true;
		return MNL_CB_OK;
	}
	memset(d->v[d->n], 0, sizeof(d->v[d->n]));
	del = mnl_nlmsg_put_header(d->v[d->n]);
	del->nlmsg_type = RTM_DELNEIGH;
	*(struct ndmsg *)mnl_nlmsg_put_extra_header(del, sizeof(*ndm)) =
		(struct ndmsg){ .ndm_family = ndm->ndm_family, .ndm_ifindex = ndm->ndm_ifindex };
	mnl_attr_put(del, NDA_DST, mnl_attr_get_payload_len(dst), mnl_attr_get_payload(dst));
	d->n++;
	return MNL_CB_OK;
}

static void neigh_dump_reset(void *data)
{
	((struct neigh_dump *)data)->n = 0;
}

_public_ int nsl_neigh_flush(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err)
{
	struct neigh_dump d = { 0 };
	_cleanup_free_ struct nlmsghdr **reqs = NULL;
	char buf[64] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r;

	r = nsli_nl_get(ctx, netns, &nl, err);
	if (r < 0)
		return r;
	h->nlmsg_type = RTM_GETNEIGH;
	mnl_nlmsg_put_extra_header(h, sizeof(struct ndmsg));
	r = nsli_nl_dump(nl, h, neigh_dump_cb, neigh_dump_reset, &d, err);
	if (r >= 0 && d.oom)
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	if (r >= 0 && d.n && !(reqs = calloc(d.n, sizeof(*reqs))))
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, netns, NULL);
	for (size_t i = 0; r >= 0 && i < d.n; i++)
		reqs[i] = (struct nlmsghdr *)d.v[i];
	/* An entry gone meanwhile (ENOENT) is what was asked for. */
	if (r >= 0 && d.n) {
		r = nsli_nl_batch(nl, reqs, (int)d.n, NULL, NULL);
		r = r == -ENOENT ? 0 : r;
		if (r < 0)
			nsl_err_set(err, NSL_E_SYSTEM, r, netns, "flush neighbours: %s", strerror(-r));
	}
	free(d.v);
	return r < 0 ? r : (int)d.n;
}
