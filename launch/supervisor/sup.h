/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nslab-supervise, the PID 1 of a lab node: internal declarations shared by its files.
 * A separate program, libc only (plus core/logfile.o and launch/rootfs.o), so that each
 * node costs little memory; see nslab-supervise.c for the whole picture.
 */
#ifndef NSL_SUPERVISE_H
#define NSL_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "logfile.h"
#include "protocol.h"

#define SUP_STOP_DEFAULT_MS 5000
#define SUP_BACKOFF_MIN_MS 100
#define SUP_BACKOFF_MAX_MS 10000
/* A run at least this long resets the back-off. */
#define SUP_BACKOFF_RESET_MS 10000

enum sup_restart { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum sup_state { ST_RUNNING, ST_EXITED, ST_RESTARTING, ST_STOPPING, ST_FAILED };
enum sup_mount_kind { MNT_BIND, MNT_TMPFS };

struct sup_mount {
	enum sup_mount_kind kind;
	unsigned line;
	char *src; /* bind: a host path */
	char *dst; /* absolute, in the node's view */
	bool ro;
	unsigned mode;	/* tmpfs */
	int64_t uid, gid; /* tmpfs: -1 unchanged */
	int tree;	  /* bind: the detached clone of src, -1 until taken */
};

struct sup_proc {
	/* from the spec */
	char *name;
	unsigned line;
	enum sup_restart restart;
	int64_t uid, gid; /* -1: stay root */
	char *wd;	  /* NULL: / */
	char **argv;	  /* NULL-terminated */
	size_t argc;
	char **envp; /* NULL-terminated, PATH and HOME added when missing */
	size_t envc;
	/* at run time */
	struct nsli_logfile log;
	enum sup_state state;
	pid_t pid; /* 0: none */
	int64_t since;	/* CLOCK_REALTIME seconds of the last state change */
	unsigned restarts;
	int last;	    /* -1: none; 0..255 exit code; 256 + N: killed by signal N */
	bool exec_failed;   /* the last start failed before or at execve */
	uint64_t started;   /* CLOCK_MONOTONIC ms of the last start */
	uint64_t backoff;   /* ms before the next restart */
	uint64_t restart_at; /* CLOCK_MONOTONIC ms; valid while ST_RESTARTING */
};

struct sup_spec {
	const char *path; /* for messages */
	char *log_dir;
	char *status_file;
	char *rootfs;
	struct sup_mount *mounts;
	size_t n_mounts, cap_mounts;
	unsigned stop_ms;
	struct sup_proc *procs;
	size_t n_procs, cap_procs;
};

/* An output pipe being read: a process's stdout+stderr. It may outlive the process (a
 * daemon it left behind still holds it), so it is kept apart from the process. */
struct sup_output {
	int fd;
	size_t proc;
};

struct sup {
	struct sup_spec spec;
	int log_dir;	  /* O_DIRECTORY, opened before any mount */
	int status_dir;	  /* the status file's directory */
	char *status_name;
	struct nsli_logfile log; /* supervise.log: this program's own messages */
	bool pid1;	  /* PID 1 of the node's PID namespace; else a child subreaper */
	int sigfd;
	struct sup_output *outs;
	size_t n_outs, cap_outs;
	char *buf; /* the read buffer */
	bool stopping;
	bool killed;	      /* SIGKILL sent */
	uint64_t stop_deadline; /* CLOCK_MONOTONIC ms */
	bool status_dirty;
};

/* procs.c */
int sup_proc_start(struct sup *s, size_t i);
void sup_proc_exited(struct sup *s, pid_t pid, int wstatus);
void sup_status_write(struct sup *s);
void sup_kill_all(struct sup *s, int sig);
void sup_msg(struct sup *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* spec.c: parse @text (NUL-terminated) into @s; on error, one line "PATH:LINE: what" is
 * written to @err (size @size). Return 0 or -1. */
int sup_spec_parse(struct sup_spec *s, char *text, char *err, size_t size);
void sup_spec_free(struct sup_spec *s);

/* mounts.c: clone every bind source (before anything is mounted or the root changes), then
 * enter the rootfs when there is one, then apply the mounts in order. On error, @err holds
 * one line naming the mount and the errno text. Return 0 or -1. */
int sup_mounts_apply(struct sup_spec *s, char *err, size_t size);

/* time */
uint64_t sup_now_ms(void);
int64_t sup_realtime_s(void);

#endif
