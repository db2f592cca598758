// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * up: bring a lab up, or in line with its file. Parse, validate, diff (diff.c), check for
 * conflicts, then the removals (children first) and the additions (parents first), each
 * journaled before its kernel change; a failed addition unwinds what this up made.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"
#include "sup.h"
#include "qdisc.h"
#include "topo-internal.h"

/* Before any change: nothing the plan makes may exist already unless the lab owns it (each
 * kind says what it would make); and what this kernel lacks is said before anything is done. */
static int preflight(struct run *R, const struct nsl_topo *t, const struct objs *nw, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *root = NULL;
	struct jstate js = { 0 };
	size_t n_root = 0;
	int r;

	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].has_netem && !nsli_topo_qdisc_netem_available()) {
			nsl_err_set(err, NSL_E_SYSTEM, -EOPNOTSUPP, t->path, "delay/loss: kernel lacks sch_netem");
			err->line = t->links[i].netem_pos.line;
			err->column = t->links[i].netem_pos.column;
			return -EOPNOTSUPP;
		}
	if (R->dirfd >= 0 && nsli_journal_read(R->dirfd, R->lab, &js) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -EIO, t->name, "journal of lab '%s' cannot be read", t->name);
	r = nsli_root_links(R->ctx, &root, &n_root, err);
	for (size_t i = 0; r == 0 && i < nw->n; i++) {
		const struct obj *x = &nw->v[i];

		if (x->state != S_SAME && nsli_kind_of(x)->conflict)
			r = nsli_kind_of(x)->conflict(R, t, x, &js, root, n_root, err);
	}
	nsli_jstate_free(&js);
	return r;
}

/* A removed node's netns takes its veths along, but asynchronously: before the same names
 * are made again, wait until the kernel has removed the root-netns devices that went. */
static int wait_removed(struct run *R, const struct nsl_topo *ot, const struct objs *old, struct nsl_err *err)
{
	_cleanup_free_ const char **names = calloc(old->n + 1, sizeof(char *));
	size_t n = 0;
	int r;

	if (!names)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < old->n; i++) {
		const struct obj *x = &old->v[i];
		const char *dev = nsli_kind_of(x)->root_dev ? nsli_kind_of(x)->root_dev(ot, x) : NULL;

		if (x->state != S_SAME && dev && x->kind != O_BRIDGE)
			names[n++] = dev;
	}
	if (!n)
		return 0;
	r = nsl_link_wait_gone(R->ctx, NULL, names, n, 20000, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		nsli_run_jadd(R, "-link %s", names[i]);
	return r;
}

/* The journal, compacted to its live records and closed by "commit N CRC", then lab.yaml:
 * a lab.yaml always has a commit before it, and one that is not the committed one (a crash
 * between the two writes) makes the next up start over, as after any interrupted up. */
static int commit(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct jstate js;
	char last[64];
	size_t len = 0;
	int r;

	r = nsli_journal_read(R->dirfd, R->lab, &js);
	if (r == 0 && js.corrupt)
		r = -EBADMSG;
	if (r == 0) {
		snprintf(last, sizeof(last), "commit %zu %08x", js.n, nsli_crc32(0, t->text, t->text_len));
		r = nsli_journal_render(R->lab, &js, last, &buf, &len);
	}
	nsli_jstate_free(&js);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "journal: %s", strerror(-r));
	nsli_journal_close(&R->j);
	r = nsli_state_write(R->dirfd, "journal", buf, len, err);
	free(TAKE_PTR(buf));
	if (r == 0 && (r = nsli_lab_names_render(t, &buf, &len)) < 0)
		nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
	if (r == 0)
		r = nsli_state_write(R->dirfd, "names", buf, len, err);
	if (r == 0 && t->dir)
		r = nsli_state_write(R->dirfd, "dir", t->dir, strlen(t->dir), err);
	return r < 0 ? r : nsli_state_write(R->dirfd, "lab.yaml", t->text, t->text_len, err);
}

/* One up: the run, the new objects, the ones of the last complete up and their model. */
struct up {
	struct run R;
	struct nsl_topo *t;
	struct objs nw, old;
	struct nsl_topo *ot;
	bool fresh; /* no state before this up: a failure removes everything */
};

/* Compare with the last up. An up that was interrupted is known only from its journal:
 * take all of it down and start from nothing, which always converges. */
static int up_diff(struct up *U, struct nsl_err *err)
{
	struct nsl_ctx *ctx = U->R.ctx;
	struct jstate js;
	unsigned removed;
	bool dirty;
	int r;

	r = nsli_topo_state_dir(ctx, U->t->name, false, &U->R.dirfd, err);
	if (r < 0 && r != -ENOENT)
		return r;
	U->fresh = U->R.dirfd < 0;
	r = nsli_diff_for(ctx, U->t, U->R.dirfd, &U->nw, &U->old, &U->ot, &dirty, err);
	if (r < 0 || !dirty)
		return r;
	r = nsli_journal_read(U->R.dirfd, U->t->name, &js);
	if (r == 0)
		r = nsli_teardown(&U->R, &js, &(struct teardown_opts){ 0 }, &removed, err);
	nsli_jstate_free(&js);
	if (r < 0)
		return r;
	nsli_lab_remove_state(U->R.dirfd, U->t->name, ctx);
	close(U->R.dirfd);
	U->R.dirfd = -1;
	U->fresh = true;
	nsli_objs_free(&U->nw);
	return nsli_diff_for(ctx, U->t, -1, &U->nw, &U->old, &U->ot, &dirty, err);
}

/* Steps for the progress count, and plan lines for the summary. */
static unsigned up_count(struct up *U)
{
	unsigned changes = 0;

	U->R.n = 0;
	for (size_t i = 0; U->ot && i < U->old.n; i++) {
		const struct obj *x = &U->old.v[i];

		if (x->state == S_SAME || x->implied)
			continue;
		U->R.n++;
		changes += x->state == S_REMOVE && nsli_listed(x);
	}
	for (size_t i = 0; i < U->nw.n; i++)
		if (U->nw.v[i].state != S_SAME) {
			U->R.n++;
			changes += nsli_listed(&U->nw.v[i]);
		}
	return changes;
}

/* Removals first, children before parents; a failure there cannot be undone. */
static int up_removals(struct up *U, struct nsl_err *err)
{
	int r;

	for (size_t i = U->ot ? U->old.n : 0; i-- > 0;) {
		const struct obj *x = &U->old.v[i];

		if (x->state == S_SAME || x->implied)
			continue;
		nsli_run_step(&U->R, x->state == S_REMOVE ? "del" : "renew", x->key);
		r = nsli_kind_of(x)->remove(&U->R, U->ot, x, err);
		if (r < 0)
			return nsli_run_fail_obj(err, x, r);
		if (err)
			nsl_err_clear(err);
	}
	return U->ot ? wait_removed(&U->R, U->ot, &U->old, err) : 0;
}

/* @failed could not be added: remove what this up added, children first (what lives in a
 * netns made here goes with it), and the failed object's own half. */
static void up_unwind(struct up *U, const int *undo, size_t n_undo, const struct obj *failed,
		      struct nsl_err *err)
{
	const struct objs *nw = &U->nw;
	struct nsl_err ignore = { 0 };

	/* Only what this up made goes: each removal proves the object is the lab's (the netns
	 * inode it recorded, the marker), and an object that could not be made was never
	 * journaled as made; nothing is said about what is left alone here. */
	U->R.note = NULL;
	if (U->fresh) {
		struct jstate js;
		unsigned removed;

		/* The journal names all of it, so that no state is left either. */
		nsli_journal_close(&U->R.j);
		if (nsli_journal_read(U->R.dirfd, U->t->name, &js) == 0 &&
		    nsli_teardown(&U->R, &js, &(struct teardown_opts){ 0 }, &removed, &ignore) == 0)
			nsli_lab_remove_state(U->R.dirfd, U->t->name, U->R.ctx);
		nsli_jstate_free(&js);
		if (err && err->kind != NSL_E_USAGE && err->kind != NSL_E_CONFLICT)
			err->kind = NSL_E_SYSTEM;
		return;
	}
	for (size_t u = n_undo; u-- > 0;) {
		const struct obj *y = &nw->v[undo[u]];
		const struct obj *p = y->parent >= 0 ? &nw->v[y->parent] : NULL;
		const struct obj *p2 = y->parent2 >= 0 ? &nw->v[y->parent2] : NULL;

		/* A repair in place made nothing new: what it repaired was there before. */
		if (!nsli_implied_by(y, p, p2) && !y->in_place)
			nsli_kind_of(y)->remove(&U->R, U->t, y, &ignore);
	}
	if ((nsli_kind_of(failed)->flags & KIND_UNDO_FAILED) && !failed->in_place)
		nsli_kind_of(failed)->remove(&U->R, U->t, failed, &ignore);
	if (err)
		err->kind = NSL_E_PARTIAL; /* what the removals took is not put back */
}

/* The settle of the kind of @last (the last object added of it), when it has one. */
static int up_settle(struct up *U, int last, const int *undo, size_t n_undo, struct nsl_err *err)
{
	const struct obj *x = &U->nw.v[last];
	int r;

	if (!nsli_kind_of(x)->settle)
		return 0;
	r = nsli_kind_of(x)->settle(&U->R, U->t, err);
	if (r < 0) {
		nsli_run_fail_obj(err, x, r);
		up_unwind(U, undo, n_undo, x, err);
	}
	return r;
}

static int up_adds(struct up *U, struct nsl_err *err)
{
	_cleanup_free_ int *undo = calloc(U->nw.n + 1, sizeof(int));
	size_t n_undo = 0;
	int r, last = -1;

	if (!undo)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < U->nw.n; i++) {
		const struct obj *x = &U->nw.v[i];

		if (x->state == S_SAME)
			continue;
		if (last >= 0 && U->nw.v[last].kind != x->kind && (r = up_settle(U, last, undo, n_undo, err)) < 0)
			return r;
		if (!(nsli_kind_of(x)->flags & KIND_QUIET))
			nsli_run_step(&U->R, "add", x->key);
		r = nsli_kind_of(x)->add(&U->R, U->t, x, err);
		if (r == 0)
			nsli_run_changed(&U->R);
		if (r < 0) {
			nsli_run_fail_obj(err, x, r);
			up_unwind(U, undo, n_undo, x, err);
			return r;
		}
		undo[n_undo++] = (int)i;
		last = (int)i;
	}
	if (last >= 0 && (r = up_settle(U, last, undo, n_undo, err)) < 0)
		return r;
	/* Bridges are built with multicast snooping off (kind-bridge.c) and get the kernel's
	 * default back once all their ports are in; also after an up that died half-way. */
	for (size_t i = 0; i < U->t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &U->t->bridges[i];
		struct nsl_bridge b = { .name = br->ifname, .netns = nsli_br_netns(U->t, br),
					.mcast_snooping = NSL_TRI_ON };

		r = nsl_bridge_set(U->R.ctx, &b, err);
		if (r < 0)
			return r;
	}
	return 0;
}

_public_ int nsl_topo_up(struct nsl_ctx *ctx, struct nsl_topo *t, nsl_topo_progress_fn progress,
			 void *data, unsigned *ret_changes, struct nsl_err *err)
{
	struct up U = { .t = t };
	unsigned changes;
	int lockfd = -1, r;

	nsli_run_init(&U.R, ctx, t->name, progress, data);
	r = nsli_journal_lock(ctx, t->name, &lockfd, err);
	if (r < 0)
		return r;
	r = up_diff(&U, err);
	if (r == 0)
		r = preflight(&U.R, t, &U.nw, err);
	if (r < 0)
		goto out;
	changes = up_count(&U);
	if (U.R.n > 0) {
		if (U.R.dirfd < 0)
			r = nsli_topo_state_dir(ctx, t->name, true, &U.R.dirfd, err);
		if (r == 0)
			r = nsli_journal_open(U.R.dirfd, t->name, &U.R.j, err);
		if (r == 0)
			r = nsli_journal_add(&U.R.j, "begin", err);
		if (r < 0)
			goto out;
		r = up_removals(&U, err);
		if (r < 0) {
			if (err)
				err->kind = NSL_E_PARTIAL;
			goto out;
		}
		r = up_adds(&U, err);
		if (r == 0)
			r = commit(&U.R, t, err);
		if (r < 0)
			goto out;
	}
	if (ret_changes)
		*ret_changes = changes;
out:
	nsli_sup_pending_free(&U.R);
	free(U.R.ready);
	nsli_journal_close(&U.R.j);
	nsl_hosts_free(U.R.hosts);
	free(U.R.br_ifindex);
	if (U.R.dirfd >= 0)
		close(U.R.dirfd);
	nsli_journal_unlock(ctx, t->name, lockfd, U.fresh && r < 0);
	nsli_objs_free(&U.nw);
	nsli_objs_free(&U.old);
	nsl_topo_free(U.ot);
	return r;
}
