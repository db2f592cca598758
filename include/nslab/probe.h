/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native reachability probes: ICMP echo (IPv4) and ICMPv6 echo sent from inside a network
 * namespace by nslab itself — no ping binary, no fork, no setns in the caller's thread
 * beyond the moment a socket is created.
 *
 * Sockets: an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP/IPPROTO_ICMPV6) is tried
 * first; when the netns's net.ipv4.ping_group_range excludes the caller (EACCES, the default
 * "1 0" of every new netns), a raw socket is used instead, which needs CAP_NET_RAW in the
 * netns's user namespace.
 */
#ifndef NSLAB_PROBE_H
#define NSLAB_PROBE_H

#include <stddef.h>

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
 * @netns:  where the echo is sent from: a netns name under the run dir, a path, or a PID
 *          (the rules of `ip link set … netns X`); NULL for the context's current netns
 * @dst:    the destination address (@dst.len is ignored)
 * @result: out: 0 when a reply arrived; -ETIMEDOUT when none did; -ENETUNREACH,
 *          -EHOSTUNREACH, -ECONNREFUSED, -EACCES… when the kernel refused to send or an ICMP
 *          error came back and no reply followed; -ENOENT when @netns does not exist;
 *          -EAFNOSUPPORT for a family other than AF_INET/AF_INET6
 * @rtt_us: out: round-trip time of the first answered echo, microseconds (0 on failure)
 */
struct nsl_probe {
	const char *netns;
	struct nsl_prefix dst;
	int result;
	unsigned rtt_us;
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
 * nsl_probe_ping_many - run @n probes concurrently, all within one @timeout_ms.
 * @ctx:        the library context
 * @probes:     array of @n probes; @netns and @dst are read, @result and @rtt_us written
 * @n:          number of probes (0 allowed)
 * @timeout_ms: deadline for all probes together, counted from the call
 * @err:        optional: detail of a failure that stopped the whole run
 *
 * One socket is opened per (source netns, address family) and shared by its probes; replies
 * are matched by echo identifier, sequence number and a per-call random cookie in the
 * payload, so unrelated ICMP traffic in the same netns is ignored. Each probe repeats its
 * echo request every NSL_PROBE_INTERVAL_MS until answered. Per-probe failures (a missing
 * netns, an unreachable destination) land in that probe's @result, never in the return
 * value. At most 256 sockets are open at once (to stay far from RLIMIT_NOFILE): with more
 * distinct (netns, family) pairs the probes run in waves of 256 sockets, each wave with its own
 * @timeout_ms, so the call lasts at most ceil(pairs / 256) timeouts. Link-local IPv6
 * destinations are not supported (struct nsl_prefix carries no scope id).
 *
 * Return: the number of probes that got a reply (>= 0), or a negative errno when the run
 * itself failed (-ENOMEM, -EINVAL for @n too large, or a poll() error); then every
 * @result is undefined.
 */
int nsl_probe_ping_many(struct nsl_ctx *ctx, struct nsl_probe *probes, size_t n,
			unsigned timeout_ms, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
