/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * containerlab topology files, loaded onto the native model: the containerlab tree is
 * translated into the tree a native file would give (every node keeps the position of what it
 * came from in the containerlab file), and the native loader reads that. No second engine.
 * clab.c       the file's top level, the nodes and their inheritance (node > group > kind > defaults)
 * clab-link.c  links and the management network
 * clab-tree.c  building trees, writing one out as a native file, ${VAR} expansion, word splitting
 */
#ifndef NSL_TOPO_CLAB_H
#define NSL_TOPO_CLAB_H

#include "model-internal.h"

/* The containerlab netns prefix and lab directory prefix ("clab-LAB-NODE", "clab-LAB/"). */
#define CLAB_PREFIX "clab"
/* containerlab's MTU of a veth link without `mtu` (DefaultVethLinkMTU). */
#define CLAB_VETH_MTU "9500"

/* One node of the containerlab file. */
struct clab_node {
	const struct ynode *key;	/* its name */
	const struct ynode *chain[4];	/* node, group, kind, defaults: mappings or NULL */
	const char *kind;
	const struct ynode *kind_at;	/* where its kind is given (or its name) */
	bool bridge;			/* kind: bridge: a native bridge, not a node */
	bool mgmt;			/* its eth0 is on the management network */
	struct ynode *ifaces;		/* native `interfaces` (NULL for a bridge) */
	struct ynode *keys;		/* its other native keys, in order */
	const struct ynode *mgmt4, *mgmt6; /* mgmt-ipv4 / mgmt-ipv6 as given, or NULL */
};

/* The translation's state. */
struct clab {
	const char *path;
	const struct nsl_topo_load_opts *o;
	struct nsl_err *err;
	const char *dir;		/* the file's directory, absolute (may be NULL) */
	const struct ynode *root, *name_y, *prefix_y, *mgmt, *topology;
	const struct ynode *defaults, *kinds, *groups, *nodes, *links;
	char *lab, *prefix, *labdir;	/* lab name, native prefix, the lab directory */
	struct clab_node *n;
	size_t nn;
	struct topo_index ix;		/* node name -> index into n */
	struct topo_index used;		/* (node, interface) -> 0: each interface in one link */
	struct ynode *bridges;		/* native `bridges` */
	struct ynode *out_links;	/* native `links` */
	char mgmt_br[16];		/* the management bridge's logical name, "" without one */
	struct ynode *mgmt_addrs;	/* the bridge's `address` list */
	struct nsl_prefix net[2], gw[2]; /* IPv4, IPv6 subnet and gateway; family 0: none */
};

/* ---- clab.c ---- */

/* Does the tree of a file have containerlab's top-level `topology:` key? */
bool nsli_clab_is(const struct ynode *root);

/*
 * nsli_clab_load - translate the containerlab tree @root of @path (its directory @dir) into a
 * native tree *@ret_tree (positions into @path) and its text *@ret_text (*@ret_len bytes),
 * both the caller's. Warnings go to @o->warn (errors with NSL_TOPO_LOAD_STRICT).
 */
int nsli_clab_load(const char *path, const char *dir, const struct ynode *root,
		   const struct nsl_topo_load_opts *o, struct ynode **ret_tree, char **ret_text,
		   size_t *ret_len, struct nsl_err *err);

int nsli_clab_err(struct clab *c, const struct ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning at @at; with NSL_TOPO_LOAD_STRICT an error (negative errno). */
int nsli_clab_warn(struct clab *c, const struct ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nsli_clab_want(struct clab *c, const struct ynode *v, enum ynode_type type, const char *what);
/* The node named @name, or -1. */
int nsli_clab_find(const struct clab *c, const char *name);
/* Interface @name of node @cn in its native `interfaces`, made when missing. NULL: no memory. */
struct ynode *nsli_clab_iface(struct clab_node *cn, const struct ynode *at, const char *name);

/* ---- clab-link.c ---- */

int nsli_clab_links(struct clab *c);
/* The management network's bridge and gateway addresses (before the nodes). */
int nsli_clab_mgmt_bridge(struct clab *c);
/* Each node's eth0 on it, with its address and default routes (after the nodes). */
int nsli_clab_mgmt(struct clab *c);

/* ---- clab-tree.c ---- */

/* A new node at @at's position (or 1:1 when @at is NULL). NULL: no memory. */
struct ynode *nsli_ynew(enum ynode_type type, const struct ynode *at);
struct ynode *nsli_yscalar(const struct ynode *at, const char *value);
/* Append @item (under @key in a mapping) to @coll, taking both; freed on failure (-ENOMEM). */
int nsli_yadd(struct ynode *coll, struct ynode *key, struct ynode *item);
/* @map's @key = @item, the key at @at's position. -ENOMEM (then @item is freed). */
int nsli_yput(struct ynode *map, const struct ynode *at, const char *key, struct ynode *item);
/* @map's @key = the scalar @value. */
int nsli_yput_str(struct ynode *map, const struct ynode *at, const char *key, const char *value);
/* The value of @key in mapping @map (NULL-safe), or NULL. */
const struct ynode *nsli_yget(const struct ynode *map, const char *key);
/* A deep copy of @n. NULL: no memory. */
struct ynode *nsli_ycopy(const struct ynode *n);

/* @root written as a native topology file. -ENOMEM. */
int nsli_yemit(const struct ynode *root, const char *header, char **ret, size_t *ret_len);

/*
 * containerlab's environment expansion of @s: ${VAR}, ${VAR:=DEFAULT}, ${VAR:-DEFAULT}, $VAR;
 * a variable that is not set and has no default stays as written. *@ret is the caller's. -ENOMEM.
 */
int nsli_clab_envsubst(const char *s, char **ret);
/* A copy of tree @n with every string expanded so (containerlab expands the whole file). */
struct ynode *nsli_clab_expand(const struct ynode *n);
/*
 * The variables of env file @path (NAME=VALUE lines, "export " allowed, '#' comments, values
 * maybe quoted) as a mapping *@ret at @at's position. -errno of the file; -EINVAL with
 * *@ret_line the line that is not NAME=VALUE; -ENOMEM.
 */
int nsli_clab_envfile(const char *path, const struct ynode *at, struct ynode **ret, unsigned *ret_line);
/* @s with each "${" written "$${", for a string the native loader expands. */
char *nsli_clab_escape(const char *s);
/* Shell-like words of @s (quotes, backslashes), into sequence @seq at @at. -EINVAL: unbalanced. */
int nsli_clab_words(const char *s, const struct ynode *at, struct ynode *seq);

#endif
