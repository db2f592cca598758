// SPDX-License-Identifier: LGPL-2.1-or-later
/* The table of the kinds of lab objects (kind.h), in the order they are built and made. */
#include "core.h"
#include "kind.h"
#include "run.h"

const struct kind *const topo_kinds[_O_MAX] = {
	[O_NETNS] = &kind_netns, [O_SYSCTL] = &kind_sysctl, [O_BRIDGE] = &kind_bridge,
	[O_BRADDR] = &kind_braddr, [O_PORT] = &kind_port, [O_P2P] = &kind_p2p,
	[O_ADDR] = &kind_addr, [O_RATE] = &kind_rate, [O_ROUTE] = &kind_route,
	[O_DNS] = &kind_dns, [O_HOSTS] = &kind_hosts, [O_RUN] = &kind_run,
	[O_EXEC] = &kind_exec,
};

const struct kind *kind_of(const struct obj *x)
{
	return topo_kinds[x->kind];
}

const char *br_netns(const struct nsl_topo *t, const struct nsl_topo_bridge *br)
{
	return br->node_idx >= 0 ? t->nodes[br->node_idx].netns : NULL;
}

bool gone(int r)
{
	return r == -ENOENT || r == -ENODEV || r == -ESRCH || r == -EADDRNOTAVAIL;
}

int root_dev_conflict(const struct nsl_topo *t, const char *ifname, const struct nsl_link_info *root, size_t n_root,
		      struct nsl_err *err)
{
	struct nsl_link_info key = { 0 };

	snprintf(key.ifname, sizeof(key.ifname), "%s", ifname);
	if (!bsearch(&key, root, n_root, sizeof(*root), link_cmp))
		return 0;
	return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ifname,
			   "device '%s' exists in the root netns and does not belong to lab '%s'", ifname, t->name);
}
