// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What up must do: the objects of the new model against those of the last complete up (its
 * lab.yaml) and against the live state (live.c). One comparison for plan, up and drift.
 */
#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"
#include "topo-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nsl_topo *, nsl_topo_free);

static bool recreated(const struct objs *o, int i)
{
	return i >= 0 && (o->v[i].state == S_ADD || (o->v[i].state == S_CHANGE && !o->v[i].in_place));
}

/* Whether removing @p takes @x along: @x is in it (its first parent), or @p is a netns @x
 * reaches into (a link's second end). A bridge port stays when only its bridge goes. */
bool nsli_implied_by(const struct obj *x, const struct obj *p, const struct obj *p2)
{
	return (p && p->state != S_SAME) || (p2 && p2->state != S_SAME && (nsli_kind_of(p2)->flags & KIND_CONTAINER));
}

/* The kernel drops a node's routes with the last address of their device, or with the device:
 * when an object of a KIND_ROUTES kind of a node changes (or an address of it goes), its routes
 * are put back (replace, so no harm when they survived). Not a change of the lab: not listed. */
static int refresh_routes(struct objs *nw, const struct objs *old, struct nsl_err *err)
{
	_cleanup_free_ bool *touched = calloc(nw->t->n_nodes + 1, sizeof(bool));

	if (!touched)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < nw->n; i++) {
		const struct obj *x = &nw->v[i];

		if (x->state == S_SAME || !(nsli_kind_of(x)->flags & KIND_ROUTES))
			continue;
		if (x->node >= 0)
			touched[x->node] = true;
		if (x->node2 >= 0)
			touched[x->node2] = true;
	}
	for (size_t i = 0; old && i < old->n; i++) {
		const struct obj *x = &old->v[i];

		if (!(nsli_kind_of(x)->flags & KIND_ROUTES) || x->node < 0 || nsli_objs_find(nw, x->key) >= 0)
			continue;
		for (size_t k = 0; k < nw->t->n_nodes; k++)
			if (STREQ(nw->t->nodes[k].name, old->t->nodes[x->node].name))
				touched[k] = true;
	}
	for (size_t i = 0; i < nw->n; i++) {
		struct obj *x = &nw->v[i];

		if (x->kind == O_ROUTE && x->state == S_SAME && touched[x->node]) {
			x->state = S_CHANGE;
			x->refresh = true;
		}
	}
	return 0;
}

/* Mark every object of @nw (and @old, when given) with what up must do; @L (NULL: none) is the
 * live state, whose drift makes an object a change. */
static int diff(struct live *L, struct objs *nw, struct objs *old, struct nsl_err *err)
{
	int r;

	for (size_t i = 0; i < nw->n; i++) {
		struct obj *x = &nw->v[i];
		int k = old ? nsli_objs_find(old, x->key) : -1;

		if (k < 0)
			x->state = S_ADD;
		else if (old->v[k].sig != x->sig || recreated(nw, x->parent) || recreated(nw, x->parent2))
			x->state = S_CHANGE;
		else if (L && !nsli_live_ok(L, x, x->why, sizeof(x->why))) {
			x->state = S_CHANGE, x->missing = true; /* drifted: made again */
			x->in_place = nsli_kind_of(x)->in_place && nsli_kind_of(x)->in_place(L, x);
		} else
			x->state = S_SAME;
	}
	r = refresh_routes(nw, old, err);
	for (size_t i = 0; r == 0 && old && i < old->n; i++) {
		struct obj *x = &old->v[i];
		int k = nsli_objs_find(nw, x->key);

		x->state = k < 0 ? S_REMOVE
			   : nw->v[k].state == S_CHANGE && !nw->v[k].refresh && !nw->v[k].in_place ? S_CHANGE
												 : S_SAME;
		x->missing = k >= 0 && nw->v[k].missing;
		x->implied = nsli_implied_by(x, x->parent >= 0 ? &old->v[x->parent] : NULL,
					x->parent2 >= 0 ? &old->v[x->parent2] : NULL);
	}
	return r;
}

/* A plan line: not a KIND_UNLISTED object rewritten for another's change (the hosts file),
 * nor a route put back with its device; a drift always is one. */
bool nsli_listed(const struct obj *x)
{
	return (!(nsli_kind_of(x)->flags & KIND_UNLISTED) || x->missing) && !x->refresh;
}

static int plan_push(struct nsl_topo_change **v, size_t *n, char op, const char *what, const char *why)
{
	struct nsl_topo_change *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n].op = op;
	snprintf(nv[*n].what, sizeof(nv[*n].what), "%s%s%s%s", what, why ? " (drift: " : "", why ? why : "",
		 why ? ")" : "");
	(*n)++;
	return 0;
}

int nsli_diff_for(struct nsl_ctx *ctx, struct nsl_topo *t, int dirfd, struct objs *nw,
		    struct objs *old, struct nsl_topo **ret_old, bool *ret_dirty, struct nsl_err *err)
{
	struct jstate js = { 0 };
	struct live L;
	struct nsl_topo *ot = NULL;
	int r;

	*ret_dirty = false;
	if (dirfd >= 0) {
		r = nsli_lab_read_state(dirfd, t->name, &js, ret_dirty, err);
		nsli_jstate_free(&js);
		if (r < 0)
			return r;
		if (!*ret_dirty) {
			r = nsli_lab_load_applied(ctx, dirfd, t->name, &ot, NULL);
			if (r < 0)
				ot = NULL;
		}
	}
	/* A device keeps its name for as long as it exists: derived names of @t are those of the
	 * running lab where the same object is there, the others are derived around them. */
	r = ot ? nsli_topo_names_keep(t, ot, err) : 0;
	if (r == 0)
		r = nsli_objs_build(t, nw);
	if (r == 0 && ot)
		r = nsli_objs_build(ot, old);
	if (r < 0) {
		nsl_topo_free(ot);
		return err && err->kind ? r : nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
	}
	if (ot) {
		/* The live state is checked against what is there: only for a lab that is up. */
		struct run R;

		nsli_run_init(&R, ctx, t->name, NULL, NULL);
		R.dirfd = dirfd;
		r = nsli_live_init(&L, &R, t, err);
		if (r == 0)
			r = diff(&L, nw, old, err);
		nsli_live_free(&L);
	} else {
		r = diff(NULL, nw, NULL, err);
	}
	if (r < 0) {
		nsl_topo_free(ot);
		return r;
	}
	*ret_old = ot;
	return 0;
}

_public_ int nsl_topo_drift(struct nsl_ctx *ctx, const char *lab, char ***ret, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	_cleanup_close_ int dirfd = -1;
	struct objs o = { 0 };
	struct live L = { 0 };
	struct run R;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int r = nsl_topo_load_lab(ctx, lab, &t, err);

	if (r < 0)
		return r;
	r = nsli_topo_state_dir(ctx, lab, false, &dirfd, err);
	if (r == 0)
		r = nsli_objs_build(t, &o) < 0 ? nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL) : 0;
	nsli_run_init(&R, ctx, lab, NULL, NULL);
	R.dirfd = dirfd;
	if (r == 0)
		r = nsli_live_init(&L, &R, t, err);
	for (size_t i = 0; r == 0 && i < o.n; i++) {
		struct obj *x = &o.v[i];

		/* What is in a drifted parent drifted with it: said once, by the parent. */
		if ((x->parent >= 0 && o.v[x->parent].missing) || (x->parent2 >= 0 && o.v[x->parent2].missing) ||
		    nsli_live_ok(&L, x, x->why, sizeof(x->why)))
			continue;
		x->missing = true;
		if (!GREEDY_REALLOC(v, cap, n + 2) || asprintf(&v[n], "%s: %s", x->key, x->why) < 0)
			r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		else
			v[++n] = NULL;
	}
	nsli_live_free(&L);
	nsli_objs_free(&o);
	if (r < 0) {
		nsl_strv_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

_public_ int nsl_topo_plan(struct nsl_ctx *ctx, struct nsl_topo *t, struct nsl_topo_change **ret,
			   size_t *ret_n, struct nsl_err *err)
{
	_cleanup_close_ int dirfd = -1;
	struct objs nw = { 0 }, old = { 0 };
	struct nsl_topo *ot = NULL;
	struct nsl_topo_change *v = NULL;
	size_t n = 0;
	bool dirty;
	int r;

	r = nsli_topo_state_dir(ctx, t->name, false, &dirfd, err);
	if (r < 0 && r != -ENOENT)
		return r;
	r = nsli_diff_for(ctx, t, dirfd, &nw, &old, &ot, &dirty, err);
	if (r < 0)
		goto out;
	if (dirty)
		plan_push(&v, &n, '-', "everything of the interrupted up", NULL);
	for (size_t i = 0; ot && i < old.n; i++)
		if (old.v[i].state == S_REMOVE && !old.v[i].implied && nsli_listed(&old.v[i]))
			plan_push(&v, &n, '-', old.v[i].key, NULL);
	for (size_t i = 0; i < nw.n; i++)
		if (nw.v[i].state != S_SAME && nsli_listed(&nw.v[i]))
			plan_push(&v, &n, nw.v[i].state == S_ADD ? '+' : '~', nw.v[i].key,
				  nw.v[i].missing ? nw.v[i].why : NULL);
	*ret = v;
	*ret_n = n;
	r = 0;
out:
	nsli_objs_free(&nw);
	nsli_objs_free(&old);
	nsl_topo_free(ot);
	return r;
}
