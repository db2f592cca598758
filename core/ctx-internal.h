/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSL_CORE_CTX_INTERNAL_H
#define NSL_CORE_CTX_INTERNAL_H

#include "nslab/parse.h"

struct nsl_nl {
	struct nsl_nl *next;
	struct mnl_socket *sock;
	int nsfd;  /* the netns, kept open: later opens of the same spec dup it */
	unsigned portid;
	unsigned seq;
	char *key; /* the spec it was opened for; NULL for the context's own netns */
	char *buf; /* receive buffer, MNL_SOCKET_BUFFER_SIZE-ish, allocated on first use */
};

struct nsl_ctx {
	char *dirs[_NSL_DIR_MAX];
	char *netns;	   /* -n NAME, or NULL */
	int home_fd;	   /* the netns the context was created in */
	bool broken;	   /* a return to home_fd failed */
	bool run_dir_ready; /* the run dir is known to be a shared mount */
	struct nsl_nl *nl; /* sessions, most recently used first */
	unsigned n_sessions, max_sessions;
	int etc_fd;	    /* NSL_DIR_ETC, opened once (nsli_ctx_etc_fd), or -1 */
	int proc_fd;	    /* a detached procfs of our own: -1 none yet, -2 unavailable */
	unsigned proc_uses; /* lookups through it */
};

void nsli_nl_close_all(struct nsl_ctx *ctx);
/* The netns fd an open session of @spec keeps, or -1 (do not close it). */
int nsli_nl_cached_nsfd(struct nsl_ctx *ctx, const char *spec);

#endif
