// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TCP probes and `within` retries of nsl_probe_ping_many(), against loopback listeners of this
 * process's own netns (netns NULL): no netns is made and no privilege is needed for TCP. A
 * listener that appears or goes away later is a forked child that sleeps first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nslab/ctx.h"
#include "nslab/probe.h"
#include "tap.h"

static struct nsl_ctx *ctx;

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct nsl_prefix addr(const char *s)
{
	struct nsl_prefix p = { 0 };

	if (strchr(s, ':')) {
		p.family = AF_INET6;
		inet_pton(AF_INET6, s, p.addr);
	} else {
		p.family = AF_INET;
		inet_pton(AF_INET, s, p.addr);
	}
	return p;
}

/* A listening socket on @host port @port (0: any free one); its port in *ret_port. -1: none. */
static int listener(const char *host, uint16_t port, uint16_t *ret_port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int one = 1, fd;
	bool v6 = strchr(host, ':');

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &a->sin6_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, host, &a->sin_addr);
		sl = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		close(fd);
		return -1;
	}
	if (ret_port)
		*ret_port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* A port that was free a moment ago, for a listener that comes or goes later. */
static uint16_t free_port(void)
{
	uint16_t port = 0;
	int fd = listener("127.0.0.1", 0, &port);

	if (fd >= 0)
		close(fd);
	return port;
}

/* A child that listens on 127.0.0.1:@port from @start_ms to @stop_ms after now, then exits. */
static pid_t listen_later(uint16_t port, int start_ms, int stop_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep((useconds_t)start_ms * 1000);
		int fd = listener("127.0.0.1", port, NULL);

		usleep((useconds_t)(stop_ms - start_ms) * 1000);
		if (fd >= 0)
			close(fd);
		_exit(fd >= 0 ? 0 : 1);
	}
	return pid;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int probe1(struct nsl_probe *p, unsigned timeout_ms, long *ret_ms)
{
	long t0 = ms_now();
	int r = nsl_probe_ping_many(ctx, p, 1, timeout_ms, NULL);

	*ret_ms = ms_now() - t0;
	return r;
}

static void test_tcp_once(void)
{
	uint16_t port = 0, closed;
	int fd = listener("127.0.0.1", 0, &port);
	struct nsl_probe p = { .dst = addr("127.0.0.1"), .tcp_port = port };
	long ms;
	int r;

	if (fd < 0) {
		skip("no loopback listener: %s", strerror(errno));
		return;
	}
	r = probe1(&p, 1000, &ms);
	ok(r == 1 && p.result == 0, "tcp to a listener: established (%s)", strerror(-p.result));
	ok(ms < 500 && p.elapsed_ms < 500, "at once (%ld ms, elapsed_ms %u)", ms, p.elapsed_ms);
	close(fd);
	closed = port;
	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .tcp_port = closed };
	r = probe1(&p, 1000, &ms);
	ok(r == 0 && p.result == -ECONNREFUSED, "closed port: refused (%s)", strerror(-p.result));
	ok(ms < 500, "refusal is immediate (%ld ms)", ms);
	ok(p.rtt_us == 0, "no rtt on failure");
	/* reach: false, one try: a refusal is the failure wanted, the caller decides. */
	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .tcp_port = closed, .expect_fail = true };
	r = probe1(&p, 1000, &ms);
	ok(r == 0 && p.result == -ECONNREFUSED, "expect_fail, one try: refused");
	/* A per-probe timeout wins over the call's. */
	fd = listener("::1", 0, &port);
	if (fd < 0) {
		skip("no IPv6 loopback: %s", strerror(errno));
		return;
	}
	p = (struct nsl_probe){ .dst = addr("::1"), .tcp_port = port, .timeout_ms = 500 };
	r = probe1(&p, 0, &ms);
	ok(r == 1 && p.result == 0, "tcp over IPv6 ::1 (%s)", strerror(-p.result));
	close(fd);
}

static void test_within_success(void)
{
	uint16_t port = free_port();
	pid_t pid = listen_later(port, 400, 5000);
	struct nsl_probe p = { .dst = addr("127.0.0.1"), .tcp_port = port, .within_ms = 4000 };
	long ms;
	int r;

	r = probe1(&p, 1000, &ms);
	ok(r == 1 && p.result == 0, "within: a listener that starts later is found (%s)",
	   strerror(-p.result));
	ok(ms >= 350 && ms < 2000, "once it listens (%ld ms)", ms);
	ok(p.elapsed_ms >= 350 && p.elapsed_ms <= (unsigned)ms, "elapsed_ms %u is the time it took", p.elapsed_ms);
	reap(pid);

	port = free_port();
	pid = listen_later(port, 400, 5000);
	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .tcp_port = port };
	r = probe1(&p, 1000, &ms);
	ok(r == 0 && p.result == -ECONNREFUSED, "without within: refused at once");
	reap(pid);

	/* Never listening: retried until within is spent, the last try's error reported. */
	port = free_port();
	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .tcp_port = port, .within_ms = 800 };
	r = probe1(&p, 300, &ms);
	ok(r == 0 && p.result == -ECONNREFUSED, "within, never open: refused (%s)",
	   strerror(-p.result));
	ok(ms >= 750 && ms < 1500, "after the whole within (%ld ms)", ms);
}

static void test_within_failure(void)
{
	uint16_t port = free_port();
	pid_t pid = listen_later(port, 0, 600);
	struct nsl_probe p = { .dst = addr("127.0.0.1"), .tcp_port = port, .within_ms = 4000, .expect_fail = true };
	long ms;
	int r;

	/* Wait until the child listens, so that the first try of the probe below is a success. */
	struct nsl_probe up = { .dst = addr("127.0.0.1"), .tcp_port = port, .result = -EAGAIN };

	for (int k = 0; k < 40 && up.result != 0; k++) {
		usleep(10 * 1000);
		nsl_probe_ping_many(ctx, &up, 1, 100, NULL);
	}
	ok(up.result == 0, "the listener is up (%s)", strerror(-up.result));
	r = probe1(&p, 1000, &ms);
	ok(r == 0 && p.result == -ECONNREFUSED, "expect_fail within: holds once the port closes (%s)",
	   strerror(-p.result));
	ok(ms >= 50 && ms < 2000, "when it closed, not at the first try (%ld ms)", ms);
	reap(pid);

	/* Open the whole time: reached, after within. */
	int fd = listener("127.0.0.1", 0, &port);

	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .tcp_port = port, .within_ms = 700, .expect_fail = true };
	r = probe1(&p, 300, &ms);
	ok(r == 1 && p.result == 0, "expect_fail within, always open: reached");
	ok(ms >= 650 && ms < 1500, "after the whole within (%ld ms)", ms);
	close(fd);
}

/* More TCP probes than one wave of sockets (256), each with within: about one period, not many. */
static void test_many(void)
{
	enum { N = 300 };
	static struct nsl_probe p[N];
	uint16_t port = free_port();
	pid_t pid = listen_later(port, 500, 8000);
	size_t good = 0;
	long ms;

	for (size_t i = 0; i < N; i++)
		p[i] = (struct nsl_probe){ .dst = addr("127.0.0.1"), .tcp_port = port,
					   .within_ms = 5000 };
	long t0 = ms_now();
	int r = nsl_probe_ping_many(ctx, p, N, 1000, NULL);

	ms = ms_now() - t0;
	for (size_t i = 0; i < N; i++)
		good += p[i].result == 0;
	ok(r == N && good == N, "%d tcp probes with within, all established (%zu)", N, good);
	ok(ms >= 450 && ms < 3000, "in about the time the listener took to come (%ld ms)", ms);
	reap(pid);
}

/* ICMP with within and expect_fail: a destination that always answers is reached, at the end. */
static void test_icmp_within(void)
{
	struct nsl_probe p = { .dst = addr("127.0.0.1"), .within_ms = 600, .expect_fail = true };
	long ms;

	probe1(&p, 200, &ms);
	if (p.result == -EPERM || p.result == -EACCES) {
		skip("no ICMP socket here: %s", strerror(-p.result));
		return;
	}
	ok(p.result == 0, "icmp expect_fail within, lo answers: reached (%s)", strerror(-p.result));
	ok(ms >= 550 && ms < 1500, "after within (%ld ms)", ms);
	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .within_ms = 3000 };
	probe1(&p, 200, &ms);
	ok(p.result == 0 && ms < 500, "icmp within, answered: at once (%ld ms)", ms);
	p = (struct nsl_probe){ .dst = addr("127.0.0.1"), .within_ms = 500, .expect_fail = true, .timeout_ms = 600 };
	probe1(&p, 200, &ms);
	ok(p.result == 0 && ms >= 550 && ms < 1500, "icmp expect_fail, within below one try: one full try (%ld ms)", ms);
}

int main(void)
{
	struct nsl_err err = { 0 };
	uint16_t port = 0;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	if (nsl_ctx_new(&ctx, &err) < 0) {
		ok(0, "context: %s", err.msg);
		return tap_done();
	}
	/* A probe of netns NULL still enters the context's netns: that needs CAP_SYS_ADMIN. */
	fd = listener("127.0.0.1", 0, &port);
	struct nsl_probe p = { .dst = addr("127.0.0.1"), .tcp_port = port };

	nsl_probe_ping_many(ctx, &p, 1, 500, NULL);
	if (fd >= 0)
		close(fd);
	if (p.result == -EPERM) {
		skip("probes enter a netns, which needs CAP_SYS_ADMIN");
		nsl_ctx_free(ctx);
		return tap_done();
	}
	test_tcp_once();
	test_within_success();
	test_within_failure();
	test_many();
	test_icmp_within();
	nsl_ctx_free(ctx);
	return tap_done();
}
