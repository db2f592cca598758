/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One up or down of a lab: its context, journal and progress (topo/up.c, topo/down.c, topo/run.c). */
#ifndef NSL_TOPO_RUN_H
#define NSL_TOPO_RUN_H

#include "journal.h"
#include "nslab/nslab.h"

struct run {
	struct nsl_ctx *ctx;
	const char *lab;
	char mark[64];	/* the alias of every device and netns `lo` the lab makes */
	uint32_t group; /* IFLA_GROUP of the lab's host-side veths, for one-request deletion */
	int dirfd;
	struct journal j;
	long crash_after, changes;
	nsl_topo_progress_fn progress;
	void *pdata;
	nsl_topo_note_fn note; /* what down left alone, and why */
	void *ndata;
	unsigned k, n;
	struct nsl_hosts *hosts; /* rendered on first use */
	struct sup_pending *pend; /* supervisors started, not yet ready (sup.h) */
	size_t n_pend, cap_pend;
	unsigned stop_ms;	  /* down: the grace of the lab's processes (0: the default) */
	int *ready;		  /* nodes whose `ready` up waits for (kind-ready.c) */
	size_t n_ready, cap_ready;
	int *br_ifindex;	  /* per topology bridge, 0 until looked up */
};

/* The recorded `run` process of @node, when it still is the process started: -ESRCH otherwise. */
int nsli_run_find_proc(struct run *R, const char *node, struct nsl_proc_ref *ret);
void nsli_run_step(struct run *R, const char *op, const char *what);
void nsli_run_note(struct run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nsli_run_jadd(struct run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The root netns's links, sorted by name (bsearch with link_cmp). */
int nsli_root_links(struct nsl_ctx *ctx, struct nsl_link_info **ret, size_t *ret_n, struct nsl_err *err);
int nsli_link_cmp(const void *a, const void *b);

/* run.c */
void nsli_run_init(struct run *R, struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress, void *data);
/* After each kernel change (test builds: where NSLAB_TEST_CRASH_AFTER kills). */
void nsli_run_changed(struct run *R);
/* Append "-RECORD" for every live record of the journal that starts with the formatted prefix. */
int nsli_run_forget(struct run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Likewise from @js, the journal as the caller read it and nothing added since with that
 * prefix: a removal that has the journal at hand reads it once, not once a prefix. */
int nsli_run_forget_in(struct run *R, const struct jstate *js, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* @err, for object @x that failed: its key before the message. Returns @r. */
struct obj;
int nsli_run_fail_obj(struct nsl_err *err, const struct obj *x, int r);

/* lab.c: the state of a lab */
int nsli_lab_load_applied(struct nsl_ctx *ctx, int dirfd, const char *lab, struct nsl_topo **ret, struct nsl_err *err);
int nsli_lab_read_state(int dirfd, const char *lab, struct jstate *js, bool *ret_dirty, struct nsl_err *err);
void nsli_lab_remove_state(int dirfd, const char *lab, struct nsl_ctx *ctx);
/* The kernel names of @t's derived devices, as the state dir's "names" file. */
int nsli_lab_names_render(const struct nsl_topo *t, char **ret, size_t *ret_len);

/* diff.c */
struct objs;
int nsli_diff_for(struct nsl_ctx *ctx, struct nsl_topo *t, int dirfd, struct objs *nw, struct objs *old,
	     struct nsl_topo **ret_old, bool *ret_dirty, struct nsl_err *err);
bool nsli_implied_by(const struct obj *x, const struct obj *p, const struct obj *p2);
bool nsli_listed(const struct obj *x);

/* down.c: ownership proofs and the teardown of what a journal names. */
struct teardown_opts {
	bool force;			/* also what only carries the lab's markers */
	const struct nsl_topo *model;	/* force: the lab.yaml model, for netns names (NULL: none) */
};
int nsli_teardown(struct run *R, struct jstate *js, const struct teardown_opts *o, unsigned *ret_removed,
	     struct nsl_err *err);
/* The recorded inode of netns @name in @js (0: none). */
unsigned long long nsli_journal_nsino(const struct jstate *js, const char *name);
/* Whether netns @name is the lab's: the nsfs inode recorded (@ino, 0: none), else the marker
 * on its lo. 1 yes (*@ret_ino set), 0 gone, -EPERM not the lab's (noted), other errors. */
int nsli_prove_netns(struct run *R, const char *name, unsigned long long ino, unsigned long long *ret_ino);
/* Delete device @ifname of @netns only if it carries the lab's marker; gone is fine. */
int nsli_del_marked_link(struct run *R, const char *netns, const char *ifname, struct nsl_err *err);
/* Kill every process in the netns of the @n inodes, one grace period for all. */
int nsli_kill_in_netns(struct run *R, const unsigned long long *inos, size_t n);
/* The hashes (at most @max) of the `file @netns @name HASH` records of @js. */
size_t nsli_file_hashes(const struct jstate *js, const char *netns, const char *name, uint64_t *v, size_t max);
/* Remove /etc/netns/@netns/@name when its content is what a `file` record of @js says. */
int nsli_del_owned_file(struct run *R, const struct jstate *js, const char *netns, const char *name);
/* Remove /etc/netns/@netns/{hosts,resolv.conf} when a `file` record of @js proves them nslab's
 * (@generated: also unrecorded ones that start with nslab's header), then its temporary files
 * and the dir when empty; one opening of the dir. What is not nslab's is noted, left alone. */
void nsli_del_node_files(struct run *R, const struct jstate *js, const char *netns, bool generated);

#endif
