/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the library (launch/, used by topo/): launching many nodes of one lab from one
 * base mount namespace instead of the caller's (base.c says why).
 */
#ifndef NSL_LAUNCH_BASE_H
#define NSL_LAUNCH_BASE_H

#include "nslab/launch.h"

/*
 * nsli_launch_base_open - a private copy of the caller's mount namespace without the named
 * netns of RUN_DIR (an empty read-only tmpfs over it), as an O_CLOEXEC nsfs fd in @ret_fd.
 * Needs CAP_SYS_ADMIN. Negative errno, with @err, on failure.
 */
int nsli_launch_base_open(struct nsl_ctx *ctx, int *ret_fd, struct nsl_err *err);

/*
 * nsli_launch_run_base - nsl_launch_run(), where @l->netns is joined with a new mount
 * namespace copied from @base_mnt (from nsli_launch_base_open) rather than from the caller's;
 * @base_mnt -1: the caller's, as nsl_launch_run().
 */
int nsli_launch_run_base(struct nsl_ctx *ctx, const struct nsl_launch *l, int base_mnt,
			 struct nsl_launch_proc *ret, struct nsl_err *err);

#endif
