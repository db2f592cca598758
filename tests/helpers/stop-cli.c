// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test driver for stopping processes (include/nslab/launch.h, netns.h) until the CLI uses it.
 * Usage:
 *   stop-cli inode NETNS                      prints "DEV INO"
 *   stop-cli pids NETNS...                    prints "PID STARTTIME" per process, one scan
 *   stop-cli kill GRACE_MS NETNS...           nsl_netns_kill_all; prints "killed N"
 *   stop-cli exec-fd NETNS FILE CMD...        nsl_launch_netns_exec_fd, output to FILE
 *   stop-cli enter-ref PID STARTTIME CMD...   nsl_launch_enter_ref (all namespaces)
 * A library error prints "error ERRNO_NAME: MESSAGE" to stderr and exits 1; usage errors
 * exit 2; exec-fd and enter-ref exit with the command's status. "elapsed_ms N" goes to
 * stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nslab/ctx.h"
#include "nslab/launch.h"
#include "nslab/netns.h"

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int fail(int r, const struct nsl_err *err)
{
	const char *s = strerrorname_np(-r);

	fprintf(stderr, "error %s: %s\n", s ? s : "?", err->msg);
	return 1;
}

static int inodes(struct nsl_ctx *ctx, char **names, int n, ino_t *ret, struct nsl_err *err)
{
	for (int i = 0; i < n; i++) {
		dev_t dev;
		int r = nsl_netns_inode(ctx, names[i], &dev, &ret[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

static int cmd_inode(struct nsl_ctx *ctx, char **argv, struct nsl_err *err)
{
	dev_t dev;
	ino_t ino;
	int r = nsl_netns_inode(ctx, argv[0], &dev, &ino, err);

	if (r < 0)
		return fail(r, err);
	printf("%llu %llu\n", (unsigned long long)dev, (unsigned long long)ino);
	return 0;
}

static int cmd_pids(struct nsl_ctx *ctx, char **argv, int argc, struct nsl_err *err)
{
	ino_t inos[argc];
	struct nsl_proc_ref *v = NULL;
	size_t n = 0;
	int r;

	r = inodes(ctx, argv, argc, inos, err);
	if (r == 0)
		r = nsl_netns_pids_in(inos, (size_t)argc, &v, &n, err);
	if (r < 0)
		return fail(r, err);
	for (size_t i = 0; i < n; i++)
		printf("%d %llu\n", (int)v[i].pid, v[i].starttime);
	free(v);
	return 0;
}

static int cmd_kill(struct nsl_ctx *ctx, char **argv, int argc, struct nsl_err *err)
{
	ino_t inos[argc];
	unsigned grace = (unsigned)strtoul(argv[0], NULL, 10);
	long t0;
	int r;

	r = inodes(ctx, argv + 1, argc - 1, inos, err);
	if (r < 0)
		return fail(r, err);
	t0 = ms_now();
	r = nsl_netns_kill_all(inos, (size_t)argc - 1, grace, err);
	fprintf(stderr, "elapsed_ms %ld\n", ms_now() - t0);
	if (r < 0)
		return fail(r, err);
	printf("killed %d\n", r);
	return 0;
}

static int cmd_exec_fd(struct nsl_ctx *ctx, char **argv, struct nsl_err *err)
{
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), status = -1, r;
	long t0 = ms_now();

	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	r = nsl_launch_netns_exec_fd(ctx, argv[0], argv + 2, fd, &status, err);
	fprintf(stderr, "elapsed_ms %ld\n", ms_now() - t0);
	close(fd);
	if (r < 0)
		return fail(r, err);
	return status;
}

static int cmd_enter_ref(struct nsl_ctx *ctx, char **argv, struct nsl_err *err)
{
	struct nsl_proc_ref ref = { .pid = (pid_t)atoi(argv[0]),
				    .starttime = strtoull(argv[1], NULL, 10) };
	int status = -1, r;

	r = nsl_launch_enter_ref(ctx, &ref, NSL_NS_ALL, argv + 2, -1, &status, err);
	if (r < 0)
		return fail(r, err);
	return status;
}

int main(int argc, char **argv)
{
	struct nsl_ctx *ctx = NULL;
	struct nsl_err err = { 0 };
	const char *cmd = argc > 1 ? argv[1] : "";
	int r = 2;

	if (nsl_ctx_new(&ctx, &err) < 0)
		return fail(err.code ? err.code : -EIO, &err);
	if (!strcmp(cmd, "inode") && argc == 3)
		r = cmd_inode(ctx, argv + 2, &err);
	else if (!strcmp(cmd, "pids") && argc >= 3)
		r = cmd_pids(ctx, argv + 2, argc - 2, &err);
	else if (!strcmp(cmd, "kill") && argc >= 4)
		r = cmd_kill(ctx, argv + 2, argc - 2, &err);
	else if (!strcmp(cmd, "exec-fd") && argc >= 5)
		r = cmd_exec_fd(ctx, argv + 2, &err);
	else if (!strcmp(cmd, "enter-ref") && argc >= 5)
		r = cmd_enter_ref(ctx, argv + 2, &err);
	else
		fprintf(stderr, "usage: stop-cli inode|pids|kill|exec-fd|enter-ref ...\n");
	nsl_ctx_free(ctx);
	return r;
}
