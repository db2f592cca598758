// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A node's supervisor (nslab-supervise, launch/supervisor/): its spec file, its start, the
 * wait for its "ready", and what it reports about its processes. State under the lab's dir:
 *   sup/NODE/spec     what the supervisor mounts and runs (written before it starts)
 *   sup/NODE/status   its processes, rewritten by it at every change
 *   files/NODE/K      the content of the node's K-th `files` entry, bound in by it
 *   logs/NODE/        NAME.log of each process, exec.log, ready.log, supervise.log
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>

#include "core.h"
#include "macro.h"
#include "run.h"
#include "sup.h"
#include "topo-internal.h"
#include "../launch/base.h"
#include "../launch/supervisor/protocol.h"
#include "nslab/launch.h"
#include "nslab/netns.h"

/* @dirfd/@a/@b, made when missing (mode 0700), opened O_DIRECTORY|O_NOFOLLOW. */
int nsli_sup_subdir(int dirfd, const char *a, const char *b)
{
	_cleanup_close_ int top = -1;
	int fd;

	if (mkdirat(dirfd, a, 0700) < 0 && errno != EEXIST)
		return negerrno();
	top = openat(dirfd, a, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0 || (mkdirat(top, b, 0700) < 0 && errno != EEXIST))
		return negerrno();
	fd = openat(top, b, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? negerrno() : fd;
}

/* One field of a spec record: TAB, then @s with \\, \t and \n escaped. */
static void put_field(FILE *f, const char *s)
{
	fputc('\t', f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_rec(FILE *f, const char *rec, const char *a, const char *b, const char *c)
{
	fputs(rec, f);
	put_field(f, a);
	if (b)
		put_field(f, b);
	if (c)
		put_field(f, c);
	fputc('\n', f);
}

static unsigned depth(const char *path)
{
	unsigned d = 0;

	for (; *path; path++)
		d += *path == '/' && path[1] && path[1] != '/';
	return d;
}

/* The node's mounts and files, parents before children: by depth of the target, stable. */
struct mnt_ref {
	const char *target;
	int mount, file; /* index, or -1 */
};

static int mnt_cmp(const void *a, const void *b)
{
	const struct mnt_ref *x = a, *y = b;
	unsigned dx = depth(x->target), dy = depth(y->target);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return (x->mount >= 0 ? x->mount : 1000000 + x->file) - (y->mount >= 0 ? y->mount : 1000000 + y->file);
}

static void put_mounts(FILE *f, const char *files_dir, const struct nsl_topo_node *n)
{
	_cleanup_free_ struct mnt_ref *v = calloc(n->n_mounts + n->n_files + 1, sizeof(*v));
	size_t k = 0;
	char a[32], b[32], c[32];

	if (!v) {
		fputs("#", f); /* an unparsable spec: the supervisor says so */
		return;
	}
	for (size_t i = 0; i < n->n_mounts; i++)
		v[k++] = (struct mnt_ref){ n->mounts[i].target, (int)i, -1 };
	for (size_t i = 0; i < n->n_files; i++)
		v[k++] = (struct mnt_ref){ n->files[i].path, -1, (int)i };
	qsort(v, k, sizeof(*v), mnt_cmp);
	for (size_t i = 0; i < k; i++) {
		if (v[i].file >= 0) {
			char src[PATH_MAX + 640];

			snprintf(src, sizeof(src), "%s/%d", files_dir, v[i].file);
			put_rec(f, "bind", src, v[i].target, "rw");
			continue;
		}
		const struct nsl_topo_mount *m = &n->mounts[v[i].mount];

		if (m->src) {
			put_rec(f, "bind", m->src, m->target, m->ro ? "ro" : "rw");
			continue;
		}
		snprintf(a, sizeof(a), "%o", m->mode ? m->mode : 0755);
		snprintf(b, sizeof(b), "%d", m->has_owner ? (int)m->uid : -1);
		snprintf(c, sizeof(c), "%d", m->has_owner ? (int)m->gid : -1);
		fputs("tmpfs", f);
		put_field(f, m->target);
		put_field(f, a);
		put_field(f, b);
		put_field(f, c);
		fputc('\n', f);
	}
}

static const char *const restart_names[] = {
	[NSL_TOPO_RESTART_NO] = "no",
	[NSL_TOPO_RESTART_ON_FAILURE] = "on-failure",
	[NSL_TOPO_RESTART_ALWAYS] = "always",
};

static void put_proc(FILE *f, const struct nsl_topo_proc *p)
{
	char u[32], g[32];

	snprintf(u, sizeof(u), "%d", p->has_user ? (int)p->uid : -1);
	snprintf(g, sizeof(g), "%d", p->has_user ? (int)p->gid : -1);
	fputs("proc", f);
	put_field(f, p->name);
	put_field(f, restart_names[p->restart]);
	put_field(f, u);
	put_field(f, g);
	put_field(f, p->wd ? p->wd : "");
	fputc('\n', f);
	for (char **a = p->argv; a && *a; a++)
		put_rec(f, "arg", *a, NULL, NULL);
	for (char **e = p->env; e && *e; e++)
		put_rec(f, "env", *e, NULL, NULL);
}

/* The spec of @n's supervisor; @base is STATE_DIR/LAB. */
static int render_spec(const char *base, const struct nsl_topo_node *n, char **ret, size_t *ret_len)
{
	char logs[PATH_MAX + 512], status[PATH_MAX + 512], files[PATH_MAX + 512], ms[32];
	FILE *f = open_memstream(ret, ret_len);

	if (!f)
		return -ENOMEM;
	snprintf(logs, sizeof(logs), "%s/logs/%s", base, n->name);
	snprintf(status, sizeof(status), "%s/sup/%s/status", base, n->name);
	snprintf(files, sizeof(files), "%s/files/%s", base, n->name);
	snprintf(ms, sizeof(ms), "%u", n->stop_timeout_ms);
	fputs(SUP_SPEC_MAGIC "\n", f);
	put_rec(f, "log", logs, NULL, NULL);
	put_rec(f, "status", status, NULL, NULL);
	if (n->rootfs)
		put_rec(f, "rootfs", n->rootfs, NULL, NULL);
	put_mounts(f, files, n);
	put_rec(f, "stop", ms, NULL, NULL);
	for (size_t i = 0; i < n->n_procs; i++)
		put_proc(f, &n->procs[i]);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* files/NODE/K: the content of each `files` entry, with its mode and owner. */
static int write_files(struct run *R, const struct nsl_topo_node *n, struct nsl_err *err)
{
	_cleanup_close_ int dir = -1;

	if (!n->n_files)
		return 0;
	dir = nsli_sup_subdir(R->dirfd, "files", n->name);
	if (dir < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, dir, n->name, "node '%s': files: %s", n->name, strerror(-dir));
	for (size_t i = 0; i < n->n_files; i++) {
		const struct nsl_topo_file *fl = &n->files[i];
		struct iovec iov = { .iov_base = fl->content, .iov_len = fl->len };
		char name[32];
		int r;

		snprintf(name, sizeof(name), "%zu", i);
		r = nsli_write_atomic(dir, name, &iov, 1, fl->mode ? fl->mode : 0644, 0);
		if (r == 0 && fl->has_owner && fchownat(dir, name, fl->uid, fl->gid, AT_SYMLINK_NOFOLLOW) < 0)
			r = negerrno();
		if (r < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, r, n->name, "node '%s': file %s: %s", n->name, fl->path,
					   strerror(-r));
	}
	return 0;
}

static unsigned launch_ns(const struct nsl_topo_node *n)
{
	unsigned ns = 0;

	if (n->run_ns & NSL_TOPO_NS_UTS)
		ns |= NSL_NS_UTS;
	if (n->run_ns & NSL_TOPO_NS_PID)
		ns |= NSL_NS_PID;
	if (n->run_ns & NSL_TOPO_NS_IPC)
		ns |= NSL_NS_IPC;
	if (n->run_ns & NSL_TOPO_NS_MOUNT)
		ns |= NSL_NS_MNT;
	return ns;
}

static int write_spec(struct run *R, const struct nsl_topo_node *n, char *path, size_t size, struct nsl_err *err)
{
	_cleanup_free_ char *spec = NULL;
	_cleanup_close_ int dir = -1;
	const char *base = nsl_ctx_get_dir(R->ctx, NSL_DIR_STATE);
	char labdir[PATH_MAX];
	size_t len = 0;
	int r;

	snprintf(labdir, sizeof(labdir), "%s/%s", base, R->lab);
	r = render_spec(labdir, n, &spec, &len);
	dir = r < 0 ? r : nsli_sup_subdir(R->dirfd, "sup", n->name);
	if (dir < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, dir, n->name, "node '%s': spec: %s", n->name, strerror(-dir));
	r = nsli_write_atomic(dir, "spec", &(struct iovec){ .iov_base = spec, .iov_len = len }, 1, 0600, 0);
	unlinkat(dir, "status", 0); /* a status left by the supervisor before is not this one's */
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, n->name, "node '%s': spec: %s", n->name, strerror(-r));
	if ((size_t)snprintf(path, size, "%s/sup/%s/spec", labdir, n->name) >= size)
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, n->name, "node '%s': state dir path too long", n->name);
	return 0;
}

/* Write node @node's files and spec and journal its start; the start itself comes in
 * nsli_sup_settle(), for all nodes at once. */
int nsli_sup_start(struct run *R, const struct nsl_topo *t, int node, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[node];
	_cleanup_close_ int logs = -1;
	struct sup_pending *p;
	char spec[PATH_MAX];
	int r;

	logs = nsli_sup_subdir(R->dirfd, "logs", n->name);
	if (logs < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, logs, n->name, "node '%s': logs: %s", n->name, strerror(-logs));
	r = write_files(R, n, err);
	if (r == 0)
		r = write_spec(R, n, spec, sizeof(spec), err);
	if (r < 0)
		return r;
	if (!GREEDY_REALLOC(R->pend, R->cap_pend, R->n_pend + 1))
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	p = &R->pend[R->n_pend];
	*p = (struct sup_pending){ .node = node, .fd = -1 };
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	R->n_pend++;
	/* Intent first: should we die between the start and the pid line, down still finds the
	 * supervisor through the netns it runs in. */
	return nsli_run_jadd(R, "run %s %s", n->name, n->netns);
}

/* Start @p's supervisor, its stdout and stderr on a pipe (p->fd), and journal its identity. */
static int launch_one(struct run *R, const struct nsl_topo *t, struct sup_pending *p, int base, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[p->node];
	char prog[PATH_MAX];
	char *argv[] = { prog, p->spec, NULL };
	struct nsl_launch_proc lp = { 0 };
	unsigned long long st = 0;
	struct nsl_launch l;
	int out[2], r;
	dev_t dev;
	ino_t ino;

	if (pipe2(out, O_CLOEXEC) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), n->name, "node '%s': pipe: %m", n->name);
	snprintf(prog, sizeof(prog), "%s/nslab-supervise", nsl_ctx_get_dir(R->ctx, NSL_DIR_LIBEXEC));
	nsl_launch_init(&l, argv);
	l.netns = n->netns;
	l.new_ns = launch_ns(n);
	if (l.new_ns & NSL_NS_UTS)
		l.hostname = n->name;
	l.mount_proc = (l.new_ns & NSL_NS_PID) != 0;
	l.detach = true;
	l.output_fd = out[1];
	r = nsli_launch_run_base(R->ctx, &l, l.new_ns & NSL_NS_MNT ? base : -1, &lp, err);
	close(out[1]);
	if (r < 0) {
		close(out[0]);
		if (lp.exec_errno)
			return nsl_err_set(err, NSL_E_SYSTEM, r, n->name, "node '%s': %s: %s", n->name, prog,
					   strerror(lp.exec_errno));
		return nsl_err_set(err, NSL_E_SYSTEM, r, n->name, "node '%s': %s", n->name,
				   err && err->msg[0] ? err->msg : strerror(-r));
	}
	p->fd = out[0];
	if (nsl_launch_starttime(lp.pid, &st, NULL) < 0)
		st = 0;
	if (nsl_netns_inode(R->ctx, n->netns, &dev, &ino, NULL) < 0)
		ino = 0;
	return nsli_run_jadd(R, "pid %s %d %llu %llu %u", n->name, (int)lp.pid, st, (unsigned long long)ino,
			     n->stop_timeout_ms);
}

/*
 * Start every pending supervisor, one after the other: a launch shares our memory until the
 * supervisor's exec (launch/child.c, the quick launch), so each costs us only the kernel's
 * work of its namespaces and mounts, and the supervisors go on with their setup on the other
 * CPUs while we start the next. All from one base mount namespace (launch/base.c: without it
 * each node's copy grows with the lab).
 */
static int launch_all(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	_cleanup_close_ int base = -1;
	int r;

	if (!R->n_pend)
		return 0;
	r = nsli_launch_base_open(R->ctx, &base, err);
	for (size_t i = 0; r == 0 && i < R->n_pend; i++)
		r = launch_one(R, t, &R->pend[i], base, err);
	return r;
}

const char *nsli_last_line(char *s)
{
	size_t len = strlen(s);
	char *nl;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		s[--len] = '\0';
	nl = strrchr(s, '\n');
	return nl ? nl + 1 : s;
}

static int settle_fail(struct run *R, const struct nsl_topo *t, struct sup_pending *p, struct nsl_err *err)
{
	const char *name = t->nodes[p->node].name;
	char path[PATH_MAX];

	nsl_topo_log_path(R->ctx, R->lab, name, "supervise", path, sizeof(path));
	if (!p->len)
		return nsl_err_set(err, NSL_E_SYSTEM, -ETIMEDOUT, name,
				   "node '%s': its supervisor did not report ready within 30 s", name);
	return nsl_err_set(err, NSL_E_SYSTEM, -ECANCELED, name, "node '%s': %s", name, nsli_last_line(p->buf));
}

/* Reads what supervisor @p said; 1 when it said "ready", -1 when it ended without. */
static int settle_read(struct sup_pending *p)
{
	ssize_t k = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);

	if (k < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (k <= 0)
		return -1;
	p->len += (size_t)k;
	p->buf[p->len] = '\0';
	if (strstr(p->buf, "ready\n"))
		return 1;
	if (p->len == sizeof(p->buf) - 1)
		p->len = 0; /* too much chatter: keep reading for the end */
	return 0;
}

int nsli_sup_settle(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	_cleanup_free_ struct pollfd *pfd = calloc(R->n_pend + 1, sizeof(*pfd));
	size_t left = R->n_pend;
	int r = 0;

	if (!pfd)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	r = launch_all(R, t, err);
	while (left && r == 0) {
		size_t k = 0;
		int n;

		for (size_t i = 0; i < R->n_pend; i++)
			if (R->pend[i].fd >= 0)
				pfd[k++] = (struct pollfd){ .fd = R->pend[i].fd, .events = POLLIN };
		n = poll(pfd, k, 30000);
		if (n == 0) {
			for (size_t i = 0; i < R->n_pend && r == 0; i++)
				if (R->pend[i].fd >= 0)
					r = settle_fail(R, t, &R->pend[i], err);
			break;
		}
		for (size_t i = 0, j = 0; i < R->n_pend && r == 0; i++) {
			struct sup_pending *p = &R->pend[i];
			int s;

			if (p->fd < 0 || pfd[j++].revents == 0)
				continue;
			s = settle_read(p);
			if (s == 0)
				continue;
			close(p->fd);
			p->fd = -1;
			left--;
			if (s < 0)
				r = settle_fail(R, t, p, err);
		}
	}
	nsli_sup_pending_free(R);
	return r;
}

void nsli_sup_pending_free(struct run *R)
{
	for (size_t i = 0; i < R->n_pend; i++) {
		struct sup_pending *p = &R->pend[i];

		if (p->fd >= 0)
			close(p->fd);
	}
	free(R->pend);
	R->pend = NULL;
	R->n_pend = R->cap_pend = 0;
}

/* ---- what the supervisor reports ---- */

/* The PID in our namespace of the child of @sup whose PID inside is @inner (0: not found). */
static pid_t host_pid(pid_t inner, const pid_t *kids, size_t n_kids)
{
	for (size_t i = 0; i < n_kids; i++) {
		char path[64], line[256];
		_cleanup_fclose_ FILE *f = NULL;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)kids[i]);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "NSpid:", 6)) {
				char *last = strrchr(line, '\t');

				if (last && strtol(last + 1, NULL, 10) == inner)
					return kids[i];
				break;
			}
	}
	return 0;
}

static size_t children_of(pid_t pid, pid_t *v, size_t max)
{
	char path[64];
	_cleanup_fclose_ FILE *f = NULL;
	size_t n = 0;
	int c;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	while (f && n < max && fscanf(f, "%d", &c) == 1)
		v[n++] = c;
	return n;
}

static int parse_status(char *text, pid_t sup, struct nsl_topo_proc_state **ret, size_t *ret_n)
{
	struct nsl_topo_proc_state *v = NULL;
	size_t n = 0, cap = 0, n_kids;
	pid_t kids[256];
	char *save = NULL, *line = strtok_r(text, "\n", &save);

	if (!line || strcmp(line, SUP_STATUS_MAGIC))
		return -EBADMSG;
	n_kids = children_of(sup, kids, ELEMENTSOF(kids));
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct nsl_topo_proc_state *s;
		int pid = 0;

		if (!GREEDY_REALLOC(v, cap, n + 1)) {
			free(v);
			return -ENOMEM;
		}
		s = &v[n];
		memset(s, 0, sizeof(*s));
		if (sscanf(line, "%71[^\t]\t%15[^\t]\t%d\t%lld\t%u\t%15s", s->name, s->state, &pid, &s->since,
			   &s->restarts, s->last) != 6)
			continue;
		s->node_pid = pid;
		s->pid = pid ? (sup == 0 ? pid : host_pid(pid, kids, n_kids)) : 0;
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int nsli_sup_status(int dirfd, const char *node, const struct nsl_proc_ref *sup, struct nsl_topo_proc_state **ret,
		    size_t *ret_n)
{
	_cleanup_close_ int dir = -1;
	_cleanup_free_ char *text = NULL;
	char sub[PATH_MAX];
	size_t len = 0;
	int r;

	snprintf(sub, sizeof(sub), "sup/%s", node);
	dir = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return negerrno();
	r = nsli_state_read(dir, "status", &text, &len);
	if (r < 0)
		return r;
	return parse_status(text, sup->pid, ret, ret_n);
}

static bool unhealthy(const struct nsl_topo_proc_state *p)
{
	return STREQ(p->state, "failed") || (STREQ(p->state, "exited") && !STREQ(p->last, "0"));
}

bool nsli_sup_healthy(const struct nsl_topo_proc_state *v, size_t n, char *why, size_t size)
{
	for (size_t i = 0; i < n; i++)
		if (unhealthy(&v[i])) {
			snprintf(why, size, "process %s %s (%s)", v[i].name, v[i].state, v[i].last);
			return false;
		}
	return true;
}

/* ---- repair in place ---- */

#define REPAIR_WAIT_MS 10000

/* Whether every process of @before that was unhealthy has been started again since (its
 * restart count grew); @name of the first that was not, when not. */
static bool repaired(const struct nsl_topo_proc_state *before, size_t n_before, const struct nsl_topo_proc_state *now,
		     size_t n_now, const char **name)
{
	for (size_t i = 0; i < n_before; i++) {
		if (!unhealthy(&before[i]))
			continue;
		*name = before[i].name;
		if (i >= n_now || !STREQ(now[i].name, before[i].name) || now[i].restarts <= before[i].restarts)
			return false;
	}
	return true;
}

/* Ask node @node's supervisor, which lives on, to start its failed processes again, and wait
 * until it has: its other processes and the node's exec commands are left as they are. */
int nsli_sup_repair(struct run *R, const struct nsl_topo *t, int node, struct nsl_err *err)
{
	const char *name = t->nodes[node].name, *which = "?";
	_cleanup_free_ struct nsl_topo_proc_state *before = NULL;
	_cleanup_close_ int pidfd = -1;
	struct nsl_proc_ref ref;
	struct jstate js;
	size_t n_before = 0;
	int r;

	r = nsli_journal_read(R->dirfd, R->lab, &js);
	if (r == 0) {
		r = nsli_sup_find(&js, name, &ref);
		nsli_jstate_free(&js);
	}
	if (r == 0)
		r = nsli_sup_status(R->dirfd, name, &ref, &before, &n_before);
	if (r == 0)
		r = nsl_launch_pidfd(&ref, &pidfd);
	if (r == 0 && pidfd_send_signal(pidfd, SUP_SIG_REPAIR, NULL, 0) < 0)
		r = negerrno();
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, name, "node '%s': its supervisor: %s", name, strerror(-r));
	for (unsigned waited = 0; waited < REPAIR_WAIT_MS; waited += 20) {
		_cleanup_free_ struct nsl_topo_proc_state *now = NULL;
		size_t n_now = 0;

		if (nsli_sup_status(R->dirfd, name, &ref, &now, &n_now) == 0 &&
		    repaired(before, n_before, now, n_now, &which))
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
	return nsl_err_set(err, NSL_E_SYSTEM, -ETIMEDOUT, name, "node '%s': process %s not started again within %u s",
			   name, which, REPAIR_WAIT_MS / 1000);
}
