/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A node's supervisor: its spec, start and reports (topo/sup.c); its ready and exec commands
 * (topo/kind-ready.c, topo/kind-proc.c). */
#ifndef NSL_TOPO_SUP_H
#define NSL_TOPO_SUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "nslab/launch.h"
#include "nslab/topo.h"

struct run;

/* A supervisor started by this up, until it says "ready" (or ends without). */
struct sup_pending {
	int node;
	int fd;		/* its stdout and stderr, until "ready" */
	char spec[4200];
	char buf[512];
	size_t len;
};

/* @dirfd/@a/@b, made when missing (mode 0700), opened O_DIRECTORY|O_NOFOLLOW; or -errno. */
int nsli_sup_subdir(int dirfd, const char *a, const char *b);
/* Write node @node's files and spec and journal it: it starts when the kind settles. */
int nsli_sup_start(struct run *R, const struct nsl_topo *t, int node, struct nsl_err *err);
/* Start every pending supervisor (in parallel) and wait until each said "ready"; the first
 * that did not fails. */
int nsli_sup_settle(struct run *R, const struct nsl_topo *t, struct nsl_err *err);
void nsli_sup_pending_free(struct run *R);
/* What the supervisor @sup of @node (lab dir @dirfd) reports. Free *@ret. */
int nsli_sup_status(int dirfd, const char *node, const struct nsl_proc_ref *sup, struct nsl_topo_proc_state **ret,
		    size_t *ret_n);
/* No process failed or exited unsuccessfully; else @why says which. */
bool nsli_sup_healthy(const struct nsl_topo_proc_state *v, size_t n, char *why, size_t size);
/* Have node @node's living supervisor start its failed processes again, and wait for it. */
int nsli_sup_repair(struct run *R, const struct nsl_topo *t, int node, struct nsl_err *err);
/* The recorded supervisor of @node in journal @js, when it still is that process. */
struct jstate;
int nsli_sup_find(const struct jstate *js, const char *node, struct nsl_proc_ref *ret);

/*
 * Run @l (not detached) to its end with its stdout and stderr into log @logname of the node
 * (lab dir @dirfd, logs/@node/), each line timestamped; the last lines of its output go to
 * @tail (@size bytes, may be NULL). @ret_status as for nsl_launch_wait().
 */
int nsli_run_logged(struct nsl_ctx *ctx, struct nsl_launch *l, int dirfd, const char *node, const char *logname,
		    int *ret_status, char *tail, size_t size, struct nsl_err *err);
/* Keep in @tail (@size bytes, NUL-terminated) the last bytes of what a command printed. */
void nsli_tail_feed(char *tail, size_t size, const char *buf, size_t n);
/* The last line of @s, trailing newlines and blanks cut (in place): for a message. */
const char *nsli_last_line(char *s);
/* The node's command environment: the caller's, with the node's `env` over it. Free with free(). */
char **nsli_node_envp(const struct nsl_topo_node *n);

#endif
