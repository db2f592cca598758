// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Model -> objects. Every model is flattened into a list of objects, kind by kind (kinds.c),
 * each with a key ("addr h1:eth0 10.0.1.11/24") and a signature of its content, parents
 * before children; `up` compares that list with the one of the last complete up and with
 * the kernel (diff.c), then removes and adds objects through their kinds (up.c).
 */
#include <stdarg.h>

#include "core.h"
#include "kind.h"
#include "macro.h"
#include "topo-internal.h"

void nsli_objs_free(struct objs *o)
{
	free(o->v);
	free(o->sorted);
	memset(o, 0, sizeof(*o));
}

uint32_t nsli_sigf(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return nsli_topo_hash(buf);
}

const char *nsli_pstr(const struct nsl_prefix *p, char *buf)
{
	return nsl_prefix_str(p, true, buf, 64);
}

struct obj *nsli_builder_push(struct builder *B, enum okind kind, int parent, int parent2)
{
	struct objs *o = B->o;
	struct obj *x;

	if (!GREEDY_REALLOC(o->v, o->cap, o->n + 1))
		return NULL;
	x = &o->v[o->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->parent = parent;
	x->parent2 = parent2;
	x->node = x->node2 = x->iface = x->bridge = x->link = x->idx = -1;
	return x;
}

static int key_cmp_ctx(const void *a, const void *b, void *arg)
{
	const struct objs *o = arg;

	return strcmp(o->v[*(const size_t *)a].key, o->v[*(const size_t *)b].key);
}

static int builder_init(struct builder *B, const struct nsl_topo *t, struct objs *o)
{
	size_t n_ifaces = 0;

	*B = (struct builder){ .o = o, .t = t };
	B->node_obj = calloc(t->n_nodes + 1, sizeof(int));
	B->run_obj = calloc(t->n_nodes + 1, sizeof(int));
	B->br_obj = calloc(t->n_bridges + 1, sizeof(int));
	B->link_obj = calloc(t->n_links + 1, sizeof(int));
	B->iface_base = calloc(t->n_nodes + 1, sizeof(size_t));
	if (!B->node_obj || !B->run_obj || !B->br_obj || !B->link_obj || !B->iface_base)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_nodes; i++) {
		B->iface_base[i] = n_ifaces;
		B->run_obj[i] = -1;
		n_ifaces += t->nodes[i].n_ifaces;
	}
	B->iface_obj = calloc(n_ifaces + 1, sizeof(int));
	return B->iface_obj ? 0 : -ENOMEM;
}

static void builder_free(struct builder *B)
{
	free(B->node_obj);
	free(B->run_obj);
	free(B->br_obj);
	free(B->link_obj);
	free(B->iface_obj);
	free(B->iface_base);
}

int nsli_objs_build(const struct nsl_topo *t, struct objs *o)
{
	struct builder B;
	int r;

	memset(o, 0, sizeof(*o));
	o->t = t;
	r = builder_init(&B, t, o);
	for (size_t k = 0; r == 0 && k < _O_MAX; k++)
		r = nsli_topo_kinds[k]->build(&B);
	builder_free(&B);
	if (r < 0)
		return r;
	o->sorted = malloc((o->n + 1) * sizeof(size_t));
	if (!o->sorted)
		return -ENOMEM;
	for (size_t i = 0; i < o->n; i++)
		o->sorted[i] = i;
	qsort_r(o->sorted, o->n, sizeof(size_t), key_cmp_ctx, o);
	return 0;
}

int nsli_objs_find(const struct objs *o, const char *key)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(o->v[o->sorted[mid]].key, key);

		if (c == 0)
			return (int)o->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
