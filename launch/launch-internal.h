/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to launch/: the plan the parent prepares before forking, and the messages the
 * children send back. Everything a child needs is computed in the parent, so the children
 * never allocate (the caller may be multi-threaded; malloc after fork is not safe then).
 */
#ifndef NSL_LAUNCH_INTERNAL_H
#define NSL_LAUNCH_INTERNAL_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "nslab/launch.h"

#define LAUNCH_MAX_ETC 64

struct launch_plan {
	const struct nsl_launch *l;
	unsigned long clone_flags; /* CLONE_NEW* of the command process (time: by unshare) */
	bool new_time;
	/* ip netns exec */
	int netfd;		/* -1: no named netns */
	const char *netns_name; /* source string of the new /sys */
	int etcfd;		/* ETC_DIR/NAME, -1 when absent */
	char etc_entries[LAUNCH_MAX_ETC][NAME_MAX + 1];
	unsigned n_etc;
	int base_mnt;		/* the mount namespace to copy (base.c); -1: the caller's */
	/* nsenter */
	int join_pidfd; /* -1: none */
	unsigned long join_flags;
	bool join_user;
	/* The same namespaces as /proc/PID/ns files, in nsenter's order (user, cgroup, ipc,
	 * uts, net, pid, mnt, time), for kernels whose setns() takes no pidfd; -1: not joined */
	int join_fds[8];
	/* the command */
	int devnull;   /* detach: /dev/null */
	char timens[96]; /* "7 S 0\n1 S 0\n" or "" */
	/* pipes: parent → children ("go" bytes), children → parent (struct launch_msg) */
	int go_r;
	int rep_w;
	/* Quick: no maps, no persisted namespaces, no init: nothing for the parent to do
	 * between the clone and the exec, so the children share its memory (child.c) and
	 * report on a socket (the command's pidfd travels with MSG_PID). */
	bool quick;
	sigset_t sigmask;      /* the caller's, for the command */
	void *stack_cmd;       /* top of the command's stack */
};

enum launch_msg_type {
	MSG_PID = 1,   /* helper: the command process is @pid */
	MSG_ERR = 2,   /* a setup step failed with @err */
	MSG_READY = 3, /* the command process is set up and waits for the last "go" */
	MSG_EXEC = 4,  /* execve failed with @err */
};

/* Less than PIPE_BUF, so every write is atomic. */
struct launch_msg {
	int type;
	int err;
	pid_t pid;
	char what[120];
};

/* child.c: the helper process; never returns. */
_Noreturn void nsli_launch_helper(const struct launch_plan *p);
/* child.c: the quick helper, a clone() fn taking the plan; never returns. */
int nsli_launch_quick_helper(void *plan);

/* stop.c: whether @pidfd's process has exited (a zombie has); -ESRCH unless @pid is the
 * live, non-zombie process @pidfd holds with start time @starttime (0: any). */
bool nsli_launch_pidfd_exited(int pidfd);
int nsli_launch_pidfd_check(int pidfd, pid_t pid, unsigned long long starttime);

/* idmap.c */
extern const unsigned nsli_launch_join_order[8];
const char *nsli_launch_ns_name(unsigned bit);
unsigned long nsli_launch_ns_to_clone(unsigned ns);
int nsli_launch_idmap_format(const struct nsl_idmap *ranges, unsigned n, int64_t single, uint32_t outer,
			char *buf, size_t size);

#endif
