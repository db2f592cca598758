// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Entering a root directory (rootfs.h). libc only, and no allocation: it runs in the
 * launcher's command process after fork() of a possibly threaded caller, and in
 * nslab-supervise, which links this object without the rest of the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs.h"

/* Record the failed step; errno stays that of the failed call. */
static int fail(const char **ret_what, const char *what)
{
	int e = errno > 0 ? errno : EIO;

	if (ret_what)
		*ret_what = what;
	errno = e;
	return -e;
}

static int mkdir_p1(const char *dir, mode_t mode)
{
	return mkdir(dir, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* A fresh procfs; in a user namespace without its own PID namespace that is refused,
 * so fall back to a recursive bind of the current one. */
static int mount_proc_at(const char *dir, bool fresh)
{
	if (fresh && mount("proc", dir, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) == 0)
		return 0;
	return mount("/proc", dir, NULL, MS_BIND | MS_REC, NULL);
}

static const char *const dev_nodes[][2] = {
	{ "/dev/null", "dev/null" }, { "/dev/zero", "dev/zero" },	  { "/dev/full", "dev/full" },
	{ "/dev/random", "dev/random" }, { "/dev/urandom", "dev/urandom" }, { "/dev/tty", "dev/tty" },
};

static const char *const dev_links[][2] = {
	{ "/proc/self/fd", "dev/fd" },	   { "/proc/self/fd/0", "dev/stdin" },
	{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
	{ "pts/ptmx", "dev/ptmx" },
};

static int bind_dev(const char *src, const char *dst)
{
	int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);

	if (fd < 0)
		return -1;
	close(fd);
	return mount(src, dst, NULL, MS_BIND, NULL);
}

/* A minimal /dev: a tmpfs with the harmless nodes bound from the host (mknod is not
 * allowed in a user namespace, bind mounts are), a private devpts and /dev/shm. */
static int setup_dev(const char **ret_what)
{
	if (mkdir_p1("dev", 0755) < 0)
		return fail(ret_what, "mkdir of /dev");
	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755") < 0)
		return fail(ret_what, "mount of /dev");
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		if (bind_dev(dev_nodes[i][0], dev_nodes[i][1]) < 0)
			return fail(ret_what, dev_nodes[i][0]);
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlink(dev_links[i][0], dev_links[i][1]) < 0)
			return fail(ret_what, dev_links[i][1]);
	if (mkdir_p1("dev/pts", 0755) < 0)
		return fail(ret_what, "mkdir of /dev/pts");
	if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0)
		return fail(ret_what, "mount of /dev/pts");
	if (mkdir_p1("dev/shm", 01777) < 0)
		return fail(ret_what, "mkdir of /dev/shm");
	if (mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return fail(ret_what, "mount of /dev/shm");
	return 0;
}

/*
 * Make @dir a mount point, mount /proc, /sys, /dev and /tmp in it, and drop the old root
 * with pivot_root(".", ".") + umount (the old root ends up on top of the new one and is
 * detached at once; no put_old directory is needed).
 */
int nsli_rootfs_enter(const char *dir, bool mount_proc, const char **ret_what)
{
	int r;

	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail(ret_what, "bind mount of the rootfs");
	if (chdir(dir) < 0)
		return fail(ret_what, "chdir to the rootfs");
	if (mkdir_p1("proc", 0555) < 0)
		return fail(ret_what, "mkdir of /proc");
	if (mount_proc_at("proc", mount_proc) < 0)
		return fail(ret_what, "mount of proc");
	if (mkdir_p1("sys", 0555) < 0)
		return fail(ret_what, "mkdir of /sys");
	if (mount("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL) < 0 &&
	    mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail(ret_what, "mount of /sys");
	r = setup_dev(ret_what);
	if (r < 0)
		return r;
	if (mkdir_p1("tmp", 01777) < 0)
		return fail(ret_what, "mkdir of /tmp");
	if (mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return fail(ret_what, "mount of /tmp");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail(ret_what, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return fail(ret_what, "umount of the old root");
	if (chdir("/") < 0)
		return fail(ret_what, "chdir /");
	return 0;
}
