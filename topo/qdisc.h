/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSL_TOPO_QDISC_H
#define NSL_TOPO_QDISC_H

#include <stdint.h>

#include "nslab/ctx.h"
#include "nslab/error.h"

/* Shape egress of @ifname in @netns to @rate bytes/s with a tbf root qdisc. */
int topo_qdisc_tbf(struct nsl_ctx *ctx, const char *netns, const char *ifname, uint64_t rate,
		   struct nsl_err *err);
int topo_qdisc_del(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err);

#endif
