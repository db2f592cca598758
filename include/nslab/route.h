/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_ROUTE_H
#define NSLAB_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "error.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct nsl_route - a unicast route.
 * @dst:     destination prefix (len 0 = default); its family is the route's family
 * @via:     gateway, or NULL
 * @dev:     output device, or NULL (then @via must be given)
 * @metric:  priority, 0 for the kernel default
 * @table:   0 for main
 */
struct nsl_route {
	struct nsl_prefix dst;
	const struct nsl_prefix *via;
	const char *dev;
	uint32_t metric;
	uint32_t table;
};

/**
 * nsl_route_add - add @rt (NLM_F_CREATE|NLM_F_EXCL) in @netns (NULL: the current one), with
 * protocol "boot" as `ip route add` uses. @rt->via must have @rt->dst's family.
 * Errors: -EINVAL (NSL_E_USAGE: bad prefix, mixed families, neither via nor dev),
 * -ENODEV (NSL_E_USAGE), -EEXIST (NSL_E_CONFLICT), -ENETUNREACH and other kernel errnos with
 * the kernel's extack ("Nexthop has invalid gateway") (NSL_E_SYSTEM).
 */
int nsl_route_add(struct nsl_ctx *ctx, const char *netns, const struct nsl_route *rt,
		  struct nsl_err *err);
/** nsl_route_replace - add or replace @rt (NLM_F_CREATE|NLM_F_REPLACE). */
int nsl_route_replace(struct nsl_ctx *ctx, const char *netns, const struct nsl_route *rt,
		      struct nsl_err *err);
/**
 * nsl_route_del - delete the route matching @rt: its prefix and table, and its gateway,
 * device and metric when given (any scope and protocol). Errors: -ESRCH (no such route).
 */
int nsl_route_del(struct nsl_ctx *ctx, const char *netns, const struct nsl_route *rt,
		  struct nsl_err *err);

/** struct nsl_route_info - one route; keys follow `ip -j route`. */
struct nsl_route_info {
	struct nsl_prefix dst;
	bool has_gateway;
	struct nsl_prefix gateway;
	char dev[16];
	uint32_t metric;
	uint32_t table;
	char protocol[16];
	char scope[16];
	struct nsl_prefix prefsrc;
	bool has_prefsrc;
	bool has_metric;	/* the kernel sent RTA_PRIORITY (IPv4 routes may have none) */
	unsigned flags;		/* RTNH_F_* / RTM_F_* of rtm_flags ("onlink", "linkdown") */
};

/**
 * nsl_route_list - unicast routes of @family (AF_UNSPEC: both) in @table (0: main) of @netns,
 * cached clones left out, in the kernel's dump order. Caller frees *@ret.
 */
int nsl_route_list(struct nsl_ctx *ctx, const char *netns, int family, uint32_t table,
		   struct nsl_route_info **ret, size_t *ret_n, struct nsl_err *err);

/**
 * nsl_neigh_flush - delete the neighbour entries (ARP and NDP) of @netns that the kernel
 * learned, as `ip neigh flush all` does; permanent and NOARP entries stay. The kernel's
 * neighbour tables are shared by all namespaces and capped together (gc_thresh3), so tests
 * that make many pairs talk flush between waves.
 * Return: the number of entries deleted, or a negative errno.
 */
int nsl_neigh_flush(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
