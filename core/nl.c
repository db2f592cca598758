// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * rtnetlink sessions: one socket per network namespace, opened once and kept (opening a
 * socket means entering the netns; doing that per request would cost a setns pair and a
 * socket each time). Requests are built by libnl or libmnl; transport, ACK matching and
 * extended-ACK parsing are done here with libmnl, because libnl 3.7 neither exposes the
 * kernel's extack text nor keeps the kernel's errno (nl_syserr2nlerr folds many into one).
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <time.h>

#include "core.h"
#include "ctx-internal.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* Large enough for a dump chunk; the kernel sizes them to min(32 KiB, our buffer). */
#define NL_BUFSZ (32 * 1024)

static void session_free(struct nsl_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	if (nl->nsfd >= 0)
		close(nl->nsfd);
	free(nl->key);
	free(nl->buf);
	free(nl);
}

void nsli_nl_close_all(struct nsl_ctx *ctx)
{
	while (ctx->nl) {
		struct nsl_nl *n = ctx->nl;

		ctx->nl = n->next;
		session_free(n);
	}
	ctx->n_sessions = 0;
}

static bool key_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && STREQ(a, b));
}

static int sock_open(void *data)
{
	struct mnl_socket **sp = data;
	int one = 1;

	*sp = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!*sp)
		return negerrno();
	/* Ask for the kernel's words with every error, without the echoed request. */
	mnl_socket_setsockopt(*sp, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(*sp, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Absent before Linux 4.20: ENOPROTOOPT is fine. */
	mnl_socket_setsockopt(*sp, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(*sp, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = negerrno();

		mnl_socket_close(*sp);
		*sp = NULL;
		return r;
	}
	return 0;
}

static void evict_lru(struct nsl_ctx *ctx)
{
	struct nsl_nl **pp = &ctx->nl;

	while (*pp && (*pp)->next)
		pp = &(*pp)->next;
	if (*pp) {
		session_free(*pp);
		*pp = NULL;
		ctx->n_sessions--;
	}
}

/* A new session of @sock (ours now) and @nsfd (taken), cached under @spec, in front. */
static int session_add(struct nsl_ctx *ctx, const char *spec, struct mnl_socket *sock, int nsfd,
		       struct nsl_nl **ret, struct nsl_err *err)
{
	struct nsl_nl *nl = calloc(1, sizeof(*nl));

	if (!nl || (spec && !(nl->key = strdup(spec)))) {
		free(nl);
		mnl_socket_close(sock);
		close(nsfd);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	nl->sock = sock;
	nl->nsfd = nsfd;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	if (ctx->n_sessions >= ctx->max_sessions)
		evict_lru(ctx);
	nl->next = ctx->nl;
	ctx->nl = nl;
	ctx->n_sessions++;
	if (ret)
		*ret = nl;
	return 0;
}

int nsli_nl_get(struct nsl_ctx *ctx, const char *spec, struct nsl_nl **ret, struct nsl_err *err)
{
	_cleanup_close_ int nsfd = -1;
	struct mnl_socket *sock = NULL;
	struct nsl_nl **pp, *nl;
	int r;

	if (!spec)
		spec = ctx->netns;
	for (pp = &ctx->nl; *pp; pp = &(*pp)->next)
		if (key_eq((*pp)->key, spec)) {
			nl = *pp;
			*pp = nl->next; /* move to front: labs touch one netns many times in a row */
			nl->next = ctx->nl;
			ctx->nl = nl;
			*ret = nl;
			return 0;
		}

	r = nsli_ns_open(ctx, spec, &nsfd, err);
	if (r < 0)
		return r;
	r = nsli_ns_call_in(ctx, nsfd, sock_open, &sock);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, spec, "netlink socket: %s", strerror(-r));
	return session_add(ctx, spec, sock, TAKE_FD(nsfd), ret, err);
}

int nsli_nl_open_here(struct nsl_ctx *ctx, const char *key, struct nsl_err *err)
{
	struct mnl_socket *sock = NULL;
	int nsfd, r;

	nsli_nl_forget(ctx, key);
	nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), key, "open own netns: %s", strerror(errno));
	r = sock_open(&sock);
	if (r < 0) {
		close(nsfd);
		return nsl_err_set(err, NSL_E_SYSTEM, r, key, "netlink socket: %s", strerror(-r));
	}
	return session_add(ctx, key, sock, nsfd, NULL, err);
}

int nsli_nl_cached_nsfd(struct nsl_ctx *ctx, const char *spec)
{
	for (struct nsl_nl *n = ctx->nl; n; n = n->next)
		if (n->key && spec && STREQ(n->key, spec))
			return n->nsfd;
	return -1;
}

void nsli_nl_forget(struct nsl_ctx *ctx, const char *spec)
{
	if (!spec)
		spec = ctx->netns;
	for (struct nsl_nl **pp = &ctx->nl; *pp; pp = &(*pp)->next)
		if (key_eq((*pp)->key, spec)) {
			struct nsl_nl *n = *pp;

			*pp = n->next;
			session_free(n);
			ctx->n_sessions--;
			return;
		}
}

static int ensure_buf(struct nsl_nl *nl)
{
	if (!nl->buf)
		nl->buf = malloc(NL_BUFSZ);
	return nl->buf ? 0 : -ENOMEM;
}

struct attr_table {
	const struct nlattr **tb;
	unsigned max;
};

static int attr_table_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

int nsli_nl_parse_attrs(const struct nlmsghdr *h, unsigned offset, const struct nlattr **tb,
		       unsigned max)
{
	struct attr_table t = { tb, max };

	return mnl_attr_parse(h, offset, attr_table_cb, &t) < 0 ? -EINVAL : 0;
}

/* Copy the kernel's NLMSGERR_ATTR_MSG, if any, into err->extack. */
static void parse_extack(const struct nlmsghdr *nlh, struct nsl_err *err)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned off = sizeof(*e);

	if (!err || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (mnl_nlmsg_get_payload_len(nlh) <= off)
		return;
	nsli_nl_parse_attrs(nlh, off, tb, NLMSGERR_ATTR_MAX);
	if (tb[NLMSGERR_ATTR_MSG] && mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING) == 0)
		snprintf(err->extack, sizeof(err->extack), "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
}

/* One recvmsg into the session buffer, EINTR retried. */
static int recv_chunk(struct nsl_nl *nl, int *ret_len, struct nsl_err *err)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUFSZ);

		if (n >= 0) {
			*ret_len = (int)n;
			return 0;
		}
		if (errno != EINTR)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "netlink receive: %s",
					   strerror(errno));
	}
}

/* A NACK: the kernel's errno into @err, with its extack text kept. Returns the errno. */
static int nack(const struct nlmsghdr *h, struct nsl_err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	char keep[sizeof(err->extack)] = "";

	parse_extack(h, err);
	if (err)
		memcpy(keep, err->extack, sizeof(keep));
	nsl_err_set(err, NSL_E_SYSTEM, e->error, NULL, NULL);
	if (err)
		memcpy(err->extack, keep, sizeof(keep));
	return e->error;
}

/* Number @h as our next request; @flags adds NLM_F_ACK or NLM_F_DUMP to NLM_F_REQUEST. */
static void stamp(struct nsl_nl *nl, struct nlmsghdr *h, uint16_t flags)
{
	h->nlmsg_flags |= NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++nl->seq;
	h->nlmsg_pid = 0;
}

/* Stamp and send the one request @req (a dump or a query). */
static int send_one(struct nsl_nl *nl, struct nlmsghdr *req, uint16_t flags, struct nsl_err *err)
{
	stamp(nl, req, flags);
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "netlink send: %s", strerror(errno));
	return 0;
}

/* What a message handler returns to read on; anything else ends receive() as its result. */
#define RECV_MORE 1

/*
 * The one receive loop: read chunks into the session buffer and hand every message that
 * answers us (our port, a sequence number in [@first, @last]) to @fn, until @fn returns
 * something other than RECV_MORE: 0 or a negative errno, which is returned. When to stop is
 * each request kind's own rule (all ACKs in, NLMSG_DONE, the last part of a reply).
 */
typedef int (*recv_fn)(const struct nlmsghdr *h, void *state, struct nsl_err *err);
static int receive(struct nsl_nl *nl, unsigned first, unsigned last, recv_fn fn, void *state,
		   struct nsl_err *err)
{
	for (;;) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)nl->buf;
		int len, r = recv_chunk(nl, &len, err);

		if (r < 0)
			return r;
		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			if (h->nlmsg_pid != nl->portid || h->nlmsg_seq < first || h->nlmsg_seq > last)
				continue;
			r = fn(h, state, err);
			if (r != RECV_MORE)
				return r;
		}
	}
}

struct acks {
	unsigned pending;
	int first_err;
	unsigned first_err_seq;
};

/* Done when every request has its ACK; the NACK with the lowest sequence number is kept. */
static int ack_msg(const struct nlmsghdr *h, void *state, struct nsl_err *err)
{
	struct acks *a = state;
	const struct nlmsgerr *e;

	if (h->nlmsg_type != NLMSG_ERROR)
		return RECV_MORE;
	e = mnl_nlmsg_get_payload(h);
	if (e->error && (!a->first_err || h->nlmsg_seq < a->first_err_seq)) {
		if (err)
			err->extack[0] = '\0';
		a->first_err = nack(h, err);
		a->first_err_seq = h->nlmsg_seq;
	}
	return --a->pending > 0 ? RECV_MORE : a->first_err;
}

/*
 * Receive until every sequence number in [first, last] has been answered. Returns the
 * errno of the first NACK (by sequence), with its index via @ret_failed.
 */
static int collect_acks(struct nsl_nl *nl, unsigned first, unsigned last, int *ret_failed,
			struct nsl_err *err)
{
	struct acks a = { .pending = last - first + 1 };
	int r = receive(nl, first, last, ack_msg, &a, err);

	if (a.pending == 0 && a.first_err && ret_failed)
		*ret_failed = (int)(a.first_err_seq - first);
	return r;
}

int nsli_nl_talk(struct nsl_nl *nl, struct nlmsghdr *req, struct nsl_err *err)
{
	return nsli_nl_batch(nl, &req, 1, NULL, err);
}

int nsli_nl_talk_msg(struct nsl_nl *nl, struct nl_msg *msg, struct nsl_err *err)
{
	return nsli_nl_talk(nl, nlmsg_hdr(msg), err);
}

int nsli_nl_batch(struct nsl_nl *nl, struct nlmsghdr **reqs, int n, int *ret_failed,
		 struct nsl_err *err)
{
	/* Keep each sendmsg well under the receive buffer so that its ACKs always fit. */
	enum { SEND_MAX = NL_BUFSZ / 2, ACKS_MAX = 64 };
	_cleanup_free_ char *sendbuf = NULL;
	int i = 0;

	if (ensure_buf(nl) < 0 || !(sendbuf = malloc(SEND_MAX)))
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	if (err)
		err->extack[0] = '\0';
	while (i < n) {
		size_t used = 0;
		int start = i, r;
		unsigned first = nl->seq + 1;

		for (; i < n && i - start < ACKS_MAX; i++) {
			size_t len = NLMSG_ALIGN(reqs[i]->nlmsg_len);

			if (used + len > SEND_MAX)
				break;
			stamp(nl, reqs[i], NLM_F_ACK);
			memcpy(sendbuf + used, reqs[i], reqs[i]->nlmsg_len);
			memset(sendbuf + used + reqs[i]->nlmsg_len, 0, len - reqs[i]->nlmsg_len);
			used += len;
		}
		if (i == start)
			return nsl_err_set(err, NSL_E_SYSTEM, -EMSGSIZE, NULL, "netlink request too large");
		if (mnl_socket_sendto(nl->sock, sendbuf, used) < 0) {
			r = negerrno();
			return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "netlink send: %s", strerror(-r));
		}
		r = collect_acks(nl, first, nl->seq, ret_failed, err);
		if (r < 0) {
			if (ret_failed)
				*ret_failed += start;
			return r;
		}
	}
	return 0;
}

/* The errno an NLMSG_DONE carries (a dump that failed after its first part), or 0. */
static int done_errno(const struct nlmsghdr *h)
{
	int e = 0;

	if (mnl_nlmsg_get_payload_len(h) >= sizeof(e))
		memcpy(&e, mnl_nlmsg_get_payload(h), sizeof(e));
	return e < 0 ? e : 0;
}

struct dump {
	mnl_cb_t cb;
	void *data;
	bool intr;
	int cb_err;
};

/*
 * Done at NLMSG_DONE or an NLMSG_ERROR. NLM_F_DUMP_INTR on any part (the set changed while
 * it was read) marks the dump for a restart; the whole answer is still consumed, so the
 * session stays usable.
 */
static int dump_msg(const struct nlmsghdr *h, void *state, struct nsl_err *err)
{
	struct dump *d = state;

	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (h->nlmsg_type == NLMSG_DONE) {
		int e = done_errno(h);

		if (e < 0 && !d->cb_err)
			return nsl_err_set(err, NSL_E_SYSTEM, e, NULL, "netlink dump: %s", strerror(-e));
		return d->cb_err;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

		parse_extack(h, err);
		if (e->error)
			return nsl_err_set(err, NSL_E_SYSTEM, e->error, NULL, "netlink dump: %s",
					   strerror(-e->error));
		return 0;
	}
	/* Keep reading after a callback failure: the rest must be drained. */
	if (!d->intr && !d->cb_err && d->cb && d->cb(h, d->data) < MNL_CB_OK)
		d->cb_err = nsl_err_set(err, NSL_E_SYSTEM, -EIO, NULL, "bad netlink dump message");
	return RECV_MORE;
}

int nsli_nl_dump(struct nsl_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset)(void *),
		void *data, struct nsl_err *err)
{
	if (ensure_buf(nl) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (int attempt = 0; attempt < 10; attempt++) {
		struct dump d = { .cb = cb, .data = data };
		int r = send_one(nl, req, NLM_F_DUMP, err);

		if (r == 0)
			r = receive(nl, nl->seq, nl->seq, dump_msg, &d, err);
		if (r < 0 || !d.intr)
			return r;
		if (reset)
			reset(data);
	}
	return nsl_err_set(err, NSL_E_SYSTEM, -EAGAIN, NULL, "netlink dump kept being interrupted");
}

struct query {
	mnl_cb_t cb;
	void *data;
};

/*
 * Done at an NLMSG_ERROR (the kernel's refusal, or an ACK), a part without NLM_F_MULTI, or
 * the NLMSG_DONE that ends a multipart answer (it carries NLM_F_MULTI itself, and an errno
 * when the answer failed half-way): never handed to @cb, never waited past.
 */
static int query_msg(const struct nlmsghdr *h, void *state, struct nsl_err *err)
{
	struct query *q = state;

	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

		return e->error ? nack(h, err) : 0;
	}
	if (h->nlmsg_type == NLMSG_DONE) {
		int e = done_errno(h);

		return e < 0 ? nsl_err_set(err, NSL_E_SYSTEM, e, NULL, "netlink reply: %s", strerror(-e)) : 0;
	}
	if (h->nlmsg_type == NLMSG_NOOP)
		return RECV_MORE;
	if (q->cb(h, q->data) < MNL_CB_OK)
		return nsl_err_set(err, NSL_E_SYSTEM, -EIO, NULL, "bad netlink reply");
	return h->nlmsg_flags & NLM_F_MULTI ? RECV_MORE : 0;
}

int nsli_nl_query(struct nsl_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data,
		 struct nsl_err *err)
{
	struct query q = { cb, data };
	int r;

	if (ensure_buf(nl) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	if (err)
		err->extack[0] = '\0';
	r = send_one(nl, req, 0, err);
	return r < 0 ? r : receive(nl, nl->seq, nl->seq, query_msg, &q, err);
}

static int ifindex_cb(const struct nlmsghdr *h, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);

	if (h->nlmsg_type == RTM_NEWLINK)
		*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int nsli_nl_ifindex(struct nsl_nl *nl, const char *ifname, struct nsl_err *err)
{
	char buf[256] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int index = 0, r;

	h->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, strlen(ifname) < 16 ? IFLA_IFNAME : IFLA_ALT_IFNAME, ifname);
	mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nsli_nl_query(nl, h, ifindex_cb, &index, err);
	if (r == -ENODEV || (r == 0 && index <= 0))
		return nsl_err_set(err, NSL_E_USAGE, -ENODEV, ifname, "device '%s' does not exist", ifname);
	if (r < 0)
		return r;
	return index;
}

int nsli_nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_INVAL:
	case NLE_MSG_TOOSHORT:
	case NLE_MSGTYPE_NOSUPPORT:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOADDR:
		return -ENOENT;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOACCESS:
		return -EACCES;
	default:
		return -EIO;
	}
}
