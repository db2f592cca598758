/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSL_TOPO_INTERNAL_H
#define NSL_TOPO_INTERNAL_H

#include "nslab/topo.h"

#define NSL_TOPO_MARK_PREFIX "nslab:"

uint32_t nsli_topo_hash(const char *s);

/**
 * topo_names_keep - give every device of @t that nslab names itself (a bridge of the root
 * netns, the bridge-side end of a port) the kernel name it has in @prev when @prev has it too
 * (same lab; bridge by name; port by node and interface, on a bridge of the same netns), then
 * name the others as nsl_topo_load() does, around the kept names: no two devices of one netns
 * share a name. @prev: the model the last up applied, with the names it applied (NULL: derive
 * all, as the load did). No kernel call.
 * Errors: -ENOMEM (NSL_E_SYSTEM).
 */
int nsli_topo_names_keep(struct nsl_topo *t, const struct nsl_topo *prev, struct nsl_err *err);

/* journal.c */
struct journal;
int nsli_journal_lock(struct nsl_ctx *ctx, const char *lab, int *ret_fd, struct nsl_err *err);
void nsli_journal_unlock(struct nsl_ctx *ctx, const char *lab, int fd, bool remove);
int nsli_topo_state_dir(struct nsl_ctx *ctx, const char *lab, bool create, int *ret_fd,
		   struct nsl_err *err);

#endif
