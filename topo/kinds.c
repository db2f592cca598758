// SPDX-License-Identifier: LGPL-2.1-or-later
/* The table of the kinds of lab objects (kind.h), in the order they are built and made. */
#include "core.h"
#include "kind.h"
#include "run.h"

const struct kind *const nsli_topo_kinds[_O_MAX] = {
	[O_NETNS] = &nsli_kind_netns, [O_SYSCTL] = &nsli_kind_sysctl, [O_BRIDGE] = &nsli_kind_bridge,
	[O_BRADDR] = &nsli_kind_braddr, [O_PORT] = &nsli_kind_port, [O_P2P] = &nsli_kind_p2p,
	[O_ADDR] = &nsli_kind_addr, [O_LOOPBACK] = &nsli_kind_loopback, [O_RATE] = &nsli_kind_rate, [O_ROUTE] = &nsli_kind_route,
	[O_DNS] = &nsli_kind_dns, [O_HOSTS] = &nsli_kind_hosts, [O_RUN] = &nsli_kind_run,
	[O_EXEC] = &nsli_kind_exec, [O_READY] = &nsli_kind_ready,
};

const struct kind *nsli_kind_of(const struct obj *x)
{
	return nsli_topo_kinds[x->kind];
}

const char *nsli_br_netns(const struct nsl_topo *t, const struct nsl_topo_bridge *br)
{
	return br->node_idx >= 0 ? t->nodes[br->node_idx].netns : NULL;
}

bool nsli_gone(int r)
{
	return r == -ENOENT || r == -ENODEV || r == -ESRCH || r == -EADDRNOTAVAIL;
}

int nsli_root_dev_conflict(const struct nsl_topo *t, const char *ifname, const struct nsl_link_info *root, size_t n_root,
		      struct nsl_err *err)
{
	struct nsl_link_info key = { 0 };

	snprintf(key.ifname, sizeof(key.ifname), "%s", ifname);
	if (!bsearch(&key, root, n_root, sizeof(*root), nsli_link_cmp))
		return 0;
	return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ifname,
			   "device '%s' exists in the root netns and does not belong to lab '%s'", ifname, t->name);
}
