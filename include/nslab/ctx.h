/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_CTX_H
#define NSLAB_CTX_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct nsl_ctx - one library session.
 *
 * Holds the directories nslab works in and one netlink socket per network namespace, each
 * opened once (enter the netns, open, return at once) and kept until the context is freed
 * or the netns is deleted through nslab. Not thread-safe: use one context per thread.
 */
struct nsl_ctx;

/**
 * enum nsl_dir - the directories nslab works in (nslab(8), FILES).
 * @NSL_DIR_RUN:   named netns files, default /var/run/netns (env NSLAB_RUN_DIR)
 * @NSL_DIR_ETC:   per-netns /etc overlay, default /etc/netns (env NSLAB_ETC_DIR)
 * @NSL_DIR_STATE: lab state, journals and locks, default /run/nslab (env NSLAB_STATE_DIR)
 * @NSL_DIR_LIBEXEC: nslab's helper programs (nslab-supervise, the PID 1 of a lab node),
 *                 default LIBEXECDIR/nslab as built, /usr/local/libexec/nslab (env NSLAB_LIBEXEC_DIR)
 */
enum nsl_dir {
	NSL_DIR_RUN,
	NSL_DIR_ETC,
	NSL_DIR_STATE,
	NSL_DIR_LIBEXEC,
	_NSL_DIR_MAX,
};

/**
 * nsl_ctx_new - create a context; directories come from the environment (read with
 * secure_getenv) or the defaults. The calling thread's network namespace becomes the
 * context's "current" one.
 * Return: 0, -EINVAL (NSL_E_USAGE: NSLAB_RUN_DIR, NSLAB_ETC_DIR or NSLAB_STATE_DIR is set but
 * not an absolute path; @err names the value), -ENOMEM, or the errno of opening
 * /proc/self/ns/net.
 */
int nsl_ctx_new(struct nsl_ctx **ret, struct nsl_err *err);

/** nsl_ctx_free - close every socket and free @ctx (NULL allowed). Return: NULL. */
struct nsl_ctx *nsl_ctx_free(struct nsl_ctx *ctx);

/** nsl_ctx_set_dir - override one directory (an absolute path). Return: 0, -EINVAL, -ENOMEM. */
int nsl_ctx_set_dir(struct nsl_ctx *ctx, enum nsl_dir which, const char *path, struct nsl_err *err);

/** nsl_ctx_get_dir - the directory in force. */
const char *nsl_ctx_get_dir(const struct nsl_ctx *ctx, enum nsl_dir which);

/**
 * nsl_ctx_set_netns - make @netns (a name under the run dir, or NULL for the caller's own)
 * the namespace that every call with a NULL netns argument works in, like `ip -n`.
 * Return: 0, -ENOENT when there is no such netns.
 */
int nsl_ctx_set_netns(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err);

/** nsl_ctx_get_netns - the name set by nsl_ctx_set_netns(), or NULL. */
const char *nsl_ctx_get_netns(const struct nsl_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
