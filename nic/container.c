// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container targets: the PID of a docker or podman container, asked of that runtime's own
 * CLI (`inspect --format {{.State.Pid}}`), as pipework did. No daemon socket is spoken to
 * directly: the CLI knows the user's context, remote hosts and rootless setups.
 */
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"
#include "nic-internal.h"

extern char **environ;

#define NIC_CONTAINER_NAME_MAX 100

static bool name_char(char c, bool first)
{
	if (isalnum((unsigned char)c))
		return true;
	return !first && (c == '_' || c == '.' || c == '-');
}

int nsli_nic_container_name_check(const char *name, struct nsl_err *err)
{
	const char *colon = strchr(name, ':');
	const char *bare = colon ? colon + 1 : name;

	if (colon && strncmp(name, "docker:", 7) != 0 && strncmp(name, "podman:", 7) != 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name,
				   "a container is NAME, docker:NAME or podman:NAME");
	if (!*bare || strlen(bare) > NIC_CONTAINER_NAME_MAX)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name,
				   "container name must be 1..%d bytes", NIC_CONTAINER_NAME_MAX);
	for (const char *p = bare; *p; p++)
		if (!name_char(*p, p == bare))
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name,
					   "invalid container name (want [A-Za-z0-9][A-Za-z0-9_.-]*)");
	return 0;
}

struct inspect_out {
	char out[64];
	char errline[160];
	int status;
};

/*
 * How long `inspect` may take: an engine whose daemon hangs must not hang nslab with it.
 * Test builds only (-DNSLAB_TEST_HOOKS): NSLAB_TEST_INSPECT_TIMEOUT_MS shortens it.
 */
static int inspect_timeout_ms(void)
{
#ifdef NSLAB_TEST_HOOKS
	const char *s = secure_getenv("NSLAB_TEST_INSPECT_TIMEOUT_MS");

	if (s && atoi(s) > 0)
		return atoi(s);
#endif
	return 10000;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Read both pipes to the end (the CLI may fill stderr first), keeping the first bytes.
 * -ETIMEDOUT when they are still open after @timeout_ms. */
static int drain(int ofd, int efd, struct inspect_out *o, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = ofd, .events = POLLIN }, { .fd = efd, .events = POLLIN } };
	size_t used[2] = { 0, 0 };
	char *bufs[2] = { o->out, o->errline };
	size_t caps[2] = { sizeof(o->out) - 1, sizeof(o->errline) - 1 };
	int open_fds = 2, r = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (open_fds > 0) {
		long left = timeout_ms - ms_since(&t0);
		int ready = left > 0 ? poll(p, 2, (int)left) : 0;

		if (ready == 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			r = negerrno();
			break;
		}
		for (int i = 0; i < 2; i++) {
			char tmp[512];
			ssize_t n;
			size_t take;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			take = caps[i] - used[i] < (size_t)n ? caps[i] - used[i] : (size_t)n;
			memcpy(bufs[i] + used[i], tmp, take);
			used[i] += take;
		}
	}
	o->out[used[0]] = '\0';
	o->errline[used[1]] = '\0';
	o->errline[strcspn(o->errline, "\n")] = '\0';
	return r;
}

/* Run `CLI inspect --format {{.State.Pid}} NAME`. -ENOENT when CLI is not installed. */
static int run_inspect(const char *cli, const char *name, struct inspect_out *o)
{
	char *argv[] = { (char *)cli, "inspect", "--format", "{{.State.Pid}}", "--", (char *)name, NULL };
	_cleanup_close_ int orfd = -1, owfd = -1, erfd = -1, ewfd = -1;
	posix_spawn_file_actions_t fa;
	int pipes[2][2], r;
	pid_t pid;

	if (pipe2(pipes[0], O_CLOEXEC) < 0)
		return negerrno();
	orfd = pipes[0][0], owfd = pipes[0][1];
	if (pipe2(pipes[1], O_CLOEXEC) < 0)
		return negerrno();
	erfd = pipes[1][0], ewfd = pipes[1][1];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, owfd, 1);
	posix_spawn_file_actions_adddup2(&fa, ewfd, 2);
	r = posix_spawnp(&pid, cli, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	closep(&owfd), owfd = -1;
	closep(&ewfd), ewfd = -1;
	r = drain(orfd, erfd, o, inspect_timeout_ms());
	if (r < 0)
		kill(pid, SIGKILL); /* ours: it answers no more */
	while (waitpid(pid, &o->status, 0) < 0)
		if (errno != EINTR)
			return negerrno();
	return r;
}

static int parse_pid(const char *cli, const char *name, const struct inspect_out *o, pid_t *ret,
		     struct nsl_err *err)
{
	char *end;
	long v;

	if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOENT, name, "%s inspect failed: %s", cli,
				   o->errline[0] ? o->errline : "no output");
	errno = 0;
	v = strtol(o->out, &end, 10);
	if (errno || end == o->out || (*end && *end != '\n') || v < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -EINVAL, name,
				   "%s inspect printed no PID: '%.40s'", cli, o->out);
	if (v == 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, name, "container is not running");
	*ret = (pid_t)v;
	return 0;
}

int nsli_nic_container_pid(const char *name, pid_t *ret, struct nsl_err *err)
{
	static const char *const clis[] = { "docker", "podman" };
	const char *bare = strchr(name, ':') ? strchr(name, ':') + 1 : name;

	for (size_t i = 0; i < ELEMENTSOF(clis); i++) {
		struct inspect_out o = { 0 };
		int r;

		if (bare != name && strncmp(name, clis[i], strlen(clis[i])) != 0)
			continue;
		r = run_inspect(clis[i], bare, &o);
		if (r == -ENOENT)
			continue;
		if (r == -ETIMEDOUT)
			return nsl_err_set(err, NSL_E_SYSTEM, r, name, "%s inspect did not answer within %d ms",
					   clis[i], inspect_timeout_ms());
		if (r < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, r, name, "cannot run %s: %s", clis[i],
					   strerror(-r));
		return parse_pid(clis[i], bare, &o, ret, err);
	}
	if (bare != name)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOENT, name, "the %.*s CLI is not installed",
				   (int)(bare - name - 1), name);
	return nsl_err_set(err, NSL_E_SYSTEM, -ENOENT, name,
			   "not a PID, and neither docker nor podman is installed to resolve a container");
}
