/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSLAB_LINK_H
#define NSLAB_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* In every call below, @netns names the namespace the device is in: NULL for the
 * context's current one, else a name under the run dir, a PID, or a path. */

/**
 * struct nsl_link_set - what `link set` changes; fields left at their zero value
 * (NULL, 0, NSL_TRI_KEEP) are left alone.
 */
enum nsl_tri { NSL_TRI_KEEP = 0, NSL_TRI_ON, NSL_TRI_OFF };

struct nsl_link_set {
	enum nsl_tri up;
	const char *name;   /* rename */
	uint32_t mtu;
	const uint8_t *mac; /* 6 bytes */
	const char *netns;  /* move: name, PID or path */
	const char *master; /* enslave to this bridge */
	bool nomaster;
	const char *alias;
};

/** nsl_link_set - change @ifname; one RTM_NEWLINK. Errors: -ENODEV, -EEXIST, -EINVAL + extack. */
int nsl_link_set(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		 const struct nsl_link_set *set, struct nsl_err *err);

/** nsl_link_del - delete @ifname (a veth takes its peer along). Errors: -ENODEV. */
int nsl_link_del(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err);

/**
 * nsl_link_del_group - delete every device of @group (not 0) in @netns in one request: the
 * kernel unregisters them as one batch, with one wait instead of one per device. The caller
 * must make sure it owns every device of the group. Errors: -ENODEV when there is none.
 */
int nsl_link_del_group(struct nsl_ctx *ctx, const char *netns, uint32_t group, struct nsl_err *err);

/**
 * nsl_link_altname_add - add an alternative name (up to 127 bytes) to @ifname.
 */
int nsl_link_altname_add(struct nsl_ctx *ctx, const char *netns, const char *ifname,
			 const char *altname, struct nsl_err *err);

/**
 * struct nsl_link_info - what `link show` reports; the keys follow `ip -j link`.
 */
struct nsl_link_info {
	int ifindex;
	char ifname[16];
	char kind[32];	   /* "veth", "bridge", "" for none */
	char operstate[16];
	unsigned flags;	   /* IFF_* */
	uint32_t mtu;
	uint8_t mac[6];
	bool has_mac;
	int master;	   /* ifindex, 0 for none */
	char master_name[16];
	int link;	   /* peer ifindex (veth), 0 for none */
	int link_netnsid;  /* -1 for none */
	char alias[256];
	char altnames[4][128];
	int n_altnames;
	uint32_t group;	   /* IFLA_GROUP, 0 for the default group */
};

/**
 * nsl_link_list - dump the links of @netns, or just @ifname when not NULL.
 * Caller frees *@ret with free(). Errors: -ENODEV when @ifname does not exist.
 */
int nsl_link_list(struct nsl_ctx *ctx, const char *netns, const char *ifname,
		  struct nsl_link_info **ret, size_t *ret_n, struct nsl_err *err);

/** nsl_link_exists - 1 when @ifname (or altname) exists in @netns, 0 when not. */
int nsl_link_exists(struct nsl_ctx *ctx, const char *netns, const char *ifname, struct nsl_err *err);

/** nsl_link_wait_gone - wait up to @timeout_ms until none of @ifnames exists in @netns. */
int nsl_link_wait_gone(struct nsl_ctx *ctx, const char *netns, const char *const *ifnames,
		       size_t n, unsigned timeout_ms, struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
