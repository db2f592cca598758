// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ICMP/ICMPv6 echo and TCP connect probes sent from inside network namespaces, many at once.
 *
 * ICMP: one socket per (source netns, family), created in that netns by core (a socket stays
 * in the netns it was born in, so no setns is needed afterwards), all polled together. Every
 * echo request carries a random per-call cookie, the probe's index and its send time, so a
 * reply is matched without any table and its RTT read straight from it. Errors come back on
 * the socket's error queue (IP_RECVERR), quoting our own echo header and payload.
 * TCP: one socket per try, created the same way, connecting without blocking; it takes one
 * of the wave's socket slots.
 */
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "nslab/probe.h"
#include "core.h"

/* Sockets open at once; more sources than this run in waves, to stay far from RLIMIT_NOFILE. */
#define WAVE_SOCKETS 256
#define ECHO_REQ4 ICMP_ECHO
#define ECHO_REP4 ICMP_ECHOREPLY

struct echo_hdr {
	uint8_t type, code;
	uint16_t cksum, id, seq;
};

struct echo_payload {
	uint64_t cookie;
	uint64_t sent_ns;
	uint32_t idx;
	uint32_t zero;
};

struct echo_pkt {
	struct echo_hdr h;
	struct echo_payload p;
};

struct psock {
	const char *netns; /* key, borrowed from the probes */
	int family;
	int fd;		/* TCP: the connect in flight, -1 between tries */
	bool raw;
	bool tcp;	/* a TCP probe's own slot, never shared */
	uint16_t id;	/* raw sockets: our echo id; ping sockets: the kernel's */
	size_t probe;	/* TCP: whose slot */
};

struct pstate {
	size_t sock;
	uint64_t start_ns, deadline_ns;
	uint64_t next_ns;	/* ICMP: next echo; TCP: earliest next connect */
	uint64_t try_ns, try_end_ns; /* TCP: the try in flight; ICMP with expect_fail: the window */
	uint64_t timeout_ns;	/* one try */
	int last_err;
	unsigned rtt_us;
	bool active;
	bool replied;		/* expect_fail: a reply (or connection) in the current try */
	bool reached;		/* expect_fail: a completed try reached the destination */
};

struct run {
	struct nsl_ctx *ctx;
	struct nsl_probe *probes;
	struct pstate *st;
	size_t n;
	struct psock *socks;
	size_t nsocks;
	uint64_t cookie;
	size_t pending;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint16_t inet_cksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		sum += (uint32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static bool same_key(const struct psock *s, const struct nsl_probe *p)
{
	if (s->tcp || p->tcp_port || s->family != p->dst.family)
		return false;
	if (!s->netns || !p->netns)
		return s->netns == p->netns;
	return STREQ(s->netns, p->netns);
}

/* Group the probes by (netns, family); the last match is tried first (probes come sorted). */
static int assign_sockets(struct run *r)
{
	size_t last = 0;

	r->socks = calloc(r->n ? r->n : 1, sizeof(*r->socks));
	if (!r->socks)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		struct nsl_probe *p = &r->probes[i];
		size_t k;

		if (r->nsocks && same_key(&r->socks[last], p)) {
			r->st[i].sock = last;
			continue;
		}
		for (k = p->tcp_port ? r->nsocks : 0; k < r->nsocks; k++)
			if (same_key(&r->socks[k], p))
				break;
		if (k == r->nsocks)
			r->socks[r->nsocks++] = (struct psock){ .netns = p->netns, .family = p->dst.family, .fd = -1,
								.tcp = p->tcp_port != 0, .probe = i };
		r->st[i].sock = last = k;
	}
	return 0;
}

static void setopt_int(int fd, int level, int name, int val)
{
	(void)setsockopt(fd, level, name, &val, sizeof(val));
}

/* Only echo replies on a raw socket: the netns's other ICMP traffic never wakes us. */
static void raw_filter(int fd, int family)
{
	if (family == AF_INET) {
		struct icmp_filter f = { .data = ~(1u << ECHO_REP4) };

		(void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		(void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
}

static int open_sock(struct run *r, struct psock *s)
{
	int proto = s->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd = -1, q;

	q = nsli_ns_socket(r->ctx, s->netns, s->family, SOCK_DGRAM | SOCK_NONBLOCK, proto, &fd, NULL);
	/* A new netns has ping_group_range "1 0": ping sockets are refused to all, root included. */
	if (q == -EACCES || q == -EPERM) {
		q = nsli_ns_socket(r->ctx, s->netns, s->family, SOCK_RAW | SOCK_NONBLOCK, proto, &fd, NULL);
		s->raw = true;
	}
	if (q < 0)
		return q;
	if (s->family == AF_INET)
		setopt_int(fd, SOL_IP, IP_RECVERR, 1);
	else
		setopt_int(fd, SOL_IPV6, IPV6_RECVERR, 1);
	/* A ping socket gets its echo id from the kernel, which also filters replies by it. */
	if (s->raw) {
		raw_filter(fd, s->family);
		if (getrandom(&s->id, sizeof(s->id), GRND_NONBLOCK) != sizeof(s->id))
			s->id = (uint16_t)(now_ns() ^ (uint64_t)getpid());
	}
	s->fd = fd;
	return 0;
}

static socklen_t to_sockaddr(const struct nsl_prefix *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->addr, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, a->addr, 16);
	return sizeof(*in6);
}

static void finish(struct run *r, size_t i, int result, unsigned rtt_us)
{
	struct pstate *st = &r->st[i];
	struct psock *s = &r->socks[st->sock];

	if (!st->active)
		return;
	st->active = false;
	if (s->tcp && s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	r->probes[i].result = result;
	r->probes[i].rtt_us = result == 0 ? rtt_us : 0;
	r->probes[i].elapsed_ms = st->start_ns ? (unsigned)((now_ns() - st->start_ns) / 1000000u) : 0;
	r->pending--;
}

/* Retried until it fails (within, reach: false) rather than until it succeeds. */
static bool wants_failure(const struct run *r, size_t i)
{
	return r->probes[i].within_ms && r->probes[i].expect_fail;
}

/* Retried until it succeeds. */
static bool wants_success(const struct run *r, size_t i)
{
	return r->probes[i].within_ms && !r->probes[i].expect_fail;
}

/* A try succeeded: final, unless the probe waits for a failure. */
static void try_reached(struct run *r, size_t i, unsigned rtt_us)
{
	struct pstate *st = &r->st[i];

	if (!wants_failure(r, i)) {
		finish(r, i, 0, rtt_us);
		return;
	}
	st->replied = true;
	st->rtt_us = rtt_us;
}

/* A try failed: final, unless the probe waits for a success. */
static void try_failed(struct run *r, size_t i, int e)
{
	if (!wants_success(r, i)) {
		finish(r, i, e, 0);
		return;
	}
	r->st[i].last_err = e;
}

/* The probe's time is up: the outcome of its last completed try. */
static void give_up(struct run *r, size_t i)
{
	struct pstate *st = &r->st[i];

	if (wants_failure(r, i) && (st->reached || st->replied))
		finish(r, i, 0, st->rtt_us);
	else
		finish(r, i, st->last_err ? st->last_err : -ETIMEDOUT, 0);
}

/* Find which probe an echo (reply or quoted in an error) belongs to; SIZE_MAX if none. */
static size_t match(struct run *r, size_t sock, const uint8_t *icmp, size_t len, bool want_reply)
{
	const struct psock *s = &r->socks[sock];
	struct echo_pkt pkt;
	uint8_t type;

	if (len < sizeof(pkt))
		return SIZE_MAX;
	memcpy(&pkt, icmp, sizeof(pkt));
	if (s->family == AF_INET)
		type = want_reply ? ECHO_REP4 : ECHO_REQ4;
	else
		type = want_reply ? ICMP6_ECHO_REPLY : ICMP6_ECHO_REQUEST;
	if (pkt.h.type != type || pkt.h.code != 0 || pkt.p.cookie != r->cookie)
		return SIZE_MAX;
	if (s->raw && ntohs(pkt.h.id) != s->id)
		return SIZE_MAX;
	if (pkt.p.idx >= r->n || r->st[pkt.p.idx].sock != sock || ntohs(pkt.h.seq) != (pkt.p.idx & 0xffff))
		return SIZE_MAX;
	return pkt.p.idx;
}

static bool from_dst(const struct nsl_prefix *dst, const struct sockaddr_storage *ss)
{
	if (dst->family == AF_INET && ss->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)ss)->sin_addr, dst->addr, 4);
	if (dst->family == AF_INET6 && ss->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, dst->addr, 16);
	return false;
}

/*
 * Read the error queue. Dequeuing also clears the socket's pending error, which would
 * otherwise make the next send or receive on this shared socket fail on behalf of another
 * probe.
 */
static void drain_errq(struct run *r, size_t sock)
{
	int fd = r->socks[sock].fd;

	for (;;) {
		uint8_t data[512];
		union {
			char buf[512];
			struct cmsghdr align;
		} ctl;
		struct sockaddr_storage ss;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		ssize_t len = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
		int e = 0;

		if (len < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
				struct sock_extended_err ee;

				memcpy(&ee, CMSG_DATA(c), sizeof(ee));
				e = (int)ee.ee_errno;
			}
		}
		size_t i = match(r, sock, data, (size_t)len, false);

		if (e > 0 && i != SIZE_MAX && r->st[i].active)
			r->st[i].last_err = -e;
	}
}

static void drain_in(struct run *r, size_t sock)
{
	const struct psock *s = &r->socks[sock];

	for (;;) {
		uint8_t data[1024];
		struct sockaddr_storage ss;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t len = recvmsg(s->fd, &m, MSG_DONTWAIT);
		const uint8_t *icmp = data;
		size_t i;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			/* A pending ICMP error surfaced here: attribute it, then go on reading. */
			drain_errq(r, sock);
			continue;
		}
		if (s->raw && s->family == AF_INET) {
			size_t ihl = len > 0 ? (size_t)(data[0] & 0x0f) * 4 : 0;

			if (ihl < 20 || (size_t)len < ihl)
				continue;
			icmp += ihl;
			len -= (ssize_t)ihl;
		}
		i = match(r, sock, icmp, (size_t)len, true);
		if (i == SIZE_MAX || !from_dst(&r->probes[i].dst, &ss))
			continue;
		struct echo_payload p;

		memcpy(&p, icmp + sizeof(struct echo_hdr), sizeof(p));
		if (r->st[i].active)
			try_reached(r, i, (unsigned)((now_ns() - p.sent_ns) / 1000));
	}
}

static bool fatal_send_error(int e)
{
	return e != ENOBUFS && e != EAGAIN && e != EWOULDBLOCK && e != EINTR && e != ENOMEM;
}

static void send_one(struct run *r, size_t i)
{
	const struct psock *s = &r->socks[r->st[i].sock];
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(&r->probes[i].dst, 0, &ss);
	struct echo_pkt pkt = {
		.h = { .type = s->family == AF_INET ? ECHO_REQ4 : ICMP6_ECHO_REQUEST,
		       .id = htons(s->id), .seq = htons((uint16_t)(i & 0xffff)) },
		.p = { .cookie = r->cookie, .sent_ns = now_ns(), .idx = (uint32_t)i },
	};
	int e = 0;

	/* The kernel sums ICMPv6 and ping sockets itself; a raw IPv4 socket sends what we give it. */
	if (s->raw && s->family == AF_INET)
		pkt.h.cksum = inet_cksum(&pkt, sizeof(pkt));
	for (int attempt = 0; attempt < 2; attempt++) {
		if (sendto(s->fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) >= 0)
			return;
		e = errno;
		if (!fatal_send_error(e))
			return;
		/* Maybe a pending error of another probe's ICMP reply: take it off and retry once. */
		drain_errq(r, r->st[i].sock);
	}
	/* With within, no route yet is one failed try: routing daemons may still be converging. */
	try_failed(r, i, -e);
}

/* A TCP try ended: with @e 0 the handshake completed. */
static void tcp_done(struct run *r, size_t i, int e)
{
	struct pstate *st = &r->st[i];
	struct psock *s = &r->socks[st->sock];

	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (e == 0)
		try_reached(r, i, (unsigned)((now_ns() - st->try_ns) / 1000));
	else
		try_failed(r, i, e);
}

/*
 * Start a TCP try: a socket of its own in the probe's netns, connect() without blocking.
 * SO_LINGER 0 makes the close a reset: a probe retried for a minute opens hundreds of
 * connections from one netns, and a normal close would leave each in TIME_WAIT there,
 * holding a local port for 60 s (the reset is what TCP health checkers such as HAProxy's
 * send too).
 */
static void tcp_start(struct run *r, size_t i, uint64_t now)
{
	struct pstate *st = &r->st[i];
	struct psock *s = &r->socks[st->sock];
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(&r->probes[i].dst, r->probes[i].tcp_port, &ss);
	int fd = -1, q;

	q = nsli_ns_socket(r->ctx, s->netns, s->family, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP, &fd, NULL);
	if (q < 0) {
		finish(r, i, q, 0);
		return;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	s->fd = fd;
	st->try_ns = now;
	st->try_end_ns = now + st->timeout_ns < st->deadline_ns ? now + st->timeout_ns : st->deadline_ns;
	st->next_ns = now + NSL_PROBE_INTERVAL_MS * 1000000ull;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0)
		tcp_done(r, i, 0);
	else if (errno != EINPROGRESS)
		tcp_done(r, i, negerrno());
}

/* The connect in flight of TCP slot @k is writable or failed: how did it end? */
static void tcp_ready(struct run *r, size_t k)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(r->socks[k].fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	tcp_done(r, r->socks[k].probe, -e);
}

/* ICMP with expect_fail: a window of one timeout with no reply is the failure it waits for. */
static void icmp_window(struct run *r, size_t i, uint64_t now)
{
	struct pstate *st = &r->st[i];

	if (now < st->try_end_ns)
		return;
	if (!st->replied) {
		finish(r, i, st->last_err ? st->last_err : -ETIMEDOUT, 0);
		return;
	}
	st->reached = true;
	st->replied = false;
	st->last_err = 0;
	st->try_end_ns += st->timeout_ns ? st->timeout_ns : 1000000u;
}

/* Move probe @i on at @now; return when it next needs attention (UINT64_MAX: done). */
static uint64_t step(struct run *r, size_t i, uint64_t now)
{
	struct pstate *st = &r->st[i];
	const struct psock *s = &r->socks[st->sock];
	uint64_t next;

	if (s->tcp) {
		if (s->fd >= 0 && now >= st->try_end_ns)
			tcp_done(r, i, -ETIMEDOUT);
		if (st->active && s->fd < 0 && now >= st->next_ns && now < st->deadline_ns)
			tcp_start(r, i, now);
	} else {
		if (wants_failure(r, i))
			icmp_window(r, i, now);
		if (st->active && st->next_ns <= now) {
			send_one(r, i);
			st->next_ns = now + NSL_PROBE_INTERVAL_MS * 1000000ull;
		}
	}
	if (st->active && now >= st->deadline_ns)
		give_up(r, i);
	if (!st->active)
		return UINT64_MAX;
	next = st->deadline_ns;
	if (st->next_ns < next && !(s->tcp && s->fd >= 0))
		next = st->next_ns;
	if ((s->tcp && s->fd >= 0) || wants_failure(r, i))
		next = st->try_end_ns < next ? st->try_end_ns : next;
	return next;
}

/* Wait for the open sockets of slots [lo, hi) until @until, then serve what is ready. */
static int poll_once(struct run *r, struct pollfd *pfd, size_t *map, size_t lo, size_t hi, uint64_t until)
{
	uint64_t now = now_ns();
	int ms = until > now ? (int)((until - now + 999999) / 1000000) : 0;
	size_t npfd = 0;

	for (size_t k = lo; k < hi; k++) {
		if (r->socks[k].fd < 0)
			continue;
		pfd[npfd] = (struct pollfd){ .fd = r->socks[k].fd, .events = r->socks[k].tcp ? POLLOUT : POLLIN };
		map[npfd++] = k;
	}
	if (poll(pfd, npfd, ms) < 0)
		return errno == EINTR ? 0 : negerrno();
	for (size_t k = 0; k < npfd; k++) {
		if (!pfd[k].revents)
			continue;
		if (r->socks[map[k]].tcp) {
			tcp_ready(r, map[k]);
			continue;
		}
		if (pfd[k].revents & POLLERR)
			drain_errq(r, map[k]);
		if (pfd[k].revents & POLLIN)
			drain_in(r, map[k]);
	}
	return 0;
}

static uint64_t ms_ns(unsigned ms)
{
	return (uint64_t)ms * 1000000u;
}

/* Open the ICMP sockets of slots [lo, hi) and start the clocks of their probes at @now. */
static void open_wave(struct run *r, size_t lo, size_t hi, uint64_t now, unsigned timeout_ms)
{
	for (size_t k = lo; k < hi; k++) {
		int e = r->socks[k].tcp ? 0 : open_sock(r, &r->socks[k]);

		for (size_t i = 0; i < r->n; i++) {
			struct pstate *st = &r->st[i];
			const struct nsl_probe *p = &r->probes[i];

			if (st->sock != k)
				continue;
			st->start_ns = now;
			st->timeout_ns = ms_ns(p->timeout_ms ? p->timeout_ms : timeout_ms);
			st->deadline_ns = now + st->timeout_ns;
			if (p->within_ms && ms_ns(p->within_ms) > st->timeout_ns)
				st->deadline_ns = now + ms_ns(p->within_ms);
			st->try_end_ns = now + st->timeout_ns;
			if (e < 0)
				finish(r, i, e, 0);
		}
	}
}

/* One wave: slots [lo, hi), their probes run until each is done or past its deadline. */
static int run_wave(struct run *r, size_t lo, size_t hi, unsigned timeout_ms)
{
	_cleanup_free_ struct pollfd *pfd = calloc(hi - lo, sizeof(*pfd));
	_cleanup_free_ size_t *map = calloc(hi - lo, sizeof(*map));
	int q = 0;

	if (!pfd || !map)
		return -ENOMEM;
	open_wave(r, lo, hi, now_ns(), timeout_ms);
	for (;;) {
		uint64_t now = now_ns(), next = UINT64_MAX;
		size_t left = 0;

		for (size_t i = 0; i < r->n; i++) {
			uint64_t t;

			if (!r->st[i].active || r->st[i].sock < lo || r->st[i].sock >= hi)
				continue;
			t = step(r, i, now);
			if (t == UINT64_MAX)
				continue;
			left++;
			next = t < next ? t : next;
		}
		if (!left)
			break;
		q = poll_once(r, pfd, map, lo, hi, next);
		if (q < 0)
			break;
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->st[i].active && r->st[i].sock >= lo && r->st[i].sock < hi)
			give_up(r, i);
	for (size_t k = lo; k < hi; k++)
		if (r->socks[k].fd >= 0) {
			close(r->socks[k].fd);
			r->socks[k].fd = -1;
		}
	return q;
}

_public_ int nsl_probe_ping_many(struct nsl_ctx *ctx, struct nsl_probe *probes, size_t n,
				 unsigned timeout_ms, struct nsl_err *err)
{
	_cleanup_free_ struct pstate *st = NULL;
	_cleanup_free_ struct psock *socks = NULL;
	struct run r = { .ctx = ctx, .probes = probes, .n = n };
	size_t answered = 0;
	int q;

	if (n > UINT32_MAX)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "too many probes");
	st = calloc(n ? n : 1, sizeof(*st));
	if (!st)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	r.st = st;
	for (size_t i = 0; i < n; i++) {
		st[i].active = true;
		probes[i].result = -ETIMEDOUT;
		probes[i].rtt_us = 0;
		probes[i].elapsed_ms = 0;
	}
	r.pending = n;
	q = assign_sockets(&r);
	socks = r.socks;
	if (q < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, q, NULL, NULL);
	if (getrandom(&r.cookie, sizeof(r.cookie), GRND_NONBLOCK) != sizeof(r.cookie))
		r.cookie = now_ns() ^ ((uint64_t)getpid() << 32);
	for (size_t i = 0; i < n; i++)
		if (probes[i].dst.family != AF_INET && probes[i].dst.family != AF_INET6)
			finish(&r, i, -EAFNOSUPPORT, 0);
	for (size_t lo = 0; lo < r.nsocks; lo += WAVE_SOCKETS) {
		size_t hi = lo + WAVE_SOCKETS < r.nsocks ? lo + WAVE_SOCKETS : r.nsocks;

		q = run_wave(&r, lo, hi, timeout_ms);
		if (q < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, q, NULL, "poll: %s", strerror(-q));
	}
	for (size_t i = 0; i < n; i++)
		answered += probes[i].result == 0;
	return (int)(answered > INT32_MAX ? INT32_MAX : answered);
}

_public_ int nsl_probe_ping(struct nsl_ctx *ctx, const char *netns, const struct nsl_prefix *dst,
			    unsigned timeout_ms, unsigned *ret_rtt_us, struct nsl_err *err)
{
	struct nsl_probe p = { .netns = netns, .dst = *dst };
	char buf[64];
	int q;

	q = nsl_probe_ping_many(ctx, &p, 1, timeout_ms, err);
	if (q < 0)
		return q;
	if (p.result < 0) {
		nsl_prefix_str(dst, false, buf, sizeof(buf));
		if (p.result == -ETIMEDOUT)
			return nsl_err_set(err, NSL_E_SYSTEM, p.result, netns, "no reply from %s within %u ms",
					   buf, timeout_ms);
		return nsl_err_set(err, p.result == -ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, p.result, netns,
				   "%s: %s", buf, strerror(-p.result));
	}
	if (ret_rtt_us)
		*ret_rtt_us = p.rtt_us;
	return 0;
}
