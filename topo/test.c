// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `test`: a lab's expectations, probed from inside its nodes (ICMP echo or TCP connect; with
 * `within`, each retried until it holds, all of a wave at once). Pairs that talk leave neighbour
 * entries on both sides, and the kernel's neighbour tables are shared by every netns and
 * capped together (gc_thresh3, 1,024 entries by default, a setting of the init netns): past
 * about 500 talking pairs at once, resolution fails for the rest. So the expectations go in
 * waves of TEST_WAVE, and between waves the entries of the nodes of the last wave are flushed.
 */
#include <stdlib.h>

#include "core.h"
#include "macro.h"
#include "nslab/probe.h"
#include "nslab/route.h"
#include "nslab/topo.h"

#define TEST_WAVE 256

struct addr_node {
	struct nsl_prefix a;
	int node;
};

static int addr_cmp(const void *x, const void *y)
{
	const struct nsl_prefix *a = &((const struct addr_node *)x)->a, *b = &((const struct addr_node *)y)->a;

	if (a->family != b->family)
		return a->family - b->family;
	return memcmp(a->addr, b->addr, 16);
}

/* Every interface address of the lab with its node, sorted: whose is a destination. */
static struct addr_node *addr_index(const struct nsl_topo *t, size_t *ret_n)
{
	struct addr_node *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			for (size_t j = 0; j < t->nodes[i].ifaces[k].n_addrs; j++) {
				if (!GREEDY_REALLOC(v, cap, n + 1)) {
					free(v);
					return NULL;
				}
				v[n] = (struct addr_node){ t->nodes[i].ifaces[k].addrs[j], (int)i };
				v[n].a.len = 0;
				memset(v[n].a.addr + (v[n].a.family == AF_INET ? 4 : 16), 0, v[n].a.family == AF_INET ? 12 : 0);
				n++;
			}
	if (n > 1)
		qsort(v, n, sizeof(*v), addr_cmp);
	*ret_n = n;
	return v;
}

static int dst_node(const struct addr_node *v, size_t n, const struct nsl_prefix *dst)
{
	struct addr_node key = { *dst, -1 }, *hit;

	key.a.len = 0;
	hit = v ? bsearch(&key, v, n, sizeof(*v), addr_cmp) : NULL;
	return hit ? hit->node : -1;
}

/* Flush the neighbour entries of the sources and destinations of expectations @order[a..b). */
static void flush_wave(struct nsl_ctx *ctx, const struct nsl_topo *t, const size_t *order, size_t a, size_t b,
		       const struct addr_node *idx, size_t n_idx, bool *done)
{
	memset(done, 0, t->n_nodes * sizeof(*done));
	for (size_t i = a; i < b; i++) {
		const struct nsl_topo_expect *x = &t->expects[order[i]];
		int ends[2] = { x->from, dst_node(idx, n_idx, &x->addr) };

		for (int e = 0; e < 2; e++)
			if (ends[e] >= 0 && !done[ends[e]]) {
				done[ends[e]] = true;
				nsl_neigh_flush(ctx, t->nodes[ends[e]].netns, NULL);
			}
	}
}

static int wave(struct nsl_ctx *ctx, const struct nsl_topo *t, const size_t *order, size_t a, size_t b,
		struct nsl_probe *pr, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_probe *w = calloc(b - a + 1, sizeof(*w));
	unsigned timeout = 0;
	int r;

	if (!w)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = a; i < b; i++) {
		w[i - a] = pr[order[i]];
		if (t->expects[order[i]].timeout_ms > timeout)
			timeout = t->expects[order[i]].timeout_ms;
	}
	r = nsl_probe_ping_many(ctx, w, b - a, timeout, err);
	for (size_t i = a; r >= 0 && i < b; i++)
		pr[order[i]] = w[i - a];
	return r;
}

_public_ int nsl_topo_probe(struct nsl_ctx *ctx, const struct nsl_topo *t, struct nsl_probe *pr, struct nsl_err *err)
{
	_cleanup_free_ size_t *order = calloc(t->n_expects + 1, sizeof(size_t));
	_cleanup_free_ bool *done = calloc(t->n_nodes + 1, sizeof(bool));
	_cleanup_free_ struct addr_node *idx = NULL;
	size_t n = 0, n_idx = 0;
	int r = 0;

	if (!order || !done)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	/* Expected to answer first: those that must not answer wait out their timeout. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->n_expects; i++)
			if (t->expects[i].reach == !pass)
				order[n++] = i;
	for (size_t i = 0; i < t->n_expects; i++) {
		const struct nsl_topo_expect *x = &t->expects[i];

		pr[i] = (struct nsl_probe){ .netns = t->nodes[x->from].netns, .dst = x->addr, .tcp_port = x->tcp,
					    .timeout_ms = x->timeout_ms, .within_ms = x->within_ms,
					    .expect_fail = !x->reach };
	}
	if (t->n_expects > TEST_WAVE)
		idx = addr_index(t, &n_idx);
	for (size_t a = 0; r >= 0 && a < n; a += TEST_WAVE) {
		size_t b = a + TEST_WAVE < n ? a + TEST_WAVE : n;

		r = wave(ctx, t, order, a, b, pr, err);
		if (r >= 0 && b < n)
			flush_wave(ctx, t, order, a, b, idx, n_idx, done);
	}
	return r < 0 ? r : 0;
}
