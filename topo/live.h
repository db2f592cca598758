/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live state of a lab's objects (topo/live.c): what plan, up and status all use. */
#ifndef NSL_TOPO_LIVE_H
#define NSL_TOPO_LIVE_H

#include "journal.h"
#include "objs.h"

struct run;
struct live_ns;

struct live {
	struct run *R;
	const struct nsl_topo *t;
	struct nsl_link_info *root; /* the root netns's devices, sorted by name */
	size_t n_root;
	struct live_ns *ns;	    /* per node, dumped on first use */
	struct jstate js;	    /* the lab's journal: file hashes, processes */
};

int nsli_live_init(struct live *L, struct run *R, const struct nsl_topo *t, struct nsl_err *err);
void nsli_live_free(struct live *L);
/* Whether object @x of the model is what up made; when not, @why (of @size bytes) says how:
 * the check of its kind (kind.h). */
bool nsli_live_ok(struct live *L, const struct obj *x, char *why, size_t size);

/* For the kinds' checks. @node -1 means the root netns. */
bool nsli_live_netns_exists(struct live *L, int node);
const struct nsl_link_info *nsli_live_dev(struct live *L, int node, const char *ifname);
/* The device exists and is up; else @why says which (@what) is missing or down. */
bool nsli_live_dev_ok(struct live *L, int node, const char *ifname, const char *what, char *why, size_t size);
bool nsli_live_addr_on(struct live *L, int node, const char *ifname, const struct nsl_prefix *p);
bool nsli_live_route_on(struct live *L, int node, const struct nsl_topo_route *rt);
/* Device @ifname of node @node has the qdiscs nsli_topo_qdisc_netem(@ne, @rate) makes (qdisc.h);
 * @what names the device in @why. */
bool nsli_live_qdisc_ok(struct live *L, int node, const char *ifname, const struct nsl_topo_netem *ne, uint64_t rate,
			const char *what, char *why, size_t size);
/* For kinds without a check (a command run once). */
bool nsli_live_always_ok(struct live *L, const struct obj *x, char *why, size_t size);

#endif
