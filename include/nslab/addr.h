/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_ADDR_H
#define NSLAB_ADDR_H

#include <stdbool.h>

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
 * Errors: -ENODEV, -EEXIST (NSL_E_CONFLICT), kernel errnos + extack.
 */
int nsl_addr_add(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		 const struct nsl_prefix *addr, unsigned flags, struct nsl_err *err);
/** nsl_addr_del - remove @addr from @ifname. Errors: -ENODEV, -EADDRNOTAVAIL. */
int nsl_addr_del(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		 const struct nsl_prefix *addr, struct nsl_err *err);
/** nsl_addr_flush - remove every global-scope address of @ifname. Return: count removed. */
int nsl_addr_flush(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err);

/** struct nsl_addr_info - one address; keys follow `ip -j addr` addr_info. */
struct nsl_addr_info {
	int ifindex;
	char ifname[16];
	struct nsl_prefix addr; /* "local" + "prefixlen" */
	char scope[16];		/* "global", "link", "host" */
	unsigned flags;		/* IFA_F_* */
};

/** nsl_addr_list - addresses of @ifname (NULL: all links) in @netns. Caller frees *@ret. */
int nsl_addr_list(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		  struct nsl_addr_info **ret, size_t *ret_n, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
