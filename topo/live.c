// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The live state of a lab: for each object of its model, whether the kernel (and the files
 * and processes) still hold what up made. One definition, used by plan and up (an object that
 * drifted is a change, and up makes it again) and by status (nsl_topo_drift()). One check per
 * kind of object; what a node's netns holds is dumped once per node and looked up.
 */
#include <net/if.h>

#include "core.h"
#include "macro.h"
#include "kind.h"
#include "live.h"
#include "qdisc.h"
#include "run.h"
#include "nslab/launch.h"

struct live_ns {
	bool loaded, exists;
	struct nsl_link_info *li;
	size_t n_li;
	struct nsl_addr_info *ai;
	size_t n_ai;
	struct nsl_route_info *ri;
	size_t n_ri;
	bool routes_loaded;
	struct nsli_qdisc_info *qi;
	size_t n_qi;
	bool qdiscs_loaded;
};

int nsli_live_init(struct live *L, struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	int r;

	memset(L, 0, sizeof(*L));
	L->R = R;
	L->t = t;
	L->ns = calloc(t->n_nodes + 1, sizeof(*L->ns));
	if (!L->ns)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	r = nsli_root_links(R->ctx, &L->root, &L->n_root, err);
	if (r < 0)
		return r;
	if (R->dirfd >= 0 && nsli_journal_read(R->dirfd, R->lab, &L->js) < 0)
		memset(&L->js, 0, sizeof(L->js));
	return 0;
}

void nsli_live_free(struct live *L)
{
	for (size_t i = 0; L->ns && i <= L->t->n_nodes; i++) { /* [n_nodes]: the root netns's addresses */
		free(L->ns[i].li);
		free(L->ns[i].ai);
		free(L->ns[i].ri);
		free(L->ns[i].qi);
	}
	free(L->ns);
	free(L->root);
	nsli_jstate_free(&L->js);
	memset(L, 0, sizeof(*L));
}

static struct live_ns *node_ns(struct live *L, int node)
{
	struct live_ns *x = &L->ns[node];
	const char *ns = L->t->nodes[node].netns;

	if (!x->loaded) {
		x->loaded = true;
		x->exists = nsl_netns_exists(L->R->ctx, ns, NULL) == 1;
		if (x->exists) {
			nsl_link_list(L->R->ctx, ns, NULL, &x->li, &x->n_li, NULL);
			nsl_addr_list(L->R->ctx, ns, NULL, &x->ai, &x->n_ai, NULL);
		}
	}
	return x;
}

static bool prefix_eq(const struct nsl_prefix *a, const struct nsl_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

static const struct nsl_link_info *find_link(const struct nsl_link_info *v, size_t n, const char *ifname)
{
	for (size_t i = 0; i < n; i++)
		if (STREQ(v[i].ifname, ifname))
			return &v[i];
	return NULL;
}

/* Device @ifname of node @node's netns (-1: the root netns). */
const struct nsl_link_info *nsli_live_dev(struct live *L, int node, const char *ifname)
{
	struct nsl_link_info key = { 0 };

	if (node >= 0) {
		struct live_ns *x = node_ns(L, node);

		return x->exists ? find_link(x->li, x->n_li, ifname) : NULL;
	}
	snprintf(key.ifname, sizeof(key.ifname), "%s", ifname);
	return bsearch(&key, L->root, L->n_root, sizeof(key), nsli_link_cmp);
}

/* Whether the device exists and is up; @why says what is wrong. */
bool nsli_live_dev_ok(struct live *L, int node, const char *ifname, const char *what, char *why, size_t size)
{
	const struct nsl_link_info *li = nsli_live_dev(L, node, ifname);

	if (!li)
		snprintf(why, size, "%s is missing", what);
	else if (!(li->flags & IFF_UP))
		snprintf(why, size, "%s is down", what);
	return li && (li->flags & IFF_UP);
}

bool nsli_live_addr_on(struct live *L, int node, const char *ifname, const struct nsl_prefix *p)
{
	const struct nsl_link_info *li = nsli_live_dev(L, node, ifname);
	struct live_ns *x;

	if (!li)
		return false;
	if (node >= 0) {
		x = node_ns(L, node);
		for (size_t i = 0; i < x->n_ai; i++)
			if (x->ai[i].ifindex == li->ifindex && prefix_eq(&x->ai[i].addr, p))
				return true;
		return false;
	}
	/* The root netns's addresses, dumped once: nsl_addr_list() dumps every root link for
	 * their names, and each of a big lab's root veths costs the kernel a walk of all the
	 * netns ids (peernet2id()) to fill in: once per bridge address, that was n^2. */
	x = &L->ns[L->t->n_nodes];
	if (!x->loaded) {
		x->loaded = true;
		nsl_addr_list(L->R->ctx, NULL, NULL, &x->ai, &x->n_ai, NULL);
	}
	for (size_t i = 0; i < x->n_ai; i++)
		if (x->ai[i].ifindex == li->ifindex && prefix_eq(&x->ai[i].addr, p))
			return true;
	return false;
}

bool nsli_live_netns_exists(struct live *L, int node)
{
	return node_ns(L, node)->exists;
}

static bool route_match(const struct nsl_route_info *ri, const struct nsl_topo_route *rt)
{
	if (!prefix_eq(&ri->dst, &rt->dst) || ri->has_gateway != rt->has_via)
		return false;
	if (rt->has_via && memcmp(ri->gateway.addr, rt->via.addr, 16))
		return false;
	if (rt->dev && !STREQ(ri->dev, rt->dev))
		return false;
	return !rt->metric || ri->metric == rt->metric;
}

bool nsli_live_route_on(struct live *L, int node, const struct nsl_topo_route *rt)
{
	struct live_ns *ns = node_ns(L, node);

	if (!ns->routes_loaded) {
		ns->routes_loaded = true;
		nsl_route_list(L->R->ctx, L->t->nodes[node].netns, AF_UNSPEC, 254, &ns->ri, &ns->n_ri, NULL);
	}
	for (size_t i = 0; i < ns->n_ri; i++)
		if (route_match(&ns->ri[i], rt))
			return true;
	return false;
}

bool nsli_live_qdisc_ok(struct live *L, int node, const char *ifname, const struct nsl_topo_netem *ne, uint64_t rate,
			const char *what, char *why, size_t size)
{
	const struct nsl_link_info *li = nsli_live_dev(L, node, ifname);
	struct live_ns *ns = node_ns(L, node);

	if (!li) {
		snprintf(why, size, "%s is missing", what);
		return false;
	}
	if (!ns->qdiscs_loaded) {
		ns->qdiscs_loaded = true;
		nsli_topo_qdisc_list(L->R->ctx, L->t->nodes[node].netns, &ns->qi, &ns->n_qi, NULL);
	}
	return nsli_topo_qdisc_check(ns->qi, ns->n_qi, li->ifindex, ne, rate, what, why, size);
}

bool nsli_live_always_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	return true;
}

bool nsli_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	why[0] = '\0';
	return nsli_kind_of(x)->live_ok(L, x, why, size);
}
