/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A strict YAML subset, read with libyaml's event API into a small tree with positions. */
#ifndef NSL_TOPO_YAML_H
#define NSL_TOPO_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nslab/error.h"

enum ynode_type { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_type type;
	unsigned line, column; /* 1-based */
	char *value;	       /* Y_SCALAR */
	bool plain;	       /* unquoted scalar */
	bool null;	       /* plain "", "~", "null" */
	bool merged;	       /* made by nsli_ymerge(): its children are borrowed */
	struct ynode **keys;   /* Y_MAP: scalar keys */
	struct ynode **items;  /* Y_MAP values, Y_SEQ items */
	size_t n;
};

/**
 * yaml_load - parse @len bytes of @text into a tree. Rejects aliases, anchors, tags, several
 * documents, an empty stream, nesting beyond NSL_TOPO_MAX_DEPTH, duplicate and non-scalar keys,
 * tabs in indentation, invalid UTF-8. @err gets line/column.
 */
int nsli_yaml_load(const char *text, size_t len, struct ynode **ret, struct nsl_err *err);
void nsli_ynode_free(struct ynode *n);

/**
 * ymerge - @over merged onto @base, two mappings: every key of @base in its order, with
 * @over's value where @over has the key too (two mappings merged again, anything else
 * replaced), then @over's other keys. The result has @over's position; it borrows every
 * other node of the two trees, which must outlive it. -ENOMEM.
 */
int nsli_ymerge(const struct ynode *base, const struct ynode *over, struct ynode **ret);
/** ymerge_free - free what nsli_ymerge() made (NULL allowed), not what it borrowed. */
void nsli_ymerge_free(struct ynode *m);

/*
 * struct topo_index - a hash index from (scope, key bytes) to an int, for every duplicate and
 * lookup check of the loader: a lab file may hold 200,000 nodes, so no check may compare each
 * element with the ones before it. Open addressing, at most half full. Keys are borrowed: they
 * must stay where they are while the index is used. Zero-initialise; topo_index_done() frees.
 */
struct topo_index_slot;
struct topo_index {
	struct topo_index_slot *v;
	size_t cap, n;
};

/**
 * topo_index_add - add @key (@len bytes) in @scope with @value, unless it is there already.
 * Return: 1 when added, 0 when present (*@ret_value, if not NULL, gets its value), -ENOMEM.
 */
int nsli_topo_index_add(struct topo_index *ix, uint64_t scope, const void *key, size_t len, int value,
		   int *ret_value);
/** topo_index_find - the value of @key in @scope, or -1. */
int nsli_topo_index_find(const struct topo_index *ix, uint64_t scope, const void *key, size_t len);
void nsli_topo_index_done(struct topo_index *ix);

/** Set a USAGE error at @n's position (@n may be NULL). */
int nsli_yerr(struct nsl_err *err, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
