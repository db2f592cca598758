// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The base mount namespace of a lab's nodes: a private copy of the caller's mount tree
 * without the named netns under RUN_DIR.
 *
 * Every new mount namespace starts as a copy of its creator's. A node's namespace copied
 * from ours would carry one nsfs mount per named netns: at 1,000 nodes every node copies
 * (and at `down` tears down) 1,000 mounts, so starting N supervised nodes costs N² mount
 * copies. A node has no use for them: containers do not see the host's /run/netns either.
 * So the base is made once, by a forked child (the caller's own namespace never changes):
 * unshare, `/` rprivate (nothing propagates into it: later netns mounts of the lab would
 * otherwise follow into every copy), RUN_DIR detached and an empty read-only tmpfs put on
 * it (the mount point files would still show the names), /sys detached (each node mounts
 * its own). The child stays until we hold
 * its namespace by an fd; the fd alone keeps the namespace alive, setns() takes it.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base.h"
#include "core.h"
#include "macro.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Every mount on @path, stacked ones too. */
static void detach_all(const char *path)
{
	while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		;
}

/* RUN_DIR's entries, each a mount point when RUN_DIR itself is no mount (a tree made by
 * hand or by another tool); without malloc: we are a forked child. */
static void detach_entries(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[8192], path[PATH_MAX];
	long n;

	if (fd < 0)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) < sizeof(path))
				detach_all(path);
		}
}

/* In the child: make the base; 0 or a positive errno. */
static int make_base(const char *run_dir)
{
	if (unshare(CLONE_NEWNS) < 0)
		return errno;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return errno;
	detach_all(run_dir);
	detach_entries(run_dir);
	/* Each node mounts its netns's /sys where the caller's was, as `ip netns exec` does
	 * after detaching the caller's. Detached here once: every umount waits for an RCU
	 * grace period (namespace_unlock), which would be paid again at each node. */
	detach_all("/sys");
	/* A missing RUN_DIR has nothing to hide. */
	if (mount("tmpfs", run_dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4k") < 0 &&
	    errno != ENOENT)
		return errno;
	return 0;
}

int nsli_launch_base_open(struct nsl_ctx *ctx, int *ret_fd, struct nsl_err *err)
{
	const char *run_dir = nsl_ctx_get_dir(ctx, NSL_DIR_RUN);
	int rep[2], hold[2], child_err = EPROTO, fd = -1;
	char path[64];
	pid_t pid;

	if (pipe2(rep, O_CLOEXEC) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "pipe: %m");
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(rep[0]);
		close(rep[1]);
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "pipe: %m");
	}
	pid = fork();
	if (pid == 0) {
		char c;
		int e = make_base(run_dir);

		close(rep[0]);
		close(hold[1]);
		(void)!write(rep[1], &e, sizeof(e));
		/* Until the parent has opened our namespace and closed its end (or died). */
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(rep[1]);
	close(hold[0]);
	if (pid > 0) {
		ssize_t k;

		do
			k = read(rep[0], &child_err, sizeof(child_err));
		while (k < 0 && errno == EINTR);
		if (k != (ssize_t)sizeof(child_err))
			child_err = EPROTO;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		if (child_err == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			child_err = errno;
	}
	close(rep[0]);
	close(hold[1]);
	if (pid < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "fork: %m");
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (child_err)
		return nsl_err_set(err, NSL_E_SYSTEM, -child_err, run_dir,
				   "the nodes' mount namespace: %s", strerror(child_err));
	*ret_fd = fd;
	return 0;
}
