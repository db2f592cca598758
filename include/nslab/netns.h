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
 */
struct nsl_netns_opts {
	bool ipv6_off;
};

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
 */
int nsl_netns_exists(struct nsl_ctx *ctx, const char *name, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
