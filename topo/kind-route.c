// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kind: a route of a node. */
#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"

static int route_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		for (size_t k = 0; k < n->n_routes; k++) {
			struct obj *x = nsli_builder_push(B, O_ROUTE, B->node_obj[i], -1);

			if (!x)
				return -ENOMEM;
			x->node = (int)i;
			x->idx = (int)k;
			snprintf(x->key, sizeof(x->key), "route %s %s", n->name, n->routes[k].text);
		}
	}
	return 0;
}

static void route_of(const struct nsl_topo_route *rt, struct nsl_route *r)
{
	*r = (struct nsl_route){
		.dst = rt->dst,
		.via = rt->has_via ? &rt->via : NULL,
		.dev = rt->dev,
		.metric = rt->metric,
	};
}

static int route_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	struct nsl_route route;

	route_of(&n->routes[x->idx], &route);
	/* Replace: a route may have gone with the last address of its device. */
	return nsl_route_replace(R->ctx, n->netns, &route, err);
}

static int route_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	struct nsl_route route;
	int r;

	route_of(&n->routes[x->idx], &route);
	r = nsl_route_del(R->ctx, n->netns, &route, err);
	return r < 0 && !nsli_gone(r) ? r : 0;
}

static bool route_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_route *rt = &L->t->nodes[x->node].routes[x->idx];

	if (!nsli_live_netns_exists(L, x->node) || nsli_live_route_on(L, x->node, rt))
		return true;
	snprintf(why, size, "the route is missing");
	return false;
}

const struct kind nsli_kind_route = {
	.name = "route",
	.build = route_build,
	.add = route_add,
	.remove = route_remove,
	.live_ok = route_live_ok,
};
