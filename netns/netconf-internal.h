/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to netns/etc.c and netns/sysctl.c: validation and rendering kept apart from the
 * file system, so tests/unit/test-netconf.c checks them without root.
 */
#ifndef NSL_NETCONF_INTERNAL_H
#define NSL_NETCONF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nslab/netconf.h"

/**
 * nsli_dns_render - validate @dns and render the resolv.conf text for @netns into a malloc'd
 * *@ret of *@ret_len bytes. Errors: -EINVAL (NSL_E_USAGE, @err says which value), -ENOMEM.
 */
int nsli_dns_render(const char *netns, const struct nsl_dns *dns, char **ret, size_t *ret_len,
		   struct nsl_err *err);
/** nsli_hosts_render - likewise for a hosts file: localhost lines, then @entries. */
int nsli_hosts_render(const char *netns, const struct nsl_host_entry *entries, size_t n, char **ret,
		     size_t *ret_len, struct nsl_err *err);
/** nsli_sysctl_path - "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward"; -EINVAL if not a net.* key. */
int nsli_sysctl_path(const char *key, char *buf, size_t size, struct nsl_err *err);
/** nsli_sysctl_check_value - 1..255 printable bytes (tabs allowed). */
int nsli_sysctl_check_value(const char *key, const char *value, struct nsl_err *err);

/* What nslab wrote, proven by content (netns/etc.c): */
/** nsli_netconf_hash - the hash nslab records for a file of @len bytes at @data. */
uint64_t nsli_netconf_hash(const char *data, size_t len);
/** nsli_netconf_file_hash - that hash of ETC/@netns/@name. -ENOENT: no such file; -EEXIST: not a regular file. */
int nsli_netconf_file_hash(struct nsl_ctx *ctx, const char *netns, const char *name, uint64_t *ret);
/** nsli_hosts_prepared_hash - the hash of the hosts file nsl_hosts_set_prepared() would write. */
int nsli_hosts_prepared_hash(const char *netns, const struct nsl_hosts *h, uint64_t *ret);
/** nsli_dns_hash - the hash of the resolv.conf nsl_dns_set() would write. */
int nsli_dns_hash(const char *netns, const struct nsl_dns *dns, uint64_t *ret, struct nsl_err *err);
/**
 * nsli_netconf_del_owned - remove ETC/@netns/@name only when its hash is one of @hashes.
 * Return: 1 removed, 0 no such file, -EEXIST its content is not nslab's (left alone).
 */
int nsli_netconf_del_owned(struct nsl_ctx *ctx, const char *netns, const char *name, const uint64_t *hashes,
			  size_t n);
/** One file of ETC/NETNS for nsli_netconf_clear(). */
struct nsli_etc_file {
	const char *name;	 /* "hosts", "resolv.conf" */
	const uint64_t *hashes;	 /* what nslab recorded writing: removed when its hash is one of them */
	size_t n_hashes;
	bool generated;		 /* none recorded: removed when it starts with nslab's header (--force) */
	int result;		 /* out: 1 removed, 0 none (or nothing to prove it by), -EEXIST not ours, -errno */
};
/**
 * nsli_netconf_clear - ETC/@netns opened once: each of @files removed when it is proven
 * nslab's (above), then nslab's temporary files, then the dir when empty. 0, or -errno when
 * the dir cannot be opened (none: 0).
 */
int nsli_netconf_clear(struct nsl_ctx *ctx, const char *netns, struct nsli_etc_file *files, size_t n);

#endif
