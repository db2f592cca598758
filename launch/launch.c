// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The launcher's parent side: validate, prepare everything the children need (they must
 * not allocate), fork the helper (child.c), write the id maps, bind persisted namespaces,
 * and learn from a pipe that execve() happened or why it did not.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

#include "core.h"
#include "nslab/launch.h"
#include "base.h"
#include "launch-internal.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

_public_ void nsl_launch_init(struct nsl_launch *l, char *const *argv)
{
	*l = (struct nsl_launch){
		.argv = argv,
		.map_uid = -1,
		.map_gid = -1,
		.output_fd = -1,
		.propagation = NSL_PROP_PRIVATE,
	};
}

/* The namespaces to create, with what the options imply (as unshare: a map implies a user
 * namespace, --mount-proc and a rootfs a mount namespace). */
static unsigned effective_ns(const struct nsl_launch *l)
{
	unsigned ns = l->new_ns;

	if (l->map_uid >= 0 || l->map_gid >= 0 || l->n_uid_map || l->n_gid_map)
		ns |= NSL_NS_USER;
	if (l->mount_proc || l->rootfs)
		ns |= NSL_NS_MNT;
	return ns;
}


static int check_dir(const char *path, const char *what, struct nsl_err *err)
{
	struct stat st;

	if (!*path)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, path, "empty %s", what);
	if (stat(path, &st) < 0)
		return nsl_err_set(err, NSL_E_USAGE, negerrno(), path, "%s: %s", what, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return nsl_err_set(err, NSL_E_USAGE, -ENOTDIR, path, "%s is not a directory", what);
	return 0;
}

static int check_maps(const struct nsl_launch *l, struct nsl_err *err)
{
	char buf[4096];

	if (nsli_launch_idmap_format(l->uid_map, l->n_uid_map, l->map_uid, (uint32_t)geteuid(), buf,
				sizeof(buf)) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "uid maps overlap or are too many");
	if (nsli_launch_idmap_format(l->gid_map, l->n_gid_map, l->map_gid, (uint32_t)getegid(), buf,
				sizeof(buf)) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "gid maps overlap or are too many");
	if (l->map_uid > UINT32_MAX - 1 || l->map_gid > UINT32_MAX - 1)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "id out of range");
	return 0;
}

/*
 * A bind mount onto a file that is already a mount point (a named netns, an earlier
 * --persist) stacks on it and hides it: the old namespace is no longer reachable by that
 * name, and `netns del` of it then fails with EBUSY.
 */
static int check_persist_target(const char *path, struct nsl_err *err)
{
	struct statx stx;
	struct statfs sfs;

	if (statfs(path, &sfs) == 0 && sfs.f_type == (typeof(sfs.f_type))NSFS_MAGIC)
		return nsl_err_set(err, NSL_E_CONFLICT, -EBUSY, path,
				   "already holds a namespace (a named netns or an earlier --persist)");
	/* STATX_ATTR_MOUNT_ROOT is Linux 5.8; an older kernel leaves the bit unset in the mask. */
	if (statx(AT_FDCWD, path, 0, 0, &stx) == 0 && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return nsl_err_set(err, NSL_E_CONFLICT, -EBUSY, path, "is a mount point already");
	return 0;
}

static int check_persist(const struct nsl_launch *l, unsigned ns, struct nsl_err *err)
{
	for (unsigned i = 0; i < l->n_persist; i++) {
		const struct nsl_persist *p = &l->persist[i];
		struct stat st;
		int r;

		if (!nsli_launch_ns_name(p->type))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, p->path, "bad namespace type");
		if (!(ns & p->type))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, p->path,
					   "persisting a %s namespace needs a new one", nsli_launch_ns_name(p->type));
		if (!p->path || stat(p->path, &st) < 0)
			return nsl_err_set(err, NSL_E_USAGE, -ENOENT, p->path,
					   "the file to persist a namespace on must exist");
		r = check_persist_target(p->path, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_combinations(const struct nsl_launch *l, unsigned ns, struct nsl_err *err)
{
	if (l->netns && (ns & NSL_NS_NET))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, l->netns,
				   "a new netns and a named one exclude each other");
	if (l->netns && l->join_pid)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, l->netns,
				   "a named netns and a target process exclude each other");
	if (l->join_ns && l->join_pid <= 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "namespaces to join need a PID");
	if (l->hostname && !(ns & NSL_NS_UTS))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, l->hostname,
				   "a hostname needs a new UTS namespace");
	if (l->hostname && (!*l->hostname || strlen(l->hostname) > 64))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, l->hostname,
				   "a hostname has 1 to 64 bytes");
	if ((l->monotonic || l->boottime) && !(ns & NSL_NS_TIME))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL,
				   "clock offsets need a new time namespace");
	if (l->init && !(ns & NSL_NS_PID))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "an init needs a new PID namespace");
	if (l->detach && l->kill_child)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL,
				   "a detached process cannot die with its parent");
	if ((unsigned)l->propagation > NSL_PROP_UNCHANGED)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "bad propagation");
	return 0;
}

/*
 * The kernel takes a time namespace offset only when the clock plus the offset stays within
 * 0..KTIME_SEC_MAX/2 seconds (kernel/time/namespace.c, proc_timens_set_offset): ERANGE
 * otherwise, after the child is made. Checked here first, against the clock now.
 */
#define TIMENS_SEC_MAX 4611686018LL /* KTIME_SEC_MAX / 2 */

static int check_offset(clockid_t clock, int64_t off, const char *what, struct nsl_err *err)
{
	struct timespec now;

	if (!off || clock_gettime(clock, &now) < 0)
		return 0;
	if (off < -(int64_t)now.tv_sec || off > TIMENS_SEC_MAX - (int64_t)now.tv_sec)
		return nsl_err_set(err, NSL_E_USAGE, -ERANGE, NULL,
				   "%s offset %" PRId64 " out of range (the clock would leave 0 to %lld s)",
				   what, off, TIMENS_SEC_MAX);
	return 0;
}

_public_ int nsl_launch_check(const struct nsl_launch *l, struct nsl_err *err)
{
	unsigned ns = effective_ns(l);
	int r;

	if (!l->argv || !l->argv[0] || !*l->argv[0])
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "no command given");
	r = check_combinations(l, ns, err);
	if (r < 0)
		return r;
	r = check_maps(l, err);
	if (r < 0)
		return r;
	r = check_offset(CLOCK_MONOTONIC, l->monotonic, "monotonic", err);
	if (r < 0)
		return r;
	r = check_offset(CLOCK_BOOTTIME, l->boottime, "boottime", err);
	if (r < 0)
		return r;
	if (l->rootfs && (r = check_dir(l->rootfs, "rootfs", err)) < 0)
		return r;
	if (l->wd && !l->rootfs && (r = check_dir(l->wd, "working directory", err)) < 0)
		return r;
	return check_persist(l, ns, err);
}

/* ---- preparing the plan ---- */

static void plan_release(struct launch_plan *p)
{
	int *fds[] = { &p->netfd, &p->etcfd, &p->join_pidfd, &p->devnull };

	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	for (size_t i = 0; i < ELEMENTSOF(p->join_fds); i++)
		if (p->join_fds[i] >= 0) {
			close(p->join_fds[i]);
			p->join_fds[i] = -1;
		}
}

/* ETC_DIR/NAME and its entries; a missing or unreadable directory means no overlay (ip
 * silently skips names of NAME_MAX or more, and only warns about the rest). */
static void plan_etc(struct nsl_ctx *ctx, struct launch_plan *p, const char *name)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (strchr(name, '/') || strlen(name) >= NAME_MAX)
		return;
	dfd = open(nsl_ctx_get_dir(ctx, NSL_DIR_ETC), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	p->etcfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p->etcfd < 0)
		return;
	fd = fcntl(p->etcfd, F_DUPFD_CLOEXEC, 3);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) && p->n_etc < LAUNCH_MAX_ETC) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		snprintf(p->etc_entries[p->n_etc++], sizeof(p->etc_entries[0]), "%s", de->d_name);
	}
}

static bool same_ns(pid_t pid, const char *type)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	if (stat(path, &a) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int plan_join(struct launch_plan *p, pid_t pid, unsigned nsli_want, struct nsl_err *err)
{
	unsigned ns = 0;

	p->join_pidfd = pidfd_open(pid, 0);
	if (p->join_pidfd < 0) {
		if (errno == ESRCH)
			return nsl_err_set(err, NSL_E_USAGE, -ESRCH, NULL, "process %d does not exist",
					   (int)pid);
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "pidfd_open(%d): %s",
				   (int)pid, strerror(errno));
	}
	if (p->l->join_starttime && nsli_launch_pidfd_check(p->join_pidfd, pid, p->l->join_starttime) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -ESRCH, NULL, "process %d is no longer running",
				   (int)pid);
	/* --all: what differs from ours. Our own user namespace cannot be "entered" (EINVAL). */
	for (unsigned bit = 1; bit < NSL_NS_ALL; bit <<= 1)
		if ((nsli_want & bit) && !(bit == NSL_NS_USER && same_ns(pid, "user")) &&
		    !(nsli_want == NSL_NS_ALL && same_ns(pid, nsli_launch_ns_name(bit))))
			ns |= bit;
	for (unsigned i = 0; i < ELEMENTSOF(nsli_launch_join_order); i++) {
		char path[64];

		if (!(ns & nsli_launch_join_order[i]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 nsli_launch_ns_name(nsli_launch_join_order[i]));
		p->join_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* The /proc reads above were about the process the pidfd holds only if it still lives. */
	if (pidfd_send_signal(p->join_pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
		return nsl_err_set(err, NSL_E_USAGE, -ESRCH, NULL, "process %d does not exist", (int)pid);
	p->join_user = ns & NSL_NS_USER;
	p->join_flags = nsli_launch_ns_to_clone(ns);
	return 0;
}

static int plan_prepare(struct nsl_ctx *ctx, const struct nsl_launch *l, struct launch_plan *p,
			struct nsl_err *err)
{
	unsigned ns = effective_ns(l);
	size_t off = 0;
	int r;

	p->l = l;
	p->netfd = p->etcfd = p->join_pidfd = p->devnull = -1;
	for (size_t i = 0; i < ELEMENTSOF(p->join_fds); i++)
		p->join_fds[i] = -1;
	p->clone_flags = nsli_launch_ns_to_clone(ns & ~NSL_NS_TIME);
	p->new_time = ns & NSL_NS_TIME;
	/* Boottime first, then monotonic, as util-linux writes them. */
	if (l->boottime)
		off += (size_t)snprintf(p->timens, sizeof(p->timens), "%d %" PRId64 " 0\n",
					CLOCK_BOOTTIME, l->boottime);
	if (l->monotonic)
		snprintf(p->timens + off, sizeof(p->timens) - off, "%d %" PRId64 " 0\n",
			 CLOCK_MONOTONIC, l->monotonic);
	if (l->netns) {
		r = nsli_ns_open(ctx, l->netns, &p->netfd, err);
		if (r < 0)
			return r;
		p->netns_name = l->netns;
		plan_etc(ctx, p, l->netns);
	}
	if (l->join_pid) {
		r = plan_join(p, l->join_pid, l->join_ns ? l->join_ns : NSL_NS_ALL, err);
		if (r < 0)
			return r;
	}
	if (l->detach || l->output_fd >= 0) {
		p->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (p->devnull < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), "/dev/null", NULL);
	}
	return 0;
}

/* ---- talking to the children ---- */

/* Return: 1 with a message, 0 at EOF (every write end closed: exec'd or gone). */
static int read_msg(int fd, struct launch_msg *m)
{
	ssize_t n;

	do
		n = read(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*m)) {
		m->what[sizeof(m->what) - 1] = '\0';
		return 1;
	}
	return 0;
}

static int send_go(int fd)
{
	return write(fd, "g", 1) == 1 ? 0 : negerrno();
}

static int msg_error(const struct launch_msg *m, struct nsl_err *err)
{
	if (m->type == MSG_ERR)
		return nsl_err_set(err, NSL_E_SYSTEM, -m->err, NULL, "%s: %s", m->what,
				   strerror(m->err));
	return nsl_err_set(err, NSL_E_SYSTEM, -EPROTO, NULL, "the launcher's child ended early");
}

static int write_proc(pid_t pid, const char *file, const char *text, struct nsl_err *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "writing %s: %s", file,
				   strerror(errno));
	return 0;
}

/* setgroups "deny" before a single-id gid_map (an unprivileged writer must; util-linux does it
 * for --map-group and --map-root too), then gid_map, then uid_map. */
static int write_maps(const struct nsl_launch *l, pid_t pid, struct nsl_err *err)
{
	char buf[4096];
	int r = 0;

	if (l->map_gid >= 0)
		r = write_proc(pid, "setgroups", "deny", err);
	if (r == 0 && (l->n_gid_map || l->map_gid >= 0)) {
		nsli_launch_idmap_format(l->gid_map, l->n_gid_map, l->map_gid, (uint32_t)getegid(), buf,
				    sizeof(buf));
		r = write_proc(pid, "gid_map", buf, err);
	}
	if (r == 0 && (l->n_uid_map || l->map_uid >= 0)) {
		nsli_launch_idmap_format(l->uid_map, l->n_uid_map, l->map_uid, (uint32_t)geteuid(), buf,
				    sizeof(buf));
		r = write_proc(pid, "uid_map", buf, err);
	}
	return r;
}

static int persist(const struct nsl_launch *l, pid_t pid, unsigned *ret_done, struct nsl_err *err)
{
	static const char *const files[] = { "mnt", "uts", "ipc", "net", "pid", "user", "cgroup", "time" };

	for (unsigned i = 0; i < l->n_persist; i++) {
		char src[64];

		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid,
			 files[__builtin_ctz(l->persist[i].type)]);
		if (mount(src, l->persist[i].path, NULL, MS_BIND, NULL) < 0) {
			*ret_done = i;
			/* A mount namespace file on a shared mount loops: util-linux #289. */
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), l->persist[i].path,
					   "bind mount of the namespace: %s", strerror(errno));
		}
	}
	*ret_done = l->n_persist;
	return 0;
}

static void unpersist(const struct nsl_launch *l, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		umount2(l->persist[i].path, MNT_DETACH);
}

/* Kill the command after a failed setup; reap it when it is ours. */
static void abort_child(const struct nsl_launch *l, pid_t pid, int pidfd)
{
	siginfo_t si;

	if (pidfd < 0)
		return;
	pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	if (!l->detach)
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
	(void)pid;
}

/* The helper: fork it, get the command's PID from it, reap it. */
static int start_helper(struct launch_plan *p, int rep_r, int go_w, pid_t *ret, struct nsl_err *err)
{
	struct launch_msg m;
	pid_t helper;
	int got;

	helper = fork();
	if (helper < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "fork: %s", strerror(errno));
	if (helper == 0) {
		close(rep_r);
		close(go_w);
		nsli_launch_helper(p);
	}
	got = read_msg(rep_r, &m);
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (!got || m.type != MSG_PID)
		return got ? msg_error(&m, err) : msg_error(&(struct launch_msg){ 0 }, err);
	*ret = m.pid;
	return 0;
}

/* What the quick launch allows: nothing for the parent to do between clone and exec, no
 * init (it never execs), and no user or time namespace: the kernel lets only a process that
 * shares its memory with none join or create those (current_is_single_threaded()). */
#if defined(__SANITIZE_ADDRESS__)
#define LAUNCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAUNCH_ASAN 1
#endif
#endif

static bool quick_ok(const struct nsl_launch *l)
{
#ifdef LAUNCH_ASAN
	/* ASan keeps one stack per thread; children running on stacks of their own in our
	 * memory, with our thread's state, make it warn on stderr at each _exit and execve
	 * (google/sanitizers#189). A sanitizer build takes the ordinary launch. */
	return false;
#endif
	return !(effective_ns(l) & (NSL_NS_USER | NSL_NS_TIME)) && !l->n_persist && !l->init && !l->rootfs &&
	       !l->join_pid;
}

/* One message of the quick launch, and the fd it carries (MSG_PID: the command's pidfd). */
static int quick_recv(int fd, struct launch_msg *m, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(c), sizeof(got));
			if (*ret_fd >= 0)
				close(*ret_fd);
			*ret_fd = got;
		}
	if (n != (ssize_t)sizeof(*m))
		return 0;
	m->what[sizeof(m->what) - 1] = '\0';
	return 1;
}

#define QUICK_STACK (256 * 1024)

/*
 * Clone the quick helper (child.c) on a stack of its own, in our memory; we wait until it
 * exits, by when the command has exec'd (or failed). Every signal stays blocked meanwhile.
 * 1: the kernel or a tool refused the clone (EINVAL/ENOSYS), use the ordinary launch.
 */
static int quick_clone(struct launch_plan *p, struct nsl_err *err)
{
	char *st = mmap(NULL, 2 * QUICK_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	sigset_t all;
	pid_t pid;
	int e;

	if (st == MAP_FAILED)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "mmap: %m");
	/* A guard page under each stack. */
	mprotect(st, 4096, PROT_NONE);
	mprotect(st + QUICK_STACK, 4096, PROT_NONE);
	p->stack_cmd = st + 2 * QUICK_STACK;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &p->sigmask);
	pid = clone(nsli_launch_quick_helper, st + QUICK_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, p);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &p->sigmask, NULL);
	if (pid > 0)
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
	munmap(st, 2 * QUICK_STACK);
	if (pid < 0 && (e == EINVAL || e == ENOSYS))
		return 1;
	if (pid < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -e, NULL, "clone: %s", strerror(e));
	return 0;
}

/*
 * The quick launch: the whole of it happens inside quick_clone(); what is left is to read
 * what the children said (every writer is gone or exec'd by the end of the stream).
 * 1: not possible here, use the ordinary launch.
 */
static int quick_run(struct launch_plan *p, struct nsl_launch_proc *ret, struct nsl_err *err)
{
	_cleanup_close_ int rep_r = -1, pidfd = -1;
	struct launch_msg m, bad = { 0 };
	int sv[2], r;
	pid_t pid = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "socketpair: %m");
	rep_r = sv[0];
	p->rep_w = sv[1];
	p->go_r = -1;
	p->quick = true;
	r = quick_clone(p, err);
	close(TAKE_FD(p->rep_w));
	p->quick = false;
	if (r != 0)
		return r;
	while (quick_recv(rep_r, &m, &pidfd))
		if (m.type == MSG_PID)
			pid = m.pid;
		else if (bad.type != MSG_ERR)
			bad = m; /* the first failed step, or the failed exec */
	if (bad.type && pidfd >= 0 && !p->l->detach) {
		siginfo_t si;

		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
	}
	if (bad.type == MSG_EXEC) {
		ret->exec_errno = bad.err;
		return nsl_err_set(err, NSL_E_SYSTEM, -bad.err, p->l->argv[0], "cannot execute: %s", strerror(bad.err));
	}
	if (bad.type || pid <= 0 || pidfd < 0)
		return msg_error(&bad, err);
	ret->pid = pid;
	ret->pidfd = p->l->detach ? -1 : TAKE_FD(pidfd);
	return 0;
}

/* Maps, "go", wait for READY, persist, "go", wait for the exec (EOF). */
static int drive_child(const struct nsl_launch *l, pid_t pid, int rep_r, int go_w,
		       struct launch_msg *m, struct nsl_err *err)
{
	unsigned done = 0;
	int r;

	r = write_maps(l, pid, err);
	if (r < 0)
		return r;
	if (send_go(go_w) < 0 || !read_msg(rep_r, m) || m->type != MSG_READY)
		return msg_error(m, err);
	r = persist(l, pid, &done, err);
	if (r < 0) {
		unpersist(l, done);
		return r;
	}
	if (send_go(go_w) < 0) {
		unpersist(l, done);
		return msg_error(m, err);
	}
	m->type = 0;
	if (read_msg(rep_r, m)) {
		if (m->type != MSG_EXEC)
			unpersist(l, done);
		return m->type == MSG_EXEC ? -m->err : msg_error(m, err);
	}
	return 0;
}

int nsli_launch_run_base(struct nsl_ctx *ctx, const struct nsl_launch *l, int base_mnt,
			 struct nsl_launch_proc *ret, struct nsl_err *err)
{
	struct launch_plan p = { 0 };
	struct launch_msg m = { 0 };
	int rep[2] = { -1, -1 }, go[2] = { -1, -1 };
	pid_t pid = 0;
	int pidfd = -1, r;

	ret->exec_errno = 0;
	r = nsl_launch_check(l, err);
	if (r < 0)
		return r;
	r = plan_prepare(ctx, l, &p, err);
	if (r < 0)
		goto out;
	p.base_mnt = base_mnt;
	if (quick_ok(l)) {
		r = quick_run(&p, ret, err);
		if (r <= 0) {
			plan_release(&p);
			return r;
		}
	}
	if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		r = nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "pipe: %s", strerror(errno));
		goto out;
	}
	p.go_r = go[0];
	p.rep_w = rep[1];
	r = start_helper(&p, rep[0], go[1], &pid, err);
	close(TAKE_FD(rep[1]));
	close(TAKE_FD(go[0]));
	if (r < 0)
		goto out;
	/* Ours (not detached) or blocked on the pipe (detached): the PID cannot be recycled. */
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		r = nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "pidfd_open: %s", strerror(errno));
		goto out;
	}
	r = drive_child(l, pid, rep[0], go[1], &m, err);
	if (r < 0 && m.type == MSG_EXEC) {
		ret->exec_errno = m.err;
		r = nsl_err_set(err, NSL_E_SYSTEM, r, l->argv[0], "cannot execute: %s", strerror(-r));
		if (!l->detach) {
			siginfo_t si;

			while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
				;
		}
	} else if (r < 0) {
		abort_child(l, pid, pidfd);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (rep[i] >= 0)
			close(rep[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	plan_release(&p);
	if (r < 0 || l->detach) {
		if (pidfd >= 0)
			close(pidfd);
		pidfd = -1;
	}
	if (r < 0)
		return r;
	ret->pid = pid;
	ret->pidfd = pidfd;
	return 0;
}

_public_ int nsl_launch_run(struct nsl_ctx *ctx, const struct nsl_launch *l,
			    struct nsl_launch_proc *ret, struct nsl_err *err)
{
	return nsli_launch_run_base(ctx, l, -1, ret, err);
}

/* ---- waiting and stopping ---- */

static int status_of(const siginfo_t *si)
{
	return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

/* Wait for @pidfd to become readable, forwarding the signals of @sfd meanwhile. */
static int poll_forward(int pidfd, int sfd)
{
	for (;;) {
		struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		struct signalfd_siginfo ssi;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return negerrno();
		}
		if (pfd[0].revents)
			return 0;
		while (read(sfd, &ssi, sizeof(ssi)) == (ssize_t)sizeof(ssi))
			pidfd_send_signal(pidfd, (int)ssi.ssi_signo, NULL, 0);
	}
}

_public_ int nsl_launch_wait(struct nsl_launch_proc *p, unsigned flags, int *ret_status,
			     struct nsl_err *err)
{
	sigset_t set, old;
	siginfo_t si = { 0 };
	int sfd = -1, r = 0;

	if (p->pidfd < 0)
		return nsl_err_set(err, NSL_E_USAGE, -EBADF, NULL, "not a process that can be waited for");
	if (flags & NSL_WAIT_FORWARD) {
		sigemptyset(&set);
		for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
			sigaddset(&set, forwarded[i]);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sfd >= 0)
			r = poll_forward(p->pidfd, sfd);
	}
	while (r == 0 && waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &si, WEXITED) < 0)
		if (errno != EINTR)
			r = negerrno();
	if (flags & NSL_WAIT_FORWARD) {
		if (sfd >= 0)
			close(sfd);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	close(p->pidfd);
	p->pidfd = -1;
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "waiting for %d: %s", (int)p->pid,
				   strerror(-r));
	*ret_status = status_of(&si);
	return 0;
}

_public_ int nsl_launch_exec(struct nsl_ctx *ctx, const struct nsl_launch *l, int *ret_status,
			     struct nsl_err *err)
{
	struct nsl_launch_proc p;
	int r;

	if (l->detach)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "cannot wait for a detached process");
	r = nsl_launch_run(ctx, l, &p, err);
	if (r < 0) {
		if (p.exec_errno)
			*ret_status = p.exec_errno == ENOENT ? 127 : 126;
		return r;
	}
	return nsl_launch_wait(&p, NSL_WAIT_FORWARD, ret_status, err);
}

_public_ int nsl_launch_enter(struct nsl_ctx *ctx, pid_t pid, unsigned ns, char *const *argv,
			      int *ret_status, struct nsl_err *err)
{
	struct nsl_launch l;

	nsl_launch_init(&l, argv);
	if (pid <= 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "bad PID %d", (int)pid);
	l.join_pid = pid;
	l.join_ns = ns ? ns : NSL_NS_ALL;
	return nsl_launch_exec(ctx, &l, ret_status, err);
}

_public_ int nsl_launch_netns_exec(struct nsl_ctx *ctx, const char *name, char *const *argv,
				   int *ret_status, struct nsl_err *err)
{
	struct nsl_launch l;

	nsl_launch_init(&l, argv);
	l.netns = name;
	return nsl_launch_exec(ctx, &l, ret_status, err);
}

_public_ int nsl_launch_starttime(pid_t pid, unsigned long long *ret, struct nsl_err *err)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	unsigned long long v;
	const char *s;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return nsl_err_set(err, NSL_E_USAGE, -ESRCH, NULL, "process %d does not exist", (int)pid);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields count from the last ')'. Field 22 is the
	 * 20th after it. */
	s = strrchr(buf, ')');
	for (int i = 0; s && i < 20; i++)
		s = strchr(s + 1, ' ');
	if (!s || sscanf(s + 1, "%llu", &v) != 1)
		return nsl_err_set(err, NSL_E_SYSTEM, -EIO, path, "cannot parse");
	*ret = v;
	return 0;
}

/*
 * True when @pid is the init of a PID namespace that does not catch SIGTERM: the kernel drops
 * that signal (only SIGKILL and SIGSTOP reach such an init from outside), so waiting after a
 * SIGTERM would only waste the timeout.
 */
static bool ignores_sigterm(pid_t pid)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long cgt = 0;
	bool init = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6) == 0) {
			const char *last = strrchr(line, '\t');

			init = last && strtol(last + 1, NULL, 10) == 1 && last != strchr(line, '\t');
		} else if (strncmp(line, "SigCgt:", 7) == 0) {
			cgt |= strtoull(line + 7, NULL, 16);
		} else if (strncmp(line, "SigBlk:", 7) == 0) {
			/* A blocked signal is queued, not dropped (the --init loop takes it so). */
			cgt |= strtoull(line + 7, NULL, 16);
		}
	}
	return init && !(cgt & (1ULL << (SIGTERM - 1)));
}

/* Return: 1 when @pidfd's process ended within @ms. */
static int wait_gone(int pidfd, int ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

_public_ int nsl_launch_stop(pid_t pid, unsigned long long starttime, unsigned timeout_ms,
			     struct nsl_err *err)
{
	_cleanup_close_ int pidfd = -1;
	unsigned long long st;
	siginfo_t si;

	if (pid <= 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "bad PID %d", (int)pid);
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? 0 : nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL,
							"pidfd_open(%d): %s", (int)pid, strerror(errno));
	if (starttime && (nsl_launch_starttime(pid, &st, NULL) < 0 || st != starttime))
		return 0;
	/* A zombie (not reaped yet by its parent) counts as gone: its pidfd is readable. */
	if (wait_gone(pidfd, 0))
		return 0;
	if (pidfd_send_signal(pidfd, ignores_sigterm(pid) ? SIGKILL : SIGTERM, NULL, 0) < 0) {
		if (errno == ESRCH)
			return 0;
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "kill %d: %s", (int)pid,
				   strerror(errno));
	}
	if (!wait_gone(pidfd, (int)timeout_ms)) {
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		if (!wait_gone(pidfd, 10000))
			return nsl_err_set(err, NSL_E_SYSTEM, -ETIMEDOUT, NULL,
					   "process %d survived SIGKILL", (int)pid);
	}
	/* Reap it when it is our child; ECHILD otherwise, which is fine. */
	waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG);
	return 1;
}
