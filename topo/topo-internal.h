/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSL_TOPO_INTERNAL_H
#define NSL_TOPO_INTERNAL_H

#include "nslab/topo.h"

#define NSL_TOPO_MARK_PREFIX "nslab:"

/* Derive a kernel interface name (<= 15 bytes) for the parts joined by '-'; deterministic. */
void topo_derive_ifname(const char *const *parts, size_t n, char out[16]);
uint32_t topo_hash(const char *s);

/* journal.c */
struct journal;
int journal_lock(struct nsl_ctx *ctx, const char *lab, int *ret_fd, struct nsl_err *err);
void journal_unlock(struct nsl_ctx *ctx, const char *lab, int fd, bool remove);
int topo_state_dir(struct nsl_ctx *ctx, const char *lab, bool create, int *ret_fd,
		   struct nsl_err *err);

#endif
