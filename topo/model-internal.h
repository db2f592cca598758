/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loader of topology files, in four files that share what is declared here:
 * schema.c   what each key of each object means: one table of keys per object, a setter each
 * validate.c the model checked as a whole: references, duplicates, limits, MTU rules
 * names.c    the kernel names nslab derives for the devices it names itself
 * model.c    nsl_topo_load(): the sections in the order that lets each refer to the ones
 *            before, the defaults, the model's free
 */
#ifndef NSL_TOPO_MODEL_INTERNAL_H
#define NSL_TOPO_MODEL_INTERNAL_H

#include "topo-internal.h"
#include "yaml.h"

/* An owner ("user[:group]", "uid[:gid]") resolved once for every node that gives it. */
struct owner_cache {
	char *text;
	uint32_t uid, gid;
};

struct first_addr {
	bool done, found;
	struct nsl_prefix p;
};

/*
 * The loader's state. Every lookup goes through an index (a lab may have 200,000 nodes):
 * nothing compares an element with all the ones before it.
 */
struct ld {
	struct nsl_topo *t;
	struct nsl_err *err;
	struct nsl_topo_dns *def_dns;
	struct nsl_topo_kv *def_sysctls;
	size_t n_def_sysctls;
	const struct ynode *nodes_y;	/* the `nodes` mapping, for positions found late */
	struct topo_index nodes;	/* node name -> node index */
	struct topo_index bridges;	/* bridge name -> bridge index */
	struct topo_index ifaces;	/* (node, interface name) -> interface index */
	struct first_addr *first;	/* per node: its first address, for `expect: to: NODE` */
	struct topo_index def_ix;	/* default sysctl key -> index into def_sysctls */
	bool *def_has;			/* per default sysctl: the node being merged sets it */
	const struct ynode *groups_y;	/* the `groups` mapping */
	struct topo_index groups;	/* group name -> index into groups_y */
	bool no_fs_checks;		/* bind sources and rootfs are not looked at (a recorded model) */
	bool lab_stop_given;		/* the lab gives `stop_timeout` (t->stop_timeout_ms, maybe 0) */
	struct owner_cache *owners;	/* "user[:group]" already resolved, for 200,000 nodes */
	size_t n_owners, cap_owners;
	struct topo_index owners_ix;	/* owner text -> index into owners */
};

#define POS(n) ((struct nsl_topo_pos){ (n)->line, (n)->column })

/* The top-level sections of a lab file, each NULL when the file does not give it. */
struct top_ld {
	const struct ynode *name, *prefix, *nodes, *bridges, *links, *expect, *defaults, *groups,
		*stop_timeout;
};

/*
 * struct nsli_load_opts - for nsli_topo_load_opts().
 * @dir:          the directory relative bind sources and rootfs are taken from (absolute;
 *                NULL: the file's, or the current directory for text without a file)
 * @no_fs_checks: do not look at bind sources and rootfs: a model recorded by an earlier up,
 *                whose files may have changed since, loads all the same
 * @pub:          the caller's options of nsl_topo_load_opts() (NULL: none)
 */
struct nsli_load_opts {
	const char *dir;
	bool no_fs_checks;
	const struct nsl_topo_load_opts *pub; /* flags and warnings of nsl_topo_load_opts() */
};

/* nsl_topo_load() with @o (NULL: the defaults). */
int nsli_topo_load_opts(const char *path, const char *text, size_t len, const struct nsli_load_opts *o,
			struct nsl_topo **ret, struct nsl_err *err);

/* ---- schema.c: reading values, and the keys of each object ---- */

int nsli_nomem(struct ld *ld);
void *nsli_grow(struct ld *ld, void *arr, size_t n, size_t size);
int nsli_push_str(struct ld *ld, char ***v, size_t *n, const char *s);
const char *nsli_type_name(const struct ynode *n);
int nsli_want(struct ld *ld, const struct ynode *n, enum ynode_type type, const char *what);
int nsli_get_str(struct ld *ld, const struct ynode *n, const char *what, char **ret);
/* A new interface @name of @node, indexed under its node. Its index, or a negative errno. */
int nsli_iface_new(struct ld *ld, struct nsl_topo_node *node, const char *name, struct nsl_topo_pos pos);

/*
 * Each reads the keys of one object of the file (@v) into the model; an unknown key is an
 * error at its position. top_keys() only finds the sections, for load_top() to load in order.
 */
int nsli_top_keys(struct ld *ld, const struct ynode *root, struct top_ld *top);
int nsli_defaults_keys(struct ld *ld, const struct ynode *v);
/* `stop_timeout` of the lab, before the nodes. */
int nsli_top_stop_timeout(struct ld *ld, const struct ynode *v);
/* `groups`: each a mapping of node keys (not `group`), indexed by name in ld->groups. */
int nsli_groups_keys(struct ld *ld, const struct ynode *v);
/* Node @node's value @v with its `group`'s keys merged in (*@ret == @v when it has none); free
 * *@ret with nsli_ymerge_free() when it is not @v. */
int nsli_node_tree(struct ld *ld, const struct ynode *v, const struct ynode **ret);
int nsli_node_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_node *node);
int nsli_bridge_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_bridge *b);
/* *@ret_endpoints: the two endpoint scalars, for the caller to resolve. */
int nsli_link_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_link *l,
	      const struct ynode **ret_endpoints);
/* *@ret_from: the `from` scalar, for the caller to resolve. */
int nsli_expect_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_expect *x,
		const struct ynode **ret_from);

/* ---- validate.c: the model as a whole ---- */

int nsli_find_node(const struct ld *ld, const char *name);
int nsli_find_iface(const struct ld *ld, size_t node, const char *name);
/* Each interface on a bridge: find the bridge, take its MTU. */
int nsli_resolve_ports(struct ld *ld);
int nsli_validate_ports(struct ld *ld);
int nsli_validate_link_mtus(struct ld *ld);
int nsli_validate_bridges(struct ld *ld);
int nsli_validate_nodes(struct ld *ld);
int nsli_validate_segments(struct ld *ld);
/* Derive the kernel names, then refuse two equal names in one netns. */
int nsli_validate_names(struct ld *ld);
/* The address `to:` means: an address, or the first address of a node. */
int nsli_resolve_expect(struct ld *ld, struct nsl_topo_expect *x, const struct ynode *to);

/* ---- names.c ---- */

/* Name every derived device of @t, keeping @prev's names (@prev may be NULL). */
int nsli_derive_names(struct nsl_topo *t, const struct nsl_topo *prev);

#endif
