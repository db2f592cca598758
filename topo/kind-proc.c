// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kinds: a node's `run` process and its `exec` commands. Their output goes to the node's logs
 * under the state dir (logs/NODE/run.log, exec.log), never to whoever reads nslab's. */
#include <fcntl.h>
#include <sys/stat.h>

#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"
#include "topo-internal.h"
#include "nslab/launch.h"

/* STATE_DIR/LAB/logs/NODE/@name, opened for appending (made when missing). */
static int open_log(struct run *R, const char *node, const char *name, char *path, size_t size)
{
	_cleanup_close_ int logs = -1, dir = -1;
	int fd;

	snprintf(path, size, "%s/%s/logs/%s/%s", nsl_ctx_get_dir(R->ctx, NSL_DIR_STATE), R->lab, node, name);
	if (mkdirat(R->dirfd, "logs", 0700) < 0 && errno != EEXIST)
		return negerrno();
	logs = openat(R->dirfd, "logs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (logs < 0 || (mkdirat(logs, node, 0700) < 0 && errno != EEXIST))
		return negerrno();
	dir = openat(logs, node, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return negerrno();
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? negerrno() : fd;
}

static int run_start(struct run *R, const struct nsl_topo *t, const struct nsl_topo_node *n,
		     struct nsl_err *err)
{
	struct nsl_launch l;
	struct nsl_launch_proc p = { 0 };
	unsigned long long st = 0;
	_cleanup_close_ int log = -1;
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	int r;

	nsl_launch_init(&l, n->run);
	l.netns = n->netns;
	l.new_ns = 0;
	if (n->run_ns & NSL_TOPO_NS_UTS)
		l.new_ns |= NSL_NS_UTS;
	if (n->run_ns & NSL_TOPO_NS_PID)
		l.new_ns |= NSL_NS_PID;
	if (n->run_ns & NSL_TOPO_NS_IPC)
		l.new_ns |= NSL_NS_IPC;
	if (n->run_ns & NSL_TOPO_NS_MOUNT)
		l.new_ns |= NSL_NS_MNT;
	if (l.new_ns & NSL_NS_UTS)
		l.hostname = n->name;
	/* A command that is PID 1 ignores SIGTERM unless it handles it: a small init forwards
	 * it, so `down` stops the process at once instead of waiting for SIGKILL. */
	if (l.new_ns & NSL_NS_PID) {
		l.mount_proc = (l.new_ns & NSL_NS_MNT) != 0;
		l.init = true;
	}
	l.detach = true;
	/* Intent first: should we die between the start and the pid line, down still finds
	 * the process through the netns it runs in. */
	r = nsli_run_jadd(R, "run %s %s", n->name, n->netns);
	if (r < 0)
		return r;
	/* Its output goes to the node's log, never to whoever reads nslab's. */
	log = open_log(R, n->name, "run.log", path, sizeof(path));
	if (log < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, log, n->name, "node '%s': log %s: %s", n->name, path,
				   strerror(-log));
	l.output_fd = log;
	r = nsl_launch_run(R->ctx, &l, &p, err);
	if (r < 0)
		return r;
	if (nsl_launch_starttime(p.pid, &st, NULL) < 0)
		st = 0;
	if (nsl_netns_inode(R->ctx, n->netns, &dev, &ino, NULL) < 0)
		ino = 0;
	(void)t;
	return nsli_run_jadd(R, "pid %s %d %llu %llu", n->name, (int)p.pid, st, (unsigned long long)ino);
}

/* The node's exec commands, in order, each through `sh -c`; their output goes to the node's
 * log, never to nslab's own stdout or stderr (a command that leaves a background process
 * would otherwise hold a caller's pipe open for as long as that process lives). */
static int exec_cmds(struct run *R, const struct nsl_topo_node *n, const struct nsl_proc_ref *ref,
		     struct nsl_err *err)
{
	char path[PATH_MAX];
	_cleanup_close_ int log = open_log(R, n->name, "exec.log", path, sizeof(path));

	if (log < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, log, n->name, "node '%s': log %s: %s", n->name, path,
				   strerror(-log));
	for (size_t i = 0; i < n->n_exec; i++) {
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", n->exec[i], NULL };
		int status = 0, r;

		dprintf(log, "+ %s\n", n->exec[i]);
		r = ref ? nsl_launch_enter_ref(R->ctx, ref, NSL_NS_ALL, argv, log, &status, err)
			: nsl_launch_netns_exec_fd(R->ctx, n->netns, argv, log, &status, err);
		if (r < 0)
			return r;
		if (status != 0)
			return nsl_err_set(err, NSL_E_SYSTEM, -ECANCELED, n->name,
					   "node '%s': exec '%s' exited %d (output in %s)", n->name, n->exec[i],
					   status, path);
	}
	return 0;
}

/* The node's `run` process (when it still is the one started) and, without a PID namespace
 * to take them along, whatever else runs in the node's netns: one grace period for all. */
static int stop_node_run(struct run *R, const struct nsl_topo_node *n)
{
	struct nsl_proc_ref ref;
	dev_t dev;
	ino_t ino;

	if (nsli_run_find_proc(R, n->name, &ref) == 0)
		nsl_launch_stop_all(&ref, 1, 2000, NULL);
	if (nsl_netns_inode(R->ctx, n->netns, &dev, &ino, NULL) == 0)
		nsl_netns_kill_all(&ino, 1, 2000, NULL);
	nsli_run_forget(R, "pid %s ", n->name);
	return nsli_run_forget(R, "run %s ", n->name);
}

/* ---- run ---- */

static int run_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		uint32_t h = 0;
		struct obj *x;

		if (!n->run)
			continue;
		B->run_obj[i] = (int)B->o->n;
		x = nsli_builder_push(B, O_RUN, B->node_obj[i], -1);
		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "run %s", n->name);
		for (char **s = n->run; *s; s++)
			h = h * 31 + nsli_topo_hash(*s);
		x->sig = h ^ n->run_ns;
	}
	return 0;
}

static int run_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return run_start(R, t, &t->nodes[x->node], err);
}

static int run_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return stop_node_run(R, &t->nodes[x->node]);
}

static bool run_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	struct nsl_proc_ref ref;

	if (nsli_run_find_proc(L->R, L->t->nodes[x->node].name, &ref) == 0)
		return true;
	snprintf(why, size, "the process is not running");
	return false;
}

const struct kind nsli_kind_run = {
	.name = "process",
	.flags = KIND_UNDO_FAILED,
	.build = run_build,
	.add = run_add,
	.remove = run_remove,
	.live_ok = run_live_ok,
};

/* ---- exec ---- */

static int exec_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		int run = B->run_obj[i];
		uint32_t h = run >= 0 ? B->o->v[run].sig ^ n->run_ns : 0; /* run again with a new process */
		struct obj *x;

		if (!n->n_exec)
			continue;
		x = nsli_builder_push(B, O_EXEC, run >= 0 ? run : B->node_obj[i], -1);
		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "exec %s", n->name);
		for (size_t k = 0; k < n->n_exec; k++)
			h = h * 31 + nsli_topo_hash(n->exec[k]);
		x->sig = h;
	}
	return 0;
}

static int exec_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	struct nsl_proc_ref ref;
	bool running = n->run && nsli_run_find_proc(R, n->name, &ref) == 0;

	return exec_cmds(R, n, running ? &ref : NULL, err);
}

/* Commands run once; what they left running goes with the node's netns or its process. */
static int exec_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return 0;
}

const struct kind nsli_kind_exec = {
	.name = "exec",
	.build = exec_build,
	.add = exec_add,
	.remove = exec_remove,
	.live_ok = nsli_live_always_ok,
};
