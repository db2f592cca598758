/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_NETNS_H
#define NSLAB_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "ctx.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * nsl_netns_add - create the named netns @name exactly as `ip netns add` does: mkdir the run
 * dir, flock it, make it a recursive shared bind mount if it is not a mount point yet, create
 * the name file O_EXCL mode 0, bind-mount a new netns onto it. Unlike `ip`, `lo` comes up.
 * On failure everything is undone.
 * Needs CAP_SYS_ADMIN. Errors: -EINVAL (bad name), -EEXIST (kind NSL_E_CONFLICT), -EPERM.
 */
int nsl_netns_add(struct nsl_ctx *ctx, const char *name, struct nsl_err *err);

/**
 * struct nsl_netns_opts - for nsl_netns_add_opts().
 * @ipv6_off: IPv6 disabled (net.ipv6.conf.all and default disable_ipv6=1) before anything,
 *            lo included, comes up; on a kernel without IPv6 it is already off.
 * @mark:     NULL, or the maker's mark (1-255 bytes), carried from the moment the netns can
 *            be seen: the name file gets it as the xattr trusted.nslab.mark before it has its
 *            name (see nsl_netns_name_marked()), and lo gets it as its alias before the netns
 *            is mounted under the name.
 */
struct nsl_netns_opts {
	bool ipv6_off;
	const char *mark;
};

/**
 * nsl_netns_name_marked - whether RUN_DIR/@name is a plain name file that carries @mark, left
 * by a maker that died between creating it and mounting the netns on it (a mounted netns
 * shows the namespace, not the file). Return: 1 yes, 0 no, -ENOENT none, -EINVAL bad name.
 */
int nsl_netns_name_marked(struct nsl_ctx *ctx, const char *name, const char *mark);

/**
 * nsl_netns_sweep - remove the temporary name files (RUN_DIR/.@name.nslab-XXXXXXXX) that
 * carry @mark, left by a maker that died while creating @name (NULL: any name; one pass over
 * the run dir for a whole lab). Return: how many, or -errno.
 */
int nsl_netns_sweep(struct nsl_ctx *ctx, const char *name, const char *mark);

/** nsl_netns_add_opts - nsl_netns_add() with @o (NULL: the defaults). */
int nsl_netns_add_opts(struct nsl_ctx *ctx, const char *name, const struct nsl_netns_opts *o,
		       struct nsl_err *err);

/**
 * nsl_netns_attach - name the netns of process @pid (`ip netns attach`).
 * Errors: -ESRCH, -EEXIST, -EPERM.
 */
int nsl_netns_attach(struct nsl_ctx *ctx, const char *name, pid_t pid, struct nsl_err *err);

/**
 * nsl_netns_del - unmount (MNT_DETACH) and unlink RUN_DIR/@name, like `ip netns del`.
 * A symlink (containerlab, pipework) is just unlinked. Errors: -ENOENT, -EBUSY, -EPERM.
 */
int nsl_netns_del(struct nsl_ctx *ctx, const char *name, struct nsl_err *err);

/**
 * struct nsl_netns_info - one entry of the run dir.
 * @name:  file name
 * @nsid:  the nsid assigned in the caller's netns, or -1
 * @stale: not a live namespace (dangling symlink or a plain file)
 */
struct nsl_netns_info {
	char name[256];
	int nsid;
	bool stale;
};

/**
 * nsl_netns_list - the names under the run dir, sorted. Caller frees *@ret with free().
 * A missing run dir is an empty list.
 */
int nsl_netns_list(struct nsl_ctx *ctx, struct nsl_netns_info **ret, size_t *ret_n,
		   struct nsl_err *err);

/**
 * nsl_netns_identify - the name of the netns process @pid (0: self) is in, into @buf;
 * "" when it has none. Return: 0 or negative errno.
 */
int nsl_netns_identify(struct nsl_ctx *ctx, pid_t pid, char *buf, size_t size, struct nsl_err *err);

/**
 * nsl_netns_pids - the PIDs whose netns is @name. Caller frees *@ret.
 */
int nsl_netns_pids(struct nsl_ctx *ctx, const char *name, pid_t **ret, size_t *ret_n,
		   struct nsl_err *err);

/**
 * nsl_netns_set_nsid - assign @nsid (or -1 for "auto") to @name in the caller's netns.
 * Errors: -EEXIST (already assigned), -ENOENT.
 */
int nsl_netns_set_nsid(struct nsl_ctx *ctx, const char *name, int nsid, struct nsl_err *err);

/** nsl_netns_get_nsid - nsid of @name in the caller's netns, or -1 when none is assigned. */
int nsl_netns_get_nsid(struct nsl_ctx *ctx, const char *name, struct nsl_err *err);

/**
 * nsl_netns_exists - 1 when RUN_DIR/@name is a live netns, 0 when absent, 2 when the name
 * exists but is stale (a dangling symlink, or a file that is no longer an nsfs mount).
 * @name may also be a path (0 when it does not exist) or "pid:N" (as for -n); an
 * all-digit @name is a name like any other, never a PID.
 * Return: 1, 0, 2, or a negative errno: -EINVAL (empty, "." or "..", or a file that is no
 * network namespace), -ESRCH (no process N).
 */
int nsl_netns_exists(struct nsl_ctx *ctx, const char *name, struct nsl_err *err);

struct nsl_proc_ref; /* launch.h */

/**
 * nsl_netns_inode - the identity of the named netns @name: device and inode of its nsfs file
 * (what stat() of /proc/PID/ns/net shows for a process inside it). RUN_DIR/@name must be a
 * mounted network namespace. No privilege beyond reading the run dir.
 * Return: 0; -ENOENT (no such name, or a dangling symlink); -EINVAL (a bad name, a plain file
 * left by a failed mount, or a namespace of another type); other errnos of open/fstatfs.
 */
int nsl_netns_inode(struct nsl_ctx *ctx, const char *name, dev_t *ret_dev, ino_t *ret_ino,
		    struct nsl_err *err);

/**
 * nsl_netns_pids_in - every process whose network namespace (that of its main thread, as
 * `ip netns pids`) is one of @inos[0..@n) (see nsl_netns_inode()), found in one pass over
 * /proc however many namespaces there are, each with its start time. Zombies have no
 * namespace and are not listed. The caller frees *@ret with free(); *@ret may be NULL when
 * *@ret_n is 0. Needs to read /proc/PID/ns of other users' processes: root (CAP_SYS_PTRACE).
 * Return: 0, -ENOMEM, or an errno of opening /proc.
 */
int nsl_netns_pids_in(const ino_t *inos, size_t n, struct nsl_proc_ref **ret, size_t *ret_n,
		      struct nsl_err *err);

/**
 * nsl_netns_kill_all - stop every process inside the network namespaces @inos[0..@n),
 * whatever started it (daemons that double-forked, setsid children, `ip netns exec`): scan
 * (nsl_netns_pids_in()) and stop all found at once (nsl_launch_stop_all(), @grace_ms between
 * SIGTERM and SIGKILL), again until a scan finds none, at most 4 rounds, so that children
 * forked during the kill are caught too. A found process is only signalled when, held by its
 * pidfd, it is still the process found and still in one of the namespaces. The caller's own
 * process is never signalled. Needs root (CAP_KILL, CAP_SYS_PTRACE).
 * Return: the number of processes stopped (>= 0); -EBUSY when processes are still found after
 * the last round; or an error of nsl_launch_stop_all() (-EPERM, -ETIMEDOUT), named in @err.
 */
int nsl_netns_kill_all(const ino_t *inos, size_t n, unsigned grace_ms, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
