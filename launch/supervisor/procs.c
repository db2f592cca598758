// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The node's processes: start (each in its own session and process group, stdout+stderr
 * one pipe into NAME.log), exit and restart with back-off, the status file, and the
 * signals of a stop.
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/close_range.h>

#include "macro.h"
#include "sup.h"

#define MIN_U64(a, b) ((a) < (b) ? (a) : (b))

extern char **environ;

uint64_t sup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t sup_realtime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

void sup_msg(struct sup *s, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;
	int n;

	if (s->log.fd < 0)
		return;
	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n >= 0)
		(void)nsli_logfile_printf(&s->log, "%s", line);
}

static void set_state(struct sup *s, struct sup_proc *p, enum sup_state st)
{
	p->state = st;
	p->since = sup_realtime_s();
	s->status_dirty = true;
}

/* ---- the child, after fork: no return ---- */

/* One line in NAME.log (our stdout is its pipe), the errno to the parent, and exit. */
_Noreturn static void child_fail(int err_w, const char *what, const char *arg, int code)
{
	int e = errno > 0 ? errno : EIO;
	ssize_t n;

	dprintf(1, "nslab-supervise: %s %s: %s\n", what, arg, strerror(e));
	do
		n = write(err_w, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	_exit(code);
}

_Noreturn static void child_exec(struct sup_proc *p, int out_w, int err_w)
{
	sigset_t none;
	int null, e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0)
		_exit(126);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0)
		child_fail(err_w, "open", "/dev/null", 126);
	/* Its own session: its own process group, and no controlling terminal of ours. */
	if (setsid() < 0)
		child_fail(err_w, "setsid", p->name, 126);
	if (p->gid >= 0) {
		gid_t g = (gid_t)p->gid;

		if (setgroups(1, &g) < 0 || setgid(g) < 0)
			child_fail(err_w, "setgid", p->name, 126);
	}
	if (p->uid >= 0) {
		if (p->gid < 0 && setgroups(0, NULL) < 0)
			child_fail(err_w, "setgroups", p->name, 126);
		if (setuid((uid_t)p->uid) < 0)
			child_fail(err_w, "setuid", p->name, 126);
	}
	if (chdir(p->wd ? p->wd : "/") < 0)
		child_fail(err_w, "chdir", p->wd ? p->wd : "/", 126);
	/* Only 0-2 survive the execve; ours are O_CLOEXEC already, inherited ones may not be. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	/* execvp() looks argv[0] up in the PATH of environ: the process's own. */
	environ = p->envp;
	execvp(p->argv[0], p->argv);
	e = errno;
	child_fail(err_w, "exec", p->argv[0], e == ENOENT ? 127 : 126);
}

/* ---- the supervisor's side ---- */

static int add_output(struct sup *s, int fd, size_t proc)
{
	if (!GREEDY_REALLOC(s->outs, s->cap_outs, s->n_outs + 1))
		return -ENOMEM;
	s->outs[s->n_outs++] = (struct sup_output){ .fd = fd, .proc = proc };
	return 0;
}

/* Wait for the child's execve: EOF on the close-on-exec pipe, or its errno. */
static int exec_result(int err_r)
{
	int e = 0;
	ssize_t n;

	do
		n = read(err_r, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == sizeof(e) ? e : 0;
}

int sup_proc_start(struct sup *s, size_t i)
{
	struct sup_proc *p = &s->spec.procs[i];
	int out[2], err[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0)
		return negerrno();
	if (pipe2(err, O_CLOEXEC) < 0) {
		int r = negerrno();

		close(out[0]);
		close(out[1]);
		return r;
	}
	pid = fork();
	if (pid == 0)
		child_exec(p, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		int r = negerrno();

		close(out[0]);
		close(err[0]);
		return r;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (add_output(s, out[0], i) < 0)
		close(out[0]);
	p->exec_failed = exec_result(err[0]) != 0;
	close(err[0]);
	p->pid = pid;
	p->started = sup_now_ms();
	set_state(s, p, ST_RUNNING);
	sup_msg(s, "%s: started, pid %d%s", p->name, (int)pid, p->exec_failed ? " (exec failed)" : "");
	return 0;
}

static void exited_msg(struct sup *s, struct sup_proc *p)
{
	if (p->last >= 256)
		sup_msg(s, "%s: killed by signal %d", p->name, p->last - 256);
	else
		sup_msg(s, "%s: exited %d", p->name, p->last);
}

void sup_proc_exited(struct sup *s, pid_t pid, int wstatus)
{
	struct sup_proc *p = NULL;
	bool failure, again;
	uint64_t now = sup_now_ms();

	for (size_t i = 0; i < s->spec.n_procs && !p; i++)
		if (s->spec.procs[i].pid == pid)
			p = &s->spec.procs[i];
	if (!p)
		return; /* a daemon's leftover, reparented to us: reaped quietly */
	p->pid = 0;
	p->last = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 256 + WTERMSIG(wstatus);
	exited_msg(s, p);
	failure = !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0;
	again = p->restart == RESTART_ALWAYS || (p->restart == RESTART_ON_FAILURE && failure);
	if (s->stopping || !again) {
		set_state(s, p, !s->stopping && p->exec_failed && p->restart == RESTART_NO ? ST_FAILED
											  : ST_EXITED);
		return;
	}
	if (p->backoff == 0 || now - p->started >= SUP_BACKOFF_RESET_MS)
		p->backoff = SUP_BACKOFF_MIN_MS;
	p->restart_at = now + p->backoff;
	sup_msg(s, "%s: restarting in %llu ms", p->name, (unsigned long long)p->backoff);
	p->backoff = MIN_U64(p->backoff * 2, SUP_BACKOFF_MAX_MS);
	set_state(s, p, ST_RESTARTING);
}

/* ---- status file ---- */

static const char *const state_names[] = {
	[ST_RUNNING] = "running",     [ST_EXITED] = "exited", [ST_RESTARTING] = "restarting",
	[ST_STOPPING] = "stopping", [ST_FAILED] = "failed",
};

static void format_last(int last, char *buf, size_t size)
{
	if (last < 0)
		snprintf(buf, size, "-");
	else if (last >= 256)
		snprintf(buf, size, "sig%d", last - 256);
	else
		snprintf(buf, size, "%d", last);
}

/* Temporary file + rename in the status directory: a reader sees the old file or the new. */
void sup_status_write(struct sup *s)
{
	_cleanup_free_ char *text = NULL;
	char tmp[NAME_MAX + 1];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int fd, ok;

	s->status_dirty = false;
	if (!f)
		return;
	fputs(SUP_STATUS_MAGIC "\n", f);
	for (size_t i = 0; i < s->spec.n_procs; i++) {
		const struct sup_proc *p = &s->spec.procs[i];
		char last[16];

		format_last(p->last, last, sizeof(last));
		fprintf(f, "%s\t%s\t%d\t%lld\t%u\t%s\n", p->name, state_names[p->state], (int)p->pid,
			(long long)p->since, p->restarts, last);
	}
	if (fclose(f) != 0)
		return;
	snprintf(tmp, sizeof(tmp), ".%.200s.tmp", s->status_name);
	fd = openat(s->status_dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		sup_msg(s, "status: %s: %s", tmp, strerror(errno));
		return;
	}
	ok = write(fd, text, len) == (ssize_t)len;
	close(fd);
	if (!ok || renameat(s->status_dir, tmp, s->status_dir, s->status_name) < 0) {
		sup_msg(s, "status: %s: %s", s->status_name, strerror(errno));
		unlinkat(s->status_dir, tmp, 0);
	}
}

/* ---- stop ---- */

struct ptab {
	struct pent {
		pid_t pid, ppid;
		bool mine;
	} *e;
	size_t n, cap;
};

static void ptab_read(struct ptab *t)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char path[64], buf[512], *rp;
		int pid = atoi(de->d_name), ppid, fd;
		ssize_t len;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses; the last ')'
		 * ends it. */
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1 || !GREEDY_REALLOC(t->e, t->cap, t->n + 1))
			continue;
		t->e[t->n++] = (struct pent){ .pid = pid, .ppid = ppid };
	}
}

/* Every descendant of ours, found in /proc: as a child subreaper, what a daemon
 * double-forked away is still below us (once its parent is gone, it is our child). */
static void kill_descendants(int sig)
{
	struct ptab t = { NULL, 0, 0 };
	pid_t self = getpid();
	bool more = true;

	ptab_read(&t);
	while (more) {
		more = false;
		for (size_t i = 0; i < t.n; i++) {
			bool below = t.e[i].ppid == self;

			for (size_t k = 0; k < t.n && !below && !t.e[i].mine; k++)
				below = t.e[k].mine && t.e[k].pid == t.e[i].ppid;
			if (below && !t.e[i].mine)
				t.e[i].mine = more = true;
		}
	}
	for (size_t i = 0; i < t.n; i++)
		if (t.e[i].mine)
			kill(t.e[i].pid, sig);
	free(t.e);
}

/*
 * As PID 1, kill(-1) reaches every process of the PID namespace but us, daemons and `nslab
 * exec` processes included. Otherwise: each process's group, and every descendant.
 * SIGCONT after SIGTERM, so a stopped process gets to handle it.
 */
void sup_kill_all(struct sup *s, int sig)
{
	if (s->pid1) {
		kill(-1, sig);
		if (sig == SIGTERM)
			kill(-1, SIGCONT);
		return;
	}
	for (size_t i = 0; i < s->spec.n_procs; i++)
		if (s->spec.procs[i].pid > 0) {
			kill(-s->spec.procs[i].pid, sig);
			if (sig == SIGTERM)
				kill(-s->spec.procs[i].pid, SIGCONT);
		}
	kill_descendants(sig);
	if (sig == SIGTERM)
		kill_descendants(SIGCONT);
}
