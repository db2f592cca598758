// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kinds: a node's supervisor with its processes, files, binds and tmpfs (`run` and the
 * node's view: one object, so that any change of them starts the node's processes again
 * in the new view), and its `exec` commands. All their output goes to the node's logs under
 * the state dir (logs/NODE/NAME.log, exec.log), never to whoever reads nslab's.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include "core.h"
#include "kind.h"
#include "live.h"
#include "logfile.h"
#include "macro.h"
#include "run.h"
#include "sup.h"
#include "topo-internal.h"
#include "nslab/launch.h"
#include "nslab/netns.h"

extern char **environ;

int nsli_sup_find(const struct jstate *js, const char *node, struct nsl_proc_ref *ret)
{
	bool found = false;

	for (size_t i = 0; i < js->n; i++) {
		char nm[128];
		int pid;
		unsigned long long st, ino;

		if (sscanf(js->v[i].line, "pid %127s %d %llu %llu", nm, &pid, &st, &ino) == 4 && STREQ(nm, node)) {
			*ret = (struct nsl_proc_ref){ .pid = pid, .starttime = st };
			found = st != 0;
		}
	}
	return found && nsl_launch_alive(ret) == 1 ? 0 : -ESRCH;
}

char **nsli_node_envp(const struct nsl_topo_node *n)
{
	size_t k = 0, n_env = 0;
	char **v;

	for (char **e = environ; e && *e; e++)
		n_env++;
	v = calloc(n_env + n->n_env + 1, sizeof(char *));
	if (!v)
		return NULL;
	for (char **e = environ; e && *e; e++) {
		size_t len = strcspn(*e, "=");
		bool over = false;

		for (size_t i = 0; i < n->n_env && !over; i++)
			over = !strncmp(n->env[i], *e, len) && n->env[i][len] == '=';
		if (!over)
			v[k++] = *e;
	}
	for (size_t i = 0; i < n->n_env; i++)
		v[k++] = n->env[i];
	return v;
}

void nsli_tail_feed(char *tail, size_t size, const char *buf, size_t n)
{
	size_t have;

	if (!tail || size < 2)
		return;
	have = strlen(tail);
	if (n >= size - 1) {
		memcpy(tail, buf + n - (size - 1), size - 1);
		tail[size - 1] = '\0';
		return;
	}
	if (have + n >= size) {
		size_t drop = have + n - (size - 1);

		memmove(tail, tail + drop, have - drop + 1);
		have -= drop;
	}
	memcpy(tail + have, buf, n);
	tail[have + n] = '\0';
}

int nsli_run_logged(struct nsl_ctx *ctx, struct nsl_launch *l, int dirfd, const char *node, const char *logname,
		    int *ret_status, char *tail, size_t size, struct nsl_err *err)
{
	_cleanup_close_ int logs = nsli_sup_subdir(dirfd, "logs", node);
	struct nsli_logfile lf;
	struct nsl_launch_proc p = { 0 };
	int pipefd[2], r;
	char buf[4096];

	if (tail && size)
		tail[0] = '\0';
	if (logs < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, logs, node, "node '%s': logs: %s", node, strerror(-logs));
	r = nsli_logfile_open(logs, logname, &lf);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, node, "node '%s': log %s: %s", node, logname, strerror(-r));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		nsli_logfile_close(&lf);
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), node, "pipe: %m");
	}
	l->output_fd = pipefd[1];
	r = nsl_launch_run(ctx, l, &p, err);
	close(pipefd[1]);
	/* Until the command ends, not until its output does: what it leaves in the background
	 * keeps the pipe open. */
	for (bool ended = false, eof = false; r == 0 && !ended;) {
		struct pollfd pfd[2] = { { .fd = eof ? -1 : pipefd[0], .events = POLLIN },
					 { .fd = p.pidfd, .events = POLLIN } };
		ssize_t k;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		ended = pfd[1].revents != 0;
		if (ended)
			fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
		if (!pfd[0].revents && !ended)
			continue;
		do {
			k = read(pipefd[0], buf, sizeof(buf));
			if (k > 0) {
				nsli_logfile_feed(&lf, buf, (size_t)k);
				nsli_tail_feed(tail, size, buf, (size_t)k);
			}
		} while (ended && k > 0);
		eof = eof || k == 0;
	}
	close(pipefd[0]);
	nsli_logfile_close(&lf);
	if (r < 0) {
		*ret_status = p.exec_errno == ENOENT ? 127 : p.exec_errno ? 126 : 0;
		return r;
	}
	return nsl_launch_wait(&p, 0, ret_status, err);
}

/* The node's exec commands, in order, each through `sh -c`, in the node's own view (its
 * supervisor's namespaces, when it has one) and environment; their output goes to exec.log. */
static int exec_cmds(struct run *R, const struct nsl_topo_node *n, const struct nsl_proc_ref *ref,
		     struct nsl_err *err)
{
	_cleanup_free_ char **envp = nsli_node_envp(n);
	char path[PATH_MAX];

	if (!envp)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < n->n_exec; i++) {
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", n->exec[i], NULL };
		struct nsl_launch l;
		char tail[512];
		int status = 0, r;

		nsl_launch_init(&l, argv);
		l.envp = envp;
		if (ref) {
			l.join_pid = ref->pid;
			l.join_starttime = ref->starttime;
			l.join_ns = NSL_NS_ALL;
		} else {
			l.netns = n->netns;
		}
		r = nsli_run_logged(R->ctx, &l, R->dirfd, n->name, "exec", &status, tail, sizeof(tail), err);
		if (r < 0)
			return r;
		if (status != 0)
			return nsl_err_set(err, NSL_E_SYSTEM, -ECANCELED, n->name,
					   "node '%s': exec '%s' exited %d: %s (log %s)", n->name, n->exec[i], status,
					   nsli_last_line(tail), nsl_topo_log_path(R->ctx, R->lab, n->name, "exec", path,
									      sizeof(path)));
	}
	return 0;
}

/* The node's supervisor (when it still is the one started) and whatever else runs in the
 * node's netns: SIGTERM, the node's stop_timeout, SIGKILL. */
static int stop_node(struct run *R, const struct nsl_topo_node *n)
{
	struct nsl_proc_ref ref;
	struct jstate js;
	dev_t dev;
	ino_t ino;

	if (nsli_journal_read(R->dirfd, R->lab, &js) == 0 && nsli_sup_find(&js, n->name, &ref) == 0)
		nsl_launch_stop_all(&ref, 1, n->stop_timeout_ms + 1000, NULL);
	nsli_jstate_free(&js);
	if (nsl_netns_inode(R->ctx, n->netns, &dev, &ino, NULL) == 0)
		nsl_netns_kill_all(&ino, 1, n->stop_timeout_ms, NULL);
	nsli_run_forget(R, "pid %s ", n->name);
	return nsli_run_forget(R, "run %s ", n->name);
}

/* ---- run: the supervisor ---- */

static uint32_t hash_strv(uint32_t h, char *const *v)
{
	for (; v && *v; v++)
		h = h * 31 + nsli_topo_hash(*v) + 1;
	return h;
}

/* Everything the supervisor is started with: a change of any of it starts it again. */
static uint32_t run_sig(const struct nsl_topo_node *n)
{
	uint32_t h = nsli_sigf("%u %u %s", n->run_ns, n->stop_timeout_ms, n->rootfs ? n->rootfs : "-");

	for (size_t i = 0; i < n->n_procs; i++) {
		const struct nsl_topo_proc *p = &n->procs[i];

		h = h * 31 + nsli_sigf("%s %d %u %u %d %s", p->name, p->has_user, p->uid, p->gid, (int)p->restart,
				       p->wd ? p->wd : "-");
		h = hash_strv(hash_strv(h, p->argv), p->env);
	}
	for (size_t i = 0; i < n->n_mounts; i++) {
		const struct nsl_topo_mount *m = &n->mounts[i];

		h = h * 31 + nsli_sigf("%s %s %d %o %d %u %u", m->src ? m->src : "-", m->target, m->ro, m->mode,
				       m->has_owner, m->uid, m->gid);
	}
	for (size_t i = 0; i < n->n_files; i++) {
		const struct nsl_topo_file *f = &n->files[i];

		h = h * 31 + nsli_sigf("%s %o %d %u %u %08x", f->path, f->mode, f->has_owner, f->uid, f->gid,
				       nsli_crc32(0, f->content, f->len));
	}
	return h;
}

static int run_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		struct obj *x;

		if (!n->supervised && !n->run)
			continue;
		B->run_obj[i] = (int)B->o->n;
		x = nsli_builder_push(B, O_RUN, B->node_obj[i], -1);
		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "run %s", n->name);
		x->sig = run_sig(n);
	}
	return 0;
}

static int run_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	if (x->in_place)
		return nsli_sup_repair(R, t, x->node, err);
	return nsli_sup_start(R, t, x->node, err);
}

static int run_settle(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	return nsli_sup_settle(R, t, err);
}

static int run_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return stop_node(R, &t->nodes[x->node]);
}

static bool run_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const char *node = L->t->nodes[x->node].name;
	_cleanup_free_ struct nsl_topo_proc_state *v = NULL;
	struct nsl_proc_ref ref;
	size_t n = 0;

	if (nsli_sup_find(&L->js, node, &ref) < 0) {
		snprintf(why, size, "its supervisor is not running");
		return false;
	}
	if (nsli_sup_status(L->R->dirfd, node, &ref, &v, &n) < 0)
		return true; /* a supervisor of an older nslab: no status, alive is all we know */
	return nsli_sup_healthy(v, n, why, size);
}

/* Processes that ended, under a supervisor that lives on: it starts them again, and nothing
 * else of the node (its other processes, its exec commands) is touched. */
static bool run_in_place(struct live *L, const struct obj *x)
{
	const char *node = L->t->nodes[x->node].name;
	_cleanup_free_ struct nsl_topo_proc_state *v = NULL;
	struct nsl_proc_ref ref;
	size_t n = 0;

	return nsli_sup_find(&L->js, node, &ref) == 0 && nsli_sup_status(L->R->dirfd, node, &ref, &v, &n) == 0;
}

const struct kind nsli_kind_run = {
	.name = "process",
	.flags = KIND_UNDO_FAILED,
	.build = run_build,
	.add = run_add,
	.settle = run_settle,
	.remove = run_remove,
	.live_ok = run_live_ok,
	.in_place = run_in_place,
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
			h = h * 31 + nsli_topo_hash(n->exec[k]) + 1;
		for (size_t k = 0; k < n->n_env; k++)
			h = h * 31 + nsli_topo_hash(n->env[k]) + 1;
		x->sig = h;
	}
	return 0;
}

static int exec_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	struct nsl_proc_ref ref;
	struct jstate js;
	bool sup = false;

	if ((n->supervised || n->run) && nsli_journal_read(R->dirfd, R->lab, &js) == 0) {
		sup = nsli_sup_find(&js, n->name, &ref) == 0;
		nsli_jstate_free(&js);
	}
	return exec_cmds(R, n, sup ? &ref : NULL, err);
}

/* Commands run once; what they left running goes with the node's netns or its supervisor. */
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
