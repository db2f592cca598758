/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The namespace launcher: start a command in new namespaces of any of the eight types
 * (`unshare`), in the namespaces of a running process (`nsenter`), or in a named netns with
 * `ip netns exec` semantics. `nslab run`, `nslab enter`, `nslab netns exec`, topology nodes
 * with a `run:` process and NIC hot-add all go through these calls.
 *
 * The caller's own namespaces never change: every namespace switch and every mount happens
 * in a forked child.
 */
#ifndef NSLAB_LAUNCH_H
#define NSLAB_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctx.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum nsl_ns_type - namespace types, as a bit mask.
 * NSL_NS_ALL is every type; with @join_pid it means "every namespace of the target that
 * differs from the caller's" (nsenter --all).
 */
enum nsl_ns_type {
	NSL_NS_MNT = 1u << 0,
	NSL_NS_UTS = 1u << 1,
	NSL_NS_IPC = 1u << 2,
	NSL_NS_NET = 1u << 3,
	NSL_NS_PID = 1u << 4,
	NSL_NS_USER = 1u << 5,
	NSL_NS_CGROUP = 1u << 6,
	NSL_NS_TIME = 1u << 7,
	NSL_NS_ALL = (1u << 8) - 1,
};

/** enum nsl_propagation - what `/` becomes in a new mount namespace (default private). */
enum nsl_propagation {
	NSL_PROP_PRIVATE = 0,
	NSL_PROP_SHARED,
	NSL_PROP_SLAVE,
	NSL_PROP_UNCHANGED,
};

/**
 * struct nsl_idmap - one line of uid_map/gid_map: ids @inner.. inside are @outer.. outside.
 */
struct nsl_idmap {
	uint32_t inner;
	uint32_t outer;
	uint32_t count;
};

/** struct nsl_persist - bind-mount the new namespace of @type onto the existing file @path. */
struct nsl_persist {
	enum nsl_ns_type type;
	const char *path;
};

/**
 * struct nsl_launch - what to start and where. Zero it, then fill what you need.
 * @argv:        the command, NULL-terminated; argv[0] is looked up in PATH
 * @new_ns:      NSL_NS_* bits of namespaces to create. A new netns gets `lo` up.
 * @netns:       join this named netns (RUN_DIR/NAME, or a path) with `ip netns exec`
 *               semantics: a fresh mount namespace, `/` rslave, /sys remounted with the name
 *               as source, every ETC_DIR/NAME/ entry bound over /etc/ENTRY (over a symlink
 *               itself, so a symlinked /etc/resolv.conf shows the lab's file). Excludes
 *               NSL_NS_NET in @new_ns and @join_pid.
 * @join_pid:    join namespaces of this process (nsenter), held through a pidfd; 0: none
 * @join_ns:     which of @join_pid's namespaces; NSL_NS_ALL = all that differ from ours.
 *               The caller's own user namespace is never "joined" (the kernel refuses);
 *               joining another one makes the command uid and gid 0 there, as nsenter does.
 * @hostname:    with NSL_NS_UTS: the new hostname
 * @propagation: with NSL_NS_MNT: the propagation of `/`
 * @uid_map, @n_uid_map, @gid_map, @n_gid_map: id ranges of the new user namespace; root
 *               may map any range, an unprivileged caller only its own id (single-id maps
 *               below). Any map implies NSL_NS_USER. Overlapping maps are refused.
 * @map_uid:     with NSL_NS_USER: map the caller's euid to this id inside; -1: none
 * @map_gid:     with NSL_NS_USER: map the caller's egid to this id inside (setgroups is set
 *               to "deny" first); -1: none
 * @monotonic, @boottime: with NSL_NS_TIME: clock offsets in seconds (may be negative)
 * @rootfs:      pivot_root into this directory (implies NSL_NS_MNT) after mounting a fresh
 *               /proc, /sys, a minimal /dev with /dev/pts and /dev/shm, and /tmp; missing
 *               mount points are created in it
 * @mount_proc:  mount a fresh /proc (implies NSL_NS_MNT; what you want with NSL_NS_PID)
 * @init:        with NSL_NS_PID: a small PID 1 reaps zombies, forwards signals to the
 *               command and exits with its status
 * @kill_child:  the command gets SIGKILL when the calling thread exits
 * @detach:      the command is not the caller's child: it is reparented to init, starts a
 *               new session, gets /dev/null as stdin and @output_fd (or /dev/null) as
 *               stdout and stderr. Stop it with nsl_launch_stop(). Excludes @kill_child.
 * @output_fd:   where the command's stdout and stderr go (stdin is then /dev/null);
 *               -1: /dev/null with @detach, the caller's stdio otherwise
 * @wd:          working directory of the command (inside @rootfs when given)
 * @persist, @n_persist: namespaces to bind-mount onto existing files (like
 *               `unshare --net=FILE`); each type must also be in @new_ns
 * @join_starttime: with @join_pid: when not 0, @join_pid is only joined if its start time
 *               (see nsl_launch_starttime()) is this, checked on the pidfd joined through;
 *               otherwise -ESRCH "process N is no longer running"
 * @envp:        the command's environment, NULL-terminated "KEY=VALUE"; NULL: the caller's
 *               (argv[0] is looked up in the caller's PATH either way)
 */
struct nsl_launch {
	char *const *argv;
	unsigned new_ns;
	const char *netns;
	pid_t join_pid;
	unsigned join_ns;
	const char *hostname;
	enum nsl_propagation propagation;
	const struct nsl_idmap *uid_map;
	unsigned n_uid_map;
	const struct nsl_idmap *gid_map;
	unsigned n_gid_map;
	int64_t map_uid;
	int64_t map_gid;
	int64_t monotonic;
	int64_t boottime;
	const char *rootfs;
	bool mount_proc;
	bool init;
	bool kill_child;
	bool detach;
	int output_fd;
	const char *wd;
	const struct nsl_persist *persist;
	unsigned n_persist;
	unsigned long long join_starttime;
	char *const *envp;
};

/**
 * nsl_launch_init - fill @l with the defaults: no namespaces, no maps (-1), private
 * propagation, output_fd -1, and @argv as the command.
 */
void nsl_launch_init(struct nsl_launch *l, char *const *argv);

/**
 * struct nsl_launch_proc - a started command.
 * @pid:        its PID (in the caller's PID namespace)
 * @pidfd:      a pidfd for it (O_CLOEXEC), -1 when detached; nsl_launch_wait() closes it
 * @exec_errno: set when nsl_launch_run() fails because execve() failed (ENOENT: not found,
 *              other values: not executable); 0 otherwise
 */
struct nsl_launch_proc {
	pid_t pid;
	int pidfd;
	int exec_errno;
};

/**
 * nsl_launch_check - validate @l without touching the kernel: combinations, hostname
 * length, maps (no overlaps), clock offsets that keep the clock within what the kernel takes
 * (0 to KTIME_SEC_MAX/2 seconds, against the clock now), that @rootfs, @wd (when no rootfs)
 * and persist files exist, and that no persist file is a mount point already.
 * Return: 0 or -EINVAL/-ENOENT/-ERANGE with @err kind NSL_E_USAGE; -EBUSY with kind
 * NSL_E_CONFLICT for a persist file that already holds a namespace or is a mount point.
 */
int nsl_launch_check(const struct nsl_launch *l, struct nsl_err *err);

/**
 * nsl_launch_run - start @l->argv in the namespaces @l describes.
 * @ctx: gives the run and etc directories for @l->netns
 * @l:   what to start (see struct nsl_launch); validated with nsl_launch_check() first
 * @ret: the started process; on failure only @ret->exec_errno is written
 *
 * Returns once the command has been exec'd (a pipe closed by execve tells), so every error
 * before that (a refused unshare, a failed mount, a missing command) is reported here and the
 * child is reaped. Without @l->detach, the process is the caller's child: reap it with
 * nsl_launch_wait(). Privileges: root for most combinations; without it, only with
 * NSL_NS_USER and single-id maps of the caller's own ids (when unprivileged user namespaces
 * are enabled). Mount work needs CAP_SYS_ADMIN in the (new) user namespace.
 * Return: 0; -EINVAL (bad @l, kind NSL_E_USAGE); -ESRCH (@join_pid is gone);
 * -ENOENT (netns or command not found); -EPERM, or the errno of the step that failed,
 * named in @err.
 */
int nsl_launch_run(struct nsl_ctx *ctx, const struct nsl_launch *l, struct nsl_launch_proc *ret,
		   struct nsl_err *err);

/** Flags of nsl_launch_wait(). */
enum {
	/* Forward SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT sent
	 * to the caller to the command while waiting (they are blocked meanwhile). */
	NSL_WAIT_FORWARD = 1 << 0,
};

/**
 * nsl_launch_wait - wait for a process started by nsl_launch_run() (not detached) to end,
 * and close @p->pidfd.
 * @ret_status: the shell-style status: the exit code, or 128+N when killed by signal N
 * Return: 0, or a negative errno of waitid/poll.
 */
int nsl_launch_wait(struct nsl_launch_proc *p, unsigned flags, int *ret_status,
		    struct nsl_err *err);

/**
 * nsl_launch_exec - nsl_launch_run() and nsl_launch_wait() with NSL_WAIT_FORWARD: run @l
 * to completion. @l->detach must be false.
 * @ret_status: the command's status as in nsl_launch_wait(); also written when the command
 *              could not be executed: 127 when not found, 126 otherwise (with that error
 *              returned too)
 */
int nsl_launch_exec(struct nsl_ctx *ctx, const struct nsl_launch *l, int *ret_status,
		    struct nsl_err *err);

/**
 * nsl_launch_enter - run @argv in namespaces of process @pid (nsenter -t PID), to completion.
 * @ns: NSL_NS_* to join; NSL_NS_ALL: every one that differs from the caller's. Joining a user
 *      namespace makes the command uid/gid 0 there. The target is held through a pidfd, so a
 *      PID that is recycled meanwhile is never entered; a joined PID namespace is entered by
 *      forking after setns.
 * Return: as nsl_launch_exec(); -ESRCH with "process N does not exist" when @pid is gone.
 */
int nsl_launch_enter(struct nsl_ctx *ctx, pid_t pid, unsigned ns, char *const *argv,
		     int *ret_status, struct nsl_err *err);

/**
 * nsl_launch_netns_exec - `ip netns exec NAME CMD...`: run @argv in the named netns @name
 * with its /etc overlay (see @netns in struct nsl_launch), to completion.
 * Return: as nsl_launch_exec(); -ENOENT when there is no such netns.
 */
int nsl_launch_netns_exec(struct nsl_ctx *ctx, const char *name, char *const *argv,
			  int *ret_status, struct nsl_err *err);

/**
 * nsl_launch_starttime - the start time of @pid (field 22 of /proc/PID/stat, clock ticks
 * since boot). Store it with a PID so that nsl_launch_stop() cannot hit a recycled PID.
 * Return: 0, -ESRCH.
 */
int nsl_launch_starttime(pid_t pid, unsigned long long *ret, struct nsl_err *err);

/**
 * nsl_launch_stop - stop process @pid: SIGTERM, wait up to @timeout_ms, then SIGKILL and wait
 * for it to be gone. Works on any process (not only children; a child of the caller is
 * reaped). The process is held through a pidfd from the first check on.
 * @starttime: when not 0, the process is only signalled if its start time (see
 *             nsl_launch_starttime()) matches; otherwise it counts as already gone
 * Return: 1 when it was stopped, 0 when it was already gone, -EPERM, -ETIMEDOUT.
 */
int nsl_launch_stop(pid_t pid, unsigned long long starttime, unsigned timeout_ms,
		    struct nsl_err *err);

/**
 * nsl_launch_parse_ns - a namespace type name ("mnt" or "mount", "uts", "ipc", "net",
 * "pid", "user", "cgroup", "time") to its NSL_NS_* bit. Return: the bit, or 0 if unknown.
 */
unsigned nsl_launch_parse_ns(const char *name);

/**
 * nsl_launch_parse_idmap - parse "INNER:OUTER:COUNT" (decimal, COUNT >= 1, no overflow of
 * either range). Return: 0, -EINVAL (kind NSL_E_USAGE).
 */
int nsl_launch_parse_idmap(const char *s, struct nsl_idmap *ret, struct nsl_err *err);

/**
 * struct nsl_proc_ref - a process by a recorded identity, safe against PID reuse.
 * @pid:       its PID (in the caller's PID namespace)
 * @starttime: field 22 of /proc/PID/stat when it was recorded (nsl_launch_starttime());
 *             0: no identity recorded, whatever process has @pid now is meant
 */
struct nsl_proc_ref {
	pid_t pid;
	unsigned long long starttime;
};

/**
 * nsl_launch_pidfd - a pidfd (always O_CLOEXEC) for @ref, checked after opening to be that
 * process: @ref->starttime matches (when not 0) and it has not exited (a zombie has).
 * Return: 0 with the fd in *@ret_fd; -ESRCH when the process is gone, was recycled or is a
 * zombie; -EINVAL for a PID <= 0 or a thread that is not a process; -EMFILE and other errors of
 * pidfd_open() or of reading /proc.
 */
int nsl_launch_pidfd(const struct nsl_proc_ref *ref, int *ret_fd);

/**
 * nsl_launch_alive - whether @ref is still the same running process (start time matches,
 * not a zombie). Works on any process, no privilege needed.
 * Return: 1 yes; 0 no (gone, recycled or zombie); a negative errno when it cannot be told.
 */
int nsl_launch_alive(const struct nsl_proc_ref *ref);

/**
 * nsl_launch_keep_fn - a filter of nsl_launch_stop_all_filter(): called for each process
 * after its pidfd @pidfd was opened and its identity checked; > 0 stops it, <= 0 leaves it.
 * @pidfd is -1 where pidfd_open() is missing (valgrind): the process is held by start time.
 */
typedef int (*nsl_launch_keep_fn)(const struct nsl_proc_ref *ref, int pidfd, void *data);

/**
 * nsl_launch_stop_all - stop every process of @v[0..@n) at once, in about one grace period
 * however many there are: hold each through a pidfd and check its identity (a gone, recycled
 * or zombie one is skipped: a reused PID is never signalled), SIGTERM all, wait on all pidfds
 * together up to @grace_ms, SIGKILL what is left and wait up to 5 s more. A zombie counts as
 * stopped; the caller's own children are reaped (as nsl_launch_stop()). The caller's own
 * process is never signalled. When pidfds run out (RLIMIT_NOFILE), the list is stopped in
 * batches of what fits, one grace period each. Works on any process the caller may signal.
 * Without pidfd_open() (valgrind, seccomp filters older than Linux 5.3) processes are held by
 * their start time and watched through /proc instead.
 * Note: the init of a PID namespace that does not catch SIGTERM only goes at the SIGKILL.
 * Return: the number of processes that were running and are now gone (>= 0); or, after
 * stopping all it could, the first error: -EPERM (not allowed to signal one), -ETIMEDOUT (one
 * survived SIGKILL), -ENOMEM, with the PID named in @err.
 */
int nsl_launch_stop_all(const struct nsl_proc_ref *v, size_t n, unsigned grace_ms,
			struct nsl_err *err);

/**
 * nsl_launch_stop_all_filter - nsl_launch_stop_all(), stopping only the processes for which
 * @keep(ref, pidfd, @data) returns > 0 (NULL: all). @keep sees the process held: checks it
 * makes about /proc/PID are about that process if the pidfd has not become readable after
 * them (see nsl_netns_kill_all()).
 */
int nsl_launch_stop_all_filter(const struct nsl_proc_ref *v, size_t n, unsigned grace_ms,
			       nsl_launch_keep_fn keep, void *data, struct nsl_err *err);

/**
 * nsl_launch_enter_ref - nsl_launch_enter() for a recorded identity: run @argv, to
 * completion, in the namespaces @ns (NSL_NS_ALL or 0: all that differ from the caller's) of
 * @ref, joined through a pidfd that is checked to be @ref (start time, not a zombie) before
 * anything is entered.
 * @out_fd: stdout and stderr of the command (stdin is /dev/null); -1: the caller's stdio
 * Return: as nsl_launch_exec(); -ESRCH with "process N is no longer running" when @ref is
 * gone, recycled or a zombie (nothing is run); -EINVAL for a PID <= 0.
 */
int nsl_launch_enter_ref(struct nsl_ctx *ctx, const struct nsl_proc_ref *ref, unsigned ns,
			 char *const *argv, int out_fd, int *ret_status, struct nsl_err *err);

/**
 * nsl_launch_netns_exec_fd - nsl_launch_netns_exec() with the command's stdout and stderr
 * on @out_fd and stdin on /dev/null, so a command that leaves a background process behind
 * (`sleep 30 &`) does not hold the caller's stdout; -1: the caller's stdio, as
 * nsl_launch_netns_exec(). @out_fd is not closed.
 * Return: as nsl_launch_netns_exec().
 */
int nsl_launch_netns_exec_fd(struct nsl_ctx *ctx, const char *name, char *const *argv, int out_fd,
			     int *ret_status, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
