/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_ADDR_H
#define NSLAB_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "error.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Flags for nsl_addr_add(). */
enum {
	NSL_ADDR_NODAD = 1 << 0, /* IFA_F_NODAD: usable at once, no duplicate detection */
};

/**
 * nsl_addr_add - add @addr (IPv4 or IPv6, with prefix length) to @ifname in @netns.
 * @netns: NULL for the context's current netns (-n), else a name, PID or path.
 * 127.0.0.0/8 gets host scope, everything else global (as `ip addr add` does).
 * Errors: -EINVAL (bad @addr or @flags, NSL_E_USAGE), -ENODEV (NSL_E_USAGE), -EEXIST
 * (NSL_E_CONFLICT), other kernel errnos with the kernel's extack (NSL_E_SYSTEM).
 * Needs CAP_NET_ADMIN in @netns.
 */
int nsl_addr_add(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		 const struct nsl_prefix *addr, unsigned flags, struct nsl_err *err);
/** nsl_addr_del - remove @addr from @ifname. Errors: -ENODEV, -EADDRNOTAVAIL (not there). */
int nsl_addr_del(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		 const struct nsl_prefix *addr, struct nsl_err *err);
/**
 * nsl_addr_flush - remove every global-scope address of @ifname (IPv6 link-local and host
 * addresses stay). Return: the number removed, or a negative errno.
 */
int nsl_addr_flush(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err);

/** struct nsl_addr_info - one address; keys follow `ip -j addr` addr_info. */
struct nsl_addr_info {
	int ifindex;
	char ifname[16];
	struct nsl_prefix addr; /* "local" + "prefixlen" */
	char scope[16];		/* "global", "link", "host" */
	unsigned flags;		/* IFA_F_* */
};

/**
 * nsl_addr_list - IPv4 and IPv6 addresses of @ifname (NULL: all links) in @netns, in the
 * kernel's dump order (IPv4 first). Caller frees *@ret. Errors: -ENODEV, netlink errnos.
 */
int nsl_addr_list(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		  struct nsl_addr_info **ret, size_t *ret_n, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
