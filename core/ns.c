// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The only file that calls setns(). A network namespace belongs to the thread, and a socket
 * stays bound to the netns it was created in, so every excursion here is "enter, open,
 * return at once" (iproute2 netns_save/netns_restore; CNI pkg/ns).
 */
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/vfs.h>

#include "core.h"
#include "ctx-internal.h"
#include "nslab/parse.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

const char *nsli_ns_path(const struct nsl_ctx *ctx, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", ctx->dirs[NSL_DIR_RUN], name);

	return n < 0 || (size_t)n >= size ? NULL : buf;
}

static int check_nsfs(int fd, const char *what, struct nsl_err *err)
{
	struct statfs sfs;
	int type;

	if (fstatfs(fd, &sfs) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), what, NULL);
	if (sfs.f_type != (typeof(sfs.f_type))NSFS_MAGIC)
		return nsl_err_set(err, NSL_E_SYSTEM, -EINVAL, what,
				   "not a namespace (a stale file left by a failed mount?)");
	/* /proc/self/ns/mnt is nsfs too; only setns() would tell, after the fact (EINVAL).
	 * NS_GET_NSTYPE is Linux 4.11: without it, setns() still refuses. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, what, "not a network namespace");
	return 0;
}

/* "pid:N": the netns of process N. Return: 0 with /proc/N/ns/net in @path, or -EINVAL. */
static int pid_path(const char *spec, char *path, size_t size, struct nsl_err *err)
{
	uint32_t pid;
	int r;

	r = nsl_parse_u32(spec + 4, 1, 4194304 /* PID_MAX_LIMIT */, "PID", &pid, err);
	if (r < 0)
		return r;
	snprintf(path, size, "/proc/%u/ns/net", pid);
	return 0;
}

int nsli_ns_open(struct nsl_ctx *ctx, const char *spec, int *ret_fd, struct nsl_err *err)
{
	char path[4096];
	int fd, r;

	if (!spec)
		spec = ctx->netns;
	if (!spec) {
		fd = fcntl(ctx->home_fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, NULL);
		*ret_fd = fd;
		return 0;
	}
	/* A netns we already hold a session in: no path walk, no check, just a dup. */
	fd = nsli_nl_cached_nsfd(ctx, spec);
	if (fd >= 0) {
		fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), spec, NULL);
		*ret_fd = fd;
		return 0;
	}
	/* A name is a name, digits or not: a process's netns is asked for as pid:N. */
	if (!*spec)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, spec, "empty netns name");
	if (strchr(spec, '/')) {
		snprintf(path, sizeof(path), "%s", spec);
	} else if (strncmp(spec, "pid:", 4) == 0) {
		r = pid_path(spec, path, sizeof(path), err);
		if (r < 0)
			return r;
	} else if (STREQ(spec, ".") || STREQ(spec, "..") || !nsli_ns_path(ctx, spec, path, sizeof(path))) {
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, spec, "invalid netns name");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && strncmp(spec, "pid:", 4) == 0)
		return nsl_err_set(err, NSL_E_USAGE, -ESRCH, spec, "no process %s", spec + 4);
	if (fd < 0) {
		r = negerrno();
		if (r == -ENOENT)
			return nsl_err_set(err, NSL_E_USAGE, r, spec, "netns '%s' does not exist", spec);
		return nsl_err_set(err, NSL_E_SYSTEM, r, spec, "cannot open netns: %s", strerror(-r));
	}
	r = check_nsfs(fd, spec, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int nsli_ns_call_in(struct nsl_ctx *ctx, int nsfd, int (*fn)(void *), void *data)
{
	int r;

	if (ctx->broken)
		return -ENOTRECOVERABLE;
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return negerrno();
	r = fn(data);
	if (setns(ctx->home_fd, CLONE_NEWNET) < 0) {
		/* We can no longer tell which netns later calls would act on. */
		ctx->broken = true;
		return -ENOTRECOVERABLE;
	}
	return r;
}

struct bind_args {
	const char *path;
};

static int bind_self_net(void *data)
{
	struct bind_args *a = data;

	if (mount("/proc/self/ns/net", a->path, "none", MS_BIND, NULL) < 0)
		return negerrno();
	return 0;
}


static int proc_dirfd(struct nsl_ctx *ctx);

/* Write @kv in the calling thread's netns; a key the kernel lacks is skipped. */
static int sysctls_here(struct nsl_ctx *ctx, const struct nsl_sysctl_kv *kv, size_t n, struct nsl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int dfd = proc_dirfd(ctx), fd, r;
		char path[256];
		ssize_t w;

		snprintf(path, sizeof(path), "%s%s", dfd == AT_FDCWD ? "/proc/sys/" : "sys/", kv[i].path);
		fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), kv[i].path, "cannot open: %s", strerror(errno));
		w = write(fd, kv[i].value, strlen(kv[i].value));
		r = w < 0 ? negerrno() : 0;
		close(fd);
		if (r < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, r, kv[i].path, "cannot set to %s: %s", kv[i].value,
					   strerror(-r));
	}
	return 0;
}

int nsli_ns_unshare_net(struct nsl_ctx *ctx, const char *path, const char *key,
		       const struct nsl_sysctl_kv *kv, size_t n, nsl_ns_here_fn here, void *data,
		       struct nsl_err *err)
{
	struct bind_args a = { .path = path };
	int r;

	if (ctx->broken)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOTRECOVERABLE, NULL, "lost track of the home netns");
	if (unshare(CLONE_NEWNET) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), path, "unshare(CLONE_NEWNET): %s",
				   strerror(errno));
	/* Everything that marks the netns as its maker's happens before it gets its name: a
	 * netns under that name is never seen (nor left by a crash) without it. */
	r = sysctls_here(ctx, kv, n, err);
	if (r == 0 && key)
		r = nsli_nl_open_here(ctx, key, err);
	if (r == 0 && here)
		r = here(ctx, key, data, err);
	if (r == 0) {
		r = bind_self_net(&a);
		if (r < 0)
			nsl_err_set(err, NSL_E_SYSTEM, r, path, "bind mount of the new netns: %s", strerror(-r));
	}
	if (setns(ctx->home_fd, CLONE_NEWNET) < 0) {
		ctx->broken = true;
		return nsl_err_set(err, NSL_E_PARTIAL, -ENOTRECOVERABLE, NULL,
				   "cannot return to the original netns");
	}
	return r;
}

struct open_args {
	int dirfd;
	const char *path;
	int flags;
	int fd;
};

static int open_there(void *data)
{
	struct open_args *a = data;

	a->fd = openat(a->dirfd, a->path, a->flags | O_CLOEXEC);
	return a->fd < 0 ? negerrno() : 0;
}

/*
 * /proc/sys/net/... of a netns is looked up by name among the dentries every netns left in
 * the one procfs superblock: each lookup compares against those of all live namespaces, so
 * a lab's N sysctl writes cost N^2 (70 us a lookup with 1000 netns). A procfs instance of
 * our own, detached (fsmount, never attached to the tree) and replaced every
 * PROC_RENEW lookups, keeps that list short. Without the new mount API: plain /proc.
 */
#define PROC_RENEW 64

static int proc_dirfd(struct nsl_ctx *ctx)
{
	_cleanup_close_ int fs = -1;
	int m;

	if (ctx->proc_fd >= 0 && ctx->proc_uses++ < PROC_RENEW)
		return ctx->proc_fd;
	if (ctx->proc_fd == -2)
		return AT_FDCWD;
	if (ctx->proc_fd >= 0)
		close(TAKE_FD(ctx->proc_fd));
	fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0)) < 0) {
		ctx->proc_fd = -2;
		return AT_FDCWD;
	}
	ctx->proc_fd = m;
	ctx->proc_uses = 1;
	return m;
}

int nsli_ns_open_file(struct nsl_ctx *ctx, const char *spec, const char *path, int flags,
		     int *ret_fd, struct nsl_err *err)
{
	struct open_args a = { .dirfd = AT_FDCWD, .path = path, .flags = flags, .fd = -1 };
	_cleanup_close_ int nsfd = -1;
	int r;

	r = nsli_ns_open(ctx, spec, &nsfd, err);
	if (r < 0)
		return r;
	if (strncmp(path, "/proc/", 6) == 0 && path[6] && path[6] != '/') {
		a.dirfd = proc_dirfd(ctx);
		if (a.dirfd != AT_FDCWD)
			a.path = path + 6;
	}
	r = nsli_ns_call_in(ctx, nsfd, open_there, &a);
	if (r < 0)
		return nsl_err_set(err, r == -ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, r, path, NULL);
	*ret_fd = a.fd;
	return 0;
}

struct sock_args {
	int domain, type, proto, fd;
};

static int socket_there(void *data)
{
	struct sock_args *a = data;

	a->fd = socket(a->domain, a->type | SOCK_CLOEXEC, a->proto);
	return a->fd < 0 ? negerrno() : 0;
}

int nsli_ns_socket(struct nsl_ctx *ctx, const char *spec, int domain, int type, int proto,
		  int *ret_fd, struct nsl_err *err)
{
	struct sock_args a = { .domain = domain, .type = type, .proto = proto, .fd = -1 };
	_cleanup_close_ int nsfd = -1;
	int r;

	r = nsli_ns_open(ctx, spec, &nsfd, err);
	if (r < 0)
		return r;
	r = nsli_ns_call_in(ctx, nsfd, socket_there, &a);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, spec, "socket: %s", strerror(-r));
	*ret_fd = a.fd;
	return 0;
}

int nsli_ns_ident(struct nsl_ctx *ctx, const char *spec, dev_t *ret_dev, ino_t *ret_ino,
		 struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	r = nsli_ns_open(ctx, spec, &fd, err);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), spec, NULL);
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return 0;
}

/*
 * Make the run dir a recursive shared bind mount of itself, as `ip netns add` does, under
 * the same flock on the same directory so nslab and ip serialise together. Without the lock,
 * parallel first-time adds stack bind mounts until the machine stalls (Debian #949235).
 */
int nsli_ns_prepare_run_dir(struct nsl_ctx *ctx, struct nsl_err *err)
{
	const char *dir = ctx->dirs[NSL_DIR_RUN];
	_cleanup_close_ int fd = -1;
	bool made = false;

	if (ctx->run_dir_ready)
		return 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, "mkdir: %s", strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, "open: %s", strerror(errno));
	/* Like ip: a failed lock only costs the protection, it is not fatal. */
	(void)flock(fd, LOCK_EX);
	while (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || made)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, "mount --make-rshared: %s",
					   strerror(errno));
		if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, "mount --rbind: %s",
					   strerror(errno));
		made = true;
	}
	ctx->run_dir_ready = true;
	return 0; /* closing fd drops the lock */
}
