/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to route/: request builders, kept apart from sending for tests/unit/test-addr-route.c. */
#ifndef NSL_ROUTE_INTERNAL_H
#define NSL_ROUTE_INTERNAL_H

#include <netlink/msg.h>

#include "nslab/route.h"

enum nsl_route_op {
	NSL_ROUTE_ADD,	   /* RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL */
	NSL_ROUTE_REPLACE, /* RTM_NEWROUTE, NLM_F_CREATE|NLM_F_REPLACE */
	NSL_ROUTE_DEL,	   /* RTM_DELROUTE, matching any scope and protocol */
};

/**
 * nsli_route_build - the request for @op on @rt, with @oif the ifindex of @rt->dev (0: none).
 * Return: 0 or a negative errno (never NLE_*); free *@ret with nlmsg_free().
 */
int nsli_route_build(enum nsl_route_op op, const struct nsl_route *rt, int oif, struct nl_msg **ret);

#endif
