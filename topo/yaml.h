/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A strict YAML subset, read with libyaml's event API into a small tree with positions. */
#ifndef NSL_TOPO_YAML_H
#define NSL_TOPO_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "nslab/error.h"

enum ynode_type { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_type type;
	unsigned line, column; /* 1-based */
	char *value;	       /* Y_SCALAR */
	bool plain;	       /* unquoted scalar */
	bool null;	       /* plain "", "~", "null" */
	struct ynode **keys;   /* Y_MAP: scalar keys */
	struct ynode **items;  /* Y_MAP values, Y_SEQ items */
	size_t n;
};

/**
 * yaml_load - parse @len bytes of @text into a tree. Rejects aliases, anchors, tags, several
 * documents, an empty stream, nesting beyond NSL_TOPO_MAX_DEPTH, duplicate and non-scalar keys,
 * tabs in indentation, invalid UTF-8. @err gets line/column.
 */
int yaml_load(const char *text, size_t len, struct ynode **ret, struct nsl_err *err);
void ynode_free(struct ynode *n);

/** Set a USAGE error at @n's position (@n may be NULL). */
int yerr(struct nsl_err *err, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
