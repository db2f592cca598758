// SPDX-License-Identifier: GPL-2.0-or-later
/* Launcher: parsers and validation, and runs that need no privilege (no namespaces). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
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
static void t_boot_neg(struct nsl_launch *l) { l->new_ns = NSL_NS_TIME; l->boottime = -99999999999LL; }
static void t_mono_big(struct nsl_launch *l) { l->new_ns = NSL_NS_TIME; l->monotonic = 99999999999LL; }
static void t_boot_ok(struct nsl_launch *l) { l->new_ns = NSL_NS_TIME; l->boottime = 86400; }
/* "/" is a mount point: persisting on it would hide what is mounted there. */
static void t_persist_mnt(struct nsl_launch *l)
{
	static const struct nsl_persist p[] = { { NSL_NS_UTS, "/" } };

	l->new_ns = NSL_NS_UTS;
	l->persist = p;
	l->n_persist = 1;
}

static void test_check(void)
{
	struct nsl_err err = { 0 };
	static char *const argv[] = { "true", NULL };
	struct nsl_launch l;

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
	ok(check(t_boot_neg) == -ERANGE, "boottime offset below the kernel's range");
	ok(check(t_mono_big) == -ERANGE, "monotonic offset above the kernel's range");
	ok(check(t_boot_ok) == 0, "a day of boottime offset");
	ok(check(t_persist_mnt) == -EBUSY, "persist onto a mount point");
	nsl_launch_init(&l, argv);
	t_persist_mnt(&l);
	ok(nsl_launch_check(&l, &err) == -EBUSY && err.kind == NSL_E_CONFLICT, "... is a conflict (exit 3)");
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

/*
 * Why creating a user namespace failed, when the reason is this machine and not nslab: no
 * privilege (EPERM/EACCES: unprivileged user namespaces turned off, an LSM, a seccomp filter),
 * a limit (ENOSPC: user.max_user_namespaces, EUSERS: nesting too deep), or a kernel built
 * without them (EINVAL and no /proc/self/ns/user). NULL for any other failure: a bug.
 */
static const char *userns_unavailable(int r)
{
	switch (r) {
	case -EPERM:
	case -EACCES:
		return "no privilege to create a user namespace";
	case -ENOSPC:
	case -EUSERS:
		return "user namespace limit reached";
	case -EINVAL:
		if (access("/proc/self/ns/user", F_OK) < 0 || access("/proc/self/ns/pid", F_OK) < 0)
			return "kernel lacks user or PID namespaces";
		return NULL;
	default:
		return NULL;
	}
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
	if (r < 0 && userns_unavailable(r)) {
		skip("PID-namespace init stopped: %s (%s)", userns_unavailable(r), err.msg);
		skip("without waiting for the SIGTERM timeout: %s", userns_unavailable(r));
		return;
	}
	if (!ok(r == 0, "detached PID-namespace init started (%d %s)", r, err.msg))
		return;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ok(nsl_launch_stop(p.pid, 0, 5000, &err) == 1, "PID-namespace init stopped");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ok(b.tv_sec - a.tv_sec < 3, "without waiting for the SIGTERM timeout");
}

/* ---- nsl_launch_stop_all, nsl_launch_alive, nsl_launch_pidfd, enter by identity ---- */

#define GRACE_MS 400

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static bool gone_from_proc(pid_t pid)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	return access(p, F_OK) < 0 && errno == ENOENT;
}

/* Bit @sig of the "Sig...:" line @key of /proc/@pid/status. */
static bool sig_bit(pid_t pid, const char *key, int sig)
{
	char p[64], line[256];
	bool r = false;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	f = fopen(p, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			r = strtoull(line + strlen(key), NULL, 16) & (1ULL << (sig - 1));
	if (f)
		fclose(f);
	return r;
}

static int term_fd = -1;

static void on_term(int sig)
{
	if (write(term_fd, "T", 1) < 0)
		_exit(3);
}

/*
 * Fork @n children that wait forever; with @term_ignore they ignore SIGTERM, with
 * @term_report >= 0 they write "T" to it for each SIGTERM and go on. Each says it is set up
 * through a pipe before we go on. Fills @v with PIDs and start times.
 */
static int spawn(struct nsl_proc_ref *v, size_t n, bool term_ignore, int term_report)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (pid == 0) {
			if (term_ignore)
				signal(SIGTERM, SIG_IGN);
			if (term_report >= 0) {
				term_fd = term_report;
				signal(SIGTERM, on_term);
			}
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		v[i].pid = pid;
	}
	close(p[1]);
	for (size_t i = 0; i < n; i++)
		if (read(p[0], &c, 1) != 1)
			return -EIO;
	close(p[0]);
	for (size_t i = 0; i < n; i++)
		if (nsl_launch_starttime(v[i].pid, &v[i].starttime, NULL) < 0)
			return -ESRCH;
	return 0;
}

/* 20 processes that ignore SIGTERM: one grace period for all, not one each. */
static void test_stop_all_many(void)
{
	struct nsl_proc_ref v[20];
	struct nsl_err err = { 0 };
	struct timespec a;
	size_t nsli_gone = 0, alive = 0, ignoring = 0;
	long ms;
	int r;

	r = spawn(v, 20, true, -1);
	if (!ok(r == 0, "20 processes that ignore SIGTERM started (%d)", r))
		return;
	for (size_t i = 0; i < 20; i++)
		ignoring += sig_bit(v[i].pid, "SigIgn:", SIGTERM);
	ok(ignoring == 20, "all 20 ignore SIGTERM (%zu)", ignoring);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = nsl_launch_stop_all(v, 20, GRACE_MS, &err);
	ms = ms_since(&a);
	ok(r == 20, "stop_all: 20 stopped (%d %s)", r, err.msg);
	ok(ms >= GRACE_MS && ms < 3 * GRACE_MS, "in about one grace period: %ld ms (grace %d ms)", ms,
	   GRACE_MS);
	for (size_t i = 0; i < 20; i++) {
		nsli_gone += gone_from_proc(v[i].pid);
		alive += nsl_launch_alive(&v[i]) != 0;
	}
	ok(nsli_gone == 20, "all 20 are gone from /proc (our children: reaped) (%zu)", nsli_gone);
	ok(alive == 0, "none of them is alive");
	ok(nsl_launch_stop_all(v, 20, GRACE_MS, &err) == 0, "stopping them again: 0");
}

/* A recorded identity whose start time differs (a recycled PID) is never signalled. */
static void test_stop_identity(void)
{
	struct nsl_proc_ref v[1], wrong, any;
	struct nsl_err err = { 0 };
	int rep[2], fd = -1, r;
	char buf[8];

	if (!ok(pipe2(rep, O_CLOEXEC | O_NONBLOCK) == 0, "pipe"))
		return;
	r = spawn(v, 1, false, rep[1]);
	if (!ok(r == 0, "a process that reports SIGTERM started (%d)", r))
		return;
	wrong = (struct nsl_proc_ref){ v[0].pid, v[0].starttime + 1 };
	any = (struct nsl_proc_ref){ v[0].pid, 0 };
	ok(nsl_launch_alive(&v[0]) == 1, "alive with its start time");
	ok(nsl_launch_alive(&any) == 1, "alive with no identity recorded");
	ok(nsl_launch_alive(&wrong) == 0, "not alive with another start time");
	ok(nsl_launch_pidfd(&wrong, &fd) == -ESRCH && fd == -1, "no pidfd for another start time");
	r = nsl_launch_stop_all(&wrong, 1, GRACE_MS, &err);
	ok(r == 0, "stop_all of the recycled identity: 0 stopped (%d)", r);
	ok(read(rep[0], buf, sizeof(buf)) < 0 && errno == EAGAIN, "it got no SIGTERM");
	ok(waitpid(v[0].pid, NULL, WNOHANG) == 0 && nsl_launch_alive(&v[0]) == 1, "it still runs");
	r = nsl_launch_pidfd(&v[0], &fd);
	ok(r == 0 && fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "pidfd for the right identity, CLOEXEC");
	if (fd >= 0)
		close(fd);
	r = nsl_launch_stop_all(v, 1, 100, &err);
	ok(r == 1 && read(rep[0], buf, sizeof(buf)) == 1, "the right identity: SIGTERM, then SIGKILL (%d)",
	   r);
	ok(gone_from_proc(v[0].pid), "and it is gone");
	close(rep[0]);
	close(rep[1]);
}

/* The caller itself is never stopped. */
static void test_stop_self(void)
{
	struct nsl_proc_ref self = { getpid(), 0 };

	ok(nsl_launch_stop_all(&self, 1, 100, NULL) == 0, "stop_all of the caller itself: 0, and here we are");
}

/* A zombie is not alive, has no pidfd, is not stopped, and is left for its parent. */
static void test_zombie(void)
{
	struct nsl_proc_ref z;
	siginfo_t si;
	int go[2], fd = -1;
	char c;

	if (!ok(pipe2(go, O_CLOEXEC) == 0, "pipe"))
		return;
	fflush(stdout);
	z.pid = fork();
	if (z.pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	ok(nsl_launch_starttime(z.pid, &z.starttime, NULL) == 0, "child %d started", (int)z.pid);
	ok(nsl_launch_alive(&z) == 1, "alive before its exit");
	close(go[1]);
	/* WNOWAIT: wait for the exit, leave the zombie. */
	ok(waitid(P_PID, (id_t)z.pid, &si, WEXITED | WNOWAIT) == 0, "it exited, not reaped");
	ok(nsl_launch_alive(&z) == 0, "a zombie is not alive");
	ok(nsl_launch_pidfd(&z, &fd) == -ESRCH, "no pidfd for a zombie");
	ok(nsl_launch_stop_all(&z, 1, GRACE_MS, NULL) == 0, "stop_all skips a zombie");
	ok(waitpid(z.pid, NULL, WNOHANG) == z.pid, "the zombie was left for its parent to reap");
	ok(nsl_launch_alive(&z) == 0, "reaped: not alive");
}

/* More processes than free fds: stopped in batches of what fits (one grace period each:
 * they ignore SIGTERM, so several periods show there were several batches), all of them. */
static void test_stop_batches(void)
{
	struct nsl_proc_ref v[20];
	struct nsl_err err = { 0 };
	struct rlimit old, low;
	struct timespec a;
	size_t nsli_gone = 0;
	long ms;
	int fd, r;

	r = spawn(v, 20, true, -1);
	if (!ok(r == 0, "20 processes that ignore SIGTERM started (%d)", r))
		return;
	/* Room for about 6 more fds: new fds take the lowest free number. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)fd + 6;
	close(fd);
	r = setrlimit(RLIMIT_NOFILE, &low);
	ok(r == 0, "RLIMIT_NOFILE lowered to %llu", (unsigned long long)low.rlim_cur);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = nsl_launch_stop_all(v, 20, 100, &err);
	ms = ms_since(&a);
	setrlimit(RLIMIT_NOFILE, &old);
	ok(r == 20, "stop_all with few fds: 20 stopped (%d %s)", r, err.msg);
	ok(ms >= 200, "in several batches (%ld ms, grace 100 ms)", ms);
	for (size_t i = 0; i < 20; i++)
		nsli_gone += gone_from_proc(v[i].pid);
	ok(nsli_gone == 20, "all 20 gone (%zu)", nsli_gone);
}

/* Enter by identity: a wrong start time or a zombie enters nothing and runs nothing. The
 * target shares all our namespaces, so nothing is joined and no privilege is needed. */
static void test_enter_ref(struct nsl_ctx *ctx)
{
	char file[] = "/tmp/nslab-enter-ref.XXXXXX";
	char *const argv[] = { "sh", "-c", "echo ran > \"$0\"", file, NULL };
	struct nsl_proc_ref v[1], wrong;
	struct nsl_launch l;
	struct nsl_err err = { 0 };
	int status = -1, fd, r;

	fd = mkostemp(file, O_CLOEXEC);
	if (!ok(fd >= 0, "temp file"))
		return;
	close(fd);
	unlink(file);
	r = spawn(v, 1, false, -1);
	if (!ok(r == 0, "target started (%d)", r))
		return;
	wrong = (struct nsl_proc_ref){ v[0].pid, v[0].starttime + 1 };
	r = nsl_launch_enter_ref(ctx, &wrong, NSL_NS_ALL, argv, -1, &status, &err);
	ok(r == -ESRCH && strstr(err.msg, "is no longer running") && access(file, F_OK) < 0,
	   "enter_ref, wrong start time: -ESRCH '%s', nothing run", err.msg);
	/* The launcher's own check on the pidfd it joins through, without the pre-check. */
	nsl_launch_init(&l, argv);
	l.join_pid = wrong.pid;
	l.join_starttime = wrong.starttime;
	memset(&err, 0, sizeof(err));
	r = nsl_launch_exec(ctx, &l, &status, &err);
	ok(r == -ESRCH && strstr(err.msg, "is no longer running") && access(file, F_OK) < 0,
	   "launch with join_starttime wrong: -ESRCH '%s', nothing run", err.msg);
	memset(&err, 0, sizeof(err));
	r = nsl_launch_enter_ref(ctx, &v[0], NSL_NS_ALL, argv, -1, &status, &err);
	ok(r == 0 && status == 0 && access(file, F_OK) == 0, "enter_ref, right identity: ran (%d %s)", r,
	   err.msg);
	unlink(file);
	nsl_launch_stop_all(v, 1, GRACE_MS, NULL);
	r = nsl_launch_enter_ref(ctx, &v[0], NSL_NS_ALL, argv, -1, &status, &err);
	ok(r == -ESRCH && access(file, F_OK) < 0, "enter_ref, stopped target: -ESRCH, nothing run");
}

/* output_fd without detach: stdout and stderr to the file, stdin /dev/null; a background
 * child keeps the file, not the caller's stdout, so the call returns when the shell ends. */
static void test_output_fd(struct nsl_ctx *ctx)
{
	char file[] = "/tmp/nslab-out.XXXXXX", buf[512] = "", link[64], target[256] = "";
	char *const argv[] = { "sh", "-c",
			       "echo out; echo err >&2; readlink /proc/self/fd/0; sleep 30 & echo $!",
			       NULL };
	struct nsl_launch l;
	struct nsl_err err = { 0 };
	struct nsl_proc_ref bg = { 0 };
	struct timespec a;
	int status = -1, fd, r;
	const char *p;
	ssize_t n;
	long ms;

	fd = mkostemp(file, O_CLOEXEC);
	if (!ok(fd >= 0, "temp file"))
		return;
	nsl_launch_init(&l, argv);
	l.output_fd = fd;
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = nsl_launch_exec(ctx, &l, &status, &err);
	ms = ms_since(&a);
	ok(r == 0 && status == 0, "exec with output_fd (%d %s)", r, err.msg);
	ok(ms < 10000, "returns while 'sleep 30 &' runs on (%ld ms)", ms);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, "/dev/null\n");
	bg.pid = p ? (pid_t)atoi(p + 10) : 0;
	ok(strncmp(buf, "out\nerr\n/dev/null\n", 18) == 0 && bg.pid > 0,
	   "stdout and stderr in the file, stdin /dev/null: '%s'", buf);
	snprintf(link, sizeof(link), "/proc/%d/fd/1", (int)bg.pid);
	n = bg.pid > 0 ? readlink(link, target, sizeof(target) - 1) : -1;
	target[n > 0 ? n : 0] = '\0';
	ok(strcmp(target, file) == 0, "the background sleep writes to the file (%s)", target);
	if (bg.pid > 0)
		ok(nsl_launch_stop_all(&bg, 1, GRACE_MS, NULL) == 1, "background sleep stopped");
	close(fd);
	unlink(file);
}

int main(void)
{
	struct nsl_ctx *ctx = NULL;
	struct nsl_err err = { 0 };
	int r;

	test_parsers();
	test_check();
	/* A context needs no privilege: failing to make one is a failure, not a skip. */
	r = nsl_ctx_new(&ctx, &err);
	if (ok(r == 0, "context (%d %s)", r, err.msg)) {
		test_run(ctx);
		test_stop_pidns_init(ctx);
		test_enter_ref(ctx);
		test_output_fd(ctx);
	}
	test_stop_all_many();
	test_stop_identity();
	test_stop_self();
	test_zombie();
	test_stop_batches();
	nsl_ctx_free(ctx);
	return tap_done();
}
