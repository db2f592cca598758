/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kinds of lab objects. Each kind is one table entry (kinds.c) with its operations, and
 * its code in one file (kind-*.c), the way iproute2's struct link_util gives each link kind
 * its own: how a model becomes its objects (build), how one is made (add) and removed
 * (remove), whether the kernel still holds it as made (live_ok), and what of it must not
 * exist yet (conflict). Adding a kind is adding an enum okind value, its entry and its file.
 */
#ifndef NSL_TOPO_KIND_H
#define NSL_TOPO_KIND_H

#include "objs.h"
#include "nslab/link.h"

struct run;
struct live;
struct jstate;

/* While a model is flattened: the object of each node, bridge, link, `run` and interface. */
struct builder {
	struct objs *o;
	const struct nsl_topo *t;
	int *node_obj, *br_obj, *link_obj, *run_obj;
	int *iface_obj;	 /* of interface k of node i: iface_obj[iface_base[i] + k] */
	size_t *iface_base;
};

/* A new object of @kind with parents @parent and @parent2 (-1: none); NULL when out of memory. */
struct obj *nsli_builder_push(struct builder *B, enum okind kind, int parent, int parent2);
/* A signature of the formatted text. */
uint32_t nsli_sigf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "10.0.0.1/24" into @buf (64 bytes). */
const char *nsli_pstr(const struct nsl_prefix *p, char *buf);

enum {
	KIND_UNLISTED = 1 << 0,	   /* no plan line of its own (hosts, rewritten for others' changes) */
	KIND_CONTAINER = 1 << 1,   /* removing it takes everything in it (a netns) */
	KIND_UNDO_FAILED = 1 << 2, /* a failed add may leave half of it: its removal runs too */
	KIND_ROUTES = 1 << 3,	   /* a change of it puts its node's routes back */
	KIND_QUIET = 1 << 4,	   /* no progress step at its add: its settle reports each */
};

struct kind {
	const char *name;
	unsigned flags;
	int (*build)(struct builder *B);
	int (*add)(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err);
	/* After the adds of this kind in an up (NULL: none): wait for what they started, all at
	 * once (supervisors that say they are ready, readiness commands). A failure unwinds as a
	 * failed add of the kind's last object does. */
	int (*settle)(struct run *R, const struct nsl_topo *t, struct nsl_err *err);
	/* Objects already gone are fine. */
	int (*remove)(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err);
	bool (*live_ok)(struct live *L, const struct obj *x, char *why, size_t size);
	/* Before any change (NULL: none): what the object would make exists and is not the lab's
	 * (NSL_E_CONFLICT). @js: the lab's journal (empty for a new lab); @root: sorted. */
	int (*conflict)(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			const struct nsl_link_info *root, size_t n_root, struct nsl_err *err);
	/* A drifted object that its add repairs where it is, without its removal first and
	 * without making again what is in it (NULL: never): a node whose supervisor lives on
	 * and only has processes to start again. */
	bool (*in_place)(struct live *L, const struct obj *x);
	/* The root-netns device the object is, or NULL: waited for after its removal. */
	const char *(*root_dev)(const struct nsl_topo *t, const struct obj *x);
};

extern const struct kind nsli_kind_netns, nsli_kind_sysctl, nsli_kind_bridge, nsli_kind_braddr, nsli_kind_port, nsli_kind_p2p, nsli_kind_addr,
	nsli_kind_loopback, nsli_kind_rate, nsli_kind_route, nsli_kind_dns, nsli_kind_hosts, nsli_kind_run, nsli_kind_exec,
	nsli_kind_ready;

/* The kind of @x. */
const struct kind *nsli_kind_of(const struct obj *x);
/* Every kind by enum okind: objects are built, and made, in this order (parents first). */
extern const struct kind *const nsli_topo_kinds[_O_MAX];

/* Shared by the kinds (kinds.c). */
const char *nsli_br_netns(const struct nsl_topo *t, const struct nsl_topo_bridge *br);
bool nsli_gone(int r);
/* NSL_E_CONFLICT when a device @ifname is in the root netns (@root, sorted). */
int nsli_root_dev_conflict(const struct nsl_topo *t, const char *ifname, const struct nsl_link_info *root, size_t n_root,
		      struct nsl_err *err);
/* The ifindex of bridge @i, looked up once per run (a star's N ports would ask N times); 0 when
 * unknown, and nsl_veth_add() asks itself (kind-bridge.c). */
int nsli_bridge_ifindex(struct run *R, const struct nsl_topo *t, int i);

#endif
