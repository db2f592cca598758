/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_BRIDGE_H
#define NSLAB_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "error.h"
#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct nsl_bridge - a bridge to create (or, for nsl_bridge_set(), to change).
 * @stp, @vlan_filtering: NSL_TRI_KEEP leaves the kernel default (off)
 * @mcast_snooping: NSL_TRI_KEEP leaves the kernel default (on)
 * @mtu:   0 for the default
 * @up:    bring it up in the same request
 * @alias: IFLA_IFALIAS (ownership marker), NULL for none
 */
struct nsl_bridge {
	const char *name;
	const char *netns;
	enum nsl_tri stp, vlan_filtering, mcast_snooping;
	uint32_t mtu;
	bool up;
	const char *alias;
	const uint8_t *mac;
	uint32_t group; /* IFLA_GROUP, 0 for the default group */
};

/** nsl_bridge_add - create a Linux bridge. Errors: -EEXIST (NSL_E_CONFLICT), kernel errnos. */
int nsl_bridge_add(struct nsl_ctx *ctx, const struct nsl_bridge *b, struct nsl_err *err);
/**
 * nsl_bridge_set - change @b->stp, @b->vlan_filtering, @b->mcast_snooping and @b->mtu (those
 * not left at NSL_TRI_KEEP / 0) of the existing bridge @b->name; one RTM_NEWLINK.
 * Errors: -ENODEV, kernel errnos + extack.
 */
int nsl_bridge_set(struct nsl_ctx *ctx, const struct nsl_bridge *b, struct nsl_err *err);
/** nsl_bridge_del - delete bridge @name; -ENODEV if absent, -EINVAL if it is not a bridge. */
int nsl_bridge_del(struct nsl_ctx *ctx, const char *netns, const char *name, struct nsl_err *err);
/** nsl_bridge_attach - enslave @port to bridge @name (both in @netns). */
int nsl_bridge_attach(struct nsl_ctx *ctx, const char *netns, const char *name, const char *port,
		      struct nsl_err *err);
/** nsl_bridge_detach - release @port from its bridge; -EINVAL when it has none. */
int nsl_bridge_detach(struct nsl_ctx *ctx, const char *netns, const char *port, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
