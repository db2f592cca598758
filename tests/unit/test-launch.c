// SPDX-License-Identifier: GPL-2.0-or-later
/* Launcher: parsers and validation, and runs that need no privilege (no namespaces). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nslab/nslab.h"
#include "nslab/launch.h"
#include "tap.h"

static void test_parsers(void)
{
	struct nsl_idmap m;

	ok(nsl_launch_parse_idmap("0:100000:65536", &m, NULL) == 0 && m.inner == 0 &&
		   m.outer == 100000 && m.count == 65536,
	   "idmap 0:100000:65536");
	ok(nsl_launch_parse_idmap("0:100000:0", &m, NULL) == -EINVAL, "idmap count 0");
	ok(nsl_launch_parse_idmap("0:100000", &m, NULL) == -EINVAL, "idmap two fields");
	ok(nsl_launch_parse_idmap("01:1:1", &m, NULL) == -EINVAL, "idmap leading zero");
	ok(nsl_launch_parse_idmap("1:1:1x", &m, NULL) == -EINVAL, "idmap junk");
	ok(nsl_launch_parse_idmap("-1:1:1", &m, NULL) == -EINVAL, "idmap sign");
	ok(nsl_launch_parse_idmap("4294967295:0:1", &m, NULL) == -EINVAL, "idmap -1 inside");
	ok(nsl_launch_parse_idmap("0:4294967200:1000", &m, NULL) == -EINVAL, "idmap overflow");
	ok(nsl_launch_parse_ns("mount") == NSL_NS_MNT && nsl_launch_parse_ns("mnt") == NSL_NS_MNT,
	   "ns mount/mnt");
	ok(nsl_launch_parse_ns("time") == NSL_NS_TIME && nsl_launch_parse_ns("bogus") == 0, "ns names");
}

static int check(void (*tweak)(struct nsl_launch *))
{
	static char *const argv[] = { "true", NULL };
	struct nsl_launch l;
	struct nsl_err err = { 0 };

	nsl_launch_init(&l, argv);
	tweak(&l);
	return nsl_launch_check(&l, &err);
}

static void t_ok(struct nsl_launch *l) { l->new_ns = NSL_NS_UTS; l->hostname = "h1"; }
static void t_host(struct nsl_launch *l) { l->hostname = "h1"; }
static void t_longhost(struct nsl_launch *l)
{
	l->new_ns = NSL_NS_UTS;
	l->hostname = "0123456789012345678901234567890123456789012345678901234567890123456789";
}
static void t_init(struct nsl_launch *l) { l->init = true; }
static void t_detach(struct nsl_launch *l) { l->detach = l->kill_child = true; }
static void t_time(struct nsl_launch *l) { l->monotonic = 5; }
static void t_netns(struct nsl_launch *l) { l->netns = "x"; l->new_ns = NSL_NS_NET; }
static void t_noargv(struct nsl_launch *l) { l->argv = NULL; }
static void t_rootfs(struct nsl_launch *l) { l->rootfs = "/nonexistent-rootfs"; }
static void t_overlap(struct nsl_launch *l)
{
	static const struct nsl_idmap m[] = { { 0, 100000, 10 }, { 5, 200000, 10 } };

	l->uid_map = m;
	l->n_uid_map = 2;
}
static void t_single_overlap(struct nsl_launch *l)
{
	static const struct nsl_idmap m[] = { { 0, 100000, 10 } };

	l->uid_map = m;
	l->n_uid_map = 1;
	l->map_uid = 3;
}
static void t_persist(struct nsl_launch *l)
{
	static const struct nsl_persist p[] = { { NSL_NS_NET, "/" } };

	l->persist = p;
	l->n_persist = 1;
}

static void test_check(void)
{
	ok(check(t_ok) == 0, "uts + hostname is valid");
	ok(check(t_host) == -EINVAL, "hostname needs uts");
	ok(check(t_longhost) == -EINVAL, "hostname too long");
	ok(check(t_init) == -EINVAL, "init needs pid");
	ok(check(t_detach) == -EINVAL, "detach excludes kill_child");
	ok(check(t_time) == -EINVAL, "offsets need time");
	ok(check(t_netns) == -EINVAL, "--net and --net=NAME");
	ok(check(t_noargv) == -EINVAL, "no command");
	ok(check(t_rootfs) == -ENOENT, "missing rootfs");
	ok(check(t_overlap) == -EINVAL, "overlapping ranges");
	ok(check(t_single_overlap) == -EINVAL, "single id inside a range");
	ok(check(t_persist) == -EINVAL, "persist needs the namespace");
}

static void test_run(struct nsl_ctx *ctx)
{
	static char *const t[] = { "true", NULL }, *const e3[] = { "sh", "-c", "exit 3", NULL },
			   *const k[] = { "sh", "-c", "kill -9 $$", NULL },
			   *const nx[] = { "/nonexistent/cmd", NULL }, *const dir[] = { "/", NULL },
			   *const sl[] = { "sleep", "100", NULL };
	struct nsl_launch l;
	struct nsl_launch_proc p;
	struct nsl_err err = { 0 };
	unsigned long long st;
	int status = -1, r;

	nsl_launch_init(&l, t);
	ok(nsl_launch_exec(ctx, &l, &status, &err) == 0 && status == 0, "true -> 0");
	l.argv = e3;
	ok(nsl_launch_exec(ctx, &l, &status, &err) == 0 && status == 3, "exit 3 -> 3");
	l.argv = k;
	ok(nsl_launch_exec(ctx, &l, &status, &err) == 0 && status == 137, "SIGKILL -> 137");
	l.argv = nx;
	r = nsl_launch_exec(ctx, &l, &status, &err);
	ok(r == -ENOENT && status == 127 && strstr(err.msg, "cannot execute"), "not found -> 127 (%s)",
	   err.msg);
	l.argv = dir;
	r = nsl_launch_exec(ctx, &l, &status, &err);
	ok(r == -EACCES && status == 126, "not executable -> 126");

	nsl_launch_init(&l, sl);
	l.detach = true;
	r = nsl_launch_run(ctx, &l, &p, &err);
	ok(r == 0 && p.pid > 0 && p.pidfd == -1, "detached sleep started (%d)", p.pid);
	ok(getpgid(p.pid) == p.pid, "detached process leads its own session");
	r = nsl_launch_starttime(p.pid, &st, &err);
	ok(r == 0 && st > 0, "starttime %llu", st);
	ok(nsl_launch_stop(p.pid, st + 1, 1000, &err) == 0 && kill(p.pid, 0) == 0,
	   "a different start time is not stopped");
	ok(nsl_launch_stop(p.pid, st, 1000, &err) == 1, "stopped");
	ok(nsl_launch_stop(p.pid, st, 1000, &err) == 0, "stopping again: already gone");
}

/* A detached PID-namespace init (user namespace: no privilege needed) stops at once, without
 * waiting out the SIGTERM timeout it would ignore. */
static void test_stop_pidns_init(struct nsl_ctx *ctx)
{
	static char *const sl[] = { "sleep", "100", NULL };
	struct nsl_launch l;
	struct nsl_launch_proc p;
	struct nsl_err err = { 0 };
	struct timespec a, b;
	int r;

	nsl_launch_init(&l, sl);
	l.new_ns = NSL_NS_USER | NSL_NS_PID;
	l.map_uid = 0;
	l.detach = true;
	r = nsl_launch_run(ctx, &l, &p, &err);
	if (r < 0) {
		printf("# skipped: no user namespaces here (%s)\n", err.msg);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	ok(nsl_launch_stop(p.pid, 0, 5000, &err) == 1, "PID-namespace init stopped");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ok(b.tv_sec - a.tv_sec < 3, "without waiting for the SIGTERM timeout");
}

int main(void)
{
	struct nsl_ctx *ctx = NULL;

	test_parsers();
	test_check();
	if (nsl_ctx_new(&ctx, NULL) == 0) {
		test_run(ctx);
		test_stop_pidns_init(ctx);
	}
	nsl_ctx_free(ctx);
	return tap_done();
}
