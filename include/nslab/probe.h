/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native reachability probes: ICMP echo (IPv4), ICMPv6 echo, or a TCP connect, sent from
 * inside a network namespace by nslab itself — no ping binary, no fork, no setns in the
 * caller's thread beyond the moment a socket is created.
 *
 * Sockets: an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP/IPPROTO_ICMPV6) is tried
 * first; when the netns's net.ipv4.ping_group_range excludes the caller (EACCES, the default
 * "1 0" of every new netns), a raw socket is used instead, which needs CAP_NET_RAW in the
 * netns's user namespace. A TCP probe opens a stream socket per try, which needs no privilege.
 */
#ifndef NSLAB_PROBE_H
#define NSLAB_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "error.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default interval between two echo requests of one probe, milliseconds. */
#define NSL_PROBE_INTERVAL_MS 100

/**
 * struct nsl_probe - one reachability question for nsl_probe_ping_many().
 * @netns:      where the probe is sent from: a netns name under the run dir, a path, or a PID
 *              (the rules of `ip link set … netns X`); NULL for the context's current netns
 * @dst:        the destination address (@dst.len is ignored)
 * @tcp_port:   0: ICMP/ICMPv6 echo; otherwise a TCP connect to @dst port @tcp_port, which
 *              succeeds when the connection is established (it is then reset at once)
 * @timeout_ms: how long one try may take; 0: the @timeout_ms of the call
 * @within_ms:  0: one try. Otherwise the probe is retried until it holds, for at most
 *              max(@within_ms, one try's timeout) from the start of its wave: until it
 *              succeeds, or with @expect_fail until a try fails
 * @expect_fail: with @within_ms: the outcome wanted is a failure (an ICMP try is then a
 *              window of one timeout without a reply; a TCP try a connect that fails)
 * @result:     out: 0 when a reply arrived (TCP: the connection was established); -ETIMEDOUT
 *              when none did; -ECONNREFUSED (TCP: the port is closed), -ENETUNREACH,
 *              -EHOSTUNREACH, -EACCES… when the kernel refused to send or an ICMP error
 *              came back and no reply followed; with @within_ms, the outcome of the last
 *              try; -ENOENT when @netns does not exist; -EAFNOSUPPORT for a family other
 *              than AF_INET/AF_INET6
 * @rtt_us:     out: round-trip time of the first answered echo, or the time the TCP
 *              handshake took, microseconds (0 on failure)
 * @elapsed_ms: out: from the start of the probe's wave until its outcome was known
 */
struct nsl_probe {
	const char *netns;
	struct nsl_prefix dst;
	uint16_t tcp_port;
	unsigned timeout_ms;
	unsigned within_ms;
	bool expect_fail;
	int result;
	unsigned rtt_us;
	unsigned elapsed_ms;
};

/**
 * nsl_probe_ping - is @dst reachable from inside @netns?
 * @ctx:        the library context
 * @netns:      source netns, as struct nsl_probe.@netns (NULL: the context's current one)
 * @dst:        destination IPv4 or IPv6 address (its len is ignored)
 * @timeout_ms: give up after this long; an echo request is sent every
 *              NSL_PROBE_INTERVAL_MS until then (at least one is always sent)
 * @ret_rtt_us: out (NULL allowed): round-trip time of the reply, microseconds; written only
 *              on success
 * @err:        optional detail of a failure
 *
 * A refusal by the local kernel when sending (no route: -ENETUNREACH) ends the probe at
 * once; an ICMP error coming back (e.g. -EHOSTUNREACH after failed ARP) is remembered and
 * returned at the deadline unless a reply arrives first.
 *
 * Return: 0 (a reply arrived), -ETIMEDOUT, -ENETUNREACH, -EHOSTUNREACH, another negative
 * errno from the kernel, -ENOENT (no such netns), -EPERM/-EACCES (neither a ping socket nor
 * a raw socket may be opened), -EAFNOSUPPORT (bad family), -ENOMEM.
 */
int nsl_probe_ping(struct nsl_ctx *ctx, const char *netns, const struct nsl_prefix *dst,
		   unsigned timeout_ms, unsigned *ret_rtt_us, struct nsl_err *err);

/**
 * nsl_probe_ping_many - run @n probes (ICMP echo or TCP connect) concurrently.
 * @ctx:        the library context
 * @probes:     array of @n probes; @netns, @dst, @tcp_port, @timeout_ms, @within_ms and
 *              @expect_fail are read, @result, @rtt_us and @elapsed_ms written
 * @n:          number of probes (0 allowed)
 * @timeout_ms: how long one try of a probe may take, unless the probe sets its own; a probe
 *              without @within_ms is one try
 * @err:        optional: detail of a failure that stopped the whole run
 *
 * ICMP: one socket is opened per (source netns, address family) and shared by its probes;
 * replies are matched by echo identifier, sequence number and a per-call random cookie in
 * the payload, so unrelated ICMP traffic in the same netns is ignored. Each probe repeats its
 * echo request every NSL_PROBE_INTERVAL_MS until answered. TCP: each try is a non-blocking
 * connect() from a socket of its own; a failed try of a probe with @within_ms is repeated
 * NSL_PROBE_INTERVAL_MS after it started. With @within_ms, a local refusal to send (no
 * route yet) is one failed try, not the end of the probe.
 *
 * Per-probe failures (a missing netns, an unreachable destination) land in that probe's
 * @result, never in the return value. At most 256 sockets are open at once (to stay far from
 * RLIMIT_NOFILE; a TCP probe counts as one): with more the probes run in waves of 256
 * sockets, each wave lasting as long as its longest probe. Link-local IPv6 destinations are
 * not supported (struct nsl_prefix carries no scope id).
 *
 * Return: the number of probes that succeeded (>= 0), or a negative errno when the run
 * itself failed (-ENOMEM, -EINVAL for @n too large, or a poll() error); then every
 * @result is undefined.
 */
int nsl_probe_ping_many(struct nsl_ctx *ctx, struct nsl_probe *probes, size_t n,
			unsigned timeout_ms, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
