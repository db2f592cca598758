/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A lab flattened into objects (topo/objs.c, by the kinds of kinds.c): each with a key ("addr h1:eth0 10.0.1.11/24"),
 * a signature of its content, and its parents, which come first in the list.
 */
#ifndef NSL_TOPO_OBJS_H
#define NSL_TOPO_OBJS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nslab/topo.h"

enum okind {
	O_NETNS,
	O_SYSCTL,
	O_BRIDGE,
	O_BRADDR,
	O_PORT,
	O_P2P,
	O_ADDR,
	O_LOOPBACK,
	O_RATE,
	O_ROUTE,
	O_DNS,
	O_HOSTS,
	O_RUN,
	O_EXEC,
	O_READY,
	_O_MAX,
};

enum ostate { S_SAME, S_ADD, S_CHANGE, S_REMOVE };

struct obj {
	enum okind kind;
	char key[320];
	uint32_t sig;
	int node, iface, bridge, link, idx; /* -1: none */
	int node2;			    /* a link's second node, -1 */
	int parent, parent2; /* indexes in the same list, -1 */
	enum ostate state;
	bool implied;	     /* its removal comes with its parent's */
	bool missing;	     /* drifted: gone from the kernel */
	bool refresh;	     /* applied again, silently: a route whose device changed */
	bool in_place;	     /* drifted, and its add repairs it where it is (no removal first) */
	char why[96];	     /* how it drifted (missing) */
};

struct objs {
	const struct nsl_topo *t;
	struct obj *v;
	size_t n, cap;
	size_t *sorted; /* indexes sorted by key */
};

/* Flatten @t into @o, kind by kind (topo_kinds), parents first, and sort the keys. */
int nsli_objs_build(const struct nsl_topo *t, struct objs *o);
/* The index of the object of @key, or -1. */
int nsli_objs_find(const struct objs *o, const char *key);
void nsli_objs_free(struct objs *o);

#endif
