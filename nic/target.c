// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening a TARGET's network namespace so that it cannot be swapped under us.
 *
 * A PID is a name that the kernel recycles. pidfd_open() pins the process; /proc/PID/ns/net
 * is then opened by number, and the pidfd is checked once more afterwards: if the process
 * is still alive at that point, the PID cannot have been reused in between, so the netns
 * we hold is the process's (the order util-linux's `--kill-child` and crun use). The netns
 * fd is then held for the whole operation and handed to the other modules as
 * "/proc/self/fd/N", so every request lands in that one namespace.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "core.h"
#include "macro.h"
#include "nic-internal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* A pidfd polls readable once its process has exited (Linux 5.3). */
static bool pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/*
 * Kernels before 5.3 (and valgrind) have no pidfd_open: there the start time of the process
 * (field 22 of /proc/PID/stat), read before and after, stands in for the pin. A zombie or
 * dead process counts as gone: its network namespace is already released.
 */
static int pid_starttime(pid_t pid, unsigned long long *ret)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], buf[1024], state;
	unsigned long long start;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -ESRCH;
	p = strrchr(buf, ')'); /* comm may hold spaces and ')' */
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %llu", &state, &start) != 2)
		return -EIO;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	*ret = start;
	return 0;
}

static bool pid_gone(const struct nic_target *nt)
{
	unsigned long long start;

	if (nt->pidfd >= 0)
		return pidfd_exited(nt->pidfd);
	return pid_starttime(nt->pid, &start) < 0 || start != nt->starttime;
}

static int pin_pid(pid_t pid, const char *what, struct nic_target *nt, struct nsl_err *err)
{
	int e;

	nt->pidfd = pidfd_open_(pid);
	if (nt->pidfd >= 0)
		return 0;
	e = errno;
	if (e == ENOSYS)
		e = pid_starttime(pid, &nt->starttime) == 0 ? 0 : ESRCH;
	if (e == 0)
		return 0;
	if (e == ESRCH)
		return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, what, "no such process %d", (int)pid);
	return nsl_err_set(err, NSL_E_SYSTEM, -e, what, "pidfd_open: %s", strerror(e));
}

static int open_pid(pid_t pid, const char *what, struct nic_target *nt, struct nsl_err *err)
{
	char path[64];
	int r;

	r = pin_pid(pid, what, nt, err);
	if (r < 0)
		return r;
	nt->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	nt->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nt->nsfd < 0 && (errno == ENOENT || errno == ESRCH))
		return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, what, "process %d exited", (int)pid);
	if (nt->nsfd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), what, "cannot open %s: %s", path,
				   strerror(errno));
	if (pid_gone(nt))
		return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, what, "process %d exited", (int)pid);
	return 0;
}

static int open_container(struct nic_target *nt, struct nsl_err *err)
{
	pid_t pid, again;
	int r;

	r = nsli_nic_container_pid(nt->t.name, &pid, err);
	if (r < 0)
		return r;
	r = open_pid(pid, nt->t.name, nt, err);
	if (r < 0)
		return r;
	/* The container may have restarted between inspect and pidfd_open. */
	r = nsli_nic_container_pid(nt->t.name, &again, err);
	if (r < 0)
		return r;
	if (again != pid)
		return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, nt->t.name,
				   "container restarted while being opened");
	return 0;
}

/* Always RUN_DIR/NAME, opened by its path: never a "pid:N" or path form of nsli_ns_open. */
static int open_netns(struct nsl_ctx *ctx, struct nic_target *nt, struct nsl_err *err)
{
	int r;

	if (!nsli_ns_path(ctx, nt->t.name, nt->path, sizeof(nt->path)))
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, nt->t.name, "netns path too long");
	r = nsli_ns_open(ctx, nt->path, &nt->nsfd, err);

	if (r == -ENOENT || r == -ESRCH)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, nt->t.name, "netns '%s' does not exist",
				   nt->t.name);
	return r;
}

int nsli_nic_target_open(struct nsl_ctx *ctx, const struct nsl_nic_target *t, struct nic_target *ret,
		    struct nsl_err *err)
{
	struct nic_target nt = { .ctx = ctx, .t = *t, .pidfd = -1, .nsfd = -1 };
	struct stat st;
	int r;

	switch (t->kind) {
	case NSL_NIC_TARGET_PID:
		r = open_pid(t->pid, NULL, &nt, err);
		break;
	case NSL_NIC_TARGET_NETNS:
		r = open_netns(ctx, &nt, err);
		break;
	case NSL_NIC_TARGET_CONTAINER:
		r = open_container(&nt, err);
		break;
	default:
		r = nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "invalid target kind");
	}
	if (r >= 0 && fstat(nt.nsfd, &st) < 0)
		r = nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, NULL);
	if (r < 0) {
		closep(&nt.pidfd);
		closep(&nt.nsfd);
		return r;
	}
	nt.dev = st.st_dev;
	nt.ino = st.st_ino;
	snprintf(nt.spec, sizeof(nt.spec), "/proc/self/fd/%d", nt.nsfd);
	*ret = nt;
	return 0;
}

int nsli_nic_target_alive(struct nsl_ctx *ctx, const struct nic_target *nt, struct nsl_err *err)
{
	dev_t dev;
	ino_t ino;

	if (nt->pid > 0) {
		if (pid_gone(nt))
			return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, NULL,
					   "target process %d exited meanwhile", (int)nt->pid);
		return 0;
	}
	/* A named netns: the name must still lead to the namespace we worked in. */
	if (nsli_ns_ident(ctx, nt->path, &dev, &ino, NULL) < 0 || dev != nt->dev || ino != nt->ino)
		return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, nt->t.name,
				   "netns '%s' was deleted meanwhile", nt->t.name);
	return 0;
}

void nsli_nic_target_close(struct nic_target *nt)
{
	if (nt->nsfd >= 0 && nt->ctx)
		nsli_nl_forget(nt->ctx, nt->spec);
	closep(&nt->pidfd);
	closep(&nt->nsfd);
	nt->pidfd = nt->nsfd = -1;
}
