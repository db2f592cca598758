// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kind: an address on a node's `lo` (`loopback:`), a router id or a service address. */
#include "core.h"
#include "kind.h"
#include "live.h"
#include "run.h"
#include "topo-internal.h"
#include "nslab/addr.h"

static int lo_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;
	char a[64];

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->n_loopback; j++) {
			struct obj *x = nsli_builder_push(B, O_LOOPBACK, B->node_obj[i], -1);

			if (!x)
				return -ENOMEM;
			x->node = (int)i;
			x->idx = (int)j;
			snprintf(x->key, sizeof(x->key), "loopback %s %s", n->name, nsli_pstr(&n->loopback[j], a));
		}
	}
	return 0;
}

static int lo_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	const struct nsl_prefix *p = &n->loopback[x->idx];

	return nsl_addr_add(R->ctx, n->netns, "lo", p, p->family == AF_INET6 ? NSL_ADDR_NODAD : 0, err);
}

static int lo_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	int r = nsl_addr_del(R->ctx, n->netns, "lo", &n->loopback[x->idx], err);

	return nsli_gone(r) ? 0 : r;
}

static bool lo_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_node *n = &L->t->nodes[x->node];

	if (nsli_live_addr_on(L, x->node, "lo", &n->loopback[x->idx]))
		return true;
	snprintf(why, size, "the address is missing from lo");
	return false;
}

const struct kind nsli_kind_loopback = {
	.name = "loopback address",
	.flags = KIND_ROUTES,
	.build = lo_build,
	.add = lo_add,
	.remove = lo_remove,
	.live_ok = lo_live_ok,
};
