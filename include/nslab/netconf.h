/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-namespace configuration outside netlink: /etc/netns/NAME/{resolv.conf,hosts} and
 * net.* sysctls. Files are written relative to a directory fd with O_NOFOLLOW, through a
 * temporary file and rename(), so a name can never escape its directory and readers never
 * see half a file.
 */
#ifndef NSLAB_NETCONF_H
#define NSLAB_NETCONF_H

#include <stddef.h>

#include "ctx.h"
#include "error.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct nsl_dns - the contents of a resolv.conf.
 * @nameservers: 1..3 addresses (glibc reads three)
 * @search:      domains, may be empty
 * @options:     resolver options ("ndots:2"), may be empty
 */
struct nsl_dns {
	const struct nsl_prefix *nameservers;
	size_t n_nameservers;
	const char *const *search;
	size_t n_search;
	const char *const *options;
	size_t n_options;
};

/**
 * nsl_dns_set - write ETC_DIR/@netns/resolv.conf (creating ETC_DIR and ETC_DIR/@netns),
 * replacing it whole. @netns must be a named netns under the run dir.
 * Errors: -EINVAL (bad name, domain or option, more than 3 nameservers, more than 6 search
 * domains: NSL_E_USAGE), -ENOENT (no such netns), -ELOOP/-ENOTDIR (a symlink in the way).
 */
int nsl_dns_set(struct nsl_ctx *ctx, const char *netns, const struct nsl_dns *dns, struct nsl_err *err);
/** nsl_dns_get - read it back into a malloc'd string. Errors: -ENOENT. */
int nsl_dns_get(struct nsl_ctx *ctx, const char *netns, char **ret, struct nsl_err *err);
/** nsl_dns_del - remove it (and ETC_DIR/@netns when left empty). Errors: -ENOENT. */
int nsl_dns_del(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err);

/** struct nsl_host_entry - one line of a hosts file. */
struct nsl_host_entry {
	struct nsl_prefix addr;
	const char *const *names;
	size_t n_names;
};

/**
 * nsl_hosts_set - write ETC_DIR/@netns/hosts with localhost lines first, then one line per
 * entry. Names are DNS names ([A-Za-z0-9_-] labels, last label not all digits).
 * Errors as nsl_dns_set().
 */
int nsl_hosts_set(struct nsl_ctx *ctx, const char *netns, const struct nsl_host_entry *entries,
		  size_t n, struct nsl_err *err);
/**
 * struct nsl_hosts - hosts lines validated and rendered once, to be written into many
 * namespaces (a lab gives every node the same lines: rendering them per node costs N^2).
 */
struct nsl_hosts;
/** nsl_hosts_prepare - validate and render @entries. Errors as nsl_hosts_set(), -ENOMEM. */
int nsl_hosts_prepare(const struct nsl_host_entry *entries, size_t n, struct nsl_hosts **ret,
		      struct nsl_err *err);
/** nsl_hosts_set_prepared - nsl_hosts_set() with lines from nsl_hosts_prepare(). */
int nsl_hosts_set_prepared(struct nsl_ctx *ctx, const char *netns, const struct nsl_hosts *h,
			   struct nsl_err *err);
/** nsl_hosts_free - free what nsl_hosts_prepare() returned (NULL allowed). */
void nsl_hosts_free(struct nsl_hosts *h);
/** nsl_hosts_get - read ETC_DIR/@netns/hosts into a malloc'd string. Errors: -ENOENT. */
int nsl_hosts_get(struct nsl_ctx *ctx, const char *netns, char **ret, struct nsl_err *err);
/** nsl_hosts_del - remove it (and ETC_DIR/@netns when left empty). Errors: -ENOENT. */
int nsl_hosts_del(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err);

/**
 * nsl_netconf_del - remove the resolv.conf and hosts nslab writes for @netns, and the
 * directory when nothing else is left in it. Absent files are fine. One directory open for
 * both (a lab's down does this for every node).
 */
int nsl_netconf_del(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err);

/**
 * nsl_sysctl_set - write net.* @key = @value in @netns (NULL: current).
 * Only keys under net. are accepted, in dotted form; components are [A-Za-z0-9_-], so an
 * interface whose name holds a '.' cannot be named. Errors: -EINVAL (bad key or value,
 * NSL_E_USAGE; also the kernel refusing the value), -ENOENT (no such key), -EISDIR.
 */
int nsl_sysctl_set(struct nsl_ctx *ctx, const char *netns, const char *key, const char *value,
		   struct nsl_err *err);
/** nsl_sysctl_get - read it into @buf (trailing newline removed). */
int nsl_sysctl_get(struct nsl_ctx *ctx, const char *netns, const char *key, char *buf, size_t size,
		   struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
