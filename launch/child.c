// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The launcher's children. The rule "only core/ calls setns()" is about the caller's own
 * process: the namespace changes here happen in processes forked for this purpose that end
 * in execve() or _exit(), so they can never leak into the caller. For the same reason this
 * is the one place in the library that may "die": a failed step is reported to the parent
 * over a pipe and the process _exit()s.
 *
 * Two processes:
 *  - the helper, forked by the parent, joins existing namespaces (a named netns with
 *    `ip netns exec` semantics, or a process's namespaces through its pidfd) and then
 *    clones the command process with the new namespaces, as a child of the caller
 *    (CLONE_PARENT) or, detached, of itself; it reports the PID and exits.
 *    Joining happens before the new user namespace exists, because joining a netns owned
 *    by the initial user namespace needs privilege there; and the PID and user namespaces
 *    come from one clone3(), so a new PID namespace is owned by the new user namespace
 *    (otherwise mounting /proc inside fails).
 *  - the command process waits until the parent has written its id maps, finishes the
 *    setup from inside (time offsets, hostname, lo, mounts, rootfs), waits for the parent
 *    to bind persisted namespaces, and execs.
 */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>

#include <linux/close_range.h>

#include "macro.h"
#include "launch-internal.h"
#include "rootfs.h"

/* The first version of struct clone_args (CLONE_ARGS_SIZE_VER0, Linux 5.3). */
struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void report(const struct launch_plan *p, int type, int e, pid_t pid, const char *what)
{
	struct launch_msg m = { .type = type, .err = e, .pid = pid };
	ssize_t n;

	if (what)
		snprintf(m.what, sizeof(m.what), "%s", what);
	do
		n = write(p->rep_w, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
}

/* Report the failed step with the current errno and end this process. */
_Noreturn static void die(const struct launch_plan *p, const char *what)
{
	report(p, MSG_ERR, errno > 0 ? errno : EIO, 0, what);
	_exit(125);
}

/* Block until the parent says go; EOF means the parent is gone. */
static void wait_go(const struct launch_plan *p)
{
	char c;
	ssize_t n;

	do
		n = read(p->go_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125);
}

static void write_file(const struct launch_plan *p, const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		die(p, path);
	close(fd);
}

/* ---- the helper: join existing namespaces ---- */

/*
 * `ip netns exec` (iproute2 netns_switch): setns, a fresh mount namespace with `/` rslave so
 * nothing propagates back, /sys remounted so it shows this netns's devices (with the netns
 * name as the source, visible in mountinfo), then each /etc/netns/NAME entry bound over
 * /etc. Unlike ip, the bind goes onto /etc/ENTRY itself even when that is a symlink
 * (move_mount without MOVE_MOUNT_T_SYMLINKS does not follow it): a symlinked resolv.conf
 * then shows the lab's file even when the link dangles, and a rename() of the link's
 * target cannot detach the overlay (nsdo #2).
 */
static void join_netns(const struct launch_plan *p)
{
	int trees[LAUNCH_MAX_ETC];
	unsigned long sysflags = 0;
	struct statvfs sv;
	_cleanup_close_ int etc = -1;

	/* Clone the sources while still in the caller's mount namespace, where @etcfd lives:
	 * open_tree(OPEN_TREE_CLONE) refuses mounts of another mount namespace (EINVAL), while
	 * a detached tree can be attached anywhere. */
	for (unsigned i = 0; i < p->n_etc; i++) {
		trees[i] = open_tree(p->etcfd, p->etc_entries[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (trees[i] < 0)
			die(p, p->etc_entries[i]);
	}
	if (setns(p->netfd, CLONE_NEWNET) < 0)
		die(p, "setns(netns)");
	if (p->base_mnt >= 0 && setns(p->base_mnt, CLONE_NEWNS) < 0)
		die(p, "setns(the nodes' mount namespace)");
	if (unshare(CLONE_NEWNS) < 0)
		die(p, "unshare(CLONE_NEWNS)");
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		die(p, "mount --make-rslave /");
	if (umount2("/sys", MNT_DETACH) < 0 && statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		sysflags = MS_RDONLY;
	if (mount(p->netns_name, "/sys", "sysfs", sysflags, NULL) < 0)
		die(p, "mount of /sys");
	if (p->n_etc == 0)
		return;
	etc = open("/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (etc < 0)
		die(p, "/etc");
	for (unsigned i = 0; i < p->n_etc; i++) {
		const char *e = p->etc_entries[i];
		struct stat st;
		char what[NAME_MAX + 32];

		/* As with ip, only entries that already exist in /etc are covered. */
		if (fstatat(etc, e, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(what, sizeof(what), "bind mount over /etc/%s", e);
		if (move_mount(trees[i], "", etc, e, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			die(p, what);
		close(trees[i]);
	}
}

/*
 * nsenter: one setns() on the pidfd enters every namespace at once (Linux 5.8), in the
 * kernel's own order with the target's credentials, so the "user namespace first or last"
 * two-pass dance of nsenter is not needed, and a target that died since the pidfd was taken
 * gives ESRCH instead of a recycled PID's namespaces.
 */
/*
 * Before Linux 5.8 setns() takes no pidfd (EINVAL): enter the /proc/PID/ns files one by one
 * as nsenter does, in two passes. The first skips the user namespace and ignores errors (a
 * privileged caller enters the rest before dropping privilege in the user namespace), the
 * second enters what is left and reports errors (an unprivileged caller gains the rights
 * to enter the rest from the user namespace). The files were opened while the pidfd showed
 * the target alive.
 */
static void join_files(const struct launch_plan *p)
{
	bool done[ELEMENTSOF(nsli_launch_join_order)] = { false };

	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < ELEMENTSOF(nsli_launch_join_order); i++) {
			unsigned bit = nsli_launch_join_order[i];
			char what[32];

			if (p->join_fds[i] < 0 || done[i] || (pass == 0 && bit == NSL_NS_USER))
				continue;
			if (setns(p->join_fds[i], 0) == 0) {
				done[i] = true;
			} else if (pass == 1) {
				snprintf(what, sizeof(what), "setns(%s)", nsli_launch_ns_name(bit));
				die(p, what);
			}
		}
}

static void join_pid(const struct launch_plan *p)
{
	/* Nothing differs (e.g. the target is in all of our namespaces): nothing to join. */
	if (p->join_flags == 0)
		return;
	if (setns(p->join_pidfd, (int)p->join_flags) < 0) {
		if (errno != EINVAL)
			die(p, "setns(pidfd)");
		join_files(p);
	}
	if (!p->join_user)
		return;
	/* As nsenter: become root of the joined user namespace; groups only if allowed. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		die(p, "setgroups");
	if (setresgid(0, 0, 0) < 0)
		die(p, "setresgid(0)");
	if (setresuid(0, 0, 0) < 0)
		die(p, "setresuid(0)");
}

/* ---- the command process ---- */

static void lo_up(const struct launch_plan *p)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die(p, "lo up");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die(p, "lo up");
}

/*
 * Offsets can only be set while no process is in the time namespace: unshare() makes it
 * the namespace of our future children, the offsets go in, and setns() to our own
 * time_for_children moves this process in too (allowed while single-threaded), so no
 * extra fork is needed.
 */
static void enter_timens(const struct launch_plan *p)
{
	_cleanup_close_ int fd = -1;

	if (unshare(CLONE_NEWTIME) < 0)
		die(p, "unshare(CLONE_NEWTIME)");
	if (p->timens[0])
		write_file(p, "/proc/self/timens_offsets", p->timens);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
		die(p, "setns(time)");
}

static void set_propagation(const struct launch_plan *p)
{
	static const unsigned long flags[] = {
		[NSL_PROP_PRIVATE] = MS_PRIVATE,
		[NSL_PROP_SHARED] = MS_SHARED,
		[NSL_PROP_SLAVE] = MS_SLAVE,
	};

	if (p->l->propagation == NSL_PROP_UNCHANGED)
		return;
	if (mount("none", "/", "none", MS_REC | flags[p->l->propagation], NULL) < 0)
		die(p, "mount propagation of /");
}

/* A fresh procfs; in a user namespace without its own PID namespace that is refused,
 * so fall back to a recursive bind of the current one. */
static void mount_proc_at(const struct launch_plan *p, const char *dir)
{
	if (mount("proc", dir, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) == 0)
		return;
	if (!p->l->rootfs || mount("/proc", dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(p, "mount of proc");
}

/* pivot_root into the rootfs with /proc, /sys, /dev and /tmp (launch/rootfs.c). */
static void setup_rootfs(const struct launch_plan *p)
{
	const char *what = "rootfs";

	if (nsli_rootfs_enter(p->l->rootfs, true, &what) < 0)
		die(p, what);
}

static void setup_mounts(const struct launch_plan *p)
{
	const struct nsl_launch *l = p->l;

	if (!(p->clone_flags & CLONE_NEWNS))
		return;
	set_propagation(p);
	if (l->rootfs)
		setup_rootfs(p);
	else if (l->mount_proc)
		mount_proc_at(p, "/proc");
}

_Noreturn static void exec_command(const struct launch_plan *p)
{
	int e;

	if (p->l->envp)
		execvpe(p->l->argv[0], p->l->argv, p->l->envp);
	else
		execvp(p->l->argv[0], p->l->argv);
	e = errno;
	report(p, MSG_EXEC, e, 0, p->l->argv[0]);
	_exit(e == ENOENT ? 127 : 126);
}

static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * --init: a PID 1 that reaps every zombie and forwards every signal it gets to the command.
 * Signals stay blocked and are taken with sigwaitinfo(): a namespace init drops signals
 * whose handler is SIG_DFL, but blocked ones are queued.
 */
_Noreturn static void nsli_run_init(const struct launch_plan *p, const sigset_t *old)
{
	sigset_t all;
	pid_t cmd;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	cmd = fork();
	if (cmd < 0)
		die(p, "fork");
	if (cmd == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			die(p, "prctl(PR_SET_PDEATHSIG)");
		exec_command(p);
	}
	/* The command holds the report pipe until its execve; the init holds nothing. */
	close_range(3, ~0U, 0);
	prctl(PR_SET_NAME, "nslab-init");
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si), st;
		pid_t w;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == cmd)
				_exit(status_of(st));
	}
}

static void redirect_stdio(const struct launch_plan *p)
{
	int out = p->l->output_fd >= 0 ? p->l->output_fd : p->devnull;

	if (dup2(p->devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		die(p, "stdio");
}

/*
 * The quick launch (launch-internal.h): no handshake with the parent, so the children can
 * run in the parent's memory, as posix_spawn's do. The parent blocked every signal before
 * the clone: a handler of the parent's would run here, on the parent's memory. Handlers go
 * back to SIG_DFL (our own copy of the table: no CLONE_SIGHAND), then the caller's mask.
 */
static void quick_signals(const struct launch_plan *p)
{
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL) {
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			sigaction(sig, &sa, NULL);
		}
	}
	sigprocmask(SIG_SETMASK, &p->sigmask, NULL);
}

_Noreturn static void command_main(const struct launch_plan *p)
{
	const struct nsl_launch *l = p->l;
	sigset_t old;

	if (l->kill_child && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die(p, "prctl(PR_SET_PDEATHSIG)");
	if (l->detach && setsid() < 0)
		die(p, "setsid");
	if (p->quick)
		quick_signals(p);
	else
		wait_go(p); /* id maps written */
	if (p->new_time)
		enter_timens(p);
	if ((p->clone_flags & CLONE_NEWUTS) && l->hostname &&
	    sethostname(l->hostname, strlen(l->hostname)) < 0)
		die(p, "sethostname");
	if (p->clone_flags & CLONE_NEWNET)
		lo_up(p);
	setup_mounts(p);
	if (l->wd && chdir(l->wd) < 0)
		die(p, l->wd);
	if (!p->quick) {
		report(p, MSG_READY, 0, 0, NULL);
		wait_go(p); /* namespaces persisted */
	}
	if (l->detach || l->output_fd >= 0)
		redirect_stdio(p);
	/* Only 0-2 survive the execve; our own pipes are O_CLOEXEC anyway. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die(p, "close_range");
	sigprocmask(SIG_SETMASK, NULL, &old);
	if (l->init)
		nsli_run_init(p, &old);
	exec_command(p);
}

/*
 * The command process as a fork: clone3, or clone() where clone3 is missing (valgrind,
 * seccomp filters that predate it: none of our flags needs clone3; CLONE_NEWTIME goes through
 * unshare). Attached (@detach false), it becomes the caller's child through CLONE_PARENT, and
 * the kernel takes its exit signal from us (SIGCHLD). @pidfd: where CLONE_PIDFD puts its
 * pidfd, NULL for none.
 */
static long clone_command(unsigned long flags, bool detach, int *pidfd)
{
	struct clone_args_v0 a = { .flags = flags, .exit_signal = SIGCHLD };
	long pid;

	if (!detach) {
		a.flags |= CLONE_PARENT;
		a.exit_signal = 0;
	}
	if (pidfd) {
		a.flags |= CLONE_PIDFD;
		a.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, (unsigned long)a.flags | (unsigned long)a.exit_signal, NULL, pidfd, NULL, 0);
	return pid;
}

static int quick_command(void *arg)
{
	command_main(arg);
}

/* The helper's MSG_PID, with the command's pidfd as SCM_RIGHTS. */
static void report_pid(const struct launch_plan *p, pid_t pid, int pidfd)
{
	struct launch_msg m = { .type = MSG_PID, .pid = pid };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
	while (sendmsg(p->rep_w, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/*
 * Quick: we share the parent's memory and it waits (CLONE_VFORK) until we exit; the command
 * shares it too and we wait until it has exec'd. No page of the caller is copied, however
 * big it is. Where the kernel or a tool (valgrind) refuses CLONE_VM with these flags, the
 * command is an ordinary fork. Its pidfd comes from the clone itself: a detached command is
 * reparented when we exit and could be reaped and its PID reused before the parent could
 * open one.
 */
int nsli_launch_quick_helper(void *arg)
{
	const struct launch_plan *p = arg;
	unsigned long flags = p->clone_flags | CLONE_PIDFD | (p->l->detach ? 0 : CLONE_PARENT);
	int pidfd = -1;
	long pid;

	if (p->netfd >= 0)
		join_netns(p);
	pid = clone(quick_command, p->stack_cmd, (int)(flags | CLONE_VM | CLONE_VFORK | SIGCHLD), (void *)p, &pidfd);
	if (pid < 0 && (errno == EINVAL || errno == ENOSYS)) {
		pid = clone_command(p->clone_flags, p->l->detach, &pidfd);
		if (pid == 0)
			command_main(p);
	}
	if (pid < 0)
		die(p, "clone (creating the new namespaces)");
	report_pid(p, (pid_t)pid, pidfd);
	_exit(0);
}

_Noreturn void nsli_launch_helper(const struct launch_plan *p)
{
	long pid;

	if (p->join_pidfd >= 0)
		join_pid(p);
	if (p->netfd >= 0)
		join_netns(p);
	/* Attached: the command becomes the caller's child. Detached: ours, and we exit at once,
	 * so it is reparented to init (or the caller's subreaper). */
	pid = clone_command(p->clone_flags, p->l->detach, NULL);
	if (pid < 0)
		die(p, "clone3 (creating the new namespaces)");
	if (pid == 0)
		command_main(p);
	report(p, MSG_PID, 0, (pid_t)pid, NULL);
	_exit(0);
}
