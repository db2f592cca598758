/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hot-adding network interfaces to running processes, containers and named namespaces
 * (what pipework did for Docker), and taking them away again.
 *
 * A NIC is known by its logical name "TARGET:IF" ("pid1234:eth1", "ns-blue:eth1",
 * "ctr-web:eth1"). The host end of a veth gets a derived name ("nsl" + 12 hex digits,
 * deterministic, collision-checked), the logical name as an altname and the ownership
 * marker "nslab:nic:LOGICAL" as its alias. What was added is recorded in STATE_DIR/nic/
 * (one file per NIC, named by its logical name) before the first kernel change, so that
 * `nsl_nic_del` can finish the job after a crash.
 */
#ifndef NSLAB_NIC_H
#define NSLAB_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctx.h"
#include "error.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NSL_NIC_MAX_ADDRS 16
#define NSL_NIC_ALIAS_PREFIX "nslab:nic:"
#define NSL_NIC_BRIDGE_ALIAS "nslab:nic:bridge"

/**
 * enum nsl_nic_target_kind - what a TARGET names.
 * @NSL_NIC_TARGET_PID:       a process; its netns is opened through a pidfd-checked
 *                            /proc/PID/ns/net, so a recycled PID is never hit
 * @NSL_NIC_TARGET_NETNS:     a named netns under the run dir (`ip netns add` or nslab)
 * @NSL_NIC_TARGET_CONTAINER: a docker or podman container, resolved to its PID with
 *                            `CLI inspect --format {{.State.Pid}} NAME`
 */
enum nsl_nic_target_kind {
	NSL_NIC_TARGET_PID = 1,
	NSL_NIC_TARGET_NETNS,
	NSL_NIC_TARGET_CONTAINER,
};

/**
 * struct nsl_nic_target - a TARGET.
 * @kind:   see enum nsl_nic_target_kind
 * @pid:    with NSL_NIC_TARGET_PID
 * @name:   the netns name, or the container name; a container name may start with
 *          "docker:" or "podman:" to pick the CLI (default: docker, then podman)
 */
struct nsl_nic_target {
	enum nsl_nic_target_kind kind;
	pid_t pid;
	const char *name;
};

/**
 * nsl_nic_target_parse - turn the TARGET words of the command line into @ret: "1234"
 * (a PID), "netns" followed by NAME, or a container name.
 * @words: the remaining arguments; @n: how many there are
 * @ret_used: how many words TARGET took (1 or 2)
 * Return: 0, -EINVAL (kind NSL_E_USAGE). @ret points into @words.
 */
int nsl_nic_target_parse(char *const *words, int n, struct nsl_nic_target *ret, int *ret_used,
			 struct nsl_err *err);

/**
 * nsl_nic_target_id - the TARGET part of a logical name: "pid1234", "ns-NAME", "ctr-NAME".
 * Derived from the words alone (nothing is opened), so a dead target can still be cleaned.
 * Return: 0, -EINVAL (bad name), -ENAMETOOLONG.
 */
int nsl_nic_target_id(const struct nsl_nic_target *t, char *buf, size_t size, struct nsl_err *err);

/** Flags of struct nsl_nic and nsl_nic_del(). */
enum {
	NSL_NIC_NODAD = 1 << 0,	       /* add: addresses skip duplicate address detection */
	NSL_NIC_PRUNE_BRIDGE = 1 << 1, /* del: remove the bridge when nslab made it and it is now empty */
};

/**
 * struct nsl_nic - a NIC to add.
 * @target:  where it goes
 * @ifname:  its name inside the target; NULL for the first free "ethN"
 * @bridge:  veth: bridge in the host netns to attach the host end to; created (up, marked
 *           with NSL_NIC_BRIDGE_ALIAS) when missing; NULL: the host end stays unattached
 * @macvlan_parent: instead of a veth, a macvlan on this host interface, born in the target
 * @macvlan_mode:   "bridge" (default), "private", "vepa", "passthru" or "source"
 * @addrs, @n_addrs: addresses for the target end (at most NSL_NIC_MAX_ADDRS)
 * @gws, @n_gws:     default gateways, at most one per family; each replaces the target's
 *                   default route of its family
 * @mac:     the target end's MAC, NULL for a random one (see nsl_nic_mac_from_seed)
 * @mtu:     0: the bridge's MTU (veth) or the parent's (macvlan)
 * @flags:   NSL_NIC_NODAD
 */
struct nsl_nic {
	struct nsl_nic_target target;
	const char *ifname;
	const char *bridge;
	const char *macvlan_parent;
	const char *macvlan_mode;
	const struct nsl_prefix *addrs;
	size_t n_addrs;
	const struct nsl_prefix *gws;
	size_t n_gws;
	const uint8_t *mac;
	uint32_t mtu;
	unsigned flags;
};

/**
 * struct nsl_nic_info - a NIC nslab added, as recorded (and checked against the kernel).
 * @logical:     "TARGET:IF"
 * @target:      "pid1234", "ns-NAME", "ctr-NAME"
 * @ifname:      name inside the target
 * @kind:        "veth" or "macvlan"
 * @host_ifname: host end of a veth ("" for macvlan)
 * @bridge:      the bridge of a veth's host end, "" for none
 * @parent:      the host interface under a macvlan, "" for veth
 * @mode:        macvlan mode, "" for veth
 * @bridge_created: nslab created @bridge for this NIC
 * @host_netns:  the netns of the host side (`-n`), "" for the caller's own
 * @present:     the NIC still exists (false once the target has gone)
 */
struct nsl_nic_info {
	char logical[NSL_ALTNAME_MAX + 1];
	char target[NSL_ALTNAME_MAX + 1];
	char ifname[NSL_IFNAMSIZ];
	char kind[16];
	char host_ifname[NSL_IFNAMSIZ];
	char host_netns[NSL_NSNAME_MAX + 1];
	char bridge[NSL_IFNAMSIZ];
	char parent[NSL_IFNAMSIZ];
	char mode[16];
	bool bridge_created;
	bool has_mac;
	uint8_t mac[6];
	uint32_t mtu;
	struct nsl_prefix addrs[NSL_NIC_MAX_ADDRS];
	size_t n_addrs;
	struct nsl_prefix gws[2];
	size_t n_gws;
	bool present;
};

/**
 * nsl_nic_add - add a NIC to a running target: a veth whose target end is born inside the
 * target netns already named, host end attached to the bridge and up (one request), or a
 * macvlan born in the target; then addresses and gateways. Every input is checked before
 * the first kernel change; if any step fails, or the target exits meanwhile, everything
 * this call made (links, a bridge it created, the record) is removed again.
 * @ret: filled on success (NULL allowed)
 * Needs CAP_NET_ADMIN in both namespaces and CAP_SYS_ADMIN (setns).
 * Errors: -EINVAL (NSL_E_USAGE), -ESRCH (no such process, or it exited: NSL_E_SYSTEM),
 * -ENOENT (no such netns or container), -EEXIST (IF already in the target, or already added:
 * NSL_E_CONFLICT), -ENODEV (macvlan parent), kernel errnos + extack; NSL_E_PARTIAL when the
 * rollback itself failed (the record is kept so that nsl_nic_del can finish).
 */
int nsl_nic_add(struct nsl_ctx *ctx, const struct nsl_nic *nic, struct nsl_nic_info *ret,
		struct nsl_err *err);

/**
 * nsl_nic_del - remove the NIC @ifname that nslab added to @t: both ends, its record, and
 * with NSL_NIC_PRUNE_BRIDGE the bridge nslab created when no port is left on it. A NIC
 * that already went away with its target only has its record removed.
 * Errors: -ENOENT (no such NIC recorded: NSL_E_USAGE), -EEXIST (the name is now held by a
 * link nslab does not own: NSL_E_CONFLICT), kernel errnos.
 */
int nsl_nic_del(struct nsl_ctx *ctx, const struct nsl_nic_target *t, const char *ifname,
		unsigned flags, struct nsl_err *err);

/**
 * nsl_nic_list - the NICs recorded for @t (NULL: for every target), sorted by logical
 * name, each checked for presence. Caller frees *@ret with free().
 * A missing state directory is an empty list.
 */
int nsl_nic_list(struct nsl_ctx *ctx, const struct nsl_nic_target *t, struct nsl_nic_info **ret,
		 size_t *ret_n, struct nsl_err *err);

/**
 * nsl_nic_mac_from_seed - a stable MAC for @seed: locally administered, unicast, the same
 * for the same text on every run and host (FNV-1a 64 of the text, finalised).
 */
void nsl_nic_mac_from_seed(const char *seed, uint8_t ret[6]);

/**
 * nsl_nic_host_name - the host-side name for @logical: "nsl" + 12 hex digits of a hash
 * of @logical and @salt (a caller bumps @salt when the name is taken by a foreign link).
 * @ret: at least NSL_IFNAMSIZ bytes
 */
void nsl_nic_host_name(const char *logical, unsigned salt, char *ret);

#ifdef __cplusplus
}
#endif
#endif
