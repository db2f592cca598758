// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Processes held by a recorded identity (PID + start time), and stopping many of them at
 * once: every one gets SIGTERM, all are waited for together on their pidfds, what is left
 * gets SIGKILL. Stopping them one by one costs a grace period each for processes that
 * ignore SIGTERM; together it costs one.
 *
 * A PID is only a name, and the kernel reuses it once the process is reaped. pidfd_open()
 * pins whatever process has the PID now; whether that is the recorded one is told by its
 * start time, read from /proc after the open. That read is about the pinned process only if
 * it had not exited by then (a PID is reused only after reaping, and a pidfd polls readable
 * from the exit on), so the pidfd is polled once more after it.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>

#include "core.h"
#include "nslab/launch.h"
#include "launch-internal.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How long SIGKILLed processes get to be gone (a process in uninterruptible sleep may take
 * a while; one that never goes is reported). */
#define KILL_WAIT_MS 5000

/* State (field 3) and start time (field 22) of /proc/@pid/stat. */
static int read_stat(pid_t pid, char *ret_state, unsigned long long *ret_start)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	const char *s;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ESRCH : negerrno();
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : negerrno();
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields count from the last ')'. */
	s = strrchr(buf, ')');
	if (!s || s[1] != ' ' || !s[2])
		return -EIO;
	*ret_state = s[2];
	for (int i = 0; s && i < 20; i++)
		s = strchr(s + 1, ' ');
	if (!s || sscanf(s + 1, "%llu", ret_start) != 1)
		return -EIO;
	return 0;
}

bool nsli_launch_pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, 0);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/* -ESRCH unless @pid is a live, non-zombie process started at @starttime (0: any); the
 * start time it has in *@ret_st. */
static int check_stat(pid_t pid, unsigned long long starttime, unsigned long long *ret_st)
{
	unsigned long long st;
	char state;
	int r;

	r = read_stat(pid, &state, &st);
	if (r < 0)
		return r;
	/* Z: exited, not reaped yet; X: being reaped. Neither can be entered or stopped. */
	if ((starttime && st != starttime) || state == 'Z' || state == 'X')
		return -ESRCH;
	*ret_st = st;
	return 0;
}

int nsli_launch_pidfd_check(int pidfd, pid_t pid, unsigned long long starttime)
{
	unsigned long long st;
	int r = check_stat(pid, starttime, &st);

	if (r < 0)
		return r;
	return nsli_launch_pidfd_exited(pidfd) ? -ESRCH : 0;
}

_public_ int nsl_launch_pidfd(const struct nsl_proc_ref *ref, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!ref || ref->pid <= 0)
		return -EINVAL;
	/* pidfds are always close-on-exec. */
	fd = pidfd_open(ref->pid, 0);
	if (fd < 0)
		return negerrno();
	r = nsli_launch_pidfd_check(fd, ref->pid, ref->starttime);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

_public_ int nsl_launch_alive(const struct nsl_proc_ref *ref)
{
	_cleanup_close_ int fd = -1;
	unsigned long long st;
	int r = nsl_launch_pidfd(ref, &fd);

	/* No pidfd_open (valgrind, old seccomp filters): the start time alone tells. */
	if (r == -ENOSYS)
		r = check_stat(ref->pid, ref->starttime, &st);
	if (r == -ESRCH)
		return 0;
	return r < 0 ? r : 1;
}

/* ---- stopping many at once ---- */

/*
 * One batch: as many of the processes as we could open pidfds for. @pfd[k].fd is @fd[k]
 * while process k runs, -1 once it is gone or could not be signalled (poll skips negative
 * fds). Without pidfd_open (valgrind, seccomp filters older than Linux 5.3) @fd[k] is -1 and
 * the process is told by @st[k], its start time, and watched by polling /proc.
 */
struct stop_batch {
	int *fd;
	pid_t *pid;
	unsigned long long *st;
	bool *running;
	struct pollfd *pfd;
	size_t n;
	size_t left;	/* processes still running */
	size_t by_stat; /* of which held by start time only */
	int stopped;	/* processes seen gone */
	int first_err;	/* the first error, recorded in the caller's nsl_err */
};

/* How often processes without a pidfd are looked at. */
#define STAT_POLL_MS 20

static void batch_error(struct stop_batch *b, struct nsl_err *err, int r, pid_t pid,
			const char *what)
{
	if (b->first_err)
		return;
	b->first_err = nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "%s %d: %s", what, (int)pid,
				   strerror(-r));
}

static void batch_done(struct stop_batch *b, size_t k, bool stopped)
{
	b->running[k] = false;
	b->pfd[k].fd = -1;
	b->left--;
	if (b->fd[k] < 0)
		b->by_stat--;
	if (stopped)
		b->stopped++;
}

/* Whether process k, held by start time only, is still that process and not a zombie. */
static bool stat_alive(const struct stop_batch *b, size_t k)
{
	unsigned long long st;

	return check_stat(b->pid[k], b->st[k], &st) == 0;
}

static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms < 0)
		return 0;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Wait up to @ms for every process still running in @b; the ones that end are marked. */
static void batch_wait(struct stop_batch *b, unsigned ms)
{
	struct timespec deadline;
	int r, left_ms;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (b->left) {
		left_ms = ms_left(&deadline);
		r = poll(b->pfd, b->n, b->by_stat && left_ms > STAT_POLL_MS ? STAT_POLL_MS : left_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return; /* what is left is killed or reported */
		for (size_t k = 0; k < b->n; k++)
			if (b->running[k] && (b->fd[k] >= 0 ? b->pfd[k].revents != 0 : !stat_alive(b, k)))
				batch_done(b, k, true);
		if (left_ms == 0)
			return;
	}
}

static int send_signal(const struct stop_batch *b, size_t k, int sig)
{
	if (b->fd[k] >= 0)
		return pidfd_send_signal(b->fd[k], sig, NULL, 0);
	/* By start time only: a small window in which the PID could be reused remains. */
	if (!stat_alive(b, k)) {
		errno = ESRCH;
		return -1;
	}
	return kill(b->pid[k], sig);
}

static void batch_signal(struct stop_batch *b, int sig, struct nsl_err *err)
{
	for (size_t k = 0; k < b->n; k++) {
		if (!b->running[k])
			continue;
		/* ESRCH: it ended since the check; the next wait sees it gone. */
		if (send_signal(b, k, sig) < 0 && errno != ESRCH) {
			batch_error(b, err, negerrno(), b->pid[k], sig == SIGKILL ? "SIGKILL" : "SIGTERM");
			batch_done(b, k, false);
		}
	}
}

/* SIGTERM to all, wait, SIGKILL to the rest, wait; reap the caller's own children. */
static void batch_stop(struct stop_batch *b, unsigned grace_ms, struct nsl_err *err)
{
	batch_signal(b, SIGTERM, err);
	batch_wait(b, grace_ms);
	if (b->left) {
		batch_signal(b, SIGKILL, err);
		batch_wait(b, KILL_WAIT_MS);
	}
	for (size_t k = 0; k < b->n; k++) {
		siginfo_t si;

		if (b->running[k])
			batch_error(b, err, -ETIMEDOUT, b->pid[k], "SIGKILL did not stop process");
		/* Our child: reap it, as nsl_launch_stop() does. Not ours: ECHILD, fine. */
		if (b->fd[k] >= 0) {
			waitid((idtype_t)P_PIDFD, (id_t)b->fd[k], &si, WEXITED | WNOHANG);
			close(b->fd[k]);
		} else if (!b->running[k]) {
			waitid(P_PID, (id_t)b->pid[k], &si, WEXITED | WNOHANG);
		}
	}
	b->n = b->left = b->by_stat = 0;
}

/*
 * Open pidfds for @v[*@i..) into @b until the end or until we run out of fds (then the
 * batch is stopped and the rest goes into the next one). Gone, recycled and filtered-out
 * processes are skipped; so is the caller itself.
 */
static void batch_fill(struct stop_batch *b, const struct nsl_proc_ref *v, size_t n, size_t *i,
		       nsl_launch_keep_fn keep, void *data, struct nsl_err *err)
{
	pid_t self = getpid();

	for (; *i < n; (*i)++) {
		unsigned long long st = v[*i].starttime;
		int fd = -1, r;

		if (v[*i].pid == self)
			continue;
		r = nsl_launch_pidfd(&v[*i], &fd);
		if (r == -ENOSYS) /* held by the start time it has now, when none was recorded */
			r = check_stat(v[*i].pid, v[*i].starttime, &st);
		if ((r == -EMFILE || r == -ENFILE) && b->n > 0)
			return;
		if (r == -ESRCH)
			continue;
		if (r < 0) {
			batch_error(b, err, r, v[*i].pid, "cannot hold process");
			continue;
		}
		if (keep && keep(&v[*i], fd, data) <= 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		b->fd[b->n] = fd;
		b->pid[b->n] = v[*i].pid;
		b->st[b->n] = st;
		b->running[b->n] = true;
		b->pfd[b->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
		b->by_stat += fd < 0;
		b->n++;
		b->left++;
	}
}

_public_ int nsl_launch_stop_all_filter(const struct nsl_proc_ref *v, size_t n, unsigned grace_ms,
					nsl_launch_keep_fn keep, void *data, struct nsl_err *err)
{
	_cleanup_free_ int *fds = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ unsigned long long *sts = NULL;
	_cleanup_free_ bool *running = NULL;
	_cleanup_free_ struct pollfd *pfd = NULL;
	struct stop_batch b = { 0 };
	size_t i = 0;

	if (n == 0)
		return 0;
	if (!v)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "no processes given");
	fds = calloc(n, sizeof(*fds));
	pids = calloc(n, sizeof(*pids));
	sts = calloc(n, sizeof(*sts));
	running = calloc(n, sizeof(*running));
	pfd = calloc(n, sizeof(*pfd));
	if (!fds || !pids || !sts || !running || !pfd)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	b = (struct stop_batch){ .fd = fds, .pid = pids, .st = sts, .running = running, .pfd = pfd };
	while (i < n) {
		batch_fill(&b, v, n, &i, keep, data, err);
		batch_stop(&b, grace_ms, err);
	}
	return b.first_err ? b.first_err : b.stopped;
}

_public_ int nsl_launch_stop_all(const struct nsl_proc_ref *v, size_t n, unsigned grace_ms,
				 struct nsl_err *err)
{
	return nsl_launch_stop_all_filter(v, n, grace_ms, NULL, NULL, err);
}

/* ---- running commands with a recorded target and an output fd ---- */

_public_ int nsl_launch_enter_ref(struct nsl_ctx *ctx, const struct nsl_proc_ref *ref, unsigned ns,
				  char *const *argv, int out_fd, int *ret_status, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	struct nsl_launch l;
	int r;

	if (!ref || ref->pid <= 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "bad PID %d", ref ? (int)ref->pid : 0);
	/* For the message only: the launcher checks the identity again on the pidfd it joins
	 * through (join_starttime), which is what makes it race-free. */
	r = nsl_launch_pidfd(ref, &fd);
	if (r == -ESRCH)
		return nsl_err_set(err, NSL_E_USAGE, r, NULL, "process %d is no longer running",
				   (int)ref->pid);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "pidfd_open(%d): %s", (int)ref->pid,
				   strerror(-r));
	nsl_launch_init(&l, argv);
	l.join_pid = ref->pid;
	l.join_starttime = ref->starttime;
	l.join_ns = ns ? ns : NSL_NS_ALL;
	l.output_fd = out_fd;
	return nsl_launch_exec(ctx, &l, ret_status, err);
}

_public_ int nsl_launch_netns_exec_fd(struct nsl_ctx *ctx, const char *name, char *const *argv,
				      int out_fd, int *ret_status, struct nsl_err *err)
{
	struct nsl_launch l;

	nsl_launch_init(&l, argv);
	l.netns = name;
	l.output_fd = out_fd;
	return nsl_launch_exec(ctx, &l, ret_status, err);
}
