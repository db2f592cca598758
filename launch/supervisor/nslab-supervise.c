// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nslab-supervise SPECFILE: the PID 1 of a lab node.
 *
 * Started by the library (topo/kind-proc.c) already inside the node: its netns, a new mount
 * namespace with `ip netns exec` semantics, new UTS, IPC and PID namespaces, a fresh /proc,
 * stdin /dev/null, stdout+stderr a pipe to the library. It
 *  1. parses the spec (an error: one line "nslab-supervise: SPEC:LINE: what", exit 2);
 *  2. makes the node's mounts (a failure: one line naming the mount, exit 1);
 *  3. starts every process, writes the status file, then "ready\n" to stdout, and sends its
 *     own output to LOGDIR/supervise.log from then on, so the library waits on the pipe
 *     for "ready", or for EOF and the message;
 *  4. loops on one poll(): a signalfd (SIGCHLD: reap everything, restart with back-off;
 *     SIGTERM/SIGINT: stop; SIGHUP/SIGUSR1/SIGUSR2: forwarded to each process group;
 *     SUP_SIG_REPAIR: start again, at once, every process that failed or exited
 *     unsuccessfully and is not restarting by itself — how `up` repairs a node) and
 *     the processes' output pipes, which go to NAME.log through core/logfile.c.
 * Without a PID namespace of its own it is a child subreaper instead of PID 1, so that what
 * the processes daemonize still ends up below it.
 *
 * libc only, no big static buffer: each node costs well under 1 MiB of private memory.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "macro.h"
#include "sup.h"

#define READ_BUF (64 * 1024)
#define SPEC_MAX (16 << 20)

_Noreturn static void die_msg(int code, const char *msg)
{
	dprintf(2, "nslab-supervise: %s\n", msg);
	exit(code);
}

/* The whole spec file, NUL-terminated; a NUL inside is an error. */
static char *read_spec(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL, msg[PATH_MAX + 64];
	size_t len = 0, cap = 0;

	while (fd >= 0) {
		ssize_t n;

		if (len > SPEC_MAX) {
			errno = EFBIG;
			break;
		}
		if (!GREEDY_REALLOC(text, cap, len + 65536 + 1)) {
			errno = ENOMEM;
			break;
		}
		n = read(fd, text + len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			text[len] = '\0';
			if (strlen(text) == len)
				return text;
			snprintf(msg, sizeof(msg), "%s: a NUL byte in the spec", path);
			die_msg(2, msg);
		}
		len += (size_t)n;
	}
	snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
	die_msg(2, msg);
}

/* fds 0-2 open (on /dev/null when closed), so no pipe of ours lands on them. */
static void fix_stdio(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

static void open_dirs(struct sup *s)
{
	char msg[PATH_MAX + 128], dir[PATH_MAX];
	const char *slash;
	int r;

	s->log_dir = open(s->spec.log_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->log_dir < 0) {
		snprintf(msg, sizeof(msg), "log directory %s: %s", s->spec.log_dir, strerror(errno));
		die_msg(1, msg);
	}
	slash = strrchr(s->spec.status_file, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash == s->spec.status_file ? 1 : (int)(slash - s->spec.status_file),
		 s->spec.status_file);
	s->status_name = strdup(slash + 1);
	s->status_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!s->status_name || s->status_dir < 0) {
		snprintf(msg, sizeof(msg), "status directory %s: %s", dir, strerror(errno));
		die_msg(1, msg);
	}
	r = nsli_logfile_open(s->log_dir, "supervise", &s->log);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s/supervise.log: %s", s->spec.log_dir, strerror(-r));
		die_msg(1, msg);
	}
}

static void setup_signals(struct sup *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SUP_SIG_REPAIR);
	/* Blocked, not handled: a namespace's init drops signals left at SIG_DFL, but blocked
	 * ones stay pending for the signalfd. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sigfd < 0)
		die_msg(1, "signalfd failed");
}

/* The process logs, then every process; a failure here (not an exec failure, which the
 * status shows) is fatal before "ready". */
static void start_all(struct sup *s)
{
	char msg[PATH_MAX + 128];

	for (size_t i = 0; i < s->spec.n_procs; i++) {
		struct sup_proc *p = &s->spec.procs[i];
		int r = nsli_logfile_open(s->log_dir, p->name, &p->log);

		if (r < 0) {
			snprintf(msg, sizeof(msg), "%s/%s.log: %s", s->spec.log_dir, p->name, strerror(-r));
			die_msg(1, msg);
		}
	}
	for (size_t i = 0; i < s->spec.n_procs; i++) {
		int r = sup_proc_start(s, i);

		if (r < 0) {
			sup_kill_all(s, SIGKILL);
			snprintf(msg, sizeof(msg), "start of %s: %s", s->spec.procs[i].name, strerror(-r));
			die_msg(1, msg);
		}
	}
}

/* "ready" to the library, then stdin /dev/null, stdout and stderr on supervise.log. */
static void announce_ready(struct sup *s)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	do
		n = write(1, "ready\n", 6);
	while (n < 0 && errno == EINTR);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	dup2(s->log.fd, 1);
	dup2(s->log.fd, 2);
	sup_msg(s, "ready: %zu process%s", s->spec.n_procs, s->spec.n_procs == 1 ? "" : "es");
}

static void begin_stop(struct sup *s, int sig)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_deadline = sup_now_ms() + s->spec.stop_ms;
	for (size_t i = 0; i < s->spec.n_procs; i++) {
		struct sup_proc *p = &s->spec.procs[i];

		if (p->state == ST_RUNNING) {
			p->state = ST_STOPPING;
			p->since = sup_realtime_s();
		} else if (p->state == ST_RESTARTING) {
			p->state = ST_EXITED;
			p->since = sup_realtime_s();
		}
	}
	s->status_dirty = true;
	sup_msg(s, "stop (signal %d): SIGTERM to every process, SIGKILL after %u ms", sig,
		s->spec.stop_ms);
	sup_kill_all(s, SIGTERM);
}

/* SUP_SIG_REPAIR: what nsli_sup_healthy() (topo/sup.c) calls unhealthy starts again. */
static void repair(struct sup *s)
{
	for (size_t i = 0; i < s->spec.n_procs && !s->stopping; i++) {
		struct sup_proc *p = &s->spec.procs[i];
		int r;

		if (p->state != ST_FAILED && !(p->state == ST_EXITED && p->last != 0))
			continue;
		sup_msg(s, "%s: started again on request", p->name);
		p->restarts++;
		p->backoff = 0;
		r = sup_proc_start(s, i);
		if (r < 0)
			sup_msg(s, "%s: start failed: %s", p->name, strerror(-r));
	}
}

static void reap(struct sup *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		sup_proc_exited(s, pid, st);
}

static void on_signals(struct sup *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD) {
			reap(s);
		} else if (sig == SIGTERM || sig == SIGINT) {
			begin_stop(s, sig);
		} else if (sig == SUP_SIG_REPAIR) {
			repair(s);
		} else {
			for (size_t i = 0; i < s->spec.n_procs; i++)
				if (s->spec.procs[i].pid > 0)
					kill(-s->spec.procs[i].pid, sig);
		}
	}
	/* Coalesced SIGCHLDs, or a child that exited before its signal was blocked. */
	reap(s);
}

/* One read from output @k; false when it is finished (EOF or error) and was removed. */
static bool read_output(struct sup *s, size_t k)
{
	struct sup_output *o = &s->outs[k];
	ssize_t n = read(o->fd, s->buf, READ_BUF);

	if (n > 0) {
		(void)nsli_logfile_feed(&s->spec.procs[o->proc].log, s->buf, (size_t)n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	close(o->fd);
	s->outs[k] = s->outs[--s->n_outs];
	return false;
}

/* Whether nothing is left to wait for: no child (then, as a subreaper, no descendant at
 * all), and as PID 1 no process in the namespace either. */
static bool all_gone(const struct sup *s)
{
	siginfo_t si;

	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD)
		return false;
	return !s->pid1 || (kill(-1, 0) < 0 && errno == ESRCH);
}

/* Milliseconds until the next timer (a restart, the stop's SIGKILL), -1: none. */
static int next_timeout(const struct sup *s, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (s->stopping) {
		/* A process that is not our child (entered with `nslab exec`) sends no SIGCHLD:
		 * look at all_gone() now and then. */
		next = now + 100;
		if (!s->killed && s->stop_deadline < next)
			next = s->stop_deadline;
	} else {
		for (size_t i = 0; i < s->spec.n_procs; i++)
			if (s->spec.procs[i].state == ST_RESTARTING && s->spec.procs[i].restart_at < next)
				next = s->spec.procs[i].restart_at;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now > INT32_MAX ? INT32_MAX : next - now);
}

static void run_timers(struct sup *s)
{
	uint64_t now = sup_now_ms();

	if (s->stopping) {
		if (!s->killed && now >= s->stop_deadline) {
			s->killed = true;
			sup_msg(s, "stop: grace of %u ms over, SIGKILL to what is left", s->spec.stop_ms);
			sup_kill_all(s, SIGKILL);
		}
		return;
	}
	for (size_t i = 0; i < s->spec.n_procs; i++) {
		struct sup_proc *p = &s->spec.procs[i];
		int r;

		if (p->state != ST_RESTARTING || p->restart_at > now)
			continue;
		p->restarts++;
		r = sup_proc_start(s, i);
		if (r < 0) {
			sup_msg(s, "%s: restart failed: %s", p->name, strerror(-r));
			p->restart_at = now + p->backoff;
		}
	}
}

/* The output left in the pipes once every process is gone: readers never block now. */
static void drain(struct sup *s)
{
	for (size_t k = 0; k < s->n_outs; k++) {
		ssize_t n;

		while ((n = read(s->outs[k].fd, s->buf, READ_BUF)) > 0)
			(void)nsli_logfile_feed(&s->spec.procs[s->outs[k].proc].log, s->buf, (size_t)n);
		close(s->outs[k].fd);
	}
	s->n_outs = 0;
}

static void loop(struct sup *s)
{
	struct pollfd *fds = NULL;
	size_t cap = 0;

	for (;;) {
		size_t n = s->n_outs;
		int timeout;

		if (s->status_dirty)
			sup_status_write(s);
		if (s->stopping && all_gone(s))
			break;
		if (!GREEDY_REALLOC(fds, cap, n + 1))
			die_msg(1, "out of memory");
		fds[0] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
		for (size_t k = 0; k < n; k++)
			fds[k + 1] = (struct pollfd){ .fd = s->outs[k].fd, .events = POLLIN };
		timeout = next_timeout(s, sup_now_ms());
		if (poll(fds, n + 1, timeout) < 0 && errno != EINTR)
			die_msg(1, "poll failed");
		/* Outputs first, so a process's last words are logged before its exit. Backwards:
		 * read_output() moves the last entry into a removed one's place. */
		for (size_t k = n; k-- > 0;)
			if (fds[k + 1].revents)
				read_output(s, k);
		if (fds[0].revents)
			on_signals(s);
		run_timers(s);
	}
	free(fds);
}

int main(int argc, char **argv)
{
	struct sup s = { .log_dir = -1, .status_dir = -1, .sigfd = -1, .log = { .dirfd = -1, .fd = -1 } };
	char err[PATH_MAX + 256];
	_cleanup_free_ char *text = NULL;
	uint64_t t0;

	if (argc != 2 || argv[1][0] == '-')
		die_msg(2, "usage: nslab-supervise SPECFILE");
	fix_stdio();
	s.spec.path = argv[1];
	text = read_spec(argv[1]);
	if (sup_spec_parse(&s.spec, text, err, sizeof(err)) < 0)
		die_msg(2, err);
	s.buf = malloc(READ_BUF);
	if (!s.buf)
		die_msg(1, "out of memory");
	open_dirs(&s);
	s.pid1 = getpid() == 1;
	if (!s.pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die_msg(1, "prctl(PR_SET_CHILD_SUBREAPER) failed");
	setup_signals(&s);
	t0 = sup_now_ms();
	if (sup_mounts_apply(&s.spec, err, sizeof(err)) < 0)
		die_msg(1, err);
	if (s.spec.n_mounts || s.spec.rootfs)
		sup_msg(&s, "mounts: %zu%s in %llu ms", s.spec.n_mounts, s.spec.rootfs ? " and the rootfs" : "",
			(unsigned long long)(sup_now_ms() - t0));
	if (chdir("/") < 0)
		die_msg(1, "chdir /");
	start_all(&s);
	sup_status_write(&s);
	announce_ready(&s);
	loop(&s);
	drain(&s);
	for (size_t i = 0; i < s.spec.n_procs; i++)
		if (s.spec.procs[i].state == ST_STOPPING)
			s.spec.procs[i].state = ST_EXITED;
	sup_status_write(&s);
	sup_msg(&s, "stopped");
	close(s.sigfd);
	close(s.status_dir);
	close(s.log_dir);
	free(s.status_name);
	free(s.outs);
	free(s.buf);
	nsli_logfile_close(&s.log);
	sup_spec_free(&s.spec);
	return 0;
}
