// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kind: a node's readiness (`ready: {exec, timeout, interval}`). Not a kernel object: up
 * waits for it after the processes have started and the exec commands have run, for all the
 * lab's nodes at once, each command retried every interval until it exits 0 or the node's
 * timeout passes (which fails the up, and up unwinds as after any failed step). Its output
 * goes to logs/NODE/ready.log.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "core.h"
#include "kind.h"
#include "live.h"
#include "logfile.h"
#include "macro.h"
#include "run.h"
#include "sup.h"
#include "topo-internal.h"
#include "nslab/launch.h"

static int ready_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		int run = B->run_obj[i];
		struct obj *x;

		if (!n->ready)
			continue;
		x = nsli_builder_push(B, O_READY, run >= 0 ? run : B->node_obj[i], -1);
		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "ready %s", n->name);
		/* Waited for again whenever the node's processes start again. */
		x->sig = nsli_sigf("%s %u", n->ready, run >= 0 ? B->o->v[run].sig : 0);
	}
	return 0;
}

static int ready_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	if (!GREEDY_REALLOC(R->ready, R->cap_ready, R->n_ready + 1))
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	R->ready[R->n_ready++] = x->node;
	return 0;
}

/* One node being waited for. */
struct waiter {
	const struct nsl_topo_node *n;
	struct nsl_launch_proc p; /* the attempt running, p.pid 0: none */
	int out;		  /* its output */
	uint64_t next, deadline;  /* ms, CLOCK_MONOTONIC */
	int status;		  /* of the last attempt, -1: none yet */
	bool done;
	char tail[512];
	struct nsli_logfile lf;
	struct nsl_proc_ref sup;
	bool has_sup;
	char **envp;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int attempt(struct run *R, struct waiter *w, struct nsl_err *err)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", w->n->ready, NULL };
	struct nsl_launch l;
	int pipefd[2], r;

	nsl_launch_init(&l, argv);
	l.envp = w->envp;
	if (w->has_sup) {
		l.join_pid = w->sup.pid;
		l.join_starttime = w->sup.starttime;
		l.join_ns = NSL_NS_ALL;
	} else {
		l.netns = w->n->netns;
	}
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), w->n->name, "pipe: %m");
	l.output_fd = pipefd[1];
	w->tail[0] = '\0';
	r = nsl_launch_run(R->ctx, &l, &w->p, err);
	close(pipefd[1]);
	if (r < 0) {
		close(pipefd[0]);
		w->p.pid = 0;
		return r;
	}
	w->out = pipefd[0];
	return 0;
}

/* What the attempt printed, into the log and the tail. */
static void drain(struct waiter *w)
{
	char buf[2048];
	ssize_t k;

	while (w->out >= 0 && (k = read(w->out, buf, sizeof(buf))) > 0) {
		nsli_logfile_feed(&w->lf, buf, (size_t)k);
		nsli_tail_feed(w->tail, sizeof(w->tail), buf, (size_t)k);
	}
}

/* The attempt ended: its status, and the node ready when it is 0. */
static void reap(struct run *R, struct waiter *w)
{
	drain(w);
	if (w->out >= 0)
		close(w->out);
	w->out = -1;
	nsl_launch_wait(&w->p, 0, &w->status, NULL);
	w->p.pid = 0;
	if (w->status == 0) {
		w->done = true;
		nsli_run_step(R, "ready", w->n->name);
		return;
	}
	w->next = now_ms() + w->n->ready_interval_ms;
}

static int timed_out(struct run *R, struct waiter *w, struct nsl_err *err)
{
	char path[PATH_MAX];
	const char *last;

	if (w->p.pid > 0) {
		kill(w->p.pid, SIGKILL);
		reap(R, w);
	}
	last = nsli_last_line(w->tail);
	nsl_topo_log_path(R->ctx, R->lab, w->n->name, "ready", path, sizeof(path));
	if (w->status < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -ETIMEDOUT, w->n->name, "node '%s': not ready after %u s (log %s)",
				   w->n->name, w->n->ready_timeout_ms / 1000, path);
	return nsl_err_set(err, NSL_E_SYSTEM, -ETIMEDOUT, w->n->name,
			   "node '%s': not ready after %u s: '%s' exited %d%s%s (log %s)", w->n->name,
			   w->n->ready_timeout_ms / 1000, w->n->ready, w->status, *last ? ": " : "", last, path);
}

/* One round: start what is due, wait for output, ends or the next due time. */
static int round_once(struct run *R, struct waiter *v, size_t n, struct pollfd *pfd, struct nsl_err *err)
{
	uint64_t now = now_ms(), wake = now + 1000;
	size_t k = 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct waiter *w = &v[i];

		if (w->done)
			continue;
		if (now >= w->deadline)
			return timed_out(R, w, err);
		if (!w->p.pid && now >= w->next && (r = attempt(R, w, err)) < 0)
			return r;
		if (w->p.pid) {
			pfd[k++] = (struct pollfd){ .fd = w->p.pidfd, .events = POLLIN };
			pfd[k++] = (struct pollfd){ .fd = w->out, .events = POLLIN };
		} else if (w->next < wake) {
			wake = w->next;
		}
		if (w->deadline < wake)
			wake = w->deadline;
	}
	if (poll(pfd, k, wake > now ? (int)(wake - now) : 0) < 0 && errno != EINTR)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "poll: %m");
	for (size_t i = 0, j = 0; i < n; i++) {
		struct waiter *w = &v[i];

		if (w->done || !w->p.pid || j >= k)
			continue;
		if (pfd[j + 1].revents)
			drain(w);
		if (pfd[j].revents)
			reap(R, w);
		j += 2;
	}
	return 0;
}

static int waiter_init(struct run *R, struct waiter *w, const struct nsl_topo_node *n, const struct jstate *js,
		       uint64_t start, struct nsl_err *err)
{
	_cleanup_close_ int logs = nsli_sup_subdir(R->dirfd, "logs", n->name);
	int r;

	*w = (struct waiter){ .n = n, .out = -1, .status = -1, .next = start,
			      .deadline = start + n->ready_timeout_ms };
	w->has_sup = (n->supervised || n->run) && nsli_sup_find(js, n->name, &w->sup) == 0;
	w->envp = nsli_node_envp(n);
	if (!w->envp)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	r = logs < 0 ? logs : nsli_logfile_open(logs, "ready", &w->lf);
	if (r < 0) {
		free(w->envp);
		w->envp = NULL;
		return nsl_err_set(err, NSL_E_SYSTEM, r, n->name, "node '%s': ready log: %s", n->name, strerror(-r));
	}
	return 0;
}

static void waiters_free(struct waiter *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].p.pid > 0) {
			kill(v[i].p.pid, SIGKILL);
			nsl_launch_wait(&v[i].p, 0, &v[i].status, NULL);
		}
		if (v[i].out >= 0)
			close(v[i].out);
		if (v[i].envp) {
			nsli_logfile_close(&v[i].lf);
			free(v[i].envp);
		}
	}
	free(v);
}

static int ready_settle(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	struct waiter *v = calloc(R->n_ready + 1, sizeof(*v));
	_cleanup_free_ struct pollfd *pfd = calloc(2 * R->n_ready + 1, sizeof(*pfd));
	uint64_t start = now_ms();
	struct jstate js = { 0 };
	size_t n = 0, left = R->n_ready;
	int r;

	r = !v || !pfd ? nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL) : 0;
	if (r == 0 && nsli_journal_read(R->dirfd, R->lab, &js) < 0)
		r = nsl_err_set(err, NSL_E_SYSTEM, -EIO, R->lab, "journal of lab '%s' cannot be read", R->lab);
	for (; r == 0 && n < R->n_ready; n++)
		r = waiter_init(R, &v[n], &t->nodes[R->ready[n]], &js, start, err);
	nsli_jstate_free(&js);
	while (r == 0 && left) {
		r = round_once(R, v, n, pfd, err);
		left = 0;
		for (size_t i = 0; i < n; i++)
			left += !v[i].done;
	}
	if (v)
		waiters_free(v, n);
	free(R->ready);
	R->ready = NULL;
	R->n_ready = R->cap_ready = 0;
	return r;
}

/* Nothing to take away: readiness is a state of the processes, which their kind removes. */
static int ready_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return 0;
}

const struct kind nsli_kind_ready = {
	.name = "readiness",
	.flags = KIND_UNLISTED | KIND_QUIET,
	.build = ready_build,
	.add = ready_add,
	.settle = ready_settle,
	.remove = ready_remove,
	.live_ok = nsli_live_always_ok,
};
