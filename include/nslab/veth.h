/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_VETH_H
#define NSLAB_VETH_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct nsl_veth - a veth pair to create.
 * @name, @peer:       interface names (validated: 1..15 bytes)
 * @netns, @peer_netns: where each end is born (NULL: the context's current netns)
 * @mtu:               both ends; 0 for the kernel default
 * @mac, @peer_mac:    NULL for random
 * @master:            bridge (in @netns) to enslave @name to, in the same request
 * @up, @peer_up:      bring that end up (the peer needs one more message, from its netns)
 * @alias, @peer_alias: IFLA_IFALIAS to set (ownership markers), NULL for none
 * @altname, @peer_altname: an altname to add, NULL for none
 * @group:             IFLA_GROUP for both ends, 0 for the default group
 */
struct nsl_veth {
	const char *name, *peer;
	const char *netns, *peer_netns;
	uint32_t mtu;
	const uint8_t *mac, *peer_mac;
	const char *master;
	int master_ifindex; /* of @master when the caller knows it: saves a lookup */
	bool up, peer_up;
	const char *alias, *peer_alias;
	const char *altname, *peer_altname;
	uint32_t group;
};

/**
 * nsl_veth_add - create a veth pair with both ends already in their final namespaces and
 * names, in one RTM_NEWLINK (the peer's netns goes in the nested peer info, so it never
 * appears on the host). Optional follow-ups (peer up, aliases, altnames) are sent batched.
 * If a follow-up fails, the pair is deleted again.
 * Errors: -EEXIST (NSL_E_CONFLICT), -ENOENT (netns), -ENODEV (master), kernel errnos + extack.
 */
int nsl_veth_add(struct nsl_ctx *ctx, const struct nsl_veth *v, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
